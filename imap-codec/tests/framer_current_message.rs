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
