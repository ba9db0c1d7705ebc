//! Core string and number types of the grammar: atoms, tags, quoted strings,
//! literals, `astring`, `nstring` and `text` (RFC 9051 §4 and §9).

use std::fmt;

use bytes::Bytes;

use crate::buf::{Buf, IntoStatic};
use crate::chars;
use crate::error::ValidationError;

macro_rules! buf_newtype {
    ($(#[$m:meta])* $name:ident, $check:path) => {
        buf_newtype!($(#[$m])* $name, $check, decoded: $check);
    };
    ($(#[$m:meta])* $name:ident, $check:path, decoded: $decoded:path) => {
        $(#[$m])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name<'a>(Buf<'a>);

        impl<'a> $name<'a> {
            /// Validates and wraps the bytes.
            pub fn try_new(bytes: impl Into<Buf<'a>>) -> Result<Self, ValidationError> {
                let buf = bytes.into();
                $check(buf.as_bytes())?;
                Ok(Self(buf))
            }

            /// Wraps bytes the caller (a decoder) has already validated.
            ///
            /// Not checked again; an invalid value encodes to invalid syntax.
            #[doc(hidden)]
            pub fn unvalidated(bytes: impl Into<Buf<'a>>) -> Self {
                let buf = bytes.into();
                debug_assert!($decoded(buf.as_bytes()).is_ok(), "unvalidated {}: {:?}", stringify!($name), buf);
                Self(buf)
            }

            /// The bytes.
            #[inline]
            pub fn as_bytes(&self) -> &[u8] {
                self.0.as_bytes()
            }

            /// The underlying buffer.
            pub fn into_inner(self) -> Buf<'a> {
                self.0
            }

            /// The same value borrowing from `self` (no copy, no reference count).
            #[inline]
            pub fn reborrow(&self) -> $name<'_> {
                $name(self.0.reborrow())
            }
        }

        impl<'a> TryFrom<&'a str> for $name<'a> {
            type Error = ValidationError;
            fn try_from(s: &'a str) -> Result<Self, ValidationError> {
                Self::try_new(s)
            }
        }

        impl<'a> TryFrom<&'a [u8]> for $name<'a> {
            type Error = ValidationError;
            fn try_from(s: &'a [u8]) -> Result<Self, ValidationError> {
                Self::try_new(s)
            }
        }

        impl TryFrom<String> for $name<'static> {
            type Error = ValidationError;
            fn try_from(s: String) -> Result<Self, ValidationError> {
                Self::try_new(s)
            }
        }

        impl TryFrom<Vec<u8>> for $name<'static> {
            type Error = ValidationError;
            fn try_from(s: Vec<u8>) -> Result<Self, ValidationError> {
                Self::try_new(s)
            }
        }

        impl TryFrom<Bytes> for $name<'static> {
            type Error = ValidationError;
            fn try_from(s: Bytes) -> Result<Self, ValidationError> {
                Self::try_new(s)
            }
        }

        impl AsRef<[u8]> for $name<'_> {
            fn as_ref(&self) -> &[u8] {
                self.as_bytes()
            }
        }

        impl fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl IntoStatic for $name<'_> {
            type Static = $name<'static>;
            #[inline]
            fn into_static_in(self, frame: Option<&Bytes>) -> $name<'static> {
                $name(self.0.into_static_in(frame))
            }
        }
    };
}

