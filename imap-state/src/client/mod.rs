//! The client session (RFC 9051): tags and completions, pipelining, literals,
//! authentication, STARTTLS, COMPRESS, IDLE and the selected mailbox's model.
//!
//! A [`Client`] is a pure state machine. The application owns the socket,
//! the TLS library and the clock, and moves bytes and time in and out:
//!
//! ```text
//!  socket/TLS bytes --> handle_input(now, bytes)      poll_transmit(now, &mut buf) --> socket/TLS
//!  clock ------------> handle_timeout(now)             poll_timeout() --> when to call handle_timeout
//!  application ------> enqueue / login / select / idle / ...
//!                      poll_event() --> Greeting, Data, Mailbox, Completed, StartTls, Closed, ...
//! ```
//!
//! The contract: after any `handle_*` call or command, drain
//! [`poll_transmit`](Client::poll_transmit) (write the bytes), then read
//! [`poll_timeout`](Client::poll_timeout) (arm your timer), then drain
//! [`poll_event`](Client::poll_event).

mod authenticate;
mod capability;
mod compress;
mod config;
mod event;
mod order;
mod outgoing;

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use imapkit_codec::framer::{Direction, Frame, FrameEvent, Framer};
use imapkit_proto::{
    AppendData, Buf, Capability, Command, CommandBody, CompressionAlgorithm, ContinueRequest, Data,
    Greeting, GreetingKind, IntoStatic, Mailbox, RespText, Response, ResponseCode, Secret,
    SelectParameter, StatusKind, StatusResponse, Tag, TagGenerator,
};

pub use self::capability::Capabilities;
pub use self::config::{ClientConfig, StartTlsPolicy};
pub use self::event::{CloseReason, CommandError, Completion, Event, Outcome, TlsPolicyError};
pub use self::order::SessionState;

use self::authenticate::Exchange;
use self::compress::{Deflate, INFLATE_PIECE};
use self::order::{Answers, Kind, Traits};
use self::outgoing::{Outgoing, Progress};
use crate::error::{PeerViolation, UsageError, ViolationKind};
use crate::handle::CommandHandle;
use crate::mailbox::{MailboxChange, MailboxSnapshot, SelectedMailbox};
use crate::sasl::ClientMechanism;
use crate::timer::{TimerKind, TimerTable};
use crate::ConnectionSecurity;

/// An IMAP client session, sans-IO.
///
/// See the [module documentation](self) for the data flow and the calling
/// contract. `Debug` shows the session's state, never the bytes queued for
/// sending (they may hold a password).
pub struct Client {
    config: Arc<ClientConfig>,
    security: ConnectionSecurity,
    state: SessionState,
    gate: Gate,
    caps: Capabilities,
    framer: Framer,
    tags: TagGenerator,
    next_handle: u64,
    /// Commands not yet started, in order.
    queue: VecDeque<Queued>,
    /// Commands sent and not completed, in the order they were sent.
    in_flight: Vec<InFlight>,
    /// The command whose bytes are being written: it waits for `+` after a
    /// synchronizing literal's header. Nothing else is sent meanwhile.
    sending: Option<(CommandHandle, Outgoing)>,
    /// Bytes to send, in order (shared with the encoded commands).
    out: VecDeque<Bytes>,
    events: VecDeque<Event>,
    timers: TimerTable<Timer, 3>,
    /// The selected mailbox's model (state Selected).
    mailbox: Option<SelectedMailbox>,
    /// A SELECT is in flight while `mailbox` stays selected until the
    /// server's `[CLOSED]` (QRESYNC, RFC 7162 §3.2.11): responses before it
    /// are about the old mailbox.
    closing: bool,
    /// DEFLATE streams once COMPRESS is active, and compressed input not yet inflated.
    deflate: Option<(Deflate, Vec<u8>)>,
    /// The last BYE received.
    bye: Option<(Option<ResponseCode<'static>>, imapkit_proto::Text<'static>)>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("state", &self.state)
            .field("security", &self.security)
            .field("gate", &self.gate)
            .field("capabilities", &self.caps)
            .field("queued", &self.queue.len())
            .field(
                "in_flight",
                &self.in_flight.iter().map(|c| &c.tag).collect::<Vec<_>>(),
            )
            .field("out_bytes", &self.out.iter().map(Bytes::len).sum::<usize>())
            .field("events", &self.events.len())
            .field("mailbox", &self.mailbox)
            .field("compressed", &self.deflate.is_some())
            .finish_non_exhaustive()
    }
}

/// What may be sent now, besides the pipelining rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Gate {
    /// Everything (in order).
    Open,
    /// Only the client's own commands (CAPABILITY, STARTTLS): the STARTTLS
    /// policy is being applied and nothing of the application's may go out
    /// in plaintext before.
    Tls,
    /// STARTTLS was answered OK: nothing is read or written until
    /// [`Client::tls_established`].
    Upgrading,
}

/// The client's timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Timer {
    Greeting,
    Command,
    IdleRefresh,
}

impl TimerKind for Timer {
    const ALL: &'static [Self] = &[Self::Greeting, Self::Command, Self::IdleRefresh];
    fn index(self) -> usize {
        self as usize
    }
}

/// A command waiting for its turn.
#[derive(Debug)]
struct Queued {
    handle: CommandHandle,
    body: CommandBody<'static>,
    traits: Traits,
    /// Sent by the client itself (CAPABILITY, STARTTLS): may pass the TLS gate.
    internal: bool,
    mechanism: Option<Box<dyn ClientMechanism>>,
    /// SELECT/EXAMINE with QRESYNC: the cache it resynchronizes.
    snapshot: Option<MailboxSnapshot>,
}

/// A command sent and not completed.
#[derive(Debug)]
struct InFlight {
    handle: CommandHandle,
    tag: Tag<'static>,
    traits: Traits,
    answers: Answers,
    internal: bool,
    detail: Detail,
    /// [`Capabilities::generation`] when it was sent.
    caps_generation: u64,
    /// A FETCH: the flags it asks for are not reported as changes.
    fetch: bool,
}

/// What a command in flight waits for besides its tagged response.
#[derive(Debug)]
enum Detail {
    None,
    Authenticate(Exchange),
    Idle(IdlePhase),
    /// SELECT / EXAMINE: the model being built.
    Select(Box<SelectedMailbox>),
}

/// What a tagged response leads to after its completion event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Then {
    Nothing,
    /// STARTTLS succeeded: the application upgrades now.
    StartTls,
    /// The capabilities asked for the STARTTLS policy arrived.
    DecideStartTls,
}

/// Where an IDLE is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdlePhase {
    /// IDLE sent, waiting for `+`; `done` if DONE was asked for already,
    /// `refresh` if this IDLE replaces one ended by the refresh timer.
    Requested { done: bool, refresh: bool },
    /// Idling: updates arrive.
    Idling,
    /// DONE sent; `refresh`: start a new IDLE when it completes.
    Done { refresh: bool },
}

