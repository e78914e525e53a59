//! The keyboard audit (issue 11: every action reachable without a mouse): on each main screen
//! of both apps, every enabled control is reached by Tab. Screens are reached the way a
//! user reaches them; the audit itself uses the keyboard only.
#![cfg(feature = "gui")]

mod app_harness;

use airsign::app::online::OnlineApp;
use app_harness::{camera_on, offline_app, restore_monero, restore_xrpl, skip_online_guide, step_until_within, tab_reaches_every_control, Screen, SoftRenderer};
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn mnemonic() -> String {
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/regtest/signer.json")).unwrap()).unwrap();
    m["mnemonic"].as_str().unwrap().to_owned()
}

fn open<S>(h: &mut Harness<'_, S>, button: &str) {
    h.get_by_label(button).click();
    h.run_steps(3);
}

#[test]
fn every_control_of_the_offline_apps_screens_is_reached_by_tab() {
    let home = std::env::temp_dir().join(format!("airsign-app-keyboard-off-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    let screen: Screen = Arc::new(Mutex::new(Vec::new()));
    let mut h = offline_app(&home, &screen, 1400.0);
    let mut audited = Vec::new();
    audited.push(("guide: chain", tab_reaches_every_control(&mut h, "the guide's first step")));
    restore_monero(&mut h, &mnemonic(), "cold", "pw");
    step_until_within(&mut h, "the Monero home", Duration::from_secs(60), |_| String::new(), |h| h.query_by_label("Show view-only wallet").is_some());
    audited.push(("Monero home", tab_reaches_every_control(&mut h, "the Monero home screen")));
    open(&mut h, "Show view-only wallet");
    audited.push(("view-only player", tab_reaches_every_control(&mut h, "the view-only wallet's player")));
    open(&mut h, "Back");
    open(&mut h, "Scan unsigned transaction");
    audited.push(("scanner", tab_reaches_every_control(&mut h, "the scanner")));
    open(&mut h, "Cancel");
    open(&mut h, "Lock");
    audited.push(("start", tab_reaches_every_control(&mut h, "the start screen")));
    drop(h);
    let mut h = offline_app(&home.join("xrpl"), &screen, 1400.0);
    restore_xrpl(&mut h, "shYHSiJod8CLPTj1SNJ2PdUFj4pFk", "cold", "pw");
    step_until_within(&mut h, "the XRPL account", Duration::from_secs(60), |_| String::new(), |h| h.query_by_label("Done").is_some());
    audited.push(("XRPL account player", tab_reaches_every_control(&mut h, "the account's player")));
    open(&mut h, "Done");
    audited.push(("XRPL home", tab_reaches_every_control(&mut h, "the XRPL home screen")));
    eprintln!("controls audited per screen: {audited:?}");
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn every_control_of_the_online_apps_screens_is_reached_by_tab() {
    let dir = std::env::temp_dir().join(format!("airsign-app-keyboard-on-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let screen: Screen = Arc::new(Mutex::new(Vec::new()));
    let app = OnlineApp::new(dir.join("online.sqlite"), "http://127.0.0.1:9".into(), camera_on(&screen, 1));
    let mut h = Harness::builder().with_size([900.0, 1400.0]).renderer(SoftRenderer::default()).build_ui_state(|ui, app: &mut OnlineApp| app.ui(ui), app);
    h.run_steps(2);
    let mut audited = Vec::new();
    audited.push(("guide", tab_reaches_every_control(&mut h, "the online guide")));
    skip_online_guide(&mut h);
    audited.push(("home", tab_reaches_every_control(&mut h, "the online home screen")));
    open(&mut h, "Scan an account from the offline side");
    audited.push(("scanner", tab_reaches_every_control(&mut h, "the online scanner")));
    eprintln!("controls audited per screen: {audited:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The audit can fail: a button that takes no focus (it senses hover only) is named.
#[test]
#[should_panic(expected = "Tab never reaches [\"Button 'hover only'\"]")]
fn the_audit_names_a_control_tab_cannot_reach() {
    let mut h = Harness::builder().with_size([400.0, 300.0]).build_ui(|ui| {
        let _ = ui.button("reachable");
        ui.add(eframe::egui::Button::new("hover only").sense(eframe::egui::Sense::hover()));
    });
    h.run_steps(2);
    tab_reaches_every_control(&mut h, "a test screen");
}
