//! The XRPL canonical binary format <-> rippled's JSON, driven by `definitions.json`.
//!
//! Strict where ripple-binary-codec is lax: unknown fields, unknown TransactionType,
//! odd-length hex, "XRP" as an issued currency, out-of-range amounts, values that would need
//! rounding, and non-canonical binary (fields out of order, non-canonical amounts) are errors.

mod amount;
mod number;

use super::address;
use super::definitions::{definitions, FieldDef};
use serde_json::{Map, Value};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    #[error("a transaction must be a JSON object")]
    NotAnObject,
    #[error("unknown field '{0}'")]
    UnknownField(String),
    #[error("unknown TransactionType '{0}'")]
    UnknownTransactionType(String),
    #[error("field {field}: {reason}")]
    Invalid { field: String, reason: &'static str },
    #[error("binary data ends inside {0}")]
    Truncated(String),
    #[error("unknown field code (type {type_code}, field {nth}) in binary data")]
    UnknownFieldCode { type_code: u16, nth: u16 },
    #[error("fields out of canonical order or repeated in binary data at {0}")]
    NonCanonicalOrder(String),
    #[error("{0} bytes after the end of the transaction")]
    TrailingBytes(usize),
    #[error("objects nested deeper than {MAX_DEPTH}")]
    TooDeep,
}

pub(crate) fn invalid(field: &str, reason: &'static str) -> CodecError {
    CodecError::Invalid { field: field.to_owned(), reason }
}

const MAX_DEPTH: usize = 16;
const OBJECT_END: u8 = 0xE1;
const ARRAY_END: u8 = 0xF1;
/// Hash prefixes (rippled's HashPrefix).
pub const PREFIX_SIGN: [u8; 4] = *b"STX\0";
pub const PREFIX_MULTISIGN: [u8; 4] = *b"SMT\0";
pub const PREFIX_TX_ID: [u8; 4] = *b"TXN\0";

/// Which fields go into the bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    /// Every serialized field (the blob submitted).
    Full,
    /// Signing fields only (what a signature covers).
    Signing,
}

/// The canonical binary form of a transaction (or any STObject) given as JSON.
pub fn encode(tx: &Value) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::new();
    encode_object(tx.as_object().ok_or(CodecError::NotAnObject)?, Purpose::Full, 0, &mut out)?;
    Ok(out)
}

/// `STX\0` + the signing fields: what a single signature covers.
pub fn encode_for_signing(tx: &Value) -> Result<Vec<u8>, CodecError> {
    let mut out = PREFIX_SIGN.to_vec();
    encode_object(tx.as_object().ok_or(CodecError::NotAnObject)?, Purpose::Signing, 0, &mut out)?;
    Ok(out)
}

/// `SMT\0` + the signing fields + the signer's AccountID: what one multi-signature covers.
pub fn encode_for_multisigning(tx: &Value, signer: &[u8; 20]) -> Result<Vec<u8>, CodecError> {
    let mut out = PREFIX_MULTISIGN.to_vec();
    encode_object(tx.as_object().ok_or(CodecError::NotAnObject)?, Purpose::Signing, 0, &mut out)?;
    out.extend_from_slice(signer);
    Ok(out)
}

/// The JSON form of a binary transaction (or STObject).
pub fn decode(bytes: &[u8]) -> Result<Value, CodecError> {
    let mut r = Reader::new(bytes);
    let obj = decode_object(&mut r, 0, false)?;
    match r.remaining() {
        0 => Ok(Value::Object(obj)),
        n => Err(CodecError::TrailingBytes(n)),
    }
}

fn encode_object(obj: &Map<String, Value>, purpose: Purpose, depth: usize, out: &mut Vec<u8>) -> Result<(), CodecError> {
    if depth > MAX_DEPTH {
        return Err(CodecError::TooDeep);
    }
    let defs = definitions();
    let mut fields: Vec<(&FieldDef, &Value)> = Vec::with_capacity(obj.len());
    for (name, value) in obj {
        let def = defs.field(name).ok_or_else(|| CodecError::UnknownField(name.clone()))?;
        if !def.is_serialized {
            return Err(CodecError::UnknownField(name.clone()));
        }
        if purpose == Purpose::Signing && !def.is_signing {
            continue;
        }
        fields.push((def, value));
    }
    fields.sort_by_key(|(d, _)| d.ordinal());
    let unl_modify = depth == 0 && obj.get("TransactionType").and_then(Value::as_str) == Some("UNLModify");
    for (def, value) in fields {
        write_field_header(def, out);
        if unl_modify && def.name == "Account" {
            // rippled serialises the UNLModify pseudo-transaction's Account as empty;
            // ripple-binary-codec does the same.
            out.push(0);
            continue;
        }
        if def.is_vl_encoded {
            let mut body = Vec::new();
            encode_value(def, value, purpose, depth, &mut body)?;
            write_vl_length(&def.name, body.len(), out)?;
            out.extend_from_slice(&body);
        } else {
            encode_value(def, value, purpose, depth, out)?;
        }
    }
    Ok(())
}

