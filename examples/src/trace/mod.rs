//! The trace decoder behind `examples/imap-decode.rs`: feeds a captured
//! byte stream of one direction through the framer and the decoder and
//! writes one line per message ([`decode_reader`] over a file or any
//! `io::Read`, read as a socket is; [`decode_stream`] over a slice), or
//! replays a session's two directions through the client and server
//! state machines ([`session::decode_session`], `imap-decode --session`).
//!
//! Output never holds credentials: decoded values print with `Debug`,
//! which redacts them ([`imapkit_proto::Secret`]); raw bytes (a frame that
//! does not decode, a framing error's message) print through
//! [`Redacted`], which hides LOGIN and AUTHENTICATE commands, the lines of
//! an AUTHENTICATE exchange, and what follows a credential command the
//! framer could not frame, as `<redacted> (N bytes)`.

use std::io::{self, Read, Write};

use imapkit_codec::framer::{Direction, Frame, FrameEvent, Framer, FramerConfig, Lent};
use imapkit_codec::redact::Redacted;
use imapkit_codec::{decode, DecodeError, Decoded, Encode};
use imapkit_proto::{AuthenticateData, Command, CommandBody, Response};

mod sasl;
pub mod session;

/// What to decode and how to report it.
#[derive(Debug, Clone)]
pub struct Options {
    /// Responses (server to client) or commands (client to server).
    pub direction: Direction,
    /// Feed the input in chunks of this many bytes (default: whole).
    pub chunk: Option<usize>,
    /// Re-encode each message and decode it again, counting mismatches.
    pub roundtrip: bool,
    /// Print only errors and the summary.
    pub quiet: bool,
    /// Name the server quirks (`imap-codec/QUIRKS.md`) each response relied
    /// on, in a `quirks:` line after it (printed even when quiet), and count
    /// those responses. Stream decoding of responses only.
    pub quirks: bool,
}

impl Options {
    /// Responses, whole input, no round trip, every message printed.
    pub fn new(direction: Direction) -> Self {
        Self {
            direction,
            chunk: None,
            roundtrip: false,
            quiet: false,
            quirks: false,
        }
    }
}

/// Counts over one or more inputs.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Messages decoded.
    pub messages: u64,
    /// Messages that did not frame or decode, and inputs that ended inside a message.
    pub errors: u64,
    /// Literal data bytes framed.
    pub literal_bytes: u64,
    /// Input bytes.
    pub bytes: u64,
    /// Messages whose re-encoding did not decode to an equal value.
    pub mismatches: u64,
    /// Session findings (`--session`): what the state machines refused or
    /// answered otherwise than the recorded peer.
    pub violations: u64,
    /// Responses that relied on a server quirk (counted with
    /// [`Options::quirks`]).
    pub quirky: u64,
}

/// Where the decoder is in the stream, beyond the framer.
#[derive(Debug, Default)]
struct State {
    /// Inside an AUTHENTICATE exchange (commands): lines are SASL data.
    authenticating: bool,
    /// A credential command could not be framed or decoded: the bytes
    /// that follow until a message decodes may be its data.
    secret_follows: bool,
}

/// Decodes `input`, writing a line per message (and per error) to `out`,
/// and adds to `summary`: [`decode_reader`] over the slice, in pieces of
/// [`Options::chunk`] bytes (the whole input in one piece by default).
pub fn decode_stream(
    input: &[u8],
    o: &Options,
    out: &mut dyn Write,
    summary: &mut Summary,
) -> io::Result<()> {
    let chunk = o.chunk.unwrap_or(input.len());
    decode_reader(input, chunk, o, out, summary)
}

