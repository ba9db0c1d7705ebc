//! Errors of the mail store, by who is at fault: the client's request
//! (a name, a right, a flag) or the machine (I/O, a damaged state file).

use std::io;
use std::path::{Path, PathBuf};

use imapkit_proto::ResponseCode;

/// Why a store operation failed.
///
/// Messages are lowercase and never hold a password or message content.
/// [`StoreError::code`] gives the response code a server sends with its
/// tagged `NO` (RFC 5530).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The user is not in the users file.
    #[error("unknown user")]
    UnknownUser,
    /// The mailbox does not exist (or the user may not see it).
    #[error("no such mailbox")]
    NoSuchMailbox,
    /// CREATE or RENAME to a name that exists.
    #[error("mailbox already exists")]
    AlreadyExists,
    /// A name the store does not accept (RFC 9051 §5.1).
    #[error("invalid mailbox name: {reason}")]
    InvalidName {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The mailbox is a `\Noselect` name (a parent kept for its children).
    #[error("mailbox cannot be selected")]
    NoSelect,
    /// The user lacks an ACL right (RFC 4314 §4).
    #[error("permission denied: right {right} is missing")]
    NoPermission {
        /// The missing right letter.
        right: char,
    },
    /// A request the store refuses by policy, e.g. DELETE INBOX.
    #[error("cannot {what}")]
    Cannot {
        /// What cannot be done.
        what: &'static str,
    },
    /// DELETE of a `\Noselect` name that still has children (RFC 9051 §6.3.4).
    #[error("mailbox has children")]
    HasChildren,
    /// The selected mailbox was opened read-only (EXAMINE, or rights).
    #[error("mailbox is read-only")]
    ReadOnly,
    /// The mailbox was deleted while it was in use.
    #[error("mailbox was deleted")]
    MailboxDeleted,
    /// The message was expunged.
    #[error("message was expunged")]
    Expunged,
    /// A message number past the end of the mailbox (the server answers
    /// BAD, RFC 9051 §6.4.8 leaves UIDs free of this rule).
    #[error("message sequence number out of range")]
    InvalidSequence,
    /// A flag that cannot be stored (`\Recent`, an unknown `\` flag).
    #[error("flag cannot be stored")]
    InvalidFlag,
    /// APPEND of a message larger than the store accepts.
    #[error("message of {size} bytes exceeds limit {limit}")]
    TooBig {
        /// The message size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// More keywords than a mailbox keeps (`NO [LIMIT]`).
    #[error("more than {limit} keywords in a mailbox")]
    TooManyKeywords {
        /// The most a mailbox keeps.
        limit: usize,
    },
    /// BINARY of a part whose Content-Transfer-Encoding is unknown (RFC 3516 §4.3).
    #[error("unknown content-transfer-encoding")]
    UnknownCte,
    /// An ACL identifier or rights string the store does not accept.
    #[error("invalid acl: {reason}")]
    InvalidAcl {
        /// What is wrong.
        reason: &'static str,
    },
    /// A file system call failed.
    #[error("i/o error on {path}: {message}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The error kind.
        kind: io::ErrorKind,
        /// The system's message.
        message: String,
    },
    /// A state file cannot be read back.
    #[error("damaged state file {path} at line {line}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The first bad line (1-based).
        line: usize,
    },
}

impl StoreError {
    /// An I/O error on `path`.
    pub(crate) fn io(path: &Path, e: io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            kind: e.kind(),
            message: e.to_string(),
        }
    }

    /// The response code to send with the tagged `NO` (RFC 5530, RFC 4314,
    /// RFC 3516, RFC 7889), when there is one.
    pub fn code(&self) -> Option<ResponseCode<'static>> {
        Some(match self {
            Self::NoSuchMailbox => ResponseCode::NonExistent,
            Self::AlreadyExists => ResponseCode::AlreadyExists,
            Self::NoPermission { .. } | Self::ReadOnly => ResponseCode::NoPerm,
            Self::Cannot { .. } | Self::InvalidName { .. } | Self::NoSelect => ResponseCode::Cannot,
            Self::HasChildren => ResponseCode::HasChildren,
            Self::MailboxDeleted | Self::Expunged => ResponseCode::ExpungeIssued,
            Self::TooBig { .. } => ResponseCode::TooBig,
            Self::TooManyKeywords { .. } => ResponseCode::Limit,
            Self::UnknownCte => ResponseCode::UnknownCte,
            Self::Io { .. } => ResponseCode::ServerBug,
            Self::Corrupt { .. } => ResponseCode::Corruption,
            Self::UnknownUser
            | Self::InvalidFlag
            | Self::InvalidSequence
            | Self::InvalidAcl { .. } => return None,
        })
    }
}

/// `Result` of the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
