//! wallet2's outputs, key image, unsigned and signed tx set files, made by Monero 0.18.0.0 on
//! a regtest chain (fixtures/monero/make_txsets.sh): parsed, written back byte for byte,
//! reviewed, signed; tampering refused. No daemon needed (tests/monero_regtest.rs has one).

use airsign::chain::monero::archive::Reader;
use airsign::chain::monero::keys::{Network, WalletKeys};
use airsign::chain::monero::outputs::{check_key_image_signature, export_key_images, parse_key_images, parse_outputs_export, write_outputs_export, OutputScanner};
use airsign::chain::monero::review::{review, ReviewError};
use airsign::chain::monero::sign::{read_transaction, sign_set};
use airsign::chain::monero::txset::{parse_signed, parse_unsigned, write_signed, write_unsigned};
use airsign::chain::monero::wallet2_file::{open, seal, FileKind};
use airsign::chain::monero::archive::ArchiveError;
use monero_oxide::transaction::{Input, NotPruned, Transaction};
use serde_json::Value;

fn fixture() -> Value {
    serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/monero/txsets.json")).unwrap()).unwrap()
}

fn signer() -> WalletKeys {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/regtest/signer.json")).unwrap();
    let m: Value = serde_json::from_str(&text).unwrap();
    WalletKeys::from_mnemonic(m["mnemonic"].as_str().unwrap(), Network::Mainnet).unwrap()
}

fn file(f: &Value, name: &str) -> Vec<u8> {
    hex::decode(f[name].as_str().unwrap()).unwrap()
}

fn read_tx(r: &mut Reader) -> Result<Vec<u8>, ArchiveError> {
    read_transaction(r)
}

#[test]
fn outputs_give_the_key_images_monero_wallet_cli_exported() {
    let f = fixture();
    let keys = signer();
    let view = keys.view_secret_bytes();
    let plain = open(FileKind::Outputs, &file(&f, "outputs"), &view).unwrap();
    let export = parse_outputs_export(&plain).unwrap();
    assert_eq!(write_outputs_export(&export), *plain, "written back byte for byte");
    assert_eq!(export.list.outputs.len(), 5);
    let scanner = OutputScanner::with_default_lookahead(&keys);
    let ours = export_key_images(&scanner, &export).unwrap();
    let theirs = parse_key_images(&open(FileKind::KeyImages, &file(&f, "key_images"), &view).unwrap()).unwrap();
    assert_eq!(theirs.signed.len(), 5);
    for ((out, mine), (ki, sig)) in ours.owned.iter().zip(&theirs.signed) {
        assert_eq!(&mine.key_image, ki, "the key image wallet2 derived");
        assert!(check_key_image_signature(&out.pubkey, ki, sig), "wallet2's signature checks with our verifier");
    }
    let again = parse_key_images(&ours.plaintext).unwrap();
    for ((out, _), (ki, sig)) in ours.owned.iter().zip(&again.signed) {
        assert!(check_key_image_signature(&out.pubkey, ki, sig));
    }
    assert_eq!(ours.owned.iter().filter(|(_, m)| m.subaddress == (0, 1)).count(), 1);

    // Another wallet's keys: the file does not open; a forged file for it is refused.
    let other = WalletKeys::generate(Network::Mainnet).unwrap();
    assert!(open(FileKind::Outputs, &file(&f, "outputs"), &other.view_secret_bytes()).is_err());
    let other_scanner = OutputScanner::new(&other, 1, 5);
    assert!(export_key_images(&other_scanner, &export).is_err());
}

#[test]
fn tx_sets_round_trip_byte_for_byte() {
    let f = fixture();
    let view = signer().view_secret_bytes();
    for name in ["unsigned_sweep", "unsigned_two"] {
        let plain = open(FileKind::UnsignedTxSet, &file(&f, name), &view).unwrap();
        assert_eq!(write_unsigned(&parse_unsigned(&plain).unwrap()), *plain, "{name}");
    }
    let plain = open(FileKind::SignedTxSet, &file(&f, "signed_two"), &view).unwrap();
    assert_eq!(write_signed(&parse_signed(&plain, read_tx).unwrap()), *plain);
}

