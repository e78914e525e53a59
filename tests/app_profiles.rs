//! The player's profile picker in the app: a wallet's display style chosen for a payload
//! type, shown exactly as the transport's profile makes it, and remembered across screens
//! and restarts, with the fragment size, frame rate and the scanner's camera resolution
//! (the settings file: beside the keystore here, the platform config directory in the apps;
//! an older release's file beside the keystore is carried over).
#![cfg(feature = "gui")]

mod app_harness;

use airsign::app::offline::OfflineApp;
use airsign::transport::profile::{Profile, Stream};
use app_harness::{camera_on, fill, restore_xrpl, skip_online_guide, step_until_within, unlock, Screen, SoftRenderer};
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn app<'a>(dir: &std::path::Path) -> Harness<'a, OfflineApp> {
    let screen: Screen = Arc::new(Mutex::new(Vec::new()));
    let mut h = Harness::builder().with_size([900.0, 1400.0]).renderer(SoftRenderer::default()).build_ui_state(|ui, app: &mut OfflineApp| app.ui(ui), OfflineApp::new(dir.to_owned(), camera_on(&screen, 1)));
    h.run_steps(2);
    h
}

/// The app with an XRPL account restored in `dir`, showing its `xrpl-account` code.
fn showing_a_restored_account<'a>(dir: &std::path::Path) -> Harness<'a, OfflineApp> {
    let mut h = app(dir);
    restore_xrpl(&mut h, "shYHSiJod8CLPTj1SNJ2PdUFj4pFk", "cold", "pw");
    h.run_steps(2);
    h
}

