//! The envelope structure of a message (RFC 9051 §7.5.2 `ENVELOPE`, `envelope` in §9).

use bytes::Bytes;

use crate::buf::IntoStatic;
use crate::core::NString;
use crate::encoded_word::{decode_header, HeaderText};
pub use crate::response::wire::AddressList;

/// An `envelope`: the parsed RFC 5322 header fields of a message.
///
/// The address lists are `"(" 1*address ")" / nil`; an empty `Vec` stands for
/// `NIL` (the grammar has no empty list; a server's `()` decodes as `NIL`).
/// The server fills `sender` and `reply_to` from `from` when the header
/// fields are absent (RFC 9051 §7.5.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Envelope<'a> {
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

impl Envelope<'_> {
    /// The subject with its RFC 2047 encoded words decoded; `None` for `NIL`.
    ///
    /// ```
    /// use imapkit_proto::{Envelope, NString};
    ///
    /// let e = Envelope { subject: NString::from("=?UTF-8?B?5pel5pys6Kqe?="), ..Envelope::default() };
    /// assert_eq!(e.subject_text().unwrap().as_str(), "日本語");
    /// assert!(Envelope::default().subject_text().is_none());
    /// ```
    pub fn subject_text(&self) -> Option<HeaderText<'_>> {
        self.subject.as_bytes().map(decode_header)
    }
}

impl IntoStatic for Envelope<'_> {
    type Static = Envelope<'static>;
    #[inline]
    fn into_static_in(self, frame: Option<&Bytes>) -> Envelope<'static> {
        Envelope {
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
