//! The output queue of a session: encoded responses waiting for the
//! application to take them, with a byte limit for backpressure.
//!
//! Messages are encoded by `imapkit_codec` into a [`Vectored`]: large
//! literal payloads held in shared [`Bytes`](bytes::Bytes) (a FETCH
//! `BODY[]` the application read from its store) are referenced, not
//! copied, until the application takes the output. The queue never refuses
//! a message (the session decides what to queue); it reports when it is
//! [full](OutBuf::is_full) so that the session stops reading input, and it
//! gives its memory back when drained ([`OutBuf::shrink`]).

use imapkit_codec::{encode_vectored_for, Encode, EncodeOptions, LiteralMark, Vectored};

/// Encoded output not yet taken by the application.
#[derive(Debug)]
pub(crate) struct OutBuf {
    out: Vectored,
    /// Scratch for the encoder's literal marks (cleared after each message).
    marks: Vec<LiteralMark>,
    /// Bytes at or above which the queue is full.
    limit: usize,
    /// How messages are written: literal syntax (servers: synchronizing
    /// only) and whether quoted strings may hold UTF-8.
    options: EncodeOptions,
    /// The most bytes queued since the last [`shrink`](Self::shrink) (the
    /// codec's `Vectored` does not expose its capacity): a bound on what its
    /// buffers hold. `usize::MAX` after a swap, whose buffers are the caller's.
    peak: usize,
}

impl OutBuf {
    /// Capacity kept when the queue is drained; larger buffers are freed.
    pub(crate) const KEEP: usize = 512;

    /// An empty queue that is full at `limit` bytes, writing messages as
    /// `options` say.
    pub(crate) fn new(limit: usize, options: EncodeOptions) -> Self {
        Self {
            out: Vectored::new(),
            marks: Vec::new(),
            limit,
            options,
            peak: 0,
        }
    }

    /// From the next message on, quoted strings may hold UTF-8 (the peer
    /// enabled it), or go as literals when they hold non-ASCII bytes; and
    /// response text may hold UTF-8 (`text`), or goes 7-bit.
    pub(crate) fn set_utf8(&mut self, utf8: bool, text: bool) {
        self.options.utf8 = utf8;
        self.options.utf8_text = text;
    }

    /// Appends one encoded message.
    pub(crate) fn push<T: Encode + ?Sized>(&mut self, msg: &T) {
        encode_vectored_for(msg, &mut self.out, &mut self.marks, &self.options);
        self.marks.clear();
        let held = self.out.head().len() + size_of_val(self.out.splices());
        self.peak = self.peak.max(held);
    }

    /// Bytes queued (spliced payloads included).
    pub(crate) fn len(&self) -> usize {
        self.out.len()
    }

    /// Whether nothing is queued.
    pub(crate) fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    /// Whether the queue holds `limit` bytes or more.
    pub(crate) fn is_full(&self) -> bool {
        self.out.len() >= self.limit
    }

    /// Appends everything queued to `buf` and empties the queue; returns how
    /// many bytes were appended.
    pub(crate) fn take_into(&mut self, buf: &mut Vec<u8>) -> usize {
        let n = self.out.len();
        buf.reserve(n);
        for chunk in self.out.chunks() {
            buf.extend_from_slice(chunk);
        }
        self.out.clear();
        n
    }

    /// Hands everything queued over in `out` (which is cleared first) by
    /// swapping buffers, without copying; returns the length handed over.
    pub(crate) fn swap_into(&mut self, out: &mut Vectored) -> usize {
        out.clear();
        std::mem::swap(&mut self.out, out);
        self.peak = usize::MAX;
        out.len()
    }

    /// Frees the buffers if nothing is queued and they may have grown past
    /// [`KEEP`](Self::KEEP) bytes since the last shrink.
    pub(crate) fn shrink(&mut self) {
        if !self.out.is_empty() {
            return;
        }
        if self.peak > Self::KEEP {
            self.out = Vectored::with_threshold(self.out.threshold());
        }
        self.peak = 0;
        if self.marks.capacity() > 4 {
            self.marks = Vec::new();
        }
    }
}
