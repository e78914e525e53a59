//! The `airsign` command line: thin verbs over the library.

mod demo;
mod qr;
mod ur;
mod xrpl;
mod xrpl_account;
mod xrpl_security;
mod xmr;
#[cfg(feature = "net")]
mod xmr_online;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(name = "airsign", version = crate::VERSION, about = "Sign on an air-gapped computer; carry every payload as animated UR QR codes.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Encode and decode UR part text.
    #[command(subcommand)]
    Ur(ur::UrCommand),
    /// Render UR parts as QR images and scan them back.
    #[command(subcommand)]
    Qr(qr::QrCommand),
    /// Demonstrations through the virtual camera.
    #[command(subcommand)]
    Demo(demo::DemoCommand),
    /// XRP Ledger: keys, signing, multi-signing, the binary codec.
    #[command(subcommand)]
    Xrpl(xrpl::XrplCommand),
    /// Monero offline signer: wallet, key images, review and sign wallet2 tx sets.
    #[command(subcommand)]
    Xmr(xmr::XmrCommand),
    /// What this machine offers and lacks for airsign: display, OpenGL, cameras, network
    /// interfaces up, the keystore's permissions, the clock.
    Doctor {
        /// Keystore directory to check (else AIRSIGN_HOME, else the platform data directory).
        #[arg(long)]
        keystore: Option<PathBuf>,
        /// One JSON object per finding, in an array.
        #[arg(long)]
        json: bool,
        /// Read the machine under this directory instead of / (the tests' fake machines).
        #[arg(long, hide = true, default_value = "/")]
        root: PathBuf,
    },
    /// The offline (signing) desktop app.
    #[cfg(feature = "gui")]
    Offline {
        /// Keystore directory (else AIRSIGN_HOME, else the platform data directory).
        #[arg(long)]
        keystore: Option<PathBuf>,
    },
    /// The online (watch-only) desktop app.
    #[cfg(all(feature = "gui", feature = "net"))]
    Online {
        /// The online side's database (SQLite; the Monero view-only wallet sits beside it).
        /// Default: online.sqlite in the data directory (AIRSIGN_HOME, else
        /// $XDG_DATA_HOME/airsign, else ~/.local/share/airsign).
        #[arg(long)]
        db: Option<PathBuf>,
        /// rippled JSON-RPC URL.
        #[arg(long, default_value = "https://s1.ripple.com:51234")]
        rippled: String,
    },
}

/// Runs the CLI; the exit code is 0 on success.
pub fn run() -> Result<()> {
    match Cli::parse().command {
        Command::Ur(c) => ur::run(c),
        Command::Qr(c) => qr::run(c),
        Command::Demo(c) => demo::run(c),
        Command::Xrpl(c) => xrpl::run(c),
        Command::Xmr(c) => xmr::run(c),
        Command::Doctor { keystore, json, root } => {
            let findings = crate::doctor::this_machine(&root, crate::keystore::Keystore::locate(keystore.as_deref()), &|k| std::env::var(k).ok());
            if json {
                println!("{}", serde_json::to_string_pretty(&findings)?);
            } else {
                print!("{}", crate::doctor::render(&findings));
            }
            Ok(())
        }
        #[cfg(feature = "gui")]
        Command::Offline { keystore } => {
            crate::app::run_offline(crate::keystore::Keystore::locate(keystore.as_deref())).map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
        }
        #[cfg(all(feature = "gui", feature = "net"))]
        Command::Online { db, rippled } => {
            let db = match db {
                Some(db) => db,
                None => {
                    let dir = crate::keystore::Keystore::locate(None);
                    std::os::unix::fs::DirBuilderExt::mode(std::fs::DirBuilder::new().recursive(true), 0o700).create(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
                    dir.join("online.sqlite")
                }
            };
            crate::app::run_online(db, rippled).map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
        }
    }
}

/// Reads FILE, or stdin for `-` or no file.
fn read_input(file: Option<&Path>) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    match file {
        Some(p) if p != Path::new("-") => {
            buf = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
        }
        _ => {
            std::io::stdin().read_to_end(&mut buf).context("cannot read stdin")?;
        }
    }
    Ok(buf)
}

