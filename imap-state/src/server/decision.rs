//! What the application hands back to the session: the completion of a
//! command, and the answers to its decisions.
//!
//! A command handed out ([`Request`]) and a decision asked for
//! ([`LoginAttempt`], [`ScramLookup`], [`AppendCheck`]) are owned tokens, like quinn-proto's
//! `Incoming`: answering consumes the token, so a command cannot be
//! completed twice, and a token that is dropped unanswered leaves its
//! command in flight, where it stays visible: it counts in
//! [`Server::in_flight`] (and towards the in-flight limit), a command that
//! runs alone or a pending login decision keeps the session from reading
//! further commands ([`Server::wants_read`] stays false), and the
//! autologout timer ends a connection stuck that way. The tokens are
//! `#[must_use]`. A token belongs to the session that made it: ids carry
//! their session's number in the process, and another session refuses
//! the token.
//!
//! [`Server::wants_read`]: super::Server::wants_read
//! [`Server::in_flight`]: super::Server::in_flight

use imapkit_proto::{AuthMechanism, DateTime, Flag, Mailbox, RespText, ResponseCode, Status, Text};

use crate::error::UsageError;
use crate::sasl::{Credentials, Identity};

/// Identifies a command in flight: `Copy`, for maps and logs. The
/// [`Request`] token carries it. Ids are unique in the process, not only
/// in their session: a token given to the wrong [`Server`](super::Server)
/// is refused there ([`UsageError::UnknownCommand`](crate::error::UsageError::UnknownCommand)),
/// never taken for one of its own commands.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId {
    /// The session's number in this process.
    pub(crate) session: u64,
    /// The command's number in its session.
    pub(crate) n: u64,
}

/// `RequestId(n)`, the command's number in its session: a session's log
/// reads the same whichever sessions came before it.
impl std::fmt::Debug for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("RequestId").field(&self.n).finish()
    }
}

impl RequestId {
    /// The next session's number (each `Server` takes one).
    pub(crate) fn new_session() -> u64 {
        static SESSIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        SESSIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }
}

/// A command handed to the application, to be completed with
/// [`Server::respond`](super::Server::respond) (once: it is consumed).
///
/// Untagged data for it goes out with
/// [`Server::send_data`](super::Server::send_data) before the completion.
#[derive(Debug, PartialEq, Eq)]
#[must_use = "a command stays in flight until it is completed with Server::respond"]
pub struct Request {
    pub(crate) id: RequestId,
}

impl Request {
    /// The command's id.
    pub fn id(&self) -> RequestId {
        self.id
    }
}

/// The completion result of a command: `tag OK|NO|BAD [code] text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub(crate) status: Status,
    pub(crate) text: RespText<'static>,
}

impl Completion {
    /// `OK completed`.
    pub fn ok() -> Self {
        Self::new(Status::Ok, static_text("completed"))
    }

    /// `NO` with a text.
    pub fn no(text: RespText<'static>) -> Self {
        Self::new(Status::No, text)
    }

    /// `BAD` with a text.
    pub fn bad(text: RespText<'static>) -> Self {
        Self::new(Status::Bad, text)
    }

    /// Any status with a text and optional code.
    pub fn new(status: Status, text: RespText<'static>) -> Self {
        Self { status, text }
    }

    /// `OK [code] completed`, e.g. `OK [READ-WRITE]` after SELECT.
    pub fn ok_with_code(code: ResponseCode<'static>) -> Self {
        Self::new(Status::Ok, coded_text(code, "completed"))
    }

    /// Any status with an optional code and a text of the application's
    /// own, which cannot fail: NUL, CR and LF in `text` become spaces (see
    /// [`RespText::lossy`]). For a store's error message, say:
    ///
    /// ```
    /// use imapkit_state::proto::{ResponseCode, Status};
    /// use imapkit_state::server::Completion;
    ///
    /// let err = "quota of 2 GB\nexceeded";
    /// let c = Completion::with_text(Status::No, Some(ResponseCode::OverQuota), err);
    /// assert_eq!(c.text().human().as_bytes(), b"quota of 2 GB exceeded");
    /// assert_eq!(c.text().code(), Some(&ResponseCode::OverQuota));
    /// ```
    pub fn with_text(status: Status, code: Option<ResponseCode<'static>>, text: &str) -> Self {
        Self::new(status, RespText::lossy(code, text))
    }

