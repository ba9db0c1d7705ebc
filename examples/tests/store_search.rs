//! SEARCH keys evaluated by the store (RFC 9051 §6.4.4, RFC 7162 MODSEQ).

mod store_util;

use imap_examples::store::datetime_from_unix;
use imapkit_proto::{AString, Atom, Date, Flag, SearchKey as K, SequenceSet, StoreAction, Vec1};
use store_util::{crlf, open, TempDir};

fn s(x: &'static str) -> AString<'static> {
    AString::from(x)
}

#[test]
fn search_keys() {
    let dir = TempDir::new("search");
    let store = open(&dir);
    let alice = store.account("alice").unwrap();
    let day = |d: i64| Some(datetime_from_unix(1_700_000_000 + d * 86_400, 0));
    alice
        .append(
            "INBOX",
            crlf("From: Alice <alice@example.org>\nTo: bob@example.org\nSubject: Quarterly Report\nDate: Tue, 14 Nov 2023 10:00:00 +0000\nX-Tag: red\n\nThe numbers are up.\n"),
            &[Flag::Seen, Flag::keyword("$Work").unwrap()],
            day(0),
        )
        .unwrap();
    alice
        .append(
            "INBOX",
            crlf("From: =?UTF-8?B?w4lsb2TDqWU=?= <elo@example.fr>\nCc: carol@example.org\nSubject: =?UTF-8?Q?R=C3=A9union?=\nDate: Fri, 17 Nov 2023 10:00:00 +0100\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nCaf=C3=A9 demain\n"),
            &[Flag::Flagged],
            day(3),
        )
        .unwrap();
    alice
        .append(
            "INBOX",
            crlf(&format!("Subject: big\n\n{}\n", "x".repeat(500))),
            &[Flag::Deleted, Flag::Answered],
            day(5),
        )
        .unwrap();
    let mut sel = alice.select("INBOX", false).unwrap();
    let find = |sel: &imap_examples::store::Selected, k: K<'static>| -> Vec<u32> {
        sel.search(&k)
            .unwrap()
            .matches
            .into_iter()
            .map(|m| m.1)
            .collect()
    };
    let date = |y, m, d| Date::new(y, m, d).unwrap();
    assert_eq!(find(&sel, K::All), vec![1, 2, 3]);
    assert_eq!(find(&sel, K::Seen), vec![1]);
    assert_eq!(find(&sel, K::Unseen), vec![2, 3]);
    assert_eq!(find(&sel, K::Flagged), vec![2]);
    assert_eq!(find(&sel, K::Deleted), vec![3]);
    assert_eq!(find(&sel, K::Answered), vec![3]);
    assert_eq!(find(&sel, K::Undeleted), vec![1, 2]);
    assert_eq!(
        find(&sel, K::Keyword(Atom::try_from("$work").unwrap())),
        vec![1]
    );
    assert_eq!(
        find(&sel, K::Unkeyword(Atom::try_from("$Work").unwrap())),
        vec![2, 3]
    );
    assert_eq!(find(&sel, K::Recent), vec![1, 2, 3]);
    assert_eq!(find(&sel, K::New), vec![2, 3]);
    assert_eq!(find(&sel, K::Old), Vec::<u32>::new());
    assert_eq!(find(&sel, K::Larger(400)), vec![3]);
    assert_eq!(find(&sel, K::Smaller(400)), vec![1, 2]);
    // INTERNALDATE: 14, 17 and 19 Nov 2023 (UTC).
    assert_eq!(find(&sel, K::Before(date(2023, 11, 17))), vec![1]);
    assert_eq!(find(&sel, K::On(date(2023, 11, 17))), vec![2]);
    assert_eq!(find(&sel, K::Since(date(2023, 11, 17))), vec![2, 3]);
    // Date: field, in the sender's zone; no Date: never matches.
    assert_eq!(find(&sel, K::SentOn(date(2023, 11, 14))), vec![1]);
    assert_eq!(find(&sel, K::SentSince(date(2023, 11, 15))), vec![2]);
    assert_eq!(find(&sel, K::SentBefore(date(2023, 11, 15))), vec![1]);
    // Strings: case-insensitive, decoded encoded words and bodies.
    assert_eq!(find(&sel, K::Subject(s("quarterly"))), vec![1]);
    assert_eq!(find(&sel, K::Subject(s("réunion"))), vec![2]);
    assert_eq!(find(&sel, K::From(s("ÉLODÉE"))), vec![2]);
    assert_eq!(find(&sel, K::From(s("example.org"))), vec![1]);
    assert_eq!(find(&sel, K::To(s("BOB@"))), vec![1]);
    assert_eq!(find(&sel, K::Cc(s("carol"))), vec![2]);
    assert_eq!(find(&sel, K::Bcc(s("x"))), Vec::<u32>::new());
    assert_eq!(find(&sel, K::Body(s("café"))), vec![2]);
    assert_eq!(find(&sel, K::Body(s("report"))), Vec::<u32>::new());
    assert_eq!(find(&sel, K::Text(s("report"))), vec![1]);
    assert_eq!(find(&sel, K::Header(s("x-tag"), s("RED"))), vec![1]);
    assert_eq!(find(&sel, K::Header(s("X-Tag"), s(""))), vec![1]);
    // Sets and boolean structure.
    assert_eq!(
        find(&sel, K::Uid(SequenceSet::try_from("2:*").unwrap())),
        vec![2, 3]
    );
    assert_eq!(
        find(&sel, K::SequenceSet(SequenceSet::try_from("1,3").unwrap())),
        vec![1, 3]
    );
    assert_eq!(find(&sel, K::negated(K::Seen)), vec![2, 3]);
    assert_eq!(find(&sel, K::or(K::Seen, K::Flagged)), vec![1, 2]);
    let and = K::And(Vec1::try_from(vec![K::Unseen, K::Undeleted]).unwrap());
    assert_eq!(find(&sel, and), vec![2]);
    // MODSEQ (RFC 7162): only what changed since.
    let r = sel
        .store(&[(2, 2)], StoreAction::Add, &[Flag::Seen], None)
        .unwrap();
    let m = r.messages[0].3;
    let res = sel
        .search(&K::ModSeq {
            entry: None,
            modseq: m,
        })
        .unwrap();
    assert_eq!(res.matches, vec![(2, 2)]);
    assert_eq!(res.highest_modseq, Some(m));
    // $: a saved result (RFC 5182).
    sel.save_result(&[1, 3]);
    assert_eq!(
        find(&sel, K::SequenceSet(SequenceSet::LastResult)),
        vec![1, 3]
    );
    assert_eq!(
        sel.resolve(&SequenceSet::LastResult, true).unwrap(),
        vec![(1, 1), (3, 3)]
    );
}
