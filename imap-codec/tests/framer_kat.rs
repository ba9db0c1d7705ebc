//! Known-answer tests of the framer: byte-exact frames, announcements, errors.

use imapkit_codec::framer::{
    Direction, FrameError, FrameErrorKind, FrameEvent, Framer, FramerConfig, Lent,
};
use imapkit_proto::LiteralMode;

fn commands() -> FramerConfig {
    FramerConfig::new(Direction::ClientToServer)
}

fn responses() -> FramerConfig {
    FramerConfig::new(Direction::ServerToClient)
}

/// The events of a push, with the tag the framer lent
/// ([`Framer::current_tag`]) at each announcement, read before the next
/// event.
#[derive(Debug)]
struct Fed {
    events: Vec<FrameEvent>,
    tags: Vec<Option<Vec<u8>>>,
}

impl std::ops::Deref for Fed {
    type Target = [FrameEvent];
    fn deref(&self) -> &[FrameEvent] {
        &self.events
    }
}

impl Fed {
    /// Event `k`, an announcement: its tag, length, mode, `binary`, `append`.
    fn announced(&self, k: usize) -> (Option<&[u8]>, u64, LiteralMode, bool, bool) {
        let (len, mode, binary, append) = announced(&self.events[k]);
        (self.tags[k].as_deref(), len, mode, binary, append)
    }
}

fn drain(f: &mut Framer) -> Fed {
    let mut fed = Fed {
        events: Vec::new(),
        tags: Vec::new(),
    };
    while let Some(e) = f.poll_event() {
        let tag = matches!(e, FrameEvent::LiteralAnnounced { .. })
            .then(|| f.current_tag().map(|t| t.as_bytes().to_vec()))
            .flatten();
        fed.events.push(e);
        fed.tags.push(tag);
    }
    fed
}

/// Pushes `input` whole and returns the events.
fn feed(f: &mut Framer, input: &[u8]) -> Fed {
    f.push(input);
    drain(f)
}

fn frame(e: &FrameEvent) -> (&[u8], u64) {
    match e {
        FrameEvent::Frame(fr) => (&fr.bytes[..], fr.offset),
        other => panic!("expected a frame, got {other:?}"),
    }
}

fn frames(events: &[FrameEvent]) -> Vec<&[u8]> {
    events.iter().map(|e| frame(e).0).collect()
}

fn error(e: &FrameEvent) -> &FrameError {
    match e {
        FrameEvent::Error(err) => err,
        other => panic!("expected an error, got {other:?}"),
    }
}

fn announced(e: &FrameEvent) -> (u64, LiteralMode, bool, bool) {
    match e {
        FrameEvent::LiteralAnnounced {
            len,
            mode,
            binary,
            append,
            ..
        } => (*len, *mode, *binary, *append),
        other => panic!("expected an announcement, got {other:?}"),
    }
}

#[test]
fn lines_frame_one_by_one_with_offsets() {
    let mut f = Framer::new(commands());
    let ev = feed(&mut f, b"A1 NOOP\r\nA2 CAPABILITY\r\n\r\nA3 LOGOUT");
    assert_eq!(ev.len(), 3);
    assert_eq!(frame(&ev[0]), (&b"A1 NOOP\r\n"[..], 0));
    assert_eq!(frame(&ev[1]), (&b"A2 CAPABILITY\r\n"[..], 9));
    // An empty line is a message too (the decoder judges it).
    assert_eq!(frame(&ev[2]), (&b"\r\n"[..], 24));
    assert_eq!(f.buffered(), 9);
    let ev = feed(&mut f, b"\r\n");
    assert_eq!(frame(&ev[0]), (&b"A3 LOGOUT\r\n"[..], 26));
    let s = f.stats();
    assert_eq!((s.pushed, s.consumed, s.frames, s.errors), (37, 37, 4, 0));
}

