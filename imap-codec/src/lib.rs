//! Zero-copy streaming decoder and encoder for IMAP (RFC 9051 IMAP4rev2,
//! RFC 3501 IMAP4rev1 and the extensions real servers speak), both
//! directions.
//!
//! This crate never does I/O. The [`framer::Framer`] takes bytes in any
//! chunking and hands out whole messages; the [`decode`] functions turn a
//! message into the types of `imapkit-proto`, borrowing strings and literals
//! from the input; [`Encode`] writes a message into a buffer of yours. The
//! framer and the decoders end every message and every literal at the same
//! byte: both follow the rules of [`imapkit_proto::lex`]. Raw bytes for
//! logs go through [`redact::Redacted`], which hides credentials.
//!
//! ```text
//!  bytes --> Framer --> Frame --> decode::response / decode::command --> Response<'_> / Command<'_>
//!                                                                            |
//!  bytes <------------------ encode(&msg, &mut buf) / encode_marked <--------+
//! ```
//!
//! ```
//! use imapkit_codec::{decode, Decoded, Encode};
//!
//! let input = b"A1 UID FETCH 1:* (FLAGS ENVELOPE)\r\n";
//! let Ok(Decoded::Complete { message, consumed }) = decode::command(input) else {
//!     panic!("a whole command")
//! };
//! assert_eq!(consumed, input.len());
//! assert_eq!(message.to_vec(), input);
//!
//! // Short input is not an error; a bad message is, with its offset.
//! assert_eq!(decode::command(&input[..10]), Ok(Decoded::Incomplete));
//! assert_eq!(decode::command(b"A1 FETCH 0 FLAGS\r\n").unwrap_err().offset, 9);
//! ```
#![warn(missing_docs, missing_debug_implementations)]

pub mod decode;
pub mod encode;
mod error;
pub mod framer;
#[doc(hidden)]
pub mod fuzzing;
mod lex;
pub mod redact;

pub use crate::decode::Decoded;
pub use crate::encode::{
    encode, encode_marked, encode_marked_with, encode_vectored, encode_vectored_with, Encode,
    LiteralMark, LiteralPolicy, Splice, Vectored, Writer, LITERAL_MINUS_MAX,
};
pub use crate::error::DecodeError;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
