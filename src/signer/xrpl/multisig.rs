//! Account security by QR: the key changes an account may make (regular key, master key,
//! signer list) and multi-signing by members on separate air-gapped machines.
//!
//! A member's machine sees only what the online side shows it: the transactions and the
//! signer list it says the ledger has. Both are claims. What the member can check offline:
//! the transactions decode, are fully filled, stay within its own bounds (fee cap, ledger
//! window, network); the list names it; and its journal never lets it sign two different
//! transactions for the same (account, Sequence). The ledger itself then accepts the
//! combined transaction only if the real list's quorum signed, so a forged list cannot make
//! a transaction valid; it can only mislead the review, which therefore names the list as a
//! claim and warns when it changes from what this member saw before.

use crate::signer::journal::{Journal, SpendMarker};
use super::review::{warn, BatchReview};
use super::{bounds, review, SignerError, XrplAccount, MAX_BATCH};
use crate::chain::xrpl::codec;
use crate::chain::xrpl::keys::{sha512_half, KeyPair};
use crate::chain::xrpl::sign::{self, SignError};
use crate::chain::xrpl::{address, u32_field};
use crate::envelope::xrpl::{SignerEntryWire, SignerListWire, TxSignature, XrplMultisignRequestPayload, XrplMultisignSignaturePayload, VERSION};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// rippled's limit on a signer list (featureExpandedSignerList).
pub const MAX_SIGNERS: usize = 32;
/// asfDisableMaster.
const ASF_DISABLE_MASTER: u64 = 4;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MultisigError {
    #[error("a signer list needs 1 to {MAX_SIGNERS} signers, this one has {0}")]
    ListSize(usize),
    #[error("signer {0} is listed twice")]
    DuplicateSigner(String),
    #[error("the account {0} cannot be a signer of its own list")]
    SelfSigner(String),
    #[error("signer {0} has weight 0")]
    ZeroWeight(String),
    #[error("quorum {quorum} cannot be met: the weights add up to {total}")]
    Quorum { quorum: u32, total: u32 },
    #[error("'{0}' is not an XRPL address")]
    BadAddress(String),
    #[error("{member} is not on the signer list of {account} (the list the online side sent names {listed})")]
    NotAMember { member: String, account: String, listed: String },
    #[error("this machine's account {0} is the multi-signed account itself: a member signs for another account")]
    OwnAccount(String),
    #[error("transaction {tx}: {why}")]
    Request { tx: usize, why: &'static str },
    #[error("the signature is for account {found}, the request is for {expected}")]
    OtherAccount { expected: String, found: String },
    #[error("the signature of {signer} is for a transaction this request does not hold")]
    UnknownTransaction { signer: String },
    #[error("{signer} signed with a key that is not its master key ({key_account}); airsign accepts a member's master key only")]
    NotMasterKey { signer: String, key_account: String },
    #[error("the signature of {signer} does not verify")]
    BadSignature { signer: String },
    #[error("{signer} sent a different signature before; keeping the first")]
    ConflictingSignature { signer: String },
    #[error("{signer} signed only {signed} of the {expected} transactions")]
    Incomplete { signer: String, signed: usize, expected: usize },
    #[error("the signatures so far weigh {weight}, the quorum is {quorum}")]
    QuorumNotMet { weight: u32, quorum: u32 },
    #[error("refused: {0}")]
    KeyChange(String),
}

/// A signer list as SignerListSet sets it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerList {
    pub quorum: u32,
    pub entries: Vec<SignerEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerEntry {
    pub account: String,
    pub weight: u16,
}

impl SignerList {
    /// The list a SignerListSet transaction sets (None for one that deletes the list).
    pub fn from_tx(tx: &Value) -> Option<SignerList> {
        let quorum = u32_field(tx, "SignerQuorum").filter(|q| *q > 0)?;
        let entries = tx
            .get("SignerEntries")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|e| SignerEntry {
                account: e.pointer("/SignerEntry/Account").and_then(Value::as_str).unwrap_or_default().to_owned(),
                weight: e.pointer("/SignerEntry/SignerWeight").and_then(Value::as_u64).and_then(|w| u16::try_from(w).ok()).unwrap_or(0),
            })
            .collect();
        Some(SignerList { quorum, entries })
    }

    pub fn from_wire(w: &SignerListWire) -> SignerList {
        SignerList { quorum: w.quorum, entries: w.entries.iter().map(|e| SignerEntry { account: e.account.clone(), weight: e.weight }).collect() }
    }

    pub fn to_wire(&self) -> SignerListWire {
        SignerListWire { quorum: self.quorum, entries: self.entries.iter().map(|e| SignerEntryWire { account: e.account.clone(), weight: e.weight }).collect() }
    }

    /// rippled's rules for a list (SignerListSet's preflight): 1 to 32 distinct signers,
    /// none of them the owner, each weight above 0, a quorum above 0 the weights can meet.
    pub fn check(&self, owner: &str) -> Result<(), MultisigError> {
        if self.entries.is_empty() || self.entries.len() > MAX_SIGNERS {
            return Err(MultisigError::ListSize(self.entries.len()));
        }
        for (i, e) in self.entries.iter().enumerate() {
            address::decode_account_id(&e.account).map_err(|_| MultisigError::BadAddress(e.account.clone()))?;
            if e.account == owner {
                return Err(MultisigError::SelfSigner(owner.to_owned()));
            }
            if e.weight == 0 {
                return Err(MultisigError::ZeroWeight(e.account.clone()));
            }
            if self.entries[..i].iter().any(|p| p.account == e.account) {
                return Err(MultisigError::DuplicateSigner(e.account.clone()));
            }
        }
        if self.quorum == 0 || self.quorum > self.total_weight() {
            return Err(MultisigError::Quorum { quorum: self.quorum, total: self.total_weight() });
        }
        Ok(())
    }

    pub fn weight_of(&self, account: &str) -> Option<u16> {
        self.entries.iter().find(|e| e.account == account).map(|e| e.weight)
    }

    pub fn total_weight(&self) -> u32 {
        self.entries.iter().map(|e| u32::from(e.weight)).sum()
    }

    /// The fewest signers whose weights reach the quorum.
    pub fn fewest_signers(&self) -> usize {
        let mut w: Vec<u32> = self.entries.iter().map(|e| u32::from(e.weight)).collect();
        w.sort_unstable_by(|a, b| b.cmp(a));
        let mut sum = 0;
        for (i, x) in w.iter().enumerate() {
            sum += x;
            if sum >= self.quorum {
                return i + 1;
            }
        }
        w.len()
    }

    /// What the list means, in words: "2-of-3: any 2 of rA, rB, rC" when every weight is 1,
    /// else the quorum, each weight and the fewest signers that can sign.
    pub fn describe(&self) -> String {
        let n = self.entries.len();
        if self.entries.iter().all(|e| e.weight == 1) {
            let names: Vec<&str> = self.entries.iter().map(|e| e.account.as_str()).collect();
            return format!("{}-of-{n}: any {} of {}", self.quorum, self.quorum, names.join(", "));
        }
        let names: Vec<String> = self.entries.iter().map(|e| format!("{} (weight {})", e.account, e.weight)).collect();
        format!(
            "quorum {} of a total weight {}: any signers whose weights add up to {} ({} signer(s) at the fewest) of {}",
            self.quorum,
            self.total_weight(),
            self.quorum,
            self.fewest_signers(),
            names.join(", ")
        )
    }
}

