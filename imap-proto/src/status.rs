//! STATUS data item names (RFC 9051 §6.3.11 `status-att`) shared by the
//! STATUS command and the STATUS response.

/// A `status-att`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StatusAttribute {
    /// `MESSAGES`: number of messages.
    Messages,
    /// `UIDNEXT`: the next UID.
    UidNext,
    /// `UIDVALIDITY`
    UidValidity,
    /// `UNSEEN`: messages without `\Seen`.
    Unseen,
    /// `DELETED`: messages with `\Deleted` (IMAP4rev2).
    Deleted,
    /// `SIZE`: total size in octets (IMAP4rev2, RFC 8438 STATUS=SIZE).
    Size,
    /// `RECENT` (IMAP4rev1 only).
    Recent,
    /// `HIGHESTMODSEQ` (RFC 7162 CONDSTORE).
    HighestModSeq,
    /// `APPENDLIMIT` (RFC 7889).
    AppendLimit,
    /// `MAILBOXID` (RFC 8474 OBJECTID).
    MailboxId,
}

impl StatusAttribute {
    /// Every attribute, in the order above.
    pub const ALL: [StatusAttribute; 10] = [
        StatusAttribute::Messages,
        StatusAttribute::UidNext,
        StatusAttribute::UidValidity,
        StatusAttribute::Unseen,
        StatusAttribute::Deleted,
        StatusAttribute::Size,
        StatusAttribute::Recent,
        StatusAttribute::HighestModSeq,
        StatusAttribute::AppendLimit,
        StatusAttribute::MailboxId,
    ];

    /// The name on the wire.
    pub fn as_str(&self) -> &'static str {
        match self {
            StatusAttribute::Messages => "MESSAGES",
            StatusAttribute::UidNext => "UIDNEXT",
            StatusAttribute::UidValidity => "UIDVALIDITY",
            StatusAttribute::Unseen => "UNSEEN",
            StatusAttribute::Deleted => "DELETED",
            StatusAttribute::Size => "SIZE",
            StatusAttribute::Recent => "RECENT",
            StatusAttribute::HighestModSeq => "HIGHESTMODSEQ",
            StatusAttribute::AppendLimit => "APPENDLIMIT",
            StatusAttribute::MailboxId => "MAILBOXID",
        }
    }

    /// The attribute for a name (any case).
    pub fn from_name(name: &[u8]) -> Option<Self> {
        StatusAttribute::ALL
            .iter()
            .copied()
            .find(|a| a.as_str().as_bytes().eq_ignore_ascii_case(name))
    }
}

crate::impl_into_static_copy!(StatusAttribute);
