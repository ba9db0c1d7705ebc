//! Trace decoder: feeds a captured IMAP byte stream through the streaming
//! framer and decoder and prints every message.
//!
//! ```text
//! cargo run --release -p imap-examples --example imap-decode -- \
//!     [--responses|--commands] [--chunk N] [--roundtrip] [--quirks] [--quiet] [FILE...]
//! cargo run --release -p imap-examples --example imap-decode -- \
//!     --session [--chunk N] [--roundtrip] [--quiet] [COMMANDS RESPONSES]...
//! ```
//!
//! `--responses` (the default) reads server-to-client bytes, `--commands`
//! client-to-server bytes. Without FILE it decodes an embedded Dovecot 2.3
//! session (recorded on loopback, see `imap-codec/tests/data/dovecot/`).
//! A FILE is read in reads of N bytes (default 64 KiB), each made straight
//! into the framer's buffer as a session reads its socket, so memory stays
//! the framer's whatever the file's size; `--session` reads its files whole
//! and feeds them in chunks of N bytes (default: whole), as does the
//! embedded input. Each error is
//! printed with its stream offset and raw bytes (LOGIN and AUTHENTICATE
//! commands, the lines of an AUTHENTICATE exchange and what follows a
//! credential command that did not frame are shown as `<redacted> (N
//! bytes)`), and decoding goes on with the next message; an input that ends
//! inside a message (or while one is skipped) is an error too. The last line
//! is the summary `messages: M, errors: E, literal_bytes: L, bytes: B` (with
//! `--roundtrip` followed by `, roundtrip_mismatches: K`: each message is
//! re-encoded and decoded again). The exit status is 0 when E and K are 0,
//! else 1. The work is done by `imap_examples::trace`.
//!
//! `--quirks` names, after each response that relied on one, the server
//! quirks the decoder accepted (`imap-codec/QUIRKS.md`), as `quirks:
//! {EXTRA_SPACE, ...}`, also with `--quiet`, and adds `, quirky: Q` (the
//! responses that relied on one) to the summary: which deviations of a
//! server a session met. It does not change the exit status.
//!
//! `--session` replays a recorded session, both directions (files in
//! pairs: the client's bytes, then the server's; without files the
//! embedded session), through the library's state machines: the
//! commands through a `Server` that answers as the recorded server did,
//! the responses through a `Client` that sends the recorded commands. Each
//! message is decoded as what it is at its point in the session: the first
//! server message as a greeting, AUTHENTICATE lines only inside the
//! exchange, `DONE` only during IDLE. Where a state machine refuses
//! something or answers otherwise than the recording, a `session:` line
//! says so with the offset; the summary adds `, violations: V`, and the
//! exit status is 1 when V is not 0 either (see
//! `imap_examples::trace::session`).

use std::io::Write as _;
use std::process::ExitCode;

use imap_examples::trace::session::decode_session;
use imap_examples::trace::{decode_reader, decode_stream, Options, Summary};
use imapkit_codec::framer::Direction;

/// A file's reads without `--chunk`: 64 KiB each.
const DEFAULT_READ: usize = 64 * 1024;

const EMBEDDED_RESPONSES: &[u8] =
    include_bytes!("../../imap-codec/tests/data/dovecot/session.responses");
const EMBEDDED_COMMANDS: &[u8] =
    include_bytes!("../../imap-codec/tests/data/dovecot/session.commands");

fn usage() -> ExitCode {
    eprintln!(
        "usage: imap-decode [--responses|--commands] [--chunk N] [--roundtrip] [--quirks] [--quiet] [FILE...]\n       \
         imap-decode --session [--chunk N] [--roundtrip] [--quiet] [COMMANDS RESPONSES]..."
    );
    ExitCode::from(2)
}