/// The UR message for a type: the input itself, or the input wrapped in a CBOR byte string.
/// Types airsign knows are checked (a wrong file for `xmr-txunsigned` is refused here, not
/// by the other side).
fn message_from_input(ur_type: &str, input: Vec<u8>, wrap_bytes: bool) -> Result<Vec<u8>> {
    let message = if wrap_bytes { crate::envelope::wrap_bytes(&input) } else { input };
    if crate::envelope::UrType::from_name(ur_type).is_ok() {
        crate::envelope::decode(ur_type, &message).with_context(|| format!("input is not a valid '{ur_type}' payload"))?;
    }
    Ok(message)
}

/// What to encode and how: shared by `ur encode` and `qr render`.
#[derive(clap::Args)]
struct EncodeArgs {
    /// UR type, e.g. bytes, xmr-txunsigned.
    #[arg(long = "type", value_name = "TYPE")]
    ur_type: String,
    /// Largest fragment in bytes (default 1000; with --profile, the profile's).
    #[arg(long)]
    max_fragment: Option<usize>,
    /// How many parts (default seqLen; more adds fountain parts, or loops a profile's
    /// plain parts).
    #[arg(long)]
    count: Option<usize>,
    /// The input is raw bytes: wrap them in a CBOR byte string first.
    #[arg(long)]
    wrap_bytes: bool,
    /// Show it as the player does for another wallet: standard, cake, feather, anonero,
    /// xaman (one signed XRPL transaction as a static hex code), keystone-xrpl.
    #[arg(long)]
    profile: Option<String>,
    /// For xaman and keystone-xrpl: which transaction of the batch (1-based).
    #[arg(long)]
    index: Option<usize>,
    /// The UR message (CBOR), or raw bytes with --wrap-bytes; `-` or nothing for stdin.
    file: Option<PathBuf>,
}

impl EncodeArgs {
    fn profile(&self) -> Result<Option<crate::transport::Profile>> {
        Ok(self.profile.as_deref().map(crate::transport::Profile::parse).transpose()?)
    }

    /// The parts asked for: the encoder's, or exactly what the player shows with the profile.
    fn parts(&self) -> Result<Vec<String>> {
        let input = read_input(self.file.as_deref())?;
        let message = message_from_input(&self.ur_type, input, self.wrap_bytes)?;
        if let Some(profile) = self.profile()? {
            let mut stream = crate::transport::profile::Stream::new(profile, &self.ur_type, &message, self.max_fragment, self.index)?;
            let count = self.count.unwrap_or(stream.seq_len());
            return Ok(stream.texts(count));
        }
        let mut encoder = crate::transport::UrEncoder::new(&self.ur_type, &message, self.max_fragment.unwrap_or(crate::transport::demo::DEFAULT_MAX_FRAGMENT_LEN))?;
        let count = self.count.unwrap_or(encoder.seq_len());
        Ok(encoder.parts(count))
    }
}

/// Where and how a decoded message is written.
#[derive(clap::Args)]
struct OutputArgs {
    /// Write the message as hex (one line).
    #[arg(long)]
    hex: bool,
    /// Write the content of the message's CBOR byte string instead of the CBOR.
    #[arg(long)]
    unwrap_bytes: bool,
    /// Write to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

impl OutputArgs {
    fn write(&self, ur_type: &str, message: &[u8]) -> Result<()> {
        let data = if self.unwrap_bytes {
            match crate::envelope::UrType::from_name(ur_type) {
                Ok(_) => crate::envelope::decode(ur_type, message)?.data,
                Err(_) => crate::envelope::unwrap_bytes(message)?,
            }
        } else {
            message.to_vec()
        };
        let bytes = if self.hex { format!("{}\n", hex::encode(&data)).into_bytes() } else { data };
        match &self.out {
            Some(path) => std::fs::write(path, &bytes).with_context(|| format!("cannot write {}", path.display())),
            None => {
                let mut out = std::io::stdout().lock();
                out.write_all(&bytes)?;
                out.flush().context("cannot write stdout")
            }
        }
    }
}

fn progress_line(p: &crate::transport::Progress) -> String {
    format!(
        "{} parts ({} useful), {}/{} fragments resolved, {:.0}%",
        p.parts_received,
        p.parts_useful,
        p.fragments_resolved,
        p.fragments_total,
        p.estimated_fraction * 100.0
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_verb_is_well_formed() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
