//! The Client's COMPRESS=DEFLATE (RFC 4978) against a scripted server: the
//! server compresses right after its OK, so the first compressed bytes may
//! arrive in the same read as the OK.

mod util;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress};
use imapkit_proto::{CommandBody, Data, Secret};
use imapkit_state::client::{CloseReason, Event, Outcome};
use imapkit_state::CommandHandle;
use util::client::{completed, quiet_config, Deflater, Script};

fn inflate(compressed: &[u8]) -> Vec<u8> {
    let mut d = Decompress::new(false);
    let mut out = Vec::with_capacity(compressed.len() * 8 + 64);
    d.decompress_vec(compressed, &mut out, FlushDecompress::Sync)
        .unwrap();
    out
}

/// A client logged in over TLS whose COMPRESS was just sent.
fn compress_sent() -> Script {
    compress_sent_with(quiet_config())
}

fn compress_sent_with(config: imapkit_state::client::ClientConfig) -> Script {
    let mut s = Script::tls(config);
    s.server(b"* OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] ready\r\n");
    s.events();
    s.client
        .login(s.now, "alice", Secret::new("pw".to_owned()))
        .unwrap();
    assert_eq!(s.sent(), "A1 LOGIN alice pw\r\n");
    s.server(b"A1 OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] in\r\n");
    s.events();
    s.client.compress(s.now).unwrap();
    assert_eq!(s.sent(), "A2 COMPRESS DEFLATE\r\n");
    s.events();
    s
}

/// The untagged data, alerts and completions of `events`, without the rest.
fn data(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Data {
                data: Data::Exists(n),
                ..
            } => Some(format!("exists {n}")),
            Event::Alert { text, .. } => Some(format!("alert {}", text.to_string_lossy())),
            Event::CompressionActive { .. } => Some("compression".into()),
            Event::Completed(c) => Some(format!("{:?} {:?}", c.tag, c.outcome)),
            Event::Violation(v) => Some(format!("violation {v}")),
            Event::Closed { reason } => Some(format!("closed {reason}")),
            _ => None,
        })
        .collect()
}

#[test]
fn compressed_bytes_in_the_read_of_the_ok_are_inflated() {
    let mut s = compress_sent();
    let mut server = Deflater::new();
    let mut read = b"A2 OK DEFLATE active\r\n".to_vec();
    read.extend(server.deflate(b"* 3 EXISTS\r\n* OK [ALERT] welcome\r\n"));
    s.server(&read);
    // The rest of the stream, in the next read.
    s.server(&server.deflate(b"* 4 EXISTS\r\n"));
    let events = s.events();
    assert_eq!(
        data(&events),
        [
            "compression",
            "Some(Tag(b\"A2\")) Ok",
            "exists 3",
            "alert welcome",
            "exists 4",
        ]
    );
    assert!(s.client.is_compressed());
    // And the client compresses what it sends from now on.
    s.client.logout(s.now).unwrap();
    assert_eq!(inflate(&s.sent_bytes()), b"A3 LOGOUT\r\n");
}

/// The COMPRESS `OK` held behind a full event queue, with compressed
/// input after it in its read and in a read the application made although
/// `wants_read` was false, then the end of the input: taking the events
/// reads it all, in order, inflated, and closes after it.
#[test]
fn a_held_compress_ok_and_what_follows_are_read_as_events_are_taken() {
    let mut config = quiet_config();
    config.max_queued_events = 1;
    let mut s = compress_sent_with(config);
    let mut server = Deflater::new();
    let mut read = b"* 1 EXISTS\r\n* 2 EXISTS\r\nA2 OK DEFLATE active\r\n".to_vec();
    read.extend(server.deflate(b"* 3 EXISTS\r\n* OK [ALERT] welcome\r\n"));
    s.server(&read);
    assert!(!s.client.wants_read());
    s.server(&server.deflate(b"* 4 EXISTS\r\n* BYE going\r\n"));
    s.client.handle_eof(s.now);
    let events = s.events();
    assert_eq!(
        data(&events),
        [
            "exists 1",
            "exists 2",
            "compression",
            "Some(Tag(b\"A2\")) Ok",
            "exists 3",
            "alert welcome",
            "exists 4",
            "closed server closed the connection (BYE going)",
        ]
    );
}

#[test]
fn compressed_bytes_split_across_the_read_of_the_ok() {
    let mut s = compress_sent();
    let mut server = Deflater::new();
    let stream = server.deflate(b"* 5 EXISTS\r\n");
    let (first, rest) = stream.split_at(3);
    s.server(&[b"A2 OK go\r\n".as_slice(), first].concat());
    s.server(rest);
    let events = s.events();
    assert_eq!(
        data(&events),
        ["compression", "Some(Tag(b\"A2\")) Ok", "exists 5"]
    );
}

#[test]
fn a_corrupt_stream_after_the_ok_closes() {
    let mut s = compress_sent();
    s.server(b"A2 OK go\r\n\xff\xff\xff\xff");
    let events = s.events();
    assert!(matches!(
        events.last(),
        Some(Event::Closed {
            reason: CloseReason::Compression
        })
    ));
    assert!(events.iter().any(|e| matches!(
        e,
        Event::Completed(c) if c.outcome == Outcome::Ok
    )));
}

