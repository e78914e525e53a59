//! Pull-style UR encoder and push-style UR decoder (no I/O inside).

use super::fountain::{Absorbed, FountainDecoder};
use super::part::{self, Limits, ParsedPart, TransferId};
use super::TransportError;


/// Emits a message as UR parts: one single-part UR when it fits a fragment, else seqLen
/// plain fragments followed by fountain parts for as long as the caller asks.
pub struct UrEncoder {
    ur_type: String,
    kind: EncoderKind,
    /// Kept to start the sequence again from part 1 ([`UrEncoder::restart`]).
    message: Vec<u8>,
    max_fragment_len: usize,
}

enum EncoderKind {
    Single(String),
    Multi(ur::fountain::Encoder),
}

impl UrEncoder {
    pub fn new(ur_type: &str, message: &[u8], max_fragment_len: usize) -> Result<Self, TransportError> {
        Self::build(ur_type, message, max_fragment_len, false)
    }

    /// Always the multi-part form `ur:type/i-n/...`, even when one part holds the message
    /// (`1-1`): what scanners that read only that form need (Cake Wallet's).
    pub fn new_multipart(ur_type: &str, message: &[u8], max_fragment_len: usize) -> Result<Self, TransportError> {
        Self::build(ur_type, message, max_fragment_len, true)
    }

    fn build(ur_type: &str, message: &[u8], max_fragment_len: usize, multipart: bool) -> Result<Self, TransportError> {
        if !part::is_valid_type(ur_type) {
            return Err(TransportError::Malformed("UR type must be lowercase letters, digits and '-'"));
        }
        if message.is_empty() {
            return Err(TransportError::EmptyMessage);
        }
        if max_fragment_len == 0 {
            return Err(TransportError::InvalidFragmentLen);
        }
        if message.len() > u32::MAX as usize {
            return Err(TransportError::MessageTooLarge { claimed: message.len(), limit: u32::MAX as usize });
        }
        let kind = if message.len() <= max_fragment_len && !multipart {
            EncoderKind::Single(part::format_single(ur_type, message))
        } else {
            let enc = ur::fountain::Encoder::new(message, max_fragment_len)
                .map_err(|_| TransportError::InvalidFragmentLen)?;
            EncoderKind::Multi(enc)
        };
        Ok(Self { ur_type: ur_type.to_owned(), kind, message: message.to_vec(), max_fragment_len })
    }

    /// Starts again from the first plain part (for a loop of the plain parts only).
    pub fn restart(&mut self) {
        if let EncoderKind::Multi(enc) = &mut self.kind {
            if let Ok(fresh) = ur::fountain::Encoder::new(&self.message, self.max_fragment_len) {
                *enc = fresh;
            }
        }
    }

    /// Number of fragments; 1 for a single-part UR.
    pub fn seq_len(&self) -> usize {
        match &self.kind {
            EncoderKind::Single(_) => 1,
            EncoderKind::Multi(enc) => enc.fragment_count(),
        }
    }

    pub fn is_single_part(&self) -> bool {
        matches!(self.kind, EncoderKind::Single(_))
    }

    pub fn ur_type(&self) -> &str {
        &self.ur_type
    }

    /// The next part, uppercase. A single-part UR repeats itself.
    pub fn next_part(&mut self) -> String {
        match &mut self.kind {
            EncoderKind::Single(text) => text.clone(),
            EncoderKind::Multi(enc) => {
                let p = enc.next_part();
                let cbor = minicbor::to_vec(&p).unwrap_or_default();
                part::format_multi(&self.ur_type, enc.current_sequence(), enc.fragment_count(), &cbor)
            }
        }
    }

    /// The first `count` parts.
    pub fn parts(&mut self, count: usize) -> Vec<String> {
        (0..count).map(|_| self.next_part()).collect()
    }
}

/// How far a transfer has got.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Progress {
    /// Parts accepted for this transfer (duplicates included).
    pub parts_received: usize,
    /// Parts that added information.
    pub parts_useful: usize,
    /// Fragments known exactly.
    pub fragments_resolved: usize,
    /// seqLen; 0 until the first part arrives.
    pub fragments_total: usize,
    /// Independent equations held divided by seqLen: complete at 1.0. Unlike resolved
    /// fragments, it never stalls while fountain parts are still being combined.
    pub estimated_fraction: f64,
}

/// Collects parts, pushed in any order, into one message.
pub struct UrDecoder {
    expected_type: Option<String>,
    limits: Limits,
    ur_type: Option<String>,
    transfer: Option<FountainDecoder>,
    parts_received: usize,
    parts_useful: usize,
    message: Option<Vec<u8>>,
}

