//! Writes seed corpora for the review fuzz targets (fuzz/fuzz_targets/xrpl_review.rs,
//! monero_review.rs): every transaction blob of fixtures/xrpl/codec.json, and wallet2's own
//! unsigned sets of fixtures/monero decrypted with the regtest signer's view key.
//!
//!     cargo run --example fuzz_seeds -- fuzz/corpus

use airsign::chain::monero::keys::{Network, WalletKeys};
use airsign::chain::monero::wallet2_file::{open, FileKind};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "fuzz/corpus".into()));
    let root = env!("CARGO_MANIFEST_DIR");
    let xrpl = out.join("xrpl_review");
    std::fs::create_dir_all(&xrpl)?;
    let vectors: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(format!("{root}/fixtures/xrpl/codec.json"))?)?;
    let mut n = 0;
    for (i, v) in vectors["vectors"].as_array().ok_or("no vectors")?.iter().enumerate() {
        if let Some(blob) = v["blob"].as_str() {
            std::fs::write(xrpl.join(format!("codec-{i}")), hex::decode(blob)?)?;
            n += 1;
        }
    }
    let monero = out.join("monero_review");
    std::fs::create_dir_all(&monero)?;
    let signer: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(format!("{root}/tests/regtest/signer.json"))?)?;
    let keys = WalletKeys::from_mnemonic(signer["mnemonic"].as_str().ok_or("no mnemonic")?, Network::Mainnet)?;
    let sets: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(format!("{root}/fixtures/monero/txsets.json"))?)?;
    for name in ["unsigned_sweep", "unsigned_two"] {
        let file = hex::decode(sets[name].as_str().ok_or("no set")?)?;
        std::fs::write(monero.join(name), &*open(FileKind::UnsignedTxSet, &file, &keys.view_secret_bytes())?)?;
    }
    println!("{n} XRPL seeds, 2 Monero seeds in {}", out.display());
    Ok(())
}
