//! The online side: chain clients and what they persist (feature `net`).

pub mod xrpl;
