//! Sessions on the same mailbox: notifications, sequence numbers with
//! expunges, STORE with UNCHANGEDSINCE, COPY/MOVE; the shared namespace
//! with ACLs (RFC 4314) where a flag one user sets reaches the other.

mod store_util;

use imap_examples::store::{AclChange, Change, ListQuery, Rights, StoreError, StoredFlags, Update};
use imapkit_proto::{Flag, IntoStatic, SequenceSet, StoreAction};
use store_util::{crlf, open, TempDir};

#[test]
fn another_session_sees_appends_flags_and_expunges_in_order() {
    let dir = TempDir::new("sessions");
    let store = open(&dir);
    let alice = store.account("alice").unwrap();
    for i in 1..=3 {
        alice
            .append("INBOX", crlf(&format!("Subject: {i}\n\n")), &[], None)
            .unwrap();
    }
    let mut a = alice.select("INBOX", false).unwrap();
    let mut b = alice.select("INBOX", false).unwrap();
    assert_eq!(a.info().recent, 3);
    assert_eq!(b.info().recent, 0, "only the first session sees \\Recent");
    let mut rx = b.subscribe();

    // Session A: a flag, an expunge, an append.
    a.store(&[(1, 1)], StoreAction::Add, &[Flag::Seen], None)
        .unwrap();
    a.store(&[(2, 2)], StoreAction::Add, &[Flag::Deleted], None)
        .unwrap();
    let expunged = a.expunge(None).unwrap();
    assert_eq!(expunged, vec![Update::Expunge { seq: 2, uid: 2 }]);
    let up = alice
        .append("INBOX", crlf("Subject: 4\n\n"), &[], None)
        .unwrap();
    assert_eq!(up.uid, 4);

    // B is told, in the order it happened.
    let mut changes = Vec::new();
    while let Ok(c) = rx.try_recv() {
        changes.push(c);
    }
    assert!(matches!(changes[0], Change::FlagsChanged { uid: 1, .. }));
    assert!(matches!(changes[1], Change::FlagsChanged { uid: 2, .. }));
    assert!(matches!(changes[2], Change::Expunged { uid: 2, .. }));
    assert!(matches!(changes[3], Change::Appended { uid: 4, .. }));

    // During a FETCH/STORE/SEARCH no EXPUNGE may be sent: B keeps the ghost.
    let ups = b.poll_changes(false);
    assert_eq!(ups[0], Update::Exists(4));
    // B was told first, so the new message is \Recent in B, not in A.
    assert_eq!(ups[1], Update::Recent(1));
    assert!(ups
        .iter()
        .any(|u| matches!(u, Update::Flags { seq: 1, uid: 1, .. })));
    assert_eq!(b.exists(), 4);
    assert_eq!(b.uid(2), Some(2));
    assert!(b.messages(&[(2, 2)]).is_empty(), "the ghost has no data");
    // When expunges are allowed, the ghost goes and numbers shift.
    let ups = b.poll_changes(true);
    assert_eq!(ups, vec![Update::Expunge { seq: 2, uid: 2 }]);
    assert_eq!(b.exists(), 3);
    assert_eq!(b.seq(4), Some(3));
    assert!(b.poll_changes(true).is_empty());
    // A's own changes are not reported back to A.
    let ups = a.poll_changes(true);
    assert_eq!(ups, vec![Update::Exists(3)]);
}

#[test]
fn store_variants_and_unchangedsince() {
    let dir = TempDir::new("store");
    let store = open(&dir);
    let alice = store.account("alice").unwrap();
    alice
        .append("INBOX", crlf("Subject: 1\n\n"), &[], None)
        .unwrap();
    alice
        .append("INBOX", crlf("Subject: 2\n\n"), &[], None)
        .unwrap();
    let mut s = alice.select("INBOX", false).unwrap();
    let all = s.resolve(&SequenceSet::all(), false).unwrap();
    let kw = Flag::keyword("$Label1").unwrap();
    let r = s
        .store(
            &all,
            StoreAction::Replace,
            &[Flag::Flagged, kw.clone()],
            None,
        )
        .unwrap();
    assert_eq!(r.messages.len(), 2);
    assert!(r.messages.iter().all(|m| m.4));
    let modseq = r.messages[0].3;
    // Nothing changes: no new modseq.
    let r = s
        .store(&all, StoreAction::Add, &[Flag::Flagged], None)
        .unwrap();
    assert!(r.messages.iter().all(|m| !m.4 && m.3 == modseq));
    // UNCHANGEDSINCE older than the message's modseq: MODIFIED.
    let r = s
        .store(
            &all[..1],
            StoreAction::Remove,
            std::slice::from_ref(&kw),
            Some(modseq - 1),
        )
        .unwrap();
    assert_eq!(r.modified, vec![1]);
    assert!(r.messages.is_empty());
    let r = s
        .store(&all[..1], StoreAction::Remove, &[kw], Some(modseq))
        .unwrap();
    assert_eq!(
        r.messages[0].2,
        StoredFlags {
            flags: imap_examples::store::FlagSet::from_flags(&[Flag::Flagged]).unwrap(),
            recent: true
        }
    );
    assert!(r.messages[0].3 > modseq);
    // \Recent cannot be stored; a made-up system flag neither.
    let bad = Flag::system(imapkit_proto::Atom::try_from("Bogus").unwrap());
    assert_eq!(
        s.store(&all, StoreAction::Add, &[bad], None).unwrap_err(),
        StoreError::InvalidFlag
    );
    // Sequence numbers past the end are an error, UIDs are not.
    let over = SequenceSet::try_from("5").unwrap();
    assert_eq!(
        s.resolve(&over, false).unwrap_err(),
        StoreError::InvalidSequence
    );
    assert!(s.resolve(&over, true).unwrap().is_empty());
    assert_eq!(
        s.resolve(&SequenceSet::try_from("9:*").unwrap(), true)
            .unwrap(),
        vec![(2, 2)],
        "n:* includes the last UID"
    );
    // EXAMINE is read-only.
    let mut ro = alice.select("INBOX", true).unwrap();
    assert_eq!(
        ro.store(&all, StoreAction::Add, &[Flag::Seen], None)
            .unwrap_err(),
        StoreError::ReadOnly
    );
    assert!(ro.info().permanent_flags.is_empty());
}

