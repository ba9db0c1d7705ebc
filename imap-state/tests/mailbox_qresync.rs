//! QRESYNC (RFC 7162 §3.2.5): the examples of the RFC, the ways a resync can
//! fail, and an end-to-end property: a client that keeps a snapshot and
//! resynchronizes after other devices changed the mailbox ends with the same
//! model (and the same flag cache) as a client that syncs from scratch.

mod mailbox_util;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::num::{NonZeroU32, NonZeroU64};

use imapkit_codec::encode;
use imapkit_proto::{Command, CommandBody, Flag, Mailbox, SelectParameter, SequenceSet, Tag};
use imapkit_state::mailbox::{
    MailboxChange as C, MailboxSnapshot, QresyncOptions, SelectedMailbox,
};
use mailbox_util::{changes, feed, uids};
use proptest::prelude::*;

fn snapshot(
    uid_validity: u32,
    modseq: u64,
    uids: Vec<std::ops::RangeInclusive<u32>>,
) -> MailboxSnapshot {
    MailboxSnapshot::new(
        NonZeroU32::new(uid_validity).unwrap(), // tests use non-zero values
        NonZeroU64::new(modseq).unwrap(),
        uids,
    )
}

fn resync(s: &MailboxSnapshot) -> SelectedMailbox {
    SelectedMailbox::resync(Mailbox::Inbox, false, s)
}

#[test]
fn select_parameter_encodes_as_rfc7162_says() {
    let s = snapshot(67890007, 90060115194045000, vec![41..=211, 214..=541]);
    let cmd = Command::new(
        Tag::try_from("A03").unwrap(),
        CommandBody::Select {
            mailbox: Mailbox::Inbox,
            parameters: vec![s.select_parameter_with({
                let mut o = QresyncOptions::default();
                o.seq_match_pairs = 0;
                o
            })],
        },
    );
    let mut out = Vec::new();
    encode(&cmd, &mut out);
    assert_eq!(
        out,
        b"A03 SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541))\r\n"
    );
}

#[test]
fn rfc7162_uidvalidity_mismatch() {
    // §3.2.5: the server ignores the other parameters; the cache is void.
    let s = snapshot(
        67890007,
        20050715194045000,
        vec![41..=41, 43..=211, 214..=541],
    );
    let mut mb = resync(&s);
    let got = changes(
        &mut mb,
        r#"
        C: A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))
        S: * 464 EXISTS
        S: * 3 RECENT
        S: * OK [UIDVALIDITY 3857529045] UIDVALIDITY
        S: * OK [UIDNEXT 550] Predicted next UID
        S: * OK [HIGHESTMODSEQ 90060128194045007] Highest mailbox mod-sequence
        S: * OK [UNSEEN 12] Message 12 is first unseen
        S: * FLAGS (\Answered \Flagged \Draft \Deleted \Seen)
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Draft \Deleted \Seen \*)] Permanent flags
        S: A02 OK [READ-WRITE] Sorry, UIDVALIDITY mismatch
        "#,
    );
    assert_eq!(
        got[..3],
        [
            C::Exists {
                exists: 464,
                new: 464
            },
            C::Recent(3),
            C::UidValidityChanged {
                old: 67890007,
                new: 3857529045
            }
        ]
    );
    assert!(!got
        .iter()
        .any(|c| matches!(c, C::Resynced { .. } | C::ResyncNeeded { .. })));
    assert_eq!(mb.uids().unknown(), 464);
    assert_eq!(mb.uid_validity(), Some(3857529045));
}

