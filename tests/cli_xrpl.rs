//! `airsign xrpl ...` verbs as scripts call them.

use serde_json::Value;
use std::process::Output;

mod common;

fn airsign(args: &[&str], stdin: &str) -> Output {
    common::run_airsign(args, stdin.as_bytes(), &[])
}

fn json(out: &Output) -> Value {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn write(name: &str, v: &Value) -> String {
    let path = std::env::temp_dir().join(format!("airsign-xrpl-{}-{name}", std::process::id()));
    std::fs::write(&path, v.to_string()).unwrap();
    path.to_str().unwrap().to_owned()
}

fn fixture(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{}/fixtures/xrpl/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()).unwrap()
}

#[test]
fn wallet_propose_from_seed_words_and_random() {
    let v = json(&airsign(&["xrpl", "wallet-propose", "--seed-stdin"], "JANE GIBE LIST TEND NU RUDE JIG PA FLOG DEFT SAME NASH\n"));
    assert_eq!(v["account_id"], "r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6");
    assert_eq!(v["master_seed"], "shYHSiJod8CLPTj1SNJ2PdUFj4pFk");
    let a = json(&airsign(&["xrpl", "wallet-propose", "--key-type", "ed25519"], ""));
    let b = json(&airsign(&["xrpl", "wallet-propose", "--key-type", "ed25519"], ""));
    assert_eq!(a["key_type"], "ed25519");
    assert!(a["public_key_hex"].as_str().unwrap().starts_with("ED"));
    assert_ne!(a["master_seed"], b["master_seed"], "fresh entropy every time");
    let p = airsign(&["xrpl", "wallet-propose", "--passphrase-stdin"], "masterpassphrase");
    assert_eq!(json(&p)["account_id"], "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh", "rippled's genesis passphrase");
    assert!(String::from_utf8_lossy(&p.stderr).contains("warning"));
    let bad = airsign(&["xrpl", "wallet-propose", "--seed-stdin"], "not a seed");
    assert!(!bad.status.success());
}

#[test]
fn sign_reproduces_rippled_and_refuses_secret_arguments() {
    let tx = write("tx.json", &serde_json::json!({"Account": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", "Fee": "12", "Sequence": 1, "TransactionType": "AccountSet", "SetFlag": 2}));
    let out = airsign(&["xrpl", "sign", "--secret-stdin", &tx], "sn3nxiW7v8KXzPzAqzyHXbSSKNuN9\n");
    let v = json(&out);
    assert_eq!(v["hash"], "F81C34E7F05423DC1C973CB5008CA41AE984DE142EAA3975A749FABF0D08FA63");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not the master key"));
    let blob = v["tx_blob"].as_str().unwrap();
    assert!(airsign(&["xrpl", "verify", blob], "").status.success());
    let mut tampered = blob.to_owned();
    tampered.replace_range(20..21, if &blob[20..21] == "0" { "1" } else { "0" });
    assert!(!airsign(&["xrpl", "verify", &tampered], "").status.success());
    // Without --secret-stdin there is no way to pass a secret.
    assert!(!airsign(&["xrpl", "sign", &tx], "").status.success());
}

#[test]
fn sign_for_and_combine_reproduce_xrpl_js_multisign() {
    let f = fixture("signing.json");
    let v = &f["multi"][0];
    let tx = write("multi.json", &v["tx_json"]);
    let mut outputs = Vec::new();
    for (i, seed) in v["signer_seeds"].as_array().unwrap().iter().enumerate() {
        let address = json(&airsign(&["xrpl", "wallet-propose", "--seed-stdin"], seed.as_str().unwrap()))["account_id"].as_str().unwrap().to_owned();
        let signed = json(&airsign(&["xrpl", "sign-for", "--account", &address, "--secret-stdin", &tx], seed.as_str().unwrap()));
        assert_eq!(signed["tx_blob"], v["signer_blobs"][i]);
        outputs.push(write(&format!("part{i}.json"), &signed));
    }
    let mut args = vec!["xrpl", "combine"];
    args.extend(outputs.iter().map(String::as_str));
    let combined = json(&airsign(&args, ""));
    assert_eq!(combined["tx_blob"], v["combined_blob"]);
    assert!(airsign(&["xrpl", "verify", combined["tx_blob"].as_str().unwrap()], "").status.success());
}

#[test]
fn encode_decode_round_trip() {
    let v = &fixture("codec.json")["vectors"][5];
    let tx = write("enc.json", &v["json"]);
    let out = airsign(&["xrpl", "encode", &tx], "");
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), v["blob"].as_str().unwrap());
    assert_eq!(json(&airsign(&["xrpl", "decode", v["blob"].as_str().unwrap()], "")), v["decoded"]);
    let bad = airsign(&["xrpl", "decode", "12000"], "");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not hex"));
}
