//! `airsign xmr`: the Monero offline signer's verbs. Files are raw wallet2 files; `--ur`
//! reads or writes UR part text (`xmr-*` types) instead. Keys live in the keystore.

use super::xrpl_account::{confirm, journal_path, keystore, passphrase, payload_from_ur_text, print_ur, KeystoreArgs};
use crate::chain::monero::keys::{Network, WalletKeys};
use crate::chain::monero::outputs::OutputScanner;
use crate::chain::monero::review::format_xmr;
use crate::keystore::WalletInfo;
use crate::signer::journal::Journal;
use crate::signer::monero as signer;
use crate::transport::qr::{self, EcLevel};
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

#[derive(Clone, Copy, ValueEnum)]
pub enum NetworkArg {
    Mainnet,
    Stagenet,
    Testnet,
}

impl From<NetworkArg> for Network {
    fn from(n: NetworkArg) -> Network {
        match n {
            NetworkArg::Mainnet => Network::Mainnet,
            NetworkArg::Stagenet => Network::Stagenet,
            NetworkArg::Testnet => Network::Testnet,
        }
    }
}

/// What a new or restored wallet records besides its keys.
#[derive(Args)]
pub struct NewWalletArgs {
    #[arg(long, value_enum, default_value = "mainnet")]
    network: NetworkArg,
    /// The chain height the wallet starts at (for the view-only wallet's scan).
    #[arg(long, default_value_t = 0)]
    restore_height: u64,
}

