//! The Client and the Server connected in memory: every flow run by both
//! state machines, each checking the other, under every chunking.

mod util;

use std::time::Duration;

use imapkit_proto::{Capability, CommandBody, Mailbox, ResponseCode, Secret};
use imapkit_state::client::{self, CloseReason, Event, Outcome, SessionState, StartTlsPolicy};
use imapkit_state::mailbox::MailboxChange;
use imapkit_state::sasl::plain::PlainClient;
use imapkit_state::sasl::scram::{ScramClient, ScramHash};
use imapkit_state::sasl::ChannelBinding;
use imapkit_state::server;
use imapkit_state::ConnectionSecurity;
use util::pair::{client_config, server_config, Pair, Split, EXPORTER, PASSWORD};

const SPLITS: [Split; 4] = [
    Split::Whole,
    Split::Bytes,
    Split::Random(3),
    Split::Random(0xfeed),
];

fn secret(s: &str) -> Secret<String> {
    Secret::new(s.to_owned())
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

/// A session run under every chunking gives the same client events and the
/// same bytes both ways.
#[test]
fn login_select_fetch_logout_under_every_split() {
    let run = |split| {
        let mut p = Pair::tls(split);
        p.login();
        let select = p.client.select(p.now, Mailbox::from_name("INBOX")).unwrap();
        let fetch = p
            .client
            .enqueue(p.now, body("UID FETCH 1:* (UID FLAGS)"))
            .unwrap();
        assert!(p.complete(select).is_ok());
        assert!(p.complete(fetch).is_ok());
        let m = p.client.mailbox().unwrap();
        assert_eq!(
            (m.exists(), m.uid_validity(), m.uid(3)),
            (3, Some(42), Some(3))
        );
        let logout = p.client.logout(p.now).unwrap();
        assert!(p.complete(logout).is_ok());
        assert!(matches!(
            p.client_events.last(),
            Some(Event::Closed {
                reason: CloseReason::Logout
            })
        ));
        assert_eq!(p.client.state(), SessionState::Closed);
        assert!(p.server.is_closed());
        (p.client_events, p.c2s, p.s2c)
    };
    let whole = run(Split::Whole);
    for split in &SPLITS[1..] {
        assert_eq!(run(*split), whole, "{split:?}");
    }
}

/// Reads made straight into each side's input buffer (`read_buf`,
/// `handle_read`) give what `handle_input` gives, under every chunking, and
/// through STARTTLS and COMPRESS, where the sessions fall back to copying.
#[test]
fn reads_into_the_sessions_buffers_change_nothing() {
    let run = |split, read_into| {
        let mut client = client_config();
        client.starttls = StartTlsPolicy::Required;
        let mut server = server_config();
        server.compress = true;
        let mut p = Pair::new(client, server, ConnectionSecurity::Plaintext, split);
        p.read_into = read_into;
        let h = p.client.login(p.now, "alice", secret(PASSWORD)).unwrap();
        assert!(p.complete(h).is_ok());
        assert_eq!(p.client.security(), ConnectionSecurity::Tls);
        let h = p.client.compress(p.now).unwrap();
        assert!(p.complete(h).is_ok());
        let s = p.client.select(p.now, Mailbox::from_name("INBOX")).unwrap();
        let f = p
            .client
            .enqueue(p.now, body("UID FETCH 1:* (UID FLAGS)"))
            .unwrap();
        assert!(p.complete(s).is_ok());
        assert!(p.complete(f).is_ok());
        assert_eq!(p.client.mailbox().unwrap().uid(3), Some(3));
        let logout = p.client.logout(p.now).unwrap();
        assert!(p.complete(logout).is_ok());
        assert!(p.server.is_closed());
        (p.client_events, p.server_events, p.c2s, p.s2c)
    };
    for split in SPLITS {
        assert_eq!(run(split, true), run(split, false), "{split:?}");
    }
}

#[test]
fn wrong_passwords_are_delayed_then_cut_off() {
    let mut p = Pair::tls(Split::Whole);
    let mut delays = Vec::new();
    for _ in 0..10 {
        let Ok(h) = p.client.login(p.now, "alice", secret("guess")) else {
            break;
        };
        let start = p.now;
        let c = p.complete(h);
        if c.outcome == Outcome::ConnectionClosed {
            break;
        }
        assert_eq!(c.outcome, Outcome::No);
        assert_eq!(c.code, Some(ResponseCode::AuthenticationFailed));
        delays.push(p.now - start);
    }
    let closed = p.client_events.iter().find_map(|e| match e {
        Event::Closed { reason } => Some(reason.clone()),
        _ => None,
    });
    // Growing delays, by the server's timer (never a sleep).
    assert!(delays.windows(2).all(|w| w[0] <= w[1]), "{delays:?}");
    assert!(delays.last().unwrap() > &Duration::ZERO, "{delays:?}");
    assert!(
        matches!(closed, Some(CloseReason::Bye { .. })),
        "{closed:?} after {delays:?}"
    );
    // Every attempt was audited, none with the password.
    assert!(p.app.audit.len() >= delays.len(), "{:?}", p.app.audit);
    assert!(p.app.audit.iter().all(|a| !a.contains("guess")));
}

#[test]
fn starttls_required_upgrades_then_logs_in() {
    for split in SPLITS {
        let mut client = client_config();
        client.starttls = StartTlsPolicy::Required;
        let mut p = Pair::new(
            client,
            server_config(),
            ConnectionSecurity::Plaintext,
            split,
        );
        // Enqueued at once: sent only after TLS.
        let h = p.client.login(p.now, "alice", secret(PASSWORD)).unwrap();
        let c = p.complete(h);
        assert!(c.is_ok(), "{c:?}");
        assert_eq!(p.client.security(), ConnectionSecurity::Tls);
        let (c2s_tls, _) = p.tls_at.expect("TLS began");
        let plaintext = String::from_utf8_lossy(&p.c2s[..c2s_tls]).into_owned();
        // The greeting announced STARTTLS: nothing else crossed in plaintext.
        assert_eq!(plaintext, "A1 STARTTLS\r\n");
        assert!(p.server_events.iter().any(|e| e == "starttls ready"));
        // The server's plaintext capabilities had LOGINDISABLED; the LOGIN
        // went out only after TLS and the new CAPABILITY.
        let wire = String::from_utf8_lossy(&p.c2s).into_owned();
        let starttls_at = wire.find("STARTTLS").unwrap();
        let login_at = wire.find("LOGIN").unwrap();
        assert!(starttls_at < login_at, "{wire}");
    }
}

fn authenticate(
    p: &mut Pair,
    m: Box<dyn imapkit_state::sasl::ClientMechanism>,
) -> client::Completion {
    let h = p.client.authenticate(p.now, m).unwrap();
    p.complete(h)
}

fn scram(binding: ChannelBinding, password: &str) -> Box<ScramClient> {
    Box::new(ScramClient::new(
        ScramHash::Sha256,
        "alice",
        secret(password),
        "clientnonce0123456789".into(),
        binding,
    ))
}

#[test]
fn authenticate_plain_and_scram_both_sides() {
    for split in SPLITS {
        let mut p = Pair::tls(split);
        assert!(authenticate(
            &mut p,
            Box::new(PlainClient::new("alice", secret(PASSWORD)))
        )
        .is_ok());
        assert_eq!(p.server.state(), server::SessionState::Authenticated);

        let mut p = Pair::tls(split);
        let c = authenticate(&mut p, scram(ChannelBinding::None, PASSWORD));
        assert!(c.is_ok(), "{c:?}");
        assert_eq!(p.client.state(), SessionState::Authenticated);

        let mut p = Pair::tls(split);
        let c = authenticate(&mut p, scram(ChannelBinding::None, "wrong"));
        assert_eq!(
            (c.outcome, c.code),
            (Outcome::No, Some(ResponseCode::AuthenticationFailed))
        );
        assert_eq!(p.server.state(), server::SessionState::NotAuthenticated);
    }
}

#[test]
fn scram_plus_binds_the_tls_channel() {
    // Same exporter on both ends: success.
    let m = Box::new(ScramClient::new(
        ScramHash::Sha256,
        "alice",
        secret(PASSWORD),
        "clientnonce0123456789".into(),
        ChannelBinding::TlsExporter(EXPORTER.to_vec()),
    ));
    // The server offers SCRAM-SHA-256-PLUS only once it knows the exporter
    // value: over implicit TLS the application passes it at connect time in a
    // real server; here the pair gives it at the (simulated) handshake, so
    // run STARTTLS first.
    let mut client = client_config();
    client.starttls = StartTlsPolicy::Required;
    let mut p2 = Pair::new(
        client,
        server_config(),
        ConnectionSecurity::Plaintext,
        Split::Whole,
    );
    let c = authenticate(&mut p2, m);
    assert!(c.is_ok(), "{c:?}");
    // A man in the middle terminates TLS on both sides: the exporters differ.
    let mut client = client_config();
    client.starttls = StartTlsPolicy::Required;
    let mut p3 = Pair::new(
        client,
        server_config(),
        ConnectionSecurity::Plaintext,
        Split::Whole,
    );
    p3.server_exporter = [9; 32];
    let m = Box::new(ScramClient::new(
        ScramHash::Sha256,
        "alice",
        secret(PASSWORD),
        "clientnonce0123456789".into(),
        ChannelBinding::TlsExporter(EXPORTER.to_vec()),
    ));
    let c = authenticate(&mut p3, m);
    assert_eq!(c.outcome, Outcome::No, "{c:?}");
    assert_eq!(p3.server.state(), server::SessionState::NotAuthenticated);
}

#[test]
fn idle_with_pushed_updates_and_refresh() {
    let mut client = client_config();
    client.idle_refresh = Duration::from_secs(600);
    let mut p = Pair::new(
        client,
        server_config(),
        ConnectionSecurity::Tls,
        Split::Random(11),
    );
    p.login();
    let s = p.client.select(p.now, Mailbox::from_name("INBOX")).unwrap();
    p.complete(s);
    let idle = p.client.idle(p.now).unwrap();
    p.drive();
    assert!(p.client.is_idle());
    // Another device: new mail, pushed during IDLE.
    let data = {
        use imapkit_proto::IntoStatic;
        let Ok(imapkit_codec::Decoded::Complete {
            message: imapkit_proto::Response::Data(d),
            ..
        }) = imapkit_codec::decode::response(b"* 4 EXISTS\r\n")
        else {
            unreachable!()
        };
        d.into_static()
    };
    p.server.send_unsolicited(p.now, data).unwrap();
    p.drive();
    assert!(p.client_events.iter().any(|e| matches!(
        e,
        Event::Mailbox(MailboxChange::Exists { exists: 4, new: 1 })
    )));
    // Ten minutes later the client refreshes IDLE by itself.
    p.advance_by(Duration::from_secs(600));
    assert!(p
        .client_events
        .iter()
        .any(|e| matches!(e, Event::IdleRefreshed { handle } if *handle == idle)));
    let wire = String::from_utf8_lossy(&p.c2s).into_owned();
    assert_eq!(wire.matches("IDLE\r\n").count(), 2, "{wire}");
    p.client.idle_done(p.now).unwrap();
    assert!(p.complete(idle).is_ok());
}

#[test]
fn large_append_waits_for_continuation() {
    for split in [Split::Whole, Split::Random(5)] {
        let mut p = Pair::tls(split);
        p.login();
        let message = format!("Subject: big\r\n\r\n{}\r\n", "x".repeat(10_000));
        let line = format!("APPEND INBOX {{{}}}\r\n{message}", message.len());
        let h = p.client.enqueue(p.now, body(&line)).unwrap();
        let c = p.complete(h);
        assert!(c.is_ok(), "{c:?}");
        assert!(
            matches!(c.code, Some(ResponseCode::AppendUid { uid_validity, .. }) if uid_validity.get() == 42)
        );
        // LITERAL- (the server's default): over 4096 bytes it is synchronizing.
        let wire = String::from_utf8_lossy(&p.c2s).into_owned();
        assert!(
            wire.contains(&format!("{{{}}}\r\n", message.len())),
            "sync literal"
        );
        assert!(p.server_said("+ "), "the server sent a continuation");
    }
}

#[test]
fn pipelined_commands_complete_by_their_own_tags_out_of_order() {
    let mut p = Pair::tls(Split::Whole);
    p.login();
    let s = p.client.select(p.now, Mailbox::from_name("INBOX")).unwrap();
    p.complete(s);
    p.app.hold = true;
    let a = p
        .client
        .enqueue(p.now, body("UID FETCH 1 (FLAGS)"))
        .unwrap();
    let b = p
        .client
        .enqueue(p.now, body("UID FETCH 2 (FLAGS)"))
        .unwrap();
    let c = p.client.enqueue(p.now, body("LIST \"\" *")).unwrap();
    p.drive();
    assert_eq!(p.app.pending.len(), 3, "all three in flight at the server");
    // The application answers the last first.
    while let Some((request, command)) = p.app.pending.pop_back() {
        p.answer(request, command);
        p.drive();
    }
    let done: Vec<_> = p
        .completions()
        .into_iter()
        .map(|c| (c.handle, c.outcome))
        .collect();
    let tail = &done[done.len() - 3..];
    assert_eq!(tail, [(c, Outcome::Ok), (b, Outcome::Ok), (a, Outcome::Ok)]);
}

#[test]
fn server_autologout_reaches_the_client_as_bye() {
    let mut p = Pair::tls(Split::Whole);
    p.drive();
    // Nobody logs in: the server's 60 s autologout fires first.
    let mut guard = 0;
    while p.client.state() != SessionState::Closed && guard < 10 {
        p.advance();
        guard += 1;
    }
    assert!(
        matches!(
            p.client_events.last(),
            Some(Event::Closed {
                reason: CloseReason::Bye { .. }
            })
        ),
        "{:#?}",
        p.client_events
    );
    assert!(p.server.is_closed());
}

#[test]
fn enable_and_capabilities_agree() {
    let mut p = Pair::tls(Split::Whole);
    p.login();
    assert!(p.client.capabilities().has(&Capability::Idle));
    let h = p
        .client
        .enable(p.now, vec![Capability::CondStore].try_into().unwrap())
        .unwrap();
    let c = p.complete(h);
    assert!(c.is_ok(), "{c:?}");
}

#[test]
fn compress_deflate_both_ways() {
    for split in SPLITS {
        let mut config = server_config();
        config.compress = true;
        let mut p = Pair::new(client_config(), config, ConnectionSecurity::Tls, split);
        p.login();
        let h = p.client.compress(p.now).unwrap();
        assert!(p.complete(h).is_ok());
        assert!(p.client.is_compressed() && p.server.compression_active());
        let (c2s_at, s2c_at) = (p.c2s.len(), p.s2c.len());
        let s = p.client.select(p.now, Mailbox::from_name("INBOX")).unwrap();
        let f = p
            .client
            .enqueue(p.now, body("UID FETCH 1:* (UID FLAGS)"))
            .unwrap();
        assert!(p.complete(s).is_ok());
        assert!(p.complete(f).is_ok(), "{split:?}");
        assert_eq!(p.client.mailbox().unwrap().uid(3), Some(3));
        // Nothing after COMPRESS crossed the wire in the clear.
        let after_c = String::from_utf8_lossy(&p.c2s[c2s_at..]).into_owned();
        let after_s = String::from_utf8_lossy(&p.s2c[s2c_at..]).into_owned();
        assert!(
            !after_c.contains("SELECT") && !after_s.contains("FETCH"),
            "{split:?}"
        );
        let logout = p.client.logout(p.now).unwrap();
        assert!(p.complete(logout).is_ok());
    }
}
