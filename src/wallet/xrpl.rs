//! The online XRPL side: rippled JSON-RPC, batch submission in groups of at most 10 per
//! account with outcome tracking, persisted in SQLite, and the `xrpl-state` report the
//! offline side reconciles from (tutorial steps 4, 8, 9).

use crate::envelope::xrpl::{Outcome, SignedEntry, XrplMultisignRequestPayload, XrplStatePayload, VERSION};
use crate::envelope::xrpl::Versioned;
use crate::signer::xrpl::{multisig, SignerEntry, SignerList, Template, XrplAccount};
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};

/// The highest open-ledger fee the online side passes on: the offline signer's default cap
/// (1 XRP).
pub const MAX_OPEN_LEDGER_FEE_DROPS: u64 = crate::signer::xrpl::bounds::DEFAULT_MAX_FEE_DROPS;

/// rippled's transaction queue holds at most 10 per account: submit in groups of 10.
pub const GROUP_SIZE: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error("cannot reach {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("rippled answered {method} with error {error}: {message}")]
    Rpc { method: String, error: String, message: String },
    #[error("unexpected answer to {0}")]
    BadReply(String),
    #[error("submission store: {0}")]
    Store(#[from] rusqlite::Error),
    #[error("gave up waiting for {0} transactions to become final")]
    Timeout(usize),
}

/// Posts one JSON-RPC request. HTTP in production; tests may answer from memory.
pub trait RpcTransport {
    fn post(&self, body: &Value) -> Result<Value, NetError>;
}

pub struct HttpTransport {
    url: String,
    agent: ureq::Agent,
}

impl HttpTransport {
    pub fn new(url: &str) -> Self {
        let config = ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(20))).http_status_as_error(false).build();
        Self { url: url.to_owned(), agent: config.into() }
    }
}

impl RpcTransport for HttpTransport {
    fn post(&self, body: &Value) -> Result<Value, NetError> {
        let unreachable = |e: ureq::Error| NetError::Unreachable { url: self.url.clone(), reason: e.to_string() };
        let mut reply = self.agent.post(&self.url).send_json(body).map_err(unreachable)?;
        reply.body_mut().read_json::<Value>().map_err(unreachable)
    }
}

pub struct RippledClient<T: RpcTransport> {
    transport: T,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountInfo {
    pub sequence: u32,
    pub balance_drops: u64,
    pub ledger_index: u32,
    /// Whether this came from a validated ledger (final) or the open one.
    pub validated: bool,
    pub regular_key: Option<String>,
    /// lsfDisableMaster is set: the master key can no longer sign.
    pub master_disabled: bool,
}

/// AccountRoot's lsfDisableMaster flag.
pub const LSF_DISABLE_MASTER: u64 = 0x0010_0000;

/// What a preliminary engine result (from `submit`) means, as rippled documents it.
/// Only a validated ledger makes a result final.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Preliminary {
    /// Applied or queued (tesSUCCESS, terQUEUED, tec*): wait for a validated ledger.
    Pending(String),
    /// tem*/tef*: will never apply; its Sequence stays unused.
    Failed(String),
    /// tefMAX_LEDGER: its LastLedgerSequence has passed. The same outcome as seeing a
    /// validated ledger beyond it: expired (a lost transaction resubmitted just after its
    /// last ledger gets this answer instead).
    Expired,
    /// ter*/tel* and the rest: not applied now, submit again.
    Retry(String),
}

impl<T: RpcTransport> RippledClient<T> {
    pub fn new(transport: T) -> Self {
        Self { transport }
    }

    fn call(&self, method: &str, params: Value) -> Result<Value, NetError> {
        let reply = self.transport.post(&json!({ "method": method, "params": [params] }))?;
        let result = reply.get("result").cloned().ok_or_else(|| NetError::BadReply(method.into()))?;
        if result.get("status").and_then(Value::as_str) == Some("error") {
            let s = |k: &str| result.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
            let message = if s("error_message").is_empty() { s("error_exception") } else { s("error_message") };
            return Err(NetError::Rpc { method: method.into(), error: s("error"), message });
        }
        Ok(result)
    }

