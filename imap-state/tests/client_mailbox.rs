//! The Client's model of the selected mailbox, driven by a scripted server:
//! SELECT, new mail, expunges, flag changes, violations that must not
//! corrupt the model, CONDSTORE/QRESYNC and the `[CLOSED]` boundary.

mod util;

use imapkit_proto::{Capability, Flag, Mailbox, Secret};
use imapkit_state::client::{Event, Outcome, SessionState};
use imapkit_state::error::ViolationKind;
use imapkit_state::mailbox::MailboxChange;
use util::client::{quiet_config, violations, Script};

fn changes(events: &[Event]) -> Vec<MailboxChange> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Mailbox(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

/// Logged in (PREAUTH) with IDLE, CONDSTORE, QRESYNC.
fn session() -> Script {
    let mut s = Script::tls(quiet_config());
    s.server(b"* PREAUTH [CAPABILITY IMAP4rev1 IDLE ENABLE CONDSTORE QRESYNC UIDPLUS] hi\r\n");
    s.events();
    s
}

fn select_inbox(s: &mut Script) {
    s.client.select(s.now, Mailbox::from_name("INBOX")).unwrap();
    assert_eq!(s.sent(), "A1 SELECT INBOX\r\n");
    s.server(
        b"* 3 EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
          * OK [UIDVALIDITY 1700] UIDs valid\r\n* OK [UIDNEXT 13] next\r\n\
          * OK [HIGHESTMODSEQ 90] modseq\r\nA1 OK [READ-WRITE] SELECT completed\r\n",
    );
}

#[test]
fn select_builds_the_model() {
    let mut s = session();
    select_inbox(&mut s);
    let ev = s.events();
    assert_eq!(s.client.state(), SessionState::Selected);
    let m = s.client.mailbox().expect("selected");
    assert_eq!(m.name(), &Mailbox::from_name("INBOX"));
    assert_eq!(m.exists(), 3);
    assert_eq!(m.uid_validity(), Some(1700));
    assert_eq!(m.uid_next(), Some(13));
    assert_eq!(m.highest_modseq(), Some(90));
    assert!(!m.is_read_only());
    assert_eq!(m.flags().len(), 5);
    // Changes come before the SELECT's completion.
    let completed_at = ev
        .iter()
        .position(|e| matches!(e, Event::Completed(_)))
        .unwrap();
    let last_change = ev
        .iter()
        .rposition(|e| matches!(e, Event::Mailbox(_)))
        .unwrap();
    assert!(last_change < completed_at);
    assert!(changes(&ev).contains(&MailboxChange::Exists { exists: 3, new: 3 }));
}

#[test]
fn uid_map_follows_fetch_expunge_and_new_mail() {
    let mut s = session();
    select_inbox(&mut s);
    s.events();
    let h = s
        .client
        .enqueue(s.now, imapkit_proto::CommandBody::Noop)
        .unwrap();
    s.sent();
    // Unsolicited during NOOP: UIDs learned, a flag change, one expunged,
    // two new messages.
    s.server(
        b"* 1 FETCH (UID 10 FLAGS (\\Seen) MODSEQ (91))\r\n* 2 FETCH (UID 11)\r\n* 3 FETCH (UID 12)\r\n\
          * 2 EXPUNGE\r\n* 4 EXISTS\r\nA2 OK NOOP done\r\n",
    );
    let ev = s.events();
    let ch = changes(&ev);
    assert!(
        ch.contains(&MailboxChange::FlagsChanged {
            seq: 1,
            uid: Some(10),
            flags: vec![Flag::Seen],
            recent: false,
            modseq: Some(91),
        }),
        "{ch:?}"
    );
    assert!(ch.contains(&MailboxChange::Expunged {
        seq: 2,
        uid: Some(11)
    }));
    assert!(ch.contains(&MailboxChange::Exists { exists: 4, new: 2 }));
    let m = s.client.mailbox().unwrap();
    assert_eq!(m.exists(), 4);
    assert_eq!(m.uid(1), Some(10));
    assert_eq!(m.uid(2), Some(12), "renumbered after the expunge");
    assert_eq!(m.uid(3), None, "new, UID not known yet");
    assert_eq!(m.seq(12), Some(2));
    assert!(ev
        .iter()
        .any(|e| matches!(e, Event::Completed(c) if c.handle == h)));
}

#[test]
fn flags_asked_for_by_a_fetch_are_not_changes() {
    let mut s = session();
    select_inbox(&mut s);
    s.events();
    let body = {
        use imapkit_proto::IntoStatic;
        let Ok(imapkit_codec::Decoded::Complete { message, .. }) =
            imapkit_codec::decode::command(b"x UID FETCH 1:* (UID FLAGS)\r\n")
        else {
            unreachable!()
        };
        message.body.into_static()
    };
    s.client.enqueue(s.now, body).unwrap();
    s.sent();
    s.server(b"* 1 FETCH (UID 10 FLAGS (\\Seen))\r\n* 2 FETCH (UID 11 FLAGS ())\r\n* 3 FETCH (UID 12 FLAGS ())\r\nA2 OK\r\n");
    let ev = s.events();
    assert!(changes(&ev).is_empty(), "{:?}", changes(&ev));
    assert_eq!(s.client.mailbox().unwrap().uid(3), Some(12));
    assert_eq!(
        ev.iter()
            .filter(|e| matches!(
                e,
                Event::Data {
                    handle: Some(_),
                    ..
                }
            ))
            .count(),
        3
    );
}

#[test]
fn responses_that_do_not_fit_are_reported_and_change_nothing() {
    let mut s = session();
    select_inbox(&mut s);
    s.events();
    s.client
        .enqueue(s.now, imapkit_proto::CommandBody::Noop)
        .unwrap();
    s.sent();
    s.server(b"* 9 EXPUNGE\r\n* 7 FETCH (FLAGS (\\Seen))\r\n* 2 EXISTS\r\n* OK [UIDVALIDITY 99] changed?\r\nA2 OK\r\n");
    let ev = s.events();
    assert_eq!(
        violations(&ev),
        [
            ViolationKind::BeyondExists { seq: 9, exists: 3 },
            ViolationKind::BeyondExists { seq: 7, exists: 3 },
            ViolationKind::ExistsShrank { got: 2, known: 3 },
            ViolationKind::UidValidityChanged {
                known: 1700,
                got: 99
            },
        ]
    );
    let m = s.client.mailbox().unwrap();
    assert_eq!(m.exists(), 3);
    assert_eq!(m.uid_validity(), Some(1700));
}

#[test]
fn expunge_with_no_command_in_progress_is_reported_but_applied() {
    let mut s = session();
    select_inbox(&mut s);
    s.events();
    s.server(b"* 1 EXPUNGE\r\n");
    let ev = s.events();
    assert_eq!(
        violations(&ev),
        [ViolationKind::OutOfState(
            "EXPUNGE while no command is in progress"
        )]
    );
    assert_eq!(s.client.mailbox().unwrap().exists(), 2);
}

/// `* 1 EXPUNGE` is decoded where the framer lent it, without a frame of
/// its own; its violation still carries its bytes and its offset, as one
/// of a message taken out of the buffer (the FETCH) does.
#[test]
fn a_violation_of_a_lent_message_keeps_its_bytes_and_offset() {
    let mut s = session();
    select_inbox(&mut s);
    s.events();
    let fetch = b"* 9 FETCH (UID 99 FLAGS ())\r\n";
    s.server(&[&fetch[..], b"* 1 EXPUNGE\r\n"].concat());
    let ev = s.events();
    let found: Vec<_> = ev
        .iter()
        .filter_map(|e| match e {
            Event::Violation(v) => Some((v.kind.clone(), v.raw().to_vec(), v.offset)),
            _ => None,
        })
        .collect();
    let [(first, first_raw, at), (second, second_raw, then)] = &found[..] else {
        panic!("{found:?}")
    };
    assert_eq!(*first, ViolationKind::BeyondExists { seq: 9, exists: 3 });
    assert_eq!(first_raw, fetch);
    assert_eq!(
        *second,
        ViolationKind::OutOfState("EXPUNGE while no command is in progress")
    );
    assert_eq!(second_raw, b"* 1 EXPUNGE\r\n");
    assert_eq!(*then, at + fetch.len() as u64);
    assert_eq!(s.client.mailbox().unwrap().exists(), 2);
}

#[test]
fn failed_select_leaves_no_mailbox() {
    let mut s = session();
    select_inbox(&mut s);
    s.client.select(s.now, Mailbox::from_name("Nope")).unwrap();
    assert_eq!(s.sent(), "A2 SELECT Nope\r\n");
    s.server(b"A2 NO [NONEXISTENT] no such mailbox\r\n");
    assert!(s.client.mailbox().is_none());
    assert_eq!(s.client.state(), SessionState::Authenticated);
}

#[test]
fn qresync_select_and_the_closed_boundary() {
    let mut s = session();
    let caps = vec![Capability::QResync].try_into().unwrap();
    s.client.enable(s.now, caps).unwrap();
    assert_eq!(s.sent(), "A1 ENABLE QRESYNC\r\n");
    s.server(b"* ENABLED QRESYNC\r\nA1 OK\r\n");
    // First session: learn the UIDs and take a snapshot.
    s.client.select(s.now, Mailbox::from_name("INBOX")).unwrap();
    s.sent();
    s.server(
        b"* 3 EXISTS\r\n* OK [UIDVALIDITY 1700] x\r\n* OK [HIGHESTMODSEQ 90] x\r\n\
          * 1 FETCH (UID 10 MODSEQ (80))\r\n* 2 FETCH (UID 11 MODSEQ (81))\r\n* 3 FETCH (UID 12 MODSEQ (82))\r\n\
          A2 OK [READ-WRITE] done\r\n",
    );
    let snapshot = s.client.mailbox().unwrap().snapshot().expect("snapshot");
    assert_eq!(snapshot.uids(), [10..=12]);
    // Select again with QRESYNC: UID 11 vanished, 12's flags changed, 13 is new.
    let h = s
        .client
        .select_qresync(s.now, Mailbox::from_name("INBOX"), snapshot, false)
        .unwrap();
    let sent = s.sent();
    // Known UIDs and sequence-match data (RFC 7162 §3.2.5).
    assert_eq!(
        sent,
        "A3 SELECT INBOX (QRESYNC (1700 90 10:12 (2,3 11,12)))\r\n"
    );
    // The old mailbox's last news comes before [CLOSED] (as VANISHED: an
    // EXPUNGE after ENABLE QRESYNC is a violation, RFC 7162 §3.2.10).
    s.server(
        b"* VANISHED 10\r\n* OK [CLOSED] previous mailbox closed\r\n* 3 EXISTS\r\n\
          * OK [UIDVALIDITY 1700] x\r\n* OK [HIGHESTMODSEQ 95] x\r\n\
          * VANISHED (EARLIER) 11\r\n* 2 FETCH (UID 12 FLAGS (\\Seen) MODSEQ (94))\r\n\
          * 3 FETCH (UID 13 FLAGS () MODSEQ (95))\r\nA3 OK [READ-WRITE] done\r\n",
    );
    let ev = s.events();
    assert!(violations(&ev).is_empty(), "{:?}", violations(&ev));
    // The VANISHED before [CLOSED] was about the old mailbox.
    assert!(changes(&ev).contains(&MailboxChange::Vanished {
        uids: vec![10..=10],
        earlier: false
    }));
    assert!(
        changes(&ev)
            .iter()
            .any(|c| matches!(c, MailboxChange::Resynced { .. })),
        "{:?}",
        changes(&ev)
    );
    assert!(ev
        .iter()
        .any(|e| matches!(e, Event::Completed(c) if c.handle == h && c.outcome == Outcome::Ok)));
    let m = s.client.mailbox().unwrap();
    assert_eq!(
        (m.uid(1), m.uid(2), m.uid(3)),
        (Some(10), Some(12), Some(13))
    );
    assert_eq!(m.highest_modseq(), Some(95));
}

#[test]
fn qresync_needs_enable() {
    let mut s = session();
    select_inbox(&mut s);
    // No UID is known yet: the snapshot holds none, but it can be taken.
    let snapshot = s.client.mailbox().unwrap().snapshot().unwrap();
    assert!(snapshot.uids().is_empty());
    assert_eq!(
        s.client
            .select_qresync(s.now, Mailbox::from_name("INBOX"), snapshot, false),
        Err(imapkit_state::error::UsageError::Unexpected(
            "SELECT (QRESYNC) before ENABLE QRESYNC"
        ))
    );
    let _ = Secret::new(());
}

/// Zoho Mail's `MODSEQ (-1)` (a message without a mod-sequence; MailKit
/// issues 495 and 1686): the Client keeps the flag change and the UID,
/// with no mod-sequence, reports no violation, and the mailbox's highest
/// mod-sequence does not move. Before `Quirks::NEGATIVE_MODSEQ` the whole
/// response was a syntax violation and the flag change was lost.
#[test]
fn negative_modseq_keeps_the_flag_change() {
    let mut s = session();
    select_inbox(&mut s);
    s.events();
    s.client
        .enqueue(s.now, imapkit_proto::CommandBody::Noop)
        .unwrap();
    s.sent();
    s.server(b"* 2 FETCH (MODSEQ (-1) FLAGS (\\Recent \\Seen) UID 11)\r\nA2 OK NOOP done\r\n");
    let ev = s.events();
    assert!(violations(&ev).is_empty(), "{:?}", violations(&ev));
    assert_eq!(
        changes(&ev),
        [MailboxChange::FlagsChanged {
            seq: 2,
            uid: Some(11),
            flags: vec![Flag::Seen],
            recent: true,
            modseq: None,
        }]
    );
    let m = s.client.mailbox().unwrap();
    assert_eq!(m.uid(2), Some(11));
    assert_eq!(m.highest_modseq(), Some(90));
}
