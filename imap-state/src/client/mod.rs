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
//! [`poll_event`](Client::poll_event) (act on each event), then
//! [`poll_transmit`](Client::poll_transmit) (write the bytes), then read
//! [`poll_timeout`](Client::poll_timeout) (arm your timer); read from the
//! connection while [`wants_read`](Client::wants_read) is true.
//!
//! Events are queued up to [`ClientConfig::max_queued_events`] per read;
//! input beyond them (and COMPRESS input, inflated piece by piece) is held
//! and read as `poll_event` takes the events, so the events of one read
//! never grow past that bound. Reading it may answer a `+` or start
//! commands that waited for it, which is why `poll_transmit` comes after
//! `poll_event`. No command starts while input already received is held
//! unread: it is read first, as having come before the command. A loop
//! that drains `poll_event` after every call always finds `wants_read`
//! true (unless the session closed or waits for the TLS handshake).

mod authenticate;
mod capability;
mod collect;
mod compress;
mod config;
mod event;
mod input;
mod order;
mod outgoing;
mod renumber;
mod send;

use input::Closing;

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use imapkit_codec::framer::{Direction, Framer};
use imapkit_proto::{
    Capability, CommandBody, CompressionAlgorithm, Mailbox, ResponseCode, Secret, Tag, TagGenerator,
};

pub use self::capability::Capabilities;
pub use self::collect::Collector;
pub use self::config::{ClientConfig, StartTlsPolicy};
pub use self::event::{CloseReason, CommandError, Completion, Event, Outcome, TlsPolicyError};
pub use self::order::SessionState;

use self::authenticate::Exchange;
use self::compress::Deflate;
use self::order::{Answers, Kind, Traits};
use self::outgoing::Outgoing;
use crate::error::UsageError;
use crate::handle::CommandHandle;
use crate::mailbox::{MailboxSnapshot, SelectedMailbox};
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
    /// A SELECT or EXAMINE was sent in this authenticated session: ENABLE
    /// is no longer allowed (RFC 9051 §6.3.1, RFC 5161 §3.1).
    selected_once: bool,
    framer: Framer,
    tags: TagGenerator,
    next_handle: u64,
    /// Commands not yet started, in order.
    queue: VecDeque<Queued>,
    /// Commands sent and not completed, in the order they were sent (a
    /// deque: servers complete them mostly in that order, so a completion
    /// takes the front, where a `Vec` moved every command after it).
    in_flight: VecDeque<InFlight>,
    /// How many of `in_flight` are FETCHes of FLAGS (`InFlight::fetch`;
    /// see `route`).
    fetches_in_flight: usize,
    /// The command whose bytes are being written: it waits for `+` after a
    /// synchronizing literal's header. Nothing else is sent meanwhile.
    sending: Option<(CommandHandle, Outgoing)>,
    /// Bytes to send, in order (shared with the encoded commands), each
    /// part with its number among all parts pushed.
    out: VecDeque<(u64, Bytes)>,
    /// Parts pushed onto `out` since the session began, and how many of
    /// them [`Client::poll_transmit`] handed out: a command whose first
    /// part is not handed out yet cannot have been answered.
    parts_pushed: u64,
    parts_handed: u64,
    events: VecDeque<Event>,
    timers: TimerTable<Timer, 3>,
    /// The selected mailbox's model (state Selected).
    mailbox: Option<SelectedMailbox>,
    /// A SELECT is in flight while `mailbox` stays selected until the
    /// server's `[CLOSED]` (RFC 7162 §3.2.11, RFC 9051 §7.1): responses
    /// before it are about the old mailbox. Set when the server must send
    /// it ([`Capabilities::closed_expected`](capability::Capabilities::closed_expected)).
    closing: Option<Closing>,
    /// DEFLATE streams once COMPRESS is active, and compressed input not yet inflated.
    deflate: Option<(Deflate, Vec<u8>)>,
    /// When the last input was received: the time the input held (framed
    /// or compressed) is read as of, later, as the application takes the
    /// events.
    input_at: Instant,
    /// The server closed the connection with input still held (compressed,
    /// or framed but not read): the session closes once it is read.
    eof_pending: bool,
    /// [`ClientConfig::max_queued_events`] were queued while the framer
    /// still held input: it is read as the events are taken.
    frames_held: bool,
    /// The compressed input held is an incomplete block: it waits for
    /// more input, not for the events to be taken.
    inflate_stalled: bool,
    /// The compressed input is corrupt after the piece whose messages are
    /// held: the session closes once they are read.
    inflate_corrupt: bool,
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
            .field(
                "out_bytes",
                &self.out.iter().map(|(_, b)| b.len()).sum::<usize>(),
            )
            .field("events", &self.events.len())
            .field("input_held", &self.input_held())
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
    /// A FETCH of FLAGS: the flags it asks for are its answer, not
    /// changes.
    fetch: bool,
    /// The messages a FETCH or STORE is about: a FETCH response outside
    /// them is no answer of it.
    scope: Option<MessageScope>,
    /// A COPY or MOVE: an untagged `[COPYUID]` while it is the only one in
    /// flight is its (RFC 6851 §4.3), kept in `copy_uid` for its
    /// [`Completion::copy_uid`].
    copies: bool,
    copy_uid: Option<Box<imapkit_proto::CopyUidCode>>,
    /// The number of its first part among those pushed onto `out`.
    first_part: u64,
    /// The parts sent because of a `+` (a synchronizing literal's data and
    /// what follows it, an AUTHENTICATE response, IDLE's DONE) or while
    /// idling (DONE), by number: withdrawn from `out` if the tagged answer
    /// comes before the application took them.
    after_continue: Option<std::ops::Range<u64>>,
}

