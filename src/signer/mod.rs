//! The offline side's state: accounts, the double-sign journal, transaction templates.
//! No network code lives here.

pub mod journal;
pub mod monero;
pub mod xrpl;
