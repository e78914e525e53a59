//! `airsign offline`: the signer's screens. Monero: create or restore a wallet, unlock it,
//! show the view-only wallet for Feather, turn scanned outputs into key images, review and
//! sign unsigned sets (with the journal's warning). XRPL: see `offline_xrpl`. No network
//! code is used here.

use super::offline_xrpl::{self, XrplScreen, XrplSession};
use super::secret_field::{passphrase_row, SecretText};
use super::setup_guide::{NewSecret, NewWallet, Outcome, SetupGuide};
use super::widgets::{text_row, Job, PlayerView, ScannerView, SourceFactory};
use crate::chain::monero::keys::WalletKeys;
use crate::chain::monero::outputs::OutputScanner;
use crate::chain::monero::review::format_xmr;
use crate::chain::xrpl::keys::Seed;
use crate::keystore::{Keystore, WalletInfo};
use crate::signer::journal::Journal;
use crate::signer::monero::{self as signer, ReviewedSet};
use crate::transport::qr::{self, EcLevel};
use eframe::egui;
use std::path::PathBuf;
use std::sync::Arc;
use zeroize::Zeroizing;

enum Purpose {
    Outputs,
    Unsigned,
}

enum Screen {
    Start,
    /// The first-run guide to a new wallet (create or restore).
    Setup(Box<SetupGuide>),
    Home,
    /// `ready`: the wallet was just set up, and this is the guide's last step.
    ViewOnly {
        json: Zeroizing<String>,
        texture: Option<egui::TextureHandle>,
        ready: bool,
    },
    Show(PlayerView),
    Scan(ScannerView, Purpose),
    /// The journal is held (locked) for as long as the review is on screen, so no other
    /// airsign can sign between this check and the record.
    Review {
        set: Box<ReviewedSet>,
        text: String,
        conflict: Option<String>,
        allow_respend: bool,
        journal: Box<Journal>,
        reached_end: bool,
    },
    Xrpl(XrplScreen),
    /// Unlocking or creating a wallet on a worker thread.
    Opening(Job<Opened>),
    /// Signing (CLSAG, Bulletproofs+, the journal's fsync) on a worker thread.
    Signing(Job<Vec<u8>>),
}

enum Session {
    Monero(Unlocked),
    Xrpl(Box<XrplSession>),
}

/// What the background unlock or create hands back.
struct Opened {
    session: Session,
    /// Set up by the guide just now: show what the online side needs next.
    new: bool,
    info: String,
}

struct Unlocked {
    name: String,
    restore_height: u64,
    /// Shared with the signing worker.
    scanner: Arc<OutputScanner>,
}

pub struct OfflineApp {
    keystore_dir: PathBuf,
    sources: SourceFactory,
    /// The player's profile per payload type, kept beside the keystore.
    profiles: super::widgets::SharedProfiles,
    screen: Screen,
    wallet_name: String,
    passphrase: SecretText,
    /// The guide was left with Cancel: an empty keystore then shows the start screen
    /// rather than the guide again.
    guide_dismissed: bool,
    notice: Option<(bool, String)>,
    wallet: Option<Unlocked>,
    xrpl: Option<XrplSession>,
    /// The keystore's wallets, read once each time the start screen is entered rather
    /// than on every repaint.
    wallets: Option<Result<Vec<WalletInfo>, String>>,
}

impl OfflineApp {
    /// Keeps the settings (player and camera choices) in `path` instead of beside the keystore.
    pub fn with_settings(mut self, path: PathBuf) -> OfflineApp {
        self.set_settings(&path);
        self
    }

    /// The same, on a running app (screens opened later read it).
    pub fn set_settings(&mut self, path: &std::path::Path) {
        self.profiles = super::widgets::ProfileMemory::open_migrating(path.to_owned(), &self.keystore_dir.join("player-profiles.json"));
    }

    pub fn new(keystore_dir: PathBuf, sources: SourceFactory) -> OfflineApp {
        OfflineApp {
            profiles: super::widgets::ProfileMemory::open(keystore_dir.join("player-profiles.json")),
            keystore_dir,
            sources,
            screen: Screen::Start,
            wallet_name: String::new(),
            passphrase: SecretText::default(),
            guide_dismissed: false,
            notice: None,
            wallet: None,
            xrpl: None,
            wallets: None,
        }
    }

