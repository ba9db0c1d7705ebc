//! What the client tells the application: events, command completions, and
//! why a connection closed.

use std::fmt;

use bytes::Bytes;
use imapkit_proto::{CopyUidCode, Data, Greeting, ResponseCode, StatusResponse, Tag, Text};

use crate::error::{PeerViolation, UsageError};
use crate::handle::CommandHandle;
use crate::sasl::SaslError;

/// Something the application should know, in the order it happened.
///
/// Events own their data: decoded values share the received frame
/// (`into_shared`), so even a large `BODY[]` is not copied again.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The server greeted (`* OK`, `* PREAUTH`; a `* BYE` greeting closes
    /// the connection with [`CloseReason::Bye`]).
    Greeting(Greeting<'static>),
    /// A command's first bytes were queued for sending, with this tag
    /// (again, with a new tag, for each IDLE the refresh timer restarts).
    CommandSent {
        /// The command.
        handle: CommandHandle,
        /// Its tag.
        tag: Tag<'static>,
    },
    /// Untagged data, in order. `handle` names the command that asked for
    /// it when that is unambiguous: the only command in flight whose kind
    /// of answer this is, and for a FETCH response the only FETCH or STORE
    /// whose messages (its sequence set) hold it. Unsolicited data (EXISTS,
    /// EXPUNGE) has `None` or the command it arrived during; a FETCH of
    /// flags another device changed has `None` unless it is about a
    /// message the command asked for (then the two cannot be told apart;
    /// the mailbox model reports it as a change only when no FETCH asked
    /// for it, [`MailboxChange::FlagsChanged`](crate::mailbox::MailboxChange::FlagsChanged)).
    ///
    /// Message numbers in data (`* SEARCH 3`, `* 3 FETCH` without UID)
    /// are those of the moment the response came. The mailbox model is
    /// brought up to date as responses are read, which may be ahead of the
    /// events taken: an `* 2 EXPUNGE` later in the same read has already
    /// moved the model's numbers when the SEARCH's event is taken. Resolve
    /// such numbers by the [`Mailbox`](Self::Mailbox) events in order, ask
    /// for UIDs (UID SEARCH, FETCH with UID), or set
    /// [`ClientConfig::max_queued_events`](super::ClientConfig::max_queued_events)
    /// to 1, with which the rest of a read waits until the event is taken.
    Data {
        /// The command it answers, where unambiguous.
        handle: Option<CommandHandle>,
        /// The data.
        data: Data<'static>,
    },
    /// An untagged `OK`, `NO` or `BAD` (RFC 9051 §7.1): warnings, and
    /// response codes such as `UIDVALIDITY` (also applied to the mailbox model).
    Status {
        /// The command in flight, if exactly one is.
        handle: Option<CommandHandle>,
        /// The response.
        status: StatusResponse<'static>,
    },
    /// An `[ALERT]` (RFC 9051 §7.1): text the user must see. `trusted` is
    /// `false` when it arrived on a connection that was not encrypted:
    /// anyone on the path could have written it ("NO STARTTLS", UI
    /// spoofing); show it as such, or not at all.
    Alert {
        /// The alert text.
        text: Text<'static>,
        /// Whether it came over TLS.
        trusted: bool,
    },
    /// A `[REFERRAL url]` (RFC 2221/2193): reported, never followed. An
    /// untrusted referral could redirect the user to an attacker's server.
    Referral {
        /// The URL as sent.
        url: String,
        /// Whether it came over TLS.
        trusted: bool,
    },
    /// The server's capabilities were learned or forgotten; read them with
    /// [`Client::capabilities`](super::Client::capabilities).
    CapabilitiesChanged,
    /// The selected mailbox's model changed; read it with
    /// [`Client::mailbox`](super::Client::mailbox).
    Mailbox(crate::mailbox::MailboxChange),
    /// STARTTLS succeeded: run the TLS handshake on the connection now
    /// (everything received so far was discarded), then call
    /// [`Client::tls_established`](super::Client::tls_established). Nothing
    /// is consumed or sent in between.
    StartTls {
        /// The STARTTLS command.
        handle: CommandHandle,
    },
    /// Bytes that arrived in plaintext after the STARTTLS OK, before TLS,
    /// were discarded: a response injection attempt ("NO STARTTLS", buffering)
    /// or a broken server.
    InjectionDiscarded {
        /// How many bytes.
        bytes: usize,
    },
    /// COMPRESS=DEFLATE is active (RFC 4978): from now on the client
    /// compresses what it sends and inflates what it receives; keep
    /// passing raw socket bytes.
    CompressionActive {
        /// The COMPRESS command.
        handle: CommandHandle,
    },
    /// The server accepted IDLE (`+`): updates arrive as `Data` and `Mailbox` events.
    IdleStarted {
        /// The IDLE command.
        handle: CommandHandle,
    },
    /// The client ended IDLE with DONE and started it again, because
    /// [`ClientConfig::idle_refresh`](super::ClientConfig::idle_refresh) passed.
    IdleRefreshed {
        /// The IDLE command (the same handle throughout).
        handle: CommandHandle,
    },
    /// A streamed literal begins (one longer than the framer's
    /// `stream_literals_above`): its data follows as
    /// [`LiteralChunk`](Self::LiteralChunk)s, and the `Data` event of its
    /// response holds an empty literal in its place.
    LiteralStart {
        /// The announced length.
        len: u64,
        /// Stream offset of its first byte.
        offset: u64,
    },
    /// Data of a streamed literal.
    LiteralChunk(Bytes),
    /// The streamed literal ended.
    LiteralEnd,
    /// The server sent `* BYE` (RFC 9051 §7.1.5); the connection closes.
    Bye {
        /// The response code (RFC 5530 codes such as `UNAVAILABLE`).
        code: Option<ResponseCode<'static>>,
        /// The text.
        text: Text<'static>,
    },
    /// The server broke the protocol; the message was skipped.
    Violation(PeerViolation),
    /// A command ended. Exactly one per enqueued command. Boxed: at 200
    /// bytes it made every event, the data events most of all, that large
    /// to move.
    Completed(Box<Completion>),
    /// The connection is closed; the last event.
    Closed {
        /// Why.
        reason: CloseReason,
    },
}

