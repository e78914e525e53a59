//! The XRPL review model: what a transaction asks the signer to do, as data. One function
//! builds it ([`review_transactions`]) for sign requests, template batches, replacements and
//! Keystone-style `bytes` requests alike; the CLI renders it with [`BatchReview::to_text`],
//! the offline app with its own widgets, from the same values.
//!
//! Nothing that will be signed is left out: every field of the decoded transaction is a
//! [`FieldLine`], in human terms where airsign knows the field (amounts with currency and
//! issuer, addresses, flags by name, dates, hex marked as hex) and raw otherwise. Value that
//! can leave the account is an [`Outflow`]; account-level consequences are [`Warning`]s. What
//! the review cannot name (a flag bit, an AccountSet flag, a pseudo-transaction, encrypted
//! amounts) is refused, not shown as "unknown".

use super::XrplAccount;
use crate::chain::xrpl::definitions::definitions;
use crate::chain::xrpl::u32_field;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// Seconds from the Unix epoch to the XRPL ("Ripple") epoch, 2000-01-01T00:00:00Z.
const RIPPLE_EPOCH: i64 = 946_684_800;
/// Networks whose id is at most this carry no NetworkID (rippled refuses one).
pub const LEGACY_NETWORK_ID_MAX: u32 = 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewRefusal {
    #[error("transaction {tx}: {kind} sets flag bit 0x{bit:08X}, which airsign cannot name; refusing to sign what it cannot show")]
    UnnamedFlag { tx: usize, kind: String, bit: u32 },
    #[error("transaction {tx}: AccountSet {field} {value} is not a flag airsign can name; refusing")]
    UnnamedAccountSetFlag { tx: usize, field: &'static str, value: u64 },
    #[error("transaction {tx}: {kind} is {why}; airsign does not sign it")]
    Unsupported { tx: usize, kind: String, why: &'static str },
    #[error("transaction {tx} is for NetworkID {found}, but this account is on {expected}")]
    WrongNetwork { tx: usize, found: String, expected: String },
    #[error("transaction {tx}: NetworkID {0} must not be given for networks with an id of 1024 or less (rippled refuses such transactions)", .id)]
    NetworkIdNotAllowed { tx: usize, id: u32 },
    #[error("transaction {tx}: field {field} cannot be shown: {why}")]
    Unshowable { tx: usize, field: String, why: &'static str },
}

/// Where a signature is valid: bound to one NetworkID, or (none given) on every network
/// whose id is at most 1024 (mainnet, testnet, devnet alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NetworkView {
    Unbound,
    Id(u32),
}

impl NetworkView {
    pub fn of(network_id: Option<u32>) -> Self {
        network_id.map_or(Self::Unbound, Self::Id)
    }

    pub fn describe(&self) -> String {
        match self {
            Self::Unbound => "no NetworkID: valid on mainnet, testnet and devnet alike (every network with an id of 1024 or less)".into(),
            Self::Id(21337) => "NetworkID 21337 (Xahau mainnet) only".into(),
            Self::Id(21338) => "NetworkID 21338 (Xahau testnet) only".into(),
            Self::Id(n) => format!("NetworkID {n} only"),
        }
    }

    /// The network in a few words, for error messages.
    pub fn short(&self) -> String {
        match self {
            Self::Unbound => "mainnet/testnet/devnet (no NetworkID)".into(),
            Self::Id(n) => format!("NetworkID {n}"),
        }
    }
}

/// What an amount is in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Asset {
    Xrp,
    Issued { currency: String, issuer: String },
    Mpt { issuance_id: String },
}

/// An amount as the review shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AmountView {
    pub asset: Asset,
    /// Decimal text in the asset's unit (XRP, not drops).
    pub value: String,
    /// XRP amounts also in drops, for exact sums.
    pub drops: Option<u64>,
}

impl AmountView {
    pub fn describe(&self) -> String {
        match &self.asset {
            Asset::Xrp => format!("{} XRP", self.value),
            Asset::Issued { currency, issuer } => format!("{} {currency} (issuer {issuer})", self.value),
            Asset::Mpt { issuance_id } => format!("{} of MPT {issuance_id}", self.value),
        }
    }
}

/// Value that can leave the account if this transaction is signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outflow {
    /// The field it comes from (Amount, SendMax, TakerGets...), or "Account balance".
    pub field: String,
    /// What the field means here, in words ("pays", "spends at most"...).
    pub role: String,
    /// None: the whole XRP balance (AccountDelete).
    pub amount: Option<AmountView>,
    pub to: Option<String>,
    /// Whether it adds to the headline's "can leave" total (SendMax bounds a Payment's
    /// Amount, so only one of them counts).
    pub counts: bool,
}

impl Outflow {
    pub fn describe(&self) -> String {
        let what = self.amount.as_ref().map_or("the ENTIRE XRP balance".to_owned(), AmountView::describe);
        let to = self.to.as_ref().map(|t| format!(" to {t}")).unwrap_or_default();
        format!("{} {what}{to} ({})", self.role, self.field)
    }
}

/// A consequence the user must not miss.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub text: String,
}

