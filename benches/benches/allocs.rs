//! Heap allocations per decoded (or encoded) message, for each crate and group.
//!
//! A separate bench binary with a counting `#[global_allocator]`, so that the
//! timing benches (`imap`) run on the plain system allocator. Every call of
//! `alloc`, `alloc_zeroed` and `realloc` counts as one allocation (a `Vec`
//! that grows twice costs three). Run with
//! `cargo bench -p imap-benches --bench allocs`; the table is printed and
//! written to `target/criterion/allocs.tsv`, from which the `imap` bench's
//! summary takes its allocation column.

// A global allocator is an `unsafe impl`; this file is the only place in the
// benches that needs `unsafe` (see the lints in Cargo.toml).
#![allow(unsafe_code)]
#![warn(clippy::undocumented_unsafe_blocks)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering::Relaxed};

use imap_benches::inputs::{self, Input};
use imap_benches::sides::{self, Side};

struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);
/// Bytes allocated and not yet freed (for the heap of live sessions).
static LIVE: AtomicI64 = AtomicI64::new(0);

/// While set, every allocation is also counted by size in `BY_SIZE`
/// (`alloc`) or `BY_SIZE_RE` (`realloc`, by the new size).
static BY_SIZE_ON: AtomicBool = AtomicBool::new(false);
const SIZE_SLOTS: usize = 8193;
static BY_SIZE: [AtomicU64; SIZE_SLOTS] = [const { AtomicU64::new(0) }; SIZE_SLOTS];
static BY_SIZE_RE: [AtomicU64; SIZE_SLOTS] = [const { AtomicU64::new(0) }; SIZE_SLOTS];

