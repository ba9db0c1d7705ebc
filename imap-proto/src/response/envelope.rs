//! The envelope structure of a message (RFC 9051 §7.5.2 `ENVELOPE`, `envelope` in §9).

use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};

use bytes::Bytes;

use crate::buf::{Buf, IntoStatic};
use crate::core::NString;
use crate::encoded_word::{decode_header, HeaderText};
pub use crate::response::wire::AddressList;
use crate::response::wire::Kept;

/// The ten fields of an `envelope`: the parsed RFC 5322 header fields of a
/// message (RFC 9051 §7.5.2).
///
/// This is what an [`Envelope`] holds; build one with struct syntax and
/// turn it into an `Envelope` with [`Envelope::new`] or `into()`.
///
/// The address lists are `"(" 1*address ")" / nil`; an empty list stands for
/// `NIL` (the grammar has no empty list; a server's `()` decodes as `NIL`).
/// The server fills `sender` and `reply_to` from `from` when the header
/// fields are absent (RFC 9051 §7.5.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct EnvelopeFields<'a> {
    /// `env-date`: the `Date:` header field, unparsed.
    pub date: NString<'a>,
    /// `env-subject`: the `Subject:` header field (encoded words not
    /// decoded: see [`Envelope::subject_text`]).
    pub subject: NString<'a>,
    /// `env-from`
    pub from: AddressList<'a>,
    /// `env-sender`
    pub sender: AddressList<'a>,
    /// `env-reply-to`
    pub reply_to: AddressList<'a>,
    /// `env-to`
    pub to: AddressList<'a>,
    /// `env-cc`
    pub cc: AddressList<'a>,
    /// `env-bcc`
    pub bcc: AddressList<'a>,
    /// `env-in-reply-to`
    pub in_reply_to: NString<'a>,
    /// `env-message-id`
    pub message_id: NString<'a>,
}

impl IntoStatic for EnvelopeFields<'_> {
    type Static = EnvelopeFields<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> EnvelopeFields<'static> {
        EnvelopeFields {
            date: self.date.into_static_in(frame),
            subject: self.subject.into_static_in(frame),
            from: self.from.into_static_in(frame),
            sender: self.sender.into_static_in(frame),
            reply_to: self.reply_to.into_static_in(frame),
            to: self.to.into_static_in(frame),
            cc: self.cc.into_static_in(frame),
            bcc: self.bcc.into_static_in(frame),
            in_reply_to: self.in_reply_to.into_static_in(frame),
            message_id: self.message_id.into_static_in(frame),
        }
    }
}

/// An `envelope` (RFC 9051 §7.5.2 `ENVELOPE`, `envelope` in §9).
///
/// A decoded envelope keeps its bytes as received (a slice of the input,
/// or of the shared frame after [`IntoStatic::into_shared`]) and reads its
/// fields from them on access, as the address lists do (see
/// [`AddressList`]): an initial sync then pays one reference count per
/// envelope instead of one per field. An envelope built by a program
/// holds its [`EnvelopeFields`]. Both forms compare, hash and print by
/// their fields.
///
/// Each accessor reads the envelope again; code that needs several
/// fields takes them all at once with [`Envelope::fields`].
///
/// ```
/// use imapkit_proto::{Envelope, EnvelopeFields, NString};
///
/// let e = Envelope::new(EnvelopeFields {
///     subject: NString::from("Lunch"),
///     ..EnvelopeFields::default()
/// });
/// assert_eq!(e.subject(), NString::from("Lunch"));
/// assert!(e.fields().from.is_empty());
/// ```
#[derive(Clone)]
pub struct Envelope<'a>(Kept<'a, EnvelopeFields<'a>, ReadEnvelope>);

/// Reads the fields of an envelope the decoder has checked.
type ReadEnvelope = for<'r> fn(&'r [u8]) -> EnvelopeFields<'r>;

impl Default for Envelope<'_> {
    /// An envelope of ten `NIL`s.
    fn default() -> Self {
        Envelope::new(EnvelopeFields::default())
    }
}

impl<'a> From<EnvelopeFields<'a>> for Envelope<'a> {
    fn from(fields: EnvelopeFields<'a>) -> Self {
        Envelope::new(fields)
    }
}

/// Accessors of the `NString` fields: reborrowed from a built envelope,
/// read from a decoded one.
macro_rules! string_fields {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(&self) -> NString<'_> {
            match &self.0 {
                Kept::Wire { bytes, read, .. } => read(bytes).$name,
                Kept::Owned(f) => f.$name.reborrow(),
            }
        }
    )*};
}

