//! Transcript tests of the server session's protocol behaviour: greeting
//! and capabilities, AUTHENTICATE, pipelining and the RFC 9051 §5.5
//! ordering rules, IDLE, ENABLE, timers, backpressure and output.

mod util;

use imapkit_state::server::Unanswered;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use imapkit_state::codec::{decode, Decoded, Vectored};
use imapkit_state::error::UsageError;
use imapkit_state::proto::{
    Capability, Data, IntoStatic, MessageDataItem, RespText, Response, SequenceSet, Status, Vec1,
};
use imapkit_state::sasl::Identity;
use imapkit_state::server::{
    Completion, Event, ExtensionCommand, Server, ServerConfig, SessionState,
};
use imapkit_state::ConnectionSecurity::{Plaintext, Tls};
use util::{b64, same_under_every_split, sasl_config, Harness, Policy, Split};

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

fn fetch_uid(seq: u32, uid: u32) -> Data<'static> {
    Data::Fetch {
        seq: nz(seq),
        items: Vec1::new(MessageDataItem::Uid(nz(uid))),
    }
}

fn manual(config: ServerConfig, split: Split) -> Harness {
    let mut h = Harness::selected(config, split);
    h.policy.auto_respond = false;
    h
}

#[test]
fn greetings() {
    let mut h = Harness::new(ServerConfig::default(), Tls, Split::Whole);
    assert_eq!(
        h.take_wire(),
        "* OK [CAPABILITY IMAP4rev2 IMAP4rev1 LITERAL-] IMAP server ready\r\n"
    );
    assert_eq!(h.server.state(), SessionState::NotAuthenticated);
    let now = Instant::now();
    let identity = Identity {
        authcid: "alice".into(),
        authzid: None,
    };
    let mut s = Server::preauth(Arc::new(ServerConfig::default()), now, Tls, identity);
    let mut out = Vec::new();
    while s.poll_transmit(now, &mut out).is_some() {}
    assert_eq!(
        out,
        b"* PREAUTH [CAPABILITY IMAP4rev2 IMAP4rev1 LITERAL-] IMAP server ready\r\n"
    );
    assert_eq!(s.state(), SessionState::Authenticated);
    // RFC 9051 §5.4: the authenticated autologout is 30 minutes.
    assert_eq!(s.poll_timeout(), Some(now + Duration::from_secs(1800)));

    let text = RespText::text("Too many connections").unwrap();
    let mut s = Server::refuse(Arc::new(ServerConfig::default()), Plaintext, text);
    out.clear();
    while s.poll_transmit(now, &mut out).is_some() {}
    assert_eq!(out, b"* BYE Too many connections\r\n");
    assert!(matches!(s.poll_event(), Some(Event::Audit(_))));
    assert!(matches!(
        s.poll_event(),
        Some(Event::Closed {
            reason: imapkit_state::server::CloseReason::Refused
        })
    ));
    assert!(s.poll_event().is_none());
    assert!(!s.wants_read());
}

#[test]
fn capabilities_follow_the_state_and_tls() {
    let mut config = sasl_config();
    config.capabilities.push(Capability::Idle);
    config.capabilities.push(Capability::Id);
    let mut h = Harness::new(config, Plaintext, Split::Whole);
    assert_eq!(
        h.take_wire(),
        "* OK [CAPABILITY IMAP4rev2 IMAP4rev1 ID LITERAL- STARTTLS LOGINDISABLED \
         AUTH=SCRAM-SHA-256 SASL-IR] IMAP server ready\r\n"
    );
    h.send(b"a STARTTLS\r\n");
    h.take_wire();
    h.server.tls_established(h.now, Some(vec![9; 32])).unwrap();
    h.send(b"b CAPABILITY\r\n");
    assert_eq!(
        h.take_wire(),
        "* CAPABILITY IMAP4rev2 IMAP4rev1 ID LITERAL- AUTH=SCRAM-SHA-256 \
         AUTH=SCRAM-SHA-256-PLUS AUTH=PLAIN SASL-IR\r\n\
         b OK CAPABILITY completed\r\n"
    );
    h.send(format!("c AUTHENTICATE PLAIN {}\r\n", b64(b"\0alice\0wonderland")).as_bytes());
    assert_eq!(
        h.take_wire(),
        "c OK [CAPABILITY IMAP4rev2 IMAP4rev1 IDLE ID LITERAL-] Logged in\r\n"
    );
    assert_eq!(
        h.server.capabilities(),
        [
            Capability::Imap4Rev2,
            Capability::Imap4Rev1,
            Capability::Idle,
            Capability::Id,
            Capability::LiteralMinus
        ]
    );
}

