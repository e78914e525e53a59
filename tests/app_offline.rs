//! The offline app driven headless (egui_kittest) by its accessibility labels: restore a
//! Monero wallet, scan outputs and unsigned sets from the virtual camera, review, approve,
//! and check what the next QR holds against Monero's own files (fixtures/monero/txsets.json).
#![cfg(feature = "gui")]

use airsign::app::offline::OfflineApp;
use airsign::keystore::Keystore;
use airsign::app::review_cards::group4;
use airsign::chain::monero::keys::{Network, WalletKeys};
use airsign::chain::monero::outputs::parse_key_images;
use airsign::chain::monero::sign::read_transaction;
use airsign::chain::monero::txset::{parse_signed, parse_unsigned, write_unsigned};
use airsign::chain::monero::wallet2_file::{open, seal, FileKind};
use airsign::transport::{Degradation, Player, Scene, VirtualCamera};
use app_harness::{camera_on, codes_in, fill, offline_app, parts_of, restore_monero, screenshot, start_scan, step_until_within, Screen, SoftRenderer};
use egui_kittest::kittest::{NodeT, Queryable};
use egui_kittest::Harness;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod app_harness;

fn fixture() -> Value {
    serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/monero/txsets.json")).unwrap()).unwrap()
}

fn mnemonic() -> String {
    let m: Value = serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/regtest/signer.json")).unwrap()).unwrap();
    m["mnemonic"].as_str().unwrap().to_owned()
}

/// Puts a wallet2 file on the other laptop's screen.
fn show(screen: &Screen, ur_type: &str, file: &[u8]) {
    *screen.lock().unwrap() = parts_of(ur_type, &airsign::envelope::wrap_bytes(file));
}

fn step_until(h: &mut Harness<'_, OfflineApp>, what: &str, done: impl Fn(&Harness<'_, OfflineApp>) -> bool) {
    step_until_within(h, what, Duration::from_secs(60), |app| format!("; notice: {:?}", app.notice()), done);
}

fn shown_file(h: &Harness<'_, OfflineApp>, ur_type: &str) -> Vec<u8> {
    let p = h.state().showing().expect("a QR is showing");
    assert_eq!(p.ur_type(), ur_type);
    airsign::envelope::decode(ur_type, p.message()).unwrap().data
}

