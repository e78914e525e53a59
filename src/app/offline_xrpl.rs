//! The offline app's XRPL screens: the account's state (Sequence, ledger, fee) kept beside
//! the keystore, the account shown to the online side, its state applied, sign requests
//! and template batches reviewed and signed with every field filled; a regular key made,
//! rotated or removed; and, as a member of a multi-signed account, its requests reviewed
//! and signed.

use super::widgets::{PlayerView, ScannerView, SourceFactory};
use crate::chain::xrpl::keys::{KeyPair, Seed};
use crate::envelope::xrpl::{Versioned, XrplMultisignRequestPayload, XrplSignRequestPayload, XrplStatePayload};
use crate::keystore::Keystore;
use crate::signer::journal::Journal;
use crate::signer::xrpl::multisig::{self, PreparedMultisign};
use crate::signer::xrpl::{self as offline, Template, XrplAccount};
use eframe::egui;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

pub enum Purpose {
    State,
    Request,
    Multisign,
    /// A Keystone-style request (XRP Toolkit): answered with a `bytes` UR.
    Bytes,
}

/// What was reviewed: a transaction of this account, or a member's signature for a
/// multi-signed one. `new_regular_key` is a key made for the SetRegularKey under review,
/// stored in the keystore just before it is signed.
pub enum Reviewed {
    /// `answer_as_bytes`: a Keystone-style request, answered with a `bytes` UR of the blob.
    Own { prepared: Box<offline::Prepared>, new_regular_key: Option<Box<Seed>>, answer_as_bytes: bool },
    Multisign(Box<PreparedMultisign>),
}

impl Reviewed {
    fn review(&self) -> &offline::BatchReview {
        match self {
            Reviewed::Own { prepared, .. } => &prepared.review,
            Reviewed::Multisign(p) => &p.review,
        }
    }
}

pub enum XrplScreen {
    Home,
    Show(PlayerView),
    Scan(ScannerView, Purpose),
    /// The review model on screen; the journal is held (locked) until it is signed or
    /// rejected. With warnings, signing waits for `acknowledged`.
    /// `reached_end`: the last transaction has been on screen (a batch is approved only
    /// after the user has scrolled through all of it).
    Review { reviewed: Reviewed, journal: Box<Journal>, acknowledged: bool, reached_end: bool },
    /// A new regular key's words, shown once (before its SetRegularKey's QR, which the
    /// online side's camera films: never both on one screen).
    Words { words: Zeroizing<String>, then: PlayerView },
}

pub struct XrplSession {
    pub name: String,
    keys: KeyPair,
    /// The regular key in force (as last reported), when this keystore holds it.
    regular: Option<KeyPair>,
    account: XrplAccount,
    keystore_dir: PathBuf,
    templates_path: String,
    replace_sequence: String,
    replace_fee: String,
    /// Kept while the session is open: a new regular key is stored under it, and the one
    /// in force is unlocked with it.
    passphrase: Zeroizing<String>,
}

/// Stores a new XRPL wallet (seed entropy and key type, encrypted) and its account state.
pub fn create(keystore_dir: &Path, name: &str, passphrase: &str, seed: &Seed) -> Result<(), String> {
    let (info, secret) = offline::keystore_record(name, seed);
    let store = Keystore::open(keystore_dir).map_err(|e| e.to_string())?;
    store.create(info, &secret, passphrase).map_err(|e| e.to_string())?;
    offline::save_account(keystore_dir, name, &XrplAccount::new(&seed.key_pair()))
}

impl XrplSession {
    pub fn open(keystore_dir: &Path, name: &str, secret: &[u8], passphrase: Zeroizing<String>) -> Result<XrplSession, String> {
        let keys = offline::keys_from_secret(secret).ok_or_else(|| format!("wallet '{name}' is not an XRPL wallet"))?;
        let account = offline::load_account(keystore_dir, name)?;
        if keys.address() != account.address {
            return Err(format!("wallet '{name}' holds the key of {}, its account file is for {}", keys.address(), account.address));
        }
        let mut session = XrplSession { name: name.to_owned(), keys, regular: None, account, keystore_dir: keystore_dir.to_owned(), templates_path: String::new(), replace_sequence: String::new(), replace_fee: String::new(), passphrase };
        session.load_regular_key();
        Ok(session)
    }

