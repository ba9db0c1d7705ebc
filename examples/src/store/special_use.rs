//! Special-use mailbox attributes (RFC 6154).

use imapkit_proto::{MailboxAttribute, UseAttribute};

/// What a mailbox is for (RFC 6154 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpecialUse {
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
}

impl SpecialUse {
    /// The special-use mailboxes every account gets at its first login, with
    /// their names.
    pub const DEFAULTS: [(&'static str, Self); 5] = [
        ("Sent", Self::Sent),
        ("Drafts", Self::Drafts),
        ("Trash", Self::Trash),
        ("Junk", Self::Junk),
        ("Archive", Self::Archive),
    ];

    /// The LIST attribute.
    pub fn attribute(self) -> MailboxAttribute<'static> {
        match self {
            Self::All => MailboxAttribute::All,
            Self::Archive => MailboxAttribute::Archive,
            Self::Drafts => MailboxAttribute::Drafts,
            Self::Flagged => MailboxAttribute::Flagged,
            Self::Junk => MailboxAttribute::Junk,
            Self::Sent => MailboxAttribute::Sent,
            Self::Trash => MailboxAttribute::Trash,
        }
    }

    /// From a CREATE `USE` attribute; `None` for attributes the store does
    /// not know (the server answers `NO [USEATTR]`, RFC 6154 §3).
    pub fn from_use_attribute(a: &UseAttribute<'_>) -> Option<Self> {
        Some(match a {
            UseAttribute::All => Self::All,
            UseAttribute::Archive => Self::Archive,
            UseAttribute::Drafts => Self::Drafts,
            UseAttribute::Flagged => Self::Flagged,
            UseAttribute::Junk => Self::Junk,
            UseAttribute::Sent => Self::Sent,
            UseAttribute::Trash => Self::Trash,
            UseAttribute::Other(_) => return None,
        })
    }

    /// The name in the state file.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::All => "All",
            Self::Archive => "Archive",
            Self::Drafts => "Drafts",
            Self::Flagged => "Flagged",
            Self::Junk => "Junk",
            Self::Sent => "Sent",
            Self::Trash => "Trash",
        }
    }

    /// Reads [`SpecialUse::as_str`].
    pub(crate) fn from_str(s: &str) -> Option<Self> {
        [
            Self::All,
            Self::Archive,
            Self::Drafts,
            Self::Flagged,
            Self::Junk,
            Self::Sent,
            Self::Trash,
        ]
        .into_iter()
        .find(|u| u.as_str() == s)
    }
}