impl Client {
    /// A session on a new connection. `security` says whether the
    /// connection is already encrypted (implicit TLS, port 993) or plain
    /// TCP (port 143, where [`ClientConfig::starttls`] applies). Arms the
    /// greeting timer.
    pub fn new(config: Arc<ClientConfig>, now: Instant, security: ConnectionSecurity) -> Self {
        let mut framer_config = config.framer.clone();
        framer_config.direction = Direction::ServerToClient;
        framer_config.announce_literals = false;
        let tags = TagGenerator::new(&config.tag_prefix).unwrap_or_default();
        let mut timers = TimerTable::new();
        timers.set(Timer::Greeting, now + config.greeting_timeout);
        Self {
            security,
            state: SessionState::Greeting,
            gate: Gate::Open,
            caps: Capabilities::default(),
            framer: Framer::new(framer_config),
            tags,
            next_handle: 0,
            queue: VecDeque::new(),
            in_flight: Vec::new(),
            sending: None,
            out: VecDeque::new(),
            events: VecDeque::new(),
            timers,
            mailbox: None,
            closing: false,
            deflate: None,
            bye: None,
            config,
        }
    }

    // ---- getters ----

    /// The session state.
    pub fn state(&self) -> SessionState {
        self.state
    }

    /// Whether the connection is encrypted (as the application said).
    pub fn security(&self) -> ConnectionSecurity {
        self.security
    }

    /// The server's capabilities and the enabled extensions.
    pub fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    /// The selected mailbox's model (state [`SessionState::Selected`]).
    pub fn mailbox(&self) -> Option<&SelectedMailbox> {
        self.mailbox.as_ref()
    }

    /// Whether an IDLE is active (the server accepted it and DONE was not sent).
    pub fn is_idle(&self) -> bool {
        self.in_flight
            .iter()
            .any(|f| matches!(f.detail, Detail::Idle(IdlePhase::Idling)))
    }

    /// Whether COMPRESS=DEFLATE is active.
    pub fn is_compressed(&self) -> bool {
        self.deflate.is_some()
    }

    /// Commands enqueued or in flight.
    pub fn pending(&self) -> usize {
        self.queue.len() + self.in_flight.len()
    }

    /// Bytes of server input held: the framer's buffer and compressed input
    /// not yet inflated (for the fuzz checks of bounded memory).
    pub(crate) fn input_buffered(&self) -> usize {
        self.framer.buffered()
            + self
                .deflate
                .as_ref()
                .map_or(0, |(_, pending)| pending.len())
    }

    // ---- input ----

    /// Bytes received from the server (after TLS). Never fails: what the
    /// server got wrong becomes [`Event::Violation`] or closes the session.
    pub fn handle_input(&mut self, now: Instant, bytes: &[u8]) {
        if self.state == SessionState::Closed || bytes.is_empty() {
            return;
        }
        if self.gate == Gate::Upgrading {
            self.events
                .push_back(Event::InjectionDiscarded { bytes: bytes.len() });
            return;
        }
        self.touch(now);
        if self.deflate.is_some() {
            self.inflate_input(now, bytes);
        } else {
            self.framer.push(bytes);
            self.process_frames(now);
            if self.deflate.is_some() {
                // COMPRESS became active in this read: the rest was compressed.
                self.inflate_input(now, &[]);
            }
        }
        self.pump(now);
    }

    /// The server closed the connection (the socket reached EOF).
    pub fn handle_eof(&mut self, _now: Instant) {
        if self.state == SessionState::Closed {
            return;
        }
        let logging_out = self.in_flight.iter().any(|f| f.traits.kind == Kind::Logout);
        let reason = match self.bye.take() {
            _ if logging_out => CloseReason::Logout,
            Some((code, text)) => CloseReason::Bye { code, text },
            None => CloseReason::Eof,
        };
        self.close_with(reason);
    }

    /// Time passed: fires the timers due at `now`. An early or repeated
    /// call does nothing.
    pub fn handle_timeout(&mut self, now: Instant) {
        let due: Vec<Timer> = self.timers.expire(now).collect();
        for timer in due {
            if self.state == SessionState::Closed {
                return;
            }
            match timer {
                Timer::Greeting => self.close_with(CloseReason::GreetingTimeout),
                Timer::Command => self.close_with(CloseReason::CommandTimeout),
                Timer::IdleRefresh => self.refresh_idle(now),
            }
        }
        self.pump(now);
    }

    /// TLS is up after [`Event::StartTls`]: the session forgets what it
    /// learned in plaintext and asks for the capabilities again.
    pub fn tls_established(&mut self, now: Instant) -> Result<(), UsageError> {
        if self.state == SessionState::Closed {
            return Err(UsageError::Closed);
        }
        if self.gate != Gate::Upgrading {
            return Err(UsageError::Unexpected(
                "tls_established without a STARTTLS OK",
            ));
        }
        self.security = ConnectionSecurity::Tls;
        self.gate = Gate::Open;
        self.ask_capabilities(true);
        self.pump(now);
        Ok(())
    }

    // ---- commands ----

    /// Enqueues any command; it is sent when the pipelining rules allow
    /// (RFC 9051 §5.5). Returns its handle; a [`Event::Completed`] with it
    /// follows, exactly once.
    ///
    /// Fails only for what cannot work at all (the session is closed, the
    /// command is not valid in the state the session will be in, the server
    /// lacks the capability). While an IDLE is active, enqueueing ends it
    /// with DONE first.
    ///
    /// ```
    /// # use std::{sync::Arc, time::Instant};
    /// use imapkit_proto::{CommandBody, Flag, SequenceSet, StoreAction};
    /// use imapkit_state::client::{Client, ClientConfig};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let now = Instant::now();
    /// # let mut client = Client::new(Arc::new(ClientConfig::default()), now, imapkit_state::ConnectionSecurity::Tls);
    /// client.enqueue(now, CommandBody::list("", "*"))?;
    /// client.enqueue(now, CommandBody::select("INBOX"))?;
    /// let uid = SequenceSet::single(42)?;
    /// client.enqueue(now, CommandBody::uid_store(uid, StoreAction::Add, [Flag::Seen]))?;
    /// # Ok(()) }
    /// ```
    pub fn enqueue(
        &mut self,
        now: Instant,
        body: impl Into<CommandBody<'static>>,
    ) -> Result<CommandHandle, UsageError> {
        self.enqueue_inner(now, body.into(), None, None)
    }

    /// `LOGIN user password` (RFC 9051 §6.2.3). Refused on a connection not
    /// encrypted unless [`ClientConfig::allow_plaintext_credentials`], and when
    /// the server announced LOGINDISABLED.
    pub fn login(
        &mut self,
        now: Instant,
        user: &str,
        password: Secret<String>,
    ) -> Result<CommandHandle, UsageError> {
        let username = imapkit_proto::AString::from(user.to_owned());
        let password = Secret::new(imapkit_proto::AString::from(password.into_declassified()));
        self.enqueue(now, CommandBody::Login { username, password })
    }

    /// `AUTHENTICATE` with a SASL mechanism (RFC 9051 §6.2.2); with SASL-IR
    /// (RFC 4959) when the server announced it. The mechanism's own checks
    /// run at completion: a SCRAM server that cannot prove it knows the
    /// password fails the command ([`Outcome::Sasl`]) and closes the session.
    pub fn authenticate(
        &mut self,
        now: Instant,
        mechanism: Box<dyn ClientMechanism>,
    ) -> Result<CommandHandle, UsageError> {
        let body = CommandBody::Authenticate {
            mechanism: mechanism.name(),
            initial_response: None,
        };
        self.enqueue_inner(now, body, Some(mechanism), None)
    }

