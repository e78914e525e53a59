//! Transfers built as wallet2 builds them on a view-only wallet, written as its
//! `unsigned_tx_set` for the offline signer: inputs chosen among unlocked outputs of one
//! account, rings of 16 from monero-oxide's decoy picker (wallet2's gamma distribution over
//! the daemon's output distribution), the fee from the exact weight of the transaction the
//! signer will build, change to (account, 0), and wallet2's dummy output when there is none.

use super::scan::Received;
use crate::chain::monero::archive::varint_bytes;
use crate::chain::monero::txset::{AddressMix, Destination, RingMember, Source, TxConstructionData};
use monero_ed25519::Scalar as OxScalar;
use monero_interface::ProvidesDecoys;
use monero_wallet::{OutputWithDecoys, WalletOutput};

pub const RING_SIZE: u8 = 16;

/// `construction_flags`: RingCT and view tags, as every 0.18 wallet2 writes.
const FLAGS_RCT_VIEW_TAGS: u8 = 3;
/// `rct_config`: padded Bulletproofs (3), version 4 = Bulletproofs+.
const RANGE_PROOF_PADDED: u64 = 3;
const BP_PLUS: u64 = 4;

/// The exact weight of a CLSAG / Bulletproofs+ / view-tag transaction with these rings
/// (relative key offsets per input), `outputs` outputs, `extra_len` bytes of tx extra and
/// this fee: its serialized size plus the Bulletproofs+ clawback wallet2 and consensus add
/// when more than two outputs share one proof.
pub fn tx_weight(rings: &[Vec<u64>], outputs: usize, extra_len: usize, fee: u64) -> u64 {
    let v = |n: u64| varint_bytes(n).len() as u64;
    let ring_len: u64 = rings.first().map_or(RING_SIZE as u64, |r| r.len() as u64);
    let inputs = rings.len() as u64;
    let n_out = outputs as u64;
    // Prefix: version, unlock time, inputs (tag, amount 0, offsets, key image), outputs
    // (amount 0, tag, key, view tag), extra.
    let mut size = v(2) + v(0) + v(inputs);
    for r in rings {
        size += 1 + v(0) + v(r.len() as u64) + r.iter().map(|o| v(*o)).sum::<u64>() + 32;
    }
    size += v(n_out) + n_out * (v(0) + 1 + 32 + 1);
    size += v(extra_len as u64) + extra_len as u64;
    // RingCT base: type, fee, compact amounts, commitments.
    size += 1 + v(fee) + n_out * 8 + n_out * 32;
    // Prunable: one Bulletproof+ (A, A1, B, r1, s1, d1, L and R of 6 + log2(padded) each).
    let mut log_padded = 0u64;
    while (1u64 << log_padded) < n_out {
        log_padded += 1;
    }
    let lr = 6 + log_padded;
    size += v(1) + 6 * 32 + 2 * (v(lr) + lr * 32);
    // CLSAGs (s per ring member, c1, D) and pseudo-outputs.
    size += inputs * (ring_len * 32 + 64) + inputs * 32;
    if n_out > 2 {
        let bp_base = (32 * (6 + 7 * 2)) / 2;
        let padded = 1u64 << log_padded.max(1);
        let mut log = 2;
        while (1u64 << log) < padded {
            log += 1;
        }
        let bp_size = 32 * (6 + 2 * (6 + log));
        size += (bp_base * padded - bp_size) * 4 / 5;
    }
    size
}

/// wallet2's fee for a weight: `weight x fee per byte`, rounded up to the daemon's mask.
pub fn fee_for_weight(weight: u64, per_byte: u64, mask: u64) -> u64 {
    let fee = weight.saturating_mul(per_byte);
    let mask = mask.max(1);
    fee.div_ceil(mask).saturating_mul(mask)
}

/// The fee the signer's transaction will carry: the fee's own varint is part of the weight,
/// so the two are settled together.
pub fn fee_for(rings: &[Vec<u64>], outputs: usize, extra_len: usize, per_byte: u64, mask: u64) -> u64 {
    let mut fee = fee_for_weight(tx_weight(rings, outputs, extra_len, 0), per_byte, mask);
    for _ in 0..4 {
        let next = fee_for_weight(tx_weight(rings, outputs, extra_len, fee), per_byte, mask);
        if next <= fee {
            break;
        }
        fee = next;
    }
    fee
}