/// A multi-signed account this machine's account is a member of, as last seen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub account: String,
    /// The signer list the online side sent with the last signed request.
    pub signer_list: SignerList,
    pub ledger_index: u32,
    /// When (offline clock) this member last signed for the account.
    pub seen_at: u64,
}

/// What a multi-signed review adds: who signs for whom, with what weight of which quorum.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MultisignView {
    pub account: String,
    pub member: String,
    pub weight: u16,
    pub quorum: u32,
    /// The signer list in words (`SignerList::describe`).
    pub list: String,
}

impl MultisignView {
    pub fn describe(&self) -> String {
        format!("you sign as {} (weight {} of quorum {}) for the multi-signed account {}; its signer list, as the online side reports it: {}", self.member, self.weight, self.quorum, self.account, self.list)
    }
}

/// Refuses key changes that would lock the account out, from what the ledger last reported
/// (rippled answers such transactions with tecNO_ALTERNATIVE_KEY, after charging the fee).
pub fn check_key_changes(account: &XrplAccount, txs: &[Value]) -> Result<(), MultisigError> {
    let refuse = |why: String| Err(MultisigError::KeyChange(why));
    for (i, tx) in txs.iter().enumerate() {
        let n = i + 1;
        match tx.get("TransactionType").and_then(Value::as_str) {
            Some("AccountSet") if tx.get("SetFlag").and_then(Value::as_u64) == Some(ASF_DISABLE_MASTER) && account.regular_key.is_none() && account.signer_list.is_none() => {
                return refuse(format!("transaction {n} disables the master key, but the ledger (as last reported) has no regular key and no signer list for {}: nothing could sign afterwards. Set one, submit it, sync, and apply the state first", account.address));
            }
            Some("SetRegularKey") => match tx.get("RegularKey").and_then(Value::as_str) {
                Some(k) if k == account.address => return refuse(format!("transaction {n} makes the account its own regular key (rippled: temBAD_REGKEY)")),
                None if account.master_disabled && account.signer_list.is_none() => {
                    return refuse(format!("transaction {n} removes the regular key while the master key is disabled and there is no signer list: nothing could sign afterwards"));
                }
                _ => {}
            },
            Some("SignerListSet") => match SignerList::from_tx(tx) {
                Some(list) => list.check(&account.address)?,
                None if account.master_disabled && account.regular_key.is_none() => {
                    return refuse(format!("transaction {n} deletes the signer list while the master key is disabled and there is no regular key: nothing could sign afterwards"));
                }
                None => {}
            },
            _ => {}
        }
    }
    Ok(())
}

