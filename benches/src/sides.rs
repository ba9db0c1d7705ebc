//! The contestants: one function per crate and task, each decoding (or
//! encoding) a whole stream of messages the way a user of that crate would.
//!
//! Every decoder function returns the number of messages it decoded, or an
//! error naming the first message it could not decode, so that the bench setup
//! can assert that every side decodes every message of the input (a parser
//! that stops early would look fast). Each decoded message is passed through
//! [`black_box`] and dropped, so the cost of building and dropping the value
//! is measured on every side.

use std::hint::black_box;

use bytes::Bytes;
use imapkit_codec::decode::{command, response};
use imapkit_codec::framer::{Direction, FrameEvent, Framer, FramerConfig};
use imapkit_codec::{Decoded, Vectored};
use imapkit_proto::IntoStatic;
use upstream_imap_codec::decode::Decoder;
use upstream_imap_codec::encode::{Encoder as _, Fragment};
use upstream_imap_codec::{CommandCodec, ResponseCodec};

/// Which crate a measurement belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// This workspace's `imapkit-codec`.
    Ours,
    /// This workspace's `imapkit-codec`, encoding with `encode_vectored`: large
    /// shared literal payloads are referenced, not copied.
    OursVectored,
    /// This workspace's decoder, then reading every address and parameter
    /// (see [`ours_responses_walk`]).
    OursWalk,
    /// This workspace's encoder on values built by a program (lists held as
    /// values, see [`ours_built`]) rather than decoded ones.
    OursBuilt,
    /// imap-codec 1.0 from crates.io.
    ImapCodec,
    /// imap-proto 0.17 from crates.io.
    ImapProto,
    /// A plain `memcpy` of the same bytes (a baseline, not a decoder).
    Memcpy,
}

impl Side {
    /// The name used in benchmark ids and tables.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ours => "ours",
            Self::OursVectored => "ours_vectored",
            Self::OursWalk => "ours+walk",
            Self::OursBuilt => "ours+built",
            Self::ImapCodec => "imap-codec-1.0",
            Self::ImapProto => "imap-proto-0.17",
            Self::Memcpy => "memcpy",
        }
    }
}

/// Where and why a side stopped decoding a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamError {
    /// Index of the message that failed.
    pub message: usize,
    /// Byte offset of that message in the stream.
    pub offset: usize,
    /// What the decoder said.
    pub reason: String,
}

fn stream_error(message: usize, offset: usize, reason: impl std::fmt::Debug) -> StreamError {
    StreamError {
        message,
        offset,
        reason: format!("{reason:?}"),
    }
}

/// Decodes a stream of responses with our decoder, advancing by `consumed`.
pub fn ours_responses(stream: &[u8]) -> Result<usize, StreamError> {
    ours_responses_with(stream, |message| {
        black_box(message);
    })
}

/// Like [`ours_responses`], and then reads every ENVELOPE and BODYSTRUCTURE
/// field, so that the cost of reading our lazily kept lists (see
/// `imapkit_proto::AddressList`) is measured too. Returns the message count.
pub fn ours_responses_walk(stream: &[u8]) -> Result<usize, StreamError> {
    use imapkit_proto::{Data, MessageDataItem, Response};
    ours_responses_with(stream, |message| {
        if let Response::Data(Data::Fetch { items, .. }) = message {
            for item in items.as_slice() {
                match item {
                    MessageDataItem::Envelope(e) => black_box(walk_envelope(e)),
                    MessageDataItem::BodyStructure(b) | MessageDataItem::Body(b) => {
                        black_box(walk_body(&b.get()))
                    }
                    _ => 0,
                };
            }
        }
    })
}

