//! The scanner's hint line: what the person holding the camera should do, from what the
//! decoder sees, in the spirit of Feather's and SeedSigner's scanning tips. No code in view;
//! a code too small to read (move closer); a code in view that does not read (hold still,
//! reduce glare); a picture too dark or washed out.
//!
//! Decided over the last few frames rather than one, so the line does not flicker: a
//! hint shows after [`PATIENCE`] frames without a read and clears at the next read.

use image::GrayImage;

/// Frames without a read before a hint shows (about half a second of decoding).
pub const PATIENCE: u32 = 8;
/// A decoded code covering less of the picture than this is small: it reads now, but the
/// denser parts of an animated transfer may not.
const SMALL_AREA: f32 = 0.04;
/// Below this many pixels per module a code rarely reads through a webcam.
const SMALL_MODULE: f32 = 2.5;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hint {
    NoCode,
    TooSmall,
    Unreadable,
    Dark,
    Glare,
}

impl Hint {
    pub fn text(self) -> &'static str {
        match self {
            Hint::NoCode => "No code in view: point the camera at the other screen's code",
            Hint::TooSmall => "The code is small in the picture: move the camera closer (or use Full screen on the other side)",
            Hint::Unreadable => "A code is in view but does not read: hold still, and tilt the screen away from lamps and windows",
            Hint::Dark => "The picture is dark: turn the other screen's brightness up or add light",
            Hint::Glare => "Glare on the screen: tilt it away from lamps and windows",
        }
    }
}

/// What one frame showed, beyond the decoded text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sight {
    /// The decoded code's share of the picture's area, when one was read.
    pub read_area: Option<f32>,
    /// When nothing was read: the module size in pixels of a code whose three finder
    /// patterns were seen anyway.
    pub finder_module: Option<f32>,
    /// Mean brightness (0-255) and the share of blown-out pixels.
    pub mean: f32,
    pub saturated: f32,
}

/// Looks at a frame the decoder has just tried (`read_corners`: the code it read, in frame
/// pixels). The finder search runs only when nothing was read, and only when asked
/// (`look_for_finders`), as it costs a binarization.
pub fn sight(frame: &GrayImage, read_corners: Option<&[[f32; 2]; 4]>, look_for_finders: bool) -> Sight {
    let (w, h) = frame.dimensions();
    let (mut sum, mut saturated, mut n) = (0u64, 0u64, 0u64);
    // Every 4th pixel of every 4th row is plenty for a mean.
    for y in (0..h).step_by(4) {
        for x in (0..w).step_by(4) {
            let v = frame.get_pixel(x, y)[0];
            sum += u64::from(v);
            saturated += u64::from(v >= 250);
            n += 1;
        }
    }
    let n = n.max(1) as f32;
    let area = (w.max(1) * h.max(1)) as f32;
    let read_area = read_corners.map(|c| polygon_area(c) / area);
    let finder_module = if read_area.is_none() && look_for_finders { super::qr::finder_module_size(frame) } else { None };
    Sight { read_area, finder_module, mean: sum as f32 / n, saturated: saturated as f32 / n }
}

fn polygon_area(c: &[[f32; 2]; 4]) -> f32 {
    let mut twice = 0.0;
    for i in 0..4 {
        let (a, b) = (c[i], c[(i + 1) % 4]);
        twice += a[0] * b[1] - b[0] * a[1];
    }
    twice.abs() / 2.0
}

/// The hint over a run of frames.
#[derive(Default)]
pub struct Hinter {
    since_read: u32,
    /// The latest finder sighting while nothing read, and the latest read's area.
    finder_module: Option<f32>,
    last_area: Option<f32>,
}

impl Hinter {
    /// Whether the next frame should also look for finder patterns (every 4th frame
    /// without a read, so the search costs little).
    pub fn wants_finders(&self) -> bool {
        self.since_read >= PATIENCE / 2 && self.since_read % 4 == 0
    }

