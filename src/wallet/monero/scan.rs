//! The view-only scanner: which outputs of a block are ours, with everything wallet2's files
//! later need (the tx public key that matched, every additional key, the global index, the
//! amount and mask). Pure: blocks in, receipts out; no daemon, no store.
//!
//! An output is ours when `P - Hs(8aR || i)G` is one of our subaddress spend keys. The view
//! tag (one byte of `H("view_tag" || 8aR || i)`) rejects 255 of 256 other outputs before the
//! expensive step; `8aR` is computed once per transaction key, not per output.

use crate::chain::monero::archive::varint_bytes;
use crate::chain::monero::cryptonight::cn_fast_hash;
use crate::chain::monero::keys::{hash_to_scalar, subaddress_spend_public_from};
use crate::chain::monero::outputs::{LOOKAHEAD_MAJOR, LOOKAHEAD_MINOR};
use crate::chain::monero::sign::commitment_mask;
use curve25519_dalek::constants::ED25519_BASEPOINT_TABLE;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use monero_interface::ScannableBlock;
use monero_oxide::ringct::EncryptedAmount;
use monero_oxide::transaction::{Pruned, Timelock, Transaction};
use monero_wallet::extra::Extra;
use std::collections::HashMap;
use zeroize::Zeroizing;

/// One output received, as wallet2's `transfer_details` keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub height: u64,
    pub tx_hash: [u8; 32],
    pub internal_index: u64,
    pub global_index: u64,
    pub out_key: [u8; 32],
    /// The main tx public key of the scan that found it (wallet2's `m_pk_index`).
    pub tx_pubkey: [u8; 32],
    pub pk_index: u64,
    pub additional_keys: Vec<[u8; 32]>,
    pub amount: u64,
    pub mask: [u8; 32],
    pub subaddress: (u32, u32),
    pub unlock_time: u64,
    pub coinbase: bool,
    /// The transaction's encrypted payment ID, decrypted (an integrated address's); None
    /// without one or for wallet2's all-zero dummy.
    pub payment_id: Option<[u8; 8]>,
}

/// A block's scan: its hash and what in it concerns us.
#[derive(Debug, Clone)]
pub struct ScannedBlock {
    pub height: u64,
    pub hash: [u8; 32],
    pub received: Vec<Received>,
    /// (key image, spending tx hash) for every input of the block: matched against ours by
    /// the wallet, which knows which key images it has.
    pub key_images: Vec<([u8; 32], [u8; 32])>,
    /// The spend keys (`P - Hs(8aR || i)G`) of outputs that passed the view tag but are not
    /// in the table: after the lookahead grows, only a block with one of these now in the
    /// table needs scanning again.
    pub misses: Vec<[u8; 32]>,
}

/// A subaddress spend key and its (account, index).
type TableEntry = ([u8; 32], (u32, u32));

/// Recognises our outputs from the primary spend public key and the secret view key.
pub struct ViewScanner {
    spend_public: EdwardsPoint,
    view_secret: Zeroizing<Scalar>,
    table: HashMap<[u8; 32], (u32, u32)>,
    /// Account `a` covers indices `0..minors[a]`: each account grows on its own, as in
    /// wallet2 (`expand_subaddresses`).
    minors: Vec<u32>,
    /// The table grew since it was built or loaded: the wallet saves it again.
    grown: bool,
}

/// Bytes per entry of a saved table: the spend key, then account and index (LE).
const SAVED_ENTRY: usize = 40;

impl ViewScanner {
    /// Covers accounts `0..accounts` x indices `0..indices`; wallet2 starts at 50 x 200.
    pub fn new(spend_public: &[u8; 32], view_secret: &[u8; 32], accounts: u32, indices: u32) -> Option<ViewScanner> {
        let spend_public = CompressedEdwardsY(*spend_public).decompress()?;
        let view_secret = Zeroizing::new(Option::<Scalar>::from(Scalar::from_canonical_bytes(*view_secret))?);
        let mut s = ViewScanner { spend_public, view_secret, table: HashMap::new(), minors: Vec::new(), grown: false };
        s.cover(&vec![indices; accounts as usize]);
        Some(s)
    }

    /// Covers account `a` up to `minors[a]` (at least), as a wallet's stored lookahead says.
    pub fn with_minors(spend_public: &[u8; 32], view_secret: &[u8; 32], minors: &[u32]) -> Option<ViewScanner> {
        let mut s = Self::new(spend_public, view_secret, 0, 0)?;
        s.cover(minors);
        Some(s)
    }

