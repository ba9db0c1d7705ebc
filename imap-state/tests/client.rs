//! Transcript tests of the Client against a scripted server: every byte the
//! client sends, every event in order.

mod util;

use std::time::Duration;

use imapkit_codec::LiteralPolicy;
use imapkit_proto::{
    Capability, CommandBody, Data, GreetingKind, Mailbox, ResponseCode, Secret, Status,
};
use imapkit_state::client::{
    ClientConfig, CloseReason, Event, Outcome, SessionState, StartTlsPolicy, TlsPolicyError,
};
use imapkit_state::error::{UsageError, ViolationKind};
use imapkit_state::sasl::{ClientMechanism, SaslError};
use imapkit_state::{CommandHandle, ConnectionSecurity};
use util::client::{completed, quiet_config, under_any_split, without_sent, Script, Split};

fn secret(s: &str) -> Secret<String> {
    Secret::new(s.to_owned())
}

fn closed(events: &[Event]) -> Option<CloseReason> {
    match events.last() {
        Some(Event::Closed { reason }) => Some(reason.clone()),
        _ => None,
    }
}

/// A client over TLS that has been greeted with IMAP4rev1 capabilities.
fn greeted(extra_caps: &str) -> Script {
    let mut s = Script::tls(quiet_config());
    s.server(format!("* OK [CAPABILITY IMAP4rev1 {extra_caps}] ready\r\n").as_bytes());
    s.events();
    s
}

// ---- 1. greeting ----

#[test]
fn greeting_ok_preauth_bye() {
    let mut s = Script::tls(quiet_config());
    assert_eq!(s.client.state(), SessionState::Greeting);
    s.server(b"* OK [CAPABILITY IMAP4rev1 IDLE] hi\r\n");
    let ev = s.events();
    assert!(matches!(&ev[0], Event::Greeting(g) if g.kind == GreetingKind::Ok));
    assert_eq!(ev[1], Event::CapabilitiesChanged);
    assert_eq!(s.client.state(), SessionState::NotAuthenticated);
    assert!(s.client.capabilities().has(&Capability::Idle));

    let mut s = Script::tls(quiet_config());
    s.server(b"* PREAUTH welcome back\r\n");
    assert_eq!(s.client.state(), SessionState::Authenticated);

    let mut s = Script::tls(quiet_config());
    s.server(b"* BYE [UNAVAILABLE] maintenance\r\n");
    let ev = s.events();
    assert!(matches!(
        &ev[1],
        Event::Bye {
            code: Some(ResponseCode::Unavailable),
            ..
        }
    ));
    assert!(matches!(
        closed(&ev),
        Some(CloseReason::Bye {
            code: Some(ResponseCode::Unavailable),
            ..
        })
    ));
    assert_eq!(s.client.state(), SessionState::Closed);
}

#[test]
fn anything_but_a_greeting_first_is_a_connection_error() {
    for first in [
        &b"A1 OK hello\r\n"[..],
        b"* NO go away\r\n",
        b"HTTP/1.1 200 OK\r\n",
        b"* 3 EXISTS\r\n",
    ] {
        let mut s = Script::tls(quiet_config());
        s.server(first);
        let ev = s.events();
        match closed(&ev) {
            Some(CloseReason::Violation(v)) => {
                assert_eq!(v.kind, ViolationKind::NotAGreeting, "{first:?}");
                assert_eq!(v.offset, 0);
                assert_eq!(v.raw(), first);
            }
            other => panic!("{first:?}: {other:?}"),
        }
    }
}

#[test]
fn silent_server_greeting_timeout() {
    let mut s = Script::tls(quiet_config());
    let id = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    assert_eq!(
        s.client.poll_timeout(),
        Some(s.now + Duration::from_secs(30))
    );
    s.advance(Duration::from_secs(29));
    assert!(s.events().is_empty(), "early timeout does nothing");
    s.advance(Duration::from_secs(1));
    let ev = s.events();
    assert_eq!(
        completed(&ev),
        [(id, Outcome::NotSent(UsageError::Closed))],
        "a queued command completes once"
    );
    assert_eq!(closed(&ev), Some(CloseReason::GreetingTimeout));
    assert_eq!(s.sent(), "");
}

#[test]
fn silent_server_command_timeout_restarts_on_input() {
    let mut config = quiet_config();
    config.command_timeout = Some(Duration::from_secs(10));
    let mut s = Script::tls(config);
    s.server(b"* OK hi\r\n");
    let id = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    assert_eq!(s.sent(), "A1 NOOP\r\n");
    s.advance(Duration::from_secs(9));
    s.server(b"* 1 EXISTS\r\n"); // the server is alive
    s.advance(Duration::from_secs(9));
    assert!(closed(&s.events()).is_none());
    s.advance(Duration::from_secs(1));
    let ev = s.events();
    assert_eq!(completed(&ev), [(id, Outcome::TimedOut)]);
    assert_eq!(closed(&ev), Some(CloseReason::CommandTimeout));
}

// ---- 2. capabilities ----