fn by_size(table: &[AtomicU64; SIZE_SLOTS], size: usize) {
    if BY_SIZE_ON.load(Relaxed) {
        table[size.min(SIZE_SLOTS - 1)].fetch_add(1, Relaxed);
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged; the counters are plain atomics and do not touch the memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(layout.size() as u64, Relaxed);
        LIVE.fetch_add(layout.size() as i64, Relaxed);
        by_size(&BY_SIZE, layout.size());
        // SAFETY: forwarded unchanged; the caller upholds `alloc`'s contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(layout.size() as u64, Relaxed);
        LIVE.fetch_add(layout.size() as i64, Relaxed);
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as i64, Relaxed);
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(new_size as u64, Relaxed);
        LIVE.fetch_add(new_size as i64 - layout.size() as i64, Relaxed);
        by_size(&BY_SIZE_RE, new_size);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations (and bytes) made by one call of `f`.
fn count<T>(f: impl FnOnce() -> T) -> (u64, u64, T) {
    let (a0, b0) = (ALLOCS.load(Relaxed), BYTES.load(Relaxed));
    let out = f();
    (ALLOCS.load(Relaxed) - a0, BYTES.load(Relaxed) - b0, out)
}

struct Row {
    group: String,
    input: &'static str,
    side: Side,
    messages: usize,
    allocs: u64,
    bytes: u64,
}

fn decode_rows(rows: &mut Vec<Row>, group: &str, input: &Input, sides_: &[Side]) {
    for &side in sides_ {
        let f = match side {
            Side::Ours => sides::ours_responses,
            Side::ImapCodec => sides::imap_codec_responses,
            Side::ImapProto => sides::imap_proto_responses,
            Side::OursWalk => sides::ours_responses_walk,
            Side::OursVectored | Side::OursBuilt => unreachable!("an encoding side"),
            Side::Memcpy => unreachable!("memcpy is not a decoder"),
        };
        // Once to warm up anything lazy, then counted.
        assert_eq!(
            f(&input.stream),
            Ok(input.count()),
            "{group} {}",
            side.name()
        );
        let (allocs, bytes, n) = count(|| f(&input.stream));
        assert_eq!(n, Ok(input.count()));
        rows.push(Row {
            group: group.to_string(),
            input: input.name,
            side,
            messages: input.count(),
            allocs,
            bytes,
        });
    }
}

/// A message's shape: its words with numbers and flag lists blanked.
/// Allocations of one command of each kind (its first two words after
/// the tag), decoded alone and decoded then made owned (`into_shared`).
fn commands_by_kind(input: &Input) {
    println!(
        "allocations per command by kind (ours, commands/client_mix full): decode, + into_shared"
    );
    let mut seen = std::collections::BTreeMap::new();
    for m in &input.messages {
        let kind: String = String::from_utf8_lossy(m)
            .split(' ')
            .skip(1)
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        if seen.contains_key(&kind) {
            continue;
        }
        let frame = bytes::Bytes::copy_from_slice(m);
        // A frame from the framer is already shared; a `Bytes` made from a
        // `Vec` allocates its shared header on its first clone or slice,
        // which must not be counted against the command.
        let _shared = frame.clone();
        let (decoded, _, _) =
            count(|| std::hint::black_box(imapkit_codec::decode::command(&frame).map(|_| ())));
        let (shared, _, _) = count(|| {
            let Ok(imapkit_codec::Decoded::Complete { message, .. }) =
                imapkit_codec::decode::command(&frame)
            else {
                panic!("decodes")
            };
            std::hint::black_box(imapkit_proto::IntoStatic::into_shared(message, &frame));
        });
        seen.insert(kind, (decoded, shared));
    }
    for (kind, (decoded, shared)) in seen {
        println!("  {decoded:>2} {shared:>3}  {kind}");
    }
}

fn shape(m: &[u8]) -> String {
    let s = String::from_utf8_lossy(m);
    let mut out = String::new();
    let mut in_flags = false;
    for w in s.split(' ') {
        let w = w.trim_end_matches("\r\n");
        if in_flags {
            in_flags = !w.contains(')');
            continue;
        }
        if w.starts_with("(\\") || w.starts_with("($") || w == "()" || w == "())" {
            in_flags = !w.contains(')');
            out.push_str("(..) ");
        } else if w.chars().any(|c| c.is_ascii_digit()) {
            out.push_str("n ");
        } else {
            out.push_str(w);
            out.push(' ');
        }
    }
    out
}

fn main() {
    // `cargo bench` passes `--bench`; ignore arguments.
    let mut rows = Vec::new();
    let (sync, sync_nm) = (inputs::sync_full(), inputs::sync_no_modseq());
    let both = [Side::Ours, Side::ImapProto];
    let all = [Side::Ours, Side::ImapCodec, Side::ImapProto];
    decode_rows(&mut rows, "responses/sync_metadata", &sync, &both);
    let with_walk = [Side::Ours, Side::OursWalk, Side::ImapCodec, Side::ImapProto];
    decode_rows(&mut rows, "responses/sync_metadata", &sync_nm, &with_walk);
    decode_rows(&mut rows, "responses/bodies", &inputs::bodies_full(), &all);
    decode_rows(
        &mut rows,
        "responses/mixed_small",
        &inputs::mixed_full(),
        &both,
    );
    decode_rows(
        &mut rows,
        "responses/mixed_small",
        &inputs::mixed_no_modseq(),
        &all,
    );

    let client = inputs::client_no_condstore();
    for (side, f) in [
        (Side::Ours, sides::ours_commands as fn(&[u8]) -> _),
        (Side::ImapCodec, sides::imap_codec_commands),
    ] {
        let (allocs, bytes, n) = count(|| f(&client.stream));
        assert_eq!(n, Ok(client.count()));
        rows.push(Row {
            group: "commands/client_mix".into(),
            input: client.name,
            side,
            messages: client.count(),
            allocs,
            bytes,
        });
    }

    // `server/commands`: the client mix through a session, answered and
    // taken (the session and its setup are made outside the count).
    {
        let input = inputs::client_full();
        let config = imap_benches::server::config();
        let now = std::time::Instant::now();
        let mut out = Vec::with_capacity(64 * 1024);
        // Once to warm up anything lazy, then counted.
        let mut s = imap_benches::server::selected_session(&config, now);
        imap_benches::server::serve(&mut s, now, &input.stream, 16 * 1024, &mut out);
        // The decoder alone on the same input, and with `into_shared`, for comparison.
        let (allocs, bytes, n) = count(|| sides::ours_commands(&input.stream));
        assert_eq!(n, Ok(input.count()));
        rows.push(Row {
            group: "commands/client_mix".into(),
            input: input.name,
            side: Side::Ours,
            messages: input.count(),
            allocs,
            bytes,
        });
        let frame = bytes::Bytes::from(input.stream.clone());
        let (allocs, _, _) = count(|| {
            let mut pos = 0;
            while pos < frame.len() {
                let Ok(imapkit_codec::Decoded::Complete { message, consumed }) =
                    imapkit_codec::decode::command(&frame[pos..])
                else {
                    panic!("decodes")
                };
                std::hint::black_box(imapkit_proto::IntoStatic::into_shared(message, &frame));
                pos += consumed;
            }
        });
        println!(
            "commands/client_mix full: decode + into_shared {:.2} allocations per command",
            allocs as f64 / input.count() as f64
        );
        commands_by_kind(&input);
        let mut s = imap_benches::server::selected_session(&config, now);
        let (allocs, bytes, n) =
            count(|| imap_benches::server::serve(&mut s, now, &input.stream, 16 * 1024, &mut out));
        assert_eq!(n, input.count());
        rows.push(Row {
            group: "server/commands".into(),
            input: input.name,
            side: Side::Ours,
            messages: input.count(),
            allocs,
            bytes,
        });
        // The session's own share: a stream of NOOPs (no lists to decode).
        let noops: Vec<u8> = (0..5000)
            .flat_map(|k| format!("n{k} NOOP\r\n").into_bytes())
            .collect();
        let mut s = imap_benches::server::selected_session(&config, now);
        let (allocs, _, n) =
            count(|| imap_benches::server::serve(&mut s, now, &noops, 16 * 1024, &mut out));
        println!(
            "server/commands NOOP only: {:.3} allocations per command ({n} commands)",
            allocs as f64 / n as f64
        );
        idle_sessions(&config, &input);
    }

    // `client/full_sync`: the sync stream through a Client, events drained.
    {
        let input = inputs::sync_full();
        let now = std::time::Instant::now();
        let exists = input.count() as u32;
        let mut c = imap_benches::client::syncing_client(exists, now);
        imap_benches::client::full_sync(&mut c, now, &input.stream, 16 * 1024);
        let mut c = imap_benches::client::syncing_client(exists, now);
        let (allocs, bytes, n) =
            count(|| imap_benches::client::full_sync(&mut c, now, &input.stream, 16 * 1024));
        assert_eq!(n, input.count());
        rows.push(Row {
            group: "client/full_sync".into(),
            input: input.name,
            side: Side::Ours,
            messages: input.count(),
            allocs,
            bytes,
        });
        println!(
            "client/full_sync full: {:.2} allocations per message (framer + decoder alone: see responses/sync_metadata)",
            allocs as f64 / n as f64
        );
        client_heap();
    }

    // Encoding (into a buffer reserved beforehand, so only the encoder's own
    // allocations count).
    for (group, input) in [
        ("encode/sync_metadata", &sync_nm),
        ("encode/bodies", &inputs::bodies_full()),
        ("encode/mixed_small", &inputs::mixed_no_modseq()),
    ] {
        let mut out = Vec::with_capacity(input.len() * 2);
        let ours = sides::ours_decode_all(&input.stream);
        let (allocs, bytes, _) = count(|| sides::ours_encode(&ours, &mut out));
        rows.push(Row {
            group: group.into(),
            input: input.name,
            side: Side::Ours,
            messages: input.count(),
            allocs,
            bytes,
        });
        if group == "encode/bodies" {
            // The messages held in a `Bytes` frame, encoded into a reused
            // `Vectored` (once to size its buffers, then counted): splicing a
            // payload is a reference count increment, not an allocation.
            let frame = bytes::Bytes::from(input.stream.clone());
            let shared = sides::ours_decode_all_shared(&frame);
            let mut out = imapkit_codec::Vectored::new();
            sides::ours_encode_vectored(&shared, &mut out);
            let (allocs, bytes, n) = count(|| sides::ours_encode_vectored(&shared, &mut out));
            assert_eq!(n, input.len());
            rows.push(Row {
                group: group.into(),
                input: input.name,
                side: Side::OursVectored,
                messages: input.count(),
                allocs,
                bytes,
            });
        }
        let theirs = sides::imap_codec_decode_all(&input.stream);
        let (allocs, bytes, _) = count(|| sides::imap_codec_encode(&theirs, &mut out));
        rows.push(Row {
            group: group.into(),
            input: input.name,
            side: Side::ImapCodec,
            messages: input.count(),
            allocs,
            bytes,
        });
    }

    // Per message shape (ours): responses without lists must not allocate.
    println!("allocations per message by shape (ours, responses/mixed_small):");
    let mut seen = std::collections::BTreeMap::new();
    for m in &inputs::mixed_full().messages {
        let (allocs, _, n) = count(|| sides::ours_responses(m));
        assert_eq!(n, Ok(1));
        seen.entry(shape(m)).or_insert((allocs, m.clone()));
    }
    for (allocs, m) in seen.values() {
        println!(
            "  {allocs:>2}  {}",
            String::from_utf8_lossy(&m[..m.len() - 2])
        );
    }

    sync_by_size(&sync);

    let mut tsv = String::from("group\tinput\tside\tmessages\tallocs\tbytes\n");
    println!(
        "\n{:<26} {:<10} {:<16} {:>8} {:>12} {:>12}",
        "group", "input", "side", "messages", "allocs/msg", "bytes/msg"
    );
    for r in &rows {
        let per = r.allocs as f64 / r.messages as f64;
        let bper = r.bytes as f64 / r.messages as f64;
        println!(
            "{:<26} {:<10} {:<16} {:>8} {:>12.2} {:>12.0}",
            r.group,
            r.input,
            r.side.name(),
            r.messages,
            per,
            bper
        );
        tsv.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\n",
            r.group,
            r.input,
            r.side.name(),
            r.messages,
            r.allocs,
            r.bytes
        ));
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/criterion");
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join("allocs.tsv"), tsv);
    }
}