/// The end of a command: its tagged response, or why there was none.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Completion {
    /// The command.
    pub handle: CommandHandle,
    /// Its tag, if it was sent.
    pub tag: Option<Tag<'static>>,
    /// How it ended.
    pub outcome: Outcome,
    /// The tagged response's code (RFC 5530: `AUTHENTICATIONFAILED`, ...).
    pub code: Option<ResponseCode<'static>>,
    /// The tagged response's text.
    pub text: Option<Text<'static>>,
    /// AUTHENTICATE that failed: what the server said inside the SASL
    /// exchange (the JSON of an XOAUTH2 / OAUTHBEARER error challenge,
    /// SCRAM's `e=`), never a secret.
    pub sasl_detail: Option<String>,
    /// A COPY or MOVE that succeeded: the `COPYUID` of UIDPLUS (RFC 4315
    /// §3), the UIDs the messages got in the target mailbox. From the
    /// tagged response's code (COPY), or from the untagged `OK [COPYUID]`
    /// a server sends before the tagged response of a MOVE (RFC 6851
    /// §4.3), whichever came; `None` from a server without UIDPLUS.
    pub copy_uid: Option<Box<CopyUidCode>>,
}

impl Completion {
    /// Whether the server answered OK (and, for AUTHENTICATE, the mechanism
    /// accepted the server's final message).
    pub fn is_ok(&self) -> bool {
        self.outcome == Outcome::Ok
    }

    /// `Ok(())` for OK, else the error with its code and text.
    pub fn result(&self) -> Result<(), CommandError> {
        let code = self.code.clone();
        let text = self.text.as_ref().map(|t| t.to_string_lossy().into_owned());
        match &self.outcome {
            Outcome::Ok => Ok(()),
            Outcome::No => Err(CommandError::No { code, text }),
            Outcome::Bad => Err(CommandError::Bad { code, text }),
            Outcome::ConnectionClosed => Err(CommandError::ConnectionClosed),
            Outcome::TimedOut => Err(CommandError::TimedOut),
            Outcome::NotSent(e) => Err(CommandError::NotSent(e.clone())),
            Outcome::Sasl(e) => Err(CommandError::Sasl(e.clone())),
        }
    }
}

/// How a command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Tagged OK.
    Ok,
    /// Tagged NO: the server could not do it.
    No,
    /// Tagged BAD: the server did not understand it (or refused a literal).
    Bad,
    /// The connection closed before the server answered.
    ConnectionClosed,
    /// The server stayed silent past the command timeout; the connection was closed.
    TimedOut,
    /// Not sent: when its turn came the session could not send it (an
    /// earlier LOGIN failed, the server lacks a capability, ...).
    NotSent(UsageError),
    /// AUTHENTICATE: the mechanism failed (e.g. the server's SCRAM
    /// signature did not verify, which closes the connection).
    Sasl(SaslError),
}

