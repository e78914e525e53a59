//! wallet2's output export (`Monero output export\x04`) and key image export
//! (`Monero key image export\x03`) plaintexts, and the offline step between them: prove each
//! output is ours, derive its key image, sign it the way `import_key_images` checks.
//!
//! Output export plaintext: spend public key, view public key, then either a pair
//! (offset, [exported_transfer_details]) (wallet2 0.18.0.x) or a tuple
//! (offset, total, [exported_transfer_details]) (later 0.18 releases). Each element carries a
//! version: 0 without the subaddress index, 1 with it.
//!
//! Key image export plaintext: u32 offset (little-endian), spend public key, view public key,
//! then (key image, signature) pairs in the order of the outputs; each signature is a
//! one-member ring signature over the key image, by the output's one-time secret key.

use super::archive::{varint_bytes, ArchiveError, Reader, Writer};
use super::keys::{hash_to_scalar, WalletKeys};
use curve25519_dalek::constants::ED25519_BASEPOINT_TABLE;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use monero_ed25519::Point;
use std::collections::HashMap;
use zeroize::Zeroizing;

/// wallet2's default subaddress lookahead: accounts 0..50, indices 0..200 in each.
pub const LOOKAHEAD_MAJOR: u32 = 50;
pub const LOOKAHEAD_MINOR: u32 = 200;

#[derive(Debug, thiserror::Error)]
pub enum OutputsError {
    #[error("malformed wallet2 data: {0}")]
    Archive(#[from] ArchiveError),
    #[error("this file belongs to another wallet (its keys are {0}); airsign holds {1}")]
    OtherWallet(String, String),
    #[error("output {index} (amount {amount}) does not belong to this wallet: refusing to export key images")]
    NotOurs { index: usize, amount: u64 },
    #[error("output {index}: invalid point in the file")]
    BadPoint { index: usize },
}

/// One `exported_transfer_details`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedOutput {
    pub pubkey: [u8; 32],
    pub internal_output_index: u64,
    pub global_output_index: u64,
    pub tx_pubkey: [u8; 32],
    /// bit 0 spent, 1 frozen, 2 rct, 3 key image known, 4 key image requested, 5 partial.
    pub flags: u8,
    pub amount: u64,
    pub additional_tx_keys: Vec<[u8; 32]>,
    /// Present in element version 1; a hint only: ownership is proven from the keys.
    pub subaddress: Option<(u32, u32)>,
}

impl ExportedOutput {
    pub fn is_spent(&self) -> bool {
        self.flags & 1 != 0
    }

    pub(crate) fn read(r: &mut Reader) -> Result<ExportedOutput, ArchiveError> {
        let version = r.version("exported_transfer_details", 0..=1)?;
        let pubkey = r.key()?;
        let internal_output_index = r.varint()?;
        let global_output_index = r.varint()?;
        let tx_pubkey = r.key()?;
        let flags = r.u8()?;
        let amount = r.varint()?;
        let additional_tx_keys = r.keys("additional tx keys")?;
        let subaddress = if version >= 1 { Some((r.varint_u32("subaddress major")?, r.varint_u32("subaddress minor")?)) } else { None };
        Ok(ExportedOutput { pubkey, internal_output_index, global_output_index, tx_pubkey, flags, amount, additional_tx_keys, subaddress })
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.varint(if self.subaddress.is_some() { 1 } else { 0 });
        w.bytes(&self.pubkey);
        w.varint(self.internal_output_index);
        w.varint(self.global_output_index);
        w.bytes(&self.tx_pubkey);
        w.u8(self.flags);
        w.varint(self.amount);
        w.keys(&self.additional_tx_keys);
        if let Some((major, minor)) = self.subaddress {
            w.varint(major as u64);
            w.varint(minor as u64);
        }
    }
}

/// (offset, total, outputs): total is absent in the older pair form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputList {
    pub offset: u64,
    pub total: Option<u64>,
    pub outputs: Vec<ExportedOutput>,
}

