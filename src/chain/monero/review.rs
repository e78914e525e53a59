//! What an unsigned set asks the signer to do, in human terms, checked with our own keys:
//! every input must be one of our outputs with the amount its commitment proves; change
//! must come back to this wallet; destinations, change and fee must add up.

use super::keys::{format_address, Network};
use super::outputs::{OutputScanner, OwnedOutput};
use super::txset::{Destination, TxConstructionData, UnsignedTxSet};
use serde::Serialize;

/// wallet2 (and consensus since 2022) uses rings of 16.
pub const RING_SIZE: usize = 16;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReviewError {
    #[error("the set holds no transaction")]
    Empty,
    #[error("transaction {tx}, input {input}: the output it spends is not ours (or the file was altered)")]
    InputNotOurs { tx: usize, input: usize },
    #[error("transaction {tx}, input {input}: the amount {amount} does not match the output's commitment")]
    InputAmount { tx: usize, input: usize, amount: u64 },
    #[error("transaction {tx}, input {input}: ring of {size} members; Monero requires {RING_SIZE}")]
    RingSize { tx: usize, input: usize, size: usize },
    #[error("transaction {tx}, input {input}: ring members are not distinct and in order")]
    RingOrder { tx: usize, input: usize },
    #[error("transaction {tx}: the change ({amount}) goes to an address that is not this wallet's: {address}")]
    ChangeNotOurs { tx: usize, amount: u64, address: String },
    #[error("transaction {tx}: the outputs do not match the destinations and change: {detail}")]
    Mismatch { tx: usize, detail: String },
    #[error("transaction {tx}: outputs ({outputs}) exceed inputs ({inputs})")]
    Overspend { tx: usize, inputs: u64, outputs: u64 },
    #[error("transaction {tx}: {detail}; airsign signs only RingCT transactions with Bulletproofs+ and view tags (what wallet2 0.18 builds)")]
    Unsupported { tx: usize, detail: String },
    #[error("transaction {tx}: tx extra: {detail}")]
    Extra { tx: usize, detail: String },
    #[error("transaction {tx}, input {input}: the same output is spent twice in this set")]
    DoubleSpend { tx: usize, input: usize },
    #[error("transaction {tx}: unlock_time {unlock_time}: airsign does not sign time-locked outputs (wallet2 refuses them since v0.18.3.4; a lock can freeze the recipient's funds for years)")]
    UnlockTime { tx: usize, unlock_time: u64 },
    #[error("transaction {tx}: an output of zero that is neither wallet2's one dummy output (no change, two outputs) nor to this wallet's verified change address")]
    ZeroOutput { tx: usize },
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct InputReview {
    pub amount: u64,
    pub ring_size: usize,
    pub key_image: String,
    /// The subaddress (account, index) that received the output.
    pub subaddress: (u32, u32),
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OutputReview {
    pub address: String,
    pub amount: u64,
    /// Set when the address is this wallet's own (account, index).
    pub ours: Option<(u32, u32)>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TxReview {
    pub inputs: Vec<InputReview>,
    pub destinations: Vec<OutputReview>,
    pub change: Option<OutputReview>,
    pub fee: u64,
    pub unlock_time: u64,
    /// A real (non-zero) short payment id, hex.
    pub payment_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Review {
    pub network: Network,
    pub transactions: Vec<TxReview>,
    /// Sum of the destinations that are not this wallet's, over all transactions.
    pub sent_to_others: u64,
    pub fee: u64,
    /// What the review cannot check offline and trusts the online wallet for.
    pub notes: Vec<String>,
}

/// The decoys come from the online wallet and are trusted, as wallet2's cold signing trusts
/// them: the offline machine has no chain to check them against.
pub const DECOY_NOTE: &str = "ring members (decoys) are chosen by the online wallet and cannot be checked offline: a hostile online wallet can weaken this transaction's privacy (not its amounts or destinations); airsign checked only that each ring has 16 distinct outputs in order, and names any ring that holds another input's real output";

/// One transaction's inputs, proven ours, in the set's order.
pub struct PreparedTx {
    pub owned: Vec<OwnedOutput>,
    /// The decrypted short payment id from tx extra, if any (zeros for none).
    pub payment_id: Option<[u8; 8]>,
}

/// XMR with 12 decimals, trailing zeros trimmed to at least one decimal.
pub fn format_xmr(atomic: u64) -> String {
    let whole = atomic / 1_000_000_000_000;
    let frac = format!("{:012}", atomic % 1_000_000_000_000);
    let trimmed = frac.trim_end_matches('0');
    format!("{whole}.{}", if trimmed.is_empty() { "0" } else { trimmed })
}

/// "1.5" XMR -> 1_500_000_000_000 atomic units; exact, no floating point.
pub fn parse_xmr(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() && frac.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 12 {
        return Err(format!("'{text}' is not an amount in XMR (digits, at most 12 after the point)"));
    }
    let too_large = || format!("'{text}' is too large");
    let whole: u64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| too_large())? };
    let frac: u64 = format!("{frac:0<12}").parse().unwrap_or(0);
    whole.checked_mul(1_000_000_000_000).and_then(|w| w.checked_add(frac)).ok_or_else(too_large)
}

fn describe(scanner: &OutputScanner, d: &Destination) -> OutputReview {
    let network = scanner.keys().network();
    OutputReview {
        address: format_address(network, d.is_subaddress, &d.spend, &d.view).unwrap_or_else(|| format!("(invalid keys {})", hex::encode(d.spend))),
        amount: d.amount,
        ours: scanner.owns_address(&d.spend, &d.view, d.is_subaddress),
    }
}

/// Reads tx extra as wallet2 leaves it in an unsigned set: a tx public key placeholder and an
/// optional nonce holding a (decrypted) short payment id, possibly additional public keys
/// (replaced when signing). Anything else is refused.
fn parse_extra(tx: usize, extra: &[u8]) -> Result<Option<[u8; 8]>, ReviewError> {
    let bad = |detail: &str| ReviewError::Extra { tx, detail: detail.into() };
    let mut i = 0;
    let mut payment_id = None;
    while i < extra.len() {
        match extra[i] {
            0x01 => {
                if extra.len() < i + 33 {
                    return Err(bad("truncated public key"));
                }
                i += 33;
            }
            0x02 => {
                let len = *extra.get(i + 1).ok_or_else(|| bad("truncated nonce"))? as usize;
                let nonce = extra.get(i + 2..i + 2 + len).ok_or_else(|| bad("truncated nonce"))?;
                match nonce {
                    [0x01, id @ ..] if id.len() == 8 => {
                        let mut pid = [0u8; 8];
                        pid.copy_from_slice(id);
                        payment_id = Some(pid);
                    }
                    [0x00, ..] => return Err(bad("a long (unencrypted) payment id: deprecated and refused")),
                    _ => return Err(bad("an unknown nonce")),
                }
                i += 2 + len;
            }
            0x04 => {
                // Additional public keys of the online wallet's dry run: the signer makes its own.
                let mut r = super::archive::Reader::new(&extra[i + 1..]);
                let n = r.count("additional keys", 32).map_err(|e| bad(&e.to_string()))?;
                i += 1 + r.position() + 32 * n;
                if i > extra.len() {
                    return Err(bad("truncated additional keys"));
                }
            }
            tag => return Err(bad(&format!("unexpected field 0x{tag:02x}"))),
        }
    }
    Ok(payment_id)
}

/// Sums amounts per address.
fn accumulate<'a>(into: &mut Vec<(&'a Destination, u64)>, d: &'a Destination, amount: u64) {
    if let Some(e) = into.iter_mut().find(|(k, _)| k.same_address(d)) {
        e.1 = e.1.saturating_add(amount);
    } else {
        into.push((d, amount));
    }
}

