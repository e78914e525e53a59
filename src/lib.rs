//! airsign: sign on an air-gapped computer, carry every payload as animated UR QR codes.
//!
//! Layers, lowest first: [`transport`] (UR parts, QR, frames), [`envelope`] (CBOR payloads
//! and the UR type table). Chain cores, the signer and the apps build on these.

#[cfg(feature = "gui")]
pub mod app;
pub mod chain;
pub mod cli;
pub mod envelope;
pub mod keystore;
pub mod signer;
pub mod transport;
#[cfg(feature = "net")]
pub mod wallet;
