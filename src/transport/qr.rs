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

/// A code found in a frame: its text and where it is (four corners, clockwise from the top
/// left of the symbol, in frame pixels) for the preview's outline.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    pub text: String,
    pub corners: [[f32; 2]; 4],
}

/// Decodes the QR texts in a grayscale frame; empty when there is none it can read.
pub fn decode(frame: &GrayImage, engine: QrEngine) -> Vec<String> {
    locate(frame, engine).into_iter().map(|f| f.text).collect()
}

/// Decodes the QR codes in a frame, with where each one is.
pub fn locate(frame: &GrayImage, engine: QrEngine) -> Vec<Found> {
    match engine {
        QrEngine::Rxing => locate_rxing(frame).into_iter().collect(),
        QrEngine::Rqrr => locate_rqrr(frame),
        QrEngine::RxingThenRqrr => match locate_rxing(frame) {
            Some(found) => vec![found],
            None => locate_rqrr(frame),
        },
    }
}

/// What the rxing decoder tries on one picture. Each option was kept or dropped by
/// measurement on photographs and on the virtual camera (docs/qr-decoder.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeOptions {
    /// rxing's TryHarder (a finer finder-pattern search).
    pub try_harder: bool,
    /// Also look for light-on-dark codes.
    pub also_inverted: bool,
    /// Also try the global-histogram binarizer when the local (hybrid) one finds nothing.
    pub global_binarizer: bool,
    /// Also try the picture at 1/2, 1/3 and 1/4 of its size (a large, soft photograph reads
    /// better smaller, as zxing-cpp's tryDownscale does), down to 200 pixels.
    pub downscale: bool,
    /// When rxing's port of zxing-cpp's reader fails, try its port of ZXing's Java reader.
    pub java_fallback: bool,
}

impl DecodeOptions {
    /// Live camera frames: one try, the fastest (the next frame is 33 ms away).
    pub const FRAME: Self = Self { try_harder: false, also_inverted: false, global_binarizer: false, downscale: false, java_fallback: true };
    /// A photograph or image file: the tries that read more photographs (inverted codes, the
    /// global binarizer); TryHarder and downscaling read none more (docs/qr-decoder.md).
    pub const PHOTO: Self = Self { try_harder: false, also_inverted: true, global_binarizer: true, downscale: false, java_fallback: true };
}

/// The shortest side a downscaled try keeps (a version 40 code needs 177 modules).
const DOWNSCALE_MIN: u32 = 200;

/// Decodes the QR texts in a photograph or image file (see [`DecodeOptions::PHOTO`]).
pub fn decode_photo(image: &GrayImage) -> Vec<String> {
    decode_with(image, DecodeOptions::PHOTO).into_iter().map(|f| f.text).collect()
}

/// Decodes with the given options; the first try that reads wins.
pub fn decode_with(image: &GrayImage, options: DecodeOptions) -> Option<Found> {
    if let Some(found) = rxing_tries(image, options) {
        return Some(found);
    }
    if !options.downscale {
        return None;
    }
    for factor in [2u32, 3, 4] {
        let (w, h) = (image.width() / factor, image.height() / factor);
        if w.min(h) < DOWNSCALE_MIN {
            break;
        }
        let small = box_downscale(image, factor);
        if let Some(mut found) = rxing_tries(&small, options) {
            for c in &mut found.corners {
                c[0] *= factor as f32;
                c[1] *= factor as f32;
            }
            return Some(found);
        }
    }
    None
}

/// The average of each `factor` x `factor` block (what a camera at that resolution sees).
fn box_downscale(image: &GrayImage, factor: u32) -> GrayImage {
    let (w, h) = (image.width() / factor, image.height() / factor);
    let area = factor * factor;
    GrayImage::from_fn(w, h, |x, y| {
        let mut sum = 0u32;
        for dy in 0..factor {
            for dx in 0..factor {
                sum += image.get_pixel(x * factor + dx, y * factor + dy)[0] as u32;
            }
        }
        Luma([(sum / area) as u8])
    })
}

fn rxing_tries(image: &GrayImage, options: DecodeOptions) -> Option<Found> {
    use rxing::common::{GlobalHistogramBinarizer, HybridBinarizer};
    use rxing::{BinaryBitmap, Luma8Source, MultiFormatReader, Reader};
    let (w, h) = image.dimensions();
    if w < 21 || h < 21 {
        return None;
    }
    let hints = rxing::DecodeHints {
        TryHarder: Some(options.try_harder),
        AlsoInverted: Some(options.also_inverted),
        PossibleFormats: Some(std::collections::HashSet::from([rxing::BarcodeFormat::QR_CODE])),
        ..Default::default()
    };
    let source = || Luma8Source::new_with_slice(image.as_raw(), w, h).ok();
    fn read<B: rxing::Binarizer>(bitmap: &mut BinaryBitmap<B>, hints: &rxing::DecodeHints, options: DecodeOptions) -> Option<rxing::RXingResult> {
        if options.java_fallback {
            return MultiFormatReader::default().decode_with_hints(bitmap, hints).ok();
        }
        let mut reader = rxing::qrcode::cpp_port::QrReader;
        if let Ok(r) = reader.decode_with_hints(bitmap, hints) {
            return Some(r);
        }
        if !options.also_inverted {
            return None;
        }
        bitmap.invert();
        let r = reader.decode_with_hints(bitmap, hints).ok();
        bitmap.invert();
        r
    }
    let mut result = read(&mut BinaryBitmap::new(HybridBinarizer::new(source()?)), &hints, options);
    if result.is_none() && options.global_binarizer {
        result = read(&mut BinaryBitmap::new(GlobalHistogramBinarizer::new(source()?)), &hints, options);
    }
    let result = result?;
    let points: Vec<[f32; 2]> = result.getPoints().iter().map(|p| [p.x, p.y]).collect();
    Some(Found { text: result.getText().to_owned(), corners: corners_from_points(&points) })
}

