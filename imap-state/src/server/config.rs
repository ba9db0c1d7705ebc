//! Server configuration: what the server offers, its limits, timeouts and
//! brute-force throttling. One [`ServerConfig`] is shared by every session
//! through an `Arc`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use imapkit_codec::framer::{Direction, FramerConfig};
use imapkit_proto::{AuthMechanism, Capability};

use crate::error::ConfigError;
use crate::sasl::ServerMechanism;
use crate::security::ConnectionSecurity;

/// Fills a buffer with random bytes (the application's CSPRNG): the SCRAM
/// server's nonces and the key of the made-up salts of unknown users
/// (`ScramServer::with_unknown_user_key`) come from here, so that the
/// session itself draws no random numbers. (A `ScramServer` given no such
/// key draws one once per process from std's `RandomState`.)
pub type RandomSource = Arc<dyn Fn(&mut [u8]) + Send + Sync>;

/// Creates the server half of a SASL mechanism for one AUTHENTICATE
/// command, or `None` if the mechanism cannot run on this connection (for
/// example `SCRAM-SHA-256-PLUS` without a channel-binding value).
pub type MechanismFactory =
    Arc<dyn Fn(&MechanismRequest<'_>) -> Option<Box<dyn ServerMechanism>> + Send + Sync>;

/// What a [`MechanismFactory`] is asked for.
#[non_exhaustive]
pub struct MechanismRequest<'a> {
    /// The mechanism the client named (one of
    /// [`ServerConfig::sasl_mechanisms`]).
    pub mechanism: &'a AuthMechanism<'static>,
    /// Whether the connection is encrypted.
    pub security: ConnectionSecurity,
    /// The `tls-exporter` channel-binding value (RFC 9266) the application
    /// passed to `Server::tls_established` or `Server::new_tls`, if any;
    /// never empty (both take an empty value as none).
    pub channel_binding: Option<&'a [u8]>,
    /// Whether this connection's capabilities offer a `-PLUS` mechanism
    /// (one is configured, TLS is up and a channel-binding value is
    /// known): what `ScramServer::new` takes as `plus_advertised`, so that
    /// a client that could bind but says it saw no `-PLUS` (`y`, RFC 5802
    /// §6) is refused as a downgrade exactly when one was offered.
    pub plus_advertised: bool,
    random: Option<&'a RandomSource>,
}

impl<'a> MechanismRequest<'a> {
    pub(crate) fn new(
        mechanism: &'a AuthMechanism<'static>,
        security: ConnectionSecurity,
        channel_binding: Option<&'a [u8]>,
        plus_advertised: bool,
        random: Option<&'a RandomSource>,
    ) -> Self {
        Self {
            mechanism,
            security,
            channel_binding,
            plus_advertised,
            random,
        }
    }

    /// Fills `buf` from [`ServerConfig::random`]; `false` (and `buf`
    /// untouched) if the configuration has no random source.
    pub fn fill_random(&self, buf: &mut [u8]) -> bool {
        match self.random {
            Some(random) => {
                random(buf);
                true
            }
            None => false,
        }
    }
}

impl fmt::Debug for MechanismRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MechanismRequest")
            .field("mechanism", &self.mechanism)
            .field("security", &self.security)
            .field(
                "channel_binding",
                &self.channel_binding.map(|b| format!("<{} bytes>", b.len())),
            )
            .field("random", &self.random.is_some())
            .finish()
    }
}

/// Which non-synchronizing literals the server accepts and advertises
/// (RFC 7888).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LiteralSupport {
    /// `LITERAL-`: non-synchronizing literals up to 4096 bytes; a longer
    /// one fails its command (RFC 7888 §5). The default: a client cannot
    /// make the server read much data it did not agree to.
    Minus,
    /// `LITERAL+`: non-synchronizing literals of any length within the
    /// limits.
    Plus,
    /// Neither is advertised; a non-synchronizing literal is still read if
    /// it fits the `LITERAL-` size (lenient towards broken clients).
    None,
}

