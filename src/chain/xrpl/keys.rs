//! XRPL keys: 16-byte seeds, secp256k1 (rippled's root + intermediate derivation) and
//! Ed25519 key pairs, account IDs, and `wallet_propose`'s output.

use super::address::{self, AddressError};
use super::rfc1751::{self, Rfc1751Error};
use k256::elliptic_curve::sec1::ToSec1Point;
use ripemd::Ripemd160;
use sha2::{Digest, Sha256, Sha512};
use zeroize::Zeroizing;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyType {
    Secp256k1,
    Ed25519,
}

impl KeyType {
    pub fn name(self) -> &'static str {
        match self {
            Self::Secp256k1 => "secp256k1",
            Self::Ed25519 => "ed25519",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "secp256k1" | "ecdsa-secp256k1" => Some(Self::Secp256k1),
            "ed25519" => Some(Self::Ed25519),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("seed: {0}")]
    Address(#[from] AddressError),
    #[error("RFC 1751 words: {0}")]
    Words(#[from] Rfc1751Error),
    #[error("not a family seed (s...), RFC 1751 words or 32 hex digits of entropy")]
    UnrecognisedSeed,
    #[error("an sEd... seed is Ed25519; it cannot be used as {0}")]
    SeedTypeMismatch(&'static str),
    #[error("the operating system's random source failed")]
    Random,
    #[error("not a valid public key")]
    PublicKey,
}

/// 16 bytes of seed entropy and the algorithm it derives keys for. Never printed.
#[derive(Clone)]
pub struct Seed {
    entropy: Zeroizing<[u8; 16]>,
    key_type: KeyType,
}

impl std::fmt::Debug for Seed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Seed").field("key_type", &self.key_type).finish_non_exhaustive()
    }
}

impl Seed {
    /// Fresh entropy from the operating system, as `wallet_propose`.
    pub fn random(key_type: KeyType) -> Result<Self, KeyError> {
        let mut entropy = Zeroizing::new([0u8; 16]);
        getrandom::fill(entropy.as_mut()).map_err(|_| KeyError::Random)?;
        Ok(Self { entropy, key_type })
    }

    pub fn from_entropy(entropy: [u8; 16], key_type: KeyType) -> Self {
        Self { entropy: Zeroizing::new(entropy), key_type }
    }

    /// rippled's passphrase seed: the first 16 bytes of SHA-512 of the passphrase.
    /// Weak: a guessable passphrase gives away the account.
    pub fn from_passphrase(passphrase: &str, key_type: KeyType) -> Self {
        let digest = Zeroizing::new(Sha512::digest(passphrase.as_bytes()));
        let mut entropy = Zeroizing::new([0u8; 16]);
        entropy.copy_from_slice(&digest[..16]);
        Self { entropy, key_type }
    }

    /// A family seed (`s...`, the key type as given: rippled does not encode it), an `sEd...`
    /// seed (Ed25519, as xrpl.js writes it), 12 RFC 1751 words, or 32 hex digits.
    /// `key_type` None means: Ed25519 for `sEd...`, else secp256k1.
    pub fn parse(text: &str, key_type: Option<KeyType>) -> Result<Self, KeyError> {
        let text = text.trim();
        if text.split_whitespace().count() > 1 {
            let entropy = rfc1751::decode(text)?;
            return Ok(Self { entropy, key_type: key_type.unwrap_or(KeyType::Secp256k1) });
        }
        if text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            let mut entropy = Zeroizing::new([0u8; 16]);
            hex::decode_to_slice(text, entropy.as_mut()).map_err(|_| KeyError::UnrecognisedSeed)?;
            return Ok(Self { entropy, key_type: key_type.unwrap_or(KeyType::Secp256k1) });
        }
        if !text.starts_with('s') {
            return Err(KeyError::UnrecognisedSeed);
        }
        let data = Zeroizing::new(address::decode(text)?);
        let mut entropy = Zeroizing::new([0u8; 16]);
        if let Some(body) = data.strip_prefix(address::ED25519_SEED).filter(|b| b.len() == 16) {
            if key_type == Some(KeyType::Secp256k1) {
                return Err(KeyError::SeedTypeMismatch("secp256k1"));
            }
            entropy.copy_from_slice(body);
            return Ok(Self { entropy, key_type: KeyType::Ed25519 });
        }
        if let Some(body) = data.strip_prefix(address::FAMILY_SEED).filter(|b| b.len() == 16) {
            entropy.copy_from_slice(body);
            return Ok(Self { entropy, key_type: key_type.unwrap_or(KeyType::Secp256k1) });
        }
        Err(KeyError::Address(AddressError::WrongKind { expected: "a family seed (s...)" }))
    }

    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    pub fn entropy(&self) -> &[u8; 16] {
        &self.entropy
    }

