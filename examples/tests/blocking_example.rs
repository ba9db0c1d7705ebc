//! The one-screen blocking example (`examples/blocking.rs`) run as a
//! program against Dovecot: the whole session of issue 15 (login, list,
//! select, append, fetch with ENVELOPE/BODYSTRUCTURE, store, search,
//! create/delete of a Japanese mailbox, logout) must succeed.

use std::process::Command;

#[test]
fn blocking_example_runs_a_whole_session_against_dovecot() {
    let Some(dc) = imap_examples::dovecot::start("blocking-example", 12443, 12493) else {
        return;
    };
    let exe = std::env::current_exe().unwrap();
    let path = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples/blocking");
    if !path.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-p", "imap-examples", "--example", "blocking"])
            .status()
            .unwrap();
        assert!(status.success());
    }
    let out = Command::new(path)
        .args(["localhost", &dc.tls_port.to_string(), "alice"])
        .arg(&dc.ca_cert)
        .env("IMAP_PASSWORD", "secret")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("* LIST") && l.ends_with(" INBOX")),
        "{stdout}"
    );
    assert!(stdout.contains("appended: Some(AppendUid"), "{stdout}");
    assert!(
        stdout.contains(": Grüße"),
        "the subject decoded from RFC 2047? {stdout}"
    );
    assert!(
        stdout.lines().any(|l| l.starts_with("unseen: * SEARCH")),
        "{stdout}"
    );
}
