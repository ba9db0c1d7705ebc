//! Errors, grouped by who is at fault: the peer ([`PeerViolation`]), the
//! caller ([`UsageError`]) or the configuration ([`ConfigError`]).
//!
//! None of them holds or prints a secret: the raw bytes of a peer's message
//! are kept for the caller ([`PeerViolation::raw`]) but `Debug` and
//! `Display` show only their length.

use std::fmt;

use bytes::Bytes;
use imapkit_codec::framer::FrameErrorKind;

/// The peer broke the protocol. The session skipped the offending message
/// (or, where that is not possible, closed the connection).
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} (message at byte {offset})")]
#[non_exhaustive]
pub struct PeerViolation {
    /// What was wrong.
    pub kind: ViolationKind,
    /// Stream offset of the offending message's first byte (after TLS and
    /// decompression: the offset in the IMAP stream).
    pub offset: u64,
    raw: Bytes,
}

impl PeerViolation {
    /// Most bytes of the offending message kept in [`raw`](Self::raw).
    pub const MAX_RAW: usize = 1024;

    /// A violation of the message at `offset` whose bytes are `raw` (cut to
    /// [`MAX_RAW`](Self::MAX_RAW) without copying).
    pub fn new(kind: ViolationKind, offset: u64, raw: &Bytes) -> Self {
        Self {
            kind,
            offset,
            raw: raw.slice(..raw.len().min(Self::MAX_RAW)),
        }
    }

    /// A violation that is not about one message's bytes.
    pub fn without_raw(kind: ViolationKind, offset: u64) -> Self {
        Self {
            kind,
            offset,
            raw: Bytes::new(),
        }
    }

    /// The offending message's first bytes, as received. They may hold a
    /// credential (a client's LOGIN line): do not log them unredacted.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }
}

impl fmt::Debug for PeerViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeerViolation")
            .field("kind", &self.kind)
            .field("offset", &self.offset)
            .field("raw", &format_args!("<{} bytes>", self.raw.len()))
            .finish()
    }
}

/// What a [`PeerViolation`] was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ViolationKind {
    /// The framer could not frame the message (a limit, a bare LF, ...).
    #[error("framing: {0}")]
    Framing(FrameErrorKind),
    /// The message does not follow the grammar; `at` is the offset of the
    /// offending byte within the message.
    #[error("syntax error at byte {at} of the message: {reason}")]
    Syntax {
        /// Why.
        reason: &'static str,
        /// Offset of the offending byte within the message.
        at: usize,
    },
    /// The server's first message was not a greeting (`* OK`, `* PREAUTH`,
    /// `* BYE`), RFC 9051 §7.1.
    #[error("expected a greeting (* OK, * PREAUTH or * BYE)")]
    NotAGreeting,
    /// A tagged response whose tag is not that of a command in flight
    /// (RFC 9051 §2.2.2).
    #[error("tagged response for a tag not in flight")]
    UnknownTag,
    /// A continuation request (`+`) when no command waits for one.
    #[error("continuation request while no command waits for one")]
    UnexpectedContinuation,
    /// An AUTHENTICATE challenge that is not base64.
    #[error("challenge is not base64")]
    BadChallenge,
    /// A response that names a message beyond the mailbox's size
    /// (`* 9 EXPUNGE` or `* 9 FETCH` with EXISTS 5), RFC 9051 §7.5.
    #[error("message {seq} is beyond the mailbox size {exists}")]
    BeyondExists {
        /// The sequence number.
        seq: u32,
        /// The mailbox's size as known.
        exists: u32,
    },
    /// EXISTS decreased without EXPUNGE (RFC 9051 §7.4.1).
    #[error("EXISTS {got} is less than {known} without EXPUNGE")]
    ExistsShrank {
        /// The number received.
        got: u32,
        /// The number known.
        known: u32,
    },
    /// EXISTS so large that the new messages cannot all have UIDs above the
    /// last known one (UIDs are 32-bit and strictly increase, RFC 9051
    /// §2.3.1.1).
    #[error("EXISTS {exists} leaves no room for UIDs above {last_uid}")]
    ExistsBeyondUids {
        /// The number received.
        exists: u32,
        /// The largest UID known.
        last_uid: u32,
    },
    /// A response that makes no sense in the session's state, e.g. mailbox
    /// data while no mailbox is selected, or an EXPUNGE while no command is
    /// in progress (RFC 9051 §7.5.1).
    #[error("{0}")]
    OutOfState(&'static str),
    /// The peer sent bytes after the connection should have ended (after BYE).
    #[error("data after BYE")]
    AfterBye,
    /// A FETCH gave a message a UID that does not fit between the UIDs of
    /// its neighbours: UIDs strictly increase with sequence numbers
    /// (RFC 9051 §2.3.1.1).
    #[error("UID {uid} of message {seq} contradicts the UID order")]
    UidOutOfOrder {
        /// The sequence number.
        seq: u32,
        /// The UID received.
        uid: u32,
    },
    /// A FETCH gave a message another UID than the one known for it (a UID
    /// never changes while UIDVALIDITY stays, RFC 9051 §2.3.1.1).
    #[error("message {seq} has UID {known}, not {got}")]
    UidChanged {
        /// The sequence number.
        seq: u32,
        /// The UID known for it.
        known: u32,
        /// The UID received.
        got: u32,
    },
    /// UIDVALIDITY changed while the mailbox stayed selected (RFC 9051
    /// §2.3.1.1: it is announced once, at selection).
    #[error("UIDVALIDITY {got} differs from {known} of the selected mailbox")]
    UidValidityChanged {
        /// The value known.
        known: u32,
        /// The value received.
        got: u32,
    },
    /// A VANISHED response (without EARLIER) named a UID that is not in the
    /// mailbox (RFC 7162 §3.2.10.2).
    #[error("VANISHED names UID {uid}, which is not in the mailbox")]
    VanishedNotInMailbox {
        /// The first such UID.
        uid: u32,
    },
}

