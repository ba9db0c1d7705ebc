//! The session-aware trace decoder (`imap-decode --session`, issue 13 item
//! 6): a recorded session replayed through the library's Client and
//! Server, so that each message is decoded as what it is at its point in
//! the session, and what the state machines refuse is reported with its
//! offset.

use imap_examples::trace::session::decode_session;
use imap_examples::trace::{decode_stream, Options, Summary};
use imapkit_codec::framer::Direction;

const COMMANDS: &[u8] = include_bytes!("../../imap-codec/tests/data/dovecot/session.commands");
const RESPONSES: &[u8] = include_bytes!("../../imap-codec/tests/data/dovecot/session.responses");
const SNIPPET_COMMANDS: &[u8] =
    include_bytes!("../../imap-codec/tests/data/dovecot/snippet.commands");
const SNIPPET_RESPONSES: &[u8] =
    include_bytes!("../../imap-codec/tests/data/dovecot/snippet.responses");

/// Replays a session, whole and in `chunk`-byte pieces (the output must
/// not depend on the chunking), with the round trip on.
fn replay_chunked(commands: &[u8], responses: &[u8], chunk: usize) -> (String, Summary) {
    let mut o = Options::new(Direction::ServerToClient);
    o.roundtrip = true;
    let mut out = Vec::new();
    let mut s = Summary::default();
    decode_session(commands, responses, &o, &mut out, &mut s).expect("write to a Vec");
    o.chunk = Some(chunk);
    let mut again = Vec::new();
    let mut s2 = Summary::default();
    decode_session(commands, responses, &o, &mut again, &mut s2).expect("write to a Vec");
    let out = String::from_utf8(out).expect("UTF-8 output");
    assert_eq!(out, String::from_utf8(again).expect("UTF-8 output"));
    assert_eq!(s, s2);
    (out, s)
}

fn replay(commands: &[u8], responses: &[u8]) -> (String, Summary) {
    replay_chunked(commands, responses, 1)
}

/// The lines of `out` that report something (errors, findings, notes).
fn reports(out: &str) -> Vec<&str> {
    out.lines()
        .filter(|l| l.contains(" error: ") || l.contains(" session: ") || l.contains(" note: "))
        .map(str::trim_start)
        .collect()
}

fn counts(s: &Summary) -> (u64, u64, u64) {
    (s.messages, s.errors, s.violations)
}

#[test]
fn the_recorded_dovecot_session_replays_without_findings() {
    let (out, s) = replay_chunked(COMMANDS, RESPONSES, 4096);
    // 83 commands and IDLE's DONE; 298 responses, the greeting first.
    assert_eq!(counts(&s), (84 + 298, 0, 0), "{out}");
    assert_eq!(s.mismatches, 0);
    assert_eq!(s.bytes, (COMMANDS.len() + RESPONSES.len()) as u64);
    assert!(reports(&out).is_empty(), "{:?}", reports(&out));
    let first_response = out
        .lines()
        .skip_while(|l| !l.starts_with("server to client"))
        .nth(1)
        .expect("a response");
    assert!(
        first_response.starts_with("       0 S: Greeting { kind: Ok"),
        "{first_response}"
    );
    assert_eq!(out.matches(" C: DONE").count(), 1);
    // The password of `a2 LOGIN alice secret`.
    assert!(!out.contains("secret"), "password printed");
}

#[test]
fn the_snippet_capture_replays_its_authenticate_exchange() {
    let (out, s) = replay(SNIPPET_COMMANDS, SNIPPET_RESPONSES);
    assert_eq!((s.errors, s.violations, s.mismatches), (0, 0, 0), "{out}");
    // `a1 AUTHENTICATE PLAIN` (no SASL-IR), the server's `+ `, then the
    // client's line, read as SASL data because the exchange is running.
    assert!(out.contains("      23 C: Continue(<redacted>)"), "{out}");
    for secret in ["AGFsaWNlAHNlY3JldA", "secret"] {
        assert!(!out.contains(secret), "{secret} printed");
    }
}