/// The heap of a Client that selected a 100,000-message mailbox and learned
/// every UID: contiguous UIDs (one run), and every other UID (as after
/// expunging every other message: one run per message). The Client value
/// itself is counted apart.
fn client_heap() {
    const EXISTS: u32 = 100_000;
    let now = std::time::Instant::now();
    for (what, step) in [("contiguous UIDs", 1), ("every other UID", 2)] {
        let before = LIVE.load(Relaxed);
        let client = imap_benches::client::client_with_mailbox(EXISTS, step, now);
        let heap = LIVE.load(Relaxed) - before;
        let runs = client.mailbox().map_or(0, |m| m.uids().runs());
        println!(
            "client heap, {EXISTS} messages selected, {what}: {heap} bytes ({runs} UID runs, {:.1} bytes per run; \
             the Client value is {} bytes)",
            heap as f64 / runs.max(1) as f64,
            size_of::<imapkit_state::client::Client>()
        );
        drop(client);
    }
}

/// The heap of idle authenticated sessions: 10,000 of them, each logged
/// in, with INBOX selected and 200 commands of the mix served, its output
/// taken. Printed per session, without and with the `Server` value itself
/// (which lives wherever the application keeps it).
fn idle_sessions(config: &std::sync::Arc<imapkit_state::server::ServerConfig>, input: &Input) {
    const SESSIONS: usize = 10_000;
    let now = std::time::Instant::now();
    let used: Vec<u8> = input.messages[..200].concat();
    let mut sessions = Vec::with_capacity(SESSIONS);
    let before = LIVE.load(Relaxed);
    for _ in 0..SESSIONS {
        sessions.push(imap_benches::server::idle_session(config, now, &used));
    }
    let heap = LIVE.load(Relaxed) - before;
    let value = size_of::<imapkit_state::server::Server>();
    println!(
        "idle authenticated sessions: {SESSIONS}, heap {:.0} bytes each besides the \
         Server value ({value} bytes), {:.0} bytes each in all",
        heap as f64 / SESSIONS as f64,
        (heap as f64 + (value * SESSIONS) as f64) / SESSIONS as f64
    );
    assert!(sessions
        .iter()
        .all(|s| s.in_flight() == 0 && s.output_len() == 0));
    drop(sessions);
}