/// One field as shown: `depth` nests the members of objects and arrays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldLine {
    pub depth: u8,
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TxReview {
    pub transaction_type: String,
    pub account: String,
    pub sequence: u32,
    pub ticket: Option<u32>,
    pub fee_drops: u64,
    pub last_ledger_sequence: Option<u32>,
    pub network: NetworkView,
    /// One line in words: "Payment: pays 1 XRP to r...".
    pub action: String,
    pub outflows: Vec<Outflow>,
    pub warnings: Vec<Warning>,
    /// Every field of the transaction, in the codec's canonical order.
    pub fields: Vec<FieldLine>,
    /// A Batch's inner transactions, each in full.
    pub inner: Vec<TxReview>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchReview {
    pub account: String,
    pub network: NetworkView,
    /// The figures to check first, in one line.
    pub headline: String,
    pub transactions: Vec<TxReview>,
    /// What the review could not verify and says so (the online side's claims).
    pub notes: Vec<String>,
}

impl BatchReview {
    pub fn warnings(&self) -> impl Iterator<Item = (usize, &Warning)> {
        self.transactions.iter().enumerate().flat_map(|(i, t)| t.all_warnings().into_iter().map(move |w| (i, w)))
    }

    /// The review as the CLI prints it (the app draws the same model).
    pub fn to_text(&self) -> String {
        let mut s = format!("XRPL account {}\nnetwork: {}\n{}\n", self.account, self.network.describe(), self.headline);
        self.write_warnings(&mut s);
        for note in &self.notes {
            s += &format!("note: {note}\n");
        }
        for (i, t) in self.transactions.iter().enumerate() {
            s += &format!("\nTransaction {} of {}:\n", i + 1, self.transactions.len());
            t.write_text(&mut s, 1);
        }
        s
    }

    /// Every warning of the batch, as a banner above the transactions.
    fn write_warnings(&self, s: &mut String) {
        let warnings: Vec<_> = self.warnings().collect();
        if !warnings.is_empty() {
            *s += &format!("\nWARNINGS ({}):\n", warnings.len());
            for (i, w) in warnings {
                *s += &format!("  !! transaction {}: {}\n", i + 1, w.text);
            }
        }
    }

    /// The review as the CLI prints it before asking: warnings first, then per transaction
    /// a table of what can leave the account (amounts with their decimal points in one
    /// column, then the unit, then the destination whole), the fee, the Sequence and the
    /// expiry, and after it every field of the transaction, aligned.
    pub fn to_table(&self) -> String {
        let mut s = format!("XRPL account {}\nnetwork:  {}\nsummary:  {}\n", self.account, self.network.describe(), self.headline);
        self.write_warnings(&mut s);
        for note in &self.notes {
            s += &format!("TRUSTED, NOT VERIFIED: {note}\n");
        }
        let n = self.transactions.len();
        for (i, t) in self.transactions.iter().enumerate() {
            s += &format!("\nTransaction {} of {n}: {}\n", i + 1, t.action);
            t.write_table(&mut s);
            s += "  every field:\n";
            t.write_fields(&mut s, 2);
        }
        s
    }
}

impl TxReview {
    /// The summary rows: (what, amount or blank, unit, detail), aligned on the decimal point.
    fn write_table(&self, s: &mut String) {
        let mut rows: Vec<(String, String, String, String)> = Vec::new();
        for o in self.all_outflows() {
            let to = o.to.as_ref().map(|t| format!("to {t}  ")).unwrap_or_default();
            let (value, unit) = match &o.amount {
                None => (String::new(), "the ENTIRE XRP balance".to_owned()),
                Some(a) => match &a.asset {
                    Asset::Xrp => (a.value.clone(), "XRP".to_owned()),
                    Asset::Issued { currency, issuer } => (a.value.clone(), format!("{currency} (issuer {issuer})")),
                    Asset::Mpt { issuance_id } => (a.value.clone(), format!("MPT {issuance_id}")),
                },
            };
            let counted = if o.counts { "" } else { ", bounds the above" };
            rows.push((o.role.clone(), value, unit, format!("{to}({}{counted})", o.field)));
        }
        rows.push(("fee".into(), drops_to_xrp(self.fee_drops), "XRP".into(), String::new()));
        let sequence = match self.ticket {
            Some(t) => format!("Ticket {t} (Sequence {})", self.sequence),
            None => format!("Sequence {}", self.sequence),
        };
        rows.push(("uses".into(), String::new(), sequence, String::new()));
        let expiry = self.last_ledger_sequence.map_or("never: no LastLedgerSequence".to_owned(), |l| format!("after ledger {l} (LastLedgerSequence)"));
        rows.push(("expires".into(), String::new(), expiry, String::new()));
        let split = |v: &str| -> (String, String) {
            match v.split_once('.') {
                Some((w, f)) => (w.to_owned(), format!(".{f}")),
                None => (v.to_owned(), String::new()),
            }
        };
        let parts: Vec<(String, String)> = rows.iter().map(|r| split(&r.1)).collect();
        let kind = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
        let whole = parts.iter().map(|p| p.0.len()).max().unwrap_or(0);
        let frac = parts.iter().map(|p| p.1.len()).max().unwrap_or(0);
        for ((k, _, unit, detail), (w, f)) in rows.iter().zip(&parts) {
            let line = format!("  {k:<kind$}  {w:>whole$}{f:<frac$}  {unit}  {detail}");
            *s += line.trim_end();
            *s += "\n";
        }
    }

    /// Its warnings and those of its inner transactions.
    pub fn all_warnings(&self) -> Vec<&Warning> {
        let mut w: Vec<&Warning> = self.warnings.iter().collect();
        for i in &self.inner {
            w.extend(i.all_warnings());
        }
        w
    }

    fn all_outflows(&self) -> Vec<&Outflow> {
        let mut o: Vec<&Outflow> = self.outflows.iter().collect();
        for i in self.inner.iter().filter(|i| i.account == self.account) {
            o.extend(i.all_outflows());
        }
        o
    }

    fn write_text(&self, s: &mut String, indent: usize) {
        *s += &format!("{}{}\n", "  ".repeat(indent), self.action);
        self.write_fields(s, indent);
    }

    /// Every field, names aligned, then the inner transactions (each with its action).
    fn write_fields(&self, s: &mut String, indent: usize) {
        let pad = "  ".repeat(indent);
        let width = self.fields.iter().map(|f| f.name.len() + 2 * f.depth as usize).max().unwrap_or(0);
        for f in &self.fields {
            let name = format!("{}{}", "  ".repeat(f.depth as usize), f.name);
            *s += &format!("{pad}  {name:<width$}  {}\n", f.value);
        }
        for (n, inner) in self.inner.iter().enumerate() {
            *s += &format!("{pad}  inner transaction {} of {}:\n", n + 1, self.inner.len());
            inner.write_text(s, indent + 2);
        }
    }
}

/// Reviews transactions (decoded JSON, as the codec gives them) of `account`. The caller
/// has checked who they are from and bounded what the online side claims
/// (`super::bounds`); this refuses what cannot be shown and describes the rest.
pub fn review_transactions(account: &XrplAccount, txs: &[Value], online_network_claim: Option<&str>) -> Result<BatchReview, ReviewRefusal> {
    let mut transactions = Vec::with_capacity(txs.len());
    for (i, tx) in txs.iter().enumerate() {
        transactions.push(review_tx(account, i + 1, tx, false)?);
    }
    let network = NetworkView::of(account.network_id);
    let mut notes = Vec::new();
    if let Some(claim) = online_network_claim.filter(|c| !c.is_empty()) {
        notes.push(format!("the online side calls the network '{claim}'; that is its claim, not checked here: the signature is valid where the line 'network' says"));
    }
    let headline = headline(&transactions);
    Ok(BatchReview { account: account.address.clone(), network, headline, transactions, notes })
}

/// The headline: how many transactions, what can leave (XRP summed exactly, other assets
/// listed), to how many addresses, fees, warnings.
fn headline(txs: &[TxReview]) -> String {
    let mut xrp: u64 = 0;
    let mut others: Vec<String> = Vec::new();
    let mut whole_balance = false;
    let mut to = BTreeSet::new();
    let mut fees: u64 = 0;
    for t in txs {
        fees = fees.saturating_add(t.fee_drops);
        for o in t.all_outflows().into_iter().filter(|o| o.counts) {
            if let Some(d) = &o.to {
                to.insert(d.clone());
            }
            match &o.amount {
                None => whole_balance = true,
                Some(AmountView { drops: Some(d), .. }) => xrp = xrp.saturating_add(*d),
                Some(a) => others.push(a.describe()),
            }
        }
    }
    let mut leaving = vec![format!("{} XRP", drops_to_xrp(xrp))];
    leaving.extend(others);
    if whole_balance {
        leaving.push("the ENTIRE XRP balance (AccountDelete)".into());
    }
    let warnings: usize = txs.iter().map(|t| t.all_warnings().len()).sum();
    let mut line = format!(
        "{} transaction(s): up to {} can leave the account, to {} address(es); fees {} XRP",
        txs.len(),
        leaving.join(" + "),
        to.len(),
        drops_to_xrp(fees)
    );
    if warnings > 0 {
        line += &format!("; {warnings} WARNING(S)");
    }
    line
}

fn review_tx(account: &XrplAccount, index: usize, tx: &Value, inner: bool) -> Result<TxReview, ReviewRefusal> {
    let unshowable = |field: &str, why| ReviewRefusal::Unshowable { tx: index, field: field.to_owned(), why };
    let o = tx.as_object().ok_or_else(|| unshowable("transaction", "not an object"))?;
    let kind = o.get("TransactionType").and_then(Value::as_str).ok_or_else(|| unshowable("TransactionType", "missing"))?.to_owned();
    refuse_unsupported(index, &kind)?;
    let u32_of = |k: &str| u32_field(tx, k);
    let from = o.get("Account").and_then(Value::as_str).unwrap_or("").to_owned();
    let network_id = u32_of("NetworkID");
    if let Some(id) = network_id.filter(|id| *id <= LEGACY_NETWORK_ID_MAX) {
        return Err(ReviewRefusal::NetworkIdNotAllowed { tx: index, id });
    }
    if !inner && network_id != account.network_id {
        return Err(ReviewRefusal::WrongNetwork { tx: index, found: NetworkView::of(network_id).short(), expected: NetworkView::of(account.network_id).short() });
    }
    let flags = u32_of("Flags").unwrap_or(0);
    let flag_names = name_flags(index, &kind, flags)?;
    if !inner && flags & TF_INNER_BATCH_TXN != 0 {
        return Err(ReviewRefusal::Unsupported { tx: index, kind, why: "marked as a Batch inner transaction (tfInnerBatchTxn) but signed on its own" });
    }

    let mut r = TxReview {
        transaction_type: kind.clone(),
        account: from.clone(),
        sequence: u32_of("Sequence").unwrap_or(0),
        ticket: u32_of("TicketSequence"),
        fee_drops: o.get("Fee").and_then(Value::as_str).and_then(|f| f.parse().ok()).unwrap_or(0),
        last_ledger_sequence: u32_of("LastLedgerSequence"),
        network: NetworkView::of(network_id),
        action: String::new(),
        outflows: Vec::new(),
        warnings: Vec::new(),
        fields: Vec::new(),
        inner: Vec::new(),
    };
    let ctx = Ctx { tx_index: index, account: &account.address, kind: &kind, flag_names: &flag_names };
    for (name, value) in o {
        field_lines(&ctx, name, value, 0, &mut r.fields)?;
    }
    if from != account.address {
        r.warnings.push(warn(format!("this is a transaction of ANOTHER account, {from}")));
    }
    classify(account, index, o, &flag_names, &mut r)?;
    if let Some(d) = o.get("Delegate").and_then(Value::as_str) {
        r.warnings.push(warn(format!("sent by delegate {d} on behalf of {from}: the delegate's permissions apply")));
    }
    r.action = action_line(&r, o);
    Ok(r)
}

const TF_INNER_BATCH_TXN: u32 = 0x4000_0000;

fn refuse_unsupported(tx: usize, kind: &str) -> Result<(), ReviewRefusal> {
    let why = match kind {
        "EnableAmendment" | "SetFee" | "UNLModify" => "a pseudo-transaction that only validators create",
        k if k.starts_with("ConfidentialMPT") => "a confidential transfer whose amounts are encrypted, so the review could not show them",
        "Invalid" => "not a transaction type",
        _ => return Ok(()),
    };
    Err(ReviewRefusal::Unsupported { tx, kind: kind.to_owned(), why })
}

/// The names of every set bit of `Flags`; a bit without a name is refused.
fn name_flags(tx: usize, kind: &str, flags: u32) -> Result<Vec<&'static str>, ReviewRefusal> {
    let known = definitions().transaction_flags(kind);
    let mut names = Vec::new();
    for bit in (0..32).map(|b| 1u32 << b).filter(|b| flags & b != 0) {
        match known.iter().find(|(_, v)| *v == bit) {
            Some((n, _)) => names.push(*n),
            None => return Err(ReviewRefusal::UnnamedFlag { tx, kind: kind.to_owned(), bit }),
        }
    }
    Ok(names)
}

