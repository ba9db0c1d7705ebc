//! Memory bounds of the Client under a hostile or broken server: endless
//! lines and literal headers, literals and messages beyond the limits,
//! deep nesting, long lists, floods of untagged responses and `+`,
//! streamed `BODY[]`, COMPRESS=DEFLATE bombs, and extreme values for the
//! mailbox model. Each test states its bound in terms of the configured
//! limits, and checks that what arrived before the bad message is
//! delivered and the session goes on (or ends with a clear reason).
//!
//! Memory is measured through what the Client shows: the events queued
//! (the `events` field of its `Debug` output), the bytes queued to send
//! (`out_bytes`), [`SelectedMailbox::heap_bytes`] and the sizes of the
//! events; the framer's buffer is not visible from outside the crate, so
//! input memory is measured as the resident set size of a child process
//! running one test alone (the crate forbids `unsafe_code`: no counting
//! allocator).
//!
//! From an independent review (stop 29): tests whose doc says "was a
//! bug" failed before that stop's fixes; they assert the bound now held.
//!
//! [`SelectedMailbox::heap_bytes`]: imapkit_state::mailbox::SelectedMailbox::heap_bytes

mod util;

use flate2::{Compress, Compression, FlushCompress};
use imapkit_proto::{Data, MessageDataItem};
use imapkit_state::client::{Client, ClientConfig, CloseReason, Event, SessionState};
use imapkit_state::codec::framer::FrameErrorKind;
use imapkit_state::error::{PeerViolation, ViolationKind};
use imapkit_state::mailbox::MailboxChange;
use util::client::{quiet_config, Script};

// ---- helpers -------------------------------------------------------------

const MAX_LINE: usize = 1024;
const MAX_LITERAL: u64 = 64 * 1024;
const MAX_MESSAGE: usize = 256 * 1024;
const MAX_ITEMS: u32 = 512;
const READ: usize = 64 * 1024;

/// Small limits, so that every bound is reached quickly.
fn small() -> ClientConfig {
    let mut c = quiet_config();
    c.framer.max_line = MAX_LINE;
    c.framer.max_literal = MAX_LITERAL;
    c.framer.max_message = MAX_MESSAGE;
    c.framer.max_list_items = MAX_ITEMS;
    c
}

/// Greeted over TLS (PREAUTH) and INBOX selected with `exists` messages.
fn selected(config: ClientConfig, exists: u32) -> Script {
    let mut s = Script::tls(config);
    s.server(b"* PREAUTH [CAPABILITY IMAP4rev1 IDLE ENABLE CONDSTORE COMPRESS=DEFLATE] hi\r\n");
    s.client.select(s.now, "INBOX".into()).unwrap();
    assert_eq!(s.sent(), "A1 SELECT INBOX\r\n");
    s.server(
        format!("* {exists} EXISTS\r\n* OK [UIDVALIDITY 7] u\r\nA1 OK [READ-WRITE] done\r\n")
            .as_bytes(),
    );
    let ev = s.events();
    assert!(
        matches!(ev.last(), Some(Event::Completed(c)) if c.is_ok()),
        "{ev:?}"
    );
    assert_eq!(s.client.state(), SessionState::Selected);
    s
}

/// Events queued in the client (from its `Debug`).
fn queued(c: &Client) -> usize {
    debug_field(c, "events: ")
}

/// Bytes queued to send (from its `Debug`).
fn out_bytes(c: &Client) -> usize {
    debug_field(c, "out_bytes: ")
}

fn debug_field(c: &Client, name: &str) -> usize {
    let dbg = format!("{c:?}");
    let at = dbg.find(name).expect("the field") + name.len();
    dbg[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .expect("a number")
}

/// The events, described shortly (violations with their kind).
fn describe(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Status { status, .. } => {
                Some(format!("status {}", status.text.human().to_string_lossy()))
            }
            Event::Violation(v) => Some(format!("violation {}", v.kind)),
            Event::Data { data, .. } => Some(format!("data {}", data_name(data))),
            Event::Closed { reason } => Some(format!("closed {reason}")),
            Event::Completed(c) => Some(format!("completed {:?}", c.outcome)),
            _ => None,
        })
        .collect()
}

fn data_name(d: &Data<'_>) -> String {
    match d {
        Data::Exists(n) => format!("exists {n}"),
        Data::Fetch { seq, .. } => format!("fetch {seq}"),
        Data::Search { .. } => "search".into(),
        Data::Capability(c) => format!("capability {}", c.as_slice().len()),
        other => format!("{other:?}").chars().take(20).collect(),
    }
}

fn violation_raws(events: &[Event]) -> Vec<usize> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Violation(v) => Some(v.raw().len()),
            _ => None,
        })
        .collect()
}

fn framing(kind: &ViolationKind) -> Option<&FrameErrorKind> {
    match kind {
        ViolationKind::Framing(k) => Some(k),
        _ => None,
    }
}

/// The framing violations among `events`.
fn framing_errors(events: &[Event]) -> Vec<FrameErrorKind> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Violation(v) => framing(&v.kind).cloned(),
            _ => None,
        })
        .collect()
}

