//! The Monero offline signer on wallet2's own files (fixtures/monero/txsets.json):
//! signing a 1-input and a 2-input set (review + CLSAG + Bulletproofs+ + self-verification,
//! without the file envelope), key images for the 5-output export, and the sizes of each
//! file for 1, 10 and 100 outputs (printed once); and file to file with the journal, the
//! figure to set beside monero-wallet-rpc's `sign_transfer`.

use airsign::chain::monero::keys::{Network, WalletKeys};
use airsign::chain::monero::outputs::{export_key_images, parse_outputs_export, write_outputs_export, OutputScanner};
use airsign::chain::monero::review::review;
use airsign::chain::monero::sign::sign_set;
use airsign::chain::monero::txset::{parse_unsigned, write_signed};
use airsign::chain::monero::wallet2_file::{open, seal, FileKind};
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::Value;
use std::time::Duration;

fn load() -> (Value, WalletKeys) {
    let f: Value = serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/monero/txsets.json")).unwrap()).unwrap();
    let m: Value = serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/regtest/signer.json")).unwrap()).unwrap();
    (f, WalletKeys::from_mnemonic(m["mnemonic"].as_str().unwrap(), Network::Mainnet).unwrap())
}

fn sizes(f: &Value, keys: &WalletKeys, scanner: &OutputScanner) {
    let view = keys.view_secret_bytes();
    let plain = open(FileKind::Outputs, &hex::decode(f["outputs"].as_str().unwrap()).unwrap(), &view).unwrap();
    let export = parse_outputs_export(&plain).unwrap();
    for n in [1usize, 10, 100] {
        let mut e = export.clone();
        e.list.outputs = export.list.outputs.iter().cycle().take(n).cloned().collect();
        let outputs_file = seal(FileKind::Outputs, &write_outputs_export(&e), &view).unwrap();
        let ki = export_key_images(scanner, &e).unwrap();
        let ki_file = seal(FileKind::KeyImages, &ki.plaintext, &view).unwrap();
        eprintln!("monero files, {n} outputs: outputs {} B, key images {} B", outputs_file.len(), ki_file.len());
    }
    for name in ["unsigned_sweep", "unsigned_two"] {
        let file = hex::decode(f[name].as_str().unwrap()).unwrap();
        let set = parse_unsigned(&open(FileKind::UnsignedTxSet, &file, &view).unwrap()).unwrap();
        let (_, prepared) = review(scanner, &set).unwrap();
        let signed = seal(FileKind::SignedTxSet, &write_signed(&sign_set(scanner, &set, &prepared).unwrap()), &view).unwrap();
        eprintln!("monero files, {name} ({} inputs): unsigned {} B, signed by airsign {} B", set.txes[0].sources.len(), file.len(), signed.len());
    }
    eprintln!("monero files, wallet2's signed set for unsigned_two: {} B", f["signed_two"].as_str().unwrap().len() / 2);
}

fn bench(c: &mut Criterion) {
    let (f, keys) = load();
    let scanner = OutputScanner::with_default_lookahead(&keys);
    sizes(&f, &keys, &scanner);
    let view = keys.view_secret_bytes();
    let mut group = c.benchmark_group("monero");
    group.sample_size(20).measurement_time(Duration::from_secs(8));
    for (name, inputs) in [("unsigned_sweep", 1), ("unsigned_two", 2)] {
        let plain = open(FileKind::UnsignedTxSet, &hex::decode(f[name].as_str().unwrap()).unwrap(), &view).unwrap();
        let set = parse_unsigned(&plain).unwrap();
        group.bench_function(format!("review+sign/{inputs}-input"), |b| {
            b.iter(|| {
                let (_, prepared) = review(&scanner, &set).unwrap();
                sign_set(&scanner, &set, &prepared).unwrap()
            })
        });
    }
    // File to file, as `airsign xmr sign` and wallet-rpc's sign_transfer work: open the
    // unsigned file (CryptoNight key + view-key signature), review, sign, seal the result.
    let mut journal_dir = std::env::temp_dir();
    journal_dir.push(format!("airsign-bench-journal-{}", std::process::id()));
    for (name, inputs) in [("unsigned_sweep", 1), ("unsigned_two", 2)] {
        let file = hex::decode(f[name].as_str().unwrap()).unwrap();
        group.bench_function(format!("file-to-file/{inputs}-input"), |b| {
            b.iter(|| {
                let _ = std::fs::remove_file(&journal_dir);
                let mut journal = airsign::signer::journal::Journal::open(&journal_dir).unwrap();
                let reviewed = airsign::signer::monero::review_unsigned(&scanner, &file).unwrap();
                airsign::signer::monero::sign_reviewed(&scanner, &reviewed, &mut journal, false).unwrap()
            })
        });
    }
    let _ = std::fs::remove_file(&journal_dir);
    let plain = open(FileKind::Outputs, &hex::decode(f["outputs"].as_str().unwrap()).unwrap(), &view).unwrap();
    let export = parse_outputs_export(&plain).unwrap();
    group.bench_function("key_images/5-outputs", |b| b.iter(|| export_key_images(&scanner, &export).unwrap()));
    group.bench_function("scanner/lookahead-50x200", |b| b.iter(|| OutputScanner::with_default_lookahead(&keys)));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
