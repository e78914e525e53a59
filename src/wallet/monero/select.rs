//! Which outputs a transfer spends, chosen as wallet2 0.18 chooses them
//! (`create_transactions_2`, `pick_preferred_rct_inputs`, `pop_best_value_from`,
//! `create_transactions_from`), so that a transaction built here looks like one built by
//! Feather or monero-wallet-cli: one output that covers it all if there is one (the oldest),
//! else the least related pair, else outputs picked at random among the least related to
//! those already picked; then, as wallet2 does to make most transactions 2-in/2-out, a small
//! unrelated second input when only one was needed. A sweep of many outputs is cut into
//! transactions that each stay under wallet2's weight target.
//!
//! Pure: the caller gives the candidates, the fee for n inputs, and the random source.

use std::collections::HashSet;

/// wallet2's `DEFAULT_MIN_OUTPUT_VALUE` and `DEFAULT_MIN_OUTPUT_COUNT`: a large output is
/// not spent as an optional second input when fewer than this many large ones would remain.
const MIN_OUTPUT_VALUE: u64 = 2_000_000_000_000;
const MIN_OUTPUT_COUNT: usize = 5;
/// wallet2's `SECOND_OUTPUT_RELATEDNESS_THRESHOLD`: the optional second input must be unrelated.
const SECOND_OUTPUT_RELATEDNESS_THRESHOLD: f32 = 0.0;

/// What the choice needs to know of one spendable output.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Index in the wallet's transfers (wallet2's `m_transfers` order).
    pub idx: u64,
    pub amount: u64,
    pub height: u64,
    pub tx_hash: [u8; 32],
    /// Subaddress index within the account: wallet2 spends one subaddress at a time when it can.
    pub minor: u32,
}

/// wallet2's `get_output_relatedness`: outputs of one transaction or of nearby blocks are
/// likely to be linked by an observer when spent together.
pub fn relatedness(a: &Candidate, b: &Candidate) -> f32 {
    if a.tx_hash == b.tx_hash {
        return 1.0;
    }
    match a.height.abs_diff(b.height) {
        0 => 0.9,
        1 => 0.8,
        2..=9 => 0.2,
        _ => 0.0,
    }
}

/// A uniform index below `n` (n > 0).
pub type Pick<'a> = &'a mut dyn FnMut(usize) -> usize;

/// The operating system's random source, as wallet2 uses `crypto::rand`.
pub fn os_pick(n: usize) -> usize {
    use rand::RngExt;
    rand::rng().random_range(0..n.max(1))
}

/// wallet2's `pop_best_value_from`: among `unused`, those least related to every selected
/// output; of them the smallest, or one at random. Removes and returns it.
fn pop_best(all: &[Candidate], unused: &mut Vec<usize>, selected: &[usize], smallest: bool, pick: Pick) -> Option<usize> {
    let position = best_position(all, unused, selected, smallest, pick)?;
    Some(unused.swap_remove(position))
}

fn best_position(all: &[Candidate], unused: &[usize], selected: &[usize], smallest: bool, pick: Pick) -> Option<usize> {
    let mut best = f32::INFINITY;
    let mut candidates = Vec::new();
    for (n, &u) in unused.iter().enumerate() {
        let r = selected.iter().map(|&s| relatedness(&all[u], &all[s])).fold(0.0f32, f32::max);
        if r < best {
            best = r;
            candidates.clear();
        }
        if r == best {
            candidates.push(n);
        }
    }
    if candidates.is_empty() {
        return None;
    }
    Some(if smallest { *candidates.iter().min_by_key(|&&n| (all[unused[n]].amount, n)).unwrap_or(&candidates[0]) } else { candidates[pick(candidates.len())] })
}

/// wallet2's `pick_preferred_rct_inputs`: the first output that covers `needed` alone, else
/// the least related pair of one subaddress that does (an unrelated pair at once, a pair
/// from one transaction never).
fn preferred(all: &[Candidate], needed: u64) -> Vec<usize> {
    if let Some(i) = all.iter().position(|c| c.amount >= needed) {
        return vec![i];
    }
    let mut picks = Vec::new();
    let mut current = 1.0f32;
    for i in 0..all.len() {
        for j in i + 1..all.len() {
            if all[i].minor != all[j].minor || all[i].amount.saturating_add(all[j].amount) < needed {
                continue;
            }
            let r = relatedness(&all[i], &all[j]);
            if r < current {
                picks = vec![i, j];
                if r == 0.0 {
                    return picks;
                }
                current = r;
            }
        }
    }
    picks
}

