//! Encoders: write messages into a caller-supplied buffer, marking literal boundaries.
//!
//! They live next to the types (rather than in `imapkit-codec`, which
//! re-exports them) so that messages can implement `Display` as their wire
//! form. They write canonical RFC 9051 / RFC 3501 syntax.

mod command;
pub(crate) mod core;
mod fetch;
mod fragments;
mod options;
mod response;
mod vectored;

use crate::lex::Class;
use bytes::{BufMut, Bytes};

use crate::{Buf, LiteralMode};

pub use self::fragments::{encode_fragments, Fragment, Fragments};
use self::options::Strings;
pub use self::options::{EncodeOptions, LiteralPolicy, LITERAL_MINUS_MAX};
pub use self::vectored::{
    encode_vectored, encode_vectored_for, encode_vectored_with, Chunks, Splice, Vectored,
    DEFAULT_SPLICE_THRESHOLD,
};

/// Where a literal's data starts in encoded output ([`encode_marked`]).
///
/// A client that sends a synchronizing literal (`{n}`) writes the bytes up to
/// `offset`, waits for the server's `+`, then goes on.
///
/// The offset counts from the start of *this message's* encoding, not from
/// the start of the buffer it was appended to: if the buffer already held
/// `n` bytes, the data starts at `buf[n + offset]`. [`encode_fragments`]
/// gives offsets into the buffer instead, and is the simpler way to send a
/// command with literals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiteralMark {
    /// Offset, from the start of this message's encoding (not of the
    /// buffer), of the first data byte (just after the header's CRLF).
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
    literals: LiteralPolicy,
    strings: Strings,
    /// How human-readable text is written (as `strings`, for `text`).
    text: Strings,
    /// Write `<redacted>` for credentials (`Display`).
    redact: bool,
    splices: Option<SpliceSink<'b>>,
}

