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

/// Version 2 authenticates the header in a fixed byte layout ([`associated_data`]); version
/// 1 used serde_json's rendering of a `json!` map, which would change if the crate's key
/// order ever did. Version 1 files are read and rewritten as version 2 on unlock.
const FILE_VERSION: u32 = 2;
const LEGACY_FILE_VERSION: u32 = 1;
/// The most a wallet file may ask of the KDF before its seal is checked: a tampered header
/// could otherwise demand gigabytes and minutes. 16x the default memory, a few x its passes.
pub const MAX_KDF: KdfParams = KdfParams { m_cost_kib: 1024 * 1024, t_cost: 16, p_cost: 4 };
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

    /// Opens (creating it if needed) the keystore directory, private to its owner (0700): a
    /// directory others can read or write is refused rather than silently left so.
    pub fn open(dir: &Path) -> Result<Self, KeystoreError> {
        let io = |source| KeystoreError::Io { path: dir.to_owned(), source };
        std::fs::create_dir_all(dir).map_err(io)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir).map_err(io)?.permissions().mode() & 0o777;
            if mode != 0o700 {
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io)?;
            }
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
        if self.kdf.m_cost_kib > MAX_KDF.m_cost_kib || self.kdf.t_cost > MAX_KDF.t_cost || self.kdf.p_cost > MAX_KDF.p_cost {
            return Err(KeystoreError::Kdf);
        }
        let (kdf, aead) = seal_new(secret, passphrase, self.kdf, |kdf| associated_data(&info, kdf))?;
        let file = WalletFile { version: FILE_VERSION, info, kdf, aead };
        let text = serde_json::to_vec_pretty(&file).map_err(|_| KeystoreError::BadFile(path.clone()))?;
        create_durably(&path, &text).map_err(|e| match e {
            KeystoreError::Io { source, .. } if source.kind() == std::io::ErrorKind::AlreadyExists => KeystoreError::Exists(file.info.name.clone()),
            e => e,
        })
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
        let aad = if file.version == LEGACY_FILE_VERSION { legacy_associated_data(&file.info, &file.kdf) } else { associated_data(&file.info, &file.kdf) };
        let (key, secret) = open_record(&file.kdf, &file.aead, passphrase, &aad, bad, || KeystoreError::WrongPassphrase(name.to_owned()))?;
        if file.version == LEGACY_FILE_VERSION {
            self.migrate(file.info.clone(), &file.kdf, &key, &secret)?;
        }
        Ok((file.info, secret))
    }

    /// Rewrites a version 1 file as version 2: the same KDF salt and parameters (so the
    /// same passphrase), a fresh nonce, the header authenticated in the fixed layout. The old
    /// file is replaced atomically; a crash leaves one or the other, both readable.
    fn migrate(&self, info: WalletInfo, kdf: &KdfRecord, key: &[u8; 32], secret: &[u8]) -> Result<(), KeystoreError> {
        let path = self.path(&info.name)?;
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).map_err(|_| KeystoreError::Random)?;
        let aad = associated_data(&info, kdf);
        let cipher = XChaCha20Poly1305::new_from_slice(key).map_err(|_| KeystoreError::Kdf)?;
        let ciphertext = cipher.encrypt(&chacha20poly1305::XNonce::from(nonce), Payload { msg: secret, aad: &aad }).map_err(|_| KeystoreError::Kdf)?;
        let file = WalletFile {
            version: FILE_VERSION,
            info,
            kdf: kdf.clone(),
            aead: AeadRecord { algorithm: "xchacha20poly1305".into(), nonce: hex::encode(nonce), ciphertext: hex::encode(ciphertext) },
        };
        let text = serde_json::to_vec_pretty(&file).map_err(|_| KeystoreError::BadFile(path.clone()))?;
        write_durably(&path, &text)
    }

    fn read(&self, name: &str) -> Result<WalletFile, KeystoreError> {
        let path = self.path(name)?;
        let text = match std::fs::read(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(KeystoreError::NotFound(name.to_owned(), self.dir.clone())),
            Err(source) => return Err(KeystoreError::Io { path, source }),
        };
        let file: WalletFile = serde_json::from_slice(&text).map_err(|_| KeystoreError::BadFile(path.clone()))?;
        if !(file.version == FILE_VERSION || file.version == LEGACY_FILE_VERSION) || file.info.name != name {
            return Err(KeystoreError::BadFile(path));
        }
        Ok(file)
    }
}

