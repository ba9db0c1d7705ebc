//! The server session's command sequencing and state rules (RFC 9051 §3,
//! §5.5, §6, §7.5.1, §7.6; RFC 2177; RFC 5161; RFC 7888), from an
//! independent review. Each test proves one finding or one property; the
//! first three were bugs, fixed in stop 29.

mod util;

use imapkit_state::server::Unanswered;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Instant;

use imapkit_state::error::UsageError;
use imapkit_state::proto::{Capability, Data};
use imapkit_state::server::{Completion, ExtensionCommand, Server, ServerConfig, SessionState};
use imapkit_state::ConnectionSecurity::Tls;
use util::{same_under_every_split, sasl_config, Harness, Split};

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

/// A TLS session before login, greeting taken.
fn fresh(config: ServerConfig, split: Split) -> Harness {
    let mut h = Harness::new(config, Tls, split);
    h.take_wire();
    h
}

/// Selected, the test answers commands itself.
fn manual(split: Split) -> Harness {
    let mut h = Harness::selected(ServerConfig::default(), split);
    h.policy.auto_respond = false;
    h
}

/// The tags of the tagged responses in `wire`, in order.
fn tagged(wire: &str) -> Vec<String> {
    wire.split("\r\n")
        .filter(|l| !l.is_empty() && !l.starts_with('*') && !l.starts_with('+'))
        .map(|l| l.split(' ').next().unwrap().to_owned())
        .collect()
}

/// The commands handed to the application, as `tag NAME`.
fn handed_out(log: &[String]) -> Vec<&str> {
    log.iter()
        .filter_map(|l| l.strip_prefix("command "))
        .collect()
}

// ---- WERE BUGS ------------------------------------------------------------------

/// Was a bug: during IDLE the framer was in line mode, so a line that ends
/// with a non-synchronizing literal header ended IDLE with BAD and the
/// literal's data, which the client sends without waiting (RFC 7888 §3),
/// was then framed and executed as commands. The README promises "the literal's
/// bytes are never read as commands"; RFC 9051 §4.3 / RFC 7888 §4 choice 1
/// say the data is read and dropped with its refused command. (The client
/// broke RFC 9051 §6.3.13 / RFC 2177 first by sending a command during
/// IDLE, e.g. a racy client appending an attacker-controlled message.)
#[test]
fn idle_non_sync_literal_data_is_never_executed() {
    let (wire, log) = same_under_every_split(
        |s| Harness::selected(ServerConfig::default(), s),
        |h| {
            h.send(b"a IDLE\r\n");
            // The message body of the APPEND holds an IMAP command line.
            h.send(b"b APPEND INBOX {12+}\r\nx DELETE Y\r\n\r\nc NOOP\r\n");
        },
    );
    assert!(
        !handed_out(&log).contains(&"x DELETE"),
        "literal data executed as a command: {log:?}"
    );
    assert!(!wire.contains("x OK"), "{wire}");
    assert_eq!(
        wire,
        "+ idling\r\na BAD Expected DONE\r\nc OK completed\r\n"
    );
}

/// Was a bug, the same root cause in the AUTHENTICATE exchange (line mode
/// too): a command line with a `{n+}` literal sent instead of the base64
/// answer refused the exchange, then the literal's data ran as a command.
/// Now the exchange's lines are framed as commands are, and a literal in
/// one is dropped with its line.
#[test]
fn authenticate_line_non_sync_literal_data_is_never_executed() {
    let (wire, _log) = same_under_every_split(
        |s| fresh(sasl_config(), s),
        |h| {
            h.send(b"a AUTHENTICATE PLAIN\r\n");
            h.send(b"b APPEND INBOX {14+}\r\nx CAPABILITY\r\n\r\nc NOOP\r\n");
        },
    );
    assert!(!wire.contains("x OK"), "literal data executed: {wire}");
    assert!(!wire.contains("* CAPABILITY"), "{wire}");
    assert_eq!(
        wire,
        "+ \r\na BAD Expected an authentication response\r\nc OK NOOP completed\r\n"
    );
}