/// Where a wallet2 file goes: the raw file and/or UR part text on stdout.
#[derive(Args)]
#[group(required = true, multiple = true)]
pub struct FileOut {
    /// Print UR part text (one part a line).
    #[arg(long)]
    ur: bool,
    /// Write the wallet2 file.
    #[arg(short = 'o', long = "out")]
    out: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum XmrCommand {
    /// Create a wallet from the OS random source; shows the 25 words once, on stderr.
    New {
        #[command(flatten)]
        w: KeystoreArgs,
        #[command(flatten)]
        new: NewWalletArgs,
    },
    /// Restore from the 25-word mnemonic (or the secret spend key in hex), read from stdin.
    Restore {
        #[command(flatten)]
        w: KeystoreArgs,
        #[command(flatten)]
        new: NewWalletArgs,
    },
    /// The primary address, or subaddress (account, index).
    Address {
        #[command(flatten)]
        w: KeystoreArgs,
        #[arg(long, default_value_t = 0)]
        account: u32,
        #[arg(long, default_value_t = 0)]
        index: u32,
    },
    /// The view-only wallet data Feather scans, as JSON text (and a QR image, EC H).
    ViewOnly {
        #[command(flatten)]
        w: KeystoreArgs,
        /// Also write the JSON as one QR code (PNG).
        #[arg(long)]
        qr: Option<PathBuf>,
    },
    /// Outputs file (from the view-only wallet) -> signed key image file.
    KeyImages {
        #[command(flatten)]
        w: KeystoreArgs,
        /// wallet2 outputs file or `xmr-output` UR text; `-` for stdin.
        outputs: PathBuf,
        #[command(flatten)]
        out: FileOut,
    },
    /// Show what an unsigned set would do, checked against our keys.
    Review {
        #[command(flatten)]
        w: KeystoreArgs,
        /// wallet2 unsigned tx set or `xmr-txunsigned` UR text; `-` for stdin.
        unsigned: PathBuf,
        /// JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The online machine's view-only wallet: sync, balance, outputs out, key images in,
    /// transfers as wallet2 unsigned sets, broadcast.
    #[cfg(feature = "net")]
    #[command(subcommand)]
    Online(super::xmr_online::OnlineCommand),
    /// Review, ask, sign, journal: the signed set.
    Sign {
        #[command(flatten)]
        w: KeystoreArgs,
        unsigned: PathBuf,
        /// Sign without asking (the review goes to stderr).
        #[arg(long)]
        yes: bool,
        /// Sign even though the journal shows these key images spent by another set.
        #[arg(long)]
        allow_respend: bool,
        #[command(flatten)]
        out: FileOut,
    },
}

pub fn run(cmd: XmrCommand) -> Result<()> {
    match cmd {
        #[cfg(feature = "net")]
        XmrCommand::Online(c) => super::xmr_online::run(c),
        XmrCommand::New { w, new } => {
            let keys = WalletKeys::generate(new.network.into()).context("the OS random source failed")?;
            create(&w, &keys, new.restore_height)?;
            eprintln!("Write these 25 words down; they are shown only now:\n\n{}\n", keys.mnemonic().as_str());
            println!("{}", keys.address());
            Ok(())
        }
        XmrCommand::Restore { w, new } => {
            let mut phrase = Zeroizing::new(String::new());
            std::io::stdin().lock().read_line(&mut phrase).context("cannot read the mnemonic from stdin")?;
            let trimmed = phrase.trim();
            let keys = if trimmed.len() == 64 && trimmed.bytes().all(|b| b.is_ascii_hexdigit()) {
                let mut spend = Zeroizing::new([0u8; 32]);
                hex::decode_to_slice(trimmed, spend.as_mut()).context("the secret spend key is not hex")?;
                WalletKeys::from_spend_secret(&spend, new.network.into())
            } else {
                WalletKeys::from_mnemonic(trimmed, new.network.into())?
            };
            create(&w, &keys, new.restore_height)?;
            println!("{}", keys.address());
            Ok(())
        }
        XmrCommand::Address { w, account, index } => {
            let (keys, _) = unlock(&w)?;
            println!("{}", keys.subaddress(account, index));
            Ok(())
        }
        XmrCommand::ViewOnly { w, qr: qr_path } => {
            let (keys, info) = unlock(&w)?;
            let height = info.public["restore_height"].as_u64().unwrap_or(0);
            let json = Zeroizing::new(signer::view_only_json(&keys, height, &w.wallet));
            println!("{}", json.as_str());
            if let Some(path) = qr_path {
                let symbol = qr::symbol(&json, EcLevel::H)?;
                qr::render(&symbol, 6).save(&path).with_context(|| format!("cannot write {}", path.display()))?;
            }
            Ok(())
        }
        XmrCommand::KeyImages { w, outputs, out } => {
            let (keys, _) = unlock(&w)?;
            let file = read_file("xmr-output", &outputs)?;
            let scanner = OutputScanner::with_default_lookahead(&keys);
            let (ki, summary) = signer::key_images(&scanner, &file)?;
            eprintln!(
                "{} outputs ({} XMR, {} on subaddresses): all ours; key images signed",
                summary.outputs,
                format_xmr(summary.total),
                summary.on_subaddresses
            );
            write_file("xmr-keyimage", &ki, &out)
        }
        XmrCommand::Review { w, unsigned, json } => {
            let (keys, _) = unlock(&w)?;
            let scanner = OutputScanner::with_default_lookahead(&keys);
            let reviewed = signer::review_unsigned(&scanner, &read_file("xmr-txunsigned", &unsigned)?)?;
            let journal = Journal::open(&journal_path(&w))?;
            if json {
                let mut v = serde_json::to_value(&reviewed.review)?;
                v["journal_conflict"] = serde_json::to_value(signer::journal_conflict(&reviewed, &journal))?;
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                print!("{}", reviewed.review.to_table());
                if let Some((ki, _)) = signer::journal_conflict(&reviewed, &journal) {
                    println!("\nWARNING: key image {ki} was already signed in a different set: signing this would try to spend it twice.");
                }
            }
            Ok(())
        }
        XmrCommand::Sign { w, unsigned, yes, allow_respend, out } => {
            let (keys, _) = unlock(&w)?;
            let scanner = OutputScanner::with_default_lookahead(&keys);
            let reviewed = signer::review_unsigned(&scanner, &read_file("xmr-txunsigned", &unsigned)?)?;
            let mut journal = Journal::open(&journal_path(&w))?;
            let text = reviewed.review.to_table();
            if let Some((ki, _)) = signer::journal_conflict(&reviewed, &journal) {
                eprintln!("{text}");
                if !allow_respend {
                    bail!("refused: key image {ki} was already signed in a different set (pass --allow-respend to override)");
                }
                eprintln!("WARNING: signing key images already spent by another set (--allow-respend)");
            }
            if yes {
                eprint!("{text}");
            } else {
                print!("{text}");
                if !confirm("Sign?")? {
                    bail!("not signed");
                }
            }
            let signed = signer::sign_reviewed(&scanner, &reviewed, &mut journal, allow_respend)?;
            write_file("xmr-txsigned", &signed, &out)
        }
    }
}

fn create(w: &KeystoreArgs, keys: &WalletKeys, restore_height: u64) -> Result<()> {
    let passphrase = passphrase(true)?;
    keystore(w)?.create(signer::keystore_info(&w.wallet, keys, restore_height), keys.spend_secret_bytes().as_ref(), &passphrase)?;
    Ok(())
}

fn unlock(w: &KeystoreArgs) -> Result<(WalletKeys, WalletInfo)> {
    let passphrase = passphrase(false)?;
    let (info, secret) = keystore(w)?.unlock(&w.wallet, &passphrase)?;
    let keys = signer::keys_from_record(&info, &secret).map_err(anyhow::Error::msg)?;
    Ok((keys, info))
}

/// A wallet2 file, from the file itself or from UR part text of `ur_type`.
pub(super) fn read_file(ur_type: &str, path: &Path) -> Result<Vec<u8>> {
    let raw = super::read_input(Some(path))?;
    if !crate::transport::part::looks_like_ur(&raw) {
        return Ok(raw);
    }
    let cbor = payload_from_ur_text(ur_type, &raw)?;
    Ok(crate::envelope::decode(ur_type, &cbor).with_context(|| format!("not a valid '{ur_type}' payload"))?.data)
}

pub(super) fn write_file(ur_type: &str, file: &[u8], out: &FileOut) -> Result<()> {
    if let Some(path) = &out.out {
        std::fs::write(path, file).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if out.ur {
        print_ur(ur_type, &crate::envelope::wrap_bytes(file))?;
    }
    Ok(())
}
