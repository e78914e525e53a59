//! The double-sign journal, shared by every chain: an append-only file of what was signed,
//! keyed by spend markers (XRPL: account + Sequence; Monero: key image). Each entry is one
//! JSON line ending in its own CRC-32 and is fsynced before the signed result is shown, so a
//! crash can tear at most the entry being written: a torn last line is dropped on load and
//! cut off the file before the next append (so a new entry is never glued onto a fragment),
//! and every earlier entry survives. A damaged line anywhere else is an error, not a guess.
//!
//! An open journal holds an exclusive lock (`flock` on `<journal>.lock`) until it is dropped,
//! so a second airsign process cannot sign between this one's check and its record: the
//! CLI holds it across its prompt, the app across its review screen.

use super::now;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What one signature spends. Signing twice for the same marker is what the journal prevents.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "chain", rename_all = "lowercase")]
pub enum SpendMarker {
    Xrpl { account: String, sequence: u32 },
    /// A ticketed XRPL transaction spends its ticket, not a Sequence.
    #[serde(rename = "xrpl-ticket")]
    XrplTicket { account: String, ticket: u32 },
    /// A member's signature for a multi-signed account: each member signs a Sequence once.
    #[serde(rename = "xrpl-multisig")]
    XrplMultisig { account: String, sequence: u32, signer: String },
    Monero { key_image: String },
}

impl std::fmt::Display for SpendMarker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Xrpl { account, sequence } => write!(f, "{account} Sequence {sequence}"),
            Self::XrplTicket { account, ticket } => write!(f, "{account} Ticket {ticket}"),
            Self::XrplMultisig { account, sequence, signer } => write!(f, "{account} Sequence {sequence} (signed for it by member {signer})"),
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
    #[error("another airsign is signing with this keystore right now (it holds {0}); finish or close it, then try again")]
    Busy(PathBuf),
}

pub struct Journal {
    path: PathBuf,
    entries: Vec<Entry>,
    /// Latest signed hash per marker.
    signed: HashMap<SpendMarker, String>,
    /// Bytes of complete lines: anything after is a torn write, cut before appending.
    valid_len: u64,
    /// Held for the journal's lifetime: the exclusive lock.
    _lock: std::fs::File,
}

impl Journal {
    /// Opens (or creates) the journal and takes its lock; [`JournalError::Busy`] if another
    /// process holds it.
    pub fn open(path: &Path) -> Result<Self, JournalError> {
        let io = |source| JournalError::Io { path: path.to_owned(), source };
        let lock_path = lock_path(path);
        let lock = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&lock_path).map_err(|source| JournalError::Io { path: lock_path.clone(), source })?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(JournalError::Busy(lock_path)),
            Err(std::fs::TryLockError::Error(source)) => return Err(JournalError::Io { path: lock_path, source }),
        }
        let text = match std::fs::read(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(source) => return Err(io(source)),
        };
        let valid_len = text.iter().rposition(|b| *b == b'\n').map_or(0, |i| i as u64 + 1);
        let mut journal = Self { path: path.to_owned(), entries: Vec::new(), signed: HashMap::new(), valid_len, _lock: lock };
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
        let created = !self.path.exists();
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&self.path).map_err(io)?;
        // A torn last line (a crash mid-write) is cut off first, durably, so this entry
        // starts on a line of its own.
        if f.metadata().map_err(io)?.len() != self.valid_len {
            f.set_len(self.valid_len).map_err(io)?;
            f.sync_all().map_err(io)?;
        }
        f.write_all(&bytes).map_err(io)?;
        f.sync_all().map_err(io)?;
        if created {
            // The new file's name must reach the disk too, or a crash can lose the journal.
            crate::keystore::sync_parent(&self.path).map_err(io)?;
        }
        self.valid_len += bytes.len() as u64;
        for e in entries {
            self.apply(e);
        }
        Ok(())
    }
}

fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".lock");
    path.with_file_name(name)
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
        drop(j);
        let mut j = Journal::open(&path).unwrap();
        assert!(matches!(j.check(&[seq(5)], "H2"), Err(JournalError::AlreadySigned { existing, .. }) if existing == "H1"));
        assert!(j.check(&[ki], "M2").is_err());
        j.record_signed(&[seq(5)], "H2", true).unwrap();
        drop(j);
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
        drop(j);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.extend_from_slice(b"{\"kind\":\"signed\",\"marker\":{\"chain\":\"xrpl\",\"acc"); // crash mid-write
        std::fs::write(&path, &bytes).unwrap();
        let j = Journal::open(&path).unwrap();
        assert_eq!(j.entries().len(), 3);
        assert_eq!(j.signed_hash(&seq(3)), Some("H3"));
    }

    /// The finding: sign, crash mid-line, sign again (fine), sign a third time: the second
    /// entry had been glued onto the fragment, so every later open said "damaged".
    #[test]
    fn an_append_after_a_torn_line_starts_a_line_of_its_own() {
        let path = temp("torn-append");
        let mut j = Journal::open(&path).unwrap();
        j.record_signed(&[seq(1)], "H1", false).unwrap();
        drop(j);
        let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"kind\":\"signed\",\"mar").unwrap();
        drop(f);
        let mut j = Journal::open(&path).unwrap();
        j.record_signed(&[seq(2)], "H2", false).unwrap();
        drop(j);
        let mut j = Journal::open(&path).expect("the journal opens after a torn line and an append");
        assert_eq!(j.signed_hash(&seq(2)), Some("H2"));
        j.record_signed(&[seq(3)], "H3", false).unwrap();
        drop(j);
        let j = Journal::open(&path).unwrap();
        assert_eq!(j.entries().len(), 3);
        assert!(!std::fs::read_to_string(&path).unwrap().contains("\"mar{"), "the fragment is gone");
    }

    #[test]
    fn a_second_opener_is_told_the_journal_is_busy() {
        let path = temp("busy");
        let j = Journal::open(&path).unwrap();
        match Journal::open(&path) {
            Err(e @ JournalError::Busy(_)) => assert!(e.to_string().contains("another airsign is signing")),
            other => panic!("expected Busy, got {:?}", other.map(|_| ())),
        }
        drop(j);
        assert!(Journal::open(&path).is_ok(), "free again once the first is dropped");
    }

    #[test]
    fn damage_in_the_middle_is_an_error() {
        let path = temp("damaged");
        let mut j = Journal::open(&path).unwrap();
        j.record_signed(&[seq(1)], "H1", false).unwrap();
        j.record_signed(&[seq(2)], "H2", false).unwrap();
        drop(j);
        let text = std::fs::read_to_string(&path).unwrap().replacen("H1", "H9", 1);
        std::fs::write(&path, text).unwrap();
        assert!(matches!(Journal::open(&path), Err(JournalError::Damaged { line: 1, .. })));
    }
}
