use super::{progress_line, EncodeArgs, OutputArgs};
use crate::transport::demo::DEFAULT_EC;
use crate::transport::{qr, EcLevel, FrameSource, ImageFolder, UrDecoder};
use anyhow::{bail, Context, Result};
use clap::{Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Clone, Copy, ValueEnum)]
pub enum Ec {
    L,
    M,
    Q,
    H,
}

impl From<Ec> for EcLevel {
    fn from(e: Ec) -> Self {
        match e {
            Ec::L => EcLevel::L,
            Ec::M => EcLevel::M,
            Ec::Q => EcLevel::Q,
            Ec::H => EcLevel::H,
        }
    }
}

#[derive(Subcommand)]
pub enum QrCommand {
    /// Write the animated QR sequence as PNG frames (and optionally a GIF).
    Render {
        #[command(flatten)]
        input: EncodeArgs,
        /// Error-correction level (default L; with --profile, the profile's).
        #[arg(long, value_enum)]
        ec: Option<Ec>,
        /// Pixels per module.
        #[arg(long, default_value_t = 4)]
        module_px: u32,
        /// Folder for frame-NNNN.png.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Also write an animated GIF.
        #[arg(long, value_name = "FILE")]
        gif: Option<PathBuf>,
        /// GIF frame rate (default 8; with --profile, the profile's).
        #[arg(long)]
        fps: Option<u32>,
    },
    /// Print the QR texts in image files (PNG, JPEG, WebP, GIF): photographs or screenshots.
    Decode {
        /// Print [{"file": ..., "texts": [...]}] instead of one line per code.
        #[arg(long)]
        json: bool,
        #[arg(required = true, value_name = "IMAGE")]
        images: Vec<PathBuf>,
    },
    /// Reassemble a payload from image files (PNG or JPEG), read in name order.
    Scan {
        #[arg(long, value_name = "DIR")]
        images: PathBuf,
        #[arg(long = "type", value_name = "TYPE")]
        ur_type: Option<String>,
        #[command(flatten)]
        output: OutputArgs,
    },
}

pub fn run(cmd: QrCommand) -> Result<()> {
    match cmd {
        QrCommand::Render { input, ec, module_px, out, gif, fps } => {
            let parts = input.parts()?;
            let count = parts.len();
            std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
            let profile = input.profile()?.map(|p| p.spec());
            let ec: EcLevel = ec.map(EcLevel::from).or(profile.map(|p| p.ec)).unwrap_or(DEFAULT_EC);
            let fps = fps.unwrap_or_else(|| profile.map(|p| p.fps.round() as u32).unwrap_or(8));
            let mut frames = Vec::new();
            for (i, part) in parts.iter().enumerate() {
                let image = qr::render(&qr::symbol(part, ec)?, module_px.max(1));
                let path = out.join(format!("frame-{:04}.png", i + 1));
                image.save(&path).with_context(|| format!("cannot write {}", path.display()))?;
                if gif.is_some() {
                    frames.push(image);
                }
            }
            if let Some(path) = gif {
                write_gif(&path, frames, fps)?;
            }
            eprintln!("{count} frames in {} (QR error correction {:?}, default {:?})", out.display(), ec, DEFAULT_EC);
            Ok(())
        }
        QrCommand::Decode { json, images } => decode_files(&images, json),
        QrCommand::Scan { images, ur_type, output } => {
            let mut source = ImageFolder::open(&images)?;
            let mut decoder = UrDecoder::new(ur_type.as_deref());
            while let Some(frame) = source.next_frame()? {
                let texts = qr::decode_photo(&frame.image);
                if texts.is_empty() {
                    eprintln!("frame {}: no QR code read", frame.shown);
                }
                for text in texts {
                    match decoder.receive(&text) {
                        Ok(p) => eprintln!("frame {}: {}", frame.shown, progress_line(&p)),
                        Err(e) => eprintln!("frame {}: skipped: {e}", frame.shown),
                    }
                }
                if let (Some(message), Some(t)) = (decoder.message(), decoder.ur_type()) {
                    return output.write(t, message);
                }
            }
            bail!("images ended before the message was complete ({})", progress_line(&decoder.progress()))
        }
    }
}

/// Decodes each file on its own; a file that cannot be read is reported and the others are
/// still decoded (the exit status says some failed).
fn decode_files(images: &[PathBuf], json: bool) -> Result<()> {
    let mut results = Vec::new();
    let mut unreadable = 0;
    for path in images {
        let entry = match image::open(path) {
            Ok(img) => {
                let texts = qr::decode_photo(&img.to_luma8());
                if !json {
                    if texts.is_empty() {
                        println!("{}: no QR code found", path.display());
                    }
                    for t in &texts {
                        println!("{}: {t}", path.display());
                    }
                }
                serde_json::json!({ "file": path.display().to_string(), "texts": texts })
            }
            Err(e) => {
                unreadable += 1;
                eprintln!("{}: cannot read the image: {e}", path.display());
                serde_json::json!({ "file": path.display().to_string(), "texts": [], "error": e.to_string() })
            }
        };
        results.push(entry);
    }
    if json {
        println!("{}", serde_json::Value::Array(results));
    }
    if unreadable > 0 {
        bail!("{unreadable} of {} files could not be read as images", images.len());
    }
    Ok(())
}

fn write_gif(path: &std::path::Path, frames: Vec<image::GrayImage>, fps: u32) -> Result<()> {
    use image::codecs::gif::{GifEncoder, Repeat};
    let file = std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut encoder = GifEncoder::new(std::io::BufWriter::new(file));
    encoder.set_repeat(Repeat::Infinite)?;
    let delay = image::Delay::from_numer_denom_ms(1000, fps.max(1));
    for gray in frames {
        let rgba = image::DynamicImage::ImageLuma8(gray).into_rgba8();
        encoder.encode_frame(image::Frame::from_parts(rgba, 0, 0, delay))?;
    }
    Ok(())
}
