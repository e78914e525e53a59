//! An XRPL account as the offline machine tracks it (the tutorial's steps 5, 6 and 10):
//! next Sequence, last known ledger index, fee; transactions built from templates with every
//! field filled; batches signed with consecutive Sequences, each recorded in the journal
//! before it is returned; and reconciliation with what the online side reports.

pub mod bounds;
pub mod multisig;
pub mod review;

pub use bounds::BoundsError;
pub use multisig::{Membership, MultisigError, SignerEntry, SignerList};
pub use review::{BatchReview, ReviewRefusal, TxReview};

use super::journal::{Journal, JournalError, SpendMarker};
use crate::chain::xrpl::definitions::definitions;
use crate::chain::xrpl::keys::{KeyPair, KeyType};
use crate::chain::xrpl::sign::{self, SignError, TF_FULLY_CANONICAL_SIG};
use crate::chain::xrpl::{codec, u32_field};
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
    /// The most a transaction's Fee may be, in drops; changed only on the offline machine.
    #[serde(default = "default_max_fee")]
    pub max_fee_drops: u64,
    /// The validated Sequence the online side last reported (it never goes back).
    #[serde(default)]
    pub reported_sequence: u32,
    /// When (Unix seconds, offline clock) the last state was applied: bounds how far the
    /// next report may move the ledger index.
    #[serde(default)]
    pub state_applied_at: u64,
    /// The account's unused tickets as last reported (TicketCreate).
    #[serde(default)]
    pub tickets: Vec<u32>,
    /// Whether the ledger has the master key disabled (as last reported): the master key
    /// is then refused, only the regular key signs.
    #[serde(default)]
    pub master_disabled: bool,
    /// The account's own signer list as the ledger last reported it.
    #[serde(default)]
    pub signer_list: Option<SignerList>,
    /// Multi-signed accounts this account signs for as a member.
    #[serde(default)]
    pub memberships: Vec<Membership>,
}

