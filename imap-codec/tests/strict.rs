//! Strict where it matters (issue 13, item 5): lenient decoding accepts what
//! real peers send, not anything at all.
//!
//! | input | decoded as | rule |
//! |---|---|---|
//! | `* XFOO bar`, `* 3 XFOO bar`, `* -FOO bar` | `Data::Other` | an unknown response name with a well-formed shape keeps the generic fallback |
//! | `* -3 EXPUNGE`, `* +3 EXISTS` | error at the sign | message data starts with an unsigned number (RFC 9051 §7.5); a signed one is not a response name |
//! | `* 3 EXPUNGE garbage`, `* 0 EXISTS x`, `* 3 RECENT 5` | error at the first extra byte | a known response that breaks its grammar is not unknown data |
//! | `* 0 EXPUNGE`, `* 0 FETCH (...)`, `* 1 FETCH (UID 0)`, `* SEARCH 0` | error at the number | `nz-number` (RFC 9051 §9) |
//! | `* 4294967296 EXISTS`, `UID 4294967296` | error at the number | `number` is 32 bits (RFC 9051 §9) |
//! | `{5+}` / `~{5+}` in a response, parsed or generic | error at the header | "The non-synchronizing literal form MUST NOT be sent from server to client" (RFC 7888 §3); no server is known to send it |
//! | `a1 OK done`, `a1 BYE` as a command | error at the keyword | a status response is server syntax (RFC 9051 §7.1) |
//! | `a1 XFOO {3+}` as a command | `CommandBody::Other` | non-synchronizing literals are client syntax |
//!
//! The encoder keeps to the same rules: a response's literals are written
//! synchronizing whatever their mode, and `OtherData` / `OtherCommand`
//! refuse what the decoder would refuse (a signed number first, a status
//! keyword as command name).
//!
//! Deliberately kept lenient: a known response code whose arguments do not
//! parse (`[UIDNEXT -1]`) stays a status response with the code kept as
//! `ResponseCode::Other` (RFC 9051's generic `atom [SP text]` code form
//! admits it, and refusing it would lose the status response: for a tagged
//! one, its command's completion).

use imapkit_codec::decode::{command, greeting, response};
use imapkit_codec::framer::{Direction, FrameEvent, Framer, FramerConfig};
use imapkit_codec::{Decoded, Encode};
use imapkit_proto::*;

/// The error of decoding `input` as a response: (offset, reason).
fn response_error(input: &[u8]) -> (usize, &'static str) {
    match response(input) {
        Err(e) => (e.offset, e.reason),
        Ok(d) => panic!("{} decoded: {d:?}", input.escape_ascii()),
    }
}

fn command_error(input: &[u8]) -> (usize, &'static str) {
    match command(input) {
        Err(e) => (e.offset, e.reason),
        Ok(d) => panic!("{} decoded: {d:?}", input.escape_ascii()),
    }
}

fn complete_response(input: &[u8]) -> Response<'_> {
    match response(input) {
        Ok(Decoded::Complete { message, consumed }) if consumed == input.len() => message,
        other => panic!("{}: {other:?}", input.escape_ascii()),
    }
}

#[test]
fn unknown_responses_with_a_well_formed_shape_stay_generic() {
    for line in [
        &b"* XFOO bar baz\r\n"[..],
        b"* 3 XFOO bar\r\n",
        b"* -FOO bar\r\n",
        b"* XANNOTATION \"INBOX\" ({3}\r\nabc)\r\n",
    ] {
        assert!(
            matches!(complete_response(line), Response::Data(Data::Other(_))),
            "{}",
            line.escape_ascii()
        );
    }
}

#[test]
fn a_signed_message_number_is_an_error_not_an_unknown_response() {
    let unsigned = "expected an unsigned number";
    assert_eq!(response_error(b"* -3 EXPUNGE\r\n"), (2, unsigned));
    assert_eq!(response_error(b"* +3 EXISTS\r\n"), (2, unsigned));
    assert_eq!(response_error(b"* -1 FETCH (UID 4)\r\n"), (2, unsigned));
    // Known before the line ends: the prefix is already an error.
    assert_eq!(response_error(b"* -3"), (2, unsigned));
    assert!(OtherData::try_new("-3 EXPUNGE").is_err());
    assert!(OtherData::try_new("-FOO bar").is_ok());
}

