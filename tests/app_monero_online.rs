//! The Feather flow with airsign on both laptops, through the two apps' screens and the
//! virtual camera, on a private regtest chain (tests/regtest/up.sh; Debian `monero`
//! 0.18.0.0): the online app creates its view-only wallet from the QR the offline app
//! draws, syncs, shows its outputs; the offline app answers with key images; the online
//! app builds a transfer, the offline app reviews and signs it, the online app shows what
//! the signed set broadcasts, broadcasts it, and the miner's wallet (wallet2) receives it.
#![cfg(all(feature = "gui", feature = "net"))]

mod app_harness;
#[path = "regtest/cli.rs"]
mod cli;
#[path = "regtest/harness.rs"]
mod harness;

use airsign::app::offline::OfflineApp;
use airsign::app::online::OnlineApp;
use airsign::chain::monero::review::parse_xmr;
use app_harness::{camera_on, codes_in, fill, film, restore_with_guide, screenshot, start_scan, step_until_within, Screen, SoftRenderer};
use egui_kittest::kittest::{NodeT, Queryable};
use egui_kittest::Harness;
use harness::Regtest;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const XMR: u64 = 1_000_000_000_000;

fn step_until<S>(h: &mut Harness<'_, S>, what: &str, done: impl Fn(&Harness<'_, S>) -> bool) {
    step_until_within(h, what, Duration::from_secs(240), |_| String::new(), done);
}

fn online_until(h: &mut Harness<'_, OnlineApp>, what: &str, done: impl Fn(&Harness<'_, OnlineApp>) -> bool) {
    step_until_within(h, what, Duration::from_secs(240), |app| format!(" (notice: {:?}, lines: {:?})", app.notice(), app.lines()), done);
}

fn notice_has(h: &Harness<'_, OnlineApp>, text: &str) -> bool {
    h.state().notice().is_some_and(|n| n.contains(text))
}

