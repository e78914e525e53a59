//! The two pieces both apps share: the animated QR player and the scanner panel.

use crate::transport::player::{self, Player, DEFAULT_FPS, DEFAULT_FRAGMENT};
use crate::transport::profile::Profile;
use crate::transport::scan_session::{decode_text, ScanEvent, ScanSession, ScanStatus};
use crate::transport::webcam::{CameraChoice, DeviceKind, DEFAULT_RESOLUTION, RESOLUTIONS};
use crate::transport::FrameSource;
use eframe::egui;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Where scanner frames come from: the webcams in the apps, the virtual camera in tests.
pub trait Cameras: Send + Sync {
    /// Every video device, classified (listing may open each one briefly: call it off the
    /// UI thread).
    fn list(&self) -> Result<Vec<CameraChoice>, String>;
    /// Starts device `device` (`None`: the first colour camera) near `resolution`.
    fn open(&self, device: Option<u32>, resolution: (u32, u32)) -> Result<Box<dyn FrameSource + Send>, String>;
}

/// A closure that makes a source is a camera set of one device: how tests plug in the
/// virtual camera.
impl<F> Cameras for F
where
    F: Fn() -> Result<Box<dyn FrameSource + Send>, String> + Send + Sync,
{
    fn list(&self) -> Result<Vec<CameraChoice>, String> {
        Ok(vec![CameraChoice { index: 0, name: "virtual camera".into(), kind: DeviceKind::Camera }])
    }

    fn open(&self, _device: Option<u32>, _resolution: (u32, u32)) -> Result<Box<dyn FrameSource + Send>, String> {
        self()
    }
}

pub type SourceFactory = Arc<dyn Cameras>;

/// Work on a worker thread (network, key derivation) with a spinner on screen meanwhile.
pub struct Job<T> {
    label: String,
    rx: std::sync::mpsc::Receiver<Result<T, String>>,
}

impl<T: Send + 'static> Job<T> {
    pub fn spawn(label: &str, work: impl FnOnce() -> Result<T, String> + Send + 'static) -> Job<T> {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(work());
        });
        Job { label: label.to_owned(), rx }
    }

    /// Draws the spinner; the outcome once the worker has finished.
    pub fn ui(&self, ui: &mut egui::Ui) -> Option<Result<T, String>> {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(&self.label);
        });
        ui.ctx().request_repaint_after(std::time::Duration::from_millis(50));
        match self.rx.try_recv() {
            Ok(outcome) => Some(outcome),
            Err(std::sync::mpsc::TryRecvError::Empty) => None,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => Some(Err("the background task stopped".into())),
        }
    }
}

/// A QR symbol as a texture, one texel per module (quiet zone included): drawn scaled
/// with nearest-neighbour filtering, so modules stay sharp at any size.
pub fn qr_texture(ctx: &egui::Context, name: &str, symbol: &crate::transport::qr::Symbol) -> egui::TextureHandle {
    let image = crate::transport::qr::render(symbol, 1);
    let color = egui::ColorImage::from_gray([image.width() as usize, image.height() as usize], image.as_raw());
    ctx.load_texture(name, color, egui::TextureOptions::NEAREST)
}

/// The line under an app's title: the latest error (red) or news (green).
/// A one-line text row: its label, then the field the label names (for screen readers and
/// the tests, which find fields by their labels).
pub fn text_row(ui: &mut egui::Ui, label: &str, text: &mut String) -> egui::Response {
    ui.horizontal(|ui| {
        let label = ui.label(label);
        ui.add(egui::TextEdit::singleline(text)).labelled_by(label.id)
    })
    .inner
}

/// Lines of text, one label each (each found by the tests as written).
pub fn lines(ui: &mut egui::Ui, lines: &[String]) {
    for l in lines {
        ui.label(l);
    }
}

/// A result screen: its lines, then "Back"; true when Back was pressed.
pub fn lines_then_back(ui: &mut egui::Ui, text: &[String]) -> bool {
    lines(ui, text);
    ui.button("Back").clicked()
}

