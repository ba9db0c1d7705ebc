//! Memory bounds of the server session under hostile or careless peers:
//! a client that never reads, pipelining without end, literals, SASL
//! exchanges, IDLE, COMPRESS bombs, and an application that does not
//! poll. Each test states its bound in terms of the configured limits
//! and checks the exact answers.
//!
//! Memory is measured through what the session shows: the queued output
//! ([`Server::output_len`]), the commands in flight, and the input held
//! by its framer (the `buffered` field of the session's `Debug` output;
//! a counting global allocator is not possible here, the crate forbids
//! `unsafe_code`), and, for what an idle session keeps, the resident set
//! size of a child process running one test alone.
//!
//! The tests whose doc comments end "Was a bug" found a problem that the
//! commit adding this file fixed; next to each, a test of the memory bound
//! alone (which held before the fix too) stays as a regression test.

use imapkit_state::server::Unanswered;
use std::sync::Arc;
use std::time::{Duration, Instant};

use imapkit_state::proto::{Atom, AuthMechanism, Data, IntoStatic, MessageDataItem, NString, Vec1};
use imapkit_state::sasl::plain::PlainServer;
use imapkit_state::sasl::scram::{ScramHash, ScramServer};
use imapkit_state::sasl::{ChannelBinding, SaslError, ServerStep, Supply};
use imapkit_state::server::{
    AuthVerdict, Completion, Event, LiteralSupport, Request, Server, ServerConfig,
};
use imapkit_state::ConnectionSecurity::{self, Plaintext, Tls};
use proptest::prelude::*;

// ---- helpers -------------------------------------------------------------

const MAX_LINE: usize = 256;
const MAX_LITERAL: u64 = 1024;
const MAX_APPEND: u64 = 2048;
const MAX_MESSAGE: usize = 4096;
const MAX_DISCARD: u64 = 8192;
const MAX_OUTPUT: usize = 2048;
const MAX_IN_FLIGHT: usize = 4;
/// The input backlog cap of `check_backlog`: `max_message + max_line`.
const BACKLOG: usize = MAX_MESSAGE + MAX_LINE;

/// Small limits, so that every bound is reached quickly.
fn small() -> ServerConfig {
    let mut c = ServerConfig::default();
    c.limits.max_line = MAX_LINE;
    c.limits.max_literal = MAX_LITERAL;
    c.limits.max_append_literal = MAX_APPEND;
    c.limits.max_message = MAX_MESSAGE;
    c.limits.max_discard = MAX_DISCARD;
    c.limits.max_output = MAX_OUTPUT;
    c.limits.max_in_flight = MAX_IN_FLIGHT;
    c.throttle.failure_delays = vec![Duration::ZERO];
    assert_eq!(c.validate(), Ok(()));
    c
}

/// Bytes of client input the session's framer holds (from its `Debug`).
fn buffered(s: &Server) -> usize {
    let dbg = format!("{s:?}");
    let at = dbg.find("buffered: ").expect("the framer's buffered field") + "buffered: ".len();
    dbg[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .expect("a number")
}

/// A session and its application, driven by hand.
struct App {
    s: Server,
    now: Instant,
    /// Everything transmitted so far.
    wire: Vec<u8>,
    /// Commands handed out and not answered yet.
    held: Vec<(Request, String)>,
    /// Every event polled, described.
    log: Vec<String>,
    /// Largest input buffered seen after a call.
    peak_in: usize,
    /// Largest output queued seen after a call.
    peak_out: usize,
}

impl App {
    fn new(config: ServerConfig, security: ConnectionSecurity) -> Self {
        let now = Instant::now();
        let s = Server::new(Arc::new(config), now, security);
        let mut app = Self {
            s,
            now,
            wire: Vec::new(),
            held: Vec::new(),
            log: Vec::new(),
            peak_in: 0,
            peak_out: 0,
        };
        app.transmit();
        app.wire.clear();
        app
    }

    /// Logged in as alice over TLS, output and log cleared.
    fn logged_in(config: ServerConfig) -> Self {
        let mut app = Self::new(config, Tls);
        app.input(b"L LOGIN alice wonderland\r\n");
        app.poll_events(true);
        app.transmit();
        assert!(app.take_wire().starts_with("L OK [CAPABILITY"), "logged in");
        app.log.clear();
        app
    }

    /// Logged in with INBOX selected.
    fn selected(config: ServerConfig) -> Self {
        let mut app = Self::logged_in(config);
        app.input(b"S SELECT INBOX\r\n");
        app.poll_events(true);
        app.transmit();
        assert_eq!(app.take_wire(), "S OK completed\r\n");
        app.log.clear();
        app
    }

    fn measure(&mut self) {
        self.peak_in = self.peak_in.max(buffered(&self.s));
        self.peak_out = self.peak_out.max(self.s.output_len());
    }

    fn input(&mut self, bytes: &[u8]) {
        self.s.handle_input(self.now, bytes);
        self.measure();
    }

    /// Takes the output (the client reads).
    fn transmit(&mut self) {
        while self.s.poll_transmit(self.now, &mut self.wire).is_some() {}
        self.measure();
    }

    /// Polls events; logins of alice/wonderland are accepted, others
    /// rejected; commands are kept in `held`, or answered OK at once
    /// when `answer`.
    fn poll_events(&mut self, answer: bool) {
        while let Some(event) = self.s.poll_event() {
            self.log.push(describe(&event));
            match event {
                Event::CommandReceived { request, command } => {
                    let tag = command.tag.as_str().to_owned();
                    if answer {
                        if let Err(Unanswered { error: e, .. }) =
                            self.s.respond(self.now, request, Completion::ok())
                        {
                            self.log.push(format!("respond {tag} failed: {e:?}"));
                        }
                    } else {
                        self.held.push((request, tag));
                    }
                }
                Event::LoginAttempt(attempt) => {
                    let c = attempt.credentials();
                    let ok = c.identity.authcid == "alice"
                        && matches!(&c.secret,
                            imapkit_state::sasl::CredentialSecret::Password(p)
                                if p.declassify() == "wonderland");
                    let verdict = if ok {
                        AuthVerdict::Accept
                    } else {
                        AuthVerdict::Reject
                    };
                    if let Err(e) = self.s.decide_login(self.now, attempt, verdict) {
                        self.log.push(format!("decide_login failed: {e:?}"));
                    }
                }
                Event::ScramLookup(lookup) => {
                    if let Err(e) = self.s.supply_scram(self.now, lookup, None) {
                        self.log.push(format!("supply_scram failed: {e:?}"));
                    }
                }
                _ => {}
            }
            self.measure();
        }
    }

    /// The client reads and the application answers everything, until quiet.
    fn settle(&mut self) {
        for _ in 0..100_000 {
            let before = (self.wire.len(), self.log.len());
            self.transmit();
            self.poll_events(true);
            if (self.wire.len(), self.log.len()) == before {
                return;
            }
        }
        panic!("the session does not settle");
    }

    /// Answers the oldest held command, with `data` first.
    /// Answers the oldest held command, with `data` first; `false` (and
    /// the failure logged) if the session refused the answer.
    fn answer_oldest(&mut self, data: Vec<Data<'static>>) -> bool {
        let (request, tag) = self.held.remove(0);
        for d in data {
            if let Err(e) = self.s.send_data(self.now, &request, d) {
                self.log.push(format!("send_data {tag} failed: {e:?}"));
            }
        }
        let result = self.s.respond(self.now, request, Completion::ok());
        self.measure();
        match result {
            Ok(()) => true,
            Err(Unanswered { error: e, .. }) => {
                self.log.push(format!("respond {tag} failed: {e:?}"));
                false
            }
        }
    }

    /// Prints the peaks (shown with `--nocapture`).
    fn report(&self, what: &str) {
        eprintln!(
            "{what}: peak input held {} B, peak output queued {} B \
             (max_output {MAX_OUTPUT}, max_message + max_line {BACKLOG})",
            self.peak_in, self.peak_out
        );
    }

    fn take_wire(&mut self) -> String {
        String::from_utf8(std::mem::take(&mut self.wire)).expect("ASCII output")
    }

    fn count(&self, needle: &str) -> usize {
        String::from_utf8_lossy(&self.wire).matches(needle).count()
    }
}

fn describe(event: &Event) -> String {
    match event {
        Event::CommandReceived { command, .. } => {
            format!("command {} {}", command.tag.as_str(), command.body.name())
        }
        Event::Audit(a) => format!("audit {a}"),
        Event::Violation(v) => format!("violation {v}"),
        Event::Closed { reason } => format!("closed {reason:?}"),
        other => format!("{other:?}"),
    }
}

fn repeat_lines(n: usize, line: impl Fn(usize) -> String) -> Vec<u8> {
    (0..n).flat_map(|k| line(k).into_bytes()).collect()
}

fn fetch_data(seq: u32, body_len: usize) -> Data<'static> {
    Data::Fetch {
        seq: std::num::NonZeroU32::new(seq).unwrap(),
        items: Vec1::new(MessageDataItem::Rfc822(
            NString::from("b".repeat(body_len).as_str()).into_static(),
        )),
    }
}