#[derive(Serialize, Deserialize)]
struct SealedSecret {
    version: u32,
    kdf: KdfRecord,
    aead: AeadRecord,
}

/// A secret sealed under a passphrase with the keystore's scheme (Argon2id, then
/// XChaCha20-Poly1305), as one JSON text for a database field. `context` (what the secret
/// is and whose) is authenticated: a sealed value moved to another record does not open.
pub fn seal_secret(secret: &[u8], passphrase: &str, context: &str, kdf: KdfParams) -> Result<String, KeystoreError> {
    let (kdf, aead) = seal_new(secret, passphrase, kdf, |_| context.as_bytes().to_vec())?;
    serde_json::to_string(&SealedSecret { version: 1, kdf, aead }).map_err(|_| KeystoreError::Kdf)
}

/// Opens what [`seal_secret`] sealed with the same `context`.
pub fn open_secret(sealed: &str, passphrase: &str, context: &str) -> Result<Zeroizing<Vec<u8>>, KeystoreError> {
    let bad = || KeystoreError::BadFile(PathBuf::from(context));
    let sealed: SealedSecret = serde_json::from_str(sealed).map_err(|_| bad())?;
    if sealed.version != 1 {
        return Err(bad());
    }
    let (_, secret) = open_record(&sealed.kdf, &sealed.aead, passphrase, context.as_bytes(), bad, || KeystoreError::WrongPassphrase(context.to_owned()))?;
    Ok(secret)
}

/// Argon2id over a fresh salt, then XChaCha20-Poly1305 over a fresh nonce; the associated
/// data is made from the KDF record (the keystore file authenticates its header with it).
fn seal_new(secret: &[u8], passphrase: &str, params: KdfParams, aad_of: impl FnOnce(&KdfRecord) -> Vec<u8>) -> Result<(KdfRecord, AeadRecord), KeystoreError> {
    if passphrase.is_empty() {
        return Err(KeystoreError::EmptyPassphrase);
    }
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut salt).map_err(|_| KeystoreError::Random)?;
    getrandom::fill(&mut nonce).map_err(|_| KeystoreError::Random)?;
    let kdf = KdfRecord { algorithm: "argon2id-v19".into(), params, salt: hex::encode(salt) };
    let key = derive_key(passphrase, &kdf)?;
    let aad = aad_of(&kdf);
    let cipher = XChaCha20Poly1305::new_from_slice(key.as_ref()).map_err(|_| KeystoreError::Kdf)?;
    let ciphertext = cipher.encrypt(&chacha20poly1305::XNonce::from(nonce), Payload { msg: secret, aad: &aad }).map_err(|_| KeystoreError::Kdf)?;
    Ok((kdf, AeadRecord { algorithm: "xchacha20poly1305".into(), nonce: hex::encode(nonce), ciphertext: hex::encode(ciphertext) }))
}

