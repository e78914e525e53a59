//! What the signer defends against, one test per attack (docs/security.md lists them). The
//! online machine is the attacker: it builds sign requests, reports the account's state and
//! the fee, and writes the unsigned Monero sets. Each test is the attack, then the refusal
//! or the exact words the review shows.

use airsign::chain::monero::keys::{Network, WalletKeys};
use airsign::chain::monero::outputs::OutputScanner;
use airsign::chain::monero::review::{review, ReviewError, DECOY_NOTE};
use airsign::chain::monero::txset::{parse_unsigned, write_unsigned, UnsignedTxSet};
use airsign::chain::monero::wallet2_file::{open, seal, FileKind};
use airsign::chain::xrpl::codec;
use airsign::chain::xrpl::keys::{KeyPair, Seed};
use airsign::signer::journal::{Journal, JournalError, SpendMarker};
use airsign::signer::monero as xmr_signer;
use airsign::envelope::xrpl::XrplMultisignRequestPayload;
use airsign::signer::xrpl::multisig;
use airsign::signer::xrpl::{self as signer, AccountReport, BoundsError, MultisigError, ReviewRefusal, SignerEntry, SignerError, SignerList, Template, XrplAccount};
use serde_json::{json, Value};

// ---------------------------------------------------------------- XRPL

const ME: &str = "r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6";
const ATTACKER: &str = "rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe";
const FRIEND: &str = "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn";

fn keys() -> KeyPair {
    Seed::parse("shYHSiJod8CLPTj1SNJ2PdUFj4pFk", None).unwrap().key_pair()
}

/// The offline account as a state applied just now left it: next Sequence 7, ledger 1000.
fn account() -> XrplAccount {
    let mut a = XrplAccount::new(&keys());
    a.next_sequence = 7;
    a.reported_sequence = 7;
    a.ledger_index = 1000;
    a.state_applied_at = airsign::signer::now();
    a
}

