//! Stop 33 review of the stop's own changes (90f8e99..HEAD): the
//! `[CLOSED]` boundary with its held responses, EXPUNGE/VANISHED after
//! ENABLE QRESYNC, IDLE with IMAP4rev2 and the DONE withdrawn, FETCH
//! responses routed by the sequence sets in flight, `Completion::copy_uid`.
//!
//! Faults (each a test asserting what the RFC asks, `#[ignore = "BUG: ..."]`
//! until fixed; all fixed in stop 33, each test "Was a bug"):
//!
//! 1. `uid_fetch_n_star_answer_for_the_last_message_is_the_fetchs` and
//!    `uid_fetch_star_answer_is_the_fetchs` — `MessageScope::covers` takes
//!    `*` of a UID set as `u32::MAX`. RFC 9051 §9 (`seq-range`): `*` is the
//!    largest UID in use and `n:*` with n above it is `largest:n`, so
//!    `UID FETCH 20:*` when the last UID is 12, and `UID FETCH *`, are
//!    answered with the last message. That answer is routed to no command
//!    and its flags come as `FlagsChanged`. The response tells: its
//!    sequence number is the last one (EXISTS).
//! 2. `fetch_response_without_uid_is_no_uid_fetch_answer_uid_unknown` and
//!    `..._uid_known` — RFC 9051 §6.4.9: every FETCH response a UID command
//!    causes carries UID. One without it is unsolicited (another session's
//!    flag change, Dovecot's `* 2 FETCH (FLAGS (\Flagged))`), but while a
//!    UID FETCH is in flight it is taken as that FETCH's answer (UID not
//!    known: "cannot tell"; UID known from the model: inside the set) and
//!    the change is swallowed: the case dbf89bd fixed for a FETCH of other
//!    messages, still open for a UID FETCH whose set holds them.
//! 3. `flags_a_fetch_did_not_ask_for_are_a_change` — `asked` looks at the
//!    FETCH's set, not at its items: the `\Seen` a non-PEEK `BODY[]` sets
//!    (RFC 9051 §6.4.5: the server SHOULD include the changed FLAGS) and
//!    another session's change during a `FETCH 1:* (UID)` are swallowed as
//!    "the FETCH's answer" though that FETCH asked for no flags.
//! 4. `store_answer_is_a_change_while_a_fetch_of_the_message_is_in_flight`
//!    — with `FETCH 1:3 (FLAGS)` and `STORE 2 +FLAGS (\Seen)` pipelined
//!    (allowed: FETCH lets no EXPUNGE come, RFC 9051 §5.5), the STORE's
//!    answer (RFC 9051 §6.4.6) is taken as the FETCH's and makes no
//!    `FlagsChanged`; it names no command either, so the STORE's effect is
//!    reported nowhere an application follows (before dbf89bd it was a
//!    `FlagsChanged`).
//! 5. `closing_overflow_keeps_the_new_mailboxs_own_responses` — `Closing`
//!    keeps the *first* 256 responses and drops the rest
//!    (`overflowed` is set and never read). Without `[CLOSED]` the old
//!    mailbox's stragglers come first and the new mailbox's SELECT
//!    responses (EXISTS, UIDVALIDITY; RFC 9051 §6.3.2) last, so exactly
//!    those are lost: the new model has 0 messages and no UIDVALIDITY,
//!    and the old mailbox's FETCHes are replayed into it as violations.
//! 6. `copy_uid_only_on_copy_and_move_completions` — the tagged COPYUID is
//!    taken for any command's `Completion::copy_uid` (a NOOP's), though
//!    COPYUID answers COPY/MOVE only (RFC 4315 §3, RFC 6851 §4.3) and the
//!    field's doc says so. Low severity.
//!
//! Checked and right (plain tests): `n:*` and `*` of sequence-number
//! FETCHes against EXISTS; `FETCH $` answers are the FETCH's; the
//! `fetches_in_flight` count through a FETCH refused when its turn came,
//! an unknown tag, an IDLE refresh with the DONE withdrawn, UNAUTHENTICATE
//! and a BYE with FETCHes in flight (the debug assertion in `route` never
//! fired); a SELECT answered NO without `[CLOSED]` (no replay, no
//! violation, no mailbox); EXAMINE honours `[CLOSED]` like SELECT; a
//! QRESYNC SELECT whose VANISHED (EARLIER) and FETCHes came before a
//! missing `[CLOSED]` ends with the new mailbox's UIDs and `ResyncNeeded`;
//! COPYUID with a COPY and a MOVE in flight is nobody's, and a MOVE
//! answered NO after an untagged COPYUID has none; a STORE's answer alone
//! is a `FlagsChanged` naming the STORE.

