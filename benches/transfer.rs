//! Transfer efficiency: frames shown until the message is reassembled, as a multiple of
//! seqLen, for 1 KB, 10 KB and 100 KB at 0%, 20% and 40% random frame loss, with the
//! receiver joining at the first part or mid-stream (a random point in [seqLen/2, 3 seqLen)).
//! airsign's elimination decoder and the `ur` crate's decoder see the same part streams.
//! Prints (and writes to target/bench-transfer.md) the table, then times both decoders on a
//! 100 KB transfer with criterion.

use airsign::transport::{UrDecoder, UrEncoder};
use criterion::{criterion_group, criterion_main, Criterion};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;
use std::time::Duration;

const SEEDS: u64 = 20;
const FPS: f64 = 10.0;

#[derive(Clone, Copy, PartialEq)]
enum Which {
    Airsign,
    UrCrate,
    /// The information-theoretic bound for these parts: complete when the received parts'
    /// fragment sets have rank seqLen over GF(2). A plain rank count, independent of
    /// airsign's decoder (masks only, no data, no RREF upkeep).
    Ideal,
}

#[derive(Default)]
struct RankOnly {
    pivots: std::collections::HashMap<usize, Vec<u64>>,
    seq_len: usize,
}

impl Receiver for RankOnly {
    fn push(&mut self, text: &str) {
        let Ok(airsign::transport::part::ParsedPart::Multi { part, .. }) = airsign::transport::part::parse(text, airsign::transport::Limits::default()) else { return };
        self.seq_len = part.id.seq_len as usize;
        let fountain: ur::fountain::Part = minicbor::decode(&part.cbor).unwrap();
        let mut row = vec![0u64; self.seq_len.div_ceil(64)];
        for i in fountain.indexes() {
            row[i / 64] ^= 1 << (i % 64);
        }
        loop {
            let Some(lead) = row.iter().enumerate().find(|(_, w)| **w != 0).map(|(k, w)| k * 64 + w.trailing_zeros() as usize) else { return };
            match self.pivots.get(&lead) {
                Some(p) => row.iter_mut().zip(p).for_each(|(a, b)| *a ^= b),
                None => {
                    self.pivots.insert(lead, row);
                    return;
                }
            }
        }
    }
    fn done(&self) -> bool {
        self.seq_len > 0 && self.pivots.len() == self.seq_len
    }
}

trait Receiver {
    fn push(&mut self, part: &str);
    fn done(&self) -> bool;
}

impl Receiver for UrDecoder {
    fn push(&mut self, part: &str) {
        let _ = self.receive(part);
    }
    fn done(&self) -> bool {
        self.is_complete()
    }
}

impl Receiver for ur::Decoder {
    fn push(&mut self, part: &str) {
        let _ = self.receive(part);
    }
    fn done(&self) -> bool {
        self.complete()
    }
}

fn message(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    airsign::envelope::wrap_bytes(&(0..len).map(|_| rng.random()).collect::<Vec<u8>>())
}

/// Frames shown (lost ones included) until complete, counted from the join point.
fn frames_needed(which: Which, msg: &[u8], frag: usize, loss: f64, late: bool, seed: u64) -> (usize, usize) {
    let mut enc = UrEncoder::new("bytes", msg, frag).unwrap();
    let n = enc.seq_len();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let join = if late { rng.random_range(n / 2..3 * n) } else { 0 };
    for _ in 0..join {
        enc.next_part();
    }
    let mut rx: Box<dyn Receiver> = match which {
        Which::Airsign => Box::new(UrDecoder::new(Some("bytes"))),
        Which::UrCrate => Box::new(ur::Decoder::default()),
        Which::Ideal => Box::new(RankOnly::default()),
    };
    for shown in 1..=50 * n {
        let part = enc.next_part();
        if rng.random::<f64>() < loss {
            continue;
        }
        rx.push(&part);
        if rx.done() {
            return (shown, n);
        }
    }
    (usize::MAX, n)
}

fn table() -> String {
    let mut out = String::from(
        "| payload | fragment | seqLen | loss | join | ideal x seqLen | airsign x seqLen (mean, max) | ur crate x seqLen (mean, max) | airsign B/s at 10 fps |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for (size, label) in [(1_000, "1 KB"), (10_000, "10 KB"), (100_000, "100 KB")] {
        for frag in [200, airsign::transport::demo::DEFAULT_MAX_FRAGMENT_LEN] {
            for loss in [0.0, 0.2, 0.4] {
                for late in [false, true] {
                    let mut stats = [(0.0f64, 0.0f64); 3];
                    let mut n = 0;
                    for (k, which) in [Which::Airsign, Which::UrCrate, Which::Ideal].into_iter().enumerate() {
                        for seed in 0..SEEDS {
                            let msg = message(size, seed);
                            let (frames, seq_len) = frames_needed(which, &msg, frag, loss, late, 1000 + seed);
                            n = seq_len;
                            let ratio = frames as f64 / seq_len as f64;
                            stats[k].0 += ratio / SEEDS as f64;
                            stats[k].1 = stats[k].1.max(ratio);
                        }
                    }
                    let bps = size as f64 / (stats[0].0 * n as f64 / FPS);
                    let _ = writeln!(
                        out,
                        "| {label} | {frag} | {n} | {:.0}% | {} | {:.2} | {:.2}, {:.2} | {:.2}, {:.2} | {:.0} |",
                        loss * 100.0,
                        if late { "mid-stream" } else { "first part" },
                        stats[2].0,
                        stats[0].0,
                        stats[0].1,
                        stats[1].0,
                        stats[1].1,
                        bps
                    );
                }
            }
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let t = table();
    println!("{t}");
    let _ = std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench-transfer.md"), &t);

    // Decoder cost: a whole 100 KB transfer at 200-byte fragments, joined mid-stream.
    let msg = message(100_000, 7);
    let mut enc = UrEncoder::new("bytes", &msg, 200).unwrap();
    let n = enc.seq_len();
    let parts: Vec<String> = enc.parts(5 * n).into_iter().skip(n).collect();
    let mut group = c.benchmark_group("decode_100kb_fountain_only");
    group.sample_size(10).measurement_time(Duration::from_secs(5));
    group.bench_function("airsign", |b| {
        b.iter(|| {
            let mut d = UrDecoder::new(Some("bytes"));
            parts.iter().take_while(|p| { d.push(p); !d.done() }).count()
        })
    });
    group.bench_function("ur_crate", |b| {
        b.iter(|| {
            let mut d = ur::Decoder::default();
            parts.iter().take_while(|p| { d.push(p); !d.done() }).count()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
