//! Encoders of the grammar's building blocks.

use bytes::BufMut;

use crate::{
    AString, Atom, AtomExt, AuthMechanism, Capability, Date, DateTime, Flag, FlagFetch, FlagPerm,
    IString, Literal, LiteralMode, Mailbox, NString, Quoted, Section, SectionText, SeqOrUid,
    Sequence, SequenceSet, StatusAttribute, Tag, Text, Vec1, MONTHS,
};

use super::{join, paren_pairs, Encode, Writer};

macro_rules! raw {
    ($($t:ident),*) => {$(
        impl Encode for $t<'_> {
            #[inline]
            fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
                w.put(self.as_bytes())
            }
        }
    )*};
}
raw!(Atom, AtomExt, Tag);

impl Encode for Text<'_> {
    /// `text`: as held, or for a peer ([`EncodeOptions`](super::EncodeOptions))
    /// 7-bit unless it takes UTF-8 text (`utf8_text`), each non-ASCII
    /// character then written as `?` (RFC 3501 §9 `TEXT-CHAR`, RFC 9051 §9:
    /// "Non-ASCII text can only be returned after ENABLE IMAP4rev2"), and
    /// never invalid UTF-8. The text is for humans: a stand-in loses
    /// nothing a program reads, where 8-bit bytes break a strict parser.
    #[inline]
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.put_text(self.as_bytes(), false);
    }
}

impl Encode for Quoted<'_> {
    #[inline]
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        put_quoted(w, b"\"", self.as_bytes());
    }
}

/// Writes `prefix` (which ends with the opening `"`), the content of a quoted
/// string, escaped where needed, and the closing `"`.
///
/// Callers that write a separator before a string pass it in `prefix` (e.g.
/// `b" \""`): one `put` fewer per string.
#[inline(always)]
pub(crate) fn put_quoted<B: BufMut, const N: usize>(
    w: &mut Writer<'_, B>,
    prefix: &[u8; N],
    b: &[u8],
) {
    w.put(prefix);
    // Fast path: nothing to escape (almost every string).
    if needs_escape(b) {
        put_escaped(w, b);
    } else {
        w.put(b);
    }
    w.put_u8(b'"');
}

/// Writes the byte `sep`, then `s`; a quoted string's opening `"` joins `sep`
/// in one `put` (the hot path of envelopes and body structures).
#[inline(always)]
pub(crate) fn put_sep_istring<B: BufMut>(w: &mut Writer<'_, B>, sep: u8, s: &IString<'_>) {
    match s {
        IString::Quoted(q) => {
            let b = q.as_bytes();
            if w.quoted_needs_literal(b) {
                w.put_u8(sep);
                put_quoted_as_literal(w, b);
            } else {
                put_quoted(w, &[sep, b'"'], b);
            }
        }
        IString::Literal(l) => {
            w.put_u8(sep);
            l.encode(w);
        }
    }
}

/// Writes the byte `sep`, then `s` (`NIL` or a string), as [`put_sep_istring`].
#[inline(always)]
pub(crate) fn put_sep_nstring<B: BufMut>(w: &mut Writer<'_, B>, sep: u8, s: &NString<'_>) {
    match &s.0 {
        Some(s) => put_sep_istring(w, sep, s),
        None => w.put(&[sep, b'N', b'I', b'L']),
    }
}

/// A quoted string the peer cannot take (8-bit content without UTF-8
/// support) as a synchronizing literal (the literal policy may make it
/// non-synchronizing); the rare path, kept out of line.
#[cold]
#[inline(never)]
fn put_quoted_as_literal<B: BufMut>(w: &mut Writer<'_, B>, b: &[u8]) {
    w.put_literal(b, LiteralMode::Sync, false)
}

/// The content of a quoted string with `"` and `\\` escaped (the rare path,
/// kept out of line so that the fast path stays small).
#[cold]
#[inline(never)]
fn put_escaped<B: BufMut>(w: &mut Writer<'_, B>, b: &[u8]) {
    let mut start = 0;
    for (k, &c) in b.iter().enumerate() {
        if c == b'"' || c == b'\\' {
            w.put(&b[start..k]);
            w.put_u8(b'\\');
            start = k;
        }
    }
    w.put(&b[start..]);
}

