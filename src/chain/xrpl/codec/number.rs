//! STNumber: a signed 64-bit mantissa and a 32-bit exponent, normalised to a mantissa of
//! 19 digits that fits i64 (as rippled's Number). Strict: a value that would have to be
//! rounded is refused instead of silently changed.

use super::amount::Decimal;
use super::{invalid, CodecError, Reader};

const MIN_MANTISSA: u128 = 1_000_000_000_000_000_000; // 1e18
const MAX_EXPONENT: i64 = 32768;
const MIN_EXPONENT: i64 = -32768;
const ZERO_EXPONENT: i32 = i32::MIN;

pub(super) fn encode(field: &str, text: &str, out: &mut Vec<u8>) -> Result<(), CodecError> {
    let dec = Decimal::parse(text).ok_or_else(|| invalid(field, "Number is not a decimal string"))?;
    if dec.digits.is_empty() {
        out.extend_from_slice(&0i64.to_be_bytes());
        out.extend_from_slice(&ZERO_EXPONENT.to_be_bytes());
        return Ok(());
    }
    if dec.digits.len() > 19 {
        return Err(invalid(field, "Number has more than 19 significant digits"));
    }
    let mut mantissa: u128 = dec.digits.parse().map_err(|_| invalid(field, "bad Number"))?;
    let mut exponent = dec.exponent;
    while mantissa < MIN_MANTISSA {
        mantissa *= 10;
        exponent -= 1;
    }
    if mantissa > i64::MAX as u128 {
        // 19 digits above i64::MAX: rippled divides by ten and rounds; refuse if that loses a digit.
        if mantissa % 10 != 0 {
            return Err(invalid(field, "Number needs rounding to fit 64 bits"));
        }
        mantissa /= 10;
        exponent += 1;
    }
    if !(MIN_EXPONENT..=MAX_EXPONENT).contains(&exponent) {
        return Err(invalid(field, "Number exponent out of range"));
    }
    let signed = if dec.negative { -(mantissa as i64) } else { mantissa as i64 };
    out.extend_from_slice(&signed.to_be_bytes());
    out.extend_from_slice(&(exponent as i32).to_be_bytes());
    Ok(())
}

/// Renders as ripple-binary-codec's STNumber `toJSON`, accepting only the canonical form:
/// the text must encode back to exactly the 12 bytes read.
pub(super) fn decode(field: &str, r: &mut Reader) -> Result<String, CodecError> {
    let bytes = r.array::<12>(field)?;
    let text = render(&bytes);
    let mut again = Vec::with_capacity(12);
    match encode(field, &text, &mut again) {
        Ok(()) if again == bytes => Ok(text),
        _ => Err(invalid(field, "non-canonical or out-of-range Number")),
    }
}

fn render(bytes: &[u8; 12]) -> String {
    let mantissa = i64::from_be_bytes(bytes[..8].try_into().unwrap_or_default());
    let mut exponent = i32::from_be_bytes(bytes[8..].try_into().unwrap_or_default()) as i64;
    if mantissa == 0 {
        return "0".into();
    }
    let negative = mantissa < 0;
    let mut abs = mantissa.unsigned_abs() as u128;
    if abs < MIN_MANTISSA {
        abs *= 10;
        exponent -= 1;
    }
    let sign = if negative { "-" } else { "" };
    if exponent != 0 && !(-28..=-8).contains(&exponent) {
        while abs % 10 == 0 && exponent < MAX_EXPONENT {
            abs /= 10;
            exponent += 1;
        }
        return format!("{sign}{abs}e{exponent}");
    }
    // Fixed notation: -28 <= exponent <= -8, or exactly 0.
    let raw = format!("{}{abs}{}", "0".repeat(30), "0".repeat(26));
    let offset = (exponent + 49) as usize;
    let int = raw[..offset].trim_start_matches('0');
    let frac = raw[offset..].trim_end_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    if frac.is_empty() { format!("{sign}{int}") } else { format!("{sign}{int}.{frac}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_bytes(mantissa: i64, exponent: i32) -> Result<String, CodecError> {
        let mut b = mantissa.to_be_bytes().to_vec();
        b.extend_from_slice(&exponent.to_be_bytes());
        decode("n", &mut Reader::new(&b))
    }

    #[test]
    fn only_canonical_numbers_decode() {
        assert_eq!(decode_bytes(1_000_000_000_000_000_000, -18).unwrap(), "1");
        assert_eq!(decode_bytes(0, i32::MIN).unwrap(), "0");
        // Found by fuzzing: out-of-range exponents and unnormalised mantissas.
        assert!(decode_bytes(1_000_000_000_000_000_000, i32::MAX).is_err());
        assert!(decode_bytes(1, 0).is_err());
        let mut out = Vec::new();
        encode("n", "1", &mut out).unwrap();
        assert_eq!(hex::encode(&out), "0de0b6b3a7640000ffffffee");
    }
}
