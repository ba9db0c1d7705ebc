//! The Client's command pipeline and response correlation: tags,
//! literals (RFC 9051 §4.3, §7.6, RFC 7888), IDLE (RFC 2177), pipelining
//! (RFC 9051 §5.5), LOGOUT and the end of the session. Tests whose doc
//! says "Was a bug" failed before stop 29's fixes.

mod util;

use std::time::Duration;

use imapkit_codec::LiteralPolicy;
use imapkit_proto::{CommandBody, Mailbox, Secret};
use imapkit_state::client::{CloseReason, Event, Outcome, SessionState};
use imapkit_state::error::{UsageError, ViolationKind};
use imapkit_state::CommandHandle;
use util::client::{
    cmd, completed, greeted, idle_refresh_fired, preauth, quiet_config, selected, violations,
    without_sent, Script,
};

fn secret(s: &str) -> Secret<String> {
    Secret::new(s.to_owned())
}

// ---- tags ----

#[test]
fn unknown_and_twice_answered_tags_are_violations_and_complete_nothing() {
    let mut s = greeted("");
    let a = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    let b = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    assert_eq!(s.sent(), "A1 NOOP\r\nA2 NOOP\r\n");
    // Out of order is fine (RFC 9051 §5.5); the tag picks the command.
    s.server(b"A2 OK two\r\nA7 OK never sent\r\nA2 NO again\r\nA1 BAD one\r\nA1 OK again\r\n");
    let ev = s.events();
    assert_eq!(completed(&ev), [(b, Outcome::Ok), (a, Outcome::Bad)]);
    assert_eq!(
        violations(&ev),
        [
            ViolationKind::UnknownTag,
            ViolationKind::UnknownTag,
            ViolationKind::UnknownTag
        ]
    );
    assert_eq!(s.sent(), "");
}

/// A tagged answer for a command whose bytes the application has not
/// taken yet (`poll_transmit`) cannot be the server's: tags are
/// predictable, so it was guessed (a response injected ahead of the
/// command, or a server answering from a script). It completes nothing,
/// and the command is still answered once it is sent. Was a bug: it
/// completed the command, whose bytes then went out all the same.
#[test]
fn an_answer_before_the_command_is_taken_completes_nothing() {
    let mut s = greeted("");
    let a = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    s.server(b"A1 OK guessed\r\n");
    let ev = s.events();
    assert!(completed(&ev).is_empty(), "{ev:?}");
    assert_eq!(violations(&ev), [ViolationKind::UnknownTag], "{ev:?}");
    assert_eq!(s.sent(), "A1 NOOP\r\n");
    s.server(b"A1 OK real\r\n");
    assert_eq!(completed(&s.events()), [(a, Outcome::Ok)]);
    // Taken, even without the socket's write done, it may be answered.
    let b = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    let mut out = Vec::new();
    assert!(s.client.poll_transmit(s.now, &mut out).is_some());
    assert_eq!(out, b"A2 NOOP\r\n");
    s.server(b"A2 OK\r\n");
    assert_eq!(completed(&s.events()), [(b, Outcome::Ok)]);
}

#[test]
fn unexpected_continuation_is_a_violation_and_sends_nothing() {
    let mut s = selected("IDLE");
    s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    assert_eq!(s.sent(), "A2 NOOP\r\n");
    s.server(b"+ what\r\n");
    assert_eq!(
        violations(&s.events()),
        [ViolationKind::UnexpectedContinuation]
    );
    assert_eq!(s.sent(), "");
}

// ---- literals ----

