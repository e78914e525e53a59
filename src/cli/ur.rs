use super::{progress_line, EncodeArgs, OutputArgs};
use crate::transport::UrDecoder;
use anyhow::{bail, Result};
use clap::Subcommand;
use std::io::BufRead;

#[derive(Subcommand)]
pub enum UrCommand {
    /// Print the UR parts of a message, one per line.
    Encode(EncodeArgs),
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
        UrCommand::Encode(args) => {
            for part in args.parts()? {
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
