//! `mbsync` (isync) mirrors a seeded Dovecot account into the demo server,
//! then from the demo server into a fresh Dovecot: the same number of
//! messages at the end, bodies byte-exact and flags equal. mbsync adds its
//! `X-TUID` tracking header to the messages it uploads (and replaces it on
//! the next hop); that line is left out of the comparison, every other
//! byte counts.

mod demo_util;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use demo_util::{have, message, DemoServer};
use imap_examples::blocking::{tls_config, Security, Session};
use imap_examples::{cli, dovecot};
use imapkit_proto::{Data, MessageDataItem, Secret};
use imapkit_state::client::{ClientConfig, Event};

/// How many messages the source account holds.
const COUNT: usize = 24;

fn login(port: u16, ca: &Path, user: &str, password: &str) -> Session {
    let mut s = Session::connect(
        "localhost",
        port,
        Security::Tls,
        tls_config(Some(ca)).unwrap(),
        ClientConfig::default(),
    )
    .unwrap();
    let h = s
        .client
        .login(Instant::now(), user, Secret::new(password.to_string()))
        .unwrap();
    s.wait(h).unwrap().1.result().unwrap();
    s
}

fn run(s: &mut Session, line: &str) -> Vec<Event> {
    let h = s
        .client
        .enqueue(Instant::now(), cli::command(line))
        .unwrap();
    let (events, done) = s.wait(h).unwrap();
    done.result().unwrap_or_else(|e| panic!("{line}: {e}"));
    events
}

/// Empties INBOX (the Dovecot instances are reused between runs).
fn empty_inbox(s: &mut Session) {
    run(s, "SELECT INBOX");
    if s.client.mailbox().is_some_and(|m| m.exists() > 0) {
        run(s, "STORE 1:* +FLAGS.SILENT (\\Deleted)");
        run(s, "EXPUNGE");
    }
    run(s, "UNSELECT");
}

fn append(s: &mut Session, flags: &str, body: &[u8]) {
    let mut cmd = format!("APPEND INBOX ({flags}) {{{}+}}\r\n", body.len()).into_bytes();
    cmd.extend_from_slice(body);
    let text = format!("x {}\r\n", String::from_utf8_lossy(&cmd));
    // Built through the decoder so the literal is exactly `body`.
    let decoded = imapkit_codec::decode::command(text.as_bytes());
    let Ok(imapkit_codec::Decoded::Complete { message, .. }) = decoded else {
        panic!("APPEND decodes: {decoded:?}");
    };
    let h = s
        .client
        .enqueue(
            Instant::now(),
            imapkit_proto::IntoStatic::into_static(message.body),
        )
        .unwrap();
    s.wait(h).unwrap().1.result().unwrap();
}

/// The messages of INBOX by Message-ID: body (without `X-TUID:`) and flags.
fn inbox(s: &mut Session) -> BTreeMap<String, (Vec<u8>, Vec<String>)> {
    run(s, "EXAMINE INBOX");
    let mut out = BTreeMap::new();
    for event in run(s, "UID FETCH 1:* (FLAGS BODY.PEEK[])") {
        let Event::Data {
            data: Data::Fetch { items, .. },
            ..
        } = event
        else {
            continue;
        };
        let mut body = Vec::new();
        let mut flags = Vec::new();
        for item in items.iter() {
            match item {
                MessageDataItem::BodySection { data, .. } => {
                    body = data.as_bytes().unwrap_or_default().to_vec()
                }
                MessageDataItem::Flags(list) => {
                    for f in list.iter() {
                        let mut b = Vec::new();
                        imapkit_codec::encode(&f, &mut b);
                        let f = String::from_utf8(b).unwrap();
                        if f != "\\Recent" {
                            flags.push(f);
                        }
                    }
                }
                _ => {}
            }
        }
        flags.sort();
        let body = strip_tuid(&body);
        let text = String::from_utf8_lossy(&body);
        let id = text
            .lines()
            .find_map(|l| l.strip_prefix("Message-ID: "))
            .unwrap_or_else(|| panic!("a Message-ID in {text:?}"))
            .to_string();
        out.insert(id, (body, flags));
    }
    run(s, "UNSELECT");
    out
}

fn strip_tuid(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut in_header = true;
    for line in body.split_inclusive(|&b| b == b'\n') {
        if in_header && line.starts_with(b"X-TUID: ") {
            continue;
        }
        if line == b"\r\n" {
            in_header = false;
        }
        out.extend_from_slice(line);
    }
    out
}

