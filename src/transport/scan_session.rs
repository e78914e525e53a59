//! A scan in progress: frames from a [`FrameSource`] decoded off the caller's thread, parts
//! fed to a [`UrDecoder`], and events the UI polls without ever blocking on a frame.
//!
//! The worker reports what the person holding the phone needs: how much is resolved, how
//! many parts were seen, the UR type being received, and a plain message for a QR that is
//! not a UR, one of the wrong type, or one from another transfer.

use super::frames::{Frame, FrameSource};
use image::GrayImage;
use super::qr::{self, QrEngine};
use super::scan_hint::Hinter;
use super::ur_codec::{Progress, UrDecoder};
use super::TransportError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
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
    /// Where the code was in the latest decoded frame: four corners, clockwise from the
    /// top left, as fractions of the frame's width and height (for the preview's outline).
    pub outline: Option<[[f32; 2]; 4]>,
    /// What the person holding the camera should do (move closer, hold still...).
    pub hint: Option<super::scan_hint::Hint>,
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

/// Feeds one scanned text to the decoder, refusing types outside `accepted`. Returns a
/// whole payload when the text completes one in another wallet's form: a signed XRPL
/// transaction as bare hex (what Xaman reads and shows), or a Keystone-style `bytes` UR
/// holding a signed XRPL blob, each taken as a one-transaction `xrpl-signed` where that is
/// accepted.
pub fn receive(decoder: &mut UrDecoder, accepted: &[String], text: &str) -> Result<Option<(String, Vec<u8>)>, String> {
    let takes = |t: &str| accepted.is_empty() || accepted.iter().any(|a| a == t);
    if accepted.iter().any(|a| a == VIEW_ONLY_JSON) && !super::profile::is_ur(text) {
        return if looks_like_view_only(text) { Ok(Some((VIEW_ONLY_JSON.to_owned(), text.trim().as_bytes().to_vec()))) } else { Err("a QR code that is not a Monero view-only wallet (offline app: Show view-only wallet)".into()) };
    }
    if takes("xrpl-signed") && !super::profile::is_ur(text) {
        if let Some(blob) = super::profile::xrpl_signed_hex(text) {
            return signed_payload(&blob).map(|m| Some(("xrpl-signed".to_owned(), m)));
        }
    }
    decoder.receive(text).map_err(|e| explain(&e))?;
    match decoder.ur_type() {
        // A Keystone-style answer: a bytes UR of the signed blob.
        Some("bytes") if !takes("bytes") && takes("xrpl-signed") => match decoder.message() {
            Some(m) => {
                let blob = crate::envelope::unwrap_bytes(m).map_err(|e| e.to_string());
                decoder.reset();
                let blob = blob?;
                match crate::chain::xrpl::codec::decode(&blob) {
                    Ok(tx) if tx.get("TxnSignature").is_some() || tx.get("Signers").is_some() => signed_payload(&blob).map(|m| Some(("xrpl-signed".to_owned(), m))),
                    _ => Err("a 'bytes' code that is not a signed XRPL transaction; this screen expects xrpl-signed".into()),
                }
            }
            None => Ok(None),
        },
        Some(t) if !takes(t) => {
            let found = t.to_owned();
            // Keep nothing of a transfer this screen does not take.
            decoder.reset();
            Err(format!("a '{found}' code; this screen expects {}", accepted.join(" or ")))
        }
        _ => Ok(None),
    }
}

/// Not a UR type: the name a scanner is given to take the view-only wallet QR, which is plain
/// JSON (`{"version":0,"primaryAddress":...,"privateViewKey":...}`) as Feather and Cake show
/// and read it, not a UR.
pub const VIEW_ONLY_JSON: &str = "xmr-viewonly-json";

/// Whether a plain text is a view-only wallet export (its keys are checked by whoever uses it).
fn looks_like_view_only(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text.trim()).is_ok_and(|v| v["primaryAddress"].is_string() && v["privateViewKey"].is_string())
}

/// A one-transaction `xrpl-signed` payload for a signed blob, its fields read from it.
fn signed_payload(blob: &[u8]) -> Result<Vec<u8>, String> {
    use crate::envelope::xrpl::{SignedEntry, Versioned, XrplSignedPayload, VERSION};
    let tx = crate::chain::xrpl::codec::decode(blob).map_err(|e| e.to_string())?;
    let field = |k| crate::chain::xrpl::u32_field(&tx, k);
    let hash = hex::decode(crate::chain::xrpl::sign::transaction_hash(blob)).map_err(|e| e.to_string())?;
    let entry = SignedEntry { blob: blob.to_vec(), hash, sequence: field("Sequence").unwrap_or(0), last_ledger_sequence: field("LastLedgerSequence").unwrap_or(0) };
    Ok(XrplSignedPayload { version: VERSION, transactions: vec![entry] }.to_cbor())
}

