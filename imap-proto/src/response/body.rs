//! MIME body structure (RFC 9051 §7.5.2 `BODY` and `BODYSTRUCTURE`, `body` in §9).
//!
//! The types follow the grammar: a [`BodyStructure`] is a single part
//! ([`Body`]: basic, text or message/rfc822) or a [`Multipart`]; extension
//! data ([`SinglePartExtension`], [`MultipartExtension`]) is optional and its
//! fields can only be present in order (md5/params, disposition, language,
//! location, further extensions), which the nested `Option`s encode.

use std::borrow::Cow;

use bytes::Bytes;

use crate::buf::IntoStatic;
use crate::core::{IString, NString, Vec1};
pub use crate::response::wire::{Encapsulated, ParamList, PartList};

/// A `body` (RFC 9051 §9): one part or a multipart.
// A single part is larger than a multipart (whose parts stay in wire form);
// boxing it would cost an allocation per part decoded.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BodyStructure<'a> {
    /// `body-type-1part`
    Single(Body<'a>),
    /// `body-type-mpart`
    Multipart(Multipart<'a>),
}

impl<'a> BodyStructure<'a> {
    /// How deeply parts nest: 1 for a single part, one more per multipart or
    /// message/rfc822 level.
    pub fn depth(&self) -> usize {
        match self {
            BodyStructure::Single(b) => match &b.kind {
                BodyKind::Message { message, .. } => 1 + message.body().depth(),
                _ => 1,
            },
            BodyStructure::Multipart(m) => 1 + m.parts.iter().map(|p| p.depth()).max().unwrap_or(0),
        }
    }
}

impl IntoStatic for BodyStructure<'_> {
    type Static = BodyStructure<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> BodyStructure<'static> {
        match self {
            BodyStructure::Single(b) => BodyStructure::Single(b.into_static_in(frame)),
            BodyStructure::Multipart(m) => BodyStructure::Multipart(m.into_static_in(frame)),
        }
    }
}

/// `body-type-1part`: a non-multipart part, `(type-specific fields) [SP body-ext-1part]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Body<'a> {
    /// Media type and the fields that depend on it.
    pub kind: BodyKind<'a>,
    /// `body-fields`: parameters, id, description, encoding, size.
    pub fields: BodyFields<'a>,
    /// `body-ext-1part`: only in `BODYSTRUCTURE`, never in `BODY`.
    pub extension: Option<SinglePartExtension<'a>>,
}

impl<'a> Body<'a> {
    /// The media type as the server sent it, e.g. `TEXT`, `text` or `IMAGE`.
    pub fn media_type(&self) -> &[u8] {
        match &self.kind {
            BodyKind::Basic { media_type, .. }
            | BodyKind::Text { media_type, .. }
            | BodyKind::Message { media_type, .. } => media_type.as_bytes(),
        }
    }

    /// The media subtype as the server sent it, e.g. `PLAIN` or `rfc822`.
    pub fn subtype(&self) -> &[u8] {
        match &self.kind {
            BodyKind::Basic { subtype, .. }
            | BodyKind::Text { subtype, .. }
            | BodyKind::Message { subtype, .. } => subtype.as_bytes(),
        }
    }
}

impl IntoStatic for Body<'_> {
    type Static = Body<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> Body<'static> {
        Body {
            kind: self.kind.into_static_in(frame),
            fields: self.fields.into_static_in(frame),
            extension: self.extension.into_static_in(frame),
        }
    }
}

/// The type-specific part of a [`Body`]: `body-type-basic`, `body-type-text`, `body-type-msg`.
///
/// The kind follows the media type (ASCII case-insensitive): `TEXT` parts
/// with a line count are `Text`, `MESSAGE/RFC822` and `MESSAGE/GLOBAL` parts
/// with an envelope are `Message`, everything else (also a `TEXT` part
/// without a line count or a `MESSAGE/RFC822` part without an envelope, sent
/// by some servers) is `Basic`. The words are kept as sent (Dovecot sends
/// `"text"`, `"message" "rfc822"`) and encoded as kept; a `Text` or
/// `Message` built with other words is encoded as `"TEXT"`, `"MESSAGE"`,
/// `"RFC822"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BodyKind<'a> {
    /// `media-basic SP body-fields`: any other type, e.g. `"IMAGE" "PNG"`.
    Basic {
        /// `"APPLICATION"`, `"IMAGE"`, ... (any string).
        media_type: IString<'a>,
        /// `media-subtype`
        subtype: IString<'a>,
    },
    /// `media-text SP body-fields SP body-fld-lines`
    Text {
        /// `"TEXT"`, in the case the server used.
        media_type: IString<'a>,
        /// `media-subtype`, e.g. `"PLAIN"`, `"HTML"`.
        subtype: IString<'a>,
        /// `body-fld-lines`: size in lines (in the transfer encoding).
        lines: u64,
    },
    /// `media-message SP body-fields SP envelope SP body SP body-fld-lines`:
    /// an encapsulated message.
    Message {
        /// `"MESSAGE"`, in the case the server used.
        media_type: IString<'a>,
        /// `"RFC822"` or `"GLOBAL"` (RFC 6532), in the case the server used;
        /// see [`BodyKind::message_subtype`].
        subtype: IString<'a>,
        /// The encapsulated message's envelope and body structure.
        message: Encapsulated<'a>,
        /// `body-fld-lines`
        lines: u64,
    },
}