/// The key and the plaintext of a sealed record, if the passphrase is right and nothing was
/// altered: `bad` for a malformed record, `wrong` for a failed decryption.
fn open_record(
    kdf: &KdfRecord,
    aead: &AeadRecord,
    passphrase: &str,
    aad: &[u8],
    bad: impl Fn() -> KeystoreError,
    wrong: impl FnOnce() -> KeystoreError,
) -> Result<(Zeroizing<[u8; 32]>, Zeroizing<Vec<u8>>), KeystoreError> {
    let nonce: [u8; 24] = hex::decode(&aead.nonce).ok().and_then(|n| n.try_into().ok()).ok_or_else(&bad)?;
    let ciphertext = hex::decode(&aead.ciphertext).map_err(|_| bad())?;
    if aead.algorithm != "xchacha20poly1305" || kdf.algorithm != "argon2id-v19" {
        return Err(bad());
    }
    let key = derive_key(passphrase, kdf)?;
    let cipher = XChaCha20Poly1305::new_from_slice(key.as_ref()).map_err(|_| KeystoreError::Kdf)?;
    let secret = Zeroizing::new(cipher.decrypt(&chacha20poly1305::XNonce::from(nonce), Payload { msg: &ciphertext, aad }).map_err(|_| wrong())?);
    Ok((key, secret))
}

