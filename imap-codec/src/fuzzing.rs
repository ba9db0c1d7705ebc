//! Property checks shared by the fuzz targets (`fuzz/`) and the test suite.
//!
//! Each function takes arbitrary bytes and panics when a property of the
//! codec does not hold. `cargo test` replays the seed corpora and every
//! regression input through them (`tests/fuzz_replay.rs`), so CI checks the
//! same properties without a fuzzer.

use crate::decode::{authenticate_data, command, greeting, response, Decoded, ResponseDecoder};
use crate::encode::Encode;
use crate::framer::{Direction, Frame, FrameEvent, Framer, FramerConfig, Lent};

use bytes::Bytes;
use imapkit_proto::{
    Body, BodyKind, BodyStructure, Command, Encapsulated, Envelope, EnvelopeFields, ExtensionTail,
    IntoStatic, LiteralMode, Multipart, MultipartExtension, PartList, Response,
    SinglePartExtension,
};

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
///
/// The decoder that builds owned values directly (the shortest one-line
/// responses and the usual FETCH form, used by
/// `Frame::decode_response_shared`, on a whole frame) must agree:
/// whatever it decodes, the general decoder decodes to the same length
/// and a value equal to the fast one once made owned; and on the message
/// the general decoder finds at the front, alone in its frame as the
/// framer hands it out, it decodes that value or leaves it to the
/// general path.
pub fn decode_response(data: &[u8]) {
    let frame = Bytes::copy_from_slice(data);
    if let Some(fast) = owned_fast_path(&frame) {
        match response(&frame) {
            Ok(Decoded::Complete { message, consumed }) => {
                assert_eq!(consumed, frame.len(), "the owned path ends elsewhere");
                assert_eq!(fast, message.into_shared(&frame), "the owned path");
            }
            other => panic!("the owned path decoded {fast:?}, the decoder {other:?}"),
        }
    }
    if let Ok(Decoded::Complete { message, consumed }) = response(&frame) {
        let alone = frame.slice(..consumed);
        if let Some(fast) = owned_fast_path(&alone) {
            assert_eq!(fast, message.into_shared(&alone), "the owned path, alone");
        }
    }
    if let Ok(Decoded::Complete { message, consumed }) = response(data) {
        assert!(consumed > 0 && consumed <= data.len());
        assert_reencodes!(response, &message);
        // A list copied as received re-decodes to the same bytes, which
        // compare equal without being read: read every element here, and
        // check that the values, encoded one by one, decode back equal.
        let values = materialize(&message, None);
        assert_eq!(values, message, "a list reads differently than it decoded");
        assert_reencodes!(response, &values);
    }
}

/// `message` with every list of ENVELOPE, BODYSTRUCTURE and FETCH FLAGS read
/// from its received bytes into a `Vec` of values (as a program building
/// the message would hold it), made owned by `into_static_in(frame)`
/// (sharing `frame` where the data lies in it). Reading every element also
/// checks that each list reads as many elements as it counted.
pub fn materialize(message: &Response<'_>, frame: Option<&Bytes>) -> Response<'static> {
    use imapkit_proto::{Data, IntoStatic, MessageDataItem as M, Vec1};
    let b = Materialize(frame);
    match message {
        Response::Data(Data::Fetch { seq, items }) => {
            let items: Vec<M<'static>> = items
                .as_slice()
                .iter()
                .map(|item| match item {
                    M::Envelope(e) => M::Envelope(b.envelope(e)),
                    M::BodyStructure(x) => M::BodyStructure(b.body(&x.get()).into()),
                    M::Body(x) => M::Body(b.body(&x.get()).into()),
                    M::Flags(f) => M::Flags(b.list(f.len(), f.iter())),
                    other => other.clone().into_static_in(frame),
                })
                .collect();
            Response::Data(Data::Fetch {
                seq: *seq,
                items: Vec1::try_from(items).expect("a FETCH has items"),
            })
        }
        other => other.clone().into_static_in(frame),
    }
}

/// Deep copies with every wire-form list read into values.
struct Materialize<'f>(Option<&'f Bytes>);

