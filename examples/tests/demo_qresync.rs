//! QRESYNC (RFC 7162 §3.2) in the demo server: `* VANISHED` replaces
//! `* n EXPUNGE` once a client enabled it (§3.2.10: EXPUNGE, UID EXPUNGE,
//! MOVE, another session's expunges at NOOP and in IDLE), SELECT with the
//! QRESYNC parameter reports `VANISHED (EARLIER)` and the changed flags
//! (§3.2.5), UID FETCH with CHANGEDSINCE and VANISHED likewise (§3.2.6),
//! also after the journal forgot the expunges (§3.2.5.2); and the library's
//! own Client resynchronizes a cached snapshot against it.
//!
//! The servers listen on the loopback ports 12960-12979.

mod demo_util;

use std::time::Instant;

use demo_util::imap::{fetches, number, vanished, Imap};
use demo_util::{message, run, DemoServer};
use imap_examples::blocking::{tls_config, Security, Session};
use imapkit_proto::{Capability, Mailbox, Secret, Vec1};
use imapkit_state::client::{ClientConfig, Event};
use imapkit_state::mailbox::MailboxChange;

fn start(name: &str, port: u16) -> DemoServer {
    demo_util::start(&format!("qresync-{name}"), port)
}

/// APPEND of message `n` to INBOX; its UID.
fn append(c: &mut Imap, n: usize) -> u32 {
    let (_, done) = c.cmd_literal("APPEND INBOX ()", &message(n));
    let at = done.find("[APPENDUID ").expect(&done) + 11;
    done[at..]
        .split([' ', ']'])
        .nth(1)
        .and_then(|u| u.parse().ok())
        .unwrap_or_else(|| panic!("{done}"))
}

/// A session that enabled QRESYNC.
fn qresync_session(demo: &DemoServer) -> Imap {
    let mut c = Imap::of(demo, "alice");
    assert_eq!(
        c.ok("ENABLE QRESYNC"),
        vec!["* ENABLED QRESYNC".to_string()]
    );
    c
}

/// The current MODSEQ of the message with `uid` (seen from `c`).
fn modseq_of(c: &mut Imap, uid: u32) -> u64 {
    let lines = c.ok(format!("UID FETCH {uid} (MODSEQ)"));
    number(&lines, "MODSEQ").unwrap_or_else(|| panic!("{lines:?}"))
}

