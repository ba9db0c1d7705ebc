//! What the store acknowledged survives a restart and a crash (simulated:
//! the store is dropped without any shutdown, files are left as a crash
//! would leave them, and the store is opened again).

mod store_util;

use std::fs;

use imap_examples::store::{Change, StoreError};
use imapkit_proto::{Flag, SequenceSet, StoreAction};
use store_util::{crlf, open, TempDir};

fn kw(s: &'static str) -> Flag<'static> {
    Flag::keyword(s).unwrap()
}

#[test]
fn uids_flags_uidvalidity_and_modseq_survive_a_restart() {
    let dir = TempDir::new("restart");
    let (validity, modseq, date) = {
        let store = open(&dir);
        let alice = store.account("alice").unwrap();
        alice.create("Lists/日本語", None).unwrap();
        let date = imap_examples::store::datetime_from_unix(837_596_665, -420);
        for i in 0..3 {
            let raw = crlf(&format!("Subject: {i}\n\nbody {i}\n"));
            let u = alice
                .append("Lists/日本語", raw, &[Flag::Seen], Some(date))
                .unwrap();
            assert_eq!(u.uid, i + 1);
        }
        let mut sel = alice.select("Lists/日本語", false).unwrap();
        let all = sel.resolve(&SequenceSet::all(), false).unwrap();
        sel.store(
            &all[1..2],
            StoreAction::Add,
            &[Flag::Flagged, kw("$Work")],
            None,
        )
        .unwrap();
        sel.store(&all[0..1], StoreAction::Add, &[Flag::Deleted], None)
            .unwrap();
        let gone = sel.expunge(None).unwrap();
        assert_eq!(gone.len(), 1);
        alice.subscribe("Lists/日本語").unwrap();
        let info = sel.info();
        (info.uid_validity, info.highest_modseq, date)
        // Dropped here without any shutdown.
    };
    let store = open(&dir);
    let alice = store.account("alice").unwrap();
    let sel = alice.select("Lists/日本語", false).unwrap();
    let info = sel.info();
    assert_eq!(info.uid_validity, validity);
    assert_eq!(info.highest_modseq, modseq);
    assert_eq!(info.uid_next, 4);
    assert_eq!(info.exists, 2);
    let msgs = sel.messages(&sel.resolve(&SequenceSet::all(), false).unwrap());
    assert_eq!(msgs.iter().map(|m| m.uid()).collect::<Vec<_>>(), vec![2, 3]);
    assert_eq!(
        msgs[0].flags().flags.to_flags(),
        vec![Flag::Flagged, Flag::Seen, kw("$Work")]
    );
    assert_eq!(msgs[1].flags().flags.to_flags(), vec![Flag::Seen]);
    assert!(msgs[0].modseq() > msgs[1].modseq());
    assert_eq!(msgs[0].internal_date(), date);
    assert_eq!(
        &msgs[1].bytes().unwrap()[..],
        b"Subject: 2\r\n\r\nbody 2\r\n"
    );
    assert!(info.flags.contains(&kw("$Work")));
    assert!(alice.subscriptions().contains(&"Lists/日本語".to_string()));
    // New UIDs continue after the highest ever given, and modseq grows.
    let u = alice
        .append("Lists/日本語", crlf("Subject: 4\n\nx\n"), &[], None)
        .unwrap();
    assert_eq!(u.uid, 4);
    assert!(alice.status("Lists/日本語").unwrap().highest_modseq > modseq);
}

#[test]
fn a_crash_keeps_everything_acknowledged_and_drops_the_rest() {
    let dir = TempDir::new("crash");
    let user_dir = dir.0.join("alice");
    let inbox_dir;
    {
        let store = open(&dir);
        let alice = store.account("alice").unwrap();
        alice
            .append("INBOX", crlf("Subject: kept\n\nx\n"), &[], None)
            .unwrap();
        let mut sel = alice.select("INBOX", false).unwrap();
        sel.store(&[(1, 1)], StoreAction::Add, &[Flag::Answered], None)
            .unwrap();
        inbox_dir = fs::read_dir(&user_dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                p.is_dir() && p.join("journal").exists() && {
                    fs::read_to_string(p.join("journal"))
                        .unwrap()
                        .contains("A 1 ")
                }
            })
            .unwrap();
    }
    // What a crash in the middle of later operations leaves behind: a
    // half-written journal line, a message file in tmp/, a file renamed into
    // cur/ before its journal line, a mailbox directory created before the
    // registry named it. Plus a delivery by another program into new/.
    let mut j = fs::OpenOptions::new()
        .append(true)
        .open(inbox_dir.join("journal"))
        .unwrap();
    std::io::Write::write_all(&mut j, b"F 1 99 8 #12").unwrap();
    drop(j);
    fs::write(inbox_dir.join("tmp/123.M1P1Q1"), b"partial").unwrap();
    fs::write(
        inbox_dir.join("cur/124.M1P1Q1:2,"),
        b"Subject: lost\r\n\r\n",
    )
    .unwrap();
    fs::create_dir_all(user_dir.join("Mdeadx99/cur")).unwrap();
    fs::write(
        inbox_dir.join("new/125.M1P1Q1.host"),
        b"Subject: delivered\r\n\r\nhi\r\n",
    )
    .unwrap();

    let store = open(&dir);
    let alice = store.account("alice").unwrap();
    let sel = alice.select("INBOX", false).unwrap();
    let msgs = sel.messages(&sel.resolve(&SequenceSet::all(), false).unwrap());
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0].flags().flags.to_flags(), vec![Flag::Answered]);
    assert_eq!(&msgs[0].bytes().unwrap()[..], b"Subject: kept\r\n\r\nx\r\n");
    assert_eq!(msgs[1].uid(), 2);
    assert_eq!(
        &msgs[1].bytes().unwrap()[..],
        b"Subject: delivered\r\n\r\nhi\r\n"
    );
    assert!(fs::read_dir(inbox_dir.join("tmp"))
        .unwrap()
        .next()
        .is_none());
    assert!(!inbox_dir.join("cur/124.M1P1Q1:2,").exists());
    assert!(!inbox_dir.join("new/125.M1P1Q1.host").exists());
    assert!(!user_dir.join("Mdeadx99").exists());
    // The torn line was cut off: the journal ends with a whole line.
    assert!(fs::read(inbox_dir.join("journal"))
        .unwrap()
        .ends_with(b"\n"));
}

