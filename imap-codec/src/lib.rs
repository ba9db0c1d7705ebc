//! Zero-copy streaming decoder and encoder for IMAP (RFC 9051 IMAP4rev2,
//! RFC 3501 IMAP4rev1 and the extensions real servers speak), both
//! directions.
//!
//! This crate never does I/O. The [`framer::Framer`] takes bytes in any
//! chunking and hands out whole messages, split off its buffer as a
//! [`framer::Frame`] (whose owned values share its bytes:
//! `Frame::into_response`) or lent where they lie
//! ([`framer::Framer::poll_lent`], for a caller that keeps nothing of a
//! message: no `Bytes` per message, no reference count); the [`decode`] functions
//! turn a message into the types of `imapkit-proto`, borrowing strings and
//! literals from the input; [`Encode`] writes a message into a buffer of yours (the
//! encoders live in `imapkit-proto`, so that messages can implement
//! `Display` as their wire form, and are re-exported here as [`encode`](mod@encode)).
//! The framer and the decoders end every message and every literal at the
//! same byte: both follow the rules of [`imapkit_proto::lex`]. Raw bytes for
//! logs go through [`redact::Redacted`], which hides credentials.
//!
//! ```text
//!  bytes --> Framer --> Frame --> decode::response / decode::command --> Response<'_> / Command<'_>
//!                                                                            |
//!  bytes <---------- encode_fragments(&msg, &mut buf, &options) / encode <---+
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
mod error;
pub mod framer;
#[doc(hidden)]
pub mod fuzzing;
mod lex;
pub mod redact;
mod swar;

pub use crate::decode::Decoded;
pub use crate::error::DecodeError;
pub use imapkit_proto::encode;
pub use imapkit_proto::encode::{
    encode, encode_fragments, encode_marked, encode_marked_with, encode_vectored,
    encode_vectored_for, encode_vectored_with, encode_with, Encode, EncodeOptions, Fragment,
    Fragments, LiteralMark, LiteralPolicy, Splice, Vectored, Writer, LITERAL_MINUS_MAX,
};