pub fn notice_line(ui: &mut egui::Ui, notice: &Option<(bool, String)>) {
    if let Some((is_error, text)) = notice {
        let color = if *is_error { egui::Color32::RED } else { egui::Color32::from_rgb(0, 140, 60) };
        ui.colored_label(color, text);
    }
}

/// How a payload type was last shown: fragment size and frame rate.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PlayerSetting {
    pub fragment: usize,
    pub fps: f32,
}

/// The camera last chosen and its resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CameraSetting {
    pub device: Option<u32>,
    pub resolution: (u32, u32),
}

#[derive(Default, Clone, serde::Serialize, serde::Deserialize)]
struct Stored {
    /// Display profile per payload type.
    #[serde(default)]
    profiles: BTreeMap<String, String>,
    #[serde(default)]
    players: BTreeMap<String, PlayerSetting>,
    #[serde(default)]
    camera: Option<CameraSetting>,
}

/// The apps' settings, remembered across screens and restarts in a small JSON file: per
/// payload type the display profile, fragment size and frame rate; the camera and its
/// resolution. Nothing secret: type names, profile names, numbers. The apps keep it in the
/// platform config directory ([`settings_path`]).
#[derive(Default)]
pub struct ProfileMemory {
    path: Option<PathBuf>,
    stored: Stored,
}

pub type SharedProfiles = Arc<Mutex<ProfileMemory>>;

/// `$XDG_CONFIG_HOME/airsign/settings.json`, else `~/.config/airsign/settings.json`.
pub fn settings_path(env: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    let base = env("XDG_CONFIG_HOME").filter(|v| !v.is_empty()).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env("HOME").unwrap_or_else(|| ".".into())).join(".config"));
    base.join("airsign").join("settings.json")
}

impl ProfileMemory {
    /// Reads the settings kept at `path` (none yet, or an unreadable file: none). A file
    /// of the first form (a map of payload type to profile name) is read as profiles.
    pub fn open(path: PathBuf) -> SharedProfiles {
        let bytes = std::fs::read(&path).unwrap_or_default();
        let stored = match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(v) if ["profiles", "players", "camera"].iter().any(|k| v.get(k).is_some()) => serde_json::from_value(v).unwrap_or_default(),
            Ok(v) => Stored { profiles: serde_json::from_value(v).unwrap_or_default(), ..Stored::default() },
            Err(_) => Stored::default(),
        };
        Arc::new(Mutex::new(ProfileMemory { path: Some(path), stored }))
    }

    /// [`Self::open`] at `path`; when there is nothing there yet but an older release left
    /// its choices in `legacy` (player-profiles.json beside the keystore or the watch
    /// database), they are carried over to `path`. The old file is left as it was.
    pub fn open_migrating(path: PathBuf, legacy: &std::path::Path) -> SharedProfiles {
        if path.exists() || !legacy.exists() {
            return Self::open(path);
        }
        let carried = Self::open(legacy.to_owned());
        let memory = match carried.lock() {
            Ok(m) => ProfileMemory { path: Some(path.clone()), stored: m.stored.clone() },
            Err(_) => return Self::open(path),
        };
        // An unwritable config directory: the carried choices still apply for this run.
        let _ = memory.save();
        Arc::new(Mutex::new(memory))
    }

    pub fn get(&self, ur_type: &str) -> Option<Profile> {
        self.stored.profiles.get(ur_type).and_then(|n| Profile::parse(n).ok())
    }

    pub fn player(&self, ur_type: &str) -> Option<PlayerSetting> {
        self.stored.players.get(ur_type).copied()
    }

    pub fn camera(&self) -> Option<CameraSetting> {
        self.stored.camera
    }

    fn set(&mut self, ur_type: &str, profile: Profile) -> Result<(), String> {
        self.stored.profiles.insert(ur_type.to_owned(), profile.name().to_owned());
        self.save()
    }

    fn set_player(&mut self, ur_type: &str, setting: PlayerSetting) -> Result<(), String> {
        if self.stored.players.insert(ur_type.to_owned(), setting) == Some(setting) {
            return Ok(());
        }
        self.save()
    }

    fn set_camera(&mut self, setting: CameraSetting) -> Result<(), String> {
        if self.stored.camera.replace(setting) == Some(setting) {
            return Ok(());
        }
        self.save()
    }

    fn save(&self) -> Result<(), String> {
        match &self.path {
            Some(path) => {
                let json = serde_json::to_vec_pretty(&self.stored).map_err(|e| e.to_string())?;
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                }
                crate::keystore::write_durably(path, &json).map_err(|e| format!("cannot remember the choice in {}: {e}", path.display()))
            }
            None => Ok(()),
        }
    }
}

