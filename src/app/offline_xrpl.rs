//! The offline app's XRPL screens: the account's state (Sequence, ledger, fee) kept beside
//! the keystore, the account shown to the online side, its state applied, sign requests
//! and template batches reviewed and signed with every field filled.

use super::widgets::{PlayerView, ScannerView, SourceFactory};
use crate::chain::xrpl::keys::{KeyPair, Seed};
use crate::envelope::xrpl::{Versioned, XrplSignRequestPayload, XrplStatePayload};
use crate::keystore::Keystore;
use crate::signer::journal::Journal;
use crate::signer::xrpl::{self as offline, Template, XrplAccount};
use eframe::egui;
use std::path::{Path, PathBuf};

pub enum Purpose {
    State,
    Request,
}

pub enum XrplScreen {
    Home,
    Show(PlayerView),
    Scan(ScannerView, Purpose),
    /// The review model on screen; the journal is held (locked) until it is signed or
    /// rejected. With warnings, signing waits for `acknowledged`.
    Review { prepared: Box<offline::Prepared>, journal: Box<Journal>, acknowledged: bool },
}

pub struct XrplSession {
    pub name: String,
    keys: KeyPair,
    account: XrplAccount,
    keystore_dir: PathBuf,
    templates_path: String,
}

/// Stores a new XRPL wallet (seed entropy and key type, encrypted) and its account state.
pub fn create(keystore_dir: &Path, name: &str, passphrase: &str, seed: &Seed) -> Result<(), String> {
    let (info, secret) = offline::keystore_record(name, seed);
    let store = Keystore::open(keystore_dir).map_err(|e| e.to_string())?;
    store.create(info, &secret, passphrase).map_err(|e| e.to_string())?;
    offline::save_account(keystore_dir, name, &XrplAccount::new(&seed.key_pair()))
}

impl XrplSession {
    pub fn open(keystore_dir: &Path, name: &str, secret: &[u8]) -> Result<XrplSession, String> {
        let keys = offline::keys_from_secret(secret).ok_or_else(|| format!("wallet '{name}' is not an XRPL wallet"))?;
        let account = offline::load_account(keystore_dir, name)?;
        offline::check_key(&account, &keys).map_err(|e| e.to_string())?;
        Ok(XrplSession { name: name.to_owned(), keys, account, keystore_dir: keystore_dir.to_owned(), templates_path: String::new() })
    }

    pub fn address(&self) -> &str {
        &self.account.address
    }

    fn journal(&self) -> Result<Journal, String> {
        Journal::open(&self.keystore_dir.join("journal.log")).map_err(|e| e.to_string())
    }

    fn show_signed(&self, signed: &[offline::SignedTx]) -> Result<XrplScreen, String> {
        let message = offline::signed_payload(signed).to_cbor();
        Ok(XrplScreen::Show(PlayerView::new(&format!("{} signed transaction(s): show this to the online side", signed.len()), "xrpl-signed", &message)?))
    }

