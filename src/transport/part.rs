//! One UR part as text: `ur:<type>/<body>` (single-part) or `ur:<type>/<seq>-<seqLen>/<body>`
//! (multi-part, BCR-2020-005). This module only parses and formats; it keeps no state.

use super::TransportError;

/// A multi-part header as carried in the part's CBOR `[seq, seqLen, messageLen, checksum, data]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TransferId {
    pub seq_len: u32,
    pub message_len: u32,
    /// CRC-32 of the whole message.
    pub checksum: u32,
    pub fragment_len: u32,
}

/// A multi-part fountain part after its bytewords checksum and header were checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FountainPart {
    pub id: TransferId,
    pub seq: u32,
    pub data: Vec<u8>,
    /// The part's CBOR, kept so the `ur` crate can derive the fragment indexes it mixes.
    pub cbor: Vec<u8>,
}

/// Default bound on a message a decoder accepts: 4 MiB, far above any signing payload.
pub const DEFAULT_MAX_MESSAGE_LEN: usize = 4 << 20;

/// Bounds on what a part may claim, checked before anything is sized from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_message_len: usize,
    /// seqLen bound: the decoder keeps up to seqLen rows of seqLen bits, so 16,384 fragments
    /// cost at most 32 MiB of equations (4 MiB in 256-byte fragments).
    pub max_fragments: usize,
    /// Bound on the bytes one part may make the fountain decoder touch: eliminating a part
    /// XORs up to seqLen rows of (seqLen/8 + fragment length) bytes, twice. A hostile
    /// stream claiming a huge seqLen would otherwise cost seconds per part and minutes in
    /// all; 8 MiB is about a millisecond here, and every real signing payload (a 100-output
    /// key image set is 10 KB) is far below it.
    pub max_work_per_part: usize,
}

/// The default [`Limits::max_work_per_part`].
pub const DEFAULT_MAX_WORK_PER_PART: usize = 8 << 20;

impl Default for Limits {
    fn default() -> Self {
        Self { max_message_len: DEFAULT_MAX_MESSAGE_LEN, max_fragments: 16_384, max_work_per_part: DEFAULT_MAX_WORK_PER_PART }
    }
}

/// The bytes one elimination step of a transfer touches (see [`Limits::max_work_per_part`]).
pub fn elimination_work(seq_len: usize, fragment_len: usize) -> usize {
    seq_len.saturating_mul(seq_len.div_ceil(64).saturating_mul(8).saturating_add(fragment_len))
}

/// What a scanned text turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParsedPart {
    /// A whole message in one UR (`ur:type/body`, or a `1-1` part).
    Single { ur_type: String, message: Vec<u8> },
    Multi { ur_type: String, part: FountainPart },
}

impl ParsedPart {
    pub fn ur_type(&self) -> &str {
        match self {
            ParsedPart::Single { ur_type, .. } | ParsedPart::Multi { ur_type, .. } => ur_type,
        }
    }
}

