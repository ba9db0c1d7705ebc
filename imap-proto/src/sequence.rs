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
///
/// ```
/// use std::num::NonZeroU32;
///
/// use imapkit_proto::SequenceSet;
///
/// let one = SequenceSet::single(4).unwrap();
/// assert_eq!(one.to_string(), "4");
/// assert!(SequenceSet::single(0).is_err());
/// assert_eq!(one.as_single(), NonZeroU32::new(4));
///
/// let set = SequenceSet::try_from("1,3:5,7:*").unwrap();
/// assert_eq!(set.to_string(), "1,3:5,7:*");
/// // `*` is the largest number in use, which the caller knows: here 8.
/// let numbers: Vec<u32> = set.iter(8).map(NonZeroU32::get).collect();
/// assert_eq!(numbers, [1, 3, 4, 5, 7, 8]);
///
/// // Runs of numbers become ranges.
/// let uids = SequenceSet::from_numbers([9, 2, 3, 4, 7]).unwrap();
/// assert_eq!(uids.to_string(), "2:4,7,9");
/// assert_eq!(SequenceSet::try_from(5..).unwrap().to_string(), "5:*");
/// assert_eq!(SequenceSet::try_from(1..=10).unwrap().to_string(), "1:10");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SequenceSet {
    /// `1,3:5,7:*`
    Set(Vec1<Sequence>),
    /// `$`: the result of the last `SEARCH ... RETURN (SAVE)` (RFC 5182, RFC 9051 §6.4.4.1).
    LastResult,
}

impl SequenceSet {
    /// A set of one number; fails for 0 (message numbers and UIDs start
    /// at 1). `SequenceSet::from(n)` takes a `NonZeroU32` without failing.
    pub fn single(n: u32) -> Result<Self, ValidationError> {
        nonzero(n).map(Self::from)
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

    /// The set of the given numbers, sorted, without duplicates, with runs
    /// of consecutive numbers written as ranges (`2:4,7,9`). Fails if there
    /// is no number or a number is 0.
    pub fn from_numbers(numbers: impl IntoIterator<Item = u32>) -> Result<Self, ValidationError> {
        let mut n: Vec<u32> = numbers.into_iter().collect();
        if n.contains(&0) {
            return Err(zero());
        }
        n.sort_unstable();
        n.dedup();
        let mut out: Vec<Sequence> = Vec::new();
        let mut k = 0;
        while k < n.len() {
            let start = n[k];
            let mut end = start;
            while k + 1 < n.len() && n[k + 1] == end + 1 {
                k += 1;
                end += 1;
            }
            k += 1;
            // Both are non-zero: 0 was refused above.
            let (a, b) = (SeqOrUid::new(start), SeqOrUid::new(end));
            if let (Some(a), Some(b)) = (a, b) {
                out.push(if start == end {
                    Sequence::Single(a)
                } else {
                    Sequence::Range(a, b)
                });
            }
        }
        Vec1::try_from(out).map(Self::Set)
    }

    /// Whether `n` is in the set (`*` being `largest`); `$` contains nothing known here.
    pub fn contains(&self, n: u32, largest: u32) -> bool {
        match self {
            Self::Set(s) => s.iter().any(|x| x.contains(n, largest)),
            Self::LastResult => false,
        }
    }

    /// The number, if the set is one number (`4`, or `4:4`), not `*` or `$`:
    /// e.g. the UID of an `APPENDUID` response code.
    pub fn as_single(&self) -> Option<NonZeroU32> {
        match self {
            Self::Set(s) if s.len() == 1 => match *s.first() {
                Sequence::Single(SeqOrUid::Value(n)) => Some(n),
                Sequence::Range(SeqOrUid::Value(a), SeqOrUid::Value(b)) if a == b => Some(a),
                _ => None,
            },
            _ => None,
        }
    }

    /// The numbers of the set in its order, each range ascending, with `*`
    /// standing for `largest` (the number of messages, or the highest UID in
    /// use, which the caller knows); at most `largest` numbers per `*`
    /// range, so `1:*` ends. Duplicates are yielded again (`1:3,2` gives
    /// 1, 2, 3, 2); `$` and `0` yield nothing.
    pub fn iter(&self, largest: u32) -> SequenceIter<'_> {
        SequenceIter {
            items: match self {
                Self::Set(s) => s.iter(),
                Self::LastResult => [].iter(),
            },
            largest,
            current: None,
        }
    }
}

