//! The `stream/*` contestants: each crate's own streaming path over a byte
//! stream that arrives in reads of a given size, the way its users run it.
//!
//! - ours: what the `Client` does (`imap-state/src/client/mod.rs`,
//!   `read_buf`, `handle_read` and `process_frames`): each read is made
//!   into the [`Framer`]'s own buffer ([`Framer::read_buf`], then
//!   [`Framer::push_buf`]; the copy from the input stands for the socket's
//!   read), and each message is lent ([`Framer::poll_lent`]). The
//!   responses that hold no bytes of the message (`* 3 EXISTS`, `* 5
//!   EXPUNGE`, `* 0 RECENT`, `* SEARCH ...`) and short status and FETCH
//!   responses (their strings copied) are decoded where they lie
//!   (`FrameRef::decode_response_without_frame`), and the loan is
//!   released (`FrameRef::release`: the framer keeps the bytes, for a
//!   violation's `raw`, until the next read); any other is
//!   taken out of the buffer (`FrameRef::into_frame`) and decoded with
//!   `Frame::decode_response_shared` into a value that owns its data
//!   (strings and literals are slices of the frame, not copies). Commands,
//!   as the `Server` does (`imap-state/src/server/input.rs`, `process`):
//!   each lent, a command of one line of at most 256 bytes decoded where
//!   it lies with copies of its strings
//!   (`FrameRef::decode_command_without_frame`) and released, any other
//!   (a literal: an APPEND) taken out and decoded by
//!   `Frame::decode_command_shared`.
//! - ours, lent: the framer's lending path ([`Framer::poll_lent`]): each
//!   whole message is decoded borrowed where it lies in the framer's
//!   buffer (`FrameRef::decode_response`, `decode_command`) and dropped,
//!   as a caller does that keeps nothing of it (the trace decoder
//!   `imap-decode`); no `Bytes` per message or string. The `Client` and
//!   the `Server` do not use it: their events own their data.
//! - imap-proto 0.17: what async-imap does: keep a buffer, run
//!   `Response::parse` from the start of the first unparsed message; on
//!   `Incomplete`, read more and parse that message again from its start.
//! - imap-codec 2.0 (alpha): what imap-next does: the `Fragmentizer` finds
//!   the message's lines and literals, `decode_message` decodes it whole, and
//!   `into_static` makes it owned.
//! - imap-codec 1.0 has no fragmentizer: its users retry `Decoder::decode`
//!   from the start of the message on `Incomplete` (or `LiteralFound`), as
//!   with imap-proto, and use the value borrowed from their buffer.
//!
//! Every side hands each decoded value to `black_box` by reference, where
//! the decoder returned it, and then drops it, so that no side pays for
//! moving its value into `black_box` or out of its `Result` first.
//! Every function returns the number of messages decoded, so that the bench
//! setup can check that each side decodes every message at every read size.

use std::hint::black_box;

use imapkit_codec::framer::{Direction, FrameEvent, FrameRef, Framer, FramerConfig, Lent};

use crate::inputs::{self, Input};
use crate::reads::Reads;
use crate::sides::StreamError;

/// A side's streaming function: the stream's reads (a slice's,
/// `reads::SliceReads`, or a file's, `reads::ReaderReads`) and the read
/// size; the number of messages decoded.
pub type StreamFn = fn(&mut dyn Reads, usize) -> Result<usize, StreamError>;

/// Who runs a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamSide {
    /// This workspace: framer and decoder, values made owned.
    Ours,
    /// This workspace: messages lent by the framer, decoded borrowed.
    OursLent,
    /// imap-proto 0.17, retried from the start of the message.
    ImapProto,
    /// imap-codec 1.0, retried from the start of the message.
    ImapCodec1,
    /// imap-codec 2.0 (alpha): `Fragmentizer`, decoder, `into_static`.
    ImapCodec2,
}

