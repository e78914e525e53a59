//! QR decoding per 1280x720 frame: QR versions 10/15/20/25, modules of 3 and 5 px, clean and
//! each degradation, all through the virtual camera.
//!
//! Prints (and writes to target/bench-qr-decode.md) a table of success rates and mean
//! times for rxing, rqrr, rxing-then-rqrr and ZBar (comparison only; needs libzbar-dev,
//! `bash benches/setup.sh`), then times rxing on every cell with criterion.
//! AIRSIGN_BENCH_FRAMES sets frames per cell (default 20).

use airsign::transport::qr::{self, EcLevel, QrEngine};
use airsign::transport::{Degradation, FrameSource, Scene, UrEncoder, VirtualCamera};
use criterion::{criterion_group, criterion_main, Criterion};
use image::GrayImage;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const VERSIONS: [i16; 4] = [10, 15, 20, 25];
const MODULE_PX: [f32; 2] = [3.0, 5.0];
const EC: EcLevel = EcLevel::L;

struct Cell {
    version: i16,
    module_px: f32,
    condition: &'static str,
    frames: Vec<GrayImage>,
    expected: Vec<String>,
}

impl Cell {
    fn name(&self) -> String {
        format!("v{}/{}px/{}", self.version, self.module_px, self.condition)
    }
}

/// The largest fragment whose parts still fit `version`, and `n` of its parts.
fn parts_for_version(version: i16, n: usize) -> Vec<String> {
    let message: Vec<u8> = (0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let mut best = None;
    for frag in (10..1200).step_by(5) {
        let mut enc = UrEncoder::new("bytes", &message, frag).unwrap();
        match qr::symbol(&enc.next_part(), EC) {
            Ok(s) if s.version == version => best = Some(frag),
            Ok(s) if s.version > version => break,
            _ => {}
        }
    }
    let mut enc = UrEncoder::new("bytes", &message, best.expect("a fragment fits")).unwrap();
    enc.parts(n)
}

fn build_cells(frames_per_cell: usize) -> Vec<Cell> {
    let mut cells = Vec::new();
    for version in VERSIONS {
        let parts = parts_for_version(version, frames_per_cell);
        for module_px in MODULE_PX {
            for condition in Degradation::NAMES {
                let degradation = Degradation::named(condition).unwrap();
                let scene = Scene { module_px, ec: EC, ..Scene::default() };
                let mut cam = VirtualCamera::new(parts.clone().into_iter(), scene, degradation, 42 + version as u64);
                let mut frames = Vec::new();
                while let Some(f) = cam.next_frame().unwrap() {
                    frames.push(f.image);
                }
                cells.push(Cell { version, module_px, condition, frames, expected: parts.clone() });
            }
        }
    }
    cells
}

/// (hits, mean ms) of one engine over a cell.
fn measure(cell: &Cell, engine: QrEngine) -> (usize, f64) {
    let mut hits = 0;
    let started = Instant::now();
    for (frame, expected) in cell.frames.iter().zip(&cell.expected) {
        if qr::decode(frame, engine).iter().any(|t| t == expected) {
            hits += 1;
        }
    }
    (hits, started.elapsed().as_secs_f64() * 1e3 / cell.frames.len() as f64)
}

/// Builds the ZBar helper (benches/zbar_decode.c) if libzbar is installed.
fn zbar_helper() -> Option<PathBuf> {
    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
    let exe = target.join("zbar_decode");
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/zbar_decode.c");
    let ok = Command::new("cc").args(["-O2"]).arg(&src).args(["-lzbar", "-o"]).arg(&exe).status().map(|s| s.success());
    matches!(ok, Ok(true)).then_some(exe)
}

fn measure_zbar(helper: &Path, cell: &Cell, dir: &Path) -> (usize, f64) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let mut paths = Vec::new();
    for (i, frame) in cell.frames.iter().enumerate() {
        let path = dir.join(format!("{i:03}.pgm"));
        let mut bytes = format!("P5 {} {} 255\n", frame.width(), frame.height()).into_bytes();
        bytes.extend_from_slice(frame.as_raw());
        std::fs::write(&path, bytes).unwrap();
        paths.push(path);
    }
    let out = Command::new(helper).args(&paths).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let (mut hits, mut ms) = (0, 0.0);
    for (line, expected) in text.lines().zip(&cell.expected) {
        let (t, data) = line.split_once(' ').unwrap_or((line, "-"));
        ms += t.parse::<f64>().unwrap_or(0.0);
        if data == expected {
            hits += 1;
        }
    }
    (hits, ms / cell.frames.len() as f64)
}

