//! `Framer::poll_lent`: messages lent from the framer's buffer are the
//! messages `poll_event` splits off, at the same offsets, in any chunking,
//! and the framer goes on correctly however a lent message ends (dropped,
//! taken with `into_frame`, forgotten, released).

use imapkit_codec::framer::{Direction, FrameEvent, FrameRef, Framer, FramerConfig, Lent};
use imapkit_proto::{Data, Response};
use proptest::prelude::*;

/// A server's stream: short lines, a FETCH with a literal, a line too long
/// for the config below (an error, then resync), a streamed literal, and
/// a greeting-like status with a literal-looking tail.
const SERVER: &[u8] = b"* 3 EXISTS\r\n\
* 1 FETCH (UID 7 BODY[] {5}\r\nhello FLAGS (\\Seen))\r\n\
* OK text {3}\r\n\
* 2 FETCH (BODY[] {40}\r\n0123456789012345678901234567890123456789)\r\n\
* SEARCH 2 3 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n\
A1 OK done\r\n";

/// A client's stream: a command with synchronizing and non-synchronizing
/// literals (announced), and short commands.
const CLIENT: &[u8] = b"A1 LOGIN {5}\r\nalice {6+}\r\nsecret\r\nA2 NOOP\r\nA3 SELECT INBOX\r\n";

fn config(direction: Direction) -> FramerConfig {
    let mut config = FramerConfig::new(direction);
    config.max_line = 64;
    config.stream_literals_above = Some(16);
    config.stream_chunk = 8;
    config
}

/// An event as the tests compare it: a message's bytes, offset and
/// streamed literals, or any other event.
#[derive(Debug, PartialEq)]
enum Seen {
    Frame(Vec<u8>, u64, u32),
    Other(FrameEvent),
}

impl Seen {
    fn polled(event: FrameEvent) -> Self {
        match event {
            FrameEvent::Frame(f) => Self::Frame(f.bytes.to_vec(), f.offset, f.streamed_literals),
            other => Self::Other(other),
        }
    }

    /// A lent message, copied, or taken with `into_frame` if `take`.
    fn lent(frame: FrameRef<'_>, take: bool) -> Self {
        if take {
            Self::polled(FrameEvent::Frame(frame.into_frame()))
        } else {
            let (offset, streamed) = (frame.offset(), frame.streamed_literals());
            Self::Frame(frame.bytes().to_vec(), offset, streamed)
        }
    }
}

/// Every event of `poll_event` over `stream` in reads of `read` bytes.
fn polled(direction: Direction, stream: &[u8], read: usize) -> Vec<Seen> {
    let mut framer = Framer::new(config(direction));
    let mut events = Vec::new();
    for piece in stream.chunks(read) {
        framer.push(piece);
        while let Some(event) = framer.poll_event() {
            events.push(Seen::polled(event));
        }
    }
    events
}

/// Every event of `poll_lent` over `stream` in reads of `read` bytes, the
/// lent messages copied (or, where `take` says so, taken with
/// `into_frame`).
fn lent(direction: Direction, stream: &[u8], read: usize, take: &[bool]) -> Vec<Seen> {
    let mut framer = Framer::new(config(direction));
    let mut events = Vec::new();
    let mut k = 0;
    for piece in stream.chunks(read) {
        framer.push(piece);
        while let Some(event) = framer.poll_lent() {
            events.push(match event {
                Lent::Frame(frame) => {
                    k += 1;
                    Seen::lent(frame, take[k % take.len()])
                }
                Lent::Event(event) => Seen::Other(event),
            });
        }
    }
    assert!(framer.at_boundary());
    assert_eq!(framer.buffered(), 0);
    events
}

#[test]
fn lent_messages_are_the_messages_poll_event_splits_off() {
    for (direction, stream) in [
        (Direction::ServerToClient, SERVER),
        (Direction::ClientToServer, CLIENT),
    ] {
        let expected = polled(direction, stream, stream.len());
        // The stream holds each kind of event this test is about.
        let frames = expected
            .iter()
            .filter(|e| matches!(e, Seen::Frame(..)))
            .count();
        assert!(frames >= 3, "{expected:?}");
        if direction == Direction::ServerToClient {
            assert!(expected
                .iter()
                .any(|e| matches!(e, Seen::Other(FrameEvent::Error(_)))));
            assert!(expected.iter().any(|e| matches!(e, Seen::Frame(_, _, 1))));
        } else {
            assert!(expected
                .iter()
                .any(|e| matches!(e, Seen::Other(FrameEvent::LiteralAnnounced { .. }))));
        }
        for read in (1..=17).chain([stream.len()]) {
            for take in [&[false][..], &[true], &[true, false, false]] {
                assert_eq!(
                    lent(direction, stream, read, take),
                    polled(direction, stream, read),
                    "read {read}, take {take:?}"
                );
            }
        }
    }
}