struct Ctx<'a> {
    tx_index: usize,
    account: &'a str,
    kind: &'a str,
    flag_names: &'a [&'static str],
}

fn field_lines(ctx: &Ctx, name: &str, value: &Value, depth: u8, out: &mut Vec<FieldLine>) -> Result<(), ReviewRefusal> {
    let line = |value: String| FieldLine { depth, name: name.to_owned(), value };
    let type_name = definitions().field(name).map(|f| f.type_name.as_str()).unwrap_or("");
    match (name, type_name, value) {
        ("Flags", _, Value::Number(_)) if depth == 0 => {
            let names = if ctx.flag_names.is_empty() { "none".to_owned() } else { ctx.flag_names.join(", ") };
            out.push(line(format!("{names} ({})", value)));
        }
        ("SetFlag" | "ClearFlag", _, Value::Number(n)) if ctx.kind == "AccountSet" => {
            let v = n.as_u64().unwrap_or(u64::MAX);
            let flag = u32::try_from(v).ok().and_then(|v| definitions().account_set_flag_name(v));
            let which = if name == "SetFlag" { "SetFlag" } else { "ClearFlag" };
            let flag = flag.ok_or(ReviewRefusal::UnnamedAccountSetFlag { tx: ctx.tx_index, field: which, value: v })?;
            out.push(line(format!("{flag} ({v})")));
        }
        ("Fee", _, Value::String(d)) => out.push(line(format!("{} XRP", drops_text(d)))),
        ("TransferRate", _, Value::Number(n)) => out.push(line(transfer_rate(n.as_u64().unwrap_or(0)))),
        ("TradingFee", _, Value::Number(n)) => out.push(line(format!("{}% ({n})", ratio_text(n.as_u64().unwrap_or(0), 1000)))),
        ("CancelAfter" | "FinishAfter" | "Expiration", _, Value::Number(n)) => {
            out.push(line(format!("{} ({n}, seconds since 2000-01-01)", utc_date(RIPPLE_EPOCH + n.as_i64().unwrap_or(0)))));
        }
        ("LastUpdateTime", _, Value::Number(n)) => out.push(line(format!("{} ({n}, Unix time)", utc_date(n.as_i64().unwrap_or(0))))),
        ("TransactionType", _, Value::String(t)) => out.push(line(t.clone())),
        (_, "AccountID", Value::String(a)) => {
            let ours = if a == ctx.account { " (this account)" } else { "" };
            out.push(line(format!("{a}{ours}")));
        }
        (_, "Amount", v) => out.push(line(amount_view(v).map(|a| a.describe()).ok_or_else(|| ReviewRefusal::Unshowable { tx: ctx.tx_index, field: name.into(), why: "not an amount" })?)),
        (_, "Blob", Value::String(h)) => out.push(line(blob_text(h))),
        (_, "Currency", Value::String(c)) => out.push(line(currency_text(c))),
        (_, t, Value::String(h)) if t.starts_with("Hash") => out.push(line(format!("hex {h}"))),
        (_, "PathSet", Value::Array(paths)) => {
            out.push(line(format!("{} path(s) through third parties", paths.len())));
            for (i, p) in paths.iter().enumerate() {
                let steps: Vec<String> = p.as_array().map(|s| s.iter().map(path_step).collect()).unwrap_or_default();
                out.push(FieldLine { depth: depth + 1, name: format!("path {}", i + 1), value: steps.join(" -> ") });
            }
        }
        (_, "Vector256", Value::Array(items)) => {
            out.push(line(format!("{} hash(es)", items.len())));
            for (i, h) in items.iter().enumerate() {
                out.push(FieldLine { depth: depth + 1, name: format!("#{}", i + 1), value: format!("hex {}", h.as_str().unwrap_or("?")) });
            }
        }
        (_, _, Value::Object(members)) => {
            out.push(line(if type_name == "Issue" || looks_like_issue(members) { issue_text(members) } else { String::new() }));
            if !(type_name == "Issue" || looks_like_issue(members)) {
                for (k, v) in members {
                    field_lines(ctx, k, v, depth + 1, out)?;
                }
            }
        }
        (_, _, Value::Array(items)) => {
            out.push(line(format!("{} entr{}", items.len(), if items.len() == 1 { "y" } else { "ies" })));
            for item in items {
                match item {
                    Value::Object(wrapper) => {
                        for (k, v) in wrapper {
                            field_lines(ctx, k, v, depth + 1, out)?;
                        }
                    }
                    other => out.push(FieldLine { depth: depth + 1, name: "-".into(), value: other.to_string() }),
                }
            }
        }
        (_, _, Value::String(s)) => out.push(line(s.clone())),
        (_, _, other) => out.push(line(other.to_string())),
    }
    Ok(())
}

