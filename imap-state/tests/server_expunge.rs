//! The EXPUNGE rules (RFC 9051 §7.5.1, RFC 7162 §3.2.10): an EXPUNGE or
//! VANISHED is never sent when no command is in progress, nor while a
//! FETCH, STORE or SEARCH is; untagged data of a command precedes its
//! tagged completion; order is kept.

mod util;

use std::num::NonZeroU32;

use imapkit_state::proto::{Capability, Data, MessageDataItem, SequenceSet, Vec1};
use imapkit_state::server::{Completion, ServerConfig};
use util::{same_under_every_split, Harness, Split};

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

fn expunge(n: u32) -> Data<'static> {
    Data::Expunge(nz(n))
}

fn fetch_uid(seq: u32, uid: u32) -> Data<'static> {
    Data::Fetch {
        seq: nz(seq),
        items: Vec1::new(MessageDataItem::Uid(nz(uid))),
    }
}

fn manual(split: Split) -> Harness {
    let mut config = ServerConfig::default();
    config.capabilities.push(Capability::QResync);
    let mut h = Harness::selected(config, split);
    h.policy.auto_respond = false;
    h
}

#[test]
fn an_expunge_between_commands_waits_for_the_next_command() {
    let (wire, _) = same_under_every_split(manual, |h| {
        h.server.send_unsolicited(h.now, expunge(3)).unwrap();
        // An EXISTS behind it waits too (it counts without message 3).
        h.server.send_unsolicited(h.now, Data::Exists(9)).unwrap();
        h.drive();
        assert_eq!(h.server.held_expunges(), 1);
        assert!(h.wire.is_empty());
        h.send(b"a NOOP\r\n");
        assert_eq!(h.server.held_expunges(), 0);
        h.answer(vec![], Completion::ok());
    });
    assert_eq!(wire, "* 3 EXPUNGE\r\n* 9 EXISTS\r\na OK completed\r\n");
}

#[test]
fn no_expunge_while_a_fetch_is_in_progress() {
    let (wire, _) = same_under_every_split(manual, |h| {
        h.send(b"a FETCH 1:3 (UID)\r\n");
        h.server.send_unsolicited(h.now, expunge(2)).unwrap();
        h.answer(vec![fetch_uid(1, 10), fetch_uid(2, 20)], Completion::ok());
        // No command in progress now: still held.
        assert_eq!(h.server.held_expunges(), 1);
        h.send(b"b NOOP\r\n");
        h.answer(vec![], Completion::ok());
    });
    assert_eq!(
        wire,
        "* 1 FETCH (UID 10)\r\n* 2 FETCH (UID 20)\r\na OK completed\r\n\
         * 2 EXPUNGE\r\nb OK completed\r\n"
    );
}

#[test]
fn an_expunge_as_data_of_a_fetch_goes_after_it() {
    let (wire, _) = same_under_every_split(manual, |h| {
        h.send(b"a STORE 1 +FLAGS.SILENT (\\Deleted)\r\n");
        let (request, _) = h.requests.pop_front().unwrap();
        h.server.send_data(h.now, &request, expunge(1)).unwrap();
        h.server.respond(h.now, request, Completion::ok()).unwrap();
        h.drive();
        h.send(b"b CHECK\r\n");
        h.answer(vec![], Completion::ok());
    });
    // The STORE completes first; its EXPUNGE waits for a command.
    assert_eq!(wire, "a OK completed\r\n* 1 EXPUNGE\r\nb OK completed\r\n");
}

#[test]
fn expunge_during_uid_commands_goes_at_once() {
    let (wire, _) = same_under_every_split(manual, |h| {
        h.send(b"a UID FETCH 1:* (UID)\r\n");
        h.server.send_unsolicited(h.now, expunge(4)).unwrap();
        h.drive();
        h.answer(vec![fetch_uid(1, 10)], Completion::ok());
    });
    assert_eq!(
        wire,
        "* 4 EXPUNGE\r\n* 1 FETCH (UID 10)\r\na OK completed\r\n"
    );
}

#[test]
fn uid_search_with_message_numbers_holds_expunges() {
    let (wire, _) = same_under_every_split(manual, |h| {
        h.send(b"a UID SEARCH 1:5 UNSEEN\r\n");
        h.server.send_unsolicited(h.now, expunge(4)).unwrap();
        h.answer(
            vec![Data::Search {
                ids: vec![nz(7)],
                mod_seq: None,
            }],
            Completion::ok(),
        );
        h.send(b"b UID SEARCH UNSEEN\r\n");
        h.answer(vec![], Completion::ok());
    });
    assert_eq!(
        wire,
        "* SEARCH 7\r\na OK completed\r\n* 4 EXPUNGE\r\nb OK completed\r\n"
    );
}

