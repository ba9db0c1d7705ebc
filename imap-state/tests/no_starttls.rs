//! The attack classes of "Why TLS is better without STARTTLS" (Poddebniak,
//! Ising, Böck, Schinzel; USENIX Security 2021, "NO STARTTLS"), as named
//! tests on both sides: the Client against a malicious server (or a
//! meddler in the middle rewriting it) and the Server against a malicious
//! client. Each test names the paper's attack class and the EAST test case
//! (`FHMS-ITS/EAST`, `fake_mail_server/testcases/imap/...`) it follows.
//!
//! The attacker sits between client and server before TLS: everything
//! before the handshake can be read, dropped, rewritten or injected by it.

mod util;

use std::time::Duration;

use imapkit_proto::{CommandBody, Data, Secret};
use imapkit_state::client::{ClientConfig, CloseReason, Event, StartTlsPolicy, TlsPolicyError};
use imapkit_state::error::ViolationKind;
use imapkit_state::server::{self, ServerConfig};
use imapkit_state::ConnectionSecurity;
use util::client::Script;
use util::{Harness, Split};

fn plaintext_client(policy: StartTlsPolicy) -> Script {
    let mut config = ClientConfig::default();
    config.starttls = policy;
    Script::plain(config)
}

fn closed(events: &[Event]) -> Option<CloseReason> {
    events.iter().rev().find_map(|e| match e {
        Event::Closed { reason } => Some(reason.clone()),
        _ => None,
    })
}

// ---- Client side ----

