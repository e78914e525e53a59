//! airsign's XRPL payloads (proto/xrpl.cddl): CBOR maps with integer keys, key 0 the version.

use super::EnvelopeError;
use minicbor::{Decode, Encode};

pub const VERSION: u8 = 1;

/// offline -> online: the account to watch.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
#[cbor(map)]
pub struct XrplAccountPayload {
    #[n(0)]
    pub version: u8,
    #[n(1)]
    pub address: String,
    #[n(2)]
    #[cbor(with = "minicbor::bytes")]
    pub public_key: Vec<u8>,
    /// "secp256k1" or "ed25519".
    #[n(3)]
    pub key_type: String,
}

/// online -> offline: the account as the validated ledger has it, and submitted outcomes.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
#[cbor(map)]
pub struct XrplStatePayload {
    #[n(0)]
    pub version: u8,
    #[n(1)]
    pub account: String,
    /// The next Sequence (account_info's Sequence in a validated ledger).
    #[n(2)]
    pub sequence: u32,
    #[n(3)]
    pub ledger_index: u32,
    #[n(4)]
    pub balance_drops: u64,
    #[n(5)]
    pub fee_drops: u64,
    /// Whether `sequence` and `balance_drops` come from a validated ledger.
    #[n(6)]
    pub validated: bool,
    #[n(7)]
    pub outcomes: Vec<Outcome>,
    /// The account's unused tickets (account_objects of type ticket), when listed.
    #[n(8)]
    pub tickets: Option<Vec<u32>>,
    /// The regular key the ledger has for the account (account_info's RegularKey), when
    /// the online side reports keys: keys 9-11 come together or not at all.
    #[n(9)]
    pub regular_key: Option<String>,
    /// Whether the ledger has the master key disabled (lsfDisableMaster).
    #[n(10)]
    pub master_disabled: Option<bool>,
    /// The account's signer list (account_objects of type signer_list), if it has one.
    #[n(11)]
    pub signer_list: Option<SignerListWire>,
}

/// A signer list as SignerListSet sets it: the quorum and each member with its weight.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
#[cbor(array)]
pub struct SignerListWire {
    #[n(0)]
    pub quorum: u32,
    #[n(1)]
    pub entries: Vec<SignerEntryWire>,
}

#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
#[cbor(array)]
pub struct SignerEntryWire {
    #[n(0)]
    pub account: String,
    #[n(1)]
    pub weight: u16,
}

/// online -> each member's offline machine: transactions of a multi-signed account, every
/// field filled (SigningPubKey empty, no Signers), and the signer list as the ledger has it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
#[cbor(map)]
pub struct XrplMultisignRequestPayload {
    #[n(0)]
    pub version: u8,
    /// The multi-signed account.
    #[n(1)]
    pub account: String,
    #[n(2)]
    pub transactions: Vec<minicbor::bytes::ByteVec>,
    #[n(3)]
    pub ledger_index: u32,
    #[n(4)]
    pub network: String,
    #[n(5)]
    pub signer_list: SignerListWire,
}

/// one member's offline machine -> online: its signature of each requested transaction.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
#[cbor(map)]
pub struct XrplMultisignSignaturePayload {
    #[n(0)]
    pub version: u8,
    /// The multi-signed account.
    #[n(1)]
    pub account: String,
    /// The member (its address, as in the signer list).
    #[n(2)]
    pub signer: String,
    #[n(3)]
    #[cbor(with = "minicbor::bytes")]
    pub public_key: Vec<u8>,
    #[n(4)]
    pub signatures: Vec<TxSignature>,
}