/// Resident set size of this process, in bytes (Linux).
fn rss() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("Linux /proc");
    let pages: usize = statm.split(' ').nth(1).unwrap().parse().unwrap();
    pages * 4096
}

/// Runs the calling test alone in a child process (so that the resident
/// set size measures this session only); `true` in the child.
fn in_child(test: &str) -> bool {
    if std::env::var_os("IMAPKIT_CLIENT_MEMORY_CHILD").is_some() {
        return true;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            test,
            "--exact",
            "--include-ignored",
            "--test-threads=1",
            "--nocapture",
        ])
        .env("IMAPKIT_CLIENT_MEMORY_CHILD", "1")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for line in text
        .lines()
        .filter_map(|l| l.find("measured ").map(|at| &l[at..]))
    {
        eprintln!("{line}");
    }
    assert!(out.status.success(), "{text}");
    false
}

/// Feeds `total` bytes of `fill` in reads of [`READ`] bytes, draining the
/// events after each read (as the README's loop does); returns the events
/// and the peak growth of the resident set size over `base`.
fn feed_fill(s: &mut Script, fill: u8, total: usize, base: usize) -> (Vec<Event>, usize) {
    let chunk = vec![fill; READ];
    let mut events = Vec::new();
    let mut peak = 0;
    let mut left = total;
    while left > 0 {
        let n = left.min(READ);
        s.server(&chunk[..n]);
        left -= n;
        peak = peak.max(rss().saturating_sub(base));
        events.extend(s.events());
    }
    (events, peak)
}

/// A raw DEFLATE stream, as the server's side of COMPRESS.
fn deflate(c: &mut Compress, plain: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(plain.len() / 64 + 1024);
    let start = c.total_in();
    loop {
        let used = (c.total_in() - start) as usize;
        out.reserve(64 * 1024);
        c.compress_vec(&plain[used..], &mut out, FlushCompress::Sync)
            .unwrap();
        if (c.total_in() - start) as usize == plain.len() && out.len() < out.capacity() {
            return out;
        }
    }
}

/// Selected, then COMPRESS=DEFLATE active.
fn compressed(config: ClientConfig) -> Script {
    let mut s = selected(config, 1);
    s.client.compress(s.now).unwrap();
    assert_eq!(s.sent(), "A2 COMPRESS DEFLATE\r\n");
    s.server(b"A2 OK DEFLATE active\r\n");
    s.events();
    assert!(s.client.is_compressed());
    s
}

// ---- endless lines and literal headers ------------------------------------

/// A line without end (64 MiB, no CRLF) after a complete response: the
/// complete one is delivered, the long one is a `LineTooLong` violation as
/// soon as `max_line + 2` bytes arrived (raw cut to `PeerViolation::MAX_RAW`),
/// the rest is skipped without being held, and the next response is
/// delivered; the session stays open.
#[test]
fn endless_line_is_skipped_in_bounded_memory() {
    if !in_child("endless_line_is_skipped_in_bounded_memory") {
        return;
    }
    let mut s = selected(small(), 1);
    s.server(b"* OK before\r\n* OK ");
    let first = s.events();
    assert_eq!(describe(&first), ["status before"]);
    let base = rss();
    let (events, peak) = feed_fill(&mut s, b'x', 64 << 20, base);
    println!(
        "measured endless line: 64 MiB fed, peak RSS growth {} KiB",
        peak >> 10
    );
    assert_eq!(
        framing_errors(&events),
        [FrameErrorKind::LineTooLong { limit: MAX_LINE }]
    );
    assert!(violation_raws(&events)[0] <= MAX_LINE + 2);
    s.server(b"\r\n* OK after\r\n");
    assert_eq!(describe(&s.events()), ["status after"]);
    assert!(peak < 4 << 20, "RSS grew {peak} bytes");
    assert_eq!(s.client.state(), SessionState::Selected);
}

/// A literal header whose digits never end (`{999...`): refused at the
/// line limit, the rest skipped; the next response is delivered.
#[test]
fn endless_literal_header_is_refused_at_the_line_limit() {
    let mut s = selected(small(), 1);
    s.server(b"* 1 FETCH (FLAGS (\\Seen))\r\n* 1 FETCH (BODY[] {");
    let first = s.events();
    assert_eq!(describe(&first)[0], "data fetch 1");
    let mut events = Vec::new();
    for _ in 0..256 {
        s.server(&[b'9'; 4096]);
        events.extend(s.events());
    }
    // A line end without `}`: no literal follows, the next message is read.
    s.server(b"\r\n* OK after\r\n");
    events.extend(s.events());
    assert_eq!(
        framing_errors(&events),
        [FrameErrorKind::LineTooLong { limit: MAX_LINE }]
    );
    assert_eq!(describe(&events).last().unwrap(), "status after");
    assert_eq!(s.client.state(), SessionState::Selected);
}

