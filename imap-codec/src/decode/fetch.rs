//! Decoding FETCH response data items (`msg-att`, RFC 9051 §7.5.2).

use imap_proto::{MessageDataItem, Vec1};

use super::core::{flag_fetch, kw, nz_number, paren_list, paren_list1, sp};
use super::{fail, IResult};

/// One `msg-att` item.
pub(crate) fn msg_att(i: &[u8]) -> IResult<'_, MessageDataItem<'_>> {
    match i.first().map(u8::to_ascii_uppercase) {
        Some(b'U') => {
            let (r, ()) = kw("UID")(i)?;
            let (r, ()) = sp(r)?;
            nz_number(r).map(|(r, n)| (r, MessageDataItem::Uid(n)))
        }
        Some(b'F') => {
            let (r, ()) = kw("FLAGS")(i)?;
            let (r, ()) = sp(r)?;
            paren_list(flag_fetch)(r).map(|(r, f)| (r, MessageDataItem::Flags(f)))
        }
        None => Err(nom::Err::Incomplete(nom::Needed::new(1))),
        _ => fail(i, "unknown FETCH data item"),
    }
}

/// `"(" msg-att *(SP msg-att) ")"`
pub(crate) fn msg_att_list(i: &[u8]) -> IResult<'_, Vec1<MessageDataItem<'_>>> {
    paren_list1(msg_att)(i)
}
