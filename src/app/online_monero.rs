//! The Monero area of `airsign online`: airsign's own view-only wallet, the online half of
//! the Feather flow. Create it by scanning the offline app's view-only QR; sync it with a
//! progress bar; see the balance (labelled as such only once key images are known), the
//! coins and the history; show the outputs to the offline side, scan its key images; send
//! (the unsigned set goes to the player); scan the signed set, see what it will broadcast,
//! broadcast.
//!
//! The wallet is a library `OnlineWallet`. Work that touches the daemon or the key
//! derivation runs on a worker thread that borrows the wallet and hands it back with the
//! result, so the screen never waits on the network.

use super::secret_field::{secret_field, SecretText};
use super::widgets::{Job, PlayerView, ScannerView, SharedProfiles, SourceFactory};
use crate::chain::monero::keys::parse_destination;
use crate::chain::monero::review::format_xmr;
use crate::keystore::KdfParams;
use crate::transport::scan_session::VIEW_ONLY_JSON;
use crate::wallet::monero::build::{fee_for, RING_SIZE};
use crate::wallet::monero::daemon::Daemon;
use crate::wallet::monero::store::{HistoryEntry, Spent, Transfer};
use crate::wallet::monero::wallet::{Balance, FileFormat, KeyImageReport, OnlineWallet, Outgoing, Sweep, SyncProgress, SyncReport, TransferRequest, TransferSummary};
use crate::wallet::monero::ViewOnly;
use eframe::egui;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use zeroize::Zeroizing;

/// (fee per byte, rounding mask) for priorities 1-4, as the daemon gave them at the last sync.
type FeeRates = [(u64, u64); 4];

const PRIORITIES: [&str; 4] = ["1 (slow)", "2 (normal)", "3 (fast)", "4 (fastest)"];

enum ScanFor {
    ViewOnly,
    KeyImages,
    Signed,
}

/// What a worker did with the wallet it borrowed.
enum Done {
    Opened,
    Synced(SyncReport, Option<FeeRates>),
    KeyImages(KeyImageReport),
    Built(Vec<u8>, TransferSummary),
    Submitted(Vec<String>),
}

/// The wallet comes back with every outcome, failures included, so that nothing is lost.
type Work = Job<(Option<OnlineWallet>, Result<Done, String>)>;

enum View {
    Home,
    Scan(ScannerView, ScanFor),
    Busy(Work),
    /// A payload for the offline side, with what it is above the player.
    Show(Vec<String>, PlayerView),
    /// A scanned signed set: what will be broadcast, before the user says so.
    Broadcast(Vec<u8>, Vec<Outgoing>),
    Lines(Vec<String>),
}

/// What the home screen shows of the wallet, read after each change rather than on every
/// repaint.
struct Snapshot {
    balance: Balance,
    scanned: u64,
    coins: Vec<Transfer>,
    history: Vec<HistoryEntry>,
}

/// What the wallet card shows under the balance, as Feather's tabs do.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Send,
    Coins,
    History,
}

/// The send form.
#[derive(Default)]
struct SendForm {
    /// (address, amount) per destination; the first always exists.
    rows: Vec<(String, String)>,
    /// The account the inputs come from (change returns to its address 0).
    account: u32,
    priority: u32,
    sweep_all: bool,
}

/// wallet2's limit: 16 outputs, one of them the change.
const MAX_DESTINATIONS: usize = 15;

/// A destination row's field names: the first keeps the plain names the tests and screen
/// readers know; the others are numbered.
fn row_labels(i: usize) -> (String, String) {
    if i == 0 {
        ("Pay to address".into(), "Amount (XMR)".into())
    } else {
        (format!("Pay to address {}", i + 1), format!("Amount {} (XMR)", i + 1))
    }
}

pub struct MoneroArea {
    path: PathBuf,
    wallet: Option<OnlineWallet>,
    passphrase: SecretText,
    view: View,
    snapshot: Option<Result<Snapshot, String>>,
    progress: Arc<Mutex<Option<SyncProgress>>>,
    /// Set by "Stop sync": the sync ends after the batch in flight.
    stop: Arc<std::sync::atomic::AtomicBool>,
    fees: Option<FeeRates>,
    send: SendForm,
    /// Write files in Debian monero 0.18.0.0's forms instead of the current ones.
    old_format: bool,
    tab: Tab,
    /// Sync as soon as a created wallet is open.
    first_sync: bool,
}

