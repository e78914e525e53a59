//! The webcam as a [`FrameSource`]. Which device and mode to use, and how each pixel
//! encoding becomes the grayscale frame the QR decoder reads, are plain functions here so
//! they are tested without a camera; the capture itself (nokhwa) is behind feature `camera`.
//!
//! Frames are decoded by us, not by nokhwa: its decoders go through RGB (a YUYV frame's
//! luma is already its every other byte) and its MJPEG path builds a C library (mozjpeg);
//! zune-jpeg, the pure-Rust decoder `image` already uses, decodes just the luma.

use image::GrayImage;

/// How a camera mode encodes its pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Mjpeg,
    Yuyv,
    Nv12,
    Gray,
    Rgb,
    Bgr,
}

/// One capture mode a device offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mode {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    pub encoding: Encoding,
}

/// The resolutions the scanner offers. The default is 1080p, taken where the camera offers
/// it (a 720p laptop webcam gets its 720p, the nearest): under the `webcam` condition the
/// same camera at 1080p reads 800-byte fragments (10.3 KB/s for key images, where 720p
/// reads 400-byte ones at 5.7 KB/s), and a frame still costs about 16 ms of the 33 ms
/// (docs/app.md). 480p does not read the player's codes at arm's length.
pub const RESOLUTIONS: [(u32, u32); 3] = [(640, 480), (1280, 720), (1920, 1080)];
pub const DEFAULT_RESOLUTION: (u32, u32) = (1920, 1080);

/// What a video node is, from its name and modes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeviceKind {
    /// A colour camera: offered in the picker.
    Camera,
    /// An infrared face-login camera (only greyscale modes, or named so): skipped, as it
    /// cannot see a screen.
    Infrared,
    /// No capture modes (a UVC metadata node, or a device we cannot read): skipped.
    NoVideo,
}

pub fn classify(name: &str, modes: &[Mode]) -> DeviceKind {
    if modes.is_empty() {
        return DeviceKind::NoVideo;
    }
    let lower = name.to_ascii_lowercase();
    let named_ir = lower.contains("infrared") || lower.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| w == "ir");
    if named_ir || modes.iter().all(|m| m.encoding == Encoding::Gray) {
        DeviceKind::Infrared
    } else {
        DeviceKind::Camera
    }
}

/// The mode to capture in: the resolution nearest `wanted`, at the highest frame rate up
/// to 30 it offers (more only costs decoding time), and among equals the encoding that is
/// cheapest to turn into luma. Modes under 5 fps are used only when nothing else exists.
pub fn choose_mode(modes: &[Mode], wanted: (u32, u32)) -> Option<Mode> {
    let usable: Vec<&Mode> = {
        let fluid: Vec<&Mode> = modes.iter().filter(|m| m.fps >= 5 && m.width > 0 && m.height > 0).collect();
        if fluid.is_empty() { modes.iter().filter(|m| m.width > 0 && m.height > 0).collect() } else { fluid }
    };
    let distance = |m: &Mode| m.width.abs_diff(wanted.0) + m.height.abs_diff(wanted.1);
    let nearest = usable.iter().map(|m| distance(m)).min()?;
    let at_size = usable.into_iter().filter(|m| distance(m) == nearest);
    let cost = |e: Encoding| match e {
        Encoding::Gray => 0,
        Encoding::Yuyv => 1,
        Encoding::Nv12 => 2,
        Encoding::Rgb | Encoding::Bgr => 3,
        Encoding::Mjpeg => 4,
    };
    // Highest useful frame rate first, then the cheapest encoding, then the larger frame.
    at_size.max_by_key(|m| (m.fps.min(30), std::cmp::Reverse(cost(m.encoding)), m.width * m.height)).copied()
}