#[test]
fn rfc9051_7_6_synchronizing_literals() {
    // RFC 9051 §7.6, the client's side of the example.
    let mut f = Framer::new(commands());
    let ev = feed(&mut f, b"A001 LOGIN {11}\r\n");
    assert_eq!(ev.len(), 1);
    assert_eq!(
        ev.announced(0),
        (Some(&b"A001"[..]), 11, LiteralMode::Sync, false, false)
    );
    let FrameEvent::LiteralAnnounced { offset, .. } = ev[0] else {
        unreachable!()
    };
    assert_eq!(offset, 17);
    // S: + Ready for additional command text
    let ev = feed(&mut f, b"FRED FOOBAR {7}\r\n");
    assert_eq!(
        ev.announced(0),
        (Some(&b"A001"[..]), 7, LiteralMode::Sync, false, false)
    );
    assert_eq!(ev.len(), 1);
    // S: + Ready for additional command text
    let ev = feed(&mut f, b"fat man\r\n");
    assert_eq!(
        frames(&ev),
        [&b"A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n"[..]]
    );
    // The server refuses the next literal; the client sends no data.
    let ev = feed(&mut f, b"A044 BLURDYBLOOP {102856}\r\n");
    assert_eq!(ev.announced(0).1, 102856);
    assert!(f.reject_literal());
    assert!(!f.reject_literal());
    let ev = feed(&mut f, b"A045 NOOP\r\n");
    assert_eq!(frames(&ev), [&b"A045 NOOP\r\n"[..]]);
    assert_eq!(frame(&ev[0]).1, 17 + 17 + 9 + 27);
}

#[test]
fn all_literal_syntaxes_are_announced() {
    let mut f = Framer::new(commands());
    let ev = feed(
        &mut f,
        b"A1 APPEND INBOX {5+}\r\nhello\r\na2 append INBOX ~{3}\r\n\0\r\n\r\nA3 APPEND INBOX (\\Seen) ~{2+}\r\nab\r\n",
    );
    assert_eq!(ev.len(), 6, "{ev:?}");
    assert_eq!(
        ev.announced(0),
        (Some(&b"A1"[..]), 5, LiteralMode::NonSync, false, true)
    );
    assert_eq!(frame(&ev[1]).0, b"A1 APPEND INBOX {5+}\r\nhello\r\n");
    assert_eq!(
        ev.announced(2),
        (Some(&b"a2"[..]), 3, LiteralMode::Sync, true, true)
    );
    assert_eq!(frame(&ev[3]).0, b"a2 append INBOX ~{3}\r\n\0\r\n\r\n");
    assert_eq!(
        ev.announced(4),
        (Some(&b"A3"[..]), 2, LiteralMode::NonSync, true, true)
    );
    assert_eq!(frame(&ev[5]).0, b"A3 APPEND INBOX (\\Seen) ~{2+}\r\nab\r\n");
    assert_eq!(f.stats().literals, 3);
    assert_eq!(f.stats().literal_bytes, 10);
}

#[test]
fn announcement_without_valid_tag() {
    let mut f = Framer::new(commands());
    let ev = feed(&mut f, b"A+1 LOGIN {1}\r\n");
    assert_eq!(ev.announced(0).0, None);
}

#[test]
fn literal_data_is_not_scanned() {
    // CRLF, headers, parentheses and quotes inside literal data are data.
    let mut config = commands();
    config.max_depth = 1;
    let mut f = Framer::new(config);
    let ev = feed(
        &mut f,
        b"A1 LOGIN {12}\r\n((\"{3}\r\n\r\n\n) {0}\r\n\r\nA2 NOOP\r\n",
    );
    assert_eq!(ev.len(), 4, "{ev:?}");
    assert_eq!(ev.announced(1).1, 0);
    assert_eq!(
        frame(&ev[2]).0,
        b"A1 LOGIN {12}\r\n((\"{3}\r\n\r\n\n) {0}\r\n\r\n"
    );
    assert_eq!(frame(&ev[3]).0, b"A2 NOOP\r\n");
}

#[test]
fn quoted_strings_hide_parentheses_and_headers() {
    let mut config = commands();
    config.max_depth = 1;
    let mut f = Framer::new(config);
    // `{3}` inside an unterminated quoted string is not a literal header.
    let ev = feed(
        &mut f,
        b"A1 LOGIN \"((\\\"((\" \"{3}\"\r\nA2 LOGIN \"ab {3}\r\nA3 NOOP\r\n",
    );
    assert_eq!(
        frames(&ev),
        [
            &b"A1 LOGIN \"((\\\"((\" \"{3}\"\r\n"[..],
            b"A2 LOGIN \"ab {3}\r\n",
            b"A3 NOOP\r\n"
        ]
    );
}

