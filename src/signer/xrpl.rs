//! An XRPL account as the offline machine tracks it (the tutorial's steps 5, 6 and 10):
//! next Sequence, last known ledger index, fee; transactions built from templates with every
//! field filled; batches signed with consecutive Sequences, each recorded in the journal
//! before it is returned; and reconciliation with what the online side reports.

use super::journal::{Journal, JournalError, SpendMarker};
use crate::chain::xrpl::definitions::definitions;
use crate::chain::xrpl::keys::{KeyPair, KeyType};
use crate::chain::xrpl::sign::{self, SignError, TF_FULLY_CANONICAL_SIG};
use crate::chain::xrpl::codec;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// About 15 minutes of ledgers: time to carry the QR codes to the online machine and back.
pub const DEFAULT_LEDGER_MARGIN: u32 = 256;
/// What rippled charges for AccountDelete: the owner reserve increment (0.2 XRP since 2024).
pub const DEFAULT_ACCOUNT_DELETE_FEE: u64 = 200_000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct XrplAccount {
    pub address: String,
    pub key_type: KeyType,
    pub public_key: String,
    /// The Sequence the next transaction uses.
    pub next_sequence: u32,
    /// The latest ledger index the online side reported.
    pub ledger_index: u32,
    pub fee_drops: u64,
    pub account_delete_fee_drops: u64,
    pub ledger_margin: u32,
    /// A regular key registered for this account (its address), accepted for signing.
    pub regular_key: Option<String>,
    /// Balance in drops as last reported (informational).
    pub balance_drops: Option<u64>,
    /// NetworkID for networks that require it (> 1024); None on mainnet/testnet/devnet.
    pub network_id: Option<u32>,
}

impl XrplAccount {
    pub fn new(keys: &KeyPair) -> Self {
        let address = keys.address();
        Self { key_type: keys.key_type(), public_key: hex::encode_upper(keys.public_key()), ..Self::new_watch_only(&address) }
    }
}

impl XrplAccount {
    /// The online side's view of an account (no keys): for building sign requests.
    pub fn new_watch_only(address: &str) -> Self {
        Self {
            address: address.to_owned(),
            key_type: KeyType::Secp256k1,
            public_key: String::new(),
            next_sequence: 0,
            ledger_index: 0,
            fee_drops: 12,
            account_delete_fee_drops: DEFAULT_ACCOUNT_DELETE_FEE,
            ledger_margin: DEFAULT_LEDGER_MARGIN,
            regular_key: None,
            balance_drops: None,
            network_id: None,
        }
    }
}

/// What users sign most, as the tutorial lists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "template", rename_all = "PascalCase")]
pub enum Template {
    /// XRP (drops as a string) or an issued currency ({currency, issuer, value}) with SendMax.
    Payment {
        destination: String,
        amount: Value,
        #[serde(default)]
        send_max: Option<Value>,
        #[serde(default)]
        destination_tag: Option<u32>,
        /// Memo texts (UTF-8), carried as MemoData.
        #[serde(default)]
        memos: Vec<String>,
    },
    /// asf flags by name (asfRequireDest, asfRequireAuth, asfDisallowXRP, asfDepositAuth...).
    AccountSet {
        #[serde(default)]
        set_flag: Option<String>,
        #[serde(default)]
        clear_flag: Option<String>,
        #[serde(default)]
        transfer_rate: Option<u32>,
        #[serde(default)]
        domain: Option<String>,
    },
    /// None removes the regular key.
    SetRegularKey {
        #[serde(default)]
        regular_key: Option<String>,
    },
    SignerListSet { quorum: u32, signers: Vec<(String, u16)> },
    TrustSet { limit: Value },
    AccountDelete {
        destination: String,
        #[serde(default)]
        destination_tag: Option<u32>,
    },
    TicketCreate { count: u32 },
}

