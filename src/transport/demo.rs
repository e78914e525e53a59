//! A whole transfer through the virtual camera: encoder -> QR -> degraded frames -> decoder.
//! `airsign demo transfer` and the transfer benchmarks run this.

use super::frames::FrameSource;
use super::qr::{self, EcLevel, QrEngine};
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
/// Camera pixels per module the demo assumes.
pub const DEFAULT_MODULE_PX: f32 = 5.0;

#[derive(Clone, Debug)]
pub struct TransferConfig {
    pub bytes: usize,
    pub max_fragment_len: usize,
    pub ec: EcLevel,
    pub module_px: f32,
    pub degradation: Degradation,
    pub fps: f64,
    pub engine: QrEngine,
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
            engine: QrEngine::Rxing,
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
    /// Frames shown / fps: how long the sender had to play.
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
/// frames and reports `complete: false`.
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
    let scene = Scene { module_px: cfg.module_px, ec: cfg.ec, ..Scene::default() };
    let mut camera = VirtualCamera::new(parts, scene, cfg.degradation, cfg.seed);
    let mut decoder = UrDecoder::new(Some("bytes"));
    let (mut delivered, mut decoded, mut total_ms, mut max_ms) = (0u64, 0u64, 0.0f64, 0.0f64);
    while let Some(frame) = camera.next_frame()? {
        delivered += 1;
        let started = Instant::now();
        let texts = qr::decode(&frame.image, cfg.engine);
        let ms = started.elapsed().as_secs_f64() * 1e3;
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
    }
    if let Some(received) = decoder.message() {
        if received != message {
            return Err(DemoError::Mismatch);
        }
    }
    let frames_shown = camera.shown();
    let seconds = frames_shown as f64 / cfg.fps;
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
        kept_up: decode_ms_mean < 1000.0 / cfg.fps,
    })
}