#[test]
fn authenticate_exchanges() {
    let tls = |split| {
        let mut h = Harness::new(sasl_config(), Tls, split);
        h.take_wire();
        h
    };
    // PLAIN without an initial response: an empty challenge first.
    let (wire, log) = same_under_every_split(tls, |h| {
        h.send(b"a AUTHENTICATE PLAIN\r\n");
        h.send(format!("{}\r\n", b64(b"\0alice\0wonderland")).as_bytes());
    });
    assert_eq!(
        wire,
        "+ \r\na OK [CAPABILITY IMAP4rev2 IMAP4rev1 LITERAL-] Logged in\r\n"
    );
    assert_eq!(
        log,
        [
            "login-attempt alice",
            "audit peer=- tls=yes auth mechanism=PLAIN user=\"alice\" outcome=Success failures=0",
            "authenticated alice",
        ]
    );
    // Cancel, bad base64, unsupported mechanism, then a SCRAM-shaped
    // exchange with an empty initial response (`=`).
    let (wire, log) = same_under_every_split(tls, |h| {
        h.send(b"a AUTHENTICATE PLAIN\r\n*\r\n");
        h.send(b"b AUTHENTICATE PLAIN\r\n!!\r\n");
        h.send(b"c AUTHENTICATE CRAM-MD5\r\n");
        h.send(b"d AUTHENTICATE SCRAM-SHA-256 =\r\n");
        h.send(format!("{}\r\n", b64(b"alice")).as_bytes());
        h.send(format!("{}\r\n", b64(b"proof-of-alice")).as_bytes());
        h.send(b"\r\n");
    });
    assert_eq!(
        wire,
        format!(
            "+ \r\na BAD Authentication cancelled\r\n\
             + \r\nb BAD Invalid base64\r\n\
             c NO Unsupported authentication mechanism\r\n\
             + \r\n+ {}\r\n+ {}\r\n\
             d OK [CAPABILITY IMAP4rev2 IMAP4rev1 LITERAL-] Logged in\r\n",
            b64(b"s=NaCl"),
            b64(b"v=ok")
        )
    );
    assert_eq!(
        log,
        [
            "audit peer=- tls=yes auth mechanism=PLAIN user=- outcome=Cancelled failures=0",
            "audit peer=- tls=yes auth mechanism=PLAIN user=- outcome=Malformed failures=0",
            "audit peer=- tls=yes auth mechanism=CRAM-MD5 user=- outcome=UnsupportedMechanism failures=0",
            "scram-lookup alice",
            "audit peer=- tls=yes auth mechanism=SCRAM-SHA-256 user=\"alice\" outcome=Success failures=0",
            "authenticated alice",
        ]
    );
}

#[test]
fn scram_unknown_user_fails_like_a_wrong_proof() {
    let mut h = Harness::new(sasl_config(), Tls, Split::Whole);
    h.take_wire();
    h.send(format!("a AUTHENTICATE SCRAM-SHA-256 {}\r\n", b64(b"mallory")).as_bytes());
    assert_eq!(h.take_wire(), format!("+ {}\r\n", b64(b"s=fake")));
    h.send(format!("{}\r\n", b64(b"guess")).as_bytes());
    assert_eq!(
        h.take_wire(),
        "a NO [AUTHENTICATIONFAILED] Authentication failed\r\n"
    );
    assert_eq!(
        h.take_log()[1],
        "audit peer=- tls=yes auth mechanism=SCRAM-SHA-256 user=\"mallory\" outcome=Failed failures=1"
    );
}

#[test]
fn scram_plus_needs_the_channel_binding() {
    let mut h = Harness::new(sasl_config(), Plaintext, Split::Whole);
    h.send(b"a STARTTLS\r\n");
    h.server
        .tls_established(h.now, Some(b"cb".to_vec()))
        .unwrap();
    h.take_wire();
    h.send(
        format!(
            "b AUTHENTICATE SCRAM-SHA-256-PLUS {}\r\n{}\r\n\r\n",
            b64(b"alice"),
            b64(b"proof-of-alicecb")
        )
        .as_bytes(),
    );
    assert!(h
        .take_wire()
        .ends_with("b OK [CAPABILITY IMAP4rev2 IMAP4rev1 LITERAL-] Logged in\r\n"));
    // Implicit TLS with the value known from the start: offered in the
    // greeting, and the exchange binds to it.
    let now = Instant::now();
    let mut s = Server::new_tls(Arc::new(sasl_config()), now, b"cb".to_vec());
    let mut out = Vec::new();
    while s.poll_transmit(now, &mut out).is_some() {}
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "* OK [CAPABILITY IMAP4rev2 IMAP4rev1 LITERAL- AUTH=SCRAM-SHA-256 \
         AUTH=SCRAM-SHA-256-PLUS AUTH=PLAIN SASL-IR] IMAP server ready\r\n"
    );
    assert_eq!(s.security(), Tls);
    // Without a binding value the mechanism is not offered.
    let mut h = Harness::new(sasl_config(), Tls, Split::Whole);
    h.take_wire();
    h.send(format!("a AUTHENTICATE SCRAM-SHA-256-PLUS {}\r\n", b64(b"alice")).as_bytes());
    assert_eq!(
        h.take_wire(),
        "a NO Unsupported authentication mechanism\r\n"
    );
}

#[test]
fn tokens_answer_once_and_only_their_own_exchange() {
    let mut h = Harness::new(ServerConfig::default(), Tls, Split::Whole);
    h.policy = Policy {
        passwords: None,
        ..Policy::default()
    };
    h.take_wire();
    h.send(b"a LOGIN alice wonderland\r\nb NOOP\r\n");
    // The decision is pending: no command is read behind it.
    assert!(!h.server.wants_read());
    assert_eq!(h.take_wire(), "");
    let attempt = h.logins.pop_front().unwrap();
    assert_eq!(attempt.identity().authcid, "alice");
    assert_eq!(attempt.mechanism(), None);
    h.server
        .decide_login(h.now, attempt, imapkit_state::server::AuthVerdict::Accept)
        .unwrap();
    h.pump();
    assert_eq!(
        h.take_wire(),
        "a OK [CAPABILITY IMAP4rev2 IMAP4rev1 LITERAL-] Logged in\r\nb OK completed\r\n"
    );
    assert_eq!(h.server.identity().unwrap().authcid, "alice");
}

#[test]
fn pipelined_readers_run_side_by_side_and_finish_in_any_order() {
    let (wire, log) = same_under_every_split(
        |s| manual(ServerConfig::default(), s),
        |h| {
            h.send(b"a UID FETCH 1:* FLAGS\r\nb LIST \"\" \"*\"\r\n");
            assert_eq!(h.requests.len(), 2);
            assert_eq!(h.server.in_flight(), 2);
            // The LIST finishes first.
            let (a, b) = (
                h.requests.pop_front().unwrap(),
                h.requests.pop_front().unwrap(),
            );
            h.server.respond(h.now, b.0, Completion::ok()).unwrap();
            h.server.send_data(h.now, &a.0, fetch_uid(1, 7)).unwrap();
            h.server.respond(h.now, a.0, Completion::ok()).unwrap();
            h.drive();
        },
    );
    assert_eq!(
        wire,
        "b OK completed\r\n* 1 FETCH (UID 7)\r\na OK completed\r\n"
    );
    assert_eq!(log, ["command a UID FETCH", "command b LIST"]);
}

