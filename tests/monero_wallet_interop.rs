//! Monero's own wallet (monero-wallet-rpc and monero-wallet-cli 0.18.0.0, Debian package
//! `monero`, installed by tests/setup.sh) reads wallet2 files that airsign sealed: a fresh
//! offline stagenet wallet exports its key images, airsign opens the file with the view key
//! and seals the plaintext again with a new iv and signature, and monero-wallet-cli imports
//! it; a tampered copy is refused by Monero too.

use airsign::chain::monero::wallet2_file::{open, seal, FileKind};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Rpc(Child);

impl Drop for Rpc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn call(port: u16, method: &str, params: serde_json::Value) -> Option<serde_json::Value> {
    let body = serde_json::json!({"jsonrpc": "2.0", "id": 0, "method": method, "params": params});
    let out = Command::new("curl").args(["-s", "--max-time", "60", &format!("http://127.0.0.1:{port}/json_rpc"), "-d", &body.to_string()]).output().ok()?;
    serde_json::from_slice::<serde_json::Value>(&out.stdout).ok()?.get("result").cloned()
}

fn cli(dir: &Path, command: &str, file: &Path) -> String {
    let out = Command::new("monero-wallet-cli")
        .args(["--stagenet", "--offline", "--password", "", "--log-file"])
        .arg(dir.join("cli.log"))
        .arg("--wallet-file")
        .arg(dir.join("w"))
        .arg(command)
        .arg(file)
        .stdin(Stdio::null())
        .output()
        .expect("monero-wallet-cli is installed (tests/setup.sh)");
    // Its exit code is 0 even on failure: the output says what happened.
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn monero_wallet_cli_imports_key_images_airsign_sealed() {
    let dir = std::env::temp_dir().join(format!("airsign-monero-interop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let rpc = Rpc(Command::new("monero-wallet-rpc")
        .args(["--stagenet", "--offline", "--disable-rpc-login", "--non-interactive", "--rpc-bind-ip", "127.0.0.1", "--rpc-bind-port", &port.to_string()])
        .arg("--wallet-dir")
        .arg(&dir)
        .arg("--log-file")
        .arg(dir.join("rpc.log"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("monero-wallet-rpc is installed (tests/setup.sh)"));
    let mut up = false;
    for _ in 0..120 {
        if call(port, "get_version", serde_json::json!({})).is_some() {
            up = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    assert!(up, "monero-wallet-rpc did not start");
    call(port, "create_wallet", serde_json::json!({"filename": "w", "password": "", "language": "English"})).expect("wallet created");
    let view = call(port, "query_key", serde_json::json!({"key_type": "view_key"})).unwrap()["key"].as_str().unwrap().to_owned();
    call(port, "close_wallet", serde_json::json!({})).unwrap();
    drop(rpc);
    let view: [u8; 32] = hex::decode(view).unwrap().try_into().unwrap();

    let exported = dir.join("ki.monero");
    assert!(cli(&dir, "export_key_images", &exported).contains("Signed key images exported"));
    let plaintext = open(FileKind::KeyImages, &std::fs::read(&exported).unwrap(), &view).unwrap();

    let ours = dir.join("ki.airsign");
    std::fs::write(&ours, seal(FileKind::KeyImages, &plaintext, &view).unwrap()).unwrap();
    let imported = cli(&dir, "import_key_images", &ours);
    assert!(imported.contains("Signed key images imported"), "{imported}");

    let mut tampered = seal(FileKind::KeyImages, &plaintext, &view).unwrap();
    let n = tampered.len();
    tampered[n - 70] ^= 1;
    let bad = dir.join("ki.tampered");
    std::fs::write(&bad, tampered).unwrap();
    let refused = cli(&dir, "import_key_images", &bad);
    assert!(refused.contains("Failed to authenticate"), "{refused}");
    let _ = std::fs::remove_dir_all(&dir);
}