/// A command the application handles that this library does not know
/// (it arrives as `CommandBody::Other`). Its arguments must fit on one
/// line: literals are not supported in unknown commands.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ExtensionCommand {
    /// The command name (matched case-insensitively), e.g. `XLIST`.
    pub name: String,
    /// Valid in the not-authenticated state.
    pub not_authenticated: bool,
    /// Valid in the authenticated state.
    pub authenticated: bool,
    /// Valid in the selected state.
    pub selected: bool,
    /// Runs alone: no other command is handed out while it is in flight
    /// (true unless the command only reads).
    pub exclusive: bool,
    /// May name messages by sequence number: while it is in flight no
    /// EXPUNGE goes out, as for FETCH, STORE and SEARCH (RFC 9051
    /// §7.5.1). True unless the command names messages only by UID or
    /// not at all; holding an EXPUNGE back is always safe, sending one
    /// while the client counts messages is not.
    pub message_numbers: bool,
}

impl ExtensionCommand {
    /// A command valid in the authenticated and selected states, run
    /// alone, taken to name messages by sequence number.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            not_authenticated: false,
            authenticated: true,
            selected: true,
            exclusive: true,
            message_numbers: true,
        }
    }
}

/// Limits on what a client can make the server hold or read. Each ends in
/// a clear answer: a tagged BAD or NO, or `* BYE`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Limits {
    /// Most bytes in one command line (without CRLF): BAD beyond.
    /// Default 64 KiB.
    pub max_line: usize,
    /// Largest literal outside APPEND: BAD beyond (a synchronizing one is
    /// refused before the client sends it). Default 64 KiB.
    pub max_literal: u64,
    /// Largest literal in APPEND: `NO [TOOBIG]` beyond. Default 32 MiB.
    pub max_append_literal: u64,
    /// Most bytes of one command, literals included: BAD (or `NO [TOOBIG]`
    /// for APPEND) beyond. Default 34 MiB.
    pub max_message: usize,
    /// Most bytes of one command before authentication (LOGIN,
    /// AUTHENTICATE, STARTTLS, ID and the like need little; APPEND is not
    /// valid yet): BAD beyond, and the input a not-authenticated client
    /// can make the session hold is bounded by it instead of
    /// [`max_message`](Self::max_message). Default 128 KiB (never more
    /// than `max_message`).
    pub max_message_unauthenticated: usize,
    /// Deepest nesting of parentheses in a command. Default 64.
    pub max_depth: u32,
    /// Most items in one list of a command. Default 32,768.
    pub max_list_items: u32,
    /// Most bytes of a refused non-synchronizing literal the server reads
    /// and drops (RFC 7888 §4, choice 1); a longer one ends the connection
    /// with `* BYE [TOOBIG]` (choice 2). Default 1 MiB.
    pub max_discard: u64,
    /// Longest tag: `* BAD` beyond. Default 64.
    pub max_tag: usize,
    /// Most literals in one command: the one beyond is refused with BAD
    /// (before its data if it is synchronizing; a non-synchronizing one's
    /// data is read and dropped, within [`max_discard`](Self::max_discard)).
    /// The session reads a command's lines again at each synchronizing
    /// literal to decide on `+` (and, with
    /// [`ServerConfig::check_appends`], which message it is), work that
    /// grows with the square of the literals; this bounds it. Default
    /// 1,000 (a MULTIAPPEND of 1,000 messages, RFC 3502).
    pub max_literals: u32,
    /// Most application commands in flight at once; further commands wait
    /// in the input (the session stops reading). Default 16.
    pub max_in_flight: usize,
    /// Bytes of queued output at which the session stops reading input
    /// ([`wants_read`](crate::server::Server::wants_read) is false) and
    /// refuses unsolicited data. Default 256 KiB.
    ///
    /// It bounds what a client that does not read can make the session
    /// queue to this plus the answers of the commands already read (at
    /// most [`max_in_flight`](Self::max_in_flight)): those are queued
    /// whatever their size. An application that sends large answers
    /// (a `BODY[]` of many MiB, a FETCH of many messages) can look at
    /// [`output_full`](crate::server::Server::output_full) (or
    /// [`output_len`](crate::server::Server::output_len)) before reading
    /// more from its store.
    pub max_output: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_line: 64 * 1024,
            max_literal: 64 * 1024,
            max_append_literal: 32 * 1024 * 1024,
            max_message: 34 * 1024 * 1024,
            max_message_unauthenticated: 128 * 1024,
            max_depth: FramerConfig::DEFAULT_MAX_DEPTH,
            max_list_items: FramerConfig::DEFAULT_MAX_LIST_ITEMS,
            max_discard: 1024 * 1024,
            max_tag: 64,
            max_literals: 1000,
            max_in_flight: 16,
            max_output: 256 * 1024,
        }
    }
}