#[test]
fn data_of_a_command_precedes_its_completion_when_held() {
    // NOOP and FETCH run side by side; the NOOP's EXPUNGE is held while
    // the FETCH is in progress, and so are the NOOP's other data and its
    // completion, in order.
    let (wire, log) = same_under_every_split(manual, |h| {
        h.send(b"a NOOP\r\nb FETCH 1 (UID)\r\n");
        assert_eq!(h.server.in_flight(), 2);
        let (noop, _) = h.requests.pop_front().unwrap();
        let (fetch, _) = h.requests.pop_front().unwrap();
        h.server.send_data(h.now, &noop, expunge(3)).unwrap();
        h.server.send_data(h.now, &noop, Data::Exists(5)).unwrap();
        h.server.respond(h.now, noop, Completion::ok()).unwrap();
        h.server.send_data(h.now, &fetch, fetch_uid(1, 10)).unwrap();
        h.drive();
        assert_eq!(h.wire, b"* 1 FETCH (UID 10)\r\n");
        h.server.respond(h.now, fetch, Completion::ok()).unwrap();
        h.drive();
    });
    assert_eq!(
        wire,
        "* 1 FETCH (UID 10)\r\nb OK completed\r\n* 3 EXPUNGE\r\n* 5 EXISTS\r\na OK completed\r\n"
    );
    // The EXPUNGE is reported when it goes out, after the FETCH's end.
    assert_eq!(
        log,
        [
            "command a NOOP",
            "command b FETCH",
            "expunge-sent Expunge(3)"
        ]
    );
}

#[test]
fn vanished_follows_the_same_rules_but_not_vanished_earlier() {
    let (wire, _) = same_under_every_split(manual, |h| {
        h.send(b"e ENABLE QRESYNC\r\n");
        assert_eq!(h.take_wire(), "e BAD Command not valid in this state\r\n");
        h.send(b"c CLOSE\r\n");
        h.answer(vec![], Completion::ok());
        h.send(b"e ENABLE QRESYNC\r\ns SELECT INBOX\r\n");
        h.answer(vec![], Completion::ok());
        h.take_wire();
        let vanished = |earlier| Data::Vanished {
            earlier,
            uids: SequenceSet::from(nz(41)),
        };
        h.send(b"a FETCH 1 (UID)\r\n");
        h.server.send_unsolicited(h.now, vanished(false)).unwrap();
        h.server.send_unsolicited(h.now, vanished(true)).unwrap();
        h.drive();
        h.answer(vec![], Completion::ok());
        h.send(b"b NOOP\r\n");
        h.answer(vec![], Completion::ok());
    });
    // VANISHED (EARLIER) sits behind the held VANISHED: order is kept.
    assert_eq!(
        wire,
        "a OK completed\r\n* VANISHED 41\r\n* VANISHED (EARLIER) 41\r\nb OK completed\r\n"
    );
}

#[test]
fn expunges_of_the_old_mailbox_go_before_closed() {
    let (wire, _) = same_under_every_split(manual, |h| {
        h.server.send_unsolicited(h.now, expunge(1)).unwrap();
        h.send(b"a SELECT Archive\r\n");
        h.answer(vec![Data::Exists(0)], Completion::ok());
    });
    assert_eq!(
        wire,
        "* 1 EXPUNGE\r\n* OK [CLOSED] Previous mailbox closed\r\n* 0 EXISTS\r\na OK completed\r\n"
    );
}

#[test]
fn held_expunges_are_bounded() {
    let mut config = ServerConfig::default();
    config.limits.max_output = 64 * 100;
    let mut h = Harness::selected(config, Split::Whole);
    for n in (1..=100).rev() {
        h.server.send_unsolicited(h.now, expunge(n)).unwrap();
    }
    assert_eq!(h.server.held_expunges(), 100);
    assert_eq!(
        h.server.send_unsolicited(h.now, expunge(1)),
        Err(imapkit_state::error::UsageError::OutputFull)
    );
    h.send(b"a NOOP\r\n");
    assert_eq!(h.server.held_expunges(), 0);
    assert!(h
        .take_wire()
        .starts_with("* 100 EXPUNGE\r\n* 99 EXPUNGE\r\n"));
}

#[test]
fn untagged_status_of_a_command_keeps_its_place() {
    use imapkit_state::proto::{RespText, ResponseCode, Status};
    let code = |c| RespText::with_code(c, "ok").unwrap();
    // SELECT's codes between its data, before its completion (after the
    // session's own [CLOSED]: the harness has a mailbox selected).
    let (wire, _) = same_under_every_split(manual, |h| {
        h.send(b"a SELECT INBOX\r\n");
        let (select, _) = h.requests.pop_front().unwrap();
        h.server.send_data(h.now, &select, Data::Exists(2)).unwrap();
        let uv = code(ResponseCode::UidValidity(7));
        h.server
            .send_status(h.now, &select, Status::Ok, uv)
            .unwrap();
        h.server.respond(h.now, select, Completion::ok()).unwrap();
        h.drive();
    });
    assert_eq!(
        wire,
        "* OK [CLOSED] Previous mailbox closed\r\n* 2 EXISTS\r\n\
         * OK [UIDVALIDITY 7] ok\r\na OK completed\r\n"
    );
    // Behind a held EXPUNGE (a FETCH is in progress), a NOOP's status
    // waits with its data and completion.
    let (wire, _) = same_under_every_split(manual, |h| {
        h.send(b"a NOOP\r\nb FETCH 1 (UID)\r\n");
        let (noop, _) = h.requests.pop_front().unwrap();
        let (fetch, _) = h.requests.pop_front().unwrap();
        h.server.send_data(h.now, &noop, expunge(3)).unwrap();
        let next = code(ResponseCode::UidNext(9));
        h.server
            .send_status(h.now, &noop, Status::Ok, next)
            .unwrap();
        h.server.respond(h.now, noop, Completion::ok()).unwrap();
        h.server.respond(h.now, fetch, Completion::ok()).unwrap();
        h.drive();
    });
    assert_eq!(
        wire,
        "b OK completed\r\n* 3 EXPUNGE\r\n* OK [UIDNEXT 9] ok\r\na OK completed\r\n"
    );
}