#[test]
fn a_command_that_must_run_alone_waits_for_those_in_flight() {
    let (wire, log) = same_under_every_split(
        |s| manual(ServerConfig::default(), s),
        |h| {
            h.send(b"a FETCH 1 FLAGS\r\nb STORE 1 +FLAGS (\\Seen)\r\nc NOOP\r\n");
            // STORE changes what FETCH reads: it waits, and so does NOOP.
            assert_eq!(h.log, ["command a FETCH"]);
            assert!(!h.server.wants_read());
            h.answer(vec![], Completion::ok());
            assert_eq!(h.log.last().unwrap(), "command b STORE");
            h.answer(vec![], Completion::ok());
            h.answer(vec![], Completion::ok());
        },
    );
    assert_eq!(
        wire,
        "a OK completed\r\nb OK completed\r\nc OK completed\r\n"
    );
    assert_eq!(
        log,
        ["command a FETCH", "command b STORE", "command c NOOP"]
    );
}

#[test]
fn select_while_selected_reports_closed_and_failure_deselects() {
    let mut h = manual(ServerConfig::default(), Split::Whole);
    h.send(b"a SELECT Archive\r\n");
    assert_eq!(h.take_wire(), "* OK [CLOSED] Previous mailbox closed\r\n");
    assert_eq!(h.server.state(), SessionState::Authenticated);
    h.answer(vec![Data::Exists(3)], Completion::ok());
    assert_eq!(h.take_wire(), "* 3 EXISTS\r\na OK completed\r\n");
    assert_eq!(h.server.state(), SessionState::Selected);
    h.send(b"b EXAMINE Nope\r\n");
    h.answer(
        vec![],
        Completion::no(RespText::text("No such mailbox").unwrap()),
    );
    assert_eq!(
        h.take_wire(),
        "* OK [CLOSED] Previous mailbox closed\r\nb NO No such mailbox\r\n"
    );
    assert_eq!(h.server.state(), SessionState::Authenticated);
    h.send(b"c FETCH 1 FLAGS\r\n");
    assert_eq!(h.take_wire(), "c BAD Command not valid in this state\r\n");
}

#[test]
fn close_and_unselect_return_to_authenticated() {
    let mut h = Harness::selected(ServerConfig::default(), Split::Whole);
    h.send(b"a CLOSE\r\nb FETCH 1 FLAGS\r\n");
    assert_eq!(
        h.take_wire(),
        "a OK completed\r\nb BAD Command not valid in this state\r\n"
    );
    assert_eq!(h.server.state(), SessionState::Authenticated);
}

#[test]
fn logout_after_the_commands_in_flight() {
    let mut h = manual(ServerConfig::default(), Split::Whole);
    h.send(b"a UID FETCH 1 FLAGS\r\nb LOGOUT\r\n");
    assert_eq!(h.take_wire(), "");
    h.answer(vec![fetch_uid(1, 1)], Completion::ok());
    assert_eq!(
        h.take_wire(),
        "* 1 FETCH (UID 1)\r\na OK completed\r\n* BYE Logging out\r\nb OK LOGOUT completed\r\n"
    );
    assert_eq!(h.take_log().last().unwrap(), "closed Logout");
    assert_eq!(h.server.state(), SessionState::Logout);
    assert!(!h.server.wants_read());
}

#[test]
fn idle_pushes_updates_until_done() {
    let (wire, log) = same_under_every_split(
        |s| Harness::selected(ServerConfig::default(), s),
        |h| {
            h.send(b"a IDLE\r\n");
            h.server.send_unsolicited(h.now, Data::Exists(4)).unwrap();
            h.server
                .send_unsolicited(h.now, Data::Expunge(nz(2)))
                .unwrap();
            h.drive();
            h.send(b"DONE\r\nb NOOP\r\nc IDLE\r\n");
            h.send(b"d NOOP\r\n");
        },
    );
    assert_eq!(
        wire,
        "+ idling\r\n* 4 EXISTS\r\n* 2 EXPUNGE\r\na OK IDLE terminated\r\nb OK completed\r\n\
         + idling\r\nc BAD Expected DONE\r\n"
    );
    assert_eq!(
        log,
        [
            "idle-started",
            "expunge-sent Expunge(2)",
            "idle-ended done=true",
            "command b NOOP",
            "idle-started",
            "violation a command during IDLE (expected DONE) (message at byte 74)",
            "idle-ended done=false",
        ]
    );
}

#[test]
fn idle_maximum_ends_the_connection() {
    let mut config = ServerConfig::default();
    config.timeouts.idle_max = Duration::from_secs(31 * 60);
    let mut h = Harness::selected(config, Split::Whole);
    h.send(b"a IDLE\r\n");
    h.take_wire();
    // During IDLE only the IDLE maximum runs.
    assert_eq!(h.advance(), Some(Duration::from_secs(31 * 60)));
    assert_eq!(h.take_wire(), "* BYE IDLE for too long\r\n");
    assert_eq!(h.take_log().last().unwrap(), "closed IdleTimeout");
}