/// How many transactions an `xrpl-signed` payload holds (for the one-at-a-time profiles).
fn transactions_in(ur_type: &str, message: &[u8]) -> usize {
    use crate::envelope::xrpl::Versioned;
    if ur_type != "xrpl-signed" {
        return 1;
    }
    crate::envelope::xrpl::XrplSignedPayload::from_cbor(message).map(|p| p.transactions.len()).unwrap_or(1)
}

/// A payload on screen as an animated QR code.
pub struct PlayerView {
    pub title: String,
    pub player: Player,
    /// The texture of the part on screen, keyed by (fragment size, part number): a new
    /// fragment size restarts the numbering.
    texture: Option<((Profile, usize, usize, u64), egui::TextureHandle)>,
    show_text: bool,
    error: Option<String>,
    /// "Save as file": the path typed, and what the last save did.
    save_path: String,
    saved: Option<Result<String, String>>,
    /// Where the profile choice is remembered, once the app attached it.
    memory: Option<SharedProfiles>,
    /// Which transaction a one-at-a-time profile shows (1-based), and how many there are.
    index: usize,
    transactions: usize,
    /// The code alone, as large as the window allows, controls hidden (Esc leaves).
    full_screen: bool,
}

impl PlayerView {
    pub fn new(title: &str, ur_type: &str, message: &[u8]) -> Result<PlayerView, String> {
        let player = Player::new(ur_type, message, DEFAULT_FRAGMENT, DEFAULT_FPS).map_err(|e| e.to_string())?;
        let transactions = transactions_in(ur_type, message);
        Ok(PlayerView {
            title: title.to_owned(),
            player,
            texture: None,
            show_text: false,
            error: None,
            save_path: String::new(),
            saved: None,
            memory: None,
            index: 1,
            transactions,
            full_screen: false,
        })
    }

    /// Attaches the app's remembered choices (once) and shows the payload with the profile
    /// chosen last for its type.
    pub fn remember(&mut self, memory: &SharedProfiles) {
        if self.memory.is_some() {
            return;
        }
        self.memory = Some(memory.clone());
        let (chosen, setting) = memory.lock().ok().map(|m| (m.get(self.player.ur_type()), m.player(self.player.ur_type()))).unwrap_or_default();
        if let Some(p) = chosen {
            self.show_for(p);
        }
        if let Some(s) = setting {
            self.player.set_fps(s.fps.clamp(1.0, 30.0));
            if let Err(e) = self.player.set_fragment(s.fragment) {
                self.error = Some(e.to_string());
            }
        }
    }

    /// Remembers this type's fragment size and frame rate as they are now.
    fn remember_setting(&mut self) {
        let setting = PlayerSetting { fragment: self.player.fragment(), fps: self.player.fps() };
        let ur_type = self.player.ur_type().to_owned();
        if let Some(m) = &self.memory {
            if let Err(e) = m.lock().map_err(|_| "the settings are unavailable".to_owned()).and_then(|mut m| m.set_player(&ur_type, setting)) {
                self.error = Some(e);
            }
        }
    }

