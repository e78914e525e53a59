//! What the scanner does with each webcam frame at the default 720p, beside the QR decode
//! itself: turning the camera's encoding into luma (YUYV: every other byte; MJPEG: a JPEG
//! decode), scaling the preview, and decoding with the code's position. The frame is the
//! virtual camera's picture of a 400-byte part (blurred), so the figures add up to the
//! per-frame budget at 30 fps (33 ms).

use airsign::transport::frames::Frame;
use airsign::transport::qr::{self, QrEngine};
use airsign::transport::scan_session::preview_of;
use airsign::transport::virtual_camera::film;
use airsign::transport::webcam::{to_luma, Encoding};
use airsign::transport::{Degradation, Scene, UrEncoder};
use criterion::{criterion_group, criterion_main, Criterion};
use rand_chacha::rand_core::SeedableRng;

fn frames(c: &mut Criterion) {
    let message = airsign::envelope::wrap_bytes(&[7u8; 2000]);
    let part = UrEncoder::new("bytes", &message, 400).unwrap().next_part();
    let scene = Scene::default();
    let symbol = qr::symbol(&part, scene.ec).unwrap();
    let luma = film(&symbol, &scene, &Degradation::named("blur").unwrap(), &mut rand_chacha::ChaCha8Rng::seed_from_u64(1));
    let (w, h) = luma.dimensions();
    let yuyv: Vec<u8> = luma.as_raw().iter().flat_map(|&y| [y, 128]).collect();
    let mut mjpeg = Vec::new();
    // Webcams send colour MJPEG (YCbCr) at about this quality.
    let colour = image::DynamicImage::ImageLuma8(luma.clone()).into_rgb8();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut mjpeg, 80).encode_image(&colour).unwrap();
    eprintln!("720p frame: YUYV {} B, MJPEG {} B", yuyv.len(), mjpeg.len());
    assert_eq!(qr::decode(&to_luma(Encoding::Mjpeg, w, h, &mjpeg).unwrap(), QrEngine::Rxing), vec![part.clone()]);

    let mut g = c.benchmark_group("webcam_720p");
    g.bench_function("yuyv_to_luma", |b| b.iter(|| to_luma(Encoding::Yuyv, w, h, &yuyv).unwrap()));
    g.bench_function("mjpeg_to_luma", |b| b.iter(|| to_luma(Encoding::Mjpeg, w, h, &mjpeg).unwrap()));
    let frame = Frame { image: luma.clone(), shown: 1 };
    g.bench_function("preview_640", |b| b.iter(|| preview_of(&frame)));
    g.bench_function("locate_rxing", |b| b.iter(|| assert_eq!(qr::locate(&luma, QrEngine::Rxing).len(), 1)));
    g.finish();
}

criterion_group!(benches, frames);
criterion_main!(benches);