/// Decodes what `reader` yields (a file, a socket), read in pieces of
/// `chunk` bytes straight into the framer's buffer as a session reads
/// its socket (`Framer::read_buf`, `Framer::push_buf`): no copy of the
/// input besides the read's own, and the memory held is the framer's,
/// not the input's size. Writes a line per message (and per error) to
/// `out`, and adds to `summary`.
///
/// Responses go the `Client`'s way (`process_frames`): one that needs no
/// frame (`* 3 EXISTS`; a short status or FETCH response, its strings
/// copied) is decoded where the framer lent it; commands the `Server`'s
/// (`process`): a short command of one line likewise; any other message
/// is taken out of the buffer and decoded sharing it.
pub fn decode_reader(
    mut reader: impl Read,
    chunk: usize,
    o: &Options,
    out: &mut dyn Write,
    summary: &mut Summary,
) -> io::Result<()> {
    let chunk = chunk.max(1);
    let mut framer = Framer::new(FramerConfig::new(o.direction));
    let mut st = State::default();
    loop {
        let mut room = framer.read_buf(chunk);
        room.resize(chunk, 0);
        let n = loop {
            match reader.read(&mut room) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                read => break read?,
            }
        };
        room.truncate(n);
        framer.push_buf(room);
        if n == 0 {
            break;
        }
        summary.bytes += n as u64;
        loop {
            // `None`: a message decoded where it was lent, done.
            let ev = match framer.poll_lent() {
                None => break,
                Some(Lent::Frame(lent)) => match o.direction {
                    Direction::ServerToClient => {
                        let short = lent.decode_response_without_frame();
                        if let Some(r) = &short {
                            let offset = lent.offset();
                            lent.release();
                            response_line(r, offset, o, out, summary)?;
                            st.secret_follows = false;
                            None
                        } else {
                            Some(FrameEvent::Frame(lent.into_frame()))
                        }
                    }
                    // Inside an AUTHENTICATE exchange the lines are SASL
                    // data: read from the frame.
                    Direction::ClientToServer if st.authenticating => {
                        Some(FrameEvent::Frame(lent.into_frame()))
                    }
                    Direction::ClientToServer => {
                        let short = lent.decode_command_without_frame();
                        if let Some(c) = &short {
                            let offset = lent.offset();
                            lent.release();
                            command_line(c, offset, o, &mut st, out, summary)?;
                            None
                        } else {
                            Some(FrameEvent::Frame(lent.into_frame()))
                        }
                    }
                },
                Some(Lent::Event(ev)) => Some(ev),
            };
            let Some(ev) = ev else {
                framer.set_line_mode(st.authenticating);
                continue;
            };
            match ev {
                FrameEvent::Frame(frame) => {
                    if let Err(e) = frame_line(&frame, o, &mut st, out, summary)? {
                        summary.errors += 1;
                        let raw = shown(o.direction, &st, &frame.bytes);
                        writeln!(
                            out,
                            "{:>8} error: {} at stream offset {}: {raw:?}",
                            frame.offset,
                            e.reason,
                            frame.offset + e.offset as u64,
                        )?;
                        if raw.is_hidden() {
                            st.secret_follows = true;
                        }
                    }
                    framer.set_line_mode(st.authenticating);
                }
                FrameEvent::Error(e) => {
                    summary.errors += 1;
                    let raw = shown(o.direction, &st, &e.raw);
                    writeln!(out, "{:>8} error: {e}: {raw:?}", e.offset)?;
                    if raw.is_hidden() {
                        st.secret_follows = true;
                    }
                }
                _ => {}
            }
        }
    }
    ends_inside_message(&framer, out, summary)?;
    summary.literal_bytes += framer.stats().literal_bytes;
    Ok(())
}

/// Counts and reports an input that ends inside a message (the framer is
/// not between messages).
pub(crate) fn ends_inside_message(
    framer: &Framer,
    out: &mut dyn Write,
    s: &mut Summary,
) -> io::Result<()> {
    if !framer.at_boundary() {
        s.errors += 1;
        writeln!(
            out,
            "error: the input ends inside a message ({} bytes buffered, stream offset {})",
            framer.buffered(),
            framer.stats().consumed
        )?;
    }
    Ok(())
}

/// Raw bytes as they may be shown in the current state.
fn shown<'a>(direction: Direction, st: &State, bytes: &'a [u8]) -> Redacted<'a> {
    if st.authenticating || st.secret_follows {
        Redacted::secret(bytes)
    } else {
        Redacted::message(direction, bytes)
    }
}

/// Decodes and prints one frame; the decode error, if it does not decode.
fn frame_line(
    frame: &Frame,
    o: &Options,
    st: &mut State,
    out: &mut dyn Write,
    s: &mut Summary,
) -> io::Result<Result<(), DecodeError>> {
    match o.direction {
        Direction::ServerToClient => {
            // The Client's path: owned values sharing the frame, the
            // shortest responses and usual FETCH responses built directly.
            let r = match frame.decode_response_shared() {
                Ok(r) => r,
                Err(e) => return Ok(Err(e)),
            };
            response_line(&r, frame.offset, o, out, s)?;
            if o.quirks {
                quirks_line(frame, out, s)?;
            }
            st.secret_follows = false;
            return Ok(Ok(()));
        }
        // The Server's path: owned values sharing the frame, the usual
        // commands built directly.
        Direction::ClientToServer => match frame.decode_command_shared() {
            Ok(c) => return command_line(&c, frame.offset, o, st, out, s).map(Ok),
            Err(e) => {
                if frame.decode_idle_done().is_ok() {
                    if !o.quiet {
                        writeln!(out, "{:>8} C: DONE", frame.offset)?;
                    }
                } else if let Ok(d) = frame.decode_authenticate_data() {
                    // `Debug` redacts the SASL data.
                    if !o.quiet {
                        writeln!(out, "{:>8} C: {d:?}", frame.offset)?;
                    }
                    if d == AuthenticateData::Cancel {
                        st.authenticating = false;
                    }
                } else {
                    return Ok(Err(e));
                }
            }
        },
    }
    s.messages += 1;
    st.secret_follows = false;
    Ok(Ok(()))
}

