//! An independent review of event backpressure on the `Client`
//! (`ClientConfig::max_queued_events`, `wants_read`, input held unread
//! and read as `poll_event` takes the events).
//!
//! Most tests run one scripted session under a small limit (1, 2, 3) and
//! under the default one, each driven by an application that follows the
//! calling contract of the module docs exactly (after every call: drain
//! `poll_event`, then `poll_transmit`, then read `poll_timeout`), and compare
//! what the application saw: the events, and the bytes it wrote to the
//! socket. It found four faults, each fixed since, whose tests say "Was a
//! bug": commands started (`pump`) while input received before them was
//! held; output queued while `poll_event` read held input, which the
//! contract's order then (`poll_transmit` before `poll_event`) left
//! unwritten (the contract is now `poll_event`, then `poll_transmit`);
//! a limit of 0; and `close` dropping held answers.

mod util;

use std::sync::Arc;
use std::time::Instant;

use imapkit_proto::{Capability, CommandBody, Mailbox, Secret, Vec1};
use imapkit_state::client::{Client, ClientConfig, CloseReason, Event, Outcome, SessionState};
use imapkit_state::error::ViolationKind;
use imapkit_state::sasl::plain::PlainClient;
use imapkit_state::{CommandHandle, ConnectionSecurity};
use util::client::{closed, cmd, completed, quiet_config, violations, xorshift, Deflater, Split};

/// The limits tried against the default one.
const SMALL: [usize; 3] = [1, 2, 3];

/// The splits of the server's bytes tried.
const SPLITS: [Split; 4] = [
    Split::Whole,
    Split::Bytes,
    Split::Random(7),
    Split::Random(0xdead_beef),
];

/// A number from the client's `Debug` (the queue length is not public).
fn debug_field(c: &Client, field: &str) -> usize {
    let text = format!("{c:?}");
    let at = text.find(field).expect("field in Debug") + field.len();
    let digits: String = text[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().expect("a number")
}

/// Events queued in the client.
fn queued(c: &Client) -> usize {
    debug_field(c, "events: ")
}

/// An application that follows the calling contract exactly: after every
/// call (input, EOF, timeout, command), it takes every event, writes what
/// `poll_transmit` gives and reads `poll_timeout`; and it reads from
/// the connection only while `wants_read` is true (a read it makes anyway
/// is counted in `unwanted_reads`).
struct App {
    client: Client,
    now: Instant,
    split: Split,
    rng: u64,
    /// Every byte written to the socket, in order.
    wire: Vec<u8>,
    /// The bytes written after each call.
    writes: Vec<Vec<u8>>,
    /// Every event taken, in order.
    events: Vec<Event>,
    /// The largest event queue seen.
    peak: usize,
    /// The timer the application armed last (`poll_timeout`).
    timer: Option<Instant>,
    /// Reads made while `wants_read` was false (outside the STARTTLS
    /// window and after the close, where reads are expected to happen).
    unwanted_reads: usize,
    /// Calls after which the client held input (`wants_read` false
    /// before the events were taken): the limit was reached.
    held: usize,
    /// The client's `max_queued_events`.
    limit: usize,
    /// Between `Event::StartTls` and `tls_established`: the TLS handshake
    /// reads the connection (a read here is an injection test).
    tls_window: bool,
}

impl App {
    fn new(
        config: &ClientConfig,
        limit: Option<usize>,
        security: ConnectionSecurity,
        split: Split,
    ) -> Self {
        let mut config = config.clone();
        if let Some(limit) = limit {
            config.max_queued_events = limit;
        }
        let max_queued = config.max_queued_events;
        let now = Instant::now();
        let client = Client::new(Arc::new(config), now, security);
        let timer = client.poll_timeout();
        Self {
            client,
            now,
            split,
            rng: match split {
                Split::Random(seed) => seed | 1,
                _ => 1,
            },
            wire: Vec::new(),
            writes: Vec::new(),
            events: Vec::new(),
            peak: 0,
            timer,
            unwanted_reads: 0,
            held: 0,
            tls_window: false,
            limit: max_queued,
        }
    }

    fn next_rand(&mut self) -> u64 {
        xorshift(&mut self.rng)
    }

    /// What the contract says to do after a call.
    fn settle(&mut self) {
        if !self.client.wants_read() && queued(&self.client) >= self.limit {
            self.held += 1;
        }
        loop {
            self.peak = self.peak.max(queued(&self.client));
            let Some(event) = self.client.poll_event() else {
                break;
            };
            if matches!(event, Event::StartTls { .. }) {
                self.tls_window = true;
            }
            self.events.push(event);
        }
        let mut buf = Vec::new();
        let _ = self.client.poll_transmit(self.now, &mut buf);
        self.timer = self.client.poll_timeout();
        self.wire.extend_from_slice(&buf);
        self.writes.push(buf);
    }

    /// One read from the socket.
    fn read(&mut self, bytes: &[u8]) {
        let closed = self.client.state() == SessionState::Closed;
        if !self.client.wants_read() && !closed && !self.tls_window {
            self.unwanted_reads += 1;
        }
        self.client.handle_input(self.now, bytes);
        self.settle();
    }

    /// The server sends `bytes`, cut into reads as `split` says.
    fn server(&mut self, bytes: &[u8]) {
        match self.split {
            Split::Whole => self.read(bytes),
            Split::Bytes => {
                for b in bytes {
                    self.read(std::slice::from_ref(b));
                }
            }
            Split::Random(_) => {
                let mut rest = bytes;
                while !rest.is_empty() {
                    let n = (self.next_rand() % 17 + 1) as usize;
                    let n = n.min(rest.len());
                    self.read(&rest[..n]);
                    rest = &rest[n..];
                }
            }
        }
    }

    /// The server closes the connection.
    fn eof(&mut self) {
        self.client.handle_eof(self.now);
        self.settle();
    }

    /// A command (or any call) from the application.
    fn call<T>(&mut self, f: impl FnOnce(&mut Client, Instant) -> T) -> T {
        let out = f(&mut self.client, self.now);
        self.settle();
        out
    }

    /// The application's timer fires (it was armed from `poll_timeout`).
    fn timer_fires(&mut self) -> bool {
        let Some(at) = self.timer else {
            return false;
        };
        self.now = self.now.max(at);
        self.client.handle_timeout(self.now);
        self.settle();
        true
    }

    /// The TLS handshake is done.
    fn tls(&mut self) {
        self.tls_window = false;
        self.call(|c, now| c.tls_established(now)).unwrap();
    }

    /// What was written, as text.
    fn wire_text(&self) -> String {
        String::from_utf8_lossy(&self.wire).into_owned()
    }
}

/// What one run of a session gave the application.
#[derive(Debug, PartialEq)]
struct Run {
    events: Vec<Event>,
    wire: Vec<u8>,
    state: SessionState,
}

fn run(
    config: &ClientConfig,
    limit: Option<usize>,
    security: ConnectionSecurity,
    split: Split,
    session: &dyn Fn(&mut App),
) -> (Run, App) {
    let mut app = App::new(config, limit, security, split);
    session(&mut app);
    let run = Run {
        events: app.events.clone(),
        wire: app.wire.clone(),
        state: app.client.state(),
    };
    (run, app)
}

/// Runs `session` under every split with the default limit and with each
/// small one, following the contract exactly, and checks that each small
/// limit gives the same events and the same bytes written as the default
/// one under the same split; that the queue never grew past the limit by
/// more than a few events; and that the application never had to read
/// while `wants_read` was false. Returns the default run under
/// `Split::Whole`.
fn same_under_any_limit(
    config: &ClientConfig,
    security: ConnectionSecurity,
    session: &dyn Fn(&mut App),
) -> Run {
    let mut whole = None;
    for split in SPLITS {
        let (default, app) = run(config, None, security, split, session);
        assert_eq!(app.unwanted_reads, 0, "default limit, {split:?}");
        for limit in SMALL {
            let (small, app) = run(config, Some(limit), security, split, session);
            assert_eq!(
                small.events, default.events,
                "limit {limit}, {split:?}: events differ"
            );
            assert_eq!(
                String::from_utf8_lossy(&small.wire),
                String::from_utf8_lossy(&default.wire),
                "limit {limit}, {split:?}: bytes written differ"
            );
            assert_eq!(small.state, default.state);
            assert!(
                app.peak <= limit + 4,
                "limit {limit}, {split:?}: {} events queued",
                app.peak
            );
            assert_eq!(app.unwanted_reads, 0, "limit {limit}, {split:?}");
            if limit == 1 && split == Split::Whole {
                assert!(app.held > 0, "the limit was never reached");
            }
        }
        if split == Split::Whole {
            whole = Some(default);
        }
    }
    whole.expect("Split::Whole ran")
}

/// A short name for each event, for readable assertions.
fn names(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            Event::Greeting(_) => "greeting".to_owned(),
            Event::CommandSent { tag, .. } => {
                format!("sent {}", String::from_utf8_lossy(tag.as_bytes()))
            }
            Event::Data { handle, data } => {
                let text = format!("{data:?}");
                let kind: String = text.chars().take_while(|c| c.is_alphanumeric()).collect();
                format!(
                    "data {kind} {}",
                    handle.map_or("-".to_owned(), |h| h.to_string())
                )
            }
            Event::Status { .. } => "status".to_owned(),
            Event::Alert { .. } => "alert".to_owned(),
            Event::Referral { .. } => "referral".to_owned(),
            Event::CapabilitiesChanged => "capabilities".to_owned(),
            Event::Mailbox(change) => {
                let text = format!("{change:?}");
                let kind: String = text.chars().take_while(|c| c.is_alphanumeric()).collect();
                format!("mailbox {kind}")
            }
            Event::StartTls { .. } => "starttls".to_owned(),
            Event::InjectionDiscarded { bytes } => format!("discarded {bytes}"),
            Event::CompressionActive { .. } => "compression".to_owned(),
            Event::IdleStarted { .. } => "idle started".to_owned(),
            Event::IdleRefreshed { .. } => "idle refreshed".to_owned(),
            Event::LiteralStart { len, .. } => format!("literal {len}"),
            Event::LiteralChunk(b) => format!("chunk {}", b.len()),
            Event::LiteralEnd => "literal end".to_owned(),
            Event::Bye { .. } => "bye".to_owned(),
            Event::Violation(v) => format!("violation {:?}", v.kind),
            Event::Completed(c) => format!(
                "completed {} {:?}",
                c.tag
                    .as_ref()
                    .map_or("-".to_owned(), |t| String::from_utf8_lossy(t.as_bytes())
                        .into_owned()),
                c.outcome
            ),
            Event::Closed { reason } => format!("closed {reason:?}"),
            other => format!("{other:?}"),
        })
        .collect()
}

