//! Mailbox command arguments: SELECT/EXAMINE and CREATE parameters, LIST
//! patterns and options (RFC 9051 §6.3, RFC 4466, RFC 5258, RFC 5819,
//! RFC 6154, RFC 7162).

use std::num::{NonZeroU32, NonZeroU64};

use bytes::Bytes;

use super::{validated_buf, ExtParam, TaggedExtComp};
use crate::buf::{Buf, IntoStatic};
use crate::chars;
use crate::core::{expect_no_nul, Atom, IString, Vec1};
use crate::error::ValidationError;
use crate::sequence::SequenceSet;
use crate::status::StatusAttribute;
use crate::utf7;

/// A `select-param` (RFC 4466 §2.1, RFC 7162).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SelectParameter<'a> {
    /// `CONDSTORE` (RFC 7162 §3.1.8)
    CondStore,
    /// `QRESYNC (uidvalidity modseq [known-uids] [(seq-set uid-set)])` (RFC 7162 §3.2.5)
    QResync {
        /// The last known UIDVALIDITY.
        uid_validity: NonZeroU32,
        /// The last known mod-sequence.
        mod_seq: NonZeroU64,
        /// UIDs the client knows.
        known_uids: Option<SequenceSet>,
        /// `(known-sequence-set known-uid-set)`: message numbers and their UIDs.
        seq_match_data: Option<(SequenceSet, SequenceSet)>,
    },
    /// Any other parameter; never one of the names above.
    Other(ExtParam<'a>),
}

/// A `create-param` (RFC 4466 §2.2, RFC 6154 §5.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CreateParameter<'a> {
    /// `USE (\Drafts ...)` (RFC 6154 CREATE-SPECIAL-USE)
    Use(Vec<UseAttribute<'a>>),
    /// Any other parameter; never `USE`.
    Other(ExtParam<'a>),
}

/// A special-use attribute, `use-attr` (RFC 6154 §6).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum UseAttribute<'a> {
    /// `\All`
    All,
    /// `\Archive`
    Archive,
    /// `\Drafts`
    Drafts,
    /// `\Flagged`
    Flagged,
    /// `\Junk`
    Junk,
    /// `\Sent`
    Sent,
    /// `\Trash`
    Trash,
    /// `\atom`, another attribute (held without the backslash); never one of the above.
    Other(Atom<'a>),
}

impl<'a> UseAttribute<'a> {
    /// The known attributes with their names (without backslash).
    pub const KNOWN: [(&'static str, UseAttribute<'static>); 7] = [
        ("All", UseAttribute::All),
        ("Archive", UseAttribute::Archive),
        ("Drafts", UseAttribute::Drafts),
        ("Flagged", UseAttribute::Flagged),
        ("Junk", UseAttribute::Junk),
        ("Sent", UseAttribute::Sent),
        ("Trash", UseAttribute::Trash),
    ];

    /// The attribute for a name without backslash (any case).
    pub fn from_atom(a: Atom<'a>) -> Self {
        Self::KNOWN
            .iter()
            .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(a.as_bytes()))
            .map(|(_, u)| u.clone())
            .unwrap_or(Self::Other(a))
    }

    /// The name without backslash.
    pub fn name(&self) -> &[u8] {
        match self {
            Self::Other(a) => a.as_bytes(),
            known => Self::KNOWN
                .iter()
                .find(|(_, u)| u == known)
                .map(|(n, _)| n.as_bytes())
                .unwrap_or_default(),
        }
    }
}

validated_buf!(
    /// The unquoted form of a `list-mailbox`: `1*list-char` (atom characters,
    /// `%`, `*` and `]`).
    ListChars,
    |b| {
        if b.is_empty() {
            return Err(ValidationError::Empty { what: "list-mailbox" });
        }
        match b.iter().position(|&c| !chars::is_list_char(c)) {
            Some(at) => Err(ValidationError::InvalidByte {
                what: "list-mailbox",
                byte: b[at],
                at,
            }),
            None => Ok(()),
        }
    }
);

/// A `list-mailbox` (RFC 9051 §9): a pattern with wildcards `*` and `%`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListMailbox<'a> {
    /// `1*list-char`, e.g. `INBOX.*`
    Token(ListChars<'a>),
    /// A quoted string or literal.
    String(IString<'a>),
}

impl ListMailbox<'_> {
    /// The pattern bytes.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Token(t) => t.as_bytes(),
            Self::String(s) => s.as_bytes(),
        }
    }
}

impl<'a> ListMailbox<'a> {
    /// A pattern in its wire form, sent as is (a token where possible, else
    /// a string); fails only on NUL.
    pub fn from_wire(bytes: impl Into<Buf<'a>>) -> Result<Self, ValidationError> {
        let buf = bytes.into();
        match ListChars::try_new(buf.clone()) {
            Ok(t) => Ok(Self::Token(t)),
            Err(_) => IString::try_new(buf).map(Self::String),
        }
    }