#[test]
fn a_tagged_greeting_is_an_error() {
    let (out, s) = replay(b"a1 NOOP\r\n", b"a1 OK hi\r\n");
    assert_eq!(
        reports(&out),
        [
            "0 error: not a greeting: unexpected character at stream offset 0: \"a1 OK hi\\r\\n\"",
            "0 note: the Client closed the session (expected a greeting (* OK, * PREAUTH or * BYE)); what follows is decoded without it",
        ]
    );
    assert_eq!(counts(&s), (1, 1, 0));
    // Without the session, the same bytes are a fine response.
    let mut o = Options::new(Direction::ServerToClient);
    o.quiet = true;
    let mut stateless = Summary::default();
    decode_stream(b"a1 OK hi\r\n", &o, &mut Vec::new(), &mut stateless).unwrap();
    assert_eq!((stateless.messages, stateless.errors), (1, 0));
}

#[test]
fn a_no_greeting_is_an_error_and_the_rest_is_decoded_without_the_client() {
    let (out, s) = replay(b"a1 NOOP\r\n", b"* NO go away\r\na1 OK hi\r\n");
    assert_eq!(
        reports(&out)[0],
        "0 error: not a greeting: expected OK, PREAUTH or BYE at stream offset 2: \"* NO go away\\r\\n\""
    );
    assert!(out.contains("      14 S: Status(StatusResponse { kind: Tagged { tag: Tag(b\"a1\")"));
    assert_eq!(counts(&s), (2, 1, 0));
}

#[test]
fn preauth_and_bye_greetings_start_the_server_as_recorded() {
    // After PREAUTH, SELECT is valid at once (both machines agree).
    let (out, s) = replay(
        b"a1 SELECT INBOX\r\n",
        b"* PREAUTH hi\r\n* 0 EXISTS\r\na1 OK [READ-WRITE] done\r\n",
    );
    assert_eq!(counts(&s), (4, 0, 0), "{out}");
    // After a BYE greeting, a command is a finding of its own.
    let (out, s) = replay(b"a1 NOOP\r\n", b"* BYE busy\r\n");
    assert_eq!(
        reports(&out),
        ["0 session: the client sent more after the BYE greeting ended the session"]
    );
    assert_eq!(counts(&s), (2, 0, 1));
}

#[test]
fn an_untagged_line_is_sasl_data_only_inside_authenticate() {
    // Outside an exchange `NOOP` is a command without a tag.
    let (out, s) = replay(b"NOOP\r\na1 NOOP\r\n", b"* OK hi\r\na1 OK done\r\n");
    assert_eq!(
        reports(&out),
        ["0 error: expected SP at stream offset 4: \"NOOP\\r\\n\""]
    );
    assert_eq!(counts(&s), (3, 1, 0));
    // The stateless decoder takes it for AUTHENTICATE data (`NOOP` is base64).
    let mut o = Options::new(Direction::ClientToServer);
    o.quiet = true;
    let mut stateless = Summary::default();
    decode_stream(b"NOOP\r\na1 NOOP\r\n", &o, &mut Vec::new(), &mut stateless).unwrap();
    assert_eq!((stateless.messages, stateless.errors), (2, 0));

    // Inside one (after the server's `+`), the same line is SASL data.
    let (out, s) = replay(
        b"a1 AUTHENTICATE PLAIN\r\nNOOP\r\n",
        b"* OK hi\r\n+ \r\na1 NO [AUTHENTICATIONFAILED] no\r\n",
    );
    assert!(out.contains("      23 C: Continue(<redacted>)"), "{out}");
    assert!(reports(&out).is_empty(), "{out}");
    assert_eq!(counts(&s), (5, 0, 0));
}

#[test]
fn the_exchange_lasts_as_many_lines_as_the_server_asked_for() {
    // SASL LOGIN: two challenges, two lines, then commands again.
    let (out, s) = replay(
        b"a1 AUTHENTICATE LOGIN\r\ndXNlcg==\r\ncGFzcw==\r\ncGFzcw==\r\na2 NOOP\r\n",
        b"* OK hi\r\n+ VXNlcm5hbWU6\r\n+ UGFzc3dvcmQ6\r\na1 OK in\r\na2 OK\r\n",
    );
    assert_eq!(out.matches(" C: Continue(<redacted>)").count(), 2, "{out}");
    // The third line comes after the tagged OK: not SASL data, and
    // redacted all the same (it follows AUTHENTICATE).
    assert_eq!(
        reports(&out),
        ["43 error: expected SP at stream offset 51: <redacted> (10 bytes)"]
    );
    assert!(!out.contains("cGFzcw"), "{out}");
    assert_eq!(counts(&s), (9, 1, 0));

    // With SASL-IR there is no exchange: the next line is not SASL data.
    let (out, s) = replay(
        b"a1 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==\r\nAGFsaWNlAHNlY3JldA==\r\na2 NOOP\r\n",
        b"* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hi\r\na1 OK yes\r\na2 OK\r\n",
    );
    assert_eq!(
        reports(&out),
        ["44 error: expected SP at stream offset 64: <redacted> (22 bytes)"]
    );
    assert!(!out.contains("AGFsaWNl"), "{out}");
    assert_eq!(counts(&s), (5, 1, 0));
}

