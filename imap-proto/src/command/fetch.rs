//! FETCH items and modifiers (RFC 9051 §6.4.5 `fetch-att`, RFC 4466
//! `fetch-modifier`, and extensions).

use std::num::NonZeroU32;

use bytes::Bytes;

use super::{ExtParam, PartialRange};
use crate::buf::IntoStatic;
use crate::core::{Atom, Vec1};
use crate::section::{Partial, Section};
use crate::snippet::SnippetRequest;

/// What a FETCH command asks for: a macro, one item, or a parenthesised list.
/// The form is kept (`FETCH 1 FLAGS` and `FETCH 1 (FLAGS)` stay distinct).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FetchItems<'a> {
    /// `ALL`: `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)`
    All,
    /// `FAST`: `(FLAGS INTERNALDATE RFC822.SIZE)`
    Fast,
    /// `FULL`: `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY)`
    Full,
    /// One item without parentheses.
    Single(FetchAttribute<'a>),
    /// `( item item ... )`
    List(Vec1<FetchAttribute<'a>>),
}

/// What the macros stand for (RFC 9051 §6.4.5).
const ALL: &[FetchAttribute<'static>] = &[
    FetchAttribute::Flags,
    FetchAttribute::InternalDate,
    FetchAttribute::Rfc822Size,
    FetchAttribute::Envelope,
];
const FAST: &[FetchAttribute<'static>] = &[
    FetchAttribute::Flags,
    FetchAttribute::InternalDate,
    FetchAttribute::Rfc822Size,
];
const FULL: &[FetchAttribute<'static>] = &[
    FetchAttribute::Flags,
    FetchAttribute::InternalDate,
    FetchAttribute::Rfc822Size,
    FetchAttribute::Envelope,
    FetchAttribute::Body,
];

impl<'a> FetchItems<'a> {
    /// The items the form stands for (macros expanded, RFC 9051 §6.4.5).
    pub fn expand(&self) -> Vec<FetchAttribute<'a>> {
        self.as_slice().to_vec()
    }

    /// Whether any item the form stands for (macros expanded) satisfies
    /// `f`; [`expand`](Self::expand) without the allocation.
    pub fn any(&self, f: impl FnMut(&FetchAttribute<'a>) -> bool) -> bool {
        self.as_slice().iter().any(f)
    }

    fn as_slice(&self) -> &[FetchAttribute<'a>] {
        match self {
            Self::All => ALL,
            Self::Fast => FAST,
            Self::Full => FULL,
            Self::Single(a) => std::slice::from_ref(a),
            Self::List(l) => l.as_slice(),
        }
    }
}

impl<'a> From<FetchAttribute<'a>> for FetchItems<'a> {
    /// One item, without parentheses.
    fn from(a: FetchAttribute<'a>) -> Self {
        Self::Single(a)
    }
}

impl<'a, const N: usize> From<[FetchAttribute<'a>; N]> for FetchItems<'a> {
    /// A parenthesised list: `[Uid, Flags, Envelope]` is `(UID FLAGS ENVELOPE)`.
    fn from(a: [FetchAttribute<'a>; N]) -> Self {
        Self::List(Vec1::from(a))
    }
}

impl<'a> From<Vec1<FetchAttribute<'a>>> for FetchItems<'a> {
    /// A parenthesised list.
    fn from(a: Vec1<FetchAttribute<'a>>) -> Self {
        Self::List(a)
    }
}

impl<'a> FetchAttribute<'a> {
    /// `BODY[section]`: the section; sets `\Seen`.
    pub fn body(section: Section<'a>) -> Self {
        Self::BodySection {
            peek: false,
            section,
            partial: None,
        }
    }

    /// `BODY.PEEK[section]`: the section without setting `\Seen`;
    /// `FetchAttribute::body_peek(Section::whole())` fetches a whole message.
    pub fn body_peek(section: Section<'a>) -> Self {
        Self::BodySection {
            peek: true,
            section,
            partial: None,
        }
    }
}

