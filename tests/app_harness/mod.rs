//! What the app tests share: the other laptop's screen and the virtual camera filming it,
//! driving a harness (typing, waiting, starting a scan), and pictures of the apps drawn
//! by a software renderer.
#![allow(dead_code)]

mod soft_renderer;

use airsign::app::widgets::SourceFactory;
use airsign::transport::{Degradation, FrameSource, Player, Scene, VirtualCamera};
use egui_kittest::kittest::Queryable;
use egui_kittest::Harness;
use image::RgbaImage;
pub use soft_renderer::SoftRenderer;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the other laptop's screen shows: the parts its player cycles through.
pub type Screen = Arc<Mutex<Vec<String>>>;

/// Parts a player at the default settings shows for a UR message: three cycles' worth.
pub fn parts_of(ur_type: &str, message: &[u8]) -> Vec<String> {
    let mut player = Player::new(ur_type, message, airsign::transport::player::DEFAULT_FRAGMENT, 8.0).unwrap();
    (0..3 * player.seq_len() + 2)
        .map(|i| {
            let p = player.part_text().to_owned();
            player.tick((i + 1) as f64).unwrap();
            p
        })
        .collect()
}

/// The app's cameras: the virtual camera filming (blurred) whatever `screen` shows when
/// "Start camera" is pressed.
pub fn camera_on(screen: &Screen, seed: u64) -> SourceFactory {
    let screen = screen.clone();
    Arc::new(move || {
        let parts = screen.lock().unwrap().clone();
        Ok(Box::new(VirtualCamera::new(parts.into_iter(), Scene::default(), Degradation::named("blur").unwrap(), seed)) as Box<dyn FrameSource + Send>)
    })
}

/// Moves what one app's player shows to the other app's camera: the parts it animates
/// through, as the other camera would film them over a few seconds.
pub fn film<S>(h: &mut Harness<'_, S>, showing: impl Fn(&S) -> Option<&Player>, to: &Screen) {
    let cycles = 3 * showing(h.state()).expect("a QR is showing").seq_len() + 2;
    let mut parts = Vec::new();
    for _ in 0..cycles {
        parts.push(showing(h.state()).unwrap().part_text().to_owned());
        h.step();
    }
    *to.lock().unwrap() = parts;
}

/// Steps the app until `done`, failing after `limit` with `context` (what the app says)
/// in the message; then two more frames, in which the new screen is drawn.
pub fn step_until_within<S>(h: &mut Harness<'_, S>, what: &str, limit: Duration, context: impl Fn(&S) -> String, done: impl Fn(&Harness<'_, S>) -> bool) {
    let start = Instant::now();
    while !done(h) {
        assert!(start.elapsed() < limit, "timed out waiting for {what}{}", context(h.state()));
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    h.run_steps(2);
}

/// Focuses a text field by its label and types into it.
pub fn fill<S>(h: &mut Harness<'_, S>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run_steps(1);
    h.get_by_label(label).type_text(text);
    h.run_steps(1);
}

/// Opens a scanner screen by its button and starts the camera on it.
pub fn start_scan<S>(h: &mut Harness<'_, S>, button: &str) {
    h.get_by_label(button).click();
    h.run_steps(2);
    h.get_by_label("Start camera").click();
}

/// Renders the harness's current frame. With `AIRSIGN_SCREENSHOTS=DIR` set (see
/// docs/screenshots/take.sh) it is also saved as `DIR/NAME.png`: the README's pictures
/// come from the tests' own walk through the apps.
pub fn screenshot<S>(h: &mut egui_kittest::Harness<'_, S>, name: &str) -> RgbaImage {
    let image = h.render().expect("the software renderer draws every frame");
    if let Some(dir) = std::env::var_os("AIRSIGN_SCREENSHOTS") {
        let path = std::path::Path::new(&dir).join(format!("{name}.png"));
        image.save(&path).unwrap_or_else(|e| panic!("cannot save {}: {e}", path.display()));
    }
    image
}

/// The QR codes readable in a screenshot, by airsign's own decoder on the drawn pixels.
pub fn codes_in(image: &RgbaImage) -> Vec<String> {
    let gray = image::DynamicImage::ImageRgba8(image.clone()).into_luma8();
    airsign::transport::qr::decode(&gray, airsign::transport::qr::QrEngine::Rxing)
}

/// Scrolls a review through to its last transaction, as a user must before "Approve and
/// sign" is enabled.
pub fn scroll_through_review<S>(h: &mut Harness<'_, S>) {
    use egui_kittest::kittest::NodeT;
    let headers: Vec<String> = h.query_all_by_label_contains("Transaction ").filter_map(|n| n.accesskit_node().label()).filter(|l| l.contains(" of ")).collect();
    if let Some(last) = headers.last() {
        h.get_by_label(last).scroll_to_me();
        h.run_steps(3);
    }
}

/// Walks the offline app's set-up guide to restore a wallet from its backup. `chain` is
/// "Monero" or "XRP Ledger"; `network` a Monero network ("mainnet", "stagenet"...). Ends on
/// the guide's last screen: what the online side needs (the view-only wallet or the account).
/// The offline app on the keystore `home`, in a window 900 wide and `height` high, its
/// camera filming `screen`; its first frames drawn.
pub fn offline_app<'a>(home: &std::path::Path, screen: &Screen, height: f32) -> Harness<'a, airsign::app::offline::OfflineApp> {
    let app = airsign::app::offline::OfflineApp::new(home.to_owned(), camera_on(screen, 7));
    let mut h = Harness::builder().with_size([900.0, height]).renderer(SoftRenderer::default()).build_ui_state(|ui, app: &mut airsign::app::offline::OfflineApp| app.ui(ui), app);
    h.run_steps(2);
    h
}

/// The keyboard audit of one screen: every enabled control on it (buttons, checkboxes,
/// radio buttons, combo boxes, text fields, collapsible sections) is reached by pressing
/// Tab, from wherever the focus is. Controls are matched by role and name (egui's automatic
/// ids move when a screen's layout changes). Panics naming the ones Tab never reaches;
/// returns how many there were. `AUDIT_TRACE=1` prints the controls and the focus path.
pub fn tab_reaches_every_control<S>(h: &mut Harness<'_, S>, screen: &str) -> usize {
    use eframe::egui::accesskit::Role;
    use egui_kittest::kittest::{By, NodeT};
    h.run_steps(2);
    let is_control = |n: &egui_kittest::kittest::AccessKitNode<'_>| {
        matches!(n.role(), Role::Button | Role::CheckBox | Role::RadioButton | Role::ComboBox | Role::TextInput | Role::MultilineTextInput | Role::PasswordInput | Role::Slider | Role::SpinButton | Role::DisclosureTriangle)
            && !n.is_disabled()
            && !n.is_hidden()
    };
    let name = |n: &egui_kittest::kittest::AccessKitNode<'_>| format!("{:?} '{}'", n.role(), n.label().or_else(|| n.value()).unwrap_or_default());
    let controls: Vec<String> = h.query_all(By::new().predicate(is_control)).map(|n| name(&n.accesskit_node())).collect();
    assert!(!controls.is_empty(), "{screen}: no controls found");
    let trace = std::env::var("AUDIT_TRACE").is_ok();
    if trace {
        eprintln!("{screen}: controls {controls:?}");
    }
    let mut reached = std::collections::HashSet::new();
    for _ in 0..controls.len() * 2 + 4 {
        h.key_press(eframe::egui::Key::Tab);
        h.run_steps(1);
        if let Some(n) = h.query_all(By::new().predicate(|n| n.is_focused())).next() {
            let focused = name(&n.accesskit_node());
            if trace {
                eprintln!("focus: {focused}");
            }
            reached.insert(focused);
        }
    }
    let missing: Vec<&String> = controls.iter().filter(|c| !reached.contains(*c)).collect();
    assert!(missing.is_empty(), "{screen}: Tab never reaches {missing:?}");
    controls.len()
}