#[test]
fn known_responses_that_break_their_grammar_are_errors_with_offsets() {
    let crlf = "expected CRLF";
    assert_eq!(response_error(b"* 3 EXPUNGE garbage\r\n"), (12, crlf));
    assert_eq!(response_error(b"* 0 EXISTS x\r\n"), (11, crlf));
    assert_eq!(response_error(b"* 3 RECENT 5\r\n"), (11, crlf));
    assert_eq!(response_error(b"* SEARCH 1 x\r\n"), (11, crlf));
    let nz = "expected a non-zero number";
    assert_eq!(response_error(b"* 0 EXPUNGE\r\n"), (2, nz));
    assert_eq!(response_error(b"* 0 FETCH (UID 1)\r\n"), (2, nz));
    assert_eq!(response_error(b"* 1 FETCH (UID 0)\r\n"), (15, nz));
    assert_eq!(response_error(b"* SEARCH 2 0\r\n"), (11, nz));
    let range = "number out of range";
    assert_eq!(response_error(b"* 4294967296 EXISTS\r\n"), (2, range));
    assert_eq!(
        response_error(b"* 1 FETCH (UID 4294967296)\r\n"),
        (15, range)
    );
    // A LIST attribute is `"\" atom` (QUIRKS.md row 65: no server is
    // known to send a bare atom there).
    assert_eq!(
        response_error(b"* LIST (\\foo bAR) \".\" \"INBOX\"\r\n"),
        (13, "unexpected character")
    );
    // UIDVALIDITY beyond 32 bits in STATUS (QUIRKS.md row 71: GreenMail
    // and dynadot.com sent it; the value cannot be kept without
    // truncating it). As a response code it is kept as an unknown code.
    assert_eq!(
        response_error(b"* STATUS \"folder_0\" (UIDNEXT 1 UIDVALIDITY 1666390893380 UNSEEN 0)\r\n"),
        (43, range)
    );
    // 8-bit bytes in a keyword (row 72: a corrupt keyword from Dovecot's
    // store): a flag is an atom, ASCII.
    assert_eq!(
        response_error(b"* FLAGS (\\Seen \x80\x80\x80\x85 Junk)\r\n").0,
        15
    );
    // Anything between a literal's `}` and its CRLF (row 73): the framer
    // does not take it for a literal, and the decoder agrees.
    assert_eq!(
        response_error(b"* LIST (\\HasNoChildren) \"/\" {3} \r\nabc\r\n"),
        (31, crlf)
    );
    // A `\` before a string's closing quote (row 88: QQ Mail): the
    // string runs on past it, here to the line's end.
    let qq = b"* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL \"p\" \"sina.com\\\")) NIL NIL NIL NIL NIL NIL NIL))\r\n";
    assert_eq!(
        response_error(qq),
        (qq.len() - 2, "invalid character in quoted string")
    );
    // SEARCH results continued on a line of their own (row 89: Tobit
    // David Server 6): no response starts with a number.
    assert_eq!(response_error(b"4 5 6\r\n"), (2, "expected OK, NO or BAD"));
    // Greetings that are not IMAP (row 91: IceWarp's intrusion
    // prevention, SmarterMail when busy): errors at their first word.
    for (line, at) in [
        (
            &b"NO LOGOUT Intrusion prevention active for 192.0.2.1\r\n"[..],
            0,
        ),
        (b"421 Server is busy, try again later.\r\n", 0),
    ] {
        let e = greeting(line).unwrap_err();
        assert_eq!(e.offset, at, "{}", line.escape_ascii());
    }
    // The largest values are fine.
    assert_eq!(
        complete_response(b"* 4294967295 EXISTS\r\n"),
        Response::Data(Data::Exists(u32::MAX))
    );
}

#[test]
fn non_synchronizing_literals_are_client_syntax() {
    let non_sync = "non-synchronizing literal in a response";
    assert_eq!(
        response_error(b"* 1 FETCH (BODY[] {5+}\r\nhello)\r\n"),
        (18, non_sync)
    );
    // Already when the header is complete, before the data.
    assert_eq!(
        response_error(b"* 1 FETCH (BODY[] {5+}\r\nhe"),
        (18, non_sync)
    );
    assert_eq!(
        response_error(b"* 1 FETCH (BINARY[] ~{5+}\r\nhello)\r\n"),
        (21, non_sync)
    );
    assert_eq!(
        response_error(b"* LIST () \"/\" {5+}\r\nINBOX\r\n"),
        (14, non_sync)
    );
    // An unknown response read generically.
    assert_eq!(response_error(b"* XFOO x {3+}\r\nabc\r\n"), (9, non_sync));
    // The lone-LF decoder too, at the offset in the original input.
    let lf = imapkit_codec::decode::ResponseDecoder { lone_lf: true };
    let e = lf
        .decode(b"* 1 FETCH (BODY[] {1+}\nx UID 2)\n")
        .unwrap_err();
    assert_eq!((e.offset, e.reason), (18, non_sync));
    // Synchronizing literals are fine, and a client may use either.
    complete_response(b"* 1 FETCH (BODY[] {5}\r\nhello)\r\n");
    let c = command(b"a1 XFOO {3+}\r\nabc\r\n")
        .unwrap()
        .complete()
        .unwrap()
        .0;
    assert!(matches!(c.body, CommandBody::Other(_)));
    command(b"a1 LOGIN {5+}\r\nalice pw\r\n")
        .unwrap()
        .complete()
        .unwrap();
}

