//! The offline side's state: accounts, the double-sign journal, transaction templates.
//! No network code lives here.

pub mod journal;
pub mod monero;
pub mod xrpl;

/// Seconds since the Unix epoch on the offline clock (journal entries, state bounds); 0 if
/// the clock is before 1970.
pub fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}
