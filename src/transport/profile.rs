//! Display profiles: how the player shows a payload so that one peer's scanner reads it.
//! airsign's own scanner reads every profile; the other wallets read by rules of their own
//! (docs/phones.md has what each does, from its code):
//!
//! - `standard`: fountain-coded UR, uppercase (QR alphanumeric mode), seqLen plain parts
//!   then fountain parts; between airsign apps, Feather and ANONERO.
//! - `cake`: Cake Wallet counts distinct strings against the `n` of `i-n` and joins the
//!   parts sorted by `i` at 100 %, and takes a text as UR only if it starts with lowercase
//!   `ur:`: so lowercase, the `i-n` form even for one part, only the seqLen plain parts in
//!   a loop, fragments of at most 130 bytes at 5 frames a second (its own screen's figures).
//! - `feather`: Feather's own screen (lowercase text, ECC M, 150-byte fragments, 80 ms a
//!   frame, plain parts looped); it reads fountain parts too.
//! - `anonero`: ANONERO's own (60-byte fragments, 10 a second, a continuous fountain stream).
//! - `xaman`: no UR at all: one static QR holding one signed XRPL transaction blob as hex,
//!   which Xaman offers to submit; a batch is shown one transaction at a time.
//! - `keystone-xrpl`: the XRP Toolkit / Keystone answer, a `bytes` UR holding the raw
//!   signed blob of one transaction.

use super::qr::EcLevel;
use super::{part, TransportError, UrEncoder};
use crate::envelope::xrpl::{Versioned, XrplSignedPayload};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Profile {
    Standard,
    Cake,
    Feather,
    Anonero,
    Xaman,
    KeystoneXrpl,
}

/// How a profile shows parts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProfileSpec {
    pub name: &'static str,
    /// Which apps read it, in words (the player says so).
    pub for_apps: &'static str,
    /// The default fragment length, and the most the peer takes (None: no limit).
    pub fragment: usize,
    pub max_fragment: Option<usize>,
    pub fps: f32,
    pub max_fps: Option<f32>,
    pub lowercase: bool,
    /// Only the seqLen plain parts, looped (no fountain parts).
    pub pure_loop: bool,
    /// The `ur:type/i-n/...` form even when one part holds the message.
    pub always_multipart: bool,
    pub ec: EcLevel,
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("unknown profile '{0}': one of standard, cake, feather, anonero, xaman, keystone-xrpl")]
    Unknown(String),
    #[error("the {profile} profile shows {wants}, not a '{found}' payload")]
    WrongType { profile: &'static str, wants: &'static str, found: String },
    #[error("{peer} takes one signed transaction per QR code and this payload holds {count}: show them one at a time (transaction 1 to {count})")]
    OneAtATime { peer: &'static str, count: usize },
    #[error("transaction {index} asked for; the payload holds {count}")]
    NoSuchTransaction { index: usize, count: usize },
    #[error("not an xrpl-signed payload: {0}")]
    Payload(String),
    #[error(transparent)]
    Transport(#[from] TransportError),
}

impl Profile {
    pub const ALL: [Profile; 6] = [Profile::Standard, Profile::Cake, Profile::Feather, Profile::Anonero, Profile::Xaman, Profile::KeystoneXrpl];

    pub fn parse(name: &str) -> Result<Profile, ProfileError> {
        Profile::ALL.into_iter().find(|p| p.spec().name == name).ok_or_else(|| ProfileError::Unknown(name.to_owned()))
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }

    pub fn spec(self) -> ProfileSpec {
        let base = ProfileSpec {
            name: "standard",
            for_apps: "airsign, Feather, ANONERO, Sparrow-style (hummingbird) and BC-UR scanners",
            fragment: super::player::DEFAULT_FRAGMENT,
            max_fragment: None,
            fps: super::player::DEFAULT_FPS,
            max_fps: None,
            lowercase: false,
            pure_loop: false,
            always_multipart: false,
            ec: EcLevel::L,
        };
        match self {
            Profile::Standard => base,
            Profile::Cake => ProfileSpec {
                name: "cake",
                for_apps: "Cake Wallet (Monero offline signing); any BC-UR scanner",
                fragment: 130,
                max_fragment: Some(130),
                fps: 5.0,
                max_fps: Some(5.0),
                lowercase: true,
                pure_loop: true,
                always_multipart: true,
                ..base
            },
            Profile::Feather => ProfileSpec { name: "feather", for_apps: "Feather Wallet (as its own screen shows codes); any BC-UR scanner", fragment: 150, fps: 12.5, lowercase: true, pure_loop: true, ec: EcLevel::M, ..base },
            Profile::Anonero => ProfileSpec { name: "anonero", for_apps: "ANONERO / NERO (as its own screen shows codes); any BC-UR scanner", fragment: 60, fps: 10.0, ..base },
            Profile::Xaman => ProfileSpec { name: "xaman", for_apps: "Xaman (XRPL): one static code per signed transaction, to submit from the phone", fragment: 0, fps: 1.0, ec: EcLevel::M, ..base },
            Profile::KeystoneXrpl => ProfileSpec { name: "keystone-xrpl", for_apps: "XRP Toolkit and other Keystone-style XRPL tools (a bytes UR of the signed blob)", ..base },
        }
    }

    /// The payload types the profile can show (None: any UR type).
    pub fn shows(self) -> Option<&'static str> {
        match self {
            Profile::Xaman | Profile::KeystoneXrpl => Some("xrpl-signed"),
            _ => None,
        }
    }
}