/// The one zero-amount output wallet2 makes: with no change and a single destination, it
/// sends 0 to the change entry so that every transaction has two outputs, and that entry is
/// a freshly generated random standard address (`account_base::generate`), not ours. So a
/// zero output is allowed only as that: the change entry, no change amount, exactly two
/// outputs, a standard address; or to our own verified change address.
fn zero_output_allowed(tcd: &TxConstructionData, d: &Destination, change_is_ours: bool) -> bool {
    if !tcd.change.same_address(d) {
        return false;
    }
    let zeros = tcd.splitted_dsts.iter().filter(|x| x.amount == 0).count();
    change_is_ours || (tcd.change.amount == 0 && zeros == 1 && tcd.splitted_dsts.len() == 2 && !d.is_subaddress)
}

fn review_tx(scanner: &OutputScanner, index: usize, tcd: &TxConstructionData) -> Result<(TxReview, PreparedTx), ReviewError> {
    let unsupported = |detail: String| ReviewError::Unsupported { tx: index, detail };
    if !tcd.use_rct() {
        return Err(unsupported("not RingCT".into()));
    }
    if !tcd.use_view_tags() {
        return Err(unsupported("no view tags".into()));
    }
    // rct::RangeProofPaddedBulletproof (3) with bulletproof version 4 is Bulletproofs+.
    if tcd.range_proof_type != 3 || tcd.bp_version != 4 {
        return Err(unsupported(format!("range proof type {} version {}", tcd.range_proof_type, tcd.bp_version)));
    }
    if tcd.sources.is_empty() {
        return Err(unsupported("no inputs".into()));
    }
    if tcd.splitted_dsts.is_empty() || tcd.splitted_dsts.len() > 16 {
        return Err(unsupported(format!("{} outputs (1 to 16 are possible)", tcd.splitted_dsts.len())));
    }
    if tcd.unlock_time != 0 {
        return Err(ReviewError::UnlockTime { tx: index, unlock_time: tcd.unlock_time });
    }
    let payment_id = parse_extra(index, &tcd.extra)?;

    let mut inputs = Vec::with_capacity(tcd.sources.len());
    let mut owned = Vec::with_capacity(tcd.sources.len());
    let mut total_in: u64 = 0;
    for (i, s) in tcd.sources.iter().enumerate() {
        if s.ring.len() != RING_SIZE {
            return Err(ReviewError::RingSize { tx: index, input: i, size: s.ring.len() });
        }
        if s.ring.windows(2).any(|w| w[0].global_index >= w[1].global_index) {
            return Err(ReviewError::RingOrder { tx: index, input: i });
        }
        let mut keys: Vec<&[u8; 32]> = s.ring.iter().map(|m| &m.key).collect();
        keys.sort();
        if keys.windows(2).any(|w| w[0] == w[1]) {
            return Err(ReviewError::RingOrder { tx: index, input: i });
        }
        let real = s.real();
        let mine = scanner
            .own(&real.key, &s.real_out_tx_key, &s.real_out_additional_tx_keys, s.real_output_in_tx_index)
            .ok_or(ReviewError::InputNotOurs { tx: index, input: i })?;
        let commitment = monero_ed25519::Commitment::new(monero_ed25519::Scalar::from(curve25519_dalek::Scalar::from_bytes_mod_order(s.mask)), s.amount);
        if !s.rct || commitment.commit().compress().to_bytes() != real.commitment {
            return Err(ReviewError::InputAmount { tx: index, input: i, amount: s.amount });
        }
        if owned.iter().any(|o: &OwnedOutput| o.key_image == mine.key_image) {
            return Err(ReviewError::DoubleSpend { tx: index, input: i });
        }
        total_in = total_in.checked_add(s.amount).ok_or_else(|| unsupported("input amounts overflow".into()))?;
        inputs.push(InputReview { amount: s.amount, ring_size: s.ring.len(), key_image: hex::encode(mine.key_image), subaddress: mine.subaddress });
        owned.push(mine);
    }

    // Change must be ours, verified with our keys (type included).
    let change_view = describe(scanner, &tcd.change);
    let change = if tcd.change.amount > 0 {
        if change_view.ours.is_none() {
            return Err(ReviewError::ChangeNotOurs { tx: index, amount: tcd.change.amount, address: change_view.address });
        }
        Some(change_view.clone())
    } else {
        None
    };

    // The outputs (splitted_dsts) must be exactly the destinations plus the change,
    // address by address.
    let mut expected: Vec<(&Destination, u64)> = Vec::new();
    for d in &tcd.dests {
        accumulate(&mut expected, d, d.amount);
    }
    if tcd.change.amount > 0 {
        accumulate(&mut expected, &tcd.change, tcd.change.amount);
    }
    let mut actual: Vec<(&Destination, u64)> = Vec::new();
    for d in &tcd.splitted_dsts {
        if d.amount == 0 && !zero_output_allowed(tcd, d, change_view.ours.is_some()) {
            return Err(ReviewError::ZeroOutput { tx: index });
        }
        accumulate(&mut actual, d, d.amount);
    }
    actual.retain(|(_, a)| *a > 0);
    for (d, amount) in &expected {
        let got = actual.iter().find(|(k, _)| k.same_address(d)).map(|(_, a)| *a).unwrap_or(0);
        if got != *amount {
            let who = describe(scanner, d).address;
            return Err(ReviewError::Mismatch { tx: index, detail: format!("{who} should receive {} but the outputs give it {}", format_xmr(*amount), format_xmr(got)) });
        }
    }
    if let Some((d, _)) = actual.iter().find(|(k, _)| !expected.iter().any(|(e, _)| e.same_address(k))) {
        return Err(ReviewError::Mismatch { tx: index, detail: format!("an output to {} that is neither a destination nor change", describe(scanner, d).address) });
    }
    let total_out = tcd.splitted_dsts.iter().try_fold(0u64, |acc, d| acc.checked_add(d.amount)).ok_or_else(|| unsupported("output amounts overflow".into()))?;
    if total_out > total_in {
        return Err(ReviewError::Overspend { tx: index, inputs: total_in, outputs: total_out });
    }
    let review = TxReview {
        inputs,
        destinations: tcd.dests.iter().map(|d| describe(scanner, d)).collect(),
        change,
        fee: total_in - total_out,
        unlock_time: tcd.unlock_time,
        payment_id: payment_id.filter(|p| *p != [0u8; 8]).map(hex::encode),
    };
    Ok((review, PreparedTx { owned, payment_id }))
}

