//! The QR decoder on real photographs (fixtures/qr-photos: zxing-cpp's test samples,
//! six folders, 137 images with their texts), at 0, 90, 180 and 270 degrees, for airsign's
//! decoders and, in the same run, zxing-cpp (PyPI zxing-cpp, `bash tests/setup.sh`) and ZBar
//! (`bash benches/setup.sh`) when they are installed.
//!
//! `cargo bench --no-default-features --bench qr_photos`. AIRSIGN_QR_PHOTOS names another
//! folder; AIRSIGN_PHOTO_DECODERS=photo,frame picks airsign's decoders (default: all).
//! Every decoder reads the same 8-bit grayscale picture (written as PGM for the other two),
//! and only the decode is timed. A read counts when one decoded text equals the NAME.txt.

use airsign::transport::qr::{self, DecodeOptions, QrEngine};
use image::GrayImage;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

struct Case {
    folder: String,
    name: String,
    image: GrayImage,
    text: String,
}

fn load(root: &Path) -> Vec<Case> {
    let mut cases = Vec::new();
    for folder in (1..=6).map(|i| format!("qrcode-{i}")) {
        let dir = root.join(&folder);
        let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("png" | "jpg" | "webp")))
            .collect();
        names.sort();
        for path in names {
            let txt = path.with_extension("txt");
            let Ok(text) = std::fs::read_to_string(&txt) else { continue };
            let image = image::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).to_luma8();
            cases.push(Case { folder: folder.clone(), name: path.file_name().unwrap().to_string_lossy().into_owned(), image, text });
        }
    }
    cases
}

fn rotate(image: &GrayImage, degrees: u32) -> GrayImage {
    match degrees {
        90 => image::imageops::rotate90(image),
        180 => image::imageops::rotate180(image),
        270 => image::imageops::rotate270(image),
        _ => image.clone(),
    }
}

fn write_pgm(path: &Path, image: &GrayImage) {
    let mut data = format!("P5\n{} {}\n255\n", image.width(), image.height()).into_bytes();
    data.extend_from_slice(image.as_raw());
    std::fs::write(path, data).unwrap();
}

/// (reads, total ms) per (decoder, folder, rotation).
type Table = BTreeMap<(String, String, u32), (u32, u32, f64)>;

fn record(table: &mut Table, decoder: &str, folder: &str, rotation: u32, ok: bool, ms: f64) {
    let cell = table.entry((decoder.to_owned(), folder.to_owned(), rotation)).or_insert((0, 0, 0.0));
    cell.0 += ok as u32;
    cell.1 += 1;
    cell.2 += ms;
}

fn zxing_cpp(dir: &Path) -> Option<BTreeMap<String, (Vec<String>, f64)>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/zxing_photos.py");
    let out = Command::new("python3").arg(script).arg(dir).output().ok()?;
    if !out.status.success() {
        eprintln!("zxing-cpp not run: {}", String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or(""));
        return None;
    }
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    Some(
        json.as_object()?
            .iter()
            .map(|(k, v)| {
                let texts = v["texts"].as_array().map(|a| a.iter().filter_map(|t| t.as_str().map(str::to_owned)).collect()).unwrap_or_default();
                (k.clone(), (texts, v["ms"].as_f64().unwrap_or(0.0)))
            })
            .collect(),
    )
}

fn zbar_binary() -> Option<PathBuf> {
    if !Path::new("/usr/include/zbar.h").exists() {
        return None;
    }
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("zbar_decode");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/zbar_decode.c");
    let ok = Command::new("cc").args(["-O2"]).arg(&src).args(["-lzbar", "-o"]).arg(&out).status().ok()?.success();
    ok.then_some(out)
}

fn zbar(binary: &Path, files: &[PathBuf]) -> Vec<(Option<String>, f64)> {
    let out = Command::new(binary).args(files).output().expect("zbar_decode runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| {
            let (ms, text) = line.split_once(' ').unwrap_or((line, "-"));
            (if text == "-" { None } else { Some(unescape(text)) }, ms.parse().unwrap_or(0.0))
        })
        .collect()
}

/// Decoder options from a name such as "th+inv+glob+down" (for trying combinations).
fn options(name: &str) -> DecodeOptions {
    let mut o = DecodeOptions::FRAME;
    for token in name.split('+') {
        match token {
            "none" => {}
            "th" => o.try_harder = true,
            "inv" => o.also_inverted = true,
            "glob" => o.global_binarizer = true,
            "down" => o.downscale = true,
            "cpp" => o.java_fallback = false,
            other => panic!("unknown decoder option {other}: photo, frame, or th, inv, glob, down joined by +"),
        }
    }
    o
}