#[test]
fn rfc7162_partial_known_uids_cannot_be_placed() {
    // §3.2.5.1: the client lists UIDs 41:211,214:541 but the mailbox has
    // other messages below them, so the snapshot is not a prefix of the
    // mailbox: only the fetched pairs are placed, and a resync is needed.
    let s = snapshot(67890007, 90060115194045000, vec![41..=211, 214..=541]);
    let mut mb = resync(&s);
    let got = changes(
        &mut mb,
        r#"
        C: A03 SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541))
        S: * OK [CLOSED]
        S: * 100 EXISTS
        S: * 11 RECENT
        S: * OK [UIDVALIDITY 67890007] UIDVALIDITY
        S: * OK [UIDNEXT 600] Predicted next UID
        S: * OK [HIGHESTMODSEQ 90060115205545359] Highest mailbox mod-sequence
        S: * OK [UNSEEN 7] There are some unseen messages in the mailbox
        S: * FLAGS (\Answered \Flagged \Draft \Deleted \Seen)
        S: * OK [PERMANENTFLAGS (\Answered \Flagged \Draft \Deleted \Seen \*)] Permanent flags
        S: * VANISHED (EARLIER) 41,43:116,118,120:211,214:540
        S: * 49 FETCH (UID 117 FLAGS (\Seen \Answered) MODSEQ (90060115194045001))
        S: * 50 FETCH (UID 119 FLAGS (\Draft $MDNSent) MODSEQ (90060115194045308))
        S: * 51 FETCH (UID 541 FLAGS (\Seen $Forwarded) MODSEQ (90060115194045001))
        S: A03 OK [READ-WRITE] mailbox selected
        "#,
    );
    assert!(got.contains(&C::Vanished {
        uids: vec![41..=41, 43..=116, 118..=118, 120..=211, 214..=540],
        earlier: true
    }));
    assert!(got.contains(&C::FlagsChanged {
        seq: 50,
        uid: Some(119),
        flags: vec![Flag::Draft, Flag::keyword("$MDNSent").unwrap()],
        recent: false,
        modseq: Some(90060115194045308)
    }));
    assert_eq!(got.last(), Some(&C::ResyncNeeded { unknown: 97 }));
    assert_eq!(mb.uid(49), Some(117));
    assert_eq!(mb.uid(51), Some(541));
    assert_eq!(mb.uid(1), None);
    assert_eq!(mb.exists(), 100);
    assert_eq!(mb.highest_modseq(), Some(90060115205545359));
}

/// UIDs divisible by three, 3 to 29997: the mailbox of RFC 7162 §3.2.5.2.
fn thirds() -> MailboxSnapshot {
    snapshot(
        67890007,
        90060115194045000,
        (1..=9999).map(|k| 3 * k..=3 * k).collect(),
    )
}

const THIRDS_SELECT: &str = r#"
    S: * 10003 EXISTS
    S: * 4 RECENT
    S: * OK [UIDVALIDITY 67890007] UIDVALIDITY
    S: * OK [UIDNEXT 30013] Predicted next UID
    S: * OK [HIGHESTMODSEQ 90060115205545359] Highest mailbox mod-sequence
    S: * OK [UNSEEN 7] There are some unseen messages in the mailbox
    S: * FLAGS (\Answered \Flagged \Draft \Deleted \Seen)
    S: * OK [PERMANENTFLAGS (\Answered \Flagged \Draft \Deleted \Seen \*)] Permanent flags
"#;

const THIRDS_FETCH: &str = r#"
    S: * 1 FETCH (UID 3 FLAGS (\Seen \Answered $Important) MODSEQ (90060115194045001))
    S: * 9889 FETCH (UID 29667 FLAGS (\Seen \Answered) MODSEQ (90060115194045027))
    S: * 9890 FETCH (UID 29670 FLAGS (\Draft $MDNSent) MODSEQ (90060115194045028))
    S: * 9999 FETCH (UID 29997 FLAGS (\Seen $Forwarded) MODSEQ (90060115194045031))
"#;

fn check_thirds(mb: &SelectedMailbox, last: &C) {
    assert_eq!(last, &C::Resynced { unknown: 4 });
    assert_eq!(mb.exists(), 10003);
    assert_eq!(mb.uid(5000), Some(15000));
    assert_eq!(mb.seq(29997), Some(9999));
    assert_eq!(mb.uids().runs(), 9999 + 1);
    assert_eq!(
        mb.uids().unknown_seqs().collect::<Vec<_>>(),
        vec![10000..=10003]
    );
}

