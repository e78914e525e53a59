//! What the scanner does with each webcam frame at the default 720p, beside the QR decode
//! itself: turning the camera's encoding into luma (YUYV: every other byte; MJPEG: a JPEG
//! decode), scaling the preview, and decoding with the code's position. The frame is the
//! virtual camera's picture of a player's part under the `webcam` condition (a 720p webcam
//! 40 cm from the screen, MJPEG at quality 80), so the figures add up to the per-frame budget
//! at 30 fps (33 ms). `whole_pipeline_*` is all three in a row, on a frame that reads and on
//! a frame whose exposure spanned a switch of code (two codes blended: no read, the slow case).

use airsign::transport::frames::Frame;
use airsign::transport::qr::{self, QrEngine};
use airsign::transport::scan_session::preview_of;
use airsign::transport::virtual_camera::{film, mjpeg};
use airsign::transport::webcam::{to_luma, Encoding};
use airsign::transport::{Degradation, Scene, UrEncoder};
use criterion::{criterion_group, criterion_main, Criterion};
use rand_chacha::rand_core::SeedableRng;

fn frames(c: &mut Criterion) {
    let message = airsign::envelope::wrap_bytes(&[7u8; 4000]);
    let mut encoder = UrEncoder::new("bytes", &message, airsign::transport::player::DEFAULT_FRAGMENT).unwrap();
    let (part, next) = (encoder.next_part(), encoder.next_part());
    let scene = Scene { code_px: Degradation::code_px("webcam").unwrap(), ..Scene::default() };
    // The camera's picture before its MJPEG compression, which is done here as the camera does.
    let condition = Degradation { jpeg_quality: 0, ..Degradation::named("webcam").unwrap() };
    let shot = |text: &str| film(&qr::symbol(text, scene.ec).unwrap(), &scene, &condition, &mut rand_chacha::ChaCha8Rng::seed_from_u64(1));
    let luma = shot(&part);
    let (w, h) = luma.dimensions();
    let yuyv: Vec<u8> = luma.as_raw().iter().flat_map(|&y| [y, 128]).collect();
    let jpeg = mjpeg(&luma, 80);
    eprintln!("720p frame: YUYV {} B, MJPEG {} B", yuyv.len(), jpeg.len());
    assert_eq!(qr::decode(&to_luma(Encoding::Mjpeg, w, h, &jpeg).unwrap(), QrEngine::Rxing), vec![part.clone()]);
    // Half the exposure on each of two codes.
    let other = shot(&next);
    let blended = image::GrayImage::from_fn(w, h, |x, y| image::Luma([((luma.get_pixel(x, y)[0] as u16 + other.get_pixel(x, y)[0] as u16) / 2) as u8]));
    let blended_mjpeg = mjpeg(&blended, 80);

    let mut g = c.benchmark_group("webcam_720p");
    g.bench_function("yuyv_to_luma", |b| b.iter(|| to_luma(Encoding::Yuyv, w, h, &yuyv).unwrap()));
    g.bench_function("mjpeg_to_luma", |b| b.iter(|| to_luma(Encoding::Mjpeg, w, h, &jpeg).unwrap()));
    let frame = Frame { image: luma.clone(), shown: 1 };
    g.bench_function("preview_640", |b| b.iter(|| preview_of(&frame)));
    g.bench_function("locate_rxing", |b| b.iter(|| assert_eq!(qr::locate(&luma, QrEngine::Rxing).len(), 1)));
    g.bench_function("whole_pipeline_read", |b| b.iter(|| assert_eq!(pipeline((w, h), &jpeg), 1)));
    g.bench_function("whole_pipeline_blended", |b| b.iter(|| pipeline((w, h), &blended_mjpeg)));
    g.finish();

    // The default resolution: the same camera at 1080p (the code 1.5x as many pixels).
    let scene = Scene { width: 1920, height: 1080, code_px: 1.5 * Degradation::code_px("webcam").unwrap(), ..Scene::default() };
    let full = film(&qr::symbol(&part, scene.ec).unwrap(), &scene, &condition, &mut rand_chacha::ChaCha8Rng::seed_from_u64(1));
    let full_mjpeg = mjpeg(&full, 80);
    let mut g = c.benchmark_group("webcam_1080p");
    g.bench_function("mjpeg_to_luma", |b| b.iter(|| to_luma(Encoding::Mjpeg, 1920, 1080, &full_mjpeg).unwrap()));
    g.bench_function("whole_pipeline_read", |b| b.iter(|| assert_eq!(pipeline((1920, 1080), &full_mjpeg), 1)));
    g.finish();
}

/// What the scanner does with one MJPEG frame: luma, preview, decode; the codes found.
fn pipeline((w, h): (u32, u32), jpeg: &[u8]) -> usize {
    let image = to_luma(Encoding::Mjpeg, w, h, jpeg).unwrap();
    let frame = Frame { image, shown: 1 };
    let _ = preview_of(&frame);
    qr::locate(&frame.image, QrEngine::Rxing).len()
}

criterion_group!(benches, frames);
criterion_main!(benches);
