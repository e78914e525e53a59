//! The player's display profiles, each checked against the rules of the wallet it is for
//! (docs/phones.md): Cake Wallet's scanner logic re-stated from its code, an independent UR
//! decoder (npm @ngraveio/bc-ur, fixtures/ur) for Cake, Feather and ANONERO, Xaman's own
//! string detector (npm xumm-string-decode, fixtures/xaman/xaman.js) with
//! ripple-binary-codec; and airsign's own scanner reading every profile back.

use airsign::envelope::xrpl::{SignedEntry, Versioned, XrplSignedPayload, VERSION};
use airsign::transport::profile::{Profile, Stream};
use airsign::transport::scan_session;
use airsign::transport::{ProfileError, UrDecoder};
use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

fn node(script: &str, stdin: &str) -> (bool, serde_json::Value) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/").to_owned() + script;
    let mut child = Command::new("node").arg(&path).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("node is installed (tests/setup.sh)");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let value = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.success(), value)
}

/// A Monero-sized payload: a wallet2 key image file of `n` bytes in a `bytes`-style UR.
fn payload(n: usize) -> Vec<u8> {
    let data: Vec<u8> = (0..n).map(|i| (i * 31 % 251) as u8).collect();
    airsign::envelope::wrap_bytes(&data)
}

/// Cake Wallet's scanner (cake-tech/cake_wallet lib/entities/qr_scanner.dart), rule by
/// rule: a text is a UR only if it starts with lowercase "ur:"; identical strings are
/// ignored; progress is distinct strings / the n of "i-n"; at 100 % the strings, sorted by
/// i, are handed on joined by newlines. Returns what it hands on, or None if it never
/// reaches 100 % within the texts.
fn cake_scanner(texts: impl IntoIterator<Item = String>) -> Option<String> {
    let mut seen: Vec<String> = Vec::new();
    for raw in texts {
        if !raw.starts_with("ur:") || seen.contains(&raw) {
            continue;
        }
        seen.push(raw);
        let mut sorted: BTreeMap<u64, String> = BTreeMap::new();
        let mut count = 0;
        for s in &seen {
            let path: Vec<&str> = s["ur:".len()..].split('/').collect();
            let (i, n) = path.get(1)?.split_once('-')?;
            count = n.parse::<u64>().ok()?;
            sorted.insert(i.parse().ok()?, s.clone());
        }
        if count > 0 && seen.len() as u64 == count {
            return Some(sorted.into_values().collect::<Vec<_>>().join("\n"));
        }
    }
    None
}

#[test]
fn cake_wallet_rebuilds_the_exact_message_from_the_cake_profile() {
    for n in [40, 500, 4_000] {
        let message = payload(n);
        let mut s = Stream::new(Profile::Cake, "bytes", &message, None, None).unwrap();
        let seq_len = s.seq_len();
        // A phone misses frames: every third one here; the loop of plain parts brings them back.
        let shown: Vec<String> = s.texts(4 * seq_len + 3).into_iter().enumerate().filter(|(i, _)| i % 3 != 1).map(|(_, t)| t).collect();
        let handed_on = cake_scanner(shown).unwrap_or_else(|| panic!("{n} bytes: Cake never reaches 100 %"));
        assert_eq!(handed_on.lines().count(), seq_len);
        // What Cake hands on decodes, in an independent UR implementation, to the message.
        let (ok, got) = node("ur/decode.js", &handed_on);
        assert!(ok, "{n} bytes: bc-ur could not decode what Cake hands on");
        assert_eq!(got["message_cbor_hex"], hex::encode(&message));
        // And in ours.
        let mut dec = UrDecoder::new(Some("bytes"));
        for l in handed_on.lines() {
            dec.receive(l).unwrap();
        }
        assert_eq!(dec.message(), Some(&message[..]));
    }
}

#[test]
fn cake_wallet_cannot_read_the_standard_profile() {
    // Uppercase: not a UR to Cake at all.
    let message = payload(4_000);
    let mut standard = Stream::new(Profile::Standard, "bytes", &message, Some(130), None).unwrap();
    assert_eq!(cake_scanner(standard.texts(60)), None);
    // Cake counts every distinct string as a part, so a fountain part would break its
    // count: the cake profile never shows one, however long it plays.
    let mut cake = Stream::new(Profile::Cake, "bytes", &message, None, None).unwrap();
    let seq_len = cake.seq_len();
    for t in cake.texts(5 * seq_len) {
        let (i, n) = t.split('/').nth(1).unwrap().split_once('-').unwrap();
        assert!(i.parse::<usize>().unwrap() <= n.parse::<usize>().unwrap(), "a fountain part in the cake profile: {t}");
    }
}

