//! What a [`Framer`](super::Framer) reports: frames, literal events, errors, counters.

use std::fmt;

use bytes::Bytes;
use imapkit_proto::{LiteralMode, Tag};

/// One event of a [`Framer`](super::Framer), in stream order.
///
/// For one message the events are, in this order: for each of its literals
/// `LiteralAnnounced` (if [announced](super::FramerConfig::announce_literals)),
/// then, if the literal is streamed, `LiteralStart`, one or more
/// `LiteralChunk`s and `LiteralEnd`; finally `Frame`. An `Error` replaces the
/// rest of a message's events. The sequence does not depend on how the input
/// was split into [`push`](super::Framer::push) calls.
///
/// `Debug` never prints message bytes (they may hold credentials).
#[derive(Clone, PartialEq, Eq)]
pub enum FrameEvent {
    /// A complete message.
    Frame(Frame),
    /// A line of the current message ended with a literal header; its data
    /// comes next (its bytes may or may not have arrived yet: the event is
    /// reported for every literal, so that the events do not depend on the
    /// chunking).
    ///
    /// A server answers a synchronizing literal ([`LiteralMode::Sync`]) with
    /// a continuation request `+`, or refuses it with a tagged NO or BAD and
    /// calls [`Framer::reject_literal`](super::Framer::reject_literal): the
    /// client then does not send the data (RFC 9051 §4.3, §7.6). A
    /// non-synchronizing literal ([`LiteralMode::NonSync`], RFC 7888) needs
    /// no answer; a server enforcing LITERAL- (at most 4096 bytes) rejects a
    /// longer one and the framer then skips its data.
    ///
    /// The command's tag, to answer with, is
    /// [`Framer::current_tag`](super::Framer::current_tag) until the next
    /// call of [`poll_event`](super::Framer::poll_event): the event does not
    /// carry a copy of it, so that announcing a literal allocates nothing.
    LiteralAnnounced {
        /// The announced length.
        len: u64,
        /// `{n}` (sync) or `{n+}` (non-sync).
        mode: LiteralMode,
        /// `~{n}`: a `literal8` (RFC 3516, RFC 9051 §9), may hold NUL.
        binary: bool,
        /// The command is APPEND, so `max_append_literal` applied.
        append: bool,
        /// Stream offset of the literal's first data byte.
        offset: u64,
    },
    /// A streamed literal begins (its length is above
    /// [`stream_literals_above`](super::FramerConfig::stream_literals_above)):
    /// its data follows as [`LiteralChunk`](Self::LiteralChunk)s, then
    /// [`LiteralEnd`](Self::LiteralEnd), then the rest of the message.
    /// [`Framer::streaming_head`](super::Framer::streaming_head) shows the
    /// message up to here.
    LiteralStart {
        /// The announced length (the sum of the chunks' lengths).
        len: u64,
        /// `{n}` or `{n+}`.
        mode: LiteralMode,
        /// `~{n}`.
        binary: bool,
        /// Stream offset of the literal's first data byte.
        offset: u64,
    },
    /// Data of a streamed literal: exactly
    /// [`stream_chunk`](super::FramerConfig::stream_chunk) bytes, or fewer
    /// for the last chunk. Split off the framer's buffer without copying.
    LiteralChunk(Bytes),
    /// The last chunk of the streamed literal has been reported.
    LiteralEnd,
    /// A message broke a limit or the framing; the framer skips the rest of
    /// it (see [`FrameError`]) and goes on with the next one.
    Error(FrameError),
}

/// One complete message: every line with its CRLF and every literal.
///
/// If the message had streamed literals (`streamed_literals > 0`), each of
/// them is left out of `bytes`, and the digits of its header are overwritten
/// with `0`s (`{1048576}` becomes `{0000000}`, `~{70000+}` becomes
/// `~{00000+}`): the frame decodes as the message with an empty literal in
/// each streamed literal's place, and keeps the header's length in bytes.
/// The data went out earlier as [`FrameEvent::LiteralChunk`]s, in order.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Frame {
    /// The message, split off the framer's buffer without copying (a message
    /// with streamed literals is reassembled with one copy of its other bytes).
    pub bytes: Bytes,
    /// Stream offset of its first byte.
    pub offset: u64,
    /// How many of its literals were streamed (0 for most messages).
    pub streamed_literals: u32,
    /// For each streamed literal: the position in `bytes` where its data
    /// was left out, and the data's length (see [`Frame::stream_offset`]).
    pub(crate) gaps: Gaps,
}

