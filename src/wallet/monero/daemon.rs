//! monerod, over its RPC: monero-oxide's daemon client (`get_blocks.bin` in batches, the
//! RingCT output distribution, decoys, the fee estimate) on a blocking ureq transport, and
//! the plain JSON calls it does not offer (key images spent, the pool, a transaction's state).
//!
//! The wallet is single-threaded towards the daemon; monero-oxide's API is async, so its
//! futures are driven by [`block_on`]: with a transport that answers before returning, each
//! future is ready at its first poll.

use monero_daemon_rpc::prelude::*;
use monero_interface::ProvidesUnvalidatedFeeRates;
use monero_oxide::transaction::{Pruned, Transaction};
use serde_json::{json, Value};
use std::future::Future;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("monerod at {url}: {detail}")]
    Unreachable { url: String, detail: String },
    #[error("monerod answered something airsign cannot use: {0}")]
    Invalid(String),
}

/// A POST to monerod, answered in full before returning (the daemon client asks for that).
#[derive(Clone)]
pub struct UreqTransport {
    base: String,
    agent: ureq::Agent,
}

impl UreqTransport {
    fn new(url: &str) -> UreqTransport {
        let agent = ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(120))).http_status_as_error(false).build().into();
        UreqTransport { base: url.trim_end_matches('/').to_owned(), agent }
    }

    fn post_blocking(&self, route: &str, body: &[u8], limit: Option<usize>) -> Result<Vec<u8>, String> {
        let url = format!("{}/{}", self.base, route.trim_start_matches('/'));
        let mut reply = self.agent.post(&url).header("Content-Type", "application/octet-stream").send(body).map_err(|e| e.to_string())?;
        if !reply.status().is_success() {
            return Err(format!("HTTP {} from /{route}", reply.status()));
        }
        // Blocks are unbounded in Monero; the client passes a limit where one is sane.
        let limit = limit.map_or(512 * 1024 * 1024, |l| l as u64);
        reply.body_mut().with_config().limit(limit).read_to_vec().map_err(|e| e.to_string())
    }
}

impl HttpTransport for UreqTransport {
    fn post(&self, route: &str, body: Vec<u8>, response_size_limit: Option<usize>) -> impl Send + Future<Output = Result<Vec<u8>, InterfaceError>> {
        std::future::ready(self.post_blocking(route, &body, response_size_limit).map_err(InterfaceError::InterfaceError))
    }
}

/// Drives a future whose I/O is blocking (so it never waits on a waker) to completion.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::yield_now();
    }
}

/// What monerod says of a key image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyImageState {
    Unspent,
    SpentInChain,
    SpentInPool,
}

/// One connection to monerod.
pub struct Daemon {
    url: String,
    transport: UreqTransport,
    rpc: MoneroDaemon<UreqTransport>,
}

