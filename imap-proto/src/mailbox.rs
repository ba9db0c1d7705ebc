//! Mailbox names (RFC 9051 §5.1): `INBOX` in any case, or an `astring`.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use bytes::Bytes;

use crate::buf::{Buf, IntoStatic};
use crate::core::{expect_no_nul, AString, AtomExt, IString, Literal, LiteralMode, Quoted};
use crate::error::ValidationError;
use crate::utf7;

/// A `mailbox` (RFC 9051 §9).
///
/// `INBOX` is case-insensitive (RFC 9051 §5.1): the decoder maps any case of
/// it to [`Mailbox::Inbox`], which encodes as `INBOX`. Other names are kept
/// in their wire form, with the convention their bytes follow
/// ([`NameEncoding`]): modified UTF-7 (IMAP4rev1, RFC 9051 Appendix A.1),
/// or UTF-8 (a session with `UTF8=ACCEPT` enabled or IMAP4rev2 in use,
/// RFC 6855 §3, RFC 9051 §5.1), where `&` is an ordinary character.
///
/// Built from a `&str` or `String`, a name is the one a user sees, in any
/// script, and is held as modified UTF-7 (RFC 3501 §5.1.3); `INBOX` in any
/// case becomes [`Mailbox::Inbox`]. [`Mailbox::from_utf8_name`] holds it
/// as UTF-8 instead. Either way the session's encoder writes the name in
/// the session's convention ([`EncodeOptions::utf8`](crate::encode::EncodeOptions::utf8)):
/// modified UTF-7 to a peer that has not enabled UTF-8, UTF-8 to one that
/// has, so the same value names the same mailbox in both. Names a server
/// sent (in LIST responses) are already [`Mailbox`] values: pass them back
/// as they are. `Display` shows the name a user would see.
///
/// Two values are equal when they name the same mailbox: the same text
/// whether it came as an atom, a quoted string or a literal, and whichever
/// convention spells it (`&ZeVnLIqe-` in modified UTF-7 equals `日本語` in
/// UTF-8).
///
/// ```
/// use imapkit_proto::{Mailbox, NameEncoding};
///
/// let sent = Mailbox::from("送信済み");
/// assert_eq!(sent.as_bytes(), b"&kAFP4W4IMH8-");
/// assert_eq!(sent.to_string(), "送信済み");
/// assert_eq!(Mailbox::from("inbox"), Mailbox::Inbox);
/// assert_eq!(Mailbox::from("Tom & Jerry").as_bytes(), b"Tom &- Jerry");
/// // The wire form, as a server would send it:
/// assert_eq!(Mailbox::from_wire("&kAFP4W4IMH8-").unwrap(), sent);
/// // The same name spelled in UTF-8:
/// let utf8 = Mailbox::from_utf8_name("送信済み");
/// assert_eq!(utf8.encoding(), NameEncoding::Utf8);
/// assert_eq!(utf8, sent);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mailbox<'a> {
    /// `INBOX` (any case).
    Inbox,
    /// Any other name, in its wire form.
    Other(MailboxOther<'a>),
}

/// The convention a mailbox name's bytes follow (RFC 9051 §5.1 and
/// Appendix A.1, RFC 6855 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum NameEncoding {
    /// Modified UTF-7: printable ASCII, other characters in `&...-` runs,
    /// `&` written `&-`. The names of an IMAP4rev1 session, and of names
    /// built from text ([`Mailbox::from`]); the decoder's default (it does
    /// not know the session: a client or server that does marks the names
    /// of a UTF-8 session with [`Mailbox::set_encoding`]).
    #[default]
    ModifiedUtf7,
    /// UTF-8, `&` an ordinary character: the names of a session with
    /// `UTF8=ACCEPT` enabled or IMAP4rev2 in use.
    Utf8,
}

/// A mailbox name that is not `INBOX`, in its wire form.
///
/// Held as the `astring`'s bytes and its form rather than as an
/// [`AString`], so that the name's convention fits beside them: a
/// [`Mailbox`] is 40 bytes, the size of an `AString` (an `AString` and a
/// flag would be 48, and every response and event holding a name would
/// grow with it).
#[derive(Clone)]
pub struct MailboxOther<'a> {
    bytes: Buf<'a>,
    form: WireForm,
    encoding: NameEncoding,
}

/// The form of a mailbox name's `astring` (RFC 9051 §9), kept so that a
/// decoded name re-encodes the way it came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WireForm {
    Atom,
    Quoted,
    Literal(LiteralMode),
}

impl<'a> MailboxOther<'a> {
    fn new(name: AString<'a>, encoding: NameEncoding) -> Self {
        let (bytes, form) = match name {
            AString::Atom(a) => (a.into_inner(), WireForm::Atom),
            AString::String(IString::Quoted(q)) => (q.into_inner(), WireForm::Quoted),
            AString::String(IString::Literal(l)) => {
                let mode = l.mode();
                (l.into_inner(), WireForm::Literal(mode))
            }
        };
        Self {
            bytes,
            form,
            encoding,
        }
    }