    /// The payload on screen, if a QR player is showing (tests read what the other side
    /// would scan from here).
    pub fn showing(&self) -> Option<&crate::transport::Player> {
        match &self.screen {
            Screen::Show(p) => Some(&p.player),
            Screen::Xrpl(x) => XrplSession::showing(x),
            _ => None,
        }
    }

    /// The latest notice (error or information) shown at the top.
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_ref().map(|(_, s)| s.as_str())
    }

    fn error(&mut self, e: impl std::fmt::Display) {
        self.notice = Some((true, e.to_string()));
    }

    fn info(&mut self, s: impl Into<String>) {
        self.notice = Some((false, s.into()));
    }

    pub fn ui(&mut self, ui: &mut egui::Ui) {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading("airsign offline");
                let open = match (&self.wallet, &self.xrpl) {
                    (Some(w), _) => Some(format!("· wallet '{}' ({}, Monero)", w.name, w.scanner.keys().network().name())),
                    (_, Some(x)) => Some(format!("· wallet '{}' (XRP Ledger, {})", x.name, x.address())),
                    _ => None,
                };
                if let Some(open) = open {
                    ui.label(open);
                    if ui.button("Lock").clicked() {
                        self.wallet = None;
                        self.xrpl = None;
                        self.screen = Screen::Start;
                        self.info("locked");
                    }
                }
            });
            ui.label("This computer must stay offline: it holds the keys.");
            super::widgets::notice_line(ui, &self.notice);
            ui.separator();
            egui::ScrollArea::vertical().show(ui, |ui| self.screen_ui(ui));
        });
    }

    fn screen_ui(&mut self, ui: &mut egui::Ui) {
        let screen = std::mem::replace(&mut self.screen, Screen::Start);
        if !matches!(screen, Screen::Start) {
            self.wallets = None;
        }
        self.screen = match screen {
            Screen::Start => self.start_ui(ui),
            Screen::Setup(mut guide) => {
                let dir = &self.keystore_dir;
                let taken = |name: &str| Keystore::open(dir).and_then(|k| k.list()).is_ok_and(|l| l.iter().any(|w| w.name == name));
                match guide.ui(ui, &taken) {
                    Outcome::Continue => Screen::Setup(guide),
                    Outcome::Cancel => {
                        self.guide_dismissed = true;
                        Screen::Start
                    }
                    Outcome::Store(new) => self.store(new),
                }
            }
            Screen::Home => self.home_ui(ui),
            Screen::Opening(job) => match job.ui(ui) {
                Some(Ok(opened)) => self.opened(opened),
                Some(Err(e)) => {
                    self.error(e);
                    Screen::Start
                }
                None => Screen::Opening(job),
            },
            Screen::Signing(job) => match job.ui(ui) {
                Some(outcome) => self.signed(outcome),
                None => Screen::Signing(job),
            },
            Screen::Xrpl(x) => match &mut self.xrpl {
                Some(session) => Screen::Xrpl(session.ui(ui, x, &self.sources, &self.profiles, &mut self.notice)),
                None => Screen::Start,
            },
            Screen::ViewOnly { json, mut texture, ready } => {
                if ready {
                    ui.heading("Your wallet is ready · last step: the online side");
                    ui.label(
                        "On the online computer, open airsign online (Monero > Scan view-only wallet QR) or Feather, and scan the code below. Then the online side can sync and show the balance.",
                    );
                } else {
                    ui.heading("View-only wallet");
                }
                ui.label("Scan this with Feather (Wallet > New > Restore from view key / scan QR). It lets the online side see, not spend.");
                ui.colored_label(
                    egui::Color32::from_rgb(200, 120, 0),
                    "It holds the secret view key: whoever has it sees every payment this wallet receives and, with the key images, what it spends. Show it only to your own online wallet.",
                );
                if texture.is_none() {
                    match qr::symbol(&json, EcLevel::H) {
                        Ok(symbol) => texture = Some(super::widgets::qr_texture(ui.ctx(), "view-only", &symbol)),
                        Err(e) => self.error(e),
                    }
                }
                if let Some(t) = &texture {
                    let side = ui.available_width().min(480.0);
                    ui.vertical_centered(|ui| {
                        ui.add(egui::Image::new(t).fit_to_exact_size(egui::vec2(side, side)).alt_text("View-only wallet QR code"));
                    });
                }
                let mut text = json.to_string();
                ui.add(egui::TextEdit::multiline(&mut text).desired_width(f32::INFINITY));
                if ui.button("Back").clicked() {
                    Screen::Home
                } else {
                    Screen::ViewOnly { json, texture, ready }
                }
            }
            Screen::Show(mut player) => {
                player.remember(&self.profiles);
                if player.ui_with_done(ui) {
                    Screen::Home
                } else {
                    Screen::Show(player)
                }
            }
            Screen::Scan(mut scanner, purpose) => {
                scanner.remember(&self.profiles);
                let got = scanner.ui(ui, &self.sources);
                let back = ui.button("Cancel").clicked();
                match got {
                    Some((ur_type, message)) => self.received(&ur_type, &message, purpose),
                    None if back => Screen::Home,
                    None => Screen::Scan(scanner, purpose),
                }
            }
            Screen::Review { set, text, conflict, mut allow_respend, journal, mut reached_end } => {
                ui.heading("Review before signing");
                reached_end |= super::review_cards::monero(ui, &set.review);
                ui.collapsing("The same review as text", |ui| {
                    ui.add(egui::Label::new(egui::RichText::new(&text).monospace()).wrap());
                });
                if let Some(c) = &conflict {
                    super::review_cards::banner(ui, egui::Color32::RED, c);
                    ui.checkbox(&mut allow_respend, "Sign anyway (the journal's override)");
                }
                let may_sign = (conflict.is_none() || allow_respend) && reached_end;
                let (mut approve, mut reject) = (false, false);
                ui.horizontal(|ui| {
                    approve = ui.add_enabled(may_sign, egui::Button::new("Approve and sign")).on_disabled_hover_text("Scroll through every transaction first").clicked();
                    reject = ui.button("Reject").clicked();
                });
                if approve {
                    self.sign(set, allow_respend, journal)
                } else if reject {
                    self.info("not signed");
                    Screen::Home
                } else {
                    Screen::Review { set, text, conflict, allow_respend, journal, reached_end }
                }
            }
        };
    }

    fn start_ui(&mut self, ui: &mut egui::Ui) -> Screen {
        let dir = &self.keystore_dir;
        let mut next = Screen::Start;
        match self.wallets.get_or_insert_with(|| Keystore::open(dir).and_then(|k| k.list()).map_err(|e| e.to_string())) {
            Ok(list) if !list.is_empty() => {
                ui.heading("Unlock a wallet");
                ui.label("Wallets in the keystore (choose one, or type its name):");
                for w in list.iter() {
                    let chain = if w.chain == "xrpl" { "XRP Ledger" } else { "Monero" };
                    if ui.selectable_label(self.wallet_name == w.name, format!("{} ({chain})", w.name)).clicked() {
                        self.wallet_name = w.name.clone();
                    }
                }
            }
            Ok(_) if !self.guide_dismissed => return Screen::Setup(Box::default()),
            Ok(_) => {
                ui.heading("Welcome");
                ui.label("The keystore is empty: set up a wallet to begin.");
            }
            Err(e) => {
                ui.colored_label(egui::Color32::RED, e.as_str());
            }
        }
        text_row(ui, "Wallet name", &mut self.wallet_name);
        passphrase_row(ui, "Passphrase", &mut self.passphrase);
        if ui.button("Unlock").clicked() {
            next = self.unlock();
        }
        ui.separator();
        if ui.button("Set up a new wallet").on_hover_text("Create one, or restore one from its backup words").clicked() {
            next = Screen::Setup(Box::default());
        }
        next
    }

    /// Checks the name and passphrase fields and takes the passphrase out of the form.
    fn credentials(&mut self) -> Option<(String, Zeroizing<String>)> {
        let name = self.wallet_name.trim().to_owned();
        if name.is_empty() || self.passphrase.is_empty() {
            self.error("choose a wallet name and a passphrase first");
            return None;
        }
        Some((name, self.passphrase.take()))
    }

    /// Runs the keystore's work (Argon2id, the subaddress table) on a worker thread; the
    /// screen shows a spinner meanwhile.
    fn in_background(&mut self, label: &str, job: impl FnOnce() -> Result<Opened, String> + Send + 'static) -> Screen {
        Screen::Opening(Job::spawn(label, job))
    }

    /// Stores what the guide made or restored (encrypted, on a worker thread), then opens it.
    fn store(&mut self, new: NewWallet) -> Screen {
        let NewWallet { name, passphrase, secret, created } = new;
        let dir = self.keystore_dir.clone();
        let verb = if created { "stored" } else { "restored" };
        match secret {
            NewSecret::Monero(keys) => self.in_background("encrypting the wallet", move || store_monero(&dir, &name, &passphrase, keys, verb)),
            NewSecret::Xrpl(seed) => self.in_background("encrypting the account", move || store_xrpl(&dir, &name, passphrase, seed, verb)),
        }
    }

    fn unlock(&mut self) -> Screen {
        let Some((name, passphrase)) = self.credentials() else { return Screen::Start };
        let dir = self.keystore_dir.clone();
        self.in_background("unlocking", move || {
            let (info, secret) = Keystore::open(&dir).and_then(|k| k.unlock(&name, &passphrase)).map_err(|e| e.to_string())?;
            if info.chain == "xrpl" {
                let session = XrplSession::open(&dir, &name, &secret, passphrase)?;
                return Ok(Opened { session: Session::Xrpl(Box::new(session)), new: false, info: "unlocked".into() });
            }
            // Not XRPL: it must be a Monero record whose keys give the stored address.
            let keys = signer::keys_from_record(&info, &secret)?;
            let restore_height = info.public["restore_height"].as_u64().unwrap_or(0);
            let unlocked = Unlocked { name, restore_height, scanner: Arc::new(OutputScanner::with_default_lookahead(&keys)) };
            Ok(Opened { session: Session::Monero(unlocked), new: false, info: "unlocked".into() })
        })
    }

    /// A finished unlock or set-up: the session opens. A wallet just set up goes on to what
    /// the online side needs (the view-only wallet, the account), the guide's last step.
    fn opened(&mut self, opened: Opened) -> Screen {
        self.info(opened.info);
        match opened.session {
            Session::Monero(w) => {
                // Locking comes back to the start screen with the name filled in.
                self.wallet_name = w.name.clone();
                let screen =
                    if opened.new { Screen::ViewOnly { json: Zeroizing::new(signer::view_only_json(w.scanner.keys(), w.restore_height, &w.name)), texture: None, ready: true } } else { Screen::Home };
                self.wallet = Some(w);
                screen
            }
            Session::Xrpl(x) => {
                self.wallet_name = x.name.clone();
                let screen = if opened.new {
                    match x.account_screen("Your account is ready · last step: show this to the online side (airsign online > Scan an account from the offline side)") {
                        Ok(s) => s,
                        Err(e) => {
                            self.error(e);
                            XrplScreen::Home
                        }
                    }
                } else {
                    XrplScreen::Home
                };
                self.xrpl = Some(*x);
                Screen::Xrpl(screen)
            }
        }
    }

    fn home_ui(&mut self, ui: &mut egui::Ui) -> Screen {
        if self.xrpl.is_some() {
            return Screen::Xrpl(XrplScreen::Home);
        }
        let Some(w) = &self.wallet else { return Screen::Start };
        ui.label(format!("Address: {}", w.scanner.keys().address()));
        let mut next = Screen::Home;
        if ui.button("Show view-only wallet").clicked() {
            next = Screen::ViewOnly { json: Zeroizing::new(signer::view_only_json(w.scanner.keys(), w.restore_height, &w.name)), texture: None, ready: false };
        }
        if ui.button("Scan outputs").clicked() {
            next = Screen::Scan(ScannerView::new("Scan the outputs from the online wallet", &["xmr-output"]), Purpose::Outputs);
        }
        if ui.button("Scan unsigned transaction").clicked() {
            next = Screen::Scan(ScannerView::new("Scan the unsigned transaction", &["xmr-txunsigned"]), Purpose::Unsigned);
        }
        next
    }

    fn received(&mut self, ur_type: &str, message: &[u8], purpose: Purpose) -> Screen {
        let file = match crate::envelope::decode(ur_type, message) {
            Ok(p) => p.data,
            Err(e) => {
                self.error(e);
                return Screen::Home;
            }
        };
        let Some(w) = &self.wallet else { return Screen::Start };
        match purpose {
            Purpose::Outputs => match signer::key_images(&w.scanner, &file) {
                Ok((ki, summary)) => {
                    self.info(format!("{} outputs, {} XMR, all ours: key images signed", summary.outputs, format_xmr(summary.total)));
                    match PlayerView::new("Key images: show this to the online wallet", "xmr-keyimage", &crate::envelope::wrap_bytes(&ki)) {
                        Ok(p) => Screen::Show(p),
                        Err(e) => {
                            self.error(e);
                            Screen::Home
                        }
                    }
                }
                Err(e) => {
                    self.error(e);
                    Screen::Home
                }
            },
            Purpose::Unsigned => match signer::review_unsigned(&w.scanner, &file) {
                Ok(set) => match Journal::open(&self.keystore_dir.join("journal.log")) {
                    Ok(journal) => {
                        let conflict = signer::journal_conflict(&set, &journal)
                            .map(|(ki, _)| format!("WARNING: key image {ki} was already signed in a different set. Signing this one too tries to spend it twice."));
                        let text = set.review.to_text();
                        Screen::Review { set: Box::new(set), text, conflict, allow_respend: false, journal: Box::new(journal), reached_end: false }
                    }
                    Err(e) => {
                        self.error(e);
                        Screen::Home
                    }
                },
                Err(e) => {
                    self.error(e);
                    Screen::Home
                }
            },
        }
    }

    /// Signs on a worker thread: the journal records the key images (fsynced) before the
    /// signed file comes back to be shown.
    fn sign(&mut self, set: Box<ReviewedSet>, allow_respend: bool, mut journal: Box<Journal>) -> Screen {
        let Some(w) = &self.wallet else { return Screen::Start };
        let scanner = w.scanner.clone();
        Screen::Signing(Job::spawn("signing", move || signer::sign_reviewed(&scanner, &set, &mut journal, allow_respend).map_err(|e| e.to_string())))
    }

    fn signed(&mut self, outcome: Result<Vec<u8>, String>) -> Screen {
        match outcome.and_then(|file| PlayerView::new("Signed transaction: show this to the online wallet", "xmr-txsigned", &crate::envelope::wrap_bytes(&file))) {
            Ok(p) => {
                self.info("signed; the key images are in the journal");
                Screen::Show(p)
            }
            Err(e) => {
                self.error(e);
                Screen::Home
            }
        }
    }
}