/// Decodes pasted or loaded UR text (one part a line).
pub fn decode_text(text: &str, accepted: &[String]) -> Result<(String, Vec<u8>), String> {
    let mut decoder = UrDecoder::new(None);
    let mut last = None;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match receive(&mut decoder, accepted, line) {
            Ok(Some(done)) => return Ok(done),
            Ok(None) => {}
            Err(e) => last = Some(e),
        }
        if let (Some(t), Some(m)) = (decoder.ur_type(), decoder.message()) {
            return Ok((t.to_owned(), m.to_vec()));
        }
    }
    Err(last.unwrap_or_else(|| format!("the text ended before the payload was complete ({})", ScanStatus { progress: decoder.progress(), ..Default::default() }.describe())))
}

/// A frame for the live preview, scaled down to at most [`PREVIEW_WIDTH`] pixels wide.
#[derive(Clone, Debug)]
pub struct Preview {
    pub image: GrayImage,
    /// Frames the source had shown when this one was taken.
    pub shown: u64,
}

pub const PREVIEW_WIDTH: u32 = 640;

/// The preview of a frame: at most [`PREVIEW_WIDTH`] wide, by averaging k x k blocks (k
/// the smallest whole factor that fits). Measured at 720p: a fraction of a millisecond,
/// where `image`'s general resampling took 3 ms, longer than the QR decode.
pub fn preview_of(frame: &Frame) -> Preview {
    let (w, h) = frame.image.dimensions();
    let k = w.div_ceil(PREVIEW_WIDTH).max(1);
    if k == 1 {
        return Preview { image: frame.image.clone(), shown: frame.shown };
    }
    let (pw, ph) = ((w / k).max(1), (h / k).max(1));
    let src = frame.image.as_raw();
    let mut out = Vec::with_capacity((pw * ph) as usize);
    let mut sums = vec![0u32; pw as usize];
    for py in 0..ph {
        sums.iter_mut().for_each(|s| *s = 0);
        for y in py * k..(py * k + k).min(h) {
            let row = &src[(y * w) as usize..((y + 1) * w) as usize];
            for (px, sum) in sums.iter_mut().enumerate() {
                let start = px * k as usize;
                *sum += row[start..start + k as usize].iter().map(|&p| p as u32).sum::<u32>();
            }
        }
        out.extend(sums.iter().map(|s| (s / (k * k)) as u8));
    }
    let image = GrayImage::from_raw(pw, ph, out).unwrap_or_else(|| GrayImage::new(1, 1));
    Preview { image, shown: frame.shown }
}

/// The newest preview frame, replaced by each new one; the UI takes it when it repaints.
type PreviewSlot = Arc<Mutex<Option<Preview>>>;

fn show(slot: &PreviewSlot, frame: &Frame) {
    if let Ok(mut slot) = slot.lock() {
        *slot = Some(preview_of(frame));
    }
}

pub struct ScanSession {
    events: Receiver<ScanEvent>,
    preview: PreviewSlot,
    stop: Arc<AtomicBool>,
    workers: Vec<JoinHandle<()>>,
}

impl ScanSession {
    /// Starts decoding frames from `source` on a worker thread. `accepted` lists the UR
    /// types this screen takes (empty: any).
    ///
    /// A recorded source is decoded frame by frame on one worker. A live one (a webcam) is
    /// read by its own capture thread, which keeps the preview at the camera's frame rate
    /// while the decoder takes the newest frame whenever it is free: a slow decode drops
    /// frames (the fountain code does not mind) instead of delaying the picture.
    pub fn start(source: Box<dyn FrameSource + Send>, accepted: Vec<String>) -> ScanSession {
        let (tx, rx) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let preview: PreviewSlot = Arc::default();
        let spawn = |name: &str, work: Box<dyn FnOnce() + Send>| std::thread::Builder::new().name(name.into()).spawn(work);
        let decoder = Decoder { accepted, tx: tx.clone(), stop: stop.clone(), preview: preview.clone() };
        let spawned = if source.is_live() {
            let newest = Arc::new(Newest::default());
            let (n, p, flag) = (newest.clone(), preview.clone(), stop.clone());
            vec![
                spawn("airsign-capture", Box::new(move || capture(source, &n, &p, &flag))),
                spawn("airsign-scan", Box::new(move || decoder.run_live(&newest))),
            ]
        } else {
            vec![spawn("airsign-scan", Box::new(move || decoder.run_recorded(source)))]
        };
        let mut workers = Vec::new();
        for w in spawned {
            match w {
                Ok(w) => workers.push(w),
                Err(e) => stop_with(&tx, &stop, format!("cannot start the scanner: {e}")),
            }
        }
        ScanSession { events: rx, preview, stop, workers }
    }

