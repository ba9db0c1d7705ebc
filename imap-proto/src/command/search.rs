//! SEARCH keys and return options, SORT and THREAD criteria
//! (RFC 9051 §6.4.4, RFC 3501 §6.4.4, RFC 4731, RFC 5256, RFC 5267, RFC 9394).

use std::num::NonZeroU32;

use bytes::Bytes;

use super::{ExtParam, GmailLabel};
use crate::buf::IntoStatic;
use crate::core::{AString, Atom, Quoted, Vec1};
use crate::datetime::Date;
use crate::flag::Flag;
use crate::response::ObjectId;
use crate::sequence::SequenceSet;

/// A `search-key` (RFC 9051 §6.4.4 and §9, RFC 3501 §6.4.4, and extensions).
///
/// There is no generic variant: the arity of an unknown key is unknown, so a
/// command with one is a decoding error.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SearchKey<'a> {
    /// `ALL`
    All,
    /// `ANSWERED`
    Answered,
    /// `BCC string`
    Bcc(AString<'a>),
    /// `BEFORE date` (internal date)
    Before(Date),
    /// `BODY string`
    Body(AString<'a>),
    /// `CC string`
    Cc(AString<'a>),
    /// `DELETED`
    Deleted,
    /// `DRAFT`
    Draft,
    /// `FLAGGED`
    Flagged,
    /// `FROM string`
    From(AString<'a>),
    /// `HEADER field-name string`
    Header(AString<'a>, AString<'a>),
    /// `KEYWORD flag`
    Keyword(Atom<'a>),
    /// `LARGER n`
    Larger(u64),
    /// `NEW` (IMAP4rev1 only)
    New,
    /// `NOT key`
    Not(Box<Self>),
    /// `OLD` (IMAP4rev1 only)
    Old,
    /// `ON date`
    On(Date),
    /// `OR key1 key2`
    Or(Box<Self>, Box<Self>),
    /// `RECENT` (IMAP4rev1 only)
    Recent,
    /// `SEEN`
    Seen,
    /// `SENTBEFORE date`
    SentBefore(Date),
    /// `SENTON date`
    SentOn(Date),
    /// `SENTSINCE date`
    SentSince(Date),
    /// `SINCE date`
    Since(Date),
    /// `SMALLER n`
    Smaller(u64),
    /// `SUBJECT string`
    Subject(AString<'a>),
    /// `TEXT string`
    Text(AString<'a>),
    /// `TO string`
    To(AString<'a>),
    /// `UID set`
    Uid(SequenceSet),
    /// `UNANSWERED`
    Unanswered,
    /// `UNDELETED`
    Undeleted,
    /// `UNDRAFT`
    Undraft,
    /// `UNFLAGGED`
    Unflagged,
    /// `UNKEYWORD flag`
    Unkeyword(Atom<'a>),
    /// `UNSEEN`
    Unseen,
    /// A sequence set of message numbers (or `$`).
    SequenceSet(SequenceSet),
    /// `( key key ... )`: all must match.
    And(Vec1<Self>),
    /// `MODSEQ [entry-name entry-type] modseq` (RFC 7162 §3.1.5)
    ModSeq {
        /// The metadata item to look at, if given.
        entry: Option<SearchModSeqEntry<'a>>,
        /// Messages with a mod-sequence at least this (`0` allowed).
        modseq: u64,
    },
    /// `OLDER seconds` (RFC 5032)
    Older(NonZeroU32),
    /// `YOUNGER seconds` (RFC 5032)
    Younger(NonZeroU32),
    /// `SAVEDBEFORE date` (RFC 8514)
    SavedBefore(Date),
    /// `SAVEDON date` (RFC 8514)
    SavedOn(Date),
    /// `SAVEDSINCE date` (RFC 8514)
    SavedSince(Date),
    /// `SAVEDATESUPPORTED` (RFC 8514)
    SaveDateSupported,
    /// `EMAILID objectid` (RFC 8474)
    EmailId(ObjectId<'a>),
    /// `THREADID objectid` (RFC 8474)
    ThreadId(ObjectId<'a>),
    /// `X-GM-RAW string`: Gmail search syntax.
    GmailRaw(AString<'a>),
    /// `X-GM-MSGID n` (Gmail)
    GmailMsgId(u64),
    /// `X-GM-THRID n` (Gmail)
    GmailThrId(u64),
    /// `X-GM-LABELS label` (Gmail)
    GmailLabels(GmailLabel<'a>),
}

impl<'a> SearchKey<'a> {
    /// `NOT key`.
    pub fn negated(key: Self) -> Self {
        Self::Not(Box::new(key))
    }

    /// `OR a b`.
    pub fn or(a: Self, b: Self) -> Self {
        Self::Or(Box::new(a), Box::new(b))
    }

    /// The key for messages with `flag` set (RFC 9051 §6.4.4): `ANSWERED`,
    /// `DELETED`, `DRAFT`, `FLAGGED`, `SEEN` for the system flags,
    /// `KEYWORD kw` for a keyword. `None` for an extension flag
    /// (`\Something`): `KEYWORD` takes a `flag-keyword` (RFC 9051 §9), so
    /// SEARCH has no key for it.
    ///
    /// Takes the flag by value; for one you keep, pass
    /// [`flag.reborrow()`](Flag::reborrow) (no copy) or a clone.
    ///
    /// ```
    /// use imapkit_proto::{Flag, SearchKey};
    ///
    /// assert_eq!(SearchKey::flag(Flag::Seen), Some(SearchKey::Seen));
    /// let junk = Flag::keyword("$Junk").unwrap();
    /// assert_eq!(
    ///     SearchKey::flag(junk.reborrow()),
    ///     Some(SearchKey::Keyword("$Junk".try_into().unwrap())),
    /// );
    /// assert_eq!(SearchKey::not_flag(Flag::Seen), Some(SearchKey::Unseen));
    /// let extension = Flag::system("Important".try_into().unwrap());
    /// assert_eq!(SearchKey::flag(extension), None);
    /// ```
    pub fn flag(flag: Flag<'a>) -> Option<Self> {
        Some(match flag {
            Flag::Answered => Self::Answered,
            Flag::Flagged => Self::Flagged,
            Flag::Deleted => Self::Deleted,
            Flag::Seen => Self::Seen,
            Flag::Draft => Self::Draft,
            Flag::Keyword(k) => Self::Keyword(k),
            Flag::Extension(_) => return None,
        })
    }

    /// The key for messages without `flag` (RFC 9051 §6.4.4):
    /// `UNANSWERED`, `UNDELETED`, `UNDRAFT`, `UNFLAGGED`, `UNSEEN` for the
    /// system flags, `UNKEYWORD kw` for a keyword; `None` for an extension
    /// flag (see [`SearchKey::flag`]).
    pub fn not_flag(flag: Flag<'a>) -> Option<Self> {
        Some(match flag {
            Flag::Answered => Self::Unanswered,
            Flag::Flagged => Self::Unflagged,
            Flag::Deleted => Self::Undeleted,
            Flag::Seen => Self::Unseen,
            Flag::Draft => Self::Undraft,
            Flag::Keyword(k) => Self::Unkeyword(k),
            Flag::Extension(_) => return None,
        })
    }

    /// Whether the key names messages by sequence number: a sequence set
    /// other than `$` (RFC 5182), itself or inside NOT, OR and a
    /// parenthesized list. A UID SEARCH with such a key uses message
    /// numbers as a SEARCH does (RFC 9051 §7.5.1, RFC 7162 §3.2.10).
    ///
    /// ```
    /// use imapkit_proto::{SearchKey, SequenceSet};
    ///
    /// let numbers = SearchKey::SequenceSet(SequenceSet::single(5).unwrap());
    /// assert!(SearchKey::negated(numbers).uses_message_numbers());
    /// assert!(!SearchKey::Uid(SequenceSet::single(5).unwrap()).uses_message_numbers());
    /// assert!(!SearchKey::SequenceSet(SequenceSet::LastResult).uses_message_numbers());
    /// ```
    pub fn uses_message_numbers(&self) -> bool {
        match self {
            Self::SequenceSet(SequenceSet::Set(_)) => true,
            Self::Not(k) => k.uses_message_numbers(),
            Self::Or(a, b) => a.uses_message_numbers() || b.uses_message_numbers(),
            Self::And(keys) => keys.iter().any(Self::uses_message_numbers),
            _ => false,
        }
    }

    /// Nesting depth: 1 for a key without sub-keys.
    pub fn depth(&self) -> usize {
        match self {
            Self::Not(k) => 1 + k.depth(),
            Self::Or(a, b) => 1 + a.depth().max(b.depth()),
            Self::And(l) => 1 + l.iter().map(Self::depth).max().unwrap_or(0),
            _ => 1,
        }
    }
}

/// The `entry-name SP entry-type-req` of a `MODSEQ` search key (RFC 7162 §3.1.5),
/// e.g. `"/flags/\\draft" all`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchModSeqEntry<'a> {
    /// The entry, such as `/flags/\draft` (unescaped; a quoted string on the wire).
    pub name: Quoted<'a>,
    /// `priv`, `shared` or `all`.
    pub kind: EntryTypeReq,
}

/// `entry-type-req` (RFC 7162 §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryTypeReq {
    /// `priv`
    Private,
    /// `shared`
    Shared,
    /// `all`
    All,
}

/// A `search-return-opt` (RFC 9051 §6.4.4, RFC 4731, RFC 5182, RFC 5267, RFC 9394).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SearchReturnOption<'a> {
    /// `MIN`
    Min,
    /// `MAX`
    Max,
    /// `ALL`
    All,
    /// `COUNT`
    Count,
    /// `SAVE` (RFC 5182)
    Save,
    /// `CONTEXT` (RFC 5267)
    Context,
    /// `UPDATE` (RFC 5267)
    Update,
    /// `PARTIAL range` (RFC 5267, RFC 9394)
    Partial(PartialRange),
    /// Any other option (`search-ret-opt-ext`); never one of the names above.
    Other(ExtParam<'a>),
}

/// A `partial-range` (RFC 9394 §4): `first:last` counting from the oldest
/// message, or `-first:-last` counting from the newest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartialRange {
    /// `a:b`
    First(NonZeroU32, NonZeroU32),
    /// `-a:-b`
    Last(NonZeroU32, NonZeroU32),
}

/// A `sort-criterion` (RFC 5256 §3): `[REVERSE] sort-key`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SortCriterion<'a> {
    /// `REVERSE`
    pub reverse: bool,
    /// The key.
    pub key: SortKey<'a>,
}

/// A `sort-key` (RFC 5256 §3, RFC 5957).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SortKey<'a> {
    /// `ARRIVAL`
    Arrival,
    /// `CC`
    Cc,
    /// `DATE`
    Date,
    /// `FROM`
    From,
    /// `SIZE`
    Size,
    /// `SUBJECT`
    Subject,
    /// `TO`
    To,
    /// `DISPLAYFROM` (RFC 5957)
    DisplayFrom,
    /// `DISPLAYTO` (RFC 5957)
    DisplayTo,
    /// Another key (an atom), never one of the above nor `REVERSE`.
    Other(Atom<'a>),
}

impl SortKey<'_> {
    /// The known keys with their names.
    pub const KNOWN: [(&'static str, SortKey<'static>); 9] = [
        ("ARRIVAL", SortKey::Arrival),
        ("CC", SortKey::Cc),
        ("DATE", SortKey::Date),
        ("FROM", SortKey::From),
        ("SIZE", SortKey::Size),
        ("SUBJECT", SortKey::Subject),
        ("TO", SortKey::To),
        ("DISPLAYFROM", SortKey::DisplayFrom),
        ("DISPLAYTO", SortKey::DisplayTo),
    ];
}

/// A `thread-alg` (RFC 5256 §3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ThreadAlgorithm<'a> {
    /// `ORDEREDSUBJECT`
    OrderedSubject,
    /// `REFERENCES`
    References,
    /// `thread-alg-ext`, e.g. `REFS`; never one of the above.
    Other(Atom<'a>),
}

impl IntoStatic for SearchKey<'_> {
    type Static = SearchKey<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> SearchKey<'static> {
        use SearchKey as K;
        match self {
            K::All => K::All,
            K::Answered => K::Answered,
            K::Bcc(s) => K::Bcc(s.into_static_in(f)),
            K::Before(d) => K::Before(d),
            K::Body(s) => K::Body(s.into_static_in(f)),
            K::Cc(s) => K::Cc(s.into_static_in(f)),
            K::Deleted => K::Deleted,
            K::Draft => K::Draft,
            K::Flagged => K::Flagged,
            K::From(s) => K::From(s.into_static_in(f)),
            K::Header(a, b) => K::Header(a.into_static_in(f), b.into_static_in(f)),
            K::Keyword(a) => K::Keyword(a.into_static_in(f)),
            K::Larger(n) => K::Larger(n),
            K::New => K::New,
            K::Not(k) => K::Not(k.into_static_in(f)),
            K::Old => K::Old,
            K::On(d) => K::On(d),
            K::Or(a, b) => K::Or(a.into_static_in(f), b.into_static_in(f)),
            K::Recent => K::Recent,
            K::Seen => K::Seen,
            K::SentBefore(d) => K::SentBefore(d),
            K::SentOn(d) => K::SentOn(d),
            K::SentSince(d) => K::SentSince(d),
            K::Since(d) => K::Since(d),
            K::Smaller(n) => K::Smaller(n),
            K::Subject(s) => K::Subject(s.into_static_in(f)),
            K::Text(s) => K::Text(s.into_static_in(f)),
            K::To(s) => K::To(s.into_static_in(f)),
            K::Uid(s) => K::Uid(s),
            K::Unanswered => K::Unanswered,
            K::Undeleted => K::Undeleted,
            K::Undraft => K::Undraft,
            K::Unflagged => K::Unflagged,
            K::Unkeyword(a) => K::Unkeyword(a.into_static_in(f)),
            K::Unseen => K::Unseen,
            K::SequenceSet(s) => K::SequenceSet(s),
            K::And(l) => K::And(l.into_static_in(f)),
            K::ModSeq { entry, modseq } => K::ModSeq {
                entry: entry.into_static_in(f),
                modseq,
            },
            K::Older(n) => K::Older(n),
            K::Younger(n) => K::Younger(n),
            K::SavedBefore(d) => K::SavedBefore(d),
            K::SavedOn(d) => K::SavedOn(d),
            K::SavedSince(d) => K::SavedSince(d),
            K::SaveDateSupported => K::SaveDateSupported,
            K::EmailId(o) => K::EmailId(o.into_static_in(f)),
            K::ThreadId(o) => K::ThreadId(o.into_static_in(f)),
            K::GmailRaw(s) => K::GmailRaw(s.into_static_in(f)),
            K::GmailMsgId(n) => K::GmailMsgId(n),
            K::GmailThrId(n) => K::GmailThrId(n),
            K::GmailLabels(l) => K::GmailLabels(l.into_static_in(f)),
        }
    }
}

impl IntoStatic for SearchModSeqEntry<'_> {
    type Static = SearchModSeqEntry<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> SearchModSeqEntry<'static> {
        SearchModSeqEntry {
            name: self.name.into_static_in(f),
            kind: self.kind,
        }
    }
}

impl IntoStatic for SearchReturnOption<'_> {
    type Static = SearchReturnOption<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> SearchReturnOption<'static> {
        use SearchReturnOption as O;
        match self {
            O::Min => O::Min,
            O::Max => O::Max,
            O::All => O::All,
            O::Count => O::Count,
            O::Save => O::Save,
            O::Context => O::Context,
            O::Update => O::Update,
            O::Partial(p) => O::Partial(p),
            O::Other(p) => O::Other(p.into_static_in(f)),
        }
    }
}

impl IntoStatic for SortCriterion<'_> {
    type Static = SortCriterion<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> SortCriterion<'static> {
        SortCriterion {
            reverse: self.reverse,
            key: self.key.into_static_in(f),
        }
    }
}

impl IntoStatic for SortKey<'_> {
    type Static = SortKey<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> SortKey<'static> {
        match self {
            Self::Arrival => SortKey::Arrival,
            Self::Cc => SortKey::Cc,
            Self::Date => SortKey::Date,
            Self::From => SortKey::From,
            Self::Size => SortKey::Size,
            Self::Subject => SortKey::Subject,
            Self::To => SortKey::To,
            Self::DisplayFrom => SortKey::DisplayFrom,
            Self::DisplayTo => SortKey::DisplayTo,
            Self::Other(a) => SortKey::Other(a.into_static_in(f)),
        }
    }
}

impl IntoStatic for ThreadAlgorithm<'_> {
    type Static = ThreadAlgorithm<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> ThreadAlgorithm<'static> {
        match self {
            Self::OrderedSubject => ThreadAlgorithm::OrderedSubject,
            Self::References => ThreadAlgorithm::References,
            Self::Other(a) => ThreadAlgorithm::Other(a.into_static_in(f)),
        }
    }
}

crate::impl_into_static_copy!(EntryTypeReq, PartialRange);
