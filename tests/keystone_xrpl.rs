//! Keystone-style XRPL (XRP Toolkit and the like) against Keystone's own SDK
//! (@keystonehq/keystone-sdk 0.11.5, fixtures/keystone/keystone.js): its
//! `generateSignRequest` makes the request airsign signs, its `parseSignature` reads
//! airsign's answer, from `xrpl account sign-bytes` and from the player's keystone-xrpl
//! profile.

use airsign::envelope::xrpl::{SignedEntry, Versioned, XrplSignedPayload, XrplStatePayload, VERSION};
use airsign::transport::profile::{Profile, Stream};
use std::io::Write;
use std::process::{Command, Output, Stdio};

mod common;

fn keystone(mode: &str, stdin: &str) -> Output {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/keystone/keystone.js");
    assert!(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/keystone/node_modules/@keystonehq/keystone-sdk")).exists(), "run tests/setup.sh");
    let mut child = Command::new("node").arg(script).arg(mode).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("node (tests/setup.sh)");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(out: &Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn keystones_request_is_signed_and_keystone_reads_the_answer() {
    let dir = std::env::temp_dir().join(format!("airsign-keystone-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let ks = dir.join("keys");
    let ks = ks.to_str().unwrap();
    let env = [("AIRSIGN_PASSPHRASE", "pw")];
    text(&common::run_airsign(&["xrpl", "account", "restore", "--wallet", "k", "--keystore", ks], b"shYHSiJod8CLPTj1SNJ2PdUFj4pFk\n", &env));
    let state = XrplStatePayload { version: 1, account: "r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6".into(), sequence: 5, ledger_index: 8800, balance_drops: 50_000_000, fee_drops: 12, validated: true, outcomes: vec![], tickets: None, regular_key: None, master_disabled: None, signer_list: None };
    let state_file = dir.join("state.cbor");
    std::fs::write(&state_file, state.to_cbor()).unwrap();
    text(&common::run_airsign(&["xrpl", "account", "apply-state", "--wallet", "k", "--keystore", ks, state_file.to_str().unwrap()], b"", &env));

    // Keystone's SDK makes the request from the transaction JSON, as XRP Toolkit does.
    let tx = serde_json::json!({"TransactionType": "Payment", "Account": "r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6", "Destination": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn",
        "Amount": "10000000", "Fee": "12", "Sequence": 5, "LastLedgerSequence": 9000, "Flags": 2147483648u32,
        "SigningPubKey": "03396074ED4B8155ACF9A8DC3665EFA53B5CFA0A1E91C3879303D37721EB222644"});
    let request = text(&keystone("request", &tx.to_string()));
    assert!(request.starts_with("ur:bytes/"), "{request}");
    let out = common::run_airsign(&["xrpl", "account", "sign-bytes", "--wallet", "k", "--keystore", ks, "--yes", "--ur"], request.as_bytes(), &env);
    let review = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(review.contains("pays 10 XRP to rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn"), "{review}");
    let answer = text(&out);
    // Keystone's parseSignature reads the answer: the TxnSignature of the blob airsign signed.
    let parsed: serde_json::Value = serde_json::from_str(&text(&keystone("parse", &answer))).unwrap();
    let blob = text(&common::run_airsign(&["ur", "decode", "--type", "bytes", "--unwrap-bytes", "--hex"], answer.as_bytes(), &[]));
    let signed = airsign::chain::xrpl::codec::decode(&hex::decode(blob.trim()).unwrap()).unwrap();
    assert_eq!(parsed["signature"], signed["TxnSignature"]);
    assert!(matches!(airsign::chain::xrpl::sign::verify_blob(&hex::decode(blob.trim()).unwrap()).unwrap(), airsign::chain::xrpl::sign::Verification::SingleValid { .. }));

    // The player's keystone-xrpl profile of the same signed transaction reads the same way.
    let b = hex::decode(blob.trim()).unwrap();
    let payload = XrplSignedPayload { version: VERSION, transactions: vec![SignedEntry { blob: b.clone(), hash: hex::decode(airsign::chain::xrpl::sign::transaction_hash(&b)).unwrap(), sequence: 5, last_ledger_sequence: 9000 }] };
    let mut s = Stream::new(Profile::KeystoneXrpl, "xrpl-signed", &payload.to_cbor(), None, None).unwrap();
    let parts = s.texts(s.seq_len()).join("\n");
    let parsed: serde_json::Value = serde_json::from_str(&text(&keystone("parse", &parts))).unwrap();
    assert_eq!(parsed["signature"], signed["TxnSignature"]);
    let _ = std::fs::remove_dir_all(&dir);
}
