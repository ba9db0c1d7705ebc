//! The `client/full_sync` and `client/bodies` driver: a response stream
//! through an `imapkit-state` `Client` in socket-sized reads, every event
//! drained, as an application runs it; and the Client's heap after
//! selecting a large mailbox.
//!
//! Shared by the timing bench (`benches/imap.rs`) and the allocation
//! counter (`benches/allocs.rs`).

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use imapkit_proto::{Mailbox, MessageDataItem};
use imapkit_state::client::{Client, ClientConfig, Event};
use imapkit_state::ConnectionSecurity;

/// A client over TLS, greeted with PREAUTH, with INBOX selected
/// (`exists` messages) and `UID FETCH 1:* (...)` in flight, output and
/// events drained: ready for the FETCH responses of a full sync.
pub fn syncing_client(exists: u32, now: Instant) -> Client {
    let mut client = fetching_client(b"IMAP4rev1 LITERAL+ CONDSTORE", exists, now);
    while client.poll_event().is_some() {}
    client
}

/// A client over TLS, greeted with PREAUTH announcing `caps`, with INBOX
/// selected (`exists` messages) and `A2 UID FETCH 1:* (...)` sent; its
/// events not drained.
fn fetching_client(caps: &[u8], exists: u32, now: Instant) -> Client {
    let mut config = ClientConfig::default();
    config.auto_capability = false;
    let mut client = Client::new(Arc::new(config), now, ConnectionSecurity::Tls);
    let greeting = [&b"* PREAUTH [CAPABILITY "[..], caps, b"] ready\r\n"].concat();
    client.handle_input(now, &greeting);
    client
        .select(now, Mailbox::from_name("INBOX"))
        .expect("SELECT in the authenticated state");
    let mut out = Vec::new();
    let _ = client.poll_transmit(now, &mut out);
    let select = format!(
        "* {exists} EXISTS\r\n* OK [UIDVALIDITY 1] x\r\n* OK [HIGHESTMODSEQ 1] x\r\nA1 OK [READ-WRITE] done\r\n"
    );
    client.handle_input(now, select.as_bytes());
    client
        .enqueue(now, fetch_command())
        .expect("UID FETCH when selected");
    out.clear();
    let _ = client.poll_transmit(now, &mut out);
    client
}

fn fetch_command() -> imapkit_proto::CommandBody<'static> {
    use imapkit_proto::IntoStatic;
    let line =
        b"x UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE MODSEQ)\r\n";
    match imapkit_codec::decode::command(line) {
        Ok(imapkit_codec::Decoded::Complete { message, .. }) => message.body.into_static(),
        other => unreachable!("a fixed command decodes: {other:?}"),
    }
}

/// Feeds `stream` (FETCH responses numbered from 1) to a [`syncing_client`]
/// in `chunk`-byte reads made into the client's buffer ([`Reads::Into`]),
/// draining events after each read as an application does, then the
/// tagged OK; returns the number of FETCH responses the application saw.
/// Panics if the client reports a problem.
pub fn full_sync(client: &mut Client, now: Instant, stream: &[u8], chunk: usize) -> usize {
    feed(client, now, stream, chunk, Reads::Into)
}

/// How an application hands a socket read to the `Client`; in both the
/// copy out of the input stream stands for the socket's read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reads {
    /// Into the application's own buffer, then `handle_input`, which copies
    /// it into the client's: two copies of every byte.
    Copied,
    /// Into the client's buffer (`read_buf`), then `handle_read`: one copy.
    Into,
}

/// [`full_sync`], the reads made as `reads` says.
pub fn feed(client: &mut Client, now: Instant, stream: &[u8], chunk: usize, reads: Reads) -> usize {
    let mut fetches = 0;
    let mut drain = |client: &mut Client| {
        while let Some(event) = client.poll_event() {
            match event {
                Event::Data { data, .. } => {
                    if let imapkit_proto::Data::Fetch { items, .. } = &data {
                        // What a sync reads first of every message.
                        for item in items.iter() {
                            if let MessageDataItem::Uid(uid) = item {
                                black_box(uid);
                            }
                        }
                        fetches += 1;
                    }
                    black_box(data);
                }
                Event::Violation(v) => panic!("violation in the bench stream: {v}"),
                other => {
                    black_box(other);
                }
            }
        }
    };
    // The application's own read buffer, allocated once, where it reads.
    let mut app_buf = match reads {
        Reads::Copied => vec![0u8; chunk],
        Reads::Into => Vec::new(),
    };
    for piece in stream.chunks(chunk) {
        match reads {
            Reads::Copied => {
                app_buf[..piece.len()].copy_from_slice(piece);
                client.handle_input(now, &app_buf[..piece.len()]);
            }
            Reads::Into => {
                let mut room = client.read_buf(chunk);
                room.extend_from_slice(piece);
                client.handle_read(now, room);
            }
        }
        drain(client);
    }
    client.handle_input(now, b"A2 OK done\r\n");
    drain(client);
    fetches
}

