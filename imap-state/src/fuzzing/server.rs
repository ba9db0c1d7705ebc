//! The `server_session` check: a [`Server`] fed arbitrary client bytes in
//! arbitrary chunks, only while it wants to read (as a socket loop would),
//! with an application that answers its events arbitrarily. [`ServerCheck`]
//! and its [`App`] watch every call; the `pair` check uses them too.
//!
//! # Invariants
//!
//! - No panic.
//! - No command reaches the application in a state where it is invalid
//!   (RFC 9051 §6, RFC 5161, RFC 8437, RFC 2971, and the configured
//!   extension command), and none that the session answers itself
//!   (CAPABILITY, LOGOUT, STARTTLS, LOGIN, AUTHENTICATE, ENABLE, IDLE,
//!   COMPRESS, NOOP before authentication). The session's state is the one
//!   its events and the application's answers lead to; LOGIN, SCRAM
//!   lookups and `Authenticated` come only before authentication; no
//!   command arrives during IDLE; the commands in flight are the tokens the
//!   application holds.
//! - No byte of a refused literal is read as a command: the vocabulary
//!   plants non-synchronizing literals (`!T<k> ... {n+}`) whose data is
//!   lines of commands tagged `!Q<k>.` (the fuzzer's own bytes never hold a
//!   `!`; the dot ends the number, so that a line the literal's length cut
//!   short, `!Q2` of `!Q26.`, names no other literal). When the server
//!   answers `!T<k>` with NO or BAD, no command tagged `!Q<k>.` may reach
//!   the application or be answered. (Not
//!   checked once raw bytes went into a DEFLATE stream: they may inflate
//!   to copies of planted lines.) Each planted command is answered once
//!   (with the same exception).
//! - No command sent in the same write as STARTTLS runs once STARTTLS is
//!   answered OK ("NO STARTTLS", buffering: command injection): the vocabulary
//!   plants `!S<k> STARTTLS` followed by commands tagged `!J<k>`; the
//!   socket's unread plaintext is dropped at the handshake. (Not checked
//!   once raw bytes went into a DEFLATE stream, for the reason above: a
//!   copy of a planted line may be another command under an `!S<k>` tag.)
//! - Nothing is sent between the OK to STARTTLS and `tls_established`,
//!   and the last response before TLS is that tagged OK; `tls_established`
//!   succeeds exactly when the handshake is due and the OK was taken.
//! - Every response decodes (by the codec, as a client reads it); nothing
//!   follows `* BYE` but the tagged OK of LOGOUT; nothing is queued after
//!   `Closed`, which comes once and last; then no timer is armed, nothing
//!   is in flight, every answer fails with `Closed`.
//! - Memory: the input buffered stays within `max_message + max_line`
//!   beyond the last read the server asked for (an inflated piece of at
//!   most 16 KiB while COMPRESS is active); the
//!   output queued within `max_output`, one response, and what the
//!   application queued itself since it last took the output.
//!
//! # Operations
//!
//! Two setup bytes. The first: bit 0 implicit TLS; bit 1 PREAUTH; bit 2
//! plaintext credentials allowed; bit 3 no STARTTLS; bit 4 no LOGIN; bits
//! 5-6 literals (LITERAL-, LITERAL+, none); bit 7 COMPRESS offered. The
//! second: bit 0 a slow reader (output taken only by operation 9); bit 1
//! an application that answers at once (OK to every command, alice's
//! password accepted, her SCRAM secrets supplied, every APPEND message
//! accepted); bit 2 APPEND messages checked before their data
//! (`check_appends`). Then operations by kind (modulo 16):
//!
//! | kind | fields | operation |
//! |---|---|---|
//! | 0 | `cut: u8`, bytes | client bytes (every `!` made `?`) to the socket, read in chunks of `cut & 0x7f` (0: whole); compressed once COMPRESS is active unless `cut & 0x80` |
//! | 1 | `which: u8, len: u16` | a planted literal command `!T<k> ... {n+}` with `!Q<k>` lines as its `len % 7000` bytes of data |
//! | 2 | `which: u8, status: u8, code: u8, n: u16` | `respond` to a held command |
//! | 3 | `which: u8, k: u8, a: u8, b: u16` | `send_data` for a held command |
//! | 4 | `k: u8, a: u8, b: u16` | `send_unsolicited` |
//! | 5 | `verdict: u8` | `decide_login` on the oldest attempt |
//! | 6 | `some: u8` | `supply_scram` on the oldest lookup (alice's secrets or none) |
//! | 7 | `binding: u8` | `tls_established` (with the exporter value if odd) |
//! | 8 | | `bye` |
//! | 9 | | take the output |
//! | 10 | `secs: u16` | time passes (0: to the next timeout) |
//! | 11 | | `handle_eof` |
//! | 12 | `cut: u8` | read more of the socket |
//! | 13 | `which: u8` | a command line from the vocabulary to the socket |
//! | 14 | `cut: u8` | `!S<k> STARTTLS` and two commands tagged `!J<k>` in one write, read in chunks of `cut & 0x7f` |
//! | 15 | `status: u8, code: u8, n: u16` | the oldest APPEND check accepted (`status` even) or refused with a completion from the vocabulary |

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use flate2::{Compress, Compression};
use imapkit_proto::{Capability, CommandBody, Data, Response, Status};