/// Every command handle completed exactly once among `events`, and every
/// handle sent among them completed.
fn assert_each_completed_once(events: &[Event]) {
    let done = completed(events);
    let mut handles: Vec<CommandHandle> = done.iter().map(|(h, _)| *h).collect();
    handles.sort();
    let before = handles.len();
    handles.dedup();
    assert_eq!(handles.len(), before, "a command completed twice: {done:?}");
    for e in events {
        if let Event::CommandSent { handle, .. } = e {
            assert!(handles.contains(handle), "{handle:?} never completed");
        }
    }
}

/// Over TLS, no automatic CAPABILITY.
fn tls_config() -> ClientConfig {
    quiet_config()
}

fn secret(s: &str) -> Secret<String> {
    Secret::new(s.to_owned())
}

// ---- sessions ------------------------------------------------------------

/// Greeting, LOGIN, SELECT with its untagged data, a FETCH of flags,
/// unsolicited flag changes, EXISTS and EXPUNGE during NOOP, an ALERT,
/// EXPUNGE, LOGOUT with BYE and the end of the input.
fn plain_session(app: &mut App) {
    app.server(b"* OK [CAPABILITY IMAP4rev1 IDLE ENABLE UIDPLUS] ready\r\n");
    app.call(|c, now| c.login(now, "alice", secret("pw")).unwrap());
    app.server(b"* CAPABILITY IMAP4rev1 IDLE ENABLE UIDPLUS MOVE\r\nA1 OK logged in\r\n");
    app.call(|c, now| c.select(now, Mailbox::from_name("INBOX")).unwrap());
    app.server(
        b"* 3 EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Seen \\Deleted)\r\n\
          * OK [PERMANENTFLAGS (\\Seen \\Deleted \\*)] p\r\n* OK [UIDVALIDITY 7] u\r\n\
          * OK [UIDNEXT 10] n\r\nA2 OK [READ-WRITE] selected\r\n",
    );
    app.call(|c, now| c.enqueue(now, cmd(b"FETCH 1:* (UID FLAGS)")).unwrap());
    app.server(
        b"* 1 FETCH (UID 4 FLAGS ())\r\n* 2 FETCH (UID 5 FLAGS (\\Seen))\r\n\
          * 3 FETCH (UID 9 FLAGS ())\r\nA3 OK fetched\r\n",
    );
    app.call(|c, now| c.enqueue(now, CommandBody::Noop).unwrap());
    app.server(
        b"* 2 FETCH (FLAGS (\\Deleted))\r\n* 4 EXISTS\r\n* OK [ALERT] note\r\n\
          * 1 EXPUNGE\r\nA4 OK noop\r\n",
    );
    app.call(|c, now| c.enqueue(now, CommandBody::Expunge).unwrap());
    app.server(b"* 1 EXPUNGE\r\n* 1 RECENT\r\nA5 OK expunged\r\n");
    app.call(|c, now| c.logout(now).unwrap());
    app.server(b"* BYE logging out\r\nA6 OK bye\r\n");
    app.eof();
}

/// Every event and every byte written are the same under a limit of 1, 2
/// or 3 as under the default one, for a plain session (greeting, LOGIN,
/// SELECT, FETCH, unsolicited updates, EXPUNGE, LOGOUT), under every split.
#[test]
fn a_plain_session_is_the_same_under_any_limit() {
    let whole = same_under_any_limit(&tls_config(), ConnectionSecurity::Tls, &plain_session);
    assert_eq!(
        String::from_utf8_lossy(&whole.wire),
        "A1 LOGIN alice pw\r\nA2 SELECT INBOX\r\nA3 FETCH 1:* (UID FLAGS)\r\n\
         A4 NOOP\r\nA5 EXPUNGE\r\nA6 LOGOUT\r\n"
    );
    assert_eq!(closed(&whole.events), Some(CloseReason::Logout));
    assert!(matches!(whole.events.last(), Some(Event::Closed { .. })));
    assert!(violations(&whole.events).is_empty(), "{whole:?}");
    assert_each_completed_once(&whole.events);
    assert_eq!(whole.state, SessionState::Closed);
}

/// The server breaks the protocol in many ways in one read: an unknown
/// tag, EXPUNGE and FETCH with no mailbox, a stray `+`, a line that does
/// not parse, PREAUTH after the greeting, a REFERRAL; then BYE and EOF.
fn hostile_session(app: &mut App) {
    app.server(b"* OK [CAPABILITY IMAP4rev1] ready\r\n");
    app.call(|c, now| c.login(now, "alice", secret("pw")).unwrap());
    app.server(
        b"A9 OK unknown\r\n* 1 EXPUNGE\r\n+ stray\r\n* garbage here (\r\n\
          * 1 FETCH (FLAGS ())\r\n* PREAUTH again\r\n* OK [REFERRAL imap://x/y] go\r\n\
          * OK [ALERT] a\r\nA1 OK [CAPABILITY IMAP4rev1 IDLE] in\r\n",
    );
    app.call(|c, now| c.enqueue(now, CommandBody::Noop).unwrap());
    app.server(b"* 7 EXISTS\r\n* BYE [UNAVAILABLE] going\r\n* 8 EXISTS\r\n");
    app.eof();
}

