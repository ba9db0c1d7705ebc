//! Audit events for access-log monitoring: every authentication attempt,
//! discarded injection bytes, limits hit, the end of each connection.
//!
//! An audit event never holds a secret: user names are kept (they identify
//! the attacked account), passwords, tokens and SASL messages are not. Its
//! `Display` is a one-line log record.

use std::fmt;
use std::net::SocketAddr;

use imapkit_proto::AuthMechanism;

use super::event::CloseReason;

/// Something the operator's access log should record.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuditEvent {
    /// The peer address the application set with
    /// [`Server::set_peer_address`](super::Server::set_peer_address).
    pub peer: Option<SocketAddr>,
    /// Whether the connection was encrypted at the time.
    pub tls: bool,
    /// What happened.
    pub kind: AuditKind,
}

/// What an [`AuditEvent`] records.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuditKind {
    /// An authentication attempt (LOGIN or AUTHENTICATE) ended.
    AuthAttempt {
        /// The SASL mechanism; `None` for the LOGIN command.
        mechanism: Option<AuthMechanism<'static>>,
        /// The user name, when the client got as far as sending one.
        user: Option<String>,
        /// How it ended.
        outcome: AuthOutcome,
        /// Failed attempts on this connection so far, this one included.
        failures: u32,
    },
    /// Bytes that arrived after a STARTTLS command, before the TLS
    /// handshake, were dropped unread (command injection, RFC 9051 §6.2.1).
    InjectionDiscarded {
        /// How many.
        bytes: usize,
    },
    /// A client hit a limit.
    LimitHit {
        /// Which.
        limit: LimitKind,
    },
    /// The connection ended.
    Closed {
        /// Why.
        reason: CloseReason,
    },
}

/// How an authentication attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthOutcome {
    /// Authenticated.
    Success,
    /// Wrong credentials (or unknown user): `NO [AUTHENTICATIONFAILED]`.
    Failed,
    /// Refused by the application's own limits (`NO [UNAVAILABLE]`),
    /// authorization or expiry.
    Refused,
    /// A reusable secret on a connection without TLS: `NO [PRIVACYREQUIRED]`.
    /// The client may have sent its password in clear text already.
    PrivacyRequired,
    /// The client cancelled the exchange (`*`).
    Cancelled,
    /// The client's SASL messages were malformed (bad base64, bad syntax),
    /// or its LOGIN or AUTHENTICATE command was refused before it ran: it
    /// does not parse, or it broke a limit (a line too long, a literal too
    /// large). The user is recorded as far as the command names it.
    Malformed,
    /// The mechanism is not offered.
    UnsupportedMechanism,
    /// The connection ended before the attempt did: the client left, a
    /// timer or a limit ended the session, or the application called
    /// [`Server::bye`](super::Server::bye). The application may have been
    /// handed the credentials already ([`Event::LoginAttempt`](super::Event::LoginAttempt)),
    /// and its late answer is refused.
    Interrupted,
    /// The client proved its credentials (a SCRAM proof verified), then
    /// cancelled, answered the server's final message with something other
    /// than the empty acknowledgment, or left: the credentials were right,
    /// and no session was established. A client does this when the
    /// server's signature does not verify (the server does not hold the
    /// user's secrets: a man in the middle?); a password guesser may do it
    /// to confirm a password without a login on record. Not counted as a
    /// failure.
    Abandoned,
    /// LOGIN or AUTHENTICATE after the session authenticated (RFC 9051
    /// §6.2: valid only in the not-authenticated state), answered BAD. The
    /// credentials were not checked, and the attempt is not counted as a
    /// failure; it is recorded because a LOGIN may carry a password all the
    /// same (a confused client, or a probe on a stolen session).
    WrongState,
}

/// A limit a client hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LimitKind {
    /// A command line longer than the limit.
    LineTooLong,
    /// A literal larger than the limit.
    LiteralTooLarge,
    /// A command larger than the limit.
    MessageTooLong,
    /// Parentheses nested too deep.
    TooDeep,
    /// A list with too many items.
    TooManyItems,
    /// A tag longer than the limit.
    TagTooLong,
    /// More literals in one command than the limit.
    TooManyLiterals,
    /// A non-synchronizing literal longer than LITERAL- allows (4096 bytes).
    LiteralMinus,
    /// A refused non-synchronizing literal longer than the most the server
    /// reads and drops: the connection ends.
    DiscardCap,
    /// Unparseable or unknown commands before authentication: the
    /// connection ends.
    Garbage,
    /// Failed authentications: the connection ends.
    AuthFailures,
    /// Input kept arriving while the session was not reading.
    InputBacklog,
    /// The client's COMPRESS=DEFLATE stream is corrupt: the connection ends.
    Compression,
}

impl LimitKind {
    /// A short name for logs.
    pub fn name(self) -> &'static str {
        match self {
            Self::LineTooLong => "line too long",
            Self::LiteralTooLarge => "literal too large",
            Self::MessageTooLong => "command too long",
            Self::TooDeep => "nesting too deep",
            Self::TooManyItems => "too many list items",
            Self::TagTooLong => "tag too long",
            Self::TooManyLiterals => "too many literals in one command",
            Self::LiteralMinus => "non-synchronizing literal over 4096 bytes",
            Self::DiscardCap => "refused literal too large to skip",
            Self::Garbage => "too many invalid commands before login",
            Self::AuthFailures => "too many failed authentications",
            Self::InputBacklog => "too much unread input",
            Self::Compression => "corrupt compressed input",
        }
    }
}

impl fmt::Display for AuditEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.peer {
            Some(peer) => write!(f, "peer={peer}")?,
            None => f.write_str("peer=-")?,
        }
        write!(f, " tls={}", if self.tls { "yes" } else { "no" })?;
        match &self.kind {
            AuditKind::AuthAttempt {
                mechanism,
                user,
                outcome,
                failures,
            } => {
                match mechanism {
                    Some(m) => write!(
                        f,
                        " auth mechanism={}",
                        String::from_utf8_lossy(m.as_bytes())
                    )?,
                    None => f.write_str(" login")?,
                }
                f.write_str(" user=")?;
                match user {
                    // Debug quoting escapes control characters a client may
                    // have put into the name to forge log lines.
                    Some(user) => write!(f, "{user:?}")?,
                    None => f.write_str("-")?,
                }
                write!(f, " outcome={outcome:?} failures={failures}")
            }
            AuditKind::InjectionDiscarded { bytes } => {
                write!(f, " starttls-injection discarded={bytes}")
            }
            AuditKind::LimitHit { limit } => write!(f, " limit {:?}", limit.name()),
            AuditKind::Closed { reason } => write!(f, " closed reason={reason:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_one_escaped_line() {
        let e = AuditEvent {
            peer: Some("192.0.2.7:50123".parse().unwrap()),
            tls: false,
            kind: AuditKind::AuthAttempt {
                mechanism: Some(AuthMechanism::Plain),
                user: Some("eve\r\nforged".to_owned()),
                outcome: AuthOutcome::Failed,
                failures: 2,
            },
        };
        assert_eq!(
            e.to_string(),
            "peer=192.0.2.7:50123 tls=no auth mechanism=PLAIN user=\"eve\\r\\nforged\" \
             outcome=Failed failures=2"
        );
    }
}