#[test]
fn authenticated_autologout_is_never_under_30_minutes() {
    let mut config = ServerConfig::default();
    config.timeouts.autologout_authenticated = Duration::from_secs(60);
    let mut h = Harness::logged_in(config, Split::Whole);
    h.advance_by(Duration::from_secs(600));
    h.send(b"a NOOP\r\n");
    assert_eq!(h.take_wire(), "a OK completed\r\n");
    // Reset by the command: 30 minutes from it.
    assert_eq!(h.advance(), Some(Duration::from_secs(1800)));
    assert_eq!(h.take_wire(), "* BYE Autologout; idle for too long\r\n");
}

#[test]
fn enable_is_tracked_and_the_output_follows_it() {
    let mut config = ServerConfig::default();
    config.capabilities.push(Capability::QResync);
    let mut h = Harness::logged_in(config, Split::Whole);
    h.send(b"s SELECT INBOX\r\n");
    h.take_wire();
    // VANISHED needs ENABLE QRESYNC.
    let vanished = Data::Vanished {
        earlier: false,
        uids: SequenceSet::from(nz(9)),
    };
    assert_eq!(
        h.server.send_unsolicited(h.now, vanished.clone()),
        Err(UsageError::NotEnabled("QRESYNC"))
    );
    h.send(b"c CLOSE\r\nu UNSELECT\r\n");
    h.take_wire();
    h.send(b"a ENABLE QRESYNC IMAP4rev2 X-UNKNOWN\r\nb ENABLE QRESYNC\r\n");
    assert_eq!(
        h.take_wire(),
        "* ENABLED QRESYNC IMAP4rev2\r\na OK ENABLE completed\r\n* ENABLED\r\nb OK ENABLE completed\r\n"
    );
    let enabled = h.server.enabled();
    assert!(enabled.qresync && enabled.condstore && enabled.imap4rev2 && !enabled.utf8_accept);
    h.send(b"d SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n");
    assert_eq!(h.take_wire(), "d OK completed\r\n");
    h.policy.auto_respond = false;
    h.send(b"e NOOP\r\n");
    let (req, _) = h.requests.pop_front().unwrap();
    h.server.send_data(h.now, &req, vanished).unwrap();
    // IMAP4rev2 has no RECENT: dropped.
    h.server.send_data(h.now, &req, Data::Recent(1)).unwrap();
    h.server.respond(h.now, req, Completion::ok()).unwrap();
    h.drive();
    assert_eq!(h.take_wire(), "* VANISHED 9\r\ne OK completed\r\n");
}

#[test]
fn select_qresync_without_enable_is_bad() {
    let mut config = ServerConfig::default();
    config.capabilities.push(Capability::QResync);
    let mut h = Harness::logged_in(config, Split::Whole);
    h.send(b"a SELECT INBOX (QRESYNC (1 2))\r\n");
    assert_eq!(h.take_wire(), "a BAD QRESYNC is not enabled\r\n");
}

#[test]
fn extension_commands_reach_the_application() {
    let mut config = ServerConfig::default();
    config
        .extension_commands
        .push(ExtensionCommand::new("XAPPLEPUSHSERVICE"));
    let mut h = Harness::logged_in(config, Split::Whole);
    h.send(b"a XAPPLEPUSHSERVICE aps-version 2\r\nb XOTHER\r\n");
    assert_eq!(h.take_wire(), "a OK completed\r\nb BAD Unknown command\r\n");
    assert_eq!(h.take_log(), ["command a XAPPLEPUSHSERVICE"]);
}

#[test]
fn limits_end_in_clear_answers_and_earlier_commands_are_answered() {
    let mut config = ServerConfig::default();
    config.limits.max_line = 100;
    config.limits.max_tag = 8;
    config.limits.max_depth = 3;
    config.throttle.max_garbage = 100;
    // Before login the session answers NOOP itself, so the order of the
    // answers does not depend on when the application answers.
    let (wire, log) = same_under_every_split(
        |s| {
            let mut h = Harness::new(config.clone(), Tls, s);
            h.take_wire();
            h
        },
        |h| {
            let mut input = b"a NOOP\r\nb SEARCH ".to_vec();
            input.extend(vec![b'X'; 120]);
            input.extend_from_slice(b"\r\nc NOOP\r\n");
            input.extend_from_slice(b"verylongtag NOOP\r\n");
            input.extend_from_slice(b"d SEARCH ((((SEEN))))\r\ne NOOP\n");
            h.send(&input);
        },
    );
    assert_eq!(
        wire,
        "a OK NOOP completed\r\nb BAD Line too long\r\nc OK NOOP completed\r\n* BAD Tag too long\r\n\
         d BAD Parentheses nested too deep\r\ne BAD Line ends with a bare LF\r\n"
    );
    assert_eq!(
        log,
        [
            "violation framing: line exceeds limit of 100 bytes (message at byte 8)",
            "audit peer=- tls=yes limit \"line too long\"",
            "audit peer=- tls=yes limit \"tag too long\"",
            "violation framing: parentheses nested deeper than limit 3 (message at byte 165)",
            "audit peer=- tls=yes limit \"nesting too deep\"",
            "violation framing: line ends with a bare LF (message at byte 188)",
        ]
    );
}

#[test]
fn pipelined_answers_may_interleave_with_refusals() {
    // With an application command in flight, a refusal behind it goes out
    // at once (RFC 9051 §5.5: tags tell the answers apart).
    let mut h = manual(ServerConfig::default(), Split::Whole);
    h.send(b"a NOOP\r\nb XYZZY\r\n");
    assert_eq!(h.take_wire(), "b BAD Unknown command\r\n");
    h.answer(vec![], Completion::ok());
    assert_eq!(h.take_wire(), "a OK completed\r\n");
}

