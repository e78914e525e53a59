//! Any bytes as an unsigned tx set's plaintext: parsed and reviewed against a small wallet
//! without a panic (seeds: wallet2's own sets from fixtures/monero, decrypted by
//! `cargo run --example fuzz_seeds`). Reviews of fuzzed sets are almost always refusals
//! (inputs not ours); the point is that every path to one is panic-free.
#![no_main]
use airsign::chain::monero::keys::{Network, WalletKeys};
use airsign::chain::monero::outputs::OutputScanner;
use airsign::chain::monero::{review, txset};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn scanner() -> &'static OutputScanner {
    static S: OnceLock<OutputScanner> = OnceLock::new();
    S.get_or_init(|| {
        // The regtest signer of tests/regtest/signer.json, so the seeds' inputs are ours.
        let words = include_str!("../../tests/regtest/signer.json");
        let v: serde_json::Value = serde_json::from_str(words).unwrap();
        let keys = WalletKeys::from_mnemonic(v["mnemonic"].as_str().unwrap(), Network::Mainnet).unwrap();
        OutputScanner::new(&keys, 2, 8)
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(set) = txset::parse_unsigned(data) {
        if let Ok((r, _)) = review::review(scanner(), &set) {
            let _ = r.to_text();
        }
    }
});