/// A member's signature of one requested transaction: which one (SHA-512-half of its
/// unsigned binary, as in the request) and the signature (rippled's TxnSignature).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
#[cbor(array)]
pub struct TxSignature {
    #[n(0)]
    #[cbor(with = "minicbor::bytes")]
    pub request_digest: Vec<u8>,
    #[n(1)]
    #[cbor(with = "minicbor::bytes")]
    pub signature: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
#[cbor(array)]
pub struct Outcome {
    #[n(0)]
    #[cbor(with = "minicbor::bytes")]
    pub hash: Vec<u8>,
    /// An engine result (tesSUCCESS, tecUNFUNDED...), or "expired" past LastLedgerSequence.
    #[n(1)]
    pub result: String,
}

/// online -> offline: unsigned transactions (canonical binary, PSBT-style) and context.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
#[cbor(map)]
pub struct XrplSignRequestPayload {
    #[n(0)]
    pub version: u8,
    #[n(1)]
    pub account: String,
    #[n(2)]
    pub transactions: Vec<minicbor::bytes::ByteVec>,
    /// Latest validated ledger index the online side saw.
    #[n(3)]
    pub ledger_index: u32,
    /// "mainnet", "testnet", "devnet" or a NetworkID, so the signer can show it.
    #[n(4)]
    pub network: String,
}

/// offline -> online: signed blobs with what the submitter needs to track them.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
#[cbor(map)]
pub struct XrplSignedPayload {
    #[n(0)]
    pub version: u8,
    #[n(1)]
    pub transactions: Vec<SignedEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
#[cbor(array)]
pub struct SignedEntry {
    #[n(0)]
    #[cbor(with = "minicbor::bytes")]
    pub blob: Vec<u8>,
    #[n(1)]
    #[cbor(with = "minicbor::bytes")]
    pub hash: Vec<u8>,
    #[n(2)]
    pub sequence: u32,
    #[n(3)]
    pub last_ledger_sequence: u32,
}

/// Versioned payloads: decode strictly (version, nothing after, deterministic form).
pub trait Versioned: Sized + Encode<()> + for<'b> Decode<'b, ()> {
    const UR_TYPE: &'static str;
    fn version(&self) -> u8;

    fn to_cbor(&self) -> Vec<u8> {
        minicbor::to_vec(self).unwrap_or_default()
    }

    fn from_cbor(cbor: &[u8]) -> Result<Self, EnvelopeError> {
        let mut d = minicbor::Decoder::new(cbor);
        if d.datatype().map_err(|e| EnvelopeError::Malformed(e.to_string()))? != minicbor::data::Type::Map {
            return Err(EnvelopeError::WrongMajorType { expected: "map", found: format!("{:?}", d.datatype()) });
        }
        let v: Self = d.decode().map_err(|e| EnvelopeError::Malformed(e.to_string()))?;
        if d.position() != cbor.len() {
            return Err(EnvelopeError::TrailingBytes(cbor.len() - d.position()));
        }
        if v.version() != VERSION {
            return Err(EnvelopeError::UnknownVersion { ur_type: Self::UR_TYPE, found: v.version(), supported: VERSION, hint: "" });
        }
        if v.to_cbor() != cbor {
            return Err(EnvelopeError::NonCanonical);
        }
        Ok(v)
    }
}

macro_rules! versioned {
    ($t:ty, $name:literal) => {
        impl Versioned for $t {
            const UR_TYPE: &'static str = $name;
            fn version(&self) -> u8 {
                self.version
            }
        }
    };
}

versioned!(XrplAccountPayload, "xrpl-account");
versioned!(XrplStatePayload, "xrpl-state");
versioned!(XrplSignRequestPayload, "xrpl-sign-request");
versioned!(XrplSignedPayload, "xrpl-signed");
versioned!(XrplMultisignRequestPayload, "xrpl-multisign-request");
versioned!(XrplMultisignSignaturePayload, "xrpl-multisign-signature");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_strictness() {
        let p = XrplSignedPayload { version: 1, transactions: vec![SignedEntry { blob: vec![1, 2], hash: vec![3; 32], sequence: 7, last_ledger_sequence: 100 }] };
        let cbor = p.to_cbor();
        assert_eq!(XrplSignedPayload::from_cbor(&cbor).unwrap(), p);
        let mut trailing = cbor.clone();
        trailing.push(0);
        assert_eq!(XrplSignedPayload::from_cbor(&trailing), Err(EnvelopeError::TrailingBytes(1)));
        let v2 = XrplSignedPayload { version: 2, ..p };
        assert!(matches!(XrplSignedPayload::from_cbor(&v2.to_cbor()), Err(EnvelopeError::UnknownVersion { found: 2, .. })));
        assert!(matches!(XrplSignedPayload::from_cbor(&[0x43, 1, 2, 3]), Err(EnvelopeError::WrongMajorType { .. })));
        assert!(matches!(XrplStatePayload::from_cbor(&cbor), Err(EnvelopeError::Malformed(_))));
    }
}