#[derive(Debug, thiserror::Error)]
pub enum SignerError {
    #[error("this key ({key}) is neither the master key of {account} nor its registered regular key")]
    WrongKey { key: String, account: String },
    #[error("unknown AccountSet flag '{0}'")]
    UnknownFlag(String),
    #[error("the account's next Sequence is unknown: apply an xrpl-state from the online side first")]
    NoSequence,
    #[error(transparent)]
    Sign(#[from] SignError),
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("a batch must hold 1 to {0} transactions")]
    BatchSize(usize),
    #[error("the payload is for account {found}, this is {expected}")]
    OtherAccount { expected: String, found: String },
    #[error("a requested transaction does not carry this account's public key")]
    RequestKey,
    #[error("a requested transaction lacks Sequence or LastLedgerSequence, or is already signed")]
    RequestIncomplete,
}

/// A signed transaction, as `xrpl-signed` carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedTx {
    pub blob: Vec<u8>,
    pub hash: String,
    pub sequence: u32,
    pub last_ledger_sequence: u32,
}

/// The unsigned transaction for a template at `sequence`, every field filled.
pub fn build(account: &XrplAccount, template: &Template, sequence: u32) -> Result<Value, SignerError> {
    let mut tx = Map::new();
    let mut flags = TF_FULLY_CANONICAL_SIG;
    let mut fee = account.fee_drops;
    let kind = match template {
        Template::Payment { destination, amount, send_max, destination_tag, memos } => {
            tx.insert("Destination".into(), json!(destination));
            tx.insert("Amount".into(), amount.clone());
            if let Some(s) = send_max {
                tx.insert("SendMax".into(), s.clone());
            }
            if let Some(t) = destination_tag {
                tx.insert("DestinationTag".into(), json!(t));
            }
            if !memos.is_empty() {
                let m: Vec<Value> = memos.iter().map(|t| json!({"Memo": {"MemoData": hex::encode_upper(t.as_bytes())}})).collect();
                tx.insert("Memos".into(), Value::Array(m));
            }
            "Payment"
        }
        Template::AccountSet { set_flag, clear_flag, transfer_rate, domain } => {
            let flag = |n: &String| definitions().account_set_flag(n).ok_or_else(|| SignerError::UnknownFlag(n.clone()));
            if let Some(f) = set_flag {
                tx.insert("SetFlag".into(), json!(flag(f)?));
            }
            if let Some(f) = clear_flag {
                tx.insert("ClearFlag".into(), json!(flag(f)?));
            }
            if let Some(r) = transfer_rate {
                tx.insert("TransferRate".into(), json!(r));
            }
            if let Some(d) = domain {
                tx.insert("Domain".into(), json!(hex::encode_upper(d.to_ascii_lowercase().as_bytes())));
            }
            "AccountSet"
        }
        Template::SetRegularKey { regular_key } => {
            if let Some(k) = regular_key {
                tx.insert("RegularKey".into(), json!(k));
            }
            "SetRegularKey"
        }
        Template::SignerListSet { quorum, signers } => {
            tx.insert("SignerQuorum".into(), json!(quorum));
            let entries: Vec<Value> = signers.iter().map(|(a, w)| json!({"SignerEntry": {"Account": a, "SignerWeight": w}})).collect();
            if !entries.is_empty() {
                tx.insert("SignerEntries".into(), Value::Array(entries));
            }
            "SignerListSet"
        }
        Template::TrustSet { limit } => {
            tx.insert("LimitAmount".into(), limit.clone());
            flags |= 0x0002_0000; // tfSetNoRipple, as wallets default
            "TrustSet"
        }
        Template::AccountDelete { destination, destination_tag } => {
            tx.insert("Destination".into(), json!(destination));
            if let Some(t) = destination_tag {
                tx.insert("DestinationTag".into(), json!(t));
            }
            fee = account.account_delete_fee_drops;
            "AccountDelete"
        }
        Template::TicketCreate { count } => {
            tx.insert("TicketCount".into(), json!(count));
            "TicketCreate"
        }
    };
    tx.insert("TransactionType".into(), json!(kind));
    tx.insert("Account".into(), json!(account.address));
    tx.insert("Fee".into(), json!(fee.to_string()));
    tx.insert("Sequence".into(), json!(sequence));
    tx.insert("Flags".into(), json!(flags));
    tx.insert("LastLedgerSequence".into(), json!(account.ledger_index.saturating_add(account.ledger_margin)));
    if let Some(n) = account.network_id {
        tx.insert("NetworkID".into(), json!(n));
    }
    Ok(Value::Object(tx))
}