/// The stream loop of [`ours_responses`] and [`ours_responses_walk`]:
/// decodes each message, hands it to `visit`, counts it.
fn ours_responses_with(
    stream: &[u8],
    mut visit: impl FnMut(&imapkit_proto::Response<'_>),
) -> Result<usize, StreamError> {
    let mut pos = 0;
    let mut n = 0;
    while pos < stream.len() {
        match response(&stream[pos..]) {
            Ok(Decoded::Complete { message, consumed }) => {
                visit(&message);
                pos += consumed;
                n += 1;
            }
            other => return Err(stream_error(n, pos, other)),
        }
    }
    Ok(n)
}

/// Bytes of every address of `e`.
fn walk_envelope(e: &imapkit_proto::Envelope<'_>) -> usize {
    let mut total = 0;
    let e = e.fields();
    for list in [&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc] {
        for a in list {
            for f in [&a.name, &a.adl, &a.mailbox, &a.host] {
                total += f.as_bytes().map_or(0, <[u8]>::len);
            }
        }
    }
    total
}

/// Bytes of every parameter, plus the envelopes of encapsulated messages,
/// of every part of `b`.
fn walk_body(b: &imapkit_proto::BodyStructure<'_>) -> usize {
    use imapkit_proto::{BodyKind, BodyStructure, ParamList};
    fn params(p: &ParamList<'_>) -> usize {
        p.iter()
            .map(|p| p.name.as_bytes().len() + p.value.as_bytes().len())
            .sum()
    }
    match b {
        BodyStructure::Single(s) => {
            let mut total = params(&s.fields.params);
            if let Some(d) = s.extension.as_ref().and_then(|x| x.disposition()) {
                total += params(&d.params);
            }
            if let BodyKind::Message { message, .. } = &s.kind {
                let (env, body) = message.get();
                total += walk_envelope(&env) + walk_body(&body);
            }
            total
        }
        BodyStructure::Multipart(m) => {
            let ext = m.extension.as_ref().map_or(0, |x| params(&x.params));
            ext + m.parts.iter().map(|p| walk_body(&p)).sum::<usize>()
        }
    }
}

/// Decodes a stream with an imap-codec 1.0 codec (`Decoder::decode` returns
/// the remaining input), counting the messages.
fn imap_codec_count<C: Decoder>(codec: &C, stream: &[u8]) -> Result<usize, StreamError>
where
    for<'a> C::Error<'a>: std::fmt::Debug,
{
    let mut rest = stream;
    let mut n = 0;
    while !rest.is_empty() {
        match codec.decode(rest) {
            Ok((r, message)) => {
                black_box(&message);
                rest = r;
                n += 1;
            }
            Err(e) => return Err(stream_error(n, stream.len() - rest.len(), e)),
        }
    }
    Ok(n)
}

/// Decodes a stream with an imap-codec 1.0 codec, keeping the messages.
///
/// # Panics
/// If a message does not decode.
fn imap_codec_collect<'a, C: Decoder>(codec: &C, stream: &'a [u8]) -> Vec<C::Message<'a>>
where
    for<'e> C::Error<'e>: std::fmt::Debug,
{
    let mut out = Vec::new();
    let mut rest = stream;
    while !rest.is_empty() {
        match codec.decode(rest) {
            Ok((r, m)) => {
                out.push(m);
                rest = r;
            }
            Err(e) => panic!(
                "imap-codec: message at {} does not decode: {e:?}",
                stream.len() - rest.len()
            ),
        }
    }
    out
}

/// Decodes a stream of responses with imap-codec 1.0 (`ResponseCodec`).
pub fn imap_codec_responses(stream: &[u8]) -> Result<usize, StreamError> {
    imap_codec_count(&ResponseCodec::default(), stream)
}

/// Decodes a stream of responses with imap-proto 0.17 (`Response::parse`,
/// which returns the remaining input).
pub fn imap_proto_responses(stream: &[u8]) -> Result<usize, StreamError> {
    let mut rest = stream;
    let mut n = 0;
    while !rest.is_empty() {
        match upstream_imap_proto::Response::parse(rest) {
            Ok((r, message)) => {
                black_box(&message);
                rest = r;
                n += 1;
            }
            Err(e) => return Err(stream_error(n, stream.len() - rest.len(), e)),
        }
    }
    Ok(n)
}

/// Decodes a stream of commands with our decoder, advancing by `consumed`.
pub fn ours_commands(stream: &[u8]) -> Result<usize, StreamError> {
    let mut pos = 0;
    let mut n = 0;
    while pos < stream.len() {
        match command(&stream[pos..]) {
            Ok(Decoded::Complete { message, consumed }) => {
                black_box(&message);
                pos += consumed;
                n += 1;
            }
            other => return Err(stream_error(n, pos, other)),
        }
    }
    Ok(n)
}

/// Our commands of a stream, decoded once (the input of `encode/client_mix`).
///
/// # Panics
/// If a command does not decode.
pub fn ours_decode_all_commands(stream: &[u8]) -> Vec<imapkit_proto::Command<'_>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < stream.len() {
        match command(&stream[pos..]) {
            Ok(Decoded::Complete { message, consumed }) => {
                out.push(message);
                pos += consumed;
            }
            other => panic!("ours: command at {pos} does not decode: {other:?}"),
        }
    }
    out
}