#[test]
fn a_client_that_never_reads_cannot_grow_memory() {
    let mut config = ServerConfig::default();
    config.limits.max_output = 4096;
    config.limits.max_message = 4096;
    config.limits.max_line = 1024;
    let mut h = manual(config, Split::Whole);
    // The application answers every FETCH with 1 KiB and the client never
    // takes the output.
    let body = "x".repeat(1024);
    let mut pending = 0;
    for k in 0..50u32 {
        h.server
            .handle_input(h.now, format!("f{k} UID FETCH {k}:* FLAGS\r\n").as_bytes());
        while let Some(event) = h.server.poll_event() {
            if let Event::CommandReceived { request, .. } = event {
                let data = Data::Fetch {
                    seq: nz(1),
                    items: Vec1::new(MessageDataItem::Rfc822(
                        imapkit_state::proto::NString::from(body.as_str()).into_static(),
                    )),
                };
                h.server.send_data(h.now, &request, data).unwrap();
                h.server.respond(h.now, request, Completion::ok()).unwrap();
                pending += 1;
            }
        }
    }
    // Reading stopped once the output was full: 4 answers of 1 KiB queued.
    assert_eq!(pending, 4);
    assert!(!h.server.wants_read());
    assert!(h.server.output_len() < 4096 + 1100);
    assert_eq!(
        h.server.send_unsolicited(h.now, Data::Exists(1)),
        Err(UsageError::OutputFull)
    );
    // An application that keeps pushing input: bounded, then BYE.
    assert!(!h.server.is_closed());
    h.server.handle_input(h.now, &vec![b'z'; 8192]);
    assert!(h.server.is_closed());
    let mut out = Vec::new();
    while h.server.poll_transmit(h.now, &mut out).is_some() {}
    assert!(out.ends_with(b"* BYE Too much input\r\n"));
}

#[test]
fn reading_resumes_when_the_output_is_taken() {
    let mut config = ServerConfig::default();
    config.limits.max_output = 2048;
    let mut h = Harness::selected(config, Split::Whole);
    h.policy.auto_respond = false;
    let mut input = Vec::new();
    for k in 0..10 {
        input.extend_from_slice(format!("n{k} NOOP\r\n").as_bytes());
    }
    h.server.handle_input(h.now, &input);
    let mut answered = 0;
    let mut out = Vec::new();
    loop {
        let mut progress = false;
        while let Some(event) = h.server.poll_event() {
            if let Event::CommandReceived { request, .. } = event {
                let big = imapkit_state::proto::Text::try_new("y".repeat(1500)).unwrap();
                let text = RespText::new(None, big).unwrap();
                h.server
                    .respond(h.now, request, Completion::new(Status::Ok, text))
                    .unwrap();
                answered += 1;
                progress = true;
            }
        }
        if h.server.poll_transmit(h.now, &mut out).is_some() {
            progress = true;
        }
        if !progress {
            break;
        }
    }
    assert_eq!(answered, 10);
    assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 10);
}

#[test]
fn large_literals_go_out_by_reference() {
    let mut h = manual(ServerConfig::default(), Split::Whole);
    h.send(b"a UID FETCH 7 BODY.PEEK[]\r\n");
    let (request, _) = h.requests.pop_front().unwrap();
    let body = "b".repeat(64 * 1024);
    let frame = Bytes::from(format!(
        "* 1 FETCH (UID 7 BODY[] {{{}}}\r\n{body})\r\n",
        body.len()
    ));
    let Ok(Decoded::Complete { message, .. }) = decode::response(&frame) else {
        panic!("a response")
    };
    let Response::Data(data) = message.into_shared(&frame) else {
        panic!("data")
    };
    h.server.send_data(h.now, &request, data).unwrap();
    h.server.respond(h.now, request, Completion::ok()).unwrap();
    let mut out = Vectored::new();
    let n = h.server.poll_transmit_vectored(h.now, &mut out).unwrap();
    assert_eq!(n, frame.len() + "a OK completed\r\n".len());
    let chunks: Vec<&[u8]> = out.chunks().collect();
    assert_eq!(chunks.len(), 3);
    // The body is the frame's own memory, not a copy.
    assert_eq!(
        chunks[1].as_ptr(),
        frame[frame.len() - 3 - body.len()..].as_ptr()
    );
    assert_eq!(chunks[2], b")\r\na OK completed\r\n");
    assert!(h.server.poll_transmit_vectored(h.now, &mut out).is_none());
}

#[test]
fn responses_to_a_closed_session_come_back() {
    let mut h = manual(ServerConfig::default(), Split::Whole);
    h.send(b"a NOOP\r\n");
    let (request, _) = h.requests.pop_front().unwrap();
    h.server.handle_eof(h.now);
    assert!(h.server.is_closed());
    let Unanswered {
        error: err,
        token: request,
    } = h
        .server
        .respond(h.now, request, Completion::ok())
        .unwrap_err();
    assert_eq!(err, UsageError::Closed);
    assert_eq!(
        h.server.send_data(h.now, &request, Data::Exists(1)),
        Err(UsageError::Closed)
    );
    h.drive();
    assert_eq!(h.take_log().last().unwrap(), "closed PeerClosed");
}

#[test]
fn stream_offsets_survive_the_buffer_release() {
    // The session replaces its framer between messages to give memory back;
    // offsets in violations still count from the start of the stream.
    let mut h = Harness::selected(ServerConfig::default(), Split::Whole);
    let filler = format!("a NOOP {}\r\n", "");
    let mut offset = "L1 LOGIN alice wonderland\r\nS1 SELECT INBOX\r\n".len();
    for _ in 0..100 {
        h.send(b"n UID FETCH 1:* (FLAGS)\r\n");
        offset += "n UID FETCH 1:* (FLAGS)\r\n".len();
    }
    h.take_log();
    h.send(filler.as_bytes());
    assert_eq!(
        h.take_log(),
        [format!(
            "violation syntax error at byte 6 of the message: expected CRLF (message at byte {offset})"
        )]
    );
}