/// Was a bug: a synchronizing literal was answered with `+` although the
/// command's tag is over `max_tag`, so the command is certainly refused (`* BAD Tag too
/// long`, untagged) once the client has uploaded the literal (up to
/// `max_append_literal`, 32 MiB, for APPEND). RFC 9051 §7.6: the `+` lets
/// the server reject errors line by line before the data; the README: "`+`
/// only within the limits ... else a tagged NO [TOOBIG] or BAD".
#[test]
fn no_continuation_for_a_command_whose_tag_is_over_the_limit() {
    let mut h = Harness::selected(ServerConfig::default(), Split::Whole);
    let tag = "t".repeat(65);
    h.send(format!("{tag} APPEND INBOX {{5}}\r\n").as_bytes());
    let wire = h.take_wire();
    assert!(
        !wire.contains("+ "),
        "continuation for a refused command: {wire}"
    );
    assert_eq!(wire, "* BAD Tag too long\r\n");
}

// ---- PROPERTIES THAT HOLD ----------------------------------------------------

/// RFC 9051 §3, §6: every command valid only in other states is answered
/// BAD with its own tag, in order, and never handed to the application;
/// CAPABILITY, NOOP and (when advertised) ID work in every state.
#[test]
fn wrong_state_commands_are_refused_with_their_tag_in_every_state() {
    let mut config = ServerConfig::default();
    config.capabilities.push(Capability::Id);
    let not_auth = b"a SELECT INBOX\r\nb EXAMINE INBOX\r\nc CREATE X\r\nd LIST \"\" *\r\n\
        e STATUS INBOX (MESSAGES)\r\nf APPEND INBOX {0+}\r\n\r\ng IDLE\r\nh ENABLE CONDSTORE\r\n\
        i NAMESPACE\r\nj FETCH 1 FLAGS\r\nk CLOSE\r\nl UNSELECT\r\nm EXPUNGE\r\n\
        n UID FETCH 1 FLAGS\r\no UNAUTHENTICATE\r\np CAPABILITY\r\nq NOOP\r\nr ID NIL\r\n";
    let (wire, log) = same_under_every_split(|s| fresh(config.clone(), s), |h| h.send(not_auth));
    assert_eq!(
        tagged(&wire),
        "abcdefghijklmnopqr"
            .chars()
            .map(String::from)
            .collect::<Vec<_>>()
    );
    for t in "abcdefghijklmn".chars() {
        assert!(
            wire.contains(&format!("{t} BAD Command not valid in this state\r\n")),
            "{t}: {wire}"
        );
    }
    // UNAUTHENTICATE is not advertised by default.
    assert!(wire.contains("o BAD Command not supported\r\n"), "{wire}");
    assert!(wire.contains("* CAPABILITY "), "{wire}");
    assert!(wire.contains("q OK NOOP completed\r\n"), "{wire}");
    assert_eq!(handed_out(&log), ["r ID"]);

    // Authenticated: the not-authenticated and selected commands.
    let auth = b"a LOGIN alice wonderland\r\nb AUTHENTICATE PLAIN\r\nc STARTTLS\r\n\
        d FETCH 1 FLAGS\r\ne STORE 1 +FLAGS (\\Seen)\r\nf CLOSE\r\ng UNSELECT\r\n\
        h EXPUNGE\r\ni SEARCH ALL\r\nj COPY 1 X\r\nk MOVE 1 X\r\nl UID EXPUNGE 1\r\n\
        m NOOP\r\nn ID NIL\r\n";
    let (wire, log) =
        same_under_every_split(|s| Harness::logged_in(config.clone(), s), |h| h.send(auth));
    for t in "abcdefghijkl".chars() {
        assert!(
            wire.contains(&format!("{t} BAD Command not valid in this state\r\n")),
            "{t}: {wire}"
        );
    }
    assert_eq!(handed_out(&log), ["m NOOP", "n ID"]);

    // Selected: ENABLE (RFC 5161 §3.1) and the not-authenticated ones.
    let sel =
        b"a ENABLE CONDSTORE\r\nb LOGIN alice wonderland\r\nc STARTTLS\r\nd NOOP\r\ne ID NIL\r\n";
    let (wire, log) = same_under_every_split(
        |s| {
            let mut h = Harness::logged_in(config.clone(), s);
            h.send(b"S SELECT INBOX\r\n");
            h.take_wire();
            h.take_log();
            h
        },
        |h| h.send(sel),
    );
    for t in "abc".chars() {
        assert!(
            wire.contains(&format!("{t} BAD Command not valid in this state\r\n")),
            "{t}: {wire}"
        );
    }
    assert_eq!(handed_out(&log), ["d NOOP", "e ID"]);
    assert!(!log.iter().any(|l| l.starts_with("enabled")), "{log:?}");
}