#[test]
fn reviews_say_what_wallet2_asked_for() {
    let f = fixture();
    let keys = signer();
    let scanner = OutputScanner::with_default_lookahead(&keys);
    let view = keys.view_secret_bytes();

    let sweep = parse_unsigned(&open(FileKind::UnsignedTxSet, &file(&f, "unsigned_sweep"), &view).unwrap()).unwrap();
    let (r, _) = review(&scanner, &sweep).unwrap();
    let t = &r.transactions[0];
    assert_eq!((t.inputs.len(), t.inputs[0].subaddress, t.inputs[0].ring_size), (1, (0, 1), 16));
    assert_eq!(t.destinations[0].address, f["miner_address"].as_str().unwrap());
    assert_eq!(t.destinations[0].amount, f["sweep_amount"].as_u64().unwrap());
    assert_eq!(t.fee, f["sweep_fee"].as_u64().unwrap());
    assert!(t.change.is_none());

    let two = parse_unsigned(&open(FileKind::UnsignedTxSet, &file(&f, "unsigned_two"), &view).unwrap()).unwrap();
    let (r, _) = review(&scanner, &two).unwrap();
    let t = &r.transactions[0];
    assert_eq!(t.inputs.len(), 2);
    assert_eq!(t.fee, f["two_fee"].as_u64().unwrap());
    let to: Vec<(&str, u64)> = t.destinations.iter().map(|d| (d.address.as_str(), d.amount)).collect();
    assert_eq!(to, vec![(f["miner_address"].as_str().unwrap(), 5_200_000_000_000), (f["miner_subaddress"].as_str().unwrap(), 300_000_000_000)]);
    let change = t.change.as_ref().unwrap();
    assert_eq!(change.ours, Some((0, 0)));
    assert_eq!(t.inputs.iter().map(|i| i.amount).sum::<u64>(), 5_500_000_000_000 + change.amount + t.fee);
    assert_eq!(r.sent_to_others, 5_500_000_000_000);
    let text = r.to_text();
    assert!(text.contains("5.2 XMR -> ") && text.contains(&format!("fee: {} XMR", airsign::chain::monero::review::format_xmr(t.fee))), "{text}");
    // The CLI's table: every row's decimal point in one column, the addresses whole.
    let table = r.to_table();
    let rows: Vec<&str> = table.lines().filter(|l| ["  to ", "  change ", "  fee ", "  input "].iter().any(|k| l.starts_with(k))).collect();
    assert_eq!(rows.len(), 2 + 1 + 1 + 2, "{table}");
    let points: Vec<usize> = rows.iter().map(|l| l.find('.').unwrap()).collect();
    assert!(points.windows(2).all(|w| w[0] == w[1]), "decimal points aligned: {table}");
    assert!(rows[0].contains(" 5.2") && rows[0].ends_with(f["miner_address"].as_str().unwrap()), "{table}");
    assert!(rows[2].contains("(this wallet, checked with its keys)"), "{table}");
    assert!(table.starts_with("Monero mainnet: 1 transaction(s), sending 5.5 XMR to 2 other address(es), fee 0.0034236 XMR\n"), "{table}");
    assert!(table.contains("TRUSTED, NOT VERIFIED: ring members"), "{table}");
}

