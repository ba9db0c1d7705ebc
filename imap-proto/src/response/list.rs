//! LIST/LSUB responses (RFC 9051 §7.3.1, RFC 5258 LIST-EXTENDED, RFC 6154
//! SPECIAL-USE) and the NAMESPACE response (RFC 2342, RFC 9051 §7.3.2).

use bytes::Bytes;

use std::fmt;

use crate::buf::IntoStatic;
use crate::core::{AString, Atom, IString, Vec1};
use crate::error::ValidationError;
use crate::mailbox::Mailbox;

use super::ext::TaggedExtVal;

/// A `mailbox-list` (RFC 9051 §9): attributes, hierarchy delimiter, name and
/// LIST-EXTENDED items.
///
/// An empty `extended` list is not written (`mbox-list-extended` is
/// optional, and `()` decodes to an empty list).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MailboxList<'a> {
    /// `mbx-list-flags`.
    pub attributes: Vec<MailboxAttribute<'a>>,
    /// The hierarchy delimiter; `None` for `NIL` (flat namespace).
    pub delimiter: Option<Delimiter>,
    /// The mailbox name.
    pub mailbox: Mailbox<'a>,
    /// `mbox-list-extended` items (RFC 5258 §6, RFC 9051).
    pub extended: Vec<ListExtendedItem<'a>>,
}

/// A hierarchy delimiter (RFC 9051 §9: `DQUOTE QUOTED-CHAR DQUOTE` in
/// `mailbox-list`, `namespace-descr`): one character, any but NUL, CR and
/// LF, which a quoted string cannot hold. (`"` and `\` are written
/// escaped; a non-ASCII character needs a peer that accepts UTF-8.)
///
/// ```
/// use imapkit_proto::Delimiter;
///
/// assert_eq!(Delimiter::new('/').unwrap(), Delimiter::SLASH);
/// assert_eq!(Delimiter::SLASH.as_char(), '/');
/// assert!(Delimiter::new('\n').is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Delimiter(char);

impl Delimiter {
    /// `/`, the most common delimiter.
    pub const SLASH: Self = Self('/');
    /// `.`, the delimiter of Courier and Cyrus's default namespace.
    pub const DOT: Self = Self('.');

    /// A delimiter; refuses NUL, CR and LF. A `const fn`, for constants.
    pub const fn new(c: char) -> Result<Self, ValidationError> {
        match c {
            '\0' | '\r' | '\n' => Err(ValidationError::InvalidByte {
                what: "delimiter",
                byte: c as u8,
                at: 0,
            }),
            c => Ok(Self(c)),
        }
    }

    /// The character.
    pub const fn as_char(self) -> char {
        self.0
    }
}

impl TryFrom<char> for Delimiter {
    type Error = ValidationError;
    fn try_from(c: char) -> Result<Self, ValidationError> {
        Self::new(c)
    }
}

impl From<Delimiter> for char {
    fn from(d: Delimiter) -> Self {
        d.0
    }
}

impl PartialEq<char> for Delimiter {
    fn eq(&self, other: &char) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for Delimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

crate::impl_into_static_copy!(Delimiter);

/// A mailbox attribute in a LIST response (RFC 9051 §7.3.1, RFC 3348,
/// RFC 5258, RFC 6154). Names are case-insensitive; the decoder maps any case
/// of a known name onto its variant, so [`MailboxAttribute::Extension`] never
/// holds a known name (use [`MailboxAttribute::from_atom`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MailboxAttribute<'a> {
    /// `\Noinferiors`
    NoInferiors,
    /// `\Noselect`
    NoSelect,
    /// `\NonExistent` (RFC 5258)
    NonExistent,
    /// `\HasChildren` (RFC 3348)
    HasChildren,
    /// `\HasNoChildren` (RFC 3348)
    HasNoChildren,
    /// `\Subscribed` (RFC 5258)
    Subscribed,
    /// `\Remote` (RFC 5258)
    Remote,
    /// `\Marked`
    Marked,
    /// `\Unmarked`
    Unmarked,
    /// `\All` (RFC 6154)
    All,
    /// `\Archive` (RFC 6154)
    Archive,
    /// `\Drafts` (RFC 6154)
    Drafts,
    /// `\Flagged` (RFC 6154)
    Flagged,
    /// `\Junk` (RFC 6154)
    Junk,
    /// `\Sent` (RFC 6154)
    Sent,
    /// `\Trash` (RFC 6154)
    Trash,
    /// `\Important` (RFC 8457)
    Important,
    /// Any other `\`-attribute, held without the backslash.
    Extension(Atom<'a>),
}

const ATTRIBUTES: &[(&str, MailboxAttribute<'static>)] = &[
    ("Noinferiors", MailboxAttribute::NoInferiors),
    ("Noselect", MailboxAttribute::NoSelect),
    ("NonExistent", MailboxAttribute::NonExistent),
    ("HasChildren", MailboxAttribute::HasChildren),
    ("HasNoChildren", MailboxAttribute::HasNoChildren),
    ("Subscribed", MailboxAttribute::Subscribed),
    ("Remote", MailboxAttribute::Remote),
    ("Marked", MailboxAttribute::Marked),
    ("Unmarked", MailboxAttribute::Unmarked),
    ("All", MailboxAttribute::All),
    ("Archive", MailboxAttribute::Archive),
    ("Drafts", MailboxAttribute::Drafts),
    ("Flagged", MailboxAttribute::Flagged),
    ("Junk", MailboxAttribute::Junk),
    ("Sent", MailboxAttribute::Sent),
    ("Trash", MailboxAttribute::Trash),
    ("Important", MailboxAttribute::Important),
];

impl<'a> MailboxAttribute<'a> {
    /// The attribute for a name without the backslash (any case).
    pub fn from_atom(name: Atom<'a>) -> Self {
        ATTRIBUTES
            .iter()
            .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, a)| a.clone())
            .unwrap_or(MailboxAttribute::Extension(name))
    }

