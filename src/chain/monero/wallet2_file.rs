//! The envelope of wallet2's export files (outputs, key images, unsigned and signed
//! transaction sets): `MAGIC+version | iv (8) | ChaCha20 ciphertext | signature (64)`.
//!
//! As wallet2's `encrypt(..., authenticated = true)`: the ChaCha20 key (DJB's 64-bit-nonce
//! ChaCha20) is `cn_slow_hash` of the secret view key (one KDF round), and the signature is a
//! Monero Schnorr signature by the view key over `cn_fast_hash(iv || ciphertext)`. The
//! signature is checked before anything is decrypted: a wrong view key or a tampered file is
//! refused, never half-read. What the plaintext means is each file type's business.

use super::cryptonight::{cn_fast_hash, cn_slow_hash_v0};
use chacha20::cipher::{KeyIvInit, StreamCipher};
use curve25519_dalek::constants::ED25519_BASEPOINT_TABLE;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use zeroize::Zeroizing;

const IV_LEN: usize = 8;
const SIGNATURE_LEN: usize = 64;

/// The wallet2 files airsign reads, with the version it reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Outputs,
    KeyImages,
    UnsignedTxSet,
    SignedTxSet,
}

impl FileKind {
    pub const ALL: [FileKind; 4] = [Self::Outputs, Self::KeyImages, Self::UnsignedTxSet, Self::SignedTxSet];

    /// Magic and current version byte (wallet2 in Monero 0.18).
    pub fn magic(self) -> (&'static [u8], u8) {
        match self {
            Self::Outputs => (b"Monero output export", 4),
            Self::KeyImages => (b"Monero key image export", 3),
            Self::UnsignedTxSet => (b"Monero unsigned tx set", 5),
            Self::SignedTxSet => (b"Monero signed tx set", 5),
        }
    }