/// Violations are reported in the same order, with the same bytes and
/// offsets, under a small limit as under the default one; a BYE in held
/// input closes the session after the events before it, and what follows
/// the BYE is not delivered.
#[test]
fn violations_are_the_same_under_any_limit() {
    let whole = same_under_any_limit(&tls_config(), ConnectionSecurity::Tls, &hostile_session);
    assert_eq!(
        names(&whole.events),
        [
            "greeting",
            "capabilities",
            "sent A1",
            "violation UnknownTag",
            "violation OutOfState(\"message data while no mailbox is selected\")",
            "data Expunge -",
            "violation UnexpectedContinuation",
            "data Other -",
            "violation OutOfState(\"message data while no mailbox is selected\")",
            "data Fetch -",
            "violation OutOfState(\"PREAUTH after the greeting\")",
            "referral",
            "status",
            "alert",
            "status",
            "capabilities",
            "completed A1 Ok",
            "sent A2",
            "data Exists -",
            "bye",
            "completed A2 ConnectionClosed",
            "closed Bye { code: Some(Unavailable), text: Text(b\"going\") }",
        ]
    );
    assert_each_completed_once(&whole.events);
}

/// ENABLE QRESYNC, SELECT with its HIGHESTMODSEQ, a UID FETCH, VANISHED
/// and a new message during NOOP, then SELECT with QRESYNC from a snapshot
/// (the old mailbox's EXPUNGE before `[CLOSED]`, VANISHED (EARLIER)).
fn qresync_session(app: &mut App) {
    app.server(b"* PREAUTH [CAPABILITY IMAP4rev1 ENABLE CONDSTORE QRESYNC] hi\r\n");
    app.call(|c, now| {
        let caps: Vec1<Capability<'static>> = vec![Capability::QResync].try_into().unwrap();
        c.enable(now, caps).unwrap()
    });
    app.server(b"* ENABLED QRESYNC\r\nA1 OK enabled\r\n");
    app.call(|c, now| c.select(now, Mailbox::from_name("INBOX")).unwrap());
    app.server(
        b"* 3 EXISTS\r\n* OK [UIDVALIDITY 1700] x\r\n* OK [HIGHESTMODSEQ 90] x\r\n\
          * 1 FETCH (UID 10 MODSEQ (80))\r\n* 2 FETCH (UID 11 MODSEQ (81))\r\n\
          * 3 FETCH (UID 12 MODSEQ (82))\r\nA2 OK [READ-WRITE] done\r\n",
    );
    app.call(|c, now| c.enqueue(now, cmd(b"UID FETCH 1:* (FLAGS)")).unwrap());
    app.server(
        b"* 1 FETCH (UID 10 FLAGS () MODSEQ (80))\r\n* 2 FETCH (UID 11 FLAGS (\\Seen) MODSEQ (81))\r\n\
          * 3 FETCH (UID 12 FLAGS () MODSEQ (82))\r\nA3 OK fetched\r\n",
    );
    let snapshot = app.client.mailbox().unwrap().snapshot().unwrap();
    app.call(|c, now| c.enqueue(now, CommandBody::Noop).unwrap());
    app.server(
        b"* VANISHED 12\r\n* 3 EXISTS\r\n* 3 FETCH (UID 13 FLAGS () MODSEQ (93))\r\n\
          * 1 FETCH (UID 10 FLAGS (\\Flagged) MODSEQ (94))\r\nA4 OK noop\r\n",
    );
    app.call(|c, now| {
        c.select_qresync(now, Mailbox::from_name("INBOX"), snapshot, false)
            .unwrap()
    });
    app.server(
        // The old mailbox's last news before [CLOSED]: VANISHED, as RFC 7162
        // §3.2.10 has it once QRESYNC is enabled (an EXPUNGE here is a
        // violation since stop 33).
        b"* VANISHED 10\r\n* OK [CLOSED] previous mailbox closed\r\n* 3 EXISTS\r\n\
          * OK [UIDVALIDITY 1700] x\r\n* OK [HIGHESTMODSEQ 95] x\r\n\
          * VANISHED (EARLIER) 11\r\n* 2 FETCH (UID 12 FLAGS (\\Seen) MODSEQ (94))\r\n\
          * 3 FETCH (UID 13 FLAGS () MODSEQ (95))\r\nA5 OK [READ-WRITE] done\r\n",
    );
}

/// The QRESYNC session (VANISHED, `[CLOSED]`, a resync from a snapshot)
/// gives the same events, the same model and the same bytes under any
/// limit.
#[test]
fn qresync_updates_are_the_same_under_any_limit() {
    let whole = same_under_any_limit(&tls_config(), ConnectionSecurity::Tls, &qresync_session);
    assert!(
        violations(&whole.events).is_empty(),
        "{:?}",
        names(&whole.events)
    );
    let names = names(&whole.events);
    assert!(names.contains(&"mailbox Resynced".to_owned()), "{names:?}");
    assert!(names.contains(&"mailbox Vanished".to_owned()), "{names:?}");
    // The model at the end, under the smallest limit, split byte by byte.
    let (_, app) = run(
        &tls_config(),
        Some(1),
        ConnectionSecurity::Tls,
        Split::Bytes,
        &qresync_session,
    );
    let m = app.client.mailbox().unwrap();
    assert_eq!(
        (m.exists(), m.uid(1), m.uid(2), m.uid(3)),
        (3, Some(10), Some(12), Some(13))
    );
    assert_eq!(m.highest_modseq(), Some(95));
}

/// IDLE: the `+` and updates in one read, DONE, the completion; a second
/// IDLE refreshed by the timer (DONE, a new IDLE under a new tag).
fn idle_session(app: &mut App) {
    app.server(b"* PREAUTH [CAPABILITY IMAP4rev1 IDLE] hi\r\n");
    app.call(|c, now| c.select(now, Mailbox::from_name("INBOX")).unwrap());
    app.server(b"* 2 EXISTS\r\n* OK [UIDVALIDITY 3] u\r\nA1 OK [READ-WRITE] in\r\n");
    app.call(|c, now| c.idle(now).unwrap());
    app.server(b"+ idling\r\n* 3 EXISTS\r\n* 2 FETCH (FLAGS (\\Seen))\r\n* 1 EXPUNGE\r\n");
    app.call(|c, now| c.idle_done(now).unwrap());
    app.server(b"* 3 EXISTS\r\nA2 OK idle done\r\n");
    app.call(|c, now| c.idle(now).unwrap());
    app.server(b"+ idling\r\n* 4 EXISTS\r\n");
    // The refresh timer: DONE, then a new IDLE once the old one completes.
    assert!(app.timer_fires());
    app.server(b"* 5 EXISTS\r\nA3 OK done\r\n+ again\r\n* 6 EXISTS\r\n");
    app.call(|c, now| c.enqueue(now, CommandBody::Noop).unwrap());
    app.server(b"A4 OK done\r\n");
    app.server(b"A5 OK noop\r\n");
}

/// IDLE (accepted with updates in the same read, ended, refreshed by its
/// timer, ended by a command) is the same under any limit: same events,
/// same DONEs at the same points.
#[test]
fn idle_is_the_same_under_any_limit() {
    let whole = same_under_any_limit(&tls_config(), ConnectionSecurity::Tls, &idle_session);
    assert_eq!(
        String::from_utf8_lossy(&whole.wire),
        "A1 SELECT INBOX\r\nA2 IDLE\r\nDONE\r\nA3 IDLE\r\nDONE\r\nA4 IDLE\r\nDONE\r\nA5 NOOP\r\n"
    );
    assert!(
        violations(&whole.events).is_empty(),
        "{:?}",
        names(&whole.events)
    );
    let names = names(&whole.events);
    assert!(names.contains(&"idle refreshed".to_owned()), "{names:?}");
    assert_each_completed_once(&whole.events);
}