proptest! {
    /// Any chunking, any mix of lent messages dropped and taken.
    #[test]
    fn lent_in_any_chunking(
        cuts in proptest::collection::vec(1usize..24, 1..8),
        take in proptest::collection::vec(any::<bool>(), 1..5),
    ) {
        let expected = polled(Direction::ServerToClient, SERVER, SERVER.len());
        let mut framer = Framer::new(config(Direction::ServerToClient));
        let mut events = Vec::new();
        let (mut at, mut k) = (0, 0);
        while at < SERVER.len() {
            let n = cuts[k % cuts.len()].min(SERVER.len() - at);
            framer.push(&SERVER[at..at + n]);
            at += n;
            k += 1;
            while let Some(event) = framer.poll_lent() {
                let k = events.len();
                events.push(match event {
                    Lent::Frame(frame) => Seen::lent(frame, take[k % take.len()]),
                    Lent::Event(event) => Seen::Other(event),
                });
            }
        }
        prop_assert_eq!(events, expected);
    }
}

#[test]
fn lent_messages_decode_borrowed_from_the_buffer() {
    let mut framer = Framer::new(FramerConfig::new(Direction::ServerToClient));
    let mut room = framer.read_buf(64);
    room.extend_from_slice(b"* 3 EXISTS\r\nA1 OK [READ-WRITE] done\r\n");
    let at = room.as_ptr() as usize;
    framer.push_buf(room);

    let Some(Lent::Frame(frame)) = framer.poll_lent() else {
        panic!()
    };
    assert_eq!((frame.bytes().as_ptr() as usize, frame.offset()), (at, 0));
    assert_eq!(frame.decode_response(), Ok(Response::Data(Data::Exists(3))));
    drop(frame);

    let Some(Lent::Frame(frame)) = framer.poll_lent() else {
        panic!()
    };
    assert_eq!(frame.offset(), 12);
    let Ok(Response::Status(status)) = frame.decode_response() else {
        panic!()
    };
    // The text is a slice of the framer's buffer, where the read put it.
    let text = status.text.human().as_bytes();
    assert_eq!(text, b"done");
    assert_eq!(text.as_ptr() as usize, at + 12 + 19);
    // Taken out, the message keeps its place in memory: no copy.
    let frame = frame.into_frame();
    assert_eq!(frame.bytes.as_ptr() as usize, at + 12);
    assert_eq!(framer.poll_lent().map(|_| ()), None);
    assert!(framer.at_boundary());
}

#[test]
fn a_forgotten_lent_message_is_dropped_at_the_next_call() {
    let mut framer = Framer::new(FramerConfig::new(Direction::ServerToClient));
    framer.push(b"* 1 EXISTS\r\n* 2 EXISTS\r\n");
    let Some(Lent::Frame(frame)) = framer.poll_lent() else {
        panic!()
    };
    std::mem::forget(frame);
    // Counted as consumed already; the bytes leave the buffer at the next call.
    assert_eq!(framer.buffered(), 12);
    assert!(!framer.at_boundary());
    framer.push(b"* 3 EXISTS\r\n");
    assert_eq!(framer.buffered(), 24);
    let Some(FrameEvent::Frame(two)) = framer.poll_event() else {
        panic!()
    };
    assert_eq!((&two.bytes[..], two.offset), (&b"* 2 EXISTS\r\n"[..], 12));
    let Some(Lent::Frame(three)) = framer.poll_lent() else {
        panic!()
    };
    assert_eq!(
        (three.bytes(), three.offset()),
        (&b"* 3 EXISTS\r\n"[..], 24)
    );
    drop(three);
    assert!(framer.at_boundary());
    assert_eq!(framer.stats().consumed, 36);
}