/// Notes every ring that holds, as a decoy, the output another input of this set spends.
/// wallet2 draws each ring on its own and does this itself when the chain holds few outputs
/// (monero-wallet-rpc 0.18.0.0 did it on our regtest chain in CI), so refusing it would
/// refuse honest sets. It hides nothing of the amounts or destinations; it tells an observer
/// that at most one of the two rings spends that output, so that ring is a little weaker.
fn shared_real_outputs(set: &UnsignedTxSet) -> Vec<String> {
    let mut real = std::collections::HashMap::new();
    for (t, tcd) in set.txes.iter().enumerate() {
        for (i, s) in tcd.sources.iter().enumerate() {
            real.insert(s.real().global_index, (t, i));
        }
    }
    let mut notes = Vec::new();
    for (t, tcd) in set.txes.iter().enumerate() {
        for (i, s) in tcd.sources.iter().enumerate() {
            for m in &s.ring {
                if let Some(&(ot, oi)) = real.get(&m.global_index).filter(|owner| **owner != (t, i)) {
                    notes.push(format!(
                        "transaction {}, input {}: ring member {} is the output that transaction {}, input {} spends; wallet2 does this on chains with few outputs, and it makes this ring slightly weaker",
                        t + 1,
                        i + 1,
                        m.global_index,
                        ot + 1,
                        oi + 1
                    ));
                }
            }
        }
    }
    notes
}