#[test]
fn commands_in_flight_are_limited() {
    let mut config = ServerConfig::default();
    config.limits.max_in_flight = 3;
    let mut h = manual(config, Split::Whole);
    h.send(b"a UID FETCH 1 (UID)\r\nb UID FETCH 2 (UID)\r\nc UID FETCH 3 (UID)\r\nd UID FETCH 4 (UID)\r\n");
    // Three handed out; the fourth waits in the input.
    assert_eq!(h.server.in_flight(), 3);
    assert!(!h.server.wants_read());
    h.answer(vec![], Completion::ok());
    assert_eq!(h.server.in_flight(), 3);
    assert_eq!(h.log.last().unwrap(), "command d UID FETCH");
}

#[test]
fn a_command_over_the_message_limit() {
    let mut config = ServerConfig::default();
    config.limits.max_literal = 1000;
    config.limits.max_append_literal = 1000;
    config.limits.max_message = 1500;
    let mut h = Harness::selected(config, Split::Whole);
    let mut input = Vec::new();
    for (tag, cmd) in [("a", "SEARCH TEXT"), ("b", "APPEND INBOX")] {
        input.extend_from_slice(format!("{tag} {cmd} {{900}}\r\n").as_bytes());
        input.extend(vec![b'q'; 900]);
        input.extend_from_slice(b" {900}\r\n");
        input.extend(vec![b'q'; 900]);
        input.extend_from_slice(b"\r\n");
    }
    input.extend_from_slice(b"c NOOP\r\n");
    h.send(&input);
    // The second literal would make each command larger than the limit.
    let wire = h.take_wire();
    assert!(wire.contains("a BAD Command too long\r\n"), "{wire}");
    assert!(
        wire.contains("b NO [TOOBIG] Message too large\r\n"),
        "{wire}"
    );
    assert!(wire.ends_with("c OK completed\r\n"), "{wire}");
}

#[test]
fn audit_events_carry_the_peer_address() {
    let mut h = Harness::new(ServerConfig::default(), Plaintext, Split::Whole);
    h.server
        .set_peer_address("198.51.100.4:40000".parse().unwrap());
    h.send(b"a LOGIN mallory x\r\n");
    assert_eq!(
        h.take_log(),
        ["audit peer=198.51.100.4:40000 tls=no login user=\"mallory\" outcome=PrivacyRequired failures=0"]
    );
}

#[test]
fn unauthenticate_returns_to_not_authenticated() {
    let mut config = ServerConfig::default();
    config.capabilities.push(Capability::Unauthenticate);
    config.capabilities.push(Capability::CondStore);
    let mut h = Harness::selected(config, Split::Whole);
    h.send(b"e FETCH 1 (MODSEQ)\r\n");
    assert!(
        h.server.enabled().condstore,
        "FETCH MODSEQ enables CONDSTORE"
    );
    h.send(b"a UNAUTHENTICATE\r\nb SELECT INBOX\r\nc LOGIN alice wonderland\r\n");
    assert_eq!(
        h.take_wire(),
        "e OK completed\r\na OK completed\r\nb BAD Command not valid in this state\r\n\
         c OK [CAPABILITY IMAP4rev2 IMAP4rev1 UNAUTHENTICATE CONDSTORE LITERAL-] Logged in\r\n"
    );
    assert!(!h.server.enabled().condstore, "per-user state is reset");
}

/// RFC 8437 §3 does not permit NO for UNAUTHENTICATE (a client may have
/// pipelined AUTHENTICATE behind it): the Server refuses such an answer
/// and gives the request back; OK still works. Was a bug: the NO went out.
#[test]
fn unauthenticate_may_not_be_answered_no() {
    let mut config = ServerConfig::default();
    config.capabilities.push(Capability::Unauthenticate);
    let mut h = Harness::selected(config, Split::Whole);
    h.policy.auto_respond = false;
    h.send(b"u UNAUTHENTICATE\r\n");
    let (request, _) = h.requests.pop_front().expect("UNAUTHENTICATE handed out");
    let no = Completion::no(RespText::text("cannot reset").unwrap());
    let Err(Unanswered {
        error: UsageError::Unexpected(why),
        token: request,
    }) = h.server.respond(h.now, request, no)
    else {
        panic!("a NO was accepted")
    };
    assert!(why.contains("RFC 8437"), "{why}");
    assert_eq!(h.take_wire(), "");
    h.server.respond(h.now, request, Completion::ok()).unwrap();
    h.pump();
    assert_eq!(h.take_wire(), "u OK completed\r\n");
    assert_eq!(h.server.state(), SessionState::NotAuthenticated);
}

/// iPhone Mail sends `CHANGEDSINCE 0` ("every message"),
/// which RFC 7162 §7's grammar does not allow (1 or more) and Dovecot 2.3
/// answers: the Server hands it to the application as `ChangedSince(0)`
/// instead of answering BAD, and it enables CONDSTORE like any CHANGEDSINCE.
#[test]
fn changedsince_0_from_real_clients_reaches_the_application() {
    let mut config = ServerConfig::default();
    config.capabilities.push(Capability::CondStore);
    let mut h = Harness::selected(config, Split::Whole);
    h.policy.auto_respond = false;
    h.send(b"f UID FETCH 1:* (FLAGS) (CHANGEDSINCE 0)\r\n");
    assert!(h.server.enabled().condstore);
    let command = h.answer(vec![], Completion::ok());
    let imapkit_proto::CommandBody::Fetch { uid, modifiers, .. } = command.body else {
        panic!("{command:?}")
    };
    assert!(uid);
    assert_eq!(modifiers, [imapkit_proto::FetchModifier::ChangedSince(0)]);
    assert_eq!(h.take_wire(), "f OK completed\r\n");
}

