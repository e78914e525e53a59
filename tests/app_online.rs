//! End to end across the two apps' screens through the virtual camera: the offline app's
//! player -> the online app's scanner and back, for an XRPL batch of 10 (against the rippled
//! stand-in) and for a Monero key image export.
#![cfg(all(feature = "gui", feature = "net"))]

mod app_harness;
mod common;

use airsign::app::offline::OfflineApp;
use airsign::app::online::OnlineApp;
use app_harness::{camera_on, codes_in, fill, film, parts_of, restore_monero, restore_xrpl, screenshot, skip_online_guide, start_scan, step_until_within, Screen, SoftRenderer};
use egui_kittest::kittest::{NodeT, Queryable};
use egui_kittest::Harness;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn step_until<S>(h: &mut Harness<'_, S>, what: &str, done: impl Fn(&Harness<'_, S>) -> bool) {
    step_until_within(h, what, Duration::from_secs(90), |_| String::new(), done);
}


#[test]
fn xrpl_batch_of_ten_goes_from_the_offline_app_to_the_online_app_and_the_ledger() {
    let dir = std::env::temp_dir().join(format!("airsign-app-online-xrpl-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let account = "r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6";
    let standin = common::start_standin(&serde_json::json!({"accounts": {account: {"balance": "100000000", "sequence": 7}}, "ledger_index": 900}), &dir);

    let to_offline: Screen = Arc::new(Mutex::new(Vec::new()));
    let to_online: Screen = Arc::new(Mutex::new(Vec::new()));
    let mut off = Harness::builder().with_size([900.0, 1400.0]).renderer(SoftRenderer::default()).build_ui_state(|ui, app: &mut OfflineApp| app.ui(ui), OfflineApp::new(dir.join("keys"), camera_on(&to_offline, 3)));
    let mut on = Harness::builder()
        .with_size([900.0, 1400.0])
        .renderer(SoftRenderer::default())
        .build_ui_state(|ui, app: &mut OnlineApp| app.ui(ui), OnlineApp::new(dir.join("online.sqlite"), standin.url.clone(), camera_on(&to_online, 3)));
    off.run_steps(2);
    on.run_steps(2);

    // Offline: restore the tutorial's account; show it; the online app watches it.
    // The set-up guide ends on the account's QR.
    restore_xrpl(&mut off, "shYHSiJod8CLPTj1SNJ2PdUFj4pFk", "cold", "pw");
    film(&mut off, OfflineApp::showing, &to_online);
    // Online, a fresh install: its guide. The XRP Ledger; the node (the stand-in), checked;
    // the account scanned, and its state read right after.
    assert!(on.query_by_label("Set up · step 1 of 3: what this computer watches").is_some(), "the online guide");
    on.get_by_label("XRP Ledger (an account)").click();
    on.run_steps(2);
    on.get_by_label("Next").click();
    on.run_steps(2);
    assert_eq!(on.get_by_label("rippled URL").value().as_deref(), Some(standin.url.as_str()));
    on.get_by_label("Check the node").click();
    step_until(&mut on, "the node's answer", |h| h.query_all_by_label_contains("rippled answers: validated ledger").next().is_some());
    on.get_by_label("Next").click();
    on.run_steps(2);
    screenshot(&mut on, "online-setup-scan");
    start_scan(&mut on, "Scan an account from the offline side");
    step_until(&mut on, "the state QR, right after watching", |h| h.state().showing().is_some());

    // Online: the state is shown; offline: scan and apply it.
    film(&mut on, OnlineApp::showing, &to_offline);
    off.get_by_label("Done").click();
    off.run_steps(2);
    start_scan(&mut off, "Scan account state");
    step_until(&mut off, "the state applied", |h| h.state().notice().is_some_and(|n| n.contains("next Sequence 7")));

    // Offline: ten payments from templates, reviewed, approved, shown; online: scanned,
    // submitted in groups of 10, outcomes listed.
    let templates: Vec<serde_json::Value> = (0..10).map(|i| serde_json::json!({"template": "Payment", "destination": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", "amount": format!("{}", 1_000_000 + i)})).collect();
    let batch = dir.join("batch.json");
    std::fs::write(&batch, serde_json::to_string(&templates).unwrap()).unwrap();
    fill(&mut off, "Templates file", batch.to_str().unwrap());
    off.get_by_label("Review templates").click();
    off.run_steps(3);
    assert!(off.query_by_label("Transaction 10 of 10: Payment, Sequence 16").is_some(), "one header per transaction");
    assert!(off.query_all_by_label_contains("Payment, Sequence 16: pays 1.000009 XRP to rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn").next().is_some(), "the review names each payment");
    assert!(off.query_by_label("10 transaction(s): up to 10.000045 XRP can leave the account, to 1 address(es); fees 0.0001 XRP").is_some(), "the headline");
    assert!(off.query_all_by_label("1.000009 XRP").next().is_some(), "every field, the Amount among them");
    screenshot(&mut off, "offline-xrpl-review");
    assert!(off.get_by_label("Approve and sign").accesskit_node().is_disabled(), "not before the tenth transaction was on screen");
    app_harness::scroll_through_review(&mut off);
    // The keyboard audit of the review, once the approve button is enabled.
    app_harness::tab_reaches_every_control(&mut off, "the XRPL batch review");
    app_harness::scroll_through_review(&mut off);
    off.get_by_label("Approve and sign").click();
    off.run_steps(2);
    assert!(!off.state().notice().is_some_and(|n| !n.contains("watching") && !n.contains("next Sequence")), "{:?}", off.state().notice());
    step_until(&mut off, "the signed QR", |h| h.state().showing().is_some());
    // The pixels the app draws hold a QR code our scanner reads: the part on screen.
    let shot = screenshot(&mut off, "offline-xrpl-signed");
    assert_eq!(codes_in(&shot), vec![off.state().showing().unwrap().part_text().to_owned()]);
    film(&mut off, OfflineApp::showing, &to_online);
    on.get_by_label("Done").click();
    on.run_steps(2);
    start_scan(&mut on, "Scan signed XRPL transactions");
    step_until(&mut on, "the outcomes", |h| h.state().lines().is_some());
    let lines = on.state().lines().unwrap().to_vec();
    screenshot(&mut on, "online-xrpl-outcomes");
    assert_eq!(lines.len(), 10, "{lines:?}");
    assert!(lines.iter().all(|l| l.contains("tesSUCCESS")), "{lines:?}");
    for seq in 7..17 {
        assert!(lines.iter().any(|l| l.contains(&format!("Sequence {seq} "))), "Sequence {seq}: {lines:?}");
    }

    // Offline: a SetRegularKey hands the account to another key. The review names the key
    // in a warning, and signing waits for the tick that says it was read.
    off.get_by_label("Done").click();
    off.run_steps(2);
    // (The templates field still names batch.json.)
    std::fs::write(&batch, r#"[{"template": "SetRegularKey", "regular_key": "rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe"}]"#).unwrap();
    off.get_by_label("Review templates").click();
    off.run_steps(3);
    assert!(off.query_all_by_label_contains("hands signing power over this account to the key of rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe").next().is_some(), "the warning; notice {:?}", off.state().notice());
    assert!(off.get_by_label("Approve and sign").accesskit_node().is_disabled(), "signing waits for the tick");
    screenshot(&mut off, "offline-xrpl-review-warning");
    off.get_by_label("I have read every warning and still want to sign").click();
    off.run_steps(2);
    assert!(!off.get_by_label("Approve and sign").accesskit_node().is_disabled());
    off.get_by_label("Reject").click();
    off.run_steps(2);
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
    let offline = OfflineApp::new(dir.join("keys"), camera_on(&to_offline, 3));
    let mut off = Harness::builder().with_size([900.0, 1400.0]).renderer(SoftRenderer::default()).build_ui_state(|ui, app: &mut OfflineApp| app.ui(ui), offline);
    off.run_steps(2);
    restore_monero(&mut off, m["mnemonic"].as_str().unwrap(), "cold", "pw");
    step_until(&mut off, "the Monero home screen", |h| h.query_by_label("Scan outputs").is_some());
    let outputs = hex::decode(f["outputs"].as_str().unwrap()).unwrap();
    *to_offline.lock().unwrap() = parts_of("xmr-output", &airsign::envelope::wrap_bytes(&outputs));
    start_scan(&mut off, "Scan outputs");
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
    let online = OnlineApp::new(dir.join("online.sqlite"), "http://127.0.0.1:9".into(), camera_on(&to_online, 3));
    let mut on = Harness::builder().with_size([900.0, 1400.0]).renderer(SoftRenderer::default()).build_ui_state(|ui, app: &mut OnlineApp| app.ui(ui), online);
    on.state_mut().set_save_dir(&dir);
    on.run_steps(2);
    skip_online_guide(&mut on);
    start_scan(&mut on, "Scan Monero key images or signed transaction");
    step_until(&mut on, "the saved file", |h| h.state().lines().is_some());
    assert_eq!(std::fs::read(dir.join("airsign-key-images")).unwrap(), expected);
    assert!(on.query_all_by_label_contains("saved ").next().is_some());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_scanned_monero_signed_set_is_opened_with_the_view_only_key_and_broadcast() {
    let f: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/monero/txsets.json")).unwrap()).unwrap();
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/regtest/signer.json")).unwrap()).unwrap();
    let keys = airsign::chain::monero::keys::WalletKeys::from_mnemonic(m["mnemonic"].as_str().unwrap(), airsign::chain::monero::keys::Network::Mainnet).unwrap();
    let dir = std::env::temp_dir().join(format!("airsign-app-online-bcast-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let screen: Screen = Arc::new(Mutex::new(parts_of("xmr-txsigned", &airsign::envelope::wrap_bytes(&hex::decode(f["signed_two"].as_str().unwrap()).unwrap()))));
    let app = OnlineApp::new(dir.join("online.sqlite"), "http://127.0.0.1:9".into(), camera_on(&screen, 3));
    let mut on = Harness::builder().with_size([900.0, 1400.0]).renderer(SoftRenderer::default()).build_ui_state(|ui, app: &mut OnlineApp| app.ui(ui), app);
    on.state_mut().set_save_dir(&dir);
    on.run_steps(2);
    skip_online_guide(&mut on);
    // Nothing listens on port 9: the set opens with the view key and the failure is reported
    // per transaction, the file kept.
    fill(&mut on, "monerod URL (to broadcast signed sets)", "http://127.0.0.1:9");
    fill(&mut on, "View-only wallet JSON (from the offline side; opens signed sets to broadcast them)", &airsign::signer::monero::view_only_json(&keys, 0, "cold"));
    start_scan(&mut on, "Scan Monero key images or signed transaction");
    step_until(&mut on, "the broadcast result", |h| h.state().lines().is_some());
    let lines = on.state().lines().unwrap().to_vec();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("saved "));
    assert!(lines[1].contains("http://127.0.0.1:9/send_raw_transaction"), "{lines:?}");
    assert_eq!(lines[1].split(':').next().unwrap().len(), 64, "the transaction hash: {lines:?}");
    assert!(dir.join("airsign-signed-tx").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
