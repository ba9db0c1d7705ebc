//! Mailbox names (RFC 9051 §5.1): `INBOX` in any case, or an `astring`.

use bytes::Bytes;

use crate::buf::{Buf, IntoStatic};
use crate::core::AString;
use crate::error::ValidationError;
use crate::utf7;

/// A `mailbox` (RFC 9051 §9).
///
/// `INBOX` is case-insensitive (RFC 9051 §5.1): the decoder maps any case of
/// it to [`Mailbox::Inbox`], which encodes as `INBOX`. Other names are kept
/// as sent: modified UTF-7 unless UTF-8 was enabled (RFC 6855).
///
/// ```
/// use imapkit_proto::Mailbox;
/// let sent = Mailbox::from_name("送信済み");
/// assert_eq!(sent.as_bytes(), b"&kAFP4W4IMH8-");
/// assert_eq!(sent.name().unwrap(), "送信済み");
/// assert_eq!(Mailbox::try_from("inbox").unwrap(), Mailbox::Inbox);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mailbox<'a> {
    /// `INBOX` (any case).
    Inbox,
    /// Any other name, in its wire form.
    Other(MailboxOther<'a>),
}

/// A mailbox name that is not `INBOX`, in its wire form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MailboxOther<'a>(AString<'a>);

impl<'a> MailboxOther<'a> {
    /// The wire form as an `astring`.
    pub fn as_astring(&self) -> &AString<'a> {
        &self.0
    }
}

impl<'a> Mailbox<'a> {
    /// A mailbox from its wire form; `INBOX` in any case becomes [`Mailbox::Inbox`].
    pub fn from_astring(name: AString<'a>) -> Self {
        if name.as_bytes().eq_ignore_ascii_case(b"INBOX") {
            Mailbox::Inbox
        } else {
            Mailbox::Other(MailboxOther(name))
        }
    }

    /// A mailbox from a human-readable name, encoded as modified UTF-7
    /// (for servers without UTF-8 enabled).
    pub fn from_name(name: &str) -> Mailbox<'static> {
        Mailbox::from_astring(AString::from(utf7::encode(name)))
    }

    /// A mailbox from a human-readable name sent as raw UTF-8, for sessions
    /// where `UTF8=ACCEPT` is enabled or IMAP4rev2 is in use (RFC 6855 §3).
    pub fn from_utf8_name(name: &'a str) -> Self {
        Mailbox::from_astring(AString::from(name))
    }

    /// The wire bytes (`INBOX` for the inbox).
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Mailbox::Inbox => b"INBOX",
            Mailbox::Other(o) => o.0.as_bytes(),
        }
    }

    /// The human-readable name, decoding modified UTF-7.
    pub fn name(&self) -> Result<String, utf7::Utf7Error> {
        utf7::decode(self.as_bytes())
    }

    /// The human-readable name: modified UTF-7 decoded where it is valid,
    /// else the bytes as UTF-8 (names sent after `ENABLE UTF8=ACCEPT`).
    pub fn name_lossy(&self) -> String {
        utf7::Display(self.as_bytes()).to_string()
    }

    /// The `astring` to send for this mailbox.
    pub fn to_astring(&self) -> AString<'a> {
        match self {
            Mailbox::Inbox => AString::from("INBOX"),
            Mailbox::Other(o) => o.0.clone(),
        }
    }
}

impl<'a> From<AString<'a>> for Mailbox<'a> {
    fn from(a: AString<'a>) -> Self {
        Mailbox::from_astring(a)
    }
}

impl<'a> TryFrom<&'a str> for Mailbox<'a> {
    type Error = ValidationError;

    /// The name in its wire form, sent as is (use [`Mailbox::from_name`] to
    /// encode a Unicode name as modified UTF-7).
    fn try_from(s: &'a str) -> Result<Self, ValidationError> {
        AString::try_new(s).map(Mailbox::from_astring)
    }
}

impl TryFrom<String> for Mailbox<'static> {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, ValidationError> {
        AString::try_new(Buf::from(s)).map(Mailbox::from_astring)
    }
}

impl IntoStatic for Mailbox<'_> {
    type Static = Mailbox<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> Mailbox<'static> {
        match self {
            Mailbox::Inbox => Mailbox::Inbox,
            Mailbox::Other(o) => Mailbox::Other(MailboxOther(o.0.into_static_in(frame))),
        }
    }
}