/// Reviews every transaction of an unsigned set; refuses the whole set if any is wrong.
pub fn review(scanner: &OutputScanner, set: &UnsignedTxSet) -> Result<(Review, Vec<PreparedTx>), ReviewError> {
    if set.txes.is_empty() {
        return Err(ReviewError::Empty);
    }
    let mut transactions = Vec::new();
    let mut prepared = Vec::new();
    for (i, tcd) in set.txes.iter().enumerate() {
        let (r, p) = review_tx(scanner, i, tcd)?;
        for (j, o) in p.owned.iter().enumerate() {
            if prepared.iter().any(|q: &PreparedTx| q.owned.iter().any(|x| x.key_image == o.key_image)) {
                return Err(ReviewError::DoubleSpend { tx: i, input: j });
            }
        }
        transactions.push(r);
        prepared.push(p);
    }
    let mut notes = vec![DECOY_NOTE.to_owned()];
    notes.extend(shared_real_outputs(set));
    let sent_to_others = transactions.iter().flat_map(|t| t.destinations.iter()).filter(|d| d.ours.is_none()).map(|d| d.amount).sum();
    let fee = transactions.iter().map(|t| t.fee).sum();
    Ok((Review { network: scanner.keys().network(), transactions, sent_to_others, fee, notes }, prepared))
}

