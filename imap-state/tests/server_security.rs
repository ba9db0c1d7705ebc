//! Transcript tests of the server's security rules: STARTTLS injection,
//! credentials before TLS, failed-login delays and cut-off, literals over
//! the limits, commands in the wrong state, garbage before login, and
//! secrets in Debug output. Each transcript runs whole, byte by byte and in
//! random chunks, with identical results.

mod util;

use std::time::Duration;

use imapkit_state::server::{CloseReason, LiteralSupport, ServerConfig, SessionState};
use imapkit_state::ConnectionSecurity::{Plaintext, Tls};
use util::{b64, same_under_every_split, sasl_config, Harness, Policy, Split};

const GREETING_PLAIN: &str =
    "* OK [CAPABILITY IMAP4rev2 IMAP4rev1 LITERAL- STARTTLS LOGINDISABLED] IMAP server ready\r\n";

fn plain(split: Split) -> Harness {
    let mut h = Harness::new(ServerConfig::default(), Plaintext, split);
    assert_eq!(h.take_wire(), GREETING_PLAIN);
    h
}

#[test]
fn starttls_injection_is_discarded_and_reported() {
    let injected = b"b LOGIN alice wonderland\r\n";
    let (wire, log) = same_under_every_split(plain, |h| {
        let mut input = b"a STARTTLS\r\n".to_vec();
        input.extend_from_slice(injected);
        h.send(&input);
        // The session stopped reading at the OK; what the application had
        // already read of the stream reaches it before the handshake.
        assert!(!h.server.wants_read());
        let rest: Vec<u8> = h.inbox.drain(..).collect();
        h.force_feed(&rest);
        // The application flushed the OK (drive), then ran the handshake.
        h.server.tls_established(h.now, None).unwrap();
        h.drive();
        h.send(b"c CAPABILITY\r\n");
    });
    assert_eq!(
        wire,
        "a OK Begin TLS negotiation now\r\n\
         * CAPABILITY IMAP4rev2 IMAP4rev1 LITERAL-\r\n\
         c OK CAPABILITY completed\r\n"
    );
    assert_eq!(
        log,
        [
            "starttls-ready".to_owned(),
            format!(
                "audit peer=- tls=no starttls-injection discarded={}",
                injected.len()
            ),
            "violation data after STARTTLS before the TLS handshake (message at byte 12)"
                .to_owned(),
        ]
    );
}

#[test]
fn nothing_is_sent_in_plaintext_after_the_starttls_ok() {
    let mut h = plain(Split::Whole);
    h.send(b"a STARTTLS\r\n");
    assert_eq!(h.take_wire(), "a OK Begin TLS negotiation now\r\n");
    let err = h
        .server
        .send_unsolicited(h.now, imapkit_state::proto::Data::Exists(1))
        .unwrap_err();
    assert_eq!(
        err,
        imapkit_state::error::UsageError::Unexpected("TLS negotiation in progress")
    );
    // The autologout during the handshake closes without a plaintext BYE.
    assert_eq!(h.advance(), Some(Duration::from_secs(60)));
    assert_eq!(h.take_wire(), "");
    assert_eq!(h.take_log().last().unwrap(), "closed AutoLogout");
}

#[test]
fn tls_established_needs_the_ok_transmitted_first() {
    let epoch = std::time::Instant::now();
    let mut s = imapkit_state::server::Server::new(
        std::sync::Arc::new(ServerConfig::default()),
        epoch,
        Plaintext,
    );
    let mut out = Vec::new();
    while s.poll_transmit(epoch, &mut out).is_some() {}
    assert!(s.tls_established(epoch, None).is_err(), "no STARTTLS yet");
    s.handle_input(epoch, b"a STARTTLS\r\n");
    assert!(
        s.tls_established(epoch, None).is_err(),
        "the OK is still queued"
    );
    out.clear();
    while s.poll_transmit(epoch, &mut out).is_some() {}
    assert_eq!(out, b"a OK Begin TLS negotiation now\r\n");
    s.tls_established(epoch, Some(vec![7; 32])).unwrap();
    assert_eq!(s.security(), Tls);
}

#[test]
fn starttls_over_tls_or_after_login_is_refused() {
    let mut h = Harness::new(ServerConfig::default(), Tls, Split::Whole);
    h.take_wire();
    h.send(b"a STARTTLS\r\n");
    assert_eq!(h.take_wire(), "a BAD TLS is already active\r\n");
    let mut h = Harness::logged_in(ServerConfig::default(), Split::Whole);
    h.send(b"b STARTTLS\r\n");
    assert_eq!(h.take_wire(), "b BAD Command not valid in this state\r\n");
}