    /// The newest preview frame since the last call, if there is one.
    pub fn take_preview(&self) -> Option<Preview> {
        self.preview.lock().ok()?.take()
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
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

fn stop_with(tx: &Sender<ScanEvent>, stop: &AtomicBool, why: String) {
    stop.store(true, Ordering::Relaxed);
    let _ = tx.send(ScanEvent::Failed(why));
}

/// What the capture thread hands the decoder: the newest frame not yet decoded, and how
/// the source ended once it has.
#[derive(Default)]
struct Newest {
    state: Mutex<Handover>,
    ready: Condvar,
}

#[derive(Default)]
struct Handover {
    frame: Option<Frame>,
    /// Ok: the source ran out of frames; Err: it failed.
    end: Option<Result<(), String>>,
}

/// A live source's own thread: every frame goes to the preview at once, and replaces the
/// frame waiting for the decoder.
fn capture(mut source: Box<dyn FrameSource + Send>, newest: &Newest, preview: &PreviewSlot, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        let next = source.next_frame();
        if let Ok(Some(frame)) = &next {
            show(preview, frame);
        }
        let Ok(mut state) = newest.state.lock() else { return };
        match next {
            Ok(Some(frame)) => state.frame = Some(frame),
            Ok(None) => state.end = Some(Ok(())),
            Err(e) => state.end = Some(Err(e.to_string())),
        }
        let ended = state.end.is_some();
        drop(state);
        newest.ready.notify_one();
        if ended {
            return;
        }
    }
}

struct Decoder {
    accepted: Vec<String>,
    tx: Sender<ScanEvent>,
    stop: Arc<AtomicBool>,
    preview: PreviewSlot,
}

impl Decoder {
    fn run_recorded(self, mut source: Box<dyn FrameSource + Send>) {
        let mut decoder = UrDecoder::new(None);
        let mut status = ScanStatus::default();
        let mut hinter = Hinter::default();
        while !self.stop.load(Ordering::Relaxed) {
            match source.next_frame() {
                Ok(Some(frame)) => {
                    show(&self.preview, &frame);
                    if self.decode(&frame, &mut decoder, &mut status, &mut hinter) {
                        return;
                    }
                }
                Ok(None) => return self.end(Ok(()), status),
                Err(e) => return self.end(Err(e.to_string()), status),
            }
        }
    }

    fn run_live(self, newest: &Newest) {
        let mut decoder = UrDecoder::new(None);
        let mut status = ScanStatus::default();
        let mut hinter = Hinter::default();
        while !self.stop.load(Ordering::Relaxed) {
            let Ok(mut state) = newest.state.lock() else { return };
            // Wake at least every 100 ms to notice a stop.
            if state.frame.is_none() && state.end.is_none() {
                state = match newest.ready.wait_timeout(state, std::time::Duration::from_millis(100)) {
                    Ok((s, _)) => s,
                    Err(_) => return,
                };
            }
            let (frame, end) = (state.frame.take(), state.end.clone());
            drop(state);
            if let Some(frame) = frame {
                if self.decode(&frame, &mut decoder, &mut status, &mut hinter) {
                    return;
                }
            } else if let Some(end) = end {
                return self.end(end, status);
            }
        }
    }

    /// Decodes one frame and reports; true once the scan is over (complete, or nobody
    /// is listening any more).
    fn decode(&self, frame: &Frame, decoder: &mut UrDecoder, status: &mut ScanStatus, hinter: &mut Hinter) -> bool {
        status.frames += 1;
        let found = qr::locate(&frame.image, QrEngine::Rxing);
        let sight = super::scan_hint::sight(&frame.image, found.first().map(|f| &f.corners), hinter.wants_finders());
        status.hint = hinter.observe(&sight);
        let (w, h) = (frame.image.width().max(1) as f32, frame.image.height().max(1) as f32);
        status.outline = found.first().map(|f| f.corners.map(|[x, y]| [x / w, y / h]));
        for code in found {
            status.codes_read += 1;
            match receive(decoder, &self.accepted, &code.text) {
                Ok(Some((ur_type, message))) => {
                    let _ = self.tx.send(ScanEvent::Status(status.clone()));
                    let _ = self.tx.send(ScanEvent::Complete { ur_type, message });
                    return true;
                }
                Ok(None) => status.notice = None,
                Err(e) => status.notice = Some(e),
            }
        }
        status.progress = decoder.progress();
        status.ur_type = decoder.ur_type().map(str::to_owned);
        if let (Some(t), Some(m)) = (decoder.ur_type(), decoder.message()) {
            let _ = self.tx.send(ScanEvent::Status(status.clone()));
            let _ = self.tx.send(ScanEvent::Complete { ur_type: t.to_owned(), message: m.to_vec() });
            return true;
        }
        self.tx.send(ScanEvent::Status(status.clone())).is_err()
    }