use super::client::shows_secret;
use super::wire::{Seen, ServerWire};
use super::{vocab, Reader};
use crate::error::UsageError;
use crate::sasl::scram::ScramHash;
use crate::sasl::Identity;
use crate::server::{
    AppendCheck, AuthVerdict, Completion, Event, ExtensionCommand, LiteralSupport, LoginAttempt,
    Request, ScramLookup, Server, ServerConfig, SessionState, Unanswered,
};
use crate::ConnectionSecurity;

/// Runs the operations `data` encodes against a [`Server`] whose clock
/// starts at `epoch`; panics when an invariant breaks.
pub fn server_session(epoch: Instant, data: &[u8]) {
    let mut r = Reader::new(data);
    let (setup, setup2) = (r.u8(), r.u8());
    let mut config = server_config(setup);
    config.check_appends = setup2 & 4 != 0;
    let config = Arc::new(config);
    let security = if setup & 1 != 0 {
        ConnectionSecurity::Tls
    } else {
        ConnectionSecurity::Plaintext
    };
    let preauth = setup & 2 != 0;
    let server = if preauth {
        let alice = Identity {
            authcid: vocab::USER.to_owned(),
            authzid: None,
        };
        Server::preauth(config.clone(), epoch, security, alice)
    } else {
        Server::new(config.clone(), epoch, security)
    };
    let mut s = Session {
        server,
        now: epoch,
        check: ServerCheck::new(&config, preauth, setup2 & 1 != 0, setup2 & 2 != 0),
        inbox: VecDeque::new(),
        deflate: None,
        markers: 0,
    };
    s.after();
    while let Some(kind) = r.next_op(16) {
        s.op(kind, &mut r);
    }
    s.finish();
}

/// A server configuration from the setup byte: every SASL mechanism, the
/// main extensions, one extension command, small limits.
pub(super) fn server_config(setup: u8) -> ServerConfig {
    let mut config = ServerConfig {
        tls_required_for_credentials: setup & 4 == 0,
        starttls: setup & 8 == 0,
        login: setup & 16 == 0,
        literals: match (setup >> 5) & 3 {
            0 | 3 => LiteralSupport::Minus,
            1 => LiteralSupport::Plus,
            _ => LiteralSupport::None,
        },
        compress: setup & 128 != 0,
        ..ServerConfig::default()
    };
    config.capabilities.extend([
        Capability::Idle,
        Capability::UidPlus,
        Capability::Unauthenticate,
        Capability::QResync,
        Capability::CondStore,
        Capability::Enable,
        Capability::Id,
        Capability::Move,
        Capability::Namespace,
    ]);
    config.extension_commands = vec![ExtensionCommand::new("XFOO")];
    config.sasl_mechanisms = vocab::server_mechanisms();
    config.sasl_factory = Some(Arc::new(vocab::server_mechanism));
    config.random = Some(vocab::random_source());
    let l = &mut config.limits;
    l.max_line = 512;
    l.max_literal = 1024;
    l.max_append_literal = 4096;
    l.max_message = 8192;
    l.max_depth = 8;
    l.max_list_items = 64;
    l.max_discard = 6000;
    l.max_tag = 16;
    l.max_in_flight = 4;
    l.max_output = 2048;
    config.throttle.failure_delays = [0, 1, 3].map(Duration::from_secs).to_vec();
    config.throttle.max_auth_failures = 4;
    config.throttle.max_garbage = 4;
    config
}

/// Command lines a client sends (CRLF added).
const LINES: &[&str] = &[
    "a1 CAPABILITY",
    "a2 NOOP",
    "a3 STARTTLS",
    "a4 LOGIN alice wonderland-Zq8",
    "a5 LOGIN alice wrong",
    // AUTHENTICATE PLAIN with SASL-IR: "\0alice\0wonderland-Zq8".
    "a6 AUTHENTICATE PLAIN AGFsaWNlAHdvbmRlcmxhbmQtWnE4",
    "a7 AUTHENTICATE PLAIN",
    "AGFsaWNlAHdvbmRlcmxhbmQtWnE4",
    // "n,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL"
    "a8 AUTHENTICATE SCRAM-SHA-256 biwsbj1hbGljZSxyPWZ5a28rZDJsYmJGZ09OUnY5cWt4ZGF3TA==",
    "a9 AUTHENTICATE LOGIN",
    "YWxpY2U=",
    "*",
    "b1 SELECT INBOX",
    "b2 EXAMINE INBOX",
    "b3 FETCH 1:* (UID FLAGS)",
    "b4 UID FETCH 1:* FLAGS",
    "b5 STORE 1 +FLAGS (\\Seen)",
    "b6 SEARCH ALL",
    "b7 EXPUNGE",
    "b8 CLOSE",
    "b9 UNSELECT",
    "c1 IDLE",
    "DONE",
    "c2 ENABLE QRESYNC CONDSTORE",
    "c3 COMPRESS DEFLATE",
    "c4 UNAUTHENTICATE",
    "c5 LOGOUT",
    "c6 LIST \"\" *",
    "c7 APPEND INBOX {5}",
    "hello",
    "c8 APPEND INBOX {5+}\r\nhello",
    "c9 SELECT INBOX (QRESYNC (1 1))",
    "d1 XFOO x",
    "d2 ID NIL",
    "d3 STATUS INBOX (MESSAGES)",
    "d4 MOVE 1 Archive",
    "d5 UID EXPUNGE 1",
    "d6 FETCH 1 BODY[]",
    "GET / HTTP/1.1",
];

