//! Known-answer tests of the framer's limit on the number of items in a list
//! (`FramerConfig::max_list_items`, `FrameErrorKind::TooManyItems`).

use imapkit_codec::framer::{
    Direction, FrameError, FrameErrorKind, FrameEvent, Framer, FramerConfig,
};
use imapkit_proto::LiteralMode;

fn config(direction: Direction, max_list_items: u32) -> FramerConfig {
    let mut c = FramerConfig::new(direction);
    c.max_list_items = max_list_items;
    c
}

/// Feeds `input` whole and byte by byte; both must give the same events.
fn events(config: FramerConfig, input: &[u8]) -> Vec<FrameEvent> {
    let mut f = Framer::new(config.clone());
    f.push(input);
    let whole: Vec<_> = std::iter::from_fn(|| f.poll_event()).collect();
    let mut f = Framer::new(config);
    let mut bytewise = Vec::new();
    for b in input {
        f.push(std::slice::from_ref(b));
        bytewise.extend(std::iter::from_fn(|| f.poll_event()));
    }
    assert_eq!(whole, bytewise);
    whole
}

fn frame(e: &FrameEvent) -> (&[u8], u64) {
    match e {
        FrameEvent::Frame(fr) => (&fr.bytes[..], fr.offset),
        other => panic!("expected a frame, got {other:?}"),
    }
}

fn error(e: &FrameEvent) -> &FrameError {
    match e {
        FrameEvent::Error(err) => err,
        other => panic!("expected an error, got {other:?}"),
    }
}

fn too_many(limit: u32) -> FrameErrorKind {
    FrameErrorKind::TooManyItems { limit }
}

#[test]
fn default_admits_the_densest_line_the_line_limit_accepts() {
    let c = FramerConfig::new(Direction::ServerToClient);
    assert_eq!(c.max_list_items, FramerConfig::DEFAULT_MAX_LIST_ITEMS);
    assert_eq!(c.max_list_items, 32_768);
    // 65,536 bytes (the line limit), 32,768 items at the top level.
    let mut line = b"*".to_vec();
    line.extend(b" 1".repeat(32_767));
    line.push(b' ');
    assert_eq!(line.len(), c.max_line);
    line.extend_from_slice(b"\r\n");
    let mut f = Framer::new(c.clone());
    f.push(&line);
    assert!(matches!(f.poll_event(), Some(FrameEvent::Frame(_))));
    // The same density inside a list.
    let mut line = b"* 1 FETCH (X (".to_vec();
    line.extend(b"1 ".repeat(32_760));
    line.extend_from_slice(b"))");
    assert_eq!(line.len(), c.max_line);
    line.extend_from_slice(b"\r\n");
    f.push(&line);
    assert!(matches!(f.poll_event(), Some(FrameEvent::Frame(_))));
}

#[test]
fn fetch_flags_list_over_the_limit() {
    let input = b"* 1 FETCH (FLAGS (\\Seen \\Answered \\Flagged))\r\n\
                  * 2 FETCH (FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft) UID 9)\r\n\
                  * 3 EXISTS\r\n";
    let ev = events(config(Direction::ServerToClient, 4), input);
    assert_eq!(ev.len(), 3, "{ev:?}");
    let first = frame(&ev[0]).0.len() as u64;
    let e = error(&ev[1]);
    assert_eq!(e.kind, too_many(4));
    assert_eq!(
        &e.raw[..],
        b"* 2 FETCH (FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\"
    );
    assert_eq!(e.offset, first);
    assert_eq!(e.at, first + e.raw.len() as u64 - 1);
    assert_eq!(e.tag(), None);
    assert_eq!(
        e.to_string(),
        format!(
            "list holds more items than limit 4 (message at byte {first}, detected at byte {})",
            e.at
        )
    );
    assert_eq!(frame(&ev[2]).0, b"* 3 EXISTS\r\n");
}

