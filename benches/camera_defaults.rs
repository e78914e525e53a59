//! Chooses the player's defaults (fragment size, frame rate, error correction) and the
//! scanner's frame handling under the realistic conditions: the `webcam` condition (a 720p
//! laptop webcam filming the other laptop's screen from 40 cm) and the `phone` condition (a
//! phone held over the screen), for the typical payloads. Each transfer is decoded as the live
//! scanner decodes (frames that arrive while one is decoded are skipped), 20% of frames lost,
//! the receiver joining at a random point; the figure is the payload size over the time from
//! joining to complete (effective bytes/s).
//!
//! `cargo bench --no-default-features --bench camera_defaults` (all of it takes about an
//! hour on 2 cores). AIRSIGN_DEFAULTS_QUICK=1 runs only the chosen defaults and the presets,
//! AIRSIGN_DEFAULTS_GRID_ONLY=1 only the grid.

use airsign::transport::demo::{run_transfer, TransferConfig};
use airsign::transport::qr::DecodeOptions;
use airsign::transport::{player, Degradation, EcLevel};

/// Camera pixels across the player's code (quiet zone included): docs/camera-conditions.md.
pub const WEBCAM_CODE_PX: f32 = 250.0;
pub const PHONE_CODE_PX: f32 = 440.0;
/// The webcam's view of a code drawn 1,000 screen pixels tall (a full-screen player).
pub const FULL_SCREEN_CODE_PX: f32 = 415.0;

struct Cell {
    ok: u32,
    runs: u32,
    bytes_per_s: f64,
    decode_ms: f64,
}

/// The seeds of one cell run on the machine's two cores at once: each transfer is still
/// decoded on one thread, as the app's scanner decodes.
#[allow(clippy::too_many_arguments)]
fn measure(bytes: usize, fragment: usize, fps: f64, ec: EcLevel, condition: &str, code_px: f32, options: DecodeOptions, seeds: u64) -> Cell {
    measure_at((1280, 720), bytes, fragment, fps, ec, Degradation::named(condition).unwrap(), code_px, options, seeds)
}

