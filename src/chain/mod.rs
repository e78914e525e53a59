//! Chain cores: keys, codecs, review models and signing. Pure: no I/O, no threads.

pub mod monero;
pub mod xrpl;