/// Where a vectored [`Writer`] records the literal payloads it does not copy.
struct SpliceSink<'b> {
    splices: &'b mut Vec<Splice>,
    /// Shared payloads of at least this many bytes are spliced.
    threshold: usize,
    /// Length of the head buffer when the writer started.
    head_start: usize,
    /// Payload bytes spliced so far (counted in `written`, not in the buffer).
    spliced: usize,
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
            literals: LiteralPolicy::AsGiven,
            strings: Strings::AsGiven,
            text: Strings::AsGiven,
            redact: false,
            splices: None,
        }
    }

    /// A writer that also records where literal data starts.
    pub fn with_marks(buf: &'b mut B, marks: &'b mut Vec<LiteralMark>) -> Self {
        Writer {
            buf,
            written: 0,
            marks: Some(marks),
            literals: LiteralPolicy::AsGiven,
            strings: Strings::AsGiven,
            text: Strings::AsGiven,
            redact: false,
            splices: None,
        }
    }

    /// The same writer, writing literals as `policy` says.
    #[must_use]
    pub fn with_literal_policy(mut self, policy: LiteralPolicy) -> Self {
        self.literals = policy;
        self
    }

    /// The same writer, writing for a peer as `options` say: literal syntax
    /// by [`EncodeOptions::literals`], and a quoted string that holds
    /// non-ASCII bytes as a literal unless [`EncodeOptions::utf8`] (and it
    /// is valid UTF-8).
    #[must_use]
    pub fn with_options(mut self, options: &EncodeOptions) -> Self {
        self.literals = options.literals;
        self.strings = if options.utf8 {
            Strings::Utf8
        } else {
            Strings::Ascii
        };
        self.text = if options.utf8_text {
            Strings::Utf8
        } else {
            Strings::Ascii
        };
        self
    }

    /// The same writer, writing `<redacted>` in place of credentials (a
    /// LOGIN password, SASL data): for `Display` and logs.
    #[must_use]
    pub fn redacting(mut self) -> Self {
        self.redact = true;
        self
    }

    /// Whether the peer takes UTF-8 (a session with `UTF8=ACCEPT` enabled
    /// or IMAP4rev2 in use): `None` for a writer without
    /// [`EncodeOptions`], which writes values as they are held.
    pub(crate) fn utf8_session(&self) -> Option<bool> {
        match self.strings {
            Strings::AsGiven => None,
            Strings::Ascii => Some(false),
            Strings::Utf8 => Some(true),
        }
    }

    /// Writes human-readable `bytes` (`text`, or a response code's
    /// arguments when `seven_bit`) for this peer: as they are for a writer
    /// without [`EncodeOptions`]; else with `?` for each invalid UTF-8
    /// sequence, and for each non-ASCII character too when `seven_bit` or
    /// the peer takes no UTF-8 text ([`EncodeOptions::utf8_text`]).
    #[inline]
    pub(crate) fn put_text(&mut self, bytes: &[u8], seven_bit: bool) {
        if self.text == Strings::AsGiven || bytes.is_ascii() {
            return self.put(bytes);
        }
        self.put_text_8bit(bytes, seven_bit);
    }

    /// [`put_text`](Self::put_text) of text with 8-bit bytes, for a peer.
    #[cold]
    fn put_text_8bit(&mut self, bytes: &[u8], seven_bit: bool) {
        let ascii_only = seven_bit || self.text == Strings::Ascii;
        if !ascii_only && std::str::from_utf8(bytes).is_ok() {
            return self.put(bytes);
        }
        for chunk in bytes.utf8_chunks() {
            let valid = chunk.valid();
            if ascii_only {
                let mut ascii = valid.split(|c: char| !c.is_ascii());
                if let Some(first) = ascii.next() {
                    self.put(first.as_bytes());
                }
                for part in ascii {
                    self.put_u8(b'?');
                    self.put(part.as_bytes());
                }
            } else {
                self.put(valid.as_bytes());
            }
            if !chunk.invalid().is_empty() {
                self.put_u8(b'?');
            }
        }
    }

    /// Whether credentials are written as `<redacted>`.
    pub fn redacts(&self) -> bool {
        self.redact
    }

    /// Whether the content of a quoted string (`string`, `astring` or
    /// `nstring` position) must go as a literal for this peer: non-ASCII
    /// bytes to a peer without UTF-8 support, invalid UTF-8 to any peer.
    #[inline(always)]
    pub(crate) fn quoted_needs_literal(&self, content: &[u8]) -> bool {
        match self.strings {
            Strings::AsGiven => false,
            Strings::Ascii => !content.is_ascii(),
            Strings::Utf8 => !content.is_ascii() && std::str::from_utf8(content).is_err(),
        }
    }

    /// Whether a decoded list's bytes as received may be copied: their
    /// strings suit this peer. (These lists occur in responses only, where
    /// a literal never waits for a continuation: a literal inside is copied
    /// without a mark.)
    #[inline]
    pub(crate) fn can_copy(&self, bytes: &[u8]) -> bool {
        match self.strings {
            Strings::AsGiven => true,
            Strings::Ascii => bytes.is_ascii(),
            Strings::Utf8 => bytes.is_ascii() || std::str::from_utf8(bytes).is_ok(),
        }
    }

    /// Writes `bytes`, a decoded value's bytes as received, when there are
    /// any and they may be copied ([`can_copy`](Self::can_copy)); whether
    /// it did (if not, the caller encodes the value).
    #[inline]
    pub(crate) fn put_verbatim(&mut self, bytes: Option<&[u8]>) -> bool {
        match bytes.filter(|b| self.can_copy(b)) {
            Some(b) => {
                self.put(b);
                true
            }
            None => false,
        }
    }

    /// The same writer, recording shared literal payloads of at least
    /// `threshold` bytes in `splices` instead of copying them; `head_start`
    /// is the length of the buffer before this writer's first byte.
    fn splicing(
        mut self,
        splices: &'b mut Vec<Splice>,
        threshold: usize,
        head_start: usize,
    ) -> Self {
        self.splices = Some(SpliceSink {
            splices,
            threshold,
            head_start,
            spliced: 0,
        });
        self
    }

    /// Runs `f` with synchronizing literals only: what a server writes
    /// (RFC 7888 §3: a non-synchronizing literal "MUST NOT be sent from
    /// server to client"), whatever mode a value's literals hold.
    #[inline]
    pub(crate) fn server_literals(&mut self, f: impl FnOnce(&mut Self)) {
        let policy = std::mem::replace(&mut self.literals, LiteralPolicy::SyncOnly);
        f(self);
        self.literals = policy;
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
    ///
    /// `data` is a byte slice or a [`Buf`] (or [`Bytes`]). A vectored writer
    /// ([`encode_vectored`]) writes the header only for a shared payload of
    /// at least its threshold and records a [`Splice`] of it instead of
    /// copying the data; [`Writer::written`] counts the data either way.
    pub fn put_literal<D: Payload + ?Sized>(&mut self, data: &D, mode: LiteralMode, binary: bool) {
        let (data, shared) = (data.bytes(), data.shared());
        let mode = self.literals.mode_for(mode, data.len());
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
        if let (Some(sink), Some(shared)) = (self.splices.as_mut(), shared) {
            if data.len() >= sink.threshold {
                sink.splices.push(Splice {
                    at: sink.head_start + self.written - sink.spliced,
                    data: shared.clone(),
                });
                sink.spliced += data.len();
                self.written += data.len();
                return;
            }
        }
        self.put(data);
    }

    /// Appends the raw bytes of a generic message (an unknown command's
    /// arguments, an unknown response) without its final CRLF, as it was
    /// received or built, and records a [`LiteralMark`] for every literal
    /// in it, found by the framer's rules: a client writing an unknown
    /// command with a synchronizing literal still waits for `+`. The
    /// literal headers are written as they are (the [`LiteralPolicy`] does
    /// not rewrite them).
    pub(crate) fn put_generic(&mut self, raw: &[u8]) {
        let start = self.written;
        self.put(raw);
        let Some(marks) = self.marks.as_deref_mut() else {
            return;
        };
        // The last line has no line end here: `walk` reports the lines
        // before it and stops.
        let _ = crate::lex::scan::walk(raw, Class::Data, |l| -> Result<(), ()> {
            if let Some(h) = &l.header {
                marks.push(LiteralMark {
                    offset: start + l.lf + 1,
                    len: u32::try_from(h.len).unwrap_or(u32::MAX),
                    mode: h.mode,
                });
            }
            Ok(())
        });
    }

    /// Bytes written so far.
    pub fn written(&self) -> usize {
        self.written
    }
}

