//! Criterion benchmarks: our codec side by side with imap-codec 1.0 and
//! imap-proto 0.17 on the same inputs.
//!
//! `cargo bench -p imap-benches` runs these and the allocation counter
//! (`benches/allocs.rs`); at the end this binary prints the summary table of
//! RESULTS.md (throughput, messages per second, ratios, allocations per
//! message). `IMAP_BENCH_QUICK=1` shortens every measurement (the whole run
//! then takes about a minute and a half on a 2-core machine).
//!
//! Every group measures whole streams: our side loops over
//! `decode::response(&buf[pos..])` advancing by `consumed`; imap-codec 1.0
//! uses `ResponseCodec`/`CommandCodec` with `Decoder::decode`, imap-proto 0.17
//! `Response::parse`, both of which return the rest of the input. Before a
//! group is measured, every side is checked to decode every message of its
//! input (a parser that fails early would look fast).

use std::path::PathBuf;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, Throughput};
use imap_benches::inputs::{self, Input};
use imap_benches::reads::SliceReads;
use imap_benches::sides::{self, Side, StreamError};
use imap_benches::stream::{self as streams, StreamSide};

type Decoder = fn(&[u8]) -> Result<usize, StreamError>;

fn decoder(side: Side) -> Decoder {
    match side {
        Side::Ours => sides::ours_responses,
        Side::ImapCodec => sides::imap_codec_responses,
        Side::ImapProto => sides::imap_proto_responses,
        Side::OursWalk => sides::ours_responses_walk,
        Side::OursVectored | Side::OursBuilt => unreachable!("an encoding side"),
        Side::Memcpy => unreachable!("memcpy is not a decoder"),
    }
}

/// Measures `side` decoding `input` as one stream, after checking that it
/// decodes every message.
fn decode_bench(g: &mut BenchmarkGroup<'_, WallTime>, side: Side, input: &Input, f: Decoder) {
    assert_eq!(
        f(&input.stream),
        Ok(input.count()),
        "{} does not decode every message of {}",
        side.name(),
        input.name
    );
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.bench_with_input(
        BenchmarkId::new(side.name(), input.name),
        &input.stream,
        |b, s| b.iter(|| f(s)),
    );
}

/// `stream/*`: each crate's own streaming path (see `imap_benches::stream`)
/// over the same bytes arriving in 4 KiB reads, 16 KiB reads and whole,
/// after checking that each side decodes every message at every read size.
fn stream(c: &mut Criterion) {
    for (group, input, sides) in streams::GROUPS {
        let input = input();
        let mut g = c.benchmark_group(*group);
        g.throughput(Throughput::Bytes(input.len() as u64));
        for read in streams::reads(&input) {
            for &side in *sides {
                let f = side.function(group);
                assert_eq!(
                    f(&mut SliceReads::new(&input.stream), read),
                    Ok(input.count()),
                    "{} does not decode every message of {group} in reads of {read}",
                    side.name(),
                );
                g.bench_with_input(
                    BenchmarkId::new(side.name(), streams::read_name(&input, read)),
                    &read,
                    |b, &read| b.iter(|| f(&mut SliceReads::new(&input.stream), read)),
                );
            }
        }
        g.finish();
    }
}

fn responses(c: &mut Criterion) {
    let both = [Side::Ours, Side::ImapProto];
    let all = [Side::Ours, Side::ImapCodec, Side::ImapProto];

    let mut g = c.benchmark_group("responses/sync_metadata");
    let full = inputs::sync_full();
    for side in both {
        decode_bench(&mut g, side, &full, decoder(side));
    }
    let no_modseq = inputs::sync_no_modseq();
    for side in all {
        decode_bench(&mut g, side, &no_modseq, decoder(side));
    }
    // Ours again, reading every address and parameter after decoding (our
    // lists are read on iteration; the other crates built them already).
    decode_bench(&mut g, Side::OursWalk, &no_modseq, decoder(Side::OursWalk));
    g.finish();

    let mut g = c.benchmark_group("responses/bodies");
    let bodies = inputs::bodies_full();
    for side in all {
        decode_bench(&mut g, side, &bodies, decoder(side));
    }
    let mut dst = vec![0u8; bodies.len()];
    g.throughput(Throughput::Bytes(bodies.len() as u64));
    g.bench_function(BenchmarkId::new(Side::Memcpy.name(), bodies.name), |b| {
        b.iter(|| sides::memcpy(&bodies.stream, &mut dst))
    });
    g.finish();

    let mut g = c.benchmark_group("responses/mixed_small");
    let full = inputs::mixed_full();
    for side in both {
        decode_bench(&mut g, side, &full, decoder(side));
    }
    let no_modseq = inputs::mixed_no_modseq();
    for side in all {
        decode_bench(&mut g, side, &no_modseq, decoder(side));
    }
    g.finish();
}