impl IntoStatic for BodyKind<'_> {
    type Static = BodyKind<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> BodyKind<'static> {
        match self {
            BodyKind::Basic {
                media_type,
                subtype,
            } => BodyKind::Basic {
                media_type: media_type.into_static_in(frame),
                subtype: subtype.into_static_in(frame),
            },
            BodyKind::Text {
                media_type,
                subtype,
                lines,
            } => BodyKind::Text {
                media_type: media_type.into_static_in(frame),
                subtype: subtype.into_static_in(frame),
                lines,
            },
            BodyKind::Message {
                media_type,
                subtype,
                message,
                lines,
            } => BodyKind::Message {
                media_type: media_type.into_static_in(frame),
                subtype: subtype.into_static_in(frame),
                message: message.into_static_in(frame),
                lines,
            },
        }
    }
}

/// The subtype of an encapsulated message (`media-message`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageSubtype {
    /// `MESSAGE/RFC822`
    Rfc822,
    /// `MESSAGE/GLOBAL` (RFC 6532, internationalized headers)
    Global,
}

impl<'a> BodyKind<'a> {
    /// A `Text` kind with the media type written `"TEXT"`.
    pub fn text(subtype: impl Into<IString<'a>>, lines: u64) -> Self {
        BodyKind::Text {
            media_type: IString::from("TEXT"),
            subtype: subtype.into(),
            lines,
        }
    }

    /// A `Message` kind written `"MESSAGE" "RFC822"` or `"MESSAGE" "GLOBAL"`.
    pub fn message(subtype: MessageSubtype, message: Encapsulated<'a>, lines: u64) -> Self {
        BodyKind::Message {
            media_type: IString::from("MESSAGE"),
            subtype: IString::from(subtype.as_str()),
            message,
            lines,
        }
    }

    /// For a `Message`, which subtype it is (`None` for other kinds, and for
    /// a `Message` built with another subtype, which encodes as `RFC822`).
    pub fn message_subtype(&self) -> Option<MessageSubtype> {
        match self {
            BodyKind::Message { subtype, .. } => MessageSubtype::from_name(subtype.as_bytes()),
            _ => None,
        }
    }
}

impl MessageSubtype {
    /// `RFC822` or `GLOBAL` in any case.
    pub fn from_name(name: &[u8]) -> Option<Self> {
        if name.eq_ignore_ascii_case(b"RFC822") {
            Some(Self::Rfc822)
        } else if name.eq_ignore_ascii_case(b"GLOBAL") {
            Some(Self::Global)
        } else {
            None
        }
    }

    /// `RFC822` or `GLOBAL`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rfc822 => "RFC822",
            Self::Global => "GLOBAL",
        }
    }
}

crate::impl_into_static_copy!(MessageSubtype);

/// `body-fields`: `body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP body-fld-octets`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BodyFields<'a> {
    /// `body-fld-param`: `Content-Type` parameters; empty for `NIL`.
    pub params: ParamList<'a>,
    /// `body-fld-id`: `Content-ID`.
    pub id: NString<'a>,
    /// `body-fld-desc`: `Content-Description`.
    pub description: NString<'a>,
    /// `body-fld-enc`: `Content-Transfer-Encoding`, e.g. `"BASE64"`.
    pub encoding: IString<'a>,
    /// `body-fld-octets`: size in octets in the transfer encoding.
    pub size: u32,
}

impl<'a> BodyFields<'a> {
    /// The value of parameter `name` (ASCII case-insensitive), e.g. `CHARSET`.
    pub fn param(&self, name: &str) -> Option<Cow<'_, [u8]>> {
        self.params.get(name)
    }
}

impl IntoStatic for BodyFields<'_> {
    type Static = BodyFields<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> BodyFields<'static> {
        BodyFields {
            params: self.params.into_static_in(frame),
            id: self.id.into_static_in(frame),
            description: self.description.into_static_in(frame),
            encoding: self.encoding.into_static_in(frame),
            size: self.size,
        }
    }
}

