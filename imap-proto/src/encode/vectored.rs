//! Vectored encoding: large literal payloads held as shared [`Bytes`] are
//! referenced, not copied, so that a server can send them with one `writev`.

use std::iter::FusedIterator;

use bytes::Bytes;

use super::{Encode, EncodeOptions, LiteralMark, LiteralPolicy, Writer};

/// Shared literal payloads shorter than this many bytes are copied into the
/// head by [`Vectored::new`] (an extra I/O slice costs more than copying them).
pub const DEFAULT_SPLICE_THRESHOLD: usize = 1024;

/// A literal payload that goes into the output at offset `at` of
/// [`Vectored::head`], referenced instead of copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Splice {
    /// Offset in the head where the payload belongs: just after its
    /// literal header's CRLF, before the bytes that follow the literal.
    pub at: usize,
    /// The payload: a clone of the message's [`Bytes`] (a reference count
    /// increment, no copy).
    pub data: Bytes,
}

/// Encoded output in pieces: a head buffer with the framing bytes, and the
/// large shared literal payloads that go between them ([`Splice`]s).
///
/// Fill it with [`encode_vectored`] (one or more messages, one after
/// another), send [`Vectored::chunks`] in order (e.g. with
/// `write_vectored`), then [`Vectored::clear`] it for the next batch: its
/// buffers keep their capacity, so encoding into a reused `Vectored` does
/// not allocate.
///
/// Only payloads held as [`Buf::shared`](crate::Buf::shared) (or given as [`Bytes`])
/// and at least [`Vectored::threshold`] bytes long are spliced; borrowed
/// payloads (a message still borrowing its decoder's input) are copied into
/// the head. [`IntoStatic::into_shared`](crate::IntoStatic::into_shared)
/// turns a decoded message into one whose literals share the frame it was
/// decoded from.
#[derive(Debug, Clone)]
pub struct Vectored {
    head: Vec<u8>,
    /// In output order: `at` never decreases and is at most `head.len()`.
    splices: Vec<Splice>,
    threshold: usize,
    /// Total length of the spliced payloads.
    spliced: usize,
}

impl Vectored {
    /// An empty output that splices shared payloads of at least
    /// [`DEFAULT_SPLICE_THRESHOLD`] bytes.
    pub fn new() -> Self {
        Self::with_threshold(DEFAULT_SPLICE_THRESHOLD)
    }

    /// An empty output that splices shared payloads of at least `threshold`
    /// bytes (`0`: every shared payload, `usize::MAX`: none).
    pub fn with_threshold(threshold: usize) -> Self {
        Self {
            head: Vec::new(),
            splices: Vec::new(),
            threshold,
            spliced: 0,
        }
    }

    /// Empties the output, keeping the buffers' capacity (and dropping the
    /// references to the spliced payloads).
    pub fn clear(&mut self) {
        self.head.clear();
        self.splices.clear();
        self.spliced = 0;
    }

    /// The framing bytes: everything but the spliced payloads.
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// The spliced payloads, in output order, with offsets into [`Vectored::head`].
    pub fn splices(&self) -> &[Splice] {
        &self.splices
    }

    /// The smallest shared payload that is spliced rather than copied.
    pub fn threshold(&self) -> usize {
        self.threshold
    }

    /// Length of the whole output: head and spliced payloads.
    pub fn len(&self) -> usize {
        self.head.len() + self.spliced
    }

    /// True if nothing has been encoded since the last [`Vectored::clear`].
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The output in wire order: pieces of the head and the spliced payloads,
    /// alternating (empty pieces are left out). Concatenated, they are what
    /// [`encode`](super::encode) writes for the same messages.
    pub fn chunks(&self) -> Chunks<'_> {
        Chunks {
            head: &self.head,
            pos: 0,
            splices: self.splices.iter(),
            payload: None,
        }
    }

    /// The head buffer and the splices, e.g. to turn the head into [`Bytes`]
    /// without copying (`Bytes::from(head)`).
    pub fn into_parts(self) -> (Vec<u8>, Vec<Splice>) {
        (self.head, self.splices)
    }
}

impl Default for Vectored {
    fn default() -> Self {
        Self::new()
    }
}

/// The pieces of a [`Vectored`] output in wire order (see [`Vectored::chunks`]).
#[derive(Debug, Clone)]
pub struct Chunks<'a> {
    head: &'a [u8],
    /// Where the next head piece starts.
    pos: usize,
    splices: std::slice::Iter<'a, Splice>,
    /// The payload that comes after the head piece just returned.
    payload: Option<&'a Bytes>,
}

