//! `ServerConfig::check_appends`: an APPEND message announced with a
//! synchronizing literal is put to the application (`Event::AppendCheck`)
//! before the session sends `+`, so that a missing mailbox, a quota or a
//! size limit is answered before the client sends the data (RFC 9051
//! §6.3.12, §7.6; RFC 3502 for MULTIAPPEND; RFC 7889 for TOOBIG).

mod util;

use imapkit_state::server::Unanswered;
use std::time::Duration;

use imapkit_state::error::UsageError;
use imapkit_state::proto::{AppendData, CommandBody, Flag, RespText, ResponseCode};
use imapkit_state::server::{CloseReason, Completion, ServerConfig, SessionState};
use util::{Harness, Split};

fn config() -> ServerConfig {
    let mut config = ServerConfig::default();
    config.check_appends = true;
    config
        .capabilities
        .push(imapkit_state::proto::Capability::MultiAppend);
    config
}

/// A session logged in with `check_appends`, commands kept for the test.
fn session(split: Split) -> Harness {
    let mut h = Harness::logged_in(config(), split);
    h.policy.auto_respond = false;
    h
}

/// Accepts the pending check (`what` names it in a failure) and lets the
/// session answer it.
fn accept_next(h: &mut Harness, what: &str) {
    let check = h.appends.pop_front().expect(what);
    h.server.accept_append(h.now, check).unwrap();
    h.drive();
}

fn no(code: ResponseCode<'static>, text: &'static str) -> Completion {
    Completion::no(RespText::with_code(code, text).unwrap())
}

/// The check comes before `+`; the session reads nothing meanwhile; `+`
/// goes out on `accept_append`, and the APPEND arrives whole after it.
#[test]
fn an_accepted_message_is_continued_and_arrives() {
    for split in Split::ALL {
        let mut h = session(split);
        h.send(b"a1 APPEND Drafts (\\Draft) {5}\r\n");
        assert_eq!(h.take_wire(), "", "{split:?}");
        assert_eq!(
            h.take_log(),
            ["append-check Drafts message=0 size=5 binary=false"]
        );
        assert!(!h.server.wants_read());
        // Bytes that come meanwhile (here the data, which a client sends
        // only after `+`, RFC 9051 §4.3) are not read while the check is
        // pending.
        h.send(b"hello\r\n");
        assert_eq!(h.inbox.len(), 7);
        assert_eq!(h.take_wire(), "");
        let check = h.appends.pop_front().unwrap();
        assert_eq!(check.mailbox().to_string(), "Drafts");
        assert_eq!(
            (check.message(), check.size(), check.binary()),
            (0, 5, false)
        );
        h.server.accept_append(h.now, check).unwrap();
        h.drive();
        assert_eq!(h.take_wire(), "+ Ready for literal data\r\n");
        assert!(h.server.wants_read());
        h.pump();
        assert_eq!(h.take_log(), ["command a1 APPEND"]);
        let command = h.answer(Vec::new(), Completion::ok());
        let CommandBody::Append { mailbox, messages } = command.body else {
            panic!("{command:?}");
        };
        assert_eq!(mailbox.to_string(), "Drafts");
        let message = messages.first();
        assert_eq!(message.flags.as_deref(), Some(&[Flag::Draft][..]));
        let AppendData::Literal(data) = &message.data else {
            panic!("{message:?}");
        };
        assert_eq!(data.data(), b"hello");
        assert_eq!(h.take_wire(), "a1 OK completed\r\n");
    }
}

/// A refused message: the tagged NO the application chose, no `+`, no
/// command handed out, and the next command is read as a command.
#[test]
fn a_refused_message_is_answered_before_its_data() {
    for split in Split::ALL {
        let mut h = session(split);
        h.send(b"a1 APPEND Nowhere {20000000}\r\n");
        let check = h.appends.pop_front().expect("a check");
        assert_eq!(check.size(), 20_000_000);
        let completion = no(ResponseCode::TryCreate, "No such mailbox");
        h.server.refuse_append(h.now, check, completion).unwrap();
        h.send(b"a2 NOOP\r\n");
        h.answer(Vec::new(), Completion::ok());
        assert_eq!(
            h.take_wire(),
            "a1 NO [TRYCREATE] No such mailbox\r\na2 OK completed\r\n",
            "{split:?}"
        );
        assert_eq!(
            h.take_log(),
            [
                "append-check Nowhere message=0 size=20000000 binary=false",
                "command a2 NOOP"
            ]
        );
        assert!(h.requests.is_empty());
    }
}