/// The tx extra a signer writes for this shape: the tx public key, a payment id nonce
/// (the integrated address's, or wallet2's dummy on two-output transactions), and one
/// additional key per output when subaddresses are mixed with other addresses.
pub fn signed_extra_len(dests: &[Destination], change: &Destination, has_payment_id: bool, outputs: usize) -> usize {
    let additional = AddressMix::of(dests, change).needs_additional_keys();
    33 + if has_payment_id || outputs == 2 { 11 } else { 0 } + if additional { 1 + varint_bytes(outputs as u64).len() + 32 * outputs } else { 0 }
}

/// The tx extra the online wallet hands over (wallet2 keeps its dry run's; the signer
/// replaces the key fields, so only the payment id nonce matters): the integrated address's
/// payment id, else wallet2's dummy zero id on a two-output transaction, in the clear (the
/// signer encrypts it with the transaction key).
pub fn unsigned_extra(payment_id: Option<[u8; 8]>, outputs: usize) -> Vec<u8> {
    match payment_id {
        Some(pid) => [&[0x02, 9, 0x01][..], &pid].concat(),
        None if outputs == 2 => [&[0x02, 9, 0x01][..], &[0u8; 8]].concat(),
        None => Vec::new(),
    }
}

/// monero-oxide's decoy picker wants its own output type; only the global index, key and
/// commitment are read from it, so one is assembled from those (its documented layout).
fn as_wallet_output(r: &Received) -> Option<WalletOutput> {
    let mut bytes = Vec::with_capacity(160);
    bytes.extend_from_slice(&r.tx_hash);
    bytes.extend_from_slice(&r.internal_index.to_le_bytes());
    bytes.extend_from_slice(&r.global_index.to_le_bytes());
    bytes.extend_from_slice(&r.out_key);
    bytes.extend_from_slice(&[0u8; 32]); // key offset: unknown without the spend key, unused here
    bytes.extend_from_slice(&r.mask);
    bytes.extend_from_slice(&r.amount.to_le_bytes());
    bytes.extend_from_slice(&[0, 0, 0, 0]); // no timelock, no subaddress, no payment id, no data
    WalletOutput::read(&mut bytes.as_slice()).ok()
}

/// The commitment of an output we hold: `mask G + amount H`.
pub fn commitment_of(r: &Received) -> Option<[u8; 32]> {
    let mask = OxScalar::read(&mut r.mask.as_slice()).ok()?;
    Some(monero_ed25519::Commitment::new(mask, r.amount).commit().compress().to_bytes())
}

/// A ring for one of our outputs: 15 decoys and the real one, sorted by global index.
pub fn ring_for(rpc: &impl ProvidesDecoys, top_block: u64, r: &Received) -> Result<(Vec<RingMember>, u64), String> {
    let wo = as_wallet_output(r).ok_or("cannot express the output for the decoy picker")?;
    let mut rng = rand_core_06::OsRng;
    let top = usize::try_from(top_block).map_err(|_| "height")?;
    let with_decoys = super::daemon::block_on(OutputWithDecoys::new(&mut rng, rpc, RING_SIZE, top, wo)).map_err(|e| format!("decoy selection: {e:?}"))?;
    let decoys = with_decoys.decoys();
    let ring: Vec<RingMember> = decoys
        .positions()
        .into_iter()
        .zip(decoys.ring())
        .map(|(global_index, [key, commitment])| RingMember { global_index, key: key.compress().to_bytes(), commitment: commitment.compress().to_bytes() })
        .collect();
    let real = decoys.signer_index() as u64;
    if ring.get(real as usize).map(|m| m.global_index) != Some(r.global_index) {
        return Err("the decoy picker lost the real output".into());
    }
    Ok((ring, real))
}

/// The relative offsets of a ring (what the transaction serializes).
pub fn offsets(ring: &[RingMember]) -> Vec<u64> {
    let mut prev = 0;
    ring.iter()
        .map(|m| {
            let o = m.global_index - prev;
            prev = m.global_index;
            o
        })
        .collect()
}

/// `tx_source_entry` for one of our outputs and its ring.
pub fn source(r: &Received, ring: Vec<RingMember>, real: u64) -> Source {
    Source {
        ring,
        real_output: real,
        real_out_tx_key: r.tx_pubkey,
        real_out_additional_tx_keys: r.additional_keys.clone(),
        real_output_in_tx_index: r.internal_index,
        amount: r.amount,
        rct: true,
        mask: r.mask,
        multisig_klrki: [0u8; 128],
    }
}

