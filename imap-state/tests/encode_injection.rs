//! Encoding safety review of the session machines: the paths by which an
//! application hands the Client or the Server values to send (see
//! `imap-codec/tests/encode_injection.rs` for the codec itself).
//!
//! From an independent review (stop 29): tests whose doc says "Was a bug"
//! failed before their fix; the others are properties that held.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Instant;

use imapkit_codec::framer::{Direction, FrameEvent, Framer, FramerConfig};
use imapkit_proto::{Data, Delimiter, Mailbox, MailboxList, Secret};
use imapkit_state::client::{Client, ClientConfig};
use imapkit_state::error::UsageError;
use imapkit_state::sasl::Identity;
use imapkit_state::server::{Server, ServerConfig};
use imapkit_state::ConnectionSecurity;

/// The frames (or framing errors) a peer's framer makes of `bytes`.
fn frames(direction: Direction, bytes: &[u8]) -> Vec<Result<Vec<u8>, String>> {
    let mut f = Framer::new(FramerConfig::new(direction));
    f.push(bytes);
    let mut out = Vec::new();
    while let Some(e) = f.poll_event() {
        match e {
            FrameEvent::Frame(fr) => out.push(Ok(fr.bytes.to_vec())),
            FrameEvent::Error(e) => out.push(Err(e.to_string())),
            _ => {}
        }
    }
    out
}

fn greeted_client(now: Instant) -> Client {
    let mut c = Client::new(
        Arc::new(ClientConfig::default()),
        now,
        ConnectionSecurity::Tls,
    );
    c.handle_input(now, b"* OK [CAPABILITY IMAP4rev1] ready\r\n");
    while c.poll_event().is_some() {}
    c
}

fn server_output(server: &mut Server, now: Instant) -> Vec<u8> {
    let mut out = Vec::new();
    while server.poll_transmit(now, &mut out).is_some() {}
    out
}

/// Was a bug: `Client::login` built its strings with `AString::from`,
/// which panics on NUL, so a user name typed by a user (or read from a
/// config) took the whole client down. Now an error, and nothing is sent.
#[test]
fn client_login_with_nul_is_an_error() {
    let now = Instant::now();
    for (user, password) in [("al\0ice", "pw"), ("alice", "p\0w")] {
        let mut c = greeted_client(now);
        let r = catch_unwind(AssertUnwindSafe(|| {
            c.login(now, user, Secret::new(password.to_owned()))
                .map(|_| ())
        }));
        assert_eq!(
            r.ok(),
            Some(Err(UsageError::InvalidCommand(
                "LOGIN user name or password with a NUL byte"
            ))),
            "login({user:?}, ..)"
        );
        let mut out = Vec::new();
        while c.poll_transmit(now, &mut out).is_some() {}
        assert!(out.is_empty(), "{:?}", String::from_utf8_lossy(&out));
    }
}

/// Was a bug: an unchecked LIST delimiter reached the wire through the
/// Server's public API (`send_unsolicited` with delimiter `'\n'` put two
/// messages on the wire). The delimiter type now refuses it; every valid
/// one goes out as one response.
#[test]
fn server_list_delimiters_are_one_response() {
    let now = Instant::now();
    assert!(Delimiter::new('\n').is_err());
    for d in ['/', '.', '"', '\\', '\t', '日'] {
        let mut server = Server::preauth(
            Arc::new(ServerConfig::default()),
            now,
            ConnectionSecurity::Tls,
            Identity {
                authcid: "alice".to_owned(),
                authzid: None,
            },
        );
        let _greeting = server_output(&mut server, now);
        let list = Data::List(MailboxList {
            attributes: vec![],
            delimiter: Some(Delimiter::new(d).unwrap()),
            mailbox: Mailbox::from("Archive"),
            extended: vec![],
        });
        server.send_unsolicited(now, list).unwrap();
        let out = server_output(&mut server, now);
        let fr = frames(Direction::ServerToClient, &out);
        assert_eq!(fr, vec![Ok(out.clone())], "{d:?}");
    }
}

/// Client strings with CR LF, quotes and literal syntax become literals or
/// escaped quoted strings: the LOGIN goes out as one command (the client
/// stops after each synchronizing literal's header and waits for `+`).
#[test]
fn client_login_with_hostile_strings_is_one_command() {
    let now = Instant::now();
    for user in ["a\r\nA2 DELETE INBOX", "\"x\" {5}", "x {5}", "日本"] {
        let mut c = greeted_client(now);
        c.login(now, user, Secret::new("p\"w\r\n".to_owned()))
            .unwrap();
        let mut out = Vec::new();
        while c.poll_transmit(now, &mut out).is_some() {}
        // Answer every synchronizing literal with `+`, then collect the rest.
        for _ in 0..4 {
            c.handle_input(now, b"+ go\r\n");
            while c.poll_transmit(now, &mut out).is_some() {}
        }
        let fr = frames(Direction::ClientToServer, &out);
        assert_eq!(fr.len(), 1, "{user:?}: {fr:?}");
        assert_eq!(fr[0].as_deref(), Ok(&out[..]));
    }
}

/// A configured greeting text with CR LF does not reach the wire: the
/// Server falls back to its default text.
#[test]
fn server_greeting_with_crlf_falls_back() {
    let now = Instant::now();
    let mut config = ServerConfig::default();
    config.greeting = "hi\r\n* BYE injected".to_owned();
    let mut server = Server::new(Arc::new(config), now, ConnectionSecurity::Tls);
    let out = server_output(&mut server, now);
    let fr = frames(Direction::ServerToClient, &out);
    assert_eq!(fr.len(), 1, "{fr:?}");
    assert!(!out.windows(3).any(|w| w == b"BYE"));
}