    pub fn with_default_lookahead(spend_public: &[u8; 32], view_secret: &[u8; 32]) -> Option<ViewScanner> {
        Self::new(spend_public, view_secret, LOOKAHEAD_MAJOR, LOOKAHEAD_MINOR)
    }

    /// Indices covered per account (what the wallet stores to rebuild this table).
    pub fn minors(&self) -> &[u32] {
        &self.minors
    }

    /// Extends account `a` to indices `0..minors[a]` for every `a` given (more accounts
    /// as needed), computing the new keys on every core (10,000 take about 0.3 s on one).
    fn cover(&mut self, minors: &[u32]) {
        let mut wanted = Vec::new();
        for (a, &want) in minors.iter().enumerate() {
            let a32 = a as u32;
            if self.minors.len() <= a {
                self.minors.push(0);
            }
            let have = self.minors[a];
            wanted.extend((have..want).map(|i| (a32, i)));
            self.minors[a] = have.max(want);
        }
        if wanted.is_empty() {
            return;
        }
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
        let chunk = wanted.len().div_ceil(threads).max(1);
        let (spend, view) = (&self.spend_public, &*self.view_secret);
        let key = move |&(a, i): &(u32, u32)| (subaddress_spend_public_from(spend, view, a, i).compress().to_bytes(), (a, i));
        let computed: Vec<Vec<TableEntry>> = std::thread::scope(|s| {
            let handles: Vec<_> = wanted.chunks(chunk).map(|part| s.spawn(move || part.iter().map(key).collect::<Vec<_>>())).collect();
            handles.into_iter().zip(wanted.chunks(chunk)).map(|(h, part)| h.join().unwrap_or_else(|_| part.iter().map(key).collect())).collect()
        });
        self.table.extend(computed.into_iter().flatten());
        self.grown = true;
    }

    /// The table as saved in the wallet file (wallet2 keeps its subaddress map in its cache
    /// too): rebuilding 10,000 keys costs more than a sync of a small chain.
    pub fn saved_table(&self) -> Vec<u8> {
        let mut entries: Vec<(&[u8; 32], &(u32, u32))> = self.table.iter().collect();
        entries.sort_by_key(|(_, at)| **at);
        let mut out = Vec::with_capacity(entries.len() * SAVED_ENTRY);
        for (key, (a, i)) in entries {
            out.extend_from_slice(key);
            out.extend_from_slice(&a.to_le_bytes());
            out.extend_from_slice(&i.to_le_bytes());
        }
        out
    }

    /// A scanner from a saved table, if it is whole for `minors` and entries checked against
    /// the keys (the first and last of each account, and a spread between) are right; None
    /// otherwise, and the caller builds the table afresh.
    pub fn from_saved_table(spend_public: &[u8; 32], view_secret: &[u8; 32], minors: &[u32], saved: &[u8]) -> Option<ViewScanner> {
        let mut s = Self::new(spend_public, view_secret, 0, 0)?;
        let expected: usize = minors.iter().map(|&m| m as usize).sum();
        if saved.len() != expected * SAVED_ENTRY {
            return None;
        }
        let mut table = HashMap::with_capacity(expected);
        for e in saved.chunks_exact(SAVED_ENTRY) {
            let key: [u8; 32] = e[..32].try_into().ok()?;
            let a = u32::from_le_bytes(e[32..36].try_into().ok()?);
            let i = u32::from_le_bytes(e[36..40].try_into().ok()?);
            if minors.get(a as usize).is_none_or(|&m| i >= m) || table.insert(key, (a, i)).is_some() {
                return None;
            }
        }
        if table.len() != expected {
            return None;
        }
        let step = (expected / 16).max(1);
        let spot: Vec<&[u8]> = saved.chunks_exact(SAVED_ENTRY).step_by(step).chain(saved.chunks_exact(SAVED_ENTRY).last()).collect();
        for e in spot {
            let (a, i) = (u32::from_le_bytes(e[32..36].try_into().ok()?), u32::from_le_bytes(e[36..40].try_into().ok()?));
            if subaddress_spend_public_from(&s.spend_public, &s.view_secret, a, i).compress().to_bytes() != e[..32] {
                return None;
            }
        }
        s.table = table;
        s.minors = minors.to_vec();
        Some(s)
    }