#[test]
fn vanished_replaces_expunge_and_resync_reports_what_changed() {
    let demo = start("raw", 12960);
    let mut a = Imap::of(&demo, "alice");
    let caps = a.ok("CAPABILITY");
    assert!(caps[0].contains(" QRESYNC"), "{caps:?}");
    assert_eq!(
        a.ok("ENABLE QRESYNC"),
        vec!["* ENABLED QRESYNC".to_string()]
    );
    let uids: Vec<u32> = (1..=5).map(|n| append(&mut a, n)).collect();
    assert_eq!(uids, [1, 2, 3, 4, 5]);
    let lines = a.ok("SELECT INBOX");
    let uid_validity = number(&lines, "UIDVALIDITY").unwrap();
    let h0 = number(&lines, "HIGHESTMODSEQ").unwrap();
    assert!(vanished(&lines).is_empty(), "{lines:?}");

    // A session without QRESYNC expunges two and flags one: it gets
    // EXPUNGE, the QRESYNC session VANISHED at its NOOP.
    let mut b = Imap::of(&demo, "alice");
    b.ok("SELECT INBOX");
    b.ok("UID STORE 2,4 +FLAGS.SILENT (\\Deleted)");
    let lines = b.ok("EXPUNGE");
    assert_eq!(lines, ["* 2 EXPUNGE", "* 3 EXPUNGE"]);
    b.ok("UID STORE 5 +FLAGS (\\Flagged)");
    let m5 = modseq_of(&mut b, 5);
    let lines = a.ok("NOOP");
    assert!(!lines.iter().any(|l| l.ends_with("EXPUNGE")), "{lines:?}");
    assert_eq!(vanished(&lines), ["* VANISHED 2,4"], "{lines:?}");
    // (The messages are \Recent in the session that selected first.)
    assert_eq!(
        fetches(&lines),
        [&format!(
            "* 3 FETCH (UID 5 FLAGS (\\Flagged \\Recent) MODSEQ ({m5}))"
        )],
        "{lines:?}"
    );
    assert!(a.ok("NOOP").is_empty(), "each change once");

    // A third session resynchronizes from h0, knowing UIDs 1:5.
    let mut c = qresync_session(&demo);
    let lines = c.ok(format!("SELECT INBOX (QRESYNC ({uid_validity} {h0} 1:5))"));
    assert_eq!(vanished(&lines), ["* VANISHED (EARLIER) 2,4"], "{lines:?}");
    assert_eq!(
        fetches(&lines),
        [&format!(
            "* 3 FETCH (UID 5 FLAGS (\\Flagged) MODSEQ ({m5}))"
        )],
        "{lines:?}"
    );
    // After the usual answer, the VANISHED before the FETCH (§3.2.5.1, §3.2.6).
    let at = |p: &str| lines.iter().position(|l| l.starts_with(p)).unwrap();
    assert!(at("* OK [HIGHESTMODSEQ") < at("* VANISHED"), "{lines:?}");
    assert!(at("* VANISHED") < at("* 3 FETCH"), "{lines:?}");
    assert!(lines.iter().any(|l| l == "* 3 EXISTS"), "{lines:?}");
    // Without known UIDs: 1:<UIDNEXT-1>, the same here.
    let lines = c.ok(format!("EXAMINE INBOX (QRESYNC ({uid_validity} {h0}))"));
    assert_eq!(vanished(&lines), ["* VANISHED (EARLIER) 2,4"], "{lines:?}");
    assert_eq!(fetches(&lines).len(), 1, "{lines:?}");
    // Known UIDs limit both: 1:3 knows neither 4 nor 5.
    let lines = c.ok(format!("SELECT INBOX (QRESYNC ({uid_validity} {h0} 1:3))"));
    assert_eq!(vanished(&lines), ["* VANISHED (EARLIER) 2"], "{lines:?}");
    assert!(fetches(&lines).is_empty(), "{lines:?}");
    // From the flag change on, nothing vanished and nothing changed.
    let lines = c.ok(format!("SELECT INBOX (QRESYNC ({uid_validity} {m5} 1:5))"));
    assert!(vanished(&lines).is_empty(), "{lines:?}");
    assert!(fetches(&lines).is_empty(), "{lines:?}");
    // Another UIDVALIDITY: the plain answer (§3.2.5).
    let other = uid_validity + 1;
    let lines = c.ok(format!("SELECT INBOX (QRESYNC ({other} {h0} 1:5))"));
    assert!(vanished(&lines).is_empty(), "{lines:?}");
    assert!(fetches(&lines).is_empty(), "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("* OK [UIDVALIDITY {uid_validity}]"))),
        "{lines:?}"
    );

    // UID FETCH with CHANGEDSINCE and VANISHED (§3.2.6).
    let lines = c.ok(format!(
        "UID FETCH 1:* (FLAGS) (CHANGEDSINCE {h0} VANISHED)"
    ));
    assert_eq!(
        lines,
        [
            "* VANISHED (EARLIER) 2,4".to_string(),
            format!("* 3 FETCH (UID 5 FLAGS (\\Flagged) MODSEQ ({m5}))"),
        ]
    );
    let lines = c.ok(format!(
        "UID FETCH 3:4 (FLAGS) (CHANGEDSINCE {h0} VANISHED)"
    ));
    assert_eq!(lines, ["* VANISHED (EARLIER) 4"]);
    // Refused: with FETCH, without CHANGEDSINCE, without ENABLE QRESYNC.
    let (_, done) = c.cmd(format!("FETCH 1:* (FLAGS) (CHANGEDSINCE {h0} VANISHED)"));
    assert!(done.starts_with("BAD"), "{done}");
    let (_, done) = c.cmd("UID FETCH 1:* (FLAGS) (VANISHED)");
    assert!(done.starts_with("BAD"), "{done}");
    let (_, done) = b.cmd(format!(
        "UID FETCH 1:* (FLAGS) (CHANGEDSINCE {h0} VANISHED)"
    ));
    assert!(done.starts_with("BAD"), "{done}");
    let (_, done) = b.cmd(format!("SELECT INBOX (QRESYNC ({uid_validity} {h0}))"));
    assert!(done.starts_with("BAD"), "{done}");

    // Pushed during IDLE: VANISHED, not EXPUNGE.
    let tag = a.next_tag();
    a.send(format!("{tag} IDLE\r\n").as_bytes());
    assert!(a.line().starts_with("+ "));
    b.ok("SELECT INBOX");
    b.ok("UID STORE 1 +FLAGS.SILENT (\\Deleted)");
    b.ok("UID EXPUNGE 1");
    // The \Deleted flag change may come first.
    let mut pushed = vec![a.line()];
    while !pushed.last().unwrap().starts_with("* VANISHED") {
        pushed.push(a.line());
    }
    assert_eq!(pushed.last().unwrap(), "* VANISHED 1", "{pushed:?}");
    assert!(pushed.len() <= 2, "{pushed:?}");
    a.send(b"DONE\r\n");
    let (rest, done) = a.wait(&tag);
    assert!(done.starts_with("OK"), "{done} {rest:?}");
    assert!(rest.is_empty(), "{rest:?}");

    // The session's own EXPUNGE and MOVE.
    assert_eq!(append(&mut b, 6), 6);
    assert_eq!(append(&mut b, 7), 7);
    let lines = a.ok("NOOP");
    assert_eq!(lines, ["* 4 EXISTS"], "{lines:?}");
    a.ok("UID STORE 6:7 +FLAGS.SILENT (\\Deleted)");
    let lines = a.ok("EXPUNGE");
    assert_eq!(lines, ["* VANISHED 6:7"]);
    let lines = a.ok("UID MOVE 3 Trash");
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("* OK [COPYUID "), "{lines:?}");
    assert_eq!(lines[1], "* VANISHED 3");
    // The session without QRESYNC still gets EXPUNGE.
    let lines = b.ok("NOOP");
    assert!(vanished(&lines).is_empty(), "{lines:?}");
    assert_eq!(
        lines.iter().filter(|l| l.ends_with(" EXPUNGE")).count(),
        3,
        "{lines:?}"
    );
    // And the whole story from h0: 1, 2, 3, 4, 6 and 7 are gone.
    let mut d = qresync_session(&demo);
    let lines = d.ok(format!("SELECT INBOX (QRESYNC ({uid_validity} {h0} 1:5))"));
    assert_eq!(vanished(&lines), ["* VANISHED (EARLIER) 1:4"], "{lines:?}");
    let lines = d.ok(format!("SELECT INBOX (QRESYNC ({uid_validity} {h0}))"));
    assert_eq!(
        vanished(&lines),
        ["* VANISHED (EARLIER) 1:4,6:7"],
        "{lines:?}"
    );
}

