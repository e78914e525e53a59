//! Monero: keys and mnemonic, CryptoNight v0, the wallet2 file envelope and the wallet2
//! payloads the offline signer reads and writes.

pub mod archive;
pub mod cryptonight;
pub mod keys;
pub mod mnemonic;
pub mod outputs;
pub mod review;
pub mod sign;
pub mod txset;
pub mod wallet2_file;
