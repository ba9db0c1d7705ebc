//! What a server sends, as its peer reads it: the output taken from a
//! [`Server`] (the uncompressed prefix and the DEFLATE stream after
//! COMPRESS, inflated here), framed and decoded by the codec as an
//! independent reader. The checks look at the responses in order: every
//! one must decode, nothing may follow `* BYE` but the tagged OK of LOGOUT.

use std::time::Instant;

use flate2::{Decompress, FlushDecompress};
use imapkit_codec::framer::{Direction, FrameEvent, Framer, FramerConfig};
use imapkit_proto::{Response, Status, StatusKind};

use crate::server::Server;

/// One response as the peer reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Seen {
    /// The greeting.
    Greeting,
    /// `tag OK|NO|BAD`.
    Tagged { tag: Vec<u8>, status: Status },
    /// `* BYE`.
    Bye,
    /// `+ ...`.
    Continue,
    /// Untagged data or status.
    Untagged,
}

/// The server's output stream and its decoded responses.
pub(super) struct ServerWire {
    framer: Framer,
    inflate: Option<Decompress>,
    /// Every response so far, in order.
    pub(super) seen: Vec<Seen>,
    /// Bytes taken from the server (as sent on the socket).
    pub(super) sent: usize,
    /// The same, inflated: the plain response stream read so far.
    pub(super) plain: usize,
    greeted: bool,
}

impl ServerWire {
    pub(super) fn new() -> Self {
        Self {
            framer: Framer::new(FramerConfig::new(Direction::ServerToClient)),
            inflate: None,
            seen: Vec::new(),
            sent: 0,
            plain: 0,
            greeted: false,
        }
    }

    /// Takes everything `server` has to send (as the socket would get it)
    /// and reads it; returns the bytes.
    pub(super) fn take(&mut self, server: &mut Server, now: Instant) -> Vec<u8> {
        let mut raw = Vec::new();
        loop {
            // The uncompressed part comes first in the next transmit.
            let prefix = server.plain_prefix_len();
            let compressing = server.compression_active();
            let start = raw.len();
            if server.poll_transmit(now, &mut raw).is_none() {
                break;
            }
            let chunk = &raw[start..];
            if compressing {
                let (plain, deflated) = chunk.split_at(prefix.min(chunk.len()));
                self.read(plain);
                let plain = self.inflate_all(deflated);
                self.read(&plain);
            } else {
                self.read(chunk);
            }
        }
        self.sent += raw.len();
        raw
    }

    fn inflate_all(&mut self, input: &[u8]) -> Vec<u8> {
        let d = self.inflate.get_or_insert_with(|| Decompress::new(false));
        let mut out = Vec::with_capacity(input.len() * 4 + 64);
        let start = d.total_in();
        loop {
            let used = (d.total_in() - start) as usize;
            if out.capacity() - out.len() < 1024 {
                out.reserve(out.capacity().max(4096));
            }
            let before = out.len();
            let r = d.decompress_vec(&input[used..], &mut out, FlushDecompress::Sync);
            assert!(r.is_ok(), "the server's DEFLATE stream is corrupt");
            let now_used = (d.total_in() - start) as usize;
            if now_used == input.len() && out.len() < out.capacity() {
                return out;
            }
            if now_used == used && out.len() == before {
                return out;
            }
        }
    }

    /// Frames and decodes plain output.
    fn read(&mut self, plain: &[u8]) {
        self.plain += plain.len();
        self.framer.push(plain);
        while let Some(event) = self.framer.poll_event() {
            let frame = match event {
                FrameEvent::Frame(frame) => frame,
                FrameEvent::Error(e) => panic!(
                    "the server sent what does not frame ({:?}): {:?}",
                    e.kind,
                    e.raw.escape_ascii().to_string()
                ),
                _ => continue,
            };
            let shown = || frame.bytes.escape_ascii().to_string();
            if !self.greeted {
                self.greeted = true;
                assert!(
                    frame.decode_greeting().is_ok(),
                    "the server's greeting does not decode: {:?}",
                    shown()
                );
                self.push(Seen::Greeting);
                continue;
            }
            let seen = match frame.decode_response() {
                Ok(Response::Status(s)) => match s.kind {
                    StatusKind::Tagged { tag, status } => Seen::Tagged {
                        tag: tag.as_bytes().to_vec(),
                        status,
                    },
                    StatusKind::Bye => Seen::Bye,
                    _ => Seen::Untagged,
                },
                Ok(Response::Continue(_)) => Seen::Continue,
                Ok(Response::Data(_)) => Seen::Untagged,
                Err(e) => panic!(
                    "the server sent what does not decode ({e:?}): {:?}",
                    shown()
                ),
            };
            self.push(seen);
        }
    }

    /// Records a response; after `* BYE` only the tagged OK of LOGOUT may come.
    fn push(&mut self, seen: Seen) {
        if let Some(at) = self.seen.iter().position(|s| *s == Seen::Bye) {
            let after = &self.seen[at + 1..];
            let ok_to_logout = matches!(
                seen,
                Seen::Tagged {
                    status: Status::Ok,
                    ..
                }
            ) && after.is_empty();
            assert!(
                ok_to_logout,
                "a response after BYE: {seen:?} (after {after:?})"
            );
        }
        self.seen.push(seen);
    }

    /// The position in the plain response stream after what `server`
    /// has queued (the uncompressed prefix included).
    pub(super) fn end(&self, server: &Server) -> usize {
        self.plain + server.output_len() + server.plain_prefix_len()
    }

    /// The tagged responses so far.
    pub(super) fn tagged(&self) -> impl Iterator<Item = (&[u8], Status)> + '_ {
        self.seen.iter().filter_map(|s| match s {
            Seen::Tagged { tag, status } => Some((tag.as_slice(), *status)),
            _ => None,
        })
    }
}