    /// A pattern held as raw UTF-8: sent as is in a session with UTF-8
    /// enabled (RFC 6855 §3), as modified UTF-7 in another (see
    /// [`respelled`](Self::respelled)).
    ///
    /// # Panics
    ///
    /// If `pattern` holds a NUL byte.
    #[track_caller]
    pub fn from_utf8_pattern(pattern: &'a str) -> Self {
        expect_no_nul(Self::from_wire(pattern))
    }

    /// The pattern spelled in the session's convention for names, when it
    /// differs from the bytes held (a pattern holds no convention of its
    /// own, unlike a [`Mailbox`](crate::Mailbox), so it is read from the
    /// bytes): in a UTF-8 session (`utf8`), a pattern of valid modified
    /// UTF-7 with a `&` run (as `From<&str>` builds) decoded; in another, a
    /// pattern with non-ASCII UTF-8 (as [`from_utf8_pattern`](Self::from_utf8_pattern)
    /// builds) encoded as modified UTF-7. In a UTF-8 session a pattern
    /// meant literally that reads as modified UTF-7 (`R&-D`) is decoded
    /// too; build it with [`from_wire`](Self::from_wire) in a writer
    /// without options, or avoid such names.
    pub fn respelled(&self, utf8: bool) -> Option<ListMailbox<'static>> {
        let bytes = self.as_bytes();
        let text = if utf8 {
            if !bytes.contains(&b'&') {
                return None;
            }
            utf7::decode(bytes).ok()?
        } else {
            if bytes.is_ascii() {
                return None;
            }
            utf7::encode(std::str::from_utf8(bytes).ok()?)
        };
        ListMailbox::from_wire(text).ok()
    }

    /// The same pattern borrowing from `self` (no copy, no reference count).
    pub fn reborrow(&self) -> ListMailbox<'_> {
        match self {
            Self::Token(t) => ListMailbox::Token(t.reborrow()),
            Self::String(s) => ListMailbox::String(s.reborrow()),
        }
    }
}

impl<'a> From<&'a str> for ListMailbox<'a> {
    /// A pattern as a user writes it, with the wildcards `*` and `%`, in
    /// any script: encoded as modified UTF-7 like a [`Mailbox`](crate::Mailbox)
    /// name (the wildcards are ASCII and stay), then written as a token
    /// where possible, else as a string.
    ///
    /// ```
    /// use imapkit_proto::ListMailbox;
    ///
    /// assert_eq!(ListMailbox::from("*").as_bytes(), b"*");
    /// assert_eq!(ListMailbox::from("日本語/%").as_bytes(), b"&ZeVnLIqe-/%");
    /// ```
    fn from(pattern: &'a str) -> Self {
        let wire = if pattern
            .bytes()
            .all(|b| (b' '..=b'~').contains(&b) && b != b'&')
        {
            Buf::from(pattern)
        } else {
            Buf::from(utf7::encode(pattern))
        };
        // Modified UTF-7 output is printable ASCII: no NUL.
        expect_no_nul(Self::from_wire(wire))
    }
}

impl From<String> for ListMailbox<'static> {
    /// As `From<&str>`.
    fn from(pattern: String) -> Self {
        ListMailbox::from(pattern.as_str()).into_static()
    }
}

impl<'a> From<ListMailbox<'a>> for ListPatterns<'a> {
    fn from(p: ListMailbox<'a>) -> Self {
        ListPatterns::Single(p)
    }
}

impl<'a> From<&'a str> for ListPatterns<'a> {
    /// One pattern (see [`ListMailbox`]'s `From<&str>`).
    fn from(p: &'a str) -> Self {
        ListPatterns::Single(p.into())
    }
}

impl<'a, const N: usize> From<[&'a str; N]> for ListPatterns<'a> {
    /// Several patterns, `(p1 p2 ...)` (LIST-EXTENDED, RFC 5258); a single
    /// one is written without parentheses.
    fn from(p: [&'a str; N]) -> Self {
        const { assert!(N > 0, "LIST needs a pattern") };
        let mut v: Vec<ListMailbox<'a>> = p.into_iter().map(ListMailbox::from).collect();
        match v.pop() {
            Some(p) if v.is_empty() => ListPatterns::Single(p),
            Some(p) => {
                v.push(p);
                ListPatterns::Multiple(Vec1::unvalidated(v))
            }
            // N > 0 is checked at compile time.
            None => unreachable!("an array of at least one pattern"),
        }
    }
}

