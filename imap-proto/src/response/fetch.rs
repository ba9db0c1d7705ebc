//! FETCH response data items (RFC 9051 §7.5.2 `msg-att`).

use std::num::NonZeroU32;

use bytes::Bytes;

use crate::buf::IntoStatic;
use crate::flag::FlagFetch;

/// A `msg-att` item of a FETCH response.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MessageDataItem<'a> {
    /// `UID n`
    Uid(NonZeroU32),
    /// `FLAGS (...)`
    Flags(Vec<FlagFetch<'a>>),
}

impl IntoStatic for MessageDataItem<'_> {
    type Static = MessageDataItem<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> MessageDataItem<'static> {
        match self {
            MessageDataItem::Uid(u) => MessageDataItem::Uid(u),
            MessageDataItem::Flags(f) => MessageDataItem::Flags(f.into_static_in(frame)),
        }
    }
}