impl Review {
    /// The review as the signer shows it before asking for approval.
    /// The review as the CLI prints it: one aligned table per transaction (kind, amount
    /// with the decimal points in one column, full address or detail), then the totals and
    /// the notes. Addresses stay whole, to be copied and compared.
    pub fn to_table(&self) -> String {
        let destinations: usize = self.transactions.iter().map(|t| t.destinations.iter().filter(|d| d.ours.is_none()).count()).sum();
        let mut s = format!(
            "Monero {}: {} transaction(s), sending {} XMR to {destinations} other address(es), fee {} XMR\n",
            self.network.name(),
            self.transactions.len(),
            format_xmr(self.sent_to_others),
            format_xmr(self.fee)
        );
        let n = self.transactions.len();
        for (i, t) in self.transactions.iter().enumerate() {
            let leaving: u64 = t.destinations.iter().filter(|d| d.ours.is_none()).map(|d| d.amount).sum();
            s += &format!("\nTransaction {} of {n}: {} XMR leaves this wallet, fee {} XMR\n", i + 1, format_xmr(leaving), format_xmr(t.fee));
            let mut rows: Vec<(&str, u64, String)> = Vec::new();
            for d in &t.destinations {
                let whose = d.ours.map(|(a, b)| format!("  (this wallet, subaddress {a}/{b})")).unwrap_or_default();
                rows.push(("to", d.amount, format!("{}{whose}", d.address)));
            }
            match &t.change {
                Some(c) => rows.push(("change", c.amount, format!("{}  (this wallet, checked with its keys)", c.address))),
                None => rows.push(("change", 0, "none".into())),
            }
            rows.push(("fee", t.fee, String::new()));
            for input in &t.inputs {
                rows.push(("input", input.amount, format!("subaddress {}/{}, ring of {}, key image {}…", input.subaddress.0, input.subaddress.1, input.ring_size, &input.key_image[..16.min(input.key_image.len())])));
            }
            let amounts: Vec<(String, String)> = rows.iter().map(|(_, a, _)| format_xmr(*a).split_once('.').map(|(w, f)| (w.to_owned(), f.to_owned())).unwrap_or_default()).collect();
            let whole = amounts.iter().map(|(w, _)| w.len()).max().unwrap_or(1);
            let frac = amounts.iter().map(|(_, f)| f.len()).max().unwrap_or(1);
            s += &format!("  {:<7} {:<width$}  {}\n", "", "XMR", "address, or what it is", width = whole + 1 + frac);
            for ((kind, _, detail), (w, f)) in rows.iter().zip(&amounts) {
                s += format!("  {kind:<7} {w:>whole$}.{f:<frac$}  {detail}").trim_end();
                s += "\n";
            }
            if let Some(p) = &t.payment_id {
                s += &format!("  payment ID {p}\n");
            }
        }
        s += &format!("\nTotal sent to others {} XMR, total fee {} XMR\n", format_xmr(self.sent_to_others), format_xmr(self.fee));
        for note in &self.notes {
            let trusted = if note == DECOY_NOTE { "TRUSTED, NOT VERIFIED: " } else { "note: " };
            s += &format!("{trusted}{note}\n");
        }
        s
    }

    pub fn to_text(&self) -> String {
        let mut s = format!("Monero {} — {} transaction(s)\n", self.network.name(), self.transactions.len());
        for (i, t) in self.transactions.iter().enumerate() {
            s += &format!("\nTransaction {}:\n  inputs:\n", i + 1);
            for input in &t.inputs {
                s += &format!("    {} XMR (ring of {}, from subaddress {}/{}, key image {}…)\n", format_xmr(input.amount), input.ring_size, input.subaddress.0, input.subaddress.1, &input.key_image[..16]);
            }
            s += "  destinations:\n";
            for d in &t.destinations {
                let ours = d.ours.map(|(a, b)| format!("  (this wallet, subaddress {a}/{b})")).unwrap_or_default();
                s += &format!("    {} XMR -> {}{}\n", format_xmr(d.amount), d.address, ours);
            }
            match &t.change {
                Some(c) => s += &format!("  change: {} XMR back to this wallet ({})\n", format_xmr(c.amount), c.address),
                None => s += "  change: none\n",
            }
            s += &format!("  fee: {} XMR\n", format_xmr(t.fee));
            if t.unlock_time != 0 {
                s += &format!("  WARNING: outputs locked until {}\n", t.unlock_time);
            }
            if let Some(p) = &t.payment_id {
                s += &format!("  payment id: {p}\n");
            }
        }
        s += &format!("\nTotal sent to others: {} XMR, total fee: {} XMR\n", format_xmr(self.sent_to_others), format_xmr(self.fee));
        for n in &self.notes {
            s += &format!("note: {n}\n");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::{format_xmr, parse_xmr};

    #[test]
    fn amounts_in_xmr_are_exact() {
        assert_eq!(parse_xmr("1.5").unwrap(), 1_500_000_000_000);
        assert_eq!(parse_xmr("0.000000000001").unwrap(), 1);
        assert_eq!(parse_xmr(".25").unwrap(), 250_000_000_000);
        assert_eq!(parse_xmr("7").unwrap(), 7_000_000_000_000);
        assert_eq!(parse_xmr(&format_xmr(18_446_744_073_709_551_615)).unwrap(), u64::MAX);
        for bad in ["", ".", "1.0000000000001", "-1", "1e3", "1,5", "99999999999", "18446744.073709551616"] {
            assert!(parse_xmr(bad).is_err(), "{bad}");
        }
    }
}