    /// The status.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The text and code.
    pub fn text(&self) -> &RespText<'static> {
        &self.text
    }
}

/// The application's answer to a [`LoginAttempt`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthVerdict {
    /// The credentials are valid: the client is authenticated (for a SASL
    /// mechanism, once the mechanism has finished its exchange).
    Accept,
    /// Wrong credentials: `NO [AUTHENTICATIONFAILED]`, delayed.
    Reject,
    /// Refused for the application's own limits (per address, per account):
    /// `NO [UNAVAILABLE]`, delayed like a rejection.
    Unavailable,
    /// Valid credentials, but the client may not act as the authorization
    /// identity it asked for: `NO [AUTHORIZATIONFAILED]`.
    AuthorizationFailed,
    /// The credentials have expired: `NO [EXPIRED]`.
    Expired,
}

impl AuthVerdict {
    /// The response code of the NO (RFC 5530 §3).
    pub(crate) fn code(self) -> ResponseCode<'static> {
        match self {
            Self::Accept | Self::Reject => ResponseCode::AuthenticationFailed,
            Self::Unavailable => ResponseCode::Unavailable,
            Self::AuthorizationFailed => ResponseCode::AuthorizationFailed,
            Self::Expired => ResponseCode::Expired,
        }
    }
}

/// Credentials a client presented (LOGIN, or a SASL mechanism that needs
/// the application to check them: PLAIN, LOGIN, XOAUTH2, OAUTHBEARER).
/// Answer with [`Server::decide_login`](super::Server::decide_login).
///
/// `Debug` shows the identity, never the secret.
#[derive(Debug, PartialEq, Eq)]
#[must_use = "the command waits until the attempt is answered with Server::decide_login"]
pub struct LoginAttempt {
    pub(crate) request: RequestId,
    pub(crate) mechanism: Option<AuthMechanism<'static>>,
    pub(crate) credentials: Credentials,
}

impl LoginAttempt {
    /// The command's id.
    pub fn request(&self) -> RequestId {
        self.request
    }

    /// The SASL mechanism; `None` for the LOGIN command.
    pub fn mechanism(&self) -> Option<&AuthMechanism<'static>> {
        self.mechanism.as_ref()
    }

    /// Who tries to log in.
    pub fn identity(&self) -> &Identity {
        &self.credentials.identity
    }

    /// The identity and the secret to check.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }
}

/// A SCRAM exchange needs the stored secrets of a user. Answer with
/// [`Server::supply_scram`](super::Server::supply_scram).
#[derive(Debug, PartialEq, Eq)]
#[must_use = "the command waits until the lookup is answered with Server::supply_scram"]
pub struct ScramLookup {
    pub(crate) request: RequestId,
    pub(crate) mechanism: AuthMechanism<'static>,
    pub(crate) identity: Identity,
}

impl ScramLookup {
    /// The command's id.
    pub fn request(&self) -> RequestId {
        self.request
    }

    /// The mechanism (`SCRAM-SHA-256`, ...).
    pub fn mechanism(&self) -> &AuthMechanism<'static> {
        &self.mechanism
    }

    /// Whose secrets.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }
}

/// An APPEND message announced with a synchronizing literal, before its
/// data (the session sent no `+` yet): answer with
/// [`Server::accept_append`](super::Server::accept_append) or
/// [`Server::refuse_append`](super::Server::refuse_append). Raised only
/// with [`ServerConfig::check_appends`](super::ServerConfig::check_appends).
///
/// The APPEND itself comes as the session's next
/// [`CommandReceived`](super::Event::CommandReceived) once all its data is
/// read (no other command is read in between), unless a later check is
/// refused or the command turns out not to parse (BAD).
#[derive(Debug, PartialEq, Eq)]
#[must_use = "the session reads nothing more until the check is answered"]
pub struct AppendCheck {
    pub(crate) id: RequestId,
    pub(crate) mailbox: Mailbox<'static>,
    pub(crate) message: usize,
    pub(crate) size: u64,
    pub(crate) binary: bool,
    pub(crate) flags: Option<Vec<Flag<'static>>>,
    pub(crate) date: Option<DateTime>,
}

