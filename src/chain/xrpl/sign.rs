//! Signing as rippled and xrpl.js do: single signatures (STX\0 prefix), multi-signatures
//! (SMT\0 + signer), combining, verification, and transaction hashes (TXN\0).

use super::address;
use super::codec::{self, CodecError, PREFIX_TX_ID};
use super::keys::{account_id, sha512_half, KeyPair, KeyType};
use super::validate::{self, ValidationError};
use k256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use serde_json::{json, Map, Value};

/// rippled adds this to Flags when the caller leaves Flags out.
pub const TF_FULLY_CANONICAL_SIG: u32 = 0x8000_0000;

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error(transparent)]
    Codec(#[from] CodecError),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("the transactions to combine differ in more than their signatures")]
    DifferentTransactions,
    #[error("nothing to combine")]
    NothingToCombine,
    #[error("signer {0} appears twice")]
    DuplicateSigner(String),
    #[error("signing failed")]
    Signing,
}

/// What rippled's `sign` returns.
#[derive(Debug, serde::Serialize)]
pub struct Signed {
    pub tx_blob: String,
    pub hash: String,
    pub tx_json: Value,
}

/// Single-signs `tx` (rippled's `sign`): fills SigningPubKey, adds tfFullyCanonicalSig when
/// Flags is absent (never drops a flag the caller set), validates, signs, hashes.
pub fn sign(tx: &Value, keys: &KeyPair) -> Result<Signed, SignError> {
    let mut tx = tx.as_object().cloned().ok_or(CodecError::NotAnObject)?;
    validate::no_signatures(&tx)?;
    tx.insert("SigningPubKey".into(), Value::String(hex::encode_upper(keys.public_key())));
    tx.entry("Flags").or_insert(json!(TF_FULLY_CANONICAL_SIG));
    let mut tx = Value::Object(tx);
    validate::transaction(&tx)?;
    let signature = sign_bytes(&codec::encode_for_signing(&tx)?, keys)?;
    tx["TxnSignature"] = Value::String(hex::encode_upper(signature));
    finish(tx)
}

/// Multi-signs for `account` (rippled's `sign_for`, xrpl.js `sign(tx, true)`): the result
/// carries one Signer and an empty SigningPubKey.
pub fn sign_for(tx: &Value, keys: &KeyPair, account: &[u8; 20]) -> Result<Signed, SignError> {
    let mut tx = tx.as_object().cloned().ok_or(CodecError::NotAnObject)?;
    if tx.contains_key("TxnSignature") {
        return Err(ValidationError::AlreadySigned.into());
    }
    tx.insert("SigningPubKey".into(), Value::String(String::new()));
    tx.remove("Signers");
    let tx_unsigned = Value::Object(tx.clone());
    validate::transaction(&tx_unsigned)?;
    let signature = sign_bytes(&codec::encode_for_multisigning(&tx_unsigned, account)?, keys)?;
    let signer = json!({ "Signer": {
        "Account": address::encode_account_id(account),
        "SigningPubKey": hex::encode_upper(keys.public_key()),
        "TxnSignature": hex::encode_upper(signature),
    }});
    tx.insert("Signers".into(), Value::Array(vec![signer]));
    finish(Value::Object(tx))
}

/// Combines multi-signed copies of one transaction (xrpl.js `multisign`): Signers merged
/// and sorted by AccountID.
pub fn combine(signed: &[Value]) -> Result<Signed, SignError> {
    let first = signed.first().ok_or(SignError::NothingToCombine)?;
    let without_signers = |v: &Value| -> Result<Map<String, Value>, SignError> {
        let mut o = v.as_object().cloned().ok_or(CodecError::NotAnObject)?;
        o.remove("Signers");
        Ok(o)
    };
    let base = without_signers(first)?;
    let mut signers: Vec<([u8; 20], Value)> = Vec::new();
    for tx in signed {
        if without_signers(tx)? != base {
            return Err(SignError::DifferentTransactions);
        }
        for s in tx.get("Signers").and_then(Value::as_array).into_iter().flatten() {
            let acct = s.pointer("/Signer/Account").and_then(Value::as_str).unwrap_or_default();
            let id = address::decode_account_id(acct).map_err(|_| CodecError::Invalid { field: "Signers".into(), reason: "bad Signer Account" })?;
            if signers.iter().any(|(a, _)| *a == id) {
                return Err(SignError::DuplicateSigner(acct.to_owned()));
            }
            signers.push((id, s.clone()));
        }
    }
    // rippled requires Signers sorted by AccountID as a 160-bit number.
    signers.sort_by_key(|s| s.0);
    let mut tx = base;
    tx.insert("Signers".into(), Value::Array(signers.into_iter().map(|(_, s)| s).collect()));
    finish(Value::Object(tx))
}

fn finish(tx: Value) -> Result<Signed, SignError> {
    let blob = codec::encode(&tx)?;
    Ok(Signed { tx_blob: hex::encode_upper(&blob), hash: transaction_hash(&blob), tx_json: with_hash(tx, &blob) })
}

