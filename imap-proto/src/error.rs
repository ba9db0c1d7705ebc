//! Errors of validated constructors.

/// A value that the grammar does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// The value must not be empty.
    #[error("{what} must not be empty")]
    Empty {
        /// What was being built.
        what: &'static str,
    },
    /// A byte the value cannot hold.
    #[error("{what} cannot hold byte 0x{byte:02x} (at {at})")]
    InvalidByte {
        /// What was being built.
        what: &'static str,
        /// The byte.
        byte: u8,
        /// Its offset.
        at: usize,
    },
    /// A number or field out of its range.
    #[error("{what} out of range")]
    OutOfRange {
        /// What was being built.
        what: &'static str,
    },
    /// Any other rule of the grammar.
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// What was being built.
        what: &'static str,
        /// Which rule was broken.
        reason: &'static str,
    },
}
