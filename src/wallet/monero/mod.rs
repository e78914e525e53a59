//! The online side's Monero wallet: view-only, synced from monerod, writing wallet2's
//! files for the offline signer (outputs, unsigned sets) and reading its answers (key
//! images, signed sets). Also the pieces that need no wallet of our own: read a signed set
//! with the view key and broadcast it through monerod (`/send_raw_transaction`).

pub mod blocks_bin;
pub mod build;
pub mod daemon;
pub mod scan;
pub mod select;
pub mod store;
pub mod wallet;

use crate::chain::monero::keys::parse_address;
use crate::chain::monero::sign::read_transaction;
use crate::chain::monero::txset::parse_signed;
use crate::chain::monero::wallet2_file::{open, FileKind};
use monero_oxide::transaction::{NotPruned, Transaction};
use std::time::Duration;
use zeroize::Zeroizing;

/// What the online side keeps of the offline wallet: its address and secret view key.
pub struct ViewOnly {
    pub address: String,
    pub restore_height: u64,
    view_secret: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for ViewOnly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ViewOnly").field("address", &self.address).finish_non_exhaustive()
    }
}

impl ViewOnly {
    /// Reads the view-only export (`{"version":0,"primaryAddress":...,"privateViewKey":...}`).
    pub fn from_json(text: &str) -> Result<ViewOnly, String> {
        let v: serde_json::Value = serde_json::from_str(text.trim()).map_err(|e| format!("not the view-only JSON: {e}"))?;
        if v["version"] != 0 {
            return Err("unknown view-only format version".into());
        }
        let address = v["primaryAddress"].as_str().ok_or("no primaryAddress")?.to_owned();
        let parsed = parse_address(&address).ok_or("primaryAddress is not a Monero address")?;
        let mut view_secret = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(v["privateViewKey"].as_str().ok_or("no privateViewKey")?, view_secret.as_mut()).map_err(|_| "privateViewKey is not 64 hex digits")?;
        if crate::chain::monero::wallet2_file::public_key(&view_secret) != parsed.view {
            return Err("the view key does not belong to this address".into());
        }
        Ok(ViewOnly { address, restore_height: v["restoreHeight"].as_u64().unwrap_or(0), view_secret })
    }

    /// The secret view key, for the online wallet that seals it in its database.
    pub(crate) fn view_secret(&self) -> Zeroizing<[u8; 32]> {
        self.view_secret.clone()
    }

    /// The transactions of a signed set (wallet2 file), each as (hash hex, serialized bytes).
    pub fn signed_transactions(&self, signed_file: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
        let plain = open(FileKind::SignedTxSet, signed_file, &self.view_secret).map_err(|e| e.to_string())?;
        let set = parse_signed(&plain, read_transaction).map_err(|e| e.to_string())?;
        set.ptx
            .into_iter()
            .map(|p| {
                let tx = Transaction::<NotPruned>::read(&mut p.tx.as_slice()).map_err(|e| e.to_string())?;
                Ok((hex::encode(tx.hash()), p.tx))
            })
            .collect()
    }
}

/// Sends one transaction to monerod; Ok when the node has it in its pool (a second send of
/// the same transaction is OK too: the node answers "not relayed", as it already has it).
pub fn broadcast(daemon_url: &str, tx: &[u8]) -> Result<(), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(30))).http_status_as_error(false).build().into();
    let url = format!("{}/send_raw_transaction", daemon_url.trim_end_matches('/'));
    let body = serde_json::json!({"tx_as_hex": hex::encode(tx), "do_not_relay": false});
    let mut reply = agent.post(&url).send_json(&body).map_err(|e| format!("{url}: {e}"))?;
    let v: serde_json::Value = reply.body_mut().read_json().map_err(|e| format!("{url}: {e}"))?;
    if v["status"] == "OK" {
        return Ok(());
    }
    let reasons: Vec<&str> = ["double_spend", "fee_too_low", "invalid_input", "invalid_output", "low_mixin", "overspend", "too_big", "too_few_outputs", "sanity_check_failed", "tx_extra_too_big"]
        .into_iter()
        .filter(|k| v[*k] == true)
        .collect();
    Err(format!("monerod refused the transaction: {} {}", v["status"].as_str().unwrap_or("?"), if reasons.is_empty() { v["reason"].as_str().unwrap_or("").to_owned() } else { reasons.join(", ") }))
}
