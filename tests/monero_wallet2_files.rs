//! The wallet2 file envelope against files Monero's own software wrote
//! (fixtures/monero/make_files.sh: monero-wallet-rpc export_outputs, monero-wallet-cli
//! export_key_images, Monero 0.18.0.0): verify, decrypt, check the plaintext headers, and
//! refuse wrong keys, tampering, truncation, wrong kinds and versions.

use airsign::chain::monero::wallet2_file::{open, public_key, seal, FileKind, Wallet2Error};

struct Fixture {
    view: [u8; 32],
    spend: [u8; 32],
    outputs: Vec<u8>,
    key_images: Vec<u8>,
}

fn fixture() -> Fixture {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/monero/envelope.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let key = |k: &str| -> [u8; 32] { hex::decode(v[k].as_str().unwrap()).unwrap().try_into().unwrap() };
    Fixture {
        view: key("secret_view_key"),
        spend: key("secret_spend_key"),
        outputs: hex::decode(v["outputs_file_hex"].as_str().unwrap()).unwrap(),
        key_images: hex::decode(v["key_images_file_hex"].as_str().unwrap()).unwrap(),
    }
}

#[test]
fn monero_written_files_verify_and_decrypt() {
    let f = fixture();
    let (spend_pub, view_pub) = (public_key(&f.spend), public_key(&f.view));
    // Outputs: spend public key, view public key, then the serialized transfers.
    let outputs = open(FileKind::Outputs, &f.outputs, &f.view).unwrap();
    assert_eq!(&outputs[..32], &spend_pub);
    assert_eq!(&outputs[32..64], &view_pub);
    // Key images: u32 offset, spend public key, view public key, then (image, signature)s.
    let ki = open(FileKind::KeyImages, &f.key_images, &f.view).unwrap();
    assert_eq!(&ki[..4], &[0, 0, 0, 0]);
    assert_eq!(&ki[4..36], &spend_pub);
    assert_eq!(&ki[36..68], &view_pub);
    assert_eq!(ki.len(), 68, "this wallet has no outputs, so no key images");
}

#[test]
fn wrong_key_tampering_truncation_kind_and_version_are_refused() {
    let f = fixture();
    assert_eq!(open(FileKind::Outputs, &f.outputs, &f.spend), Err(Wallet2Error::BadSignature));
    for i in [21, 30, f.outputs.len() - 70, f.outputs.len() - 1] {
        let mut t = f.outputs.clone();
        t[i] ^= 0x01;
        assert_eq!(open(FileKind::Outputs, &t, &f.view), Err(Wallet2Error::BadSignature), "byte {i}");
    }
    assert_eq!(open(FileKind::Outputs, &f.outputs[..80], &f.view), Err(Wallet2Error::Truncated));
    assert_eq!(open(FileKind::Outputs, &f.key_images, &f.view), Err(Wallet2Error::WrongMagic(FileKind::Outputs)));
    let mut old = f.outputs.clone();
    old[20] = 3;
    assert_eq!(open(FileKind::Outputs, &old, &f.view), Err(Wallet2Error::UnsupportedVersion { kind: FileKind::Outputs, found: 3, supported: 4 }));
}

#[test]
fn sealed_files_open_with_the_same_plaintext() {
    let f = fixture();
    let plaintext = open(FileKind::KeyImages, &f.key_images, &f.view).unwrap();
    let ours = seal(FileKind::KeyImages, &plaintext, &f.view).unwrap();
    assert_eq!(ours.len(), f.key_images.len());
    assert_eq!(&ours[..24], &f.key_images[..24], "same magic and version");
    assert_eq!(*open(FileKind::KeyImages, &ours, &f.view).unwrap(), *plaintext);
    assert_ne!(ours, f.key_images, "a fresh iv and signature nonce");
}
