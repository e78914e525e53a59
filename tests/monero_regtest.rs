//! The Monero offline flows against Monero's own software on a private regtest chain
//! (tests/regtest/up.sh: monerod, a view-only monero-wallet-rpc, an offline full
//! monero-wallet-rpc, monero-wallet-cli; Debian package `monero` 0.18.0.0). One chain serves
//! every step, in order, because building it takes most of the time. Needs feature `net`
//! (one signed set is broadcast by airsign's own online code).
#![cfg(feature = "net")]

#[path = "regtest/harness.rs"]
mod harness;
#[path = "regtest/cli.rs"]
mod cli;

use airsign::chain::monero::keys::{Network, WalletKeys};
use airsign::chain::monero::outputs::{check_key_image_signature, export_key_images, parse_key_images, parse_outputs_export, OutputScanner};
use airsign::chain::monero::wallet2_file::{open, seal, FileKind};
use airsign::chain::monero::txset::{parse_unsigned, write_unsigned};
use airsign::transport::{qr, Degradation, FrameSource, QrEngine, Scene, UrDecoder, UrEncoder, VirtualCamera};
use cli::{airsign, miner_received, ok};
use harness::Regtest;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A wallet2 file carried as UR parts, filmed by the virtual camera (blur), read back.
fn through_camera(ur_type: &str, file: &[u8]) -> Vec<u8> {
    let msg = airsign::envelope::wrap_bytes(file);
    let mut enc = UrEncoder::new(ur_type, &msg, 400).unwrap();
    let parts = enc.parts(4 * enc.seq_len() + 4);
    let mut cam = VirtualCamera::new(parts.into_iter(), Scene::default(), Degradation::named("blur").unwrap(), 3);
    let mut dec = UrDecoder::new(Some(ur_type));
    while let Some(frame) = cam.next_frame().unwrap() {
        for text in qr::decode(&frame.image, QrEngine::Rxing) {
            dec.receive(&text).unwrap();
        }
        if let Some(m) = dec.message() {
            return airsign::envelope::decode(ur_type, m).unwrap().data;
        }
    }
    panic!("the camera did not deliver the {ur_type} payload");
}

