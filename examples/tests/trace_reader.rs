//! `imap-decode` reads its files as a session reads a socket
//! (`trace::decode_reader`: each read straight into the framer's buffer):
//! whatever the reads' sizes, and with reads interrupted, it prints what
//! decoding the whole input at once prints, and it passes a read error on.

use std::io::{self, Read};

use imap_examples::trace::{decode_reader, decode_stream, Options, Summary};
use imapkit_codec::framer::Direction;

const RESPONSES: &[u8] = include_bytes!("../../imap-codec/tests/data/dovecot/session.responses");
const COMMANDS: &[u8] = include_bytes!("../../imap-codec/tests/data/dovecot/session.commands");

/// Gives `input` in reads of 1, 2, ... `most` bytes (never more than asked),
/// with an `Interrupted` error before every third read, then `end` at the
/// end (`None`: the end of the stream).
struct Trickle<'a> {
    input: &'a [u8],
    most: usize,
    reads: usize,
    end: Option<io::ErrorKind>,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reads += 1;
        if self.reads % 3 == 0 {
            return Err(io::ErrorKind::Interrupted.into());
        }
        if self.input.is_empty() {
            return match self.end {
                Some(kind) => Err(kind.into()),
                None => Ok(0),
            };
        }
        let n = (self.reads % self.most + 1)
            .min(buf.len())
            .min(self.input.len());
        buf[..n].copy_from_slice(&self.input[..n]);
        self.input = &self.input[n..];
        Ok(n)
    }
}

fn options(direction: Direction) -> Options {
    let mut o = Options::new(direction);
    o.roundtrip = true;
    o
}

fn whole(direction: Direction, input: &[u8]) -> (Vec<u8>, Summary) {
    let mut out = Vec::new();
    let mut s = Summary::default();
    decode_stream(input, &options(direction), &mut out, &mut s).expect("write to a Vec");
    (out, s)
}

#[test]
fn reads_of_any_size_print_what_the_whole_input_prints() {
    for (direction, input) in [
        (Direction::ServerToClient, RESPONSES),
        (Direction::ClientToServer, COMMANDS),
    ] {
        let (expected, expected_summary) = whole(direction, input);
        assert_eq!(expected_summary.errors, 0);
        assert_eq!(expected_summary.bytes, input.len() as u64);
        for (most, chunk) in [(1, 4096), (7, 3), (300, 64 * 1024), (70_000, 16 * 1024)] {
            let reader = Trickle {
                input,
                most,
                reads: 0,
                end: None,
            };
            let mut out = Vec::new();
            let mut s = Summary::default();
            decode_reader(reader, chunk, &options(direction), &mut out, &mut s)
                .expect("reads and writes succeed");
            assert_eq!(
                s, expected_summary,
                "{direction:?}, reads of {most}, chunk {chunk}"
            );
            assert!(
                out == expected,
                "{direction:?}, reads of {most}, chunk {chunk}"
            );
        }
    }
}

#[test]
fn a_read_error_is_passed_on() {
    let reader = Trickle {
        input: COMMANDS,
        most: 50,
        reads: 0,
        end: Some(io::ErrorKind::ConnectionReset),
    };
    let mut out = Vec::new();
    let mut s = Summary::default();
    let e = decode_reader(
        reader,
        1024,
        &options(Direction::ClientToServer),
        &mut out,
        &mut s,
    )
    .expect_err("the reader's error");
    assert_eq!(e.kind(), io::ErrorKind::ConnectionReset);
    // What was read before it was decoded and counted.
    assert_eq!(s.bytes, COMMANDS.len() as u64);
    assert_eq!(
        s.messages,
        whole(Direction::ClientToServer, COMMANDS).1.messages
    );
}
