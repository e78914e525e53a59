//! The online side: chain clients and what they persist (feature `net`).

pub mod monero;
pub mod xrpl;