/// Accessors of the address lists: borrowed from a built envelope, read
/// from a decoded one.
macro_rules! list_fields {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(&self) -> Cow<'_, AddressList<'_>> {
            match &self.0 {
                Kept::Wire { bytes, read, .. } => Cow::Owned(read(bytes).$name),
                Kept::Owned(f) => Cow::Borrowed(&f.$name),
            }
        }
    )*};
}

impl<'a> Envelope<'a> {
    /// An envelope from its fields.
    pub fn new(fields: EnvelopeFields<'a>) -> Self {
        Envelope(Kept::Owned(Box::new(fields)))
    }

    /// Decoded from its bytes (doc-hidden: for the decoder, which has
    /// checked them; see `AddressList::from_wire`).
    #[doc(hidden)]
    pub fn from_wire(bytes: Buf<'a>, verbatim: bool, read: ReadEnvelope) -> Self {
        Envelope(Kept::wire(bytes, verbatim, read))
    }

    /// All ten fields (read from the bytes of a decoded envelope).
    pub fn fields(&self) -> Cow<'_, EnvelopeFields<'_>> {
        match &self.0 {
            Kept::Wire { bytes, read, .. } => Cow::Owned(read(bytes)),
            Kept::Owned(f) => Cow::Borrowed(f),
        }
    }

    /// The fields, owned (read from the bytes of a decoded envelope).
    pub fn into_fields(self) -> EnvelopeFields<'a> {
        match self.0 {
            Kept::Wire { bytes, read, .. } => match (bytes.as_borrowed(), bytes.as_shared()) {
                (Some(b), _) => read(b),
                (None, Some(b)) => read(b).into_static_in(Some(b)),
                (None, None) => read(bytes.as_bytes()).into_static(),
            },
            Kept::Owned(f) => *f,
        }
    }

    string_fields! {
        /// `env-date`: the `Date:` header field, unparsed.
        date;
        /// `env-subject`: the `Subject:` header field, encoded words not
        /// decoded (see [`Envelope::subject_text`]).
        subject;
        /// `env-in-reply-to`
        in_reply_to;
        /// `env-message-id`
        message_id;
    }

    list_fields! {
        /// `env-from`
        from;
        /// `env-sender`
        sender;
        /// `env-reply-to`
        reply_to;
        /// `env-to`
        to;
        /// `env-cc`
        cc;
        /// `env-bcc`
        bcc;
    }

    /// The subject with its RFC 2047 encoded words decoded; `None` for `NIL`.
    ///
    /// ```
    /// use imapkit_proto::{Envelope, EnvelopeFields, NString};
    ///
    /// let e = Envelope::new(EnvelopeFields {
    ///     subject: NString::from("=?UTF-8?B?5pel5pys6Kqe?="),
    ///     ..EnvelopeFields::default()
    /// });
    /// assert_eq!(e.subject_text().unwrap().as_str(), "日本語");
    /// assert!(Envelope::default().subject_text().is_none());
    /// ```
    pub fn subject_text(&self) -> Option<HeaderText<'static>> {
        self.subject()
            .as_bytes()
            .map(|b| decode_header(b).into_owned())
    }

    /// The bytes as received, when the encoder may write them unchanged;
    /// `None` for envelopes built by a program.
    pub fn verbatim(&self) -> Option<&[u8]> {
        self.0.verbatim()
    }

    /// The fields of an envelope built by a program (`None` for a decoded
    /// one): the encoder reads them in place.
    pub(crate) fn built(&self) -> Option<&EnvelopeFields<'a>> {
        self.0.built()
    }
}

impl EnvelopeFields<'_> {
    /// The subject with its RFC 2047 encoded words decoded; `None` for `NIL`.
    pub fn subject_text(&self) -> Option<HeaderText<'_>> {
        self.subject.as_bytes().map(decode_header)
    }
}

impl PartialEq for Envelope<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.same_bytes(&other.0) || self.fields() == other.fields()
    }
}

impl Eq for Envelope<'_> {}

impl Hash for Envelope<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.fields().hash(state);
    }
}

impl fmt::Debug for Envelope<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields = self.fields();
        f.debug_struct("Envelope")
            .field("date", &fields.date)
            .field("subject", &fields.subject)
            .field("from", &fields.from)
            .field("sender", &fields.sender)
            .field("reply_to", &fields.reply_to)
            .field("to", &fields.to)
            .field("cc", &fields.cc)
            .field("bcc", &fields.bcc)
            .field("in_reply_to", &fields.in_reply_to)
            .field("message_id", &fields.message_id)
            .finish()
    }
}

impl IntoStatic for Envelope<'_> {
    type Static = Envelope<'static>;
    #[inline]
    fn into_static_in(self, frame: Option<&Bytes>) -> Envelope<'static> {
        Envelope(self.0.into_static_in(frame))
    }
}

