//! The double-sign journal, shared by every chain: an append-only file of what was signed,
//! keyed by spend markers (XRPL: account + Sequence; Monero: key image). Each entry is one
//! JSON line ending in its own CRC-32 and is fsynced before the signed result is shown, so a
//! crash can tear at most the entry being written: a torn last line is dropped on load, and
//! every earlier entry survives. A damaged line anywhere else is an error, not a guess.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What one signature spends. Signing twice for the same marker is what the journal prevents.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "chain", rename_all = "lowercase")]
pub enum SpendMarker {
    Xrpl { account: String, sequence: u32 },
    Monero { key_image: String },
}

impl std::fmt::Display for SpendMarker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Xrpl { account, sequence } => write!(f, "{account} Sequence {sequence}"),
            Self::Monero { key_image } => write!(f, "key image {key_image}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Entry {
    /// A transaction was signed (`replaces`: the hash it knowingly supersedes).
    Signed { marker: SpendMarker, hash: String, replaces: Option<String>, at: u64 },
    /// The online side reported a final outcome for a hash.
    Outcome { hash: String, result: String, at: u64 },
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{marker} was already signed as transaction {existing}; signing a different transaction for it needs an explicit replace")]
    AlreadySigned { marker: SpendMarker, existing: String },
    #[error("journal {path} is damaged at line {line}; refusing to guess what was signed")]
    Damaged { path: PathBuf, line: usize },
    #[error("journal I/O on {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

pub struct Journal {
    path: PathBuf,
    entries: Vec<Entry>,
    /// Latest signed hash per marker.
    signed: HashMap<SpendMarker, String>,
}

impl Journal {
    pub fn open(path: &Path) -> Result<Self, JournalError> {
        let io = |source| JournalError::Io { path: path.to_owned(), source };
        let text = match std::fs::read(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(source) => return Err(io(source)),
        };
        let mut journal = Self { path: path.to_owned(), entries: Vec::new(), signed: HashMap::new() };
        let lines: Vec<&[u8]> = text.split(|b| *b == b'\n').collect();
        let complete = if text.ends_with(b"\n") { lines.len() - 1 } else { lines.len() };
        for (i, line) in lines.iter().enumerate().take(complete) {
            let is_last = i + 1 == complete;
            match parse_line(line) {
                Some(entry) => journal.apply(entry),
                // Only the final line can be a torn write (no newline reached the disk, or a
                // partial one did); anything earlier is damage.
                None if is_last && !text.ends_with(b"\n") => break,
                None => return Err(JournalError::Damaged { path: path.to_owned(), line: i + 1 }),
            }
        }
        Ok(journal)
    }

    fn apply(&mut self, entry: Entry) {
        if let Entry::Signed { marker, hash, .. } = &entry {
            self.signed.insert(marker.clone(), hash.clone());
        }
        self.entries.push(entry);
    }

    /// Refuses markers already signed with a different transaction. Re-signing the identical
    /// transaction (same hash) is harmless and allowed.
    pub fn check(&self, markers: &[SpendMarker], hash: &str) -> Result<(), JournalError> {
        for m in markers {
            if let Some(existing) = self.signed.get(m) {
                if existing != hash {
                    return Err(JournalError::AlreadySigned { marker: m.clone(), existing: existing.clone() });
                }
            }
        }
        Ok(())
    }

    /// The hash signed for a marker, if any.
    pub fn signed_hash(&self, marker: &SpendMarker) -> Option<&str> {
        self.signed.get(marker).map(String::as_str)
    }

    /// Records a signature, durably, after checking it (unless `replace`, which records the
    /// hash it supersedes). Call before showing the signed result.
    pub fn record_signed(&mut self, markers: &[SpendMarker], hash: &str, replace: bool) -> Result<(), JournalError> {
        if !replace {
            self.check(markers, hash)?;
        }
        let at = now();
        let entries: Vec<Entry> = markers
            .iter()
            .filter(|m| self.signed.get(*m).map(String::as_str) != Some(hash))
            .map(|m| Entry::Signed { marker: m.clone(), hash: hash.to_owned(), replaces: self.signed.get(m).cloned(), at })
            .collect();
        self.append(entries)
    }

    pub fn record_outcome(&mut self, hash: &str, result: &str) -> Result<(), JournalError> {
        self.append(vec![Entry::Outcome { hash: hash.to_owned(), result: result.to_owned(), at: now() }])
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    fn append(&mut self, entries: Vec<Entry>) -> Result<(), JournalError> {
        if entries.is_empty() {
            return Ok(());
        }
        let io = |source| JournalError::Io { path: self.path.clone(), source };
        let mut bytes = Vec::new();
        for e in &entries {
            bytes.extend_from_slice(&format_line(e));
        }
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&self.path).map_err(io)?;
        f.write_all(&bytes).map_err(io)?;
        f.sync_all().map_err(io)?;
        for e in entries {
            self.apply(e);
        }
        Ok(())
    }
}

/// `<json> <crc32 hex>\n`
fn format_line(e: &Entry) -> Vec<u8> {
    let json = serde_json::to_string(e).unwrap_or_default();
    format!("{json} {:08x}\n", crc32fast::hash(json.as_bytes())).into_bytes()
}

fn parse_line(line: &[u8]) -> Option<Entry> {
    let text = std::str::from_utf8(line).ok()?;
    let (json, crc) = text.rsplit_once(' ')?;
    if u32::from_str_radix(crc, 16).ok()? != crc32fast::hash(json.as_bytes()) {
        return None;
    }
    serde_json::from_str(json).ok()
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(tag: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("airsign-journal-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_file(&p);
        p
    }

    fn seq(n: u32) -> SpendMarker {
        SpendMarker::Xrpl { account: "rA".into(), sequence: n }
    }

    #[test]
    fn refuses_a_second_transaction_for_a_marker_unless_replacing() {
        let path = temp("refuse");
        let mut j = Journal::open(&path).unwrap();
        j.record_signed(&[seq(5)], "H1", false).unwrap();
        j.record_signed(&[seq(5)], "H1", false).unwrap(); // identical: fine
        assert!(matches!(j.record_signed(&[seq(5)], "H2", false), Err(JournalError::AlreadySigned { .. })));
        let ki = SpendMarker::Monero { key_image: "ab".into() };
        j.record_signed(std::slice::from_ref(&ki), "M1", false).unwrap();
        // Survives a reopen.
        let mut j = Journal::open(&path).unwrap();
        assert!(matches!(j.check(&[seq(5)], "H2"), Err(JournalError::AlreadySigned { existing, .. }) if existing == "H1"));
        assert!(j.check(&[ki], "M2").is_err());
        j.record_signed(&[seq(5)], "H2", true).unwrap();
        let j = Journal::open(&path).unwrap();
        assert_eq!(j.signed_hash(&seq(5)), Some("H2"));
        assert!(j.entries().iter().any(|e| matches!(e, Entry::Signed { replaces: Some(r), .. } if r == "H1")));
    }

    #[test]
    fn torn_last_line_loses_nothing_earlier() {
        let path = temp("torn");
        let mut j = Journal::open(&path).unwrap();
        for n in 1..=3 {
            j.record_signed(&[seq(n)], &format!("H{n}"), false).unwrap();
        }
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend_from_slice(b"{\"kind\":\"signed\",\"marker\":{\"chain\":\"xrpl\",\"acc"); // crash mid-write
        std::fs::write(&path, &bytes).unwrap();
        let j = Journal::open(&path).unwrap();
        assert_eq!(j.entries().len(), 3);
        assert_eq!(j.signed_hash(&seq(3)), Some("H3"));
    }

    #[test]
    fn damage_in_the_middle_is_an_error() {
        let path = temp("damaged");
        let mut j = Journal::open(&path).unwrap();
        j.record_signed(&[seq(1)], "H1", false).unwrap();
        j.record_signed(&[seq(2)], "H2", false).unwrap();
        let text = std::fs::read_to_string(&path).unwrap().replacen("H1", "H9", 1);
        std::fs::write(&path, text).unwrap();
        assert!(matches!(Journal::open(&path), Err(JournalError::Damaged { line: 1, .. })));
    }
}