/// A UR type is lowercase letters, digits and hyphens (BCR-2020-005).
pub fn is_valid_type(ur_type: &str) -> bool {
    !ur_type.is_empty()
        && ur_type
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Formats a part uppercased, so that QR encoders use alphanumeric mode.
pub fn format_single(ur_type: &str, message: &[u8]) -> String {
    let body = ur::bytewords::encode(message, ur::bytewords::Style::Minimal);
    format!("ur:{ur_type}/{body}").to_ascii_uppercase()
}

pub fn format_multi(ur_type: &str, seq: usize, seq_len: usize, part_cbor: &[u8]) -> String {
    let body = ur::bytewords::encode(part_cbor, ur::bytewords::Style::Minimal);
    format!("ur:{ur_type}/{seq}-{seq_len}/{body}").to_ascii_uppercase()
}

/// Parses one scanned text. `limits` bound what a part may claim, before anything is
/// allocated for it.
pub fn parse(text: &str, limits: Limits) -> Result<ParsedPart, TransportError> {
    let max_message_len = limits.max_message_len;
    let text = text.trim();
    if !text.is_ascii() {
        return Err(TransportError::NotUr);
    }
    let lower = text.to_ascii_lowercase();
    let rest = lower.strip_prefix("ur:").ok_or(TransportError::NotUr)?;
    let components: Vec<&str> = rest.split('/').collect();
    let (ur_type, seq_component, body) = match components.as_slice() {
        [t, body] => (*t, None, *body),
        [t, seq, body] => (*t, Some(*seq), *body),
        _ => return Err(TransportError::Malformed("expected ur:type/body or ur:type/seq-n/body")),
    };
    if !is_valid_type(ur_type) {
        return Err(TransportError::Malformed("UR type must be lowercase letters, digits and '-'"));
    }
    let seq_header = seq_component.map(parse_seq_component).transpose()?;
    // Bytewords minimal: two letters a byte. Refuse a body that would decode past the bound
    // (plus the part header and CRC) before decoding it.
    if body.len() / 2 > max_message_len.saturating_add(64) {
        return Err(TransportError::MessageTooLarge { claimed: body.len() / 2, limit: max_message_len });
    }
    let payload = ur::bytewords::decode(body, ur::bytewords::Style::Minimal).map_err(|e| match e {
        ur::bytewords::Error::InvalidChecksum => TransportError::CorruptPart("bytewords checksum does not match"),
        ur::bytewords::Error::InvalidWord => TransportError::CorruptPart("not a bytewords word"),
        ur::bytewords::Error::InvalidLength => TransportError::CorruptPart("bytewords body has an odd or short length"),
        ur::bytewords::Error::NonAscii => TransportError::CorruptPart("non-ASCII bytewords body"),
    })?;
    let ur_type = ur_type.to_owned();
    let Some((seq, seq_len)) = seq_header else {
        if payload.len() > max_message_len {
            return Err(TransportError::MessageTooLarge { claimed: payload.len(), limit: max_message_len });
        }
        return Ok(ParsedPart::Single { ur_type, message: payload });
    };
    let part = decode_part_cbor(payload, max_message_len)?;
    if part.id.seq_len as usize > limits.max_fragments {
        return Err(TransportError::TooManyFragments { claimed: part.id.seq_len as usize, limit: limits.max_fragments });
    }
    let work = elimination_work(part.id.seq_len as usize, part.id.fragment_len as usize);
    if work > limits.max_work_per_part {
        return Err(TransportError::TooMuchWork { seq_len: part.id.seq_len as usize, fragment_len: part.id.fragment_len as usize, work, limit: limits.max_work_per_part });
    }
    if part.seq != seq || part.id.seq_len != seq_len {
        return Err(TransportError::Malformed("sequence in the text differs from the part's header"));
    }
    // Some encoders (the `ur` crate among them) send a short message as part 1-1.
    if part.id.seq_len == 1 {
        let mut message = part.data;
        message.truncate(part.id.message_len as usize);
        if crc32fast::hash(&message) != part.id.checksum {
            return Err(TransportError::ChecksumMismatch);
        }
        return Ok(ParsedPart::Single { ur_type, message });
    }
    Ok(ParsedPart::Multi { ur_type, part })
}

fn parse_seq_component(s: &str) -> Result<(u32, u32), TransportError> {
    let bad = TransportError::Malformed("sequence component must be <seq>-<seqLen>");
    let (a, b) = s.split_once('-').ok_or(bad.clone())?;
    let seq = a.parse::<u32>().map_err(|_| bad.clone())?;
    let seq_len = b.parse::<u32>().map_err(|_| bad.clone())?;
    if seq == 0 || seq_len == 0 {
        return Err(bad);
    }
    Ok((seq, seq_len))
}

/// Decodes `[seq, seqLen, messageLen, checksum, data]` and checks that the header is one an
/// encoder could have produced, so the decoder never sizes anything from an impossible claim.
fn decode_part_cbor(cbor: Vec<u8>, max_message_len: usize) -> Result<FountainPart, TransportError> {
    let bad = |m: &'static str| TransportError::Malformed(m);
    let mut d = minicbor::Decoder::new(&cbor);
    if d.array().map_err(|_| bad("part is not a CBOR array"))? != Some(5) {
        return Err(bad("part must be a CBOR array of 5 items"));
    }
    let mut uint = || d.u32().map_err(|_| bad("part header field is not a 32-bit unsigned integer"));
    let (seq, seq_len, message_len, checksum) = (uint()?, uint()?, uint()?, uint()?);
    let data = d.bytes().map_err(|_| bad("part data is not a byte string"))?.to_vec();
    if d.position() != cbor.len() {
        return Err(bad("trailing bytes after the part"));
    }
    if message_len as usize > max_message_len {
        return Err(TransportError::MessageTooLarge { claimed: message_len as usize, limit: max_message_len });
    }
    if seq == 0 || seq_len == 0 || message_len == 0 || data.is_empty() {
        return Err(bad("zero sequence, count, length or data"));
    }
    // An encoder splits messageLen into seqLen fragments of equal length (the last padded).
    let fragment_len = data.len() as u64;
    if (message_len as u64).div_ceil(fragment_len) != seq_len as u64 {
        return Err(bad("fragment length, count and message length disagree"));
    }
    let id = TransferId { seq_len, message_len, checksum, fragment_len: data.len() as u32 };
    Ok(FountainPart { id, seq, data, cbor })
}

/// Whether bytes hold UR part text (`ur:` after optional whitespace, any case) rather than
/// a binary payload: no CBOR payload or wallet2 file of ours starts that way.
pub fn looks_like_ur(bytes: &[u8]) -> bool {
    bytes.iter().skip_while(|b| b.is_ascii_whitespace()).take(3).map(u8::to_ascii_lowercase).eq(*b"ur:")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lim(max_message_len: usize) -> Limits {
        Limits { max_message_len, ..Limits::default() }
    }

    #[test]
    fn single_part_round_trip_is_uppercase() {
        let text = format_single("bytes", &[0x41, 0x00]);
        assert_eq!(text, text.to_ascii_uppercase());
        assert!(text.starts_with("UR:BYTES/"));
        let parsed = parse(&text, lim(1024)).unwrap();
        assert_eq!(parsed, ParsedPart::Single { ur_type: "bytes".into(), message: vec![0x41, 0x00] });
    }

    #[test]
    fn rejects_non_ur_and_bad_types() {
        assert_eq!(parse("https://example.com", lim(1024)), Err(TransportError::NotUr));
        assert!(matches!(parse("ur:By_tes/aeae", lim(1024)), Err(TransportError::Malformed(_))));
        assert!(matches!(parse("ur:bytes/0-3/aeae", lim(1024)), Err(TransportError::Malformed(_))));
        assert!(matches!(parse("ur:bytes/1-3/x/y", lim(1024)), Err(TransportError::Malformed(_))));
    }

    #[test]
    fn flipped_word_is_corrupt() {
        let mut text = format_single("bytes", b"hello world").into_bytes();
        // Change one minimal byteword letter pair to another valid word.
        let i = "UR:BYTES/".len() + 2;
        text[i] = if text[i] == b'A' { b'B' } else { b'A' };
        let text = String::from_utf8(text).unwrap();
        assert!(matches!(parse(&text, lim(1024)), Err(TransportError::CorruptPart(_))));
    }

    #[test]
    fn huge_claimed_length_is_refused_without_allocating() {
        // seq 1 of 2, claims 4 GiB - 1 bytes with a 2-byte fragment.
        let mut e = minicbor::Encoder::new(Vec::new());
        e.array(5).unwrap().u32(1).unwrap().u32(2).unwrap().u32(u32::MAX).unwrap().u32(0).unwrap();
        e.bytes(&[1, 2]).unwrap();
        let text = format_multi("bytes", 1, 2, e.writer());
        assert_eq!(
            parse(&text, lim(1 << 20)),
            Err(TransportError::MessageTooLarge { claimed: u32::MAX as usize, limit: 1 << 20 })
        );
    }

    #[test]
    fn too_many_fragments_is_refused() {
        // 100,000 one-byte fragments: a consistent header, but over the fragment bound.
        let mut e = minicbor::Encoder::new(Vec::new());
        e.array(5).unwrap().u32(1).unwrap().u32(100_000).unwrap().u32(100_000).unwrap().u32(0).unwrap();
        e.bytes(&[1]).unwrap();
        let text = format_multi("bytes", 1, 100_000, e.writer());
        assert_eq!(
            parse(&text, Limits::default()),
            Err(TransportError::TooManyFragments { claimed: 100_000, limit: 16_384 })
        );
    }

    #[test]
    fn inconsistent_header_is_malformed() {
        // 10-byte message in 2-byte fragments is 5 fragments, not 3.
        let mut e = minicbor::Encoder::new(Vec::new());
        e.array(5).unwrap().u32(1).unwrap().u32(3).unwrap().u32(10).unwrap().u32(0).unwrap();
        e.bytes(&[1, 2]).unwrap();
        let text = format_multi("bytes", 1, 3, e.writer());
        assert!(matches!(parse(&text, lim(1024)), Err(TransportError::Malformed(_))));
        // The text's seq-n must match the CBOR header.
        let mut e = minicbor::Encoder::new(Vec::new());
        e.array(5).unwrap().u32(1).unwrap().u32(5).unwrap().u32(10).unwrap().u32(0).unwrap();
        e.bytes(&[1, 2]).unwrap();
        let text = format_multi("bytes", 2, 5, e.writer());
        assert!(matches!(parse(&text, lim(1024)), Err(TransportError::Malformed(_))));
    }
}