/// RFC 5161 §3.1 / RFC 9051 §6.3.1: ENABLE pipelines after LOGIN and before
/// SELECT, and does not change the CAPABILITY list.
#[test]
fn enable_pipelines_after_login_and_keeps_the_capabilities() {
    let (wire, log) = same_under_every_split(
        |s| fresh(ServerConfig::default(), s),
        |h| {
            h.send(
                b"a LOGIN alice wonderland\r\nb CAPABILITY\r\nc ENABLE IMAP4rev2\r\n\
                  d CAPABILITY\r\ne SELECT INBOX\r\n",
            );
        },
    );
    let caps: Vec<&str> = wire
        .split("\r\n")
        .filter(|l| l.starts_with("* CAPABILITY"))
        .collect();
    assert_eq!(caps.len(), 2, "{wire}");
    assert_eq!(caps[0], caps[1]);
    assert!(wire.contains("* ENABLED IMAP4rev2\r\nc OK"), "{wire}");
    assert_eq!(tagged(&wire), ["a", "b", "c", "d", "e"]);
    assert_eq!(handed_out(&log), ["e SELECT"]);
}

/// RFC 2177 / RFC 9051 §6.3.13: `+ idling`; DONE in any case ends IDLE;
/// bytes pipelined after DONE are commands again, literals included (a
/// synchronizing literal gets its `+` only after the IDLE's OK).
#[test]
fn idle_done_is_case_insensitive_and_pipelined_commands_follow() {
    let (wire, log) = same_under_every_split(
        |s| Harness::selected(ServerConfig::default(), s),
        |h| {
            h.send(b"a IDLE\r\n");
            h.send(b"dOnE\r\nb APPEND INBOX {5}\r\n");
            h.send(b"hello\r\nc IDLE\r\n");
            h.send(b"done\r\n");
        },
    );
    assert_eq!(
        wire,
        "+ idling\r\na OK IDLE terminated\r\n+ Ready for literal data\r\nb OK completed\r\n\
         + idling\r\nc OK IDLE terminated\r\n"
    );
    assert_eq!(handed_out(&log), ["b APPEND"]);
}

/// Outside IDLE, `DONE` is not special: a BAD, nothing else happens.
#[test]
fn done_outside_idle_is_only_a_bad_line() {
    let mut h = Harness::selected(ServerConfig::default(), Split::Whole);
    h.send(b"DONE\r\na NOOP\r\n");
    assert_eq!(h.take_wire(), "* BAD Syntax error\r\na OK completed\r\n");
    assert_eq!(h.server.state(), SessionState::Selected);
}

/// Anything but DONE during IDLE ends it with BAD (the line is not run: the
/// server cannot tell a command from a continuation, RFC 9051 §6.3.13).
#[test]
fn a_command_during_idle_ends_it_with_bad_and_is_not_run() {
    let (wire, log) = same_under_every_split(
        |s| Harness::selected(ServerConfig::default(), s),
        |h| {
            h.send(b"a IDLE\r\n");
            h.send(b"b LOGOUT\r\nc NOOP\r\n");
        },
    );
    assert_eq!(
        wire,
        "+ idling\r\na BAD Expected DONE\r\nc OK completed\r\n"
    );
    assert_eq!(handed_out(&log), ["c NOOP"]);
    assert!(log.contains(&"idle-ended done=false".to_owned()), "{log:?}");
}

/// IDLE runs alone: it waits for the commands in flight; a DONE pipelined
/// behind it is read only once `+ idling` is out.
#[test]
fn idle_waits_for_commands_in_flight() {
    let (wire, log) = same_under_every_split(manual, |h| {
        h.send(b"a UID FETCH 1 FLAGS\r\nb IDLE\r\nDONE\r\nc NOOP\r\n");
        assert_eq!(h.wire, b"");
        assert!(!h.server.wants_read());
        h.answer(vec![], Completion::ok());
        h.answer(vec![], Completion::ok());
    });
    assert_eq!(
        wire,
        "a OK completed\r\n+ idling\r\nb OK IDLE terminated\r\nc OK completed\r\n"
    );
    assert_eq!(
        log,
        [
            "command a UID FETCH",
            "idle-started",
            "idle-ended done=true",
            "command c NOOP"
        ]
    );
}