/// The identity of a requested transaction: SHA-512-half of its unsigned binary, as the
/// request carries it. A signature names the transaction it signs by this.
pub fn request_digest(blob: &[u8]) -> [u8; 32] {
    *sha512_half(blob)
}

/// A multi-sign request checked and reviewed on a member's machine, ready to sign.
#[derive(Clone, Debug)]
pub struct PreparedMultisign {
    pub review: BatchReview,
    pub multisign: MultisignView,
    account: String,
    signer_list: SignerList,
    ledger_index: u32,
    txs: Vec<Value>,
    digests: Vec<[u8; 32]>,
    replace: bool,
}

impl PreparedMultisign {
    pub fn transactions(&self) -> &[Value] {
        &self.txs
    }
}

/// The journal marker of a member's signature: per (multi-signed account, Sequence, member).
pub fn multisig_marker(account: &str, sequence: u32, signer: &str) -> SpendMarker {
    SpendMarker::XrplMultisig { account: account.to_owned(), sequence, signer: signer.to_owned() }
}

/// Checks and reviews a multi-sign request on a member's machine (`member` is this
/// machine's account). `replace` re-signs a Sequence this member signed before (after
/// the first transaction expired); it must have been signed here.
pub fn prepare_multisign(member: &XrplAccount, req: &XrplMultisignRequestPayload, replace: bool, journal: &Journal, now: u64) -> Result<PreparedMultisign, SignerError> {
    let list = SignerList::from_wire(&req.signer_list);
    if req.account == member.address {
        return Err(MultisigError::OwnAccount(member.address.clone()).into());
    }
    list.check(&req.account)?;
    let weight = list.weight_of(&member.address).ok_or_else(|| MultisigError::NotAMember {
        member: member.address.clone(),
        account: req.account.clone(),
        listed: list.entries.iter().map(|e| e.account.as_str()).collect::<Vec<_>>().join(", "),
    })?;
    if req.transactions.is_empty() || req.transactions.len() > MAX_BATCH {
        return Err(SignerError::BatchSize(MAX_BATCH));
    }
    let previous = member.memberships.iter().find(|m| m.account == req.account);

    // The ledger the online side claims, bounded by what this machine saw last (this
    // account's last signature, else its own account's state), as an xrpl-state is.
    let mut view = XrplAccount::new_watch_only(&req.account);
    (view.ledger_index, view.state_applied_at) = match previous {
        Some(p) if p.seen_at >= member.state_applied_at => (p.ledger_index, p.seen_at),
        _ => (member.ledger_index, member.state_applied_at),
    };
    view.max_fee_drops = member.max_fee_drops;
    view.network_id = member.network_id;
    view.signer_list = Some(list.clone());
    bounds::check_report(&view, req.ledger_index, 0, 0, now)?;
    view.ledger_index = req.ledger_index;
    view.state_applied_at = now;

    let mut txs = Vec::with_capacity(req.transactions.len());
    let mut digests = Vec::with_capacity(req.transactions.len());
    for (i, blob) in req.transactions.iter().enumerate() {
        let bad = |why| SignerError::from(MultisigError::Request { tx: i + 1, why });
        let tx = codec::decode(blob).map_err(SignError::Codec)?;
        if tx.get("Account").and_then(Value::as_str) != Some(req.account.as_str()) {
            return Err(bad("it is not from the multi-signed account the request names"));
        }
        if tx.get("SigningPubKey").and_then(Value::as_str).is_some_and(|k| !k.is_empty()) || tx.get("TxnSignature").is_some() || tx.get("Signers").is_some() {
            return Err(bad("it carries a signing key or signatures: a multi-sign request holds the bare transaction"));
        }
        if tx.get("TicketSequence").is_some() {
            return Err(bad("ticketed multi-signed transactions are not supported: use its Sequence"));
        }
        if u32_field(&tx, "Sequence").is_none() {
            return Err(bad("no Sequence"));
        }
        digests.push(request_digest(blob));
        txs.push(tx);
    }
    view.next_sequence = u32_field(&txs[0], "Sequence").unwrap_or(0);
    bounds::check_transactions(&view, &txs, view.next_sequence, now)?;
    check_key_changes(&view, &txs)?;
    let mut review = review::review_transactions(&view, &txs, Some(&req.network))?;

    if replace {
        for tx in &txs {
            let sequence = u32_field(tx, "Sequence").unwrap_or(0);
            if journal.signed_hash(&multisig_marker(&req.account, sequence, &member.address)).is_none() {
                return Err(bounds::BoundsError::Replacement { sequence, why: "this member signed nothing for it here; sign it as a new request instead" }.into());
            }
        }
    }
    let multisign = MultisignView { account: req.account.clone(), member: member.address.clone(), weight, quorum: list.quorum, list: list.describe() };
    review.notes.insert(0, multisign.describe());
    review.notes.push(format!(
        "the Sequence ({}) and the signer list are the online side's claims: this machine does not track {}'s ledger state; its journal makes sure this member signs each Sequence once, and the ledger accepts the transaction only with the real list's quorum",
        view.next_sequence, req.account
    ));
    match previous {
        None => review.notes.push(format!("first request from {} seen here: its signer list is recorded as sent", req.account)),
        Some(p) if p.signer_list != list => {
            if let Some(t) = review.transactions.first_mut() {
                t.warnings.push(warn(format!("the signer list the online side sends DIFFERS from the one it sent when this member last signed for {}: before, {}", req.account, p.signer_list.describe())));
            }
        }
        Some(_) => {}
    }
    Ok(PreparedMultisign { review, multisign, account: req.account.clone(), signer_list: list, ledger_index: req.ledger_index, txs, digests, replace })
}