#[test]
fn login_before_tls_gets_privacyrequired_and_is_audited() {
    let (wire, log) = same_under_every_split(plain, |h| {
        h.send(b"a LOGIN alice wonderland\r\nb LOGIN {5}\r\nc NOOP\r\n");
    });
    assert_eq!(
        wire,
        "a NO [PRIVACYREQUIRED] TLS is required to log in\r\n\
         b NO [PRIVACYREQUIRED] TLS is required to log in\r\n\
         c OK NOOP completed\r\n"
    );
    assert_eq!(
        log,
        [
            "audit peer=- tls=no login user=\"alice\" outcome=PrivacyRequired failures=0",
            "audit peer=- tls=no login user=- outcome=PrivacyRequired failures=0",
        ]
    );
}

#[test]
fn plaintext_login_when_the_configuration_allows_it() {
    let mut config = ServerConfig::default();
    config.tls_required_for_credentials = false;
    let mut h = Harness::new(config, Plaintext, Split::Whole);
    assert_eq!(
        h.take_wire(),
        "* OK [CAPABILITY IMAP4rev2 IMAP4rev1 LITERAL- STARTTLS] IMAP server ready\r\n"
    );
    h.send(b"a LOGIN alice wonderland\r\n");
    assert_eq!(
        h.take_wire(),
        "a OK [CAPABILITY IMAP4rev2 IMAP4rev1 LITERAL-] Logged in\r\n"
    );
    assert_eq!(h.server.state(), SessionState::Authenticated);
}

#[test]
fn authenticate_with_a_reusable_secret_before_tls_is_refused() {
    let make = |split| {
        let mut h = Harness::new(sasl_config(), Plaintext, split);
        // SCRAM only: PLAIN sends a reusable secret, -PLUS needs TLS.
        assert_eq!(
            h.take_wire(),
            "* OK [CAPABILITY IMAP4rev2 IMAP4rev1 LITERAL- STARTTLS LOGINDISABLED \
             AUTH=SCRAM-SHA-256 SASL-IR] IMAP server ready\r\n"
        );
        h
    };
    let ir = b64(b"\0alice\0wonderland");
    let (wire, log) = same_under_every_split(make, |h| {
        h.send(format!("a AUTHENTICATE PLAIN {ir}\r\n").as_bytes());
        // SCRAM never sends the password: allowed without TLS.
        h.send(format!("b AUTHENTICATE SCRAM-SHA-256 {}\r\n", b64(b"alice")).as_bytes());
        h.send(format!("{}\r\n", b64(b"proof-of-alice")).as_bytes());
        h.send(b"\r\n");
    });
    assert_eq!(
        wire,
        format!(
            "a NO [PRIVACYREQUIRED] TLS is required to log in\r\n\
             + {}\r\n+ {}\r\n\
             b OK [CAPABILITY IMAP4rev2 IMAP4rev1 LITERAL-] Logged in\r\n",
            b64(b"s=NaCl"),
            b64(b"v=ok")
        )
    );
    assert_eq!(
        log,
        [
            "audit peer=- tls=no auth mechanism=PLAIN user=- outcome=PrivacyRequired failures=0",
            "scram-lookup alice",
            "audit peer=- tls=no auth mechanism=SCRAM-SHA-256 user=\"alice\" outcome=Success failures=0",
            "authenticated alice",
        ]
    );
}

