//! The session-aware trace decoder (`imap-decode --session`, issue 13 item
//! 6), from an independent review (stop 29). Each test proves one finding
//! or one property; the four under "were bugs" failed before their fixes.

use imap_examples::trace::session::decode_session;
use imap_examples::trace::{decode_stream, Options, Summary};
use imapkit_codec::framer::Direction;

/// Replays a session whole, with the round trip on (and `quiet` as given).
fn run(commands: &[u8], responses: &[u8], quiet: bool, chunk: Option<usize>) -> (String, Summary) {
    let mut o = Options::new(Direction::ServerToClient);
    o.roundtrip = true;
    o.quiet = quiet;
    o.chunk = chunk;
    let mut out = Vec::new();
    let mut s = Summary::default();
    decode_session(commands, responses, &o, &mut out, &mut s).expect("write to a Vec");
    (String::from_utf8(out).expect("UTF-8 output"), s)
}

/// Replays a session whole and in every chunk size up to the longer
/// direction: the report must not depend on the chunking.
fn replay(commands: &[u8], responses: &[u8]) -> (String, Summary) {
    let (out, s) = run(commands, responses, false, None);
    for chunk in 1..=commands.len().max(responses.len()).max(1) {
        let (again, s2) = run(commands, responses, false, Some(chunk));
        assert_eq!(out, again, "chunk {chunk}");
        assert_eq!(s, s2, "chunk {chunk}");
    }
    (out, s)
}

/// Stateless decoding of one direction, with the round trip on.
fn stream(direction: Direction, input: &[u8], quiet: bool) -> (String, Summary) {
    let mut o = Options::new(direction);
    o.roundtrip = true;
    o.quiet = quiet;
    let mut out = Vec::new();
    let mut s = Summary::default();
    decode_stream(input, &o, &mut out, &mut s).expect("write to a Vec");
    (String::from_utf8(out).expect("UTF-8 output"), s)
}

/// The lines that report something (errors, findings, notes).
fn reports(out: &str) -> Vec<&str> {
    out.lines()
        .filter(|l| l.contains(" error: ") || l.contains(" session: ") || l.contains(" note: "))
        .map(str::trim_start)
        .collect()
}

/// The client-to-server part of the output.
fn client_part(out: &str) -> &str {
    let end = out.find("server to client").expect("both passes");
    &out[..end]
}

fn counts(s: &Summary) -> (u64, u64, u64) {
    (s.messages, s.errors, s.violations)
}

// ---- WERE BUGS -------------------------------------------------------------------

/// Was a bug. The library's Server frames the lines of an AUTHENTICATE exchange as
/// commands and refuses a literal announced in one: its data (which a
/// `{n+}` literal sends at once) is read and dropped, never run
/// (`imap-state/tests/server_sequencing.rs`,
/// `authenticate_line_non_sync_literal_data_is_never_executed`). The
/// session pass still puts its display framer in line mode during the
/// exchange (`server_pass.rs:127`), so it shows the literal's data as a
/// command the client sent (`x9 LOGOUT`), counts a second error for the
/// literal's trailing CRLF, enqueues `x9 LOGOUT` into the replayed Client
/// (which then holds back `a2`: a bogus finding), and counts no literal
/// bytes. The responses are exactly what the library's Server answers.
#[test]

fn bug_literal_in_place_of_an_authenticate_response_is_decoded_as_the_server_reads_it() {
    let (out, s) = replay(
        b"a1 AUTHENTICATE PLAIN\r\nb APPEND INBOX {11+}\r\nx9 LOGOUT\r\n\r\na2 NOOP\r\n",
        b"* OK hi\r\n+ \r\na1 BAD Expected an authentication response\r\na2 OK\r\n",
    );
    assert!(
        !client_part(&out).contains("Tag(b\"x9\")"),
        "literal data shown as a command:\n{out}"
    );
    // One error: the APPEND line with its literal, where a response belongs.
    assert_eq!(reports(&out).len(), 1, "{:?}\n{out}", reports(&out));
    assert!(reports(&out)[0].starts_with("23 error: in an AUTHENTICATE exchange"));
    // AUTHENTICATE and a2 NOOP; greeting, +, a1 BAD, a2 OK.
    assert_eq!(counts(&s), (2 + 4, 1, 0), "{out}");
    assert_eq!(s.literal_bytes, 11, "{out}");
}

