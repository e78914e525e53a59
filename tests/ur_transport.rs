//! UR transport behaviour: round trips, ordering, loss, foreign parts, bounds.

use airsign::transport::{TransportError, UrDecoder, UrEncoder};
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn message(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..len).map(|_| rng.random()).collect()
}

fn decode_all(parts: &[String], ty: Option<&str>) -> (UrDecoder, usize) {
    let mut dec = UrDecoder::new(ty);
    for (i, p) in parts.iter().enumerate() {
        dec.receive(p).unwrap();
        if dec.is_complete() {
            return (dec, i + 1);
        }
    }
    (dec, parts.len())
}

#[test]
fn single_part_when_it_fits() {
    let msg = message(100, 1);
    let mut enc = UrEncoder::new("bytes", &msg, 100).unwrap();
    assert!(enc.is_single_part());
    let part = enc.next_part();
    assert!(!part.contains("/1-1/"), "single part has no sequence: {part}");
    let (dec, used) = decode_all(&[part], Some("bytes"));
    assert_eq!(used, 1);
    assert_eq!(dec.message(), Some(&msg[..]));
}

#[test]
fn multi_part_in_order_needs_exactly_seq_len() {
    let msg = message(10_000, 2);
    let mut enc = UrEncoder::new("bytes", &msg, 150).unwrap();
    let n = enc.seq_len();
    assert_eq!(n, 67);
    let parts = enc.parts(n);
    assert!(parts[0].starts_with("UR:BYTES/1-67/"));
    let (dec, used) = decode_all(&parts, None);
    assert_eq!(used, n);
    assert_eq!(dec.message(), Some(&msg[..]));
    assert_eq!(dec.ur_type(), Some("bytes"));
    let p = dec.progress();
    assert_eq!((p.fragments_resolved, p.fragments_total, p.estimated_fraction), (n, n, 1.0));
}

#[test]
fn shuffled_with_duplicates_and_lowercase() {
    let msg = message(5_000, 3);
    let mut enc = UrEncoder::new("xmr-output", &msg, 200).unwrap();
    let n = enc.seq_len();
    let mut parts = enc.parts(3 * n);
    parts.extend(parts.clone());
    parts.shuffle(&mut ChaCha8Rng::seed_from_u64(9));
    let parts: Vec<String> = parts.into_iter().map(|p| p.to_lowercase()).collect();
    let (dec, _) = decode_all(&parts, Some("xmr-output"));
    assert_eq!(dec.message(), Some(&msg[..]));
}

#[test]
fn feather_style_cycling_of_plain_fragments() {
    // Feather loops parts 1..=seqLen; a receiver joining anywhere completes in one loop.
    let msg = message(3_000, 4);
    let mut enc = UrEncoder::new("bytes", &msg, 150).unwrap();
    let n = enc.seq_len();
    let cycle = enc.parts(n);
    let stream: Vec<String> = cycle.iter().cycle().skip(n / 2).take(n).cloned().collect();
    let (dec, used) = decode_all(&stream, None);
    assert_eq!(used, n);
    assert_eq!(dec.message(), Some(&msg[..]));
}

#[test]
fn late_join_with_loss_is_close_to_ideal() {
    // Join after 3*seqLen parts and drop 40%: the decoder should finish within a few
    // parts of seqLen useful parts (rank-based, not peeling).
    let msg = message(20_000, 5);
    let mut enc = UrEncoder::new("bytes", &msg, 200).unwrap();
    let n = enc.seq_len();
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let stream: Vec<String> =
        enc.parts(20 * n).into_iter().skip(3 * n).filter(|_| rng.random::<f64>() >= 0.4).collect();
    let (dec, used) = decode_all(&stream, None);
    assert_eq!(dec.message(), Some(&msg[..]));
    assert!(used <= n + n / 10, "needed {used} received parts for seqLen {n}");
    assert_eq!(dec.progress().parts_useful, n);
}

