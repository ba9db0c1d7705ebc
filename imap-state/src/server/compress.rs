//! COMPRESS=DEFLATE (RFC 4978), server side: after the tagged OK to
//! `COMPRESS DEFLATE`, everything the server sends is raw DEFLATE
//! (RFC 1951, no zlib header) and everything it receives is inflated
//! before framing.
//!
//! The output is compressed when the application takes it, with a sync
//! flush at the end of each [`poll_transmit`](super::Server::poll_transmit)
//! so that the client can read every response at once. The input is kept
//! compressed and inflated in pieces of [`INFLATE_CHUNK`] bytes as the
//! session reads (the framer has no whole message left and the session
//! may read): a small compressed input that inflates to a huge one meets
//! the framer's limits like uncompressed input does, and while the session
//! does not read, the compressed bytes count towards the input backlog
//! cap as received.
//!
//! The DEFLATE state costs memory (tens of KiB per direction): it exists
//! only while compression is active, and only when the configuration
//! offers it ([`ServerConfig::compress`](super::ServerConfig::compress)).

use std::fmt;
use std::time::Instant;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress};
use imapkit_proto::{Command, CommandBody, CompressionAlgorithm, ResponseCode, Status};

use super::audit::AuditKind;
use super::decision::{coded_text, static_text};
use super::event::{CloseReason, Event};
use super::Server;
use crate::error::{PeerViolation, ViolationKind};

/// Bytes inflated at a time before the framer sees them.
pub(crate) const INFLATE_CHUNK: usize = 16 * 1024;

/// The DEFLATE state of both directions.
pub(crate) struct Deflate {
    compress: Compress,
    decompress: Decompress,
    /// Scratch for inflated input (at most [`INFLATE_CHUNK`] bytes).
    inflated: Vec<u8>,
    /// Scratch for output taken to compress.
    plain: Vec<u8>,
    /// Output queued before compression began (up to the OK): sent as is.
    prefix: Vec<u8>,
    /// Received input not inflated yet.
    pending: Vec<u8>,
}

/// The client's compressed stream is corrupt.
#[derive(Debug)]
pub(crate) struct Corrupt;

impl Deflate {
    fn new(prefix: Vec<u8>) -> Self {
        Self {
            prefix,
            // Level 1: responses compress well even at the fastest level
            // (RFC 4978 §4), and the server pays the CPU.
            compress: Compress::new(Compression::fast(), false),
            decompress: Decompress::new(false),
            inflated: Vec::new(),
            plain: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// Gives back the scratch buffers' memory (the session is quiet).
    pub(super) fn shrink(&mut self) {
        if self.plain.capacity() > 0 {
            self.plain = Vec::new();
        }
        if self.pending.is_empty() && self.pending.capacity() > 0 {
            self.pending = Vec::new();
        }
    }

    /// Compresses `input` onto `out`, ending with a sync flush.
    fn deflate(&mut self, input: &[u8], out: &mut Vec<u8>) {
        let start = self.compress.total_in();
        loop {
            let used = (self.compress.total_in() - start) as usize;
            out.reserve((input.len() - used) / 2 + 64);
            // Raw DEFLATE into spare capacity; the only error is a misuse
            // of the state (a flush mode zlib refuses), which this code
            // does not make.
            let _ = self
                .compress
                .compress_vec(&input[used..], out, FlushCompress::Sync);
            let used = (self.compress.total_in() - start) as usize;
            // The flush is complete when input is used up and output space
            // was left over.
            if used == input.len() && out.len() < out.capacity() {
                return;
            }
        }
    }

    /// Inflates the next piece of the pending input (at most
    /// [`INFLATE_CHUNK`] bytes) into `inflated`; empty when nothing more
    /// comes of the input received so far. Bytes after the end of the
    /// client's stream (a final DEFLATE block) are an error: nothing may
    /// follow it on this connection (RFC 4978 §3), and dropping them would
    /// lose commands without a word.
    fn inflate_next(&mut self) -> Result<(), Corrupt> {
        if self.inflated.capacity() < INFLATE_CHUNK {
            self.inflated.reserve_exact(INFLATE_CHUNK);
        }
        self.inflated.clear();
        let start = self.decompress.total_in();
        let status = self
            .decompress
            .decompress_vec(&self.pending, &mut self.inflated, FlushDecompress::None)
            .map_err(|_| Corrupt)?;
        let used = (self.decompress.total_in() - start) as usize;
        self.pending.drain(..used);
        // What came before the end is handed out first; the bytes after
        // it are the error of the next call.
        if status == flate2::Status::StreamEnd
            && !self.pending.is_empty()
            && self.inflated.is_empty()
        {
            return Err(Corrupt);
        }
        Ok(())
    }
}

impl fmt::Debug for Deflate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Deflate")
            .field("in", &self.decompress.total_in())
            .field("out", &self.compress.total_out())
            .finish()
    }
}

