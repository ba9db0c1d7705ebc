//! The sequence-number <-> UID map of a selected mailbox, stored as runs of
//! consecutive UIDs.
//!
//! A mailbox of 100,000 messages whose UIDs are `1:100000` is one run of
//! eight bytes. Messages whose UIDs are not known yet (after `* n EXISTS`
//! grew the mailbox, or after a SELECT before any `FETCH (UID)`) are held as
//! runs of unknown UIDs, so that sequence numbers stay right while UIDs are
//! learned. UIDs strictly increase with sequence numbers (RFC 9051
//! §2.3.1.1): a learned UID must leave room for the unknown UIDs between its
//! known neighbours, and a response that contradicts the order is refused
//! with the map unchanged.
//!
//! The runs sit in chunks of at most [`MAX_RUNS`] runs that know how many
//! messages they hold, so that an EXPUNGE in the middle of a large mailbox
//! moves at most one chunk's runs and updates one counter per chunk, instead
//! of moving every run after it.

use std::fmt;
use std::num::NonZeroU32;
use std::ops::RangeInclusive;

use crate::error::ViolationKind;

/// The sequence-number <-> UID map of a mailbox (RFC 9051 §2.3.1).
///
/// Sequence numbers are 1-based, as on the wire. Every message has a
/// sequence number; its UID is known or not. Memory grows with the number
/// of runs of consecutive UIDs, not with the number of messages (see
/// [`heap_bytes`](Self::heap_bytes)).
///
/// Lookups ([`uid`](Self::uid), [`seq`](Self::seq)) cost a binary search
/// over the chunks plus a scan of one chunk; changes
/// ([`expunge`](Self::expunge), [`set_uid`](Self::set_uid)) add an update
/// of one counter per chunk. [`remove_uids`](Self::remove_uids) handles a
/// whole VANISHED set in one pass over the chunks it touches.
///
/// Two maps are equal when they hold the same messages with the same known
/// UIDs, however their runs are chunked.
#[derive(Clone, Default)]
pub struct UidMap {
    chunks: Vec<Chunk>,
    /// Messages in the map (EXISTS).
    len: u32,
    /// Runs in all chunks.
    runs: usize,
    /// Messages whose UID is unknown.
    unknown: u32,
}

/// A run of messages in a [`UidMap`], as [`UidMap::segments`] yields them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Segment {
    /// Sequence number of the run's first message.
    pub seq: u32,
    /// Number of messages in the run (at least 1).
    pub len: u32,
    /// UID of the run's first message; the others follow one by one. `None`
    /// for messages whose UIDs are unknown.
    pub uid: Option<NonZeroU32>,
}

/// A chunk of consecutive runs and the number of messages before it.
#[derive(Debug, Clone)]
struct Chunk {
    /// Messages in the chunks before this one (0-based position of its first).
    start: u32,
    /// Messages in this chunk.
    len: u32,
    /// Never empty; no two neighbours (here or across chunks) can merge.
    runs: Vec<Run>,
}

/// `len` messages whose UIDs are `uid`, `uid + 1`, ... or, when `uid` is
/// zero (never a UID), unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    uid: u32,
    len: u32,
}

impl UidMap {
    /// An empty map (an empty mailbox, or before the first EXISTS).
    pub fn new() -> Self {
        Self::default()
    }

    /// A map of the messages whose UIDs are `uids`, in UID order, all known.
    ///
    /// The ranges may come in any order and may overlap (the result is
    /// their union); UID 0, which is never a UID, is left out. This is the
    /// way to seed a map from a cache (see [`uid_ranges`](Self::uid_ranges)).
    pub fn from_uids(uids: impl IntoIterator<Item = RangeInclusive<u32>>) -> Self {
        let ranges = normalize(uids.into_iter().map(|r| (*r.start(), *r.end())));
        let mut map = Self::new();
        let mut runs = Vec::with_capacity(ranges.len());
        for (a, b) in ranges {
            runs.push(Run::known(a, b - a + 1));
        }
        map.splice_chunks(0, 0, runs);
        map
    }

    /// Grows the map to `exists` messages, the new ones with unknown UIDs
    /// (`* n EXISTS`, RFC 9051 §7.4.1). Returns how many were added.
    ///
    /// A smaller `exists` than [`len`](Self::len) is refused: messages only
    /// leave through EXPUNGE or VANISHED.
    pub fn grow_to(&mut self, exists: u32) -> Result<u32, ViolationKind> {
        if exists < self.len {
            return Err(ViolationKind::ExistsShrank {
                got: exists,
                known: self.len,
            });
        }
        let added = exists - self.len;
        if added > 0 {
            // The messages after the last known UID each need a larger one.
            let (last_uid, after) = self.last_known();
            if u64::from(after) + u64::from(added) > u64::from(u32::MAX - last_uid) {
                return Err(ViolationKind::ExistsBeyondUids { exists, last_uid });
            }
            self.append(Run::unknown(added));
        }
        Ok(added)
    }

