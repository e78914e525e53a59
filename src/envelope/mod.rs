//! CBOR payloads and the table of UR types airsign reads and writes (mirrors `proto/`).
//!
//! Adding a type: one [`UrType`] variant, one row in [`UrType::spec`], and its CDDL in
//! `proto/` with an example (a test decodes every example).

pub mod xrpl;

use minicbor::data::Type;
use xrpl::Versioned;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("unknown UR type '{0}'")]
    UnknownType(String),
    #[error("payload must be a CBOR {expected}, found {found}")]
    WrongMajorType { expected: &'static str, found: String },
    #[error("payload must use definite lengths (deterministic CBOR)")]
    IndefiniteLength,
    #[error("payload CBOR is not in deterministic form (a length is not encoded in its shortest form)")]
    NonCanonical,
    #[error("{0} trailing bytes after the CBOR payload")]
    TrailingBytes(usize),
    #[error("payload CBOR is truncated or malformed: {0}")]
    Malformed(String),
    #[error("'{ur_type}' payload is not {what}")]
    WrongContent { ur_type: &'static str, what: &'static str },
    #[error("'{ur_type}' payload has version {found}, airsign reads version {supported}{hint}")]
    UnknownVersion { ur_type: &'static str, found: u8, supported: u8, hint: &'static str },
}

/// Every UR type airsign speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UrType {
    Bytes,
    XmrOutput,
    XmrKeyImage,
    XmrTxUnsigned,
    XmrTxSigned,
    XrplAccount,
    XrplState,
    XrplSignRequest,
    XrplSigned,
    XrplMultisignRequest,
    XrplMultisignSignature,
}

/// What a UR type carries.
#[derive(Clone, Copy, Debug)]
pub enum Content {
    /// Any byte string.
    AnyBytes,
    /// A byte string holding a wallet2 file: `magic` then a version byte.
    Wallet2File { magic: &'static [u8], version: u8, what: &'static str, older_hint: &'static str },
    /// A versioned CBOR map (proto/xrpl.cddl); checked by decoding it.
    Map(fn(&[u8]) -> Result<(), EnvelopeError>),
}

/// One row of the UR type table.
#[derive(Clone, Copy, Debug)]
pub struct TypeSpec {
    pub name: &'static str,
    pub content: Content,
}

impl UrType {
    pub const ALL: [UrType; 11] = [
        Self::Bytes,
        Self::XmrOutput,
        Self::XmrKeyImage,
        Self::XmrTxUnsigned,
        Self::XmrTxSigned,
        Self::XrplAccount,
        Self::XrplState,
        Self::XrplSignRequest,
        Self::XrplSigned,
        Self::XrplMultisignRequest,
        Self::XrplMultisignSignature,
    ];

    pub fn spec(self) -> TypeSpec {
        let w2 = |magic, version, what, older_hint| Content::Wallet2File { magic, version, what, older_hint };
        let (name, content) = match self {
            Self::Bytes => ("bytes", Content::AnyBytes),
            Self::XmrOutput => ("xmr-output", w2(b"Monero output export", 4, "a Monero output export file", " (version 3 is the pre-0.18 format)")),
            Self::XmrKeyImage => ("xmr-keyimage", w2(b"Monero key image export", 3, "a Monero key image export file", "")),
            Self::XmrTxUnsigned => ("xmr-txunsigned", w2(b"Monero unsigned tx set", 5, "a Monero unsigned tx set", " (versions 3 and 4 are deprecated boost formats)")),
            Self::XmrTxSigned => ("xmr-txsigned", w2(b"Monero signed tx set", 5, "a Monero signed tx set", " (versions 3 and 4 are deprecated boost formats)")),
            Self::XrplAccount => ("xrpl-account", Content::Map(|c| xrpl::XrplAccountPayload::from_cbor(c).map(|_| ()))),
            Self::XrplState => ("xrpl-state", Content::Map(|c| xrpl::XrplStatePayload::from_cbor(c).map(|_| ()))),
            Self::XrplSignRequest => ("xrpl-sign-request", Content::Map(|c| xrpl::XrplSignRequestPayload::from_cbor(c).map(|_| ()))),
            Self::XrplSigned => ("xrpl-signed", Content::Map(|c| xrpl::XrplSignedPayload::from_cbor(c).map(|_| ()))),
            Self::XrplMultisignRequest => ("xrpl-multisign-request", Content::Map(|c| xrpl::XrplMultisignRequestPayload::from_cbor(c).map(|_| ()))),
            Self::XrplMultisignSignature => ("xrpl-multisign-signature", Content::Map(|c| xrpl::XrplMultisignSignaturePayload::from_cbor(c).map(|_| ()))),
        };
        TypeSpec { name, content }
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }

    pub fn from_name(name: &str) -> Result<Self, EnvelopeError> {
        Self::ALL.into_iter().find(|t| t.name() == name).ok_or_else(|| EnvelopeError::UnknownType(name.to_owned()))
    }
}

impl std::fmt::Display for UrType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A decoded, checked payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payload {
    pub ur_type: UrType,
    /// For byte-string types the byte string's content (for `xmr-*`, the wallet2 file); for
    /// map types (`xrpl-*`) the CBOR message itself, to decode with [`xrpl`]'s types.
    pub data: Vec<u8>,
}

impl Payload {
    /// Builds a payload, checking its content as [`decode`] would.
    pub fn new(ur_type: UrType, data: Vec<u8>) -> Result<Self, EnvelopeError> {
        check_content(ur_type, &data)?;
        Ok(Self { ur_type, data })
    }