mod util;

use imapkit_proto::{Capability, CommandBody, FetchAttribute, Flag, Mailbox, SequenceSet};
use imapkit_state::client::{Event, Outcome, SessionState};
use imapkit_state::error::ViolationKind;
use imapkit_state::mailbox::MailboxChange as C;
use imapkit_state::CommandHandle;
use std::time::Duration;
use util::client::{cmd, completed, quiet_config, violations, Script};

// ---- helpers -------------------------------------------------------------

/// Logged in by PREAUTH with `caps` (no automatic CAPABILITY).
fn preauth(caps: &str) -> Script {
    let mut s = Script::tls(quiet_config());
    s.server(format!("* PREAUTH [CAPABILITY {caps}] hi\r\n").as_bytes());
    s.events();
    s
}

/// The tag of what the client sends now.
fn sent_tag(s: &mut Script) -> String {
    let sent = s.sent();
    sent.split(' ').next().unwrap().to_owned()
}

/// Selects `name` (UIDVALIDITY 1700) with `exists` messages; the UIDs
/// `uids` of the first ones learned by `UID FETCH 1:* (UID)`.
fn select(s: &mut Script, name: &str, exists: u32, uids: &[u32]) {
    s.client.select(s.now, Mailbox::from_name(name)).unwrap();
    let tag = sent_tag(s);
    s.server(
        format!("* {exists} EXISTS\r\n* OK [UIDVALIDITY 1700] x\r\n{tag} OK [READ-WRITE] done\r\n")
            .as_bytes(),
    );
    assert_eq!(s.client.state(), SessionState::Selected);
    if !uids.is_empty() {
        s.client
            .enqueue(
                s.now,
                CommandBody::uid_fetch(SequenceSet::all(), [FetchAttribute::Uid]),
            )
            .unwrap();
        let tag = sent_tag(s);
        let mut answer = String::new();
        for (i, u) in uids.iter().enumerate() {
            answer.push_str(&format!("* {} FETCH (UID {u})\r\n", i + 1));
        }
        answer.push_str(&format!("{tag} OK done\r\n"));
        s.server(answer.as_bytes());
    }
    let ev = s.events();
    assert!(violations(&ev).is_empty(), "{:?}", violations(&ev));
}

/// The handles of the `Event::Data` among `events`, in order.
fn data_handles(events: &[Event]) -> Vec<Option<CommandHandle>> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Data { handle, .. } => Some(*handle),
            _ => None,
        })
        .collect()
}

/// The `FlagsChanged` among `events`: sequence number and flags.
fn flag_changes(events: &[Event]) -> Vec<(u32, Vec<Flag<'static>>)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Mailbox(C::FlagsChanged { seq, flags, .. }) => Some((*seq, flags.clone())),
            _ => None,
        })
        .collect()
}

/// Enqueues `line` (wire form, no tag) and returns its handle and tag.
fn send(s: &mut Script, line: &[u8]) -> (CommandHandle, String) {
    let h = s.client.enqueue(s.now, cmd(line)).unwrap();
    let tag = sent_tag(s);
    (h, tag)
}

// ---- BUGS: `*` in UID sets -----------------------------------------------

/// RFC 9051 §9, `seq-range`: "`*` represents the largest number in use",
/// and "2:4 and 4:2 are equivalent": `UID FETCH 20:*` when the largest UID
/// is 12 is `UID FETCH 12:20`, answered with the last message (servers do
/// this; it is how a sync tool learns that nothing is new). The answer is
/// the FETCH's: it names the FETCH and its flags are no change.
/// Was a bug (fixed in stop 33).
#[test]
fn uid_fetch_n_star_answer_for_the_last_message_is_the_fetchs() {
    let mut s = preauth("IMAP4rev1");
    select(&mut s, "INBOX", 3, &[10, 11, 12]);
    let (fetch, t) = send(&mut s, b"UID FETCH 20:* (FLAGS)");
    s.server(format!("* 3 FETCH (UID 12 FLAGS (\\Seen))\r\n{t} OK done\r\n").as_bytes());
    let ev = s.events();
    assert_eq!(data_handles(&ev), [Some(fetch)], "{ev:?}");
    assert_eq!(flag_changes(&ev), [], "{ev:?}");
    assert!(violations(&ev).is_empty(), "{ev:?}");
}