impl Server {
    /// `COMPRESS DEFLATE` (RFC 4978 §3).
    pub(super) fn start_compress(&mut self, command: Command<'static>) {
        let CommandBody::Compress { algorithm } = &command.body else {
            return self.tagged(command.tag, Status::Bad, static_text("Syntax error"));
        };
        if self.compressing {
            let text = coded_text(ResponseCode::CompressionActive, "DEFLATE is active");
            return self.tagged(command.tag, Status::Bad, text);
        }
        if !matches!(algorithm, CompressionAlgorithm::Deflate) {
            let text = static_text("Unknown compression algorithm");
            return self.tagged(command.tag, Status::Bad, text);
        }
        self.tagged(command.tag, Status::Ok, static_text("DEFLATE active"));
        // The OK goes out uncompressed; everything after it compressed.
        let mut prefix = Vec::new();
        self.out.take_into(&mut prefix);
        // RFC 4978 §3: the client sends nothing until it has seen the OK.
        let at = self.framer_base + self.framer.stats().consumed;
        let dropped = self.framer.discard_buffered();
        self.framer_clean = true;
        if dropped > 0 {
            self.events
                .push_back(Event::Violation(PeerViolation::without_raw(
                    ViolationKind::OutOfState("data after COMPRESS before its result"),
                    at,
                )));
        }
        self.deflate = Some(Box::new(Deflate::new(prefix)));
        self.compressing = true;
    }

    /// Compressed input: kept, and read as the session reads
    /// ([`Server::inflate_next`]).
    pub(super) fn handle_compressed(&mut self, now: Instant, bytes: &[u8]) {
        let Some(deflate) = self.deflate.as_mut() else {
            return;
        };
        deflate.pending.extend_from_slice(bytes);
        self.process(now);
    }

    /// Received compressed bytes not inflated yet.
    pub(super) fn compressed_pending(&self) -> usize {
        self.deflate.as_ref().map_or(0, |d| d.pending.len())
    }

    /// Inflates the next piece of compressed input into the framer;
    /// whether there was one. A corrupt stream ends the connection.
    pub(super) fn inflate_next(&mut self) -> bool {
        let Some(deflate) = self.deflate.as_mut() else {
            return false;
        };
        if deflate.pending.is_empty() {
            return false;
        }
        match deflate.inflate_next() {
            Ok(()) if deflate.inflated.is_empty() => false,
            Ok(()) => {
                let n = deflate.inflated.len();
                self.framer.push(&deflate.inflated);
                self.note_pushed(n);
                // A piece the session asked for, as a read it wanted (the
                // compressed read that brought it stays allowed too).
                self.read_allowance = self.read_allowance.max(n);
                true
            }
            Err(Corrupt) => {
                let at = self.framer_base + self.framer.stats().consumed;
                self.events
                    .push_back(Event::Violation(PeerViolation::without_raw(
                        ViolationKind::OutOfState("corrupt DEFLATE stream"),
                        at,
                    )));
                self.audit(AuditKind::LimitHit {
                    limit: super::LimitKind::Compression,
                });
                // The stream cannot be resynchronised: end the connection.
                self.bye_now(None, "Corrupt compressed stream", CloseReason::Limit);
                false
            }
        }
    }

