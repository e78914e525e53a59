//! The crash harness: the real `airsign` CLI signs XRPL batches and Monero sets over and
//! over and is killed with SIGKILL at random points (seeded). After every kill:
//! - the journal opens (a torn last line is tolerated and cut, never "damaged");
//! - every signed result that reached its output file whole has its journal entry;
//! - a different transaction for any recorded marker is refused;
//! - the XRPL account state file still parses.
//!
//! Bounded in time: a few hundred runs of a process that lives tens of milliseconds.

use airsign::chain::monero::keys::{Network, WalletKeys};
use airsign::chain::monero::outputs::OutputScanner;
use airsign::chain::monero::wallet2_file::{open, FileKind};
use airsign::chain::xrpl::keys::Seed;
use airsign::envelope::xrpl::{Versioned, XrplSignedPayload};
use airsign::keystore::{KdfParams, Keystore};
use airsign::signer::journal::{Journal, JournalError, SpendMarker};
use airsign::signer::{monero as xmr, xrpl};
use rand::{RngExt, SeedableRng};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PASSPHRASE: &str = "crash-harness";
/// Kills to reach per chain; runs that end before their kill point do not count, so the
/// number of runs adapts to how fast this machine is (at most three runs per kill).
const XRPL_KILLS: usize = 150;
const MONERO_KILLS: usize = 60;

struct Setup {
    dir: PathBuf,
    ks: PathBuf,
    templates: PathBuf,
    unsigned: PathBuf,
    account: String,
    monero_keys: WalletKeys,
}

fn setup() -> Setup {
    let dir = std::env::temp_dir().join(format!("airsign-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let ks = dir.join("keys");
    std::fs::create_dir_all(dir.join("out")).unwrap();
    // Cheap KDF parameters in the files themselves, so each run unlocks in milliseconds.
    let store = Keystore::open(&ks).unwrap().with_kdf(KdfParams { m_cost_kib: 256, t_cost: 1, p_cost: 1 });

    let seed = Seed::parse("shYHSiJod8CLPTj1SNJ2PdUFj4pFk", None).unwrap();
    let (info, secret) = xrpl::keystore_record("x", &seed);
    store.create(info, &secret, PASSPHRASE).unwrap();
    let mut account = xrpl::XrplAccount::new(&seed.key_pair());
    account.next_sequence = 7;
    account.reported_sequence = 7;
    account.ledger_index = 1000;
    // Far ahead on the offline clock's terms: the harness may run for minutes.
    account.state_applied_at = airsign::signer::now();
    account.ledger_margin = 256;
    xrpl::save_account(&ks, "x", &account).unwrap();
    let templates = dir.join("batch.json");
    std::fs::write(
        &templates,
        r#"[{"template": "Payment", "destination": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", "amount": "1000", "destination_tag": 1},
            {"template": "Payment", "destination": "rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe", "amount": "2000"}]"#,
    )
    .unwrap();

    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/regtest/signer.json")).unwrap()).unwrap();
    let monero_keys = WalletKeys::from_mnemonic(m["mnemonic"].as_str().unwrap(), Network::Mainnet).unwrap();
    store.create(xmr::keystore_info("m", &monero_keys, 0), monero_keys.spend_secret_bytes().as_ref(), PASSPHRASE).unwrap();
    let sets: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/monero/txsets.json")).unwrap()).unwrap();
    let unsigned = dir.join("unsigned_two");
    std::fs::write(&unsigned, hex::decode(sets["unsigned_two"].as_str().unwrap()).unwrap()).unwrap();
    Setup { dir, ks, templates, unsigned, account: account.address, monero_keys }
}

fn xrpl_run(s: &Setup, out: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_airsign"));
    c.args(["xrpl", "account", "sign-batch", "--yes", "--wallet", "x", "--keystore"]).arg(&s.ks).arg("--templates").arg(&s.templates).arg("-o").arg(out);
    c.env("AIRSIGN_PASSPHRASE", PASSPHRASE).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
    c
}

fn monero_run(s: &Setup, out: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_airsign"));
    c.args(["xmr", "sign", "--yes", "--wallet", "m", "--keystore"]).arg(&s.ks).arg(&s.unsigned).arg("-o").arg(out);
    c.env("AIRSIGN_PASSPHRASE", PASSPHRASE).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
    c
}

/// How long one run takes to the end, for the kill points.
fn calibrate(mut cmd: Command) -> Duration {
    let t = Instant::now();
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "a run without a kill succeeds: {}", String::from_utf8_lossy(&out.stderr));
    t.elapsed()
}