fn looks_like_issue(m: &Map<String, Value>) -> bool {
    m.keys().all(|k| matches!(k.as_str(), "currency" | "issuer" | "mpt_issuance_id")) && !m.is_empty()
}

fn issue_text(m: &Map<String, Value>) -> String {
    if let Some(id) = m.get("mpt_issuance_id").and_then(Value::as_str) {
        return format!("MPT {id}");
    }
    let currency = m.get("currency").and_then(Value::as_str).unwrap_or("?");
    match m.get("issuer").and_then(Value::as_str) {
        Some(i) => format!("{} (issuer {i})", currency_text(currency)),
        None => currency_text(currency),
    }
}

fn path_step(step: &Value) -> String {
    let get = |k| step.get(k).and_then(Value::as_str);
    let mut parts = Vec::new();
    if let Some(a) = get("account") {
        parts.push(format!("via {a}"));
    }
    if let Some(c) = get("currency") {
        parts.push(currency_text(c));
    }
    if let Some(i) = get("issuer") {
        parts.push(format!("issuer {i}"));
    }
    parts.join(" ")
}

/// The amount a field holds, as the codec decodes it.
pub fn amount_view(v: &Value) -> Option<AmountView> {
    match v {
        Value::String(d) => {
            let drops: u64 = d.parse().ok()?;
            Some(AmountView { asset: Asset::Xrp, value: drops_to_xrp(drops), drops: Some(drops) })
        }
        Value::Object(o) if o.contains_key("mpt_issuance_id") => Some(AmountView {
            asset: Asset::Mpt { issuance_id: o.get("mpt_issuance_id")?.as_str()?.to_owned() },
            value: o.get("value")?.as_str()?.to_owned(),
            drops: None,
        }),
        Value::Object(o) => Some(AmountView {
            asset: Asset::Issued { currency: currency_text(o.get("currency")?.as_str()?), issuer: o.get("issuer")?.as_str()?.to_owned() },
            value: o.get("value")?.as_str()?.to_owned(),
            drops: None,
        }),
        _ => None,
    }
}