#[test]
fn failed_logins_are_delayed_then_cut_off() {
    let mut config = ServerConfig::default();
    config.throttle.max_auth_failures = 10;
    let delays = [0, 1, 2, 4, 4, 4, 4, 4, 4, 4];
    for split in Split::ALL {
        let mut h = Harness::new(config.clone(), Tls, split);
        h.take_wire();
        for (k, &delay) in delays.iter().enumerate() {
            let n = k + 1;
            let start = h.elapsed();
            h.send(format!("a{n} LOGIN alice wrong-{n}\r\n").as_bytes());
            if delay > 0 {
                // Nothing yet, and no command is read meanwhile.
                assert_eq!(h.take_wire(), "", "attempt {n}");
                assert!(!h.server.wants_read());
                // An early timeout does nothing.
                h.advance_by(Duration::from_millis(delay * 1000 - 1));
                assert_eq!(h.take_wire(), "", "attempt {n}");
                assert_eq!(h.advance(), Some(Duration::from_millis(1)));
            }
            assert_eq!(
                h.elapsed() - start,
                Duration::from_secs(delay),
                "attempt {n}"
            );
            let mut expected = format!("a{n} NO [AUTHENTICATIONFAILED] Authentication failed\r\n");
            if n == 10 {
                expected.push_str("* BYE Too many authentication failures\r\n");
            }
            assert_eq!(h.take_wire(), expected, "attempt {n} under {split:?}");
            let log = h.take_log();
            assert_eq!(log[0], "login-attempt alice");
            assert_eq!(
                log[1],
                format!("audit peer=- tls=yes login user=\"alice\" outcome=Failed failures={n}")
            );
            for line in &log {
                assert!(!line.contains("wrong-"), "a secret in {line}");
            }
            if n == 10 {
                assert_eq!(
                    log[2..],
                    [
                        "audit peer=- tls=yes limit \"too many failed authentications\"",
                        "audit peer=- tls=yes closed reason=AuthFailures",
                        "closed AuthFailures",
                    ]
                );
            }
        }
        assert!(h.server.is_closed());
        assert_eq!(h.server.poll_timeout(), None);
    }
}

#[test]
fn a_correct_password_after_failures_still_waits_for_nothing() {
    let mut h = Harness::new(ServerConfig::default(), Tls, Split::Whole);
    h.take_wire();
    h.send(b"a LOGIN alice nope\r\n");
    assert_eq!(
        h.take_wire(),
        "a NO [AUTHENTICATIONFAILED] Authentication failed\r\n"
    );
    h.send(b"b LOGIN alice wonderland\r\nc NOOP\r\n");
    assert_eq!(
        h.take_wire(),
        "b OK [CAPABILITY IMAP4rev2 IMAP4rev1 LITERAL-] Logged in\r\nc OK completed\r\n"
    );
}

#[test]
fn the_application_can_refuse_for_its_own_limits() {
    let mut h = Harness::new(ServerConfig::default(), Tls, Split::Whole);
    h.policy.passwords = None;
    h.take_wire();
    h.send(b"a LOGIN alice wonderland\r\n");
    let attempt = h.logins.pop_front().unwrap();
    h.server
        .decide_login(
            h.now,
            attempt,
            imapkit_state::server::AuthVerdict::Unavailable,
        )
        .unwrap();
    h.drive();
    assert_eq!(
        h.take_wire(),
        "a NO [UNAVAILABLE] Authentication failed\r\n"
    );
    assert!(h.take_log().contains(
        &"audit peer=- tls=yes login user=\"alice\" outcome=Refused failures=1".to_owned()
    ));
}

#[test]
fn sync_literal_over_the_limit_is_refused_before_the_data() {
    let (wire, log) = same_under_every_split(
        |s| Harness::selected(ServerConfig::default(), s),
        |h| {
            h.send(b"a APPEND INBOX {40000000}\r\nb NOOP\r\n");
        },
    );
    assert_eq!(
        wire,
        "a NO [TOOBIG] Message too large\r\nb OK completed\r\n"
    );
    assert_eq!(
        log,
        [
            // After `L1 LOGIN alice wonderland\r\n` and `S1 SELECT INBOX\r\n`.
            "violation framing: literal of 40000000 bytes exceeds limit 33554432 (message at byte 44)",
            "audit peer=- tls=yes limit \"literal too large\"",
            "command b NOOP",
        ]
    );
}

/// A literal's payload that holds commands: none of them may run.
fn hostile_payload(len: usize) -> Vec<u8> {
    let mut p = Vec::new();
    while p.len() < len {
        p.extend_from_slice(b"x DELETE INBOX\r\ny LOGOUT\r\n");
    }
    p.truncate(len);
    p
}

#[test]
fn literal_plus_over_the_limit_is_read_and_dropped() {
    let mut config = ServerConfig::default();
    config.literals = LiteralSupport::Plus;
    config.limits.max_append_literal = 4096;
    config.limits.max_message = 8192;
    let (wire, log) = same_under_every_split(
        |s| Harness::selected(config.clone(), s),
        |h| {
            let mut input = b"a APPEND INBOX {5000+}\r\n".to_vec();
            input.extend(hostile_payload(5000));
            input.extend_from_slice(b"\r\nb NOOP\r\n");
            h.send(&input);
        },
    );
    assert_eq!(
        wire,
        "a NO [TOOBIG] Message too large\r\nb OK completed\r\n"
    );
    assert!(log
        .iter()
        .all(|l| !l.contains("DELETE") && !l.contains("LOGOUT")));
    assert_eq!(log.last().unwrap(), "command b NOOP");
}

