//! The `client` example run as a program against Dovecot: each command,
//! byte-exact `fetch` of an appended file, IDLE seeing another connection's
//! APPEND, and the error categories with their exit codes.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use imap_examples::dovecot::{self, Dovecot};

fn dovecot() -> Option<Dovecot> {
    dovecot::start("client-example", 12043, 12093)
}

/// The example binary, built by `cargo test` next to the test binaries.
fn example() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let path = dir
        .join("examples")
        .join(format!("client{}", std::env::consts::EXE_SUFFIX));
    if !path.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-p", "imap-examples", "--example", "client"])
            .status()
            .expect("cargo build");
        assert!(status.success());
    }
    path
}

fn client(dc: &Dovecot, mode: &str, args: &[&str]) -> Output {
    let port = if mode == "--tls" {
        dc.tls_port
    } else {
        dc.port
    };
    Command::new(example())
        .arg(mode)
        .args([
            "--host",
            "localhost",
            "--port",
            &port.to_string(),
            "--user",
            "alice",
        ])
        .arg("--ca")
        .arg(&dc.ca_cert)
        .args(args)
        .env("IMAP_PASSWORD", "secret")
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
fn list_append_fetch_sync() {
    let Some(dc) = dovecot() else { return };
    let list = stdout(&client(&dc, "--tls", &["list"]));
    assert!(
        list.lines()
            .any(|l| l.starts_with("Sent\t") && l.contains("\\Sent")),
        "{list}"
    );
    // A message with CRLF line ends and 8-bit bytes, appended and fetched back exactly.
    let file = std::env::temp_dir().join("imapkit-client-example.eml");
    let message =
        b"From: a@example.org\r\nSubject: =?UTF-8?B?5pel5pys6Kqe?=\r\n\r\nbody \xe6\x97\xa5\r\n"
            .to_vec();
    std::fs::write(&file, &message).unwrap();
    let out = stdout(&client(
        &dc,
        "--starttls",
        &["append", "INBOX", file.to_str().unwrap()],
    ));
    let uid: u32 = out
        .trim()
        .strip_prefix("APPENDUID ")
        .and_then(|r| r.split(' ').nth(1))
        .and_then(|u| u.parse().ok())
        .unwrap_or_else(|| panic!("no APPENDUID in {out:?}"));
    let fetched = client(
        &dc,
        "--tls",
        &[
            "--auth",
            "scram-sha-256",
            "fetch",
            "INBOX",
            &uid.to_string(),
        ],
    );
    assert!(
        fetched.status.success(),
        "{}",
        String::from_utf8_lossy(&fetched.stderr)
    );
    assert_eq!(fetched.stdout, message);
    let sync = stdout(&client(&dc, "--tls", &["--auth", "plain", "sync", "INBOX"]));
    let last = sync.lines().last().unwrap();
    assert!(last.starts_with("mailbox: INBOX, messages: "), "{last}");
    assert!(
        last.contains(", bytes: ") && last.contains(", seconds: "),
        "{last}"
    );
    let _ = std::fs::remove_file(file);
}

#[test]
fn idle_prints_another_connections_append() {
    let Some(dc) = dovecot() else { return };
    let port = dc.tls_port.to_string();
    let idle = Command::new(example())
        .args([
            "--tls",
            "--host",
            "localhost",
            "--port",
            &port,
            "--user",
            "alice",
            "--ca",
        ])
        .arg(&dc.ca_cert)
        .args(["idle", "INBOX", "--for", "6"])
        .env("IMAP_PASSWORD", "secret")
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_secs(2));
    let file = std::env::temp_dir().join("imapkit-client-example-idle.eml");
    std::fs::write(&file, b"Subject: ping\r\n\r\nhi\r\n").unwrap();
    stdout(&client(
        &dc,
        "--tls",
        &["append", "INBOX", file.to_str().unwrap()],
    ));
    let out = idle.wait_with_output().unwrap();
    let text = stdout(&out);
    assert!(text.lines().any(|l| l.starts_with("exists ")), "{text:?}");
    let _ = std::fs::remove_file(file);
}

#[test]
fn errors_name_their_cause() {
    let Some(dc) = dovecot() else { return };
    // Nothing listens on 1 (connection refused).
    let o = Command::new(example())
        .args([
            "--tls",
            "--host",
            "localhost",
            "--port",
            "1",
            "--user",
            "alice",
            "list",
        ])
        .env("IMAP_PASSWORD", "x")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("connection refused"));
    // The public roots do not know the test CA.
    let o = Command::new(example())
        .args([
            "--tls",
            "--host",
            "localhost",
            "--port",
            &dc.tls_port.to_string(),
            "--user",
            "alice",
            "list",
        ])
        .env("IMAP_PASSWORD", "secret")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(4));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("unknown CA"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Wrong password: the RFC 5530 code is named.
    let o = Command::new(example())
        .args([
            "--tls",
            "--host",
            "localhost",
            "--port",
            &dc.tls_port.to_string(),
            "--user",
            "alice",
            "--ca",
        ])
        .arg(&dc.ca_cert)
        .arg("list")
        .env("IMAP_PASSWORD", "wrong")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(5));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("AUTHENTICATIONFAILED"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // A missing mailbox (Dovecot 2.3 says so in the text, without a
    // NONEXISTENT code on EXAMINE).
    let o = client(&dc, "--tls", &["sync", "No/Such/Box"]);
    assert_eq!(o.status.code(), Some(6));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("mailbox No/Such/Box") && err.contains("doesn't exist"),
        "{err}"
    );
}