/// True if `b` holds a `"` or `\\` (which a quoted string escapes).
///
/// Eight bytes at a time (SWAR, safe code): a byte equal to `c` is a zero
/// byte of `x ^ c*0x01..01`, and `(y - 0x01..01) & !y & 0x80..80` is non-zero
/// exactly when `y` has a zero byte. The last, partial word is read as the
/// (overlapping) last eight bytes; strings shorter than eight bytes are read
/// as two overlapping halves, so no byte-wise copy (or `memcpy` call) is needed.
#[inline]
pub(crate) fn needs_escape(b: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    #[inline(always)]
    fn zero_byte(y: u64) -> u64 {
        y.wrapping_sub(LO) & !y & HI
    }
    #[inline(always)]
    fn special(x: u64) -> bool {
        zero_byte(x ^ (LO * u64::from(b'"'))) | zero_byte(x ^ (LO * u64::from(b'\\'))) != 0
    }
    #[inline(always)]
    fn word(b: &[u8], at: usize) -> u64 {
        let mut a = [0u8; 8];
        a.copy_from_slice(&b[at..at + 8]);
        u64::from_le_bytes(a)
    }
    #[inline(always)]
    fn half(b: &[u8], at: usize) -> u64 {
        let mut a = [0u8; 4];
        a.copy_from_slice(&b[at..at + 4]);
        u64::from(u32::from_le_bytes(a))
    }
    let n = b.len();
    if n >= 8 {
        let mut at = 0;
        while at + 8 < n {
            if special(word(b, at)) {
                return true;
            }
            at += 8;
        }
        special(word(b, n - 8))
    } else if n >= 4 {
        // Both halves may overlap; a byte counted twice changes nothing.
        special(half(b, 0) | (half(b, n - 4) << 32))
    } else if n > 0 {
        // One to three bytes: first, middle and last (the upper bytes are 0,
        // which is neither `"` nor `\\`).
        special(u64::from(b[0]) | (u64::from(b[n / 2]) << 8) | (u64::from(b[n - 1]) << 16))
    } else {
        false
    }
}

impl Encode for Literal<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.put_literal(self.buf(), self.mode(), false)
    }
}

impl Encode for IString<'_> {
    #[inline]
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            IString::Quoted(q) => {
                let b = q.as_bytes();
                if w.quoted_needs_literal(b) {
                    put_quoted_as_literal(w, b);
                } else {
                    put_quoted(w, b"\"", b);
                }
            }
            IString::Literal(l) => l.encode(w),
        }
    }
}

impl Encode for NString<'_> {
    #[inline]
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match &self.0 {
            Some(s) => s.encode(w),
            None => w.put(b"NIL"),
        }
    }
}

impl Encode for AString<'_> {
    #[inline]
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            AString::Atom(a) => a.encode(w),
            AString::String(s) => s.encode(w),
        }
    }
}

impl Encode for Mailbox<'_> {
    /// The wire form as held, or, written for a peer
    /// ([`Writer::with_options`]), spelled in the session's convention
    /// ([`Mailbox::respelled`]: modified UTF-7 unless UTF-8 is enabled).
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            Mailbox::Inbox => w.put(b"INBOX"),
            Mailbox::Other(o) => match w.utf8_session().and_then(|utf8| self.respelled(utf8)) {
                Some(name) => name.encode(w),
                None => match o.literal() {
                    Some((buf, mode)) => w.put_literal(buf, mode, false),
                    None => o.as_astring().encode(w),
                },
            },
        }
    }
}

impl Encode for SeqOrUid {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            Self::Value(n) => w.put_num(n.get() as u64),
            Self::Asterisk => w.put_u8(b'*'),
        }
    }
}

impl Encode for Sequence {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            Self::Single(s) => s.encode(w),
            Self::Range(a, b) => {
                a.encode(w);
                w.put_u8(b':');
                b.encode(w);
            }
        }
    }
}

impl Encode for SequenceSet {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            Self::Set(items) => join(w, items, b","),
            Self::LastResult => w.put_u8(b'$'),
        }
    }
}

impl Encode for Flag<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            Flag::Answered => w.put(b"\\Answered"),
            Flag::Flagged => w.put(b"\\Flagged"),
            Flag::Deleted => w.put(b"\\Deleted"),
            Flag::Seen => w.put(b"\\Seen"),
            Flag::Draft => w.put(b"\\Draft"),
            Flag::Extension(a) => {
                w.put_u8(b'\\');
                a.as_atom().encode(w)
            }
            Flag::Keyword(a) => a.encode(w),
        }
    }
}

impl Encode for FlagFetch<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            FlagFetch::Flag(f) => f.encode(w),
            FlagFetch::Recent => w.put(b"\\Recent"),
        }
    }
}

impl Encode for FlagPerm<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            FlagPerm::Flag(f) => f.encode(w),
            FlagPerm::Asterisk => w.put(b"\\*"),
        }
    }
}

impl Encode for Date {
    /// `1-Feb-1994` (unquoted `date-text`).
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.put_num(self.day() as u64);
        w.put_u8(b'-');
        w.put(MONTHS[self.month() as usize - 1].as_bytes());
        w.put_u8(b'-');
        put_fixed(w, self.year() as u32, 4);
    }
}