macro_rules! ascii_str {
    ($name:ident) => {
        impl $name<'_> {
            /// The value as a string (it is ASCII by construction).
            pub fn as_str(&self) -> &str {
                // Validated to be ASCII at construction.
                std::str::from_utf8(self.as_bytes()).unwrap_or_default()
            }
        }

        impl fmt::Display for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

fn check_all(bytes: &[u8], ok: fn(u8) -> bool, what: &'static str) -> Result<(), ValidationError> {
    if bytes.is_empty() {
        return Err(ValidationError::Empty { what });
    }
    match bytes.iter().position(|&b| !ok(b)) {
        Some(at) => Err(ValidationError::InvalidByte {
            what,
            byte: bytes[at],
            at,
        }),
        None => Ok(()),
    }
}

fn check_atom(b: &[u8]) -> Result<(), ValidationError> {
    check_all(b, chars::is_atom_char, "atom")
}
fn check_astring_atom(b: &[u8]) -> Result<(), ValidationError> {
    check_all(b, chars::is_astring_char, "astring atom")
}
fn check_tag(b: &[u8]) -> Result<(), ValidationError> {
    check_all(b, chars::is_tag_char, "tag")
}
fn check_quoted(b: &[u8]) -> Result<(), ValidationError> {
    check_quoted_received(b)?;
    // RFC 9051 §9: QUOTED-CHAR is 7-bit or UTF-8 (the command decoder
    // refuses other 8-bit bytes).
    if let Err(e) = std::str::from_utf8(b) {
        let at = e.valid_up_to();
        return Err(ValidationError::InvalidByte {
            what: "quoted (UTF-8)",
            byte: b[at],
            at,
        });
    }
    Ok(())
}
/// What the response decoder accepts in a quoted string: 8-bit bytes too
/// (servers send Latin-1).
fn check_quoted_received(b: &[u8]) -> Result<(), ValidationError> {
    if let Some(at) = b.iter().position(|&c| !chars::is_text_char(c)) {
        return Err(ValidationError::InvalidByte {
            what: "quoted",
            byte: b[at],
            at,
        });
    }
    Ok(())
}
fn check_literal(b: &[u8]) -> Result<(), ValidationError> {
    // CHAR8 = %x01-ff: everything but NUL.
    match memchr_nul(b) {
        Some(at) => Err(ValidationError::InvalidByte {
            what: "literal",
            byte: 0,
            at,
        }),
        None => Ok(()),
    }
}
fn check_text(b: &[u8]) -> Result<(), ValidationError> {
    if let Some(at) = b.iter().position(|&c| !chars::is_text_char(c)) {
        return Err(ValidationError::InvalidByte {
            what: "text",
            byte: b[at],
            at,
        });
    }
    Ok(())
}

fn memchr_nul(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == 0)
}

buf_newtype!(
    /// An `atom` (RFC 9051 §4.1): one or more `ATOM-CHAR`, e.g. a keyword or a command name.
    Atom,
    check_atom
);
ascii_str!(Atom);

buf_newtype!(
    /// The atom form of an `astring`: one or more `ASTRING-CHAR` (atom characters and `]`).
    AtomExt,
    check_astring_atom
);
ascii_str!(AtomExt);

buf_newtype!(
    /// A command `tag` (RFC 9051 §2.2.1): one or more `ASTRING-CHAR` except `+`.
    Tag,
    check_tag
);
ascii_str!(Tag);

/// Makes the tags of a session's commands: `prefix` and a counter, `A1`,
/// `A2`, ... (RFC 9051 §2.2.1: a client uses a different tag for each
/// command).
///
/// ```
/// use imapkit_proto::TagGenerator;
///
/// let mut tags = TagGenerator::new("A").unwrap();
/// assert_eq!(tags.next_tag().as_str(), "A1");
/// assert_eq!(tags.next_tag().as_str(), "A2");
/// assert!(TagGenerator::new("A B").is_err());
/// ```
#[derive(Debug, Clone)]
pub struct TagGenerator {
    prefix: String,
    counter: u64,
}

impl TagGenerator {
    /// Tags `prefix1`, `prefix2`, ...; fails if `prefix` holds a byte a tag
    /// cannot (space, `+`, `(`, `{`, `*`, ...). An empty prefix gives `1`, `2`, ...
    pub fn new(prefix: &str) -> Result<Self, ValidationError> {
        if !prefix.is_empty() {
            check_tag(prefix.as_bytes())?;
        }
        Ok(Self {
            prefix: prefix.to_owned(),
            counter: 0,
        })
    }