/// A client that selected a mailbox of `exists` messages and learned every
/// UID (`UID FETCH 1:* (UID)`), UIDs `1..=exists` but those `expunged`
/// leaves out (`step` 2: every other UID gone, so one run per message
/// left). Returns the client, idle, its buffers drained.
pub fn client_with_mailbox(exists: u32, step: u32, now: Instant) -> Client {
    let mut client = syncing_client(exists, now);
    let mut stream = Vec::with_capacity(exists as usize * 24);
    for seq in 1..=exists {
        let uid = 1 + (seq - 1) * step;
        stream.extend_from_slice(format!("* {seq} FETCH (UID {uid})\r\n").as_bytes());
    }
    full_sync(&mut client, now, &stream, 16 * 1024);
    client
}

/// The updates a selected client reads while it idles (RFC 2177 IDLE, the
/// way a client keeps a mailbox in sync between its own commands): flag
/// changes (`* n FETCH (UID u FLAGS (...))`), new mail (`* n EXISTS`,
/// `* 1 RECENT`), expunges (`* n EXPUNGE`) and `* OK [HIGHESTMODSEQ n]`:
/// the untagged shapes of `stream/mixed_small`, but consistent with one
/// mailbox, so that a `Client` takes every line without a violation.
/// Returns the stream and the number of messages in it; the mailbox starts
/// with `exists` messages, UIDs `1..=exists` (as [`idling_client`] builds
/// it).
pub fn updates_stream(seed: u64, exists: u32, lines: u32) -> (Vec<u8>, usize) {
    const FLAGS: &[&str] = &[
        "\\Seen",
        "\\Seen $Junk",
        "\\Answered \\Seen",
        "",
        "\\Flagged",
    ];
    let mut rng = crate::Rng::new(seed);
    let mut uids: Vec<u32> = (1..=exists).collect();
    let mut next_uid = exists + 1;
    let mut modseq = 1_000u64;
    let mut out = Vec::new();
    let mut messages = 0;
    for _ in 0..lines {
        let line = match rng.range(0, 4) {
            0 | 1 => {
                let seq = rng.range(1, uids.len() as u64) as usize;
                let flags = rng.pick(FLAGS);
                let uid = uids[seq - 1];
                format!("* {seq} FETCH (UID {uid} FLAGS ({flags}))\r\n")
            }
            2 => {
                uids.push(next_uid);
                next_uid += 1;
                format!("* {} EXISTS\r\n* 1 RECENT\r\n", uids.len())
            }
            3 if uids.len() > 1 => {
                let seq = rng.range(1, uids.len() as u64) as usize;
                uids.remove(seq - 1);
                format!("* {seq} EXPUNGE\r\n")
            }
            _ => {
                modseq += 1;
                format!("* OK [HIGHESTMODSEQ {modseq}] Highest\r\n")
            }
        };
        messages += line.matches("\r\n").count();
        out.extend_from_slice(line.as_bytes());
    }
    (out, messages)
}

/// A client over TLS (PREAUTH, IDLE and CONDSTORE announced) that selected
/// a mailbox of `exists` messages, learned their UIDs `1..=exists` and is
/// idling (`A3 IDLE` answered with `+ idling`), its buffers drained: ready
/// for [`updates_stream`].
pub fn idling_client(exists: u32, now: Instant) -> Client {
    let mut client = fetching_client(b"IMAP4rev1 LITERAL+ IDLE CONDSTORE", exists, now);
    let mut out = Vec::new();
    let mut uids = Vec::with_capacity(exists as usize * 24);
    for seq in 1..=exists {
        uids.extend_from_slice(format!("* {seq} FETCH (UID {seq})\r\n").as_bytes());
    }
    uids.extend_from_slice(b"A2 OK done\r\n");
    // Each input's events are taken before the next call, as the calling
    // contract says: the client reads no further than
    // `max_queued_events` before they are.
    let drain = |client: &mut Client| {
        while let Some(event) = client.poll_event() {
            if let Event::Violation(v) = event {
                panic!("violation while setting up: {v}");
            }
        }
    };
    client.handle_input(now, &uids);
    drain(&mut client);
    client.idle(now).expect("IDLE when selected");
    let _ = client.poll_transmit(now, &mut out);
    client.handle_input(now, b"+ idling\r\n");
    drain(&mut client);
    client
}

/// Feeds `stream` to `client` in `chunk`-byte reads made into its buffer,
/// draining events after each read as an application does; returns the
/// number of events. Panics if the client reports a violation.
pub fn updates(client: &mut Client, now: Instant, stream: &[u8], chunk: usize) -> usize {
    let mut events = 0;
    for piece in stream.chunks(chunk) {
        let mut room = client.read_buf(chunk);
        room.extend_from_slice(piece);
        client.handle_read(now, room);
        while let Some(event) = client.poll_event() {
            if let Event::Violation(v) = &event {
                panic!("violation in the update stream: {v}");
            }
            events += 1;
            black_box(event);
        }
    }
    events
}