impl MoneroArea {
    /// The area over the wallet file at `path` (created on first use).
    pub fn new(path: PathBuf) -> MoneroArea {
        MoneroArea {
            path,
            wallet: None,
            passphrase: SecretText::default(),
            view: View::Home,
            snapshot: None,
            progress: Arc::new(Mutex::new(None)),
            stop: Arc::default(),
            fees: None,
            send: SendForm { rows: vec![Default::default()], priority: 2, ..Default::default() },
            old_format: false,
            tab: Tab::Send,
            first_sync: false,
        }
    }

    /// Whether a screen of this area (not the home screen's section) is up.
    pub fn is_active(&self) -> bool {
        !matches!(self.view, View::Home)
    }

    pub fn is_open(&self) -> bool {
        self.wallet.is_some()
    }

    /// Whether the wallet file exists (created earlier).
    pub fn exists(&self) -> bool {
        self.path.exists()
    }

    /// The next wallet created by scanning starts its first sync by itself (the guide).
    pub fn sync_when_created(&mut self) {
        self.first_sync = true;
    }

    /// The passphrase and the scan button that create the wallet (the guide's last step).
    pub fn create_ui(&mut self, ui: &mut egui::Ui, daemon_url: &str) {
        self.closed_ui(ui, daemon_url);
    }

    pub fn showing(&self) -> Option<&crate::transport::Player> {
        match &self.view {
            View::Show(_, p) => Some(&p.player),
            _ => None,
        }
    }

    /// The balance as last read (None before the wallet is open).
    pub fn balance(&self) -> Option<Balance> {
        self.snapshot.as_ref().and_then(|s| s.as_ref().ok()).map(|s| s.balance)
    }

    pub fn scanned_height(&self) -> Option<u64> {
        self.snapshot.as_ref().and_then(|s| s.as_ref().ok()).map(|s| s.scanned)
    }

    /// The transactions a scanned signed set will broadcast, while they are on screen.
    pub fn reviewing(&self) -> Option<&[Outgoing]> {
        match &self.view {
            View::Broadcast(_, o) => Some(o),
            _ => None,
        }
    }

    pub fn lines(&self) -> Option<&[String]> {
        match &self.view {
            View::Lines(l) => Some(l),
            View::Show(l, _) => Some(l),
            _ => None,
        }
    }

    fn format(&self) -> FileFormat {
        if self.old_format {
            FileFormat::V0180
        } else {
            FileFormat::Current
        }
    }

    fn refresh(&mut self) {
        self.snapshot = self.wallet.as_ref().map(|w| {
            let read = || -> Result<Snapshot, crate::wallet::monero::wallet::WalletError> {
                Ok(Snapshot { balance: w.balance()?, scanned: w.scanned_height()?, coins: w.transfers()?, history: w.history()? })
            };
            read().map_err(|e| e.to_string())
        });
    }

    /// Runs `work` on a worker thread with the wallet (which comes back with the outcome).
    fn spawn(&mut self, label: &str, work: impl FnOnce(&mut OnlineWallet) -> Result<Done, String> + Send + 'static) -> View {
        let Some(mut wallet) = self.wallet.take() else { return View::Lines(vec!["open the view-only wallet first".into()]) };
        View::Busy(Job::spawn(label, move || {
            let outcome = work(&mut wallet);
            Ok((Some(wallet), outcome))
        }))
    }

    /// The daemon the wallet talks to: the URL field when filled (recorded for next time),
    /// else the one recorded at creation.
    fn daemon(wallet: &OnlineWallet, url: &str) -> Result<Daemon, String> {
        let url = match url.trim() {
            "" => wallet.daemon_url().map_err(|e| e.to_string())?.ok_or("no monerod URL: fill in the field")?,
            u => {
                if wallet.daemon_url().ok().flatten().as_deref() != Some(u) {
                    wallet.set_daemon_url(u).map_err(|e| e.to_string())?;
                }
                u.to_owned()
            }
        };
        Daemon::connect(&url).map_err(|e| e.to_string())
    }