pub fn restore_with_guide<S>(h: &mut Harness<'_, S>, chain: &str, network: Option<&str>, backup: &str, name: &str, passphrase: &str) {
    if h.query_by_label("Set up a new wallet").is_some() {
        h.get_by_label("Set up a new wallet").click();
        h.run_steps(2);
    }
    h.get_by_label(chain).click();
    h.run_steps(2);
    h.get_by_label("Next").click();
    h.run_steps(2);
    if let Some(network) = network {
        h.get_by_label_contains(&format!("{network} (")).click();
        h.run_steps(2);
        h.get_by_label("Next").click();
        h.run_steps(2);
    }
    h.get_by_label("Restore a wallet from its backup").click();
    h.run_steps(2);
    let field = if chain == "Monero" { "Its 25 words" } else { "Its secret (s..., 12 RFC 1751 words, or hex)" };
    fill(h, field, backup);
    h.get_by_label("Next").click();
    h.run_steps(2);
    fill(h, "Wallet name", name);
    fill(h, "Passphrase", passphrase);
    fill(h, "Passphrase again", passphrase);
    h.get_by_label("Restore and store").click();
    let ready = if chain == "Monero" { "Your wallet is ready · last step: the online side" } else { "Your account is ready" };
    step_until_within(h, "the guide's last screen", Duration::from_secs(120), |_| String::new(), |h| h.query_all_by_label_contains(ready).next().is_some());
}

/// Restores a Monero wallet (mainnet) with the guide and goes on to its home screen.
pub fn restore_monero<S>(h: &mut Harness<'_, S>, words: &str, name: &str, passphrase: &str) {
    restore_with_guide(h, "Monero", Some("mainnet"), words, name, passphrase);
    // By the keyboard: the button may be below the fold of a short window.
    h.get_by_label("Back").focus();
    h.run_steps(1);
    h.key_press(eframe::egui::Key::Enter);
    h.run_steps(2);
}

/// Restores an XRPL account with the guide; the account is then on the player, for the
/// online side to film.
pub fn restore_xrpl<S>(h: &mut Harness<'_, S>, secret: &str, name: &str, passphrase: &str) {
    restore_with_guide(h, "XRP Ledger", None, secret, name, passphrase);
}

/// Unlocks a wallet of the keystore from the start screen.
pub fn unlock<S>(h: &mut Harness<'_, S>, name: &str, passphrase: &str) {
    fill(h, "Wallet name", name);
    fill(h, "Passphrase", passphrase);
    h.get_by_label("Unlock").click();
}

/// Leaves the online app's first-run guide for its full home screen, if it is showing.
pub fn skip_online_guide<S>(h: &mut Harness<'_, S>) {
    if h.query_by_label("Skip the guide").is_some() {
        h.get_by_label("Skip the guide").click();
        h.run_steps(2);
    }
}
