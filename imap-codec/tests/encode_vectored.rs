//! Vectored encoding: the chunks of a [`Vectored`] output, concatenated, are
//! exactly what `encode` writes; shared payloads of at least the threshold
//! are the message's own memory (not copied); literal marks are unchanged.

use bytes::Bytes;
use imapkit_codec::decode::{command, response};
use imapkit_codec::{
    encode_marked_with, encode_vectored, encode_vectored_with, Decoded, Encode, LiteralPolicy,
    Vectored, LITERAL_MINUS_MAX,
};
use imapkit_proto::strategies as st;
use imapkit_proto::{Command, IntoStatic, Response};
use proptest::prelude::*;

/// `n` bytes of message-like text (no NUL, so valid in a `literal`).
fn payload(n: usize) -> Vec<u8> {
    b"Subject: vectored\r\n\r\nabcdefghijklmnopqrstuvwxyz 0123456789\r\n"
        .iter()
        .copied()
        .cycle()
        .take(n)
        .collect()
}

/// `n` bytes with NULs and 8-bit bytes (valid in a `literal8` only).
fn binary_payload(n: usize) -> Vec<u8> {
    (0..n).map(|k| (k * 7 % 256) as u8).collect()
}

fn wire(parts: &[&[u8]]) -> Bytes {
    Bytes::from(parts.concat())
}

/// Decodes `frame` as one response and shares its literals with the frame.
fn shared_response(frame: &Bytes) -> Response<'static> {
    match response(frame) {
        Ok(Decoded::Complete { message, consumed }) => {
            assert_eq!(consumed, frame.len());
            message.into_shared(frame)
        }
        other => panic!("{other:?} for {:?}", frame.escape_ascii().to_string()),
    }
}

/// Decodes `frame` as one command and shares its literals with the frame.
fn shared_command(frame: &Bytes) -> Command<'static> {
    match command(frame) {
        Ok(Decoded::Complete { message, consumed }) => {
            assert_eq!(consumed, frame.len());
            message.into_shared(frame)
        }
        other => panic!("{other:?} for {:?}", frame.escape_ascii().to_string()),
    }
}

fn concat(v: &Vectored) -> Vec<u8> {
    v.chunks().collect::<Vec<_>>().concat()
}

/// `msg` encoded vectored: chunks equal `encode`'s output, the head is that
/// output without the spliced payloads, and every splice sits just after a
/// literal header. Returns the output for further checks.
fn check<T: Encode>(msg: &T, threshold: usize) -> Vectored {
    let mut v = Vectored::with_threshold(threshold);
    encode_vectored(msg, &mut v);
    let plain = msg.to_vec();
    assert_eq!(concat(&v), plain);
    assert_eq!(v.len(), plain.len());
    let spliced: usize = v.splices().iter().map(|s| s.data.len()).sum();
    assert_eq!(v.head().len() + spliced, plain.len());
    for s in v.splices() {
        assert!(s.data.len() >= threshold);
        assert!(v.head()[..s.at].ends_with(b"}\r\n"), "splice at {}", s.at);
    }
    v
}

/// True if `chunk` is memory of `frame` (a slice of it, not a copy).
fn inside(frame: &Bytes, chunk: &[u8]) -> bool {
    let (f, c) = (frame.as_ptr() as usize, chunk.as_ptr() as usize);
    c >= f && c + chunk.len() <= f + frame.len()
}

#[test]
fn fetch_body_payloads_below_at_and_above_the_threshold() {
    for n in [0, 1, 100, 1023, 1024, 1025, 4096, 65_536, 2 << 20] {
        let body = payload(n);
        let header = format!("* 3 FETCH (UID 9 BODY[] {{{n}}}\r\n");
        let frame = wire(&[header.as_bytes(), &body, b")\r\n"]);
        let message = shared_response(&frame);
        let v = check(&message, imapkit_codec::encode::DEFAULT_SPLICE_THRESHOLD);
        let chunks: Vec<&[u8]> = v.chunks().collect();
        if n >= 1024 {
            assert_eq!(v.splices().len(), 1, "{n}");
            assert_eq!(v.splices()[0].at, header.len());
            assert_eq!(chunks, [header.as_bytes(), &body[..], b")\r\n"]);
            assert_eq!(v.head(), [header.as_bytes(), b")\r\n"].concat());
        } else {
            assert!(v.splices().is_empty(), "{n}");
            assert_eq!(chunks, [&frame[..]]);
        }
    }
}

