//! Property checks shared by the fuzz targets (`fuzz/`) and the test suite.
//!
//! Each function takes arbitrary bytes and panics when a property of the
//! codec does not hold. `cargo test` replays the seed corpora and every
//! regression input through them (`tests/fuzz_replay.rs`), so CI checks the
//! same properties without a fuzzer.

use crate::decode::{command, greeting, response, Decoded};
use crate::encode::Encode;
use crate::framer::{Direction, FrameEvent, Framer, FramerConfig};

use bytes::Bytes;
use imapkit_proto::{
    Body, BodyKind, BodyStructure, Command, Encapsulated, Envelope, ExtensionTail, IntoStatic,
    Multipart, MultipartExtension, PartList, Response, SinglePartExtension,
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
pub fn decode_response(data: &[u8]) {
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
                    M::BodyStructure(x) => M::BodyStructure(b.body(x)),
                    M::Body(x) => M::Body(b.body(x)),
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
        Envelope {
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
        }
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