/// zbar_decode's escapes (\\n, \\r, \\\\) undone.
fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

fn main() {
    let root = std::env::var("AIRSIGN_QR_PHOTOS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/qr-photos"));
    let cases = load(&root);
    assert!(!cases.is_empty(), "no photographs in {}", root.display());
    let decoders: Vec<String> = std::env::var("AIRSIGN_PHOTO_DECODERS")
        .map(|v| v.split(',').map(str::to_owned).collect())
        .unwrap_or_else(|_| vec!["photo".into(), "frame".into()]);
    let pgm_root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("qr-photos-pgm");
    let zbar_bin = zbar_binary();
    let mut table = Table::new();
    println!("{} photographs from {}", cases.len(), root.display());
    for rotation in [0, 90, 180, 270] {
        let dir = pgm_root.join(rotation.to_string());
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let rotated: Vec<GrayImage> = cases.iter().map(|c| rotate(&c.image, rotation)).collect();
        let files: Vec<PathBuf> = cases.iter().map(|c| dir.join(format!("{}__{}.pgm", c.folder, c.name))).collect();
        for (file, image) in files.iter().zip(&rotated) {
            write_pgm(file, image);
        }
        for decoder in &decoders {
            for (case, image) in cases.iter().zip(&rotated) {
                let start = Instant::now();
                let texts: Vec<String> = match decoder.as_str() {
                    "photo" => qr::decode_photo(image),
                    "frame" => qr::decode(image, QrEngine::Rxing),
                    other => qr::decode_with(image, options(other)).into_iter().map(|f| f.text).collect(),
                };
                let ms = start.elapsed().as_secs_f64() * 1000.0;
                record(&mut table, &format!("airsign {decoder}"), &case.folder, rotation, texts.contains(&case.text), ms);
            }
        }
        if let Some(z) = zxing_cpp(&dir) {
            for (case, file) in cases.iter().zip(&files) {
                let key = file.file_name().unwrap().to_string_lossy().into_owned();
                let (texts, ms) = z.get(&key).cloned().unwrap_or_default();
                record(&mut table, "zxing-cpp", &case.folder, rotation, texts.contains(&case.text), ms);
            }
        }
        if let Some(bin) = &zbar_bin {
            for (case, (text, ms)) in cases.iter().zip(zbar(bin, &files)) {
                record(&mut table, "ZBar", &case.folder, rotation, text.as_deref() == Some(case.text.as_str()), ms);
            }
        }
    }
    print_table(&table);
}

fn print_table(table: &Table) {
    let decoders: Vec<String> = {
        let mut d: Vec<String> = table.keys().map(|k| k.0.clone()).collect();
        d.dedup();
        d
    };
    let folders: Vec<String> = (1..=6).map(|i| format!("qrcode-{i}")).collect();
    println!("\nReads (and mean ms per image) per folder and rotation:\n");
    println!("| decoder | rotation | {} | all | ms/image |", folders.join(" | "));
    println!("|---|---|{}---|---|", "---|".repeat(folders.len()));
    for d in &decoders {
        for rotation in [0, 90, 180, 270] {
            let cells: Vec<(u32, u32, f64)> = folders.iter().map(|f| table.get(&(d.clone(), f.clone(), rotation)).copied().unwrap_or_default()).collect();
            let (ok, n, ms) = cells.iter().fold((0, 0, 0.0), |a, c| (a.0 + c.0, a.1 + c.1, a.2 + c.2));
            let per: Vec<String> = cells.iter().map(|c| format!("{}/{} ({:.1})", c.0, c.1, c.2 / c.1.max(1) as f64)).collect();
            println!("| {d} | {rotation} | {} | {ok}/{n} | {:.1} |", per.join(" | "), ms / n.max(1) as f64);
        }
    }
    // Ratios against zxing-cpp, when it ran.
    if decoders.iter().any(|d| d == "zxing-cpp") {
        println!("\nAgainst zxing-cpp (reads difference; time ratio):\n");
        for d in decoders.iter().filter(|d| d.starts_with("airsign")) {
            for rotation in [0, 90, 180, 270] {
                let sum = |dec: &str| {
                    folders.iter().map(|f| table.get(&(dec.to_owned(), f.clone(), rotation)).copied().unwrap_or_default()).fold((0, 0.0), |a, c| (a.0 + c.0, a.1 + c.2))
                };
                let (ours, our_ms) = sum(d);
                let (theirs, their_ms) = sum("zxing-cpp");
                println!("{d} at {rotation}: {:+} reads, {:.2}x the time", ours as i64 - theirs as i64, our_ms / their_ms.max(1e-9));
            }
        }
    }
}