/// A literal header of 20 digits (u64 overflow, `{99999999999999999999}`):
/// `LiteralTooLarge` with the length saturated, no panic; what follows
/// the header is then skipped as that literal's data (the server broke
/// the framing: nothing tells where its message ends).
#[test]
fn overflowing_literal_length_is_refused_without_panic() {
    let mut s = selected(small(), 1);
    s.server(b"* OK before\r\n* 1 FETCH (BODY[] {99999999999999999999}\r\nabc");
    let events = s.events();
    assert_eq!(describe(&events)[0], "status before");
    let errs = framing_errors(&events);
    assert!(
        matches!(errs[..], [FrameErrorKind::LiteralTooLarge { len, limit: MAX_LITERAL, .. }] if len == u64::MAX),
        "{errs:?}"
    );
    // Documented resynchronisation: the rest is that literal's data, so
    // nothing the server sends later is read again (the command timer is
    // restarted by every byte: the session never ends by itself).
    s.server(b")\r\n* OK after\r\n");
    assert!(s.events().is_empty());
    assert_eq!(s.client.state(), SessionState::Selected);
}

// ---- literals and messages beyond the limits ------------------------------

/// A `BODY[]` literal of 64 MiB with `max_literal` 64 KiB: refused at its
/// header, its data skipped as it arrives without being buffered (RSS),
/// and the response after it delivered.
#[test]
fn literal_above_max_literal_is_skipped_without_buffering() {
    if !in_child("literal_above_max_literal_is_skipped_without_buffering") {
        return;
    }
    let mut s = selected(small(), 1);
    let len = 64usize << 20;
    s.server(format!("* OK before\r\n* 1 FETCH (BODY[] {{{len}}}\r\n").as_bytes());
    let mut events = s.events();
    let base = rss();
    let (more, peak) = feed_fill(&mut s, b'm', len, base);
    events.extend(more);
    s.server(b")\r\n* OK after\r\n");
    events.extend(s.events());
    println!(
        "measured literal above max_literal: 64 MiB skipped, peak RSS growth {} KiB",
        peak >> 10
    );
    assert_eq!(
        describe(&events),
        [
            "status before".to_owned(),
            format!("violation framing: literal of {len} bytes exceeds limit {MAX_LITERAL}"),
            "status after".to_owned(),
        ]
    );
    assert!(peak < 4 << 20, "RSS grew {peak} bytes");
}

/// A FETCH of many literals each within `max_literal` that together pass
/// `max_message`: `MessageTooLong` at the literal that would not fit, the
/// rest of the message skipped; responses before and after delivered.
#[test]
fn message_above_max_message_is_refused() {
    let mut s = selected(small(), 1);
    let lit = vec![b'b'; 60 * 1024];
    let mut msg = b"* OK before\r\n* 1 FETCH (".to_vec();
    for k in 0..20 {
        msg.extend_from_slice(format!("BODY[{}] {{{}}}\r\n", k + 1, lit.len()).as_bytes());
        msg.extend_from_slice(&lit);
        msg.push(b' ');
    }
    msg.extend_from_slice(b"UID 5)\r\n* OK after\r\n");
    let mut events = Vec::new();
    for c in msg.chunks(READ) {
        s.server(c);
        events.extend(s.events());
    }
    assert_eq!(
        describe(&events),
        [
            "status before".to_owned(),
            format!("violation framing: message exceeds limit of {MAX_MESSAGE} bytes"),
            "status after".to_owned(),
        ]
    );
    assert!(violation_raws(&events)[0] <= PeerViolation::MAX_RAW);
}

// ---- nesting and lists -----------------------------------------------------

/// A million `(`: `TooDeep` at the 65th, skipped to the line end; no
/// recursion in the decoder is reached.
#[test]
fn deep_nesting_is_refused_at_max_depth() {
    let mut config = small();
    config.framer.max_line = 4 << 20;
    config.framer.max_message = 8 << 20;
    let mut s = selected(config, 1);
    let mut msg = b"* OK before\r\n* 1 FETCH (BODYSTRUCTURE ".to_vec();
    msg.extend(std::iter::repeat_n(b'(', 1_000_000));
    msg.extend(std::iter::repeat_n(b')', 1_000_000));
    msg.extend_from_slice(b")\r\n* OK after\r\n");
    s.server(&msg);
    let events = s.events();
    assert_eq!(
        describe(&events),
        [
            "status before",
            "violation framing: parentheses nested deeper than limit 64",
            "status after"
        ]
    );
}

/// THREAD nested as deep as the framer allows (64) decodes; one deeper
/// is refused. No stack overflow either way.
#[test]
fn thread_nesting_is_bounded() {
    let mut s = selected(small(), 1);
    let ok = format!("* THREAD {}1{}\r\n", "(1 ".repeat(63), ")".repeat(63));
    let deep = format!("* THREAD {}1{}\r\n", "(1 ".repeat(65), ")".repeat(65));
    s.server(ok.as_bytes());
    s.server(deep.as_bytes());
    s.server(b"* OK after\r\n");
    let d = describe(&s.events());
    assert!(d[0].starts_with("data Thread"), "{d:?}");
    assert_eq!(
        d[1..],
        [
            "violation framing: parentheses nested deeper than limit 64",
            "status after"
        ]
    );
}

