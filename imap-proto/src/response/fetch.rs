//! FETCH response data items (RFC 9051 §7.5.2 `msg-att`) and the extension
//! items real servers send (CONDSTORE, BINARY, OBJECTID, SAVEDATE, PREVIEW, Gmail).

use std::fmt;
use std::num::NonZeroU32;

use bytes::Bytes;

use crate::buf::{Buf, IntoStatic};
use crate::core::{AString, Atom, NString};
use crate::datetime::DateTime;
use crate::error::ValidationError;
use crate::response::envelope::Envelope;
use crate::response::wire::BodyStructureItem;
use crate::response::wire::FlagFetchList;
use crate::section::Section;
use crate::snippet::{SnippetAlgorithm, SnippetName};

/// A `msg-att` item of a FETCH response (RFC 9051 §7.5.2).
///
/// Unknown items decode as [`MessageDataItem::Other`]. An `Other` whose name
/// is a known item name (any case), or contains `[`, does not decode back to
/// itself: build known items with their own variants.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MessageDataItem<'a> {
    /// `UID n`
    Uid(NonZeroU32),
    /// `FLAGS (...)`
    Flags(FlagFetchList<'a>),
    /// `ENVELOPE (...)`
    Envelope(Envelope<'a>),
    /// `INTERNALDATE "17-Jul-1996 02:44:25 -0700"`
    InternalDate(DateTime),
    /// `RFC822.SIZE n` (`number64` in IMAP4rev2)
    Rfc822Size(u64),
    /// `RFC822 nstring` (IMAP4rev1): the whole message.
    Rfc822(NString<'a>),
    /// `RFC822.HEADER nstring` (IMAP4rev1)
    Rfc822Header(NString<'a>),
    /// `RFC822.TEXT nstring` (IMAP4rev1)
    Rfc822Text(NString<'a>),
    /// `BODY (...)`: the body structure without extension data
    /// ([`BodyStructureItem::get`] reads it).
    Body(BodyStructureItem<'a>),
    /// `BODYSTRUCTURE (...)`: the body structure with extension data
    /// ([`BodyStructureItem::get`] reads it).
    BodyStructure(BodyStructureItem<'a>),
    /// `BODY[section]<origin> nstring`: (part of) a message section. A literal
    /// payload borrows the decoder's input.
    BodySection {
        /// Which section.
        section: Section<'a>,
        /// The origin octet, when the client asked for a partial fetch.
        origin: Option<u32>,
        /// The content.
        data: NString<'a>,
    },
    /// `BINARY[part]<origin> (nstring / literal8)` (RFC 3516): a section with
    /// its transfer encoding removed.
    Binary {
        /// The part path, empty for the whole message.
        section: Vec<NonZeroU32>,
        /// The origin octet, when the client asked for a partial fetch.
        origin: Option<u32>,
        /// The content.
        data: BinaryData<'a>,
    },
    /// `BINARY.SIZE[part] n` (RFC 3516)
    BinarySize {
        /// The part path, empty for the whole message.
        section: Vec<NonZeroU32>,
        /// Decoded size in octets. RFC 3516 makes it a `number` (32 bits);
        /// the decoder takes any 64-bit value, because Dovecot 2.3 sends
        /// values such as `18446744073709551409` for multipart parts
        /// (seen in the recorded session in imap-codec/tests/data/dovecot/).
        size: u64,
    },
    /// `MODSEQ (n)` (RFC 7162): the message's mod-sequence (63-bit).
    ModSeq(u64),
    /// `EMAILID (id)` (RFC 8474)
    EmailId(ObjectId<'a>),
    /// `THREADID (id)` or `THREADID NIL` (RFC 8474)
    ThreadId(Option<ObjectId<'a>>),
    /// `SAVEDATE date-time` or `SAVEDATE NIL` (RFC 8514)
    SaveDate(Option<DateTime>),
    /// `PREVIEW nstring` (RFC 8970)
    Preview(NString<'a>),
    /// `SNIPPET (FUZZY nstring)` or `PREVIEW (FUZZY nstring)`: the draft
    /// forms Dovecot 2.3 answers `SNIPPET (...)` and `PREVIEW (FUZZY)` with
    /// (see [`SnippetRequest`](crate::SnippetRequest)); `NIL` when the
    /// client asked for `LAZY` and the text was not at hand.
    Snippet {
        /// `SNIPPET` or `PREVIEW`.
        name: SnippetName,
        /// The algorithm that made the text.
        algorithm: SnippetAlgorithm<'a>,
        /// The text.
        text: NString<'a>,
    },
    /// `X-GM-MSGID n` (Gmail): the message id, 64-bit.
    GmailMsgId(u64),
    /// `X-GM-THRID n` (Gmail): the thread id, 64-bit.
    GmailThrId(u64),
    /// `X-GM-LABELS (...)` (Gmail)
    GmailLabels(Vec<GmailLabel<'a>>),
    /// An item this crate does not know, kept with its value.
    Other {
        /// The item name.
        name: Atom<'a>,
        /// Its value.
        value: ItemValue<'a>,
    },
}

/// Accessors of a FETCH response's items (`msg-att`, RFC 9051 §7.5.2):
/// each finds the item it names and returns its value, `None` when the
/// response does not hold that item.
///
/// Implemented for `[MessageDataItem]`, so it serves the `items` of a
/// [`Data::Fetch`](crate::Data::Fetch) (a [`Vec1`](crate::Vec1)), a `Vec`
/// of items and a slice alike; bring the trait into scope with
/// `use imapkit_proto::MessageDataItems;`. Each call walks the list once (no
/// allocation); a server sends an item at most once per response, and if
/// it sent one twice, the first wins.
///
/// ```
/// use std::num::NonZeroU32;
/// use imapkit_proto::{Data, MessageDataItems, Flag, FlagFetch, MessageDataItem, Vec1};
///
/// let data = Data::Fetch {
///     seq: NonZeroU32::new(12).unwrap(),
///     items: Vec1::from([
///         MessageDataItem::Flags(vec![FlagFetch::Flag(Flag::Seen)].into()),
///         MessageDataItem::Uid(NonZeroU32::new(4827).unwrap()),
///         MessageDataItem::ModSeq(90060),
///     ]),
/// };
/// if let Data::Fetch { items, .. } = &data {
///     assert_eq!(items.uid().map(NonZeroU32::get), Some(4827));
///     assert_eq!(items.modseq(), Some(90060));
///     assert!(items.flags().unwrap().contains(&Flag::Seen));
///     assert_eq!(items.rfc822_size(), None);
/// }
/// ```
pub trait MessageDataItems<'a>: sealed::Sealed {
    /// `UID`: the message's unique identifier (RFC 9051 §7.5.2). A
    /// `NonZeroU32`, as in [`MessageDataItem::Uid`] and the grammar
    /// (`uniqueid = nz-number`); `.map(NonZeroU32::get)` for a `u32`.
    fn uid(&self) -> Option<NonZeroU32>;

    /// `FLAGS`: the message's flags, `\Recent` included (RFC 9051 §7.5.2);
    /// see [`FlagFetchList::contains`] and [`FlagFetchList::flags`].
    fn flags(&self) -> Option<&FlagFetchList<'a>>;

    /// `MODSEQ`: the message's mod-sequence (RFC 7162 §3.1.4.2).
    fn modseq(&self) -> Option<u64>;

    /// `RFC822.SIZE`: the message's size in octets (RFC 9051 §7.5.2).
    fn rfc822_size(&self) -> Option<u64>;

    /// `INTERNALDATE`: the message's internal date (RFC 9051 §2.3.3, §7.5.2).
    fn internal_date(&self) -> Option<DateTime>;

    /// `ENVELOPE`: the message's envelope (RFC 9051 §7.5.2).
    fn envelope(&self) -> Option<&Envelope<'a>>;

    /// `BODYSTRUCTURE`, or else `BODY`: the message's body structure (RFC
    /// 9051 §7.5.2). `BODY` is the same structure without extension data,
    /// the answer to a FETCH of `BODY`; [`BodyStructureItem::get`] reads
    /// either. Match [`MessageDataItem::Body`] to tell them apart.
    fn body_structure(&self) -> Option<&BodyStructureItem<'a>>;

    /// The content of the section `section` (RFC 9051 §7.5.2
    /// `BODY[<section>]<<origin octet>>`), in this order:
    ///
    /// 1. a `BODY[section]` item of that section (field names of
    ///    `HEADER.FIELDS` compared ASCII case-insensitively, as servers
    ///    may echo them in another case or quoting);
    /// 2. the IMAP4rev1 items RFC 3501 §7.4.2 calls equivalent:
    ///    `RFC822` for `[]`, `RFC822.HEADER` for `[HEADER]`, `RFC822.TEXT`
    ///    for `[TEXT]`.
    ///
    /// The content is as stored, Content-Transfer-Encoding and all. A
    /// `BINARY[part]` item (RFC 3516 §4.3), whose content is decoded, is
    /// not one: match [`MessageDataItem::Binary`] for it.
    ///
    /// `None` when there is no such item or its content is `NIL`. An item
    /// of a partial fetch matches too: its content starts at the origin
    /// octet of [`MessageDataItem::BodySection`]'s `origin`, which this
    /// does not return (match the item to read it).
    ///
    /// ```
    /// use imapkit_proto::{MessageDataItems, MessageDataItem, NString, Section, SectionText};
    ///
    /// let header = Section::text(SectionText::Header).unwrap();
    /// let items = vec![MessageDataItem::BodySection {
    ///     section: header.clone(),
    ///     origin: None,
    ///     data: NString::from("Subject: hi\r\n\r\n"),
    /// }];
    /// assert_eq!(items.body_section(&header), Some(&b"Subject: hi\r\n\r\n"[..]));
    /// assert_eq!(items.body_section(&Section::whole()), None);
    /// ```
    fn body_section(&self, section: &Section<'_>) -> Option<&[u8]>;
}

mod sealed {
    /// Keeps [`MessageDataItems`](super::MessageDataItems) implemented only here, so
    /// that methods can be added to it.
    #[allow(unreachable_pub)]
    pub trait Sealed {}
    impl Sealed for [super::MessageDataItem<'_>] {}
}

impl<'a> MessageDataItems<'a> for [MessageDataItem<'a>] {
    fn uid(&self) -> Option<NonZeroU32> {
        self.iter().find_map(|i| match i {
            MessageDataItem::Uid(u) => Some(*u),
            _ => None,
        })
    }

    fn flags(&self) -> Option<&FlagFetchList<'a>> {
        self.iter().find_map(|i| match i {
            MessageDataItem::Flags(f) => Some(f),
            _ => None,
        })
    }

    fn modseq(&self) -> Option<u64> {
        self.iter().find_map(|i| match i {
            MessageDataItem::ModSeq(m) => Some(*m),
            _ => None,
        })
    }

    fn rfc822_size(&self) -> Option<u64> {
        self.iter().find_map(|i| match i {
            MessageDataItem::Rfc822Size(n) => Some(*n),
            _ => None,
        })
    }

    fn internal_date(&self) -> Option<DateTime> {
        self.iter().find_map(|i| match i {
            MessageDataItem::InternalDate(d) => Some(*d),
            _ => None,
        })
    }

    fn envelope(&self) -> Option<&Envelope<'a>> {
        self.iter().find_map(|i| match i {
            MessageDataItem::Envelope(e) => Some(e),
            _ => None,
        })
    }

    fn body_structure(&self) -> Option<&BodyStructureItem<'a>> {
        let mut body = None;
        for i in self {
            match i {
                MessageDataItem::BodyStructure(b) => return Some(b),
                MessageDataItem::Body(b) if body.is_none() => body = Some(b),
                _ => {}
            }
        }
        body
    }

    fn body_section(&self, section: &Section<'_>) -> Option<&[u8]> {
        use crate::section::SectionText as T;
        let found = self.iter().find_map(|i| match i {
            MessageDataItem::BodySection {
                section: s, data, ..
            } if same_section(s, section) => Some(data),
            _ => None,
        });
        if let Some(data) = found {
            return data.as_bytes();
        }
        if section.part().is_empty() {
            let rfc822 = self.iter().find_map(|i| match (i, section.text_spec()) {
                (MessageDataItem::Rfc822(d), None)
                | (MessageDataItem::Rfc822Header(d), Some(T::Header))
                | (MessageDataItem::Rfc822Text(d), Some(T::Text)) => Some(d),
                _ => None,
            });
            if let Some(data) = rfc822 {
                return data.as_bytes();
            }
        }
        None
    }
}

/// Whether a response's section `got` is the section `want`: the same
/// part and specifier, header field names compared ASCII
/// case-insensitively (RFC 9051 §6.4.5: field names are case-insensitive;
/// a server may echo them in another case, quoted or not).
fn same_section(got: &Section<'_>, want: &Section<'_>) -> bool {
    use crate::section::SectionText as T;
    let same_fields = |a: &[AString<'_>], b: &[AString<'_>]| {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x.as_bytes().eq_ignore_ascii_case(y.as_bytes()))
    };
    got.part() == want.part()
        && match (got.text_spec(), want.text_spec()) {
            (Some(T::HeaderFields(a)), Some(T::HeaderFields(b)))
            | (Some(T::HeaderFieldsNot(a)), Some(T::HeaderFieldsNot(b))) => same_fields(a, b),
            (a, b) => a == b,
        }
}

/// The value of a FETCH item this crate does not know
/// ([`MessageDataItem::Other`]): an nstring, a number, an atom, or a
/// parenthesised list of these.
///
/// RFC 9051 gives no generic grammar for unknown `msg-att` items; this is
/// `body-extension`'s (RFC 9051 §9) with atoms added, the shape the
/// extensions servers send have: RFC 5257's `ANNOTATION (/comment
/// (value.priv "text" value.shared NIL))`, AOL's `XAOL-MSGID 1` and
/// `XAOL-PAREN-LIST (XAOL-TOKEN-PARAM XAOL-TOKEN-VALUE)`.
///
/// A token of digits decodes as [`ItemValue::Number`] and `NIL` (any case)
/// as a `NIL` [`ItemValue::NString`], so an [`ItemValue::Atom`] that is
/// either does not decode back to itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ItemValue<'a> {
    /// A string or `NIL`.
    NString(NString<'a>),
    /// A number (`number64`).
    Number(u64),
    /// An atom.
    Atom(Atom<'a>),
    /// A parenthesised list, its items separated by one SP.
    List(Vec<Self>),
}

impl IntoStatic for ItemValue<'_> {
    type Static = ItemValue<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> ItemValue<'static> {
        match self {
            ItemValue::NString(s) => ItemValue::NString(s.into_static_in(frame)),
            ItemValue::Number(n) => ItemValue::Number(n),
            ItemValue::Atom(a) => ItemValue::Atom(a.into_static_in(frame)),
            ItemValue::List(l) => ItemValue::List(l.into_static_in(frame)),
        }
    }
}

impl IntoStatic for MessageDataItem<'_> {
    type Static = MessageDataItem<'static>;
    #[inline(always)]
    fn into_static_in(self, frame: Option<&Bytes>) -> MessageDataItem<'static> {
        use MessageDataItem as M;
        match self {
            M::Uid(u) => M::Uid(u),
            M::Flags(f) => M::Flags(f.into_static_in(frame)),
            M::Envelope(e) => M::Envelope(e.into_static_in(frame)),
            M::InternalDate(d) => M::InternalDate(d),
            M::Rfc822Size(n) => M::Rfc822Size(n),
            M::Rfc822(s) => M::Rfc822(s.into_static_in(frame)),
            M::Rfc822Header(s) => M::Rfc822Header(s.into_static_in(frame)),
            M::Rfc822Text(s) => M::Rfc822Text(s.into_static_in(frame)),
            M::Body(b) => M::Body(b.into_static_in(frame)),
            M::BodyStructure(b) => M::BodyStructure(b.into_static_in(frame)),
            M::BodySection {
                section,
                origin,
                data,
            } => M::BodySection {
                section: section.into_static_in(frame),
                origin,
                data: data.into_static_in(frame),
            },
            M::Binary {
                section,
                origin,
                data,
            } => M::Binary {
                section,
                origin,
                data: data.into_static_in(frame),
            },
            M::BinarySize { section, size } => M::BinarySize { section, size },
            M::ModSeq(n) => M::ModSeq(n),
            M::EmailId(id) => M::EmailId(id.into_static_in(frame)),
            M::ThreadId(id) => M::ThreadId(id.into_static_in(frame)),
            M::SaveDate(d) => M::SaveDate(d),
            M::Preview(s) => M::Preview(s.into_static_in(frame)),
            M::Snippet {
                name,
                algorithm,
                text,
            } => M::Snippet {
                name,
                algorithm: algorithm.into_static_in(frame),
                text: text.into_static_in(frame),
            },
            M::GmailMsgId(n) => M::GmailMsgId(n),
            M::GmailThrId(n) => M::GmailThrId(n),
            M::GmailLabels(l) => M::GmailLabels(l.into_static_in(frame)),
            M::Other { name, value } => M::Other {
                name: name.into_static_in(frame),
                value: value.into_static_in(frame),
            },
        }
    }
}

/// The content of a `BINARY[...]` item: `nstring / literal8` (RFC 3516).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BinaryData<'a> {
    /// A string (no NUL in the data) or `NIL`.
    NString(NString<'a>),
    /// `~{n}\r\n...`: any octets, NUL included.
    Literal8(Buf<'a>),
}

impl BinaryData<'_> {
    /// The content, `None` for `NIL`.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            BinaryData::NString(s) => s.as_bytes(),
            BinaryData::Literal8(b) => Some(b),
        }
    }
}

impl IntoStatic for BinaryData<'_> {
    type Static = BinaryData<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> BinaryData<'static> {
        match self {
            BinaryData::NString(s) => BinaryData::NString(s.into_static_in(frame)),
            BinaryData::Literal8(b) => BinaryData::Literal8(b.into_static_in(frame)),
        }
    }
}