#[test]
fn restore_scan_review_approve_through_the_virtual_camera() {
    let f = fixture();
    let hex_file = |name: &str| hex::decode(f[name].as_str().unwrap()).unwrap();
    let home = std::env::temp_dir().join(format!("airsign-app-offline-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    let screen: Screen = Arc::new(Mutex::new(Vec::new()));
    let app = OfflineApp::new(home.clone(), camera_on(&screen, 7));
    let mut h = Harness::builder().with_size([900.0, 1400.0]).renderer(SoftRenderer::default()).build_ui_state(|ui, app: &mut OfflineApp| app.ui(ui), app);
    h.run_steps(2);

    // An empty keystore opens on the set-up guide: Monero, mainnet, restore.
    assert!(h.query_by_label("Set up a wallet · step 1 of 6: what the wallet holds").is_some(), "the guide, first step");
    h.get_by_label("Monero").click();
    h.run_steps(1);
    h.get_by_label("Next").click();
    h.run_steps(2);
    h.get_by_label_contains("mainnet (").click();
    h.run_steps(2);
    h.get_by_label("Next").click();
    h.run_steps(2);
    h.get_by_label("Restore a wallet from its backup").click();
    h.run_steps(2);
    // The secret fields: what is typed is never in the accessibility tree (nor drawn).
    fill(&mut h, "Its 25 words", &mnemonic());
    let shown = h.get_by_label("Its 25 words").value().unwrap_or_default();
    assert!(!shown.contains(mnemonic().split(' ').next().unwrap()), "the words stay hidden: {shown}");
    h.get_by_label("Next").click();
    h.run_steps(2);
    fill(&mut h, "Wallet name", "cold");
    // Backspace takes back the last character; the two passphrases must agree.
    fill(&mut h, "Passphrase", "correct horsex");
    h.key_press(eframe::egui::Key::Backspace);
    h.run_steps(1);
    assert_eq!(h.get_by_label("Passphrase").value().as_deref(), Some("•".repeat(13).as_str()));
    fill(&mut h, "Passphrase again", "correct horsey");
    h.get_by_label("Restore and store").click();
    h.run_steps(2);
    assert!(h.query_by_label("the two passphrases differ: type it again").is_some());
    fill(&mut h, "Passphrase again", "correct horse");
    h.get_by_label("Restore and store").click();
    let keys = WalletKeys::from_mnemonic(&mnemonic(), Network::Mainnet).unwrap();
    let address = keys.address();
    // The guide ends on what the online side needs: the view-only wallet.
    step_until(&mut h, "the guide's last screen", |h| h.query_by_label("Your wallet is ready · last step: the online side").is_some());
    assert_eq!(h.state().notice(), Some("wallet 'cold' restored, encrypted"));
    h.get_by_label("Back").click();
    step_until(&mut h, "the home screen with the address", |h| h.query_all_by_label_contains(&address).next().is_some());
    screenshot(&mut h, "offline-monero-home");

    // The view-only export Feather scans: the drawn QR holds the JSON, and the screen says
    // what the view key reveals.
    h.get_by_label("Show view-only wallet").click();
    h.run_steps(3);
    assert!(h.query_all_by_label_contains("holds the secret view key").next().is_some());
    let shot = screenshot(&mut h, "offline-monero-view-only");
    let codes = codes_in(&shot);
    assert_eq!(codes.len(), 1, "one QR on screen");
    let json: Value = serde_json::from_str(&codes[0]).unwrap();
    assert_eq!(json["primaryAddress"].as_str(), Some(address.as_str()));
    assert_eq!(json["privateViewKey"].as_str(), Some(hex::encode(keys.view_secret_bytes()).as_str()));
    h.get_by_label("Back").click();
    h.run_steps(2);

    // Outputs -> key images, compared with the key image file monero-wallet-cli wrote.
    show(&screen, "xmr-output", &hex_file("outputs"));
    start_scan(&mut h, "Scan outputs");
    step_until(&mut h, "the key images QR", |h| h.state().showing().is_some());
    let shot = screenshot(&mut h, "offline-monero-key-images");
    assert_eq!(codes_in(&shot), vec![h.state().showing().unwrap().part_text().to_owned()], "the drawn code is the part on screen");
    let view = keys.view_secret_bytes();
    let ours = parse_key_images(&open(FileKind::KeyImages, &shown_file(&h, "xmr-keyimage"), &view).unwrap()).unwrap();
    let theirs = parse_key_images(&open(FileKind::KeyImages, &hex_file("key_images"), &view).unwrap()).unwrap();
    assert_eq!(ours.signed.iter().map(|s| s.0).collect::<Vec<_>>(), theirs.signed.iter().map(|s| s.0).collect::<Vec<_>>());
    // "Save as file" writes the wallet2 file itself (what Feather imports from a USB stick),
    // and never over an existing file.
    let saved = home.join("key-images-file");
    std::fs::create_dir_all(&home).unwrap();
    fill(&mut h, "Or save as a file (for a USB stick):", saved.to_str().unwrap());
    h.get_by_label("Save file").click();
    h.run_steps(2);
    assert_eq!(std::fs::read(&saved).unwrap(), shown_file(&h, "xmr-keyimage"));
    h.get_by_label("Save file").click();
    h.run_steps(2);
    assert!(h.query_all_by_label_contains("cannot create").next().is_some(), "an existing file is kept");
    h.get_by_label("Done").click();
    h.run_steps(2);

    // A wrong code while expecting an unsigned set is named; then the right one is reviewed.
    show(&screen, "xmr-output", &hex_file("outputs"));
    start_scan(&mut h, "Scan unsigned transaction");
    step_until(&mut h, "the wrong-type notice", |h| h.query_all_by_label_contains("this screen expects xmr-txunsigned").next().is_some());
    h.get_by_label("Stop camera").click();
    h.run_steps(2);
    show(&screen, "xmr-txunsigned", &hex_file("unsigned_two"));
    h.get_by_label("Start camera").click();
    step_until(&mut h, "the review", |h| h.query_by_label("Approve and sign").is_some());
    screenshot(&mut h, "offline-monero-review");
    // The card: what leaves and the fee in large type, each destination's amount and its
    // address in groups of four, the change marked as ours, the trusted-not-verified banner.
    assert!(h.query_by_label("Transaction 1 of 1").is_some());
    assert!(h.query_by_label("5.5 XMR leaves this wallet").is_some());
    assert!(h.query_by_label("fee 0.0034236 XMR").is_some());
    assert!(h.query_by_label("5.2 XMR").is_some());
    assert!(h.query_by_label(&group4(f["miner_address"].as_str().unwrap())).is_some(), "the destination, grouped by four");
    assert!(h.query_by_label("to change back to this wallet (checked with its keys)").is_some());
    assert!(h.query_all_by_label_contains("Trusted, not verified: ring members (decoys)").next().is_some(), "the decoy banner");
    assert!(h.query_all_by_label_contains("Sending 5.5 XMR to 2 other address(es), fee 0.0034236 XMR, on").next().is_some(), "the summary line");
    h.get_by_label("Approve and sign").click();
    step_until(&mut h, "the signed QR", |h| h.state().showing().is_some());
    let signed = parse_signed(&open(FileKind::SignedTxSet, &shown_file(&h, "xmr-txsigned"), &view).unwrap(), read_transaction).unwrap();
    assert_eq!(signed.ptx.len(), 1);
    assert_eq!(signed.ptx[0].fee, f["two_fee"].as_u64().unwrap());
    h.get_by_label("Done").click();
    h.run_steps(2);

    // The same inputs to another destination: the journal's warning, signing held back
    // until the user overrides.
    let plain = open(FileKind::UnsignedTxSet, &hex_file("unsigned_two"), &view).unwrap();
    let mut other = parse_unsigned(&plain).unwrap();
    let elsewhere = WalletKeys::generate(Network::Mainnet).unwrap();
    let tcd = &mut other.txes[0];
    for d in tcd.dests.iter_mut().chain(tcd.splitted_dsts.iter_mut()).filter(|d| d.amount == 5_200_000_000_000) {
        d.spend = elsewhere.spend_public();
        d.view = elsewhere.view_public();
    }
    show(&screen, "xmr-txunsigned", &seal(FileKind::UnsignedTxSet, &write_unsigned(&other), &view).unwrap());
    start_scan(&mut h, "Scan unsigned transaction");
    step_until(&mut h, "the second review", |h| h.query_by_label("Approve and sign").is_some());
    assert!(h.query_all_by_label_contains("already signed in a different set").next().is_some());
    screenshot(&mut h, "offline-monero-review-journal-warning");
    assert!(h.query_by_label(&group4(&elsewhere.address())).is_some(), "the review shows the new destination");
    h.get_by_label("Approve and sign").click();
    h.run_steps(3);
    assert!(h.state().showing().is_none(), "nothing is signed while the warning stands");
    h.get_by_label("Sign anyway (the journal's override)").click();
    h.run_steps(2);
    h.get_by_label("Approve and sign").click();
    step_until(&mut h, "the overridden signature", |h| h.state().showing().is_some());
    h.get_by_label("Done").click();
    h.run_steps(2);

    // The USB-stick path: the scanner loads wallet2's own file from disk; a file of
    // something else is named as such.
    let (sweep_file, junk_file) = (home.join("unsigned_sweep"), home.join("junk"));
    std::fs::write(&sweep_file, hex_file("unsigned_sweep")).unwrap();
    std::fs::write(&junk_file, b"not a wallet2 file").unwrap();
    h.get_by_label("Scan unsigned transaction").click();
    h.run_steps(2);
    fill(&mut h, "or a file:", junk_file.to_str().unwrap());
    h.get_by_label("Load file").click();
    h.run_steps(2);
    assert!(h.query_by_label("the file is not a xmr-txunsigned payload").is_some());
    // Select the junk path so the next one replaces it.
    h.get_by_label("or a file:").focus();
    h.run_steps(1);
    h.key_press_modifiers(eframe::egui::Modifiers::COMMAND, eframe::egui::Key::A);
    h.run_steps(1);
    h.get_by_label("or a file:").type_text(sweep_file.to_str().unwrap());
    h.run_steps(1);
    h.get_by_label("Load file").click();
    step_until(&mut h, "the review of the loaded set", |h| h.query_by_label("Approve and sign").is_some());
    assert!(h.query_all_by_label_contains("Sending ").next().is_some());
    h.get_by_label("Reject").click();
    h.run_steps(2);

    // Lock; a wrong passphrase does not unlock (Argon2id runs off the UI thread); the
    // right one does.
    h.get_by_label("Lock").click();
    h.run_steps(2);
    assert_eq!(h.get_by_label("Wallet name").value().as_deref(), Some("cold"), "the name stays; the passphrase does not");
    assert!(h.query_by_label("Unlock a wallet").is_some() && h.query_by_label("cold (Monero)").is_some(), "the keystore lists the wallet");
    fill(&mut h, "Passphrase", "wrong horse");
    h.get_by_label("Unlock").click();
    step_until(&mut h, "the refusal", |h| h.state().notice().is_some_and(|n| n.contains("wrong passphrase")));
    fill(&mut h, "Passphrase", "correct horse");
    h.get_by_label("Unlock").click();
    step_until(&mut h, "the unlocked wallet", |h| h.query_all_by_label_contains(&address).next().is_some());
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn the_scanner_shows_the_camera_picture_with_the_code_outlined() {
    let f = fixture();
    let home = std::env::temp_dir().join(format!("airsign-app-preview-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    // A camera that keeps filming the same two parts of a longer transfer: the scan stays
    // in progress, as when the phone shows only part of the sequence.
    let outputs = airsign::envelope::wrap_bytes(&hex::decode(f["outputs"].as_str().unwrap()).unwrap());
    let mut player = Player::new("xmr-output", &outputs, 150, 8.0).unwrap();
    assert!(player.seq_len() > 2);
    let two: Vec<String> = (0..2).map(|i| {
        let p = player.part_text().to_owned();
        player.tick((i + 1) as f64).unwrap();
        p
    }).collect();
    let sources = Arc::new(move || {
        let parts = two.clone().into_iter().cycle();
        Ok(Box::new(VirtualCamera::new(parts, Scene::default(), Degradation::named("blur").unwrap(), 5)) as Box<dyn airsign::transport::FrameSource + Send>)
    });
    let mut h = Harness::builder().with_size([900.0, 1000.0]).renderer(SoftRenderer::default()).build_ui_state(|ui, app: &mut OfflineApp| app.ui(ui), OfflineApp::new(home.clone(), sources));
    h.run_steps(2);
    restore_monero(&mut h, &mnemonic(), "cold", "pw");
    step_until(&mut h, "the Monero home screen", |h| h.query_by_label("Scan outputs").is_some());
    h.get_by_label("Scan outputs").click();
    h.run_steps(2);
    // The device picker lists what the camera set offers (here the virtual camera).
    h.get_by_label("Find cameras").click();
    h.run_steps(2);
    step_until(&mut h, "the device list", |h| h.query_by_label("looking for cameras").is_none() && h.query_by_label("Find cameras").is_some());
    h.get_by_label("camera").click();
    h.run_steps(2);
    h.get_by_label("virtual camera").click();
    h.run_steps(2);
    assert_eq!(h.get_by_label("camera").value().as_deref(), Some("virtual camera"), "the picked camera is shown");
    assert!(h.query_by_label("resolution").is_some());
    h.get_by_label("Start camera").click();
    let want = format!("2 of {} fragments resolved", player.seq_len());
    step_until(&mut h, "two fragments and the preview", |h| {
        h.query_by_label("Camera preview").is_some() && h.query_all_by_label_contains(&want).next().is_some()
    });
    // The outline (green) is drawn over the preview once a frame is decoded (a blurred
    // frame the decoder misses shows the picture without it: allow a few).
    let green = |shot: &image::RgbaImage| shot.pixels().filter(|p| p[1] > 150 && p[0] < 60 && p[2] < 120).count();
    let mut tries = 0;
    while green(&screenshot(&mut h, "offline-scanning")) < 200 {
        tries += 1;
        assert!(tries < 100, "no outline drawn in 100 frames");
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(h.query_all_by_label_contains("Receiving: xmr-output").next().is_some());
    h.get_by_label("Stop camera").click();
    h.run_steps(2);
    assert!(h.query_by_label("Camera preview").is_none());
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn a_batch_is_signed_only_after_every_transaction_has_been_on_screen() {
    let f = fixture();
    let hex_file = |name: &str| hex::decode(f[name].as_str().unwrap()).unwrap();
    let home = std::env::temp_dir().join(format!("airsign-app-offline-batch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    let screen: Screen = Arc::new(Mutex::new(Vec::new()));
    // A short window: the second transaction's card starts below the first screenful.
    let mut h = offline_app(&home, &screen, 560.0);
    restore_monero(&mut h, &mnemonic(), "cold", "pw");
    step_until(&mut h, "the Monero home screen", |h| h.query_by_label("Scan unsigned transaction").is_some());
    // One set of two transactions with different inputs: wallet2's two-destination
    // transaction and its sweep's.
    let keys = WalletKeys::from_mnemonic(&mnemonic(), Network::Mainnet).unwrap();
    let view = keys.view_secret_bytes();
    let mut batch = parse_unsigned(&open(FileKind::UnsignedTxSet, &hex_file("unsigned_two"), &view).unwrap()).unwrap();
    let sweep = parse_unsigned(&open(FileKind::UnsignedTxSet, &hex_file("unsigned_sweep"), &view).unwrap()).unwrap();
    batch.txes.extend(sweep.txes);
    show(&screen, "xmr-txunsigned", &seal(FileKind::UnsignedTxSet, &write_unsigned(&batch), &view).unwrap());
    start_scan(&mut h, "Scan unsigned transaction");
    step_until(&mut h, "the review", |h| h.query_by_label("Approve and sign").is_some());
    assert!(h.query_by_label("Transaction 2 of 2").is_some(), "notice: {:?}", h.state().notice());
    screenshot(&mut h, "offline-monero-review-batch");
    assert!(h.get_by_label("Approve and sign").accesskit_node().is_disabled(), "not before the last card was on screen");
    h.get_by_label("Approve and sign").scroll_to_me();
    h.run_steps(3);
    assert!(!h.get_by_label("Approve and sign").accesskit_node().is_disabled(), "the last card has been on screen");
    // Scrolling back up does not take it back.
    h.get_by_label("Transaction 1 of 2").scroll_to_me();
    h.run_steps(3);
    assert!(!h.get_by_label("Approve and sign").accesskit_node().is_disabled());
    let _ = std::fs::remove_dir_all(&home);
}

/// Presses Tab until the widget labelled `label` has the focus (at most 30 times).
fn tab_to(h: &mut Harness<'_, OfflineApp>, label: &str) {
    for _ in 0..30 {
        if h.get_by_label(label).is_focused() {
            return;
        }
        h.key_press(eframe::egui::Key::Tab);
        h.run_steps(1);
    }
    panic!("Tab never reached {label}");
}

#[test]
fn a_wallet_is_restored_and_its_view_only_export_shown_from_the_keyboard_alone() {
    let home = std::env::temp_dir().join(format!("airsign-app-offline-keys-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    let screen: Screen = Arc::new(Mutex::new(Vec::new()));
    let mut h = offline_app(&home, &screen, 1400.0);
    // The whole guide: Tab from the top; Space picks the focused choice; typing goes to the
    // focused field; Enter presses the focused button.
    let press = |h: &mut Harness<'_, OfflineApp>, label: &str, key: eframe::egui::Key| {
        tab_to(h, label);
        h.key_press(key);
        h.run_steps(2);
    };
    let type_into = |h: &mut Harness<'_, OfflineApp>, label: &str, text: &str| {
        tab_to(h, label);
        h.event(eframe::egui::Event::Text(text.into()));
        h.run_steps(1);
    };
    press(&mut h, "Monero", eframe::egui::Key::Space);
    press(&mut h, "Next", eframe::egui::Key::Enter);
    press(&mut h, "Next", eframe::egui::Key::Enter);
    press(&mut h, "Restore a wallet from its backup", eframe::egui::Key::Space);
    type_into(&mut h, "Its 25 words", &mnemonic());
    press(&mut h, "Next", eframe::egui::Key::Enter);
    type_into(&mut h, "Wallet name", "kb");
    type_into(&mut h, "Passphrase", "pw");
    type_into(&mut h, "Passphrase again", "pw");
    press(&mut h, "Restore and store", eframe::egui::Key::Enter);
    step_until(&mut h, "the guide's last screen", |h| h.query_by_label("Back").is_some());
    assert_eq!(h.state().notice(), Some("wallet 'kb' restored, encrypted"));
    press(&mut h, "Back", eframe::egui::Key::Enter);
    step_until(&mut h, "the Monero home screen", |h| h.query_by_label("Show view-only wallet").is_some());
    tab_to(&mut h, "Show view-only wallet");
    h.key_press(eframe::egui::Key::Enter);
    h.run_steps(3);
    assert!(h.query_all_by_label_contains("holds the secret view key").next().is_some(), "the view-only screen, reached without a mouse");
    let _ = std::fs::remove_dir_all(&home);
}

/// The backup words on the guide's "write the words down" step, read off the screen.
fn words_on_screen(h: &Harness<'_, OfflineApp>) -> Vec<String> {
    let node = h.query_all_by_label_contains(" 1. ").next().expect("the numbered words");
    let node = node.accesskit_node();
    let text = node.value().or_else(|| node.label()).expect("the words' text");
    // " 1. abbey        2. ..." in rows: drop the numbers.
    text.split_whitespace().filter(|t| !t.ends_with('.')).map(str::to_owned).collect()
}

#[derive(PartialEq)]
enum Answer {
    Right,
    /// The second word wrong.
    SecondWrong,
    /// Only the second word, now right (the guide empties a wrong word's field).
    SecondOnly,
}

/// Types the words the confirmation step asks for ("Word 4"...), from `words`.
fn answer_quiz(h: &mut Harness<'_, OfflineApp>, words: &[String], answer: Answer) {
    use egui_kittest::kittest::NodeT;
    let asked: Vec<usize> = h.query_all_by_label_contains("Word ").filter_map(|n| n.accesskit_node().label()).filter_map(|l| l.strip_prefix("Word ").and_then(|n| n.parse().ok())).collect();
    assert_eq!(asked.len(), 3, "three words are asked for: {asked:?}");
    for (i, position) in asked.iter().enumerate() {
        if answer == Answer::SecondOnly && i != 1 {
            continue;
        }
        let word = if answer == Answer::SecondWrong && i == 1 { "wrongword" } else { words[position - 1].as_str() };
        fill(h, &format!("Word {position}"), word);
    }
}

#[test]
fn a_new_monero_wallet_is_stored_only_after_its_words_are_checked() {
    let home = std::env::temp_dir().join(format!("airsign-app-offline-new-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    let screen: Screen = Arc::new(Mutex::new(Vec::new()));
    let mut h = offline_app(&home, &screen, 1000.0);
    screenshot(&mut h, "offline-setup-chain");
    h.get_by_label("Monero").click();
    h.run_steps(2);
    h.get_by_label("Next").click();
    h.run_steps(2);
    assert!(h.query_by_label("Set up a wallet · step 2 of 6: the network").is_some(), "create: six steps");
    h.get_by_label_contains("stagenet (").click();
    h.run_steps(2);
    h.get_by_label("Next").click();
    h.run_steps(2);
    h.get_by_label("Next").click(); // "Create a new wallet" is the default
    h.run_steps(2);
    fill(&mut h, "Wallet name", "practice");
    fill(&mut h, "Passphrase", "pw");
    fill(&mut h, "Passphrase again", "pw");
    h.get_by_label("Next").click();
    h.run_steps(2);
    assert!(h.query_by_label("Set up a wallet · step 5 of 6: write the words down").is_some());
    let words = words_on_screen(&h);
    assert_eq!(words.len(), 25, "{words:?}");
    screenshot(&mut h, "offline-setup-words");
    assert!(Keystore::open(&home).unwrap().list().unwrap().is_empty(), "nothing is stored before the words are checked");
    h.get_by_label("I have written them down").click();
    h.run_steps(2);
    // A wrong word is named and nothing is stored; the right ones store the wallet.
    answer_quiz(&mut h, &words, Answer::SecondWrong);
    h.get_by_label("Confirm and store").click();
    h.run_steps(2);
    assert!(h.query_all_by_label_contains("is not the one shown: check your copy").next().is_some());
    assert!(Keystore::open(&home).unwrap().list().unwrap().is_empty());
    screenshot(&mut h, "offline-setup-confirm");
    answer_quiz(&mut h, &words, Answer::SecondOnly);
    h.get_by_label("Confirm and store").click();
    step_until(&mut h, "the guide's last screen", |h| h.query_by_label("Your wallet is ready · last step: the online side").is_some());
    // The stored wallet is the one the words restore, on the chosen network.
    let keys = WalletKeys::from_mnemonic(&words.join(" "), Network::Stagenet).unwrap();
    let codes = codes_in(&screenshot(&mut h, "offline-setup-ready"));
    assert_eq!(codes.len(), 1, "the view-only QR");
    let json: Value = serde_json::from_str(&codes[0]).unwrap();
    assert_eq!(json["primaryAddress"].as_str().or(json["address"].as_str()), Some(keys.address().as_str()), "{json}");
    assert!(keys.address().starts_with('5'), "a stagenet address");
    let list = Keystore::open(&home).unwrap().list().unwrap();
    assert_eq!(list.iter().map(|w| w.name.as_str()).collect::<Vec<_>>(), ["practice"]);
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn a_new_xrpl_account_checks_its_words_then_shows_the_account_for_the_online_side() {
    let home = std::env::temp_dir().join(format!("airsign-app-offline-newx-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    let screen: Screen = Arc::new(Mutex::new(Vec::new()));
    let mut h = offline_app(&home, &screen, 1000.0);
    h.get_by_label("XRP Ledger").click();
    h.run_steps(2);
    h.get_by_label("Next").click();
    h.run_steps(2);
    assert!(h.query_by_label("Set up a wallet · step 2 of 5: a new wallet, or one you have").is_some(), "XRPL: no network step");
    h.get_by_label("Next").click();
    h.run_steps(2);
    fill(&mut h, "Wallet name", "acct");
    fill(&mut h, "Passphrase", "pw");
    fill(&mut h, "Passphrase again", "pw");
    h.get_by_label("Next").click();
    h.run_steps(2);
    let words = words_on_screen(&h);
    assert_eq!(words.len(), 12, "RFC 1751: {words:?}");
    // Back past the words forgets them: a new set is made next time.
    h.get_by_label("Back").click();
    h.run_steps(2);
    h.get_by_label("Next").click();
    h.run_steps(2);
    let words = {
        let again = words_on_screen(&h);
        assert_ne!(again, words, "new words after going back");
        again
    };
    h.get_by_label("I have written them down").click();
    h.run_steps(2);
    answer_quiz(&mut h, &words, Answer::Right);
    h.get_by_label("Confirm and store").click();
    step_until(&mut h, "the account on the player", |h| h.state().showing().is_some());
    assert!(h.query_all_by_label_contains("Your account is ready").next().is_some());
    let seed = airsign::chain::xrpl::keys::Seed::parse(&words.join(" "), None).unwrap();
    let address = seed.key_pair().address();
    assert!(h.state().notice().is_some_and(|n| n.contains(&address)), "the stored account is the words' account: {:?}", h.state().notice());
    assert!(h.state().showing().unwrap().part_text().to_lowercase().starts_with("ur:xrpl-account/"));
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn the_guide_can_be_left_and_refuses_a_name_already_taken() {
    let home = std::env::temp_dir().join(format!("airsign-app-offline-cancel-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    let screen: Screen = Arc::new(Mutex::new(Vec::new()));
    let mut h = offline_app(&home, &screen, 1000.0);
    h.get_by_label("Cancel").click();
    h.run_steps(2);
    assert!(h.query_by_label("The keystore is empty: set up a wallet to begin.").is_some(), "Cancel leaves the guide for the start screen");
    restore_monero(&mut h, &mnemonic(), "cold", "pw");
    h.get_by_label("Lock").click();
    h.run_steps(2);
    h.get_by_label("Set up a new wallet").click();
    h.run_steps(2);
    h.get_by_label("Next").click();
    h.run_steps(2);
    h.get_by_label("Next").click();
    h.run_steps(2);
    h.get_by_label("Next").click();
    h.run_steps(2);
    fill(&mut h, "Wallet name", "cold");
    fill(&mut h, "Passphrase", "pw");
    fill(&mut h, "Passphrase again", "pw");
    h.get_by_label("Next").click();
    h.run_steps(2);
    assert!(h.query_by_label("the keystore already has a wallet named 'cold'").is_some());
    let _ = std::fs::remove_dir_all(&home);
}