    /// Draws one XRPL screen; errors and news go to `notice`.
    pub fn ui(&mut self, ui: &mut egui::Ui, screen: XrplScreen, sources: &SourceFactory, notice: &mut Option<(bool, String)>) -> XrplScreen {
        let mut fail = |e: String| {
            *notice = Some((true, e));
            XrplScreen::Home
        };
        match screen {
            XrplScreen::Home => {
                let a = &self.account;
                ui.label(format!("Account: {}", a.address));
                ui.label(format!("Next Sequence {}, ledger {}, fee {} drops", a.next_sequence, a.ledger_index, a.fee_drops));
                let mut next = XrplScreen::Home;
                if ui.button("Show account").clicked() {
                    next = match offline::account_payload(&self.account).map_err(|e| e.to_string()).and_then(|p| PlayerView::new("The account: show this to the online side", "xrpl-account", &p.to_cbor())) {
                        Ok(p) => XrplScreen::Show(p),
                        Err(e) => fail(e),
                    };
                }
                if ui.button("Scan account state").clicked() {
                    next = XrplScreen::Scan(ScannerView::new("Scan the account state (xrpl-state)", &["xrpl-state"]), Purpose::State);
                }
                if ui.button("Scan sign request").clicked() {
                    next = XrplScreen::Scan(ScannerView::new("Scan the sign request (xrpl-sign-request)", &["xrpl-sign-request"]), Purpose::Request);
                }
                ui.horizontal(|ui| {
                    let label = ui.label("Templates file");
                    ui.add(egui::TextEdit::singleline(&mut self.templates_path)).labelled_by(label.id);
                });
                if ui.button("Review templates").clicked() {
                    next = match self.review_templates() {
                        Ok(s) => s,
                        Err(e) => fail(e),
                    };
                }
                next
            }
            XrplScreen::Show(mut player) => {
                if player.ui_with_done(ui) {
                    XrplScreen::Home
                } else {
                    XrplScreen::Show(player)
                }
            }
            XrplScreen::Scan(mut scanner, purpose) => {
                let got = scanner.ui(ui, sources);
                let back = ui.button("Cancel").clicked();
                match (got, purpose) {
                    (Some((_, message)), Purpose::State) => match self.apply_state(&message) {
                        Ok(text) => {
                            *notice = Some((false, text));
                            XrplScreen::Home
                        }
                        Err(e) => fail(e),
                    },
                    (Some((_, message)), Purpose::Request) => match self.review_request(&message) {
                        Ok(s) => s,
                        Err(e) => fail(e),
                    },
                    (None, _) if back => XrplScreen::Home,
                    (None, purpose) => XrplScreen::Scan(scanner, purpose),
                }
            }
            XrplScreen::Review { prepared, mut journal, mut acknowledged } => {
                // The figures and warnings first, then the decision, then every field below
                // (scrolling): the buttons never end up off screen under a long batch.
                review_header(ui, &prepared.review, &mut acknowledged);
                let warned = prepared.review.warnings().next().is_some();
                let mut next = None;
                ui.horizontal(|ui| {
                    if ui.add_enabled(!warned || acknowledged, egui::Button::new("Approve and sign")).clicked() {
                        next = Some(match self.sign(&prepared, &mut journal) {
                            Ok(s) => s,
                            Err(e) => fail(e),
                        });
                    }
                    if ui.button("Reject").clicked() {
                        next = Some(XrplScreen::Home);
                    }
                });
                egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| review_details(ui, &prepared.review));
                next.unwrap_or(XrplScreen::Review { prepared, journal, acknowledged })
            }
        }
    }

    fn apply_state(&mut self, message: &[u8]) -> Result<String, String> {
        let state = XrplStatePayload::from_cbor(message).map_err(|e| e.to_string())?;
        let mut journal = self.journal()?;
        let unapplied = offline::reconcile(&mut self.account, &offline::report_of(&state), &mut journal).map_err(|e| e.to_string())?;
        offline::save_account(&self.keystore_dir, &self.name, &self.account)?;
        let mut text = format!("state applied: next Sequence {}, ledger {}, {} outcome(s)", self.account.next_sequence, self.account.ledger_index, state.outcomes.len());
        if !state.validated {
            text += " (WARNING: not from a validated ledger)";
        }
        if !unapplied.is_empty() {
            text += &format!("; signed here but not in the ledger: {unapplied:?}");
        }
        Ok(text)
    }

    fn review_request(&mut self, message: &[u8]) -> Result<XrplScreen, String> {
        let req = XrplSignRequestPayload::from_cbor(message).map_err(|e| e.to_string())?;
        let journal = self.journal()?;
        let prepared = offline::review_request(&self.account, &req.account, req.transactions.iter().map(|b| b.as_slice()), Some(&req.network)).map_err(|e| e.to_string())?;
        Ok(XrplScreen::Review { prepared: Box::new(prepared), journal: Box::new(journal), acknowledged: false })
    }

    fn review_templates(&mut self) -> Result<XrplScreen, String> {
        let bytes = std::fs::read(self.templates_path.trim()).map_err(|e| format!("cannot read {}: {e}", self.templates_path.trim()))?;
        let templates: Vec<Template> = serde_json::from_slice(&bytes).map_err(|e| format!("templates must be a JSON array: {e}"))?;
        if self.account.next_sequence == 0 {
            return Err("the account's Sequence is unknown: scan the account state from the online side first".into());
        }
        let journal = self.journal()?;
        let prepared = offline::prepare_batch(&self.account, &templates).map_err(|e| e.to_string())?;
        Ok(XrplScreen::Review { prepared: Box::new(prepared), journal: Box::new(journal), acknowledged: false })
    }

    fn sign(&mut self, prepared: &offline::Prepared, journal: &mut Journal) -> Result<XrplScreen, String> {
        let signed = offline::sign_reviewed(&mut self.account, &self.keys, prepared, journal).map_err(|e| e.to_string())?;
        offline::save_account(&self.keystore_dir, &self.name, &self.account)?;
        self.show_signed(&signed)
    }

    pub fn showing(screen: &XrplScreen) -> Option<&crate::transport::Player> {
        match screen {
            XrplScreen::Show(p) => Some(&p.player),
            _ => None,
        }
    }
}