impl Default for UrDecoder {
    fn default() -> Self {
        Self::new(None)
    }
}

impl UrDecoder {
    /// `expected_type`: refuse parts of any other UR type.
    pub fn new(expected_type: Option<&str>) -> Self {
        Self {
            expected_type: expected_type.map(str::to_owned),
            limits: Limits::default(),
            ur_type: None,
            transfer: None,
            parts_received: 0,
            parts_useful: 0,
            message: None,
        }
    }

    pub fn with_max_message_len(mut self, limit: usize) -> Self {
        self.limits.max_message_len = limit;
        self
    }

    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Pushes one scanned text. An error concerns that text alone: the transfer in progress
    /// keeps its state (except a CRC mismatch on completion, which cannot say which part lied
    /// and so restarts the transfer).
    pub fn receive(&mut self, text: &str) -> Result<Progress, TransportError> {
        let parsed = part::parse(text, self.limits)?;
        if let Some(expected) = &self.expected_type {
            if parsed.ur_type() != expected {
                return Err(TransportError::WrongType { expected: expected.clone(), found: parsed.ur_type().to_owned() });
            }
        }
        if let Some(current) = &self.ur_type {
            if parsed.ur_type() != current {
                return Err(TransportError::OtherTransfer);
            }
        }
        match parsed {
            ParsedPart::Single { ur_type, message } => self.receive_single(ur_type, message),
            ParsedPart::Multi { ur_type, part } => {
                if self.message.is_some() {
                    // After completion only parts of the same transfer are welcome.
                    let same = self.transfer.as_ref().is_some_and(|t| t.id() == part.id);
                    if !same {
                        return Err(TransportError::OtherTransfer);
                    }
                    self.parts_received += 1;
                    return Ok(self.progress());
                }
                let transfer = match &mut self.transfer {
                    Some(t) if t.id() != part.id => return Err(TransportError::OtherTransfer),
                    Some(t) => t,
                    None => self.transfer.insert(FountainDecoder::new(part.id)),
                };
                self.ur_type.get_or_insert(ur_type);
                self.parts_received += 1;
                if transfer.absorb(&part) == Absorbed::Innovative {
                    self.parts_useful += 1;
                }
                if let Some(message) = transfer.message() {
                    if crc32fast::hash(&message) != transfer.id().checksum {
                        self.reset();
                        return Err(TransportError::ChecksumMismatch);
                    }
                    self.message = Some(message);
                }
                Ok(self.progress())
            }
        }
    }

    fn receive_single(&mut self, ur_type: String, message: Vec<u8>) -> Result<Progress, TransportError> {
        match (&self.message, &self.transfer) {
            (Some(done), None) if *done == message => {}
            (None, None) => {
                self.ur_type = Some(ur_type);
                self.message = Some(message);
                self.parts_useful += 1;
            }
            _ => return Err(TransportError::OtherTransfer),
        }
        self.parts_received += 1;
        Ok(self.progress())
    }

    pub fn is_complete(&self) -> bool {
        self.message.is_some()
    }

    /// The type of the transfer in progress, once a part has been accepted.
    pub fn ur_type(&self) -> Option<&str> {
        self.ur_type.as_deref()
    }

    /// The message, CRC-checked, once complete.
    pub fn message(&self) -> Option<&[u8]> {
        self.message.as_deref()
    }

    pub fn transfer_id(&self) -> Option<TransferId> {
        self.transfer.as_ref().map(|t| t.id())
    }

    pub fn progress(&self) -> Progress {
        let (resolved, total, fraction) = match (&self.transfer, &self.message) {
            (_, Some(_)) => {
                let n = self.transfer.as_ref().map_or(1, |t| t.id().seq_len as usize);
                (n, n, 1.0)
            }
            (Some(t), None) => {
                let n = t.id().seq_len as usize;
                (t.resolved_fragments(), n, t.rank() as f64 / n as f64)
            }
            (None, None) => (0, 0, 0.0),
        };
        Progress {
            parts_received: self.parts_received,
            parts_useful: self.parts_useful,
            fragments_resolved: resolved,
            fragments_total: total,
            estimated_fraction: fraction,
        }
    }

    /// Forget the transfer in progress (the expected type and limits stay).
    pub fn reset(&mut self) {
        *self = Self { expected_type: self.expected_type.take(), ..Self::new(None) }.with_limits(self.limits);
    }
}
