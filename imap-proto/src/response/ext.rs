//! Generic extension values (RFC 4466 §2.1 `tagged-ext-val`), used where an
//! extension's data is unknown: LIST extended items, ESEARCH return data,
//! STATUS items.

use bytes::Bytes;

use crate::buf::IntoStatic;
use crate::core::{AString, IString};
use crate::sequence::SequenceSet;

/// A `tagged-ext-val` (RFC 4466 §2.1, RFC 9051 §9).
///
/// `tagged-ext-simple` is a number or a sequence set; a sequence set of a
/// single number is the same bytes as a number and decodes as
/// [`TaggedExtVal::Number`] (the canonical form).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TaggedExtVal<'a> {
    /// `number` / `number64`
    Number(u64),
    /// `sequence-set` (other than one plain number)
    SequenceSet(SequenceSet),
    /// `"(" [tagged-ext-comp] ")"`: the items of the list.
    Comp(Vec<TaggedExtComp<'a>>),
    /// A string: not in the ABNF, but RFC 9051 §7.3.1 shows one
    /// (`Sample "text"`), so the decoder accepts it.
    String(IString<'a>),
}

/// An item of a `tagged-ext-comp` list: an `astring` or a nested list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TaggedExtComp<'a> {
    /// `astring`
    AString(AString<'a>),
    /// `"(" tagged-ext-comp ")"`: a nested list (space-separated items).
    List(Vec<Self>),
}

impl IntoStatic for TaggedExtVal<'_> {
    type Static = TaggedExtVal<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> TaggedExtVal<'static> {
        match self {
            TaggedExtVal::Number(n) => TaggedExtVal::Number(n),
            TaggedExtVal::SequenceSet(s) => TaggedExtVal::SequenceSet(s),
            TaggedExtVal::Comp(c) => TaggedExtVal::Comp(c.into_static_in(frame)),
            TaggedExtVal::String(s) => TaggedExtVal::String(s.into_static_in(frame)),
        }
    }
}

impl IntoStatic for TaggedExtComp<'_> {
    type Static = TaggedExtComp<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> TaggedExtComp<'static> {
        match self {
            TaggedExtComp::AString(a) => TaggedExtComp::AString(a.into_static_in(frame)),
            TaggedExtComp::List(l) => TaggedExtComp::List(l.into_static_in(frame)),
        }
    }
}