impl Limits {
    /// The most bytes of one command in `state`.
    pub(crate) fn max_message_in(&self, state: super::SessionState) -> usize {
        match state {
            super::SessionState::NotAuthenticated => {
                self.max_message_unauthenticated.min(self.max_message)
            }
            _ => self.max_message,
        }
    }

    /// The framer configuration for client commands under these limits,
    /// in `state`.
    pub(crate) fn framer_config(&self, state: super::SessionState) -> FramerConfig {
        let mut config = FramerConfig::new(Direction::ClientToServer);
        config.max_line = self.max_line;
        config.max_literal = self.max_literal;
        config.max_append_literal = self.max_append_literal;
        config.max_message = self.max_message_in(state);
        config.max_depth = self.max_depth;
        config.max_list_items = self.max_list_items;
        config
    }
}

/// The session's timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Timeouts {
    /// Autologout before authentication: the time a client has between
    /// commands (RFC 9051 §5.4 allows a short one). Default 60 s.
    pub autologout_unauthenticated: Duration,
    /// Autologout after authentication, reset by every command. Default
    /// 30 minutes, and never less ([`MIN_AUTOLOGOUT`](Self::MIN_AUTOLOGOUT),
    /// RFC 9051 §5.4): a shorter value is raised to it.
    pub autologout_authenticated: Duration,
    /// Longest IDLE (RFC 2177 asks clients to re-issue it within 29
    /// minutes). Default 30 minutes.
    pub idle_max: Duration,
}

impl Timeouts {
    /// The shortest autologout after authentication (RFC 9051 §5.4).
    pub const MIN_AUTOLOGOUT: Duration = Duration::from_secs(30 * 60);
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            autologout_unauthenticated: Duration::from_secs(60),
            autologout_authenticated: Self::MIN_AUTOLOGOUT,
            idle_max: Duration::from_secs(30 * 60),
        }
    }
}

/// Brute-force and garbage tolerance of one connection.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Throttle {
    /// Delay of the tagged NO after the 1st, 2nd, ... failed
    /// authentication; the last entry applies to every later one. The
    /// session waits by its timer, never by sleeping, and reads no command
    /// meanwhile. Default 0, 1, 2, 4 seconds.
    pub failure_delays: Vec<Duration>,
    /// Failed authentications after which the connection ends with
    /// `* BYE` (after the delayed NO). Default 5.
    pub max_auth_failures: u32,
    /// Unparseable or unknown commands (and framing errors) before
    /// authentication that end the connection: the first `max_garbage - 1`
    /// are answered BAD, the `max_garbage`-th gets `* BYE` instead
    /// (cross-protocol attacks: an HTTP request sent to the IMAP port).
    /// Default 3: two BADs, then BYE.
    pub max_garbage: u32,
}

impl Default for Throttle {
    fn default() -> Self {
        Self {
            failure_delays: [0, 1, 2, 4].map(Duration::from_secs).to_vec(),
            max_auth_failures: 5,
            max_garbage: 3,
        }
    }
}

impl Throttle {
    /// The delay of the NO after `failures` failed authentications (1 for the first).
    pub(crate) fn delay(&self, failures: u32) -> Duration {
        let k = (failures.max(1) - 1) as usize;
        self.failure_delays
            .get(k)
            .or(self.failure_delays.last())
            .copied()
            .unwrap_or_default()
    }
}

