//! Mailbox names (RFC 9051 §5.1): `INBOX` in any case, or an `astring`.

use bytes::Bytes;

use crate::buf::{Buf, IntoStatic};
use crate::core::{expect_no_nul, AString, AtomExt};
use crate::error::ValidationError;
use crate::utf7;

/// A `mailbox` (RFC 9051 §9).
///
/// `INBOX` is case-insensitive (RFC 9051 §5.1): the decoder maps any case of
/// it to [`Mailbox::Inbox`], which encodes as `INBOX`. Other names are kept
/// in their wire form: modified UTF-7 unless UTF-8 was enabled (RFC 6855).
///
/// Built from a `&str` or `String`, a name is the one a user sees, in any
/// script, and is encoded as modified UTF-7 (RFC 3501 §5.1.3, RFC 9051
/// Appendix A.1), which every IMAP4rev1 server and every server with
/// `UTF8=ACCEPT` takes; `INBOX` in any case becomes [`Mailbox::Inbox`]. For a
/// server with `UTF8=ONLY` (or an IMAP4rev2-only server), build names with
/// [`Mailbox::from_utf8_name`]. Names a server sent (in LIST responses) are
/// already [`Mailbox`] values: pass them back as they are. `Display` shows
/// the name a user would see.
///
/// ```
/// use imapkit_proto::Mailbox;
///
/// let sent = Mailbox::from("送信済み");
/// assert_eq!(sent.as_bytes(), b"&kAFP4W4IMH8-");
/// assert_eq!(sent.to_string(), "送信済み");
/// assert_eq!(Mailbox::from("inbox"), Mailbox::Inbox);
/// assert_eq!(Mailbox::from("Tom & Jerry").as_bytes(), b"Tom &- Jerry");
/// // The wire form, as a server would send it:
/// assert_eq!(Mailbox::from_wire("&kAFP4W4IMH8-").unwrap(), sent);
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

    /// A mailbox from its wire form as bytes (e.g. `&ZeVnLIqe-`), sent as
    /// is; fails only on NUL.
    pub fn from_wire(bytes: impl Into<Buf<'a>>) -> Result<Self, ValidationError> {
        AString::try_new(bytes).map(Mailbox::from_astring)
    }

    /// A mailbox from a human-readable name, encoded as modified UTF-7
    /// (for servers without UTF-8 enabled); the same as `From<&str>`, but
    /// always owned.
    pub fn from_name(name: &str) -> Mailbox<'static> {
        Mailbox::from_astring(AString::from(utf7::encode(name)))
    }

    /// A mailbox from a human-readable name sent as raw UTF-8, for sessions
    /// where `UTF8=ACCEPT` is enabled or IMAP4rev2 is in use (RFC 6855 §3).
    ///
    /// # Panics
    ///
    /// If `name` holds a NUL byte, which no mailbox name can.
    #[track_caller]
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
            Mailbox::Inbox => AString::Atom(AtomExt::unvalidated(&b"INBOX"[..])),
            Mailbox::Other(o) => o.0.clone(),
        }
    }

    /// The same mailbox borrowing from `self` (no copy, no reference count).
    pub fn reborrow(&self) -> Mailbox<'_> {
        match self {
            Mailbox::Inbox => Mailbox::Inbox,
            Mailbox::Other(o) => Mailbox::Other(MailboxOther(o.0.reborrow())),
        }
    }
}

impl<'a> From<AString<'a>> for Mailbox<'a> {
    /// The wire form.
    fn from(a: AString<'a>) -> Self {
        Mailbox::from_astring(a)
    }
}

impl<'a> From<&'a str> for Mailbox<'a> {
    /// A name as a user sees it, in any script, encoded as modified UTF-7
    /// (borrowing `name` when it needs no encoding: printable ASCII without
    /// `&`). Never fails: modified UTF-7 can encode every character.
    fn from(name: &'a str) -> Self {
        if name
            .bytes()
            .all(|b| (b' '..=b'~').contains(&b) && b != b'&')
        {
            // Printable ASCII holds no NUL, so this cannot fail.
            Mailbox::from_astring(expect_no_nul(AString::try_new(name)))
        } else {
            Mailbox::from_name(name)
        }
    }
}

impl From<String> for Mailbox<'static> {
    /// A name as a user sees it, encoded as modified UTF-7 (see `From<&str>`).
    fn from(name: String) -> Self {
        if name
            .bytes()
            .all(|b| (b' '..=b'~').contains(&b) && b != b'&')
        {
            // Printable ASCII holds no NUL, so this cannot fail.
            Mailbox::from_astring(expect_no_nul(AString::try_new(name)))
        } else {
            Mailbox::from_name(&name)
        }
    }
}

impl<'a> From<&'a Mailbox<'_>> for Mailbox<'a> {
    /// A mailbox borrowing from another (e.g. one from a LIST response).
    fn from(m: &'a Mailbox<'_>) -> Self {
        m.reborrow()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_text_are_modified_utf7() {
        assert_eq!(Mailbox::from("日本語").as_bytes(), b"&ZeVnLIqe-");
        assert_eq!(Mailbox::from(String::from("a&b")).as_bytes(), b"a&-b");
        assert_eq!(Mailbox::from("").as_bytes(), b"");
        assert_eq!(Mailbox::from("INBOX"), Mailbox::Inbox);
        assert_eq!(
            Mailbox::from("Archive/2024"),
            Mailbox::from_name("Archive/2024")
        );
        // A NUL is encoded like any control character, not refused.
        assert_eq!(Mailbox::from("a\0").as_bytes(), b"a&AAA-");
        // Plain ASCII names borrow.
        let name = String::from("Sent");
        match Mailbox::from(name.as_str()) {
            Mailbox::Other(o) => assert_eq!(o.as_astring().as_bytes().as_ptr(), name.as_ptr()),
            Mailbox::Inbox => panic!("not the inbox"),
        }
    }

    proptest::proptest! {
        /// A name given as text shows as that name again, in any script.
        #[test]
        fn names_survive_modified_utf7(name in "[a-zA-Z0-9 &/._日本語ü€\\u{1F600}\t-]{0,16}") {
            let m = Mailbox::from(name.as_str());
            let shown = m.to_string();
            if name.eq_ignore_ascii_case("INBOX") {
                proptest::prop_assert_eq!(shown, "INBOX");
            } else {
                proptest::prop_assert_eq!(&shown, &name);
                proptest::prop_assert_eq!(&m.name().unwrap(), &name);
                proptest::prop_assert!(m.as_bytes().is_ascii());
            }
        }
    }

    #[test]
    fn wire_forms_are_kept() {
        assert_eq!(
            Mailbox::from_wire("&ZeVnLIqe-").unwrap().name().unwrap(),
            "日本語"
        );
        assert_eq!(Mailbox::from_wire("inbox").unwrap(), Mailbox::Inbox);
        assert!(Mailbox::from_wire("a\0b").is_err());
    }
}
