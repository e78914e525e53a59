//! airsign's own view-only Monero wallet: the online half of the Feather flow.
//!
//! It holds the address and the secret view key, nothing that can spend. The view key is
//! kept in the wallet's SQLite file sealed under the user's passphrase with the keystore's
//! scheme (Argon2id + XChaCha20-Poly1305): it reveals every incoming payment, so it is not
//! left readable at rest, and asking for 64 hex digits each session would invite mistakes.
//! Reading balances and history needs no passphrase; scanning, writing and reading wallet2
//! files (all encrypted with the view key) does.

use super::build::{self, fee_for, signed_extra_len, RING_SIZE};
use super::daemon::{Daemon, DaemonError, KeyImageState};
use super::scan::{Received, ViewScanner};
use super::select;
use super::store::{HistoryEntry, Spent, Store, StoreError, Transfer};
use super::ViewOnly;
use crate::chain::monero::keys::{format_address, parse_address, parse_destination, subaddress_spend_public_from, Network};
use crate::chain::monero::outputs::{check_key_image_signature, parse_key_images, write_outputs_export, ExportedOutput, OutputList, OutputsExport};
use crate::chain::monero::sign::read_transaction;
use crate::chain::monero::txset::{parse_signed, write_unsigned, Destination, UnsignedTxSet};
use crate::chain::monero::wallet2_file::{open, seal, FileKind};
use crate::keystore::{open_secret, seal_secret, KdfParams};
use curve25519_dalek::edwards::CompressedEdwardsY;
use curve25519_dalek::scalar::Scalar;
use monero_oxide::transaction::{Input, NotPruned, Transaction};
use std::collections::HashMap;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};
use zeroize::Zeroizing;

/// Blocks per `get_blocks.bin` request: monerod's own limit. Daemons before 0.18.4.3 ignore
/// a smaller `max_block_count` and send up to this many whatever is asked (the surplus is
/// dropped), so smaller requests would only make monerod serialise the same blocks again.
const BATCH: u64 = 1000;
/// Blocks scanned, stored and reported at a time within a batch: the progress bar moves and
/// "Stop sync" takes effect at this granularity.
const SCAN_CHUNK: usize = 100;
/// wallet2's `TX_WEIGHT_TARGET(get_upper_transaction_weight_limit())`: (300,000 / 2 - 600) x 2/3.
const TX_WEIGHT_TARGET: u64 = 99_600;
/// wallet2's `CRYPTONOTE_DEFAULT_TX_SPENDABLE_AGE`.
const SPENDABLE_AGE: u64 = 10;
/// Below this an unlock time is a height, above it a Unix time.
const MAX_BLOCK_NUMBER: u64 = 500_000_000;

#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Daemon(#[from] DaemonError),
    #[error("wrong passphrase for this wallet's view key (or the database was altered)")]
    WrongPassphrase,
    #[error("{0}")]
    Refused(String),
    #[error("malformed file: {0}")]
    Malformed(String),
}

fn refused(s: impl Into<String>) -> WalletError {
    WalletError::Refused(s.into())
}

/// The wallet2 file forms airsign writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// wallet2 0.18.1.1 and later (Feather 2.x, Cake, Keystone): outputs as a tuple with
    /// element version 1; unsigned sets version 2.
    Current,
    /// Monero 0.18.0.0 (Debian's): outputs as a pair, element version 0; unsigned sets
    /// version 1 (which every 0.18 reader accepts).
    V0180,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Balance {
    /// Received and not known to be spent.
    pub balance: u64,
    /// The part of it that can be spent now.
    pub unlocked: u64,
    /// Whether every output's key image is known: until then spends of the offline wallet
    /// are invisible here and `balance` may count coins already spent.
    pub key_images_known: bool,
    pub outputs: usize,
}

/// One sync step, for progress displays.
#[derive(Debug, Clone, Copy)]
pub struct SyncProgress {
    pub height: u64,
    pub daemon_height: u64,
    pub blocks_per_second: f64,
    pub outputs_found: usize,
}