/// Paper: "Buffering" — response injection. EAST `Buffering/B_1`: the
/// attacker appends a forged CAPABILITY (announcing AUTH=PLAIN without
/// LOGINDISABLED) and its OK to the server's STARTTLS OK, in one segment.
#[test]
fn client_response_injection_after_starttls_ok() {
    let mut s = plaintext_client(StartTlsPolicy::Required);
    s.server(b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n");
    assert_eq!(s.sent(), "A1 STARTTLS\r\n");
    s.server(b"A1 OK begin TLS\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA2 OK done\r\n");
    let ev = s.events();
    assert!(
        ev.iter()
            .any(|e| matches!(e, Event::InjectionDiscarded { bytes: 47 })),
        "{ev:?}"
    );
    assert!(!ev.iter().any(|e| matches!(e, Event::Data { .. })));
    assert!(matches!(ev.last(), Some(Event::StartTls { .. })));
    // Nothing learned in plaintext survives into the TLS session.
    s.client.tls_established(s.now).unwrap();
    assert!(!s.client.capabilities().known());
    assert_eq!(s.sent(), "A2 CAPABILITY\r\n");
}

/// Paper: "Buffering" — the same injection when it arrives after the OK,
/// in a later read, before the handshake.
#[test]
fn client_response_injection_in_a_later_read() {
    let mut s = plaintext_client(StartTlsPolicy::Required);
    s.server(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n");
    s.sent();
    s.server(b"A1 OK begin TLS\r\n");
    s.server(b"* OK [ALERT] injected\r\n");
    let ev = s.events();
    assert!(ev
        .iter()
        .any(|e| matches!(e, Event::InjectionDiscarded { bytes: 23 })));
    assert!(!ev.iter().any(|e| matches!(e, Event::Alert { .. })));
}

/// Paper: "STARTTLS stripping" (negotiation). EAST `Negotiation/O_1`: the
/// attacker removes STARTTLS from the capabilities.
#[test]
fn client_starttls_stripping_capability_removed() {
    let mut s = plaintext_client(StartTlsPolicy::Required);
    let login = s
        .client
        .login(s.now, "alice", Secret::new("secret".into()))
        .unwrap();
    s.server(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=LOGIN] IMAP server ready.\r\n");
    let ev = s.events();
    assert_eq!(
        closed(&ev),
        Some(CloseReason::TlsPolicy(TlsPolicyError::NotOffered))
    );
    assert!(ev
        .iter()
        .any(|e| matches!(e, Event::Completed(c) if c.handle == login)));
    assert_eq!(s.sent(), "", "no password went out");
}

/// Paper: "STARTTLS stripping" (negotiation). EAST `Negotiation/O_2..O_4`:
/// the attacker answers STARTTLS with NO or BAD.
#[test]
fn client_starttls_stripping_refused() {
    for answer in ["A1 NO not now\r\n", "A1 BAD STARTTLS not supported.\r\n"] {
        let mut s = plaintext_client(StartTlsPolicy::Required);
        s.client
            .login(s.now, "alice", Secret::new("secret".into()))
            .unwrap();
        s.server(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n");
        assert_eq!(s.sent(), "A1 STARTTLS\r\n");
        s.server(answer.as_bytes());
        assert_eq!(
            closed(&s.events()),
            Some(CloseReason::TlsPolicy(TlsPolicyError::Refused))
        );
        assert_eq!(s.sent(), "");
    }
}

/// Paper: "STARTTLS stripping" (negotiation). EAST `Negotiation/P_1..P_5`:
/// a PREAUTH greeting on a plaintext connection leaves no chance to start
/// TLS (RFC 9051 §6.2.1 forbids STARTTLS once authenticated).
#[test]
fn client_preauth_downgrade() {
    let mut s = plaintext_client(StartTlsPolicy::Required);
    s.server(b"* PREAUTH [CAPABILITY IMAP4rev1] IMAP server logged in as Smith\r\n");
    assert_eq!(
        closed(&s.events()),
        Some(CloseReason::TlsPolicy(TlsPolicyError::PreAuthOnPlaintext))
    );
    assert_eq!(
        s.client.enqueue(s.now, CommandBody::Noop),
        Err(imapkit_state::error::UsageError::Closed)
    );
}

/// Paper: "Tampering" with untagged responses. EAST
/// `Tampering/untagged/before_starttls/06_exists` (and 01_list, 03_status,
/// 04_search, 09_fetch): data sent before (or with) the STARTTLS answer is
/// never delivered, so nothing of it can be trusted after TLS.
#[test]
fn client_tampering_untagged_data_before_starttls() {
    let mut s = plaintext_client(StartTlsPolicy::Required);
    s.server(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n");
    s.server(b"* 54321 EXISTS\r\n* LIST () \"/\" Evil\r\n* SEARCH 1 2 3\r\n");
    s.sent();
    s.server(b"* 1 FETCH (FLAGS (\\Seen))\r\nA1 OK begin TLS\r\n");
    let ev = s.events();
    assert!(
        !ev.iter()
            .any(|e| matches!(e, Event::Data { .. } | Event::Mailbox(_))),
        "{ev:?}"
    );
    let dropped = ev
        .iter()
        .filter(|e| matches!(e, Event::Violation(v) if v.kind == ViolationKind::OutOfState("untagged data before STARTTLS")))
        .count();
    assert_eq!(dropped, 4);
    s.client.tls_established(s.now).unwrap();
    assert!(s.client.mailbox().is_none());
}

/// Paper: "UI spoofing". EAST `UI Spoofing/greeting/ok/01_alert` and
/// `UI Spoofing/starttls/ok/01_alert`: an `[ALERT]` before TLS is reported
/// as untrusted, for the application to show as such or not at all.
#[test]
fn client_ui_spoofing_alert_before_tls() {
    let mut s = plaintext_client(StartTlsPolicy::Required);
    s.server(b"* OK [ALERT] Your mailbox is full, log in at http://evil.example/ now\r\n");
    let ev = s.events();
    assert!(ev
        .iter()
        .any(|e| matches!(e, Event::Alert { trusted: false, .. })));
    assert!(!ev
        .iter()
        .any(|e| matches!(e, Event::Alert { trusted: true, .. })));
}

/// Paper: "Tampering" (protocol state). EAST
/// `Tampering/untagged/protocol_state/01_referral`: a `[REFERRAL]` is
/// reported, never followed (the client opens no connection and sends
/// nothing because of it).
#[test]
fn client_referral_is_reported_not_followed() {
    let mut s = plaintext_client(StartTlsPolicy::Required);
    s.server(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n");
    assert_eq!(s.sent(), "A1 STARTTLS\r\n");
    s.server(b"* OK [REFERRAL imap://attacker.example/] go there\r\n");
    let ev = s.events();
    assert!(ev
        .iter()
        .any(|e| matches!(e, Event::Referral { url, trusted: false } if url == "imap://attacker.example/")));
    assert_eq!(s.sent(), "");
    assert!(closed(&ev).is_none());
}

/// Paper: "STARTTLS stripping" — a server (or meddler) answering STARTTLS
/// with BYE: the connection ends, nothing else is sent.
#[test]
fn client_bye_as_the_starttls_answer() {
    let mut s = plaintext_client(StartTlsPolicy::Required);
    s.client
        .login(s.now, "alice", Secret::new("secret".into()))
        .unwrap();
    s.server(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n");
    s.sent();
    s.server(b"* BYE [UNAVAILABLE] no TLS for you\r\n");
    assert!(matches!(closed(&s.events()), Some(CloseReason::Bye { .. })));
    assert_eq!(s.sent(), "");
}

/// Cross-protocol: something that is not an IMAP server answers (here an
/// HTTP server): not a greeting, the connection is given up.
#[test]
fn client_cross_protocol_peer() {
    let mut s = plaintext_client(StartTlsPolicy::Required);
    s.server(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    assert!(matches!(
        closed(&s.events()),
        Some(CloseReason::Violation(v)) if v.kind == ViolationKind::NotAGreeting
    ));
}

// ---- Server side ----

fn plain_server(split: Split) -> Harness {
    let mut h = Harness::new(
        ServerConfig::default(),
        ConnectionSecurity::Plaintext,
        split,
    );
    h.take_wire();
    h
}

/// Paper: "Buffering" — command injection (Venema, 2011; 320,000 servers
/// affected in the paper's scan). A meddler appends a LOGIN to the
/// client's STARTTLS in one segment: it must never run.
#[test]
fn server_command_injection_after_starttls() {
    for split in Split::ALL {
        let mut h = plain_server(split);
        h.send(b"a STARTTLS\r\nb LOGIN alice wonderland\r\nc SELECT INBOX\r\n");
        let rest: Vec<u8> = h.inbox.drain(..).collect();
        h.force_feed(&rest);
        h.server.tls_established(h.now, None).unwrap();
        h.drive();
        let wire = h.take_wire();
        assert_eq!(wire, "a OK Begin TLS negotiation now\r\n", "{split:?}");
        assert_eq!(h.server.state(), server::SessionState::NotAuthenticated);
        let log = h.take_log();
        assert!(
            !log.iter()
                .any(|l| l.starts_with("command ") || l.starts_with("login")),
            "{log:?}"
        );
        assert!(
            log.iter()
                .any(|l| l.contains("starttls-injection discarded=42")),
            "{log:?}"
        );
    }
}

/// Paper: "Buffering" — nothing is answered in plaintext after the
/// STARTTLS OK (a response there would be readable and forgeable).
#[test]
fn server_nothing_in_plaintext_after_the_ok() {
    let mut h = plain_server(Split::Whole);
    h.send(b"a STARTTLS\r\n");
    assert_eq!(h.take_wire(), "a OK Begin TLS negotiation now\r\n");
    assert!(h.server.send_unsolicited(h.now, Data::Exists(1)).is_err());
    h.advance_by(Duration::from_secs(5));
    assert_eq!(h.take_wire(), "");
}

/// Paper: "STARTTLS stripping" from the server's side: credentials sent in
/// plaintext (after a meddler hid STARTTLS from the client) are refused with
/// PRIVACYREQUIRED, and the pre-TLS capabilities say LOGINDISABLED.
#[test]
fn server_refuses_credentials_before_tls() {
    let mut h = Harness::new(
        ServerConfig::default(),
        ConnectionSecurity::Plaintext,
        Split::Whole,
    );
    let greeting = h.take_wire();
    assert!(
        greeting.contains("STARTTLS") && greeting.contains("LOGINDISABLED"),
        "{greeting}"
    );
    assert!(!greeting.contains("AUTH=PLAIN"));
    h.send(b"a LOGIN alice wonderland\r\n");
    assert_eq!(
        h.take_wire(),
        "a NO [PRIVACYREQUIRED] TLS is required to log in\r\n"
    );
    assert!(h
        .take_log()
        .iter()
        .any(|l| l.contains("outcome=PrivacyRequired")));
}

/// Cross-protocol attack (ALPACA and the paper's cross-protocol section): an
/// HTTP request sent to the IMAP port ends the connection with BYE after a
/// small budget, and an audit event says so.
#[test]
fn server_cross_protocol_http_request() {
    let mut h = plain_server(Split::Whole);
    h.send(b"GET / HTTP/1.1\r\nHost: mail.example.org\r\nUser-Agent: x\r\nAccept: */*\r\n\r\n");
    let wire = h.take_wire();
    assert!(wire.contains("* BYE"), "{wire}");
    assert!(h.server.is_closed());
    let log = h.take_log();
    assert!(log.iter().any(|l| l.contains("audit")), "{log:?}");
}