/// The commands with a literal argument the planted literals use: the
/// text before the literal and after its data.
const LITERAL_COMMANDS: &[(&str, &str)] = &[
    ("APPEND INBOX ", ""),
    ("LOGIN ", " pw"),
    ("SELECT ", ""),
    ("XUNKNOWN ", ""),
    ("CREATE ", ""),
    ("SEARCH TEXT ", ""),
    ("UID STORE 1 FLAGS (", ")"),
    ("AUTHENTICATE PLAIN ", ""),
    ("XFOO ", ""),
];

/// The server under test, the socket's bytes, its clock and its checker.
struct Session {
    server: Server,
    now: Instant,
    check: ServerCheck,
    /// Bytes the client sent that the server did not read yet.
    inbox: VecDeque<u8>,
    /// The client's DEFLATE stream once COMPRESS is active.
    deflate: Option<Compress>,
    /// Planted literals so far.
    markers: u32,
}

impl Session {
    fn op(&mut self, kind: u8, r: &mut Reader<'_>) {
        let now = self.now;
        match kind {
            0 => {
                let cut = r.u8();
                let bytes: Vec<u8> = r
                    .bytes()
                    .iter()
                    .map(|&b| if b == b'!' { b'?' } else { b })
                    .collect();
                self.send(&bytes, cut & 0x80 != 0);
                self.pump(cut);
            }
            1 => {
                let (which, len) = (r.u8(), r.u16());
                let bytes = self.planted(usize::from(which), usize::from(len) % 7000);
                self.send(&bytes, false);
                self.pump(0);
            }
            2 => {
                let (which, status, code, n) = (r.u8(), r.u8(), r.u8(), r.u16());
                let completion = vocab::completion(status, code, n);
                self.check
                    .respond(&mut self.server, now, usize::from(which), completion);
            }
            3 => {
                let (which, k, a, b) = (r.u8(), r.u8(), r.u8(), r.u16());
                let data = vocab::data(usize::from(k), a, b);
                self.check
                    .send_data(&mut self.server, now, usize::from(which), data);
            }
            4 => {
                let (k, a, b) = (r.u8(), r.u8(), r.u16());
                let data = vocab::data(usize::from(k), a, b);
                self.check.unsolicited(&mut self.server, now, data);
            }
            5 => {
                let verdict = verdict(r.u8());
                self.check.decide(&mut self.server, now, Some(verdict));
            }
            6 => {
                let some = r.u8() & 1 != 0;
                self.check.supply(&mut self.server, now, some);
            }
            7 => {
                let binding = r.u8() & 1 != 0;
                if self.check.tls_established(&mut self.server, now, binding) {
                    // Plaintext not read before the handshake would fail it.
                    self.inbox.clear();
                }
                self.pump(0);
            }
            8 => self.check.bye(&mut self.server, now),
            9 => {
                self.check.transmit(&mut self.server, now);
                self.check.after(&mut self.server, now);
                self.pump(0);
            }
            10 => {
                self.now = r.later(self.now, self.server.poll_timeout());
                self.server.handle_timeout(self.now);
                self.after();
                self.pump(0);
            }
            11 => {
                self.server.handle_eof(now);
                self.after();
            }
            12 => {
                let cut = r.u8();
                self.pump(cut);
            }
            13 => {
                let line = LINES[r.pick(LINES.len())];
                self.send(format!("{line}\r\n").as_bytes(), false);
                self.pump(0);
            }
            15 => {
                let (status, code, n) = (r.u8(), r.u8(), r.u16());
                let refusal = (status & 1 != 0).then(|| vocab::completion(status / 2, code, n));
                self.check.append(&mut self.server, now, refusal);
                self.pump(0);
            }
            _ => {
                // Command injection ("NO STARTTLS", buffering): commands in the
                // same write as STARTTLS.
                let cut = r.u8();
                self.markers += 1;
                let k = self.markers;
                let bytes = format!("!S{k} STARTTLS\r\n!J{k} NOOP\r\n!J{k} CAPABILITY\r\n");
                self.send(bytes.as_bytes(), false);
                self.pump(cut);
            }
        }
    }

    /// A planted literal command `!T<k> ... {n+}` whose data are `!Q<k>.` lines.
    fn planted(&mut self, which: usize, n: usize) -> Vec<u8> {
        self.markers += 1;
        let k = self.markers;
        let (head, tail) = LITERAL_COMMANDS[which % LITERAL_COMMANDS.len()];
        let mut payload = Vec::with_capacity(n + 32);
        while payload.len() < n {
            payload.extend_from_slice(format!("!Q{k}. NOOP\r\n!Q{k}. CAPABILITY\r\n").as_bytes());
        }
        payload.truncate(n);
        let mut bytes = format!("!T{k} {head}{{{n}+}}\r\n").into_bytes();
        bytes.extend_from_slice(&payload);
        bytes.extend_from_slice(tail.as_bytes());
        bytes.extend_from_slice(b"\r\n");
        bytes
    }

