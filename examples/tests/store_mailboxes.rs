//! Mailbox operations: first-login provisioning, LIST patterns and
//! options, CREATE, DELETE and RENAME semantics (RFC 9051 §6.3), STATUS.

mod store_util;

use imap_examples::store::{ListEntry, ListQuery, SpecialUse, StoreError};
use imapkit_proto::{Flag, ListReturnOption, ListSelectOption, MailboxAttribute as A};
use store_util::{crlf, open, TempDir};

fn names(entries: &[ListEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.name.as_str()).collect()
}

fn list(a: &imap_examples::store::Account, reference: &str, pattern: &str) -> Vec<ListEntry> {
    a.list(&ListQuery::new(reference, pattern)).unwrap()
}

#[test]
fn first_login_creates_inbox_and_special_use_mailboxes() {
    let dir = TempDir::new("provision");
    let store = open(&dir);
    let alice = store.account("alice").unwrap();
    let all = list(&alice, "", "*");
    assert_eq!(
        names(&all),
        vec!["INBOX", "Archive", "Drafts", "Junk", "Sent", "Trash"]
    );
    assert_eq!(all[0].attributes, vec![A::HasNoChildren]);
    assert_eq!(all[4].attributes, vec![A::HasNoChildren, A::Sent]);
    let special = alice
        .list(&ListQuery::new("", "*").with_options(&[ListSelectOption::SpecialUse], &[]))
        .unwrap();
    assert_eq!(
        names(&special),
        vec!["Archive", "Drafts", "Junk", "Sent", "Trash"]
    );
    assert_eq!(
        alice.subscriptions(),
        vec!["Archive", "Drafts", "INBOX", "Junk", "Sent", "Trash"]
    );
    // LIST "" "": the delimiter query.
    assert_eq!(list(&alice, "", "")[0].attributes, vec![A::NoSelect]);
    assert!(store.account("mallory").is_err());
}

#[test]
fn patterns_children_and_subscriptions() {
    let dir = TempDir::new("list");
    let store = open(&dir);
    let alice = store.account("alice").unwrap();
    alice.create("Work/2024/Q1", None).unwrap();
    alice
        .create("日本語/メモ", Some(SpecialUse::Flagged))
        .unwrap();
    alice.create("inbox/Lists", None).unwrap();
    assert_eq!(alice.create("Work", None), Err(StoreError::AlreadyExists));
    assert!(matches!(
        alice.create("a//b", None),
        Err(StoreError::InvalidName { .. })
    ));
    // `%` stops at the delimiter, `*` does not; the reference is prepended.
    assert_eq!(names(&list(&alice, "", "Work/%")), vec!["Work/2024"]);
    assert_eq!(
        names(&list(&alice, "Work/", "*")),
        vec!["Work/2024", "Work/2024/Q1"]
    );
    assert_eq!(names(&list(&alice, "", "Inbox/%")), vec!["INBOX/Lists"]);
    let jp = list(&alice, "", "日本語*");
    assert_eq!(names(&jp), vec!["日本語", "日本語/メモ"]);
    assert_eq!(jp[0].attributes, vec![A::HasChildren]);
    assert_eq!(jp[1].attributes, vec![A::HasNoChildren, A::Flagged]);
    // LIST (SUBSCRIBED RECURSIVEMATCH) "" "%" RETURN (SUBSCRIBED).
    alice.subscribe("Work/2024/Q1").unwrap();
    alice.subscribe("Gone").unwrap();
    let q = ListQuery::new("", "%").with_options(
        &[
            ListSelectOption::Subscribed,
            ListSelectOption::RecursiveMatch,
        ],
        &[ListReturnOption::Subscribed],
    );
    let sub = alice.list(&q).unwrap();
    let gone = sub.iter().find(|e| e.name == "Gone").unwrap();
    assert_eq!(gone.attributes, vec![A::NonExistent, A::Subscribed]);
    let work = sub.iter().find(|e| e.name == "Work").unwrap();
    assert!(work.child_info_subscribed);
    assert!(!work.attributes.contains(&A::Subscribed));
    assert!(!sub.iter().any(|e| e.name == "日本語"));
}

