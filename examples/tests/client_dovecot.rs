//! The Client against a real Dovecot 2.3 on loopback, over rustls with a
//! private CA (made by `scripts/dovecot.sh`): implicit TLS, STARTTLS,
//! LOGIN, IDLE woken by another connection's APPEND.
//!
//! Skipped with a printed reason when Dovecot is not installed, unless
//! `IMAP_REQUIRE_INTEROP` is set (CI), which makes it fail instead.

use std::time::Duration;

use imap_examples::blocking::{tls_config, Security, Session};
use imap_examples::dovecot::{self, Dovecot};
use imapkit_proto::{CommandBody, Data, Mailbox, Secret};
use imapkit_state::client::{
    ClientConfig, CloseReason, Event, Outcome, SessionState, StartTlsPolicy,
};
use imapkit_state::ConnectionSecurity;

fn dovecot() -> Option<Dovecot> {
    dovecot::start("client", 11343, 11393)
}

fn session(dc: &Dovecot, security: Security, config: ClientConfig) -> Session {
    let tls = tls_config(Some(&dc.ca_cert)).expect("CA");
    // The certificate names localhost and 127.0.0.1.
    Session::connect(
        "localhost",
        if security == Security::Tls {
            dc.tls_port
        } else {
            dc.port
        },
        security,
        tls,
        config,
    )
    .expect("connect")
}

fn login(s: &mut Session, user: &str) {
    let h = s
        .client
        .login(
            std::time::Instant::now(),
            user,
            Secret::new("secret".into()),
        )
        .unwrap();
    let (_, done) = s.wait(h).unwrap();
    assert_eq!(done.outcome, Outcome::Ok, "{done:?}");
    assert_eq!(s.client.state(), SessionState::Authenticated);
}

fn run(s: &mut Session, body: CommandBody<'static>) -> Vec<Event> {
    let h = s.client.enqueue(std::time::Instant::now(), body).unwrap();
    let (events, done) = s.wait(h).unwrap();
    assert_eq!(done.outcome, Outcome::Ok, "{done:?} after {events:?}");
    events
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

fn logout(mut s: Session) {
    let h = s.client.logout(std::time::Instant::now()).unwrap();
    let (_, done) = s.wait(h).unwrap();
    assert_eq!(done.outcome, Outcome::Ok);
    let mut last = None;
    while let Some(e) = s.next_event().unwrap() {
        last = Some(e);
    }
    assert_eq!(
        last,
        Some(Event::Closed {
            reason: CloseReason::Logout
        })
    );
}

#[test]
fn implicit_tls_login_list_select() {
    let Some(dc) = dovecot() else { return };
    let mut s = session(&dc, Security::Tls, ClientConfig::default());
    login(&mut s, "alice");
    // Dovecot announces its post-login capabilities during LOGIN.
    assert!(s
        .client
        .capabilities()
        .has(&imapkit_proto::Capability::QResync));
    let events = run(&mut s, body("LIST \"\" *"));
    let names: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            Event::Data {
                data: Data::List(l),
                ..
            } => Some(l.mailbox.name_lossy()),
            _ => None,
        })
        .collect();
    assert!(names.contains(&"INBOX".to_string()), "{names:?}");
    let h = s
        .client
        .select(std::time::Instant::now(), Mailbox::from_name("INBOX"))
        .unwrap();
    let (_, done) = s.wait(h).unwrap();
    assert!(done.is_ok());
    assert_eq!(s.client.state(), SessionState::Selected);
    logout(s);
}

#[test]
fn starttls_required_then_login() {
    let Some(dc) = dovecot() else { return };
    let mut config = ClientConfig::default();
    config.starttls = StartTlsPolicy::Required;
    let mut s = session(&dc, Security::StartTls, config);
    login(&mut s, "alice");
    assert_eq!(s.client.security(), ConnectionSecurity::Tls);
    logout(s);
}

#[test]
fn idle_sees_an_append_from_another_connection() {
    let Some(dc) = dovecot() else { return };
    let mut a = session(&dc, Security::Tls, ClientConfig::default());
    login(&mut a, "bob");
    let _ = a
        .client
        .enqueue(std::time::Instant::now(), body("CREATE idle-test"));
    let h = a
        .client
        .select(std::time::Instant::now(), Mailbox::from_name("idle-test"))
        .unwrap();
    let (events, done) = a.wait(h).unwrap();
    assert!(done.is_ok(), "{done:?}");
    let exists = events
        .iter()
        .find_map(|e| match e {
            Event::Data {
                data: Data::Exists(n),
                ..
            } => Some(*n),
            _ => None,
        })
        .expect("EXISTS in the SELECT response");
    let idle = a.client.idle(std::time::Instant::now()).unwrap();
    loop {
        match a.next_event().unwrap().expect("open") {
            Event::IdleStarted { handle } if handle == idle => break,
            _ => {}
        }
    }
    // Another connection appends.
    let mut b = session(&dc, Security::Tls, ClientConfig::default());
    login(&mut b, "bob");
    run(
        &mut b,
        body("APPEND idle-test {22+}\r\nSubject: hi\r\n\r\nhello\r\n"),
    );
    logout(b);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        assert!(
            std::time::Instant::now() < deadline,
            "no EXISTS during IDLE"
        );
        if let Event::Data {
            data: Data::Exists(n),
            ..
        } = a.next_event().unwrap().expect("open")
        {
            assert_eq!(n, exists + 1);
            break;
        }
    }
    a.client.idle_done(std::time::Instant::now()).unwrap();
    let (_, done) = a.wait(idle).unwrap();
    assert!(done.is_ok());
    logout(a);
}
