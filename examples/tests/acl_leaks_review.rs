//! Review (stop 33): what CREATE and RENAME in the demo server's shared
//! namespace tell a user about mailboxes he has no `l` (lookup) right on
//! (RFC 4314 §4, §6), and the rights RENAME checks on the inferior names
//! it moves along (RFC 9051 §6.3.6, RFC 4314 §4).
//!
//! The team mailbox is `Shared/経理` (`Shared/&fUx0Bg-`) with the child
//! `Shared/経理/2024` and the grandchild `Shared/経理/2024/Q1`: alice creates
//! them, bob gets rights on some. RFC 4314 §6: "An implementation MUST
//! make sure the ACL commands themselves do not give information about
//! mailboxes with appropriately restricted ACLs", and this server answers
//! every command on a mailbox without `l` as for a missing one (stop 32);
//! CREATE and RENAME are held to the same rule where it can be kept.
//!
//! Tests whose doc says "Was a bug" failed before the fixes committed
//! with this file; the others pin what held already, or what cannot be
//! hidden (each says why).

mod demo_util;

use demo_util::imap::{listed, Imap};
use demo_util::DemoServer;

/// `Shared/経理` as an IMAP4rev1 client names it.
const TEAM: &str = "Shared/&fUx0Bg-";
/// Alice's child of the team mailbox.
const Y2024: &str = "Shared/&fUx0Bg-/2024";
/// Alice's grandchild of the team mailbox.
const Q1: &str = "Shared/&fUx0Bg-/2024/Q1";
/// A child of the team mailbox nobody created.
const Y2025: &str = "Shared/&fUx0Bg-/2025";
/// A grandchild nobody created, below the existing child.
const Q2: &str = "Shared/&fUx0Bg-/2024/Q2";

/// What a user without `k` on the nearest existing parent hears.
const NO_K: &str = "NO [NOPERM] permission denied: right k is missing";
/// What a user without `x` on a mailbox to rename (or delete) hears.
const NO_X: &str = "NO [NOPERM] permission denied: right x is missing";
/// What a user hears for a missing (or hidden) mailbox.
const MISSING: &str = "NO [NONEXISTENT] no such mailbox";
/// CREATE or RENAME onto a name that exists.
const EXISTS: &str = "NO [ALREADYEXISTS] mailbox already exists";

/// A demo server on `port` (STARTTLS) and `port + 1` (implicit TLS).
fn start(name: &str, port: u16) -> DemoServer {
    demo_util::start(&format!("acl-leaks-{name}"), port)
}

/// Alice's session with `Shared/経理`, `…/2024` and `…/2024/Q1` created
/// (each child inherits its parent's ACL, RFC 4314 §4), bob granted
/// `bob_rights` on the team mailbox before the children were created (so
/// he holds them on all three; none when empty); bob's session.
fn team(demo: &DemoServer, bob_rights: &str) -> (Imap, Imap) {
    let mut a = Imap::of(demo, "alice");
    a.ok(format!("CREATE {TEAM}"));
    let (_, done) = a.cmd_literal(
        &format!("APPEND {TEAM} ()"),
        b"From: alice@example.org\r\nSubject: invoice\r\n\r\nfirst invoice\r\n",
    );
    assert!(done.starts_with("OK [APPENDUID "), "{done}");
    if !bob_rights.is_empty() {
        a.ok(format!("SETACL {TEAM} bob {bob_rights}"));
    }
    a.ok(format!("CREATE {Y2024}"));
    a.ok(format!("CREATE {Q1}"));
    let b = Imap::of(demo, "bob");
    (a, b)
}

/// The names under `Shared/` that `user`'s LIST returns.
fn shared_names(s: &mut Imap) -> Vec<String> {
    listed(&s.ok("LIST \"\" \"Shared/*\""))
}

/// The three names of the team hierarchy, as alice lists them.
fn team_names() -> Vec<String> {
    [TEAM, Y2024, Q1].map(String::from).to_vec()
}