    fn header(self) -> Vec<u8> {
        let (magic, version) = self.magic();
        let mut h = magic.to_vec();
        h.push(version);
        h
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Wallet2Error {
    #[error("not a wallet2 {0:?} file (wrong magic)")]
    WrongMagic(FileKind),
    #[error("{kind:?} file version {found}; airsign reads version {supported}{}", older_hint(*kind, *found))]
    UnsupportedVersion { kind: FileKind, found: u8, supported: u8 },
    #[error("the file is too short to hold an iv and a signature")]
    Truncated,
    #[error("signature check failed: the view key is not this wallet's, or the file was altered")]
    BadSignature,
    #[error("the operating system's random source failed: nothing was sealed (a zero nonce would reveal the view key)")]
    Random,
}

/// Fills a buffer with randomness (the OS source; tests inject a failing one).
pub(crate) type Fill = fn(&mut [u8]) -> Result<(), ()>;

fn os_fill(buf: &mut [u8]) -> Result<(), ()> {
    getrandom::fill(buf).map_err(|_| ())
}

/// A wallet's file key: the secret view key and the ChaCha20 key derived from it. Deriving
/// costs one CryptoNight hash (about 30 ms), so a caller that opens and seals keeps one.
pub struct FileKey {
    view_secret: Zeroizing<[u8; 32]>,
    chacha_key: Zeroizing<[u8; 32]>,
}

impl FileKey {
    pub fn new(view_secret: &[u8; 32]) -> FileKey {
        FileKey { view_secret: Zeroizing::new(*view_secret), chacha_key: Zeroizing::new(cn_slow_hash_v0(view_secret)) }
    }

    pub fn open(&self, kind: FileKind, file: &[u8]) -> Result<Zeroizing<Vec<u8>>, Wallet2Error> {
        open_with(self, kind, file)
    }

    pub fn seal(&self, kind: FileKind, plaintext: &[u8]) -> Result<Vec<u8>, Wallet2Error> {
        seal_with(self, kind, plaintext, os_fill)
    }
}

/// Names the formats an older wallet writes, so the user knows what to upgrade.
fn older_hint(kind: FileKind, found: u8) -> &'static str {
    match (kind, found) {
        (FileKind::UnsignedTxSet | FileKind::SignedTxSet, 3 | 4) => " (versions 3 and 4 are the deprecated boost formats of wallets before 0.18: update the other wallet)",
        (FileKind::Outputs, 3) => " (version 3 is the pre-0.18 format: update the other wallet)",
        _ => "",
    }
}

/// Verifies and decrypts a wallet2 file of `kind` with the secret view key.
pub fn open(kind: FileKind, file: &[u8], view_secret: &[u8; 32]) -> Result<Zeroizing<Vec<u8>>, Wallet2Error> {
    open_with(&FileKey::new(view_secret), kind, file)
}

/// Encrypts and signs `plaintext` as a wallet2 file of `kind` (fresh random iv). Fails
/// closed when the random source fails.
pub fn seal(kind: FileKind, plaintext: &[u8], view_secret: &[u8; 32]) -> Result<Vec<u8>, Wallet2Error> {
    seal_with(&FileKey::new(view_secret), kind, plaintext, os_fill)
}

fn open_with(key: &FileKey, kind: FileKind, file: &[u8]) -> Result<Zeroizing<Vec<u8>>, Wallet2Error> {
    let view_secret = &*key.view_secret;
    let (magic, version) = kind.magic();
    let rest = file.strip_prefix(magic).ok_or(Wallet2Error::WrongMagic(kind))?;
    let (&found, body) = rest.split_first().ok_or(Wallet2Error::Truncated)?;
    if found != version {
        return Err(Wallet2Error::UnsupportedVersion { kind, found, supported: version });
    }
    if body.len() < IV_LEN + SIGNATURE_LEN {
        return Err(Wallet2Error::Truncated);
    }
    let (signed, signature) = body.split_at(body.len() - SIGNATURE_LEN);
    let view_public = public_key(view_secret);
    if !check_signature(&cn_fast_hash(signed), &view_public, signature) {
        return Err(Wallet2Error::BadSignature);
    }
    let (iv, ciphertext) = signed.split_at(IV_LEN);
    let mut plaintext = Zeroizing::new(ciphertext.to_vec());
    chacha(&key.chacha_key, iv, &mut plaintext);
    Ok(plaintext)
}

fn seal_with(key: &FileKey, kind: FileKind, plaintext: &[u8], fill: Fill) -> Result<Vec<u8>, Wallet2Error> {
    let view_secret = &*key.view_secret;
    let mut iv = [0u8; IV_LEN];
    // A repeated iv under the wallet's one ChaCha20 key leaks the xor of two plaintexts:
    // no randomness, no file.
    fill(&mut iv).map_err(|_| Wallet2Error::Random)?;
    let mut body = iv.to_vec();
    let start = body.len();
    body.extend_from_slice(plaintext);
    chacha(&key.chacha_key, &iv, &mut body[start..]);
    let signature = generate_signature_with(&cn_fast_hash(&body), view_secret, fill)?;
    let mut file = kind.header();
    file.extend_from_slice(&body);
    file.extend_from_slice(&signature);
    Ok(file)
}

/// The public key of a secret key: secret * G, compressed.
pub fn public_key(secret: &[u8; 32]) -> [u8; 32] {
    let s = Zeroizing::new(Scalar::from_bytes_mod_order(*secret));
    (&*s * ED25519_BASEPOINT_TABLE).compress().to_bytes()
}

/// ChaCha20 with the legacy 8-byte nonce, keyed by `cn_slow_hash(view secret)`.
fn chacha(key: &[u8; 32], iv: &[u8], data: &mut [u8]) {
    let mut cipher = chacha20::ChaCha20Legacy::new(&(*key).into(), &<[u8; 8]>::try_from(iv).unwrap_or_default().into());
    cipher.apply_keystream(data);
}

/// `hash_to_scalar`: cn_fast_hash reduced modulo the group order.
fn hash_to_scalar(data: &[u8]) -> Scalar {
    Scalar::from_bytes_mod_order(cn_fast_hash(data))
}

/// Monero's `generate_signature`: c = H(hash || P || kG), r = k - c*s. Fails closed when
/// the random source fails: a known nonce k gives away the secret s = (k - r) / c.
pub fn generate_signature(hash: &[u8; 32], secret: &[u8; 32]) -> Result<[u8; 64], Wallet2Error> {
    generate_signature_with(hash, secret, os_fill)
}

fn generate_signature_with(hash: &[u8; 32], secret: &[u8; 32], fill: Fill) -> Result<[u8; 64], Wallet2Error> {
    let s = Zeroizing::new(Scalar::from_bytes_mod_order(*secret));
    let public = (&*s * ED25519_BASEPOINT_TABLE).compress();
    let mut wide = Zeroizing::new([0u8; 64]);
    fill(wide.as_mut()).map_err(|_| Wallet2Error::Random)?;
    let k = Zeroizing::new(Scalar::from_bytes_mod_order_wide(&wide));
    let commitment = (&*k * ED25519_BASEPOINT_TABLE).compress();
    let mut buf = hash.to_vec();
    buf.extend_from_slice(public.as_bytes());
    buf.extend_from_slice(commitment.as_bytes());
    let c = hash_to_scalar(&buf);
    let r = *k - c * *s;
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(c.as_bytes());
    out[32..].copy_from_slice(r.as_bytes());
    Ok(out)
}

/// Monero's `check_signature`: canonical c and r, a valid public key, and
/// c == H(hash || P || cP + rG).
pub fn check_signature(hash: &[u8; 32], public: &[u8; 32], signature: &[u8]) -> bool {
    let Ok(sig) = <[u8; 64]>::try_from(signature) else { return false };
    let (Some(c), Some(r)) = (
        Option::<Scalar>::from(Scalar::from_canonical_bytes(sig[..32].try_into().unwrap_or_default())),
        Option::<Scalar>::from(Scalar::from_canonical_bytes(sig[32..].try_into().unwrap_or_default())),
    ) else {
        return false;
    };
    let Some(p) = CompressedEdwardsY(*public).decompress() else { return false };
    let commitment = EdwardsPoint::vartime_double_scalar_mul_basepoint(&c, &p, &r).compress();
    let mut buf = hash.to_vec();
    buf.extend_from_slice(public);
    buf.extend_from_slice(commitment.as_bytes());
    hash_to_scalar(&buf) == c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_round_trip_and_refuse_tampering() {
        let secret = [3u8; 32];
        let public = public_key(&secret);
        let hash = cn_fast_hash(b"message");
        let sig = generate_signature(&hash, &secret).unwrap();
        assert!(check_signature(&hash, &public, &sig));
        assert!(!check_signature(&cn_fast_hash(b"other"), &public, &sig));
        let mut bad = sig;
        bad[40] ^= 1;
        assert!(!check_signature(&hash, &public, &bad));
        assert!(!check_signature(&hash, &public_key(&[4u8; 32]), &sig));
    }

    /// The finding: with the random source failing, sealing went on with a zero iv and a
    /// zero Schnorr nonce, and r = -c*s gives the view key away. It must fail closed.
    #[test]
    fn sealing_fails_closed_when_the_random_source_fails() {
        let key = FileKey::new(&[7u8; 32]);
        let failing: Fill = |_| Err(());
        assert!(matches!(seal_with(&key, FileKind::KeyImages, b"plaintext", failing), Err(Wallet2Error::Random)));
        assert!(matches!(generate_signature_with(&[1u8; 32], &[7u8; 32], failing), Err(Wallet2Error::Random)));
        let sealed = key.seal(FileKind::KeyImages, b"plaintext").unwrap();
        assert_eq!(&key.open(FileKind::KeyImages, &sealed).unwrap()[..], b"plaintext");
    }
}