impl<'a> Iterator for Chunks<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        loop {
            if let Some(p) = self.payload.take() {
                if !p.is_empty() {
                    return Some(p);
                }
            }
            let end = match self.splices.next() {
                Some(s) => {
                    self.payload = Some(&s.data);
                    s.at
                }
                None if self.pos < self.head.len() => self.head.len(),
                None => return None,
            };
            let piece = &self.head[self.pos..end];
            self.pos = end;
            if !piece.is_empty() {
                return Some(piece);
            }
        }
    }
}

impl FusedIterator for Chunks<'_> {}

/// Appends `msg` to `out`, referencing its large shared literal payloads
/// instead of copying them (see [`Vectored`]).
///
/// Several messages can be encoded into the same `out` one after another (a
/// batch of responses): each [`Splice::at`] is an offset into the whole
/// head, and [`Vectored::chunks`] yields the batch in order.
///
/// ```
/// use std::io::{IoSlice, Write};
/// use std::num::NonZeroU32;
///
/// use bytes::Bytes;
/// use imapkit_proto::encode::{encode_vectored, Encode, Vectored};
/// use imapkit_proto::{Buf, Data, IString, Literal, MessageDataItem, NString, Response, Section};
///
/// // A response a server builds, its 4 KiB body a `Bytes` of its mail store.
/// let body = Bytes::from("x".repeat(4096));
/// let literal = Literal::try_new(Buf::shared(body.clone())).unwrap();
/// let message = Response::Data(Data::Fetch {
///     seq: NonZeroU32::MIN,
///     items: MessageDataItem::BodySection {
///         section: Section::whole(),
///         origin: None,
///         data: NString(Some(IString::Literal(literal))),
///     }
///     .into(),
/// });
///
/// let mut out = Vectored::new();
/// encode_vectored(&message, &mut out);
/// encode_vectored(&message, &mut out); // a batch of two
/// assert_eq!(out.head(), b"* 1 FETCH (BODY[] {4096}\r\n)\r\n* 1 FETCH (BODY[] {4096}\r\n)\r\n");
/// assert_eq!(out.len(), 2 * (4096 + 29));
///
/// // Header, body, `)\r\n` + the second header, body, `)\r\n`: the bodies
/// // are the store's own memory.
/// let chunks: Vec<&[u8]> = out.chunks().collect();
/// assert_eq!(chunks.len(), 5);
/// assert_eq!(chunks[1].as_ptr(), body.as_ptr());
///
/// // One `writev` for the batch (a `Vec<u8>` takes it all at once; a socket
/// // may take less, then continue after the bytes it took).
/// let slices: Vec<IoSlice<'_>> = out.chunks().map(IoSlice::new).collect();
/// let mut wire = Vec::new();
/// assert_eq!(wire.write_vectored(&slices).unwrap(), out.len());
/// assert_eq!(wire, [message.to_vec(), message.to_vec()].concat());
/// out.clear(); // ready for the next batch, capacity kept
/// ```
pub fn encode_vectored<T: Encode + ?Sized>(msg: &T, out: &mut Vectored) {
    let start = out.head.len();
    let mut w = Writer::new(&mut out.head).splicing(&mut out.splices, out.threshold, start);
    msg.encode(&mut w);
    let written = w.written();
    out.spliced += written - (out.head.len() - start);
}

/// Like [`encode_vectored`], writing literals as `policy` says and appending
/// a [`LiteralMark`] to `marks` for every literal (a client sending a large
/// APPEND pauses after each synchronizing literal's header).
///
/// The marks are those of [`encode_marked_with`](super::encode_marked_with):
/// offsets from the start of this message's whole encoding, spliced
/// payloads included, not offsets into [`Vectored::head`].
pub fn encode_vectored_with<T: Encode + ?Sized>(
    msg: &T,
    out: &mut Vectored,
    marks: &mut Vec<LiteralMark>,
    policy: LiteralPolicy,
) {
    encode_marked_into(msg, out, marks, |w| w.with_literal_policy(policy));
}