/// Whether `keys` may sign for `account`: its master key or its registered regular key.
pub fn check_key(account: &XrplAccount, keys: &KeyPair) -> Result<(), SignerError> {
    let key = keys.address();
    if key == account.address || account.regular_key.as_deref() == Some(key.as_str()) {
        return Ok(());
    }
    Err(SignerError::WrongKey { key, account: account.address.clone() })
}

/// Signs a batch with consecutive Sequences from the account's next one. All-or-nothing:
/// every transaction is checked against the journal first, then each is recorded (fsynced)
/// and the account's next Sequence advances.
pub fn sign_batch(
    account: &mut XrplAccount,
    keys: &KeyPair,
    templates: &[Template],
    journal: &mut Journal,
    override_key_check: bool,
) -> Result<Vec<SignedTx>, SignerError> {
    if templates.is_empty() || templates.len() > 1000 {
        return Err(SignerError::BatchSize(1000));
    }
    if !override_key_check {
        check_key(account, keys)?;
    }
    if account.next_sequence == 0 {
        return Err(SignerError::NoSequence);
    }
    let mut signed = Vec::with_capacity(templates.len());
    for (i, t) in templates.iter().enumerate() {
        let sequence = account.next_sequence + i as u32;
        let tx = build(account, t, sequence)?;
        signed.push(sign_one(&tx, keys, sequence)?);
    }
    journal_all(account, &signed, journal)?;
    account.next_sequence += templates.len() as u32;
    Ok(signed)
}

/// Signs a replacement for a Sequence already signed (after `tefMAX_LEDGER` or expiry),
/// with a fresh LastLedgerSequence and, if given, a higher fee. Recorded as a replacement.
pub fn sign_replacement(
    account: &XrplAccount,
    keys: &KeyPair,
    template: &Template,
    sequence: u32,
    fee_drops: Option<u64>,
    journal: &mut Journal,
) -> Result<SignedTx, SignerError> {
    check_key(account, keys)?;
    let mut acct = account.clone();
    if let Some(f) = fee_drops {
        acct.fee_drops = f;
    }
    let tx = build(&acct, template, sequence)?;
    let s = sign_one(&tx, keys, sequence)?;
    journal.record_signed(&[marker(account, sequence)], &s.hash, true)?;
    Ok(s)
}

/// Checks an online-built request before review: every transaction decodes, is from this
/// account, carries this account's key and a LastLedgerSequence. Returns (JSON, Sequence)
/// for display and signing.
pub fn review_request<'a>(account: &XrplAccount, request_account: &str, blobs: impl Iterator<Item = &'a [u8]>) -> Result<Vec<(Value, u32)>, SignerError> {
    if request_account != account.address {
        return Err(SignerError::OtherAccount { expected: account.address.clone(), found: request_account.to_owned() });
    }
    let mut out = Vec::new();
    for blob in blobs {
        let tx = codec::decode(blob).map_err(SignError::Codec)?;
        let field = |k: &str| tx.get(k).cloned().unwrap_or(Value::Null);
        if field("Account") != json!(account.address) {
            return Err(SignerError::OtherAccount { expected: account.address.clone(), found: field("Account").to_string() });
        }
        if !field("SigningPubKey").as_str().is_some_and(|k| k.eq_ignore_ascii_case(&account.public_key)) {
            return Err(SignerError::RequestKey);
        }
        if tx.get("LastLedgerSequence").is_none() || tx.get("TxnSignature").is_some() || tx.get("Signers").is_some() {
            return Err(SignerError::RequestIncomplete);
        }
        let sequence = field("Sequence").as_u64().ok_or(SignerError::RequestIncomplete)? as u32;
        out.push((tx, sequence));
    }
    if out.is_empty() {
        return Err(SignerError::BatchSize(1000));
    }
    Ok(out)
}