/// Was a bug. A synchronizing literal the Server refuses (no `+`: here SELECT before
/// login) means the client must not send its data; the Server reads what
/// follows as commands (RFC 9051 §4.3; the framer's `reject_literal`) and
/// runs `a2 LOGOUT`. The session pass never mirrors the refusal
/// (`server_pass.rs:109-116` ignores `LiteralAnnounced`, never calls
/// `reject_literal`), so it shows `a2 LOGOUT` as SELECT's mailbox name and
/// says nothing of the LOGOUT the Server ran. The same happens to a
/// refused LOGIN literal (the Server's "syntax error" finding then points
/// inside what the output shows as a2's literal) and during IDLE
/// (`b APPEND INBOX {9}` in place of DONE hides the command after it).
#[test]

fn bug_data_after_a_refused_synchronizing_literal_is_decoded_as_commands() {
    let (out, s) = replay(
        b"a1 SELECT {9}\r\na2 LOGOUT\r\n",
        b"* OK hi\r\na1 BAD Command not valid in this state\r\n* BYE Logging out\r\na2 OK LOGOUT completed\r\n",
    );
    let client = client_part(&out);
    assert!(
        !client.contains("data: b\"a2 LOGOUT\""),
        "a command shown as a literal:\n{out}"
    );
    assert!(
        client.contains("      15 C: Command { tag: Tag(b\"a2\"), body: Logout }"),
        "{out}"
    );
    assert_eq!(s.literal_bytes, 0, "{out}");

    // During IDLE: the Server refuses the literal, ends IDLE and runs a4.
    let (out, _) = replay(
        b"a1 LOGIN u p\r\na3 IDLE\r\nb APPEND INBOX {9}\r\na4 LOGOUT\r\n",
        b"* OK hi\r\na1 OK\r\n+ idling\r\na3 BAD Expected DONE\r\n* BYE Logging out\r\na4 OK LOGOUT completed\r\n",
    );
    assert!(
        client_part(&out).contains("C: Command { tag: Tag(b\"a4\"), body: Logout }"),
        "{out}"
    );
}

/// Was a bug. README: "Both directions stop at a STARTTLS or COMPRESS that
/// succeeded". The session pass stops where the replayed Server's own
/// answer is OK (`server_pass.rs:466` `StartTlsReady`, `:573` COMPRESS
/// judged by the Server's status): the Server always accepts STARTTLS
/// (`config.starttls = true`, `:166`) and COMPRESS when announced, so when
/// the recorded server refused, the plaintext that follows (a LOGIN, here)
/// is never decoded, and its recorded answers become "tag not in flight"
/// findings in the other direction.
#[test]

fn bug_a_refused_starttls_or_compress_does_not_end_the_replay() {
    let (out, _) = replay(
        b"a1 STARTTLS\r\na2 LOGIN u p\r\na3 NOOP\r\n",
        b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\na1 NO TLS unavailable\r\na2 OK\r\na3 OK\r\n",
    );
    assert!(!out.contains("STARTTLS succeeded"), "{out}");
    assert!(client_part(&out).contains("body: Noop"), "{out}");
    assert!(!out.contains("tag not in flight"), "{out}");

    let (out, _) = replay(
        b"a1 LOGIN u p\r\na2 COMPRESS DEFLATE\r\na3 NOOP\r\n",
        b"* OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] hi\r\na1 OK\r\na2 NO [COMPRESSIONACTIVE] no\r\na3 OK\r\n",
    );
    assert!(!out.contains("COMPRESS succeeded"), "{out}");
    assert!(client_part(&out).contains("body: Noop"), "{out}");
    assert!(!out.contains("tag not in flight"), "{out}");
}

/// Was a bug. "Secrets never appear in its output": a LOGIN whose words are separated
/// by a tab does not decode, and its raw bytes are printed in clear,
/// password included, because `may_hold_credentials`
/// (`imap-proto/src/lex/scan.rs:52`) splits words on `' '` and `'\r'` only
/// (so `LOGIN\talice` is not the word LOGIN). Same for `a1
/// LOGIN"alice" "pw"`. Both in `--session` and in stateless `--commands`.
#[test]