    /// Takes one frame's sight; the hint to show now, if any.
    pub fn observe(&mut self, s: &Sight) -> Option<Hint> {
        if let Some(area) = s.read_area {
            self.since_read = 0;
            self.finder_module = None;
            self.last_area = Some(area);
            return (area < SMALL_AREA).then_some(Hint::TooSmall);
        }
        self.since_read = self.since_read.saturating_add(1);
        if s.finder_module.is_some() {
            self.finder_module = s.finder_module;
        }
        if self.since_read < PATIENCE {
            return self.last_area.filter(|a| *a < SMALL_AREA).map(|_| Hint::TooSmall);
        }
        self.last_area = None;
        Some(match self.finder_module {
            Some(m) if m < SMALL_MODULE => Hint::TooSmall,
            Some(_) => Hint::Unreadable,
            None if s.saturated > 0.08 => Hint::Glare,
            None if s.mean < 45.0 => Hint::Dark,
            None => Hint::NoCode,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::qr::{self, QrEngine};
    use image::Luma;

    /// A QR code of `text` with `module` pixels per module, at (x, y) on a grey 1280x720 frame.
    fn frame_with(text: &str, module: u32, at: (u32, u32), background: u8) -> GrayImage {
        let symbol = qr::symbol(text, qrcode::EcLevel::L).unwrap();
        let code = qr::render(&symbol, module);
        let mut frame = GrayImage::from_pixel(1280, 720, Luma([background]));
        image::imageops::overlay(&mut frame, &code, i64::from(at.0), i64::from(at.1));
        frame
    }

    fn run(frames: &[GrayImage]) -> Option<Hint> {
        let mut hinter = Hinter::default();
        let mut hint = None;
        for _ in 0..PATIENCE + 2 {
            for f in frames {
                let found = qr::locate(f, QrEngine::Rxing);
                // The finder search on every frame (the session runs it on every 4th).
                let s = sight(f, found.first().map(|c| &c.corners), true);
                hint = hinter.observe(&s);
            }
        }
        hint
    }

    const TEXT: &str = "ur:bytes/1-9/lpadascfadaxcywenbpljkhdcahkadaemejtswhhylkepmykhhtsytsnoyoyaxaedsuttydmmhhpktpmsrjtdkgslpgh";

    #[test]
    fn a_large_code_that_reads_gives_no_hint() {
        assert_eq!(run(&[frame_with(TEXT, 8, (300, 100), 128)]), None);
    }

    #[test]
    fn a_grey_picture_says_no_code_and_a_black_one_says_dark() {
        assert_eq!(run(&[GrayImage::from_pixel(1280, 720, Luma([128]))]), Some(Hint::NoCode));
        assert_eq!(run(&[GrayImage::from_pixel(1280, 720, Luma([20]))]), Some(Hint::Dark));
    }

    #[test]
    fn a_washed_out_picture_says_glare() {
        let mut f = GrayImage::from_pixel(1280, 720, Luma([140]));
        for y in 100..400 {
            for x in 200..900 {
                f.put_pixel(x, y, Luma([255]));
            }
        }
        assert_eq!(run(&[f]), Some(Hint::Glare));
    }

    #[test]
    fn a_small_code_says_move_closer_whether_it_reads_or_not() {
        // 3 px modules: it reads, but covers about 2% of the picture.
        let small = frame_with(TEXT, 3, (600, 300), 128);
        assert!(!qr::locate(&small, QrEngine::Rxing).is_empty(), "the small code reads");
        assert_eq!(run(&[small]), Some(Hint::TooSmall));
        // 2 px modules, blurred: it no longer reads, but its finder patterns show.
        let tiny = image::imageops::blur(&frame_with(TEXT, 2, (600, 300), 128), 0.8);
        assert!(qr::locate(&tiny, QrEngine::Rxing).is_empty(), "the tiny code must not read for this test");
        assert_eq!(run(&[tiny]), Some(Hint::TooSmall));
    }

    #[test]
    fn a_code_in_view_that_does_not_read_says_hold_still() {
        // A large code with its data region scribbled over: the finder patterns stand.
        let mut f = frame_with(TEXT, 8, (300, 100), 128);
        for y in 260..420 {
            for x in 460..620 {
                f.put_pixel(x, y, Luma([if (x / 3 + y / 5) % 2 == 0 { 0 } else { 255 }]));
            }
        }
        assert!(qr::locate(&f, QrEngine::Rxing).is_empty(), "the damaged code must not read for this test");
        assert_eq!(run(&[f]), Some(Hint::Unreadable));
    }

    #[test]
    fn the_hint_waits_a_few_frames_and_clears_at_the_next_read() {
        let mut hinter = Hinter::default();
        let grey = Sight { read_area: None, finder_module: None, mean: 128.0, saturated: 0.0 };
        for _ in 1..PATIENCE {
            assert_eq!(hinter.observe(&grey), None);
        }
        assert_eq!(hinter.observe(&grey), Some(Hint::NoCode));
        assert_eq!(hinter.observe(&Sight { read_area: Some(0.2), ..grey }), None);
    }
}
