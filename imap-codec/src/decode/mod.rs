//! Decoders: nom parsers over borrowed input, and the [`Decoded`] outcome.

mod command;
pub(crate) mod core;
#[cfg(test)]
pub(crate) mod edits;
pub(crate) mod fetch;
mod response;

pub use command::*;
pub use fetch::{decode_msg_att_list, MAX_BODY_DEPTH};
pub use response::*;

use imapkit_proto::{LiteralMode, Tag};

use crate::error::DecodeError;

/// The longest message the framer lends that is decoded with copies of
/// its strings (`FrameRef::decode_response_without_frame`,
/// `FrameRef::decode_command_without_frame`). Up to here a copy (an
/// allocation and a short `memcpy`, none for a string held inline) costs
/// about what sharing a slice of the frame costs (two atomic operations),
/// and leaving the message in the buffer saves the frame's own two; a
/// longer message may hold long strings, better shared. A kept copy also
/// holds on to its own few bytes only, where a slice holds the whole
/// buffer it was read into.
///
/// (Commands were first tried this way decoded borrowed and then copied:
/// no faster, 17 % more instructions. Decoded straight into copies, and
/// one-line commands only (an APPEND's literal stays shared), they are
/// faster: LIST 14 %, STATUS 11 %, UID STORE 8 %, `benches/RESULTS.md`.)
pub(crate) const COPY_AT_MOST: usize = 256;

/// The outcome of decoding a message from the front of some input.
///
/// Short input is never an error: it is [`Decoded::Incomplete`] or
/// [`Decoded::LiteralAnnounced`].
#[must_use]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded<'a, T> {
    /// A whole message, which used the first `consumed` bytes of the input.
    Complete {
        /// The message.
        message: T,
        /// How many bytes it used.
        consumed: usize,
    },
    /// More bytes are needed; append and decode again.
    Incomplete,
    /// The input ends inside a literal whose header `{len}\r\n` is complete.
    /// For a synchronizing literal the peer waits for a continuation request
    /// (`+`) before it sends the data.
    LiteralAnnounced {
        /// The tag of the command the literal belongs to (commands only).
        tag: Option<Tag<'a>>,
        /// The announced length.
        len: u32,
        /// Synchronizing or not.
        mode: LiteralMode,
    },
}

impl<'a, T> Decoded<'a, T> {
    /// The message if complete.
    pub fn complete(self) -> Option<(T, usize)> {
        match self {
            Decoded::Complete { message, consumed } => Some((message, consumed)),
            _ => None,
        }
    }
}

/// What went wrong inside a parser; turned into a [`DecodeError`] or
/// [`Decoded::LiteralAnnounced`] at the top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    Nom(nom::error::ErrorKind),
    Expected(&'static str),
    Literal { len: u32, mode: LiteralMode },
}

/// A parser error: where (the rest of the input) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PError<'a> {
    pub(crate) input: &'a [u8],
    pub(crate) kind: Kind,
}

impl<'a> nom::error::ParseError<&'a [u8]> for PError<'a> {
    fn from_error_kind(input: &'a [u8], kind: nom::error::ErrorKind) -> Self {
        PError {
            input,
            kind: Kind::Nom(kind),
        }
    }

    fn append(_: &'a [u8], _: nom::error::ErrorKind, other: Self) -> Self {
        other
    }

    fn or(self, other: Self) -> Self {
        // Keep the error that got further into the input.
        if other.input.len() <= self.input.len() {
            other
        } else {
            self
        }
    }
}

impl<'a> nom::error::ContextError<&'a [u8]> for PError<'a> {
    fn add_context(_: &'a [u8], ctx: &'static str, mut other: Self) -> Self {
        if let Kind::Nom(_) = other.kind {
            other.kind = Kind::Expected(ctx);
        }
        other
    }
}

impl<'a, E> nom::error::FromExternalError<&'a [u8], E> for PError<'a> {
    fn from_external_error(input: &'a [u8], kind: nom::error::ErrorKind, _: E) -> Self {
        PError {
            input,
            kind: Kind::Nom(kind),
        }
    }
}

