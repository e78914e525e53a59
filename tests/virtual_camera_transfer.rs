//! Whole transfers through the virtual camera: the same path the apps' scanner takes.

use airsign::transport::demo::{run_transfer, TransferConfig};
use airsign::transport::{qr, Degradation, FrameSource, QrEngine, Scene, UrDecoder, UrEncoder, VirtualCamera};

#[test]
fn combined_degradation_with_loss_still_delivers() {
    let cfg = TransferConfig {
        bytes: 20_000,
        degradation: Degradation { drop_rate: 0.3, ..Degradation::named("combined").unwrap() },
        seed: 5,
        ..TransferConfig::default()
    };
    let r = run_transfer(&cfg).unwrap();
    assert!(r.complete);
    assert!(r.frames_decoded * 10 >= r.frames_delivered * 8, "{r:?}");
    assert!(r.frames_shown < 3 * r.seq_len as u64 + 5, "{r:?}");
}

#[test]
fn late_join_small_code_off_centre_narrow_margin() {
    let msg = airsign::envelope::wrap_bytes(&vec![0x5a; 3000]);
    let mut enc = UrEncoder::new("bytes", &msg, 250).unwrap();
    let n = enc.seq_len();
    let parts: Vec<String> = enc.parts(6 * n).into_iter().skip(2 * n).collect();
    let scene = Scene { module_px: 3.0, center: (0.3, 0.6), margin_modules: 2, ..Scene::default() };
    let mut cam = VirtualCamera::new(parts.into_iter(), scene, Degradation::named("tilt").unwrap(), 9);
    let mut dec = UrDecoder::new(Some("bytes"));
    let mut read = 0;
    while let Some(frame) = cam.next_frame().unwrap() {
        let texts = qr::decode(&frame.image, QrEngine::Rxing);
        read += texts.len();
        for text in texts {
            dec.receive(&text).unwrap();
        }
        if dec.is_complete() {
            break;
        }
    }
    assert_eq!(dec.message(), Some(&msg[..]));
    assert_eq!(read as u64, cam.shown(), "every frame is read");
    // Fountain parts only: the rank bound is 1.0-1.7x seqLen at this size (docs/transfer-efficiency.md).
    assert!(cam.shown() <= 2 * n as u64, "shown {} for seqLen {n}", cam.shown());
}