/// One attribute/value pair of a `body-fld-param` list.
///
/// Servers should have decoded RFC 2231 continuations; a name ending in `*`
/// (e.g. `filename*`) holds an RFC 2231 `charset'lang'%XX` value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BodyParam<'a> {
    /// The attribute, e.g. `"CHARSET"`.
    pub name: IString<'a>,
    /// The value, e.g. `"UTF-8"`.
    pub value: IString<'a>,
}

impl<'a> BodyParam<'a> {
    /// A parameter.
    pub fn new(name: impl Into<IString<'a>>, value: impl Into<IString<'a>>) -> Self {
        BodyParam {
            name: name.into(),
            value: value.into(),
        }
    }
}

impl IntoStatic for BodyParam<'_> {
    type Static = BodyParam<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> BodyParam<'static> {
        BodyParam {
            name: self.name.into_static_in(frame),
            value: self.value.into_static_in(frame),
        }
    }
}

/// `body-type-mpart`: `1*body SP media-subtype [SP body-ext-mpart]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Multipart<'a> {
    /// The parts, in order.
    pub parts: PartList<'a>,
    /// `media-subtype`, e.g. `"MIXED"`, `"ALTERNATIVE"`.
    pub subtype: IString<'a>,
    /// `body-ext-mpart`: only in `BODYSTRUCTURE`, never in `BODY`.
    pub extension: Option<MultipartExtension<'a>>,
}

impl IntoStatic for Multipart<'_> {
    type Static = Multipart<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> Multipart<'static> {
        Multipart {
            parts: self.parts.into_static_in(frame),
            subtype: self.subtype.into_static_in(frame),
            extension: self.extension.into_static_in(frame),
        }
    }
}

/// `body-ext-1part`: `body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SinglePartExtension<'a> {
    /// `body-fld-md5`: `Content-MD5`.
    pub md5: NString<'a>,
    /// Disposition and what follows, if sent.
    pub tail: Option<ExtensionTail<'a>>,
}

impl<'a> SinglePartExtension<'a> {
    /// `body-fld-dsp`, if sent and not NIL.
    pub fn disposition(&self) -> Option<&Disposition<'a>> {
        self.tail.as_ref().and_then(|t| t.disposition.as_ref())
    }

    /// `body-fld-lang`, if sent.
    pub fn language(&self) -> Option<&BodyLanguage<'a>> {
        self.tail.as_ref().and_then(ExtensionTail::language)
    }

    /// `body-fld-loc`, if sent and not NIL.
    pub fn location(&self) -> Option<&[u8]> {
        self.tail.as_ref().and_then(ExtensionTail::location)
    }

    /// Further `body-extension` data.
    pub fn extensions(&self) -> &[BodyExtension<'a>] {
        self.tail.as_ref().map_or(&[], ExtensionTail::extensions)
    }
}

impl IntoStatic for SinglePartExtension<'_> {
    type Static = SinglePartExtension<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> SinglePartExtension<'static> {
        SinglePartExtension {
            md5: self.md5.into_static_in(frame),
            tail: self.tail.into_static_in(frame),
        }
    }
}

/// `body-ext-mpart`: `body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct MultipartExtension<'a> {
    /// `body-fld-param`: `Content-Type` parameters (e.g. `BOUNDARY`); empty for `NIL`.
    pub params: ParamList<'a>,
    /// Disposition and what follows, if sent.
    pub tail: Option<ExtensionTail<'a>>,
}

impl<'a> MultipartExtension<'a> {
    /// The value of parameter `name` (ASCII case-insensitive), e.g. `BOUNDARY`.
    pub fn param(&self, name: &str) -> Option<Cow<'_, [u8]>> {
        self.params.get(name)
    }

    /// `body-fld-dsp`, if sent and not NIL.
    pub fn disposition(&self) -> Option<&Disposition<'a>> {
        self.tail.as_ref().and_then(|t| t.disposition.as_ref())
    }

    /// `body-fld-lang`, if sent.
    pub fn language(&self) -> Option<&BodyLanguage<'a>> {
        self.tail.as_ref().and_then(ExtensionTail::language)
    }

    /// `body-fld-loc`, if sent and not NIL.
    pub fn location(&self) -> Option<&[u8]> {
        self.tail.as_ref().and_then(ExtensionTail::location)
    }

    /// Further `body-extension` data.
    pub fn extensions(&self) -> &[BodyExtension<'a>] {
        self.tail.as_ref().map_or(&[], ExtensionTail::extensions)
    }
}

impl IntoStatic for MultipartExtension<'_> {
    type Static = MultipartExtension<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> MultipartExtension<'static> {
        MultipartExtension {
            params: self.params.into_static_in(frame),
            tail: self.tail.into_static_in(frame),
        }
    }
}