/// A corrupt stream right after a piece whose responses fill the event
/// queue (a limit of 1): they are all delivered, then `Closed` for the
/// corrupt stream. Was a bug (found by the client_session fuzzer's twin
/// check, input `held-frames-then-corrupt-deflate-bc99118b`): the session
/// closed at once and the held responses were lost.
#[test]
fn a_corrupt_stream_after_held_responses_closes_after_them() {
    let mut config = quiet_config();
    config.max_queued_events = 1;
    let mut s = compress_sent_with(config);
    s.server(b"A2 OK go\r\n");
    s.events();
    let mut server = Deflater::new();
    let mut read = server.deflate(b"* 1 EXISTS\r\n* 2 EXISTS\r\n* 3 EXISTS\r\n");
    read.extend_from_slice(&[0xff; 8]);
    s.server(&read);
    assert_eq!(
        data(&s.events()),
        [
            "exists 1",
            "exists 2",
            "exists 3",
            "closed corrupt compressed stream"
        ]
    );
}

#[test]
fn a_second_compress_is_not_sent() {
    let mut s = compress_sent();
    // Queued while the first is in flight: refused when its turn comes.
    let second = s
        .client
        .enqueue(
            s.now,
            CommandBody::Compress {
                algorithm: imapkit_proto::CompressionAlgorithm::Deflate,
            },
        )
        .unwrap();
    s.server(b"A2 OK go\r\n");
    let events = s.events();
    assert!(events.iter().any(|e| matches!(
        e,
        Event::Completed(c) if c.handle == second && matches!(c.outcome, Outcome::NotSent(_))
    )));
    assert!(s.sent_bytes().is_empty());
}

/// A server whose DEFLATE stream ends (a final block) and then sends more:
/// nothing may follow the end on this connection (RFC 4978 compresses the
/// rest of it), so the client closes with `Compression` instead of keeping
/// the bytes for an inflater that will never take them. What came before
/// the end is read. (Found by the `client_session` fuzz target: the bytes
/// piled up past the framer's limits, read after read.)
#[test]
fn bytes_after_the_end_of_the_servers_stream_close() {
    let mut s = compress_sent();
    let mut server = Compress::new(Compression::fast(), false);
    let mut ended = Vec::with_capacity(256);
    server
        .compress_vec(b"* 6 EXISTS\r\n", &mut ended, FlushCompress::Finish)
        .unwrap();
    s.server(&[b"A2 OK go\r\n".as_slice(), &ended].concat());
    assert_eq!(
        data(&s.events()),
        ["compression", "Some(Tag(b\"A2\")) Ok", "exists 6"]
    );
    // The stream is over; the next read has nowhere to go.
    s.server(b"* 7 EXISTS\r\n");
    assert_eq!(data(&s.events()), ["closed corrupt compressed stream"]);
}

/// A client whose COMPRESS is active, with `A3 NOOP` sent, and the
/// server's compressed answer: `flood` lines of `* n EXISTS`, then
/// `A3 OK`, in one read the application does not take events from.
fn noop_answered_under_a_flood(max_queued_events: usize, flood: u32) -> (Script, CommandHandle) {
    let mut config = quiet_config();
    config.max_queued_events = max_queued_events;
    let mut s = compress_sent_with(config);
    s.server(b"A2 OK go\r\n");
    s.events();
    let noop = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    assert_eq!(inflate(&s.sent_bytes()), b"A3 NOOP\r\n");
    let mut plain = Vec::new();
    for n in 1..=flood {
        plain.extend_from_slice(format!("* {n} EXISTS\r\n").as_bytes());
    }
    plain.extend_from_slice(b"A3 OK done\r\n");
    let mut server = Deflater::new();
    s.server(&server.deflate(&plain));
    assert!(!s.client.wants_read(), "input is held");
    (s, noop)
}

/// `close()` with compressed input not inflated yet (held behind a full
/// event queue): it is read, within another event limit, so the NOOP
/// answered there completes `Ok`, not as closed. Was a bug (a doubt since
/// stop 31): close() dropped compressed input, so a command answered in
/// it completed as `ConnectionClosed`, and an application that retries
/// on that would run a STORE or APPEND twice.
#[test]
fn close_reads_compressed_input_not_inflated_yet() {
    // 6,000 lines inflate to about 85 KB: more than one 64 KiB piece.
    let (mut s, noop) = noop_answered_under_a_flood(2_000, 6_000);
    s.client.close();
    let events = s.events();
    let exists = events
        .iter()
        .filter(|e| {
            matches!(
                e,
                Event::Data {
                    data: Data::Exists(_),
                    ..
                }
            )
        })
        .count();
    assert_eq!(exists, 6_000);
    let done = completed(&events);
    assert_eq!(done, [(noop, Outcome::Ok)]);
    assert!(matches!(
        events.last(),
        Some(Event::Closed {
            reason: CloseReason::Local
        })
    ));
}

/// The same with a DEFLATE flood far past the bound: `close()` reads at
/// most another event limit's worth of it, drops the rest, and the NOOP
/// whose answer was in the dropped part completes as closed.
#[test]
fn close_reads_a_compressed_flood_only_up_to_another_event_limit() {
    let (mut s, noop) = noop_answered_under_a_flood(100, 300_000);
    // Before close: the first piece's messages (held in the framer) and
    // the events queued.
    s.client.close();
    let events = s.events();
    // One 64 KiB piece holds about 4,800 of these lines; the held
    // messages of the first piece are read whole, then 100 more events.
    assert!(events.len() < 5_200, "{} events", events.len());
    let done = completed(&events);
    assert_eq!(done, [(noop, Outcome::ConnectionClosed)]);
    assert!(matches!(
        events.last(),
        Some(Event::Closed {
            reason: CloseReason::Local
        })
    ));
}