/// Encodes our commands into `out` (cleared first), one after the other.
pub fn ours_encode_commands(messages: &[imapkit_proto::Command<'_>], out: &mut Vec<u8>) -> usize {
    out.clear();
    for m in messages {
        imapkit_codec::encode(m, out);
    }
    black_box(&out).len()
}

/// Feeds a response stream to our framer in `chunk`-byte pieces and decodes
/// every frame; returns the number of messages.
pub fn ours_framed(stream: &[u8], chunk: usize) -> Result<usize, StreamError> {
    let mut framer = Framer::new(FramerConfig::new(Direction::ServerToClient));
    let mut n = 0;
    for piece in stream.chunks(chunk) {
        framer.push(piece);
        while let Some(ev) = framer.poll_event() {
            match ev {
                FrameEvent::Frame(frame) => {
                    match frame.decode_response() {
                        Ok(m) => black_box(&m),
                        Err(e) => return Err(stream_error(n, frame.offset as usize, e)),
                    };
                    n += 1;
                }
                FrameEvent::Error(e) => return Err(stream_error(n, e.offset as usize, e)),
                _ => {}
            }
        }
    }
    Ok(n)
}

/// Decodes a stream of commands with imap-codec 1.0 (`CommandCodec`).
pub fn imap_codec_commands(stream: &[u8]) -> Result<usize, StreamError> {
    imap_codec_count(&CommandCodec::default(), stream)
}

/// A plain copy of `src` into `dst` (the `memcpy` baseline of `responses/bodies`).
pub fn memcpy(src: &[u8], dst: &mut [u8]) -> usize {
    dst.copy_from_slice(src);
    black_box(dst).len()
}

/// Our responses of a stream, decoded once (the input of the encode benches).
///
/// # Panics
/// If a message does not decode.
pub fn ours_decode_all(stream: &[u8]) -> Vec<imapkit_proto::Response<'_>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < stream.len() {
        match response(&stream[pos..]) {
            Ok(Decoded::Complete { message, consumed }) => {
                out.push(message);
                pos += consumed;
            }
            other => panic!("ours: message at {pos} does not decode: {other:?}"),
        }
    }
    out
}

/// `frame`'s messages as a program holding them would: decoded, made owned
/// with `into_shared(frame)` (strings become `Bytes` slices of the frame,
/// not copies), and every list of ENVELOPE, BODYSTRUCTURE and FLAGS turned
/// from its received bytes into a `Vec` of values
/// (`imapkit_codec::fuzzing::materialize`), so that encoding them writes every
/// element instead of copying a list as received (`encode/sync_metadata`'s
/// `ours+built` side).
pub fn ours_built(frame: &Bytes) -> Vec<imapkit_proto::Response<'static>> {
    ours_decode_all(frame)
        .iter()
        .map(|m| imapkit_codec::fuzzing::materialize(m, Some(frame)))
        .collect()
}

/// Our responses of a stream held in a `Bytes` frame, decoded once and their
/// literals shared with the frame (`into_shared`, no copy): what a server
/// holds when it sends messages it read from its store or received.
///
/// # Panics
/// If a message does not decode.
pub fn ours_decode_all_shared(frame: &Bytes) -> Vec<imapkit_proto::Response<'static>> {
    ours_decode_all(frame)
        .into_iter()
        .map(|m| m.into_shared(frame))
        .collect()
}

/// imap-codec 1.0's responses of a stream, decoded once.
///
/// # Panics
/// If a message does not decode.
pub fn imap_codec_decode_all(
    stream: &[u8],
) -> Vec<upstream_imap_codec::imap_types::response::Response<'_>> {
    imap_codec_collect(&ResponseCodec::default(), stream)
}

/// imap-codec 1.0's commands of a stream, decoded once.
///
/// # Panics
/// If a command does not decode.
pub fn imap_codec_decode_all_commands(
    stream: &[u8],
) -> Vec<upstream_imap_codec::imap_types::command::Command<'_>> {
    imap_codec_collect(&CommandCodec::default(), stream)
}

/// Encodes our responses into `out` (cleared first), one after the other.
pub fn ours_encode(messages: &[imapkit_proto::Response<'_>], out: &mut Vec<u8>) -> usize {
    out.clear();
    for m in messages {
        imapkit_codec::encode(m, out);
    }
    black_box(&out).len()
}

/// Encodes our responses with `encode_vectored` into `out` (cleared first),
/// one after the other; returns the length of the whole output (head and
/// spliced payloads), which is not copied into one buffer.
pub fn ours_encode_vectored(messages: &[imapkit_proto::Response<'_>], out: &mut Vectored) -> usize {
    out.clear();
    for m in messages {
        imapkit_codec::encode_vectored(m, out);
    }
    black_box(&out).len()
}

/// Encodes imap-codec 1.0 responses with `ResponseCodec::encode`, appending
/// every fragment to `out` (cleared first).
pub fn imap_codec_encode(
    messages: &[upstream_imap_codec::imap_types::response::Response<'_>],
    out: &mut Vec<u8>,
) -> usize {
    let codec = ResponseCodec::default();
    out.clear();
    for m in messages {
        append_fragments(codec.encode(m), out);
    }
    black_box(&out).len()
}

/// Encodes imap-codec 1.0 commands with `CommandCodec::encode` into `out` (cleared first).
pub fn imap_codec_encode_commands(
    messages: &[upstream_imap_codec::imap_types::command::Command<'_>],
    out: &mut Vec<u8>,
) -> usize {
    let codec = CommandCodec::default();
    out.clear();
    for m in messages {
        append_fragments(codec.encode(m), out);
    }
    black_box(&out).len()
}

fn append_fragments(encoded: upstream_imap_codec::encode::Encoded, out: &mut Vec<u8>) {
    for f in encoded {
        match f {
            Fragment::Line { data } | Fragment::Literal { data, .. } => {
                out.extend_from_slice(&data)
            }
        }
    }
}
