//! XRP Ledger: keys, the binary codec, signing. Pure: no I/O, no threads.

pub mod address;
pub mod codec;
pub mod definitions;
pub mod keys;
pub mod rfc1751;
pub mod sign;
pub mod validate;