    /// The wire form as an `astring`, borrowing from `self`.
    pub fn as_astring(&self) -> AString<'_> {
        Self::astring(self.bytes.reborrow(), self.form)
    }

    /// The wire form as an `astring`.
    pub fn into_astring(self) -> AString<'a> {
        Self::astring(self.bytes, self.form)
    }

    /// The payload buffer and mode of a name sent as a literal: an encoder
    /// references a shared payload ([`Buf::shared`]) instead of copying it
    /// (vectored encoding), as it does a [`Literal`]'s.
    pub(crate) fn literal(&self) -> Option<(&Buf<'a>, LiteralMode)> {
        match self.form {
            WireForm::Literal(mode) => Some((&self.bytes, mode)),
            _ => None,
        }
    }

    /// The convention the bytes follow.
    pub fn encoding(&self) -> NameEncoding {
        self.encoding
    }

    fn astring<'b>(bytes: Buf<'b>, form: WireForm) -> AString<'b> {
        // The bytes and the form came apart from a valid `AString`.
        match form {
            WireForm::Atom => AString::Atom(AtomExt::unvalidated(bytes)),
            WireForm::Quoted => AString::String(IString::Quoted(Quoted::unvalidated(bytes))),
            WireForm::Literal(mode) => {
                AString::String(IString::Literal(Literal::unvalidated(bytes, mode)))
            }
        }
    }

    /// The name's text as bytes, for comparing names: UTF-8 where the
    /// bytes are valid in their convention, else the bytes.
    fn key(&self) -> Cow<'_, [u8]> {
        let bytes = self.bytes.as_bytes();
        match self.encoding {
            NameEncoding::ModifiedUtf7 if bytes.contains(&b'&') => match utf7::decode(bytes) {
                Ok(text) => Cow::Owned(text.into_bytes()),
                Err(_) => Cow::Borrowed(bytes),
            },
            _ => Cow::Borrowed(bytes),
        }
    }
}

impl fmt::Debug for MailboxOther<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailboxOther")
            .field("name", &self.as_astring())
            .field("encoding", &self.encoding)
            .finish()
    }
}

impl PartialEq for MailboxOther<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for MailboxOther<'_> {}

impl Hash for MailboxOther<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl PartialOrd for MailboxOther<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for MailboxOther<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl<'a> Mailbox<'a> {
    /// A mailbox from its wire form, in modified UTF-7 (see
    /// [`set_encoding`](Self::set_encoding) for a UTF-8 session's);
    /// `INBOX` in any case becomes [`Mailbox::Inbox`].
    pub fn from_astring(name: AString<'a>) -> Self {
        Self::from_astring_in(name, NameEncoding::ModifiedUtf7)
    }

    fn from_astring_in(name: AString<'a>, encoding: NameEncoding) -> Self {
        if name.as_bytes().eq_ignore_ascii_case(b"INBOX") {
            Mailbox::Inbox
        } else {
            Mailbox::Other(MailboxOther::new(name, encoding))
        }
    }

    /// A mailbox from its wire form as bytes (e.g. `&ZeVnLIqe-`), sent as
    /// is; fails only on NUL.
    pub fn from_wire(bytes: impl Into<Buf<'a>>) -> Result<Self, ValidationError> {
        AString::try_new(bytes).map(Mailbox::from_astring)
    }

