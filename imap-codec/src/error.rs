//! Decoding errors.

/// Why a message cannot be decoded: no bytes appended to the input could make it valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason} at byte {offset}")]
pub struct DecodeError {
    /// Offset into the input where decoding failed.
    pub offset: usize,
    /// What the decoder expected there.
    pub reason: &'static str,
}
