//! airsign's online Monero wallet beside wallet2, in one run on one private regtest chain
//! (tests/regtest/up.sh, then BENCH_TXS transfers of 15 outputs each, 5 of them ours):
//!
//! - sync from height 0: airsign's `OnlineWallet::sync` (get_blocks.bin, both cores) against
//!   monero-wallet-rpc's view-only wallet `rescan_blockchain` (wallet2's refresh from its
//!   restore height), each three times; outputs on the chain per second, and the ratio.
//!   Both wallets exist before the clock starts, so both hold their subaddress tables
//!   (wallet2 makes its own when the wallet is made; airsign's `create` does the same, and
//!   its time is printed apart);
//! - building a 2-input unsigned set (decoys from the daemon included), median of 5;
//! - the unsigned set's size as the wallet's output list grows (1, 10, 100 outputs).
//!
//! `cargo bench --no-default-features --features net --bench monero_sync` (needs Debian's
//! monero; tests/setup.sh installs it). BENCH_TXS=200 by default (about 3,000 outputs).

#[path = "../tests/regtest/harness.rs"]
mod harness;

use airsign::chain::monero::keys::{Network, WalletKeys};
use airsign::chain::monero::txset::{parse_unsigned, write_unsigned};
use airsign::chain::monero::wallet2_file::{open, seal, FileKind};
use airsign::keystore::KdfParams;
use airsign::wallet::monero::daemon::Daemon;
use airsign::wallet::monero::wallet::{FileFormat, OnlineWallet, Sweep, TransferRequest};
use airsign::wallet::monero::ViewOnly;
use harness::Regtest;
use serde_json::json;
use std::time::Instant;

fn main() {
    let txs: usize = std::env::var("BENCH_TXS").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    eprintln!("bringing up regtest and making {txs} transfers of 15 outputs...");
    let rt = Regtest::up("bench");
    let keys = WalletKeys::from_mnemonic(&harness::signer_mnemonic(), Network::Mainnet).unwrap();
    let miner = rt.env["MINER_ADDRESS"].clone();
    for i in 0..txs {
        let mut dests: Vec<_> = (0..5).map(|k| json!({"address": keys.subaddress(0, (i * 5 + k) as u32 % 200), "amount": 10_000_000_000u64})).collect();
        dests.extend((0..10).map(|_| json!({"address": miner, "amount": 10_000_000_000u64})));
        let mut sent = false;
        for _ in 0..5 {
            if rt.try_call("MINER_PORT", "transfer", json!({"destinations": dests, "ring_size": 16})).is_ok() {
                sent = true;
                break;
            }
            rt.mine(1);
            rt.refresh("MINER_PORT");
        }
        assert!(sent, "transfer {i}");
        if i % 20 == 19 {
            rt.mine(1);
            rt.refresh("MINER_PORT");
        }
    }
    rt.mine(12);
    let url = format!("http://127.0.0.1:{}", rt.port("DAEMON_PORT"));
    let top = rt.height() - 1;
    let outputs = rt.rct_outputs_through(top);
    eprintln!("chain: {} blocks, {outputs} RingCT outputs", top + 1);

    // wallet2: a view-only wallet rescanned from 0, three times.
    rt.new_view_only("bench-viewonly", 0);
    let mut wallet2_secs = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        rt.call("ONLINE_PORT", "rescan_blockchain", json!({}));
        wallet2_secs.push(t.elapsed().as_secs_f64());
    }
    let wallet2_found = rt.call("ONLINE_PORT", "incoming_transfers", json!({"transfer_type": "all"}))["transfers"].as_array().map_or(0, Vec::len);

    // airsign: a new wallet file each time, synced from 0.
    let view_only = ViewOnly::from_json(&json!({"version": 0, "primaryAddress": keys.address(), "privateViewKey": hex::encode(*keys.view_secret_bytes()), "restoreHeight": 0}).to_string()).unwrap();
    let daemon = Daemon::connect(&url).unwrap();
    let mut airsign_secs = Vec::new();
    let mut create_secs = Vec::new();
    let mut found = 0;
    let kdf = KdfParams { m_cost_kib: 8, t_cost: 1, p_cost: 1 };
    let mut last = None;
    for run in 0..3 {
        let db = rt.dir.join(format!("bench-{run}.sqlite"));
        let made = Instant::now();
        let mut w = OnlineWallet::create(&db, &view_only, "bench", &url, kdf).unwrap();
        create_secs.push(made.elapsed().as_secs_f64());
        let t = Instant::now();
        w.sync(&daemon, &mut |_| {}).unwrap();
        airsign_secs.push(t.elapsed().as_secs_f64());
        found = w.transfers().unwrap().len();
        last = Some(w);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (a, b) = (median(&mut airsign_secs), median(&mut wallet2_secs));
    println!("sync from 0, {outputs} outputs ({found} ours; wallet2 found {wallet2_found}):");
    println!("  airsign  {a:.2} s  {:.0} outputs/s", outputs as f64 / a);
    println!("  wallet2  {b:.2} s  {:.0} outputs/s  (monero-wallet-rpc rescan_blockchain)", outputs as f64 / b);
    println!("  ratio    {:.2}x (airsign / wallet2 speed)", b / a);
    println!("  (airsign's wallet creation, subaddress table included: {:.0} ms, not in the sync time)", median(&mut create_secs) * 1000.0);

    // A 2-input unsigned set: 6 XMR is more than the largest output (5), so two are needed.
    let w = last.unwrap();
    let mut build = Vec::new();
    let mut file = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let (f, s) = w.transfer(&daemon, &TransferRequest { destinations: vec![(miner.clone(), 6_000_000_000_000)], priority: 1, account: 0, sweep: Sweep::No, format: FileFormat::Current }).unwrap();
        build.push(t.elapsed().as_secs_f64());
        assert!(s.inputs.len() >= 2, "{} inputs", s.inputs.len());
        file = f;
    }
    println!("2-input unsigned set: {:.0} ms (median of 5, decoy requests to monerod included)", median(&mut build) * 1000.0);

    // The unsigned set's size as the output list it carries grows.
    let view = keys.view_secret_bytes();
    let set = parse_unsigned(&open(FileKind::UnsignedTxSet, &file, &view).unwrap()).unwrap();
    for n in [1usize, 10, 100] {
        let mut s = set.clone();
        s.transfers.outputs = set.transfers.outputs.iter().cycle().take(n).cloned().collect();
        s.transfers.total = Some(n as u64);
        let bytes = seal(FileKind::UnsignedTxSet, &write_unsigned(&s), &view).unwrap();
        println!("unsigned set (2 inputs) with {n} outputs listed: {} B; outputs file {} B", bytes.len(), {
            let o = airsign::chain::monero::outputs::OutputsExport { spend_public: keys.spend_public(), view_public: keys.view_public(), list: s.transfers.clone() };
            seal(FileKind::Outputs, &airsign::chain::monero::outputs::write_outputs_export(&o), &view).unwrap().len()
        });
    }
}
