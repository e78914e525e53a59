//! `airsign online`: the networked side's screens. XRPL: watch an account scanned from the
//! offline side, sync its state from a rippled URL and show it as `xrpl-state`, scan
//! `xrpl-signed`, submit in groups of 10 and show the outcomes. Monero: scan the key images
//! or signed set the offline side shows and save the file for the view-only wallet
//! (Feather, monero-wallet-cli); with the view-only export and a monerod URL, broadcast the
//! signed set directly. Network calls run on a worker thread. A multi-signed XRPL account:
//! prepare a request, show it to each member's offline machine, scan their signatures in
//! any order (who signed, weight so far of the quorum), combine and submit.

use super::online_guide::{Action, OnlineGuide, Step, Watch};
use super::widgets::{Job, PlayerView, ScannerView, SourceFactory};
use crate::envelope::xrpl::{Versioned, XrplAccountPayload, XrplMultisignRequestPayload, XrplMultisignSignaturePayload, XrplSignedPayload};
use crate::signer::xrpl::multisig::MultisignCollector;
use crate::signer::xrpl::{SignerList, Template};
use crate::wallet::xrpl::{self as wallet, HttpTransport, RippledClient, SubmissionStore};
use eframe::egui;
use std::path::PathBuf;
use std::time::Duration;

enum Purpose {
    XrplAccount,
    XrplSigned,
    MoneroFile,
}

/// Collecting the members' signatures for one multi-sign request.
struct Collect {
    request: PlayerView,
    collector: MultisignCollector,
    scanner: Option<ScannerView>,
    log: Vec<String>,
}

/// What a worker thread hands back to the UI.
enum JobResult {
    Show { title: String, ur_type: String, message: Vec<u8> },
    Lines(Vec<String>),
    Request(Box<XrplMultisignRequestPayload>),
}

enum Screen {
    /// The first run's guide (a fresh install: no database, no Monero wallet yet).
    Setup(OnlineGuide),
    Home,
    Scan(ScannerView, Purpose),
    Show(PlayerView),
    Busy(Job<JobResult>),
    Lines(Vec<String>),
    Collect(Box<Collect>),
}

pub struct OnlineApp {
    db: PathBuf,
    sources: SourceFactory,
    screen: Screen,
    rippled_url: String,
    save_dir: String,
    monerod_url: String,
    view_only_json: String,
    notice: Option<(bool, String)>,
    multisig_account: String,
    multisig_templates: String,
    /// The player's profile per payload type, kept beside the database.
    profiles: super::widgets::SharedProfiles,
    /// The watched accounts, read from the database once each time the home screen is
    /// entered rather than on every repaint.
    watched: Option<Result<Vec<String>, String>>,
    /// airsign's own view-only Monero wallet, in a file beside the database.
    monero: super::online_monero::MoneroArea,
    /// An account scanned from the guide is synced right after.
    sync_when_watched: bool,
}

impl OnlineApp {
    /// Keeps the settings (player and camera choices) in `path` instead of beside the database.
    pub fn with_settings(mut self, path: PathBuf) -> OnlineApp {
        self.profiles = super::widgets::ProfileMemory::open_migrating(path, &self.db.with_extension("player-profiles.json"));
        self
    }

    pub fn new(db: PathBuf, rippled_url: String, sources: SourceFactory) -> OnlineApp {
        let profiles = super::widgets::ProfileMemory::open(db.with_extension("player-profiles.json"));
        let monero = super::online_monero::MoneroArea::new(db.with_extension("monero.sqlite"));
        // A fresh install (nothing watched, no wallet file) starts with the guide.
        let first_run = !db.exists() && !monero.exists();
        let screen = if first_run { Screen::Setup(OnlineGuide::default()) } else { Screen::Home };
        OnlineApp { monero, profiles, db, sources, screen, sync_when_watched: false, rippled_url, save_dir: ".".into(), monerod_url: String::new(), view_only_json: String::new(), notice: None, watched: None, multisig_account: String::new(), multisig_templates: String::new() }
    }

    /// Where scanned Monero files are saved.
    pub fn set_save_dir(&mut self, dir: &std::path::Path) {
        self.save_dir = dir.display().to_string();
    }

    /// The Monero view-only wallet area.
    pub fn monero(&self) -> &super::online_monero::MoneroArea {
        &self.monero
    }

    pub fn showing(&self) -> Option<&crate::transport::Player> {
        if let Some(p) = self.monero.showing() {
            return Some(p);
        }
        match &self.screen {
            Screen::Show(p) => Some(&p.player),
            Screen::Collect(c) if c.scanner.is_none() => Some(&c.request.player),
            _ => None,
        }
    }