#[test]
fn refused_second_literal_never_sends_the_rest() {
    // RFC 9051 §2.2.1: a BAD (or NO) in place of `+` rejects the command
    // and "prevents the client from sending any more of the command".
    let mut s = greeted("");
    let login = s
        .client
        .enqueue(s.now, cmd(b"LOGIN {3}\r\nabc {8}\r\nNOOP\r\nxx"))
        .unwrap();
    assert_eq!(s.sent(), "A1 LOGIN {3}\r\n");
    s.server(b"+ go\r\n");
    assert_eq!(s.sent(), "abc {8}\r\n");
    s.server(b"A1 BAD [TOOBIG] no\r\n");
    // The literal that looks like a command is never sent.
    assert_eq!(s.sent(), "");
    let noop = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    assert_eq!(s.sent(), "A2 NOOP\r\n");
    s.server(b"A2 OK\r\n");
    let ev = s.events();
    assert_eq!(completed(&ev), [(login, Outcome::Bad), (noop, Outcome::Ok)]);
}

/// `+` and the command's NO (or BAD, or OK) in one read: the server is
/// done with the command, so the literal's data, not taken by the
/// application yet, is withdrawn: sent, the server would read it as
/// commands. Was a bug: it went out after the answer. Once taken, the
/// data is the server's to read, and nothing is withdrawn.
#[test]
fn a_literal_answered_in_the_same_read_as_its_continuation_is_not_sent() {
    for (answer, outcome) in [
        (&b"A1 NO [TOOBIG] no\r\n"[..], Outcome::No),
        (b"A1 BAD no\r\n", Outcome::Bad),
        (b"A1 OK stored\r\n", Outcome::Bad),
    ] {
        let mut s = preauth("");
        let append = s
            .client
            .enqueue(s.now, cmd(b"APPEND INBOX {14}\r\nb NOOP\r\nc NOOP"))
            .unwrap();
        let noop = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
        assert_eq!(s.sent(), "A1 APPEND INBOX {14}\r\n");
        s.server(&[&b"+ go\r\n"[..], answer].concat());
        // The NOOP queued behind it still goes out, the literal does not.
        assert_eq!(s.sent(), "A2 NOOP\r\n");
        s.server(b"A2 OK\r\n");
        let ev = s.events();
        assert_eq!(
            completed(&ev),
            [(append, outcome.clone()), (noop, Outcome::Ok)]
        );
        let expected: &[ViolationKind] = if outcome == Outcome::Bad && answer.starts_with(b"A1 OK")
        {
            &[ViolationKind::OutOfState(
                "OK before the command's literal was sent",
            )]
        } else {
            &[]
        };
        assert_eq!(violations(&ev), expected, "{ev:?}");
    }
    // The second literal of a command, the first one long sent.
    let mut s = greeted("");
    let login = s
        .client
        .enqueue(s.now, cmd(b"LOGIN {3}\r\nabc {14}\r\nb NOOP\r\nc NOOP"))
        .unwrap();
    assert_eq!(s.sent(), "A1 LOGIN {3}\r\n");
    s.server(b"+ go\r\n");
    assert_eq!(s.sent(), "abc {14}\r\n");
    s.server(b"+ go\r\nA1 NO [AUTHENTICATIONFAILED] no\r\n");
    assert_eq!(s.sent(), "");
    assert_eq!(completed(&s.events()), [(login, Outcome::No)]);
    // Taken before the answer: the server asked for it, it is sent.
    let mut s = preauth("");
    let append = s
        .client
        .enqueue(s.now, cmd(b"APPEND INBOX {5}\r\nhello"))
        .unwrap();
    assert_eq!(s.sent(), "A1 APPEND INBOX {5}\r\n");
    s.server(b"+ go\r\n");
    assert_eq!(s.sent(), "hello\r\n");
    s.server(b"A1 NO [TRYCREATE] no\r\n");
    assert_eq!(completed(&s.events()), [(append, Outcome::No)]);
}

