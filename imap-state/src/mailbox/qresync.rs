//! Quick resynchronization (RFC 7162 §3.2.5): a cached snapshot of a
//! mailbox, the `QRESYNC` SELECT parameter built from it, and the
//! reconciliation of the snapshot with the server's answer.
//!
//! While the SELECT runs, the server reports the messages that are gone
//! since the snapshot (`VANISHED (EARLIER)`) and the messages that changed
//! (`FETCH (UID FLAGS MODSEQ)`). At the tagged OK the model's UIDs are the
//! snapshot's minus the vanished ones, followed by the messages that are
//! new since the snapshot; the fetched sequence number and UID pairs must
//! agree with that, or the snapshot is not applied.

use std::num::{NonZeroU32, NonZeroU64};
use std::ops::RangeInclusive;

use imapkit_proto::{SelectParameter, SeqOrUid, Sequence, SequenceSet, Vec1};

use super::change::MailboxChange;
use super::uid_map::{normalize, UidMap};
use super::ModSeq;

/// What a client keeps of a mailbox to resynchronize it quickly later
/// (RFC 7162 §3.2.5): UIDVALIDITY, the highest mod-sequence, and the UIDs.
///
/// The UIDs are a prefix of the mailbox in UID order: every message the
/// snapshot does not list has a larger UID than every message it lists
/// ([`SelectedMailbox::snapshot`](super::SelectedMailbox::snapshot) keeps
/// only the UIDs before the first unknown one). Reconciliation relies on it
/// to tell cached messages from new ones. A snapshot restored from storage
/// must keep that property.
///
/// An application cache keyed by UID should keep only what the snapshot
/// lists: a UID learned beyond the first unknown one (e.g. from the FETCH
/// of a STORE on a new message never fetched) is not in the snapshot, so
/// the server will not report its expunge during the resync.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MailboxSnapshot {
    uid_validity: NonZeroU32,
    highest_modseq: NonZeroU64,
    uids: Vec<RangeInclusive<u32>>,
}

/// How [`MailboxSnapshot::select_parameter_with`] builds the QRESYNC
/// parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct QresyncOptions {
    /// Send the known UIDs when they form at most this many ranges;
    /// otherwise leave them out and the server assumes `1:<UIDNEXT-1>`,
    /// which costs FETCH responses for new messages but keeps the command
    /// line short (RFC 7162 §4 asks servers for at least 8192 octets).
    pub max_known_uid_ranges: usize,
    /// At most this many sequence number and UID pairs as
    /// `seq-match-data` (RFC 7162 §3.2.5.2), spaced exponentially back from
    /// the last message; 0 for none.
    pub seq_match_pairs: usize,
}

/// A QRESYNC SELECT in progress: the snapshot's UIDs as the server's
/// VANISHED (EARLIER) responses leave them.
#[derive(Debug, Clone)]
pub(super) struct Resync {
    uid_validity: u32,
    /// The snapshot's highest mod-sequence: a server that reports a lower
    /// one at the same UIDVALIDITY lost changes the cache holds.
    highest_modseq: u64,
    /// The snapshot's UIDs still in the mailbox.
    cached: UidMap,
    /// The snapshot's largest UID: messages above it are new.
    threshold: u32,
    /// Something happened that the snapshot cannot account for.
    broken: bool,
}

impl MailboxSnapshot {
    /// A snapshot from stored values; the UID ranges may come in any order
    /// and overlap (UID 0 is left out). See the type's docs for what the
    /// UIDs must be.
    pub fn new(
        uid_validity: NonZeroU32,
        highest_modseq: NonZeroU64,
        uids: impl IntoIterator<Item = RangeInclusive<u32>>,
    ) -> Self {
        let uids = normalize(uids.into_iter().map(|r| (*r.start(), *r.end())))
            .into_iter()
            .map(|(a, b)| a..=b)
            .collect();
        Self {
            uid_validity,
            highest_modseq,
            uids,
        }
    }