#[test]
fn search_line_over_the_limit_and_exactly_at_it() {
    // `*`, `SEARCH` and the numbers: 6 items.
    let ev = events(
        config(Direction::ServerToClient, 6),
        b"* SEARCH 2 3 5 7\r\n* SEARCH 2 3 5 7 \r\n* SEARCH  2  3  5  7\r\n* SEARCH 2 3 5 7 11 13\r\nA1 OK done\r\n",
    );
    assert_eq!(ev.len(), 5, "{ev:?}");
    assert_eq!(frame(&ev[0]).0, b"* SEARCH 2 3 5 7\r\n");
    // Extra spaces count nothing.
    assert_eq!(frame(&ev[1]).0, b"* SEARCH 2 3 5 7 \r\n");
    assert_eq!(frame(&ev[2]).0, b"* SEARCH  2  3  5  7\r\n");
    let e = error(&ev[3]);
    assert_eq!(e.kind, too_many(6));
    assert_eq!(&e.raw[..], b"* SEARCH 2 3 5 7 1");
    assert_eq!(frame(&ev[4]).0, b"A1 OK done\r\n");
    assert_eq!(frame(&ev[4]).1, e.offset + 24);

    // Commands too: the tag and the name count.
    let ev = events(
        config(Direction::ClientToServer, 4),
        b"A1 UID FETCH 1:*\r\nA2 UID FETCH 1:* FLAGS\r\nA3 NOOP\r\n",
    );
    assert_eq!(frame(&ev[0]).0, b"A1 UID FETCH 1:*\r\n");
    let e = error(&ev[1]);
    assert_eq!(&e.raw[..], b"A2 UID FETCH 1:* F");
    assert_eq!(e.tag().unwrap().as_bytes(), b"A2");
    assert_eq!(frame(&ev[2]).0, b"A3 NOOP\r\n");
}

#[test]
fn the_top_level_always_admits_two_items() {
    // A limit of 0 still frames `A1 NOOP`; inside lists it applies as is
    // (a `(` glued to a token opens a list without starting an item).
    let ev = events(
        config(Direction::ClientToServer, 0),
        b"A1 NOOP\r\nA2 CHECK()\r\nA3 CHECK(a)\r\nA4 CHECK x\r\n",
    );
    assert_eq!(ev.len(), 4, "{ev:?}");
    assert_eq!(frame(&ev[0]).0, b"A1 NOOP\r\n");
    assert_eq!(frame(&ev[1]).0, b"A2 CHECK()\r\n");
    assert_eq!(error(&ev[2]).kind, too_many(0));
    assert_eq!(&error(&ev[2]).raw[..], b"A3 CHECK(a");
    assert_eq!(&error(&ev[3]).raw[..], b"A4 CHECK x");
}

#[test]
fn a_quoted_string_with_spaces_is_one_item() {
    let ev = events(
        config(Direction::ClientToServer, 4),
        b"A1 LOGIN \"a b (c) d\" \"e \\\" f\"\r\nA2 LOGIN \"a b\" \"c d\" e\r\n",
    );
    assert_eq!(ev.len(), 2, "{ev:?}");
    assert_eq!(frame(&ev[0]).0, b"A1 LOGIN \"a b (c) d\" \"e \\\" f\"\r\n");
    assert_eq!(&error(&ev[1]).raw[..], b"A2 LOGIN \"a b\" \"c d\" e");

    let ev = events(
        config(Direction::ServerToClient, 5),
        b"* LIST (\\HasNoChildren) \"/\" \"a b c\"\r\n* LIST (\\X) \"/\" \"a b c\" \"x\"\r\n",
    );
    assert_eq!(frame(&ev[0]).0.len(), 37);
    assert_eq!(ev.len(), 2, "{ev:?}");
    // The sixth item starts with a quote: the skipped rest is a quoted string.
    assert_eq!(&error(&ev[1]).raw[..], b"* LIST (\\X) \"/\" \"a b c\" \"");
}

#[test]
fn a_literal_is_one_item() {
    // A1, LOGIN and two literals: 4 items, whatever their data holds.
    let input = b"A1 LOGIN {5}\r\na b c {7}\r\n(d e f)\r\n";
    let ev = events(config(Direction::ClientToServer, 4), input);
    assert_eq!(ev.len(), 3, "{ev:?}");
    assert_eq!(frame(&ev[2]).0, &input[..]);

    // One item too many: the second literal's header is refused before it
    // is announced. It was synchronizing, so its data does not follow.
    let ev = events(
        config(Direction::ClientToServer, 3),
        b"A1 LOGIN {5}\r\na b c {7}\r\nA2 NOOP\r\n",
    );
    assert_eq!(ev.len(), 3, "{ev:?}");
    assert!(matches!(
        ev[0],
        FrameEvent::LiteralAnnounced {
            len: 5,
            mode: LiteralMode::Sync,
            ..
        }
    ));
    let e = error(&ev[1]);
    assert_eq!(e.kind, too_many(3));
    assert_eq!(&e.raw[..], b"A1 LOGIN {5}\r\na b c {");
    assert_eq!(frame(&ev[2]), (&b"A2 NOOP\r\n"[..], 25));
}

