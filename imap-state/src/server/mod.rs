//! The server session: one IMAP connection seen from the server, sans-IO.
//!
//! A [`Server`] decodes the client's commands, checks that each is valid
//! in the session's state, answers what belongs to the protocol itself
//! (CAPABILITY, LOGOUT, STARTTLS, the LOGIN and AUTHENTICATE exchanges,
//! ENABLE, IDLE, literal continuations) and hands the rest to the
//! application as [`Event::CommandReceived`]. The application owns the
//! mail store: it answers with untagged data ([`Server::send_data`]) and a
//! completion ([`Server::respond`]), and it decides who may log in
//! ([`Server::decide_login`]). The session never does I/O, never reads a
//! clock and draws no random numbers.
//!
//! ```text
//!  socket/TLS --bytes--> handle_input ---> Framer --> decode --> validity by state
//!                                                                   |
//!   poll_event <-- CommandReceived / LoginAttempt / Audit / ... <---+
//!       |
//!   application: send_data / respond / decide_login / send_unsolicited
//!       |
//!       v
//!   encode --> output queue (limit: wants_read) --> poll_transmit --bytes--> socket/TLS
//! ```
//!
//! # The poll contract
//!
//! After every call that can change the session — [`handle_input`],
//! [`handle_eof`], [`handle_timeout`], [`tls_established`], [`respond`],
//! [`send_data`], [`send_status`], [`send_unsolicited`], [`decide_login`],
//! [`supply_scram`], [`bye`] — drain, in this order:
//!
//! 1. [`poll_transmit`] (or [`poll_transmit_vectored`]) until `None`, and
//!    write the bytes to the peer;
//! 2. [`poll_timeout`], and call [`handle_timeout`] at that instant;
//! 3. [`poll_event`] until `None`, and act on each event.
//!
//! Read from the peer only while [`wants_read`] is true: the session stops
//! reading while its output is full, while commands it may not run side by
//! side are in flight, while a login decision is pending and during the TLS
//! handshake, so a client that sends without reading cannot make it hold
//! more than its limits.
//!
//! # Security
//!
//! - Credentials are refused on a plaintext connection (`NO
//!   [PRIVACYREQUIRED]`, `LOGINDISABLED`) unless the configuration allows
//!   them; a synchronizing LOGIN literal is refused before the client sends
//!   the password.
//! - After the OK to STARTTLS, the bytes already received are dropped and
//!   reported ([`AuditKind::InjectionDiscarded`]), never executed; nothing
//!   is sent in plaintext after that OK.
//! - Each failed authentication delays the tagged NO (by the timer), and the
//!   connection ends after the configured number of failures; garbage
//!   before authentication ends it sooner (cross-protocol attacks).
//! - Every authentication attempt is reported as an [`AuditEvent`], never
//!   with the secret; no `Debug` output holds one.
//!
//! # Example
//!
//! An application loop in miniature (no sockets: the client's bytes are
//! given, the server's collected):
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Instant;
//!
//! use imapkit_state::server::{AuthVerdict, Completion, Event, Server, ServerConfig};
//! use imapkit_state::ConnectionSecurity;
//!
//! let now = Instant::now();
//! let mut server = Server::new(Arc::new(ServerConfig::default()), now, ConnectionSecurity::Tls);
//! let mut wire = Vec::new();
//! server.handle_input(now, b"a1 LOGIN alice secret\r\na2 SELECT INBOX\r\n");
//! loop {
//!     let mut progress = false;
//!     while server.poll_transmit(now, &mut wire).is_some() {
//!         progress = true; // write `wire` to the socket
//!     }
//!     while let Some(event) = server.poll_event() {
//!         progress = true;
//!         match event {
//!             Event::LoginAttempt(attempt) => {
//!                 // Check attempt.credentials() against the user store.
//!                 server.decide_login(now, attempt, AuthVerdict::Accept).unwrap();
//!             }
//!             Event::CommandReceived { request, command } => {
//!                 assert_eq!(command.body.name(), "SELECT");
//!                 server.respond(now, request, Completion::ok()).unwrap();
//!             }
//!             _ => {}
//!         }
//!     }
//!     if !progress {
//!         break;
//!     }
//! }
//! let wire = String::from_utf8(wire).unwrap();
//! assert!(wire.ends_with("a1 OK [CAPABILITY IMAP4rev2 IMAP4rev1 LITERAL-] Logged in\r\na2 OK completed\r\n"));
//! ```
//!
//! [`handle_input`]: Server::handle_input
//! [`handle_eof`]: Server::handle_eof
//! [`handle_timeout`]: Server::handle_timeout
//! [`tls_established`]: Server::tls_established
//! [`respond`]: Server::respond
//! [`send_data`]: Server::send_data
//! [`send_status`]: Server::send_status
//! [`send_unsolicited`]: Server::send_unsolicited
//! [`decide_login`]: Server::decide_login
//! [`supply_scram`]: Server::supply_scram
//! [`bye`]: Server::bye
//! [`poll_transmit`]: Server::poll_transmit
//! [`poll_transmit_vectored`]: Server::poll_transmit_vectored
//! [`poll_timeout`]: Server::poll_timeout
//! [`poll_event`]: Server::poll_event
//! [`wants_read`]: Server::wants_read

mod append;
mod audit;
mod authenticate;
mod capability;
mod compress;
mod config;
mod decision;
mod event;
mod expunge;
mod idle;
mod input;
mod literal;
mod mechanisms;
mod select;
mod starttls;
mod state;
mod throttle;
mod version;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::BytesMut;
use imapkit_codec::framer::Framer;
use imapkit_codec::{EncodeOptions, LiteralPolicy, Vectored};
use imapkit_proto::{
    Capability, Command, Data, Greeting, GreetingKind, RespText, Response, ResponseCode, Status,
    StatusResponse, Tag,
};

