//! Python's `imaplib` against the demo server: login, list, select, fetch
//! (byte-exact, PEEK, header fields, \Seen on a non-peek fetch), store,
//! search (flags, keyword, body with CHARSET UTF-8, UID), append, STARTTLS,
//! and IDLE seeing another session's append and flag change, then EXPUNGE
//! reported to the other session (`tests/py/demo_imaplib.py`).

mod demo_util;

use std::process::Command;

use demo_util::{have, tests_dir, DemoServer};

#[test]
fn imaplib_against_the_demo_server() {
    if !have("python3", "apt-get install -y python3") {
        return;
    }
    let demo = DemoServer::start("imaplib", 12120, 12121);
    let out = Command::new("python3")
        .arg(tests_dir().join("py/demo_imaplib.py"))
        .args([
            "localhost",
            &demo.tls_port.to_string(),
            &demo.port.to_string(),
        ])
        .arg(&demo.cert)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "imaplib checks failed:\n{}{}\nserver log:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        demo.log()
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("all checks passed"));
}
