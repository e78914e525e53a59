//! Monero. For now: CryptoNight v0, the key derivation behind wallet2's file encryption
//! (issue 4 builds the wallet2 formats and signing on it).

pub mod cryptonight;
pub mod wallet2_file;