/// The same for `UID FETCH *` (the last message, RFC 9051 §9), with the
/// UIDs not known to the model: the response's sequence number is the last
/// one (EXISTS 3), so its UID is the largest in use.
/// Was a bug (fixed in stop 33).
#[test]
fn uid_fetch_star_answer_is_the_fetchs() {
    let mut s = preauth("IMAP4rev1");
    select(&mut s, "INBOX", 3, &[]);
    let (fetch, t) = send(&mut s, b"UID FETCH * (FLAGS)");
    s.server(format!("* 3 FETCH (UID 12 FLAGS ())\r\n{t} OK done\r\n").as_bytes());
    let ev = s.events();
    assert_eq!(data_handles(&ev), [Some(fetch)], "{ev:?}");
    assert_eq!(flag_changes(&ev), [], "{ev:?}");
}

// ---- BUGS: FETCH responses without UID during a UID FETCH ------------------

/// RFC 9051 §6.4.9: "the UID data item MUST be included in any FETCH
/// response caused by a UID command". A FETCH response without UID during
/// a UID FETCH is therefore not its answer: it is another session's flag
/// change (RFC 9051 §7.5.2), which must come as `FlagsChanged` and name no
/// command. Here the model does not know message 2's UID.
/// Was a bug (fixed in stop 33).
#[test]
fn fetch_response_without_uid_is_no_uid_fetch_answer_uid_unknown() {
    let mut s = preauth("IMAP4rev1");
    select(&mut s, "INBOX", 3, &[]);
    let (fetch, t) = send(&mut s, b"UID FETCH 10:20 (FLAGS)");
    s.server(
        format!("* 2 FETCH (FLAGS (\\Flagged))\r\n* 1 FETCH (UID 10 FLAGS ())\r\n{t} OK done\r\n")
            .as_bytes(),
    );
    let ev = s.events();
    assert_eq!(data_handles(&ev), [None, Some(fetch)], "{ev:?}");
    assert_eq!(flag_changes(&ev), [(2, vec![Flag::Flagged])], "{ev:?}");
}

/// The same with message 2's UID (11) known to the model and inside the
/// UID FETCH's set: the response still lacks UID, so no UID command
/// caused it (RFC 9051 §6.4.9).
/// Was a bug (fixed in stop 33).
#[test]
fn fetch_response_without_uid_is_no_uid_fetch_answer_uid_known() {
    let mut s = preauth("IMAP4rev1");
    select(&mut s, "INBOX", 3, &[10, 11, 12]);
    let (fetch, t) = send(&mut s, b"UID FETCH 10:12 (FLAGS)");
    s.server(
        format!(
            "* 2 FETCH (FLAGS (\\Flagged))\r\n* 1 FETCH (UID 10 FLAGS ())\r\n\
             * 2 FETCH (UID 11 FLAGS (\\Flagged))\r\n* 3 FETCH (UID 12 FLAGS ())\r\n{t} OK done\r\n"
        )
        .as_bytes(),
    );
    let ev = s.events();
    assert_eq!(
        data_handles(&ev),
        [None, Some(fetch), Some(fetch), Some(fetch)],
        "{ev:?}"
    );
    assert_eq!(flag_changes(&ev), [(2, vec![Flag::Flagged])], "{ev:?}");
}

// ---- BUGS: flags a FETCH did not ask for -----------------------------------