/// An `objectid` (RFC 8474 §7): 1 to 255 of `ALPHA / DIGIT / "_" / "-"`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId<'a>(Buf<'a>);

impl<'a> ObjectId<'a> {
    /// Validates and wraps an object id.
    pub fn try_new(bytes: impl Into<Buf<'a>>) -> Result<Self, ValidationError> {
        let buf = bytes.into();
        Self::check(&buf)?;
        Ok(ObjectId(buf))
    }

    /// Wraps bytes a decoder has validated.
    #[doc(hidden)]
    pub fn unvalidated(bytes: impl Into<Buf<'a>>) -> Self {
        let buf = bytes.into();
        debug_assert!(Self::check(&buf).is_ok(), "unvalidated ObjectId: {buf:?}");
        ObjectId(buf)
    }

    /// Whether `b` may appear in an object id.
    pub fn is_id_char(b: u8) -> bool {
        b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        // Validated to be ASCII at construction.
        std::str::from_utf8(self.0.as_bytes()).unwrap_or_default()
    }

    fn check(b: &[u8]) -> Result<(), ValidationError> {
        if b.is_empty() {
            return Err(ValidationError::Empty { what: "objectid" });
        }
        if b.len() > 255 {
            return Err(ValidationError::OutOfRange { what: "objectid" });
        }
        match b.iter().position(|&c| !Self::is_id_char(c)) {
            Some(at) => Err(ValidationError::InvalidByte {
                what: "objectid",
                byte: b[at],
                at,
            }),
            None => Ok(()),
        }
    }
}