    /// The next tag.
    pub fn next_tag(&mut self) -> Tag<'static> {
        self.counter += 1;
        let mut s = String::with_capacity(self.prefix.len() + 20);
        s.push_str(&self.prefix);
        s.push_str(&self.counter.to_string());
        // A valid prefix followed by digits is a valid tag.
        Tag::unvalidated(s.into_bytes())
    }

    /// How many tags were made.
    pub fn count(&self) -> u64 {
        self.counter
    }
}

impl Default for TagGenerator {
    /// Tags `A1`, `A2`, ...
    fn default() -> Self {
        Self {
            prefix: "A".to_owned(),
            counter: 0,
        }
    }
}

buf_newtype!(
    /// The content of a quoted string (RFC 9051 §4.3), unescaped: no NUL, CR or LF.
    ///
    /// Bytes above 0x7F are allowed as UTF-8 (IMAP4rev2, and after `ENABLE
    /// UTF8=ACCEPT`); the constructor refuses invalid UTF-8, which the
    /// command decoder refuses too. A response decoded from a server that
    /// sends Latin-1 holds it as received (see `imapkit-codec`'s lenient
    /// response decoder); such a value re-encodes as received.
    Quoted,
    check_quoted,
    decoded: check_quoted_received
);

buf_newtype!(
    /// Human-readable `text` (RFC 9051 §9), as in a status response: no NUL, CR or LF.
    /// May be empty (IMAP4rev2 makes the text after a response code optional).
    Text,
    check_text
);

impl Text<'_> {
    /// The text, with invalid UTF-8 replaced.
    pub fn to_string_lossy(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(self.as_bytes())
    }
}

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_string_lossy())
    }
}

/// Whether a literal is synchronizing (`{n}`, the sender waits for `+`) or
/// non-synchronizing (`{n+}`, LITERAL+/LITERAL-, RFC 7888).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LiteralMode {
    /// `{n}`: the client waits for a continuation request before sending the data.
    Sync,
    /// `{n+}`: the data follows at once.
    NonSync,
}

/// A `literal` (RFC 9051 §4.3): a counted byte string.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Literal<'a> {
    data: Buf<'a>,
    mode: LiteralMode,
}

impl<'a> Literal<'a> {
    /// A synchronizing literal; fails on NUL bytes (`CHAR8` excludes them).
    pub fn try_new(data: impl Into<Buf<'a>>) -> Result<Self, ValidationError> {
        let data = data.into();
        check_literal(&data)?;
        Ok(Self {
            data,
            mode: LiteralMode::Sync,
        })
    }

    /// A literal as a decoder found it; the payload is not scanned again.
    #[doc(hidden)]
    pub fn unvalidated(data: impl Into<Buf<'a>>, mode: LiteralMode) -> Self {
        Self {
            data: data.into(),
            mode,
        }
    }

    /// The same literal with another mode.
    #[must_use]
    pub fn with_mode(mut self, mode: LiteralMode) -> Self {
        self.mode = mode;
        self
    }

    /// The payload.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The payload buffer, borrowed or shared: an encoder can reference a
    /// shared payload ([`Buf::shared`]) instead of copying it (vectored encoding).
    pub fn buf(&self) -> &Buf<'a> {
        &self.data
    }

    /// The payload buffer.
    pub fn into_inner(self) -> Buf<'a> {
        self.data
    }

    /// Synchronizing or not.
    pub fn mode(&self) -> LiteralMode {
        self.mode
    }

    /// The same literal borrowing from `self` (no copy, no reference count).
    pub fn reborrow(&self) -> Literal<'_> {
        Literal {
            data: self.data.reborrow(),
            mode: self.mode,
        }
    }
}

impl fmt::Debug for Literal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Literal")
            .field("mode", &self.mode)
            .field("data", &self.data)
            .finish()
    }
}

impl IntoStatic for Literal<'_> {
    type Static = Literal<'static>;
    #[inline]
    fn into_static_in(self, frame: Option<&Bytes>) -> Literal<'static> {
        Literal {
            data: self.data.into_static_in(frame),
            mode: self.mode,
        }
    }
}

