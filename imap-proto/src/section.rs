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
    part: PartPath,
    text: Option<SectionText<'a>>,
}

/// A part path (`1.2.3`): up to [`PartPath::SHORT`] numbers held in
/// place, a longer one on the heap. Most paths have one or two numbers
/// (`BODY[1]`, `BODY.PEEK[2.1]`), and a `Vec` of them cost each FETCH
/// that names one an allocation. Compared, hashed, ordered and shown as
/// the slice of numbers.
#[derive(Clone)]
enum PartPath {
    /// `len` numbers, the rest of `nums` filled with 1.
    Short {
        len: u8,
        nums: [NonZeroU32; Self::SHORT],
    },
    /// More than [`PartPath::SHORT`] numbers.
    Long(Box<[NonZeroU32]>),
}

impl PartPath {
    /// How many numbers are held in place.
    const SHORT: usize = 4;

    /// The path `part`.
    fn new(part: &[NonZeroU32]) -> Self {
        if part.len() > Self::SHORT {
            return Self::Long(part.into());
        }
        let mut nums = [NonZeroU32::MIN; Self::SHORT];
        nums[..part.len()].copy_from_slice(part);
        Self::Short {
            len: part.len() as u8,
            nums,
        }
    }

    /// The path `part`, reusing its allocation if it is long.
    fn from_vec(part: Vec<NonZeroU32>) -> Self {
        if part.len() > Self::SHORT {
            Self::Long(part.into_boxed_slice())
        } else {
            Self::new(&part)
        }
    }

    /// The numbers.
    fn as_slice(&self) -> &[NonZeroU32] {
        match self {
            Self::Short { len, nums } => &nums[..usize::from(*len)],
            Self::Long(nums) => nums,
        }
    }
}

impl Default for PartPath {
    fn default() -> Self {
        Self::new(&[])
    }
}

impl PartialEq for PartPath {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for PartPath {}

impl std::hash::Hash for PartPath {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl PartialOrd for PartPath {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PartPath {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_slice().cmp(other.as_slice())
    }
}

impl std::fmt::Debug for PartPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_slice().fmt(f)
    }
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
        Self::checked(PartPath::from_vec(part), text)
    }

    /// [`Section::new`] with the part path as a slice: a path of up to
    /// four numbers is held without an allocation (a decoder reads them
    /// onto the stack).
    ///
    /// ```
    /// use std::num::NonZeroU32;
    ///
    /// use imapkit_proto::Section;
    /// let (one, two) = (NonZeroU32::MIN, NonZeroU32::MIN.saturating_add(1));
    /// let s = Section::with_part(&[one, two], None).unwrap();
    /// assert_eq!(s, Section::new(vec![one, two], None).unwrap());
    /// assert_eq!(s.part(), [one, two]);
    /// ```
    pub fn with_part(
        part: &[NonZeroU32],
        text: Option<SectionText<'a>>,
    ) -> Result<Self, ValidationError> {
        Self::checked(PartPath::new(part), text)
    }

    /// The section, if `MIME` has a part path.
    fn checked(part: PartPath, text: Option<SectionText<'a>>) -> Result<Self, ValidationError> {
        if part.as_slice().is_empty() && matches!(text, Some(SectionText::Mime)) {
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
        self.part.as_slice()
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

#[cfg(test)]
mod tests {
    use std::collections::hash_map::DefaultHasher;
    use std::hash::{Hash, Hasher};

    use super::*;

    fn path(n: &[u32]) -> Vec<NonZeroU32> {
        n.iter().map(|&k| NonZeroU32::new(k).unwrap()).collect()
    }

    fn hash(s: &Section<'_>) -> u64 {
        let mut h = DefaultHasher::new();
        s.hash(&mut h);
        h.finish()
    }

    /// Part paths held in place (up to four numbers) and on the heap
    /// (more) compare, order, hash and show as their numbers do, however
    /// they were made (`new` from a `Vec`, `with_part` from a slice).
    #[test]
    fn part_paths_behave_as_their_numbers() {
        let paths: Vec<Vec<NonZeroU32>> = [
            &[][..],
            &[1],
            &[1, 2],
            &[1, 2, 3, 4],
            &[1, 2, 3, 4, 5],
            &[1, 2, 3, 5],
            &[2],
            &[1, 2, 3, 4, 5, 6, 7],
        ]
        .iter()
        .map(|p| path(p))
        .collect();
        for a in &paths {
            let from_vec = Section::new(a.clone(), None).unwrap();
            let from_slice = Section::with_part(a, None).unwrap();
            assert_eq!(from_vec.part(), &a[..]);
            assert_eq!(from_slice, from_vec);
            assert_eq!(hash(&from_slice), hash(&from_vec));
            assert_eq!(
                format!("{from_slice:?}"),
                format!("Section {{ part: {a:?}, text: None }}")
            );
            for b in &paths {
                let other = Section::with_part(b, None).unwrap();
                assert_eq!(from_slice.cmp(&other), a.cmp(b), "{a:?} {b:?}");
                assert_eq!(from_slice == other, a == b);
            }
        }
        assert!(Section::with_part(&[], Some(SectionText::Mime)).is_err());
        assert!(Section::with_part(&path(&[1, 2, 3, 4, 5]), Some(SectionText::Mime)).is_ok());
    }
}