impl Materialize<'_> {
    fn own<T: IntoStatic + Clone>(&self, x: &T) -> T::Static {
        x.clone().into_static_in(self.0)
    }

    fn list<T, L>(&self, len: usize, items: impl Iterator<Item = T>) -> L
    where
        T: IntoStatic,
        L: FromIterator<T::Static>,
    {
        let mut n = 0;
        let out = items
            .inspect(|_| n += 1)
            .map(|x| x.into_static_in(self.0))
            .collect();
        assert_eq!(n, len, "a list read {n} elements but counted {len}");
        out
    }

    fn envelope(&self, e: &Envelope<'_>) -> Envelope<'static> {
        let e = e.fields();
        Envelope::new(EnvelopeFields {
            date: self.own(&e.date),
            subject: self.own(&e.subject),
            from: self.list(e.from.len(), e.from.iter()),
            sender: self.list(e.sender.len(), e.sender.iter()),
            reply_to: self.list(e.reply_to.len(), e.reply_to.iter()),
            to: self.list(e.to.len(), e.to.iter()),
            cc: self.list(e.cc.len(), e.cc.iter()),
            bcc: self.list(e.bcc.len(), e.bcc.iter()),
            in_reply_to: self.own(&e.in_reply_to),
            message_id: self.own(&e.message_id),
        })
    }

    fn tail(&self, t: &Option<ExtensionTail<'_>>) -> Option<ExtensionTail<'static>> {
        let mut owned = self.own(t)?;
        if let (Some(d), Some(Some(received))) = (
            owned.disposition.as_mut(),
            t.as_ref().map(|t| t.disposition.as_ref()),
        ) {
            d.params = self.list(received.params.len(), received.params.iter());
        }
        Some(owned)
    }

    fn body(&self, b: &BodyStructure<'_>) -> BodyStructure<'static> {
        match b {
            BodyStructure::Single(s) => {
                let kind = match &s.kind {
                    BodyKind::Message {
                        media_type,
                        subtype,
                        message,
                        lines,
                    } => {
                        let (env, inner) = message.get();
                        BodyKind::Message {
                            media_type: self.own(media_type),
                            subtype: self.own(subtype),
                            message: Encapsulated::new(self.envelope(&env), self.body(&inner)),
                            lines: *lines,
                        }
                    }
                    other => self.own(other),
                };
                let mut fields = self.own(&s.fields);
                fields.params = self.list(s.fields.params.len(), s.fields.params.iter());
                let extension = s.extension.as_ref().map(|x| SinglePartExtension {
                    md5: self.own(&x.md5),
                    tail: self.tail(&x.tail),
                });
                BodyStructure::Single(Body {
                    kind,
                    fields,
                    extension,
                })
            }
            BodyStructure::Multipart(m) => {
                let mut n = 0;
                let parts: PartList<'static> = m
                    .parts
                    .iter()
                    .inspect(|_| n += 1)
                    .map(|p| self.body(&p))
                    .collect();
                assert_eq!(n, m.parts.len(), "parts read differ from parts counted");
                BodyStructure::Multipart(Multipart {
                    parts,
                    subtype: self.own(&m.subtype),
                    extension: m.extension.as_ref().map(|x| MultipartExtension {
                        params: self.list(x.params.len(), x.params.iter()),
                        tail: self.tail(&x.tail),
                    }),
                })
            }
        }
    }
}

/// Like [`decode_response`], for the greeting.
pub fn decode_greeting(data: &[u8]) {
    if let Ok(Decoded::Complete { message, consumed }) = greeting(data) {
        assert!(consumed > 0 && consumed <= data.len());
        assert_reencodes!(greeting, &message);
    }
}

/// What the owned fast paths of `Frame::decode_response_shared` make of
/// `frame` (a whole frame), if they read it.
fn owned_fast_path(frame: &Bytes) -> Option<Response<'static>> {
    match crate::decode::response_shared(frame, frame) {
        crate::decode::Probe::Short(message) => Some(message),
        crate::decode::Probe::Fetch { seq, list } => {
            crate::decode::fetch_owned(frame, seq, list, Some(frame)).ok()
        }
        crate::decode::Probe::General => None,
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
    if let Ok(s) = imapkit_proto::utf7::decode(data) {
        assert_eq!(imapkit_proto::utf7::encode(&s).as_bytes(), data);
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let e = imapkit_proto::utf7::encode(s);
        assert_eq!(imapkit_proto::utf7::decode(e.as_bytes()).as_deref(), Ok(s));
        let mailbox = imapkit_proto::Mailbox::from_name(s);
        if s.eq_ignore_ascii_case("INBOX") {
            // INBOX is case-insensitive (RFC 9051 §5.1): any case is the inbox.
            assert_eq!(mailbox, imapkit_proto::Mailbox::Inbox);
        } else {
            assert_eq!(mailbox.name().as_deref(), Ok(s));
        }
    }
}

/// The framer gives the same events whatever the chunking, and (feature
/// `fuzzing`, as the fuzz targets build) with its fast readings of lines
/// turned off (`Framer::set_exact_scan_only`: the counts that prove the
/// limits, the quotes of a line that ends in a literal header, the scan
/// state left to compute after it); its buffer stays within the
/// configured limits.
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

    let run_with = |exact: bool, sizes: &mut dyn FnMut() -> usize| -> Vec<FrameEvent> {
        let mut f = Framer::new(config.clone());
        #[cfg(feature = "fuzzing")]
        f.set_exact_scan_only(exact);
        #[cfg(not(feature = "fuzzing"))]
        let _ = exact;
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
    let run = |sizes: &mut dyn FnMut() -> usize| run_with(false, sizes);
    let whole = run(&mut || usize::MAX);
    // The fast readings of lines give what the byte-by-byte scan gives
    // (with the `fuzzing` feature, as the fuzz targets build; the framer's
    // own property tests check it in every test run).
    if cfg!(feature = "fuzzing") {
        let mut k = 0usize;
        let exact = run_with(true, &mut || {
            k += 1;
            [3, 1, 17, 64][k % 4]
        });
        assert_eq!(whole, exact, "the fast paths and the exact scan disagree");
    }
    let mut k = 0usize;
    let pattern = [(*d as usize % 7) + 1, (*d as usize / 7 % 13) + 1, 1, 64];
    let chunked = run(&mut || {
        k += 1;
        pattern[k % pattern.len()]
    });
    assert_eq!(whole, chunked);
    let bytewise = run(&mut || 1);
    assert_eq!(whole, bytewise);
    // Lent (`poll_lent`): the same messages at the same offsets, some
    // taken with `into_frame`, some copied while lent, the others
    // released and copied from `Framer::released` after the loan ended.
    let mut k = 0usize;
    let mut f = Framer::new(config.clone());
    let mut lent = Vec::new();
    for piece in stream.chunks(pattern[1]) {
        f.push(piece);
        loop {
            // The event, and whether its message was released (then its
            // bytes are read back after the loan ended).
            let (event, released) = match f.poll_lent() {
                None => break,
                Some(Lent::Frame(frame)) => {
                    if direction == Direction::ServerToClient {
                        // What the Client builds without a frame is what
                        // the general path decodes.
                        if let Some(r) = frame.decode_response_without_frame() {
                            assert_eq!(Ok(r), crate::decode::response_general_whole(frame.bytes()));
                        }
                    } else if let Some(c) = frame.decode_command_without_frame() {
                        // What the Server builds without a frame is what
                        // the streaming decoder reads, made owned.
                        let bytes = frame.bytes();
                        assert!(frame.streamed_literals() == 0 && bytes.len() <= 256);
                        assert_eq!(memchr::memchr(b'\n', bytes), Some(bytes.len() - 1));
                        match command(bytes) {
                            Ok(Decoded::Complete { message, consumed }) => {
                                assert_eq!(consumed, bytes.len());
                                assert_eq!(c, message.into_static());
                            }
                            other => panic!("copied {c:?}, streamed {other:?}"),
                        }
                    }
                    if k % 3 == 0 {
                        (FrameEvent::Frame(frame.into_frame()), false)
                    } else {
                        let copy = Frame {
                            bytes: Bytes::copy_from_slice(frame.bytes()),
                            offset: frame.offset(),
                            streamed_literals: frame.streamed_literals(),
                            gaps: frame.gaps(),
                        };
                        let released = k % 3 == 2;
                        if released {
                            frame.release();
                        }
                        (FrameEvent::Frame(copy), released)
                    }
                }
                Some(Lent::Event(event)) => (event, false),
            };
            k += 1;
            if let (true, FrameEvent::Frame(frame)) = (released, &event) {
                // Released: its bytes stay readable until the next read.
                assert_eq!(f.released(), &frame.bytes[..]);
            }
            lent.push(event);
        }
        assert!(
            f.buffered() <= bound,
            "buffer {} above {bound}",
            f.buffered()
        );
    }
    assert_eq!(whole, lent);
    // Frames decode without panicking (errors are fine).
    for ev in &whole {
        if let FrameEvent::Frame(frame) = ev {
            match direction {
                Direction::ServerToClient => {
                    let owned = frame.decode_response().map(|r| r.into_shared(&frame.bytes));
                    assert_eq!(frame.decode_response_shared(), owned);
                    let general = crate::decode::response_general_whole(&frame.bytes);
                    assert_eq!(frame.decode_response(), general);
                }
                _ => {
                    let owned = frame.decode_command().map(|c| c.into_shared(&frame.bytes));
                    assert_eq!(frame.decode_command_shared(), owned);
                }
            }
        }
    }
}

/// The framer and the whole-buffer decoders agree on every message
/// boundary and every literal (issue 14): for each message the framer
/// reports, the decoder run on the stream from that message's first byte
///
/// - returns the frame's length (or fails inside the frame) when the
///   framer framed it;
/// - ends where the framer resumes (or fails) when the framer skipped the
///   message after an error (a limit): the framer's resync lands on the
///   decoder's boundary;
/// - reports each literal the framer announced, at the same offset with
///   the same length (decoded up to the literal's first data byte, it
///   announces that literal);
/// - does not find a message end within the stream where the framer
///   found none.
///
/// The events are the same whatever the chunking (checked against a
/// chunked run). The first four bytes choose the direction, small limits
/// or the defaults, lenient LF, line mode (AUTHENTICATE lines) or a
/// greeting first, and a chunking pattern; the rest is the stream.
pub fn framer_decoder_agree(data: &[u8]) {
    let [a, b, c, d, stream @ ..] = data else {
        return;
    };
    let direction = if a & 1 == 0 {
        Direction::ServerToClient
    } else {
        Direction::ClientToServer
    };
    let mut config = FramerConfig::new(direction);
    config.announce_literals = true;
    config.lenient_lf = a & 2 != 0;
    if a & 4 != 0 {
        config.max_line = 16 + usize::from(*b) * 2;
        config.max_literal = u64::from(*c);
        config.max_append_literal = u64::from(*c) / 2;
        config.max_message = config.max_line * 3 + usize::from(*c);
        config.max_depth = u32::from(*d & 7);
        config.max_list_items = u32::from(*d >> 3);
    }
    let line_mode = direction == Direction::ClientToServer && a & 8 != 0;
    let greeting = direction == Direction::ServerToClient && a & 8 != 0;
    let lone_lf = ResponseDecoder {
        lone_lf: config.lenient_lf,
    };
    let decode = |k: usize, input: &[u8]| -> Outcome {
        match direction {
            Direction::ServerToClient if greeting && k == 0 => {
                Outcome::of(lone_lf.decode_greeting(input))
            }
            Direction::ServerToClient => Outcome::of(lone_lf.decode(input)),
            Direction::ClientToServer if line_mode => Outcome::of(authenticate_data(input)),
            Direction::ClientToServer => Outcome::of(command(input)),
        }
    };

    // The events, and where the message under way at the end of the stream
    // starts: `Ok(None)` between messages, `Err(())` while one is skipped.
    type End = Result<Option<u64>, ()>;
    let run = |sizes: &mut dyn FnMut() -> usize| -> (Vec<FrameEvent>, End) {
        let mut f = Framer::new(config.clone());
        f.set_line_mode(line_mode);
        let mut events = Vec::new();
        let mut rest = stream;
        while !rest.is_empty() {
            let n = sizes().clamp(1, rest.len());
            f.push(&rest[..n]);
            rest = &rest[n..];
            while let Some(ev) = f.poll_event() {
                events.push(ev);
            }
        }
        let end = if f.at_boundary() {
            Ok(None)
        } else if f.buffered() > 0 {
            // Not skipping: the buffer starts with the current message.
            Ok(Some(f.stats().consumed))
        } else {
            Err(())
        };
        (events, end)
    };
    let (events, stream_end) = run(&mut || usize::MAX);
    let mut k = 0usize;
    let pattern = [(*d as usize % 5) + 1, (*d as usize / 5 % 11) + 1, 1, 37];
    let chunked = run(&mut || {
        k += 1;
        pattern[k % pattern.len()]
    });
    assert_eq!(
        (&events, stream_end),
        (&chunked.0, chunked.1),
        "chunking changes the events"
    );

    // The messages the framer saw, in order: where each starts, how it
    // ended (a frame's length, or an error), and its announced literals
    // (data offset, length).
    type Seen = (u64, Option<Result<usize, u64>>, Vec<(u64, u64)>);
    let mut messages: Vec<Seen> = Vec::new();
    let mut literals = Vec::new();
    for ev in &events {
        match ev {
            FrameEvent::LiteralAnnounced { len, offset, .. } => literals.push((*offset, *len)),
            FrameEvent::Frame(f) => messages.push((
                f.offset,
                Some(Ok(f.bytes.len())),
                std::mem::take(&mut literals),
            )),
            FrameEvent::Error(e) => {
                messages.push((e.offset, Some(Err(e.at)), std::mem::take(&mut literals)));
            }
            _ => {}
        }
    }
    // The next message's start (for the last one, the end of the stream if
    // the framer ended between messages); `None` while it is skipped.
    let resume = |m: usize| -> Option<usize> {
        match (messages.get(m + 1), stream_end) {
            (Some((start, ..)), _) => Some(*start as usize),
            (None, Ok(None)) => Some(stream.len()),
            (None, Ok(Some(p))) => Some(p as usize),
            (None, Err(())) => None,
        }
    };
    let show = |s: usize, e: usize| stream[s..e.min(stream.len())].escape_ascii().to_string();

    for (m, (start, end, lits)) in messages.iter().enumerate() {
        let s = *start as usize;
        let whole = decode(m, &stream[s..]);
        if !matches!(whole, Outcome::Err(_)) {
            for &(o, len) in lits {
                let got = decode(m, &stream[s..o as usize]);
                let want = if len == 0 {
                    Outcome::Incomplete
                } else {
                    Outcome::Literal(len)
                };
                assert_eq!(
                    got,
                    want,
                    "literal at {o} of the message at {s}: {:?}",
                    show(s, o as usize + 16)
                );
            }
        }
        match end {
            Some(Ok(len)) => match whole {
                Outcome::Complete(n) => {
                    assert_eq!(
                        n,
                        *len,
                        "frame of {len} bytes, decoder used {n}: {:?}",
                        show(s, s + len.max(&n))
                    );
                    assert_eq!(decode(m, &stream[s..s + len]), Outcome::Complete(*len));
                }
                Outcome::Err(at) => {
                    assert!(
                        at < *len,
                        "the decoder fails at {at}, after the frame of {len}: {:?}",
                        show(s, s + len)
                    );
                    assert!(matches!(decode(m, &stream[s..s + len]), Outcome::Err(_)));
                }
                other => panic!(
                    "frame of {len} bytes, decoder: {other:?}: {:?}",
                    show(s, s + len)
                ),
            },
            Some(Err(_)) => {
                let r = resume(m);
                if direction == Direction::ClientToServer
                    && r.is_some_and(|r| ends_with_sync_header(&stream[s..r]))
                {
                    // The client waits for a `+` that does not come: the
                    // framer does not skip the literal (by design).
                    continue;
                }
                match (whole, r) {
                    (Outcome::Complete(n), r) => assert_eq!(
                        r,
                        Some(s + n),
                        "after an error the framer resumes at {r:?}, the decoder ends at {}: {:?}",
                        s + n,
                        show(s, s + n)
                    ),
                    (Outcome::Err(_), _) | (_, None) => {}
                    (other, Some(r)) => panic!(
                        "after an error the framer resumes at {r}, the decoder: {other:?}: {:?}",
                        show(s, r)
                    ),
                }
            }
            None => {}
        }
    }
    if let Ok(Some(s)) = stream_end {
        // The stream ends inside a message: the decoder must not find its end.
        let (s, m) = (s as usize, messages.len());
        let whole = decode(m, &stream[s..]);
        assert!(
            !matches!(whole, Outcome::Complete(_)),
            "the decoder ends a message the framer has not: {:?}",
            show(s, stream.len())
        );
        if !matches!(whole, Outcome::Err(_)) {
            for &(o, len) in &literals {
                let got = decode(m, &stream[s..o as usize]);
                let want = if len == 0 {
                    Outcome::Incomplete
                } else {
                    Outcome::Literal(len)
                };
                assert_eq!(got, want, "literal at {o} of the last message");
            }
        }
    }
}

/// Whether `message` (its lines as the framer sees them) ends with a line
/// ending in a synchronizing literal header.
fn ends_with_sync_header(message: &[u8]) -> bool {
    let Some(line) = message.strip_suffix(b"\n") else {
        return false;
    };
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    imapkit_proto::lex::literal_header(line).is_some_and(|h| h.mode == LiteralMode::Sync)
}

/// A decoder's outcome, without the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Complete(usize),
    Incomplete,
    Literal(u64),
    Err(usize),
}

impl Outcome {
    fn of<T>(d: Result<Decoded<'_, T>, crate::DecodeError>) -> Self {
        match d {
            Ok(Decoded::Complete { consumed, .. }) => Self::Complete(consumed),
            Ok(Decoded::Incomplete) => Self::Incomplete,
            Ok(Decoded::LiteralAnnounced { len, .. }) => Self::Literal(u64::from(len)),
            Err(e) => Self::Err(e.offset),
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
