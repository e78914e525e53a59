//! The tutorial's workflow with the CLI verbs, as a user scripts it: restore offline ->
//! export xrpl-account (UR) -> online watch -> sync (UR) -> apply-state -> sign-batch ->
//! submit -> status, against the rippled stand-in.
#![cfg(feature = "net")]

use std::path::Path;
use std::process::Output;

mod common;

fn airsign(args: &[&str], stdin: &[u8], passphrase: &str) -> Output {
    common::run_airsign(args, stdin, &[("AIRSIGN_PASSPHRASE", passphrase)])
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn cli_workflow_against_the_standin() {
    let dir = std::env::temp_dir().join(format!("airsign-cli-xrpl-wf-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let ks = dir.join("keys");
    let ks = ks.to_str().unwrap();
    let db = dir.join("online.sqlite");
    let db = db.to_str().unwrap();
    let pw = "tr0ub4dor&3";

    // Offline: restore from the tutorial's seed; the passphrase comes from the environment.
    let address = ok(airsign(&["xrpl", "account", "restore", "--wallet", "cold", "--keystore", ks], b"shYHSiJod8CLPTj1SNJ2PdUFj4pFk\n", pw));
    assert_eq!(address.trim(), "r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6");
    let listed = ok(airsign(&["xrpl", "account", "list", "--keystore", ks], b"", pw));
    assert!(listed.contains("cold\txrpl\tr4MRc4BArFPXmiDjmLdrufyFManSYhfKE6"));
    let files: String = std::fs::read_dir(ks).unwrap().map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default()).collect();
    assert!(!files.contains("shYHSiJod8CLPTj1SNJ2PdUFj4pFk") && !files.to_uppercase().contains("8465FDB80B2E2620A7D58274C26291A0"), "no plaintext seed on disk");
    let parts = ok(airsign(&["xrpl", "account", "export", "--wallet", "cold", "--keystore", ks, "--ur"], b"", pw));
    assert!(parts.starts_with("UR:XRPL-ACCOUNT/"));

    let standin = common::start_standin(
        &serde_json::json!({"accounts": {"r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6": {"balance": "100000000", "sequence": 42}}, "ledger_index": 500}),
        &dir,
    );
    let url = standin.url.as_str();

    // Online: watch, sync -> xrpl-state as UR text.
    assert!(ok(airsign(&["xrpl", "online", "watch", "--db", db], parts.as_bytes(), "")).contains("watching r4MR"));
    let state = ok(airsign(&["xrpl", "online", "sync", "--db", db, "--url", url, "--account", "r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6", "--ur"], b"", ""));
    assert!(state.starts_with("UR:XRPL-STATE/"));

    // Offline: apply it, then sign two payments and an AccountSet.
    let applied = ok(airsign(&["xrpl", "account", "apply-state", "--wallet", "cold", "--keystore", ks], state.as_bytes(), pw));
    assert!(applied.contains("next Sequence 42"), "{applied}");
    let templates = dir.join("batch.json");
    std::fs::write(
        &templates,
        r#"[{"template": "Payment", "destination": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", "amount": "2500000", "destination_tag": 7},
            {"template": "Payment", "destination": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", "amount": "1000000"},
            {"template": "AccountSet", "set_flag": "asfRequireDest"}]"#,
    )
    .unwrap();
    let signed = dir.join("signed.cbor");
    let args = ["xrpl", "account", "sign-batch", "--wallet", "cold", "--keystore", ks, "--templates", templates.to_str().unwrap(), "--yes", "-o", signed.to_str().unwrap()];
    // A wrong passphrase signs nothing.
    let wrong = airsign(&args, b"", "wrong");
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("wrong passphrase"));
    assert!(!Path::new(&signed).exists());
    // With nowhere to put the result, nothing is signed, journaled or advanced.
    let nowhere = airsign(&args[..args.len() - 2], b"", pw);
    assert!(!nowhere.status.success());
    assert!(String::from_utf8_lossy(&nowhere.stderr).contains("--ur"), "{}", String::from_utf8_lossy(&nowhere.stderr));
    assert!(!Path::new(ks).join("journal.log").exists());
    let out = airsign(&args, b"", pw);
    let review = String::from_utf8_lossy(&out.stderr).to_string();
    ok(out);
    assert!(review.contains("Payment, Sequence 42: pays 2.5 XRP to rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn (Amount), destination tag 7"), "{review}");
    assert!(review.contains("AccountSet, Sequence 44"), "{review}");
    assert!(review.contains("sets asfRequireDest: incoming payments must carry a destination tag"), "{review}");

    // Online: submit and track; then the outcomes travel back and reconcile.
    let submitted = ok(airsign(&["xrpl", "online", "submit", "--db", db, "--url", url, "--timeout", "30", signed.to_str().unwrap()], b"", ""));
    assert_eq!(submitted.lines().filter(|l| l.contains("final tesSUCCESS")).count(), 3, "{submitted}");
    let status = ok(airsign(&["xrpl", "online", "status", "--db", db, "--account", "r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6"], b"", ""));
    assert_eq!(status.lines().count(), 3);
    let state = ok(airsign(&["xrpl", "online", "sync", "--db", db, "--url", url, "--account", "r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6", "--ur"], b"", ""));
    let applied = ok(airsign(&["xrpl", "account", "apply-state", "--wallet", "cold", "--keystore", ks], state.as_bytes(), pw));
    assert!(applied.contains("next Sequence 45"), "{applied}");
    assert_eq!(applied.lines().filter(|l| l.ends_with("tesSUCCESS")).count(), 3);

    // PSBT-style: the online side prepares, the offline side reviews and signs.
    let two = dir.join("two.json");
    std::fs::write(&two, r#"[{"template": "Payment", "destination": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", "amount": "3000000"},
                              {"template": "TicketCreate", "count": 2}]"#).unwrap();
    let request = ok(airsign(&["xrpl", "online", "prepare", "--db", db, "--url", url, "--account", "r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6", "--templates", two.to_str().unwrap(), "--network", "testnet", "--ur"], b"", ""));
    assert!(request.starts_with("UR:XRPL-SIGN-REQUEST/"));
    let signed2 = dir.join("signed2.cbor");
    let out = airsign(&["xrpl", "account", "sign-request", "--wallet", "cold", "--keystore", ks, "--yes", "-o", signed2.to_str().unwrap()], request.as_bytes(), pw);
    let review = String::from_utf8_lossy(&out.stderr).to_string();
    ok(out);
    assert!(review.contains("the online side calls the network 'testnet'; that is its claim") && review.contains("Payment, Sequence 45: pays 3 XRP"), "{review}");
    let submitted = ok(airsign(&["xrpl", "online", "submit", "--db", db, "--url", url, "--timeout", "30", signed2.to_str().unwrap()], b"", ""));
    assert_eq!(submitted.lines().filter(|l| l.contains("final tesSUCCESS")).count(), 5, "{submitted}");

    // Replacing Sequence 44, which the ledger already used: refused offline, nothing signed.
    let one = dir.join("one.json");
    std::fs::write(&one, r#"{"template": "AccountSet", "set_flag": "asfRequireDest"}"#).unwrap();
    let replaced = dir.join("replaced.cbor");
    let sync = ok(airsign(&["xrpl", "online", "sync", "--db", db, "--url", url, "--account", "r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6", "--ur"], b"", ""));
    ok(airsign(&["xrpl", "account", "apply-state", "--wallet", "cold", "--keystore", ks], sync.as_bytes(), pw));
    let refused = airsign(&["xrpl", "account", "replace", "--wallet", "cold", "--keystore", ks, "--sequence", "44", "--template", one.to_str().unwrap(), "--fee", "30", "--yes", "-o", replaced.to_str().unwrap()], b"", pw);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("refused: a replacement for Sequence 44: the ledger has already used it"), "{}", String::from_utf8_lossy(&refused.stderr));
    assert!(!replaced.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn keystone_style_bytes_request_is_signed_and_journaled() {
    let dir = std::env::temp_dir().join(format!("airsign-cli-xrpl-bytes-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let ks = dir.join("keys");
    let ks = ks.to_str().unwrap();
    let pw = "pw";
    ok(airsign(&["xrpl", "account", "restore", "--wallet", "k", "--keystore", ks], b"shYHSiJod8CLPTj1SNJ2PdUFj4pFk\n", pw));
    // Without the account's state the signer cannot bound the request's Sequence: refused.
    let tx0 = serde_json::json!({"TransactionType": "Payment", "Account": "r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6", "Destination": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn",
        "Amount": "10000000", "Fee": "12", "Sequence": 5, "LastLedgerSequence": 9000, "Flags": 2147483648u32,
        "SigningPubKey": "03396074ED4B8155ACF9A8DC3665EFA53B5CFA0A1E91C3879303D37721EB222644"});
    let request0 = ok(airsign(&["ur", "encode", "--type", "bytes", "--wrap-bytes"], tx0.to_string().as_bytes(), ""));
    let no_state = airsign(&["xrpl", "account", "sign-bytes", "--wallet", "k", "--keystore", ks, "--yes", "--ur"], request0.as_bytes(), pw);
    assert!(String::from_utf8_lossy(&no_state.stderr).contains("next Sequence is unknown"), "{}", String::from_utf8_lossy(&no_state.stderr));
    // The state as the online side reports it (Sequence 5 at ledger 8800).
    use airsign::envelope::xrpl::{Versioned, XrplStatePayload};
    let state = XrplStatePayload { version: 1, account: "r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6".into(), sequence: 5, ledger_index: 8800, balance_drops: 50_000_000, fee_drops: 12, validated: true, outcomes: vec![], tickets: None, regular_key: None, master_disabled: None, signer_list: None };
    std::fs::create_dir_all(&dir).unwrap();
    let state_file = dir.join("state.cbor");
    std::fs::write(&state_file, state.to_cbor()).unwrap();
    ok(airsign(&["xrpl", "account", "apply-state", "--wallet", "k", "--keystore", ks, state_file.to_str().unwrap()], b"", pw));
    // What a Keystone-speaking wallet sends: the transaction JSON in a bytes UR.
    let tx = serde_json::json!({"TransactionType": "Payment", "Account": "r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6", "Destination": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn",
        "Amount": "10000000", "Fee": "12", "Sequence": 5, "LastLedgerSequence": 9000, "Flags": 2147483648u32,
        "SigningPubKey": "03396074ED4B8155ACF9A8DC3665EFA53B5CFA0A1E91C3879303D37721EB222644"});
    let request = ok(airsign(&["ur", "encode", "--type", "bytes", "--wrap-bytes"], tx.to_string().as_bytes(), ""));
    let args = ["xrpl", "account", "sign-bytes", "--wallet", "k", "--keystore", ks, "--yes", "--ur"];
    let answer = ok(airsign(&args, request.as_bytes(), pw));
    assert!(answer.starts_with("UR:BYTES/"));
    let blob = ok(airsign(&["ur", "decode", "--type", "bytes", "--unwrap-bytes", "--hex"], answer.as_bytes(), ""));
    assert!(ok(airsign(&["xrpl", "verify", blob.trim()], b"", "")).contains("r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6"));
    // A different transaction for Sequence 5 is refused by the journal (the account's next
    // Sequence moved to 6 on signing; the attacker asks for 5 again).
    let mut acct = airsign::signer::xrpl::load_account(Path::new(ks), "k").unwrap();
    assert_eq!(acct.next_sequence, 6, "signing advances the next Sequence");
    acct.next_sequence = 5;
    airsign::signer::xrpl::save_account(Path::new(ks), "k", &acct).unwrap();
    let mut other = tx.clone();
    other["Amount"] = serde_json::json!("20000000");
    let request = ok(airsign(&["ur", "encode", "--type", "bytes", "--wrap-bytes"], other.to_string().as_bytes(), ""));
    let refused = airsign(&args, request.as_bytes(), pw);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("already signed"), "{}", String::from_utf8_lossy(&refused.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}