#[test]
fn feather_anonero_and_standard_profiles_decode_with_bc_ur() {
    let message = payload(3_000);
    for profile in [Profile::Standard, Profile::Feather, Profile::Anonero, Profile::Cake] {
        let mut s = Stream::new(profile, "bytes", &message, None, None).unwrap();
        let seq_len = s.seq_len();
        // Join late, as a phone does: the first third missed.
        let texts: Vec<String> = s.texts(3 * seq_len + 5).into_iter().skip(seq_len / 3).collect();
        let (ok, got) = node("ur/decode.js", &texts.join("\n"));
        assert!(ok, "{}: bc-ur could not decode it", profile.name());
        assert_eq!(got["message_cbor_hex"], hex::encode(&message), "{}", profile.name());
        let spec = profile.spec();
        assert!(texts.iter().all(|t| t.starts_with(if spec.lowercase { "ur:bytes/" } else { "UR:BYTES/" })), "{}", profile.name());
        assert!(s.fragment() <= spec.max_fragment.unwrap_or(usize::MAX));
    }
}

fn signed(n: usize) -> (Vec<Vec<u8>>, Vec<u8>) {
    let f: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/xrpl/signing.json")).unwrap()).unwrap();
    let blobs: Vec<Vec<u8>> = f["single"].as_array().unwrap().iter().take(n).map(|v| hex::decode(v["tx_blob"].as_str().unwrap()).unwrap()).collect();
    let entries = blobs
        .iter()
        .map(|b| {
            let tx = airsign::chain::xrpl::codec::decode(b).unwrap();
            SignedEntry {
                blob: b.clone(),
                hash: hex::decode(airsign::chain::xrpl::sign::transaction_hash(b)).unwrap(),
                sequence: tx["Sequence"].as_u64().unwrap() as u32,
                last_ledger_sequence: tx["LastLedgerSequence"].as_u64().unwrap_or(0) as u32,
            }
        })
        .collect();
    (blobs.clone(), XrplSignedPayload { version: VERSION, transactions: entries }.to_cbor())
}

