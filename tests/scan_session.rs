//! The scanner's worker thread over the virtual camera, and the player's sequence: what the
//! apps' screens are built on, tested without a window.

use airsign::transport::scan_session::decode_text;
use airsign::transport::{Degradation, Player, ScanEvent, ScanSession, Scene, UrEncoder, VirtualCamera};

fn camera(parts: Vec<String>) -> Box<VirtualCamera<std::vec::IntoIter<String>>> {
    Box::new(VirtualCamera::new(parts.into_iter(), Scene::default(), Degradation::named("blur").unwrap(), 11))
}

fn finish(session: &ScanSession) -> (Option<(String, Vec<u8>)>, Vec<String>) {
    let mut notices = Vec::new();
    while let Some(e) = session.wait() {
        match e {
            ScanEvent::Status(s) => notices.extend(s.notice),
            ScanEvent::Complete { ur_type, message } => return (Some((ur_type, message)), notices),
            ScanEvent::Ended(_) | ScanEvent::Failed(_) => return (None, notices),
        }
    }
    (None, notices)
}

#[test]
fn the_player_sequence_scans_to_the_message_with_foreign_codes_in_between() {
    let message = airsign::envelope::wrap_bytes(&[42u8; 3000]);
    let mut player = Player::new("xmr-output", &message, 400, 8.0).unwrap();
    let mut parts = vec!["https://example.com/not-a-ur".to_owned()];
    let mut other = UrEncoder::new("bytes", &airsign::envelope::wrap_bytes(&[1u8; 900]), 400).unwrap();
    parts.push(other.next_part());
    for i in 0..3 * player.seq_len() {
        parts.push(player.part_text().to_owned());
        player.tick(0.125 * (i + 1) as f64).unwrap();
    }
    let session = ScanSession::start(camera(parts), vec!["xmr-output".into()]);
    let (done, notices) = finish(&session);
    let (ur_type, got) = done.expect("complete");
    assert_eq!(ur_type, "xmr-output");
    assert_eq!(got, message);
    assert!(notices.iter().any(|n| n.contains("not a UR")), "{notices:?}");
    assert!(notices.iter().any(|n| n.contains("'bytes' code")), "{notices:?}");
}

#[test]
fn a_part_from_another_transfer_is_named_and_the_transfer_goes_on() {
    let a = airsign::envelope::wrap_bytes(&[5u8; 2000]);
    let b = airsign::envelope::wrap_bytes(&[6u8; 2000]);
    let mut ea = UrEncoder::new("bytes", &a, 300).unwrap();
    let mut eb = UrEncoder::new("bytes", &b, 300).unwrap();
    let mut parts = ea.parts(2);
    parts.push(eb.next_part());
    parts.extend(ea.parts(3 * ea.seq_len()));
    let session = ScanSession::start(camera(parts), vec![]);
    let (done, notices) = finish(&session);
    assert_eq!(done.unwrap().1, a);
    assert!(notices.iter().any(|n| n.contains("another transfer")), "{notices:?}");
}

#[test]
fn pasted_text_and_pause() {
    let message = airsign::envelope::wrap_bytes(&[9u8; 1500]);
    let mut player = Player::new("bytes", &message, 200, 10.0).unwrap();
    let (t, m) = decode_text(&player.all_parts_text(), &["bytes".into()]).unwrap();
    assert_eq!((t.as_str(), m), ("bytes", message.clone()));
    assert!(decode_text(&player.all_parts_text(), &["xmr-output".into()]).unwrap_err().contains("expects xmr-output"));
    let first = player.part_text().to_owned();
    player.set_paused(true);
    player.tick(5.0).unwrap();
    assert_eq!(player.part_text(), first, "paused");
    player.set_paused(false);
    player.tick(5.05).unwrap();
    assert_eq!(player.part_text(), first, "not yet due at 10 fps");
    player.tick(5.2).unwrap();
    assert_ne!(player.part_text(), first);
    player.set_fragment(500).unwrap();
    assert_eq!(player.fragment(), 500);
    assert_eq!(player.shown(), 1, "a new fragment size restarts the sequence");
}