fn encode_value(def: &FieldDef, v: &Value, purpose: Purpose, depth: usize, out: &mut Vec<u8>) -> Result<(), CodecError> {
    let f = def.name.as_str();
    let defs = definitions();
    match def.type_name.as_str() {
        "UInt8" => {
            let n = if f == "TransactionResult" {
                match v {
                    Value::String(s) => defs.result_code(s).ok_or_else(|| invalid(f, "unknown transaction result"))? as i64,
                    _ => int(f, v, 0, 255)?,
                }
            } else {
                int(f, v, 0, 255)?
            };
            out.push(n as u8);
        }
        "UInt16" => {
            let n = match (f, v) {
                ("TransactionType", Value::String(s)) => {
                    defs.transaction_type_code(s).ok_or_else(|| CodecError::UnknownTransactionType(s.clone()))? as i64
                }
                ("LedgerEntryType", Value::String(s)) => {
                    defs.ledger_entry_type_code(s).ok_or_else(|| invalid(f, "unknown ledger entry type"))? as i64
                }
                ("TransactionType", _) => return Err(invalid(f, "TransactionType must be a name")),
                _ => int(f, v, 0, u16::MAX as i64)?,
            };
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        "UInt32" => {
            let n = match (f, v) {
                ("PermissionValue", Value::String(name)) => permission_code(name).ok_or_else(|| invalid(f, "unknown permission"))? as i64,
                _ => int(f, v, 0, u32::MAX as i64)?,
            };
            out.extend_from_slice(&(n as u32).to_be_bytes());
        }
        "Int32" => out.extend_from_slice(&(int(f, v, i32::MIN as i64, i32::MAX as i64)? as i32).to_be_bytes()),
        "UInt64" => {
            let s = v.as_str().ok_or_else(|| invalid(f, "UInt64 must be a string"))?;
            let n = if is_base10_uint64(f) {
                if s.is_empty() || s.len() > 20 || !s.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(invalid(f, "must be a base-10 string"));
                }
                s.parse::<u64>().map_err(|_| invalid(f, "out of range for UInt64"))?
            } else {
                if s.is_empty() || s.len() > 16 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(invalid(f, "must be 1 to 16 hex digits"));
                }
                u64::from_str_radix(s, 16).map_err(|_| invalid(f, "bad hex"))?
            };
            out.extend_from_slice(&n.to_be_bytes());
        }
        "Hash128" => out.extend_from_slice(&fixed_hex(f, Some(v), 16)?),
        "Hash160" => out.extend_from_slice(&fixed_hex(f, Some(v), 20)?),
        "Hash192" => out.extend_from_slice(&fixed_hex(f, Some(v), 24)?),
        "Hash256" => out.extend_from_slice(&fixed_hex(f, Some(v), 32)?),
        "Hash384" => out.extend_from_slice(&fixed_hex(f, Some(v), 48)?),
        "Hash512" => out.extend_from_slice(&fixed_hex(f, Some(v), 64)?),
        "UInt96" => out.extend_from_slice(&fixed_hex(f, Some(v), 12)?),
        "Blob" => out.extend_from_slice(&any_hex(f, v)?),
        "AccountID" => out.extend_from_slice(&amount::account_bytes(f, Some(v))?),
        "Amount" if is_signed_amount(f) => amount::encode_signed_drops(f, v, out)?,
        "Amount" => amount::encode_amount(f, v, out)?,
        "Currency" => out.extend_from_slice(&amount::currency_bytes(f, amount::str_of(f, Some(v))?)?),
        "Issue" => amount::encode_issue(f, v, out)?,
        "Number" => number::encode(f, amount::str_of(f, Some(v))?, out)?,
        "Vector256" => {
            let items = v.as_array().ok_or_else(|| invalid(f, "Vector256 must be an array of hashes"))?;
            for item in items {
                out.extend_from_slice(&fixed_hex(f, Some(item), 32)?);
            }
        }
        "STObject" => {
            encode_object(v.as_object().ok_or_else(|| invalid(f, "must be an object"))?, purpose, depth + 1, out)?;
            out.push(OBJECT_END);
        }
        "STArray" => {
            let items = v.as_array().ok_or_else(|| invalid(f, "must be an array"))?;
            for item in items {
                // Each element is {"InnerField": {...}} with an STObject inner field.
                let wrapper = item.as_object().filter(|o| o.len() == 1).ok_or_else(|| invalid(f, "array elements must be {\"Field\": {...}}"))?;
                let (name, inner) = wrapper.iter().next().ok_or_else(|| invalid(f, "empty array element"))?;
                let inner_def = defs.field(name).ok_or_else(|| CodecError::UnknownField(name.clone()))?;
                if inner_def.type_name != "STObject" {
                    return Err(invalid(f, "array elements must be objects"));
                }
                if purpose == Purpose::Signing && !inner_def.is_signing {
                    continue;
                }
                write_field_header(inner_def, out);
                // The STObject branch adds the element's level, as decoding counts it: one
                // level per array element, not two (fuzzing found a blob that decoded and
                // then failed to encode as "too deep").
                encode_value(inner_def, inner, purpose, depth, out)?;
            }
            out.push(ARRAY_END);
        }
        "PathSet" => encode_path_set(f, v, out)?,
        "XChainBridge" => {
            let o = v.as_object().ok_or_else(|| invalid(f, "XChainBridge must be an object"))?;
            amount::expect_keys(f, o, &["LockingChainDoor", "LockingChainIssue", "IssuingChainDoor", "IssuingChainIssue"])?;
            for (door, issue) in [("LockingChainDoor", "LockingChainIssue"), ("IssuingChainDoor", "IssuingChainIssue")] {
                out.push(20);
                out.extend_from_slice(&amount::account_bytes(f, o.get(door))?);
                amount::encode_issue(f, o.get(issue).unwrap_or(&Value::Null), out)?;
            }
        }
        _ => return Err(invalid(f, "field type not supported by this codec")),
    }
    Ok(())
}

