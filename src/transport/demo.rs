//! A whole transfer through the virtual camera: encoder -> QR -> degraded frames -> decoder.
//! `airsign demo transfer` and the transfer benchmarks run this.

use super::frames::FrameSource;
use super::qr::{self, DecodeOptions, EcLevel, QrEngine};
use super::virtual_camera::{Degradation, Scene, VirtualCamera};
use super::{TransportError, UrDecoder, UrEncoder};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;

/// airsign's default fragment length for a laptop-to-webcam transfer. A part then fills a
/// QR version 27 at error correction L (125 modules: 665 px with quiet zone at 5 px a
/// module, inside a 720p frame). Chosen by measurement; see docs/qr-decoder.md.
pub const DEFAULT_MAX_FRAGMENT_LEN: usize = 1000;
pub const DEFAULT_EC: EcLevel = EcLevel::L;
/// Frames without a single code read after which a transfer is given up.
pub const GIVE_UP_UNREAD_FRAMES: u64 = 90;
/// Camera pixels per module the demo assumes.
pub const DEFAULT_MODULE_PX: f32 = 5.0;

#[derive(Clone, Debug)]
pub struct TransferConfig {
    pub bytes: usize,
    pub max_fragment_len: usize,
    pub ec: EcLevel,
    pub module_px: f32,
    pub degradation: Degradation,
    /// Codes the sender shows per second.
    pub fps: f64,
    /// The code's side on the camera picture in pixels, quiet zone included, at any version
    /// (a player shows every code at the same size); 0 = `module_px` per module.
    pub code_px: f32,
    pub engine: QrEngine,
    /// The camera's picture size.
    pub frame_size: (u32, u32),
    /// What the rxing engine tries on each frame.
    pub frame_options: DecodeOptions,
    /// Decode as a live scanner does: the camera keeps filming while a frame is decoded, and
    /// the frames it delivered meanwhile are skipped but the newest (so a slow decode loses
    /// frames, as on the real laptop). Timing then depends on this machine: benchmarks only.
    pub realtime: bool,
    pub seed: u64,
    /// Frames shown to the receiver before it starts watching (a late join).
    pub join_after: usize,
}

