//! Bounds on what the online side may claim. The online machine is hostile: it reports the
//! account's Sequence, the ledger index and the fee, and it builds sign requests. Each claim
//! is checked here, offline, against what the signer already knows, before anything is shown
//! as signable. The same checks serve sign requests, template batches, replacements and
//! Keystone-style `bytes` requests.

use super::XrplAccount;
use crate::chain::xrpl::u32_field;
use serde_json::Value;

/// The longest a signed transaction may stay valid: LastLedgerSequence at most this many
/// ledgers past the last known validated ledger (about 2 hours at 3.5 s a ledger), whatever
/// margin an account or request asks for.
pub const MAX_LEDGER_MARGIN: u32 = 2000;
/// The default per-transaction fee cap: 1 XRP, rippled's default signing limit
/// (`fee_mult_max` x base fee is the server's; 1 XRP is what wallets treat as absurd).
pub const DEFAULT_MAX_FEE_DROPS: u64 = 1_000_000;
/// Ledgers close every 3-4 seconds; a state may advance the ledger index by at most one
/// ledger per second of elapsed time (a factor of 3 to 4 of slack), plus this many.
pub const LEDGER_ADVANCE_SLACK: u32 = 1000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BoundsError {
    #[error("transaction {tx}: Sequence {found}, but the account's next Sequence is {expected}")]
    Sequence { tx: usize, found: u32, expected: u32 },
    #[error("transaction {tx}: Ticket {ticket} is not one of this account's unused tickets ({known})")]
    Ticket { tx: usize, ticket: u32, known: String },
    #[error("transaction {tx}: LastLedgerSequence {found} is too far ahead: the last known validated ledger is {ledger}, and with the time since and a margin of {margin} at most {max} is accepted")]
    LastLedgerTooFar { tx: usize, found: u32, ledger: u32, margin: u32, max: u32 },
    #[error("transaction {tx}: LastLedgerSequence {found} is not after the last known validated ledger {ledger}: it has already expired")]
    LastLedgerPast { tx: usize, found: u32, ledger: u32 },
    #[error("transaction {tx}: no LastLedgerSequence; airsign signs only transactions that expire")]
    NoLastLedger { tx: usize },
    #[error("transaction {tx}: fee {found} drops is above this account's cap of {cap} drops (change the cap offline with `xrpl account set-fee-cap`)")]
    Fee { tx: usize, found: u64, cap: u64 },
    #[error("transaction {tx}: Fee is missing or not a number of drops")]
    FeeUnreadable { tx: usize },
    #[error("the online side reports ledger {found}, before the last known ledger {known}: ledgers do not go backwards")]
    LedgerBackwards { found: u32, known: u32 },
    #[error("the online side reports ledger {found}, but only {elapsed_s} s passed since ledger {known} was reported: at most {max} is possible")]
    LedgerTooFarAhead { found: u32, known: u32, elapsed_s: u64, max: u32 },
    #[error("the online side reports Sequence {found}, below the validated Sequence {known} it reported before: an account's Sequence never goes back")]
    SequenceBackwards { found: u32, known: u32 },
    #[error("the online side reports a fee of {found} drops, above this account's cap of {cap} drops")]
    ReportedFee { found: u64, cap: u64 },
    #[error("ledger margin {found} is above the hard cap of {MAX_LEDGER_MARGIN} ledgers")]
    Margin { found: u32 },
    #[error("refused: a replacement for Sequence {sequence}: {why}")]
    Replacement { sequence: u32, why: &'static str },
}

/// The highest LastLedgerSequence the signer accepts now: the last validated ledger it
/// knows, plus the ledgers that can have closed since it learned it (one a second), plus the
/// hard cap on the margin. (The account's own, smaller margin is what templates use; a
/// request built online may have seen a few more ledgers than the offline side knows of.)
pub fn max_last_ledger(account: &XrplAccount, now: u64) -> u32 {
    let elapsed = now.saturating_sub(account.state_applied_at);
    let advance = if account.state_applied_at == 0 { 0 } else { u32::try_from(elapsed).unwrap_or(u32::MAX) };
    account.ledger_index.saturating_add(advance).saturating_add(MAX_LEDGER_MARGIN)
}

/// Checks the fields the online side chose (or that templates filled from its reports).
/// `first_sequence` is what the first non-ticket transaction must use; each next one adds 1.
/// A Batch's inner transactions of this account take the Sequences after their outer one.
pub fn check_transactions(account: &XrplAccount, txs: &[Value], first_sequence: u32, now: u64) -> Result<(), BoundsError> {
    let mut expected = first_sequence;
    let mut tickets_used: Vec<u32> = Vec::new();
    let max_lls = max_last_ledger(account, now);
    for (i, tx) in txs.iter().enumerate() {
        let n = i + 1;
        check_fee(account, n, tx)?;
        let lls = u32_field(tx, "LastLedgerSequence").ok_or(BoundsError::NoLastLedger { tx: n })?;
        if lls <= account.ledger_index {
            return Err(BoundsError::LastLedgerPast { tx: n, found: lls, ledger: account.ledger_index });
        }
        if lls > max_lls {
            return Err(BoundsError::LastLedgerTooFar { tx: n, found: lls, ledger: account.ledger_index, margin: MAX_LEDGER_MARGIN, max: max_lls });
        }
        let mut chain = vec![tx];
        chain.extend(inner_of_account(tx, &account.address));
        for t in chain {
            check_sequence(account, n, t, &mut expected, &mut tickets_used)?;
        }
    }
    Ok(())
}

fn inner_of_account<'a>(tx: &'a Value, address: &str) -> Vec<&'a Value> {
    tx.get("RawTransactions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| r.get("RawTransaction"))
        .filter(|r| r.get("Account").and_then(Value::as_str) == Some(address))
        .collect()
}