/// Pipelined commands that need no wait (UID FETCH, UID STORE, STATUS,
/// LIST): all sent at once, answered out of order with interleaved
/// untagged data in one read.
fn pipelined_session(app: &mut App) {
    app.server(b"* PREAUTH [CAPABILITY IMAP4rev1 UIDPLUS] hi\r\n");
    app.call(|c, now| c.select(now, Mailbox::from_name("INBOX")).unwrap());
    app.server(b"* 3 EXISTS\r\n* OK [UIDVALIDITY 3] u\r\nA1 OK [READ-WRITE] in\r\n");
    app.call(|c, now| {
        c.enqueue(now, cmd(b"UID FETCH 1:* (FLAGS)")).unwrap();
        c.enqueue(now, cmd(b"UID STORE 7 +FLAGS (\\Seen)")).unwrap();
        c.enqueue(now, cmd(b"STATUS Archive (MESSAGES)")).unwrap();
        c.enqueue(now, cmd(b"LIST \"\" *")).unwrap()
    });
    app.server(
        b"* LIST () \"/\" INBOX\r\n* 1 FETCH (UID 5 FLAGS ())\r\n* STATUS Archive (MESSAGES 2)\r\n\
          * 2 FETCH (UID 7 FLAGS (\\Seen))\r\nA5 OK listed\r\n* 3 FETCH (UID 9 FLAGS ())\r\n\
          A3 OK stored\r\nA2 OK fetched\r\n* LIST () \"/\" Archive\r\nA4 OK status\r\n",
    );
}

/// Pipelined commands with their answers interleaved in one read: the
/// same events (same routing of data to commands) under any limit.
#[test]
fn pipelined_answers_are_the_same_under_any_limit() {
    let whole = same_under_any_limit(&tls_config(), ConnectionSecurity::Tls, &pipelined_session);
    assert_eq!(
        String::from_utf8_lossy(&whole.wire),
        "A1 SELECT INBOX\r\nA2 UID FETCH 1:* (FLAGS)\r\nA3 UID STORE 7 +FLAGS (\\Seen)\r\n\
         A4 STATUS Archive (MESSAGES)\r\nA5 LIST \"\" *\r\n"
    );
    assert!(
        violations(&whole.events).is_empty(),
        "{:?}",
        names(&whole.events)
    );
    assert_each_completed_once(&whole.events);
}