fn commands(c: &mut Criterion) {
    // imap-proto 0.17 has no command parser.
    let mut g = c.benchmark_group("commands/client_mix");
    let full = inputs::client_full();
    decode_bench(&mut g, Side::Ours, &full, sides::ours_commands);
    let input = inputs::client_no_condstore();
    decode_bench(&mut g, Side::Ours, &input, sides::ours_commands);
    decode_bench(&mut g, Side::ImapCodec, &input, sides::imap_codec_commands);
    g.finish();
}

/// `server/commands`: the client mix through a `Server` session (decode,
/// validate, hand out, answer with data and a tagged OK, encode, take the
/// output), in 16 KiB reads.
fn server(c: &mut Criterion) {
    let mut g = c.benchmark_group("server/commands");
    let input = inputs::client_full();
    let config = imap_benches::server::config();
    let now = std::time::Instant::now();
    let mut out = Vec::new();
    {
        let mut s = imap_benches::server::selected_session(&config, now);
        let done = imap_benches::server::serve(&mut s, now, &input.stream, 16 * 1024, &mut out);
        assert_eq!(done, input.count(), "every command is answered");
    }
    g.throughput(Throughput::Elements(input.count() as u64));
    g.bench_with_input(
        BenchmarkId::new(Side::Ours.name(), input.name),
        &input.stream,
        |b, s| {
            b.iter_batched_ref(
                || imap_benches::server::selected_session(&config, now),
                |server| imap_benches::server::serve(server, now, s, 16 * 1024, &mut out),
                criterion::BatchSize::LargeInput,
            )
        },
    );
    g.finish();
}