/// A failed command, for `?` in application code: the server's status with
/// its response code and text, or the local reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// Tagged NO.
    #[error("server said NO{}", describe(.code, .text))]
    No {
        /// The response code.
        code: Option<ResponseCode<'static>>,
        /// The text.
        text: Option<String>,
    },
    /// Tagged BAD.
    #[error("server said BAD{}", describe(.code, .text))]
    Bad {
        /// The response code.
        code: Option<ResponseCode<'static>>,
        /// The text.
        text: Option<String>,
    },
    /// The connection closed first.
    #[error("connection closed before the command completed")]
    ConnectionClosed,
    /// The server stayed silent.
    #[error("server did not answer in time")]
    TimedOut,
    /// Not sent.
    #[error("not sent: {0}")]
    NotSent(UsageError),
    /// The SASL mechanism failed.
    #[error("authentication: {0}")]
    Sasl(SaslError),
}

fn describe(code: &Option<ResponseCode<'static>>, text: &Option<String>) -> String {
    let mut s = String::new();
    if let Some(code) = code {
        s.push_str(&format!(" [{}]", code_name(code)));
    }
    if let Some(text) = text.as_deref().filter(|t| !t.is_empty()) {
        s.push_str(": ");
        s.push_str(text);
    }
    s
}

/// The code's name as on the wire (`AUTHENTICATIONFAILED`), without arguments.
pub(crate) fn code_name(code: &ResponseCode<'_>) -> String {
    let mut out = Vec::new();
    imapkit_codec::encode(code, &mut out);
    let end = out.iter().position(|&b| b == b' ').unwrap_or(out.len());
    String::from_utf8_lossy(&out[..end]).into_owned()
}

/// Why the connection closed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// LOGOUT completed (RFC 9051 §6.1.3).
    Logout,
    /// The server said BYE (in the greeting or later) and closed.
    Bye {
        /// The code (RFC 5530: `UNAVAILABLE`, `LIMIT`, ...).
        code: Option<ResponseCode<'static>>,
        /// The text.
        text: Text<'static>,
    },
    /// The connection ended without BYE ([`Client::handle_eof`](super::Client::handle_eof)).
    Eof,
    /// No greeting within [`ClientConfig::greeting_timeout`](super::ClientConfig::greeting_timeout).
    GreetingTimeout,
    /// The server stayed silent past
    /// [`ClientConfig::command_timeout`](super::ClientConfig::command_timeout)
    /// while a command was in progress.
    CommandTimeout,
    /// The server broke the protocol beyond repair (e.g. no greeting).
    Violation(PeerViolation),
    /// The STARTTLS policy could not be met.
    TlsPolicy(TlsPolicyError),
    /// Authentication showed the server is not who it claims (SCRAM).
    Sasl(SaslError),
    /// The compressed stream from the server is corrupt.
    Compression,
    /// The application closed the session ([`Client::close`](super::Client::close)).
    Local,
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Logout => f.write_str("logged out"),
            Self::Bye { code, text } => {
                write!(f, "server closed the connection (BYE")?;
                if let Some(code) = code {
                    write!(f, " [{}]", code_name(code))?;
                }
                write!(f, " {})", text.to_string_lossy())
            }
            Self::Eof => f.write_str("connection closed by the server without BYE"),
            Self::GreetingTimeout => f.write_str("no greeting from the server in time"),
            Self::CommandTimeout => f.write_str("server stopped answering"),
            Self::Violation(v) => write!(f, "protocol violation: {v}"),
            Self::TlsPolicy(e) => write!(f, "TLS policy: {e}"),
            Self::Sasl(e) => write!(f, "authentication: {e}"),
            Self::Compression => f.write_str("corrupt compressed stream"),
            Self::Local => f.write_str("closed by the application"),
        }
    }
}

/// Why the STARTTLS policy failed ("NO STARTTLS", USENIX Security 2021, §4.3:
/// STARTTLS stripping).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TlsPolicyError {
    /// The server did not announce STARTTLS.
    #[error("server does not offer STARTTLS")]
    NotOffered,
    /// The server answered STARTTLS with NO or BAD.
    #[error("server refused STARTTLS")]
    Refused,
    /// The server greeted with PREAUTH on a plaintext connection, which
    /// leaves no chance to upgrade (RFC 9051 §6.2.1 forbids STARTTLS after
    /// authentication): an attacker could have sent it.
    #[error("PREAUTH greeting on a plaintext connection")]
    PreAuthOnPlaintext,
}