    pub fn account_info(&self, account: &str, validated: bool) -> Result<AccountInfo, NetError> {
        let ledger = if validated { "validated" } else { "current" };
        let r = self.call("account_info", json!({ "account": account, "ledger_index": ledger }))?;
        let bad = || NetError::BadReply("account_info".into());
        let data = r.get("account_data").ok_or_else(bad)?;
        let index = r.get("ledger_index").or_else(|| r.get("ledger_current_index")).and_then(Value::as_u64).ok_or_else(bad)?;
        Ok(AccountInfo {
            sequence: data.get("Sequence").and_then(Value::as_u64).and_then(|s| u32::try_from(s).ok()).ok_or_else(bad)?,
            balance_drops: data.get("Balance").and_then(Value::as_str).and_then(|b| b.parse().ok()).ok_or_else(bad)?,
            ledger_index: u32::try_from(index).map_err(|_| bad())?,
            validated: r.get("validated").and_then(Value::as_bool).unwrap_or(false),
            regular_key: data.get("RegularKey").and_then(Value::as_str).map(str::to_owned),
            master_disabled: data.get("Flags").and_then(Value::as_u64).is_some_and(|f| f & LSF_DISABLE_MASTER != 0),
        })
    }

    pub fn validated_ledger_index(&self) -> Result<u32, NetError> {
        let r = self.call("ledger", json!({ "ledger_index": "validated" }))?;
        r.get("ledger_index").and_then(Value::as_u64).and_then(|i| u32::try_from(i).ok()).ok_or_else(|| NetError::BadReply("ledger".into()))
    }

    pub fn current_ledger_index(&self) -> Result<u32, NetError> {
        let r = self.call("ledger_current", json!({}))?;
        r.get("ledger_current_index").and_then(Value::as_u64).and_then(|i| u32::try_from(i).ok()).ok_or_else(|| NetError::BadReply("ledger_current".into()))
    }

    /// The open-ledger fee in drops (what a transaction needs to get in now). A server that
    /// asks for more than [`MAX_OPEN_LEDGER_FEE_DROPS`] is refused: the offline signer would
    /// refuse such a fee anyway, and a hostile or broken server should not set it.
    pub fn fee_drops(&self) -> Result<u64, NetError> {
        let r = self.call("fee", json!({}))?;
        let fee: u64 = r.pointer("/drops/open_ledger_fee").and_then(Value::as_str).and_then(|d| d.parse().ok()).ok_or_else(|| NetError::BadReply("fee".into()))?;
        if fee > MAX_OPEN_LEDGER_FEE_DROPS {
            return Err(NetError::BadReply(format!("fee: the server asks {fee} drops, above the {MAX_OPEN_LEDGER_FEE_DROPS}-drop cap")));
        }
        Ok(fee)
    }

    /// The account's unused tickets (account_objects of type ticket, validated ledger).
    pub fn tickets(&self, account: &str) -> Result<Vec<u32>, NetError> {
        let r = self.call("account_objects", json!({ "account": account, "type": "ticket", "ledger_index": "validated", "limit": 400 }))?;
        let objects = r.get("account_objects").and_then(Value::as_array).ok_or_else(|| NetError::BadReply("account_objects".into()))?;
        objects
            .iter()
            .map(|o| o.get("TicketSequence").and_then(Value::as_u64).and_then(|t| u32::try_from(t).ok()).ok_or_else(|| NetError::BadReply("account_objects".into())))
            .collect()
    }

    /// The account's signer list (account_objects of type signer_list, validated ledger).
    pub fn signer_list(&self, account: &str) -> Result<Option<SignerList>, NetError> {
        let r = self.call("account_objects", json!({ "account": account, "type": "signer_list", "ledger_index": "validated" }))?;
        let bad = || NetError::BadReply("account_objects (signer_list)".into());
        let objects = r.get("account_objects").and_then(Value::as_array).ok_or_else(bad)?;
        let Some(o) = objects.iter().find(|o| o.get("LedgerEntryType").and_then(Value::as_str) == Some("SignerList")) else { return Ok(None) };
        let quorum = o.get("SignerQuorum").and_then(Value::as_u64).and_then(|q| u32::try_from(q).ok()).ok_or_else(bad)?;
        let mut entries = Vec::new();
        for e in o.get("SignerEntries").and_then(Value::as_array).ok_or_else(bad)? {
            let account = e.pointer("/SignerEntry/Account").and_then(Value::as_str).ok_or_else(bad)?.to_owned();
            let weight = e.pointer("/SignerEntry/SignerWeight").and_then(Value::as_u64).and_then(|w| u16::try_from(w).ok()).ok_or_else(bad)?;
            entries.push(SignerEntry { account, weight });
        }
        Ok(Some(SignerList { quorum, entries }))
    }