/// A `string` (RFC 9051 §4.3): quoted or literal.
///
/// A decoded value keeps the form it came in, so that it re-encodes the way
/// it came. A built value gets its form from its content
/// ([`IString::try_new`], `From<&str>`): quoted for text without CR, LF or
/// NUL (ASCII or UTF-8) up to 1024 bytes, a literal otherwise. The form is
/// what plain [`encode`](crate::encode::encode) writes; an encoder given
/// [`EncodeOptions`](crate::encode::EncodeOptions) for a peer without UTF-8
/// support (no IMAP4rev2, no `UTF8=ACCEPT`) writes a quoted string holding
/// non-ASCII bytes as a literal instead (RFC 6855 §3, RFC 9051 §4.3).
///
/// ```
/// use imapkit_proto::encode::{encode_fragments, EncodeOptions, Fragment};
/// use imapkit_proto::{IString, LiteralMode};
///
/// let s = IString::from("héllo");
/// assert!(matches!(s, IString::Quoted(_)));
/// let mut out = Vec::new();
/// let utf8 = EncodeOptions { utf8: true, ..EncodeOptions::default() };
/// encode_fragments(&s, &mut out, &utf8).for_each(drop);
/// assert_eq!(out, "\"héllo\"".as_bytes());
/// out.clear();
/// let fragments: Vec<Fragment> = encode_fragments(&s, &mut out, &EncodeOptions::default()).collect();
/// assert_eq!(out, "{6}\r\nhéllo".as_bytes());
/// assert_eq!(fragments[1], Fragment::Literal { range: 5..11, mode: LiteralMode::Sync });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IString<'a> {
    /// `"..."`
    Quoted(Quoted<'a>),
    /// `{n}\r\n...`
    Literal(Literal<'a>),
}

impl<'a> IString<'a> {
    /// The content bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            IString::Quoted(q) => q.as_bytes(),
            IString::Literal(l) => l.data(),
        }
    }

    /// The content buffer.
    pub fn into_inner(self) -> Buf<'a> {
        match self {
            IString::Quoted(q) => q.into_inner(),
            IString::Literal(l) => l.into_inner(),
        }
    }

    /// Chooses quoted for text up to 1024 bytes without CR, LF or NUL that
    /// is valid UTF-8 (ASCII included), and a synchronizing literal otherwise.
    ///
    /// Fails only for bytes no string can hold (NUL, RFC 9051 §4.3).
    pub fn try_new(bytes: impl Into<Buf<'a>>) -> Result<Self, ValidationError> {
        let buf = bytes.into();
        if prefers_quoted(&buf) {
            Ok(IString::Quoted(Quoted(buf)))
        } else {
            Literal::try_new(buf).map(IString::Literal)
        }
    }

    /// The same string borrowing from `self` (no copy, no reference count).
    pub fn reborrow(&self) -> IString<'_> {
        match self {
            IString::Quoted(q) => IString::Quoted(q.reborrow()),
            IString::Literal(l) => IString::Literal(l.reborrow()),
        }
    }
}

/// Quoted strings are used for text without CR/LF up to this many bytes.
const QUOTED_MAX: usize = 1024;

fn prefers_quoted(b: &[u8]) -> bool {
    b.len() <= QUOTED_MAX
        && b.iter().all(|&c| chars::is_text_char(c))
        && (b.is_ascii() || std::str::from_utf8(b).is_ok())
}

/// Unwraps the result of building a string from a `&str` or `String`; the
/// only possible error is a NUL byte, which no IMAP string can hold.
#[track_caller]
pub(crate) fn expect_no_nul<T>(r: Result<T, ValidationError>) -> T {
    match r {
        Ok(v) => v,
        // The message names the offset, never the content (it may be a password).
        Err(e) => panic!(
            "{e}: IMAP strings cannot hold NUL (RFC 9051 §4.3); \
             use try_new for text from outside the program"
        ),
    }
}