/// An `address` (RFC 9051 §9): `"(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"`.
///
/// RFC 5322 group syntax uses a NIL `host`: with a non-NIL `mailbox` the
/// address starts a group named `mailbox`, with a NIL `mailbox` it ends the
/// group ([`Address::kind`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Address<'a> {
    /// `addr-name`: the display name (phrase), RFC 5322 quoting removed,
    /// encoded words not decoded (see [`Address::display_name`]).
    pub name: NString<'a>,
    /// `addr-adl`: the obsolete source route.
    pub adl: NString<'a>,
    /// `addr-mailbox`: the local part, or the group name at a group start.
    pub mailbox: NString<'a>,
    /// `addr-host`: the domain, NIL at group markers.
    pub host: NString<'a>,
}

/// What an [`Address`] stands for in an address list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressKind {
    /// An ordinary mailbox (`host` is not NIL).
    Mailbox,
    /// The start of a group: `mailbox` holds the group name.
    GroupStart,
    /// The end of a group (RFC 822 `;`).
    GroupEnd,
}

impl<'a> Address<'a> {
    /// An address from its four fields.
    pub fn new(
        name: NString<'a>,
        adl: NString<'a>,
        mailbox: NString<'a>,
        host: NString<'a>,
    ) -> Self {
        Address {
            name,
            adl,
            mailbox,
            host,
        }
    }

    /// The display name with its RFC 2047 encoded words decoded; `None`
    /// for `NIL`.
    ///
    /// ```
    /// use imapkit_proto::{Address, NString};
    ///
    /// let a = Address::new("=?ISO-8859-1?Q?Andr=E9?= Pirard".into(), NString::NIL, "a".into(), "b.example".into());
    /// assert_eq!(a.display_name().unwrap().as_str(), "André Pirard");
    /// ```
    pub fn display_name(&self) -> Option<HeaderText<'_>> {
        self.name.as_bytes().map(decode_header)
    }

    /// The address as `mailbox@host` (RFC 9051 §7.5.2: `addr-mailbox` and
    /// `addr-host`, an RFC 5322 `addr-spec`), e.g. to show or to compare.
    /// `None` for the group markers ([`Address::kind`]) and when either
    /// part is `NIL` or empty. The source route (`adl`) is left out.
    ///
    /// The parts are copied as they are, without quoting: a local part
    /// that RFC 5322 would quote (such as `"john doe"`) comes without its
    /// quotes. Bytes that are not UTF-8 (a server's 8-bit headers) become
    /// U+FFFD; read [`mailbox`](Self::mailbox) and [`host`](Self::host)
    /// for the exact bytes.
    ///
    /// ```
    /// use imapkit_proto::{Address, NString};
    ///
    /// let a = Address::new("Alice".into(), NString::NIL, "alice".into(), "example.org".into());
    /// assert_eq!(a.email().as_deref(), Some("alice@example.org"));
    /// let group_start = Address::new(NString::NIL, NString::NIL, "friends".into(), NString::NIL);
    /// assert_eq!(group_start.email(), None);
    /// ```
    pub fn email(&self) -> Option<String> {
        let mailbox = self.mailbox.as_bytes().filter(|b| !b.is_empty())?;
        let host = self.host.as_bytes().filter(|b| !b.is_empty())?;
        let mut s = String::with_capacity(mailbox.len() + 1 + host.len());
        s.push_str(&String::from_utf8_lossy(mailbox));
        s.push('@');
        s.push_str(&String::from_utf8_lossy(host));
        Some(s)
    }

    /// Mailbox, group start or group end (RFC 9051 §7.5.2).
    pub fn kind(&self) -> AddressKind {
        match (&self.host.0, &self.mailbox.0) {
            (Some(_), _) => AddressKind::Mailbox,
            (None, Some(_)) => AddressKind::GroupStart,
            (None, None) => AddressKind::GroupEnd,
        }
    }
}

impl IntoStatic for Address<'_> {
    type Static = Address<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> Address<'static> {
        Address {
            name: self.name.into_static_in(frame),
            adl: self.adl.into_static_in(frame),
            mailbox: self.mailbox.into_static_in(frame),
            host: self.host.into_static_in(frame),
        }
    }
}

crate::impl_into_static_copy!(AddressKind);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_markers() {
        let start = Address::new(NString::NIL, NString::NIL, "friends".into(), NString::NIL);
        let end = Address::default();
        let member = Address::new("A".into(), NString::NIL, "a".into(), "example.org".into());
        assert_eq!(start.kind(), AddressKind::GroupStart);
        assert_eq!(end.kind(), AddressKind::GroupEnd);
        assert_eq!(member.kind(), AddressKind::Mailbox);
    }
}
