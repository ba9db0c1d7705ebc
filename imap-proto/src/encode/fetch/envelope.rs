//! Encoding `envelope` and `address`.

use bytes::BufMut;

use crate::{Address, AddressList, Envelope, EnvelopeFields};

use super::super::core::put_sep_nstring;
use super::super::{Encode, Writer};

impl Encode for Envelope<'_> {
    /// A decoded envelope received in strict syntax is written as received;
    /// otherwise field by field (see [`EnvelopeFields`]).
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        if w.put_verbatim(self.verbatim()) {
            return;
        }
        match self.built() {
            Some(fields) => fields.encode(w),
            None => self.fields().encode(w),
        }
    }
}

impl Encode for EnvelopeFields<'_> {
    /// `(date subject from sender reply-to to cc bcc in-reply-to message-id)`,
    /// an empty address list as `NIL`.
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        put_sep_nstring(w, b'(', &self.date);
        put_sep_nstring(w, b' ', &self.subject);
        for list in [
            &self.from,
            &self.sender,
            &self.reply_to,
            &self.to,
            &self.cc,
            &self.bcc,
        ] {
            w.put_u8(b' ');
            put_address_list(w, list);
        }
        put_sep_nstring(w, b' ', &self.in_reply_to);
        put_sep_nstring(w, b' ', &self.message_id);
        w.put_u8(b')');
    }
}

/// A decoded list received in strict syntax is written as received.
fn put_address_list<B: BufMut>(w: &mut Writer<'_, B>, list: &AddressList<'_>) {
    if w.put_verbatim(list.verbatim()) {
        return;
    }
    if list.is_empty() {
        w.put(b"NIL");
        return;
    }
    w.put_u8(b'(');
    match list.built() {
        Some(built) => built.iter().for_each(|a| a.encode(w)),
        None => list.iter().for_each(|a| a.encode(w)),
    }
    w.put_u8(b')');
}

impl Encode for Address<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        put_sep_nstring(w, b'(', &self.name);
        put_sep_nstring(w, b' ', &self.adl);
        put_sep_nstring(w, b' ', &self.mailbox);
        put_sep_nstring(w, b' ', &self.host);
        w.put_u8(b')');
    }
}
