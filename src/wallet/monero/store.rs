//! The online wallet's SQLite file: one per wallet. Transfers are kept in wallet2's order
//! (chain order; their `idx` is wallet2's `m_transfers` index, which every file refers to),
//! with each output's key image state. Every change is one SQL transaction, so a crash or
//! a daemon that stops leaves the file at the last whole step, and a sync resumes there.

use super::scan::{Received, ScannedBlock};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;

/// How many recent block hashes are kept to notice a reorganisation (monerod's own
/// wallets look back far less; 1,000 blocks is about 33 hours).
const KEPT_HASHES: u64 = 1000;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("wallet database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("{0} already exists: airsign will not overwrite a wallet")]
    Exists(String),
    #[error("{0} is not an airsign Monero online wallet")]
    NotAWallet(String),
    #[error("the wallet database is damaged: {0}")]
    Damaged(String),
}

/// Whether an output has been spent, as far as this wallet knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spent {
    No,
    /// By a transaction in the pool (ours, just broadcast, or seen there).
    InPool,
    /// In a block; wallet2 records 0 when only the daemon's "spent" answer is known.
    InChain(u64),
}

/// One row of `m_transfers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub idx: u64,
    pub received: Received,
    pub key_image: Option<[u8; 32]>,
    pub spent: Spent,
}

/// A transaction this wallet broadcast.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HistoryEntry {
    pub tx_hash: String,
    pub submitted_at: u64,
    pub fee: u64,
    /// Leaving the wallet: destinations other than our own change.
    pub amount: u64,
    pub destinations: Vec<(String, u64)>,
    pub height: Option<u64>,
}

pub struct Store {
    db: Connection,
}

const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE blocks (height INTEGER PRIMARY KEY, hash BLOB NOT NULL);
CREATE TABLE transfers (
  idx INTEGER PRIMARY KEY, height INTEGER NOT NULL, tx_hash BLOB NOT NULL, internal_index INTEGER NOT NULL,
  global_index INTEGER NOT NULL, out_key BLOB NOT NULL UNIQUE, tx_pubkey BLOB NOT NULL, pk_index INTEGER NOT NULL,
  additional BLOB NOT NULL, amount INTEGER NOT NULL, mask BLOB NOT NULL, major INTEGER NOT NULL, minor INTEGER NOT NULL,
  unlock_time INTEGER NOT NULL, coinbase INTEGER NOT NULL, payment_id BLOB,
  key_image BLOB, spent INTEGER NOT NULL DEFAULT 0, spent_height INTEGER);
CREATE TABLE history (tx_hash TEXT PRIMARY KEY, submitted_at INTEGER NOT NULL, fee INTEGER NOT NULL, amount INTEGER NOT NULL,
  destinations TEXT NOT NULL, height INTEGER);