/// RFC 9051 §6.4.5: `BODY[<section>]` (not PEEK) sets `\Seen`, and "if
/// this causes the flags to change, they SHOULD be included as part of the
/// FETCH responses". A FETCH that asked for no FLAGS did not ask for them:
/// they are a change (`FlagsChanged`), as is another session's flag change
/// (RFC 9051 §7.5.2) arriving during a `FETCH 1:* (UID)`.
/// Was a bug (fixed in stop 33).
#[test]
fn flags_a_fetch_did_not_ask_for_are_a_change() {
    let mut s = preauth("IMAP4rev1");
    select(&mut s, "INBOX", 3, &[10, 11, 12]);
    let (fetch, t) = send(&mut s, b"FETCH 2 BODY[TEXT]");
    s.server(
        format!("* 2 FETCH (BODY[TEXT] {{5}}\r\nhello FLAGS (\\Seen))\r\n{t} OK done\r\n")
            .as_bytes(),
    );
    let ev = s.events();
    assert_eq!(data_handles(&ev), [Some(fetch)], "{ev:?}");
    assert_eq!(flag_changes(&ev), [(2, vec![Flag::Seen])], "{ev:?}");

    let (fetch, t) = send(&mut s, b"FETCH 1:* (UID)");
    s.server(
        format!(
            "* 1 FETCH (UID 10)\r\n* 3 FETCH (FLAGS (\\Deleted))\r\n* 2 FETCH (UID 11)\r\n\
             * 3 FETCH (UID 12)\r\n{t} OK done\r\n"
        )
        .as_bytes(),
    );
    let ev = s.events();
    assert_eq!(data_handles(&ev).len(), 4);
    assert_eq!(data_handles(&ev)[0], Some(fetch));
    assert_eq!(flag_changes(&ev), [(3, vec![Flag::Deleted])], "{ev:?}");
}

// ---- BUGS: a STORE's answer during a FETCH of the same message -------------

/// RFC 9051 §6.4.6: STORE answers with the message's new flags in an
/// untagged FETCH; `MailboxChange::FlagsChanged` is documented to carry
/// "the answer to a STORE". With a FETCH of the same message pipelined
/// (FETCH lets no EXPUNGE come, so a STORE by number may follow it, RFC
/// 9051 §5.5) the STORE's answer is taken as the FETCH's, and the
/// message's new flags (`\Seen`) come as no change: the Data events name no
/// command (two could have asked), so the STORE's effect is reported
/// nowhere. (The FETCH's own answer as a `FlagsChanged` too would only
/// repeat the flags the message has; losing the STORE's loses a change.)
/// Was a bug (fixed in stop 33).
#[test]
fn store_answer_is_a_change_while_a_fetch_of_the_message_is_in_flight() {
    let mut s = preauth("IMAP4rev1");
    select(&mut s, "INBOX", 3, &[10, 11, 12]);
    let fetch = s.client.enqueue(s.now, cmd(b"FETCH 1:3 (FLAGS)")).unwrap();
    let store = s
        .client
        .enqueue(s.now, cmd(b"STORE 2 +FLAGS (\\Seen)"))
        .unwrap();
    let sent = s.sent();
    let tags: Vec<&str> = sent.lines().map(|l| l.split(' ').next().unwrap()).collect();
    assert_eq!(tags.len(), 2, "pipelined: {sent:?}");
    s.server(
        format!(
            "* 1 FETCH (FLAGS ())\r\n* 2 FETCH (FLAGS ())\r\n* 3 FETCH (FLAGS ())\r\n\
             * 2 FETCH (FLAGS (\\Seen))\r\n{} OK fetched\r\n{} OK stored\r\n",
            tags[0], tags[1]
        )
        .as_bytes(),
    );
    let ev = s.events();
    assert_eq!(
        completed(&ev),
        [(fetch, Outcome::Ok), (store, Outcome::Ok)],
        "{ev:?}"
    );
    // The last flags of message 2 are \Seen: reported as a change.
    assert_eq!(
        flag_changes(&ev).last(),
        Some(&(2, vec![Flag::Seen])),
        "{ev:?}"
    );
}

// ---- BUGS: the responses held while closing ----------------------------------

/// RFC 9051 §6.3.2: the SELECT's own untagged responses (EXISTS, the
/// UIDVALIDITY code) describe the mailbox selected; RFC 7162 §3.2.11: all
/// responses before `[CLOSED]` are the old mailbox's. A CONDSTORE server
/// that flushes 300 flag updates of INBOX and then answers SELECT Work
/// without `[CLOSED]`: the session replays what it held into Work's model,
/// but it held the first 256 (INBOX's) and dropped the last (Work's own
/// `* 42 EXISTS` and UIDVALIDITY). Work's model must have Work's 42
/// messages and UIDVALIDITY (and the "without [CLOSED]" violation).
/// Was a bug (fixed in stop 33).
#[test]
fn closing_overflow_keeps_the_new_mailboxs_own_responses() {
    let mut s = preauth("IMAP4rev1 CONDSTORE");
    select(&mut s, "INBOX", 3, &[10, 11, 12]);
    s.client.select(s.now, Mailbox::from_name("Work")).unwrap();
    let t = sent_tag(&mut s);
    let mut answer = String::new();
    for _ in 0..300 {
        answer.push_str("* 1 FETCH (FLAGS (\\Seen))\r\n");
    }
    answer.push_str(&format!(
        "* 42 EXISTS\r\n* OK [UIDVALIDITY 99] x\r\n{t} OK [READ-WRITE] in\r\n"
    ));
    s.server(answer.as_bytes());
    let ev = s.events();
    let m = s.client.mailbox().expect("Work is selected");
    assert_eq!(m.name(), &Mailbox::from_name("Work"));
    assert_eq!((m.exists(), m.uid_validity()), (42, Some(99)));
    assert!(
        violations(&ev).contains(&ViolationKind::OutOfState(
            "SELECT completed without [CLOSED]"
        )),
        "{ev:?}"
    );
}