    /// The client writes `bytes` to the socket (compressed once COMPRESS is
    /// active, unless `raw`).
    fn send(&mut self, bytes: &[u8], raw: bool) {
        if self.server.compression_active() && self.deflate.is_none() {
            self.deflate = Some(Compress::new(Compression::fast(), false));
        }
        match &mut self.deflate {
            Some(d) if !raw => self.inbox.extend(super::client::deflate(d, bytes)),
            Some(_) => {
                // Raw bytes in a DEFLATE stream inflate to anything the
                // window holds, planted lines included: they no longer
                // tell where they came from.
                self.check.markers_sound = false;
                self.inbox.extend(bytes);
            }
            None => self.inbox.extend(bytes),
        }
    }

    /// The server reads the socket while it wants to, in chunks of
    /// `cut & 0x7f` bytes (0: all there is).
    fn pump(&mut self, cut: u8) {
        let size = match usize::from(cut & 0x7f) {
            0 => usize::MAX,
            n => n,
        };
        let mut k = 0;
        while !self.inbox.is_empty() && self.server.wants_read() {
            let n = size.min(self.inbox.len());
            let chunk: Vec<u8> = self.inbox.drain(..n).collect();
            self.check.last_read = n;
            // Every other read is made into the server's own buffer.
            super::server_read(&mut self.server, self.now, &chunk, k % 2 == 1);
            k += 1;
            self.after();
        }
    }

    fn after(&mut self) {
        self.check.after(&mut self.server, self.now);
        self.check.outbox.clear();
        // The application that answers at once may let the server read on.
        if self.check.auto {
            self.check.answer_all(&mut self.server, self.now);
        }
    }

    /// Takes the last output, ends the connection, checks the end.
    fn finish(&mut self) {
        self.check.transmit(&mut self.server, self.now);
        self.check.after(&mut self.server, self.now);
        self.server.handle_eof(self.now);
        self.check.after(&mut self.server, self.now);
        self.check.transmit(&mut self.server, self.now);
        self.check.closed_answers(&mut self.server, self.now);
    }
}

/// The application's verdict from a byte.
pub(super) fn verdict(b: u8) -> AuthVerdict {
    match b % 5 {
        0 => AuthVerdict::Accept,
        1 => AuthVerdict::Reject,
        2 => AuthVerdict::Unavailable,
        3 => AuthVerdict::AuthorizationFailed,
        _ => AuthVerdict::Expired,
    }
}

/// A command the application holds.
#[derive(Debug)]
pub(super) struct Held {
    pub(super) request: Request,
    /// Its name, upper case (`UID FETCH`).
    pub(super) name: String,
}

/// The application: the tokens it holds, unanswered.
#[derive(Debug, Default)]
pub(super) struct App {
    pub(super) requests: Vec<Held>,
    pub(super) logins: VecDeque<LoginAttempt>,
    pub(super) lookups: VecDeque<ScramLookup>,
    pub(super) appends: VecDeque<AppendCheck>,
}

impl App {
    /// Whether the application holds no token.
    pub(super) fn is_empty(&self) -> bool {
        self.requests.is_empty()
            && self.logins.is_empty()
            && self.lookups.is_empty()
            && self.appends.is_empty()
    }
}

/// Watches a [`Server`] from outside and plays its application.
pub(super) struct ServerCheck {
    max_output: usize,
    max_buffered: usize,
    /// The size of the last read made while the server wanted input: the
    /// input held may exceed the cap by as much.
    pub(super) last_read: usize,
    /// What the server sent, as its client reads it.
    pub(super) wire: ServerWire,
    /// The bytes taken from the server and not yet on their way.
    pub(super) outbox: Vec<u8>,
    /// The state the events and answers lead to.
    pub(super) shadow: SessionState,
    pub(super) closed: bool,
    idle: bool,
    /// From `StartTlsReady` to `tls_established`: the output position of
    /// the OK to STARTTLS's end.
    pub(super) window: Option<usize>,
    /// The output position when `Closed` came.
    closed_at: Option<usize>,
    /// Bytes the application queued since it last took all output.
    app_bytes: usize,
    parsed_q: HashSet<u32>,
    refused_t: HashSet<u32>,
    /// Planted STARTTLS commands (`!S<k>`) answered OK, and the commands
    /// planted behind them (`!J<k>`) that ran.
    upgraded_s: HashSet<u32>,
    parsed_j: HashSet<u32>,
    /// Responses of the wire looked at for markers.
    scanned: usize,
    /// The planted commands answered.
    answered: HashSet<Vec<u8>>,
    /// Whether `!Q` tags can only come from planted literals.
    markers_sound: bool,
    /// Output is taken only when asked.
    slow: bool,
    /// The application answers everything at once.
    pub(super) auto: bool,
    pub(super) app: App,
    /// Whether the server's TLS is up.
    pub(super) tls: bool,
    /// Check that no event shows the password or the token (when the
    /// client is one that never sends them where they could be echoed).
    pub(super) secrets: bool,
    /// The violations the server reported, described.
    pub(super) violations: Vec<String>,
}