#[derive(Debug, Clone, Default)]
pub struct SyncReport {
    pub from: u64,
    pub to: u64,
    pub outputs_found: usize,
    pub rolled_back: Option<(u64, usize)>,
    /// Incoming in the pool: (tx hash, amount).
    pub pool_incoming: Vec<([u8; 32], u64)>,
    /// Stopped on request before the daemon's top (at `to`); the next sync resumes there.
    pub stopped: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyImageReport {
    pub imported: usize,
    pub spent: u64,
    pub unspent: u64,
    pub height: u64,
}

/// What a transfer asks for.
#[derive(Debug, Clone)]
pub struct TransferRequest {
    /// (address, atomic amount); empty for a sweep, whose single address is `sweep_to`.
    pub destinations: Vec<(String, u64)>,
    pub priority: u32,
    pub account: u32,
    pub sweep: Sweep,
    pub format: FileFormat,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sweep {
    No,
    /// Every unlocked output of the account, to one address.
    All(String),
    /// One output (by transfer index), to one address.
    One(u64, String),
}

/// What a built transfer does, for the user before the file goes to the signer.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TransferSummary {
    /// Transactions in the set: one, or more for a transfer or sweep too heavy for one.
    pub transactions: usize,
    pub inputs: Vec<u64>,
    pub input_total: u64,
    pub destinations: Vec<(String, u64)>,
    pub change: u64,
    pub fee: u64,
    pub weight: u64,
}

impl TransferSummary {
    /// The line the CLI and the app open a built transfer with.
    pub fn headline(&self) -> String {
        use crate::chain::monero::review::format_xmr;
        let what = if self.transactions == 1 { "Unsigned transaction".to_owned() } else { format!("{} unsigned transactions (too heavy for one)", self.transactions) };
        format!("{what}: {} input(s) of {} XMR, fee {} XMR (weight {})", self.inputs.len(), format_xmr(self.input_total), format_xmr(self.fee), self.weight)
    }
}

/// A transaction about to be broadcast, as the signed set says.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Outgoing {
    pub tx_hash: String,
    pub fee: u64,
    pub destinations: Vec<(String, u64)>,
    pub inputs: Vec<u64>,
}

pub struct OnlineWallet {
    store: Store,
    pub address: String,
    pub network: Network,
    spend_public: [u8; 32],
    view_public: [u8; 32],
    view_secret: Option<Zeroizing<[u8; 32]>>,
    pub restore_height: u64,
    /// Blocks per `get_blocks.bin` request ([`BATCH`] unless set).
    pub blocks_per_request: u64,
    /// The weight a transaction built here may reach: wallet2's `TX_WEIGHT_TARGET`, two
    /// thirds of the 149,400 a transaction may weigh; a transfer or sweep past it is cut into
    /// several.
    pub max_tx_weight: u64,
}

impl std::fmt::Debug for OnlineWallet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnlineWallet").field("address", &self.address).finish_non_exhaustive()
    }
}

fn sealing_context(address: &str) -> String {
    format!("airsign monero online view key v1 {address}")
}

pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl OnlineWallet {
    /// A new wallet file from the offline side's view-only export.
    pub fn create(path: &Path, view_only: &ViewOnly, passphrase: &str, daemon_url: &str, kdf: KdfParams) -> Result<OnlineWallet, WalletError> {
        let parsed = parse_address(&view_only.address).ok_or_else(|| refused("the view-only export's address is not a Monero address"))?;
        if parsed.is_subaddress {
            return Err(refused("the view-only export names a subaddress; a wallet is made from its primary address"));
        }
        let sealed = seal_secret(view_only.view_secret().as_ref(), passphrase, &sealing_context(&view_only.address), kdf).map_err(|e| refused(e.to_string()))?;
        let meta = [
            ("address", view_only.address.clone()),
            ("network", parsed.network.name().to_owned()),
            ("restore_height", view_only.restore_height.to_string()),
            ("daemon", daemon_url.to_owned()),
            ("view_key", sealed),
        ];
        Store::create(path, &meta)?;
        let w = Self::open(path, Some(passphrase))?;
        // As wallet2 does when a wallet is made: the subaddress table (50 x 200 keys) is
        // computed once and kept, not at every sync.
        w.store.save_cache("subaddress_table", &w.scanner()?.saved_table())?;
        Ok(w)
    }

    /// Opens a wallet; with a passphrase the view key is unsealed too.
    pub fn open(path: &Path, passphrase: Option<&str>) -> Result<OnlineWallet, WalletError> {
        let store = Store::open(path)?;
        let get = |k: &str| -> Result<String, WalletError> { store.meta(k)?.ok_or_else(|| WalletError::Store(StoreError::Damaged(format!("no {k}")))) };
        let address = get("address")?;
        let parsed = parse_address(&address).ok_or_else(|| WalletError::Store(StoreError::Damaged("address".into())))?;
        let restore_height = get("restore_height")?.parse().map_err(|_| WalletError::Store(StoreError::Damaged("restore height".into())))?;
        let view_secret = match passphrase {
            None => None,
            Some(p) => {
                let secret = open_secret(&get("view_key")?, p, &sealing_context(&address)).map_err(|_| WalletError::WrongPassphrase)?;
                let key: [u8; 32] = secret.as_slice().try_into().map_err(|_| WalletError::WrongPassphrase)?;
                if crate::chain::monero::wallet2_file::public_key(&key) != parsed.view {
                    return Err(WalletError::WrongPassphrase);
                }
                Some(Zeroizing::new(key))
            }
        };
        Ok(OnlineWallet { store, address, network: parsed.network, spend_public: parsed.spend, view_public: parsed.view, view_secret, restore_height, blocks_per_request: BATCH, max_tx_weight: TX_WEIGHT_TARGET })
    }

    pub fn daemon_url(&self) -> Result<Option<String>, WalletError> {
        Ok(self.store.meta("daemon")?)
    }

    pub fn set_daemon_url(&self, url: &str) -> Result<(), WalletError> {
        Ok(self.store.set_meta("daemon", url)?)
    }

    fn view_secret(&self) -> Result<&[u8; 32], WalletError> {
        self.view_secret.as_deref().ok_or_else(|| refused("this needs the view key: open the wallet with its passphrase"))
    }

    /// The scanner with the lookahead the wallet reached: per account since the table
    /// grows per account ('lookahead_minors'); files written before kept one rectangle
    /// ('lookahead', "accounts,indices").
    fn scanner(&self) -> Result<ViewScanner, WalletError> {
        use crate::chain::monero::outputs::{LOOKAHEAD_MAJOR, LOOKAHEAD_MINOR};
        let per_account: Option<Vec<u32>> = self.store.meta("lookahead_minors")?.and_then(|l| l.split(',').map(|m| m.parse().ok()).collect());
        let minors = match per_account {
            Some(m) if !m.is_empty() => m,
            _ => {
                let (a, i) = self.store.meta("lookahead")?.and_then(|l| l.split_once(',').and_then(|(a, i)| Some((a.parse().ok()?, i.parse().ok()?)))).unwrap_or((LOOKAHEAD_MAJOR, LOOKAHEAD_MINOR));
                vec![i; a as usize]
            }
        };
        let view = self.view_secret()?;
        if let Some(saved) = self.store.cached("subaddress_table")? {
            if let Some(s) = ViewScanner::from_saved_table(&self.spend_public, view, &minors, &saved) {
                return Ok(s);
            }
        }
        ViewScanner::with_minors(&self.spend_public, view, &minors).ok_or_else(|| refused("the wallet's keys are not valid points"))
    }

    pub fn transfers(&self) -> Result<Vec<Transfer>, WalletError> {
        Ok(self.store.transfers()?)
    }

    pub fn scanned_height(&self) -> Result<u64, WalletError> {
        Ok(self.store.next_height(self.restore_height)?)
    }

    /// Scans from where the last sync stopped to the daemon's top. A reorganisation rolls
    /// back to the fork and rescans; each batch is committed whole, so a daemon that stops
    /// mid-sync costs at most the batch in flight.
    pub fn sync(&mut self, daemon: &Daemon, progress: &mut dyn FnMut(SyncProgress)) -> Result<SyncReport, WalletError> {
        self.sync_until_stopped(daemon, progress, &std::sync::atomic::AtomicBool::new(false))
    }

    /// [`Self::sync`], stopping after the batch in flight once `stop` is set (the app's
    /// "Stop" button): what was scanned is kept and the next sync resumes from it.
    pub fn sync_until_stopped(&mut self, daemon: &Daemon, progress: &mut dyn FnMut(SyncProgress), stop: &std::sync::atomic::AtomicBool) -> Result<SyncReport, WalletError> {
        let mut scanner = self.scanner()?;
        let daemon_height = daemon.height()?;
        let mut report = SyncReport::default();
        let mut next = self.store.next_height(self.restore_height)?;
        if let Some(fork) = self.find_fork(daemon, next)? {
            let removed = self.store.rollback(fork)?;
            report.rolled_back = Some((fork, removed));
            next = fork;
        }
        report.from = next;
        let started = std::time::Instant::now();
        let mut scanned_blocks = 0u64;
        // One thread fetches the next batch while this one scans the last: the daemon's
        // answer and the scan take about as long each. A reorganisation seen mid-way stops
        // the fetcher, rolls back, and starts again from the fork.
        while next < daemon_height {
            let (from, batch) = (next, self.blocks_per_request.max(1));
            let outcome = std::thread::scope(|s| -> Result<Option<u64>, WalletError> {
                let (to_scan, fetched) = std::sync::mpsc::sync_channel(1);
                s.spawn(move || {
                    let mut start = from;
                    while start < daemon_height {
                        let end = (start + batch - 1).min(daemon_height - 1);
                        let batch = daemon.scannable_blocks(start, end).map(|b| (start, end, b));
                        let failed = batch.is_err();
                        if to_scan.send(batch).is_err() || failed {
                            return;
                        }
                        start = end + 1;
                    }
                });
                for batch in fetched {
                    let (start, end, blocks) = batch?;
                    if blocks.len() as u64 != end - start + 1 {
                        return Err(DaemonError::Invalid(format!("asked for blocks {start}..={end}, got {}", blocks.len())).into());
                    }
                    // The first block must follow the last one we kept; if not, the chain
                    // moved under us between two requests.
                    if start > 0 {
                        if let Some(prev) = self.store.block_hash(start - 1)? {
                            if blocks[0].block.header.previous != prev {
                                return Ok(Some(self.find_fork(daemon, start)?.unwrap_or(start.saturating_sub(1))));
                            }
                        }
                    }
                    for (c, chunk) in blocks.chunks(SCAN_CHUNK).enumerate() {
                        let chunk_start = start + (c * SCAN_CHUNK) as u64;
                        let mut scanned = scanner.scan_blocks(chunk, chunk_start);
                        // Outputs near the lookahead's edge widen it. A block is scanned again
                        // only if an output of it that passed the view tag is now in the table.
                        loop {
                            let mut grew = false;
                            for r in scanned.iter().flat_map(|b| &b.received) {
                                grew |= scanner.grow_for(r.subaddress);
                            }
                            let again: Vec<usize> = if grew { (0..scanned.len()).filter(|&i| scanner.recognises_a_miss(&scanned[i])).collect() } else { Vec::new() };
                            if again.is_empty() {
                                break;
                            }
                            for i in again {
                                scanned[i] = scanner.scan_block(&chunk[i], chunk_start + i as u64);
                            }
                        }
                        let table = scanner.take_grown().then(|| scanner.saved_table());
                        let added = self.store.apply(&scanned, scanner.minors(), table.as_deref())?;
                        self.store.resolve_pending_key_images()?;
                        report.outputs_found += added;
                        scanned_blocks += chunk.len() as u64;
                        next = chunk_start + chunk.len() as u64;
                        let secs = started.elapsed().as_secs_f64().max(1e-3);
                        progress(SyncProgress { height: next, daemon_height, blocks_per_second: scanned_blocks as f64 / secs, outputs_found: report.outputs_found });
                        if stop.load(std::sync::atomic::Ordering::Relaxed) && next < daemon_height {
                            // Dropping the channel ends the fetcher at its next send.
                            report.stopped = true;
                            return Ok(None);
                        }
                    }
                }
                Ok(None)
            })?;
            if report.stopped {
                report.to = next;
                return Ok(report);
            }
            if let Some(fork) = outcome {
                let removed = self.store.rollback(fork)?;
                report.rolled_back = Some((fork, removed));
                next = fork;
            }
        }
        report.to = next;
        self.scan_pool(daemon, &scanner, &mut report)?;
        self.update_history(daemon)?;
        Ok(report)
    }

    /// The first height whose stored hash the daemon no longer agrees with, if any.
    fn find_fork(&self, daemon: &Daemon, next: u64) -> Result<Option<u64>, WalletError> {
        let Some(oldest) = self.store.oldest_kept()? else { return Ok(None) };
        let daemon_height = daemon.height()?;
        let mut h = next.min(daemon_height);
        // Walk back from the top of what we hold to the newest block both agree on.
        let mut fork = None;
        while h > oldest {
            let prev = h - 1;
            match self.store.block_hash(prev)? {
                Some(ours) if prev < daemon_height && daemon.block_hash(prev)? == ours => break,
                Some(_) => {
                    fork = Some(prev);
                    h = prev;
                }
                None => break,
            }
        }
        if next > daemon_height && fork.is_none() {
            // The daemon is shorter than what we scanned: everything above its top is gone.
            fork = Some(daemon_height);
        }
        Ok(fork)
    }

    /// Pool: spends of our key images (marked "in pool") and payments to us (reported).
    fn scan_pool(&mut self, daemon: &Daemon, scanner: &ViewScanner, report: &mut SyncReport) -> Result<(), WalletError> {
        let pool = daemon.pool()?;
        let ours: HashMap<[u8; 32], u64> = self.store.transfers()?.iter().filter_map(|t| Some((t.key_image?, t.idx))).collect();
        let mut spent_in_pool = Vec::new();
        for (hash, tx) in &pool {
            for input in &tx.prefix().inputs {
                if let Input::ToKey { key_image, .. } = input {
                    if ours.contains_key(&key_image.to_bytes()) {
                        spent_in_pool.push(key_image.to_bytes());
                    }
                }
            }
            let received: Vec<Received> = scanner.scan_transaction(tx, *hash, 0, 0);
            let amount: u64 = received.iter().map(|r| r.amount).sum();
            if !received.is_empty() {
                report.pool_incoming.push((*hash, amount));
            }
        }
        // Marks only: a spend leaves "in pool" when a block records it. One that vanishes
        // from the pool stays marked until key images are imported again (which asks the
        // daemon afresh), the safe side for a wallet that must not build a double spend.
        self.store.mark_pool_spent(&spent_in_pool)?;
        Ok(())
    }

    fn update_history(&self, daemon: &Daemon) -> Result<(), WalletError> {
        for h in self.store.history()? {
            let Ok(hash) = hex::decode(&h.tx_hash) else { continue };
            let Ok(hash) = <[u8; 32]>::try_from(hash) else { continue };
            if let Some(state) = daemon.transaction_state(&hash)? {
                self.store.set_history_height(&h.tx_hash, state)?;
            }
        }
        Ok(())
    }

    /// wallet2's `is_transfer_unlocked` at a chain height (the number of blocks).
    pub fn is_unlocked(r: &Received, chain_height: u64) -> bool {
        if r.height + SPENDABLE_AGE > chain_height {
            return false;
        }
        match r.unlock_time {
            0 => true,
            // wallet2: top block (height - 1) + the allowed delta of 1 >= unlock height.
            t if t < MAX_BLOCK_NUMBER => chain_height >= t,
            t => now() + 1 >= t,
        }
    }

    /// The balance as of the last sync (`chain_height` is the height it reached).
    pub fn balance(&self) -> Result<Balance, WalletError> {
        let chain_height = self.store.next_height(self.restore_height)?;
        let transfers = self.store.transfers()?;
        let unspent = transfers.iter().filter(|t| t.spent == Spent::No);
        let balance = unspent.clone().map(|t| t.received.amount).sum();
        let unlocked = unspent.filter(|t| Self::is_unlocked(&t.received, chain_height)).map(|t| t.received.amount).sum();
        let key_images_known = transfers.iter().all(|t| t.key_image.is_some());
        Ok(Balance { balance, unlocked, key_images_known, outputs: transfers.len() })
    }

    /// The address of (account, index) of this wallet.
    pub fn subaddress(&self, account: u32, index: u32) -> Result<String, WalletError> {
        let (spend, view) = self.subaddress_keys(account, index)?;
        format_address(self.network, (account, index) != (0, 0), &spend, &view).ok_or_else(|| refused("cannot format the address"))
    }

    fn subaddress_keys(&self, account: u32, index: u32) -> Result<([u8; 32], [u8; 32]), WalletError> {
        if (account, index) == (0, 0) {
            return Ok((self.spend_public, self.view_public));
        }
        let view = Scalar::from_canonical_bytes(*self.view_secret()?).into_option().ok_or_else(|| refused("view key"))?;
        let b = CompressedEdwardsY(self.spend_public).decompress().ok_or_else(|| refused("spend key"))?;
        let d = subaddress_spend_public_from(&b, &view, account, index);
        Ok((d.compress().to_bytes(), (view * d).compress().to_bytes()))
    }

    fn export_list(&self, transfers: &[Transfer], format: FileFormat) -> OutputList {
        let outputs = transfers
            .iter()
            .map(|t| {
                let spent = t.spent != Spent::No;
                // wallet2's flags: spent, frozen, rct, key image known, requested, partial.
                let flags = (spent as u8) | 1 << 2 | ((t.key_image.is_some() as u8) << 3);
                ExportedOutput {
                    pubkey: t.received.out_key,
                    internal_output_index: t.received.internal_index,
                    global_output_index: t.received.global_index,
                    tx_pubkey: t.received.tx_pubkey,
                    flags,
                    amount: t.received.amount,
                    additional_tx_keys: t.received.additional_keys.clone(),
                    subaddress: (format == FileFormat::Current).then_some(t.received.subaddress),
                }
            })
            .collect();
        OutputList { offset: 0, total: (format == FileFormat::Current).then_some(transfers.len() as u64), outputs }
    }

    /// wallet2's outputs file, from index 0 (a partial export is what makes cold wallets
    /// fail with "Imported outputs omit more outputs that we know of").
    pub fn export_outputs(&self, format: FileFormat) -> Result<Vec<u8>, WalletError> {
        let transfers = self.store.transfers()?;
        let export = OutputsExport { spend_public: self.spend_public, view_public: self.view_public, list: self.export_list(&transfers, format) };
        seal(FileKind::Outputs, &write_outputs_export(&export), self.view_secret()?).map_err(|e| refused(e.to_string()))
    }

    /// A signed key image file from the offline side: each signature checked against the
    /// output key it claims, as wallet2 checks it, then the daemon asked which are spent.
    pub fn import_key_images(&mut self, file: &[u8], daemon: &Daemon) -> Result<KeyImageReport, WalletError> {
        let plain = open(FileKind::KeyImages, file, self.view_secret()?).map_err(|e| WalletError::Malformed(e.to_string()))?;
        let ki = parse_key_images(&plain).map_err(|e| WalletError::Malformed(e.to_string()))?;
        if (ki.spend_public, ki.view_public) != (self.spend_public, self.view_public) {
            return Err(refused("this key image file belongs to another wallet"));
        }
        let transfers = self.store.transfers()?;
        let offset = ki.offset as usize;
        if offset + ki.signed.len() > transfers.len() {
            return Err(refused(format!(
                "the file has key images for outputs {}..{} but this wallet knows {} outputs: sync, or export the outputs again",
                offset,
                offset + ki.signed.len(),
                transfers.len()
            )));
        }
        for (i, (image, sig)) in ki.signed.iter().enumerate() {
            let t = &transfers[offset + i];
            if !check_key_image_signature(&t.received.out_key, image, sig) {
                return Err(refused(format!(
                    "key image {} does not prove output {} (tx {}): the file is not from this wallet's keys or was altered",
                    hex::encode(image),
                    offset + i,
                    hex::encode(t.received.tx_hash)
                )));
            }
        }
        let images: Vec<[u8; 32]> = ki.signed.iter().map(|(k, _)| *k).collect();
        let states = daemon.key_images_spent(&images)?;
        let height = daemon.height()?;
        let mut rows = Vec::with_capacity(images.len());
        let (mut spent, mut unspent) = (0, 0);
        for (i, (image, state)) in images.iter().zip(&states).enumerate() {
            let t = &transfers[offset + i];
            let s = match state {
                KeyImageState::Unspent => Spent::No,
                KeyImageState::SpentInPool => Spent::InPool,
                KeyImageState::SpentInChain => match t.spent {
                    Spent::InChain(h) => Spent::InChain(h),
                    _ => Spent::InChain(0),
                },
            };
            if s == Spent::No {
                unspent += t.received.amount;
            } else {
                spent += t.received.amount;
            }
            rows.push((*image, s));
        }
        self.store.set_key_images(ki.offset as u64, &rows)?;
        Ok(KeyImageReport { imported: rows.len(), spent, unspent, height })
    }

    /// Builds one transaction as wallet2's unsigned set file.
    pub fn transfer(&self, daemon: &Daemon, req: &TransferRequest) -> Result<(Vec<u8>, TransferSummary), WalletError> {
        let view_secret = self.view_secret()?;
        let chain_height = daemon.height()?;
        if self.store.next_height(self.restore_height)? + 1 < chain_height {
            return Err(refused("the wallet is behind the daemon: sync first"));
        }
        let (per_byte, mask) = daemon.fee_per_byte(req.priority)?;

        // Destinations, checked: network, form, one payment id at most.
        let (targets, sweep_to): (Vec<(String, u64)>, Option<String>) = match &req.sweep {
            Sweep::No => (req.destinations.clone(), None),
            Sweep::All(a) | Sweep::One(_, a) => (vec![(a.clone(), 0)], Some(a.clone())),
        };
        if targets.is_empty() {
            return Err(refused("no destination"));
        }
        if targets.len() > 15 {
            return Err(refused("at most 15 destinations fit one transaction (16 outputs with change)"));
        }
        let mut payment_id = None;
        let mut dests = Vec::with_capacity(targets.len());
        for (text, amount) in &targets {
            let (parsed, pid) = parse_destination(text).ok_or_else(|| refused(format!("'{text}' is not a Monero address (its checksum or form is wrong)")))?;
            if parsed.network != self.network {
                return Err(refused(format!("'{text}' is a {} address; this wallet is on {}", parsed.network.name(), self.network.name())));
            }
            if pid.is_some() {
                if payment_id.is_some() || targets.len() > 1 {
                    return Err(refused("an integrated address must be the only destination (one payment id per transaction)"));
                }
                payment_id = pid;
            }
            if sweep_to.is_none() && *amount == 0 {
                return Err(refused(format!("amount 0 to {text}")));
            }
            dests.push(Destination {
                original: text.trim().as_bytes().to_vec(),
                amount: *amount,
                spend: parsed.spend,
                view: parsed.view,
                is_subaddress: parsed.is_subaddress,
                is_integrated: pid.is_some(),
            });
        }

        // Spendable outputs of the account.
        let transfers = self.store.transfers()?;
        let spendable: Vec<&Transfer> = transfers.iter().filter(|t| t.spent == Spent::No && t.received.subaddress.0 == req.account && Self::is_unlocked(&t.received, chain_height)).collect();
        let chosen: Vec<&Transfer> = match &req.sweep {
            Sweep::All(_) => spendable.clone(),
            Sweep::One(idx, _) => {
                let t = transfers.get(*idx as usize).ok_or_else(|| refused(format!("no output {idx}")))?;
                if !spendable.iter().any(|s| s.idx == *idx) {
                    return Err(refused(format!("output {idx} is spent, locked, or in another account")));
                }
                vec![t]
            }
            Sweep::No => Vec::new(),
        };
        if chosen.is_empty() && req.sweep != Sweep::No {
            return Err(refused(format!("account {} has no unlocked outputs", req.account)));
        }
        let (change_spend, change_view) = self.subaddress_keys(req.account, 0)?;
        let change_address = Destination { original: Vec::new(), amount: 0, spend: change_spend, view: change_view, is_subaddress: req.account != 0, is_integrated: false };
        let wanted: u64 = dests.iter().map(|d| d.amount).sum();
        let outputs = if req.sweep == Sweep::No { dests.len() + 1 } else { 2 };
        let extra_len = signed_extra_len(&dests, &change_address, payment_id.is_some(), outputs);

        // Input selection as wallet2's (see `select`), against a fee estimated with two bytes
        // per ring offset (an upper bound: the exact fee, once rings are drawn, is lower).
        let estimate = |n: usize| fee_for(&vec![vec![0x3fffu64; RING_SIZE as usize]; n], outputs, extra_len, per_byte, mask);
        let estimated_weight = |n: usize| build::tx_weight(&vec![vec![0x3fffu64; RING_SIZE as usize]; n], outputs, extra_len, estimate(n));
        let candidates: Vec<select::Candidate> = spendable
            .iter()
            .map(|t| select::Candidate { idx: t.idx, amount: t.received.amount, height: t.received.height, tx_hash: t.received.tx_hash, minor: t.received.subaddress.1 })
            .collect();
        // Each transaction: its inputs, and (for a transfer) what it pays to each destination.
        let groups: Vec<(Vec<&Transfer>, Vec<(usize, u64)>)> = match &req.sweep {
            Sweep::No => {
                // A transfer that needs more inputs than one transaction holds is paid by
                // several (wallet2's create_transactions_2): their fees are counted when
                // choosing, and the destinations are paid in order across them.
                let per_tx = (1..=4096).take_while(|&n| estimated_weight(n) <= self.max_tx_weight).last().ok_or_else(|| refused("not even one input fits the weight limit"))?;
                let split_fee = |n: usize| (n / per_tx) as u64 * estimate(per_tx) + if n % per_tx > 0 { estimate(n % per_tx) } else { 0 };
                let Some(picked) = select::choose(&candidates, wanted, &split_fee, &mut select::os_pick) else {
                    let unlocked: u64 = spendable.iter().map(|t| t.received.amount).sum();
                    return Err(refused(format!(
                        "not enough unlocked money in account {}: {} XMR unlocked, {} XMR asked plus the fee",
                        req.account,
                        crate::chain::monero::review::format_xmr(unlocked),
                        crate::chain::monero::review::format_xmr(wanted)
                    )));
                };
                let inputs: Vec<Vec<&Transfer>> = picked.chunks(per_tx).map(|c| c.iter().map(|&i| spendable[i]).collect()).collect();
                let budgets: Vec<(u64, u64)> = inputs.iter().map(|g| (g.iter().map(|t| t.received.amount).sum(), estimate(g.len()))).collect();
                let amounts: Vec<u64> = dests.iter().map(|d| d.amount).collect();
                let paid = select::allocate(&budgets, &amounts).ok_or_else(|| refused("the chosen inputs do not cover the transfer and the fees of the transactions it takes; send a little less"))?;
                inputs.into_iter().zip(paid).collect()
            }
            Sweep::One(..) => vec![(chosen, Vec::new())],
            Sweep::All(_) => {
                let fits = |n: usize| estimated_weight(n) <= self.max_tx_weight;
                select::split_sweep(&candidates, &fits, &mut select::os_pick).into_iter().map(|g| (g.into_iter().map(|i| spendable[i]).collect(), Vec::new())).collect()
            }
        };

        let top_block = chain_height - 1;
        let mut txes = Vec::with_capacity(groups.len());
        let mut summary = TransferSummary { transactions: groups.len(), inputs: Vec::new(), input_total: 0, destinations: Vec::new(), change: 0, fee: 0, weight: 0 };
        for (mut group, pays) in groups {
            group.sort_by_key(|t| t.idx);
            let input_total: u64 = group.iter().map(|t| t.received.amount).sum();
            // This transaction's destinations: for a transfer, the part it pays.
            let mut tx_dests: Vec<Destination> = if req.sweep == Sweep::No {
                pays.iter().map(|&(d, amount)| Destination { amount, ..dests[d].clone() }).collect()
            } else {
                dests.clone()
            };
            let (outputs, extra_len) = if req.sweep == Sweep::No { (tx_dests.len() + 1, signed_extra_len(&tx_dests, &change_address, payment_id.is_some(), tx_dests.len() + 1)) } else { (outputs, extra_len) };
            let tx_wanted: u64 = tx_dests.iter().map(|d| d.amount).sum();
            // Rings.
            let mut sources = Vec::with_capacity(group.len());
            for t in &group {
                if build::commitment_of(&t.received).is_none() {
                    return Err(WalletError::Store(StoreError::Damaged(format!("transfer {}: mask", t.idx))));
                }
                let (ring, real) = build::ring_for(daemon.rpc(), top_block, &t.received).map_err(refused)?;
                sources.push(build::source(&t.received, ring, real));
            }
            let rings: Vec<Vec<u64>> = sources.iter().map(|s| build::offsets(&s.ring)).collect();
            let fee = fee_for(&rings, outputs, extra_len, per_byte, mask);
            let weight = build::tx_weight(&rings, outputs, extra_len, fee);
            let mut change = change_address.clone();
            if req.sweep == Sweep::No {
                change.amount = input_total.checked_sub(tx_wanted.saturating_add(fee)).ok_or_else(|| refused("the exact fee exceeds what the chosen inputs cover; try again (new rings) or send a little less"))?;
            } else {
                tx_dests[0].amount = input_total.checked_sub(fee).filter(|a| *a > 0).ok_or_else(|| refused("the outputs swept do not cover the fee"))?;
            }
            if change.amount == 0 {
                change = build::dummy_change().map_err(refused)?;
            }
            let indices: Vec<u32> = group.iter().map(|t| t.received.subaddress.1).collect();
            let selected: Vec<u64> = group.iter().map(|t| t.idx).collect();
            summary.inputs.extend(&selected);
            summary.input_total += input_total;
            summary.destinations.extend(tx_dests.iter().map(|d| (String::from_utf8_lossy(&d.original).into_owned(), d.amount)));
            summary.change += change.amount;
            summary.fee += fee;
            summary.weight += weight;
            txes.push(build::construction_data(sources, selected, tx_dests, change, payment_id, req.account, indices));
        }
        let set = UnsignedTxSet { version: if req.format == FileFormat::Current { 2 } else { 1 }, txes, transfers: self.export_list(&transfers, req.format) };
        let file = seal(FileKind::UnsignedTxSet, &write_unsigned(&set), view_secret).map_err(|e| refused(e.to_string()))?;
        Ok((file, summary))
    }

    /// What a signed set will broadcast, read with the view key.
    pub fn describe_signed(&self, file: &[u8]) -> Result<Vec<Outgoing>, WalletError> {
        let plain = open(FileKind::SignedTxSet, file, self.view_secret()?).map_err(|e| WalletError::Malformed(e.to_string()))?;
        let set = parse_signed(&plain, read_transaction).map_err(|e| WalletError::Malformed(e.to_string()))?;
        set.ptx
            .iter()
            .map(|p| {
                let tx = Transaction::<NotPruned>::read(&mut p.tx.as_slice()).map_err(|e| WalletError::Malformed(e.to_string()))?;
                Ok(Outgoing {
                    tx_hash: hex::encode(tx.hash()),
                    fee: p.fee,
                    destinations: p.construction_data.dests.iter().map(|d| (String::from_utf8_lossy(&d.original).into_owned(), d.amount)).collect(),
                    inputs: p.selected_transfers.clone(),
                })
            })
            .collect()
    }

    /// Imports the signed set's key images, broadcasts each transaction, checks the daemon
    /// has it, and records it. A transaction the daemon refuses changes nothing.
    pub fn submit(&mut self, daemon: &Daemon, file: &[u8]) -> Result<Vec<String>, WalletError> {
        let plain = open(FileKind::SignedTxSet, file, self.view_secret()?).map_err(|e| WalletError::Malformed(e.to_string()))?;
        let set = parse_signed(&plain, read_transaction).map_err(|e| WalletError::Malformed(e.to_string()))?;
        let transfers = self.store.transfers()?;
        if set.key_images.len() > transfers.len() {
            return Err(refused(format!("the signed set knows {} outputs, this wallet {}: it was made for another wallet or a newer export", set.key_images.len(), transfers.len())));
        }
        // The set's key images cover our outputs 0..n; a known image that differs means the
        // set is for another wallet (or the outputs were re-ordered by a rescan elsewhere).
        let mut images = Vec::new();
        for (i, ki) in set.key_images.iter().enumerate() {
            if *ki == [0u8; 32] {
                continue;
            }
            match transfers[i].key_image {
                Some(known) if known != *ki => return Err(refused(format!("the signed set's key image for output {i} differs from the one this wallet has"))),
                _ => images.push((i as u64, *ki)),
            }
        }
        let by_image: HashMap<[u8; 32], u64> = transfers.iter().filter_map(|t| Some((t.key_image?, t.idx))).chain(images.iter().map(|(i, k)| (*k, *i))).collect();
        let mut hashes = Vec::new();
        for p in &set.ptx {
            let tx = Transaction::<NotPruned>::read(&mut p.tx.as_slice()).map_err(|e| WalletError::Malformed(e.to_string()))?;
            let hash = tx.hash();
            // Which of our outputs it spends: from its inputs' key images where known.
            let mut spends: Vec<u64> = tx
                .prefix()
                .inputs
                .iter()
                .filter_map(|i| match i {
                    Input::ToKey { key_image, .. } => by_image.get(&key_image.to_bytes()).copied(),
                    Input::Gen(_) => None,
                })
                .collect();
            if spends.is_empty() {
                spends = p.selected_transfers.clone();
            }
            super::broadcast(daemon.url(), &p.tx).map_err(refused)?;
            match daemon.transaction_state(&hash)? {
                Some(_) => {}
                None => return Err(refused(format!("monerod accepted {} but does not have it in its pool", hex::encode(hash)))),
            }
            let change_keys = (p.change.spend, p.change.view);
            let destinations: Vec<(String, u64)> =
                p.construction_data.dests.iter().filter(|d| (d.spend, d.view) != change_keys || d.amount == 0).map(|d| (String::from_utf8_lossy(&d.original).into_owned(), d.amount)).collect();
            let entry = HistoryEntry { tx_hash: hex::encode(hash), submitted_at: now(), fee: p.fee, amount: destinations.iter().map(|d| d.1).sum(), destinations, height: None };
            self.store.record_broadcast(&entry, &spends, &images)?;
            hashes.push(entry.tx_hash);
        }
        self.store.add_pending_key_images(&set.tx_key_images)?;
        Ok(hashes)
    }

    pub fn history(&self) -> Result<Vec<HistoryEntry>, WalletError> {
        Ok(self.store.history()?)
    }
}