fn with_hash(mut tx: Value, blob: &[u8]) -> Value {
    tx["hash"] = Value::String(transaction_hash(blob));
    tx
}

/// The transaction ID: SHA-512-half of `TXN\0` + the signed blob.
pub fn transaction_hash(blob: &[u8]) -> String {
    let mut data = PREFIX_TX_ID.to_vec();
    data.extend_from_slice(blob);
    hex::encode_upper(sha512_half(&data).as_ref())
}

/// secp256k1: ECDSA over SHA-512-half, RFC 6979 nonce, low S, DER. Ed25519: the data itself.
pub fn sign_bytes(data: &[u8], keys: &KeyPair) -> Result<Vec<u8>, SignError> {
    match keys.key_type() {
        KeyType::Secp256k1 => {
            let key = k256::ecdsa::SigningKey::from_slice(keys.secret.as_ref()).map_err(|_| SignError::Signing)?;
            let sig: k256::ecdsa::Signature = key.sign_prehash(sha512_half(data).as_ref()).map_err(|_| SignError::Signing)?;
            let sig = sig.normalize_s();
            Ok(sig.to_der().as_bytes().to_vec())
        }
        KeyType::Ed25519 => {
            use ed25519_dalek::Signer;
            let key = ed25519_dalek::SigningKey::from_bytes(&keys.secret);
            Ok(key.sign(data).to_bytes().to_vec())
        }
    }
}

/// Checks one signature over `data` by a 33-byte public key. High-S secp256k1 signatures
/// (malleable) are refused, as rippled does.
pub fn verify_bytes(data: &[u8], signature: &[u8], public_key: &[u8]) -> bool {
    match public_key.first() {
        Some(0xED) if public_key.len() == 33 => {
            let Ok(pk) = <[u8; 32]>::try_from(&public_key[1..]) else { return false };
            let Ok(vk) = ed25519_dalek::VerifyingKey::from_bytes(&pk) else { return false };
            let Ok(sig) = ed25519_dalek::Signature::from_slice(signature) else { return false };
            vk.verify_strict(data, &sig).is_ok()
        }
        Some(0x02 | 0x03) if public_key.len() == 33 => {
            let Ok(vk) = k256::ecdsa::VerifyingKey::from_sec1_bytes(public_key) else { return false };
            let Ok(sig) = k256::ecdsa::Signature::from_der(signature) else { return false };
            if sig.normalize_s() != sig {
                return false;
            }
            vk.verify_prehash(sha512_half(data).as_ref(), &sig).is_ok()
        }
        _ => false,
    }
}

/// Why a signed blob does or does not verify.
#[derive(Debug, PartialEq, Eq)]
pub enum Verification {
    /// Single signature valid; the key's account (master key if it equals `Account`).
    SingleValid { signer: String },
    /// Every Signer's signature valid.
    MultiValid { signers: Vec<String> },
    Invalid(&'static str),
}

/// Verifies the signatures in a signed blob.
pub fn verify_blob(blob: &[u8]) -> Result<Verification, CodecError> {
    let tx = codec::decode(blob)?;
    let pk = hex::decode(tx.get("SigningPubKey").and_then(Value::as_str).unwrap_or_default()).unwrap_or_default();
    if let Some(signers) = tx.get("Signers").and_then(Value::as_array) {
        if !pk.is_empty() {
            return Ok(Verification::Invalid("a multi-signed transaction must have an empty SigningPubKey"));
        }
        let mut accounts = Vec::new();
        let mut previous: Option<[u8; 20]> = None;
        for s in signers {
            let get = |k: &str| s.pointer(&format!("/Signer/{k}")).and_then(Value::as_str).unwrap_or_default();
            let Ok(acct) = address::decode_account_id(get("Account")) else { return Ok(Verification::Invalid("bad Signer Account")) };
            if previous.is_some_and(|p| p >= acct) {
                return Ok(Verification::Invalid("Signers not sorted by AccountID"));
            }
            previous = Some(acct);
            let spk = hex::decode(get("SigningPubKey")).unwrap_or_default();
            let sig = hex::decode(get("TxnSignature")).unwrap_or_default();
            if !verify_bytes(&codec::encode_for_multisigning(&tx, &acct)?, &sig, &spk) {
                return Ok(Verification::Invalid("a Signer's signature does not verify"));
            }
            accounts.push(get("Account").to_owned());
        }
        return Ok(Verification::MultiValid { signers: accounts });
    }
    let sig = hex::decode(tx.get("TxnSignature").and_then(Value::as_str).unwrap_or_default()).unwrap_or_default();
    if sig.is_empty() {
        return Ok(Verification::Invalid("no signature"));
    }
    if verify_bytes(&codec::encode_for_signing(&tx)?, &sig, &pk) {
        Ok(Verification::SingleValid { signer: address::encode_account_id(&account_id(&pk)) })
    } else {
        Ok(Verification::Invalid("the signature does not verify"))
    }
}
