//! A scan in progress: frames from a [`FrameSource`] decoded off the caller's thread, parts
//! fed to a [`UrDecoder`], and events the UI polls without ever blocking on a frame.
//!
//! The worker reports what the person holding the phone needs: how much is resolved, how
//! many parts were seen, the UR type being received, and a plain message for a QR that is
//! not a UR, one of the wrong type, or one from another transfer.

use super::frames::FrameSource;
use super::qr::{self, QrEngine};
use super::ur_codec::{Progress, UrDecoder};
use super::TransportError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;

/// What the scanner knows after each frame.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScanStatus {
    pub frames: u64,
    /// QR codes read (every code, UR or not).
    pub codes_read: u64,
    pub progress: Progress,
    /// The UR type of the transfer in progress.
    pub ur_type: Option<String>,
    /// The latest refusal, in words (wrong type, other transfer, not a UR...).
    pub notice: Option<String>,
}

impl ScanStatus {
    /// A line for a progress bar that never sits at 99% without saying why: resolved
    /// fragments, and the fountain estimate while fragments are still being combined.
    pub fn describe(&self) -> String {
        let p = &self.progress;
        if p.fragments_total == 0 {
            return match &self.notice {
                Some(n) => format!("waiting for a UR code ({n})"),
                None if self.codes_read == 0 => "looking for a QR code".into(),
                None => "waiting for a UR code".into(),
            };
        }
        let mut s = format!("{} of {} fragments resolved, {} parts seen", p.fragments_resolved, p.fragments_total, p.parts_received);
        if p.fragments_resolved < p.fragments_total && p.estimated_fraction > 0.9 {
            s += &format!(" ({:.0}% of the equations: a few more parts complete it)", 100.0 * p.estimated_fraction.min(1.0));
        }
        s
    }
}

#[derive(Debug)]
pub enum ScanEvent {
    Status(ScanStatus),
    /// The whole UR message.
    Complete { ur_type: String, message: Vec<u8> },
    /// The source has no more frames (a folder or a recording ended).
    Ended(ScanStatus),
    Failed(String),
}

/// Why a scanned code was refused, in words for the screen.
pub fn explain(e: &TransportError) -> String {
    match e {
        TransportError::NotUr => "a QR code that is not a UR (another app's code?)".into(),
        TransportError::OtherTransfer => "a QR code from another transfer: keep the camera on one screen".into(),
        TransportError::WrongType { expected, found } => format!("a '{found}' code; this screen expects '{expected}'"),
        other => other.to_string(),
    }
}

/// Feeds one scanned text to the decoder, refusing types outside `accepted`.
pub fn receive(decoder: &mut UrDecoder, accepted: &[String], text: &str) -> Result<(), String> {
    decoder.receive(text).map_err(|e| explain(&e))?;
    match decoder.ur_type() {
        Some(t) if !accepted.is_empty() && !accepted.iter().any(|a| a == t) => {
            let found = t.to_owned();
            // Keep nothing of a transfer this screen does not take.
            decoder.reset();
            Err(format!("a '{found}' code; this screen expects {}", accepted.join(" or ")))
        }
        _ => Ok(()),
    }
}

/// Decodes pasted or loaded UR text (one part a line).
pub fn decode_text(text: &str, accepted: &[String]) -> Result<(String, Vec<u8>), String> {
    let mut decoder = UrDecoder::new(None);
    let mut last = None;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Err(e) = receive(&mut decoder, accepted, line) {
            last = Some(e);
        }
        if let (Some(t), Some(m)) = (decoder.ur_type(), decoder.message()) {
            return Ok((t.to_owned(), m.to_vec()));
        }
    }
    Err(last.unwrap_or_else(|| format!("the text ended before the payload was complete ({})", ScanStatus { progress: decoder.progress(), ..Default::default() }.describe())))
}

pub struct ScanSession {
    events: Receiver<ScanEvent>,
    stop: Arc<AtomicBool>,
    worker: Option<JoinHandle<()>>,
}

impl ScanSession {
    /// Starts decoding frames from `source` on a worker thread. `accepted` lists the UR
    /// types this screen takes (empty: any).
    pub fn start(source: Box<dyn FrameSource + Send>, accepted: Vec<String>) -> ScanSession {
        let (tx, rx) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let worker = std::thread::Builder::new().name("airsign-scan".into()).spawn(move || run(source, accepted, tx, flag)).ok();
        ScanSession { events: rx, stop, worker }
    }

    /// Everything the worker reported since the last call; never blocks.
    pub fn poll(&self) -> Vec<ScanEvent> {
        self.events.try_iter().collect()
    }

    /// Blocks until the next event (for tests and the CLI).
    pub fn wait(&self) -> Option<ScanEvent> {
        self.events.recv().ok()
    }
}

impl Drop for ScanSession {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

fn run(mut source: Box<dyn FrameSource + Send>, accepted: Vec<String>, tx: Sender<ScanEvent>, stop: Arc<AtomicBool>) {
    let mut decoder = UrDecoder::new(None);
    let mut status = ScanStatus::default();
    while !stop.load(Ordering::Relaxed) {
        let frame = match source.next_frame() {
            Ok(Some(f)) => f,
            Ok(None) => {
                let _ = tx.send(ScanEvent::Ended(status));
                return;
            }
            Err(e) => {
                let _ = tx.send(ScanEvent::Failed(e.to_string()));
                return;
            }
        };
        status.frames += 1;
        for text in qr::decode(&frame.image, QrEngine::Rxing) {
            status.codes_read += 1;
            match receive(&mut decoder, &accepted, &text) {
                Ok(()) => status.notice = None,
                Err(e) => status.notice = Some(e),
            }
        }
        status.progress = decoder.progress();
        status.ur_type = decoder.ur_type().map(str::to_owned);
        if let (Some(t), Some(m)) = (decoder.ur_type(), decoder.message()) {
            let _ = tx.send(ScanEvent::Status(status.clone()));
            let _ = tx.send(ScanEvent::Complete { ur_type: t.to_owned(), message: m.to_vec() });
            return;
        }
        if tx.send(ScanEvent::Status(status.clone())).is_err() {
            return;
        }
    }
}