#[test]
fn spliced_payload_is_the_original_memory() {
    let body = payload(100_000);
    let frame = wire(&[b"* 1 FETCH (BODY[] {100000}\r\n", &body, b")\r\n"]);
    let message = shared_response(&frame);
    let mut v = Vectored::new();
    encode_vectored(&message, &mut v);
    let chunks: Vec<&[u8]> = v.chunks().collect();
    assert_eq!(chunks.len(), 3);
    // The payload chunk is the frame's bytes at the literal's place.
    assert_eq!(chunks[1].as_ptr(), frame[28..].as_ptr());
    assert_eq!(chunks[1].len(), 100_000);
    assert_eq!(v.splices()[0].data.as_ptr(), frame[28..].as_ptr());
    // The framing chunks are the head's memory, not the frame's.
    assert!(!inside(&frame, chunks[0]) && !inside(&frame, chunks[2]));
}

#[test]
fn append_command_with_a_shared_literal() {
    let body = payload(5000);
    for header in [
        &b"A1 APPEND INBOX (\\Seen) {5000}\r\n"[..],
        b"A1 APPEND Sent {5000+}\r\n",
        b"A1 APPEND Drafts (\\Draft) \"14-Jul-2024 02:44:25 -0700\" {5000}\r\n",
    ] {
        let frame = wire(&[header, &body, b"\r\n"]);
        let message = shared_command(&frame);
        let v = check(&message, 1024);
        let chunks: Vec<&[u8]> = v.chunks().collect();
        assert_eq!(chunks, [header, &body[..], b"\r\n"]);
        assert_eq!(chunks[1].as_ptr(), frame[header.len()..].as_ptr());
    }
}

#[test]
fn binary_literal8_payloads() {
    let data = binary_payload(3000);
    // BINARY[] in a FETCH response (RFC 3516 §4.2).
    let fetch = wire(&[b"* 2 FETCH (UID 5 BINARY[1] ~{3000}\r\n", &data, b")\r\n"]);
    // APPEND of a literal8 (RFC 3516 §4.4).
    let append = wire(&[b"A2 APPEND INBOX ~{3000+}\r\n", &data, b"\r\n"]);
    // A METADATA value as a literal8 (RFC 5464 §4.4).
    let metadata = wire(&[b"* METADATA INBOX (/shared/x ~{3000}\r\n", &data, b")\r\n"]);
    let outputs = [
        (&fetch, check(&shared_response(&fetch), 1024)),
        (&append, check(&shared_command(&append), 1024)),
        (&metadata, check(&shared_response(&metadata), 1024)),
    ];
    for (frame, v) in outputs {
        assert_eq!(
            v.splices().len(),
            1,
            "{:?}",
            v.head().escape_ascii().to_string()
        );
        assert!(
            v.head()[..v.splices()[0].at].ends_with(b"~{3000}\r\n")
                || v.head()[..v.splices()[0].at].ends_with(b"~{3000+}\r\n")
        );
        let chunks: Vec<&[u8]> = v.chunks().collect();
        assert_eq!(chunks[1], &data[..]);
        assert!(inside(frame, chunks[1]));
    }
}

#[test]
fn borrowed_payloads_are_copied() {
    let body = payload(8192);
    let frame = [&b"* 4 FETCH (BODY[TEXT] {8192}\r\n"[..], &body, b")\r\n"].concat();
    let Ok(Decoded::Complete { message, .. }) = response(&frame) else {
        panic!("a whole response")
    };
    let v = check(&message, 0);
    assert!(v.splices().is_empty());
    assert_eq!(v.head(), frame);
    assert_eq!(v.chunks().count(), 1);

    let append = [&b"A1 APPEND INBOX {8192}\r\n"[..], &body, b"\r\n"].concat();
    let Ok(Decoded::Complete { message, .. }) = command(&append) else {
        panic!("a whole command")
    };
    let v = check(&message, 0);
    assert!(v.splices().is_empty());
    assert_eq!(v.head(), append);
}