/// Several commands in one read: each tag answered exactly once (in an
/// order that depends on the chunking where RFC 9051 §5.5 allows it), the
/// commands that run alone after those before them.
#[test]
fn pipelined_tags_are_answered_once_in_order() {
    for split in Split::ALL {
        let mut h = Harness::selected(ServerConfig::default(), split);
        h.send(
            b"a NOOP\r\nb CAPABILITY\r\nc XYZZY\r\nd FETCH 1 FLAGS\r\ne LOGIN x y\r\n\
                  f SELECT {5}\r\nINBOX\r\ng UID FETCH 1:* (FLAGS)\r\nh ENABLE CONDSTORE\r\n\
                  i STORE 1 +FLAGS (\\Seen)\r\nj FETCH 1 (\r\nk CHECK\r\n",
        );
        let (wire, log) = (h.take_wire(), h.take_log());
        let mut tags = tagged(&wire);
        let pos = |t: &str| tags.iter().position(|x| x == t).unwrap();
        // SELECT after everything before it; STORE after the UID FETCH.
        assert!(pos("f") > pos("a") && pos("f") > pos("d"), "{wire}");
        assert!(pos("i") > pos("g"), "{wire}");
        tags.sort();
        assert_eq!(
            tags,
            ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"]
        );
        assert_eq!(
            handed_out(&log),
            [
                "a NOOP",
                "d FETCH",
                "f SELECT",
                "g UID FETCH",
                "i STORE",
                "k CHECK"
            ]
        );
    }
}

/// RFC 9051 §2.2.1 asks the client for unique tags; the session does not
/// check: both commands of a duplicated tag go to the application and each
/// is answered once (its token).
#[test]
fn duplicate_tags_in_flight_are_each_answered_once() {
    let mut h = manual(Split::Whole);
    h.send(b"a UID FETCH 1 FLAGS\r\na UID FETCH 2 FLAGS\r\n");
    assert_eq!(h.server.in_flight(), 2);
    h.answer(vec![], Completion::ok());
    h.answer(vec![], Completion::ok());
    assert_eq!(h.take_wire(), "a OK completed\r\na OK completed\r\n");
    assert_eq!(h.server.in_flight(), 0);
}

/// RFC 9051 §5.5: a command with sequence numbers is not run while a
/// command that expunges (EXPUNGE, UID EXPUNGE, MOVE) or changes what it
/// reads (STORE, COPY) is in progress: it waits until that completes.
#[test]
fn sequence_number_commands_wait_for_expunging_commands() {
    for first in [
        &b"a EXPUNGE\r\n"[..],
        b"a UID EXPUNGE 1:3\r\n",
        b"a MOVE 1 Trash\r\n",
        b"a UID MOVE 1 Trash\r\n",
        b"a STORE 1 +FLAGS (\\Deleted)\r\n",
    ] {
        let mut h = manual(Split::Whole);
        h.send(&[first, b"b FETCH 1 FLAGS\r\n"].concat());
        assert_eq!(h.requests.len(), 1, "{:?}", h.log);
        assert!(!h.server.wants_read());
        h.server
            .send_data(h.now, &h.requests[0].0, Data::Expunge(nz(1)))
            .unwrap();
        h.answer(vec![], Completion::ok());
        assert_eq!(h.requests.len(), 1);
        assert_eq!(h.requests[0].1.body.name(), "FETCH");
        assert_eq!(tagged(&h.take_wire()), ["a"]);
    }
}

/// RFC 9051 §7.5.1: an EXPUNGE from a NOOP running beside a FETCH waits
/// for the FETCH's completion, then goes out while the NOOP is in progress.
#[test]
fn no_expunge_while_a_pipelined_fetch_is_in_progress() {
    let mut h = manual(Split::Whole);
    h.send(b"a NOOP\r\nb FETCH 1:* FLAGS\r\n");
    assert_eq!(h.requests.len(), 2);
    let (noop, _) = h.requests.pop_front().unwrap();
    h.server
        .send_data(h.now, &noop, Data::Expunge(nz(2)))
        .unwrap();
    h.drive();
    assert_eq!(h.take_wire(), "");
    h.answer(vec![], Completion::ok());
    assert_eq!(h.take_wire(), "b OK completed\r\n* 2 EXPUNGE\r\n");
    h.server.respond(h.now, noop, Completion::ok()).unwrap();
    h.drive();
    assert_eq!(h.take_wire(), "a OK completed\r\n");
}