/// A command line that does not parse before its literal: refused at once
/// when the literal is synchronizing (no `+`, the client sends no data);
/// answered when whole when it is not (its data comes anyway), with the
/// violation every syntax error reports. The payload never runs.
#[test]
fn a_bad_line_before_a_literal_is_refused_before_sync_data_and_after_non_sync() {
    let (wire, log) = same_under_every_split(
        |s| Harness::selected(ServerConfig::default(), s),
        |h| {
            let mut input = b"a APPEND INBOX (\\Seen)) {26+}\r\n".to_vec();
            input.extend(hostile_payload(26));
            input.extend_from_slice(b"\r\nb APPEND INBOX (\\Seen)) {26}\r\nc NOOP\r\n");
            h.send(&input);
        },
    );
    assert_eq!(
        wire,
        "a BAD Syntax error\r\nb BAD Syntax error\r\nc OK completed\r\n"
    );
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(log[0].starts_with("violation syntax"), "{log:?}");
    assert_eq!(log[1], "command c NOOP");
}

#[test]
fn literal_minus_refuses_non_sync_literals_over_4096() {
    let (wire, log) = same_under_every_split(
        |s| Harness::selected(ServerConfig::default(), s),
        |h| {
            let mut input = b"a APPEND INBOX {4097+}\r\n".to_vec();
            input.extend(hostile_payload(4097));
            input.extend_from_slice(b"\r\nb APPEND INBOX {4096+}\r\n");
            input.extend(vec![b'm'; 4096]);
            input.extend_from_slice(b"\r\n");
            h.send(&input);
        },
    );
    // RFC 7888 §5: BAD with TOOBIG for APPEND; 4096 bytes pass.
    assert_eq!(
        wire,
        "a BAD [TOOBIG] Non-synchronizing literal too large\r\nb OK completed\r\n"
    );
    assert_eq!(
        log,
        [
            "audit peer=- tls=yes limit \"non-synchronizing literal over 4096 bytes\"",
            "command b APPEND",
        ]
    );
}

#[test]
fn a_literal_too_large_to_skip_ends_the_connection() {
    let mut config = ServerConfig::default();
    config.literals = LiteralSupport::Plus;
    let (wire, log) = same_under_every_split(
        |s| Harness::selected(config.clone(), s),
        |h| {
            h.send(b"a APPEND INBOX {40000000+}\r\nb NOOP\r\n");
        },
    );
    assert_eq!(wire, "* BYE [TOOBIG] Literal too large\r\n");
    assert_eq!(
        log[1..],
        [
            "audit peer=- tls=yes limit \"literal too large\"",
            "audit peer=- tls=yes limit \"refused literal too large to skip\"",
            "audit peer=- tls=yes closed reason=Limit",
            "closed Limit",
        ]
    );
}

#[test]
fn literals_of_commands_in_the_wrong_state_are_refused() {
    let (wire, log) = same_under_every_split(plain, |h| {
        h.send(b"a SELECT {5}\r\nb XYZZY {3}\r\nc NOOP\r\n");
    });
    // No `+`: the client does not send the data.
    assert_eq!(
        wire,
        "a BAD Command not valid in this state\r\nb BAD Unknown command\r\nc OK NOOP completed\r\n"
    );
    assert!(log.is_empty(), "{log:?}");
}

#[test]
fn login_with_literals_after_tls() {
    let (wire, log) = same_under_every_split(
        |s| {
            let mut h = Harness::new(ServerConfig::default(), Tls, s);
            h.take_wire();
            h
        },
        |h| {
            h.send(b"a LOGIN {5}\r\n");
            h.send(b"alice {10}\r\n");
            h.send(b"wonderland\r\n");
        },
    );
    assert_eq!(
        wire,
        "+ Ready for literal data\r\n+ Ready for literal data\r\n\
         a OK [CAPABILITY IMAP4rev2 IMAP4rev1 LITERAL-] Logged in\r\n"
    );
    assert_eq!(log[0], "login-attempt alice");
}