impl Encode for DateTime {
    /// `"17-Jul-1996 02:44:25 -0700"`, the day padded with a space.
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        let d = self.date();
        w.put_u8(b'"');
        if d.day() < 10 {
            w.put_u8(b' ');
        }
        w.put_num(d.day() as u64);
        w.put_u8(b'-');
        w.put(MONTHS[d.month() as usize - 1].as_bytes());
        w.put_u8(b'-');
        put_fixed(w, d.year() as u32, 4);
        w.put_u8(b' ');
        put_fixed(w, self.hour() as u32, 2);
        w.put_u8(b':');
        put_fixed(w, self.minute() as u32, 2);
        w.put_u8(b':');
        put_fixed(w, self.second() as u32, 2);
        let z = self.zone_minutes();
        w.put(if z < 0 { b" -" } else { b" +" });
        let z = z.unsigned_abs() as u32;
        put_fixed(w, (z / 60) * 100 + z % 60, 4);
        w.put_u8(b'"');
    }
}

fn put_fixed<B: BufMut>(w: &mut Writer<'_, B>, n: u32, width: usize) {
    let mut tmp = [b'0'; 10];
    let mut n = n;
    for k in (0..width).rev() {
        tmp[k] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    w.put(&tmp[..width]);
}

impl<T: Encode> Encode for Vec1<T> {
    /// Space-separated items (callers add parentheses where the grammar has them).
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        join(w, self, b" ")
    }
}

impl Encode for Capability<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        let (name, param) = self.parts();
        w.put(name);
        if let Some(p) = param {
            w.put_u8(b'=');
            w.put(p);
        }
    }
}

impl Encode for AuthMechanism<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.put(self.as_bytes())
    }
}

impl Encode for StatusAttribute {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.put(self.as_str().as_bytes())
    }
}

impl Encode for SectionText<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            SectionText::Header => w.put(b"HEADER"),
            SectionText::Text => w.put(b"TEXT"),
            SectionText::Mime => w.put(b"MIME"),
            SectionText::HeaderFields(l) => {
                w.put(b"HEADER.FIELDS (");
                l.encode(w);
                w.put_u8(b')');
            }
            SectionText::HeaderFieldsNot(l) => {
                w.put(b"HEADER.FIELDS.NOT (");
                l.encode(w);
                w.put_u8(b')');
            }
        }
    }
}

impl Encode for Section<'_> {
    /// `[1.2.TEXT]`, brackets included.
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.put_u8(b'[');
        put_part(w, self.part());
        if let Some(t) = self.text_spec() {
            if !self.part().is_empty() {
                w.put_u8(b'.');
            }
            t.encode(w);
        }
        w.put_u8(b']');
    }
}

/// Writes a `section-part` such as `1.2.3`.
pub(crate) fn put_part<B: BufMut>(w: &mut Writer<'_, B>, part: &[std::num::NonZeroU32]) {
    for (k, n) in part.iter().enumerate() {
        if k > 0 {
            w.put_u8(b'.');
        }
        w.put_num(n.get() as u64);
    }
}

/// The ID parameter list of the ID command and response (RFC 2971 §3.3):
/// `NIL` or `(field value ...)`.
pub(crate) fn id_params<B: BufMut>(
    w: &mut Writer<'_, B>,
    params: Option<&[(IString<'_>, NString<'_>)]>,
) {
    match params {
        Some(params) => paren_pairs(w, params),
        None => w.put(b"NIL"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_escape_every_length_and_position() {
        for n in 0..40 {
            let plain = vec![b'a'; n];
            assert!(!needs_escape(&plain), "{n}");
            for at in 0..n {
                for c in [b'"', b'\\'] {
                    let mut v = plain.clone();
                    v[at] = c;
                    assert!(needs_escape(&v), "{n} {at} {c}");
                }
            }
        }
    }

    #[test]
    fn quoted_escapes() {
        let q = Quoted::try_from("a\"b\\c").unwrap();
        assert_eq!(q.to_vec(), b"\"a\\\"b\\\\c\"");
    }

    #[test]
    fn date_time_is_canonical() {
        let d = DateTime::new(Date::new(1996, 7, 7).unwrap(), 2, 4, 5, -420).unwrap();
        assert_eq!(d.to_vec(), b"\" 7-Jul-1996 02:04:05 -0700\"");
        let d = DateTime::new(Date::new(2024, 12, 17).unwrap(), 23, 59, 59, 330).unwrap();
        assert_eq!(d.to_vec(), b"\"17-Dec-2024 23:59:59 +0530\"");
    }

    #[test]
    fn sequence_set() {
        let s = SequenceSet::try_from("1,3:5,7:*").unwrap();
        assert_eq!(s.to_vec(), b"1,3:5,7:*");
    }
}