#[test]
fn capabilities_from_code_data_and_tagged_ok_forgotten_after_login() {
    let mut s = Script::tls(ClientConfig::default());
    s.server(b"* OK ready\r\n");
    // Not announced in the greeting: asked for.
    assert_eq!(s.sent(), "A1 CAPABILITY\r\n");
    s.server(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA1 OK done\r\n");
    assert!(s
        .client
        .capabilities()
        .has_auth(&imapkit_proto::AuthMechanism::Plain));
    s.client.login(s.now, "u", secret("p")).unwrap();
    assert_eq!(s.sent(), "A2 LOGIN u p\r\n");
    s.server(b"A2 OK logged in\r\n");
    // Forgotten after authentication, asked for again.
    assert!(!s.client.capabilities().known());
    assert_eq!(s.sent(), "A3 CAPABILITY\r\n");
    s.server(b"* CAPABILITY IMAP4rev1 IDLE ENABLE\r\nA3 OK\r\n");
    assert!(s.client.capabilities().has(&Capability::Idle));
    // A tagged OK with a CAPABILITY code is enough: nothing asked.
    let mut s = Script::tls(ClientConfig::default());
    s.server(b"* OK [CAPABILITY IMAP4rev1] ready\r\n");
    s.client.login(s.now, "u", secret("p")).unwrap();
    assert_eq!(s.sent(), "A1 LOGIN u p\r\n");
    s.server(b"A1 OK [CAPABILITY IMAP4rev1 MOVE] in\r\n");
    assert!(s.client.capabilities().has(&Capability::Move));
    assert_eq!(s.sent(), "");
}

#[test]
fn enabled_is_tracked() {
    let mut s = Script::tls(quiet_config());
    s.server(b"* PREAUTH [CAPABILITY IMAP4rev1 ENABLE UTF8=ACCEPT CONDSTORE] hi\r\n");
    let caps = vec![Capability::CondStore].try_into().unwrap();
    s.client
        .enqueue(s.now, CommandBody::Enable { capabilities: caps })
        .unwrap();
    assert_eq!(s.sent(), "A1 ENABLE CONDSTORE\r\n");
    s.server(b"* ENABLED CONDSTORE\r\nA1 OK\r\n");
    assert!(s.client.capabilities().is_enabled(&Capability::CondStore));
}

#[test]
fn literal_syntax_follows_the_capabilities() {
    let login = |caps: &str| {
        let mut s = greeted(caps);
        s.client.login(s.now, "u", secret("pass\"word é")).unwrap();
        s.sent()
    };
    assert_eq!(login(""), "A1 LOGIN u {12}\r\n");
    assert_eq!(login("LITERAL-"), "A1 LOGIN u {12+}\r\npass\"word é\r\n");
    assert_eq!(login("LITERAL+"), "A1 LOGIN u {12+}\r\npass\"word é\r\n");
}

#[test]
fn a_configured_literal_policy_overrides_the_capabilities() {
    // What a replay needs: the literals as the recorded client sent them.
    let login = |caps: &str, policy: Option<LiteralPolicy>, command: &str| {
        let mut config = quiet_config();
        config.literal_policy = policy;
        let mut s = Script::tls(config);
        s.server(format!("* OK [CAPABILITY IMAP4rev1 {caps}] ready\r\n").as_bytes());
        s.events();
        s.client.enqueue(s.now, body(command)).unwrap();
        let mut sent = s.sent();
        s.server(b"+ go\r\n");
        sent.push_str(&s.sent());
        sent
    };
    let sync = "LOGIN u {5}\r\nhello";
    let non_sync = "LOGIN u {5+}\r\nhello";
    // By the capabilities: LITERAL+ makes every literal non-synchronizing,
    // none makes every literal synchronizing.
    assert_eq!(
        login("LITERAL+", None, sync),
        "A1 LOGIN u {5+}\r\nhello\r\n"
    );
    assert_eq!(login("", None, non_sync), "A1 LOGIN u {5}\r\nhello\r\n");
    // As given: a synchronizing literal waits for `+` even with LITERAL+
    // (the `+` below is what lets the data go) ...
    let as_given = Some(LiteralPolicy::AsGiven);
    let mut config = quiet_config();
    config.literal_policy = as_given;
    let mut s = Script::tls(config);
    s.server(b"* OK [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n");
    s.client.enqueue(s.now, body(sync)).unwrap();
    assert_eq!(s.sent(), "A1 LOGIN u {5}\r\n");
    s.server(b"+ go\r\n");
    assert_eq!(s.sent(), "hello\r\n");
    // ... and a non-synchronizing one does not wait, capabilities or not.
    assert_eq!(
        login("", as_given, non_sync),
        "A1 LOGIN u {5+}\r\nhello\r\n"
    );
    // Any policy: all synchronizing despite LITERAL+.
    assert_eq!(
        login("LITERAL+", Some(LiteralPolicy::SyncOnly), non_sync),
        "A1 LOGIN u {5}\r\nhello\r\n"
    );
}

// ---- 3. pipelining ----

#[test]
fn rfc9051_5_5_fetch_noop_store_waits_for_noop() {
    let mut s = greeted("");
    s.client.login(s.now, "u", secret("p")).unwrap();
    s.sent();
    s.server(b"A1 OK\r\n");
    s.client.select(s.now, Mailbox::from_name("INBOX")).unwrap();
    assert_eq!(s.sent(), "A2 SELECT INBOX\r\n");
    // Nothing is sent while SELECT is in flight.
    let fetch = s.client.enqueue(s.now, body("FETCH 1 FLAGS")).unwrap();
    assert_eq!(s.sent(), "");
    s.server(b"* 3 EXISTS\r\nA2 OK [READ-WRITE] done\r\n");
    assert_eq!(s.sent(), "A3 FETCH 1 FLAGS\r\n");
    let noop = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    let store = s
        .client
        .enqueue(s.now, body("STORE 1 +FLAGS (\\Seen)"))
        .unwrap();
    // NOOP may cause EXPUNGE: STORE (sequence numbers) waits for it.
    assert_eq!(s.sent(), "A4 NOOP\r\n");
    s.server(b"A3 OK\r\n");
    assert_eq!(s.sent(), "");
    s.server(b"A4 OK\r\n");
    assert_eq!(s.sent(), "A5 STORE 1 +FLAGS (\\Seen)\r\n");
    // UID commands do not wait.
    s.client
        .enqueue(s.now, body("UID FETCH 1:* FLAGS"))
        .unwrap();
    assert_eq!(s.sent(), "A6 UID FETCH 1:* FLAGS\r\n");
    s.server(b"A5 OK\r\nA6 OK\r\n");
    let ev = s.events();
    let done: Vec<CommandHandle> = completed(&ev).into_iter().map(|(h, _)| h).collect();
    assert_eq!(&done[2..5], [fetch, noop, store]);
}

fn body(line: &str) -> CommandBody<'static> {
    use imapkit_proto::IntoStatic;
    let text = format!("x {line}\r\n");
    let Ok(imapkit_codec::Decoded::Complete { message, .. }) =
        imapkit_codec::decode::command(text.as_bytes())
    else {
        panic!("{line}")
    };
    message.body.into_static()
}

