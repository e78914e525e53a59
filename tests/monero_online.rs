//! airsign's own online (view-only) Monero wallet against Monero's software on a private
//! regtest chain (tests/regtest/up.sh; Debian `monero` 0.18.0.0): scan parity with
//! monero-wallet-rpc's view-only wallet, outputs and key images both ways, unsigned sets
//! signed by wallet2's cold wallet and by airsign's signer, broadcast, the fee rule, faults
//! (daemon killed mid-sync, reorganisation, double spend, foreign or damaged files) and the
//! decoy distribution. One chain serves every step, in order.
#![cfg(feature = "net")]

#[path = "regtest/harness.rs"]
mod harness;
#[path = "regtest/cli.rs"]
mod cli;

use airsign::chain::monero::keys::{Network, WalletKeys};
use airsign::chain::monero::outputs::parse_key_images;
use airsign::chain::monero::sign::read_transaction;
use airsign::chain::monero::txset::{parse_signed, parse_unsigned, UnsignedTxSet};
use airsign::chain::monero::wallet2_file::{open, seal, FileKind};
use airsign::wallet::monero::build::{fee_for, offsets, ring_for, signed_extra_len};
use airsign::wallet::monero::daemon::Daemon;
use airsign::wallet::monero::wallet::{FileFormat, OnlineWallet, Sweep, TransferRequest};
use cli::{airsign, miner_received, ok, PASS};
use harness::Regtest;
use monero_oxide::transaction::{NotPruned, Transaction};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const XMR: u64 = 1_000_000_000_000;

struct Online<'a> {
    rt: &'a Regtest,
    home: PathBuf,
    db: PathBuf,
    keys: WalletKeys,
}

impl Online<'_> {
    /// `airsign xmr online VERB --db DB ARGS...`.
    fn run(&self, verb: &str, args: &[&str]) -> Output {
        let db = self.db.to_string_lossy().into_owned();
        let mut all = vec!["xmr", "online", verb, "--db", db.as_str()];
        all.extend_from_slice(args);
        airsign(&self.home, &all, "")
    }

    fn ok(&self, verb: &str, args: &[&str]) -> String {
        ok(self.run(verb, args))
    }

    fn coins(&self) -> Vec<Value> {
        serde_json::from_str::<Value>(&self.ok("coins", &["--json"])).unwrap().as_array().unwrap().clone()
    }

    fn balance(&self) -> Value {
        serde_json::from_str(&self.ok("balance", &["--json"])).unwrap()
    }

    fn sync(&self) -> String {
        let out = self.run("sync", &[]);
        assert!(out.status.success(), "sync failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    fn file(&self, name: &str) -> PathBuf {
        self.rt.dir.join(name)
    }

    fn view(&self) -> [u8; 32] {
        *self.keys.view_secret_bytes()
    }

    fn unsigned(&self, path: &Path) -> UnsignedTxSet {
        parse_unsigned(&open(FileKind::UnsignedTxSet, &std::fs::read(path).unwrap(), &self.view()).unwrap()).unwrap()
    }

    /// Builds a transfer with the CLI; returns the unsigned file's path.
    fn transfer(&self, name: &str, args: &[&str]) -> PathBuf {
        let path = self.file(name);
        let p = path.to_string_lossy().into_owned();
        let mut all = args.to_vec();
        all.extend_from_slice(&["-o", p.as_str()]);
        self.ok("transfer", &all);
        path
    }

    /// airsign's offline signer signs an unsigned file.
    fn sign_with_airsign(&self, unsigned: &Path, extra: &[&str]) -> PathBuf {
        let signed = unsigned.with_extension("signed");
        let (u, s) = (unsigned.to_string_lossy().into_owned(), signed.to_string_lossy().into_owned());
        let mut args = vec!["xmr", "sign", "--wallet", "signer", "--yes", u.as_str(), "-o", s.as_str()];
        args.extend_from_slice(extra);
        ok(airsign(&self.home, &args, ""));
        signed
    }

    /// wallet2's cold wallet imports our outputs, describes and signs the set; returns the
    /// signed file and what `describe_transfer` said.
    fn sign_with_wallet2(&self, unsigned: &Path) -> (PathBuf, Value) {
        let outputs = self.file("for-cold.outputs");
        self.ok("export-outputs", &["--format", "0.18.0", "-o", outputs.to_str().unwrap()]);
        self.rt.open("OFFLINE_PORT", "signer");
        self.rt.call("OFFLINE_PORT", "import_outputs", json!({"outputs_data_hex": hex::encode(std::fs::read(&outputs).unwrap())}));
        let set = hex::encode(std::fs::read(unsigned).unwrap());
        let described = self.rt.call("OFFLINE_PORT", "describe_transfer", json!({"unsigned_txset": set}));
        let signed_hex = self.rt.call("OFFLINE_PORT", "sign_transfer", json!({"unsigned_txset": set}))["signed_txset"].as_str().unwrap().to_owned();
        let signed = unsigned.with_extension("w2signed");
        std::fs::write(&signed, hex::decode(signed_hex).unwrap()).unwrap();
        (signed, described["desc"][0].clone())
    }

    /// Submits, checks the transaction's weight gives the set's fee, mines it.
    fn submit(&self, unsigned: &Path, signed: &Path, priority: u32) -> String {
        let hashes = self.submit_all(unsigned, signed, priority);
        assert_eq!(hashes.len(), 1, "one transaction in this set");
        hashes[0].clone()
    }

    /// Submits every transaction of a set (each one's weight gives its fee), mines them.
    fn submit_all(&self, unsigned: &Path, signed: &Path, priority: u32) -> Vec<String> {
        let set = self.unsigned(unsigned);
        let plain = open(FileKind::SignedTxSet, &std::fs::read(signed).unwrap(), &self.view()).unwrap();
        let signed_set = parse_signed(&plain, read_transaction).unwrap();
        assert_eq!(signed_set.ptx.len(), set.txes.len(), "one signed transaction per unsigned one");
        let daemon = Daemon::connect(&self.rt.daemon_url()).unwrap();
        let (per_byte, mask) = daemon.fee_per_byte(priority).unwrap();
        let mut expected = Vec::new();
        for (tcd, ptx) in set.txes.iter().zip(&signed_set.ptx) {
            let fee = tcd.sources.iter().map(|s| s.amount).sum::<u64>() - tcd.splitted_dsts.iter().map(|d| d.amount).sum::<u64>();
            let tx = Transaction::<NotPruned>::read(&mut ptx.tx.as_slice()).unwrap();
            assert_eq!(fee, (tx.weight() as u64 * per_byte).div_ceil(mask) * mask, "the set's fee is the signed transaction's weight x the rate");
            expected.push(hex::encode(tx.hash()));
        }
        let printed: Vec<String> = self.ok("submit", &[signed.to_str().unwrap()]).lines().map(|l| l.trim().to_owned()).collect();
        assert_eq!(printed, expected);
        self.rt.mine(1);
        printed
    }
}