/// Like [`encode_vectored_with`], writing for a peer as `options` say: the
/// literal syntax it takes, and a quoted string holding non-ASCII bytes as
/// a literal unless the peer takes UTF-8 (RFC 6855 §3, RFC 9051 §4.3). A
/// server writes its responses so for a client that has not enabled
/// UTF-8.
///
/// ```
/// use imapkit_proto::encode::{encode_vectored_for, EncodeOptions, Vectored};
/// use imapkit_proto::{Data, NString, Response};
///
/// let id = Response::Data(Data::Id(Some(vec![("name".into(), NString::from("日本"))])));
/// let (mut out, mut marks) = (Vectored::new(), Vec::new());
/// encode_vectored_for(&id, &mut out, &mut marks, &EncodeOptions::default());
/// assert_eq!(out.head(), "* ID (\"name\" {6}\r\n日本)\r\n".as_bytes());
/// out.clear();
/// let utf8 = EncodeOptions { utf8: true, ..EncodeOptions::default() };
/// encode_vectored_for(&id, &mut out, &mut marks, &utf8);
/// assert_eq!(out.head(), "* ID (\"name\" \"日本\")\r\n".as_bytes());
/// ```
pub fn encode_vectored_for<T: Encode + ?Sized>(
    msg: &T,
    out: &mut Vectored,
    marks: &mut Vec<LiteralMark>,
    options: &EncodeOptions,
) {
    encode_marked_into(msg, out, marks, |w| w.with_options(options));
}

/// Encodes `msg` into `out` with a marking writer that `configure` sets up
/// for the peer.
#[inline]
fn encode_marked_into<T: Encode + ?Sized>(
    msg: &T,
    out: &mut Vectored,
    marks: &mut Vec<LiteralMark>,
    configure: impl for<'w> FnOnce(Writer<'w, Vec<u8>>) -> Writer<'w, Vec<u8>>,
) {
    let start = out.head.len();
    let mut w = configure(Writer::with_marks(&mut out.head, marks)).splicing(
        &mut out.splices,
        out.threshold,
        start,
    );
    msg.encode(&mut w);
    let written = w.written();
    out.spliced += written - (out.head.len() - start);
}

#[cfg(test)]
mod tests {
    use crate::LiteralMode;

    use super::*;

    fn concat(v: &Vectored) -> Vec<u8> {
        v.chunks().collect::<Vec<_>>().concat()
    }

    /// Three literals: shared below the threshold, shared at it, borrowed.
    struct Three;

    impl Encode for Three {
        fn encode<B: bytes::BufMut>(&self, w: &mut Writer<'_, B>) {
            w.put(b"A ");
            w.put_literal(&Bytes::from_static(b"abc"), LiteralMode::Sync, false);
            w.put(b" ");
            w.put_literal(&Bytes::from_static(b"abcd"), LiteralMode::NonSync, true);
            w.put(b" ");
            w.put_literal(b"borrowed", LiteralMode::Sync, false);
            w.put(b"\r\n");
        }
    }

    #[test]
    fn only_shared_payloads_at_the_threshold_are_spliced() {
        let mut v = Vectored::with_threshold(4);
        encode_vectored(&Three, &mut v);
        assert_eq!(v.head(), b"A {3}\r\nabc ~{4+}\r\n {8}\r\nborrowed\r\n");
        assert_eq!(
            v.splices(),
            [Splice {
                at: 18,
                data: Bytes::from_static(b"abcd")
            }]
        );
        assert_eq!(concat(&v), Three.to_vec());
        assert_eq!(v.len(), 38);
        // A second message: offsets into the whole head.
        encode_vectored(&Three, &mut v);
        assert_eq!(v.splices()[1].at, 34 + 18);
        assert_eq!(concat(&v), [Three.to_vec(), Three.to_vec()].concat());
        assert_eq!(v.len(), 76);
        v.clear();
        assert!(v.is_empty() && v.splices().is_empty() && v.chunks().next().is_none());
    }

    #[test]
    fn chunks_leave_out_empty_pieces() {
        let v = Vectored {
            head: b"ab".to_vec(),
            splices: vec![
                Splice {
                    at: 0,
                    data: Bytes::from_static(b"1"),
                },
                Splice {
                    at: 2,
                    data: Bytes::new(),
                },
                Splice {
                    at: 2,
                    data: Bytes::from_static(b"2"),
                },
            ],
            threshold: 0,
            spliced: 2,
        };
        let chunks: Vec<&[u8]> = v.chunks().collect();
        assert_eq!(chunks, [&b"1"[..], b"ab", b"2"]);
        assert_eq!(Vectored::new().chunks().next(), None);
    }
}
