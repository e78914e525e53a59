//! XRPL account security across the apps' screens, through the virtual camera, against the
//! rippled stand-in: the treasury's offline app makes a regular key (words shown once, then
//! the QR, shown here in Xaman's style: one static hex code), the online app submits it; with a 2-of-3 signer list in force, the online app
//! prepares a multi-signed payment, three members' offline apps (three keystores) scan it,
//! two review and sign it, the online app scans their signatures in any order, shows who
//! signed and the weight so far, combines and submits.
#![cfg(all(feature = "gui", feature = "net"))]

mod app_harness;
mod common;

use airsign::app::offline::OfflineApp;
use airsign::app::online::OnlineApp;
use airsign::chain::xrpl::keys::{KeyType, Seed};
use airsign::envelope::xrpl::{Versioned, XrplSignedPayload};
use airsign::signer::journal::Journal;
use airsign::signer::xrpl::{self as offline, Template};
use airsign::wallet::xrpl::{self as online, HttpTransport, RippledClient, SubmissionStore};
use app_harness::{camera_on, fill, film, restore_xrpl, screenshot, skip_online_guide, start_scan, step_until_within, unlock, Screen, SoftRenderer};
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TREASURY_SEED: &str = "shYHSiJod8CLPTj1SNJ2PdUFj4pFk";
const TREASURY: &str = "r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6";

fn step_until<S>(h: &mut Harness<'_, S>, what: &str, done: impl Fn(&Harness<'_, S>) -> bool) {
    step_until_within(h, what, Duration::from_secs(90), |_| String::new(), done);
}


type App<'a> = Harness<'a, OfflineApp>;

fn offline_app<'a>(dir: &std::path::Path, camera: &Screen, seed: u64) -> App<'a> {
    let mut h = Harness::builder().with_size([900.0, 1400.0]).renderer(SoftRenderer::default()).build_ui_state(|ui, app: &mut OfflineApp| app.ui(ui), OfflineApp::new(dir.to_owned(), camera_on(camera, seed)));
    h.run_steps(2);
    h
}