#[test]
fn a_command_behind_a_synchronizing_literal_waits_and_other_tags_still_complete() {
    let mut s = selected("");
    let noop = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    let append = s
        .client
        .enqueue(s.now, cmd(b"APPEND INBOX {5}\r\nhello"))
        .unwrap();
    let after = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    assert_eq!(s.sent(), "A2 NOOP\r\nA3 APPEND INBOX {5}\r\n");
    // Another command's completion and untagged data while `+` is pending
    // (RFC 9051 §2.2.1): the literal is still pending, nothing else goes out.
    s.server(b"* 6 EXISTS\r\nA2 OK\r\n");
    assert_eq!(s.sent(), "");
    s.server(b"+ ready\r\n");
    assert_eq!(s.sent(), "hello\r\nA4 NOOP\r\n");
    s.server(b"A3 OK [APPENDUID 1 9] done\r\nA4 OK\r\n");
    let ev = s.events();
    assert_eq!(
        completed(&ev),
        [
            (noop, Outcome::Ok),
            (append, Outcome::Ok),
            (after, Outcome::Ok)
        ]
    );
}

#[test]
fn pipelined_synchronizing_literals_go_out_in_order() {
    let mut s = selected("");
    let a = s
        .client
        .enqueue(s.now, cmd(b"APPEND INBOX {3}\r\none"))
        .unwrap();
    let b = s
        .client
        .enqueue(s.now, cmd(b"APPEND INBOX {3}\r\ntwo"))
        .unwrap();
    let mut wire = s.sent();
    assert_eq!(wire, "A2 APPEND INBOX {3}\r\n");
    s.server(b"+ a\r\n");
    let more = s.sent();
    assert_eq!(more, "one\r\nA3 APPEND INBOX {3}\r\n");
    wire.push_str(&more);
    s.server(b"+ b\r\n");
    wire.push_str(&s.sent());
    assert_eq!(
        wire,
        "A2 APPEND INBOX {3}\r\none\r\nA3 APPEND INBOX {3}\r\ntwo\r\n"
    );
    s.server(b"A3 OK\r\nA2 OK\r\n");
    assert_eq!(completed(&s.events()), [(b, Outcome::Ok), (a, Outcome::Ok)]);
}

fn message(len: usize) -> Vec<u8> {
    let mut m = b"APPEND INBOX {".to_vec();
    m.extend_from_slice(format!("{len}}}\r\n").as_bytes());
    m.resize(m.len() + len, b'x');
    m
}

#[test]
fn literal_syntax_follows_rfc7888() {
    // No LITERAL+/-: synchronizing.
    let mut s = selected("");
    s.client.enqueue(s.now, cmd(&message(10))).unwrap();
    assert_eq!(s.sent(), "A2 APPEND INBOX {10}\r\n");
    // LITERAL+: never waits.
    let mut s = selected("LITERAL+");
    s.client.enqueue(s.now, cmd(&message(10_000))).unwrap();
    assert!(s.sent().starts_with("A2 APPEND INBOX {10000+}\r\nxxx"));
    // LITERAL-: non-synchronizing only up to 4096 bytes (RFC 7888 §5).
    let mut s = selected("LITERAL-");
    s.client.enqueue(s.now, cmd(&message(4096))).unwrap();
    assert!(s.sent().starts_with("A2 APPEND INBOX {4096+}\r\nxxx"));
    s.server(b"A2 OK\r\n");
    s.client.enqueue(s.now, cmd(&message(4097))).unwrap();
    assert_eq!(s.sent(), "A3 APPEND INBOX {4097}\r\n");
    s.server(b"+ ok\r\n");
    assert_eq!(s.sent().len(), 4097 + 2);
}

#[test]
fn literal_policy_applies_to_capabilities_known_at_send_time() {
    // LITERAL+ is not announced until the server's capabilities are known:
    // a command sent while they are forgotten (after LOGIN) is synchronizing.
    let mut s = greeted("LITERAL+");
    s.client.login(s.now, "u", secret("p")).unwrap();
    s.client
        .enqueue(s.now, cmd(b"APPEND INBOX {3}\r\nabc"))
        .unwrap();
    assert_eq!(s.sent(), "A1 LOGIN u p\r\n");
    s.server(b"A1 OK\r\n");
    assert_eq!(
        s.client.capabilities().literal_policy(),
        LiteralPolicy::SyncOnly
    );
    assert_eq!(s.sent(), "A2 APPEND INBOX {3}\r\n");
}