    /// Shows the payload with `profile` (a one-at-a-time profile from transaction 1).
    fn show_for(&mut self, profile: Profile) {
        self.index = 1;
        let index = profile.shows().map(|_| self.index);
        match self.player.set_profile(profile, index) {
            Ok(()) => self.error = None,
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// The profile picker: the profiles that can show this payload, each with the apps it
    /// is for; one-at-a-time profiles page through a batch.
    fn profile_ui(&mut self, ui: &mut egui::Ui) {
        let current = self.player.profile();
        let ur_type = self.player.ur_type().to_owned();
        let mut picked = None;
        ui.horizontal(|ui| {
            egui::ComboBox::from_label("show for").selected_text(current.name()).show_ui(ui, |ui| {
                for p in Profile::ALL.into_iter().filter(|p| p.shows().is_none_or(|t| t == ur_type)) {
                    if ui.selectable_label(p == current, p.name()).on_hover_text(p.spec().for_apps).clicked() {
                        picked = Some(p);
                    }
                }
            });
            ui.label(format!("for {}", current.spec().for_apps));
        });
        if let Some(p) = picked.filter(|p| *p != current) {
            self.show_for(p);
            if let Some(m) = &self.memory {
                if let Err(e) = m.lock().map_err(|_| "the settings are unavailable".to_owned()).and_then(|mut m| m.set(&ur_type, p)) {
                    self.error = Some(e);
                }
            }
        }
        if current.shows().is_some() && self.transactions > 1 {
            ui.horizontal(|ui| {
                ui.label(format!("Transaction {} of {} (this profile shows one at a time)", self.index, self.transactions));
                if ui.add_enabled(self.index < self.transactions, egui::Button::new("Next transaction")).clicked() {
                    self.index += 1;
                    if let Err(e) = self.player.set_profile(current, Some(self.index)) {
                        self.error = Some(e.to_string());
                    }
                }
            });
        }
    }

    /// The player with a "Done" button above it (above, so it stays in reach whatever the
    /// code's size); true once the user is done.
    pub fn ui_with_done(&mut self, ui: &mut egui::Ui) -> bool {
        if self.full_screen {
            self.ui(ui);
            return false;
        }
        let done = ui.button("Done").clicked();
        self.ui(ui);
        done
    }

    pub fn is_full_screen(&self) -> bool {
        self.full_screen
    }

    fn set_full_screen(&mut self, ctx: &egui::Context, on: bool) {
        self.full_screen = on;
        ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(on));
    }

    /// Which pass over the fragments is on screen: the first shows each once, later ones
    /// are the fountain's mixed parts.
    fn progress_text(&self) -> String {
        let n = self.player.seq_len().max(1) as u64;
        let shown = self.player.shown().max(1);
        if n == 1 {
            return "a single code: nothing to wait for".into();
        }
        format!("part {shown}: fragment {} of {n}, loop {}", (shown - 1) % n + 1, (shown - 1) / n + 1)
    }

    /// The texture of the part on screen, drawn once per part rather than once per repaint.
    fn texture(&mut self, ctx: &egui::Context) -> Option<egui::TextureHandle> {
        let key = (self.player.profile(), self.index, self.player.fragment(), self.player.shown());
        if self.texture.as_ref().is_none_or(|(k, _)| *k != key) {
            self.texture = Some((key, qr_texture(ctx, "qr", self.player.symbol())));
        }
        self.texture.as_ref().map(|(_, t)| t.clone())
    }

    /// The code on a white field over the whole window, a line of progress under it.
    fn full_screen_ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
            self.set_full_screen(&ctx, false);
            return;
        }
        let rect = ctx.content_rect();
        let texture = self.texture(&ctx);
        let line = format!("{} · Esc leaves full screen", self.progress_text());
        egui::Area::new(egui::Id::unique("qr-full-screen")).fixed_pos(rect.min).order(egui::Order::Foreground).show(&ctx, |ui| {
            ui.painter().rect_filled(rect, 0.0, egui::Color32::WHITE);
            let side = rect.width().min(rect.height() - 40.0).max(120.0);
            let code = egui::Rect::from_center_size(rect.center() - egui::vec2(0.0, 14.0), egui::vec2(side, side));
            if let Some(t) = &texture {
                ui.put(code, egui::Image::new(t).fit_to_exact_size(code.size()).alt_text("Animated QR code, full screen"));
            }
            let text = egui::Rect::from_min_max(egui::pos2(rect.min.x, code.max.y), rect.max);
            ui.put(text, egui::Label::new(egui::RichText::new(line).color(egui::Color32::DARK_GRAY)));
        });
        if !self.player.is_paused() {
            ctx.request_repaint_after(std::time::Duration::from_secs_f32(1.0 / self.player.fps()));
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui) {
        let now = ui.input(|i| i.time);
        if let Err(e) = self.player.tick(now) {
            self.error = Some(e.to_string());
        }
        if self.full_screen {
            self.full_screen_ui(ui);
            return;
        }
        ui.heading(&self.title);
        self.profile_ui(ui);
        ui.label(format!(
            "{} · {} fragments of up to {} bytes · {}{}",
            self.player.shown_type(),
            self.player.seq_len(),
            self.player.fragment(),
            self.progress_text(),
            if self.player.is_paused() { " · paused" } else { "" }
        ));
        let mut changed = false;
        ui.horizontal(|ui| {
            if ui.button("Full screen").on_hover_text("The code as large as the screen allows; Esc leaves").clicked() {
                self.set_full_screen(ui.ctx(), true);
            }
            let label = if self.player.is_paused() { "Resume" } else { "Pause" };
            if ui.button(label).clicked() {
                let p = self.player.is_paused();
                self.player.set_paused(!p);
            }
            let mut fps = self.player.fps();
            let slider = ui.add(egui::Slider::new(&mut fps, 1.0..=30.0).text("frames per second"));
            if slider.changed() {
                self.player.set_fps(fps);
            }
            // Written when the drag ends (or a typed value lands), not on every step of it.
            changed |= slider.drag_stopped() || (slider.changed() && !slider.dragged());
            egui::ComboBox::from_label("fragment bytes").selected_text(self.player.fragment().to_string()).show_ui(ui, |ui| {
                for size in [100usize, 150, 200, 300, 400, 600, 800, 1000] {
                    if ui.selectable_label(self.player.fragment() == size, size.to_string()).clicked() {
                        changed = true;
                        if let Err(e) = self.player.set_fragment(size) {
                            self.error = Some(e.to_string());
                        }
                    }
                }
            });
            ui.checkbox(&mut self.show_text, "Show as text instead");
        });
        ui.horizontal(|ui| {
            // The two settings measured best (docs/app.md): a laptop webcam at arm's length,
            // and a good camera close to the screen (a phone, or the full-screen code).
            let presets = [("Standard camera", player::DEFAULT_FRAGMENT, player::DEFAULT_FPS), ("Dense: a good camera close to the screen", player::DENSE_FRAGMENT, player::DENSE_FPS)];
            for (name, fragment, fps) in presets {
                let active = self.player.fragment() == fragment && self.player.fps() == fps;
                if ui.selectable_label(active, name).on_hover_text(format!("{fragment}-byte fragments at {fps} frames per second")).clicked() {
                    changed = true;
                    self.player.set_fps(fps);
                    if let Err(e) = self.player.set_fragment(fragment) {
                        self.error = Some(e.to_string());
                    }
                }
            }
        });
        if changed {
            self.remember_setting();
        }
        ui.horizontal(|ui| {
            let label = ui.label("Or save as a file (for a USB stick):");
            ui.add(egui::TextEdit::singleline(&mut self.save_path).hint_text("/media/usb/airsign-file").desired_width(320.0)).labelled_by(label.id);
            if ui.button("Save file").clicked() {
                self.saved = Some(self.save_file());
            }
        });
        match &self.saved {
            Some(Ok(what)) => {
                ui.colored_label(egui::Color32::from_rgb(0, 140, 60), what);
            }
            Some(Err(e)) => {
                ui.colored_label(egui::Color32::RED, e);
            }
            None => {}
        }
        ui.label("Tip: turn the screen brightness up and tilt it away from lamps and windows if the other camera sees glare.");
        if let Some(e) = &self.error {
            ui.colored_label(egui::Color32::RED, e);
        }
        if self.show_text {
            let mut text = self.player.all_parts_text();
            ui.add(egui::TextEdit::multiline(&mut text).desired_rows(8).desired_width(f32::INFINITY));
            return;
        }
        // A white card with the code: black on white whatever the theme, quiet zone included.
        if let Some(texture) = self.texture(ui.ctx()) {
            let side = ui.available_width().min(ui.available_height()).clamp(120.0, 720.0);
            ui.vertical_centered(|ui| {
                ui.add(egui::Image::new(&texture).fit_to_exact_size(egui::vec2(side, side)).alt_text("Animated QR code"));
            });
        }
        if !self.player.is_paused() {
            ui.ctx().request_repaint_after(std::time::Duration::from_secs_f32(1.0 / self.player.fps()));
        }
    }

