//! The encrypted keystore: one file per wallet, any chain. The secret is sealed with
//! XChaCha20-Poly1305 under a key derived by Argon2id from the user's passphrase; the KDF
//! parameters are stored in the file, and the file's public header (chain, name, public
//! data, parameters) is the AEAD's associated data, so editing any of it breaks decryption.
//!
//! Plaintext secrets exist only in memory, in `Zeroizing` buffers.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::XChaCha20Poly1305;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

const FILE_VERSION: u32 = 1;
const SUFFIX: &str = ".wallet.json";

#[derive(Debug, thiserror::Error)]
pub enum KeystoreError {
    #[error("wrong passphrase for wallet '{0}' (or its file was altered)")]
    WrongPassphrase(String),
    #[error("no wallet named '{0}' in {1}")]
    NotFound(String, PathBuf),
    #[error("a wallet named '{0}' already exists")]
    Exists(String),
    #[error("wallet names are 1-64 letters, digits, '-' or '_'")]
    BadName,
    #[error("wallet file {0} is damaged or of an unknown version")]
    BadFile(PathBuf),
    #[error("key derivation failed: unusable parameters")]
    Kdf,
    #[error("the passphrase is empty")]
    EmptyPassphrase,
    #[error("the operating system's random source failed")]
    Random,
    #[error("keystore I/O on {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// Argon2id cost. Default m = 64 MiB, t = 3, p = 1: above OWASP's minimum for Argon2id
/// (19 MiB, t = 2), and a fraction of a second on this project's 2-core machines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    pub m_cost_kib: u32,
    pub t_cost: u32,
    pub p_cost: u32,
}

impl Default for KdfParams {
    fn default() -> Self {
        Self { m_cost_kib: 64 * 1024, t_cost: 3, p_cost: 1 }
    }
}

/// A wallet's public face: what `list` shows without a passphrase.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WalletInfo {
    pub name: String,
    pub chain: String,
    /// Chain-specific public data (address, public key, network...).
    pub public: Value,
}

#[derive(Serialize, Deserialize)]
struct WalletFile {
    version: u32,
    #[serde(flatten)]
    info: WalletInfo,
    kdf: KdfRecord,
    aead: AeadRecord,
}

#[derive(Clone, Serialize, Deserialize)]
struct KdfRecord {
    algorithm: String,
    #[serde(flatten)]
    params: KdfParams,
    salt: String,
}

#[derive(Serialize, Deserialize)]
struct AeadRecord {
    algorithm: String,
    nonce: String,
    ciphertext: String,
}

pub struct Keystore {
    dir: PathBuf,
    kdf: KdfParams,
}