fn decode_object(r: &mut Reader, depth: usize, nested: bool) -> Result<Map<String, Value>, CodecError> {
    if depth > MAX_DEPTH {
        return Err(CodecError::TooDeep);
    }
    let defs = definitions();
    let mut obj = Map::new();
    let mut last: Option<(u16, u16)> = None;
    loop {
        if !nested && r.remaining() == 0 {
            return Ok(obj);
        }
        let (type_code, nth) = r.field_header()?;
        if nested && (type_code, nth) == (14, 1) {
            return Ok(obj);
        }
        let def = defs.field_by_code(type_code, nth).ok_or(CodecError::UnknownFieldCode { type_code, nth })?;
        if last.is_some_and(|l| l >= (type_code, nth)) || !def.is_serialized {
            return Err(CodecError::NonCanonicalOrder(def.name.clone()));
        }
        last = Some((type_code, nth));
        let value = if def.is_vl_encoded {
            let len = r.vl_length(&def.name)?;
            let unl_modify = depth == 0 && def.name == "Account" && obj.get("TransactionType").and_then(Value::as_str) == Some("UNLModify");
            if unl_modify {
                // Written empty, always (see encode_object); anything else is not canonical.
                if len != 0 {
                    return Err(invalid(&def.name, "UNLModify's Account is serialised empty"));
                }
                obj.insert(def.name.clone(), Value::String(address::encode_account_id(&[0u8; 20])));
                continue;
            }
            let body = r.take(len, &def.name)?;
            let mut sub = Reader::new(body);
            let v = decode_value(def, &mut sub, depth)?;
            if sub.remaining() != 0 {
                return Err(invalid(&def.name, "length prefix does not match the value"));
            }
            v
        } else {
            decode_value(def, r, depth)?
        };
        obj.insert(def.name.clone(), value);
    }
}

