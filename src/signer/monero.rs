//! The Monero offline signer's workflow over wallet2 files: outputs in, signed key images
//! out; an unsigned set in, a review, the journal's check, a signed set out.
//!
//! Files in and out are whole wallet2 files (magic, iv, ciphertext, signature), exactly what
//! monero-wallet-cli, Feather and Keystone exchange (as the content of the `xmr-*` URs).

use super::journal::{Journal, JournalError, SpendMarker};
use crate::chain::monero::archive::ArchiveError;
use crate::chain::monero::cryptonight::cn_fast_hash;
use crate::chain::monero::keys::{Network, WalletKeys};
use crate::keystore::WalletInfo;
use crate::chain::monero::outputs::{self, OutputScanner, OutputsError};
use crate::chain::monero::review::{self, PreparedTx, Review, ReviewError};
use crate::chain::monero::sign::{self, SignError};
use crate::chain::monero::txset::{self, UnsignedTxSet};
use crate::chain::monero::wallet2_file::{FileKey, FileKind, Wallet2Error};

#[derive(Debug, thiserror::Error)]
pub enum MoneroSignerError {
    #[error(transparent)]
    File(#[from] Wallet2Error),
    #[error(transparent)]
    Outputs(#[from] OutputsError),
    #[error("malformed wallet2 data: {0}")]
    Archive(#[from] ArchiveError),
    /// Not a `source`: the message already carries the review error, and a chain printer
    /// (anyhow's `{:#}`) would print it twice.
    #[error("refused: {0}")]
    Review(ReviewError),
    #[error(transparent)]
    Sign(#[from] SignError),
    #[error(transparent)]
    Journal(#[from] JournalError),
}

impl From<ReviewError> for MoneroSignerError {
    fn from(e: ReviewError) -> Self {
        MoneroSignerError::Review(e)
    }
}

/// What a key image export covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyImageSummary {
    pub outputs: usize,
    pub total: u64,
    pub on_subaddresses: usize,
}

/// Outputs file -> signed key image file. Every output must be ours.
pub fn key_images(scanner: &OutputScanner, outputs_file: &[u8]) -> Result<(Vec<u8>, KeyImageSummary), MoneroSignerError> {
    let key = FileKey::new(&scanner.keys().view_secret_bytes());
    let plain = key.open(FileKind::Outputs, outputs_file)?;
    let export = outputs::parse_outputs_export(&plain)?;
    let ki = outputs::export_key_images(scanner, &export)?;
    let summary = KeyImageSummary {
        outputs: ki.owned.len(),
        total: ki.owned.iter().map(|(o, _)| o.amount).sum(),
        on_subaddresses: ki.owned.iter().filter(|(_, m)| m.subaddress != (0, 0)).count(),
    };
    Ok((key.seal(FileKind::KeyImages, &ki.plaintext)?, summary))
}

/// An unsigned set, checked and described, ready to sign.
pub struct ReviewedSet {
    pub review: Review,
    /// Identifies this exact set in the journal: re-signing it is harmless, a different set
    /// spending the same key images is not.
    pub id: String,
    set: UnsignedTxSet,
    prepared: Vec<PreparedTx>,
    file_key: FileKey,
}

impl ReviewedSet {
    pub fn key_images(&self) -> Vec<String> {
        self.review.transactions.iter().flat_map(|t| t.inputs.iter().map(|i| i.key_image.clone())).collect()
    }

    fn markers(&self) -> Vec<SpendMarker> {
        self.key_images().into_iter().map(|key_image| SpendMarker::Monero { key_image }).collect()
    }
}

pub fn review_unsigned(scanner: &OutputScanner, unsigned_file: &[u8]) -> Result<ReviewedSet, MoneroSignerError> {
    let file_key = FileKey::new(&scanner.keys().view_secret_bytes());
    let plain = file_key.open(FileKind::UnsignedTxSet, unsigned_file)?;
    let set = txset::parse_unsigned(&plain)?;
    let (review, prepared) = review::review(scanner, &set)?;
    // Keyed on what is signed, not on the whole file: a re-export that differs only in its
    // `transfers` list is the same set and must not raise a respend warning.
    let id = hex::encode(cn_fast_hash(&txset::signed_content(&set)));
    Ok(ReviewedSet { review, id, set, prepared, file_key })
}

/// Which earlier set already spent one of these key images, if any (for the warning).
pub fn journal_conflict(reviewed: &ReviewedSet, journal: &Journal) -> Option<(String, String)> {
    reviewed.markers().into_iter().find_map(|m| {
        let existing = journal.signed_hash(&m)?;
        (existing != reviewed.id).then(|| match m {
            SpendMarker::Monero { key_image } => (key_image, existing.to_owned()),
            _ => (String::new(), existing.to_owned()),
        })
    })
}

/// Signs a reviewed set and journals its key images (durably) before returning the signed
/// file. `allow_respend` is the user's explicit override of the journal.
pub fn sign_reviewed(scanner: &OutputScanner, reviewed: &ReviewedSet, journal: &mut Journal, allow_respend: bool) -> Result<Vec<u8>, MoneroSignerError> {
    let markers = reviewed.markers();
    if !allow_respend {
        journal.check(&markers, &reviewed.id)?;
    }
    let signed = sign::sign_set(scanner, &reviewed.set, &reviewed.prepared)?;
    let plain = txset::write_signed(&signed);
    journal.record_signed(&markers, &reviewed.id, allow_respend)?;
    Ok(reviewed.file_key.seal(FileKind::SignedTxSet, &plain)?)
}

/// The keystore record of a Monero wallet: the public part (address, network, restore
/// height); its secret is the spend key.
pub fn keystore_info(name: &str, keys: &WalletKeys, restore_height: u64) -> WalletInfo {
    let public = serde_json::json!({ "address": keys.address(), "network": keys.network().name(), "restore_height": restore_height });
    WalletInfo { name: name.to_owned(), chain: "monero".into(), public }
}

/// The wallet an unlocked keystore record holds: a Monero record with a known network and
/// a 32-byte spend key whose address is the one stored beside it.
pub fn keys_from_record(info: &WalletInfo, secret: &[u8]) -> Result<WalletKeys, String> {
    let network = info.public["network"].as_str().and_then(Network::parse);
    let (true, Some(network), Ok(spend)) = (info.chain == "monero", network, <&[u8; 32]>::try_from(secret)) else {
        return Err(format!("wallet '{}' is not a Monero wallet", info.name));
    };
    let keys = WalletKeys::from_spend_secret(spend, network);
    if info.public["address"].as_str() != Some(keys.address().as_str()) {
        return Err(format!("wallet '{}': the stored address does not match its keys", info.name));
    }
    Ok(keys)
}

/// The view-only wallet data Feather scans (`{"version":0,...}`): public address, secret
/// view key, restore height, name.
pub fn view_only_json(keys: &WalletKeys, restore_height: u64, wallet_name: &str) -> String {
    serde_json::json!({
        "version": 0,
        "primaryAddress": keys.address(),
        "privateViewKey": hex::encode(*keys.view_secret_bytes()),
        "restoreHeight": restore_height,
        "walletName": wallet_name,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keystore_record_gives_back_its_wallet_and_nothing_else() {
        let keys = WalletKeys::generate(Network::Stagenet).unwrap();
        let secret = keys.spend_secret_bytes();
        let info = keystore_info("cold", &keys, 42);
        assert_eq!(info.public["restore_height"], 42);
        assert_eq!(keys_from_record(&info, secret.as_ref()).unwrap().address(), keys.address());

        let other = WalletKeys::generate(Network::Stagenet).unwrap();
        let mut swapped = info.clone();
        swapped.public["address"] = other.address().into();
        assert_eq!(keys_from_record(&swapped, secret.as_ref()).unwrap_err(), "wallet 'cold': the stored address does not match its keys");
        let xrpl = WalletInfo { chain: "xrpl".into(), ..info.clone() };
        assert_eq!(keys_from_record(&xrpl, secret.as_ref()).unwrap_err(), "wallet 'cold' is not a Monero wallet");
        assert!(keys_from_record(&info, &secret.as_ref()[..31]).is_err(), "a short secret");
    }
}
