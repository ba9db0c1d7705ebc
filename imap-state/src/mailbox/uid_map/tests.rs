//! Unit tests of the UidMap: fixed cases, and a model test against a plain
//! vector that checks the invariants after every step (with tiny chunks, see
//! `MAX_RUNS`).

use proptest::prelude::*;

use super::*;

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap() // tests pass non-zero UIDs
}

/// Checks the invariants the operations rely on.
fn check(map: &UidMap) {
    let mut start = 0;
    let mut prev: Option<Run> = None;
    let (mut runs, mut unknown) = (0, 0);
    for c in &map.chunks {
        assert!(!c.runs.is_empty(), "empty chunk");
        assert!(c.runs.len() <= MAX_RUNS, "oversized chunk");
        assert_eq!(c.start, start, "chunk start");
        assert_eq!(
            c.len,
            c.runs.iter().map(|r| r.len).sum::<u32>(),
            "chunk len"
        );
        for &r in &c.runs {
            assert!(r.len > 0);
            if let Some(p) = prev {
                assert!(!p.merges_with(r), "mergeable neighbours {p:?} {r:?}");
                if p.is_known() && r.is_known() {
                    assert!(p.last() < r.uid, "uids out of order");
                }
            }
            prev = Some(r);
            runs += 1;
            if !r.is_known() {
                unknown += r.len;
            }
        }
        start += c.len;
    }
    assert_eq!(start, map.len);
    assert_eq!(runs, map.runs);
    assert_eq!(unknown, map.unknown);
    // Unknown runs hold enough room between their known neighbours.
    let segs: Vec<Segment> = map.segments().collect();
    for w in segs.windows(3) {
        if let (Some(a), None, Some(c)) = (w[0].uids(), w[1].uid, w[2].uid) {
            assert!(u64::from(c.get()) - u64::from(*a.end()) > u64::from(w[1].len));
        }
    }
}

#[test]
fn grow_learn_and_expunge() {
    let mut m = UidMap::new();
    assert_eq!(m.grow_to(5), Ok(5));
    assert_eq!(m.unknown(), 5);
    assert_eq!(m.set_uid(1, nz(10)), Ok(true));
    assert_eq!(m.set_uid(1, nz(10)), Ok(false));
    assert_eq!(m.set_uid(2, nz(11)), Ok(true));
    assert_eq!(m.runs(), 2);
    assert_eq!(m.set_uid(5, nz(20)), Ok(true));
    // Messages 3 and 4 need two UIDs between 11 and 20.
    assert_eq!(
        m.set_uid(3, nz(19)),
        Err(ViolationKind::UidOutOfOrder { seq: 3, uid: 19 })
    );
    assert_eq!(
        m.set_uid(4, nz(12)),
        Err(ViolationKind::UidOutOfOrder { seq: 4, uid: 12 })
    );
    assert_eq!(m.set_uid(4, nz(13)), Ok(true));
    assert_eq!(
        m.set_uid(2, nz(12)),
        Err(ViolationKind::UidChanged {
            seq: 2,
            known: 11,
            got: 12
        })
    );
    check(&m);
    assert_eq!(m.uid(3), None);
    assert_eq!(m.uid(4), Some(13));
    assert_eq!(m.seq(13), Some(4));
    assert_eq!(m.seq(12), None);
    assert_eq!(m.expunge(3), Ok(None));
    assert_eq!(
        m.uid_ranges().collect::<Vec<_>>(),
        vec![10..=11, 13..=13, 20..=20]
    );
    assert_eq!(m.expunge(3), Ok(Some(13)));
    assert_eq!(m.seq(20), Some(3));
    assert_eq!(
        m.expunge(9),
        Err(ViolationKind::BeyondExists { seq: 9, exists: 3 })
    );
    assert_eq!(
        m.grow_to(2),
        Err(ViolationKind::ExistsShrank { got: 2, known: 3 })
    );
    check(&m);
}