    /// A mailbox from a human-readable name, encoded as modified UTF-7; the
    /// same as `From<&str>`, but always owned.
    pub fn from_name(name: &str) -> Mailbox<'static> {
        Mailbox::from_astring(AString::from(utf7::encode(name)))
    }

    /// A mailbox from a human-readable name held as UTF-8
    /// ([`NameEncoding::Utf8`]): sent as is in a session where UTF-8 is
    /// enabled (RFC 6855 §3, RFC 9051 §5.1), as modified UTF-7 in one where
    /// it is not.
    ///
    /// # Panics
    ///
    /// If `name` holds a NUL byte, which no mailbox name can.
    #[track_caller]
    pub fn from_utf8_name(name: &'a str) -> Self {
        Mailbox::from_astring_in(AString::from(name), NameEncoding::Utf8)
    }

    /// The wire bytes (`INBOX` for the inbox).
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Mailbox::Inbox => b"INBOX",
            Mailbox::Other(o) => o.bytes.as_bytes(),
        }
    }

    /// The convention the bytes follow (the inbox's are ASCII, the same in
    /// both).
    pub fn encoding(&self) -> NameEncoding {
        match self {
            Mailbox::Inbox => NameEncoding::ModifiedUtf7,
            Mailbox::Other(o) => o.encoding,
        }
    }

    /// Says which convention the bytes follow: a client or server marks the
    /// names it decoded in a session where UTF-8 is enabled
    /// ([`NameEncoding::Utf8`]), since the decoder does not know the
    /// session.
    pub fn set_encoding(&mut self, encoding: NameEncoding) {
        if let Mailbox::Other(o) = self {
            o.encoding = encoding;
        }
    }

    /// The human-readable name: modified UTF-7 decoded, or the UTF-8 bytes
    /// of a name in [`NameEncoding::Utf8`].
    pub fn name(&self) -> Result<String, utf7::Utf7Error> {
        match self.encoding() {
            NameEncoding::ModifiedUtf7 => utf7::decode(self.as_bytes()),
            NameEncoding::Utf8 => std::str::from_utf8(self.as_bytes())
                .map(str::to_owned)
                .map_err(|e| utf7::Utf7Error::InvalidUtf8 {
                    at: e.valid_up_to(),
                }),
        }
    }

    /// The human-readable name: modified UTF-7 decoded where it is valid,
    /// else the bytes as UTF-8 (U+FFFD for invalid bytes; names sent after
    /// `ENABLE UTF8=ACCEPT`).
    pub fn name_lossy(&self) -> String {
        match self.encoding() {
            NameEncoding::ModifiedUtf7 => utf7::Display(self.as_bytes()).to_string(),
            NameEncoding::Utf8 => String::from_utf8_lossy(self.as_bytes()).into_owned(),
        }
    }

    /// The name spelled in the other convention, when the session's is not
    /// the one the value holds and the spelling differs: in a UTF-8 session
    /// (`utf8`), a modified UTF-7 name with a `&` run, decoded; in another,
    /// a UTF-8 name with `&` or non-ASCII text, encoded. `None` when the
    /// bytes go as they are (also when they are not valid in their
    /// convention, or decode to a NUL, which no string can carry).
    pub fn respelled(&self, utf8: bool) -> Option<AString<'static>> {
        let Mailbox::Other(o) = self else {
            return None;
        };
        let bytes = o.bytes.as_bytes();
        let text = match (o.encoding, utf8) {
            (NameEncoding::ModifiedUtf7, true) if bytes.contains(&b'&') => {
                utf7::decode(bytes).ok()?
            }
            (NameEncoding::Utf8, false) if bytes.iter().any(|&b| b == b'&' || b > 0x7f) => {
                utf7::encode(std::str::from_utf8(bytes).ok()?)
            }
            _ => return None,
        };
        AString::try_new(text).ok()
    }

    /// The `astring` to send for this mailbox.
    pub fn to_astring(&self) -> AString<'a> {
        match self {
            Mailbox::Inbox => AString::Atom(AtomExt::unvalidated(&b"INBOX"[..])),
            Mailbox::Other(o) => MailboxOther::astring(o.bytes.clone(), o.form),
        }
    }

    /// The same mailbox borrowing from `self` (no copy, no reference count).
    pub fn reborrow(&self) -> Mailbox<'_> {
        match self {
            Mailbox::Inbox => Mailbox::Inbox,
            Mailbox::Other(o) => Mailbox::Other(MailboxOther {
                bytes: o.bytes.reborrow(),
                form: o.form,
                encoding: o.encoding,
            }),
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
            Mailbox::Other(o) => Mailbox::Other(MailboxOther {
                bytes: o.bytes.into_static_in(frame),
                form: o.form,
                encoding: o.encoding,
            }),
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
    fn a_mailbox_is_no_larger_than_an_astring() {
        // The convention flag sits beside the form: responses and events
        // holding a name do not grow with it.
        assert_eq!(size_of::<Mailbox<'_>>(), size_of::<AString<'_>>());
    }

    #[test]
    fn every_form_comes_back_as_it_came() {
        for wire in [
            AString::Atom(AtomExt::unvalidated(&b"Sent"[..])),
            AString::String(IString::Quoted(Quoted::unvalidated(&b"two words"[..]))),
            AString::String(IString::Literal(Literal::unvalidated(
                &b"a\r\nb"[..],
                LiteralMode::Sync,
            ))),
            AString::String(IString::Literal(Literal::unvalidated(
                &b"x"[..],
                LiteralMode::NonSync,
            ))),
        ] {
            let m = Mailbox::from_astring(wire.clone());
            let Mailbox::Other(o) = &m else {
                panic!("not the inbox")
            };
            assert_eq!(format!("{:?}", o.as_astring()), format!("{wire:?}"));
            assert_eq!(m.to_astring(), wire);
            let owned = m.clone().into_static();
            assert_eq!(owned.to_astring(), wire);
            let Mailbox::Other(o) = owned else {
                panic!("not the inbox")
            };
            assert_eq!(o.into_astring(), wire);
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
