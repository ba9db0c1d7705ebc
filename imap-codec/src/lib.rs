//! Zero-copy streaming decoder and encoder for IMAP (RFC 9051, RFC 3501).
#![warn(missing_docs, missing_debug_implementations)]

pub mod decode;
pub mod encode;
mod error;
pub mod framer;
#[doc(hidden)]
pub mod fuzzing;

pub use crate::decode::Decoded;
pub use crate::encode::{encode, encode_marked, Encode, LiteralMark, Writer};
pub use crate::error::DecodeError;
