//! Review: SEARCH with non-ASCII (Japanese) strings through the Client and
//! the Server session: how the search string and its CHARSET go on the
//! wire before and after `ENABLE UTF8=ACCEPT` / `ENABLE IMAP4rev2`
//! (RFC 3501 §4.3.1 and §6.4.4, RFC 9051 §6.4.4, RFC 6855 §3).
//!
//! An independent review (stop 32). Tests whose doc says "Was a bug"
//! failed before the fixes committed with this file (the review marked
//! them `#[ignore = "BUG: ..."]`).

mod util;

use imapkit_proto::{Capability, Charset, CommandBody, Mailbox, SearchBuilder, SearchKey, Vec1};
use imapkit_state::client::Outcome;
use imapkit_state::proto::AString;
use imapkit_state::server::ServerConfig;
use util::client::{completed, preauth, selected, Script};
use util::{Harness, Policy, Split};

/// "Invoice": 9 bytes of UTF-8.
const INVOICE: &str = "請求書";

fn subject() -> SearchKey<'static> {
    SearchKey::Subject(AString::from(INVOICE))
}

fn with_utf8_charset() -> CommandBody<'static> {
    SearchBuilder::new(subject())
        .charset(Charset::utf8())
        .build()
}

/// `ENABLE cap` answered (A1), then INBOX selected (A2): ENABLE is valid
/// in the authenticated state only (RFC 5161 §3.1, RFC 6855 §3).
fn enabled(caps: &str, cap: &'static str) -> Script {
    let mut s = preauth(caps);
    let c = Capability::try_from(cap).unwrap();
    s.client.enable(s.now, Vec1::new(c)).unwrap();
    assert_eq!(s.sent(), format!("A1 ENABLE {cap}\r\n"));
    s.server(format!("* ENABLED {cap}\r\nA1 OK enabled\r\n").as_bytes());
    s.events();
    assert!(s.client.capabilities().utf8_accepted());
    s.client.select(s.now, Mailbox::from_name("INBOX")).unwrap();
    assert_eq!(s.sent(), "A2 SELECT INBOX\r\n");
    s.server(b"* 5 EXISTS\r\nA2 OK [READ-WRITE] in\r\n");
    s.events();
    s
}

/// Enqueues `body`: what went on the wire, or `None` when the client
/// refused it (an error from `enqueue`, or `NotSent` when its turn came).
fn sent_or_refused(s: &mut Script, body: CommandBody<'static>) -> Option<String> {
    if s.client.enqueue(s.now, body).is_err() {
        return None;
    }
    let wire = s.sent();
    let refused = completed(&s.events())
        .iter()
        .any(|(_, o)| matches!(o, Outcome::NotSent(_)));
    (!refused).then_some(wire)
}

// ---------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------

/// `SEARCH CHARSET UTF-8 SUBJECT 請求書` built with `SearchBuilder::charset`
/// goes to an IMAP4rev1 server as a literal (RFC 3501 §4.3: quoted strings
/// are 7-bit): synchronizing without LITERAL+, `{9+}` with it.
#[test]
fn client_sends_a_utf8_search_string_as_a_literal_with_its_charset() {
    let mut s = selected("");
    s.client.enqueue(s.now, with_utf8_charset()).unwrap();
    assert_eq!(s.sent(), "A2 SEARCH CHARSET UTF-8 SUBJECT {9}\r\n");
    s.server(b"+ go\r\n");
    assert_eq!(s.sent(), "請求書\r\n");
    s.server("* SEARCH 2 4\r\nA2 OK done\r\n".as_bytes());
    let events = s.events();
    assert!(matches!(completed(&events)[..], [(_, Outcome::Ok)]));

    let mut s = selected("LITERAL+");
    s.client.enqueue(s.now, with_utf8_charset()).unwrap();
    assert_eq!(
        s.sent(),
        "A2 SEARCH CHARSET UTF-8 SUBJECT {9+}\r\n請求書\r\n"
    );
}

/// RFC 3501 §4.3.1: an IMAP4rev1 client "MAY transmit 8-bit or
/// multi-octet characters in literals, but SHOULD do so only when the
/// [CHARSET] is identified"; SEARCH without CHARSET means US-ASCII to an
/// IMAP4rev1 server (RFC 3501 §6.4.4; only RFC 9051 makes UTF-8 the
/// default). The client sends `A2 SEARCH SUBJECT {9+}` + UTF-8 with no
/// CHARSET: it should add `CHARSET UTF-8` or refuse the command.
///
/// Was a bug (fixed in stop 32).
#[test]
fn client_does_not_send_a_non_ascii_search_string_without_charset() {
    let mut s = selected("LITERAL+");
    let wire = sent_or_refused(&mut s, CommandBody::search(subject()));
    if let Some(wire) = wire {
        assert_eq!(
            wire, "A2 SEARCH CHARSET UTF-8 SUBJECT {9+}\r\n請求書\r\n",
            "8-bit search string sent without CHARSET"
        );
    }
}

/// After `ENABLE IMAP4rev2` the string goes quoted in UTF-8 without
/// CHARSET (RFC 9051 §6.4.4: no CHARSET means UTF-8).
#[test]
fn client_imap4rev2_sends_the_string_quoted_without_charset() {
    let mut s = enabled("ENABLE IMAP4rev2", "IMAP4rev2");
    s.client
        .enqueue(s.now, CommandBody::search(subject()))
        .unwrap();
    assert_eq!(s.sent(), "A3 SEARCH SUBJECT \"請求書\"\r\n");
}