/// wallet2's stand-in change when there is none: a zero amount to a random address, so a
/// transaction always has two outputs.
pub fn dummy_change() -> Result<Destination, String> {
    let random_point = || -> Result<[u8; 32], String> {
        let mut wide = [0u8; 64];
        getrandom::fill(&mut wide).map_err(|_| "the OS random source failed")?;
        let k = curve25519_dalek::Scalar::from_bytes_mod_order_wide(&wide);
        Ok((&k * curve25519_dalek::constants::ED25519_BASEPOINT_TABLE).compress().to_bytes())
    };
    Ok(Destination { original: Vec::new(), amount: 0, spend: random_point()?, view: random_point()?, is_subaddress: false, is_integrated: false })
}

/// Everything decided about one transaction, ready to be written.
#[allow(clippy::too_many_arguments)]
pub fn construction_data(
    sources: Vec<Source>,
    selected: Vec<u64>,
    dests: Vec<Destination>,
    change: Destination,
    payment_id: Option<[u8; 8]>,
    account: u32,
    mut indices: Vec<u32>,
) -> TxConstructionData {
    let mut splitted = dests.clone();
    if change.amount > 0 || dests.len() == 1 {
        splitted.push(change.clone());
    }
    indices.sort_unstable();
    indices.dedup();
    let extra = unsigned_extra(payment_id, splitted.len());
    TxConstructionData {
        sources,
        change,
        splitted_dsts: splitted,
        selected_transfers: selected,
        extra,
        unlock_time: 0,
        construction_flags: FLAGS_RCT_VIEW_TAGS,
        rct_config_version: 0,
        range_proof_type: RANGE_PROOF_PADDED,
        bp_version: BP_PLUS,
        dests,
        subaddr_account: account,
        subaddr_indices: indices,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// wallet2's own sweep set (fixtures/monero/txsets.json, 1 input, 2 outputs): its fee is
    /// exactly the weight of that transaction times 1,200,000 per byte, the regtest rate.
    #[test]
    fn the_weight_of_wallet2s_sweep_gives_its_fee() {
        let globals = [4u64, 22, 69, 170, 181, 186, 258, 260, 276, 340, 349, 350, 363, 368, 425, 433];
        let ring: Vec<RingMember> = globals.iter().map(|g| RingMember { global_index: *g, key: [0; 32], commitment: [0; 32] }).collect();
        let rings = vec![offsets(&ring)];
        assert_eq!(tx_weight(&rings, 2, 44, 1_808_400_000), 1507);
        assert_eq!(fee_for(&rings, 2, 44, 1_200_000, 10_000), 1_808_400_000);
    }

    #[test]
    fn three_outputs_pay_the_bulletproof_clawback() {
        let rings = vec![vec![1u64; 16], vec![1u64; 16]];
        let two = tx_weight(&rings, 2, 44, 1 << 31);
        let three = tx_weight(&rings, 3, 33 + 2 + 96, 1 << 31);
        // A third output: 35 bytes of prefix, 40 of amount and commitment, 64 more of L/R,
        // 87 more bytes of extra (additional keys instead of the dummy id) and one more for
        // its length (131 needs two varint bytes), clawback 460.
        assert_eq!(three - two, 35 + 40 + 64 + 87 + 1 + 460);
    }

    /// wallet2's own two-input, three-output set (subaddress destination, so additional
    /// keys): 2,853 weight units at 1,200,000 per byte.
    #[test]
    fn the_weight_of_wallet2s_two_input_set_gives_its_fee() {
        let ring = |g: &[u64]| offsets(&g.iter().map(|g| RingMember { global_index: *g, key: [0; 32], commitment: [0; 32] }).collect::<Vec<_>>());
        let rings = vec![ring(&[33, 35, 81, 82, 122, 165, 269, 273, 300, 321, 325, 351, 372, 422, 427, 428]), ring(&[5, 44, 126, 196, 244, 253, 263, 284, 293, 309, 327, 340, 371, 421, 422, 434])];
        assert_eq!(fee_for(&rings, 3, 33 + 2 + 3 * 32, 1_200_000, 10_000), 3_423_600_000);
    }

    #[test]
    fn fees_round_up_to_the_mask() {
        assert_eq!(fee_for_weight(1507, 1_200_000, 10_000), 1_808_400_000);
        assert_eq!(fee_for_weight(3, 7, 10), 30);
        assert_eq!(fee_for_weight(3, 7, 0), 21);
    }
}