/// Prints (unless quiet), round-trips (if asked) and counts a decoded
/// command of the message at stream offset `offset`.
#[inline(always)]
fn command_line(
    c: &Command<'_>,
    offset: u64,
    o: &Options,
    st: &mut State,
    out: &mut dyn Write,
    s: &mut Summary,
) -> io::Result<()> {
    // A command ends any AUTHENTICATE exchange; AUTHENTICATE starts one.
    st.authenticating = matches!(c.body, CommandBody::Authenticate { .. });
    if !o.quiet {
        writeln!(out, "{offset:>8} C: {c:?}")?;
    }
    if o.roundtrip {
        roundtrip_command(c, offset, out, s)?;
    }
    s.messages += 1;
    st.secret_follows = false;
    Ok(())
}

/// Prints (unless quiet), round-trips (if asked) and counts a decoded
/// response of the message at stream offset `offset`.
#[inline(always)]
fn response_line(
    r: &Response<'_>,
    offset: u64,
    o: &Options,
    out: &mut dyn Write,
    s: &mut Summary,
) -> io::Result<()> {
    if !o.quiet {
        writeln!(out, "{offset:>8} S: {r:?}")?;
    }
    if o.roundtrip {
        roundtrip_response(r, offset, out, s)?;
    }
    s.messages += 1;
    Ok(())
}

/// Names the quirks the response in `frame` relied on, if any, and counts
/// it. The response is decoded again, by `ResponseDecoder::decode_with_quirks`
/// (the Client's path does not record them): a cost paid only with
/// `--quirks`. The responses decoded where the framer lent them (`* 3
/// EXISTS` and the like) are read only in their strict form, so never
/// rely on a quirk.
fn quirks_line(frame: &Frame, out: &mut dyn Write, s: &mut Summary) -> io::Result<()> {
    let (_, quirks) = decode::ResponseDecoder::default().decode_with_quirks(&frame.bytes);
    if !quirks.is_empty() {
        s.quirky += 1;
        writeln!(out, "{:>8} quirks: {quirks:?}", frame.offset)?;
    }
    Ok(())
}

/// Re-encodes a decoded response and decodes it again; a difference is
/// counted and reported.
fn roundtrip_response(
    r: &Response<'_>,
    offset: u64,
    out: &mut dyn Write,
    s: &mut Summary,
) -> io::Result<()> {
    let bytes = r.to_vec();
    let same = matches!(decode::response(&bytes), Ok(Decoded::Complete { message, consumed })
        if consumed == bytes.len() && message == *r);
    mismatch(!same, offset, Direction::ServerToClient, &bytes, out, s)
}

/// Re-encodes a decoded command and decodes it again; a difference is
/// counted and reported.
fn roundtrip_command(
    c: &Command<'_>,
    offset: u64,
    out: &mut dyn Write,
    s: &mut Summary,
) -> io::Result<()> {
    let bytes = c.to_vec();
    let same = matches!(decode::command(&bytes), Ok(Decoded::Complete { message, consumed })
        if consumed == bytes.len() && message == *c);
    mismatch(!same, offset, Direction::ClientToServer, &bytes, out, s)
}

/// Counts and reports a round-trip mismatch, showing the re-encoding as
/// raw bytes (redacted: the re-encoding of a LOGIN holds its password).
fn mismatch(
    differs: bool,
    offset: u64,
    direction: Direction,
    bytes: &[u8],
    out: &mut dyn Write,
    s: &mut Summary,
) -> io::Result<()> {
    if differs {
        s.mismatches += 1;
        let raw = Redacted::message(direction, bytes);
        writeln!(out, "{offset:>8} roundtrip mismatch: {raw:?}")?;
    }
    Ok(())
}
