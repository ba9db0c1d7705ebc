//! Bounded memory and linear work of the framer on large inputs.

use imapkit_codec::framer::{Direction, FrameErrorKind, FrameEvent, Framer, FramerConfig};

const KIB: usize = 1024;
const MIB: usize = 1024 * 1024;

fn drain(f: &mut Framer, out: &mut Vec<FrameEvent>) {
    while let Some(e) = f.poll_event() {
        out.push(e);
    }
}

#[test]
fn line_without_end_errors_at_the_limit_with_bounded_memory() {
    let config = FramerConfig::new(Direction::ClientToServer);
    let limit = config.max_line;
    assert_eq!(limit, 64 * KIB);
    let mut f = Framer::new(config);
    let chunk = vec![b'x'; 64 * KIB];
    let mut events = Vec::new();
    f.push(b"A1 ");
    let mut max_capacity = 0;
    for _ in 0..64 * MIB / chunk.len() {
        // 64 MiB in all, without a line end.
        f.push(&chunk);
        max_capacity = max_capacity.max(f.buffer_capacity());
        drain(&mut f, &mut events);
        assert!(f.buffered() <= limit + 2, "{}", f.buffered());
    }
    assert!(
        max_capacity <= limit + chunk.len() + 64,
        "capacity {max_capacity}"
    );
    assert_eq!(events.len(), 1);
    let FrameEvent::Error(e) = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(e.kind, FrameErrorKind::LineTooLong { limit });
    assert_eq!(e.raw.len(), limit + 2);
    assert_eq!(e.offset, 0);
    assert_eq!(e.at, (limit + 1) as u64);
    // The stream goes on after the next CRLF.
    f.push(b"yy\r\nA2 NOOP\r\n");
    drain(&mut f, &mut events);
    assert_eq!(events.len(), 2, "{events:?}");
    let FrameEvent::Frame(fr) = &events[1] else {
        panic!("{events:?}")
    };
    assert_eq!(&fr.bytes[..], b"A2 NOOP\r\n");
    assert_eq!(fr.offset, (3 + 64 * MIB + 4) as u64);
    assert_eq!(f.stats().discarded, (3 + 64 * MIB + 4) as u64);
}

#[test]
fn oversized_literal_is_skipped_with_bounded_memory() {
    let mut config = FramerConfig::new(Direction::ServerToClient);
    config.max_literal = MIB as u64;
    let mut f = Framer::new(config);
    let mut events = Vec::new();
    f.push(format!("* 1 FETCH (BODY[] {{{}}}\r\n", 32 * MIB).as_bytes());
    let chunk = vec![b'\n'; 64 * KIB];
    for _ in 0..32 * MIB / chunk.len() {
        f.push(&chunk);
        drain(&mut f, &mut events);
        assert!(f.buffer_capacity() <= 2 * chunk.len() + KIB);
    }
    f.push(b")\r\n* 2 EXISTS\r\n");
    drain(&mut f, &mut events);
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(matches!(
        &events[0],
        FrameEvent::Error(e) if e.kind == FrameErrorKind::LiteralTooLarge {
            len: 32 * MIB as u64, limit: MIB as u64, append: false
        }
    ));
    assert!(matches!(&events[1], FrameEvent::Frame(fr) if &fr.bytes[..] == b"* 2 EXISTS\r\n"));
}

/// About 1 MiB of commands: short and long lines, literals of all kinds.
fn session() -> Vec<u8> {
    let mut s = Vec::new();
    let mut i = 0;
    while s.len() < MIB {
        s.extend_from_slice(format!("A{i} NOOP\r\n").as_bytes());
        s.extend_from_slice(format!("A{i} SEARCH (OR (FROM \"x\") (TO \"y\"))").as_bytes());
        s.extend(std::iter::repeat(b' ').take(i % 5000));
        s.extend_from_slice(b"\r\n");
        let data = vec![b'\n'; i % 3000];
        s.extend_from_slice(format!("A{i} APPEND INBOX {{{}+}}\r\n", data.len()).as_bytes());
        s.extend_from_slice(&data);
        s.extend_from_slice(format!(" ~{{{}+}}\r\n", data.len()).as_bytes());
        s.extend_from_slice(&data);
        s.extend_from_slice(b"\r\n");
        i += 1;
    }
    s.extend_from_slice(b"Z1 LOGIN ");
    s.extend(std::iter::repeat(b'a').take(60 * KIB));
    s.extend_from_slice(b"\r\n");
    s
}