impl ServerCheck {
    pub(super) fn new(config: &ServerConfig, preauth: bool, slow: bool, auto: bool) -> Self {
        let l = &config.limits;
        Self {
            max_output: l.max_output,
            max_buffered: l.max_message + l.max_line + 16,
            last_read: 0,
            wire: ServerWire::new(),
            outbox: Vec::new(),
            shadow: if preauth {
                SessionState::Authenticated
            } else {
                SessionState::NotAuthenticated
            },
            closed: false,
            idle: false,
            window: None,
            closed_at: None,
            app_bytes: 0,
            parsed_q: HashSet::new(),
            refused_t: HashSet::new(),
            upgraded_s: HashSet::new(),
            parsed_j: HashSet::new(),
            scanned: 0,
            answered: HashSet::new(),
            markers_sound: true,
            slow,
            auto,
            app: App::default(),
            tls: false,
            secrets: false,
            violations: Vec::new(),
        }
    }

    /// Takes the server's output onto [`outbox`](Self::outbox).
    pub(super) fn transmit(&mut self, server: &mut Server, now: Instant) {
        let bytes = self.wire.take(server, now);
        self.outbox.extend_from_slice(&bytes);
        if server.held_expunges() == 0 {
            self.app_bytes = 0;
        }
        let fresh: Vec<(Vec<u8>, Status)> = self.wire.seen[self.scanned..]
            .iter()
            .filter_map(|s| match s {
                Seen::Tagged { tag, status } => Some((tag.clone(), *status)),
                _ => None,
            })
            .collect();
        self.scanned = self.wire.seen.len();
        for (tag, status) in fresh {
            let tag = tag.as_slice();
            if marker(tag, b"!T").or(marker(tag, b"!S")).is_some() {
                // Planted commands have tags of their own: one answer each.
                assert!(
                    self.answered.insert(tag.to_vec()) || !self.markers_sound,
                    "{} answered twice",
                    String::from_utf8_lossy(tag)
                );
            }
            if let Some(k) = marker(tag, b"!T") {
                if status != Status::Ok {
                    self.refused_t.insert(k);
                }
            }
            if let Some(k) = marker(tag, b"!S") {
                if status == Status::Ok {
                    self.upgraded_s.insert(k);
                }
            }
            self.parsed(tag);
        }
    }

    /// Records a command tagged `tag` as read (answered or handed out).
    fn parsed(&mut self, tag: &[u8]) {
        // Only a whole `!Q<k>.` tag: a planted line cut short by the
        // literal's length (`!Q2` of `!Q26.`) is read as a command when the
        // literal's header was not one (say, it was a line of an
        // AUTHENTICATE exchange), and must not count for literal 2.
        if let Some(k) = tag.strip_suffix(b".").and_then(|t| marker(t, b"!Q")) {
            self.parsed_q.insert(k);
        }
        if let Some(k) = marker(tag, b"!J") {
            self.parsed_j.insert(k);
        }
    }

    /// Drains what `server` has after a call (the output too, unless the
    /// reader is slow) and checks it.
    pub(super) fn after(&mut self, server: &mut Server, now: Instant) {
        if !self.slow {
            self.transmit(server, now);
        }
        let mut events = Vec::new();
        while let Some(e) = server.poll_event() {
            assert!(events.len() < 1_000_000, "events without end");
            events.push(e);
        }
        for e in events {
            self.event(server, e);
        }
        self.state(server);
    }