pub use self::audit::{AuditEvent, AuditKind, AuthOutcome, LimitKind};
pub use self::config::{
    ExtensionCommand, Limits, LiteralSupport, MechanismFactory, MechanismRequest, RandomSource,
    ServerConfig, Throttle, Timeouts,
};
pub use self::decision::{
    AppendCheck, AuthVerdict, Completion, LoginAttempt, Request, RequestId, ScramLookup, Unanswered,
};
pub use self::event::{CloseReason, Event};
pub use self::mechanisms::standard_mechanisms;
pub use self::select::SelectAnswer;
pub use self::state::SessionState;
/// The most compressed input inflated at a time (the fuzz checks' bound).
#[cfg(feature = "fuzzing")]
pub(crate) const INFLATE_PIECE: usize = compress::INFLATE_CHUNK;

use self::authenticate::AuthExchange;
use self::decision::{coded_text, static_text};
use self::expunge::{is_expunge, Held, HeldQueue};
use self::state::{Effect, Features, Route};
use self::throttle::Counters;
use self::version::Admit;
use crate::error::UsageError;
use crate::outbuf::OutBuf;
use crate::sasl::Identity;
use crate::security::ConnectionSecurity;
use crate::timer::{TimerKind, TimerTable};

/// One IMAP connection, server side. See the [module docs](self) for the
/// data flow and the poll contract.
pub struct Server {
    config: Arc<ServerConfig>,
    features: Features,
    security: ConnectionSecurity,
    channel_binding: Option<Vec<u8>>,
    peer: Option<SocketAddr>,
    state: SessionState,
    mode: Mode,
    identity: Option<Identity>,
    enabled: Enabled,
    framer: Framer,
    /// Stream offset of the current framer's offset 0 (the framer is
    /// replaced between messages to give its buffer back).
    framer_base: u64,
    /// Bytes pushed into the current framer.
    framer_pushed: usize,
    /// The current framer is between messages as far as its events tell
    /// (it was created, or its last event was a whole message).
    framer_clean: bool,
    out: OutBuf,
    events: VecDeque<Event>,
    timers: TimerTable<Timer, 3>,
    in_flight: Vec<InFlight>,
    /// A command that must run alone, waiting for those in flight.
    pending: Option<Box<Pending>>,
    held: HeldQueue,
    /// The selected mailbox keeps no mod-sequences: its SELECT or EXAMINE
    /// was answered with `[NOMODSEQ]`, so EXPUNGE stays after ENABLE
    /// QRESYNC (RFC 7162 §3.2.10).
    nomodseq: bool,
    /// This session's number among the process's sessions, and the last
    /// command number given (see [`RequestId`]).
    session: u64,
    next_id: u64,
    /// An APPEND message's literal waiting for the application's
    /// [`AppendCheck`] answer (the session reads nothing meanwhile), and the
    /// last check number given.
    append_check: Option<RequestId>,
    next_check: u64,
    /// Literals announced in the command being read (see
    /// [`Limits::max_literals`]).
    literals_in_command: u32,
    counters: Counters,
    /// After the OK to STARTTLS: the stream offset after the STARTTLS
    /// command and the plaintext bytes dropped since.
    injected: Option<(u64, usize)>,
    /// COMPRESS=DEFLATE, once active (taken out while inflating).
    deflate: Option<Box<compress::Deflate>>,
    /// COMPRESS=DEFLATE is active.
    compressing: bool,
    /// The size of the last read made while the session wanted input
    /// ([`wants_read`](Server::wants_read)): the input backlog may hold it
    /// beyond the cap, so that a read the session asked for never ends
    /// the connection by itself.
    read_allowance: usize,
}

/// What the session is doing besides its [`SessionState`].
#[derive(Debug)]
enum Mode {
    /// Reading commands.
    Normal,
    /// A LOGIN or AUTHENTICATE exchange.
    Auth(Box<AuthExchange>),
    /// IDLE, waiting for DONE.
    Idle {
        request: RequestId,
        tag: Tag<'static>,
    },
    /// The OK to STARTTLS is queued; the TLS handshake comes next.
    AwaitingTls,
    /// The connection ends once the commands in flight are answered (with
    /// `* BYE [TOOBIG] text` or `* BYE text`).
    Draining {
        toobig: bool,
        text: &'static str,
        reason: CloseReason,
    },
    /// Over.
    Closed,
}

/// An application command in flight.
#[derive(Debug)]
struct InFlight {
    id: RequestId,
    tag: Tag<'static>,
    exclusive: bool,
    seq_sensitive: bool,
    effect: Effect,
    /// EXAMINE: always read-only.
    examine: bool,
    /// A SELECT or EXAMINE answered `[NOMODSEQ]` so far.
    nomodseq: bool,
    /// SEARCH or UID SEARCH: how its answer goes in IMAP4rev2.
    search: Option<version::SearchAnswer>,
}

/// A decoded command waiting to run alone.
#[derive(Debug)]
struct Pending {
    route: Route,
    command: Command<'static>,
}

/// The session's timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Timer {
    AutoLogout,
    IdleMax,
    AuthDelay,
}

impl TimerKind for Timer {
    const ALL: &'static [Self] = &[Self::AutoLogout, Self::IdleMax, Self::AuthDelay];
    fn index(self) -> usize {
        self as usize
    }
}