// ---- a client that never reads ---------------------------------------------

/// Pipelined CAPABILITY and NOOP before login, the client never reading,
/// the application reading only while `wants_read`: the output stops at
/// `max_output` plus one answer, and once the client reads every command
/// is answered, in order.
#[test]
fn never_reading_client_is_bounded_by_max_output() {
    let mut app = App::new(small(), Tls);
    let input = repeat_lines(2000, |k| {
        if k % 2 == 0 {
            format!("c{k} CAPABILITY\r\n")
        } else {
            format!("n{k} NOOP\r\n")
        }
    });
    let mut rest = &input[..];
    // 64-byte reads while the session wants them.
    while app.s.wants_read() && !rest.is_empty() {
        let n = rest.len().min(64);
        app.input(&rest[..n]);
        rest = &rest[n..];
        app.poll_events(true);
    }
    assert!(!app.s.wants_read(), "the output is full");
    assert!(!rest.is_empty());
    let largest_answer =
        "* CAPABILITY IMAP4rev2 IMAP4rev1 LITERAL-\r\nc0000 OK CAPABILITY completed\r\n".len();
    assert!(
        app.peak_out <= MAX_OUTPUT + largest_answer,
        "output {} > max_output {MAX_OUTPUT} + {largest_answer}",
        app.peak_out
    );
    assert!(app.peak_in <= 64, "input held {}", app.peak_in);
    // The client reads now: everything is answered.
    while !rest.is_empty() || app.s.output_len() > 0 {
        app.transmit();
        while app.s.wants_read() && !rest.is_empty() {
            let n = rest.len().min(64);
            app.input(&rest[..n]);
            rest = &rest[n..];
            app.poll_events(true);
        }
        assert!(app.peak_out <= MAX_OUTPUT + largest_answer);
    }
    app.report("never_reading_client_is_bounded_by_max_output");
    app.settle();
    assert_eq!(app.count(" OK CAPABILITY completed\r\n"), 1000);
    assert_eq!(app.count(" OK NOOP completed\r\n"), 1000);
    let wire = app.take_wire();
    let tags: Vec<&str> = wire
        .lines()
        .filter(|l| !l.starts_with('*'))
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    let expected: Vec<String> = (0..2000)
        .map(|k| format!("{}{k}", if k % 2 == 0 { 'c' } else { 'n' }))
        .collect();
    assert_eq!(tags, expected);
    assert!(!app.s.is_closed());
}

/// The same client with an application that ignores `wants_read` and
/// keeps calling `handle_input`: the input held stays below
/// `max_message + max_line` plus one read, then `* BYE Too much input`.
#[test]
fn ignoring_wants_read_is_bounded_by_the_backlog_cap() {
    let mut app = App::new(small(), Tls);
    let read = 64;
    let input = repeat_lines(4000, |k| format!("n{k} NOOP\r\n"));
    for chunk in input.chunks(read) {
        app.input(chunk);
        app.poll_events(true);
        if app.s.is_closed() {
            break;
        }
    }
    assert!(app.s.is_closed());
    assert!(
        app.peak_in <= BACKLOG + read,
        "input held {} > {BACKLOG} + {read}",
        app.peak_in
    );
    assert!(app.peak_out <= MAX_OUTPUT + 64 + "* BYE Too much input\r\n".len());
    app.report("ignoring_wants_read_is_bounded_by_the_backlog_cap");
    app.transmit();
    let wire = app.take_wire();
    assert!(
        wire.ends_with("OK NOOP completed\r\n* BYE Too much input\r\n"),
        "{wire}"
    );
    assert_eq!(app.log.last().unwrap(), "closed Limit");
    assert!(
        app.log
            .contains(&"audit peer=- tls=yes limit \"too much unread input\"".to_owned()),
        "{:?}",
        app.log
    );
}

/// One read of pipelined commands larger than `max_message + max_line`
/// taken while the session wanted to read (16 KiB: one TLS record), by
/// an application that honours `wants_read` and answers every command
/// (with 100 bytes of FETCH data): the client reads everything.
fn one_big_read(app: &mut App, input: &[u8]) {
    assert!(input.len() > BACKLOG);
    assert!(app.s.wants_read());
    app.input(input);
    for _ in 0..100_000 {
        app.transmit();
        app.poll_events(false);
        assert!(app.s.in_flight() <= MAX_IN_FLIGHT);
        if app.held.is_empty() {
            break;
        }
        app.answer_oldest(vec![fetch_data(1, 100)]);
    }
    app.transmit();
}

fn sixteen_kib_of(line: impl Fn(usize) -> String) -> Vec<u8> {
    let mut input = Vec::new();
    let mut k = 0;
    loop {
        let l = line(k);
        if input.len() + l.len() > 16 * 1024 {
            return input;
        }
        input.extend_from_slice(l.as_bytes());
        k += 1;
    }
}

/// A 16 KiB read of pipelined NOOPs made while the session wanted input
/// (after login the application answers them: at most `max_in_flight` in
/// flight) is answered in full: the input backlog cap counts beyond the
/// last read the session asked for. Was a bug: `check_backlog` counted
/// every byte of that read, and the connection ended with `* BYE Too much
/// input`, the commands in flight dropped.
#[test]
fn one_large_read_of_pipelined_noops_is_answered_in_full() {
    let input = sixteen_kib_of(|k| format!("n{k} NOOP\r\n"));
    let lines = input.iter().filter(|&&b| b == b'\n').count();
    let mut app = App::logged_in(small());
    one_big_read(&mut app, &input);
    let wire = app.take_wire();
    assert!(!app.s.is_closed(), "{:?}", &app.log[app.log.len() - 3..]);
    assert!(!wire.contains("BYE"));
    assert_eq!(wire.matches(" OK completed\r\n").count(), lines);
    // Within the bounds all the same: the input held is the one read.
    assert!(app.peak_in <= input.len());
}

/// The same with `UID FETCH`, selected.
#[test]
fn one_large_read_of_pipelined_fetches_is_answered_in_full() {
    let input = sixteen_kib_of(|k| format!("f{k} UID FETCH 1 FLAGS\r\n"));
    let lines = input.iter().filter(|&&b| b == b'\n').count();
    let mut app = App::selected(small());
    one_big_read(&mut app, &input);
    let wire = app.take_wire();
    assert!(!app.s.is_closed(), "{:?}", &app.log[app.log.len() - 3..]);
    assert_eq!(wire.matches(" OK completed\r\n").count(), lines);
}

/// The same before login: LOGIN and the commands after it in one read
/// (a client pipelining its session start); the session stops reading
/// while the application decides the login, then answers the rest. Was a
/// bug: the rest of the read ended the connection.
#[test]
fn login_and_pipelined_commands_in_one_read_are_answered_in_full() {
    let mut input = b"a LOGIN alice wonderland\r\n".to_vec();
    input.extend(sixteen_kib_of(|k| format!("c{k} CAPABILITY\r\n")));
    input.truncate(input.len() - 512);
    let lines = input.iter().filter(|&&b| b == b'\n').count() - 1;
    let mut app = App::new(small(), Tls);
    app.input(&input);
    app.settle();
    let wire = app.take_wire();
    assert!(!app.s.is_closed(), "{:?}", app.log);
    assert!(wire.starts_with("a OK [CAPABILITY"));
    assert_eq!(wire.matches(" OK CAPABILITY completed\r\n").count(), lines);
}