/// `* SEARCH` with a million numbers: with the default limits the line
/// limit refuses it; with `max_line` raised to 16 MiB and `max_list_items`
/// left at its default, the item limit does (a decoder never builds a
/// list longer than `max_list_items`). Raising both accepts it, and the
/// decoded list is the size of the line.
#[test]
fn search_with_a_million_numbers_meets_the_limits() {
    let mut line = b"* SEARCH".to_vec();
    for k in 1..=1_000_000u32 {
        line.extend_from_slice(format!(" {k}").as_bytes());
    }
    line.extend_from_slice(b"\r\n* OK after\r\n");
    let run = |config: ClientConfig| {
        let mut s = selected(config, 1);
        for c in line.chunks(READ) {
            s.server(c);
        }
        s.events()
    };
    let d = describe(&run(quiet_config()));
    assert_eq!(
        d,
        [
            "violation framing: line exceeds limit of 65536 bytes",
            "status after"
        ]
    );
    let mut config = quiet_config();
    config.framer.max_line = 16 << 20;
    let d = describe(&run(config.clone()));
    assert_eq!(
        d,
        [
            "violation framing: list holds more items than limit 32768",
            "status after"
        ]
    );
    config.framer.max_list_items = 8 << 20;
    let ev = run(config);
    let n = ev.iter().find_map(|e| match e {
        Event::Data {
            data: Data::Search { ids, .. },
            ..
        } => Some(ids.len()),
        _ => None,
    });
    assert_eq!(n, Some(1_000_000));
}

/// FETCH FLAGS with more flags than `max_list_items`: refused in the
/// parenthesised list; the FETCH before and the response after arrive.
#[test]
fn fetch_flags_longer_than_max_list_items_is_refused() {
    let mut s = selected(small(), 1);
    let flags: Vec<String> = (0..600).map(|k| format!("k{k}")).collect();
    let mut config = small();
    config.framer.max_line = 64 * 1024;
    let mut s2 = selected(config, 1);
    for c in [&mut s, &mut s2] {
        let msg = format!(
            "* 1 FETCH (FLAGS (\\Seen))\r\n* 1 FETCH (FLAGS ({}))\r\n* OK after\r\n",
            flags.join(" ")
        );
        c.server(msg.as_bytes());
    }
    assert_eq!(
        describe(&s.events()),
        [
            "data fetch 1",
            "violation framing: line exceeds limit of 1024 bytes",
            "status after"
        ]
    );
    assert_eq!(
        describe(&s2.events()),
        [
            "data fetch 1",
            "violation framing: list holds more items than limit 512",
            "status after"
        ]
    );
}

/// `* ESEARCH ALL` and `* VANISHED (EARLIER)` with one huge set (a single
/// item: only the line limit applies), and with a set naming every UID
/// (`1:4294967295`): decoded and applied in time independent of the
/// number of UIDs the set names; the change lists ranges, not UIDs.
#[test]
fn huge_uid_sets_are_handled_as_ranges() {
    let mut config = quiet_config();
    config.framer.max_line = 8 << 20;
    let mut s = selected(config, 10);
    let t = std::time::Instant::now();
    s.server(b"* ESEARCH (TAG \"x\") UID ALL 1:4294967295\r\n");
    s.server(b"* VANISHED (EARLIER) 1:4294967295\r\n");
    let mut set = String::from("* VANISHED (EARLIER) 1");
    for k in 1..500_000u32 {
        set.push_str(&format!(",{}", 2 * k + 1));
    }
    set.push_str("\r\n* OK after\r\n");
    s.server(set.as_bytes());
    let events = s.events();
    let took = t.elapsed();
    let vanished: Vec<usize> = events
        .iter()
        .filter_map(|e| match e {
            Event::Mailbox(MailboxChange::Vanished {
                uids,
                earlier: true,
            }) => Some(uids.len()),
            _ => None,
        })
        .collect();
    assert_eq!(vanished, [1, 500_000]);
    assert_eq!(describe(&events).last().unwrap(), "status after");
    // EARLIER does not change the mailbox.
    assert_eq!(s.client.mailbox().unwrap().exists(), 10);
    println!("measured huge sets: {took:?}");
    assert!(took < std::time::Duration::from_secs(3), "{took:?}");
}

/// A CAPABILITY list as long as the line limit allows, twice with
/// different names: the second replaces the first (the list never grows
/// beyond one announcement).
#[test]
fn capability_lists_replace_each_other() {
    let mut s = selected(quiet_config(), 1);
    let list = |p: &str| {
        let names: Vec<String> = (0..6000).map(|k| format!("{p}{k}")).collect();
        format!("* CAPABILITY IMAP4rev1 {}\r\n", names.join(" "))
    };
    s.server(list("X").as_bytes());
    s.server(list("Y").as_bytes());
    s.server(b"* CAPABILITY IMAP4rev1 IDLE\r\n");
    let d = describe(&s.events());
    assert_eq!(
        d,
        [
            "data capability 6001",
            "data capability 6001",
            "data capability 2"
        ]
    );
    assert_eq!(s.client.capabilities().list().len(), 2);
}