/// A currency code: three letters as they are; a 40-hex code as its text when it is
/// printable ASCII, marked as non-standard, else as hex.
fn currency_text(c: &str) -> String {
    if c.len() != 40 {
        return c.to_owned();
    }
    match hex::decode(c).ok().map(|b| b.into_iter().filter(|b| *b != 0).collect::<Vec<u8>>()) {
        Some(t) if !t.is_empty() && t.iter().all(|b| b.is_ascii_graphic() || *b == b' ') && c.as_bytes()[..2] != *b"00" => {
            format!("\"{}\" (non-standard code {c})", String::from_utf8_lossy(&t))
        }
        _ => format!("hex code {c}"),
    }
}

/// A blob: hex always; its text too when it is printable UTF-8.
fn blob_text(h: &str) -> String {
    let bytes = hex::decode(h).unwrap_or_default();
    let n = bytes.len();
    if n == 0 {
        return "empty (0 bytes)".into();
    }
    match std::str::from_utf8(&bytes) {
        Ok(t) if n > 0 && t.chars().all(|c| !c.is_control() || c == '\n') => format!("\"{}\" (text; hex {h}, {n} bytes)", t.escape_debug()),
        _ => format!("hex {h} ({n} bytes)"),
    }
}

fn transfer_rate(rate: u64) -> String {
    match rate {
        0 => "0 (clears the transfer fee)".into(),
        r if r >= 1_000_000_000 => format!("{}% transfer fee ({r})", ratio_text(r - 1_000_000_000, 10_000_000)),
        r => format!("{r} (below 1000000000: invalid)"),
    }
}

/// `n / per` as a percentage text, exact.
fn ratio_text(n: u64, per: u64) -> String {
    let whole = n / per;
    let frac = n % per;
    if frac == 0 {
        return whole.to_string();
    }
    let digits = per.to_string().len() - 1;
    let s = format!("{whole}.{frac:0digits$}");
    s.trim_end_matches('0').to_owned()
}