/// The caller asked for something the session cannot do now. Nothing was
/// sent; the session is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsageError {
    /// The connection is closed (or closing: LOGOUT sent, BYE received).
    #[error("connection is closed")]
    Closed,
    /// The command is not valid in the session's state (RFC 9051 §3).
    #[error("{command} is not valid in state {state}")]
    WrongState {
        /// The command's name.
        command: &'static str,
        /// The session's state.
        state: &'static str,
    },
    /// The server did not announce the capability the request needs.
    #[error("server does not support {0}")]
    MissingCapability(&'static str),
    /// The request would send a password or bearer token on a connection
    /// not marked encrypted, and the policy forbids it.
    #[error("refusing to send credentials without TLS")]
    PlaintextCredentials,
    /// The server announced LOGINDISABLED (RFC 9051 §6.2.3).
    #[error("server disabled LOGIN (LOGINDISABLED)")]
    LoginDisabled,
    /// No such command in flight (or already completed).
    #[error("unknown or completed command")]
    UnknownCommand,
    /// The operation needs a state the session is not in (e.g. `idle_done`
    /// while not idling, `tls_established` without a STARTTLS OK).
    #[error("not expected now: {0}")]
    Unexpected(&'static str),
    /// The command cannot be encoded as given (e.g. a literal with NUL where
    /// the server has no BINARY).
    #[error("invalid command: {0}")]
    InvalidCommand(&'static str),
    /// The output queue is full: the peer is not reading (server: refused
    /// unsolicited data; try later or end the connection).
    #[error("output buffer is full")]
    OutputFull,
    /// The data needs an extension the peer has not enabled (e.g. VANISHED
    /// without `ENABLE QRESYNC`, RFC 7162 §3.2.10).
    #[error("peer has not enabled {0}")]
    NotEnabled(&'static str),
    /// An EXPUNGE to a client that enabled QRESYNC: it gets VANISHED with
    /// the message's UID instead (RFC 7162 §3.2.10), unless the mailbox
    /// was selected with `[NOMODSEQ]`.
    #[error("the client enabled QRESYNC: send VANISHED, not EXPUNGE")]
    VanishedRequired,
    /// Not valid in the session's protocol version. Server: `* SEARCH` to
    /// an IMAP4rev2 client whose SEARCH had RETURN options (it gets
    /// ESEARCH, RFC 9051 §6.4.4; a plain SEARCH's answer the session
    /// rewrites itself), an unsolicited FETCH without UID in IMAP4rev2
    /// (§7.5.2), a size above 4 GiB to an IMAP4rev1 client (RFC 9051
    /// Appendix D). Client: LSUB or CHECK to a server that speaks
    /// IMAP4rev2 only (Appendix E).
    #[error("not valid in the session's protocol version: {0}")]
    ProtocolVersion(&'static str),
    /// Client: a command waiting to be sent named messages by number, and
    /// every message a set of it named was expunged before it went out
    /// (RFC 9051 §7.5.1); not sent, since its numbers would now name
    /// others. (The numbers of the messages still there are moved as the
    /// mailbox's were; UID commands are not affected.)
    #[error("the messages the command named were expunged before it was sent")]
    Expunged,
    /// The SASL mechanism refused to start (e.g. a name SASLprep rejects).
    #[error("authentication mechanism: {0}")]
    Sasl(#[from] crate::sasl::SaslError),
}

/// A configuration that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The tag prefix is not a valid tag start.
    #[error("invalid tag prefix")]
    TagPrefix,
    /// A limit is out of its range.
    #[error("{0} out of range")]
    Limit(&'static str),
}