#[test]
fn status_responses_and_continuations_carry_no_literals() {
    let mut f = Framer::new(responses());
    let input: &[&[u8]] = &[
        b"* OK some text {3}\r\n",
        b"* ok [ALERT] {3}\r\n",
        b"* NO {3}\r\n",
        b"* BAD x {3}\r\n",
        b"* BYE see you {3}\r\n",
        b"* PREAUTH {3}\r\n",
        b"+ {3}\r\n",
        b"+\r\n",
        b"A1 OK done {4}\r\n",
        b"A2 NO [TRYCREATE] x {4}\r\n",
    ];
    let ev = feed(&mut f, &input.concat());
    assert_eq!(frames(&ev), input);
}

#[test]
fn data_responses_carry_literals() {
    let mut f = Framer::new(responses());
    let input: &[&[u8]] = &[
        b"* 12 FETCH (BODY[] {5}\r\nhello FLAGS (\\Seen))\r\n",
        b"* LIST () \"/\" {3}\r\nfoo\r\n",
        b"* 1 FETCH (BINARY[] ~{3}\r\n\0\r\n)\r\n",
        b"* 3 EXISTS\r\n",
        b"* OKAY {2}\r\nab\r\n",
    ];
    let ev = feed(&mut f, &input.concat());
    // Responses are not announced by default.
    assert_eq!(frames(&ev), input);
    assert_eq!(f.stats().literals, 4);
}

#[test]
fn responses_can_be_announced() {
    let mut config = responses();
    config.announce_literals = true;
    let mut f = Framer::new(config);
    let ev = feed(&mut f, b"* 1 FETCH (BODY[] {2}\r\nab)\r\n");
    assert_eq!(ev.announced(0), (None, 2, LiteralMode::Sync, false, false));
    // Rejecting a literal in a response skips its data: the server sends it anyway.
    let ev = feed(&mut f, b"* 2 FETCH (BODY[] {4}\r\n");
    assert_eq!(ev.len(), 1);
    assert!(f.reject_literal());
    let ev = feed(&mut f, b"ab\r\n) {1}\r\nx)\r\n* 3 EXISTS\r\n");
    assert_eq!(frames(&ev), [&b"* 3 EXISTS\r\n"[..]]);
}

#[test]
fn depth_is_limited_outside_text() {
    let mut config = commands();
    config.max_depth = 2;
    let mut f = Framer::new(config);
    let ev = feed(&mut f, b"A1 SEARCH ((x)) (((y)))\r\nA2 NOOP\r\n");
    assert_eq!(ev.len(), 2);
    let e = error(&ev[0]);
    assert_eq!(e.kind, FrameErrorKind::TooDeep { limit: 2 });
    assert_eq!(&e.raw[..], b"A1 SEARCH ((x)) (((");
    assert_eq!((e.offset, e.at), (0, 18));
    assert_eq!(frame(&ev[1]), (&b"A2 NOOP\r\n"[..], 25));

    let mut config = responses();
    config.max_depth = 2;
    let mut f = Framer::new(config);
    let ev = feed(
        &mut f,
        b"* OK (((((\r\n+ (((\r\nA1 BAD (((\r\n* 1 FETCH (BODY (((\r\n* 2 EXISTS\r\n",
    );
    assert_eq!(ev.len(), 5);
    assert_eq!(frame(&ev[2]).0, b"A1 BAD (((\r\n");
    assert_eq!(error(&ev[3]).kind, FrameErrorKind::TooDeep { limit: 2 });
    assert_eq!(&error(&ev[3]).raw[..], b"* 1 FETCH (BODY ((");
    assert_eq!(error(&ev[3]).tag(), None);
    assert_eq!(frame(&ev[4]).0, b"* 2 EXISTS\r\n");
}

#[test]
fn depth_carries_across_literals() {
    let mut config = responses();
    config.max_depth = 2;
    let mut f = Framer::new(config);
    let ev = feed(&mut f, b"* 1 FETCH (X ({1}\r\n( ((\r\n* 2 EXISTS\r\n");
    assert_eq!(ev.len(), 2);
    let e = error(&ev[0]);
    assert_eq!(&e.raw[..], b"* 1 FETCH (X ({1}\r\n( (");
    assert_eq!(frame(&ev[1]).0, b"* 2 EXISTS\r\n");
}

