//! End to end across the two apps' screens through the virtual camera: the offline side's
//! player -> the online app's scanner (and back), for an XRPL batch of 10 against the rippled
//! stand-in (the offline XRPL side is the CLI until the offline app has XRPL screens) and
//! for a Monero key image export made by the offline app.
#![cfg(all(feature = "gui", feature = "net"))]

mod common;

use airsign::app::offline::OfflineApp;
use airsign::app::online::OnlineApp;
use airsign::transport::{Degradation, FrameSource, Player, Scene, VirtualCamera};
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Screen = Arc<Mutex<Vec<String>>>;

/// Parts a player would show for a UR message: three cycles' worth.
fn parts_of(ur_type: &str, message: &[u8]) -> Vec<String> {
    let mut player = Player::new(ur_type, message, airsign::transport::player::DEFAULT_FRAGMENT, 8.0).unwrap();
    (0..3 * player.seq_len() + 2)
        .map(|i| {
            let p = player.part_text().to_owned();
            player.tick((i + 1) as f64).unwrap();
            p
        })
        .collect()
}

fn camera_on(screen: &Screen) -> airsign::app::widgets::SourceFactory {
    let screen = screen.clone();
    Box::new(move || {
        let parts = screen.lock().unwrap().clone();
        Ok(Box::new(VirtualCamera::new(parts.into_iter(), Scene::default(), Degradation::named("blur").unwrap(), 3)) as Box<dyn FrameSource + Send>)
    })
}

