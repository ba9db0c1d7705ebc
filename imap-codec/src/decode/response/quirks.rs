//! The deviations from RFC 9051/3501 that the response decoder accepts, and
//! how a caller learns which of them a response used.
//!
//! The parsers note a quirk at the (rare) place where they accept it, in a
//! per-thread bit set that [`ResponseDecoder::decode_with_quirks`] clears
//! before and reads after decoding. Noting costs one thread-local OR and
//! happens only on the quirky path, never for conforming input.
//!
//! [`ResponseDecoder::decode_with_quirks`]: super::ResponseDecoder::decode_with_quirks

use std::cell::Cell;
use std::fmt;

/// A set of server quirks the decoder accepted in one response.
///
/// Each constant names one deviation, the servers it was seen from, and the
/// canonical form the value re-encodes to.
///
/// The set may over-report in one case: a quirk accepted inside a response
/// code that then turns out not to parse (the bracket is read as text).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Quirks(u32);

impl Quirks {
    /// No quirk: the response conformed to the grammar (as far as the decoder checks).
    pub const NONE: Self = Self(0);
    /// Spaces the grammar does not allow: after `* ` or a tag, between
    /// words, after `(`, before `)`, at the end of a line (QQ Mail, DavMail,
    /// SurgeMail, Yahoo Japan, Exchange, Dovecot proxies). The value
    /// re-encodes with single spaces.
    pub const EXTRA_SPACE: Self = Self(1 << 0);
    /// A status response, response code or continuation request without the
    /// text the grammar requires (`* OK [HIGHESTMODSEQ 9]` from Gmail,
    /// `* OK [UNSEEN 1]` from QQ Mail, `* BYE`, bare `+`). Re-encodes with
    /// `SP` and an empty text.
    pub const MISSING_TEXT: Self = Self(1 << 1);
    /// `()` where the grammar wants `NIL` or a non-empty list: an empty
    /// envelope address list (Mail.ru), an empty body parameter list. Decodes
    /// as the empty value, which re-encodes as `NIL`.
    pub const EMPTY_LIST_FOR_NIL: Self = Self(1 << 2);
    /// `NIL` where a string belongs: a body parameter value (Mail.ru), the
    /// body encoding (maddy), media type or subtype. Decodes as the empty
    /// quoted string `""`, which is what it re-encodes as.
    pub const NIL_FOR_STRING: Self = Self(1 << 3);
    /// A negative number where the grammar has an unsigned one: body size
    /// or line count `-1` (Dovecot, Exchange) or `-2` (SmarterMail).
    /// Decodes as `0`, which is what it re-encodes as.
    pub const NEGATIVE_NUMBER: Self = Self(1 << 4);
    /// A body disposition without its parameter list, `("attachment")`, or
    /// as a bare string, `"inline"` (Exchange). Decodes with empty
    /// parameters; re-encodes as `("attachment" NIL)`.
    pub const DISPOSITION_WITHOUT_PARAMS: Self = Self(1 << 5);
    /// `\*` in an untagged `FLAGS` list, where only `PERMANENTFLAGS` may hold
    /// it (Zoho, GreenMail). It is dropped from [`imapkit_proto::Data::Flags`];
    /// the flag list re-encodes without it.
    pub const FLAGS_ASTERISK: Self = Self(1 << 6);
    /// Zero where the grammar wants `nz-number`: `[UIDVALIDITY 0]`,
    /// `[UIDNEXT 0]` (SmarterMail, mail.xwtec.cn). Kept as `0` and re-encoded
    /// as `0`.
    pub const ZERO_NUMBER: Self = Self(1 << 7);
    /// A line ended by a lone LF instead of CRLF (only with
    /// [`ResponseDecoder::lone_lf`](super::ResponseDecoder::lone_lf)).
    /// Re-encodes with CRLF.
    pub const LONE_LF: Self = Self(1 << 8);

    const NAMES: [(Self, &'static str); 9] = [
        (Self::EXTRA_SPACE, "EXTRA_SPACE"),
        (Self::MISSING_TEXT, "MISSING_TEXT"),
        (Self::EMPTY_LIST_FOR_NIL, "EMPTY_LIST_FOR_NIL"),
        (Self::NIL_FOR_STRING, "NIL_FOR_STRING"),
        (Self::NEGATIVE_NUMBER, "NEGATIVE_NUMBER"),
        (
            Self::DISPOSITION_WITHOUT_PARAMS,
            "DISPOSITION_WITHOUT_PARAMS",
        ),
        (Self::FLAGS_ASTERISK, "FLAGS_ASTERISK"),
        (Self::ZERO_NUMBER, "ZERO_NUMBER"),
        (Self::LONE_LF, "LONE_LF"),
    ];

    /// Whether every quirk in `other` is in `self`.
    pub fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether no quirk was seen.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Both sets.
    #[must_use]
    pub fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// The raw bits (stable within a major version).
    pub fn bits(self) -> u32 {
        self.0
    }
}

impl fmt::Debug for Quirks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut l = f.debug_set();
        for (q, name) in Self::NAMES {
            if self.contains(q) {
                l.entry(&format_args!("{name}"));
            }
        }
        l.finish()
    }
}

impl std::ops::BitOr for Quirks {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        self.union(rhs)
    }
}

thread_local! {
    static SEEN: Cell<u32> = const { Cell::new(0) };
    /// The address of the first non-synchronizing literal header (`{n+}`)
    /// read since the last [`take_non_sync`]; 0 for none.
    static NON_SYNC: Cell<usize> = const { Cell::new(0) };
}

/// Not a quirk, never reported: strict syntax that the encoder writes
/// differently (`nil`, `"text"`, a number with leading zeros). A list
/// received with it is written back in canonical form, not copied.
const NOT_CANONICAL: u32 = 1 << 31;

/// Records that the input used a form the encoder writes differently.
#[cold]
pub(crate) fn note_not_canonical() {
    SEEN.with(|s| s.set(s.get() | NOT_CANONICAL));
}

/// Records that the decoder accepted quirk `q`.
#[cold]
pub(crate) fn note(q: Quirks) {
    SEEN.with(|s| s.set(s.get() | q.0));
}

/// Records that a non-synchronizing literal header starts at `header`
/// (the first one since [`take_non_sync`] is kept): the command decoder
/// accepts it, the response decoders refuse it (RFC 7888 §3).
#[cold]
pub(crate) fn note_non_sync(header: &[u8]) {
    NON_SYNC.with(|c| {
        if c.get() == 0 {
            c.set(header.as_ptr() as usize);
        }
    });
}

/// Clears the non-synchronizing literal record; returns the address it
/// held (0 for none).
#[inline]
pub(crate) fn take_non_sync() -> usize {
    NON_SYNC.with(|c| c.replace(0))
}

/// Runs `f`; returns its result and whether it accepted a quirk. The record
/// keeps the quirks accepted before and inside `f`.
#[inline]
pub(crate) fn scoped<T>(f: impl FnOnce() -> T) -> (T, bool) {
    let outer = SEEN.with(|s| s.replace(0));
    let t = f();
    let inner = SEEN.with(|s| s.replace(outer));
    if inner != 0 {
        SEEN.with(|s| s.set(outer | inner));
    }
    (t, inner != 0)
}

/// Clears the record; returns what it held.
pub(crate) fn take() -> Quirks {
    Quirks(SEEN.with(|s| s.replace(0)) & !NOT_CANONICAL)
}