/// A literal's data as [`Writer::put_literal`] takes it: its bytes and, when
/// they are held in a shared [`Bytes`], that buffer (which a vectored writer
/// references instead of copying).
pub trait Payload {
    /// The data.
    fn bytes(&self) -> &[u8];
    /// The same data as shared storage, if it is held so.
    fn shared(&self) -> Option<&Bytes>;
}

impl Payload for [u8] {
    #[inline]
    fn bytes(&self) -> &[u8] {
        self
    }
    #[inline]
    fn shared(&self) -> Option<&Bytes> {
        None
    }
}

impl<const N: usize> Payload for [u8; N] {
    #[inline]
    fn bytes(&self) -> &[u8] {
        self
    }
    #[inline]
    fn shared(&self) -> Option<&Bytes> {
        None
    }
}

impl Payload for Bytes {
    #[inline]
    fn bytes(&self) -> &[u8] {
        self
    }
    #[inline]
    fn shared(&self) -> Option<&Bytes> {
        Some(self)
    }
}

impl Payload for Buf<'_> {
    #[inline]
    fn bytes(&self) -> &[u8] {
        self.as_bytes()
    }
    #[inline]
    fn shared(&self) -> Option<&Bytes> {
        self.as_shared()
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

impl<T: Encode + Clone> Encode for std::borrow::Cow<'_, T> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        (**self).encode(w)
    }
}

/// Writes `items` separated by `sep`.
pub(crate) fn join<B: BufMut, T: Encode>(
    w: &mut Writer<'_, B>,
    items: impl IntoIterator<Item = T>,
    sep: &[u8],
) {
    for (k, x) in items.into_iter().enumerate() {
        if k > 0 {
            w.put(sep);
        }
        x.encode(w);
    }
}

/// Writes `"(" items ")"` separated by spaces.
pub(crate) fn paren<B: BufMut, T: Encode>(
    w: &mut Writer<'_, B>,
    items: impl IntoIterator<Item = T>,
) {
    w.put_u8(b'(');
    join(w, items, b" ");
    w.put_u8(b')');
}

/// Writes `"(" k1 SP v1 SP k2 SP v2 ... ")"`: the attribute/value lists of
/// ID, SETMETADATA and METADATA.
pub(crate) fn paren_pairs<'p, B: BufMut, K: Encode + 'p, V: Encode + 'p>(
    w: &mut Writer<'_, B>,
    pairs: impl IntoIterator<Item = &'p (K, V)>,
) {
    w.put_u8(b'(');
    for (k, (key, value)) in pairs.into_iter().enumerate() {
        if k > 0 {
            w.put_u8(b' ');
        }
        key.encode(w);
        w.put_u8(b' ');
        value.encode(w);
    }
    w.put_u8(b')');
}

/// Encodes `msg` into `buf`, literals inline, every value in the form it
/// holds (a decoded message re-encodes as it came, in canonical syntax).
///
/// The output is one piece: right for responses and for tests, but a client
/// that writes a command with a synchronizing literal in one go breaks the
/// wait-for-`+` rule (RFC 9051 §4.3). Send commands with
/// [`encode_fragments`], which also adapts literals and 8-bit strings to
/// the server ([`EncodeOptions`]).
pub fn encode<B: BufMut, T: Encode + ?Sized>(msg: &T, buf: &mut B) {
    msg.encode(&mut Writer::new(buf));
}