fn step_until<S>(h: &mut Harness<'_, S>, what: &str, done: impl Fn(&Harness<'_, S>) -> bool) {
    let start = Instant::now();
    while !done(h) {
        assert!(start.elapsed() < Duration::from_secs(90), "timed out waiting for {what}");
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    h.run_steps(2);
}

fn fill<S>(h: &mut Harness<'_, S>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run_steps(1);
    h.get_by_label(label).type_text(text);
    h.run_steps(1);
}

fn airsign(args: &[&str], stdin: &[u8], pw: &str) -> String {
    let out = common::run_airsign(args, stdin, &[("AIRSIGN_PASSPHRASE", pw)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn xrpl_batch_of_ten_from_the_offline_side_is_submitted_by_the_online_app() {
    let dir = std::env::temp_dir().join(format!("airsign-app-online-xrpl-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let ks = dir.join("keys");
    let ks = ks.to_str().unwrap();
    let account = "r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6";
    airsign(&["xrpl", "account", "restore", "--wallet", "cold", "--keystore", ks], b"shYHSiJod8CLPTj1SNJ2PdUFj4pFk\n", "pw");
    let standin = common::start_standin(&serde_json::json!({"accounts": {account: {"balance": "100000000", "sequence": 7}}, "ledger_index": 900}), &dir);

    let screen: Screen = Arc::new(Mutex::new(Vec::new()));
    let app = OnlineApp::new(dir.join("online.sqlite"), standin.url.clone(), camera_on(&screen));
    let mut h = Harness::builder().with_size([900.0, 1400.0]).build_ui_state(|ui, app: &mut OnlineApp| app.ui(ui), app);
    h.run_steps(2);

    // The offline side shows its account; the online app scans it and watches.
    *screen.lock().unwrap() = airsign(&["xrpl", "account", "export", "--wallet", "cold", "--keystore", ks, "--ur"], b"", "pw").lines().map(str::to_owned).collect();
    h.get_by_label("Scan an account from the offline side").click();
    h.run_steps(2);
    h.get_by_label("Start camera").click();
    step_until(&mut h, "watching", |h| h.state().notice().is_some_and(|n| n.contains("watching")));

    // Sync: the state the online app shows is what the offline side applies.
    h.get_by_label(&format!("Sync {account}")).click();
    step_until(&mut h, "the state QR", |h| h.state().showing().is_some());
    let player = h.state().showing().unwrap();
    assert_eq!(player.ur_type(), "xrpl-state");
    let state_parts = player.all_parts_text();
    let applied = airsign(&["xrpl", "account", "apply-state", "--wallet", "cold", "--keystore", ks], state_parts.as_bytes(), "pw");
    assert!(applied.contains("next Sequence 7"), "{applied}");
    h.get_by_label("Done").click();
    h.run_steps(2);

    // The offline side signs a batch of 10; the online app scans, submits, shows outcomes.
    let templates: Vec<serde_json::Value> = (0..10).map(|i| serde_json::json!({"template": "Payment", "destination": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", "amount": format!("{}", 1_000_000 + i)})).collect();
    let batch = dir.join("batch.json");
    std::fs::write(&batch, serde_json::to_string(&templates).unwrap()).unwrap();
    let signed = dir.join("signed.cbor");
    airsign(&["xrpl", "account", "sign-batch", "--wallet", "cold", "--keystore", ks, "--templates", batch.to_str().unwrap(), "--yes", "-o", signed.to_str().unwrap()], b"", "pw");
    let message = std::fs::read(&signed).unwrap();
    *screen.lock().unwrap() = parts_of("xrpl-signed", &message);
    h.get_by_label("Scan signed XRPL transactions").click();
    h.run_steps(2);
    h.get_by_label("Start camera").click();
    step_until(&mut h, "the outcomes", |h| h.state().lines().is_some());
    let lines = h.state().lines().unwrap().to_vec();
    assert_eq!(lines.len(), 10, "{lines:?}");
    assert!(lines.iter().all(|l| l.contains("tesSUCCESS")), "{lines:?}");
    for seq in 7..17 {
        assert!(lines.iter().any(|l| l.contains(&format!("Sequence {seq} "))), "Sequence {seq}: {lines:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn monero_key_images_cross_from_the_offline_app_to_the_online_app() {
    let f: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/monero/txsets.json")).unwrap()).unwrap();
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/regtest/signer.json")).unwrap()).unwrap();
    let dir = std::env::temp_dir().join(format!("airsign-app-online-xmr-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    // Offline app: restore, scan the outputs the view-only wallet exported.
    let to_offline: Screen = Arc::new(Mutex::new(Vec::new()));
    let offline = OfflineApp::new(dir.join("keys"), camera_on(&to_offline));
    let mut off = Harness::builder().with_size([900.0, 1400.0]).build_ui_state(|ui, app: &mut OfflineApp| app.ui(ui), offline);
    off.run_steps(2);
    fill(&mut off, "Wallet name", "cold");
    fill(&mut off, "Passphrase", "pw");
    fill(&mut off, "Or restore from the 25 words:", m["mnemonic"].as_str().unwrap());
    off.get_by_label("Restore Monero wallet").click();
    off.run_steps(3);
    let outputs = hex::decode(f["outputs"].as_str().unwrap()).unwrap();
    *to_offline.lock().unwrap() = parts_of("xmr-output", &airsign::envelope::wrap_bytes(&outputs));
    off.get_by_label("Scan outputs").click();
    off.run_steps(2);
    off.get_by_label("Start camera").click();
    step_until(&mut off, "the key images QR", |h| h.state().showing().is_some());

    // Online app: its camera films the offline app's player, part by part as it animates.
    let to_online: Screen = Arc::new(Mutex::new(Vec::new()));
    let mut shown = Vec::new();
    for _ in 0..3 * off.state().showing().unwrap().seq_len() + 2 {
        shown.push(off.state().showing().unwrap().part_text().to_owned());
        off.step();
        std::thread::sleep(Duration::from_millis(130));
    }
    *to_online.lock().unwrap() = shown;
    let expected = airsign::envelope::decode("xmr-keyimage", off.state().showing().unwrap().message()).unwrap().data;
    let online = OnlineApp::new(dir.join("online.sqlite"), "http://127.0.0.1:9".into(), camera_on(&to_online));
    let mut on = Harness::builder().with_size([900.0, 1400.0]).build_ui_state(|ui, app: &mut OnlineApp| app.ui(ui), online);
    on.state_mut().set_save_dir(&dir);
    on.run_steps(2);
    on.get_by_label("Scan Monero key images or signed transaction").click();
    on.run_steps(2);
    on.get_by_label("Start camera").click();
    step_until(&mut on, "the saved file", |h| h.state().lines().is_some());
    assert_eq!(std::fs::read(dir.join("airsign-key-images")).unwrap(), expected);
    assert!(on.query_all_by_label_contains("saved ").next().is_some());
    let _ = std::fs::remove_dir_all(&dir);
}
