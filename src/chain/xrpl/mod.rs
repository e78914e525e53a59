//! XRP Ledger: keys, the binary codec, signing. Pure: no I/O, no threads.

pub mod address;
pub mod codec;
pub mod definitions;
pub mod keys;
pub mod rfc1751;
pub mod sign;
pub mod validate;

/// A UInt32 field of a transaction's JSON (as the codec decodes it), if present and in range.
pub fn u32_field(tx: &serde_json::Value, key: &str) -> Option<u32> {
    tx.get(key).and_then(serde_json::Value::as_u64).and_then(|v| u32::try_from(v).ok())
}