impl<'a> From<&'a str> for IString<'a> {
    /// As [`IString::try_new`].
    ///
    /// # Panics
    ///
    /// If `s` holds a NUL byte: no IMAP string can (RFC 9051 §4.3). Use
    /// [`IString::try_new`] for text from outside the program.
    #[track_caller]
    fn from(s: &'a str) -> Self {
        expect_no_nul(IString::try_new(s))
    }
}

impl From<String> for IString<'static> {
    /// As [`IString::try_new`].
    ///
    /// # Panics
    ///
    /// If `s` holds a NUL byte (see `From<&str>`).
    #[track_caller]
    fn from(s: String) -> Self {
        expect_no_nul(IString::try_new(s))
    }
}

impl IntoStatic for IString<'_> {
    type Static = IString<'static>;
    #[inline]
    fn into_static_in(self, frame: Option<&Bytes>) -> IString<'static> {
        match self {
            IString::Quoted(q) => IString::Quoted(q.into_static_in(frame)),
            IString::Literal(l) => IString::Literal(l.into_static_in(frame)),
        }
    }
}

/// An `nstring` (RFC 9051 §9): a string or `NIL`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct NString<'a>(pub Option<IString<'a>>);

impl<'a> NString<'a> {
    /// `NIL`.
    pub const NIL: NString<'static> = NString(None);

    /// The content, or `None` for `NIL`.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        self.0.as_ref().map(IString::as_bytes)
    }

    /// A string (never `NIL`) as [`IString::try_new`] chooses it; fails on NUL.
    pub fn try_new(bytes: impl Into<Buf<'a>>) -> Result<Self, ValidationError> {
        IString::try_new(bytes).map(|s| NString(Some(s)))
    }

    /// The same value borrowing from `self` (no copy, no reference count).
    pub fn reborrow(&self) -> NString<'_> {
        NString(self.0.as_ref().map(IString::reborrow))
    }
}

impl<'a> From<&'a str> for NString<'a> {
    /// A string, never `NIL`.
    ///
    /// # Panics
    ///
    /// If `s` holds a NUL byte (see [`IString`]'s `From<&str>`).
    #[track_caller]
    fn from(s: &'a str) -> Self {
        NString(Some(IString::from(s)))
    }
}

impl From<String> for NString<'static> {
    /// A string, never `NIL`.
    ///
    /// # Panics
    ///
    /// If `s` holds a NUL byte (see [`IString`]'s `From<&str>`).
    #[track_caller]
    fn from(s: String) -> Self {
        NString(Some(IString::from(s)))
    }
}

impl<'a> From<Option<&'a str>> for NString<'a> {
    /// `None` is `NIL`.
    ///
    /// # Panics
    ///
    /// If the string holds a NUL byte (see [`IString`]'s `From<&str>`).
    #[track_caller]
    fn from(s: Option<&'a str>) -> Self {
        NString(s.map(IString::from))
    }
}

impl IntoStatic for NString<'_> {
    type Static = NString<'static>;
    #[inline]
    fn into_static_in(self, frame: Option<&Bytes>) -> NString<'static> {
        NString(self.0.into_static_in(frame))
    }
}

