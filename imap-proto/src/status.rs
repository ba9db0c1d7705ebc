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
    /// `DELETED-STORAGE`: storage freed by expunging the `\Deleted` messages
    /// (RFC 9208 §4.4, QUOTA).
    DeletedStorage,
}

impl StatusAttribute {
    /// Every attribute, in the order above.
    pub const ALL: [Self; 11] = [
        Self::Messages,
        Self::UidNext,
        Self::UidValidity,
        Self::Unseen,
        Self::Deleted,
        Self::Size,
        Self::Recent,
        Self::HighestModSeq,
        Self::AppendLimit,
        Self::MailboxId,
        Self::DeletedStorage,
    ];

    /// The name on the wire.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Messages => "MESSAGES",
            Self::UidNext => "UIDNEXT",
            Self::UidValidity => "UIDVALIDITY",
            Self::Unseen => "UNSEEN",
            Self::Deleted => "DELETED",
            Self::Size => "SIZE",
            Self::Recent => "RECENT",
            Self::HighestModSeq => "HIGHESTMODSEQ",
            Self::AppendLimit => "APPENDLIMIT",
            Self::MailboxId => "MAILBOXID",
            Self::DeletedStorage => "DELETED-STORAGE",
        }
    }

    /// The attribute for a name (any case).
    pub fn from_name(name: &[u8]) -> Option<Self> {
        // On the command decoder's hot path: the length picks one or two
        // names, each compared with a constant a word at a time.
        use crate::chars::eq_keyword as is;
        let n = name;
        Some(match n.len() {
            4 if is(n, b"SIZE") => Self::Size,
            6 if is(n, b"UNSEEN") => Self::Unseen,
            6 if is(n, b"RECENT") => Self::Recent,
            7 if is(n, b"UIDNEXT") => Self::UidNext,
            7 if is(n, b"DELETED") => Self::Deleted,
            8 if is(n, b"MESSAGES") => Self::Messages,
            9 if is(n, b"MAILBOXID") => Self::MailboxId,
            11 if is(n, b"UIDVALIDITY") => Self::UidValidity,
            11 if is(n, b"APPENDLIMIT") => Self::AppendLimit,
            13 if is(n, b"HIGHESTMODSEQ") => Self::HighestModSeq,
            15 if is(n, b"DELETED-STORAGE") => Self::DeletedStorage,
            _ => return None,
        })
    }
}

crate::impl_into_static_copy!(StatusAttribute);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_any_case() {
        for a in StatusAttribute::ALL {
            let name = a.as_str();
            assert_eq!(StatusAttribute::from_name(name.as_bytes()), Some(a));
            let lower = name.to_ascii_lowercase();
            assert_eq!(StatusAttribute::from_name(lower.as_bytes()), Some(a));
        }
        for other in [
            "",
            "X",
            "MESSAGE",
            "MESSAGESS",
            "DELETED-STORAGEX",
            "UIDNEXT ",
        ] {
            assert_eq!(
                StatusAttribute::from_name(other.as_bytes()),
                None,
                "{other}"
            );
        }
    }
}