/// An mbsync configuration mirroring INBOX from `far` to `near`.
fn config(
    far: (&str, u16, &Path, &str, &str),
    near: (&str, u16, &Path, &str, &str),
    state: &Path,
) -> String {
    let account = |name: &str, (ssl, port, ca, user, pass): (&str, u16, &Path, &str, &str)| {
        format!(
            "IMAPAccount {name}\nHost localhost\nPort {port}\nUser {user}\nPass {pass}\n\
             SSLType {ssl}\nCertificateFile {}\nAuthMechs PLAIN\n\n\
             IMAPStore {name}-store\nAccount {name}\n\n",
            ca.display()
        )
    };
    format!(
        "{}{}Channel mirror\nFar :far-store:\nNear :near-store:\nPatterns INBOX\n\
         Create Near\nSync All\nSyncState {}/\n",
        account("far", far),
        account("near", near),
        state.display()
    )
}

fn mbsync(dir: &Path, name: &str, config: &str) {
    let rc = dir.join(format!("{name}.mbsyncrc"));
    std::fs::write(&rc, config).unwrap();
    let state = dir.join(format!("{name}-state"));
    let _ = std::fs::remove_dir_all(&state);
    std::fs::create_dir_all(&state).unwrap();
    let out = Command::new("mbsync")
        .arg("-c")
        .arg(&rc)
        .arg("mirror")
        .output()
        .expect("run mbsync");
    assert!(
        out.status.success(),
        "mbsync {name} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn mbsync_mirrors_dovecot_through_the_demo_server_and_back() {
    if !have("mbsync", "apt-get install -y isync") {
        return;
    }
    let Some(src) = dovecot::start("demo-mbsync-src", 12200, 12201) else {
        return;
    };
    let Some(dst) = dovecot::start("demo-mbsync-dst", 12202, 12203) else {
        return;
    };
    let demo = DemoServer::start("mbsync", 12204, 12205);
    let dir = demo.data.parent().unwrap().to_path_buf();

    // Seed the source: every system flag, a large message. (mbsync 1.4
    // propagates the system flags only, not keywords.)
    let mut s = login(src.tls_port, &src.ca_cert, "alice", "secret");
    empty_inbox(&mut s);
    let flag_sets = [
        "",
        "\\Seen",
        "\\Seen \\Flagged",
        "\\Answered",
        "\\Draft",
        "\\Seen \\Answered",
    ];
    for n in 0..COUNT {
        let mut body = message(n);
        if n == 3 {
            // About 300 KiB: several FETCH steps of the demo server.
            let line = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\r\n";
            for _ in 0..4800 {
                body.extend_from_slice(line);
            }
        }
        append(&mut s, flag_sets[n % flag_sets.len()], &body);
    }
    let original = inbox(&mut s);
    assert_eq!(original.len(), COUNT);
    let mut d = login(dst.tls_port, &dst.ca_cert, "alice", "secret");
    empty_inbox(&mut d);

    // Dovecot -> demo (bob's INBOX, over STARTTLS) -> fresh Dovecot.
    let demo_side = ("STARTTLS", demo.port, demo.cert.as_path(), "bob", "builder");
    mbsync(
        &dir,
        "to-demo",
        &config(
            ("IMAPS", src.tls_port, &src.ca_cert, "alice", "secret"),
            demo_side,
            &dir.join("to-demo-state"),
        ),
    );
    let mut b = login(demo.tls_port, &demo.cert, "bob", "builder");
    let on_demo = inbox(&mut b);
    same(&original, &on_demo, "Dovecot -> demo");
    mbsync(
        &dir,
        "from-demo",
        &config(
            demo_side,
            ("IMAPS", dst.tls_port, &dst.ca_cert, "alice", "secret"),
            &dir.join("from-demo-state"),
        ),
    );
    let mirrored = inbox(&mut d);
    same(&original, &mirrored, "demo -> fresh Dovecot");
    // A flag set on the demo server travels on the next run.
    run(&mut b, "SELECT INBOX");
    run(&mut b, "STORE 1 +FLAGS (\\Flagged \\Seen)");
    run(&mut b, "UNSELECT");
    let changed = inbox(&mut b);
    mbsync(
        &dir,
        "from-demo-again",
        &config(
            demo_side,
            ("IMAPS", dst.tls_port, &dst.ca_cert, "alice", "secret"),
            &dir.join("from-demo-state"),
        ),
    );
    same(
        &changed,
        &inbox(&mut d),
        "a flag changed on the demo server",
    );
}

type Messages = BTreeMap<String, (Vec<u8>, Vec<String>)>;

/// Asserts that both hold the same messages (by Message-ID), bodies and
/// flags, naming the first difference.
fn same(want: &Messages, got: &Messages, step: &str) {
    let ids = |m: &Messages| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(ids(want), ids(got), "{step}: the messages differ");
    for (id, (body, flags)) in want {
        let (b2, f2) = &got[id];
        assert!(
            b2 == body,
            "{step}: {id}: body differs ({} vs {} bytes)",
            body.len(),
            b2.len()
        );
        assert_eq!(f2, flags, "{step}: {id}: flags differ");
    }
}
