//! The animated QR player's state, without a screen: which UR part shows now, at what
//! frame rate and fragment size, paused or not. The apps draw [`Player::symbol`].

use super::qr::{self, EcLevel, QrError, Symbol};
use super::{TransportError, UrEncoder};

/// Defaults chosen by measurement on the virtual camera (docs/app.md).
pub const DEFAULT_FPS: f32 = 8.0;
pub const DEFAULT_FRAGMENT: usize = 400;

#[derive(Debug, thiserror::Error)]
pub enum PlayerError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error("cannot draw the QR code: {0}")]
    Qr(#[from] QrError),
}

pub struct Player {
    ur_type: String,
    message: Vec<u8>,
    encoder: UrEncoder,
    fragment: usize,
    fps: f32,
    paused: bool,
    /// Index of the part on screen (counts up forever: fountain parts follow the plain ones).
    shown: u64,
    text: String,
    symbol: Symbol,
    since: f64,
}

impl Player {
    pub fn new(ur_type: &str, message: &[u8], fragment: usize, fps: f32) -> Result<Player, PlayerError> {
        let mut encoder = UrEncoder::new(ur_type, message, fragment)?;
        let text = encoder.next_part();
        let symbol = qr::symbol(&text, EcLevel::L)?;
        Ok(Player { ur_type: ur_type.to_owned(), message: message.to_vec(), encoder, fragment, fps: fps.clamp(1.0, 30.0), paused: false, shown: 1, text, symbol, since: 0.0 })
    }

    /// Advances to the part due at `now` (seconds, any monotonic clock).
    pub fn tick(&mut self, now: f64) -> Result<(), PlayerError> {
        if self.paused || self.encoder.is_single_part() {
            self.since = now;
            return Ok(());
        }
        if now - self.since >= 1.0 / self.fps as f64 {
            self.since = now;
            self.text = self.encoder.next_part();
            self.symbol = qr::symbol(&self.text, EcLevel::L)?;
            self.shown += 1;
        }
        Ok(())
    }

    pub fn symbol(&self) -> &Symbol {
        &self.symbol
    }

    pub fn part_text(&self) -> &str {
        &self.text
    }

    pub fn ur_type(&self) -> &str {
        &self.ur_type
    }

    pub fn message(&self) -> &[u8] {
        &self.message
    }

    pub fn seq_len(&self) -> usize {
        self.encoder.seq_len()
    }

    pub fn shown(&self) -> u64 {
        self.shown
    }

    pub fn fps(&self) -> f32 {
        self.fps
    }

    pub fn fragment(&self) -> usize {
        self.fragment
    }

    pub fn is_paused(&self) -> bool {
        self.paused
    }

    pub fn set_paused(&mut self, paused: bool) {
        self.paused = paused;
    }

    pub fn set_fps(&mut self, fps: f32) {
        self.fps = fps.clamp(1.0, 30.0);
    }

    /// A new fragment size restarts the sequence (a reader that joined keeps nothing useful).
    pub fn set_fragment(&mut self, fragment: usize) -> Result<(), PlayerError> {
        if fragment != self.fragment {
            *self = Player::new(&self.ur_type.clone(), &self.message.clone(), fragment, self.fps)?;
        }
        Ok(())
    }

    /// Every part of one full cycle, as text ("show as file instead").
    pub fn all_parts_text(&self) -> String {
        let mut enc = match UrEncoder::new(&self.ur_type, &self.message, self.fragment) {
            Ok(e) => e,
            Err(_) => return String::new(),
        };
        let n = if enc.is_single_part() { 1 } else { enc.seq_len() };
        enc.parts(n).join("\n") + "\n"
    }
}