/// Bob's rights on `mailbox` as alice reads them in its ACL, or `None`
/// when bob has no entry.
fn bobs_entry(a: &mut Imap, mailbox: &str) -> Option<String> {
    let lines = a.ok(format!("GETACL {mailbox}"));
    assert_eq!(lines.len(), 1, "{lines:?}");
    let words: Vec<&str> = lines[0].split(' ').collect();
    words
        .iter()
        .position(|w| *w == "bob")
        .map(|i| words[i + 1].to_string())
}

// ---------------------------------------------------------------------------
// Stop 33: CREATE and RENAME of names the user cannot see
// ---------------------------------------------------------------------------

/// RFC 4314 §4: CREATE needs `k` on the nearest existing parent; §6: a
/// mailbox without `l` must not show through. Bob has no right on
/// `Shared/経理` (nor on its children): CREATE of the existing but hidden
/// `Shared/経理/2024` answered `NO [ALREADYEXISTS] mailbox already
/// exists` (the existence check ran before the rights check), CREATE of
/// the missing `Shared/経理/2025` `NO [NOPERM] ... right k is missing`.
/// Now both answer the latter, with and without a trailing delimiter, and
/// likewise one level down (`…/2024/Q1` exists, `…/2024/Q2` does not,
/// bob has no `k` on `…/2024`). Nothing is created.
///
/// Was a bug (fixed in stop 33).
#[test]
fn create_of_a_hidden_name_answers_like_a_missing_one() {
    let demo = start("create-hidden", 13300);
    let (mut a, mut b) = team(&demo, "");
    for (hidden, missing) in [
        (Y2024.to_string(), Y2025.to_string()),
        (format!("{Y2024}/"), format!("{Y2025}/")),
        (Q1.to_string(), Q2.to_string()),
    ] {
        let (lines, done) = b.cmd(format!("CREATE {hidden}"));
        assert!(lines.is_empty(), "{lines:?}");
        assert_eq!(done, NO_K, "CREATE {hidden}");
        let (lines, done) = b.cmd(format!("CREATE {missing}"));
        assert!(lines.is_empty(), "{lines:?}");
        assert_eq!(done, NO_K, "CREATE {missing}");
    }
    assert_eq!(shared_names(&mut a), team_names());
    assert_eq!(shared_names(&mut b), Vec::<String>::new());
}

/// As above with the parent visible: bob holds `lr` on `Shared/経理` (no
/// `k`), nothing on `Shared/経理/2024`. CREATE of the hidden child
/// answered `NO [ALREADYEXISTS]`, of a missing one `NO [NOPERM]`; now
/// both the latter. A child bob can see (`l`) still answers `NO
/// [ALREADYEXISTS]`: its existence is no secret to him.
///
/// Was a bug (fixed in stop 33).
#[test]
fn create_of_a_hidden_child_of_a_visible_parent_answers_like_a_missing_one() {
    let demo = start("create-hidden-child", 13302);
    let (mut a, mut b) = team(&demo, "lr");
    a.ok(format!("DELETEACL {Y2024} bob"));
    a.ok(format!("DELETEACL {Q1} bob"));
    assert_eq!(shared_names(&mut b), vec![TEAM.to_string()]);
    let (lines, done) = b.cmd(format!("CREATE {Y2024}"));
    assert!(lines.is_empty(), "{lines:?}");
    assert_eq!(done, NO_K);
    assert_eq!(b.cmd(format!("CREATE {Y2025}")), (Vec::new(), NO_K.into()));
    a.ok(format!("SETACL {Y2024} bob l"));
    assert_eq!(
        b.cmd(format!("CREATE {Y2024}")),
        (Vec::new(), EXISTS.into())
    );
    assert_eq!(shared_names(&mut a), team_names());
    assert_eq!(bobs_entry(&mut a, Q1), None);
}