/// Signs reviewed transactions: all checked against the journal first, then recorded.
pub fn sign_reviewed(account: &XrplAccount, keys: &KeyPair, txs: &[(Value, u32)], journal: &mut Journal) -> Result<Vec<SignedTx>, SignerError> {
    check_key(account, keys)?;
    let mut signed = Vec::new();
    for (tx, sequence) in txs {
        let mut tx = tx.clone();
        if let Some(o) = tx.as_object_mut() {
            o.remove("SigningPubKey");
        }
        signed.push(sign_one(&tx, keys, *sequence)?);
    }
    journal_all(account, &signed, journal)?;
    Ok(signed)
}

/// All-or-nothing: every Sequence is checked against the journal before any is recorded.
fn journal_all(account: &XrplAccount, signed: &[SignedTx], journal: &mut Journal) -> Result<(), SignerError> {
    for s in signed {
        journal.check(&[marker(account, s.sequence)], &s.hash)?;
    }
    for s in signed {
        journal.record_signed(&[marker(account, s.sequence)], &s.hash, false)?;
    }
    Ok(())
}

fn sign_one(tx: &Value, keys: &KeyPair, sequence: u32) -> Result<SignedTx, SignerError> {
    let out = sign::sign(tx, keys)?;
    let blob = hex::decode(&out.tx_blob).map_err(|_| SignError::Signing)?;
    let lls = tx.get("LastLedgerSequence").and_then(Value::as_u64).unwrap_or(0) as u32;
    Ok(SignedTx { blob, hash: out.hash, sequence, last_ledger_sequence: lls })
}

pub fn marker(account: &XrplAccount, sequence: u32) -> SpendMarker {
    SpendMarker::Xrpl { account: account.address.clone(), sequence }
}

/// What the online side reports (the `xrpl-state` payload's content).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountReport {
    pub account: String,
    /// The account's Sequence in the latest validated ledger: the next one to use.
    pub sequence: u32,
    pub ledger_index: u32,
    pub balance_drops: u64,
    pub fee_drops: u64,
    /// Final or current outcomes of submitted hashes: (hash, result code or "expired").
    pub outcomes: Vec<(String, String)>,
}

/// Reconciles (tutorial step 10): Sequence and ledger index from the validated ledger, fee
/// and balance, and each reported outcome into the journal. Returns the Sequences signed
/// here that did not make it into the ledger (to replace).
pub fn reconcile(account: &mut XrplAccount, report: &AccountReport, journal: &mut Journal) -> Result<Vec<u32>, SignerError> {
    if report.account != account.address {
        return Err(SignerError::OtherAccount { expected: account.address.clone(), found: report.account.clone() });
    }
    for (hash, result) in &report.outcomes {
        journal.record_outcome(hash, result)?;
    }
    let unapplied: Vec<u32> = (report.sequence..account.next_sequence.max(report.sequence)).collect();
    account.next_sequence = report.sequence;
    account.ledger_index = report.ledger_index;
    account.fee_drops = report.fee_drops.max(10);
    account.balance_drops = Some(report.balance_drops);
    Ok(unapplied)
}

/// Human terms for the review screen: one line per transaction.
pub fn describe(blob: &[u8]) -> String {
    let Ok(tx) = codec::decode(blob) else { return "undecodable transaction".into() };
    let get = |k: &str| tx.get(k).cloned().unwrap_or(Value::Null);
    let amount = |v: Value| match v {
        Value::String(d) => format!("{} XRP", drops_to_xrp(&d)),
        Value::Object(o) => format!("{} {} (issuer {})", o.get("value").and_then(Value::as_str).unwrap_or("?"), o.get("currency").and_then(Value::as_str).unwrap_or("?"), o.get("issuer").and_then(Value::as_str).unwrap_or("?")),
        _ => "?".into(),
    };
    let kind = get("TransactionType");
    let mut line = format!(
        "#{} {}",
        get("Sequence"),
        kind.as_str().unwrap_or("?")
    );
    if kind == "Payment" {
        line += &format!(" {} to {}", amount(get("Amount")), get("Destination").as_str().unwrap_or("?"));
        if let Some(t) = tx.get("DestinationTag") {
            line += &format!(" tag {t}");
        }
    }
    line += &format!(", fee {} XRP, valid until ledger {}", drops_to_xrp(get("Fee").as_str().unwrap_or("0")), get("LastLedgerSequence"));
    line
}

