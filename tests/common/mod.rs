//! Shared by the tests that talk to the rippled stand-in (tests/xrpl_standin/server.js).
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// A running stand-in; killed when dropped (and it exits by itself when its stdin closes).
pub struct StandIn {
    child: Child,
    pub url: String,
}

impl Drop for StandIn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start_standin(genesis: &serde_json::Value, dir: &std::path::Path) -> StandIn {
    let path = dir.join("genesis.json");
    std::fs::write(&path, genesis.to_string()).unwrap();
    let server = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/xrpl_standin/server.js");
    assert!(
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/xrpl/node_modules/xrpl")).exists(),
        "xrpl.js is not installed: run tests/setup.sh"
    );
    let mut child = Command::new("node")
        .arg(server)
        .arg(&path)
        .env("STANDIN_CLOSE_MS", "150")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node runs (tests/setup.sh)");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let port = line.trim().strip_prefix("listening ").expect("stand-in prints its port").to_owned();
    StandIn { child, url: format!("http://127.0.0.1:{port}") }
}


/// Runs the airsign binary with `stdin` and extra environment variables.
pub fn run_airsign(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> std::process::Output {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_airsign"));
    cmd.args(args).env_remove("AIRSIGN_HOME").env_remove("AIRSIGN_PASSPHRASE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("airsign runs");
    // The child may exit before reading everything (it stops at completion).
    let _ = child.stdin.take().expect("piped stdin").write_all(stdin);
    child.wait_with_output().expect("airsign finishes")
}