/// The bound of the NOOP case, with or without the fix: the input held
/// stays below the one read, the output below `max_output` plus the
/// answers in flight; if the connection ends, it ends with `* BYE Too
/// much input` (today: at once, the four commands in flight dropped).
#[test]
fn one_large_read_is_bounded() {
    let input = sixteen_kib_of(|k| format!("n{k} NOOP\r\n"));
    let mut app = App::logged_in(small());
    one_big_read(&mut app, &input);
    app.report("one_large_read_is_bounded");
    assert!(app.peak_in <= input.len());
    assert!(app.peak_out <= MAX_OUTPUT + MAX_IN_FLIGHT * 200);
    if app.s.is_closed() {
        assert!(app.take_wire().ends_with("* BYE Too much input\r\n"));
    }
}

// ---- commands in flight ------------------------------------------------------

/// Pipelined FETCHes the application never answers: at most
/// `max_in_flight` are handed out, the session stops reading, the input
/// held is what the application read; once answered, every command gets
/// its answer, in order of completion.
#[test]
fn unanswered_commands_in_flight_are_bounded_by_max_in_flight() {
    let mut app = App::selected(small());
    let input = repeat_lines(100, |k| format!("f{k} UID FETCH {}:* FLAGS\r\n", k + 1));
    let mut rest = &input[..];
    while app.s.wants_read() && !rest.is_empty() {
        let n = rest.len().min(100);
        app.input(&rest[..n]);
        rest = &rest[n..];
        app.poll_events(false);
    }
    assert_eq!(app.s.in_flight(), MAX_IN_FLIGHT);
    assert_eq!(app.held.len(), MAX_IN_FLIGHT);
    assert!(!app.s.wants_read());
    assert!(app.peak_in <= 100, "input held {}", app.peak_in);
    app.report("unanswered_commands_in_flight_are_bounded_by_max_in_flight");
    // Answered one by one (the client reads): the rest follows.
    for _ in 0..1000 {
        if app.held.is_empty() && rest.is_empty() {
            break;
        }
        if !app.held.is_empty() {
            assert!(app.answer_oldest(vec![fetch_data(1, 10)]));
        }
        app.transmit();
        app.poll_events(false);
        while app.s.wants_read() && !rest.is_empty() {
            let n = rest.len().min(100);
            app.input(&rest[..n]);
            rest = &rest[n..];
            app.poll_events(false);
        }
        assert!(app.s.in_flight() <= MAX_IN_FLIGHT);
    }
    app.transmit();
    let wire = app.take_wire();
    let tags: Vec<&str> = (wire.lines())
        .filter(|l| !l.starts_with('*'))
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    let expected: Vec<String> = (0..100).map(|k| format!("f{k}")).collect();
    assert_eq!(tags, expected);
    assert_eq!(
        wire.matches("* 1 FETCH").count(),
        100,
        "{wire}\n{:?}",
        app.log
    );
}

/// When the input backlog cap is hit (the application ignored
/// `wants_read`), the commands in flight are answered before `* BYE Too
/// much input`, as with every other limit that ends the connection (a
/// literal too large to skip, garbage). Was a bug: the BYE went out at
/// once and the application's answers failed with `Closed`.
#[test]
fn backlog_bye_answers_the_commands_in_flight_first() {
    let mut app = App::selected(small());
    app.input(b"a UID FETCH 1 FLAGS\r\nb UID FETCH 2 FLAGS\r\n");
    app.poll_events(false);
    assert_eq!(app.held.len(), 2);
    // The application ignores wants_read (the output is not full, but
    // the client keeps sending commands that queue behind an exclusive one).
    app.input(b"c SELECT INBOX\r\n");
    assert!(!app.s.wants_read());
    let flood = repeat_lines(1000, |k| format!("n{k} NOOP\r\n"));
    for chunk in flood.chunks(512) {
        app.input(chunk);
        assert!(app.peak_in <= BACKLOG + 512);
    }
    // The session ends the connection, but only after the commands it
    // already handed out are answered.
    assert!(app.answer_oldest(vec![fetch_data(1, 10)]), "{:?}", app.log);
    assert!(app.answer_oldest(vec![fetch_data(2, 10)]), "{:?}", app.log);
    app.poll_events(false);
    app.transmit();
    let wire = app.take_wire();
    assert!(
        wire.ends_with("a OK completed\r\n* 2 FETCH (RFC822 \"bbbbbbbbbb\")\r\nb OK completed\r\n* BYE Too much input\r\n"),
        "{wire}"
    );
    // The limit is audited once, though the session read on (each answer,
    // each transmit) while it drained.
    let hits = app
        .log
        .iter()
        .filter(|l| l.contains("too much unread input"))
        .count();
    assert_eq!(hits, 1, "{:#?}", app.log);
}

/// The bound when the backlog cap is hit with commands in flight: the
/// input held stays below `max_message + max_line` plus one read, and the
/// connection ends with `* BYE Too much input` (today at once; with the
/// fix after the command in flight is answered).
#[test]
fn backlog_with_commands_in_flight_is_bounded() {
    let mut app = App::selected(small());
    app.input(b"a UID FETCH 1 FLAGS\r\nc SELECT INBOX\r\n");
    app.poll_events(false);
    let flood = repeat_lines(1000, |k| format!("n{k} NOOP\r\n"));
    for chunk in flood.chunks(512) {
        app.input(chunk);
    }
    assert!(app.peak_in <= BACKLOG + 512, "{}", app.peak_in);
    app.report("backlog_with_commands_in_flight_is_bounded");
    let _ = app.answer_oldest(vec![]);
    app.poll_events(false);
    app.transmit();
    assert!(app.s.is_closed());
    assert!(app.take_wire().ends_with("* BYE Too much input\r\n"));
}

// ---- IDLE --------------------------------------------------------------------

/// IDLE with a client that never reads: the application's updates are
/// refused with `OutputFull` at `max_output`; DONE and the commands after
/// it are read only as far as the output allows.
#[test]
fn idle_updates_to_a_client_that_never_reads_are_bounded() {
    let mut app = App::selected(small());
    app.input(b"i IDLE\r\n");
    app.poll_events(true);
    assert!(
        app.log.iter().any(|l| l.starts_with("IdleStarted")),
        "{:?}",
        app.log
    );
    let mut pushed = 0u32;
    loop {
        match app.s.send_unsolicited(app.now, Data::Exists(pushed + 1)) {
            Ok(()) => pushed += 1,
            Err(e) => {
                assert_eq!(e, imapkit_state::error::UsageError::OutputFull);
                break;
            }
        }
        app.measure();
        assert!(pushed < 100_000);
    }
    let largest = "* 4294967295 EXISTS\r\n".len();
    assert!(app.peak_out <= MAX_OUTPUT + largest, "{}", app.peak_out);
    // IDLE reads its line even with the output full.
    assert!(app.s.wants_read());
    let input = [
        b"DONE\r\n".as_slice(),
        &repeat_lines(500, |k| format!("n{k} NOOP\r\n")),
    ]
    .concat();
    let mut rest = &input[..];
    while app.s.wants_read() && !rest.is_empty() {
        let n = rest.len().min(32);
        app.input(&rest[..n]);
        rest = &rest[n..];
        app.poll_events(true);
    }
    assert!(!app.s.wants_read());
    assert!(app.peak_out <= MAX_OUTPUT + largest + "i OK IDLE terminated\r\n".len() + 32);
    app.report("idle_updates_to_a_client_that_never_reads_are_bounded");
    // The client reads: everything is answered.
    while !rest.is_empty() || app.s.output_len() > 0 {
        app.transmit();
        while app.s.wants_read() && !rest.is_empty() {
            let n = rest.len().min(32);
            app.input(&rest[..n]);
            rest = &rest[n..];
            app.poll_events(true);
        }
    }
    app.settle();
    let wire = app.take_wire();
    assert!(wire.starts_with("+ idling\r\n* 1 EXISTS\r\n"));
    assert_eq!(wire.matches(" EXISTS\r\n").count(), pushed as usize);
    assert_eq!(wire.matches("i OK IDLE terminated\r\n").count(), 1);
    assert_eq!(wire.matches(" OK completed\r\n").count(), 500);
}

