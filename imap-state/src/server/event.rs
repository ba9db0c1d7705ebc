//! What the server session reports to the application
//! ([`Server::poll_event`](super::Server::poll_event)).

use imapkit_proto::{AuthMechanism, Capability, Command, Data};

use super::audit::AuditEvent;
use super::decision::{AppendCheck, LoginAttempt, Request, RequestId, ScramLookup};
use crate::error::PeerViolation;
use crate::sasl::Identity;

/// An event of a server session, in the order things happened.
///
/// Events own their data and name what happened (past tense). A command's
/// data shares the received frame (`into_shared`): a 20 MiB APPEND is not
/// copied again on its way to the application.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// A command for the application arrived. Send its untagged data with
    /// [`Server::send_data`](super::Server::send_data), then complete it with
    /// [`Server::respond`](super::Server::respond).
    CommandReceived {
        /// The token to complete it with.
        request: Request,
        /// The command (tag and body).
        command: Command<'static>,
    },
    /// An APPEND message is announced, its data not sent yet (only with
    /// [`ServerConfig::check_appends`](super::ServerConfig::check_appends)):
    /// check the mailbox, the size, a quota, then answer with
    /// [`Server::accept_append`](super::Server::accept_append) (`+`) or
    /// [`Server::refuse_append`](super::Server::refuse_append) (a tagged
    /// NO such as `[TRYCREATE]` or `[TOOBIG]`; the client does not send the
    /// data). The session reads nothing more until then.
    AppendCheck(AppendCheck),
    /// Credentials to check (LOGIN, or a SASL mechanism such as PLAIN):
    /// answer with [`Server::decide_login`](super::Server::decide_login).
    LoginAttempt(LoginAttempt),
    /// A SCRAM exchange needs a user's stored secrets: answer with
    /// [`Server::supply_scram`](super::Server::supply_scram).
    ScramLookup(ScramLookup),
    /// The client is authenticated (the tagged OK is queued).
    Authenticated {
        /// Who (and as whom).
        identity: Identity,
        /// The SASL mechanism; `None` for the LOGIN command.
        mechanism: Option<AuthMechanism<'static>>,
    },
    /// The OK to STARTTLS is queued and the session stopped reading: send
    /// everything [`poll_transmit`](super::Server::poll_transmit) gives,
    /// then run the TLS handshake on the connection and call
    /// [`Server::tls_established`](super::Server::tls_established).
    StartTlsReady,
    /// IDLE began (`+ idling` is queued): push mailbox updates with
    /// [`Server::send_unsolicited`](super::Server::send_unsolicited) until
    /// [`IdleEnded`](Self::IdleEnded), or until the session closes
    /// ([`Closed`](Self::Closed): no `IdleEnded` then).
    IdleStarted {
        /// The IDLE command.
        request: RequestId,
    },
    /// IDLE ended: the client sent DONE (the session completed the command
    /// with OK), or something else (BAD).
    IdleEnded {
        /// The IDLE command.
        request: RequestId,
        /// Whether the client ended it with DONE.
        done: bool,
    },
    /// An EXPUNGE or VANISHED (not `EARLIER`) response went into the
    /// output: at once, or when the EXPUNGE rules (RFC 9051 §7.5.1) let a
    /// held one go ([`Server::held_expunges`](super::Server::held_expunges)).
    /// From here on the client numbers the messages without the one it
    /// removes. Events keep their order with
    /// [`CommandReceived`](Self::CommandReceived) (held ones a command lets
    /// out come after that command's `CommandReceived`: the client wrote
    /// it before it saw them), so an application that reads the message
    /// numbers of the client's commands (`COPY 3 Trash`) applies each one
    /// to its view of the client's numbering when it comes, not when it
    /// called `send_unsolicited`.
    ExpungeSent {
        /// The response, as sent.
        data: Data<'static>,
    },
    /// The client enabled these extensions (RFC 5161), or CONDSTORE by a
    /// CONDSTORE-enabling command (`SELECT (CONDSTORE)`, a FETCH of
    /// `MODSEQ`, `CHANGEDSINCE`, `UNCHANGEDSINCE`, RFC 7162 §3.1), before
    /// that command's `CommandReceived`; the session's output follows them
    /// (see [`Server::enabled`](super::Server::enabled)).
    Enabled(Vec<Capability<'static>>),
    /// For the access log.
    Audit(AuditEvent),
    /// The client broke the protocol; the session answered (BAD or NO) and
    /// went on, or closed the connection.
    Violation(PeerViolation),
    /// The connection is over: everything to send has been queued (a
    /// `* BYE` where one is due). Comes once, as the last event.
    Closed {
        /// Why.
        reason: CloseReason,
    },
}

/// Why a server session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CloseReason {
    /// The client sent LOGOUT.
    Logout,
    /// The client closed the connection (end of input).
    PeerClosed,
    /// No command within the autologout time (RFC 9051 §5.4).
    AutoLogout,
    /// IDLE lasted longer than the maximum.
    IdleTimeout,
    /// Too many failed authentications.
    AuthFailures,
    /// Too many unparseable or unknown commands before authentication.
    Garbage,
    /// A limit that cannot be answered by refusing one command (a
    /// non-synchronizing literal too large to skip, unread input piling up).
    Limit,
    /// The greeting was BYE: the server refused the connection.
    Refused,
    /// The application called [`Server::bye`](super::Server::bye).
    ServerBye,
}