#[test]
fn rfc7162_sequence_match_example_without_match_data() {
    // §3.2.5.2, first example: a server that cannot remember expunges
    // reports every UID of the range that is not in the mailbox.
    let s = thirds();
    let mut vanished = String::from("S: * VANISHED (EARLIER) ");
    for k in 0..9999 {
        if k > 0 {
            vanished.push(',');
        }
        write!(vanished, "{}:{}", 3 * k + 1, 3 * k + 2).unwrap();
    }
    let mut mb = resync(&s);
    let transcript = format!(
        "{THIRDS_SELECT}\n{vanished}\n{THIRDS_FETCH}\nS: A04 OK [READ-WRITE] mailbox selected"
    );
    let got = changes(&mut mb, &transcript);
    check_thirds(&mb, got.last().unwrap());
}

#[test]
fn rfc7162_sequence_match_example_with_match_data() {
    // §3.2.5.2, second example: the match data spares the VANISHED.
    let s = thirds();
    let SelectParameter::QResync {
        known_uids,
        seq_match_data,
        ..
    } = s.select_parameter()
    else {
        panic!("not QRESYNC");
    };
    // 9999 ranges are too many to send; the match data goes instead.
    assert_eq!(known_uids, None);
    let (seqs, uids) = seq_match_data.unwrap(); // the snapshot has messages
    assert_eq!(
        seqs,
        SequenceSet::try_from(
            "1808,5904,7952,8976,9488,9744,9872,9936,9968,9984,9992,9996,9998,9999"
        )
        .unwrap()
    );
    assert!(uids.contains(3 * 1808, 0) && uids.contains(29997, 0) && !uids.contains(29996, 0));
    let mut mb = resync(&s);
    let got = changes(
        &mut mb,
        &format!("{THIRDS_SELECT}\n{THIRDS_FETCH}\nS: B04 OK [READ-WRITE] mailbox selected"),
    );
    check_thirds(&mb, got.last().unwrap());
}

#[test]
fn rfc7162_offline_changes_that_do_not_add_up() {
    // §6: with only the lines the RFC shows, 185 of the 198 cached UIDs
    // remain for 172 messages, and message 2 is said to be UID 6 where the
    // cache puts UID 6 first: the snapshot is not applied.
    let s = snapshot(3857529045, 20010715194032001, vec![1..=198]);
    let mut mb = resync(&s);
    let got = changes(
        &mut mb,
        r#"
        C: A142 SELECT INBOX (QRESYNC (3857529045 20010715194032001 1:198))
        S: * 172 EXISTS
        S: * 1 RECENT
        S: * OK [UNSEEN 12] Message 12 is first unseen
        S: * OK [UIDVALIDITY 3857529045] UIDs valid
        S: * OK [UIDNEXT 201] Predicted next UID
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * OK [PERMANENTFLAGS (\Deleted \Seen \*)] Limited
        S: * OK [HIGHESTMODSEQ 20010715194045007] Highest mailbox mod-sequence
        S: * VANISHED (EARLIER) 1:5,7:8,10:15
        S: * 2 FETCH (UID 6 MODSEQ (20010715205008000) FLAGS (\Deleted))
        S: * 5 FETCH (UID 9 MODSEQ (20010715195517000) FLAGS ($NoJunk $AutoJunk $MDNSent))
        S: A142 OK [READ-WRITE] SELECT completed
        "#,
    );
    assert_eq!(got.last(), Some(&C::ResyncNeeded { unknown: 170 }));
    assert_eq!(mb.uid(2), Some(6));
    assert_eq!(mb.uid(5), Some(9));
}

/// The start of a SELECT answer for the snapshot of `small()`.
fn small_select(exists: u32) -> String {
    format!(
        "S: * {exists} EXISTS
        S: * OK [UIDVALIDITY 7] UIDs valid
        S: * OK [UIDNEXT 30] Predicted next UID"
    )
}

/// A snapshot of UIDs 1:5, 10 and 12.
fn small() -> MailboxSnapshot {
    snapshot(7, 100, vec![1..=5, 10..=10, 12..=12])
}