/// Turns one captured buffer into the grayscale frame the decoder reads. Every size is
/// checked: a short buffer (a frame cut off by the driver) is an error, not a panic.
pub fn to_luma(encoding: Encoding, width: u32, height: u32, data: &[u8]) -> Result<GrayImage, String> {
    let pixels = width as usize * height as usize;
    let need = |n: usize| {
        if data.len() < n {
            Err(format!("a {encoding:?} frame of {width}x{height} needs {n} bytes, the camera gave {}", data.len()))
        } else {
            Ok(())
        }
    };
    let image = |bytes: Vec<u8>| GrayImage::from_raw(width, height, bytes).ok_or_else(|| "frame size mismatch".to_owned());
    match encoding {
        Encoding::Gray | Encoding::Nv12 => {
            // NV12 starts with the full-resolution Y plane.
            need(if encoding == Encoding::Nv12 { pixels * 3 / 2 } else { pixels })?;
            image(data[..pixels].to_vec())
        }
        Encoding::Yuyv => {
            need(pixels * 2)?;
            image(data[..pixels * 2].iter().step_by(2).copied().collect())
        }
        Encoding::Rgb | Encoding::Bgr => {
            need(pixels * 3)?;
            let (r, b) = if encoding == Encoding::Rgb { (0, 2) } else { (2, 0) };
            // ITU-R BT.601 luma, in integers.
            image(data[..pixels * 3].chunks_exact(3).map(|p| ((77 * p[r] as u32 + 150 * p[1] as u32 + 29 * p[b] as u32) >> 8) as u8).collect())
        }
        Encoding::Mjpeg => decode_mjpeg(data),
    }
}

/// Decodes one MJPEG frame. Many webcams leave out the Huffman tables and rely on the
/// standard ones (the AVI1 convention); a frame without tables and without the AVI1 marker
/// is retried with the marker added, so the decoder fills in the standard tables.
fn decode_mjpeg(data: &[u8]) -> Result<GrayImage, String> {
    let decode = |bytes: &[u8]| -> Result<GrayImage, String> {
        // Only the Y (luma) channel: no colour conversion, which was most of the decode
        // time through `image` (6.6 ms -> see benches/webcam_frames.rs).
        let options = zune_jpeg::zune_core::options::DecoderOptions::default()
            .jpeg_set_out_colorspace(zune_jpeg::zune_core::colorspace::ColorSpace::Luma);
        let mut decoder = zune_jpeg::JpegDecoder::new_with_options(std::io::Cursor::new(bytes), options);
        let pixels = decoder.decode().map_err(|e| e.to_string())?;
        let (w, h) = decoder.dimensions().ok_or("no frame size in the JPEG header")?;
        GrayImage::from_raw(w as u32, h as u32, pixels).ok_or_else(|| "the JPEG decoded to the wrong size".to_owned())
    };
    match decode(data) {
        Ok(img) => Ok(img),
        Err(first) => {
            if data.len() < 2 || data[..2] != [0xFF, 0xD8] || has_huffman_tables(data) {
                return Err(format!("cannot decode the camera's JPEG frame: {first}"));
            }
            let mut patched = Vec::with_capacity(data.len() + 9);
            patched.extend_from_slice(&data[..2]);
            patched.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x07, b'A', b'V', b'I', b'1', 0]);
            patched.extend_from_slice(&data[2..]);
            decode(&patched).map_err(|e| format!("cannot decode the camera's JPEG frame: {e}"))
        }
    }
}

/// Whether a JPEG defines Huffman tables (a DHT marker) before its scan starts.
fn has_huffman_tables(jpeg: &[u8]) -> bool {
    let mut i = 2;
    while i + 4 <= jpeg.len() && jpeg[i] == 0xFF {
        let marker = jpeg[i + 1];
        if marker == 0xC4 {
            return true;
        }
        if marker == 0xDA {
            return false;
        }
        let len = u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]) as usize;
        i += 2 + len;
    }
    false
}

/// A video device as the picker lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CameraChoice {
    pub index: u32,
    pub name: String,
    pub kind: DeviceKind,
}

/// The device to use when the user has not picked one: the first colour camera. The error
/// says what was skipped, so "no camera" on a laptop with only an IR node is explained.
pub fn default_camera(choices: &[CameraChoice]) -> Result<u32, String> {
    if let Some(c) = choices.iter().find(|c| c.kind == DeviceKind::Camera) {
        return Ok(c.index);
    }
    let skipped = |kind: DeviceKind| choices.iter().filter(|c| c.kind == kind).count();
    Err(match (skipped(DeviceKind::Infrared), skipped(DeviceKind::NoVideo)) {
        (0, 0) => "no camera found: plug one in, or paste the UR text / load the file instead".to_owned(),
        (ir, meta) => format!(
            "no colour camera found ({ir} infrared and {meta} metadata-only video nodes skipped): plug one in, or paste the UR text / load the file instead"
        ),
    })
}