/// AUTHENTICATE PLAIN without SASL-IR: the server's `+` comes behind two
/// untagged responses (held under a small limit); then the tagged OK with
/// capabilities.
fn authenticate_session(app: &mut App) {
    app.server(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n");
    app.call(|c, now| {
        let m = PlainClient::new("alice", secret("pw"));
        c.authenticate(now, Box::new(m)).unwrap()
    });
    app.server(b"* OK [ALERT] one\r\n* OK two\r\n+ \r\n");
    app.server(b"* CAPABILITY IMAP4rev1 IDLE\r\nA1 OK [CAPABILITY IMAP4rev1 IDLE] in\r\n");
    app.call(|c, now| c.enqueue(now, CommandBody::Noop).unwrap());
    app.server(b"A2 OK noop\r\n");
}

/// An AUTHENTICATE exchange whose `+` is held behind a full queue: the
/// same events and the same bytes (the response sent once, after the `+`)
/// under any limit, the application writing what the client has to send
/// once it took the events.
#[test]
fn a_held_authenticate_challenge_is_answered_the_same_under_any_limit() {
    let whole = same_under_any_limit(
        &tls_config(),
        ConnectionSecurity::Tls,
        &authenticate_session,
    );
    assert_eq!(
        whole.wire,
        b"A1 AUTHENTICATE PLAIN\r\nAGFsaWNlAHB3\r\nA2 NOOP\r\n".to_vec()
    );
    assert_eq!(
        completed(&whole.events)
            .into_iter()
            .map(|c| c.1)
            .collect::<Vec<_>>(),
        [Outcome::Ok, Outcome::Ok]
    );
    assert_eq!(whole.state, SessionState::Authenticated);
}

/// APPEND and LOGIN with synchronizing literals (no LITERAL+): each `+`
/// comes behind untagged responses.
fn literal_session(app: &mut App) {
    app.server(b"* OK [CAPABILITY IMAP4rev1] hi\r\n");
    app.call(|c, now| c.login(now, "al\"ice\n", secret("p\nw")).unwrap());
    app.server(b"* OK [ALERT] wait\r\n* OK more\r\n+ go\r\n");
    app.server(b"* OK again\r\n+ go\r\n");
    app.server(b"A1 OK [CAPABILITY IMAP4rev1] in\r\n");
    app.call(|c, now| c.enqueue(now, cmd(b"APPEND INBOX {5}\r\nhello")).unwrap());
    app.server(b"* OK one\r\n* OK two\r\n* OK three\r\n+ ready\r\n");
    app.server(b"* OK [APPENDUID 1 9] x\r\nA2 OK [APPENDUID 1 9] done\r\n");
}

/// Synchronizing literals (LOGIN's two, APPEND's one) whose `+` is held:
/// each literal is sent once, after its `+`, the same under any limit;
/// both commands complete OK.
#[test]
fn held_literal_continuations_are_the_same_under_any_limit() {
    let whole = same_under_any_limit(&tls_config(), ConnectionSecurity::Tls, &literal_session);
    assert_eq!(
        String::from_utf8_lossy(&whole.wire),
        "A1 LOGIN {7}\r\nal\"ice\n {3}\r\np\nw\r\nA2 APPEND INBOX {5}\r\nhello\r\n"
    );
    assert_eq!(
        completed(&whole.events)
            .into_iter()
            .map(|c| c.1)
            .collect::<Vec<_>>(),
        [Outcome::Ok, Outcome::Ok]
    );
    assert!(
        violations(&whole.events).is_empty(),
        "{:?}",
        names(&whole.events)
    );
}

/// A streamed `BODY[]` (above 8 bytes, in chunks of 4) in the middle of
/// other responses.
fn streamed_session(app: &mut App) {
    app.server(b"* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n");
    app.call(|c, now| c.select(now, Mailbox::from_name("INBOX")).unwrap());
    app.server(b"* 2 EXISTS\r\n* OK [UIDVALIDITY 3] u\r\nA1 OK [READ-WRITE] in\r\n");
    app.call(|c, now| c.enqueue(now, cmd(b"UID FETCH 4:5 (BODY[])")).unwrap());
    app.server(
        b"* 1 FETCH (UID 4 BODY[] {28}\r\nFrom: a@b.example\r\n\r\nhello!!)\r\n\
          * 3 EXISTS\r\n* 2 FETCH (UID 5 BODY[] {3}\r\nabc)\r\nA2 OK fetched\r\n",
    );
}

/// A streamed literal held in the middle (`LiteralStart`, chunks,
/// `LiteralEnd`, then its `Data`): the same events, in the same order,
/// the chunks adding up to the body, under any limit.
#[test]
fn streamed_literals_are_the_same_under_any_limit() {
    let mut config = tls_config();
    config.framer.stream_literals_above = Some(8);
    config.framer.stream_chunk = 4;
    let whole = same_under_any_limit(&config, ConnectionSecurity::Tls, &streamed_session);
    let body: Vec<u8> = whole
        .events
        .iter()
        .filter_map(|e| match e {
            Event::LiteralChunk(b) => Some(b.to_vec()),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(body, b"From: a@b.example\r\n\r\nhello!!");
    let names = names(&whole.events);
    let start = names.iter().position(|n| n == "literal 28").unwrap();
    let end = names.iter().position(|n| n == "literal end").unwrap();
    assert!(names[start + 1..end].iter().all(|n| n.starts_with("chunk")));
    assert_eq!(names[end + 1], "data Fetch #2");
    assert!(violations(&whole.events).is_empty(), "{names:?}");
}

/// STARTTLS (Required) on a plain connection: the OK comes behind two
/// untagged responses, followed by injected responses in its read (and,
/// under a split, in reads of their own during the TLS window); a LOGIN
/// enqueued before waits for TLS and the capabilities asked over it.
fn starttls_session(app: &mut App) {
    app.server(b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi\r\n");
    app.call(|c, now| c.login(now, "alice", secret("pw")).unwrap());
    app.server(
        b"* OK one\r\n* OK [ALERT] two\r\nA1 OK begin TLS\r\n* 1 EXISTS\r\n\
          * CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA2 OK injected\r\n",
    );
    app.tls();
    app.server(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA2 OK caps\r\n");
    app.server(b"A3 OK [CAPABILITY IMAP4rev1 IDLE] in\r\n");
}

/// A STARTTLS OK held behind a full queue: every byte after it is
/// discarded and reported, never delivered, the same under any limit and
/// split; the LOGIN goes only over TLS.
#[test]
fn a_held_starttls_ok_discards_the_same_under_any_limit() {
    let whole = same_under_any_limit(
        &ClientConfig::default(),
        ConnectionSecurity::Plaintext,
        &starttls_session,
    );
    assert_eq!(
        String::from_utf8_lossy(&whole.wire),
        "A1 STARTTLS\r\nA2 CAPABILITY\r\nA3 LOGIN alice pw\r\n"
    );
    let names = names(&whole.events);
    let tls = names.iter().position(|n| n == "starttls").unwrap();
    assert!(
        !names[..tls].iter().any(|n| n.starts_with("data")),
        "{names:?}"
    );
    assert!(names.contains(&"discarded 63".to_owned()), "{names:?}");
    assert_eq!(whole.state, SessionState::Authenticated);
    // Under every split, the bytes discarded add up to the injection.
    for split in SPLITS {
        let (r, _) = run(
            &ClientConfig::default(),
            Some(1),
            ConnectionSecurity::Plaintext,
            split,
            &starttls_session,
        );
        let discarded: usize = r
            .events
            .iter()
            .filter_map(|e| match e {
                Event::InjectionDiscarded { bytes } => Some(*bytes),
                _ => None,
            })
            .sum();
        assert_eq!(discarded, 63, "{split:?}");
    }
}

/// COMPRESS=DEFLATE: the OK comes behind two untagged responses, with
/// compressed responses after it in its read; more compressed reads, then
/// LOGOUT, BYE and the end of the input.
fn compress_session(app: &mut App) {
    app.server(b"* OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] ready\r\n");
    app.call(|c, now| c.login(now, "alice", secret("pw")).unwrap());
    app.server(b"A1 OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] in\r\n");
    app.call(|c, now| c.compress(now).unwrap());
    let mut z = Deflater::new();
    let mut read = b"* OK one\r\n* OK two\r\nA2 OK DEFLATE active\r\n".to_vec();
    read.extend(z.deflate(b"* OK [ALERT] a\r\n* OK b\r\n* OK c\r\n"));
    app.server(&read);
    app.call(|c, now| c.enqueue(now, CommandBody::Noop).unwrap());
    app.server(&z.deflate(b"* OK d\r\n* OK e\r\nA3 OK noop\r\n"));
    app.call(|c, now| c.logout(now).unwrap());
    app.server(&z.deflate(b"* BYE bye\r\nA4 OK out\r\n"));
    app.eof();
}

/// A COMPRESS OK held behind a full queue, with compressed input after it:
/// the same events (everything inflated, in order, closed by LOGOUT) and
/// the same compressed bytes written under any limit and split.
#[test]
fn a_held_compress_ok_is_the_same_under_any_limit() {
    let whole = same_under_any_limit(&tls_config(), ConnectionSecurity::Tls, &compress_session);
    let statuses: Vec<String> = whole
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Status { status, .. } => {
                Some(status.text.human().to_string_lossy().into_owned())
            }
            _ => None,
        })
        .collect();
    assert_eq!(statuses, ["one", "two", "a", "b", "c", "d", "e"]);
    assert_eq!(closed(&whole.events), Some(CloseReason::Logout));
    assert!(
        violations(&whole.events).is_empty(),
        "{:?}",
        names(&whole.events)
    );
    assert_each_completed_once(&whole.events);
}

/// Events of `bytes` read at once, then (when `eof`) the end of the input,
/// before any event is taken; then every event.
fn read_then_take(
    config: &ClientConfig,
    limit: Option<usize>,
    setup: &dyn Fn(&mut Client, Instant),
    bytes: &[u8],
    eof: bool,
) -> Vec<Event> {
    let mut config = config.clone();
    if let Some(limit) = limit {
        config.max_queued_events = limit;
    }
    let now = Instant::now();
    let mut c = Client::new(Arc::new(config), now, ConnectionSecurity::Tls);
    setup(&mut c, now);
    while c.poll_event().is_some() {}
    c.handle_input(now, bytes);
    if eof {
        c.handle_eof(now);
    }
    let events: Vec<Event> = std::iter::from_fn(|| c.poll_event()).collect();
    assert!(!c.wants_read() || c.state() != SessionState::Closed);
    events
}

/// Greeted with PREAUTH, INBOX selected with 2 messages; NOOP sent.
fn selected_with_noop(c: &mut Client, now: Instant) {
    let mut out = Vec::new();
    c.handle_input(now, b"* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n");
    while c.poll_event().is_some() {}
    c.select(now, Mailbox::from_name("INBOX")).unwrap();
    let _ = c.poll_transmit(now, &mut out);
    c.handle_input(now, b"* 2 EXISTS\r\nA1 OK [READ-WRITE] in\r\n");
    while c.poll_event().is_some() {}
    c.enqueue(now, CommandBody::Noop).unwrap();
    let _ = c.poll_transmit(now, &mut out);
}

/// The end of the input read while responses are held unread (an
/// application that reads on before taking the events): the session
/// closes after all of them, with the reason the default limit gives (the
/// BYE's, EOF's with the NOOP ended as ConnectionClosed, LOGOUT's), and a
/// line cut by the EOF is dropped as it is without the limit.
#[test]
fn eof_while_held_closes_after_the_input_with_the_same_reason() {
    let cases: [(&[u8], CloseReason); 3] = [
        (
            b"* 3 EXISTS\r\n* 4 EXISTS\r\n* 1 FETCH (FLAGS (\\Seen))\r\n* 5 EXISTS\r\n\
              * BYE [UNAVAILABLE] down\r\n",
            CloseReason::Bye {
                code: Some(imapkit_proto::ResponseCode::Unavailable),
                text: imapkit_proto::Text::try_from("down").unwrap(),
            },
        ),
        (
            b"* 3 EXISTS\r\n* 4 EXISTS\r\n* OK [ALERT] x\r\n* 5 EXISTS\r\n* 6 EXI",
            CloseReason::Eof,
        ),
        (
            b"* 3 EXISTS\r\n* 4 EXISTS\r\nA2 OK noop\r\n* 5 EXISTS\r\n* 6 EXISTS\r\n",
            CloseReason::Eof,
        ),
    ];
    for (bytes, reason) in cases {
        let default = read_then_take(&tls_config(), None, &selected_with_noop, bytes, true);
        assert_eq!(
            closed(&default),
            Some(reason.clone()),
            "{:?}",
            names(&default)
        );
        assert!(matches!(default.last(), Some(Event::Closed { .. })));
        for limit in SMALL {
            let small =
                read_then_take(&tls_config(), Some(limit), &selected_with_noop, bytes, true);
            assert_eq!(small, default, "limit {limit}");
        }
    }
    // LOGOUT: BYE and its OK held, then EOF.
    let logout = |c: &mut Client, now: Instant| {
        selected_with_noop(c, now);
        c.handle_input(now, b"A2 OK noop\r\n");
        while c.poll_event().is_some() {}
        c.logout(now).unwrap();
        let _ = c.poll_transmit(now, &mut Vec::new());
    };
    let bytes = b"* 3 EXISTS\r\n* 4 EXISTS\r\n* OK [ALERT] x\r\n* BYE bye\r\nA3 OK out\r\n";
    let default = read_then_take(&tls_config(), None, &logout, bytes, true);
    assert_eq!(closed(&default), Some(CloseReason::Logout));
    for limit in SMALL {
        assert_eq!(
            read_then_take(&tls_config(), Some(limit), &logout, bytes, true),
            default,
            "limit {limit}"
        );
    }
}

/// The end of the input while COMPRESS input is held both as frames and
/// as compressed bytes: everything is inflated and read, in order, then
/// the session closes, the same as under the default limit.
#[test]
fn eof_while_compressed_input_is_held_closes_after_it() {
    let setup = |c: &mut Client, now: Instant| {
        let mut out = Vec::new();
        c.handle_input(
            now,
            b"* PREAUTH [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] hi\r\n",
        );
        while c.poll_event().is_some() {}
        c.compress(now).unwrap();
        let _ = c.poll_transmit(now, &mut out);
    };
    let mut z = Deflater::new();
    let mut bytes = b"* OK a\r\nA1 OK go\r\n".to_vec();
    let lines: Vec<u8> = (1..=40)
        .flat_map(|i| format!("* OK line {i}\r\n").into_bytes())
        .collect();
    bytes.extend(z.deflate(&lines));
    bytes.extend(z.deflate(b"* BYE done\r\n"));
    let default = read_then_take(&tls_config(), None, &setup, &bytes, true);
    let statuses = default
        .iter()
        .filter(|e| matches!(e, Event::Status { .. }))
        .count();
    assert_eq!(statuses, 41);
    assert!(matches!(
        default.last(),
        Some(Event::Closed {
            reason: CloseReason::Bye { .. }
        })
    ));
    for limit in SMALL {
        assert_eq!(
            read_then_take(&tls_config(), Some(limit), &setup, &bytes, true),
            default,
            "limit {limit}"
        );
    }
}

/// `wants_read`: true on a new client; false once the queue reaches the
/// limit and while input is held, even after some events were taken;
/// true once every event is taken, or below the limit when no input is
/// held; false between STARTTLS's OK and
/// `tls_established` even with nothing queued, true after; false once
/// closed.
#[test]
fn wants_read_follows_the_queue_the_held_input_and_the_session() {
    let mut config = ClientConfig::default();
    config.max_queued_events = 4;
    let now = Instant::now();
    let mut c = Client::new(Arc::new(config), now, ConnectionSecurity::Plaintext);
    assert!(c.wants_read());
    c.handle_input(now, b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
    // Greeting, CapabilitiesChanged, STARTTLS sent: below the limit.
    assert_eq!(queued(&c), 3);
    assert!(c.wants_read());
    while c.poll_event().is_some() {}
    let mut out = Vec::new();
    let _ = c.poll_transmit(now, &mut out);
    assert_eq!(out, b"A1 STARTTLS\r\n");
    c.handle_input(now, b"* OK a\r\n* OK b\r\n* OK c\r\n* OK d\r\n* OK e\r\n");
    assert_eq!(queued(&c), 4);
    assert!(!c.wants_read());
    // One taken: below the limit, but input is still held.
    assert!(matches!(c.poll_event(), Some(Event::Status { .. })));
    assert_eq!(queued(&c), 3);
    assert!(!c.wants_read());
    let mut rest = 0;
    while c.poll_event().is_some() {
        rest += 1;
    }
    assert_eq!(rest, 4);
    assert!(c.wants_read());
    // A read that fills the queue exactly, nothing left unread: no input
    // is held, so `wants_read` is true again as soon as the queue is below
    // the limit (the review found it false until the queue was empty).
    c.handle_input(now, b"* OK f\r\n* OK g\r\n* OK h\r\n* OK i\r\n");
    assert_eq!(queued(&c), 4);
    assert!(!c.wants_read());
    assert!(c.poll_event().is_some());
    assert_eq!(queued(&c), 3);
    assert!(c.wants_read());
    let mut rest = 0;
    while c.poll_event().is_some() {
        rest += 1;
    }
    assert_eq!(rest, 3);
    assert!(c.wants_read());
    c.handle_input(now, b"A1 OK begin TLS\r\n");
    let events: Vec<Event> = std::iter::from_fn(|| c.poll_event()).collect();
    assert!(matches!(events.last(), Some(Event::StartTls { .. })));
    assert!(!c.wants_read());
    c.tls_established(now).unwrap();
    assert!(c.wants_read());
    c.close();
    assert!(!c.wants_read());
    let events: Vec<Event> = std::iter::from_fn(|| c.poll_event()).collect();
    assert!(matches!(events.last(), Some(Event::Closed { .. })));
    assert!(!c.wants_read());
}

/// A flood of 20,000 untagged responses in one read, and in reads of 1 to
/// 17 bytes, under a limit of 2: the queue never holds more than a few
/// events past the limit, every response is delivered in order, and
/// `wants_read` is true once the events are taken; the same under
/// COMPRESS, where 20,000 lines inflate from a few KiB.
#[test]
fn a_flood_stays_bounded_and_complete() {
    let mut flood = Vec::new();
    for i in 1..=20_000u32 {
        flood.extend_from_slice(format!("* {i} EXISTS\r\n").as_bytes());
    }
    flood.extend_from_slice(b"A2 OK noop\r\n");
    for split in [Split::Whole, Split::Random(99)] {
        let mut config = tls_config();
        config.max_queued_events = 2;
        let mut app = App::new(&config, None, ConnectionSecurity::Tls, split);
        app.server(b"* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n");
        app.call(|c, now| c.select(now, Mailbox::from_name("INBOX")).unwrap());
        app.server(b"* 0 EXISTS\r\nA1 OK [READ-WRITE] in\r\n");
        app.call(|c, now| c.enqueue(now, CommandBody::Noop).unwrap());
        app.server(&flood);
        assert!(app.peak <= 4, "{split:?}: {} events queued", app.peak);
        assert_eq!(app.unwanted_reads, 0);
        let exists: Vec<u32> = app
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Data {
                    data: imapkit_proto::Data::Exists(n),
                    ..
                } => Some(*n),
                _ => None,
            })
            .collect();
        assert_eq!(exists, (0..=20_000).collect::<Vec<_>>(), "{split:?}");
        assert!(matches!(app.events.last(), Some(Event::Completed(c)) if c.is_ok()));
        assert!(app.client.wants_read());
        assert_eq!(app.client.mailbox().unwrap().exists(), 20_000);
    }
    // Compressed.
    let mut config = tls_config();
    config.max_queued_events = 2;
    let mut app = App::new(&config, None, ConnectionSecurity::Tls, Split::Whole);
    app.server(b"* PREAUTH [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] hi\r\n");
    app.call(|c, now| c.compress(now).unwrap());
    let mut z = Deflater::new();
    let mut read = b"A1 OK active\r\n".to_vec();
    let lines: Vec<u8> = (1..=20_000u32)
        .flat_map(|i| format!("* OK [ALERT] {i}\r\n").into_bytes())
        .collect();
    read.extend(z.deflate(&lines));
    assert!(read.len() < 100 * 1024);
    app.server(&read);
    assert!(app.peak <= 5, "{} events queued", app.peak);
    let alerts = app
        .events
        .iter()
        .filter(|e| matches!(e, Event::Alert { .. }))
        .count();
    assert_eq!(alerts, 20_000);
    assert!(app.client.wants_read());
}

/// `read_buf` / `handle_read` (the input framed where the read put it)
/// while frames are held: the same events as `handle_input` and as the
/// default limit, including a read the application makes while
/// `wants_read` is false.
#[test]
fn handle_read_with_held_frames_is_the_same_as_handle_input() {
    let reads: [&[u8]; 3] = [
        b"* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n* OK a\r\n* OK b\r\n* OK c\r\n",
        b"* OK d\r\n* OK [ALERT] e\r\n* LIST () \"/\" INBOX\r\n",
        b"* OK f\r\n* BYE g\r\n",
    ];
    let go = |limit: Option<usize>, by_read_buf: bool| {
        let mut config = tls_config();
        if let Some(limit) = limit {
            config.max_queued_events = limit;
        }
        let now = Instant::now();
        let mut c = Client::new(Arc::new(config), now, ConnectionSecurity::Tls);
        for read in reads {
            if by_read_buf {
                let mut room = c.read_buf(64);
                room.extend_from_slice(read);
                c.handle_read(now, room);
            } else {
                c.handle_input(now, read);
            }
        }
        c.handle_eof(now);
        std::iter::from_fn(|| c.poll_event()).collect::<Vec<Event>>()
    };
    let default = go(None, false);
    assert_eq!(default.len(), 12, "{:?}", names(&default));
    for limit in SMALL {
        assert_eq!(go(Some(limit), true), default, "limit {limit}");
        assert_eq!(go(Some(limit), false), default, "limit {limit}");
    }
}

// ---- where the limit changes the session ----------------------------------

/// INBOX selected (5 messages) under `limit`, NOOP sent (A2), and `queued`
/// enqueued behind it (it waits: RFC 9051 §5.5).
fn noop_then(limit: Option<usize>, queued: CommandBody<'static>) -> (App, CommandHandle) {
    let mut app = App::new(&tls_config(), limit, ConnectionSecurity::Tls, Split::Whole);
    app.server(b"* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n");
    app.call(|c, now| c.select(now, Mailbox::from_name("INBOX")).unwrap());
    app.server(b"* 5 EXISTS\r\n* OK [UIDVALIDITY 3] u\r\nA1 OK [READ-WRITE] in\r\n");
    app.call(|c, now| c.enqueue(now, CommandBody::Noop).unwrap());
    let handle = app.call(|c, now| c.enqueue(now, queued).unwrap());
    assert_eq!(app.wire_text(), "A1 SELECT INBOX\r\nA2 NOOP\r\n");
    app.events.clear();
    (app, handle)
}

/// A tagged answer for a command the client has not sent yet cannot be
/// the server's (tags are predictable: `on_tagged` refuses it as
/// UnknownTag, "the tag was guessed"). Under the default limit, `A3 OK` in
/// the read of NOOP's OK, while FETCH (A3) still waits for the NOOP, is a
/// violation and the FETCH stays in flight; the same under a small limit.
/// Was a bug (the review): under a limit of 1, the NOOP's completion
/// filled the queue, `handle_input` ran `pump` anyway (FETCH sent), and
/// the held `A3 OK`, received before FETCH was sent, completed it. `pump`
/// now starts nothing while input is held.
#[test]
fn an_answer_received_before_a_command_was_sent_never_completes_it() {
    let bytes = b"A2 OK noop\r\nA3 OK [ALERT] guessed\r\n";
    let (mut default, _) = noop_then(None, cmd(b"FETCH 1:* (FLAGS)"));
    default.server(bytes);
    assert_eq!(
        names(&default.events),
        ["completed A2 Ok", "violation UnknownTag", "sent A3",]
    );
    for limit in SMALL {
        let (mut small, _) = noop_then(Some(limit), cmd(b"FETCH 1:* (FLAGS)"));
        small.server(bytes);
        assert_eq!(small.events, default.events, "limit {limit}");
    }
}

/// The same through STARTTLS: the client's own CAPABILITY (A1) is
/// answered in a read that also holds `A2 OK` for the STARTTLS the client
/// has yet to send. Under the default limit that `OK` is an unknown tag and
/// the client waits for the real answer; the same under a small limit.
/// Was a bug (the review): under a limit of 3 the STARTTLS was started
/// while `A2 OK` was held, and that `OK`, received before it (from anyone
/// on the path), started the TLS upgrade.
#[test]
fn a_starttls_ok_received_before_starttls_was_sent_is_not_taken() {
    let go = |limit: Option<usize>| {
        let mut app = App::new(
            &ClientConfig::default(),
            limit,
            ConnectionSecurity::Plaintext,
            Split::Whole,
        );
        app.server(b"* OK hi\r\n");
        assert_eq!(app.wire_text(), "A1 CAPABILITY\r\n");
        app.server(b"* CAPABILITY IMAP4rev1 STARTTLS\r\nA1 OK caps\r\nA2 OK begin TLS\r\n");
        app
    };
    let default = go(None);
    assert_eq!(default.wire_text(), "A1 CAPABILITY\r\nA2 STARTTLS\r\n");
    assert_eq!(violations(&default.events), [ViolationKind::UnknownTag]);
    assert!(!default
        .events
        .iter()
        .any(|e| matches!(e, Event::StartTls { .. })));
    for limit in SMALL {
        let small = go(Some(limit));
        assert_eq!(small.events, default.events, "limit {limit}");
        assert_eq!(small.wire_text(), default.wire_text(), "limit {limit}");
    }
}

/// An unsolicited flag change (`* 1 FETCH (FLAGS ...)`, another client's
/// STORE) that arrives in the read of NOOP's OK, while a FETCH waits for
/// the NOOP: under the default limit it is reported as what it is (data
/// for no command, and a `MailboxChange::FlagsChanged`), and the FETCH is
/// sent after; the same under a small limit. Was a bug (the review): the
/// FETCH was started before that response was read, so the response was
/// taken as the FETCH's answer (routed to it, no `FlagsChanged`).
#[test]
fn unsolicited_data_received_before_a_command_was_sent_is_not_its_answer() {
    let bytes = b"A2 OK noop\r\n* 1 FETCH (FLAGS (\\Seen))\r\n";
    let (mut default, _) = noop_then(None, cmd(b"FETCH 1:* (FLAGS)"));
    default.server(bytes);
    assert_eq!(
        names(&default.events),
        [
            "completed A2 Ok",
            "data Fetch -",
            "mailbox FlagsChanged",
            "sent A3",
        ]
    );
    for limit in SMALL {
        let (mut small, _) = noop_then(Some(limit), cmd(b"FETCH 1:* (FLAGS)"));
        small.server(bytes);
        assert_eq!(
            small.events,
            default.events,
            "limit {limit}: {:?}",
            names(&small.events)
        );
    }
}

/// New mail in INBOX (`* 9 EXISTS`) in the read of NOOP's OK, while a
/// SELECT of Archive waits for the NOOP: under the default limit INBOX's
/// model takes it and Archive's model holds only what the server says
/// about Archive (2 messages); the same under a small limit. Was a bug
/// (the review): the SELECT started before the EXISTS was read, and
/// INBOX's EXISTS went into Archive's model.
#[test]
fn the_old_mailboxs_held_responses_stay_out_of_the_new_model() {
    let select = CommandBody::Select {
        mailbox: Mailbox::from_name("Archive"),
        parameters: Vec::new(),
    };
    let go = |limit: Option<usize>| {
        let (mut app, _) = noop_then(limit, select.clone());
        app.server(b"A2 OK noop\r\n* 9 EXISTS\r\n");
        app.server(b"* 2 EXISTS\r\n* OK [UIDVALIDITY 8] u\r\nA3 OK [READ-WRITE] in\r\n");
        app
    };
    let default = go(None);
    assert_eq!(default.client.mailbox().unwrap().exists(), 2);
    assert!(violations(&default.events).is_empty());
    for limit in SMALL {
        let small = go(Some(limit));
        let m = small.client.mailbox().unwrap();
        assert_eq!(m.name(), &Mailbox::from_name("Archive"));
        assert_eq!(
            (m.exists(), violations(&small.events)),
            (2, vec![]),
            "limit {limit}: {:?}",
            names(&small.events)
        );
        assert_eq!(small.events, default.events, "limit {limit}");
    }
}

/// APPEND with a synchronizing literal under `limit`; the server sends
/// `lines` untagged responses and the `+` in one read, and answers the
/// APPEND once the literal reached it; the application follows the
/// contract (waiting for its timer while the server waits). Returns the
/// APPEND's outcome, what the call that read the `+` wrote, and all that
/// was written.
fn append_behind(limit: Option<usize>, lines: usize) -> (Outcome, String, String) {
    let mut app = App::new(&tls_config(), limit, ConnectionSecurity::Tls, Split::Whole);
    app.server(b"* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n");
    let append = app.call(|c, now| c.enqueue(now, cmd(b"APPEND INBOX {5}\r\nhello")).unwrap());
    assert_eq!(app.wire_text(), "A1 APPEND INBOX {5}\r\n");
    let mut read = Vec::new();
    for i in 0..lines {
        read.extend_from_slice(format!("* OK line {i}\r\n").as_bytes());
    }
    read.extend_from_slice(b"+ go ahead\r\n");
    app.server(&read);
    let plus_call = String::from_utf8_lossy(app.writes.last().unwrap()).into_owned();
    if app.wire_text().ends_with("hello\r\n") {
        app.server(b"A1 OK [APPENDUID 1 9] done\r\n");
    } else {
        assert!(app.timer_fires());
    }
    let outcome = completed(&app.events)
        .into_iter()
        .find(|(h, _)| *h == append)
        .map(|(_, o)| o)
        .expect("APPEND completed");
    (outcome, plus_call, app.wire_text())
}

/// The control for the test below: under the default limit, with a few
/// responses before the `+`, the literal is written in the call that read
/// the `+`, and APPEND completes OK.
#[test]
fn a_continuation_read_in_the_call_is_answered_in_the_call() {
    assert_eq!(
        append_behind(None, 2),
        (
            Outcome::Ok,
            "hello\r\n".to_owned(),
            "A1 APPEND INBOX {5}\r\nhello\r\n".to_owned()
        )
    );
}

/// APPEND's literal, asked for by a `+` behind untagged responses, is
/// written in the call that read the `+`, also when the `+` is held (a
/// small limit, or more than 1024 events before it under the default one)
/// and read inside `poll_event`. Was a bug (the review): the contract then
/// said to write what `poll_transmit` gives before taking the events, so
/// the literal queued while they were taken was never written, the server
/// waited for it and the command timer ended the session (APPEND
/// `TimedOut`). The contract is now `poll_event`, then `poll_transmit`.
#[test]
fn a_continuation_in_held_input_is_answered_within_the_call() {
    // (limit, untagged lines before the `+`)
    let cases = [(Some(1), 2), (Some(2), 2), (Some(3), 3), (None, 1100)];
    let got: Vec<_> = cases
        .iter()
        .map(|&(limit, lines)| (limit, append_behind(limit, lines)))
        .collect();
    let want: Vec<_> = cases
        .iter()
        .map(|&(limit, _)| {
            (
                limit,
                (
                    Outcome::Ok,
                    "hello\r\n".to_owned(),
                    "A1 APPEND INBOX {5}\r\nhello\r\n".to_owned(),
                ),
            )
        })
        .collect();
    assert_eq!(got, want);
}

/// The same for a LOGIN enqueued before STARTTLS, sent by `pump` when the
/// capabilities asked over TLS arrive: under a small limit the tagged OK
/// is read inside `poll_event`, and the LOGIN is written in that call.
/// Was a bug (the review), as above: it was never written and the session
/// timed out.
#[test]
fn a_command_started_by_held_input_is_written_within_the_call() {
    for limit in [None, Some(1), Some(2)] {
        let mut app = App::new(
            &ClientConfig::default(),
            limit,
            ConnectionSecurity::Plaintext,
            Split::Whole,
        );
        app.server(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
        let login = app.call(|c, now| c.login(now, "alice", secret("pw")).unwrap());
        app.server(b"A1 OK begin TLS\r\n");
        app.tls();
        app.server(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA2 OK caps\r\n");
        // The server answers the LOGIN once it has it; meanwhile the
        // application waits for it, and its timer.
        if app.wire_text().ends_with("A3 LOGIN alice pw\r\n") {
            app.server(b"A3 OK in\r\n");
        } else {
            assert!(app.timer_fires());
        }
        let outcome = completed(&app.events)
            .into_iter()
            .find(|(h, _)| *h == login)
            .map(|(_, o)| o);
        assert_eq!(outcome, Some(Outcome::Ok), "limit {limit:?}");
        assert_eq!(app.client.state(), SessionState::Authenticated);
    }
}

/// `max_queued_events = 0` is taken as 1: the input is read. Was a bug
/// (the review): nothing was ever read (`process_frames` held the input
/// before the first frame, `wants_read` stayed false with every event
/// taken) and the greeting timer closed the session.
#[test]
fn a_limit_of_zero_still_reads_the_input() {
    let mut app = App::new(
        &tls_config(),
        Some(0),
        ConnectionSecurity::Tls,
        Split::Whole,
    );
    app.server(b"* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n");
    assert_eq!(queued(&app.client), 0);
    assert!(
        app.client.wants_read(),
        "wants_read false with nothing queued"
    );
    assert_eq!(names(&app.events), ["greeting", "capabilities"]);
}

/// The application closes the session after taking the first event of a
/// read (`close`, as on a user's "disconnect"). Under the default limit
/// the rest of that read is already in the queue: the tagged OKs received
/// for the NOOP and the UID STORE are delivered as `Ok`, then `Closed`;
/// the same under a small limit, where `close` reads the held input first.
/// Was a bug (the review): `close` dropped it, and both commands completed
/// as `ConnectionClosed` although the server's OK for them had been
/// received (an application that retries a STORE or APPEND on
/// ConnectionClosed would do it twice).
#[test]
fn close_while_held_keeps_the_answers_already_received() {
    let go = |limit: Option<usize>| {
        let mut app = App::new(&tls_config(), limit, ConnectionSecurity::Tls, Split::Whole);
        app.server(b"* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n");
        app.call(|c, now| c.select(now, Mailbox::from_name("INBOX")).unwrap());
        app.server(b"* 5 EXISTS\r\nA1 OK [READ-WRITE] in\r\n");
        app.call(|c, now| c.enqueue(now, CommandBody::Noop).unwrap());
        app.call(|c, now| c.enqueue(now, cmd(b"UID STORE 7 +FLAGS (\\Seen)")).unwrap());
        assert_eq!(
            app.wire_text(),
            "A1 SELECT INBOX\r\nA2 NOOP\r\nA3 UID STORE 7 +FLAGS (\\Seen)\r\n"
        );
        let mut all = Vec::new();
        app.client
            .handle_input(app.now, b"* OK [ALERT] a\r\nA2 OK noop\r\nA3 OK stored\r\n");
        let _ = app.client.poll_transmit(app.now, &mut Vec::new());
        all.push(app.client.poll_event().expect("an event"));
        app.client.close();
        all.extend(std::iter::from_fn(|| app.client.poll_event()));
        all
    };
    let default = go(None);
    assert_eq!(
        names(&default),
        [
            "alert",
            "status",
            "completed A2 Ok",
            "completed A3 Ok",
            "closed Local"
        ]
    );
    for limit in SMALL {
        assert_eq!(names(&go(Some(limit))), names(&default), "limit {limit}");
    }
}