    /// Takes the queued output, compressed if COMPRESS is active, onto `buf`.
    pub(super) fn take_output(&mut self, buf: &mut Vec<u8>) -> usize {
        let start = buf.len();
        match &mut self.deflate {
            Some(deflate) => {
                if !deflate.prefix.is_empty() {
                    buf.append(&mut deflate.prefix);
                    deflate.prefix = Vec::new();
                }
                let mut plain = std::mem::take(&mut deflate.plain);
                self.out.take_into(&mut plain);
                if !plain.is_empty() {
                    deflate.deflate(&plain, buf);
                }
                plain.clear();
                deflate.plain = plain;
            }
            None => {
                self.out.take_into(buf);
            }
        }
        buf.len() - start
    }

    /// Whether output is waiting (queued, or the uncompressed prefix).
    pub(super) fn has_output(&self) -> bool {
        !self.out.is_empty() || self.deflate.as_ref().is_some_and(|d| !d.prefix.is_empty())
    }

    /// Bytes queued before COMPRESS began that the next transmit sends
    /// uncompressed, ahead of the DEFLATE stream (for the fuzz checks,
    /// which read the output as a client does).
    #[cfg(feature = "fuzzing")]
    pub(crate) fn plain_prefix_len(&self) -> usize {
        self.deflate.as_ref().map_or(0, |d| d.prefix.len())
    }

    /// Whether COMPRESS=DEFLATE is active.
    pub fn compression_active(&self) -> bool {
        self.compressing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Deflate {
        /// Adds `input` and inflates all it makes, piece by piece, as the
        /// session does when it keeps reading.
        fn inflate(&mut self, input: &[u8], mut sink: impl FnMut(&[u8])) -> Result<(), Corrupt> {
            self.pending.extend_from_slice(input);
            loop {
                self.inflate_next()?;
                if self.inflated.is_empty() {
                    return Ok(());
                }
                sink(&self.inflated);
            }
        }
    }

    #[test]
    fn deflate_round_trips_in_pieces() {
        let mut a = Deflate::new(Vec::new());
        let mut b = Deflate::new(Vec::new());
        let text: Vec<u8> = (0..200_000u32)
            .flat_map(|k| format!("* {k} EXISTS\r\n").into_bytes())
            .collect();
        let mut wire = Vec::new();
        a.deflate(&text[..1000], &mut wire);
        a.deflate(&text[1000..], &mut wire);
        assert!(wire.len() < text.len() / 4);
        let mut back = Vec::new();
        let mut pieces = 0;
        // Fed in awkward chunks, read back in bounded pieces.
        for chunk in wire.chunks(777) {
            b.inflate(chunk, |p| {
                assert!(p.len() <= INFLATE_CHUNK);
                pieces += 1;
                back.extend_from_slice(p);
            })
            .unwrap();
        }
        assert_eq!(back, text);
        assert!(pieces > text.len() / INFLATE_CHUNK);
        assert!(b.inflate(b"\xff\xff\xff\xff", |_| {}).is_err());
    }

    /// Bytes after a final DEFLATE block are an error, in the same read
    /// or a later one; what came before them is still handed out.
    #[test]
    fn bytes_after_the_end_of_the_stream_are_an_error() {
        let mut finished = Compress::new(Compression::default(), false);
        let mut wire = Vec::with_capacity(256);
        let _ = finished.compress_vec(b"a NOOP\r\n", &mut wire, FlushCompress::Finish);
        let mut b = Deflate::new(Vec::new());
        let mut got = Vec::new();
        b.inflate(&wire, |p| got.extend_from_slice(p)).unwrap();
        assert_eq!(got, b"a NOOP\r\n");
        assert!(b.inflate(b"b NOOP\r\n", |_| {}).is_err());
        wire.extend_from_slice(b"b NOOP\r\n");
        let mut b = Deflate::new(Vec::new());
        let mut got = Vec::new();
        assert!(b.inflate(&wire, |p| got.extend_from_slice(p)).is_err());
        assert_eq!(got, b"a NOOP\r\n");
    }
}
