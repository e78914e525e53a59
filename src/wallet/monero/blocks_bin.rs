//! monerod's `get_blocks.bin` (pruned), read here rather than through monero-daemon-rpc.
//!
//! Why: monerod before 0.18.4 leaves every transaction's `prunable_hash` zero in this answer
//! (monero-project/monero#10120; measured on Debian's 0.18.0.0: 15 of 15 zero). The library
//! then gives up on the binary answer and falls back to three JSON requests per block:
//! 260 ms for 484 blocks here, where the binary answer for all of them takes 4 ms.
//!
//! What is checked, as wallet2 checks it: the blocks are the ones asked for (heights from the
//! miner transactions), each follows the one before, each has as many transactions as its
//! header lists, and the output indices cover every output. What cannot be checked with zero
//! prunable hashes is that a pruned transaction hashes to the id its block lists; wallet2
//! does not check it either (it takes the ids from the block), and neither does this: a
//! lying daemon can hide or invent receipts for a view-only wallet whatever it is asked.
//! Where monerod does send the hashes (0.18.4 and later), they are checked.

use monero_epee::{Epee, EpeeEntry};
use monero_interface::ScannableBlock;
use monero_oxide::block::Block;
use monero_oxide::transaction::{Pruned, Transaction};

type Entry<'e, 'p> = EpeeEntry<'e, 'p, &'e [u8]>;

/// The request: pruned blocks from `start` (monerod ignores a start of 0 and answers from
/// its chain history instead, so the genesis block is fetched another way), at most `count`
/// (monerod 0.18.4.3 and later honour it; older ones send up to 1,000).
pub fn request(start: u64, count: u64) -> Vec<u8> {
    let mut r = monero_epee::HEADER.to_vec();
    r.push(monero_epee::VERSION);
    r.push(3 << 2); // three fields
    field(&mut r, b"prune", 11, &[1]);
    field(&mut r, b"start_height", 5, &start.to_le_bytes());
    field(&mut r, b"max_block_count", 5, &count.to_le_bytes());
    r
}

fn field(r: &mut Vec<u8>, name: &[u8], kind: u8, value: &[u8]) {
    r.push(name.len() as u8);
    r.extend_from_slice(name);
    r.push(kind);
    r.extend_from_slice(value);
}

fn bad(what: impl std::fmt::Display) -> String {
    format!("get_blocks.bin: {what}")
}

fn epee<T>(r: Result<T, monero_epee::EpeeError>) -> Result<T, String> {
    r.map_err(|e| bad(format!("malformed answer ({e:?})")))
}

/// One block entry: the block, and (transaction, prunable hash) for each of its transactions.
type RawBlock = (Block, Vec<(Transaction<Pruned>, [u8; 32])>);

fn read_block(entry: Entry) -> Result<RawBlock, String> {
    let mut fields = epee(entry.fields())?;
    let (mut block, mut txs) = (None, Vec::new());
    while let Some(f) = fields.next() {
        let (key, value) = epee(f)?;
        match key.consume() {
            b"block" => {
                let mut bytes = epee(value.to_str())?.consume();
                block = Some(Block::read(&mut bytes).map_err(|e| bad(format!("a block does not parse ({e})")))?);
                if !bytes.is_empty() {
                    return Err(bad("bytes after a block"));
                }
            }
            b"txs" => {
                let mut list = epee(value.iterate())?;
                while let Some(t) = list.next() {
                    let mut tx_fields = epee(epee(t)?.fields())?;
                    let (mut tx, mut prunable) = (None, [0u8; 32]);
                    while let Some(tf) = tx_fields.next() {
                        let (k, v) = epee(tf)?;
                        match k.consume() {
                            b"blob" => {
                                let mut bytes = epee(v.to_str())?.consume();
                                tx = Some(Transaction::<Pruned>::read(&mut bytes).map_err(|e| bad(format!("a transaction does not parse ({e})")))?);
                                if !bytes.is_empty() {
                                    return Err(bad("bytes after a transaction"));
                                }
                            }
                            b"prunable_hash" => {
                                let bytes = epee(v.to_str())?.consume();
                                prunable = bytes.try_into().map_err(|_| bad("a prunable hash is not 32 bytes"))?;
                            }
                            _ => {}
                        }
                    }
                    txs.push((tx.ok_or_else(|| bad("a transaction entry without its blob"))?, prunable));
                }
            }
            _ => {}
        }
    }
    Ok((block.ok_or_else(|| bad("a block entry without its block"))?, txs))
}

/// For each object of the array `entry`, its field `indices`: the shape of both levels of
/// `output_indices` (blocks, then their transactions).
fn each_indices<'e>(entry: Entry<'e, '_>, mut f: impl FnMut(Entry<'e, '_>) -> Result<(), String>) -> Result<(), String> {
    let mut items = epee(entry.iterate())?;
    while let Some(item) = items.next() {
        let mut fields = epee(epee(item)?.fields())?;
        while let Some(field) = fields.next() {
            let (key, value) = epee(field)?;
            if key.consume() == b"indices" {
                f(value)?;
            }
        }
    }
    Ok(())
}

