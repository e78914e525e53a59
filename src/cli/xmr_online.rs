//! `airsign xmr online`: the view-only wallet on the online machine. Files are wallet2's
//! own; `--ur` writes UR part text instead, and every file argument also takes UR part text.
//! The passphrase (which unseals the view key) comes from the prompt or AIRSIGN_PASSPHRASE.

use super::xmr::{read_file, write_file, FileOut};
use super::xrpl_account::{passphrase, payload_from_ur_text};
use crate::chain::monero::review::{format_xmr, parse_xmr};
use crate::keystore::KdfParams;
use crate::wallet::monero::daemon::Daemon;
use crate::wallet::monero::wallet::{FileFormat, OnlineWallet, Sweep, SyncProgress, TransferRequest};
use crate::wallet::monero::ViewOnly;
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// wallet2 0.18.1.1 and later: Feather 2.x, Cake Wallet, Keystone.
    Current,
    /// Monero 0.18.0.0 (Debian's package).
    #[value(name = "0.18.0")]
    V0180,
}

impl From<FormatArg> for FileFormat {
    fn from(f: FormatArg) -> FileFormat {
        match f {
            FormatArg::Current => FileFormat::Current,
            FormatArg::V0180 => FileFormat::V0180,
        }
    }
}

#[derive(Args)]
pub struct Db {
    /// The wallet's database (SQLite, one file per wallet).
    #[arg(long)]
    db: PathBuf,
}

#[derive(Subcommand)]
pub enum OnlineCommand {
    /// A new view-only wallet from the offline side's view-only JSON (file, or UR part text).
    Create {
        #[command(flatten)]
        db: Db,
        /// monerod's RPC address, e.g. http://127.0.0.1:18081.
        #[arg(long)]
        daemon: String,
        viewonly: PathBuf,
    },
    /// Scan new blocks; progress on stderr.
    Sync {
        #[command(flatten)]
        db: Db,
        /// Another daemon than the one the wallet was made with (remembered).
        #[arg(long)]
        daemon: Option<String>,
    },
    /// Balance as of the last sync (atomic units with --json).
    Balance {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        json: bool,
    },
    /// The outputs file for the offline signer (all outputs, from index 0).
    ExportOutputs {
        #[command(flatten)]
        db: Db,
        #[arg(long, value_enum, default_value = "current")]
        format: FormatArg,
        #[command(flatten)]
        out: FileOut,
    },
    /// The signer's key image file: checked, then the daemon asked which are spent.
    ImportKeyImages {
        #[command(flatten)]
        db: Db,
        /// wallet2 key image file or `xmr-keyimage` UR text; `-` for stdin.
        keyimages: PathBuf,
    },
    /// Build a transaction as wallet2's unsigned set, for the offline signer.
    Transfer {
        #[command(flatten)]
        db: Db,
        /// ADDRESS:AMOUNT, the amount in XMR (decimal); repeat for several. With
        /// --sweep-all or --sweep-output, ADDRESS alone.
        #[arg(long = "to", required = true)]
        to: Vec<String>,
        /// 1 (unimportant) to 4 (priority), as wallet2 numbers them.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=4))]
        priority: u32,
        #[arg(long, default_value_t = 0)]
        account: u32,
        /// Send every unlocked output of the account, less the fee, to the one --to address.
        #[arg(long, conflicts_with = "sweep_output")]
        sweep_all: bool,
        /// Send one output (its index, as `history` and the coins list show) less the fee.
        #[arg(long)]
        sweep_output: Option<u64>,
        #[arg(long, value_enum, default_value = "current")]
        format: FormatArg,
        #[command(flatten)]
        out: FileOut,
    },
    /// Broadcast a signed set; prints the transaction hashes.
    Submit {
        #[command(flatten)]
        db: Db,
        /// wallet2 signed set or `xmr-txsigned` UR text; `-` for stdin.
        signed: PathBuf,
    },
    /// Transactions this wallet broadcast, with confirmations.
    History {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        json: bool,
    },
    /// Outputs received, in wallet2's order (the indices its files use).
    Coins {
        #[command(flatten)]
        db: Db,
        #[arg(long)]
        json: bool,
    },
}

fn open(db: &Db, with_key: bool) -> Result<OnlineWallet> {
    let p = if with_key { Some(passphrase(false)?) } else { None };
    Ok(OnlineWallet::open(&db.db, p.as_deref().map(String::as_str))?)
}