/// The configuration of a server session.
///
/// Build one with [`ServerConfig::default`] and change the fields; share it
/// between sessions in an `Arc`.
///
/// ```
/// use std::sync::Arc;
/// use imapkit_state::proto::Capability;
/// use imapkit_state::server::ServerConfig;
///
/// let mut config = ServerConfig::default();
/// config.capabilities.push(Capability::Idle);
/// config.throttle.max_auth_failures = 3;
/// assert_eq!(config.validate(), Ok(()));
/// let config = Arc::new(config);
/// # let _ = config;
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    /// Text of the greeting (`* OK [CAPABILITY ...] <text>`).
    pub greeting: String,
    /// What the application supports, advertised after authentication
    /// (before it, only the protocol revisions and `ID`). Default
    /// `IMAP4rev2 IMAP4rev1`. The capabilities about the connection
    /// (`STARTTLS`, `LOGINDISABLED`, `AUTH=`, `SASL-IR`, `LITERAL+`,
    /// `LITERAL-`, `COMPRESS=`) are the session's and are left out of this
    /// list. Extension commands (IDLE, MOVE, SORT, ...) are accepted only
    /// when their capability is here (IMAP4rev2 includes IDLE, MOVE,
    /// UNSELECT, NAMESPACE, UIDPLUS and ENABLE).
    pub capabilities: Vec<Capability<'static>>,
    /// Refuse credentials that could be replayed (LOGIN, PLAIN, ...) on a
    /// connection without TLS: `NO [PRIVACYREQUIRED]`, and `LOGINDISABLED`
    /// without those mechanisms in the pre-TLS capabilities (RFC 9051
    /// §6.2.3, §11.1; RFC 8314). Default `true`.
    pub tls_required_for_credentials: bool,
    /// Offer STARTTLS on plaintext connections (the application can run a
    /// TLS handshake on the connection). Default `true`.
    pub starttls: bool,
    /// Accept the LOGIN command. Default `true`.
    pub login: bool,
    /// Non-synchronizing literals. Default [`LiteralSupport::Minus`].
    pub literals: LiteralSupport,
    /// Ask the application about each APPEND message before its data
    /// comes (RFC 9051 §6.3.12, §7.6): a synchronizing literal that holds
    /// a message raises [`Event::AppendCheck`](super::Event::AppendCheck)
    /// in place of the session's `+`, so that a missing mailbox
    /// (`NO [TRYCREATE]`), a quota (`NO [OVERQUOTA]`) or a per-mailbox size
    /// limit (`NO [TOOBIG]`, RFC 7889) is answered before the client sends
    /// the message. A non-synchronizing literal (`{n+}`, RFC 7888) sends
    /// its data anyway and raises no check: its command is answered once
    /// whole, as always. Default `false` (the session sends `+` itself
    /// for a literal within [`Limits::max_append_literal`]).
    pub check_appends: bool,
    /// SASL mechanisms for AUTHENTICATE, in the order advertised. Each is
    /// created by [`sasl_factory`](Self::sasl_factory). Default none.
    pub sasl_mechanisms: Vec<AuthMechanism<'static>>,
    /// Creates the mechanisms. Default none (AUTHENTICATE answers NO);
    /// [`standard_mechanisms`](super::standard_mechanisms) runs the
    /// library's own.
    pub sasl_factory: Option<MechanismFactory>,
    /// Random bytes for the mechanisms (see [`MechanismRequest::fill_random`]).
    pub random: Option<RandomSource>,
    /// Commands of extensions the application implements itself.
    pub extension_commands: Vec<ExtensionCommand>,
    /// Limits.
    pub limits: Limits,
    /// Timers.
    pub timeouts: Timeouts,
    /// Failed-authentication delays and cut-offs.
    pub throttle: Throttle,
    /// Offer COMPRESS=DEFLATE after authentication (RFC 4978). An active
    /// compression holds DEFLATE state of some tens of KiB per connection.
    /// Default `false`.
    pub compress: bool,
}