/// A `fetch-att` (RFC 9051 §6.4.5 and §9, RFC 3501, and the extensions named
/// on each variant).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FetchAttribute<'a> {
    /// `ENVELOPE`
    Envelope,
    /// `FLAGS`
    Flags,
    /// `INTERNALDATE`
    InternalDate,
    /// `RFC822.SIZE`
    Rfc822Size,
    /// `RFC822` (IMAP4rev1; same as `BODY[]`)
    Rfc822,
    /// `RFC822.HEADER` (IMAP4rev1; same as `BODY.PEEK[HEADER]`)
    Rfc822Header,
    /// `RFC822.TEXT` (IMAP4rev1; same as `BODY[TEXT]`)
    Rfc822Text,
    /// `BODY`: the non-extensible body structure.
    Body,
    /// `BODYSTRUCTURE`
    BodyStructure,
    /// `UID`
    Uid,
    /// `BODY[section]<partial>` or `BODY.PEEK[section]<partial>`.
    BodySection {
        /// `.PEEK`: do not set `\Seen`.
        peek: bool,
        /// The section.
        section: Section<'a>,
        /// `<offset.count>`
        partial: Option<Partial>,
    },
    /// `BINARY[part]<partial>` or `BINARY.PEEK[...]` (RFC 3516, RFC 9051).
    Binary {
        /// `.PEEK`
        peek: bool,
        /// The part path (empty for the whole message).
        part: Vec<NonZeroU32>,
        /// `<offset.count>`
        partial: Option<Partial>,
    },
    /// `BINARY.SIZE[part]` (RFC 3516, RFC 9051)
    BinarySize {
        /// The part path.
        part: Vec<NonZeroU32>,
    },
    /// `MODSEQ` (RFC 7162)
    ModSeq,
    /// `EMAILID` (RFC 8474)
    EmailId,
    /// `THREADID` (RFC 8474)
    ThreadId,
    /// `SAVEDATE` (RFC 8514)
    SaveDate,
    /// `PREVIEW` or `PREVIEW (LAZY)` (RFC 8970)
    Preview {
        /// `(LAZY)`: only if cheaply available.
        lazy: bool,
    },
    /// The draft forms Dovecot 2.3 speaks: `SNIPPET (LAZY=FUZZY)`, `PREVIEW
    /// (FUZZY)`, ... (see [`SnippetRequest`]).
    Snippet(SnippetRequest<'a>),
    /// `X-GM-MSGID` (Gmail)
    GmailMsgId,
    /// `X-GM-THRID` (Gmail)
    GmailThrId,
    /// `X-GM-LABELS` (Gmail)
    GmailLabels,
    /// Another item that is a bare atom; never one of the names above.
    Other(Atom<'a>),
}

/// A `fetch-modifier` (RFC 4466 §2.4).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FetchModifier<'a> {
    /// `CHANGEDSINCE modseq` (RFC 7162 §3.1.4): the messages whose
    /// mod-sequence is above `modseq`.
    ///
    /// RFC 7162 §7 wants 1 or more (`mod-sequence-value`), and the
    /// [builder](crate::FetchBuilder::changed_since) sends only that. The
    /// field also holds 0 because clients send `CHANGEDSINCE 0` for "every
    /// message" (iPhone Mail, in the modern-email/defects catalogue), and
    /// servers answer it (Dovecot 2.3 returns every message), so a server
    /// decodes it instead of refusing the command.
    ChangedSince(u64),
    /// `VANISHED` (RFC 7162 §3.2.6, UID FETCH only)
    Vanished,
    /// `PARTIAL range` (RFC 9394)
    Partial(PartialRange),
    /// Any other modifier; never one of the names above.
    Other(ExtParam<'a>),
}

impl IntoStatic for FetchItems<'_> {
    type Static = FetchItems<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> FetchItems<'static> {
        match self {
            Self::All => FetchItems::All,
            Self::Fast => FetchItems::Fast,
            Self::Full => FetchItems::Full,
            Self::Single(a) => FetchItems::Single(a.into_static_in(f)),
            Self::List(l) => FetchItems::List(l.into_static_in(f)),
        }
    }
}

impl IntoStatic for FetchAttribute<'_> {
    type Static = FetchAttribute<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> FetchAttribute<'static> {
        use FetchAttribute as A;
        match self {
            A::Envelope => A::Envelope,
            A::Flags => A::Flags,
            A::InternalDate => A::InternalDate,
            A::Rfc822Size => A::Rfc822Size,
            A::Rfc822 => A::Rfc822,
            A::Rfc822Header => A::Rfc822Header,
            A::Rfc822Text => A::Rfc822Text,
            A::Body => A::Body,
            A::BodyStructure => A::BodyStructure,
            A::Uid => A::Uid,
            A::BodySection {
                peek,
                section,
                partial,
            } => A::BodySection {
                peek,
                section: section.into_static_in(f),
                partial,
            },
            A::Binary {
                peek,
                part,
                partial,
            } => A::Binary {
                peek,
                part,
                partial,
            },
            A::BinarySize { part } => A::BinarySize { part },
            A::ModSeq => A::ModSeq,
            A::EmailId => A::EmailId,
            A::ThreadId => A::ThreadId,
            A::SaveDate => A::SaveDate,
            A::Preview { lazy } => A::Preview { lazy },
            A::Snippet(s) => A::Snippet(s.into_static_in(f)),
            A::GmailMsgId => A::GmailMsgId,
            A::GmailThrId => A::GmailThrId,
            A::GmailLabels => A::GmailLabels,
            A::Other(a) => A::Other(a.into_static_in(f)),
        }
    }
}

impl IntoStatic for FetchModifier<'_> {
    type Static = FetchModifier<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> FetchModifier<'static> {
        match self {
            Self::ChangedSince(n) => FetchModifier::ChangedSince(n),
            Self::Vanished => FetchModifier::Vanished,
            Self::Partial(p) => FetchModifier::Partial(p),
            Self::Other(p) => FetchModifier::Other(p.into_static_in(f)),
        }
    }
}