    /// Writes the payload as the file the other side's "load file" (ours, Feather's,
    /// monero-wallet-cli's) takes: the wallet2 file for `xmr-*`, the CBOR message for
    /// `xrpl-*`. An existing file is not overwritten.
    fn save_file(&self) -> Result<String, String> {
        let path = std::path::PathBuf::from(self.save_path.trim());
        if path.as_os_str().is_empty() {
            return Err("type the file's path first".into());
        }
        let data = crate::envelope::decode(self.player.ur_type(), self.player.message()).map_err(|e| e.to_string())?.data;
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        std::io::Write::write_all(&mut file, &data).and_then(|()| file.sync_all()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(format!("saved {} bytes to {}", data.len(), path.display()))
    }
}

/// A scan in progress, with the "paste text / load file" path beside the camera.
pub struct ScannerView {
    pub title: String,
    accepted: Vec<String>,
    session: Option<ScanSession>,
    status: ScanStatus,
    pasted: String,
    file_path: String,
    error: Option<String>,
    /// The devices found, once listed; the device and resolution picked.
    devices: Option<Vec<CameraChoice>>,
    listing: Option<Job<Vec<CameraChoice>>>,
    device: Option<u32>,
    resolution: (u32, u32),
    preview: Option<egui::TextureHandle>,
    /// The latest outline and when it was seen: held briefly, so that a frame the decoder
    /// misses does not make it flicker.
    outline: Option<([[f32; 2]; 4], f64)>,
    /// Where the camera choice is remembered, once the app attached it.
    memory: Option<SharedProfiles>,
}

impl ScannerView {
    pub fn new(title: &str, accepted: &[&str]) -> ScannerView {
        ScannerView {
            title: title.to_owned(),
            accepted: accepted.iter().map(|s| s.to_string()).collect(),
            session: None,
            status: ScanStatus::default(),
            pasted: String::new(),
            file_path: String::new(),
            error: None,
            devices: None,
            listing: None,
            device: None,
            resolution: DEFAULT_RESOLUTION,
            preview: None,
            outline: None,
            memory: None,
        }
    }

