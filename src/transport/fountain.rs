//! Fountain decoding by Gaussian elimination over GF(2).
//!
//! Every fountain part is the XOR of a known set of fragments: one linear equation. The
//! `ur` crate's decoder only peels parts that reduce to a single unknown and drops the rest
//! of what it learns, so a receiver that joins mid-stream needs 1.4-2.4x seqLen parts. Here
//! every independent equation is kept in reduced row echelon form, so the message is
//! complete as soon as the received parts have rank seqLen, which is the information-
//! theoretic minimum for this wire format.

use super::part::{FountainPart, TransferId};
use std::collections::HashSet;

/// One equation: a bit mask of fragments and the XOR of their data.
struct Row {
    mask: Vec<u64>,
    data: Vec<u8>,
}

/// Decodes one transfer (one [`TransferId`]).
pub struct FountainDecoder {
    id: TransferId,
    /// `rows[i]` is the equation whose pivot (lowest fragment) is `i`. Reduced row echelon
    /// form: no row holds another row's pivot.
    rows: Vec<Option<Row>>,
    rank: usize,
    seen_seqs: HashSet<u32>,
}

/// What one part added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Absorbed {
    /// It raised the rank.
    Innovative,
    /// A sequence number already received, or a combination of what was known.
    Redundant,
}

impl FountainDecoder {
    pub fn new(id: TransferId) -> Self {
        let n = id.seq_len as usize;
        Self { id, rows: (0..n).map(|_| None).collect(), rank: 0, seen_seqs: HashSet::new() }
    }

    pub fn id(&self) -> TransferId {
        self.id
    }

    /// Independent equations received so far; the message is complete at seqLen.
    pub fn rank(&self) -> usize {
        self.rank
    }

    pub fn is_complete(&self) -> bool {
        self.rank == self.id.seq_len as usize
    }

    /// Fragments known exactly (rows that reduced to a single fragment).
    pub fn resolved_fragments(&self) -> usize {
        self.rows
            .iter()
            .flatten()
            .filter(|r| r.mask.iter().map(|w| w.count_ones()).sum::<u32>() == 1)
            .count()
    }

    /// `part` must belong to this transfer (same id); the caller checks.
    pub fn absorb(&mut self, part: &FountainPart) -> Absorbed {
        debug_assert_eq!(part.id, self.id);
        if self.is_complete() || !self.seen_seqs.insert(part.seq) {
            return Absorbed::Redundant;
        }
        let n = self.id.seq_len as usize;
        let mut mask = vec![0u64; n.div_ceil(64)];
        for i in fragment_indexes(part) {
            mask[i / 64] |= 1 << (i % 64);
        }
        let mut data = part.data.clone();
        // Eliminate every existing pivot. In RREF a pivot column occurs in its own row only,
        // so XORing a row in can add non-pivot bits but never another pivot: one pass over
        // the original bits suffices.
        for word in 0..mask.len() {
            let mut bits = mask[word];
            while bits != 0 {
                let i = word * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if let Some(row) = &self.rows[i] {
                    xor_into(&mut mask, &row.mask);
                    xor_into(&mut data, &row.data);
                }
            }
        }
        let Some(pivot) = lowest_bit(&mask) else {
            return Absorbed::Redundant;
        };
        // Keep RREF: remove the new pivot from every row that holds it.
        let (w, b) = (pivot / 64, 1u64 << (pivot % 64));
        for row in self.rows.iter_mut().flatten() {
            if row.mask[w] & b != 0 {
                xor_into(&mut row.mask, &mask);
                xor_into(&mut row.data, &data);
            }
        }
        self.rows[pivot] = Some(Row { mask, data });
        self.rank += 1;
        Absorbed::Innovative
    }

    /// The message, once complete; `None` before. The caller checks the CRC.
    pub fn message(&self) -> Option<Vec<u8>> {
        if !self.is_complete() {
            return None;
        }
        let mut out = Vec::with_capacity(self.id.seq_len as usize * self.id.fragment_len as usize);
        for row in &self.rows {
            // At full rank, RREF is the identity: each row is its own fragment.
            out.extend_from_slice(&row.as_ref()?.data);
        }
        out.truncate(self.id.message_len as usize);
        Some(out)
    }
}

/// The fragments a part mixes, as the encoder chose them (the `ur` crate's Xoshiro chooser,
/// which every Blockchain Commons implementation shares).
fn fragment_indexes(part: &FountainPart) -> Vec<usize> {
    if part.seq <= part.id.seq_len {
        return vec![part.seq as usize - 1];
    }
    // The header was validated, so the `ur` crate decodes the same CBOR without surprises.
    match minicbor::decode::<ur::fountain::Part>(&part.cbor) {
        Ok(p) => p.indexes(),
        Err(_) => Vec::new(),
    }
}

fn xor_into<T: Copy + std::ops::BitXorAssign>(dst: &mut [T], src: &[T]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d ^= *s;
    }
}

fn lowest_bit(mask: &[u64]) -> Option<usize> {
    mask.iter()
        .enumerate()
        .find(|(_, w)| **w != 0)
        .map(|(i, w)| i * 64 + w.trailing_zeros() as usize)
}