/// `mbox-or-pat` (RFC 5258): one pattern, or `(` patterns `)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListPatterns<'a> {
    /// One pattern, without parentheses.
    Single(ListMailbox<'a>),
    /// `(p1 p2 ...)` (LIST-EXTENDED)
    Multiple(Vec1<ListMailbox<'a>>),
}

/// A `list-select-opt` (RFC 5258 §6, RFC 6154).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListSelectOption<'a> {
    /// `SUBSCRIBED`
    Subscribed,
    /// `REMOTE`
    Remote,
    /// `RECURSIVEMATCH`
    RecursiveMatch,
    /// `SPECIAL-USE` (RFC 6154)
    SpecialUse,
    /// Any other option; never one of the names above.
    Other(ListOptionExtension<'a>),
}

/// A `return-option` of LIST (RFC 5258 §6, RFC 5819, RFC 6154, RFC 8440).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListReturnOption<'a> {
    /// `SUBSCRIBED`
    Subscribed,
    /// `CHILDREN`
    Children,
    /// `STATUS (attributes)` (RFC 5819)
    Status(Vec1<StatusAttribute>),
    /// `SPECIAL-USE` (RFC 6154)
    SpecialUse,
    /// `MYRIGHTS` (RFC 8440)
    MyRights,
    /// Any other option; never one of the names above.
    Other(ListOptionExtension<'a>),
}

/// `option-extension` (RFC 5258 §6): `name [SP "(" option-val-comp ")"]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListOptionExtension<'a> {
    /// The option name (`option-standard-tag` or `option-vendor-tag`).
    pub name: Atom<'a>,
    /// The parenthesised value.
    pub value: Option<Vec1<TaggedExtComp<'a>>>,
}

impl IntoStatic for SelectParameter<'_> {
    type Static = SelectParameter<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> SelectParameter<'static> {
        match self {
            Self::CondStore => SelectParameter::CondStore,
            Self::QResync {
                uid_validity,
                mod_seq,
                known_uids,
                seq_match_data,
            } => SelectParameter::QResync {
                uid_validity,
                mod_seq,
                known_uids,
                seq_match_data,
            },
            Self::Other(p) => SelectParameter::Other(p.into_static_in(f)),
        }
    }
}

impl IntoStatic for CreateParameter<'_> {
    type Static = CreateParameter<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> CreateParameter<'static> {
        match self {
            Self::Use(u) => CreateParameter::Use(u.into_static_in(f)),
            Self::Other(p) => CreateParameter::Other(p.into_static_in(f)),
        }
    }
}

impl IntoStatic for UseAttribute<'_> {
    type Static = UseAttribute<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> UseAttribute<'static> {
        match self {
            Self::All => UseAttribute::All,
            Self::Archive => UseAttribute::Archive,
            Self::Drafts => UseAttribute::Drafts,
            Self::Flagged => UseAttribute::Flagged,
            Self::Junk => UseAttribute::Junk,
            Self::Sent => UseAttribute::Sent,
            Self::Trash => UseAttribute::Trash,
            Self::Other(a) => UseAttribute::Other(a.into_static_in(f)),
        }
    }
}

impl IntoStatic for ListMailbox<'_> {
    type Static = ListMailbox<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> ListMailbox<'static> {
        match self {
            Self::Token(t) => ListMailbox::Token(t.into_static_in(f)),
            Self::String(s) => ListMailbox::String(s.into_static_in(f)),
        }
    }
}

impl IntoStatic for ListPatterns<'_> {
    type Static = ListPatterns<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> ListPatterns<'static> {
        match self {
            Self::Single(m) => ListPatterns::Single(m.into_static_in(f)),
            Self::Multiple(l) => ListPatterns::Multiple(l.into_static_in(f)),
        }
    }
}

impl IntoStatic for ListSelectOption<'_> {
    type Static = ListSelectOption<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> ListSelectOption<'static> {
        match self {
            Self::Subscribed => ListSelectOption::Subscribed,
            Self::Remote => ListSelectOption::Remote,
            Self::RecursiveMatch => ListSelectOption::RecursiveMatch,
            Self::SpecialUse => ListSelectOption::SpecialUse,
            Self::Other(o) => ListSelectOption::Other(o.into_static_in(f)),
        }
    }
}

impl IntoStatic for ListReturnOption<'_> {
    type Static = ListReturnOption<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> ListReturnOption<'static> {
        match self {
            Self::Subscribed => ListReturnOption::Subscribed,
            Self::Children => ListReturnOption::Children,
            Self::Status(s) => ListReturnOption::Status(s),
            Self::SpecialUse => ListReturnOption::SpecialUse,
            Self::MyRights => ListReturnOption::MyRights,
            Self::Other(o) => ListReturnOption::Other(o.into_static_in(f)),
        }
    }
}

impl IntoStatic for ListOptionExtension<'_> {
    type Static = ListOptionExtension<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> ListOptionExtension<'static> {
        ListOptionExtension {
            name: self.name.into_static_in(f),
            value: self.value.into_static_in(f),
        }
    }
}
