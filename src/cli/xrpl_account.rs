//! Keystore-based XRPL verbs: the offline account (new, restore, list, export, apply-state,
//! sign-batch) and, with feature `net`, the online side (watch, sync, submit, status).
//! Payloads are read and written as UR part text (`--ur`) or raw CBOR files.

use super::{progress_line, read_input};
use crate::chain::xrpl::keys::{wallet_propose, KeyType, Seed};
use crate::envelope::xrpl::*;
use crate::keystore::Keystore;
use crate::signer::journal::Journal;
use crate::signer::xrpl::{self as offline, Template, XrplAccount};
use crate::transport::{UrDecoder, UrEncoder};
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

#[derive(Args)]
pub struct KeystoreArgs {
    /// Wallet name in the keystore.
    #[arg(long)]
    pub(super) wallet: String,
    /// Keystore directory (else AIRSIGN_HOME, else the platform data directory).
    #[arg(long)]
    pub(super) keystore: Option<PathBuf>,
}

/// Where a payload goes. Checked when the command line is parsed, so a verb that signs
/// never signs (and journals) a result it has nowhere to put.
#[derive(Args)]
#[group(required = true, multiple = true)]
pub struct PayloadOut {
    /// Print UR parts (one per line).
    #[arg(long)]
    ur: bool,
    /// Write the CBOR payload to FILE.
    #[arg(short = 'o', long = "out")]
    out: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum AccountCommand {
    /// Create an account from the OS random source (shows the backup words once, on stderr).
    New {
        #[command(flatten)]
        ks: KeystoreArgs,
        #[arg(long, value_enum)]
        key_type: Option<super::xrpl::KeyTypeArg>,
    },
    /// Restore from a family seed, RFC 1751 words or hex entropy on stdin.
    Restore {
        #[command(flatten)]
        ks: KeystoreArgs,
        #[arg(long, value_enum)]
        key_type: Option<super::xrpl::KeyTypeArg>,
    },
    /// List the keystore's wallets (public data only).
    List {
        #[arg(long)]
        keystore: Option<PathBuf>,
    },
    /// The `xrpl-account` payload for the online side.
    Export {
        #[command(flatten)]
        ks: KeystoreArgs,
        #[command(flatten)]
        out: PayloadOut,
    },
    /// Apply an `xrpl-state` from the online side (Sequence, ledger, fee, outcomes).
    ApplyState {
        #[command(flatten)]
        ks: KeystoreArgs,
        /// UR part text or a CBOR file; `-` or nothing for stdin.
        input: Option<PathBuf>,
    },
    /// Build transactions from templates (a JSON array), review, sign, journal: `xrpl-signed`.
    SignBatch {
        #[command(flatten)]
        ks: KeystoreArgs,
        #[arg(long)]
        templates: PathBuf,
        /// Sign without asking (the review still goes to stderr).
        #[arg(long)]
        yes: bool,
        /// Sign even if the key is neither the account's master nor its regular key.
        #[arg(long)]
        override_key_check: bool,
        #[command(flatten)]
        key: KeyChoice,
        #[command(flatten)]
        out: PayloadOut,
    },    /// Replace a transaction that expired or failed with tefMAX_LEDGER: the same Sequence,
    /// a fresh LastLedgerSequence and optionally a higher fee; recorded as a replacement.
    Replace {
        #[command(flatten)]
        ks: KeystoreArgs,
        #[arg(long)]
        sequence: u32,
        /// One template (a JSON object).
        #[arg(long)]
        template: PathBuf,
        /// Fee in drops for the replacement.
        #[arg(long)]
        fee: Option<u64>,
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        key: KeyChoice,
        #[command(flatten)]
        out: PayloadOut,
    },
    /// The most a transaction's fee may be (drops), for this account; default 1 XRP.
    SetFeeCap {
        #[command(flatten)]
        ks: KeystoreArgs,
        #[arg(long)]
        drops: u64,
    },
    /// Review and sign an `xrpl-sign-request` prepared online (UR part text or a CBOR file).
    SignRequest {
        #[command(flatten)]
        ks: KeystoreArgs,
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        key: KeyChoice,
        #[command(flatten)]
        out: PayloadOut,
        input: Option<PathBuf>,
    },
    /// Sign a Keystone-style request: a `bytes` UR of transaction JSON in (UR part text), a
    /// `bytes` UR of the signed blob out.
    SignBytes {
        #[command(flatten)]
        ks: KeystoreArgs,
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        key: KeyChoice,
        #[command(flatten)]
        out: PayloadOut,
        input: Option<PathBuf>,
    },
    /// Make a new regular key here and set it with a reviewed SetRegularKey (rotation: the
    /// new key replaces the one in force), or remove it (`--remove`).
    RegularKey {
        #[command(flatten)]
        ks: KeystoreArgs,
        #[arg(long)]
        remove: bool,
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        key: KeyChoice,
        #[command(flatten)]
        out: PayloadOut,
    },
    /// Set the account's signer list with a reviewed SignerListSet, from the members'
    /// `xrpl-account` codes (UR text or files) and weights.
    SignerList {
        #[command(flatten)]
        ks: KeystoreArgs,
        #[arg(long)]
        quorum: u32,
        /// ACCOUNT_UR:WEIGHT, once per member (ACCOUNT_UR: the member's xrpl-account as UR
        /// text or a file, or its address).
        #[arg(long = "signer", required = true)]
        signers: Vec<String>,
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        key: KeyChoice,
        #[command(flatten)]
        out: PayloadOut,
    },
    /// As a member of a multi-signed account: review and sign an `xrpl-multisign-request`;
    /// out comes this member's `xrpl-multisign-signature`.
    SignMultisig {
        #[command(flatten)]
        ks: KeystoreArgs,
        #[arg(long)]
        yes: bool,
        /// Sign again a Sequence this member signed before (after that one expired).
        #[arg(long)]
        replace: bool,
        #[command(flatten)]
        key: KeyChoice,
        #[command(flatten)]
        out: PayloadOut,
        /// UR part text or a CBOR file; `-` or nothing for stdin.
        input: Option<PathBuf>,
    },
}

/// Which of the account's keys signs.
#[derive(Args)]
pub struct KeyChoice {
    /// Sign with the account's regular key (the one the ledger last reported, kept in this
    /// keystore by `regular-key`) instead of the master key.
    #[arg(long)]
    pub(super) with_regular_key: bool,
}

/// Keystone's XRP exchange: a `bytes` UR holding one transaction's JSON (with SigningPubKey)
/// in, a `bytes` UR holding the signed blob out. Bounded, reviewed, key-checked and
/// journaled like every other signature.
fn sign_bytes_request(ks: &KeystoreArgs, input: Option<&Path>, yes: bool, key: &KeyChoice, out: &PayloadOut) -> Result<()> {
    let message = read_payload("bytes", input)?;
    // The journal's lock is held from here to the record: no other airsign signs meanwhile.
    let mut journal = open_journal(ks)?;
    let mut acct = load_state(ks)?;
    let prepared = offline::review_bytes_request(&acct, &message)?;
    eprintln!("Keystone-style request from the online side:\n{}", prepared.review.to_table());
    if !yes && !confirm_review(&prepared.review, "Sign this transaction?")? {
        bail!("not signed");
    }
    let keys = unlock(ks, &acct, key)?;
    let signed = offline::sign_reviewed(&mut acct, &keys, &prepared, &mut journal)?;
    save_state(ks, &acct)?;
    write_payload("bytes", &crate::envelope::wrap_bytes(&signed[0].blob), out)
}

/// Opens the keystore's journal, taking its lock (a clear error if another airsign has it).
pub(super) fn open_journal(ks: &KeystoreArgs) -> Result<Journal> {
    Ok(Journal::open(&journal_path(ks))?)
}

/// Asks before signing; with warnings in the review, only a typed "yes" signs.
pub(super) fn confirm_review(review: &offline::BatchReview, question: &str) -> Result<bool> {
    let warnings = review.warnings().count();
    if warnings == 0 {
        return confirm(question);
    }
    eprint!("The review above has {warnings} WARNING(S). {question} Type 'yes' to sign: ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}

pub fn run_account(cmd: AccountCommand) -> Result<()> {
    match cmd {
        AccountCommand::New { ks, key_type } => {
            let seed = Seed::random(key_type.map(KeyType::from).unwrap_or(KeyType::Secp256k1))?;
            let p = wallet_propose(&seed);
            create(&ks, &seed)?;
            eprintln!("Write these words down and keep them offline; they are shown once:\n  {}", p.master_key.as_str());
            println!("{}", p.account_id);
            Ok(())
        }
        AccountCommand::Restore { ks, key_type } => {
            let mut text = Zeroizing::new(String::new());
            std::io::stdin().lock().read_line(&mut text)?;
            let seed = Seed::parse(&text, key_type.map(KeyType::from))?;
            create(&ks, &seed)?;
            println!("{}", seed.key_pair().address());
            Ok(())
        }
        AccountCommand::List { keystore } => {
            for w in Keystore::open(&Keystore::locate(keystore.as_deref()))?.list()? {
                println!("{}\t{}\t{}", w.name, w.chain, w.public.get("address").and_then(|a| a.as_str()).unwrap_or("-"));
            }
            Ok(())
        }
        AccountCommand::Export { ks, out } => {
            let acct = load_state(&ks)?;
            write_payload(XrplAccountPayload::UR_TYPE, &offline::account_payload(&acct)?.to_cbor(), &out)
        }
        AccountCommand::ApplyState { ks, input } => {
            let state = XrplStatePayload::from_cbor(&read_payload(XrplStatePayload::UR_TYPE, input.as_deref())?)?;
            if !state.validated {
                eprintln!("warning: this state is not from a validated ledger; its Sequence may still change");
            }
            let mut journal = open_journal(&ks)?;
            let mut acct = load_state(&ks)?;
            let report = offline::report_of(&state);
            let unapplied = offline::reconcile(&mut acct, &report, &mut journal)?;
            save_state(&ks, &acct)?;
            println!("next Sequence {}, ledger {}, fee {} drops, balance {} drops", acct.next_sequence, acct.ledger_index, acct.fee_drops, state.balance_drops);
            for (hash, result) in &report.outcomes {
                println!("{hash} {result}");
            }
            if report.keys.is_some() {
                println!(
                    "keys in force: master key {}; regular key {}; signer list {}",
                    if acct.master_disabled { "DISABLED" } else { "enabled" },
                    acct.regular_key.as_deref().unwrap_or("none"),
                    acct.signer_list.as_ref().map(|l| l.describe()).unwrap_or_else(|| "none".into())
                );
            }
            if !unapplied.is_empty() {
                println!("signed here but not in the ledger (replace with a new fee and LastLedgerSequence): {unapplied:?}");
            }
            Ok(())
        }
        AccountCommand::SetFeeCap { ks, drops } => {
            let _journal = open_journal(&ks)?;
            let mut acct = load_state(&ks)?;
            if drops < 10 {
                bail!("a fee cap below 10 drops (the base fee) would refuse every transaction");
            }
            acct.max_fee_drops = drops;
            save_state(&ks, &acct)?;
            println!("fee cap for {}: {} drops per transaction", acct.address, drops);
            Ok(())
        }
        AccountCommand::Replace { ks, sequence, template, fee, yes, key, out } => {
            let template: Template = serde_json::from_slice(&read_input(Some(&template))?).context("the template must be one JSON object")?;
            let mut journal = open_journal(&ks)?;
            let acct = load_state(&ks)?;
            let prepared = offline::prepare_replacement(&acct, &template, sequence, fee, &journal)?;
            eprintln!("Replacement for Sequence {sequence}:\n{}", prepared.review.to_table());
            if !yes && !confirm_review(&prepared.review, "Sign this replacement?")? {
                bail!("not signed");
            }
            let keys = unlock(&ks, &acct, &key)?;
            // What was reviewed is what is signed; the account's state stays as it is.
            let signed = offline::sign_reviewed(&mut acct.clone(), &keys, &prepared, &mut journal)?;
            write_signed(&signed, &out)
        }
        AccountCommand::SignRequest { ks, yes, key, out, input } => {
            let req = XrplSignRequestPayload::from_cbor(&read_payload(XrplSignRequestPayload::UR_TYPE, input.as_deref())?)?;
            let mut journal = open_journal(&ks)?;
            let mut acct = load_state(&ks)?;
            let prepared = offline::review_request(&acct, &req.account, req.transactions.iter().map(|b| b.as_slice()), Some(&req.network))?;
            eprintln!("Sign request from the online side (it says ledger {}):\n{}", req.ledger_index, prepared.review.to_table());
            if !yes && !confirm_review(&prepared.review, "Sign these transactions?")? {
                bail!("not signed");
            }
            let keys = unlock(&ks, &acct, &key)?;
            let signed = offline::sign_reviewed(&mut acct, &keys, &prepared, &mut journal)?;
            save_state(&ks, &acct)?;
            write_signed(&signed, &out)
        }
        AccountCommand::SignBytes { ks, yes, key, out, input } => sign_bytes_request(&ks, input.as_deref(), yes, &key, &out),
        AccountCommand::RegularKey { ks, remove, yes, key, out } => super::xrpl_security::regular_key(&ks, remove, yes, key.with_regular_key, &out),
        AccountCommand::SignerList { ks, quorum, signers, yes, key, out } => super::xrpl_security::signer_list(&ks, quorum, &signers, yes, key.with_regular_key, &out),
        AccountCommand::SignMultisig { ks, yes, replace, key, out, input } => super::xrpl_security::sign_multisig(&ks, yes, replace, key.with_regular_key, input.as_deref(), &out),
        AccountCommand::SignBatch { ks, templates, yes, override_key_check, key, out } => {
            let templates: Vec<Template> = serde_json::from_slice(&read_input(Some(&templates))?).context("templates must be a JSON array of templates")?;
            let mut journal = open_journal(&ks)?;
            let mut acct = load_state(&ks)?;
            // Review before unlocking: what will be signed, in human terms.
            let prepared = offline::prepare_batch(&acct, &templates)?;
            eprintln!("Templates (next Sequence {}, ledger {}):\n{}", acct.next_sequence, acct.ledger_index, prepared.review.to_table());
            if !yes && !confirm_review(&prepared.review, "Sign these transactions?")? {
                bail!("not signed");
            }
            let keys = unlock(&ks, &acct, &key)?;
            let signed = if override_key_check {
                offline::sign_reviewed_unchecked(&mut acct, &keys, &prepared, &mut journal)?
            } else {
                offline::sign_reviewed(&mut acct, &keys, &prepared, &mut journal)?
            };
            save_state(&ks, &acct)?;
            write_signed(&signed, &out)
        }
    }
}

pub(super) fn write_signed(signed: &[offline::SignedTx], out: &PayloadOut) -> Result<()> {
    write_payload(XrplSignedPayload::UR_TYPE, &offline::signed_payload(signed).to_cbor(), out)
}

pub(super) fn keystore(ks: &KeystoreArgs) -> Result<Keystore> {
    Ok(Keystore::open(&Keystore::locate(ks.keystore.as_deref()))?)
}


pub(super) fn journal_path(ks: &KeystoreArgs) -> PathBuf {
    Keystore::locate(ks.keystore.as_deref()).join("journal.log")
}

fn create(ks: &KeystoreArgs, seed: &Seed) -> Result<()> {
    let store = keystore(ks)?;
    let passphrase = passphrase(true)?;
    let (info, secret) = offline::keystore_record(&ks.wallet, seed);
    store.create(info, &secret, &passphrase)?;
    save_state(ks, &XrplAccount::new(&seed.key_pair()))
}

fn unlock(ks: &KeystoreArgs, acct: &XrplAccount, key: &KeyChoice) -> Result<crate::chain::xrpl::keys::KeyPair> {
    let passphrase = passphrase(false)?;
    super::xrpl_security::signing_keys(ks, acct, key.with_regular_key, &passphrase)
}

/// AIRSIGN_PASSPHRASE (for automation), else a prompt without echo.
pub(super) fn passphrase(new: bool) -> Result<Zeroizing<String>> {
    if let Ok(p) = std::env::var("AIRSIGN_PASSPHRASE") {
        return Ok(Zeroizing::new(p));
    }
    let first = Zeroizing::new(rpassword::prompt_password("Keystore passphrase: ").context("cannot read the passphrase (no terminal? set AIRSIGN_PASSPHRASE)")?);
    if new {
        let again = Zeroizing::new(rpassword::prompt_password("Again: ")?);
        if first != again {
            bail!("the passphrases differ");
        }
    }
    Ok(first)
}

pub(super) fn confirm(question: &str) -> Result<bool> {
    eprint!("{question} [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

pub(super) fn load_state(ks: &KeystoreArgs) -> Result<XrplAccount> {
    offline::load_account(&Keystore::locate(ks.keystore.as_deref()), &ks.wallet).map_err(anyhow::Error::msg)
}

pub(super) fn save_state(ks: &KeystoreArgs, acct: &XrplAccount) -> Result<()> {
    offline::save_account(&Keystore::locate(ks.keystore.as_deref()), &ks.wallet, acct).map_err(anyhow::Error::msg)
}

/// A payload from UR part text (one part a line, any order, until complete) or a CBOR
/// file: UR text starts with `ur:`, which no CBOR payload of ours does.
pub(super) fn read_payload(ur_type: &str, input: Option<&Path>) -> Result<Vec<u8>> {
    let bytes = read_input(input)?;
    if !crate::transport::part::looks_like_ur(&bytes) {
        return Ok(bytes);
    }
    payload_from_ur_text(ur_type, &bytes)
}

/// The UR message in part text (one part a line, any order), or an error saying how far
/// it got.
pub(super) fn payload_from_ur_text(ur_type: &str, bytes: &[u8]) -> Result<Vec<u8>> {
    let mut decoder = UrDecoder::new(Some(ur_type));
    for line in String::from_utf8_lossy(bytes).lines().filter(|l| !l.trim().is_empty()) {
        if let Err(e) = decoder.receive(line) {
            eprintln!("skipped a part: {e}");
        }
        if let Some(m) = decoder.message() {
            return Ok(m.to_vec());
        }
    }
    bail!("the UR parts did not complete a '{ur_type}' payload ({})", progress_line(&decoder.progress()))
}

pub(super) fn write_payload(ur_type: &str, cbor: &[u8], out: &PayloadOut) -> Result<()> {
    if out.ur {
        print_ur(ur_type, cbor)?;
    }
    if let Some(path) = &out.out {
        std::fs::write(path, cbor).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// Prints a UR message as part text, one part a line: the single-part form, or twice seqLen
/// parts (fountain parts after the first seqLen) so a reader that misses some still completes.
pub(super) fn print_ur(ur_type: &str, cbor: &[u8]) -> Result<()> {
    let mut enc = UrEncoder::new(ur_type, cbor, crate::transport::demo::DEFAULT_MAX_FRAGMENT_LEN)?;
    let n = if enc.is_single_part() { 1 } else { 2 * enc.seq_len() };
    for p in enc.parts(n) {
        println!("{p}");
    }
    Ok(())
}

#[cfg(feature = "net")]
pub use online::{run_online, OnlineCommand};

#[cfg(feature = "net")]
mod online {
    use super::*;
    use crate::wallet::xrpl::{self as wallet, HttpTransport, RippledClient, SubmissionStore};
    use std::time::Duration;

    #[derive(Args)]
    pub struct Db {
        /// The online side's database (SQLite).
        #[arg(long)]
        db: PathBuf,
    }

    /// What `prepare` and `multisign-prepare` build from.
    #[derive(Args)]
    pub struct PrepareArgs {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        url: String,
        #[arg(long)]
        account: String,
        #[arg(long)]
        templates: PathBuf,
        /// Network name shown to the signer(s).
        #[arg(long, default_value = "mainnet")]
        network: String,
        /// Ledgers the transactions stay valid for (256 is about 15 minutes).
        #[arg(long, default_value_t = crate::signer::xrpl::DEFAULT_LEDGER_MARGIN)]
        margin: u32,
        #[command(flatten)]
        out: PayloadOut,
    }

    #[derive(Subcommand)]
    pub enum OnlineCommand {
        /// Watch the account in an `xrpl-account` payload.
        Watch {
            #[command(flatten)]
            db: Db,
            /// UR part text or a CBOR file; `-` or nothing for stdin.
            input: Option<PathBuf>,
        },
        /// Read the account from rippled and write the `xrpl-state` for the offline side.
        Sync {
            #[command(flatten)]
            db: Db,
            #[arg(long)]
            url: String,
            #[arg(long)]
            account: String,
            #[command(flatten)]
            out: PayloadOut,
        },
        /// Submit an `xrpl-signed` payload in groups of 10 and wait for final outcomes.
        Submit {
            #[command(flatten)]
            db: Db,
            #[arg(long)]
            url: String,
            /// Seconds to wait for outcomes.
            #[arg(long, default_value_t = 120)]
            timeout: u64,
            input: Option<PathBuf>,
        },
        /// Build unsigned transactions from templates with the ledger's Sequence, fee and
        /// ledger index, as an `xrpl-sign-request` for the offline side to review and sign.
        Prepare(PrepareArgs),
        /// Build transactions of a multi-signed account as an `xrpl-multisign-request` for
        /// its members: the validated Sequence and ledger, the fee for every listed signer
        /// (base fee x (1 + signers)), the signer list from the ledger.
        MultisignPrepare(PrepareArgs),
        /// Check the members' `xrpl-multisign-signature`s (any order) against the signer
        /// list, combine them once the quorum is met (Signers sorted as rippled requires),
        /// print tx_blob and hash as JSON, and with --submit submit and wait.
        MultisignCombine {
            #[command(flatten)]
            db: Db,
            /// The request (UR part text or a CBOR file), as prepared with this database.
            request: PathBuf,
            /// The members' signatures (UR part text or CBOR files).
            #[arg(required = true)]
            signatures: Vec<PathBuf>,
            #[arg(long, requires = "url")]
            submit: bool,
            #[arg(long)]
            url: Option<String>,
            /// Seconds to wait for outcomes.
            #[arg(long, default_value_t = 120)]
            timeout: u64,
        },
        /// Submissions and their outcomes.
        Status {
            #[command(flatten)]
            db: Db,
            #[arg(long)]
            account: String,
        },
    }

    pub fn run_online(cmd: OnlineCommand) -> Result<()> {
        match cmd {
            OnlineCommand::Watch { db, input } => {
                let p = XrplAccountPayload::from_cbor(&read_payload(XrplAccountPayload::UR_TYPE, input.as_deref())?)?;
                let derived = crate::chain::xrpl::address::encode_account_id(&crate::chain::xrpl::keys::account_id(&p.public_key));
                if derived != p.address {
                    eprintln!("note: {} is not this public key's own address: it signs as a regular key, or the payload is wrong", p.address);
                }
                SubmissionStore::open(&db.db)?.watch(&p.address, &p.public_key, &p.key_type)?;
                println!("watching {}", p.address);
                Ok(())
            }
            OnlineCommand::Sync { db, url, account, out } => {
                if let Some(w) = crate::wallet::insecure_endpoint(&url) {
                    eprintln!("{w}");
                }
                let client = RippledClient::new(HttpTransport::new(&url));
                let state = wallet::state_report(&client, &SubmissionStore::open(&db.db)?, &account)?;
                eprintln!(
                    "{}: Sequence {}, balance {} drops, ledger {} ({}), {} outcome(s)",
                    account,
                    state.sequence,
                    state.balance_drops,
                    state.ledger_index,
                    if state.validated { "validated" } else { "NOT validated" },
                    state.outcomes.len()
                );
                write_payload(XrplStatePayload::UR_TYPE, &state.to_cbor(), &out)
            }
            OnlineCommand::Submit { db, url, timeout, input } => {
                let p = XrplSignedPayload::from_cbor(&read_payload(XrplSignedPayload::UR_TYPE, input.as_deref())?)?;
                let store = SubmissionStore::open(&db.db)?;
                let mut accounts = std::collections::BTreeSet::new();
                for t in &p.transactions {
                    let tx = crate::chain::xrpl::codec::decode(&t.blob)?;
                    let account = tx.get("Account").and_then(|a| a.as_str()).context("a transaction without Account")?.to_owned();
                    store.add(&account, std::slice::from_ref(t))?;
                    accounts.insert(account);
                }
                if let Some(w) = crate::wallet::insecure_endpoint(&url) {
                    eprintln!("{w}");
                }
                let client = RippledClient::new(HttpTransport::new(&url));
                for account in accounts {
                    for s in wallet::submit_pending(&client, &store, &account, Duration::from_millis(500), Duration::from_secs(timeout))? {
                        println!("{} Sequence {} {} {}", s.hash, s.sequence, s.status, s.result);
                    }
                }
                Ok(())
            }
            OnlineCommand::Prepare(PrepareArgs { db, url, account, templates, network, margin, out }) => {
                let templates: Vec<Template> = serde_json::from_slice(&read_input(Some(&templates))?).context("templates must be a JSON array")?;
                let store = SubmissionStore::open(&db.db)?;
                let (public_key, key_type) = store.watched_key(&account)?.with_context(|| format!("{account} is not watched: scan its xrpl-account first"))?;
                if let Some(w) = crate::wallet::insecure_endpoint(&url) {
                    eprintln!("{w}");
                }
                let client = RippledClient::new(HttpTransport::new(&url));
                let info = client.account_info(&account, true)?;
                let acct = XrplAccount {
                    address: account.clone(),
                    key_type: KeyType::parse(&key_type).unwrap_or(KeyType::Secp256k1),
                    public_key: hex::encode_upper(&public_key),
                    next_sequence: info.sequence,
                    ledger_index: info.ledger_index,
                    fee_drops: client.fee_drops()?,
                    ledger_margin: margin,
                    ..XrplAccount::new_watch_only(&account)
                };
                let mut transactions = Vec::new();
                for (i, t) in templates.iter().enumerate() {
                    let mut tx = offline::build(&acct, t, acct.next_sequence + i as u32)?;
                    tx["SigningPubKey"] = serde_json::Value::String(acct.public_key.clone());
                    transactions.push(crate::chain::xrpl::codec::encode(&tx)?.into());
                }
                let req = XrplSignRequestPayload { version: VERSION, account, transactions, ledger_index: info.ledger_index, network };
                write_payload(XrplSignRequestPayload::UR_TYPE, &req.to_cbor(), &out)
            }
            OnlineCommand::MultisignPrepare(PrepareArgs { db, url, account, templates, network, margin, out }) => {
                super::super::xrpl_security::multisign_prepare(&db.db, &url, &account, &templates, &network, margin, &out)
            }
            OnlineCommand::MultisignCombine { db, request, signatures, submit, url, timeout } => {
                let submit = if submit { url.as_deref().map(|u| (u, timeout)) } else { None };
                super::super::xrpl_security::multisign_combine(&db.db, &request, &signatures, submit)
            }
            OnlineCommand::Status { db, account } => {
                for s in SubmissionStore::open(&db.db)?.all(&account)? {
                    println!("{} Sequence {} {} {}{}", s.hash, s.sequence, s.status, s.result, if s.reported { " (reported)" } else { "" });
                }
                Ok(())
            }
        }
    }
}
