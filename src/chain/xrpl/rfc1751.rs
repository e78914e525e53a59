//! RFC 1751 words for a 128-bit seed, in rippled's byte order (`wallet_propose`'s
//! `master_key`): the seed's 16 bytes reversed, then 6 words per 64-bit half with RFC 1751's
//! 2-bit parity. The dictionary is RFC 1751's (rfc1751_words.txt, 2048 words).

use std::sync::OnceLock;
use zeroize::Zeroizing;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rfc1751Error {
    #[error("expected 12 words, got {0}")]
    WordCount(usize),
    #[error("word {0} is not in the RFC 1751 dictionary")]
    UnknownWord(usize),
    #[error("parity check failed in words {0}-{1}: a word is wrong or out of order")]
    Parity(usize, usize),
}

fn words() -> &'static [&'static str] {
    static WORDS: OnceLock<Vec<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| include_str!("rfc1751_words.txt").lines().collect())
}

/// Bits `start..start+len` of a big-endian bit string, as a number.
fn extract(bits: &[u8; 9], start: usize, len: usize) -> usize {
    (start..start + len).fold(0, |acc, i| (acc << 1) | ((bits[i / 8] >> (7 - i % 8)) & 1) as usize)
}

fn parity(block: &[u8; 9]) -> u8 {
    ((0..64).step_by(2).map(|j| extract(block, j, 2)).sum::<usize>() & 3) as u8
}

/// The 12 words for a seed, as rippled prints them.
pub fn encode(seed: &[u8; 16]) -> Zeroizing<String> {
    let mut key = Zeroizing::new(*seed);
    key.reverse();
    let mut out = Zeroizing::new(String::new());
    for half in 0..2 {
        let mut block = Zeroizing::new([0u8; 9]);
        block[..8].copy_from_slice(&key[half * 8..half * 8 + 8]);
        block[8] = parity(&block) << 6;
        for w in 0..6 {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(words()[extract(&block, w * 11, 11)]);
        }
    }
    out
}

/// The seed behind 12 words (any case, any whitespace).
pub fn decode(text: &str) -> Result<Zeroizing<[u8; 16]>, Rfc1751Error> {
    // The words are the seed: keep the normalised copies in wiped memory.
    let given: Zeroizing<Vec<String>> = Zeroizing::new(text.split_whitespace().map(str::to_ascii_uppercase).collect());
    if given.len() != 12 {
        return Err(Rfc1751Error::WordCount(given.len()));
    }
    let mut key = Zeroizing::new([0u8; 16]);
    for half in 0..2 {
        let mut bits = Zeroizing::new(0u128);
        for (i, word) in given[half * 6..half * 6 + 6].iter().enumerate() {
            let index = words().iter().position(|w| w == word).ok_or(Rfc1751Error::UnknownWord(half * 6 + i + 1))?;
            *bits = (*bits << 11) | index as u128;
        }
        // 66 bits: 64 of key, 2 of parity.
        let mut block = Zeroizing::new([0u8; 9]);
        let shifted = Zeroizing::new(*bits << (72 - 66));
        block.copy_from_slice(&shifted.to_be_bytes()[7..16]);
        if extract(&block, 64, 2) as u8 != parity(&block) {
            return Err(Rfc1751Error::Parity(half * 6 + 1, half * 6 + 6));
        }
        key[half * 8..half * 8 + 8].copy_from_slice(&block[..8]);
    }
    key.reverse();
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wallet_propose_example() {
        // From the rippled wallet_propose example in the XRPL offline account setup tutorial.
        let seed: [u8; 16] = hex::decode("8465FDB80B2E2620A7D58274C26291A0").unwrap().try_into().unwrap();
        assert_eq!(encode(&seed).as_str(), "JANE GIBE LIST TEND NU RUDE JIG PA FLOG DEFT SAME NASH");
        assert_eq!(*decode("jane gibe list tend nu rude jig pa flog deft same nash").unwrap(), seed);
    }

    #[test]
    fn errors() {
        assert_eq!(decode("JANE GIBE").unwrap_err(), Rfc1751Error::WordCount(2));
        assert_eq!(decode("JANE GIBE LIST TEND NU RUDE JIG PA FLOG DEFT SAME XYZZY").unwrap_err(), Rfc1751Error::UnknownWord(12));
        assert!(matches!(decode("GIBE JANE LIST TEND NU RUDE JIG PA FLOG DEFT SAME NASH"), Err(Rfc1751Error::Parity(1, 6))));
    }
}