#[test]
fn a_regular_key_and_a_two_of_three_payment_across_four_offline_apps_and_the_online_app() {
    let dir = std::env::temp_dir().join(format!("airsign-app-multisig-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let standin = common::start_standin(&serde_json::json!({"accounts": {TREASURY: {"balance": "100000000", "sequence": 7}, "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn": {"balance": "50000000", "sequence": 1}}, "ledger_index": 900}), &dir);
    let client = RippledClient::new(HttpTransport::new(&standin.url));

    let to_online: Screen = Arc::new(Mutex::new(Vec::new()));
    let mut on = Harness::builder()
        .with_size([900.0, 1400.0])
        .renderer(SoftRenderer::default())
        .build_ui_state(|ui, app: &mut OnlineApp| app.ui(ui), OnlineApp::new(dir.join("online.sqlite"), standin.url.clone(), camera_on(&to_online, 3)));
    on.run_steps(2);
    skip_online_guide(&mut on);

    // --- the treasury's offline app: restore, show the account, apply the state.
    let to_treasury: Screen = Arc::new(Mutex::new(Vec::new()));
    let mut treasury = offline_app(&dir.join("treasury-keys"), &to_treasury, 5);
    restore_xrpl(&mut treasury, TREASURY_SEED, "treasury", "pw");
    film(&mut treasury, OfflineApp::showing, &to_online);
    treasury.get_by_label("Done").click();
    treasury.run_steps(2);
    start_scan(&mut on, "Scan an account from the offline side");
    step_until(&mut on, "watching", |h| h.state().notice().is_some_and(|n| n.contains("watching")));
    let sync_treasury = |on: &mut Harness<'_, OnlineApp>, treasury: &mut App<'_>| {
        on.get_by_label(&format!("Sync {TREASURY}")).click();
        step_until(on, "the state QR", |h| h.state().showing().is_some());
        film(on, OnlineApp::showing, &to_treasury);
        on.get_by_label("Done").click();
        on.run_steps(2);
        start_scan(treasury, "Scan account state");
        // Back on the home screen (the notice of an earlier sync may still be up).
        step_until(treasury, "the state applied", |h| h.query_by_label("Scan account state").is_some() && h.state().notice().is_some_and(|n| n.contains("state applied")));
    };
    sync_treasury(&mut on, &mut treasury);

    // --- a new regular key: reviewed with its public key, words once, then the QR.
    treasury.get_by_label("New regular key").click();
    treasury.run_steps(3);
    assert!(treasury.query_all_by_label_contains("the new regular key r").next().is_some());
    treasury.get_by_label("I have read every warning and still want to sign").click();
    treasury.run_steps(1);
    screenshot(&mut treasury, "offline-xrpl-regular-key-review");
    app_harness::tab_reaches_every_control(&mut treasury, "the regular key review");
    treasury.get_by_label("Approve and sign").click();
    step_until(&mut treasury, "the words screen", |h| h.query_by_label("Write down the new regular key's words").is_some());
    assert!(treasury.state().showing().is_none(), "no QR beside the words");
    treasury.get_by_label("I wrote them down: show the QR").click();
    treasury.run_steps(2);
    let signed = XrplSignedPayload::from_cbor(treasury.state().showing().unwrap().message()).unwrap();
    let tx = airsign::chain::xrpl::codec::decode(&signed.transactions[0].blob).unwrap();
    let regular = tx["RegularKey"].as_str().unwrap().to_owned();
    let stored = airsign::keystore::Keystore::open(&dir.join("treasury-keys")).unwrap().list().unwrap();
    assert!(stored.iter().any(|w| w.public["address"] == regular.as_str()), "the new key is in the keystore before its QR shows");
    // Shown as Xaman takes it (one static hex code), which the online app reads too.
    treasury.get_by_label("show for").click();
    treasury.run_steps(2);
    treasury.get_by_label("xaman").click();
    treasury.run_steps(2);
    assert_eq!(treasury.state().showing().unwrap().part_text(), hex::encode_upper(&signed.transactions[0].blob));
    film(&mut treasury, OfflineApp::showing, &to_online);
    treasury.get_by_label("Done").click();
    treasury.run_steps(2);
    start_scan(&mut on, "Scan signed XRPL transactions");
    step_until(&mut on, "the outcome", |h| h.state().lines().is_some());
    assert!(on.state().lines().unwrap().iter().any(|l| l.contains("final tesSUCCESS")), "{:?}", on.state().lines());
    on.get_by_label("Back").click();
    on.run_steps(2);
    sync_treasury(&mut on, &mut treasury);
    assert!(treasury.query_all_by_label_contains(&format!("regular key {regular} (held here)")).next().is_some(), "the regular key in force is unlocked from the keystore");

    // --- a 2-of-3 signer list, set directly (the CLI test covers `signer-list`).
    let members: Vec<_> = (0..3).map(|_| Seed::random(KeyType::Secp256k1).unwrap()).collect();
    let keys = Seed::parse(TREASURY_SEED, None).unwrap().key_pair();
    let mut acct = offline::load_account(&dir.join("treasury-keys"), "treasury").unwrap();
    let mut j = Journal::open(&dir.join("treasury-keys").join("journal.log")).unwrap();
    let list = offline::sign_batch(&mut acct, &keys, &[Template::SignerListSet { quorum: 2, signers: members.iter().map(|s| (s.key_pair().address(), 1)).collect() }], &mut j, false).unwrap();
    drop(j);
    let store = SubmissionStore::open(&dir.join("online.sqlite")).unwrap();
    store.add(TREASURY, &airsign::signer::xrpl::signed_payload(&list).transactions).unwrap();
    let out = online::submit_pending(&client, &store, TREASURY, Duration::from_millis(100), Duration::from_secs(30)).unwrap();
    assert!(out.iter().any(|s| s.result == "tesSUCCESS"), "{out:?}");

    // --- the members' offline apps: each its own keystore and camera.
    let mut apps = Vec::new();
    for (i, seed) in members.iter().enumerate() {
        let keystore = dir.join(format!("member{i}-keys"));
        let (info, secret) = offline::keystore_record("me", seed);
        airsign::keystore::Keystore::open(&keystore).unwrap().create(info, &secret, "pw").unwrap();
        offline::save_account(&keystore, "me", &offline::XrplAccount::new(&seed.key_pair())).unwrap();
        let camera: Screen = Arc::new(Mutex::new(Vec::new()));
        let mut app = offline_app(&keystore, &camera, 10 + i as u64);
        unlock(&mut app, "me", "pw");
        step_until(&mut app, "the member's home screen", |h| h.query_by_label("Sign for a multi-signed account").is_some());
        apps.push((app, camera, seed.key_pair().address()));
    }

    // --- online: a multi-signed payment; members 3 and 1 sign it, in that order.
    let templates = dir.join("pay.json");
    std::fs::write(&templates, r#"[{"template": "Payment", "destination": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", "amount": "3000000"}]"#).unwrap();
    fill(&mut on, "Multi-signed account", TREASURY);
    fill(&mut on, "Templates file for it", templates.to_str().unwrap());
    on.get_by_label("Prepare multi-sign request").click();
    step_until(&mut on, "the collection screen", |h| h.state().collecting().is_some());
    assert!(on.query_all_by_label_contains("Signatures: weight 0 of quorum 2 (2-of-3").next().is_some());
    screenshot(&mut on, "online-multisign-collect");
    app_harness::tab_reaches_every_control(&mut on, "the multi-sign collection screen");
    for (n, i) in [2usize, 0].into_iter().enumerate() {
        let (app, camera, address) = &mut apps[i];
        film(&mut on, OnlineApp::showing, camera);
        start_scan(app, "Sign for a multi-signed account");
        step_until(app, "the member's review", |h| h.query_by_label("Approve and sign").is_some());
        assert!(app.query_by_label(&format!("Signing for the multi-signed account {TREASURY}")).is_some());
        assert!(app.query_by_label(&format!("as member {address} with weight 1 of quorum 2")).is_some());
        assert!(app.query_all_by_label_contains("pays 3 XRP to rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn").next().is_some());
        if n == 0 {
            screenshot(app, "offline-xrpl-multisign-review");
            app_harness::tab_reaches_every_control(app, "the member's multi-sign review");
        }
        app.get_by_label("Approve and sign").click();
        step_until(app, "the member's signature QR", |h| h.state().showing().is_some());
        film(app, OfflineApp::showing, &to_online);
        on.get_by_label("Scan a member's signature").click();
        on.run_steps(2);
        on.get_by_label("Start camera").click();
        step_until(&mut on, "the signature counted", |h| h.state().collecting().is_some_and(|(signed, _, _)| signed.len() == n + 1));
        assert!(on.query_all_by_label_contains(&format!("{address} (weight 1): SIGNED")).next().is_some());
    }
    let (signed, weight, quorum) = on.state().collecting().unwrap();
    assert_eq!((signed.len(), weight, quorum), (2, 2, 2));
    assert!(on.query_all_by_label_contains(&format!("{} (weight 1): not yet", apps[1].2)).next().is_some());
    on.get_by_label("Combine and submit").click();
    step_until(&mut on, "the multi-signed outcome", |h| h.state().lines().is_some());
    assert!(on.state().lines().unwrap().iter().any(|l| l.contains("final tesSUCCESS")), "{:?}", on.state().lines());
    assert_eq!(client.account_info("rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", true).unwrap().balance_drops, 53_000_000);
    let _ = std::fs::remove_dir_all(&dir);
}