#[test]
fn a_lent_message_with_a_streamed_literal_is_put_together_once() {
    let mut config = FramerConfig::new(Direction::ServerToClient);
    config.stream_literals_above = Some(4);
    config.stream_chunk = 4;
    let mut framer = Framer::new(config);
    framer.push(b"* 1 FETCH (BODY[] {10}\r\n0123456789)\r\n* 2 EXISTS\r\n");
    let mut chunks = Vec::new();
    let frame = loop {
        match framer.poll_lent() {
            Some(Lent::Event(FrameEvent::LiteralChunk(chunk))) => chunks.extend_from_slice(&chunk),
            Some(Lent::Event(_)) => {}
            Some(Lent::Frame(frame)) => break frame,
            None => panic!("no frame"),
        }
    };
    assert_eq!(chunks, b"0123456789");
    assert_eq!(frame.streamed_literals(), 1);
    // As `poll_event` reports it: the streamed literal's header zeroed.
    assert_eq!(frame.bytes(), b"* 1 FETCH (BODY[] {00}\r\n)\r\n");
    drop(frame);
    let Some(Lent::Frame(next)) = framer.poll_lent() else {
        panic!()
    };
    assert_eq!((next.bytes(), next.offset()), (&b"* 2 EXISTS\r\n"[..], 37));
}

/// Every message of `stream` in reads of `read` bytes, each lent, its
/// loan released, and its bytes read back from `Framer::released` after
/// the `FrameRef` is gone, as the Client reads a violation's `raw`.
fn released(stream: &[u8], read: usize) -> Vec<Seen> {
    let mut framer = Framer::new(config(Direction::ServerToClient));
    let mut events = Vec::new();
    for piece in stream.chunks(read) {
        framer.push(piece);
        loop {
            let released = match framer.poll_lent() {
                None => break,
                Some(Lent::Frame(frame)) => {
                    let at = (frame.offset(), frame.streamed_literals());
                    frame.release();
                    Some(at)
                }
                Some(Lent::Event(event)) => {
                    events.push(Seen::Other(event));
                    None
                }
            };
            match released {
                Some((offset, streamed)) => {
                    events.push(Seen::Frame(framer.released().to_vec(), offset, streamed))
                }
                None => assert_eq!(framer.released(), b"", "a poll ends the release"),
            }
        }
    }
    assert!(framer.at_boundary());
    assert_eq!(framer.buffered(), 0);
    events
}

#[test]
fn a_released_message_is_kept_until_the_next_read() {
    for read in (1..=17).chain([SERVER.len()]) {
        assert_eq!(
            released(SERVER, read),
            polled(Direction::ServerToClient, SERVER, read),
            "read {read}"
        );
    }
    // In the buffer: not counted as buffered, dropped by the next read.
    let mut framer = Framer::new(FramerConfig::new(Direction::ServerToClient));
    framer.push(b"* 1 EXISTS\r\n* 2 EXI");
    let Some(Lent::Frame(frame)) = framer.poll_lent() else {
        panic!()
    };
    frame.release();
    assert_eq!(framer.released(), b"* 1 EXISTS\r\n");
    assert_eq!(framer.buffered(), 7);
    assert!(framer.poll_lent().is_none());
    assert_eq!(framer.released(), b"");
    framer.push(b"STS\r\n");
    let Some(Lent::Frame(frame)) = framer.poll_lent() else {
        panic!()
    };
    assert_eq!(
        (frame.bytes(), frame.offset()),
        (&b"* 2 EXISTS\r\n"[..], 12)
    );
    // A dropped loan leaves nothing released.
    drop(frame);
    assert_eq!(framer.released(), b"");
    assert!(framer.at_boundary());
}

#[test]
fn a_released_message_survives_the_calls_that_empty_the_buffer() {
    // STARTTLS's OK (the Client discards what follows it, then may still
    // report a violation of that OK) and COMPRESS's (the rest is taken).
    let mut framer = Framer::new(FramerConfig::new(Direction::ServerToClient));
    framer.push(b"A1 OK Begin TLS\r\n* injected\r\n");
    let Some(Lent::Frame(frame)) = framer.poll_lent() else {
        panic!()
    };
    frame.release();
    assert_eq!(framer.discard_buffered(), 12);
    assert_eq!(framer.released(), b"A1 OK Begin TLS\r\n");
    assert_eq!(framer.stats().consumed, 29);
    framer.push(b"* 1 EXISTS\r\n");
    assert!(matches!(framer.poll_lent(), Some(Lent::Frame(_))));
    assert_eq!(framer.released(), b"");

    let mut framer = Framer::new(FramerConfig::new(Direction::ServerToClient));
    framer.push(b"A2 OK DEFLATE active\r\n\x78\x9c");
    let Some(Lent::Frame(frame)) = framer.poll_lent() else {
        panic!()
    };
    frame.release();
    assert_eq!(&framer.take_buffered()[..], b"\x78\x9c");
    assert_eq!(framer.released(), b"A2 OK DEFLATE active\r\n");
    assert!(framer.at_boundary());
}