#[test]
fn commands_in_the_wrong_state_never_reach_the_application() {
    let (wire, log) = same_under_every_split(plain, |h| {
        h.send(b"a SELECT INBOX\r\nb FETCH 1 FLAGS\r\nc IDLE\r\nd ENABLE QRESYNC\r\ne NOOP\r\n");
    });
    assert_eq!(
        wire,
        "a BAD Command not valid in this state\r\n\
         b BAD Command not valid in this state\r\n\
         c BAD Command not valid in this state\r\n\
         d BAD Command not valid in this state\r\n\
         e OK NOOP completed\r\n"
    );
    // Wrong-state commands are not garbage: no BYE after four of them.
    assert!(log.is_empty(), "{log:?}");

    let (wire, log) = same_under_every_split(
        |s| Harness::logged_in(ServerConfig::default(), s),
        |h| {
            h.send(b"f FETCH 1 FLAGS\r\ng LOGIN alice wonderland\r\nh CLOSE\r\ni AUTHENTICATE PLAIN\r\n");
        },
    );
    assert_eq!(
        wire,
        "f BAD Command not valid in this state\r\n\
         g BAD Command not valid in this state\r\n\
         h BAD Command not valid in this state\r\n\
         i BAD Command not valid in this state\r\n"
    );
    // The login attempts among them are on record (since stop 34).
    assert_eq!(
        log,
        [
            "audit peer=- tls=yes login user=\"alice\" outcome=WrongState failures=0",
            "audit peer=- tls=yes auth mechanism=PLAIN user=- outcome=WrongState failures=0"
        ]
    );
}

#[test]
fn an_http_request_ends_the_connection() {
    let (wire, log) = same_under_every_split(plain, |h| {
        h.send(
            b"GET / HTTP/1.1\r\nHost: example.org\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\n\r\n",
        );
    });
    assert_eq!(
        wire,
        // `/` and `example.org` are atoms: unknown command names.
        "GET BAD Unknown command\r\nHost: BAD Unknown command\r\n* BYE Too many invalid commands\r\n"
    );
    assert_eq!(
        log,
        [
            "audit peer=- tls=no limit \"too many invalid commands before login\"",
            "audit peer=- tls=no closed reason=Garbage",
            "closed Garbage",
        ]
    );
}

#[test]
fn garbage_after_login_does_not_end_the_connection() {
    let mut h = Harness::logged_in(ServerConfig::default(), Split::Whole);
    h.send(b"a XYZZY\r\nb XYZZY\r\nc XYZZY\r\nd XYZZY\r\ne NOOP\r\n");
    assert_eq!(
        h.take_wire(),
        "a BAD Unknown command\r\nb BAD Unknown command\r\nc BAD Unknown command\r\n\
         d BAD Unknown command\r\ne OK completed\r\n"
    );
    assert!(!h.server.is_closed());
}

#[test]
fn no_secret_in_debug_or_display() {
    let mut h = Harness::new(sasl_config(), Tls, Split::Whole);
    h.policy = Policy {
        passwords: None,
        ..Policy::default()
    };
    h.take_wire();
    h.send(
        format!(
            "a AUTHENTICATE PLAIN {}\r\n",
            b64(b"\0alice\0hunter2-secret")
        )
        .as_bytes(),
    );
    let attempt = h.logins.pop_front().unwrap();
    let shown = format!("{attempt:?} {:?} {:?}", h.server, attempt.credentials());
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("alice"));
    h.server
        .decide_login(h.now, attempt, imapkit_state::server::AuthVerdict::Reject)
        .unwrap();
    h.drive();
    h.send(b"b LOGIN alice hunter2-secret extra\r\n");
    let log = h.take_log().join("\n");
    let all = format!("{:?} {log}", h.server);
    assert!(!all.contains("hunter2"), "{all}");
    assert!(!all.contains(&b64(b"\0alice\0hunter2-secret")), "{all}");
    assert_eq!(
        h.take_wire(),
        "a NO [AUTHENTICATIONFAILED] Authentication failed\r\nb BAD Syntax error\r\n"
    );
}