fn parse_args() -> Result<(Options, bool, Vec<String>), String> {
    let mut o = Options::new(Direction::ServerToClient);
    let mut session = false;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--responses" => o.direction = Direction::ServerToClient,
            "--commands" => o.direction = Direction::ClientToServer,
            "--roundtrip" => o.roundtrip = true,
            "--quiet" => o.quiet = true,
            "--quirks" => o.quirks = true,
            "--session" => session = true,
            "--chunk" => {
                let n = args.next().ok_or("--chunk needs a number")?;
                let n: usize = n.parse().map_err(|_| format!("bad chunk size {n}"))?;
                if n == 0 {
                    return Err("chunk size must be positive".into());
                }
                o.chunk = Some(n);
            }
            "-h" | "--help" => return Err(String::new()),
            f if f.starts_with("--") => return Err(format!("unknown option {f}")),
            f => files.push(f.to_string()),
        }
    }
    if o.quirks && (session || o.direction == Direction::ClientToServer) {
        return Err("--quirks names the quirks of responses decoded as a stream".into());
    }
    if session && files.len() % 2 != 0 {
        return Err("--session needs files in pairs: COMMANDS RESPONSES".into());
    }
    Ok((o, session, files))
}

fn main() -> ExitCode {
    let (o, session, files) = match parse_args() {
        Ok(parsed) => parsed,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("imap-decode: {e}");
            }
            return usage();
        }
    };
    let mut s = Summary::default();
    let mut out = std::io::stdout().lock();
    if session {
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        let mut names = Vec::new();
        if files.is_empty() {
            inputs.push(EMBEDDED_COMMANDS.to_vec());
            inputs.push(EMBEDDED_RESPONSES.to_vec());
            names.push("embedded session".to_string());
        }
        for (k, f) in files.iter().enumerate() {
            match std::fs::read(f) {
                Ok(input) => inputs.push(input),
                Err(e) => {
                    eprintln!("imap-decode: {f}: {e}");
                    return ExitCode::from(2);
                }
            }
            if k % 2 == 0 {
                names.push(f.clone());
            }
        }
        for (pair, name) in inputs.chunks(2).zip(&names) {
            let [commands, responses] = pair else {
                unreachable!("inputs come in pairs (checked by parse_args)")
            };
            if let Err(e) = decode_session(commands, responses, &o, &mut out, &mut s) {
                eprintln!("imap-decode: {name}: {e}");
                return ExitCode::from(2);
            }
        }
    } else if files.is_empty() {
        let embedded = match o.direction {
            Direction::ServerToClient => EMBEDDED_RESPONSES,
            Direction::ClientToServer => EMBEDDED_COMMANDS,
        };
        if let Err(e) = decode_stream(embedded, &o, &mut out, &mut s) {
            eprintln!("imap-decode: embedded session: {e}");
            return ExitCode::from(2);
        }
    } else {
        // Each file read as a socket is, in reads of `--chunk` bytes,
        // straight into the framer: memory stays the framer's, whatever
        // the file's size.
        let chunk = o.chunk.unwrap_or(DEFAULT_READ);
        for f in &files {
            let decoded = std::fs::File::open(f)
                .and_then(|file| decode_reader(file, chunk, &o, &mut out, &mut s));
            if let Err(e) = decoded {
                eprintln!("imap-decode: {f}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let mut line = format!(
        "messages: {}, errors: {}, literal_bytes: {}, bytes: {}",
        s.messages, s.errors, s.literal_bytes, s.bytes
    );
    if o.roundtrip {
        line.push_str(&format!(", roundtrip_mismatches: {}", s.mismatches));
    }
    if session {
        line.push_str(&format!(", violations: {}", s.violations));
    }
    if o.quirks && !session {
        line.push_str(&format!(", quirky: {}", s.quirky));
    }
    if let Err(e) = writeln!(out, "{line}") {
        eprintln!("imap-decode: {e}");
        return ExitCode::from(2);
    }
    if s.errors == 0 && s.mismatches == 0 && s.violations == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
