use crate::transport::demo::{run_transfer, TransferConfig, DEFAULT_MAX_FRAGMENT_LEN, DEFAULT_MODULE_PX};
use crate::transport::Degradation;
use anyhow::{bail, Result};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum DemoCommand {
    /// Send N random bytes through the virtual camera and report the throughput.
    Transfer {
        /// Payload size in bytes.
        #[arg(long)]
        bytes: usize,
        /// Fraction of frames the camera drops (0.0-1.0).
        #[arg(long, default_value_t = 0.0)]
        loss: f64,
        /// Gaussian blur sigma in camera pixels.
        #[arg(long, default_value_t = 0.0)]
        blur: f32,
        /// Frames per second the sender shows.
        #[arg(long, default_value_t = 10.0)]
        fps: f64,
        #[arg(long, default_value_t = DEFAULT_MAX_FRAGMENT_LEN)]
        max_fragment: usize,
        /// Camera pixels per QR module.
        #[arg(long, default_value_t = DEFAULT_MODULE_PX)]
        module_px: f32,
        /// Seed for the payload and the camera's faults.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

pub fn run(cmd: DemoCommand) -> Result<()> {
    match cmd {
        DemoCommand::Transfer { bytes, loss, blur, fps, max_fragment, module_px, seed } => {
            if bytes == 0 {
                bail!("--bytes must be at least 1");
            }
            if !(0.0..1.0).contains(&loss) {
                bail!("--loss must be at least 0 and below 1");
            }
            let bad = |v: f64, min: f64, inclusive: bool| !v.is_finite() || v < min || (!inclusive && v == min);
            if bad(fps, 0.0, false) || bad(blur as f64, 0.0, true) || bad(module_px as f64, 1.0, true) {
                bail!("--fps must be positive, --blur non-negative, --module-px at least 1");
            }
            let cfg = TransferConfig {
                bytes,
                max_fragment_len: max_fragment,
                module_px,
                degradation: Degradation { blur_sigma: blur, drop_rate: loss, ..Degradation::default() },
                fps,
                seed,
                ..TransferConfig::default()
            };
            let r = run_transfer(&cfg)?;
            println!("payload:          {bytes} bytes as {} fragments of <= {max_fragment} bytes, QR version {} (EC {:?})", r.seq_len, r.qr_version, cfg.ec);
            println!("frames shown:     {} ({:.2}x seqLen)", r.frames_shown, r.frames_shown as f64 / r.seq_len as f64);
            println!("frames delivered: {} (camera loss {:.0}%)", r.frames_delivered, loss * 100.0);
            println!("frames decoded:   {}", r.frames_decoded);
            println!("seconds:          {:.2} (frames shown / {fps} fps)", r.seconds);
            println!("effective rate:   {:.0} bytes/s", r.bytes_per_second);
            println!(
                "decode time:      {:.1} ms mean, {:.1} ms max per frame: {} {fps} fps on this machine",
                r.decode_ms_mean,
                r.decode_ms_max,
                if r.kept_up { "keeps up with" } else { "does NOT keep up with" }
            );
            if !r.complete {
                bail!("transfer did not complete within {} frames", r.frames_shown);
            }
            println!("complete:         yes, message verified");
            Ok(())
        }
    }
}
