//! UidMap memory (measured deterministically with `heap_bytes`) and speed
//! (an ignored test that prints timings; run it in release:
//! `cargo test -p imapkit-state --release --test mailbox_uid_map -- --ignored --nocapture`).

use std::num::NonZeroU32;
use std::time::Instant;

use imapkit_state::mailbox::UidMap;

const N: u32 = 100_000;
const KIB: usize = 1024;

/// splitmix64: a deterministic generator for positions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `1..=n`.
    fn upto(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n)) as u32 + 1
    }
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap() // callers pass UIDs >= 1
}

fn per_run(map: &UidMap) -> f64 {
    map.heap_bytes() as f64 / map.runs() as f64
}

/// 100,000 messages with UIDs 1:100000, learned as a client learns them:
/// EXISTS, then `FETCH 1:* (UID)` one response at a time.
fn contiguous_by_fetch() -> UidMap {
    let mut map = UidMap::new();
    map.grow_to(N).unwrap();
    for seq in 1..=N {
        map.set_uid(seq, nz(seq)).unwrap();
    }
    map
}

#[test]
fn contiguous_mailbox_fits_in_16_kib() {
    let seeded = UidMap::from_uids([1..=N]);
    let fetched = contiguous_by_fetch();
    assert_eq!(seeded, fetched);
    assert_eq!(fetched.runs(), 1);
    assert_eq!(fetched.len(), N);
    println!(
        "100,000 contiguous UIDs: {} bytes seeded, {} bytes learned by FETCH",
        seeded.heap_bytes(),
        fetched.heap_bytes()
    );
    assert!(seeded.heap_bytes() <= 16 * KIB);
    assert!(fetched.heap_bytes() <= 16 * KIB);
    // Unknown UIDs cost no more.
    let mut unknown = UidMap::new();
    unknown.grow_to(N).unwrap();
    assert_eq!(unknown.runs(), 1);
    assert!(unknown.heap_bytes() <= 16 * KIB);
}

#[test]
fn every_other_uid_expunged_costs_at_most_16_bytes_per_run() {
    let mut cases: Vec<(&str, UidMap)> = Vec::new();

    // EXPUNGE responses for UIDs 2, 4, 6, ...: message k + 1 after k went.
    let mut map = contiguous_by_fetch();
    for k in 1..=N / 2 {
        assert_eq!(map.expunge(k + 1), Ok(Some(2 * k)));
    }
    cases.push(("EXPUNGE in order", map));

    // The same messages in a random order, one EXPUNGE each.
    let mut map = contiguous_by_fetch();
    let mut rng = Rng(7);
    let mut even: Vec<u32> = (1..=N / 2).map(|k| 2 * k).collect();
    for i in (1..even.len()).rev() {
        even.swap(i, rng.upto(i as u32 + 1) as usize - 1);
    }
    for &uid in &even {
        let seq = map.seq(uid).unwrap();
        assert_eq!(map.expunge(seq), Ok(Some(uid)));
    }
    cases.push(("EXPUNGE in random order", map));

    // One VANISHED per UID, in the same random order.
    let mut map = contiguous_by_fetch();
    for &uid in &even {
        assert_eq!(map.remove_uids(&[uid..=uid]), Ok(1));
    }
    cases.push(("VANISHED per UID", map));

    // One VANISHED for all of them.
    let mut map = contiguous_by_fetch();
    let set: Vec<_> = even.iter().map(|&u| u..=u).collect();
    assert_eq!(map.remove_uids(&set), Ok(N / 2));
    cases.push(("one VANISHED", map));

    let expected = UidMap::from_uids((0..N / 2).map(|k| 2 * k + 1..=2 * k + 1));
    for (name, map) in &mut cases {
        assert_eq!(*map, expected, "{name}");
        assert_eq!(map.runs(), 50_000, "{name}");
        println!(
            "every other UID expunged, {name}: {} bytes, {:.2} bytes per run",
            map.heap_bytes(),
            per_run(map)
        );
        assert!(per_run(map) <= 16.0, "{name}");
        map.shrink_to_fit();
        println!("  after shrink_to_fit: {:.2} bytes per run", per_run(map));
        assert!(per_run(map) <= 16.0, "{name}");
    }
}

#[test]
fn memory_follows_runs_not_messages() {
    // 10,000 messages in 10 runs, then 1,000,000 more in one unknown run.
    let mut map = UidMap::from_uids((0..10).map(|k| k * 2000 + 1..=k * 2000 + 1000));
    let before = map.heap_bytes();
    map.grow_to(map.len() + 1_000_000).unwrap();
    assert_eq!(map.runs(), 11);
    assert!(
        map.heap_bytes() <= before.max(256),
        "{} bytes",
        map.heap_bytes()
    );
}

