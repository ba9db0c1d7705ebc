//! Property checks of the session state machines under arbitrary input,
//! shared by the fuzz targets (`fuzz/fuzz_targets/`) and the test suite
//! (`tests/fuzz_replay.rs` replays the seed corpora and every input that
//! once failed).
//!
//! | check | drives | panics when |
//! |---|---|---|
//! | `client_session` | a [`Client`](crate::client::Client) fed server bytes in any chunking, between calls of its API | the client invariants break |
//! | `server_session` | a [`Server`](crate::server::Server) fed client bytes while it wants to read, with an application that answers at random | the server invariants break |
//! | `pair` | a Client and a Server connected in memory, with cuts, delays and timers | the two sides disagree, or either side's invariants break |
//! | `sasl` | the SASL mechanisms' parsers | see `sasl::fuzzing` |
//!
//! # Input format
//!
//! The session checks read the fuzzer's bytes with [`arbitrary::Unstructured`]
//! as a setup byte and then a list of operations, each a kind byte (taken
//! modulo the number of kinds) and its fields. Fields are `u8`, `u16`
//! (little-endian) and byte strings (a `u16` length, at most
//! `MAX_CHUNK`, then that many bytes or what is left). Missing bytes read
//! as zero, so every input is a valid run. The layouts are listed in each
//! check's module and written by `scripts/make-fuzz-corpus.py` for the
//! seeds. Stored inputs (the seeds, `tests/data/fuzz/<target>/`) are in this
//! format: a new kind or field changes what every one of them means, so
//! such a change regenerates the seeds and transcodes the regression inputs.
//!
//! Time is simulated: the checks start their clock at the instant they are
//! given and move it by the operations; they never read a clock.

mod client;
mod pair;
mod server;
mod vocab;
mod wire;

use std::time::{Duration, Instant};

use arbitrary::Unstructured;

pub use self::client::client_session;
pub use self::pair::pair;
pub use self::server::server_session;
pub use crate::sasl::fuzzing::sasl;

/// Longest byte string one operation reads.
pub const MAX_CHUNK: usize = 4096;

/// A read from the socket given to the client: copied in with
/// `handle_input`, or (`into`) made into the client's own buffer with
/// `read_buf` and `handle_read`.
fn client_read(client: &mut crate::client::Client, now: Instant, chunk: &[u8], into: bool) {
    if into {
        let mut room = client.read_buf(chunk.len());
        room.extend_from_slice(chunk);
        client.handle_read(now, room);
    } else {
        client.handle_input(now, chunk);
    }
}

/// [`client_read`] for the server.
fn server_read(server: &mut crate::server::Server, now: Instant, chunk: &[u8], into: bool) {
    if into {
        let mut room = server.read_buf(chunk.len());
        room.extend_from_slice(chunk);
        server.handle_read(now, room);
    } else {
        server.handle_input(now, chunk);
    }
}

/// Most operations one input runs (bounds the work of one execution).
const MAX_OPS: usize = 512;

/// Reads operations' fields from the fuzzer's bytes. Never fails: missing
/// bytes read as zero.
struct Reader<'a> {
    u: Unstructured<'a>,
    ops: usize,
}

impl<'a> Reader<'a> {
    fn new(data: &'a [u8]) -> Self {
        Self {
            u: Unstructured::new(data),
            ops: 0,
        }
    }

    /// The kind of the next operation (modulo `kinds`), or `None` at the end.
    fn next_op(&mut self, kinds: u8) -> Option<u8> {
        if self.u.is_empty() || self.ops >= MAX_OPS {
            return None;
        }
        self.ops += 1;
        Some(self.u8() % kinds)
    }

    fn u8(&mut self) -> u8 {
        // `Unstructured` pads missing bytes with zeros: it cannot fail here.
        self.u.arbitrary().unwrap_or(0)
    }

    fn u16(&mut self) -> u16 {
        self.u.arbitrary().unwrap_or(0)
    }

    /// The time after `now` the next operation moves to: a number of
    /// seconds, or for 0 the machine's next deadline `timeout` (if any), so
    /// that every timer can fire.
    fn later(&mut self, now: Instant, timeout: Option<Instant>) -> Instant {
        match (self.u16(), timeout) {
            (0, Some(at)) => now.max(at),
            (secs, _) => now + Duration::from_secs(u64::from(secs)),
        }
    }

    /// A byte string: a `u16` length (at most `MAX_CHUNK`) and its bytes.
    fn bytes(&mut self) -> &'a [u8] {
        let len = usize::from(self.u16()).min(MAX_CHUNK).min(self.u.len());
        self.u.bytes(len).unwrap_or_default()
    }

    /// `k` out of `n` choices (`n > 0`).
    fn pick(&mut self, n: usize) -> usize {
        usize::from(self.u8()) % n
    }
}