/// `Event::ExpungeSent` marks where the client's numbering changes, in
/// order with the commands: a held EXPUNGE is reported when it goes out
/// (while the NOOP runs, after the NOOP's `CommandReceived`: the client
/// wrote the NOOP before it saw the EXPUNGE), not when the application
/// queued it, so the application reads `FETCH 3` before it with message 3
/// still counted and the FETCH after it without. A VANISHED (QRESYNC) likewise; VANISHED
/// (EARLIER) changes no numbering and is not reported.
#[test]
fn expunge_sent_marks_where_the_numbering_changes() {
    let (_, log) = same_under_every_split(manual, |h| {
        h.log.clear();
        h.server.send_unsolicited(h.now, expunge(3)).unwrap();
        h.drive();
        assert_eq!(h.take_log(), Vec::<String>::new(), "held: not sent yet");
        h.send(b"a FETCH 3 (UID)\r\n");
        h.answer(vec![fetch_uid(3, 30)], Completion::ok());
        h.send(b"b NOOP\r\n");
        h.answer(vec![], Completion::ok());
        h.send(b"c FETCH 3 (UID)\r\n");
        h.answer(vec![fetch_uid(3, 40)], Completion::ok());
    });
    assert_eq!(
        log,
        [
            "command a FETCH",
            "command b NOOP",
            "expunge-sent Expunge(3)",
            "command c FETCH"
        ]
    );

    let (wire, log) = same_under_every_split(manual, |h| {
        h.send(b"c CLOSE\r\n");
        h.answer(vec![], Completion::ok());
        h.send(b"q ENABLE QRESYNC\r\ns SELECT INBOX\r\n");
        h.answer(vec![], Completion::ok());
        h.send(b"e UID EXPUNGE 7\r\n");
        h.log.clear();
        let vanished = |earlier| Data::Vanished {
            earlier,
            uids: SequenceSet::try_from("7").unwrap(),
        };
        h.answer(vec![vanished(false), vanished(true)], Completion::ok());
    });
    assert!(
        wire.ends_with("* VANISHED 7\r\n* VANISHED (EARLIER) 7\r\ne OK completed\r\n"),
        "{wire}"
    );
    assert_eq!(
        log,
        [format!(
            "expunge-sent {:?}",
            Data::Vanished {
                earlier: false,
                uids: SequenceSet::try_from("7").unwrap()
            }
        )]
    );
}

/// A command read and waiting to run alone (COPY, STORE: exclusive) was
/// written before any EXPUNGE the command in flight beside it reports:
/// the EXPUNGE waits until it runs and goes after its `CommandReceived`
/// (after its completion too when it uses sequence numbers), so that its
/// numbers are read as the client wrote them (the demo review of stop 34:
/// `NOOP` then `STORE 3` flagged the neighbour of the message meant).
#[test]
fn an_expunge_waits_for_a_command_read_before_it() {
    let (wire, log) = same_under_every_split(manual, |h| {
        h.send(b"a NOOP\r\nb COPY 3 Trash\r\n");
        let (noop, _) = h.requests.pop_front().unwrap();
        h.server.send_data(h.now, &noop, expunge(2)).unwrap();
        h.server.respond(h.now, noop, Completion::ok()).unwrap();
        h.drive();
        h.answer(vec![], Completion::ok());
    });
    assert_eq!(wire, "* 2 EXPUNGE\r\na OK completed\r\nb OK completed\r\n");
    assert_eq!(
        log,
        [
            "command a NOOP",
            "command b COPY",
            "expunge-sent Expunge(2)"
        ]
    );

    let (wire, log) = same_under_every_split(manual, |h| {
        h.send(b"a NOOP\r\nb STORE 3 +FLAGS (\\Flagged)\r\n");
        let (noop, _) = h.requests.pop_front().unwrap();
        h.server.send_data(h.now, &noop, expunge(2)).unwrap();
        h.server.respond(h.now, noop, Completion::ok()).unwrap();
        h.drive();
        h.answer(vec![], Completion::ok());
    });
    // STORE uses sequence numbers: no EXPUNGE while it runs (RFC 9051
    // §7.5.1); it goes out once STORE completed, with the NOOP's OK.
    assert_eq!(wire, "b OK completed\r\n* 2 EXPUNGE\r\na OK completed\r\n");
    assert_eq!(
        log,
        [
            "command a NOOP",
            "command b STORE",
            "expunge-sent Expunge(2)"
        ]
    );
}