/// A line longer than `max_line` during IDLE ends it with BAD; the line
/// is skipped, not held.
#[test]
fn a_long_line_during_idle_is_skipped() {
    let mut app = App::selected(small());
    app.input(b"i IDLE\r\n");
    app.poll_events(true);
    for _ in 0..100 {
        app.input(&[b'D'; 100]);
    }
    app.input(b"\r\nn NOOP\r\n");
    app.poll_events(true);
    assert!(app.peak_in <= MAX_LINE + 2 + 100, "{}", app.peak_in);
    app.transmit();
    assert_eq!(
        app.take_wire(),
        "+ idling\r\ni BAD Line too long\r\nn OK completed\r\n"
    );
}

// ---- literals --------------------------------------------------------------

/// Feeds `bytes` in reads of `read` bytes, polling events (answering
/// commands) after each.
fn feed(app: &mut App, bytes: &[u8], read: usize) {
    for chunk in bytes.chunks(read) {
        app.input(chunk);
        app.poll_events(true);
    }
}

/// `a SEARCH TEXT {1+} x TEXT {1+} x ...`: many small literals in one
/// command. Within `max_message` the command is whole; beyond it `BAD
/// Command too long`, the rest of the command is skipped (not held) and
/// the next command is read.
#[test]
fn many_small_literals_in_one_command() {
    let command = |n: usize| {
        let mut c = b"a SEARCH TEXT {1+}\r\n".to_vec();
        for _ in 0..n {
            c.extend_from_slice(b"x TEXT {1+}\r\n");
        }
        c.extend_from_slice(b"x\r\n");
        c
    };
    // 200 literals, 2.8 KB: one command.
    let mut app = App::selected(small());
    feed(&mut app, &command(200), 50);
    app.transmit();
    assert_eq!(app.take_wire(), "a OK completed\r\n");
    assert_eq!(app.log, ["command a SEARCH"]);
    // 2000 literals, 28 KB: over max_message.
    let mut app = App::selected(small());
    let mut input = command(2000);
    input.extend_from_slice(b"b NOOP\r\n");
    feed(&mut app, &input, 50);
    app.transmit();
    assert_eq!(
        app.take_wire(),
        "a BAD Command too long\r\nb OK completed\r\n"
    );
    assert!(app.peak_in <= MAX_MESSAGE + 50, "{}", app.peak_in);
    app.report("many_small_literals_in_one_command");
    assert_eq!(app.log.last().unwrap(), "command b NOOP");
}

/// Synchronizing literals: a `+` for each; over `max_message` the command
/// is refused and no `+` follows.
#[test]
fn many_small_sync_literals_in_one_command() {
    let mut app = App::selected(small());
    app.input(b"a SEARCH TEXT {1}\r\n");
    let mut pluses = 0;
    for _ in 0..2000 {
        app.transmit();
        let wire = app.take_wire();
        if wire == "+ Ready for literal data\r\n" {
            pluses += 1;
            app.input(b"x TEXT {1}\r\n");
        } else {
            assert_eq!(wire, "a BAD Command too long\r\n");
            break;
        }
    }
    assert!(pluses > 100 && pluses < MAX_MESSAGE / 10, "{pluses}");
    assert!(app.peak_in <= MAX_MESSAGE + 16);
    // The client gave up on the command; the next one is read.
    app.input(b"b NOOP\r\n");
    app.poll_events(true);
    app.transmit();
    assert_eq!(app.take_wire(), "b OK completed\r\n");
}

/// A literal announced, accepted and never sent: the session holds what
/// arrived (below the literal's size), answers nothing, and the
/// autologout ends it; EOF ends it too.
#[test]
fn a_literal_announced_and_never_sent() {
    for sync in [true, false] {
        let mut app = App::selected(small());
        let header = if sync { "{2000}" } else { "{2000+}" };
        app.input(format!("a APPEND INBOX {header}\r\n").as_bytes());
        app.input(&[b'm'; 100]);
        app.poll_events(true);
        app.transmit();
        let plus = if sync {
            "+ Ready for literal data\r\n"
        } else {
            ""
        };
        assert_eq!(app.take_wire(), plus);
        assert!(app.peak_in <= 2000 + 64);
        assert!(app.s.wants_read());
        // 30 minutes later.
        let at = app.s.poll_timeout().unwrap();
        assert_eq!(at - app.now, Duration::from_secs(30 * 60));
        app.now = at;
        app.s.handle_timeout(app.now);
        app.poll_events(true);
        app.transmit();
        assert_eq!(app.take_wire(), "* BYE Autologout; idle for too long\r\n");
        assert_eq!(app.log.last().unwrap(), "closed AutoLogout");
        // Or the client leaves.
        let mut app = App::selected(small());
        app.input(format!("a APPEND INBOX {header}\r\nmmm").as_bytes());
        app.s.handle_eof(app.now);
        app.poll_events(true);
        assert_eq!(app.log.last().unwrap(), "closed PeerClosed");
        assert!(app.s.is_closed() && !app.s.wants_read());
    }
}

fn literal_plus() -> ServerConfig {
    let mut c = small();
    c.literals = LiteralSupport::Plus;
    c
}

/// `{n+}` over `max_literal` before login: `BAD [TOOBIG]`, the data read
/// and dropped without being held (in 7-byte reads); over `max_discard`:
/// `* BYE [TOOBIG]`.
#[test]
fn literal_plus_over_the_limits_before_login() {
    let mut app = App::new(literal_plus(), Tls);
    let mut input = b"a LOGIN {2000+}\r\n".to_vec();
    input.extend(repeat_lines(300, |_| "x LOGOUT\r\n".to_owned()));
    input.truncate(b"a LOGIN {2000+}\r\n".len() + 2000);
    input.extend_from_slice(b" pw\r\nb NOOP\r\n");
    feed(&mut app, &input, 7);
    app.transmit();
    assert_eq!(
        app.take_wire(),
        "a BAD [TOOBIG] Literal too large\r\nb OK NOOP completed\r\n"
    );
    assert!(app.peak_in <= 64, "{}", app.peak_in);
    // Wrong state (APPEND before login), within max_discard: BAD, dropped.
    let mut input = b"c APPEND INBOX {1500+}\r\n".to_vec();
    input.extend(vec![b'z'; 1500]);
    input.extend_from_slice(b"\r\nd NOOP\r\n");
    feed(&mut app, &input, 7);
    app.transmit();
    assert_eq!(
        app.take_wire(),
        "c BAD Command not valid in this state\r\nd OK NOOP completed\r\n"
    );
    assert!(app.peak_in <= 64, "{}", app.peak_in);
    // Over max_discard: the connection ends.
    feed(&mut app, b"e LOGIN {9000+}\r\n", 7);
    app.transmit();
    assert_eq!(app.take_wire(), "* BYE [TOOBIG] Literal too large\r\n");
    assert_eq!(app.log.last().unwrap(), "closed Limit");
    assert!(!app.log.iter().any(|l| l.contains("LOGOUT")));
}

