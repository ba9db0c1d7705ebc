//! Encoders: write messages into a caller-supplied buffer, marking literal boundaries.

mod command;
pub(crate) mod core;
mod fetch;
mod response;

use bytes::BufMut;
use imap_proto::LiteralMode;

/// Where a literal's data starts in encoded output.
///
/// A client that sends a synchronizing literal (`{n}`) writes the bytes up to
/// `offset`, waits for the server's `+`, then goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiteralMark {
    /// Offset, from the start of this message's encoding, of the first data byte
    /// (just after the header's CRLF).
    pub offset: usize,
    /// Length of the data.
    pub len: u32,
    /// Synchronizing or not.
    pub mode: LiteralMode,
}

/// Writes one message into a buffer; used by every [`Encode`] implementation.
pub struct Writer<'b, B: BufMut> {
    buf: &'b mut B,
    written: usize,
    marks: Option<&'b mut Vec<LiteralMark>>,
}

impl<B: BufMut> std::fmt::Debug for Writer<'_, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("written", &self.written)
            .finish()
    }
}

impl<'b, B: BufMut> Writer<'b, B> {
    /// A writer appending to `buf`.
    pub fn new(buf: &'b mut B) -> Self {
        Writer {
            buf,
            written: 0,
            marks: None,
        }
    }

    /// A writer that also records where literal data starts.
    pub fn with_marks(buf: &'b mut B, marks: &'b mut Vec<LiteralMark>) -> Self {
        Writer {
            buf,
            written: 0,
            marks: Some(marks),
        }
    }

    /// Appends raw bytes.
    #[inline]
    pub fn put(&mut self, bytes: &[u8]) {
        self.buf.put_slice(bytes);
        self.written += bytes.len();
    }

    /// Appends one byte.
    #[inline]
    pub fn put_u8(&mut self, b: u8) {
        self.buf.put_u8(b);
        self.written += 1;
    }

    /// Appends a number in decimal.
    #[inline]
    pub fn put_num(&mut self, n: u64) {
        let mut tmp = [0u8; 20];
        let mut k = tmp.len();
        let mut n = n;
        loop {
            k -= 1;
            tmp[k] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.put(&tmp[k..]);
    }

    /// Appends a literal: header, CRLF and data, recording a [`LiteralMark`].
    pub fn put_literal(&mut self, data: &[u8], mode: LiteralMode, binary: bool) {
        if binary {
            self.put_u8(b'~');
        }
        self.put_u8(b'{');
        self.put_num(data.len() as u64);
        if mode == LiteralMode::NonSync {
            self.put_u8(b'+');
        }
        self.put(b"}\r\n");
        if let Some(marks) = self.marks.as_deref_mut() {
            marks.push(LiteralMark {
                offset: self.written,
                // Lengths above u32::MAX cannot be decoded either; saturate.
                len: u32::try_from(data.len()).unwrap_or(u32::MAX),
                mode,
            });
        }
        self.put(data);
    }

    /// Bytes written so far.
    pub fn written(&self) -> usize {
        self.written
    }
}

/// A message or data item that can be encoded.
pub trait Encode {
    /// Writes `self` in canonical syntax.
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>);

    /// Encodes into a new `Vec`, for tests and one-off use.
    fn to_vec(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.encode(&mut Writer::new(&mut v));
        v
    }
}

impl<T: Encode + ?Sized> Encode for &T {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        (**self).encode(w)
    }
}

/// Writes `items` separated by `sep`.
pub(crate) fn join<B: BufMut, T: Encode>(w: &mut Writer<'_, B>, items: &[T], sep: &[u8]) {
    for (k, x) in items.iter().enumerate() {
        if k > 0 {
            w.put(sep);
        }
        x.encode(w);
    }
}

/// Writes `"(" items ")"` separated by spaces.
pub(crate) fn paren<B: BufMut, T: Encode>(w: &mut Writer<'_, B>, items: &[T]) {
    w.put_u8(b'(');
    join(w, items, b" ");
    w.put_u8(b')');
}

/// Encodes `msg` into `buf`, literals inline.
pub fn encode<B: BufMut, T: Encode + ?Sized>(msg: &T, buf: &mut B) {
    msg.encode(&mut Writer::new(buf));
}

/// Encodes `msg` into `buf` and appends a [`LiteralMark`] to `marks` for every
/// literal, so a client can pause after each synchronizing literal's header.
pub fn encode_marked<B: BufMut, T: Encode + ?Sized>(
    msg: &T,
    buf: &mut B,
    marks: &mut Vec<LiteralMark>,
) {
    msg.encode(&mut Writer::with_marks(buf, marks));
}