    fn event(&mut self, server: &Server, e: Event) {
        assert!(!self.closed, "an event after Closed: {e:?}");
        if self.secrets {
            let shown = match &e {
                Event::Audit(a) => format!("{a} {a:?}"),
                other => format!("{other:?}"),
            };
            assert!(!shows_secret(&shown), "a credential in an event");
        }
        use SessionState as S;
        match e {
            Event::CommandReceived { request, command } => {
                let name = command.body.name().to_ascii_uppercase();
                assert!(!self.idle, "{name} reached the application during IDLE");
                assert!(
                    valid_in(&name, self.shadow),
                    "{name} reached the application in state {:?}",
                    self.shadow
                );
                assert!(
                    !session_answers(&name, self.shadow),
                    "{name} reached the application, the session answers it"
                );
                self.parsed(command.tag.as_bytes());
                if matches!(
                    command.body,
                    CommandBody::Select { .. } | CommandBody::Examine { .. }
                ) && self.shadow == S::Selected
                {
                    // RFC 9051 §6.3.2: the selected mailbox closes first.
                    self.shadow = S::Authenticated;
                }
                self.app.requests.push(Held { request, name });
            }
            Event::LoginAttempt(attempt) => {
                assert_eq!(
                    self.shadow,
                    S::NotAuthenticated,
                    "a login once authenticated"
                );
                self.app.logins.push_back(attempt);
            }
            Event::ScramLookup(lookup) => {
                assert_eq!(
                    self.shadow,
                    S::NotAuthenticated,
                    "a lookup once authenticated"
                );
                self.app.lookups.push_back(lookup);
            }
            Event::AppendCheck(check) => {
                assert!(!self.idle, "an APPEND check during IDLE");
                assert!(
                    matches!(self.shadow, S::Authenticated | S::Selected),
                    "an APPEND check in state {:?}",
                    self.shadow
                );
                assert!(self.app.appends.is_empty(), "a second APPEND check pending");
                self.app.appends.push_back(check);
            }
            Event::Authenticated { .. } => {
                assert_eq!(self.shadow, S::NotAuthenticated, "authenticated twice");
                self.shadow = S::Authenticated;
            }
            Event::StartTlsReady => {
                assert_eq!(
                    self.shadow,
                    S::NotAuthenticated,
                    "STARTTLS once authenticated"
                );
                assert!(
                    !self.tls && self.window.is_none(),
                    "STARTTLS on a TLS connection"
                );
                self.window = Some(self.wire.end(server));
            }
            Event::IdleStarted { .. } => {
                assert!(!self.idle, "IDLE inside IDLE");
                assert!(matches!(self.shadow, S::Authenticated | S::Selected));
                self.idle = true;
            }
            Event::IdleEnded { .. } => {
                assert!(self.idle, "IDLE ended without starting");
                self.idle = false;
            }
            // ENABLE runs in the authenticated state only (RFC 5161 §3.1);
            // a CONDSTORE-enabling command also when selected (RFC 7162 §3.1).
            Event::Enabled(caps) => assert!(
                self.shadow == S::Authenticated
                    || (self.shadow == S::Selected && caps.as_slice() == [Capability::CondStore]),
                "Enabled({caps:?}) in {:?}",
                self.shadow
            ),
            Event::Violation(v) => self.violations.push(v.to_string()),
            Event::Closed { .. } => {
                self.closed = true;
                self.shadow = S::Logout;
                self.closed_at = Some(self.wire.end(server));
            }
            _ => {}
        }
    }

    /// Checks the server's state after a call.
    fn state(&mut self, server: &Server) {
        let position = self.wire.end(server);
        let refused: Vec<_> = self.parsed_q.intersection(&self.refused_t).collect();
        assert!(
            refused.is_empty() || !self.markers_sound,
            "data of the refused literals {refused:?} was read as commands"
        );
        let injected: Vec<_> = self.parsed_j.intersection(&self.upgraded_s).collect();
        assert!(
            injected.is_empty() || !self.markers_sound,
            "commands sent with the STARTTLS {injected:?} ran after its OK"
        );
        if self.closed {
            assert_eq!(server.state(), SessionState::Logout);
            assert!(server.is_closed() && !server.wants_read());
            assert_eq!(server.poll_timeout(), None, "a timer armed after Closed");
            assert_eq!(server.in_flight(), 0);
            assert_eq!(Some(position), self.closed_at, "output queued after Closed");
            return;
        }
        assert!(!server.is_closed(), "closed without Closed");
        assert_eq!(
            server.state(),
            self.shadow,
            "the state differs from the events"
        );
        assert_eq!(
            server.in_flight(),
            self.app.requests.len(),
            "commands in flight differ from the application's tokens"
        );
        if let Some(at) = self.window {
            assert_eq!(position, at, "output queued after the OK to STARTTLS");
            assert!(!server.wants_read(), "reading during the TLS handshake");
        }
        let buffered = server.input_buffered();
        let piece = if server.compression_active() {
            crate::server::INFLATE_PIECE
        } else {
            0
        };
        let limit = self.max_buffered + self.last_read.max(piece);
        assert!(
            buffered <= limit,
            "{buffered} bytes of input buffered, limit {limit}"
        );
        let out = server.output_len();
        let bound = self.max_output + 1024 + self.app_bytes;
        assert!(out <= bound, "{out} bytes of output queued, bound {bound}");
    }

    /// `respond` to the `which`-th held command.
    pub(super) fn respond(
        &mut self,
        server: &mut Server,
        now: Instant,
        which: usize,
        mut completion: Completion,
    ) {
        if self.app.requests.is_empty() {
            return;
        }
        let held = self.app.requests.remove(which % self.app.requests.len());
        self.app_bytes += completion.text().human().as_bytes().len() + 128;
        let mut request = held.request;
        if held.name == "UNAUTHENTICATE" && completion.status() == Status::No {
            // RFC 8437 §3: refused, the request comes back; answer OK.
            let result = server.respond(now, request, completion);
            let Err(Unanswered {
                error: e,
                token: back,
            }) = result
            else {
                panic!("UNAUTHENTICATE answered NO: {result:?}")
            };
            if !self.closed {
                assert!(matches!(e, UsageError::Unexpected(_)), "{e:?}");
            }
            request = back;
            completion = Completion::ok();
        }
        let ok = completion.status() == Status::Ok;
        let result = server.respond(now, request, completion);
        assert_eq!(result.is_ok(), !self.closed, "respond: {result:?}");
        if result.is_ok() {
            use SessionState as S;
            match held.name.as_str() {
                "SELECT" | "EXAMINE" => {
                    self.shadow = if ok { S::Selected } else { S::Authenticated };
                }
                "CLOSE" | "UNSELECT" if ok => self.shadow = S::Authenticated,
                "UNAUTHENTICATE" if ok => self.shadow = S::NotAuthenticated,
                _ => {}
            }
        }
        self.after(server, now);
    }