fn hex_of(path: &Path) -> String {
    hex::encode(std::fs::read(path).unwrap())
}

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
    let sealed = seal(FileKind::KeyImages, &ki.plaintext, &keys.view_secret_bytes()).unwrap();
    let path = rt.dir.join("online").join("airsign-key-images");
    std::fs::write(&path, sealed).unwrap();
    rt.call("ONLINE_PORT", "close_wallet", json!({}));
    let printed = rt.online_cli("fresh", &["import_key_images", path.to_str().unwrap()]);
    assert_eq!(spent_unspent(&printed), (ref_spent, ref_unspent), "{printed}");

    // The same through the CLI, the keystore and the UR path: the outputs file crosses the
    // virtual camera, `airsign xmr key-images` writes UR text, which crosses it back.
    let home = rt.dir.join("airsign-home");
    let restored = ok(airsign(&home, &["xmr", "restore", "--wallet", "s", "--network", "mainnet"], &harness::signer_mnemonic()));
    assert_eq!(restored.trim(), rt.env["SIGNER_ADDRESS"]);
    assert_eq!(ok(airsign(&home, &["xmr", "address", "--wallet", "s", "--account", "0", "--index", "1"], "")).trim(), rt.env["SIGNER_SUBADDRESS"]);
    let view_only: serde_json::Value = serde_json::from_str(&ok(airsign(&home, &["xmr", "view-only", "--wallet", "s"], ""))).unwrap();
    assert_eq!(view_only["primaryAddress"], rt.env["SIGNER_ADDRESS"]);
    assert_eq!(view_only["privateViewKey"], hex::encode(*keys.view_secret_bytes()));
    let carried = rt.dir.join("outputs.carried");
    std::fs::write(&carried, through_camera("xmr-output", &outputs_file)).unwrap();
    let ki_ur = ok(airsign(&home, &["xmr", "key-images", "--wallet", "s", carried.to_str().unwrap(), "--ur"], ""));
    let mut dec = UrDecoder::new(Some("xmr-keyimage"));
    for line in ki_ur.lines() {
        dec.receive(line).unwrap();
    }
    let ki_file = airsign::envelope::decode("xmr-keyimage", dec.message().unwrap()).unwrap().data;
    let ki_file = through_camera("xmr-keyimage", &ki_file);
    rt.new_view_only("fresh2", 1);
    rt.call("ONLINE_PORT", "close_wallet", json!({}));
    let path = rt.dir.join("online").join("airsign-key-images-ur");
    std::fs::write(&path, &ki_file).unwrap();
    let printed = rt.online_cli("fresh2", &["import_key_images", path.to_str().unwrap()]);
    assert_eq!(spent_unspent(&printed), (ref_spent, ref_unspent), "{printed}");

    // Test 2: wallet2 makes unsigned sets, airsign reviews and signs, wallet2 submits, the
    // receiver sees the amounts.
    rt.open("ONLINE_PORT", "fresh2");
    rt.refresh("ONLINE_PORT");
    let unspent: Vec<serde_json::Value> = rt.call("ONLINE_PORT", "incoming_transfers", json!({"transfer_type": "available"}))["transfers"].as_array().unwrap().clone();
    let on_sub = unspent.iter().find(|t| t["subaddr_index"]["minor"] == 1).expect("an unspent output on subaddress (0,1)").clone();
    let miner_sub = rt.call("MINER_PORT", "create_address", json!({"account_index": 0}))["address"].as_str().unwrap().to_owned();
    let miner = rt.env["MINER_ADDRESS"].clone();

    // (a) one input, received on a subaddress, swept: through the camera both ways.
    let sweep = rt.call("ONLINE_PORT", "sweep_single", json!({"address": miner, "key_image": on_sub["key_image"], "do_not_relay": true, "ring_size": 16}));
    let unsigned_a = hex::decode(sweep["unsigned_txset"].as_str().unwrap()).unwrap();
    let file_a = rt.dir.join("unsigned-a");
    std::fs::write(&file_a, through_camera("xmr-txunsigned", &unsigned_a)).unwrap();
    let review: serde_json::Value = serde_json::from_str(&ok(airsign(&home, &["xmr", "review", "--wallet", "s", file_a.to_str().unwrap(), "--json"], ""))).unwrap();
    let tx = &review["transactions"][0];
    assert_eq!(tx["inputs"].as_array().unwrap().len(), 1);
    assert_eq!(tx["inputs"][0]["subaddress"], json!([0, 1]));
    assert_eq!(tx["destinations"][0]["address"], miner);
    assert!(tx["change"].is_null());
    let fee_a = tx["fee"].as_u64().unwrap();
    assert_eq!(tx["destinations"][0]["amount"].as_u64().unwrap() + fee_a, on_sub["amount"].as_u64().unwrap());
    let signed_a = rt.dir.join("signed-a");
    ok(airsign(&home, &["xmr", "sign", "--wallet", "s", "--yes", file_a.to_str().unwrap(), "-o", signed_a.to_str().unwrap()], ""));
    let carried = through_camera("xmr-txsigned", &std::fs::read(&signed_a).unwrap());
    let submitted = rt.call("ONLINE_PORT", "submit_transfer", json!({"tx_data_hex": hex::encode(carried)}));
    let txid_a = submitted["tx_hash_list"][0].as_str().unwrap().to_owned();
    rt.mine(2);
    assert_eq!(miner_received(&rt, &txid_a), on_sub["amount"].as_u64().unwrap() - fee_a);

    // (b) two inputs, several destinations, one of them a subaddress.
    rt.mine(10);
    rt.refresh("ONLINE_PORT");
    eprintln!("balance before (b): {}", rt.call("ONLINE_PORT", "get_balance", json!({})));
    let t = rt.call(
        "ONLINE_PORT",
        "transfer",
        json!({"destinations": [{"address": miner, "amount": 3_200_000_000_000u64}, {"address": miner_sub, "amount": 300_000_000_000u64}], "do_not_relay": true, "ring_size": 16}),
    );
    let file_b = rt.dir.join("unsigned-b");
    std::fs::write(&file_b, hex::decode(t["unsigned_txset"].as_str().unwrap()).unwrap()).unwrap();
    let review: serde_json::Value = serde_json::from_str(&ok(airsign(&home, &["xmr", "review", "--wallet", "s", file_b.to_str().unwrap(), "--json"], ""))).unwrap();
    let tx = &review["transactions"][0];
    assert!(tx["inputs"].as_array().unwrap().len() >= 2, "{tx}");
    assert_eq!(tx["destinations"].as_array().unwrap().len(), 2);
    assert!(tx["change"]["ours"].is_array(), "change verified as ours: {tx}");
    let signed_b = rt.dir.join("signed-b");
    ok(airsign(&home, &["xmr", "sign", "--wallet", "s", "--yes", file_b.to_str().unwrap(), "-o", signed_b.to_str().unwrap()], ""));
    // This one goes straight to monerod from the online side's own broadcast (the view key
    // from the view-only export opens the signed set), not through wallet-rpc.
    let view_only = airsign::wallet::monero::ViewOnly::from_json(&serde_json::to_string(&view_only).unwrap()).unwrap();
    let txs = view_only.signed_transactions(&std::fs::read(&signed_b).unwrap()).unwrap();
    assert_eq!(txs.len(), 1);
    let daemon = format!("http://127.0.0.1:{}", rt.port("DAEMON_PORT"));
    airsign::wallet::monero::broadcast(&daemon, &txs[0].1).unwrap();
    airsign::wallet::monero::broadcast(&daemon, &txs[0].1).unwrap();
    let txid_b = txs[0].0.clone();
    rt.mine(2);
    assert_eq!(miner_received(&rt, &txid_b), 3_500_000_000_000);
    rt.refresh("ONLINE_PORT");
    let after: u64 = rt.call("ONLINE_PORT", "get_balance", json!({}))["balance"].as_u64().unwrap();
    let change = tx["change"]["amount"].as_u64().unwrap();
    assert!(after >= change, "the change came back: balance {after}, change {change}");

    // Test 3: the same output in a second, different set is refused by the journal.
    rt.refresh("ONLINE_PORT");
    let unspent: Vec<serde_json::Value> = rt.call("ONLINE_PORT", "incoming_transfers", json!({"transfer_type": "available"}))["transfers"].as_array().unwrap().clone();
    let victim = unspent.iter().find(|t| t["unlocked"].as_bool() == Some(true)).expect("an unlocked output").clone();
    let make = |to: &str, name: &str| -> PathBuf {
        let r = rt.call("ONLINE_PORT", "sweep_single", json!({"address": to, "key_image": victim["key_image"], "do_not_relay": true, "ring_size": 16}));
        let p = rt.dir.join(name);
        std::fs::write(&p, hex::decode(r["unsigned_txset"].as_str().unwrap()).unwrap()).unwrap();
        p
    };
    let first = make(&miner, "unsigned-c1");
    let second = make(&miner_sub, "unsigned-c2");
    let out1 = rt.dir.join("signed-c1");
    ok(airsign(&home, &["xmr", "sign", "--wallet", "s", "--yes", first.to_str().unwrap(), "-o", out1.to_str().unwrap()], ""));
    ok(airsign(&home, &["xmr", "sign", "--wallet", "s", "--yes", first.to_str().unwrap(), "-o", out1.to_str().unwrap()], ""));
    let out2 = rt.dir.join("signed-c2");
    let refused = airsign(&home, &["xmr", "sign", "--wallet", "s", "--yes", second.to_str().unwrap(), "-o", out2.to_str().unwrap()], "");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("already signed in a different set"), "{}", String::from_utf8_lossy(&refused.stderr));
    assert!(!out2.exists(), "nothing written when the journal refuses");
    let warned = ok(airsign(&home, &["xmr", "review", "--wallet", "s", second.to_str().unwrap()], ""));
    assert!(warned.contains("WARNING: key image"), "{warned}");
    ok(airsign(&home, &["xmr", "sign", "--wallet", "s", "--yes", "--allow-respend", second.to_str().unwrap(), "-o", out2.to_str().unwrap()], ""));
    let txid_c = rt.call("ONLINE_PORT", "submit_transfer", json!({"tx_data_hex": hex_of(&out1)}))["tx_hash_list"][0].as_str().unwrap().to_owned();
    rt.mine(2);
    assert_eq!(miner_received(&rt, &txid_c), victim["amount"].as_u64().unwrap() - {
        let r: serde_json::Value = serde_json::from_str(&ok(airsign(&home, &["xmr", "review", "--wallet", "s", first.to_str().unwrap(), "--json"], ""))).unwrap();
        r["fee"].as_u64().unwrap()
    });
    assert!(rt.try_call("ONLINE_PORT", "submit_transfer", json!({"tx_data_hex": hex_of(&out2)})).is_err(), "the daemon refuses the double spend too");
    let second = view_only.signed_transactions(&std::fs::read(&out2).unwrap()).unwrap();
    let refused = airsign::wallet::monero::broadcast(&daemon, &second[0].1).unwrap_err();
    assert!(refused.contains("double_spend"), "{refused}");

    // Test 4: tampering. A flipped byte fails the view-key signature; a destination changed
    // and re-encrypted with the view key is shown as the new address, or refused when the
    // outputs no longer match what the set claims.
    rt.refresh("ONLINE_PORT");
    let t = rt.call("ONLINE_PORT", "transfer", json!({"destinations": [{"address": miner, "amount": 500_000_000_000u64}], "do_not_relay": true, "ring_size": 16}));
    let unsigned = hex::decode(t["unsigned_txset"].as_str().unwrap()).unwrap();
    let tamper = |name: &str, bytes: &[u8]| -> Output {
        let p = rt.dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        let out = rt.dir.join(format!("{name}.signed"));
        let r = airsign(&home, &["xmr", "sign", "--wallet", "s", "--yes", p.to_str().unwrap(), "-o", out.to_str().unwrap()], "");
        assert!(!out.exists(), "{name}: nothing signed");
        r
    };
    let mut flipped = unsigned.clone();
    let n = flipped.len();
    flipped[n / 2] ^= 0x20;
    let r = tamper("t-flipped", &flipped);
    assert!(!r.status.success() && String::from_utf8_lossy(&r.stderr).contains("signature"), "{}", String::from_utf8_lossy(&r.stderr));
    let view = keys.view_secret_bytes();
    let plain = open(FileKind::UnsignedTxSet, &unsigned, &view).unwrap();
    let set = parse_unsigned(&plain).unwrap();
    let attacker = WalletKeys::generate(Network::Mainnet).unwrap();
    let attacker_spend = attacker.spend_public();
    let attacker_view = attacker.view_public();
    let redirect = |d: &mut airsign::chain::monero::txset::Destination| {
        d.spend = attacker_spend;
        d.view = attacker_view;
    };
    let mut only_outputs = set.clone();
    for d in only_outputs.txes[0].splitted_dsts.iter_mut().filter(|d| d.amount == 500_000_000_000) {
        redirect(d);
    }
    let r = tamper("t-outputs", &seal(FileKind::UnsignedTxSet, &write_unsigned(&only_outputs), &view).unwrap());
    assert!(String::from_utf8_lossy(&r.stderr).contains("outputs do not match"), "{}", String::from_utf8_lossy(&r.stderr));
    let mut change_stolen = set.clone();
    let change_amount = change_stolen.txes[0].change.amount;
    redirect(&mut change_stolen.txes[0].change);
    for d in change_stolen.txes[0].splitted_dsts.iter_mut().filter(|d| d.amount == change_amount) {
        redirect(d);
    }
    let r = tamper("t-change", &seal(FileKind::UnsignedTxSet, &write_unsigned(&change_stolen), &view).unwrap());
    assert!(String::from_utf8_lossy(&r.stderr).contains("not this wallet's"), "{}", String::from_utf8_lossy(&r.stderr));
    let mut amount_lie = set.clone();
    amount_lie.txes[0].sources[0].amount += 1_000_000_000_000;
    let r = tamper("t-amount", &seal(FileKind::UnsignedTxSet, &write_unsigned(&amount_lie), &view).unwrap());
    assert!(String::from_utf8_lossy(&r.stderr).contains("does not match the output's commitment"), "{}", String::from_utf8_lossy(&r.stderr));
    let mut redirected = set.clone();
    let tcd = &mut redirected.txes[0];
    for d in tcd.dests.iter_mut().chain(tcd.splitted_dsts.iter_mut()).filter(|d| d.amount == 500_000_000_000) {
        redirect(d);
    }
    let p = rt.dir.join("t-redirected");
    std::fs::write(&p, seal(FileKind::UnsignedTxSet, &write_unsigned(&redirected), &view).unwrap()).unwrap();
    let shown = ok(airsign(&home, &["xmr", "review", "--wallet", "s", p.to_str().unwrap()], ""));
    assert!(shown.contains(&attacker.address()) && !shown.contains(&miner), "the review shows where the money would really go: {shown}");
}