fn bug_a_login_with_a_tab_separator_prints_its_password() {
    let (out, s) = run(
        b"a1 LOGIN\talice hunter2secret\r\n",
        b"* OK hi\r\na1 BAD syntax\r\n",
        false,
        None,
    );
    assert_eq!(s.errors, 1, "{out}");
    assert!(!out.contains("hunter2secret"), "password printed:\n{out}");
    for input in [
        &b"a1 LOGIN\talice hunter2secret\r\n"[..],
        b"a1 LOGIN\"alice\" \"hunter2secret\"\r\n",
    ] {
        let (out, _) = stream(Direction::ClientToServer, input, true);
        assert!(!out.contains("hunter2secret"), "password printed:\n{out}");
    }
}

// ---- PROPERTIES THAT HOLD ---------------------------------------------------

#[test]
fn the_first_server_message_is_judged_as_a_greeting() {
    for (responses, reason) in [
        (
            &b"a1 OK hi\r\n"[..],
            "unexpected character at stream offset 0",
        ),
        (b"* NO go away\r\n", "expected OK, PREAUTH or BYE"),
        (b"* BAD what\r\n", "expected OK, PREAUTH or BYE"),
        (b"* 1 EXISTS\r\n", "not a greeting"),
        (b"+ hi\r\n", "not a greeting"),
    ] {
        let mut responses = responses.to_vec();
        responses.extend_from_slice(b"a1 OK\r\n");
        let (out, s) = replay(b"a1 NOOP\r\n", &responses);
        let r = reports(&out);
        assert!(
            r[0].starts_with("0 error: not a greeting: ") && r[0].contains(reason),
            "{r:?}"
        );
        assert_eq!(s.errors, 1, "{out}");
    }
    for (responses, kind) in [
        (&b"* OK hi\r\na1 OK\r\n"[..], "Ok"),
        (b"* ok hi\r\na1 ok\r\n", "Ok"),
        (b"* PREAUTH hi\r\na1 OK\r\n", "PreAuth"),
    ] {
        let (out, s) = replay(b"a1 NOOP\r\n", responses);
        assert!(
            out.contains(&format!("       0 S: Greeting {{ kind: {kind}")),
            "{out}"
        );
        assert_eq!((s.errors, s.violations), (0, 0), "{out}");
    }
}

/// Doubt (not counted as a bug): a response stream with no message at all
/// has no greeting, and that is not an error; only the unanswered command
/// is a finding.
#[test]
fn doubt_an_empty_response_stream_is_not_a_missing_greeting_error() {
    let (out, s) = replay(b"a1 NOOP\r\n", b"");
    assert_eq!(
        reports(&out),
        ["0 session: the recorded server never answered a1 NOOP"]
    );
    assert_eq!(counts(&s), (1, 0, 1));
}

#[test]
fn authenticate_lines_are_sasl_data_only_inside_the_exchange() {
    // An empty response is SASL data (redacted).
    let (out, s) = replay(
        b"a1 AUTHENTICATE PLAIN\r\n\r\na2 NOOP\r\n",
        b"* OK hi\r\n+ \r\na1 NO bad\r\na2 OK\r\n",
    );
    assert!(out.contains("      23 C: Continue(<redacted>)"), "{out}");
    assert_eq!(counts(&s), (3 + 4, 0, 0), "{out}");
    // An empty SASL-IR (`=`): no exchange.
    let (out, s) = replay(
        b"a1 AUTHENTICATE PLAIN =\r\na2 NOOP\r\n",
        b"* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hi\r\na1 OK\r\na2 OK\r\n",
    );
    assert_eq!(counts(&s), (2 + 3, 0, 0), "{out}");
    // A command line sent where a response is expected: an error, hidden
    // (it stands where a secret belongs), and not run.
    let (out, s) = replay(
        b"a1 AUTHENTICATE PLAIN\r\na2 NOOP\r\na3 NOOP\r\n",
        b"* OK hi\r\n+ \r\na1 BAD no\r\na3 OK\r\n",
    );
    assert_eq!(
        reports(&out),
        ["23 error: in an AUTHENTICATE exchange: expected CRLF at stream offset 25: <redacted> (9 bytes)"]
    );
    assert!(!client_part(&out).contains("Tag(b\"a2\")"), "{out}");
    assert_eq!(counts(&s), (2 + 4, 1, 0), "{out}");
    // `*` then a response line after the exchange ended: hidden error.
    let (out, s) = replay(
        b"a1 AUTHENTICATE PLAIN\r\n*\r\nAGFsaWNlAGh1bnRlcjJzZWNyZXQ=\r\na2 NOOP\r\n",
        b"* OK hi\r\n+ \r\na1 BAD cancelled\r\na2 OK\r\n",
    );
    assert!(out.contains("      23 C: Cancel"), "{out}");
    assert_eq!(
        reports(&out),
        ["26 error: expected SP at stream offset 54: <redacted> (30 bytes)"]
    );
    assert!(!out.contains("AGFsaWNl"), "{out}");
    assert_eq!(counts(&s), (3 + 4, 1, 0), "{out}");
}