/// RFC 9051 §2.2.1 and §7.6: the octets of a synchronizing literal are sent
/// only after `+`; a server that has not received them can only reject the
/// command (tagged BAD/NO), never complete it. An `OK` there is a protocol
/// violation; reporting it as a plain success tells the application that an
/// APPEND stored a message whose bytes never left the client. Was a bug:
/// completed `Ok` with no violation; now `Bad` with a violation.
#[test]
fn ok_instead_of_continuation_is_not_a_silent_success() {
    let mut s = selected("");
    let append = s
        .client
        .enqueue(s.now, cmd(b"APPEND INBOX {5}\r\nhello"))
        .unwrap();
    assert_eq!(s.sent(), "A2 APPEND INBOX {5}\r\n");
    s.server(b"A2 OK [APPENDUID 1 9] stored\r\n");
    assert_eq!(s.sent(), "", "the literal is never sent");
    let ev = s.events();
    let outcome = completed(&ev)
        .into_iter()
        .find(|(h, _)| *h == append)
        .map(|(_, o)| o);
    assert_eq!(outcome, Some(Outcome::Bad));
    assert_eq!(
        violations(&ev),
        [ViolationKind::OutOfState(
            "OK before the command's literal was sent"
        )]
    );
    // The session goes on: the next command is sent whole.
    s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    assert_eq!(s.sent(), "A3 NOOP\r\n");
}

// ---- IDLE ----

#[test]
fn idle_done_only_after_continuation_and_only_once() {
    let mut s = selected("IDLE");
    let idle = s.client.idle(s.now).unwrap();
    assert_eq!(s.sent(), "A2 IDLE\r\n");
    // Asked for before `+`: DONE waits for it (RFC 2177 §3).
    s.client.idle_done(s.now).unwrap();
    s.client.idle_done(s.now).unwrap();
    assert_eq!(s.sent(), "");
    s.server(b"+ idling\r\n");
    assert_eq!(s.sent(), "DONE\r\n");
    // A second `+` or another idle_done sends no second DONE.
    s.server(b"+ again\r\n");
    s.client.idle_done(s.now).unwrap();
    assert_eq!(s.sent(), "");
    s.server(b"A2 OK done\r\n");
    let ev = s.events();
    assert_eq!(completed(&ev), [(idle, Outcome::Ok)]);
    assert_eq!(violations(&ev), [ViolationKind::UnexpectedContinuation]);
    assert!(!s.client.is_idle());
}

#[test]
fn idle_refused_instead_of_continuation_sends_no_done() {
    let mut s = selected("IDLE");
    let idle = s.client.idle(s.now).unwrap();
    s.sent();
    s.client.idle_done(s.now).unwrap();
    s.server(b"A2 BAD no idle here\r\n");
    assert_eq!(s.sent(), "");
    assert_eq!(completed(&s.events()), [(idle, Outcome::Bad)]);
}

#[test]
fn tagged_ok_from_the_server_ends_idle() {
    let mut s = selected("IDLE");
    let idle = s.client.idle(s.now).unwrap();
    s.sent();
    s.server(b"+ idling\r\n");
    assert!(s.client.is_idle());
    s.server(b"A2 OK timeout\r\n");
    assert!(!s.client.is_idle());
    assert_eq!(completed(&s.events()), [(idle, Outcome::Ok)]);
    // No refresh timer left to send a DONE for it.
    assert_eq!(s.client.poll_timeout(), None);
    s.advance(Duration::from_secs(3600));
    assert_eq!(s.sent(), "");
    let noop = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    assert_eq!(s.sent(), "A3 NOOP\r\n");
    let _ = noop;
}

