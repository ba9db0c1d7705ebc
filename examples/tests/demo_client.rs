//! Our own clients against the demo server: the `client` example's
//! commands as a program (list, append, fetch byte-exact, sync, idle seeing
//! another connection's append), the blocking `Session` authenticating
//! with SCRAM-SHA-256-PLUS over implicit TLS and after STARTTLS, and the
//! shared mailbox: a flag one user sets reaches the other's IDLE.

mod demo_util;

use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use demo_util::{example, message, run, DemoServer};
use imap_examples::blocking::{tls_config, Security, Session};
use imap_examples::cli;
use imapkit_proto::{Flag, Secret};
use imapkit_state::client::{ClientConfig, Event};
use imapkit_state::mailbox::MailboxChange;
use imapkit_state::sasl::scram::{ScramClient, ScramHash};
use imapkit_state::sasl::ChannelBinding;

fn client(demo: &DemoServer, mode: &str, user: &str, password: &str, args: &[&str]) -> Output {
    let port = if mode == "--tls" {
        demo.tls_port
    } else {
        demo.port
    };
    Command::new(example("client"))
        .arg(mode)
        .args(["--host", "localhost", "--port", &port.to_string()])
        .args(["--user", user, "--ca"])
        .arg(&demo.cert)
        .args(args)
        .env("IMAP_PASSWORD", password)
        .output()
        .expect("run the client example")
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn client_example_list_append_fetch_sync() {
    let demo = DemoServer::start("client-commands", 12110, 12111);
    let list = stdout(&client(&demo, "--tls", "alice", "wonderland", &["list"]));
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines[0], "INBOX\t(\\HasNoChildren)", "{list}");
    for (name, attr) in [
        ("Sent", "\\Sent"),
        ("Drafts", "\\Drafts"),
        ("Trash", "\\Trash"),
    ] {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&format!("{name}\t")) && l.contains(attr)),
            "{list}"
        );
    }
    let dir = demo.data.parent().unwrap().to_path_buf();
    let mut uids = Vec::new();
    for n in 0..3 {
        let file = dir.join(format!("m{n}.eml"));
        std::fs::write(&file, message(n)).unwrap();
        let out = stdout(&client(
            &demo,
            "--starttls",
            "alice",
            "wonderland",
            &["append", "INBOX", file.to_str().unwrap()],
        ));
        // `APPENDUID <uidvalidity> <uid>`
        let uid: u32 = out
            .trim()
            .strip_prefix("APPENDUID ")
            .and_then(|r| r.split(' ').nth(1))
            .and_then(|u| u.parse().ok())
            .unwrap_or_else(|| panic!("no APPENDUID in {out:?}"));
        uids.push(uid);
    }
    assert_eq!(uids, [1, 2, 3]);
    // Byte-exact, over implicit TLS with SCRAM-SHA-256(-PLUS), and over
    // STARTTLS with LOGIN.
    let fetched = client(
        &demo,
        "--tls",
        "alice",
        "wonderland",
        &["--auth", "scram-sha-256", "fetch", "INBOX", "2"],
    );
    assert!(
        fetched.status.success(),
        "{}",
        String::from_utf8_lossy(&fetched.stderr)
    );
    assert_eq!(fetched.stdout, message(1));
    let fetched = client(
        &demo,
        "--starttls",
        "alice",
        "wonderland",
        &["fetch", "INBOX", "3"],
    );
    assert_eq!(fetched.stdout, message(2));
    let sync = stdout(&client(
        &demo,
        "--tls",
        "alice",
        "wonderland",
        &["--auth", "plain", "sync", "INBOX"],
    ));
    let last = sync.lines().last().unwrap();
    let bytes: usize = (0..3).map(|n| message(n).len()).sum();
    assert!(
        last.starts_with(&format!(
            "mailbox: INBOX, messages: 3, bytes: {bytes}, seconds: "
        )),
        "{last}"
    );
    // A wrong password: AUTHENTICATIONFAILED, exit code 5.
    let o = client(&demo, "--tls", "alice", "wrong", &["list"]);
    assert_eq!(o.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&o.stderr).contains("AUTHENTICATIONFAILED"));
    // The log has one line per login attempt, never a password.
    let log = demo.log();
    assert!(
        log.contains("auth mechanism=SCRAM-SHA-256-PLUS user=\"alice\" outcome=Success"),
        "{log}"
    );
    assert!(
        log.contains("login user=\"alice\" outcome=Success"),
        "{log}"
    );
    assert!(
        log.contains("user=\"alice\" outcome=Failed failures=1"),
        "{log}"
    );
    assert!(
        !log.contains("wonderland") && !log.contains("wrong"),
        "{log}"
    );
}