    /// rippled's encoding (`s...` for both algorithms).
    pub fn to_rippled_base58(&self) -> Zeroizing<String> {
        Zeroizing::new(address::encode(address::FAMILY_SEED, self.entropy.as_ref()))
    }

    /// xrpl.js's encoding (`sEd...` for Ed25519).
    pub fn to_xrpl_js_base58(&self) -> Zeroizing<String> {
        match self.key_type {
            KeyType::Secp256k1 => self.to_rippled_base58(),
            KeyType::Ed25519 => Zeroizing::new(address::encode(address::ED25519_SEED, self.entropy.as_ref())),
        }
    }

    pub fn key_pair(&self) -> KeyPair {
        match self.key_type {
            KeyType::Secp256k1 => derive_secp256k1(&self.entropy),
            KeyType::Ed25519 => {
                let secret = sha512_half(self.entropy.as_ref());
                let signing = ed25519_dalek::SigningKey::from_bytes(&secret);
                let mut public = [0u8; 33];
                public[0] = 0xED;
                public[1..].copy_from_slice(signing.verifying_key().as_bytes());
                KeyPair { secret, public, key_type: KeyType::Ed25519 }
            }
        }
    }
}

/// A signing key pair. The secret never leaves this type except to sign.
pub struct KeyPair {
    pub(crate) secret: Zeroizing<[u8; 32]>,
    public: [u8; 33],
    key_type: KeyType,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair").field("public", &hex::encode_upper(self.public)).field("key_type", &self.key_type).finish_non_exhaustive()
    }
}

impl KeyPair {
    /// 33 bytes: compressed secp256k1, or 0xED + Ed25519.
    pub fn public_key(&self) -> [u8; 33] {
        self.public
    }

    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    pub fn account_id(&self) -> [u8; 20] {
        account_id(&self.public)
    }

    pub fn address(&self) -> String {
        address::encode_account_id(&self.account_id())
    }

    /// The private key as ripple-keypairs writes it ("00" or "ED" + 32 bytes), for tests.
    #[cfg(test)]
    pub(crate) fn private_key_hex(&self) -> String {
        let prefix = if self.key_type == KeyType::Ed25519 { "ED" } else { "00" };
        format!("{prefix}{}", hex::encode_upper(self.secret.as_ref()))
    }
}

/// RIPEMD-160 of SHA-256 of the public key.
pub fn account_id(public_key: &[u8]) -> [u8; 20] {
    Ripemd160::digest(Sha256::digest(public_key)).into()
}

/// The first half of SHA-512: XRPL's hash for keys, signing and transaction IDs.
pub fn sha512_half(data: &[u8]) -> Zeroizing<[u8; 32]> {
    let full = Zeroizing::new(Sha512::digest(data));
    let mut half = Zeroizing::new([0u8; 32]);
    half.copy_from_slice(&full[..32]);
    half
}

/// The first SHA-512-half of `prefix || counter` that is a valid secp256k1 scalar.
fn derive_scalar(prefix: &[u8]) -> k256::NonZeroScalar {
    let mut counter: u32 = 0;
    loop {
        let mut data = Zeroizing::new(prefix.to_vec());
        data.extend_from_slice(&counter.to_be_bytes());
        let candidate = sha512_half(&data);
        if let Ok(s) = k256::NonZeroScalar::try_from(candidate.as_ref()) {
            return s;
        }
        // Probability about 2^-128 per try.
        counter = counter.wrapping_add(1);
    }
}

/// rippled: root = scalar(seed); account key = root + scalar(rootPublic || 0 || n).
fn derive_secp256k1(entropy: &[u8; 16]) -> KeyPair {
    let root = derive_scalar(entropy);
    let root_public = k256::PublicKey::from_secret_scalar(&root).to_sec1_point(true);
    let mut prefix = root_public.as_bytes().to_vec();
    prefix.extend_from_slice(&0u32.to_be_bytes()); // account family index 0
    let intermediate = derive_scalar(&prefix);
    let sum = *root.as_ref() + *intermediate.as_ref();
    let secret_scalar = Option::<k256::NonZeroScalar>::from(k256::NonZeroScalar::new(sum))
        .unwrap_or(root); // root + intermediate = 0 has probability ~2^-256
    let public_point = k256::PublicKey::from_secret_scalar(&secret_scalar).to_sec1_point(true);
    let mut public = [0u8; 33];
    public.copy_from_slice(public_point.as_bytes());
    let mut secret = Zeroizing::new([0u8; 32]);
    secret.copy_from_slice(&secret_scalar.to_bytes());
    KeyPair { secret, public, key_type: KeyType::Secp256k1 }
}