/// MULTIAPPEND (RFC 3502): each message is checked; refusing the second
/// refuses the command (no message of it is handed out to store).
#[test]
fn each_message_of_a_multiappend_is_checked() {
    let mut h = session(Split::Whole);
    h.send(b"m1 APPEND INBOX {3}\r\n");
    let first = h.appends.pop_front().unwrap();
    h.server.accept_append(h.now, first).unwrap();
    h.send(b"abc (\\Seen) ~{4}\r\n");
    let second = h.appends.pop_front().expect("the second message's check");
    assert_eq!(
        (second.message(), second.size(), second.binary()),
        (1, 4, true)
    );
    let completion = no(ResponseCode::OverQuota, "Quota exceeded");
    h.server.refuse_append(h.now, second, completion).unwrap();
    h.drive();
    assert_eq!(
        h.take_wire(),
        "+ Ready for literal data\r\nm1 NO [OVERQUOTA] Quota exceeded\r\n"
    );
    assert_eq!(
        h.take_log(),
        [
            "append-check INBOX message=0 size=3 binary=false",
            "append-check INBOX message=1 size=4 binary=true"
        ]
    );
    assert!(h.requests.is_empty());
    // Both accepted: one command with both messages.
    h.send(b"m2 APPEND INBOX {3}\r\n");
    let c = h.appends.pop_front().unwrap();
    h.server.accept_append(h.now, c).unwrap();
    h.send(b"abc {2}\r\n");
    let c = h.appends.pop_front().unwrap();
    h.server.accept_append(h.now, c).unwrap();
    h.send(b"de\r\n");
    let command = h.answer(Vec::new(), Completion::ok());
    let CommandBody::Append { messages, .. } = command.body else {
        panic!("{command:?}");
    };
    assert_eq!(messages.len(), 2);
}

/// The check carries the flags and the internal date of the message it is
/// about (RFC 9051 §6.3.12), for a policy on `\Draft`, on keywords or on
/// dates: absent, `()`, and those of the second message of a MULTIAPPEND,
/// not the first's.
#[test]
fn the_check_carries_the_messages_flags_and_date() {
    use imapkit_state::proto::{Atom, Date, DateTime};
    let mut h = session(Split::Whole);
    h.send(b"a1 APPEND Drafts (\\Draft $Junk) \"17-Jul-1996 02:44:25 -0700\" {5}\r\n");
    let check = h.appends.pop_front().unwrap();
    let junk = Flag::Keyword(Atom::try_from("$Junk").unwrap());
    assert_eq!(check.flags(), Some(&[Flag::Draft, junk][..]));
    let date = DateTime::new(Date::new(1996, 7, 17).unwrap(), 2, 44, 25, -420).unwrap();
    assert_eq!(check.date(), Some(date));
    h.server.accept_append(h.now, check).unwrap();
    h.send(b"hello\r\n");
    h.answer(Vec::new(), Completion::ok());
    h.take_wire();
    h.take_log();
    for (head, flags) in [
        (&b"a2 APPEND INBOX {3}\r\n"[..], None),
        (b"a3 APPEND INBOX () {3}\r\n", Some(&[][..])),
    ] {
        h.send(head);
        let check = h.appends.pop_front().unwrap();
        assert_eq!((check.flags(), check.date()), (flags, None));
        h.server.accept_append(h.now, check).unwrap();
        h.send(b"abc\r\n");
        h.answer(Vec::new(), Completion::ok());
    }
    // MULTIAPPEND: the second message's own.
    h.send(b"m1 APPEND INBOX (\\Seen) {3}\r\n");
    let first = h.appends.pop_front().unwrap();
    assert_eq!(first.flags(), Some(&[Flag::Seen][..]));
    h.server.accept_append(h.now, first).unwrap();
    h.send(b"abc (\\Flagged) {2}\r\n");
    let second = h.appends.pop_front().unwrap();
    assert_eq!(
        (second.message(), second.flags()),
        (1, Some(&[Flag::Flagged][..]))
    );
    assert_eq!(second.date(), None);
}

