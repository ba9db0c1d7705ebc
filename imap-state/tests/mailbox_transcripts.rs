//! The selected-mailbox model driven by server transcripts (RFC 9051, RFC
//! 7162 examples and edge cases), every line decoded by the codec.

mod mailbox_util;

use imapkit_proto::{Flag, FlagPerm, Mailbox, ObjectId};
use imapkit_state::error::ViolationKind;
use imapkit_state::mailbox::{MailboxChange as C, ModSeq, SelectedMailbox};
use mailbox_util::{changes, feed, script, uids, Out};

fn inbox() -> SelectedMailbox {
    SelectedMailbox::new(Mailbox::Inbox, false)
}

fn kw(s: &'static str) -> Flag<'static> {
    Flag::keyword(s).unwrap() // test keywords are atoms
}

/// A selected INBOX of `n` messages with UIDs `uids` (1-based order).
fn selected(uid_list: &[u32]) -> SelectedMailbox {
    let mut mb = inbox();
    feed(&mut mb, &format!("* {} EXISTS", uid_list.len()));
    feed(&mut mb, "* OK [UIDVALIDITY 1] UIDs valid");
    for (i, u) in uid_list.iter().enumerate() {
        feed(&mut mb, &format!("* {} FETCH (UID {u})", i + 1));
    }
    feed(&mut mb, "A0 OK [READ-WRITE] SELECT completed");
    mb
}

#[test]
fn rfc9051_select() {
    let mut mb = inbox();
    let got = changes(
        &mut mb,
        r#"
        C: A142 SELECT INBOX
        S: * 172 EXISTS
        S: * OK [UIDVALIDITY 3857529045] UIDs valid
        S: * OK [UIDNEXT 4392] Predicted next UID
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * OK [PERMANENTFLAGS (\Deleted \Seen \*)] Limited
        S: * LIST () "/" INBOX
        S: A142 OK [READ-WRITE] SELECT completed
        "#,
    );
    let system = vec![
        Flag::Answered,
        Flag::Flagged,
        Flag::Deleted,
        Flag::Seen,
        Flag::Draft,
    ];
    let perm = vec![
        FlagPerm::Flag(Flag::Deleted),
        FlagPerm::Flag(Flag::Seen),
        FlagPerm::Asterisk,
    ];
    assert_eq!(
        got,
        vec![
            C::Exists {
                exists: 172,
                new: 172
            },
            C::UidValidity(3857529045),
            C::UidNext(4392),
            C::Flags(system.clone()),
            C::PermanentFlags(perm.clone()),
        ]
    );
    assert!(!mb.is_selecting());
    assert!(!mb.is_read_only());
    assert_eq!(mb.exists(), 172);
    assert_eq!(mb.uids().unknown(), 172);
    assert_eq!(mb.uid_validity(), Some(3857529045));
    assert_eq!(mb.uid_next(), Some(4392));
    assert_eq!(mb.flags(), &system[..]);
    assert_eq!(mb.permanent_flags(), Some(&perm[..]));
    assert_eq!(mb.mod_seq(), ModSeq::Unknown);
    // Without HIGHESTMODSEQ there is nothing to cache.
    assert_eq!(mb.snapshot(), None);
}

#[test]
fn rfc9051_examine() {
    let mut mb = SelectedMailbox::new(Mailbox::from("blurdybloop"), true);
    let got = changes(
        &mut mb,
        r#"
        C: A932 EXAMINE blurdybloop
        S: * 17 EXISTS
        S: * OK [UIDVALIDITY 3857529045] UIDs valid
        S: * OK [UIDNEXT 4392] Predicted next UID
        S: * LIST () "/" blurdybloop
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * OK [PERMANENTFLAGS ()] No permanent flags permitted
        S: A932 OK [READ-ONLY] EXAMINE completed
        "#,
    );
    // Read-only from the start: the tagged code changes nothing.
    assert!(!got.iter().any(|c| matches!(c, C::ReadOnly(_))));
    assert!(got.contains(&C::PermanentFlags(vec![])));
    assert!(mb.is_read_only());
    assert_eq!(mb.permanent_flags(), Some(&[][..]));
}

#[test]
fn select_reports_read_only_and_rev1_data() {
    let mut mb = inbox();
    let got = changes(
        &mut mb,
        r#"
        S: * 18 EXISTS
        S: * 2 RECENT
        S: * OK [UNSEEN 17] Message 17 is the first unseen message
        S: * OK [UIDVALIDITY 3857529045] UIDs valid
        S: * OK [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] Ok
        S: A142 OK [READ-ONLY] SELECT completed
        "#,
    );
    let id = ObjectId::try_from("F2212ea87-6097-4256-9d51-71338625").unwrap();
    assert_eq!(
        got,
        vec![
            C::Exists {
                exists: 18,
                new: 18
            },
            C::Recent(2),
            C::UidValidity(3857529045),
            C::MailboxId(id.clone()),
            C::ReadOnly(true),
        ]
    );
    assert_eq!(mb.recent(), Some(2));
    assert_eq!(mb.unseen(), Some(17));
    assert_eq!(mb.mailbox_id(), Some(&id));
    assert!(mb.is_read_only());
    // The same values again change nothing.
    assert_eq!(
        script(
            &mut mb,
            "S: * OK [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] Ok\nS: * 18 EXISTS"
        ),
        vec![]
    );
}

#[test]
fn new_mail_and_uids_learned() {
    let mut mb = selected(&[10, 11, 12]);
    let got = changes(
        &mut mb,
        r#"
        C: A1 NOOP
        S: * 5 EXISTS
        S: * 1 RECENT
        S: A1 OK NOOP completed
        C: A2 FETCH 4:* (UID FLAGS)
        S: * 4 FETCH (UID 20 FLAGS (\Recent))
        S: * 5 FETCH (UID 22 FLAGS (\Seen $Forwarded))
        S: A2 OK FETCH completed
        "#,
    );
    assert_eq!(
        got,
        vec![
            C::Exists { exists: 5, new: 2 },
            C::Recent(1),
            C::FlagsChanged {
                seq: 4,
                uid: Some(20),
                flags: vec![],
                recent: true,
                modseq: None
            },
            C::FlagsChanged {
                seq: 5,
                uid: Some(22),
                flags: vec![Flag::Seen, kw("$Forwarded")],
                recent: false,
                modseq: None
            },
        ]
    );
    assert_eq!(
        uids(&mb),
        vec![Some(10), Some(11), Some(12), Some(20), Some(22)]
    );
    assert_eq!(mb.seq(22), Some(5));
    assert_eq!(mb.uids().runs(), 3);
}

#[test]
fn rfc9051_expunge_renumbers() {
    // RFC 9051 §6.4.3: messages 3, 4, 7 and 11 had \Deleted.
    let mut mb = selected(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    let got = changes(
        &mut mb,
        r#"
        C: A202 EXPUNGE
        S: * 3 EXPUNGE
        S: * 3 EXPUNGE
        S: * 5 EXPUNGE
        S: * 8 EXPUNGE
        S: A202 OK EXPUNGE completed
        "#,
    );
    let expunged = |seq, uid| C::Expunged {
        seq,
        uid: Some(uid),
    };
    assert_eq!(
        got,
        vec![
            expunged(3, 3),
            expunged(3, 4),
            expunged(5, 7),
            expunged(8, 11)
        ]
    );
    assert_eq!(uids(&mb), [1, 2, 5, 6, 8, 9, 10].map(Some).to_vec());
}

/// RFC 7162 §3.2.10.2: UIDs `x 504 505 507 508 x 510 x x x 625`, where `x`
/// is a UID the client does not know.
fn rfc7162_vanished_mailbox() -> SelectedMailbox {
    let mut mb = inbox();
    feed(&mut mb, "* 11 EXISTS");
    for (seq, uid) in [(2, 504), (3, 505), (4, 507), (5, 508), (7, 510), (11, 625)] {
        feed(&mut mb, &format!("* {seq} FETCH (UID {uid})"));
    }
    feed(&mut mb, "A0 OK SELECT completed");
    mb
}

#[test]
fn rfc7162_vanished_equals_expunge() {
    let mut with_vanished = rfc7162_vanished_mailbox();
    let got = changes(
        &mut with_vanished,
        r#"
        C: A202 EXPUNGE
        S: * VANISHED 505,507,510,625
        S: A202 OK EXPUNGE completed
        "#,
    );
    assert_eq!(
        got,
        vec![C::Vanished {
            uids: vec![505..=505, 507..=507, 510..=510, 625..=625],
            earlier: false
        }]
    );
    let mut with_expunge = rfc7162_vanished_mailbox();
    let got = changes(
        &mut with_expunge,
        r#"
        C: A202 EXPUNGE
        S: * 3 EXPUNGE
        S: * 3 EXPUNGE
        S: * 5 EXPUNGE
        S: * 8 EXPUNGE
        S: A202 OK EXPUNGE completed
        "#,
    );
    assert_eq!(got.len(), 4);
    assert_eq!(with_vanished.uids(), with_expunge.uids());
    assert_eq!(
        uids(&with_vanished),
        vec![None, Some(504), Some(508), None, None, None, None]
    );
    // Continuing: 504 and 508 go too.
    changes(
        &mut with_vanished,
        "S: * VANISHED 504,508\nS: A210 OK EXPUNGE completed",
    );
    assert_eq!(uids(&with_vanished), vec![None; 5]);
}

#[test]
fn rfc7162_broken_vanished_is_refused() {
    // "suppose the mailbox contains UIDs 2 and 4. Any of the following
    // responses would constitute a broken server implementation"
    let mut mb = selected(&[2, 4]);
    for (line, uid) in [
        ("* VANISHED 1", 1),
        ("* VANISHED 3", 3),
        ("* VANISHED 5", 5),
    ] {
        assert_eq!(
            feed(&mut mb, line),
            vec![Out::Violation(ViolationKind::VanishedNotInMailbox { uid })]
        );
        assert_eq!(uids(&mb), vec![Some(2), Some(4)]);
    }
    // A whole set is refused when one UID does not fit.
    assert_eq!(
        feed(&mut mb, "* VANISHED 2,3"),
        vec![Out::Violation(ViolationKind::VanishedNotInMailbox {
            uid: 3
        })]
    );
    assert_eq!(mb.exists(), 2);
    // "any of these UIDs can easily be referenced by the VANISHED (EARLIER)
    // response": reported, the model stays.
    assert_eq!(
        feed(&mut mb, "* VANISHED (EARLIER) 1,3,5"),
        vec![Out::Change(C::Vanished {
            uids: vec![1..=1, 3..=3, 5..=5],
            earlier: true
        })]
    );
    assert_eq!(uids(&mb), vec![Some(2), Some(4)]);
}

#[test]
fn vanished_of_messages_whose_uids_are_unknown() {
    // Two new messages not fetched yet, then one of them vanishes: it lies
    // above the known UIDs, where only the unknown ones can be.
    let mut mb = selected(&[3, 4]);
    changes(&mut mb, "S: * 4 EXISTS");
    assert_eq!(
        feed(&mut mb, "* VANISHED 9"),
        vec![Out::Change(C::Vanished {
            uids: vec![9..=9],
            earlier: false
        })]
    );
    assert_eq!(uids(&mb), vec![Some(3), Some(4), None]);
    assert_eq!(
        feed(&mut mb, "* VANISHED 10:11"),
        vec![Out::Violation(ViolationKind::VanishedNotInMailbox {
            uid: 10
        })]
    );
    assert_eq!(mb.exists(), 3);
}

#[test]
fn responses_that_do_not_fit_leave_the_model_unchanged() {
    let mut mb = selected(&[5, 6, 9]);
    changes(
        &mut mb,
        "S: * 4 EXISTS\nS: * OK [HIGHESTMODSEQ 1]\nS: A8 OK done",
    );
    let before = mb.clone();
    let cases: &[(&str, ViolationKind)] = &[
        (
            "* 5 EXPUNGE",
            ViolationKind::BeyondExists { seq: 5, exists: 4 },
        ),
        (
            "* 7 FETCH (FLAGS (\\Seen))",
            ViolationKind::BeyondExists { seq: 7, exists: 4 },
        ),
        (
            "* 3 EXISTS",
            ViolationKind::ExistsShrank { got: 3, known: 4 },
        ),
        (
            "* 2 FETCH (UID 7 FLAGS (\\Seen))",
            ViolationKind::UidChanged {
                seq: 2,
                known: 6,
                got: 7,
            },
        ),
        // Message 4 comes after UID 9.
        (
            "* 4 FETCH (UID 8 MODSEQ (5))",
            ViolationKind::UidOutOfOrder { seq: 4, uid: 8 },
        ),
        (
            "* OK [UIDVALIDITY 2] changed?",
            ViolationKind::UidValidityChanged { known: 1, got: 2 },
        ),
    ];
    for (line, kind) in cases {
        assert_eq!(
            feed(&mut mb, line),
            vec![Out::Violation(kind.clone())],
            "{line}"
        );
        assert_eq!(mb.uids(), before.uids(), "{line}");
        assert_eq!(mb.uid_validity(), Some(1));
    }
    // The refused FETCH's MODSEQ did not count either.
    assert_eq!(feed(&mut mb, "A9 OK done"), vec![]);
    assert_eq!(mb.highest_modseq(), Some(1));
    assert_eq!(feed(&mut mb, "* 4 FETCH (UID 10)"), vec![]);
    assert_eq!(mb.uid(4), Some(10));
}

#[test]
fn other_fetch_items_and_other_data_are_ignored() {
    let mut mb = selected(&[1, 2]);
    let got = script(
        &mut mb,
        r#"
        S: * 1 FETCH (RFC822.SIZE 44827 INTERNALDATE "17-Jul-1996 02:44:25 -0700")
        S: * 2 FETCH (UID 2 BODY[HEADER.FIELDS (SUBJECT)] NIL)
        S: * CAPABILITY IMAP4rev2 IDLE
        S: * LIST () "/" INBOX
        S: * ESEARCH (TAG "A1") UID ALL 1:2
        S: * OK [ALERT] maintenance
        S: * OK [CLOSED] ignored by the model
        "#,
    );
    assert_eq!(got, vec![]);
}

#[test]
fn rfc7162_condstore_select_and_fetch() {
    let mut mb = inbox();
    let got = changes(
        &mut mb,
        r#"
        C: A142 SELECT INBOX
        S: * 172 EXISTS
        S: * 1 RECENT
        S: * OK [UNSEEN 12] Message 12 is first unseen
        S: * OK [UIDVALIDITY 3857529045] UIDs valid
        S: * OK [UIDNEXT 4392] Predicted next UID
        S: * FLAGS (\Answered \Flagged \Deleted \Seen \Draft)
        S: * OK [PERMANENTFLAGS (\Deleted \Seen \*)] Limited
        S: * OK [HIGHESTMODSEQ 715194045007]
        S: A142 OK [READ-WRITE] SELECT completed
        "#,
    );
    assert_eq!(got.last(), Some(&C::HighestModSeq(715194045007)));
    assert_eq!(mb.highest_modseq(), Some(715194045007));
    // Example 14: FETCH responses after flag changes in other sessions.
    let got = changes(
        &mut mb,
        r#"
        C: A160 STORE 7 +FLAGS.SILENT (\Deleted)
        S: * 7 FETCH (MODSEQ (2121231000))
        S: A160 OK Store completed
        C: C180 NOOP
        S: * 7 FETCH (FLAGS (\Deleted \Answered) MODSEQ (12121231000))
        S: C180 OK Noop completed
        "#,
    );
    assert_eq!(
        got,
        vec![
            C::ModSeqChanged {
                seq: 7,
                uid: None,
                modseq: 2121231000
            },
            C::FlagsChanged {
                seq: 7,
                uid: None,
                flags: vec![Flag::Deleted, Flag::Answered],
                recent: false,
                modseq: Some(12121231000)
            },
        ]
    );
    // MODSEQ values below HIGHESTMODSEQ never lower it.
    assert_eq!(mb.highest_modseq(), Some(715194045007));
    assert_eq!(
        mb.snapshot().map(|s| s.uids().to_vec()),
        Some(vec![]),
        "no UID known: the snapshot knows no message"
    );
}

#[test]
fn rfc7162_nomodseq() {
    let mut mb = inbox();
    let got = changes(
        &mut mb,
        r#"
        S: * 172 EXISTS
        S: * OK [UIDVALIDITY 3857529045] UIDs valid
        S: * OK [NOMODSEQ] Sorry, this mailbox format doesn't support modsequences
        S: A142 OK [READ-WRITE] SELECT completed
        "#,
    );
    assert_eq!(got.last(), Some(&C::NoModSeq));
    assert_eq!(mb.mod_seq(), ModSeq::NoModSeq);
    assert_eq!(mb.snapshot(), None);
}

#[test]
fn rfc7162_highestmodseq_waits_for_the_tagged_response() {
    // RFC 7162 §6: a delayed VANISHED keeps HIGHESTMODSEQ below the MODSEQ
    // values already seen; the code wins over them.
    let mut mb = selected(&[6, 7, 8]);
    changes(&mut mb, "S: * OK [HIGHESTMODSEQ 96]\nS: A1 OK NOOP");
    let got = changes(
        &mut mb,
        r#"
        C: A150 STORE 1:2 (UNCHANGEDSINCE 96) +FLAGS.SILENT \Seen
        S: * 1 FETCH (UID 6 MODSEQ (103))
        S: * 2 FETCH (UID 7 MODSEQ (101))
        S: * OK [HIGHESTMODSEQ 99] VANISHED reply with MODSEQ 100 is delayed
        S: A150 OK [MODIFIED 3] done
        "#,
    );
    assert_eq!(got.last(), Some(&C::HighestModSeq(99)));
    assert_eq!(mb.highest_modseq(), Some(99));
    changes(
        &mut mb,
        r#"
        C: A151 STORE 3 +FLAGS.SILENT \Seen
        S: * 3 FETCH (UID 8 MODSEQ (104))
        S: A151 OK [HIGHESTMODSEQ 99] Still delaying VANISHED
        "#,
    );
    assert_eq!(mb.highest_modseq(), Some(99));
    // A snapshot now resynchronizes from 99: the delayed VANISHED is not lost.
    assert_eq!(mb.snapshot().map(|s| s.highest_modseq().get()), Some(99));
    let got = changes(
        &mut mb,
        r#"
        C: A152 NOOP
        S: * VANISHED 8
        S: A152 OK [HIGHESTMODSEQ 104] done
        "#,
    );
    assert_eq!(got.last(), Some(&C::HighestModSeq(104)));
    // Without a code, the highest MODSEQ seen counts at the tagged response.
    let got = changes(
        &mut mb,
        r#"
        C: A153 STORE 1 +FLAGS (\Flagged)
        S: * 1 FETCH (UID 6 FLAGS (\Seen \Flagged) MODSEQ (110))
        S: * 2 FETCH (UID 7 MODSEQ (108))
        "#,
    );
    assert_eq!(got.len(), 2);
    assert_eq!(mb.highest_modseq(), Some(104));
    assert_eq!(
        changes(&mut mb, "S: A153 OK done"),
        vec![C::HighestModSeq(110)]
    );
    let snapshot = mb.snapshot().unwrap(); // UIDVALIDITY and HIGHESTMODSEQ known
    assert_eq!(snapshot.uid_validity().get(), 1);
    assert_eq!(snapshot.uids(), &[6..=7]);
}

#[test]
fn snapshot_stops_at_the_first_unknown_uid() {
    let mut mb = selected(&[1, 2, 3]);
    changes(
        &mut mb,
        "S: * OK [HIGHESTMODSEQ 5]\nS: * 6 EXISTS\nS: * 6 FETCH (UID 30)\nS: A1 OK done",
    );
    assert_eq!(
        uids(&mb),
        vec![Some(1), Some(2), Some(3), None, None, Some(30)]
    );
    // UID 30 is left out: messages 4 and 5 lie between, unknown.
    assert_eq!(mb.snapshot().unwrap().uids(), &[1..=3]);
}