impl ServerConfig {
    /// Checks that the configuration can work: every limit in range, the
    /// message limit above the literal limits, an authenticated autologout
    /// of at least 30 minutes. `Server::new` also works with a failing
    /// configuration (it raises the autologout and treats zero limits as 1),
    /// but a server should check at start.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let l = &self.limits;
        let checks: [(bool, &'static str); 11] = [
            (l.max_line >= 64, "max_line"),
            (l.max_literals >= 1, "max_literals"),
            // A command line before login must fit (LOGIN, AUTHENTICATE).
            (
                l.max_message_unauthenticated >= l.max_line.min(l.max_message),
                "max_message_unauthenticated",
            ),
            (l.max_tag >= 1, "max_tag"),
            (l.max_in_flight >= 1, "max_in_flight"),
            (l.max_output >= 1024, "max_output"),
            (l.max_depth >= 1, "max_depth"),
            (
                l.max_message as u64 >= l.max_literal
                    && l.max_message as u64 >= l.max_append_literal,
                "max_message",
            ),
            (
                self.timeouts.autologout_authenticated >= Timeouts::MIN_AUTOLOGOUT,
                "autologout_authenticated",
            ),
            (
                !self.timeouts.autologout_unauthenticated.is_zero(),
                "autologout_unauthenticated",
            ),
            (!self.timeouts.idle_max.is_zero(), "idle_max"),
        ];
        match checks.iter().find(|(ok, _)| !ok) {
            Some(&(_, name)) => Err(ConfigError::Limit(name)),
            None => Ok(()),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            greeting: "IMAP server ready".to_owned(),
            capabilities: vec![Capability::Imap4Rev2, Capability::Imap4Rev1],
            tls_required_for_credentials: true,
            starttls: true,
            login: true,
            literals: LiteralSupport::Minus,
            check_appends: false,
            sasl_mechanisms: Vec::new(),
            sasl_factory: None,
            random: None,
            extension_commands: Vec::new(),
            limits: Limits::default(),
            timeouts: Timeouts::default(),
            throttle: Throttle::default(),
            compress: false,
        }
    }
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("greeting", &self.greeting)
            .field("capabilities", &self.capabilities)
            .field(
                "tls_required_for_credentials",
                &self.tls_required_for_credentials,
            )
            .field("starttls", &self.starttls)
            .field("login", &self.login)
            .field("literals", &self.literals)
            .field("sasl_mechanisms", &self.sasl_mechanisms)
            .field("sasl_factory", &self.sasl_factory.as_ref().map(|_| "<fn>"))
            .field("random", &self.random.as_ref().map(|_| "<fn>"))
            .field("extension_commands", &self.extension_commands)
            .field("limits", &self.limits)
            .field("timeouts", &self.timeouts)
            .field("throttle", &self.throttle)
            .field("compress", &self.compress)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_are_capped_at_the_last_step() {
        let t = Throttle::default();
        let s = |n| Duration::from_secs(n);
        assert_eq!(t.delay(1), s(0));
        assert_eq!(t.delay(2), s(1));
        assert_eq!(t.delay(4), s(4));
        assert_eq!(t.delay(40), s(4));
        let none = Throttle {
            failure_delays: Vec::new(),
            ..Throttle::default()
        };
        assert_eq!(none.delay(3), Duration::ZERO);
    }

    #[test]
    fn validate_names_the_bad_field() {
        assert_eq!(ServerConfig::default().validate(), Ok(()));
        let mut c = ServerConfig::default();
        c.timeouts.autologout_authenticated = Duration::from_secs(60);
        assert_eq!(
            c.validate(),
            Err(ConfigError::Limit("autologout_authenticated"))
        );
        let mut c = ServerConfig::default();
        c.limits.max_message = 1000;
        assert_eq!(c.validate(), Err(ConfigError::Limit("max_message")));
        let mut c = ServerConfig::default();
        c.limits.max_message_unauthenticated = 100;
        assert_eq!(
            c.validate(),
            Err(ConfigError::Limit("max_message_unauthenticated"))
        );
    }
}