#[test]
fn a_damaged_journal_is_an_error_not_a_silent_loss() {
    let dir = TempDir::new("damage");
    {
        let store = open(&dir);
        let alice = store.account("alice").unwrap();
        for i in 0..2 {
            alice
                .append("Archive", crlf(&format!("Subject: {i}\n\n")), &[], None)
                .unwrap();
        }
    }
    let journal = fs::read_dir(dir.0.join("alice"))
        .unwrap()
        .flatten()
        .map(|e| e.path().join("journal"))
        .find(|j| j.exists() && fs::read_to_string(j).unwrap().contains("A 2 "))
        .unwrap();
    let mut bytes = fs::read(&journal).unwrap();
    let at = bytes.windows(4).position(|w| w == b"A 1 ").unwrap();
    bytes[at + 2] = b'7';
    fs::write(&journal, bytes).unwrap();
    let store = open(&dir);
    let alice = store.account("alice").unwrap();
    assert!(matches!(
        alice.select("Archive", false).unwrap_err(),
        StoreError::Corrupt { line: 3, .. }
    ));
}

#[test]
fn journal_is_compacted_and_still_reads_back() {
    let dir = TempDir::new("compact");
    let journal_len;
    {
        let store = open(&dir);
        let alice = store.account("alice").unwrap();
        alice
            .append("INBOX", crlf("Subject: a\n\n"), &[], None)
            .unwrap();
        let mut sel = alice.select("INBOX", false).unwrap();
        let mut rx = sel.subscribe();
        for i in 0..1200 {
            let action = if i % 2 == 0 {
                StoreAction::Add
            } else {
                StoreAction::Remove
            };
            sel.store(&[(1, 1)], action, &[Flag::Flagged], None)
                .unwrap();
        }
        // A receiver that fell behind is told how many changes it lost,
        // then gets the newest CHANNEL_CAPACITY ones.
        use tokio::sync::broadcast::error::TryRecvError;
        assert_eq!(rx.try_recv(), Err(TryRecvError::Lagged(1200 - 1024)));
        let mut n = 0;
        while let Ok(c) = rx.try_recv() {
            assert!(matches!(c, Change::FlagsChanged { uid: 1, .. }));
            n += 1;
        }
        assert_eq!(n, imap_examples::store::CHANNEL_CAPACITY);
        let inbox = fs::read_dir(dir.0.join("alice"))
            .unwrap()
            .flatten()
            .map(|e| e.path().join("journal"))
            .find(|j| j.exists() && fs::read_to_string(j).unwrap().contains("A 1 "))
            .unwrap();
        journal_len = fs::read_to_string(inbox).unwrap().lines().count();
        assert_eq!(sel.info().highest_modseq, 1202);
    }
    assert!(journal_len < 1000, "compacted: {journal_len} lines");
    let store = open(&dir);
    let sel = store
        .account("alice")
        .unwrap()
        .select("INBOX", false)
        .unwrap();
    assert_eq!(sel.info().highest_modseq, 1202);
    let m = &sel.messages(&[(1, 1)])[0];
    assert_eq!(m.flags().flags.to_flags(), Vec::<Flag<'static>>::new());
    assert_eq!(m.modseq(), 1202);
}