#[test]
fn uid_at_the_top_of_the_range() {
    let mut m = UidMap::new();
    m.grow_to(2).unwrap();
    assert!(m.set_uid(2, nz(u32::MAX - 1)).is_ok());
    assert!(m.set_uid(1, nz(u32::MAX - 1)).is_err());
    assert!(m.set_uid(1, nz(u32::MAX - 2)).is_ok());
    m.grow_to(3).unwrap();
    assert_eq!(m.set_uid(3, nz(u32::MAX)), Ok(true));
    assert_eq!(m.runs(), 1);
    assert_eq!(m.remove_uids(&[u32::MAX..=u32::MAX]), Ok(1));
    check(&m);
}

#[test]
fn splits_and_joins_chunks() {
    let n = 20_000;
    let mut m = UidMap::from_uids([1..=n]);
    // Every other message out: n/2 runs over many chunks.
    for seq in 1..=n / 2 {
        m.expunge(seq + 1).unwrap();
    }
    check(&m);
    assert!(m.chunks.len() > 10);
    assert_eq!(m.runs(), (n / 2) as usize);
    for i in 0..n / 2 {
        assert_eq!(m.uid(i + 1), Some(2 * i + 1));
        assert_eq!(m.seq(2 * i + 1), Some(i + 1));
        assert_eq!(m.seq(2 * i + 2), None);
    }
    // And everything out again, from the front.
    while !m.is_empty() {
        m.expunge(1).unwrap();
        if m.len() % 997 == 0 {
            check(&m);
        }
    }
    check(&m);
    assert!(m.chunks.is_empty());
}

#[test]
fn vanished_in_unknown_gaps() {
    let mut m = UidMap::from_uids([1..=3, 10..=12]);
    m.grow_to(9).unwrap(); // three unknown at the end
                           // UIDs 4..=9 lie between 3 and 10, where no unknown message is.
    assert_eq!(
        m.remove_uids(&[5..=5]),
        Err(ViolationKind::VanishedNotInMailbox { uid: 5 })
    );
    assert_eq!(m.len(), 9);
    // Two of the three unknown ones at the end, and a known one.
    assert_eq!(m.remove_uids(&[20..=21, 2..=2]), Ok(3));
    assert_eq!(m.len(), 6);
    assert_eq!(m.unknown(), 1);
    assert_eq!(
        m.remove_uids(&[30..=31]),
        Err(ViolationKind::VanishedNotInMailbox { uid: 30 })
    );
    // Known UIDs 1, 3, 10, 11 and 12 go; UIDs in gaps are ignored.
    assert_eq!(m.remove_known_uids(&[1..=100]), 5);
    assert_eq!(m.len(), 1);
    assert_eq!(m.unknown(), 1);
    check(&m);
}

/// The plain model: one entry per message, its UID if known.
type Model = Vec<Option<u32>>;

fn flatten(map: &UidMap) -> Model {
    let mut v = Vec::with_capacity(map.len() as usize);
    for s in map.segments() {
        for i in 0..s.len {
            v.push(s.uid.map(|u| u.get() + i));
        }
    }
    v
}

