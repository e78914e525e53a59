//! The CLI verbs as a user runs them: the real binary, real pipes and files.

use std::path::PathBuf;
use std::process::Output;

mod common;

fn airsign(args: &[&str], stdin: &[u8]) -> Output {
    common::run_airsign(args, stdin, &[])
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("airsign-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn payload(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 31 % 251) as u8).collect()
}

#[test]
fn encode_decode_round_trip_with_fountain_parts_out_of_order() {
    let data = payload(4000);
    let out = airsign(&["ur", "encode", "--type", "bytes", "--wrap-bytes", "--max-fragment", "300", "--count", "30"], &data);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut parts: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(parts.len(), 30);
    assert!(parts.iter().all(|p| p.starts_with("UR:BYTES/") && *p == p.to_uppercase()));
    // Drop the first five plain fragments, reverse, add a non-UR line and lowercase one part.
    parts.drain(..5);
    parts.reverse();
    let mut input = String::from("hello\n");
    for (i, p) in parts.iter().enumerate() {
        input.push_str(&if i % 2 == 0 { p.to_lowercase() } else { p.to_string() });
        input.push('\n');
    }
    let out = airsign(&["ur", "decode", "--type", "bytes", "--unwrap-bytes"], input.as_bytes());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout, data);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 1: skipped: not a UR"), "{stderr}");
}

#[test]
fn decode_writes_exact_cbor_and_hex() {
    let cbor = [0x43, 1, 2, 3];
    let out = airsign(&["ur", "encode", "--type", "bytes"], &cbor);
    let part = String::from_utf8(out.stdout).unwrap();
    assert_eq!(part.lines().count(), 1, "a short message is one single-part UR");
    assert!(!part.contains("1-1"));
    let out = airsign(&["ur", "decode"], part.as_bytes());
    assert_eq!(out.stdout, cbor);
    let out = airsign(&["ur", "decode", "--hex"], part.as_bytes());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "43010203\n");
}

#[test]
fn decode_fails_on_incomplete_input_and_wrong_type() {
    let data = payload(2000);
    let out = airsign(&["ur", "encode", "--type", "bytes", "--wrap-bytes", "--max-fragment", "500"], &data);
    let parts = String::from_utf8(out.stdout).unwrap();
    let first_two: String = parts.lines().take(2).map(|l| format!("{l}\n")).collect();
    let out = airsign(&["ur", "decode"], first_two.as_bytes());
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("input ended before the message was complete"));

    let out = airsign(&["ur", "decode", "--type", "xmr-output"], parts.as_bytes());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected a UR of type 'xmr-output', got 'bytes'"));
}

