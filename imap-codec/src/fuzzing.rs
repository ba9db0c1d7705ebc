//! Property checks shared by the fuzz targets (`fuzz/`) and the test suite.
//!
//! Each function takes arbitrary bytes and panics when a property of the
//! codec does not hold. `cargo test` replays the seed corpora and every
//! regression input through them (`tests/fuzz_replay.rs`), so CI checks the
//! same properties without a fuzzer.

use crate::decode::{greeting, response, Decoded};
use crate::encode::Encode;

/// Decodes `data` as a server response. When a message decodes, its encoding
/// must decode to an equal value using all of its bytes, and encoding that
/// value again must give the same bytes (the encoding is canonical).
pub fn decode_response(data: &[u8]) {
    if let Ok(Decoded::Complete { message, consumed }) = response(data) {
        assert!(consumed > 0 && consumed <= data.len());
        let once = message.to_vec();
        match response(&once) {
            Ok(Decoded::Complete {
                message: again,
                consumed,
            }) => {
                assert_eq!(
                    consumed,
                    once.len(),
                    "re-encoding not used whole: {:?}",
                    once.escape_ascii().to_string()
                );
                assert_eq!(
                    again,
                    message,
                    "round trip of {:?}",
                    once.escape_ascii().to_string()
                );
                assert_eq!(again.to_vec(), once, "encoding is not canonical");
            }
            other => panic!(
                "encoding {:?} of {message:?} does not decode: {other:?}",
                once.escape_ascii().to_string()
            ),
        }
    }
}

/// Like [`decode_response`], for the greeting.
pub fn decode_greeting(data: &[u8]) {
    if let Ok(Decoded::Complete { message, consumed }) = greeting(data) {
        assert!(consumed > 0 && consumed <= data.len());
        let once = message.to_vec();
        match greeting(&once) {
            Ok(Decoded::Complete {
                message: again,
                consumed,
            }) => {
                assert_eq!(consumed, once.len());
                assert_eq!(
                    again,
                    message,
                    "round trip of {:?}",
                    once.escape_ascii().to_string()
                );
                assert_eq!(again.to_vec(), once, "encoding is not canonical");
            }
            other => panic!(
                "encoding {:?} of {message:?} does not decode: {other:?}",
                once.escape_ascii().to_string()
            ),
        }
    }
}

/// Modified UTF-7: arbitrary bytes never panic the decoder, and what decodes
/// was canonical (re-encodes to the input); valid UTF-8 input encodes and
/// decodes back to itself.
pub fn utf7_mailbox(data: &[u8]) {
    if let Ok(s) = imap_proto::utf7::decode(data) {
        assert_eq!(imap_proto::utf7::encode(&s).as_bytes(), data);
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let e = imap_proto::utf7::encode(s);
        assert_eq!(imap_proto::utf7::decode(e.as_bytes()).as_deref(), Ok(s));
        let mailbox = imap_proto::Mailbox::from_name(s);
        assert_eq!(mailbox.name().as_deref(), Ok(s));
    }
}