impl SequenceSet {
    /// The messages a message-number set names in a mailbox of `count`
    /// messages, as 0-based positions (message number minus one),
    /// ascending and each once (`3,1:2,2` gives 0, 1, 2); `*` is the last
    /// message, numbers beyond `count` name nothing. What a server reads a
    /// FETCH, STORE or COPY with (RFC 9051 §9 `sequence-set`).
    ///
    /// ```
    /// use imapkit_proto::SequenceSet;
    ///
    /// let set = SequenceSet::try_from("4:*,2,9").unwrap();
    /// let positions: Vec<usize> = set.positions(5).collect();
    /// assert_eq!(positions, [1, 3, 4]);
    /// ```
    pub fn positions(&self, count: u32) -> Positions {
        self.merged(|lo, hi| (lo as usize - 1)..(hi.min(count) as usize), count)
    }

    /// The messages a UID set names in a mailbox whose UIDs are `uids`
    /// (ascending, as the client sees the mailbox), as positions in
    /// `uids` (message number minus one), ascending and each once. `*` is
    /// the last UID, and a range `n:*` names the last message even when
    /// `n` is above every UID (RFC 9051 §6.4.9); UIDs not in use name
    /// nothing. (`uids` out of order give no particular positions.)
    ///
    /// ```
    /// use imapkit_proto::SequenceSet;
    ///
    /// let uids = [3, 7, 8, 20];
    /// let set = SequenceSet::try_from("5:8,100:*").unwrap();
    /// let positions: Vec<usize> = set.positions_of_uids(&uids).collect();
    /// assert_eq!(positions, [1, 2, 3]);
    /// ```
    pub fn positions_of_uids(&self, uids: &[u32]) -> Positions {
        let largest = uids.last().copied().unwrap_or(0);
        self.merged(
            |lo, hi| uids.partition_point(|&u| u < lo)..uids.partition_point(|&u| u <= hi),
            largest,
        )
    }

    /// The position ranges `range` gives for each item (its bounds, `*`
    /// read as `largest`), sorted and merged.
    fn merged(
        &self,
        range: impl Fn(u32, u32) -> std::ops::Range<usize>,
        largest: u32,
    ) -> Positions {
        let Self::Set(items) = self else {
            return Positions::default();
        };
        let v = |s: SeqOrUid| match s {
            SeqOrUid::Value(v) => v.get(),
            SeqOrUid::Asterisk => largest,
        };
        let mut ranges: Vec<std::ops::Range<usize>> = items
            .iter()
            .filter_map(|item| {
                let (a, b) = match *item {
                    Sequence::Single(s) => (v(s), v(s)),
                    Sequence::Range(a, b) => (v(a), v(b)),
                };
                // `*` with nothing in the mailbox names nothing.
                let (lo, hi) = (a.min(b), a.max(b));
                (lo > 0).then(|| range(lo, hi)).filter(|r| !r.is_empty())
            })
            .collect();
        ranges.sort_unstable_by_key(|r| r.start);
        let mut merged: Vec<std::ops::Range<usize>> = Vec::with_capacity(ranges.len());
        for r in ranges {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        Positions {
            ranges: merged.into_iter(),
            current: 0..0,
        }
    }
}

/// Positions of messages in a mailbox, ascending, each once: from
/// [`SequenceSet::positions`] and [`SequenceSet::positions_of_uids`].
#[derive(Debug, Clone, Default)]
pub struct Positions {
    ranges: std::vec::IntoIter<std::ops::Range<usize>>,
    current: std::ops::Range<usize>,
}

impl Iterator for Positions {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        loop {
            if let Some(p) = self.current.next() {
                return Some(p);
            }
            self.current = self.ranges.next()?;
        }
    }
}

impl std::iter::FusedIterator for Positions {}

/// The numbers of a [`SequenceSet`], from [`SequenceSet::iter`].
#[derive(Debug, Clone)]
pub struct SequenceIter<'s> {
    items: std::slice::Iter<'s, Sequence>,
    largest: u32,
    /// The rest of the current range: next and last (inclusive).
    current: Option<(u32, u32)>,
}

impl Iterator for SequenceIter<'_> {
    type Item = NonZeroU32;

    fn next(&mut self) -> Option<NonZeroU32> {
        loop {
            if let Some((next, last)) = self.current {
                if next <= last {
                    self.current = next.checked_add(1).map(|n| (n, last));
                    if let Some(n) = NonZeroU32::new(next) {
                        return Some(n);
                    }
                    continue;
                }
                self.current = None;
            }
            let v = |s: SeqOrUid| match s {
                SeqOrUid::Value(v) => v.get(),
                SeqOrUid::Asterisk => self.largest,
            };
            self.current = Some(match *self.items.next()? {
                Sequence::Single(s) => (v(s), v(s)),
                Sequence::Range(a, b) => (v(a).min(v(b)), v(a).max(v(b))),
            });
        }
    }
}

impl std::iter::FusedIterator for SequenceIter<'_> {}

