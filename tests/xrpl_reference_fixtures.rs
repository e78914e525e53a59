//! The reference codec's own repository fixtures (fixtures/xrpl/reference): airsign's XRPL
//! codec must give ripple-binary-codec's bytes for every transaction and amount value, and
//! refuse every value the reference refuses. Three MPT value spellings the reference takes
//! ("-0", hex) airsign refuses on purpose; the test names them.

use airsign::chain::xrpl::codec;
use serde_json::{json, Value};

fn fixtures() -> Value {
    serde_json::from_str(include_str!("../fixtures/xrpl/reference/fixtures.json")).unwrap()
}

/// Top-level API decorations (lowercase keys) are not transaction fields.
fn without_decorations(tx: &Value) -> Value {
    let mut o = tx.as_object().unwrap().clone();
    o.retain(|k, _| !k.starts_with(|c: char| c.is_ascii_lowercase()));
    Value::Object(o)
}

#[test]
fn every_reference_transaction_encodes_to_its_bytes_and_back() {
    let f = fixtures();
    let txs = f["transactions"].as_array().unwrap();
    let mut failures = Vec::new();
    for t in txs {
        let id = t["id"].as_str().unwrap();
        let binary = t["binary"].as_str().unwrap();
        match codec::encode(&without_decorations(&t["json"])) {
            Ok(b) if hex::encode_upper(&b) == binary => {}
            Ok(b) => failures.push(format!("{id}: encoded to {}", hex::encode_upper(b))),
            Err(e) => failures.push(format!("{id}: {e}")),
        }
        let bytes = hex::decode(binary).unwrap();
        match codec::decode(&bytes).and_then(|v| codec::encode(&v)) {
            Ok(b) if b == bytes => {}
            Ok(_) => failures.push(format!("{id}: decode/encode changed the bytes")),
            Err(e) => failures.push(format!("{id}: decode: {e}")),
        }
    }
    assert_eq!(txs.len(), 67);
    assert!(failures.is_empty(), "{} of {} checks failed:\n{}", failures.len(), 2 * txs.len(), failures.join("\n"));
}

#[test]
fn every_reference_amount_value_is_encoded_or_refused_as_the_reference_does() {
    let f = fixtures();
    let values = f["values_tests"].as_array().unwrap();
    let mut failures = Vec::new();
    for v in values {
        let got = codec::encode(&json!({ "Amount": v["test_json"] }));
        match (v.get("expected_hex").and_then(Value::as_str), got) {
            // Field header 0x61 (Amount), then the value.
            (Some(hex), Ok(b)) if hex::encode_upper(&b[1..]) == hex => {}
            (Some(hex), got) => failures.push(format!("{}: expected {hex}, got {got:?}", v["test_json"])),
            (None, Err(_)) => {}
            (None, Ok(b)) => failures.push(format!("{}: the reference refuses it ({}), airsign encoded {}", v["test_json"], v["error"], hex::encode_upper(b))),
        }
    }
    assert_eq!(values.len(), 50);
    // Deliberately stricter than the reference: an MPT value is a plain decimal whole
    // number. ripple-binary-codec also takes "-0" and hex ("0xa"), forms that would make the
    // review show a different text than the number signed.
    let stricter = ["\"value\":\"-0\"", "\"value\":\"0xa\"", "\"value\":\"0x7FFFFFFFFFFFFFFF\""];
    let unexpected: Vec<&String> = failures.iter().filter(|f| !stricter.iter().any(|s| f.contains(s))).collect();
    assert!(unexpected.is_empty(), "{} of {} failed:\n{}", unexpected.len(), values.len(), failures.join("\n"));
    assert_eq!(failures.len(), stricter.len(), "the deliberate differences are exactly these: {failures:?}");
}
