//! What a response changed in the selected mailbox, as
//! [`SelectedMailbox`](super::SelectedMailbox) reports it.

use std::ops::RangeInclusive;

use imapkit_proto::{Flag, FlagPerm, ObjectId};

/// A change of the selected mailbox, in the order the responses came.
///
/// Sequence numbers are those right after the change (an [`Expunged`]
/// message's `seq` is its number just before it left). UIDs are `None`
/// where the model does not know them yet.
///
/// [`Expunged`]: MailboxChange::Expunged
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MailboxChange {
    /// `* n EXISTS` grew the mailbox (RFC 9051 §7.4.1): the `new` messages
    /// are `exists - new + 1 ..= exists`, their UIDs unknown until fetched.
    /// During a SELECT the first EXISTS reports the whole mailbox as new to
    /// the model.
    Exists {
        /// The number of messages.
        exists: u32,
        /// How many of them were added by this response.
        new: u32,
    },
    /// `* n RECENT` (RFC 3501 §7.3.2, IMAP4rev1 only).
    Recent(u32),
    /// `* n EXPUNGE` (RFC 9051 §7.5.1): message `seq` left; the messages
    /// after it moved down by one.
    Expunged {
        /// The message's sequence number before it left.
        seq: u32,
        /// Its UID, if known.
        uid: Option<u32>,
    },
    /// `* VANISHED [(EARLIER)] uids` (RFC 7162 §3.2.10), the UIDs sorted and
    /// merged into ranges.
    ///
    /// Without `earlier`, these messages left the mailbox now and the
    /// messages after each moved down. With `earlier`, they left while the
    /// client was not looking (answer to SELECT QRESYNC or UID FETCH
    /// VANISHED): the mailbox size and numbers stay, and the UIDs may
    /// include some the client never knew; a cache drops them.
    Vanished {
        /// The UIDs.
        uids: Vec<RangeInclusive<u32>>,
        /// `(EARLIER)`.
        earlier: bool,
    },
    /// A FETCH response carried a message's flags (RFC 9051 §7.5.2) that
    /// no FETCH in flight asked for (a change made elsewhere, or the answer
    /// to a STORE): they are its flags now. The flags a FETCH asked for
    /// are its answer, in its [`Data`](imapkit_proto::Data) events, and
    /// make no change.
    FlagsChanged {
        /// The message's sequence number.
        seq: u32,
        /// Its UID, if known.
        uid: Option<u32>,
        /// Its flags, `\Recent` left out.
        flags: Vec<Flag<'static>>,
        /// Whether `\Recent` was among them (IMAP4rev1).
        recent: bool,
        /// Its mod-sequence, when the response had one (RFC 7162 §3.1.4.2).
        modseq: Option<u64>,
    },
    /// A FETCH response carried a message's mod-sequence without its flags
    /// (e.g. after `STORE ... .SILENT`, RFC 7162 §3.1.4.2).
    ModSeqChanged {
        /// The message's sequence number.
        seq: u32,
        /// Its UID, if known.
        uid: Option<u32>,
        /// The mod-sequence.
        modseq: u64,
    },
    /// The mailbox's highest mod-sequence as a cache may record it: from a
    /// `HIGHESTMODSEQ` code, or at a tagged response the highest MODSEQ seen
    /// since the previous one (RFC 7162 §3.1.2.1, §6).
    HighestModSeq(u64),
    /// `NOMODSEQ` (RFC 7162 §3.1.2.2): the mailbox keeps no mod-sequences;
    /// a cached HIGHESTMODSEQ must be forgotten.
    NoModSeq,
    /// `UIDVALIDITY n`, learned at selection (RFC 9051 §2.3.1.1).
    UidValidity(u32),
    /// The server's UIDVALIDITY differs from the cached snapshot's (or the
    /// server sent none: `new` is 0): every cached UID is void and the model
    /// starts from scratch (RFC 7162 §6 step 1a).
    UidValidityChanged {
        /// The snapshot's UIDVALIDITY.
        old: u32,
        /// The server's.
        new: u32,
    },
    /// `UIDNEXT n` (RFC 9051 §7.1).
    UidNext(u32),
    /// `* FLAGS (...)`: the flags defined in the mailbox (RFC 9051 §7.3.5).
    Flags(Vec<Flag<'static>>),
    /// `PERMANENTFLAGS (...)` (RFC 9051 §7.1).
    PermanentFlags(Vec<FlagPerm<'static>>),
    /// `READ-ONLY` (true) or `READ-WRITE` (false) (RFC 9051 §7.1).
    ReadOnly(bool),
    /// `MAILBOXID (id)` (RFC 8474 §4.1).
    MailboxId(ObjectId<'static>),
    /// A SELECT with QRESYNC completed and the cached snapshot applied: the
    /// model knows the UID of every message the snapshot knew, and the
    /// `unknown` messages whose UIDs it does not know are new since the
    /// snapshot (see [`UidMap::unknown_seqs`](super::UidMap::unknown_seqs)).
    Resynced {
        /// Messages whose UIDs are unknown.
        unknown: u32,
    },
    /// A SELECT with QRESYNC completed, but the server's answer does not
    /// agree with the cached snapshot (or the server ignored QRESYNC:
    /// NOMODSEQ, no HIGHESTMODSEQ). The snapshot was not applied: only the
    /// UIDs the server sent are known, and a full UID resync is needed
    /// (`FETCH 1:* (UID FLAGS)`, or `UID SEARCH ALL` against the cache).
    ResyncNeeded {
        /// Messages whose UIDs are unknown.
        unknown: u32,
    },
}