fn journal(tag: &str) -> Journal {
    let p = std::env::temp_dir().join(format!("airsign-attacks-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_file(&p);
    Journal::open(&p).unwrap()
}

/// A request transaction as the online side would build it, with `fields` on top.
fn tx(fields: Value) -> Value {
    let mut t = json!({
        "Account": ME, "Fee": "12", "Sequence": 7, "LastLedgerSequence": 1100, "Flags": 0x8000_0000u32,
        "SigningPubKey": hex::encode_upper(keys().public_key()),
    });
    for (k, v) in fields.as_object().unwrap() {
        t[k] = v.clone();
    }
    t
}

fn request(a: &XrplAccount, txs: &[Value]) -> Result<signer::Prepared, SignerError> {
    let blobs: Vec<Vec<u8>> = txs.iter().map(|t| codec::encode(t).unwrap()).collect();
    signer::review_request(a, &a.address, blobs.iter().map(Vec::as_slice), None)
}

fn review_text(t: Value) -> String {
    request(&account(), &[t]).unwrap().review.to_text()
}

/// The value shown for a field (the first with that name, at any depth).
fn shown(p: &signer::Prepared, name: &str) -> String {
    p.review.transactions[0].fields.iter().find(|f| f.name == name).map(|f| f.value.clone()).unwrap_or_else(|| panic!("{name} not shown: {}", p.review.to_text()))
}

fn one(t: Value) -> signer::Prepared {
    request(&account(), &[t]).unwrap()
}

#[test]
fn set_regular_key_shows_the_new_key_and_warns() {
    let p = one(tx(json!({"TransactionType": "SetRegularKey", "RegularKey": ATTACKER})));
    assert_eq!(shown(&p, "RegularKey"), ATTACKER);
    let text = p.review.to_text();
    assert!(text.contains(&format!("!! transaction 1: hands signing power over this account to the key of {ATTACKER}")), "{text}");
}

#[test]
fn account_delete_names_the_destination_and_the_whole_balance() {
    let p = request(&account(), &[tx(json!({"TransactionType": "AccountDelete", "Destination": ATTACKER, "Fee": "200000"}))]).unwrap();
    assert!(p.review.headline.contains("the ENTIRE XRP balance (AccountDelete)"), "{}", p.review.headline);
    let text = p.review.to_text();
    assert!(text.contains(&format!("DELETES this account and sends its ENTIRE XRP balance to {ATTACKER}")), "{text}");
    assert_eq!(shown(&p, "Destination"), ATTACKER);
}

#[test]
fn a_partial_payment_with_a_huge_send_max_is_counted_and_warned() {
    let usd = json!({"currency": "USD", "issuer": FRIEND, "value": "1"});
    let p = request(&account(), &[tx(json!({"TransactionType": "Payment", "Destination": ATTACKER, "Amount": usd, "SendMax": "100000000000", "Flags": 0x8002_0000u32}))]).unwrap();
    assert_eq!(p.review.headline, "1 transaction(s): up to 100000 XRP can leave the account, to 1 address(es); fees 0.000012 XRP; 1 WARNING(S)");
    assert_eq!(shown(&p, "Amount"), format!("1 USD (issuer {FRIEND})"));
    assert_eq!(shown(&p, "SendMax"), "100000 XRP");
    let text = p.review.to_text();
    assert!(text.contains("partial payment (tfPartialPayment): the destination may receive LESS than Amount, down to almost nothing"), "{text}");
    assert!(text.contains("tfPartialPayment, tfFullyCanonicalSig"), "flags by name: {text}");
}

#[test]
fn paths_through_third_parties_are_named() {
    let usd = json!({"currency": "USD", "issuer": FRIEND, "value": "10"});
    let paths = json!([[{"account": ATTACKER}, {"currency": "EUR", "issuer": FRIEND}]]);
    let p = one(tx(json!({"TransactionType": "Payment", "Destination": FRIEND, "Amount": usd, "SendMax": "20000000", "Paths": paths})));
    let text = p.review.to_text();
    assert!(text.contains(&format!("routed through third parties (1 path(s), via {ATTACKER})")), "{text}");
    assert_eq!(shown(&p, "path 1"), format!("via {ATTACKER} -> EUR issuer {FRIEND}"));
}

#[test]
fn account_set_flags_with_consequences_warn() {
    // Disabling the master key is refused outright while nothing else could sign...
    let r = request(&account(), &[tx(json!({"TransactionType": "AccountSet", "SetFlag": 4}))]);
    assert!(matches!(r, Err(SignerError::Multisig(MultisigError::KeyChange(_)))), "{r:?}");
    // ...and warned about once a regular key is in force.
    let mut with_regular_key = account();
    with_regular_key.regular_key = Some(FRIEND.into());
    let text = request(&with_regular_key, &[tx(json!({"TransactionType": "AccountSet", "SetFlag": 4}))]).unwrap().review.to_text();
    assert!(text.contains("asfDisableMaster (4)"), "{text}");
    assert!(text.contains("sets asfDisableMaster: the MASTER KEY can no longer sign"), "{text}");
    let text = review_text(tx(json!({"TransactionType": "AccountSet", "SetFlag": 6})));
    assert!(text.contains("PERMANENTLY gives up the power to freeze"), "{text}");
}

#[test]
fn signer_list_set_deposit_preauth_and_delegate_set_warn() {
    let entries = json!([{"SignerEntry": {"Account": ATTACKER, "SignerWeight": 1}}]);
    let p = one(tx(json!({"TransactionType": "SignerListSet", "SignerQuorum": 1, "SignerEntries": entries})));
    let text = p.review.to_text();
    assert!(text.contains(&format!("lets these signers sign anything for {ME} together: 1-of-1: any 1 of {ATTACKER}")), "{text}");
    assert!(p.review.transactions[0].fields.iter().any(|f| f.name == "Account" && f.depth == 2 && f.value == ATTACKER), "the signer is shown");
    assert_eq!(shown(&p, "SignerWeight"), "1");
    let text = review_text(tx(json!({"TransactionType": "DepositPreauth", "Authorize": ATTACKER})));
    assert!(text.contains(&format!("lets {ATTACKER} pay into this account even when DepositAuth is on")), "{text}");
    let perms = json!([{"Permission": {"PermissionValue": 1}}]);
    let text = review_text(tx(json!({"TransactionType": "DelegateSet", "Authorize": ATTACKER, "Permissions": perms})));
    assert!(text.contains(&format!("lets {ATTACKER} send 1 kind(s) of transaction on this account's behalf")), "{text}");
}

#[test]
fn a_flag_the_review_cannot_name_is_refused() {
    let r = request(&account(), &[tx(json!({"TransactionType": "Payment", "Destination": FRIEND, "Amount": "1", "Flags": 0x8000_0008u32}))]);
    assert!(matches!(r, Err(SignerError::Review(ReviewRefusal::UnnamedFlag { bit: 8, .. }))), "{r:?}");
    let r = request(&account(), &[tx(json!({"TransactionType": "AccountSet", "SetFlag": 99}))]);
    assert!(matches!(r, Err(SignerError::Review(ReviewRefusal::UnnamedAccountSetFlag { value: 99, .. }))), "{r:?}");
}

#[test]
fn pseudo_transactions_are_refused() {
    let r = request(&account(), &[tx(json!({"TransactionType": "SetFee", "BaseFee": "A", "ReferenceFeeUnits": 10, "ReserveBase": 1, "ReserveIncrement": 1}))]);
    assert!(matches!(r, Err(SignerError::Review(ReviewRefusal::Unsupported { .. }))), "{r:?}");
}

/// The request's `network` text is the online side's claim: shown as a claim, never as the
/// network. A transaction for another NetworkID than the account's is refused.
#[test]
fn the_network_is_derived_not_taken_from_the_request() {
    let a = account();
    let blob = codec::encode(&tx(json!({"TransactionType": "Payment", "Destination": FRIEND, "Amount": "5"}))).unwrap();
    let p = signer::review_request(&a, ME, std::iter::once(blob.as_slice()), Some("testnet")).unwrap();
    let text = p.review.to_text();
    assert!(text.contains("network: no NetworkID: valid on mainnet, testnet and devnet alike"), "{text}");
    assert!(text.contains("the online side calls the network 'testnet'; that is its claim, not checked here"), "{text}");
    let r = request(&a, &[tx(json!({"TransactionType": "Payment", "Destination": FRIEND, "Amount": "5", "NetworkID": 21337}))]);
    assert!(matches!(r, Err(SignerError::Review(ReviewRefusal::WrongNetwork { .. }))), "{r:?}");
    let r = request(&a, &[tx(json!({"TransactionType": "Payment", "Destination": FRIEND, "Amount": "5", "NetworkID": 1}))]);
    assert!(matches!(r, Err(SignerError::Review(ReviewRefusal::NetworkIdNotAllowed { id: 1, .. }))), "{r:?}");
    let mut xahau = account();
    xahau.network_id = Some(21337);
    let r = request(&xahau, &[tx(json!({"TransactionType": "Payment", "Destination": FRIEND, "Amount": "5"}))]);
    assert!(matches!(r, Err(SignerError::Review(ReviewRefusal::WrongNetwork { .. }))), "an unbound transaction for a bound account: {r:?}");
}

#[test]
fn a_sequence_other_than_the_next_is_refused() {
    for s in [6, 8, 5000] {
        let r = request(&account(), &[tx(json!({"TransactionType": "Payment", "Destination": FRIEND, "Amount": "5", "Sequence": s}))]);
        assert!(matches!(r, Err(SignerError::Bounds(BoundsError::Sequence { expected: 7, .. }))), "{s}: {r:?}");
    }
    let pay = |s: u32| tx(json!({"TransactionType": "Payment", "Destination": FRIEND, "Amount": "5", "Sequence": s}));
    assert!(request(&account(), &[pay(7), pay(8)]).is_ok());
    assert!(matches!(request(&account(), &[pay(7), pay(9)]), Err(SignerError::Bounds(BoundsError::Sequence { expected: 8, .. }))));
}

#[test]
fn tickets_must_be_listed_and_each_has_its_own_journal_marker() {
    let ticketed = |t: u32, amount: &str| tx(json!({"TransactionType": "Payment", "Destination": FRIEND, "Amount": amount, "Sequence": 0, "TicketSequence": t}));
    let r = request(&account(), &[ticketed(20, "5")]);
    assert!(matches!(r, Err(SignerError::Bounds(BoundsError::Ticket { ticket: 20, .. }))), "{r:?}");
    let mut a = account();
    a.tickets = vec![20, 21];
    let mut j = journal("tickets");
    let p = request(&a, &[ticketed(20, "5"), ticketed(21, "6")]).unwrap();
    assert!(p.review.transactions[0].action.starts_with("Payment, Ticket 20"));
    signer::sign_reviewed(&mut a, &keys(), &p, &mut j).unwrap();
    assert!(a.tickets.is_empty(), "used tickets are dropped");
    assert!(j.signed_hash(&SpendMarker::XrplTicket { account: ME.into(), ticket: 20 }).is_some());
    assert!(j.signed_hash(&SpendMarker::XrplTicket { account: ME.into(), ticket: 21 }).is_some());
    assert!(j.signed_hash(&SpendMarker::Xrpl { account: ME.into(), sequence: 0 }).is_none(), "not all on (account, 0)");
    // The same ticket again, for a different payment: refused by the journal.
    a.tickets = vec![20];
    let again = request(&a, &[ticketed(20, "999")]).unwrap();
    let r = signer::sign_reviewed(&mut a, &keys(), &again, &mut j);
    assert!(matches!(r, Err(SignerError::Journal(JournalError::AlreadySigned { .. }))), "{r:?}");
}

#[test]
fn a_last_ledger_sequence_far_ahead_or_past_is_refused() {
    // Ledger 1000 was learned just now: 1000 + a second or two + the 2,000-ledger cap.
    for lls in [3100, 100_000, u32::MAX] {
        let r = request(&account(), &[tx(json!({"TransactionType": "Payment", "Destination": FRIEND, "Amount": "5", "LastLedgerSequence": lls}))]);
        assert!(matches!(r, Err(SignerError::Bounds(BoundsError::LastLedgerTooFar { .. }))), "{lls}: {r:?}");
    }
    let r = request(&account(), &[tx(json!({"TransactionType": "Payment", "Destination": FRIEND, "Amount": "5", "LastLedgerSequence": 1000}))]);
    assert!(matches!(r, Err(SignerError::Bounds(BoundsError::LastLedgerPast { .. }))), "{r:?}");
    // A margin above the hard cap in the account's own settings is refused for templates.
    let mut a = account();
    a.ledger_margin = 1_000_000;
    let r = signer::prepare_batch(&a, &[Template::TicketCreate { count: 1 }]);
    assert!(matches!(r, Err(SignerError::Bounds(BoundsError::Margin { .. }))), "{r:?}");
}

#[test]
fn a_fee_above_the_cap_is_refused_in_requests_templates_and_replacements() {
    let r = request(&account(), &[tx(json!({"TransactionType": "Payment", "Destination": FRIEND, "Amount": "5", "Fee": "1000001"}))]);
    assert!(matches!(r, Err(SignerError::Bounds(BoundsError::Fee { found: 1_000_001, cap: 1_000_000, .. }))), "{r:?}");
    let mut a = account();
    a.max_fee_drops = 5_000_000;
    assert!(request(&a, &[tx(json!({"TransactionType": "Payment", "Destination": FRIEND, "Amount": "5", "Fee": "1000001"}))]).is_ok(), "a raised cap");
    let mut a = account();
    a.fee_drops = 2_000_000;
    let pay = Template::Payment { destination: FRIEND.into(), amount: json!("5"), send_max: None, destination_tag: None, memos: vec![] };
    assert!(matches!(signer::prepare_batch(&a, std::slice::from_ref(&pay)), Err(SignerError::Bounds(BoundsError::Fee { .. }))));
    let mut a = account();
    let mut j = journal("fee-replace");
    signer::sign_batch(&mut a, &keys(), std::slice::from_ref(&pay), &mut j, false).unwrap();
    a.next_sequence = 7;
    let r = signer::prepare_replacement(&a, &pay, 7, Some(50_000_000), &j);
    assert!(matches!(r, Err(SignerError::Bounds(BoundsError::Fee { .. }))), "{r:?}");
    assert!(signer::prepare_replacement(&a, &pay, 7, Some(50), &j).is_ok());
    let r = signer::prepare_replacement(&a, &pay, 8, Some(50), &j);
    assert!(matches!(r, Err(SignerError::Bounds(BoundsError::Replacement { sequence: 8, .. }))), "never signed: {r:?}");
}

fn report(sequence: u32, ledger_index: u32, fee_drops: u64) -> AccountReport {
    AccountReport { account: ME.into(), sequence, ledger_index, balance_drops: 1, fee_drops, outcomes: vec![], tickets: None, keys: None }
}

#[test]
fn a_state_report_may_not_move_the_ledger_back_or_too_far_ahead() {
    let mut j = journal("report");
    let t0 = 1_800_000_000;
    let mut a = account();
    a.state_applied_at = t0;
    let r = signer::reconcile_at(&mut a.clone(), &report(7, 999, 12), &mut j, t0 + 10);
    assert!(matches!(r, Err(SignerError::Bounds(BoundsError::LedgerBackwards { .. }))), "{r:?}");
    // 60 s later: at most 60 ledgers + the slack.
    let r = signer::reconcile_at(&mut a.clone(), &report(7, 1000 + 60 + 1000 + 1, 12), &mut j, t0 + 60);
    assert!(matches!(r, Err(SignerError::Bounds(BoundsError::LedgerTooFarAhead { .. }))), "{r:?}");
    let r = signer::reconcile_at(&mut a.clone(), &report(6, 1010, 12), &mut j, t0 + 60);
    assert!(matches!(r, Err(SignerError::Bounds(BoundsError::SequenceBackwards { found: 6, known: 7 }))), "{r:?}");
    let r = signer::reconcile_at(&mut a.clone(), &report(7, 1010, 2_000_000), &mut j, t0 + 60);
    assert!(matches!(r, Err(SignerError::Bounds(BoundsError::ReportedFee { .. }))), "{r:?}");
    let before = a.clone();
    assert!(signer::reconcile_at(&mut a.clone(), &report(7, 1000 + 60 + 1000, 15), &mut j, t0 + 60).is_ok());
    assert_eq!(a, before, "a refused report changes nothing");
}

/// Every transaction type of the reference codec's vectors (fixtures/xrpl/codec.json: every
/// type, every field), made this account's and sent as a request: either refused for a
/// stated reason, or reviewed with every one of its fields on screen.
#[test]
fn every_field_of_every_transaction_type_is_shown_or_the_request_refused() {
    let vectors: Value = serde_json::from_str(include_str!("../fixtures/xrpl/codec.json")).unwrap();
    let mut reviewed = std::collections::BTreeSet::new();
    let mut refused = std::collections::BTreeMap::new();
    let mut a = account();
    a.tickets = vec![];
    for v in vectors["vectors"].as_array().unwrap() {
        let mut t = v["json"].clone();
        let o = t.as_object_mut().unwrap();
        for k in ["TxnSignature", "Signers", "TicketSequence", "NetworkID"] {
            o.remove(k);
        }
        o.insert("Account".into(), json!(ME));
        o.insert("SigningPubKey".into(), json!(hex::encode_upper(keys().public_key())));
        o.insert("Sequence".into(), json!(7));
        o.insert("Fee".into(), json!("12"));
        o.insert("LastLedgerSequence".into(), json!(1100));
        let kind = o["TransactionType"].as_str().unwrap().to_owned();
        // The vectors' values are random: keep only flag bits with a name (an unnamed one is
        // refused, tested above) and use a real AccountSet flag.
        let named: u32 = airsign::chain::xrpl::definitions::definitions().transaction_flags(&kind).iter().map(|(_, b)| b).fold(0, |a, b| a | b);
        if let Some(f) = o.get("Flags").and_then(Value::as_u64) {
            o.insert("Flags".into(), json!(f as u32 & named & !0x4000_0000));
        }
        // A signer list must be one rippled accepts (the key-change check refuses others).
        if kind == "SignerListSet" {
            o.insert("SignerQuorum".into(), json!(1));
            o.insert("SignerEntries".into(), json!([{"SignerEntry": {"Account": FRIEND, "SignerWeight": 1}}]));
        }
        for k in ["SetFlag", "ClearFlag"] {
            if kind == "AccountSet" && o.contains_key(k) {
                o.insert(k.into(), json!(if k == "SetFlag" { 1 } else { 9 }));
            }
        }
        let Ok(blob) = codec::encode(&t) else { continue };
        match signer::review_request(&a, ME, std::iter::once(blob.as_slice()), None) {
            Ok(p) => {
                let decoded = codec::decode(&blob).unwrap();
                let shown: Vec<&str> = p.review.transactions[0].fields.iter().map(|f| f.name.as_str()).collect();
                let inner_shown: Vec<String> = p.review.transactions[0].inner.iter().flat_map(|i| i.fields.iter().map(|f| f.name.clone())).collect();
                for name in field_names(&decoded) {
                    assert!(shown.contains(&name.as_str()) || inner_shown.contains(&name), "{kind}: field {name} is signed but not shown");
                }
                reviewed.insert(kind);
            }
            Err(SignerError::Review(e)) => {
                refused.insert(kind, e.to_string());
            }
            // Pseudo-transactions have no account of ours to begin with.
            Err(e) if ["EnableAmendment", "SetFee", "UNLModify"].contains(&kind.as_str()) => {
                refused.insert(kind, e.to_string());
            }
            Err(e) => panic!("{kind}: refused for a reason other than the review: {e}"),
        }
    }
    for (kind, why) in &refused {
        let expected = ["EnableAmendment", "SetFee", "UNLModify"].contains(&kind.as_str()) || kind.starts_with("ConfidentialMPT");
        assert!(expected, "{kind} refused: {why}");
    }
    assert!(reviewed.len() >= 70, "reviewed {} types: {reviewed:?}; refused {refused:?}", reviewed.len());
    eprintln!("reviewed {} transaction types, refused {}: {:?}", reviewed.len(), refused.len(), refused.keys().collect::<Vec<_>>());
}

/// Every field name in a decoded transaction, nested ones included (path steps and
/// Vector256 entries are values, not fields).
fn field_names(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                for (k, x) in o {
                    if !k.starts_with(|c: char| c.is_ascii_lowercase()) {
                        out.push(k.clone());
                        if k != "Paths" {
                            walk(x, out);
                        }
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    walk(v, &mut out);
    out
}

/// Templates and replacements go through the same review: every field of every template
/// kind is on screen.
#[test]
fn every_field_of_every_template_and_of_a_replacement_is_shown() {
    let usd = json!({"currency": "USD", "issuer": FRIEND, "value": "5"});
    let templates = vec![
        Template::Payment { destination: FRIEND.into(), amount: usd.clone(), send_max: Some(json!("6000000")), destination_tag: Some(3), memos: vec!["invoice 7".into()] },
        Template::AccountSet { set_flag: Some("asfRequireDest".into()), clear_flag: Some("asfDisallowXRP".into()), transfer_rate: Some(1_002_000_000), domain: Some("example.com".into()) },
        Template::SetRegularKey { regular_key: Some(ATTACKER.into()) },
        Template::SignerListSet { quorum: 2, signers: vec![(FRIEND.into(), 1), (ATTACKER.into(), 1)] },
        Template::TrustSet { limit: usd },
        Template::TicketCreate { count: 3 },
        Template::AccountDelete { destination: FRIEND.into(), destination_tag: Some(9) },
    ];
    let a = account();
    let p = signer::prepare_batch(&a, &templates).unwrap();
    for (t, r) in p.transactions().iter().zip(&p.review.transactions) {
        let shown: Vec<&str> = r.fields.iter().map(|f| f.name.as_str()).collect();
        for name in field_names(t) {
            assert!(shown.contains(&name.as_str()), "{}: {name} not shown", r.transaction_type);
        }
    }
    let text = p.review.to_text();
    for words in ["0.2% transfer fee", "\"example.com\" (text", "\"invoice 7\" (text", "asfDisallowXRP (3)", "tfSetNoRipple"] {
        assert!(text.contains(words), "{words}: {text}");
    }
    let mut j = journal("every-template");
    let mut a = account();
    signer::sign_batch(&mut a, &keys(), &templates[..1], &mut j, false).unwrap();
    a.next_sequence = 7;
    let r = signer::prepare_replacement(&a, &templates[0], 7, Some(40), &j).unwrap();
    assert_eq!(r.review.transactions[0].fields.iter().find(|f| f.name == "Fee").unwrap().value, "0.00004 XRP");
    assert!(r.review.to_text().contains("Payment, Sequence 7"));
}

/// A Keystone-style `bytes` request goes through the same review and bounds.
#[test]
fn a_keystone_style_request_is_bounded_and_reviewed_like_the_others() {
    let json = tx(json!({"TransactionType": "SetRegularKey", "RegularKey": ATTACKER, "Sequence": 9}));
    let blob = codec::encode(&json).unwrap();
    let r = signer::review_request(&account(), ME, std::iter::once(blob.as_slice()), None);
    assert!(matches!(r, Err(SignerError::Bounds(BoundsError::Sequence { found: 9, .. }))), "{r:?}");
}

// ---------------------------------------------------------------- Monero

// ------------------------------------------------- XRPL multi-signing (a member's machine)

/// The multi-signed account the online side asks this machine's account (ME) to sign for.
const TREASURY: &str = "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh";

fn treasury_list(members: &[&str]) -> SignerList {
    SignerList { quorum: 2, entries: members.iter().map(|m| SignerEntry { account: (*m).into(), weight: 1 }).collect() }
}

fn multisign_request(fields: Value, list: &SignerList) -> XrplMultisignRequestPayload {
    let mut t = json!({"TransactionType": "Payment", "Account": TREASURY, "Destination": FRIEND, "Amount": "1000000", "Fee": "40", "Sequence": 20, "LastLedgerSequence": 1100, "Flags": 0, "SigningPubKey": ""});
    for (k, v) in fields.as_object().unwrap() {
        t[k] = v.clone();
    }
    XrplMultisignRequestPayload { version: 1, account: TREASURY.into(), transactions: vec![codec::encode(&t).unwrap().into()], ledger_index: 1000, network: "mainnet".into(), signer_list: list.to_wire() }
}

#[test]
fn a_multisign_request_that_changes_the_signer_list_is_warned_and_shown() {
    let list = treasury_list(&[ME, FRIEND, "rPEPPER7kfTD9w2To4CQk6UCfuHM9c6GDY"]);
    let mut j = journal("ms-list");
    let mut me = account();
    // The attack: the "payment" to sign is a SignerListSet that hands the treasury to the attacker.
    let entries = json!([{"SignerEntry": {"Account": ATTACKER, "SignerWeight": 2}}, {"SignerEntry": {"Account": ME, "SignerWeight": 1}}]);
    let mut t = json!({"TransactionType": "SignerListSet", "Account": TREASURY, "SignerQuorum": 2, "SignerEntries": entries, "Fee": "40", "Sequence": 20, "LastLedgerSequence": 1100, "Flags": 0, "SigningPubKey": ""});
    let req = XrplMultisignRequestPayload { transactions: vec![codec::encode(&t).unwrap().into()], ..multisign_request(json!({}), &list) };
    let p = multisig::prepare_multisign(&me, &req, false, &j, airsign::signer::now()).unwrap();
    let text = p.review.to_text();
    assert!(text.contains(&format!("!! transaction 1: lets these signers sign anything for {TREASURY} together: quorum 2 of a total weight 3")), "{text}");
    assert!(text.contains(&format!("{ATTACKER} (weight 2)")), "{text}");

    // A later request whose claimed signer list differs from the one sent before is warned.
    let payment = multisign_request(json!({}), &list);
    let first = multisig::prepare_multisign(&me, &payment, false, &j, airsign::signer::now()).unwrap();
    multisig::sign_multisign(&mut me, &keys(), &first, &mut j, airsign::signer::now()).unwrap();
    let forged = treasury_list(&[ME, ATTACKER]);
    t = json!({"TransactionType": "Payment", "Account": TREASURY, "Destination": ATTACKER, "Amount": "5000000", "Fee": "40", "Sequence": 21, "LastLedgerSequence": 1100, "Flags": 0, "SigningPubKey": ""});
    let req = XrplMultisignRequestPayload { transactions: vec![codec::encode(&t).unwrap().into()], ..multisign_request(json!({}), &forged) };
    let p = multisig::prepare_multisign(&me, &req, false, &j, airsign::signer::now()).unwrap();
    let text = p.review.to_text();
    assert!(text.contains("the signer list the online side sends DIFFERS from the one it sent when this member last signed"), "{text}");
    assert_eq!(p.review.warnings().count(), 1);
}

#[test]
fn a_multisign_request_for_an_account_the_member_is_not_on_is_refused() {
    let req = multisign_request(json!({}), &treasury_list(&[FRIEND, ATTACKER]));
    let r = multisig::prepare_multisign(&account(), &req, false, &journal("ms-member"), airsign::signer::now());
    assert!(matches!(r, Err(SignerError::Multisig(MultisigError::NotAMember { .. }))), "{r:?}");
    // Nor may the request claim the member's own account is the multi-signed one.
    let mut own = multisign_request(json!({"Account": ME}), &treasury_list(&[FRIEND, ATTACKER]));
    own.account = ME.into();
    assert!(matches!(multisig::prepare_multisign(&account(), &own, false, &journal("ms-own"), airsign::signer::now()), Err(SignerError::Multisig(MultisigError::OwnAccount(_)))));
    // A transaction of another account than the one the request names is refused.
    let other = multisign_request(json!({"Account": FRIEND}), &treasury_list(&[ME, ATTACKER]));
    assert!(matches!(multisig::prepare_multisign(&account(), &other, false, &journal("ms-other"), airsign::signer::now()), Err(SignerError::Multisig(MultisigError::Request { .. }))));
}

#[test]
fn a_multisign_request_over_the_fee_cap_or_the_ledger_window_is_refused() {
    let list = treasury_list(&[ME, FRIEND]);
    let j = journal("ms-bounds");
    let now = airsign::signer::now();
    let r = multisig::prepare_multisign(&account(), &multisign_request(json!({"Fee": "2000000"}), &list), false, &j, now);
    assert!(matches!(r, Err(SignerError::Bounds(BoundsError::Fee { found: 2_000_000, cap: 1_000_000, .. }))), "{r:?}");
    let r = multisig::prepare_multisign(&account(), &multisign_request(json!({"LastLedgerSequence": 9_000}), &list), false, &j, now);
    assert!(matches!(r, Err(SignerError::Bounds(BoundsError::LastLedgerTooFar { .. }))), "{r:?}");
    // The ledger the online side claims is bounded by this machine's own last state.
    let mut far = multisign_request(json!({"LastLedgerSequence": 900_100}), &list);
    far.ledger_index = 900_000;
    let r = multisig::prepare_multisign(&account(), &far, false, &j, now);
    assert!(matches!(r, Err(SignerError::Bounds(BoundsError::LedgerTooFarAhead { .. }))), "{r:?}");
    // A request carrying a signing key or signatures is not a bare transaction.
    let r = multisig::prepare_multisign(&account(), &multisign_request(json!({"SigningPubKey": hex::encode_upper(keys().public_key())}), &list), false, &j, now);
    assert!(matches!(r, Err(SignerError::Multisig(MultisigError::Request { .. }))), "{r:?}");
}

fn txsets() -> Value {
    serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/monero/txsets.json")).unwrap()).unwrap()
}

fn monero_signer() -> WalletKeys {
    let m: Value = serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/regtest/signer.json")).unwrap()).unwrap();
    WalletKeys::from_mnemonic(m["mnemonic"].as_str().unwrap(), Network::Mainnet).unwrap()
}

fn unsigned(name: &str) -> (OutputScanner, UnsignedTxSet, WalletKeys) {
    let keys = monero_signer();
    let file = hex::decode(txsets()[name].as_str().unwrap()).unwrap();
    let set = parse_unsigned(&open(FileKind::UnsignedTxSet, &file, &keys.view_secret_bytes()).unwrap()).unwrap();
    (OutputScanner::with_default_lookahead(&keys), set, keys)
}

/// The finding: the review compared addresses by keys only, while signing used each
/// output's own subaddress flag: a flipped flag built an output nobody can find.
#[test]
fn an_output_whose_address_type_was_flipped_is_refused() {
    let (scanner, set, _) = unsigned("unsigned_two");
    let (review_ok, _) = review(&scanner, &set).unwrap();
    let shown: Vec<String> = review_ok.transactions[0].destinations.iter().map(|d| d.address.clone()).collect();
    for i in 0..set.txes[0].splitted_dsts.len() {
        let mut lie = set.clone();
        lie.txes[0].splitted_dsts[i].is_subaddress ^= true;
        assert!(matches!(review(&scanner, &lie), Err(ReviewError::Mismatch { .. } | ReviewError::ZeroOutput { .. })), "output {i}");
    }
    // Flipped in the destinations too: the review shows the address as it will be paid
    // (another address), so what the user checks is what is signed.
    let mut both = set.clone();
    let d = both.txes[0].dests[0].clone();
    let tcd = &mut both.txes[0];
    for x in tcd.dests.iter_mut().chain(tcd.splitted_dsts.iter_mut()).filter(|x| x.spend == d.spend) {
        x.is_subaddress ^= true;
    }
    let (r, _) = review(&scanner, &both).unwrap();
    assert_ne!(r.transactions[0].destinations[0].address, shown[0]);
}

#[test]
fn change_with_the_wrong_address_type_is_not_ours() {
    let (scanner, set, _) = unsigned("unsigned_two");
    let mut lie = set.clone();
    lie.txes[0].change.is_subaddress ^= true;
    for d in lie.txes[0].splitted_dsts.iter_mut().filter(|d| d.spend == set.txes[0].change.spend) {
        d.is_subaddress ^= true;
    }
    assert!(matches!(review(&scanner, &lie), Err(ReviewError::ChangeNotOurs { .. })));
}

#[test]
fn a_time_locked_transaction_is_refused() {
    let (scanner, mut set, _) = unsigned("unsigned_two");
    set.txes[0].unlock_time = 3_000_000;
    assert!(matches!(review(&scanner, &set), Err(ReviewError::UnlockTime { unlock_time: 3_000_000, .. })));
}

/// The finding: a zero-amount "change" output could go to any address, any number of times.
/// wallet2 makes exactly one, in a two-output transaction with no change, to a random
/// standard address (fixtures/monero's sweep has it); anything else is refused.
#[test]
fn zero_outputs_other_than_wallet2s_dummy_are_refused() {
    let (scanner, set, _) = unsigned("unsigned_sweep");
    review(&scanner, &set).expect("wallet2's own sweep, with its dummy zero output");
    let mut extra = set.clone();
    let dummy = extra.txes[0].splitted_dsts.iter().find(|d| d.amount == 0).unwrap().clone();
    extra.txes[0].splitted_dsts.push(dummy.clone());
    assert!(matches!(review(&scanner, &extra), Err(ReviewError::ZeroOutput { .. })), "two zero outputs");
    let mut sub = set.clone();
    sub.txes[0].change.is_subaddress = true;
    sub.txes[0].splitted_dsts.iter_mut().filter(|d| d.amount == 0).for_each(|d| d.is_subaddress = true);
    assert!(matches!(review(&scanner, &sub), Err(ReviewError::ZeroOutput { .. })), "a subaddress dummy");
    let (scanner, two, _) = unsigned("unsigned_two");
    let mut lie = two.clone();
    let mut foreign = lie.txes[0].dests[0].clone();
    foreign.amount = 0;
    lie.txes[0].splitted_dsts.push(foreign);
    assert!(matches!(review(&scanner, &lie), Err(ReviewError::ZeroOutput { .. })), "a zero output to a destination, beside real change");
}

#[test]
fn a_spent_output_used_as_a_decoy_in_another_ring_is_named_and_decoys_are_named_as_trusted() {
    let (scanner, set, _) = unsigned("unsigned_two");
    let (ok, _) = review(&scanner, &set).unwrap();
    assert_eq!(ok.notes, vec![DECOY_NOTE.to_owned()]);
    assert!(ok.to_text().contains("ring members (decoys) are chosen by the online wallet and cannot be checked offline"));
    let mut lie = set.clone();
    let decoy = lie.txes[0].sources[0].real().clone();
    let s1 = &mut lie.txes[0].sources[1];
    let real = s1.real().clone();
    let slot = (0..s1.ring.len()).find(|i| *i as u64 != s1.real_output).unwrap();
    s1.ring[slot] = decoy.clone();
    s1.ring.sort_by_key(|m| m.global_index);
    s1.real_output = s1.ring.iter().position(|m| m.key == real.key).unwrap() as u64;
    // wallet2 builds such sets itself on small chains, so it is named, not refused.
    let (named, _) = review(&scanner, &lie).unwrap();
    let index = decoy.global_index;
    assert_eq!(named.notes.len(), 2, "{:?}", named.notes);
    assert_eq!(named.notes[1], format!("transaction 1, input 2: ring member {index} is the output that transaction 1, input 1 spends; wallet2 does this on chains with few outputs, and it makes this ring slightly weaker"));
    assert!(named.to_text().contains(&format!("ring member {index} is the output")));
}

/// The finding: the set's identity hashed the whole file, so a re-export that differed only
/// in its `transfers` list raised a false "already signed elsewhere" warning.
#[test]
fn a_re_export_differing_only_in_transfers_is_the_same_set() {
    let (scanner, set, keys) = unsigned("unsigned_two");
    let view = keys.view_secret_bytes();
    let file = seal(FileKind::UnsignedTxSet, &write_unsigned(&set), &view).unwrap();
    let mut other = set.clone();
    other.transfers.offset += 1;
    let refile = seal(FileKind::UnsignedTxSet, &write_unsigned(&other), &view).unwrap();
    let mut j = journal("reexport");
    let a = xmr_signer::review_unsigned(&scanner, &file).unwrap();
    xmr_signer::sign_reviewed(&scanner, &a, &mut j, false).unwrap();
    let b = xmr_signer::review_unsigned(&scanner, &refile).unwrap();
    assert_eq!(a.id, b.id);
    assert!(xmr_signer::journal_conflict(&b, &j).is_none());
}

// ---------------------------------------------------------------- journal and keystore

#[test]
fn a_torn_journal_line_is_cut_before_the_next_signature() {
    let path = std::env::temp_dir().join(format!("airsign-attacks-torn-{}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let marker = |n| SpendMarker::Xrpl { account: ME.into(), sequence: n };
    let mut j = Journal::open(&path).unwrap();
    j.record_signed(&[marker(1)], "A", false).unwrap();
    drop(j);
    std::fs::OpenOptions::new().append(true).open(&path).and_then(|mut f| std::io::Write::write_all(&mut f, b"{\"kind\":\"sig")).unwrap();
    for n in 2..=3 {
        let mut j = Journal::open(&path).expect("opens after the crash");
        j.record_signed(&[marker(n)], &format!("H{n}"), false).unwrap();
    }
    assert_eq!(Journal::open(&path).unwrap().entries().len(), 3);
}

/// Two airsign processes on one keystore: the first waits at its prompt holding the
/// journal; the second is told so and signs nothing.
#[test]
fn a_second_process_cannot_sign_while_the_first_holds_the_journal() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let dir = std::env::temp_dir().join(format!("airsign-attacks-lock-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let ks = dir.join("keys");
    std::fs::create_dir_all(&ks).unwrap();
    let mut a = account();
    a.state_applied_at = airsign::signer::now();
    signer::save_account(&ks, "cold", &a).unwrap();
    let templates = dir.join("t.json");
    std::fs::write(&templates, format!(r#"[{{"template": "Payment", "destination": "{FRIEND}", "amount": "5"}}]"#)).unwrap();
    let cmd = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_airsign"));
        c.args(["xrpl", "account", "sign-batch", "--wallet", "cold", "--keystore", ks.to_str().unwrap(), "--templates", templates.to_str().unwrap(), "-o"])
            .arg(dir.join("out.cbor"))
            .env("AIRSIGN_PASSPHRASE", "pw")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    };
    let mut first = cmd().spawn().unwrap();
    // Wait until the first shows its review (it holds the lock from before the review).
    let lock = ks.join("journal.log.lock");
    let start = std::time::Instant::now();
    while !lock.exists() && start.elapsed() < std::time::Duration::from_secs(30) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let second = cmd().stdin(Stdio::null()).output().unwrap();
    assert!(!second.status.success());
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains("another airsign is signing with this keystore right now"), "{err}");
    first.stdin.take().unwrap().write_all(b"n\n").unwrap();
    let first = first.wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&first.stderr).contains("not signed"));
    let _ = std::fs::remove_dir_all(&dir);
}