/// README ("IDLE: DONE on request or when another command is enqueued") and
/// `Client::enqueue` ("While an IDLE is active, enqueueing ends it with DONE
/// first"); RFC 2177 §3: the client must send DONE before any other command
/// can be sent. A command enqueued after IDLE was sent but before the
/// server's `+` is never followed by DONE: it waits until the refresh timer
/// (29 minutes by default) or until the application calls `idle_done`.
/// Was a bug: it stalled until the refresh.
#[test]
fn command_enqueued_before_idle_continuation_ends_idle() {
    let mut s = selected("IDLE");
    let idle = s.client.idle(s.now).unwrap();
    assert_eq!(s.sent(), "A2 IDLE\r\n");
    let noop = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    assert_eq!(s.sent(), "");
    s.server(b"+ idling\r\n");
    assert_eq!(s.sent(), "DONE\r\n", "the queued NOOP must end the IDLE");
    s.server(b"A2 OK\r\n");
    assert_eq!(s.sent(), "A3 NOOP\r\n");
    s.server(b"A3 OK\r\n");
    assert_eq!(
        completed(&s.events()),
        [(idle, Outcome::Ok), (noop, Outcome::Ok)]
    );
}

/// The same defect with everything enqueued at once (the common
/// "select, idle, and later fetch" pattern before the SELECT completes):
/// the FETCH sits in the queue behind an IDLE that nothing ends. Was a bug.
#[test]
fn command_queued_behind_a_queued_idle_ends_it() {
    let mut s = preauth("IDLE");
    s.client.select(s.now, Mailbox::from_name("INBOX")).unwrap();
    let idle = s.client.idle(s.now).unwrap();
    let noop = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    assert_eq!(s.sent(), "A1 SELECT INBOX\r\n");
    s.server(b"* 1 EXISTS\r\nA1 OK [READ-WRITE] in\r\n");
    assert_eq!(s.sent(), "A2 IDLE\r\n");
    s.server(b"+ idling\r\n");
    assert_eq!(s.sent(), "DONE\r\n", "the queued NOOP must end the IDLE");
    s.server(b"A2 OK\r\n");
    assert_eq!(s.sent(), "A3 NOOP\r\n");
    s.server(b"A3 OK\r\n");
    let ev = s.events();
    let done: Vec<CommandHandle> = completed(&ev).into_iter().map(|(h, _)| h).collect();
    assert_eq!(&done[1..], [idle, noop]);
}

/// `idle_done` on an IDLE still queued (behind a SELECT) takes it out of
/// the queue: it completes as not sent, and nothing is sent for it. Was a
/// bug: refused with "idle_done while not idling", so the application
/// could not cancel it.
#[test]
fn idle_done_on_a_queued_idle_cancels_it() {
    let mut s = preauth("IDLE");
    s.client.select(s.now, Mailbox::from_name("INBOX")).unwrap();
    let idle = s.client.idle(s.now).unwrap();
    assert_eq!(s.sent(), "A1 SELECT INBOX\r\n");
    s.client.idle_done(s.now).unwrap();
    assert_eq!(
        completed(&s.events()),
        [(
            idle,
            Outcome::NotSent(UsageError::Unexpected("IDLE ended before it was sent"))
        )]
    );
    s.server(b"* 1 EXISTS\r\nA1 OK [READ-WRITE] in\r\n");
    assert_eq!(s.sent(), "");
    assert_eq!(
        s.client.idle_done(s.now),
        Err(UsageError::Unexpected("idle_done while not idling"))
    );
    // After the close: Closed, as every other call says.
    s.client.close();
    assert_eq!(s.client.idle_done(s.now), Err(UsageError::Closed));
}

#[test]
fn command_during_idle_refresh_completes_idle_and_goes_out() {
    let (mut s, idle) = idle_refresh_fired();
    // Enqueued between the refresh's DONE and its OK: no new IDLE.
    let noop = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    assert_eq!(s.sent(), "");
    s.server(b"A1 OK\r\n");
    assert_eq!(s.sent(), "A2 NOOP\r\n");
    s.server(b"A2 OK\r\n");
    assert_eq!(
        completed(&s.events()),
        [(idle, Outcome::Ok), (noop, Outcome::Ok)]
    );
}