fn store_monero(dir: &std::path::Path, name: &str, passphrase: &str, keys: WalletKeys, verb: &str) -> Result<Opened, String> {
    let info = signer::keystore_info(name, &keys, 0);
    Keystore::open(dir).and_then(|k| k.create(info, keys.spend_secret_bytes().as_ref(), passphrase)).map_err(|e| e.to_string())?;
    let unlocked = Unlocked { name: name.to_owned(), restore_height: 0, scanner: Arc::new(OutputScanner::with_default_lookahead(&keys)) };
    Ok(Opened { info: format!("wallet '{name}' {verb}, encrypted"), session: Session::Monero(unlocked), new: true })
}

fn store_xrpl(dir: &std::path::Path, name: &str, passphrase: Zeroizing<String>, seed: Seed, verb: &str) -> Result<Opened, String> {
    offline_xrpl::create(dir, name, &passphrase, &seed)?;
    let mut secret = Zeroizing::new(seed.entropy().to_vec());
    secret.push(if seed.key_type() == crate::chain::xrpl::keys::KeyType::Ed25519 { 1 } else { 0 });
    let session = XrplSession::open(dir, name, &secret, passphrase)?;
    Ok(Opened { info: format!("XRPL account {} {verb}, encrypted", session.address()), session: Session::Xrpl(Box::new(session)), new: true })
}

impl eframe::App for OfflineApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        OfflineApp::ui(self, ui);
    }
}
