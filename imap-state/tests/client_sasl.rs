//! AUTHENTICATE through the Client with the library's mechanisms: the
//! exact lines on the wire, RFC test vectors, the error paths.

mod util;

use imapkit_proto::{ResponseCode, Secret};
use imapkit_state::client::{Event, Outcome, SessionState};
use imapkit_state::sasl::oauthbearer::OAuthBearerClient;
use imapkit_state::sasl::plain::PlainClient;
use imapkit_state::sasl::scram::{ScramClient, ScramHash};
use imapkit_state::sasl::xoauth2::XOAuth2Client;
use imapkit_state::sasl::{ChannelBinding, SaslError};
use util::client::{quiet_config, Script};

fn greeted(caps: &str) -> Script {
    let mut s = Script::tls(quiet_config());
    s.server(format!("* OK [CAPABILITY IMAP4rev1 {caps}] hi\r\n").as_bytes());
    s.events();
    s
}

fn completion(s: &mut Script) -> imapkit_state::client::Completion {
    s.events()
        .into_iter()
        .find_map(|e| match e {
            Event::Completed(c) => Some(*c),
            _ => None,
        })
        .expect("a completion")
}

fn secret(s: &str) -> Secret<String> {
    Secret::new(s.to_owned())
}

#[test]
fn plain_with_sasl_ir() {
    let mut s = greeted("SASL-IR AUTH=PLAIN");
    s.client
        .authenticate(
            s.now,
            Box::new(PlainClient::new("tim", secret("tanstaaftanstaaf"))),
        )
        .unwrap();
    // RFC 4616 §4: "\0tim\0tanstaaftanstaaf".
    assert_eq!(
        s.sent(),
        "A1 AUTHENTICATE PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n"
    );
    s.server(b"A1 OK [CAPABILITY IMAP4rev1] done\r\n");
    assert!(completion(&mut s).is_ok());
    assert_eq!(s.client.state(), SessionState::Authenticated);
}

#[test]
fn plain_without_sasl_ir_waits_for_the_empty_challenge() {
    let mut s = greeted("AUTH=PLAIN");
    s.client
        .authenticate(
            s.now,
            Box::new(PlainClient::new("tim", secret("tanstaaftanstaaf"))),
        )
        .unwrap();
    assert_eq!(s.sent(), "A1 AUTHENTICATE PLAIN\r\n");
    s.server(b"+ \r\n");
    assert_eq!(s.sent(), "AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n");
    s.server(b"A1 NO [AUTHENTICATIONFAILED] Invalid credentials\r\n");
    let c = completion(&mut s);
    assert_eq!(c.outcome, Outcome::No);
    assert_eq!(c.code, Some(ResponseCode::AuthenticationFailed));
    assert_eq!(s.client.state(), SessionState::NotAuthenticated);
}

/// RFC 7677 §3: the whole SCRAM-SHA-256 exchange, byte for byte, through
/// the Client's base64 lines.
#[test]
fn scram_sha_256_rfc7677_vector() {
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let mut s = greeted("SASL-IR AUTH=SCRAM-SHA-256");
    let m = ScramClient::new(
        ScramHash::Sha256,
        "user",
        secret("pencil"),
        "rOprNGfwEbeRWgbNEkqO".into(),
        ChannelBinding::None,
    );
    s.client.authenticate(s.now, Box::new(m)).unwrap();
    let client_first = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    assert_eq!(
        s.sent(),
        format!("A1 AUTHENTICATE SCRAM-SHA-256 {}\r\n", b64(client_first))
    );
    let server_first =
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    s.server(format!("+ {}\r\n", b64(server_first)).as_bytes());
    let client_final = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    assert_eq!(s.sent(), format!("{}\r\n", b64(client_final)));
    let server_final = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";
    s.server(format!("+ {}\r\n", b64(server_final)).as_bytes());
    assert_eq!(
        s.sent(),
        "\r\n",
        "an empty response acknowledges the server's final message"
    );
    s.server(b"A1 OK done\r\n");
    assert!(completion(&mut s).is_ok());
}