fn default_max_fee() -> u64 {
    bounds::DEFAULT_MAX_FEE_DROPS
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
            max_fee_drops: bounds::DEFAULT_MAX_FEE_DROPS,
            reported_sequence: 0,
            state_applied_at: 0,
            tickets: Vec::new(),
            master_disabled: false,
            signer_list: None,
            memberships: Vec::new(),
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
    #[error(transparent)]
    Bounds(#[from] BoundsError),
    #[error(transparent)]
    Review(#[from] ReviewRefusal),
    #[error(transparent)]
    Multisig(#[from] MultisigError),
    #[error("the Keystone-style request is not one transaction's JSON in a bytes UR: {0}")]
    BytesRequest(String),
    #[error("the ledger has the master key of {0} disabled (as last reported): sign with its regular key (on the CLI: --with-regular-key)")]
    MasterDisabled(String),
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

/// Whether `keys` may sign for `account`: its master key (unless the ledger has it
/// disabled) or the regular key the ledger last reported.
pub fn check_key(account: &XrplAccount, keys: &KeyPair) -> Result<(), SignerError> {
    let key = keys.address();
    if key == account.address {
        return if account.master_disabled { Err(SignerError::MasterDisabled(account.address.clone())) } else { Ok(()) };
    }
    if account.regular_key.as_deref() == Some(key.as_str()) {
        return Ok(());
    }
    Err(SignerError::WrongKey { key, account: account.address.clone() })
}

/// The most transactions one batch or request may hold.
pub const MAX_BATCH: usize = 1000;

/// Transactions checked and described, ready to sign: exactly what the review showed is
/// what gets signed (nothing is rebuilt in between).
#[derive(Clone, Debug)]
pub struct Prepared {
    pub review: BatchReview,
    txs: Vec<Value>,
    /// A replacement of an already-signed Sequence (recorded as such in the journal).
    replace: bool,
}

impl Prepared {
    pub fn transactions(&self) -> &[Value] {
        &self.txs
    }

    /// A replacement of a Sequence signed before (the account's state does not move).
    pub fn is_replacement(&self) -> bool {
        self.replace
    }
}

fn prepare(account: &XrplAccount, txs: Vec<Value>, first_sequence: u32, claim: Option<&str>, replace: bool) -> Result<Prepared, SignerError> {
    if txs.is_empty() || txs.len() > MAX_BATCH {
        return Err(SignerError::BatchSize(MAX_BATCH));
    }
    bounds::check_transactions(account, &txs, first_sequence, super::now())?;
    multisig::check_key_changes(account, &txs)?;
    let review = review::review_transactions(account, &txs, claim)?;
    Ok(Prepared { review, txs, replace })
}

/// Builds transactions from templates at consecutive Sequences from the account's next
/// one, every field filled, bounded and reviewed.
pub fn prepare_batch(account: &XrplAccount, templates: &[Template]) -> Result<Prepared, SignerError> {
    if account.next_sequence == 0 {
        return Err(SignerError::NoSequence);
    }
    if account.ledger_margin > bounds::MAX_LEDGER_MARGIN {
        return Err(BoundsError::Margin { found: account.ledger_margin }.into());
    }
    if templates.is_empty() || templates.len() > MAX_BATCH {
        return Err(SignerError::BatchSize(MAX_BATCH));
    }
    let txs = templates.iter().enumerate().map(|(i, t)| build(account, t, account.next_sequence + i as u32)).collect::<Result<Vec<_>, _>>()?;
    prepare(account, txs, account.next_sequence, None, false)
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
    if !override_key_check {
        check_key(account, keys)?;
    }
    let prepared = prepare_batch(account, templates)?;
    sign_all(account, keys, &prepared, journal)
}

/// A replacement for a Sequence already signed here and not yet in the ledger (after
/// `tefMAX_LEDGER` or expiry), with a fresh LastLedgerSequence and, if given, another fee.
pub fn prepare_replacement(account: &XrplAccount, template: &Template, sequence: u32, fee_drops: Option<u64>, journal: &Journal) -> Result<Prepared, SignerError> {
    let refuse = |why| SignerError::Bounds(BoundsError::Replacement { sequence, why });
    if account.next_sequence == 0 {
        return Err(SignerError::NoSequence);
    }
    if sequence < account.next_sequence {
        return Err(refuse("the ledger has already used it (the account's next Sequence is higher)"));
    }
    if journal.signed_hash(&marker(account, sequence)).is_none() {
        return Err(refuse("nothing was signed for it here; sign it as a new transaction instead"));
    }
    let mut acct = account.clone();
    if let Some(f) = fee_drops {
        acct.fee_drops = f;
    }
    let tx = build(&acct, template, sequence)?;
    prepare(account, vec![tx], sequence, None, true)
}

/// Signs a replacement (see [`prepare_replacement`]) with the master or regular key;
/// recorded as a replacement. The account's state does not change: the Sequence was already
/// counted when it was first signed.
pub fn sign_replacement(
    account: &XrplAccount,
    keys: &KeyPair,
    template: &Template,
    sequence: u32,
    fee_drops: Option<u64>,
    journal: &mut Journal,
) -> Result<SignedTx, SignerError> {
    let prepared = prepare_replacement(account, template, sequence, fee_drops, journal)?;
    let mut s = sign_reviewed(&mut account.clone(), keys, &prepared, journal)?;
    s.pop().ok_or(SignerError::BatchSize(MAX_BATCH))
}

/// Checks an online-built request before review: every transaction decodes, is from this
/// account, carries this account's key and a LastLedgerSequence, and stays within the
/// bounds (Sequence, LastLedgerSequence, Fee, NetworkID); then reviews it.
pub fn review_request<'a>(account: &XrplAccount, request_account: &str, blobs: impl Iterator<Item = &'a [u8]>, network_claim: Option<&str>) -> Result<Prepared, SignerError> {
    if request_account != account.address {
        return Err(SignerError::OtherAccount { expected: account.address.clone(), found: request_account.to_owned() });
    }
    if account.next_sequence == 0 {
        return Err(SignerError::NoSequence);
    }
    let mut txs = Vec::new();
    for blob in blobs {
        let tx = codec::decode(blob).map_err(SignError::Codec)?;
        let field = |k: &str| tx.get(k).cloned().unwrap_or(Value::Null);
        if field("Account") != json!(account.address) {
            return Err(SignerError::OtherAccount { expected: account.address.clone(), found: field("Account").to_string() });
        }
        if !field("SigningPubKey").as_str().is_some_and(|k| k.eq_ignore_ascii_case(&account.public_key)) {
            return Err(SignerError::RequestKey);
        }
        if tx.get("LastLedgerSequence").is_none() || tx.get("TxnSignature").is_some() || tx.get("Signers").is_some() || tx.get("Sequence").is_none() {
            return Err(SignerError::RequestIncomplete);
        }
        txs.push(tx);
        if txs.len() > MAX_BATCH {
            return Err(SignerError::BatchSize(MAX_BATCH));
        }
    }
    prepare(account, txs, account.next_sequence, network_claim, false)
}

/// Keystone's XRP exchange (XRP Toolkit and the like): a `bytes` UR message holding one
/// transaction's JSON with SigningPubKey; bounded and reviewed like any other request. The
/// answer is a `bytes` UR of the signed blob ([`crate::envelope::wrap_bytes`]).
pub fn review_bytes_request(account: &XrplAccount, message: &[u8]) -> Result<Prepared, SignerError> {
    let json = crate::envelope::unwrap_bytes(message).map_err(|e| SignerError::BytesRequest(e.to_string()))?;
    let tx: Value = serde_json::from_slice(&json).map_err(|e| SignerError::BytesRequest(e.to_string()))?;
    let blob = codec::encode(&tx).map_err(SignError::Codec)?;
    review_request(account, &account.address, std::iter::once(blob.as_slice()), None)
}

/// Signs what was prepared and reviewed: all checked against the journal first, then
/// recorded (fsynced), then the account's next Sequence moves past them and used tickets
/// are dropped. The caller saves the account.
pub fn sign_reviewed(account: &mut XrplAccount, keys: &KeyPair, prepared: &Prepared, journal: &mut Journal) -> Result<Vec<SignedTx>, SignerError> {
    check_key(account, keys)?;
    sign_all(account, keys, prepared, journal)
}

/// [`sign_reviewed`] without the master/regular key check, for the CLI's explicit
/// `--override-key-check` (an account whose key the offline side does not track yet).
pub fn sign_reviewed_unchecked(account: &mut XrplAccount, keys: &KeyPair, prepared: &Prepared, journal: &mut Journal) -> Result<Vec<SignedTx>, SignerError> {
    sign_all(account, keys, prepared, journal)
}

fn sign_all(account: &mut XrplAccount, keys: &KeyPair, prepared: &Prepared, journal: &mut Journal) -> Result<Vec<SignedTx>, SignerError> {
    let mut signed = Vec::with_capacity(prepared.txs.len());
    for tx in &prepared.txs {
        let mut tx = tx.clone();
        if let Some(o) = tx.as_object_mut() {
            o.remove("SigningPubKey");
        }
        let sequence = u32_field(&tx, "Sequence").unwrap_or(0);
        let s = sign_one(&tx, keys, sequence)?;
        signed.push((markers_of(account, &tx), s));
    }
    if !prepared.replace {
        for (m, s) in &signed {
            journal.check(m, &s.hash)?;
        }
    }
    for (m, s) in &signed {
        journal.record_signed(m, &s.hash, prepared.replace)?;
    }
    for (m, _) in &signed {
        for marker in m {
            match marker {
                SpendMarker::Xrpl { sequence, .. } => account.next_sequence = account.next_sequence.max(sequence.saturating_add(1)),
                SpendMarker::XrplTicket { ticket, .. } => account.tickets.retain(|t| t != ticket),
                SpendMarker::XrplMultisig { .. } | SpendMarker::Monero { .. } => {}
            }
        }
    }
    Ok(signed.into_iter().map(|(_, s)| s).collect())
}

/// What signing `tx` spends: its Sequence or Ticket, and those of the account's own inner
/// transactions of a Batch.
pub fn markers_of(account: &XrplAccount, tx: &Value) -> Vec<SpendMarker> {
    let one = |t: &Value| {
        match u32_field(t, "TicketSequence") {
            Some(ticket) => SpendMarker::XrplTicket { account: account.address.clone(), ticket },
            None => marker(account, u32_field(t, "Sequence").unwrap_or(0)),
        }
    };
    let mut markers = vec![one(tx)];
    for item in tx.get("RawTransactions").and_then(Value::as_array).into_iter().flatten() {
        if let Some(inner) = item.get("RawTransaction").filter(|i| i.get("Account").and_then(Value::as_str) == Some(account.address.as_str())) {
            markers.push(one(inner));
        }
    }
    markers
}

fn sign_one(tx: &Value, keys: &KeyPair, sequence: u32) -> Result<SignedTx, SignerError> {
    let out = sign::sign(tx, keys)?;
    let blob = hex::decode(&out.tx_blob).map_err(|_| SignError::Signing)?;
    let lls = u32_field(tx, "LastLedgerSequence").unwrap_or(0);
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
    /// The account's unused tickets, when the online side lists them.
    pub tickets: Option<Vec<u32>>,
    /// Which keys the ledger accepts, when the online side reports them.
    pub keys: Option<KeysReport>,
}

/// Which keys the ledger accepts for an account: its regular key, whether the master key
/// is disabled, its signer list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeysReport {
    pub regular_key: Option<String>,
    pub master_disabled: bool,
    pub signer_list: Option<SignerList>,
}

/// Reconciles (tutorial step 10): Sequence and ledger index from the validated ledger, fee
/// and balance, and each reported outcome into the journal, after checking the report
/// against what is known ([`bounds::check_report`]). Returns the Sequences signed here that
/// did not make it into the ledger (to replace).
pub fn reconcile(account: &mut XrplAccount, report: &AccountReport, journal: &mut Journal) -> Result<Vec<u32>, SignerError> {
    reconcile_at(account, report, journal, super::now())
}

pub fn reconcile_at(account: &mut XrplAccount, report: &AccountReport, journal: &mut Journal, now: u64) -> Result<Vec<u32>, SignerError> {
    if report.account != account.address {
        return Err(SignerError::OtherAccount { expected: account.address.clone(), found: report.account.clone() });
    }
    bounds::check_report(account, report.ledger_index, report.sequence, report.fee_drops, now)?;
    for (hash, result) in &report.outcomes {
        journal.record_outcome(hash, result)?;
    }
    let unapplied: Vec<u32> = (report.sequence..account.next_sequence.max(report.sequence)).filter(|s| journal.signed_hash(&marker(account, *s)).is_some()).collect();
    account.next_sequence = report.sequence;
    account.reported_sequence = report.sequence;
    account.ledger_index = report.ledger_index;
    account.state_applied_at = now;
    account.fee_drops = report.fee_drops.max(10);
    account.balance_drops = Some(report.balance_drops);
    if let Some(t) = &report.tickets {
        account.tickets = t.clone();
    }
    if let Some(k) = &report.keys {
        account.regular_key = k.regular_key.clone();
        account.master_disabled = k.master_disabled;
        account.signer_list = k.signer_list.clone();
    }
    Ok(unapplied)
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
        tickets: state.tickets.clone(),
        keys: state.master_disabled.map(|master_disabled| KeysReport {
            regular_key: state.regular_key.clone(),
            master_disabled,
            signer_list: state.signer_list.as_ref().map(SignerList::from_wire),
        }),
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

/// The keystore entry that holds a regular key of `wallet`: named after the key's address,
/// so a rotation never overwrites the key still in force (the CLI's `regular-key` and the
/// app's regular key screen make these).
pub fn regular_key_wallet(wallet: &str, address: &str) -> String {
    format!("{wallet}_rk_{}", address.get(..12).unwrap_or(address))
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
    }

    #[test]
    fn the_review_describes_a_payment_in_words() {
        let (acct, _, _) = setup("words");
        let p = prepare_batch(&acct, &[pay(1_000_000)]).unwrap();
        assert_eq!(
            p.review.transactions[0].action,
            "Payment, Sequence 7: pays 1 XRP to rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn (Amount), destination tag 9, fee 0.000012 XRP, valid until ledger 1256"
        );
        let text = p.review.to_text();
        assert!(text.contains("MemoData") && text.contains("\"rent\" (text; hex 72656E74, 4 bytes)"), "{text}");
    }

    #[test]
    fn the_review_headline_adds_up_what_can_leave_and_the_fees() {
        let (acct, _, _) = setup("summary");
        let set = Template::AccountSet { set_flag: Some("asfRequireDest".into()), clear_flag: None, transfer_rate: None, domain: None };
        let other = Template::Payment { destination: "rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe".into(), amount: json!("250000"), send_max: None, destination_tag: None, memos: vec![] };
        let usd = Template::Payment {
            destination: "rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe".into(),
            amount: json!({"currency": "USD", "issuer": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", "value": "5"}),
            send_max: Some(json!({"currency": "USD", "issuer": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", "value": "5.1"})),
            destination_tag: None,
            memos: vec![],
        };
        let p = prepare_batch(&acct, &[pay(1_000_000), pay(2), other, usd, set]).unwrap();
        assert_eq!(
            p.review.headline,
            "5 transaction(s): up to 1.250002 XRP + 5.1 USD (issuer rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn) can leave the account, to 2 address(es); fees 0.00006 XRP; 1 WARNING(S)"
        );
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
    fn a_replacement_needs_the_master_or_regular_key_too() {
        let (mut acct, keys, mut j) = setup("replace-key");
        sign_batch(&mut acct, &keys, &[pay(1)], &mut j, false).unwrap();
        acct.next_sequence = 7;
        let other = Seed::parse("sn3nxiW7v8KXzPzAqzyHXbSSKNuN9", None).unwrap().key_pair();
        assert!(matches!(sign_replacement(&acct, &other, &pay(2), 7, None, &mut j), Err(SignerError::WrongKey { .. })));
        acct.regular_key = Some(other.address());
        assert!(sign_replacement(&acct, &other, &pay(2), 7, None, &mut j).is_ok());
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
            tickets: None,
            keys: None,
        };
        assert_eq!(reconcile(&mut acct, &report, &mut j).unwrap(), vec![9]);
        assert_eq!((acct.next_sequence, acct.ledger_index, acct.fee_drops), (9, 2000, 15));
    }
}
