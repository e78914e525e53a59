//! Moving bytes across the air gap: UR parts (fountain-coded), QR symbols, camera frames.
//! Nothing here touches a network, a window or a camera device.
//!
//! ```
//! use airsign::transport::{UrDecoder, UrEncoder, TransportError};
//!
//! let message = airsign::envelope::wrap_bytes(&[7u8; 2000]); // a `bytes` UR message
//! let mut sender = UrEncoder::new("bytes", &message, 300).unwrap();
//! assert_eq!(sender.seq_len(), 7);
//!
//! // The receiver joins late: it sees fountain parts only, and one foreign QR code.
//! let mut receiver = UrDecoder::new(Some("bytes"));
//! assert_eq!(receiver.receive("https://example.com"), Err(TransportError::NotUr));
//! let mut shown = 0;
//! for part in sender.parts(40).into_iter().skip(10) {
//!     shown += 1;
//!     let progress = receiver.receive(&part).unwrap();
//!     if receiver.is_complete() {
//!         assert_eq!(progress.estimated_fraction, 1.0);
//!         break;
//!     }
//! }
//! assert_eq!(receiver.message(), Some(&message[..]));
//! assert!(shown < 20);
//! ```

pub mod demo;
pub mod fountain;
pub mod frames;
pub mod part;
pub mod player;
pub mod profile;
pub mod qr;
pub mod scan_hint;
pub mod scan_session;
pub mod ur_codec;
pub mod virtual_camera;
pub mod webcam;

pub use frames::{Frame, FrameError, FrameSource, ImageFolder};
pub use part::{Limits, TransferId, DEFAULT_MAX_MESSAGE_LEN};
pub use qr::{EcLevel, QrEngine};
pub use player::Player;
pub use profile::{Profile, ProfileError};
pub use scan_session::{ScanEvent, ScanSession, ScanStatus};
pub use virtual_camera::{Degradation, Scene, VirtualCamera};
pub use ur_codec::{Progress, UrDecoder, UrEncoder};

/// Why one scanned text, or one encode request, was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    #[error("not a UR: the QR code holds something else")]
    NotUr,
    #[error("malformed UR part: {0}")]
    Malformed(&'static str),
    #[error("corrupt UR part: {0}")]
    CorruptPart(&'static str),
    #[error("expected a UR of type '{expected}', got '{found}'")]
    WrongType { expected: String, found: String },
    #[error("this part belongs to another transfer than the one in progress")]
    OtherTransfer,
    #[error("message of {claimed} bytes is over the limit of {limit} bytes")]
    MessageTooLarge { claimed: usize, limit: usize },
    #[error("transfer of {claimed} fragments is over the limit of {limit}")]
    TooManyFragments { claimed: usize, limit: usize },
    #[error("transfer of {seq_len} fragments of {fragment_len} bytes would cost {work} bytes of decoding per part, over the limit of {limit}")]
    TooMuchWork { seq_len: usize, fragment_len: usize, work: usize, limit: usize },
    #[error("reassembled message fails its CRC-32; the transfer restarts")]
    ChecksumMismatch,
    #[error("cannot encode an empty message")]
    EmptyMessage,
    #[error("fragment length must be at least 1")]
    InvalidFragmentLen,
}