/// `{n+}` over the limits after login: APPEND over `max_append_literal`
/// is `NO [TOOBIG]`, another command's literal over `max_literal` is
/// `BAD [TOOBIG]`, the data of both dropped in many reads without being
/// held; over `max_discard` `* BYE [TOOBIG]` after the commands in flight.
#[test]
fn literal_plus_over_the_limits_after_login() {
    let mut app = App::selected(literal_plus());
    let mut input = b"a APPEND INBOX {3000+}\r\n".to_vec();
    input.extend(repeat_lines(300, |_| "x DELETE INBOX\r\n".to_owned()));
    input.truncate(b"a APPEND INBOX {3000+}\r\n".len() + 3000);
    input.extend_from_slice(b"\r\nb SEARCH TEXT {1500+}\r\n");
    input.extend(vec![b'q'; 1500]);
    input.extend_from_slice(b"\r\nc NOOP\r\n");
    for read in [1, 7, 333] {
        let mut app2 = App::selected(literal_plus());
        feed(&mut app2, &input, read);
        app2.transmit();
        assert_eq!(
            app2.take_wire(),
            "a NO [TOOBIG] Message too large\r\nb BAD [TOOBIG] Literal too large\r\nc OK completed\r\n",
            "reads of {read}"
        );
        assert!(
            app2.peak_in <= 64 + read,
            "{} in reads of {read}",
            app2.peak_in
        );
        assert_eq!(app2.log.last().unwrap(), "command c NOOP");
    }
    // A command in flight, then a literal too large to skip.
    app.input(b"f UID FETCH 1 FLAGS\r\ng APPEND INBOX {9000+}\r\nh NOOP\r\n");
    app.poll_events(false);
    assert!(!app.s.is_closed());
    assert!(app.answer_oldest(vec![]));
    app.poll_events(true);
    app.transmit();
    assert_eq!(
        app.take_wire(),
        "f OK completed\r\n* BYE [TOOBIG] Literal too large\r\n"
    );
}

/// LITERAL- (the default): a `{n+}` over 4096 bytes is refused (RFC 7888
/// §5) and its data dropped, within `max_discard`.
#[test]
fn literal_minus_over_4096_is_dropped_without_being_held() {
    let mut config = small();
    config.limits.max_literal = 8192;
    config.limits.max_append_literal = 8192;
    config.limits.max_message = 16384;
    let mut app = App::selected(config);
    let mut input = b"a APPEND INBOX {5000+}\r\n".to_vec();
    input.extend(vec![b'y'; 5000]);
    input.extend_from_slice(b"\r\nb SEARCH TEXT {5000+}\r\n");
    input.extend(vec![b'y'; 5000]);
    input.extend_from_slice(b"\r\nc NOOP\r\n");
    feed(&mut app, &input, 13);
    app.transmit();
    assert_eq!(
        app.take_wire(),
        "a BAD [TOOBIG] Non-synchronizing literal too large\r\n\
         b BAD Non-synchronizing literal too large\r\nc OK completed\r\n"
    );
    assert!(app.peak_in <= 64, "{}", app.peak_in);
}

// ---- AUTHENTICATE ------------------------------------------------------------

/// A mechanism that challenges for ever (64 bytes each round).
#[derive(Debug)]
struct Endless;

impl imapkit_state::sasl::ServerMechanism for Endless {
    fn name(&self) -> AuthMechanism<'static> {
        AuthMechanism::Other(Atom::try_from("X-ENDLESS").unwrap())
    }
    fn receives_reusable_secret(&self) -> bool {
        false
    }
    fn start(&mut self, _: Option<&[u8]>) -> Result<ServerStep, SaslError> {
        Ok(ServerStep::Challenge(vec![b'c'; 64]))
    }
    fn step(&mut self, _: &[u8]) -> Result<ServerStep, SaslError> {
        Ok(ServerStep::Challenge(vec![b'c'; 64]))
    }
    fn supply(&mut self, _: Supply) -> Result<ServerStep, SaslError> {
        Err(SaslError::UnexpectedMessage {
            mechanism: "X-ENDLESS",
        })
    }
}

fn sasl() -> ServerConfig {
    let mut c = small();
    c.sasl_mechanisms = vec![
        AuthMechanism::ScramSha256,
        AuthMechanism::Plain,
        AuthMechanism::Other(Atom::try_from("X-ENDLESS").unwrap()),
    ];
    c.sasl_factory = Some(Arc::new(|req| {
        let name = String::from_utf8_lossy(req.mechanism.as_bytes()).to_ascii_uppercase();
        match name.as_str() {
            "SCRAM-SHA-256" => Some(Box::new(ScramServer::new(
                ScramHash::Sha256,
                "server-nonce-0123456789".into(),
                ChannelBinding::None,
                false,
            ))
                as Box<dyn imapkit_state::sasl::ServerMechanism>),
            "PLAIN" => Some(Box::new(PlainServer::new())),
            "X-ENDLESS" => Some(Box::new(Endless)),
            _ => None,
        }
    }));
    c
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A continuation line longer than `max_line`: `BAD Line too long`, the
/// exchange ends, the line is skipped (not held), the next command reads.
#[test]
fn a_long_line_in_an_authenticate_exchange() {
    let mut app = App::new(sasl(), Tls);
    app.input(b"a AUTHENTICATE PLAIN\r\n");
    app.transmit();
    assert_eq!(app.take_wire(), "+ \r\n");
    let mut input = vec![b'A'; 40 * MAX_LINE];
    input.extend_from_slice(b"\r\nb NOOP\r\n");
    feed(&mut app, &input, 100);
    app.transmit();
    assert_eq!(
        app.take_wire(),
        "a BAD Line too long\r\nb OK NOOP completed\r\n"
    );
    assert!(app.peak_in <= MAX_LINE + 2 + 100, "{}", app.peak_in);
    assert!(
        app.log
            .iter()
            .any(|l| l.contains("auth mechanism=PLAIN user=- outcome=Malformed")),
        "{:?}",
        app.log
    );
}

/// An initial response (SASL-IR) of 100 KB of base64: `BAD Line too
/// long` with the tag, the line skipped.
#[test]
fn a_huge_initial_response() {
    let mut app = App::new(sasl(), Tls);
    let mut input = b"a AUTHENTICATE PLAIN ".to_vec();
    input.extend(vec![b'A'; 100_000]);
    input.extend_from_slice(b"\r\nb NOOP\r\n");
    feed(&mut app, &input, 1000);
    app.transmit();
    assert_eq!(
        app.take_wire(),
        "a BAD Line too long\r\nb OK NOOP completed\r\n"
    );
    assert!(app.peak_in <= MAX_LINE + 2 + 1000, "{}", app.peak_in);
}

/// A mechanism that keeps challenging: with a client that never reads,
/// the challenges stop at `max_output` (the session reads no answer while
/// the output is full); with one that reads, any number of rounds costs
/// no memory. `*` ends it with BAD.
#[test]
fn endless_challenges_are_bounded_by_max_output() {
    let mut app = App::new(sasl(), Tls);
    app.input(b"a AUTHENTICATE X-ENDLESS\r\n");
    let answers = repeat_lines(10_000, |_| "AAAA\r\n".to_owned());
    let mut rest = &answers[..];
    while app.s.wants_read() && !rest.is_empty() {
        let n = rest.len().min(60);
        app.input(&rest[..n]);
        rest = &rest[n..];
        app.poll_events(true);
    }
    assert!(!rest.is_empty());
    let challenge = format!("+ {}\r\n", b64(&[b'c'; 64])).len();
    assert!(app.peak_out <= MAX_OUTPUT + challenge, "{}", app.peak_out);
    assert!(app.peak_in <= 60);
    // The client reads: 10,000 more rounds.
    while !rest.is_empty() {
        app.transmit();
        app.wire.clear();
        while app.s.wants_read() && !rest.is_empty() {
            let n = rest.len().min(60);
            app.input(&rest[..n]);
            rest = &rest[n..];
        }
    }
    assert!(app.peak_out <= MAX_OUTPUT + challenge);
    assert!(app.peak_in <= 60);
    app.report("endless_challenges_are_bounded_by_max_output");
    app.transmit();
    app.wire.clear();
    app.input(b"*\r\n");
    app.transmit();
    assert_eq!(app.take_wire(), "a BAD Authentication cancelled\r\n");
}

/// SCRAM with garbage: a client-first that does not parse is `BAD
/// Malformed authentication message`; a garbage client-final after the
/// lookup fails the same way. Nothing is held.
#[test]
fn scram_with_garbage() {
    let mut app = App::new(sasl(), Tls);
    app.input(b"a AUTHENTICATE SCRAM-SHA-256\r\n");
    app.transmit();
    assert_eq!(app.take_wire(), "+ \r\n");
    app.input(format!("{}\r\n", b64(&[b'g'; 150])).as_bytes());
    app.poll_events(true);
    app.transmit();
    assert_eq!(
        app.take_wire(),
        "a BAD Malformed authentication message\r\n"
    );
    // A valid client-first, then garbage.
    app.input(b"b AUTHENTICATE SCRAM-SHA-256\r\n");
    app.input(format!("{}\r\n", b64(b"n,,n=alice,r=client-nonce-0123456789")).as_bytes());
    app.poll_events(true);
    app.transmit();
    let wire = app.take_wire();
    assert!(wire.starts_with("+ \r\n+ "), "{wire}");
    app.input(format!("{}\r\n", b64(&[b'h'; 150])).as_bytes());
    app.poll_events(true);
    app.transmit();
    assert_eq!(
        app.take_wire(),
        "b BAD Malformed authentication message\r\n"
    );
    assert!(app.peak_in <= MAX_LINE);
    assert!(!app.s.is_closed());
}

// ---- events the application does not poll ------------------------------------

/// Syntax errors after login (no garbage limit there): each is a BAD and
/// a violation event. One `handle_input` of any size queues events only
/// as far as the output allows (the client does not read): at most one
/// per `BAD` line that fits in `max_output`.
#[test]
fn events_per_call_are_bounded_by_the_output_limit() {
    let mut app = App::logged_in(small());
    let input = repeat_lines(5000, |k| format!("x{k} FETCH\r\n"));
    app.input(&input);
    let mut events = 0;
    while app.s.poll_event().is_some() {
        events += 1;
    }
    let bad = "x0 BAD Syntax error\r\n".len();
    assert!(events <= MAX_OUTPUT / bad + 1, "{events} events");
    assert!(!app.s.wants_read());
}

// ---- COMPRESS=DEFLATE ----------------------------------------------------------

fn deflate(plain: &[u8]) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let mut tx = Compress::new(Compression::best(), false);
    let mut out = Vec::with_capacity(plain.len() / 100 + 1024);
    loop {
        let used = tx.total_in() as usize;
        out.reserve(plain.len() - used + 1024);
        tx.compress_vec(&plain[used..], &mut out, FlushCompress::Sync)
            .unwrap();
        if tx.total_in() as usize == plain.len() && out.len() < out.capacity() {
            return out;
        }
    }
}