// ---- floods ----------------------------------------------------------------

/// An endless stream of untagged responses while the application never
/// polls events: the queue stops at `max_queued_events` (1024 by default)
/// and `wants_read` turns `false`; what arrived beyond stays in the input
/// buffer, unread, and is read, in order and all of it, as the events are
/// taken. Was a doubt of stops 28 to 30 ("no backpressure"): the queue grew
/// with the input, 87,360 events (about 0.6 events per input byte) for
/// these 64 reads.
#[test]
fn unpolled_events_stop_at_the_limit_and_wants_read_turns_false() {
    let limit = ClientConfig::default().max_queued_events;
    let mut s = selected(small(), 1);
    assert!(s.client.wants_read());
    let line = b"* 1 EXISTS\r\n";
    let read: Vec<u8> = line
        .iter()
        .copied()
        .cycle()
        .take(line.len() * 1365)
        .collect();
    // An application that reads on although `wants_read` is false: the
    // events stay at the limit (a response queues at most a few).
    for _ in 0..64 {
        s.server(&read);
        assert!(!s.client.wants_read());
        let n = queued(&s.client);
        assert!((limit..limit + 4).contains(&n), "{n} events queued");
    }
    println!(
        "measured unpolled: {} KiB of input, {} events queued (limit {limit})",
        (64 * read.len()) >> 10,
        queued(&s.client)
    );
    // Taking them reads the rest: every response, in order.
    let mut exists = 0;
    while let Some(e) = s.client.poll_event() {
        match e {
            Event::Data {
                data: Data::Exists(1),
                ..
            } => exists += 1,
            Event::Mailbox(_) => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(exists, 64 * 1365);
    assert!(s.client.wants_read());
    assert_eq!(s.client.state(), SessionState::Selected);
    // Draining after each read (the documented loop) keeps the queue at
    // the limit and `wants_read` true at every read.
    for _ in 0..64 {
        assert!(s.client.wants_read());
        s.server(&read);
        assert!(queued(&s.client) < limit + 4);
        s.events();
    }
}

/// The end of the input while responses are held unread: the session
/// closes after them, as the events are taken, not before (nothing
/// already received is lost).
#[test]
fn eof_while_input_is_held_closes_after_it() {
    let mut config = small();
    config.max_queued_events = 3;
    let mut s = selected(config, 1);
    s.server(
        b"* 1 EXISTS\r\n* 2 EXISTS\r\n* 3 EXISTS\r\n* 4 EXISTS\r\n* 5 EXISTS\r\n* BYE bye\r\n",
    );
    assert!(!s.client.wants_read());
    s.client.handle_eof(s.now);
    assert_eq!(s.client.state(), SessionState::Selected);
    let ev = s.events();
    let exists: Vec<u32> = ev
        .iter()
        .filter_map(|e| match e {
            Event::Data {
                data: Data::Exists(n),
                ..
            } => Some(*n),
            _ => None,
        })
        .collect();
    assert_eq!(exists, [1, 2, 3, 4, 5]);
    assert!(
        matches!(
            ev.last(),
            Some(Event::Closed {
                reason: CloseReason::Bye { .. }
            })
        ),
        "{ev:?}"
    );
    assert_eq!(s.client.state(), SessionState::Closed);
    assert!(!s.client.wants_read());
}

/// An endless stream of `+` while nothing waits for one: each is a
/// violation whose raw bytes are the 3-byte line; nothing is sent in
/// answer (no output queued), and the session goes on.
#[test]
fn continuation_flood_is_reported_without_output() {
    let mut s = selected(small(), 1);
    let read: Vec<u8> = b"+ \r\n".iter().copied().cycle().take(4 * 4096).collect();
    let mut violations = 0;
    for _ in 0..64 {
        s.server(&read);
        assert_eq!(out_bytes(&s.client), 0);
        let ev = s.events();
        assert!(violation_raws(&ev).iter().all(|&n| n <= 4));
        violations += ev
            .iter()
            .filter(|e| matches!(e, Event::Violation(v) if v.kind == ViolationKind::UnexpectedContinuation))
            .count();
    }
    assert_eq!(violations, 64 * 4096);
    s.server(b"* OK after\r\n");
    assert_eq!(describe(&s.events()), ["status after"]);
}

/// A streamed `BODY[]` of 48 MiB (`stream_literals_above` 64 KiB, chunks
/// of 64 KiB, `max_literal` raised to 64 MiB, `max_message` left small):
/// chunks add up to the length, each at most `stream_chunk`, the `Data`
/// event comes after `LiteralEnd` with an empty literal, and the memory
/// held stays at about one read (RSS), the application draining events
/// after each read.
#[test]
fn streamed_body_is_held_one_chunk_at_a_time() {
    if !in_child("streamed_body_is_held_one_chunk_at_a_time") {
        return;
    }
    let mut config = small();
    config.framer.max_literal = 64 << 20;
    config.framer.stream_literals_above = Some(64 * 1024);
    let mut s = selected(config, 1);
    let len = 48usize << 20;
    s.server(format!("* 1 FETCH (UID 9 BODY[] {{{len}}}\r\n").as_bytes());
    let mut events = s.events();
    let base = rss();
    let chunk = vec![b'm'; READ];
    let mut peak = 0;
    let (mut total, mut largest) = (0usize, 0usize);
    let mut left = len;
    while left > 0 {
        let n = left.min(READ);
        s.server(&chunk[..n]);
        left -= n;
        for e in s.events() {
            if let Event::LiteralChunk(b) = &e {
                total += b.len();
                largest = largest.max(b.len());
            } else {
                events.push(e);
            }
        }
        peak = peak.max(rss().saturating_sub(base));
    }
    s.server(b")\r\n");
    events.extend(s.events());
    println!(
        "measured streamed body: 48 MiB, peak RSS growth {} KiB",
        peak >> 10
    );
    assert_eq!(total, len);
    assert!(largest <= 64 * 1024);
    assert!(matches!(events[0], Event::LiteralStart { len: l, .. } if l == len as u64));
    assert!(matches!(events[1], Event::LiteralEnd), "{:?}", events[1]);
    let Event::Data {
        data: Data::Fetch { items, .. },
        ..
    } = &events[2]
    else {
        panic!("{:?}", events[2]);
    };
    let body = items.iter().find_map(|i| match i {
        MessageDataItem::BodySection { data, .. } => Some(data.as_bytes().map(<[u8]>::len)),
        _ => None,
    });
    assert_eq!(body, Some(Some(0)));
    assert!(peak < 4 << 20, "RSS grew {peak} bytes");
}

// ---- COMPRESS=DEFLATE ------------------------------------------------------

/// A deflate bomb of one line (8 MiB without CRLF in a few KiB): inflated
/// and skipped piece by piece; one violation, then the next response.
#[test]
fn deflate_bomb_of_one_line_is_skipped() {
    let mut s = compressed(small());
    let mut plain = b"* OK ".to_vec();
    plain.extend(vec![b'x'; 8 << 20]);
    plain.extend_from_slice(b"\r\n* OK after\r\n");
    let mut z = Compress::new(Compression::best(), false);
    let wire = deflate(&mut z, &plain);
    assert!(wire.len() < 16 * 1024, "{}", wire.len());
    s.server(&wire);
    assert_eq!(
        describe(&s.events()),
        [
            "violation framing: line exceeds limit of 1024 bytes",
            "status after"
        ]
    );
}

/// `lines` lines of `* OK x`, compressed as tightly as DEFLATE can (about
/// 1:700).
fn ok_bomb(lines: usize) -> Vec<u8> {
    let plain: Vec<u8> = b"* OK x\r\n"
        .iter()
        .copied()
        .cycle()
        .take(8 * lines)
        .collect();
    deflate(&mut Compress::new(Compression::best(), false), &plain)
}

/// A deflate bomb of many small responses: 4 KiB reads of a stream that
/// inflates 1:~700 to `* OK x` lines. Was a bug: the client inflated each whole read
/// at once and queues an event for every response in it, so one 4 KiB
/// read queues ~350,000 events (~45 MiB of `Event`s plus the inflated
/// bytes they share); the memory a read costs is bounded by the
/// compression ratio, not by any limit, although the application drains
/// the events after each read. The Server inflates only as it reads
/// (`wants_read`); the client should likewise stop inflating once a
/// bounded amount of events is queued and resume when they are polled.
/// Here: at most 64Ki events (8 MiB of `Event`) queued by one read, and
/// every response delivered in the end.
#[test]
fn deflate_bomb_of_small_responses_is_bounded_per_read() {
    let mut s = compressed(small());
    let lines = 2_000_000usize;
    let wire = ok_bomb(lines);
    println!(
        "measured bomb: {} bytes inflate to {} MiB",
        wire.len(),
        (8 * lines) >> 20
    );
    let mut statuses = 0usize;
    let mut peak = 0usize;
    for c in wire.chunks(4096) {
        s.server(c);
        peak = peak.max(queued(&s.client));
        // Drain as the README's loop does (a lazily inflating client may
        // refill the queue while it is polled).
        while let Some(e) = s.client.poll_event() {
            if matches!(e, Event::Status { .. }) {
                statuses += 1;
            }
        }
    }
    println!(
        "measured bomb: peak {peak} events queued by one 4 KiB read ({} MiB of Event)",
        (peak * size_of::<Event>()) >> 20
    );
    assert_eq!(statuses, lines, "every response delivered");
    assert!(peak <= 64 * 1024, "{peak} events queued by one 4 KiB read");
}

/// The same bomb with the resident set size: one 16 KiB read (one TLS
/// record) of compressed `* OK x` lines cost more than 100 MiB (was a bug) before the
/// application gets a chance to poll.
#[test]
fn deflate_bomb_read_costs_bounded_memory() {
    if !in_child("deflate_bomb_read_costs_bounded_memory") {
        return;
    }
    let mut s = compressed(small());
    let wire = ok_bomb(2 << 20);
    let base = rss();
    s.server(&wire[..16 * 1024]);
    let grown = rss().saturating_sub(base);
    let n = queued(&s.client);
    println!(
        "measured bomb: one 16 KiB read: {n} events queued, RSS +{} MiB",
        grown >> 20
    );
    assert!(grown < 16 << 20, "RSS grew {} MiB", grown >> 20);
}

/// A corrupt compressed stream in its own read, after a read of complete
/// responses: those are delivered, then `Closed` with
/// `CloseReason::Compression`; nothing panics.
#[test]
fn corrupt_compressed_read_closes_after_what_came_before() {
    let mut s = compressed(small());
    let mut z = Compress::new(Compression::fast(), false);
    s.server(&deflate(&mut z, b"* OK one\r\n* OK two\r\n"));
    s.server(&[0xff; 64]);
    let ev = s.events();
    assert_eq!(
        describe(&ev),
        [
            "status one",
            "status two",
            "closed corrupt compressed stream"
        ]
    );
}

/// The same bytes in one read: the responses inflated before the corrupt
/// part are delivered. Was a bug: they were dropped, not delivered (`Deflate::inflate` maps the error to
/// `CorruptStream` and `inflate_input` closes without framing the bytes
/// the same call inflated).
#[test]
fn corrupt_compressed_stream_keeps_what_came_before_in_the_same_read() {
    let mut s = compressed(small());
    let mut z = Compress::new(Compression::fast(), false);
    let mut wire = deflate(&mut z, b"* OK one\r\n* OK two\r\n");
    wire.extend_from_slice(&[0xff; 64]);
    s.server(&wire);
    let ev = s.events();
    assert_eq!(
        describe(&ev),
        [
            "status one",
            "status two",
            "closed corrupt compressed stream"
        ]
    );
}

// ---- the mailbox model at its extremes -------------------------------------

/// EXISTS 4294967295, a FETCH for message 4000000000 with UID 4000000000,
/// FETCHes of messages far apart with UIDs far apart, MODSEQ and
/// HIGHESTMODSEQ at u64::MAX, then EXPUNGE of the last message: no panic,
/// and the model's heap stays a few runs.
#[test]
fn mailbox_extremes_stay_small() {
    let mut s = selected(small(), 0);
    s.server(b"* 4294967295 EXISTS\r\n");
    s.server(b"* 4000000000 FETCH (UID 4000000000 MODSEQ (18446744073709551615))\r\n");
    s.server(b"* OK [HIGHESTMODSEQ 18446744073709551615] h\r\n");
    for k in 1..=1000u32 {
        let seq = k * 1_000_000;
        s.server(format!("* {seq} FETCH (UID {seq} FLAGS (\\Seen))\r\n").as_bytes());
    }
    s.server(b"* 4294967295 FETCH (UID 4294967295)\r\n");
    s.server(b"* 4294967296 FETCH (UID 1)\r\n");
    s.server(b"* 4294967295 EXPUNGE\r\n");
    let ev = s.events();
    let m = s.client.mailbox().unwrap();
    assert_eq!(m.exists(), 4294967294);
    assert_eq!(m.uid(4_000_000_000), Some(4_000_000_000));
    assert_eq!(m.highest_modseq(), Some(u64::MAX));
    println!(
        "measured model: {} runs, {} heap bytes",
        m.uids().runs(),
        m.heap_bytes()
    );
    assert!(m.heap_bytes() < 64 * 1024, "{}", m.heap_bytes());
    // `* 4294967296 FETCH` is not a number the grammar allows.
    assert!(
        describe(&ev)
            .iter()
            .any(|d| d.starts_with("violation syntax")),
        "{:?}",
        describe(&ev)
    );
}

// ---- memory kept after a large response -----------------------------------

/// A 40 MiB `BODY[]` (default limits, above glibc's largest mmap
/// threshold, so freed memory leaves the process), read in 64 KiB reads
/// with `tail` after it in the last read; the application drops every
/// event. With `later`, one more read of 64 KiB of small responses
/// follows. Returns the resident memory the idle client keeps, and what
/// dropping the client gave back.
fn kept_after_a_large_body(tail: &[u8], later: bool) -> (usize, usize) {
    let mut s = selected(quiet_config(), 1);
    s.client
        .enqueue(
            s.now,
            imapkit_proto::CommandBody::fetch(
                imapkit_proto::SequenceSet::single(1).unwrap(),
                [imapkit_proto::FetchAttribute::Rfc822],
            ),
        )
        .unwrap();
    assert_eq!(s.sent(), "A2 FETCH 1 (RFC822)\r\n");
    let base = rss();
    let len = 40usize << 20;
    s.server(format!("* 1 FETCH (RFC822 {{{len}}}\r\n").as_bytes());
    let chunk = vec![b'b'; READ];
    let mut left = len;
    while left > 0 {
        let n = left.min(READ);
        if n == left {
            let mut last = chunk[..n].to_vec();
            last.extend_from_slice(b")\r\n");
            last.extend_from_slice(tail);
            last.extend_from_slice(b"A2 OK done\r\n");
            s.server(&last);
        } else {
            s.server(&chunk[..n]);
        }
        left -= n;
        drop(s.events());
    }
    if later {
        let read: Vec<u8> = b"* OK x\r\n".iter().copied().cycle().take(READ).collect();
        s.server(&read);
        drop(s.events());
    }
    assert_eq!(queued(&s.client), 0);
    assert_eq!(s.client.pending(), 0);
    let kept = rss().saturating_sub(base);
    drop(s);
    let freed = (base + kept).saturating_sub(rss());
    (kept, freed)
}

/// Measures what the client keeps after [`kept_after_a_large_body`]
/// (`tail`: the responses after the body in its last read; `later`: one
/// more read afterwards) and asserts it is under 4 MiB.
fn assert_little_kept(tail: &[u8], later: bool, what: &str) {
    let (kept, freed) = kept_after_a_large_body(tail, later);
    println!(
        "measured kept after {what}: {} KiB ({} KiB freed by dropping the client)",
        kept >> 10,
        freed >> 10
    );
    assert!(kept < 4 << 20, "{} KiB kept", kept >> 10);
}

/// After a 40 MiB body the idle client kept the body's whole input
/// allocation (was a bug; the framer now renews a buffer that held a
/// large literal when idle): the framer's buffer, once the frame is split off, is a
/// view of the ~4 KiB spare room `reserve_literal` left after the
/// literal (`missing + max(last_push, 4096)`), so `release_idle_buffers`
/// (capacity of the view `<= IDLE_CAPACITY`) keeps it, and the view pins
/// the 40 MiB allocation. Dropping the client gives it back.
#[test]
fn an_idle_client_keeps_no_input_memory() {
    if !in_child("an_idle_client_keeps_no_input_memory") {
        return;
    }
    assert_little_kept(b"", false, "40 MiB body");
}

/// The same, but a later read outgrows that spare room: the framer then
/// reuses the allocation it owns alone and gives it back at the next idle
/// moment. (The bound holds once more input arrives.)
#[test]
fn a_later_read_gives_back_the_input_memory() {
    if !in_child("a_later_read_gives_back_the_input_memory") {
        return;
    }
    assert_little_kept(b"", true, "40 MiB body and one more read");
}

/// When the read that ends the body also holds a `* CAPABILITY` with a
/// name the codec has no variant for (`XCUSTOM`: kept as a shared atom),
/// the client kept the capabilities (was a bug; small messages are now
/// copied out of a large allocation), which shared the frame's bytes and so
/// the whole 40 MiB allocation, for the rest of the session, even after
/// later reads (within `max_message`, but never given back).
#[test]
fn an_idle_client_keeps_no_input_memory_after_capabilities() {
    if !in_child("an_idle_client_keeps_no_input_memory_after_capabilities") {
        return;
    }
    assert_little_kept(
        b"* CAPABILITY IMAP4rev1 IDLE XCUSTOM\r\n",
        true,
        "40 MiB body + CAPABILITY + one more read",
    );
}

/// The same with `* FLAGS` (kept by the mailbox model). Was a bug.
#[test]
fn an_idle_client_keeps_no_input_memory_after_flags() {
    if !in_child("an_idle_client_keeps_no_input_memory_after_flags") {
        return;
    }
    assert_little_kept(
        b"* FLAGS (\\Seen $Junk)\r\n",
        true,
        "40 MiB body + FLAGS + one more read",
    );
}

/// An EOF in the middle of a message: the complete responses before it
/// were delivered, the session closes with `Eof`, and the commands in
/// flight complete as closed.
#[test]
fn eof_inside_a_message_loses_nothing_complete() {
    let mut s = selected(small(), 1);
    s.client
        .enqueue(s.now, imapkit_proto::CommandBody::noop())
        .unwrap();
    let _ = s.sent();
    s.server(b"* OK one\r\n* 1 FETCH (BODY[] {100}\r\nabc");
    s.client.handle_eof(s.now);
    let d = describe(&s.events());
    assert_eq!(
        d,
        [
            "status one",
            "completed ConnectionClosed",
            "closed connection closed by the server without BYE"
        ]
    );
}

/// The server sends many compressed responses and closes the connection
/// at once: the client holds the compressed input (inflated as the events
/// are taken), and EOF closes the session only after every response in
/// it was delivered.
#[test]
fn eof_after_compressed_input_delivers_it_first() {
    let mut s = compressed(small());
    let lines = 200_000usize;
    let wire = ok_bomb(lines);
    s.client.handle_input(s.now, &wire);
    s.client.handle_eof(s.now);
    let mut statuses = 0usize;
    let mut last = None;
    while let Some(e) = s.client.poll_event() {
        match e {
            Event::Status { .. } => statuses += 1,
            other => last = Some(other),
        }
    }
    assert_eq!(statuses, lines);
    assert!(
        matches!(
            last,
            Some(Event::Closed {
                reason: CloseReason::Eof
            })
        ),
        "{last:?}"
    );
}