/// `rippled wallet_propose`'s result. No `Debug`: it holds the seed.
#[derive(serde::Serialize)]
pub struct WalletProposal {
    pub account_id: String,
    pub key_type: &'static str,
    #[serde(serialize_with = "secret_str")]
    pub master_key: Zeroizing<String>,
    #[serde(serialize_with = "secret_str")]
    pub master_seed: Zeroizing<String>,
    #[serde(serialize_with = "secret_str")]
    pub master_seed_hex: Zeroizing<String>,
    pub public_key: String,
    pub public_key_hex: String,
}

fn secret_str<S: serde::Serializer>(v: &Zeroizing<String>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(v)
}

pub fn wallet_propose(seed: &Seed) -> WalletProposal {
    let keys = seed.key_pair();
    WalletProposal {
        account_id: keys.address(),
        key_type: seed.key_type.name(),
        master_key: rfc1751::encode(&seed.entropy),
        master_seed: seed.to_rippled_base58(),
        master_seed_hex: Zeroizing::new(hex::encode_upper(seed.entropy.as_ref())),
        public_key: address::encode(address::ACCOUNT_PUBLIC_KEY, &keys.public),
        public_key_hex: hex::encode_upper(keys.public),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_wallet_propose_example() {
        // The rippled wallet_propose example of the XRPL offline account setup tutorial.
        let seed = Seed::parse("shYHSiJod8CLPTj1SNJ2PdUFj4pFk", None).unwrap();
        let p = wallet_propose(&seed);
        assert_eq!(p.account_id, "r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6");
        assert_eq!(p.key_type, "secp256k1");
        assert_eq!(p.master_key.as_str(), "JANE GIBE LIST TEND NU RUDE JIG PA FLOG DEFT SAME NASH");
        assert_eq!(p.master_seed.as_str(), "shYHSiJod8CLPTj1SNJ2PdUFj4pFk");
        assert_eq!(p.master_seed_hex.as_str(), "8465FDB80B2E2620A7D58274C26291A0");
        assert_eq!(p.public_key, "aBQLW8imt7VChRJU1NMVCB7fE3jSL3VNEgLDKf88ygAhnfuZh3oo");
        assert_eq!(p.public_key_hex, "03396074ED4B8155ACF9A8DC3665EFA53B5CFA0A1E91C3879303D37721EB222644");
        // The same seed from its words and from its hex.
        let words = Seed::parse("JANE GIBE LIST TEND NU RUDE JIG PA FLOG DEFT SAME NASH", None).unwrap();
        assert_eq!(words.entropy(), seed.entropy());
        let hex = Seed::parse("8465FDB80B2E2620A7D58274C26291A0", None).unwrap();
        assert_eq!(hex.entropy(), seed.entropy());
    }

    #[test]
    fn private_keys_match_ripple_keypairs() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/xrpl/keys.json")).unwrap();
        let f: serde_json::Value = serde_json::from_str(&text).unwrap();
        for v in f["vectors"].as_array().unwrap() {
            let keys = Seed::parse(v["seed"].as_str().unwrap(), None).unwrap().key_pair();
            assert_eq!(keys.private_key_hex(), v["private_key_hex"].as_str().unwrap());
        }
    }

    #[test]
    fn debug_never_shows_secrets() {
        let seed = Seed::parse("shYHSiJod8CLPTj1SNJ2PdUFj4pFk", None).unwrap();
        let shown = format!("{seed:?} {:?}", seed.key_pair());
        assert!(!shown.contains("8465") && !shown.to_lowercase().contains("8465fd"), "{shown}");
        assert!(shown.contains("03396074ED4B"));
    }

    #[test]
    fn seed_errors() {
        assert_eq!(Seed::parse("hello", None).unwrap_err(), KeyError::UnrecognisedSeed);
        assert!(matches!(Seed::parse("shYHSiJod8CLPTj1SNJ2PdUFj4pFj", None), Err(KeyError::Address(AddressError::BadChecksum))));
        assert!(matches!(Seed::parse("rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", None), Err(KeyError::UnrecognisedSeed)));
    }
}