pub fn drops_to_xrp(d: u64) -> String {
    let s = format!("{}.{:06}", d / 1_000_000, d % 1_000_000);
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn drops_text(d: &str) -> String {
    d.parse::<u64>().map(drops_to_xrp).unwrap_or_else(|_| format!("{d} drops (not a number)"))
}

/// `YYYY-MM-DD HH:MM:SS UTC` (proleptic Gregorian; Howard Hinnant's days-to-civil).
pub fn utc_date(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC", secs / 3600, secs / 60 % 60, secs % 60)
}

pub(crate) fn warn(text: String) -> Warning {
    Warning { text }
}

/// Outflows and warnings by transaction type.
fn classify(account: &XrplAccount, index: usize, o: &Map<String, Value>, flags: &[&str], r: &mut TxReview) -> Result<(), ReviewRefusal> {
    let s = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_owned);
    let dest = s("Destination");
    let has = |f: &str| flags.contains(&f);
    let mut out = |field: &str, role: &str, to: Option<String>, counts: bool| {
        if let Some(a) = o.get(field).and_then(amount_view) {
            r.outflows.push(Outflow { field: field.into(), role: role.into(), amount: Some(a), to, counts });
        }
    };
    // Amount-typed fields this match names; any other Amount field counts as an outflow
    // whose role airsign does not know (below).
    let named: &[&str] = match r.transaction_type.as_str() {
        "Payment" => {
            let bounded = o.contains_key("SendMax");
            out("Amount", if has("tfPartialPayment") { "delivers at most" } else { "pays" }, dest.clone(), !bounded);
            out("SendMax", "spends at most", dest.clone(), true);
            out("DeliverMin", "delivers at least", dest.clone(), false);
            &["Amount", "SendMax", "DeliverMin"]
        }
        "AccountDelete" => {
            r.outflows.push(Outflow { field: "Account balance".into(), role: "sends".into(), amount: None, to: dest.clone(), counts: true });
            &[]
        }
        "EscrowCreate" => {
            out("Amount", "locks in escrow for", dest.clone(), true);
            &["Amount"]
        }
        "PaymentChannelCreate" => {
            out("Amount", "puts into a payment channel to", dest.clone(), true);
            &["Amount"]
        }
        "PaymentChannelFund" => {
            out("Amount", "adds to payment channel", s("Channel"), true);
            &["Amount"]
        }
        "PaymentChannelClaim" => {
            out("Balance", "releases from payment channel (total)", s("Channel"), true);
            out("Amount", "authorises from payment channel", s("Channel"), false);
            &["Balance", "Amount"]
        }
        "CheckCreate" => {
            out("SendMax", "lets a check cash at most", dest.clone(), true);
            &["SendMax"]
        }
        "CheckCash" => &["Amount", "DeliverMin"],
        "OfferCreate" => {
            out("TakerGets", "offers to give", None, true);
            &["TakerGets", "TakerPays"]
        }
        "NFTokenCreateOffer" => {
            if !has("tfSellNFToken") {
                out("Amount", "offers to pay for the NFToken", s("Owner"), true);
            }
            &["Amount"]
        }
        "NFTokenAcceptOffer" => &["NFTokenBrokerFee"],
        "NFTokenMint" => &["Amount"],
        "AMMCreate" => {
            out("Amount", "deposits into a new AMM", None, true);
            out("Amount2", "deposits into a new AMM", None, true);
            &["Amount", "Amount2"]
        }
        "AMMDeposit" => {
            out("Amount", "deposits at most", None, true);
            out("Amount2", "deposits at most", None, true);
            &["Amount", "Amount2", "EPrice", "LPTokenOut"]
        }
        "AMMWithdraw" => {
            out("LPTokenIn", "returns LP tokens", None, true);
            &["Amount", "Amount2", "EPrice", "LPTokenIn"]
        }
        "AMMBid" => {
            let max = o.contains_key("BidMax");
            out("BidMax", "bids at most", None, true);
            out("BidMin", "bids at least", None, !max);
            &["BidMin", "BidMax"]
        }
        "Clawback" | "AMMClawback" => &["Amount"],
        "TrustSet" => &["LimitAmount"],
        "XChainCommit" => {
            out("Amount", "locks on the bridge", s("OtherChainDestination"), true);
            &["Amount"]
        }
        "XChainAccountCreateCommit" => {
            out("Amount", "sends across the bridge", dest.clone(), true);
            out("SignatureReward", "pays witnesses", None, true);
            &["Amount", "SignatureReward"]
        }
        "XChainCreateClaimID" => {
            out("SignatureReward", "pays witnesses", None, true);
            &["SignatureReward"]
        }
        "XChainClaim" => &["Amount"],
        "XChainCreateBridge" | "XChainModifyBridge" => &["SignatureReward", "MinAccountCreateAmount"],
        "VaultDeposit" | "LoanBrokerCoverDeposit" | "LoanPay" => {
            out("Amount", "deposits", None, true);
            &["Amount"]
        }
        "VaultWithdraw" | "LoanBrokerCoverWithdraw" | "VaultClawback" | "LoanBrokerCoverClawback" => &["Amount"],
        _ => &[],
    };
    for (k, v) in o {
        // The Fee is shown (and summed) apart.
        let is_amount = definitions().field(k).is_some_and(|f| f.type_name == "Amount") && k != "Fee";
        if is_amount && !named.contains(&k.as_str()) {
            if let Some(a) = amount_view(v) {
                r.outflows.push(Outflow { field: k.clone(), role: "may move (airsign does not know this field's role: counted as leaving)".into(), amount: Some(a), to: dest.clone(), counts: true });
            }
        }
    }

    let w = &mut r.warnings;
    match r.transaction_type.as_str() {
        "SetRegularKey" => w.push(warn(match s("RegularKey") {
            Some(k) => format!("hands signing power over this account to the key of {k}: whoever holds it can sign anything for {}", account.address),
            None => "REMOVES the regular key: only the master key (or a signer list) can sign afterwards".into(),
        })),
        "SignerListSet" => w.push(warn(match super::multisig::SignerList::from_tx(&Value::Object(o.clone())) {
            None => "DELETES the signer list (multi-signing no longer possible)".into(),
            Some(list) => format!("lets these signers sign anything for {} together: {}", account.address, list.describe()),
        })),
        "AccountDelete" => w.push(warn(format!("DELETES this account and sends its ENTIRE XRP balance to {}", dest.as_deref().unwrap_or("?")))),
        "AccountSet" => {
            for (field, verb) in [("SetFlag", "sets"), ("ClearFlag", "clears")] {
                if let Some(n) = o.get(field).and_then(Value::as_u64).and_then(|v| u32::try_from(v).ok()) {
                    let name = definitions().account_set_flag_name(n).unwrap_or("?");
                    w.push(warn(format!("{verb} {name}: {}", account_flag_meaning(name))));
                }
            }
            if let Some(m) = s("NFTokenMinter") {
                w.push(warn(format!("lets {m} mint NFTokens on this account's behalf")));
            }
            if o.contains_key("TransferRate") {
                w.push(warn("changes the transfer fee charged when this account's issued tokens change hands".into()));
            }
            for f in flags.iter().filter(|f| f.starts_with("tf") && **f != "tfFullyCanonicalSig") {
                w.push(warn(format!("flag {f} changes how this account accepts payments or trust lines")));
            }
        }
        "DepositPreauth" => {
            for (field, text) in [("Authorize", "lets {} pay into this account even when DepositAuth is on"), ("Unauthorize", "withdraws {}'s permission to pay into this account")] {
                if let Some(a) = s(field) {
                    w.push(warn(text.replace("{}", &a)));
                }
            }
            if o.contains_key("AuthorizeCredentials") || o.contains_key("UnauthorizeCredentials") {
                w.push(warn("changes which credentials may pay into this account".into()));
            }
        }
        "DelegateSet" => {
            let perms = o.get("Permissions").and_then(Value::as_array).map(|p| p.len()).unwrap_or(0);
            w.push(warn(format!("lets {} send {perms} kind(s) of transaction on this account's behalf (see Permissions)", s("Authorize").as_deref().unwrap_or("?"))));
        }
        "OfferCreate" => w.push(warn("trades on the decentralized exchange: the offer may fill against anyone at the rate TakerPays/TakerGets or better".into())),
        "NFTokenAcceptOffer" => w.push(warn("accepts an NFToken offer: its price and token are in the offer object on the ledger, which this review cannot see".into())),
        "NFTokenCreateOffer" if has("tfSellNFToken") => w.push(warn(format!("offers to SELL NFToken {}", s("NFTokenID").as_deref().unwrap_or("?")))),
        "NFTokenBurn" => w.push(warn(format!("DESTROYS NFToken {}", s("NFTokenID").as_deref().unwrap_or("?")))),
        "TicketCreate" => w.push(warn("creates tickets: transactions can then be signed out of Sequence order".into())),
        "Clawback" | "AMMClawback" => w.push(warn("claws back issued tokens from a holder".into())),
        "Batch" => w.push(warn(format!("a Batch: {} inner transaction(s) run together ({})", o.get("RawTransactions").and_then(Value::as_array).map(|a| a.len()).unwrap_or(0), flags.iter().filter(|f| **f != "tfFullyCanonicalSig").copied().collect::<Vec<_>>().join(", ")))),
        "AMMWithdraw" if has("tfWithdrawAll") || has("tfOneAssetWithdrawAll") => w.push(warn("withdraws this account's whole AMM position".into())),
        "PaymentChannelClaim" if has("tfClose") => w.push(warn("requests to CLOSE the payment channel".into())),
        "TrustSet" => {
            for f in flags.iter().filter(|f| matches!(**f, "tfSetFreeze" | "tfSetDeepFreeze" | "tfClearNoRipple" | "tfSetfAuth")) {
                w.push(warn(format!("{f}: changes what the trust line's other side can do")));
            }
        }
        _ => {}
    }
    if has("tfPartialPayment") {
        w.push(warn(format!("partial payment (tfPartialPayment): the destination may receive LESS than Amount{}", if o.contains_key("DeliverMin") { ", down to DeliverMin" } else { ", down to almost nothing" })));
    }
    if let Some(paths) = o.get("Paths").and_then(Value::as_array) {
        let via: BTreeSet<String> = paths.iter().flat_map(|p| p.as_array().into_iter().flatten()).filter_map(|s| s.get("account").and_then(Value::as_str).map(str::to_owned)).collect();
        w.push(warn(format!("routed through third parties ({} path(s){})", paths.len(), if via.is_empty() { String::new() } else { format!(", via {}", via.into_iter().collect::<Vec<_>>().join(", ")) })));
    }
    if r.transaction_type == "Batch" {
        for item in o.get("RawTransactions").and_then(Value::as_array).into_iter().flatten() {
            let inner = item.get("RawTransaction").ok_or(ReviewRefusal::Unshowable { tx: index, field: "RawTransactions".into(), why: "an entry that is not a RawTransaction" })?;
            r.inner.push(review_tx(account, index, inner, true)?);
        }
    }
    Ok(())
}