fn inflate(wire: &[u8]) -> String {
    use flate2::{Decompress, FlushDecompress};
    let mut rx = Decompress::new(false);
    let mut out = Vec::with_capacity(wire.len() * 50 + 1024);
    loop {
        let used = rx.total_in() as usize;
        out.reserve(64 * 1024);
        rx.decompress_vec(&wire[used..], &mut out, FlushDecompress::None)
            .unwrap();
        if rx.total_in() as usize == wire.len() && out.len() < out.capacity() {
            return String::from_utf8(out).unwrap();
        }
    }
}

fn compressing(mut config: ServerConfig) -> App {
    config.compress = true;
    let mut app = App::logged_in(config);
    app.input(b"z COMPRESS DEFLATE\r\n");
    app.transmit();
    assert_eq!(app.take_wire(), "z OK DEFLATE active\r\n");
    app.peak_in = 0;
    app.peak_out = 0;
    app
}

/// The inflated input meets the line limit: a 8 MiB line in a few KiB of
/// DEFLATE is `* BAD Line too long`, held at most one line plus one
/// inflated piece (16 KiB) at a time.
#[test]
fn a_deflate_bomb_of_one_line_is_skipped() {
    let mut app = compressing(small());
    let mut plain = vec![b'x'; 8 << 20];
    plain.extend_from_slice(b"\r\na NOOP\r\n");
    let wire = deflate(&plain);
    assert!(wire.len() < 64 * 1024, "{}", wire.len());
    for chunk in wire.chunks(4096) {
        assert!(app.s.wants_read());
        app.input(chunk);
        app.poll_events(true);
    }
    assert!(app.peak_in <= MAX_LINE + 2 + 16 * 1024, "{}", app.peak_in);
    app.report("a_deflate_bomb_of_one_line_is_skipped");
    app.transmit();
    let out = std::mem::take(&mut app.wire);
    assert_eq!(inflate(&out), "* BAD Line too long\r\na OK completed\r\n");
}

/// A deflate bomb that announces a literal too large to skip: `* BYE
/// [TOOBIG]`, nothing held.
#[test]
fn a_deflate_bomb_of_one_literal_ends_the_connection() {
    let mut config = small();
    config.literals = LiteralSupport::Plus;
    let mut app = compressing(config);
    let mut plain = b"a APPEND INBOX {50000000+}\r\n".to_vec();
    plain.extend(vec![b'x'; 50_000_000]);
    let wire = deflate(&plain);
    let started = Instant::now();
    app.input(&wire);
    let took = started.elapsed();
    app.poll_events(true);
    assert!(app.s.is_closed());
    assert!(app.peak_in <= 16 * 1024 + 64, "{}", app.peak_in);
    app.report("a_deflate_bomb_of_one_literal_ends_the_connection");
    app.transmit();
    let out = std::mem::take(&mut app.wire);
    assert_eq!(inflate(&out), "* BYE [TOOBIG] Literal too large\r\n");
    eprintln!("inflating {} bytes took {took:?}", wire.len());
}

/// A burst of pipelined NOOPs in one compressed read (16 KiB inflated
/// from a few hundred bytes), given while the session wanted to read:
/// every command is answered: the input is inflated as the session
/// reads. Was a bug (as `one_large_read_of_pipelined_noops_is_answered_in_full`,
/// reachable with a read far smaller than the limits: the whole read was
/// inflated at once).
#[test]
fn a_compressed_burst_of_pipelined_commands_is_answered_in_full() {
    let mut app = compressing(small());
    let plain = sixteen_kib_of(|k| format!("n{k} NOOP\r\n"));
    let lines = plain.iter().filter(|&&b| b == b'\n').count();
    let wire = deflate(&plain);
    assert!(wire.len() < MAX_LINE * 32, "{}", wire.len());
    assert!(app.s.wants_read());
    app.input(&wire);
    app.settle();
    let out = std::mem::take(&mut app.wire);
    let text = inflate(&out);
    assert!(
        !text.contains("BYE"),
        "{}",
        &text[text.len().saturating_sub(100)..]
    );
    assert_eq!(text.matches(" OK completed\r\n").count(), lines);
}

/// The bound of a compressed burst (160 KB of NOOPs in one read), with
/// or without the fix: the input held stays below `max_message +
/// max_line` plus one inflated piece (16 KiB); if the connection ends,
/// it ends with `* BYE Too much input` (today it does).
#[test]
fn a_compressed_burst_is_bounded() {
    let mut app = compressing(small());
    let plain = repeat_lines(20_000, |k| format!("n{k} NOOP\r\n"));
    let wire = deflate(&plain);
    app.input(&wire);
    app.settle();
    assert!(app.peak_in <= BACKLOG + 16 * 1024, "{}", app.peak_in);
    assert!(app.peak_out <= MAX_OUTPUT + 64);
    app.report("a_compressed_burst_is_bounded");
    if app.s.is_closed() {
        let out = std::mem::take(&mut app.wire);
        assert!(inflate(&out).ends_with("* BYE Too much input\r\n"));
    }
}

// ---- no panic, bounds under any input ------------------------------------------

