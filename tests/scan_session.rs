//! The scanner's worker thread over the virtual camera, and the player's sequence: what the
//! apps' screens are built on, tested without a window.

use airsign::transport::scan_session::decode_text;
use airsign::transport::{Degradation, FrameSource, Player, ScanEvent, ScanSession, Scene, UrEncoder, VirtualCamera};

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

/// A live camera faster than any decoder: frames filmed in advance by the virtual camera,
/// shown over and over, one a millisecond, whether or not anyone reads them.
struct LiveCamera {
    frames: Vec<airsign::transport::frames::Frame>,
    shown: u64,
}

impl FrameSource for LiveCamera {
    fn next_frame(&mut self) -> Result<Option<airsign::transport::frames::Frame>, airsign::transport::frames::FrameError> {
        std::thread::sleep(std::time::Duration::from_millis(1));
        let f = &self.frames[self.shown as usize % self.frames.len()];
        self.shown += 1;
        Ok(Some(airsign::transport::frames::Frame { image: f.image.clone(), shown: self.shown }))
    }

    fn is_live(&self) -> bool {
        true
    }
}

#[test]
fn the_preview_shows_frames_with_the_code_outlined() {
    let message = airsign::envelope::wrap_bytes(&[3u8; 1200]);
    let mut enc = UrEncoder::new("bytes", &message, 400).unwrap();
    let session = ScanSession::start(camera(enc.parts(3 * enc.seq_len())), vec![]);
    let mut outlines = Vec::new();
    let mut previews = 0;
    let done = loop {
        if let Some(p) = session.take_preview() {
            assert!(p.image.width() <= airsign::transport::scan_session::PREVIEW_WIDTH && p.image.height() > 0);
            previews += 1;
        }
        match session.wait().expect("an event") {
            ScanEvent::Status(s) => outlines.extend(s.outline),
            ScanEvent::Complete { message, .. } => break message,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(done, message);
    assert!(previews > 0);
    assert!(!outlines.is_empty(), "no frame had its code outlined");
    // The virtual camera centres the code: every outline surrounds the middle of the frame
    // and stays inside it.
    for o in &outlines {
        let (xs, ys): (Vec<f32>, Vec<f32>) = o.iter().map(|p| (p[0], p[1])).unzip();
        let (min_x, max_x) = (xs.iter().cloned().fold(1.0, f32::min), xs.iter().cloned().fold(0.0, f32::max));
        let (min_y, max_y) = (ys.iter().cloned().fold(1.0, f32::min), ys.iter().cloned().fold(0.0, f32::max));
        assert!(min_x < 0.5 && max_x > 0.5 && min_y < 0.5 && max_y > 0.5, "{o:?}");
        assert!(min_x > -0.05 && max_x < 1.05 && min_y > -0.05 && max_y < 1.05, "{o:?}");
        // A square code filmed head-on: as wide as tall, in pixels.
        let (w, h) = ((max_x - min_x) * Scene::default().width as f32, (max_y - min_y) * Scene::default().height as f32);
        assert!((w / h - 1.0).abs() < 0.15, "{w} x {h}");
    }
}

#[test]
fn a_live_camera_is_decoded_newest_frame_first_and_still_completes() {
    let message = airsign::envelope::wrap_bytes(&[4u8; 2500]);
    let mut enc = UrEncoder::new("bytes", &message, 400).unwrap();
    let mut film = camera(enc.parts(3 * enc.seq_len()));
    let frames: Vec<_> = std::iter::from_fn(|| film.next_frame().unwrap()).collect();
    let session = ScanSession::start(Box::new(LiveCamera { frames, shown: 0 }), vec![]);
    let mut decoded = 0;
    let done = loop {
        match session.wait().expect("an event") {
            ScanEvent::Status(s) => decoded = s.frames,
            ScanEvent::Complete { message, .. } => break message,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(done, message);
    // The preview followed the camera; the decoder skipped what it had no time for.
    let preview = session.take_preview().expect("the capture thread keeps the preview");
    assert!(preview.shown > decoded, "camera frames {} vs decoded {decoded}: nothing was dropped", preview.shown);
}

#[test]
fn a_live_camera_that_fails_reports_it() {
    struct Unplugged;
    impl FrameSource for Unplugged {
        fn next_frame(&mut self) -> Result<Option<airsign::transport::frames::Frame>, airsign::transport::frames::FrameError> {
            Err(airsign::transport::frames::FrameError::Camera("device unplugged".into()))
        }
        fn is_live(&self) -> bool {
            true
        }
    }
    let session = ScanSession::start(Box::new(Unplugged), vec![]);
    match session.wait() {
        Some(ScanEvent::Failed(e)) => assert!(e.contains("device unplugged"), "{e}"),
        other => panic!("{other:?}"),
    }
}