    /// Attaches the app's remembered settings (once): the camera and resolution chosen last.
    pub fn remember(&mut self, memory: &SharedProfiles) {
        if self.memory.is_some() {
            return;
        }
        self.memory = Some(memory.clone());
        if let Some(c) = memory.lock().ok().and_then(|m| m.camera()) {
            self.device = c.device;
            if RESOLUTIONS.contains(&c.resolution) {
                self.resolution = c.resolution;
            }
        }
    }

    /// Draws the scanner; returns the payload (UR type, message) once complete.
    pub fn ui(&mut self, ui: &mut egui::Ui, sources: &SourceFactory) -> Option<(String, Vec<u8>)> {
        ui.heading(&self.title);
        ui.label(format!("Expecting: {}", self.accepted.join(" or ")));
        let mut done = None;
        if let Some(session) = &self.session {
            for event in session.poll() {
                match event {
                    ScanEvent::Status(s) => self.status = s,
                    ScanEvent::Complete { ur_type, message } => done = Some((ur_type, message)),
                    ScanEvent::Ended(s) => {
                        self.status = s;
                        self.error = Some("the camera stopped before the payload was complete".into());
                    }
                    ScanEvent::Failed(e) => self.error = Some(format!("camera: {e}")),
                }
            }
            ui.ctx().request_repaint_after(std::time::Duration::from_millis(50));
        }
        if done.is_some() {
            self.session = None;
            return done;
        }
        if self.session.is_none() {
            self.camera_controls(ui, sources);
        } else {
            if ui.button("Stop camera").clicked() {
                self.session = None;
                self.preview = None;
            }
            self.preview_ui(ui);
        }
        let p = &self.status.progress;
        let fraction = if p.fragments_total == 0 { 0.0 } else { p.fragments_resolved as f32 / p.fragments_total as f32 };
        ui.add(egui::ProgressBar::new(fraction).text(self.status.describe()));
        if let Some(t) = &self.status.ur_type {
            ui.label(format!("Receiving: {t}"));
        }
        if let Some(n) = &self.status.notice {
            ui.colored_label(egui::Color32::from_rgb(200, 120, 0), n);
        }
        if let Some(h) = self.status.hint.filter(|_| self.session.is_some()) {
            ui.colored_label(egui::Color32::from_rgb(200, 120, 0), h.text());
        }
        ui.separator();
        ui.label("Or paste UR text (one part a line):");
        ui.add(egui::TextEdit::multiline(&mut self.pasted).desired_rows(3).desired_width(f32::INFINITY));
        ui.horizontal(|ui| {
            if ui.button("Use pasted text").clicked() {
                match decode_text(&self.pasted, &self.accepted) {
                    Ok(r) => done = Some(r),
                    Err(e) => self.error = Some(e),
                }
            }
            let label = ui.label("or a file:");
            ui.text_edit_singleline(&mut self.file_path).labelled_by(label.id);
            if ui.button("Load file").clicked() {
                done = self.load_file();
            }
        });
        if let Some(e) = &self.error {
            ui.colored_label(egui::Color32::RED, e);
        }
        if done.is_some() {
            self.session = None;
        }
        done
    }