fn nonzero(n: u32) -> Result<NonZeroU32, ValidationError> {
    NonZeroU32::new(n).ok_or_else(zero)
}

fn zero() -> ValidationError {
    ValidationError::OutOfRange {
        what: "message number or UID (starts at 1)",
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

impl TryFrom<String> for SequenceSet {
    type Error = ValidationError;

    /// Parses `1,3:5,7:*` or `$`.
    fn try_from(s: String) -> Result<Self, ValidationError> {
        Self::try_from(s.as_str())
    }
}

impl TryFrom<u32> for SequenceSet {
    type Error = ValidationError;

    /// One number; fails for 0.
    fn try_from(n: u32) -> Result<Self, ValidationError> {
        Self::single(n)
    }
}

impl TryFrom<std::ops::RangeInclusive<u32>> for SequenceSet {
    type Error = ValidationError;

    /// `a:b`; fails if `a` is 0 or the range is empty (`a > b`).
    fn try_from(r: std::ops::RangeInclusive<u32>) -> Result<Self, ValidationError> {
        let (a, b) = r.into_inner();
        if a > b {
            return Err(ValidationError::Invalid {
                what: "sequence set",
                reason: "empty range",
            });
        }
        Ok(Self::range(
            SeqOrUid::Value(nonzero(a)?),
            SeqOrUid::Value(nonzero(b)?),
        ))
    }
}

impl TryFrom<std::ops::RangeFrom<u32>> for SequenceSet {
    type Error = ValidationError;

    /// `a:*`; fails if `a` is 0.
    fn try_from(r: std::ops::RangeFrom<u32>) -> Result<Self, ValidationError> {
        Ok(Self::range(
            SeqOrUid::Value(nonzero(r.start)?),
            SeqOrUid::Asterisk,
        ))
    }
}

impl From<NonZeroU32> for SequenceSet {
    /// One number.
    fn from(n: NonZeroU32) -> Self {
        Self::Set(Vec1::new(Sequence::Single(SeqOrUid::Value(n))))
    }
}

impl From<&Self> for SequenceSet {
    fn from(s: &Self) -> Self {
        s.clone()
    }
}

impl From<Sequence> for SequenceSet {
    fn from(s: Sequence) -> Self {
        Self::Set(Vec1::new(s))
    }
}

impl From<NonZeroU32> for SeqOrUid {
    fn from(n: NonZeroU32) -> Self {
        Self::Value(n)
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
    fn single_numbers() {
        assert_eq!(
            SequenceSet::single(4).unwrap().as_single(),
            NonZeroU32::new(4)
        );
        assert!(SequenceSet::single(0).is_err());
        assert_eq!(
            SequenceSet::try_from("4:4").unwrap().as_single(),
            NonZeroU32::new(4)
        );
        for not_one in ["4,5", "*", "4:*", "$", "4:5"] {
            assert_eq!(
                SequenceSet::try_from(not_one).unwrap().as_single(),
                None,
                "{not_one}"
            );
        }
    }

    #[test]
    fn iteration_is_bounded_by_largest() {
        let nums = |s: &str, largest| -> Vec<u32> {
            SequenceSet::try_from(s)
                .unwrap()
                .iter(largest)
                .map(NonZeroU32::get)
                .collect()
        };
        assert_eq!(nums("1:*", 3), [1, 2, 3]);
        assert_eq!(nums("5:3,1", 9), [3, 4, 5, 1]);
        assert_eq!(nums("*", 7), [7]);
        assert_eq!(nums("1:*", 0), [1]);
        assert_eq!(nums("*", 0), Vec::<u32>::new());
        assert_eq!(nums("1:3,2", 9), [1, 2, 3, 2]);
        assert_eq!(nums("$", 9), Vec::<u32>::new());
        let top = format!("{}:*", u32::MAX - 1);
        assert_eq!(nums(&top, u32::MAX), [u32::MAX - 1, u32::MAX]);
        assert_eq!(SequenceSet::all().iter(100_000).count(), 100_000);
    }

    #[test]
    fn sets_from_numbers() {
        let s = SequenceSet::from_numbers([5, 1, 2, 3, 3, 9, 10]).unwrap();
        assert_eq!(s, SequenceSet::try_from("1:3,5,9:10").unwrap());
        assert!(SequenceSet::from_numbers([]).is_err());
        assert!(SequenceSet::from_numbers([1, 0]).is_err());
        assert_eq!(
            SequenceSet::from_numbers([u32::MAX, u32::MAX - 1]).unwrap(),
            SequenceSet::try_from(format!("{}:{}", u32::MAX - 1, u32::MAX)).unwrap()
        );
        #[allow(clippy::reversed_empty_ranges)] // Checked: it is refused.
        let empty = 3..=1;
        assert!(SequenceSet::try_from(empty).is_err());
        assert!(SequenceSet::try_from(0..).is_err());
    }

    fn arb_set() -> impl proptest::strategy::Strategy<Value = SequenceSet> {
        use proptest::prelude::*;
        let n = prop_oneof![
            Just(SeqOrUid::Asterisk),
            (1u32..40).prop_map(|n| SeqOrUid::new(n).unwrap())
        ];
        let item = prop_oneof![
            n.clone().prop_map(Sequence::Single),
            (n.clone(), n).prop_map(|(a, b)| Sequence::Range(a, b)),
        ];
        proptest::collection::vec(item, 1..5)
            .prop_map(|v| SequenceSet::Set(Vec1::try_from(v).unwrap()))
    }

    proptest::proptest! {
        /// `iter(largest)` yields exactly the numbers `contains` accepts.
        #[test]
        fn iter_agrees_with_contains(set in arb_set(), largest in 0u32..40) {
            let mut seen: Vec<u32> = set.iter(largest).map(NonZeroU32::get).collect();
            seen.sort_unstable();
            seen.dedup();
            let expected: Vec<u32> = (1..=45).filter(|&n| set.contains(n, largest)).collect();
            proptest::prop_assert_eq!(seen, expected);
        }

        /// `from_numbers` holds the numbers given, and writes each run once.
        #[test]
        fn from_numbers_holds_the_numbers(mut numbers in proptest::collection::vec(1u32..60, 1..30)) {
            let set = SequenceSet::from_numbers(numbers.iter().copied()).unwrap();
            numbers.sort_unstable();
            numbers.dedup();
            let back: Vec<u32> = set.iter(0).map(NonZeroU32::get).collect();
            proptest::prop_assert_eq!(&back, &numbers);
            let SequenceSet::Set(items) = &set else { unreachable!("a set of numbers") };
            let runs = 1 + numbers.windows(2).filter(|w| w[1] != w[0] + 1).count();
            proptest::prop_assert_eq!(items.len(), runs);
            proptest::prop_assert_eq!(SequenceSet::try_from(set.to_string().as_str()).unwrap(), set);
        }
    }

    #[test]
    fn reversed_range_contains() {
        let s = SequenceSet::try_from("5:3").unwrap();
        assert!(s.contains(4, 10));
    }
}

#[cfg(test)]
mod positions_tests {
    use proptest::prelude::*;

    use super::*;

    /// `positions` and `positions_of_uids` agree with `contains`, the
    /// definition: every message the set contains, ascending, once.
    fn expected(set: &SequenceSet, keys: &[u32], largest: u32) -> Vec<usize> {
        (keys.iter().enumerate())
            .filter(|(_, &k)| set.contains(k, largest))
            .map(|(i, _)| i)
            .collect()
    }

    fn set_from(items: &[(u32, u32, bool)]) -> Option<SequenceSet> {
        let seqs: Vec<Sequence> = items
            .iter()
            .filter_map(|&(a, b, star)| {
                let a = SeqOrUid::new(a)?;
                let b = if star {
                    SeqOrUid::Asterisk
                } else {
                    SeqOrUid::new(b)?
                };
                Some(if a == b {
                    Sequence::Single(a)
                } else {
                    Sequence::Range(a, b)
                })
            })
            .collect();
        Vec1::try_from(seqs).ok().map(SequenceSet::Set)
    }

    proptest! {
        #[test]
        fn positions_agree_with_contains(
            items in prop::collection::vec((1u32..40, 1u32..40, any::<bool>()), 1..6),
            count in 0u32..30,
            mut uids in prop::collection::btree_set(1u32..60, 0..20),
        ) {
            let Some(set) = set_from(&items) else { return Ok(()) };
            let seqs: Vec<u32> = (1..=count).collect();
            let got: Vec<usize> = set.positions(count).collect();
            prop_assert_eq!(got, expected(&set, &seqs, count));
            let uids: Vec<u32> = std::mem::take(&mut uids).into_iter().collect();
            let largest = uids.last().copied().unwrap_or(0);
            let got: Vec<usize> = set.positions_of_uids(&uids).collect();
            prop_assert_eq!(got, expected(&set, &uids, largest));
        }
    }

    #[test]
    fn last_result_and_empty_mailboxes_name_nothing() {
        assert_eq!(SequenceSet::LastResult.positions(5).count(), 0);
        let all = SequenceSet::all();
        assert_eq!(all.positions(0).count(), 0);
        assert_eq!(all.positions_of_uids(&[]).count(), 0);
        assert_eq!(all.positions(3).collect::<Vec<_>>(), [0, 1, 2]);
    }
}