/// `client/bodies`: `BODY[]` literals through a `Client` in 64 KiB reads,
/// every event drained, the reads handed over two ways: copied in from the
/// application's buffer (`handle_input`) or made into the client's own
/// (`read_buf`, `handle_read`).
fn client_bodies(c: &mut Criterion) {
    use imap_benches::client::{feed, syncing_client, Reads};
    let mut g = c.benchmark_group("client/bodies");
    let input = inputs::bodies_full();
    let now = std::time::Instant::now();
    let exists = input.count() as u32;
    const READ: usize = 64 * 1024;
    for reads in [Reads::Copied, Reads::Into] {
        let mut cl = syncing_client(exists, now);
        let n = feed(&mut cl, now, &input.stream, READ, reads);
        assert_eq!(n, input.count(), "the client hands out every FETCH");
    }
    g.throughput(Throughput::Bytes(input.len() as u64));
    for (name, reads) in [("handle_input", Reads::Copied), ("read_buf", Reads::Into)] {
        g.bench_with_input(BenchmarkId::new(name, input.name), &input.stream, |b, s| {
            b.iter_batched_ref(
                || syncing_client(exists, now),
                |cl| feed(cl, now, s, READ, reads),
                criterion::BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

/// `client/full_sync`: the sync stream through a `Client` (framer, decoder,
/// routing, mailbox model, events drained) in 16 KiB reads, beside the bare
/// framer and decoder in the same reads.
fn client(c: &mut Criterion) {
    let mut g = c.benchmark_group("client/full_sync");
    let input = inputs::sync_full();
    let now = std::time::Instant::now();
    let exists = input.count() as u32;
    {
        let mut cl = imap_benches::client::syncing_client(exists, now);
        let n = imap_benches::client::full_sync(&mut cl, now, &input.stream, 16 * 1024);
        assert_eq!(n, input.count(), "the client hands out every FETCH");
        assert_eq!(
            sides::ours_framed(&input.stream, 16 * 1024),
            Ok(input.count())
        );
    }
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.bench_with_input(
        BenchmarkId::new("framer+decoder", input.name),
        &input.stream,
        |b, s| b.iter(|| sides::ours_framed(s, 16 * 1024)),
    );
    g.bench_with_input(
        BenchmarkId::new("client", input.name),
        &input.stream,
        |b, s| {
            b.iter_batched_ref(
                || imap_benches::client::syncing_client(exists, now),
                |cl| imap_benches::client::full_sync(cl, now, s, 16 * 1024),
                criterion::BatchSize::LargeInput,
            )
        },
    );
    g.finish();
}

/// The mailbox of `client/updates` and the lines of its update stream.
const UPDATES_EXISTS: u32 = 20_000;
const UPDATES_LINES: u32 = 10_000;

/// `client/updates`: the small updates an idling client reads (flag
/// changes, new mail, expunges, HIGHESTMODSEQ) through a whole `Client`
/// (framer, decoder, routing, mailbox model, events drained) in 16 KiB
/// reads, end to end as an application runs it; beside our bare streaming
/// path (`stream/*`'s "ours") and imap-proto 0.17's parse loop over the
/// same bytes, which have no session to keep.
fn client_updates(c: &mut Criterion) {
    use imap_benches::client::{idling_client, updates, updates_stream};
    let mut g = c.benchmark_group("client/updates");
    let now = std::time::Instant::now();
    let (stream, messages) = updates_stream(7, UPDATES_EXISTS, UPDATES_LINES);
    {
        let mut cl = idling_client(UPDATES_EXISTS, now);
        assert!(updates(&mut cl, now, &stream, 16 * 1024) >= messages);
        assert_eq!(
            streams::ours_responses(&mut SliceReads::new(&stream), 16 * 1024),
            Ok(messages)
        );
        assert_eq!(
            streams::imap_proto_responses(&mut SliceReads::new(&stream), 16 * 1024),
            Ok(messages)
        );
    }
    g.throughput(Throughput::Bytes(stream.len() as u64));
    g.bench_with_input(BenchmarkId::new("client", "updates"), &stream, |b, s| {
        b.iter_batched_ref(
            || idling_client(UPDATES_EXISTS, now),
            |cl| updates(cl, now, s, 16 * 1024),
            criterion::BatchSize::LargeInput,
        )
    });
    g.bench_with_input(BenchmarkId::new("ours", "updates"), &stream, |b, s| {
        b.iter(|| streams::ours_responses(&mut SliceReads::new(s), 16 * 1024))
    });
    g.bench_with_input(
        BenchmarkId::new("imap-proto-0.17", "updates"),
        &stream,
        |b, s| b.iter(|| streams::imap_proto_responses(&mut SliceReads::new(s), 16 * 1024)),
    );
    g.finish();
}

fn encode(c: &mut Criterion) {
    for (group, input) in [
        ("encode/sync_metadata", inputs::sync_no_modseq()),
        ("encode/bodies", inputs::bodies_full()),
        ("encode/mixed_small", inputs::mixed_no_modseq()),
    ] {
        let mut g = c.benchmark_group(group);
        g.throughput(Throughput::Bytes(input.len() as u64));
        let mut out = Vec::with_capacity(input.len() * 2);

        let ours = sides::ours_decode_all(&input.stream);
        sides::ours_encode(&ours, &mut out);
        assert_eq!(sides::ours_responses(&out), Ok(input.count()));
        g.bench_function(BenchmarkId::new(Side::Ours.name(), input.name), |b| {
            b.iter(|| sides::ours_encode(&ours, &mut out))
        });
        if group == "encode/bodies" {
            vectored_bench(&mut g, &input);
        }
        if group == "encode/sync_metadata" {
            // The same messages with every list held as values: the encoder
            // writes each element instead of copying lists as received.
            let frame = bytes::Bytes::copy_from_slice(&input.stream);
            let built = sides::ours_built(&frame);
            sides::ours_encode(&ours, &mut out);
            let decoded_encoding = out.clone();
            sides::ours_encode(&built, &mut out);
            assert!(
                out == decoded_encoding,
                "built values encode to the same bytes"
            );
            g.bench_function(BenchmarkId::new(Side::OursBuilt.name(), input.name), |b| {
                b.iter(|| sides::ours_encode(&built, &mut out))
            });
        }

        let theirs = sides::imap_codec_decode_all(&input.stream);
        sides::imap_codec_encode(&theirs, &mut out);
        assert_eq!(sides::imap_codec_responses(&out), Ok(input.count()));
        g.bench_function(BenchmarkId::new(Side::ImapCodec.name(), input.name), |b| {
            b.iter(|| sides::imap_codec_encode(&theirs, &mut out))
        });
        g.finish();
    }

    let mut g = c.benchmark_group("encode/client_mix");
    let input = inputs::client_no_condstore();
    g.throughput(Throughput::Bytes(input.len() as u64));
    let mut out = Vec::with_capacity(input.len() * 2);
    let ours = sides::ours_decode_all_commands(&input.stream);
    sides::ours_encode_commands(&ours, &mut out);
    assert_eq!(sides::ours_commands(&out), Ok(input.count()));
    g.bench_function(BenchmarkId::new(Side::Ours.name(), input.name), |b| {
        b.iter(|| sides::ours_encode_commands(&ours, &mut out))
    });
    let theirs = sides::imap_codec_decode_all_commands(&input.stream);
    sides::imap_codec_encode_commands(&theirs, &mut out);
    assert_eq!(sides::imap_codec_commands(&out), Ok(input.count()));
    g.bench_function(BenchmarkId::new(Side::ImapCodec.name(), input.name), |b| {
        b.iter(|| sides::imap_codec_encode_commands(&theirs, &mut out))
    });
    g.finish();
}

/// `encode/bodies`, `ours_vectored`: the same messages held in a `Bytes`
/// frame (`into_shared`), encoded with `encode_vectored` into a reused
/// `Vectored`: the framing bytes are written, the literal payloads are
/// referenced, not copied. Throughput counts the whole output, as for the
/// other sides.
fn vectored_bench(g: &mut BenchmarkGroup<'_, WallTime>, input: &Input) {
    let frame = bytes::Bytes::from(input.stream.clone());
    let shared = sides::ours_decode_all_shared(&frame);
    let mut out = imapkit_codec::Vectored::new();
    assert_eq!(sides::ours_encode_vectored(&shared, &mut out), input.len());
    assert_eq!(out.chunks().collect::<Vec<_>>().concat(), input.stream);
    assert!(!out.splices().is_empty(), "no payload is spliced");
    g.bench_function(
        BenchmarkId::new(Side::OursVectored.name(), input.name),
        |b| b.iter(|| sides::ours_encode_vectored(&shared, &mut out)),
    );
}

/// `framing/chunked`: the sync stream through the framer and decoder, fed in
/// 1, 64, 4096 and whole-buffer chunks (64-byte chunks should cost at most
/// 1.5x the whole buffer; 1-byte chunks stay linear in the input size).
fn framing(c: &mut Criterion) {
    let mut g = c.benchmark_group("framing/chunked");
    let input = inputs::sync_full();
    g.throughput(Throughput::Bytes(input.len() as u64));
    for chunk in [1usize, 64, 4096, input.len()] {
        assert_eq!(sides::ours_framed(&input.stream, chunk), Ok(input.count()));
        let name = if chunk == input.len() {
            "whole".to_string()
        } else {
            chunk.to_string()
        };
        g.bench_with_input(BenchmarkId::new("ours", name), &chunk, |b, &chunk| {
            b.iter(|| sides::ours_framed(&input.stream, chunk))
        });
    }
    g.finish();
}

fn config() -> Criterion {
    let c = Criterion::default();
    let c = if inputs::quick() {
        c.warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(1))
            .sample_size(10)
    } else {
        c.warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(4))
            .sample_size(50)
    };
    c.configure_from_args()
}

fn main() {
    let mut c = config();
    stream(&mut c);
    responses(&mut c);
    commands(&mut c);
    server(&mut c);
    client(&mut c);
    client_bodies(&mut c);
    client_updates(&mut c);
    encode(&mut c);
    framing(&mut c);
    c.final_summary();
    summary::print();
}

/// The table of RESULTS.md, from criterion's estimates of this run and the
/// allocation counts of `benches/allocs.rs`.
mod summary {
    use super::*;

    struct Entry {
        group: &'static str,
        input: Input,
        sides: &'static [Side],
    }

    fn criterion_dir() -> PathBuf {
        if let Some(h) = std::env::var_os("CRITERION_HOME") {
            return h.into();
        }
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
        target.join("criterion")
    }

    fn safe(s: &str) -> String {
        s.replace(['?', '"', '/', '\\', '*', '<', '>', ':', '|', '^'], "_")
    }

    /// Mean time of one iteration in nanoseconds.
    fn mean_ns(group: &str, side: Side, input: &str) -> Option<f64> {
        let p = criterion_dir()
            .join(safe(group))
            .join(safe(side.name()))
            .join(safe(input))
            .join("new/estimates.json");
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(p).ok()?).ok()?;
        v["mean"]["point_estimate"].as_f64()
    }

    /// Allocations per message from `target/criterion/allocs.tsv`.
    fn allocs(group: &str, side: Side, input: &str) -> Option<f64> {
        let tsv = std::fs::read_to_string(criterion_dir().join("allocs.tsv")).ok()?;
        tsv.lines().find_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() == 6 && f[0] == group && f[1] == input && f[2] == side.name()).then(|| {
                let n: f64 = f[3].parse().ok()?;
                let a: f64 = f[4].parse().ok()?;
                Some(a / n)
            })?
        })
    }

    /// Mean time of one iteration of a bench named by function and input.
    fn mean_ns_named(group: &str, function: &str, input: &str) -> Option<f64> {
        let p = criterion_dir()
            .join(safe(group))
            .join(safe(function))
            .join(safe(input))
            .join("new/estimates.json");
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(p).ok()?).ok()?;
        v["mean"]["point_estimate"].as_f64()
    }

    /// `client/full_sync`: the Client's throughput beside bare decoding.
    fn print_client() {
        let input = inputs::sync_full();
        let (Some(bare), Some(client)) = (
            mean_ns_named("client/full_sync", "framer+decoder", input.name),
            mean_ns_named("client/full_sync", "client", input.name),
        ) else {
            return;
        };
        println!();
        println!("| client/full_sync (sync_metadata full, 16 KiB reads) | MB/s | messages/s | throughput / bare decoding |");
        println!("|---|---:|---:|---:|");
        for (name, ns) in [
            ("framer + decoder", bare),
            ("Client (events drained)", client),
        ] {
            println!(
                "| {name} | {:.0} | {:.0} | {:.2}x |",
                input.len() as f64 / ns * 1e3,
                input.count() as f64 / ns * 1e9,
                bare / ns
            );
        }
    }

    /// `client/updates`: a whole `Client` against the bare paths.
    fn print_updates() {
        let (stream, messages) =
            imap_benches::client::updates_stream(7, UPDATES_EXISTS, UPDATES_LINES);
        let [Some(client), Some(ours), Some(proto)] = ["client", "ours", "imap-proto-0.17"]
            .map(|f| mean_ns_named("client/updates", f, "updates"))
        else {
            return;
        };
        println!();
        println!("| client/updates ({messages} messages, {} bytes, 16 KiB reads) | MB/s | messages/s | imap-proto's time / this |", stream.len());
        println!("|---|---:|---:|---:|");
        for (name, ns) in [
            ("Client (events drained)", client),
            ("ours, framer + decoder", ours),
            ("imap-proto 0.17, parse loop", proto),
        ] {
            println!(
                "| {name} | {:.0} | {:.0} | {:.2}x |",
                stream.len() as f64 / ns * 1e3,
                messages as f64 / ns * 1e9,
                proto / ns
            );
        }
    }

    /// `framing/chunked`: throughput per chunk size and the ratio to the whole buffer.
    fn print_framing() {
        let input = inputs::sync_full();
        let Some(whole) = mean_ns("framing/chunked", Side::Ours, "whole") else {
            return;
        };
        println!();
        println!("| framing/chunked (sync_metadata full, framer + decoder) | MB/s | time / whole-buffer time |");
        println!("|---|---:|---:|");
        for chunk in ["1", "64", "4096", "whole"] {
            if let Some(ns) = mean_ns("framing/chunked", Side::Ours, chunk) {
                let name = if chunk == "whole" {
                    "whole buffer".to_string()
                } else {
                    format!("{chunk}-byte chunks")
                };
                println!(
                    "| {name} | {:.0} | {:.2}x |",
                    input.len() as f64 / ns * 1e3,
                    ns / whole
                );
            }
        }
    }

    /// `stream/*`: MB/s of every side per read size, and ours over theirs
    /// (their time / our time) in the same run.
    fn print_stream() {
        println!();
        println!(
            "| stream group (messages, bytes) | read | ours MB/s | crate | MB/s | ours / this | ours lent / this |"
        );
        println!("|---|---|---:|---|---:|---:|---:|");
        for (group, input, sides) in streams::GROUPS {
            let input = input();
            for read in streams::reads(&input) {
                let name = streams::read_name(&input, read);
                let Some(ours) = mean_ns_named(group, StreamSide::Ours.name(), &name) else {
                    continue;
                };
                let mbs = |ns: f64| input.len() as f64 / ns * 1e3;
                let lent = mean_ns_named(group, StreamSide::OursLent.name(), &name);
                let theirs = sides
                    .iter()
                    .filter(|&&s| !matches!(s, StreamSide::Ours | StreamSide::OursLent));
                for side in theirs {
                    let Some(ns) = mean_ns_named(group, side.name(), &name) else {
                        continue;
                    };
                    let lent = lent.map_or_else(String::new, |lent| format!("{:.2}x", ns / lent));
                    println!(
                        "| {group} ({}, {}) | {name} | {:.0} | {} | {:.0} | {:.2}x | {lent} |",
                        input.count(),
                        input.len(),
                        mbs(ours),
                        side.name(),
                        mbs(ns),
                        ns / ours
                    );
                }
            }
        }
    }

    pub(super) fn print() {
        print_stream();
        print_client();
        print_updates();
        const ALL: &[Side] = &[Side::Ours, Side::ImapCodec, Side::ImapProto];
        const BOTH: &[Side] = &[Side::Ours, Side::ImapProto];
        const OURS_CODEC: &[Side] = &[Side::Ours, Side::ImapCodec];
        let entries = [
            Entry {
                group: "responses/sync_metadata",
                input: inputs::sync_full(),
                sides: BOTH,
            },
            Entry {
                group: "responses/sync_metadata",
                input: inputs::sync_no_modseq(),
                sides: &[Side::Ours, Side::OursWalk, Side::ImapCodec, Side::ImapProto],
            },
            Entry {
                group: "responses/bodies",
                input: inputs::bodies_full(),
                sides: &[Side::Ours, Side::ImapCodec, Side::ImapProto, Side::Memcpy],
            },
            Entry {
                group: "responses/mixed_small",
                input: inputs::mixed_full(),
                sides: BOTH,
            },
            Entry {
                group: "responses/mixed_small",
                input: inputs::mixed_no_modseq(),
                sides: ALL,
            },
            Entry {
                group: "commands/client_mix",
                input: inputs::client_full(),
                sides: &[Side::Ours],
            },
            Entry {
                group: "commands/client_mix",
                input: inputs::client_no_condstore(),
                sides: OURS_CODEC,
            },
            Entry {
                group: "encode/sync_metadata",
                input: inputs::sync_no_modseq(),
                sides: &[Side::Ours, Side::OursBuilt, Side::ImapCodec],
            },
            Entry {
                group: "encode/bodies",
                input: inputs::bodies_full(),
                sides: &[Side::Ours, Side::OursVectored, Side::ImapCodec],
            },
            Entry {
                group: "encode/mixed_small",
                input: inputs::mixed_no_modseq(),
                sides: OURS_CODEC,
            },
            Entry {
                group: "encode/client_mix",
                input: inputs::client_no_condstore(),
                sides: OURS_CODEC,
            },
        ];
        println!();
        println!("| group | input (messages, bytes) | crate | MB/s | messages/s | ours / this | allocations per message |");
        println!("|---|---|---|---:|---:|---:|---:|");
        for e in &entries {
            let ours = mean_ns(e.group, Side::Ours, e.input.name);
            for &side in e.sides {
                let Some(ns) = mean_ns(e.group, side, e.input.name) else {
                    continue;
                };
                let mbs = e.input.len() as f64 / ns * 1e3;
                let (msgs, alloc) = if side == Side::Memcpy {
                    ("".to_string(), "".to_string())
                } else {
                    (
                        format!("{:.0}", e.input.count() as f64 / ns * 1e9),
                        allocs(e.group, side, e.input.name)
                            .map_or("".to_string(), |a| format!("{a:.2}")),
                    )
                };
                let ratio = match ours {
                    Some(o)
                        if !matches!(
                            side,
                            Side::Ours | Side::OursVectored | Side::OursWalk | Side::OursBuilt
                        ) =>
                    {
                        format!("{:.2}x", ns / o)
                    }
                    _ => "".to_string(),
                };
                println!(
                    "| {} | {} ({}, {}) | {} | {:.0} | {} | {} | {} |",
                    e.group,
                    e.input.name,
                    e.input.count(),
                    e.input.len(),
                    side.name(),
                    mbs,
                    msgs,
                    ratio,
                    alloc
                );
            }
        }
        print_walk();
        print_built();
        print_vectored();
        print_framing();
    }

    /// A line under the table: how many times `side`'s time on `group`
    /// (sync_metadata no-modseq) the other crates take.
    fn print_side_ratios(group: &str, side: Side, what: &str, others: &[Side]) {
        let input = inputs::sync_no_modseq();
        let Some(ours) = mean_ns(group, side, input.name) else {
            return;
        };
        let ratios: Option<Vec<String>> = others
            .iter()
            .map(|&o| {
                mean_ns(group, o, input.name).map(|ns| format!("{:.2}x {}", ns / ours, o.name()))
            })
            .collect();
        if let Some(ratios) = ratios {
            println!();
            println!("{group}, {} ({what}): {}", side.name(), ratios.join(", "));
        }
    }

    /// `responses/sync_metadata`: the other crates against ours when every
    /// address and parameter is read after decoding.
    fn print_walk() {
        print_side_ratios(
            "responses/sync_metadata",
            Side::OursWalk,
            "decode, then read every address and parameter",
            &[Side::ImapCodec, Side::ImapProto],
        );
    }

    /// `encode/sync_metadata`: imap-codec 1.0 against ours encoding values
    /// built by a program (every list element written, nothing copied as
    /// received).
    fn print_built() {
        print_side_ratios(
            "encode/sync_metadata",
            Side::OursBuilt,
            "lists held as values, every element encoded",
            &[Side::ImapCodec],
        );
    }

    /// `encode/bodies`: imap-codec 1.0 against our vectored side (which
    /// does not copy the payloads; the table's ratio is the copying side's).
    fn print_vectored() {
        let input = inputs::bodies_full();
        let (Some(v), Some(c), Some(o)) = (
            mean_ns("encode/bodies", Side::OursVectored, input.name),
            mean_ns("encode/bodies", Side::ImapCodec, input.name),
            mean_ns("encode/bodies", Side::Ours, input.name),
        ) else {
            return;
        };
        println!();
        println!(
            "encode/bodies, time of imap-codec-1.0 / ours_vectored: {:.2}x; ours (copying) / ours_vectored: {:.2}x",
            c / v,
            o / v
        );
    }
}