/// Only a message's synchronizing literal is checked: a mailbox name sent
/// as a literal is continued by the session (the check comes with the
/// message's literal, the name known), and a non-synchronizing literal
/// (RFC 7888: the data comes anyway) raises no check.
#[test]
fn only_a_messages_synchronizing_literal_is_checked() {
    let mut h = session(Split::Whole);
    h.send(b"a1 APPEND {6}\r\n");
    assert_eq!(h.take_wire(), "+ Ready for literal data\r\n");
    assert!(h.appends.is_empty());
    h.send(b"Sent A {3}\r\n");
    let check = h.appends.pop_front().expect("the message's check");
    assert_eq!(check.mailbox().to_string(), "Sent A");
    h.server.accept_append(h.now, check).unwrap();
    h.send(b"abc\r\n");
    h.answer(Vec::new(), Completion::ok());
    assert_eq!(
        h.take_wire(),
        "+ Ready for literal data\r\na1 OK completed\r\n"
    );
    h.send(b"a2 APPEND INBOX {3+}\r\nabc\r\n");
    assert!(h.appends.is_empty());
    assert_eq!(h.take_log().last().unwrap(), "command a2 APPEND");
}

/// The mailbox as named: modified UTF-7 read as the name it stands for
/// (RFC 3501 §5.1.3).
#[test]
fn the_check_names_an_international_mailbox() {
    let mut h = session(Split::Whole);
    h.send(b"a1 APPEND &ZeVnLIqe- {3}\r\n");
    let check = h.appends.pop_front().unwrap();
    assert_eq!(check.mailbox().to_string(), "日本語");
}

/// The answers' errors: OK is no refusal (the check stays pending), a
/// check answered twice or given to another session is unknown, one left
/// pending when the connection ends is refused as closed.
#[test]
fn answering_a_check_wrongly_is_an_error() {
    let mut h = session(Split::Whole);
    h.send(b"a1 APPEND INBOX {3}\r\n");
    let check = h.appends.pop_front().unwrap();
    let Unanswered {
        error: e,
        token: check,
    } = h
        .server
        .refuse_append(h.now, check, Completion::ok())
        .unwrap_err();
    assert!(matches!(e, UsageError::Unexpected(_)), "{e:?}");
    // Another session's check.
    let mut other = session(Split::Whole);
    other.send(b"b1 APPEND INBOX {3}\r\n");
    let foreign = other.appends.pop_front().unwrap();
    let e = h.server.accept_append(h.now, foreign).unwrap_err().error;
    assert_eq!(e, UsageError::UnknownCommand);
    assert_eq!(h.take_wire(), "");
    // Still pending: accepted now.
    h.server.accept_append(h.now, check).unwrap();
    h.drive();
    assert_eq!(h.take_wire(), "+ Ready for literal data\r\n");
    // The end of the connection while a check is pending.
    other.server.handle_eof(other.now);
    other.drive();
    assert_eq!(
        other.take_log().last().unwrap(),
        &format!("closed {:?}", CloseReason::PeerClosed)
    );
    let mut third = session(Split::Whole);
    third.send(b"c1 APPEND INBOX {3}\r\n");
    let pending = third.appends.pop_front().unwrap();
    third.server.handle_eof(third.now);
    let e = third
        .server
        .accept_append(third.now, pending)
        .unwrap_err()
        .error;
    assert_eq!(e, UsageError::Closed);
}