/// An extension command the application registered may name messages by
/// sequence number unless it says otherwise: an EXPUNGE from a NOOP
/// beside it waits for its completion (RFC 9051 §7.5.1). Was a bug: every
/// extension command was taken to use none, and the EXPUNGE went out
/// while the client was still counting messages for it.
#[test]
fn extension_commands_hold_expunges_unless_registered_without_numbers() {
    for numbers in [true, false] {
        let mut config = ServerConfig::default();
        let mut x = ExtensionCommand::new("XMARK");
        x.exclusive = false;
        x.message_numbers = numbers;
        config.extension_commands = vec![x];
        let mut h = Harness::selected(config, Split::Whole);
        h.policy.auto_respond = false;
        h.send(b"a NOOP\r\nb XMARK 1:3\r\n");
        assert_eq!(h.requests.len(), 2, "{:?}", h.log);
        let (noop, _) = h.requests.pop_front().unwrap();
        h.server
            .send_data(h.now, &noop, Data::Expunge(nz(2)))
            .unwrap();
        h.drive();
        if numbers {
            assert_eq!(h.take_wire(), "");
            h.answer(vec![], Completion::ok());
            assert_eq!(h.take_wire(), "b OK completed\r\n* 2 EXPUNGE\r\n");
        } else {
            assert_eq!(h.take_wire(), "* 2 EXPUNGE\r\n");
            h.answer(vec![], Completion::ok());
            assert_eq!(h.take_wire(), "b OK completed\r\n");
        }
        h.server.respond(h.now, noop, Completion::ok()).unwrap();
        h.drive();
        assert_eq!(h.take_wire(), "a OK completed\r\n");
    }
}

/// A server application holds many sessions' tokens at once: one given to
/// the wrong session is refused there, never taken for that session's
/// command with the same number (each session numbers its commands from
/// 1). Was a doubt of stop 29: both sessions' first command had the same
/// `RequestId`, and `b`'s answer completed `a`'s FETCH.
#[test]
fn a_token_from_another_session_is_refused() {
    let mut a = manual(Split::Whole);
    let mut b = manual(Split::Whole);
    a.send(b"a1 FETCH 1 FLAGS\r\n");
    b.send(b"b1 NOOP\r\n");
    let (from_a, _) = a.requests.pop_front().unwrap();
    let (from_b, _) = b.requests.pop_front().unwrap();
    assert_ne!(from_a.id(), from_b.id());
    let Err(Unanswered {
        error: UsageError::UnknownCommand,
        token: from_b,
    }) = a.server.respond(a.now, from_b, Completion::ok())
    else {
        panic!("another session's token was taken")
    };
    assert_eq!(
        a.server.send_data(a.now, &from_b, Data::Exists(3)),
        Err(UsageError::UnknownCommand)
    );
    a.drive();
    assert_eq!(a.take_wire(), "");
    assert_eq!(a.server.in_flight(), 1);
    // Each token still answers its own command.
    a.server.respond(a.now, from_a, Completion::ok()).unwrap();
    b.server.respond(b.now, from_b, Completion::ok()).unwrap();
    a.drive();
    b.drive();
    assert_eq!(a.take_wire(), "a1 OK completed\r\n");
    assert_eq!(b.take_wire(), "b1 OK completed\r\n");
}

/// The same for a login attempt's token: it decides nothing in another
/// session.
#[test]
fn a_login_attempt_from_another_session_decides_nothing() {
    let new = || {
        let mut h = Harness::new(ServerConfig::default(), Tls, Split::Whole);
        h.policy.passwords = None;
        h
    };
    let (mut a, mut b) = (new(), new());
    a.send(b"a1 LOGIN alice wonderland\r\n");
    b.send(b"b1 LOGIN mallory guess\r\n");
    let from_a = a.logins.pop_front().expect("a's attempt");
    let from_b = b.logins.pop_front().expect("b's attempt");
    assert!(a
        .server
        .decide_login(a.now, from_b, imapkit_state::server::AuthVerdict::Accept)
        .is_err());
    assert_eq!(a.server.state(), SessionState::NotAuthenticated);
    a.server
        .decide_login(a.now, from_a, imapkit_state::server::AuthVerdict::Accept)
        .unwrap();
    assert_eq!(a.server.state(), SessionState::Authenticated);
}