    /// Unlocks the regular key in force, if this keystore holds it.
    fn load_regular_key(&mut self) {
        self.regular = self.account.regular_key.as_deref().and_then(|rk| {
            let (_, secret) = Keystore::open(&self.keystore_dir).ok()?.unlock(&offline::regular_key_wallet(&self.name, rk), &self.passphrase).ok()?;
            offline::keys_from_secret(&secret).filter(|k| k.address() == rk)
        });
    }


    /// The player showing the account (`xrpl-account`) for the online side.
    pub fn account_screen(&self, title: &str) -> Result<XrplScreen, String> {
        let payload = offline::account_payload(&self.account).map_err(|e| e.to_string())?;
        PlayerView::new(title, "xrpl-account", &payload.to_cbor()).map(XrplScreen::Show)
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
    pub fn ui(&mut self, ui: &mut egui::Ui, screen: XrplScreen, sources: &SourceFactory, profiles: &super::widgets::SharedProfiles, notice: &mut Option<(bool, String)>) -> XrplScreen {
        let mut fail = |e: String| {
            *notice = Some((true, e));
            XrplScreen::Home
        };
        match screen {
            XrplScreen::Home => {
                let a = self.account.clone();
                let a = &a;
                ui.label(format!("Account: {}", a.address));
                ui.label(format!("Next Sequence {}, ledger {}, fee {} drops", a.next_sequence, a.ledger_index, a.fee_drops));
                let mut next = XrplScreen::Home;
                if ui.button("Show account").clicked() {
                    next = match self.account_screen("The account: show this to the online side") {
                        Ok(s) => s,
                        Err(e) => fail(e),
                    };
                }
                if ui.button("Scan account state").clicked() {
                    next = XrplScreen::Scan(ScannerView::new("Scan the account state (xrpl-state)", &["xrpl-state"]), Purpose::State);
                }
                if ui.button("Scan sign request").clicked() {
                    next = XrplScreen::Scan(ScannerView::new("Scan the sign request (xrpl-sign-request)", &["xrpl-sign-request"]), Purpose::Request);
                }
                ui.label(format!(
                    "Keys in force (as last reported): master key {}; regular key {}{}; signer list {}",
                    if a.master_disabled { "DISABLED" } else { "enabled" },
                    a.regular_key.as_deref().unwrap_or("none"),
                    match (&a.regular_key, &self.regular) {
                        (Some(_), Some(_)) => " (held here)",
                        (Some(_), None) => " (not in this keystore)",
                        _ => "",
                    },
                    a.signer_list.as_ref().map(|l| l.describe()).unwrap_or_else(|| "none".into())
                ));
                ui.horizontal(|ui| {
                    if ui.button("New regular key").clicked() {
                        next = self.review_regular_key(false).unwrap_or_else(&mut fail);
                    }
                    if a.regular_key.is_some() && ui.button("Remove regular key").clicked() {
                        next = self.review_regular_key(true).unwrap_or_else(&mut fail);
                    }
                });
                if ui.button("Scan Keystone-style request").on_hover_text("XRP Toolkit and other tools that speak Keystone's XRPL exchange: a bytes code of the transaction's JSON").clicked() {
                    next = XrplScreen::Scan(ScannerView::new("Scan the Keystone-style request (bytes)", &["bytes"]), Purpose::Bytes);
                }
                ui.horizontal(|ui| {
                    let label = ui.label("Replace Sequence");
                    ui.add(egui::TextEdit::singleline(&mut self.replace_sequence).desired_width(80.0)).labelled_by(label.id);
                    let label = ui.label("fee (drops)");
                    ui.add(egui::TextEdit::singleline(&mut self.replace_fee).desired_width(80.0)).labelled_by(label.id);
                    if ui.button("Review replacement").on_hover_text("the template file above, signed again for a Sequence that expired or failed with tefMAX_LEDGER").clicked() {
                        next = self.review_replacement().unwrap_or_else(&mut fail);
                    }
                });
                if ui.button("Sign for a multi-signed account").clicked() {
                    next = XrplScreen::Scan(ScannerView::new("Scan the multi-sign request (xrpl-multisign-request)", &["xrpl-multisign-request"]), Purpose::Multisign);
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
                player.remember(profiles);
                if player.ui_with_done(ui) {
                    XrplScreen::Home
                } else {
                    XrplScreen::Show(player)
                }
            }
            XrplScreen::Scan(mut scanner, purpose) => {
                scanner.remember(profiles);
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
                    (Some((_, message)), Purpose::Bytes) => match self.review_bytes(&message) {
                        Ok(s) => s,
                        Err(e) => fail(e),
                    },
                    (Some((_, message)), Purpose::Multisign) => match self.review_multisign(&message) {
                        Ok(s) => s,
                        Err(e) => fail(e),
                    },
                    (None, _) if back => XrplScreen::Home,
                    (None, purpose) => XrplScreen::Scan(scanner, purpose),
                }
            }
            XrplScreen::Review { reviewed, mut journal, mut acknowledged, mut reached_end } => {
                // The figures and warnings first, then the decision, then every field below
                // (scrolling): the buttons never end up off screen under a long batch.
                if let Reviewed::Multisign(p) = &reviewed {
                    multisign_header(ui, &p.multisign);
                }
                review_header(ui, reviewed.review(), &mut acknowledged);
                let warned = reviewed.review().warnings().next().is_some();
                let mut next = None;
                let count = reviewed.review().transactions.len();
                ui.horizontal(|ui| {
                    let button = ui.add_enabled((!warned || acknowledged) && reached_end, egui::Button::new("Approve and sign"));
                    if !reached_end {
                        ui.label(egui::RichText::new(format!("Scroll through all {count} transaction(s) below to approve")).color(egui::Color32::from_rgb(200, 120, 0)));
                    }
                    if button.clicked() {
                        next = Some(match self.sign(&reviewed, &mut journal) {
                            Ok(s) => s,
                            Err(e) => fail(e),
                        });
                    }
                    if ui.button("Reject").clicked() {
                        next = Some(XrplScreen::Home);
                    }
                });
                reached_end |= egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| review_details(ui, reviewed.review())).inner;
                if reached_end {
                    // The button above was drawn before the end came into view: draw again.
                    ui.ctx().request_repaint();
                }
                next.unwrap_or(XrplScreen::Review { reviewed, journal, acknowledged, reached_end })
            }
            XrplScreen::Words { words, then } => {
                ui.heading("Write down the new regular key's words");
                ui.label("They restore the regular key if this keystore is lost; once the master key is disabled they are the only way to sign. Keep them offline. They are shown once; the QR to carry to the online side comes next.");
                ui.add(egui::Label::new(egui::RichText::new(words.as_str()).monospace().size(18.0)).wrap());
                if ui.button("I wrote them down: show the QR").clicked() {
                    XrplScreen::Show(then)
                } else {
                    XrplScreen::Words { words, then }
                }
            }
        }
    }