/// The refresh timer's new IDLE keeps the handle under a new tag, and says
/// so with a `CommandSent` as any command does; its completion carries
/// that tag. Was a doubt of the review: the application was told only the
/// first tag.
#[test]
fn refreshed_idle_announces_its_new_tag() {
    let (mut s, idle) = idle_refresh_fired();
    s.server(b"A1 OK\r\n");
    assert_eq!(s.sent(), "A2 IDLE\r\n");
    let sent: Vec<(CommandHandle, String)> = s
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::CommandSent { handle, tag } => Some((handle, tag.to_string())),
            _ => None,
        })
        .collect();
    assert_eq!(sent, [(idle, "A2".to_owned())]);
    s.server(b"+ idling\r\n");
    s.client.idle_done(s.now).unwrap();
    assert_eq!(s.sent(), "DONE\r\n");
    s.server(b"A2 OK\r\n");
    let done: Vec<String> = s
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Completed(c) if c.handle == idle => c.tag.map(|t| t.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(done, ["A2"]);
}

// ---- pipelining (RFC 9051 §5.5) ----

#[test]
fn rfc9051_5_5_invalid_sequences_are_not_pipelined() {
    // STORE + COPY + FETCH: FETCH waits for COPY.
    let mut s = selected("");
    s.client.enqueue(s.now, cmd(b"STORE 1 +FLAGS (x)")).unwrap();
    s.client.enqueue(s.now, cmd(b"COPY 1 Trash")).unwrap();
    s.client.enqueue(s.now, cmd(b"FETCH 1 FLAGS")).unwrap();
    assert_eq!(s.sent(), "A2 STORE 1 +FLAGS (x)\r\nA3 COPY 1 Trash\r\n");
    s.server(b"A2 OK\r\n");
    assert_eq!(s.sent(), "");
    s.server(b"A3 OK\r\n");
    assert_eq!(s.sent(), "A4 FETCH 1 FLAGS\r\n");
    // COPY + COPY.
    let mut s = selected("");
    s.client.enqueue(s.now, cmd(b"COPY 1 a")).unwrap();
    s.client.enqueue(s.now, cmd(b"COPY 2 b")).unwrap();
    assert_eq!(s.sent(), "A2 COPY 1 a\r\n");
    s.server(b"A2 OK\r\n");
    assert_eq!(s.sent(), "A3 COPY 2 b\r\n");
    // UID FETCH + SEARCH (results are sequence numbers): waits.
    let mut s = selected("");
    s.client
        .enqueue(s.now, cmd(b"UID FETCH 1:* FLAGS"))
        .unwrap();
    s.client.enqueue(s.now, cmd(b"SEARCH UNSEEN")).unwrap();
    s.client.enqueue(s.now, cmd(b"UID SEARCH UID 1:5")).unwrap();
    assert_eq!(s.sent(), "A2 UID FETCH 1:* FLAGS\r\n");
    s.server(b"A2 OK\r\n");
    // SEARCH does not permit EXPUNGE: the UID SEARCH after it may go.
    assert_eq!(s.sent(), "A3 SEARCH UNSEEN\r\nA4 UID SEARCH UID 1:5\r\n");
}

#[test]
fn rfc9051_5_5_valid_sequences_are_pipelined() {
    let mut s = selected("");
    for line in [
        &b"FETCH 1 FLAGS"[..],
        b"STORE 1 +FLAGS (x)",
        b"SEARCH UNSEEN",
        b"NOOP",
    ] {
        s.client.enqueue(s.now, cmd(line)).unwrap();
    }
    assert_eq!(
        s.sent(),
        "A2 FETCH 1 FLAGS\r\nA3 STORE 1 +FLAGS (x)\r\nA4 SEARCH UNSEEN\r\nA5 NOOP\r\n"
    );
    let mut s = selected("");
    for line in [&b"STORE 1 +FLAGS (x)"[..], b"COPY 1 a", b"EXPUNGE"] {
        s.client.enqueue(s.now, cmd(line)).unwrap();
    }
    assert_eq!(
        s.sent(),
        "A2 STORE 1 +FLAGS (x)\r\nA3 COPY 1 a\r\nA4 EXPUNGE\r\n"
    );
}

