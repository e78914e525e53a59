//! A 2-of-3 treasury with the CLI verbs, as README's walk-through scripts it, against the
//! rippled stand-in: the treasury's offline machine sets and rotates a regular key and a
//! signer list of three members, each with a keystore of its own (three air-gapped
//! machines); the online side prepares a multi-signed payment, two members sign it, the
//! online side combines and submits. Then what must be refused: one signature short of the
//! quorum, a member signing a second transaction for the same Sequence.
#![cfg(feature = "net")]

use airsign::envelope::xrpl::{Versioned, XrplMultisignRequestPayload};
use std::path::Path;
use std::process::Output;

mod common;

const PW: &str = "c0rrect-h0rse";
const TREASURY: &str = "r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6";

fn airsign(args: &[&str], stdin: &[u8]) -> Output {
    common::run_airsign(args, stdin, &[("AIRSIGN_PASSPHRASE", PW)])
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn err(out: Output) -> String {
    assert!(!out.status.success(), "expected a refusal; stdout: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stderr).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_two_of_three_treasury_with_the_cli() {
    let dir = std::env::temp_dir().join(format!("airsign-cli-multisig-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let ks = dir.join("treasury-keys");
    let db = dir.join("online.sqlite");
    let f = |name: &str| dir.join(name);

    // Offline, the treasury's machine; and three members, each on a machine of its own.
    ok(airsign(&["xrpl", "account", "restore", "--wallet", "treasury", "--keystore", s(&ks)], b"shYHSiJod8CLPTj1SNJ2PdUFj4pFk\n"));
    let mut members = Vec::new();
    for i in 1..=3 {
        let mks = f(&format!("member{i}-keys"));
        let address = ok(airsign(&["xrpl", "account", "new", "--wallet", "me", "--keystore", s(&mks)], b"")).trim().to_owned();
        ok(airsign(&["xrpl", "account", "export", "--wallet", "me", "--keystore", s(&mks), "-o", s(&f(&format!("member{i}.account")))], b""));
        members.push((mks, address));
    }
    let standin = common::start_standin(&serde_json::json!({"accounts": {TREASURY: {"balance": "100000000", "sequence": 42}, "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn": {"balance": "50000000", "sequence": 1}}, "ledger_index": 500}), &dir);
    let url = standin.url.as_str();
    let treasury = ["--wallet", "treasury", "--keystore", s(&ks)];
    let with = |verb: &[&'static str], rest: &[&str]| -> Vec<String> { verb.iter().map(|v| v.to_string()).chain(treasury.iter().map(|v| v.to_string())).chain(rest.iter().map(|v| v.to_string())).collect() };
    let run = |args: Vec<String>, stdin: &[u8]| airsign(&args.iter().map(String::as_str).collect::<Vec<_>>(), stdin);

    let export = ok(airsign(&["xrpl", "account", "export", "--wallet", "treasury", "--keystore", s(&ks), "--ur"], b""));
    ok(airsign(&["xrpl", "online", "watch", "--db", s(&db)], export.as_bytes()));
    let sync = || {
        let state = ok(airsign(&["xrpl", "online", "sync", "--db", s(&db), "--url", url, "--account", TREASURY, "--ur"], b""));
        ok(airsign(&["xrpl", "account", "apply-state", "--wallet", "treasury", "--keystore", s(&ks)], state.as_bytes()))
    };
    let submit = |file: &Path| ok(airsign(&["xrpl", "online", "submit", "--db", s(&db), "--url", url, s(file)], b""));
    assert!(sync().contains("keys in force: master key enabled; regular key none; signer list none"));

    // A regular key made offline; it signs once the ledger's word comes back.
    let out = run(with(&["xrpl", "account", "regular-key"], &["--yes", "-o", s(&f("rk.signed"))]), b"");
    let review = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{review}");
    assert!(review.contains("the new regular key r") && (review.contains("(public key 02") || review.contains("(public key 03")), "{review}");
    assert!(review.contains("hands signing power over this account to the key of r"), "{review}");
    assert!(submit(&f("rk.signed")).contains("final tesSUCCESS"));
    let applied = sync();
    let regular = applied.split("regular key ").nth(1).unwrap().split(';').next().unwrap().to_owned();
    assert!(regular.starts_with('r') && regular != TREASURY, "{applied}");
    let listed = ok(airsign(&["xrpl", "account", "list", "--keystore", s(&ks)], b""));
    assert!(listed.contains(&format!("treasury_rk_{}\txrpl\t{regular}", &regular[..12])), "{listed}");
    std::fs::write(f("pay.json"), r#"[{"template": "Payment", "destination": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", "amount": "1000000"}]"#).unwrap();
    ok(run(with(&["xrpl", "account", "sign-batch"], &["--templates", s(&f("pay.json")), "--with-regular-key", "--yes", "-o", s(&f("pay1.signed"))]), b""));
    assert!(submit(&f("pay1.signed")).contains("final tesSUCCESS"));
    sync();

    // The signer list: the members' xrpl-account codes (a file, UR text, an address).
    let m2_ur = ok(airsign(&["xrpl", "account", "export", "--wallet", "me", "--keystore", s(&members[1].0), "--ur"], b"")).trim().to_owned();
    let signers = [format!("{}:1", s(&f("member1.account"))), format!("{m2_ur}:1"), format!("{}:1", members[2].1)];
    let mut args = with(&["xrpl", "account", "signer-list"], &["--quorum", "2", "--yes", "-o", s(&f("list.signed"))]);
    for sg in &signers {
        args.push("--signer".into());
        args.push(sg.clone());
    }
    let out = run(args, b"");
    let review = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{review}");
    assert!(review.contains("the new signer list: 2-of-3: any 2 of"), "{review}");
    assert!(submit(&f("list.signed")).contains("final tesSUCCESS"));
    assert!(sync().contains("signer list 2-of-3"));

    // A multi-signed payment: prepared online, signed by members 3 and 1 on their machines.
    std::fs::write(f("treasury-pay.json"), r#"[{"template": "Payment", "destination": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", "amount": "7000000", "memos": ["invoice 12"]}]"#).unwrap();
    let request = ok(airsign(&["xrpl", "online", "multisign-prepare", "--db", s(&db), "--url", url, "--account", TREASURY, "--templates", s(&f("treasury-pay.json")), "--network", "stand-in", "--ur"], b""));
    assert!(request.starts_with("UR:XRPL-MULTISIGN-REQUEST/"), "{request}");
    std::fs::write(f("request.txt"), &request).unwrap();
    for i in [2, 0] {
        let out = airsign(&["xrpl", "account", "sign-multisig", "--wallet", "me", "--keystore", s(&members[i].0), "--yes", s(&f("request.txt")), "--ur"], b"");
        let review = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{review}");
        assert!(review.contains(&format!("you sign as {} (weight 1 of quorum 2) for the multi-signed account {TREASURY}", members[i].1)), "{review}");
        assert!(review.contains("pays 7 XRP to rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn"), "{review}");
        std::fs::write(f(&format!("sig{i}.txt")), out.stdout).unwrap();
    }
    // One short of the quorum: nothing to submit.
    let short = err(airsign(&["xrpl", "online", "multisign-combine", "--db", s(&db), s(&f("request.txt")), s(&f("sig2.txt"))], b""));
    assert!(short.contains("the signatures so far weigh 1, the quorum is 2"), "{short}");
    let out = airsign(&["xrpl", "online", "multisign-combine", "--db", s(&db), s(&f("request.txt")), s(&f("sig2.txt")), s(&f("sig0.txt")), "--submit", "--url", url], b"");
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    let combined: serde_json::Value = serde_json::from_slice(&ok(out).into_bytes()).unwrap();
    assert!(combined["tx_blob"].as_str().unwrap().len() > 200 && combined["hash"].as_str().unwrap().len() == 64, "{combined}");
    assert!(log.contains("final tesSUCCESS"), "{log}");
    assert!(ok(airsign(&["xrpl", "verify", combined["tx_blob"].as_str().unwrap()], b"")).contains("valid"));

    // Member 1 will not sign a second, different transaction for that Sequence (a hostile
    // online side's request: the same Sequence, another amount)...
    let old = XrplMultisignRequestPayload::from_cbor(&decode_ur(&request)).unwrap();
    let mut tx = airsign::chain::xrpl::codec::decode(&old.transactions[0]).unwrap();
    tx["Amount"] = serde_json::json!("9000000");
    let forged = XrplMultisignRequestPayload { transactions: vec![airsign::chain::xrpl::codec::encode(&tx).unwrap().into()], ..old };
    std::fs::write(f("forged.cbor"), forged.to_cbor()).unwrap();
    let refused = err(airsign(&["xrpl", "account", "sign-multisig", "--wallet", "me", "--keystore", s(&members[0].0), "--yes", s(&f("forged.cbor")), "-o", s(&f("forged.sig"))], b""));
    assert!(refused.contains("already signed"), "{refused}");
    // ...unless told to replace it.
    ok(airsign(&["xrpl", "account", "sign-multisig", "--wallet", "me", "--keystore", s(&members[0].0), "--yes", "--replace", s(&f("forged.cbor")), "-o", s(&f("forged.sig"))], b""));
    // A request not prepared with this database is not combined.
    let foreign = err(airsign(&["xrpl", "online", "multisign-combine", "--db", s(&db), s(&f("forged.cbor")), s(&f("forged.sig"))], b""));
    assert!(foreign.contains("not prepared with this database"), "{foreign}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn decode_ur(text: &str) -> Vec<u8> {
    let mut d = airsign::transport::UrDecoder::new(Some("xrpl-multisign-request"));
    for line in text.lines() {
        d.receive(line).unwrap();
        if d.is_complete() {
            break;
        }
    }
    d.message().unwrap().to_vec()
}