/// A check left unanswered does not hold the connection forever: the
/// autologout ends it (RFC 9051 §5.4), and input the client piles up
/// meanwhile is bounded as for any session that does not read.
#[test]
fn an_unanswered_check_is_bounded_by_the_timers_and_the_backlog() {
    let mut h = session(Split::Whole);
    h.send(b"a1 APPEND INBOX {3}\r\n");
    let _pending = h.appends.pop_front().unwrap();
    h.now += Duration::from_secs(31 * 60);
    h.server.handle_timeout(h.now);
    h.drive();
    assert!(h.server.is_closed());
    assert!(h.take_wire().starts_with("* BYE"));

    let mut h = session(Split::Whole);
    h.send(b"a1 APPEND INBOX {3}\r\n");
    let _pending = h.appends.pop_front().unwrap();
    let limits = &ServerConfig::default().limits;
    let flood = vec![b'x'; limits.max_message + limits.max_line + 1024];
    h.force_feed(&flood);
    assert!(h.server.is_closed());
    assert_eq!(h.server.state(), SessionState::Logout);
}

/// Without `check_appends` the session answers `+` itself (the default).
#[test]
fn without_the_option_the_session_continues_itself() {
    let mut h = Harness::logged_in(ServerConfig::default(), Split::Whole);
    h.send(b"a1 APPEND INBOX {3}\r\n");
    assert_eq!(h.take_wire(), "+ Ready for literal data\r\n");
    assert!(h.appends.is_empty());
}

/// `Limits::max_literals`: the session reads a command's lines again at
/// each synchronizing literal (the parse check before `+`, and here the
/// APPEND check), so a MULTIAPPEND of very many small messages would cost
/// it work growing with their square; the literal beyond the limit is
/// refused with BAD before its data (a non-synchronizing one's data is
/// read and dropped), and the next command is read as a command.
#[test]
fn a_command_with_too_many_literals_is_refused() {
    for split in Split::ALL {
        let mut config = config();
        config.limits.max_literals = 3;
        let mut h = Harness::logged_in(config, split);
        h.policy.auto_respond = false;
        h.send(b"m1 APPEND INBOX {1}\r\n");
        for _ in 0..2 {
            accept_next(&mut h, "a check");
            h.send(b"x {1}\r\n");
        }
        accept_next(&mut h, "the third check");
        // The fourth literal: refused, no check, no `+`.
        h.send(b"x {1}\r\n");
        assert!(h.appends.is_empty(), "{split:?}");
        let wire = h.take_wire();
        assert_eq!(
            wire.matches("+ Ready for literal data\r\n").count(),
            3,
            "{wire:?}"
        );
        assert!(wire.ends_with("m1 BAD Too many literals\r\n"), "{wire:?}");
        assert!(
            h.take_log()
                .iter()
                .any(|l| l.contains("too many literals in one command")),
            "{split:?}"
        );
        // Non-synchronizing: the data is read and dropped.
        h.send(b"m2 APPEND INBOX {1+}\r\na {1+}\r\nb {1+}\r\nc {1+}\r\nd\r\nm3 NOOP\r\n");
        assert_eq!(h.take_wire(), "m2 BAD Too many literals\r\n", "{split:?}");
        assert_eq!(h.take_log().last().unwrap(), "command m3 NOOP");
        assert!(h.requests.iter().all(|(_, c)| c.tag.as_str() != "m2"));
    }
}

/// The literal limit counts one command's literals: those of commands
/// refused before their data (no whole message follows them) do not
/// count towards the next command's.
#[test]
fn refused_literals_do_not_count_towards_the_next_command() {
    let mut config = config();
    config.limits.max_literals = 2;
    let mut h = Harness::logged_in(config, Split::Whole);
    h.policy.auto_respond = false;
    for k in 0..3 {
        h.send(format!("r{k} APPEND Nowhere {{1}}\r\n").as_bytes());
        let c = h.appends.pop_front().expect("a check");
        let completion = no(ResponseCode::TryCreate, "No such mailbox");
        h.server.refuse_append(h.now, c, completion).unwrap();
        h.drive();
    }
    h.send(b"a1 APPEND INBOX {1}\r\n");
    accept_next(&mut h, "a check, not a refusal");
    h.send(b"x\r\n");
    let wire = h.take_wire();
    assert!(wire.ends_with("+ Ready for literal data\r\n"), "{wire:?}");
    assert_eq!(h.take_log().last().unwrap(), "command a1 APPEND");
}