/// One line for the top of a review: how many transactions, the XRP they pay and to how
/// many addresses, issued-currency payments counted apart, and the fees.
pub fn summarize<'a>(blobs: impl IntoIterator<Item = &'a [u8]>) -> String {
    let (mut count, mut xrp, mut issued, mut fees, mut undecodable) = (0usize, 0u64, 0usize, 0u64, 0usize);
    let mut to = std::collections::BTreeSet::new();
    for blob in blobs {
        count += 1;
        let Ok(tx) = codec::decode(blob) else {
            undecodable += 1;
            continue;
        };
        let drops = |v: Option<&Value>| v.and_then(Value::as_str).and_then(|d| d.parse::<u64>().ok());
        fees = fees.saturating_add(drops(tx.get("Fee")).unwrap_or(0));
        if tx.get("TransactionType").and_then(Value::as_str) == Some("Payment") {
            if let Some(d) = tx.get("Destination").and_then(Value::as_str) {
                to.insert(d.to_owned());
            }
            match drops(tx.get("Amount")) {
                Some(d) => xrp = xrp.saturating_add(d),
                None => issued += 1,
            }
        }
    }
    let mut line = format!("{count} transaction(s): {} XRP to {} address(es)", drops_to_xrp(&xrp.to_string()), to.len());
    if issued > 0 {
        line += &format!(", plus {issued} issued-currency payment(s)");
    }
    line += &format!(", fees {} XRP", drops_to_xrp(&fees.to_string()));
    if undecodable > 0 {
        line += &format!(", {undecodable} UNDECODABLE");
    }
    line
}

