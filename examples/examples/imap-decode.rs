//! Trace decoder: feeds a captured IMAP byte stream through the streaming
//! framer and decoder and prints every message.
//!
//! ```text
//! cargo run --release -p imap-examples --example imap-decode -- \
//!     [--responses|--commands] [--chunk N] [--roundtrip] [--quiet] [FILE...]
//! ```
//!
//! `--responses` (the default) reads server-to-client bytes, `--commands`
//! client-to-server bytes. Without FILE it decodes an embedded Dovecot 2.3
//! session (recorded on loopback, see `imap-codec/tests/data/dovecot/`).
//! The input is fed in chunks of N bytes (default: whole file). Each error is
//! printed with its stream offset and raw bytes, and decoding goes on with the
//! next message. The last line is the summary
//! `messages: M, errors: E, literal_bytes: L, bytes: B` (with `--roundtrip`
//! followed by `, roundtrip_mismatches: K`: each message is re-encoded and
//! decoded again). The exit status is 0 when E and K are 0, else 1.

use std::process::ExitCode;

use imapkit_codec::framer::{Direction, Frame, FrameEvent, Framer, FramerConfig};
use imapkit_codec::{DecodeError, Encode};

const EMBEDDED_RESPONSES: &[u8] =
    include_bytes!("../../imap-codec/tests/data/dovecot/session.responses");
const EMBEDDED_COMMANDS: &[u8] =
    include_bytes!("../../imap-codec/tests/data/dovecot/session.commands");

struct Options {
    direction: Direction,
    chunk: Option<usize>,
    roundtrip: bool,
    quiet: bool,
    files: Vec<String>,
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: imap-decode [--responses|--commands] [--chunk N] [--roundtrip] [--quiet] [FILE...]"
    );
    ExitCode::from(2)
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        direction: Direction::ServerToClient,
        chunk: None,
        roundtrip: false,
        quiet: false,
        files: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--responses" => o.direction = Direction::ServerToClient,
            "--commands" => o.direction = Direction::ClientToServer,
            "--roundtrip" => o.roundtrip = true,
            "--quiet" => o.quiet = true,
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
            f => o.files.push(f.to_string()),
        }
    }
    Ok(o)
}

#[derive(Default)]
struct Summary {
    messages: u64,
    errors: u64,
    literal_bytes: u64,
    bytes: u64,
    mismatches: u64,
}

/// Decodes one frame, printing it; returns the decode error, if any.
fn handle_frame(frame: &Frame, o: &Options, s: &mut Summary) -> Result<(), DecodeError> {
    match o.direction {
        Direction::ServerToClient => {
            let r = frame.decode_response()?;
            if !o.quiet {
                println!("{:>8} S: {r:?}", frame.offset);
            }
            if o.roundtrip {
                let bytes = r.to_vec();
                let again = imapkit_codec::decode::response(&bytes);
                let same = matches!(&again, Ok(imapkit_codec::Decoded::Complete { message, consumed })
                    if *consumed == bytes.len() && *message == r);
                if !same {
                    s.mismatches += 1;
                    println!(
                        "{:>8} roundtrip mismatch: {:?}",
                        frame.offset,
                        bytes.escape_ascii().to_string()
                    );
                }
            }
        }
        _ => {
            // A command, or a line of an IDLE or AUTHENTICATE exchange.
            match frame.decode_command() {
                Ok(c) => {
                    if !o.quiet {
                        println!("{:>8} C: {c:?}", frame.offset);
                    }
                    if o.roundtrip {
                        let bytes = c.to_vec();
                        let again = imapkit_codec::decode::command(&bytes);
                        let same = matches!(&again, Ok(imapkit_codec::Decoded::Complete { message, consumed })
                            if *consumed == bytes.len() && *message == c);
                        if !same {
                            s.mismatches += 1;
                            println!(
                                "{:>8} roundtrip mismatch: {:?}",
                                frame.offset,
                                bytes.escape_ascii().to_string()
                            );
                        }
                    }
                }
                Err(e) => {
                    if frame.decode_idle_done().is_ok() {
                        if !o.quiet {
                            println!("{:>8} C: DONE", frame.offset);
                        }
                    } else if let Ok(d) = frame.decode_authenticate_data() {
                        if !o.quiet {
                            println!("{:>8} C: {d:?}", frame.offset);
                        }
                    } else {
                        return Err(e);
                    }
                }
            }
        }
    }
    s.messages += 1;
    Ok(())
}

fn run(input: &[u8], o: &Options, s: &mut Summary) {
    let mut framer = Framer::new(FramerConfig::new(o.direction));
    let chunk = o.chunk.unwrap_or(input.len().max(1));
    for piece in input.chunks(chunk) {
        framer.push(piece);
        while let Some(ev) = framer.poll_event() {
            match ev {
                FrameEvent::Frame(frame) => {
                    if let Err(e) = handle_frame(&frame, o, s) {
                        s.errors += 1;
                        println!(
                            "{:>8} error: {} at stream offset {}: {:?}",
                            frame.offset,
                            e.reason,
                            frame.offset + e.offset as u64,
                            frame.bytes.escape_ascii().to_string()
                        );
                    }
                }
                FrameEvent::Error(e) => {
                    s.errors += 1;
                    println!(
                        "{:>8} error: {e}: {:?}",
                        e.offset,
                        e.raw.escape_ascii().to_string()
                    );
                }
                _ => {}
            }
        }
    }
    let rest = framer.buffered();
    if rest > 0 {
        s.errors += 1;
        println!("error: the input ends inside a message ({rest} bytes)");
    }
    let stats = framer.stats();
    s.literal_bytes += stats.literal_bytes;
    s.bytes += input.len() as u64;
}

fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("imap-decode: {e}");
            }
            return usage();
        }
    };
    let mut s = Summary::default();
    if o.files.is_empty() {
        let input = match o.direction {
            Direction::ServerToClient => EMBEDDED_RESPONSES,
            _ => EMBEDDED_COMMANDS,
        };
        run(input, &o, &mut s);
    }
    for f in &o.files {
        match std::fs::read(f) {
            Ok(input) => run(&input, &o, &mut s),
            Err(e) => {
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
    println!("{line}");
    if s.errors == 0 && s.mismatches == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
