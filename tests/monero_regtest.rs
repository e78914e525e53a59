//! The Monero offline flows against Monero's own software on a private regtest chain
//! (tests/regtest/up.sh: monerod, a view-only monero-wallet-rpc, an offline full
//! monero-wallet-rpc, monero-wallet-cli; Debian package `monero` 0.18.0.0). One chain serves
//! every step, in order, because building it takes most of the time.

#[path = "regtest/harness.rs"]
mod harness;

use airsign::chain::monero::keys::{Network, WalletKeys};
use airsign::chain::monero::outputs::{check_key_image_signature, export_key_images, parse_key_images, parse_outputs_export, OutputScanner};
use airsign::chain::monero::wallet2_file::{open, seal, FileKind};
use harness::Regtest;
use serde_json::json;

fn atomic(text: &str) -> u64 {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    let frac = format!("{frac:0<12}");
    whole.parse::<u64>().unwrap() * 1_000_000_000_000 + frac[..12].parse::<u64>().unwrap()
}

/// "Signed key images imported to height 437, 5.000000000000 spent, 12.998191600000 unspent"
fn spent_unspent(cli_output: &str) -> (u64, u64) {
    let line = cli_output.lines().find(|l| l.contains("Signed key images imported")).unwrap_or_else(|| panic!("no import line in: {cli_output}"));
    let words: Vec<&str> = line.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    let before = |label: &str| atomic(words[words.iter().position(|w| *w == label).unwrap() - 1]);
    (before("spent"), before("unspent"))
}

/// Spends with wallet2's own cold-signing flow (view-only + offline full wallet), so the
/// signer's outputs include spent ones before airsign sees them.
fn spend_with_wallet2(rt: &Regtest, amount: u64) {
    rt.open("ONLINE_PORT", "viewonly");
    rt.refresh("ONLINE_PORT");
    let outputs = rt.call("ONLINE_PORT", "export_outputs", json!({"all": true}))["outputs_data_hex"].as_str().unwrap().to_owned();
    rt.open("OFFLINE_PORT", "signer");
    rt.call("OFFLINE_PORT", "import_outputs", json!({"outputs_data_hex": outputs}));
    let kis = rt.call("OFFLINE_PORT", "export_key_images", json!({"all": true}))["signed_key_images"].clone();
    rt.call("ONLINE_PORT", "import_key_images", json!({"signed_key_images": kis}));
    let miner = rt.env["MINER_ADDRESS"].clone();
    let mut unsigned = None;
    for _ in 0..3 {
        match rt.try_call("ONLINE_PORT", "transfer", json!({"destinations": [{"address": miner, "amount": amount}], "do_not_relay": true, "ring_size": 16})) {
            Ok(r) => {
                unsigned = Some(r["unsigned_txset"].as_str().unwrap().to_owned());
                break;
            }
            Err(e) => eprintln!("transfer retry: {e}"),
        }
    }
    let signed = rt.call("OFFLINE_PORT", "sign_transfer", json!({"unsigned_txset": unsigned.expect("transfer")}))["signed_txset"].as_str().unwrap().to_owned();
    rt.call("ONLINE_PORT", "submit_transfer", json!({"tx_data_hex": signed}));
    rt.mine(2);
}

#[test]
fn monero_offline_flows_against_monero_wallet_rpc() {
    let rt = Regtest::up("flows");
    let keys = WalletKeys::from_mnemonic(&harness::signer_mnemonic(), Network::Mainnet).unwrap();
    assert_eq!(keys.address(), rt.env["SIGNER_ADDRESS"]);
    assert_eq!(keys.subaddress(0, 1), rt.env["SIGNER_SUBADDRESS"]);
    let scanner = OutputScanner::with_default_lookahead(&keys);

    spend_with_wallet2(&rt, 2_500_000_000_000);

    // Test 1: a view-only wallet that knows no key images exports its outputs; airsign
    // proves each is ours, derives and signs the key images; wallet2 imports the file and
    // reports the same spent/unspent split as the wallet that spent them.
    rt.open("ONLINE_PORT", "viewonly");
    rt.refresh("ONLINE_PORT");
    let reference = rt.call("ONLINE_PORT", "incoming_transfers", json!({"transfer_type": "all"}))["transfers"].as_array().unwrap().clone();
    let (ref_spent, ref_unspent) = reference.iter().fold((0u64, 0u64), |(s, u), t| {
        let a = t["amount"].as_u64().unwrap();
        if t["spent"].as_bool().unwrap() { (s + a, u) } else { (s, u + a) }
    });
    assert!(ref_spent > 0 && ref_unspent > 0, "both spent and unspent outputs exist: {ref_spent} / {ref_unspent}");

    rt.new_view_only("fresh", 1);
    let outputs_hex = rt.call("ONLINE_PORT", "export_outputs", json!({"all": true}))["outputs_data_hex"].as_str().unwrap().to_owned();
    let outputs_file = hex::decode(outputs_hex).unwrap();
    let plain = open(FileKind::Outputs, &outputs_file, &keys.view_secret_bytes()).unwrap();
    let export = parse_outputs_export(&plain).unwrap();
    assert_eq!(export.list.outputs.len(), reference.len());
    let ki = export_key_images(&scanner, &export).unwrap();
    assert!(ki.owned.iter().any(|(_, o)| o.subaddress == (0, 1)), "the subaddress output is recognised");
    for (out, owned) in &ki.owned {
        let wallet_ki = reference.iter().find(|t| t["amount"].as_u64() == Some(out.amount) && t["global_index"].as_u64() == Some(out.global_output_index)).unwrap();
        assert_eq!(hex::encode(owned.key_image), wallet_ki["key_image"].as_str().unwrap(), "key image of output {}", out.global_output_index);
    }
    let parsed = parse_key_images(&ki.plaintext).unwrap();
    for ((ki_bytes, sig), (out, _)) in parsed.signed.iter().zip(&ki.owned) {
        assert!(check_key_image_signature(&out.pubkey, ki_bytes, sig));
    }
    let sealed = seal(FileKind::KeyImages, &ki.plaintext, &keys.view_secret_bytes());
    let path = rt.dir.join("online").join("airsign-key-images");
    std::fs::write(&path, sealed).unwrap();
    rt.call("ONLINE_PORT", "close_wallet", json!({}));
    let printed = rt.online_cli("fresh", &["import_key_images", path.to_str().unwrap()]);
    assert_eq!(spent_unspent(&printed), (ref_spent, ref_unspent), "{printed}");
}