/// RENAME onto a hidden name below a parent without `k` (RFC 4314 §4:
/// `k` on the new parent), and RENAME from a hidden name (§4: `x` on the
/// old name; §6): bob, with his own `Shared/Bob` and no right on the team
/// hierarchy, gets `NO [NOPERM] ... right k is missing` for the existing
/// `…/2024` and the missing `…/2025` alike, and `NO [NONEXISTENT]` for
/// renaming either away. (Held before stop 33: RENAME checks the rights
/// before it looks for a collision; pinned.) Nothing moves.
#[test]
fn rename_onto_or_from_a_hidden_name_answers_like_a_missing_one() {
    let demo = start("rename-hidden", 13304);
    let (mut a, mut b) = team(&demo, "");
    b.ok("CREATE Shared/Bob");
    for target in [Y2024, Y2025, Q1, Q2] {
        let got = b.cmd(format!("RENAME Shared/Bob {target}"));
        assert_eq!(got, (Vec::new(), NO_K.to_string()), "onto {target}");
    }
    for source in [Y2024, Y2025, Q1, Q2] {
        let got = b.cmd(format!("RENAME {source} Shared/Bob2"));
        assert_eq!(got, (Vec::new(), MISSING.to_string()), "from {source}");
    }
    assert_eq!(shared_names(&mut a), team_names());
    assert_eq!(shared_names(&mut b), vec!["Shared/Bob".to_string()]);
}

/// What cannot be hidden: where bob may create (he holds `k` on the
/// parent, or the name is top-level in `Shared/`, where anyone may create
/// a mailbox), a missing name is created and an existing one cannot be,
/// so CREATE or RENAME onto a hidden name answers `NO [ALREADYEXISTS]`
/// where a missing name succeeds. Dovecot's ACL plugin accepts the same
/// ("Can't help it"). So does CREATE below a hidden mailbox when the
/// missing alternative would create it as a top-level name: `NO
/// [NOPERM]` (no `k` on the hidden `Shared/経理`) against OK. Pinned so
/// that a change is deliberate; the hidden mailbox is not touched.
#[test]
fn where_bob_may_create_a_hidden_name_shows_as_taken() {
    let demo = start("unavoidable", 13306);
    let (mut a, mut b) = team(&demo, "lrk");
    a.ok(format!("DELETEACL {Y2024} bob"));
    a.ok(format!("DELETEACL {Q1} bob"));
    assert_eq!(
        b.cmd(format!("CREATE {Y2024}")),
        (Vec::new(), EXISTS.into())
    );
    assert_eq!(
        b.cmd(format!("CREATE {Y2025}")),
        (Vec::new(), "OK completed".into())
    );
    b.ok("CREATE Shared/Bob");
    let got = b.cmd(format!("RENAME Shared/Bob {Y2024}"));
    assert_eq!(got, (Vec::new(), EXISTS.into()));
    a.ok(format!("DELETEACL {TEAM} bob"));
    assert_eq!(b.cmd(format!("CREATE {TEAM}")), (Vec::new(), EXISTS.into()));
    assert_eq!(b.cmd(format!("CREATE {TEAM}/x")), (Vec::new(), NO_K.into()));
    let got = b.cmd("CREATE Shared/&MOEw4g-/x");
    assert_eq!(got, (Vec::new(), "OK completed".into()));
    assert_eq!(bobs_entry(&mut a, Y2024), None);
    assert_eq!(
        a.ok(format!("STATUS {TEAM} (MESSAGES)")),
        vec![format!("* STATUS {TEAM} (MESSAGES 1)")]
    );
    assert_eq!(
        shared_names(&mut a),
        [TEAM, Y2024, Q1, Y2025].map(String::from).to_vec()
    );
    // Bob sees his own mailboxes (and the team mailbox only as the
    // superior of his `…/2025`).
    assert_eq!(
        shared_names(&mut b),
        [
            "Shared/Bob",
            "Shared/&MOEw4g-",
            "Shared/&MOEw4g-/x",
            TEAM,
            Y2025
        ]
        .map(String::from)
        .to_vec()
    );
}

// ---------------------------------------------------------------------------
// Stop 33: RENAME of a hierarchy checks every inferior
// ---------------------------------------------------------------------------