    /// The Monero section of the home screen. `daemon_url` is the app's monerod URL field.
    pub fn home_ui(&mut self, ui: &mut egui::Ui, daemon_url: &str, notice: &mut Option<(bool, String)>) {
        ui.heading("airsign view-only wallet");
        let Some((address, network)) = self.wallet.as_ref().map(|w| (w.address.clone(), w.network.name())) else {
            self.closed_ui(ui, daemon_url);
            return;
        };
        if self.snapshot.is_none() {
            self.refresh();
        }
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label(format!("{network} wallet {}…{}", &address[..12.min(address.len())], &address[address.len().saturating_sub(8)..]));
            match &self.snapshot {
                Some(Ok(s)) => balance_ui(ui, s),
                Some(Err(e)) => {
                    ui.colored_label(egui::Color32::RED, e);
                }
                None => {}
            }
        });
        ui.horizontal_wrapped(|ui| {
            if ui.button("Sync").on_hover_text("Scan new blocks and the pool from monerod").clicked() {
                self.view = self.sync(daemon_url);
            }
            if ui.button("Export outputs").on_hover_text("Show every output to the offline app, which answers with key images").clicked() {
                self.view = self.export_outputs(notice);
            }
            if ui.button("Scan key images").clicked() {
                self.view = View::Scan(ScannerView::new("Scan the key images (offline app: after scanning outputs)", &["xmr-keyimage"]), ScanFor::KeyImages);
            }
            if ui.button("Scan signed transaction").clicked() {
                self.view = View::Scan(ScannerView::new("Scan the signed transaction (offline app: after Approve and sign)", &["xmr-txsigned"]), ScanFor::Signed);
            }
            if ui.button("Lock view-only wallet").clicked() {
                self.wallet = None;
                self.snapshot = None;
            }
        });
        ui.checkbox(&mut self.old_format, "Write files for monero 0.18.0.0 (Debian's monero-wallet-cli); Feather, Cake and airsign read the default");
        let (coins, history) = match &self.snapshot {
            Some(Ok(s)) => (s.coins.len(), s.history.len()),
            _ => (0, 0),
        };
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.tab, Tab::Send, "Send");
            ui.selectable_value(&mut self.tab, Tab::Coins, format!("Coins ({coins})"));
            ui.selectable_value(&mut self.tab, Tab::History, format!("History ({history})"));
        });
        match self.tab {
            Tab::Send => self.send_ui(ui, daemon_url),
            Tab::Coins => self.coins_ui(ui),
            Tab::History => self.history_ui(ui),
        }
    }

    /// No wallet open: open the file, or create it from the view-only QR or JSON.
    fn closed_ui(&mut self, ui: &mut egui::Ui, daemon_url: &str) {
        let exists = self.path.exists();
        if exists {
            ui.label(format!("View-only wallet in {}", self.path.display()));
        } else {
            ui.label("No view-only wallet yet. On the offline computer choose Show view-only wallet, then scan it here: this computer will see payments, never spend them.");
        }
        ui.horizontal(|ui| {
            let label = ui.label("Passphrase for the view-only wallet");
            secret_field(ui, &mut self.passphrase, false, 1, 280.0).labelled_by(label.id);
        });
        if exists {
            if ui.button("Open view-only wallet").clicked() {
                self.view = self.open();
            }
        } else if ui.add_enabled(!self.passphrase.is_empty(), egui::Button::new("Scan view-only wallet QR")).on_disabled_hover_text("Choose a passphrase first: it seals the view key").clicked() {
            self.view = View::Scan(ScannerView::new("Scan the view-only wallet (offline app: Show view-only wallet)", &[VIEW_ONLY_JSON]), ScanFor::ViewOnly);
        }
        if !exists && daemon_url.trim().is_empty() {
            ui.label(egui::RichText::new("Fill in the monerod URL above before creating: the wallet syncs from it.").weak());
        }
    }

    fn open(&mut self) -> View {
        let (path, passphrase) = (self.path.clone(), self.passphrase.take());
        View::Busy(Job::spawn("opening the view-only wallet", move || match OnlineWallet::open(&path, Some(passphrase.as_str())) {
            Ok(w) => Ok((Some(w), Ok(Done::Opened))),
            Err(e) => Ok((None, Err(e.to_string()))),
        }))
    }

    fn create(&mut self, json: Zeroizing<Vec<u8>>, daemon_url: &str) -> View {
        let view_only = match std::str::from_utf8(&json).map_err(|e| e.to_string()).and_then(ViewOnly::from_json) {
            Ok(v) => v,
            Err(e) => return View::Lines(vec![format!("not a view-only wallet: {e}")]),
        };
        if daemon_url.trim().is_empty() {
            return View::Lines(vec!["fill in the monerod URL first: the wallet syncs from it".into()]);
        }
        let (path, passphrase, url) = (self.path.clone(), self.passphrase.take(), daemon_url.trim().to_owned());
        View::Busy(Job::spawn("creating the view-only wallet (sealing the view key)", move || match OnlineWallet::create(&path, &view_only, passphrase.as_str(), &url, KdfParams::default()) {
            Ok(w) => Ok((Some(w), Ok(Done::Opened))),
            Err(e) => Ok((None, Err(e.to_string()))),
        }))
    }

    fn sync(&mut self, daemon_url: &str) -> View {
        // The progress cell is already empty: the Busy view clears it when any job ends.
        let (url, progress, stop) = (daemon_url.to_owned(), self.progress.clone(), self.stop.clone());
        stop.store(false, std::sync::atomic::Ordering::Relaxed);
        self.spawn("syncing with monerod", move |w| {
            let d = Self::daemon(w, &url)?;
            let report = w.sync_until_stopped(
                &d,
                &mut |p| {
                    if let Ok(mut shared) = progress.lock() {
                        *shared = Some(p);
                    }
                },
                &stop,
            );
            let report = report.map_err(|e| e.to_string())?;
            Ok(Done::Synced(report, fee_rates(&d)))
        })
    }

    fn export_outputs(&mut self, notice: &mut Option<(bool, String)>) -> View {
        let Some(w) = &self.wallet else { return View::Home };
        let count = self.snapshot.as_ref().and_then(|s| s.as_ref().ok()).map_or(0, |s| s.coins.len());
        let made = w
            .export_outputs(self.format())
            .map_err(|e| e.to_string())
            .and_then(|file| PlayerView::new("Outputs for the offline app (Scan outputs there)", "xmr-output", &crate::envelope::wrap_bytes(&file)));
        match made {
            Ok(p) => View::Show(vec![format!("{count} outputs, from the first (index 0): the offline app answers with their key images.")], p),
            Err(e) => {
                *notice = Some((true, e));
                View::Home
            }
        }
    }

    fn send_ui(&mut self, ui: &mut egui::Ui, daemon_url: &str) {
        let network = self.wallet.as_ref().map(|w| w.network);
        // Accounts that hold outputs, with what is unlocked in each (from the last snapshot).
        let mut accounts: Vec<(u32, u64)> = vec![(0, 0)];
        if let Some(Ok(snap)) = &self.snapshot {
            for c in snap.coins.iter().filter(|c| c.spent == Spent::No) {
                let a = c.received.subaddress.0;
                let unlocked = if OnlineWallet::is_unlocked(&c.received, snap.scanned) { c.received.amount } else { 0 };
                match accounts.iter_mut().find(|(x, _)| *x == a) {
                    Some(e) => e.1 += unlocked,
                    None => accounts.push((a, unlocked)),
                }
            }
        }
        accounts.sort_unstable();
        egui::Frame::group(ui.style()).show(ui, |ui| {
            if accounts.len() > 1 || self.send.account != 0 {
                ui.horizontal(|ui| {
                    let label = ui.label("From account");
                    let name = |(a, unlocked): (u32, u64)| format!("account {a}: {} XMR unlocked", format_xmr(unlocked));
                    let current = accounts.iter().copied().find(|(a, _)| *a == self.send.account).unwrap_or((self.send.account, 0));
                    egui::ComboBox::from_id_salt("xmr-send-account")
                        .selected_text(name(current))
                        .show_ui(ui, |ui| {
                            for &acc in &accounts {
                                ui.selectable_value(&mut self.send.account, acc.0, name(acc));
                            }
                        })
                        .response
                        .labelled_by(label.id);
                });
            }
            let mut remove = None;
            let rows = self.send.rows.len();
            for (i, (address, amount)) in self.send.rows.iter_mut().enumerate() {
                let (address_label, amount_label) = row_labels(i);
                ui.horizontal(|ui| {
                    let label = ui.label(address_label);
                    ui.add(egui::TextEdit::singleline(address).desired_width(520.0).font(egui::TextStyle::Monospace)).labelled_by(label.id);
                    if i > 0 && ui.button(format!("Remove destination {}", i + 1)).clicked() {
                        remove = Some(i);
                    }
                });
                if !address.trim().is_empty() {
                    let (ok, says) = match parse_destination(address) {
                        None => (false, "not a Monero address (a typo breaks its checksum)".to_owned()),
                        Some((a, _)) if Some(a.network) != network => (false, format!("a {} address; this wallet is on {}", a.network.name(), network.map_or("?", |n| n.name()))),
                        Some((_, Some(_))) if rows > 1 => (false, "an integrated address must be the only destination (one payment ID per transaction)".to_owned()),
                        Some((a, Some(_))) => (true, format!("integrated address ({}, with a payment ID)", a.network.name())),
                        Some((a, None)) if a.is_subaddress => (true, format!("subaddress ({})", a.network.name())),
                        Some((a, None)) => (true, format!("standard address ({})", a.network.name())),
                    };
                    ui.colored_label(if ok { egui::Color32::from_rgb(0, 140, 60) } else { egui::Color32::RED }, says);
                }
                if i == 0 || !self.send.sweep_all {
                    ui.horizontal(|ui| {
                        let label = ui.label(amount_label);
                        ui.add_enabled(!self.send.sweep_all, egui::TextEdit::singleline(amount).desired_width(160.0)).labelled_by(label.id);
                        if i == 0 {
                            ui.add_enabled(rows == 1, egui::Checkbox::new(&mut self.send.sweep_all, "Send everything unlocked (sweep)"));
                        }
                    });
                }
            }
            if let Some(i) = remove {
                self.send.rows.remove(i);
            }
            if !self.send.sweep_all && ui.add_enabled(self.send.rows.len() < MAX_DESTINATIONS, egui::Button::new("Add a destination")).clicked() {
                self.send.rows.push(Default::default());
            }
            ui.horizontal(|ui| {
                ui.label("Priority");
                for (i, name) in PRIORITIES.iter().enumerate() {
                    let p = i as u32 + 1;
                    let text = match self.fees.map(|f| typical_fee(f[i])) {
                        Some(fee) => format!("{name}: ~{} XMR", format_xmr(fee)),
                        None => name.to_string(),
                    };
                    ui.radio_value(&mut self.send.priority, p, text);
                }
            });
            if self.fees.is_none() {
                ui.label(egui::RichText::new("Sync to see the fee of each priority.").weak());
            } else {
                ui.label(egui::RichText::new("Fees shown for one input and two outputs; the exact fee is shown before anything goes to the offline side.").weak());
            }
            if ui.button("Build unsigned transaction").clicked() {
                self.view = self.build(daemon_url);
            }
        });
    }

    fn build(&mut self, daemon_url: &str) -> View {
        let (destinations, sweep) = if self.send.sweep_all {
            (Vec::new(), Sweep::All(self.send.rows[0].0.trim().to_owned()))
        } else {
            let mut destinations = Vec::with_capacity(self.send.rows.len());
            for (i, (address, amount)) in self.send.rows.iter().enumerate() {
                let which = if self.send.rows.len() > 1 { format!("destination {}: ", i + 1) } else { String::new() };
                match crate::chain::monero::review::parse_xmr(amount) {
                    Ok(0) => return View::Lines(vec![format!("{which}the amount is zero")]),
                    Ok(a) => destinations.push((address.trim().to_owned(), a)),
                    Err(e) => return View::Lines(vec![format!("{which}{e}")]),
                }
            }
            (destinations, Sweep::No)
        };
        let req = TransferRequest { destinations, priority: self.send.priority, account: self.send.account, sweep, format: self.format() };
        let url = daemon_url.to_owned();
        self.spawn("building the unsigned transaction (syncing first, then choosing inputs and decoys)", move |w| {
            let d = Self::daemon(w, &url)?;
            // Inputs are chosen from what the wallet knows: bring it to the daemon's top first.
            w.sync(&d, &mut |_| {}).map_err(|e| e.to_string())?;
            let (file, summary) = w.transfer(&d, &req).map_err(|e| e.to_string())?;
            Ok(Done::Built(file, summary))
        })
    }

    fn coins_ui(&self, ui: &mut egui::Ui) {
        let Some(Ok(s)) = &self.snapshot else { return };
        egui::Grid::new("xmr-coins").striped(true).show(ui, |ui| {
            for h in ["#", "Amount (XMR)", "Subaddress", "Height", "State"] {
                ui.strong(h);
            }
            ui.end_row();
            for t in &s.coins {
                ui.label(t.idx.to_string());
                ui.label(format_xmr(t.received.amount));
                ui.label(format!("{},{}", t.received.subaddress.0, t.received.subaddress.1));
                ui.label(t.received.height.to_string());
                ui.label(coin_state(t, s.scanned));
                ui.end_row();
            }
        });
    }

    fn history_ui(&self, ui: &mut egui::Ui) {
        let Some(Ok(s)) = &self.snapshot else { return };
        if s.history.is_empty() {
            ui.label("Nothing sent from here yet.");
        }
        for h in &s.history {
            ui.label(history_line(h, s.scanned));
        }
    }

    /// This area's screens, while one is up.
    pub fn screen_ui(&mut self, ui: &mut egui::Ui, daemon_url: &str, sources: &SourceFactory, profiles: &SharedProfiles, notice: &mut Option<(bool, String)>) {
        let view = std::mem::replace(&mut self.view, View::Home);
        self.view = match view {
            View::Home => View::Home,
            View::Scan(mut scanner, purpose) => {
                scanner.remember(profiles);
                let got = scanner.ui(ui, sources);
                let back = ui.button("Cancel").clicked();
                match got {
                    Some((ur_type, message)) => self.scanned(&ur_type, Zeroizing::new(message), purpose, daemon_url),
                    None if back => View::Home,
                    None => View::Scan(scanner, purpose),
                }
            }
            View::Busy(job) => {
                if let Some(p) = self.progress.lock().ok().and_then(|p| *p) {
                    progress_ui(ui, p);
                    let stopping = self.stop.load(std::sync::atomic::Ordering::Relaxed);
                    if ui.add_enabled(!stopping, egui::Button::new(if stopping { "Stopping after this batch…" } else { "Stop sync" })).clicked() {
                        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                }
                let outcome = job.ui(ui);
                if outcome.is_some() {
                    // The bar belongs to this job only.
                    if let Ok(mut p) = self.progress.lock() {
                        *p = None;
                    }
                }
                match outcome {
                    Some(Ok((wallet, outcome))) => {
                        if wallet.is_some() {
                            self.wallet = wallet;
                        }
                        self.refresh();
                        self.finished(outcome, daemon_url, notice)
                    }
                    Some(Err(e)) => {
                        *notice = Some((true, format!("{e}: open the view-only wallet again")));
                        self.snapshot = None;
                        View::Home
                    }
                    None => View::Busy(job),
                }
            }
            View::Show(text, mut player) => {
                super::widgets::lines(ui, &text);
                player.remember(profiles);
                if player.ui_with_done(ui) {
                    View::Home
                } else {
                    View::Show(text, player)
                }
            }
            View::Broadcast(file, outgoing) => self.broadcast_ui(ui, file, outgoing, daemon_url),
            View::Lines(text) => {
                if super::widgets::lines_then_back(ui, &text) {
                    View::Home
                } else {
                    View::Lines(text)
                }
            }
        };
    }

    fn scanned(&mut self, ur_type: &str, message: Zeroizing<Vec<u8>>, purpose: ScanFor, daemon_url: &str) -> View {
        let url = daemon_url.to_owned();
        let file = || crate::envelope::decode(ur_type, &message).map(|p| p.data).map_err(|e| View::Lines(vec![format!("{ur_type}: {e}")]));
        match purpose {
            ScanFor::ViewOnly => self.create(message, daemon_url),
            ScanFor::KeyImages => match file() {
                Ok(file) => self.spawn("importing key images (checking each with the daemon)", move |w| {
                    let d = Self::daemon(w, &url)?;
                    w.import_key_images(&file, &d).map(Done::KeyImages).map_err(|e| e.to_string())
                }),
                Err(refused) => refused,
            },
            ScanFor::Signed => match file() {
                Ok(file) => match self.wallet.as_ref().map(|w| w.describe_signed(&file)) {
                    Some(Ok(outgoing)) => View::Broadcast(file, outgoing),
                    Some(Err(e)) => View::Lines(vec![format!("refused: {e}")]),
                    None => View::Home,
                },
                Err(refused) => refused,
            },
        }
    }

    fn broadcast_ui(&mut self, ui: &mut egui::Ui, file: Vec<u8>, outgoing: Vec<Outgoing>, daemon_url: &str) -> View {
        ui.heading("Broadcast this?");
        ui.label("Read from the signed set with the view key: exactly what goes to the network.");
        for o in &outgoing {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.label(egui::RichText::new(format!("Transaction {}", o.tx_hash)).monospace());
                for (a, amount) in &o.destinations {
                    ui.label(egui::RichText::new(format!("{} XMR to", format_xmr(*amount))).size(18.0).strong());
                    ui.add(egui::Label::new(egui::RichText::new(super::review_cards::group4(a)).monospace().size(15.0)).wrap());
                }
                ui.label(format!("Fee {} XMR; spends {} of this wallet's outputs", format_xmr(o.fee), o.inputs.len()));
            });
        }
        let (mut go, mut cancel) = (false, false);
        ui.horizontal(|ui| {
            go = ui.button("Broadcast").clicked();
            cancel = ui.button("Cancel").clicked();
        });
        if cancel {
            return View::Home;
        }
        if !go {
            return View::Broadcast(file, outgoing);
        }
        let url = daemon_url.to_owned();
        self.spawn("broadcasting through monerod", move |w| {
            let d = Self::daemon(w, &url)?;
            w.submit(&d, &file).map(Done::Submitted).map_err(|e| e.to_string())
        })
    }

    fn finished(&mut self, outcome: Result<Done, String>, daemon_url: &str, notice: &mut Option<(bool, String)>) -> View {
        match outcome {
            Err(e) => {
                *notice = Some((true, e));
                View::Home
            }
            Ok(Done::Opened) if std::mem::take(&mut self.first_sync) => {
                *notice = Some((false, "view-only wallet created: its first sync starts now".into()));
                self.sync(daemon_url)
            }
            Ok(Done::Opened) => {
                *notice = Some((false, "view-only wallet open".into()));
                View::Home
            }
            Ok(Done::Synced(r, fees)) => {
                self.fees = fees.or(self.fees);
                let mut said = if r.stopped {
                    format!("sync stopped at height {}: {} new outputs so far; Sync resumes from there", r.to, r.outputs_found)
                } else {
                    format!("synced to height {}: {} new outputs", r.to, r.outputs_found)
                };
                if let Some((fork, removed)) = r.rolled_back {
                    said += &format!("; the chain reorganised at {fork} ({removed} outputs of dropped blocks removed)");
                }
                for (hash, amount) in &r.pool_incoming {
                    said += &format!("; incoming in the pool: {} XMR ({}…)", format_xmr(*amount), &hex::encode(hash)[..12]);
                }
                *notice = Some((false, said));
                View::Home
            }
            Ok(Done::KeyImages(r)) => {
                *notice = Some((false, format!("{} key images imported: {} XMR spent, {} XMR unspent", r.imported, format_xmr(r.spent), format_xmr(r.unspent))));
                View::Home
            }
            Ok(Done::Built(file, s)) => {
                let mut lines = vec![s.headline()];
                lines.extend(s.destinations.iter().map(|(a, amount)| format!("{} XMR to {a}", format_xmr(*amount))));
                if s.change > 0 {
                    lines.push(format!("{} XMR change back to this wallet", format_xmr(s.change)));
                }
                lines.push("Show it to the offline app (Scan unsigned transaction), review and sign there, then Scan signed transaction here.".into());
                match PlayerView::new("Unsigned transaction for the offline app", "xmr-txunsigned", &crate::envelope::wrap_bytes(&file)) {
                    Ok(p) => View::Show(lines, p),
                    Err(e) => View::Lines(vec![e]),
                }
            }
            Ok(Done::Submitted(hashes)) => {
                let mut lines: Vec<String> = hashes.iter().map(|h| format!("broadcast {h}: in the daemon's pool")).collect();
                lines.push("It shows in the history; confirmations count up as you sync.".into());
                View::Lines(lines)
            }
        }
    }
}