/// Extensions the client enabled (RFC 5161): the session's output follows
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct Enabled {
    /// `ENABLE IMAP4rev2`: no RECENT responses (the session drops them).
    pub imap4rev2: bool,
    /// `ENABLE UTF8=ACCEPT` (RFC 6855).
    pub utf8_accept: bool,
    /// CONDSTORE, by ENABLE or a CONDSTORE-enabling command (RFC 7162 §3.1).
    pub condstore: bool,
    /// `ENABLE QRESYNC`: VANISHED replaces EXPUNGE (RFC 7162 §3.2.10).
    pub qresync: bool,
}

/// Whether the client takes UTF-8 in quoted strings (RFC 9051 §4.3, RFC
/// 6855 §3): it enabled UTF8=ACCEPT, or speaks IMAP4rev2 (enabled, or the
/// only version offered). Else a quoted string with non-ASCII bytes goes as
/// a literal (RFC 3501 §4.3: quoted strings are 7-bit).
pub(super) fn utf8_quoted(features: Features, enabled: Enabled) -> bool {
    enabled.utf8_accept || imap4rev2_session(features, enabled)
}

/// Whether the session speaks IMAP4rev2: the client enabled it, or it is
/// the only version offered (RFC 9051 §5.1).
pub(super) fn imap4rev2_session(features: Features, enabled: Enabled) -> bool {
    enabled.imap4rev2 || (features.has(Features::REV2) && !features.has(Features::REV1))
}

impl Server {
    /// What the client enabled, and the output encoding that follows it
    /// (UTF-8 in quoted strings, [`utf8_quoted`]; in response text, an
    /// IMAP4rev2 session only): set together, so that neither is stale.
    fn set_enabled(&mut self, enabled: Enabled) {
        self.enabled = enabled;
        let text = imap4rev2_session(self.features, enabled);
        self.out.set_utf8(utf8_quoted(self.features, enabled), text);
    }

    /// A session on a new connection: queues the greeting (`* OK
    /// [CAPABILITY ...]`) and arms the autologout timer.
    ///
    /// `security` says whether the connection is already encrypted
    /// (implicit TLS, port 993).
    pub fn new(config: Arc<ServerConfig>, now: Instant, security: ConnectionSecurity) -> Self {
        let mut server = Self::build(config, security);
        let text = server.greeting_text();
        server.out.push(&Greeting {
            kind: GreetingKind::Ok,
            text,
        });
        server.rearm_autologout(now);
        server
    }

    /// A session on an implicit-TLS connection (port 993) whose
    /// `tls-exporter` channel-binding value (RFC 9266) the application
    /// read from the finished handshake: like [`Server::new`] with
    /// [`ConnectionSecurity::Tls`], and the `-PLUS` SCRAM mechanisms are
    /// offered (in the greeting too). After STARTTLS the value comes with
    /// [`Server::tls_established`] instead.
    ///
    /// An empty `channel_binding` (RFC 9266: the value is 32 bytes; a TLS
    /// library that gave nothing) is no value: the session is the one
    /// [`Server::new`] with [`ConnectionSecurity::Tls`] makes, without
    /// `-PLUS` mechanisms, and mechanism factories see `None`
    /// ([`MechanismRequest::channel_binding`]).
    pub fn new_tls(config: Arc<ServerConfig>, now: Instant, channel_binding: Vec<u8>) -> Self {
        let mut server = Self::build(config, ConnectionSecurity::Tls);
        // An empty value would bind every exchange to nothing.
        server.channel_binding = Some(channel_binding).filter(|b| !b.is_empty());
        let text = server.greeting_text();
        server.out.push(&Greeting {
            kind: GreetingKind::Ok,
            text,
        });
        server.rearm_autologout(now);
        server
    }

    /// A session whose client is authenticated already (a connection the
    /// application trusts, RFC 9051 §7.1.4): queues `* PREAUTH
    /// [CAPABILITY ...]` and starts in the authenticated state.
    pub fn preauth(
        config: Arc<ServerConfig>,
        now: Instant,
        security: ConnectionSecurity,
        identity: Identity,
    ) -> Self {
        let mut server = Self::build(config, security);
        server.state = SessionState::Authenticated;
        server.identity = Some(identity);
        let text = server.greeting_text();
        server.out.push(&Greeting {
            kind: GreetingKind::PreAuth,
            text,
        });
        server.rearm_autologout(now);
        server
    }

    /// A session that refuses the connection: queues `* BYE text` and
    /// closes ([`Event::Closed`] with [`CloseReason::Refused`]).
    pub fn refuse(
        config: Arc<ServerConfig>,
        security: ConnectionSecurity,
        text: RespText<'static>,
    ) -> Self {
        let mut server = Self::build(config, security);
        server.out.push(&Greeting {
            kind: GreetingKind::Bye,
            text,
        });
        server.close(CloseReason::Refused);
        server
    }

    fn build(config: Arc<ServerConfig>, security: ConnectionSecurity) -> Self {
        let limits = &config.limits;
        let features = Features::of(&config);
        // Responses carry only synchronizing literals (RFC 7888 is about
        // the client's literals), and UTF-8 in quoted strings only for a
        // client that speaks IMAP4rev2 or enabled UTF8=ACCEPT.
        let options = EncodeOptions {
            literals: LiteralPolicy::SyncOnly,
            utf8: utf8_quoted(features, Enabled::default()),
            utf8_text: imap4rev2_session(features, Enabled::default()),
        };
        Self {
            features,
            security,
            channel_binding: None,
            peer: None,
            state: SessionState::NotAuthenticated,
            mode: Mode::Normal,
            identity: None,
            enabled: Enabled::default(),
            framer: Framer::new(limits.framer_config(SessionState::NotAuthenticated)),
            framer_base: 0,
            framer_pushed: 0,
            framer_clean: true,
            out: OutBuf::new(limits.max_output.max(1), options),
            events: VecDeque::new(),
            timers: TimerTable::new(),
            in_flight: Vec::new(),
            pending: None,
            held: HeldQueue::default(),
            nomodseq: false,
            session: RequestId::new_session(),
            next_id: 0,
            append_check: None,
            next_check: 0,
            literals_in_command: 0,
            counters: Counters::default(),
            injected: None,
            deflate: None,
            compressing: false,
            read_allowance: 0,
            config,
        }
    }

