//! `Framer::current_message`: what a server reads to decide on a literal.

use imapkit_codec::framer::{Direction, FrameEvent, Framer, FramerConfig};

#[test]
fn current_message_shows_the_command_up_to_the_literal_header() {
    let mut framer = Framer::new(FramerConfig::new(Direction::ClientToServer));
    assert_eq!(framer.current_message(), b"");
    framer.push(b"A1 NOOP\r\nA2 LOGIN {5}\r\n");
    assert!(matches!(framer.poll_event(), Some(FrameEvent::Frame(_))));
    assert!(matches!(
        framer.poll_event(),
        Some(FrameEvent::LiteralAnnounced { len: 5, .. })
    ));
    assert_eq!(framer.current_message(), b"A2 LOGIN {5}\r\n");
    // Refused: nothing of the message is left.
    assert!(framer.reject_literal());
    assert_eq!(framer.current_message(), b"");
    framer.push(b"A3 SELECT {1+}\r\nx\r\n");
    assert!(matches!(
        framer.poll_event(),
        Some(FrameEvent::LiteralAnnounced { len: 1, .. })
    ));
    assert_eq!(framer.current_message(), b"A3 SELECT {1+}\r\n");
    assert!(matches!(framer.poll_event(), Some(FrameEvent::Frame(_))));
    assert_eq!(framer.current_message(), b"");
}

#[test]
fn current_message_is_empty_while_a_refused_literal_is_skipped() {
    let mut framer = Framer::new(FramerConfig::new(Direction::ClientToServer));
    framer.push(b"A1 APPEND INBOX {10+}\r\nabc");
    assert!(matches!(
        framer.poll_event(),
        Some(FrameEvent::LiteralAnnounced { .. })
    ));
    assert!(framer.reject_literal());
    assert_eq!(framer.poll_event(), None);
    assert_eq!(framer.current_message(), b"");
}

/// For each literal the framer announces in `command`, what
/// `decode::append_head` reads from the message so far: the mailbox and
/// the message index when the literal is a message's data, else `None`.
/// What `append_head` read at one literal: the mailbox and message index.
type Head = Option<(String, usize)>;

fn append_heads(command: &[u8]) -> Vec<Head> {
    let mut framer = Framer::new(FramerConfig::new(Direction::ClientToServer));
    framer.push(command);
    let mut seen = Vec::new();
    loop {
        match framer.poll_event() {
            Some(FrameEvent::LiteralAnnounced { .. }) => {
                let head = imapkit_codec::decode::append_head(framer.current_message());
                seen.push(head.map(|h| (h.mailbox.to_string(), h.message)));
            }
            Some(FrameEvent::Frame(_)) => return seen,
            Some(FrameEvent::Error(e)) => panic!("{e:?}"),
            Some(_) => {}
            None => panic!("incomplete: {command:?}"),
        }
    }
}

fn at(mailbox: &str, message: usize) -> Head {
    Some((mailbox.to_owned(), message))
}

/// RFC 9051 §6.3.12, RFC 3502, RFC 6855 §4, RFC 4469: which literals of an
/// APPEND are a message's data, as a server reads them before `+`.
#[test]
fn append_head_finds_the_message_literals_the_framer_announces() {
    let cases: &[(&[u8], Vec<Head>)] = &[
        (b"a APPEND INBOX {3}\r\nabc\r\n", vec![at("INBOX", 0)]),
        (b"a append inbox {3+}\r\nabc\r\n", vec![at("INBOX", 0)]),
        (
            b"a APPEND Drafts (\\Draft \\Seen) \"07-Dec-2026 10:00:00 +0900\" {3}\r\nabc\r\n",
            vec![at("Drafts", 0)],
        ),
        // The mailbox name as a literal: no message yet, then the message.
        (
            b"a APPEND {6}\r\nSent A {3}\r\nabc\r\n",
            vec![None, at("Sent A", 0)],
        ),
        // MULTIAPPEND: each message's literal, literal8 included.
        (
            b"a APPEND INBOX {3}\r\nabc (\\Seen) {2}\r\nde ~{2}\r\nfg\r\n",
            vec![at("INBOX", 0), at("INBOX", 1), at("INBOX", 2)],
        ),
        // Literal data that holds CRLF and a brace.
        (
            b"a APPEND INBOX {8}\r\nx\r\n{1}\r\n {1}\r\ny\r\n",
            vec![at("INBOX", 0), at("INBOX", 1)],
        ),
        (
            b"a APPEND INBOX UTF8 (~{3}\r\nabc)\r\n",
            vec![at("INBOX", 0)],
        ),
        // CATENATE's parts are no message's data.
        (
            b"a APPEND INBOX CATENATE (TEXT {3}\r\nabc URL \"/INBOX;UID=1\")\r\n",
            vec![None],
        ),
        // A quoted name that looks like a literal header.
        (b"a APPEND \"my {3}\" {3}\r\nabc\r\n", vec![at("my {3}", 0)]),
        // Modified UTF-7 (RFC 3501 §5.1.3) read as the name it stands for.
        (b"a APPEND &ZeVnLIqe- {3}\r\nabc\r\n", vec![at("日本語", 0)]),
        // Not an APPEND, or one that does not parse so far.
        (b"a LOGIN {5}\r\nalice {3}\r\npw!\r\n", vec![None, None]),
        (b"a APPEND INBOX (\\Seen {3}\r\nabc\r\n", vec![None]),
        (b"a APPEND INBOX \"bad date\" {3}\r\nabc\r\n", vec![None]),
    ];
    for (command, expected) in cases {
        assert_eq!(
            &append_heads(command),
            expected,
            "{}",
            command.escape_ascii()
        );
    }
}