#[test]
fn the_xaman_profile_is_one_static_hex_code_xaman_takes_as_a_signed_transaction() {
    let (blobs, one) = signed(1);
    let mut s = Stream::new(Profile::Xaman, "xrpl-signed", &one, None, None).unwrap();
    assert!(s.is_static());
    let text = s.next_text();
    assert_eq!(s.texts(3), vec![text.clone(); 3], "the same code, always");
    let (ok, got) = node("xaman/xaman.js", &text);
    assert!(ok, "Xaman's rules do not take it: {got}");
    assert_eq!(got["type"], "XrplSignedTransaction");
    assert_eq!(got["tx"], airsign::chain::xrpl::codec::decode(&blobs[0]).unwrap());
    // A batch: one at a time, each its own code.
    let (blobs, batch) = signed(3);
    assert!(matches!(Stream::new(Profile::Xaman, "xrpl-signed", &batch, None, None), Err(ProfileError::OneAtATime { count: 3, .. })));
    let second = Stream::new(Profile::Xaman, "xrpl-signed", &batch, None, Some(2)).unwrap().next_text();
    assert_eq!(second, hex::encode_upper(&blobs[1]));
    assert!(matches!(Stream::new(Profile::Xaman, "xrpl-signed", &batch, None, Some(4)), Err(ProfileError::NoSuchTransaction { index: 4, count: 3 })));
    // Only signed XRPL transactions go to Xaman.
    assert!(matches!(Stream::new(Profile::Xaman, "bytes", &payload(10), None, None), Err(ProfileError::WrongType { .. })));
    // Hex of JSON is what Xaman takes as a template, not a signed transaction.
    let template = hex::encode_upper(br#"{"TransactionType":"Payment","Account":"rf1BiGeXwwQoi8Z2ueFYTEXSwuJYfV2Jpn"}"#);
    let (ok, got) = node("xaman/xaman.js", &template);
    assert!(!ok && got["type"] == "XrplTransactionTemplate", "the rules are Xaman's: {got}");
}

#[test]
fn the_keystone_xrpl_profile_is_a_bytes_ur_of_the_raw_signed_blob() {
    let (blobs, one) = signed(1);
    let mut s = Stream::new(Profile::KeystoneXrpl, "xrpl-signed", &one, None, None).unwrap();
    assert_eq!(s.ur_type(), "bytes");
    let texts = s.texts(s.seq_len());
    let (ok, got) = node("ur/decode.js", &texts.join("\n"));
    assert!(ok);
    assert_eq!(got["ur_type"], "bytes");
    assert_eq!(got["message_cbor_hex"], hex::encode(airsign::envelope::wrap_bytes(&blobs[0])));
}

#[test]
fn airsign_reads_every_profile_back() {
    let (_, one) = signed(1);
    let bytes_message = payload(2_500);
    for profile in Profile::ALL {
        let (ur_type, message) = if profile.shows().is_some() { ("xrpl-signed", one.clone()) } else { ("bytes", bytes_message.clone()) };
        let mut s = Stream::new(profile, ur_type, &message, None, None).unwrap();
        let accepted = vec![ur_type.to_owned()];
        let mut dec = UrDecoder::new(None);
        let mut got = None;
        for t in s.texts(3 * s.seq_len() + 3) {
            match scan_session::receive(&mut dec, &accepted, &t) {
                Ok(Some(done)) => got = Some(done),
                Ok(None) => {}
                Err(e) => panic!("{}: refused: {e}", profile.name()),
            }
            if let (Some(t), Some(m)) = (dec.ur_type(), dec.message()) {
                got = Some((t.to_owned(), m.to_vec()));
            }
            if got.is_some() {
                break;
            }
        }
        let (t, m) = got.unwrap_or_else(|| panic!("{}: incomplete", profile.name()));
        assert_eq!((t.as_str(), m), (ur_type, message), "{}", profile.name());
    }
    // A bare hex code that is not a signed transaction is refused as not a UR.
    let mut dec = UrDecoder::new(None);
    assert!(scan_session::receive(&mut dec, &["xrpl-signed".into()], &"AB".repeat(40)).is_err());
}

/// `airsign ur encode --profile` and `qr render --profile` print and draw exactly what the
/// player shows.
#[test]
fn the_cli_prints_and_renders_each_profile() {
    let dir = std::env::temp_dir().join(format!("airsign-profiles-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| Command::new(env!("CARGO_BIN_EXE_airsign")).args(args).output().unwrap();
    let (blobs, batch) = signed(2);
    let batch_file = dir.join("batch.cbor");
    std::fs::write(&batch_file, &batch).unwrap();
    let f = batch_file.to_str().unwrap();
    let refused = run(&["ur", "encode", "--type", "xrpl-signed", "--profile", "xaman", f]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("Xaman takes one signed transaction per QR code and this payload holds 2"));
    let out = run(&["ur", "encode", "--type", "xrpl-signed", "--profile", "xaman", "--index", "2", f]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), format!("{}\n", hex::encode_upper(&blobs[1])));

    let data = dir.join("data.bin");
    std::fs::write(&data, vec![5u8; 1_000]).unwrap();
    let out = run(&["ur", "encode", "--type", "bytes", "--wrap-bytes", "--profile", "cake", "--count", "20", data.to_str().unwrap()]);
    let lines: Vec<String> = String::from_utf8(out.stdout).unwrap().lines().map(str::to_owned).collect();
    let mut player = Stream::new(Profile::Cake, "bytes", &airsign::envelope::wrap_bytes(&[5u8; 1_000]), None, None).unwrap();
    assert_eq!(lines, player.texts(20), "the CLI prints what the player shows");

    let frames = dir.join("frames");
    let out = run(&["qr", "render", "--type", "bytes", "--wrap-bytes", "--profile", "cake", "--out", frames.to_str().unwrap(), data.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error correction L"), "{}", String::from_utf8_lossy(&out.stderr));
    let back = run(&["qr", "scan", "--images", frames.to_str().unwrap(), "--unwrap-bytes", "--out", dir.join("back.bin").to_str().unwrap()]);
    assert!(back.status.success(), "{}", String::from_utf8_lossy(&back.stderr));
    assert_eq!(std::fs::read(dir.join("back.bin")).unwrap(), vec![5u8; 1_000]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// airsign's scanner films each peer's screen through the virtual camera (30 fps camera,
/// blur, 10% of frames lost) and completes a Monero-sized payload.
#[test]
fn airsign_scans_cake_feather_and_anonero_screens_through_the_virtual_camera() {
    use airsign::transport::{qr, Degradation, FrameSource, QrEngine, Scene, VirtualCamera};
    let message = payload(3_600);
    for profile in [Profile::Cake, Profile::Feather, Profile::Anonero] {
        let stream = Stream::new(profile, "bytes", &message, None, None).unwrap();
        let scene = Scene { module_px: 4.0, ec: profile.spec().ec, ..Scene::default() };
        let degradation = Degradation { drop_rate: 0.1, ..Degradation::named("blur").unwrap() };
        let mut camera = VirtualCamera::new(airsign::transport::profile::as_filmed(stream, 30.0).take(30 * 60), scene, degradation, 3);
        let mut dec = UrDecoder::new(Some("bytes"));
        while let Some(frame) = camera.next_frame().unwrap() {
            for t in qr::decode(&frame.image, QrEngine::Rxing) {
                let _ = dec.receive(&t);
            }
            if dec.is_complete() {
                break;
            }
        }
        assert_eq!(dec.message(), Some(&message[..]), "{}: not complete within a minute of camera time", profile.name());
    }
}