#[test]
fn done_is_read_only_during_idle_case_insensitively() {
    let (out, s) = replay(
        b"a1 LOGIN u p\r\na3 IDLE\r\ndone\r\na4 NOOP\r\n",
        b"* OK hi\r\na1 OK\r\n+ idling\r\na3 OK\r\na4 OK\r\n",
    );
    assert!(out.contains("      23 C: DONE"), "{out}");
    assert_eq!(counts(&s), (4 + 5, 0, 0), "{out}");
    // A tagged command in place of DONE: an error, and the Server's own
    // violation about it is not counted twice.
    let (out, s) = replay(
        b"a1 LOGIN u p\r\na3 IDLE\r\na4 NOOP\r\na5 NOOP\r\n",
        b"* OK hi\r\na1 OK\r\n+ idling\r\na3 BAD Expected DONE\r\na5 OK\r\n",
    );
    assert_eq!(
        reports(&out),
        ["23 error: during IDLE, expected DONE: unexpected token at stream offset 23: \"a4 NOOP\\r\\n\""]
    );
    assert_eq!(counts(&s), (3 + 5, 1, 0), "{out}");
}

/// During IDLE the session pass frames as the Server does (no line mode):
/// a `{n+}` literal in place of DONE is one message with its data, and the
/// data is never shown as a command (contrast with the AUTHENTICATE bug).
#[test]
fn a_non_sync_literal_in_place_of_done_is_one_message_as_for_the_server() {
    let (out, s) = replay(
        b"a1 LOGIN u p\r\na3 IDLE\r\nb APPEND INBOX {11+}\r\nx9 LOGOUT\r\n\r\na4 NOOP\r\n",
        b"* OK hi\r\na1 OK\r\n+ idling\r\na3 BAD Expected DONE\r\na4 OK\r\n",
    );
    assert!(!client_part(&out).contains("Tag(b\"x9\")"), "{out}");
    assert_eq!(reports(&out).len(), 1, "{out}");
    assert!(reports(&out)[0].starts_with("23 error: during IDLE, expected DONE"));
    assert_eq!(counts(&s), (3 + 5, 1, 0), "{out}");
}

/// Doubt (documented: "Both directions stop at a STARTTLS ... that
/// succeeded"): plaintext after a successful STARTTLS, in either direction,
/// is only a note; it is not flagged as injection. A recording has no
/// packet boundaries, so the TLS handshake cannot be told from injected
/// plaintext by position; here it could by content (an IMAP line, not a
/// TLS record starting 0x16).
#[test]
fn doubt_plaintext_after_starttls_is_noted_not_flagged() {
    let (out, s) = replay(
        b"a1 STARTTLS\r\na2 LOGIN u hunter2secret\r\n",
        b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\na1 OK go\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n",
    );
    assert_eq!(
        reports(&out),
        [
            "13 note: STARTTLS succeeded: the remaining 26 bytes are not decoded",
            "51 note: STARTTLS succeeded: the remaining 49 bytes are not decoded",
        ]
    );
    assert_eq!(counts(&s), (3, 0, 0));
    assert!(!out.contains("hunter2secret"));
}