impl Keystore {
    /// `dir`, else `AIRSIGN_HOME`, else the platform data directory (`$XDG_DATA_HOME/airsign`
    /// or `~/.local/share/airsign`).
    pub fn locate(dir: Option<&Path>) -> PathBuf {
        if let Some(d) = dir {
            return d.to_owned();
        }
        if let Some(h) = std::env::var_os("AIRSIGN_HOME").filter(|h| !h.is_empty()) {
            return PathBuf::from(h);
        }
        if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|h| !h.is_empty()) {
            return PathBuf::from(x).join("airsign");
        }
        let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
        home.join(".local/share/airsign")
    }

    pub fn open(dir: &Path) -> Result<Self, KeystoreError> {
        std::fs::create_dir_all(dir).map_err(|source| KeystoreError::Io { path: dir.to_owned(), source })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
        Ok(Self { dir: dir.to_owned(), kdf: KdfParams::default() })
    }

    /// Cheaper parameters, for tests only (new wallets; existing files keep theirs).
    pub fn with_kdf(mut self, kdf: KdfParams) -> Self {
        self.kdf = kdf;
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, name: &str) -> Result<PathBuf, KeystoreError> {
        let ok = (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            return Err(KeystoreError::BadName);
        }
        Ok(self.dir.join(format!("{name}{SUFFIX}")))
    }

    /// Seals `secret` under `passphrase` in a new wallet file; refuses to overwrite.
    pub fn create(&self, info: WalletInfo, secret: &[u8], passphrase: &str) -> Result<(), KeystoreError> {
        let path = self.path(&info.name)?;
        if path.exists() {
            return Err(KeystoreError::Exists(info.name));
        }
        if passphrase.is_empty() {
            return Err(KeystoreError::EmptyPassphrase);
        }
        let mut salt = [0u8; 16];
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut salt).map_err(|_| KeystoreError::Random)?;
        getrandom::fill(&mut nonce).map_err(|_| KeystoreError::Random)?;
        let kdf = KdfRecord { algorithm: "argon2id-v19".into(), params: self.kdf, salt: hex::encode(salt) };
        let key = derive_key(passphrase, &kdf)?;
        let aad = associated_data(&info, &kdf);
        let cipher = XChaCha20Poly1305::new_from_slice(key.as_ref()).map_err(|_| KeystoreError::Kdf)?;
        let ciphertext = cipher
            .encrypt(&chacha20poly1305::XNonce::from(nonce), Payload { msg: secret, aad: &aad })
            .map_err(|_| KeystoreError::Kdf)?;
        let file = WalletFile {
            version: FILE_VERSION,
            info,
            kdf,
            aead: AeadRecord { algorithm: "xchacha20poly1305".into(), nonce: hex::encode(nonce), ciphertext: hex::encode(ciphertext) },
        };
        let text = serde_json::to_vec_pretty(&file).map_err(|_| KeystoreError::BadFile(path.clone()))?;
        write_durably(&path, &text)
    }

    pub fn info(&self, name: &str) -> Result<WalletInfo, KeystoreError> {
        Ok(self.read(name)?.info)
    }

    pub fn list(&self) -> Result<Vec<WalletInfo>, KeystoreError> {
        let io = |source| KeystoreError::Io { path: self.dir.clone(), source };
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .map_err(io)?
            .filter_map(|e| e.ok()?.file_name().into_string().ok()?.strip_suffix(SUFFIX).map(str::to_owned))
            .collect();
        names.sort();
        names.iter().map(|n| self.info(n)).collect()
    }

    /// The secret, if `passphrase` is right and the file untouched.
    pub fn unlock(&self, name: &str, passphrase: &str) -> Result<(WalletInfo, Zeroizing<Vec<u8>>), KeystoreError> {
        let file = self.read(name)?;
        let bad = || KeystoreError::BadFile(self.dir.join(format!("{name}{SUFFIX}")));
        let nonce: [u8; 24] = hex::decode(&file.aead.nonce).ok().and_then(|n| n.try_into().ok()).ok_or_else(bad)?;
        let ciphertext = hex::decode(&file.aead.ciphertext).map_err(|_| bad())?;
        if file.aead.algorithm != "xchacha20poly1305" || file.kdf.algorithm != "argon2id-v19" {
            return Err(bad());
        }
        let key = derive_key(passphrase, &file.kdf)?;
        let aad = associated_data(&file.info, &file.kdf);
        let cipher = XChaCha20Poly1305::new_from_slice(key.as_ref()).map_err(|_| KeystoreError::Kdf)?;
        let secret = cipher
            .decrypt(&chacha20poly1305::XNonce::from(nonce), Payload { msg: &ciphertext, aad: &aad })
            .map_err(|_| KeystoreError::WrongPassphrase(name.to_owned()))?;
        Ok((file.info, Zeroizing::new(secret)))
    }

    fn read(&self, name: &str) -> Result<WalletFile, KeystoreError> {
        let path = self.path(name)?;
        let text = match std::fs::read(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(KeystoreError::NotFound(name.to_owned(), self.dir.clone())),
            Err(source) => return Err(KeystoreError::Io { path, source }),
        };
        let file: WalletFile = serde_json::from_slice(&text).map_err(|_| KeystoreError::BadFile(path.clone()))?;
        if file.version != FILE_VERSION || file.info.name != name {
            return Err(KeystoreError::BadFile(path));
        }
        Ok(file)
    }
}