/// Once the journal was compacted the expunges before it are forgotten:
/// VANISHED (EARLIER) then names every UID of the range that is not in the
/// mailbox (more than the client needs, never fewer, §3.2.5.2), and the
/// client's sequence match data narrows it.
#[test]
fn after_compaction_every_missing_uid_is_vanished() {
    let demo = start("compacted", 12962);
    let mut a = qresync_session(&demo);
    for n in 1..=6 {
        append(&mut a, n);
    }
    a.ok("SELECT INBOX");
    // The client knows that 2 is gone, and caches from h0 on.
    a.ok("UID STORE 2 +FLAGS.SILENT (\\Deleted)");
    a.ok("UID EXPUNGE 2");
    let lines = a.ok("STATUS INBOX (HIGHESTMODSEQ UIDVALIDITY)");
    let h0 = number(&lines, "HIGHESTMODSEQ").unwrap();
    let uid_validity = number(&lines, "UIDVALIDITY").unwrap();
    a.ok("UID STORE 4 +FLAGS.SILENT (\\Deleted)");
    a.ok("UID EXPUNGE 4");
    // Before compaction: exactly 4.
    let mut c = qresync_session(&demo);
    let lines = c.ok(format!("SELECT INBOX (QRESYNC ({uid_validity} {h0}))"));
    assert_eq!(vanished(&lines), ["* VANISHED (EARLIER) 4"], "{lines:?}");
    c.ok("UNSELECT");

    // More than a thousand flag changes: the journal is rewritten as a
    // snapshot (pipelined, 4 records a STORE).
    for batch in 0..6 {
        let mut tags = Vec::new();
        let mut bytes = Vec::new();
        for k in 0..50 {
            let tag = a.next_tag();
            let sign = if (batch * 50 + k) % 2 == 0 { '+' } else { '-' };
            bytes.extend_from_slice(
                format!("{tag} STORE 1:* {sign}FLAGS.SILENT (\\Seen)\r\n").as_bytes(),
            );
            tags.push(tag);
        }
        a.send(&bytes);
        for tag in tags {
            let (_, done) = a.wait(&tag);
            assert!(done.starts_with("OK"), "{done}");
        }
    }

    // Now 2 and 4: 2 was expunged before h0, but the compacted journal
    // cannot tell.
    let lines = c.ok(format!("SELECT INBOX (QRESYNC ({uid_validity} {h0}))"));
    assert_eq!(vanished(&lines), ["* VANISHED (EARLIER) 2,4"], "{lines:?}");
    // Every message changed since h0.
    assert_eq!(fetches(&lines).len(), 4, "{lines:?}");
    let lines = c.ok(format!("UID FETCH 1:* (UID) (CHANGEDSINCE {h0} VANISHED)"));
    assert_eq!(vanished(&lines), ["* VANISHED (EARLIER) 2,4"], "{lines:?}");
    let lines = c.ok(format!("UID FETCH 3:5 (UID) (CHANGEDSINCE {h0} VANISHED)"));
    assert_eq!(vanished(&lines), ["* VANISHED (EARLIER) 4"], "{lines:?}");
    // Sequence match data: messages 1 and 2 are UIDs 1 and 3 for the
    // client as for the server, so it knows of every expunge up to UID 3.
    let lines = c.ok(format!(
        "SELECT INBOX (QRESYNC ({uid_validity} {h0} 1,3:6 (1:2 1,3)))"
    ));
    assert_eq!(vanished(&lines), ["* VANISHED (EARLIER) 4"], "{lines:?}");
    // A pair that does not match: from the start.
    let lines = c.ok(format!(
        "SELECT INBOX (QRESYNC ({uid_validity} {h0} 1:6 (1:2 1,2)))"
    ));
    assert_eq!(vanished(&lines), ["* VANISHED (EARLIER) 2,4"], "{lines:?}");
    // Pairs that do not pair up: BAD.
    let (_, done) = c.cmd(format!(
        "SELECT INBOX (QRESYNC ({uid_validity} {h0} 1:6 (1:2 1)))"
    ));
    assert!(done.starts_with("BAD"), "{done}");
}

