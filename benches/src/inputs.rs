//! The inputs of the benchmark groups, built once from the seeded generators.
//!
//! A group can have two inputs: `full`, the realistic traffic, and a subset
//! that every crate compared can decode (the shapes left out are named by the
//! input). Ratios are always taken between two sides on the same input.

use crate::{bodies, client_mix, concat, mixed_small, sync_metadata_with, without};

/// The seed of every input (the numbers in RESULTS.md are for this seed).
pub const SEED: u64 = 0x1_4A50;

/// Messages in `responses/sync_metadata`.
pub const SYNC_COUNT: u32 = 3_000;

/// Messages in `responses/mixed_small`.
pub const MIXED_COUNT: u32 = 10_000;

/// Commands in `commands/client_mix`.
pub const CLIENT_COUNT: u32 = 5_000;

/// Message shapes imap-codec 1.0 cannot decode in responses: the `MODSEQ`
/// FETCH item (RFC 7162 CONDSTORE) is not implemented there.
pub const IMAP_CODEC_UNSUPPORTED_RESPONSES: &[&str] = &[" MODSEQ ("];

/// Command shapes imap-codec 1.0 cannot decode: FETCH modifiers
/// (`CHANGEDSINCE`, RFC 7162), `SELECT ... (QRESYNC ...)` (RFC 7162) and
/// `SEARCH RETURN (...)` (RFC 4731 ESEARCH).
pub const IMAP_CODEC_UNSUPPORTED_COMMANDS: &[&str] = &["CHANGEDSINCE", "QRESYNC", "RETURN ("];

/// One benchmark input: whole messages and the same bytes as one stream.
#[derive(Debug, Clone)]
pub struct Input {
    /// The input's name in benchmark ids (`full`, `no-modseq`, ...).
    pub name: &'static str,
    /// The messages, each ending in CRLF.
    pub messages: Vec<Vec<u8>>,
    /// The messages joined.
    pub stream: Vec<u8>,
}

impl Input {
    /// An input of `messages`.
    pub fn new(name: &'static str, messages: Vec<Vec<u8>>) -> Self {
        let stream = concat(&messages);
        Self {
            name,
            messages,
            stream,
        }
    }

    /// Number of messages.
    pub fn count(&self) -> usize {
        self.messages.len()
    }

    /// Number of bytes.
    pub fn len(&self) -> usize {
        self.stream.len()
    }

    /// True if there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.stream.is_empty()
    }
}

/// `responses/sync_metadata`, `full`: FETCH with UID, FLAGS, INTERNALDATE,
/// RFC822.SIZE, ENVELOPE, BODYSTRUCTURE and MODSEQ.
pub fn sync_full() -> Input {
    Input::new("full", sync_metadata_with(SEED, SYNC_COUNT, true))
}

/// `responses/sync_metadata`, `no-modseq`: the same FETCH responses without
/// the MODSEQ item, which imap-codec 1.0 cannot decode.
pub fn sync_no_modseq() -> Input {
    Input::new("no-modseq", sync_metadata_with(SEED, SYNC_COUNT, false))
}

/// `responses/bodies`: `BODY[]` literals from 1 KiB to 2 MiB.
pub fn bodies_full() -> Input {
    Input::new("full", bodies(SEED))
}

/// `responses/mixed_small`, `full`.
pub fn mixed_full() -> Input {
    Input::new("full", mixed_small(SEED, MIXED_COUNT))
}

/// `responses/mixed_small`, `no-modseq`: without the `FETCH (FLAGS .. MODSEQ (..))` shape.
pub fn mixed_no_modseq() -> Input {
    Input::new(
        "no-modseq",
        without(
            &mixed_small(SEED, MIXED_COUNT),
            IMAP_CODEC_UNSUPPORTED_RESPONSES,
        ),
    )
}

/// `commands/client_mix`, `full`.
pub fn client_full() -> Input {
    Input::new("full", client_mix(SEED, CLIENT_COUNT))
}

/// `commands/client_mix`, `no-condstore`: without the CONDSTORE, QRESYNC and
/// ESEARCH shapes that imap-codec 1.0 cannot decode.
pub fn client_no_condstore() -> Input {
    Input::new(
        "no-condstore",
        without(
            &client_mix(SEED, CLIENT_COUNT),
            IMAP_CODEC_UNSUPPORTED_COMMANDS,
        ),
    )
}

/// True if `IMAP_BENCH_QUICK` is set (and not `0`): shorter measurements.
pub fn quick() -> bool {
    std::env::var_os("IMAP_BENCH_QUICK").is_some_and(|v| v != "0")
}