/// An `astring` (RFC 9051 §9): an atom (with `]` allowed) or a string.
///
/// Built from text, it is an atom where the content allows, else a string
/// as [`IString::try_new`] chooses (quoted for UTF-8 text, which an encoder
/// for a peer without UTF-8 support writes as a literal).
///
/// ```
/// use imapkit_proto::{AString, IString};
///
/// assert!(matches!(AString::from("alice"), AString::Atom(_)));
/// assert!(matches!(AString::from("two words"), AString::String(IString::Quoted(_))));
/// assert!(matches!(AString::from("a\r\nb"), AString::String(IString::Literal(_))));
/// // No IMAP string can hold NUL: `try_new` says so, `from` would panic.
/// assert!(AString::try_new("a\0b").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AString<'a> {
    /// `1*ASTRING-CHAR`
    Atom(AtomExt<'a>),
    /// Quoted or literal.
    String(IString<'a>),
}

impl<'a> AString<'a> {
    /// The content bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            AString::Atom(a) => a.as_bytes(),
            AString::String(s) => s.as_bytes(),
        }
    }

    /// The content buffer.
    pub fn into_inner(self) -> Buf<'a> {
        match self {
            AString::Atom(a) => a.into_inner(),
            AString::String(s) => s.into_inner(),
        }
    }

    /// Chooses an atom where the content allows, else a string as
    /// [`IString::try_new`] does; fails only on NUL (RFC 9051 §4.3).
    pub fn try_new(bytes: impl Into<Buf<'a>>) -> Result<Self, ValidationError> {
        let buf = bytes.into();
        if !buf.is_empty() && buf.iter().all(|&b| chars::is_astring_char(b)) {
            Ok(AString::Atom(AtomExt(buf)))
        } else {
            IString::try_new(buf).map(AString::String)
        }
    }

    /// The same value borrowing from `self` (no copy, no reference count).
    pub fn reborrow(&self) -> AString<'_> {
        match self {
            AString::Atom(a) => AString::Atom(a.reborrow()),
            AString::String(s) => AString::String(s.reborrow()),
        }
    }
}

impl<'a> From<&'a str> for AString<'a> {
    /// As [`AString::try_new`].
    ///
    /// # Panics
    ///
    /// If `s` holds a NUL byte: no IMAP string can (RFC 9051 §4.3). Use
    /// [`AString::try_new`] for text from outside the program.
    #[track_caller]
    fn from(s: &'a str) -> Self {
        expect_no_nul(AString::try_new(s))
    }
}

impl From<String> for AString<'static> {
    /// As [`AString::try_new`].
    ///
    /// # Panics
    ///
    /// If `s` holds a NUL byte (see `From<&str>`).
    #[track_caller]
    fn from(s: String) -> Self {
        expect_no_nul(AString::try_new(s))
    }
}

impl IntoStatic for AString<'_> {
    type Static = AString<'static>;
    #[inline]
    fn into_static_in(self, frame: Option<&Bytes>) -> AString<'static> {
        match self {
            AString::Atom(a) => AString::Atom(a.into_static_in(frame)),
            AString::String(s) => AString::String(s.into_static_in(frame)),
        }
    }
}

/// A non-empty `Vec`, for grammar rules of the form `1*x` or `x *(SP x)`.
///
/// ```
/// use imapkit_proto::{Capability, CommandBody, Vec1};
///
/// let caps: Vec1<Capability<'_>> = [Capability::CondStore, Capability::QResync].into();
/// assert_eq!(caps.len(), 2);
/// assert!(Vec1::<u32>::try_from(vec![]).is_err());
/// let _ = CommandBody::enable([Capability::CondStore]); // arrays where a Vec1 is expected
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Vec1<T>(Vec<T>);

impl<T> Vec1<T> {
    /// A list of one item.
    pub fn new(first: T) -> Self {
        Self(vec![first])
    }

    /// Appends an item.
    pub fn push(&mut self, item: T) {
        self.0.push(item)
    }

    /// The items.
    pub fn as_slice(&self) -> &[T] {
        &self.0
    }

    /// The items, to change in place (the list stays non-empty).
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        &mut self.0
    }

    /// The first item (there always is one).
    pub fn first(&self) -> &T {
        &self.0[0]
    }

    /// The items as a `Vec`.
    pub fn into_vec(self) -> Vec<T> {
        self.0
    }

    /// Wraps a vector the caller knows is non-empty.
    #[doc(hidden)]
    pub fn unvalidated(v: Vec<T>) -> Self {
        debug_assert!(!v.is_empty());
        Self(v)
    }
}

impl<T> std::ops::Deref for Vec1<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T: fmt::Debug> fmt::Debug for Vec1<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<T> TryFrom<Vec<T>> for Vec1<T> {
    type Error = ValidationError;
    fn try_from(v: Vec<T>) -> Result<Self, ValidationError> {
        if v.is_empty() {
            Err(ValidationError::Empty { what: "list" })
        } else {
            Ok(Self(v))
        }
    }
}