/// What `set_uid` must answer, by the model's rules.
fn model_set_uid(m: &Model, seq: u32, uid: u32) -> Result<bool, ViolationKind> {
    let len = m.len() as u32;
    if seq == 0 || seq > len {
        return Err(ViolationKind::BeyondExists { seq, exists: len });
    }
    let i = (seq - 1) as usize;
    if let Some(known) = m[i] {
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
    let low = match (0..i).rev().find_map(|j| m[j].map(|p| (j, p))) {
        Some((j, p)) => u64::from(p) + (i - j) as u64,
        None => i as u64 + 1,
    };
    let high = match (i + 1..m.len()).find_map(|k| m[k].map(|q| (k, q))) {
        Some((k, q)) => u64::from(q) - (k - i) as u64,
        None => u64::from(u32::MAX) - (m.len() - 1 - i) as u64,
    };
    if u64::from(uid) < low || u64::from(uid) > high {
        return Err(ViolationKind::UidOutOfOrder { seq, uid });
    }
    Ok(true)
}

/// What `remove_uids` (strict) or `remove_known_uids` must do: the
/// indices to remove, or the violation.
fn model_remove(m: &Model, uids: &[u32], strict: bool) -> Result<Vec<usize>, ViolationKind> {
    let mut remove = Vec::new();
    // Per gap (index of the known entry before it, or none): the UIDs.
    let mut gaps: Vec<(Option<usize>, Vec<u32>)> = Vec::new();
    for &u in uids {
        if let Some(i) = m.iter().position(|&x| x == Some(u)) {
            remove.push(i);
            continue;
        }
        let before = m.iter().rposition(|&x| x.is_some_and(|k| k < u));
        match gaps.last_mut() {
            Some((g, list)) if *g == before => list.push(u),
            _ => gaps.push((before, vec![u])),
        }
    }
    if strict {
        for (before, list) in gaps {
            let start = before.map_or(0, |b| b + 1);
            let block = m[start..].iter().take_while(|x| x.is_none()).count();
            if list.len() > block {
                return Err(ViolationKind::VanishedNotInMailbox { uid: list[0] });
            }
            remove.extend(start..start + list.len());
        }
    }
    remove.sort_unstable();
    Ok(remove)
}

#[derive(Debug, Clone)]
enum Op {
    Grow(u32),
    /// Learn the true UID of a message.
    Learn(usize),
    /// Claim some UID for a message.
    Claim(usize, u32),
    Expunge(u32),
    /// VANISHED of some true UIDs (by index) and some arbitrary ones.
    Vanish(Vec<usize>, Vec<u32>, bool),
    Shrink,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (0u32..40).prop_map(Op::Grow),
        4 => any::<usize>().prop_map(Op::Learn),
        1 => (any::<usize>(), 0u32..3000).prop_map(|(i, u)| Op::Claim(i, u)),
        3 => (0u32..2000).prop_map(Op::Expunge),
        2 => (
            proptest::collection::vec(any::<usize>(), 0..12),
            proptest::collection::vec(1u32..3000, 0..3),
            any::<bool>()
        )
            .prop_map(|(i, u, s)| Op::Vanish(i, u, s)),
        1 => Just(Op::Shrink),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The map and a plain vector agree after every operation, and the
    /// map's invariants hold.
    #[test]
    fn agrees_with_a_plain_vector(
        gaps in proptest::collection::vec(1u32..4, 0..150),
        known in proptest::collection::vec(any::<bool>(), 150),
        ops in proptest::collection::vec(op(), 1..80),
    ) {
        // The server's UIDs, and a start where some are known.
        let mut truth: Vec<u32> = Vec::new();
        let mut next = 0u32;
        for g in &gaps {
            next += g;
            truth.push(next);
        }
        let mut model: Model = truth
            .iter()
            .zip(&known)
            .map(|(&u, &k)| k.then_some(u))
            .collect();
        let mut map = UidMap::from_uids(model.iter().flatten().map(|&u| u..=u));
        // Unknown ones: grow, then learn nothing yet; rebuild the model's
        // order by appending them at the end instead.
        let unknown = model.iter().filter(|x| x.is_none()).count() as u32;
        let known_truth: Vec<u32> = model.iter().flatten().copied().collect();
        truth = known_truth;
        model.retain(|x| x.is_some());
        map.grow_to(map.len() + unknown).unwrap();
        for _ in 0..unknown {
            next += 1;
            truth.push(next);
            model.push(None);
        }
        check(&map);
        prop_assert_eq!(flatten(&map), model.clone());

        for op in ops {
            match op {
                Op::Grow(n) => {
                    let exists = map.len() + n;
                    prop_assert_eq!(map.grow_to(exists), Ok(n));
                    for _ in 0..n {
                        next += 1 + n % 3;
                        truth.push(next);
                        model.push(None);
                    }
                    if !map.is_empty() {
                        prop_assert!(map.grow_to(map.len() - 1).is_err());
                    }
                }
                Op::Learn(i) | Op::Claim(i, _) if model.is_empty() => {
                    let _ = i;
                    prop_assert!(map.set_uid(1, NonZeroU32::MIN).is_err());
                }
                Op::Learn(i) => {
                    let i = i % model.len();
                    let seq = i as u32 + 1;
                    let expected = model_set_uid(&model, seq, truth[i]);
                    prop_assert_eq!(map.set_uid(seq, nz(truth[i])), expected.clone());
                    if expected.is_ok() {
                        model[i] = Some(truth[i]);
                    }
                }
                Op::Claim(i, uid) => {
                    let i = i % model.len();
                    let seq = i as u32 + 1;
                    let expected = model_set_uid(&model, seq, uid.max(1));
                    prop_assert_eq!(map.set_uid(seq, nz(uid.max(1))), expected.clone());
                    if expected.is_ok() {
                        model[i] = Some(uid.max(1));
                        truth[i] = uid.max(1);
                    }
                }
                Op::Expunge(seq) => {
                    let len = model.len() as u32;
                    let seq = if len > 0 && seq % 8 != 0 { seq % len + 1 } else { len + 1 + seq % 3 };
                    let got = map.expunge(seq);
                    if seq <= len {
                        prop_assert_eq!(got, Ok(model[(seq - 1) as usize]));
                        model.remove((seq - 1) as usize);
                        truth.remove((seq - 1) as usize);
                    } else {
                        prop_assert_eq!(got, Err(ViolationKind::BeyondExists { seq, exists: len }));
                    }
                }
                Op::Vanish(picks, extra, strict) => {
                    let mut uids: Vec<u32> = extra;
                    if !truth.is_empty() {
                        uids.extend(picks.iter().map(|&p| truth[p % truth.len()]));
                    }
                    uids.sort_unstable();
                    uids.dedup();
                    let ranges: Vec<RangeInclusive<u32>> = uids.iter().rev().map(|&u| u..=u).collect();
                    let expected = model_remove(&model, &uids, strict);
                    let got = if strict {
                        map.remove_uids(&ranges)
                    } else {
                        Ok(map.remove_known_uids(&ranges))
                    };
                    match expected {
                        Ok(indices) => {
                            prop_assert_eq!(got, Ok(indices.len() as u32));
                            for &i in indices.iter().rev() {
                                model.remove(i);
                                truth.remove(i);
                            }
                        }
                        Err(e) => prop_assert_eq!(got, Err(e)),
                    }
                }
                Op::Shrink => map.shrink_to_fit(),
            }
            check(&map);
            prop_assert_eq!(flatten(&map), model.clone());
            // Lookups both ways.
            for (i, &x) in model.iter().enumerate() {
                prop_assert_eq!(map.uid(i as u32 + 1), x);
                if let Some(u) = x {
                    prop_assert_eq!(map.seq(u), Some(i as u32 + 1));
                    prop_assert_eq!(map.seq(u + 1), model.get(i + 1).copied().flatten().filter(|&v| v == u + 1).map(|_| i as u32 + 2));
                }
            }
            prop_assert_eq!(map.uid(0), None);
            prop_assert_eq!(map.uid(model.len() as u32 + 1), None);
            prop_assert_eq!(
                map.unknown(),
                model.iter().filter(|x| x.is_none()).count() as u32
            );
            prop_assert_eq!(map.max_uid(), model.iter().rev().flatten().next().copied());
            let rebuilt = UidMap::from_uids(map.uid_ranges());
            prop_assert_eq!(rebuilt.len(), map.len() - map.unknown());
        }
    }
}

/// A sync in order over a mailbox with gaps in its UIDs: each message after
/// a gap starts a run of its own (the fast path in `set_uid`), and a full
/// chunk still splits (`MAX_RUNS` is 8 in tests).
#[test]
fn in_order_sync_with_gaps() {
    let mut m = UidMap::new();
    assert_eq!(m.grow_to(40), Ok(40));
    let uid = |seq: u32| seq * 3 + seq % 2;
    for seq in 1..=40 {
        assert_eq!(m.set_uid(seq, nz(uid(seq))), Ok(true));
        check(&m);
        assert_eq!(m.unknown(), 40 - seq);
    }
    assert!(m.chunks.len() > 1, "a full chunk split");
    assert_eq!(m.runs, 40);
    for seq in 1..=40 {
        assert_eq!(m.uid(seq), Some(uid(seq)));
    }
}