/// Where the allocations of `responses/sync_metadata` (ours) come from: every
/// allocation of one pass counted by size, each size named by the element
/// types whose multiple it is (a `Vec<T>` of capacity k allocates
/// `k * size_of::<T>()`; growth from 4 to 8 to 16 shows as `realloc`s).
fn sync_by_size(sync: &Input) {
    use std::mem::size_of;
    let types: [(&str, usize); 8] = [
        (
            "MessageDataItem",
            size_of::<imapkit_proto::MessageDataItem<'_>>(),
        ),
        ("Address", size_of::<imapkit_proto::Address<'_>>()),
        (
            "BodyStructure",
            size_of::<imapkit_proto::BodyStructure<'_>>(),
        ),
        ("Envelope", size_of::<imapkit_proto::Envelope<'_>>()),
        ("BodyParam", size_of::<imapkit_proto::BodyParam<'_>>()),
        ("FlagFetch", size_of::<imapkit_proto::FlagFetch<'_>>()),
        ("IString", size_of::<imapkit_proto::IString<'_>>()),
        (
            "BodyExtension",
            size_of::<imapkit_proto::BodyExtension<'_>>(),
        ),
    ];
    for t in &BY_SIZE {
        t.store(0, Relaxed);
    }
    for t in &BY_SIZE_RE {
        t.store(0, Relaxed);
    }
    BY_SIZE_ON.store(true, Relaxed);
    let n = sides::ours_responses(&sync.stream);
    BY_SIZE_ON.store(false, Relaxed);
    assert_eq!(n, Ok(sync.count()));
    let per = |c: u64| c as f64 / sync.count() as f64;
    println!("\nallocations per message by size (ours, responses/sync_metadata full):");
    println!("  {:>6} {:>8} {:>8}  could be", "bytes", "alloc", "realloc");
    for size in 0..SIZE_SLOTS {
        let (a, r) = (BY_SIZE[size].load(Relaxed), BY_SIZE_RE[size].load(Relaxed));
        if a + r == 0 {
            continue;
        }
        let names: Vec<String> = types
            .iter()
            .filter(|(_, t)| size % t == 0)
            .map(|(name, t)| format!("{} x {name}", size / t))
            .collect();
        println!(
            "  {size:>6} {:>8.2} {:>8.2}  {}",
            per(a),
            per(r),
            names.join(", ")
        );
    }
}
