//! The Client's security promises (README, "What the client does by
//! itself": authentication, STARTTLS, greeting, completions, literals,
//! timers and BYE) against a hostile or broken server, or an attacker on
//! the plaintext connection before TLS.
//!
//! Every test asserts the exact bytes the client transmits (never a secret
//! before TLS), the events in order and the errors. A test marked
//! `//! the promise is broken today.
//!
//! References: RFC 9051 §6.2.1 (STARTTLS: the client MUST discard cached
//! capabilities after TLS, and nothing may be pipelined after it), §6.2.3
//! (LOGINDISABLED), §7.1 (ALERT, REFERRAL), §7.5 (continuation request);
//! RFC 8314 §3 (no cleartext credentials, STARTTLS as a mandatory step when
//! configured); RFC 7888 (LITERAL+ / LITERAL-); "Why TLS is better without
//! STARTTLS" (Poddebniak et al., USENIX Security 2021).

mod util;

use base64::Engine as _;
use imapkit_proto::{AuthMechanism, Capability, CommandBody, Secret};
use imapkit_state::client::{
    ClientConfig, CloseReason, Event, Outcome, SessionState, StartTlsPolicy, TlsPolicyError,
};
use imapkit_state::error::{UsageError, ViolationKind};
use imapkit_state::sasl::login::LoginClient;
use imapkit_state::sasl::oauthbearer::OAuthBearerClient;
use imapkit_state::sasl::plain::PlainClient;
use imapkit_state::sasl::scram::{ScramClient, ScramHash};
use imapkit_state::sasl::xoauth2::XOAuth2Client;
use imapkit_state::sasl::ChannelBinding;
use imapkit_state::{CommandHandle, ConnectionSecurity};
use util::client::{under_any_split, violations, Script, Split};

// ---- helpers ----

const PASSWORD: &str = "hunter2-s3cr3t";

fn secret(s: &str) -> Secret<String> {
    Secret::new(s.to_owned())
}

/// A client on a plaintext connection with `policy` (everything else default).
fn plain(policy: StartTlsPolicy) -> Script {
    let mut config = ClientConfig::default();
    config.starttls = policy;
    Script::plain(config)
}

/// A client on a plaintext connection with `config`, reads cut by `split`.
fn plain_split(config: ClientConfig, split: Split) -> Script {
    Script::new(config, ConnectionSecurity::Plaintext, split)
}

/// base64 of `\0user\0password` (RFC 4616).
fn plain_ir(user: &str, password: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{password}"))
}

/// The events in a short, comparable form.
fn trace(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            Event::Greeting(g) => format!("Greeting({:?})", g.kind),
            Event::CommandSent { handle, tag } => format!("Sent({handle} {})", tag.as_str()),
            Event::Completed(c) => format!(
                "Completed({} {} {:?})",
                c.handle,
                c.tag.as_ref().map_or("-", |t| t.as_str()),
                c.outcome
            ),
            Event::CapabilitiesChanged => "CapabilitiesChanged".to_owned(),
            Event::StartTls { handle } => format!("StartTls({handle})"),
            Event::InjectionDiscarded { bytes } => format!("InjectionDiscarded({bytes})"),
            Event::Violation(v) => format!("Violation({:?} @{})", v.kind, v.offset),
            Event::Alert { trusted, .. } => format!("Alert(trusted={trusted})"),
            Event::Referral { url, trusted } => format!("Referral({url} trusted={trusted})"),
            Event::Status { status, .. } => format!("Status({:?})", status.kind),
            Event::Data { data, .. } => format!("Data({data})"),
            Event::Bye { .. } => "Bye".to_owned(),
            Event::Closed { reason } => format!("Closed({reason:?})"),
            other => format!("{other:?}"),
        })
        .collect()
}

fn completion(events: &[Event], handle: CommandHandle) -> Option<Outcome> {
    events.iter().find_map(|e| match e {
        Event::Completed(c) if c.handle == handle => Some(c.outcome.clone()),
        _ => None,
    })
}

fn completions(events: &[Event]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, Event::Completed(_)))
        .count()
}

fn closed(events: &[Event]) -> Option<CloseReason> {
    match events.last() {
        Some(Event::Closed { reason }) => Some(reason.clone()),
        _ => None,
    }
}

fn has_start_tls(events: &[Event]) -> bool {
    events.iter().any(|e| matches!(e, Event::StartTls { .. }))
}

fn no_secret(sent: &str) {
    assert!(!sent.contains(PASSWORD), "secret on the wire: {sent:?}");
    assert!(!sent.contains("LOGIN "), "LOGIN on the wire: {sent:?}");
    assert!(
        !sent.contains("AUTHENTICATE"),
        "AUTHENTICATE on the wire: {sent:?}"
    );
}

/// A plaintext client (Required) with a LOGIN of alice queued before the
/// greeting; returns it and the LOGIN's handle.
fn required_with_login() -> (Script, CommandHandle) {
    let mut s = plain(StartTlsPolicy::Required);
    let login = queue_login(&mut s);
    (s, login)
}

/// Enqueues LOGIN of alice with [`PASSWORD`]; returns its handle.
fn queue_login(s: &mut Script) -> CommandHandle {
    s.client.login(s.now, "alice", secret(PASSWORD)).unwrap()
}

/// Enqueues LOGIN of alice with a password that needs a literal
/// (`PASSWORD é`, 17 bytes); returns its handle.
fn queue_login_literal(s: &mut Script) -> CommandHandle {
    s.client
        .login(s.now, "alice", secret(&format!("{PASSWORD} é")))
        .unwrap()
}

/// Enqueues AUTHENTICATE PLAIN of alice with [`PASSWORD`]; returns its
/// handle.
fn queue_authenticate_plain(s: &mut Script) -> CommandHandle {
    s.client
        .authenticate(s.now, Box::new(PlainClient::new("alice", secret(PASSWORD))))
        .unwrap()
}

/// The server greets with `greeting` (which offers STARTTLS); asserts that
/// the client answers with `A1 STARTTLS` and nothing else.
fn greet_expecting_starttls(s: &mut Script, greeting: &[u8]) {
    s.server(greeting);
    assert_eq!(s.sent(), "A1 STARTTLS\r\n");
}

/// Asserts that the command `handle` completed unsent with `error`.
fn assert_not_sent(events: &[Event], handle: CommandHandle, error: UsageError) {
    assert_eq!(completion(events, handle), Some(Outcome::NotSent(error)));
}

/// Asserts that the last of `events` closed the connection for the TLS
/// policy, with `error`.
fn assert_closed_by_policy(events: &[Event], error: TlsPolicyError) {
    assert_eq!(closed(events), Some(CloseReason::TlsPolicy(error)));
}

/// A plaintext client (Required) that greeted with STARTTLS, sent it, got
/// `A1 OK` and was told TLS is up.
fn upgraded(greeting_caps: &str) -> Script {
    let mut s = plain(StartTlsPolicy::Required);
    let greeting = format!("* OK [CAPABILITY IMAP4rev1 STARTTLS {greeting_caps}] hi\r\n");
    greet_expecting_starttls(&mut s, greeting.as_bytes());
    s.server(b"A1 OK Begin TLS negotiation now\r\n");
    assert!(has_start_tls(&s.events()));
    s.client.tls_established(s.now).unwrap();
    s
}

// ---- 1. credentials before TLS (RFC 8314 §3, RFC 9051 §6.2.1) ----