#[test]
fn batched_messages_share_one_head() {
    let (a, b) = (payload(2048), binary_payload(4096));
    let frames = [
        wire(&[
            b"* 1 FETCH (UID 10 FLAGS (\\Seen) BODY[] {2048}\r\n",
            &a,
            b")\r\n",
        ]),
        wire(&[
            b"* 2 FETCH (UID 11 BODY[HEADER] {10}\r\n",
            &a[..10],
            b")\r\n",
        ]),
        wire(&[
            b"* 3 FETCH (UID 12 BINARY[] ~{4096}\r\n",
            &b,
            b" BODY[] {2048}\r\n",
            &a,
            b")\r\n",
        ]),
        wire(&[b"A7 OK UID FETCH completed\r\n"]),
    ];
    let messages: Vec<Response<'static>> = frames.iter().map(shared_response).collect();
    let mut v = Vectored::new();
    for m in &messages {
        encode_vectored(m, &mut v);
    }
    let plain: Vec<u8> = messages.iter().flat_map(Encode::to_vec).collect();
    assert_eq!(concat(&v), plain);
    assert_eq!(plain, frames.concat());
    assert_eq!(v.len(), plain.len());
    // Three payloads spliced (the 10-byte one is copied), in order, each
    // just after its header in the common head.
    let sizes: Vec<usize> = v.splices().iter().map(|s| s.data.len()).collect();
    assert_eq!(sizes, [2048, 4096, 2048]);
    let head = v.head();
    assert!(head[..v.splices()[0].at].ends_with(b"BODY[] {2048}\r\n"));
    assert!(head[..v.splices()[1].at].ends_with(b"* 3 FETCH (UID 12 BINARY[] ~{4096}\r\n"));
    assert!(head[..v.splices()[2].at].ends_with(b" BODY[] {2048}\r\n"));
    assert!(inside(&frames[0], &v.splices()[0].data));
    assert!(inside(&frames[2], &v.splices()[1].data));
    assert!(inside(&frames[2], &v.splices()[2].data));

    // Cleared and reused: the same output again.
    v.clear();
    assert!(v.is_empty());
    for m in &messages {
        encode_vectored(m, &mut v);
    }
    assert_eq!(concat(&v), plain);
}

#[test]
fn literal_marks_are_those_of_encode_marked() {
    let (a, b) = (payload(1500), payload(3000));
    let frame = wire(&[b"A1 LOGIN {1500}\r\n", &a, b" {3000+}\r\n", &b, b"\r\n"]);
    let message = shared_command(&frame);
    for policy in [
        LiteralPolicy::AsGiven,
        LiteralPolicy::SyncOnly,
        LiteralPolicy::NonSyncAll,
        LiteralPolicy::NonSyncUpTo(LITERAL_MINUS_MAX),
    ] {
        let (mut plain, mut plain_marks) = (Vec::new(), Vec::new());
        encode_marked_with(&message, &mut plain, &mut plain_marks, policy);
        let (mut v, mut marks) = (Vectored::new(), Vec::new());
        encode_vectored_with(&message, &mut v, &mut marks, policy);
        assert_eq!(marks, plain_marks, "{policy:?}");
        assert_eq!(marks.len(), 2);
        assert_eq!(concat(&v), plain, "{policy:?}");
        assert_eq!(v.splices().len(), 2);
        // A mark's offset in the whole message is its splice's offset in
        // the head plus the payloads spliced before it.
        assert_eq!(marks[0].offset, v.splices()[0].at);
        assert_eq!(marks[1].offset, v.splices()[1].at + 1500);
    }
}

/// `decoded` (decoded from `frame`, whose bytes are `plain`), shared with the
/// frame and encoded vectored, gives `plain` back with the same literal marks.
fn reassembles<T: Encode + IntoStatic>(
    plain: &[u8],
    decoded: T,
    frame: &Bytes,
) -> Result<(), TestCaseError>
where
    T::Static: Encode,
{
    let message = decoded.into_shared(frame);
    // Threshold 0: every literal is spliced, but one of at most
    // `Buf::INLINE_MAX` bytes, which the value holds inline.
    let (mut v, mut marks) = (Vectored::with_threshold(0), Vec::new());
    encode_vectored_with(&message, &mut v, &mut marks, LiteralPolicy::AsGiven);
    prop_assert_eq!(concat(&v), plain);
    prop_assert_eq!(v.len(), plain.len());
    let long = marks
        .iter()
        .filter(|m| m.len as usize > imapkit_proto::Buf::INLINE_MAX)
        .count();
    prop_assert_eq!(v.splices().len(), long);
    for s in v.splices() {
        prop_assert!(s.data.is_empty() || inside(frame, &s.data));
    }
    let (mut out, mut plain_marks) = (Vec::new(), Vec::new());
    encode_marked_with(&message, &mut out, &mut plain_marks, LiteralPolicy::AsGiven);
    prop_assert_eq!(marks, plain_marks);
    // Default threshold: the same bytes.
    let mut v = Vectored::new();
    encode_vectored(&message, &mut v);
    prop_assert_eq!(concat(&v), plain);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn shared_responses_reassemble(r in st::response()) {
        let plain = r.to_vec();
        let frame = Bytes::from(plain.clone());
        let Ok(Decoded::Complete { message, .. }) = response(&frame) else {
            return Err(TestCaseError::fail(format!("{:?}", plain.escape_ascii().to_string())));
        };
        reassembles(&plain, message, &frame)?;
    }

    #[test]
    fn shared_commands_reassemble(c in st::command()) {
        let plain = c.to_vec();
        let frame = Bytes::from(plain.clone());
        let Ok(Decoded::Complete { message, .. }) = command(&frame) else {
            return Err(TestCaseError::fail(format!("{:?}", plain.escape_ascii().to_string())));
        };
        reassembles(&plain, message, &frame)?;
    }
}
