//! Scan-to-complete times through the virtual camera for each peer wallet's display style
//! (transport::profile): airsign's scanner filming a phone or laptop that shows a payload
//! the way Cake Wallet, Feather or ANONERO show theirs (fragment size, frame rate, case and
//! so QR mode, plain-part loop or fountain stream), next to airsign's standard style.
//! `cargo bench --bench peer_scan`; figures in docs/phones.md.
//!
//! Model (as benches/app_defaults.rs): the code, quiet zone included, spans 400 px of a
//! 1280x720 camera frame running at 30 frames a second; each displayed part stays on screen
//! for 30/fps camera frames; blur 1.0 px or the combined degradation; 10% of camera frames
//! lost. Payload sizes are the UR message sizes of docs/monero.md.

use airsign::transport::profile::{as_filmed, Profile, Stream};
use airsign::transport::{qr, Degradation, FrameSource, QrEngine, Scene, UrDecoder, VirtualCamera};
use std::time::Instant;

const CAMERA_FPS: f64 = 30.0;
const LIMIT_S: f64 = 120.0;

/// Seconds of camera time until the payload is complete, or None within the limit.
fn scan_seconds(profile: Profile, message: &[u8], code_px: f32, degradation: Degradation, seed: u64) -> Option<f64> {
    let stream = Stream::new(profile, "bytes", message, None, None).ok()?;
    let spec = *stream.spec();
    let symbol = qr::symbol(&Stream::new(profile, "bytes", message, None, None).ok()?.next_text(), spec.ec).ok()?;
    let module_px = code_px / (symbol.width as f32 + 8.0);
    let shown = as_filmed(stream, CAMERA_FPS).take((LIMIT_S * CAMERA_FPS) as usize);
    let scene = Scene { width: 1280, height: 720, module_px, ec: spec.ec, ..Scene::default() };
    let mut camera = VirtualCamera::new(shown, scene, degradation, seed);
    let mut decoder = UrDecoder::new(Some("bytes"));
    while let Ok(Some(frame)) = camera.next_frame() {
        for text in qr::decode(&frame.image, QrEngine::Rxing) {
            let _ = decoder.receive(&text);
        }
        if decoder.is_complete() {
            return Some(frame.shown as f64 / CAMERA_FPS);
        }
    }
    None
}

fn main() {
    let payloads = [("Monero unsigned 2-input set", 3_654usize), ("Monero key images, 100 outputs", 9_767)];
    let profiles = [Profile::Standard, Profile::Cake, Profile::Feather, Profile::Anonero];
    let seeds = [1u64, 2, 3];
    for (label, named) in [("blur 1.0", "blur"), ("combined (blur, noise, low contrast, tilt)", "combined")] {
        let degradation = Degradation { drop_rate: 0.1, ..Degradation::named(named).unwrap() };
        println!("\n{label}, code 400 px of 1280x720, camera 30 fps, 10% frames lost: mean seconds to complete over {} seeds (failures in brackets), ratio to standard", seeds.len());
        for (name, bytes) in payloads {
            let message = airsign::envelope::wrap_bytes(&(0..bytes as u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect::<Vec<_>>());
            println!("  {name} ({bytes} bytes)");
            let mut standard = None;
            for profile in profiles {
                let spec = profile.spec();
                let started = Instant::now();
                let runs: Vec<Option<f64>> = seeds.iter().map(|s| scan_seconds(profile, &message, 400.0, degradation, *s)).collect();
                let ok: Vec<f64> = runs.iter().flatten().copied().collect();
                let failed = runs.len() - ok.len();
                let mean = (!ok.is_empty()).then(|| ok.iter().sum::<f64>() / ok.len() as f64);
                if profile == Profile::Standard {
                    standard = mean;
                }
                let ratio = match (mean, standard) {
                    (Some(m), Some(s)) => format!("{:.2}x", m / s),
                    _ => "-".into(),
                };
                let cell = mean.map(|m| format!("{m:.1} s")).unwrap_or_else(|| "fail".into());
                println!(
                    "    {:<9} {:>4}-byte fragments, {:>4} fps, {}{}: {cell}{} ({ratio}; {:.1} s of decoding)",
                    spec.name,
                    Stream::new(profile, "bytes", &message, None, None).map(|s| s.fragment()).unwrap_or(0),
                    spec.fps,
                    if spec.lowercase { "lowercase" } else { "uppercase" },
                    if spec.pure_loop { ", plain parts looped" } else { ", fountain" },
                    if failed > 0 { format!(" [{failed}]") } else { String::new() },
                    started.elapsed().as_secs_f64()
                );
            }
        }
    }
}
