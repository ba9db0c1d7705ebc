//! Encoding `envelope` and `address`.

use bytes::BufMut;
use imap_proto::{Address, Envelope};

use super::super::{Encode, Writer};

impl Encode for Envelope<'_> {
    /// `(date subject from sender reply-to to cc bcc in-reply-to message-id)`,
    /// an empty address list as `NIL`.
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.put_u8(b'(');
        self.date.encode(w);
        w.put_u8(b' ');
        self.subject.encode(w);
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
        w.put_u8(b' ');
        self.in_reply_to.encode(w);
        w.put_u8(b' ');
        self.message_id.encode(w);
        w.put_u8(b')');
    }
}

fn put_address_list<B: BufMut>(w: &mut Writer<'_, B>, list: &[Address<'_>]) {
    if list.is_empty() {
        w.put(b"NIL");
        return;
    }
    w.put_u8(b'(');
    for a in list {
        a.encode(w);
    }
    w.put_u8(b')');
}

impl Encode for Address<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.put_u8(b'(');
        self.name.encode(w);
        w.put_u8(b' ');
        self.adl.encode(w);
        w.put_u8(b' ');
        self.mailbox.encode(w);
        w.put_u8(b' ');
        self.host.encode(w);
        w.put_u8(b')');
    }
}