    /// Cancels the AUTHENTICATE exchange in progress (RFC 9051 §6.2.2): the
    /// server's next challenge is answered with `*`, and the server ends the
    /// command with BAD. (A client may only cancel in answer to a challenge.)
    pub fn cancel_authenticate(&mut self) -> Result<(), UsageError> {
        let exchange = self.in_flight.iter_mut().find_map(|f| match &mut f.detail {
            Detail::Authenticate(e) => Some(e),
            _ => None,
        });
        match exchange {
            Some(e) => {
                e.cancel = true;
                Ok(())
            }
            None => Err(UsageError::Unexpected("no AUTHENTICATE in progress")),
        }
    }

    /// `SELECT mailbox` (RFC 9051 §6.3.2).
    pub fn select(
        &mut self,
        now: Instant,
        mailbox: Mailbox<'static>,
    ) -> Result<CommandHandle, UsageError> {
        self.enqueue(
            now,
            CommandBody::Select {
                mailbox,
                parameters: Vec::new(),
            },
        )
    }

    /// `EXAMINE mailbox` (RFC 9051 §6.3.3): selected read-only.
    pub fn examine(
        &mut self,
        now: Instant,
        mailbox: Mailbox<'static>,
    ) -> Result<CommandHandle, UsageError> {
        self.enqueue(
            now,
            CommandBody::Examine {
                mailbox,
                parameters: Vec::new(),
            },
        )
    }

    /// `SELECT mailbox (QRESYNC (...))` (RFC 7162 §3.2.5), or EXAMINE with
    /// `read_only`: selects `mailbox` resynchronizing the cached `snapshot`
    /// (taken with [`SelectedMailbox::snapshot`] in an earlier session).
    /// Needs `ENABLE QRESYNC` first (RFC 7162 §3.2.3). At its completion the
    /// model reports [`MailboxChange::Resynced`] when the server's answer
    /// agrees with the snapshot, otherwise `ResyncNeeded` or
    /// `UidValidityChanged`.
    pub fn select_qresync(
        &mut self,
        now: Instant,
        mailbox: Mailbox<'static>,
        snapshot: MailboxSnapshot,
        read_only: bool,
    ) -> Result<CommandHandle, UsageError> {
        if !self.caps.is_enabled(&Capability::QResync) {
            return Err(UsageError::Unexpected(
                "SELECT (QRESYNC) before ENABLE QRESYNC",
            ));
        }
        let parameters = vec![snapshot.select_parameter()];
        let body = if read_only {
            CommandBody::Examine {
                mailbox,
                parameters,
            }
        } else {
            CommandBody::Select {
                mailbox,
                parameters,
            }
        };
        self.enqueue_inner(now, body, None, Some(snapshot))
    }

    /// `ENABLE capability...` (RFC 5161): e.g. `CONDSTORE`, `QRESYNC`,
    /// `UTF8=ACCEPT`, `IMAP4rev2`. The server's `* ENABLED` answer is kept
    /// in [`Capabilities::enabled`].
    pub fn enable(
        &mut self,
        now: Instant,
        capabilities: imapkit_proto::Vec1<Capability<'static>>,
    ) -> Result<CommandHandle, UsageError> {
        self.enqueue(now, CommandBody::Enable { capabilities })
    }

    /// `IDLE` (RFC 2177): updates arrive as events until
    /// [`idle_done`](Self::idle_done). Refreshed every
    /// [`ClientConfig::idle_refresh`]. A server without IDLE gives
    /// [`UsageError::MissingCapability`]: poll with NOOP instead.
    pub fn idle(&mut self, now: Instant) -> Result<CommandHandle, UsageError> {
        if self.caps.known() && !self.caps.has(&Capability::Idle) {
            return Err(UsageError::MissingCapability("IDLE"));
        }
        self.enqueue(now, CommandBody::Idle)
    }

    /// Ends the active IDLE with `DONE`; its [`Event::Completed`] follows.
    pub fn idle_done(&mut self, now: Instant) -> Result<(), UsageError> {
        let Some(f) = self
            .in_flight
            .iter_mut()
            .find(|f| matches!(f.detail, Detail::Idle(_)))
        else {
            return Err(UsageError::Unexpected("idle_done while not idling"));
        };
        let Detail::Idle(phase) = &mut f.detail else {
            unreachable!("found by this pattern")
        };
        match *phase {
            IdlePhase::Idling => {
                *phase = IdlePhase::Done { refresh: false };
                self.timers.stop(Timer::IdleRefresh);
                self.push_out(Bytes::from_static(b"DONE\r\n"));
                self.arm_command_timer(now);
            }
            IdlePhase::Requested { refresh, .. } => {
                *phase = IdlePhase::Requested {
                    done: true,
                    refresh,
                };
            }
            IdlePhase::Done { .. } => *phase = IdlePhase::Done { refresh: false },
        }
        Ok(())
    }

    /// `STARTTLS` by hand (with [`StartTlsPolicy::Never`]; the other
    /// policies send it themselves).
    pub fn starttls(&mut self, now: Instant) -> Result<CommandHandle, UsageError> {
        if self.security == ConnectionSecurity::Tls {
            return Err(UsageError::Unexpected(
                "STARTTLS on an encrypted connection",
            ));
        }
        self.enqueue(now, CommandBody::StartTls)
    }

    /// `COMPRESS DEFLATE` (RFC 4978): after its OK, the session compresses
    /// and decompresses by itself.
    pub fn compress(&mut self, now: Instant) -> Result<CommandHandle, UsageError> {
        if self.deflate.is_some() {
            return Err(UsageError::Unexpected("COMPRESS is already active"));
        }
        self.enqueue(
            now,
            CommandBody::Compress {
                algorithm: CompressionAlgorithm::Deflate,
            },
        )
    }

    /// `LOGOUT` (RFC 9051 §6.1.3): the session closes with
    /// [`CloseReason::Logout`] when it completes.
    pub fn logout(&mut self, now: Instant) -> Result<CommandHandle, UsageError> {
        self.enqueue(now, CommandBody::Logout)
    }

    /// Closes the session at once, without LOGOUT: every command completes
    /// as [`Outcome::ConnectionClosed`], then [`Event::Closed`]. Close the
    /// socket afterwards.
    pub fn close(&mut self) {
        if self.state != SessionState::Closed {
            self.close_with(CloseReason::Local);
        }
    }

    // ---- output ----

    /// Appends the bytes to send to `buf` (compressed if COMPRESS is
    /// active); returns how many, or `None` if there is nothing to send.
    #[must_use]
    pub fn poll_transmit(&mut self, _now: Instant, buf: &mut Vec<u8>) -> Option<usize> {
        let start = buf.len();
        if let Some((deflate, _)) = self.deflate.as_mut() {
            let mut plain = Vec::new();
            for part in self.out.drain(..) {
                plain.extend_from_slice(&part);
            }
            if !plain.is_empty() {
                deflate.deflate(&plain, buf);
            }
        } else {
            for part in self.out.drain(..) {
                buf.extend_from_slice(&part);
            }
        }
        let n = buf.len() - start;
        (n > 0).then_some(n)
    }