    /// Whether the table grew since the last call (and so should be saved again).
    pub fn take_grown(&mut self) -> bool {
        std::mem::take(&mut self.grown)
    }

    /// wallet2's lookahead rule: an output at (a, i) keeps 50 accounts beyond `a` in view
    /// (each new one with 200 indices) and 200 indices beyond `i` in account `a`. True when
    /// the table grew.
    pub fn grow_for(&mut self, (a, i): (u32, u32)) -> bool {
        let accounts = (a.saturating_add(LOOKAHEAD_MAJOR) as usize).max(self.minors.len());
        let mut want: Vec<u32> = (0..accounts).map(|x| self.minors.get(x).copied().unwrap_or(LOOKAHEAD_MINOR)).collect();
        let row = &mut want[a as usize];
        *row = (*row).max(i.saturating_add(LOOKAHEAD_MINOR));
        if want.iter().zip(&self.minors).all(|(w, h)| w <= h) && want.len() == self.minors.len() {
            return false;
        }
        self.cover(&want);
        true
    }

    /// Whether a block scanned with a smaller table holds an output this one recognises.
    pub fn recognises_a_miss(&self, block: &ScannedBlock) -> bool {
        block.misses.iter().any(|k| self.table.contains_key(k))
    }

    /// `8aR`, compressed (its bytes are what the view tag and `Hs` hash). The key comes
    /// decompressed from the extra's parser: decompressing it again would cost a square root.
    fn derivation(&self, tx_public: &EdwardsPoint) -> [u8; 32] {
        // By reference: no copy of the view secret on the stack.
        #[allow(clippy::op_ref)]
        (&*self.view_secret * tx_public).mul_by_cofactor().compress().to_bytes()
    }

    /// The outputs of one transaction that are ours.
    pub fn scan_transaction(&self, tx: &Transaction<Pruned>, tx_hash: [u8; 32], height: u64, first_global: u64) -> Vec<Received> {
        let mut misses = Vec::new();
        self.scan_transaction_into(tx, tx_hash, height, first_global, &mut misses)
    }

    fn scan_transaction_into(&self, tx: &Transaction<Pruned>, tx_hash: [u8; 32], height: u64, first_global: u64, misses: &mut Vec<[u8; 32]>) -> Vec<Received> {
        let Transaction::V2 { prefix, proofs } = tx else { return Vec::new() };
        let Ok(extra) = Extra::read(&mut prefix.extra.as_slice()) else { return Vec::new() };
        let Some((main_keys, additional)) = extra.keys() else { return Vec::new() };
        let main: Vec<[u8; 32]> = main_keys.iter().map(|k| k.compress().to_bytes()).collect();
        let additional_points = additional.unwrap_or_default();
        let additional: Vec<[u8; 32]> = additional_points.iter().map(|k| k.compress().to_bytes()).collect();
        // Each derivation is computed and compressed once: per transaction for the main keys,
        // per output for additional keys. Output keys are decompressed only past the view tag.
        let main_derivations: Vec<[u8; 32]> = main_keys.iter().map(|k| self.derivation(&(*k).into())).collect();
        let payment_id = decrypted_payment_id(&extra, main_derivations.first());
        let unlock_time = match prefix.additional_timelock {
            Timelock::None => 0,
            Timelock::Block(b) => b as u64,
            Timelock::Time(t) => t,
        };
        let mut found = Vec::new();
        for (i, output) in prefix.outputs.iter().enumerate() {
            let index = i as u64;
            let index_bytes = varint_bytes(index);
            // wallet2 tries each main key in turn; the additional key for this output with each.
            let extra_derivation = additional_points.get(i).map(|k| self.derivation(&(*k).into()));
            'keys: for (pk_index, d) in main_derivations.iter().enumerate() {
                for d in std::iter::once(d).chain(extra_derivation.as_ref()) {
                    if output.view_tag.is_some_and(|t| t != cn_fast_hash(&[&b"view_tag"[..], d, &index_bytes].concat())[0]) {
                        continue;
                    }
                    let Some(p) = CompressedEdwardsY(output.key.to_bytes()).decompress() else { break 'keys };
                    let s = Zeroizing::new(hash_to_scalar(&[&d[..], &index_bytes].concat()));
                    let spend = (p - &*s * ED25519_BASEPOINT_TABLE).compress().to_bytes();
                    let Some(&subaddress) = self.table.get(&spend) else {
                        misses.push(spend);
                        continue;
                    };
                    let (amount, mask, coinbase) = match output.amount {
                        // A miner output: the amount is in clear, the mask is 1.
                        Some(amount) => (amount, Scalar::ONE, true),
                        None => {
                            let Some(proofs) = proofs else { continue };
                            let Some(EncryptedAmount::Compact { amount }) = proofs.base.encrypted_amounts.get(i) else { continue };
                            let pad = crate::chain::monero::sign::encrypt_amount(0, &s);
                            let mut clear = [0u8; 8];
                            for (c, (a, p)) in clear.iter_mut().zip(amount.iter().zip(pad)) {
                                *c = a ^ p;
                            }
                            let amount = u64::from_le_bytes(clear);
                            let mask = commitment_mask(&s);
                            // The commitment must open to what we decrypted, or the sender lied.
                            let opened = monero_ed25519::Commitment::new(monero_ed25519::Scalar::from(mask), amount).commit().compress();
                            if proofs.base.commitments.get(i) != Some(&opened) {
                                continue;
                            }
                            (amount, mask, false)
                        }
                    };
                    found.push(Received {
                        height,
                        tx_hash,
                        internal_index: index,
                        global_index: first_global + index,
                        out_key: output.key.to_bytes(),
                        tx_pubkey: main[pk_index],
                        pk_index: pk_index as u64,
                        additional_keys: additional.clone(),
                        amount,
                        mask: mask.to_bytes(),
                        subaddress,
                        unlock_time,
                        coinbase,
                        payment_id,
                    });
                    break 'keys;
                }
            }
        }
        found
    }