/// RFC 9051 §6.3.6: RENAME moves the inferior names too; RFC 4314 §4:
/// RENAME needs `x` on the old name (it deletes it). Bob holds `lrxk` on
/// `Shared/経理` and `…/2024`, only `lr` on `…/2024/Q1`: his RENAME of
/// `Shared/経理` to `Shared/Archive` answered OK and moved `Q1` too, a
/// mailbox he may not delete. Now the whole RENAME fails with `NO
/// [NOPERM] ... right x is missing` (the answer for a missing `x` on the
/// mailbox itself, which names no inferior) and nothing moves.
///
/// Was a bug (fixed in stop 33).
#[test]
fn rename_needs_x_on_every_inferior() {
    let demo = start("rename-x", 13308);
    let (mut a, mut b) = team(&demo, "lrxk");
    a.ok(format!("SETACL {Q1} bob lr"));
    let got = b.cmd(format!("RENAME {TEAM} Shared/Archive"));
    assert_eq!(got, (Vec::new(), NO_X.to_string()));
    assert_eq!(shared_names(&mut a), team_names());
    assert_eq!(shared_names(&mut b), team_names());
    assert_eq!(
        a.ok(format!("STATUS {TEAM} (MESSAGES)")),
        vec![format!("* STATUS {TEAM} (MESSAGES 1)")]
    );
}

/// As above with an inferior bob cannot even see: no right at all on
/// `…/2024/Q1`. His RENAME of `Shared/経理` answered OK and moved the
/// hidden mailbox. Now it fails exactly as when he lacks `x` on a visible
/// inferior, or on `Shared/経理` itself (`NO [NOPERM] ... right x is
/// missing`), and nothing moves. What cannot be hidden: that some
/// inferior he may not delete exists (moving it, or leaving it behind
/// under the old name, would tell him as much and break RFC 9051
/// §6.3.6); the answer does not say which, how many, or whether he could
/// see it.
///
/// Was a bug (fixed in stop 33).
#[test]
fn rename_with_a_hidden_inferior_fails_without_naming_it() {
    let demo = start("rename-hidden-child", 13310);
    let (mut a, mut b) = team(&demo, "lrxk");
    a.ok(format!("DELETEACL {Q1} bob"));
    assert_eq!(
        shared_names(&mut b),
        [TEAM, Y2024].map(String::from).to_vec()
    );
    let got = b.cmd(format!("RENAME {TEAM} Shared/Archive"));
    assert_eq!(got, (Vec::new(), NO_X.to_string()));
    let got = b.cmd(format!("RENAME {Y2024} Shared/Archive"));
    assert_eq!(got, (Vec::new(), NO_X.to_string()));
    assert_eq!(shared_names(&mut a), team_names());
    assert_eq!(bobs_entry(&mut a, Q1), None);
    // Without x on the team mailbox itself: the same answer.
    a.ok(format!("SETACL {TEAM} bob lrk"));
    let got = b.cmd(format!("RENAME {TEAM} Shared/Archive"));
    assert_eq!(got, (Vec::new(), NO_X.to_string()));
    assert_eq!(shared_names(&mut a), team_names());
}

/// With `x` on every inferior the RENAME moves the whole hierarchy, and
/// each mailbox keeps its ACL (RFC 4314 §4: RENAME SHOULD NOT change the
/// ACLs) and its messages. (Held before stop 33; pinned.)
#[test]
fn rename_with_x_on_every_inferior_moves_them_all() {
    let demo = start("rename-all", 13312);
    let (mut a, mut b) = team(&demo, "lrxk");
    a.ok(format!("SETACL {Q1} bob lrx"));
    b.ok(format!("RENAME {TEAM} Shared/Archive"));
    let moved = [
        "Shared/Archive",
        "Shared/Archive/2024",
        "Shared/Archive/2024/Q1",
    ]
    .map(String::from)
    .to_vec();
    assert_eq!(shared_names(&mut a), moved);
    assert_eq!(shared_names(&mut b), moved);
    assert_eq!(
        bobs_entry(&mut a, "Shared/Archive/2024/Q1").as_deref(),
        Some("lrxd")
    );
    assert_eq!(
        bobs_entry(&mut a, "Shared/Archive").as_deref(),
        Some("lrkxcd")
    );
    assert_eq!(
        a.ok("STATUS Shared/Archive (MESSAGES)"),
        vec!["* STATUS Shared/Archive (MESSAGES 1)".to_string()]
    );
}