#[test]
fn line_limit() {
    let mut config = commands();
    config.max_line = 10;
    let mut f = Framer::new(config);
    // Exactly 10 bytes plus CRLF is fine.
    let ev = feed(&mut f, b"A1 3456789\r\n");
    assert_eq!(frames(&ev), [&b"A1 3456789\r\n"[..]]);
    let ev = feed(&mut f, b"A2 3456789abc\r\nA3 NOOP\r\n");
    assert_eq!(ev.len(), 2);
    let e = error(&ev[0]);
    assert_eq!(e.kind, FrameErrorKind::LineTooLong { limit: 10 });
    // Detected at byte max_line + 2 of the line.
    assert_eq!(&e.raw[..], b"A2 3456789ab");
    assert_eq!((e.offset, e.at), (12, 23));
    assert_eq!(
        e.to_string(),
        "line exceeds limit of 10 bytes (message at byte 12, detected at byte 23)"
    );
    assert_eq!(frame(&ev[1]), (&b"A3 NOOP\r\n"[..], 27));
    // Eleven bytes and a lone LF: too long, detected at the LF.
    let ev = feed(&mut f, b"A4 3456789a\nA5 NOOP\r\n");
    assert_eq!(&error(&ev[0]).raw[..], b"A4 3456789a\n");
    assert_eq!(frame(&ev[1]).0, b"A5 NOOP\r\n");
    // The limit applies per line, not per message.
    let ev = feed(&mut f, b"A6 X {3}\r\nabc 456789\r\n");
    assert_eq!(frame(&ev[1]).0, b"A6 X {3}\r\nabc 456789\r\n");
}

#[test]
fn overlong_line_ending_in_a_literal_skips_it() {
    let mut config = commands();
    config.max_line = 8;
    let mut f = Framer::new(config);
    // The skipped line ends with a non-sync literal: its data is skipped too.
    let ev = feed(&mut f, b"A1 APPEND INBOX {5+}\r\nab\r\ncd\r\nA2 NOOP\r\n");
    assert_eq!(ev.len(), 2, "{ev:?}");
    assert_eq!(error(&ev[0]).kind, FrameErrorKind::LineTooLong { limit: 8 });
    assert_eq!(frame(&ev[1]).0, b"A2 NOOP\r\n");
    // A synchronizing one: the client waits for `+`, so no data follows.
    let ev = feed(&mut f, b"A3 APPEND INBOX {5}\r\nA4 NOOP\r\n");
    assert_eq!(ev.len(), 2, "{ev:?}");
    assert_eq!(frame(&ev[1]).0, b"A4 NOOP\r\n");
}

#[test]
fn bare_lf() {
    let mut f = Framer::new(commands());
    let ev = feed(&mut f, b"A1 NOOP\nA2 NOOP\r\n");
    assert_eq!(ev.len(), 2);
    let e = error(&ev[0]);
    assert_eq!(e.kind, FrameErrorKind::BareLf);
    assert_eq!(e.tag().unwrap().as_bytes(), b"A1");
    assert_eq!(&e.raw[..], b"A1 NOOP\n");
    assert_eq!(e.at, 7);
    assert_eq!(frame(&ev[1]).0, b"A2 NOOP\r\n");

    let mut config = responses();
    config.lenient_lf = true;
    let mut f = Framer::new(config);
    let ev = feed(&mut f, b"* 1 FETCH (BODY[] {3}\na\nb)\n* OK x\r\n");
    assert_eq!(
        frames(&ev),
        [&b"* 1 FETCH (BODY[] {3}\na\nb)\n"[..], b"* OK x\r\n"]
    );
}