/// The result type of every parser in this crate.
pub(crate) type IResult<'a, O> = nom::IResult<&'a [u8], O, PError<'a>>;

/// An error at `input` saying what was expected.
pub(crate) fn fail<'a, O>(input: &'a [u8], what: &'static str) -> IResult<'a, O> {
    Err(nom::Err::Error(PError {
        input,
        kind: Kind::Expected(what),
    }))
}

/// Like [`fail`], but stops `alt` from trying other branches.
pub(crate) fn cut_fail<'a, O>(input: &'a [u8], what: &'static str) -> IResult<'a, O> {
    Err(nom::Err::Failure(PError {
        input,
        kind: Kind::Expected(what),
    }))
}

/// Runs a top-level parser and maps its outcome onto [`Decoded`].
#[inline]
pub(crate) fn run<'a, T>(
    input: &'a [u8],
    tag: Option<Tag<'a>>,
    parser: impl FnOnce(&'a [u8]) -> IResult<'a, T>,
) -> Result<Decoded<'a, T>, DecodeError> {
    match parser(input) {
        Ok((rest, message)) => Ok(Decoded::Complete {
            message,
            consumed: input.len() - rest.len(),
        }),
        Err(nom::Err::Incomplete(_)) => Ok(Decoded::Incomplete),
        Err(nom::Err::Error(e)) | Err(nom::Err::Failure(e)) => {
            let (len, mode) = literal_or_error(input, e)?;
            Ok(Decoded::LiteralAnnounced { tag, len, mode })
        }
    }
}

/// What a parser's error at the top means: the input ends in a literal
/// (its length and mode, `Ok`), or a [`DecodeError`] at its offset in `input`.
#[inline]
fn literal_or_error<'a>(input: &'a [u8], e: PError<'a>) -> Result<(u32, LiteralMode), DecodeError> {
    let offset = input.len() - e.input.len();
    match e.kind {
        Kind::Literal { len, mode } => Ok((len, mode)),
        Kind::Expected(reason) => Err(DecodeError { offset, reason }),
        Kind::Nom(k) => Err(DecodeError {
            offset,
            reason: nom_reason(k),
        }),
    }
}

/// Why a whole message (a frame) does not decode when it ends before the
/// message does.
pub(crate) const ENDS_EARLY: &str = "message ends early";
/// Why a whole message does not decode when bytes follow its end.
pub(crate) const BYTES_AFTER: &str = "bytes after the end of the message";

/// [`run`] on a whole message, which must use every byte: the message, or
/// the error `Frame::decode_*` reports (a message that ends early, inside
/// a literal too, ends early at its end). One step, without the
/// [`Decoded`] in between: the message is moved once less.
#[inline]
pub(crate) fn run_whole<'a, T>(
    input: &'a [u8],
    parser: impl FnOnce(&'a [u8]) -> IResult<'a, T>,
) -> Result<T, DecodeError> {
    match parser(input) {
        Ok(([], message)) => Ok(message),
        Ok((rest, _)) => Err(DecodeError {
            offset: input.len() - rest.len(),
            reason: BYTES_AFTER,
        }),
        Err(e) => Err(whole_error(input, e)),
    }
}

/// The error [`run_whole`] reports for a parser's error `e` on `input`.
#[cold]
pub(crate) fn whole_error<'a>(input: &'a [u8], e: nom::Err<PError<'a>>) -> DecodeError {
    let ends_early = DecodeError {
        offset: input.len(),
        reason: ENDS_EARLY,
    };
    match e {
        nom::Err::Incomplete(_) => ends_early,
        nom::Err::Error(e) | nom::Err::Failure(e) => match literal_or_error(input, e) {
            Ok(_) => ends_early,
            Err(e) => e,
        },
    }
}

fn nom_reason(k: nom::error::ErrorKind) -> &'static str {
    use nom::error::ErrorKind as K;
    match k {
        K::Tag => "unexpected token",
        K::Digit => "expected a number",
        K::CrLf => "expected CRLF",
        K::Char => "unexpected character",
        K::Alt => "no alternative matched",
        K::TakeWhile1 => "expected at least one character",
        _ => "syntax error",
    }
}