#[test]
fn a_profile_picked_for_a_payload_type_is_shown_and_remembered() {
    let dir = std::env::temp_dir().join(format!("airsign-app-profiles-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut h = showing_a_restored_account(&dir);
    let standard = h.state().showing().unwrap().part_text().to_owned();
    assert!(standard.starts_with("UR:XRPL-ACCOUNT/"), "{standard}");
    // Only the profiles that can show an xrpl-account are offered.
    h.get_by_label("show for").click();
    h.run_steps(2);
    assert!(h.query_by_label("xaman").is_none(), "Xaman takes signed transactions only");
    h.get_by_label("cake").click();
    h.run_steps(2);
    let message = h.state().showing().unwrap().message().to_vec();
    let expected = Stream::new(Profile::Cake, "xrpl-account", &message, None, None).unwrap().next_text();
    assert_eq!(h.state().showing().unwrap().part_text(), expected);
    assert!(expected.starts_with("ur:xrpl-account/1-1/"), "{expected}");
    assert!(h.query_all_by_label_contains("for Cake Wallet").next().is_some());
    h.get_by_label("Done").click();
    h.run_steps(2);
    // The next code of that type starts in the chosen profile...
    h.get_by_label("Show account").click();
    h.run_steps(2);
    assert_eq!(h.state().showing().unwrap().profile(), Profile::Cake);
    drop(h);
    // ...and so after a restart.
    let mut h = app(&dir);
    unlock(&mut h, "cold", "pw");
    step_until_within(&mut h, "the XRPL home screen", Duration::from_secs(60), |_| String::new(), |h| h.query_by_label("Show account").is_some());
    h.get_by_label("Show account").click();
    h.run_steps(2);
    assert_eq!(h.state().showing().unwrap().profile(), Profile::Cake);
    assert!(h.state().showing().unwrap().part_text().starts_with("ur:xrpl-account/1-1/"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Keystone's SDK (fixtures/keystone) makes the request a Keystone-style tool shows; the
/// offline app scans it through the virtual camera, reviews and signs it, and answers with
/// a bytes code that the SDK's parseSignature reads. Then the same Sequence, not in the
/// ledger, is replaced on screen with a higher fee.
#[test]
fn a_keystone_style_request_and_a_replacement_on_screen() {
    use airsign::envelope::xrpl::{Versioned, XrplSignedPayload, XrplStatePayload};
    use airsign::signer::xrpl as offline;
    let dir = std::env::temp_dir().join(format!("airsign-app-keystone-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    // The account as an earlier xrpl-state left it: next Sequence 5, ledger 8800.
    let seed = airsign::chain::xrpl::keys::Seed::parse("shYHSiJod8CLPTj1SNJ2PdUFj4pFk", None).unwrap();
    let (info, secret) = offline::keystore_record("k", &seed);
    airsign::keystore::Keystore::open(&dir).unwrap().create(info, &secret, "pw").unwrap();
    let mut acct = offline::XrplAccount::new(&seed.key_pair());
    (acct.next_sequence, acct.reported_sequence, acct.ledger_index, acct.state_applied_at) = (5, 5, 8800, airsign::signer::now());
    offline::save_account(&dir, "k", &acct).unwrap();

    let screen: Screen = Arc::new(Mutex::new(Vec::new()));
    let mut h = Harness::builder().with_size([900.0, 1400.0]).renderer(SoftRenderer::default()).build_ui_state(|ui, app: &mut OfflineApp| app.ui(ui), OfflineApp::new(dir.clone(), camera_on(&screen, 4)));
    h.run_steps(2);
    unlock(&mut h, "k", "pw");
    let until = |h: &mut Harness<'_, OfflineApp>, what: &str, done: &dyn Fn(&Harness<'_, OfflineApp>) -> bool| step_until_within(h, what, Duration::from_secs(60), |a| format!("; notice {:?}", a.notice()), done);
    until(&mut h, "the XRPL home screen", &|h| h.query_by_label("Scan Keystone-style request").is_some());

    let tx = serde_json::json!({"TransactionType": "Payment", "Account": "r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6", "Destination": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn",
        "Amount": "10000000", "Fee": "12", "Sequence": 5, "LastLedgerSequence": 9000, "Flags": 2147483648u32,
        "SigningPubKey": "03396074ED4B8155ACF9A8DC3665EFA53B5CFA0A1E91C3879303D37721EB222644"});
    let request = keystone("request", &tx.to_string());
    *screen.lock().unwrap() = (0..4).flat_map(|_| request.lines().map(str::to_owned)).collect();
    app_harness::start_scan(&mut h, "Scan Keystone-style request");
    until(&mut h, "the review", &|h| h.query_by_label("Approve and sign").is_some());
    assert!(h.query_all_by_label_contains("pays 10 XRP to rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn").next().is_some());
    h.get_by_label("Approve and sign").click();
    until(&mut h, "the answer", &|h| h.state().showing().is_some());
    let answer = h.state().showing().unwrap().all_parts_text();
    assert!(answer.starts_with("UR:BYTES/"), "{answer}");
    let parsed: serde_json::Value = serde_json::from_str(&keystone("parse", &answer)).unwrap();
    let blob = airsign::envelope::unwrap_bytes(h.state().showing().unwrap().message()).unwrap();
    let signed = airsign::chain::xrpl::codec::decode(&blob).unwrap();
    assert_eq!(parsed["signature"], signed["TxnSignature"], "Keystone's SDK reads our answer");
    h.get_by_label("Done").click();
    h.run_steps(2);

    // The online side reports Sequence 5 still unused (the transaction expired): replace it.
    let state = XrplStatePayload { version: 1, account: "r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6".into(), sequence: 5, ledger_index: 9001, balance_drops: 50_000_000, fee_drops: 12, validated: true, outcomes: vec![], tickets: None, regular_key: None, master_disabled: None, signer_list: None };
    *screen.lock().unwrap() = app_harness::parts_of("xrpl-state", &state.to_cbor());
    app_harness::start_scan(&mut h, "Scan account state");
    until(&mut h, "the state applied", &|h| h.query_by_label("Scan account state").is_some() && h.state().notice().is_some_and(|n| n.contains("not in the ledger: [5]")));
    let template = dir.join("one.json");
    std::fs::write(&template, r#"{"template": "Payment", "destination": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", "amount": "10000000"}"#).unwrap();
    fill(&mut h, "Templates file", template.to_str().unwrap());
    fill(&mut h, "Replace Sequence", "5");
    fill(&mut h, "fee (drops)", "20");
    h.get_by_label("Review replacement").click();
    h.run_steps(3);
    h.get_by_label("Approve and sign").click();
    until(&mut h, "the replacement's QR", &|h| h.state().showing().is_some());
    let p = XrplSignedPayload::from_cbor(h.state().showing().unwrap().message()).unwrap();
    let tx = airsign::chain::xrpl::codec::decode(&p.transactions[0].blob).unwrap();
    assert_eq!((tx["Sequence"].as_u64(), tx["Fee"].as_str()), (Some(5), Some("20")));
    assert!(tx["LastLedgerSequence"].as_u64().unwrap() > 9001);
    let journal = std::fs::read_to_string(dir.join("journal.log")).unwrap();
    assert!(journal.contains("\"replaces\":\""), "recorded as a replacement: {journal}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn keystone(mode: &str, stdin: &str) -> String {
    use std::io::Write;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/keystone/keystone.js");
    let mut child = std::process::Command::new("node").arg(script).arg(mode).stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).spawn().expect("node (tests/setup.sh)");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "keystone.js {mode} failed");
    String::from_utf8(out.stdout).unwrap()
}

/// The player's two measured presets (docs/app.md): the standard one for a laptop webcam at
/// arm's length, and the dense one for a good camera close to the screen.
#[test]
fn the_player_offers_the_standard_and_the_dense_preset() {
    use airsign::transport::player::{DEFAULT_FPS, DEFAULT_FRAGMENT, DENSE_FPS, DENSE_FRAGMENT};
    let dir = std::env::temp_dir().join(format!("airsign-app-presets-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut h = showing_a_restored_account(&dir);
    let settings = |h: &Harness<'_, OfflineApp>| {
        let p = h.state().showing().unwrap();
        (p.fragment(), p.fps())
    };
    assert_eq!(settings(&h), (DEFAULT_FRAGMENT, DEFAULT_FPS));
    h.get_by_label("Dense: a good camera close to the screen").click();
    h.run_steps(2);
    assert_eq!(settings(&h), (DENSE_FRAGMENT, DENSE_FPS));
    assert!(h.query_all_by_label_contains(&format!("fragments of up to {DENSE_FRAGMENT} bytes")).next().is_some());
    h.get_by_label("Standard camera").click();
    h.run_steps(2);
    assert_eq!(settings(&h), (DEFAULT_FRAGMENT, DEFAULT_FPS));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn full_screen_shows_the_code_alone_with_its_progress_and_esc_leaves() {
    let dir = std::env::temp_dir().join(format!("airsign-app-fullscreen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut h = showing_a_restored_account(&dir);
    assert!(h.query_all_by_label_contains("part 1: a single code").next().is_none());
    h.get_by_label("Full screen").click();
    h.run_steps(3);
    assert!(h.query_by_label("Done").is_none(), "the controls are hidden");
    assert!(h.query_by_label("Full screen").is_none());
    assert!(h.query_by_label("a single code: nothing to wait for · Esc leaves full screen").is_some(), "the progress line");
    // The drawn frame holds the code on screen, and it fills the window's short side.
    let shot = app_harness::screenshot(&mut h, "offline-player-full-screen");
    assert_eq!(app_harness::codes_in(&shot), vec![h.state().showing().unwrap().part_text().to_owned()]);
    let image = h.get_by_label("Animated QR code, full screen");
    let side = image.rect().width();
    assert!(side >= 880.0, "the code is {side} px wide in a 900 px window");
    h.key_press(eframe::egui::Key::Escape);
    h.run_steps(3);
    assert!(h.query_by_label("Done").is_some(), "Esc brings the controls back");
    assert!(h.query_by_label("Full screen").is_some());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fragment_size_frame_rate_and_camera_are_remembered_in_the_settings_file() {
    use airsign::app::online::OnlineApp;
    use airsign::app::widgets::{PlayerView, ProfileMemory};
    use airsign::transport::player::{DENSE_FPS, DENSE_FRAGMENT, DEFAULT_FRAGMENT};
    let dir = std::env::temp_dir().join(format!("airsign-app-settings-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let settings = dir.join("config/airsign/settings.json");
    // The player: the dense preset chosen for xrpl-account is written to the settings file.
    let mut h = showing_a_restored_account(&dir);
    h.state_mut().set_settings(&settings);
    h.get_by_label("Done").click();
    h.run_steps(2);
    h.get_by_label("Show account").click();
    h.run_steps(2);
    h.get_by_label("Dense: a good camera close to the screen").click();
    h.run_steps(2);
    let stored: serde_json::Value = serde_json::from_slice(&std::fs::read(&settings).expect("the settings file is written")).unwrap();
    assert_eq!(stored["players"]["xrpl-account"]["fragment"], DENSE_FRAGMENT);
    assert_eq!(stored["players"]["xrpl-account"]["fps"].as_f64(), Some(DENSE_FPS as f64));
    // Read back as the next start reads it: a new player of that type starts dense; other
    // types keep the default.
    let memory = ProfileMemory::open(settings.clone());
    let mut again = PlayerView::new("again", "xrpl-account", h.state().showing().unwrap().message()).unwrap();
    again.remember(&memory);
    assert_eq!((again.player.fragment(), again.player.fps()), (DENSE_FRAGMENT, DENSE_FPS));
    let mut other = PlayerView::new("other", "bytes", &airsign::envelope::wrap_bytes(&[7; 500])).unwrap();
    other.remember(&memory);
    assert_eq!(other.player.fragment(), DEFAULT_FRAGMENT);

    // The scanner: the resolution picked is remembered, and the next app's scanner starts
    // with it.
    let screen: Screen = Arc::new(Mutex::new(Vec::new()));
    let online = |path: &std::path::Path| OnlineApp::new(dir.join("online.sqlite"), "http://127.0.0.1:9".into(), camera_on(&screen, 1)).with_settings(path.to_owned());
    let mut on = Harness::builder().with_size([900.0, 1400.0]).renderer(SoftRenderer::default()).build_ui_state(|ui, app: &mut OnlineApp| app.ui(ui), online(&settings));
    on.run_steps(2);
    skip_online_guide(&mut on);
    on.get_by_label("Scan an account from the offline side").click();
    on.run_steps(2);
    on.get_by_label("resolution").click();
    on.run_steps(2);
    on.get_by_label("480p").click();
    on.run_steps(2);
    let stored: serde_json::Value = serde_json::from_slice(&std::fs::read(&settings).unwrap()).unwrap();
    assert_eq!(stored["camera"]["resolution"], serde_json::json!([640, 480]));
    assert_eq!(stored["players"]["xrpl-account"]["fragment"], DENSE_FRAGMENT, "the player's choice is kept beside it");
    let mut next = Harness::builder().with_size([900.0, 1400.0]).renderer(SoftRenderer::default()).build_ui_state(|ui, app: &mut OnlineApp| app.ui(ui), online(&settings));
    next.run_steps(2);
    skip_online_guide(&mut next);
    next.get_by_label("Scan an account from the offline side").click();
    next.run_steps(2);
    let shown = next.get_by_label("resolution").value();
    assert_eq!(shown.as_deref(), Some("480p"), "the scanner starts at the remembered resolution");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Choices an older release kept in player-profiles.json beside the keystore (or the watch
/// database) move to the settings file the first time the app opens it; the old file stays.
#[test]
fn choices_left_beside_the_keystore_by_an_older_release_move_to_the_settings_file() {
    use airsign::app::widgets::ProfileMemory;
    let dir = std::env::temp_dir().join(format!("airsign-app-settings-migration-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let legacy = dir.join("player-profiles.json");
    // The first form: a map of payload type to profile name.
    std::fs::write(&legacy, r#"{"xrpl-account": "cake"}"#).unwrap();
    let settings = dir.join("config/airsign/settings.json");
    let memory = ProfileMemory::open_migrating(settings.clone(), &legacy);
    assert_eq!(memory.lock().unwrap().get("xrpl-account"), Some(Profile::Cake));
    let stored: serde_json::Value = serde_json::from_slice(&std::fs::read(&settings).expect("carried over to the settings file")).unwrap();
    assert_eq!(stored["profiles"]["xrpl-account"], "cake");
    assert!(legacy.exists(), "the old file is left as it was");
    // Once the settings file exists it is the one read.
    std::fs::write(&legacy, r#"{"xrpl-account": "standard"}"#).unwrap();
    assert_eq!(ProfileMemory::open_migrating(settings.clone(), &legacy).lock().unwrap().get("xrpl-account"), Some(Profile::Cake));
    // The offline app does it with the file beside its keystore.
    let elsewhere = dir.join("config2/airsign/settings.json");
    let screen: Screen = Arc::new(Mutex::new(Vec::new()));
    let _app = OfflineApp::new(dir.clone(), camera_on(&screen, 1)).with_settings(elsewhere.clone());
    let stored: serde_json::Value = serde_json::from_slice(&std::fs::read(&elsewhere).expect("the app carried the old file over")).unwrap();
    assert_eq!(stored["profiles"]["xrpl-account"], "standard");
    let _ = std::fs::remove_dir_all(&dir);
}