/// The common end of `body-ext-1part` and `body-ext-mpart`:
/// `body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ExtensionTail<'a> {
    /// `body-fld-dsp`; `None` for `NIL`.
    pub disposition: Option<Disposition<'a>>,
    /// Language and what follows, if sent.
    pub language: Option<LanguageTail<'a>>,
}

impl<'a> ExtensionTail<'a> {
    /// `body-fld-lang`, if sent.
    pub fn language(&self) -> Option<&BodyLanguage<'a>> {
        self.language.as_ref().map(|l| &l.language)
    }

    /// `body-fld-loc`, if sent and not NIL.
    pub fn location(&self) -> Option<&[u8]> {
        self.language
            .as_ref()
            .and_then(|l| l.location.as_ref())
            .and_then(|l| l.location.as_bytes())
    }

    /// Further `body-extension` data.
    pub fn extensions(&self) -> &[BodyExtension<'a>] {
        self.language
            .as_ref()
            .and_then(|l| l.location.as_ref())
            .map_or(&[], |l| &l.extensions)
    }
}

impl IntoStatic for ExtensionTail<'_> {
    type Static = ExtensionTail<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> ExtensionTail<'static> {
        ExtensionTail {
            disposition: self.disposition.into_static_in(frame),
            language: self.language.into_static_in(frame),
        }
    }
}

/// `body-fld-lang [SP body-fld-loc *(SP body-extension)]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LanguageTail<'a> {
    /// `body-fld-lang`: `Content-Language`.
    pub language: BodyLanguage<'a>,
    /// Location and what follows, if sent.
    pub location: Option<LocationTail<'a>>,
}

impl IntoStatic for LanguageTail<'_> {
    type Static = LanguageTail<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> LanguageTail<'static> {
        LanguageTail {
            language: self.language.into_static_in(frame),
            location: self.location.into_static_in(frame),
        }
    }
}

/// `body-fld-loc *(SP body-extension)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct LocationTail<'a> {
    /// `body-fld-loc`: `Content-Location`.
    pub location: NString<'a>,
    /// Extension data not yet defined by any RFC, kept as sent.
    pub extensions: Vec<BodyExtension<'a>>,
}

impl IntoStatic for LocationTail<'_> {
    type Static = LocationTail<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> LocationTail<'static> {
        LocationTail {
            location: self.location.into_static_in(frame),
            extensions: self.extensions.into_static_in(frame),
        }
    }
}

/// `body-fld-dsp`: `"(" string SP body-fld-param ")"` (`Content-Disposition`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Disposition<'a> {
    /// The disposition type, e.g. `"attachment"` or `"inline"`.
    pub kind: IString<'a>,
    /// Its parameters (e.g. `filename`); empty for `NIL`.
    pub params: ParamList<'a>,
}

impl<'a> Disposition<'a> {
    /// The value of parameter `name` (ASCII case-insensitive), e.g. `FILENAME`.
    pub fn param(&self, name: &str) -> Option<Cow<'_, [u8]>> {
        self.params.get(name)
    }
}

impl IntoStatic for Disposition<'_> {
    type Static = Disposition<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> Disposition<'static> {
        Disposition {
            kind: self.kind.into_static_in(frame),
            params: self.params.into_static_in(frame),
        }
    }
}

/// `body-fld-lang`: `nstring / "(" string *(SP string) ")"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BodyLanguage<'a> {
    /// One language tag, or `NIL`.
    Single(NString<'a>),
    /// A parenthesised list of language tags.
    List(Vec1<IString<'a>>),
}

impl Default for BodyLanguage<'_> {
    fn default() -> Self {
        BodyLanguage::Single(NString::NIL)
    }
}

impl IntoStatic for BodyLanguage<'_> {
    type Static = BodyLanguage<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> BodyLanguage<'static> {
        match self {
            BodyLanguage::Single(s) => BodyLanguage::Single(s.into_static_in(frame)),
            BodyLanguage::List(l) => BodyLanguage::List(l.into_static_in(frame)),
        }
    }
}

/// `body-extension`: `nstring / number / number64 / "(" body-extension *(SP body-extension) ")"`.
///
/// The decoder accepts `()` (an empty list) as well. (An unknown FETCH
/// item's value is an [`ItemValue`](crate::ItemValue), which also admits atoms.)
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BodyExtension<'a> {
    /// A string or `NIL`.
    NString(NString<'a>),
    /// A number.
    Number(u64),
    /// A parenthesised list.
    List(Vec<Self>),
}

impl IntoStatic for BodyExtension<'_> {
    type Static = BodyExtension<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> BodyExtension<'static> {
        match self {
            BodyExtension::NString(s) => BodyExtension::NString(s.into_static_in(frame)),
            BodyExtension::Number(n) => BodyExtension::Number(n),
            BodyExtension::List(l) => BodyExtension::List(l.into_static_in(frame)),
        }
    }
}
