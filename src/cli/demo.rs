use crate::transport::demo::{run_transfer, TransferConfig, DEFAULT_MODULE_PX, GIVE_UP_UNREAD_FRAMES};
use crate::transport::{player, Degradation};
use anyhow::{bail, Result};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum DemoCommand {
    /// Send N random bytes through the virtual camera and report the throughput. By default
    /// with the apps' player settings, filmed as a laptop webcam films a screen.
    Transfer {
        /// Payload size in bytes.
        #[arg(long)]
        bytes: usize,
        /// How the camera films: webcam, phone (real-camera models with their own clock),
        /// or clean, blur, noise, lowcontrast, tilt, combined (one frame per code).
        #[arg(long, default_value = "webcam")]
        condition: String,
        /// Fraction of frames the camera drops (0.0-1.0).
        #[arg(long, default_value_t = 0.0)]
        loss: f64,
        /// Gaussian blur sigma in camera pixels (replaces the condition's).
        #[arg(long)]
        blur: Option<f32>,
        /// Codes per second the sender shows (default: the apps' player).
        #[arg(long)]
        fps: Option<f64>,
        /// Fragment bytes per code (default: the apps' player).
        #[arg(long)]
        max_fragment: Option<usize>,
        /// Camera pixels per QR module (default: the code's size under the condition).
        #[arg(long)]
        module_px: Option<f32>,
        /// Seed for the payload and the camera's faults.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

pub fn run(cmd: DemoCommand) -> Result<()> {
    match cmd {
        DemoCommand::Transfer { bytes, condition, loss, blur, fps, max_fragment, module_px, seed } => {
            if bytes == 0 {
                bail!("--bytes must be at least 1");
            }
            if !(0.0..1.0).contains(&loss) {
                bail!("--loss must be at least 0 and below 1");
            }
            let Some(named) = Degradation::named(&condition) else {
                bail!("unknown --condition {condition}: one of {}", Degradation::NAMES.join(", "));
            };
            let fps = fps.unwrap_or(player::DEFAULT_FPS as f64);
            let max_fragment = max_fragment.unwrap_or(player::DEFAULT_FRAGMENT);
            let bad = |v: f64, min: f64, inclusive: bool| !v.is_finite() || v < min || (!inclusive && v == min);
            if bad(fps, 0.0, false) || blur.is_some_and(|b| bad(b as f64, 0.0, true)) || module_px.is_some_and(|m| bad(m as f64, 1.0, true)) {
                bail!("--fps must be positive, --blur non-negative, --module-px at least 1");
            }
            // The code's size: what the user asked, else the condition's, else the demo's.
            let code_px = if module_px.is_some() { 0.0 } else { Degradation::code_px(&condition).unwrap_or(0.0) };
            let cfg = TransferConfig {
                bytes,
                max_fragment_len: max_fragment,
                module_px: module_px.unwrap_or(DEFAULT_MODULE_PX),
                code_px,
                degradation: Degradation { blur_sigma: blur.unwrap_or(named.blur_sigma), drop_rate: loss, ..named },
                fps,
                seed,
                ..TransferConfig::default()
            };
            let timed = cfg.degradation.has_own_clock();
            let r = run_transfer(&cfg)?;
            println!("payload:          {bytes} bytes as {} fragments of <= {max_fragment} bytes, QR version {} (EC {:?})", r.seq_len, r.qr_version, cfg.ec);
            if timed {
                println!(
                    "camera:           {condition}, {} fps, the code {code_px:.0} px wide; the sender shows {fps} codes/s",
                    cfg.degradation.camera_fps
                );
                println!("frames filmed:    {} ({:.2} per code of seqLen)", r.frames_shown, r.frames_shown as f64 / r.seq_len as f64);
            } else {
                println!("camera:           {condition}, one frame per code at {fps} codes/s");
                println!("frames shown:     {} ({:.2}x seqLen)", r.frames_shown, r.frames_shown as f64 / r.seq_len as f64);
            }
            println!("frames delivered: {} (camera loss {:.0}%)", r.frames_delivered, loss * 100.0);
            println!("frames decoded:   {}", r.frames_decoded);
            println!("seconds:          {:.2}", r.seconds);
            println!("effective rate:   {:.0} bytes/s", r.bytes_per_second);
            let period = if timed { format!("{} fps camera", cfg.degradation.camera_fps) } else { format!("{fps} fps") };
            println!(
                "decode time:      {:.1} ms mean, {:.1} ms max per frame: {} the {period} on this machine",
                r.decode_ms_mean,
                r.decode_ms_max,
                if r.kept_up { "keeps up with" } else { "does NOT keep up with" }
            );
            if !r.complete && r.frames_decoded == 0 {
                bail!(
                    "no code was read in the first {GIVE_UP_UNREAD_FRAMES} frames: this camera cannot read codes this dense at this size (try a smaller --max-fragment or a larger --module-px)"
                );
            }
            if !r.complete {
                bail!("transfer did not complete within {} frames", r.frames_shown);
            }
            println!("complete:         yes, message verified");
            Ok(())
        }
    }
}