#[test]
fn literal_limits_and_append() {
    let mut config = commands();
    config.max_literal = 10;
    config.max_append_literal = 100;
    let mut f = Framer::new(config);
    let ev = feed(&mut f, b"A1 APPEND INBOX {50}\r\n");
    assert_eq!(
        ev.announced(0),
        (Some(&b"A1"[..]), 50, LiteralMode::Sync, false, true)
    );
    let ev = feed(&mut f, &[b"x".repeat(50), b"\r\n".to_vec()].concat());
    assert_eq!(frame(&ev[0]).0.len(), 22 + 52);
    // A synchronizing literal over the limit: error, and no data follows.
    let ev = feed(&mut f, b"A2 LOGIN {11}\r\nA3 NOOP\r\n");
    assert_eq!(ev.len(), 2);
    let e = error(&ev[0]);
    assert_eq!(
        e.kind,
        FrameErrorKind::LiteralTooLarge {
            len: 11,
            limit: 10,
            append: false
        }
    );
    assert_eq!(&e.raw[..], b"A2 LOGIN {11}\r\n");
    assert_eq!(e.tag().unwrap().as_bytes(), b"A2");
    assert_eq!(
        e.to_string(),
        "literal of 11 bytes exceeds limit 10 (message at byte 74, detected at byte 88)"
    );
    assert_eq!(frame(&ev[1]).0, b"A3 NOOP\r\n");
    // A non-synchronizing one: its data follows and is skipped, with the rest of the command.
    let ev = feed(&mut f, b"A4 APPEND INBOX {101+}\r\n");
    assert_eq!(ev.len(), 1);
    assert!(!f.reject_literal());
    let mut rest = b"y".repeat(101);
    rest.extend_from_slice(b" {2+}\r\n\r\n\r\nA5 NOOP\r\n");
    let ev = feed(&mut f, &rest);
    assert_eq!(frames(&ev), [&b"A5 NOOP\r\n"[..]]);
    // Overflowing digits saturate.
    let ev = feed(&mut f, b"A6 X {99999999999999999999999}\r\nA7 NOOP\r\n");
    assert_eq!(
        error(&ev[0]).kind,
        FrameErrorKind::LiteralTooLarge {
            len: u64::MAX,
            limit: 10,
            append: false
        }
    );
    assert_eq!(frame(&ev[1]).0, b"A7 NOOP\r\n");
}

#[test]
fn literal_limit_in_responses_skips_the_data() {
    let mut config = responses();
    config.max_literal = 4;
    let mut f = Framer::new(config);
    let ev = feed(
        &mut f,
        b"* 1 FETCH (BODY[] {8}\r\nab\r\n* 2 X {3}\r\nabc)\r\n* 2 EXISTS\r\n",
    );
    assert_eq!(ev.len(), 2, "{ev:?}");
    assert_eq!(
        error(&ev[0]).kind,
        FrameErrorKind::LiteralTooLarge {
            len: 8,
            limit: 4,
            append: false
        }
    );
    assert_eq!(frame(&ev[1]).0, b"* 2 EXISTS\r\n");
}

#[test]
fn message_limit() {
    let mut config = commands();
    config.max_message = 30;
    let mut f = Framer::new(config);
    // Checked at the header, before the data arrives.
    let ev = feed(&mut f, b"A1 APPEND X {20}\r\n");
    assert_eq!(ev.len(), 1);
    assert_eq!(
        error(&ev[0]).kind,
        FrameErrorKind::MessageTooLong { limit: 30 }
    );
    // Across lines: exactly 30 bytes is fine.
    let ev = feed(&mut f, b"A2 X {2}\r\nab {1}\r\nc 34567890\r\n");
    assert_eq!(frame(&ev[2]).0.len(), 30);
    let ev = feed(&mut f, b"A3 X {2}\r\nab {1}\r\nc 3456789012\r\nA4 NOOP\r\n");
    assert_eq!(ev.len(), 4);
    let e = error(&ev[2]);
    assert_eq!(e.kind, FrameErrorKind::MessageTooLong { limit: 30 });
    assert_eq!(&e.raw[..], b"A3 X {2}\r\nab {1}\r\nc 3456789012\r");
    assert_eq!(frame(&ev[3]).0, b"A4 NOOP\r\n");
}

#[test]
fn reject_non_sync_skips_data() {
    let mut f = Framer::new(commands());
    f.push(b"A1 APPEND INBOX {5+}\r\nhel");
    assert_eq!(announced(&f.poll_event().unwrap()).0, 5);
    // Rejected before the next poll, although data has arrived.
    assert!(f.reject_literal());
    let ev = feed(&mut f, b"lo\r\nA2 NOOP\r\n");
    assert_eq!(frames(&ev), [&b"A2 NOOP\r\n"[..]]);
    let s = f.stats();
    assert_eq!((s.discarded, s.literals, s.frames), (22 + 5 + 2, 0, 1));
}