impl StreamSide {
    /// The name in benchmark ids and tables.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ours => "ours",
            Self::OursLent => "ours-lent",
            Self::ImapProto => "imap-proto-0.17",
            Self::ImapCodec1 => "imap-codec-1.0",
            Self::ImapCodec2 => "imap-codec-2.0-alpha",
        }
    }

    /// The side's function for a `stream/*` group (commands for
    /// `stream/client_mix`, responses otherwise).
    ///
    /// # Panics
    /// For imap-proto on commands (it has no command parser).
    pub fn function(self, group: &str) -> StreamFn {
        let commands = group == "stream/client_mix";
        match (self, commands) {
            (Self::Ours, false) => ours_responses,
            (Self::Ours, true) => ours_commands,
            (Self::OursLent, false) => ours_lent_responses,
            (Self::OursLent, true) => ours_lent_commands,
            (Self::ImapProto, false) => imap_proto_responses,
            (Self::ImapProto, true) => panic!("imap-proto 0.17 has no command parser"),
            (Self::ImapCodec1, false) => imap_codec_1_responses,
            (Self::ImapCodec1, true) => imap_codec_1_commands,
            (Self::ImapCodec2, false) => imap_codec_2_responses,
            (Self::ImapCodec2, true) => imap_codec_2_commands,
        }
    }
}

/// All sides.
const ALL: &[StreamSide] = &[
    StreamSide::Ours,
    StreamSide::OursLent,
    StreamSide::ImapProto,
    StreamSide::ImapCodec1,
    StreamSide::ImapCodec2,
];

/// A `stream/*` group: its name, its input and its sides.
pub type Group = (&'static str, fn() -> Input, &'static [StreamSide]);

/// The `stream/*` groups: name, input, sides. The inputs are those every
/// side can decode (without MODSEQ, CONDSTORE, QRESYNC and ESEARCH, which
/// imap-codec 1.0 lacks), so that all sides read the same bytes.
pub const GROUPS: &[Group] = &[
    ("stream/sync_metadata", inputs::sync_no_modseq, ALL),
    ("stream/mixed_small", inputs::mixed_no_modseq, ALL),
    ("stream/bodies", inputs::bodies_full, ALL),
    (
        "stream/client_mix",
        inputs::client_no_condstore,
        &[
            StreamSide::Ours,
            StreamSide::OursLent,
            StreamSide::ImapCodec1,
            StreamSide::ImapCodec2,
        ],
    ),
];

/// The read sizes of every group: 4 KiB, 16 KiB and the whole input.
pub fn reads(input: &Input) -> [usize; 3] {
    [4096, 16 * 1024, input.len()]
}

/// A read size's name in benchmark ids: `4096`, `16384` or `whole`.
pub fn read_name(input: &Input, read: usize) -> String {
    if read >= input.len() {
        "whole".to_string()
    } else {
        read.to_string()
    }
}

fn error(message: usize, offset: usize, reason: impl std::fmt::Debug) -> StreamError {
    StreamError {
        message,
        offset,
        reason: format!("{reason:?}"),
    }
}

/// The next read, at most `read` bytes, made into the framer's own
/// buffer as the Client's `read_buf` and `handle_read` do it (the copy
/// from a slice stands for the socket's read, the one copy of the bytes);
/// `false` at the end of the stream.
fn read_into(framer: &mut Framer, reads: &mut dyn Reads, read: usize) -> bool {
    if reads.at_end() {
        return false;
    }
    let mut room = framer.read_buf(read);
    let n = reads.read_into(&mut room, read);
    framer.push_buf(room);
    n > 0
}

/// Hands a decoded value to `black_box` where it lies (bound by
/// reference: no side moves its value out of the result first).
fn by_ref<T, E: Clone>(result: &Result<T, E>) -> Result<(), E> {
    match result {
        Ok(value) => {
            black_box(value);
            Ok(())
        }
        Err(e) => Err(e.clone()),
    }
}

/// Ours, responses, as the Client's `process_frames` decodes them (see
/// the module's documentation), in reads of `read` bytes. Its own loop,
/// not `ours_lent`'s: handing each `FrameRef` to a closure by value (as
/// `into_frame` needs) cost this side 1 % more instructions, and the
/// lent side too.
pub fn ours_responses(reads: &mut dyn Reads, read: usize) -> Result<usize, StreamError> {
    let mut framer = Framer::new(FramerConfig::new(Direction::ServerToClient));
    let mut n = 0;
    while read_into(&mut framer, reads, read) {
        while let Some(lent) = framer.poll_lent() {
            match lent {
                Lent::Frame(frame) => {
                    let short = frame.decode_response_without_frame();
                    if let Some(r) = &short {
                        // As the Client: the framer keeps the message's
                        // bytes until the next read (a violation's `raw`).
                        frame.release();
                        black_box(r);
                    } else {
                        let frame = frame.into_frame();
                        match &frame.decode_response_shared() {
                            Ok(r) => {
                                black_box(r);
                            }
                            Err(e) => return Err(error(n, frame.offset as usize, e)),
                        }
                    }
                    n += 1;
                }
                Lent::Event(FrameEvent::Error(e)) => return Err(error(n, e.offset as usize, e)),
                Lent::Event(_) => {}
            }
        }
    }
    Ok(n)
}