    /// The preliminary result of submitting a signed blob.
    pub fn submit(&self, blob: &[u8]) -> Result<String, NetError> {
        match self.call("submit", json!({ "tx_blob": hex::encode_upper(blob) })) {
            Ok(r) => r.get("engine_result").and_then(Value::as_str).map(str::to_owned).ok_or_else(|| NetError::BadReply("submit".into())),
            // rippled refuses malformed or badly signed blobs outright.
            Err(NetError::Rpc { error, .. }) if error == "invalidTransaction" => Ok("temINVALID".into()),
            Err(e) => Err(e),
        }
    }

    /// Where a transaction stands: validated with a result, pending, or not found.
    pub fn tx(&self, hash: &str) -> Result<Option<(bool, Option<String>)>, NetError> {
        match self.call("tx", json!({ "transaction": hash })) {
            Ok(r) => {
                let validated = r.get("validated").and_then(Value::as_bool).unwrap_or(false);
                let result = r.pointer("/meta/TransactionResult").and_then(Value::as_str).map(str::to_owned);
                Ok(Some((validated, result)))
            }
            Err(NetError::Rpc { error, .. }) if error == "txnNotFound" => Ok(None),
            Err(e) => Err(e),
        }
    }
}

pub fn classify_preliminary(code: &str) -> Preliminary {
    if code == "tesSUCCESS" || code == "terQUEUED" || code.starts_with("tec") {
        Preliminary::Pending(code.into())
    } else if code == "tefMAX_LEDGER" {
        Preliminary::Expired
    } else if code.starts_with("tem") || code.starts_with("tef") {
        Preliminary::Failed(code.into())
    } else {
        Preliminary::Retry(code.into())
    }
}

/// Submissions and their outcomes, persisted so a restart loses nothing.
pub struct SubmissionStore {
    db: rusqlite::Connection,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submission {
    pub hash: String,
    pub account: String,
    pub sequence: u32,
    pub last_ledger_sequence: u32,
    pub blob: Vec<u8>,
    /// pending, final, failed, expired
    pub status: String,
    pub result: String,
    /// Whether an xrpl-state has carried this outcome to the offline side.
    pub reported: bool,
}

impl SubmissionStore {
    pub fn open(path: &Path) -> Result<Self, NetError> {
        let db = rusqlite::Connection::open(path)?;
        db.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
             CREATE TABLE IF NOT EXISTS submissions (
               hash TEXT PRIMARY KEY, account TEXT NOT NULL, sequence INTEGER NOT NULL,
               last_ledger_sequence INTEGER NOT NULL, blob BLOB NOT NULL,
               status TEXT NOT NULL, result TEXT NOT NULL, reported INTEGER NOT NULL DEFAULT 0);
             CREATE TABLE IF NOT EXISTS watched (account TEXT PRIMARY KEY, public_key BLOB NOT NULL, key_type TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS multisign_requests (id TEXT PRIMARY KEY, account TEXT NOT NULL, request BLOB NOT NULL);",
        )?;
        Ok(Self { db })
    }

    pub fn watch(&self, account: &str, public_key: &[u8], key_type: &str) -> Result<(), NetError> {
        self.db.execute("INSERT OR REPLACE INTO watched VALUES (?1, ?2, ?3)", rusqlite::params![account, public_key, key_type])?;
        Ok(())
    }