    // ---- getters -------------------------------------------------------

    /// The session's state.
    pub fn state(&self) -> SessionState {
        self.state
    }

    /// Whether the connection is encrypted (as the application said).
    pub fn security(&self) -> ConnectionSecurity {
        self.security
    }

    /// Who is logged in.
    pub fn identity(&self) -> Option<&Identity> {
        self.identity.as_ref()
    }

    /// The extensions the client enabled.
    pub fn enabled(&self) -> Enabled {
        self.enabled
    }

    /// Whether the session speaks IMAP4rev2 (RFC 9051): the client enabled
    /// it on a server that advertises both revisions, or the server
    /// advertises IMAP4rev2 only. Then no RECENT goes out, a plain
    /// SEARCH's answer goes as ESEARCH, names and text are UTF-8 (see
    /// [`send_data`](Self::send_data)).
    pub fn imap4rev2(&self) -> bool {
        imap4rev2_session(self.features, self.enabled)
    }

    /// The capabilities advertised now (they depend on the state and on TLS).
    pub fn capabilities(&self) -> Vec<Capability<'static>> {
        self.capability_list().into_vec()
    }

    /// Application commands in flight.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// EXPUNGE (and VANISHED) responses held back by the EXPUNGE rules
    /// (RFC 9051 §7.5.1): until they go out, the client numbers messages
    /// as before them, and so must the application when it reads the
    /// message numbers of the client's commands. Each one raises
    /// [`Event::ExpungeSent`] when it goes out.
    pub fn held_expunges(&self) -> usize {
        self.held.expunges()
    }

    /// Bytes of output queued and not yet taken by [`poll_transmit`](Self::poll_transmit).
    pub fn output_len(&self) -> usize {
        self.out.len()
    }

    /// Whether the queued output reached
    /// [`Limits::max_output`](crate::server::Limits::max_output): the
    /// session reads no more input until it is taken, and an application
    /// that streams a large answer (a FETCH of many messages, one
    /// [`send_data`](Self::send_data) each) stops producing, sends what
    /// [`poll_transmit`](Self::poll_transmit) hands over (all of it), and
    /// goes on. `send_data` itself never refuses data for a full output:
    /// the answers of commands already read are queued whatever their
    /// size.
    ///
    /// ```
    /// use std::time::Instant;
    /// use imapkit_state::proto::Data;
    /// use imapkit_state::server::{Request, Server};
    ///
    /// /// Sends `messages` for `request`, handing the output to `socket`
    /// /// whenever the session's queue is full.
    /// fn stream(
    ///     server: &mut Server,
    ///     now: Instant,
    ///     request: &Request,
    ///     messages: impl IntoIterator<Item = Data<'static>>,
    ///     socket: &mut Vec<u8>,
    /// ) {
    ///     for data in messages {
    ///         server.send_data(now, request, data).unwrap();
    ///         if server.output_full() {
    ///             // A real loop writes it out and waits until the socket takes it.
    ///             while server.poll_transmit(now, socket).is_some() {}
    ///         }
    ///     }
    /// }
    /// ```
    pub fn output_full(&self) -> bool {
        self.out.is_full()
    }

    /// Bytes of client input held in the framer (for the fuzz checks of
    /// bounded memory).
    #[cfg(feature = "fuzzing")]
    pub(crate) fn input_buffered(&self) -> usize {
        self.framer.buffered()
    }

    /// Whether the application should read more input from the peer and
    /// pass it to [`handle_input`](Self::handle_input). False while the
    /// output is full, while commands that must run alone (or too many
    /// commands) are in flight, while a login decision or a failed-login
    /// delay is pending, during the TLS handshake, and once closed.
    pub fn wants_read(&self) -> bool {
        self.can_poll()
    }

    /// Whether the connection is over ([`Event::Closed`] was queued).
    pub fn is_closed(&self) -> bool {
        matches!(self.mode, Mode::Closed)
    }

    // ---- input ---------------------------------------------------------

    /// Sets the peer address reported in [`AuditEvent`]s.
    pub fn set_peer_address(&mut self, peer: SocketAddr) {
        self.peer = Some(peer);
    }

    /// Bytes received from the client (decrypted; COMPRESS is undone
    /// here), in any chunking. Infallible: whatever the client sent
    /// becomes responses and events.
    ///
    /// This copies `bytes` into the server's input buffer; to read from
    /// the connection straight into that buffer, use
    /// [`read_buf`](Self::read_buf) and [`handle_read`](Self::handle_read).
    pub fn handle_input(&mut self, now: Instant, bytes: &[u8]) {
        if !self.accept_input(bytes.len()) {
            return;
        }
        self.note_read(bytes.len());
        if self.compressing {
            self.handle_compressed(now, bytes);
        } else {
            self.push_input(now, bytes);
        }
    }

    /// Room for the next read from the connection (after TLS), in the
    /// server's own input buffer: an empty `BytesMut` with room for at
    /// least `reserve` bytes. Read into it (tokio's
    /// `AsyncReadExt::read_buf`; or `resize`, `std::io::Read::read`,
    /// `truncate`), then pass it to [`handle_read`](Self::handle_read):
    /// commands are framed where the read put them, so an APPEND's message
    /// is copied once, by the read, and the decoded message shares that
    /// memory.
    ///
    /// While COMPRESS is active (the input must be inflated first), after
    /// STARTTLS's `OK` and once closed, it is a fresh buffer and
    /// `handle_read` does what [`handle_input`](Self::handle_input) does.
    pub fn read_buf(&mut self, reserve: usize) -> BytesMut {
        match self.mode {
            Mode::Closed | Mode::Draining { .. } | Mode::AwaitingTls => {
                BytesMut::with_capacity(reserve)
            }
            _ if self.compressing => BytesMut::with_capacity(reserve),
            _ => self.framer.read_buf(reserve),
        }
    }

    /// Bytes read into a buffer from [`read_buf`](Self::read_buf): as
    /// [`handle_input`](Self::handle_input), without copying them again.
    pub fn handle_read(&mut self, now: Instant, bytes: BytesMut) {
        if self.compressing {
            return self.handle_input(now, &bytes);
        }
        if !self.accept_input(bytes.len()) {
            return;
        }
        self.note_read(bytes.len());
        self.note_pushed(bytes.len());
        self.framer.push_buf(bytes);
        self.process(now);
    }

    /// A read of `n` bytes arrived: one made while the session wanted
    /// input sets the backlog's allowance.
    fn note_read(&mut self, n: usize) {
        if self.can_poll() {
            self.read_allowance = n;
        }
    }

    /// Whether input of `n` bytes is read at all: not once closing, nor
    /// between STARTTLS's `OK` and the TLS handshake (RFC 9051 §6.2.1:
    /// plaintext sent ahead is never read as commands; it is reported and
    /// dropped).
    fn accept_input(&mut self, n: usize) -> bool {
        match self.mode {
            Mode::Closed | Mode::Draining { .. } => false,
            Mode::AwaitingTls => {
                self.injection_discarded(n);
                false
            }
            _ => true,
        }
    }

    /// Plain (decrypted, inflated) input to the framer, then read it.
    fn push_input(&mut self, now: Instant, bytes: &[u8]) {
        self.note_pushed(bytes.len());
        self.framer.push(bytes);
        self.process(now);
    }

    /// Counts `n` bytes given to the framer.
    fn note_pushed(&mut self, n: usize) {
        self.framer_pushed = self.framer_pushed.saturating_add(n);
        if n > 0 {
            self.framer_clean = false;
        }
    }

    /// The client closed its side of the connection.
    pub fn handle_eof(&mut self, now: Instant) {
        let _ = now;
        if !self.is_closed() {
            self.close(CloseReason::PeerClosed);
        }
    }

    /// The instant [`poll_timeout`](Self::poll_timeout) gave has come. An
    /// early or repeated call does nothing.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.is_closed() {
            return;
        }
        let due: Vec<Timer> = self.timers.expire(now).collect();
        for timer in due {
            if self.is_closed() {
                break;
            }
            match timer {
                Timer::AutoLogout => self.bye_now(
                    None,
                    "Autologout; idle for too long",
                    CloseReason::AutoLogout,
                ),
                Timer::IdleMax => self.bye_now(None, "IDLE for too long", CloseReason::IdleTimeout),
                Timer::AuthDelay => self.auth_delay_over(now),
            }
        }
        self.process(now);
    }

    // ---- commands ------------------------------------------------------

    /// Untagged data for a command in flight; it goes out before the
    /// command's completion.
    ///
    /// EXPUNGE and VANISHED are held back while the EXPUNGE rules forbid
    /// them (RFC 9051 §7.5.1). In an IMAP4rev2 session
    /// ([`imap4rev2`](Self::imap4rev2)) a RECENT is dropped, the `* SEARCH`
    /// answer of a SEARCH without RETURN options goes out as the ESEARCH
    /// RFC 9051 §6.4.4 requires (`* ESEARCH (TAG "a1") UID ALL 4:6`), and
    /// an ESEARCH for a SEARCH gets the command's `(TAG ...)` when it has
    /// none (§7.3.4). Errors: the session is closed, the request is not in
    /// flight, the data needs an extension the client did not enable
    /// (VANISHED without `ENABLE QRESYNC`), it is an EXPUNGE to a client
    /// that enabled QRESYNC, which gets VANISHED instead (RFC 7162
    /// §3.2.10; EXPUNGE stays in a mailbox selected with `[NOMODSEQ]`), or
    /// the session's version cannot carry it
    /// ([`UsageError::ProtocolVersion`]: `* SEARCH` for a SEARCH with
    /// RETURN options in IMAP4rev2, an RFC822.SIZE above 4 GiB in
    /// IMAP4rev1).
    pub fn send_data(
        &mut self,
        now: Instant,
        request: &Request,
        data: Data<'static>,
    ) -> Result<(), UsageError> {
        let _ = now;
        let owner = self.owner(request)?;
        match self.admit_data(&data, Some(owner.0))? {
            Admit::Keep => self.route_data(Some(owner), data),
            Admit::Replace(data) => self.route_data(Some(owner), data),
            Admit::Drop => {}
        }
        Ok(())
    }

    /// An untagged status response for a command in flight, before its
    /// completion: `* OK [UIDVALIDITY 3] UIDs valid` and the other codes
    /// SELECT reports (RFC 9051 §6.3.2, §7.1). It keeps its place among the
    /// command's data, like [`send_data`](Self::send_data).
    ///
    /// Errors: the session is closed, or the request is not in flight.
    pub fn send_status(
        &mut self,
        now: Instant,
        request: &Request,
        status: Status,
        text: RespText<'static>,
    ) -> Result<(), UsageError> {
        let _ = now;
        let (owner, seq_sensitive) = self.owner(request)?;
        if matches!(text.code(), Some(ResponseCode::NoModSeq)) {
            if let Some(entry) = self.in_flight.iter_mut().find(|r| r.id == owner) {
                entry.nomodseq = true;
            }
        }
        let response = StatusResponse::untagged(status, text);
        // As for data: a sequence-number command's responses go past held
        // expunges, anything else waits behind them.
        if !seq_sensitive && !self.held.is_empty() {
            self.held.push(Held::Status { owner, response });
        } else {
            self.out.push(&response);
        }
        Ok(())
    }

    /// Untagged data outside any command: mailbox updates between commands
    /// and during IDLE (RFC 9051 §5.2, §5.3). An EXPUNGE waits until a
    /// command is in progress (RFC 9051 §7.5.1).
    ///
    /// Errors: the session is closed; the TLS handshake or an
    /// authentication exchange is in progress; the output is full, or
    /// `max_output / 64` responses are held back by the EXPUNGE rules
    /// ([`UsageError::OutputFull`]: the client is not reading or not
    /// sending commands; try later or end the connection); the data needs
    /// an extension the client did not enable, is an EXPUNGE where
    /// VANISHED is due, or does not fit the session's version (as for
    /// [`send_data`](Self::send_data); and a FETCH without UID in
    /// IMAP4rev2, RFC 9051 §7.5.2); the data is about the
    /// selected mailbox (EXISTS, RECENT, EXPUNGE, VANISHED, FETCH, FLAGS)
    /// and none is selected ([`UsageError::Unexpected`]: an update that
    /// raced with CLOSE or UNSELECT, to drop).
    pub fn send_unsolicited(
        &mut self,
        now: Instant,
        data: Data<'static>,
    ) -> Result<(), UsageError> {
        let _ = now;
        match self.mode {
            Mode::Closed => return Err(UsageError::Closed),
            Mode::AwaitingTls => return Err(UsageError::Unexpected("TLS negotiation in progress")),
            Mode::Auth(_) => return Err(UsageError::Unexpected("authentication in progress")),
            _ => {}
        }
        // Held responses count too: a client that sends no command while
        // the mailbox shrinks cannot make the session hold them without end.
        if self.out.is_full() || self.held.len() >= self.config.limits.max_output / 64 {
            return Err(UsageError::OutputFull);
        }
        let mailbox_data = matches!(
            data,
            Data::Exists(_)
                | Data::Recent(_)
                | Data::Expunge(_)
                | Data::Vanished { .. }
                | Data::Fetch { .. }
                | Data::Flags(_)
        );
        if mailbox_data && self.state != SessionState::Selected {
            return Err(UsageError::Unexpected(
                "mailbox data while no mailbox is selected",
            ));
        }
        match self.admit_data(&data, None)? {
            Admit::Keep => self.route_data(None, data),
            Admit::Replace(data) => self.route_data(None, data),
            Admit::Drop => {}
        }
        Ok(())
    }

    /// Completes a command: `tag OK|NO|BAD [code] text`. SELECT and
    /// EXAMINE select on OK (and leave no mailbox selected on failure),
    /// CLOSE and UNSELECT deselect on OK, UNAUTHENTICATE logs out on OK.
    /// (A SELECT or EXAMINE while a mailbox is selected gets its
    /// `* OK [CLOSED]` from the session, before the command reaches the
    /// application, RFC 9051 §6.3.2: the application does not send it.)
    ///
    /// On error (the session is closed, the request is not in flight, or
    /// the completion is a NO for UNAUTHENTICATE, which RFC 8437 §3 does
    /// not permit) the request comes back with it ([`Unanswered`]).
    pub fn respond(
        &mut self,
        now: Instant,
        request: Request,
        completion: Completion,
    ) -> Result<(), Unanswered<Request>> {
        if self.is_closed() {
            return Err(Unanswered::new(UsageError::Closed, request));
        }
        let Some(pos) = self.in_flight.iter().position(|r| r.id == request.id) else {
            return Err(Unanswered::new(UsageError::UnknownCommand, request));
        };
        if matches!(self.in_flight[pos].effect, Effect::Unauthenticate)
            && completion.status == Status::No
        {
            // RFC 8437 §3: a client may pipeline AUTHENTICATE behind it,
            // so a server that cannot reset the session says BYE instead.
            return Err(Unanswered::new(
                UsageError::Unexpected(
                    "UNAUTHENTICATE may not be answered NO (RFC 8437 §3): answer OK, or end the session with BYE",
                ),
                request,
            ));
        }
        let entry = self.in_flight.remove(pos);
        let ok = completion.status == Status::Ok;
        match entry.effect {
            Effect::None => {}
            Effect::Select => {
                self.nomodseq = entry.nomodseq
                    || matches!(completion.text.code(), Some(ResponseCode::NoModSeq));
                self.state = if ok {
                    SessionState::Selected
                } else {
                    SessionState::Authenticated
                };
            }
            Effect::Deselect if ok => self.state = SessionState::Authenticated,
            Effect::Unauthenticate if ok => {
                // RFC 8437 §3: back to not authenticated, per-user state gone.
                self.state = SessionState::NotAuthenticated;
                self.identity = None;
                self.set_enabled(Enabled::default());
                self.rearm_autologout(now);
            }
            Effect::Deselect | Effect::Unauthenticate => {}
        }
        let response = StatusResponse::tagged(entry.tag, completion.status, completion.text);
        // A completion follows its held data; except that of a
        // sequence-number command, whose held EXPUNGEs may only go out
        // after it (RFC 9051 §7.5.1).
        if !entry.seq_sensitive && self.held.owns(entry.id) {
            self.held.push(Held::Done {
                owner: entry.id,
                response,
            });
        } else {
            self.out.push(&response);
        }
        self.flush_held();
        if self.in_flight.is_empty() {
            self.in_flight_drained(now);
        }
        self.process(now);
        Ok(())
    }

    /// Ends the connection now: queues `* BYE text` (unless the TLS
    /// handshake is in progress) and closes ([`CloseReason::ServerBye`]).
    /// Commands in flight are abandoned.
    pub fn bye(&mut self, now: Instant, text: RespText<'static>) -> Result<(), UsageError> {
        let _ = now;
        if self.is_closed() {
            return Err(UsageError::Closed);
        }
        if !matches!(self.mode, Mode::AwaitingTls) {
            self.out.push(&StatusResponse {
                kind: imapkit_proto::StatusKind::Bye,
                text,
            });
        }
        self.close(CloseReason::ServerBye);
        Ok(())
    }

    // ---- output --------------------------------------------------------

    /// Appends the bytes to send to `buf`; returns how many, or `None` if
    /// there are none. Taking the output may let the session read input it
    /// held back (the output was full), so call it until `None`.
    #[must_use]
    pub fn poll_transmit(&mut self, now: Instant, buf: &mut Vec<u8>) -> Option<usize> {
        if !self.has_output() {
            return None;
        }
        let n = self.take_output(buf);
        self.after_transmit(now);
        Some(n)
    }

    /// Like [`poll_transmit`](Self::poll_transmit), handing the output over
    /// in `out` (cleared first) without copying: large literal payloads the
    /// application passed as shared `Bytes` are referenced
    /// ([`Vectored::chunks`], one `writev`). Returns the output's length.
    /// (With COMPRESS=DEFLATE active the output is compressed into the
    /// head: nothing is left to reference.)
    #[must_use]
    pub fn poll_transmit_vectored(&mut self, now: Instant, out: &mut Vectored) -> Option<usize> {
        if !self.has_output() {
            return None;
        }
        let n = if self.deflate.is_some() {
            let mut bytes = Vec::new();
            self.take_output(&mut bytes);
            out.clear();
            imapkit_codec::encode_vectored(&RawBytes(&bytes), out);
            bytes.len()
        } else {
            self.out.swap_into(out)
        };
        self.after_transmit(now);
        Some(n)
    }

    /// When [`handle_timeout`](Self::handle_timeout) should be called next.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.is_closed() {
            return None;
        }
        self.timers.next_timeout()
    }

    /// The next event, in order; [`Event::Closed`] comes last.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        let event = self.events.pop_front();
        if event.is_none() {
            self.shrink_if_quiet();
        }
        event
    }

    // ---- private helpers -----------------------------------------------

    fn after_transmit(&mut self, now: Instant) {
        // The output was full: commands may be waiting in the input.
        self.process(now);
        self.shrink_if_quiet();
    }

    fn next_request_id(&mut self) -> RequestId {
        self.next_id += 1;
        RequestId {
            session: self.session,
            n: self.next_id,
        }
    }

    /// The capability list for the current state and security.
    fn capability_list(&self) -> imapkit_proto::Vec1<Capability<'static>> {
        capability::list(
            &self.config,
            capability::Context {
                authenticated: !matches!(
                    self.state,
                    SessionState::NotAuthenticated | SessionState::Logout
                ),
                security: self.security,
                channel_binding: self.channel_binding.is_some(),
                compress: self.config.compress && !self.compressing,
            },
        )
    }

    fn greeting_text(&self) -> RespText<'static> {
        let code = ResponseCode::Capability(self.capability_list());
        RespText::with_code(code.clone(), self.config.greeting.clone())
            // A configured text with CR or LF: the default text.
            .unwrap_or_else(|_| coded_text(code, "IMAP server ready"))
    }

    fn rearm_autologout(&mut self, now: Instant) {
        let t = &self.config.timeouts;
        let timeout = if self.state == SessionState::NotAuthenticated {
            t.autologout_unauthenticated
        } else {
            t.autologout_authenticated.max(Timeouts::MIN_AUTOLOGOUT)
        };
        self.timers.set(Timer::AutoLogout, now + timeout);
    }

    /// Queues a tagged response.
    fn tagged(&mut self, tag: Tag<'static>, status: Status, text: RespText<'static>) {
        self.out.push(&StatusResponse::tagged(tag, status, text));
    }

    /// Queues a tagged response, or an untagged one without a tag.
    fn reply(&mut self, tag: Option<Tag<'static>>, status: Status, text: RespText<'static>) {
        match tag {
            Some(tag) => self.tagged(tag, status, text),
            None => self.out.push(&StatusResponse::untagged(status, text)),
        }
    }

    fn audit(&mut self, kind: AuditKind) {
        self.events.push_back(Event::Audit(AuditEvent {
            peer: self.peer,
            tls: self.security == ConnectionSecurity::Tls,
            kind,
        }));
    }

    /// Whether an EXPUNGE may be sent now (RFC 9051 §7.5.1): a command is
    /// in progress, and none of the sequence-number commands.
    fn expunge_allowed(&self) -> bool {
        // A command whose completion is held is still in progress.
        let in_progress = !self.in_flight.is_empty()
            || matches!(self.mode, Mode::Idle { .. })
            || self.held.holds_completion();
        // A command read and waiting to run alone was written before any
        // EXPUNGE that would go out now: its numbers are the old ones, so
        // the EXPUNGE waits until it runs (and goes after its
        // `CommandReceived`, or later if it uses sequence numbers).
        in_progress && self.pending.is_none() && !self.in_flight.iter().any(|r| r.seq_sensitive)
    }

    /// The command `request` answers, while the session is open: its id and
    /// whether it uses sequence numbers (what the EXPUNGE rules look at).
    fn owner(&self, request: &Request) -> Result<(RequestId, bool), UsageError> {
        if self.is_closed() {
            return Err(UsageError::Closed);
        }
        self.in_flight
            .iter()
            .find(|r| r.id == request.id)
            .map(|r| (r.id, r.seq_sensitive))
            .ok_or(UsageError::UnknownCommand)
    }

    /// Queues data now or holds it (see [`expunge`]).
    fn route_data(&mut self, owner: Option<(RequestId, bool)>, data: Data<'static>) {
        let expunge = is_expunge(&data);
        let hold = match owner {
            // The sequence-number commands in progress describe the mailbox
            // as the client sees it: their data goes past held expunges.
            Some((_, true)) if !expunge => false,
            _ => !self.held.is_empty() || (expunge && !self.expunge_allowed()),
        };
        if hold {
            self.held.push(Held::Data {
                owner: owner.map(|(id, _)| id),
                data,
            });
        } else {
            self.send_now(data);
        }
    }

    /// Queues data for output; an EXPUNGE or VANISHED is reported
    /// ([`Event::ExpungeSent`]): the client's numbering changes here.
    fn send_now(&mut self, data: Data<'static>) {
        if is_expunge(&data) {
            self.events
                .push_back(Event::ExpungeSent { data: data.clone() });
        }
        self.out.push(&Response::Data(data));
    }

    /// Sends the held responses that may go out now, in order.
    fn flush_held(&mut self) {
        if self.held.is_empty() {
            return;
        }
        while let Some(held) = self.held.pop_ready(self.expunge_allowed()) {
            match held {
                Held::Data { data, .. } => self.send_now(data),
                Held::Status { response, .. } | Held::Done { response, .. } => {
                    self.out.push(&response)
                }
            }
        }
    }

    /// Nothing is in flight any more: end a draining connection, or run
    /// the command that waited to run alone.
    fn in_flight_drained(&mut self, now: Instant) {
        if let Mode::Draining {
            toobig,
            text,
            reason,
        } = self.mode
        {
            self.bye_now(toobig.then_some(ResponseCode::TooBig), text, reason);
            return;
        }
        if let Some(pending) = self.pending.take() {
            let Pending { route, command } = *pending;
            self.dispatch(now, route, command);
        }
    }

    /// Queues `* BYE [code] text` (not during the TLS handshake: nothing is
    /// sent in plaintext after the OK to STARTTLS) and closes.
    fn bye_now(
        &mut self,
        code: Option<ResponseCode<'static>>,
        text: &'static str,
        reason: CloseReason,
    ) {
        if !matches!(self.mode, Mode::AwaitingTls) {
            let text = match code {
                Some(code) => coded_text(code, text),
                None => static_text(text),
            };
            self.out.push(&StatusResponse {
                kind: imapkit_proto::StatusKind::Bye,
                text,
            });
        }
        self.close(reason);
    }

    /// Ends the connection after the commands in flight are answered (the
    /// peer broke a limit; the commands before its offending one still get
    /// their answers).
    fn end_after_in_flight(&mut self, toobig: bool, text: &'static str, reason: CloseReason) {
        if self.in_flight.is_empty() {
            self.bye_now(toobig.then_some(ResponseCode::TooBig), text, reason);
        } else {
            self.mode = Mode::Draining {
                toobig,
                text,
                reason,
            };
        }
    }

    /// Closes: stops everything and queues the last events.
    fn close(&mut self, reason: CloseReason) {
        self.report_injection();
        self.audit_interrupted_attempt();
        self.mode = Mode::Closed;
        self.state = SessionState::Logout;
        self.timers.clear();
        self.in_flight = Vec::new();
        self.pending = None;
        self.held.clear();
        self.framer.discard_buffered();
        self.audit(AuditKind::Closed { reason });
        self.events.push_back(Event::Closed { reason });
    }

    /// Gives back buffer memory when nothing is queued or in progress.
    fn shrink_if_quiet(&mut self) {
        if self.has_output() || !self.events.is_empty() {
            return;
        }
        self.out.shrink();
        if self.events.capacity() > 0 {
            self.events = VecDeque::new();
        }
        if self.in_flight.is_empty() && self.in_flight.capacity() > 0 {
            self.in_flight = Vec::new();
        }
        self.held.shrink();
        if let Some(deflate) = &mut self.deflate {
            deflate.shrink();
        }
        self.renew_framer_if_clean();
    }

    /// Replaces the framer by a fresh one (same configuration) when it is
    /// between messages with nothing buffered and has grown its buffer, so
    /// that an idle session holds no input buffer.
    fn renew_framer_if_clean(&mut self) {
        if self.framer_clean && self.framer.buffered() == 0 && self.framer_pushed > OutBuf::KEEP {
            self.renew_framer();
        }
    }

    fn renew_framer(&mut self) {
        self.framer_base += self.framer.stats().consumed;
        self.framer = Framer::new(self.config.limits.framer_config(self.state));
        self.framer_pushed = 0;
        self.framer_clean = true;
    }
}

/// Bytes written as they are (compressed output handed over in a `Vectored`).
struct RawBytes<'a>(&'a [u8]);

impl imapkit_codec::Encode for RawBytes<'_> {
    fn encode<B: bytes::BufMut>(&self, w: &mut imapkit_codec::Writer<'_, B>) {
        w.put(self.0);
    }
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("state", &self.state)
            .field("security", &self.security)
            .field("mode", &self.mode)
            .field("identity", &self.identity)
            .field("enabled", &self.enabled)
            .field("in_flight", &self.in_flight.len())
            .field("output", &self.out.len())
            .field("framer", &self.framer)
            .field("deflate", &self.deflate)
            .finish_non_exhaustive()
    }
}