/// When a frame does not read: the module size (pixels) of a code whose three finder
/// patterns are there anyway, which tells "too small" from "blurred or glared" for the
/// scanner's hint (transport::scan_hint). None when no three patterns are found.
pub fn finder_module_size(frame: &GrayImage) -> Option<f32> {
    use rxing::common::HybridBinarizer;
    use rxing::qrcode::detector::FinderPatternFinder;
    use rxing::{Binarizer, Luma8Source};
    let (w, h) = frame.dimensions();
    if w < 21 || h < 21 {
        return None;
    }
    let binarizer = HybridBinarizer::new(Luma8Source::new_with_slice(frame.as_raw(), w, h).ok()?);
    let matrix = binarizer.get_black_matrix().ok()?;
    let info = FinderPatternFinder::new(matrix).find(&rxing::DecodeHints::default()).ok()?;
    let sizes = [info.getTopLeft(), info.getTopRight(), info.getBottomLeft()].map(|p| p.getEstimatedModuleSize());
    Some(sizes.iter().sum::<f32>() / 3.0)
}

fn locate_rxing(frame: &GrayImage) -> Option<Found> {
    // No preprocessing: denoising halves the time on noisy frames but loses reads on
    // blurred, noisy 3 px modules; TryHarder reads nothing more here and costs 15-25%.
    // Both measured in docs/qr-decoder.md.
    decode_with(frame, DecodeOptions::FRAME)
}

/// rxing's first reader (a port of zxing-cpp) reports the symbol's four corners; its
/// fallback (the ZXing Java port) the three finder pattern centres, with the alignment
/// pattern on larger symbols. Either way the points are put in order around their centre,
/// clockwise from the top left, and three become four by completing the parallelogram.
fn corners_from_points(points: &[[f32; 2]]) -> [[f32; 2]; 4] {
    let mut corners: Vec<[f32; 2]> = match points {
        [bl, tl, tr] => vec![*bl, *tl, *tr, [tr[0] + bl[0] - tl[0], tr[1] + bl[1] - tl[1]]],
        [a, b, c, d, ..] => vec![*a, *b, *c, *d],
        _ => return [[0.0; 2]; 4],
    };
    let centre = corners.iter().fold([0.0, 0.0], |s, p| [s[0] + p[0] / 4.0, s[1] + p[1] / 4.0]);
    // Image y grows downwards, so increasing atan2 runs clockwise on screen.
    let angle = |p: &[f32; 2]| (p[1] - centre[1]).atan2(p[0] - centre[0]);
    corners.sort_by(|a, b| angle(a).total_cmp(&angle(b)));
    let first = (0..4).min_by(|&i, &j| (corners[i][0] + corners[i][1]).total_cmp(&(corners[j][0] + corners[j][1]))).unwrap_or(0);
    std::array::from_fn(|i| corners[(first + i) % 4])
}

fn locate_rqrr(frame: &GrayImage) -> Vec<Found> {
    let (w, h) = frame.dimensions();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| frame.get_pixel(x as u32, y as u32)[0]);
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|g| {
            let corners = g.bounds.map(|p| [p.x as f32, p.y as f32]);
            g.decode().ok().map(|(_, text)| Found { text, corners })
        })
        .collect()
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
    fn every_engine_says_where_the_code_is() {
        let text = "UR:BYTES/HDCXLKAHSSDLBWDNHSHKJYISJTHSJZJNJLKTJLJTDPDAFLJLJKPYUOVL";
        let sym = symbol(text, EcLevel::M).unwrap();
        let code = render(&sym, 4);
        // The code at (100, 60) in a larger grey frame.
        let mut frame = GrayImage::from_pixel(400, 300, Luma([128]));
        image::imageops::replace(&mut frame, &code, 100, 60);
        let (x0, y0, x1, y1) = (100.0 + 16.0, 60.0 + 16.0, 100.0 + code.width() as f32 - 16.0, 60.0 + code.height() as f32 - 16.0);
        for engine in [QrEngine::Rxing, QrEngine::Rqrr] {
            let found = locate(&frame, engine);
            assert_eq!(found.len(), 1, "{engine:?}");
            assert_eq!(found[0].text, text);
            // Clockwise from the top left, each within two modules of the symbol's corner.
            let want = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
            for (got, want) in found[0].corners.iter().zip(want) {
                assert!((got[0] - want[0]).abs() <= 8.0 && (got[1] - want[1]).abs() <= 8.0, "{engine:?}: {got:?} vs {want:?}");
            }
        }
    }

    #[test]
    fn three_finder_centres_become_an_ordered_quadrilateral() {
        // Bottom left, top left, top right (the ZXing Java port's order).
        let got = corners_from_points(&[[10.0, 90.0], [10.0, 10.0], [90.0, 10.0]]);
        assert_eq!(got, [[10.0, 10.0], [90.0, 10.0], [90.0, 90.0], [10.0, 90.0]]);
        // Four corners in any order come out clockwise from the top left.
        let got = corners_from_points(&[[90.0, 90.0], [10.0, 10.0], [10.0, 90.0], [90.0, 10.0]]);
        assert_eq!(got, [[10.0, 10.0], [90.0, 10.0], [90.0, 90.0], [10.0, 90.0]]);
        assert_eq!(corners_from_points(&[[1.0, 1.0]]), [[0.0; 2]; 4]);
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