    /// While collecting signatures: who signed, and the weight so far of the quorum.
    pub fn collecting(&self) -> Option<(Vec<String>, u32, u32)> {
        match &self.screen {
            Screen::Collect(c) => Some((c.collector.signers().iter().map(|s| s.to_string()).collect(), c.collector.weight(), c.collector.list().quorum)),
            _ => None,
        }
    }

    /// The result lines on screen (outcomes, saved files).
    pub fn lines(&self) -> Option<&[String]> {
        match &self.screen {
            Screen::Lines(l) => Some(l),
            _ => self.monero.lines(),
        }
    }

    pub fn notice(&self) -> Option<&str> {
        self.notice.as_ref().map(|(_, s)| s.as_str())
    }

    fn error(&mut self, e: impl std::fmt::Display) {
        self.notice = Some((true, e.to_string()));
    }

    pub fn ui(&mut self, ui: &mut egui::Ui) {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.heading("airsign online");
            ui.label("Watch-only: this computer never holds keys.");
            super::widgets::notice_line(ui, &self.notice);
            ui.separator();
            egui::ScrollArea::vertical().show(ui, |ui| self.screen_ui(ui));
        });
    }

    fn screen_ui(&mut self, ui: &mut egui::Ui) {
        if self.monero.is_active() {
            self.watched = None;
            self.monero.screen_ui(ui, &self.monerod_url, &self.sources, &self.profiles, &mut self.notice);
            return;
        }
        let screen = std::mem::replace(&mut self.screen, Screen::Home);
        if !matches!(screen, Screen::Home) {
            self.watched = None;
        }
        self.screen = match screen {
            Screen::Setup(guide) => self.guide_ui(ui, guide),
            Screen::Home => self.home_ui(ui),
            Screen::Scan(mut scanner, purpose) => {
                scanner.remember(&self.profiles);
                let got = scanner.ui(ui, &self.sources);
                let back = ui.button("Cancel").clicked();
                match got {
                    Some((ur_type, message)) => self.received(&ur_type, message, purpose),
                    None if back => Screen::Home,
                    None => Screen::Scan(scanner, purpose),
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
            Screen::Busy(job) => match job.ui(ui) {
                Some(Ok(JobResult::Show { title, ur_type, message })) => match PlayerView::new(&title, &ur_type, &message) {
                    Ok(p) => Screen::Show(p),
                    Err(e) => {
                        self.error(e);
                        Screen::Home
                    }
                },
                Some(Ok(JobResult::Lines(lines))) => Screen::Lines(lines),
                Some(Ok(JobResult::Request(req))) => self.collect(*req),
                Some(Err(e)) => {
                    self.error(e);
                    Screen::Home
                }
                None => Screen::Busy(job),
            },
            Screen::Collect(c) => self.collect_ui(ui, c),
            Screen::Lines(text) => {
                if super::widgets::lines_then_back(ui, &text) {
                    Screen::Home
                } else {
                    Screen::Lines(text)
                }
            }
        };
    }

    /// The first run: chain and node by the guide, then the scan by the screens that do it.
    fn guide_ui(&mut self, ui: &mut egui::Ui, mut guide: OnlineGuide) -> Screen {
        if guide.step != Step::Scan {
            let url = match guide.watch {
                Watch::Monero => &mut self.monerod_url,
                Watch::Xrpl => &mut self.rippled_url,
            };
            let action = guide.ui(ui, url);
            if guide.step == Step::Scan && matches!(guide.watch, Watch::Monero) {
                // Entering the last step: the wallet the scan creates syncs by itself.
                self.monero.sync_when_created();
            }
            return match action {
                Action::Skip => Screen::Home,
                Action::None => Screen::Setup(guide),
            };
        }
        guide.scan_intro(ui);
        match guide.watch {
            Watch::Monero => {
                // The area's own create-by-scan; it syncs once the wallet exists.
                if self.monero.is_open() {
                    return Screen::Home;
                }
                self.monero.create_ui(ui, &self.monerod_url);
            }
            Watch::Xrpl => {
                if ui.button("Scan an account from the offline side").clicked() {
                    self.sync_when_watched = true;
                    return Screen::Scan(ScannerView::new("Scan the account (xrpl-account)", &["xrpl-account"]), Purpose::XrplAccount);
                }
            }
        }
        if ui.button("Back").clicked() {
            guide.step = Step::Node;
        }
        Screen::Setup(guide)
    }

    fn home_ui(&mut self, ui: &mut egui::Ui) -> Screen {
        let mut next = Screen::Home;
        ui.heading("XRP Ledger");
        ui.horizontal(|ui| {
            let label = ui.label("rippled URL");
            ui.add(egui::TextEdit::singleline(&mut self.rippled_url).desired_width(360.0)).labelled_by(label.id);
        });
        let db = &self.db;
        let watched = self.watched.get_or_insert_with(|| SubmissionStore::open(db).and_then(|s| s.watched()).map_err(|e| e.to_string())).clone();
        match watched {
            Ok(accounts) => {
                for account in accounts {
                    ui.horizontal(|ui| {
                        ui.label(format!("Watching {account}"));
                        if ui.button(format!("Sync {account}")).clicked() {
                            next = self.sync(account.clone());
                        }
                        if ui.button(format!("Outcomes of {account}")).clicked() {
                            next = match SubmissionStore::open(&self.db).and_then(|s| s.all(&account)) {
                                Ok(list) => Screen::Lines(list.iter().map(outcome_line).collect()),
                                Err(e) => {
                                    self.error(e);
                                    Screen::Home
                                }
                            };
                        }
                    });
                }
            }
            Err(e) => {
                ui.colored_label(egui::Color32::RED, e);
            }
        }
        if ui.button("Scan an account from the offline side").clicked() {
            next = Screen::Scan(ScannerView::new("Scan the account (xrpl-account)", &["xrpl-account"]), Purpose::XrplAccount);
        }
        if ui.button("Scan signed XRPL transactions").clicked() {
            next = Screen::Scan(ScannerView::new("Scan the signed transactions (xrpl-signed)", &["xrpl-signed"]), Purpose::XrplSigned);
        }
        ui.label("A multi-signed account: its members sign on their own offline machines.");
        ui.horizontal(|ui| {
            let label = ui.label("Multi-signed account");
            ui.add(egui::TextEdit::singleline(&mut self.multisig_account).desired_width(360.0)).labelled_by(label.id);
        });
        ui.horizontal(|ui| {
            let label = ui.label("Templates file for it");
            ui.add(egui::TextEdit::singleline(&mut self.multisig_templates).desired_width(360.0)).labelled_by(label.id);
        });
        if ui.button("Prepare multi-sign request").clicked() {
            next = self.prepare_multisign();
        }
        ui.separator();
        ui.heading("Monero");
        ui.horizontal(|ui| {
            let label = ui.label("monerod URL (to broadcast signed sets)");
            ui.add(egui::TextEdit::singleline(&mut self.monerod_url).hint_text("http://127.0.0.1:18081")).labelled_by(label.id);
        });
        self.monero.home_ui(ui, &self.monerod_url, &mut self.notice);
        ui.separator();
        egui::CollapsingHeader::new("With another view-only wallet (Feather, monero-wallet-cli)").id_salt("xmr-peer").default_open(!self.monero.is_open()).show(ui, |ui| {
            ui.label("Key images and signed sets go to your view-only wallet (Feather: Tools > Offline tx signing; monero-wallet-cli: import_key_images / submit_transfer).");
            ui.horizontal(|ui| {
                let label = ui.label("Save files in");
                ui.add(egui::TextEdit::singleline(&mut self.save_dir)).labelled_by(label.id);
            });
            let label = ui.label("View-only wallet JSON (from the offline side; opens signed sets to broadcast them)");
            ui.add(egui::TextEdit::multiline(&mut self.view_only_json).desired_rows(2).desired_width(f32::INFINITY)).labelled_by(label.id);
            if ui.button("Scan Monero key images or signed transaction").clicked() {
                next = Screen::Scan(ScannerView::new("Scan from the offline side", &["xmr-keyimage", "xmr-txsigned"]), Purpose::MoneroFile);
            }
        });
        next
    }

    fn sync(&mut self, account: String) -> Screen {
        let (url, db) = (self.rippled_url.clone(), self.db.clone());
        spawn(format!("reading {account} from {url}"), move || {
            let client = RippledClient::new(HttpTransport::new(&url));
            let store = SubmissionStore::open(&db).map_err(|e| e.to_string())?;
            let state = wallet::state_report(&client, &store, &account).map_err(|e| e.to_string())?;
            let mut title = format!("State of {account}: Sequence {}, ledger {} — show this to the offline side", state.sequence, state.ledger_index);
            if let Some(w) = crate::wallet::insecure_endpoint(&url) {
                title = format!("{title} ({w})");
            }
            Ok(JobResult::Show { title, ur_type: "xrpl-state".into(), message: state.to_cbor() })
        })
    }

    fn prepare_multisign(&mut self) -> Screen {
        let (url, db, account) = (self.rippled_url.clone(), self.db.clone(), self.multisig_account.trim().to_owned());
        let templates: Vec<Template> = match std::fs::read(self.multisig_templates.trim()).map_err(|e| e.to_string()).and_then(|b| serde_json::from_slice(&b).map_err(|e| format!("templates must be a JSON array: {e}"))) {
            Ok(t) => t,
            Err(e) => {
                self.error(format!("{}: {e}", self.multisig_templates.trim()));
                return Screen::Home;
            }
        };
        spawn(format!("preparing a multi-sign request for {account}"), move || {
            let client = RippledClient::new(HttpTransport::new(&url));
            let store = SubmissionStore::open(&db).map_err(|e| e.to_string())?;
            let req = wallet::prepare_multisign(&client, &store, &account, &templates, "mainnet", crate::signer::xrpl::DEFAULT_LEDGER_MARGIN).map_err(|e| e.to_string())?;
            Ok(JobResult::Request(Box::new(req)))
        })
    }

    fn collect(&mut self, req: XrplMultisignRequestPayload) -> Screen {
        let list = SignerList::from_wire(&req.signer_list);
        let title = format!("Multi-sign request for {}: show this to each member's offline machine", req.account);
        let made = PlayerView::new(&title, XrplMultisignRequestPayload::UR_TYPE, &req.to_cbor()).and_then(|request| {
            MultisignCollector::new(req, list).map(|collector| Screen::Collect(Box::new(Collect { request, collector, scanner: None, log: Vec::new() }))).map_err(|e| e.to_string())
        });
        made.unwrap_or_else(|e| {
            self.error(e);
            Screen::Home
        })
    }

    /// The collection: the request on screen, each member with whether it signed, the
    /// weight so far; a scanner for the next signature; combine once the quorum is met.
    fn collect_ui(&mut self, ui: &mut egui::Ui, mut c: Box<Collect>) -> Screen {
        let list = c.collector.list().clone();
        let signed = c.collector.signers().iter().map(|s| s.to_string()).collect::<Vec<_>>();
        ui.label(egui::RichText::new(format!("Signatures: weight {} of quorum {} ({})", c.collector.weight(), list.quorum, list.describe())).size(18.0).strong());
        for e in &list.entries {
            let done = signed.contains(&e.account);
            ui.label(format!("{} (weight {}): {}", e.account, e.weight, if done { "SIGNED" } else { "not yet" }));
        }
        for l in &c.log {
            ui.label(egui::RichText::new(l).weak());
        }
        let mut next = None;
        ui.horizontal(|ui| {
            if c.scanner.is_none() && ui.button("Scan a member's signature").clicked() {
                c.scanner = Some(ScannerView::new("Scan a member's signature (xrpl-multisign-signature)", &["xrpl-multisign-signature"]));
            }
            if ui.add_enabled(c.collector.quorum_met(), egui::Button::new("Combine and submit")).clicked() {
                next = Some(self.combine_and_submit(&c.collector));
            }
            if ui.button("Back").clicked() {
                next = Some(Screen::Home);
            }
        });
        if let Some(scanner) = c.scanner.as_mut() {
            scanner.remember(&self.profiles);
            if let Some((_, message)) = scanner.ui(ui, &self.sources) {
                c.scanner = None;
                let line = match XrplMultisignSignaturePayload::from_cbor(&message).map_err(|e| e.to_string()).and_then(|p| c.collector.add(&p).map(|new| (p.signer, new)).map_err(|e| e.to_string())) {
                    Ok((signer, true)) => format!("{signer} signed; weight {} of quorum {}", c.collector.weight(), list.quorum),
                    Ok((signer, false)) => format!("{signer} had signed already"),
                    Err(e) => format!("refused: {e}"),
                };
                c.log.push(line);
            } else if ui.button("Stop scanning").clicked() {
                c.scanner = None;
            }
        } else {
            c.request.remember(&self.profiles);
            c.request.ui(ui);
        }
        next.unwrap_or(Screen::Collect(c))
    }

    fn combine_and_submit(&mut self, collector: &MultisignCollector) -> Screen {
        let combined = match collector.combine() {
            Ok(c) => c,
            Err(e) => {
                self.error(e);
                return Screen::Home;
            }
        };
        let (url, db) = (self.rippled_url.clone(), self.db.clone());
        let account = collector.account().to_owned();
        spawn(format!("submitting the multi-signed transaction(s) of {account}"), move || {
            let entries = combined.iter().map(crate::signer::xrpl::multisig::Combined::entry).collect::<Result<Vec<_>, _>>().map_err(|e| e.to_string())?;
            let store = SubmissionStore::open(&db).map_err(|e| e.to_string())?;
            store.add(&account, &entries).map_err(|e| e.to_string())?;
            let client = RippledClient::new(HttpTransport::new(&url));
            let outcomes = wallet::submit_pending(&client, &store, &account, Duration::from_millis(300), Duration::from_secs(60)).map_err(|e| e.to_string())?;
            Ok(JobResult::Lines(outcomes.iter().map(outcome_line).collect()))
        })
    }

    fn received(&mut self, ur_type: &str, message: Vec<u8>, purpose: Purpose) -> Screen {
        match purpose {
            Purpose::XrplAccount => {
                let watched = XrplAccountPayload::from_cbor(&message)
                    .map_err(|e| e.to_string())
                    .and_then(|p| SubmissionStore::open(&self.db).and_then(|s| s.watch(&p.address, &p.public_key, &p.key_type)).map(|_| p.address).map_err(|e| e.to_string()));
                match watched {
                    Ok(address) => {
                        self.notice = Some((false, format!("watching {address}")));
                        if std::mem::take(&mut self.sync_when_watched) {
                            return self.sync(address);
                        }
                    }
                    Err(e) => self.error(e),
                }
                Screen::Home
            }
            Purpose::XrplSigned => {
                let (url, db) = (self.rippled_url.clone(), self.db.clone());
                spawn("submitting in groups of 10".into(), move || {
                    let p = XrplSignedPayload::from_cbor(&message).map_err(|e| e.to_string())?;
                    let store = SubmissionStore::open(&db).map_err(|e| e.to_string())?;
                    let mut accounts = std::collections::BTreeSet::new();
                    for t in &p.transactions {
                        let tx = crate::chain::xrpl::codec::decode(&t.blob).map_err(|e| e.to_string())?;
                        let account = tx.get("Account").and_then(|a| a.as_str()).ok_or("a transaction without Account")?.to_owned();
                        store.add(&account, std::slice::from_ref(t)).map_err(|e| e.to_string())?;
                        accounts.insert(account);
                    }
                    let client = RippledClient::new(HttpTransport::new(&url));
                    let mut lines: Vec<String> = crate::wallet::insecure_endpoint(&url).into_iter().collect();
                    for account in accounts {
                        let outcomes = wallet::submit_pending(&client, &store, &account, Duration::from_millis(300), Duration::from_secs(60)).map_err(|e| e.to_string())?;
                        lines.extend(outcomes.iter().map(outcome_line));
                    }
                    Ok(JobResult::Lines(lines))
                })
            }
            Purpose::MoneroFile => {
                let file = match crate::envelope::decode(ur_type, &message) {
                    Ok(p) => p.data,
                    Err(e) => {
                        self.error(e);
                        return Screen::Home;
                    }
                };
                let name = if ur_type == "xmr-keyimage" { "airsign-key-images" } else { "airsign-signed-tx" };
                let path = PathBuf::from(self.save_dir.trim()).join(name);
                if let Err(e) = std::fs::write(&path, &file) {
                    self.error(format!("cannot write {}: {e}", path.display()));
                    return Screen::Home;
                }
                let saved = format!("saved {} ({} bytes, {ur_type})", path.display(), file.len());
                if ur_type != "xmr-txsigned" || self.monerod_url.trim().is_empty() || self.view_only_json.trim().is_empty() {
                    return Screen::Lines(vec![saved]);
                }
                let view_only = match crate::wallet::monero::ViewOnly::from_json(&self.view_only_json) {
                    Ok(v) => v,
                    Err(e) => {
                        self.error(format!("{saved}; not broadcast: {e}"));
                        return Screen::Home;
                    }
                };
                let url = self.monerod_url.trim().to_owned();
                spawn(format!("broadcasting through {url}"), move || {
                    let mut lines = vec![saved];
                    lines.extend(crate::wallet::insecure_endpoint(&url));
                    for (hash, tx) in view_only.signed_transactions(&file)? {
                        match crate::wallet::monero::broadcast(&url, &tx) {
                            Ok(()) => lines.push(format!("broadcast {hash}")),
                            Err(e) => lines.push(format!("{hash}: {e}")),
                        }
                    }
                    Ok(JobResult::Lines(lines))
                })
            }
        }
    }
}

fn outcome_line(s: &wallet::Submission) -> String {
    format!("{} Sequence {} {} {}", s.hash, s.sequence, s.status, s.result)
}

fn spawn(label: String, job: impl FnOnce() -> Result<JobResult, String> + Send + 'static) -> Screen {
    Screen::Busy(Job::spawn(&label, job))
}

impl eframe::App for OnlineApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        OnlineApp::ui(self, ui);
    }
}
