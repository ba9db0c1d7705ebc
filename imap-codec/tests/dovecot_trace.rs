//! The recorded Dovecot 2.3 session (`tests/data/dovecot/`, recorded with
//! `scripts/record-dovecot-session.py`) decodes message by message, and every
//! message re-encodes to a value that decodes the same.

use imapkit_codec::decode::response;
use imapkit_codec::framer::{Direction, FrameEvent, Framer, FramerConfig};
use imapkit_codec::{Decoded, Encode};

const RESPONSES: &[u8] = include_bytes!("data/dovecot/session.responses");

#[test]
fn dovecot_responses_decode_and_roundtrip() {
    let mut pos = 0;
    let mut messages = 0;
    while pos < RESPONSES.len() {
        let input = &RESPONSES[pos..];
        match response(input) {
            Ok(Decoded::Complete { message, consumed }) => {
                let again = message.to_vec();
                match response(&again) {
                    Ok(Decoded::Complete {
                        message: m2,
                        consumed: c2,
                    }) => {
                        assert_eq!(c2, again.len());
                        assert_eq!(m2, message, "at offset {pos}");
                    }
                    other => panic!("re-encoding at offset {pos} does not decode: {other:?}"),
                }
                pos += consumed;
                messages += 1;
            }
            other => {
                let end = input
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(input.len(), |p| p + 1);
                panic!(
                    "offset {pos}: {other:?} on {:?}",
                    String::from_utf8_lossy(&input[..end.min(300)])
                );
            }
        }
    }
    assert_eq!(messages, 298);
}

const COMMANDS: &[u8] = include_bytes!("data/dovecot/session.commands");

/// Frames and decodes a whole stream fed in `chunk`-byte pieces; returns each
/// message re-encoded (or the error) in order.
fn trace(direction: Direction, input: &[u8], chunk: usize) -> Vec<Result<Vec<u8>, String>> {
    let mut framer = Framer::new(FramerConfig::new(direction));
    let mut out = Vec::new();
    for piece in input.chunks(chunk) {
        framer.push(piece);
        while let Some(ev) = framer.poll_event() {
            match ev {
                FrameEvent::Frame(f) => out.push(
                    match direction {
                        Direction::ServerToClient => f.decode_response().map(|r| r.to_vec()),
                        _ => f.decode_command().map(|c| c.to_vec()).or_else(|e| {
                            f.decode_idle_done()
                                .map(|()| b"DONE\r\n".to_vec())
                                .map_err(|_| e)
                        }),
                    }
                    .map_err(|e| format!("{e} in frame at {}", f.offset)),
                ),
                FrameEvent::Error(e) => out.push(Err(e.to_string())),
                _ => {}
            }
        }
    }
    assert_eq!(framer.buffered(), 0);
    out
}

#[test]
fn dovecot_session_through_the_framer_in_any_chunking() {
    for (direction, input, count) in [
        (Direction::ServerToClient, RESPONSES, 298),
        (Direction::ClientToServer, COMMANDS, 84),
    ] {
        let whole = trace(direction, input, input.len());
        assert_eq!(whole.len(), count);
        for m in &whole {
            assert!(m.is_ok(), "{m:?}");
        }
        for chunk in [4096, 64, 7, 1] {
            assert_eq!(trace(direction, input, chunk), whole, "chunk {chunk}");
        }
    }
}
