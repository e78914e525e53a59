//! Every display profile's frames, filmed by the virtual camera as a phone sees a laptop
//! screen from 30-50 cm (about 3 to 5 camera pixels per module, a little blur, noise,
//! tilt), decode with zxing-cpp 3.1.1 (PyPI zxing-cpp, the decoder Feather and many phone
//! scanners build on; scripts/zxing_decode.py), not only with airsign's own decoder.

use airsign::envelope::xrpl::{SignedEntry, Versioned, XrplSignedPayload, VERSION};
use airsign::transport::profile::{Profile, Stream};
use airsign::transport::{Degradation, FrameSource, Scene, VirtualCamera};
use std::collections::BTreeMap;
use std::io::Write;

fn signed_payload() -> Vec<u8> {
    let f: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/xrpl/signing.json")).unwrap()).unwrap();
    let blob = hex::decode(f["single"][1]["tx_blob"].as_str().unwrap()).unwrap();
    let hash = hex::decode(airsign::chain::xrpl::sign::transaction_hash(&blob)).unwrap();
    XrplSignedPayload { version: VERSION, transactions: vec![SignedEntry { blob, hash, sequence: 11, last_ledger_sequence: 5001 }] }.to_cbor()
}

#[test]
fn every_profile_decodes_with_zxing_cpp_at_phone_distances() {
    let dir = std::env::temp_dir().join(format!("airsign-zxing-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let monero_like = airsign::envelope::wrap_bytes(&(0..2_500u32).map(|i| (i * 7 % 256) as u8).collect::<Vec<_>>());
    let signed = signed_payload();
    // (camera pixels per module, degradation): near and far.
    let phone = Degradation { blur_sigma: 0.7, noise_sigma: 6.0, contrast: 0.8, uneven: 0.2, rotation_deg: 3.0, tilt: 0.06, ..Degradation::default() };
    let distances = [("30cm", 5.0f32), ("50cm", 3.0f32)];
    let mut expected = BTreeMap::new();
    for profile in Profile::ALL {
        let (ur_type, message) = if profile.shows().is_some() { ("xrpl-signed", signed.clone()) } else { ("bytes", monero_like.clone()) };
        let mut stream = Stream::new(profile, ur_type, &message, None, None).unwrap();
        let texts = stream.texts(stream.seq_len().min(6));
        for (distance, module_px) in distances {
            let scene = Scene { width: 1280, height: 720, module_px, ec: profile.spec().ec, ..Scene::default() };
            let mut cam = VirtualCamera::new(texts.clone().into_iter(), scene, phone, 9);
            let mut i = 0;
            while let Some(frame) = cam.next_frame().unwrap() {
                let name = format!("{}-{distance}-{i:02}.pgm", profile.name());
                let mut f = std::fs::File::create(dir.join(&name)).unwrap();
                write!(f, "P5\n{} {}\n255\n", frame.image.width(), frame.image.height()).unwrap();
                f.write_all(frame.image.as_raw()).unwrap();
                expected.insert(name, texts[i].clone());
                i += 1;
            }
        }
    }
    let out = std::process::Command::new("python3").arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/zxing_decode.py")).arg(&dir).output().expect("python3 (tests/setup.sh)");
    assert!(out.status.success(), "zxing-cpp is not installed? run tests/setup.sh: {}", String::from_utf8_lossy(&out.stderr));
    let decoded: BTreeMap<String, Vec<String>> = serde_json::from_slice(&out.stdout).unwrap();
    let mut missed = Vec::new();
    for (name, text) in &expected {
        // zxing-cpp returns the text as shown: case and all (Cake needs the lowercase).
        if decoded.get(name).is_none_or(|d| !d.contains(text)) {
            missed.push(name.clone());
        }
    }
    eprintln!("zxing-cpp read {} of {} profile frames", expected.len() - missed.len(), expected.len());
    assert!(missed.is_empty(), "zxing-cpp could not read: {missed:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