fn decode_value(def: &FieldDef, r: &mut Reader, depth: usize) -> Result<Value, CodecError> {
    let f = def.name.as_str();
    let defs = definitions();
    Ok(match def.type_name.as_str() {
        "UInt8" => {
            let n = r.take(1, f)?[0];
            match (f, defs.result_name(n as i16)) {
                ("TransactionResult", Some(name)) => Value::String(name.to_owned()),
                _ => Value::from(n),
            }
        }
        "UInt16" => {
            let n = u16::from_be_bytes(r.array::<2>(f)?);
            match f {
                "TransactionType" => Value::String(
                    defs.transaction_type_name(n).ok_or_else(|| CodecError::UnknownTransactionType(n.to_string()))?.to_owned(),
                ),
                "LedgerEntryType" => match defs.ledger_entry_type_name(n) {
                    Some(name) => Value::String(name.to_owned()),
                    None => return Err(invalid(f, "unknown ledger entry type")),
                },
                _ => Value::from(n),
            }
        }
        "UInt32" => {
            let n = u32::from_be_bytes(r.array::<4>(f)?);
            match (f, permission_name(n)) {
                ("PermissionValue", Some(name)) => Value::String(name),
                _ => Value::from(n),
            }
        }
        "Int32" => Value::from(i32::from_be_bytes(r.array::<4>(f)?)),
        "UInt64" => {
            let b = r.array::<8>(f)?;
            if is_base10_uint64(f) { Value::String(u64::from_be_bytes(b).to_string()) } else { Value::String(hex::encode_upper(b)) }
        }
        "Hash128" => Value::String(hex::encode_upper(r.take(16, f)?)),
        "Hash160" => Value::String(hex::encode_upper(r.take(20, f)?)),
        "Hash192" => Value::String(hex::encode_upper(r.take(24, f)?)),
        "Hash256" => Value::String(hex::encode_upper(r.take(32, f)?)),
        "Hash384" => Value::String(hex::encode_upper(r.take(48, f)?)),
        "Hash512" => Value::String(hex::encode_upper(r.take(64, f)?)),
        "UInt96" => Value::String(hex::encode_upper(r.take(12, f)?)),
        "Blob" => Value::String(hex::encode_upper(r.take(r.remaining(), f)?)),
        "AccountID" => {
            if r.remaining() != 20 {
                return Err(invalid(f, "AccountID must be 20 bytes"));
            }
            Value::String(address::encode_account_id(&r.array::<20>(f)?))
        }
        "Amount" if is_signed_amount(f) => amount::decode_signed_drops(f, r)?,
        "Amount" => amount::decode_amount(f, r)?,
        "Currency" => Value::String(amount::decode_currency(f, r)?),
        "Issue" => amount::decode_issue(f, r)?,
        "Number" => Value::String(number::decode(f, r)?),
        "Vector256" => {
            if r.remaining() % 32 != 0 {
                return Err(invalid(f, "Vector256 length is not a multiple of 32"));
            }
            let mut items = Vec::new();
            while r.remaining() > 0 {
                items.push(Value::String(hex::encode_upper(r.take(32, f)?)));
            }
            Value::Array(items)
        }
        "STObject" => Value::Object(decode_object(r, depth + 1, true)?),
        "STArray" => {
            let mut items = Vec::new();
            loop {
                let (type_code, nth) = r.field_header()?;
                if (type_code, nth) == (15, 1) {
                    break;
                }
                let inner = defs.field_by_code(type_code, nth).ok_or(CodecError::UnknownFieldCode { type_code, nth })?;
                if inner.type_name != "STObject" {
                    return Err(invalid(f, "array element is not an object"));
                }
                let mut wrapper = Map::new();
                wrapper.insert(inner.name.clone(), Value::Object(decode_object(r, depth + 1, true)?));
                items.push(Value::Object(wrapper));
            }
            Value::Array(items)
        }
        "PathSet" => decode_path_set(f, r)?,
        "XChainBridge" => {
            let mut o = Map::new();
            for (door, issue) in [("LockingChainDoor", "LockingChainIssue"), ("IssuingChainDoor", "IssuingChainIssue")] {
                if r.take(1, f)?[0] != 20 {
                    return Err(invalid(f, "XChainBridge door must be a 20-byte account"));
                }
                o.insert(door.into(), Value::String(address::encode_account_id(&r.array::<20>(f)?)));
                o.insert(issue.into(), amount::decode_issue(f, r)?);
            }
            Value::Object(o)
        }
        _ => return Err(invalid(f, "field type not supported by this codec")),
    })
}

const PATH_ACCOUNT: u8 = 0x01;
const PATH_CURRENCY: u8 = 0x10;
const PATH_ISSUER: u8 = 0x20;
const PATH_SEPARATOR: u8 = 0xFF;
const PATHSET_END: u8 = 0x00;