#[test]
fn delete_keeps_children_and_refuses_inbox() {
    let dir = TempDir::new("delete");
    let store = open(&dir);
    let alice = store.account("alice").unwrap();
    alice.create("P/C", None).unwrap();
    alice
        .append("P", crlf("Subject: x\n\n"), &[], None)
        .unwrap();
    assert_eq!(
        alice.delete("INBOX"),
        Err(StoreError::Cannot {
            what: "delete INBOX"
        })
    );
    assert_eq!(alice.delete("Nope"), Err(StoreError::NoSuchMailbox));
    // A parent with children loses its messages and becomes \Noselect.
    alice.delete("P").unwrap();
    let p = list(&alice, "", "P");
    assert_eq!(p[0].attributes, vec![A::NoSelect, A::HasChildren]);
    assert_eq!(alice.select("P", false).unwrap_err(), StoreError::NoSelect);
    // Deleting the \Noselect name while it has children fails.
    assert_eq!(alice.delete("P"), Err(StoreError::HasChildren));
    // Deleting the last child removes the placeholder too.
    alice.delete("P/C").unwrap();
    assert!(list(&alice, "", "P*").is_empty());
    // Recreating a deleted name gives a new UIDVALIDITY.
    alice.create("X", None).unwrap();
    let v1 = alice.status("X").unwrap().uid_validity;
    alice.delete("X").unwrap();
    alice.create("X", None).unwrap();
    assert_ne!(alice.status("X").unwrap().uid_validity, v1);
}

#[test]
fn rename_moves_the_hierarchy_and_inbox_rename_moves_messages() {
    let dir = TempDir::new("rename");
    let store = open(&dir);
    let alice = store.account("alice").unwrap();
    alice.create("A/B/C", None).unwrap();
    alice
        .append("A/B", crlf("Subject: b\n\n"), &[Flag::Seen], None)
        .unwrap();
    let before = alice.status("A/B").unwrap();
    alice.subscribe("A/B/C").unwrap();
    alice.rename("A", "Z/Y").unwrap();
    assert_eq!(
        names(&list(&alice, "", "*"))
            .into_iter()
            .filter(|n| n.starts_with('A') || n.starts_with('Z'))
            .collect::<Vec<_>>(),
        vec!["Archive", "Z", "Z/Y", "Z/Y/B", "Z/Y/B/C"]
    );
    // Same mailbox: UIDVALIDITY, messages and flags kept.
    let after = alice.status("Z/Y/B").unwrap();
    assert_eq!(
        (after.uid_validity, after.messages, after.unseen),
        (before.uid_validity, 1, 0)
    );
    assert!(alice.subscriptions().contains(&"Z/Y/B/C".to_string()));
    assert_eq!(
        alice.rename("Z/Y", "Z/Y/B/D"),
        Err(StoreError::Cannot {
            what: "rename a mailbox below itself"
        })
    );
    assert_eq!(alice.rename("Z", "Sent"), Err(StoreError::AlreadyExists));
    assert_eq!(alice.rename("Nope", "New"), Err(StoreError::NoSuchMailbox));

    // RENAME INBOX: messages move to the new mailbox, INBOX stays, empty;
    // INBOX's children are not renamed (RFC 9051 §6.3.6).
    alice.create("INBOX/Kid", None).unwrap();
    alice
        .append("INBOX", crlf("Subject: 1\n\n"), &[Flag::Flagged], None)
        .unwrap();
    alice
        .append("INBOX", crlf("Subject: 2\n\n"), &[], None)
        .unwrap();
    let inbox_validity = alice.status("INBOX").unwrap().uid_validity;
    alice.rename("INBOX", "Old Inbox").unwrap();
    let inbox = alice.status("INBOX").unwrap();
    assert_eq!((inbox.messages, inbox.uid_validity), (0, inbox_validity));
    let old = alice.status("Old Inbox").unwrap();
    assert_eq!((old.messages, old.size), (2, 28));
    assert!(list(&alice, "", "INBOX/Kid").len() == 1);
    let sel = alice.select("Old Inbox", true).unwrap();
    let m = sel.messages(&[(1, 1)]);
    assert_eq!(m[0].flags().flags.to_flags(), vec![Flag::Flagged]);
}

#[test]
fn status_counts() {
    let dir = TempDir::new("status");
    let store = open(&dir);
    let alice = store.account("alice").unwrap();
    alice
        .append("INBOX", crlf("Subject: a\n\nx\n"), &[Flag::Seen], None)
        .unwrap();
    alice
        .append("INBOX", crlf("Subject: b\n\ny\n"), &[Flag::Deleted], None)
        .unwrap();
    let s = alice.status("INBOX").unwrap();
    assert_eq!(s.messages, 2);
    assert_eq!(s.unseen, 1);
    assert_eq!(s.deleted, 1);
    assert_eq!(s.size, 34);
    assert_eq!(s.uid_next, 3);
    assert_eq!(s.recent, 2);
    assert!(s.mailbox_id.starts_with('M'));
    assert_eq!(s.highest_modseq, 3);
    let _sel = alice.select("INBOX", false).unwrap();
    // The session took the \Recent messages.
    assert_eq!(alice.status("INBOX").unwrap().recent, 0);
}