fn derive_key(passphrase: &str, kdf: &KdfRecord) -> Result<Zeroizing<[u8; 32]>, KeystoreError> {
    let p = kdf.params;
    // Bound what a file may ask for: at most 4 GiB and 64 passes.
    if p.m_cost_kib > 4 << 20 || p.t_cost > 64 || p.p_cost > 16 {
        return Err(KeystoreError::Kdf);
    }
    let params = Params::new(p.m_cost_kib, p.t_cost, p.p_cost, Some(32)).map_err(|_| KeystoreError::Kdf)?;
    let salt = hex::decode(&kdf.salt).map_err(|_| KeystoreError::Kdf)?;
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), &salt, key.as_mut())
        .map_err(|_| KeystoreError::Kdf)?;
    Ok(key)
}

/// The public header, serialised deterministically, authenticated with the secret.
fn associated_data(info: &WalletInfo, kdf: &KdfRecord) -> Vec<u8> {
    let header = serde_json::json!({
        "version": FILE_VERSION, "name": info.name, "chain": info.chain, "public": info.public,
        "kdf": { "algorithm": kdf.algorithm, "m": kdf.params.m_cost_kib, "t": kdf.params.t_cost, "p": kdf.params.p_cost, "salt": kdf.salt },
    });
    serde_json::to_vec(&header).unwrap_or_default()
}

/// Writes a file so that a crash leaves either the old file or the whole new one: write a
/// sibling, fsync it, rename it into place, fsync the directory. A sibling left by an
/// earlier crash is overwritten.
pub(crate) fn write_durably(path: &Path, bytes: &[u8]) -> Result<(), KeystoreError> {
    let io = |source| KeystoreError::Io { path: path.to_owned(), source };
    let tmp = path.with_extension("partial");
    {
        let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).open(&tmp).map_err(io)?;
        f.write_all(bytes).map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    std::fs::rename(&tmp, path).map_err(io)?;
    if let Some(dir) = path.parent() {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(tag: &str) -> Keystore {
        let dir = std::env::temp_dir().join(format!("airsign-keystore-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Keystore::open(&dir).unwrap().with_kdf(KdfParams { m_cost_kib: 256, t_cost: 1, p_cost: 1 })
    }

    fn info(name: &str) -> WalletInfo {
        WalletInfo { name: name.into(), chain: "xrpl".into(), public: serde_json::json!({"address": "rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn"}) }
    }

    #[test]
    fn round_trip_and_wrong_passphrase() {
        let ks = store("rt");
        ks.create(info("main"), b"sixteen byte key", "correct horse").unwrap();
        let (i, secret) = ks.unlock("main", "correct horse").unwrap();
        assert_eq!(&secret[..], b"sixteen byte key");
        assert_eq!(i, info("main"));
        assert!(matches!(ks.unlock("main", "wrong"), Err(KeystoreError::WrongPassphrase(_))));
        assert!(matches!(ks.create(info("main"), b"x", "p"), Err(KeystoreError::Exists(_))));
        assert!(matches!(ks.unlock("nope", "p"), Err(KeystoreError::NotFound(..))));
        assert!(matches!(ks.create(info("../evil"), b"x", "p"), Err(KeystoreError::BadName)));
        assert_eq!(ks.list().unwrap(), vec![info("main")]);
        // The file holds no plaintext secret.
        let text = std::fs::read_to_string(ks.dir().join("main.wallet.json")).unwrap();
        assert!(!text.contains("sixteen") && !text.contains(&hex::encode(b"sixteen byte key")));
    }

    #[test]
    fn a_partial_file_left_by_a_crash_does_not_block_the_next_write() {
        let ks = store("partial");
        std::fs::write(ks.dir().join("w.wallet.partial"), b"torn").unwrap();
        ks.create(info("w"), b"secret", "pw").unwrap();
        assert_eq!(&ks.unlock("w", "pw").unwrap().1[..], b"secret");
        assert!(!ks.dir().join("w.wallet.partial").exists());
    }

    #[test]
    fn edited_public_data_breaks_the_seal() {
        let ks = store("tamper");
        ks.create(info("w"), b"secret", "pw").unwrap();
        let path = ks.dir().join("w.wallet.json");
        let text = std::fs::read_to_string(&path).unwrap().replace("rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn", "r4MRc4BArFPXmiDjmLdrufyFManSYhfKE6");
        std::fs::write(&path, text).unwrap();
        assert!(matches!(ks.unlock("w", "pw"), Err(KeystoreError::WrongPassphrase(_))));
    }
}