#[test]
fn barriers_hold_later_commands() {
    let mut s = greeted("IDLE");
    s.client.login(s.now, "u", secret("p")).unwrap();
    let noop = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    assert_eq!(s.sent(), "A1 LOGIN u p\r\n");
    s.server(b"A1 NO [AUTHENTICATIONFAILED] wrong\r\n");
    // NOOP is valid in any state: sent after LOGIN failed.
    assert_eq!(s.sent(), "A2 NOOP\r\n");
    let ev = s.events();
    assert!(matches!(&completed(&ev)[0], (_, Outcome::No)));
    let _ = noop;
}

#[test]
fn commands_behind_a_failed_login_are_not_sent() {
    let mut s = greeted("");
    s.client.login(s.now, "u", secret("p")).unwrap();
    let select = s.client.select(s.now, Mailbox::from_name("INBOX")).unwrap();
    assert_eq!(s.sent(), "A1 LOGIN u p\r\n");
    s.server(b"A1 NO [AUTHENTICATIONFAILED] wrong\r\n");
    assert_eq!(s.sent(), "");
    let ev = s.events();
    assert_eq!(
        completed(&ev)[1],
        (
            select,
            Outcome::NotSent(UsageError::WrongState {
                command: "SELECT",
                state: "not authenticated"
            })
        )
    );
}

#[test]
fn a_stale_tagged_no_never_completes_another_command() {
    let mut s = greeted("");
    let noop = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    assert_eq!(s.sent(), "A1 NOOP\r\n");
    s.server(b"A0 NO stale\r\nA9 BAD other\r\n");
    let ev = without_sent(s.events());
    assert_eq!(ev.len(), 2);
    assert!(ev
        .iter()
        .all(|e| matches!(e, Event::Violation(v) if v.kind == ViolationKind::UnknownTag)));
    s.server(b"A1 OK\r\n");
    assert_eq!(completed(&s.events()), [(noop, Outcome::Ok)]);
}

#[test]
fn wrong_state_is_refused_at_enqueue() {
    let mut s = greeted("");
    assert_eq!(
        s.client.enqueue(s.now, body("FETCH 1 FLAGS")),
        Err(UsageError::WrongState {
            command: "FETCH",
            state: "not authenticated"
        })
    );
    // After a LOGIN is queued, authenticated commands are accepted.
    s.client.login(s.now, "u", secret("p")).unwrap();
    assert!(s.client.select(s.now, Mailbox::from_name("INBOX")).is_ok());
}

// ---- 4. literals ----

#[test]
fn synchronizing_literal_waits_for_continuation() {
    under_any_split(|split| {
        let mut s = Script::new(quiet_config(), ConnectionSecurity::Tls, split);
        s.server(b"* OK [CAPABILITY IMAP4rev1] hi\r\n");
        s.client.login(s.now, "ü", secret("secret")).unwrap();
        let mut sent = s.sent();
        assert_eq!(sent, "A1 LOGIN {2}\r\n");
        s.server(b"+ go ahead\r\n");
        let more = s.sent();
        assert_eq!(more, "ü secret\r\n");
        sent.push_str(&more);
        s.server(b"A1 OK\r\n");
        (s.events(), sent)
    });
}

#[test]
fn no_instead_of_continuation_aborts_the_literal() {
    let mut s = greeted("");
    let id = s.client.login(s.now, "ü", secret("secret")).unwrap();
    assert_eq!(s.sent(), "A1 LOGIN {2}\r\n");
    s.server(b"A1 NO [TOOBIG] no\r\n");
    // The data is never sent; the next command goes out normally.
    let noop = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    assert_eq!(s.sent(), "A2 NOOP\r\n");
    s.server(b"+ late\r\n");
    let ev = s.events();
    assert_eq!(completed(&ev), [(id, Outcome::No)]);
    assert!(ev
        .iter()
        .any(|e| matches!(e, Event::Completed(c) if c.code == Some(ResponseCode::TooBig))));
    assert!(
        matches!(ev.last(), Some(Event::Violation(v)) if v.kind == ViolationKind::UnexpectedContinuation)
    );
    let _ = noop;
}

// ---- 5. authentication ----

#[test]
fn no_password_on_plaintext_unless_allowed() {
    let mut config = quiet_config();
    config.starttls = StartTlsPolicy::Never;
    let mut s = Script::plain(config.clone());
    s.server(b"* OK [CAPABILITY IMAP4rev1] hi\r\n");
    assert_eq!(
        s.client.login(s.now, "u", secret("p")),
        Err(UsageError::PlaintextCredentials)
    );
    assert_eq!(s.sent(), "");
    config.allow_plaintext_credentials = true;
    let mut s = Script::plain(config);
    s.server(b"* OK [CAPABILITY IMAP4rev1] hi\r\n");
    assert!(s.client.login(s.now, "u", secret("p")).is_ok());
    assert_eq!(s.sent(), "A1 LOGIN u p\r\n");
}

