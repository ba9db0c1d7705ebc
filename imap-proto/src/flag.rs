//! Message flags (RFC 9051 §2.3.2).

use bytes::Bytes;

use crate::buf::IntoStatic;
use crate::core::Atom;

/// A message `flag` (RFC 9051 §9).
///
/// System flags have their own variants; `\Recent` only appears in
/// [`FlagFetch`] (it cannot be stored). Comparison of system flags is
/// case-insensitive on the wire: the decoder maps any case to the variant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Flag<'a> {
    /// `\Answered`
    Answered,
    /// `\Flagged`
    Flagged,
    /// `\Deleted`
    Deleted,
    /// `\Seen`
    Seen,
    /// `\Draft`
    Draft,
    /// Another `\`-prefixed flag (`flag-extension`), held without the backslash.
    Extension(Atom<'a>),
    /// A keyword such as `$Forwarded` or `Junk`.
    Keyword(Atom<'a>),
}

impl<'a> Flag<'a> {
    /// The flag for a system flag name without the backslash (any case),
    /// otherwise an extension flag.
    pub fn system(name: Atom<'a>) -> Self {
        let b = name.as_bytes();
        if b.eq_ignore_ascii_case(b"Seen") {
            Flag::Seen
        } else if b.eq_ignore_ascii_case(b"Answered") {
            Flag::Answered
        } else if b.eq_ignore_ascii_case(b"Flagged") {
            Flag::Flagged
        } else if b.eq_ignore_ascii_case(b"Deleted") {
            Flag::Deleted
        } else if b.eq_ignore_ascii_case(b"Draft") {
            Flag::Draft
        } else {
            Flag::Extension(name)
        }
    }

    /// A keyword flag; `None` if `s` is not an atom.
    pub fn keyword(s: &'a str) -> Option<Self> {
        Atom::try_from(s).ok().map(Flag::Keyword)
    }
}

impl IntoStatic for Flag<'_> {
    type Static = Flag<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> Flag<'static> {
        match self {
            Flag::Answered => Flag::Answered,
            Flag::Flagged => Flag::Flagged,
            Flag::Deleted => Flag::Deleted,
            Flag::Seen => Flag::Seen,
            Flag::Draft => Flag::Draft,
            Flag::Extension(a) => Flag::Extension(a.into_static_in(frame)),
            Flag::Keyword(a) => Flag::Keyword(a.into_static_in(frame)),
        }
    }
}

/// A `flag-fetch`: a flag in a FETCH response's FLAGS, which may include `\Recent`
/// (IMAP4rev1 only).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FlagFetch<'a> {
    /// A flag.
    Flag(Flag<'a>),
    /// `\Recent`
    Recent,
}

impl IntoStatic for FlagFetch<'_> {
    type Static = FlagFetch<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> FlagFetch<'static> {
        match self {
            FlagFetch::Flag(f) => FlagFetch::Flag(f.into_static_in(frame)),
            FlagFetch::Recent => FlagFetch::Recent,
        }
    }
}

/// A `flag-perm`: an item of the PERMANENTFLAGS response code, where `\*`
/// says that new keywords can be created.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FlagPerm<'a> {
    /// A flag.
    Flag(Flag<'a>),
    /// `\*`
    Asterisk,
}

impl IntoStatic for FlagPerm<'_> {
    type Static = FlagPerm<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> FlagPerm<'static> {
        match self {
            FlagPerm::Flag(f) => FlagPerm::Flag(f.into_static_in(frame)),
            FlagPerm::Asterisk => FlagPerm::Asterisk,
        }
    }
}

impl<'a> From<Flag<'a>> for FlagFetch<'a> {
    fn from(f: Flag<'a>) -> Self {
        FlagFetch::Flag(f)
    }
}

impl<'a> From<Flag<'a>> for FlagPerm<'a> {
    fn from(f: Flag<'a>) -> Self {
        FlagPerm::Flag(f)
    }
}

/// A `flag-keyword` name that clients use by convention (RFC 9051 §2.3.2).
pub mod keywords {
    /// `$Forwarded`
    pub const FORWARDED: &str = "$Forwarded";
    /// `$MDNSent`
    pub const MDN_SENT: &str = "$MDNSent";
    /// `$Junk`
    pub const JUNK: &str = "$Junk";
    /// `$NotJunk`
    pub const NOT_JUNK: &str = "$NotJunk";
    /// `$Phishing`
    pub const PHISHING: &str = "$Phishing";
}
