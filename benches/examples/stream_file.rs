//! One side of a `stream/*` group over a file, as a whole process: the
//! yardstick programs for timing from outside with `farm-bench`, next to
//! the trace decoder `imap-decode`, which runs the same framer and decoder.
//!
//! ```text
//! cargo build --release -p imap-benches --example stream_file
//! cargo build --release -p imap-examples --example imap-decode
//! target/release/examples/stream_file --write /tmp/streams
//! farm-bench --vs 'target/release/examples/stream_file imap-proto-0.17 /tmp/streams/mixed.imap 16384' \
//!     -- target/release/examples/imap-decode --quiet --chunk 16384 /tmp/streams/mixed.imap
//! ```
//!
//! `--write DIR` writes the four `stream/*` inputs, each repeated so that
//! it is 30 to 40 MB and decoding, not process start-up, is what is timed:
//! `sync.imap` (sync metadata, 10 times), `mixed.imap` (small responses,
//! 100 times), `bodies.imap` (`BODY[]` literals, 10 times) and
//! `commands.imap` (the client command mix, 100 times).
//!
//! `SIDE FILE [READ]` runs SIDE's streaming path (`ours`, `ours-lent`,
//! `imap-proto-0.17`, `imap-codec-1.0`, `imap-codec-2.0-alpha`: see
//! `imap_benches::stream`) over FILE read in reads of READ bytes (default
//! the whole file in one read), each read made into the side's own buffer
//! as from a socket (`imap_benches::reads`: no side loads the file whole
//! first), and prints the number of messages. A file whose name
//! starts with `commands` is decoded as commands, any other as responses.

use std::path::Path;

use imap_benches::inputs;
use imap_benches::reads::ReaderReads;
use imap_benches::stream::StreamSide;

/// The sides, by their names in benchmark ids.
const SIDES: [StreamSide; 5] = [
    StreamSide::Ours,
    StreamSide::OursLent,
    StreamSide::ImapProto,
    StreamSide::ImapCodec1,
    StreamSide::ImapCodec2,
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag, dir] if flag == "--write" => write(Path::new(dir)),
        [side, file] => run(side, file, None),
        [side, file, read] => run(
            side,
            file,
            Some(read.parse().expect("READ: a number of bytes")),
        ),
        _ => {
            eprintln!("usage: stream_file --write DIR | stream_file SIDE FILE [READ]");
            std::process::exit(2);
        }
    }
}

fn write(dir: &Path) {
    std::fs::create_dir_all(dir).expect("create DIR");
    let files = [
        ("sync.imap", inputs::sync_no_modseq(), 10),
        ("mixed.imap", inputs::mixed_no_modseq(), 100),
        ("bodies.imap", inputs::bodies_full(), 10),
        ("commands.imap", inputs::client_no_condstore(), 100),
    ];
    for (name, input, times) in files {
        let bytes = input.stream.repeat(times);
        let path = dir.join(name);
        std::fs::write(&path, &bytes).expect("write the file");
        println!(
            "{}: {} messages, {} bytes",
            path.display(),
            input.messages.len() * times,
            bytes.len()
        );
    }
}

fn run(side: &str, file: &str, read: Option<usize>) {
    let side = SIDES
        .into_iter()
        .find(|s| s.name() == side)
        .unwrap_or_else(|| panic!("unknown side {side}"));
    let f = std::fs::File::open(file).expect("open FILE");
    // Reads of READ bytes each, as from a socket; the whole file in one
    // read when no READ is given.
    let whole = f.metadata().expect("FILE's size").len();
    let read = read.unwrap_or(usize::try_from(whole).expect("FILE fits in memory"));
    let commands = Path::new(file)
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("commands"));
    let group = if commands {
        "stream/client_mix"
    } else {
        "stream/sync_metadata"
    };
    let mut reads = ReaderReads::new(f);
    match side.function(group)(&mut reads, read.max(1)) {
        Ok(n) => println!("{} {file}: {n} messages", side.name()),
        Err(e) => {
            eprintln!("{} {file}: {e:?}", side.name());
            std::process::exit(1);
        }
    }
}