#[test]
fn the_rest_of_a_response_is_skipped_with_its_literals() {
    let first = b"* 1 FETCH (UID 1 FLAGS (a b) BODY[] {5}\r\nab)\r\n)\r\n";
    let second = b"* 2 FETCH (UID 2 BODY[] {5}\r\na b c X)\r\n";
    let input = [&first[..], second, b"* 3 EXISTS\r\n"].concat();
    let ev = events(config(Direction::ServerToClient, 4), &input);
    assert_eq!(ev.len(), 3, "{ev:?}");
    let e = error(&ev[0]);
    assert_eq!(&e.raw[..], b"* 1 FETCH (UID 1 FLAGS (a b) B");
    // The literal's data was skipped, and its line: the next message frames.
    // In it, the data is not counted, and the list goes on after it: `X`
    // is its fifth item.
    let e = error(&ev[1]);
    assert_eq!(&e.raw[..], b"* 2 FETCH (UID 2 BODY[] {5}\r\na b c X");
    assert_eq!(e.offset, first.len() as u64);
    assert_eq!(
        frame(&ev[2]),
        (&b"* 3 EXISTS\r\n"[..], (first.len() + second.len()) as u64)
    );
}

#[test]
fn text_is_not_counted() {
    let input = b"* OK a b c d e f\r\n* NO [ALERT] a b c (d e f)\r\n+ a b c d e\r\n\
                  + a b c {3}\r\nA1 BAD a b c d e\r\n* BYE a b c d\r\n* PREAUTH a b c d\r\n";
    let ev = events(config(Direction::ServerToClient, 2), input);
    assert_eq!(ev.len(), 7, "{ev:?}");
    assert!(ev.iter().all(|e| matches!(e, FrameEvent::Frame(_))));
    // Line mode (AUTHENTICATE, IDLE): every line is text.
    let mut f = Framer::new(config(Direction::ClientToServer, 0));
    f.set_line_mode(true);
    f.push(b"a b c d e\r\nf (g h i)\r\n");
    assert!(matches!(f.poll_event(), Some(FrameEvent::Frame(_))));
    assert!(matches!(f.poll_event(), Some(FrameEvent::Frame(_))));
    assert_eq!(f.poll_event(), None);
}

#[test]
fn depth_and_items_are_both_checked() {
    let mut c = config(Direction::ClientToServer, 3);
    c.max_depth = 2;
    let ev = events(
        c,
        b"A1 SEARCH (OR (a b) (c d))\r\nA2 SEARCH ((((x\r\nA3 SEARCH (a b c d)\r\n",
    );
    assert_eq!(ev.len(), 3, "{ev:?}");
    assert_eq!(frame(&ev[0]).0, b"A1 SEARCH (OR (a b) (c d))\r\n");
    assert_eq!(error(&ev[1]).kind, FrameErrorKind::TooDeep { limit: 2 });
    assert_eq!(error(&ev[2]).kind, too_many(3));
    assert_eq!(&error(&ev[2]).raw[..], b"A3 SEARCH (a b c d");
}

#[test]
fn an_endless_list_is_refused_with_bounded_memory() {
    let mut c = config(Direction::ServerToClient, 1000);
    c.max_line = 64 * 1024 * 1024;
    let mut f = Framer::new(c);
    f.push(b"* SEARCH");
    let chunk = b" 12345".repeat(10_000);
    let mut ev = Vec::new();
    for _ in 0..100 {
        f.push(&chunk);
        ev.extend(std::iter::from_fn(|| f.poll_event()));
        assert!(f.buffered() <= chunk.len(), "{}", f.buffered());
    }
    f.push(b"\r\n* 1 EXISTS\r\n");
    ev.extend(std::iter::from_fn(|| f.poll_event()));
    assert_eq!(ev.len(), 2, "{ev:?}");
    let e = error(&ev[0]);
    assert_eq!(e.kind, too_many(1000));
    assert_eq!(e.raw.len(), 8 + 998 * 6 + 2);
    assert_eq!(frame(&ev[1]).0, b"* 1 EXISTS\r\n");
    assert_eq!(f.stats().discarded, 8 + 100 * chunk.len() as u64 + 2);
}

#[test]
fn classified_like_the_whole_line_when_a_limit_stops_the_scan() {
    // `* OK(` is no status response (OK needs a space), so its parenthesis
    // counts, even when it is the first one and the depth limit is 0.
    let mut c = config(Direction::ServerToClient, 2);
    c.max_depth = 0;
    let ev = events(c, b"* OK(x)\r\n* OK (x)\r\n* OK a b\r\n* OKAY a\r\n");
    assert_eq!(ev.len(), 4, "{ev:?}");
    assert_eq!(error(&ev[0]).kind, FrameErrorKind::TooDeep { limit: 0 });
    assert_eq!(frame(&ev[1]).0, b"* OK (x)\r\n");
    assert_eq!(frame(&ev[2]).0, b"* OK a b\r\n");
    assert_eq!(error(&ev[3]).kind, too_many(2));
}
