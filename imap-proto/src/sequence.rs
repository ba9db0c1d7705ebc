//! Sequence sets (RFC 9051 §9 `sequence-set`), including `*` and the saved
//! search result `$` (RFC 5182).

use std::num::NonZeroU32;

use bytes::Bytes;

use crate::buf::IntoStatic;
use crate::core::Vec1;
use crate::error::ValidationError;

/// A `seq-number`: a non-zero message number or UID, or `*` (the largest in use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SeqOrUid {
    /// A number.
    Value(NonZeroU32),
    /// `*`
    Asterisk,
}

impl SeqOrUid {
    /// A number; `None` for 0.
    pub fn new(n: u32) -> Option<Self> {
        NonZeroU32::new(n).map(SeqOrUid::Value)
    }
}

/// One element of a sequence set: a number or a range `a:b` (in either order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sequence {
    /// `n` or `*`
    Single(SeqOrUid),
    /// `a:b`
    Range(SeqOrUid, SeqOrUid),
}

impl Sequence {
    /// Whether `n` lies in this element, with `*` standing for `largest`.
    pub fn contains(&self, n: u32, largest: u32) -> bool {
        let v = |s: SeqOrUid| match s {
            SeqOrUid::Value(v) => v.get(),
            SeqOrUid::Asterisk => largest,
        };
        match *self {
            Self::Single(s) => v(s) == n,
            Self::Range(a, b) => {
                let (lo, hi) = if v(a) <= v(b) {
                    (v(a), v(b))
                } else {
                    (v(b), v(a))
                };
                lo <= n && n <= hi
            }
        }
    }
}

/// A `sequence-set`: a non-empty list of numbers and ranges, or `$`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SequenceSet {
    /// `1,3:5,7:*`
    Set(Vec1<Sequence>),
    /// `$`: the result of the last `SEARCH ... RETURN (SAVE)` (RFC 5182, RFC 9051 §6.4.4.1).
    LastResult,
}

impl SequenceSet {
    /// A set of one number.
    pub fn single(n: NonZeroU32) -> Self {
        Self::Set(Vec1::new(Sequence::Single(SeqOrUid::Value(n))))
    }

    /// `1:*`: everything.
    pub fn all() -> Self {
        Self::Set(Vec1::new(Sequence::Range(
            SeqOrUid::Value(NonZeroU32::MIN),
            SeqOrUid::Asterisk,
        )))
    }

    /// A range `a:b`.
    pub fn range(a: SeqOrUid, b: SeqOrUid) -> Self {
        Self::Set(Vec1::new(Sequence::Range(a, b)))
    }

    /// Whether `n` is in the set (`*` being `largest`); `$` contains nothing known here.
    pub fn contains(&self, n: u32, largest: u32) -> bool {
        match self {
            Self::Set(s) => s.iter().any(|x| x.contains(n, largest)),
            Self::LastResult => false,
        }
    }
}

impl TryFrom<&str> for SequenceSet {
    type Error = ValidationError;

    /// Parses `1,3:5,7:*` or `$`.
    fn try_from(s: &str) -> Result<Self, ValidationError> {
        if s == "$" {
            return Ok(Self::LastResult);
        }
        let bad = ValidationError::Invalid {
            what: "sequence set",
            reason: "expected n, *, a:b separated by commas",
        };
        let one = |p: &str| -> Result<SeqOrUid, ValidationError> {
            if p == "*" {
                return Ok(SeqOrUid::Asterisk);
            }
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.starts_with('0') {
                return Err(bad.clone());
            }
            p.parse::<u32>()
                .ok()
                .and_then(SeqOrUid::new)
                .ok_or_else(|| bad.clone())
        };
        let mut items = Vec::new();
        for part in s.split(',') {
            items.push(match part.split_once(':') {
                Some((a, b)) => Sequence::Range(one(a)?, one(b)?),
                None => Sequence::Single(one(part)?),
            });
        }
        Ok(Self::Set(Vec1::try_from(items)?))
    }
}

impl From<NonZeroU32> for SequenceSet {
    fn from(n: NonZeroU32) -> Self {
        Self::single(n)
    }
}

crate::impl_into_static_copy!(SeqOrUid, Sequence, SequenceSet);

impl IntoStatic for &SequenceSet {
    type Static = SequenceSet;
    fn into_static_in(self, _: Option<&Bytes>) -> SequenceSet {
        self.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sets() {
        let s = SequenceSet::try_from("1,3:5,7:*").unwrap();
        assert!(s.contains(1, 10));
        assert!(!s.contains(2, 10));
        assert!(s.contains(4, 10));
        assert!(s.contains(9, 10));
        assert_eq!(SequenceSet::try_from("$"), Ok(SequenceSet::LastResult));
        assert!(SequenceSet::try_from("0").is_err());
        assert!(SequenceSet::try_from("1,").is_err());
        assert!(SequenceSet::try_from("").is_err());
    }

    #[test]
    fn reversed_range_contains() {
        let s = SequenceSet::try_from("5:3").unwrap();
        assert!(s.contains(4, 10));
    }
}
