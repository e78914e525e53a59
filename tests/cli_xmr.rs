//! `airsign xmr` verbs that need no daemon: restore, addresses, the view-only export (its QR
//! read back), and the errors a user meets (wrong passphrase, mistyped words, another
//! wallet's file). The signing verbs run against Monero itself in tests/monero_regtest.rs.

mod common;

use airsign::transport::{qr, QrEngine};
use common::run_airsign;

fn stagenet() -> serde_json::Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/monero/keys.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["wallets"].as_array().unwrap().iter().find(|w| w["network"] == "stagenet").unwrap().clone()
}

#[test]
fn restore_addresses_and_view_only_export() {
    let w = stagenet();
    let home = std::env::temp_dir().join(format!("airsign-cli-xmr-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    let h = home.to_str().unwrap();
    let env = [("AIRSIGN_PASSPHRASE", "pass")];
    let words = format!("{}\n", w["mnemonic"].as_str().unwrap());
    let out = run_airsign(&["xmr", "restore", "--wallet", "s", "--network", "stagenet", "--restore-height", "1234", "--keystore", h], words.as_bytes(), &env);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), w["primary_address"].as_str().unwrap());
    let out = run_airsign(&["xmr", "address", "--wallet", "s", "--account", "1", "--index", "1", "--keystore", h], b"", &env);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), w["subaddresses"][3][2].as_str().unwrap());

    let png = home.join("view-only.png");
    let out = run_airsign(&["xmr", "view-only", "--wallet", "s", "--keystore", h, "--qr", png.to_str().unwrap()], b"", &env);
    let text = String::from_utf8(out.stdout).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["version"], 0);
    assert_eq!(json["primaryAddress"], w["primary_address"]);
    assert_eq!(json["privateViewKey"], w["secret_view_key"]);
    assert_eq!(json["restoreHeight"], 1234);
    assert_eq!(json["walletName"], "s");
    let image = image::open(&png).unwrap().to_luma8();
    assert_eq!(qr::decode(&image, QrEngine::Rxing), vec![text.trim().to_owned()], "the QR holds the same JSON");

    let out = run_airsign(&["xmr", "address", "--wallet", "s", "--keystore", h], b"", &[("AIRSIGN_PASSPHRASE", "wrong")]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrong passphrase"));

    let mut mistyped: Vec<&str> = w["mnemonic"].as_str().unwrap().split(' ').collect();
    mistyped[5] = "zzzz";
    let out = run_airsign(&["xmr", "restore", "--wallet", "t", "--keystore", h], mistyped.join(" ").as_bytes(), &env);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("word 6 is not in the English Monero word list"));

    // The outputs file of another wallet (fixtures/monero/envelope.json) is refused, not read.
    let other: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/monero/envelope.json")).unwrap()).unwrap();
    let file = home.join("other-outputs");
    std::fs::write(&file, hex::decode(other["outputs_file_hex"].as_str().unwrap()).unwrap()).unwrap();
    let ki = home.join("ki");
    let out = run_airsign(&["xmr", "key-images", "--wallet", "s", "--keystore", h, file.to_str().unwrap(), "-o", ki.to_str().unwrap()], b"", &env);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("signature check failed"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!ki.exists());
    // The same file as UR part text reaches the same check (the UR path decodes it).
    let ur = run_airsign(&["ur", "encode", "--type", "xmr-output", "--wrap-bytes", file.to_str().unwrap()], b"", &[]);
    let ur_file = home.join("other-outputs.ur");
    std::fs::write(&ur_file, &ur.stdout).unwrap();
    let out = run_airsign(&["xmr", "key-images", "--wallet", "s", "--keystore", h, ur_file.to_str().unwrap(), "-o", ki.to_str().unwrap()], b"", &env);
    assert!(String::from_utf8_lossy(&out.stderr).contains("signature check failed"), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!ki.exists());
    let _ = std::fs::remove_dir_all(&home);
}