CREATE TABLE pending_key_images (out_key BLOB PRIMARY KEY, key_image BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS cache (name TEXT PRIMARY KEY, value BLOB NOT NULL);
";

/// Added after the first files were written: created on open when missing.
const CACHE_TABLE: &str = "CREATE TABLE IF NOT EXISTS cache (name TEXT PRIMARY KEY, value BLOB NOT NULL);";

fn key32(v: Vec<u8>) -> Result<[u8; 32], StoreError> {
    v.try_into().map_err(|_| StoreError::Damaged("a 32-byte key has another length".into()))
}

// SQLite integers are i64; amounts and unlock times are u64 on the chain. Stored as the
// same 64 bits, read back the same way: lossless.
fn to_sql(v: u64) -> i64 {
    v as i64
}
fn from_sql(v: i64) -> u64 {
    v as u64
}

impl Store {
    /// A new wallet file with its metadata; refuses an existing path.
    pub fn create(path: &Path, meta: &[(&str, String)]) -> Result<Store, StoreError> {
        if path.exists() {
            return Err(StoreError::Exists(path.display().to_string()));
        }
        let mut db = Connection::open(path)?;
        restrict_permissions(path);
        let tx = db.transaction()?;
        tx.execute_batch(SCHEMA)?;
        tx.execute("INSERT INTO meta VALUES ('kind', 'airsign-monero-online-1')", [])?;
        for (k, v) in meta {
            tx.execute("INSERT INTO meta VALUES (?1, ?2)", params![k, v])?;
        }
        tx.commit()?;
        Ok(Store { db })
    }

    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::NotAWallet(format!("{} (no such file; `airsign xmr online create` makes one)", path.display())));
        }
        let db = Connection::open(path)?;
        let kind: Option<String> = db.query_row("SELECT value FROM meta WHERE key = 'kind'", [], |r| r.get(0)).optional().unwrap_or(None);
        if kind.as_deref() != Some("airsign-monero-online-1") {
            return Err(StoreError::NotAWallet(path.display().to_string()));
        }
        db.execute_batch(CACHE_TABLE)?;
        // Files written before incoming payment IDs were recorded lack the column.
        let has_payment_id: bool = db.prepare("SELECT 1 FROM pragma_table_info('transfers') WHERE name = 'payment_id'")?.exists([])?;
        if !has_payment_id {
            db.execute_batch("ALTER TABLE transfers ADD COLUMN payment_id BLOB")?;
        }
        Ok(Store { db })
    }

    /// A saved cache entry (derived data the wallet can rebuild: the subaddress table).
    pub fn cached(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.db.query_row("SELECT value FROM cache WHERE name = ?1", [name], |r| r.get(0)).optional()?)
    }

    pub fn save_cache(&self, name: &str, value: &[u8]) -> Result<(), StoreError> {
        self.db.execute("INSERT OR REPLACE INTO cache VALUES (?1, ?2)", params![name, value])?;
        Ok(())
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.db.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?1, ?2)", params![key, value])?;
        Ok(())
    }

    /// The first height not yet scanned.
    pub fn next_height(&self, restore_height: u64) -> Result<u64, StoreError> {
        let top: Option<i64> = self.db.query_row("SELECT MAX(height) FROM blocks", [], |r| r.get(0))?;
        Ok(top.map_or(restore_height, |h| from_sql(h) + 1))
    }

    pub fn block_hash(&self, height: u64) -> Result<Option<[u8; 32]>, StoreError> {
        let h: Option<Vec<u8>> = self.db.query_row("SELECT hash FROM blocks WHERE height = ?1", [to_sql(height)], |r| r.get(0)).optional()?;
        h.map(key32).transpose()
    }

    /// The lowest height whose hash is still kept.
    pub fn oldest_kept(&self) -> Result<Option<u64>, StoreError> {
        let h: Option<i64> = self.db.query_row("SELECT MIN(height) FROM blocks", [], |r| r.get(0))?;
        Ok(h.map(from_sql))
    }

    /// Records scanned blocks, in one SQL transaction: their hashes, the outputs received
    /// (an output key seen before is the burning bug's duplicate: wallet2 keeps the first),
    /// and spends of our known key images. Returns how many outputs were new.
    /// `minors`: the scanner's lookahead, indices covered per account; `table`: the
    /// scanner's subaddress table when it grew (saved with the lookahead it belongs to).
    pub fn apply(&mut self, blocks: &[ScannedBlock], minors: &[u32], table: Option<&[u8]>) -> Result<usize, StoreError> {
        let tx = self.db.transaction()?;
        let mut added = 0;
        {
            let mut next_idx: i64 = tx.query_row("SELECT COALESCE(MAX(idx) + 1, 0) FROM transfers", [], |r| r.get(0))?;
            let mut insert = tx.prepare(
                "INSERT OR IGNORE INTO transfers (idx, height, tx_hash, internal_index, global_index, out_key, tx_pubkey, pk_index, additional, amount, mask, major, minor, unlock_time, coinbase, payment_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            )?;
            let mut spend = tx.prepare("UPDATE transfers SET spent = 2, spent_height = ?2 WHERE key_image = ?1")?;
            // Every input of the chain passes here: only ours reach SQLite.
            let ours: std::collections::HashSet<Vec<u8>> = tx.prepare("SELECT key_image FROM transfers WHERE key_image IS NOT NULL")?.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
            for b in blocks {
                tx.execute("INSERT OR REPLACE INTO blocks VALUES (?1, ?2)", params![to_sql(b.height), b.hash.to_vec()])?;
                for r in &b.received {
                    let n = insert.execute(params![
                        next_idx,
                        to_sql(r.height),
                        r.tx_hash.to_vec(),
                        to_sql(r.internal_index),
                        to_sql(r.global_index),
                        r.out_key.to_vec(),
                        r.tx_pubkey.to_vec(),
                        to_sql(r.pk_index),
                        r.additional_keys.concat(),
                        to_sql(r.amount),
                        r.mask.to_vec(),
                        r.subaddress.0,
                        r.subaddress.1,
                        to_sql(r.unlock_time),
                        r.coinbase,
                        r.payment_id.map(|p| p.to_vec()),
                    ])?;
                    next_idx += n as i64;
                    added += n;
                }
                for (ki, _) in b.key_images.iter().filter(|(ki, _)| ours.contains(ki.as_slice())) {
                    spend.execute(params![ki.to_vec(), to_sql(b.height)])?;
                }
            }
            if let Some(top) = blocks.last().map(|b| b.height) {
                tx.execute("DELETE FROM blocks WHERE height < ?1", [to_sql(top.saturating_sub(KEPT_HASHES))])?;
            }
        }
        let minors: Vec<String> = minors.iter().map(u32::to_string).collect();
        tx.execute("INSERT OR REPLACE INTO meta VALUES ('lookahead_minors', ?1)", [minors.join(",")])?;
        if let Some(table) = table {
            tx.execute("INSERT OR REPLACE INTO cache VALUES ('subaddress_table', ?1)", [table])?;
        }
        tx.commit()?;
        Ok(added)
    }

    /// Forgets blocks from `height` on (a reorganisation): their hashes, the outputs they
    /// paid us, and spends recorded in them. One SQL transaction.
    pub fn rollback(&mut self, height: u64) -> Result<usize, StoreError> {
        let tx = self.db.transaction()?;
        tx.execute("DELETE FROM blocks WHERE height >= ?1", [to_sql(height)])?;
        let removed = tx.execute("DELETE FROM transfers WHERE height >= ?1", [to_sql(height)])?;
        tx.execute("UPDATE transfers SET spent = 0, spent_height = NULL WHERE spent = 2 AND spent_height >= ?1", [to_sql(height)])?;
        tx.execute("UPDATE history SET height = NULL WHERE height >= ?1", [to_sql(height)])?;
        tx.commit()?;
        Ok(removed)
    }

    pub fn transfers(&self) -> Result<Vec<Transfer>, StoreError> {
        let mut q = self.db.prepare(
            "SELECT idx, height, tx_hash, internal_index, global_index, out_key, tx_pubkey, pk_index, additional, amount, mask, major, minor, unlock_time, coinbase, key_image, spent, spent_height, payment_id FROM transfers ORDER BY idx",
        )?;
        let rows = q.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Vec<u8>>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, Vec<u8>>(5)?,
                r.get::<_, Vec<u8>>(6)?,
                r.get::<_, i64>(7)?,
                r.get::<_, Vec<u8>>(8)?,
                r.get::<_, i64>(9)?,
                r.get::<_, Vec<u8>>(10)?,
                (r.get::<_, u32>(11)?, r.get::<_, u32>(12)?),
                r.get::<_, i64>(13)?,
                r.get::<_, bool>(14)?,
                r.get::<_, Option<Vec<u8>>>(15)?,
                (r.get::<_, i64>(16)?, r.get::<_, Option<i64>>(17)?),
                r.get::<_, Option<Vec<u8>>>(18)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (idx, height, tx_hash, internal, global, out_key, tx_pubkey, pk_index, additional, amount, mask, subaddress, unlock, coinbase, ki, (spent, spent_height), payment_id) = row?;
            let payment_id = payment_id.map(|p| <[u8; 8]>::try_from(p.as_slice()).map_err(|_| StoreError::Damaged(format!("transfer {idx}: payment id")))).transpose()?;
            if additional.len() % 32 != 0 {
                return Err(StoreError::Damaged(format!("transfer {idx}: additional keys")));
            }
            let additional_keys = additional.chunks(32).map(|c| key32(c.to_vec())).collect::<Result<Vec<_>, _>>()?;
            out.push(Transfer {
                idx: from_sql(idx),
                received: Received {
                    height: from_sql(height),
                    tx_hash: key32(tx_hash)?,
                    internal_index: from_sql(internal),
                    global_index: from_sql(global),
                    out_key: key32(out_key)?,
                    tx_pubkey: key32(tx_pubkey)?,
                    pk_index: from_sql(pk_index),
                    additional_keys,
                    amount: from_sql(amount),
                    mask: key32(mask)?,
                    subaddress,
                    unlock_time: from_sql(unlock),
                    coinbase,
                    payment_id,
                },
                key_image: ki.map(key32).transpose()?,
                spent: match (spent, spent_height) {
                    (0, _) => Spent::No,
                    (1, _) => Spent::InPool,
                    (_, h) => Spent::InChain(h.map_or(0, from_sql)),
                },
            });
        }
        Ok(out)
    }

    /// Key images for transfers `offset..`, with what the daemon says of each, in one SQL
    /// transaction. A spend already recorded from a block keeps its height.
    pub fn set_key_images(&mut self, offset: u64, images: &[([u8; 32], Spent)]) -> Result<(), StoreError> {
        let tx = self.db.transaction()?;
        {
            let mut set = tx.prepare("UPDATE transfers SET key_image = ?2, spent = CASE WHEN ?3 = 2 AND spent = 2 THEN 2 ELSE ?3 END, spent_height = CASE WHEN ?3 = 2 THEN COALESCE(spent_height, ?4) ELSE NULL END WHERE idx = ?1")?;
            for (i, (ki, state)) in images.iter().enumerate() {
                let (code, height) = match state {
                    Spent::No => (0, None),
                    Spent::InPool => (1, None),
                    Spent::InChain(h) => (2, Some(to_sql(*h))),
                };
                set.execute(params![to_sql(offset + i as u64), ki.to_vec(), code, height])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Marks transfers spent by our own broadcast, and records the transaction, together.
    pub fn record_broadcast(&mut self, entry: &HistoryEntry, spent: &[u64], key_images: &[(u64, [u8; 32])]) -> Result<(), StoreError> {
        let tx = self.db.transaction()?;
        for (idx, ki) in key_images {
            tx.execute("UPDATE transfers SET key_image = ?2 WHERE idx = ?1 AND key_image IS NULL", params![to_sql(*idx), ki.to_vec()])?;
        }
        for idx in spent {
            tx.execute("UPDATE transfers SET spent = 1 WHERE idx = ?1 AND spent = 0", [to_sql(*idx)])?;
        }
        tx.execute(
            "INSERT OR IGNORE INTO history VALUES (?1, ?2, ?3, ?4, ?5, NULL)",
            params![entry.tx_hash, to_sql(entry.submitted_at), to_sql(entry.fee), to_sql(entry.amount), serde_json::to_string(&entry.destinations).unwrap_or_default()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Key images the signer reported for outputs that come back to us (change), by output
    /// key: applied whenever that output is (or already was) scanned.
    pub fn add_pending_key_images(&mut self, pairs: &[([u8; 32], [u8; 32])]) -> Result<(), StoreError> {
        let tx = self.db.transaction()?;
        for (pk, ki) in pairs {
            tx.execute("INSERT OR REPLACE INTO pending_key_images VALUES (?1, ?2)", params![pk.to_vec(), ki.to_vec()])?;
        }
        tx.commit()?;
        self.resolve_pending_key_images()
    }

    pub fn resolve_pending_key_images(&mut self) -> Result<(), StoreError> {
        let tx = self.db.transaction()?;
        tx.execute("UPDATE transfers SET key_image = (SELECT key_image FROM pending_key_images p WHERE p.out_key = transfers.out_key) WHERE key_image IS NULL AND out_key IN (SELECT out_key FROM pending_key_images)", [])?;
        tx.commit()?;
        Ok(())
    }

    /// Spends of our key images seen in the pool.
    pub fn mark_pool_spent(&mut self, in_pool: &[[u8; 32]]) -> Result<(), StoreError> {
        let tx = self.db.transaction()?;
        for ki in in_pool {
            tx.execute("UPDATE transfers SET spent = 1 WHERE key_image = ?1 AND spent = 0", [ki.to_vec()])?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn set_history_height(&self, tx_hash: &str, height: Option<u64>) -> Result<(), StoreError> {
        self.db.execute("UPDATE history SET height = ?2 WHERE tx_hash = ?1", params![tx_hash, height.map(to_sql)])?;
        Ok(())
    }

    pub fn history(&self) -> Result<Vec<HistoryEntry>, StoreError> {
        let mut q = self.db.prepare("SELECT tx_hash, submitted_at, fee, amount, destinations, height FROM history ORDER BY submitted_at, tx_hash")?;
        let rows = q.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?, r.get::<_, String>(4)?, r.get::<_, Option<i64>>(5)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (tx_hash, at, fee, amount, dests, height) = row?;
            let destinations = serde_json::from_str(&dests).map_err(|e| StoreError::Damaged(format!("history {tx_hash}: {e}")))?;
            out.push(HistoryEntry { tx_hash, submitted_at: from_sql(at), fee: from_sql(fee), amount: from_sql(amount), destinations, height: height.map(from_sql) });
        }
        Ok(out)
    }
}

/// The file holds the (sealed) view key and the wallet's whole history: owner-only.
fn restrict_permissions(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn received(height: u64, key: u8, amount: u64) -> Received {
        Received {
            height,
            tx_hash: [key; 32],
            internal_index: 0,
            global_index: height * 10,
            out_key: [key; 32],
            tx_pubkey: [7; 32],
            pk_index: 0,
            additional_keys: vec![[8; 32], [9; 32]],
            amount,
            mask: [1; 32],
            subaddress: (0, key as u32),
            unlock_time: 0,
            coinbase: false,
            payment_id: (key == 2).then_some([0xab; 8]),
        }
    }

    fn block(height: u64, received: Vec<Received>, key_images: Vec<([u8; 32], [u8; 32])>) -> ScannedBlock {
        ScannedBlock { height, hash: [height as u8; 32], received, key_images, misses: Vec::new() }
    }

    #[test]
    fn a_file_written_before_payment_ids_gains_the_column_on_open() {
        let dir = std::env::temp_dir().join(format!("airsign-store-migrate-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("old.sqlite");
        let mut store = Store::create(&path, &[]).unwrap();
        store.apply(&[block(10, vec![received(10, 1, 5)], vec![])], &[200], None).unwrap();
        drop(store);
        // The older schema: no payment_id column, no cache table.
        let db = Connection::open(&path).unwrap();
        db.execute_batch("ALTER TABLE transfers DROP COLUMN payment_id; DROP TABLE cache;").unwrap();
        drop(db);
        let store = Store::open(&path).unwrap();
        let t = store.transfers().unwrap();
        assert_eq!((t.len(), t[0].received.amount, t[0].received.payment_id), (1, 5, None));
        assert_eq!(store.cached("subaddress_table").unwrap(), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn transfers_keep_chain_order_survive_reopening_and_roll_back() {
        let dir = std::env::temp_dir().join(format!("airsign-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("w.sqlite");
        let mut store = Store::create(&path, &[("address", "A".into())]).unwrap();
        assert!(matches!(Store::create(&path, &[]), Err(StoreError::Exists(_))));
        // The burning bug: the same output key again (block 12) is not a second output.
        let added = store.apply(&[block(10, vec![received(10, 1, 5)], vec![]), block(11, vec![received(11, 2, 7)], vec![]), block(12, vec![received(12, 1, 9)], vec![])], &[200, 200, 250], None).unwrap();
        assert_eq!(added, 2);
        drop(store);
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.transfers().unwrap().iter().map(|t| t.received.payment_id).collect::<Vec<_>>(), vec![None, Some([0xab; 8])], "payment ids survive reopening");
        let t = store.transfers().unwrap();
        assert_eq!(t.iter().map(|t| (t.idx, t.received.amount)).collect::<Vec<_>>(), vec![(0, 5), (1, 7)]);
        assert_eq!(t[1].received, received(11, 2, 7), "every field comes back");
        assert_eq!(store.next_height(0).unwrap(), 13);
        // A known key image spent in block 13; then blocks from 11 on are dropped.
        store.set_key_images(0, &[([42; 32], Spent::No), ([43; 32], Spent::No)]).unwrap();
        store.apply(&[block(13, vec![], vec![([43; 32], [0; 32])])], &[200, 200, 250], None).unwrap();
        assert_eq!(store.transfers().unwrap()[1].spent, Spent::InChain(13));
        assert_eq!(store.rollback(11).unwrap(), 1);
        let t = store.transfers().unwrap();
        assert_eq!((t.len(), t[0].spent, t[0].key_image), (1, Spent::No, Some([42; 32])));
        assert_eq!(store.next_height(0).unwrap(), 11);
        assert_eq!(store.meta("lookahead_minors").unwrap().as_deref(), Some("200,200,250"));
        assert!(matches!(Store::open(&dir.join("none.sqlite")), Err(StoreError::NotAWallet(_))));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