/// SELECT/EXAMINE/UNSELECT/CLOSE: the state follows the completion, and
/// [CLOSED] (RFC 9051 §7.1, RFC 7162 §3.2.11) only for an implicit close.
#[test]
fn mailbox_transitions() {
    let mut h = manual(Split::Whole);
    h.send(b"a UNSELECT\r\n");
    assert_eq!(h.take_wire(), "");
    h.answer(vec![], Completion::ok());
    assert_eq!(h.take_wire(), "a OK completed\r\n");
    assert_eq!(h.server.state(), SessionState::Authenticated);
    h.send(b"b EXAMINE INBOX\r\n");
    h.answer(vec![Data::Exists(1)], Completion::ok());
    assert_eq!(h.take_wire(), "* 1 EXISTS\r\nb OK completed\r\n");
    assert_eq!(h.server.state(), SessionState::Selected);
    // A failed CLOSE leaves the mailbox selected.
    h.send(b"c CLOSE\r\n");
    h.answer(vec![], Completion::bad(static_text("no")));
    assert_eq!(h.server.state(), SessionState::Selected);
    h.take_wire();
    h.send(b"d CLOSE\r\ne FETCH 1 FLAGS\r\n");
    h.answer(vec![], Completion::ok());
    assert_eq!(
        h.take_wire(),
        "d OK completed\r\ne BAD Command not valid in this state\r\n"
    );
    assert_eq!(h.server.state(), SessionState::Authenticated);
}

/// LOGOUT: `* BYE` before the tagged OK, then nothing: pipelined commands
/// are not read, the application's late calls are clear errors, nothing is
/// sent after the OK.
#[test]
fn logout_then_nothing() {
    let mut h = manual(Split::Whole);
    h.send(b"a UID FETCH 1 FLAGS\r\nb LOGOUT\r\nc NOOP\r\n");
    let (request, _) = h.requests.pop_front().unwrap();
    h.server.respond(h.now, request, Completion::ok()).unwrap();
    h.pump();
    assert_eq!(
        h.take_wire(),
        "a OK completed\r\n* BYE Logging out\r\nb OK LOGOUT completed\r\n"
    );
    assert!(h.server.is_closed());
    assert_eq!(h.take_log().last().unwrap(), "closed Logout");
    assert_eq!(h.server.state(), SessionState::Logout);
    assert_eq!(
        h.server.send_unsolicited(h.now, Data::Exists(3)),
        Err(UsageError::Closed)
    );
    assert_eq!(
        h.server.bye(h.now, static_text("late")),
        Err(UsageError::Closed)
    );
    h.server.handle_input(h.now, b"d NOOP\r\n");
    h.server
        .handle_timeout(h.now + std::time::Duration::from_secs(7200));
    h.drive();
    assert_eq!(h.take_wire(), "");
    assert_eq!(handed_out(&h.take_log()), Vec::<&str>::new());
}

/// Answering after the connection closed gives the token back with
/// `Closed` and sends nothing; data for it too.
#[test]
fn answers_after_the_peer_left_come_back() {
    let now = Instant::now();
    let mut s = Server::new(Arc::new(ServerConfig::default()), now, Tls);
    s.handle_input(now, b"a LOGIN alice x\r\n");
    let mut out = Vec::new();
    while s.poll_transmit(now, &mut out).is_some() {}
    let mut attempt = None;
    while let Some(e) = s.poll_event() {
        if let imapkit_state::server::Event::LoginAttempt(a) = e {
            attempt = Some(a);
        }
    }
    s.decide_login(
        now,
        attempt.unwrap(),
        imapkit_state::server::AuthVerdict::Accept,
    )
    .unwrap();
    s.handle_input(now, b"b LIST \"\" *\r\n");
    let mut request = None;
    while let Some(e) = s.poll_event() {
        if let imapkit_state::server::Event::CommandReceived { request: r, .. } = e {
            request = Some(r);
        }
    }
    let request = request.unwrap();
    while s.poll_transmit(now, &mut out).is_some() {}
    s.handle_eof(now);
    assert_eq!(
        s.send_data(now, &request, Data::Exists(1)),
        Err(UsageError::Closed)
    );
    let back = s.respond(now, request, Completion::ok());
    assert!(matches!(
        back,
        Err(Unanswered {
            error: UsageError::Closed,
            ..
        })
    ));
    let mut late = Vec::new();
    assert!(s.poll_transmit(now, &mut late).is_none());
}