#[derive(Default, Debug)]
struct Tally {
    killed: usize,
    finished: usize,
    whole_outputs: usize,
    torn_outputs: usize,
    /// Kills that left a torn last line in the journal (cut by the next run's append). A
    /// SIGKILL rarely lands inside one small write(2), so this is usually 0: torn lines are
    /// a power-loss case, tested in the journal's unit tests.
    torn_journal: usize,
    markers_checked: usize,
}

#[test]
fn signing_survives_sigkill_at_random_points() {
    let s = setup();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0xA1_5161);
    let scanner = OutputScanner::new(&s.monero_keys, 2, 8);
    let set_id = xmr::review_unsigned(&scanner, &std::fs::read(&s.unsigned).unwrap()).unwrap().id;
    let started = Instant::now();
    let mut tally = Tally::default();

    for (chain, kills) in [("xrpl", XRPL_KILLS), ("monero", MONERO_KILLS)] {
        let make = |out: &Path| if chain == "xrpl" { xrpl_run(&s, out) } else { monero_run(&s, out) };
        let full = calibrate(make(&s.dir.join("out").join(format!("{chain}-calibration"))));
        let killed_before = tally.killed;
        for i in 0..3 * kills {
            if tally.killed - killed_before >= kills {
                break;
            }
            let out = s.dir.join("out").join(format!("{chain}-{i}"));
            let mut child = make(&out).spawn().unwrap();
            // Kill anywhere from start-up to a little past the usual end.
            let at = full.mul_f64(rng.random_range(0.0..1.1));
            std::thread::sleep(at);
            match child.try_wait().unwrap() {
                Some(status) => {
                    let err = child.wait_with_output().map(|o| String::from_utf8_lossy(&o.stderr).into_owned()).unwrap_or_default();
                    assert!(status.success(), "{chain} run {i} failed on its own: {err}");
                    tally.finished += 1;
                }
                None => {
                    child.kill().unwrap();
                    child.wait().unwrap();
                    tally.killed += 1;
                }
            }
            check_after(&s, chain, &out, &set_id, &mut tally);
        }
    }
    eprintln!("crash harness: {tally:?} in {:.1} s", started.elapsed().as_secs_f64());
    assert!(tally.killed >= XRPL_KILLS + MONERO_KILLS, "{tally:?}");
    assert!(tally.whole_outputs > 0 && tally.markers_checked > 0, "{tally:?}");
    assert!(started.elapsed() < Duration::from_secs(600), "bounded in time");
    let _ = std::fs::remove_dir_all(&s.dir);
}

fn check_after(s: &Setup, chain: &str, out: &Path, set_id: &str, tally: &mut Tally) {
    let text = std::fs::read(s.ks.join("journal.log")).unwrap_or_default();
    if !text.is_empty() && !text.ends_with(b"\n") {
        tally.torn_journal += 1;
    }
    let journal = Journal::open(&s.ks.join("journal.log")).unwrap_or_else(|e| panic!("after a kill the journal must open: {e}"));
    xrpl::load_account(&s.ks, "x").expect("the account state file survives every kill");
    let Ok(bytes) = std::fs::read(out) else { return };
    let mut markers = Vec::new();
    if chain == "xrpl" {
        let Ok(payload) = XrplSignedPayload::from_cbor(&bytes) else {
            tally.torn_outputs += 1;
            return;
        };
        for t in &payload.transactions {
            let m = SpendMarker::Xrpl { account: s.account.clone(), sequence: t.sequence };
            assert_eq!(journal.signed_hash(&m), Some(hex::encode_upper(&t.hash).as_str()), "{} reached the output but not the journal", m);
            markers.push(m);
        }
    } else {
        if open(FileKind::SignedTxSet, &bytes, &s.monero_keys.view_secret_bytes()).is_err() {
            tally.torn_outputs += 1;
            return;
        }
        let signed_markers: Vec<SpendMarker> = journal
            .entries()
            .iter()
            .filter_map(|e| match e {
                airsign::signer::journal::Entry::Signed { marker: m @ SpendMarker::Monero { .. }, hash, .. } if hash == set_id => Some(m.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(signed_markers.len(), 2, "both key images of the signed set are journaled");
        markers = signed_markers;
    }
    tally.whole_outputs += 1;
    for m in markers {
        assert!(matches!(journal.check(std::slice::from_ref(&m), "a-different-transaction"), Err(JournalError::AlreadySigned { .. })), "{m}");
        tally.markers_checked += 1;
    }
}