    fn apply_state(&mut self, message: &[u8]) -> Result<String, String> {
        let state = XrplStatePayload::from_cbor(message).map_err(|e| e.to_string())?;
        let mut journal = self.journal()?;
        let unapplied = offline::reconcile(&mut self.account, &offline::report_of(&state), &mut journal).map_err(|e| e.to_string())?;
        offline::save_account(&self.keystore_dir, &self.name, &self.account)?;
        self.load_regular_key();
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
        Ok(own_review(prepared, None, journal))
    }

    fn review_bytes(&mut self, message: &[u8]) -> Result<XrplScreen, String> {
        let journal = self.journal()?;
        let prepared = offline::review_bytes_request(&self.account, message).map_err(|e| e.to_string())?;
        Ok(XrplScreen::Review { reviewed: Reviewed::Own { prepared: Box::new(prepared), new_regular_key: None, answer_as_bytes: true }, journal: Box::new(journal), acknowledged: false, reached_end: false })
    }

    /// A replacement for a Sequence signed here that did not make it into the ledger: the
    /// template file's one template, a fresh LastLedgerSequence, the fee typed (if any).
    fn review_replacement(&mut self) -> Result<XrplScreen, String> {
        let sequence: u32 = self.replace_sequence.trim().parse().map_err(|_| "type the Sequence to replace (a number)".to_owned())?;
        let fee = match self.replace_fee.trim() {
            "" => None,
            f => Some(f.parse::<u64>().map_err(|_| "the fee is a number of drops".to_owned())?),
        };
        let bytes = std::fs::read(self.templates_path.trim()).map_err(|e| format!("cannot read the template file {}: {e}", self.templates_path.trim()))?;
        let template: Template = serde_json::from_slice::<Template>(&bytes)
            .or_else(|_| serde_json::from_slice::<Vec<Template>>(&bytes).ok().filter(|t| t.len() == 1).and_then(|mut t| t.pop()).ok_or(()))
            .map_err(|_| "the template file must hold one template (an object, or an array of one)".to_owned())?;
        let journal = self.journal()?;
        let prepared = offline::prepare_replacement(&self.account, &template, sequence, fee, &journal).map_err(|e| e.to_string())?;
        Ok(own_review(prepared, None, journal))
    }

