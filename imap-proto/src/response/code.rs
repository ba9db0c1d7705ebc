//! Response codes (RFC 9051 §7.1 `resp-text-code`) and those of extensions.

use std::num::NonZeroU32;

use bytes::Bytes;

use super::fetch::ObjectId;
use crate::command::Charset;

use crate::buf::{Buf, IntoStatic};
use crate::capability::Capability;
use crate::chars;
use crate::core::{Atom, Vec1};
use crate::error::ValidationError;
use crate::flag::FlagPerm;
use crate::sequence::SequenceSet;

/// A response code, the bracketed part of `resp-text` (RFC 9051 §7.1, §9
/// `resp-text-code`, and the extension RFCs named per variant).
///
/// Unknown codes, and known codes whose arguments do not follow the grammar,
/// are kept in [`ResponseCode::Other`] with their raw arguments, so they
/// re-encode byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ResponseCode<'a> {
    /// `ALERT` (RFC 9051 §7.1): the text must be shown to the user.
    Alert,
    /// `BADCHARSET [(charsets)]` (RFC 9051 §7.1): `None` without the list.
    BadCharset(Option<Vec1<Charset<'a>>>),
    /// `CAPABILITY caps` (RFC 9051 §7.1).
    Capability(Vec1<Capability<'a>>),
    /// `PARSE` (RFC 9051 §7.1).
    Parse,
    /// `PERMANENTFLAGS (flags)` (RFC 9051 §7.1).
    PermanentFlags(Vec<FlagPerm<'a>>),
    /// `READ-ONLY` (RFC 9051 §7.1).
    ReadOnly,
    /// `READ-WRITE` (RFC 9051 §7.1).
    ReadWrite,
    /// `TRYCREATE` (RFC 9051 §7.1).
    TryCreate,
    /// `UIDNEXT n` (RFC 9051 §7.1). The grammar says `nz-number`; `0` is
    /// accepted and kept because real servers send it for empty mailboxes.
    UidNext(u32),
    /// `UIDVALIDITY n` (RFC 9051 §7.1). The grammar says `nz-number`; `0`
    /// is accepted and kept because real servers (SmarterMail) send it.
    UidValidity(u32),
    /// `UNSEEN n` (RFC 3501 §7.1; IMAP4rev1 only).
    Unseen(NonZeroU32),
    /// `CLOSED` (RFC 9051 §7.1, RFC 7162 §3.2.11).
    Closed,
    /// `HIGHESTMODSEQ n` (RFC 7162 §3.1.2.1). Zero is accepted (some servers send it).
    HighestModSeq(u64),
    /// `NOMODSEQ` (RFC 7162 §3.1.2.2).
    NoModSeq,
    /// `MODIFIED set` (RFC 7162 §3.1.3).
    Modified(SequenceSet),
    /// `APPENDUID uidvalidity uids` (RFC 4315 §3, RFC 9051 `resp-code-apnd`).
    AppendUid {
        /// UIDVALIDITY of the destination mailbox.
        uid_validity: NonZeroU32,
        /// UIDs of the appended messages.
        uids: SequenceSet,
    },
    /// `COPYUID uidvalidity source destination` (RFC 4315 §3, RFC 9051
    /// `resp-code-copy`). Boxed, as [`ResponseCode::Other`] is: every
    /// response carries room for its largest code, and these two rare
    /// ones would make every status response 32 bytes larger to move.
    CopyUid(Box<CopyUidCode>),
    /// `UIDNOTSTICKY` (RFC 4315 §3).
    UidNotSticky,
    /// `UNAVAILABLE` (RFC 5530 §3).
    Unavailable,
    /// `AUTHENTICATIONFAILED` (RFC 5530 §3).
    AuthenticationFailed,
    /// `AUTHORIZATIONFAILED` (RFC 5530 §3).
    AuthorizationFailed,
    /// `EXPIRED` (RFC 5530 §3).
    Expired,
    /// `PRIVACYREQUIRED` (RFC 5530 §3).
    PrivacyRequired,
    /// `CONTACTADMIN` (RFC 5530 §3).
    ContactAdmin,
    /// `NOPERM` (RFC 5530 §3).
    NoPerm,
    /// `INUSE` (RFC 5530 §3).
    InUse,
    /// `EXPUNGEISSUED` (RFC 5530 §3).
    ExpungeIssued,
    /// `CORRUPTION` (RFC 5530 §3).
    Corruption,
    /// `SERVERBUG` (RFC 5530 §3).
    ServerBug,
    /// `CLIENTBUG` (RFC 5530 §3).
    ClientBug,
    /// `CANNOT` (RFC 5530 §3).
    Cannot,
    /// `LIMIT` (RFC 5530 §3).
    Limit,
    /// `OVERQUOTA` (RFC 5530 §3, RFC 9208).
    OverQuota,
    /// `ALREADYEXISTS` (RFC 5530 §3).
    AlreadyExists,
    /// `NONEXISTENT` (RFC 5530 §3).
    NonExistent,
    /// `NOTSAVED` (RFC 5182 §2.5, RFC 9051).
    NotSaved,
    /// `HASCHILDREN` (RFC 9051 §7.1).
    HasChildren,
    /// `UNKNOWN-CTE` (RFC 3516 §4.3, RFC 9051).
    UnknownCte,
    /// `COMPRESSIONACTIVE` (RFC 4978 §3).
    CompressionActive,
    /// `REFERRAL url` (RFC 2221 §3, RFC 2193 §4): the raw URL text.
    Referral(CodeText<'a>),
    /// `METADATA ...` (RFC 5464 §4.2.1, §4.3).
    Metadata(MetadataCode),
    /// `NOTIFICATIONOVERFLOW` (RFC 5465 §5.8).
    NotificationOverflow,
    /// `BADEVENT (events)` (RFC 5465 §5.9).
    BadEvent(Vec1<Atom<'a>>),
    /// `USEATTR` (RFC 6154 §6).
    UseAttr,
    /// `MAILBOXID (id)` (RFC 8474 §4.1).
    MailboxId(ObjectId<'a>),
    /// `TOOBIG` (RFC 4469 §5, also used by RFC 7889 APPENDLIMIT).
    TooBig,
    /// `BADURL url` (RFC 4469 §5): the raw URL text.
    BadUrl(CodeText<'a>),
    /// Any other code (`atom [SP 1*<any TEXT-CHAR except "]">]`), kept as sent.
    Other(Box<OtherCode<'a>>),
}

/// The arguments of a `COPYUID` code (RFC 4315 §3, RFC 9051
/// `resp-code-copy`): [`ResponseCode::CopyUid`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CopyUidCode {
    /// UIDVALIDITY of the destination mailbox.
    pub uid_validity: NonZeroU32,
    /// UIDs of the source messages.
    pub source: SequenceSet,
    /// UIDs of the copies, in the same order.
    pub destination: SequenceSet,
}

/// A `METADATA` response code (RFC 5464 §4.2.1, §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetadataCode {
    /// `LONGENTRIES n`: entries were larger than the MAXSIZE asked for.
    LongEntries(u32),
    /// `MAXSIZE n`: the largest value the server accepts.
    MaxSize(u32),
    /// `TOOMANY`: too many annotations.
    TooMany,
    /// `NOPRIVATE`: private annotations are not supported.
    NoPrivate,
}

/// Raw arguments of a response code: one or more `TEXT-CHAR` except `]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CodeText<'a>(Buf<'a>);

impl<'a> CodeText<'a> {
    /// Validates: non-empty, no CR, LF, NUL or `]`.
    pub fn try_new(bytes: impl Into<Buf<'a>>) -> Result<Self, ValidationError> {
        let b = bytes.into();
        if b.is_empty() {
            return Err(ValidationError::Empty { what: "code text" });
        }
        if let Some(at) = b.iter().position(|&c| !is_code_text_char(c)) {
            return Err(ValidationError::InvalidByte {
                what: "code text",
                byte: b[at],
                at,
            });
        }
        Ok(CodeText(b))
    }

    /// Wraps bytes a decoder has checked.
    #[doc(hidden)]
    pub fn unvalidated(bytes: impl Into<Buf<'a>>) -> Self {
        CodeText(bytes.into())
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// A byte of [`CodeText`]: `TEXT-CHAR` except `]`.
pub fn is_code_text_char(b: u8) -> bool {
    chars::is_text_char(b) && b != b']'
}

/// An unknown response code and its raw arguments (never a code with its own variant).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OtherCode<'a> {
    name: Atom<'a>,
    args: Option<CodeText<'a>>,
}

impl<'a> OtherCode<'a> {
    /// An unknown code; fails for names that [`ResponseCode`] has a variant for.
    pub fn new(name: Atom<'a>, args: Option<CodeText<'a>>) -> Result<Self, ValidationError> {
        if is_known_code(name.as_bytes()) {
            return Err(ValidationError::Invalid {
                what: "response code",
                reason: "a known code has its own variant",
            });
        }
        Ok(OtherCode { name, args })
    }

    /// Built by a decoder (also for known codes with malformed arguments).
    #[doc(hidden)]
    pub fn unvalidated(name: Atom<'a>, args: Option<CodeText<'a>>) -> Self {
        OtherCode { name, args }
    }

    /// The code's name.
    pub fn name(&self) -> &Atom<'a> {
        &self.name
    }

    /// The raw arguments after the space.
    pub fn args(&self) -> Option<&CodeText<'a>> {
        self.args.as_ref()
    }
}

/// Names of the codes that have their own [`ResponseCode`] variant.
pub const KNOWN_CODES: &[&str] = &[
    "ALERT",
    "BADCHARSET",
    "CAPABILITY",
    "PARSE",
    "PERMANENTFLAGS",
    "READ-ONLY",
    "READ-WRITE",
    "TRYCREATE",
    "UIDNEXT",
    "UIDVALIDITY",
    "UNSEEN",
    "CLOSED",
    "HIGHESTMODSEQ",
    "NOMODSEQ",
    "MODIFIED",
    "APPENDUID",
    "COPYUID",
    "UIDNOTSTICKY",
    "UNAVAILABLE",
    "AUTHENTICATIONFAILED",
    "AUTHORIZATIONFAILED",
    "EXPIRED",
    "PRIVACYREQUIRED",
    "CONTACTADMIN",
    "NOPERM",
    "INUSE",
    "EXPUNGEISSUED",
    "CORRUPTION",
    "SERVERBUG",
    "CLIENTBUG",
    "CANNOT",
    "LIMIT",
    "OVERQUOTA",
    "ALREADYEXISTS",
    "NONEXISTENT",
    "NOTSAVED",
    "HASCHILDREN",
    "UNKNOWN-CTE",
    "COMPRESSIONACTIVE",
    "REFERRAL",
    "METADATA",
    "NOTIFICATIONOVERFLOW",
    "BADEVENT",
    "USEATTR",
    "MAILBOXID",
    "TOOBIG",
    "BADURL",
];

/// Whether a code name (any case) has its own [`ResponseCode`] variant.
pub fn is_known_code(name: &[u8]) -> bool {
    KNOWN_CODES
        .iter()
        .any(|k| k.as_bytes().eq_ignore_ascii_case(name))
}

impl IntoStatic for ResponseCode<'_> {
    type Static = ResponseCode<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> ResponseCode<'static> {
        use ResponseCode as C;
        match self {
            C::Alert => C::Alert,
            C::BadCharset(c) => C::BadCharset(c.into_static_in(frame)),
            C::Capability(c) => C::Capability(c.into_static_in(frame)),
            C::Parse => C::Parse,
            C::PermanentFlags(f) => C::PermanentFlags(f.into_static_in(frame)),
            C::ReadOnly => C::ReadOnly,
            C::ReadWrite => C::ReadWrite,
            C::TryCreate => C::TryCreate,
            C::UidNext(n) => C::UidNext(n),
            C::UidValidity(n) => C::UidValidity(n),
            C::Unseen(n) => C::Unseen(n),
            C::Closed => C::Closed,
            C::HighestModSeq(n) => C::HighestModSeq(n),
            C::NoModSeq => C::NoModSeq,
            C::Modified(s) => C::Modified(s),
            C::AppendUid { uid_validity, uids } => C::AppendUid { uid_validity, uids },
            C::CopyUid(c) => C::CopyUid(c),
            C::UidNotSticky => C::UidNotSticky,
            C::Unavailable => C::Unavailable,
            C::AuthenticationFailed => C::AuthenticationFailed,
            C::AuthorizationFailed => C::AuthorizationFailed,
            C::Expired => C::Expired,
            C::PrivacyRequired => C::PrivacyRequired,
            C::ContactAdmin => C::ContactAdmin,
            C::NoPerm => C::NoPerm,
            C::InUse => C::InUse,
            C::ExpungeIssued => C::ExpungeIssued,
            C::Corruption => C::Corruption,
            C::ServerBug => C::ServerBug,
            C::ClientBug => C::ClientBug,
            C::Cannot => C::Cannot,
            C::Limit => C::Limit,
            C::OverQuota => C::OverQuota,
            C::AlreadyExists => C::AlreadyExists,
            C::NonExistent => C::NonExistent,
            C::NotSaved => C::NotSaved,
            C::HasChildren => C::HasChildren,
            C::UnknownCte => C::UnknownCte,
            C::CompressionActive => C::CompressionActive,
            C::Referral(t) => C::Referral(t.into_static_in(frame)),
            C::Metadata(m) => C::Metadata(m),
            C::NotificationOverflow => C::NotificationOverflow,
            C::BadEvent(e) => C::BadEvent(e.into_static_in(frame)),
            C::UseAttr => C::UseAttr,
            C::MailboxId(i) => C::MailboxId(i.into_static_in(frame)),
            C::TooBig => C::TooBig,
            C::BadUrl(t) => C::BadUrl(t.into_static_in(frame)),
            C::Other(o) => C::Other(o.into_static_in(frame)),
        }
    }
}

impl IntoStatic for CodeText<'_> {
    type Static = CodeText<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> CodeText<'static> {
        CodeText(self.0.into_static_in(frame))
    }
}

super::into_static_struct!(OtherCode { name, args });
crate::impl_into_static_copy!(MetadataCode);
