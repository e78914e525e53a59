//! The animated QR player's state, without a screen: which UR part shows now, at what
//! frame rate and fragment size, paused or not. The apps draw [`Player::symbol`].

use super::profile::{Profile, ProfileError, Stream};
use super::qr::{self, QrError, Symbol};
use super::TransportError;

/// Defaults chosen by measurement under the `webcam` condition (a 720p laptop webcam 40 cm
/// from the screen: `cargo bench --bench camera_defaults`, docs/app.md): 400-byte fragments
/// are the largest whose modules it still reads, and 20 codes a second the fastest it keeps
/// up with (at 24 and 30 more frames catch a switch of code than it gains).
pub const DEFAULT_FPS: f32 = 20.0;
pub const DEFAULT_FRAGMENT: usize = 400;
/// The denser preset for a good camera close to the screen (a phone, a webcam in front of a
/// full-screen player): 800-byte fragments, twice the default's throughput there.
pub const DENSE_FPS: f32 = 20.0;
pub const DENSE_FRAGMENT: usize = 800;

#[derive(Debug, thiserror::Error)]
pub enum PlayerError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error("cannot draw the QR code: {0}")]
    Qr(#[from] QrError),
    #[error(transparent)]
    Profile(#[from] ProfileError),
}

pub struct Player {
    profile: Profile,
    /// The payload as given (for a profile that shows something else, such as Xaman's hex
    /// of one transaction, [`Player::message`] is still this).
    ur_type: String,
    message: Vec<u8>,
    /// Which transaction a one-transaction profile shows (1-based).
    index: Option<usize>,
    stream: Stream,
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
        Player::with_profile(Profile::Standard, ur_type, message, Some(fragment), Some(fps), None)
    }

    /// A player showing `message` the way `profile` says (fragment and fps default to the
    /// profile's and stay within what its peer takes); `index` picks one transaction for the
    /// one-transaction profiles (Xaman, keystone-xrpl).
    pub fn with_profile(profile: Profile, ur_type: &str, message: &[u8], fragment: Option<usize>, fps: Option<f32>, index: Option<usize>) -> Result<Player, PlayerError> {
        let mut stream = Stream::new(profile, ur_type, message, fragment, index)?;
        let spec = *stream.spec();
        let fps = fps.unwrap_or(spec.fps).clamp(1.0, spec.max_fps.unwrap_or(30.0));
        let text = stream.next_text();
        let symbol = qr::symbol(&text, spec.ec)?;
        Ok(Player { profile, ur_type: ur_type.to_owned(), message: message.to_vec(), index, fragment: stream.fragment(), stream, fps, paused: false, shown: 1, text, symbol, since: 0.0 })
    }

    /// Advances to the part due at `now` (seconds, any monotonic clock).
    pub fn tick(&mut self, now: f64) -> Result<(), PlayerError> {
        if self.paused || self.stream.is_static() {
            self.since = now;
            return Ok(());
        }
        if now - self.since >= 1.0 / self.fps as f64 {
            self.since = now;
            self.text = self.stream.next_text();
            self.symbol = qr::symbol(&self.text, self.stream.spec().ec)?;
            self.shown += 1;
        }
        Ok(())
    }

    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// Shows the payload with another profile, from its first part.
    pub fn set_profile(&mut self, profile: Profile, index: Option<usize>) -> Result<(), PlayerError> {
        if profile != self.profile || index != self.index {
            *self = Player::with_profile(profile, &self.ur_type.clone(), &self.message.clone(), None, None, index)?;
        }
        Ok(())
    }

    /// The UR type on screen (`bytes` for keystone-xrpl).
    pub fn shown_type(&self) -> &str {
        self.stream.ur_type()
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
        self.stream.seq_len()
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
        self.fps = fps.clamp(1.0, self.stream.spec().max_fps.unwrap_or(30.0));
    }

    /// A new fragment size restarts the sequence (a reader that joined keeps nothing useful).
    pub fn set_fragment(&mut self, fragment: usize) -> Result<(), PlayerError> {
        if fragment != self.fragment {
            *self = Player::with_profile(self.profile, &self.ur_type.clone(), &self.message.clone(), Some(fragment), Some(self.fps), self.index)?;
        }
        Ok(())
    }

    /// Every part of one full cycle, as text ("show as file instead").
    pub fn all_parts_text(&self) -> String {
        match Stream::new(self.profile, &self.ur_type, &self.message, Some(self.fragment), self.index) {
            Ok(mut s) => {
                let n = s.seq_len();
                s.texts(n).join("\n") + "\n"
            }
            Err(_) => String::new(),
        }
    }
}
