//! The player's profile picker in the app: a wallet's display style chosen for a payload
//! type, shown exactly as the transport's profile makes it, and remembered across screens
//! and restarts (player-profiles.json beside the keystore).
#![cfg(feature = "gui")]

mod app_harness;

use airsign::app::offline::OfflineApp;
use airsign::transport::profile::{Profile, Stream};
use app_harness::{camera_on, fill, step_until_within, Screen, SoftRenderer};
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

#[test]
fn a_profile_picked_for_a_payload_type_is_shown_and_remembered() {
    let dir = std::env::temp_dir().join(format!("airsign-app-profiles-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut h = app(&dir);
    fill(&mut h, "Wallet name", "cold");
    fill(&mut h, "Passphrase", "pw");
    fill(&mut h, "Or restore from the 25 words:", "shYHSiJod8CLPTj1SNJ2PdUFj4pFk");
    h.get_by_label("Restore XRPL account").click();
    step_until_within(&mut h, "the XRPL home screen", Duration::from_secs(60), |_| String::new(), |h| h.query_by_label("Show account").is_some());
    h.get_by_label("Show account").click();
    h.run_steps(2);
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
    fill(&mut h, "Wallet name", "cold");
    fill(&mut h, "Passphrase", "pw");
    h.get_by_label("Unlock").click();
    step_until_within(&mut h, "the XRPL home screen", Duration::from_secs(60), |_| String::new(), |h| h.query_by_label("Show account").is_some());
    h.get_by_label("Show account").click();
    h.run_steps(2);
    assert_eq!(h.state().showing().unwrap().profile(), Profile::Cake);
    assert!(h.state().showing().unwrap().part_text().starts_with("ur:xrpl-account/1-1/"));
    let _ = std::fs::remove_dir_all(&dir);
}