#[test]
fn resync_applies_and_places_new_messages() {
    // 3 and 10 went; 12 changed; 21 is new and changed, two more are new.
    let s = small();
    let mut mb = resync(&s);
    let got = changes(
        &mut mb,
        &format!(
            "{}
            S: * OK [HIGHESTMODSEQ 120]
            S: * VANISHED (EARLIER) 3,6:11
            S: * 5 FETCH (UID 12 FLAGS (\\Seen) MODSEQ (110))
            S: * 7 FETCH (UID 21 FLAGS () MODSEQ (115))
            S: A1 OK [READ-WRITE] done",
            small_select(8)
        ),
    );
    assert_eq!(got.last(), Some(&C::Resynced { unknown: 2 }));
    assert_eq!(
        uids(&mb),
        vec![
            Some(1),
            Some(2),
            Some(4),
            Some(5),
            Some(12),
            None,
            Some(21),
            None
        ]
    );
    assert_eq!(mb.highest_modseq(), Some(120));
    // Nothing changed at all.
    let mut mb = resync(&s);
    let got = changes(
        &mut mb,
        &format!("{}\nS: * OK [HIGHESTMODSEQ 100]\nS: A1 OK", small_select(7)),
    );
    assert_eq!(got.last(), Some(&C::Resynced { unknown: 0 }));
    assert_eq!(mb.uids().uid_ranges().collect::<Vec<_>>(), s.uids());
}

#[test]
fn resync_needs_highestmodseq() {
    let s = small();
    // Without HIGHESTMODSEQ the server did not resync anything.
    let mut mb = resync(&s);
    let got = changes(&mut mb, &format!("{}\nS: A1 OK done", small_select(7)));
    assert_eq!(got.last(), Some(&C::ResyncNeeded { unknown: 7 }));
    let mut mb = resync(&s);
    let got = changes(
        &mut mb,
        &format!("{}\nS: * OK [NOMODSEQ] no\nS: A1 OK done", small_select(7)),
    );
    assert_eq!(
        got[got.len() - 2..],
        [C::NoModSeq, C::ResyncNeeded { unknown: 7 }]
    );
}

#[test]
fn resync_failures() {
    let s = small();
    let run = |lines: &str| {
        let mut mb = resync(&s);
        let text = format!(
            "{}\nS: * OK [HIGHESTMODSEQ 120]\n{lines}\nS: A1 OK",
            small_select(7)
        );
        let got = changes(&mut mb, &text);
        (mb, got.last().cloned())
    };
    // A cached UID at another place than the server says.
    let (mb, last) = run("S: * 2 FETCH (UID 3)");
    assert_eq!(last, Some(C::ResyncNeeded { unknown: 6 }));
    assert_eq!(mb.uid(2), Some(3));
    // A UID below the snapshot's largest that the snapshot does not know,
    // at the place of a cached one or after them.
    let (_, last) = run("S: * 7 FETCH (UID 11)");
    assert_eq!(last, Some(C::ResyncNeeded { unknown: 6 }));
    let (_, last) = run("S: * VANISHED (EARLIER) 12\nS: * 7 FETCH (UID 11)");
    assert_eq!(last, Some(C::ResyncNeeded { unknown: 6 }));
    // An EXPUNGE of a message whose UID is unknown.
    let (mb, last) = run("S: * 2 EXPUNGE");
    assert_eq!(last, Some(C::ResyncNeeded { unknown: 6 }));
    assert_eq!(mb.exists(), 6);
    // An EXPUNGE of a message whose UID is known is accounted for.
    let (mb, last) = run("S: * 3 FETCH (UID 3)\nS: * 3 EXPUNGE");
    assert_eq!(last, Some(C::Resynced { unknown: 0 }));
    assert_eq!(uids(&mb), [1, 2, 4, 5, 10, 12].map(Some).to_vec());
    // A VANISHED (not EARLIER) during the SELECT counts for both.
    let (mb, last) = run("S: * VANISHED 3");
    assert_eq!(last, Some(C::Resynced { unknown: 0 }));
    assert_eq!(uids(&mb), [1, 2, 4, 5, 10, 12].map(Some).to_vec());
    // More cached UIDs left than messages.
    let mut mb = resync(&s);
    let got = changes(
        &mut mb,
        &format!("{}\nS: * OK [HIGHESTMODSEQ 120]\nS: A1 OK", small_select(6)),
    );
    assert_eq!(got.last(), Some(&C::ResyncNeeded { unknown: 6 }));
    // No UIDVALIDITY at all: nothing the cache holds can be trusted.
    let mut mb = resync(&s);
    let got = changes(
        &mut mb,
        "S: * 7 EXISTS\nS: * OK [HIGHESTMODSEQ 120]\nS: A1 OK",
    );
    assert_eq!(got.first(), Some(&C::Exists { exists: 7, new: 7 }));
    assert_eq!(
        got[1..],
        [
            C::HighestModSeq(120),
            C::UidValidityChanged { old: 7, new: 0 }
        ]
    );
    assert_eq!(mb.uids().unknown(), 7);
}