// ---- BUGS: COPYUID ---------------------------------------------------------

/// RFC 4315 §3: COPYUID is the answer of COPY (UID COPY), RFC 6851 §4.3
/// of MOVE; `Completion::copy_uid` is documented as "a COPY or MOVE that
/// succeeded". A NOOP whose OK carries one (a server's fault) has none.
/// Was a bug (fixed in stop 33).
#[test]
fn copy_uid_only_on_copy_and_move_completions() {
    let mut s = preauth("IMAP4rev1 UIDPLUS");
    select(&mut s, "INBOX", 3, &[10, 11, 12]);
    let (noop, t) = send(&mut s, b"NOOP");
    s.server(format!("{t} OK [COPYUID 9 10 20] odd\r\n").as_bytes());
    let ev = s.events();
    let c = ev
        .iter()
        .find_map(|e| match e {
            Event::Completed(c) if c.handle == noop => Some(c),
            _ => None,
        })
        .unwrap();
    assert_eq!(c.outcome, Outcome::Ok);
    assert!(c.copy_uid.is_none(), "{c:?}");
}

// ---- checked and right -------------------------------------------------------

/// RFC 9051 §9: `*` of a sequence-number set is the number of messages,
/// and `5:*` with 3 messages is `3:5`: both answered with message 3, the
/// FETCH's answer; message 2 outside `5:*` is a change naming none.
#[test]
fn sequence_star_sets_are_read_against_exists() {
    let mut s = preauth("IMAP4rev1");
    select(&mut s, "INBOX", 3, &[10, 11, 12]);
    let (fetch, t) = send(&mut s, b"FETCH 5:* (FLAGS)");
    s.server(
        format!("* 2 FETCH (FLAGS (\\Answered))\r\n* 3 FETCH (FLAGS ())\r\n{t} OK done\r\n")
            .as_bytes(),
    );
    let ev = s.events();
    assert_eq!(data_handles(&ev), [None, Some(fetch)], "{ev:?}");
    assert_eq!(flag_changes(&ev), [(2, vec![Flag::Answered])], "{ev:?}");
    let (fetch, t) = send(&mut s, b"FETCH * (FLAGS)");
    s.server(format!("* 3 FETCH (FLAGS (\\Seen))\r\n{t} OK done\r\n").as_bytes());
    let ev = s.events();
    assert_eq!(data_handles(&ev), [Some(fetch)], "{ev:?}");
    assert_eq!(flag_changes(&ev), [], "{ev:?}");
}

/// `FETCH $` (RFC 5182): which messages `$` holds the session cannot
/// tell, and the FETCH runs alone (it waits for the SEARCH that saved
/// it): its answers name it and are no change.
#[test]
fn fetch_of_the_saved_result_is_answered_as_asked() {
    let mut s = preauth("IMAP4rev1 ESEARCH SEARCHRES");
    select(&mut s, "INBOX", 3, &[10, 11, 12]);
    let (fetch, t) = send(&mut s, b"FETCH $ (FLAGS)");
    s.server(format!("* 2 FETCH (FLAGS (\\Seen))\r\n{t} OK done\r\n").as_bytes());
    let ev = s.events();
    assert_eq!(data_handles(&ev), [Some(fetch)], "{ev:?}");
    assert_eq!(flag_changes(&ev), [], "{ev:?}");
}

