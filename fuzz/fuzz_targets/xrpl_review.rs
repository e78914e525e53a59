//! Any bytes as an XRPL transaction in a sign request: whatever decodes is bounded and
//! reviewed without a panic, and a review that succeeds shows every field of the decoded
//! transaction (seeds: every transaction type of fixtures/xrpl/codec.json, from
//! `cargo run --example fuzz_seeds`).
#![no_main]
use airsign::chain::xrpl::codec;
use airsign::signer::xrpl::{bounds, review, XrplAccount};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(tx) = codec::decode(data) else { return };
    let mut account = XrplAccount::new_watch_only(tx.get("Account").and_then(|a| a.as_str()).unwrap_or("r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6"));
    account.next_sequence = 7;
    account.ledger_index = 1000;
    account.tickets = vec![1, 2, 3];
    let txs = [tx];
    let _ = bounds::check_transactions(&account, &txs, 7, 1_800_000_000);
    if let Ok(r) = review::review_transactions(&account, &txs, Some("fuzz")) {
        let text = r.to_text();
        if let Some(o) = txs[0].as_object() {
            for k in o.keys() {
                assert!(r.transactions[0].fields.iter().any(|f| &f.name == k), "{k} not shown in {text}");
            }
        }
    }
});