    /// The largest known UID (0 if none) and how many messages follow it.
    fn last_known(&self) -> (u32, u32) {
        let mut after = 0u32;
        for chunk in self.chunks.iter().rev() {
            for run in chunk.runs.iter().rev() {
                if run.is_known() {
                    return (run.uid + (run.len - 1), after);
                }
                after += run.len;
            }
        }
        (0, after)
    }

    /// Records that message `seq` has UID `uid` (a FETCH response with a
    /// UID item, RFC 9051 §7.5.2). Returns whether the map changed (`false`
    /// when the UID was already known).
    ///
    /// Refused, with the map unchanged: a `seq` beyond the map, a different
    /// UID for a message whose UID is known, and a UID that does not leave
    /// room for the messages between it and its known neighbours.
    pub fn set_uid(&mut self, seq: u32, uid: NonZeroU32) -> Result<bool, ViolationKind> {
        let pos = self.position(seq)?;
        let (ci, ri, off) = self.locate(pos);
        let run = self.chunks[ci].runs[ri];
        let uid = uid.get();
        if run.is_known() {
            let known = run.uid + off;
            return if known == uid {
                Ok(false)
            } else {
                Err(ViolationKind::UidChanged {
                    seq,
                    known,
                    got: uid,
                })
            };
        }
        // Unknown UIDs before `seq` in this run need room above the
        // previous known UID, those after it room below the next one.
        let before = u64::from(off);
        let after = u64::from(run.len - off - 1);
        let low = self.prev_run(ci, ri).map_or(0, |p| u64::from(p.last())) + before + 1;
        let high = self
            .next_run(ci, ri)
            .map_or(u64::from(u32::MAX) + 1, |n| u64::from(n.uid))
            .saturating_sub(after + 1);
        let u = u64::from(uid);
        if u < low || u > high {
            return Err(ViolationKind::UidOutOfOrder { seq, uid });
        }
        // The common case of a sync, `UID FETCH 1:* (UID ...)` in order: the
        // first unknown message of a run that follows a known one, changed
        // in place (the chunk's length and its first and last runs stay).
        // With the UID after that run's last, the known run grows and the
        // unknown one shrinks. After a gap in the UIDs (messages expunged
        // before) the message starts a run of its own between them:
        // nothing merges (the UID is not the next one, and a known run
        // never merges with an unknown one); only a full chunk needs the
        // general path (it splits).
        let runs = &mut self.chunks[ci].runs;
        if off == 0 && run.len > 1 && ri > 0 && runs[ri - 1].is_known() {
            if runs[ri - 1].last().checked_add(1) == Some(uid) {
                runs[ri - 1].len += 1;
                runs[ri].len -= 1;
                self.unknown -= 1;
                return Ok(true);
            }
            if runs.len() < MAX_RUNS {
                grow(runs, 1);
                runs[ri].len -= 1;
                runs.insert(ri, Run::known(uid, 1));
                self.unknown -= 1;
                self.runs += 1;
                return Ok(true);
            }
        }
        let mut new = [Run::unknown(0); 3];
        let mut n = 0;
        if off > 0 {
            new[n] = Run::unknown(off);
            n += 1;
        }
        new[n] = Run::known(uid, 1);
        n += 1;
        if run.len - off - 1 > 0 {
            new[n] = Run::unknown(run.len - off - 1);
            n += 1;
        }
        self.replace(ci, ri, &new[..n]);
        Ok(true)
    }

    /// Removes message `seq` (`* n EXPUNGE`, RFC 9051 §7.5.1); the messages
    /// after it move down by one. Returns its UID if it was known.
    pub fn expunge(&mut self, seq: u32) -> Result<Option<u32>, ViolationKind> {
        let pos = self.position(seq)?;
        let (ci, ri, off) = self.locate(pos);
        let run = self.chunks[ci].runs[ri];
        if !run.is_known() {
            self.replace(
                ci,
                ri,
                &[Run::unknown(run.len - 1)][..usize::from(run.len > 1)],
            );
            return Ok(None);
        }
        let mut new = [Run::unknown(0); 2];
        let mut n = 0;
        if off > 0 {
            new[n] = Run::known(run.uid, off);
            n += 1;
        }
        if run.len - off - 1 > 0 {
            new[n] = Run::known(run.uid + off + 1, run.len - off - 1);
            n += 1;
        }
        self.replace(ci, ri, &new[..n]);
        Ok(Some(run.uid + off))
    }