/// Literal refusals (RFC 9051 §7.6, RFC 7888 §4, §5): a synchronizing one
/// gets a tagged refusal and no `+`, and the next line is a command; a
/// non-synchronizing one is refused with its tag and its data (holding a
/// command line) is dropped, never run.
#[test]
fn refused_literals_answer_their_tag_and_never_run_their_data() {
    let (wire, log) = same_under_every_split(
        |s| Harness::logged_in(ServerConfig::default(), s),
        |h| {
            // Over max_literal (64 KiB): refused before the data.
            h.send(b"a LIST \"\" {70000}\r\nb NOOP\r\n");
            // Wrong state, non-sync: data read and dropped.
            h.send(b"c LOGIN {12+}\r\nx DELETE Y\r\n {3+}\r\nabc\r\nd NOOP\r\n");
            // LITERAL- (RFC 7888 §5): BAD [TOOBIG] for APPEND over 4096.
            let mut big = b"e APPEND INBOX {4200+}\r\n".to_vec();
            let line = b"y DELETE INBOX\r\n";
            while big.len() < 24 + 4200 {
                big.extend_from_slice(line);
            }
            big.truncate(24 + 4200);
            big.extend_from_slice(b"\r\nf NOOP\r\n");
            h.send(&big);
        },
    );
    assert_eq!(tagged(&wire), ["a", "b", "c", "d", "e", "f"], "{wire}");
    assert!(!wire.contains("+ "), "{wire}");
    assert!(wire.contains("a BAD [TOOBIG]"), "{wire}");
    assert!(wire.contains("c BAD Command not valid in this state\r\n"));
    assert!(
        wire.contains("e BAD [TOOBIG] Non-synchronizing literal too large\r\n"),
        "{wire}"
    );
    assert_eq!(handed_out(&log), ["b NOOP", "d NOOP", "f NOOP"]);
}

/// Mailbox data outside a command (EXISTS, EXPUNGE, FETCH, FLAGS, ...) is
/// refused while no mailbox is selected: before login, and after a CLOSE
/// (an update from the store that raced with it). Other data (ID) goes
/// out in any state. Was a doubt of the sequencing review:
/// `send_unsolicited` sent an EXISTS before login.
#[test]
fn mailbox_data_needs_a_selected_mailbox() {
    let not_selected = Err(UsageError::Unexpected(
        "mailbox data while no mailbox is selected",
    ));
    let mut h = fresh(ServerConfig::default(), Split::Whole);
    assert_eq!(
        h.server.send_unsolicited(h.now, Data::Exists(3)),
        not_selected
    );
    let mut h = manual(Split::Whole);
    h.server.send_unsolicited(h.now, Data::Exists(3)).unwrap();
    h.drive();
    assert_eq!(h.take_wire(), "* 3 EXISTS\r\n");
    h.send(b"c CLOSE\r\n");
    let (request, _) = h.requests.pop_front().unwrap();
    h.server.respond(h.now, request, Completion::ok()).unwrap();
    h.drive();
    assert_eq!(h.take_wire(), "c OK completed\r\n");
    for data in [
        Data::Exists(4),
        Data::Recent(1),
        Data::Expunge(nz(1)),
        Data::Flags(Vec::new()),
    ] {
        assert_eq!(h.server.send_unsolicited(h.now, data), not_selected);
    }
    let id = Data::Id(None);
    h.server.send_unsolicited(h.now, id).unwrap();
    h.drive();
    assert_eq!(h.take_wire(), "* ID NIL\r\n");
}

fn static_text(s: &'static str) -> imapkit_state::proto::RespText<'static> {
    imapkit_state::proto::RespText::text(s).unwrap()
}