/// The texts one profile shows for one payload, in order, forever.
pub struct Stream {
    spec: ProfileSpec,
    ur_type: String,
    message: Vec<u8>,
    fragment: usize,
    kind: StreamKind,
}

enum StreamKind {
    Static(String),
    Ur { encoder: UrEncoder, shown_in_cycle: usize },
}

impl Stream {
    /// `fragment` overrides the profile's default (capped at what the peer takes);
    /// `index` picks one transaction (1-based) for the one-transaction profiles.
    pub fn new(profile: Profile, ur_type: &str, message: &[u8], fragment: Option<usize>, index: Option<usize>) -> Result<Stream, ProfileError> {
        let spec = profile.spec();
        if let Some(wants) = profile.shows().filter(|w| *w != ur_type) {
            return Err(ProfileError::WrongType { profile: spec.name, wants, found: ur_type.to_owned() });
        }
        let fragment = fragment.unwrap_or(spec.fragment).min(spec.max_fragment.unwrap_or(usize::MAX));
        let (shown_type, shown_message, kind) = match profile {
            Profile::Xaman => {
                let blob = one_blob("Xaman", message, index)?;
                ("xrpl-signed".to_owned(), message.to_vec(), StreamKind::Static(hex::encode_upper(blob)))
            }
            Profile::KeystoneXrpl => {
                let wrapped = crate::envelope::wrap_bytes(&one_blob("A Keystone-style tool", message, index)?);
                let encoder = UrEncoder::new("bytes", &wrapped, fragment)?;
                ("bytes".to_owned(), wrapped, StreamKind::Ur { encoder, shown_in_cycle: 0 })
            }
            _ => {
                let encoder = if spec.always_multipart { UrEncoder::new_multipart(ur_type, message, fragment)? } else { UrEncoder::new(ur_type, message, fragment)? };
                (ur_type.to_owned(), message.to_vec(), StreamKind::Ur { encoder, shown_in_cycle: 0 })
            }
        };
        Ok(Stream { spec, ur_type: shown_type, message: shown_message, fragment, kind })
    }

    pub fn spec(&self) -> &ProfileSpec {
        &self.spec
    }

    /// The UR type on screen (`bytes` for keystone-xrpl; the payload's for Xaman's hex).
    pub fn ur_type(&self) -> &str {
        &self.ur_type
    }

    /// The message on screen (for keystone-xrpl, the `bytes` message).
    pub fn message(&self) -> &[u8] {
        &self.message
    }

    pub fn fragment(&self) -> usize {
        self.fragment
    }

    /// One code that never changes (single-part UR or Xaman's hex).
    pub fn is_static(&self) -> bool {
        match &self.kind {
            StreamKind::Static(_) => true,
            StreamKind::Ur { encoder, .. } => encoder.seq_len() == 1 && (encoder.is_single_part() || self.spec.pure_loop),
        }
    }

    /// The plain parts of one cycle (1 for a static code).
    pub fn seq_len(&self) -> usize {
        match &self.kind {
            StreamKind::Static(_) => 1,
            StreamKind::Ur { encoder, .. } => encoder.seq_len(),
        }
    }