/// The library's Client, logged in as alice, QRESYNC enabled.
fn client(demo: &DemoServer) -> Session {
    let tls = tls_config(Some(&demo.cert)).unwrap();
    let mut s = Session::connect(
        "localhost",
        demo.tls_port,
        Security::Tls,
        tls,
        ClientConfig::default(),
    )
    .unwrap();
    let h = s
        .client
        .login(Instant::now(), "alice", Secret::new("wonderland".into()))
        .unwrap();
    s.wait(h).unwrap().1.result().unwrap();
    let h = s
        .client
        .enable(Instant::now(), Vec1::new(Capability::QResync))
        .unwrap();
    s.wait(h).unwrap().1.result().unwrap();
    assert!(s.client.capabilities().is_enabled(&Capability::QResync));
    s
}

/// The UIDs of the Client's selected mailbox, by message number.
fn model_uids(s: &Session) -> Vec<Option<u32>> {
    let m = s.client.mailbox().expect("a mailbox is selected");
    (1..=m.exists()).map(|n| m.uid(n)).collect()
}

#[test]
fn library_client_resyncs_a_snapshot_from_an_earlier_session() {
    let demo = start("client", 12964);
    let mut raw = Imap::of(&demo, "alice");
    for n in 1..=5 {
        append(&mut raw, n);
    }
    // The first session caches the mailbox.
    let mut s = client(&demo);
    run(&mut s, "SELECT INBOX");
    run(&mut s, "UID FETCH 1:* (FLAGS)");
    assert_eq!(model_uids(&s), [1, 2, 3, 4, 5].map(Some));
    let snapshot = s.client.mailbox().unwrap().snapshot().expect("a snapshot");
    assert_eq!(snapshot.uids(), [1..=5]);
    run(&mut s, "LOGOUT");
    drop(s);

    // Meanwhile: 2 and 4 expunged, 5 flagged.
    raw.ok("SELECT INBOX");
    raw.ok("UID STORE 2,4 +FLAGS.SILENT (\\Deleted)");
    raw.ok("EXPUNGE");
    raw.ok("UID STORE 5 +FLAGS (\\Flagged)");

    let mut s = client(&demo);
    let h = s
        .client
        .select_qresync(Instant::now(), Mailbox::Inbox, snapshot, false)
        .unwrap();
    let (events, done) = s.wait(h).unwrap();
    done.result().unwrap();
    let changes: Vec<&MailboxChange> = events
        .iter()
        .filter_map(|e| match e {
            Event::Mailbox(c) => Some(c),
            _ => None,
        })
        .collect();
    assert!(
        changes
            .iter()
            .any(|c| matches!(c, MailboxChange::Resynced { unknown: 0 })),
        "{changes:?}"
    );
    assert!(
        changes
            .iter()
            .any(|c| matches!(c, MailboxChange::Vanished { earlier: true, .. })),
        "{changes:?}"
    );
    assert!(
        changes.iter().any(|c| matches!(
            c,
            MailboxChange::FlagsChanged { uid: Some(5), flags, .. }
                if flags.contains(&imapkit_proto::Flag::Flagged)
        )),
        "{changes:?}"
    );
    assert_eq!(model_uids(&s), [1, 3, 5].map(Some));

    // Live: another session's expunge comes as VANISHED, which the model
    // applies.
    raw.ok("UID STORE 3 +FLAGS.SILENT (\\Deleted)");
    raw.ok("UID EXPUNGE 3");
    let events = run(&mut s, "NOOP");
    assert!(
        events.iter().any(|e| matches!(
            e,
            Event::Mailbox(MailboxChange::Vanished { earlier: false, .. })
        )),
        "{events:?}"
    );
    assert_eq!(model_uids(&s), [1, 5].map(Some));
    // A new snapshot resyncs with nothing to report.
    let snapshot = s.client.mailbox().unwrap().snapshot().unwrap();
    assert_eq!(snapshot.uids(), [1..=1, 5..=5]);
    let h = s
        .client
        .select_qresync(Instant::now(), Mailbox::Inbox, snapshot, true)
        .unwrap();
    let (events, done) = s.wait(h).unwrap();
    done.result().unwrap();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Mailbox(MailboxChange::Resynced { unknown: 0 }))),
        "{events:?}"
    );
    assert!(
        !events.iter().any(|e| matches!(
            e,
            Event::Mailbox(MailboxChange::Vanished { .. } | MailboxChange::FlagsChanged { .. })
        )),
        "{events:?}"
    );
    assert_eq!(model_uids(&s), [1, 5].map(Some));
}