#[test]
fn client_example_idle_sees_another_connections_append() {
    let demo = DemoServer::start("client-idle", 12112, 12113);
    let idle = Command::new(example("client"))
        .args(["--tls", "--host", "localhost", "--port"])
        .arg(demo.tls_port.to_string())
        .args(["--user", "alice", "--ca"])
        .arg(&demo.cert)
        .args(["idle", "INBOX", "--for", "8"])
        .env("IMAP_PASSWORD", "wonderland")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_secs(3));
    let file = demo.data.parent().unwrap().join("ping.eml");
    std::fs::write(&file, b"Subject: ping\r\n\r\nhi\r\n").unwrap();
    stdout(&client(
        &demo,
        "--starttls",
        "alice",
        "wonderland",
        &["append", "INBOX", file.to_str().unwrap()],
    ));
    let out = idle.wait_with_output().unwrap();
    let text = stdout(&out);
    assert_eq!(text.lines().next(), Some("exists 1"), "{text:?}");
}

/// Logs in with SCRAM-SHA-256-PLUS, bound to this TLS connection.
fn scram_plus(session: &mut Session, user: &str, password: &str) -> Result<(), String> {
    let exporter = session.tls_exporter().ok_or("no TLS exporter")?;
    let mut nonce = [0u8; 18];
    imap_examples::demo::secure_random(&mut nonce);
    let nonce: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
    let mech = ScramClient::new(
        ScramHash::Sha256,
        user,
        Secret::new(password.to_string()),
        nonce,
        ChannelBinding::TlsExporter(exporter),
    );
    let h = session
        .client
        .authenticate(Instant::now(), Box::new(mech))
        .map_err(|e| e.to_string())?;
    let (_, done) = session.wait(h).map_err(|e| e.to_string())?;
    done.result().map_err(|e| e.to_string())
}

/// Waits for the greeting (and, after STARTTLS, for the handshake).
fn greet(session: &mut Session) {
    let h = session
        .client
        .enqueue(Instant::now(), cli::command("CAPABILITY"))
        .unwrap();
    let (_, done) = session.wait(h).unwrap();
    done.result().unwrap();
}

#[test]
fn blocking_session_scram_sha_256_plus_over_tls() {
    let demo = DemoServer::start("client-scram-plus", 12114, 12115);
    let tls = tls_config(Some(&demo.cert)).unwrap();
    // Implicit TLS.
    let mut s = Session::connect(
        "localhost",
        demo.tls_port,
        Security::Tls,
        tls.clone(),
        ClientConfig::default(),
    )
    .unwrap();
    greet(&mut s);
    assert!(s
        .client
        .capabilities()
        .has_auth(&imapkit_proto::AuthMechanism::Other(
            imapkit_proto::Atom::try_from("SCRAM-SHA-256-PLUS").unwrap()
        )));
    scram_plus(&mut s, "bob", "builder").unwrap();
    // A wrong password fails at the proof.
    let mut s = Session::connect(
        "localhost",
        demo.tls_port,
        Security::Tls,
        tls.clone(),
        ClientConfig::default(),
    )
    .unwrap();
    greet(&mut s);
    let err = scram_plus(&mut s, "bob", "nope").unwrap_err();
    assert!(err.contains("AUTHENTICATIONFAILED"), "{err}");
    // After STARTTLS the binding is to the upgraded connection.
    let mut s = Session::connect(
        "localhost",
        demo.port,
        Security::StartTls,
        tls,
        ClientConfig::default(),
    )
    .unwrap();
    greet(&mut s);
    assert!(s.tls_exporter().is_some(), "STARTTLS ran");
    scram_plus(&mut s, "alice", "wonderland").unwrap();
    let log = demo.log();
    assert_eq!(
        log.matches("auth mechanism=SCRAM-SHA-256-PLUS").count(),
        3,
        "{log}"
    );
    assert!(log.contains("user=\"bob\" outcome=Success"), "{log}");
    assert!(log.contains("user=\"alice\" outcome=Success"), "{log}");
}

