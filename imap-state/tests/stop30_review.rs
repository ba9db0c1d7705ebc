//! Review of stop 30's changes: the Client's guessed-tag rule (a tagged
//! answer for a command whose bytes `poll_transmit` has not handed out
//! completes nothing) and its withdrawal of what was pushed after a `+`
//! answered in the same read; the Server's refusal of NO for UNAUTHENTICATE
//! (RFC 8437 §3), `ExtensionCommand::message_numbers` and request ids that
//! carry their session; the decoder's refusal of `$` in a server's sets.
//! Tests whose doc says "Was a bug" failed before the fixes they name.

mod util;

use imapkit_state::server::Unanswered;
use std::num::NonZeroU32;

use flate2::{Decompress, FlushDecompress};
use imapkit_proto::{Capability, CommandBody, Data, Mailbox, RespText, ResponseCode, Secret};
use imapkit_state::client::{
    ClientConfig, CloseReason, Event, Outcome, SessionState, StartTlsPolicy,
};
use imapkit_state::error::{UsageError, ViolationKind};
use imapkit_state::sasl::plain::PlainClient;
use imapkit_state::server::{
    AuthVerdict, Completion, ExtensionCommand, ServerConfig, SessionState as ServerState,
};
use imapkit_state::{CommandHandle, ConnectionSecurity};
use util::client::{
    closed, cmd, completed, greeted, idle_refresh_fired, quiet_config, selected, violations,
    Deflater, Script,
};
use util::{sasl_config, Harness, Split};

// ---- helpers ----------------------------------------------------------------

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