    /// The device picker, the resolution and the start button.
    fn camera_controls(&mut self, ui: &mut egui::Ui, sources: &SourceFactory) {
        if let Some(job) = &self.listing {
            if let Some(outcome) = job.ui(ui) {
                self.listing = None;
                match outcome {
                    Ok(found) => self.devices = Some(found),
                    Err(e) => self.error = Some(e),
                }
            }
        }
        let before = CameraSetting { device: self.device, resolution: self.resolution };
        ui.horizontal(|ui| {
            if ui.button("Start camera").clicked() {
                match sources.open(self.device, self.resolution) {
                    Ok(source) => {
                        self.error = None;
                        self.status = ScanStatus::default();
                        self.session = Some(ScanSession::start(source, self.accepted.clone()));
                    }
                    Err(e) => self.error = Some(e),
                }
            }
            let cameras: Vec<&CameraChoice> = self.devices.iter().flatten().filter(|c| c.kind == DeviceKind::Camera).collect();
            let name = |index: Option<u32>| match index {
                None => "first camera found".to_owned(),
                Some(i) => cameras.iter().find(|c| c.index == i).map_or(format!("device {i}"), |c| c.name.clone()),
            };
            egui::ComboBox::from_label("camera").selected_text(name(self.device)).show_ui(ui, |ui| {
                ui.selectable_value(&mut self.device, None, name(None));
                for c in &cameras {
                    ui.selectable_value(&mut self.device, Some(c.index), &c.name);
                }
            });
            if self.listing.is_none() && ui.button("Find cameras").clicked() {
                let sources = sources.clone();
                self.listing = Some(Job::spawn("looking for cameras", move || sources.list()));
            }
            egui::ComboBox::from_label("resolution").selected_text(format!("{}p", self.resolution.1)).show_ui(ui, |ui| {
                for r in RESOLUTIONS {
                    ui.selectable_value(&mut self.resolution, r, format!("{}p", r.1));
                }
            });
        });
        let now = CameraSetting { device: self.device, resolution: self.resolution };
        if now != before {
            if let Some(m) = &self.memory {
                if let Err(e) = m.lock().map_err(|_| "the settings are unavailable".to_owned()).and_then(|mut m| m.set_camera(now)) {
                    self.error = Some(e);
                }
            }
        }
        if let Some(devices) = &self.devices {
            let skipped = devices.iter().filter(|c| c.kind != DeviceKind::Camera).count();
            if skipped > 0 {
                ui.label(format!("{skipped} infrared or metadata-only video devices are not offered: they cannot read a screen."));
            }
        }
    }