#[test]
fn a_cancelled_exchange_replays_as_recorded() {
    let (out, s) = replay(
        b"a1 AUTHENTICATE PLAIN\r\n*\r\na2 LOGIN u p\r\n",
        b"* OK hi\r\n+ \r\na1 BAD cancelled\r\na2 OK\r\n",
    );
    assert!(out.contains("      23 C: Cancel"), "{out}");
    assert!(reports(&out).is_empty(), "{out}");
    assert_eq!(counts(&s), (7, 0, 0));
}

#[test]
fn done_is_recognised_only_during_idle() {
    let (out, s) = replay(
        b"a1 LOGIN u p\r\nDONE\r\na2 SELECT INBOX\r\na3 IDLE\r\nDONE\r\na4 IDLE\r\nNOOP\r\n",
        b"* OK hi\r\na1 OK\r\n* 1 EXISTS\r\na2 OK [READ-WRITE] x\r\n+ idling\r\n\
          * 2 EXISTS\r\na3 OK\r\n+ idling\r\na4 BAD expected DONE\r\n",
    );
    assert_eq!(
        reports(&out),
        [
            "14 error: expected SP at stream offset 18: \"DONE\\r\\n\"",
            "61 error: during IDLE, expected DONE: unexpected token at stream offset 61: \"NOOP\\r\\n\"",
        ]
    );
    assert!(out.contains("      46 C: DONE"), "{out}");
    assert_eq!(counts(&s), (5 + 9, 2, 0));
}

#[test]
fn the_server_refuses_what_the_recorded_server_accepted() {
    let (out, s) = replay(b"a1 SELECT INBOX\r\n", b"* OK hi\r\na1 OK done\r\n");
    assert_eq!(
        reports(&out),
        [
            "0 session: the Server answered a1 SELECT with BAD (Command not valid in this state) where the recorded server answered OK",
            "0 session: the Client ended a1: not sent: SELECT is not valid in state not authenticated",
        ]
    );
    assert_eq!(counts(&s), (3, 0, 2));
}

#[test]
fn the_client_reports_what_breaks_its_session() {
    let (out, s) = replay(
        b"a1 LOGIN u p\r\na2 SELECT INBOX\r\na3 FETCH 1 FLAGS\r\n",
        b"* OK hi\r\n+ go\r\na1 OK\r\n* 1 EXISTS\r\na2 OK [READ-WRITE] x\r\n\
          * 3 EXPUNGE\r\nzz OK what\r\na3 OK\r\n",
    );
    assert_eq!(
        reports(&out),
        [
            "9 session: the Client: continuation request while no command waits for one",
            // RFC 9051 §7.5.1: no EXPUNGE while a FETCH by sequence number runs.
            "56 session: the Client: EXPUNGE while responding to FETCH, STORE or SEARCH",
            "56 session: the Client: message 3 is beyond the mailbox size 1",
            "69 session: the Client: tagged response for a tag not in flight",
        ]
    );
    assert_eq!(counts(&s), (3 + 8, 0, 4));
}

#[test]
fn a_changed_answer_shows_in_both_directions() {
    // The recorded SELECT fails: what the client then sent in the
    // selected state is refused by the Server, and not sent by the Client.
    let responses = String::from_utf8_lossy(RESPONSES).replace(
        "a52 OK [READ-WRITE] Select completed",
        "a52 NO [READ-WRITE] Select completed",
    );
    let (out, s) = replay_chunked(COMMANDS, responses.as_bytes(), 4096);
    assert_eq!(s.errors, 0);
    let found = reports(&out);
    assert!(
        found[0].ends_with(
            "session: the Server answered a53 UID FETCH with BAD (Command not valid in this state) where the recorded server answered OK"
        ),
        "{found:?}"
    );
    assert!(
        found.iter().any(|l| l.ends_with(
            "session: the Client ended a54: not sent: FETCH is not valid in state authenticated"
        )),
        "{found:?}"
    );
    assert!(s.violations >= 2 * 20, "{}", s.violations);
}