/// The first line's LF, found once when the one-line path declines a
/// message (its line ends in a literal header), is used for that message
/// only: after a rejected literal whose data is skipped in the same call,
/// the next message's lines are found again, polled or lent.
#[test]
fn a_first_line_is_found_once_and_only_for_its_message() {
    let input: &[u8] =
        b"A1 APPEND INBOX {5+}\r\nhello\r\nA2 APPEND Drafts {3+}\r\nabc\r\nA3 NOOP\r\n";
    for lend in [false, true] {
        let mut f = Framer::new(commands());
        f.push(input);
        let poll = |f: &mut Framer| -> Option<FrameEvent> {
            if lend {
                match f.poll_lent()? {
                    Lent::Frame(frame) => Some(FrameEvent::Frame(frame.into_frame())),
                    Lent::Event(event) => Some(event),
                }
            } else {
                f.poll_event()
            }
        };
        let first = poll(&mut f).expect("A1's literal");
        assert_eq!(announced(&first).0, 5);
        assert!(f.reject_literal());
        let second = poll(&mut f).expect("A2's literal");
        assert_eq!(announced(&second).0, 3, "lend {lend}");
        let third = poll(&mut f).expect("A2");
        assert_eq!(
            frame(&third),
            (&b"A2 APPEND Drafts {3+}\r\nabc\r\n"[..], 29)
        );
        let fourth = poll(&mut f).expect("A3");
        assert_eq!(frame(&fourth), (&b"A3 NOOP\r\n"[..], 57));
        assert!(poll(&mut f).is_none());
    }
}

#[test]
fn line_mode_for_authenticate_and_idle() {
    let mut f = Framer::new(commands());
    let ev = feed(&mut f, b"A1 AUTHENTICATE PLAIN\r\n");
    assert_eq!(frames(&ev), [&b"A1 AUTHENTICATE PLAIN\r\n"[..]]);
    f.set_line_mode(true);
    assert!(f.line_mode());
    let ev = feed(&mut f, b"AGZvbwBiYXI= {5}\r\n((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((\r\n");
    assert_eq!(
        frames(&ev),
        [
            &b"AGZvbwBiYXI= {5}\r\n"[..],
            b"((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((\r\n"
        ]
    );
    f.set_line_mode(false);
    let ev = feed(&mut f, b"A2 LOGIN {1}\r\n");
    assert_eq!(ev.announced(0).1, 1);
}

#[test]
fn streamed_literal() {
    let mut config = responses();
    config.stream_literals_above = Some(4);
    config.stream_chunk = 3;
    let mut f = Framer::new(config);
    let ev = feed(&mut f, b"* 1 FETCH (BODY[] {10}\r\n01234");
    assert_eq!(ev.len(), 2, "{ev:?}");
    assert_eq!(
        ev[0],
        FrameEvent::LiteralStart {
            len: 10,
            mode: LiteralMode::Sync,
            binary: false,
            offset: 24
        }
    );
    assert_eq!(
        ev[1],
        FrameEvent::LiteralChunk(bytes::Bytes::from_static(b"012"))
    );
    assert_eq!(f.streaming_head(), Some(&b"* 1 FETCH (BODY[] {00}\r\n"[..]));
    let ev = feed(
        &mut f,
        b"56789 BODY[1] {2}\r\nab BINARY[] ~{5}\r\nvwxyz)\r\n",
    );
    let chunks: Vec<_> = ev
        .iter()
        .filter_map(|e| match e {
            FrameEvent::LiteralChunk(c) => Some(&c[..]),
            _ => None,
        })
        .collect();
    assert_eq!(chunks, [&b"345"[..], b"678", b"9", b"vwx", b"yz"]);
    assert_eq!(ev[3], FrameEvent::LiteralEnd);
    assert!(matches!(
        ev[4],
        FrameEvent::LiteralStart {
            len: 5,
            binary: true,
            offset: 66,
            ..
        }
    ));
    assert_eq!(ev[7], FrameEvent::LiteralEnd);
    let FrameEvent::Frame(fr) = &ev[8] else {
        panic!("{ev:?}")
    };
    assert_eq!(
        &fr.bytes[..],
        b"* 1 FETCH (BODY[] {00}\r\n BODY[1] {2}\r\nab BINARY[] ~{0}\r\n)\r\n"
    );
    assert_eq!((fr.offset, fr.streamed_literals), (0, 2));
    assert_eq!(ev.len(), 9);
    assert_eq!(f.stats().literal_bytes, 17);
    assert_eq!(f.buffered(), 0);
}