#[test]
fn work_is_linear_whatever_the_chunking() {
    let input = session();
    let n = input.len() as u64;

    let mut whole = Framer::new(FramerConfig::new(Direction::ClientToServer));
    let mut expected = Vec::new();
    whole.push(&input);
    drain(&mut whole, &mut expected);
    assert_eq!(whole.buffered(), 0);
    assert!(expected.iter().all(|e| !matches!(e, FrameEvent::Error(_))));

    let mut bytewise = Framer::new(FramerConfig::new(Direction::ClientToServer));
    let mut events = Vec::new();
    for b in &input {
        bytewise.push(std::slice::from_ref(b));
        drain(&mut bytewise, &mut events);
    }
    assert_eq!(events, expected);
    // Literal data is never scanned; every other byte once, plus O(1) per line.
    assert!(
        bytewise.scanned() < 3 * n,
        "scanned {} of {n}",
        bytewise.scanned()
    );
    assert!(bytewise.scanned() <= whole.scanned() + n / 100);
    assert_eq!(bytewise.stats(), whole.stats());
}

#[test]
fn streamed_literal_of_16_mib_uses_bounded_memory() {
    let threshold = 64 * KIB;
    let mut config = FramerConfig::new(Direction::ClientToServer);
    config.stream_literals_above = Some(threshold as u64);
    let mut f = Framer::new(config);
    let len = 16 * MIB;
    let mut events = Vec::new();
    f.push(format!("A1 APPEND INBOX (\\Seen) {{{len}}}\r\n").as_bytes());
    drain(&mut f, &mut events);
    assert!(
        matches!(events[..], [FrameEvent::LiteralAnnounced { len: l, append: true, .. }] if l == len as u64)
    );
    events.clear();
    // The server answered `+`; the data comes in odd-sized reads.
    let push = 10_000;
    let mut sent = 0;
    let mut received = 0u64;
    let mut sum = 0u64;
    let mut max_buffered = 0;
    let mut max_capacity = 0;
    while sent < len {
        let n = push.min(len - sent);
        let data: Vec<u8> = (sent..sent + n).map(|i| (i % 251) as u8).collect();
        f.push(&data);
        max_capacity = max_capacity.max(f.buffer_capacity());
        sent += n;
        while let Some(e) = f.poll_event() {
            match e {
                FrameEvent::LiteralChunk(c) => {
                    assert!(c.len() <= FramerConfig::DEFAULT_STREAM_CHUNK);
                    for (k, &b) in c.iter().enumerate() {
                        assert_eq!(b, ((received as usize + k) % 251) as u8);
                    }
                    received += c.len() as u64;
                    sum += c.iter().map(|&b| u64::from(b)).sum::<u64>();
                }
                FrameEvent::LiteralStart { .. } => {
                    assert_eq!(
                        f.streaming_head(),
                        Some(&b"A1 APPEND INBOX (\\Seen) {00000000}\r\n"[..])
                    );
                    events.push(e)
                }
                e => events.push(e),
            }
        }
        max_buffered = max_buffered.max(f.buffered());
        max_capacity = max_capacity.max(f.buffer_capacity());
    }
    assert!(max_buffered <= threshold + push + 64, "{max_buffered}");
    assert!(
        max_capacity <= 2 * (threshold + push) + 64,
        "capacity {max_capacity}"
    );
    assert_eq!(received, len as u64);
    assert_eq!(sum, (0..len).map(|i| (i % 251) as u64).sum::<u64>());
    f.push(b"\r\n");
    drain(&mut f, &mut events);
    assert_eq!(events.len(), 3, "{events:?}");
    assert_eq!(events[1], FrameEvent::LiteralEnd);
    let FrameEvent::Frame(fr) = &events[2] else {
        panic!("{events:?}")
    };
    assert_eq!(
        &fr.bytes[..],
        b"A1 APPEND INBOX (\\Seen) {00000000}\r\n\r\n"
    );
    assert_eq!(fr.streamed_literals, 1);
}