#[test]
fn starttls_and_compress_end_the_replay() {
    let (out, s) = replay(
        b"a1 STARTTLS\r\n\x16\x03\x01\x00\x05hello",
        b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\na1 OK Begin TLS\r\n\x16\x03\x03garbage",
    );
    assert_eq!(
        reports(&out),
        [
            "13 note: STARTTLS succeeded: the remaining 10 bytes are not decoded",
            "58 note: STARTTLS succeeded: the remaining 10 bytes are not decoded",
        ]
    );
    assert_eq!(counts(&s), (3, 0, 0));
    let (out, s) = replay(
        b"a1 LOGIN u p\r\na2 COMPRESS DEFLATE\r\n\xfa\x00\x01",
        b"* OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] hi\r\na1 OK\r\na2 OK on\r\n\xfa\x00",
    );
    assert_eq!(
        reports(&out),
        [
            "35 note: COMPRESS succeeded: the remaining 3 bytes are not decoded",
            "66 note: COMPRESS succeeded: the remaining 2 bytes are not decoded",
        ]
    );
    assert_eq!(counts(&s), (5, 0, 0));
}

#[test]
fn commands_the_library_does_not_know_are_answered_as_recorded() {
    let (out, s) = replay(
        b"a1 LOGIN u p\r\na2 XYZZY foo\r\n",
        b"* OK hi\r\na1 OK\r\na2 OK fine\r\n",
    );
    assert!(
        out.contains("body: Other(OtherCommand { name: Atom(b\"XYZZY\")"),
        "{out}"
    );
    assert!(reports(&out).is_empty(), "{out}");
    assert_eq!(counts(&s), (5, 0, 0));
}

#[test]
fn credentials_never_print() {
    let (out, s) = replay(
        b"a1 LOGIN alice hunter2secret extra\r\na2 AUTHENTICATE PLAIN\r\n!hunter2secret!\r\n",
        b"* OK hi\r\na1 BAD syntax\r\n+ \r\na2 BAD not base64\r\n",
    );
    assert!(!out.contains("hunter2secret"), "{out}");
    assert!(!out.contains("alice"), "{out}");
    assert_eq!(
        reports(&out),
        [
            "0 error: expected CRLF at stream offset 28: <redacted> (36 bytes)",
            "59 error: in an AUTHENTICATE exchange: expected CRLF at stream offset 59: <redacted> (17 bytes)",
        ]
    );
    // The Server's and the Client's complaints about the same lines are
    // not counted twice.
    assert_eq!(counts(&s), (1 + 4, 2, 0));
}

#[test]
fn mangled_sessions_never_panic_and_chunking_does_not_matter() {
    // Cut both directions short, and flip bytes, at spread-out places.
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for round in 0..24 {
        let mut c = COMMANDS[..next(COMMANDS.len())].to_vec();
        let mut r = RESPONSES[..next(RESPONSES.len())].to_vec();
        if round % 2 == 1 {
            for _ in 0..4 {
                let i = next(c.len().max(1));
                if let Some(b) = c.get_mut(i) {
                    *b = next(256) as u8;
                }
                let i = next(r.len().max(1));
                if let Some(b) = r.get_mut(i) {
                    *b = next(256) as u8;
                }
            }
        }
        let chunk = 1 + next(300);
        let (out, s) = replay_chunked(&c, &r, chunk);
        assert!(!out.contains("secret"), "round {round}: password printed");
        assert_eq!(s.bytes, (c.len() + r.len()) as u64);
    }
}

#[test]
fn extensions_the_recorded_server_did_not_announce_are_findings() {
    // The Server offers what the recorded server announced: IDLE was not.
    let (out, s) = replay(
        b"a1 LOGIN u p\r\na2 IDLE\r\nDONE\r\n",
        b"* OK [CAPABILITY IMAP4rev1] hi\r\na1 OK\r\n+ idling\r\na2 OK\r\n",
    );
    assert_eq!(
        reports(&out),
        [
            "14 session: the Server answered a2 IDLE with BAD (Command not supported) where the recorded server answered OK",
            // Not idling for the Server, so `DONE` is not a command.
            "23 error: expected SP at stream offset 27: \"DONE\\r\\n\"",
        ]
    );
    // The Client forgot the greeting's capabilities at LOGIN (they change
    // with authentication) and did not ask again: it sends IDLE.
    assert_eq!(counts(&s), (2 + 4, 1, 1));
}