#[test]
fn encode_refuses_a_wrong_file_for_a_known_type() {
    let out = airsign(&["ur", "encode", "--type", "xmr-txunsigned", "--wrap-bytes"], b"Monero unsigned tx set\x04rest");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("version 4"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = airsign(&["ur", "encode", "--type", "bytes"], b"not cbor");
    assert!(!out.status.success());
}

#[test]
fn qr_render_then_scan() {
    let dir = tempdir("qr");
    let frames = dir.join("frames");
    let gif = dir.join("anim.gif");
    let data = payload(2500);
    let out = airsign(
        &["qr", "render", "--type", "bytes", "--wrap-bytes", "--max-fragment", "400", "--count", "14", "--out", frames.to_str().unwrap(), "--gif", gif.to_str().unwrap()],
        &data,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut names: Vec<String> = std::fs::read_dir(&frames).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names.len(), 14);
    assert_eq!(names[0], "frame-0001.png");
    assert_eq!(&std::fs::read(&gif).unwrap()[..6], b"GIF89a");
    // Remove two plain fragments: fountain parts 8-14 stand in for them.
    std::fs::remove_file(frames.join("frame-0002.png")).unwrap();
    std::fs::remove_file(frames.join("frame-0005.png")).unwrap();
    let result = dir.join("out.bin");
    let out = airsign(
        &["qr", "scan", "--images", frames.to_str().unwrap(), "--type", "bytes", "--unwrap-bytes", "--out", result.to_str().unwrap()],
        b"",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read(&result).unwrap(), data);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_transfer_reports_and_verifies() {
    let out = airsign(&["demo", "transfer", "--bytes", "5000", "--condition", "clean", "--loss", "0.2", "--blur", "1.0", "--fps", "15"], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("complete:         yes, message verified"), "{text}");
    assert!(text.contains("effective rate:"));
    let out = airsign(&["demo", "transfer", "--bytes", "10", "--loss", "1.5"], b"");
    assert!(!out.status.success());
}

#[test]
fn demo_transfer_films_with_the_named_condition_and_the_apps_defaults() {
    let out = airsign(&["demo", "transfer", "--bytes", "3000", "--condition", "phone"], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let fragment = airsign::transport::player::DEFAULT_FRAGMENT;
    let fps = airsign::transport::player::DEFAULT_FPS;
    assert!(text.contains(&format!("fragments of <= {fragment} bytes")), "{text}");
    assert!(text.contains(&format!("camera:           phone, 30 fps, the code 440 px wide; the sender shows {fps} codes/s")), "{text}");
    assert!(text.contains("complete:         yes, message verified"), "{text}");
    // Codes too dense for the camera: said plainly, not just "incomplete".
    let out = airsign(&["demo", "transfer", "--bytes", "5000", "--condition", "webcam", "--max-fragment", "900"], b"");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no code was read in the first 90 frames"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = airsign(&["demo", "transfer", "--bytes", "10", "--condition", "fog"], b"");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown --condition fog: one of clean, blur, noise, lowcontrast, tilt, combined, webcam, phone"));
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let out = airsign(&["--version"], b"");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let commit = std::process::Command::new("git").args(["rev-parse", "HEAD"]).current_dir(env!("CARGO_MANIFEST_DIR")).output().ok().filter(|o| o.status.success()).map(|o| String::from_utf8(o.stdout).unwrap().trim().to_owned());
    let expected = format!("airsign {} (commit {})\n", env!("CARGO_PKG_VERSION"), std::env::var("AIRSIGN_GIT_COMMIT").ok().filter(|c| !c.is_empty()).or(commit).unwrap_or_else(|| "unknown".into()));
    assert_eq!(text, expected);
}

#[test]
fn doctor_names_what_a_bare_machine_lacks_and_still_succeeds() {
    // A machine with no display, no OpenGL, no camera, a wired card up and no keystore yet.
    let root = tempdir("doctor");
    std::fs::create_dir_all(root.join("proc/self")).unwrap();
    std::fs::write(root.join("proc/self/status"), "Uid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\nGroups:\t1000\n").unwrap();
    std::fs::create_dir_all(root.join("sys/class/net/eth0")).unwrap();
    std::fs::write(root.join("sys/class/net/eth0/operstate"), "up\n").unwrap();
    let keystore = root.join("keystore");
    let out = common::run_airsign(&["doctor", "--json", "--root", root.to_str().unwrap(), "--keystore", keystore.to_str().unwrap()], b"", &[("DISPLAY", ""), ("WAYLAND_DISPLAY", "")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let level = |topic: &str| findings.iter().find(|f| f["topic"] == topic).map(|f| f["level"].as_str().unwrap().to_owned());
    assert_eq!(level("display").as_deref(), Some("missing"));
    assert_eq!(level("opengl").as_deref(), Some("missing"));
    assert_eq!(level("camera").as_deref(), Some("missing"));
    assert_eq!(level("network").as_deref(), Some("warn"));
    assert_eq!(level("keystore").as_deref(), Some("note"));
    assert_eq!(level("clock").as_deref(), Some("ok"));
    // The plain form: one aligned line per finding, the level first.
    let out = common::run_airsign(&["doctor", "--root", root.to_str().unwrap(), "--keystore", keystore.to_str().unwrap()], b"", &[("DISPLAY", ""), ("WAYLAND_DISPLAY", "")]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().any(|l| l.starts_with("WARN     network   network interface eth0 is up")), "{text}");
    assert!(text.lines().any(|l| l.starts_with("MISSING  camera    no camera")), "{text}");
    let _ = std::fs::remove_dir_all(&root);
}