#[cfg(feature = "camera")]
pub use device::{cameras, Webcam};

#[cfg(feature = "camera")]
mod device {
    use super::{choose_mode, classify, to_luma, CameraChoice, Encoding, Mode};
    use crate::transport::frames::{Frame, FrameError, FrameSource};
    use nokhwa::utils::{CameraFormat, CameraIndex, FrameFormat, RequestedFormat, RequestedFormatType, Resolution};
    use nokhwa::Camera;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::mpsc::{self, Receiver, TrySendError};
    use std::sync::Arc;
    use std::thread::JoinHandle;

    const ALL: &[FrameFormat] =
        &[FrameFormat::MJPEG, FrameFormat::YUYV, FrameFormat::NV12, FrameFormat::GRAY, FrameFormat::RAWRGB, FrameFormat::RAWBGR];

    fn encoding(f: FrameFormat) -> Encoding {
        match f {
            FrameFormat::MJPEG => Encoding::Mjpeg,
            FrameFormat::YUYV => Encoding::Yuyv,
            FrameFormat::NV12 => Encoding::Nv12,
            FrameFormat::GRAY => Encoding::Gray,
            FrameFormat::RAWRGB => Encoding::Rgb,
            FrameFormat::RAWBGR => Encoding::Bgr,
        }
    }

    fn frame_format(e: Encoding) -> FrameFormat {
        match e {
            Encoding::Mjpeg => FrameFormat::MJPEG,
            Encoding::Yuyv => FrameFormat::YUYV,
            Encoding::Nv12 => FrameFormat::NV12,
            Encoding::Gray => FrameFormat::GRAY,
            Encoding::Rgb => FrameFormat::RAWRGB,
            Encoding::Bgr => FrameFormat::RAWBGR,
        }
    }