/// After `ENABLE UTF8=ACCEPT` a search without CHARSET goes quoted in
/// UTF-8 (RFC 6855 §3).
#[test]
fn client_after_utf8_accept_sends_the_string_quoted() {
    let mut s = enabled("ENABLE UTF8=ACCEPT", "UTF8=ACCEPT");
    s.client
        .enqueue(s.now, CommandBody::search(subject()))
        .unwrap();
    assert_eq!(s.sent(), "A3 SEARCH SUBJECT \"請求書\"\r\n");
}

/// RFC 6855 §3: "Once an IMAP client has enabled UTF-8 support with the
/// "ENABLE UTF8=ACCEPT" command, it MUST NOT issue a "SEARCH" command that
/// contains a charset specification." The client sends
/// `A3 SEARCH CHARSET UTF-8 SUBJECT "請求書"` as the application built it
/// (send.rs checks `UTF8 (...)` in APPEND against UTF8=ACCEPT, nothing for
/// SEARCH). It should refuse the command (or drop the CHARSET).
///
/// Was a bug (fixed in stop 32).
#[test]
fn client_after_utf8_accept_never_sends_search_charset() {
    let mut s = enabled("ENABLE UTF8=ACCEPT", "UTF8=ACCEPT");
    if let Some(wire) = sent_or_refused(&mut s, with_utf8_charset()) {
        assert_eq!(wire, "A3 SEARCH SUBJECT \"請求書\"\r\n");
    }
}

// ---------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------

fn utf8_config() -> ServerConfig {
    let mut config = ServerConfig::default();
    config
        .capabilities
        .push(Capability::try_from("UTF8=ACCEPT").unwrap());
    config
}

/// A session that enabled UTF8=ACCEPT and selected INBOX; commands are
/// kept for the test (not answered).
fn server_utf8_enabled() -> Harness {
    let mut h = Harness::logged_in(utf8_config(), Split::Whole);
    h.send(b"e ENABLE UTF8=ACCEPT\r\ns SELECT INBOX\r\n");
    assert_eq!(
        h.take_wire(),
        "* ENABLED UTF8=ACCEPT\r\ne OK ENABLE completed\r\ns OK completed\r\n"
    );
    h.policy = Policy {
        auto_respond: false,
        ..Policy::default()
    };
    h
}

/// A synchronizing literal with UTF-8 after `CHARSET UTF-8` gets its
/// continuation, and the application sees the charset and the 9 bytes.
#[test]
fn server_hands_a_utf8_literal_search_to_the_application() {
    for split in Split::ALL {
        let mut h = Harness::selected(utf8_config(), split);
        h.policy = Policy {
            auto_respond: false,
            ..Policy::default()
        };
        h.send(b"a SEARCH CHARSET UTF-8 SUBJECT {9}\r\n");
        assert_eq!(h.take_wire(), "+ Ready for literal data\r\n");
        h.send("請求書\r\n".as_bytes());
        assert_eq!(h.take_wire(), "");
        let (_, command) = h.requests.pop_front().expect("the SEARCH");
        let CommandBody::Search {
            uid: false,
            return_options: None,
            charset: Some(charset),
            criteria,
        } = command.body
        else {
            panic!("{command:?}")
        };
        let name = match &charset {
            Charset::Atom(a) => a.as_bytes(),
            Charset::Quoted(q) => q.as_bytes(),
        };
        assert_eq!(name, b"UTF-8");
        let [SearchKey::Subject(s)] = criteria.as_slice() else {
            panic!("{criteria:?}")
        };
        assert_eq!(s.as_bytes(), INVOICE.as_bytes());
    }
}

/// RFC 6855 §3: a client that enabled UTF8=ACCEPT must not send SEARCH
/// with CHARSET; "If an IMAP server receives such a "SEARCH" command in
/// that situation, it SHOULD reject the command with a "BAD" response".
/// The Server passes `a SEARCH CHARSET UTF-8 SUBJECT "請求書"` to the
/// application (which gets no hint: the demo, for one, answers OK), as it
/// does refuse SELECT (QRESYNC) before ENABLE QRESYNC itself (state.rs).
///
/// Was a bug (fixed in stop 32).
#[test]
fn server_rejects_search_charset_after_utf8_accept() {
    let mut h = server_utf8_enabled();
    h.send("a SEARCH CHARSET UTF-8 SUBJECT \"請求書\"\r\n".as_bytes());
    assert!(h.requests.is_empty(), "passed to the application");
    assert!(h.take_wire().starts_with("a BAD "));
}

/// RFC 6855 §3: with UTF-8 quoted strings "the server MUST reject, with a
/// "BAD" response, any octet sequences with the high bit set that fail to
/// comply with ... UTF-8": half of 請 (`E8 AB`) in a quoted SEARCH string.
/// The same two bytes in a literal are passed on (a literal may hold any
/// charset).
#[test]
fn server_rejects_invalid_utf8_in_a_quoted_search_string() {
    let mut h = server_utf8_enabled();
    h.send(b"b SEARCH SUBJECT \"\xe8\xab\"\r\n");
    assert_eq!(h.take_wire(), "b BAD Syntax error\r\n");
    assert!(h.requests.is_empty());
    h.send(b"c SEARCH SUBJECT {2}\r\n");
    assert_eq!(h.take_wire(), "+ Ready for literal data\r\n");
    h.send(b"\xe8\xab\r\n");
    assert_eq!(h.requests.len(), 1);
}
