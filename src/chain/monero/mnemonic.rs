//! The 25-word English mnemonic of monero-wallet-cli (the "electrum-style" seed): 24 words
//! carry the 32-byte secret spend key, three words per 4 bytes, and a 25th repeats one of
//! them, chosen by a CRC-32 of the words' 3-letter prefixes.
//!
//! The word list (`english_words.txt`, 1626 words, MIT licence, by dabura667) is Monero's
//! `src/mnemonics/english.h`, taken from the `monero` Python package 1.1.1 on PyPI.

use std::sync::OnceLock;
use zeroize::Zeroizing;

const WORDS_TEXT: &str = include_str!("english_words.txt");
const WORD_COUNT: u32 = 1626;
/// English words are unique in their first three letters; the checksum and parsing use them.
const PREFIX_LEN: usize = 3;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MnemonicError {
    #[error("a Monero mnemonic has 25 words (or 24 without the checksum word); this has {0}")]
    WordCount(usize),
    #[error("word {0} is not in the English Monero word list")]
    UnknownWord(usize),
    #[error("the checksum word does not match: a word is mistyped or out of order")]
    Checksum,
    #[error("the words do not encode a valid key (word {0} is out of place)")]
    Invalid(usize),
}

fn words() -> &'static [&'static str] {
    static WORDS: OnceLock<Vec<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| WORDS_TEXT.lines().filter(|l| !l.is_empty()).collect())
}

fn prefix(word: &str) -> &str {
    match word.char_indices().nth(PREFIX_LEN) {
        Some((end, _)) => &word[..end],
        None => word,
    }
}

/// Where a typed word sits in the list, matched by its unique prefix as monero-wallet-cli does.
fn index_of(word: &str) -> Option<u32> {
    let wanted = prefix(word);
    words().iter().position(|w| prefix(w) == wanted).map(|i| i as u32)
}

fn checksum_index(words: &[&str]) -> usize {
    let mut crc = crc32fast::Hasher::new();
    for w in words {
        crc.update(prefix(w).as_bytes());
    }
    (crc.finalize() % words.len() as u32) as usize
}

/// The 25 words for a 32-byte secret spend key.
pub fn encode(key: &[u8; 32]) -> Zeroizing<String> {
    let list = words();
    let n = WORD_COUNT;
    let mut chosen: Vec<&str> = Vec::with_capacity(25);
    for chunk in key.chunks_exact(4) {
        let x = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        let w1 = x % n;
        let w2 = (x / n + w1) % n;
        let w3 = (x / n / n + w2) % n;
        chosen.extend([list[w1 as usize], list[w2 as usize], list[w3 as usize]]);
    }
    chosen.push(chosen[checksum_index(&chosen)]);
    Zeroizing::new(chosen.join(" "))
}

/// The secret spend key bytes of a 25-word (or 24-word) mnemonic. Case and extra whitespace
/// are ignored; the checksum word, when present, must match.
pub fn decode(phrase: &str) -> Result<Zeroizing<[u8; 32]>, MnemonicError> {
    let lower = Zeroizing::new(phrase.to_lowercase());
    let typed: Vec<&str> = lower.split_whitespace().collect();
    if typed.len() != 25 && typed.len() != 24 {
        return Err(MnemonicError::WordCount(typed.len()));
    }
    let mut indices = Zeroizing::new([0u32; 24]);
    for (i, w) in typed.iter().take(24).enumerate() {
        indices[i] = index_of(w).ok_or(MnemonicError::UnknownWord(i + 1))?;
    }
    if typed.len() == 25 {
        if index_of(typed[24]).is_none() {
            return Err(MnemonicError::UnknownWord(25));
        }
        let expected = typed[checksum_index(&typed[..24])];
        if prefix(expected) != prefix(typed[24]) {
            return Err(MnemonicError::Checksum);
        }
    }
    let n = WORD_COUNT;
    let mut key = Zeroizing::new([0u8; 32]);
    for (group, (chunk, triple)) in key.chunks_exact_mut(4).zip(indices.chunks_exact(3)).enumerate() {
        let (w1, w2, w3) = (triple[0], triple[1], triple[2]);
        let x = w1 as u64 + n as u64 * ((n - w1 + w2) % n) as u64 + (n as u64 * n as u64) * ((n - w2 + w3) % n) as u64;
        if x % n as u64 != w1 as u64 || x > u32::MAX as u64 {
            return Err(MnemonicError::Invalid(3 * group + 1));
        }
        chunk.copy_from_slice(&(x as u32).to_le_bytes());
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_has_1626_words_unique_in_three_letters() {
        assert_eq!(words().len(), WORD_COUNT as usize);
        let mut prefixes: Vec<&str> = words().iter().map(|w| prefix(w)).collect();
        prefixes.sort_unstable();
        prefixes.dedup();
        assert_eq!(prefixes.len(), WORD_COUNT as usize);
    }

    #[test]
    fn round_trips_and_refuses_mistakes() {
        let key: [u8; 32] = core::array::from_fn(|i| (i as u8).wrapping_mul(37).wrapping_add(11));
        let phrase = encode(&key);
        assert_eq!(*decode(&phrase).unwrap(), key);
        let words: Vec<&str> = phrase.split(' ').collect();
        assert_eq!(words.len(), 25);
        assert_eq!(*decode(&words[..24].join(" ")).unwrap(), key, "24 words without the checksum word");
        assert_eq!(*decode(&phrase.to_uppercase()).unwrap(), key);
        let mut swapped = words.clone();
        swapped.swap(0, 1);
        if swapped[0] != swapped[1] {
            assert!(decode(&swapped.join(" ")).is_err());
        }
        let mut unknown = words.clone();
        unknown[3] = "qqqq";
        assert_eq!(decode(&unknown.join(" ")), Err(MnemonicError::UnknownWord(4)));
        assert_eq!(decode("abbey abbey"), Err(MnemonicError::WordCount(2)));
    }
}