#[test]
fn copy_and_move_report_copyuid_and_keep_flags() {
    let dir = TempDir::new("copy");
    let store = open(&dir);
    let alice = store.account("alice").unwrap();
    for i in 1..=3 {
        alice
            .append(
                "INBOX",
                crlf(&format!("Subject: {i}\n\n")),
                &[Flag::Seen],
                None,
            )
            .unwrap();
    }
    let mut s = alice.select("INBOX", false).unwrap();
    let c = s.copy(&[(1, 1), (3, 3)], "Archive").unwrap();
    assert_eq!(c.source, vec![1, 3]);
    assert_eq!(c.destination, vec![1, 2]);
    assert_eq!(
        c.uid_validity,
        alice.status("Archive").unwrap().uid_validity
    );
    let (m, expunges) = s.move_to(&[(2, 2)], "Trash").unwrap();
    assert_eq!((m.source, m.destination), (vec![2], vec![1]));
    assert_eq!(expunges, vec![Update::Expunge { seq: 2, uid: 2 }]);
    assert_eq!(s.exists(), 2);
    let t = alice.select("Trash", false).unwrap();
    let msgs = t.messages(&[(1, 1)]);
    assert_eq!(&msgs[0].bytes().unwrap()[..], b"Subject: 2\r\n\r\n");
    assert_eq!(msgs[0].flags().flags.to_flags(), vec![Flag::Seen]);
    assert_eq!(
        s.copy(&[(1, 1)], "Nowhere").unwrap_err(),
        StoreError::NoSuchMailbox
    );
    let a = alice.select("Archive", true).unwrap();
    let orig = s.messages(&[(1, 1)]);
    // EMAILID is kept by COPY (RFC 8474 §5.1).
    assert_eq!(a.messages(&[(1, 1)])[0].email_id(), orig[0].email_id());
}

