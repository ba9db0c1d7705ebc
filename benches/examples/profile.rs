//! A small driver for profiling one side on one input under callgrind:
//!
//! ```text
//! cargo build --profile bench -p imap-benches --example profile
//! valgrind --tool=callgrind --callgrind-out-file=cg.out \
//!     target/release/examples/profile sync ours 3
//! callgrind_annotate cg.out | head -60
//! ```
//!
//! Inputs: `sync`, `sync-no-modseq`, `mixed`, `mixed-no-modseq`, `bodies`, `encode-sync`,
//! `encode-sync-no-modseq`, `encode-sync-built` (ours only: the messages as
//! built values, see `sides::ours_built`), `encode-mixed`, `encode-bodies`, `commands`
//! (`client_mix` no-condstore; sides `ours` and `imap-codec`). Sides: `ours`, `ours+walk` (decode, then read every
//! address and parameter), `imap-codec`, `imap-proto`, and `framed-N`
//! (ours through the framer in chunks of N bytes, `framed-whole` for the
//! whole input at once: the `framing/chunked` group), and
//! `stream:SIDE:READ`, a side of the `stream/*` groups (`ours`, `ours-lent`,
//! `imap-proto-0.17`, `imap-codec-1.0`, `imap-codec-2.0-alpha`) in reads of
//! READ bytes (`whole` for one read); `commands` then means the
//! `stream/client_mix` group.

use imap_benches::{inputs, sides};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let which = args.get(1).map_or("sync", String::as_str);
    let side = args.get(2).map_or("ours", String::as_str);
    let rounds: usize = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(3);
    let input = match which {
        "sync" | "encode-sync" => inputs::sync_full(),
        "sync-no-modseq" | "encode-sync-no-modseq" | "encode-sync-built" => {
            inputs::sync_no_modseq()
        }
        "mixed" | "encode-mixed" => inputs::mixed_full(),
        "mixed-no-modseq" => inputs::mixed_no_modseq(),
        "bodies" | "encode-bodies" => inputs::bodies_full(),
        "commands" => inputs::client_no_condstore(),
        other => panic!("unknown input {other}"),
    };
    let s = &input.stream;
    let mut out = Vec::with_capacity(s.len() * 2);
    let mut total = 0;
    if which.starts_with("encode") {
        match side {
            "ours" if which == "encode-sync-built" => {
                let frame = bytes::Bytes::copy_from_slice(s);
                let msgs = sides::ours_built(&frame);
                for _ in 0..rounds {
                    total += sides::ours_encode(&msgs, &mut out);
                }
            }
            "ours" => {
                let msgs = sides::ours_decode_all(s);
                for _ in 0..rounds {
                    total += sides::ours_encode(&msgs, &mut out);
                }
            }
            "imap-codec" => {
                let msgs = sides::imap_codec_decode_all(s);
                for _ in 0..rounds {
                    total += sides::imap_codec_encode(&msgs, &mut out);
                }
            }
            other => panic!("unknown side {other}"),
        }
    } else if let Some(spec) = side.strip_prefix("stream:") {
        use imap_benches::stream::StreamSide;
        let (name, read) = spec.rsplit_once(':').expect("stream:SIDE:READ");
        let read = read.parse().unwrap_or(s.len());
        let stream_side = [
            StreamSide::Ours,
            StreamSide::OursLent,
            StreamSide::ImapProto,
            StreamSide::ImapCodec1,
            StreamSide::ImapCodec2,
        ]
        .into_iter()
        .find(|x| x.name() == name)
        .expect("a stream side");
        let group = if which == "commands" {
            "stream/client_mix"
        } else {
            "stream/sync_metadata"
        };
        let f = stream_side.function(group);
        for _ in 0..rounds {
            let mut reads = imap_benches::reads::SliceReads::new(s);
            total += f(&mut reads, read).expect("every message decodes");
        }
    } else if let Some(chunk) = side.strip_prefix("framed-") {
        // The framer and the decoder, fed in chunks (`framing/chunked`).
        let chunk = chunk.parse().unwrap_or(s.len());
        for _ in 0..rounds {
            total += sides::ours_framed(s, chunk).expect("every message frames and decodes");
        }
    } else {
        let f = match (which, side) {
            ("commands", "ours") => sides::ours_commands,
            ("commands", "imap-codec") => sides::imap_codec_commands,
            (_, "ours") => sides::ours_responses,
            (_, "ours+walk") => sides::ours_responses_walk,
            (_, "imap-codec") => sides::imap_codec_responses,
            (_, "imap-proto") => sides::imap_proto_responses,
            (_, other) => panic!("unknown side {other}"),
        };
        for _ in 0..rounds {
            total += f(s).expect("every message decodes");
        }
    }
    println!("{which} {side}: {rounds} rounds, {total}");
}