/// Nasty lines: every kind of literal, exchange, limit and state change.
const NASTY: &[&str] = &[
    "t CAPABILITY\r\n",
    "t NOOP\r\n",
    "t LOGIN alice wonderland\r\n",
    "t LOGIN alice nope\r\n",
    "t LOGIN {5}\r\nalice {10}\r\nwonderland\r\n",
    "t LOGIN {5+}\r\nalice {10+}\r\nwonderland\r\n",
    "t LOGIN {2000+}\r\n",
    "t AUTHENTICATE PLAIN\r\nAGFsaWNlAHdvbmRlcmxhbmQ=\r\n",
    "t AUTHENTICATE PLAIN AGFsaWNlAG5vcGU=\r\n",
    "t AUTHENTICATE X-ENDLESS\r\nAAAA\r\nAAAA\r\n",
    "t AUTHENTICATE SCRAM-SHA-256 biws\r\n",
    "t AUTHENTICATE SCRAM-SHA-256\r\nbiwsbj1hbGljZSxyPWNsaWVudC1ub25jZS0wMTIzNDU2Nzg5\r\nZ2FyYmFnZQ==\r\n",
    "*\r\n",
    "t SELECT INBOX\r\n",
    "t SELECT {5}\r\nINBOX\r\n",
    "t UID FETCH 1:* (FLAGS)\r\n",
    "t FETCH 1 BODY[]\r\n",
    "t APPEND INBOX {10}\r\n0123456789\r\n",
    "t APPEND INBOX {10+}\r\n0123456789\r\n",
    "t APPEND INBOX {3000+}\r\n",
    "t APPEND INBOX {9000+}\r\n",
    "t APPEND INBOX {99999999999999999999}\r\n",
    "t SEARCH TEXT {1+}\r\nx TEXT {1+}\r\nx\r\n",
    "t SEARCH TEXT {5000+}\r\n",
    "t IDLE\r\n",
    "DONE\r\n",
    "t STARTTLS\r\n",
    "t COMPRESS DEFLATE\r\n",
    "t ENABLE QRESYNC IMAP4rev2 CONDSTORE\r\n",
    "t UNAUTHENTICATE\r\n",
    "t EXPUNGE\r\n",
    "t CLOSE\r\n",
    "t LOGOUT\r\n",
    "t SEARCH ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((ALL\r\n",
    "t LOGIN \"a\\\" {5}\" b\r\n",
    "GET / HTTP/1.1\r\n",
    "\r\n",
    "\n",
    "t NOOP\n",
    "{5}\r\n",
    "t XYZZY {3}\r\n",
];

/// Bytes of the `k`-th vocabulary item, with the filler its literal needs
/// (`{3000+}`, `{5000+}`: that many bytes, then CRLF); item 41+ is a
/// line longer than `max_line`, and one with a tag over `max_tag`.
fn nasty(k: usize) -> Vec<u8> {
    match k % (NASTY.len() + 2) {
        n if n == NASTY.len() => {
            let mut v = vec![b'x'; MAX_LINE * 3];
            v.extend_from_slice(b"\r\n");
            v
        }
        n if n == NASTY.len() + 1 => format!("{} NOOP\r\n", "T".repeat(100)).into_bytes(),
        n => {
            let line = NASTY[n];
            let mut v = line.as_bytes().to_vec();
            for (header, len) in [("{3000+}\r\n", 3000), ("{5000+}\r\n", 5000)] {
                if line.ends_with(header) {
                    v.extend(repeat_lines(len / 10, |_| "y LOGOUT\r\n".to_owned()));
                    v.extend_from_slice(b"\r\n");
                }
            }
            v
        }
    }
}

/// What the application does next.
#[derive(Debug, Clone)]
enum Op {
    /// The next `n` bytes of the client's stream (only while the session
    /// wants to read, unless `force`), copied in (`handle_input`) or read
    /// into the session's buffer (`read_buf`, `handle_read`) when `into`.
    Read { n: usize, force: bool, into: bool },
    /// The application ends the connection (`bye`).
    Bye,
    /// The client reads.
    Transmit,
    /// Poll events; answer at once, or keep the commands.
    Poll { answer: bool },
    /// Answer the oldest kept command with `n` FETCH responses.
    Answer { n: usize },
    /// Push an unsolicited update.
    Unsolicited,
    /// Run time to the next timer.
    Timeout,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (1usize..=64, proptest::bool::weighted(0.1), any::<bool>())
            .prop_map(|(n, force, into)| Op::Read { n, force, into }),
        3 => Just(Op::Transmit),
        3 => any::<bool>().prop_map(|answer| Op::Poll { answer }),
        2 => (0usize..3).prop_map(|n| Op::Answer { n }),
        1 => Just(Op::Unsolicited),
        1 => Just(Op::Timeout),
        1 => Just(Op::Bye),
    ]
}

/// Every eighth `Op::Bye` ends the connection (the others do nothing).
fn rng_bye(budget: &mut u32) -> bool {
    *budget += 1;
    *budget % 8 == 0
}