fn encode_path_set(f: &str, v: &Value, out: &mut Vec<u8>) -> Result<(), CodecError> {
    let paths = v.as_array().filter(|p| !p.is_empty()).ok_or_else(|| invalid(f, "PathSet must be a non-empty array of paths"))?;
    for (i, path) in paths.iter().enumerate() {
        if i > 0 {
            out.push(PATH_SEPARATOR);
        }
        let steps = path.as_array().filter(|s| !s.is_empty()).ok_or_else(|| invalid(f, "a path must be a non-empty array"))?;
        for step in steps {
            let o = step.as_object().ok_or_else(|| invalid(f, "a path step must be an object"))?;
            // rippled's path_find decorates steps with `type` / `type_hex` (the step's kind
            // as a number): not serialized; ripple-binary-codec ignores them, and so do we.
            let decoration = |k: &str| matches!(k, "type" | "type_hex");
            if o.keys().any(|k| !matches!(k.as_str(), "account" | "currency" | "issuer") && !decoration(k)) || !o.keys().any(|k| !decoration(k)) {
                return Err(invalid(f, "a path step has account, currency and/or issuer only"));
            }
            let mut kind = 0;
            let mut body = Vec::new();
            if let Some(a) = o.get("account") {
                kind |= PATH_ACCOUNT;
                body.extend_from_slice(&amount::account_bytes(f, Some(a))?);
            }
            if let Some(c) = o.get("currency") {
                kind |= PATH_CURRENCY;
                body.extend_from_slice(&amount::currency_bytes(f, amount::str_of(f, Some(c))?)?);
            }
            if let Some(i) = o.get("issuer") {
                kind |= PATH_ISSUER;
                body.extend_from_slice(&amount::account_bytes(f, Some(i))?);
            }
            out.push(kind);
            out.extend_from_slice(&body);
        }
    }
    out.push(PATHSET_END);
    Ok(())
}

fn decode_path_set(f: &str, r: &mut Reader) -> Result<Value, CodecError> {
    let mut paths = Vec::new();
    let mut path = Vec::new();
    loop {
        let kind = r.take(1, f)?[0];
        if kind == PATHSET_END || kind == PATH_SEPARATOR {
            if path.is_empty() {
                return Err(invalid(f, "empty path"));
            }
            paths.push(Value::Array(std::mem::take(&mut path)));
            if kind == PATHSET_END {
                return Ok(Value::Array(paths));
            }
            continue;
        }
        if kind & !(PATH_ACCOUNT | PATH_CURRENCY | PATH_ISSUER) != 0 {
            return Err(invalid(f, "unknown path step type"));
        }
        let mut step = Map::new();
        if kind & PATH_ACCOUNT != 0 {
            step.insert("account".into(), Value::String(address::encode_account_id(&r.array::<20>(f)?)));
        }
        if kind & PATH_CURRENCY != 0 {
            step.insert("currency".into(), Value::String(amount::decode_currency(f, r)?));
        }
        if kind & PATH_ISSUER != 0 {
            step.insert("issuer".into(), Value::String(address::encode_account_id(&r.array::<20>(f)?)));
        }
        path.push(Value::Object(step));
    }
}

/// Amount fields that hold a signed XRP amount (ripple-binary-codec's SignedAmount).
fn is_signed_amount(field: &str) -> bool {
    field == "FeeAmountDelta"
}

/// Delegatable permissions (PermissionValue): granular permissions, as in rippled and
/// ripple-binary-codec 2.11.0 (not in definitions.json), and every transaction type as its
/// code + 1.
const GRANULAR_PERMISSIONS: [(&str, u32); 12] = [
    ("TrustlineAuthorize", 65537),
    ("TrustlineFreeze", 65538),
    ("TrustlineUnfreeze", 65539),
    ("AccountDomainSet", 65540),
    ("AccountEmailHashSet", 65541),
    ("AccountMessageKeySet", 65542),
    ("AccountTransferRateSet", 65543),
    ("AccountTickSizeSet", 65544),
    ("PaymentMint", 65545),
    ("PaymentBurn", 65546),
    ("MPTokenIssuanceLock", 65547),
    ("MPTokenIssuanceUnlock", 65548),
];

fn permission_code(name: &str) -> Option<u32> {
    GRANULAR_PERMISSIONS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| *c)
        .or_else(|| definitions().transaction_type_code(name).map(|c| c as u32 + 1))
}