    fn review_multisign(&mut self, message: &[u8]) -> Result<XrplScreen, String> {
        let req = XrplMultisignRequestPayload::from_cbor(message).map_err(|e| e.to_string())?;
        let journal = self.journal()?;
        let prepared = multisig::prepare_multisign(&self.account, &req, false, &journal, crate::signer::now()).map_err(|e| e.to_string())?;
        Ok(XrplScreen::Review { reviewed: Reviewed::Multisign(Box::new(prepared)), journal: Box::new(journal), acknowledged: false, reached_end: false })
    }

    /// A SetRegularKey for a key made here now (or, `remove`, for none), reviewed.
    fn review_regular_key(&mut self, remove: bool) -> Result<XrplScreen, String> {
        if self.account.next_sequence == 0 {
            return Err("the account's Sequence is unknown: scan the account state from the online side first".into());
        }
        let seed = if remove { None } else { Some(Seed::random(crate::chain::xrpl::keys::KeyType::Secp256k1).map_err(|e| e.to_string())?) };
        let new_keys = seed.as_ref().map(Seed::key_pair);
        let journal = self.journal()?;
        let mut prepared = offline::prepare_batch(&self.account, &[Template::SetRegularKey { regular_key: new_keys.as_ref().map(KeyPair::address) }]).map_err(|e| e.to_string())?;
        if let Some(k) = &new_keys {
            prepared.review.notes.insert(
                0,
                format!("the new regular key {} (public key {}) was made on this machine just now; it is stored in this keystore, under this wallet's passphrase, when you sign", k.address(), hex::encode_upper(k.public_key())),
            );
        }
        Ok(own_review(prepared, seed, journal))
    }

    fn review_templates(&mut self) -> Result<XrplScreen, String> {
        let bytes = std::fs::read(self.templates_path.trim()).map_err(|e| format!("cannot read {}: {e}", self.templates_path.trim()))?;
        let templates: Vec<Template> = serde_json::from_slice(&bytes).map_err(|e| format!("templates must be a JSON array: {e}"))?;
        if self.account.next_sequence == 0 {
            return Err("the account's Sequence is unknown: scan the account state from the online side first".into());
        }
        let journal = self.journal()?;
        let prepared = offline::prepare_batch(&self.account, &templates).map_err(|e| e.to_string())?;
        Ok(own_review(prepared, None, journal))
    }