/// Runs `ops` over the stream of `picks`; checks the bounds after every
/// call, then that the session settles (everything answered, or closed
/// once).
fn run_ops(picks: &[usize], ops: &[Op], tls: bool, eof: bool) -> Result<(), TestCaseError> {
    let stream: Vec<u8> = picks.iter().flat_map(|&k| nasty(k)).collect();
    let mut app = App::new(sasl(), if tls { Tls } else { Plaintext });
    let mut rest = &stream[..];
    let mut forced = false;
    // `bye` ends everything: only once in a while.
    let mut bye_budget = 0u32;
    // Output the session may queue beyond max_output: one answer of its
    // own, and the application's answers to the commands in flight.
    let slack = 1024 + MAX_IN_FLIGHT * 3 * 200;
    for op in ops {
        match *op {
            Op::Read { n, force, into } => {
                if !rest.is_empty() && (force || app.s.wants_read()) {
                    forced |= !app.s.wants_read();
                    let n = n.min(rest.len());
                    if into {
                        let mut room = app.s.read_buf(n);
                        room.extend_from_slice(&rest[..n]);
                        app.s.handle_read(app.now, room);
                        app.measure();
                    } else {
                        app.input(&rest[..n]);
                    }
                    rest = &rest[n..];
                }
            }
            Op::Bye => {
                if rng_bye(&mut bye_budget) {
                    let text = imapkit_state::proto::RespText::new(
                        None,
                        imapkit_state::proto::Text::try_new("bye").unwrap(),
                    )
                    .unwrap();
                    let closed = app.s.is_closed();
                    prop_assert_eq!(app.s.bye(app.now, text).is_err(), closed);
                    app.measure();
                }
            }
            Op::Transmit => app.transmit(),
            Op::Poll { answer } => app.poll_events(answer),
            Op::Answer { n } => {
                if !app.held.is_empty() {
                    let data = (0..n).map(|k| fetch_data(k as u32 + 1, 50)).collect();
                    app.answer_oldest(data);
                }
            }
            Op::Unsolicited => {
                let _ = app.s.send_unsolicited(app.now, Data::Exists(7));
                app.measure();
            }
            Op::Timeout => {
                if let Some(at) = app.s.poll_timeout() {
                    app.now = app.now.max(at);
                    app.s.handle_timeout(app.now);
                    app.measure();
                }
            }
        }
        prop_assert!(app.peak_in <= BACKLOG + 64, "input held {}", app.peak_in);
        prop_assert!(
            app.peak_out <= MAX_OUTPUT + slack,
            "output {}",
            app.peak_out
        );
        prop_assert!(app.s.in_flight() <= MAX_IN_FLIGHT);
        if !forced {
            prop_assert!(
                !app.log.iter().any(|l| l.contains("too much unread input")),
                "the backlog cap hit an application that honours wants_read"
            );
        }
    }
    if eof {
        app.s.handle_eof(app.now);
    }
    // Whatever happened, the session settles: everything answered or closed.
    while let Some((request, _)) = (!app.held.is_empty()).then(|| app.held.remove(0)) {
        let _ = app.s.respond(app.now, request, Completion::ok());
    }
    for _ in 0..100 {
        app.settle();
        while app.s.wants_read() && !rest.is_empty() {
            let n = rest.len().min(64);
            app.input(&rest[..n]);
            rest = &rest[n..];
            app.settle();
        }
        if app.s.is_closed() || rest.is_empty() && app.s.wants_read() {
            break;
        }
        match app.s.poll_timeout() {
            Some(at) => {
                app.now = app.now.max(at);
                app.s.handle_timeout(app.now);
            }
            None => break,
        }
    }
    prop_assert!(app.s.is_closed() || app.s.wants_read() || app.s.in_flight() > 0);
    prop_assert_eq!(app.s.output_len(), 0);
    if app.s.is_closed() {
        // Closed is the last event (the lines after it are answers the
        // application tried after the end).
        let events: Vec<&String> = (app.log.iter())
            .filter(|l| !l.contains(" failed: "))
            .collect();
        prop_assert!(
            events.last().unwrap().starts_with("closed"),
            "{:?}",
            app.log
        );
        prop_assert_eq!(events.iter().filter(|l| l.starts_with("closed")).count(), 1);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn nasty_input_never_panics_and_stays_bounded(
        picks in proptest::collection::vec(0usize..NASTY.len() + 2, 1..30),
        ops in proptest::collection::vec(op(), 1..120),
        tls in any::<bool>(),
        eof in any::<bool>(),
    ) {
        run_ops(&picks, &ops, tls, eof)?;
    }
}

/// A transcript of nasty lines split into two reads at every position,
/// with the application answering at once: never a panic, the same
/// answers as in one read, the bounds kept.
#[test]
fn nasty_transcript_split_at_every_position() {
    // Commands the session answers itself or runs alone: their answers
    // come in one order whatever the chunking.
    let transcript: Vec<u8> = [
        "a CAPABILITY\r\n",
        "b LOGIN {5}\r\nalice {4}\r\nnope\r\n",
        "c AUTHENTICATE PLAIN\r\n*\r\n",
        "d AUTHENTICATE X-ENDLESS AAAA\r\nAAAA\r\n*\r\n",
        "e LOGIN {2000+}\r\n",
    ]
    .concat()
    .into_bytes()
    .into_iter()
    .chain(vec![b'z'; 2000])
    .chain(
        [
            "\r\nf LOGIN alice wonderland\r\n",
            "g SELECT {5}\r\nINBOX\r\n",
            "h APPEND INBOX {3000+}\r\n",
        ]
        .concat()
        .into_bytes(),
    )
    .chain(repeat_lines(300, |_| "y LOGOUT\r\n".to_owned()))
    .chain(
        [
            "\r\ni IDLE\r\nDONE\r\n",
            "j SEARCH TEXT {1+}\r\nx TEXT {1+}\r\nx\r\n",
            "l EXPUNGE\r\n",
            "m CLOSE\r\n",
            "n APPEND INBOX {9000+}\r\n",
        ]
        .concat()
        .into_bytes(),
    )
    .collect();
    // Reads of at most 256 bytes (below `max_message + max_line`, see
    // `one_large_read_of_pipelined_noops_is_answered_in_full`), cut at
    // `cut`, each while the session wants to read.
    let run = |cut: usize| {
        let mut app = App::new(sasl(), Tls);
        for part in [&transcript[..cut], &transcript[cut..]] {
            let mut rest = part;
            while !rest.is_empty() {
                assert!(app.s.wants_read(), "stalled");
                let n = rest.len().min(256);
                app.input(&rest[..n]);
                rest = &rest[n..];
                app.settle();
                assert!(app.peak_in <= BACKLOG, "{}", app.peak_in);
                assert!(app.peak_out <= MAX_OUTPUT + 1024);
            }
        }
        app.s.handle_eof(app.now);
        app.settle();
        (app.take_wire(), app.log)
    };
    let whole = run(transcript.len());
    assert!(
        whole.0.ends_with("* BYE [TOOBIG] Literal too large\r\n"),
        "{}",
        whole.0
    );
    for cut in 0..transcript.len() {
        let got = run(cut);
        assert_eq!(got.0, whole.0, "cut at {cut}");
        assert_eq!(got.1, whole.1, "cut at {cut}");
    }
}

// ---- memory kept by an idle session ---------------------------------------------

/// Resident set size of this process, in bytes (Linux).
fn rss() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("Linux /proc");
    let pages: usize = statm.split(' ').nth(1).unwrap().parse().unwrap();
    pages * 4096
}

/// Runs the calling test alone in a child process (so that the resident
/// set size measures this session only); `true` in the child.
fn in_child(test: &str) -> bool {
    if std::env::var_os("IMAPKIT_MEMORY_CHILD").is_some() {
        return true;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            test,
            "--exact",
            "--include-ignored",
            "--test-threads=1",
            "--nocapture",
        ])
        .env("IMAPKIT_MEMORY_CHILD", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    false
}

/// Resident memory the session keeps once a 40 MiB FETCH body (above
/// glibc's largest mmap threshold, so freed memory leaves the process)
/// was transmitted and the session is idle again.
fn kept_after_a_large_answer(compress: bool) -> usize {
    let mut config = small();
    config.compress = compress;
    let mut app = App::selected(config);
    if compress {
        app.input(b"z COMPRESS DEFLATE\r\n");
        app.transmit();
        app.wire.clear();
    }
    let fetch = b"f UID FETCH 1 BODY.PEEK[]\r\n";
    if compress {
        app.input(&deflate(fetch));
    } else {
        app.input(fetch);
    }
    app.poll_events(false);
    assert_eq!(app.held.len(), 1);
    let before = rss();
    let body = bytes::Bytes::from(vec![b'b'; 40 << 20]);
    let frame = [
        format!("* 1 FETCH (RFC822 {{{}}}\r\n", body.len()).as_bytes(),
        &body[..],
        b")\r\n",
    ]
    .concat();
    drop(body);
    let data = match imapkit_state::codec::decode::response(&frame) {
        Ok(imapkit_state::codec::Decoded::Complete { message, .. }) => message.into_static(),
        _ => panic!("a response"),
    };
    drop(frame);
    let imapkit_state::proto::Response::Data(data) = data else {
        panic!("data")
    };
    app.answer_oldest(vec![data]);
    app.transmit();
    app.poll_events(true);
    assert!(app.s.poll_event().is_none());
    let sent = std::mem::take(&mut app.wire);
    assert!(sent.len() > if compress { 1000 } else { 40 << 20 });
    drop(sent);
    assert_eq!(app.s.output_len(), 0);
    let after = rss();
    eprintln!(
        "compress={compress}: {} KiB kept",
        after.saturating_sub(before) >> 10
    );
    after.saturating_sub(before)
}

/// Without COMPRESS an idle session gives its output memory back.
#[test]
fn an_idle_session_keeps_no_output_memory() {
    if !in_child("an_idle_session_keeps_no_output_memory") {
        return;
    }
    assert!(kept_after_a_large_answer(false) < 4 << 20);
}

/// With COMPRESS=DEFLATE an idle session gives back the scratch buffer
/// it compresses the output from ("DEFLATE state of some tens of KiB per
/// connection", as the output buffers are without COMPRESS). Was a bug:
/// one 40 MiB FETCH left the idle session holding 40 MiB.
#[test]
fn an_idle_compressed_session_keeps_no_output_memory() {
    if !in_child("an_idle_compressed_session_keeps_no_output_memory") {
        return;
    }
    assert!(kept_after_a_large_answer(true) < 4 << 20);
}

/// An APPEND of 40 MiB read into the session's buffer: once the
/// application has dropped the command and the session is idle, the
/// input buffer is given back.
#[test]
fn an_idle_session_keeps_no_input_memory() {
    if !in_child("an_idle_session_keeps_no_input_memory") {
        return;
    }
    let mut config = small();
    config.limits.max_append_literal = 48 << 20;
    config.limits.max_message = 48 << 20;
    let mut app = App::selected(config);
    let before = rss();
    let len = 40 << 20;
    app.input(format!("a APPEND INBOX {{{len}}}\r\n").as_bytes());
    app.transmit();
    assert_eq!(app.take_wire(), "+ Ready for literal data\r\n");
    let chunk = vec![b'm'; 64 * 1024];
    for _ in 0..len / chunk.len() {
        app.input(&chunk);
    }
    app.input(b"\r\n");
    app.poll_events(true);
    app.transmit();
    assert_eq!(app.take_wire(), "a OK completed\r\n");
    assert!(app.s.poll_event().is_none());
    let kept = rss().saturating_sub(before);
    eprintln!("input: {} KiB kept", kept >> 10);
    assert!(kept < 4 << 20);
}