    /// A watched account's public key and key type.
    pub fn watched_key(&self, account: &str) -> Result<Option<(Vec<u8>, String)>, NetError> {
        let mut st = self.db.prepare("SELECT public_key, key_type FROM watched WHERE account = ?1")?;
        let mut rows = st.query_map([account], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, String>(1)?)))?;
        Ok(rows.next().transpose()?)
    }

    pub fn watched(&self) -> Result<Vec<String>, NetError> {
        let mut st = self.db.prepare("SELECT account FROM watched ORDER BY account")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Adds signed transactions (known hashes are kept as they are: never submitted twice
    /// as new), all in one SQLite transaction. Account, hash, Sequence and
    /// LastLedgerSequence are read from the signed blob itself, not taken from the payload's
    /// side fields: a payload whose fields disagree with its blob is refused whole.
    pub fn add(&self, account: &str, entries: &[SignedEntry]) -> Result<(), NetError> {
        let mut rows = Vec::with_capacity(entries.len());
        for e in entries {
            let bad = |why: &str| NetError::BadReply(format!("signed transaction {}: {why}", hex::encode_upper(&e.hash)));
            let tx = crate::chain::xrpl::codec::decode(&e.blob).map_err(|c| bad(&c.to_string()))?;
            let field = |k: &str| crate::chain::xrpl::u32_field(&tx, k);
            if tx.get("Account").and_then(Value::as_str) != Some(account) {
                return Err(bad(&format!("not a transaction of {account}")));
            }
            let hash = crate::chain::xrpl::sign::transaction_hash(&e.blob);
            let (sequence, lls) = (field("Sequence").unwrap_or(0), field("LastLedgerSequence").ok_or_else(|| bad("no LastLedgerSequence"))?);
            if hash != hex::encode_upper(&e.hash) || sequence != e.sequence || lls != e.last_ledger_sequence {
                return Err(bad("its hash, Sequence or LastLedgerSequence differ from the signed blob's"));
            }
            rows.push((hash, sequence, lls, &e.blob));
        }
        let t = self.db.unchecked_transaction()?;
        for (hash, sequence, lls, blob) in rows {
            t.execute(
                "INSERT OR IGNORE INTO submissions (hash, account, sequence, last_ledger_sequence, blob, status, result) VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 'unsubmitted')",
                rusqlite::params![hash, account, sequence, lls, blob],
            )?;
        }
        t.commit()?;
        Ok(())
    }

    /// Keeps a multi-sign request prepared here, so that only such requests are combined.
    pub fn save_multisign_request(&self, request: &XrplMultisignRequestPayload) -> Result<(), NetError> {
        let cbor = request.to_cbor();
        let id = hex::encode_upper(multisig::request_digest(&cbor));
        self.db.execute("INSERT OR IGNORE INTO multisign_requests VALUES (?1, ?2, ?3)", rusqlite::params![id, request.account, cbor])?;
        Ok(())
    }

    /// Whether this exact request was prepared here.
    pub fn multisign_request_known(&self, request: &XrplMultisignRequestPayload) -> Result<bool, NetError> {
        let cbor = request.to_cbor();
        let id = hex::encode_upper(multisig::request_digest(&cbor));
        let mut st = self.db.prepare("SELECT request FROM multisign_requests WHERE id = ?1")?;
        let mut rows = st.query_map([id], |r| r.get::<_, Vec<u8>>(0))?;
        Ok(rows.next().transpose()?.is_some_and(|stored| stored == cbor))
    }

    fn set(&self, hash: &str, status: &str, result: &str) -> Result<(), NetError> {
        self.db.execute("UPDATE submissions SET status = ?2, result = ?3 WHERE hash = ?1", rusqlite::params![hash, status, result])?;
        Ok(())
    }

    /// One submission's status (pending, final, failed, expired).
    pub fn status(&self, hash: &str) -> Result<Option<String>, NetError> {
        let mut st = self.db.prepare("SELECT status FROM submissions WHERE hash = ?1")?;
        let mut rows = st.query_map([hash], |r| r.get::<_, String>(0))?;
        Ok(rows.next().transpose()?)
    }

    pub fn all(&self, account: &str) -> Result<Vec<Submission>, NetError> {
        let mut st = self.db.prepare(
            "SELECT hash, account, sequence, last_ledger_sequence, blob, status, result, reported FROM submissions WHERE account = ?1 ORDER BY sequence, rowid",
        )?;
        let rows = st
            .query_map([account], |r| {
                Ok(Submission {
                    hash: r.get(0)?,
                    account: r.get(1)?,
                    sequence: r.get(2)?,
                    last_ledger_sequence: r.get(3)?,
                    blob: r.get(4)?,
                    status: r.get(5)?,
                    result: r.get(6)?,
                    reported: r.get::<_, i64>(7)? != 0,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    fn mark_reported(&self, hashes: &[String]) -> Result<(), NetError> {
        let t = self.db.unchecked_transaction()?;
        for h in hashes {
            t.execute("UPDATE submissions SET reported = 1 WHERE hash = ?1", [h])?;
        }
        t.commit()?;
        Ok(())
    }
}

/// Submits every pending transaction of `account`, in Sequence order and groups of at most
/// 10, waiting for each group to leave the queue (final, failed or expired) before the next.
/// Non-final preliminary results are retried; a blob is submitted again only while not
/// final, and rippled never applies the same blob twice.
pub fn submit_pending<T: RpcTransport>(
    client: &RippledClient<T>,
    store: &SubmissionStore,
    account: &str,
    poll: Duration,
    timeout: Duration,
) -> Result<Vec<Submission>, NetError> {
    let pending: Vec<Submission> = store.all(account)?.into_iter().filter(|s| s.status == "pending").collect();
    for group in pending.chunks(GROUP_SIZE) {
        for s in group {
            let code = client.submit(&s.blob)?;
            match classify_preliminary(&code) {
                Preliminary::Failed(c) => store.set(&s.hash, "failed", &c)?,
                Preliminary::Expired => store.set(&s.hash, "expired", "expired")?,
                Preliminary::Pending(c) | Preliminary::Retry(c) => store.set(&s.hash, "pending", &c)?,
            }
        }
        wait_for_group(client, store, group, poll, timeout)?;
    }
    store.all(account)
}

fn wait_for_group<T: RpcTransport>(
    client: &RippledClient<T>,
    store: &SubmissionStore,
    group: &[Submission],
    poll: Duration,
    timeout: Duration,
) -> Result<(), NetError> {
    let started = Instant::now();
    loop {
        let mut open = 0;
        let validated = client.validated_ledger_index()?;
        for s in group {
            if store.status(&s.hash)?.as_deref() != Some("pending") {
                continue;
            }
            match client.tx(&s.hash)? {
                Some((true, Some(result))) => store.set(&s.hash, "final", &result)?,
                _ if validated > s.last_ledger_sequence => store.set(&s.hash, "expired", "expired")?,
                Some(_) => open += 1,
                None => {
                    // Not known: a retriable preliminary result; resubmit while still valid.
                    let code = client.submit(&s.blob)?;
                    match classify_preliminary(&code) {
                        Preliminary::Failed(c) => store.set(&s.hash, "failed", &c)?,
                        Preliminary::Expired => store.set(&s.hash, "expired", "expired")?,
                        Preliminary::Pending(_) | Preliminary::Retry(_) => open += 1,
                    }
                }
            }
        }
        if open == 0 {
            return Ok(());
        }
        if started.elapsed() > timeout {
            return Err(NetError::Timeout(open));
        }
        std::thread::sleep(poll);
    }
}

/// The `xrpl-state` report: the validated account state and every outcome not yet reported.
pub fn state_report<T: RpcTransport>(client: &RippledClient<T>, store: &SubmissionStore, account: &str) -> Result<XrplStatePayload, NetError> {
    let info = client.account_info(account, true)?;
    let fee = client.fee_drops()?;
    let done: Vec<Submission> = store.all(account)?.into_iter().filter(|s| s.status != "pending" && !s.reported).collect();
    // Keys are reported whole or not at all: a server that cannot list signer lists
    // reports none of them (the offline side then keeps what it knew).
    let keys = client.signer_list(account).ok().map(|list| (info.regular_key.clone(), info.master_disabled, list.map(|l| l.to_wire())));
    let outcomes = done.iter().map(|s| Outcome { hash: hex::decode(&s.hash).unwrap_or_default(), result: s.result.clone() }).collect();
    store.mark_reported(&done.iter().map(|s| s.hash.clone()).collect::<Vec<_>>())?;
    Ok(XrplStatePayload {
        version: VERSION,
        account: account.to_owned(),
        sequence: info.sequence,
        ledger_index: info.ledger_index,
        balance_drops: info.balance_drops,
        fee_drops: fee,
        validated: info.validated,
        outcomes,
        // A server without account_objects (or an account without tickets) lists none.
        tickets: client.tickets(account).ok().filter(|t| !t.is_empty()),
        regular_key: keys.as_ref().and_then(|k| k.0.clone()),
        master_disabled: keys.as_ref().map(|k| k.1),
        signer_list: keys.and_then(|k| k.2),
    })
}

/// Builds a multi-sign request for `account` from templates: the validated Sequence and
/// ledger, the open-ledger fee times one more than the number of listed signers (rippled's
/// rule for multi-signed transactions, so any members that reach the quorum can sign), and
/// the signer list from the ledger. Kept in `store` for combining.
pub fn prepare_multisign<T: RpcTransport>(
    client: &RippledClient<T>,
    store: &SubmissionStore,
    account: &str,
    templates: &[Template],
    network: &str,
    margin: u32,
) -> Result<XrplMultisignRequestPayload, NetError> {
    let info = client.account_info(account, true)?;
    let list = client.signer_list(account)?.ok_or_else(|| NetError::BadReply(format!("{account} has no signer list in the validated ledger: set one first (xrpl account signer-list)")))?;
    let fee = multisig::multisigned_fee(client.fee_drops()?, &list);
    let acct = XrplAccount { next_sequence: info.sequence, ledger_index: info.ledger_index, fee_drops: fee, ledger_margin: margin, ..XrplAccount::new_watch_only(account) };
    let mut transactions = Vec::with_capacity(templates.len());
    for (i, t) in templates.iter().enumerate() {
        let mut tx = crate::signer::xrpl::build(&acct, t, acct.next_sequence + i as u32).map_err(|e| NetError::BadReply(format!("template {}: {e}", i + 1)))?;
        tx["SigningPubKey"] = json!("");
        transactions.push(crate::chain::xrpl::codec::encode(&tx).map_err(|e| NetError::BadReply(format!("template {}: {e}", i + 1)))?.into());
    }
    let request = XrplMultisignRequestPayload { version: VERSION, account: account.to_owned(), transactions, ledger_index: info.ledger_index, network: network.to_owned(), signer_list: list.to_wire() };
    store.save_multisign_request(&request)?;
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preliminary_results_are_classified_as_rippled_documents() {
        assert_eq!(classify_preliminary("tesSUCCESS"), Preliminary::Pending("tesSUCCESS".into()));
        assert_eq!(classify_preliminary("terQUEUED"), Preliminary::Pending("terQUEUED".into()));
        assert_eq!(classify_preliminary("tecUNFUNDED_PAYMENT"), Preliminary::Pending("tecUNFUNDED_PAYMENT".into()));
        assert_eq!(classify_preliminary("tefPAST_SEQ"), Preliminary::Failed("tefPAST_SEQ".into()));
        assert_eq!(classify_preliminary("tefMAX_LEDGER"), Preliminary::Expired);
        assert_eq!(classify_preliminary("temBAD_FEE"), Preliminary::Failed("temBAD_FEE".into()));
        assert_eq!(classify_preliminary("terPRE_SEQ"), Preliminary::Retry("terPRE_SEQ".into()));
        assert_eq!(classify_preliminary("telINSUF_FEE_P"), Preliminary::Retry("telINSUF_FEE_P".into()));
    }

    /// A rippled that accepts the transaction, loses it, and whose validated ledger is still
    /// 1000 when asked but has passed the transaction's last ledger (1003) by the time it is
    /// submitted again (the race the rippled stand-in test once hit).
    struct LostThenTooLate {
        submits: std::cell::Cell<u32>,
    }

    impl RpcTransport for LostThenTooLate {
        fn post(&self, body: &Value) -> Result<Value, NetError> {
            Ok(match body["method"].as_str() {
                Some("ledger") => json!({"result": {"ledger_index": 1000, "status": "success"}}),
                Some("tx") => json!({"result": {"status": "error", "error": "txnNotFound"}}),
                Some("submit") => {
                    self.submits.set(self.submits.get() + 1);
                    let code = if self.submits.get() == 1 { "tesSUCCESS" } else { "tefMAX_LEDGER" };
                    json!({"result": {"engine_result": code, "status": "success"}})
                }
                other => panic!("unexpected call {other:?}"),
            })
        }
    }

    #[test]
    fn a_lost_transaction_refused_as_too_late_is_expired_not_failed() {
        let dir = std::env::temp_dir().join(format!("airsign-lost-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let store = SubmissionStore::open(&dir.join("s.sqlite")).unwrap();
        let entry = signed_entry(7, 1003);
        let account = "r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6";
        store.add(account, &[entry]).unwrap();
        let out = submit_pending(&RippledClient::new(LostThenTooLate { submits: 0.into() }), &store, account, Duration::from_millis(1), Duration::from_secs(5)).unwrap();
        assert_eq!((out[0].status.as_str(), out[0].result.as_str()), ("expired", "expired"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A real signed Payment of the tutorial's account at `sequence`.
    fn signed_entry(sequence: u32, lls: u32) -> SignedEntry {
        let keys = crate::chain::xrpl::keys::Seed::parse("shYHSiJod8CLPTj1SNJ2PdUFj4pFk", None).unwrap().key_pair();
        let tx = json!({"TransactionType": "Payment", "Account": keys.address(), "Destination": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", "Amount": "1000", "Fee": "12", "Sequence": sequence, "LastLedgerSequence": lls, "Flags": 0});
        let s = crate::chain::xrpl::sign::sign(&tx, &keys).unwrap();
        SignedEntry { blob: hex::decode(&s.tx_blob).unwrap(), hash: hex::decode(&s.hash).unwrap(), sequence, last_ledger_sequence: lls }
    }

    /// The payload's side fields are not trusted: a hash, Sequence or LastLedgerSequence
    /// that differs from the blob's own is refused, and nothing of the payload is stored.
    #[test]
    fn a_payload_whose_fields_disagree_with_its_blob_is_refused_whole() {
        let dir = std::env::temp_dir().join(format!("airsign-add-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let store = SubmissionStore::open(&dir.join("s.sqlite")).unwrap();
        let account = "r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6";
        let good = signed_entry(7, 1003);
        for bad in [
            SignedEntry { hash: vec![0xAB; 32], ..good.clone() },
            SignedEntry { sequence: 8, ..good.clone() },
            SignedEntry { last_ledger_sequence: 99_999, ..good.clone() },
        ] {
            assert!(store.add(account, &[signed_entry(6, 1003), bad]).is_err());
            assert!(store.all(account).unwrap().is_empty(), "nothing stored from a refused payload");
        }
        assert!(store.add("rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", std::slice::from_ref(&good)).is_err(), "another account's transaction");
        store.add(account, &[good]).unwrap();
        assert_eq!(store.all(account).unwrap().len(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A server whose every answer is `result`.
    struct Canned(Value);

    impl RpcTransport for Canned {
        fn post(&self, _: &Value) -> Result<Value, NetError> {
            Ok(json!({ "result": self.0 }))
        }
    }

    /// The findings: `as u32` turned Sequence 2^32 + 5 into 5, and any open-ledger fee was
    /// passed on. Both are bad replies now.
    #[test]
    fn out_of_range_integers_and_absurd_fees_from_the_server_are_refused() {
        let info = |seq: u64, ledger: u64| Canned(json!({"account_data": {"Sequence": seq, "Balance": "100"}, "ledger_index": ledger, "validated": true, "status": "success"}));
        assert_eq!(RippledClient::new(info(5, 1000)).account_info("rA", true).unwrap().sequence, 5);
        assert!(matches!(RippledClient::new(info((1 << 32) + 5, 1000)).account_info("rA", true), Err(NetError::BadReply(_))));
        assert!(matches!(RippledClient::new(info(5, (1 << 32) + 1000)).account_info("rA", true), Err(NetError::BadReply(_))));
        assert!(RippledClient::new(Canned(json!({"ledger_index": (1u64 << 32) + 1, "status": "success"}))).validated_ledger_index().is_err());
        let fee = |d: &str| RippledClient::new(Canned(json!({"drops": {"open_ledger_fee": d}, "status": "success"}))).fee_drops();
        assert_eq!(fee("12").unwrap(), 12);
        assert!(matches!(fee("5000000"), Err(NetError::BadReply(m)) if m.contains("above the 1000000-drop cap")));
    }
}
