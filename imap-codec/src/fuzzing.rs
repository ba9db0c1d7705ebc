//! Property checks shared by the fuzz targets (`fuzz/`) and the test suite.
//!
//! Each function takes arbitrary bytes and panics when a property of the
//! codec does not hold. `cargo test` replays the seed corpora and every
//! regression input through them (`tests/fuzz_replay.rs`), so CI checks the
//! same properties without a fuzzer.

use crate::decode::{command, greeting, response, Decoded};
use crate::encode::Encode;
use crate::framer::{Direction, FrameEvent, Framer, FramerConfig};
use imap_proto::{Command, Response};

/// Checks that `$value`, a message decoded by `$decode`, encodes to bytes
/// that `$decode` reads whole back into an equal value, and that encoding
/// that value gives the same bytes again (the encoding is canonical).
macro_rules! assert_reencodes {
    ($decode:path, $value:expr) => {{
        let value = $value;
        let once = value.to_vec();
        match $decode(&once) {
            Ok(Decoded::Complete {
                message: again,
                consumed,
            }) => {
                let shown = once.escape_ascii().to_string();
                assert_eq!(
                    consumed,
                    once.len(),
                    "re-encoding not used whole: {shown:?}"
                );
                assert_eq!(&again, value, "round trip of {shown:?}");
                assert_eq!(again.to_vec(), once, "encoding is not canonical: {shown:?}");
            }
            other => panic!(
                "encoding {:?} of {value:?} does not decode: {other:?}",
                once.escape_ascii().to_string()
            ),
        }
    }};
}

/// Decodes `data` as a server response. When a message decodes, its encoding
/// must decode to an equal value using all of its bytes, and encoding that
/// value again must give the same bytes (the encoding is canonical).
pub fn decode_response(data: &[u8]) {
    if let Ok(Decoded::Complete { message, consumed }) = response(data) {
        assert!(consumed > 0 && consumed <= data.len());
        assert_reencodes!(response, &message);
    }
}

/// Like [`decode_response`], for the greeting.
pub fn decode_greeting(data: &[u8]) {
    if let Ok(Decoded::Complete { message, consumed }) = greeting(data) {
        assert!(consumed > 0 && consumed <= data.len());
        assert_reencodes!(greeting, &message);
    }
}

/// Like [`decode_response`], for client commands.
pub fn decode_command(data: &[u8]) {
    if let Ok(Decoded::Complete { message, consumed }) = command(data) {
        assert!(consumed > 0 && consumed <= data.len());
        assert_reencodes!(command, &message);
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
        if s.eq_ignore_ascii_case("INBOX") {
            // INBOX is case-insensitive (RFC 9051 §5.1): any case is the inbox.
            assert_eq!(mailbox, imap_proto::Mailbox::Inbox);
        } else {
            assert_eq!(mailbox.name().as_deref(), Ok(s));
        }
    }
}

/// The framer gives the same events whatever the chunking, and its buffer
/// stays within the configured limits.
///
/// The first four bytes choose the direction, small limits (the item limit
/// from the line and literal bytes, 0 to 31), literal streaming and a
/// chunking pattern; the rest is the stream.
pub fn framer_chunks(data: &[u8]) {
    let [a, b, c, d, stream @ ..] = data else {
        return;
    };
    let direction = if a & 1 == 0 {
        Direction::ServerToClient
    } else {
        Direction::ClientToServer
    };
    let mut config = FramerConfig::new(direction);
    config.max_line = 64 + (*b as usize) * 8;
    config.max_literal = 16 + (*c as u64) * 32;
    config.max_append_literal = config.max_literal / 2;
    config.max_message = config.max_line + config.max_literal as usize * 2;
    config.max_depth = 1 + (a >> 4) as u32;
    config.max_list_items = u32::from(b ^ c) % 32;
    config.lenient_lf = a & 2 != 0;
    if a & 4 != 0 {
        config.stream_literals_above = Some(8);
        config.stream_chunk = 5;
    }
    let bound = config.max_message + config.stream_chunk + 4096;

    let run = |sizes: &mut dyn FnMut() -> usize| -> Vec<FrameEvent> {
        let mut f = Framer::new(config.clone());
        let mut events = Vec::new();
        let mut rest = stream;
        while !rest.is_empty() {
            let n = sizes().clamp(1, rest.len());
            f.push(&rest[..n]);
            rest = &rest[n..];
            while let Some(ev) = f.poll_event() {
                events.push(ev);
            }
            assert!(
                f.buffered() <= bound,
                "buffer {} above {bound}",
                f.buffered()
            );
        }
        events
    };
    let whole = run(&mut || usize::MAX);
    let mut k = 0usize;
    let pattern = [(*d as usize % 7) + 1, (*d as usize / 7 % 13) + 1, 1, 64];
    let chunked = run(&mut || {
        k += 1;
        pattern[k % pattern.len()]
    });
    assert_eq!(whole, chunked);
    let bytewise = run(&mut || 1);
    assert_eq!(whole, bytewise);
    // Frames decode without panicking (errors are fine).
    for ev in &whole {
        if let FrameEvent::Frame(frame) = ev {
            match direction {
                Direction::ServerToClient => {
                    let _ = frame.decode_response();
                }
                _ => {
                    let _ = frame.decode_command();
                }
            }
        }
    }
}

/// A structured command: its encoding decodes to the same value and is canonical.
pub fn roundtrip_command(c: &Command<'_>) {
    assert_reencodes!(command, c);
}

/// A structured response: its encoding decodes to the same value and is canonical.
pub fn roundtrip_response(r: &Response<'_>) {
    assert_reencodes!(response, r);
}