/// The fee rates for each priority, or None when the daemon does not say (the form then
/// asks for a sync rather than guessing).
fn fee_rates(d: &Daemon) -> Option<FeeRates> {
    let mut rates = [(0, 1); 4];
    for (i, r) in rates.iter_mut().enumerate() {
        *r = d.fee_per_byte(i as u32 + 1).ok()?;
    }
    Some(rates)
}

/// The fee of a typical transfer (one input, two outputs) at this rate.
fn typical_fee((per_byte, mask): (u64, u64)) -> u64 {
    // A ring's offsets: one large (the oldest member), the rest small, as decoys picked
    // near the tip give them; the weight barely depends on it.
    let mut ring = vec![2_000u64; RING_SIZE as usize];
    ring[0] = 3_000_000;
    // tx public key (33 bytes) and the encrypted payment ID nonce (11) wallet2 adds.
    fee_for(&[ring], 2, 44, per_byte, mask)
}

fn balance_ui(ui: &mut egui::Ui, s: &Snapshot) {
    let b = &s.balance;
    if b.key_images_known {
        ui.label(egui::RichText::new(format!("Balance: {} XMR", format_xmr(b.balance))).size(22.0).strong());
    } else {
        ui.label(egui::RichText::new(format!("Received, key images not imported: {} XMR", format_xmr(b.balance))).size(22.0).strong());
        ui.colored_label(
            egui::Color32::from_rgb(200, 120, 0),
            "Not a balance yet: what the offline wallet spent is invisible here until its key images are imported (Export outputs, then Scan key images).",
        );
    }
    ui.label(format!("Unlocked (spendable now): {} XMR · {} outputs · synced to height {}", format_xmr(b.unlocked), b.outputs, s.scanned));
}