fn derive_key(passphrase: &str, kdf: &KdfRecord) -> Result<Zeroizing<[u8; 32]>, KeystoreError> {
    let p = kdf.params;
    // Bound what a file may ask for before its seal can be checked.
    if p.m_cost_kib > MAX_KDF.m_cost_kib || p.t_cost > MAX_KDF.t_cost || p.p_cost > MAX_KDF.p_cost {
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

/// The public header in a fixed byte layout, authenticated with the secret: a domain tag,
/// then each item length-prefixed (u32 little-endian): version, name, chain, the public data
/// as canonical JSON (object keys sorted, no spaces, whatever serde_json's map order), the
/// KDF algorithm, m, t, p (u32 LE) and salt.
fn associated_data(info: &WalletInfo, kdf: &KdfRecord) -> Vec<u8> {
    let mut out = b"airsign keystore header v2\0".to_vec();
    let mut item = |bytes: &[u8]| {
        out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        out.extend_from_slice(bytes);
    };
    item(&FILE_VERSION.to_le_bytes());
    item(info.name.as_bytes());
    item(info.chain.as_bytes());
    let mut public = String::new();
    canonical_json(&info.public, &mut public);
    item(public.as_bytes());
    item(kdf.algorithm.as_bytes());
    item(&kdf.params.m_cost_kib.to_le_bytes());
    item(&kdf.params.t_cost.to_le_bytes());
    item(&kdf.params.p_cost.to_le_bytes());
    item(kdf.salt.as_bytes());
    out
}

/// JSON with object keys in byte order, independent of how serde_json keeps maps.
fn canonical_json(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                canonical_json(&m[k], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical_json(x, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// Version 1's associated data (read only, to migrate): serde_json's rendering of a map,
/// as written by airsign before version 2.
fn legacy_associated_data(info: &WalletInfo, kdf: &KdfRecord) -> Vec<u8> {
    let header = serde_json::json!({
        "version": LEGACY_FILE_VERSION, "name": info.name, "chain": info.chain, "public": info.public,
        "kdf": { "algorithm": kdf.algorithm, "m": kdf.params.m_cost_kib, "t": kdf.params.t_cost, "p": kdf.params.p_cost, "salt": kdf.salt },
    });
    serde_json::to_vec(&header).unwrap_or_default()
}

/// Writes a file so that a crash leaves either the old file or the whole new one: write a
/// sibling (owner-only, 0600), fsync it, rename it into place, fsync the directory. A
/// sibling left by an earlier crash is overwritten.
pub(crate) fn write_durably(path: &Path, bytes: &[u8]) -> Result<(), KeystoreError> {
    let io = |source| KeystoreError::Io { path: path.to_owned(), source };
    let tmp = write_sibling(path, bytes)?;
    std::fs::rename(&tmp, path).map_err(io)?;
    sync_parent(path).map_err(io)
}

/// Like [`write_durably`], but never replaces an existing file: the sibling is linked into
/// place (link(2) fails if the name exists), so two concurrent creates cannot overwrite each
/// other; the loser gets `AlreadyExists`.
fn create_durably(path: &Path, bytes: &[u8]) -> Result<(), KeystoreError> {
    let io = |source| KeystoreError::Io { path: path.to_owned(), source };
    let tmp = write_sibling(path, bytes)?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    linked.map_err(io)?;
    sync_parent(path).map_err(io)
}

fn write_sibling(path: &Path, bytes: &[u8]) -> Result<PathBuf, KeystoreError> {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    // Unique per process and call: concurrent writers never share a sibling.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    name.push(format!(".{}-{}.partial", std::process::id(), NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)));
    let tmp = path.with_file_name(name);
    let io = |source| KeystoreError::Io { path: tmp.clone(), source };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(&tmp).map_err(io)?;
    #[cfg(unix)]
    {
        // An earlier crash's sibling keeps its mode on reopen: set it.
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    }
    f.write_all(bytes).map_err(io)?;
    f.sync_all().map_err(io)?;
    Ok(tmp)
}

/// Fsyncs the directory holding `path`, so a new or renamed name in it reaches the disk.
pub(crate) fn sync_parent(path: &Path) -> std::io::Result<()> {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => std::fs::File::open(dir)?.sync_all(),
        None => std::fs::File::open(".")?.sync_all(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_passphrase_and_context() {
        let kdf = KdfParams { m_cost_kib: 64, t_cost: 1, p_cost: 1 };
        let sealed = seal_secret(b"view key bytes", "pass", "wallet A", kdf).unwrap();
        assert!(!sealed.contains(&hex::encode(b"view key bytes")));
        assert_eq!(open_secret(&sealed, "pass", "wallet A").unwrap().as_slice(), b"view key bytes");
        assert!(matches!(open_secret(&sealed, "wrong", "wallet A"), Err(KeystoreError::WrongPassphrase(_))));
        assert!(matches!(open_secret(&sealed, "pass", "wallet B"), Err(KeystoreError::WrongPassphrase(_))));
        let mut v: Value = serde_json::from_str(&sealed).unwrap();
        let ct = v["aead"]["ciphertext"].as_str().unwrap().to_owned();
        v["aead"]["ciphertext"] = Value::from(format!("{}{}", if ct.starts_with('0') { "1" } else { "0" }, &ct[1..]));
        assert!(matches!(open_secret(&v.to_string(), "pass", "wallet A"), Err(KeystoreError::WrongPassphrase(_))));
        assert!(matches!(open_secret("{}", "pass", "wallet A"), Err(KeystoreError::BadFile(_))));
        assert!(matches!(seal_secret(b"x", "", "wallet A", kdf), Err(KeystoreError::EmptyPassphrase)));
    }

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
        // An earlier process crashed mid-write and left its sibling.
        let torn = ks.dir().join("w.wallet.json.4242-0.partial");
        std::fs::write(&torn, b"torn").unwrap();
        ks.create(info("w"), b"secret", "pw").unwrap();
        assert_eq!(&ks.unlock("w", "pw").unwrap().1[..], b"secret");
        assert_eq!(ks.list().unwrap().len(), 1, "a leftover sibling is not a wallet");
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

    #[cfg(unix)]
    #[test]
    fn files_and_directory_are_private_to_the_owner() {
        use std::os::unix::fs::PermissionsExt;
        let ks = store("mode");
        ks.create(info("w"), b"secret", "pw").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&ks.dir().join("w.wallet.json")), 0o600);
        assert_eq!(mode(ks.dir()), 0o700);
        write_durably(&ks.dir().join("state.json"), b"{}").unwrap();
        assert_eq!(mode(&ks.dir().join("state.json")), 0o600);
    }

    /// Two processes creating the same wallet at once: before, both passed the existence
    /// check and the second rename replaced the first wallet. Now exactly one wins, and the
    /// file on disk is the winner's.
    #[test]
    fn concurrent_creates_never_overwrite_a_wallet() {
        for round in 0..20 {
            let ks = std::sync::Arc::new(store(&format!("race{round}")));
            let handles: Vec<_> = (0..2)
                .map(|i| {
                    let ks = ks.clone();
                    std::thread::spawn(move || ks.create(info("w"), format!("secret {i}").as_bytes(), &format!("pw{i}")).map(|_| i))
                })
                .collect();
            let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
            let winners: Vec<usize> = results.iter().filter_map(|r| r.as_ref().ok().copied()).collect();
            assert_eq!(winners.len(), 1, "round {round}: {results:?}");
            assert!(results.iter().any(|r| matches!(r, Err(KeystoreError::Exists(_)))));
            let w = winners[0];
            assert_eq!(&ks.unlock("w", &format!("pw{w}")).unwrap().1[..], format!("secret {w}").as_bytes());
        }
    }

    #[test]
    fn a_tampered_header_cannot_demand_a_huge_kdf() {
        let ks = store("kdf");
        ks.create(info("w"), b"secret", "pw").unwrap();
        let path = ks.dir().join("w.wallet.json");
        let mut file: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        file["kdf"]["m_cost_kib"] = (4u64 << 20).into();
        std::fs::write(&path, serde_json::to_vec(&file).unwrap()).unwrap();
        let started = std::time::Instant::now();
        assert!(matches!(ks.unlock("w", "pw"), Err(KeystoreError::Kdf)));
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "refused before deriving");
    }

    /// A version 1 file (header authenticated as serde_json's rendering) still unlocks, and
    /// is rewritten as version 2 with the fixed layout; the passphrase stays the same.
    #[test]
    fn version_1_files_unlock_and_are_migrated() {
        let ks = store("migrate");
        let kdf = KdfRecord { algorithm: "argon2id-v19".into(), params: ks.kdf, salt: hex::encode([9u8; 16]) };
        let key = derive_key("pw", &kdf).unwrap();
        let nonce = [5u8; 24];
        let cipher = XChaCha20Poly1305::new_from_slice(key.as_ref()).unwrap();
        let ct = cipher.encrypt(&chacha20poly1305::XNonce::from(nonce), Payload { msg: b"old secret", aad: &legacy_associated_data(&info("old"), &kdf) }).unwrap();
        let v1 = WalletFile { version: 1, info: info("old"), kdf, aead: AeadRecord { algorithm: "xchacha20poly1305".into(), nonce: hex::encode(nonce), ciphertext: hex::encode(ct) } };
        let path = ks.dir().join("old.wallet.json");
        std::fs::write(&path, serde_json::to_vec_pretty(&v1).unwrap()).unwrap();
        assert!(matches!(ks.unlock("old", "wrong"), Err(KeystoreError::WrongPassphrase(_))));
        assert_eq!(&ks.unlock("old", "pw").unwrap().1[..], b"old secret");
        let now: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(now["version"], 2);
        assert_eq!(&ks.unlock("old", "pw").unwrap().1[..], b"old secret");
    }

    #[test]
    fn the_header_layout_does_not_depend_on_json_key_order() {
        let kdf = KdfRecord { algorithm: "argon2id-v19".into(), params: KdfParams::default(), salt: "00".into() };
        let a = WalletInfo { public: serde_json::from_str(r#"{"b":1,"a":{"y":2,"x":[1,"s"]}}"#).unwrap(), ..info("w") };
        let b = WalletInfo { public: serde_json::from_str(r#"{"a":{"x":[1,"s"],"y":2},"b":1}"#).unwrap(), ..info("w") };
        assert_eq!(associated_data(&a, &kdf), associated_data(&b, &kdf));
        let mut text = String::new();
        canonical_json(&a.public, &mut text);
        assert_eq!(text, r#"{"a":{"x":[1,"s"],"y":2},"b":1}"#);
    }
}