#[test]
fn logindisabled_is_honoured() {
    let mut s = greeted("LOGINDISABLED");
    assert_eq!(
        s.client.login(s.now, "u", secret("p")),
        Err(UsageError::LoginDisabled)
    );
}

/// A two-step test mechanism: sends `hello`, expects challenge `ok?`,
/// answers `yes`, and must see the challenge before OK.
#[derive(Debug)]
struct Echo {
    saw_challenge: bool,
    reusable: bool,
}

impl ClientMechanism for Echo {
    fn name(&self) -> imapkit_proto::AuthMechanism<'static> {
        imapkit_proto::AuthMechanism::Other(imapkit_proto::Atom::try_from("X-ECHO").unwrap())
    }
    fn sends_reusable_secret(&self) -> bool {
        self.reusable
    }
    fn initial_response(&mut self) -> Result<Option<Secret<Vec<u8>>>, SaslError> {
        Ok(Some(Secret::new(b"hello".to_vec())))
    }
    fn respond(&mut self, challenge: &[u8]) -> Result<Secret<Vec<u8>>, SaslError> {
        if challenge != b"ok?" {
            return Err(SaslError::Malformed {
                mechanism: "X-ECHO",
                reason: "unexpected challenge",
            });
        }
        self.saw_challenge = true;
        Ok(Secret::new(b"yes".to_vec()))
    }
    fn complete(&mut self) -> Result<(), SaslError> {
        if self.saw_challenge {
            Ok(())
        } else {
            Err(SaslError::Incomplete {
                mechanism: "X-ECHO",
            })
        }
    }
}

fn echo() -> Box<Echo> {
    Box::new(Echo {
        saw_challenge: false,
        reusable: false,
    })
}

#[test]
fn authenticate_with_sasl_ir() {
    let mut s = greeted("SASL-IR AUTH=X-ECHO");
    let id = s.client.authenticate(s.now, echo()).unwrap();
    assert_eq!(s.sent(), "A1 AUTHENTICATE X-ECHO aGVsbG8=\r\n");
    s.server(b"+ b2s/\r\n");
    assert_eq!(s.sent(), "eWVz\r\n");
    s.server(b"A1 OK [CAPABILITY IMAP4rev1] welcome\r\n");
    assert_eq!(completed(&s.events()), [(id, Outcome::Ok)]);
    assert_eq!(s.client.state(), SessionState::Authenticated);
}

#[test]
fn authenticate_without_sasl_ir_answers_the_empty_challenge() {
    let mut s = greeted("AUTH=X-ECHO");
    s.client.authenticate(s.now, echo()).unwrap();
    assert_eq!(s.sent(), "A1 AUTHENTICATE X-ECHO\r\n");
    s.server(b"+ \r\n");
    assert_eq!(s.sent(), "aGVsbG8=\r\n");
    s.server(b"+ b2s/\r\n");
    assert_eq!(s.sent(), "eWVz\r\n");
}

#[test]
fn mechanism_failure_cancels_with_star() {
    let mut s = greeted("SASL-IR");
    let id = s.client.authenticate(s.now, echo()).unwrap();
    s.sent();
    s.server(b"+ d2hhdD8=\r\n"); // "what?"
    assert_eq!(s.sent(), "*\r\n");
    s.server(b"A1 BAD cancelled\r\n");
    let ev = s.events();
    assert!(
        matches!(&completed(&ev)[0], (h, Outcome::Sasl(SaslError::Malformed { .. })) if *h == id)
    );
    assert_eq!(s.client.state(), SessionState::NotAuthenticated);
}

#[test]
fn ok_before_the_mechanism_is_done_fails_and_closes() {
    // A server that says OK without the step a mutual-authentication
    // mechanism needs is not trusted (SCRAM's server signature).
    let mut s = greeted("SASL-IR");
    let id = s.client.authenticate(s.now, echo()).unwrap();
    s.sent();
    s.server(b"A1 OK fine\r\n");
    let ev = s.events();
    assert_eq!(
        completed(&ev),
        [(
            id,
            Outcome::Sasl(SaslError::Incomplete {
                mechanism: "X-ECHO"
            })
        )]
    );
    assert_eq!(
        closed(&ev),
        Some(CloseReason::Sasl(SaslError::Incomplete {
            mechanism: "X-ECHO"
        }))
    );
}

#[test]
fn reusable_secret_mechanism_refused_on_plaintext() {
    let mut config = quiet_config();
    config.starttls = StartTlsPolicy::Never;
    let mut s = Script::plain(config);
    s.server(b"* OK [CAPABILITY IMAP4rev1] hi\r\n");
    let m = Box::new(Echo {
        saw_challenge: false,
        reusable: true,
    });
    assert_eq!(
        s.client.authenticate(s.now, m),
        Err(UsageError::PlaintextCredentials)
    );
    assert!(
        s.client.authenticate(s.now, echo()).is_ok(),
        "SCRAM-like mechanisms may run"
    );
}

// ---- 6. STARTTLS ----

fn starttls_client(policy: StartTlsPolicy) -> Script {
    let mut config = ClientConfig::default();
    config.starttls = policy;
    Script::plain(config)
}