/// Signs what was reviewed, as `sign_for` does, with the member's master or regular key;
/// journals (account, Sequence, member) first; records the membership. The caller saves
/// the member's account.
pub fn sign_multisign(member: &mut XrplAccount, keys: &KeyPair, prepared: &PreparedMultisign, journal: &mut Journal, now: u64) -> Result<XrplMultisignSignaturePayload, SignerError> {
    super::check_key(member, keys)?;
    let member_id = address::decode_account_id(&member.address).map_err(|_| MultisigError::BadAddress(member.address.clone()))?;
    let mut signatures = Vec::with_capacity(prepared.txs.len());
    let mut markers = Vec::with_capacity(prepared.txs.len());
    for (tx, digest) in prepared.txs.iter().zip(&prepared.digests) {
        let signed = sign::sign_for(tx, keys, &member_id)?;
        let signature = signed.tx_json.pointer("/Signers/0/Signer/TxnSignature").and_then(Value::as_str).and_then(|s| hex::decode(s).ok()).ok_or(SignError::Signing)?;
        let sequence = u32_field(tx, "Sequence").unwrap_or(0);
        markers.push((multisig_marker(&prepared.account, sequence, &member.address), hex::encode_upper(digest)));
        signatures.push(TxSignature { request_digest: digest.to_vec(), signature });
    }
    if !prepared.replace {
        for (m, d) in &markers {
            journal.check(std::slice::from_ref(m), d)?;
        }
    }
    for (m, d) in &markers {
        journal.record_signed(std::slice::from_ref(m), d, prepared.replace)?;
    }
    let record = Membership { account: prepared.account.clone(), signer_list: prepared.signer_list.clone(), ledger_index: prepared.ledger_index, seen_at: now };
    member.memberships.retain(|m| m.account != prepared.account);
    member.memberships.push(record);
    Ok(XrplMultisignSignaturePayload { version: VERSION, account: prepared.account.clone(), signer: member.address.clone(), public_key: keys.public_key().to_vec(), signatures })
}