fn check_sequence(account: &XrplAccount, n: usize, tx: &Value, expected: &mut u32, tickets_used: &mut Vec<u32>) -> Result<(), BoundsError> {
    let sequence = u32_field(tx, "Sequence").unwrap_or(u32::MAX);
    if let Some(ticket) = u32_field(tx, "TicketSequence") {
        // A ticketed transaction has Sequence 0 and spends one listed, unused ticket.
        if sequence != 0 {
            return Err(BoundsError::Sequence { tx: n, found: sequence, expected: 0 });
        }
        if !account.tickets.contains(&ticket) || tickets_used.contains(&ticket) {
            let known = if account.tickets.is_empty() { "none known".to_owned() } else { format!("{:?}", account.tickets) };
            return Err(BoundsError::Ticket { tx: n, ticket, known });
        }
        tickets_used.push(ticket);
        return Ok(());
    }
    if sequence != *expected {
        return Err(BoundsError::Sequence { tx: n, found: sequence, expected: *expected });
    }
    *expected = expected.saturating_add(1);
    Ok(())
}

pub fn check_fee(account: &XrplAccount, n: usize, tx: &Value) -> Result<(), BoundsError> {
    let fee: u64 = tx.get("Fee").and_then(Value::as_str).and_then(|f| f.parse().ok()).ok_or(BoundsError::FeeUnreadable { tx: n })?;
    if fee > account.max_fee_drops {
        return Err(BoundsError::Fee { tx: n, found: fee, cap: account.max_fee_drops });
    }
    Ok(())
}

/// Checks an `xrpl-state` report against what the account already knows: the ledger moves
/// forward, by no more than time allows; the validated Sequence never goes back; the fee is
/// under the cap. The first report of an account is taken as it is (nothing to compare).
pub fn check_report(account: &XrplAccount, ledger_index: u32, sequence: u32, fee_drops: u64, now: u64) -> Result<(), BoundsError> {
    if fee_drops > account.max_fee_drops {
        return Err(BoundsError::ReportedFee { found: fee_drops, cap: account.max_fee_drops });
    }
    if account.ledger_index != 0 && ledger_index < account.ledger_index {
        return Err(BoundsError::LedgerBackwards { found: ledger_index, known: account.ledger_index });
    }
    if account.state_applied_at != 0 {
        let elapsed_s = now.saturating_sub(account.state_applied_at);
        let max = account.ledger_index.saturating_add(u32::try_from(elapsed_s).unwrap_or(u32::MAX)).saturating_add(LEDGER_ADVANCE_SLACK);
        if ledger_index > max {
            return Err(BoundsError::LedgerTooFarAhead { found: ledger_index, known: account.ledger_index, elapsed_s, max });
        }
    }
    if sequence < account.reported_sequence {
        return Err(BoundsError::SequenceBackwards { found: sequence, known: account.reported_sequence });
    }
    Ok(())
}