#[test]
fn the_online_app_runs_the_feather_flow_with_the_offline_app_on_regtest() {
    let rt = Regtest::up("app");
    let url = format!("http://127.0.0.1:{}", rt.port("DAEMON_PORT"));
    let dir = rt.dir.join("apps");
    std::fs::create_dir_all(&dir).unwrap();
    let to_offline: Screen = Arc::new(Mutex::new(Vec::new()));
    let to_online: Screen = Arc::new(Mutex::new(Vec::new()));
    let mut off = Harness::builder()
        .with_size([900.0, 1400.0])
        .renderer(SoftRenderer::default())
        .build_ui_state(|ui, app: &mut OfflineApp| app.ui(ui), OfflineApp::new(dir.join("keys"), camera_on(&to_offline, 5)));
    let mut on = Harness::builder()
        .with_size([900.0, 1600.0])
        .renderer(SoftRenderer::default())
        .build_ui_state(|ui, app: &mut OnlineApp| app.ui(ui), OnlineApp::new(dir.join("online.sqlite"), "http://127.0.0.1:9".into(), camera_on(&to_online, 5)));
    off.run_steps(2);
    on.run_steps(2);

    // Offline: restore the funded wallet and draw its view-only QR; the online camera films it.
    // The set-up guide ends on the view-only QR.
    restore_with_guide(&mut off, "Monero", Some("mainnet"), &harness::signer_mnemonic(), "cold", "pw");
    off.run_steps(3);
    let codes = codes_in(&off.render().expect("the software renderer draws"));
    assert_eq!(codes.len(), 1, "the view-only QR is drawn");

    // Online: a fresh install opens on its guide. Monero; the node, checked; then a code of
    // another kind is named, and the view-only QR creates the wallet, which syncs by itself.
    assert!(on.query_by_label("Set up · step 1 of 3: what this computer watches").is_some(), "the online guide");
    on.get_by_label("Monero (a view-only wallet)").click();
    on.run_steps(2);
    on.get_by_label("Next").click();
    on.run_steps(2);
    on.get_by_label("monerod URL").focus();
    on.run_steps(1);
    on.key_press_modifiers(eframe::egui::Modifiers::COMMAND, eframe::egui::Key::A);
    on.run_steps(1);
    on.get_by_label("monerod URL").type_text(&url);
    on.run_steps(1);
    on.get_by_label("Check the node").click();
    online_until(&mut on, "the node's answer", |h| h.query_all_by_label_contains("monerod answers: ").next().is_some());
    screenshot(&mut on, "online-setup-node");
    on.get_by_label("Next").click();
    on.run_steps(2);
    fill(&mut on, "Passphrase for the view-only wallet", "online pw");
    *to_online.lock().unwrap() = vec!["https://example.com".into()];
    start_scan(&mut on, "Scan view-only wallet QR");
    online_until(&mut on, "the refusal", |h| h.query_all_by_label_contains("not a Monero view-only wallet").next().is_some());
    on.get_by_label("Stop camera").click();
    on.run_steps(2);
    *to_online.lock().unwrap() = codes;
    on.get_by_label("Start camera").click();
    online_until(&mut on, "the first sync", |h| notice_has(h, "synced to height"));
    online_until(&mut on, "the wallet's home", |h| h.state().monero().is_open() && !h.state().monero().is_active() && h.query_by_label("Sync").is_some());
    let db = dir.join("online.monero.sqlite");
    assert!(db.exists());
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&db).unwrap().permissions().mode() & 0o777, 0o600);

    // The five funding outputs of up.sh, not yet a balance.
    let b = on.state().monero().balance().unwrap();
    let funded = (5 + 3 + 2 + 4) * XMR + 1_500_000_000_000;
    assert_eq!((b.balance, b.unlocked, b.key_images_known, b.outputs), (funded, funded, false, 5));
    assert_eq!(on.state().monero().scanned_height(), Some(rt.height()), "synced to the daemon's top (the next height to scan)");
    assert!(on.query_by_label_contains("Received, key images not imported: 15.5 XMR").is_some());
    assert!(on.query_by_label_contains("Priority").is_some());
    let priorities: Vec<String> = on.query_all_by_label_contains("(normal)").filter_map(|n| n.accesskit_node().label()).collect();
    let estimate = priorities.iter().find_map(|l| l.strip_prefix("2 (normal): ~").and_then(|f| f.strip_suffix(" XMR"))).and_then(|f| parse_xmr(f).ok());
    let estimate = estimate.unwrap_or_else(|| panic!("the fee each priority implies: {priorities:?}"));
    screenshot(&mut on, "online-monero-wallet-before-key-images");

    // Outputs -> offline -> key images -> online.
    on.get_by_label("Export outputs").click();
    online_until(&mut on, "the outputs QR", |h| h.state().showing().is_some());
    film(&mut on, OnlineApp::showing, &to_offline);
    on.get_by_label("Done").click();
    on.run_steps(2);
    off.get_by_label("Back").click();
    off.run_steps(2);
    start_scan(&mut off, "Scan outputs");
    step_until(&mut off, "the key images QR", |h| h.state().showing().is_some());
    film(&mut off, OfflineApp::showing, &to_online);
    off.get_by_label("Done").click();
    off.run_steps(2);
    start_scan(&mut on, "Scan key images");
    online_until(&mut on, "the import", |h| notice_has(h, "key images imported"));
    assert!(notice_has(&on, "5 key images imported: 0.0 XMR spent, 15.5 XMR unspent"), "{:?}", on.state().notice());
    assert!(on.state().monero().balance().unwrap().key_images_known);
    assert!(on.query_by_label_contains("Balance: 15.5 XMR").is_some());

    // The keyboard audit of the wallet screen (balance, tabs, send form): Tab reaches all.
    app_harness::tab_reaches_every_control(&mut on, "the Monero wallet and its send form");

    // Send: a typo in the address is caught by its checksum; then 1.25 XMR to the miner.
    let miner = rt.env["MINER_ADDRESS"].clone();
    let mut typo = miner.clone();
    typo.replace_range(10..11, if &miner[10..11] == "a" { "b" } else { "a" });
    fill(&mut on, "Pay to address", &typo);
    assert!(on.query_by_label_contains("not a Monero address").is_some());
    on.get_by_label("Pay to address").focus();
    on.run_steps(1);
    on.key_press_modifiers(eframe::egui::Modifiers::COMMAND, eframe::egui::Key::A);
    on.run_steps(1);
    on.get_by_label("Pay to address").type_text(&miner);
    on.run_steps(1);
    assert!(on.query_by_label_contains("standard address").is_some(), "the miner's address validates");
    fill(&mut on, "Amount (XMR)", "1.25");
    screenshot(&mut on, "online-monero-send");
    on.get_by_label("Build unsigned transaction").click();
    online_until(&mut on, "the unsigned QR", |h| h.state().showing().is_some());
    let lines = on.state().lines().unwrap().to_vec();
    assert!(lines.iter().any(|l| l == &format!("1.25 XMR to {miner}")), "{lines:?}");
    assert!(lines[0].contains("fee 0.0"), "{lines:?}");
    screenshot(&mut on, "online-monero-unsigned");
    film(&mut on, OnlineApp::showing, &to_offline);
    on.get_by_label("Done").click();
    on.run_steps(2);

    // Offline: review (the destination and amount on screen), approve, show the signed set.
    start_scan(&mut off, "Scan unsigned transaction");
    step_until(&mut off, "the review", |h| h.query_by_label("Approve and sign").is_some());
    assert!(off.query_by_label("1.25 XMR").is_some() && off.query_by_label(&airsign::app::review_cards::group4(&miner)).is_some());
    app_harness::tab_reaches_every_control(&mut off, "the offline review");
    off.get_by_label("Approve and sign").click();
    step_until(&mut off, "the signed QR", |h| h.state().showing().is_some());
    film(&mut off, OfflineApp::showing, &to_online);

    // Online: what will be broadcast, read from the signed set; then broadcast.
    start_scan(&mut on, "Scan signed transaction");
    online_until(&mut on, "the broadcast review", |h| h.state().monero().reviewing().is_some());
    let outgoing = on.state().monero().reviewing().unwrap().to_vec();
    assert_eq!(outgoing.len(), 1);
    assert!(outgoing[0].destinations.contains(&(miner.clone(), 5 * XMR / 4)), "{:?}", outgoing[0].destinations);
    assert!(on.query_by_label("1.25 XMR to").is_some() && on.query_by_label(&airsign::app::review_cards::group4(&miner)).is_some(), "the destination, grouped by four");
    screenshot(&mut on, "online-monero-broadcast-review");
    on.get_by_label("Broadcast").click();
    online_until(&mut on, "the broadcast", |h| h.state().lines().is_some_and(|l| l.iter().any(|l| l.starts_with("broadcast "))));
    let hash = outgoing[0].tx_hash.clone();
    // The form's estimate (one input, two outputs) against the fee of the transaction
    // built, which has one input and two outputs: equal but for the ring offsets' bytes
    // (the estimate assumes a mainnet-sized chain; this small chain's offsets are shorter:
    // measured 1.1% over).
    assert_eq!(outgoing[0].inputs.len(), 1);
    assert!(estimate >= outgoing[0].fee && (estimate - outgoing[0].fee) * 50 <= outgoing[0].fee, "estimate {estimate} vs fee {}", outgoing[0].fee);
    assert!(on.state().lines().unwrap()[0].contains(&hash));
    on.get_by_label("Back").click();
    on.run_steps(2);

    // Mined: the miner's wallet2 received it; the online app's history confirms it and the
    // balance lost the amount and the fee.
    rt.mine(3);
    assert_eq!(cli::miner_received(&rt, &hash), 5 * XMR / 4);
    on.get_by_label("Sync").click();
    online_until(&mut on, "the second sync", |h| notice_has(h, "synced to height") && h.state().monero().scanned_height() == Some(rt.height()));
    on.get_by_label("History (1)").click();
    on.run_steps(2);
    let line = format!("{}…  1.25 XMR out, fee {} XMR, 3 confirmations", &hash[..16], airsign::chain::monero::review::format_xmr(outgoing[0].fee));
    assert!(on.query_by_label(&line).is_some(), "the history line: {line}");
    screenshot(&mut on, "online-monero-history");
    // The coins: the five received, the change of the transfer, and the one it spent.
    on.get_by_label("Coins (6)").click();
    on.run_steps(2);
    assert_eq!(on.query_all_by_label_contains("spent at ").count(), 1, "one coin spent");
    assert_eq!(on.query_all_by_label("unlocked").count(), 4, "the other four received unlocked; the change is still locked");
    assert_eq!(on.query_all_by_label("locked").count(), 1);
    let after = on.state().monero().balance().unwrap();
    assert_eq!(after.balance, funded - 5 * XMR / 4 - outgoing[0].fee);
    screenshot(&mut on, "online-monero-wallet-after-send");

    // Several destinations in one transaction: a second row; an integrated address there is
    // refused (one payment ID per transaction); a subaddress of the miner's is taken, and the
    // set pays both rows.
    on.get_by_label("Send").click();
    on.run_steps(2);
    on.get_by_label("Add a destination").focus();
    on.run_steps(1);
    on.key_press(eframe::egui::Key::Enter);
    on.run_steps(2);
    assert!(on.query_by_label("Pay to address 2").is_some(), "a second destination row");
    let integrated = rt.call("MINER_PORT", "make_integrated_address", serde_json::json!({"payment_id": "feedfacecafebeef"}))["integrated_address"].as_str().unwrap().to_owned();
    fill(&mut on, "Pay to address 2", &integrated);
    assert!(on.query_by_label_contains("an integrated address must be the only destination").is_some());
    on.get_by_label("Remove destination 2").click();
    on.run_steps(2);
    assert!(on.query_by_label("Pay to address 2").is_none());
    on.get_by_label("Add a destination").click();
    on.run_steps(2);
    let miner_sub = rt.call("MINER_PORT", "create_address", serde_json::json!({"account_index": 0}))["address"].as_str().unwrap().to_owned();
    fill(&mut on, "Pay to address 2", &miner_sub);
    assert!(on.query_by_label_contains("subaddress (").is_some(), "the second row validates");
    fill(&mut on, "Amount 2 (XMR)", "0.5");
    on.get_by_label("Build unsigned transaction").click();
    online_until(&mut on, "the two-destination QR", |h| h.state().showing().is_some());
    let lines = on.state().lines().unwrap().to_vec();
    assert!(lines.iter().any(|l| l == &format!("1.25 XMR to {miner}")) && lines.iter().any(|l| l == &format!("0.5 XMR to {miner_sub}")), "{lines:?}");
    on.get_by_label("Done").click();
    on.run_steps(2);

    // Another account: the miner pays the signer's (1, 0); once it unlocks, "From account"
    // offers account 1, and the set built from it spends that account's output.
    let keys = airsign::chain::monero::keys::WalletKeys::from_mnemonic(&harness::signer_mnemonic(), airsign::chain::monero::keys::Network::Mainnet).unwrap();
    assert!(on.query_by_label("From account").is_none(), "one account: no choice shown");
    rt.refresh("MINER_PORT");
    rt.call("MINER_PORT", "transfer", serde_json::json!({"destinations": [{"address": keys.subaddress(1, 0), "amount": 3 * XMR}], "ring_size": 16}));
    rt.mine(11);
    on.get_by_label("Sync").click();
    online_until(&mut on, "the sync with account 1's output", |h| notice_has(h, "synced to height") && h.state().monero().scanned_height() == Some(rt.height()));
    on.get_by_label("From account").click();
    on.run_steps(2);
    on.get_by_label("account 1: 3.0 XMR unlocked").click();
    on.run_steps(2);
    on.get_by_label("Build unsigned transaction").click();
    online_until(&mut on, "the set from account 1", |h| h.state().showing().is_some());
    let message = on.state().showing().unwrap().message().to_vec();
    let file = airsign::envelope::decode("xmr-txunsigned", &message).unwrap().data;
    let plain = airsign::chain::monero::wallet2_file::open(airsign::chain::monero::wallet2_file::FileKind::UnsignedTxSet, &file, &keys.view_secret_bytes()).unwrap();
    let set = airsign::chain::monero::txset::parse_unsigned(&plain).unwrap();
    assert_eq!((set.txes[0].subaddr_account, set.txes[0].sources.len()), (1, 1), "account 1's one output");
    on.get_by_label("Done").click();
    on.run_steps(2);
}