#[test]
fn starttls_required_upgrades_before_anything_else() {
    under_any_split(|split| {
        let mut config = ClientConfig::default();
        config.starttls = StartTlsPolicy::Required;
        let mut s = Script::new(config, ConnectionSecurity::Plaintext, split);
        s.server(b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi\r\n");
        // The application's LOGIN waits for TLS (LOGINDISABLED is a
        // plaintext-only announcement).
        s.client.login(s.now, "u", secret("p")).unwrap();
        let mut sent = s.sent();
        assert_eq!(sent, "A1 STARTTLS\r\n");
        s.server(b"A1 OK begin TLS\r\n");
        let ev = s.events();
        assert!(matches!(ev.last(), Some(Event::StartTls { .. })));
        assert_eq!(s.sent(), "", "nothing is sent before TLS is up");
        s.client.tls_established(s.now).unwrap();
        assert!(!s.client.capabilities().known());
        let after = s.sent();
        // CAPABILITY first; LOGIN is a barrier and waits for it.
        assert_eq!(after, "A2 CAPABILITY\r\n");
        sent.push_str(&after);
        s.server(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA2 OK\r\n");
        let after = s.sent();
        assert_eq!(after, "A3 LOGIN u p\r\n");
        sent.push_str(&after);
        (s.events(), sent)
    });
}

#[test]
fn starttls_required_fails_when_not_offered() {
    let mut s = starttls_client(StartTlsPolicy::Required);
    s.server(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n");
    let ev = s.events();
    assert_eq!(
        closed(&ev),
        Some(CloseReason::TlsPolicy(TlsPolicyError::NotOffered))
    );
    assert_eq!(s.sent(), "");
    // Learned from a CAPABILITY response instead of the greeting.
    let mut s = starttls_client(StartTlsPolicy::Required);
    s.server(b"* OK hi\r\n");
    assert_eq!(s.sent(), "A1 CAPABILITY\r\n");
    s.server(b"* CAPABILITY IMAP4rev1\r\nA1 OK\r\n");
    assert_eq!(
        closed(&s.events()),
        Some(CloseReason::TlsPolicy(TlsPolicyError::NotOffered))
    );
}

#[test]
fn starttls_required_fails_on_no_or_bad() {
    for answer in ["A1 NO not now\r\n", "A1 BAD what\r\n"] {
        let mut s = starttls_client(StartTlsPolicy::Required);
        s.server(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
        assert_eq!(s.sent(), "A1 STARTTLS\r\n");
        s.server(answer.as_bytes());
        assert_eq!(
            closed(&s.events()),
            Some(CloseReason::TlsPolicy(TlsPolicyError::Refused))
        );
    }
}

#[test]
fn starttls_opportunistic_goes_on_in_plaintext() {
    let mut s = starttls_client(StartTlsPolicy::Opportunistic);
    s.server(b"* OK [CAPABILITY IMAP4rev1] hi\r\n");
    s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    assert_eq!(s.sent(), "A1 NOOP\r\n");
    assert_eq!(s.client.security(), ConnectionSecurity::Plaintext);
}

#[test]
fn preauth_on_plaintext_is_a_downgrade() {
    let mut s = starttls_client(StartTlsPolicy::Required);
    s.server(b"* PREAUTH [CAPABILITY IMAP4rev1] you are in\r\n");
    assert_eq!(
        closed(&s.events()),
        Some(CloseReason::TlsPolicy(TlsPolicyError::PreAuthOnPlaintext))
    );
}

/// The byte counts of the `InjectionDiscarded` events, in order.
fn discarded(events: &[Event]) -> Vec<usize> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::InjectionDiscarded { bytes } => Some(*bytes),
            _ => None,
        })
        .collect()
}

#[test]
fn bytes_after_the_starttls_ok_are_discarded() {
    under_any_split(|split| {
        let mut s = Script::new(
            ClientConfig::default(),
            ConnectionSecurity::Plaintext,
            split,
        );
        s.server(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
        let sent = s.sent();
        // The injected CAPABILITY would claim the server has no LOGINDISABLED
        // and announce AUTH=PLAIN; it must not be read, in one read or many.
        s.server(b"A1 OK begin TLS\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA2 OK\r\n");
        let ev = s.events();
        assert_eq!(discarded(&ev).iter().sum::<usize>(), 42);
        assert!(!ev.iter().any(|e| matches!(e, Event::Data { .. })));
        assert!(!s.client.capabilities().known());
        (
            ev.into_iter()
                .filter(|e| !matches!(e, Event::InjectionDiscarded { .. }))
                .collect(),
            sent,
        )
    });
}

/// The STARTTLS `OK` held behind a full event queue (and a read after
/// it that the application made although `wants_read` was false): once
/// the events are taken and the `OK` is read, everything after it is
/// discarded, as when it is read at once.
#[test]
fn bytes_after_a_held_starttls_ok_are_discarded() {
    let mut config = ClientConfig::default();
    config.max_queued_events = 1;
    let mut s = Script::new(config, ConnectionSecurity::Plaintext, Split::Whole);
    s.server(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
    s.events();
    assert_eq!(s.sent(), "A1 STARTTLS\r\n");
    s.server(b"* OK one\r\n* OK two\r\nA1 OK begin TLS\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n");
    assert!(!s.client.wants_read());
    s.server(b"A2 OK\r\n");
    let ev = s.events();
    assert_eq!(discarded(&ev), [42]);
    let statuses = ev
        .iter()
        .filter(|e| matches!(e, Event::Status { .. }))
        .count();
    assert_eq!(statuses, 2);
    assert!(ev.iter().any(|e| matches!(e, Event::StartTls { .. })));
    assert!(!ev.iter().any(|e| matches!(e, Event::Data { .. })));
    assert!(!s.client.capabilities().known());
    // The TLS handshake reads the connection now, not the client.
    assert!(!s.client.wants_read());
    s.client.tls_established(s.now).unwrap();
    s.events();
    assert!(s.client.wants_read());
}

/// The same through `read_buf` and `handle_read`: the `OK`'s own read
/// is framed in place, the read after it goes to a fresh buffer; neither
/// injected line is read.
#[test]
fn bytes_read_into_the_client_after_the_starttls_ok_are_discarded() {
    let mut s = Script::new(
        ClientConfig::default(),
        ConnectionSecurity::Plaintext,
        Split::Whole,
    );
    s.server(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
    assert_eq!(s.sent(), "A1 STARTTLS\r\n");
    for read in [
        &b"A1 OK begin TLS\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n"[..],
        b"A2 OK\r\n",
    ] {
        let mut room = s.client.read_buf(4096);
        room.extend_from_slice(read);
        s.client.handle_read(s.now, room);
    }
    let ev = s.events();
    assert_eq!(discarded(&ev), [35, 7]);
    assert!(ev.iter().any(|e| matches!(e, Event::StartTls { .. })));
    assert!(!ev.iter().any(|e| matches!(e, Event::Data { .. })));
    assert!(!s.client.capabilities().known());
}

#[test]
fn alerts_and_referrals_before_tls_are_untrusted() {
    let mut s = starttls_client(StartTlsPolicy::Required);
    s.server(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n* OK [ALERT] call 555-1234 now\r\n");
    s.server(b"* OK [REFERRAL imap://evil.example/] go there\r\n");
    let ev = s.events();
    assert!(ev
        .iter()
        .any(|e| matches!(e, Event::Alert { trusted: false, .. })));
    assert!(ev.iter().any(
        |e| matches!(e, Event::Referral { trusted: false, url } if url == "imap://evil.example/")
    ));
    // Over TLS the same alert is trusted.
    let mut s = greeted("");
    s.server(b"* OK [ALERT] maintenance at 10pm\r\n");
    assert!(s
        .events()
        .iter()
        .any(|e| matches!(e, Event::Alert { trusted: true, .. })));
}

// ---- 8. IDLE ----

fn selected() -> Script {
    let mut s = greeted("IDLE");
    s.client.login(s.now, "u", secret("p")).unwrap();
    s.client.select(s.now, Mailbox::from_name("INBOX")).unwrap();
    s.sent();
    s.server(b"A1 OK [CAPABILITY IMAP4rev1 IDLE] in\r\n");
    s.sent();
    s.server(b"* 2 EXISTS\r\nA2 OK [READ-WRITE] done\r\n");
    s.events();
    assert_eq!(s.client.state(), SessionState::Selected);
    s
}

#[test]
fn idle_waits_for_continuation_and_ends_with_done() {
    let mut s = selected();
    let id = s.client.idle(s.now).unwrap();
    assert_eq!(s.sent(), "A3 IDLE\r\n");
    assert!(!s.client.is_idle());
    s.server(b"+ idling\r\n* 3 EXISTS\r\n");
    let ev = without_sent(s.events());
    assert_eq!(ev[0], Event::IdleStarted { handle: id });
    assert!(matches!(
        &ev[1],
        Event::Data {
            data: Data::Exists(3),
            ..
        }
    ));
    assert!(s.client.is_idle());
    s.client.idle_done(s.now).unwrap();
    assert_eq!(s.sent(), "DONE\r\n");
    s.server(b"A3 OK idle done\r\n");
    assert_eq!(completed(&s.events()), [(id, Outcome::Ok)]);
    assert_eq!(
        s.client.idle_done(s.now),
        Err(UsageError::Unexpected("idle_done while not idling"))
    );
}

#[test]
fn idle_is_refreshed_by_the_timer() {
    let mut config = quiet_config();
    config.idle_refresh = Duration::from_secs(600);
    let mut s = Script::tls(config);
    s.server(b"* PREAUTH [CAPABILITY IMAP4rev1 IDLE] hi\r\n");
    s.events();
    let id = s.client.idle(s.now).unwrap();
    assert_eq!(s.sent(), "A1 IDLE\r\n");
    s.server(b"+ idling\r\n");
    assert_eq!(
        s.client.poll_timeout(),
        Some(s.now + Duration::from_secs(600))
    );
    s.advance(Duration::from_secs(600));
    assert_eq!(s.sent(), "DONE\r\n");
    s.server(b"A1 OK\r\n");
    assert_eq!(s.sent(), "A2 IDLE\r\n");
    s.server(b"+ idling\r\n");
    let ev = without_sent(s.events());
    assert_eq!(
        ev,
        [
            Event::IdleStarted { handle: id },
            Event::IdleRefreshed { handle: id }
        ]
    );
    s.client.idle_done(s.now).unwrap();
    assert_eq!(s.sent(), "DONE\r\n");
    s.server(b"A2 OK\r\n");
    assert_eq!(completed(&s.events()), [(id, Outcome::Ok)]);
}

#[test]
fn idle_without_the_capability_is_reported() {
    let mut s = Script::tls(quiet_config());
    s.server(b"* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n");
    assert_eq!(
        s.client.idle(s.now),
        Err(UsageError::MissingCapability("IDLE"))
    );
}

#[test]
fn a_command_ends_idle_first() {
    let mut s = selected();
    let idle = s.client.idle(s.now).unwrap();
    s.sent();
    s.server(b"+ idling\r\n");
    let noop = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    assert_eq!(s.sent(), "DONE\r\n");
    s.server(b"A3 OK\r\n");
    assert_eq!(s.sent(), "A4 NOOP\r\n");
    s.server(b"A4 OK\r\n");
    assert_eq!(
        completed(&s.events()),
        [(idle, Outcome::Ok), (noop, Outcome::Ok)]
    );
}

#[test]
fn bye_during_idle_closes_with_its_reason() {
    let mut s = selected();
    let idle = s.client.idle(s.now).unwrap();
    s.sent();
    s.server(b"+ idling\r\n* BYE [UNAVAILABLE] shutting down\r\n");
    let ev = s.events();
    assert!(ev.iter().any(|e| matches!(
        e,
        Event::Bye {
            code: Some(ResponseCode::Unavailable),
            ..
        }
    )));
    assert_eq!(completed(&ev), [(idle, Outcome::ConnectionClosed)]);
    assert!(matches!(
        closed(&ev),
        Some(CloseReason::Bye {
            code: Some(ResponseCode::Unavailable),
            ..
        })
    ));
    assert_eq!(s.sent(), "");
}

// ---- 11. BYE and LOGOUT ----

#[test]
fn logout_completes_then_closes() {
    let mut s = greeted("");
    let id = s.client.logout(s.now).unwrap();
    assert_eq!(s.sent(), "A1 LOGOUT\r\n");
    assert_eq!(
        s.client.enqueue(s.now, CommandBody::Noop),
        Err(UsageError::WrongState {
            command: "NOOP",
            state: "logout"
        })
    );
    s.server(b"* BYE logging out\r\nA1 OK bye\r\n");
    let ev = s.events();
    assert_eq!(completed(&ev), [(id, Outcome::Ok)]);
    assert_eq!(closed(&ev), Some(CloseReason::Logout));
    s.server(b"* 1 EXISTS\r\n");
    assert!(s.events().is_empty(), "nothing after Closed");
    assert_eq!(
        s.client.enqueue(s.now, CommandBody::Noop),
        Err(UsageError::Closed)
    );
}

/// wp.pl answers LOGOUT with a tagged BYE (`Quirks::TAGGED_BYE`, read as
/// the untagged BYE): no violation, and the session ends as logged out
/// when the server closes the connection.
#[test]
fn tagged_bye_answering_logout_ends_as_logged_out() {
    let mut s = greeted("");
    let id = s.client.logout(s.now).unwrap();
    assert_eq!(s.sent(), "A1 LOGOUT\r\n");
    s.server(b"A1 BYE IMAP4rev1 Server logging out\r\n");
    let ev = s.events();
    assert!(
        !ev.iter().any(|e| matches!(e, Event::Violation(_))),
        "{ev:?}"
    );
    assert!(ev.iter().any(|e| matches!(e, Event::Bye { .. })), "{ev:?}");
    assert_eq!(closed(&ev), None, "closed by the server, not yet");
    s.client.handle_eof(s.now);
    let ev = s.events();
    assert_eq!(closed(&ev), Some(CloseReason::Logout));
    assert_eq!(completed(&ev), [(id, Outcome::Ok)]);
}

#[test]
fn unsolicited_bye_completes_everything_in_flight() {
    let mut s = selected();
    let a = s.client.enqueue(s.now, body("FETCH 1 FLAGS")).unwrap();
    let b = s.client.enqueue(s.now, body("FETCH 2 FLAGS")).unwrap();
    s.sent();
    s.server(b"* BYE [LIMIT] too many connections\r\n");
    let ev = s.events();
    assert_eq!(
        completed(&ev),
        [
            (a, Outcome::ConnectionClosed),
            (b, Outcome::ConnectionClosed)
        ]
    );
    assert!(matches!(
        closed(&ev),
        Some(CloseReason::Bye {
            code: Some(ResponseCode::Limit),
            ..
        })
    ));
}

#[test]
fn eof_closes() {
    let mut s = greeted("");
    let id = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    s.client.handle_eof(s.now);
    let ev = s.events();
    assert_eq!(completed(&ev), [(id, Outcome::ConnectionClosed)]);
    assert_eq!(closed(&ev), Some(CloseReason::Eof));
}

// ---- routing ----

#[test]
fn data_is_attributed_where_unambiguous() {
    let mut s = greeted("");
    s.client.login(s.now, "u", secret("p")).unwrap();
    s.sent();
    s.server(b"A1 OK\r\n");
    let list = s.client.enqueue(s.now, body("LIST \"\" *")).unwrap();
    let status = s
        .client
        .enqueue(s.now, body("STATUS INBOX (MESSAGES)"))
        .unwrap();
    s.sent();
    s.server(
        b"* LIST () \"/\" INBOX\r\n* STATUS INBOX (MESSAGES 3)\r\n* 4 EXISTS\r\nA2 OK\r\nA3 OK\r\n",
    );
    let ev = without_sent(s.events());
    let handles: Vec<Option<CommandHandle>> = ev
        .iter()
        .filter_map(|e| match e {
            Event::Data { handle, .. } => Some(*handle),
            _ => None,
        })
        .collect();
    // LIST's answer is LIST's; STATUS could answer either (LIST-STATUS); EXISTS is nobody's.
    assert_eq!(handles, [Some(list), None, None]);
    let _ = status;
}

#[test]
fn decode_errors_are_violations_with_offsets_and_the_session_goes_on() {
    let mut s = greeted("");
    let id = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    s.sent();
    s.server(b"* 1 FETCH (FLAGS (\\Seen)\r\nA1 OK\r\n");
    let ev = without_sent(s.events());
    match &ev[0] {
        Event::Violation(v) => {
            assert_eq!(v.offset, 36);
            assert_eq!(
                v.kind,
                ViolationKind::Syntax {
                    reason: "expected SP or )",
                    at: 24
                }
            );
            assert_eq!(v.raw(), b"* 1 FETCH (FLAGS (\\Seen)\r\n");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(completed(&ev), [(id, Outcome::Ok)]);
}

#[test]
fn debug_of_events_never_shows_the_password() {
    let mut s = greeted("");
    s.client.login(s.now, "u", secret("hunter2")).unwrap();
    let debug = format!("{:?}", s.client);
    assert!(!debug.contains("hunter2"), "{debug}");
    let _ = Status::Ok;
    let _ = Split::Whole;
}

#[test]
fn capabilities_announced_during_login_are_kept() {
    // Dovecot sends the post-login capabilities untagged before the OK.
    let mut s = Script::tls(ClientConfig::default());
    s.server(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n");
    s.client.login(s.now, "u", secret("p")).unwrap();
    assert_eq!(s.sent(), "A1 LOGIN u p\r\n");
    s.server(b"* CAPABILITY IMAP4rev1 IDLE MOVE\r\nA1 OK Logged in\r\n");
    assert!(s.client.capabilities().has(&Capability::Move));
    assert_eq!(s.sent(), "", "nothing asked again");
}

/// RFC 4978 §3: the server compresses from the byte after its OK's CRLF;
/// compressed bytes that arrive in the same read as the OK are inflated,
/// not framed as plaintext.
#[test]
fn compress_data_in_the_same_read_as_the_ok() {
    use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress};
    let mut s = greeted("COMPRESS=DEFLATE");
    s.client.login(s.now, "u", secret("p")).unwrap();
    s.sent();
    s.server(b"A1 OK\r\n");
    let h = s.client.compress(s.now).unwrap();
    assert_eq!(s.sent(), "A2 COMPRESS DEFLATE\r\n");
    let mut deflate = Compress::new(Compression::default(), false);
    let mut wire = b"A2 OK DEFLATE active\r\n".to_vec();
    let mut z = Vec::with_capacity(256);
    deflate
        .compress_vec(
            b"* OK [ALERT] hello from inside\r\n",
            &mut z,
            FlushCompress::Sync,
        )
        .unwrap();
    wire.extend_from_slice(&z);
    s.server(&wire);
    let ev = s.events();
    assert!(ev
        .iter()
        .any(|e| matches!(e, Event::CompressionActive { handle } if *handle == h)));
    assert!(
        ev.iter().any(
            |e| matches!(e, Event::Alert { text, .. } if text.as_bytes() == b"hello from inside")
        ),
        "{ev:?}"
    );
    // What the client sends from now on is deflated.
    s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    let out = s.sent_bytes();
    let mut inflate = Decompress::new(false);
    let mut plain = Vec::with_capacity(256);
    inflate
        .decompress_vec(&out, &mut plain, FlushDecompress::Sync)
        .unwrap();
    assert_eq!(plain, b"A3 NOOP\r\n");
    // A corrupt stream closes the session.
    s.server(&[0xff; 8]);
    assert_eq!(closed(&s.events()), Some(CloseReason::Compression));
}

/// The completion of a COPY or MOVE carries its COPYUID (RFC 4315 §3)
/// wherever it came: MOVE's in an untagged OK before the tagged response
/// (RFC 6851 §4.3, as Dovecot sends it), COPY's in the tagged code. With
/// two COPY/MOVE in flight an untagged one is nobody's (it stays in its
/// `Event::Status`). Stop 33, from the user-tasks review's friction 4.
#[test]
fn copy_and_move_completions_carry_their_copyuid() {
    let copy_uid = |c: &imapkit_state::client::Completion| {
        c.copy_uid.as_ref().map(|c| {
            (
                c.uid_validity.get(),
                c.source.to_string(),
                c.destination.to_string(),
            )
        })
    };
    let completions = |events: &[Event]| -> Vec<_> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Completed(c) => Some((c.handle, copy_uid(c))),
                _ => None,
            })
            .collect()
    };
    let mut s = Script::tls(quiet_config());
    s.server(b"* PREAUTH [CAPABILITY IMAP4rev1 UIDPLUS MOVE] hi\r\n");
    s.client.select(s.now, Mailbox::from_name("INBOX")).unwrap();
    s.sent();
    s.server(b"* 3 EXISTS\r\n* OK [UIDVALIDITY 7] x\r\nA1 OK [READ-WRITE] x\r\n");
    s.events();
    let mv = s
        .client
        .enqueue(
            s.now,
            CommandBody::uid_move(imapkit_proto::SequenceSet::try_from(4).unwrap(), "Trash"),
        )
        .unwrap();
    assert_eq!(s.sent(), "A2 UID MOVE 4 Trash\r\n");
    s.server(b"* OK [COPYUID 99 4 20] moved\r\n* 1 EXPUNGE\r\nA2 OK done\r\n");
    assert_eq!(
        completions(&s.events()),
        [(mv, Some((99, "4".to_owned(), "20".to_owned())))]
    );
    let cp = s
        .client
        .enqueue(
            s.now,
            CommandBody::uid_copy(imapkit_proto::SequenceSet::try_from(5).unwrap(), "Archive"),
        )
        .unwrap();
    assert_eq!(s.sent(), "A3 UID COPY 5 Archive\r\n");
    s.server(b"A3 OK [COPYUID 98 5 30] copied\r\n");
    assert_eq!(
        completions(&s.events()),
        [(cp, Some((98, "5".to_owned(), "30".to_owned())))]
    );
    // Two MOVEs in flight: whose the untagged COPYUID is cannot be told.
    let a = s
        .client
        .enqueue(
            s.now,
            CommandBody::uid_move(imapkit_proto::SequenceSet::try_from(5).unwrap(), "Trash"),
        )
        .unwrap();
    let b = s
        .client
        .enqueue(
            s.now,
            CommandBody::uid_move(imapkit_proto::SequenceSet::try_from(6).unwrap(), "Trash"),
        )
        .unwrap();
    s.sent();
    s.server(b"* OK [COPYUID 99 5 21] moved\r\nA4 OK done\r\nA5 NO [TRYCREATE] no\r\n");
    assert_eq!(completions(&s.events()), [(a, None), (b, None)]);
}