#[test]
fn shared_mailbox_acl_and_flags_seen_by_both_users() {
    let dir = TempDir::new("shared");
    let store = open(&dir);
    let alice = store.account("alice").unwrap();
    let bob = store.account("bob").unwrap();
    alice.create("Shared/Team", None).unwrap();
    alice
        .append("Shared/Team", crlf("Subject: plan\n\n"), &[], None)
        .unwrap();
    // Bob sees nothing until alice grants rights.
    assert_eq!(
        bob.select("Shared/Team", false).unwrap_err(),
        StoreError::NoSuchMailbox
    );
    assert!(bob
        .list(&ListQuery::new("", "Shared/*"))
        .unwrap()
        .is_empty());
    assert_eq!(alice.my_rights("Shared/Team").unwrap(), Rights::ALL);
    assert_eq!(
        bob.set_acl("Shared/Team", "bob", AclChange::Replace, Rights::ALL),
        Err(StoreError::NoSuchMailbox)
    );
    alice
        .set_acl(
            "Shared/Team",
            "bob",
            AclChange::Replace,
            Rights::parse("lrs").unwrap(),
        )
        .unwrap();
    alice
        .set_acl(
            "Shared/Team",
            "bob",
            AclChange::Add,
            Rights::parse("w").unwrap(),
        )
        .unwrap();
    assert_eq!(bob.my_rights("Shared/Team").unwrap().to_string(), "lrsw");
    assert_eq!(
        alice.acl("Shared/Team").unwrap(),
        vec![
            ("alice".to_string(), Rights::ALL),
            ("bob".to_string(), Rights::parse("lrsw").unwrap())
        ]
    );
    assert_eq!(
        bob.acl("Shared/Team").unwrap_err(),
        StoreError::NoPermission { right: 'a' }
    );
    let listed = bob.list(&ListQuery::new("", "*")).unwrap();
    let shared: Vec<&str> = listed
        .iter()
        .map(|e| e.name.as_str())
        .filter(|n| n.starts_with("Shared"))
        .collect();
    assert_eq!(shared, vec!["Shared", "Shared/Team"]);
    assert_eq!(alice.namespaces().shared[0].prefix.as_bytes(), b"Shared/");

    // A flag bob sets reaches alice's session (IDLE) and is stored for both.
    let mut a = alice.select("Shared/Team", false).unwrap();
    let mut rx = a.subscribe();
    let mut b = bob.select("Shared/Team", false).unwrap();
    assert!(!b.is_read_only());
    b.store(
        &[(1, 1)],
        StoreAction::Add,
        &[Flag::Seen, Flag::Flagged],
        None,
    )
    .unwrap();
    match rx.try_recv().unwrap() {
        Change::FlagsChanged { uid: 1, flags, .. } => {
            assert_eq!(flags.to_flags(), vec![Flag::Flagged, Flag::Seen])
        }
        other => panic!("unexpected {other:?}"),
    }
    let ups = a.poll_changes(true);
    assert!(
        matches!(&ups[..], [Update::Flags { seq: 1, uid: 1, flags, .. }] if flags.flags.seen())
    );
    // Without right t, bob cannot set \Deleted (it keeps its value), nor
    // expunge, nor append (i).
    let r = b
        .store(&[(1, 1)], StoreAction::Add, &[Flag::Deleted], None)
        .unwrap();
    assert!(!r.messages[0].2.flags.deleted());
    assert_eq!(
        b.expunge(None).unwrap_err(),
        StoreError::NoPermission { right: 'e' }
    );
    assert_eq!(
        bob.append("Shared/Team", crlf("Subject: x\n\n"), &[], None)
            .unwrap_err(),
        StoreError::NoPermission { right: 'i' }
    );
    // The ACL survives a restart; removing all rights hides the mailbox.
    drop((a, b));
    let store = open(&dir);
    let alice = store.account("alice").unwrap();
    let bob = store.account("bob").unwrap();
    assert_eq!(bob.my_rights("Shared/Team").unwrap().to_string(), "lrsw");
    alice.delete_acl("Shared/Team", "bob").unwrap();
    assert_eq!(
        bob.status("Shared/Team").unwrap_err(),
        StoreError::NoSuchMailbox
    );
    // Personal mailboxes keep a fixed ACL.
    assert!(matches!(
        alice.set_acl("INBOX", "bob", AclChange::Add, Rights::ALL),
        Err(StoreError::Cannot { .. })
    ));
}

#[test]
fn deleting_a_selected_mailbox_is_reported() {
    let dir = TempDir::new("deleted");
    let store = open(&dir);
    let alice = store.account("alice").unwrap();
    alice.create("Tmp", None).unwrap();
    let mut s = alice.select("Tmp", false).unwrap();
    let mut rx = s.subscribe();
    alice.delete("Tmp").unwrap();
    assert_eq!(rx.try_recv().unwrap(), Change::Deleted);
    assert_eq!(s.poll_changes(true), vec![Update::MailboxDeleted]);
    assert_eq!(
        s.store(&[], StoreAction::Add, &[Flag::Seen], None)
            .unwrap_err(),
        StoreError::MailboxDeleted
    );
}

/// A mailbox keeps at most `MAX_KEYWORDS` keywords. Only keywords that may
/// land on a message count: `-FLAGS`, a STORE to UIDs that do not exist,
/// and one without the right to set keywords register none (else anyone
/// could fill the limit for everyone). Full, the mailbox refuses new ones
/// with `NO [LIMIT]` and stops offering `\*` in PERMANENTFLAGS.
#[test]
fn the_keyword_limit_counts_only_keywords_that_land() {
    use imap_examples::store::MAX_KEYWORDS;
    let dir = TempDir::new("keywords");
    let store = open(&dir);
    let alice = store.account("alice").unwrap();
    alice
        .append("INBOX", crlf("Subject: 1\n\n"), &[], None)
        .unwrap();
    let mut s = alice.select("INBOX", false).unwrap();
    let keywords = |from: usize, n: usize| -> Vec<Flag<'static>> {
        (from..from + n)
            .map(|k| Flag::keyword(&format!("k{k}")).unwrap().into_static())
            .collect()
    };
    let all = s.resolve(&SequenceSet::all(), false).unwrap();
    // Removals and a UID that does not exist register nothing.
    s.store(&all, StoreAction::Remove, &keywords(0, MAX_KEYWORDS), None)
        .unwrap();
    s.store(
        &[(9, 999)],
        StoreAction::Add,
        &keywords(0, MAX_KEYWORDS),
        None,
    )
    .unwrap();
    assert!(s.info().flags.len() < 10, "{:?}", s.info().flags);
    // Filled by real keywords, the mailbox refuses one more.
    s.store(&all, StoreAction::Add, &keywords(0, MAX_KEYWORDS), None)
        .unwrap();
    let more = s.store(&all, StoreAction::Add, &keywords(MAX_KEYWORDS, 1), None);
    assert!(
        matches!(more, Err(StoreError::TooManyKeywords { .. })),
        "{more:?}"
    );
    let perms = s.info().permanent_flags;
    assert!(
        !perms.contains(&imapkit_proto::FlagPerm::Asterisk),
        "{perms:?}"
    );
}
