//! Amount (XRP drops, issued currency, MPT), Currency and Issue.

use super::{invalid, CodecError, Reader};
use crate::chain::xrpl::address;
use serde_json::{json, Map, Value};

const MAX_DROPS: u64 = 100_000_000_000_000_000; // 1e17
const MIN_IOU_EXPONENT: i32 = -96;
const MAX_IOU_EXPONENT: i32 = 80;
const MIN_IOU_MANTISSA: u64 = 1_000_000_000_000_000; // 1e15
const MAX_IOU_MANTISSA: u64 = 9_999_999_999_999_999; // 1e16 - 1
const ISO_CHARS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789?!@#$%^&*(){}[]|";

/// A decimal as sign, significant digits (no leading or trailing zeros) and exponent:
/// value = digits * 10^exponent. Zero has empty digits.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Decimal {
    pub negative: bool,
    pub digits: String,
    pub exponent: i64,
}

impl Decimal {
    /// Parses `-?D+(.D+)?([eE][+-]?D+)?`, as rippled's JSON and ripple-binary-codec write.
    pub fn parse(s: &str) -> Option<Self> {
        let (negative, rest) = match s.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let (mantissa, exp) = match rest.find(['e', 'E']) {
            Some(i) => (&rest[..i], rest[i + 1..].parse::<i64>().ok().filter(|e| e.abs() < 100_000)?),
            None => (rest, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if mantissa.contains('.') && frac.is_empty() {
            return None;
        }
        let all = format!("{int}{frac}");
        let mut exponent = exp - frac.len() as i64;
        let trimmed = all.trim_start_matches('0');
        let digits = trimmed.trim_end_matches('0');
        exponent += (trimmed.len() - digits.len()) as i64;
        if digits.is_empty() {
            return Some(Self { negative: false, digits: String::new(), exponent: 0 });
        }
        Some(Self { negative, digits: digits.to_owned(), exponent })
    }

    /// Formats as ripple-binary-codec writes issued-currency values: bignumber.js
    /// `toString()` with `EXPONENTIAL_AT = [-112, 96]` (the IOU exponent range widened by 16
    /// digits), so every valid IOU value comes out in plain notation.
    pub fn to_bignumber_string(&self) -> String {
        if self.digits.is_empty() {
            return "0".into();
        }
        let sign = if self.negative { "-" } else { "" };
        let d = &self.digits;
        let sci = d.len() as i64 - 1 + self.exponent;
        if sci >= 96 || sci <= -112 {
            let frac = if d.len() > 1 { format!(".{}", &d[1..]) } else { String::new() };
            let esign = if sci >= 0 { "+" } else { "" };
            return format!("{sign}{}{frac}e{esign}{sci}", &d[..1]);
        }
        if self.exponent >= 0 {
            format!("{sign}{d}{}", "0".repeat(self.exponent as usize))
        } else if sci >= 0 {
            let split = (sci + 1) as usize;
            format!("{sign}{}.{}", &d[..split], &d[split..])
        } else {
            format!("{sign}0.{}{d}", "0".repeat((-sci - 1) as usize))
        }
    }
}

pub(super) fn encode_amount(field: &str, v: &Value, out: &mut Vec<u8>) -> Result<(), CodecError> {
    match v {
        Value::String(drops) => {
            // XRP in drops: digits only, no sign, no leading zeros, at most 1e17.
            let ok = !drops.is_empty() && drops.bytes().all(|b| b.is_ascii_digit()) && (drops == "0" || !drops.starts_with('0'));
            let n: u64 = if ok { drops.parse().map_err(|_| invalid(field, "XRP amount out of range"))? } else {
                return Err(invalid(field, "XRP amount must be whole drops: digits only"));
            };
            if n > MAX_DROPS {
                return Err(invalid(field, "XRP amount over 1e17 drops"));
            }
            out.extend_from_slice(&(n | 0x4000_0000_0000_0000).to_be_bytes());
            Ok(())
        }
        Value::Object(o) if o.contains_key("mpt_issuance_id") => {
            expect_keys(field, o, &["mpt_issuance_id", "value"])?;
            let value = str_of(field, o.get("value"))?;
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(field, "MPT value must be a non-negative whole number"));
            }
            let n: u64 = value.parse().map_err(|_| invalid(field, "MPT value out of range"))?;
            if n >= 1 << 63 {
                return Err(invalid(field, "MPT value must be below 2^63"));
            }
            out.push(0x60);
            out.extend_from_slice(&n.to_be_bytes());
            out.extend_from_slice(&super::fixed_hex(field, o.get("mpt_issuance_id"), 24)?);
            Ok(())
        }
        Value::Object(o) => {
            expect_keys(field, o, &["currency", "issuer", "value"])?;
            let currency = str_of(field, o.get("currency"))?;
            if currency == "XRP" {
                return Err(invalid(field, "\"XRP\" is not an issued currency; give XRP as a string of drops"));
            }
            let currency = currency_bytes(field, currency)?;
            if currency == [0u8; 20] {
                return Err(invalid(field, "the all-zero currency code is XRP, not an issued currency"));
            }
            let value = str_of(field, o.get("value"))?;
            let dec = Decimal::parse(value).ok_or_else(|| invalid(field, "issued-currency value is not a decimal number"))?;
            out.extend_from_slice(&iou_value_bytes(field, &dec)?);
            out.extend_from_slice(&currency);
            out.extend_from_slice(&account_bytes(field, o.get("issuer"))?);
            Ok(())
        }
        _ => Err(invalid(field, "Amount must be a string of drops or an object")),
    }
}