fn progress_ui(ui: &mut egui::Ui, p: SyncProgress) {
    let total = p.daemon_height.max(1);
    let left = p.daemon_height.saturating_sub(p.height);
    let eta = if p.blocks_per_second > 0.0 { format!(", about {:.0} s left", left as f64 / p.blocks_per_second) } else { String::new() };
    let text = format!("height {} / {}, {:.0} blocks/s, {} outputs found{eta}", p.height, p.daemon_height, p.blocks_per_second, p.outputs_found);
    ui.add(egui::ProgressBar::new(p.height as f32 / total as f32).text(text));
}

fn coin_state(t: &Transfer, scanned: u64) -> String {
    match t.spent {
        Spent::InChain(h) if h > 0 => format!("spent at {h}"),
        Spent::InChain(_) => "spent".into(),
        Spent::InPool => "spending (in the pool)".into(),
        Spent::No if t.key_image.is_none() => format!("{}, key image unknown", if OnlineWallet::is_unlocked(&t.received, scanned) { "unlocked" } else { "locked" }),
        Spent::No if OnlineWallet::is_unlocked(&t.received, scanned) => "unlocked".into(),
        Spent::No => "locked".into(),
    }
}

fn history_line(h: &HistoryEntry, scanned: u64) -> String {
    let state = match h.height {
        Some(b) => format!("{} confirmations", scanned.saturating_sub(b)),
        None => "in the pool".into(),
    };
    format!("{}…  {} XMR out, fee {} XMR, {state}", &h.tx_hash[..16.min(h.tx_hash.len())], format_xmr(h.amount), format_xmr(h.fee))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_typical_fee_is_wallet2s_for_one_input_and_two_outputs() {
        // At 20,000 piconero per byte and mask 10,000, a 1-in/2-out CLSAG BP+ transaction
        // (about 1,500 bytes) costs about 0.00003 XMR, as wallet2 reports for such a transfer.
        let fee = typical_fee((20_000, 10_000));
        assert_eq!(fee % 10_000, 0, "rounded up to the mask");
        assert!((1_400 * 20_000..1_600 * 20_000).contains(&fee), "{fee}");
    }

    #[test]
    fn confirmations_count_from_the_scanned_height() {
        let h = HistoryEntry { tx_hash: "ab".repeat(32), submitted_at: 0, fee: 30_000_000, amount: 1_000_000_000_000, destinations: vec![], height: Some(100) };
        assert!(history_line(&h, 110).ends_with("10 confirmations"));
        assert!(history_line(&HistoryEntry { height: None, ..h }, 110).ends_with("in the pool"));
    }
}