/// What a QRESYNC client knows of the message numbers: UIDs by number
/// (0: not known yet), kept by the VANISHED, EXISTS and FETCH it reads.
struct Numbers(Vec<u32>);

impl Numbers {
    /// Applies the responses in order; a FETCH whose UID disagrees with
    /// the numbering the client has fails the test.
    fn apply(&mut self, lines: &[String]) {
        for l in lines {
            if let Some(set) = l.strip_prefix("* VANISHED ") {
                assert!(!set.starts_with('('), "{l}");
                let gone = uid_set(set);
                self.0.retain(|u| !gone.contains(u));
            } else if let Some(n) = l.strip_prefix("* ").and_then(|r| r.strip_suffix(" EXISTS")) {
                self.0.resize(n.parse().unwrap(), 0);
            } else if let Some((n, rest)) = l.strip_prefix("* ").and_then(|r| r.split_once(' ')) {
                if let Some(uid) = rest.strip_prefix("FETCH (UID ") {
                    let n: usize = n.parse().unwrap();
                    let uid: u32 = uid
                        .split([' ', ')'])
                        .next()
                        .and_then(|u| u.parse().ok())
                        .unwrap();
                    let slot = &mut self.0[n - 1];
                    assert!(
                        *slot == 0 || *slot == uid,
                        "{l}: the client has {slot} at {n}"
                    );
                    *slot = uid;
                }
            }
        }
    }
}