fn text(s: &'static str) -> RespText<'static> {
    RespText::text(s).unwrap()
}

// ---- Client: guessed tags ---------------------------------------------------

/// The refreshed IDLE (RFC 2177 §3: DONE, then a new IDLE under a new
/// tag) is a command like any other: an answer for its new tag that comes
/// before `poll_transmit` handed out `A2 IDLE` was guessed. It is an
/// `UnknownTag` violation, the IDLE stays in flight and is refreshed by
/// the server's real `+` afterwards.
#[test]
fn refreshed_idle_answered_before_it_is_taken_is_a_guessed_tag() {
    let (mut s, idle) = idle_refresh_fired();
    // The real OK of A1 and a guessed answer for the new IDLE, A2.
    s.server(b"A1 OK done\r\nA2 OK guessed\r\n");
    let ev = s.events();
    assert!(completed(&ev).is_empty(), "{ev:?}");
    assert_eq!(violations(&ev), [ViolationKind::UnknownTag], "{ev:?}");
    assert_eq!(s.sent(), "A2 IDLE\r\n");
    s.server(b"+ idling\r\n");
    let ev = s.events();
    assert!(
        ev.iter()
            .any(|e| matches!(e, Event::IdleRefreshed { handle } if *handle == idle)),
        "{ev:?}"
    );
    assert!(s.client.is_idle());
    s.client.idle_done(s.now).unwrap();
    assert_eq!(s.sent(), "DONE\r\n");
    s.server(b"A2 OK\r\n");
    assert_eq!(completed(&s.events()), [(idle, Outcome::Ok)]);
}

/// RFC 9051 §6.2.2: only the server's answer to the AUTHENTICATE the
/// client sent authenticates the session. A tagged `OK` for it arriving
/// before `poll_transmit` handed it out was guessed (an injected response
/// ahead of the command): the session stays not authenticated and the
/// exchange goes on once the command is sent.
#[test]
fn a_guessed_ok_for_authenticate_does_not_authenticate() {
    let mut s = greeted("AUTH=PLAIN");
    let auth = s
        .client
        .authenticate(
            s.now,
            Box::new(PlainClient::new("tim", Secret::new("pw".to_owned()))),
        )
        .unwrap();
    s.server(b"A1 OK [CAPABILITY IMAP4rev1 IDLE] you are in\r\n");
    let ev = s.events();
    assert!(completed(&ev).is_empty(), "{ev:?}");
    assert_eq!(violations(&ev), [ViolationKind::UnknownTag]);
    assert_eq!(s.client.state(), SessionState::NotAuthenticated);
    // The guessed answer's capabilities were not learned either.
    assert!(!s.client.capabilities().has(&Capability::Idle));
    assert_eq!(s.sent(), "A1 AUTHENTICATE PLAIN\r\n");
    s.server(b"+ \r\n");
    assert_eq!(s.sent(), "AHRpbQBwdw==\r\n");
    s.server(b"A1 OK in\r\n");
    assert_eq!(completed(&s.events()), [(auth, Outcome::Ok)]);
    assert_eq!(s.client.state(), SessionState::Authenticated);
}

/// A command pipelined behind a synchronizing literal starts only after
/// the `+` (RFC 9051 §7.6), when the literal's data is pushed: an answer
/// for its tag in the same read as that `+` was guessed; the real one,
/// after the application took both, completes it.
#[test]
fn a_command_behind_a_literal_answered_with_the_continuation_was_guessed() {
    let mut s = selected("");
    let append = s
        .client
        .enqueue(s.now, cmd(b"APPEND INBOX {5}\r\nhello"))
        .unwrap();
    let noop = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    assert_eq!(s.sent(), "A2 APPEND INBOX {5}\r\n");
    s.server(b"+ go\r\nA3 OK guessed\r\n");
    let ev = s.events();
    assert!(completed(&ev).is_empty(), "{ev:?}");
    assert_eq!(violations(&ev), [ViolationKind::UnknownTag]);
    assert_eq!(s.sent(), "hello\r\nA3 NOOP\r\n");
    s.server(b"A2 OK [APPENDUID 1 6] stored\r\nA3 OK\r\n");
    let ev = s.events();
    assert_eq!(
        completed(&ev),
        [(append, Outcome::Ok), (noop, Outcome::Ok)],
        "{ev:?}"
    );
    assert!(violations(&ev).is_empty(), "{ev:?}");
}

/// RFC 7888 §3: a non-synchronizing literal goes out with its command, no
/// `+` is awaited; the command's OK after the application took it is a
/// plain success (nothing was withdrawn), a stray `+` is only a violation.
#[test]
fn literal_plus_command_completes_normally_once_taken() {
    let mut s = selected("LITERAL+");
    let append = s
        .client
        .enqueue(s.now, cmd(b"APPEND INBOX {5}\r\nhello"))
        .unwrap();
    // Not taken yet: a guessed answer completes nothing.
    s.server(b"A2 OK guessed\r\n");
    assert_eq!(violations(&s.events()), [ViolationKind::UnknownTag]);
    assert_eq!(s.sent(), "A2 APPEND INBOX {5+}\r\nhello\r\n");
    s.server(b"+ stray\r\nA2 OK [APPENDUID 1 6] stored\r\n");
    let ev = s.events();
    assert_eq!(completed(&ev), [(append, Outcome::Ok)], "{ev:?}");
    assert_eq!(violations(&ev), [ViolationKind::UnexpectedContinuation]);
    assert_eq!(s.sent(), "");
}

/// After STARTTLS (RFC 9051 §6.2.1) the client asks for the capabilities
/// again. An answer for that CAPABILITY before the application took it is
/// guessed: its capabilities are not learned, nothing completes; the
/// answer after it was sent is taken.
#[test]
fn after_starttls_an_answer_before_the_capability_is_taken_is_guessed() {
    let mut config = ClientConfig::default();
    config.starttls = StartTlsPolicy::Required;
    let mut s = Script::new(
        config,
        ConnectionSecurity::Plaintext,
        util::client::Split::Whole,
    );
    s.server(b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi\r\n");
    assert_eq!(s.sent(), "A1 STARTTLS\r\n");
    let noop = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    s.server(b"A1 OK begin TLS\r\n");
    // Between the OK and the handshake nothing goes out.
    assert_eq!(s.sent(), "");
    s.events();
    s.client.tls_established(s.now).unwrap();
    s.server(b"* CAPABILITY IMAP4rev1 IDLE\r\nA2 OK guessed\r\n");
    let ev = s.events();
    assert!(completed(&ev).is_empty(), "{ev:?}");
    assert_eq!(violations(&ev), [ViolationKind::UnknownTag], "{ev:?}");
    assert_eq!(s.sent(), "A2 CAPABILITY\r\nA3 NOOP\r\n");
    s.server(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA2 OK\r\nA3 OK\r\n");
    let ev = s.events();
    assert_eq!(
        completed(&ev).last().cloned(),
        Some((noop, Outcome::Ok)),
        "{ev:?}"
    );
    assert_eq!(completed(&ev).len(), 2, "{ev:?}");
    assert!(violations(&ev).is_empty(), "{ev:?}");
}

// ---- Client: COMPRESS ------------------------------------------------------

/// The client's DEFLATE stream, read by the server.
struct Inflater(Decompress);

impl Inflater {
    fn inflate(&mut self, compressed: &[u8]) -> String {
        let mut out = Vec::with_capacity(compressed.len() * 16 + 256);
        self.0
            .decompress_vec(compressed, &mut out, FlushDecompress::Sync)
            .unwrap();
        String::from_utf8(out).unwrap()
    }
}

/// Logged in over TLS with COMPRESS=DEFLATE active (tags A1, A2 used).
fn compressed() -> (Script, Deflater, Inflater) {
    let mut s = Script::tls(quiet_config());
    s.server(b"* OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] ready\r\n");
    s.client
        .login(s.now, "alice", Secret::new("pw".to_owned()))
        .unwrap();
    assert_eq!(s.sent(), "A1 LOGIN alice pw\r\n");
    s.server(b"A1 OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] in\r\n");
    s.client.compress(s.now).unwrap();
    assert_eq!(s.sent(), "A2 COMPRESS DEFLATE\r\n");
    s.server(b"A2 OK DEFLATE active\r\n");
    s.events();
    assert!(s.client.is_compressed());
    (s, Deflater::new(), Inflater(Decompress::new(false)))
}

/// With COMPRESS active (RFC 4978) `poll_transmit` hands out the commands
/// compressed: handed out all the same, so their answers are taken; a
/// command not handed out yet still cannot be answered.
#[test]
fn compressed_commands_handed_out_may_be_answered_others_not() {
    let (mut s, mut d, mut i) = compressed();
    let a = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    assert_eq!(i.inflate(&s.sent_bytes()), "A3 NOOP\r\n");
    let b = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    s.server(&d.deflate(b"A3 OK\r\nA4 OK guessed\r\n"));
    let ev = s.events();
    assert_eq!(completed(&ev), [(a, Outcome::Ok)], "{ev:?}");
    assert_eq!(violations(&ev), [ViolationKind::UnknownTag]);
    assert_eq!(i.inflate(&s.sent_bytes()), "A4 NOOP\r\n");
    s.server(&d.deflate(b"A4 OK\r\n"));
    assert_eq!(completed(&s.events()), [(b, Outcome::Ok)]);
}

/// The withdrawal of a literal answered in the same read as its `+` also
/// holds under COMPRESS: the data never enters the DEFLATE stream, and the
/// command pipelined behind it still goes out.
#[test]
fn compressed_literal_answered_with_its_continuation_is_withdrawn() {
    let (mut s, mut d, mut i) = compressed();
    let append = s
        .client
        .enqueue(s.now, cmd(b"APPEND INBOX {12}\r\nb DELETE Foo"))
        .unwrap();
    let noop = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    assert_eq!(i.inflate(&s.sent_bytes()), "A3 APPEND INBOX {12}\r\n");
    s.server(&d.deflate(b"+ go\r\nA3 NO [OVERQUOTA] full\r\n"));
    assert_eq!(i.inflate(&s.sent_bytes()), "A4 NOOP\r\n");
    s.server(&d.deflate(b"A4 OK\r\n"));
    let ev = s.events();
    assert_eq!(
        completed(&ev),
        [(append, Outcome::No), (noop, Outcome::Ok)],
        "{ev:?}"
    );
}

// ---- Client: withdrawn literals ---------------------------------------------

/// Two synchronizing literals, both sent after their `+` (RFC 9051 §7.6):
/// the answer that comes after the application took everything is the
/// server's real answer, an OK stays OK (nothing was withdrawn).
#[test]
fn two_literals_both_taken_then_ok_is_ok() {
    let mut s = greeted("");
    let login = s
        .client
        .enqueue(s.now, cmd(b"LOGIN {3}\r\nabc {4}\r\nwxyz"))
        .unwrap();
    assert_eq!(s.sent(), "A1 LOGIN {3}\r\n");
    s.server(b"+ one\r\n");
    assert_eq!(s.sent(), "abc {4}\r\n");
    s.server(b"+ two\r\n");
    assert_eq!(s.sent(), "wxyz\r\n");
    s.server(b"A1 OK in\r\n");
    let ev = s.events();
    assert_eq!(completed(&ev), [(login, Outcome::Ok)], "{ev:?}");
    assert!(violations(&ev).is_empty(), "{ev:?}");
    assert_eq!(s.client.state(), SessionState::Authenticated);
}

/// A LOGIN with two synchronizing literals (the second one looks like a
/// command), its first literal taken after the server's `+`.
fn login_with_its_first_literal_taken() -> (Script, CommandHandle) {
    let mut s = greeted("");
    let login = s
        .client
        .enqueue(s.now, cmd(b"LOGIN {3}\r\nabc {12}\r\nb DELETE Foo"))
        .unwrap();
    assert_eq!(s.sent(), "A1 LOGIN {3}\r\n");
    s.server(b"+ one\r\n");
    assert_eq!(s.sent(), "abc {12}\r\n");
    (s, login)
}

/// The second `+` and an OK in one read, the first literal taken long
/// before: the server completed a command it never received whole, so the
/// OK reports nothing that happened (Bad, with a violation), the second
/// literal is withdrawn, and a LOGIN does not authenticate.
#[test]
fn second_continuation_and_ok_in_one_read_is_not_a_success() {
    let (mut s, login) = login_with_its_first_literal_taken();
    s.server(b"+ two\r\nA1 OK in\r\n");
    assert_eq!(s.sent(), "");
    let ev = s.events();
    assert_eq!(completed(&ev), [(login, Outcome::Bad)], "{ev:?}");
    assert_eq!(
        violations(&ev),
        [ViolationKind::OutOfState(
            "OK before the command's literal was sent"
        )]
    );
    assert_eq!(s.client.state(), SessionState::NotAuthenticated);
}

/// The first literal taken, the OK comes in place of the second `+`: the
/// server never received the command whole (RFC 9051 §7.6), so the OK is
/// no success, the rest is never sent, LOGIN does not authenticate.
#[test]
fn ok_between_two_literals_is_not_a_success() {
    let (mut s, login) = login_with_its_first_literal_taken();
    s.server(b"A1 OK in\r\n");
    assert_eq!(s.sent(), "");
    let ev = s.events();
    assert_eq!(completed(&ev), [(login, Outcome::Bad)], "{ev:?}");
    assert_eq!(s.client.state(), SessionState::NotAuthenticated);
}

/// An application that read again before taking the literal pushed for a
/// `+` (the answer in the next read): the literal is withdrawn, but the
/// command pipelined behind it, pushed after it, is its own and still goes
/// out, and its answer is taken once it is sent.
#[test]
fn withdrawing_a_literal_keeps_the_command_pipelined_behind_it() {
    let mut s = selected("");
    let append = s
        .client
        .enqueue(s.now, cmd(b"APPEND INBOX {12}\r\nb DELETE Foo"))
        .unwrap();
    let noop = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    assert_eq!(s.sent(), "A2 APPEND INBOX {12}\r\n");
    s.server(b"+ go\r\n");
    s.server(b"A2 NO [OVERQUOTA] full\r\n");
    assert_eq!(s.sent(), "A3 NOOP\r\n");
    s.server(b"A3 OK\r\n");
    let ev = s.events();
    assert_eq!(
        completed(&ev),
        [(append, Outcome::No), (noop, Outcome::Ok)],
        "{ev:?}"
    );
    assert!(violations(&ev).is_empty(), "{ev:?}");
}

/// RFC 9051 §6.2.2: the client's AUTHENTICATE response lines belong to the
/// exchange; once the server sent the tagged response, a line the client
/// still sends is read as a command (and here it holds the PLAIN password,
/// base64). A `+` and the tagged NO in one read: the response pushed for
/// the `+`, not taken yet, must be withdrawn, as a literal's data is.
///
/// Was a bug, fixed in stop 30: `Client::on_continue` (client/input.rs) recorded `after_continue`
/// only for a literal (`self.sending`); the SASL line of the
/// `Detail::Authenticate` branch is pushed with `push_out` and never
/// recorded, so `on_tagged` has nothing to withdraw.
#[test]
fn sasl_response_for_a_continuation_answered_in_the_same_read_is_not_sent() {
    let mut s = greeted("AUTH=PLAIN");
    let auth = s
        .client
        .authenticate(
            s.now,
            Box::new(PlainClient::new("tim", Secret::new("secret".to_owned()))),
        )
        .unwrap();
    assert_eq!(s.sent(), "A1 AUTHENTICATE PLAIN\r\n");
    s.server(b"+ \r\nA1 NO [UNAVAILABLE] try later\r\n");
    let ev = s.events();
    assert_eq!(completed(&ev), [(auth, Outcome::No)], "{ev:?}");
    assert_eq!(s.sent(), "", "the PLAIN response goes out as a command");
}

/// RFC 9051 §6.3.13 / RFC 2177: DONE answers the server's `+` of IDLE;
/// after the IDLE's tagged response the server reads commands, and a DONE
/// then is a bad command. An IDLE ended by the application before its
/// `+` gets DONE at the `+`; when the server's `+` and its tagged answer
/// come in one read, that DONE, not taken yet, must not be sent.
///
/// Was a bug, fixed in stop 30: `Client::on_continue` (client/input.rs), `Detail::Idle` branch,
/// pushes `DONE` without recording it in the command's `after_continue`,
/// so `on_tagged` does not withdraw it.
#[test]
fn idle_done_for_a_continuation_answered_in_the_same_read_is_not_sent() {
    let mut s = selected("IDLE");
    let idle = s.client.idle(s.now).unwrap();
    assert_eq!(s.sent(), "A2 IDLE\r\n");
    s.client.idle_done(s.now).unwrap();
    s.server(b"+ idling\r\nA2 OK done\r\n");
    assert_eq!(completed(&s.events()), [(idle, Outcome::Ok)]);
    assert_eq!(s.sent(), "", "DONE after the IDLE's completion");
}

// ---- Client: BYE, close -------------------------------------------------------

/// RFC 9051 §7.1.5: nothing is sent after BYE. A command the application
/// had not taken yet never leaves, completes as ConnectionClosed, and a
/// tagged answer for it after the BYE was guessed.
#[test]
fn bye_drops_what_was_not_taken_and_its_answer_is_guessed() {
    let mut s = selected("");
    let a = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    assert_eq!(s.sent(), "A2 NOOP\r\n");
    let b = s.client.enqueue(s.now, CommandBody::Check).unwrap();
    s.server(b"A2 OK\r\n* BYE [UNAVAILABLE] shutting down\r\n");
    assert_eq!(s.sent(), "");
    let ev = s.events();
    assert_eq!(
        completed(&ev),
        [(a, Outcome::Ok), (b, Outcome::ConnectionClosed)],
        "{ev:?}"
    );
    assert!(matches!(closed(&ev), Some(CloseReason::Bye { .. })));
}

/// A LOGOUT the application enqueued but had not taken when the server's
/// BYE came (a shutdown, RFC 9051 §7.1.5) never reached the server: the
/// BYE is not its answer. The session closes for the server's BYE and the
/// LOGOUT, never sent, is not reported as a completed LOGOUT.
///
/// Was a bug, fixed in stop 30: `Client::on_bye` (client/input.rs) took any LOGOUT in
/// `in_flight` as "logging out" without looking whether its first part
/// was handed out (`first_part < parts_handed`); the LOGOUT's bytes are
/// then cleared from `out`, the (guessed) tagged OK is refused, and
/// `close_at_eof` closes with `CloseReason::Logout`, completing the
/// unsent LOGOUT as `Outcome::Ok`.
#[test]
fn bye_before_logout_is_taken_is_the_servers_bye() {
    let mut s = selected("");
    let logout = s.client.logout(s.now).unwrap();
    s.server(b"* BYE [UNAVAILABLE] shutting down\r\nA2 OK guessed\r\n");
    assert_eq!(s.sent(), "", "nothing after BYE");
    s.client.handle_eof(s.now);
    let ev = s.events();
    assert_ne!(
        completed(&ev),
        [(logout, Outcome::Ok)],
        "a LOGOUT never sent completed Ok: {ev:?}"
    );
    assert!(
        matches!(closed(&ev), Some(CloseReason::Bye { .. })),
        "{:?}",
        closed(&ev)
    );
}

/// `close()` ends the session at once: what the application had not taken
/// is never handed out, every command completes once.
#[test]
fn close_hands_out_nothing_more() {
    let mut s = selected("");
    let a = s
        .client
        .enqueue(s.now, cmd(b"APPEND INBOX {5}\r\nhello"))
        .unwrap();
    assert_eq!(s.sent(), "A2 APPEND INBOX {5}\r\n");
    s.server(b"+ go\r\n");
    let b = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    s.client.close();
    assert_eq!(s.sent(), "");
    s.server(b"A2 OK\r\n");
    let ev = s.events();
    assert_eq!(
        completed(&ev),
        [
            (a, Outcome::ConnectionClosed),
            (b, Outcome::ConnectionClosed)
        ],
        "{ev:?}"
    );
    assert_eq!(closed(&ev), Some(CloseReason::Local));
}

// ---- Client against Server: the documented loop ------------------------------

/// An application that calls `poll_transmit` before each read (here, one
/// byte per read, the worst case) against the crate's own Server: LOGIN,
/// SELECT, an APPEND with a synchronizing literal, a pipelined NOOP, IDLE
/// and its DONE: every command completes OK and no answer is taken for a
/// guessed tag.
#[test]
fn the_documented_loop_never_sees_a_guessed_tag() {
    let mut p = util::pair::Pair::tls(util::client::Split::Bytes);
    p.login();
    let select = p.client.select(p.now, Mailbox::from_name("INBOX")).unwrap();
    p.drive();
    let append = p
        .client
        .enqueue(p.now, cmd(b"APPEND INBOX {11}\r\nhello world"))
        .unwrap();
    let noop = p.client.enqueue(p.now, CommandBody::Noop).unwrap();
    p.drive();
    let idle = p.client.idle(p.now).unwrap();
    p.drive();
    assert!(p.client.is_idle());
    p.client.idle_done(p.now).unwrap();
    p.drive();
    for h in [select, append, noop, idle] {
        assert_eq!(p.complete(h).outcome, Outcome::Ok);
    }
    assert!(
        violations(&p.client_events).is_empty(),
        "{:?}",
        violations(&p.client_events)
    );
}

// ---- Decoder: `$` in a server's sets ----------------------------------------

/// RFC 5182 adds `$` to the sets a client sends; `[MODIFIED]` (RFC 7162
/// §7) holds a server's set. Refused there, the code is kept as an
/// unknown one: the STORE still completes (a `$` must not leave the
/// command hanging), and a well-formed `[MODIFIED]` is still decoded.
#[test]
fn modified_with_dollar_still_completes_the_store() {
    let mut s = selected("CONDSTORE");
    let store = s
        .client
        .enqueue(s.now, cmd(b"STORE 1:3 (UNCHANGEDSINCE 5) +FLAGS (x)"))
        .unwrap();
    s.sent();
    s.server(b"A2 OK [MODIFIED $] partly\r\n");
    let ev = s.events();
    let c = ev
        .iter()
        .find_map(|e| match e {
            Event::Completed(c) if c.handle == store => Some(c.clone()),
            _ => None,
        })
        .expect("the STORE completes");
    assert_eq!(c.outcome, Outcome::Ok);
    assert!(
        matches!(c.code, Some(ResponseCode::Other(_))),
        "{:?}",
        c.code
    );
    let store = s
        .client
        .enqueue(s.now, cmd(b"STORE 1:3 (UNCHANGEDSINCE 5) +FLAGS (x)"))
        .unwrap();
    s.sent();
    s.server(b"A3 OK [MODIFIED 2,3] partly\r\n");
    let ev = s.events();
    let c = ev
        .iter()
        .find_map(|e| match e {
            Event::Completed(c) if c.handle == store => Some(c.clone()),
            _ => None,
        })
        .expect("the STORE completes");
    assert!(
        matches!(c.code, Some(ResponseCode::Modified(_))),
        "{:?}",
        c.code
    );
}

/// ESEARCH `ALL` (RFC 4731 §3) and `PARTIAL` (RFC 9394 §4) results are a
/// server's sets: `$` there is a syntax violation, the search still
/// completes; `ALL 1:3,5` is data for the search.
#[test]
fn esearch_sets_refuse_dollar() {
    let mut s = selected("ESEARCH PARTIAL");
    let search = s
        .client
        .enqueue(s.now, cmd(b"SEARCH RETURN (ALL) UNSEEN"))
        .unwrap();
    s.sent();
    s.server(
        b"* ESEARCH (TAG \"A2\") ALL $\r\n* ESEARCH (TAG \"A2\") UID PARTIAL (1:10 $)\r\n\
          * ESEARCH (TAG \"A2\") ALL 1:3,5\r\nA2 OK\r\n",
    );
    let ev = s.events();
    let syntax = violations(&ev)
        .into_iter()
        .filter(|v| matches!(v, ViolationKind::Syntax { .. }))
        .count();
    assert_eq!(syntax, 2, "{ev:?}");
    let data = ev
        .iter()
        .filter(|e| {
            matches!(
                e,
                Event::Data {
                    data: Data::ESearch { .. },
                    ..
                }
            )
        })
        .count();
    assert_eq!(data, 1, "{ev:?}");
    assert_eq!(completed(&ev), [(search, Outcome::Ok)]);
}

// ---- Server: UNAUTHENTICATE -------------------------------------------------

fn unauth_config() -> ServerConfig {
    let mut config = ServerConfig::default();
    config.capabilities.push(Capability::Unauthenticate);
    config
}

/// RFC 8437 §3: "a BAD response only occurs if UNAUTHENTICATE is issued in
/// an invalid state, is not advertised by the server, or does not follow
/// the command syntax". BAD is permitted (only NO is not): it goes out and
/// the session stays authenticated; a NO refused first leaves the token
/// usable for that BAD.
#[test]
fn unauthenticate_answered_bad_after_a_refused_no() {
    let mut h = Harness::selected(unauth_config(), Split::Whole);
    h.policy.auto_respond = false;
    h.send(b"u UNAUTHENTICATE\r\n");
    let (request, _) = h.requests.pop_front().expect("handed out");
    let Err(Unanswered {
        error: UsageError::Unexpected(_),
        token: request,
    }) = h
        .server
        .respond(h.now, request, Completion::no(text("cannot")))
    else {
        panic!("a NO was accepted")
    };
    assert_eq!(h.server.in_flight(), 1);
    h.server
        .respond(h.now, request, Completion::bad(text("not now")))
        .unwrap();
    h.pump();
    assert_eq!(h.take_wire(), "u BAD not now\r\n");
    assert_eq!(h.server.state(), ServerState::Selected);
    assert_eq!(
        h.server.identity().map(|i| i.authcid.as_str()),
        Some("alice")
    );
}

/// After the connection is gone, answering UNAUTHENTICATE with NO is
/// refused as `Closed` (what every late answer gets), nothing is sent; and
/// a NO refused while open, then a BYE instead (RFC 8437 §3: "Servers MAY
/// close the connection with an untagged BYE response"), sends no NO.
#[test]
fn unauthenticate_no_after_the_session_closed() {
    let mut h = Harness::logged_in(unauth_config(), Split::Whole);
    h.policy.auto_respond = false;
    h.send(b"u UNAUTHENTICATE\r\n");
    let (request, _) = h.requests.pop_front().expect("handed out");
    h.server.handle_eof(h.now);
    h.drive();
    h.take_wire();
    let Err(Unanswered {
        error: UsageError::Closed,
        ..
    }) = h
        .server
        .respond(h.now, request, Completion::no(text("cannot")))
    else {
        panic!("not refused as Closed")
    };
    let mut out = Vec::new();
    assert!(h.server.poll_transmit(h.now, &mut out).is_none());

    let mut h = Harness::logged_in(unauth_config(), Split::Whole);
    h.policy.auto_respond = false;
    h.send(b"u UNAUTHENTICATE\r\nv AUTHENTICATE PLAIN\r\n");
    let (request, _) = h.requests.pop_front().expect("handed out");
    let Err(Unanswered { token: request, .. }) =
        h.server
            .respond(h.now, request, Completion::no(text("cannot")))
    else {
        panic!("a NO was accepted")
    };
    h.server.bye(h.now, text("cannot reset")).unwrap();
    h.drive();
    assert_eq!(h.take_wire(), "* BYE cannot reset\r\n");
    assert!(matches!(
        h.server.respond(h.now, request, Completion::ok()),
        Err(Unanswered {
            error: UsageError::Closed,
            ..
        })
    ));
}

/// RFC 8437 §3: "the client is permitted to pipeline the UNAUTHENTICATE
/// command with a subsequent AUTHENTICATE command": the AUTHENTICATE is
/// read only after the OK, in the not authenticated state, and runs.
#[test]
fn authenticate_pipelined_behind_unauthenticate_runs_after_its_ok() {
    let mut config = sasl_config();
    config.capabilities.push(Capability::Unauthenticate);
    let mut h = Harness::logged_in(config, Split::Whole);
    h.policy.auto_respond = false;
    let ir = util::b64(b"\0alice\0wonderland");
    h.send(format!("u UNAUTHENTICATE\r\nv AUTHENTICATE PLAIN {ir}\r\n").as_bytes());
    assert_eq!(h.take_wire(), "");
    let (request, _) = h.requests.pop_front().expect("handed out");
    h.server.respond(h.now, request, Completion::ok()).unwrap();
    h.pump();
    let wire = h.take_wire();
    assert!(wire.starts_with("u OK completed\r\nv OK"), "{wire}");
    assert_eq!(h.server.state(), ServerState::Authenticated);
}

// ---- Server: extension commands and EXPUNGE ---------------------------------

/// RFC 9051 §7.5.1: no EXPUNGE while a command that uses message numbers
/// is in progress, nor while no command is in progress. An extension
/// command registered with the defaults (run alone, message numbers): an
/// EXPUNGE from the store waits past its completion, and goes out with
/// the next command.
#[test]
fn default_extension_command_holds_expunges_until_a_later_command() {
    let mut config = ServerConfig::default();
    config
        .extension_commands
        .push(ExtensionCommand::new("XMARK"));
    let mut h = Harness::selected(config, Split::Whole);
    h.policy.auto_respond = false;
    h.send(b"x XMARK 1:3\r\n");
    let (request, _) = h.requests.pop_front().expect("handed out");
    h.server
        .send_unsolicited(h.now, Data::Expunge(nz(2)))
        .unwrap();
    h.server
        .send_data(h.now, &request, Data::Exists(5))
        .unwrap();
    h.drive();
    assert_eq!(h.take_wire(), "* 5 EXISTS\r\n");
    h.server.respond(h.now, request, Completion::ok()).unwrap();
    h.drive();
    assert_eq!(h.take_wire(), "x OK completed\r\n");
    assert_eq!(h.server.held_expunges(), 1);
    h.send(b"n NOOP\r\n");
    h.answer(vec![], Completion::ok());
    assert_eq!(h.take_wire(), "* 2 EXPUNGE\r\nn OK completed\r\n");
}

// ---- Server: tokens of other sessions ---------------------------------------

/// Many sessions at once, each with a command in flight whose number in
/// its session is the same: every token is refused by every other session
/// (UnknownCommand, the token comes back, nothing sent) and completes its
/// own.
#[test]
fn many_sessions_refuse_each_others_tokens() {
    let mut sessions: Vec<Harness> = (0..12)
        .map(|_| {
            let mut h = Harness::selected(ServerConfig::default(), Split::Whole);
            h.policy.auto_respond = false;
            h
        })
        .collect();
    let mut tokens = Vec::new();
    for (k, h) in sessions.iter_mut().enumerate() {
        h.send(format!("t{k} FETCH 1 FLAGS\r\n").as_bytes());
        tokens.push(h.requests.pop_front().expect("handed out").0);
    }
    let ids: std::collections::HashSet<_> = tokens.iter().map(|t| t.id()).collect();
    assert_eq!(ids.len(), tokens.len());
    for (owner, token) in tokens.into_iter().enumerate() {
        let mut token = token;
        for (k, h) in sessions.iter_mut().enumerate() {
            if k == owner {
                continue;
            }
            assert_eq!(
                h.server.send_data(h.now, &token, Data::Exists(9)),
                Err(UsageError::UnknownCommand)
            );
            match h.server.respond(h.now, token, Completion::ok()) {
                Err(Unanswered {
                    error: UsageError::UnknownCommand,
                    token: back,
                }) => token = back,
                other => panic!("session {k} took session {owner}'s token: {other:?}"),
            }
        }
        let h = &mut sessions[owner];
        h.server.respond(h.now, token, Completion::ok()).unwrap();
    }
    for (k, h) in sessions.iter_mut().enumerate() {
        h.drive();
        assert_eq!(h.take_wire(), format!("t{k} OK completed\r\n"));
    }
}

/// `decide_login` with another session's attempt, both pending: refused
/// with UnknownCommand (not taken as this session's attempt), this
/// session's own attempt still decides.
#[test]
fn decide_login_with_another_sessions_attempt_is_unknown() {
    let new = || {
        let mut h = Harness::new(
            ServerConfig::default(),
            ConnectionSecurity::Tls,
            Split::Whole,
        );
        h.policy.passwords = None;
        h.take_wire();
        h
    };
    let (mut a, mut b) = (new(), new());
    a.send(b"a1 LOGIN alice wonderland\r\n");
    b.send(b"b1 LOGIN mallory guess\r\n");
    let from_a = a.logins.pop_front().expect("a's attempt");
    let from_b = b.logins.pop_front().expect("b's attempt");
    let Err(Unanswered {
        error: UsageError::UnknownCommand,
        token: from_b,
    }) = a.server.decide_login(a.now, from_b, AuthVerdict::Accept)
    else {
        panic!("another session's attempt was taken")
    };
    a.drive();
    assert_eq!(a.take_wire(), "");
    assert_eq!(a.server.state(), ServerState::NotAuthenticated);
    // The attempt came back: its own session can still be answered.
    b.server
        .decide_login(b.now, from_b, AuthVerdict::Reject)
        .unwrap();
    assert_eq!(b.server.state(), ServerState::NotAuthenticated);
    a.server
        .decide_login(a.now, from_a, AuthVerdict::Accept)
        .unwrap();
    a.drive();
    assert!(a.take_wire().starts_with("a1 OK"));
    assert_eq!(a.server.state(), ServerState::Authenticated);
}

/// `supply_scram` with another session's lookup, both pending: refused
/// with UnknownCommand; the session's own lookup still goes on.
#[test]
fn supply_scram_with_another_sessions_lookup_is_unknown() {
    let new = || {
        let mut h = Harness::new(sasl_config(), ConnectionSecurity::Tls, Split::Whole);
        h.policy.scram = None;
        h.take_wire();
        h
    };
    let (mut a, mut b) = (new(), new());
    let user = util::b64(b"alice");
    a.send(format!("a1 AUTHENTICATE SCRAM-SHA-256 {user}\r\n").as_bytes());
    b.send(format!("b1 AUTHENTICATE SCRAM-SHA-256 {user}\r\n").as_bytes());
    let from_a = a.lookups.pop_front().expect("a's lookup");
    let from_b = b.lookups.pop_front().expect("b's lookup");
    let Err(Unanswered {
        error: UsageError::UnknownCommand,
        token: from_b,
    }) = a
        .server
        .supply_scram(a.now, from_b, Some(util::scram_secrets()))
    else {
        panic!("another session's lookup was taken")
    };
    a.drive();
    assert_eq!(a.take_wire(), "");
    // The lookup came back: its own session can still be answered.
    b.server.supply_scram(b.now, from_b, None).unwrap();
    a.server
        .supply_scram(a.now, from_a, Some(util::scram_secrets()))
        .unwrap();
    a.drive();
    let wire = a.take_wire();
    assert_eq!(wire, format!("+ {}\r\n", util::b64(b"s=NaCl")));
}