    /// One block: the miner transaction first, then the others, RingCT output indices
    /// counted across them in that order.
    pub fn scan_block(&self, block: &ScannableBlock, height: u64) -> ScannedBlock {
        let mut received = Vec::new();
        let mut key_images = Vec::new();
        let mut misses = Vec::new();
        let miner = Transaction::<Pruned>::from(block.block.miner_transaction().clone());
        let mut next_global = block.output_index_for_first_ringct_output.unwrap_or(0);
        let txs = std::iter::once((block.block.miner_transaction().hash(), &miner)).chain(block.block.transactions.iter().copied().zip(block.transactions.iter()));
        for (hash, tx) in txs {
            if block.output_index_for_first_ringct_output.is_some() {
                received.extend(self.scan_transaction_into(tx, hash, height, next_global, &mut misses));
            }
            if matches!(tx, Transaction::V2 { .. }) {
                next_global += tx.prefix().outputs.len() as u64;
            }
            for input in &tx.prefix().inputs {
                if let monero_oxide::transaction::Input::ToKey { key_image, .. } = input {
                    key_images.push((key_image.to_bytes(), hash));
                }
            }
        }
        ScannedBlock { height, hash: block.block.hash(), received, key_images, misses }
    }

    /// Blocks scanned on every core, results in chain order. The blocks are split where
    /// their outputs (the work) balance, not by count: a few full blocks among empty ones
    /// would otherwise land on one core.
    pub fn scan_blocks(&self, blocks: &[ScannableBlock], first_height: u64) -> Vec<ScannedBlock> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(blocks.len().max(1));
        if threads <= 1 {
            return blocks.iter().enumerate().map(|(i, b)| self.scan_block(b, first_height + i as u64)).collect();
        }
        let work: Vec<usize> = blocks.iter().map(|b| 1 + b.block.miner_transaction().prefix().outputs.len() + b.transactions.iter().map(|t| t.prefix().outputs.len()).sum::<usize>()).collect();
        let total: usize = work.iter().sum();
        let mut bounds = vec![0usize];
        let mut acc = 0;
        for (i, w) in work.iter().enumerate() {
            acc += w;
            if acc * threads >= total * bounds.len() && bounds.len() < threads && i + 1 < blocks.len() {
                bounds.push(i + 1);
            }
        }
        bounds.push(blocks.len());
        std::thread::scope(|s| {
            let handles: Vec<_> = bounds
                .windows(2)
                .map(|r| {
                    let (from, to) = (r[0], r[1]);
                    s.spawn(move || (from..to).map(|i| self.scan_block(&blocks[i], first_height + i as u64)).collect::<Vec<_>>())
                })
                .collect();
            let mut out = Vec::with_capacity(blocks.len());
            for (h, r) in handles.into_iter().zip(bounds.windows(2)) {
                match h.join() {
                    Ok(part) => out.extend(part),
                    // A scan thread cannot panic on chain data by design; if one did, its
                    // share is scanned again here rather than lost.
                    Err(_) => out.extend((r[0]..r[1]).map(|i| self.scan_block(&blocks[i], first_height + i as u64))),
                }
            }
            out
        })
    }
}

