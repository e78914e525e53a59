//! Writes seed corpora for the review fuzz targets (fuzz/fuzz_targets/xrpl_review.rs,
//! monero_review.rs, xrpl_multisign.rs): every transaction blob of fixtures/xrpl/codec.json,
//! wallet2's own unsigned sets of fixtures/monero decrypted with the regtest signer's view
//! key, and multi-sign requests and signatures built from xrpl.js's multisign vectors.
//!
//!     cargo run --example fuzz_seeds -- fuzz/corpus

use airsign::chain::monero::keys::{Network, WalletKeys};
use airsign::chain::monero::wallet2_file::{open, FileKind};
use airsign::chain::xrpl::{codec, keys::Seed};
use airsign::envelope::xrpl::{Versioned, XrplMultisignRequestPayload};
use airsign::signer::xrpl::{multisig, SignerEntry, SignerList, XrplAccount};
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
    let multi = out.join("xrpl_multisign");
    std::fs::create_dir_all(&multi)?;
    let signing: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(format!("{root}/fixtures/xrpl/signing.json"))?)?;
    // The fuzz target's member: the tutorial's account.
    let member = Seed::parse("shYHSiJod8CLPTj1SNJ2PdUFj4pFk", None)?.key_pair();
    let journal_path = std::env::temp_dir().join(format!("airsign-fuzz-seeds-{}", std::process::id()));
    let mut journal = airsign::signer::journal::Journal::open(&journal_path)?;
    let mut m = 0;
    for (i, v) in signing["multi"].as_array().ok_or("no multi vectors")?.iter().enumerate() {
        let mut entries = vec![SignerEntry { account: member.address(), weight: 1 }];
        for seed in v["signer_seeds"].as_array().ok_or("no seeds")? {
            entries.push(SignerEntry { account: Seed::parse(seed.as_str().ok_or("seed")?, None)?.key_pair().address(), weight: 1 });
        }
        let list = SignerList { quorum: 2, entries };
        let tx = &v["tx_json"];
        let lls = tx["LastLedgerSequence"].as_u64().ok_or("no LastLedgerSequence")? as u32;
        let req = XrplMultisignRequestPayload { version: 1, account: tx["Account"].as_str().ok_or("no Account")?.into(), transactions: vec![codec::encode(tx)?.into()], ledger_index: lls - 100, network: "testnet".into(), signer_list: list.to_wire() };
        std::fs::write(multi.join(format!("request-{i}")), req.to_cbor())?;
        let mut acct = XrplAccount::new(&member);
        let prepared = multisig::prepare_multisign(&acct, &req, false, &journal, 1_000)?;
        let sig = multisig::sign_multisign(&mut acct, &member, &prepared, &mut journal, 1_000)?;
        std::fs::write(multi.join(format!("signature-{i}")), sig.to_cbor())?;
        m += 2;
    }
    let _ = std::fs::remove_file(&journal_path);
    println!("{n} XRPL seeds, 2 Monero seeds, {m} multi-sign seeds in {}", out.display());
    Ok(())
}