#[test]
fn close_reason_after_autologout_is_reported_once() {
    let mut h = plain(Split::Whole);
    h.advance_by(Duration::from_secs(59));
    assert_eq!(h.take_wire(), "");
    assert_eq!(h.advance(), Some(Duration::from_secs(1)));
    assert_eq!(h.take_wire(), "* BYE Autologout; idle for too long\r\n");
    assert_eq!(
        h.take_log(),
        [
            "audit peer=- tls=no closed reason=AutoLogout",
            "closed AutoLogout"
        ]
    );
    // Repeated: nothing.
    h.advance_by(Duration::from_secs(600));
    assert_eq!(h.take_wire(), "");
    assert!(h.take_log().is_empty());
    assert_eq!(h.server.poll_timeout(), None);
    let _ = CloseReason::AutoLogout;
}

#[test]
fn commands_before_an_offending_one_are_answered_before_bye() {
    let mut config = ServerConfig::default();
    config.literals = LiteralSupport::Plus;
    let (wire, log) = same_under_every_split(
        |s| {
            let mut h = Harness::selected(config.clone(), s);
            h.policy.auto_respond = false;
            h
        },
        |h| {
            h.send(b"a UID FETCH 1 (UID)\r\nb APPEND INBOX {40000000+}\r\nc NOOP\r\n");
            assert!(!h.server.is_closed());
            assert!(!h.server.wants_read());
            h.answer(vec![], imapkit_state::server::Completion::ok());
        },
    );
    assert_eq!(
        wire,
        "a OK completed\r\n* BYE [TOOBIG] Literal too large\r\n"
    );
    assert_eq!(log.first().unwrap(), "command a UID FETCH");
    assert_eq!(log.last().unwrap(), "closed Limit");
    assert!(!log.iter().any(|l| l.contains("NOOP")));
}

/// Plaintext read straight into the session's buffer (`read_buf`,
/// `handle_read`) after the STARTTLS `OK` is discarded and reported as
/// when it is copied in with `handle_input`.
#[test]
fn starttls_injection_through_read_buf_is_discarded() {
    let injected = b"b LOGIN alice wonderland\r\n";
    let mut h = plain(Split::Whole);
    let mut room = h.server.read_buf(4096);
    room.extend_from_slice(b"a STARTTLS\r\n");
    h.server.handle_read(h.now, room);
    h.drive();
    assert_eq!(h.take_wire(), "a OK Begin TLS negotiation now\r\n");
    let mut room = h.server.read_buf(4096);
    room.extend_from_slice(injected);
    h.server.handle_read(h.now, room);
    h.drive();
    h.server.tls_established(h.now, None).unwrap();
    h.drive();
    let mut room = h.server.read_buf(4096);
    room.extend_from_slice(b"c CAPABILITY\r\n");
    h.server.handle_read(h.now, room);
    h.drive();
    assert_eq!(
        h.take_wire(),
        "* CAPABILITY IMAP4rev2 IMAP4rev1 LITERAL-\r\nc OK CAPABILITY completed\r\n"
    );
    assert!(h.log.iter().any(|l| l
        == &format!(
            "audit peer=- tls=no starttls-injection discarded={}",
            injected.len()
        )));
    assert!(!h
        .log
        .iter()
        .any(|l| l.contains("LOGIN") || l.contains("login")));
}

/// Before authentication a command may hold `max_message_unauthenticated`
/// bytes (128 KiB by default), not `max_message`: a client without a
/// password cannot make the session hold a large command (here an ID
/// made of LITERAL+ literals, each within the literal limit). After
/// login the full `max_message` applies again.
#[test]
fn commands_before_login_are_limited_to_a_small_size() {
    let mut config = ServerConfig::default();
    config.literals = LiteralSupport::Plus;
    config
        .capabilities
        .push(imapkit_state::proto::Capability::Id);
    let mut h = Harness::new(config.clone(), Tls, Split::Whole);
    h.take_wire();
    let mut id = b"a ID (".to_vec();
    for _ in 0..3 {
        id.extend_from_slice(b"{60000+}\r\n");
        id.extend(std::iter::repeat(b'x').take(60_000));
        id.push(b' ');
    }
    id.extend_from_slice(b"NIL)\r\nb NOOP\r\n");
    h.send(&id);
    assert_eq!(
        h.take_wire(),
        "a BAD Command too long\r\nb OK NOOP completed\r\n"
    );
    let log = h.take_log();
    assert!(
        log.iter().any(|l| l.contains("limit \"command too long\"")),
        "{log:?}"
    );
    // Logged in, the same command is read whole (and answered).
    let mut h = Harness::logged_in(config, Split::Whole);
    h.send(&id);
    let wire = h.take_wire();
    assert!(!wire.contains("Command too long"), "{wire}");
}
