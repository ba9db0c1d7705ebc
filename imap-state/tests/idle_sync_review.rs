//! Stop 33 review: IDLE (RFC 2177, RFC 9051 §6.3.13), CONDSTORE/QRESYNC
//! (RFC 7162) and the Client's view of the selected mailbox, plus the
//! Server's side of IDLE. An adversarial review: each fault was a test
//! asserting what the RFC asks for, `#[ignore = "BUG: ..."]` until it was
//! fixed (all eight in stop 33); every other test pins a behaviour checked
//! and found right that no other test covered.
//!
//! Faults found (each "Was a bug (fixed in stop 33)"):
//!
//! 1. `condstore_server_marks_the_closed_boundary_without_enable` — the
//!    Client treats `[CLOSED]` as the boundary between the old and the new
//!    mailbox only once QRESYNC is *enabled*; RFC 7162 §3.2.11 makes every
//!    server that merely *advertises* CONDSTORE or QRESYNC send it. The old
//!    mailbox's updates land in the new mailbox's model (wrong count, a
//!    bogus "EXISTS shrank" violation).
//! 2. `imap4rev2_server_marks_the_closed_boundary` — the same for an
//!    IMAP4rev2 server (RFC 9051 §6.3.2, §7.1: `[CLOSED]` is base protocol).
//! 3. `expunge_after_enable_qresync_is_reported` — RFC 7162 §3.2.10: once
//!    QRESYNC is enabled the server MUST send VANISHED instead of EXPUNGE
//!    (for mailboxes that have mod-sequences); the Client applies an EXPUNGE
//!    silently, reporting no violation.
//! 4. `idle_is_available_on_an_imap4rev2_only_server` — IDLE is part of
//!    IMAP4rev2 (RFC 9051 §6.3.13); `Client::idle` refuses it with
//!    `MissingCapability("IDLE")` when the server announces only IMAP4rev2.
//! 5. `done_not_taken_is_withdrawn_when_the_server_ends_idle_first` and
//!    `refresh_done_not_taken_is_withdrawn_when_the_server_ends_idle_first`
//!    — a DONE queued while idling (by `idle_done` or the refresh timer) is
//!    still sent after the server has completed the IDLE on its own, so the
//!    server reads a stray `DONE` command (BAD; garbage counters). The
//!    library withdraws such a DONE when it was queued by the `+`, not
//!    when it was queued while idling.
//! 6. `vanished_without_enable_qresync_is_reported` — the mirror of 3:
//!    `* VANISHED` to a client that never enabled QRESYNC (RFC 7162
//!    §3.2.10) is applied with no violation reported.
//! 7. `server_refuses_expunge_for_a_qresync_client` — the Server lets the
//!    application send `* n EXPUNGE` to a client that enabled QRESYNC
//!    (RFC 7162 §3.2.10 MUST use VANISHED), although it refuses VANISHED to
//!    a client that did not.
//! 8. `server_refuses_vanished_earlier_without_qresync` — the Server checks
//!    that QRESYNC is enabled for `VANISHED` but not for
//!    `VANISHED (EARLIER)` (RFC 7162 §3.2.10.1, §3.2.3).
//!
//! Checked and right (plain tests): updates during IDLE keep the model
//! right and in order; garbage during IDLE is reported with its bytes and
//! loses nothing; BYE during IDLE; IDLE answered NO lets the next command
//! go; the default 29-minute refresh without a command timeout during IDLE;
//! MODSEQ seen during IDLE raises HIGHESTMODSEQ only at the IDLE's end;
//! VANISHED and VANISHED (EARLIER) during IDLE; a failed QRESYNC SELECT
//! after `[CLOSED]`; EXPUNGE kept in a NOMODSEQ mailbox after ENABLE
//! QRESYNC (guards the fix of 3); the Server's IDLE in the authenticated state, held
//! EXPUNGEs flushed at `+`, `DONE` with trailing bytes.

mod util;

use std::num::NonZeroU32;
use std::time::Duration;

use imapkit_proto::{Capability, CommandBody, FetchAttribute, Flag, Mailbox, SequenceSet};
use imapkit_state::client::{ClientConfig, CloseReason, Event, Outcome, SessionState};
use imapkit_state::error::{UsageError, ViolationKind};
use imapkit_state::mailbox::MailboxChange as C;
use imapkit_state::proto::Data;
use imapkit_state::server::{Completion, ServerConfig};
use util::client::{completed, quiet_config, violations, Script};
use util::{Harness, Split};

// ---- helpers -------------------------------------------------------------

/// Mailbox changes and violations, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Out {
    Change(C),
    Violation(ViolationKind),
}

fn outs(events: &[Event]) -> Vec<Out> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Mailbox(c) => Some(Out::Change(c.clone())),
            Event::Violation(v) => Some(Out::Violation(v.kind.clone())),
            _ => None,
        })
        .collect()
}

/// Logged in by PREAUTH with `caps` (no automatic CAPABILITY).
fn preauth(caps: &str) -> Script {
    let mut s = Script::tls(quiet_config());
    s.server(format!("* PREAUTH [CAPABILITY {caps}] hi\r\n").as_bytes());
    s.events();
    s
}

