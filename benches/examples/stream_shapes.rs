//! `stream/mixed_small` taken apart: each shape of small response it holds,
//! alone, 10,000 times in a row, through each side's streaming path in
//! 16 KiB reads. Prints nanoseconds per message (best of 20 passes) and
//! ours over each other side, so that one sees which shapes carry the
//! group's ratio and which hold it down.
//!
//! ```text
//! cargo run --release -p imap-benches --example stream_shapes
//! ```
//!
//! A quick look, not a benchmark: run it on an idle machine, and quote the
//! `stream/*` criterion groups for the figures of record.

use std::hint::black_box;
use std::time::Instant;

use imap_benches::reads::SliceReads;
use imap_benches::stream;

/// The shapes of `imap_benches::mixed_small` that every side decodes
/// (the `FETCH (FLAGS .. MODSEQ (..))` shape is left out, as in the
/// `no-modseq` input).
const SHAPES: &[&[u8]] = &[
    b"* 6868 EXISTS\r\n",
    b"* 10226 EXPUNGE\r\n",
    b"* 0 RECENT\r\n",
    b"* SEARCH 5143 5146 5160\r\n",
    b"* 10365 FETCH (UID 14365 FLAGS (\\Seen $Junk))\r\n",
    b"* 10365 FETCH (UID 14365 FLAGS (\\Seen))\r\n",
    b"* OK [HIGHESTMODSEQ 90001] Highest\r\n",
    b"a4 OK Fetch completed (0.001 + 0.000 secs).\r\n",
    b"a10 OK [READ-WRITE] Select completed (0.002 + 0.000 + 0.001 secs).\r\n",
];

const COPIES: usize = 10_000;
const READ: usize = 16 * 1024;

fn main() {
    let sides: [(&str, stream::StreamFn); 4] = [
        ("ours", stream::ours_responses),
        ("ours-lent", stream::ours_lent_responses),
        ("imap-proto-0.17", stream::imap_proto_responses),
        ("imap-codec-1.0", stream::imap_codec_1_responses),
    ];
    println!("ns per message, 16 KiB reads; ratio = their time / ours");
    println!(
        "{:<70} {:>8} {:>10} {:>16} {:>16}",
        "shape", sides[0].0, sides[1].0, sides[2].0, sides[3].0
    );
    let mix = imap_benches::inputs::mixed_no_modseq();
    let rows = SHAPES
        .iter()
        .map(|shape| {
            (
                String::from_utf8_lossy(shape).trim_end().to_string(),
                shape.repeat(COPIES),
                COPIES,
            )
        })
        .chain([(
            format!(
                "the whole `stream/mixed_small` input ({} messages)",
                mix.messages.len()
            ),
            mix.stream.clone(),
            mix.messages.len(),
        )]);
    for (name, input, copies) in rows {
        let mut best = [f64::MAX; 4];
        for _ in 0..20 {
            for (k, (_, f)) in sides.iter().enumerate() {
                let t = Instant::now();
                let n = black_box(f(&mut SliceReads::new(&input), READ))
                    .expect("every message decodes");
                best[k] = best[k].min(t.elapsed().as_secs_f64());
                assert_eq!(n, copies);
            }
        }
        let [ours, lent, proto, codec] = best.map(|s| s * 1e9 / copies as f64);
        println!(
            "{:<70} {ours:>8.1} {lent:>10.1} {proto:>8.1} ({:>4.2}x) {codec:>8.1} ({:>4.2}x)",
            name,
            proto / ours,
            codec / ours
        );
    }
}
