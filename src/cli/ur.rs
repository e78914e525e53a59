use super::{message_from_input, progress_line, read_input, OutputArgs};
use crate::transport::{demo::DEFAULT_MAX_FRAGMENT_LEN, UrDecoder, UrEncoder};
use anyhow::{bail, Result};
use clap::Subcommand;
use std::io::BufRead;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum UrCommand {
    /// Print the UR parts of a message, one per line.
    Encode {
        /// UR type, e.g. bytes, xmr-txunsigned.
        #[arg(long = "type", value_name = "TYPE")]
        ur_type: String,
        /// Largest fragment in bytes.
        #[arg(long, default_value_t = DEFAULT_MAX_FRAGMENT_LEN)]
        max_fragment: usize,
        /// How many parts (default seqLen; more adds fountain parts).
        #[arg(long)]
        count: Option<usize>,
        /// The input is raw bytes: wrap them in a CBOR byte string first.
        #[arg(long)]
        wrap_bytes: bool,
        /// The UR message (CBOR), or raw bytes with --wrap-bytes; `-` or nothing for stdin.
        file: Option<PathBuf>,
    },
    /// Read parts from stdin, one per line, until the message is complete.
    Decode {
        /// Accept only this UR type.
        #[arg(long = "type", value_name = "TYPE")]
        ur_type: Option<String>,
        #[command(flatten)]
        output: OutputArgs,
    },
}

pub fn run(cmd: UrCommand) -> Result<()> {
    match cmd {
        UrCommand::Encode { ur_type, max_fragment, count, wrap_bytes, file } => {
            let message = message_from_input(&ur_type, read_input(file.as_deref())?, wrap_bytes)?;
            let mut encoder = UrEncoder::new(&ur_type, &message, max_fragment)?;
            let count = count.unwrap_or(encoder.seq_len());
            for part in encoder.parts(count) {
                println!("{part}");
            }
            Ok(())
        }
        UrCommand::Decode { ur_type, output } => {
            let mut decoder = UrDecoder::new(ur_type.as_deref());
            let stdin = std::io::stdin();
            for (n, line) in stdin.lock().lines().enumerate() {
                let line = line?;
                if line.trim().is_empty() {
                    continue;
                }
                match decoder.receive(&line) {
                    Ok(p) => eprintln!("{}", progress_line(&p)),
                    Err(e) => eprintln!("line {}: skipped: {e}", n + 1),
                }
                if let (Some(message), Some(t)) = (decoder.message(), decoder.ur_type()) {
                    return output.write(t, message);
                }
            }
            let p = decoder.progress();
            bail!("input ended before the message was complete ({})", progress_line(&p))
        }
    }
}