/// A STORE's answer alone in flight names it and is a change (RFC 9051
/// §6.4.6; `FlagsChanged` "the answer to a STORE").
#[test]
fn store_answer_alone_is_a_change_naming_the_store() {
    let mut s = preauth("IMAP4rev1");
    select(&mut s, "INBOX", 3, &[10, 11, 12]);
    let (store, t) = send(&mut s, b"UID STORE 11 +FLAGS (\\Seen)");
    s.server(
        format!(
            "* 2 FETCH (UID 11 FLAGS (\\Seen))\r\n* 3 FETCH (UID 12 FLAGS (\\Draft))\r\n{t} OK\r\n"
        )
        .as_bytes(),
    );
    let ev = s.events();
    assert_eq!(data_handles(&ev), [Some(store), None], "{ev:?}");
    assert_eq!(
        flag_changes(&ev),
        [(2, vec![Flag::Seen]), (3, vec![Flag::Draft])],
        "{ev:?}"
    );
}

/// The count of FETCHes in flight (checked against the commands in flight
/// by a debug assertion in `route`, on in this test build) through every
/// path that adds or removes a command: a FETCH refused when its turn
/// came (its SELECT failed), an answer under an unknown tag, pipelined
/// FETCHes, an IDLE refresh whose DONE is withdrawn and whose IDLE
/// restarts, UNAUTHENTICATE, and the end of the session with FETCHes in
/// flight. Each FETCH response is routed as it should be.
#[test]
fn fetch_count_stays_in_step_on_every_path() {
    let mut config = quiet_config();
    config.idle_refresh = Duration::from_secs(60);
    let mut s = Script::tls(config);
    s.server(b"* PREAUTH [CAPABILITY IMAP4rev1 IDLE UNAUTHENTICATE] hi\r\n");
    s.events();
    select(&mut s, "INBOX", 3, &[10, 11, 12]);
    // A SELECT that fails, a FETCH queued behind it: refused at its turn.
    s.client.select(s.now, Mailbox::from_name("Nope")).unwrap();
    let fetch = s
        .client
        .enqueue(
            s.now,
            CommandBody::fetch(SequenceSet::try_from(1).unwrap(), [FetchAttribute::Flags]),
        )
        .unwrap();
    let t = sent_tag(&mut s);
    s.server(format!("{t} NO [NONEXISTENT] no\r\n").as_bytes());
    let ev = s.events();
    assert!(
        matches!(completed(&ev)[1], (h, Outcome::NotSent(_)) if h == fetch),
        "{ev:?}"
    );
    assert_eq!(s.sent(), "");
    select(&mut s, "INBOX", 3, &[10, 11, 12]);
    // Unknown tag, then the right one; two pipelined.
    let (a, ta) = send(&mut s, b"FETCH 1 (FLAGS)");
    s.server(b"Z9 OK nobody's\r\n");
    let b = s.client.enqueue(s.now, cmd(b"FETCH 3 (FLAGS)")).unwrap();
    let tb = sent_tag(&mut s);
    s.server(
        format!("* 3 FETCH (FLAGS ())\r\n{tb} OK\r\n* 1 FETCH (FLAGS ())\r\n{ta} OK\r\n")
            .as_bytes(),
    );
    let ev = s.events();
    assert_eq!(data_handles(&ev), [Some(b), Some(a)], "{ev:?}");
    assert_eq!(violations(&ev), [ViolationKind::UnknownTag]);
    // IDLE: the refresh's DONE withdrawn, the IDLE restarted, then ended.
    let idle = s.client.idle(s.now).unwrap();
    let t = sent_tag(&mut s);
    s.server(b"+ idling\r\n");
    s.advance(Duration::from_secs(60));
    s.server(format!("{t} OK timed out\r\n").as_bytes());
    let restart = s.sent();
    assert!(
        restart.ends_with(" IDLE\r\n") && !restart.contains("DONE"),
        "{restart:?}"
    );
    s.server(b"+ idling\r\n");
    s.client.idle_done(s.now).unwrap();
    assert_eq!(s.sent(), "DONE\r\n");
    let t = restart.split(' ').next().unwrap();
    s.server(format!("{t} OK done\r\n").as_bytes());
    assert_eq!(completed(&s.events()), [(idle, Outcome::Ok)]);
    // A FETCH answered while UNAUTHENTICATE waits behind it.
    let (c, tc) = send(&mut s, b"FETCH 2 (FLAGS)");
    let un = s
        .client
        .enqueue(s.now, CommandBody::Unauthenticate)
        .unwrap();
    s.server(format!("* 2 FETCH (FLAGS ())\r\n{tc} OK\r\n").as_bytes());
    let tu = sent_tag(&mut s);
    s.server(format!("{tu} OK bye user\r\n").as_bytes());
    let ev = s.events();
    assert_eq!(data_handles(&ev), [Some(c)], "{ev:?}");
    assert_eq!(completed(&ev), [(c, Outcome::Ok), (un, Outcome::Ok)]);
    assert_eq!(s.client.state(), SessionState::NotAuthenticated);
    s.client
        .login(s.now, "u", imapkit_proto::Secret::new("p".to_owned()))
        .unwrap();
    let t = sent_tag(&mut s);
    s.server(format!("{t} OK [CAPABILITY IMAP4rev1 IDLE] in\r\n").as_bytes());
    s.events();
    select(&mut s, "INBOX", 3, &[10, 11, 12]);
    // The end of the session with two FETCHes in flight.
    let d = s.client.enqueue(s.now, cmd(b"FETCH 1 (FLAGS)")).unwrap();
    let e = s.client.enqueue(s.now, cmd(b"FETCH 2 (FLAGS)")).unwrap();
    s.sent();
    s.server(b"* 2 FETCH (FLAGS ())\r\n* BYE going\r\n");
    let ev = s.events();
    assert_eq!(data_handles(&ev), [Some(e)], "{ev:?}");
    assert_eq!(
        completed(&ev),
        [
            (d, Outcome::ConnectionClosed),
            (e, Outcome::ConnectionClosed)
        ]
    );
}