/// The outputs one transaction spends to pay `needed` plus its fee (`fee(n)` for n inputs),
/// as positions in `all` (which is in wallet order); None when the outputs do not cover it.
pub fn choose(all: &[Candidate], needed: u64, fee: &dyn Fn(usize) -> u64, pick: Pick) -> Option<Vec<usize>> {
    // One list per subaddress, the richest first (wallet2 sorts them by unlocked balance).
    let mut groups: Vec<(u32, Vec<usize>)> = Vec::new();
    for (i, c) in all.iter().enumerate() {
        match groups.iter_mut().find(|g| g.0 == c.minor) {
            Some(g) => g.1.push(i),
            None => groups.push((c.minor, vec![i])),
        }
    }
    let balance = |g: &(u32, Vec<usize>)| g.1.iter().map(|&i| all[i].amount).sum::<u64>();
    groups.sort_by_key(|g| std::cmp::Reverse(balance(g)));
    // wallet2 looks for preferred inputs against the fee of a 2-input transaction.
    let mut preferred = preferred(all, needed.saturating_add(fee(2)));
    if let Some(&first) = preferred.first() {
        if let Some(g) = groups.iter().position(|g| g.0 == all[first].minor) {
            groups.swap(0, g);
        }
    }
    let mut current = 0;
    let mut selected: Vec<usize> = Vec::new();
    loop {
        let total: u64 = selected.iter().map(|&i| all[i].amount).sum();
        let short = total < needed.saturating_add(fee(selected.len().max(1)));
        let unused_here = groups.get(current).map_or(0, |g| g.1.len());
        if !short && preferred.is_empty() && !(selected.len() == 1 && unused_here > 0) {
            return Some(selected);
        }
        if let Some(i) = preferred.pop() {
            for g in &mut groups {
                g.1.retain(|&u| u != i);
            }
            selected.push(i);
            continue;
        }
        if !short {
            // The optional second input: the smallest of the least related, if it is not
            // a large output the wallet is running short of, and if it is unrelated.
            let g = &mut groups[current].1;
            let Some(position) = best_position(all, g, &selected, true, pick) else { return Some(selected) };
            let candidate = &all[g[position]];
            let large_left = g.iter().filter(|&&u| all[u].amount >= MIN_OUTPUT_VALUE).count();
            if (candidate.amount >= MIN_OUTPUT_VALUE && large_left < MIN_OUTPUT_COUNT) || relatedness(candidate, &all[selected[0]]) > SECOND_OUTPUT_RELATEDNESS_THRESHOLD {
                return Some(selected);
            }
            selected.push(g.swap_remove(position));
            continue;
        }
        // Short: spend this subaddress's outputs, then the next richest.
        while groups.get(current).is_some_and(|g| g.1.is_empty()) {
            current += 1;
        }
        let g = groups.get_mut(current)?;
        let i = pop_best(all, &mut g.1, &selected, false, pick)?;
        selected.push(i);
    }
}

/// A sweep of `all` cut into transactions: each takes outputs at random among those least
/// related to what it already spends, until `fits(n + 1)` says one more input would pass
/// the weight target (wallet2's `create_transactions_from`). Every output is spent once.
pub fn split_sweep(all: &[Candidate], fits: &dyn Fn(usize) -> bool, pick: Pick) -> Vec<Vec<usize>> {
    let mut unused: Vec<usize> = (0..all.len()).collect();
    let mut txes = Vec::new();
    while !unused.is_empty() {
        let mut tx: Vec<usize> = Vec::new();
        while !unused.is_empty() && (tx.is_empty() || fits(tx.len() + 1)) {
            let Some(i) = pop_best(all, &mut unused, &tx, false, pick) else { break };
            tx.push(i);
        }
        txes.push(tx);
    }
    debug_assert_eq!(txes.iter().flatten().collect::<HashSet<_>>().len(), all.len());
    txes
}