/// The messages a FETCH or STORE in flight is about (RFC 9051 §6.4.5,
/// §6.4.6).
#[derive(Debug)]
struct MessageScope {
    /// `UID FETCH` or `UID STORE`: the set holds UIDs.
    uid: bool,
    set: imapkit_proto::SequenceSet,
    /// A STORE (its answers are changes).
    store: bool,
}

impl MessageScope {
    /// Whether `seq` (with the items of its FETCH response) is one of the
    /// messages: by its UID in a UID command, by its number otherwise
    /// (`*` being the last message, RFC 9051 §9 `seq-range`). `None` when
    /// that cannot be told (`$`).
    ///
    /// A UID command's FETCH responses carry the UID (RFC 9051 §6.4.9):
    /// one without is no answer of it. `*` in a UID set is the largest UID
    /// in use: this message's when it is the last one, else one above it
    /// (so `n:*` holds it when it is `n` or more, `*` does not).
    fn covers(
        &self,
        seq: u32,
        items: &[imapkit_proto::MessageDataItem<'_>],
        model: Option<&SelectedMailbox>,
    ) -> Option<bool> {
        if self.set == imapkit_proto::SequenceSet::LastResult {
            return None;
        }
        if self.uid {
            let Some(uid) = imapkit_proto::MessageDataItems::uid(items).map(|u| u.get()) else {
                return Some(false);
            };
            let last = model.is_some_and(|m| m.exists() == seq);
            let largest = if last { uid } else { u32::MAX };
            Some(self.set.contains(uid, largest))
        } else {
            let last = model.map_or(u32::MAX, SelectedMailbox::exists);
            Some(self.set.contains(seq, last))
        }
    }
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
            selected_once: false,
            framer: Framer::new(framer_config),
            tags,
            next_handle: 0,
            queue: VecDeque::new(),
            in_flight: VecDeque::new(),
            fetches_in_flight: 0,
            sending: None,
            out: VecDeque::new(),
            parts_pushed: 0,
            parts_handed: 0,
            events: VecDeque::new(),
            timers,
            mailbox: None,
            closing: None,
            deflate: None,
            input_at: now,
            eof_pending: false,
            frames_held: false,
            inflate_stalled: false,
            inflate_corrupt: false,
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

    /// Whether an IDLE was sent and has not completed (in any phase).
    fn idle_in_flight(&self) -> bool {
        self.in_flight
            .iter()
            .any(|f| matches!(f.detail, Detail::Idle(_)))
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
    #[cfg(feature = "fuzzing")]
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
    /// Once [`ClientConfig::max_queued_events`] events are queued, the rest
    /// is read as [`poll_event`](Self::poll_event) takes them: drain it
    /// before looking at the session's state.
    ///
    /// This copies `bytes` into the client's input buffer; to read from
    /// the connection straight into that buffer, use
    /// [`read_buf`](Self::read_buf) and [`handle_read`](Self::handle_read).
    pub fn handle_input(&mut self, now: Instant, bytes: &[u8]) {
        if !self.accept_input(now, bytes.len()) {
            return;
        }
        if self.deflate.is_some() {
            self.inflate_input(now, bytes);
            self.pump(now);
        } else {
            self.framer.push(bytes);
            self.input_framed(now);
        }
    }

    /// Room for the next read from the connection (after TLS), in the
    /// client's own input buffer: an empty `BytesMut` with room for at
    /// least `reserve` bytes. Read into it (tokio's
    /// `AsyncReadExt::read_buf`; or `resize`, `std::io::Read::read`,
    /// `truncate`), then pass it to [`handle_read`](Self::handle_read):
    /// the bytes are framed where the read put them, so a `BODY[]` is
    /// copied once, by the read, and the decoded body shares that memory.
    ///
    /// While COMPRESS is active (the input must be inflated first), after
    /// STARTTLS's `OK` and once closed, it is a fresh buffer and
    /// `handle_read` does what [`handle_input`](Self::handle_input) does.
    ///
    /// ```
    /// # use std::{sync::Arc, time::Instant};
    /// # use imapkit_state::client::{Client, ClientConfig, Event};
    /// # use imapkit_state::ConnectionSecurity;
    /// let now = Instant::now();
    /// let mut client = Client::new(Arc::new(ClientConfig::default()), now, ConnectionSecurity::Tls);
    /// let mut room = client.read_buf(16 * 1024);
    /// room.extend_from_slice(b"* OK IMAP4rev1 ready\r\n"); // what the read wrote
    /// client.handle_read(now, room);
    /// assert!(matches!(client.poll_event(), Some(Event::Greeting(_))));
    /// ```
    ///
    /// With blocking I/O (`std::io::Read`): let the buffer's length cover
    /// its room, read into it, keep what the read wrote.
    ///
    /// ```no_run
    /// # use std::{io::Read, sync::Arc, time::Instant};
    /// # use imapkit_state::client::{Client, ClientConfig};
    /// # use imapkit_state::ConnectionSecurity;
    /// # fn run(mut stream: std::net::TcpStream) -> std::io::Result<()> {
    /// # let mut client = Client::new(Arc::new(ClientConfig::default()), Instant::now(), ConnectionSecurity::Tls);
    /// let mut room = client.read_buf(64 * 1024);
    /// room.resize(room.capacity(), 0); // at least the 64 KiB asked for
    /// let n = stream.read(&mut room)?;
    /// room.truncate(n);
    /// if n == 0 {
    ///     client.handle_eof(Instant::now());
    /// } else {
    ///     client.handle_read(Instant::now(), room);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn read_buf(&mut self, reserve: usize) -> BytesMut {
        if self.state == SessionState::Closed
            || self.gate == Gate::Upgrading
            || self.deflate.is_some()
        {
            return BytesMut::with_capacity(reserve);
        }
        self.framer.read_buf(reserve)
    }

    /// Bytes read into a buffer from [`read_buf`](Self::read_buf): as
    /// [`handle_input`](Self::handle_input), without copying them again.
    pub fn handle_read(&mut self, now: Instant, bytes: BytesMut) {
        if self.deflate.is_some() {
            return self.handle_input(now, &bytes);
        }
        if !self.accept_input(now, bytes.len()) {
            return;
        }
        self.framer.push_buf(bytes);
        self.input_framed(now);
    }

    /// Whether input of `n` bytes is read at all (not after the session
    /// closed, nor between STARTTLS's `OK` and the TLS handshake, where it
    /// is reported and dropped); restarts the command timer when it is.
    fn accept_input(&mut self, now: Instant, n: usize) -> bool {
        if self.state == SessionState::Closed || n == 0 {
            return false;
        }
        if self.gate == Gate::Upgrading {
            self.events
                .push_back(Event::InjectionDiscarded { bytes: n });
            return false;
        }
        self.touch(now);
        self.input_at = now;
        true
    }

    /// Reads what was just given to the framer (not compressed).
    fn input_framed(&mut self, now: Instant) {
        self.process_frames(now, self.event_limit());
        if self.deflate.is_some() {
            // COMPRESS became active in this read: the rest was compressed.
            self.inflate_input(now, &[]);
        }
        self.pump(now);
    }

    /// The server closed the connection (the socket reached EOF). With
    /// COMPRESS, the input received before it is framed first, as the
    /// events are taken; the session closes after it.
    pub fn handle_eof(&mut self, now: Instant) {
        if self.state == SessionState::Closed {
            return;
        }
        if self.frames_held {
            // Closed once the input held is read, as the events are taken.
            self.eof_pending = true;
            return;
        }
        if self.deflate.as_ref().is_some_and(|(_, p)| !p.is_empty()) {
            self.eof_pending = true;
            self.inflate_more(now, None);
            return;
        }
        self.close_at_eof();
    }

    /// Whether a LOGOUT is in flight and its bytes were handed out: the
    /// server's BYE and the end of input are then its answer. A LOGOUT not
    /// taken yet cannot have been answered (a BYE then is the server's own).
    fn logout_sent(&self) -> bool {
        self.in_flight
            .iter()
            .any(|f| f.traits.kind == Kind::Logout && f.first_part < self.parts_handed)
    }

    /// Closes the session at the end of the server's input.
    fn close_at_eof(&mut self) {
        if self.state == SessionState::Closed {
            return;
        }
        let logging_out = self.logout_sent();
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
    /// (RFC 9051 §5.5; a command this library does not know,
    /// `CommandBody::Other`, is taken to use message sequence numbers and
    /// to let the server expunge). Returns its handle; a [`Event::Completed`] with it
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

    /// `LOGIN user password` (RFC 9051 §6.2.3). Refused on a connection that
    /// stays unencrypted unless [`ClientConfig::allow_plaintext_credentials`]
    /// (on a plain connection where the STARTTLS policy will upgrade it,
    /// it waits in the queue and goes once TLS is up), and when
    /// the server announced LOGINDISABLED; [`UsageError::InvalidCommand`] for
    /// a user name or password with a NUL byte, which no IMAP string holds
    /// (RFC 9051 §4.3).
    pub fn login(
        &mut self,
        now: Instant,
        user: &str,
        password: Secret<String>,
    ) -> Result<CommandHandle, UsageError> {
        let nul = |_| UsageError::InvalidCommand("LOGIN user name or password with a NUL byte");
        let username = imapkit_proto::AString::try_new(user.to_owned()).map_err(nul)?;
        let password = imapkit_proto::AString::try_new(password.into_declassified());
        let password = Secret::new(password.map_err(nul)?);
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

    /// `SELECT mailbox` (RFC 9051 §6.3.2). With parameters (`CONDSTORE`,
    /// RFC 7162 §3.1.8), [`enqueue`](Self::enqueue) a
    /// [`SelectBuilder`](imapkit_proto::SelectBuilder): the session builds
    /// the same mailbox model; [`select_qresync`](Self::select_qresync)
    /// resynchronises from a snapshot.
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
    /// model reports [`MailboxChange::Resynced`](crate::mailbox::MailboxChange::Resynced) when the server's answer
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
    /// [`UsageError::MissingCapability`]: poll with NOOP instead. IDLE is
    /// part of IMAP4rev2 (RFC 9051 §6.3.13): a server announcing it need
    /// not list `IDLE`.
    pub fn idle(&mut self, now: Instant) -> Result<CommandHandle, UsageError> {
        if self.caps.known() && !self.caps.idle() {
            return Err(UsageError::MissingCapability("IDLE"));
        }
        self.enqueue(now, CommandBody::Idle)
    }

    /// Ends the IDLE with `DONE`; its [`Event::Completed`] follows. An IDLE
    /// the server has not accepted yet gets its DONE right after the `+`;
    /// one still queued is taken out of the queue and completes as
    /// [`Outcome::NotSent`].
    ///
    /// Errors: [`UsageError::Closed`] once the session is closed, else
    /// [`UsageError::Unexpected`] if there is no IDLE.
    pub fn idle_done(&mut self, now: Instant) -> Result<(), UsageError> {
        if self.state == SessionState::Closed {
            return Err(UsageError::Closed);
        }
        let Some(f) = self
            .in_flight
            .iter_mut()
            .find(|f| matches!(f.detail, Detail::Idle(_)))
        else {
            let queued = self
                .queue
                .iter()
                .rposition(|q| matches!(q.body, CommandBody::Idle));
            let Some(at) = queued else {
                return Err(UsageError::Unexpected("idle_done while not idling"));
            };
            if let Some(q) = self.queue.remove(at) {
                let e = UsageError::Unexpected("IDLE ended before it was sent");
                self.complete_local(q.handle, None, Outcome::NotSent(e));
            }
            return Ok(());
        };
        let Detail::Idle(phase) = &mut f.detail else {
            unreachable!("found by this pattern")
        };
        match *phase {
            IdlePhase::Idling => {
                *phase = IdlePhase::Done { refresh: false };
                let handle = f.handle;
                self.timers.stop(Timer::IdleRefresh);
                // Withdrawn if the server ends the IDLE before the DONE is
                // taken (RFC 2177 §3: it would read DONE as a command).
                self.push_after_continue(handle, Bytes::from_static(b"DONE\r\n"));
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

    /// Closes the session at once, without LOGOUT: every command still in
    /// flight completes as [`Outcome::ConnectionClosed`], then
    /// [`Event::Closed`]. Close the socket afterwards.
    ///
    /// Input held unread (see [`wants_read`](Self::wants_read)) is read
    /// first, so that a command whose answer was received completes with
    /// it rather than as closed (an application that retries a closed
    /// STORE or APPEND would run it twice): the messages the framer holds
    /// whatever the event limit, then compressed input not yet inflated
    /// until another [`ClientConfig::max_queued_events`] events are queued
    /// (it may inflate without bound: a DEFLATE bomb). Past that bound,
    /// what is left is dropped, and a command answered there completes as
    /// closed.
    pub fn close(&mut self) {
        let at = self.input_at;
        if std::mem::take(&mut self.frames_held) {
            self.process_frames(at, usize::MAX);
        }
        if self.deflate.is_some() {
            let limit = self.events.len().saturating_add(self.event_limit());
            self.inflate_more(at, Some(limit));
        }
        if self.state != SessionState::Closed {
            self.close_with(CloseReason::Local);
        }
    }

    // ---- output ----

    /// Appends the bytes to send to `buf` (compressed if COMPRESS is
    /// active); returns how many, or `None` if there is nothing to send.
    /// Call it before reading more input: a tagged answer for a command
    /// whose bytes were not taken here yet is a guessed tag, reported as
    /// [`ViolationKind::UnknownTag`](crate::error::ViolationKind::UnknownTag),
    /// and completes nothing.
    #[must_use]
    pub fn poll_transmit(&mut self, _now: Instant, buf: &mut Vec<u8>) -> Option<usize> {
        let start = buf.len();
        if let Some((deflate, _)) = self.deflate.as_mut() {
            let mut plain = Vec::new();
            for (_, part) in self.out.drain(..) {
                plain.extend_from_slice(&part);
            }
            if !plain.is_empty() {
                deflate.deflate(&plain, buf);
            }
        } else {
            for (_, part) in self.out.drain(..) {
                buf.extend_from_slice(&part);
            }
        }
        self.parts_handed = self.parts_pushed;
        let n = buf.len() - start;
        (n > 0).then_some(n)
    }

    /// When [`handle_timeout`](Self::handle_timeout) should be called next.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next_timeout()
    }

    /// The next event, or `None`. [`Event::Closed`] is the last one.
    ///
    /// When the queue is empty and input is held (see
    /// [`wants_read`](Self::wants_read)), it reads on first, which may queue
    /// bytes to send (a literal's data for a `+`, a command that waited):
    /// drain [`poll_transmit`](Self::poll_transmit) after it.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        if self.events.is_empty() && self.input_held() {
            self.resume_input();
        }
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

    /// Whether to read from the connection now. `false` while the events
    /// queued reach [`ClientConfig::max_queued_events`] or input already
    /// received is held unread (framed or compressed: it is read as
    /// [`poll_event`](Self::poll_event) takes the events), between
    /// STARTTLS's `OK` and [`tls_established`](Self::tls_established)
    /// (the TLS handshake reads the connection then), and once closed.
    ///
    /// An application that drains `poll_event` after every call always
    /// finds it `true` at its next read (unless the session closed or is
    /// upgrading to TLS); one that reads while it is `false` makes the
    /// client hold more input, read later, instead of queueing more events.
    /// [`close`](Self::close) reads the messages held before it closes.
    ///
    /// ```
    /// # use std::{sync::Arc, time::Instant};
    /// # use imapkit_state::client::{Client, ClientConfig, Event};
    /// # use imapkit_state::ConnectionSecurity;
    /// let now = Instant::now();
    /// let mut config = ClientConfig::default();
    /// config.max_queued_events = 2;
    /// let mut client = Client::new(Arc::new(config), now, ConnectionSecurity::Tls);
    /// client.handle_input(now, b"* PREAUTH hi\r\n* 1 EXISTS\r\n* 2 EXISTS\r\n* 3 EXISTS\r\n");
    /// assert!(!client.wants_read()); // events to take first
    /// let mut events = 0;
    /// while let Some(_) = client.poll_event() {
    ///     events += 1;
    /// }
    /// assert!(events >= 4); // all of the input, as the events were taken
    /// assert!(client.wants_read());
    /// ```
    #[must_use]
    pub fn wants_read(&self) -> bool {
        self.state != SessionState::Closed
            && self.gate != Gate::Upgrading
            && self.events.len() < self.event_limit()
            && !self.input_held()
    }

    /// [`ClientConfig::max_queued_events`], at least 1 (with 0 nothing
    /// would ever be read).
    pub(super) fn event_limit(&self) -> usize {
        self.config.max_queued_events.max(1)
    }

    /// Whether input already received waits to be read: frames held for a
    /// full event queue, compressed input not inflated yet, or an EOF after
    /// either.
    pub(super) fn input_held(&self) -> bool {
        self.frames_held
            || self.eof_pending
            || self.inflate_corrupt
            || (!self.inflate_stalled && self.deflate.as_ref().is_some_and(|(_, p)| !p.is_empty()))
    }

    /// Reads on in the input held (see [`input_held`](Self::input_held)),
    /// as of when it was received, until events are queued again: the
    /// frames held first, then the next piece of compressed input, then
    /// the EOF after all of it.
    fn resume_input(&mut self) {
        let at = self.input_at;
        if std::mem::take(&mut self.frames_held) {
            self.process_frames(at, self.event_limit());
        }
        if !self.frames_held {
            if self.deflate.is_some() {
                self.inflate_more(at, None);
            } else if std::mem::take(&mut self.eof_pending) {
                self.close_at_eof();
            }
        }
        self.pump(at);
    }
}
