//! Encoding FETCH response data items.

use bytes::BufMut;
use imap_proto::MessageDataItem;

use super::{paren, Encode, Writer};

impl Encode for MessageDataItem<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            MessageDataItem::Uid(u) => {
                w.put(b"UID ");
                w.put_num(u.get() as u64);
            }
            MessageDataItem::Flags(f) => {
                w.put(b"FLAGS ");
                paren(w, f);
            }
        }
    }
}