/// A signed XRP amount in drops (FeeAmountDelta): the sign bit clear for a negative value.
pub(super) fn encode_signed_drops(field: &str, v: &Value, out: &mut Vec<u8>) -> Result<(), CodecError> {
    let s = v.as_str().ok_or_else(|| invalid(field, "must be a string of XRP drops"))?;
    let (negative, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, s),
    };
    let ok = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && (digits == "0" || !digits.starts_with('0'));
    let n: u64 = if ok { digits.parse().map_err(|_| invalid(field, "XRP amount out of range"))? } else {
        return Err(invalid(field, "must be whole drops: digits only, optionally negative"));
    };
    if n > MAX_DROPS {
        return Err(invalid(field, "XRP amount over 1e17 drops"));
    }
    let bits = if negative && n != 0 { n } else { n | 0x4000_0000_0000_0000 };
    out.extend_from_slice(&bits.to_be_bytes());
    Ok(())
}

pub(super) fn decode_signed_drops(field: &str, r: &mut Reader) -> Result<Value, CodecError> {
    let n = u64::from_be_bytes(r.array::<8>(field)?);
    if n & 0xA000_0000_0000_0000 != 0 {
        return Err(invalid(field, "a signed amount must be XRP"));
    }
    let drops = n & 0x3FFF_FFFF_FFFF_FFFF;
    if drops > MAX_DROPS {
        return Err(invalid(field, "XRP amount over 1e17 drops"));
    }
    let negative = n & 0x4000_0000_0000_0000 == 0;
    if negative && drops == 0 {
        return Err(invalid(field, "negative zero is not canonical"));
    }
    Ok(Value::String(format!("{}{drops}", if negative { "-" } else { "" })))
}

fn iou_value_bytes(field: &str, dec: &Decimal) -> Result<[u8; 8], CodecError> {
    if dec.digits.is_empty() {
        return Ok(0x8000_0000_0000_0000u64.to_be_bytes());
    }
    if dec.digits.len() > 16 {
        return Err(invalid(field, "issued-currency value has more than 16 significant digits"));
    }
    // The canonical mantissa has exactly 16 digits: [1e15, 1e16).
    let pad = 16 - dec.digits.len();
    let mantissa: u64 = format!("{}{}", dec.digits, "0".repeat(pad)).parse().map_err(|_| invalid(field, "bad mantissa"))?;
    let exponent = dec.exponent - pad as i64;
    if exponent < MIN_IOU_EXPONENT as i64 || exponent > MAX_IOU_EXPONENT as i64 {
        return Err(invalid(field, "issued-currency value out of range (exponent -96..80)"));
    }
    let mut bits = 0x8000_0000_0000_0000u64 | mantissa;
    if !dec.negative {
        bits |= 0x4000_0000_0000_0000;
    }
    bits |= ((exponent + 97) as u64) << 54;
    Ok(bits.to_be_bytes())
}