    fn sign(&mut self, reviewed: &Reviewed, journal: &mut Journal) -> Result<XrplScreen, String> {
        match reviewed {
            Reviewed::Own { prepared, new_regular_key, answer_as_bytes } => {
                if let Some(seed) = new_regular_key {
                    // Stored before the SetRegularKey exists: a key the ledger may come to
                    // accept is never lost because signing failed afterwards.
                    let (mut info, secret) = offline::keystore_record(&offline::regular_key_wallet(&self.name, &seed.key_pair().address()), seed);
                    info.public["regular_key_of"] = serde_json::json!(self.account.address);
                    Keystore::open(&self.keystore_dir).and_then(|k| k.create(info, &secret, &self.passphrase)).map_err(|e| e.to_string())?;
                }
                let keys = signing_keys(&self.keys, &self.regular, self.account.master_disabled);
                // A replacement leaves the account's state as it is: its Sequence was
                // counted when it was first signed.
                let mut account = self.account.clone();
                let signed = offline::sign_reviewed(&mut account, keys, prepared, journal).map_err(|e| e.to_string())?;
                if !prepared.is_replacement() {
                    self.account = account;
                    offline::save_account(&self.keystore_dir, &self.name, &self.account)?;
                }
                if *answer_as_bytes {
                    let blob = signed.first().map(|s| s.blob.clone()).unwrap_or_default();
                    return Ok(XrplScreen::Show(PlayerView::new("The signed transaction, as a bytes code: show this to the Keystone-style tool", "bytes", &crate::envelope::wrap_bytes(&blob))?));
                }
                let then = self.show_signed(&signed)?;
                match (new_regular_key, then) {
                    (Some(seed), XrplScreen::Show(player)) => Ok(XrplScreen::Words { words: crate::chain::xrpl::keys::wallet_propose(seed).master_key, then: player }),
                    (_, then) => Ok(then),
                }
            }
            Reviewed::Multisign(prepared) => {
                let keys = signing_keys(&self.keys, &self.regular, self.account.master_disabled);
                let signature = multisig::sign_multisign(&mut self.account, keys, prepared, journal, crate::signer::now()).map_err(|e| e.to_string())?;
                offline::save_account(&self.keystore_dir, &self.name, &self.account)?;
                let title = format!("Your signature for {} as {}: show this to the online side", prepared.multisign.account, prepared.multisign.member);
                Ok(XrplScreen::Show(PlayerView::new(&title, "xrpl-multisign-signature", &signature.to_cbor())?))
            }
        }
    }

    pub fn showing(screen: &XrplScreen) -> Option<&crate::transport::Player> {
        match screen {
            XrplScreen::Show(p) => Some(&p.player),
            _ => None,
        }
    }
}

/// The key that signs: the master key, or the regular key once the master is disabled.
fn signing_keys<'a>(master: &'a KeyPair, regular: &'a Option<KeyPair>, master_disabled: bool) -> &'a KeyPair {
    match regular {
        Some(r) if master_disabled => r,
        _ => master,
    }
}

fn own_review(prepared: offline::Prepared, new_regular_key: Option<Seed>, journal: Journal) -> XrplScreen {
    XrplScreen::Review { reviewed: Reviewed::Own { prepared: Box::new(prepared), new_regular_key: new_regular_key.map(Box::new), answer_as_bytes: false }, journal: Box::new(journal), acknowledged: false, reached_end: false }
}

const WARNING_RED: egui::Color32 = egui::Color32::from_rgb(200, 30, 30);

/// Above a member's review: for whom it signs, as whom, with what weight of which quorum.
fn multisign_header(ui: &mut egui::Ui, m: &multisig::MultisignView) {
    egui::Frame::group(ui.style()).stroke(egui::Stroke::new(2.0, egui::Color32::from_rgb(40, 90, 200))).show(ui, |ui| {
        ui.label(egui::RichText::new(format!("Signing for the multi-signed account {}", m.account)).size(18.0).strong());
        ui.label(format!("as member {} with weight {} of quorum {}", m.member, m.weight, m.quorum));
        ui.add(egui::Label::new(format!("Signer list (the online side's claim): {}", m.list)).wrap());
    });
}

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

/// Each transaction of the review with every field, one card each; whether the last card's
/// bottom edge is in view.
fn review_details(ui: &mut egui::Ui, review: &offline::BatchReview) -> bool {
    let mut seen = false;
    for (i, t) in review.transactions.iter().enumerate() {
        let card = egui::Frame::group(ui.style()).inner_margin(8.0).show(ui, |ui| {
            ui.set_width(ui.available_width());
            tx_ui(ui, t, &format!("Transaction {} of {}", i + 1, review.transactions.len()), i);
        });
        if i + 1 == review.transactions.len() {
            let (view, rect) = (ui.clip_rect(), card.response.rect);
            seen = rect.max.y <= view.max.y && rect.max.y >= view.min.y;
        }
    }
    seen
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