#[test]
fn an_unknown_command_waits_as_one_that_uses_message_numbers() {
    // A raw command the library does not know (an extension's `XFROB
    // 1:5`) may name messages by number: while COPY runs, the server may
    // expunge and renumber them (RFC 9051 §5.5), so it waits for COPY.
    let mut s = selected("");
    s.client.enqueue(s.now, cmd(b"COPY 1 Trash")).unwrap();
    s.client.enqueue(s.now, cmd(b"XFROB 1:5")).unwrap();
    assert_eq!(s.sent(), "A2 COPY 1 Trash\r\n");
    s.server(b"A2 OK\r\n");
    assert_eq!(s.sent(), "A3 XFROB 1:5\r\n");
    // It may let the server expunge too: a FETCH behind it waits.
    s.client.enqueue(s.now, cmd(b"FETCH 1 FLAGS")).unwrap();
    assert_eq!(s.sent(), "");
    s.server(b"A3 OK\r\n");
    assert_eq!(s.sent(), "A4 FETCH 1 FLAGS\r\n");
}

// ---- LOGOUT and the end of the session ----

#[test]
fn logout_bye_then_ok_then_nothing_more() {
    let mut s = selected("");
    let fetch = s.client.enqueue(s.now, cmd(b"FETCH 1 FLAGS")).unwrap();
    let logout = s.client.logout(s.now).unwrap();
    // LOGOUT waits for the FETCH.
    assert_eq!(s.sent(), "A2 FETCH 1 FLAGS\r\n");
    s.server(b"A2 OK\r\n");
    assert_eq!(s.sent(), "A3 LOGOUT\r\n");
    s.server(b"* BYE bye\r\n");
    assert_eq!(s.client.state(), SessionState::Logout);
    assert_eq!(
        s.client.enqueue(s.now, CommandBody::Noop),
        Err(UsageError::Closed)
    );
    s.server(b"A3 OK done\r\n* 9 EXISTS\r\nA9 OK\r\n");
    let ev = without_sent(s.events());
    assert_eq!(
        completed(&ev),
        [(fetch, Outcome::Ok), (logout, Outcome::Ok)]
    );
    assert_eq!(
        ev.last(),
        Some(&Event::Closed {
            reason: CloseReason::Logout
        })
    );
    assert_eq!(s.client.state(), SessionState::Closed);
    // Nothing is sent, nothing happens, no panic.
    assert_eq!(s.sent(), "");
    s.server(b"+ more\r\n* BYE again\r\n");
    s.client.handle_eof(s.now);
    s.advance(Duration::from_secs(3600));
    s.client.close();
    assert!(s.events().is_empty());
    assert_eq!(s.client.poll_timeout(), None);
}

#[test]
fn every_command_completes_once_when_the_server_closes() {
    let mut s = selected("");
    let a = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    let b = s
        .client
        .enqueue(s.now, cmd(b"APPEND INBOX {5}\r\nhello"))
        .unwrap();
    let c = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    let d = s.client.logout(s.now).unwrap();
    assert_eq!(s.sent(), "A2 NOOP\r\nA3 APPEND INBOX {5}\r\n");
    s.server(b"A2 OK\r\n* BYE [UNAVAILABLE] going down\r\n+ late\r\n");
    assert_eq!(s.sent(), "", "nothing after BYE, not the literal");
    let ev = s.events();
    assert_eq!(
        completed(&ev),
        [
            (a, Outcome::Ok),
            (b, Outcome::ConnectionClosed),
            (c, Outcome::NotSent(UsageError::Closed)),
            (d, Outcome::NotSent(UsageError::Closed)),
        ]
    );
    assert!(matches!(ev.last(), Some(Event::Closed { .. })));
    assert_eq!(
        ev.iter()
            .filter(|e| matches!(e, Event::Closed { .. }))
            .count(),
        1
    );
}

