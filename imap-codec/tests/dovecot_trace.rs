//! The recorded Dovecot 2.3 session (`tests/data/dovecot/`, recorded with
//! `scripts/record-dovecot-session.py`) decodes message by message, and every
//! message re-encodes to a value that decodes the same.

use imap_codec::decode::response;
use imap_codec::{Decoded, Encode};

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