/// RFC 9051 §6.3.2: a failed SELECT leaves no mailbox selected. Answered
/// NO without `[CLOSED]` (RFC 9051 §7.1 asks for it only when another
/// mailbox opens), what came before is the old mailbox's: applied there,
/// not replayed, no violation.
#[test]
fn select_no_without_closed_neither_replays_nor_reports() {
    let mut s = preauth("IMAP4rev1 CONDSTORE");
    select(&mut s, "INBOX", 3, &[10, 11, 12]);
    s.client.select(s.now, Mailbox::from_name("Nope")).unwrap();
    let t = sent_tag(&mut s);
    s.server(format!("* 4 EXISTS\r\n{t} NO [NONEXISTENT] no such\r\n").as_bytes());
    let ev = s.events();
    let changes: Vec<_> = ev
        .iter()
        .filter_map(|e| match e {
            Event::Mailbox(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(changes, [C::Exists { exists: 4, new: 1 }]);
    assert_eq!(violations(&ev), []);
    assert_eq!(s.client.state(), SessionState::Authenticated);
    assert!(s.client.mailbox().is_none());
}

/// EXAMINE closes the old mailbox as SELECT does (RFC 7162 §3.2.11 "the
/// SELECT/EXAMINE command"): INBOX's EXISTS before `[CLOSED]` stays
/// INBOX's; Work is read-only with its own 2 messages.
#[test]
fn examine_honours_closed() {
    let mut s = preauth("IMAP4rev1 CONDSTORE");
    select(&mut s, "INBOX", 3, &[10, 11, 12]);
    s.client.examine(s.now, Mailbox::from_name("Work")).unwrap();
    let t = sent_tag(&mut s);
    s.server(
        format!(
            "* 4 EXISTS\r\n* OK [CLOSED] x\r\n* 2 EXISTS\r\n* OK [UIDVALIDITY 5] x\r\n\
             {t} OK [READ-ONLY] in\r\n"
        )
        .as_bytes(),
    );
    let ev = s.events();
    assert_eq!(violations(&ev), []);
    let m = s.client.mailbox().unwrap();
    assert_eq!(
        (
            m.name().clone(),
            m.exists(),
            m.is_read_only(),
            m.uid_validity()
        ),
        (Mailbox::from_name("Work"), 2, true, Some(5))
    );
}

/// A QRESYNC SELECT (RFC 7162 §3.2.5) answered without `[CLOSED]`: its
/// VANISHED (EARLIER) and FETCHes went to the old model meanwhile; replayed
/// into the new one, which gets the new mailbox's UIDs, and the snapshot is
/// not trusted (`ResyncNeeded`, never `Resynced`).
#[test]
fn qresync_select_without_closed_replays_into_the_new_model() {
    use imapkit_state::mailbox::MailboxSnapshot;
    use std::num::{NonZeroU32, NonZeroU64};
    let mut s = preauth("IMAP4rev1 ENABLE CONDSTORE QRESYNC");
    let caps = vec![Capability::QResync].try_into().unwrap();
    s.client.enable(s.now, caps).unwrap();
    let t = sent_tag(&mut s);
    s.server(format!("* ENABLED QRESYNC\r\n{t} OK\r\n").as_bytes());
    s.events();
    s.client.select(s.now, Mailbox::from_name("INBOX")).unwrap();
    let t = sent_tag(&mut s);
    s.server(
        format!(
            "* 2 EXISTS\r\n* OK [UIDVALIDITY 1700] x\r\n* OK [HIGHESTMODSEQ 9] x\r\n\
             {t} OK [READ-WRITE] in\r\n"
        )
        .as_bytes(),
    );
    s.events();
    let snapshot = MailboxSnapshot::new(
        NonZeroU32::new(77).unwrap(),
        NonZeroU64::new(50).unwrap(),
        [1..=5],
    );
    s.client
        .select_qresync(s.now, Mailbox::from_name("Work"), snapshot, false)
        .unwrap();
    let t = sent_tag(&mut s);
    s.server(
        format!(
            "* 4 EXISTS\r\n* OK [UIDVALIDITY 77] x\r\n* OK [HIGHESTMODSEQ 60] x\r\n\
             * VANISHED (EARLIER) 3\r\n* 1 FETCH (UID 1 FLAGS () MODSEQ (55))\r\n\
             {t} OK [READ-WRITE] in\r\n"
        )
        .as_bytes(),
    );
    let ev = s.events();
    assert!(violations(&ev).contains(&ViolationKind::OutOfState(
        "SELECT completed without [CLOSED]"
    )));
    assert!(
        !ev.iter()
            .any(|e| matches!(e, Event::Mailbox(C::Resynced { .. }))),
        "{ev:?}"
    );
    assert!(
        ev.iter()
            .any(|e| matches!(e, Event::Mailbox(C::ResyncNeeded { .. }))),
        "{ev:?}"
    );
    let m = s.client.mailbox().unwrap();
    assert_eq!(
        (m.name().clone(), m.exists(), m.uid_validity(), m.uid(1)),
        (Mailbox::from_name("Work"), 4, Some(77), Some(1))
    );
}

/// COPYUID with a UID COPY and a UID MOVE in flight: the untagged one is
/// nobody's (RFC 6851 §4.3 names no command), the COPY's tagged one is the
/// COPY's; a MOVE answered NO after an untagged COPYUID has none.
#[test]
fn copyuid_with_copy_and_move_in_flight_and_after_a_failed_move() {
    let mut s = preauth("IMAP4rev1 UIDPLUS MOVE");
    select(&mut s, "INBOX", 3, &[10, 11, 12]);
    let copy_uids = |ev: &[Event]| -> Vec<(CommandHandle, Option<String>)> {
        ev.iter()
            .filter_map(|e| match e {
                Event::Completed(c) => Some((
                    c.handle,
                    c.copy_uid
                        .as_ref()
                        .map(|u| format!("{} {}", u.source, u.destination)),
                )),
                _ => None,
            })
            .collect()
    };
    let cp = s
        .client
        .enqueue(s.now, cmd(b"UID COPY 10 Archive"))
        .unwrap();
    let mv = s.client.enqueue(s.now, cmd(b"UID MOVE 11 Trash")).unwrap();
    let sent = s.sent();
    let tags: Vec<&str> = sent.lines().map(|l| l.split(' ').next().unwrap()).collect();
    assert_eq!(tags.len(), 2, "{sent:?}");
    s.server(
        format!(
            "* OK [COPYUID 9 11 21] moved\r\n* 2 EXPUNGE\r\n{} OK [COPYUID 8 10 30] copied\r\n\
             {} OK moved\r\n",
            tags[0], tags[1]
        )
        .as_bytes(),
    );
    assert_eq!(
        copy_uids(&s.events()),
        [(cp, Some("10 30".to_owned())), (mv, None)]
    );
    let (mv, t) = send(&mut s, b"UID MOVE 12 Trash");
    s.server(format!("* OK [COPYUID 9 12 22] copied\r\n{t} NO [OVERQUOTA] no\r\n").as_bytes());
    assert_eq!(copy_uids(&s.events()), [(mv, None)]);
}