#[test]
fn streamed_command_literal_is_announced_first() {
    let mut config = commands();
    config.stream_literals_above = Some(2);
    let mut f = Framer::new(config);
    let ev = feed(&mut f, b"A1 APPEND INBOX {3+}\r\nabc\r\n");
    assert_eq!(ev.len(), 5);
    assert_eq!(ev.announced(0).1, 3);
    assert!(matches!(ev[1], FrameEvent::LiteralStart { len: 3, .. }));
    assert_eq!(
        ev[2],
        FrameEvent::LiteralChunk(bytes::Bytes::from_static(b"abc"))
    );
    assert_eq!(ev[3], FrameEvent::LiteralEnd);
    assert_eq!(frame(&ev[4]).0, b"A1 APPEND INBOX {0+}\r\n\r\n");
}

/// Every literal of a command is announced with the command's tag and
/// APPEND-ness, also after an earlier literal was streamed (the tag is
/// then read from the part of the message kept before that literal).
#[test]
fn later_literals_are_announced_with_the_tag_after_a_streamed_one() {
    let mut config = commands();
    config.stream_literals_above = Some(2);
    let mut f = Framer::new(config);
    let ev = feed(&mut f, b"tag.9 APPEND INBOX {3+}\r\nabc {2+}\r\nde\r\n");
    assert_eq!(ev.len(), 6, "{ev:?}");
    assert_eq!(
        ev.announced(0),
        (Some(&b"tag.9"[..]), 3, LiteralMode::NonSync, false, true)
    );
    assert!(matches!(ev[1], FrameEvent::LiteralStart { len: 3, .. }));
    assert_eq!(ev[3], FrameEvent::LiteralEnd);
    assert_eq!(
        ev.announced(4),
        (Some(&b"tag.9"[..]), 2, LiteralMode::NonSync, false, true)
    );
    assert_eq!(
        frame(&ev[5]).0,
        b"tag.9 APPEND INBOX {0+}\r\n {2+}\r\nde\r\n"
    );
    // A first token that is no tag is announced without one.
    let mut f = Framer::new(commands());
    let ev = feed(&mut f, b"+x LOGIN {1}\r\na {1}\r\nb\r\n");
    assert_eq!(ev.announced(0).0, None);
    assert_eq!(ev.announced(1).0, None);
}

#[test]
fn error_after_a_streamed_literal_keeps_the_head_in_raw() {
    let mut config = responses();
    config.stream_literals_above = Some(2);
    config.max_depth = 1;
    let mut f = Framer::new(config);
    let ev = feed(&mut f, b"* 1 FETCH (BODY[] {3}\r\nabc ((\r\n* 2 EXISTS\r\n");
    assert_eq!(ev.len(), 5, "{ev:?}");
    assert_eq!(&error(&ev[3]).raw[..], b"* 1 FETCH (BODY[] {0}\r\n (");
    assert_eq!(frame(&ev[4]).0, b"* 2 EXISTS\r\n");
}

#[test]
fn strict_prefixes_never_frame() {
    let messages: &[(&[u8], Direction)] = &[
        (
            b"A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n",
            Direction::ClientToServer,
        ),
        (
            b"A003 APPEND saved-messages (\\Seen) {310}\r\n",
            Direction::ClientToServer,
        ),
        (
            b"A1 APPEND INBOX ~{4+}\r\n\0\r\n\n\r\n",
            Direction::ClientToServer,
        ),
        (
            b"a002 SEARCH CHARSET UTF-8 TEXT {4+}\r\n\xd1\x82\xd0\xb5\r\n",
            Direction::ClientToServer,
        ),
        (
            b"* 12 FETCH (FLAGS (\\Seen) BODY[HEADER] {342}\r\n",
            Direction::ServerToClient,
        ),
        (
            b"* 1 FETCH (BODY[TEXT] {5}\r\nhello BINARY[1] ~{2}\r\n\0\0)\r\n",
            Direction::ServerToClient,
        ),
        (
            b"* OK [UNSEEN 17] Message 17 is the first unseen message {3}\r\n",
            Direction::ServerToClient,
        ),
        (
            b"+ Ready for additional command text\r\n",
            Direction::ServerToClient,
        ),
    ];
    for &(msg, direction) in messages {
        for cut in 0..msg.len() {
            let mut f = Framer::new(FramerConfig::new(direction));
            let ev = feed(&mut f, &msg[..cut]);
            assert!(
                ev.iter()
                    .all(|e| matches!(e, FrameEvent::LiteralAnnounced { .. })),
                "{:?} cut at {cut}: {ev:?}",
                String::from_utf8_lossy(msg)
            );
        }
    }
}