/// Where the data of a message's streamed literals was left out of its
/// bytes, and how long it was: one pointer, allocated only for a message
/// that had one (most have none, and a frame is moved for every message).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
// One word in every frame (a `Vec` would be three), allocated only for a
// message with a streamed literal.
#[allow(clippy::box_collection)]
pub(crate) struct Gaps(Option<Box<Vec<(usize, u64)>>>);

impl Gaps {
    /// No gap.
    pub(crate) const NONE: Self = Self(None);

    /// A literal's `len` bytes left out at `at`.
    pub(crate) fn push(&mut self, at: usize, len: u64) {
        self.0.get_or_insert_with(Box::default).push((at, len));
    }

    /// The gaps, in order.
    pub(crate) fn as_slice(&self) -> &[(usize, u64)] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }
}

impl Frame {
    /// The stream offset of the frame's byte at `at`, e.g. a
    /// [`DecodeError`](crate::DecodeError)'s offset: [`Frame::offset`]
    /// plus `at`, plus the length of every streamed literal whose data was
    /// left out of `bytes` before that byte. Without streamed literals it
    /// is `offset + at`.
    ///
    /// ```
    /// use imapkit_codec::framer::{Direction, FrameEvent, Framer, FramerConfig};
    ///
    /// let mut config = FramerConfig::new(Direction::ServerToClient);
    /// config.stream_literals_above = Some(4);
    /// let mut framer = Framer::new(config);
    /// let stream = b"* 1 FETCH (BODY[] {10}\r\n0123456789 UID 0)\r\n";
    /// framer.push(stream);
    /// while let Some(event) = framer.poll_event() {
    ///     if let FrameEvent::Frame(frame) = event {
    ///         let e = frame.decode_response().unwrap_err();
    ///         // `UID 0`: the error is at the `0`, after the streamed data.
    ///         assert_eq!(stream[frame.stream_offset(e.offset) as usize], b'0');
    ///         assert_eq!(frame.stream_offset(e.offset), frame.offset + e.offset as u64 + 10);
    ///     }
    /// }
    /// ```
    pub fn stream_offset(&self, at: usize) -> u64 {
        stream_offset(self.offset, self.gaps.as_slice(), at)
    }
}

/// [`Frame::stream_offset`] of a message at `offset` with `gaps`.
pub(super) fn stream_offset(offset: u64, gaps: &[(usize, u64)], at: usize) -> u64 {
    let left_out: u64 = gaps
        .iter()
        .take_while(|&&(pos, _)| pos <= at)
        .map(|&(_, len)| len)
        .sum();
    offset + at as u64 + left_out
}

impl fmt::Debug for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Frame")
            .field("len", &self.bytes.len())
            .field("offset", &self.offset)
            .field("streamed_literals", &self.streamed_literals)
            .finish()
    }
}

/// A message the framer could not frame.
///
/// After it the framer skips the rest of the offending message without
/// buffering it: to the end of the current line, and past the data of a
/// literal announced at that line's end, line by line, until a line ends
/// without a literal. A synchronizing literal in a command is not skipped:
/// the client waits for a `+` that does not come (the caller answers the
/// error with a tagged BAD or NO), so the next bytes are a new command.
/// Messages framed before stay valid.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} (message at byte {offset}, detected at byte {at})")]
#[non_exhaustive]
pub struct FrameError {
    /// What went wrong, naming the limit.
    pub kind: FrameErrorKind,
    /// Stream offset of the offending message's first byte (= `raw[0]`).
    pub offset: u64,
    /// Stream offset of the byte at which the error was detected: the last
    /// byte of `raw`.
    pub at: u64,
    /// The message as far as it was framed: from its first byte through the
    /// byte at `at` (streamed literal data left out as in a [`Frame`]).
    /// Bounded by the limit that was broken.
    ///
    /// It may hold credentials (a LOGIN command that broke a limit): the
    /// `Display` and `Debug` of this error never show it; to print it, use
    /// [`Redacted`](crate::redact::Redacted).
    pub raw: Bytes,
}

