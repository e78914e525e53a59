//! `airsign xrpl ...`: stateless verbs that behave like rippled's (`wallet_propose`, `sign`,
//! `sign_for`) and xrpl.js's (`multisign`), plus the codec.

use crate::chain::xrpl::keys::{wallet_propose, KeyType, Seed};
use crate::chain::xrpl::{address, codec, sign};
use anyhow::{bail, Context, Result};
use clap::{Subcommand, ValueEnum};
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

#[derive(Clone, Copy, ValueEnum)]
pub enum KeyTypeArg {
    Secp256k1,
    Ed25519,
}

impl From<KeyTypeArg> for KeyType {
    fn from(k: KeyTypeArg) -> Self {
        match k {
            KeyTypeArg::Secp256k1 => KeyType::Secp256k1,
            KeyTypeArg::Ed25519 => KeyType::Ed25519,
        }
    }
}

#[derive(Subcommand)]
pub enum XrplCommand {
    /// New keys from the OS random source, or from a seed on stdin, as `rippled wallet_propose`.
    WalletPropose {
        #[arg(long, value_enum)]
        key_type: Option<KeyTypeArg>,
        /// Read a family seed (s...), 12 RFC 1751 words or 32 hex digits from stdin.
        #[arg(long, conflicts_with = "passphrase_stdin")]
        seed_stdin: bool,
        /// Derive from a passphrase on stdin, as rippled does (weak: prefer a random seed).
        #[arg(long)]
        passphrase_stdin: bool,
    },
    /// Sign a transaction as `rippled sign ... offline`; the secret is read from stdin.
    Sign {
        #[arg(long, value_enum)]
        key_type: Option<KeyTypeArg>,
        /// Required: the secret is never a command-line argument.
        #[arg(long, required = true)]
        secret_stdin: bool,
        /// The transaction JSON (`-` for stdin is not allowed: stdin carries the secret).
        tx: PathBuf,
    },
    /// Multi-sign for ACCOUNT as `rippled sign_for`; the secret is read from stdin.
    SignFor {
        #[arg(long)]
        account: String,
        #[arg(long, value_enum)]
        key_type: Option<KeyTypeArg>,
        #[arg(long, required = true)]
        secret_stdin: bool,
        tx: PathBuf,
    },
    /// Combine multi-signed copies (sign-for outputs) into one transaction, as xrpl.js `multisign`.
    Combine {
        #[arg(required = true)]
        signed: Vec<PathBuf>,
    },
    /// Transaction JSON -> canonical binary (hex).
    Encode { tx: PathBuf },
    /// Binary (hex) -> transaction JSON.
    Decode { hex: String },
    /// Check the signature(s) of a signed transaction (hex); exit status 0 only if valid.
    Verify { hex: String },
    /// The offline account in the keystore: new, restore, list, export, apply-state, sign-batch.
    #[command(subcommand)]
    Account(super::xrpl_account::AccountCommand),
    /// The online side: watch, sync, submit, status.
    #[cfg(feature = "net")]
    #[command(subcommand)]
    Online(super::xrpl_account::OnlineCommand),
}

pub fn run(cmd: XrplCommand) -> Result<()> {
    match cmd {
        XrplCommand::WalletPropose { key_type, seed_stdin, passphrase_stdin } => {
            let key_type = key_type.map(KeyType::from);
            let seed = if seed_stdin {
                Seed::parse(&read_secret()?, key_type)?
            } else if passphrase_stdin {
                eprintln!("warning: a passphrase-derived key is only as strong as the passphrase; anyone who guesses it takes the account");
                Seed::from_passphrase(read_secret()?.trim_end_matches(['\n', '\r']), key_type.unwrap_or(KeyType::Secp256k1))
            } else {
                Seed::random(key_type.unwrap_or(KeyType::Secp256k1))?
            };
            print_json(&serde_json::to_value(wallet_propose(&seed))?)
        }
        XrplCommand::Sign { key_type, tx, .. } => {
            let tx = read_json(&tx)?;
            let keys = Seed::parse(&read_secret()?, key_type.map(KeyType::from))?.key_pair();
            if tx.get("Account").and_then(Value::as_str) != Some(keys.address().as_str()) {
                eprintln!(
                    "warning: this key is not the master key of Account (it is {}'s); the signature is valid only if it is Account's regular key",
                    keys.address()
                );
            }
            print_json(&serde_json::to_value(sign::sign(&tx, &keys)?)?)
        }
        XrplCommand::SignFor { account, key_type, tx, .. } => {
            let tx = read_json(&tx)?;
            let id = address::decode_account_id(&account).with_context(|| format!("--account {account}"))?;
            let keys = Seed::parse(&read_secret()?, key_type.map(KeyType::from))?.key_pair();
            print_json(&serde_json::to_value(sign::sign_for(&tx, &keys, &id)?)?)
        }
        XrplCommand::Combine { signed } => {
            let mut txs = Vec::new();
            for path in &signed {
                let v = read_json(path)?;
                // A sign-for output ({tx_blob, hash, tx_json}) or the transaction itself.
                let mut tx = v.get("tx_json").cloned().unwrap_or(v);
                if let Some(o) = tx.as_object_mut() {
                    o.remove("hash");
                }
                txs.push(tx);
            }
            print_json(&serde_json::to_value(sign::combine(&txs)?)?)
        }
        XrplCommand::Encode { tx } => {
            println!("{}", hex::encode_upper(codec::encode(&read_json(&tx)?)?));
            Ok(())
        }
        XrplCommand::Decode { hex: h } => print_json(&codec::decode(&parse_hex(&h)?)?),
        XrplCommand::Verify { hex: h } => match sign::verify_blob(&parse_hex(&h)?)? {
            sign::Verification::SingleValid { signer } => {
                println!("valid: signed by the key of {signer}");
                Ok(())
            }
            sign::Verification::MultiValid { signers } => {
                println!("valid: multi-signed by {}", signers.join(", "));
                Ok(())
            }
            sign::Verification::Invalid(why) => bail!("invalid: {why}"),
        },
        XrplCommand::Account(c) => super::xrpl_account::run_account(c),
        #[cfg(feature = "net")]
        XrplCommand::Online(c) => super::xrpl_account::run_online(c),
    }
}

/// The whole of stdin (a seed, words or passphrase), never echoed or logged.
fn read_secret() -> Result<Zeroizing<String>> {
    let mut s = Zeroizing::new(String::new());
    std::io::stdin().read_to_string(&mut s).context("cannot read the secret from stdin")?;
    if s.trim().is_empty() {
        bail!("no secret on stdin");
    }
    Ok(s)
}

fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
}

fn parse_hex(h: &str) -> Result<Vec<u8>> {
    hex::decode(h.trim()).context("not hex (odd length or a non-hex character)")
}

fn print_json(v: &Value) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}