#[test]
fn discard_buffered_after_starttls() {
    let mut f = Framer::new(commands());
    let ev = feed(&mut f, b"A1 STARTTLS\r\nA2 LOGIN {3}\r\nabc");
    assert_eq!(frames(&ev[..1]), [&b"A1 STARTTLS\r\n"[..]]);
    // The injected plaintext after STARTTLS goes away.
    assert_eq!(f.discard_buffered(), 17);
    assert_eq!(f.buffered(), 0);
    let ev = feed(&mut f, b"A3 NOOP\r\n");
    assert_eq!(frame(&ev[0]), (&b"A3 NOOP\r\n"[..], 30));
}

/// COMPRESS=DEFLATE (RFC 4978 §3): the bytes after the `OK` that came in
/// the same read are compressed; `take_buffered` hands them back unframed,
/// not counted as discarded, and the framer goes on with the next push.
#[test]
fn take_buffered_after_compress() {
    let mut f = Framer::new(responses());
    f.push(b"A1 OK [COMPRESSIONACTIVE] x\r\n\x78\x9c* 1 EXISTS\r\n{5}");
    // Right after the OK's frame, before polling again.
    let ok = f.poll_event().unwrap();
    assert_eq!(frame(&ok), (&b"A1 OK [COMPRESSIONACTIVE] x\r\n"[..], 0));
    let taken = f.take_buffered();
    assert_eq!(&taken[..], b"\x78\x9c* 1 EXISTS\r\n{5}");
    let stats = f.stats();
    assert_eq!((stats.consumed, stats.discarded, stats.frames), (46, 0, 1));
    assert!(f.at_boundary());
    // The inflated stream comes back through `push`.
    let ev = feed(&mut f, b"* 2 EXISTS\r\n");
    assert_eq!(frame(&ev[0]), (&b"* 2 EXISTS\r\n"[..], 46));
    // Inside a message it hands back that message's bytes too (and drops it).
    let ev = feed(&mut f, b"* 3 FETCH (BODY[] {10}\r\nabc");
    assert!(ev.is_empty());
    assert!(!f.at_boundary());
    assert_eq!(&f.take_buffered()[..], b"* 3 FETCH (BODY[] {10}\r\nabc");
    assert_eq!(f.buffered(), 0);
    let ev = feed(&mut f, b"* 4 EXISTS\r\n");
    assert_eq!(frame(&ev[0]), (&b"* 4 EXISTS\r\n"[..], 85));
}

#[test]
fn debug_output_hides_bytes() {
    let mut f = Framer::new(commands());
    let ev = feed(&mut f, b"A1 LOGIN alice s3cr3t\r\nA2 LOGIN bob hunter2\n");
    let text = format!("{ev:?} {f:?}");
    assert!(
        !text.contains("s3cr3t") && !text.contains("hunter2"),
        "{text}"
    );
}

/// `set_max_message` applies to the messages that start after the call:
/// the message being framed keeps its limit.
#[test]
fn a_new_message_limit_applies_from_the_next_message() {
    let mut f = Framer::new(commands());
    f.push(b"A1 LOGIN {5}\r\n");
    let ev = drain(&mut f);
    assert_eq!(ev.len(), 1, "{ev:?}");
    f.set_max_message(16);
    assert_eq!(
        f.max_message(),
        FramerConfig::new(Direction::ClientToServer).max_message
    );
    let ev = feed(
        &mut f,
        b"alice secret\r\nA2 NOOP\r\nA3 SELECT a-long-mailbox\r\n",
    );
    assert_eq!(
        frames(&ev[..2]),
        [&b"A1 LOGIN {5}\r\nalice secret\r\n"[..], b"A2 NOOP\r\n"]
    );
    assert_eq!(f.max_message(), 16);
    assert_eq!(
        error(&ev[2]).kind,
        FrameErrorKind::MessageTooLong { limit: 16 }
    );
}