impl Daemon {
    pub fn connect(url: &str) -> Result<Daemon, DaemonError> {
        let transport = UreqTransport::new(url);
        let rpc = block_on(MoneroDaemon::new(transport.clone())).map_err(|e| DaemonError::Unreachable { url: url.to_owned(), detail: e.to_string() })?;
        Ok(Daemon { url: url.to_owned(), transport, rpc })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn rpc(&self) -> &MoneroDaemon<UreqTransport> {
        &self.rpc
    }

    fn unreachable(&self, e: impl std::fmt::Display) -> DaemonError {
        DaemonError::Unreachable { url: self.url.clone(), detail: e.to_string() }
    }

    /// The chain's height: the number of blocks (the top block is `height - 1`).
    pub fn height(&self) -> Result<u64, DaemonError> {
        let top = block_on(self.rpc.latest_block_number()).map_err(|e| self.unreachable(e))?;
        Ok(top as u64 + 1)
    }

    pub fn block_hash(&self, height: u64) -> Result<[u8; 32], DaemonError> {
        let n = usize::try_from(height).map_err(|_| DaemonError::Invalid("height".into()))?;
        block_on(ProvidesBlockchain::block_hash(&self.rpc, n)).map_err(|e| self.unreachable(e))
    }

    /// Blocks `start..=end` with their transactions (pruned) and the global index of each
    /// block's first RingCT output, through `get_blocks.bin`.
    /// Blocks `start..=end`, from `get_blocks.bin` read by [`super::blocks_bin`] (one
    /// request per up to 1,000 blocks); the genesis block, which that route cannot name,
    /// through monero-daemon-rpc. An answer that does not read is an error, not a fallback.
    pub fn scannable_blocks(&self, start: u64, end: u64) -> Result<Vec<ScannableBlock>, DaemonError> {
        let mut out = Vec::new();
        let mut from = start;
        if from == 0 {
            out.extend(self.scannable_blocks_via_library(0, 0)?);
            from = 1;
        }
        while from <= end {
            let answer = self.transport.post_blocking("get_blocks.bin", &super::blocks_bin::request(from, end - from + 1), Some(256 * 1024 * 1024)).map_err(|e| self.unreachable(e))?;
            let blocks = super::blocks_bin::parse(&answer, from, end).map_err(DaemonError::Invalid)?;
            from += blocks.len() as u64;
            out.extend(blocks);
        }
        Ok(out)
    }

    fn scannable_blocks_via_library(&self, start: u64, end: u64) -> Result<Vec<ScannableBlock>, DaemonError> {
        let (s, e) = (usize::try_from(start), usize::try_from(end));
        let (Ok(s), Ok(e)) = (s, e) else { return Err(DaemonError::Invalid("block range".into())) };
        block_on(ProvidesScannableBlocks::contiguous_scannable_blocks(&self.rpc, s..=e)).map_err(|e| self.unreachable(e))
    }

    /// A plain JSON route (`/is_key_image_spent`, `/get_transaction_pool`...).
    fn json(&self, route: &str, body: Value) -> Result<Value, DaemonError> {
        let bytes = self.transport.post_blocking(route, body.to_string().as_bytes(), Some(64 * 1024 * 1024)).map_err(|e| self.unreachable(e))?;
        let v: Value = serde_json::from_slice(&bytes).map_err(|e| DaemonError::Invalid(format!("/{route}: {e}")))?;
        if v["status"] != "OK" {
            return Err(DaemonError::Invalid(format!("/{route}: status {}", v["status"])));
        }
        Ok(v)
    }

    pub fn key_images_spent(&self, key_images: &[[u8; 32]]) -> Result<Vec<KeyImageState>, DaemonError> {
        let mut states = Vec::with_capacity(key_images.len());
        // monerod bounds one request; 1,000 is well inside it.
        for chunk in key_images.chunks(1000) {
            let v = self.json("is_key_image_spent", json!({"key_images": chunk.iter().map(hex::encode).collect::<Vec<_>>()}))?;
            let list = v["spent_status"].as_array().ok_or_else(|| DaemonError::Invalid("no spent_status".into()))?;
            if list.len() != chunk.len() {
                return Err(DaemonError::Invalid(format!("asked about {} key images, told about {}", chunk.len(), list.len())));
            }
            for s in list {
                states.push(match s.as_u64() {
                    Some(0) => KeyImageState::Unspent,
                    Some(1) => KeyImageState::SpentInChain,
                    Some(2) => KeyImageState::SpentInPool,
                    _ => return Err(DaemonError::Invalid(format!("spent status {s}"))),
                });
            }
        }
        Ok(states)
    }

    /// The transactions in the pool (hash, transaction), skipping any that do not parse.
    pub fn pool(&self) -> Result<Vec<([u8; 32], Transaction<Pruned>)>, DaemonError> {
        let v = self.json("get_transaction_pool", json!({}))?;
        let mut out = Vec::new();
        for t in v["transactions"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
            let Some(blob) = t["tx_blob"].as_str().and_then(|b| hex::decode(b).ok()) else { continue };
            let Ok(tx) = Transaction::<monero_oxide::transaction::NotPruned>::read(&mut blob.as_slice()) else { continue };
            out.push((tx.hash(), Transaction::<Pruned>::from(tx)));
        }
        Ok(out)
    }

    /// Whether monerod has the transaction, and where: Some(None) in the pool, Some(Some(h))
    /// in block h, None unknown.
    pub fn transaction_state(&self, hash: &[u8; 32]) -> Result<Option<Option<u64>>, DaemonError> {
        let v = self.json("get_transactions", json!({"txs_hashes": [hex::encode(hash)]}))?;
        let Some(t) = v["txs"].as_array().and_then(|l| l.first()) else { return Ok(None) };
        if t["in_pool"] == true {
            return Ok(Some(None));
        }
        Ok(t["block_height"].as_u64().map(Some))
    }

    /// Fee per byte for a priority (1-4) and the rounding mask, as wallet2 reads them.
    pub fn fee_rate(&self, priority: u32) -> Result<FeeRate, DaemonError> {
        let p = match priority {
            1 => FeePriority::Unimportant,
            2 => FeePriority::Normal,
            3 => FeePriority::Elevated,
            4 => FeePriority::Priority,
            _ => return Err(DaemonError::Invalid(format!("priority {priority} (1-4)"))),
        };
        block_on(ProvidesUnvalidatedFeeRates::fee_rate(&self.rpc, p)).map_err(|e| self.unreachable(format!("{e:?}")))
    }

    /// (fee per byte, quantization mask) for a priority, the two numbers wallet2's fee uses.
    pub fn fee_per_byte(&self, priority: u32) -> Result<(u64, u64), DaemonError> {
        let rate = self.fee_rate(priority)?;
        // monero-oxide keeps the mask private; its serialization is per-weight then mask.
        let bytes = rate.serialize();
        let mask = bytes.get(8..16).and_then(|b| b.try_into().ok()).map_or(1, u64::from_le_bytes);
        Ok((rate.per_weight(), mask))
    }
}