/// RFC 3501 §4.3 and RFC 6855 §3: to a client that speaks IMAP4rev1 and
/// has not enabled UTF8=ACCEPT, a string with non-ASCII bytes goes as a
/// literal, never as an 8-bit quoted string; after `ENABLE UTF8=ACCEPT`
/// or `ENABLE IMAP4rev2` (RFC 9051 §4.3), and on a server that offers only
/// IMAP4rev2, it stays quoted. Was a doubt of stop 29's encoding review:
/// quoted strings went out as the application built them.
#[test]
fn non_ascii_strings_are_literals_until_the_client_takes_utf8() {
    let utf8 = Capability::try_from("UTF8=ACCEPT").unwrap();
    let name = || {
        Data::Id(Some(vec![(
            "name".into(),
            imapkit_state::proto::NString::from("日本"),
        )]))
    };
    let mut config = ServerConfig::default();
    config.capabilities.push(utf8.clone());
    for (enable, expected) in [
        (None, "* ID (\"name\" {6}\r\n日本)\r\n"),
        (Some("UTF8=ACCEPT"), "* ID (\"name\" \"日本\")\r\n"),
        (Some("IMAP4rev2"), "* ID (\"name\" \"日本\")\r\n"),
    ] {
        let mut h = Harness::logged_in(config.clone(), Split::Whole);
        if let Some(cap) = enable {
            h.send(format!("e ENABLE {cap}\r\n").as_bytes());
            assert_eq!(
                h.take_wire(),
                format!("* ENABLED {cap}\r\ne OK ENABLE completed\r\n")
            );
        }
        h.server.send_unsolicited(h.now, name()).unwrap();
        h.drive();
        assert_eq!(h.take_wire(), expected, "{enable:?}");
    }
    // UNAUTHENTICATE forgets what the user enabled (RFC 8437 §3), UTF-8
    // quoted strings too. Was a bug: the encoder kept writing UTF-8.
    let mut config = ServerConfig::default();
    config.capabilities.push(utf8.clone());
    config.capabilities.push(Capability::Unauthenticate);
    let mut h = Harness::logged_in(config, Split::Whole);
    h.send(b"e ENABLE UTF8=ACCEPT\r\nu UNAUTHENTICATE\r\n");
    h.take_wire();
    h.server.send_unsolicited(h.now, name()).unwrap();
    h.drive();
    assert_eq!(h.take_wire(), "* ID (\"name\" {6}\r\n日本)\r\n");
    // IMAP4rev2 only: UTF-8 from the start.
    let mut config = ServerConfig::default();
    config.capabilities.retain(|c| *c != Capability::Imap4Rev1);
    let mut h = Harness::logged_in(config, Split::Whole);
    h.server.send_unsolicited(h.now, name()).unwrap();
    h.drive();
    assert_eq!(h.take_wire(), "* ID (\"name\" \"日本\")\r\n");
}

/// `SelectAnswer` for the mailbox INBOX (3 messages, UIDVALIDITY 1700).
fn inbox_answer() -> imapkit_state::server::SelectAnswer {
    use imapkit_state::proto::{Delimiter, Flag, FlagPerm, Mailbox, MailboxList};
    let list = MailboxList {
        attributes: vec![],
        delimiter: Some(Delimiter::SLASH),
        mailbox: Mailbox::Inbox,
        extended: vec![],
    };
    imapkit_state::server::SelectAnswer::new(list, NonZeroU32::new(1700).unwrap(), 44, 3)
        .flags(vec![Flag::Seen, Flag::Deleted])
        .permanent_flags(vec![
            FlagPerm::Flag(Flag::Seen),
            FlagPerm::Flag(Flag::Deleted),
        ])
        .recent(1)
        .first_unseen(NonZeroU32::new(2))
}