impl OutputList {
    pub(crate) fn read(r: &mut Reader) -> Result<OutputList, ArchiveError> {
        let n = r.tuple("output list", &[2, 3])?;
        let offset = r.varint()?;
        let total = if n == 3 { Some(r.varint()?) } else { None };
        // The smallest element: version, two keys, four varints, flags, empty vector.
        let count = r.count("outputs", 1 + 32 + 1 + 1 + 32 + 1 + 1 + 1)?;
        let outputs = (0..count).map(|_| ExportedOutput::read(r)).collect::<Result<Vec<_>, _>>()?;
        if let Some(total) = total {
            if offset.checked_add(outputs.len() as u64).is_none_or(|end| end > total) {
                return Err(r.invalid("output list", format!("offset {offset} + {} outputs exceeds the total {total}", outputs.len())));
            }
        }
        Ok(OutputList { offset, total, outputs })
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        match self.total {
            Some(total) => {
                w.varint(3);
                w.varint(self.offset);
                w.varint(total);
            }
            None => {
                w.varint(2);
                w.varint(self.offset);
            }
        }
        w.varint(self.outputs.len() as u64);
        for o in &self.outputs {
            o.write(w);
        }
    }
}

/// A decrypted output export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputsExport {
    pub spend_public: [u8; 32],
    pub view_public: [u8; 32],
    pub list: OutputList,
}

pub fn parse_outputs_export(plaintext: &[u8]) -> Result<OutputsExport, OutputsError> {
    let mut r = Reader::new(plaintext);
    let spend_public = r.key()?;
    let view_public = r.key()?;
    let list = OutputList::read(&mut r)?;
    r.finish()?;
    Ok(OutputsExport { spend_public, view_public, list })
}

pub fn write_outputs_export(export: &OutputsExport) -> Vec<u8> {
    let mut w = Writer::default();
    w.bytes(&export.spend_public);
    w.bytes(&export.view_public);
    export.list.write(&mut w);
    w.out
}

/// An output proven to be ours: its one-time secret key and key image.
pub struct OwnedOutput {
    pub subaddress: (u32, u32),
    pub key_image: [u8; 32],
    pub(crate) secret: Zeroizing<Scalar>,
}

impl std::fmt::Debug for OwnedOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OwnedOutput").field("subaddress", &self.subaddress).field("key_image", &hex::encode(self.key_image)).finish_non_exhaustive()
    }
}

/// Recognises outputs as ours: `P - Hs(8aR || i)G` must be one of our subaddress spend keys.
pub struct OutputScanner {
    keys: WalletKeys,
    table: HashMap<[u8; 32], (u32, u32)>,
}

impl OutputScanner {
    /// A scanner over subaddresses (0..major) x (0..minor), like wallet2's lookahead.
    pub fn new(keys: &WalletKeys, major: u32, minor: u32) -> OutputScanner {
        let mut table = HashMap::with_capacity((major * minor) as usize);
        for a in 0..major {
            for i in 0..minor {
                table.insert(keys.subaddress_spend_public(a, i).compress().to_bytes(), (a, i));
            }
        }
        OutputScanner { keys: keys.clone(), table }
    }

    pub fn with_default_lookahead(keys: &WalletKeys) -> OutputScanner {
        Self::new(keys, LOOKAHEAD_MAJOR, LOOKAHEAD_MINOR)
    }

    pub fn keys(&self) -> &WalletKeys {
        &self.keys
    }

    /// Whether an address (spend key D, view key V, its type) is one of ours: D in the
    /// lookahead, V = aD (V = A for the primary address), and the type that index has: (0, 0)
    /// is the standard address, every other index a subaddress. The wrong type would build
    /// an output this wallet never finds.
    pub fn owns_address(&self, spend: &[u8; 32], view: &[u8; 32], is_subaddress: bool) -> Option<(u32, u32)> {
        let &sub = self.table.get(spend)?;
        if is_subaddress != (sub != (0, 0)) {
            return None;
        }
        let expected = if sub == (0, 0) {
            self.keys.view_public()
        } else {
            (self.keys.view_scalar() * CompressedEdwardsY(*spend).decompress()?).compress().to_bytes()
        };
        (expected == *view).then_some(sub)
    }