fn print_table(cells: &[Cell]) {
    let zbar = zbar_helper();
    let frames_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/zbar-frames");
    let mut table = String::from(
        "| QR | module | condition | rxing ok | rxing ms | rqrr ok | rqrr ms | rxing+rqrr ok | ZBar ok | ZBar ms | ok vs ZBar | time / ZBar |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    let mut totals = [0usize; 4];
    let mut frames_total = 0;
    for cell in cells {
        let n = cell.frames.len();
        let (rx, rx_ms) = measure(cell, QrEngine::Rxing);
        let (rq, rq_ms) = measure(cell, QrEngine::Rqrr);
        let (both, _) = measure(cell, QrEngine::RxingThenRqrr);
        let z = zbar.as_ref().map(|h| measure_zbar(h, cell, &frames_dir));
        let pct = |k: usize| format!("{:.0}%", 100.0 * k as f64 / n as f64);
        let (z_ok, z_ms, vs_ok, vs_ms) = match z {
            Some((zh, zms)) => {
                totals[3] += zh;
                (pct(zh), format!("{zms:.1}"), format!("{:+}", rx as i64 - zh as i64), format!("{:.2}", rx_ms / zms))
            }
            None => ("n/a".into(), "n/a".into(), "n/a".into(), "n/a".into()),
        };
        totals[0] += rx;
        totals[1] += rq;
        totals[2] += both;
        frames_total += n;
        let _ = writeln!(
            table,
            "| v{} | {} px | {} | {} | {:.1} | {} | {:.1} | {} | {} | {} | {} | {} |",
            cell.version, cell.module_px, cell.condition, pct(rx), rx_ms, pct(rq), rq_ms, pct(both), z_ok, z_ms, vs_ok, vs_ms
        );
    }
    let pct = |k: usize| 100.0 * k as f64 / frames_total as f64;
    let _ = writeln!(
        table,
        "\nAll {frames_total} frames: rxing {:.1}%, rqrr {:.1}%, rxing+rqrr {:.1}%, ZBar {}",
        pct(totals[0]),
        pct(totals[1]),
        pct(totals[2]),
        if zbar.is_some() { format!("{:.1}%", pct(totals[3])) } else { "not installed (bash benches/setup.sh)".into() }
    );
    println!("{table}");
    let _ = std::fs::write(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-qr-decode.md"), table);
}

fn bench(c: &mut Criterion) {
    let frames_per_cell = std::env::var("AIRSIGN_BENCH_FRAMES").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let cells = build_cells(frames_per_cell);
    print_table(&cells);

    let mut group = c.benchmark_group("qr_decode_rxing");
    group.sample_size(10).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(1));
    for cell in &cells {
        group.bench_function(cell.name(), |b| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % cell.frames.len();
                qr::decode(&cell.frames[i], QrEngine::Rxing)
            })
        });
    }
    // A frame with no code (the camera pointed elsewhere) must be cheap to reject.
    let off_screen = Scene { center: (-10.0, -10.0), ..Scene::default() };
    let mut empty = VirtualCamera::new(std::iter::once("UR:BYTES/AE".to_string()), off_screen, Degradation::named("noise").unwrap(), 1);
    let blank = empty.next_frame().unwrap().unwrap().image;
    group.bench_function("no_code", |b| b.iter(|| qr::decode(&blank, QrEngine::Rxing)));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
