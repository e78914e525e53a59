//! Test harness over tests/regtest/up.sh and down.sh: a private regtest monerod with a miner,
//! an online view-only wallet-rpc and an offline full wallet-rpc, all on 127.0.0.1.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

pub struct Regtest {
    pub dir: PathBuf,
    pub env: HashMap<String, String>,
}

impl Drop for Regtest {
    fn drop(&mut self) {
        let _ = Command::new("bash").arg(script("down.sh")).arg(&self.dir).status();
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        } else {
            eprintln!("regtest logs kept in {}", self.dir.display());
        }
    }
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regtest").join(name)
}

pub fn signer_mnemonic() -> String {
    let text = std::fs::read_to_string(script("signer.json")).unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["mnemonic"].as_str().unwrap().to_owned()
}

impl Regtest {
    pub fn up(name: &str) -> Regtest {
        let dir = std::env::temp_dir().join(format!("airsign-regtest-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let status = Command::new("bash").arg(script("up.sh")).arg(&dir).stdout(Stdio::null()).status().expect("bash runs");
        let mut rt = Regtest { dir, env: HashMap::new() };
        assert!(status.success(), "tests/regtest/up.sh failed; logs in {}", rt.dir.display());
        let text = std::fs::read_to_string(rt.dir.join("env")).unwrap();
        for line in text.lines() {
            if let Some((k, v)) = line.split_once('=') {
                rt.env.insert(k.to_owned(), v.to_owned());
            }
        }
        rt
    }

    pub fn port(&self, name: &str) -> u16 {
        self.env[name].parse().unwrap()
    }

    /// A wallet-rpc or daemon JSON-RPC call; panics on an RPC error with its message.
    pub fn call(&self, port_name: &str, method: &str, params: Value) -> Value {
        self.try_call(port_name, method, params).unwrap_or_else(|e| panic!("{method}: {e}"))
    }

    pub fn try_call(&self, port_name: &str, method: &str, params: Value) -> Result<Value, String> {
        let port = self.port(port_name);
        let body = json!({"jsonrpc": "2.0", "id": 0, "method": method, "params": params});
        let out = Command::new("curl")
            .args(["-s", "--max-time", "300", &format!("http://127.0.0.1:{port}/json_rpc"), "-d", &body.to_string()])
            .output()
            .map_err(|e| e.to_string())?;
        let reply: Value = serde_json::from_slice(&out.stdout).map_err(|e| format!("{e}: {}", String::from_utf8_lossy(&out.stdout)))?;
        if let Some(err) = reply.get("error") {
            return Err(err.to_string());
        }
        Ok(reply["result"].clone())
    }

    pub fn mine(&self, blocks: u64) {
        let miner = self.env["MINER_ADDRESS"].clone();
        self.call("DAEMON_PORT", "generateblocks", json!({"amount_of_blocks": blocks, "wallet_address": miner}));
    }

    /// How many RingCT outputs the chain holds up to and including block `height`.
    pub fn rct_outputs_through(&self, height: u64) -> u64 {
        let r = self.call("DAEMON_PORT", "get_output_distribution", json!({"amounts": [0], "cumulative": true, "binary": false, "from_height": 0, "to_height": height}));
        r["distributions"][0]["distribution"].as_array().and_then(|d| d.last()).and_then(Value::as_u64).expect("a distribution")
    }

    pub fn height(&self) -> u64 {
        self.call("DAEMON_PORT", "get_block_count", json!({}))["count"].as_u64().unwrap()
    }

    /// Opens a wallet in a wallet-rpc after closing whatever it had open.
    pub fn open(&self, port_name: &str, file: &str) {
        let _ = self.try_call(port_name, "close_wallet", json!({}));
        self.call(port_name, "open_wallet", json!({"filename": file, "password": ""}));
        self.call(port_name, "auto_refresh", json!({"enable": false}));
    }

    pub fn refresh(&self, port_name: &str) {
        for _ in 0..3 {
            if self.try_call(port_name, "refresh", json!({})).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        self.call(port_name, "refresh", json!({}));
    }

    /// A fresh view-only wallet of the signer in the online wallet-rpc (knows no key images).
    pub fn new_view_only(&self, file: &str, subaddresses: u32) {
        let _ = self.try_call("ONLINE_PORT", "close_wallet", json!({}));
        self.open("OFFLINE_PORT", "signer");
        let view = self.call("OFFLINE_PORT", "query_key", json!({"key_type": "view_key"}))["key"].as_str().unwrap().to_owned();
        self.call(
            "ONLINE_PORT",
            "generate_from_keys",
            json!({"filename": file, "password": "", "address": self.env["SIGNER_ADDRESS"], "viewkey": view, "restore_height": 0}),
        );
        for _ in 0..subaddresses {
            self.call("ONLINE_PORT", "create_address", json!({"account_index": 0}));
        }
        self.call("ONLINE_PORT", "auto_refresh", json!({"enable": false}));
        self.refresh("ONLINE_PORT");
    }

    /// Runs monero-wallet-cli on a wallet file of the online wallet-rpc's directory (which
    /// must have closed it) with one trailing command; returns what it printed.
    pub fn online_cli(&self, wallet: &str, command: &[&str]) -> String {
        self.wallet_cli("online", wallet, command)
    }

    /// monero-wallet-cli on a wallet of DIR/`dir` (closed in its wallet-rpc), one command.
    pub fn wallet_cli(&self, dir: &str, wallet: &str, command: &[&str]) -> String {
        let daemon = format!("127.0.0.1:{}", self.port("DAEMON_PORT"));
        let out = Command::new("monero-wallet-cli")
            .args(["--password", "", "--trusted-daemon", "--daemon-address", &daemon, "--log-file"])
            .arg(self.dir.join("cli.log"))
            .arg("--wallet-file")
            .arg(self.dir.join(dir).join(wallet))
            .args(command)
            .stdin(Stdio::null())
            .output()
            .expect("monero-wallet-cli is installed");
        // Its exit code is 0 even on failure: the output says what happened.
        String::from_utf8_lossy(&out.stdout).to_string()
    }
}