pub(super) fn decode_amount(field: &str, r: &mut Reader) -> Result<Value, CodecError> {
    let first = r.peek(field)?;
    if first & 0x80 == 0 {
        if first & 0x20 != 0 {
            let lead = r.take(1, field)?[0];
            if lead != 0x60 {
                return Err(invalid(field, "MPT amount must be positive"));
            }
            let n = u64::from_be_bytes(r.array::<8>(field)?);
            if n >= 1 << 63 {
                return Err(invalid(field, "MPT value must be below 2^63"));
            }
            let id = r.take(24, field)?;
            return Ok(json!({ "mpt_issuance_id": hex::encode_upper(id), "value": n.to_string() }));
        }
        let n = u64::from_be_bytes(r.array::<8>(field)?);
        if n & 0x4000_0000_0000_0000 == 0 {
            return Err(invalid(field, "negative XRP amount"));
        }
        let drops = n & 0x3FFF_FFFF_FFFF_FFFF;
        if drops > MAX_DROPS {
            return Err(invalid(field, "XRP amount over 1e17 drops"));
        }
        return Ok(Value::String(drops.to_string()));
    }
    let bits = u64::from_be_bytes(r.array::<8>(field)?);
    let currency = decode_currency(field, r)?;
    if currency == "XRP" {
        return Err(invalid(field, "an issued-currency amount cannot use the XRP currency code"));
    }
    let issuer = address::encode_account_id(&r.array::<20>(field)?);
    let mantissa = bits & 0x003F_FFFF_FFFF_FFFF;
    let value = if mantissa == 0 {
        if bits != 0x8000_0000_0000_0000 {
            return Err(invalid(field, "non-canonical zero issued-currency value"));
        }
        "0".to_string()
    } else {
        if !(MIN_IOU_MANTISSA..=MAX_IOU_MANTISSA).contains(&mantissa) {
            return Err(invalid(field, "non-canonical issued-currency mantissa"));
        }
        let exponent = ((bits >> 54) & 0xFF) as i64 - 97;
        if exponent < MIN_IOU_EXPONENT as i64 || exponent > MAX_IOU_EXPONENT as i64 {
            return Err(invalid(field, "issued-currency exponent out of range (-96..80)"));
        }
        let digits = mantissa.to_string();
        let trimmed = digits.trim_end_matches('0');
        let dec = Decimal {
            negative: bits & 0x4000_0000_0000_0000 == 0,
            digits: trimmed.to_owned(),
            exponent: exponent + (digits.len() - trimmed.len()) as i64,
        };
        dec.to_bignumber_string()
    };
    Ok(json!({ "currency": currency, "issuer": issuer, "value": value }))
}

/// A currency code: "XRP" (all zeros), a 3-character ISO-style code, or 40 hex digits.
pub(super) fn currency_bytes(field: &str, code: &str) -> Result<[u8; 20], CodecError> {
    let mut out = [0u8; 20];
    if code == "XRP" {
        return Ok(out);
    }
    if code.len() == 3 {
        if !code.chars().all(|c| ISO_CHARS.contains(c)) {
            return Err(invalid(field, "currency code has characters outside the standard set"));
        }
        out[12..15].copy_from_slice(code.as_bytes());
        return Ok(out);
    }
    if code.len() == 40 {
        let bytes = hex::decode(code).map_err(|_| invalid(field, "currency is not 3 characters or 40 hex digits"))?;
        out.copy_from_slice(&bytes);
        check_currency_layout(field, &out)?;
        return Ok(out);
    }
    Err(invalid(field, "currency is not 3 characters or 40 hex digits"))
}

/// A code whose first byte is 0x00 must be the standard layout (ISO letters in bytes
/// 12-14, zeros elsewhere): rippled gives no other reading to a 0x00-led code.
fn check_currency_layout(field: &str, b: &[u8; 20]) -> Result<(), CodecError> {
    let standard = b[1..12].iter().all(|x| *x == 0) && b[15..].iter().all(|x| *x == 0);
    if b[0] == 0 && !standard {
        return Err(invalid(field, "non-standard currency code starting with 0x00"));
    }
    Ok(())
}

pub(super) fn decode_currency(field: &str, r: &mut Reader) -> Result<String, CodecError> {
    let b = r.array::<20>(field)?;
    check_currency_layout(field, &b)?;
    if b == [0u8; 20] {
        return Ok("XRP".into());
    }
    let standard = b[..12].iter().all(|x| *x == 0) && b[15..].iter().all(|x| *x == 0);
    if standard {
        let iso: String = b[12..15].iter().map(|&c| c as char).collect();
        if iso != "XRP" && iso.chars().all(|c| ISO_CHARS.contains(c)) {
            return Ok(iso);
        }
    }
    Ok(hex::encode_upper(b))
}

/// Issue: XRP, {currency, issuer}, or {mpt_issuance_id} (issuer, the no-account marker,
/// then the sequence little-endian, as rippled writes it).
pub(super) fn encode_issue(field: &str, v: &Value, out: &mut Vec<u8>) -> Result<(), CodecError> {
    let o = v.as_object().ok_or_else(|| invalid(field, "Issue must be an object"))?;
    if let Some(id) = o.get("mpt_issuance_id") {
        expect_keys(field, o, &["mpt_issuance_id"])?;
        let id = super::fixed_hex(field, Some(id), 24)?;
        out.extend_from_slice(&id[4..]);
        out.extend_from_slice(&NO_ACCOUNT);
        let seq = u32::from_be_bytes([id[0], id[1], id[2], id[3]]);
        out.extend_from_slice(&seq.to_le_bytes());
        return Ok(());
    }
    let currency = str_of(field, o.get("currency"))?;
    let bytes = currency_bytes(field, currency)?;
    out.extend_from_slice(&bytes);
    if bytes == [0u8; 20] {
        expect_keys(field, o, &["currency"])?;
    } else {
        expect_keys(field, o, &["currency", "issuer"])?;
        out.extend_from_slice(&account_bytes(field, o.get("issuer"))?);
    }
    Ok(())
}