    /// `send_data` for the `which`-th held command.
    pub(super) fn send_data(
        &mut self,
        server: &mut Server,
        now: Instant,
        which: usize,
        data: Data<'static>,
    ) {
        if self.app.requests.is_empty() {
            return;
        }
        let k = which % self.app.requests.len();
        self.app_bytes += encoded_len(&data);
        let result = server.send_data(now, &self.app.requests[k].request, data);
        assert!(
            result.is_ok()
                || self.closed
                || result == Err(UsageError::NotEnabled("QRESYNC"))
                || result == Err(UsageError::VanishedRequired),
            "send_data: {result:?}"
        );
        self.after(server, now);
    }

    pub(super) fn unsolicited(&mut self, server: &mut Server, now: Instant, data: Data<'static>) {
        self.app_bytes += encoded_len(&data);
        let _ = server.send_unsolicited(now, data);
        self.after(server, now);
    }

    /// `decide_login` on the oldest attempt (`None`: alice with her
    /// password is accepted, anyone else rejected).
    pub(super) fn decide(
        &mut self,
        server: &mut Server,
        now: Instant,
        verdict: Option<AuthVerdict>,
    ) {
        let Some(attempt) = self.app.logins.pop_front() else {
            return;
        };
        let verdict = verdict.unwrap_or_else(|| {
            let c = attempt.credentials();
            let right = c.identity.authcid == vocab::USER
                && matches!(&c.secret,
                    crate::sasl::CredentialSecret::Password(p) | crate::sasl::CredentialSecret::BearerToken(p)
                        if p.declassify() == vocab::PASSWORD || p.declassify() == vocab::TOKEN);
            if right {
                AuthVerdict::Accept
            } else {
                AuthVerdict::Reject
            }
        });
        let result = server.decide_login(now, attempt, verdict);
        assert_eq!(result.is_ok(), !self.closed, "decide_login: {result:?}");
        self.after(server, now);
    }

    /// `supply_scram` on the oldest lookup: alice's secrets if `some` and
    /// she is the user.
    pub(super) fn supply(&mut self, server: &mut Server, now: Instant, some: bool) {
        let Some(lookup) = self.app.lookups.pop_front() else {
            return;
        };
        let hash = if lookup
            .mechanism()
            .as_bytes()
            .eq_ignore_ascii_case(b"SCRAM-SHA-1")
        {
            ScramHash::Sha1
        } else {
            ScramHash::Sha256
        };
        let secrets =
            (some && lookup.identity().authcid == vocab::USER).then(|| vocab::scram_secrets(hash));
        let result = server.supply_scram(now, lookup, secrets);
        assert_eq!(result.is_ok(), !self.closed, "supply_scram: {result:?}");
        self.after(server, now);
    }

    /// Answers the oldest APPEND check: `+` (`refusal` none) or the
    /// refusal. An OK "refusal" is an error that leaves the check pending;
    /// otherwise it fails only once the session is closed or closing.
    pub(super) fn append(
        &mut self,
        server: &mut Server,
        now: Instant,
        refusal: Option<Completion>,
    ) {
        let Some(check) = self.app.appends.pop_front() else {
            return;
        };
        let ok_refusal = refusal.as_ref().is_some_and(|c| c.status() == Status::Ok);
        let result = match refusal {
            None => server.accept_append(now, check),
            Some(completion) => server.refuse_append(now, check, completion),
        };
        match result {
            Ok(()) => assert!(!self.closed && !ok_refusal, "an APPEND check answered"),
            Err(Unanswered {
                error: UsageError::Unexpected(_),
                token: check,
            }) if ok_refusal && !self.closed => {
                self.app.appends.push_front(check);
            }
            Err(Unanswered {
                error: UsageError::Closed,
                ..
            }) => {}
            Err(Unanswered { error: e, .. }) => panic!("answering an APPEND check: {e:?}"),
        }
        self.after(server, now);
    }

    /// `tls_established`: it must succeed exactly when the handshake is due.
    /// Returns whether it did.
    pub(super) fn tls_established(
        &mut self,
        server: &mut Server,
        now: Instant,
        binding: bool,
    ) -> bool {
        let expected = self.window.is_some() && !self.closed && server.output_len() == 0;
        let exporter = binding.then(|| vocab::EXPORTER.to_vec());
        let result = server.tls_established(now, exporter);
        assert_eq!(result.is_ok(), expected, "tls_established: {result:?}");
        if result.is_ok() {
            assert!(
                matches!(
                    self.wire.seen.last(),
                    Some(Seen::Tagged {
                        status: Status::Ok,
                        ..
                    })
                ),
                "the last response before TLS is not the OK to STARTTLS: {:?}",
                self.wire.seen.last()
            );
            self.window = None;
            self.tls = true;
        }
        self.after(server, now);
        result.is_ok()
    }

    pub(super) fn bye(&mut self, server: &mut Server, now: Instant) {
        let text = imapkit_proto::RespText::text("shutting down").expect("constant text");
        let result = server.bye(now, text);
        assert_eq!(result.is_ok(), !self.closed, "bye: {result:?}");
        self.after(server, now);
    }