    /// `8 * a * R`: the key derivation of a transaction public key with our view key.
    pub fn derivation(&self, tx_public: &[u8; 32]) -> Option<EdwardsPoint> {
        let r = CompressedEdwardsY(*tx_public).decompress()?;
        Some((self.keys.view_scalar() * r).mul_by_cofactor())
    }

    /// Which subaddress received output `index` of a transaction, if any, and the
    /// derivation scalar `Hs(D || index)`.
    pub fn recognise(&self, out_key: &[u8; 32], tx_public: &[u8; 32], additional: &[[u8; 32]], index: u64) -> Option<((u32, u32), Zeroizing<Scalar>)> {
        let p = CompressedEdwardsY(*out_key).decompress()?;
        let mut candidates = Vec::with_capacity(2);
        if let Some(d) = self.derivation(tx_public) {
            candidates.push(d);
        }
        if let Some(extra) = additional.get(index as usize) {
            if let Some(d) = self.derivation(extra) {
                candidates.push(d);
            }
        }
        for d in candidates {
            let s = Zeroizing::new(derivation_to_scalar(&d, index));
            let spend = (p - &*s * ED25519_BASEPOINT_TABLE).compress().to_bytes();
            if let Some(&sub) = self.table.get(&spend) {
                return Some((sub, s));
            }
        }
        None
    }

    /// Proves an output is ours and derives its one-time secret and key image.
    pub fn own(&self, out_key: &[u8; 32], tx_public: &[u8; 32], additional: &[[u8; 32]], index: u64) -> Option<OwnedOutput> {
        let (sub, s) = self.recognise(out_key, tx_public, additional, index)?;
        let secret = Zeroizing::new(*s + self.keys.spend_scalar() + *self.keys.subaddress_secret(sub.0, sub.1));
        if (&*secret * ED25519_BASEPOINT_TABLE).compress().to_bytes() != *out_key {
            return None;
        }
        let key_image = key_image(&secret, out_key);
        Some(OwnedOutput { subaddress: sub, key_image, secret })
    }
}

/// `Hs(D || varint(index))`.
pub fn derivation_to_scalar(derivation: &EdwardsPoint, index: u64) -> Scalar {
    let mut data = Zeroizing::new(derivation.compress().to_bytes().to_vec());
    data.extend_from_slice(&varint_bytes(index));
    hash_to_scalar(&data)
}

/// `x * Hp(P)`.
pub fn key_image(secret: &Scalar, out_key: &[u8; 32]) -> [u8; 32] {
    let hp: EdwardsPoint = Point::biased_hash(*out_key).into();
    (secret * hp).compress().to_bytes()
}

/// The one-member ring signature wallet2 puts beside each exported key image:
/// `c = Hs(prefix || kG || kHp(P))`, `r = k - c x`, prefix being the key image itself.
pub fn key_image_signature(secret: &Scalar, out_key: &[u8; 32], key_image: &[u8; 32]) -> [u8; 64] {
    let mut wide = Zeroizing::new([0u8; 64]);
    // The OS random source failing leaves zeros; mixing the secret in keeps k unpredictable.
    let _ = getrandom::fill(wide.as_mut());
    let mut seed = Zeroizing::new(wide.to_vec());
    seed.extend_from_slice(secret.as_bytes());
    seed.extend_from_slice(out_key);
    let k = Zeroizing::new(hash_to_scalar(&seed) + Scalar::from_bytes_mod_order_wide(&wide));
    let hp: EdwardsPoint = Point::biased_hash(*out_key).into();
    let mut buf = key_image.to_vec();
    buf.extend_from_slice((&*k * ED25519_BASEPOINT_TABLE).compress().as_bytes());
    buf.extend_from_slice((*k * hp).compress().as_bytes());
    let c = hash_to_scalar(&buf);
    let r = *k - c * secret;
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(c.as_bytes());
    sig[32..].copy_from_slice(r.as_bytes());
    sig
}