    /// The UR message: deterministic CBOR.
    pub fn to_cbor(&self) -> Vec<u8> {
        match self.ur_type.spec().content {
            Content::Map(_) => self.data.clone(),
            _ => wrap_bytes(&self.data),
        }
    }
}

/// CBOR byte string holding `data`.
pub fn wrap_bytes(data: &[u8]) -> Vec<u8> {
    let mut e = minicbor::Encoder::new(Vec::with_capacity(data.len() + 9));
    // Writing to a Vec cannot fail.
    let _ = e.bytes(data);
    e.into_writer()
}

/// The content of a CBOR message that must be exactly one definite-length byte string.
pub fn unwrap_bytes(cbor: &[u8]) -> Result<Vec<u8>, EnvelopeError> {
    let mut d = minicbor::Decoder::new(cbor);
    match d.datatype() {
        Ok(Type::Bytes) => {}
        Ok(Type::BytesIndef) => return Err(EnvelopeError::IndefiniteLength),
        Ok(other) => return Err(EnvelopeError::WrongMajorType { expected: "byte string", found: format!("{other}") }),
        Err(e) => return Err(EnvelopeError::Malformed(e.to_string())),
    }
    let data = d.bytes().map_err(|e| EnvelopeError::Malformed(e.to_string()))?.to_vec();
    match cbor.len() - d.position() {
        0 => {}
        n => return Err(EnvelopeError::TrailingBytes(n)),
    }
    // One byte string has one deterministic encoding: anything else (a length header
    // longer than needed) could hide a second reading of the same payload.
    if wrap_bytes(&data) != cbor {
        return Err(EnvelopeError::NonCanonical);
    }
    Ok(data)
}

/// Decodes the UR message `cbor` received as `ur_type`.
pub fn decode(ur_type: &str, cbor: &[u8]) -> Result<Payload, EnvelopeError> {
    let ur_type = UrType::from_name(ur_type)?;
    match ur_type.spec().content {
        Content::Map(_) => Payload::new(ur_type, cbor.to_vec()),
        _ => Payload::new(ur_type, unwrap_bytes(cbor)?),
    }
}

fn check_content(ur_type: UrType, data: &[u8]) -> Result<(), EnvelopeError> {
    match ur_type.spec().content {
        Content::AnyBytes => Ok(()),
        Content::Map(check) => check(data),
        Content::Wallet2File { magic, version, what, older_hint } => {
            let name = ur_type.name();
            let found = data.strip_prefix(magic).and_then(|rest| rest.first().copied());
            match found {
                None => Err(EnvelopeError::WrongContent { ur_type: name, what }),
                Some(v) if v == version => Ok(()),
                Some(found) => Err(EnvelopeError::UnknownVersion {
                    ur_type: name,
                    found,
                    supported: version,
                    hint: if found < version { older_hint } else { "" },
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_string_round_trip() {
        let p = Payload::new(UrType::Bytes, vec![1, 2, 3]).unwrap();
        assert_eq!(p.to_cbor(), vec![0x43, 1, 2, 3]);
        assert_eq!(decode("bytes", &[0x43, 1, 2, 3]).unwrap(), p);
    }

    #[test]
    fn cbor_errors_are_named() {
        assert_eq!(decode("nope", &[0x40]), Err(EnvelopeError::UnknownType("nope".into())));
        assert!(matches!(decode("bytes", &[0x63, b'a', b'b', b'c']), Err(EnvelopeError::WrongMajorType { .. })));
        assert_eq!(decode("bytes", &[0x5f, 0x41, 1, 0xff]), Err(EnvelopeError::IndefiniteLength));
        assert_eq!(decode("bytes", &[0x41, 1, 0, 0]), Err(EnvelopeError::TrailingBytes(2)));
        assert!(matches!(decode("bytes", &[0x45, 1]), Err(EnvelopeError::Malformed(_))));
        assert!(matches!(decode("bytes", &[]), Err(EnvelopeError::Malformed(_))));
        // Found by fuzzing: a non-shortest length header.
        assert_eq!(decode("bytes", &[0x58, 0x00]), Err(EnvelopeError::NonCanonical));
        assert_eq!(decode("bytes", &[0x59, 0x00, 0x01, 0xaa]), Err(EnvelopeError::NonCanonical));
    }

    #[test]
    fn wallet2_magic_and_version_are_checked() {
        let mut file = b"Monero unsigned tx set\x05".to_vec();
        file.extend_from_slice(&[0u8; 80]);
        let ok = decode("xmr-txunsigned", &wrap_bytes(&file)).unwrap();
        assert_eq!(ok.ur_type, UrType::XmrTxUnsigned);
        file[22] = 4;
        assert!(matches!(
            decode("xmr-txunsigned", &wrap_bytes(&file)),
            Err(EnvelopeError::UnknownVersion { found: 4, supported: 5, hint, .. }) if hint.contains("deprecated")
        ));
        assert!(matches!(
            decode("xmr-txsigned", &wrap_bytes(b"Monero unsigned tx set\x05")),
            Err(EnvelopeError::WrongContent { ur_type: "xmr-txsigned", .. })
        ));
        assert!(matches!(decode("xmr-output", &wrap_bytes(b"")), Err(EnvelopeError::WrongContent { .. })));
    }

    #[test]
    fn names_round_trip() {
        for t in UrType::ALL {
            assert_eq!(UrType::from_name(t.name()), Ok(t));
        }
    }
}
