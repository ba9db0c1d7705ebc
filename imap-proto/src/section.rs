//! Message sections for `BODY[section]<partial>` and `BINARY[part]`
//! (RFC 9051 §6.4.5, `section` in §9).

use std::num::{NonZeroU32, NonZeroU64};

use bytes::Bytes;

use crate::buf::IntoStatic;
use crate::core::{AString, Vec1};
use crate::error::ValidationError;

/// A `section`: a MIME part path and what of it, `[]` being the whole message.
///
/// ```
/// use imapkit_proto::{Section, SectionText};
/// let s = Section::new(vec![1.try_into().unwrap(), 2.try_into().unwrap()], Some(SectionText::Mime)).unwrap();
/// assert_eq!(s.part().len(), 2);
/// // MIME needs a part number (RFC 9051 §6.4.5).
/// assert!(Section::new(vec![], Some(SectionText::Mime)).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Section<'a> {
    part: Vec<NonZeroU32>,
    text: Option<SectionText<'a>>,
}

impl<'a> Section<'a> {
    /// `[]`: the whole message.
    pub fn whole() -> Self {
        Section::default()
    }

    /// A section from its part path (may be empty) and text specifier.
    /// `MIME` requires a part path.
    pub fn new(
        part: Vec<NonZeroU32>,
        text: Option<SectionText<'a>>,
    ) -> Result<Self, ValidationError> {
        if part.is_empty() && matches!(text, Some(SectionText::Mime)) {
            return Err(ValidationError::Invalid {
                what: "section",
                reason: "MIME needs a part number",
            });
        }
        Ok(Section { part, text })
    }

    /// `[HEADER]`, `[TEXT]`, ... of the top-level message.
    pub fn text(text: SectionText<'a>) -> Result<Self, ValidationError> {
        Section::new(Vec::new(), Some(text))
    }

    /// The part path (`1.2.3`), empty for the top-level message.
    pub fn part(&self) -> &[NonZeroU32] {
        &self.part
    }

    /// What of the part: header, text, MIME header; `None` for the whole part.
    pub fn text_spec(&self) -> Option<&SectionText<'a>> {
        self.text.as_ref()
    }
}

/// `section-msgtext` and `MIME` (RFC 9051 §9 `section-text`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SectionText<'a> {
    /// `HEADER`
    Header,
    /// `HEADER.FIELDS (a b)`
    HeaderFields(Vec1<AString<'a>>),
    /// `HEADER.FIELDS.NOT (a b)`
    HeaderFieldsNot(Vec1<AString<'a>>),
    /// `TEXT`
    Text,
    /// `MIME` (only with a part number)
    Mime,
}

impl IntoStatic for SectionText<'_> {
    type Static = SectionText<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> SectionText<'static> {
        match self {
            SectionText::Header => SectionText::Header,
            SectionText::HeaderFields(f) => SectionText::HeaderFields(f.into_static_in(frame)),
            SectionText::HeaderFieldsNot(f) => {
                SectionText::HeaderFieldsNot(f.into_static_in(frame))
            }
            SectionText::Text => SectionText::Text,
            SectionText::Mime => SectionText::Mime,
        }
    }
}

impl IntoStatic for Section<'_> {
    type Static = Section<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> Section<'static> {
        Section {
            part: self.part,
            text: self.text.into_static_in(frame),
        }
    }
}

/// `<offset.count>` of a FETCH attribute: `count` bytes from `offset`
/// (RFC 9051 §9 `partial`: 63-bit numbers, `number64` and `nz-number64`;
/// IMAP4rev1's were 32-bit, RFC 3501 §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Partial {
    /// First byte (0-based).
    pub offset: u64,
    /// Number of bytes.
    pub count: NonZeroU64,
}

crate::impl_into_static_copy!(Partial);