    fn any_format() -> RequestedFormat<'static> {
        RequestedFormat::with_formats(RequestedFormatType::None, ALL)
    }

    fn modes_of(camera: &mut Camera) -> Vec<Mode> {
        camera
            .compatible_camera_formats()
            .unwrap_or_default()
            .into_iter()
            .map(|f| Mode { width: f.width(), height: f.height(), fps: f.frame_rate(), encoding: encoding(f.format()) })
            .collect()
    }

    /// Every video device, classified: the picker shows the cameras and says how many
    /// infrared or metadata nodes it skipped. Opening each device briefly is how its modes
    /// are known (a metadata node has none, an IR camera only greyscale ones).
    pub fn cameras() -> Result<Vec<CameraChoice>, String> {
        let found = nokhwa::query(nokhwa::utils::ApiBackend::Auto).map_err(|e| format!("cannot list cameras: {e}"))?;
        Ok(found
            .into_iter()
            .filter_map(|info| {
                let index = info.index().as_index().ok()?;
                let name = info.human_name();
                let modes = Camera::new(CameraIndex::Index(index), any_format()).map(|mut c| modes_of(&mut c)).unwrap_or_default();
                Some(CameraChoice { index, kind: classify(&name, &modes), name })
            })
            .collect())
    }

    /// Undecodable frames in a row (two seconds at 30 fps) after which the camera is
    /// reported broken rather than the scan left waiting.
    const MAX_UNDECODABLE_IN_A_ROW: u32 = 60;

    /// An open webcam, streaming. nokhwa's camera must stay on the thread that opened it,
    /// so a thread of its own opens it, captures and hands frames over through a one-slot
    /// channel (a frame that finds the slot full is dropped: the scanner wants fresh ones).
    pub struct Webcam {
        frames: Receiver<Result<Frame, String>>,
        mode: Mode,
        stop: Arc<AtomicBool>,
        thread: Option<JoinHandle<()>>,
    }

    fn open_camera(index: u32, wanted: (u32, u32)) -> Result<(Camera, Mode), String> {
        let mut camera = Camera::new(CameraIndex::Index(index), any_format()).map_err(|e| format!("cannot open camera {index}: {e}"))?;
        let modes = modes_of(&mut camera);
        let mode = choose_mode(&modes, wanted).ok_or_else(|| format!("camera {index} offers no video mode we can read"))?;
        let format = CameraFormat::new(Resolution::new(mode.width, mode.height), frame_format(mode.encoding), mode.fps);
        camera
            .set_camera_requset(RequestedFormat::with_formats(RequestedFormatType::Exact(format), ALL))
            .map_err(|e| format!("camera {index} refused {}x{} {:?} at {} fps: {e}", mode.width, mode.height, mode.encoding, mode.fps))?;
        camera.open_stream().map_err(|e| format!("cannot start camera {index}: {e}"))?;
        Ok((camera, mode))
    }

    impl Webcam {
        /// Opens device `index` in the mode nearest `wanted` (see [`choose_mode`]); returns
        /// once the stream runs, or with the reason it does not.
        pub fn open(index: u32, wanted: (u32, u32)) -> Result<Webcam, String> {
            let (opened_tx, opened_rx) = mpsc::channel();
            let (frames_tx, frames) = mpsc::sync_channel(1);
            let stop = Arc::new(AtomicBool::new(false));
            let flag = stop.clone();
            let thread = std::thread::Builder::new()
                .name("airsign-webcam".into())
                .spawn(move || {
                    let (mut camera, mode) = match open_camera(index, wanted) {
                        Ok(opened) => opened,
                        Err(e) => return drop(opened_tx.send(Err(e))),
                    };
                    let _ = opened_tx.send(Ok(mode));
                    let mut shown = 0;
                    let mut undecodable = 0;
                    while !flag.load(Ordering::Relaxed) {
                        // The camera failing (unplugged, stopped) ends the stream; a frame
                        // that does not decode (a USB transfer error cuts MJPEG frames) is
                        // skipped, unless nothing decodes any more.
                        let frame = match camera.frame() {
                            Err(e) => Err(format!("camera {index} stopped: {e}")),
                            Ok(buffer) => {
                                shown += 1;
                                let res = buffer.resolution();
                                match to_luma(encoding(buffer.source_frame_format()), res.width(), res.height(), buffer.buffer()) {
                                    Ok(image) => {
                                        undecodable = 0;
                                        Ok(Frame { image, shown })
                                    }
                                    Err(_) if undecodable < MAX_UNDECODABLE_IN_A_ROW => {
                                        undecodable += 1;
                                        continue;
                                    }
                                    Err(e) => Err(format!("camera {index} sends frames that do not decode: {e}")),
                                }
                            }
                        };
                        let failed = frame.is_err();
                        match frames_tx.try_send(frame) {
                            Ok(()) | Err(TrySendError::Full(_)) => {}
                            Err(TrySendError::Disconnected(_)) => break,
                        }
                        if failed {
                            break;
                        }
                    }
                    let _ = camera.stop_stream();
                })
                .map_err(|e| format!("cannot start the camera thread: {e}"))?;
            let mode = opened_rx.recv().map_err(|_| "the camera thread stopped".to_owned())??;
            Ok(Webcam { frames, mode, stop, thread: Some(thread) })
        }

        pub fn mode(&self) -> Mode {
            self.mode
        }
    }

    impl FrameSource for Webcam {
        fn next_frame(&mut self) -> Result<Option<Frame>, FrameError> {
            match self.frames.recv() {
                Ok(frame) => frame.map(Some).map_err(FrameError::Camera),
                Err(_) => Err(FrameError::Camera("the camera stopped".into())),
            }
        }

        fn is_live(&self) -> bool {
            true
        }
    }

    impl Drop for Webcam {
        fn drop(&mut self) {
            self.stop.store(true, Ordering::Relaxed);
            // Unblocks a capture waiting to hand over a frame.
            while self.frames.try_recv().is_ok() {}
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(width: u32, height: u32, fps: u32, encoding: Encoding) -> Mode {
        Mode { width, height, fps, encoding }
    }

    /// The modes of a typical USB2 laptop webcam: YUYV is raw and bandwidth-bound (720p at
    /// 10 fps), MJPEG reaches 30 fps at every size.
    fn laptop_webcam() -> Vec<Mode> {
        vec![
            m(640, 480, 30, Encoding::Yuyv),
            m(1280, 720, 10, Encoding::Yuyv),
            m(640, 480, 30, Encoding::Mjpeg),
            m(1280, 720, 30, Encoding::Mjpeg),
            m(1920, 1080, 30, Encoding::Mjpeg),
        ]
    }

    #[test]
    fn picks_30_fps_mjpeg_over_10_fps_raw_at_720p() {
        assert_eq!(choose_mode(&laptop_webcam(), (1280, 720)), Some(m(1280, 720, 30, Encoding::Mjpeg)));
    }

    #[test]
    fn the_default_takes_1080p_where_offered_and_720p_on_a_720p_camera() {
        assert_eq!(choose_mode(&laptop_webcam(), DEFAULT_RESOLUTION), Some(m(1920, 1080, 30, Encoding::Mjpeg)));
        let hd_only: Vec<Mode> = laptop_webcam().into_iter().filter(|m| m.height <= 720).collect();
        assert_eq!(choose_mode(&hd_only, DEFAULT_RESOLUTION), Some(m(1280, 720, 30, Encoding::Mjpeg)));
    }

    #[test]
    fn picks_raw_where_it_is_as_fluid() {
        assert_eq!(choose_mode(&laptop_webcam(), (640, 480)), Some(m(640, 480, 30, Encoding::Yuyv)));
    }

    #[test]
    fn falls_back_to_the_nearest_size() {
        let vga_only = vec![m(320, 240, 30, Encoding::Yuyv), m(640, 480, 30, Encoding::Yuyv)];
        assert_eq!(choose_mode(&vga_only, DEFAULT_RESOLUTION), Some(m(640, 480, 30, Encoding::Yuyv)));
        // 60 fps costs decoding time and reads nothing more: capped at 30, then cheapest.
        let fast = vec![m(1280, 720, 60, Encoding::Mjpeg), m(1280, 720, 30, Encoding::Nv12)];
        assert_eq!(choose_mode(&fast, (1280, 720)), Some(m(1280, 720, 30, Encoding::Nv12)));
        // A slide-show mode is used only when nothing else is there.
        let slow = vec![m(1280, 720, 2, Encoding::Yuyv), m(640, 480, 15, Encoding::Yuyv)];
        assert_eq!(choose_mode(&slow, (1280, 720)), Some(m(640, 480, 15, Encoding::Yuyv)));
        assert_eq!(choose_mode(&[m(1280, 720, 2, Encoding::Yuyv)], DEFAULT_RESOLUTION), Some(m(1280, 720, 2, Encoding::Yuyv)));
        assert_eq!(choose_mode(&[], DEFAULT_RESOLUTION), None);
    }

    #[test]
    fn skips_infrared_and_metadata_nodes() {
        assert_eq!(classify("Integrated Camera: Integrated C", &laptop_webcam()), DeviceKind::Camera);
        assert_eq!(classify("Integrated Camera: Integrated I", &[m(640, 360, 15, Encoding::Gray)]), DeviceKind::Infrared);
        assert_eq!(classify("Chicony IR Camera", &laptop_webcam()), DeviceKind::Infrared);
        assert_eq!(classify("HD Webcam", &[]), DeviceKind::NoVideo);
        // "ir" inside a word is not an IR camera.
        assert_eq!(classify("Mirror Cam", &laptop_webcam()), DeviceKind::Camera);
    }

    #[test]
    fn the_default_is_the_first_colour_camera() {
        let c = |index, kind| CameraChoice { index, name: format!("video{index}"), kind };
        let laptop = [c(0, DeviceKind::Camera), c(1, DeviceKind::NoVideo), c(2, DeviceKind::Infrared), c(3, DeviceKind::NoVideo), c(4, DeviceKind::Camera)];
        assert_eq!(default_camera(&laptop), Ok(0));
        assert_eq!(default_camera(&laptop[1..]), Ok(4));
        let err = default_camera(&laptop[1..4]).unwrap_err();
        assert!(err.contains("1 infrared and 2 metadata-only"), "{err}");
        assert!(default_camera(&[]).unwrap_err().starts_with("no camera found"));
    }

    #[test]
    fn yuyv_nv12_gray_and_rgb_give_their_luma() {
        // 2x1 pixels: Y0 U Y1 V.
        assert_eq!(to_luma(Encoding::Yuyv, 2, 1, &[10, 128, 200, 128]).unwrap().into_raw(), vec![10, 200]);
        // NV12: a 2x2 Y plane, then one interleaved UV pair.
        assert_eq!(to_luma(Encoding::Nv12, 2, 2, &[1, 2, 3, 4, 128, 128]).unwrap().into_raw(), vec![1, 2, 3, 4]);
        assert_eq!(to_luma(Encoding::Gray, 2, 1, &[7, 9]).unwrap().into_raw(), vec![7, 9]);
        assert_eq!(to_luma(Encoding::Rgb, 2, 1, &[255, 255, 255, 0, 0, 0]).unwrap().into_raw(), vec![255, 0]);
        // Pure red and pure blue differ in luma, and BGR swaps them.
        let rgb = to_luma(Encoding::Rgb, 2, 1, &[255, 0, 0, 0, 0, 255]).unwrap().into_raw();
        let bgr = to_luma(Encoding::Bgr, 2, 1, &[0, 0, 255, 255, 0, 0]).unwrap().into_raw();
        assert_eq!(rgb, bgr);
        assert_eq!(rgb, vec![76, 28]);
    }

    #[test]
    fn short_frames_are_errors() {
        for e in [Encoding::Yuyv, Encoding::Nv12, Encoding::Gray, Encoding::Rgb, Encoding::Bgr, Encoding::Mjpeg] {
            let err = to_luma(e, 640, 480, &[0; 100]).unwrap_err();
            assert!(!err.is_empty(), "{e:?}");
        }
        assert!(to_luma(Encoding::Mjpeg, 4, 4, &[]).is_err());
    }

    /// Removes every DHT segment, as webcams that rely on the standard tables send them.
    fn without_huffman_tables(jpeg: &[u8]) -> Vec<u8> {
        let mut out = jpeg[..2].to_vec();
        let mut i = 2;
        loop {
            let (marker, len) = (jpeg[i + 1], u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]) as usize);
            if marker == 0xDA {
                out.extend_from_slice(&jpeg[i..]);
                return out;
            }
            if marker != 0xC4 {
                out.extend_from_slice(&jpeg[i..i + 2 + len]);
            }
            i += 2 + len;
        }
    }

    #[test]
    fn mjpeg_frames_decode_with_and_without_their_huffman_tables() {
        let scene = GrayImage::from_fn(64, 48, |x, y| image::Luma([if (x / 8 + y / 8) % 2 == 0 { 20 } else { 230 }]));
        // A colour JPEG (YCbCr, as webcams send) of a grey picture.
        let full = crate::transport::virtual_camera::mjpeg(&scene, 95);
        assert!(has_huffman_tables(&full));
        let bare = without_huffman_tables(&full);
        assert!(!has_huffman_tables(&bare));
        assert!(image::load_from_memory_with_format(&bare, image::ImageFormat::Jpeg).is_err(), "the fixture must need the standard tables");
        for bytes in [&full, &bare] {
            let got = to_luma(Encoding::Mjpeg, 64, 48, bytes).unwrap();
            assert_eq!(got.dimensions(), (64, 48));
            // Lossy, but every square keeps its side of mid-grey.
            for (x, y, p) in got.enumerate_pixels() {
                let dark = (x / 8 + y / 8) % 2 == 0;
                assert_eq!(p[0] < 128, dark, "({x},{y})");
            }
        }
        let mut cut = full.clone();
        cut.truncate(full.len() / 3);
        assert!(to_luma(Encoding::Mjpeg, 64, 48, &cut).is_err());
    }
}
