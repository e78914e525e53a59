//! Monero wallet keys as wallet2 derives them: the secret spend key `b` (what the mnemonic
//! encodes), the secret view key `a = Hs(b)`, the standard address and subaddresses.
//!
//! Subaddress (major, minor) != (0, 0): `m = Hs("SubAddr\0" || a || major || minor)`,
//! spend key `D = B + mG`, view key `C = aD`.

use super::cryptonight::cn_fast_hash;
use super::mnemonic::{self, MnemonicError};
use curve25519_dalek::constants::ED25519_BASEPOINT_TABLE;
use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;
use monero_address::{AddressType, MoneroAddress};
use monero_ed25519::Point;
use zeroize::Zeroizing;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Network {
    Mainnet,
    Stagenet,
    Testnet,
}

impl Network {
    pub fn name(self) -> &'static str {
        match self {
            Network::Mainnet => "mainnet",
            Network::Stagenet => "stagenet",
            Network::Testnet => "testnet",
        }
    }

    pub fn parse(name: &str) -> Option<Network> {
        match name {
            "mainnet" => Some(Network::Mainnet),
            "stagenet" => Some(Network::Stagenet),
            "testnet" => Some(Network::Testnet),
            _ => None,
        }
    }

    fn for_address(self) -> monero_address::Network {
        match self {
            Network::Mainnet => monero_address::Network::Mainnet,
            Network::Stagenet => monero_address::Network::Stagenet,
            Network::Testnet => monero_address::Network::Testnet,
        }
    }

    fn from_address(network: monero_address::Network) -> Network {
        match network {
            monero_address::Network::Mainnet => Network::Mainnet,
            monero_address::Network::Stagenet => Network::Stagenet,
            monero_address::Network::Testnet => Network::Testnet,
        }
    }
}

/// `Hs`: Keccak-256 reduced modulo the group order.
pub fn hash_to_scalar(data: &[u8]) -> Scalar {
    Scalar::from_bytes_mod_order(cn_fast_hash(data))
}

/// A parsed address: its network, whether it is a subaddress, and its two public keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedAddress {
    pub network: Network,
    pub is_subaddress: bool,
    pub spend: [u8; 32],
    pub view: [u8; 32],
}

/// Formats a standard address or subaddress from its public keys.
pub fn format_address(network: Network, is_subaddress: bool, spend: &[u8; 32], view: &[u8; 32]) -> Option<String> {
    let spend = monero_ed25519::CompressedPoint::from(*spend).decompress()?;
    let view = monero_ed25519::CompressedPoint::from(*view).decompress()?;
    let kind = if is_subaddress { AddressType::Subaddress } else { AddressType::Legacy };
    Some(MoneroAddress::new(network.for_address(), kind, spend, view).to_string())
}

/// Parses a standard address or subaddress (integrated addresses are refused: wallet2 folds
/// their payment id into tx extra, which the signer would have to check as well).
pub fn parse_address(text: &str) -> Option<ParsedAddress> {
    let address = MoneroAddress::from_str_with_unchecked_network(text.trim()).ok()?;
    let is_subaddress = match address.kind() {
        AddressType::Legacy => false,
        AddressType::Subaddress => true,
        _ => return None,
    };
    Some(ParsedAddress {
        network: Network::from_address(address.network()),
        is_subaddress,
        spend: address.spend().compress().to_bytes(),
        view: address.view().compress().to_bytes(),
    })
}

/// Parses any address a sender may pay: standard, subaddress, or integrated (a standard
/// address with an 8-byte payment id, returned beside it).
pub fn parse_destination(text: &str) -> Option<(ParsedAddress, Option<[u8; 8]>)> {
    let address = MoneroAddress::from_str_with_unchecked_network(text.trim()).ok()?;
    let (is_subaddress, payment_id) = match address.kind() {
        AddressType::Legacy => (false, None),
        AddressType::Subaddress => (true, None),
        AddressType::LegacyIntegrated(pid) => (false, Some(*pid)),
        _ => return None,
    };
    let parsed = ParsedAddress {
        network: Network::from_address(address.network()),
        is_subaddress,
        spend: address.spend().compress().to_bytes(),
        view: address.view().compress().to_bytes(),
    };
    Some((parsed, payment_id))
}

/// A Monero wallet's secret keys. `Debug` shows only public data.
#[derive(Clone)]
pub struct WalletKeys {
    spend_secret: Zeroizing<Scalar>,
    view_secret: Zeroizing<Scalar>,
    network: Network,
}

impl std::fmt::Debug for WalletKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WalletKeys").field("network", &self.network).field("address", &self.address()).finish_non_exhaustive()
    }
}

impl WalletKeys {
    /// A new wallet from the OS random source.
    pub fn generate(network: Network) -> Result<WalletKeys, getrandom::Error> {
        let mut wide = Zeroizing::new([0u8; 64]);
        getrandom::fill(wide.as_mut())?;
        let spend = Zeroizing::new(Scalar::from_bytes_mod_order_wide(&wide));
        Ok(Self::from_spend_scalar(spend, network))
    }