#[test]
fn signed_sets_hold_valid_wallet2_transactions() {
    let f = fixture();
    let keys = signer();
    let scanner = OutputScanner::with_default_lookahead(&keys);
    let view = keys.view_secret_bytes();
    let set = parse_unsigned(&open(FileKind::UnsignedTxSet, &file(&f, "unsigned_two"), &view).unwrap()).unwrap();
    let (_, prepared) = review(&scanner, &set).unwrap();
    let signed = sign_set(&scanner, &set, &prepared).unwrap();
    let plain = write_signed(&signed);
    let back = parse_signed(&plain, read_tx).unwrap();
    assert_eq!(back, signed);
    let p = &signed.ptx[0];
    assert_eq!(p.fee, f["two_fee"].as_u64().unwrap());
    assert_eq!(p.construction_data, set.txes[0]);
    let tx = Transaction::<NotPruned>::read(&mut p.tx.as_slice()).unwrap();
    assert_eq!(tx.version(), 2);
    let images: Vec<[u8; 32]> = tx
        .prefix()
        .inputs
        .iter()
        .map(|i| match i {
            Input::ToKey { key_image, key_offsets, .. } => {
                assert_eq!(key_offsets.len(), 16);
                key_image.to_bytes()
            }
            Input::Gen(_) => panic!("a miner input"),
        })
        .collect();
    assert!(images.windows(2).all(|w| w[0] > w[1]), "inputs sorted by key image, descending");
    assert_eq!(p.key_images, images.iter().map(|k| format!("<{}> ", hex::encode(k))).collect::<String>());
    assert_eq!(tx.prefix().outputs.len(), 3);
    assert!(tx.prefix().outputs.iter().all(|o| o.view_tag.is_some()));
    assert_eq!(signed.tx_key_images.len(), 1, "the change comes back to us with its key image");
    assert_eq!(p.tx_key, { let mut k = [0u8; 32]; k[0] = 1; k }, "tx secret keys stay on the signer, as with wallet2");
    // Sealed, it opens with the view key like wallet2's own.
    let sealed = seal(FileKind::SignedTxSet, &plain, &view).unwrap();
    assert_eq!(*open(FileKind::SignedTxSet, &sealed, &view).unwrap(), plain);
}

#[test]
fn tampered_sets_are_refused() {
    let f = fixture();
    let keys = signer();
    let scanner = OutputScanner::with_default_lookahead(&keys);
    let view = keys.view_secret_bytes();
    let unsigned = file(&f, "unsigned_two");
    let mut flipped = unsigned.clone();
    flipped[200] ^= 1;
    assert!(open(FileKind::UnsignedTxSet, &flipped, &view).is_err());
    assert!(open(FileKind::UnsignedTxSet, &unsigned[..unsigned.len() - 1], &view).is_err());
    let plain = open(FileKind::UnsignedTxSet, &unsigned, &view).unwrap();
    let set = parse_unsigned(&plain).unwrap();
    for cut in [1, 100, plain.len() / 2, plain.len() - 1] {
        assert!(parse_unsigned(&plain[..cut]).is_err(), "truncated at {cut}");
    }
    let mut trailing = plain.to_vec();
    trailing.push(0);
    assert!(matches!(parse_unsigned(&trailing), Err(ArchiveError::Trailing(1))));
    let mut bad_version = plain.to_vec();
    bad_version[0] = 9;
    assert!(parse_unsigned(&bad_version).is_err());

    let mut lie = set.clone();
    lie.txes[0].sources[1].amount -= 1;
    assert!(matches!(review(&scanner, &lie), Err(ReviewError::InputAmount { .. })));
    let mut lie = set.clone();
    lie.txes[0].splitted_dsts[0].amount += 1;
    assert!(matches!(review(&scanner, &lie), Err(ReviewError::Mismatch { .. })));
    let mut lie = set.clone();
    lie.txes[0].change.spend = lie.txes[0].dests[0].spend;
    lie.txes[0].change.view = lie.txes[0].dests[0].view;
    assert!(matches!(review(&scanner, &lie), Err(ReviewError::ChangeNotOurs { .. })));
    let mut lie = set.clone();
    lie.txes[0].sources[0].ring.truncate(11);
    lie.txes[0].sources[0].real_output = lie.txes[0].sources[0].real_output.min(10);
    assert!(matches!(review(&scanner, &lie), Err(ReviewError::RingSize { .. } | ReviewError::InputNotOurs { .. })));
    let mut lie = set.clone();
    let first = lie.txes[0].sources[0].clone();
    lie.txes[0].sources[1] = first;
    assert!(matches!(review(&scanner, &lie), Err(ReviewError::DoubleSpend { .. })));
    let mut lie = set;
    lie.txes[0].splitted_dsts.iter_mut().for_each(|d| d.amount *= 2);
    lie.txes[0].dests.iter_mut().for_each(|d| d.amount *= 2);
    lie.txes[0].change.amount *= 2;
    assert!(matches!(review(&scanner, &lie), Err(ReviewError::Overspend { .. })));
}
