//! The webcam path through a real V4L2 client: nokhwa and `transport::webcam`, against the
//! userspace test camera of tests/v4l2_camera/shim.c (a laptop's UVC colour camera, its
//! infrared camera and their two metadata nodes), loaded with LD_PRELOAD.
//!
//! Each test here runs one `inside_*` test in a child process of this same test binary with
//! the shim preloaded, the frames it serves written beforehand (the virtual camera's frames
//! under the `webcam` condition, JPEG-encoded as the camera's MJPEG stream) and its log
//! read back. The `inside_*` tests are ignored in a plain run: they need the shim.
#![cfg(all(feature = "camera", target_os = "linux"))]

use airsign::transport::virtual_camera::mjpeg;
use airsign::transport::webcam::{cameras, default_camera, DeviceKind, Encoding, Webcam, DEFAULT_RESOLUTION};
use airsign::transport::{qr, Degradation, FrameSource, QrEngine, Scene, UrDecoder, UrEncoder, VirtualCamera};
use image::GrayImage;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

#[cfg(feature = "gui")]
mod app_harness;

/// Builds the shim once per run (cc, as the Rust toolchain's linker needs anyway).
fn shim() -> &'static Path {
    static SHIM: OnceLock<PathBuf> = OnceLock::new();
    SHIM.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let out = dir.join("libv4l2shim.so");
        let building = dir.join(format!("libv4l2shim.{}.so", std::process::id()));
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/v4l2_camera/shim.c");
        let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
        let status = Command::new(&cc)
            .args(["-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC", "-o"])
            .arg(&building)
            .arg(&src)
            .args(["-ldl", "-lpthread"])
            .status()
            .unwrap_or_else(|e| panic!("the test camera is built with a C compiler ({cc}): {e}"));
        assert!(status.success(), "building {} failed", src.display());
        std::fs::rename(&building, &out).unwrap();
        out
    })
}

/// A folder of frames for the shim, one file per mode.
struct Frames {
    dir: PathBuf,
}

impl Frames {
    fn new(name: &str) -> Self {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("v4l2-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Frames { dir }
    }

    fn write(&self, fourcc: &str, (w, h): (u32, u32), frames: &[Vec<u8>]) {
        let mut file = Vec::new();
        for f in frames {
            file.extend_from_slice(&(f.len() as u32).to_le_bytes());
            file.extend_from_slice(f);
        }
        std::fs::write(self.dir.join(format!("{fourcc}-{w}x{h}.frames")), file).unwrap();
    }

    /// The MJPEG stream a webcam at `size` sends of the player showing `parts`.
    fn write_webcam_mjpeg(&self, size: (u32, u32), parts: &[String], seed: u64) {
        let frames: Vec<Vec<u8>> = filmed(parts, size, code_px_at(size), seed).iter().map(|f| mjpeg(f, 80)).collect();
        self.write("MJPG", size, &frames);
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("shim.log")).unwrap_or_default()
    }
}