/// LOGIN enqueued before the greeting: STARTTLS first, then CAPABILITY over
/// TLS, then LOGIN, encoded with the capabilities learned over TLS (the
/// plaintext LITERAL+ is forgotten: a synchronizing literal waits for `+`).
#[test]
fn login_before_the_greeting_waits_for_tls_and_the_new_capabilities() {
    under_any_split(|split| {
        let mut s = plain_split(ClientConfig::default(), split);
        let login = queue_login_literal(&mut s);
        assert_eq!(s.sent(), "");
        s.server(b"* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN SASL-IR LITERAL+] hi\r\n");
        let mut wire = s.sent();
        assert_eq!(wire, "A1 STARTTLS\r\n");
        s.server(b"A1 OK Begin TLS\r\n");
        assert_eq!(s.sent(), "");
        let mut ev = s.events();
        assert_eq!(
            trace(&ev),
            [
                "Greeting(Ok)",
                "CapabilitiesChanged",
                "Sent(#2 A1)",
                "CapabilitiesChanged",
                "Completed(#2 A1 Ok)",
                "StartTls(#2)",
            ]
        );
        s.client.tls_established(s.now).unwrap();
        assert!(!s.client.capabilities().known());
        let after = s.sent();
        assert_eq!(after, "A2 CAPABILITY\r\n");
        wire.push_str(&after);
        s.server(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA2 OK\r\n");
        let after = s.sent();
        assert_eq!(after, "A3 LOGIN alice {17}\r\n");
        wire.push_str(&after);
        s.server(b"+ go ahead\r\n");
        let after = s.sent();
        assert_eq!(after, format!("{PASSWORD} é\r\n"));
        wire.push_str(&after);
        s.server(b"A3 OK [CAPABILITY IMAP4rev1 IDLE] in\r\n");
        ev.extend(s.events());
        assert_eq!(completion(&ev, login), Some(Outcome::Ok));
        assert_eq!(s.client.state(), SessionState::Authenticated);
        (ev, wire)
    });
}

/// AUTHENTICATE PLAIN enqueued before the greeting: SASL-IR announced in
/// plaintext is forgotten; over TLS without SASL-IR the client waits for
/// the empty challenge.
#[test]
fn authenticate_before_the_greeting_forgets_plaintext_sasl_ir() {
    let mut s = plain(StartTlsPolicy::Required);
    let auth = queue_authenticate_plain(&mut s);
    greet_expecting_starttls(
        &mut s,
        b"* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN SASL-IR] hi\r\n",
    );
    s.server(b"A1 OK Begin TLS\r\n");
    assert_eq!(s.sent(), "");
    s.client.tls_established(s.now).unwrap();
    assert_eq!(s.sent(), "A2 CAPABILITY\r\n");
    s.server(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA2 OK\r\n");
    assert_eq!(s.sent(), "A3 AUTHENTICATE PLAIN\r\n");
    s.server(b"+ \r\n");
    assert_eq!(s.sent(), format!("{}\r\n", plain_ir("alice", PASSWORD)));
    s.server(b"A3 OK done\r\n");
    assert_eq!(completion(&s.events(), auth), Some(Outcome::Ok));
}

/// LOGIN and AUTHENTICATE enqueued while STARTTLS is in flight are not
/// pipelined behind it (RFC 9051 §6.2.1); when STARTTLS is refused they
/// complete unsent and nothing else goes out.
#[test]
fn credentials_queued_behind_starttls_are_never_sent_when_it_fails() {
    for answer in [&b"A1 NO not now\r\n"[..], b"A1 BAD STARTTLS\r\n"] {
        for use_login in [true, false] {
            let mut s = plain(StartTlsPolicy::Required);
            greet_expecting_starttls(
                &mut s,
                b"* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN SASL-IR] hi\r\n",
            );
            s.events();
            let handle = if use_login {
                queue_login(&mut s)
            } else {
                queue_authenticate_plain(&mut s)
            };
            assert_eq!(s.sent(), "");
            s.server(answer);
            assert_eq!(s.sent(), "");
            let ev = s.events();
            assert_eq!(
                trace(&ev),
                [
                    format!(
                        "Completed(#1 A1 {})",
                        if answer[3] == b'N' { "No" } else { "Bad" }
                    ),
                    format!("Completed({handle} - NotSent(Closed))"),
                    "Closed(TlsPolicy(Refused))".to_owned(),
                ]
            );
        }
    }
}

/// The greeting offers AUTH=PLAIN and LOGIN but not STARTTLS (stripped by an
/// attacker): Required fails closed, the queued LOGIN and AUTHENTICATE
/// complete unsent, nothing is transmitted.
#[test]
fn auth_plain_without_starttls_in_the_greeting_fails_closed() {
    for greeting in [
        &b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=LOGIN SASL-IR] hi\r\n"[..],
        // Capabilities asked for instead of announced.
        b"* OK hi\r\n",
    ] {
        let (mut s, login) = required_with_login();
        let auth = queue_authenticate_plain(&mut s);
        s.server(greeting);
        let mut wire = s.sent();
        if greeting == b"* OK hi\r\n" {
            assert_eq!(wire, "A1 CAPABILITY\r\n");
            s.server(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=LOGIN SASL-IR\r\nA1 OK\r\n");
            wire.push_str(&s.sent());
        }
        no_secret(&wire);
        let ev = s.events();
        assert_not_sent(&ev, login, UsageError::Closed);
        assert_not_sent(&ev, auth, UsageError::Closed);
        assert_closed_by_policy(&ev, TlsPolicyError::NotOffered);
        assert_eq!(
            s.client.login(s.now, "alice", secret(PASSWORD)),
            Err(UsageError::Closed)
        );
    }
}

/// After STARTTLS was sent the server (or an attacker) announces
/// capabilities without STARTTLS but with AUTH=PLAIN: the client keeps
/// waiting for the STARTTLS answer and sends nothing; a later OK still
/// upgrades, a NO still fails closed.
#[test]
fn capability_without_starttls_after_starttls_was_sent() {
    for (answer, upgrades) in [
        (&b"A1 OK Begin TLS\r\n"[..], true),
        (b"A1 NO no TLS today\r\n", false),
    ] {
        let (mut s, login) = required_with_login();
        greet_expecting_starttls(
            &mut s,
            b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi\r\n",
        );
        s.server(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR LITERAL+\r\n");
        s.server(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] plaintext is fine\r\n");
        assert_eq!(s.sent(), "");
        assert_eq!(s.client.state(), SessionState::NotAuthenticated);
        s.server(answer);
        assert_eq!(s.sent(), "");
        let ev = s.events();
        assert_eq!(has_start_tls(&ev), upgrades);
        if upgrades {
            assert!(!s.client.capabilities().known());
            s.client.tls_established(s.now).unwrap();
            assert_eq!(s.sent(), "A2 CAPABILITY\r\n");
        } else {
            assert_not_sent(&ev, login, UsageError::Closed);
            assert_closed_by_policy(&ev, TlsPolicyError::Refused);
        }
    }
}

/// STARTTLS answered with something that is not its tagged OK: a tagged
/// OK with another tag (or the same tag in another case), an untagged OK,
/// a continuation request. None of them starts TLS, none lets the queued
/// LOGIN out; the real answer is still awaited.
#[test]
fn starttls_answered_by_anything_but_its_tagged_ok_starts_nothing() {
    for (answer, violation) in [
        (&b"A2 OK Begin TLS\r\n"[..], Some(ViolationKind::UnknownTag)),
        (b"a1 OK Begin TLS\r\n", Some(ViolationKind::UnknownTag)),
        (b"A10 OK Begin TLS\r\n", Some(ViolationKind::UnknownTag)),
        (b"* OK Begin TLS\r\n", None),
        (b"* OK [STARTTLS] Begin TLS\r\n", None),
        (
            b"+ Begin TLS\r\n",
            Some(ViolationKind::UnexpectedContinuation),
        ),
        (b"+\r\n", Some(ViolationKind::UnexpectedContinuation)),
    ] {
        let (mut s, login) = required_with_login();
        greet_expecting_starttls(&mut s, b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
        s.events();
        s.server(answer);
        assert_eq!(s.sent(), "", "{answer:?}");
        let ev = s.events();
        assert!(!has_start_tls(&ev), "{answer:?}: {:?}", trace(&ev));
        assert_eq!(completions(&ev), 0, "{answer:?}: {:?}", trace(&ev));
        assert_eq!(
            violations(&ev),
            violation.into_iter().collect::<Vec<_>>(),
            "{answer:?}"
        );
        assert!(closed(&ev).is_none());
        assert_eq!(
            s.client.tls_established(s.now),
            Err(UsageError::Unexpected(
                "tls_established without a STARTTLS OK"
            ))
        );
        // The real answer still decides.
        s.server(b"A1 NO\r\n");
        let ev = s.events();
        assert_not_sent(&ev, login, UsageError::Closed);
        assert_closed_by_policy(&ev, TlsPolicyError::Refused);
        assert_eq!(s.sent(), "");
    }
}

/// STARTTLS answered by BYE, or the connection ends: closed, queued
/// credentials complete unsent.
#[test]
fn starttls_answered_by_bye_or_eof() {
    for bye in [true, false] {
        let (mut s, login) = required_with_login();
        greet_expecting_starttls(&mut s, b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
        s.events();
        if bye {
            s.server(b"* BYE [ALERT] go away\r\n");
        } else {
            s.client.handle_eof(s.now);
        }
        let ev = s.events();
        assert_not_sent(&ev, login, UsageError::Closed);
        let starttls = ev.iter().find_map(|e| match e {
            Event::Completed(c) if c.handle != login => Some(c.outcome.clone()),
            _ => None,
        });
        assert_eq!(starttls, Some(Outcome::ConnectionClosed));
        if bye {
            assert_eq!(
                trace(&ev),
                [
                    "Alert(trusted=false)",
                    "Bye",
                    "Completed(#2 A1 ConnectionClosed)",
                    "Completed(#1 - NotSent(Closed))",
                    "Closed(Bye { code: Some(Alert), text: Text(b\"go away\") })",
                ]
            );
        } else {
            assert_eq!(closed(&ev), Some(CloseReason::Eof));
        }
        assert_eq!(s.sent(), "");
    }
}

/// Opportunistic: when STARTTLS is stripped or refused, the session goes on
/// in plaintext (documented), but credentials never go out: the queued
/// LOGIN/AUTHENTICATE complete unsent, new ones are refused.
#[test]
fn opportunistic_downgrade_never_sends_credentials() {
    for (greeting, answer) in [
        (
            &b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\n"[..],
            None,
        ),
        (
            b"* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN SASL-IR] hi\r\n",
            Some(&b"A1 NO not today\r\n"[..]),
        ),
        (
            b"* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN SASL-IR] hi\r\n",
            Some(b"A1 BAD what\r\n"),
        ),
    ] {
        let mut s = plain(StartTlsPolicy::Opportunistic);
        let login = queue_login(&mut s);
        let auth = queue_authenticate_plain(&mut s);
        s.server(greeting);
        let mut wire = s.sent();
        if let Some(answer) = answer {
            assert_eq!(wire, "A1 STARTTLS\r\n");
            s.server(answer);
            wire.push_str(&s.sent());
        }
        no_secret(&wire);
        let ev = s.events();
        assert_not_sent(&ev, login, UsageError::PlaintextCredentials);
        assert_not_sent(&ev, auth, UsageError::PlaintextCredentials);
        assert_eq!(s.client.security(), ConnectionSecurity::Plaintext);
        assert_eq!(
            s.client.login(s.now, "alice", secret(PASSWORD)),
            Err(UsageError::PlaintextCredentials)
        );
        for m in [
            Box::new(PlainClient::new("alice", secret(PASSWORD)))
                as Box<dyn imapkit_state::sasl::ClientMechanism>,
            Box::new(LoginClient::new("alice", secret(PASSWORD))),
            Box::new(XOAuth2Client::new("alice", secret(PASSWORD))),
            Box::new(OAuthBearerClient::new("alice", secret(PASSWORD))),
        ] {
            assert_eq!(
                s.client.authenticate(s.now, m),
                Err(UsageError::PlaintextCredentials)
            );
        }
        assert_eq!(s.sent(), "");
    }
}

/// An AUTHENTICATE built as a command (`CommandBody::authenticate_with`,
/// public API) carries the SASL-IR credentials itself; on a connection not
/// marked encrypted it must be refused like `authenticate()` with PLAIN.
/// Here an attacker stripped STARTTLS from an Opportunistic client.
#[test]
fn raw_authenticate_with_initial_response_is_refused_in_plaintext() {
    let ir = format!("\0alice\0{PASSWORD}");
    let mut s = plain(StartTlsPolicy::Opportunistic);
    s.server(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\n");
    let result = s.client.enqueue(
        s.now,
        CommandBody::authenticate_with(AuthMechanism::Plain, ir.clone().into_bytes()),
    );
    let wire = s.sent();
    assert_eq!(wire, "", "sent in plaintext: {wire:?}");
    assert_eq!(result, Err(UsageError::PlaintextCredentials));
    // The same with STARTTLS Never.
    let mut s = plain(StartTlsPolicy::Never);
    s.server(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\n");
    let result = s.client.enqueue(
        s.now,
        CommandBody::authenticate_with(AuthMechanism::Plain, ir.into_bytes()),
    );
    assert_eq!(s.sent(), "");
    assert_eq!(result, Err(UsageError::PlaintextCredentials));
}

/// The same command over TLS, and over plaintext when the configuration
/// allows credentials, is sent (the control for the test above).
#[test]
fn raw_authenticate_with_initial_response_over_tls_is_sent() {
    let ir = format!("\0alice\0{PASSWORD}");
    let mut s = upgraded("");
    assert_eq!(s.sent(), "A2 CAPABILITY\r\n");
    s.server(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR\r\nA2 OK\r\n");
    s.client
        .enqueue(
            s.now,
            CommandBody::authenticate_with(AuthMechanism::Plain, ir.into_bytes()),
        )
        .unwrap();
    assert_eq!(
        s.sent(),
        format!("A3 AUTHENTICATE PLAIN {}\r\n", plain_ir("alice", PASSWORD))
    );
}

/// `allow_plaintext_credentials` does not weaken STARTTLS Required: the
/// LOGIN still waits for TLS, and a refused STARTTLS still closes.
#[test]
fn allowing_plaintext_credentials_does_not_weaken_required() {
    let mut config = ClientConfig::default();
    config.allow_plaintext_credentials = true;
    let mut s = Script::plain(config);
    let login = queue_login(&mut s);
    greet_expecting_starttls(
        &mut s,
        b"* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] hi\r\n",
    );
    s.server(b"A1 BAD no\r\n");
    assert_eq!(s.sent(), "");
    let ev = s.events();
    assert_not_sent(&ev, login, UsageError::Closed);
    assert_closed_by_policy(&ev, TlsPolicyError::Refused);
}

/// SCRAM never sends the password: documented as allowed on plaintext when
/// STARTTLS was stripped from an Opportunistic client.
#[test]
fn opportunistic_downgrade_allows_scram_as_documented() {
    let mut s = plain(StartTlsPolicy::Opportunistic);
    s.server(b"* OK [CAPABILITY IMAP4rev1 AUTH=SCRAM-SHA-256 SASL-IR] hi\r\n");
    let m = ScramClient::new(
        ScramHash::Sha256,
        "alice",
        secret(PASSWORD),
        "rOprNGfwEbeRWgbNEkqO".into(),
        ChannelBinding::None,
    );
    s.client.authenticate(s.now, Box::new(m)).unwrap();
    let wire = s.sent();
    assert!(wire.starts_with("A1 AUTHENTICATE SCRAM-SHA-256 "), "{wire}");
    assert!(!wire.contains(PASSWORD));
}

/// LOGINDISABLED: announced in plaintext it says nothing about TLS (the
/// LOGIN waits for TLS); announced over TLS (in any case) it refuses LOGIN.
#[test]
fn logindisabled_before_and_after_tls() {
    // Plaintext LOGINDISABLED, TLS without it: LOGIN goes out over TLS.
    let (mut s, login) = required_with_login();
    greet_expecting_starttls(
        &mut s,
        b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi\r\n",
    );
    s.server(b"A1 OK\r\n");
    s.client.tls_established(s.now).unwrap();
    assert_eq!(s.sent(), "A2 CAPABILITY\r\n");
    s.server(b"* CAPABILITY IMAP4rev1\r\nA2 OK\r\n");
    assert_eq!(s.sent(), format!("A3 LOGIN alice {PASSWORD}\r\n"));
    // LOGINDISABLED over TLS (lower case): the queued LOGIN is not sent.
    let (mut s, login2) = required_with_login();
    s.server(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
    assert_eq!(s.sent(), "A1 STARTTLS\r\n");
    s.server(b"A1 OK\r\n");
    s.client.tls_established(s.now).unwrap();
    assert_eq!(s.sent(), "A2 CAPABILITY\r\n");
    s.server(b"* CAPABILITY IMAP4rev1 logindisabled AUTH=PLAIN\r\nA2 OK\r\n");
    assert_eq!(s.sent(), "");
    assert_not_sent(&s.events(), login2, UsageError::LoginDisabled);
    assert_eq!(
        s.client.login(s.now, "alice", secret(PASSWORD)),
        Err(UsageError::LoginDisabled)
    );
    // LOGINDISABLED in a plaintext session that was allowed credentials.
    let mut config = ClientConfig::default();
    config.starttls = StartTlsPolicy::Never;
    config.allow_plaintext_credentials = true;
    let mut s = Script::plain(config);
    let login3 = queue_login(&mut s);
    s.server(b"* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] hi\r\n");
    assert_eq!(s.sent(), "");
    assert_not_sent(&s.events(), login3, UsageError::LoginDisabled);
    let _ = login;
}

/// PREAUTH on plaintext with Required: a downgrade (RFC 9051 §6.2.1 allows
/// no STARTTLS once authenticated); closed before anything is sent, the
/// queued command completes unsent, an `[ALERT]` in it is untrusted.
#[test]
fn preauth_on_plaintext_fails_closed() {
    let (mut s, login) = required_with_login();
    s.server(b"* PREAUTH [ALERT] welcome back\r\n");
    assert_eq!(s.sent(), "");
    let ev = s.events();
    assert_eq!(
        trace(&ev),
        [
            "Greeting(PreAuth)",
            "Alert(trusted=false)",
            "Completed(#1 - NotSent(Closed))",
            "Closed(TlsPolicy(PreAuthOnPlaintext))",
        ]
    );
    assert_not_sent(&ev, login, UsageError::Closed);
    // With capabilities in the greeting, and a select queued.
    let mut s = plain(StartTlsPolicy::Required);
    let select = s
        .client
        .enqueue(s.now, CommandBody::select("INBOX"))
        .unwrap();
    s.server(b"* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
    assert_eq!(s.sent(), "");
    let ev = s.events();
    assert_not_sent(&ev, select, UsageError::Closed);
    assert_closed_by_policy(&ev, TlsPolicyError::PreAuthOnPlaintext);
}

/// PREAUTH on plaintext with Opportunistic: the session goes on in
/// plaintext (documented: Opportunistic "protects only against passive
/// eavesdroppers"); credentials are never needed, nothing secret is sent.
#[test]
fn preauth_on_plaintext_opportunistic_goes_on_as_documented() {
    let mut s = plain(StartTlsPolicy::Opportunistic);
    s.server(b"* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
    assert_eq!(s.client.state(), SessionState::Authenticated);
    assert_eq!(s.client.security(), ConnectionSecurity::Plaintext);
    assert!(s
        .events()
        .iter()
        .all(|e| !matches!(e, Event::Closed { .. })));
}

// ---- 2. bytes after the STARTTLS OK (NO STARTTLS §4.1, "buffering") ----

/// The attacker's capabilities ride in the same read as the OK: dropped,
/// reported, never an event, never capabilities.
#[test]
fn injection_in_the_same_read_as_the_starttls_ok() {
    under_any_split(|split| {
        let mut s = plain_split(ClientConfig::default(), split);
        s.server(b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi\r\n");
        let wire = s.sent();
        s.events();
        s.server(b"A1 OK Begin TLS\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN]\r\n");
        let ev = s.events();
        let discarded: usize = ev
            .iter()
            .filter_map(|e| match e {
                Event::InjectionDiscarded { bytes } => Some(*bytes),
                _ => None,
            })
            .sum();
        assert_eq!(discarded, 40, "{split:?}");
        let rest: Vec<String> = trace(&ev)
            .into_iter()
            .filter(|t| !t.starts_with("InjectionDiscarded"))
            .collect();
        assert_eq!(
            rest,
            ["CapabilitiesChanged", "Completed(#1 A1 Ok)", "StartTls(#1)",]
        );
        assert!(!s.client.capabilities().known());
        assert_eq!(s.sent(), "");
        s.client.tls_established(s.now).unwrap();
        assert!(!s.client.capabilities().known());
        assert!(!s.client.capabilities().has_auth(&AuthMechanism::Plain));
        assert_eq!(s.sent(), "A2 CAPABILITY\r\n");
        (rest_events(ev), wire)
    });
}

fn rest_events(ev: Vec<Event>) -> Vec<Event> {
    ev.into_iter()
        .filter(|e| !matches!(e, Event::InjectionDiscarded { .. }))
        .collect()
}

/// Injection in later plaintext reads, before the application says TLS is
/// up: each read dropped and reported; a LOGIN enqueued meanwhile waits.
#[test]
fn injection_in_later_reads_before_tls_established() {
    let mut s = plain(StartTlsPolicy::Required);
    greet_expecting_starttls(&mut s, b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
    s.server(b"A1 OK Begin TLS\r\n* OK [CAP");
    s.events();
    let login = queue_login(&mut s);
    for read in [
        &b"ABILITY IMAP4rev1 AUTH=PLAIN]\r\n"[..],
        b"* CAPABILITY IMAP4rev1 AUTH=PLAIN LITERAL+\r\n",
        b"+ send it\r\n",
        b"A2 OK\r\nA3 OK\r\n",
        b"* ENABLED UTF8=ACCEPT\r\n* 5 EXISTS\r\n",
        b"* OK [ALERT] injected\r\n",
        b"* OK [REFERRAL imap://evil.example/] go\r\n",
        b"* BYE [ALERT] injected\r\n",
    ] {
        s.server(read);
        assert_eq!(
            trace(&s.events()),
            [format!("InjectionDiscarded({})", read.len())],
            "{read:?}"
        );
        assert_eq!(s.sent(), "");
    }
    // read_buf/handle_read: the same.
    let mut room = s.client.read_buf(64);
    room.extend_from_slice(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n");
    s.client.handle_read(s.now, room);
    assert_eq!(trace(&s.events()), ["InjectionDiscarded(35)"]);
    assert_eq!(s.client.state(), SessionState::NotAuthenticated);
    assert!(!s.client.capabilities().known());
    assert!(s.client.capabilities().enabled().is_empty());
    assert!(s.client.mailbox().is_none());
    // Now TLS: nothing of the above counts.
    s.client.tls_established(s.now).unwrap();
    assert_eq!(s.sent(), "A2 CAPABILITY\r\n");
    s.server(b"* CAPABILITY IMAP4rev1\r\nA2 OK\r\n");
    assert_eq!(s.sent(), format!("A3 LOGIN alice {PASSWORD}\r\n"));
    s.server(b"A3 OK\r\n");
    assert_eq!(completion(&s.events(), login), Some(Outcome::Ok));
}

/// The OK and a partial injected line, cut anywhere: nothing of the line
/// survives into the TLS stream (the framer's partial message is dropped).
#[test]
fn a_partial_injected_line_does_not_prefix_the_tls_stream() {
    let mut s = plain(StartTlsPolicy::Required);
    greet_expecting_starttls(&mut s, b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
    s.server(b"A1 OK Begin TLS\r\nA2 OK [CAPABILITY IMAP4rev1 AUTH=PLAIN");
    s.client.tls_established(s.now).unwrap();
    assert_eq!(s.sent(), "A2 CAPABILITY\r\n");
    s.events();
    // Were the partial line kept, this would complete it as `A2 OK [...]`.
    s.server(b"] x\r\n* CAPABILITY IMAP4rev1 IDLE\r\nA2 OK\r\n");
    let ev = s.events();
    assert!(!s.client.capabilities().has_auth(&AuthMechanism::Plain));
    assert!(s.client.capabilities().has(&Capability::Idle));
    assert_eq!(
        trace(&ev),
        [
            // `] x`, the first line over TLS, at the offset after the
            // dropped 38 bytes: a line of its own.
            "Violation(Syntax { reason: \"expected OK, NO or BAD\", at: 2 } @96)",
            "CapabilitiesChanged",
            "Data(* CAPABILITY IMAP4rev1 IDLE)",
            "Completed(#2 A2 Ok)",
        ]
    );
}

/// STARTTLS enqueued by hand (policy Never): the same injection rules.
#[test]
fn manual_starttls_drops_injection_too() {
    let mut s = plain(StartTlsPolicy::Never);
    s.server(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
    s.client.starttls(s.now).unwrap();
    assert_eq!(s.sent(), "A1 STARTTLS\r\n");
    s.events();
    s.server(b"A1 OK go\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n");
    let ev = s.events();
    assert!(ev
        .iter()
        .any(|e| matches!(e, Event::InjectionDiscarded { bytes: 35 })));
    assert!(has_start_tls(&ev));
    assert!(!s.client.capabilities().known());
    s.server(b"* 1 EXISTS\r\n");
    assert_eq!(trace(&s.events()), ["InjectionDiscarded(12)"]);
    s.client.tls_established(s.now).unwrap();
    assert_eq!(s.sent(), "A2 CAPABILITY\r\n");
}

// ---- 3. untagged responses before TLS ----

/// Untagged data before TLS is never delivered (nor applied): EXISTS,
/// FLAGS, LIST, SEARCH, FETCH, ENABLED, STATUS, ID.
#[test]
fn untagged_data_before_tls_is_dropped() {
    let mut s = plain(StartTlsPolicy::Required);
    s.server(b"* OK [CAPABILITY IMAP4rev1 STARTTLS ENABLE] hi\r\n");
    s.server(b"* 54321 EXISTS\r\n* FLAGS (\\Seen)\r\n* LIST () \"/\" Evil\r\n");
    assert_eq!(s.sent(), "A1 STARTTLS\r\n");
    s.server(b"* SEARCH 1 2\r\n* 1 FETCH (FLAGS (\\Seen))\r\n* ENABLED UTF8=ACCEPT\r\n");
    s.server(b"* STATUS INBOX (MESSAGES 3)\r\n* ID (\"name\" \"evil\")\r\nA1 OK go\r\n");
    let ev = s.events();
    assert!(
        !ev.iter().any(|e| matches!(
            e,
            Event::Data { .. } | Event::Mailbox(_) | Event::Status { .. }
        )),
        "{:?}",
        trace(&ev)
    );
    assert_eq!(
        violations(&ev),
        vec![ViolationKind::OutOfState("untagged data before STARTTLS"); 8]
    );
    s.client.tls_established(s.now).unwrap();
    assert!(s.client.capabilities().enabled().is_empty());
    assert!(!s.client.capabilities().utf8_accepted());
    assert!(s.client.mailbox().is_none());
}

/// With literal streaming configured (`framer.stream_literals_above`), a
/// large literal in untagged data before TLS must not reach the
/// application either: it is attacker-controlled plaintext (a forged
/// message body).
#[test]
fn streamed_literal_before_tls_is_not_delivered() {
    let mut config = ClientConfig::default();
    config.framer.stream_literals_above = Some(8);
    let mut s = Script::plain(config);
    greet_expecting_starttls(&mut s, b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
    s.events();
    s.server(b"* 1 FETCH (BODY[] {30}\r\nFrom: ceo@bank.example\r\n\r\npay!)\r\n");
    let ev = s.events();
    assert!(
        !ev.iter().any(|e| matches!(
            e,
            Event::LiteralStart { .. }
                | Event::LiteralChunk(_)
                | Event::LiteralEnd
                | Event::Data { .. }
        )),
        "{:?}",
        trace(&ev)
    );
    assert_eq!(
        violations(&ev),
        [ViolationKind::OutOfState("untagged data before STARTTLS")]
    );
}

/// The same streamed literal over TLS is delivered (the control).
#[test]
fn streamed_literal_after_tls_is_delivered() {
    let mut config = ClientConfig::default();
    config.framer.stream_literals_above = Some(8);
    config.auto_capability = false;
    let mut s = Script::tls(config);
    s.server(b"* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n");
    s.events();
    s.server(b"* 1 FETCH (BODY[] {30}\r\nFrom: ceo@bank.example\r\n\r\npay!)\r\n");
    let ev = s.events();
    assert!(ev
        .iter()
        .any(|e| matches!(e, Event::LiteralStart { len: 30, .. })));
}

/// CAPABILITY data before TLS is read (the client needs it to find
/// STARTTLS, RFC 9051 §6.2.1) and forgotten after TLS. It is also handed to
/// the application as an `Event::Data` (answering the client's own
/// CAPABILITY), with no mark that it is untrusted: pinned as current
/// behaviour. The README's "untagged data before TLS is never delivered"
/// does not say that CAPABILITY is the exception.
#[test]
fn capability_data_before_tls_is_read_then_forgotten() {
    let mut s = plain(StartTlsPolicy::Required);
    s.server(b"* OK hi\r\n");
    assert_eq!(s.sent(), "A1 CAPABILITY\r\n");
    s.events();
    s.server(b"* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN IDLE\r\nA1 OK\r\n");
    assert_eq!(s.sent(), "A2 STARTTLS\r\n");
    let ev = s.events();
    assert_eq!(
        trace(&ev),
        [
            "CapabilitiesChanged",
            "Data(* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN IDLE)",
            "Completed(#1 A1 Ok)",
            "Sent(#2 A2)",
        ]
    );
    s.server(b"A2 OK\r\n");
    s.client.tls_established(s.now).unwrap();
    assert!(!s.client.capabilities().known());
    assert!(!s.client.capabilities().has(&Capability::Idle));
    assert_eq!(s.sent(), "A3 CAPABILITY\r\n");
}

/// Untagged `* OK/NO/BAD` text before TLS is handed to the application as
/// `Event::Status` with no mark that it is untrusted (only `[ALERT]` and
/// `[REFERRAL]` get `trusted: false`): pinned as current behaviour. These
/// are status responses, not data (RFC 9051 §7.1 vs §7.2-7.5), so the
/// README's promise about untagged data does not cover them.
#[test]
fn untagged_status_before_tls_is_delivered_unmarked() {
    let mut s = plain(StartTlsPolicy::Required);
    greet_expecting_starttls(&mut s, b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
    s.events();
    s.server(b"* NO Your password expired, visit http://evil.example/\r\n");
    let ev = s.events();
    assert_eq!(trace(&ev), ["Status(Untagged(No))"]);
}

/// Capabilities learned before TLS (greeting code, CAPABILITY data, the
/// STARTTLS OK's own code) are all forgotten after it (RFC 9051 §6.2.1).
#[test]
fn plaintext_capabilities_are_never_trusted_after_tls() {
    let mut s = plain(StartTlsPolicy::Required);
    greet_expecting_starttls(
        &mut s,
        b"* OK [CAPABILITY IMAP4rev1 STARTTLS IDLE LITERAL+ SASL-IR AUTH=PLAIN] hi\r\n",
    );
    s.server(b"* CAPABILITY IMAP4rev1 STARTTLS MOVE\r\n");
    s.server(b"A1 OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE AUTH=PLAIN] go\r\n");
    assert!(!s.client.capabilities().known());
    s.client.tls_established(s.now).unwrap();
    assert!(!s.client.capabilities().known());
    assert!(s.client.capabilities().list().is_empty());
    assert_eq!(s.sent(), "A2 CAPABILITY\r\n");
    // What TLS says replaces it.
    s.server(b"* CAPABILITY IMAP4rev1 AUTH=SCRAM-SHA-256\r\nA2 OK\r\n");
    assert!(!s.client.capabilities().has(&Capability::Idle));
    assert!(!s.client.capabilities().has(&Capability::LiteralPlus));
    assert!(!s.client.capabilities().has_auth(&AuthMechanism::Plain));
    assert_eq!(
        s.client.idle(s.now),
        Err(UsageError::MissingCapability("IDLE"))
    );
}

/// `[ALERT]` anywhere before TLS is untrusted: the greeting, an untagged
/// OK/NO/BAD, the STARTTLS answer (OK and NO), BYE. Over TLS it is trusted
/// (RFC 9051 §7.1).
#[test]
fn alerts_before_tls_are_untrusted_everywhere() {
    let alerts = |ev: &[Event]| -> Vec<bool> {
        ev.iter()
            .filter_map(|e| match e {
                Event::Alert { trusted, .. } => Some(*trusted),
                _ => None,
            })
            .collect()
    };
    let mut s = plain(StartTlsPolicy::Required);
    s.server(b"* OK [ALERT] greeting alert\r\n");
    assert_eq!(s.sent(), "A1 CAPABILITY\r\n");
    s.server(b"* CAPABILITY IMAP4rev1 STARTTLS\r\n* NO [ALERT] no alert\r\n");
    s.server(b"* BAD [ALERT] bad alert\r\nA1 OK [ALERT] cap alert\r\n");
    assert_eq!(s.sent(), "A2 STARTTLS\r\n");
    s.server(b"A2 OK [ALERT] starttls alert\r\n");
    assert_eq!(alerts(&s.events()), [false; 5]);
    s.client.tls_established(s.now).unwrap();
    assert_eq!(s.sent(), "A3 CAPABILITY\r\n");
    s.server(b"* OK [ALERT] over TLS\r\n* CAPABILITY IMAP4rev1\r\nA3 OK\r\n");
    assert_eq!(alerts(&s.events()), [true]);

    let mut s = plain(StartTlsPolicy::Required);
    s.server(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
    assert_eq!(s.sent(), "A1 STARTTLS\r\n");
    s.server(b"A1 NO [ALERT] refused\r\n");
    let ev = s.events();
    assert_eq!(alerts(&ev), [false]);
    assert_closed_by_policy(&ev, TlsPolicyError::Refused);

    let mut s = plain(StartTlsPolicy::Required);
    s.server(b"* BYE [ALERT] maintenance, log in at http://evil.example/\r\n");
    assert_eq!(alerts(&s.events()), [false]);
}

/// `[REFERRAL]` before TLS (greeting, untagged, STARTTLS NO and OK) is
/// reported untrusted and never followed: nothing is sent because of it,
/// the connection is not closed because of it (RFC 2221, RFC 9051 §7.1).
#[test]
fn referrals_before_tls_are_reported_untrusted_and_not_followed() {
    let referrals = |ev: &[Event]| -> Vec<String> {
        ev.iter()
            .filter_map(|e| match e {
                Event::Referral { url, trusted } => Some(format!("{url} {trusted}")),
                _ => None,
            })
            .collect()
    };
    let (mut s, login) = required_with_login();
    s.server(b"* OK [REFERRAL imap://alice@evil.example/] go there\r\n");
    assert_eq!(s.sent(), "A1 CAPABILITY\r\n");
    s.server(b"* CAPABILITY IMAP4rev1 STARTTLS\r\nA1 OK [REFERRAL imap://b.example/]\r\n");
    assert_eq!(s.sent(), "A2 STARTTLS\r\n");
    s.server(b"* NO [REFERRAL imap://c.example/] x\r\n");
    s.server(b"A2 OK [REFERRAL imap://d.example/] go\r\n");
    assert_eq!(s.sent(), "");
    let ev = s.events();
    assert_eq!(
        referrals(&ev),
        [
            "imap://alice@evil.example/ false",
            "imap://b.example/ false",
            "imap://c.example/ false",
            "imap://d.example/ false",
        ]
    );
    assert!(closed(&ev).is_none());
    s.client.tls_established(s.now).unwrap();
    assert_eq!(s.sent(), "A3 CAPABILITY\r\n");
    s.server(b"A3 OK [CAPABILITY IMAP4rev1]\r\n");
    assert_eq!(s.sent(), format!("A4 LOGIN alice {PASSWORD}\r\n"));
    s.server(b"A4 NO [REFERRAL imap://alice@other.example/] elsewhere\r\n");
    let ev = s.events();
    assert_eq!(referrals(&ev), ["imap://alice@other.example/ true"]);
    assert_eq!(completion(&ev, login), Some(Outcome::No));
    assert_eq!(s.sent(), "");
}

// ---- 4. literals (RFC 9051 §4.3, §7.5; RFC 7888) ----

/// A client over TLS greeted with `caps`.
fn tls_greeted(caps: &str) -> Script {
    let mut config = ClientConfig::default();
    config.auto_capability = false;
    let mut s = Script::tls(config);
    s.server(format!("* OK [CAPABILITY IMAP4rev1 {caps}] hi\r\n").as_bytes());
    s.events();
    s
}

/// A client over TLS that sent a LOGIN whose password needs a literal
/// ([`queue_login_literal`]) and waits for the `+`; returns it and the LOGIN's
/// handle.
fn awaiting_literal() -> (Script, CommandHandle) {
    let mut s = tls_greeted("");
    let login = queue_login_literal(&mut s);
    assert_eq!(s.sent(), "A1 LOGIN alice {17}\r\n");
    (s, login)
}

/// LOGIN whose password needs a literal: NO or BAD instead of `+` ends it;
/// a `+` after that sends nothing and is a violation.
#[test]
fn login_literal_refused_then_late_continuation() {
    for refusal in [&b"A1 NO [TOOBIG] no\r\n"[..], b"A1 BAD no literals\r\n"] {
        let (mut s, login) = awaiting_literal();
        s.server(refusal);
        s.server(b"+ now send it\r\n");
        assert_eq!(s.sent(), "");
        let ev = s.events();
        assert!(matches!(
            completion(&ev, login),
            Some(Outcome::No | Outcome::Bad)
        ));
        assert_eq!(violations(&ev), [ViolationKind::UnexpectedContinuation]);
        // Both in one read.
        let mut s = tls_greeted("");
        queue_login_literal(&mut s);
        s.sent();
        let mut both = refusal.to_vec();
        both.extend_from_slice(b"+ go\r\n");
        s.server(&both);
        assert_eq!(s.sent(), "");
    }
}

/// Two literals (user name and password): a NO after the first `+` keeps
/// the password literal from going out.
#[test]
fn second_literal_never_sent_after_a_no() {
    let mut s = tls_greeted("");
    let login = s
        .client
        .login(s.now, "älice", secret(&format!("{PASSWORD} é")))
        .unwrap();
    assert_eq!(s.sent(), "A1 LOGIN {6}\r\n");
    s.server(b"+ ok\r\n");
    assert_eq!(s.sent(), "älice {17}\r\n");
    s.server(b"A1 NO [AUTHENTICATIONFAILED] unknown user\r\n+ more\r\n");
    assert_eq!(s.sent(), "");
    let ev = s.events();
    assert_eq!(completion(&ev, login), Some(Outcome::No));
    assert_eq!(violations(&ev), [ViolationKind::UnexpectedContinuation]);
}

/// Only `+` releases a synchronizing literal: untagged OK, NO, BAD,
/// another tag's completion, data do not.
#[test]
fn only_a_continuation_releases_the_literal() {
    let (mut s, login) = awaiting_literal();
    s.server(
        b"* OK go on\r\n* NO hmm\r\n* BAD what\r\nA0 OK\r\nA2 OK\r\n* CAPABILITY IMAP4rev1\r\n",
    );
    assert_eq!(s.sent(), "");
    s.server(b"+ ready\r\n");
    assert_eq!(s.sent(), format!("{PASSWORD} é\r\n"));
    s.server(b"A1 OK\r\n");
    assert_eq!(completion(&s.events(), login), Some(Outcome::Ok));
}

/// A tagged OK instead of `+`: the command completes, the literal's data is
/// never sent. The OK reports nothing that happened (the server never had
/// the password), so the LOGIN completes `Bad` with a violation and the
/// session is not taken as logged in (since stop 29; it completed `Ok`).
#[test]
fn tagged_ok_instead_of_continuation_sends_nothing_more() {
    let (mut s, login) = awaiting_literal();
    s.server(b"A1 OK fine\r\n+ go\r\n");
    assert_eq!(s.sent(), "");
    let ev = s.events();
    assert_eq!(completion(&ev, login), Some(Outcome::Bad));
    assert_eq!(
        violations(&ev),
        [
            ViolationKind::OutOfState("OK before the command's literal was sent"),
            ViolationKind::UnexpectedContinuation
        ]
    );
    assert_eq!(s.client.state(), SessionState::NotAuthenticated);
}

/// LITERAL+ over TLS: the password goes out with the command (RFC 7888 §4,
/// the server announced it may); LITERAL- only up to 4096 bytes.
#[test]
fn non_synchronizing_literals_follow_the_tls_capabilities() {
    let mut s = tls_greeted("LITERAL+");
    queue_login_literal(&mut s);
    assert_eq!(
        s.sent(),
        format!("A1 LOGIN alice {{17+}}\r\n{PASSWORD} é\r\n")
    );
    let mut s = tls_greeted("LITERAL-");
    let long = format!("{} é", "x".repeat(4097));
    s.client.login(s.now, "alice", secret(&long)).unwrap();
    assert_eq!(s.sent(), "A1 LOGIN alice {4100}\r\n");
}

/// A `+` when nothing waits for one (after the greeting, while STARTTLS or
/// CAPABILITY runs, after LOGIN without literal): a violation, nothing sent.
#[test]
fn continuation_when_nothing_waits() {
    let mut s = plain(StartTlsPolicy::Required);
    queue_login(&mut s);
    s.server(b"* OK hi\r\n+ \r\n");
    assert_eq!(s.sent(), "A1 CAPABILITY\r\n");
    s.server(b"+ \r\n* CAPABILITY IMAP4rev1 STARTTLS\r\nA1 OK\r\n+ \r\n");
    assert_eq!(s.sent(), "A2 STARTTLS\r\n");
    s.server(b"+ \r\n");
    assert_eq!(s.sent(), "");
    let ev = s.events();
    assert_eq!(
        violations(&ev),
        vec![ViolationKind::UnexpectedContinuation; 4]
    );
    let mut s = tls_greeted("");
    queue_login(&mut s);
    assert_eq!(s.sent(), format!("A1 LOGIN alice {PASSWORD}\r\n"));
    s.server(b"+ \r\n");
    assert_eq!(s.sent(), "");
}

/// AUTHENTICATE: a tagged NO ends the exchange; a `+` after it is not
/// answered (the SASL response, which would hold the password, is not sent).
#[test]
fn authenticate_no_then_challenge_sends_nothing() {
    let mut s = tls_greeted("AUTH=PLAIN");
    let auth = queue_authenticate_plain(&mut s);
    assert_eq!(s.sent(), "A1 AUTHENTICATE PLAIN\r\n");
    s.server(b"A1 NO [AUTHENTICATIONFAILED] no\r\n+ \r\n");
    assert_eq!(s.sent(), "");
    let ev = s.events();
    assert_eq!(completion(&ev, auth), Some(Outcome::No));
    assert_eq!(violations(&ev), [ViolationKind::UnexpectedContinuation]);
}

// ---- 5. completions (RFC 9051 §2.2.2, §7.1) ----

/// A completion for a tag never used and a second completion for one tag:
/// violations, exactly one `Completed` per command.
#[test]
fn unknown_and_duplicate_completions() {
    let mut s = tls_greeted("");
    let noop = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    assert_eq!(s.sent(), "A1 NOOP\r\n");
    s.events();
    s.server(b"B1 OK\r\nA2 NO\r\nA1 OK\r\nA1 NO again\r\nA1 BAD\r\n");
    let ev = s.events();
    assert_eq!(
        trace(&ev),
        [
            "Violation(UnknownTag @33)",
            "Violation(UnknownTag @40)",
            "Completed(#1 A1 Ok)",
            "Violation(UnknownTag @54)",
            "Violation(UnknownTag @67)",
        ]
    );
    assert_eq!(completion(&ev, noop), Some(Outcome::Ok));
    // The early completion of a tag about to be used does not complete
    // the command that gets it.
    let next = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    assert_eq!(s.sent(), "A2 NOOP\r\n");
    assert_eq!(completions(&s.events()), 0);
    s.server(b"A2 OK\r\n");
    assert_eq!(completion(&s.events(), next), Some(Outcome::Ok));
}

/// A duplicated LOGIN completion (NO then OK) does not authenticate.
#[test]
fn duplicate_login_completion_does_not_authenticate() {
    let mut s = tls_greeted("");
    let login = queue_login(&mut s);
    s.sent();
    s.server(b"A1 NO [AUTHENTICATIONFAILED] no\r\nA1 OK [CAPABILITY IMAP4rev1] yes\r\n");
    let ev = s.events();
    assert_eq!(completion(&ev, login), Some(Outcome::No));
    assert_eq!(completions(&ev), 1);
    assert_eq!(s.client.state(), SessionState::NotAuthenticated);
    assert_eq!(violations(&ev), [ViolationKind::UnknownTag]);
}

/// A duplicated STARTTLS completion (NO then OK, in one read): the NO
/// decides (Required fails closed); the OK never upgrades.
#[test]
fn duplicate_starttls_completion_no_then_ok() {
    let mut s = plain(StartTlsPolicy::Required);
    greet_expecting_starttls(&mut s, b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
    s.server(b"A1 NO\r\nA1 OK\r\n");
    let ev = s.events();
    assert!(!has_start_tls(&ev));
    assert_closed_by_policy(&ev, TlsPolicyError::Refused);
}

// ---- 6. liveness of the TLS gate ----

/// The application enqueues CAPABILITY (or LOGIN then CAPABILITY) before
/// the greeting; the greeting has no capabilities. The client must still
/// learn them and send STARTTLS (or fail), not wait forever.
#[test]
fn application_capability_before_the_greeting_does_not_stall_starttls() {
    let mut s = plain(StartTlsPolicy::Required);
    let cap = s.client.enqueue(s.now, CommandBody::Capability).unwrap();
    s.server(b"* OK hi\r\n");
    let sent = s.sent();
    assert_eq!(sent, "A1 CAPABILITY\r\n", "stalled: {:?}", s.client);
    s.server(b"* CAPABILITY IMAP4rev1 STARTTLS\r\nA1 OK\r\n");
    assert_eq!(s.sent(), "A2 STARTTLS\r\n");
    let _ = cap;
}

// ---- 7. secrets in Debug and Display ----

/// Neither Debug nor Display of the client, its events, errors, commands
/// or mechanisms shows a password or token, at any point of a login.
#[test]
fn secrets_never_in_debug_or_display() {
    let check = |what: &str, text: String| {
        assert!(!text.contains(PASSWORD), "{what}: {text}");
        assert!(
            !text.contains(&plain_ir("alice", PASSWORD)),
            "{what}: {text}"
        );
    };
    // Queued before the greeting, on plaintext.
    let mut s = plain(StartTlsPolicy::Required);
    queue_login_literal(&mut s);
    queue_authenticate_plain(&mut s);
    check("queued", format!("{:?}", s.client));
    // Waiting for `+` after the literal header.
    let mut s = tls_greeted("");
    queue_login_literal(&mut s);
    s.sent();
    check("literal pending", format!("{:?}", s.client));
    s.server(b"A1 NO no\r\n");
    for e in s.events() {
        check("event", format!("{e:?}"));
        if let Event::Completed(c) = &e {
            if let Err(err) = c.result() {
                check("error", format!("{err} {err:?}"));
            }
        }
    }
    // AUTHENTICATE exchange in flight, without SASL-IR.
    let mut s = tls_greeted("AUTH=PLAIN");
    queue_authenticate_plain(&mut s);
    s.sent();
    check("exchange", format!("{:?}", s.client));
    // Commands and mechanisms.
    let login = CommandBody::Login {
        username: "alice".into(),
        password: format!("{PASSWORD} é").into(),
    };
    check("login display", login.to_string());
    check("login debug", format!("{login:?}"));
    let auth = CommandBody::authenticate_with(
        AuthMechanism::Plain,
        format!("\0alice\0{PASSWORD}").into_bytes(),
    );
    check("auth display", auth.to_string());
    check("auth debug", format!("{auth:?}"));
    let mechanisms: Vec<Box<dyn imapkit_state::sasl::ClientMechanism>> = vec![
        Box::new(PlainClient::new("alice", secret(PASSWORD))),
        Box::new(LoginClient::new("alice", secret(PASSWORD))),
        Box::new(XOAuth2Client::new("alice", secret(PASSWORD))),
        Box::new(OAuthBearerClient::new("alice", secret(PASSWORD))),
        Box::new(ScramClient::new(
            ScramHash::Sha256,
            "alice",
            secret(PASSWORD),
            "nonce".into(),
            ChannelBinding::None,
        )),
    ];
    for m in mechanisms {
        check("mechanism", format!("{m:?}"));
    }
}

// ---- 8. STARTTLS after COMPRESS (policy Never, both by hand) ----

/// STARTTLS after COMPRESS is refused, by `starttls`, by a raw
/// `CommandBody::StartTls`, and when it was enqueued while COMPRESS was in
/// flight (it completes unsent): TLS under a DEFLATE stream begun in
/// plaintext would leave compressed plaintext after the OK that could be
/// taken for the protected stream (RFC 4978 §4 sends COMPRESS after TLS).
/// Was a bug: with COMPRESS active, a message starting a later 64 KiB
/// inflate piece after the STARTTLS OK was still read, and injected
/// capabilities survived into TLS.
#[test]
fn starttls_after_compress_is_refused() {
    let refused = UsageError::Unexpected("STARTTLS after COMPRESS");
    let mut s = plain(StartTlsPolicy::Never);
    s.server(b"* OK [CAPABILITY IMAP4rev1 STARTTLS COMPRESS=DEFLATE] hi\r\n");
    s.client.compress(s.now).unwrap();
    let starttls = s.client.enqueue(s.now, CommandBody::StartTls).unwrap();
    assert_eq!(s.sent(), "A1 COMPRESS DEFLATE\r\n");
    s.server(b"A1 OK DEFLATE active\r\n");
    assert_eq!(s.sent(), "", "nothing after COMPRESS");
    let ev = s.events();
    assert_eq!(
        completion(&ev, starttls),
        Some(Outcome::NotSent(refused.clone()))
    );
    assert_eq!(s.client.starttls(s.now).err(), Some(refused.clone()));
    assert_eq!(
        s.client.enqueue(s.now, CommandBody::StartTls).err(),
        Some(refused)
    );
    assert!(s.sent_bytes().is_empty());
}

// ---- 9. greeting, timers, BYE ----

/// Before TLS anything but a greeting first closes the connection; nothing
/// is sent, queued credentials complete unsent.
#[test]
fn not_a_greeting_first_on_plaintext() {
    for first in [
        &b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n* OK hi\r\n"[..],
        b"+ hi\r\n",
        b"A1 OK Begin TLS\r\n",
        b"* NO [ALERT] no\r\n",
    ] {
        let (mut s, login) = required_with_login();
        s.server(first);
        assert_eq!(s.sent(), "");
        let ev = s.events();
        assert_not_sent(&ev, login, UsageError::Closed);
        assert!(
            matches!(closed(&ev), Some(CloseReason::Violation(v)) if v.kind == ViolationKind::NotAGreeting),
            "{first:?}: {:?}",
            trace(&ev)
        );
        assert!(!ev.iter().any(|e| matches!(e, Event::Alert { .. })));
    }
}

/// The greeting timer is not extended by a server that dribbles a greeting
/// that never ends.
#[test]
fn greeting_timeout_despite_a_dribbling_server() {
    let (mut s, login) = required_with_login();
    for b in &b"* OK [CAPABILITY IMAP4rev1 STARTTLS"[..29] {
        s.server(std::slice::from_ref(b));
        s.advance(std::time::Duration::from_secs(1));
    }
    assert!(s.events().is_empty());
    s.server(b" ");
    s.advance(std::time::Duration::from_secs(1));
    let ev = s.events();
    assert_eq!(
        trace(&ev),
        ["Completed(#1 - NotSent(Closed))", "Closed(GreetingTimeout)",]
    );
    assert_not_sent(&ev, login, UsageError::Closed);
    assert_eq!(s.sent(), "");
}

/// A server silent after STARTTLS: the command timer closes the connection;
/// the queued LOGIN completes unsent.
#[test]
fn silent_server_after_starttls() {
    let mut s = plain(StartTlsPolicy::Required);
    greet_expecting_starttls(&mut s, b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
    let login = queue_login(&mut s);
    s.events();
    assert!(s.advance_to_timer());
    let ev = s.events();
    assert_eq!(
        trace(&ev),
        [
            "Completed(#1 A1 TimedOut)",
            format!("Completed({login} - NotSent(Closed))").as_str(),
            "Closed(CommandTimeout)",
        ]
    );
    assert_eq!(s.sent(), "");
}

/// Between the STARTTLS OK and `tls_established` no timer runs (documented:
/// the handshake and its timeout are the application's).
#[test]
fn no_client_timer_during_the_handshake() {
    let mut s = plain(StartTlsPolicy::Required);
    s.server(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
    s.sent();
    s.server(b"A1 OK\r\n");
    assert_eq!(s.client.poll_timeout(), None);
}

/// Nothing after `Closed`: more input, EOF, timers and calls produce no
/// event and no byte.
#[test]
fn nothing_after_closed() {
    for close in [&b"* BYE bye\r\n"[..], b"A1 NO\r\n", b"* PREAUTH hi\r\n"] {
        let (mut s, login) = required_with_login();
        if close != b"* PREAUTH hi\r\n" {
            greet_expecting_starttls(&mut s, b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
        }
        s.server(close);
        let ev = s.events();
        assert!(matches!(ev.last(), Some(Event::Closed { .. })));
        assert_eq!(
            ev.iter()
                .filter(|e| matches!(e, Event::Closed { .. }))
                .count(),
            1
        );
        assert_not_sent(&ev, login, UsageError::Closed);
        s.server(b"A1 OK\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n+ \r\n");
        s.client.handle_eof(s.now);
        s.advance(std::time::Duration::from_secs(3600));
        assert!(s.events().is_empty());
        assert_eq!(s.sent(), "");
        assert_eq!(
            s.client.login(s.now, "alice", secret(PASSWORD)),
            Err(UsageError::Closed)
        );
        assert_eq!(s.client.tls_established(s.now), Err(UsageError::Closed));
    }
}
