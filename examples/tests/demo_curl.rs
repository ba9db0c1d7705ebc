//! `curl` against the demo server over STARTTLS (`--ssl-reqd`) trusting
//! the demo's self-signed certificate with `--cacert`: list, fetch (byte
//! exact), append, and a wrong password refused.

mod demo_util;

use std::process::{Command, Output};

use demo_util::{have, message, DemoServer};

fn curl(demo: &DemoServer, user: &str, url_path: &str, extra: &[&str]) -> Output {
    Command::new("curl")
        .args(["--silent", "--show-error", "--ssl-reqd", "--max-time", "30"])
        .arg("--cacert")
        .arg(&demo.cert)
        .args(["--user", user])
        .args(extra)
        .arg(format!("imap://localhost:{}/{url_path}", demo.port))
        .output()
        .expect("run curl")
}

fn ok(o: Output) -> Vec<u8> {
    assert!(
        o.status.success(),
        "curl exit {:?}: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    o.stdout
}

#[test]
fn curl_list_fetch_append_over_starttls() {
    if !have("curl", "apt-get install -y curl") {
        return;
    }
    let demo = DemoServer::start("curl", 12130, 12131);
    let list = String::from_utf8(ok(curl(&demo, "alice:wonderland", "", &[]))).unwrap();
    assert!(
        list.contains("* LIST (\\HasNoChildren) \"/\" INBOX\r\n"),
        "{list}"
    );
    assert!(list.contains("\\Sent) \"/\" Sent\r\n"), "{list}");
    // Append a file, then fetch it back by UID.
    let file = demo.data.parent().unwrap().join("curl.eml");
    std::fs::write(&file, message(5)).unwrap();
    ok(curl(
        &demo,
        "alice:wonderland",
        "INBOX",
        &["-T", file.to_str().unwrap()],
    ));
    let fetched = ok(curl(&demo, "alice:wonderland", "INBOX;UID=1", &[]));
    assert_eq!(fetched, message(5));
    // A section: the header fields curl asks for with ;SECTION=.
    let header = ok(curl(
        &demo,
        "alice:wonderland",
        "INBOX;UID=1;SECTION=HEADER.FIELDS%20(MESSAGE-ID)",
        &[],
    ));
    assert_eq!(header, b"Message-ID: <5@example.org>\r\n\r\n");
    // The mailbox list of another user does not show alice's mail.
    let fetched = curl(&demo, "bob:builder", "INBOX;UID=1", &[]);
    assert!(!fetched.status.success() || fetched.stdout.is_empty());
    // A wrong password: curl reports the login failure (exit 67).
    let o = curl(&demo, "alice:nope", "", &[]);
    assert_eq!(
        o.status.code(),
        Some(67),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(demo.log().contains("outcome=Failed"));
}