fn drops_to_xrp(drops: &str) -> String {
    let d: u64 = drops.parse().unwrap_or(0);
    let s = format!("{}.{:06}", d / 1_000_000, d % 1_000_000);
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The `xrpl-signed` payload for signed transactions.
pub fn signed_payload(signed: &[SignedTx]) -> crate::envelope::xrpl::XrplSignedPayload {
    crate::envelope::xrpl::XrplSignedPayload {
        version: crate::envelope::xrpl::VERSION,
        transactions: signed
            .iter()
            .map(|s| crate::envelope::xrpl::SignedEntry { blob: s.blob.clone(), hash: hex::decode(&s.hash).unwrap_or_default(), sequence: s.sequence, last_ledger_sequence: s.last_ledger_sequence })
            .collect(),
    }
}

/// What an `xrpl-state` payload tells the offline account.
pub fn report_of(state: &crate::envelope::xrpl::XrplStatePayload) -> AccountReport {
    AccountReport {
        account: state.account.clone(),
        sequence: state.sequence,
        ledger_index: state.ledger_index,
        balance_drops: state.balance_drops,
        fee_drops: state.fee_drops,
        outcomes: state.outcomes.iter().map(|o| (hex::encode_upper(&o.hash), o.result.clone())).collect(),
    }
}

/// The `xrpl-account` payload the online side watches.
pub fn account_payload(account: &XrplAccount) -> Result<crate::envelope::xrpl::XrplAccountPayload, hex::FromHexError> {
    Ok(crate::envelope::xrpl::XrplAccountPayload {
        version: crate::envelope::xrpl::VERSION,
        address: account.address.clone(),
        public_key: hex::decode(&account.public_key)?,
        key_type: account.key_type.name().into(),
    })
}

/// Where the keystore keeps an XRPL account's public state (Sequence, ledger, fee): beside
/// the encrypted key file, as JSON (nothing secret).
pub fn state_path(keystore_dir: &std::path::Path, wallet: &str) -> std::path::PathBuf {
    keystore_dir.join(format!("{wallet}.xrpl-account.json"))
}

pub fn load_account(keystore_dir: &std::path::Path, wallet: &str) -> Result<XrplAccount, String> {
    let path = state_path(keystore_dir, wallet);
    let text = std::fs::read(&path).map_err(|e| format!("no XRPL account '{wallet}' (looked for {}): {e}", path.display()))?;
    serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn save_account(keystore_dir: &std::path::Path, wallet: &str, account: &XrplAccount) -> Result<(), String> {
    let json = serde_json::to_vec_pretty(account).map_err(|e| e.to_string())?;
    crate::keystore::write_durably(&state_path(keystore_dir, wallet), &json).map_err(|e| e.to_string())
}

/// The keystore record of an XRPL wallet: the public part (address, public key, key type)
/// and the secret, the seed's entropy followed by the key type (0 secp256k1, 1 ed25519),
/// which [`keys_from_secret`] reads back.
pub fn keystore_record(name: &str, seed: &crate::chain::xrpl::keys::Seed) -> (crate::keystore::WalletInfo, zeroize::Zeroizing<Vec<u8>>) {
    let keys = seed.key_pair();
    let public = serde_json::json!({ "address": keys.address(), "public_key": hex::encode_upper(keys.public_key()), "key_type": seed.key_type().name() });
    let mut secret = zeroize::Zeroizing::new(seed.entropy().to_vec());
    secret.push(match seed.key_type() {
        KeyType::Secp256k1 => 0,
        KeyType::Ed25519 => 1,
    });
    (crate::keystore::WalletInfo { name: name.to_owned(), chain: "xrpl".into(), public }, secret)
}

/// The key pair stored in the keystore for an XRPL wallet: 16 bytes of entropy and a
/// key-type byte (0 secp256k1, 1 Ed25519).
pub fn keys_from_secret(secret: &[u8]) -> Option<KeyPair> {
    if secret.len() != 17 {
        return None;
    }
    let mut entropy = zeroize::Zeroizing::new([0u8; 16]);
    entropy.copy_from_slice(&secret[..16]);
    let key_type = if secret[16] == 1 { KeyType::Ed25519 } else { KeyType::Secp256k1 };
    Some(crate::chain::xrpl::keys::Seed::from_entropy(*entropy, key_type).key_pair())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::xrpl::keys::Seed;

    fn setup(tag: &str) -> (XrplAccount, KeyPair, Journal) {
        let keys = Seed::parse("shYHSiJod8CLPTj1SNJ2PdUFj4pFk", None).unwrap().key_pair();
        let mut acct = XrplAccount::new(&keys);
        acct.next_sequence = 7;
        acct.ledger_index = 1000;
        let path = std::env::temp_dir().join(format!("airsign-xrpl-signer-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        (acct, keys, Journal::open(&path).unwrap())
    }

    fn pay(n: u64) -> Template {
        Template::Payment { destination: "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn".into(), amount: json!(n.to_string()), send_max: None, destination_tag: Some(9), memos: vec!["rent".into()] }
    }

    #[test]
    fn batch_has_consecutive_sequences_and_every_field() {
        let (mut acct, keys, mut j) = setup("batch");
        let set = Template::AccountSet { set_flag: Some("asfRequireDest".into()), clear_flag: None, transfer_rate: None, domain: Some("Example.COM".into()) };
        let out = sign_batch(&mut acct, &keys, &[pay(1_000_000), pay(2), set], &mut j, false).unwrap();
        assert_eq!(out.iter().map(|s| s.sequence).collect::<Vec<_>>(), vec![7, 8, 9]);
        assert_eq!(acct.next_sequence, 10);
        let tx = codec::decode(&out[2].blob).unwrap();
        assert_eq!(tx["SetFlag"], json!(1));
        assert_eq!(tx["Domain"], json!(hex::encode_upper("example.com")));
        assert_eq!(tx["LastLedgerSequence"], json!(1256));
        assert_eq!(tx["Fee"], json!("12"));
        assert_eq!(tx["Flags"], json!(TF_FULLY_CANONICAL_SIG));
        assert!(matches!(sign::verify_blob(&out[0].blob).unwrap(), sign::Verification::SingleValid { .. }));
        assert_eq!(describe(&out[0].blob), "#7 Payment 1 XRP to rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn tag 9, fee 0.000012 XRP, valid until ledger 1256");
    }

    #[test]
    fn the_review_summary_adds_up_payments_and_fees() {
        let (mut acct, keys, mut j) = setup("summary");
        let set = Template::AccountSet { set_flag: Some("asfRequireDest".into()), clear_flag: None, transfer_rate: None, domain: None };
        let other = Template::Payment { destination: "rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe".into(), amount: json!("250000"), send_max: None, destination_tag: None, memos: vec![] };
        let usd = Template::Payment {
            destination: "rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe".into(),
            amount: json!({"currency": "USD", "issuer": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", "value": "5"}),
            send_max: Some(json!({"currency": "USD", "issuer": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", "value": "5.1"})),
            destination_tag: None,
            memos: vec![],
        };
        let out = sign_batch(&mut acct, &keys, &[pay(1_000_000), pay(2), other, usd, set], &mut j, false).unwrap();
        assert_eq!(summarize(out.iter().map(|s| s.blob.as_slice())), "5 transaction(s): 1.250002 XRP to 2 address(es), plus 1 issued-currency payment(s), fees 0.00006 XRP");
        assert!(summarize([&[0xFFu8][..]]).ends_with("1 UNDECODABLE"));
    }

    #[test]
    fn a_sequence_is_not_signed_twice_without_replace() {
        let (mut acct, keys, mut j) = setup("twice");
        sign_batch(&mut acct, &keys, &[pay(5)], &mut j, false).unwrap();
        // The online side reports nothing applied: Sequence 7 is still next.
        acct.next_sequence = 7;
        assert!(matches!(sign_batch(&mut acct, &keys, &[pay(6)], &mut j, false), Err(SignerError::Journal(JournalError::AlreadySigned { .. }))));
        assert_eq!(acct.next_sequence, 7, "a refused batch changes nothing");
        let r = sign_replacement(&acct, &keys, &pay(6), 7, Some(50), &mut j).unwrap();
        assert_eq!(codec::decode(&r.blob).unwrap()["Fee"], json!("50"));
    }

    #[test]
    fn wrong_key_is_refused_unless_overridden() {
        let (mut acct, _, mut j) = setup("key");
        let other = Seed::parse("sn3nxiW7v8KXzPzAqzyHXbSSKNuN9", None).unwrap().key_pair();
        assert!(matches!(sign_batch(&mut acct, &other, &[pay(1)], &mut j, false), Err(SignerError::WrongKey { .. })));
        acct.regular_key = Some(other.address());
        assert!(sign_batch(&mut acct, &other, &[pay(1)], &mut j, false).is_ok());
    }

    #[test]
    fn reconcile_sets_sequence_and_reports_unapplied() {
        let (mut acct, keys, mut j) = setup("reconcile");
        let out = sign_batch(&mut acct, &keys, &[pay(1), pay(2), pay(3)], &mut j, false).unwrap();
        let report = AccountReport {
            account: acct.address.clone(),
            sequence: 9,
            ledger_index: 2000,
            balance_drops: 5,
            fee_drops: 15,
            outcomes: vec![(out[0].hash.clone(), "tesSUCCESS".into()), (out[1].hash.clone(), "tesSUCCESS".into()), (out[2].hash.clone(), "expired".into())],
        };
        assert_eq!(reconcile(&mut acct, &report, &mut j).unwrap(), vec![9]);
        assert_eq!((acct.next_sequence, acct.ledger_index, acct.fee_drops), (9, 2000, 15));
    }
}