#[allow(clippy::too_many_arguments)]
fn measure_at(frame_size: (u32, u32), bytes: usize, fragment: usize, fps: f64, ec: EcLevel, condition: Degradation, code_px: f32, options: DecodeOptions, seeds: u64) -> Cell {
    let degradation = Degradation { drop_rate: 0.2, ..condition };
    let seeds: Vec<u64> = (1..=seeds).collect();
    let reports: Vec<Option<airsign::transport::demo::TransferReport>> = seeds.chunks(2).flat_map(|pair| std::thread::scope(|scope| {
        let handles: Vec<_> = pair.iter().map(|&seed| {
                scope.spawn(move || {
                    let cfg = TransferConfig {
                        bytes,
                        max_fragment_len: fragment,
                        ec,
                        code_px,
                        degradation,
                        fps,
                        seed,
                        join_after: (seed as usize * 7) % 11,
                        frame_options: options,
                        frame_size,
                        realtime: true,
                        ..TransferConfig::default()
                    };
                    run_transfer(&cfg).ok()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().ok().flatten()).collect::<Vec<_>>()
    })).collect();
    let mut cell = Cell { ok: 0, runs: 0, bytes_per_s: 0.0, decode_ms: 0.0 };
    for r in reports {
        cell.runs += 1;
        if let Some(r) = r {
            cell.decode_ms += r.decode_ms_mean;
            if r.complete {
                cell.ok += 1;
                cell.bytes_per_s += r.bytes_per_second;
            }
        }
    }
    cell
}

fn show(cell: &Cell) -> String {
    if cell.ok == 0 {
        return "fail".into();
    }
    // Failures count as zero throughput in the mean: a default that sometimes fails is worse.
    let kb = cell.bytes_per_s / cell.runs as f64 / 1000.0;
    if cell.ok < cell.runs { format!("{kb:.1}[{}]", cell.runs - cell.ok) } else { format!("{kb:.1}") }
}

fn main() {
    let quick = std::env::var("AIRSIGN_DEFAULTS_QUICK").is_ok();
    let payloads = [
        ("XRPL signed batch of 10", 2_700usize),
        ("Monero unsigned 2-input set", 3_654),
        ("Monero key images, 100 outputs", 9_767),
        ("100 KB", 100_000),
    ];
    println!("Effective KB/s (mean over seeds; [n] = n transfers did not complete), 20% frames lost");
    if !quick {
        // (condition, EC, fragments, player fps). The first run (docs/app.md) also covered
        // webcam at 200-800 bytes and 8-20 fps, and EC M at 400 bytes.
        let grid: [(&str, EcLevel, &[usize], &[f64]); 3] = [
            ("webcam", EcLevel::L, &[400, 500], &[20.0, 24.0, 30.0]),
            ("webcam", EcLevel::M, &[400], &[15.0]),
            ("phone", EcLevel::L, &[400, 600, 800], &[10.0, 15.0, 20.0]),
        ];
        for (condition, ec, fragments, rates) in grid {
            let code_px = if condition == "phone" { PHONE_CODE_PX } else { WEBCAM_CODE_PX };
            println!("\n## {condition}, code {code_px} px, EC {ec:?}: fragment bytes x player fps, key images (9,767 B)\n");
            println!("| fps | {} |", fragments.iter().map(|f| f.to_string()).collect::<Vec<_>>().join(" | "));
            println!("|---|{}", "---|".repeat(fragments.len()));
            for &fps in rates {
                let cells: Vec<String> = fragments.iter().map(|&f| show(&measure(9_767, f, fps, ec, condition, code_px, DecodeOptions::FRAME, 2))).collect();
                println!("| {fps} | {} |", cells.join(" | "));
            }
        }
    }
    if std::env::var("AIRSIGN_DEFAULTS_GRID_ONLY").is_ok() {
        return;
    }
    println!("\n## The chosen defaults and the presets, every payload\n");
    let presets = [
        ("default", player::DEFAULT_FRAGMENT, player::DEFAULT_FPS as f64),
        ("dense (good camera)", player::DENSE_FRAGMENT, player::DENSE_FPS as f64),
        ("old default 400 B at 8 fps", 400, 8.0),
    ];
    println!("| condition | preset | {} |", payloads.map(|p| p.0).join(" | "));
    println!("|---|---|{}", "---|".repeat(payloads.len()));
    for (condition, code_px) in [("webcam", WEBCAM_CODE_PX), ("webcam, full-screen player", FULL_SCREEN_CODE_PX), ("phone", PHONE_CODE_PX)] {
        let condition_name = condition.split(',').next().unwrap_or(condition);
        for (name, fragment, fps) in presets {
            let cells: Vec<String> = payloads.iter().map(|&(_, bytes)| show(&measure(bytes, fragment, fps, EcLevel::L, condition_name, code_px, DecodeOptions::FRAME, 4))).collect();
            println!("| {condition} | {name} ({fragment} B, {fps} fps) | {} |", cells.join(" | "));
        }
    }
    println!("\n## Sensitivity: a dim room (33 ms exposure, the whole frame period), key images\n");
    for fps in [10.0, 15.0, 20.0] {
        let dim = Degradation { exposure_ms: 33.0, noise_sigma: 6.0, ..Degradation::named("webcam").unwrap() };
        let cell = measure_at((1280, 720), 9_767, player::DEFAULT_FRAGMENT, fps, EcLevel::L, dim, WEBCAM_CODE_PX, DecodeOptions::FRAME, 4);
        println!("dim webcam, {} B at {fps} fps: {} KB/s", player::DEFAULT_FRAGMENT, show(&cell));
    }
    println!("\n## The scanner's resolution: the same webcam at 1080p (the code 375 px), key images\n");
    for (fragment, fps) in [(400usize, player::DEFAULT_FPS as f64), (600, player::DEFAULT_FPS as f64), (800, player::DEFAULT_FPS as f64)] {
        let cell = measure_at((1920, 1080), 9_767, fragment, fps, EcLevel::L, Degradation::named("webcam").unwrap(), WEBCAM_CODE_PX * 1.5, DecodeOptions::FRAME, 4);
        println!("1080p, {fragment} B at {fps} fps: {} KB/s, decode {:.1} ms/frame", show(&cell), cell.decode_ms / cell.runs as f64);
    }
    println!("\n## Frame handling: one fast try per frame against more tries (live, webcam, key images)\n");
    for (name, options) in [
        ("FRAME (hybrid binarizer, ZXing fallback)", DecodeOptions::FRAME),
        ("no ZXing fallback", DecodeOptions { java_fallback: false, ..DecodeOptions::FRAME }),
        ("PHOTO tries (inverted, global binarizer)", DecodeOptions::PHOTO),
    ] {
        let cell = measure(9_767, player::DEFAULT_FRAGMENT, player::DEFAULT_FPS as f64, EcLevel::L, "webcam", WEBCAM_CODE_PX, options, 4);
        println!("{name}: {} KB/s, decode {:.1} ms/frame", show(&cell), cell.decode_ms / cell.runs as f64);
    }
}