    /// The application that answers at once: OK to every command (SELECT
    /// with EXISTS and UIDVALIDITY), alice's password, her SCRAM secrets.
    pub(super) fn answer_all(&mut self, server: &mut Server, now: Instant) {
        for _ in 0..64 {
            if self.closed || self.app.is_empty() {
                return;
            }
            if !self.app.logins.is_empty() {
                self.decide(server, now, None);
            } else if !self.app.lookups.is_empty() {
                self.supply(server, now, true);
            } else if !self.app.appends.is_empty() {
                self.append(server, now, None);
            } else {
                let select = matches!(self.app.requests[0].name.as_str(), "SELECT" | "EXAMINE");
                if select {
                    self.send_data(server, now, 0, vocab::data(0, 3, 0));
                    self.send_data(server, now, 0, vocab::data(5, 0, 0));
                }
                let completion = if select {
                    vocab::completion(0, 6, 42)
                } else {
                    Completion::ok()
                };
                self.respond(server, now, 0, completion);
            }
        }
    }

    /// After the end: every held token is refused with `Closed`.
    fn closed_answers(&mut self, server: &mut Server, now: Instant) {
        assert!(self.closed, "the connection did not close at EOF");
        for held in std::mem::take(&mut self.app.requests) {
            let result = server.respond(now, held.request, Completion::ok());
            assert!(
                matches!(
                    result,
                    Err(Unanswered {
                        error: UsageError::Closed,
                        ..
                    })
                ),
                "respond after Closed: {result:?}"
            );
        }
        for attempt in std::mem::take(&mut self.app.logins) {
            assert!(server
                .decide_login(now, attempt, AuthVerdict::Accept)
                .is_err());
        }
        for lookup in std::mem::take(&mut self.app.lookups) {
            assert!(server.supply_scram(now, lookup, None).is_err());
        }
        for check in std::mem::take(&mut self.app.appends) {
            let result = server.accept_append(now, check);
            assert!(
                matches!(
                    result,
                    Err(Unanswered {
                        error: UsageError::Closed,
                        ..
                    })
                ),
                "{result:?}"
            );
        }
        let mut sink = Vec::new();
        assert!(server.poll_transmit(now, &mut sink).is_none());
        assert!(server.poll_event().is_none());
    }
}

/// The encoded length of a response (a bound on what it queues).
fn encoded_len(data: &Data<'static>) -> usize {
    let mut buf = Vec::new();
    imapkit_codec::encode(&Response::Data(data.clone()), &mut buf);
    buf.len() + 64
}

/// `k` of a tag `<prefix><k>`.
fn marker(tag: &[u8], prefix: &[u8]) -> Option<u32> {
    let digits = tag.strip_prefix(prefix)?;
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// Whether a command named `name` is valid in `state` (RFC 9051 §6: §6.1
/// any state, §6.2 not authenticated, §6.3 authenticated, §6.4 selected;
/// ENABLE in the authenticated state only, RFC 5161 §3.1; ID in any state,
/// RFC 2971 §3.1; UNAUTHENTICATE once authenticated, RFC 8437 §3; the
/// extension command `XFOO` as configured).
fn valid_in(name: &str, state: SessionState) -> bool {
    use SessionState as S;
    let authenticated = matches!(state, S::Authenticated | S::Selected);
    match name {
        "CAPABILITY" | "NOOP" | "LOGOUT" | "ID" => {
            matches!(state, S::NotAuthenticated | S::Authenticated | S::Selected)
        }
        "STARTTLS" | "AUTHENTICATE" | "LOGIN" => state == S::NotAuthenticated,
        "ENABLE" => state == S::Authenticated,
        "SELECT" | "EXAMINE" | "CREATE" | "DELETE" | "RENAME" | "SUBSCRIBE" | "UNSUBSCRIBE"
        | "LIST" | "LSUB" | "NAMESPACE" | "STATUS" | "APPEND" | "IDLE" | "COMPRESS"
        | "UNAUTHENTICATE" | "GETQUOTA" | "GETQUOTAROOT" | "SETQUOTA" | "GETACL" | "SETACL"
        | "DELETEACL" | "LISTRIGHTS" | "MYRIGHTS" | "GETMETADATA" | "SETMETADATA" | "NOTIFY"
        | "XFOO" => authenticated,
        "CHECK" | "CLOSE" | "UNSELECT" | "EXPUNGE" | "UID EXPUNGE" | "SEARCH" | "UID SEARCH"
        | "FETCH" | "UID FETCH" | "STORE" | "UID STORE" | "COPY" | "UID COPY" | "MOVE"
        | "UID MOVE" | "SORT" | "UID SORT" | "THREAD" | "UID THREAD" => state == S::Selected,
        // Unknown commands never reach the application.
        _ => false,
    }
}

/// Whether the session answers `name` itself in `state`.
fn session_answers(name: &str, state: SessionState) -> bool {
    match name {
        "CAPABILITY" | "LOGOUT" | "STARTTLS" | "LOGIN" | "AUTHENTICATE" | "ENABLE" | "IDLE"
        | "COMPRESS" => true,
        "NOOP" => state == SessionState::NotAuthenticated,
        _ => false,
    }
}