fn permission_name(code: u32) -> Option<String> {
    if let Some((n, _)) = GRANULAR_PERMISSIONS.iter().find(|(_, c)| *c == code) {
        return Some((*n).to_owned());
    }
    let tx_code = u16::try_from(code.checked_sub(1)?).ok()?;
    definitions().transaction_type_name(tx_code).map(str::to_owned)
}

/// UInt64 fields that ripple-binary-codec writes in base 10 (MPT amounts).
fn is_base10_uint64(field: &str) -> bool {
    matches!(field, "MaximumAmount" | "OutstandingAmount" | "MPTAmount" | "LockedAmount" | "ConfidentialOutstandingAmount")
}

fn int(f: &str, v: &Value, min: i64, max: i64) -> Result<i64, CodecError> {
    let n = v.as_i64().ok_or_else(|| invalid(f, "must be an integer"))?;
    if n < min || n > max {
        return Err(invalid(f, "integer out of range for its type"));
    }
    Ok(n)
}

/// Hex of any even length (Blob).
fn any_hex(f: &str, v: &Value) -> Result<Vec<u8>, CodecError> {
    let s = v.as_str().ok_or_else(|| invalid(f, "must be a hex string"))?;
    hex::decode(s).map_err(|_| invalid(f, "not valid hex (odd length or non-hex character)"))
}

pub(crate) fn fixed_hex(f: &str, v: Option<&Value>, len: usize) -> Result<Vec<u8>, CodecError> {
    let s = v.and_then(Value::as_str).ok_or_else(|| invalid(f, "must be a hex string"))?;
    let b = hex::decode(s).map_err(|_| invalid(f, "not valid hex (odd length or non-hex character)"))?;
    if b.len() != len {
        return Err(invalid(f, "hex has the wrong length for its type"));
    }
    Ok(b)
}

fn write_field_header(def: &FieldDef, out: &mut Vec<u8>) {
    let (t, n) = (def.type_code as u8, def.nth as u8);
    match (t < 16, n < 16) {
        (true, true) => out.push(t << 4 | n),
        (true, false) => out.extend_from_slice(&[t << 4, n]),
        (false, true) => out.extend_from_slice(&[n, t]),
        (false, false) => out.extend_from_slice(&[0, t, n]),
    }
}

fn write_vl_length(f: &str, len: usize, out: &mut Vec<u8>) -> Result<(), CodecError> {
    match len {
        0..=192 => out.push(len as u8),
        193..=12480 => {
            let l = len - 193;
            out.extend_from_slice(&[193 + (l >> 8) as u8, (l & 0xFF) as u8]);
        }
        12481..=918744 => {
            let l = len - 12481;
            out.extend_from_slice(&[241 + (l >> 16) as u8, ((l >> 8) & 0xFF) as u8, (l & 0xFF) as u8]);
        }
        _ => return Err(invalid(f, "value longer than 918744 bytes")),
    }
    Ok(())
}

/// A bounds-checked cursor over untrusted bytes.
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    pub fn peek(&self, what: &str) -> Result<u8, CodecError> {
        self.data.get(self.pos).copied().ok_or_else(|| CodecError::Truncated(what.to_owned()))
    }

    pub fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], CodecError> {
        if self.remaining() < n {
            return Err(CodecError::Truncated(what.to_owned()));
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    pub fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], CodecError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N, what)?);
        Ok(a)
    }

    fn field_header(&mut self) -> Result<(u16, u16), CodecError> {
        let b = self.take(1, "a field header")?[0];
        let mut t = (b >> 4) as u16;
        let mut n = (b & 0x0F) as u16;
        if t == 0 {
            t = self.take(1, "a field header")?[0] as u16;
            if t < 16 {
                return Err(CodecError::NonCanonicalOrder("a field header encoded in more bytes than needed".into()));
            }
        }
        if n == 0 {
            n = self.take(1, "a field header")?[0] as u16;
            if n < 16 {
                return Err(CodecError::NonCanonicalOrder("a field header encoded in more bytes than needed".into()));
            }
        }
        Ok((t, n))
    }

    fn vl_length(&mut self, what: &str) -> Result<usize, CodecError> {
        let b1 = self.take(1, what)?[0] as usize;
        Ok(match b1 {
            0..=192 => b1,
            193..=240 => 193 + ((b1 - 193) << 8) + self.take(1, what)?[0] as usize,
            241..=254 => {
                let b = self.take(2, what)?;
                12481 + ((b1 - 241) << 16) + ((b[0] as usize) << 8) + b[1] as usize
            }
            _ => return Err(invalid(what, "invalid length prefix")),
        })
    }
}