impl Drop for Frames {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `inside` in a child with the camera attached; its output on failure. A child that
/// has not finished in `limit` is killed and the test fails: a hang is a failure here.
fn run_inside(inside: &str, frames: &Frames, env: &[(&str, &str)], limit: Duration) -> String {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", inside, "--ignored", "--nocapture", "--test-threads=1"])
        .env("LD_PRELOAD", shim())
        .env("V4L2SHIM_DIR", &frames.dir)
        .env("V4L2SHIM_LOG", frames.dir.join("shim.log"))
        .env("AIRSIGN_FRAMES_DIR", &frames.dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            assert!(status.success(), "{inside} failed:\n{text}\nshim log:\n{}", frames.log());
            assert!(text.contains("1 passed"), "{inside} did not run:\n{text}");
            return text;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!("{inside} hung for {limit:?}:\n{}{}\nshim log:\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr), frames.log());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn inside_camera() -> PathBuf {
    PathBuf::from(std::env::var("AIRSIGN_FRAMES_DIR").expect("run through the outer test: it preloads the test camera"))
}

/// The message a transfer carries, and its parts as the player shows them.
fn transfer(bytes: usize, seed: u8) -> (Vec<u8>, Vec<String>) {
    let payload: Vec<u8> = (0..bytes).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect();
    let message = airsign::envelope::wrap_bytes(&payload);
    let mut encoder = UrEncoder::new("bytes", &message, airsign::transport::player::DEFAULT_FRAGMENT).unwrap();
    let n = encoder.seq_len();
    (message, encoder.parts(3 * n + 2))
}

/// What the camera films at `size`: the player's parts at its frame rate, under the
/// `webcam` condition, before compression, the code `code_px` wide; as many camera frames
/// as the parts last.
fn filmed(parts: &[String], (w, h): (u32, u32), code_px: f32, seed: u64) -> Vec<GrayImage> {
    let d = Degradation { jpeg_quality: 0, ..Degradation::named("webcam").unwrap() }.with_display(airsign::transport::player::DEFAULT_FPS);
    let scene = Scene { width: w, height: h, code_px, ..Scene::default() };
    let mut cam = VirtualCamera::new(parts.iter().cloned(), scene, d, seed);
    let mut out = Vec::new();
    while let Some(f) = cam.next_frame().unwrap() {
        out.push(f.image);
    }
    out
}

/// The player's code on a laptop screen, filmed by a webcam's 720p picture from 40 cm
/// (docs/camera-conditions.md).
const WEBCAM_CODE_PX: f32 = 250.0;

fn yuyv(frame: &GrayImage) -> Vec<u8> {
    frame.as_raw().iter().flat_map(|&y| [y, 128]).collect()
}

/// Reads from the webcam until the message is complete, or `max` frames.
fn receive(cam: &mut Webcam, max: usize) -> (Option<Vec<u8>>, usize, usize) {
    let mut decoder = UrDecoder::new(Some("bytes"));
    let (mut frames, mut read) = (0, 0);
    while frames < max && !decoder.is_complete() {
        let frame = cam.next_frame().expect("a frame").expect("a live camera does not end");
        frames += 1;
        for text in qr::decode(&frame.image, QrEngine::Rxing) {
            read += 1;
            let _ = decoder.receive(&text);
        }
    }
    (decoder.message().map(<[u8]>::to_vec), frames, read)
}

#[test]
fn the_picker_lists_the_colour_camera_and_leaves_out_the_infrared_and_metadata_nodes() {
    let frames = Frames::new("picker");
    run_inside("inside_picker", &frames, &[], Duration::from_secs(60));
}

#[test]
#[ignore = "needs the test camera: run by the_picker_lists_the_colour_camera_..."]
fn inside_picker() {
    inside_camera();
    let found = cameras().unwrap();
    let summary: Vec<(u32, &str, DeviceKind)> = found.iter().map(|c| (c.index, c.name.as_str(), c.kind.clone())).collect();
    // nokhwa 0.10.11 knows the greyscale FourCC as "GRAY" where V4L2 says "GREY", so it
    // lists no mode for the infrared node: airsign skips it as a node without video.
    assert_eq!(
        summary,
        vec![
            (0, "Integrated Camera: Integrated C", DeviceKind::Camera),
            (1, "Integrated Camera: Integrated C", DeviceKind::NoVideo),
            (2, "Integrated Camera: Integrated I", DeviceKind::NoVideo),
            (3, "Integrated Camera: Integrated I", DeviceKind::NoVideo),
        ]
    );
    assert_eq!(default_camera(&found), Ok(0));
}

/// The same webcam at 720p and at 1080p sees the code at the same share of its picture.
fn code_px_at((_, h): (u32, u32)) -> f32 {
    WEBCAM_CODE_PX * h as f32 / 720.0
}

#[test]
fn a_whole_transfer_through_nokhwa_in_1080p_mjpeg_at_30_fps() {
    let frames = Frames::new("transfer");
    let (_, parts) = transfer(3000, 1);
    frames.write_webcam_mjpeg(DEFAULT_RESOLUTION, &parts, 1);
    let out = run_inside("inside_transfer", &frames, &[("AIRSIGN_TEST_RESOLUTION", "default")], Duration::from_secs(120));
    let log = frames.log();
    assert!(log.contains("STREAMON video0 MJPG 1920x1080 30 fps"), "the camera streams 1080p MJPEG at 30 fps:\n{log}");
    println!("{}", out.lines().find(|l| l.starts_with("received")).unwrap_or("no summary"));
}

#[test]
fn a_whole_transfer_in_720p_when_asked() {
    let frames = Frames::new("transfer720");
    let (_, parts) = transfer(3000, 1);
    frames.write_webcam_mjpeg((1280, 720), &parts, 1);
    run_inside("inside_transfer", &frames, &[("AIRSIGN_TEST_RESOLUTION", "720")], Duration::from_secs(120));
    assert!(frames.log().contains("STREAMON video0 MJPG 1280x720 30 fps"), "{}", frames.log());
}

#[test]
#[ignore = "needs the test camera: run by a_whole_transfer_..."]
fn inside_transfer() {
    inside_camera();
    let (message, _) = transfer(3000, 1);
    let wanted = if std::env::var("AIRSIGN_TEST_RESOLUTION").as_deref() == Ok("720") { (1280, 720) } else { DEFAULT_RESOLUTION };
    let mut cam = Webcam::open(0, wanted).unwrap();
    let mode = cam.mode();
    assert_eq!((mode.width, mode.height, mode.fps, mode.encoding), (wanted.0, wanted.1, 30, Encoding::Mjpeg));
    let start = Instant::now();
    let (got, frames, read) = receive(&mut cam, 900);
    let seconds = start.elapsed().as_secs_f64();
    assert!(got.as_deref() == Some(&message[..]), "after {frames} frames, {read} codes read: {}", if got.is_some() { "wrong message" } else { "incomplete" });
    println!("received {} bytes in {frames} camera frames ({read} codes read), {seconds:.1} s", message.len());
}

#[test]
fn yuyv_at_480p_is_read_too() {
    let frames = Frames::new("yuyv");
    let (_, parts) = transfer(1500, 2);
    // At 480p the code must be held closer: at the 720p distance its modules are 1.8 px.
    let raw: Vec<Vec<u8>> = filmed(&parts, (640, 480), 330.0, 2).iter().map(yuyv).collect();
    frames.write("YUYV", (640, 480), &raw);
    run_inside("inside_yuyv", &frames, &[], Duration::from_secs(120));
    assert!(frames.log().contains("STREAMON video0 YUYV 640x480 30 fps"), "{}", frames.log());
}

#[test]
#[ignore = "needs the test camera: run by yuyv_at_480p_is_read_too"]
fn inside_yuyv() {
    inside_camera();
    let (message, _) = transfer(1500, 2);
    let mut cam = Webcam::open(0, (640, 480)).unwrap();
    assert_eq!(cam.mode().encoding, Encoding::Yuyv);
    let (got, frames, read) = receive(&mut cam, 900);
    assert!(got.as_deref() == Some(&message[..]), "after {frames} frames, {read} codes read: {}", if got.is_some() { "wrong message" } else { "incomplete" });
}

#[test]
fn a_camera_unplugged_mid_stream_is_reported_without_a_hang() {
    let frames = Frames::new("unplug");
    let (_, parts) = transfer(3000, 3);
    frames.write_webcam_mjpeg(DEFAULT_RESOLUTION, &parts, 3);
    run_inside("inside_unplug", &frames, &[("V4L2SHIM_UNPLUG_AFTER", "12")], Duration::from_secs(60));
    assert!(frames.log().contains("UNPLUG after 12 frames"), "{}", frames.log());
}

#[test]
#[ignore = "needs the test camera: run by a_camera_unplugged_mid_stream_..."]
fn inside_unplug() {
    inside_camera();
    let mut cam = Webcam::open(0, DEFAULT_RESOLUTION).unwrap();
    let mut delivered = 0;
    let err = loop {
        match cam.next_frame() {
            Ok(Some(_)) => delivered += 1,
            Ok(None) => panic!("a live camera does not end"),
            Err(e) => break e.to_string(),
        }
    };
    assert!(delivered <= 12, "{delivered}");
    assert!(err.contains("No such device"), "{err}");
    // Asking again gives the same answer, at once.
    assert!(cam.next_frame().is_err());
    drop(cam);
    // And the camera is gone from the list.
    assert!(cameras().unwrap().is_empty());
}

#[test]
fn corrupt_mjpeg_frames_are_skipped_and_the_transfer_completes() {
    let frames = Frames::new("corrupt");
    let (_, parts) = transfer(3000, 1);
    frames.write_webcam_mjpeg(DEFAULT_RESOLUTION, &parts, 1);
    run_inside("inside_transfer", &frames, &[("V4L2SHIM_CORRUPT_EVERY", "5")], Duration::from_secs(120));
}

#[cfg(feature = "gui")]
#[test]
fn the_offline_apps_scanner_completes_a_scan_through_the_camera() {
    let frames = Frames::new("app");
    let outputs = app_outputs();
    let parts = app_harness::parts_of("xmr-output", &airsign::envelope::wrap_bytes(&outputs));
    frames.write_webcam_mjpeg(DEFAULT_RESOLUTION, &parts, 4);
    run_inside("inside_app_scan", &frames, &[], Duration::from_secs(240));
    assert!(frames.log().contains("STREAMON video0 MJPG 1920x1080 30 fps"), "{}", frames.log());
}

#[cfg(feature = "gui")]
fn app_outputs() -> Vec<u8> {
    let f: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/monero/txsets.json")).unwrap()).unwrap();
    hex::decode(f["outputs"].as_str().unwrap()).unwrap()
}

#[cfg(feature = "gui")]
#[test]
#[ignore = "needs the test camera: run by the_offline_apps_scanner_completes_..."]
fn inside_app_scan() {
    use airsign::app::offline::OfflineApp;
    use app_harness::{restore_monero, step_until_within, SoftRenderer};
    use egui_kittest::kittest::Queryable;
    use egui_kittest::Harness;

    let dir = inside_camera();
    let home = dir.join("home");
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/regtest/signer.json")).unwrap()).unwrap();
    let mut h = Harness::builder()
        .with_size([900.0, 1000.0])
        .renderer(SoftRenderer::default())
        .build_ui_state(|ui, app: &mut OfflineApp| app.ui(ui), OfflineApp::new(home, airsign::app::default_sources()));
    let limit = Duration::from_secs(120);
    let notice = |app: &OfflineApp| format!("; notice: {:?}", app.notice());
    h.run_steps(2);
    restore_monero(&mut h, m["mnemonic"].as_str().unwrap(), "cold", "pw");
    step_until_within(&mut h, "the Monero home screen", limit, notice, |h| h.query_by_label("Scan outputs").is_some());
    h.get_by_label("Scan outputs").click();
    h.run_steps(2);
    h.get_by_label("Find cameras").click();
    h.run_steps(2);
    step_until_within(&mut h, "the device list", limit, notice, |h| h.query_by_label("looking for cameras").is_none());
    assert!(h.query_all_by_label_contains("3 infrared or metadata-only video devices are not offered").next().is_some());
    h.get_by_label("camera").click();
    h.run_steps(2);
    // The colour camera is offered; the other three nodes are not.
    assert_eq!(h.query_all_by_label("Integrated Camera: Integrated C").count(), 1);
    assert_eq!(h.query_all_by_label("Integrated Camera: Integrated I").count(), 0);
    h.get_by_label("Integrated Camera: Integrated C").click();
    h.run_steps(2);
    h.get_by_label("Start camera").click();
    step_until_within(&mut h, "the outputs scanned and the key images shown", limit, notice, |h| {
        h.state().showing().is_some_and(|p| p.ur_type() == "xmr-keyimage")
    });
    let outputs = app_outputs();
    let shown = h.state().showing().unwrap();
    let key_images = airsign::envelope::decode("xmr-keyimage", shown.message()).unwrap().data;
    assert!(!key_images.is_empty());
    // The outputs file that came through the camera is the one the other screen showed.
    assert!(h.state().notice().is_none_or(|n| !n.contains("cannot")), "{:?}", h.state().notice());
    assert!(!outputs.is_empty());
}