trait DaemonUrl {
    fn daemon_url(&self) -> String;
}
impl DaemonUrl for Regtest {
    fn daemon_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port("DAEMON_PORT"))
    }
}

fn miner_transfer(rt: &Regtest, destinations: Value) -> String {
    for _ in 0..5 {
        rt.refresh("MINER_PORT");
        match rt.try_call("MINER_PORT", "transfer", json!({"destinations": destinations, "ring_size": 16})) {
            Ok(r) => return r["tx_hash"].as_str().unwrap().to_owned(),
            Err(e) => eprintln!("miner transfer retry: {e}"),
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    panic!("the miner could not pay {destinations}");
}

/// (amount, global index, account, index) in order, from wallet2's `incoming_transfers`.
fn wallet2_incoming(rt: &Regtest) -> Vec<(u64, u64, u64, u64, bool)> {
    rt.open("ONLINE_PORT", "viewonly");
    rt.refresh("ONLINE_PORT");
    // One call per account; m_transfers is in chain order, which is global index order.
    let mut all: Vec<(u64, u64, u64, u64, bool)> = Vec::new();
    for account in 0..2 {
        let r = rt.call("ONLINE_PORT", "incoming_transfers", json!({"transfer_type": "all", "account_index": account}));
        for t in r["transfers"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
            all.push((t["amount"].as_u64().unwrap(), t["global_index"].as_u64().unwrap(), t["subaddr_index"]["major"].as_u64().unwrap(), t["subaddr_index"]["minor"].as_u64().unwrap(), t["spent"].as_bool().unwrap()));
        }
    }
    all.sort_by_key(|t| t.1);
    all
}

fn ours(coins: &[Value]) -> Vec<(u64, u64, u64, u64, bool)> {
    coins
        .iter()
        .map(|c| (c["amount"].as_u64().unwrap(), c["global_index"].as_u64().unwrap(), c["subaddress"][0].as_u64().unwrap(), c["subaddress"][1].as_u64().unwrap(), c["spent"].as_bool().unwrap()))
        .collect()
}

fn failure(out: Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "expected a refusal, got success: {}", String::from_utf8_lossy(&out.stdout));
    assert!(!err.contains("panicked"), "a refusal must not be a panic: {err}");
    err
}

/// Two-sample Kolmogorov-Smirnov statistic.
fn ks(a: &[u64], b: &[u64]) -> f64 {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort_unstable();
    b.sort_unstable();
    let (mut i, mut j, mut d) = (0usize, 0usize, 0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] == x {
            i += 1;
        }
        while j < b.len() && b[j] == x {
            j += 1;
        }
        d = d.max((i as f64 / a.len() as f64 - j as f64 / b.len() as f64).abs());
    }
    d
}

/// The decoys (ring members other than the real one) of every input of a set.
fn decoys_of(set: &UnsignedTxSet) -> Vec<u64> {
    set.txes.iter().flat_map(|t| t.sources.iter()).flat_map(|s| s.ring.iter().enumerate().filter(move |(i, _)| *i as u64 != s.real_output).map(|(_, m)| m.global_index)).collect()
}