/// How a transfer too heavy for one transaction is paid by several, as wallet2's
/// `create_transactions_2` does: each transaction's inputs (their total, and the fee set
/// aside for it) pay the destinations in order, one destination split over two transactions
/// where it falls on the boundary; the last pays what remains and keeps the change. Returns,
/// per transaction, the (destination, amount) it pays; trailing transactions left with
/// nothing to pay are dropped (their inputs stay unspent). None when the inputs fall short.
pub fn allocate(txes: &[(u64, u64)], amounts: &[u64]) -> Option<Vec<Vec<(usize, u64)>>> {
    let mut remaining = amounts.to_vec();
    let mut d = 0;
    let mut out = Vec::with_capacity(txes.len());
    for (n, &(inputs, fee)) in txes.iter().enumerate() {
        let mut available = inputs.checked_sub(fee)?;
        let last = n + 1 == txes.len();
        let mut pays = Vec::new();
        while d < remaining.len() && (available > 0 || remaining[d] == 0) {
            let pay = if last { remaining[d] } else { remaining[d].min(available) };
            if pay > available {
                return None;
            }
            pays.push((d, pay));
            remaining[d] -= pay;
            available -= pay;
            if remaining[d] == 0 {
                d += 1;
            }
        }
        out.push(pays);
    }
    if d < remaining.len() {
        return None;
    }
    while out.last().is_some_and(Vec::is_empty) {
        out.pop();
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const XMR: u64 = 1_000_000_000_000;

    fn c(idx: u64, amount: u64, height: u64, tx: u8, minor: u32) -> Candidate {
        Candidate { idx, amount, height, tx_hash: [tx; 32], minor }
    }

    fn first(_: usize) -> usize {
        0
    }

    #[test]
    fn relatedness_is_wallet2s() {
        let a = c(0, 1, 100, 1, 0);
        assert_eq!(relatedness(&a, &c(1, 1, 100, 1, 0)), 1.0);
        assert_eq!(relatedness(&a, &c(1, 1, 100, 2, 0)), 0.9);
        assert_eq!(relatedness(&a, &c(1, 1, 101, 2, 0)), 0.8);
        assert_eq!(relatedness(&a, &c(1, 1, 109, 2, 0)), 0.2);
        assert_eq!(relatedness(&a, &c(1, 1, 110, 2, 0)), 0.0);
    }

    #[test]
    fn one_output_that_covers_it_all_is_the_oldest_then_a_small_unrelated_second_joins() {
        let fee = |_| XMR / 100;
        // Outputs 1 and 2 each cover 3 XMR; the oldest (1) is preferred. Output 0 is small and
        // unrelated (height 10 vs 50): wallet2 adds it to make the transaction 2-in.
        let all = [c(0, XMR / 2, 10, 1, 0), c(1, 4 * XMR, 50, 2, 0), c(2, 5 * XMR, 60, 3, 0), c(3, XMR, 51, 4, 0)];
        let chosen = choose(&all, 3 * XMR, &fee, &mut first).unwrap();
        assert_eq!(chosen, vec![1, 0], "the oldest covering output, then the smallest least related one");
        // When the only other output is related (next block), none is added.
        let all = [c(0, 4 * XMR, 50, 2, 0), c(1, XMR / 2, 51, 3, 0)];
        assert_eq!(choose(&all, 3 * XMR, &fee, &mut first).unwrap(), vec![0]);
        // A large output is kept back when fewer than five large ones would remain.
        let all = [c(0, 4 * XMR, 50, 2, 0), c(1, 3 * XMR, 500, 3, 0)];
        assert_eq!(choose(&all, 3 * XMR, &fee, &mut first).unwrap(), vec![0]);
    }

    #[test]
    fn a_pair_of_one_subaddress_is_preferred_unrelated_over_related() {
        let fee = |_| XMR / 100;
        // No single output covers 5 XMR. (0, 1) are from one transaction: never. (0, 2) are
        // two blocks apart (0.2). (1, 3) are unrelated: taken. (2, 4) would do but is another
        // subaddress's.
        let all = [c(0, 3 * XMR, 100, 1, 0), c(1, 3 * XMR, 100, 1, 0), c(2, 3 * XMR, 102, 2, 0), c(3, 3 * XMR, 300, 3, 0), c(4, 3 * XMR, 400, 4, 7)];
        let mut chosen = choose(&all, 5 * XMR, &fee, &mut first).unwrap();
        chosen.sort();
        assert_eq!(chosen, vec![0, 3]);
    }

    #[test]
    fn without_a_pair_outputs_come_at_random_from_the_richest_subaddress_first_and_cover_the_fee() {
        // Ten outputs of 1 XMR at subaddress 1, three at subaddress 0: 4.5 XMR needs five,
        // all from subaddress 1 (the richest), the fee growing with each input.
        let mut all: Vec<Candidate> = (0..3).map(|i| c(i, XMR, 1000 + 100 * i, i as u8, 0)).collect();
        all.extend((3..13).map(|i| c(i, XMR, 20 * i, i as u8, 1)));
        let fee = |n: usize| n as u64 * XMR / 10;
        let mut seed = 7usize;
        let mut lcg = |n: usize| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        let chosen = choose(&all, 4 * XMR + XMR / 2, &fee, &mut lcg).unwrap();
        assert_eq!(chosen.len(), 5, "4.5 XMR + 0.5 fee");
        assert!(chosen.iter().all(|&i| all[i].minor == 1), "{chosen:?}");
        let total: u64 = chosen.iter().map(|&i| all[i].amount).sum();
        assert!(total >= 4 * XMR + XMR / 2 + fee(chosen.len()));
        // Not enough anywhere: None.
        assert_eq!(choose(&all, 13 * XMR, &fee, &mut lcg), None);
        // More than the richest subaddress holds: the next one's outputs join.
        let chosen = choose(&all, 11 * XMR, &fee, &mut lcg).unwrap();
        assert!(chosen.iter().any(|&i| all[i].minor == 0) && chosen.len() >= 12);
    }

    #[test]
    fn random_picks_differ_between_runs_but_stay_least_related() {
        let all: Vec<Candidate> = (0..40).map(|i| c(i, XMR, 20 * i, i as u8, 0)).collect();
        let fee = |_| 0;
        let runs: HashSet<Vec<usize>> = (0..20).map(|_| choose(&all, 3 * XMR, &fee, &mut os_pick).unwrap()).collect();
        assert!(runs.len() > 1, "wallet2's selection is random; 20 runs gave one answer");
    }

    #[test]
    fn a_transfer_too_heavy_for_one_transaction_pays_its_destinations_in_order_over_several() {
        // Three transactions of 10 XMR (fee 1 each) paying 7, 5 and 10: the first pays 7 and
        // 2 of the 5; the second the other 3 and 6 of the 10; the last the remaining 4.
        let txes = [(10 * XMR, XMR), (10 * XMR, XMR), (10 * XMR, XMR)];
        let paid = allocate(&txes, &[7 * XMR, 5 * XMR, 10 * XMR]).unwrap();
        assert_eq!(paid, vec![vec![(0, 7 * XMR), (1, 2 * XMR)], vec![(1, 3 * XMR), (2, 6 * XMR)], vec![(2, 4 * XMR)]]);
        // Each destination receives exactly what was asked.
        for (d, want) in [7 * XMR, 5 * XMR, 10 * XMR].iter().enumerate() {
            assert_eq!(paid.iter().flatten().filter(|(i, _)| *i == d).map(|(_, a)| a).sum::<u64>(), *want);
        }
        // One transaction: it pays everything.
        assert_eq!(allocate(&[(10 * XMR, XMR)], &[3 * XMR, 4 * XMR]).unwrap(), vec![vec![(0, 3 * XMR), (1, 4 * XMR)]]);
        // Short: None (the last cannot pay what remains; a fee above the inputs).
        assert_eq!(allocate(&txes, &[28 * XMR]), None, "27 XMR after fees");
        assert_eq!(allocate(&[(XMR, 2 * XMR)], &[1]), None);
        // A trailing transaction with nothing left to pay is dropped.
        assert_eq!(allocate(&[(10 * XMR, XMR), (10 * XMR, XMR)], &[5 * XMR]).unwrap(), vec![vec![(0, 5 * XMR)]]);
    }

    #[test]
    fn a_sweep_is_cut_under_the_weight_target_and_spends_every_output_once() {
        let all: Vec<Candidate> = (0..25).map(|i| c(i, XMR, i, i as u8, 0)).collect();
        let fits = |n: usize| n <= 10;
        let txes = split_sweep(&all, &fits, &mut os_pick);
        assert_eq!(txes.iter().map(Vec::len).collect::<Vec<_>>(), vec![10, 10, 5]);
        let mut every: Vec<usize> = txes.concat();
        every.sort();
        assert_eq!(every, (0..25).collect::<Vec<_>>());
        assert_eq!(split_sweep(&all[..3], &fits, &mut os_pick).len(), 1);
    }
}