fn login(demo: &DemoServer, user: &str, password: &str) -> Session {
    let tls = tls_config(Some(&demo.cert)).unwrap();
    let mut s = Session::connect(
        "localhost",
        demo.tls_port,
        Security::Tls,
        tls,
        ClientConfig::default(),
    )
    .unwrap();
    let h = s
        .client
        .login(Instant::now(), user, Secret::new(password.to_string()))
        .unwrap();
    let (_, done) = s.wait(h).unwrap();
    done.result().unwrap();
    s
}

#[test]
fn shared_mailbox_flag_reaches_the_other_users_idle() {
    let demo = DemoServer::start("client-shared", 12116, 12117);
    let mut alice = login(&demo, "alice", "wonderland");
    run(&mut alice, "CREATE Shared/X");
    run(&mut alice, "SETACL Shared/X bob lrswite");
    let events = run(&mut alice, "MYRIGHTS Shared/X");
    assert!(format!("{events:?}").contains("lrswipkxtea"), "{events:?}");
    let h = alice
        .client
        .enqueue(
            Instant::now(),
            imapkit_proto::CommandBody::Append {
                mailbox: imapkit_proto::Mailbox::from_name("Shared/X"),
                messages: imapkit_proto::Vec1::new(imapkit_proto::AppendMessage::new(
                    imapkit_proto::AppendData::Literal(
                        imapkit_proto::Literal::try_new(message(7)).unwrap(),
                    ),
                )),
            },
        )
        .unwrap();
    alice.wait(h).unwrap().1.result().unwrap();

    // Bob sees the shared namespace and the mailbox, and waits in IDLE.
    let (tx, rx) = mpsc::channel();
    let (ready_tx, ready_rx) = mpsc::channel();
    let port = demo.tls_port;
    let cert = demo.cert.clone();
    let bob = std::thread::spawn(move || {
        let tls = tls_config(Some(&cert)).unwrap();
        let mut s = Session::connect(
            "localhost",
            port,
            Security::Tls,
            tls,
            ClientConfig::default(),
        )
        .unwrap();
        let h = s
            .client
            .login(Instant::now(), "bob", Secret::new("builder".into()))
            .unwrap();
        s.wait(h).unwrap().1.result().unwrap();
        let ns = run(&mut s, "NAMESPACE");
        let list = run(&mut s, "LIST \"\" \"Shared/*\"");
        run(&mut s, "SELECT Shared/X");
        let h = s.client.idle(Instant::now()).unwrap();
        ready_tx
            .send((format!("{ns:?}"), format!("{list:?}")))
            .unwrap();
        while let Ok(Some(event)) = s.next_event() {
            if let Event::Mailbox(MailboxChange::FlagsChanged { uid, flags, .. }) = event {
                tx.send((uid, flags)).unwrap();
                break;
            }
        }
        s.client.idle_done(Instant::now()).unwrap();
        s.wait(h).unwrap().1.result().unwrap();
    });
    let (ns, list) = ready_rx.recv_timeout(Duration::from_secs(30)).unwrap();
    assert!(ns.contains("\"Shared/\""), "{ns}");
    assert!(list.contains("Shared/X"), "{list}");
    // Give bob's IDLE a moment to reach the server, then alice flags.
    std::thread::sleep(Duration::from_millis(500));
    run(&mut alice, "SELECT Shared/X");
    run(&mut alice, "STORE 1 +FLAGS (\\Flagged)");
    let (uid, flags) = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("bob's IDLE saw the flag");
    assert_eq!(uid, Some(1));
    assert!(flags.contains(&Flag::Flagged), "{flags:?}");
    bob.join().unwrap();
    // Bob may not administer the mailbox: no 'a' right.
    let h = alice
        .client
        .enqueue(Instant::now(), cli::command("GETACL Shared/X"))
        .unwrap();
    let (events, done) = alice.wait(h).unwrap();
    done.result().unwrap();
    let acl = format!("{events:?}");
    assert!(acl.contains("bob") && acl.contains("lrswite"), "{acl}");
}