fn daemon_for(wallet: &OnlineWallet, url: Option<String>) -> Result<Daemon> {
    let url = match url {
        Some(u) => {
            wallet.set_daemon_url(&u)?;
            u
        }
        None => wallet.daemon_url()?.context("no daemon address recorded: pass --daemon")?,
    };
    if let Some(w) = crate::wallet::insecure_endpoint(&url) {
        eprintln!("{w}");
    }
    Ok(Daemon::connect(&url)?)
}

/// The view-only JSON, from a file of it or from UR part text carrying it as bytes.
fn read_view_only(path: &Path) -> Result<ViewOnly> {
    let raw = super::read_input(Some(path))?;
    let text = if crate::transport::part::looks_like_ur(&raw) {
        let first = String::from_utf8_lossy(&raw).trim().to_ascii_lowercase();
        let ur_type = first.strip_prefix("ur:").and_then(|r| r.split('/').next()).unwrap_or("bytes").to_owned();
        let cbor = payload_from_ur_text(&ur_type, &raw)?;
        let mut d = minicbor::Decoder::new(&cbor);
        d.bytes().map(<[u8]>::to_vec).or_else(|_| minicbor::Decoder::new(&cbor).str().map(|s| s.as_bytes().to_vec())).context("the UR parts do not carry the view-only JSON")?
    } else {
        raw
    };
    ViewOnly::from_json(&String::from_utf8_lossy(&text)).map_err(anyhow::Error::msg)
}

fn progress_line(p: SyncProgress) {
    let left = p.daemon_height.saturating_sub(p.height);
    let eta = if p.blocks_per_second > 0.0 { left as f64 / p.blocks_per_second } else { 0.0 };
    eprint!("\rheight {}/{}, {:.0} blocks/s, {} outputs found, about {:.0} s left   ", p.height, p.daemon_height, p.blocks_per_second, p.outputs_found, eta);
    let _ = std::io::stderr().flush();
}