/// Ours, commands, as the `Server`'s `process` decodes them (owned
/// values; see the module's documentation), in reads of `read` bytes
/// (literal announcements are passed over: the mix has only
/// non-synchronizing literals, whose data follows at once).
pub fn ours_commands(reads: &mut dyn Reads, read: usize) -> Result<usize, StreamError> {
    let mut framer = Framer::new(FramerConfig::new(Direction::ClientToServer));
    let mut n = 0;
    while read_into(&mut framer, reads, read) {
        while let Some(lent) = framer.poll_lent() {
            match lent {
                Lent::Frame(frame) => {
                    let outcome = match frame.decode_command_without_frame() {
                        Some(command) => {
                            frame.release();
                            black_box(&command);
                            Ok(())
                        }
                        None => {
                            let frame = frame.into_frame();
                            by_ref(&frame.decode_command_shared())
                                .map_err(|e| error(n, frame.offset as usize, e))
                        }
                    };
                    outcome?;
                    n += 1;
                }
                Lent::Event(FrameEvent::Error(e)) => return Err(error(n, e.offset as usize, e)),
                Lent::Event(_) => {}
            }
        }
    }
    Ok(n)
}

/// Ours, lent: [`Framer::poll_lent`] + `FrameRef::decode_response`
/// (values borrowed from the framer's buffer), in reads of `read` bytes.
pub fn ours_lent_responses(reads: &mut dyn Reads, read: usize) -> Result<usize, StreamError> {
    ours_lent(reads, read, Direction::ServerToClient, |frame| {
        by_ref(&frame.decode_response())
    })
}

/// Ours, lent, commands: [`Framer::poll_lent`] +
/// `FrameRef::decode_command`, in reads of `read` bytes.
pub fn ours_lent_commands(reads: &mut dyn Reads, read: usize) -> Result<usize, StreamError> {
    ours_lent(reads, read, Direction::ClientToServer, |frame| {
        by_ref(&frame.decode_command())
    })
}

