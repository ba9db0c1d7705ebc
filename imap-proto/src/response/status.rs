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

/// Accessors of a STATUS response's items (`status-att-val`, RFC 9051
/// §7.2.4, §7.3.3): each finds the attribute it names and returns its
/// value, `None` when the response does not hold it (the server answers
/// the attributes asked for).
///
/// Implemented for `[StatusItem]`, so it serves the `items` of a
/// [`Data::Status`](crate::Data::Status) (a `Vec`) and slices; bring the
/// trait into scope with `use imapkit_proto::StatusItems;`. Each call
/// walks the list once (no allocation); if an attribute came twice, the
/// first wins.
///
/// ```
/// use imapkit_proto::{Data, Mailbox, StatusItem, StatusItems};
///
/// let data = Data::Status {
///     mailbox: Mailbox::from("blurdybloop"),
///     items: vec![StatusItem::Messages(231), StatusItem::UidNext(44292)],
/// };
/// if let Data::Status { items, .. } = &data {
///     assert_eq!(items.messages(), Some(231));
///     assert_eq!(items.uid_next(), Some(44292));
///     assert_eq!(items.uid_validity(), None);
/// }
/// ```
pub trait StatusItems<'a>: sealed::Sealed {
    /// `MESSAGES`: the number of messages (RFC 9051 §6.3.11).
    fn messages(&self) -> Option<u32>;

    /// `UIDNEXT`: the next unique identifier value (RFC 9051 §6.3.11,
    /// §2.3.1.1). A `u32`: servers send `0` for empty mailboxes.
    fn uid_next(&self) -> Option<u32>;

    /// `UIDVALIDITY`: the unique identifier validity value (RFC 9051
    /// §6.3.11, §2.3.1.1).
    fn uid_validity(&self) -> Option<u32>;

    /// `UNSEEN`: the number of messages without `\Seen` (RFC 9051 §6.3.11).
    fn unseen(&self) -> Option<u32>;

    /// `DELETED`: the number of messages with `\Deleted` (RFC 9051 §6.3.11).
    fn deleted(&self) -> Option<u32>;

    /// `SIZE`: the mailbox's total size in octets (RFC 9051 §6.3.11,
    /// RFC 8438 §3).
    fn size(&self) -> Option<u64>;

    /// `RECENT`: the number of messages with `\Recent` (IMAP4rev1, RFC 3501
    /// §6.3.10).
    fn recent(&self) -> Option<u32>;

    /// `HIGHESTMODSEQ`: the highest mod-sequence of the mailbox (RFC 7162
    /// §3.1.7).
    fn highest_modseq(&self) -> Option<u64>;

    /// `APPENDLIMIT` (RFC 7889 §3.1): `Some(Some(n))` for a limit of `n`
    /// octets, `Some(None)` for `APPENDLIMIT NIL` (no limit for this
    /// mailbox), `None` when the response does not say.
    fn append_limit(&self) -> Option<Option<u64>>;

    /// `MAILBOXID`: the mailbox's object id (RFC 8474 §4.3).
    fn mailbox_id(&self) -> Option<&ObjectId<'a>>;

    /// `DELETED-STORAGE`: the storage an EXPUNGE would free (RFC 9208
    /// §4.1.4; see [`StatusItem::DeletedStorage`]).
    fn deleted_storage(&self) -> Option<u64>;
}

mod sealed {
    /// Keeps [`StatusItems`](super::StatusItems) implemented only here, so
    /// that methods can be added to it.
    #[allow(unreachable_pub)]
    pub trait Sealed {}
    impl Sealed for [super::StatusItem<'_>] {}
}

/// Finds the first item of one variant and returns its value.
macro_rules! find_status {
    ($items:expr, $variant:ident) => {
        $items.iter().find_map(|i| match i {
            StatusItem::$variant(v) => Some(*v),
            _ => None,
        })
    };
}

impl<'a> StatusItems<'a> for [StatusItem<'a>] {
    fn messages(&self) -> Option<u32> {
        find_status!(self, Messages)
    }

    fn uid_next(&self) -> Option<u32> {
        find_status!(self, UidNext)
    }

    fn uid_validity(&self) -> Option<u32> {
        find_status!(self, UidValidity)
    }

    fn unseen(&self) -> Option<u32> {
        find_status!(self, Unseen)
    }

    fn deleted(&self) -> Option<u32> {
        find_status!(self, Deleted)
    }

    fn size(&self) -> Option<u64> {
        find_status!(self, Size)
    }

    fn recent(&self) -> Option<u32> {
        find_status!(self, Recent)
    }

    fn highest_modseq(&self) -> Option<u64> {
        find_status!(self, HighestModSeq)
    }

    fn append_limit(&self) -> Option<Option<u64>> {
        find_status!(self, AppendLimit)
    }

    fn mailbox_id(&self) -> Option<&ObjectId<'a>> {
        self.iter().find_map(|i| match i {
            StatusItem::MailboxId(id) => Some(id),
            _ => None,
        })
    }

    fn deleted_storage(&self) -> Option<u64> {
        find_status!(self, DeletedStorage)
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
