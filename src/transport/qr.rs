//! UR part text <-> QR symbol <-> grayscale image.

use image::{GrayImage, Luma};
pub use qrcode::EcLevel;

/// The quiet zone QR requires around a symbol, in modules.
pub const QUIET_ZONE_MODULES: u32 = 4;

#[derive(Debug, thiserror::Error)]
pub enum QrError {
    #[error("text does not fit any QR version at this error-correction level: {0}")]
    TooLong(String),
}

/// A QR symbol as a module matrix (true = dark), without quiet zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub version: i16,
    /// Modules per side.
    pub width: usize,
    pub modules: Vec<bool>,
}

impl Symbol {
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        self.modules[y * self.width + x]
    }
}

/// Encodes text (UR parts are uppercase, so the encoder picks alphanumeric mode).
pub fn symbol(text: &str, ec: EcLevel) -> Result<Symbol, QrError> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), ec)
        .map_err(|e| QrError::TooLong(e.to_string()))?;
    let version = match code.version() {
        qrcode::Version::Normal(v) | qrcode::Version::Micro(v) => v,
    };
    let modules = code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
    Ok(Symbol { version, width: code.width(), modules })
}

/// Renders a symbol with a quiet zone, `module_px` pixels per module, black on white.
pub fn render(symbol: &Symbol, module_px: u32) -> GrayImage {
    let side = (symbol.width as u32 + 2 * QUIET_ZONE_MODULES) * module_px;
    GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x / module_px, y / module_px);
        let inside = |m: u32| m >= QUIET_ZONE_MODULES && m < QUIET_ZONE_MODULES + symbol.width as u32;
        let dark = inside(mx)
            && inside(my)
            && symbol.is_dark((mx - QUIET_ZONE_MODULES) as usize, (my - QUIET_ZONE_MODULES) as usize);
        Luma([if dark { 0 } else { 255 }])
    })
}

/// Which QR decoder reads frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QrEngine {
    /// rxing (pure-Rust ZXing port): the default, chosen by measurement (docs/qr-decoder.md).
    Rxing,
    /// rqrr (quirc port): kept for comparison.
    Rqrr,
    /// rxing, then rqrr on the frames rxing could not read.
    RxingThenRqrr,
}

/// Decodes the QR texts in a grayscale frame; empty when there is none it can read.
pub fn decode(frame: &GrayImage, engine: QrEngine) -> Vec<String> {
    match engine {
        QrEngine::Rxing => decode_rxing(frame).into_iter().collect(),
        QrEngine::Rqrr => decode_rqrr(frame),
        QrEngine::RxingThenRqrr => match decode_rxing(frame) {
            Some(text) => vec![text],
            None => decode_rqrr(frame),
        },
    }
}

fn decode_rxing(frame: &GrayImage) -> Option<String> {
    let (w, h) = frame.dimensions();
    if w < 21 || h < 21 {
        return None;
    }
    // No preprocessing: denoising halves the time on noisy frames but loses reads on
    // blurred, noisy 3 px modules; TryHarder reads nothing more here and costs 15-25%.
    // Both measured in docs/qr-decoder.md.
    let mut hints = rxing::DecodeHints { TryHarder: Some(false), ..Default::default() };
    rxing::helpers::detect_in_luma_slice_with_hints(
        frame.as_raw(),
        w,
        h,
        Some(rxing::BarcodeFormat::QR_CODE),
        &mut hints,
    )
    .ok()
    .map(|r| r.getText().to_owned())
}

fn decode_rqrr(frame: &GrayImage) -> Vec<String> {
    let (w, h) = frame.dimensions();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| frame.get_pixel(x as u32, y as u32)[0]);
    prepared.detect_grids().into_iter().filter_map(|g| g.decode().ok().map(|(_, text)| text)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_then_decode_with_every_engine() {
        let text = "UR:BYTES/HDCXLKAHSSDLBWDNHSHKJYISJTHSJZJNJLKTJLJTDPDAFLJLJKPYUOVL";
        let sym = symbol(text, EcLevel::M).unwrap();
        assert_eq!(sym.width, 17 + 4 * sym.version as usize);
        let img = render(&sym, 4);
        assert_eq!(img.width(), (sym.width as u32 + 8) * 4);
        for engine in [QrEngine::Rxing, QrEngine::Rqrr, QrEngine::RxingThenRqrr] {
            assert_eq!(decode(&img, engine), vec![text.to_string()], "{engine:?}");
        }
    }

    #[test]
    fn blank_frame_has_no_code() {
        let blank = GrayImage::from_pixel(320, 240, Luma([200]));
        assert!(decode(&blank, QrEngine::RxingThenRqrr).is_empty());
    }

    #[test]
    fn tiny_frames_are_rejected() {
        assert!(decode(&GrayImage::new(5, 5), QrEngine::Rxing).is_empty());
        assert!(decode(&GrayImage::new(0, 0), QrEngine::RxingThenRqrr).is_empty());
    }

    #[test]
    fn too_long_is_an_error() {
        let text = "A".repeat(5000);
        assert!(matches!(symbol(&text, EcLevel::H), Err(QrError::TooLong(_))));
    }
}