#[test]
fn the_encoder_writes_a_servers_literals_synchronizing() {
    let data = Literal::try_new(&b"hello"[..])
        .unwrap()
        .with_mode(LiteralMode::NonSync);
    let r = Response::Data(Data::Fetch {
        seq: std::num::NonZeroU32::new(1).unwrap(),
        items: Vec1::new(MessageDataItem::BodySection {
            section: Section::whole(),
            origin: None,
            data: NString(Some(IString::Literal(data))),
        }),
    });
    assert_eq!(r.to_vec(), b"* 1 FETCH (BODY[] {5}\r\nhello)\r\n");
    // A command keeps the mode it was given.
    let c = Command::new(
        Tag::try_from("a1").unwrap(),
        CommandBody::Login {
            username: AString::String(IString::Literal(
                Literal::try_new(&b"alice"[..])
                    .unwrap()
                    .with_mode(LiteralMode::NonSync),
            )),
            password: Secret::new(AString::from("pw")),
        },
    );
    assert!(c.to_vec().starts_with(b"a1 LOGIN {5+}\r\nalice"));
}

#[test]
fn the_framer_and_the_decoder_agree_on_a_refused_literal() {
    // The framer frames the literal (its boundaries are the decoder's);
    // the frame does not decode, and the next message does.
    let stream = b"* 1 FETCH (BODY[] {5+}\r\nab\r\nc)\r\n* 3 EXISTS\r\n";
    let mut framer = Framer::new(FramerConfig::new(Direction::ServerToClient));
    framer.push(stream);
    let mut frames = Vec::new();
    while let Some(ev) = framer.poll_event() {
        if let FrameEvent::Frame(f) = ev {
            frames.push((f.offset, f.decode_response().map(|r| r.to_vec())));
        }
    }
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[0].0, 0);
    assert_eq!(frames[0].1.as_ref().unwrap_err().offset, 18);
    assert_eq!(frames[1], (32, Ok(b"* 3 EXISTS\r\n".to_vec())));
    assert_eq!(
        response_error(stream).0,
        18,
        "the whole-buffer decoder fails at the same byte"
    );
}

#[test]
fn a_status_response_is_not_a_command() {
    let why = "a status response is not a command";
    assert_eq!(command_error(b"a1 OK done\r\n"), (3, why));
    assert_eq!(command_error(b"a1 no\r\n"), (3, why));
    assert_eq!(command_error(b"A2 BYE\r\n"), (3, why));
    assert_eq!(command_error(b"A2 PREAUTH x\r\n"), (3, why));
    let ok = Atom::try_from("OK").unwrap();
    assert!(OtherCommand::try_new(ok, Some(Buf::from("done"))).is_err());
    // Unknown commands keep their generic form.
    let c = command(b"a1 XOK done\r\n").unwrap().complete().unwrap().0;
    assert!(matches!(c.body, CommandBody::Other(_)));
}

#[test]
fn a_malformed_known_code_keeps_its_status_response() {
    let r = complete_response(b"a1 OK [UIDNEXT -1] done\r\n");
    let Response::Status(s) = r else { panic!() };
    assert_eq!(s.tag().map(|t| t.as_str().to_owned()), Some("a1".into()));
    assert!(matches!(s.code(), Some(ResponseCode::Other(_))));
}

/// What clients in the catalogues send: an empty ID list in both forms, and
/// iPhone Mail's `CHANGEDSINCE 0` (QUIRKS.md, row 45: RFC 7162 wants 1 or
/// more; Dovecot 2.3 answers it with every message), which decodes as
/// `ChangedSince(0)` and is written back as sent. A negative or
/// out-of-range mod-sequence stays an error.
#[test]
fn client_quirks_from_the_catalogues() {
    for line in [&b"a1 ID ()\r\n"[..], b"a1 ID NIL\r\n"] {
        let c = command(line).unwrap().complete().unwrap().0;
        assert!(matches!(c.body, CommandBody::Id { .. }), "{c:?}");
    }
    let line = b"a1 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 0)\r\n";
    let (c, n) = command(line).unwrap().complete().unwrap();
    assert_eq!(n, line.len());
    let CommandBody::Fetch { uid, modifiers, .. } = &c.body else {
        panic!("{c:?}")
    };
    assert!(uid);
    assert_eq!(modifiers[..], [FetchModifier::ChangedSince(0)]);
    assert_eq!(c.to_vec(), line);
    assert_eq!(
        command_error(b"a1 UID FETCH 1:* (FLAGS) (CHANGEDSINCE -1)\r\n"),
        (39, "expected a number")
    );
    assert_eq!(
        command_error(b"a1 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 18446744073709551616)\r\n"),
        (39, "number out of range")
    );
}