fn account_flag_meaning(name: &str) -> &'static str {
    match name {
        "asfDisableMaster" => "the MASTER KEY can no longer sign; only the regular key or signer list can (lose those and the account is lost)",
        "asfRequireAuth" => "holders need this account's approval for each trust line",
        "asfNoFreeze" => "PERMANENTLY gives up the power to freeze trust lines (cannot be undone)",
        "asfGlobalFreeze" => "freezes every trust line of tokens this account issues",
        "asfAllowTrustLineClawback" => "PERMANENTLY allows clawing back issued tokens (cannot be undone)",
        "asfDepositAuth" => "only preauthorized accounts can pay into this account",
        "asfRequireDest" => "incoming payments must carry a destination tag",
        "asfDisallowXRP" => "asks senders not to send XRP (advisory)",
        "asfDefaultRipple" => "lets payments ripple through this account's trust lines by default",
        "asfAuthorizedNFTokenMinter" => "lets the NFTokenMinter account mint on this account's behalf",
        "asfAccountTxnID" => "tracks the account's last transaction ID",
        "asfAllowTrustLineLocking" => "lets holders lock this account's tokens in escrow",
        n if n.starts_with("asfDisallowIncoming") => "refuses a kind of incoming object (checks, offers, channels or trust lines)",
        _ => "an account-level setting",
    }
}