#[test]
fn literals_sync_and_non_sync_replay_cleanly_and_hide_passwords() {
    let (out, s) = replay(
        b"a1 LOGIN alice {13}\r\nhunter2secret\r\na2 SELECT INBOX\r\na3 FETCH 1 BODY[]\r\n\
          a4 APPEND INBOX {5+}\r\nhello\r\n",
        b"* OK hi\r\n+ go\r\na1 OK\r\n* 1 EXISTS\r\na2 OK [READ-WRITE] x\r\n\
          * 1 FETCH (BODY[] {5}\r\nhello)\r\na3 OK\r\na4 OK\r\n",
    );
    assert_eq!((s.errors, s.violations, s.mismatches), (0, 0, 0), "{out}");
    assert_eq!(s.messages, 4 + 8);
    assert_eq!(s.literal_bytes, 13 + 5 + 5);
    assert!(!out.contains("hunter2secret"), "{out}");
}

#[test]
fn findings_and_errors_carry_the_offsets_of_their_messages() {
    let (out, _) = replay(
        b"a1 NOOP\r\nNOOP\r\na2 SELECT INBOX\r\n",
        b"* OK hi\r\na1 OK\r\na2 OK done\r\nzz OK\r\n",
    );
    assert_eq!(
        reports(&out),
        [
            "9 error: expected SP at stream offset 13: \"NOOP\\r\\n\"",
            "15 session: the Server answered a2 SELECT with BAD (Command not valid in this state) where the recorded server answered OK",
            "9 session: the Client ended a2: not sent: SELECT is not valid in state not authenticated",
            "28 session: the Client: tagged response for a tag not in flight",
        ]
    );
}

/// Secrets (LOGIN passwords quoted or in literals, AUTHENTICATE PLAIN and
/// XOAUTH2 data, with SASL-IR or in the exchange, XOAUTH2's error round)
/// never print: in --session, quiet or not, with the round trip, and in
/// stateless --commands decoding.
#[test]
fn secrets_never_print_in_any_mode() {
    // base64("\0alice\0hunter2secret") and an XOAUTH2 bearer token.
    let plain = "AGFsaWNlAGh1bnRlcjJzZWNyZXQ=";
    let xoauth = "dXNlcj1hbGljZQFhdXRoPUJlYXJlciB5YTI5LnRva2Vuc2VjcmV0AQE=";
    let commands = format!(
        "a1 LOGIN alice \"hunter2secret\"\r\n\
         a2 LOGIN alice {{13}}\r\nhunter2secret\r\n\
         a3 AUTHENTICATE PLAIN {plain}\r\n\
         a4 AUTHENTICATE PLAIN\r\n{plain}\r\n\
         a5 AUTHENTICATE XOAUTH2 {xoauth}\r\n\r\n\
         a6 AUTHENTICATE XOAUTH2\r\n{xoauth}\r\n\
         a7 LOGIN alice hunter2secret extra\r\n"
    );
    let responses = "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=XOAUTH2] hi\r\n\
         a1 NO no\r\n+ go\r\na2 NO no\r\na3 NO no\r\n+ \r\na4 NO no\r\n\
         + eyJzdGF0dXMiOiI0MDEifQ==\r\na5 NO no\r\n+ \r\na6 NO no\r\na7 BAD no\r\n";
    let secrets = ["hunter2secret", "AGFsaWNl", "dXNlcj1h", "tokensecret"];
    for quiet in [false, true] {
        let (out, s) = run(commands.as_bytes(), responses.as_bytes(), quiet, None);
        for secret in secrets {
            assert!(!out.contains(secret), "{secret} printed:\n{out}");
        }
        assert_eq!((s.errors, s.violations), (1, 0), "{out}");
        assert!(out.contains("<redacted> (36 bytes)"), "{out}");
        let (out, s) = stream(Direction::ClientToServer, commands.as_bytes(), quiet);
        for secret in secrets {
            assert!(!out.contains(secret), "{secret} printed:\n{out}");
        }
        assert_eq!(s.errors, 1, "{out}");
    }
    // The same whatever the chunking.
    replay(commands.as_bytes(), responses.as_bytes());
}