pub fn run(cmd: OnlineCommand) -> Result<()> {
    match cmd {
        OnlineCommand::Create { db, daemon, viewonly } => {
            let view_only = read_view_only(&viewonly)?;
            let p = passphrase(true)?;
            let wallet = OnlineWallet::create(&db.db, &view_only, &p, &daemon, KdfParams::default())?;
            eprintln!("View-only wallet for {} ({}), scanning from height {}.", wallet.address, wallet.network.name(), wallet.restore_height);
            println!("{}", wallet.address);
            Ok(())
        }
        OnlineCommand::Sync { db, daemon } => {
            let mut wallet = open(&db, true)?;
            let d = daemon_for(&wallet, daemon)?;
            let report = wallet.sync(&d, &mut progress_line)?;
            eprintln!();
            if let Some((fork, removed)) = report.rolled_back {
                eprintln!("The chain reorganised at height {fork}: rolled back, {removed} outputs of dropped blocks removed.");
            }
            for (hash, amount) in &report.pool_incoming {
                eprintln!("Incoming in the pool (not yet in a block): {} XMR in {}", format_xmr(*amount), hex::encode(hash));
            }
            eprintln!("Synced to height {}: {} new outputs.", report.to, report.outputs_found);
            Ok(())
        }
        OnlineCommand::Balance { db, json } => {
            let wallet = open(&db, false)?;
            let b = wallet.balance()?;
            if json {
                println!("{}", serde_json::json!({"balance": b.balance, "unlocked": b.unlocked, "key_images_known": b.key_images_known}));
            } else if b.key_images_known {
                println!("Balance: {} XMR ({} XMR unlocked)", format_xmr(b.balance), format_xmr(b.unlocked));
            } else {
                println!("Received, key images not imported: {} XMR ({} XMR unlocked)", format_xmr(b.balance), format_xmr(b.unlocked));
                println!("This is not a balance yet: spends made by the offline wallet are invisible here until its key images are imported.");
            }
            Ok(())
        }
        OnlineCommand::ExportOutputs { db, format, out } => {
            let wallet = open(&db, true)?;
            let file = wallet.export_outputs(format.into())?;
            eprintln!("{} outputs exported (from index 0).", wallet.transfers()?.len());
            write_file("xmr-output", &file, &out)
        }
        OnlineCommand::ImportKeyImages { db, keyimages } => {
            let mut wallet = open(&db, true)?;
            let d = daemon_for(&wallet, None)?;
            let r = wallet.import_key_images(&read_file("xmr-keyimage", &keyimages)?, &d)?;
            println!("Signed key images imported to height {}, {} spent, {} unspent ({} key images)", r.height, format_xmr(r.spent), format_xmr(r.unspent), r.imported);
            Ok(())
        }
        OnlineCommand::Transfer { db, to, priority, account, sweep_all, sweep_output, format, out } => {
            let mut wallet = open(&db, true)?;
            let d = daemon_for(&wallet, None)?;
            // Inputs are chosen from what the wallet knows: bring it to the daemon's top first.
            wallet.sync(&d, &mut |_| {})?;
            let sweeping = sweep_all || sweep_output.is_some();
            let (destinations, sweep) = if sweeping {
                let [address] = to.as_slice() else { bail!("a sweep goes to exactly one --to ADDRESS") };
                let address = address.split(':').next().unwrap_or(address).to_owned();
                (Vec::new(), if let Some(i) = sweep_output { Sweep::One(i, address) } else { Sweep::All(address) })
            } else {
                let mut list = Vec::new();
                for t in &to {
                    let (address, amount) = t.rsplit_once(':').with_context(|| format!("--to {t}: expected ADDRESS:AMOUNT"))?;
                    list.push((address.to_owned(), parse_xmr(amount).map_err(anyhow::Error::msg)?));
                }
                (list, Sweep::No)
            };
            let req = TransferRequest { destinations, priority, account, sweep, format: format.into() };
            let (file, s) = wallet.transfer(&d, &req)?;
            eprintln!("{}", s.headline());
            for (a, amount) in &s.destinations {
                eprintln!("  {} XMR to {a}", format_xmr(*amount));
            }
            if s.change > 0 {
                eprintln!("  {} XMR change back to account {account}", format_xmr(s.change));
            }
            write_file("xmr-txunsigned", &file, &out)
        }
        OnlineCommand::Submit { db, signed } => {
            let mut wallet = open(&db, true)?;
            let d = daemon_for(&wallet, None)?;
            let file = read_file("xmr-txsigned", &signed)?;
            for o in wallet.describe_signed(&file)? {
                eprintln!("Broadcasting {}: fee {} XMR", o.tx_hash, format_xmr(o.fee));
                for (a, amount) in &o.destinations {
                    eprintln!("  {} XMR to {a}", format_xmr(*amount));
                }
            }
            for hash in wallet.submit(&d, &file)? {
                println!("{hash}");
            }
            Ok(())
        }
        OnlineCommand::History { db, json } => {
            let wallet = open(&db, false)?;
            let top = wallet.scanned_height()?;
            let rows: Vec<_> = wallet.history()?.into_iter().map(|h| (h.height.map(|b| top.saturating_sub(b)), h)).collect();
            if json {
                let v: Vec<_> = rows.iter().map(|(c, h)| serde_json::json!({"tx_hash": h.tx_hash, "fee": h.fee, "amount": h.amount, "destinations": h.destinations, "height": h.height, "confirmations": c.unwrap_or(0), "submitted_at": h.submitted_at})).collect();
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                for (c, h) in rows {
                    let state = c.map_or("in the pool".to_owned(), |c| format!("{c} confirmations"));
                    println!("{}  {} XMR out, fee {} XMR, {state}", h.tx_hash, format_xmr(h.amount), format_xmr(h.fee));
                }
            }
            Ok(())
        }
        OnlineCommand::Coins { db, json } => {
            let wallet = open(&db, false)?;
            let top = wallet.scanned_height()?;
            let coins = wallet.transfers()?;
            if json {
                let v: Vec<_> = coins
                    .iter()
                    .map(|t| {
                        serde_json::json!({"index": t.idx, "amount": t.received.amount, "height": t.received.height, "global_index": t.received.global_index,
                        "subaddress": [t.received.subaddress.0, t.received.subaddress.1], "tx_hash": hex::encode(t.received.tx_hash),
                        "key_image_known": t.key_image.is_some(), "spent": t.spent != crate::wallet::monero::store::Spent::No,
                        "unlocked": OnlineWallet::is_unlocked(&t.received, top), "payment_id": t.received.payment_id.map(hex::encode)})
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                for t in coins {
                    let state = if t.spent != crate::wallet::monero::store::Spent::No {
                        "spent"
                    } else if OnlineWallet::is_unlocked(&t.received, top) {
                        "unlocked"
                    } else {
                        "locked"
                    };
                    println!("{:>4}  {:>20} XMR  ({},{})  height {}  {state}", t.idx, format_xmr(t.received.amount), t.received.subaddress.0, t.received.subaddress.1, t.received.height);
                }
            }
            Ok(())
        }
    }
}