/// The output indices, flattened: block by block, transaction by transaction (miner first).
fn read_indices(entry: Entry, into: &mut Vec<u64>) -> Result<(), String> {
    each_indices(entry, |txs| {
        each_indices(txs, |list| {
            let mut list = epee(list.iterate())?;
            while let Some(i) = list.next() {
                into.push(epee(epee(i)?.to_u64())?);
            }
            Ok(())
        })
    })
}

/// The answer to [`request`]`(start, _)`, as scannable blocks `start..=end` (fewer when the
/// daemon sent fewer; never more).
pub fn parse(answer: &[u8], start: u64, end: u64) -> Result<Vec<ScannableBlock>, String> {
    let mut decoder = epee(Epee::new(answer))?;
    let mut fields = epee(epee(decoder.entry())?.fields())?;
    let (mut raw, mut indices, mut status) = (Vec::new(), Vec::new(), None);
    while let Some(f) = fields.next() {
        let (key, value) = epee(f)?;
        match key.consume() {
            b"blocks" => {
                let mut list = epee(value.iterate())?;
                while let Some(b) = list.next() {
                    raw.push(read_block(epee(b)?)?);
                }
            }
            b"output_indices" => read_indices(value, &mut indices)?,
            b"status" => status = Some(String::from_utf8_lossy(epee(value.to_str())?.consume()).into_owned()),
            _ => {}
        }
    }
    if let Some(s) = status.filter(|s| s != "OK") {
        return Err(bad(format!("status {s}")));
    }
    if raw.is_empty() {
        return Err(bad(format!("no blocks from height {start}")));
    }
    let mut indices = indices.as_slice();
    let wanted = usize::try_from(end.saturating_sub(start) + 1).unwrap_or(usize::MAX);
    let mut out: Vec<ScannableBlock> = Vec::with_capacity(raw.len().min(wanted));
    for (i, (block, txs)) in raw.into_iter().enumerate().take(wanted) {
        let height = start + i as u64;
        if block.number() as u64 != height {
            return Err(bad(format!("asked for block {height}, got block {}", block.number())));
        }
        if let Some(prev) = out.last() {
            if block.header.previous != prev.block.hash() {
                return Err(bad(format!("block {height} does not follow block {}", height - 1)));
            }
        }
        if txs.len() != block.transactions.len() {
            return Err(bad(format!("block {height} lists {} transactions, {} were sent", block.transactions.len(), txs.len())));
        }
        let miner = Transaction::<Pruned>::from(block.miner_transaction().clone());
        let mut first_ringct = None;
        for (n, tx) in std::iter::once(&miner).chain(txs.iter().map(|(t, _)| t)).enumerate() {
            let outputs = tx.prefix().outputs.len();
            if indices.len() < outputs {
                return Err(bad(format!("block {height}: output indices missing")));
            }
            if matches!(tx, Transaction::V2 { .. }) && outputs > 0 && first_ringct.is_none() {
                first_ringct = Some(indices[0]);
            }
            indices = &indices[outputs..];
            if n > 0 {
                let (_, prunable) = &txs[n - 1];
                if *prunable != [0; 32] && tx.hash_with_prunable_hash(*prunable) != Some(block.transactions[n - 1]) {
                    return Err(bad(format!("block {height}: transaction {} is not the one the block lists", n - 1)));
                }
            }
        }
        let transactions = txs.into_iter().map(|(t, _)| t).collect();
        out.push(ScannableBlock { block, transactions, output_index_for_first_ringct_output: first_ringct });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_is_monerods_epee() {
        let r = request(7, 1000);
        assert_eq!(&r[..10], &[0x01, 0x11, 0x01, 0x01, 0x01, 0x01, 0x02, 0x01, 0x01, 12]);
        assert_eq!(&r[10..18], b"\x05prune\x0b\x01");
        assert_eq!(&r[18..31], b"\x0cstart_height");
        assert_eq!((r[31], &r[32..40]), (5, &7u64.to_le_bytes()[..]));
        assert_eq!(r.len(), 40 + 1 + 15 + 1 + 8);
    }

    #[test]
    fn malformed_answers_are_errors_not_panics() {
        assert!(parse(&[], 1, 1).is_err());
        assert!(parse(&request(1, 1), 1, 1).is_err(), "an answer without blocks");
        let mut junk = request(1, 1);
        junk.truncate(20);
        assert!(parse(&junk, 1, 1).is_err());
        for n in 0..64u8 {
            let noise: Vec<u8> = (0..200u32).map(|i| (i as u8).wrapping_mul(n).wrapping_add(n)).collect();
            let mut answer = monero_epee::HEADER.to_vec();
            answer.push(1);
            answer.extend(noise);
            assert!(parse(&answer, 1, 10).is_err());
        }
    }
}