/// monerod's pid and command line, killed; `restart` starts the same again.
fn stop_daemon(rt: &Regtest) -> Vec<String> {
    let pid = std::fs::read_to_string(rt.dir.join("pids")).unwrap().lines().next().unwrap().trim().to_owned();
    let cmdline: Vec<String> = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap().split(|b| *b == 0).filter(|a| !a.is_empty()).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
    assert!(cmdline[0].ends_with("monerod"), "{cmdline:?}");
    Command::new("kill").arg(&pid).status().unwrap();
    for _ in 0..200 {
        if !Path::new(&format!("/proc/{pid}")).exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    cmdline
}

fn restart_daemon(rt: &Regtest, cmdline: &[String]) {
    // In regtest ("fakechain") mode monerod deletes its database at start unless told not to.
    let child = Command::new(&cmdline[0]).args(&cmdline[1..]).arg("--keep-fakechain").stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let mut pids = std::fs::read_to_string(rt.dir.join("pids")).unwrap();
    pids.push_str(&format!("{}\n", child.id()));
    std::fs::write(rt.dir.join("pids"), pids).unwrap();
    for _ in 0..240 {
        if rt.try_call("DAEMON_PORT", "get_info", json!({})).is_ok() {
            assert!(rt.height() > 400, "monerod came back with its chain");
            return;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    panic!("monerod did not come back");
}

#[test]
fn online_wallet_against_wallet2_on_regtest() {
    let rt = Regtest::up("online");
    let home = rt.dir.join("home");
    let keys = WalletKeys::from_mnemonic(&harness::signer_mnemonic(), Network::Mainnet).unwrap();
    ok(airsign(&home, &["xmr", "restore", "--wallet", "signer"], &format!("{}\n", harness::signer_mnemonic())));
    let view_only = rt.dir.join("viewonly.json");
    std::fs::write(&view_only, ok(airsign(&home, &["xmr", "view-only", "--wallet", "signer"], ""))).unwrap();
    let w = Online { rt: &rt, home: home.clone(), db: rt.dir.join("online.sqlite"), keys: keys.clone() };
    let url = rt.daemon_url();
    assert_eq!(w.ok("create", &["--daemon", &url, view_only.to_str().unwrap()]).trim(), rt.env["SIGNER_ADDRESS"]);
    assert!(!failure(w.run("create", &["--daemon", &url, view_only.to_str().unwrap()])).is_empty(), "a second create refuses to overwrite");

    // Receipts beyond up.sh's five: one transaction paying four subaddresses in two
    // accounts (additional tx keys), an integrated address, and two coinbase outputs.
    let miner = rt.env["MINER_ADDRESS"].clone();
    let subs = [(0, 2, 1_000_000_000_000u64), (0, 3, 1_100_000_000_000), (1, 0, 2_000_000_000_000), (1, 5, 1_200_000_000_000)];
    miner_transfer(&rt, Value::Array(subs.iter().map(|(a, i, amount)| json!({"address": keys.subaddress(*a, *i), "amount": amount})).collect()));
    rt.mine(1);
    let pid = "0123456789abcdef";
    let integrated = rt.call("MINER_PORT", "make_integrated_address", json!({"standard_address": rt.env["SIGNER_ADDRESS"], "payment_id": pid}))["integrated_address"].as_str().unwrap().to_owned();
    miner_transfer(&rt, json!([{"address": integrated, "amount": 700_000_000_000u64}]));
    rt.mine(1);
    rt.call("DAEMON_PORT", "generateblocks", json!({"amount_of_blocks": 2, "wallet_address": rt.env["SIGNER_ADDRESS"]}));
    rt.mine(12);

    // Scan parity: the same outputs, in wallet2's order, with the same global indices and
    // subaddresses, and the same balances.
    let stderr = w.sync();
    assert!(stderr.contains("outputs found") && stderr.contains("blocks/s"), "progress on stderr: {stderr}");
    let coins = w.coins();
    let reference = wallet2_incoming(&rt);
    assert_eq!(ours(&coins), reference, "airsign's outputs = monero-wallet-rpc's view-only wallet's incoming_transfers");
    assert_eq!(coins.len(), 5 + 4 + 1 + 2);
    // The integrated address's payment ID is read back (decrypted with the view key), and
    // wallet2's all-zero dummy on ordinary transfers is not reported as one.
    let with_pid: Vec<&Value> = coins.iter().filter(|c| !c["payment_id"].is_null()).collect();
    assert_eq!(with_pid.len(), 1, "{with_pid:?}");
    assert_eq!((with_pid[0]["payment_id"].as_str(), with_pid[0]["amount"].as_u64()), (Some(pid), Some(700_000_000_000)));
    let b2 = rt.call("ONLINE_PORT", "get_balance", json!({"all_accounts": true}));
    let ours_balance = w.balance();
    assert_eq!(ours_balance["balance"].as_u64(), b2["balance"].as_u64(), "{ours_balance} vs {b2}");
    assert_eq!(ours_balance["unlocked"].as_u64(), b2["unlocked_balance"].as_u64(), "{ours_balance} vs {b2}");
    assert_eq!(ours_balance["key_images_known"], false);
    assert!(w.ok("balance", &[]).contains("not a balance yet"), "an unknown-key-image balance is labelled");

    // Outputs export, both forms: wallet2's cold wallet imports the 0.18.0 form; airsign's
    // signer reads both.
    let (f0, f1) = (w.file("outputs-0180"), w.file("outputs-current"));
    w.ok("export-outputs", &["--format", "0.18.0", "-o", f0.to_str().unwrap()]);
    w.ok("export-outputs", &["-o", f1.to_str().unwrap()]);
    rt.open("OFFLINE_PORT", "signer");
    let imported = rt.call("OFFLINE_PORT", "import_outputs", json!({"outputs_data_hex": hex::encode(std::fs::read(&f0).unwrap())}));
    assert_eq!(imported["num_imported"].as_u64(), Some(coins.len() as u64));
    let (k0, k1) = (w.file("ki-0180"), w.file("ki-current"));
    ok(airsign(&home, &["xmr", "key-images", "--wallet", "signer", f0.to_str().unwrap(), "-o", k0.to_str().unwrap()], ""));
    ok(airsign(&home, &["xmr", "key-images", "--wallet", "signer", f1.to_str().unwrap(), "-o", k1.to_str().unwrap()], ""));
    let images = |p: &Path| parse_key_images(&open(FileKind::KeyImages, &std::fs::read(p).unwrap(), &w.view()).unwrap()).unwrap().signed.iter().map(|(k, _)| *k).collect::<Vec<_>>();
    assert_eq!(images(&k0), images(&k1));

    // Key images: spend one output with wallet2's own cold flow first, so some are spent;
    // then the cold wallet's file and airsign's own each give wallet2's view-only figures.
    let cold_images = rt.call("OFFLINE_PORT", "export_key_images", json!({"all": true}))["signed_key_images"].clone();
    rt.open("ONLINE_PORT", "viewonly");
    rt.call("ONLINE_PORT", "import_key_images", json!({"signed_key_images": cold_images}));
    let unsigned_hex = rt.call("ONLINE_PORT", "transfer", json!({"destinations": [{"address": miner, "amount": 2_500_000_000_000u64}], "ring_size": 16, "do_not_relay": true}))["unsigned_txset"].as_str().unwrap().to_owned();
    rt.open("OFFLINE_PORT", "signer");
    let signed_hex = rt.call("OFFLINE_PORT", "sign_transfer", json!({"unsigned_txset": unsigned_hex}))["signed_txset"].as_str().unwrap().to_owned();
    rt.open("ONLINE_PORT", "viewonly");
    rt.call("ONLINE_PORT", "submit_transfer", json!({"tx_data_hex": signed_hex}));
    rt.mine(2);
    w.sync();
    rt.open("OFFLINE_PORT", "signer");
    rt.call("OFFLINE_PORT", "import_outputs", json!({"outputs_data_hex": hex::encode({
        w.ok("export-outputs", &["--format", "0.18.0", "-o", f0.to_str().unwrap()]);
        std::fs::read(&f0).unwrap()
    })}));
    let _ = rt.try_call("OFFLINE_PORT", "close_wallet", json!({}));
    let cold_file = w.file("cold.keyimages");
    let said = rt.wallet_cli("offline", "signer", &["export_key_images", "all", cold_file.to_str().unwrap()]);
    assert!(cold_file.exists(), "monero-wallet-cli export_key_images: {said}");
    let line = w.ok("import-key-images", &[cold_file.to_str().unwrap()]);
    assert!(line.contains("Signed key images imported to height"), "{line}");
    let after_cold = ours(&w.coins());
    let reference = wallet2_incoming(&rt);
    assert_eq!(after_cold, reference, "spent flags after the cold wallet's key images = wallet2's view-only wallet's");
    assert!(after_cold.iter().any(|c| c.4) && after_cold.iter().any(|c| !c.4), "some outputs spent, some not");
    let kfresh = w.file("ki-fresh");
    w.ok("export-outputs", &["-o", f1.to_str().unwrap()]);
    ok(airsign(&home, &["xmr", "key-images", "--wallet", "signer", f1.to_str().unwrap(), "-o", kfresh.to_str().unwrap()], ""));
    w.ok("import-key-images", &[kfresh.to_str().unwrap()]);
    assert_eq!(ours(&w.coins()), reference, "airsign's own key image file gives the same figures");
    let b = w.balance();
    let b2 = rt.call("ONLINE_PORT", "get_balance", json!({"all_accounts": true}));
    assert_eq!((b["balance"].as_u64(), b["unlocked"].as_u64(), b["key_images_known"].as_bool()), (b2["balance"].as_u64(), b2["unlocked_balance"].as_u64(), Some(true)));

    // Foreign and damaged key image files change nothing.
    let before = w.coins();
    let plain = open(FileKind::KeyImages, &std::fs::read(&kfresh).unwrap(), &w.view()).unwrap().to_vec();
    let mut other_wallet = plain.clone();
    other_wallet[4] ^= 1; // the spend public key
    let p = w.file("ki-other");
    std::fs::write(&p, seal(FileKind::KeyImages, &other_wallet, &w.view()).unwrap()).unwrap();
    assert!(failure(w.run("import-key-images", &[p.to_str().unwrap()])).contains("another wallet"));
    let stranger = WalletKeys::generate(Network::Mainnet).unwrap();
    std::fs::write(&p, seal(FileKind::KeyImages, &plain, &stranger.view_secret_bytes()).unwrap()).unwrap();
    assert!(failure(w.run("import-key-images", &[p.to_str().unwrap()])).contains("malformed file"));
    let mut tampered = plain.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1; // a signature byte
    std::fs::write(&p, seal(FileKind::KeyImages, &tampered, &w.view()).unwrap()).unwrap();
    assert!(failure(w.run("import-key-images", &[p.to_str().unwrap()])).contains("does not prove output"));
    let whole = std::fs::read(&kfresh).unwrap();
    std::fs::write(&p, &whole[..whole.len() - 40]).unwrap();
    assert!(!failure(w.run("import-key-images", &[p.to_str().unwrap()])).is_empty());
    let outputs_whole = std::fs::read(&f1).unwrap();
    std::fs::write(&p, &outputs_whole[..outputs_whole.len() / 2]).unwrap();
    assert!(!failure(airsign(&home, &["xmr", "key-images", "--wallet", "signer", p.to_str().unwrap(), "-o", w.file("x").to_str().unwrap()], "")).is_empty());
    assert_eq!(w.coins(), before, "refused files change nothing");

    // Fee rule: on wallet2's own view-only transfers, one per priority, airsign's weight
    // and extra-length rules give wallet2's fee exactly.
    let daemon = Daemon::connect(&url).unwrap();
    let mut wallet2_decoys = Vec::new();
    rt.open("ONLINE_PORT", "viewonly");
    for priority in 1..=4u32 {
        let r = rt.call("ONLINE_PORT", "transfer", json!({"destinations": [{"address": miner, "amount": 100_000_000_000u64}], "priority": priority, "ring_size": 16, "do_not_relay": true}));
        let set = parse_unsigned(&open(FileKind::UnsignedTxSet, &hex::decode(r["unsigned_txset"].as_str().unwrap()).unwrap(), &w.view()).unwrap()).unwrap();
        let tcd = &set.txes[0];
        let fee = tcd.sources.iter().map(|s| s.amount).sum::<u64>() - tcd.splitted_dsts.iter().map(|d| d.amount).sum::<u64>();
        assert_eq!(Some(fee), r["fee"].as_u64());
        let rings: Vec<Vec<u64>> = tcd.sources.iter().map(|s| offsets(&s.ring)).collect();
        assert_eq!(signed_extra_len(&tcd.dests, &tcd.change, false, tcd.splitted_dsts.len()), tcd.extra.len(), "priority {priority}: the extra wallet2 writes");
        let (per_byte, mask) = daemon.fee_per_byte(priority).unwrap();
        assert_eq!(fee_for(&rings, tcd.splitted_dsts.len(), tcd.extra.len(), per_byte, mask), fee, "priority {priority}: airsign's fee for wallet2's transaction");
    }
    // The decoy sample comes from a fresh view-only wallet that knows no key images: the one
    // above has them, and wallet2 then keeps each output's ring in its ring database and
    // reuses it on every later transfer of that output (all 26 transfers drew one ring when
    // this sample came from it), which is one sample, not 26.
    rt.new_view_only("decoy-sample", 0);
    let mut wallet2_rings = std::collections::BTreeSet::new();
    for _ in 0..30 {
        let r = rt.call("ONLINE_PORT", "transfer", json!({"destinations": [{"address": miner, "amount": 100_000_000_000u64}], "ring_size": 16, "do_not_relay": true}));
        let set = parse_unsigned(&open(FileKind::UnsignedTxSet, &hex::decode(r["unsigned_txset"].as_str().unwrap()).unwrap(), &w.view()).unwrap()).unwrap();
        for s in set.txes.iter().flat_map(|t| t.sources.iter()) {
            wallet2_rings.insert(s.ring.iter().map(|m| m.global_index).collect::<Vec<_>>());
        }
        wallet2_decoys.extend(decoys_of(&set));
    }
    assert!(wallet2_rings.len() >= 28, "wallet2's sample must be independent rings, not one ring reused: {} distinct", wallet2_rings.len());
    rt.open("ONLINE_PORT", "viewonly");

    // Decoys: airsign's rings (monero-oxide's gamma picker) against wallet2's independent
    // rings, drawn on the same chain at the same height, by a two-sample Kolmogorov-Smirnov
    // test at alpha 0.001 (so a correct picker fails one run in a thousand). Also asserted:
    // each ring has 16 distinct members in order, the real output among them, all older
    // than the 10-block spendable age.
    let wallet = OnlineWallet::open(&w.db, Some(PASS)).unwrap();
    let spendable = wallet.transfers().unwrap().into_iter().find(|t| t.spent == airsign::wallet::monero::store::Spent::No).unwrap();
    let top = daemon.height().unwrap() - 1;
    let newest_spendable = rt.rct_outputs_through(top - 10);
    let mut airsign_decoys = Vec::new();
    for _ in 0..40 {
        let (ring, real) = ring_for(daemon.rpc(), top, &spendable.received).unwrap();
        assert_eq!(ring.len(), 16);
        assert!(ring.windows(2).all(|p| p[0].global_index < p[1].global_index));
        assert_eq!(ring[real as usize].global_index, spendable.received.global_index);
        assert!(ring.iter().all(|m| m.global_index < newest_spendable), "{ring:?} vs {newest_spendable}");
        airsign_decoys.extend(ring.iter().enumerate().filter(|(i, _)| *i as u64 != real).map(|(_, m)| m.global_index));
    }
    let (n, m) = (airsign_decoys.len() as f64, wallet2_decoys.len() as f64);
    let critical = 1.949 * ((n + m) / (n * m)).sqrt();
    let d = ks(&airsign_decoys, &wallet2_decoys);
    let q = |v: &[u64]| {
        let mut v = v.to_vec();
        v.sort_unstable();
        [0.05, 0.25, 0.5, 0.75, 0.95].map(|f| v[((v.len() - 1) as f64 * f) as usize])
    };
    eprintln!("decoys: KS D = {d:.4} (airsign {n} vs wallet2 {m}), critical {critical:.4} at alpha 0.001; quantiles airsign {:?}, wallet2 {:?}", q(&airsign_decoys), q(&wallet2_decoys));
    assert!(d < critical, "airsign's decoys differ from wallet2's: D = {d:.4} > {critical:.4}");

    // The matrix. (a) one input, priority 1, airsign signs.
    let mut received = Vec::new();
    let a = w.transfer("a.unsigned", &["--to", &format!("{miner}:1.25")]);
    let set = w.unsigned(&a);
    // wallet2's selection: the oldest output that covers it, and a second, small, unrelated
    // one when there is such (most wallet2 transactions are 2-in).
    assert_eq!((set.version, set.txes.len(), set.txes[0].unlock_time), (2, 1, 0));
    assert!((1..=2).contains(&set.txes[0].sources.len()), "{} inputs", set.txes[0].sources.len());
    assert_eq!(set.transfers.outputs.len(), w.coins().len(), "new_transfers holds every output, never none");
    let signed = w.sign_with_airsign(&a, &[]);
    let txa = w.submit(&a, &signed, 1);
    received.push((txa.clone(), XMR + XMR / 4));

    // (b) two or more inputs, several destinations, priority 2, the 0.18.0 form, wallet2's
    // cold wallet signs; describe_transfer shows our destinations and fee.
    let miner_sub = rt.call("MINER_PORT", "create_address", json!({"account_index": 0}))["address"].as_str().unwrap().to_owned();
    let b = w.transfer("b.unsigned", &["--to", &format!("{miner}:4.5"), "--to", &format!("{miner_sub}:0.5"), "--priority", "2", "--format", "0.18.0"]);
    let set = w.unsigned(&b);
    assert_eq!(set.version, 1);
    assert!(set.txes[0].sources.len() >= 2, "{} inputs", set.txes[0].sources.len());
    let (signed, described) = w.sign_with_wallet2(&b);
    let fee_b = set.txes[0].sources.iter().map(|s| s.amount).sum::<u64>() - set.txes[0].splitted_dsts.iter().map(|d| d.amount).sum::<u64>();
    assert_eq!(described["fee"].as_u64(), Some(fee_b));
    let mut shown: Vec<(String, u64)> = described["recipients"].as_array().unwrap().iter().map(|r| (r["address"].as_str().unwrap().to_owned(), r["amount"].as_u64().unwrap())).collect();
    shown.sort();
    let mut asked = vec![(miner.clone(), 4 * XMR + XMR / 2), (miner_sub.clone(), XMR / 2)];
    asked.sort();
    assert_eq!(shown, asked);
    let txb = w.submit(&b, &signed, 2);
    received.push((txb, 5 * XMR));

    // (c) account 1 (two subaddresses there), priority 3: change goes to (1, 0).
    let c = w.transfer("c.unsigned", &["--account", "1", "--to", &format!("{miner}:2.5"), "--priority", "3"]);
    let set = w.unsigned(&c);
    assert_eq!((set.txes[0].subaddr_account, set.txes[0].subaddr_indices.clone()), (1, vec![0, 5]));
    let signed = w.sign_with_airsign(&c, &[]);
    let txc = w.submit(&c, &signed, 3);
    received.push((txc, 2 * XMR + XMR / 2));

    // (d) an integrated address, priority 4: the miner sees the payment id.
    let miner_integrated = rt.call("MINER_PORT", "make_integrated_address", json!({"payment_id": "feedfacecafebeef"}))["integrated_address"].as_str().unwrap().to_owned();
    let d_file = w.transfer("d.unsigned", &["--to", &format!("{miner_integrated}:0.3"), "--priority", "4"]);
    let signed = w.sign_with_airsign(&d_file, &[]);
    let txd = w.submit(&d_file, &signed, 4);
    received.push((txd.clone(), 3 * XMR / 10));

    for (tx, amount) in &received {
        assert_eq!(miner_received(&rt, tx), *amount, "the miner received {tx}");
    }
    let by_txid = rt.call("MINER_PORT", "get_transfer_by_txid", json!({"txid": txd}));
    assert_eq!(by_txid["transfer"]["payment_id"].as_str(), Some("feedfacecafebeef"));

    // Change is found and, once unlocked, spendable: (e) sweeps one output (no change, so
    // wallet2's dummy output), then (f) sweeps all of account 0, (a)'s change included.
    rt.mine(10);
    w.sync();
    let coins = w.coins();
    let change_c = coins.iter().find(|c| c["tx_hash"] == Value::from(txa.clone())).expect("(a)'s change was found");
    assert_eq!(change_c["subaddress"], json!([0, 0]));
    assert!(coins.iter().any(|c| c["subaddress"] == json!([1, 0]) && c["height"].as_u64() > Some(0) && !c["spent"].as_bool().unwrap() && c["amount"].as_u64().unwrap() < 2 * XMR), "(c)'s change at (1, 0)");
    let one = coins.iter().find(|c| c["subaddress"][0] == 0 && !c["spent"].as_bool().unwrap() && c["unlocked"].as_bool().unwrap() && c["tx_hash"] != Value::from(txa.clone())).unwrap();
    let e = w.transfer("e.unsigned", &["--sweep-output", &one["index"].to_string(), "--to", &miner]);
    let set = w.unsigned(&e);
    assert_eq!((set.txes[0].sources.len(), set.txes[0].splitted_dsts.len(), set.txes[0].change.amount), (1, 2, 0), "one input, the destination and a zero dummy");
    let signed = w.sign_with_airsign(&e, &[]);
    // A second sweep of the same output, signed too (the signer's journal needs the override).
    let e2 = w.transfer("e2.unsigned", &["--sweep-output", &one["index"].to_string(), "--to", &miner_sub]);
    let signed2 = w.sign_with_airsign(&e2, &["--allow-respend"]);
    let txe = w.submit(&e, &signed, 1);
    assert_eq!(miner_received(&rt, &txe), set.txes[0].splitted_dsts[0].amount);
    let history = w.ok("history", &["--json"]);
    let err = failure(w.run("submit", &[signed2.to_str().unwrap()]));
    assert!(err.contains("double_spend") || err.contains("refused"), "{err}");
    assert_eq!(w.ok("history", &["--json"]), history, "a refused broadcast records nothing");

    // (g) A transfer that needs more inputs than one transaction holds (the weight limit set
    // to one input's here) is paid by several transactions in one set, the destination's
    // amount split across them as wallet2 splits it; airsign's offline signer signs them all
    // and the miner receives exactly the amount asked.
    rt.mine(10);
    w.sync();
    let largest = w.coins().iter().filter(|c| c["subaddress"][0] == 0 && !c["spent"].as_bool().unwrap() && c["unlocked"].as_bool().unwrap()).map(|c| c["amount"].as_u64().unwrap()).max().unwrap();
    let g = w.file("g.unsigned");
    let asked = largest + XMR / 10;
    {
        let mut lib = OnlineWallet::open(&w.db, Some(PASS)).unwrap();
        let daemon = Daemon::connect(&url).unwrap();
        let (per_byte, mask) = daemon.fee_per_byte(1).unwrap();
        let one = vec![vec![0x3fffu64; 16]; 1];
        lib.max_tx_weight = airsign::wallet::monero::build::tx_weight(&one, 2, 44, fee_for(&one, 2, 44, per_byte, mask));
        let req = TransferRequest { destinations: vec![(miner.clone(), asked)], priority: 1, account: 0, sweep: Sweep::No, format: FileFormat::Current };
        let (file, summary) = lib.transfer(&daemon, &req).unwrap();
        assert!(summary.transactions >= 2, "more than the largest output: {} transaction(s)", summary.transactions);
        std::fs::write(&g, file).unwrap();
    }
    let set_g = w.unsigned(&g);
    assert!(set_g.txes.len() >= 2 && set_g.txes.iter().all(|t| t.sources.len() == 1), "one input per transaction");
    assert_eq!(set_g.txes.iter().flat_map(|t| &t.dests).map(|d| d.amount).sum::<u64>(), asked, "the amount asked, split across the transactions");
    let signed = w.sign_with_airsign(&g, &[]);
    let txg = w.submit_all(&g, &signed, 1);
    assert_eq!(txg.iter().map(|tx| miner_received(&rt, tx)).sum::<u64>(), asked);

    rt.mine(10);
    w.sync();
    let unlocked0: Vec<u64> = w.coins().iter().filter(|c| c["subaddress"][0] == 0 && !c["spent"].as_bool().unwrap() && c["unlocked"].as_bool().unwrap()).map(|c| c["index"].as_u64().unwrap()).collect();
    // The sweep is cut into transactions of at most three inputs here (a weight limit set
    // low for the test; wallet2's target, 99,600, holds about 140), as wallet2 cuts one too
    // heavy for one transaction. wallet2's cold wallet signs the whole set.
    assert!(unlocked0.len() >= 4, "enough outputs to cut the sweep: {}", unlocked0.len());
    let f = w.file("f.unsigned");
    {
        let mut lib = OnlineWallet::open(&w.db, Some(PASS)).unwrap();
        let daemon = Daemon::connect(&url).unwrap();
        let (per_byte, mask) = daemon.fee_per_byte(1).unwrap();
        let three = vec![vec![0x3fffu64; 16]; 3];
        lib.max_tx_weight = airsign::wallet::monero::build::tx_weight(&three, 2, 44, fee_for(&three, 2, 44, per_byte, mask));
        let req = TransferRequest { destinations: Vec::new(), priority: 1, account: 0, sweep: Sweep::All(miner.clone()), format: FileFormat::V0180 };
        let (file, summary) = lib.transfer(&daemon, &req).unwrap();
        assert_eq!(summary.transactions, unlocked0.len().div_ceil(3));
        std::fs::write(&f, file).unwrap();
    }
    let set = w.unsigned(&f);
    assert_eq!(set.txes.len(), unlocked0.len().div_ceil(3));
    assert!(set.txes.iter().all(|t| t.sources.len() <= 3 && t.splitted_dsts.len() == 2));
    let change_idx = change_c["index"].as_u64().unwrap();
    let mut swept: Vec<u64> = set.txes.iter().flat_map(|t| t.selected_transfers.clone()).collect();
    swept.sort();
    let spent_by_g = set_g.txes.iter().any(|t| t.selected_transfers.contains(&change_idx));
    assert!(swept.contains(&change_idx) || spent_by_g, "(a)'s change was spendable: spent by (g) or by the sweep");
    assert_eq!(swept, unlocked0, "a sweep takes every unlocked output of the account, each once");
    let (signed, _) = w.sign_with_wallet2(&f);
    let txf = w.submit_all(&f, &signed, 1);
    for (tx, tcd) in txf.iter().zip(&set.txes) {
        assert_eq!(miner_received(&rt, tx), tcd.splitted_dsts[0].amount);
    }
    w.sync();
    let history: Vec<Value> = serde_json::from_str(&w.ok("history", &["--json"])).unwrap();
    assert_eq!(history.len(), 5 + txg.len() + txf.len(), "every broadcast recorded, each transaction of a cut transfer or sweep too");
    assert!(history.iter().all(|h| h["confirmations"].as_u64() >= Some(1)), "{history:?}");
    let left: Vec<Value> = w.coins().into_iter().filter(|c| unlocked0.contains(&c["index"].as_u64().unwrap()) && !c["spent"].as_bool().unwrap()).collect();
    assert!(left.is_empty(), "swept outputs are spent: {left:?}");

    // A truncated or tampered signed set is refused.
    let whole = std::fs::read(&signed).unwrap();
    std::fs::write(&p, &whole[..whole.len() - 100]).unwrap();
    assert!(!failure(w.run("submit", &[p.to_str().unwrap()])).is_empty());

    // Reorganisation: two coinbase outputs to us, then their blocks replaced.
    let count = w.coins().len();
    rt.call("DAEMON_PORT", "generateblocks", json!({"amount_of_blocks": 2, "wallet_address": rt.env["SIGNER_ADDRESS"]}));
    w.sync();
    assert_eq!(w.coins().len(), count + 2);
    let out = Command::new("curl").args(["-s", &format!("{url}/pop_blocks"), "-d", r#"{"nblocks":2}"#]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("OK"), "pop_blocks: {}", String::from_utf8_lossy(&out.stdout));
    rt.mine(3);
    let said = w.sync();
    assert!(said.contains("reorganised"), "{said}");
    assert_eq!(w.coins().len(), count, "the dropped blocks' outputs are gone");

    // A daemon killed mid-sync: a second wallet stops with an error, resumes after the
    // restart, and ends with exactly the outputs of the first (no duplicates).
    let db2 = rt.dir.join("second.sqlite");
    let second = Online { rt: &rt, home: home.clone(), db: db2.clone(), keys: keys.clone() };
    second.ok("create", &["--daemon", &url, view_only.to_str().unwrap()]);
    let mut wallet2nd = OnlineWallet::open(&db2, Some(PASS)).unwrap();
    // Small requests, so that the daemon dies with blocks still to fetch (this chain is
    // shorter than one request of the default 1,000).
    wallet2nd.blocks_per_request = 100;
    let height = rt.height();
    let mut cmdline = None;
    let interrupted = wallet2nd.sync(&daemon, &mut |p| {
        if cmdline.is_none() && p.height < p.daemon_height {
            cmdline = Some(stop_daemon(&rt));
        }
    });
    let cmdline = cmdline.expect("the sync made progress before the daemon stopped");
    assert!(interrupted.is_err(), "the sync reports the daemon's loss");
    let partial = wallet2nd.scanned_height().unwrap();
    assert!(partial > 0 && partial < height, "resumes from {partial} of {height}");
    restart_daemon(&rt, &cmdline);
    let daemon = Daemon::connect(&url).unwrap();
    wallet2nd.sync(&daemon, &mut |_| {}).unwrap();
    let keys_of = |ts: Vec<airsign::wallet::monero::store::Transfer>| ts.into_iter().map(|t| t.received.out_key).collect::<Vec<_>>();
    assert_eq!(keys_of(wallet2nd.transfers().unwrap()), keys_of(wallet.transfers().unwrap()));

    // Stopped by the user (the app's Stop button) after the first batch: what was scanned
    // is kept, the report says so, and the next sync ends with the same outputs.
    let db3 = rt.dir.join("third.sqlite");
    Online { rt: &rt, home: home.clone(), db: db3.clone(), keys: keys.clone() }.ok("create", &["--daemon", &url, view_only.to_str().unwrap()]);
    let mut third = OnlineWallet::open(&db3, Some(PASS)).unwrap();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let report = third.sync_until_stopped(&daemon, &mut |_| stop.store(true, std::sync::atomic::Ordering::Relaxed), &stop).unwrap();
    assert!(report.stopped, "{report:?}");
    let height = rt.height();
    assert!(report.to > 0 && report.to < height && third.scanned_height().unwrap() == report.to, "stopped at {} of {height}", report.to);
    let rest = third.sync(&daemon, &mut |_| {}).unwrap();
    assert!(!rest.stopped && rest.from == report.to && rest.to == height, "{rest:?}");
    assert_eq!(keys_of(third.transfers().unwrap()), keys_of(wallet.transfers().unwrap()));
}
