//! The trace decoder (`imap-decode`) never prints credentials, on its error
//! paths either (issue 14, defect G), and reports an input that ends while
//! a message is being skipped (defect H).

use imap_examples::trace::{decode_stream, Options, Summary};
use imapkit_codec::framer::Direction;

fn trace(direction: Direction, input: &[u8]) -> (String, Summary) {
    let mut out = Vec::new();
    let mut s = Summary::default();
    let mut o = Options::new(direction);
    o.roundtrip = true;
    decode_stream(input, &o, &mut out, &mut s).expect("write to a Vec");
    // The same in 1-byte chunks.
    let mut again = Vec::new();
    let mut s2 = Summary::default();
    o.chunk = Some(1);
    decode_stream(input, &o, &mut again, &mut s2).expect("write to a Vec");
    assert_eq!(out, again);
    (String::from_utf8(out).expect("UTF-8 output"), s)
}

fn assert_hidden(out: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!out.contains(secret), "{secret:?} printed:\n{out}");
    }
    assert!(out.contains("<redacted>"), "{out}");
}

#[test]
fn defect_g_login_that_does_not_decode() {
    let (out, s) = trace(
        Direction::ClientToServer,
        b"a1 LOGIN alice hunter2secret extra\r\na2 NOOP\r\n",
    );
    assert_hidden(&out, &["hunter2secret", "alice"]);
    assert!(out.contains("<redacted> (36 bytes)"), "{out}");
    assert!(out.contains("Noop"), "{out}");
    assert_eq!((s.messages, s.errors), (1, 1));
}

#[test]
fn defect_g_decoded_login_and_roundtrip() {
    let (out, s) = trace(
        Direction::ClientToServer,
        b"a1 LOGIN alice {13}\r\nhunter2secret\r\n",
    );
    assert!(!out.contains("hunter2secret"), "{out}");
    assert_eq!((s.messages, s.errors, s.mismatches), (1, 0, 0));
}

#[test]
fn defect_g_unpadded_sasl_line() {
    // base64 of "\0alice\0hunter2secret" without its padding.
    let (out, s) = trace(
        Direction::ClientToServer,
        b"a1 AUTHENTICATE PLAIN\r\nAGFsaWNlAGh1bnRlcjJzZWNyZXQ\r\na2 NOOP\r\n",
    );
    assert_hidden(&out, &["AGFsaWNlAGh1bnRlcjJzZWNyZXQ"]);
    assert!(out.contains("Noop"), "{out}");
    assert_eq!((s.messages, s.errors), (2, 1));
    // A padded line decodes, and prints redacted by `Debug`.
    let (out, s) = trace(
        Direction::ClientToServer,
        b"a1 AUTHENTICATE PLAIN\r\nAGFsaWNlAGh1bnRlcjJzZWNyZXQ=\r\n",
    );
    assert_hidden(&out, &["AGFsaWNl", "hunter2secret"]);
    assert_eq!((s.messages, s.errors), (2, 0));
}

#[test]
fn defect_g_overlong_login_line() {
    let mut input = b"a1 LOGIN alice hunter2secret".to_vec();
    input.extend(std::iter::repeat_n(b'x', 70_000));
    input.extend_from_slice(b"\r\na2 NOOP\r\n");
    let (out, s) = trace(Direction::ClientToServer, &input);
    assert_hidden(&out, &["hunter2secret"]);
    assert!(out.contains("line exceeds limit"), "{out}");
    assert_eq!((s.messages, s.errors), (1, 1));
}

#[test]
fn defect_g_refused_literal_data() {
    // The literal is too large: the framer refuses it and does not skip
    // its data (a client waits for `+`); this client sent it anyway.
    let (out, s) = trace(
        Direction::ClientToServer,
        b"a1 LOGIN alice {99999999999}\r\nhunter2secret\r\na2 NOOP\r\n",
    );
    assert_hidden(&out, &["hunter2secret", "alice"]);
    assert!(out.contains("Noop"), "{out}");
    assert_eq!((s.messages, s.errors), (1, 2));
}

#[test]
fn defect_h_input_ending_while_a_literal_is_skipped() {
    // A bare LF ends the header line: the message is skipped, its literal
    // data too, and the input ends in that data.
    let (out, s) = trace(Direction::ServerToClient, b"* 1 FETCH (BODY[] {10}\nabc");
    assert!(out.contains("ends inside a message"), "{out}");
    assert_eq!(s.errors, 2);
}

#[test]
fn embedded_sessions_decode_without_errors() {
    let responses = include_bytes!("../../imap-codec/tests/data/dovecot/session.responses");
    let (_, s) = trace(Direction::ServerToClient, responses);
    assert_eq!((s.errors, s.mismatches), (0, 0));
    let commands = include_bytes!("../../imap-codec/tests/data/dovecot/session.commands");
    let (_, s) = trace(Direction::ClientToServer, commands);
    assert_eq!((s.errors, s.mismatches), (0, 0));
}