impl AppendCheck {
    /// The destination mailbox, as the client named it (a name the client
    /// sends in UTF-8, RFC 9051 §5.1, is marked so, as in the command).
    pub fn mailbox(&self) -> &Mailbox<'static> {
        &self.mailbox
    }

    /// Which message of the command: 0 for the first (MULTIAPPEND, RFC
    /// 3502, sends more; refusing any one refuses the whole command).
    pub fn message(&self) -> usize {
        self.message
    }

    /// The message's size in bytes, as announced.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Whether the data comes as a `literal8` (`~{n}`, RFC 3516): it may
    /// hold any byte, NUL included.
    pub fn binary(&self) -> bool {
        self.binary
    }

    /// The flags the message is to be stored with: `None` when the
    /// command gives none, `Some(&[])` for `()` (RFC 9051 §6.3.12), for a
    /// policy on `\Draft` or on keywords the mailbox does not take.
    pub fn flags(&self) -> Option<&[Flag<'static>]> {
        self.flags.as_deref()
    }

    /// The internal date the message is to be stored with, if the command
    /// gives one (RFC 9051 §6.3.12), for a policy on dates far in the past
    /// or the future.
    pub fn date(&self) -> Option<DateTime> {
        self.date
    }
}

/// An answer the session did not take ([`Server::respond`] and the other
/// calls that answer a token the session handed out: [`Request`],
/// [`AppendCheck`], [`LoginAttempt`], [`ScramLookup`]): why, and the token
/// back, so that it can be answered again or go to its own session.
///
/// An error type: `?` hands it to a `Box<dyn Error>` (or `anyhow`), and
/// turns it into its [`UsageError`] in a function that returns that.
///
/// [`Server::respond`]: super::Server::respond
///
/// ```
/// use imapkit_state::error::UsageError;
/// use imapkit_state::server::{Completion, Request, Server, Unanswered};
///
/// // `?` where the error type is `UsageError`: the token is dropped.
/// fn complete(server: &mut Server, request: Request) -> Result<(), UsageError> {
///     server.respond(std::time::Instant::now(), request, Completion::ok())?;
///     Ok(())
/// }
///
/// // Or kept, to answer again.
/// fn complete_or_keep(server: &mut Server, request: Request) -> Option<Request> {
///     match server.respond(std::time::Instant::now(), request, Completion::ok()) {
///         Ok(()) => None,
///         Err(Unanswered { error: UsageError::Closed, .. }) => None,
///         Err(Unanswered { token, .. }) => Some(token),
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}")]
pub struct Unanswered<T> {
    /// Why the session did not take the answer.
    pub error: UsageError,
    /// The token, as given.
    pub token: T,
}

impl<T> Unanswered<T> {
    /// `error`, with `token` given back.
    pub(crate) fn new(error: UsageError, token: T) -> Self {
        Self { error, token }
    }
}

impl<T> From<Unanswered<T>> for UsageError {
    fn from(unanswered: Unanswered<T>) -> Self {
        unanswered.error
    }
}

/// A response text from a constant (without CR, LF, NUL or a leading `[`:
/// checked in debug builds; the hot path of every completion skips the scan).
pub(crate) fn static_text(s: &'static str) -> RespText<'static> {
    debug_assert!(RespText::text(s).is_ok(), "{s:?}");
    RespText::unvalidated(None, Text::unvalidated(s.as_bytes()))
}

/// A response text with a code, from a constant.
pub(crate) fn coded_text(code: ResponseCode<'static>, s: &'static str) -> RespText<'static> {
    // Callers pass constants without CR, LF or NUL.
    RespText::with_code(code, s).expect("a constant response text is valid")
}
