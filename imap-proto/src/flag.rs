//! Message flags (RFC 9051 §2.3.2).

use std::fmt;

use bytes::Bytes;

use crate::buf::IntoStatic;
use crate::core::Atom;
use crate::error::ValidationError;

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
    /// Another `\`-prefixed flag (`flag-extension`), held without the
    /// backslash; never a system flag (see [`FlagExtension`]).
    Extension(FlagExtension<'a>),
    /// A keyword such as `$Forwarded` or `Junk`.
    Keyword(Atom<'a>),
}

impl<'a> Flag<'a> {
    /// The flag for a system flag name without the backslash (any case),
    /// otherwise an extension flag.
    pub fn system(name: Atom<'a>) -> Self {
        use crate::chars::eq_keyword as is;
        let b = name.as_bytes();
        // The length picks at most two names (FETCH FLAGS lists are on the
        // decoders' hot path).
        match b.len() {
            4 if is(b, b"SEEN") => Flag::Seen,
            8 if is(b, b"ANSWERED") => Flag::Answered,
            7 if is(b, b"FLAGGED") => Flag::Flagged,
            7 if is(b, b"DELETED") => Flag::Deleted,
            5 if is(b, b"DRAFT") => Flag::Draft,
            // Not a system flag name: checked just above.
            _ => Flag::Extension(FlagExtension(name)),
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
            Flag::Extension(a) => Flag::Extension(FlagExtension(a.0.into_static_in(frame))),
            Flag::Keyword(a) => Flag::Keyword(a.into_static_in(frame)),
        }
    }
}

/// The name of a `flag-extension` (RFC 9051 §9: `"\" atom`), without the
/// backslash: an atom that is not the name of a system flag.
///
/// `\Seen`, `\Answered`, `\Flagged`, `\Deleted` and `\Draft` in any case
/// are the system flags of [`Flag`]'s own variants, which is what the
/// decoder makes of them; an extension of that name would encode to the
/// system flag and decode as something else, so it cannot be built. Use
/// [`Flag::system`] to map any name onto the right variant.
///
/// `Recent` is an extension name here: `\Recent` only means the recent
/// flag in a FETCH response's flags ([`FlagFetch::Recent`], IMAP4rev1),
/// and a [`FlagFetchList`](crate::FlagFetchList) built from values turns
/// an extension named `Recent` into [`FlagFetch::Recent`].
///
/// ```
/// use imapkit_proto::{Flag, FlagExtension};
///
/// assert!(FlagExtension::try_from("Junk").is_ok());
/// assert!(FlagExtension::try_from("SEEN").is_err());
/// assert_eq!(Flag::system("SEEN".try_into().unwrap()), Flag::Seen);
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FlagExtension<'a>(Atom<'a>);

impl<'a> FlagExtension<'a> {
    /// An extension flag name; fails for the name of a system flag.
    pub fn try_new(name: Atom<'a>) -> Result<Self, ValidationError> {
        match Flag::system(name) {
            Flag::Extension(e) => Ok(e),
            _ => Err(ValidationError::Invalid {
                what: "flag extension",
                reason: "the name of a system flag",
            }),
        }
    }

    /// The name, without the backslash.
    pub fn as_atom(&self) -> &Atom<'a> {
        &self.0
    }

    /// The name's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// The name as a string.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The same name borrowing from `self` (no copy, no reference count).
    pub fn reborrow(&self) -> FlagExtension<'_> {
        FlagExtension(self.0.reborrow())
    }
}

impl<'a> TryFrom<&'a str> for FlagExtension<'a> {
    type Error = ValidationError;
    fn try_from(s: &'a str) -> Result<Self, ValidationError> {
        Self::try_new(Atom::try_from(s)?)
    }
}

impl<'a> TryFrom<Atom<'a>> for FlagExtension<'a> {
    type Error = ValidationError;
    fn try_from(a: Atom<'a>) -> Result<Self, ValidationError> {
        Self::try_new(a)
    }
}

impl fmt::Debug for FlagExtension<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FlagExtension({:?})", self.0.as_str())
    }
}

impl fmt::Display for FlagExtension<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl IntoStatic for FlagExtension<'_> {
    type Static = FlagExtension<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> FlagExtension<'static> {
        FlagExtension(self.0.into_static_in(frame))
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