impl FrameError {
    /// The offending message's first token if it is a valid tag: for a
    /// command, the tag to answer with a tagged BAD (shares `raw`, no copy).
    pub fn tag(&self) -> Option<Tag<'static>> {
        let end = memchr::memchr(b' ', &self.raw).unwrap_or(self.raw.len());
        let token = &self.raw[..end];
        let valid =
            !token.is_empty() && token.iter().all(|&b| imapkit_proto::chars::is_tag_char(b));
        valid.then(|| Tag::unvalidated(self.raw.slice(..end)))
    }
}

impl fmt::Debug for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrameError")
            .field("kind", &self.kind)
            .field("offset", &self.offset)
            .field("at", &self.at)
            .field("raw_len", &self.raw.len())
            .finish()
    }
}

/// Why a message could not be framed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameErrorKind {
    /// `max_line + 2` bytes of a line arrived without a line end, or a line
    /// is longer than `max_line` bytes (not counting CRLF).
    /// Detected at byte `max_line + 2` of the line, or at its LF.
    #[error("line exceeds limit of {limit} bytes")]
    LineTooLong {
        /// `max_line`.
        limit: usize,
    },
    /// A literal header announced more than `max_literal` (or
    /// `max_append_literal`) bytes. Detected at the header's LF.
    #[error("literal of {len} bytes exceeds limit {limit}")]
    LiteralTooLarge {
        /// The announced length (saturated at `u64::MAX`).
        len: u64,
        /// The limit that applied.
        limit: u64,
        /// Whether it was the APPEND limit.
        append: bool,
    },
    /// The message would need more than `max_message` bytes of buffer.
    /// Detected at its byte `max_message + 1`, or at the LF of a literal
    /// header whose data would not fit.
    #[error("message exceeds limit of {limit} bytes")]
    MessageTooLong {
        /// `max_message`.
        limit: usize,
    },
    /// Parentheses nested deeper than `max_depth`. Detected at the `(`.
    #[error("parentheses nested deeper than limit {limit}")]
    TooDeep {
        /// `max_depth`.
        limit: u32,
    },
    /// A list holds more than `max_list_items` items: the top level of the
    /// message (at least 2 items pass there) or a parenthesised list.
    /// Detected at the first byte of the first item too many.
    #[error("list holds more items than limit {limit}")]
    TooManyItems {
        /// `max_list_items`.
        limit: u32,
    },
    /// A LF without CR ended a line (and `lenient_lf` is off). Detected at
    /// the LF, which ends the offending line.
    #[error("line ends with a bare LF")]
    BareLf,
}

/// Counters of a [`Framer`](super::Framer).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct FramerStats {
    /// Bytes handed to [`push`](super::Framer::push).
    pub pushed: u64,
    /// Bytes that left the buffer: framed, streamed or skipped. The stream
    /// offset of the first byte still buffered.
    pub consumed: u64,
    /// Complete messages ([`FrameEvent::Frame`]).
    pub frames: u64,
    /// Literals whose data was framed or streamed.
    pub literals: u64,
    /// Literal data bytes framed or streamed.
    pub literal_bytes: u64,
    /// Errors ([`FrameEvent::Error`]).
    pub errors: u64,
    /// Bytes dropped: erroneous and rejected messages, including the bytes
    /// handed out in [`FrameError::raw`], and [`discard_buffered`](super::Framer::discard_buffered).
    pub discarded: u64,
}

impl fmt::Debug for FrameEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Frame(frame) => f.debug_tuple("Frame").field(frame).finish(),
            Self::LiteralAnnounced {
                len,
                mode,
                binary,
                append,
                offset,
            } => f
                .debug_struct("LiteralAnnounced")
                .field("len", len)
                .field("mode", mode)
                .field("binary", binary)
                .field("append", append)
                .field("offset", offset)
                .finish(),
            Self::LiteralStart {
                len,
                mode,
                binary,
                offset,
            } => f
                .debug_struct("LiteralStart")
                .field("len", len)
                .field("mode", mode)
                .field("binary", binary)
                .field("offset", offset)
                .finish(),
            Self::LiteralChunk(chunk) => write!(f, "LiteralChunk({} bytes)", chunk.len()),
            Self::LiteralEnd => f.write_str("LiteralEnd"),
            Self::Error(e) => f.debug_tuple("Error").field(e).finish(),
        }
    }
}
