//! airsign: sign on an air-gapped computer, carry every payload as animated UR QR codes.
//!
//! Layers, lowest first: [`transport`] (UR parts, QR, frames), [`envelope`] (CBOR payloads
//! and the UR type table). Chain cores, the signer and the apps build on these.

#[cfg(feature = "gui")]
pub mod app;
pub mod chain;
pub mod cli;
pub mod doctor;
pub mod envelope;
pub mod keystore;
pub mod signer;
pub mod transport;
#[cfg(feature = "net")]
pub mod wallet;

/// The version and the git commit this binary was built from (build.rs), as
/// `airsign --version` prints it.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("AIRSIGN_GIT_COMMIT"), ")");

/// The time of that commit (Unix seconds; 0 when unknown): the machine's clock cannot
/// rightly be earlier.
pub fn commit_time() -> u64 {
    env!("AIRSIGN_COMMIT_TIME").parse().unwrap_or(0)
}