    /// The camera's picture, with the code it sees outlined.
    fn preview_ui(&mut self, ui: &mut egui::Ui) {
        if let Some(frame) = self.session.as_ref().and_then(ScanSession::take_preview) {
            let image = egui::ColorImage::from_gray([frame.image.width() as usize, frame.image.height() as usize], frame.image.as_raw());
            match &mut self.preview {
                Some(texture) => texture.set(image, egui::TextureOptions::LINEAR),
                None => self.preview = Some(ui.ctx().load_texture("camera preview", image, egui::TextureOptions::LINEAR)),
            }
        }
        let Some(texture) = &self.preview else {
            ui.label("starting the camera...");
            return;
        };
        let size = texture.size_vec2();
        let width = ui.available_width().min(size.x.max(320.0)).min(480.0);
        let shown = egui::vec2(width, width * size.y / size.x.max(1.0));
        let response = ui.add(egui::Image::new(texture).fit_to_exact_size(shown).alt_text("Camera preview"));
        let now = ui.input(|i| i.time);
        if let Some(seen) = self.status.outline {
            self.outline = Some((seen, now));
        }
        if let Some((outline, _)) = self.outline.filter(|(_, at)| now - at < 0.5) {
            let rect = response.rect;
            let points: Vec<egui::Pos2> = outline.iter().map(|[x, y]| rect.min + egui::vec2(x * rect.width(), y * rect.height())).collect();
            ui.painter().add(egui::Shape::closed_line(points, egui::Stroke::new(3.0, egui::Color32::from_rgb(0, 200, 80))));
        }
    }

    /// A file holds UR text, or the raw payload (a wallet2 file, or CBOR for `xrpl-*`).
    fn load_file(&mut self) -> Option<(String, Vec<u8>)> {
        let bytes = match std::fs::read(self.file_path.trim()) {
            Ok(b) => b,
            Err(e) => {
                self.error = Some(format!("cannot read {}: {e}", self.file_path.trim()));
                return None;
            }
        };
        if crate::transport::part::looks_like_ur(&bytes) {
            return decode_text(&String::from_utf8_lossy(&bytes), &self.accepted).map_err(|e| self.error = Some(e)).ok();
        }
        // The envelope knows which types carry a byte string (a wallet2 file) and which a
        // CBOR map, and checks the content either way.
        for t in &self.accepted {
            let payload = crate::envelope::UrType::from_name(t).and_then(|ty| crate::envelope::Payload::new(ty, bytes.clone()));
            if let Ok(payload) = payload {
                return Some((t.clone(), payload.to_cbor()));
            }
        }
        self.error = Some(format!("the file is not a {} payload", self.accepted.join(" or ")));
        None
    }
}