    /// The name without the backslash, in its canonical spelling.
    pub fn name(&self) -> &[u8] {
        match self {
            MailboxAttribute::Extension(a) => a.as_bytes(),
            known => ATTRIBUTES
                .iter()
                .find(|(_, a)| a == known)
                .map(|(n, _)| n.as_bytes())
                .unwrap_or_default(),
        }
    }
}

/// An `mbox-list-extended-item` (RFC 5258 §6, RFC 9051 §9).
///
/// The decoder reads every item generically and turns `CHILDINFO` and
/// `OLDNAME` items of the right shape into their variants; `Other` should not
/// hold such an item (it would decode as the specific variant).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListExtendedItem<'a> {
    /// `CHILDINFO ("SUBSCRIBED")` (RFC 5258 §4): why a non-matching parent is listed.
    ChildInfo(Vec1<AString<'a>>),
    /// `OLDNAME (mailbox)` (RFC 9051 §6.3.6, RFC 5465): the name before a RENAME.
    OldName(Mailbox<'a>),
    /// Any other item.
    Other {
        /// `mbox-list-extended-item-tag`
        tag: AString<'a>,
        /// Its value.
        value: TaggedExtVal<'a>,
    },
}

/// The NAMESPACE response (RFC 2342 §5, RFC 9051 §7.3.2): personal, other
/// users' and shared namespaces. `NIL` is an empty list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Namespaces<'a> {
    /// The user's own namespaces.
    pub personal: Vec<NamespaceDescr<'a>>,
    /// Other users' namespaces.
    pub other: Vec<NamespaceDescr<'a>>,
    /// Shared namespaces.
    pub shared: Vec<NamespaceDescr<'a>>,
}

/// A `namespace-descr`: prefix, delimiter and response extensions.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NamespaceDescr<'a> {
    /// The prefix, e.g. `""` or `"#shared/"`.
    pub prefix: IString<'a>,
    /// The hierarchy delimiter; `None` for `NIL`.
    pub delimiter: Option<Delimiter>,
    /// `namespace-response-extensions` (RFC 2342 §5, RFC 5255 TRANSLATION, ...).
    pub extensions: Vec<NamespaceExtension<'a>>,
}

/// A `namespace-response-extension`: `SP string SP "(" string *(SP string) ")"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NamespaceExtension<'a> {
    /// The extension name.
    pub name: IString<'a>,
    /// Its values.
    pub values: Vec1<IString<'a>>,
}

impl IntoStatic for MailboxAttribute<'_> {
    type Static = MailboxAttribute<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> MailboxAttribute<'static> {
        use MailboxAttribute as A;
        match self {
            A::NoInferiors => A::NoInferiors,
            A::NoSelect => A::NoSelect,
            A::NonExistent => A::NonExistent,
            A::HasChildren => A::HasChildren,
            A::HasNoChildren => A::HasNoChildren,
            A::Subscribed => A::Subscribed,
            A::Remote => A::Remote,
            A::Marked => A::Marked,
            A::Unmarked => A::Unmarked,
            A::All => A::All,
            A::Archive => A::Archive,
            A::Drafts => A::Drafts,
            A::Flagged => A::Flagged,
            A::Junk => A::Junk,
            A::Sent => A::Sent,
            A::Trash => A::Trash,
            A::Important => A::Important,
            A::Extension(a) => A::Extension(a.into_static_in(frame)),
        }
    }
}

impl IntoStatic for ListExtendedItem<'_> {
    type Static = ListExtendedItem<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> ListExtendedItem<'static> {
        match self {
            ListExtendedItem::ChildInfo(c) => ListExtendedItem::ChildInfo(c.into_static_in(frame)),
            ListExtendedItem::OldName(m) => ListExtendedItem::OldName(m.into_static_in(frame)),
            ListExtendedItem::Other { tag, value } => ListExtendedItem::Other {
                tag: tag.into_static_in(frame),
                value: value.into_static_in(frame),
            },
        }
    }
}

super::into_static_struct!(MailboxList {
    attributes,
    delimiter,
    mailbox,
    extended
});
super::into_static_struct!(Namespaces {
    personal,
    other,
    shared
});
super::into_static_struct!(NamespaceDescr {
    prefix,
    delimiter,
    extensions
});
super::into_static_struct!(NamespaceExtension { name, values });