/// wallet2's payment ID decryption: the 8-byte ID XOR `Keccak(8aR || 0x8d)`, with R the
/// first main transaction key (`get_tx_pub_key_from_extra`). The all-zero result is
/// wallet2's dummy (every 2-output transaction carries one) and means none.
fn decrypted_payment_id(extra: &Extra, derivation: Option<&[u8; 32]>) -> Option<[u8; 8]> {
    let monero_wallet::extra::PaymentId::Encrypted(id) = extra.payment_id()? else { return None };
    let pad = cn_fast_hash(&[&derivation?[..], &[0x8d]].concat());
    let mut clear = [0u8; 8];
    for (c, (i, p)) in clear.iter_mut().zip(id.iter().zip(pad)) {
        *c = i ^ p;
    }
    (clear != [0; 8]).then_some(clear)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::monero::keys::{Network, WalletKeys};

    #[test]
    fn the_lookahead_grows_per_account_and_only_blocks_with_a_now_known_miss_are_rescanned() {
        let keys = WalletKeys::generate(Network::Mainnet).unwrap();
        let mut s = ViewScanner::with_default_lookahead(&keys.spend_public(), &keys.view_secret_bytes()).unwrap();
        assert_eq!(s.minors(), &[LOOKAHEAD_MINOR; LOOKAHEAD_MAJOR as usize][..]);
        let view = Scalar::from_canonical_bytes(*keys.view_secret_bytes()).unwrap();
        let spend = CompressedEdwardsY(keys.spend_public()).decompress().unwrap();
        let key = |a, i| subaddress_spend_public_from(&spend, &view, a, i).compress().to_bytes();
        let block = ScannedBlock { height: 1, hash: [0; 32], received: Vec::new(), key_images: Vec::new(), misses: vec![key(0, 204)] };
        assert!(!s.recognises_a_miss(&block));
        // An output at (0, 5): account 0 covers 205 indices, the others keep 200 (wallet2's
        // expand_subaddresses), and (0, 204) is now recognised.
        assert!(s.grow_for((0, 5)));
        assert_eq!(&s.minors()[..2], &[205, 200]);
        assert_eq!(s.minors().len(), 50);
        assert!(s.recognises_a_miss(&block));
        assert!(!s.grow_for((0, 5)), "already covered");
        // An output in account 7 keeps 50 accounts beyond it: seven new ones, 200 each.
        assert!(s.grow_for((7, 0)));
        assert_eq!((s.minors().len(), s.minors()[56], s.table.len()), (57, 200, 57 * 200 + 5));
    }

    #[test]
    fn a_saved_table_is_reloaded_whole_or_refused() {
        let keys = WalletKeys::generate(Network::Mainnet).unwrap();
        let (spend, view) = (keys.spend_public(), *keys.view_secret_bytes());
        let mut s = ViewScanner::new(&spend, &view, 3, 20).unwrap();
        assert!(s.take_grown() && !s.take_grown());
        s.grow_for((1, 30));
        let saved = s.saved_table();
        let back = ViewScanner::from_saved_table(&spend, &view, s.minors(), &saved).unwrap();
        assert_eq!((back.minors(), &back.table), (s.minors(), &s.table));
        // Truncated, for other lookahead figures, or with a wrong key: rebuilt instead.
        assert!(ViewScanner::from_saved_table(&spend, &view, s.minors(), &saved[..saved.len() - 40]).is_none());
        assert!(ViewScanner::from_saved_table(&spend, &view, &[20, 20], &saved).is_none());
        let mut wrong = saved.clone();
        wrong[0] ^= 1;
        assert!(ViewScanner::from_saved_table(&spend, &view, s.minors(), &wrong).is_none());
        let other = WalletKeys::generate(Network::Mainnet).unwrap();
        assert!(ViewScanner::from_saved_table(&other.spend_public(), &view, s.minors(), &saved).is_none());
    }
}