    /// The next text to show.
    pub fn next_text(&mut self) -> String {
        let (lowercase, pure_loop) = (self.spec.lowercase, self.spec.pure_loop);
        match &mut self.kind {
            StreamKind::Static(text) => text.clone(),
            StreamKind::Ur { encoder, shown_in_cycle } => {
                if pure_loop && *shown_in_cycle == encoder.seq_len() {
                    // Back to part 1: a pure-parts loop never shows a fountain part.
                    encoder.restart();
                    *shown_in_cycle = 0;
                }
                *shown_in_cycle += 1;
                let text = encoder.next_part();
                if lowercase {
                    text.to_ascii_lowercase()
                } else {
                    text
                }
            }
        }
    }

    /// The first `count` texts.
    pub fn texts(&mut self, count: usize) -> Vec<String> {
        (0..count).map(|_| self.next_text()).collect()
    }
}

/// What a camera running at `camera_fps` sees of a screen that plays `stream` at its
/// profile's rate: each text for as many camera frames as it stays on screen. Fed to the
/// virtual camera, this films "Cake's screen", "Feather's screen" or "ANONERO's screen".
pub fn as_filmed(mut stream: Stream, camera_fps: f64) -> impl Iterator<Item = String> {
    let per_text = (camera_fps / stream.spec().fps as f64).round().max(1.0) as usize;
    std::iter::from_fn(move || Some(stream.next_text())).flat_map(move |t| std::iter::repeat_n(t, per_text))
}

/// The signed blob of one transaction of an `xrpl-signed` payload.
fn one_blob(peer: &'static str, message: &[u8], index: Option<usize>) -> Result<Vec<u8>, ProfileError> {
    let p = XrplSignedPayload::from_cbor(message).map_err(|e| ProfileError::Payload(e.to_string()))?;
    let count = p.transactions.len();
    let i = match index {
        Some(i) => i,
        None if count == 1 => 1,
        None => return Err(ProfileError::OneAtATime { peer, count }),
    };
    p.transactions.get(i.wrapping_sub(1)).map(|t| t.blob.clone()).ok_or(ProfileError::NoSuchTransaction { index: i, count })
}

/// Whether a scanned text is a bare signed XRPL transaction as Xaman's detector sees one
/// (XRPL-Labs xumm-string-decode: 34 or more hex byte pairs, not hex of JSON), returning
/// its bytes when it also decodes as an XRPL transaction with a signature.
pub fn xrpl_signed_hex(text: &str) -> Option<Vec<u8>> {
    let t = text.trim();
    if t.len() < 68 || !t.len().is_multiple_of(2) || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let bytes = hex::decode(t).ok()?;
    if serde_json::from_slice::<serde_json::Value>(&bytes).is_ok() {
        return None;
    }
    let tx = crate::chain::xrpl::codec::decode(&bytes).ok()?;
    (tx.get("TxnSignature").is_some() || tx.get("Signers").is_some()).then_some(bytes)
}

/// Whether `text` is a UR part at all (any case), for routing.
pub fn is_ur(text: &str) -> bool {
    part::looks_like_ur(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_profile_has_a_name_that_parses_back() {
        for p in Profile::ALL {
            assert_eq!(Profile::parse(p.name()).unwrap(), p);
        }
        assert!(matches!(Profile::parse("nope"), Err(ProfileError::Unknown(_))));
    }

    #[test]
    fn cake_loops_the_plain_parts_lowercase_in_the_multipart_form() {
        let message = crate::envelope::wrap_bytes(&[9u8; 500]);
        let mut s = Stream::new(Profile::Cake, "bytes", &message, None, None).unwrap();
        let n = s.seq_len();
        assert!(n > 3);
        let texts = s.texts(3 * n);
        for (k, t) in texts.iter().enumerate() {
            assert!(t.starts_with(&format!("ur:bytes/{}-{n}/", k % n + 1)), "{t}");
        }
        // One part: still i-n.
        let mut one = Stream::new(Profile::Cake, "bytes", &crate::envelope::wrap_bytes(b"hi"), None, None).unwrap();
        assert!(one.next_text().starts_with("ur:bytes/1-1/"));
        assert!(one.is_static());
    }
}