#[test]
fn eof_and_timeout_complete_what_is_pending() {
    let mut s = selected("");
    let a = s
        .client
        .enqueue(s.now, cmd(b"APPEND INBOX {5}\r\nhello"))
        .unwrap();
    let b = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    s.sent();
    s.client.handle_eof(s.now);
    let ev = s.events();
    assert_eq!(
        completed(&ev),
        [
            (a, Outcome::ConnectionClosed),
            (b, Outcome::NotSent(UsageError::Closed))
        ]
    );
    assert_eq!(
        ev.last(),
        Some(&Event::Closed {
            reason: CloseReason::Eof
        })
    );

    let mut s = selected("");
    let a = s
        .client
        .enqueue(s.now, cmd(b"APPEND INBOX {5}\r\nhello"))
        .unwrap();
    s.sent();
    assert!(s.advance_to_timer());
    let ev = s.events();
    assert_eq!(completed(&ev), [(a, Outcome::TimedOut)]);
    assert_eq!(s.sent(), "");
}

// ---- API misuse ----

#[test]
fn calls_before_the_greeting_wait_for_it() {
    let mut s = Script::tls(quiet_config());
    assert_eq!(s.sent(), "");
    assert_eq!(
        s.client.idle_done(s.now),
        Err(UsageError::Unexpected("idle_done while not idling"))
    );
    let noop = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    let fetch = s.client.enqueue(s.now, cmd(b"FETCH 1 FLAGS")).unwrap();
    assert_eq!(s.sent(), "", "nothing before the greeting");
    s.server(b"* OK hi\r\n");
    assert_eq!(s.sent(), "A1 NOOP\r\n");
    s.server(b"A1 OK\r\n");
    let ev = s.events();
    assert_eq!(
        completed(&ev),
        [
            (noop, Outcome::Ok),
            // Held behind NOOP (RFC 9051 §5.5), then refused at its turn.
            (
                fetch,
                Outcome::NotSent(UsageError::WrongState {
                    command: "FETCH",
                    state: "not authenticated"
                })
            ),
        ]
    );
}

#[test]
fn calls_after_close_are_refused_or_ignored() {
    let mut s = greeted("");
    let noop = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    s.client.close();
    assert_eq!(s.sent(), "", "the queued NOOP's bytes are dropped");
    let ev = s.events();
    assert_eq!(completed(&ev), [(noop, Outcome::ConnectionClosed)]);
    assert_eq!(
        s.client.enqueue(s.now, CommandBody::Noop),
        Err(UsageError::Closed)
    );
    assert_eq!(s.client.logout(s.now), Err(UsageError::Closed));
    assert!(s.client.idle_done(s.now).is_err());
    assert_eq!(s.client.tls_established(s.now), Err(UsageError::Closed));
    s.server(b"A1 OK\r\n");
    let room = s.client.read_buf(64);
    s.client.handle_read(s.now, room);
    s.client.handle_eof(s.now);
    s.client.close();
    assert!(s.events().is_empty());
    assert_eq!(s.sent(), "");
}

/// RFC 7162 §7: the VANISHED modifier belongs to UID FETCH only; a FETCH
/// by message number with it is refused before it is queued.
#[test]
fn vanished_needs_uid_fetch() {
    let mut s = selected("CONDSTORE QRESYNC");
    let mut body = cmd(b"UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)");
    if let CommandBody::Fetch { uid, .. } = &mut body {
        *uid = false;
    }
    assert_eq!(
        s.client.enqueue(s.now, body),
        Err(UsageError::InvalidCommand("VANISHED needs UID FETCH"))
    );
    assert_eq!(s.sent(), "");
}