/// The framer's lending path in reads of `read` bytes, `decode` on every
/// lent message; the number of messages.
fn ours_lent<E: std::fmt::Debug>(
    reads: &mut dyn Reads,
    read: usize,
    direction: Direction,
    decode: impl Fn(&FrameRef<'_>) -> Result<(), E>,
) -> Result<usize, StreamError> {
    let mut framer = Framer::new(FramerConfig::new(direction));
    let mut n = 0;
    while read_into(&mut framer, reads, read) {
        while let Some(lent) = framer.poll_lent() {
            match lent {
                Lent::Frame(frame) => {
                    if let Err(e) = decode(&frame) {
                        return Err(error(n, frame.offset() as usize, e));
                    }
                    n += 1;
                }
                Lent::Event(FrameEvent::Error(e)) => return Err(error(n, e.offset as usize, e)),
                Lent::Event(_) => {}
            }
        }
    }
    Ok(n)
}

/// Retries `parse` from the start of the first unparsed message after each
/// read; `parse` returns the bytes it used, `Ok(None)` when the message is
/// not complete yet.
fn retry_from_start<E: std::fmt::Debug>(
    reads: &mut dyn Reads,
    read: usize,
    mut parse: impl FnMut(&[u8]) -> Result<Option<usize>, E>,
) -> Result<usize, StreamError> {
    let mut buf: Vec<u8> = Vec::new();
    let mut n = 0;
    let mut offset = 0;
    while !reads.at_end() && reads.read_into(&mut buf, read) > 0 {
        let mut start = 0;
        while start < buf.len() {
            match parse(&buf[start..]) {
                Ok(Some(used)) => {
                    start += used;
                    n += 1;
                }
                Ok(None) => break,
                Err(e) => return Err(error(n, offset + start, e)),
            }
        }
        // Keep the unparsed tail at the front of the buffer.
        buf.drain(..start);
        offset += start;
    }
    Ok(n)
}

/// imap-proto 0.17, as async-imap runs it: `Response::parse` retried from
/// the start of the message on `Incomplete`.
pub fn imap_proto_responses(reads: &mut dyn Reads, read: usize) -> Result<usize, StreamError> {
    retry_from_start(
        reads,
        read,
        |input| match &upstream_imap_proto::Response::parse(input) {
            Ok((rest, message)) => {
                black_box(message);
                Ok(Some(input.len() - rest.len()))
            }
            Err(e) if e.is_incomplete() => Ok(None),
            Err(e) => Err(format!("{e:?}")),
        },
    )
}

/// imap-codec 1.0: `ResponseCodec::decode` retried from the start of the
/// message while it is incomplete.
pub fn imap_codec_1_responses(reads: &mut dyn Reads, read: usize) -> Result<usize, StreamError> {
    use upstream_imap_codec::decode::{Decoder as _, ResponseDecodeError};
    let codec = upstream_imap_codec::ResponseCodec::default();
    retry_from_start(reads, read, |input| match &codec.decode(input) {
        Ok((rest, message)) => {
            black_box(message);
            Ok(Some(input.len() - rest.len()))
        }
        Err(ResponseDecodeError::Incomplete | ResponseDecodeError::LiteralFound { .. }) => Ok(None),
        Err(e) => Err(format!("{e:?}")),
    })
}

/// imap-codec 1.0: `CommandCodec::decode` retried from the start of the
/// command while it is incomplete.
pub fn imap_codec_1_commands(reads: &mut dyn Reads, read: usize) -> Result<usize, StreamError> {
    use upstream_imap_codec::decode::{CommandDecodeError, Decoder as _};
    let codec = upstream_imap_codec::CommandCodec::default();
    retry_from_start(reads, read, |input| match &codec.decode(input) {
        Ok((rest, message)) => {
            black_box(message);
            Ok(Some(input.len() - rest.len()))
        }
        Err(CommandDecodeError::Incomplete | CommandDecodeError::LiteralFound { .. }) => Ok(None),
        Err(e) => Err(format!("{e:?}")),
    })
}

/// imap-codec 2.0 (alpha), as imap-next runs it: the `Fragmentizer` in
/// reads of `read` bytes, each complete message decoded with `codec` and
/// made owned.
fn imap_codec_2<C>(codec: &C, reads: &mut dyn Reads, read: usize) -> Result<usize, StreamError>
where
    C: upstream_imap_codec_2::decode::Decoder,
    for<'a> C::Message<'a>: upstream_imap_codec_2::imap_types::IntoStatic,
{
    use upstream_imap_codec_2::fragmentizer::{FragmentInfo, Fragmentizer};
    use upstream_imap_codec_2::imap_types::IntoStatic as _;
    // imap-next's default limit on one message.
    let mut fragmentizer = Fragmentizer::new(100 * 1024 * 1024);
    let mut n = 0;
    let mut scratch = Vec::new();
    while !reads.at_end() {
        let piece = reads.piece(&mut scratch, read);
        if piece.is_empty() {
            break;
        }
        fragmentizer.enqueue_bytes(piece);
        while let Some(fragment) = fragmentizer.progress() {
            if let FragmentInfo::Line {
                announcement: None, ..
            } = fragment
            {
                match fragmentizer.decode_message(codec) {
                    Ok(message) => black_box(&message.into_static()),
                    Err(e) => return Err(error(n, 0, decode_error(&e))),
                };
                n += 1;
            }
        }
    }
    Ok(n)
}

/// What an imap-codec 2.0 decoding error was (its messages have no `Debug`
/// in a generic context).
fn decode_error<C: upstream_imap_codec_2::decode::Decoder>(
    e: &upstream_imap_codec_2::fragmentizer::DecodeMessageError<'_, C>,
) -> &'static str {
    use upstream_imap_codec_2::fragmentizer::DecodeMessageError as E;
    match e {
        E::DecodingFailure(_) => "decoding failure",
        E::DecodingRemainder { .. } => "bytes after the message",
        E::MessageTooLong { .. } => "message too long",
        E::MessagePoisoned { .. } => "message poisoned",
    }
}

/// imap-codec 2.0 (alpha), responses: its `Fragmentizer`, then its decoder on each whole message.
pub fn imap_codec_2_responses(reads: &mut dyn Reads, read: usize) -> Result<usize, StreamError> {
    imap_codec_2(
        &upstream_imap_codec_2::ResponseCodec::default(),
        reads,
        read,
    )
}

/// imap-codec 2.0 (alpha), commands: its `Fragmentizer`, then its decoder on each whole message.
pub fn imap_codec_2_commands(reads: &mut dyn Reads, read: usize) -> Result<usize, StreamError> {
    imap_codec_2(&upstream_imap_codec_2::CommandCodec::default(), reads, read)
}