    /// Removes the messages whose UIDs are in `uids` (`* VANISHED uids`,
    /// RFC 7162 §3.2.10.2), in one pass over the chunks the set touches.
    /// Returns how many messages were removed.
    ///
    /// Every UID must be that of a message in the map (RFC 7162: "each UID
    /// listed in a VANISHED response results in the client decrementing the
    /// message count by one"). A UID that is not known removes one of the
    /// unknown-UID messages between the known UIDs around it; when there is
    /// none left there, the message is not in the mailbox and the whole set
    /// is refused with the map unchanged. The ranges may come in any order.
    pub fn remove_uids(&mut self, uids: &[RangeInclusive<u32>]) -> Result<u32, ViolationKind> {
        self.remove_set(
            &normalize(uids.iter().map(|r| (*r.start(), *r.end()))),
            true,
        )
    }

    /// Removes the known messages whose UIDs are in `uids` and ignores the
    /// other UIDs (`VANISHED (EARLIER)` applied to a cached UID set, RFC 7162
    /// §3.2.10.1). Unknown-UID messages are never removed. Returns how many
    /// messages were removed.
    pub fn remove_known_uids(&mut self, uids: &[RangeInclusive<u32>]) -> u32 {
        let set = normalize(uids.iter().map(|r| (*r.start(), *r.end())));
        // Without `strict`, the pass never fails.
        self.remove_set(&set, false).unwrap_or(0)
    }

    /// Gives back spare capacity (after a large VANISHED, or before the map
    /// is kept for long).
    pub fn shrink_to_fit(&mut self) {
        for c in &mut self.chunks {
            c.runs.shrink_to_fit();
        }
        self.chunks.shrink_to_fit();
    }

    /// The number of messages (EXISTS).
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Whether the map holds no message.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The number of runs: maximal stretches of consecutive known UIDs, and
    /// stretches of unknown UIDs between them.
    pub fn runs(&self) -> usize {
        self.runs
    }

    /// The number of messages whose UIDs are not known.
    pub fn unknown(&self) -> u32 {
        self.unknown
    }

    /// The heap memory the map holds, by capacity (what the allocator gave,
    /// spare room included).
    pub fn heap_bytes(&self) -> usize {
        self.chunks.capacity() * size_of::<Chunk>()
            + self
                .chunks
                .iter()
                .map(|c| c.runs.capacity() * size_of::<Run>())
                .sum::<usize>()
    }

    /// The UID of message `seq`; `None` when unknown or when there is no
    /// such message.
    pub fn uid(&self, seq: u32) -> Option<u32> {
        let pos = self.position(seq).ok()?;
        let (ci, ri, off) = self.locate(pos);
        let run = self.chunks[ci].runs[ri];
        run.is_known().then(|| run.uid + off)
    }

    /// The sequence number of the message whose UID is `uid`; `None` when
    /// no message has that known UID.
    pub fn seq(&self, uid: u32) -> Option<u32> {
        if uid == 0 {
            return None;
        }
        // The last chunk whose key is at most `uid`.
        let ci = self.partition_by_key(uid).checked_sub(1)?;
        let chunk = &self.chunks[ci];
        let mut at = chunk.start;
        for run in &chunk.runs {
            if run.is_known() {
                if uid < run.uid {
                    return None;
                }
                if uid <= run.last() {
                    return Some(at + (uid - run.uid) + 1);
                }
            }
            at += run.len;
        }
        None
    }

    /// The largest known UID.
    pub fn max_uid(&self) -> Option<u32> {
        // At most two runs from the end (unknown runs never neighbour).
        self.chunks
            .iter()
            .rev()
            .flat_map(|c| c.runs.iter().rev())
            .find(|r| r.is_known())
            .map(|r| r.last())
    }