const NO_ACCOUNT: [u8; 20] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

pub(super) fn decode_issue(field: &str, r: &mut Reader) -> Result<Value, CodecError> {
    let first = r.array::<20>(field)?;
    if first == [0u8; 20] {
        return Ok(json!({ "currency": "XRP" }));
    }
    let second = r.array::<20>(field)?;
    if second == NO_ACCOUNT {
        let seq = u32::from_le_bytes(r.array::<4>(field)?);
        let mut id = seq.to_be_bytes().to_vec();
        id.extend_from_slice(&first);
        return Ok(json!({ "mpt_issuance_id": hex::encode_upper(id) }));
    }
    let mut cr = Reader::new(&first);
    Ok(json!({ "currency": decode_currency(field, &mut cr)?, "issuer": address::encode_account_id(&second) }))
}

pub(super) fn account_bytes(field: &str, v: Option<&Value>) -> Result<[u8; 20], CodecError> {
    let s = str_of(field, v)?;
    address::decode_account_id(s).map_err(|_| invalid(field, "not a valid classic address"))
}

pub(super) fn str_of<'a>(field: &str, v: Option<&'a Value>) -> Result<&'a str, CodecError> {
    v.and_then(Value::as_str).ok_or_else(|| invalid(field, "expected a string"))
}

/// Every key present must be allowed, and every allowed key present.
pub(super) fn expect_keys(field: &str, o: &Map<String, Value>, keys: &[&str]) -> Result<(), CodecError> {
    if o.len() != keys.len() || !keys.iter().all(|k| o.contains_key(*k)) {
        return Err(invalid(field, "object has missing or unexpected keys"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(s: &str) -> String {
        Decimal::parse(s).unwrap().to_bignumber_string()
    }

    #[test]
    fn decimal_formatting_matches_bignumber() {
        assert_eq!(fmt("1"), "1");
        assert_eq!(fmt("-2.250"), "-2.25");
        assert_eq!(fmt("1234567890123456e-10"), "123456.7890123456");
        assert_eq!(fmt("9999999999999999e80"), format!("9999999999999999{}", "0".repeat(80)));
        assert_eq!(fmt("1e-81"), format!("0.{}1", "0".repeat(80)));
        assert_eq!(fmt("0.0000001"), "0.0000001");
        assert_eq!(fmt("1e96"), "1e+96");
        assert_eq!(fmt("1e-112"), "1e-112");
        assert_eq!(fmt("-0"), "0");
        assert!(Decimal::parse("1.").is_none());
        assert!(Decimal::parse(".5").is_none());
        assert!(Decimal::parse("1e").is_none());
        assert!(Decimal::parse("0x10").is_none());
    }

    #[test]
    fn non_standard_zero_led_currency_is_refused_both_ways() {
        // Found by fuzzing: decode accepted what encode refuses.
        let mut b = [0u8; 20];
        b[19] = 1;
        assert!(decode_currency("c", &mut Reader::new(&b)).is_err());
        assert!(currency_bytes("c", &hex::encode(b)).is_err());
        let mut usd = [0u8; 20];
        usd[12..15].copy_from_slice(b"USD");
        assert_eq!(decode_currency("c", &mut Reader::new(&usd)).unwrap(), "USD");
        // Found by fuzzing: an IOU amount in the XRP code decoded but could not re-encode.
        let mut iou = 0xD4838D7EA4C68000u64.to_be_bytes().to_vec();
        iou.extend_from_slice(&[0u8; 40]);
        assert!(decode_amount("a", &mut Reader::new(&iou)).is_err());
    }

    #[test]
    fn iou_encoding() {
        let one = iou_value_bytes("v", &Decimal::parse("1").unwrap()).unwrap();
        assert_eq!(hex::encode_upper(one), "D4838D7EA4C68000");
        let neg = iou_value_bytes("v", &Decimal::parse("-1").unwrap()).unwrap();
        assert_eq!(hex::encode_upper(neg), "94838D7EA4C68000");
        assert!(iou_value_bytes("v", &Decimal::parse("12345678901234567").unwrap()).is_err());
        assert!(iou_value_bytes("v", &Decimal::parse("1e97").unwrap()).is_err());
    }
}