    /// wallet2's restore from a secret spend key: the key is reduced (sc_reduce32), and the
    /// view key is `Hs(b)`.
    pub fn from_spend_secret(spend: &[u8; 32], network: Network) -> WalletKeys {
        Self::from_spend_scalar(Zeroizing::new(Scalar::from_bytes_mod_order(*spend)), network)
    }

    pub fn from_mnemonic(phrase: &str, network: Network) -> Result<WalletKeys, MnemonicError> {
        let seed = mnemonic::decode(phrase)?;
        Ok(Self::from_spend_secret(&seed, network))
    }

    fn from_spend_scalar(spend: Zeroizing<Scalar>, network: Network) -> WalletKeys {
        let view = Zeroizing::new(hash_to_scalar(spend.as_bytes()));
        WalletKeys { spend_secret: spend, view_secret: view, network }
    }

    pub fn network(&self) -> Network {
        self.network
    }

    /// The 25-word mnemonic of the secret spend key.
    pub fn mnemonic(&self) -> Zeroizing<String> {
        mnemonic::encode(self.spend_secret.as_bytes())
    }

    pub fn spend_secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.spend_secret.to_bytes())
    }

    pub fn view_secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.view_secret.to_bytes())
    }

    pub(crate) fn spend_scalar(&self) -> &Scalar {
        &self.spend_secret
    }

    pub(crate) fn view_scalar(&self) -> &Scalar {
        &self.view_secret
    }

    pub fn spend_public(&self) -> [u8; 32] {
        self.spend_point().compress().to_bytes()
    }

    pub fn view_public(&self) -> [u8; 32] {
        (&*self.view_secret * ED25519_BASEPOINT_TABLE).compress().to_bytes()
    }

    fn spend_point(&self) -> EdwardsPoint {
        &*self.spend_secret * ED25519_BASEPOINT_TABLE
    }

    pub fn address(&self) -> String {
        self.subaddress(0, 0)
    }

    /// `m` for subaddress (major, minor); zero for the primary address.
    pub(crate) fn subaddress_secret(&self, major: u32, minor: u32) -> Zeroizing<Scalar> {
        subaddress_offset(&self.view_secret, major, minor)
    }

    /// The spend public key `D` of subaddress (major, minor); `B` for (0, 0).
    pub fn subaddress_spend_public(&self, major: u32, minor: u32) -> EdwardsPoint {
        subaddress_spend_public_from(&self.spend_point(), &self.view_secret, major, minor)
    }

    /// The address of (major, minor): the standard address for (0, 0), else a subaddress.
    pub fn subaddress(&self, major: u32, minor: u32) -> String {
        let (spend, view) = if (major, minor) == (0, 0) {
            (self.spend_point(), &*self.view_secret * ED25519_BASEPOINT_TABLE)
        } else {
            let d = self.subaddress_spend_public(major, minor);
            (d, *self.view_secret * d)
        };
        let kind = if (major, minor) == (0, 0) { AddressType::Legacy } else { AddressType::Subaddress };
        MoneroAddress::new(self.network.for_address(), kind, Point::from(spend), Point::from(view)).to_string()
    }
}

/// `m = Hs("SubAddr\0" || a || major || minor)`, the offset of subaddress (major, minor) from
/// the primary spend key; zero for (0, 0). Needs only the view secret: a view-only wallet
/// computes it too.
pub(crate) fn subaddress_offset(view_secret: &Scalar, major: u32, minor: u32) -> Zeroizing<Scalar> {
    if (major, minor) == (0, 0) {
        return Zeroizing::new(Scalar::ZERO);
    }
    let mut data = Zeroizing::new(Vec::with_capacity(8 + 32 + 8));
    data.extend_from_slice(b"SubAddr\0");
    data.extend_from_slice(view_secret.as_bytes());
    data.extend_from_slice(&major.to_le_bytes());
    data.extend_from_slice(&minor.to_le_bytes());
    Zeroizing::new(hash_to_scalar(&data))
}

/// `D = B + mG`: a subaddress's spend public key from the primary spend public key `B`.
pub fn subaddress_spend_public_from(spend_public: &EdwardsPoint, view_secret: &Scalar, major: u32, minor: u32) -> EdwardsPoint {
    spend_public + &*subaddress_offset(view_secret, major, minor) * ED25519_BASEPOINT_TABLE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_wallets_round_trip_through_the_mnemonic() {
        let keys = WalletKeys::generate(Network::Stagenet).unwrap();
        let again = WalletKeys::from_mnemonic(&keys.mnemonic(), Network::Stagenet).unwrap();
        assert_eq!(again.address(), keys.address());
        assert!(!format!("{keys:?}").contains(&hex::encode(*keys.spend_secret_bytes())));
        let parsed = parse_address(&keys.subaddress(2, 7)).unwrap();
        assert!(parsed.is_subaddress);
        assert_eq!(parsed.network, Network::Stagenet);
        assert_eq!(format_address(Network::Stagenet, true, &parsed.spend, &parsed.view).unwrap(), keys.subaddress(2, 7));
    }
}