/// [`preauth`] and `ENABLE QRESYNC` answered.
fn qresync_session() -> Script {
    let mut s = preauth("IMAP4rev1 IDLE ENABLE CONDSTORE QRESYNC UIDPLUS");
    let caps = vec![Capability::QResync].try_into().unwrap();
    s.client.enable(s.now, caps).unwrap();
    assert_eq!(s.sent(), "A1 ENABLE QRESYNC\r\n");
    s.server(b"* ENABLED QRESYNC\r\nA1 OK\r\n");
    s.events();
    s
}

/// The tag of what the client sends now.
fn sent_tag(s: &mut Script) -> String {
    s.sent().split(' ').next().unwrap().to_owned()
}

/// Selects `name` (UIDVALIDITY 1700, HIGHESTMODSEQ 90 unless `nomodseq`)
/// with messages `uids`, learned by `UID FETCH 1:* (UID)`.
fn select_with(s: &mut Script, name: &str, uids: &[u32], nomodseq: bool) {
    s.client.select(s.now, Mailbox::from_name(name)).unwrap();
    let tag = sent_tag(s);
    let modseq = if nomodseq {
        "* OK [NOMODSEQ] none\r\n"
    } else {
        "* OK [HIGHESTMODSEQ 90] x\r\n"
    };
    s.server(
        format!(
            "* {} EXISTS\r\n* OK [UIDVALIDITY 1700] x\r\n* OK [UIDNEXT 1000] x\r\n\
             {modseq}{tag} OK [READ-WRITE] done\r\n",
            uids.len()
        )
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

fn select(s: &mut Script, name: &str, uids: &[u32]) {
    select_with(s, name, uids, false);
}

/// The model's UIDs by sequence number.
fn model_uids(s: &Script) -> Vec<Option<u32>> {
    let m = s.client.mailbox().expect("a mailbox is selected");
    (1..=m.exists()).map(|n| m.uid(n)).collect()
}

fn known(uids: &[u32]) -> Vec<Option<u32>> {
    uids.iter().map(|&u| Some(u)).collect()
}

/// Starts IDLE (accepted with `+`); returns its handle and tag.
fn idling(s: &mut Script) -> (imapkit_state::CommandHandle, String) {
    let idle = s.client.idle(s.now).unwrap();
    let line = s.sent();
    assert!(line.ends_with(" IDLE\r\n"), "{line:?}");
    let tag = line.split(' ').next().unwrap().to_owned();
    s.server(b"+ idling\r\n");
    let ev = s.events();
    assert!(ev.contains(&Event::IdleStarted { handle: idle }), "{ev:?}");
    (idle, tag)
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

// ---- BUGS: the [CLOSED] boundary ------------------------------------------

/// RFC 7162 §3.2.11: "A server that advertises QRESYNC or CONDSTORE in the
/// capability string must return the CLOSED response code in this case,
/// whether or not a CONDSTORE enabling command was issued." All responses
/// before it relate to the mailbox that was closed. Here INBOX gets new
/// mail (`* 4 EXISTS`) just before the server handles `SELECT Work`; Work
/// has 2 messages. The Client only honours `[CLOSED]` after ENABLE QRESYNC,
/// so INBOX's EXISTS lands in Work's model: Work is shown with 4 messages
/// and Work's own `* 2 EXISTS` is refused as "EXISTS shrank".
/// Was a bug (fixed in stop 33).
#[test]
fn condstore_server_marks_the_closed_boundary_without_enable() {
    let mut s = preauth("IMAP4rev1 IDLE CONDSTORE");
    select(&mut s, "INBOX", &[10, 11, 12]);
    s.client.select(s.now, Mailbox::from_name("Work")).unwrap();
    let t = sent_tag(&mut s);
    s.server(
        format!(
            "* 4 EXISTS\r\n* OK [CLOSED] INBOX closed\r\n* 2 EXISTS\r\n\
             * OK [UIDVALIDITY 42] x\r\n* OK [HIGHESTMODSEQ 7] x\r\n{t} OK [READ-WRITE] x\r\n"
        )
        .as_bytes(),
    );
    let ev = s.events();
    assert_eq!(
        outs(&ev),
        [
            Out::Change(C::Exists { exists: 4, new: 1 }),
            Out::Change(C::Exists { exists: 2, new: 2 }),
            Out::Change(C::UidValidity(42)),
            Out::Change(C::HighestModSeq(7)),
        ]
    );
    let m = s.client.mailbox().unwrap();
    assert_eq!(m.name(), &Mailbox::from_name("Work"));
    assert_eq!(m.exists(), 2);
}

/// RFC 9051 §6.3.2: "When deselecting a selected mailbox, the server MUST
/// return an untagged OK response with the "[CLOSED]" response code";
/// §7.1 (CLOSED): responses before it relate to the closed mailbox. An
/// IMAP4rev2-only server expunges INBOX's message 1 (during the SELECT,
/// which is a command in progress) before `[CLOSED]`; Work is empty. The
/// EXPUNGE must go to INBOX's model, not be refused by Work's.
/// Was a bug (fixed in stop 33).
#[test]
fn imap4rev2_server_marks_the_closed_boundary() {
    let mut s = preauth("IMAP4rev2");
    select(&mut s, "INBOX", &[10, 11, 12]);
    s.client.select(s.now, Mailbox::from_name("Work")).unwrap();
    let t = sent_tag(&mut s);
    s.server(
        format!(
            "* 1 EXPUNGE\r\n* OK [CLOSED] INBOX closed\r\n* 0 EXISTS\r\n\
             * OK [UIDVALIDITY 42] x\r\n{t} OK [READ-WRITE] x\r\n"
        )
        .as_bytes(),
    );
    let ev = s.events();
    assert_eq!(
        outs(&ev),
        [
            Out::Change(C::Expunged {
                seq: 1,
                uid: Some(10)
            }),
            Out::Change(C::Exists { exists: 0, new: 0 }),
            Out::Change(C::UidValidity(42)),
        ]
    );
    assert_eq!(s.client.mailbox().unwrap().exists(), 0);
}

/// The other side of the two fixes above: a server that announces
/// CONDSTORE but completes the SELECT without `[CLOSED]` (which it must
/// send, RFC 7162 §3.2.11). Its responses went to the old model while
/// the client waited for the boundary; at the tagged OK they are applied
/// to the new mailbox, whose they were, and the fault is reported once.
/// The new mailbox ends right (2 messages, its UIDVALIDITY), not empty.
#[test]
fn select_without_closed_from_a_condstore_server_still_gets_its_responses() {
    let mut s = preauth("IMAP4rev1 IDLE CONDSTORE");
    select(&mut s, "INBOX", &[10, 11, 12]);
    s.client.select(s.now, Mailbox::from_name("Work")).unwrap();
    let t = sent_tag(&mut s);
    s.server(
        format!("* 2 EXISTS\r\n* OK [UIDVALIDITY 42] x\r\n{t} OK [READ-WRITE] x\r\n").as_bytes(),
    );
    let ev = s.events();
    let outs = outs(&ev);
    let missed = Out::Violation(ViolationKind::OutOfState(
        "SELECT completed without [CLOSED]",
    ));
    // Applied to INBOX's model first (3 -> 2 is refused there as a
    // shrinking EXISTS), then replayed into Work's.
    let at = outs.iter().position(|o| *o == missed).expect("reported");
    assert_eq!(
        outs[at + 1..],
        [
            Out::Change(C::Exists { exists: 2, new: 2 }),
            Out::Change(C::UidValidity(42)),
        ]
    );
    let m = s.client.mailbox().unwrap();
    assert_eq!(m.name(), &Mailbox::from_name("Work"));
    assert_eq!(m.exists(), 2);
    assert_eq!(m.uid_validity(), Some(42));
}

// ---- BUGS: EXPUNGE vs VANISHED ----------------------------------------------

/// RFC 7162 §3.2.10: once QRESYNC is enabled, "the server MUST use the
/// VANISHED response without the EARLIER tag instead of the EXPUNGE
/// response for all mailboxes that don't return NOMODSEQ when selected".
/// INBOX has HIGHESTMODSEQ 90; the server sends `* 2 EXPUNGE` in answer to
/// NOOP. As for the other EXPUNGE faults (RFC 9051 §7.5.1) the server did
/// expunge, so the model follows; the fault must be reported with the
/// offending bytes. Was a bug (fixed in stop 33): applied silently.
#[test]
fn expunge_after_enable_qresync_is_reported() {
    let mut s = qresync_session();
    select(&mut s, "INBOX", &[10, 11, 12]);
    s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    let t = sent_tag(&mut s);
    s.server(format!("* 2 EXPUNGE\r\n{t} OK\r\n").as_bytes());
    let ev = s.events();
    let v: Vec<_> = ev
        .iter()
        .filter_map(|e| match e {
            Event::Violation(v) => Some(v),
            _ => None,
        })
        .collect();
    assert_eq!(v.len(), 1, "{ev:?}");
    assert!(matches!(v[0].kind, ViolationKind::OutOfState(_)), "{v:?}");
    assert_eq!(v[0].raw(), b"* 2 EXPUNGE\r\n");
    assert!(ev.contains(&Event::Mailbox(C::Expunged {
        seq: 2,
        uid: Some(11)
    })));
    assert_eq!(model_uids(&s), known(&[10, 12]));
}

/// The other side of the rule above: a mailbox selected with `[NOMODSEQ]`
/// keeps EXPUNGE after ENABLE QRESYNC (RFC 7162 §3.2.10), so no violation,
/// and the model renumbers. (Guards the fix of the test above.)
#[test]
fn expunge_in_a_nomodseq_mailbox_after_enable_qresync_is_fine() {
    let mut s = qresync_session();
    select_with(&mut s, "INBOX", &[10, 11, 12], true);
    s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    let t = sent_tag(&mut s);
    s.server(format!("* 2 EXPUNGE\r\n* 1 EXPUNGE\r\n{t} OK\r\n").as_bytes());
    let ev = s.events();
    assert_eq!(
        outs(&ev),
        [
            Out::Change(C::Expunged {
                seq: 2,
                uid: Some(11)
            }),
            Out::Change(C::Expunged {
                seq: 1,
                uid: Some(10)
            }),
        ]
    );
    assert_eq!(model_uids(&s), known(&[12]));
}

// ---- BUGS: IDLE on the Client -----------------------------------------------

/// RFC 9051 §6.3.13: IDLE is a command of IMAP4rev2 itself (Appendix E: the
/// IDLE extension was folded in); a server that announces IMAP4rev2 and
/// not IMAP4rev1 supports it without listing `IDLE`. `Client::idle` refuses
/// it with `MissingCapability("IDLE")`, and so would `enqueue`.
/// Was a bug (fixed in stop 33).
#[test]
fn idle_is_available_on_an_imap4rev2_only_server() {
    let mut s = preauth("IMAP4rev2");
    let idle = s.client.idle(s.now);
    assert!(idle.is_ok(), "{idle:?}");
    assert_eq!(s.sent(), "A1 IDLE\r\n");
}

/// RFC 2177 §3 / RFC 9051 §6.3.13: `DONE` is only the continuation of an
/// IDLE in progress; once the server has completed the IDLE itself (`A3 OK
/// timeout`, as servers do before their own limit), a DONE is read as a
/// command line and answered BAD (counted as garbage by strict servers).
/// The application asked for `idle_done` while idling, but had not taken
/// the bytes yet when the tagged OK arrived: the DONE can still be
/// withdrawn, as the library does for a DONE queued at the `+` (see
/// `stop30_review::idle_done_for_a_continuation_answered_in_the_same_read_is_not_sent`).
/// Was a bug (fixed in stop 33): it was sent.
#[test]
fn done_not_taken_is_withdrawn_when_the_server_ends_idle_first() {
    let mut s = preauth("IMAP4rev1 IDLE");
    select(&mut s, "INBOX", &[10]);
    let (idle, tag) = idling(&mut s);
    s.client.idle_done(s.now).unwrap();
    s.server(format!("{tag} OK IDLE timed out\r\n").as_bytes());
    let ev = s.events();
    assert_eq!(completed(&ev), [(idle, Outcome::Ok)]);
    assert_eq!(s.sent(), "", "no DONE after the IDLE completed");
}

/// The same with the refresh timer's DONE: the server ends the IDLE on its
/// own before the DONE is taken. The IDLE is restarted (fine), but the
/// stray DONE goes before the new IDLE.
/// Was a bug (fixed in stop 33).
#[test]
fn refresh_done_not_taken_is_withdrawn_when_the_server_ends_idle_first() {
    let mut config = quiet_config();
    config.idle_refresh = Duration::from_secs(60);
    let mut s = Script::tls(config);
    s.server(b"* PREAUTH [CAPABILITY IMAP4rev1 IDLE] hi\r\n");
    let idle = s.client.idle(s.now).unwrap();
    assert_eq!(s.sent(), "A1 IDLE\r\n");
    s.server(b"+ idling\r\n");
    s.events();
    s.advance(Duration::from_secs(60));
    // DONE is queued, not taken; the server ends IDLE first.
    s.server(b"A1 OK timed out\r\n");
    let ev = s.events();
    assert!(completed(&ev).is_empty(), "the IDLE is restarted: {ev:?}");
    assert_eq!(s.sent(), "A2 IDLE\r\n");
    let _ = idle;
}

// ---- IDLE on the Client: checked and right ------------------------------------

/// RFC 2177 §3 / RFC 9051 §6.3.13: during IDLE the server pushes EXISTS,
/// EXPUNGE and FETCH; the model follows each, in order, with no violation
/// (IDLE is a command in progress: EXPUNGE is allowed, RFC 9051 §7.5.1).
/// `+` and the updates in one read: IdleStarted first.
#[test]
fn updates_during_idle_keep_the_model_right_and_in_order() {
    let mut s = preauth("IMAP4rev1 IDLE");
    select(&mut s, "INBOX", &[10, 11, 12]);
    let idle = s.client.idle(s.now).unwrap();
    s.sent();
    s.server(
        b"+ idling\r\n* 5 EXISTS\r\n* 2 EXPUNGE\r\n* 2 EXPUNGE\r\n* 1 FETCH (FLAGS (\\Seen))\r\n\
          * 2 FETCH (UID 20 FLAGS ())\r\n",
    );
    let ev = s.events();
    let ev: Vec<Event> = ev
        .into_iter()
        .filter(|e| !matches!(e, Event::CommandSent { .. }))
        .collect();
    assert_eq!(ev[0], Event::IdleStarted { handle: idle });
    assert_eq!(
        outs(&ev),
        [
            Out::Change(C::Exists { exists: 5, new: 2 }),
            Out::Change(C::Expunged {
                seq: 2,
                uid: Some(11)
            }),
            Out::Change(C::Expunged {
                seq: 2,
                uid: Some(12)
            }),
            Out::Change(C::FlagsChanged {
                seq: 1,
                uid: Some(10),
                flags: vec![Flag::Seen],
                recent: false,
                modseq: None
            }),
            Out::Change(C::FlagsChanged {
                seq: 2,
                uid: Some(20),
                flags: vec![],
                recent: false,
                modseq: None
            }),
        ]
    );
    assert_eq!(model_uids(&s), [Some(10), Some(20), None]);
    assert!(s.client.is_idle());
    assert_eq!(s.sent(), "");
}

/// Garbage during IDLE: reported with its exact bytes and stream offset;
/// the update after it in the same read is not lost, and IDLE goes on.
#[test]
fn garbage_during_idle_is_reported_with_its_bytes_and_loses_nothing() {
    let mut s = preauth("IMAP4rev1 IDLE");
    select(&mut s, "INBOX", &[10]);
    let (idle, tag) = idling(&mut s);
    s.server(b"* 2 FETCH (FLAGS (\\Seen)\r\n* 2 EXISTS\r\n* 9 EXPUNGE\r\n");
    let ev = s.events();
    let v: Vec<_> = ev
        .iter()
        .filter_map(|e| match e {
            Event::Violation(v) => Some((v.raw().to_vec(), v.kind.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(v.len(), 2, "{ev:?}");
    assert_eq!(v[0].0, b"* 2 FETCH (FLAGS (\\Seen)\r\n");
    assert!(matches!(v[0].1, ViolationKind::Syntax { .. }), "{v:?}");
    assert_eq!(v[1].0, b"* 9 EXPUNGE\r\n");
    assert_eq!(v[1].1, ViolationKind::BeyondExists { seq: 9, exists: 2 });
    assert!(ev.contains(&Event::Mailbox(C::Exists { exists: 2, new: 1 })));
    assert!(s.client.is_idle());
    s.client.idle_done(s.now).unwrap();
    assert_eq!(s.sent(), "DONE\r\n");
    s.server(format!("{tag} OK done\r\n").as_bytes());
    assert_eq!(completed(&s.events()), [(idle, Outcome::Ok)]);
    assert_eq!(model_uids(&s), [Some(10), None]);
}

/// RFC 9051 §7.1.5: BYE during IDLE (server shutdown). The IDLE completes
/// as ConnectionClosed, then Closed with the BYE; nothing is sent (no DONE).
#[test]
fn bye_during_idle_completes_it_and_closes() {
    let mut s = preauth("IMAP4rev1 IDLE");
    select(&mut s, "INBOX", &[10]);
    let (idle, _) = idling(&mut s);
    s.server(b"* 2 EXISTS\r\n* BYE [UNAVAILABLE] shutting down\r\n");
    let ev = s.events();
    let tail: Vec<&Event> = ev
        .iter()
        .filter(|e| !matches!(e, Event::Data { .. } | Event::Mailbox(_)))
        .collect();
    assert!(matches!(tail[0], Event::Bye { .. }), "{ev:?}");
    assert_eq!(completed(&ev), [(idle, Outcome::ConnectionClosed)]);
    assert!(matches!(
        ev.last(),
        Some(Event::Closed {
            reason: CloseReason::Bye { .. }
        })
    ));
    assert!(ev.contains(&Event::Mailbox(C::Exists { exists: 2, new: 1 })));
    assert_eq!(s.client.state(), SessionState::Closed);
    assert!(!s.client.is_idle());
    assert_eq!(s.sent(), "");
    assert_eq!(s.client.idle_done(s.now), Err(UsageError::Closed));
}

/// A server that answers IDLE with NO (RFC 9051 §6.3.13: "NO - failure:
/// the server will not allow the IDLE command at this time"): no DONE is
/// ever sent, the IDLE completes NO and the command queued behind it goes.
#[test]
fn idle_answered_no_sends_no_done_and_lets_the_next_command_go() {
    let mut s = preauth("IMAP4rev1 IDLE");
    select(&mut s, "INBOX", &[10]);
    let idle = s.client.idle(s.now).unwrap();
    let t = sent_tag(&mut s);
    let noop = s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    assert_eq!(s.sent(), "");
    s.server(format!("{t} NO [LIMIT] too many IDLEs\r\n").as_bytes());
    let next = s.sent();
    assert!(
        next.ends_with(" NOOP\r\n") && !next.contains("DONE"),
        "{next:?}"
    );
    let t2 = next.split(' ').next().unwrap().to_owned();
    s.server(format!("{t2} OK\r\n").as_bytes());
    assert_eq!(
        completed(&s.events()),
        [(idle, Outcome::No), (noop, Outcome::Ok)]
    );
}

/// RFC 2177 §3 / RFC 9051 §6.3.13: a client re-issues IDLE at least every
/// 29 minutes. The default config does so, and the command timeout (120 s)
/// does not apply while idling (the server is silent on a quiet mailbox).
#[test]
fn default_idle_refresh_is_29_minutes_and_no_command_timeout_while_idling() {
    let config = quiet_config();
    assert_eq!(config.idle_refresh, Duration::from_secs(29 * 60));
    assert_eq!(
        ClientConfig::default().idle_refresh,
        Duration::from_secs(29 * 60)
    );
    let mut s = Script::tls(config);
    s.server(b"* PREAUTH [CAPABILITY IMAP4rev1 IDLE] hi\r\n");
    s.events();
    let idle = s.client.idle(s.now).unwrap();
    assert_eq!(s.sent(), "A1 IDLE\r\n");
    s.server(b"+ idling\r\n");
    s.events();
    let start = s.now;
    assert_eq!(
        s.client.poll_timeout(),
        Some(start + Duration::from_secs(29 * 60))
    );
    s.advance(Duration::from_secs(28 * 60));
    assert_eq!(s.sent(), "");
    assert_eq!(s.client.state(), SessionState::Authenticated);
    assert!(s.advance_to_timer());
    assert_eq!(s.now, start + Duration::from_secs(29 * 60));
    assert_eq!(s.sent(), "DONE\r\n");
    s.server(b"A1 OK\r\n");
    assert_eq!(s.sent(), "A2 IDLE\r\n");
    s.server(b"+ idling\r\n");
    let ev = s.events();
    assert!(
        ev.contains(&Event::IdleRefreshed { handle: idle }),
        "{ev:?}"
    );
    assert!(completed(&ev).is_empty());
}

// ---- CONDSTORE / QRESYNC during IDLE: checked and right ---------------------

/// RFC 7162 §3.2.10.2 during IDLE: `VANISHED` removes and renumbers,
/// `VANISHED (EARLIER)` (unusual here, but possible after a UID FETCH
/// VANISHED) changes no count (§3.2.10.1: "MUST NOT decrement message
/// sequence numbers"). MODSEQ in FETCH during IDLE raises HIGHESTMODSEQ
/// only when the IDLE completes (RFC 7162 §6: a cache records it between
/// commands), and a lower MODSEQ never lowers it.
#[test]
fn vanished_and_modseq_during_idle() {
    let mut s = qresync_session();
    select(&mut s, "INBOX", &[10, 11, 12, 13]);
    let (idle, tag) = idling(&mut s);
    s.server(
        b"* VANISHED 11,13\r\n* VANISHED (EARLIER) 5:9,12\r\n\
          * 2 FETCH (UID 12 FLAGS (\\Flagged) MODSEQ (120))\r\n* 1 FETCH (FLAGS () MODSEQ (95))\r\n",
    );
    let ev = s.events();
    assert_eq!(
        outs(&ev),
        [
            Out::Change(C::Vanished {
                uids: vec![11..=11, 13..=13],
                earlier: false
            }),
            Out::Change(C::Vanished {
                uids: vec![5..=9, 12..=12],
                earlier: true
            }),
            Out::Change(C::FlagsChanged {
                seq: 2,
                uid: Some(12),
                flags: vec![Flag::Flagged],
                recent: false,
                modseq: Some(120)
            }),
            Out::Change(C::FlagsChanged {
                seq: 1,
                uid: Some(10),
                flags: vec![],
                recent: false,
                modseq: Some(95)
            }),
        ]
    );
    let m = s.client.mailbox().unwrap();
    assert_eq!(m.exists(), 2);
    assert_eq!(m.highest_modseq(), Some(90), "not before the IDLE ends");
    s.client.idle_done(s.now).unwrap();
    assert_eq!(s.sent(), "DONE\r\n");
    s.server(format!("{tag} OK\r\n").as_bytes());
    let ev = s.events();
    assert_eq!(outs(&ev), [Out::Change(C::HighestModSeq(120))]);
    assert_eq!(completed(&ev), [(idle, Outcome::Ok)]);
    assert_eq!(model_uids(&s), known(&[10, 12]));
    assert_eq!(
        s.client.mailbox().unwrap().snapshot().unwrap().uids(),
        &[10..=10, 12..=12]
    );
}

/// RFC 9051 §6.3.2: a failed SELECT leaves no mailbox selected; with
/// QRESYNC the server sends `[CLOSED]` first (RFC 7162 §3.2.11). Updates
/// before it are the old mailbox's; the NO leaves the Authenticated state.
#[test]
fn failed_qresync_select_after_closed_leaves_no_mailbox() {
    let mut s = qresync_session();
    select(&mut s, "INBOX", &[10, 11, 12]);
    s.client
        .select(s.now, Mailbox::from_name("Missing"))
        .unwrap();
    let t = sent_tag(&mut s);
    s.server(format!("* VANISHED 12\r\n* OK [CLOSED] x\r\n{t} NO [NONEXISTENT] no\r\n").as_bytes());
    let ev = s.events();
    assert_eq!(
        outs(&ev),
        [Out::Change(C::Vanished {
            uids: vec![12..=12],
            earlier: false
        })]
    );
    assert!(s.client.mailbox().is_none());
    assert_eq!(s.client.state(), SessionState::Authenticated);
    // Message data now has no mailbox: reported, not applied anywhere.
    s.client.enqueue(s.now, CommandBody::Noop).unwrap();
    let t = sent_tag(&mut s);
    s.server(format!("* VANISHED 10\r\n{t} OK\r\n").as_bytes());
    assert_eq!(
        violations(&s.events()),
        [ViolationKind::OutOfState(
            "message data while no mailbox is selected"
        )]
    );
}

// ---- the Server's IDLE ----------------------------------------------------

/// The Server with QRESYNC offered, the test answering commands itself.
fn qresync_server(split: Split) -> Harness {
    let mut config = ServerConfig::default();
    config.capabilities.push(Capability::QResync);
    let mut h = Harness::logged_in(config, split);
    h.policy.auto_respond = false;
    h
}

/// RFC 7162 §3.2.10: after `ENABLE QRESYNC` the server MUST send VANISHED
/// instead of EXPUNGE. The Server refuses VANISHED to a client that did not
/// enable QRESYNC (`NotEnabled`), but lets the application send EXPUNGE to
/// one that did: it goes on the wire. It should be refused (the session
/// cannot turn a sequence number into a UID).
/// Was a bug (fixed in stop 33).
#[test]
fn server_refuses_expunge_for_a_qresync_client() {
    let mut h = qresync_server(Split::Whole);
    h.send(b"e ENABLE QRESYNC\r\ns SELECT INBOX\r\n");
    h.answer(vec![Data::Exists(3)], Completion::ok());
    h.take_wire();
    h.send(b"a IDLE\r\n");
    assert_eq!(h.take_wire(), "+ idling\r\n");
    let r = h.server.send_unsolicited(h.now, Data::Expunge(nz(2)));
    h.drive();
    assert!(r.is_err(), "accepted");
    assert_eq!(h.take_wire(), "");
}

/// RFC 7162 §3.2.10.1: `VANISHED (EARLIER)` is caused only by UID FETCH
/// (VANISHED) or SELECT/EXAMINE (QRESYNC), both of which need ENABLE
/// QRESYNC (§3.2.3, §3.2.6). The Server refuses `VANISHED` without it but
/// sends `VANISHED (EARLIER)` to a client that never enabled QRESYNC and
/// cannot parse it.
/// Was a bug (fixed in stop 33).
#[test]
fn server_refuses_vanished_earlier_without_qresync() {
    let mut h = qresync_server(Split::Whole);
    h.send(b"s SELECT INBOX\r\n");
    h.answer(vec![Data::Exists(3)], Completion::ok());
    h.take_wire();
    h.send(b"a IDLE\r\n");
    assert_eq!(h.take_wire(), "+ idling\r\n");
    let vanished = |earlier| Data::Vanished {
        earlier,
        uids: SequenceSet::from(nz(9)),
    };
    assert_eq!(
        h.server.send_unsolicited(h.now, vanished(false)),
        Err(UsageError::NotEnabled("QRESYNC"))
    );
    assert_eq!(
        h.server.send_unsolicited(h.now, vanished(true)),
        Err(UsageError::NotEnabled("QRESYNC"))
    );
    h.drive();
    assert_eq!(h.take_wire(), "");
}

/// RFC 9051 §6.3.13 ("Valid States: AUTHENTICATED or SELECTED"): IDLE
/// without a mailbox works (`+`, DONE, OK, the pipelined command after
/// it); mailbox data then has nowhere to go and is refused.
#[test]
fn server_idle_in_the_authenticated_state() {
    for split in Split::ALL {
        let mut h = Harness::logged_in(ServerConfig::default(), split);
        h.send(b"a IDLE\r\n");
        assert_eq!(h.take_wire(), "+ idling\r\n", "{split:?}");
        assert_eq!(
            h.server.send_unsolicited(h.now, Data::Exists(1)),
            Err(UsageError::Unexpected(
                "mailbox data while no mailbox is selected"
            ))
        );
        h.send(b"DONE\r\na2 NOOP\r\n");
        assert_eq!(
            h.take_wire(),
            "a OK IDLE terminated\r\na2 OK completed\r\n",
            "{split:?}"
        );
        assert_eq!(
            h.take_log(),
            ["idle-started", "idle-ended done=true", "command a2 NOOP"],
            "{split:?}"
        );
    }
}

/// RFC 9051 §7.5.1 / RFC 2177: an EXPUNGE pushed between commands waits
/// for a command in progress; IDLE is one, so it goes right after `+`.
/// Then an update during IDLE goes at once.
#[test]
fn server_held_expunge_goes_out_when_idle_starts() {
    let mut h = Harness::selected(ServerConfig::default(), Split::Whole);
    h.server
        .send_unsolicited(h.now, Data::Expunge(nz(2)))
        .unwrap();
    h.drive();
    assert_eq!(h.take_wire(), "");
    h.send(b"a IDLE\r\n");
    assert_eq!(h.take_wire(), "+ idling\r\n* 2 EXPUNGE\r\n");
    h.server.send_unsolicited(h.now, Data::Exists(7)).unwrap();
    h.drive();
    assert_eq!(h.take_wire(), "* 7 EXISTS\r\n");
}

/// `DONE` with trailing bytes, or an empty line, is not DONE (RFC 2177
/// grammar `idle = "IDLE" CRLF "DONE"`): IDLE ends with BAD, the line is
/// not run, and the next command is read normally.
#[test]
fn server_done_with_trailing_bytes_is_not_done() {
    for (line, ok) in [
        (&b"DONE now\r\n"[..], false),
        (b"DONE \r\n", false),
        (b"\r\n", false),
        (b"Done\r\n", true),
    ] {
        let mut h = Harness::selected(ServerConfig::default(), Split::Whole);
        h.send(b"a IDLE\r\n");
        h.take_wire();
        h.send(line);
        h.send(b"b NOOP\r\n");
        let want = if ok {
            "a OK IDLE terminated\r\nb OK completed\r\n"
        } else {
            "a BAD Expected DONE\r\nb OK completed\r\n"
        };
        assert_eq!(h.take_wire(), want, "{:?}", String::from_utf8_lossy(line));
        assert_eq!(
            h.server.state(),
            imapkit_state::server::SessionState::Selected
        );
    }
}

/// RFC 7162 §3.2.10 / §3.2.3: VANISHED (without EARLIER) is sent only
/// after the client enabled QRESYNC ("Once a client has issued ENABLE
/// QRESYNC ... the server MUST use the VANISHED response"); a client that
/// did not enable it may not understand it at all. The server did remove
/// the message, so the model follows (the UID is known); the fault is
/// reported with the offending bytes, as for the EXPUNGE rules (RFC 9051
/// §7.5.1). Was a bug (fixed in stop 33): applied silently.
#[test]
fn vanished_without_enable_qresync_is_reported() {
    let mut s = preauth("IMAP4rev1 IDLE CONDSTORE QRESYNC");
    select(&mut s, "INBOX", &[10, 11, 12]);
    idling(&mut s);
    s.server(b"* VANISHED 11\r\n");
    let ev = s.events();
    let raws: Vec<Vec<u8>> = ev
        .iter()
        .filter_map(|e| match e {
            Event::Violation(v) => Some(v.raw().to_vec()),
            _ => None,
        })
        .collect();
    assert_eq!(raws, [b"* VANISHED 11\r\n".to_vec()], "{ev:?}");
    assert_eq!(model_uids(&s), known(&[10, 12]));
}

// ---- FETCH answers and changes (found by the user-tasks review) -----------

/// Flag changes of `events`, by UID.
fn flag_changes(events: &[Event]) -> Vec<Option<u32>> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Mailbox(C::FlagsChanged { uid, .. }) => Some(*uid),
            _ => None,
        })
        .collect()
}

/// Another session's flag change arriving during our FETCH of other
/// messages is a change (RFC 9051 §7.5.2: the server may send it at any
/// time), even though the Client routes it to our FETCH. Dovecot sends it
/// so, without UID (`examples/tests/user_tasks_review.rs`). Was a bug
/// (fixed in stop 33): whether a FETCH response was the FETCH's answer was
/// decided by routing alone, so it was swallowed.
#[test]
fn flags_of_a_message_outside_the_fetch_are_a_change() {
    let mut s = preauth("IMAP4rev1 IDLE");
    select(&mut s, "INBOX", &[10, 11, 12]);
    // UID FETCH of UID 10; message 2 (UID 11) changed elsewhere.
    s.client
        .enqueue(
            s.now,
            CommandBody::uid_fetch(SequenceSet::try_from(10).unwrap(), [FetchAttribute::Flags]),
        )
        .unwrap();
    let t = sent_tag(&mut s);
    s.server(
        format!("* 1 FETCH (UID 10 FLAGS (\\Seen))\r\n* 2 FETCH (FLAGS (\\Flagged))\r\n{t} OK\r\n")
            .as_bytes(),
    );
    assert_eq!(flag_changes(&s.events()), [Some(11)]);
    // The same with a sequence-number FETCH of message 3.
    s.client
        .enqueue(
            s.now,
            CommandBody::fetch(SequenceSet::try_from(3).unwrap(), [FetchAttribute::Flags]),
        )
        .unwrap();
    let t = sent_tag(&mut s);
    s.server(
        format!("* 3 FETCH (FLAGS ())\r\n* 1 FETCH (FLAGS (\\Seen \\Answered))\r\n{t} OK\r\n")
            .as_bytes(),
    );
    assert_eq!(flag_changes(&s.events()), [Some(10)]);
}

/// A FETCH's own answer is no change, also while another command is in
/// flight (the response is then routed to none: two could have asked).
/// Was a bug (fixed in stop 33): with two FETCHes pipelined both answers
/// came as `FlagsChanged`.
#[test]
fn a_fetch_answer_is_no_change_while_others_are_in_flight() {
    let mut s = preauth("IMAP4rev1 IDLE");
    select(&mut s, "INBOX", &[10, 11, 12]);
    let one = |uid: u32| {
        CommandBody::uid_fetch(SequenceSet::try_from(uid).unwrap(), [FetchAttribute::Flags])
    };
    let a = s.client.enqueue(s.now, one(10)).unwrap();
    let b = s.client.enqueue(s.now, one(12)).unwrap();
    let sent = s.sent();
    let tags: Vec<&str> = sent.lines().map(|l| l.split(' ').next().unwrap()).collect();
    s.server(
        format!(
            "* 1 FETCH (UID 10 FLAGS (\\Seen))\r\n{} OK\r\n* 3 FETCH (UID 12 FLAGS ())\r\n{} OK\r\n",
            tags[0], tags[1]
        )
        .as_bytes(),
    );
    let ev = s.events();
    assert_eq!(flag_changes(&ev), []);
    assert!(violations(&ev).is_empty(), "{ev:?}");
    // Each answer names its FETCH: the one whose UID set holds it.
    let handles: Vec<_> = ev
        .iter()
        .filter_map(|e| match e {
            Event::Data { handle, .. } => Some(*handle),
            _ => None,
        })
        .collect();
    assert_eq!(handles, [Some(a), Some(b)]);
}

/// A FETCH response about a message no FETCH or STORE in flight is about
/// names no command (it is unsolicited), though a FETCH is in flight.
#[test]
fn a_fetch_response_outside_every_set_names_no_command() {
    let mut s = preauth("IMAP4rev1 IDLE");
    select(&mut s, "INBOX", &[10, 11, 12]);
    s.client
        .enqueue(
            s.now,
            CommandBody::uid_fetch(SequenceSet::try_from(10).unwrap(), [FetchAttribute::Flags]),
        )
        .unwrap();
    let t = sent_tag(&mut s);
    s.server(format!("* 2 FETCH (FLAGS (\\Deleted))\r\n{t} OK\r\n").as_bytes());
    let ev = s.events();
    let handles: Vec<_> = ev
        .iter()
        .filter_map(|e| match e {
            Event::Data { handle, .. } => Some(*handle),
            _ => None,
        })
        .collect();
    assert_eq!(handles, [None]);
    assert_eq!(flag_changes(&ev), [Some(11)]);
}