    /// The known UIDs as maximal ranges, in order.
    pub fn uid_ranges(&self) -> impl Iterator<Item = RangeInclusive<u32>> + '_ {
        self.all_runs()
            .filter(|r| r.is_known())
            .map(|r| r.uid..=r.last())
    }

    /// The sequence numbers of the messages whose UIDs are unknown, as
    /// ranges in order (what a `FETCH ... (UID)` must ask for to complete
    /// the map).
    pub fn unknown_seqs(&self) -> impl Iterator<Item = RangeInclusive<u32>> + '_ {
        self.segments()
            .filter(|s| s.uid.is_none())
            .map(|s| s.seqs())
    }

    /// Every run in order, with its first sequence number.
    pub fn segments(&self) -> impl Iterator<Item = Segment> + '_ {
        let mut seq = 1u32;
        self.all_runs().map(move |r| {
            let s = Segment {
                seq,
                len: r.len,
                uid: NonZeroU32::new(r.uid),
            };
            seq = seq.wrapping_add(r.len);
            s
        })
    }

    /// This map with its first `prefix.len()` messages taken from `prefix`
    /// (whose UIDs must all be known), if that agrees with what this map
    /// knows: the known UIDs among those messages are the prefix's, the
    /// known UIDs after them are above `above`, and every run of unknown
    /// UIDs has room between its known neighbours. `None` otherwise.
    pub(super) fn with_prefix(&self, prefix: &Self, above: u32) -> Option<Self> {
        let n = prefix.len;
        if n > self.len || prefix.unknown > 0 {
            return None;
        }
        let mut runs: Vec<Run> = Vec::with_capacity(prefix.runs + self.runs);
        runs.extend(prefix.all_runs());
        for s in self.segments() {
            let end = s.seq + (s.len - 1);
            if let Some(uid) = s.uid {
                // The known part inside the prefix must match it: UIDs
                // increase, so equal ends mean equal UIDs in between.
                let inside = end.min(n);
                if s.seq <= inside {
                    let last = uid.get() + (inside - s.seq);
                    if prefix.uid(s.seq) != Some(uid.get()) || prefix.uid(inside) != Some(last) {
                        return None;
                    }
                }
            }
            if end <= n {
                continue;
            }
            let skip = n.saturating_sub(s.seq - 1);
            let run = match s.uid {
                Some(uid) if uid.get() + skip <= above => return None,
                Some(uid) => Run::known(uid.get() + skip, s.len - skip),
                None => Run::unknown(s.len - skip),
            };
            push_run(&mut runs, run);
        }
        // UIDs increase, with room for every unknown run between its known
        // neighbours.
        let (mut last, mut between) = (0u64, 0u64);
        for r in &runs {
            if r.is_known() {
                if u64::from(r.uid) <= last + between {
                    return None;
                }
                last = u64::from(r.last());
                between = 0;
            } else {
                between += u64::from(r.len);
            }
        }
        if last + between > u64::from(u32::MAX) {
            return None;
        }
        let mut map = Self::new();
        map.splice_chunks(0, 0, runs);
        Some(map)
    }

    /// Every run in order.
    fn all_runs(&self) -> impl Iterator<Item = Run> + '_ {
        self.chunks.iter().flat_map(|c| c.runs.iter().copied())
    }

    /// The 0-based position of `seq`, or why there is none.
    fn position(&self, seq: u32) -> Result<u32, ViolationKind> {
        if seq == 0 || seq > self.len {
            return Err(ViolationKind::BeyondExists {
                seq,
                exists: self.len,
            });
        }
        Ok(seq - 1)
    }

    /// Chunk, run and offset in the run of the message at `pos` (< `len`).
    fn locate(&self, pos: u32) -> (usize, usize, u32) {
        debug_assert!(pos < self.len);
        // Chunk 0 starts at 0 <= pos, so the partition point is at least 1.
        let ci = self.chunks.partition_point(|c| c.start <= pos) - 1;
        let chunk = &self.chunks[ci];
        // The last run first: a sync learns UIDs in order, at the front of
        // the unknown run that ends the map (a walk from the chunk's start
        // would pass up to `MAX_RUNS` runs for each message).
        if let Some(last) = chunk.runs.last() {
            let at = chunk.start + chunk.len - last.len;
            if pos >= at {
                return (ci, chunk.runs.len() - 1, pos - at);
            }
        }
        let mut at = chunk.start;
        for (ri, run) in chunk.runs.iter().enumerate() {
            if pos - at < run.len {
                return (ci, ri, pos - at);
            }
            at += run.len;
        }
        // The chunk's runs hold `chunk.len` messages and pos < start + len.
        unreachable!("uid map chunk counts are consistent")
    }

    /// The search key of chunk `ci`: its first known UID or, for a chunk of
    /// one unknown run, one more than the previous chunk's last UID. Keys
    /// never decrease from chunk to chunk.
    fn key(&self, ci: usize) -> u32 {
        let chunk = &self.chunks[ci];
        if let Some(r) = chunk.runs.iter().take(2).find(|r| r.is_known()) {
            return r.uid;
        }
        // Canonical form: an unknown run is followed and preceded by known
        // runs, so the previous chunk ends with a known run.
        match ci.checked_sub(1) {
            Some(p) => self.chunks[p]
                .runs
                .last()
                .map_or(1, |r| r.last().saturating_add(1)),
            None => 1,
        }
    }

    /// The number of chunks whose key is at most `uid`.
    fn partition_by_key(&self, uid: u32) -> usize {
        let (mut lo, mut hi) = (0, self.chunks.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.key(mid) <= uid {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// The run before run `ri` of chunk `ci`, across chunks.
    fn prev_run(&self, ci: usize, ri: usize) -> Option<Run> {
        match ri.checked_sub(1) {
            Some(p) => Some(self.chunks[ci].runs[p]),
            None => self.chunks[..ci].last()?.runs.last().copied(),
        }
    }

    /// The run after run `ri` of chunk `ci`, across chunks.
    fn next_run(&self, ci: usize, ri: usize) -> Option<Run> {
        match self.chunks[ci].runs.get(ri + 1) {
            Some(r) => Some(*r),
            None => self.chunks.get(ci + 1)?.runs.first().copied(),
        }
    }

    /// Appends a run at the end.
    fn append(&mut self, run: Run) {
        match self.chunks.last_mut() {
            Some(last) => {
                let ri = last.runs.len();
                grow(&mut last.runs, 1);
                last.runs.push(run);
                last.len += run.len;
                self.len += run.len;
                self.runs += 1;
                if !run.is_known() {
                    self.unknown += run.len;
                }
                let ci = self.chunks.len() - 1;
                self.merge_within(ci, ri - 1, ri);
                self.settle(ci);
            }
            None => self.splice_chunks(0, 0, vec![run]),
        }
    }

    /// Replaces run `ri` of chunk `ci` with `new` (0 to 3 runs, none empty)
    /// and restores the canonical form around them.
    fn replace(&mut self, ci: usize, ri: usize, new: &[Run]) {
        let chunk = &mut self.chunks[ci];
        let old = chunk.runs[ri];
        let new_len: u32 = new.iter().map(|r| r.len).sum();
        let new_unknown: u32 = new.iter().filter(|r| !r.is_known()).map(|r| r.len).sum();
        grow(&mut chunk.runs, new.len());
        chunk.runs.splice(ri..=ri, new.iter().copied());
        chunk.len = chunk.len - old.len + new_len;
        self.len = self.len - old.len + new_len;
        self.unknown = self.unknown - if old.is_known() { 0 } else { old.len } + new_unknown;
        self.runs = self.runs + new.len() - 1;
        let hi = (ri + new.len()).min(self.chunks[ci].runs.len().saturating_sub(1));
        self.merge_within(ci, ri.saturating_sub(1), hi);
        self.settle(ci);
    }

    /// Merges neighbours among runs `lo..=hi` of chunk `ci`.
    fn merge_within(&mut self, ci: usize, lo: usize, mut hi: usize) {
        let runs = &mut self.chunks[ci].runs;
        let mut i = lo;
        while i < hi && i + 1 < runs.len() {
            if runs[i].merges_with(runs[i + 1]) {
                runs[i].len += runs[i + 1].len;
                runs.remove(i + 1);
                self.runs -= 1;
                hi -= 1;
            } else {
                i += 1;
            }
        }
    }

    /// Restores the invariants after chunk `ci` changed: no empty chunk, no
    /// mergeable runs across its edges, sizes within bounds, and the start
    /// of every chunk from there on.
    fn settle(&mut self, ci: usize) {
        let mut ci = ci;
        if self.chunks[ci].runs.is_empty() {
            self.chunks.remove(ci);
        } else {
            self.join_boundary(ci + 1);
            if ci > 0 && self.join_boundary(ci) {
                // Chunk `ci` moved its only run into chunk `ci - 1`.
                ci -= 1;
            }
        }
        if ci > 0 && ci < self.chunks.len() {
            // A removed chunk brought `ci - 1` and the next one together.
            self.join_boundary(ci);
        }
        if ci < self.chunks.len() {
            self.fit_size(ci);
        }
        self.restart(ci.saturating_sub(1));
    }

    /// Merges the first run of chunk `b` into the last run of chunk `b - 1`
    /// when they can merge, removing chunk `b` if that empties it (and then
    /// looking at the next). Returns whether chunk `b` was removed.
    fn join_boundary(&mut self, b: usize) -> bool {
        let mut removed = false;
        while b > 0 && b < self.chunks.len() {
            let (left, right) = self.chunks.split_at_mut(b);
            let (prev, next) = (&mut left[b - 1], &mut right[0]);
            let (Some(last), Some(&first)) = (prev.runs.last_mut(), next.runs.first()) else {
                break;
            };
            if !last.merges_with(first) {
                break;
            }
            last.len += first.len;
            prev.len += first.len;
            next.len -= first.len;
            next.runs.remove(0);
            self.runs -= 1;
            if !next.runs.is_empty() {
                break;
            }
            self.chunks.remove(b);
            removed = true;
        }
        removed
    }

    /// Splits chunk `ci` if it has grown too large, or merges it into a
    /// neighbour if it has become small enough.
    fn fit_size(&mut self, ci: usize) {
        let n = self.chunks[ci].runs.len();
        if n > MAX_RUNS {
            let chunk = &mut self.chunks[ci];
            let right = chunk.runs.split_off(n / 2);
            let right_len: u32 = right.iter().map(|r| r.len).sum();
            chunk.len -= right_len;
            shrink(&mut chunk.runs);
            let start = chunk.start + chunk.len;
            self.chunks.insert(
                ci + 1,
                Chunk {
                    start,
                    len: right_len,
                    runs: right,
                },
            );
        } else if n < MIN_RUNS {
            let fits = |other: &Chunk| other.runs.len() + n <= BUILD_RUNS;
            if ci > 0 && fits(&self.chunks[ci - 1]) {
                let chunk = self.chunks.remove(ci);
                let prev = &mut self.chunks[ci - 1];
                grow(&mut prev.runs, chunk.runs.len());
                prev.runs.extend_from_slice(&chunk.runs);
                prev.len += chunk.len;
            } else if ci + 1 < self.chunks.len() && fits(&self.chunks[ci + 1]) {
                let next = self.chunks.remove(ci + 1);
                let chunk = &mut self.chunks[ci];
                grow(&mut chunk.runs, next.runs.len());
                chunk.runs.extend_from_slice(&next.runs);
                chunk.len += next.len;
            } else {
                shrink(&mut self.chunks[ci].runs);
            }
        } else {
            shrink(&mut self.chunks[ci].runs);
        }
    }

    /// Recomputes the start of every chunk from `ci` on.
    fn restart(&mut self, ci: usize) {
        let mut at = match ci.checked_sub(1) {
            Some(p) => self.chunks[p].start + self.chunks[p].len,
            None => 0,
        };
        let from = ci.min(self.chunks.len());
        for c in &mut self.chunks[from..] {
            c.start = at;
            at += c.len;
        }
    }

    /// Replaces chunks `from..to` with chunks built from `runs` (canonical
    /// among themselves), then restores the invariants at both edges. The
    /// counters `len`, `runs` and `unknown` are updated here.
    fn splice_chunks(&mut self, from: usize, to: usize, runs: Vec<Run>) {
        for c in &self.chunks[from..to] {
            self.len -= c.len;
            self.runs -= c.runs.len();
            self.unknown -= c
                .runs
                .iter()
                .filter(|r| !r.is_known())
                .map(|r| r.len)
                .sum::<u32>();
        }
        for r in &runs {
            self.len += r.len;
            if !r.is_known() {
                self.unknown += r.len;
            }
        }
        self.runs += runs.len();
        let built: Vec<Chunk> = runs
            .chunks(BUILD_RUNS)
            .map(|part| Chunk {
                start: 0,
                len: part.iter().map(|r| r.len).sum(),
                runs: part.to_vec(),
            })
            .collect();
        let n = built.len();
        self.chunks.splice(from..to, built);
        // The edges of the new chunks may merge with their neighbours
        // (`join_boundary` goes on to the next chunk when one empties).
        self.join_boundary(from + n);
        self.join_boundary(from);
        for ci in [from + n.saturating_sub(1), from] {
            if ci < self.chunks.len() {
                self.fit_size(ci);
            }
        }
        self.restart(from.saturating_sub(1));
    }

    /// The chunks a removal of UIDs `lo..=hi` may touch: the chunk holding
    /// `lo` (or the gap it falls in) to the chunk after the one holding `hi`.
    fn window(&self, lo: u32, hi: u32) -> (usize, usize) {
        let first = self.partition_by_key(lo).saturating_sub(1);
        let last = self.partition_by_key(hi).min(self.chunks.len() - 1);
        (first, last.max(first))
    }

    /// Removes a normalized UID set; see [`remove_uids`](Self::remove_uids)
    /// (`strict`) and [`remove_known_uids`](Self::remove_known_uids).
    fn remove_set(&mut self, set: &[(u32, u32)], strict: bool) -> Result<u32, ViolationKind> {
        let (Some(&(lo, _)), Some(&(_, hi))) = (set.first(), set.last()) else {
            return Ok(0);
        };
        if self.chunks.is_empty() {
            return if strict {
                Err(ViolationKind::VanishedNotInMailbox { uid: lo })
            } else {
                Ok(0)
            };
        }
        // A few known UIDs (one EXPUNGE's worth in a QRESYNC session):
        // remove them one by one, last first so that the numbers found stay
        // right. Anything else takes the pass over the window.
        const FEW: u64 = 8;
        let count: u64 = set.iter().map(|&(a, b)| u64::from(b - a) + 1).sum();
        if count <= FEW {
            let mut seqs = [0u32; FEW as usize];
            let mut found = 0;
            for uid in set.iter().flat_map(|&(a, b)| a..=b) {
                match self.seq(uid) {
                    Some(seq) => {
                        seqs[found] = seq;
                        found += 1;
                    }
                    None => break,
                }
            }
            if found as u64 == count {
                for &seq in seqs[..found].iter().rev() {
                    // `seq` was found in the map and only later messages
                    // have left since.
                    let _ = self.expunge(seq);
                }
                return Ok(count as u32);
            }
        }
        let (first, last) = self.window(lo, hi);
        let window_runs: usize = self.chunks[first..=last].iter().map(|c| c.runs.len()).sum();
        let mut out = Vec::with_capacity(window_runs + set.len().min(window_runs) + 1);
        let mut cursor = Cursor::new(set);
        let mut removed = 0u64;
        let mut pending: Option<u32> = None;
        let runs = self.chunks[first..=last]
            .iter()
            .flat_map(|c| c.runs.iter().copied());
        for run in runs {
            if !run.is_known() {
                pending = Some(run.len);
                continue;
            }
            let gap = cursor.take_below(u64::from(run.uid));
            removed += flush_gap(&mut out, pending.take(), gap, strict)?;
            let end = u64::from(run.last());
            let mut at = u64::from(run.uid);
            while let Some((a, b)) = cursor.peek() {
                if a > end {
                    break;
                }
                if a > at {
                    push_run(&mut out, Run::known(at as u32, (a - at) as u32));
                }
                let stop = b.min(end);
                removed += stop - a + 1;
                cursor.consume_through(stop);
                at = stop + 1;
            }
            if at <= end {
                push_run(&mut out, Run::known(at as u32, (end - at + 1) as u32));
            }
        }
        // What is left lies after the window's last known UID and before
        // the next chunk's (by the choice of the window): the trailing gap.
        let gap = cursor.take_below(u64::from(u32::MAX) + 1);
        removed += flush_gap(&mut out, pending, gap, strict)?;
        self.splice_chunks(first, last + 1, out);
        // `removed` is at most the number of messages, a u32.
        Ok(removed as u32)
    }
}

impl Segment {
    /// The sequence numbers of the run.
    pub fn seqs(&self) -> RangeInclusive<u32> {
        self.seq..=self.seq + (self.len - 1)
    }

    /// The UIDs of the run, if known.
    pub fn uids(&self) -> Option<RangeInclusive<u32>> {
        self.uid.map(|u| u.get()..=u.get() + (self.len - 1))
    }
}

impl Run {
    fn known(uid: u32, len: u32) -> Self {
        debug_assert!(uid > 0 && len > 0);
        Self { uid, len }
    }

    fn unknown(len: u32) -> Self {
        Self { uid: 0, len }
    }

    fn is_known(self) -> bool {
        self.uid != 0
    }

    /// The last UID of a known run.
    fn last(self) -> u32 {
        self.uid + (self.len - 1)
    }

    /// Whether `next`, directly after `self`, continues it.
    fn merges_with(self, next: Self) -> bool {
        if self.is_known() {
            next.is_known() && u64::from(self.uid) + u64::from(self.len) == u64::from(next.uid)
        } else {
            !next.is_known()
        }
    }
}

/// Records that `gap` UIDs of the removal set fall between two known runs,
/// where `pending` unknown-UID messages are (if any), and pushes what is left
/// of them. Returns how many of them were removed.
fn flush_gap(
    out: &mut Vec<Run>,
    pending: Option<u32>,
    gap: Gap,
    strict: bool,
) -> Result<u64, ViolationKind> {
    if !strict {
        if let Some(n) = pending {
            push_run(out, Run::unknown(n));
        }
        return Ok(0);
    }
    let n = u64::from(pending.unwrap_or(0));
    if gap.count > n {
        return Err(ViolationKind::VanishedNotInMailbox {
            uid: gap.first as u32,
        });
    }
    if n > gap.count {
        // n - count < n <= u32::MAX.
        push_run(out, Run::unknown((n - gap.count) as u32));
    }
    Ok(gap.count)
}

/// Appends `run` to `out`, merging it with the last run when they can merge.
fn push_run(out: &mut Vec<Run>, run: Run) {
    match out.last_mut() {
        Some(last) if last.merges_with(run) => last.len += run.len,
        _ => out.push(run),
    }
}

/// Makes room for `extra` more runs, growing by an eighth at a time so that
/// a chunk's spare capacity stays small.
fn grow(runs: &mut Vec<Run>, extra: usize) {
    let need = runs.len() + extra;
    if need > runs.capacity() {
        let target = need.max(runs.capacity() + runs.capacity() / 8 + 4);
        runs.reserve_exact(target - runs.len());
    }
}

/// Gives back capacity when more than a quarter is spare, keeping an eighth
/// (the gap between the two keeps removals from reallocating every time).
fn shrink(runs: &mut Vec<Run>) {
    if runs.capacity() > runs.len() + runs.len() / 4 + 8 {
        runs.shrink_to(runs.len() + runs.len() / 8 + 4);
    }
}

/// Sorts and merges UID ranges (a reversed range counts as its UIDs; UID 0
/// is dropped).
pub(super) fn normalize(ranges: impl Iterator<Item = (u32, u32)>) -> Vec<(u32, u32)> {
    let mut v: Vec<(u32, u32)> = ranges
        .map(|(a, b)| (a.min(b).max(1), a.max(b)))
        .filter(|&(a, b)| b >= a && b > 0)
        .collect();
    if !v
        .windows(2)
        .all(|w| u64::from(w[0].1) + 1 < u64::from(w[1].0))
    {
        v.sort_unstable();
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(v.len());
        for (a, b) in v {
            match merged.last_mut() {
                Some(last) if u64::from(a) <= u64::from(last.1) + 1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        v = merged;
    }
    v
}

/// UIDs of a removal set that fell into one gap: how many, and the first.
#[derive(Debug, Clone, Copy)]
struct Gap {
    count: u64,
    first: u64,
}

/// A position in a normalized UID set, consumed in increasing order.
#[derive(Debug)]
struct Cursor<'a> {
    set: &'a [(u32, u32)],
    /// The next UID of `set[0]` not consumed yet.
    at: u64,
}

impl<'a> Cursor<'a> {
    fn new(set: &'a [(u32, u32)]) -> Self {
        Self {
            set,
            at: set.first().map_or(0, |r| u64::from(r.0)),
        }
    }

    /// The next range not consumed yet (its start is the next UID).
    fn peek(&self) -> Option<(u64, u64)> {
        self.set.first().map(|r| (self.at, u64::from(r.1)))
    }

    /// Consumes every UID up to `uid` (which lies in the current range).
    fn consume_through(&mut self, uid: u64) {
        match self.set.first() {
            Some(r) if uid >= u64::from(r.1) => {
                self.set = &self.set[1..];
                self.at = self.set.first().map_or(0, |r| u64::from(r.0));
            }
            Some(_) => self.at = uid + 1,
            None => {}
        }
    }

    /// Consumes the UIDs below `limit`; says how many there were.
    fn take_below(&mut self, limit: u64) -> Gap {
        let mut gap = Gap {
            count: 0,
            first: self.at,
        };
        while let Some((a, b)) = self.peek() {
            if a >= limit {
                break;
            }
            let stop = b.min(limit - 1);
            gap.count += stop - a + 1;
            self.consume_through(stop);
        }
        gap
    }
}

impl PartialEq for UidMap {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.runs == other.runs && self.all_runs().eq(other.all_runs())
    }
}

impl Eq for UidMap {}

impl fmt::Debug for UidMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 8;
        let mut list = f.debug_list();
        for s in self.segments().take(SHOWN) {
            match s.uids() {
                Some(u) => list.entry(&format_args!("{:?} => {:?}", s.seqs(), u)),
                None => list.entry(&format_args!("{:?} => ?", s.seqs())),
            };
        }
        if self.runs > SHOWN {
            list.entry(&format_args!("... {} more runs", self.runs - SHOWN));
        }
        list.finish()
    }
}

/// Most runs in one chunk; a chunk that grows beyond is split in two. (Unit
/// tests use tiny chunks, so that small maps cross many chunk edges.)
///
/// A lookup scans one chunk's runs, so the size trades lookup time against
/// heap: on `client/updates` (a 20,000-message mailbox fragmented by random
/// expunges, flag changes looked up by sequence number; callgrind, the
/// whole Client) 256 runs cost 32.6 M instructions for the stream, 128
/// runs 30.3 M, 64 runs 29.1 M; a 100,000-message map of 100,000 runs
/// takes 9.8, 10.4 and 11.5 bytes per run (`benches/allocs.rs`).
const MAX_RUNS: usize = if cfg!(test) { 8 } else { 128 };
/// Runs per chunk when a map is built in one go (room to grow before a split).
const BUILD_RUNS: usize = MAX_RUNS * 3 / 4;
/// A chunk with fewer runs is merged into a neighbour when they fit together.
const MIN_RUNS: usize = if cfg!(test) { 2 } else { MAX_RUNS / 8 };

#[cfg(test)]
mod tests;