    /// When [`handle_timeout`](Self::handle_timeout) should be called next.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next_timeout()
    }

    /// The next event, or `None`. [`Event::Closed`] is the last one.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        let event = self.events.pop_front();
        if event.is_none() && self.events.capacity() > Self::EVENTS_KEPT {
            // A burst (a read of many small responses) grew the queue: give
            // the memory back, so an idle session stays small.
            self.events.shrink_to(Self::EVENTS_KEPT);
        }
        event
    }

    /// Events the queue keeps room for between bursts.
    const EVENTS_KEPT: usize = 16;

    // ---- private: queueing and sending ----

    fn enqueue_inner(
        &mut self,
        now: Instant,
        body: CommandBody<'static>,
        mechanism: Option<Box<dyn ClientMechanism>>,
        snapshot: Option<MailboxSnapshot>,
    ) -> Result<CommandHandle, UsageError> {
        if matches!(self.state, SessionState::Closed | SessionState::Logout) || self.bye.is_some() {
            return Err(UsageError::Closed);
        }
        let traits = Traits::of(&body);
        if self.state != SessionState::Greeting {
            let projected = self.projected_state();
            if !traits.validity.admits(projected) {
                return Err(UsageError::WrongState {
                    command: command_name(&body),
                    state: projected.name(),
                });
            }
        }
        if let Some(e) = self.capability_refusal(&body, mechanism.as_deref()) {
            return Err(e);
        }
        let handle = self.new_handle();
        self.queue.push_back(Queued {
            handle,
            body,
            traits,
            internal: false,
            mechanism,
            snapshot,
        });
        // A command behind an active IDLE ends it (RFC 2177 §3: the client
        // must send DONE before any other command).
        if self.is_idle() {
            let _ = self.idle_done(now);
        }
        self.pump(now);
        Ok(handle)
    }

    fn new_handle(&mut self) -> CommandHandle {
        self.next_handle += 1;
        CommandHandle(self.next_handle)
    }

    /// The state the session will be in when the queue has run, if every
    /// command in flight and queued succeeds.
    fn projected_state(&self) -> SessionState {
        let kinds = self
            .in_flight
            .iter()
            .map(|f| f.traits.kind)
            .chain(self.queue.iter().map(|q| q.traits.kind));
        kinds.fold(self.state, |state, kind| match kind {
            Kind::Login | Kind::Authenticate => SessionState::Authenticated,
            Kind::Select => SessionState::Selected,
            Kind::Close => SessionState::Authenticated,
            Kind::Unauthenticate => SessionState::NotAuthenticated,
            Kind::Logout => SessionState::Logout,
            _ => state,
        })
    }

    /// Why `body` cannot be sent given what is known of the server and the
    /// connection, if it cannot.
    fn capability_refusal(
        &self,
        body: &CommandBody<'_>,
        mechanism: Option<&dyn ClientMechanism>,
    ) -> Option<UsageError> {
        // While STARTTLS may still come, the check waits for the send.
        let plaintext = self.security == ConnectionSecurity::Plaintext
            && !self.config.allow_plaintext_credentials
            && !self.tls_pending();
        match body {
            CommandBody::Login { .. } => {
                // LOGINDISABLED before TLS says nothing about after.
                if self.caps.has(&Capability::LoginDisabled) && !self.tls_pending() {
                    return Some(UsageError::LoginDisabled);
                }
                if plaintext {
                    return Some(UsageError::PlaintextCredentials);
                }
            }
            CommandBody::Authenticate { .. }
                if plaintext && mechanism.is_some_and(|m| m.sends_reusable_secret()) =>
            {
                return Some(UsageError::PlaintextCredentials);
            }
            CommandBody::Idle if self.caps.known() && !self.caps.has(&Capability::Idle) => {
                return Some(UsageError::MissingCapability("IDLE"));
            }
            // A second COMPRESS would restart both DEFLATE streams in the
            // middle of the connection (RFC 4978 §3: COMPRESSIONACTIVE).
            CommandBody::Compress { .. } if self.deflate.is_some() => {
                return Some(UsageError::Unexpected("COMPRESS is already active"));
            }
            CommandBody::Compress { .. }
                if self.caps.known()
                    && !self
                        .caps
                        .list()
                        .iter()
                        .any(|c| matches!(c, Capability::Compress(a) if a.as_bytes().eq_ignore_ascii_case(b"DEFLATE"))) =>
            {
                return Some(UsageError::MissingCapability("COMPRESS=DEFLATE"));
            }
            CommandBody::Append { messages, .. } if self.caps.known() => {
                // RFC 3516: literal8 (`~{n}`) only to a server with BINARY;
                // RFC 6855: `UTF8 (...)` only after ENABLE UTF8=ACCEPT;
                // RFC 4469: CATENATE only when announced.
                for m in messages.as_slice() {
                    let missing = match &m.data {
                        AppendData::Literal8(_) if !self.caps.has(&Capability::Binary) => Some("BINARY"),
                        AppendData::Utf8(_) if !self.caps.utf8_accepted() => Some("UTF8=ACCEPT"),
                        AppendData::Catenate(_) if !self.caps.has(&Capability::Catenate) => Some("CATENATE"),
                        _ => None,
                    };
                    if let Some(cap) = missing {
                        return Some(UsageError::MissingCapability(cap));
                    }
                }
                if messages.as_slice().len() > 1 && !self.caps.has(&Capability::MultiAppend) {
                    return Some(UsageError::MissingCapability("MULTIAPPEND"));
                }
            }
            // Checked again at the send: UNAUTHENTICATE forgets what was enabled.
            CommandBody::Select { parameters, .. } | CommandBody::Examine { parameters, .. }
                if !self.caps.is_enabled(&Capability::QResync)
                    && parameters
                        .iter()
                        .any(|p| matches!(p, SelectParameter::QResync { .. })) =>
            {
                return Some(UsageError::Unexpected(
                    "SELECT (QRESYNC) before ENABLE QRESYNC",
                ));
            }
            CommandBody::StartTls if self.security == ConnectionSecurity::Tls => {
                return Some(UsageError::Unexpected("STARTTLS on an encrypted connection"));
            }
            _ => {}
        }
        None
    }

    /// Whether the STARTTLS policy has yet to be applied on this plaintext
    /// connection (a command enqueued now is sent after it).
    fn tls_pending(&self) -> bool {
        self.security == ConnectionSecurity::Plaintext
            && self.config.starttls != StartTlsPolicy::Never
            && (self.state == SessionState::Greeting || self.gate != Gate::Open)
    }

    /// Starts queued commands as far as the gate and RFC 9051 §5.5 allow.
    fn pump(&mut self, now: Instant) {
        loop {
            if matches!(self.state, SessionState::Closed | SessionState::Greeting)
                || self.gate == Gate::Upgrading
                || self.sending.is_some()
                || self.bye.is_some()
            {
                return;
            }
            let Some(next) = self.queue.front() else {
                return;
            };
            if self.gate == Gate::Tls && !next.internal {
                return;
            }
            let blocked = self.in_flight.iter().any(|f| f.traits.hold_after)
                || (next.traits.alone && !self.in_flight.is_empty())
                || (next.traits.uses_seq && self.in_flight.iter().any(|f| f.traits.may_expunge));
            if blocked {
                return;
            }
            let Some(next) = self.queue.pop_front() else {
                return;
            };
            // Checked again now: the state and capabilities may have changed
            // since it was enqueued (a LOGIN failed, CAPABILITY arrived).
            let refusal = if next.traits.validity.admits(self.state) {
                self.capability_refusal(&next.body, next.mechanism.as_deref())
            } else {
                Some(UsageError::WrongState {
                    command: command_name(&next.body),
                    state: self.state.name(),
                })
            };
            if let Some(e) = refusal {
                self.complete_local(next.handle, None, Outcome::NotSent(e));
                continue;
            }
            self.start(now, next);
        }
    }

    /// Encodes and starts sending one command.
    fn start(&mut self, now: Instant, q: Queued) {
        let Queued {
            handle,
            mut body,
            traits,
            internal,
            mechanism,
            mut snapshot,
        } = q;
        let mut detail = Detail::None;
        if let Some(mechanism) = mechanism {
            let sasl_ir = self.caps.has(&Capability::SaslIr);
            match Exchange::start(mechanism, sasl_ir) {
                Ok((exchange, inline)) => {
                    if let CommandBody::Authenticate {
                        initial_response, ..
                    } = &mut body
                    {
                        *initial_response =
                            inline.map(|s| Secret::new(Buf::from(s.into_declassified())));
                    }
                    detail = Detail::Authenticate(exchange);
                }
                Err(e) => {
                    self.complete_local(handle, None, Outcome::NotSent(UsageError::Sasl(e)));
                    return;
                }
            }
        }
        match &body {
            CommandBody::Idle => {
                detail = Detail::Idle(IdlePhase::Requested {
                    done: false,
                    refresh: false,
                })
            }
            CommandBody::Select { mailbox, .. } | CommandBody::Examine { mailbox, .. } => {
                let read_only = matches!(body, CommandBody::Examine { .. });
                let model = match snapshot.take() {
                    Some(snapshot) => {
                        SelectedMailbox::resync(mailbox.clone(), read_only, &snapshot)
                    }
                    None => SelectedMailbox::new(mailbox.clone(), read_only),
                };
                detail = Detail::Select(Box::new(model));
            }
            _ => {}
        }
        if traits.kind == Kind::Select {
            // RFC 9051 §6.3.2: a SELECT closes the mailbox selected before,
            // whatever its outcome. With QRESYNC enabled the server marks the
            // moment with `[CLOSED]` (RFC 7162 §3.2.11); until then its
            // responses are about the old mailbox.
            self.closing = self.mailbox.is_some() && self.caps.is_enabled(&Capability::QResync);
            if !self.closing {
                self.mailbox = None;
            }
            if self.state == SessionState::Selected {
                self.state = SessionState::Authenticated;
            }
        }
        let fetch = matches!(body, CommandBody::Fetch { .. });
        let tag = self.tags.next_tag();
        let command = Command::new(tag.clone(), body);
        let mut outgoing = Outgoing::encode(&command, &self.encode_options());
        let answers = Answers::of(&command.body);
        self.in_flight.push(InFlight {
            handle,
            tag: tag.clone(),
            traits,
            answers,
            internal,
            detail,
            caps_generation: self.caps.generation(),
            fetch,
        });
        self.events.push_back(Event::CommandSent { handle, tag });
        let (part, progress) = outgoing.next_part();
        self.push_out(part);
        if progress == Progress::AwaitContinuation {
            self.sending = Some((handle, outgoing));
        }
        self.arm_command_timer(now);
    }

    /// How commands are encoded: as the capabilities say, with the
    /// configured literal policy if there is one.
    fn encode_options(&self) -> imapkit_codec::EncodeOptions {
        let mut options = self.caps.encode_options();
        if let Some(policy) = self.config.literal_policy {
            options.literals = policy;
        }
        options
    }

    fn push_out(&mut self, bytes: Bytes) {
        if !bytes.is_empty() {
            self.out.push_back(bytes);
        }
    }

    /// Queues a command of the client's own at the front of the queue.
    fn push_internal(&mut self, body: CommandBody<'static>) {
        let handle = self.new_handle();
        let traits = Traits::of(&body);
        self.queue.push_front(Queued {
            handle,
            body,
            traits,
            internal: true,
            mechanism: None,
            snapshot: None,
        });
    }

    /// Asks for CAPABILITY unless it is known or being asked for.
    fn ask_capabilities(&mut self, force: bool) {
        if self.caps.known() || !(force || self.config.auto_capability) {
            return;
        }
        let asking = self
            .in_flight
            .iter()
            .map(|f| f.traits.kind)
            .chain(self.queue.iter().map(|q| q.traits.kind))
            .any(|k| k == Kind::Capability);
        if !asking {
            self.push_internal(CommandBody::Capability);
        }
    }

    // ---- private: timers ----

    fn touch(&mut self, now: Instant) {
        if self.timers.get(Timer::Command).is_some() {
            self.arm_command_timer(now);
        }
    }

    /// Arms the inactivity timer while a command waits for the server, stops it otherwise.
    fn arm_command_timer(&mut self, now: Instant) {
        let waiting = self
            .in_flight
            .iter()
            .any(|f| !matches!(f.detail, Detail::Idle(IdlePhase::Idling)));
        match self.config.command_timeout {
            Some(timeout) if waiting => self.timers.set(Timer::Command, now + timeout),
            _ => self.timers.stop(Timer::Command),
        }
    }

    fn refresh_idle(&mut self, now: Instant) {
        let Some(f) = self
            .in_flight
            .iter_mut()
            .find(|f| matches!(f.detail, Detail::Idle(IdlePhase::Idling)))
        else {
            return;
        };
        f.detail = Detail::Idle(IdlePhase::Done { refresh: true });
        self.push_out(Bytes::from_static(b"DONE\r\n"));
        self.arm_command_timer(now);
    }

    // ---- private: input ----

    /// Inflates compressed input in pieces, framing each piece.
    fn inflate_input(&mut self, now: Instant, bytes: &[u8]) {
        let Some((_, pending)) = self.deflate.as_mut() else {
            return;
        };
        pending.extend_from_slice(bytes);
        let mut piece = Vec::with_capacity(INFLATE_PIECE);
        loop {
            let Some((deflate, pending)) = self.deflate.as_mut() else {
                return;
            };
            match deflate.inflate(pending, &mut piece) {
                Ok(used) => {
                    pending.drain(..used);
                    if piece.is_empty() {
                        return;
                    }
                }
                Err(_) => {
                    self.close_with(CloseReason::Compression);
                    return;
                }
            }
            self.framer.push(&piece);
            self.process_frames(now);
            if self.state == SessionState::Closed {
                return;
            }
        }
    }

    fn process_frames(&mut self, now: Instant) {
        while let Some(event) = self.framer.poll_event() {
            match event {
                FrameEvent::Frame(frame) => self.on_frame(now, frame),
                FrameEvent::LiteralStart { len, offset, .. } => {
                    self.events.push_back(Event::LiteralStart { len, offset })
                }
                FrameEvent::LiteralChunk(chunk) => {
                    self.events.push_back(Event::LiteralChunk(chunk))
                }
                FrameEvent::LiteralEnd => self.events.push_back(Event::LiteralEnd),
                FrameEvent::LiteralAnnounced { .. } => {}
                FrameEvent::Error(e) => {
                    let v = PeerViolation::new(
                        ViolationKind::Framing(e.kind.clone()),
                        e.offset,
                        &e.raw,
                    );
                    if self.state == SessionState::Greeting {
                        self.close_with(CloseReason::Violation(v));
                    } else {
                        self.events.push_back(Event::Violation(v));
                    }
                }
            }
            if self.state == SessionState::Closed || self.gate == Gate::Upgrading {
                return;
            }
        }
    }

    fn on_frame(&mut self, now: Instant, frame: Frame) {
        if self.state == SessionState::Greeting {
            match frame.decode_greeting() {
                Ok(g) => self.on_greeting(now, g.into_shared(&frame.bytes)),
                Err(_) => {
                    let v =
                        PeerViolation::new(ViolationKind::NotAGreeting, frame.offset, &frame.bytes);
                    self.close_with(CloseReason::Violation(v));
                }
            }
            return;
        }
        let response = match frame.decode_response() {
            Ok(r) => r.into_shared(&frame.bytes),
            Err(e) => {
                let kind = ViolationKind::Syntax {
                    reason: e.reason,
                    at: e.offset,
                };
                let v = PeerViolation::new(kind, frame.offset, &frame.bytes);
                self.events.push_back(Event::Violation(v));
                return;
            }
        };
        match response {
            Response::Status(status) => match status.kind {
                StatusKind::Tagged { .. } => self.on_tagged(now, status, &frame),
                StatusKind::Bye => self.on_bye(status),
                StatusKind::Untagged(_) => self.on_untagged_status(status, &frame),
                StatusKind::PreAuth => {
                    let v = PeerViolation::new(
                        ViolationKind::OutOfState("PREAUTH after the greeting"),
                        frame.offset,
                        &frame.bytes,
                    );
                    self.events.push_back(Event::Violation(v));
                }
            },
            Response::Data(data) => self.on_data(data, &frame),
            Response::Continue(cont) => self.on_continue(now, cont, &frame),
        }
    }

    fn on_greeting(&mut self, now: Instant, greeting: Greeting<'static>) {
        self.timers.stop(Timer::Greeting);
        let kind = greeting.kind;
        self.events.push_back(Event::Greeting(greeting.clone()));
        self.on_resp_text(&greeting.text);
        match kind {
            GreetingKind::Bye => {
                let (code, text) = greeting.text.into_parts();
                self.events.push_back(Event::Bye {
                    code: code.clone(),
                    text: text.clone(),
                });
                self.close_with(CloseReason::Bye { code, text });
                return;
            }
            GreetingKind::PreAuth => {
                self.state = SessionState::Authenticated;
                if self.security == ConnectionSecurity::Plaintext
                    && self.config.starttls == StartTlsPolicy::Required
                {
                    self.close_with(CloseReason::TlsPolicy(TlsPolicyError::PreAuthOnPlaintext));
                    return;
                }
            }
            GreetingKind::Ok => self.state = SessionState::NotAuthenticated,
        }
        self.after_greeting_or_tls();
        self.pump(now);
    }

    /// Applies the STARTTLS policy, or asks for the capabilities.
    fn after_greeting_or_tls(&mut self) {
        let needs_tls = self.security == ConnectionSecurity::Plaintext
            && self.state == SessionState::NotAuthenticated
            && self.config.starttls != StartTlsPolicy::Never;
        if needs_tls {
            self.gate = Gate::Tls;
            if self.caps.known() {
                self.decide_starttls();
            } else {
                self.ask_capabilities(true);
            }
        } else {
            self.ask_capabilities(false);
        }
    }

    /// With the capabilities known and the TLS gate closed: STARTTLS if
    /// offered; otherwise fail (Required) or go on in plaintext.
    fn decide_starttls(&mut self) {
        if self.caps.has(&Capability::StartTls) {
            self.push_internal(CommandBody::StartTls);
        } else if self.config.starttls == StartTlsPolicy::Required {
            self.close_with(CloseReason::TlsPolicy(TlsPolicyError::NotOffered));
        } else {
            self.gate = Gate::Open;
        }
    }

    fn on_tagged(&mut self, now: Instant, status: StatusResponse<'static>, frame: &Frame) {
        let StatusKind::Tagged {
            tag,
            status: result,
        } = &status.kind
        else {
            return;
        };
        let Some(index) = self.in_flight.iter().position(|f| &f.tag == tag) else {
            let v = PeerViolation::new(ViolationKind::UnknownTag, frame.offset, &frame.bytes);
            self.events.push_back(Event::Violation(v));
            return;
        };
        let result = *result;
        let ok = result == imapkit_proto::Status::Ok;
        let entry = self.in_flight.remove(index);
        if self
            .sending
            .as_ref()
            .is_some_and(|(h, _)| *h == entry.handle)
        {
            // Answered before its literals were all sent (a NO or BAD instead
            // of `+`): the rest is never sent (RFC 9051 §7.1.2, §7.1.3).
            self.sending = None;
        }
        self.on_resp_text(&status.text);
        let (code, text) = status.text.clone().into_parts();
        let mut outcome = match result {
            imapkit_proto::Status::Ok => Outcome::Ok,
            imapkit_proto::Status::No => Outcome::No,
            imapkit_proto::Status::Bad => Outcome::Bad,
        };
        let mut close = None;
        let mut then = Then::Nothing;
        let mut sasl_detail = None;
        if entry.traits.kind != Kind::Select {
            if let Some(code) = &code {
                self.model_code(code, frame);
            }
            if let Some(change) = self
                .mailbox
                .as_mut()
                .and_then(SelectedMailbox::command_completed)
            {
                self.events.push_back(Event::Mailbox(change));
            }
        }
        match (entry.traits.kind, entry.detail) {
            // The refresh: a new IDLE, same handle (unless commands wait).
            (Kind::Idle, Detail::Idle(IdlePhase::Done { refresh: true }))
                if ok && self.queue.is_empty() =>
            {
                self.restart_idle(now, entry.handle, entry.traits, entry.answers);
                self.arm_command_timer(now);
                return;
            }
            (Kind::Login, _) if ok => self.authenticated(entry.caps_generation),
            (Kind::Authenticate, Detail::Authenticate(mut exchange)) => {
                if !ok {
                    sasl_detail = exchange.mechanism.failure_detail().map(str::to_owned);
                }
                if let Some(e) = exchange.failed.take() {
                    outcome = Outcome::Sasl(e);
                } else if ok {
                    match exchange.mechanism.complete() {
                        Ok(()) => self.authenticated(entry.caps_generation),
                        Err(e) => {
                            outcome = Outcome::Sasl(e.clone());
                            close = Some(CloseReason::Sasl(e));
                        }
                    }
                }
            }
            (Kind::StartTls, _) => {
                if ok {
                    // Nothing after the OK line is read in plaintext ("NO
                    // STARTTLS" §4.1, response injection).
                    let dropped = self.framer.discard_buffered();
                    if dropped > 0 {
                        self.events
                            .push_back(Event::InjectionDiscarded { bytes: dropped });
                    }
                    self.gate = Gate::Upgrading;
                    self.timers.stop(Timer::Command);
                    // What was learned in plaintext is not trusted over TLS.
                    self.caps.reset();
                    self.events.push_back(Event::CapabilitiesChanged);
                    then = Then::StartTls;
                } else if self.config.starttls == StartTlsPolicy::Required && entry.internal {
                    close = Some(CloseReason::TlsPolicy(TlsPolicyError::Refused));
                } else if self.gate == Gate::Tls {
                    self.gate = Gate::Open;
                }
            }
            (Kind::Compress, _) if ok => {
                // The server compresses from the byte after this OK's CRLF
                // (RFC 4978 §3): what the framer holds beyond it is DEFLATE
                // data, inflated before it is framed.
                let rest = self.framer.take_buffered();
                self.deflate = Some((Deflate::new(), rest.to_vec()));
                self.events.push_back(Event::CompressionActive {
                    handle: entry.handle,
                });
            }
            (Kind::Select, Detail::Select(mut model)) => {
                self.closing = false;
                if ok {
                    if let Some(code) = &code {
                        match model.handle_code(code) {
                            Ok(Some(change)) => self.events.push_back(Event::Mailbox(change)),
                            Ok(None) => {}
                            Err(kind) => self.violation(kind, frame),
                        }
                    }
                    for change in model.select_completed() {
                        self.events.push_back(Event::Mailbox(change));
                    }
                    self.mailbox = Some(*model);
                    self.state = SessionState::Selected;
                } else {
                    self.mailbox = None;
                    self.state = SessionState::Authenticated;
                }
            }
            (Kind::Close, _) if ok => {
                self.mailbox = None;
                self.state = SessionState::Authenticated;
            }
            (Kind::Unauthenticate, _) if ok => {
                self.mailbox = None;
                self.state = SessionState::NotAuthenticated;
                self.caps.reset();
                self.events.push_back(Event::CapabilitiesChanged);
                self.ask_capabilities(false);
            }
            (Kind::Logout, _) => close = Some(CloseReason::Logout),
            (Kind::Capability, _) if self.gate == Gate::Tls => {
                if self.caps.known() {
                    then = Then::DecideStartTls;
                } else if self.config.starttls == StartTlsPolicy::Required {
                    close = Some(CloseReason::TlsPolicy(TlsPolicyError::NotOffered));
                } else {
                    self.gate = Gate::Open;
                }
            }
            _ => {}
        }
        if entry.traits.kind == Kind::Idle {
            self.timers.stop(Timer::IdleRefresh);
        }
        let handle = entry.handle;
        self.events.push_back(Event::Completed(Completion {
            handle,
            tag: Some(entry.tag),
            outcome,
            code,
            text: Some(text),
            sasl_detail,
        }));
        if let Some(reason) = close {
            self.close_with(reason);
            return;
        }
        match then {
            Then::Nothing => {}
            Then::StartTls => self.events.push_back(Event::StartTls { handle }),
            Then::DecideStartTls => self.decide_starttls(),
        }
        self.arm_command_timer(now);
    }

    /// LOGIN or AUTHENTICATE succeeded (RFC 9051 §6.2.2: capabilities may
    /// change). Those announced while it ran (untagged, as Dovecot does, or
    /// in the OK's code, applied already) are the new ones; otherwise they
    /// are forgotten and asked for again.
    fn authenticated(&mut self, caps_generation: u64) {
        self.state = SessionState::Authenticated;
        if self.caps.generation() == caps_generation {
            self.caps.forget();
            self.events.push_back(Event::CapabilitiesChanged);
            self.ask_capabilities(false);
        }
    }

    fn restart_idle(
        &mut self,
        now: Instant,
        handle: CommandHandle,
        traits: Traits,
        answers: Answers,
    ) {
        let tag = self.tags.next_tag();
        let command = Command::new(tag.clone(), CommandBody::Idle);
        let mut outgoing = Outgoing::encode(&command, &self.encode_options());
        self.in_flight.push(InFlight {
            handle,
            tag,
            traits,
            answers,
            internal: false,
            detail: Detail::Idle(IdlePhase::Requested {
                done: false,
                refresh: true,
            }),
            caps_generation: self.caps.generation(),
            fetch: false,
        });
        let (part, _) = outgoing.next_part();
        self.push_out(part);
        self.arm_command_timer(now);
    }

    fn on_bye(&mut self, status: StatusResponse<'static>) {
        self.on_resp_text(&status.text);
        let (code, text) = status.text.into_parts();
        self.events.push_back(Event::Bye {
            code: code.clone(),
            text: text.clone(),
        });
        // Nothing more is sent after BYE (RFC 9051 §7.1.5).
        self.out.clear();
        self.sending = None;
        let logging_out = self.in_flight.iter().any(|f| f.traits.kind == Kind::Logout);
        if logging_out {
            // The tagged OK of LOGOUT follows.
            self.bye = Some((code, text));
            self.state = SessionState::Logout;
        } else {
            self.close_with(CloseReason::Bye { code, text });
        }
    }

    fn on_untagged_status(&mut self, status: StatusResponse<'static>, frame: &Frame) {
        self.on_resp_text(&status.text);
        if let Some(code) = status.code() {
            if matches!(code, ResponseCode::Closed) && self.closing {
                // The old mailbox is closed here; what follows is the new one's.
                self.closing = false;
                self.mailbox = None;
            } else {
                self.model_code(code, frame);
            }
        }
        let handle = self.sole_in_flight();
        self.events.push_back(Event::Status { handle, status });
    }

    /// The code and text of any status response: capabilities, alerts, referrals.
    fn on_resp_text(&mut self, resp: &RespText<'static>) {
        let Some(code) = resp.code() else {
            return;
        };
        let trusted = self.security == ConnectionSecurity::Tls;
        match code {
            ResponseCode::Alert => self.events.push_back(Event::Alert {
                text: resp.human().clone(),
                trusted,
            }),
            ResponseCode::Capability(caps) => {
                self.caps.learn(caps.as_slice().iter().cloned());
                self.events.push_back(Event::CapabilitiesChanged);
            }
            ResponseCode::Referral(url) => self.events.push_back(Event::Referral {
                url: String::from_utf8_lossy(url.as_bytes()).into_owned(),
                trusted,
            }),
            _ => {}
        }
    }

    fn on_data(&mut self, data: Data<'static>, frame: &Frame) {
        if self.tls_pending() && !matches!(data, Data::Capability(_)) {
            // Before STARTTLS only the capabilities mean anything; anything
            // else could be an attacker's and must not be trusted after TLS
            // ("NO STARTTLS", tampering with untagged responses).
            self.violation(
                ViolationKind::OutOfState("untagged data before STARTTLS"),
                frame,
            );
            return;
        }
        match &data {
            Data::Capability(caps) => {
                self.caps.learn(caps.as_slice().iter().cloned());
                self.events.push_back(Event::CapabilitiesChanged);
            }
            Data::Enabled(caps) => self.caps.enable(caps.iter().cloned()),
            _ => {}
        }
        let handle = self.route(&data);
        // The flags a FETCH asked for are its answer, not a change.
        let asked = handle.is_some_and(|h| self.in_flight.iter().any(|f| f.handle == h && f.fetch));
        let change = self.model_data(&data, asked, frame);
        self.events.push_back(Event::Data { handle, data });
        if let Some(change) = change {
            self.events.push_back(Event::Mailbox(change));
        }
    }

    /// The model that responses are about now: the one being selected, the
    /// old one until `[CLOSED]`, or the selected one.
    fn model_mut(&mut self) -> Option<&mut SelectedMailbox> {
        if !self.closing {
            if let Some(f) = self
                .in_flight
                .iter_mut()
                .find(|f| matches!(f.detail, Detail::Select(_)))
            {
                let Detail::Select(model) = &mut f.detail else {
                    unreachable!("found by this pattern")
                };
                return Some(model);
            }
        }
        self.mailbox.as_mut()
    }

    /// Applies untagged data to the mailbox model; a response that does not
    /// fit is reported and leaves the model unchanged.
    fn model_data(&mut self, data: &Data<'_>, asked: bool, frame: &Frame) -> Option<MailboxChange> {
        let about_messages = matches!(
            data,
            Data::Expunge(_) | Data::Fetch { .. } | Data::Vanished { .. }
        );
        if matches!(data, Data::Expunge(_)) && self.in_flight.is_empty() {
            // RFC 9051 §7.5.1: never while no command is in progress. The
            // server did expunge, so the model follows; the fault is reported.
            self.violation(
                ViolationKind::OutOfState("EXPUNGE while no command is in progress"),
                frame,
            );
        }
        let Some(model) = self.model_mut() else {
            if about_messages {
                self.violation(
                    ViolationKind::OutOfState("message data while no mailbox is selected"),
                    frame,
                );
            }
            return None;
        };
        let applied = if asked {
            model.handle_answer(data)
        } else {
            model.handle_data(data)
        };
        match applied {
            Ok(change) => change,
            Err(kind) => {
                self.violation(kind, frame);
                None
            }
        }
    }

    /// Applies a response code to the mailbox model.
    fn model_code(&mut self, code: &ResponseCode<'_>, frame: &Frame) {
        let Some(model) = self.model_mut() else {
            return;
        };
        match model.handle_code(code) {
            Ok(Some(change)) => self.events.push_back(Event::Mailbox(change)),
            Ok(None) => {}
            Err(kind) => self.violation(kind, frame),
        }
    }

    fn violation(&mut self, kind: ViolationKind, frame: &Frame) {
        self.events.push_back(Event::Violation(PeerViolation::new(
            kind,
            frame.offset,
            &frame.bytes,
        )));
    }

    /// The command in flight that asked for `data`, if exactly one did.
    fn route(&self, data: &Data<'_>) -> Option<CommandHandle> {
        let mut asking = self.in_flight.iter().filter(|f| f.answers.expects(data));
        match (asking.next(), asking.next()) {
            (Some(f), None) => Some(f.handle),
            _ => None,
        }
    }

    fn sole_in_flight(&self) -> Option<CommandHandle> {
        match self.in_flight.as_slice() {
            [f] => Some(f.handle),
            _ => None,
        }
    }

    fn on_continue(&mut self, now: Instant, cont: ContinueRequest<'static>, frame: &Frame) {
        // A literal waiting for `+` comes first: nothing else can be in
        // progress on the wire meanwhile.
        if let Some((handle, mut outgoing)) = self.sending.take() {
            let (part, progress) = outgoing.next_part();
            self.push_out(part);
            if progress == Progress::AwaitContinuation {
                self.sending = Some((handle, outgoing));
            }
            let _ = now;
            return;
        }
        let violation = |kind| PeerViolation::new(kind, frame.offset, &frame.bytes);
        let Some(entry) = self
            .in_flight
            .iter_mut()
            .find(|f| matches!(f.detail, Detail::Authenticate(_) | Detail::Idle(_)))
        else {
            self.events.push_back(Event::Violation(violation(
                ViolationKind::UnexpectedContinuation,
            )));
            return;
        };
        match &mut entry.detail {
            Detail::Authenticate(exchange) => {
                let challenge = cont.decode_base64();
                if challenge.is_none() {
                    self.events
                        .push_back(Event::Violation(violation(ViolationKind::BadChallenge)));
                }
                let line = exchange.answer(challenge);
                self.push_out(Bytes::from(line));
            }
            Detail::Idle(phase) => match *phase {
                IdlePhase::Requested { done, refresh } => {
                    let handle = entry.handle;
                    if done {
                        *phase = IdlePhase::Done { refresh: false };
                        self.push_out(Bytes::from_static(b"DONE\r\n"));
                    } else {
                        *phase = IdlePhase::Idling;
                        self.timers
                            .set(Timer::IdleRefresh, now + self.config.idle_refresh);
                        self.events.push_back(if refresh {
                            Event::IdleRefreshed { handle }
                        } else {
                            Event::IdleStarted { handle }
                        });
                    }
                    self.arm_command_timer(now);
                }
                _ => self.events.push_back(Event::Violation(violation(
                    ViolationKind::UnexpectedContinuation,
                ))),
            },
            _ => {}
        }
    }

    // ---- private: endings ----

    fn complete_local(
        &mut self,
        handle: CommandHandle,
        tag: Option<Tag<'static>>,
        outcome: Outcome,
    ) {
        self.events.push_back(Event::Completed(Completion {
            handle,
            tag,
            outcome,
            code: None,
            text: None,
            sasl_detail: None,
        }));
    }

    /// Ends the session: every command completes, then [`Event::Closed`].
    fn close_with(&mut self, reason: CloseReason) {
        if self.state == SessionState::Closed {
            return;
        }
        let outcome = match reason {
            CloseReason::CommandTimeout => Outcome::TimedOut,
            _ => Outcome::ConnectionClosed,
        };
        for f in std::mem::take(&mut self.in_flight) {
            let outcome = match (&reason, f.traits.kind) {
                // BYE then EOF during LOGOUT is how LOGOUT ends (RFC 9051 §6.1.3).
                (CloseReason::Logout, Kind::Logout) => Outcome::Ok,
                _ => outcome.clone(),
            };
            self.complete_local(f.handle, Some(f.tag), outcome);
        }
        for q in std::mem::take(&mut self.queue) {
            self.complete_local(q.handle, None, Outcome::NotSent(UsageError::Closed));
        }
        self.sending = None;
        self.out.clear();
        self.timers.clear();
        self.mailbox = None;
        self.state = SessionState::Closed;
        self.events.push_back(Event::Closed { reason });
    }
}

/// A command's name for messages.
fn command_name(body: &CommandBody<'_>) -> &'static str {
    // `name()` borrows from the body only for unknown commands.
    match body {
        CommandBody::Other { .. } => "command",
        known => imapkit_proto::KNOWN_COMMANDS
            .iter()
            .find(|n| **n == known.name())
            .copied()
            .unwrap_or("command"),
    }
}
