//! XRPL base58check (Ripple's alphabet, 4-byte double-SHA-256 checksum): classic addresses,
//! family seeds and public keys.

use sha2::{Digest, Sha256};

pub const ACCOUNT_ID: &[u8] = &[0x00];
pub const ACCOUNT_PUBLIC_KEY: &[u8] = &[0x23];
pub const FAMILY_SEED: &[u8] = &[0x21];
/// xrpl.js writes Ed25519 seeds with this prefix (`sEd...`).
pub const ED25519_SEED: &[u8] = &[0x01, 0xE1, 0x4B];

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("not base58 in the XRPL alphabet")]
    NotBase58,
    #[error("base58 checksum does not match (a typo?)")]
    BadChecksum,
    #[error("expected {expected}, got a different kind or length of key")]
    WrongKind { expected: &'static str },
}

pub fn encode(prefix: &[u8], payload: &[u8]) -> String {
    let mut data = Vec::with_capacity(prefix.len() + payload.len() + 4);
    data.extend_from_slice(prefix);
    data.extend_from_slice(payload);
    let check = checksum(&data);
    data.extend_from_slice(&check);
    bs58::encode(data).with_alphabet(bs58::Alphabet::RIPPLE).into_string()
}

/// Decodes and checks the checksum; returns prefix and payload together.
pub fn decode(text: &str) -> Result<Vec<u8>, AddressError> {
    let mut data = bs58::decode(text).with_alphabet(bs58::Alphabet::RIPPLE).into_vec().map_err(|_| AddressError::NotBase58)?;
    if data.len() < 5 {
        return Err(AddressError::BadChecksum);
    }
    let body_len = data.len() - 4;
    if checksum(&data[..body_len]) != data[body_len..] {
        return Err(AddressError::BadChecksum);
    }
    data.truncate(body_len);
    Ok(data)
}

/// Decodes `text` expecting `prefix` and `len` payload bytes.
pub fn decode_with(text: &str, prefix: &[u8], len: usize, expected: &'static str) -> Result<Vec<u8>, AddressError> {
    let data = decode(text)?;
    match data.strip_prefix(prefix) {
        Some(payload) if payload.len() == len => Ok(payload.to_vec()),
        _ => Err(AddressError::WrongKind { expected }),
    }
}

pub fn encode_account_id(id: &[u8; 20]) -> String {
    encode(ACCOUNT_ID, id)
}

pub fn decode_account_id(address: &str) -> Result<[u8; 20], AddressError> {
    let v = decode_with(address, ACCOUNT_ID, 20, "a classic address (r...)")?;
    let mut id = [0u8; 20];
    id.copy_from_slice(&v);
    Ok(id)
}

fn checksum(data: &[u8]) -> [u8; 4] {
    let d = Sha256::digest(Sha256::digest(data));
    [d[0], d[1], d[2], d[3]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_round_trip_and_errors() {
        let id = decode_account_id("rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn").unwrap();
        assert_eq!(encode_account_id(&id), "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn");
        assert_eq!(decode_account_id("rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpm"), Err(AddressError::BadChecksum));
        assert_eq!(decode_account_id("0OIl"), Err(AddressError::NotBase58));
        assert!(matches!(decode_account_id("shYHSiJod8CLPTj1SNJ2PdUFj4pFk"), Err(AddressError::WrongKind { .. })));
    }
}
