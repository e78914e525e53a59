//! Interop with an independent UR implementation, @ngraveio/bc-ur (fixtures/ur/).
//!
//! 1. Our decoder reads its parts: in order, fountain parts only, shuffled.
//! 2. Our encoder emits the same part strings it does (case aside), plain and fountain.
//! 3. Its decoder (node fixtures/ur/decode.js) reads our parts.

use airsign::transport::{UrDecoder, UrEncoder};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

#[derive(serde::Deserialize)]
struct Fixture {
    generator: String,
    vectors: Vec<Vector>,
}

#[derive(serde::Deserialize)]
struct Vector {
    ur_type: String,
    message_cbor_hex: String,
    max_fragment_len: usize,
    seq_len: usize,
    single_part: String,
    parts: Vec<String>,
}

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/ur")
}

fn fixture() -> Fixture {
    let text = std::fs::read_to_string(fixture_dir().join("vectors.json")).unwrap();
    let f: Fixture = serde_json::from_str(&text).unwrap();
    assert!(f.generator.starts_with("@ngraveio/bc-ur"), "{}", f.generator);
    assert_eq!(f.vectors.len(), 8);
    f
}

fn decode<'a>(parts: impl IntoIterator<Item = &'a String>, ty: &str) -> Option<Vec<u8>> {
    let mut dec = UrDecoder::new(Some(ty));
    for p in parts {
        dec.receive(p).unwrap_or_else(|e| panic!("their part refused: {e}: {p}"));
        if let Some(m) = dec.message() {
            return Some(m.to_vec());
        }
    }
    None
}

#[test]
fn our_decoder_reads_their_parts() {
    for v in fixture().vectors {
        let message = hex::decode(&v.message_cbor_hex).unwrap();
        // Their CBOR is what airsign's envelope accepts (deterministic byte string).
        assert_eq!(airsign::envelope::decode(&v.ur_type, &message).unwrap().to_cbor(), message);
        // Their single-part form always decodes.
        assert_eq!(decode([&v.single_part], &v.ur_type).as_ref(), Some(&message));
        if v.seq_len == 1 {
            assert_eq!(decode(&v.parts, &v.ur_type).as_ref(), Some(&message));
            continue;
        }
        assert_eq!(decode(&v.parts[..v.seq_len], &v.ur_type).as_ref(), Some(&message), "in order");
        // Fountain parts alone (a receiver that missed the whole plain pass).
        if v.parts.len() >= 3 * v.seq_len {
            assert_eq!(decode(&v.parts[v.seq_len..], &v.ur_type).as_ref(), Some(&message), "fountain only");
        }
        let mut shuffled = v.parts.clone();
        shuffled.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(v.seq_len as u64));
        assert_eq!(decode(&shuffled, &v.ur_type).as_ref(), Some(&message), "shuffled");
    }
}

#[test]
fn our_encoder_emits_their_strings() {
    for v in fixture().vectors {
        let message = hex::decode(&v.message_cbor_hex).unwrap();
        let mut enc = UrEncoder::new(&v.ur_type, &message, v.max_fragment_len).unwrap();
        assert_eq!(enc.seq_len(), v.seq_len);
        if v.seq_len == 1 {
            assert_eq!(enc.next_part().to_lowercase(), v.single_part);
            continue;
        }
        let ours: Vec<String> = enc.parts(v.parts.len()).iter().map(|p| p.to_lowercase()).collect();
        assert_eq!(ours, v.parts, "{} bytes / {}", message.len(), v.max_fragment_len);
    }
}

#[test]
fn their_decoder_reads_our_parts() {
    let script = fixture_dir().join("decode.js");
    assert!(
        fixture_dir().join("node_modules/@ngraveio/bc-ur").exists(),
        "@ngraveio/bc-ur is not installed: run tests/setup.sh (npm ci in fixtures/ur)"
    );
    for v in fixture().vectors {
        let message = hex::decode(&v.message_cbor_hex).unwrap();
        let mut enc = UrEncoder::new(&v.ur_type, &message, v.max_fragment_len).unwrap();
        // Skip the first plain fragments so their decoder must use our fountain parts.
        let skip = v.seq_len / 3;
        let parts: Vec<String> = enc.parts(4 * v.seq_len + 4).into_iter().skip(skip).collect();
        let mut child = Command::new("node")
            .arg(&script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("node is installed (tests/setup.sh)");
        child.stdin.take().unwrap().write_all(parts.join("\n").as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "bc-ur could not decode ours: {}", String::from_utf8_lossy(&out.stderr));
        let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(got["ur_type"], v.ur_type.as_str());
        assert_eq!(got["message_cbor_hex"], v.message_cbor_hex.as_str());
    }
}