/// One transaction of a request, combined: what `xrpl-signed` and submission need.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Combined {
    pub tx_blob: String,
    pub hash: String,
    pub sequence: u32,
    pub last_ledger_sequence: u32,
}

impl Combined {
    /// As the submission store and `xrpl-signed` carry it.
    pub fn entry(&self) -> Result<crate::envelope::xrpl::SignedEntry, hex::FromHexError> {
        Ok(crate::envelope::xrpl::SignedEntry { blob: hex::decode(&self.tx_blob)?, hash: hex::decode(&self.hash)?, sequence: self.sequence, last_ledger_sequence: self.last_ledger_sequence })
    }
}

/// The online side's collection of members' signatures for one request: each checked
/// against the signer list and verified when it arrives, in any order.
#[derive(Clone, Debug)]
pub struct MultisignCollector {
    request: XrplMultisignRequestPayload,
    list: SignerList,
    txs: Vec<Value>,
    digests: Vec<[u8; 32]>,
    signed: Vec<MemberSignatures>,
}

/// One member's verified signatures, one per requested transaction, in request order.
#[derive(Clone, Debug)]
struct MemberSignatures {
    address: String,
    account_id: [u8; 20],
    public_key: Vec<u8>,
    signatures: Vec<Vec<u8>>,
}

impl MultisignCollector {
    /// `list` is the signer list the online side knows from the ledger (the request's own,
    /// when it was prepared here).
    pub fn new(request: XrplMultisignRequestPayload, list: SignerList) -> Result<Self, SignerError> {
        // A list rippled could not hold (no quorum, say) would let "no signatures" count.
        list.check(&request.account)?;
        let mut txs = Vec::new();
        let mut digests = Vec::new();
        for blob in &request.transactions {
            txs.push(codec::decode(blob).map_err(SignError::Codec)?);
            digests.push(request_digest(blob));
        }
        Ok(Self { request, list, txs, digests, signed: Vec::new() })
    }

    pub fn list(&self) -> &SignerList {
        &self.list
    }

    /// The multi-signed account.
    pub fn account(&self) -> &str {
        &self.request.account
    }

    /// Who signed so far.
    pub fn signers(&self) -> Vec<&str> {
        self.signed.iter().map(|s| s.address.as_str()).collect()
    }

