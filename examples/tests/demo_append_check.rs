//! The demo server checks an APPEND message before its data
//! (`ServerConfig::check_appends`, `Event::AppendCheck`): a missing
//! mailbox is answered `NO [TRYCREATE]` and a message above APPENDLIMIT
//! `NO [TOOBIG]` (RFC 7889) with no `+`, so the client never sends the
//! data (RFC 9051 §7.6); a message it accepts is continued and stored.
//!
//! The server listens on the loopback ports 13400-13401.

mod demo_util;

use demo_util::imap::Imap;

#[test]
fn append_is_answered_before_its_data() {
    let demo = demo_util::start("append-check", 13400);
    let mut c = Imap::of(&demo, "alice");
    let caps = c.ok("CAPABILITY");
    // The demo's store limit (64 MiB), advertised.
    assert!(caps[0].contains(" APPENDLIMIT=67108864"), "{caps:?}");

    // A missing mailbox: NO [TRYCREATE] at once, no continuation request.
    c.send(b"t1 APPEND Nowhere {5}\r\n");
    let line = c.line();
    assert!(
        line.starts_with("t1 NO [TRYCREATE]"),
        "a refusal, not a continuation: {line}"
    );
    // Above APPENDLIMIT: NO [TOOBIG], the 100 MB never sent.
    c.send(b"t2 APPEND INBOX {100000000}\r\n");
    let line = c.line();
    assert!(line.starts_with("t2 NO [TOOBIG]"), "{line}");
    // The session reads on: the next command is a command.
    c.ok("NOOP");

    // Accepted: `+`, the data, APPENDUID.
    c.send(b"t3 APPEND INBOX (\\Flagged) {5}\r\n");
    assert_eq!(c.line(), "+ Ready for literal data");
    c.send(b"hello\r\n");
    let line = c.line();
    assert!(line.starts_with("t3 OK [APPENDUID "), "{line}");

    // A mailbox named in modified UTF-7 (RFC 3501 §5.1.3) is found.
    c.ok("CREATE &ZeVnLIqe-");
    c.send(b"t4 APPEND &ZeVnLIqe- {2}\r\n");
    assert_eq!(c.line(), "+ Ready for literal data");
    c.send(b"hi\r\n");
    let line = c.line();
    assert!(line.starts_with("t4 OK [APPENDUID "), "{line}");
    let lines = c.ok("STATUS &ZeVnLIqe- (MESSAGES)");
    assert!(lines[0].ends_with("(MESSAGES 1)"), "{lines:?}");
}