    fn end(&self, how: Result<(), String>, status: ScanStatus) {
        let _ = self.tx.send(match how {
            Ok(()) => ScanEvent::Ended(status),
            Err(e) => ScanEvent::Failed(e),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frames of an empty grey screen, then a screen with a readable code.
    struct Frames(Vec<GrayImage>);

    impl FrameSource for Frames {
        fn next_frame(&mut self) -> Result<Option<Frame>, super::super::frames::FrameError> {
            Ok((!self.0.is_empty()).then(|| Frame { image: self.0.remove(0), shown: 0 }))
        }
    }

    #[test]
    fn the_session_reports_a_hint_while_no_code_is_in_view_and_clears_it_at_a_read() {
        let part = crate::transport::part::format_single("bytes", &crate::envelope::wrap_bytes(b"hint"));
        let code = qr::render(&qr::symbol(&part, qrcode::EcLevel::L).unwrap(), 8);
        let mut with_code = GrayImage::from_pixel(1280, 720, image::Luma([128]));
        image::imageops::overlay(&mut with_code, &code, 300, 100);
        let mut frames = vec![GrayImage::from_pixel(1280, 720, image::Luma([128])); 12];
        frames.push(with_code);
        let session = ScanSession::start(Box::new(Frames(frames)), vec!["bytes".into()]);
        let mut hints = Vec::new();
        while let Some(event) = session.wait() {
            match event {
                ScanEvent::Status(s) => hints.push(s.hint),
                ScanEvent::Complete { .. } => break,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(hints.len(), 13);
        assert!(hints[..7].iter().all(Option::is_none), "no hint before {} frames: {hints:?}", super::super::scan_hint::PATIENCE);
        assert_eq!(hints[11], Some(super::super::scan_hint::Hint::NoCode));
        assert_eq!(hints[12], None, "the read clears it");
    }

    #[test]
    fn a_view_only_scanner_takes_the_plain_json_and_refuses_other_codes() {
        let accepted = vec![VIEW_ONLY_JSON.to_owned()];
        let json = r#" {"version":0,"primaryAddress":"4A","privateViewKey":"00","restoreHeight":7} "#;
        let mut d = UrDecoder::new(None);
        assert_eq!(receive(&mut d, &accepted, json), Ok(Some((VIEW_ONLY_JSON.to_owned(), json.trim().as_bytes().to_vec()))));
        assert!(receive(&mut d, &accepted, "https://example.com").unwrap_err().contains("not a Monero view-only wallet"));
        assert!(receive(&mut d, &accepted, r#"{"primaryAddress":"4A"}"#).is_err(), "no view key");
        // A UR is still a UR: refused by type, not taken as JSON.
        let part = crate::transport::part::format_single("bytes", &crate::envelope::wrap_bytes(json.as_bytes()));
        assert!(receive(&mut d, &accepted, &part).unwrap_err().contains("expects xmr-viewonly-json"));
        // Scanners for other types never take plain JSON.
        assert!(receive(&mut UrDecoder::new(None), &["xmr-output".to_owned()], json).is_err());
    }

    #[test]
    fn the_preview_averages_blocks_down_to_the_preview_width() {
        // 1280 wide: 2x2 blocks. Each block of the test pattern holds 0, 100, 200, 100.
        let image = GrayImage::from_fn(1280, 720, |x, y| image::Luma([((x % 2) * 100 + (y % 2) * 100) as u8]));
        let p = preview_of(&Frame { image, shown: 9 });
        assert_eq!(p.image.dimensions(), (640, 360));
        assert!(p.image.pixels().all(|px| px[0] == 100));
        assert_eq!(p.shown, 9);
        // 1920 wide: 3x3 blocks; a small frame is kept as it is.
        let big = preview_of(&Frame { image: GrayImage::from_pixel(1920, 1080, image::Luma([7])), shown: 1 });
        assert_eq!(big.image.dimensions(), (640, 360));
        assert!(big.image.pixels().all(|px| px[0] == 7));
        let small = preview_of(&Frame { image: GrayImage::from_pixel(320, 240, image::Luma([5])), shown: 1 });
        assert_eq!(small.image.dimensions(), (320, 240));
    }
}