/// `Server::answer_select` writes what RFC 3501 §6.3.1 owes an IMAP4rev1
/// client (FLAGS, EXISTS, RECENT, UNSEEN, PERMANENTFLAGS, UIDVALIDITY,
/// UIDNEXT) and what RFC 9051 §6.3.2 owes an IMAP4rev2 one (LIST of the
/// mailbox, no RECENT nor UNSEEN); NOMODSEQ or HIGHESTMODSEQ where the
/// server announces CONDSTORE (RFC 7162 §3.1.2); EXAMINE is READ-ONLY
/// whatever the answer says. Stop 33, from the server-author review's
/// friction 2 (seven calls and a MUST no doc named).
#[test]
fn answer_select_writes_what_each_version_owes() {
    let kept = |config: ServerConfig| {
        let mut h = Harness::logged_in(config, Split::Whole);
        h.policy.auto_respond = false;
        h
    };
    // IMAP4rev1 session (IMAP4rev2 offered, not enabled).
    let mut h = kept(ServerConfig::default());
    h.send(b"a SELECT INBOX\r\n");
    let (request, _) = h.requests.pop_front().unwrap();
    h.server
        .answer_select(h.now, request, inbox_answer())
        .unwrap();
    h.pump();
    assert_eq!(
        h.take_wire(),
        "* FLAGS (\\Seen \\Deleted)\r\n* 3 EXISTS\r\n* 1 RECENT\r\n\
         * OK [UNSEEN 2] first unseen\r\n\
         * OK [PERMANENTFLAGS (\\Seen \\Deleted)] flags permitted\r\n\
         * OK [UIDVALIDITY 1700] UIDs valid\r\n* OK [UIDNEXT 44] predicted next UID\r\n\
         a OK [READ-WRITE] completed\r\n"
    );
    assert_eq!(h.server.state(), SessionState::Selected);
    // EXAMINE: READ-ONLY, and [CLOSED] (the session's) before it all.
    h.send(b"b EXAMINE INBOX\r\n");
    let (request, _) = h.requests.pop_front().unwrap();
    h.server
        .answer_select(h.now, request, inbox_answer())
        .unwrap();
    h.pump();
    let wire = h.take_wire();
    assert!(
        wire.starts_with("* OK [CLOSED] Previous mailbox closed\r\n"),
        "{wire}"
    );
    assert!(wire.ends_with("b OK [READ-ONLY] completed\r\n"), "{wire}");
    // Not a SELECT: refused, the request given back.
    h.send(b"c NOOP\r\n");
    let (request, _) = h.requests.pop_front().unwrap();
    let Unanswered {
        error: e,
        token: request,
    } = h
        .server
        .answer_select(h.now, request, inbox_answer())
        .unwrap_err();
    assert!(matches!(e, UsageError::Unexpected(_)), "{e:?}");
    h.server.respond(h.now, request, Completion::ok()).unwrap();
    h.pump();
    h.take_wire();

    // IMAP4rev2 enabled, CONDSTORE announced, a mailbox without
    // mod-sequences.
    let mut config = ServerConfig::default();
    config.capabilities.push(Capability::Enable);
    config.capabilities.push(Capability::CondStore);
    let mut h = kept(config);
    h.send(b"e ENABLE IMAP4rev2\r\n");
    assert_eq!(
        h.take_wire(),
        "* ENABLED IMAP4rev2\r\ne OK ENABLE completed\r\n"
    );
    h.send(b"a SELECT INBOX\r\n");
    let (request, _) = h.requests.pop_front().unwrap();
    h.server
        .answer_select(h.now, request, inbox_answer())
        .unwrap();
    h.pump();
    assert_eq!(
        h.take_wire(),
        "* FLAGS (\\Seen \\Deleted)\r\n* 3 EXISTS\r\n* LIST () \"/\" INBOX\r\n\
         * OK [PERMANENTFLAGS (\\Seen \\Deleted)] flags permitted\r\n\
         * OK [UIDVALIDITY 1700] UIDs valid\r\n* OK [UIDNEXT 44] predicted next UID\r\n\
         * OK [NOMODSEQ] no mod-sequences\r\n\
         a OK [READ-WRITE] completed\r\n"
    );
    // With mod-sequences.
    h.send(b"b SELECT INBOX\r\n");
    let (request, _) = h.requests.pop_front().unwrap();
    let answer = inbox_answer().highest_modseq(Some(90)).read_only(true);
    h.server.answer_select(h.now, request, answer).unwrap();
    h.pump();
    let wire = h.take_wire();
    assert!(
        wire.contains("* OK [HIGHESTMODSEQ 90] highest\r\n"),
        "{wire}"
    );
    assert!(wire.ends_with("b OK [READ-ONLY] completed\r\n"), "{wire}");
}

/// A completion with the application's own text (a store's error message)
/// cannot fail: CR, LF and NUL become spaces, so the answer stays one line
/// and nothing of the text is read by the client as a response of its
/// own (server_tasks_review friction 6).
#[test]
fn a_completion_with_the_applications_own_text_stays_one_line() {
    let mut h = manual(ServerConfig::default(), Split::Whole);
    let answer = |h: &mut Harness, command: &[u8], completion: Completion| {
        h.send(command);
        let (request, _) = h
            .requests
            .pop_front()
            .expect("the command reached the application");
        h.server.respond(h.now, request, completion).unwrap();
        h.drive();
    };
    let store_error = "write failed:\r\n* BYE injected\0";
    let code = Some(imapkit_state::proto::ResponseCode::ServerBug);
    answer(
        &mut h,
        b"a DELETE Drafts\r\n",
        Completion::with_text(Status::No, code, store_error),
    );
    answer(
        &mut h,
        b"b CREATE Sent\r\n",
        Completion::with_text(Status::Ok, None, "[not a code]"),
    );
    answer(
        &mut h,
        b"c SUBSCRIBE Sent\r\n",
        Completion::with_text(Status::Bad, None, ""),
    );
    assert_eq!(
        h.take_wire(),
        "a NO [SERVERBUG] write failed:  * BYE injected \r\n\
         b OK  [not a code]\r\n\
         c BAD \r\n"
    );
}

/// A large answer streamed as `output_full` says (server_tasks_review
/// friction 3): the queue never holds more than `max_output` and one
/// message, every message goes out once and in order, the completion last.
#[test]
fn a_large_answer_streams_within_the_output_limit() {
    let mut config = ServerConfig::default();
    config.limits.max_output = 1024;
    let mut h = manual(config, Split::Whole);
    h.send(b"a UID FETCH 1:* (UID)\r\n");
    let (request, _) = h.requests.pop_front().unwrap();
    let mut socket = Vec::new();
    let (mut most, mut flushes) = (0, 0);
    for k in 1..=500 {
        h.server
            .send_data(h.now, &request, fetch_uid(k, 1000 + k))
            .unwrap();
        most = most.max(h.server.output_len());
        if h.server.output_full() {
            assert!(!h.server.wants_read(), "a full output holds input back");
            while h.server.poll_transmit(h.now, &mut socket).is_some() {}
            assert!(!h.server.output_full());
            assert_eq!(h.server.output_len(), 0);
            flushes += 1;
        }
    }
    h.server.respond(h.now, request, Completion::ok()).unwrap();
    while h.server.poll_transmit(h.now, &mut socket).is_some() {}
    let longest = "* 500 FETCH (UID 1500)\r\n".len();
    assert!(most < 1024 + longest, "{most}");
    assert!(flushes >= 10, "{flushes}");
    let expected: String = (1..=500)
        .map(|k| format!("* {k} FETCH (UID {})\r\n", 1000 + k))
        .chain(["a OK completed\r\n".to_owned()])
        .collect();
    assert_eq!(String::from_utf8(socket).unwrap(), expected);
}