/// `1,3:5` as numbers.
fn uid_set(set: &str) -> Vec<u32> {
    set.split(',')
        .flat_map(|r| match r.split_once(':') {
            Some((a, b)) => (a.parse().unwrap()..=b.parse().unwrap()).collect::<Vec<u32>>(),
            None => vec![r.parse().unwrap()],
        })
        .collect()
}

/// Reads until each tag of `tags` completed OK; every line.
fn until_done(c: &mut Imap, tags: &[&str]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut done = 0;
    while done < tags.len() {
        let l = c.line();
        if let Some(t) = tags.iter().find(|t| l.starts_with(&format!("{t} "))) {
            assert!(l[t.len() + 1..].starts_with("OK"), "{l}");
            done += 1;
        }
        lines.push(l);
    }
    lines
}

/// A VANISHED of several UIDs held back while a FETCH by number is in
/// flight (RFC 9051 §7.5.1, RFC 7162 §3.2.10): the FETCH answers in the
/// numbers the client has, and once the VANISHED went out the session
/// numbers as the client does (one held response, several UIDs).
#[test]
fn held_vanished_keeps_the_clients_numbering() {
    let demo = start("held", 12966);
    let mut a = qresync_session(&demo);
    for n in 1..=6 {
        append(&mut a, n);
    }
    a.ok("SELECT INBOX");
    let mut model = Numbers(vec![1, 2, 3, 4, 5, 6]);
    let mut b = Imap::of(&demo, "alice");
    b.ok("SELECT INBOX");
    b.ok("UID STORE 2:3 +FLAGS.SILENT (\\Deleted)");
    b.ok("EXPUNGE");

    a.send(b"p1 NOOP\r\np2 FETCH 4 (UID)\r\n");
    let lines = until_done(&mut a, &["p1", "p2"]);
    model.apply(&lines);
    assert_eq!(model.0, [1, 4, 5, 6], "{lines:?}");
    assert_eq!(vanished(&lines), ["* VANISHED 2:3"], "{lines:?}");
    assert!(a.ok("NOOP").is_empty(), "the VANISHED came once");
    let lines = a.ok("FETCH 2:4 (UID)");
    model.apply(&lines);
    assert_eq!(lines.len(), 3, "{lines:?}");

    // A UID FETCH between them is numbered as after the VANISHED.
    b.ok("UID STORE 4 +FLAGS.SILENT (\\Deleted)");
    b.ok("EXPUNGE");
    a.send(b"q1 NOOP\r\nq2 UID FETCH 6 (UID)\r\nq3 FETCH 3 (UID)\r\n");
    let lines = until_done(&mut a, &["q1", "q2", "q3"]);
    model.apply(&lines);
    assert_eq!(model.0, [1, 5, 6], "{lines:?}");
    assert_eq!(vanished(&lines), ["* VANISHED 4"], "{lines:?}");
    assert_eq!(fetches(&lines).len(), 2, "{lines:?}");
    assert!(a.ok("NOOP").is_empty());
    let lines = a.ok("FETCH 1:* (UID)");
    model.apply(&lines);
    assert_eq!(lines.len(), 3, "{lines:?}");
}