/// Encodes `msg` into `buf` for a peer as `options` say (literal syntax,
/// 8-bit strings), literals inline: for a server's responses to a client
/// with or without UTF-8 support.
///
/// ```
/// use imapkit_proto::encode::{encode_with, EncodeOptions};
/// use imapkit_proto::{Data, NString, Response};
///
/// let id = Response::Data(Data::Id(Some(vec![("name".into(), NString::from("Dovecot ✓"))])));
/// let mut out = Vec::new();
/// encode_with(&id, &mut out, &EncodeOptions::default());
/// assert_eq!(out, "* ID (\"name\" {11}\r\nDovecot ✓)\r\n".as_bytes());
/// out.clear();
/// encode_with(&id, &mut out, &EncodeOptions { utf8: true, ..Default::default() });
/// assert_eq!(out, "* ID (\"name\" \"Dovecot ✓\")\r\n".as_bytes());
/// ```
pub fn encode_with<B: BufMut, T: Encode + ?Sized>(msg: &T, buf: &mut B, options: &EncodeOptions) {
    msg.encode(&mut Writer::new(buf).with_options(options));
}

/// Like [`encode_marked`], writing literals as `policy` says (for the
/// server's LITERAL+ / LITERAL- capability). Offsets count from the start
/// of this message, not of `buf`; see [`encode_fragments`].
///
/// ```
/// use imapkit_proto::encode::{encode_marked_with, LiteralPolicy, LITERAL_MINUS_MAX};
/// use imapkit_proto::{AppendData, AppendMessage, Command, CommandBody, Literal, LiteralMode, Mailbox, Tag};
///
/// let input = b"A1 APPEND INBOX {5+}\r\nhello\r\n";
/// let literal = Literal::try_new(&b"hello"[..]).unwrap().with_mode(LiteralMode::NonSync);
/// let message = Command::new(
///     Tag::try_from("A1").unwrap(),
///     CommandBody::Append {
///         mailbox: Mailbox::Inbox,
///         messages: AppendMessage::new(AppendData::Literal(literal)).into(),
///     },
/// );
/// let (mut out, mut marks) = (Vec::new(), Vec::new());
/// encode_marked_with(&message, &mut out, &mut marks, LiteralPolicy::SyncOnly);
/// assert_eq!(out, b"A1 APPEND INBOX {5}\r\nhello\r\n");
/// out.clear();
/// encode_marked_with(&message, &mut out, &mut marks, LiteralPolicy::NonSyncUpTo(LITERAL_MINUS_MAX));
/// assert_eq!(out, input);
/// ```
pub fn encode_marked_with<B: BufMut, T: Encode + ?Sized>(
    msg: &T,
    buf: &mut B,
    marks: &mut Vec<LiteralMark>,
    policy: LiteralPolicy,
) {
    msg.encode(&mut Writer::with_marks(buf, marks).with_literal_policy(policy));
}

/// Encodes `msg` into `buf` and appends a [`LiteralMark`] to `marks` for every
/// literal, so a client can pause after each synchronizing literal's header.
///
/// The marks' offsets count from the start of this message's encoding, not
/// of `buf` (see [`LiteralMark`]); [`encode_fragments`] gives offsets into
/// `buf` and is the simpler way to send a command.
pub fn encode_marked<B: BufMut, T: Encode + ?Sized>(
    msg: &T,
    buf: &mut B,
    marks: &mut Vec<LiteralMark>,
) {
    msg.encode(&mut Writer::with_marks(buf, marks));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_policy() {
        use LiteralMode::{NonSync, Sync};
        assert_eq!(LiteralPolicy::AsGiven.mode_for(NonSync, 10), NonSync);
        assert_eq!(LiteralPolicy::SyncOnly.mode_for(NonSync, 10), Sync);
        assert_eq!(LiteralPolicy::NonSyncAll.mode_for(Sync, 1 << 20), NonSync);
        let minus = LiteralPolicy::NonSyncUpTo(LITERAL_MINUS_MAX);
        assert_eq!(minus.mode_for(NonSync, 4096), NonSync);
        assert_eq!(minus.mode_for(NonSync, 4097), Sync);
        assert_eq!(minus.mode_for(Sync, 10), NonSync);
        assert_eq!(minus.mode_for(Sync, 4097), Sync);
    }

    #[test]
    fn marks_follow_the_policy() {
        let mut out = Vec::new();
        let mut marks = Vec::new();
        let mut w =
            Writer::with_marks(&mut out, &mut marks).with_literal_policy(LiteralPolicy::SyncOnly);
        w.put(b"A1 APPEND INBOX ");
        w.put_literal(b"hello", LiteralMode::NonSync, false);
        w.put(b"\r\n");
        assert_eq!(out, b"A1 APPEND INBOX {5}\r\nhello\r\n");
        assert_eq!(
            marks,
            vec![LiteralMark {
                offset: 21,
                len: 5,
                mode: LiteralMode::Sync
            }]
        );
    }
}