    /// The QRESYNC parameter for `SELECT`/`EXAMINE` with the default
    /// [`QresyncOptions`].
    pub fn select_parameter(&self) -> SelectParameter<'static> {
        self.select_parameter_with(QresyncOptions::default())
    }

    /// The QRESYNC parameter for `SELECT`/`EXAMINE` (RFC 7162 §3.2.5):
    /// `QRESYNC (uidvalidity modseq [known-uids] [seq-match-data])`.
    pub fn select_parameter_with(&self, options: QresyncOptions) -> SelectParameter<'static> {
        let known_uids = if self.uids.len() <= options.max_known_uid_ranges {
            ranges_set(self.uids.iter().cloned())
        } else {
            None
        };
        SelectParameter::QResync {
            uid_validity: self.uid_validity,
            mod_seq: self.highest_modseq,
            known_uids,
            seq_match_data: self.seq_match(options.seq_match_pairs),
        }
    }

    /// The snapshot's UIDVALIDITY.
    pub fn uid_validity(&self) -> NonZeroU32 {
        self.uid_validity
    }

    /// The snapshot's highest mod-sequence.
    pub fn highest_modseq(&self) -> NonZeroU64 {
        self.highest_modseq
    }

    /// The snapshot's UIDs, sorted and merged.
    pub fn uids(&self) -> &[RangeInclusive<u32>] {
        &self.uids
    }

    /// `(known-sequence-set known-uid-set)`: the messages numbered `n`,
    /// `n - 1`, `n - 3`, `n - 7`, ... with their UIDs, in ascending order.
    fn seq_match(&self, pairs: usize) -> Option<(SequenceSet, SequenceSet)> {
        let total: u64 = self
            .uids
            .iter()
            .map(|r| u64::from(r.end() - r.start()) + 1)
            .sum();
        let total = u32::try_from(total).ok()?;
        if pairs == 0 || total == 0 {
            return None;
        }
        let mut seqs: Vec<u32> = Vec::new();
        let mut back = 0u32;
        while seqs.len() < pairs && back < total {
            seqs.push(total - back);
            back = back.saturating_mul(2).saturating_add(1);
        }
        seqs.reverse();
        // Walk the ranges once to find the UID at each sequence number.
        let mut uids = Vec::with_capacity(seqs.len());
        let mut ranges = self.uids.iter();
        let mut before = 0u32; // messages in the ranges already passed
        let mut current = ranges.next();
        for &s in &seqs {
            while let Some(r) = current {
                let len = r.end() - r.start() + 1;
                if s <= before + len {
                    uids.push(r.start() + (s - before - 1));
                    break;
                }
                before += len;
                current = ranges.next();
            }
        }
        let singles = |v: &[u32]| ranges_set(v.iter().map(|&n| n..=n));
        Some((singles(&seqs)?, singles(&uids)?))
    }
}

impl Default for QresyncOptions {
    /// Known UIDs up to 256 ranges, 16 sequence match pairs.
    fn default() -> Self {
        Self {
            max_known_uid_ranges: 256,
            seq_match_pairs: 16,
        }
    }
}

impl Resync {
    /// Starts from `snapshot`.
    pub(super) fn new(snapshot: &MailboxSnapshot) -> Self {
        Self {
            uid_validity: snapshot.uid_validity.get(),
            highest_modseq: snapshot.highest_modseq.get(),
            cached: UidMap::from_uids(snapshot.uids.iter().cloned()),
            threshold: snapshot.uids.last().map_or(0, |r| *r.end()),
            broken: false,
        }
    }

    /// The snapshot's UIDVALIDITY.
    pub(super) fn uid_validity(&self) -> u32 {
        self.uid_validity
    }

    /// Messages with these UIDs are gone (VANISHED, with or without
    /// EARLIER, during the SELECT).
    pub(super) fn vanished(&mut self, uids: &[RangeInclusive<u32>]) {
        self.cached.remove_known_uids(uids);
    }

    /// A message left whose UID is not known (`* n EXPUNGE` during the
    /// SELECT): the snapshot can no longer be matched.
    pub(super) fn lost_track(&mut self) {
        self.broken = true;
    }