// ---- End to end: a simulated server and two clients -------------------

const FLAGS: [&str; 6] = [
    "\\Seen",
    "\\Flagged",
    "\\Answered",
    "\\Deleted",
    "$Forwarded",
    "$Junk",
];

#[derive(Debug, Clone)]
struct Msg {
    uid: u32,
    flags: u8,
    modseq: u64,
}

/// A mailbox on a QRESYNC server.
#[derive(Debug, Clone)]
struct Server {
    uid_validity: u32,
    uid_next: u32,
    modseq: u64,
    msgs: Vec<Msg>,
    /// Expunged UIDs with the mod-sequence of their expunge.
    expunged: Vec<(u32, u64)>,
    /// Whether VANISHED (EARLIER) lists every missing UID of the range
    /// (a server that does not remember expunges, RFC 7162 §3.2.5.2).
    forgetful: bool,
}

#[derive(Debug, Clone)]
enum Op {
    Append(u8),
    Store(usize, u8),
    Expunge(usize),
}

fn flag_list(mask: u8) -> String {
    let v: Vec<&str> = (0..6)
        .filter(|i| mask & (1 << i) != 0)
        .map(|i| FLAGS[i])
        .collect();
    v.join(" ")
}

fn set_text(uids: &[u32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < uids.len() {
        let mut j = i;
        while j + 1 < uids.len() && uids[j + 1] == uids[j] + 1 {
            j += 1;
        }
        if !out.is_empty() {
            out.push(',');
        }
        if i == j {
            write!(out, "{}", uids[i]).unwrap();
        } else {
            write!(out, "{}:{}", uids[i], uids[j]).unwrap();
        }
        i = j + 1;
    }
    out
}

impl Server {
    fn new(size: usize, forgetful: bool) -> Self {
        let mut s = Self {
            uid_validity: 1000,
            uid_next: 1,
            modseq: 1,
            msgs: Vec::new(),
            expunged: Vec::new(),
            forgetful,
        };
        for i in 0..size {
            s.apply(&Op::Append((i as u8).wrapping_mul(7)));
            if i % 3 == 1 {
                s.uid_next += 2; // gaps, as after expunges
            }
        }
        s
    }

    fn fetch_line(&self, i: usize) -> String {
        let m = &self.msgs[i];
        format!(
            "* {} FETCH (UID {} FLAGS ({}) MODSEQ ({}))",
            i + 1,
            m.uid,
            flag_list(m.flags),
            m.modseq
        )
    }

    /// Applies `op`; returns what a connected client is told.
    fn apply(&mut self, op: &Op) -> Vec<String> {
        self.modseq += 1;
        match *op {
            Op::Append(flags) => {
                self.msgs.push(Msg {
                    uid: self.uid_next,
                    flags: flags & 0x3f,
                    modseq: self.modseq,
                });
                self.uid_next += 1;
                vec![format!("* {} EXISTS", self.msgs.len())]
            }
            Op::Store(i, _) | Op::Expunge(i) if self.msgs.is_empty() => {
                let _ = i;
                vec![]
            }
            Op::Store(i, flags) => {
                let i = i % self.msgs.len();
                self.msgs[i].flags = flags & 0x3f;
                self.msgs[i].modseq = self.modseq;
                vec![self.fetch_line(i)]
            }
            Op::Expunge(i) => {
                let m = self.msgs.remove(i % self.msgs.len());
                self.expunged.push((m.uid, self.modseq));
                vec![format!("* VANISHED {}", m.uid)]
            }
        }
    }

    fn select_lines(&self) -> Vec<String> {
        vec![
            format!("* {} EXISTS", self.msgs.len()),
            format!("* OK [UIDVALIDITY {}] UIDs valid", self.uid_validity),
            format!("* OK [UIDNEXT {}] Predicted next UID", self.uid_next),
            format!("* FLAGS ({} \\Draft)", flag_list(0x3f)),
            format!("* OK [PERMANENTFLAGS ({} \\*)] Limited", flag_list(0x3f)),
            format!("* OK [HIGHESTMODSEQ {}] Highest", self.modseq),
        ]
    }

    /// The answer to `SELECT INBOX (QRESYNC (...))`.
    fn qresync(&self, param: &SelectParameter<'_>) -> Vec<String> {
        let SelectParameter::QResync {
            uid_validity,
            mod_seq,
            known_uids,
            ..
        } = param
        else {
            panic!("not QRESYNC");
        };
        let mut lines = self.select_lines();
        if uid_validity.get() == self.uid_validity {
            let known = |uid: u32| match known_uids {
                Some(set) => set.contains(uid, 0),
                None => uid < self.uid_next,
            };
            let mut gone: Vec<u32> = if self.forgetful {
                let present: Vec<u32> = self.msgs.iter().map(|m| m.uid).collect();
                (1..self.uid_next)
                    .filter(|u| known(*u) && present.binary_search(u).is_err())
                    .collect()
            } else {
                self.expunged
                    .iter()
                    .filter(|&&(u, m)| m > mod_seq.get() && known(u))
                    .map(|&(u, _)| u)
                    .collect()
            };
            gone.sort_unstable();
            if !gone.is_empty() {
                lines.push(format!("* VANISHED (EARLIER) {}", set_text(&gone)));
            }
            for (i, m) in self.msgs.iter().enumerate() {
                if m.modseq > mod_seq.get() && known(m.uid) {
                    lines.push(self.fetch_line(i));
                }
            }
        }
        lines.push("S1 OK [READ-WRITE] selected".into());
        lines
    }
}

/// A client: its model and its flag cache, kept from the changes only.
struct Client {
    mb: SelectedMailbox,
    cache: BTreeMap<u32, (Vec<Flag<'static>>, Option<u64>)>,
}

impl Client {
    fn run(&mut self, lines: &[String]) -> Vec<C> {
        let mut all = Vec::new();
        for line in lines {
            for out in feed(&mut self.mb, line) {
                let mailbox_util::Out::Change(c) = out else {
                    panic!("violation on {line:?}: {out:?}");
                };
                match &c {
                    C::FlagsChanged {
                        uid, flags, modseq, ..
                    } => {
                        let uid = uid.expect("every FETCH here carries the UID");
                        self.cache.insert(uid, (flags.clone(), *modseq));
                    }
                    C::Vanished { uids, .. } => {
                        for r in uids {
                            let gone: Vec<u32> =
                                self.cache.range(r.clone()).map(|(u, _)| *u).collect();
                            for u in gone {
                                self.cache.remove(&u);
                            }
                        }
                    }
                    C::Expunged { uid: Some(u), .. } => {
                        self.cache.remove(u);
                    }
                    C::UidValidityChanged { .. } => self.cache.clear(),
                    _ => {}
                }
                all.push(c);
            }
        }
        all
    }

    /// Fetches UID, FLAGS and MODSEQ of the messages whose UIDs are unknown.
    fn fetch_unknown(&mut self, server: &Server) {
        let seqs: Vec<_> = self.mb.uids().unknown_seqs().collect();
        let mut lines: Vec<String> = seqs
            .into_iter()
            .flatten()
            .map(|s| server.fetch_line(s as usize - 1))
            .collect();
        lines.push("F1 OK FETCH completed".into());
        self.run(&lines);
    }

    /// A client that selects and fetches everything.
    fn full_sync(server: &Server) -> Self {
        let mut c = Self {
            mb: SelectedMailbox::new(Mailbox::Inbox, false),
            cache: BTreeMap::new(),
        };
        let mut lines = server.select_lines();
        lines.push("S1 OK [READ-WRITE] selected".into());
        c.run(&lines);
        c.fetch_unknown(server);
        c
    }
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => any::<u8>().prop_map(Op::Append),
        3 => (any::<usize>(), any::<u8>()).prop_map(|(i, f)| Op::Store(i, f)),
        2 => any::<usize>().prop_map(Op::Expunge),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(160))]

    #[test]
    fn resync_equals_a_fresh_full_sync(
        size in 0usize..60,
        live in proptest::collection::vec((op(), any::<bool>()), 0..12),
        offline in proptest::collection::vec(op(), 0..30),
        forgetful in any::<bool>(),
        send_known_uids in any::<bool>(),
        recreate in proptest::bool::weighted(0.1),
    ) {
        let mut server = Server::new(size, forgetful);
        let mut a = Client::full_sync(&server);
        // Connected: the server tells A about changes; A fetches new
        // messages only sometimes (then the snapshot stops before them).
        for (op, fetch_new) in &live {
            let mut lines = server.apply(op);
            lines.push("N1 OK NOOP completed".into());
            a.run(&lines);
            if *fetch_new {
                a.fetch_unknown(&server);
            }
        }
        let snapshot = a.mb.snapshot().expect("HIGHESTMODSEQ and UIDVALIDITY are known");
        // What the cache keeps is what the snapshot covers: a UID learned
        // after the first unknown one (a STORE on a new message the client
        // never fetched) is left out of the snapshot, so the server will not
        // report its expunge; the cache forgets it and fetches it again.
        a.cache.retain(|uid, _| snapshot.uids().iter().any(|r| r.contains(uid)));
        // Offline: other devices change the mailbox.
        for op in &offline {
            server.apply(op);
        }
        if recreate {
            server.uid_validity += 1;
            for (i, m) in server.msgs.iter_mut().enumerate() {
                m.uid = i as u32 + 1;
            }
            server.uid_next = server.msgs.len() as u32 + 1;
            server.expunged.clear();
        }
        // A reconnects with QRESYNC.
        let mut options = QresyncOptions::default();
        if !send_known_uids {
            options.max_known_uid_ranges = 0;
        }
        let param = snapshot.select_parameter_with(options);
        a.mb = SelectedMailbox::resync(Mailbox::Inbox, false, &snapshot);
        let got = a.run(&server.qresync(&param));
        if recreate {
            let void = got.iter().any(|c| matches!(c, C::UidValidityChanged { .. }));
            prop_assert!(void, "the cache is declared void");
        } else {
            let unknown = a.mb.uids().unknown();
            prop_assert_eq!(got.last(), Some(&C::Resynced { unknown }));
            // Unknown UIDs are only those of new messages, at the end.
            if unknown > 0 {
                let top = snapshot.uids().last().map_or(0, |r| *r.end());
                let first = a.mb.uids().unknown_seqs().next().map_or(0, |r| *r.start());
                let new = server.msgs[first as usize - 1].uid > top;
                prop_assert!(new, "unknown UIDs are above the snapshot's");
            }
        }
        a.fetch_unknown(&server);
        let fresh = Client::full_sync(&server);
        prop_assert_eq!(a.mb.uids(), fresh.mb.uids());
        prop_assert_eq!(a.mb.exists(), server.msgs.len() as u32);
        prop_assert_eq!(a.mb.uid_validity(), fresh.mb.uid_validity());
        prop_assert_eq!(a.mb.uid_next(), fresh.mb.uid_next());
        prop_assert_eq!(a.mb.highest_modseq(), fresh.mb.highest_modseq());
        prop_assert_eq!(a.mb.flags(), fresh.mb.flags());
        prop_assert_eq!(a.mb.permanent_flags(), fresh.mb.permanent_flags());
        prop_assert_eq!(&a.cache, &fresh.cache);
        prop_assert_eq!(a.cache.len(), server.msgs.len());
    }
}