#[test]
fn scram_server_that_cannot_prove_itself_is_an_impostor() {
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let mut s = greeted("SASL-IR");
    let m = ScramClient::new(
        ScramHash::Sha256,
        "user",
        secret("pencil"),
        "rOprNGfwEbeRWgbNEkqO".into(),
        ChannelBinding::None,
    );
    s.client.authenticate(s.now, Box::new(m)).unwrap();
    s.sent();
    let server_first =
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    s.server(format!("+ {}\r\n", b64(server_first)).as_bytes());
    s.sent();
    // A forged signature: the mechanism refuses it and cancels.
    s.server(
        format!(
            "+ {}\r\n",
            b64("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
        )
        .as_bytes(),
    );
    assert_eq!(s.sent(), "*\r\n");
    s.server(b"A1 BAD cancelled\r\n");
    let c = completion(&mut s);
    assert_eq!(c.outcome, Outcome::Sasl(SaslError::ServerSignatureMismatch));
    // A server that skips its final message and says OK: the client does not
    // accept the session.
    let mut s = greeted("SASL-IR");
    let m = ScramClient::new(
        ScramHash::Sha256,
        "user",
        secret("pencil"),
        "rOprNGfwEbeRWgbNEkqO".into(),
        ChannelBinding::None,
    );
    s.client.authenticate(s.now, Box::new(m)).unwrap();
    s.sent();
    s.server(format!("+ {}\r\n", b64(server_first)).as_bytes());
    s.sent();
    s.server(b"A1 OK trust me\r\n");
    let ev = s.events();
    assert!(ev
        .iter()
        .any(|e| matches!(e, Event::Completed(c) if matches!(c.outcome, Outcome::Sasl(_)))));
    assert!(matches!(ev.last(), Some(Event::Closed { .. })));
    assert_ne!(s.client.state(), SessionState::Authenticated);
}

#[test]
fn xoauth2_error_challenge_is_answered_empty_and_reported() {
    use base64::Engine as _;
    let mut s = greeted("SASL-IR AUTH=XOAUTH2");
    s.client
        .authenticate(
            s.now,
            Box::new(XOAuth2Client::new(
                "someuser@example.com",
                secret("ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"),
            )),
        )
        .unwrap();
    let line = s.sent();
    let ir = line.trim_end().rsplit(' ').next().unwrap().to_owned();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(ir)
        .unwrap();
    assert_eq!(
        decoded,
        b"user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01"
    );
    let json = r#"{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"#;
    s.server(
        format!(
            "+ {}\r\n",
            base64::engine::general_purpose::STANDARD.encode(json)
        )
        .as_bytes(),
    );
    assert_eq!(s.sent(), "\r\n");
    s.server(b"A1 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)\r\n");
    let c = completion(&mut s);
    assert_eq!(c.outcome, Outcome::No);
    assert_eq!(c.code, Some(ResponseCode::AuthenticationFailed));
    assert_eq!(c.sasl_detail.as_deref(), Some(json));
}

#[test]
fn oauthbearer_rfc7628_4_1() {
    let mut s = greeted("SASL-IR AUTH=OAUTHBEARER");
    let m = OAuthBearerClient::new(
        "user@example.com",
        secret("vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg=="),
    )
    .with_host("server.example.com")
    .with_port(143);
    s.client.authenticate(s.now, Box::new(m)).unwrap();
    let line = s.sent();
    let ir = line.trim_end().rsplit(' ').next().unwrap().to_owned();
    // RFC 7628 §4.1's initial response.
    assert_eq!(
        ir,
        "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB"
    );
    s.server(b"A1 OK done\r\n");
    assert!(completion(&mut s).is_ok());
}

#[test]
fn secrets_never_in_debug_of_events_or_client() {
    let mut s = greeted("SASL-IR");
    s.client
        .authenticate(
            s.now,
            Box::new(PlainClient::new("tim", secret("tanstaaftanstaaf"))),
        )
        .unwrap();
    let events = s.events();
    let debug = format!("{:?} {events:?}", s.client);
    assert!(!debug.contains("tanstaaf"), "{debug}");
    assert!(!debug.contains("AHRpbQB0YW5zdGFhZnRhbnN0YWFm"), "{debug}");
}

#[test]
fn the_application_cancels_with_star() {
    let mut s = greeted("AUTH=PLAIN");
    s.client
        .authenticate(
            s.now,
            Box::new(PlainClient::new("tim", secret("tanstaaftanstaaf"))),
        )
        .unwrap();
    assert_eq!(s.sent(), "A1 AUTHENTICATE PLAIN\r\n");
    s.client.cancel_authenticate().unwrap();
    s.server(b"+ \r\n");
    assert_eq!(s.sent(), "*\r\n", "the credentials are never sent");
    s.server(b"A1 BAD AUTHENTICATE cancelled\r\n");
    assert_eq!(completion(&mut s).outcome, Outcome::Bad);
    assert!(s.client.cancel_authenticate().is_err());
}

#[test]
fn append_needs_the_capabilities_its_data_uses() {
    use imapkit_proto::{
        AppendData, AppendMessage, CommandBody, Literal8, LiteralMode, Mailbox, Vec1,
    };
    use imapkit_state::error::UsageError;
    let mut s = greeted("");
    s.client.login(s.now, "u", secret("p")).unwrap();
    s.sent();
    s.server(b"A1 OK [CAPABILITY IMAP4rev1] logged in\r\n");
    let binary = AppendMessage::new(AppendData::Literal8(Literal8::new(
        &b"a\0b"[..],
        LiteralMode::Sync,
    )));
    let body = CommandBody::Append {
        mailbox: Mailbox::from_name("INBOX"),
        messages: Vec1::new(binary),
    };
    use imapkit_proto::IntoStatic;
    assert_eq!(
        s.client.enqueue(s.now, body.into_static()),
        Err(UsageError::MissingCapability("BINARY"))
    );
}