#[test]
fn foreign_part_is_refused_and_transfer_continues() {
    let a = message(2_000, 7);
    let b = message(2_000, 8);
    let mut ea = UrEncoder::new("bytes", &a, 100).unwrap();
    let mut eb = UrEncoder::new("bytes", &b, 100).unwrap();
    let pa = ea.parts(ea.seq_len());
    let pb = eb.parts(3);
    let mut dec = UrDecoder::new(Some("bytes"));
    dec.receive(&pa[0]).unwrap();
    let before = dec.progress();
    assert_eq!(dec.receive(&pb[1]), Err(TransportError::OtherTransfer));
    assert_eq!(dec.receive("hello"), Err(TransportError::NotUr));
    assert_eq!(dec.progress(), before, "errors must not touch the transfer's state");
    for p in &pa[1..] {
        dec.receive(p).unwrap();
    }
    assert_eq!(dec.message(), Some(&a[..]));
    // After completion a foreign part is still reported.
    assert_eq!(dec.receive(&pb[0]), Err(TransportError::OtherTransfer));
}

#[test]
fn wrong_type_is_refused() {
    let mut enc = UrEncoder::new("xmr-keyimage", b"abc", 100).unwrap();
    let mut dec = UrDecoder::new(Some("xmr-output"));
    assert_eq!(
        dec.receive(&enc.next_part()),
        Err(TransportError::WrongType { expected: "xmr-output".into(), found: "xmr-keyimage".into() })
    );
    assert!(!dec.is_complete());
}

#[test]
fn message_bound_is_enforced() {
    let msg = message(50_000, 10);
    let mut enc = UrEncoder::new("bytes", &msg, 500).unwrap();
    let mut dec = UrDecoder::new(None).with_max_message_len(10_000);
    assert_eq!(
        dec.receive(&enc.next_part()),
        Err(TransportError::MessageTooLarge { claimed: 50_000, limit: 10_000 })
    );
}

#[test]
fn encoder_rejects_bad_arguments() {
    assert_eq!(UrEncoder::new("bytes", b"", 10).err(), Some(TransportError::EmptyMessage));
    assert_eq!(UrEncoder::new("bytes", b"x", 0).err(), Some(TransportError::InvalidFragmentLen));
    assert!(matches!(UrEncoder::new("Bytes", b"x", 10).err(), Some(TransportError::Malformed(_))));
}

#[test]
fn progress_counts_resolved_fragments() {
    let msg = message(1_000, 11);
    let mut enc = UrEncoder::new("bytes", &msg, 100).unwrap();
    let parts = enc.parts(10);
    let mut dec = UrDecoder::new(None);
    for p in &parts[..4] {
        dec.receive(p).unwrap();
    }
    dec.receive(&parts[0]).unwrap();
    let p = dec.progress();
    assert_eq!((p.parts_received, p.parts_useful, p.fragments_resolved, p.fragments_total), (5, 4, 4, 10));
    assert!((p.estimated_fraction - 0.4).abs() < 1e-9);
}

/// A hostile stream claiming a transfer of 16,000 fragments: before the bound, every one of
/// its parts made the fountain decoder XOR through up to 16,000 rows of 2 KB (seconds per
/// part, minutes in all). Now its first part is refused, the decoder keeps no state, and a
/// real transfer that follows completes.
#[test]
fn a_stream_claiming_a_huge_transfer_is_refused_part_by_part() {
    let huge = message(16_000 * 100, 9);
    let mut enc = UrEncoder::new("bytes", &huge, 100).unwrap();
    assert_eq!(enc.seq_len(), 16_000);
    let mut dec = UrDecoder::new(Some("bytes"));
    for _ in 0..3 {
        let part = enc.next_part();
        assert!(matches!(dec.receive(&part), Err(TransportError::TooMuchWork { seq_len: 16_000, .. })));
    }
    assert_eq!(dec.progress().parts_received, 0, "refused parts leave no state");
    let msg = message(20_000, 10);
    let mut ok = UrEncoder::new("bytes", &msg, 200).unwrap();
    let (dec, _) = decode_all(&ok.parts(2 * ok.seq_len()), Some("bytes"));
    assert_eq!(dec.message(), Some(&msg[..]));
}