impl<T> From<T> for Vec1<T> {
    fn from(t: T) -> Self {
        Self::new(t)
    }
}

impl<T, const N: usize> From<[T; N]> for Vec1<T> {
    /// A list of the array's items: `Vec1::from([a, b])`, or `[a, b].into()`
    /// where a `Vec1` is expected. An empty array does not compile.
    ///
    /// ```compile_fail
    /// let empty: imapkit_proto::Vec1<u32> = [].into();
    /// ```
    fn from(items: [T; N]) -> Self {
        const { assert!(N > 0, "a Vec1 cannot be empty") };
        Self(Vec::from(items))
    }
}

impl<'v, T> IntoIterator for &'v Vec1<T> {
    type Item = &'v T;
    type IntoIter = std::slice::Iter<'v, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T> IntoIterator for Vec1<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<T: IntoStatic> IntoStatic for Vec1<T> {
    type Static = Vec1<T::Static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> Self::Static {
        Vec1(self.0.into_static_in(frame))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atom_rejects_specials() {
        assert!(Atom::try_from("FLAGS").is_ok());
        assert_eq!(
            Atom::try_from("a b"),
            Err(ValidationError::InvalidByte {
                what: "atom",
                byte: b' ',
                at: 1
            })
        );
        assert!(Atom::try_from("").is_err());
        assert!(Atom::try_from("a]").is_err());
        assert!(AtomExt::try_from("a]").is_ok());
    }

    #[test]
    fn tag_rejects_plus() {
        assert!(Tag::try_from("A001").is_ok());
        assert!(Tag::try_from("A+1").is_err());
        assert!(Tag::try_from("*").is_err());
    }

    #[test]
    fn quoted_rejects_crlf() {
        assert!(Quoted::try_from("hello \"world\"").is_ok());
        assert!(Quoted::try_from("a\r\nb").is_err());
        assert!(Quoted::try_from("日本").is_ok());
    }

    #[test]
    fn astring_chooses_by_content() {
        assert!(matches!(AString::from("INBOX"), AString::Atom(_)));
        assert!(matches!(
            AString::from("two words"),
            AString::String(IString::Quoted(_))
        ));
        assert!(matches!(
            AString::from(""),
            AString::String(IString::Quoted(_))
        ));
        assert!(matches!(
            AString::from("a\r\nb"),
            AString::String(IString::Literal(_))
        ));
        assert!(matches!(
            AString::from("日本"),
            AString::String(IString::Quoted(_))
        ));
        // Invalid UTF-8 and long text go as literals.
        assert!(matches!(
            AString::try_new(&b"\xff"[..]),
            Ok(AString::String(IString::Literal(_)))
        ));
        assert!(matches!(
            AString::from("x ".repeat(600)),
            AString::String(IString::Literal(_))
        ));
    }

    #[test]
    fn nul_is_refused_or_panics_without_showing_the_text() {
        assert_eq!(
            AString::try_new("pass\0word"),
            Err(ValidationError::InvalidByte {
                what: "literal",
                byte: 0,
                at: 4
            })
        );
        assert!(IString::try_new("\0").is_err());
        assert!(NString::try_new("a\0").is_err());
        let panic = std::panic::catch_unwind(|| AString::from("pass\0word")).unwrap_err();
        let msg = panic.downcast_ref::<String>().unwrap();
        assert!(msg.contains("at 4") && msg.contains("try_new"), "{msg}");
        assert!(!msg.contains("pass"), "{msg}");
    }

    #[test]
    fn vec1_from_arrays() {
        assert_eq!(Vec1::<u8>::from([1, 2, 3]).as_slice(), &[1, 2, 3]);
        let v: Vec1<u8> = [7].into();
        assert_eq!(v.first(), &7);
    }

    #[test]
    fn vec1_is_never_empty() {
        assert!(Vec1::<u32>::try_from(vec![]).is_err());
        let v: Result<Vec1<u32>, _> = Vec1::try_from(vec![1u32, 2]);
        assert_eq!(v.map(|v| v.len()).ok(), Some(2));
    }
}