fn action_line(r: &TxReview, o: &Map<String, Value>) -> String {
    let mut line = format!("{}, Sequence {}", r.transaction_type, r.sequence);
    if let Some(t) = r.ticket {
        line = format!("{}, Ticket {t}", r.transaction_type);
    }
    let what: Vec<String> = r.outflows.iter().map(Outflow::describe).collect();
    if !what.is_empty() {
        line += &format!(": {}", what.join("; "));
    }
    if let Some(tag) = o.get("DestinationTag") {
        line += &format!(", destination tag {tag}");
    }
    line += &format!(", fee {} XRP", drops_to_xrp(r.fee_drops));
    if let Some(l) = r.last_ledger_sequence {
        line += &format!(", valid until ledger {l}");
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_ratios_are_exact() {
        assert_eq!(utc_date(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc_date(RIPPLE_EPOCH), "2000-01-01 00:00:00 UTC");
        assert_eq!(utc_date(1_709_251_199), "2024-02-29 23:59:59 UTC");
        assert_eq!(transfer_rate(1_002_000_000), "0.2% transfer fee (1002000000)");
        assert_eq!(ratio_text(500, 1000), "0.5");
        assert_eq!(drops_to_xrp(1_000_001), "1.000001");
    }

    #[test]
    fn the_table_aligns_amounts_and_keeps_every_field() {
        let seed = crate::chain::xrpl::keys::Seed::parse("shYHSiJod8CLPTj1SNJ2PdUFj4pFk", None).unwrap();
        let account = XrplAccount::new(&seed.key_pair());
        let dest = "rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe";
        let pay = |amount: Value, seq: u32| serde_json::json!({"TransactionType": "Payment", "Account": account.address, "Destination": dest, "Amount": amount, "Fee": "12", "Sequence": seq, "LastLedgerSequence": 9000, "Flags": 0, "SigningPubKey": ""});
        let usd = serde_json::json!({"currency": "USD", "issuer": dest, "value": "1234.5"});
        let review = review_transactions(&account, &[pay(Value::from("1000000"), 5), pay(usd, 6)], None).unwrap();
        let table = review.to_table();
        let lines: Vec<&str> = table.lines().collect();
        let pays: Vec<&str> = lines.iter().copied().filter(|l| l.trim_start().starts_with("pays")).collect();
        assert_eq!(pays.len(), 2, "{table}");
        // Within a transaction the decimal points line up with the fee's.
        let t1: Vec<&str> = lines.iter().copied().skip_while(|l| !l.starts_with("Transaction 1 of 2")).take(4).collect();
        assert_eq!(t1[1], format!("  pays     1         XRP  to {dest}  (Amount)"), "{table}");
        assert_eq!(t1[2], "  fee      0.000012  XRP", "{table}");
        assert!(table.contains("USD (issuer rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe)"), "{table}");
        assert!(table.contains("Sequence 5") && table.contains("after ledger 9000 (LastLedgerSequence)"), "{table}");
        // Every field is still there, after the summary.
        for t in &review.transactions {
            for f in &t.fields {
                assert!(table.contains(&f.value), "{} missing: {table}", f.name);
            }
        }
    }

    #[test]
    fn currencies_are_shown_as_text_or_hex() {
        assert_eq!(currency_text("USD"), "USD");
        assert_eq!(currency_text("524C555344000000000000000000000000000000"), "\"RLUSD\" (non-standard code 524C555344000000000000000000000000000000)");
        assert_eq!(currency_text("0000000000000000000000005553440000000000"), "hex code 0000000000000000000000005553440000000000");
    }
}