const WARNING_RED: egui::Color32 = egui::Color32::from_rgb(200, 30, 30);

/// Draws the top of the XRPL review model: the headline, the network, every warning
/// (acknowledged with a tick before signing) and the notes.
fn review_header(ui: &mut egui::Ui, review: &offline::BatchReview, acknowledged: &mut bool) {
    ui.heading("Review before signing");
    ui.label(egui::RichText::new(&review.headline).size(18.0).strong());
    ui.label(format!("Account {}", review.account));
    let network = egui::RichText::new(format!("Network: {}", review.network.describe())).strong();
    ui.label(if review.network == offline::review::NetworkView::Unbound { network } else { network.color(egui::Color32::from_rgb(200, 120, 0)) });
    let warnings: Vec<_> = review.warnings().collect();
    if !warnings.is_empty() {
        egui::Frame::group(ui.style()).stroke(egui::Stroke::new(2.0, WARNING_RED)).show(ui, |ui| {
            ui.label(egui::RichText::new(format!("{} WARNING(S)", warnings.len())).color(WARNING_RED).size(18.0).strong());
            for (i, w) in &warnings {
                ui.label(egui::RichText::new(format!("Transaction {}: {}", i + 1, w.text)).color(WARNING_RED));
            }
            ui.checkbox(acknowledged, "I have read every warning and still want to sign");
        });
    }
    for n in &review.notes {
        ui.label(egui::RichText::new(format!("Note: {n}")).weak());
    }
}

/// Each transaction of the review with every field.
fn review_details(ui: &mut egui::Ui, review: &offline::BatchReview) {
    for (i, t) in review.transactions.iter().enumerate() {
        tx_ui(ui, t, &format!("Transaction {} of {}", i + 1, review.transactions.len()), i);
    }
}

fn tx_ui(ui: &mut egui::Ui, t: &offline::TxReview, title: &str, salt: usize) {
    let head = match t.ticket {
        Some(n) => format!("{title}: {}, Ticket {n}", t.transaction_type),
        None => format!("{title}: {}, Sequence {}", t.transaction_type, t.sequence),
    };
    egui::CollapsingHeader::new(egui::RichText::new(head).strong()).id_salt(("xrpl-tx", title, salt)).default_open(true).show(ui, |ui| {
        // The action in words wraps; the header above stays one short line.
        ui.add(egui::Label::new(&t.action).wrap());
        egui::Grid::new(("xrpl-fields", title, salt)).num_columns(2).striped(true).show(ui, |ui| {
            for f in &t.fields {
                ui.label(egui::RichText::new(format!("{}{}", "    ".repeat(f.depth as usize), f.name)).monospace());
                ui.add(egui::Label::new(egui::RichText::new(&f.value).monospace()).wrap());
                ui.end_row();
            }
        });
        for (n, inner) in t.inner.iter().enumerate() {
            tx_ui(ui, inner, &format!("Inner transaction {} of {}", n + 1, t.inner.len()), salt * 1000 + n + 1);
        }
    });
}
