//! Monero's `binary_archive`: the byte layout of wallet2's serialized structures.
//!
//! Rules (from Monero's serialization headers): integers written with `FIELD` are fixed-width
//! little-endian, `VARINT_FIELD`s and integers inside pairs, tuples and containers are
//! LEB128 varints, containers and strings are prefixed with a varint count, a pair or tuple
//! is prefixed with a varint element count (2 or 3), keys are 32 raw bytes.
//!
//! The reader never trusts a count: each container count is checked against the bytes left
//! (every element takes at least `min_element` bytes), so a hostile count cannot make it
//! allocate.

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ArchiveError {
    #[error("the data ends early (at byte {0}): truncated or not this kind of file")]
    Truncated(usize),
    #[error("a varint at byte {0} is too long or not minimal")]
    BadVarint(usize),
    #[error("{what} at byte {at}: {detail}")]
    Invalid { what: &'static str, at: usize, detail: String },
    #[error("{0} bytes of unexpected data after the end")]
    Trailing(usize),
}

pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data, pos: 0 }
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// The bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        &self.data[self.pos..]
    }

    pub fn invalid(&self, what: &'static str, detail: impl Into<String>) -> ArchiveError {
        ArchiveError::Invalid { what, at: self.pos, detail: detail.into() }
    }

    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], ArchiveError> {
        if self.remaining() < n {
            return Err(ArchiveError::Truncated(self.data.len()));
        }
        let out = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    pub fn key(&mut self) -> Result<[u8; 32], ArchiveError> {
        let mut k = [0u8; 32];
        k.copy_from_slice(self.bytes(32)?);
        Ok(k)
    }

    pub fn u8(&mut self) -> Result<u8, ArchiveError> {
        Ok(self.bytes(1)?[0])
    }

    pub fn bool(&mut self) -> Result<bool, ArchiveError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(self.invalid("boolean", format!("{other} is neither 0 nor 1"))),
        }
    }

    pub fn u32_fixed(&mut self) -> Result<u32, ArchiveError> {
        let b = self.bytes(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    pub fn u64_fixed(&mut self) -> Result<u64, ArchiveError> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.bytes(8)?);
        Ok(u64::from_le_bytes(a))
    }

    pub fn varint(&mut self) -> Result<u64, ArchiveError> {
        let start = self.pos;
        let mut value: u64 = 0;
        for i in 0..10 {
            let byte = self.u8()?;
            let bits = (byte & 0x7f) as u64;
            if i == 9 && bits > 1 {
                return Err(ArchiveError::BadVarint(start));
            }
            value |= bits << (7 * i);
            if byte & 0x80 == 0 {
                if byte == 0 && i > 0 {
                    return Err(ArchiveError::BadVarint(start));
                }
                return Ok(value);
            }
        }
        Err(ArchiveError::BadVarint(start))
    }

    pub fn varint_u32(&mut self, what: &'static str) -> Result<u32, ArchiveError> {
        let v = self.varint()?;
        u32::try_from(v).map_err(|_| self.invalid(what, format!("{v} does not fit 32 bits")))
    }

    /// A container count, bounded by what the remaining bytes could hold.
    pub fn count(&mut self, what: &'static str, min_element: usize) -> Result<usize, ArchiveError> {
        let n = self.varint()?;
        let max = (self.remaining() / min_element.max(1)) as u64;
        if n > max {
            return Err(self.invalid(what, format!("count {n} is impossible with {} bytes left", self.remaining())));
        }
        Ok(n as usize)
    }

    /// The element count prefix of a pair (2) or tuple (3).
    pub fn tuple(&mut self, what: &'static str, allowed: &[usize]) -> Result<usize, ArchiveError> {
        let n = self.varint()?;
        if !allowed.iter().any(|&a| a as u64 == n) {
            return Err(self.invalid(what, format!("{n} elements; expected {allowed:?}")));
        }
        Ok(n as usize)
    }

    pub fn string(&mut self, what: &'static str) -> Result<Vec<u8>, ArchiveError> {
        let n = self.count(what, 1)?;
        Ok(self.bytes(n)?.to_vec())
    }

    pub fn keys(&mut self, what: &'static str) -> Result<Vec<[u8; 32]>, ArchiveError> {
        let n = self.count(what, 32)?;
        (0..n).map(|_| self.key()).collect()
    }

    pub fn version(&mut self, what: &'static str, allowed: std::ops::RangeInclusive<u64>) -> Result<u64, ArchiveError> {
        let v = self.varint()?;
        if !allowed.contains(&v) {
            return Err(self.invalid(what, format!("version {v} is not supported (expected {allowed:?})")));
        }
        Ok(v)
    }

    pub fn finish(&self) -> Result<(), ArchiveError> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(ArchiveError::Trailing(n)),
        }
    }
}

#[derive(Default)]
pub struct Writer {
    pub out: Vec<u8>,
}

impl Writer {
    pub fn bytes(&mut self, b: &[u8]) {
        self.out.extend_from_slice(b);
    }

    pub fn u8(&mut self, v: u8) {
        self.out.push(v);
    }

    pub fn bool(&mut self, v: bool) {
        self.out.push(v as u8);
    }

    pub fn u32_fixed(&mut self, v: u32) {
        self.bytes(&v.to_le_bytes());
    }

    pub fn u64_fixed(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }

    pub fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.out.push((v as u8 & 0x7f) | 0x80);
            v >>= 7;
        }
        self.out.push(v as u8);
    }

    pub fn string(&mut self, b: &[u8]) {
        self.varint(b.len() as u64);
        self.bytes(b);
    }

    pub fn keys(&mut self, keys: &[[u8; 32]]) {
        self.varint(keys.len() as u64);
        for k in keys {
            self.bytes(k);
        }
    }
}

/// Monero's varint as a standalone encoding (used in key derivations: `Hs(D || varint(i))`).
pub fn varint_bytes(v: u64) -> Vec<u8> {
    let mut w = Writer::default();
    w.varint(v);
    w.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_and_refuse_overlong_forms() {
        for v in [0u64, 1, 127, 128, 300, 421, 5_000_000_000_000, u64::MAX] {
            let b = varint_bytes(v);
            let mut r = Reader::new(&b);
            assert_eq!(r.varint().unwrap(), v);
            r.finish().unwrap();
        }
        assert!(Reader::new(&[0x80, 0x00]).varint().is_err(), "non-minimal");
        assert!(Reader::new(&[0xff; 11]).varint().is_err());
        assert!(Reader::new(&[0x80]).varint().is_err(), "truncated");
    }

    #[test]
    fn counts_are_bounded_by_the_bytes_left() {
        let mut r = Reader::new(&[0xff, 0xff, 0x03, 0, 0]);
        assert!(matches!(r.count("keys", 32), Err(ArchiveError::Invalid { .. })));
    }
}