impl Default for TransferConfig {
    fn default() -> Self {
        Self {
            bytes: 100_000,
            max_fragment_len: DEFAULT_MAX_FRAGMENT_LEN,
            ec: DEFAULT_EC,
            module_px: DEFAULT_MODULE_PX,
            degradation: Degradation::default(),
            fps: 15.0,
            code_px: 0.0,
            engine: QrEngine::Rxing,
            frame_size: (1280, 720),
            frame_options: DecodeOptions::FRAME,
            realtime: false,
            seed: 1,
            join_after: 0,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TransferReport {
    pub seq_len: usize,
    pub qr_version: i16,
    pub frames_shown: u64,
    /// Frames the camera delivered (not dropped).
    pub frames_delivered: u64,
    /// Delivered frames whose QR code was read.
    pub frames_decoded: u64,
    pub complete: bool,
    /// How long the sender had to play: frames shown / fps, or with a camera clock (a
    /// condition with an exposure time), camera frames / camera fps.
    pub seconds: f64,
    pub bytes_per_second: f64,
    pub decode_ms_mean: f64,
    pub decode_ms_max: f64,
    /// Whether decoding one frame took less than a frame period on average.
    pub kept_up: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error(transparent)]
    Qr(#[from] qr::QrError),
    #[error(transparent)]
    Frame(#[from] super::frames::FrameError),
    #[error("the decoded message differs from what was sent")]
    Mismatch,
}

/// Runs one transfer of `bytes` random bytes (as a `bytes` UR). Gives up after 20x seqLen
/// codes and reports `complete: false`.
///
/// A degradation with an exposure time (the `webcam` and `phone` conditions) films the
/// sender's screen on its own clock: the camera takes `camera_fps` frames a second of codes
/// shown at `fps`, some spanning a switch of code. Otherwise each frame sees one code.
pub fn run_transfer(cfg: &TransferConfig) -> Result<TransferReport, DemoError> {
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let data: Vec<u8> = (0..cfg.bytes).map(|_| rng.random()).collect();
    let message = crate::envelope::wrap_bytes(&data);
    let mut encoder = UrEncoder::new("bytes", &message, cfg.max_fragment_len)?;
    let seq_len = encoder.seq_len();
    let first = encoder.next_part();
    let qr_version = qr::symbol(&first, cfg.ec)?.version;
    let limit = 20 * seq_len + 20;
    let parts = std::iter::once(first).chain(std::iter::from_fn(move || Some(encoder.next_part())));
    let parts = parts.skip(cfg.join_after).take(limit);
    let scene = Scene { width: cfg.frame_size.0, height: cfg.frame_size.1, module_px: cfg.module_px, code_px: cfg.code_px, ec: cfg.ec, ..Scene::default() };
    let timed = cfg.degradation.has_own_clock();
    let degradation = if timed { cfg.degradation.with_display(cfg.fps as f32) } else { cfg.degradation };
    let frame_period_ms = if timed { 1000.0 / degradation.camera_fps.max(1.0) as f64 } else { 1000.0 / cfg.fps };
    let mut camera = VirtualCamera::new(parts, scene, degradation, cfg.seed);
    let mut decoder = UrDecoder::new(Some("bytes"));
    let (mut delivered, mut decoded, mut total_ms, mut max_ms) = (0u64, 0u64, 0.0f64, 0.0f64);
    // Live scanning: when (camera time, ms) the decoder is free for the next frame.
    let mut free_at_ms = 0.0f64;
    while let Some(frame) = camera.next_frame()? {
        delivered += 1;
        let filmed_at_ms = (frame.shown - 1) as f64 * frame_period_ms;
        if cfg.realtime && filmed_at_ms + frame_period_ms < free_at_ms {
            // A newer frame arrives before the decoder is free and takes this one's place
            // (the camera hands frames over through a one-frame slot).
            continue;
        }
        let started = Instant::now();
        let texts = match cfg.engine {
            QrEngine::Rxing => qr::decode_with(&frame.image, cfg.frame_options).into_iter().map(|f| f.text).collect(),
            engine => qr::decode(&frame.image, engine),
        };
        let ms = started.elapsed().as_secs_f64() * 1e3;
        free_at_ms = free_at_ms.max(filmed_at_ms) + ms;
        total_ms += ms;
        max_ms = max_ms.max(ms);
        if !texts.is_empty() {
            decoded += 1;
        }
        for text in texts {
            // A misread part is the scanner's problem to skip, as in the real app.
            let _ = decoder.receive(&text);
        }
        if decoder.is_complete() {
            break;
        }
        // Three seconds of frames without one code read: this camera cannot read these codes
        // (a user would move closer, or change the player's settings).
        if decoded == 0 && delivered >= GIVE_UP_UNREAD_FRAMES {
            break;
        }
    }
    if let Some(received) = decoder.message() {
        if received != message {
            return Err(DemoError::Mismatch);
        }
    }
    let frames_shown = camera.shown();
    let seconds = frames_shown as f64 * frame_period_ms / 1000.0;
    let decode_ms_mean = if delivered > 0 { total_ms / delivered as f64 } else { 0.0 };
    Ok(TransferReport {
        seq_len,
        qr_version,
        frames_shown,
        frames_delivered: delivered,
        frames_decoded: decoded,
        complete: decoder.is_complete(),
        seconds,
        bytes_per_second: if decoder.is_complete() { cfg.bytes as f64 / seconds } else { 0.0 },
        decode_ms_mean,
        decode_ms_max: max_ms,
        kept_up: decode_ms_mean < frame_period_ms,
    })
}