    /// The weight of the signatures so far.
    pub fn weight(&self) -> u32 {
        self.signed.iter().map(|s| u32::from(self.list.weight_of(&s.address).unwrap_or(0))).sum()
    }

    pub fn quorum_met(&self) -> bool {
        self.weight() >= self.list.quorum
    }

    /// Adds one member's signatures; returns whether it was new. A member scanned twice
    /// with the same signatures is no error.
    pub fn add(&mut self, p: &XrplMultisignSignaturePayload) -> Result<bool, MultisigError> {
        if p.account != self.request.account {
            return Err(MultisigError::OtherAccount { expected: self.request.account.clone(), found: p.account.clone() });
        }
        if self.list.weight_of(&p.signer).is_none() {
            let listed = self.list.entries.iter().map(|e| e.account.as_str()).collect::<Vec<_>>().join(", ");
            return Err(MultisigError::NotAMember { member: p.signer.clone(), account: self.request.account.clone(), listed });
        }
        let id = address::decode_account_id(&p.signer).map_err(|_| MultisigError::BadAddress(p.signer.clone()))?;
        let key_account = address::encode_account_id(&crate::chain::xrpl::keys::account_id(&p.public_key));
        if key_account != p.signer {
            return Err(MultisigError::NotMasterKey { signer: p.signer.clone(), key_account });
        }
        let mut ordered = Vec::with_capacity(self.txs.len());
        for digest in &self.digests {
            let mut found = p.signatures.iter().filter(|s| s.request_digest == digest.as_slice());
            match (found.next(), found.next()) {
                (Some(s), None) => ordered.push(s.signature.clone()),
                _ => return Err(MultisigError::Incomplete { signer: p.signer.clone(), signed: p.signatures.len(), expected: self.txs.len() }),
            }
        }
        if p.signatures.len() != self.txs.len() {
            return Err(MultisigError::UnknownTransaction { signer: p.signer.clone() });
        }
        for (tx, sig) in self.txs.iter().zip(&ordered) {
            let mut bare = tx.clone();
            bare["SigningPubKey"] = json!("");
            let data = codec::encode_for_multisigning(&bare, &id).map_err(|_| MultisigError::BadSignature { signer: p.signer.clone() })?;
            if !sign::verify_bytes(&data, sig, &p.public_key) {
                return Err(MultisigError::BadSignature { signer: p.signer.clone() });
            }
        }
        if let Some(prev) = self.signed.iter().find(|s| s.address == p.signer) {
            return if prev.signatures == ordered { Ok(false) } else { Err(MultisigError::ConflictingSignature { signer: p.signer.clone() }) };
        }
        self.signed.push(MemberSignatures { address: p.signer.clone(), account_id: id, public_key: p.public_key.clone(), signatures: ordered });
        Ok(true)
    }

    /// The multi-signed transactions, Signers sorted by AccountID as rippled requires,
    /// once the quorum is met.
    pub fn combine(&self) -> Result<Vec<Combined>, SignerError> {
        if !self.quorum_met() {
            return Err(MultisigError::QuorumNotMet { weight: self.weight(), quorum: self.list.quorum }.into());
        }
        let mut signed: Vec<_> = self.signed.iter().collect();
        signed.sort_by_key(|s| s.account_id);
        let mut out = Vec::with_capacity(self.txs.len());
        for (i, tx) in self.txs.iter().enumerate() {
            let mut tx = tx.clone();
            tx["SigningPubKey"] = json!("");
            let signers: Vec<Value> = signed
                .iter()
                .map(|s| json!({"Signer": {"Account": s.address, "SigningPubKey": hex::encode_upper(&s.public_key), "TxnSignature": hex::encode_upper(&s.signatures[i])}}))
                .collect();
            tx["Signers"] = Value::Array(signers);
            let blob = codec::encode(&tx).map_err(SignError::Codec)?;
            out.push(Combined {
                hash: sign::transaction_hash(&blob),
                tx_blob: hex::encode_upper(&blob),
                sequence: u32_field(&tx, "Sequence").unwrap_or(0),
                last_ledger_sequence: u32_field(&tx, "LastLedgerSequence").unwrap_or(0),
            });
        }
        Ok(out)
    }
}