impl<'a> TryFrom<&'a str> for ObjectId<'a> {
    type Error = ValidationError;
    fn try_from(s: &'a str) -> Result<Self, ValidationError> {
        Self::try_new(s)
    }
}

impl TryFrom<String> for ObjectId<'static> {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, ValidationError> {
        Self::try_new(s)
    }
}

impl fmt::Debug for ObjectId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectId({:?})", self.as_str())
    }
}

impl fmt::Display for ObjectId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl IntoStatic for ObjectId<'_> {
    type Static = ObjectId<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> ObjectId<'static> {
        ObjectId(self.0.into_static_in(frame))
    }
}

/// A Gmail label in `X-GM-LABELS`: a system label such as `\Inbox` or a user label.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GmailLabel<'a> {
    /// `\Inbox`, `\Sent`, `\Important`, ...: held without the backslash.
    System(Atom<'a>),
    /// A user label (an astring, modified UTF-7 for non-ASCII names).
    Label(AString<'a>),
}

impl IntoStatic for GmailLabel<'_> {
    type Static = GmailLabel<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> GmailLabel<'static> {
        match self {
            GmailLabel::System(a) => GmailLabel::System(a.into_static_in(frame)),
            GmailLabel::Label(a) => GmailLabel::Label(a.into_static_in(frame)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_ids() {
        assert!(ObjectId::try_from("M6d99ac3275bb4e").is_ok());
        assert!(ObjectId::try_from("a_b-c").is_ok());
        assert!(ObjectId::try_from("").is_err());
        assert!(ObjectId::try_from("a b").is_err());
        assert!(ObjectId::try_new("x".repeat(256)).is_err());
        assert!(ObjectId::try_new("x".repeat(255)).is_ok());
    }
}
