//! XRPL signing and verification per second (criterion), secp256k1 and Ed25519, on a
//! Payment with a memo. `node benches/xrpl_js_sign.js` measures xrpl.js on the same
//! transaction for comparison.

use airsign::chain::xrpl::keys::{KeyType, Seed};
use airsign::chain::xrpl::sign;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::json;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("xrpl");
    group.throughput(Throughput::Elements(1));
    for (name, key_type) in [("secp256k1", KeyType::Secp256k1), ("ed25519", KeyType::Ed25519)] {
        let keys = Seed::from_entropy([7u8; 16], key_type).key_pair();
        let tx = json!({"TransactionType": "Payment", "Account": keys.address(), "Destination": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn",
            "Amount": "1000000", "Fee": "12", "Sequence": 42, "LastLedgerSequence": 95256, "Flags": 2147483648u32,
            "Memos": [{"Memo": {"MemoData": "72656E74"}}]});
        group.bench_function(format!("sign/{name}"), |b| b.iter(|| sign::sign(&tx, &keys).unwrap()));
        let blob = hex::decode(sign::sign(&tx, &keys).unwrap().tx_blob).unwrap();
        group.bench_function(format!("verify/{name}"), |b| b.iter(|| sign::verify_blob(&blob).unwrap()));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