/// The fee rippled requires of a multi-signed transaction: the base fee times one more
/// than the number of signatures. The online side prepares for every listed signer, so any
/// set of members that reaches the quorum can sign.
pub fn multisigned_fee(base_fee_drops: u64, list: &SignerList) -> u64 {
    base_fee_drops.saturating_mul(1 + list.entries.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::xrpl::keys::Seed;

    fn list(q: u32, w: &[(&str, u16)]) -> SignerList {
        SignerList { quorum: q, entries: w.iter().map(|(a, w)| SignerEntry { account: (*a).into(), weight: *w }).collect() }
    }

    const A: &str = "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn";
    const B: &str = "rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe";
    const C: &str = "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh";

    #[test]
    fn lists_follow_rippleds_rules_and_say_what_they_mean() {
        let l = list(2, &[(A, 1), (B, 1), (C, 1)]);
        assert!(l.check("r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6").is_ok());
        assert_eq!(l.describe(), format!("2-of-3: any 2 of {A}, {B}, {C}"));
        assert_eq!(list(3, &[(A, 2), (B, 1), (C, 1)]).describe(), format!("quorum 3 of a total weight 4: any signers whose weights add up to 3 (2 signer(s) at the fewest) of {A} (weight 2), {B} (weight 1), {C} (weight 1)"));
        assert_eq!(list(4, &[(A, 1), (B, 1)]).check("r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6"), Err(MultisigError::Quorum { quorum: 4, total: 2 }));
        assert_eq!(list(1, &[(A, 1), (A, 1)]).check("r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6"), Err(MultisigError::DuplicateSigner(A.into())));
        assert_eq!(list(1, &[(A, 1)]).check(A), Err(MultisigError::SelfSigner(A.into())));
        assert_eq!(list(1, &[(A, 0), (B, 1)]).check(C), Err(MultisigError::ZeroWeight(A.into())));
        assert_eq!(list(0, &[(A, 1)]).check(C), Err(MultisigError::Quorum { quorum: 0, total: 1 }));
        assert_eq!(list(1, &[]).check(C), Err(MultisigError::ListSize(0)));
        assert!(matches!(list(1, &[("rNotAnAddress", 1)]).check(C), Err(MultisigError::BadAddress(_))));
    }

    #[test]
    fn key_changes_that_lock_the_account_out_are_refused() {
        let keys = Seed::parse("shYHSiJod8CLPTj1SNJ2PdUFj4pFk", None).unwrap().key_pair();
        let mut acct = XrplAccount::new(&keys);
        let disable = json!({"TransactionType": "AccountSet", "SetFlag": 4});
        assert!(matches!(check_key_changes(&acct, std::slice::from_ref(&disable)), Err(MultisigError::KeyChange(_))));
        acct.regular_key = Some(A.into());
        assert!(check_key_changes(&acct, std::slice::from_ref(&disable)).is_ok());
        acct.master_disabled = true;
        let remove = json!({"TransactionType": "SetRegularKey"});
        assert!(matches!(check_key_changes(&acct, std::slice::from_ref(&remove)), Err(MultisigError::KeyChange(_))));
        acct.signer_list = Some(list(1, &[(B, 1)]));
        assert!(check_key_changes(&acct, std::slice::from_ref(&remove)).is_ok());
        let own = json!({"TransactionType": "SetRegularKey", "RegularKey": acct.address});
        assert!(matches!(check_key_changes(&acct, &[own]), Err(MultisigError::KeyChange(_))));
        let delete_list = json!({"TransactionType": "SignerListSet", "SignerQuorum": 0});
        acct.regular_key = None;
        assert!(matches!(check_key_changes(&acct, &[delete_list]), Err(MultisigError::KeyChange(_))));
    }
}