    /// Applies the snapshot to `uids` at the tagged OK of the SELECT.
    pub(super) fn finish(
        self,
        uids: &mut UidMap,
        mod_seq: ModSeq,
        uid_validity: Option<u32>,
    ) -> MailboxChange {
        match uid_validity {
            Some(v) if v == self.uid_validity => {}
            // A different value was reported (and the resync dropped) when
            // it arrived; here the server sent none.
            _ => {
                return MailboxChange::UidValidityChanged {
                    old: self.uid_validity,
                    new: uid_validity.unwrap_or(0),
                }
            }
        }
        // Mod-sequences never go down at one UIDVALIDITY (RFC 7162
        // §3.1.2.1): a lower one means the server lost changes.
        let usable =
            matches!(mod_seq, ModSeq::Highest(h) if h >= self.highest_modseq) && !self.broken;
        match uids
            .with_prefix(&self.cached, self.threshold)
            .filter(|_| usable)
        {
            Some(applied) => {
                *uids = applied;
                MailboxChange::Resynced {
                    unknown: uids.unknown(),
                }
            }
            None => MailboxChange::ResyncNeeded {
                unknown: uids.unknown(),
            },
        }
    }
}

/// A sequence set of sorted, disjoint ranges; `None` when there are none.
fn ranges_set(ranges: impl Iterator<Item = RangeInclusive<u32>>) -> Option<SequenceSet> {
    let items: Vec<Sequence> = ranges
        .filter_map(|r| {
            let a = SeqOrUid::new(*r.start())?;
            let b = SeqOrUid::new(*r.end())?;
            Some(if a == b {
                Sequence::Single(a)
            } else {
                Sequence::Range(a, b)
            })
        })
        .collect();
    Vec1::try_from(items).ok().map(SequenceSet::Set)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(uids: &[RangeInclusive<u32>]) -> MailboxSnapshot {
        MailboxSnapshot::new(
            NonZeroU32::new(67890007).unwrap(),          // non-zero literal
            NonZeroU64::new(90060115194045000).unwrap(), // non-zero literal
            uids.iter().cloned(),
        )
    }

    #[test]
    fn parameter_with_known_uids_and_seq_match() {
        let s = snapshot(&[214..=541, 41..=211]);
        assert_eq!(s.uids(), &[41..=211, 214..=541]);
        let SelectParameter::QResync {
            uid_validity,
            mod_seq,
            known_uids,
            seq_match_data,
        } = s.select_parameter_with(QresyncOptions {
            max_known_uid_ranges: 2,
            seq_match_pairs: 4,
        })
        else {
            panic!("not a QRESYNC parameter");
        };
        assert_eq!(uid_validity.get(), 67890007);
        assert_eq!(mod_seq.get(), 90060115194045000);
        assert_eq!(known_uids, SequenceSet::try_from("41:211,214:541").ok());
        // 499 messages: numbers 492, 496, 498, 499 are UIDs 534, 538, 540, 541.
        assert_eq!(
            seq_match_data,
            Some((
                SequenceSet::try_from("492,496,498,499").unwrap(),
                SequenceSet::try_from("534,538,540,541").unwrap()
            ))
        );
        let SelectParameter::QResync {
            known_uids,
            seq_match_data,
            ..
        } = s.select_parameter_with(QresyncOptions {
            max_known_uid_ranges: 1,
            seq_match_pairs: 0,
        })
        else {
            panic!("not a QRESYNC parameter");
        };
        assert_eq!((known_uids, seq_match_data), (None, None));
    }

    #[test]
    fn seq_match_of_small_snapshots() {
        // Back 0, 1, 3, ... from message 3: messages 3 and 2.
        let s = snapshot(&[3..=3, 6..=7]);
        let SelectParameter::QResync { seq_match_data, .. } = s.select_parameter() else {
            panic!("not a QRESYNC parameter");
        };
        assert_eq!(
            seq_match_data,
            Some((
                SequenceSet::try_from("2,3").unwrap(),
                SequenceSet::try_from("6,7").unwrap()
            ))
        );
        let empty = snapshot(&[]);
        let SelectParameter::QResync {
            known_uids,
            seq_match_data,
            ..
        } = empty.select_parameter()
        else {
            panic!("not a QRESYNC parameter");
        };
        assert_eq!((known_uids, seq_match_data), (None, None));
    }
}