/// Timings in release mode (printed, never asserted).
#[test]
#[ignore = "timing: run in release with --ignored --nocapture"]
fn timings() {
    // 100,000 messages in 50,000 runs: UIDs 1 2, 4 5, 7 8, ...
    let pairs = || UidMap::from_uids((0..N / 2).map(|k| 3 * k + 1..=3 * k + 2));
    let report = |what: &str, ops: u32, start: Instant| {
        let t = start.elapsed();
        println!(
            "{what}: {ops} ops in {:.2} ms, {:.0} ns/op",
            t.as_secs_f64() * 1e3,
            t.as_nanos() as f64 / f64::from(ops)
        );
    };

    let mut map = pairs();
    assert_eq!(map.runs(), 50_000);
    let mut rng = Rng(1);
    let start = Instant::now();
    for _ in 0..50_000 {
        let seq = rng.upto(map.len());
        map.expunge(seq).unwrap();
    }
    report(
        "EXPUNGE at random positions (100,000 messages, 50,000 runs)",
        50_000,
        start,
    );
    assert_eq!(map.len(), 50_000);

    let mut map = pairs();
    let mut rng = Rng(2);
    let start = Instant::now();
    let mut sum = 0u64;
    for _ in 0..1_000_000 {
        sum += u64::from(map.uid(rng.upto(N)).unwrap());
    }
    report("uid(seq) at random (50,000 runs)", 1_000_000, start);
    let start = Instant::now();
    for _ in 0..1_000_000 {
        sum += u64::from(map.seq(rng.upto(3 * (N / 2))).unwrap_or(0));
    }
    report("seq(uid) at random (50,000 runs)", 1_000_000, start);
    assert!(sum > 0);

    let start = Instant::now();
    let set: Vec<_> = (0..N / 2).map(|k| 3 * k + 1..=3 * k + 1).collect();
    assert_eq!(map.remove_uids(&set), Ok(N / 2));
    report("one VANISHED of 50,000 UIDs (50,000 runs)", 1, start);

    let mut map = UidMap::from_uids([1..=N]);
    let set: Vec<_> = (1..=N / 2).map(|k| 2 * k..=2 * k).collect();
    let start = Instant::now();
    assert_eq!(map.remove_uids(&set), Ok(N / 2));
    report(
        "one VANISHED of every other UID (1 run -> 50,000 runs)",
        1,
        start,
    );

    let mut map = pairs();
    let mut rng = Rng(3);
    let mut present: Vec<u32> = map.uid_ranges().flatten().collect();
    for i in (1..present.len()).rev() {
        present.swap(i, rng.upto(i as u32 + 1) as usize - 1);
    }
    let start = Instant::now();
    for &uid in &present[..50_000] {
        assert_eq!(map.remove_uids(&[uid..=uid]), Ok(1));
    }
    report("single-UID VANISHED at random (50,000 runs)", 50_000, start);
    let start = Instant::now();
    for &uid in &present[..50_000] {
        assert!(map.remove_uids(&[uid..=uid]).is_err());
    }
    report(
        "single-UID VANISHED of a UID not in the mailbox (refused)",
        50_000,
        start,
    );

    let start = Instant::now();
    let map = contiguous_by_fetch();
    report("EXISTS 100000 then FETCH (UID) for each message", N, start);
    assert_eq!(map.runs(), 1);

    let mut map = UidMap::new();
    map.grow_to(N).unwrap();
    let start = Instant::now();
    for seq in 1..=N {
        map.set_uid(seq, nz(3 * seq)).unwrap();
    }
    report(
        "FETCH (UID) for each message, every UID its own run",
        N,
        start,
    );
    assert_eq!(map.runs(), N as usize);
}

/// The whole model after a full sync of 100,000 messages with contiguous
/// UIDs, every response decoded from its line.
#[test]
fn selected_mailbox_of_100000_contiguous_messages_fits_in_16_kib() {
    use imapkit_codec::decode;
    use imapkit_proto::{Mailbox, Response};
    use imapkit_state::mailbox::SelectedMailbox;

    let mut mb = SelectedMailbox::new(Mailbox::Inbox, false);
    let feed = |mb: &mut SelectedMailbox, line: &str| {
        let bytes = format!("{line}\r\n");
        let (r, _) = decode::response(bytes.as_bytes())
            .unwrap()
            .complete()
            .unwrap();
        match r {
            Response::Data(d) => {
                mb.handle_data(&d).unwrap();
            }
            Response::Status(s) => {
                if let Some(c) = s.code() {
                    mb.handle_code(c).unwrap();
                }
                if s.tag().is_some() {
                    if mb.is_selecting() {
                        mb.select_completed();
                    } else {
                        mb.command_completed();
                    }
                }
            }
            Response::Continue(_) => unreachable!("no continuation here"),
        }
    };
    for line in [
        "* 100000 EXISTS",
        "* OK [UIDVALIDITY 1] UIDs valid",
        "* OK [UIDNEXT 100001] next",
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded)",
        "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded \\*)] ok",
        "* OK [HIGHESTMODSEQ 200000] ok",
        "A1 OK [READ-WRITE] SELECT completed",
    ] {
        feed(&mut mb, line);
    }
    for seq in 1..=N {
        feed(
            &mut mb,
            &format!(
                "* {seq} FETCH (UID {seq} FLAGS (\\Seen) MODSEQ ({}))",
                seq + 1
            ),
        );
    }
    feed(&mut mb, "A2 OK FETCH completed");
    assert_eq!(mb.uids().runs(), 1);
    assert_eq!(mb.uids().unknown(), 0);
    println!(
        "SelectedMailbox, 100,000 contiguous UIDs after a full sync: {} bytes",
        mb.heap_bytes()
    );
    assert!(mb.heap_bytes() <= 16 * KIB);
}
