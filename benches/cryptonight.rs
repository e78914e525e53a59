//! CryptoNight v0 (`cn_slow_hash`) per hash: what unlocking a wallet2 file costs.

use airsign::chain::monero::cryptonight::cn_slow_hash_v0;
use criterion::{criterion_group, criterion_main, Criterion};
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("cryptonight");
    group.sample_size(20).measurement_time(Duration::from_secs(5));
    group.bench_function("cn_slow_hash_v0/32B", |b| b.iter(|| cn_slow_hash_v0(&[7u8; 32])));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