/// What importing an output export produced.
#[derive(Debug)]
pub struct KeyImageExport {
    pub offset: u32,
    pub owned: Vec<(ExportedOutput, OwnedOutput)>,
    /// The key image file plaintext (to be sealed with `wallet2_file::seal`).
    pub plaintext: Vec<u8>,
}

/// Checks every output in the export is ours and builds the signed key image plaintext.
pub fn export_key_images(scanner: &OutputScanner, export: &OutputsExport) -> Result<KeyImageExport, OutputsError> {
    let keys = scanner.keys();
    if export.spend_public != keys.spend_public() || export.view_public != keys.view_public() {
        let theirs = super::keys::format_address(keys.network(), false, &export.spend_public, &export.view_public).unwrap_or_else(|| "invalid keys".into());
        return Err(OutputsError::OtherWallet(theirs, keys.address()));
    }
    let offset = u32::try_from(export.list.offset).map_err(|_| ArchiveError::Invalid { what: "output list", at: 0, detail: "offset exceeds 32 bits".into() })?;
    let mut w = Writer::default();
    w.u32_fixed(offset);
    w.bytes(&export.spend_public);
    w.bytes(&export.view_public);
    let mut owned = Vec::with_capacity(export.list.outputs.len());
    for (index, out) in export.list.outputs.iter().enumerate() {
        let mine = scanner
            .own(&out.pubkey, &out.tx_pubkey, &out.additional_tx_keys, out.internal_output_index)
            .ok_or(OutputsError::NotOurs { index, amount: out.amount })?;
        let sig = key_image_signature(&mine.secret, &out.pubkey, &mine.key_image);
        w.bytes(&mine.key_image);
        w.bytes(&sig);
        owned.push((out.clone(), mine));
    }
    Ok(KeyImageExport { offset, owned, plaintext: w.out })
}

/// A parsed key image export: offset, the wallet's keys, (key image, signature) pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyImages {
    pub offset: u32,
    pub spend_public: [u8; 32],
    pub view_public: [u8; 32],
    pub signed: Vec<([u8; 32], [u8; 64])>,
}

pub fn parse_key_images(plaintext: &[u8]) -> Result<KeyImages, OutputsError> {
    let mut r = Reader::new(plaintext);
    let offset = r.u32_fixed()?;
    let spend_public = r.key()?;
    let view_public = r.key()?;
    if r.remaining() % 96 != 0 {
        return Err(r.invalid("key image list", format!("{} bytes is not a whole number of (key image, signature) pairs", r.remaining())).into());
    }
    let mut signed = Vec::with_capacity(r.remaining() / 96);
    while r.remaining() > 0 {
        let ki = r.key()?;
        let mut sig = [0u8; 64];
        sig.copy_from_slice(r.bytes(64)?);
        signed.push((ki, sig));
    }
    Ok(KeyImages { offset, spend_public, view_public, signed })
}

/// wallet2's `check_ring_signature` for one member, as `import_key_images` runs it.
pub fn check_key_image_signature(out_key: &[u8; 32], key_image: &[u8; 32], sig: &[u8; 64]) -> bool {
    let (Some(c), Some(r)) = (
        Option::<Scalar>::from(Scalar::from_canonical_bytes(sig[..32].try_into().unwrap_or_default())),
        Option::<Scalar>::from(Scalar::from_canonical_bytes(sig[32..].try_into().unwrap_or_default())),
    ) else {
        return false;
    };
    let (Some(p), Some(ki)) = (CompressedEdwardsY(*out_key).decompress(), CompressedEdwardsY(*key_image).decompress()) else {
        return false;
    };
    let hp: EdwardsPoint = Point::biased_hash(*out_key).into();
    let l = EdwardsPoint::vartime_double_scalar_mul_basepoint(&c, &p, &r);
    let rr = r * hp + c * ki;
    let mut buf = key_image.to_vec();
    buf.extend_from_slice(l.compress().as_bytes());
    buf.extend_from_slice(rr.compress().as_bytes());
    hash_to_scalar(&buf) == c
}
