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
    let mut config = ClientConfig::default();
    config.auto_capability = false;
    let mut client = Client::new(Arc::new(config), now, ConnectionSecurity::Tls);
    client.handle_input(
        now,
        b"* PREAUTH [CAPABILITY IMAP4rev1 LITERAL+ CONDSTORE] ready\r\n",
    );
    client
        .select(now, Mailbox::from_name("INBOX"))
        .expect("SELECT in the authenticated state");
    let mut out = Vec::new();
    let _ = client.poll_transmit(now, &mut out);
    let select = format!(
        "* {exists} EXISTS\r\n* OK [UIDVALIDITY 1] x\r\n* OK [HIGHESTMODSEQ 1] x\r\nA1 OK [READ-WRITE] done\r\n"
    );
    client.handle_input(now, select.as_bytes());
    let fetch = fetch_command();
    client.enqueue(now, fetch).expect("UID FETCH when selected");
    out.clear();
    let _ = client.poll_transmit(now, &mut out);
    while client.poll_event().is_some() {}
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
