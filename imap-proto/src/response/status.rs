//! STATUS response items (RFC 9051 §7.2.4 `status-att-val`) and ESEARCH
//! response data (RFC 4731, RFC 9051 §7.3.4).

use std::num::NonZeroU32;

use bytes::Bytes;

use crate::buf::IntoStatic;
use crate::core::{AString, Atom};
use crate::sequence::SequenceSet;
use crate::status::StatusAttribute;

use super::ext::TaggedExtVal;
use super::fetch::ObjectId;

/// A `status-att-val` of a STATUS response (RFC 9051 §7.2.4, RFC 7162,
/// RFC 7889, RFC 8474). Counts that the grammar makes non-zero are plain
/// integers here: real servers send `UIDNEXT 0` for empty mailboxes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StatusItem<'a> {
    /// `MESSAGES n`
    Messages(u32),
    /// `UIDNEXT n`
    UidNext(u32),
    /// `UIDVALIDITY n`
    UidValidity(u32),
    /// `UNSEEN n`
    Unseen(u32),
    /// `DELETED n` (IMAP4rev2)
    Deleted(u32),
    /// `SIZE n` (IMAP4rev2, RFC 8438)
    Size(u64),
    /// `RECENT n` (IMAP4rev1)
    Recent(u32),
    /// `HIGHESTMODSEQ n` (RFC 7162 §3.1.6)
    HighestModSeq(u64),
    /// `APPENDLIMIT n` or `APPENDLIMIT NIL` (RFC 7889 §3.2)
    AppendLimit(Option<u64>),
    /// `MAILBOXID (id)` (RFC 8474 §4.1)
    MailboxId(ObjectId<'a>),
    /// `DELETED-STORAGE n` (RFC 9208 §4.4), in the quota's storage unit (KiB)
    DeletedStorage(u64),
    /// An attribute without a variant, with a generic value. The name is never
    /// one of the attributes above.
    Other {
        /// The attribute's name.
        name: Atom<'a>,
        /// Its value.
        value: TaggedExtVal<'a>,
    },
}

impl StatusItem<'_> {
    /// The attribute this item answers; `None` for [`StatusItem::Other`].
    pub fn attribute(&self) -> Option<StatusAttribute> {
        Some(match self {
            StatusItem::Messages(_) => StatusAttribute::Messages,
            StatusItem::UidNext(_) => StatusAttribute::UidNext,
            StatusItem::UidValidity(_) => StatusAttribute::UidValidity,
            StatusItem::Unseen(_) => StatusAttribute::Unseen,
            StatusItem::Deleted(_) => StatusAttribute::Deleted,
            StatusItem::Size(_) => StatusAttribute::Size,
            StatusItem::Recent(_) => StatusAttribute::Recent,
            StatusItem::HighestModSeq(_) => StatusAttribute::HighestModSeq,
            StatusItem::AppendLimit(_) => StatusAttribute::AppendLimit,
            StatusItem::MailboxId(_) => StatusAttribute::MailboxId,
            StatusItem::DeletedStorage(_) => StatusAttribute::DeletedStorage,
            StatusItem::Other { .. } => return None,
        })
    }
}

/// An ESEARCH response (RFC 4731 §3.1, RFC 9051 §7.3.4 `esearch-response`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ESearch<'a> {
    /// The `(TAG "x")` correlator: the tag of the command this answers.
    pub tag: Option<AString<'a>>,
    /// `UID`: the numbers are UIDs.
    pub uid: bool,
    /// The return data items.
    pub data: Vec<SearchReturnData<'a>>,
}

/// A `search-return-data` item of an ESEARCH response.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SearchReturnData<'a> {
    /// `MIN n`
    Min(NonZeroU32),
    /// `MAX n`
    Max(NonZeroU32),
    /// `ALL set`
    All(SequenceSet),
    /// `COUNT n`
    Count(u32),
    /// `MODSEQ n` (RFC 7162 §3.1.5)
    ModSeq(u64),
    /// `PARTIAL (range results)` (RFC 9394 §3.1); `results` is `None` for `NIL`.
    Partial {
        /// The range the client asked for.
        range: ESearchPartialRange,
        /// The matching numbers in that range.
        results: Option<SequenceSet>,
    },
    /// Any other item (`search-ret-data-ext`); the name is never one of the above.
    Other {
        /// `search-modifier-name`
        name: Atom<'a>,
        /// Its value.
        value: TaggedExtVal<'a>,
    },
}

/// A `partial-range` (RFC 9394 §3.1): `first:last` counted from the start,
/// or `-first:-last` counted from the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ESearchPartialRange {
    /// `a:b`
    First(NonZeroU32, NonZeroU32),
    /// `-a:-b`
    Last(NonZeroU32, NonZeroU32),
}

impl IntoStatic for StatusItem<'_> {
    type Static = StatusItem<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> StatusItem<'static> {
        use StatusItem as S;
        match self {
            S::Messages(n) => S::Messages(n),
            S::UidNext(n) => S::UidNext(n),
            S::UidValidity(n) => S::UidValidity(n),
            S::Unseen(n) => S::Unseen(n),
            S::Deleted(n) => S::Deleted(n),
            S::Size(n) => S::Size(n),
            S::Recent(n) => S::Recent(n),
            S::HighestModSeq(n) => S::HighestModSeq(n),
            S::DeletedStorage(n) => S::DeletedStorage(n),
            S::AppendLimit(n) => S::AppendLimit(n),
            S::MailboxId(i) => S::MailboxId(i.into_static_in(frame)),
            S::Other { name, value } => S::Other {
                name: name.into_static_in(frame),
                value: value.into_static_in(frame),
            },
        }
    }
}

impl IntoStatic for SearchReturnData<'_> {
    type Static = SearchReturnData<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> SearchReturnData<'static> {
        use SearchReturnData as D;
        match self {
            D::Min(n) => D::Min(n),
            D::Max(n) => D::Max(n),
            D::All(s) => D::All(s),
            D::Count(n) => D::Count(n),
            D::ModSeq(n) => D::ModSeq(n),
            D::Partial { range, results } => D::Partial { range, results },
            D::Other { name, value } => D::Other {
                name: name.into_static_in(frame),
                value: value.into_static_in(frame),
            },
        }
    }
}

super::into_static_struct!(ESearch { tag, uid, data });
crate::impl_into_static_copy!(ESearchPartialRange);
