//! The airsign CLI as the regtest tests run it (the binary exists for integration tests only,
//! so this is apart from the harness, which benches use too).
#![allow(dead_code)]

use crate::harness::Regtest;
use serde_json::json;
use std::path::Path;
use std::process::{Command, Output, Stdio};

pub const PASS: &str = "regtest passphrase";

/// The CLI, with the keystore in `home` and the passphrase from the environment.
pub fn airsign(home: &Path, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_airsign"))
        .args(args)
        .env("AIRSIGN_HOME", home)
        .env("AIRSIGN_PASSPHRASE", PASS)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

pub fn ok(out: Output) -> String {
    assert!(out.status.success(), "airsign failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The miner wallet's incoming amount for a transaction, after mining it.
pub fn miner_received(rt: &Regtest, txid: &str) -> u64 {
    rt.refresh("MINER_PORT");
    let r = rt.call("MINER_PORT", "get_transfer_by_txid", json!({"txid": txid}));
    r["transfers"].as_array().map(|v| v.iter().map(|t| t["amount"].as_u64().unwrap()).sum()).unwrap_or_else(|| r["transfer"]["amount"].as_u64().unwrap())
}
