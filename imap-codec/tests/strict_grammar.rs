//! Strictness and error offsets (response and command decoders, framer
//! agreement), from an independent review (stop 29).
//!
//! Tests whose doc starts "Was a bug:" assert the behaviour the grammar
//! (and the README's promise) asks for, which the code did not give when
//! the review was written (each names the cause that was fixed). The other
//! tests check properties that held already.
//!
//! Offsets follow the convention of `strict.rs`: a `DecodeError`'s offset
//! is relative to the decoder's input (for a frame: to the frame's first
//! byte) and points at the first byte of the token that breaks the grammar.

use imapkit_codec::decode::{command, response, Quirks, ResponseDecoder};
use imapkit_codec::framer::{Direction, Frame, FrameEvent, Framer, FramerConfig, Lent};
use imapkit_codec::{DecodeError, Decoded, Encode};
use imapkit_proto::{CommandBody, Data, FetchModifier, Response, ResponseCode, SelectParameter};
use proptest::prelude::*;

/// Decodes a whole response with the default (lenient) decoder.
fn decode_response(input: &[u8]) -> Result<(Response<'_>, Quirks), DecodeError> {
    match ResponseDecoder::default().decode_with_quirks(input) {
        (Ok(Decoded::Complete { message, consumed }), q) => {
            assert_eq!(consumed, input.len(), "{}", input.escape_ascii());
            Ok((message, q))
        }
        (Err(e), _) => Err(e),
        (Ok(other), _) => panic!("{}: {other:?}", input.escape_ascii()),
    }
}

fn response_error(input: &[u8]) -> DecodeError {
    match response(input) {
        Err(e) => e,
        Ok(d) => panic!("{} decoded: {d:?}", input.escape_ascii()),
    }
}

fn command_error(input: &[u8]) -> DecodeError {
    match command(input) {
        Err(e) => e,
        Ok(d) => panic!("{} decoded: {d:?}", input.escape_ascii()),
    }
}

fn crlf(line: &str) -> Vec<u8> {
    let mut b = line.as_bytes().to_vec();
    b.extend_from_slice(b"\r\n");
    b
}

/// The frames (and only the frames) of `stream`, pushed in one piece.
fn frames(config: FramerConfig, stream: &[u8]) -> Vec<Frame> {
    let mut framer = Framer::new(config);
    framer.push(stream);
    let mut out = Vec::new();
    while let Some(ev) = framer.poll_event() {
        if let FrameEvent::Frame(f) = ev {
            out.push(f);
        }
    }
    out
}

// --- Bugs ---------------------------------------------------------------------

/// Was a bug: RFC 7162 §7: `expunged-resp = "VANISHED" [SP "(EARLIER)"] SP known-uids`,
/// `known-uids = sequence-set ;; Sequence of UIDs; "*" is not allowed.`
/// `$` (RFC 5182's `seq-last-command`) names the client's saved search
/// result: a server never sends it. Cause: `data.rs` `vanished` reads a
/// general `sequence_set` (which admits `*` and `$`).
#[test]
fn vanished_refuses_asterisk_and_dollar() {
    for (line, at) in [
        ("* VANISHED 1:*", 13),
        ("* VANISHED *", 11),
        ("* VANISHED (EARLIER) 1,3:*", 25),
        ("* VANISHED $", 11),
    ] {
        let b = crlf(line);
        match decode_response(&b) {
            Err(e) => assert_eq!(e.offset, at, "{line}: {e}"),
            Ok((r, _)) => panic!("{line} decoded: {r:?}"),
        }
    }
}

/// Was a bug: RFC 9051 §9 (and RFC 4315 §4): `resp-code-apnd = "APPENDUID" SP
/// nz-number SP append-uid`, `append-uid = uniqueid` (`/ uid-set` with
/// MULTIAPPEND), `resp-code-copy = "COPYUID" SP nz-number SP uid-set SP
/// uid-set`, `uid-set = (uniqueid / uid-range) *("," uid-set)`,
/// `uniqueid = nz-number`: neither `*` nor `$`. A known code whose
/// arguments break its grammar is kept as `ResponseCode::Other` with
/// `CODE_ARGUMENTS` (strict.rs, QUIRKS.md rows 36 and 55), as
/// `[APPENDUID 0 1]` already is. Cause: `code.rs` `known` reads the UIDs
/// with the general `sequence_set`.
#[test]
fn uid_set_codes_refuse_asterisk_and_dollar() {
    for line in [
        "* OK [APPENDUID 1 *] x",
        "* OK [APPENDUID 1 1:*] x",
        "* OK [APPENDUID 1 $] x",
        "a1 OK [COPYUID 1 1:* 2:3] x",
        "a1 OK [COPYUID 1 $ 2] x",
        "a1 OK [COPYUID 1 1 *] x",
    ] {
        let b = crlf(line);
        let (r, q) = decode_response(&b).unwrap();
        let Response::Status(s) = &r else {
            panic!("{line}: {r:?}")
        };
        assert!(
            matches!(s.code(), Some(ResponseCode::Other(_))),
            "{line}: {:?}",
            s.code()
        );
        assert!(q.contains(Quirks::CODE_ARGUMENTS), "{line}: {q:?}");
    }
}

/// Was a doubt of stop 29: RFC 5182 adds `$` (`seq-last-command`) to the
/// sequence sets of commands only; a server's `[MODIFIED]` (RFC 7162 §7)
/// and ESEARCH's `ALL` and `PARTIAL` results (RFC 4731 §3, RFC 9394 §4)
/// never hold it. `*` is in their grammar (`sequence-set`) and stays.
/// `[MODIFIED $]` is kept as `ResponseCode::Other` like any known code
/// whose arguments break its grammar; an ESEARCH is an error at the `$`.
#[test]
fn server_sequence_sets_refuse_dollar() {
    let b = crlf("a1 OK [MODIFIED $] conditional STORE failed");
    let (r, q) = decode_response(&b).unwrap();
    let Response::Status(s) = &r else {
        panic!("{r:?}")
    };
    assert!(matches!(s.code(), Some(ResponseCode::Other(_))), "{r:?}");
    assert!(q.contains(Quirks::CODE_ARGUMENTS), "{q:?}");
    let b = crlf("a1 OK [MODIFIED 7,9:*] conditional STORE failed");
    let (r, q) = decode_response(&b).unwrap();
    let Response::Status(s) = &r else {
        panic!("{r:?}")
    };
    assert!(matches!(s.code(), Some(ResponseCode::Modified(_))), "{r:?}");
    assert!(q.is_empty(), "{q:?}");
    for (line, at) in [
        ("* ESEARCH (TAG \"a1\") UID ALL $", 29),
        ("* ESEARCH (TAG \"a1\") UID PARTIAL (1:10 $)", 39),
    ] {
        match decode_response(&crlf(line)) {
            Err(e) => assert_eq!(e.offset, at, "{line}: {e}"),
            Ok((r, _)) => panic!("{line} decoded: {r:?}"),
        }
    }
    for line in [
        "* ESEARCH (TAG \"a1\") UID ALL 1:3,5",
        "* ESEARCH (TAG \"a1\") UID PARTIAL (1:10 1:3,5)",
    ] {
        assert!(decode_response(&crlf(line)).is_ok(), "{line}");
    }
}

/// Was a bug: RFC 9051 §9: `esearch-response = "ESEARCH" [search-correlator] [SP
/// "UID"] *(SP search-return-data)`: the correlator first, `UID` at most
/// once and before the data. Cause: `data.rs` `esearch` loops over the
/// three in any order (the `(TAG` branch only checks `tag.is_none()`,
/// the `UID` branch nothing).
#[test]
fn esearch_keeps_its_order() {
    for (line, misplaced) in [
        ("* ESEARCH COUNT 3 UID", 18),
        ("* ESEARCH UID (TAG \"a\") COUNT 3", 13),
        ("* ESEARCH UID UID COUNT 3", 14),
        ("* ESEARCH COUNT 3 (TAG \"a\")", 18),
    ] {
        let b = crlf(line);
        match decode_response(&b) {
            Err(e) => assert!(e.offset >= misplaced, "{line}: {e}"),
            Ok((r, _)) => panic!("{line} decoded: {r:?}"),
        }
    }
}

/// Was a bug: RFC 5256 §5: `thread-list = "(" (thread-members / thread-nested) ")"`,
/// `thread-members = nz-number *(SP nz-number) [SP thread-nested]`: a
/// thread list is never empty, and a SP comes before nested lists. Cause:
/// `data.rs` `thread_list` returns on `)` whatever it holds, and reads a
/// `(` after a number without the SP.
#[test]
fn thread_lists_keep_their_grammar() {
    let e = response_error(b"* THREAD ()\r\n");
    assert!((9..=10).contains(&e.offset), "{e}");
    let e = response_error(b"* THREAD (1 (2)())\r\n");
    assert!((15..=16).contains(&e.offset), "{e}");
    // No SP before the nested lists: an error or a named quirk.
    match decode_response(b"* THREAD (1 2(3)(4))\r\n") {
        Err(e) => assert_eq!(e.offset, 13, "{e}"),
        Ok((_, q)) => assert!(!q.is_empty(), "accepted without a quirk"),
    }
    // Spaces inside a list that the old loop skipped anywhere.
    for (line, at) in [
        ("* THREAD ( 1)", 10),
        ("* THREAD (1 )", 11),
        ("* THREAD ((1) )", 13),
    ] {
        let e = response_error(&crlf(line));
        assert_eq!(e.offset, at, "{line}: {e}");
    }
    // Kept, as the named EXTRA_SPACE quirk (QUIRKS.md row 100): a SP
    // between nested lists, as go-imap v1 servers with go-imap-sortthread
    // write them, and between top-level lists (RFC 5256's wrapped examples).
    for (line, canonical) in [
        (
            "* THREAD (2) (3 6 (4 23) (44 7 96))",
            "* THREAD (2)(3 6 (4 23)(44 7 96))",
        ),
        ("* THREAD ((3) (5))", "* THREAD ((3)(5))"),
    ] {
        let (b, c) = (crlf(line), crlf(canonical));
        let (r, q) = decode_response(&b).unwrap();
        assert_eq!(q, Quirks::EXTRA_SPACE, "{line}");
        assert_eq!(r.to_vec(), c, "{line}");
        let (again, q) = decode_response(&c).unwrap();
        assert_eq!((again, q), (r.clone(), Quirks::NONE), "{line}");
        // Every strict prefix is incomplete.
        for k in 0..b.len() {
            assert!(
                matches!(response(&b[..k]), Ok(Decoded::Incomplete)),
                "{}",
                b[..k].escape_ascii()
            );
        }
    }
}

/// Was a bug: RFC 7162 §7: `search-sort-mod-seq = "(" "MODSEQ" SP mod-sequence-value
/// ")"`, `mod-sequence-value` 1 to 2^63-1; ESEARCH's `"MODSEQ" SP
/// mod-sequence-value` likewise. The same 0 in FETCH's `MODSEQ (0)` and
/// `[HIGHESTMODSEQ 0]` is a named quirk (`ZERO_NUMBER`, QUIRKS.md rows
/// 51-52); here it is accepted without one. Cause: `data.rs`
/// `search_parts` and `search_return_data` read `number64` with no check.
#[test]
fn zero_mod_sequence_in_search_results_is_an_error_or_a_quirk() {
    for (line, at) in [
        ("* SEARCH 1 (MODSEQ 0)", 19),
        ("* SORT 1 (MODSEQ 0)", 17),
        ("* ESEARCH (TAG \"a\") MODSEQ 0", 27),
    ] {
        let b = crlf(line);
        match decode_response(&b) {
            Err(e) => assert_eq!(e.offset, at, "{line}: {e}"),
            Ok((_, q)) => assert!(q.contains(Quirks::ZERO_NUMBER), "{line}: {q:?}"),
        }
    }
}

/// Was a bug: RFC 7162 §7: `mailbox-data =/ "SEARCH" [1*(SP nz-number) SP
/// search-sort-mod-seq]`, `sort-data = "SORT" [1*(SP nz-number) SP
/// search-sort-mod-seq]`: the MODSEQ comes only after at least one
/// number. Cause: `data.rs` `search_parts` reads `(MODSEQ n)` after an
/// empty list of numbers. (The error is at the `(`: byte 9 after
/// `SEARCH`, byte 7 after `SORT`; the review's range `8..` was SEARCH's
/// and missed SORT's shorter name.)
#[test]
fn search_modseq_needs_a_number() {
    for (line, at) in [("* SEARCH (MODSEQ 5)", 9), ("* SORT (MODSEQ 5)", 7)] {
        let b = crlf(line);
        let e = response_error(&b);
        assert_eq!(e.offset, at, "{line}: {e}");
    }
    // With a number first it is valid.
    for line in ["* SEARCH 2 (MODSEQ 5)", "* SORT 2 (MODSEQ 5)"] {
        let (_, q) = decode_response(&crlf(line)).unwrap();
        assert!(q.is_empty(), "{line}: {q:?}");
    }
}

/// Was a bug: RFC 7162 §7: `known-uids`, `known-sequence-set`, `known-uid-set`:
/// "`*` is not allowed", in QRESYNC's `select-param`. The command decoder
/// (run by a server) is strict. Cause: `command/mod.rs` `select_param`
/// reads them with the general `sequence_set`.
#[test]
fn qresync_refuses_asterisk() {
    for (line, at) in [
        ("a1 SELECT INBOX (QRESYNC (1 1 1:*))", 32),
        ("a1 SELECT INBOX (QRESYNC (1 1 *))", 30),
        ("a1 SELECT INBOX (QRESYNC (1 1 1:5 (1:* 3:4)))", 37),
        ("a1 SELECT INBOX (QRESYNC (1 1 1:5 (1:2 3:*)))", 41),
    ] {
        let b = crlf(line);
        match command(&b) {
            Err(e) => assert_eq!(e.offset, at, "{line}: {e}"),
            Ok(d) => panic!("{line} decoded: {d:?}"),
        }
    }
}

/// Was a bug: RFC 7162 §7: `rexpunges-fetch-mod = "VANISHED" ;; ... It is only
/// allowed in the UID FETCH command.` Cause: `command/fetch.rs`
/// `fetch_modifier` does not know whether the FETCH is a UID FETCH.
#[test]
fn vanished_modifier_only_in_uid_fetch() {
    let e = command_error(b"a1 FETCH 1 (FLAGS) (CHANGEDSINCE 1 VANISHED)\r\n");
    assert_eq!(e.offset, 35, "{e}");
}

/// Was a bug: `Frame::decode_response` said: "Error offsets are relative
/// to the frame; add `Frame::offset` for the position in the stream". For a
/// frame whose literals were streamed (`stream_literals_above`) the
/// literal's data is not in `bytes`, so every error after it landed that
/// many bytes early in the stream. Fixed: the frame records where each
/// streamed literal's data was left out, and `Frame::stream_offset` (and
/// `FrameRef::stream_offset`) map a frame offset to the stream offset; the
/// docs of `Frame::decode_response` say so.
#[test]
fn error_offsets_after_a_streamed_literal_point_into_the_stream() {
    let stream = b"* 1 EXISTS\r\n* 1 FETCH (BODY[] {10}\r\n0123456789 UID 0)\r\n";
    let mut config = FramerConfig::new(Direction::ServerToClient);
    config.stream_literals_above = Some(4);
    let f = frames(config.clone(), stream);
    assert_eq!(f.len(), 2);
    assert_eq!(f[1].streamed_literals, 1);
    let e = f[1].decode_response().unwrap_err();
    let at = f[1].stream_offset(e.offset) as usize;
    assert_eq!(stream[at], b'0', "stream byte {at} ({e})");
    assert_eq!(&stream[at..at + 2], b"0)");
    // Bytes before the literal's data map as `offset + at`.
    assert_eq!(f[1].stream_offset(0), f[1].offset);
    let header_end = f[1].bytes.iter().position(|&b| b == b'\n').unwrap();
    assert_eq!(
        f[1].stream_offset(header_end),
        f[1].offset + header_end as u64
    );
    // The same through a lent frame.
    let mut framer = Framer::new(config.clone());
    framer.push(stream);
    let mut lent = Vec::new();
    while let Some(l) = framer.poll_lent() {
        if let Lent::Frame(f) = l {
            let e = f.decode_response().err();
            lent.push(e.map(|e| f.stream_offset(e.offset)));
        }
    }
    assert_eq!(lent, [None, Some(at as u64)]);

    // Two streamed literals, the error after both; in commands too.
    let stream = b"a1 LOGIN {5}\r\nalice {6}\r\nsecret x\r\n";
    let mut config = FramerConfig::new(Direction::ClientToServer);
    config.stream_literals_above = Some(4);
    let f = frames(config, stream);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].streamed_literals, 2);
    let e = f[0].decode_command().unwrap_err();
    let at = f[0].stream_offset(e.offset) as usize;
    assert_eq!(&stream[at..], b" x\r\n", "{e}");
}

// --- Properties that hold -----------------------------------------------------

/// Every known response name, broken: an error at the offending token, not
/// `Data::Other` (README "Real servers' quirks"; `strict.rs`).
#[test]
fn known_responses_that_break_their_grammar_are_errors_at_the_right_byte() {
    let cases: &[(&str, usize)] = &[
        ("* 1 EXISTS x", 11),
        ("* 1 RECENT x", 11),
        ("* 1 EXPUNGE x", 12),
        ("* 4294967296 FETCH (UID 1)", 2),
        ("* 1 FETCH (UID 1)x", 17),
        ("* 1 FETCH (UID 1 ", 17),
        ("* 1 FETCH (BODY[0] \"x\")", 16),
        ("* 1 FETCH (BINARY[0] \"x\")", 18),
        ("* 1 FETCH (BODY[]<4294967296> \"x\")", 18),
        ("* 1 FETCH (BODY[MIME] \"x\")", 16),
        ("* 1 FETCH (X-FOO[1] x)", 16),
        (
            "* 1 FETCH (INTERNALDATE \"01-Jan-2020 24:00:00 +0000\")",
            24,
        ),
        ("* FLAGS (\\Seen) x", 16),
        ("* LIST () \"/\"", 13),
        ("* LIST () \"ab\" INBOX", 10),
        ("* LSUB () \"/\" INBOX x", 20),
        ("* STATUS INBOX (MESSAGES 4294967296)", 25),
        ("* STATUS INBOX (MESSAGES x)", 25),
        ("* SEARCH *", 9),
        ("* SEARCH 4294967296", 9),
        ("* SORT 0", 7),
        ("* SORT 1 x", 9),
        ("* ESEARCH MIN 0", 14),
        ("* ESEARCH COUNT 4294967296", 16),
        ("* ESEARCH (TAG \"a\") UID COUNT x", 30),
        ("* CAPABILITY", 12),
        ("* CAPABILITY IMAP4rev1 (", 23),
        ("* ENABLED (x)", 10),
        ("* NAMESPACE NIL NIL", 19),
        ("* NAMESPACE ((\"\" \"/\")) NIL NIL x", 31),
        ("* ACL INBOX fred", 16),
        ("* MYRIGHTS INBOX", 16),
        ("* MYRIGHTS INBOX x y", 19),
        ("* LISTRIGHTS INBOX fred", 23),
        ("* QUOTA root (STORAGE 1)", 23),
        ("* QUOTAROOT", 11),
        ("* QUOTAROOT INBOX (x)", 18),
        ("* METADATA INBOX ()", 17),
        ("* METADATA INBOX (/a)", 20),
        ("* ID (\"a\")", 9),
        ("* ID x", 5),
        ("* VANISHED 0", 11),
        ("* VANISHED 1,", 13),
        ("* THREAD (0)", 10),
        ("* THREAD (1)x", 12),
    ];
    for &(line, at) in cases {
        let b = crlf(line);
        let e = response_error(&b);
        assert_eq!(e.offset, at, "{line}: {e}");
        // The same error through the framer, at the same offset in the frame.
        let f = frames(FramerConfig::new(Direction::ServerToClient), &b);
        assert_eq!(f.len(), 1, "{line}");
        assert_eq!(f[0].decode_response().unwrap_err(), e, "{line}");
        assert_eq!(f[0].decode_response_shared().unwrap_err(), e, "{line}");
    }
}

/// Known codes with broken arguments: kept as `ResponseCode::Other` with
/// `CODE_ARGUMENTS` (the documented leniency, QUIRKS.md rows 36, 55, 71);
/// `[UIDVALIDITY 0]` is the named `ZERO_NUMBER` quirk (row 20).
#[test]
fn malformed_known_codes_are_kept_generic_with_their_quirk() {
    for line in [
        "* OK [UNSEEN 0] x",
        "* OK [UIDNEXT 4294967296] x",
        "* OK [UIDVALIDITY 4294967296] x",
        "* OK [APPENDUID 0 1] x",
        "* OK [APPENDUID 1 0] x",
        "* OK [MODIFIED 0] x",
        "* OK [BADCHARSET ()] x",
        "* OK [PERMANENTFLAGS \\Seen] x",
        "* OK [CAPABILITY] x",
        "* OK [METADATA LONGENTRIES 4294967296] x",
        "* NO [TRYCREATE extra] x",
        "* OK [HIGHESTMODSEQ 18446744073709551616] x",
    ] {
        let b = crlf(line);
        let (r, q) = decode_response(&b).unwrap();
        let Response::Status(s) = &r else {
            panic!("{line}: {r:?}")
        };
        assert!(matches!(s.code(), Some(ResponseCode::Other(_))), "{line}");
        assert!(q.contains(Quirks::CODE_ARGUMENTS), "{line}: {q:?}");
    }
    let (r, q) = decode_response(b"* OK [UIDVALIDITY 0] x\r\n").unwrap();
    let Response::Status(s) = &r else { panic!() };
    assert_eq!(s.code(), Some(&ResponseCode::UidValidity(0)));
    assert_eq!(q, Quirks::ZERO_NUMBER);
}

/// The command decoder: bad tags, spaces, trailing bytes, 8-bit and NUL,
/// numbers out of range, each an error at the offending byte; names in any
/// case are fine.
#[test]
fn commands_are_strict_with_offsets() {
    let cases: &[(&[u8], usize)] = &[
        (b"a+1 NOOP\r\n", 1),
        (b"a{1 NOOP\r\n", 1),
        (b"a(1 NOOP\r\n", 1),
        (b"a\"1 NOOP\r\n", 1),
        (b"a%1 NOOP\r\n", 1),
        (b"a*1 NOOP\r\n", 1),
        (b"a1  NOOP\r\n", 3),
        (b"a1 NOOP \r\n", 7),
        (b"a1 NOOP x\r\n", 7),
        (b"a1 NOOP\x00\r\n", 7),
        (b"a1 NOOP\n", 7),
        (b"a1 OK done\r\n", 3),
        (b"a1 UID NOOP\r\n", 7),
        (b"a1 LOGIN \"\xff\" x\r\n", 10),
        (b"a1 LIST \"\" \"\xff\"\r\n", 12),
        (b"a1 LOGIN \"a\r\" b\r\n", 11),
        (b"a1 LOGIN {3}\r\na\x00b c\r\n", 15),
        (b"a1 CREATE \"a\\b\"\r\n", 12),
        (b"a1 FETCH 0:1 FLAGS\r\n", 9),
        (b"a1 FETCH 1:0 FLAGS\r\n", 11),
        (b"a1 FETCH 4294967296 FLAGS\r\n", 9),
        (b"a1 FETCH 1:* (BODY[]<0.0>)\r\n", 23),
        (b"a1 FETCH 1 (BINARY.PEEK[1.TEXT])\r\n", 26),
        (b"a1 FETCH 1 (ALL)\r\n", 12),
        (b"a1 FETCH 1 ()\r\n", 11),
        // An empty header field list: at its `(` (RFC 9051 §9, header-list).
        (b"a1 FETCH 1 BODY[HEADER.FIELDS ()]\r\n", 30),
        (b"a1 FETCH 1 BODY[HEADER.FIELDS (From To\r\n", 38),
        (b"a1 FETCH 1 BODY[HEADER.FIELDS (From  To)]\r\n", 36),
        (b"a1 STORE 1 +FLAGS (\\*)\r\n", 20),
        (b"a1 SEARCH UID 0\r\n", 14),
        (b"a1 SEARCH OLDER 0\r\n", 16),
        (b"a1 SEARCH SENTBEFORE 31-Feb-2020\r\n", 21),
        (b"a1 SELECT INBOX (QRESYNC (0 1))\r\n", 26),
        (b"a1 SELECT INBOX (QRESYNC (1 0))\r\n", 28),
        (b"a1 STATUS INBOX ()\r\n", 16),
        (b"a1 STATUS INBOX (FOO)\r\n", 17),
        (b"a1 AUTHENTICATE PLAIN ===\r\n", 22),
        (b"a1 ENABLE CONDSTORE  QRESYNC\r\n", 20),
        (b"a1 SETACL INBOX fred +lrX\r\n", 21),
        (b"a1 GETMETADATA INBOX (MAXSIZE 4294967296) /a\r\n", 41),
        (
            b"a1 APPEND INBOX (\\Seen) \"1-Jan-2020 00:00:00 +0000\" {1}\r\nx\r\n",
            26,
        ),
    ];
    for &(line, at) in cases {
        let e = command_error(line);
        assert_eq!(e.offset, at, "{}: {e}", line.escape_ascii());
    }
    for line in [
        &b"a1 noop\r\n"[..],
        b"A1 Fetch 1 flags\r\n",
        b"a1 uid fetch 1:* FLAGS\r\n",
        b"a]1 NOOP\r\n",
        b"a1 LOGIN {5+}\r\nalice pw\r\n",
        b"a1 APPEND INBOX ~{1}\r\nx\r\n",
        b"a1 LOGIN \"\xc3\xa9\" x\r\n",
    ] {
        let (_, n) = command(line).unwrap().complete().unwrap();
        assert_eq!(n, line.len(), "{}", line.escape_ascii());
    }
    let (c, _) = command(b"a1 UID FETCH 1 (FLAGS) (CHANGEDSINCE 1 VANISHED)\r\n")
        .unwrap()
        .complete()
        .unwrap();
    let CommandBody::Fetch { modifiers, .. } = &c.body else {
        panic!()
    };
    assert_eq!(modifiers[1], FetchModifier::Vanished);
    let (c, _) = command(b"a1 SELECT INBOX (QRESYNC (1 1 1:5))\r\n")
        .unwrap()
        .complete()
        .unwrap();
    let CommandBody::Select { parameters, .. } = &c.body else {
        panic!()
    };
    assert!(matches!(parameters[0], SelectParameter::QResync { .. }));
}

/// Through the framer, with literals buffered in the frame: the error's
/// offset plus `Frame::offset` is the offending byte of the stream, in both
/// directions, and the whole-stream decoder fails at the same byte.
#[test]
fn frame_error_offsets_point_into_the_stream() {
    let stream = b"* 1 EXISTS\r\n* 1 FETCH (BODY[] {10}\r\n0123456789 UID 0)\r\n";
    let f = frames(FramerConfig::new(Direction::ServerToClient), stream);
    assert_eq!(f.len(), 2);
    let e = f[1].decode_response().unwrap_err();
    let at = f[1].offset as usize + e.offset;
    assert_eq!(&stream[at..at + 2], b"0)");
    assert_eq!(response_error(&stream[f[1].offset as usize..]), e);

    let stream = b"a0 NOOP\r\na1 LOGIN {3}\r\na\x00b c\r\n";
    let f = frames(FramerConfig::new(Direction::ClientToServer), stream);
    assert_eq!(f.len(), 2);
    let e = f[1].decode_command().unwrap_err();
    assert_eq!(stream[f[1].offset as usize + e.offset], 0, "{e}");
    let e = f[1].decode_command_shared().unwrap_err();
    assert_eq!(stream[f[1].offset as usize + e.offset], 0, "{e}");

    // A lent frame reports the same offsets.
    let mut framer = Framer::new(FramerConfig::new(Direction::ServerToClient));
    framer.push(b"* 1 EXISTS\r\n* 1 FETCH (BODY[] {10}\r\n0123456789 UID 0)\r\n");
    let mut lent = Vec::new();
    while let Some(l) = framer.poll_lent() {
        if let Lent::Frame(f) = l {
            lent.push((f.offset(), f.decode_response().err()));
        }
    }
    assert_eq!(lent.len(), 2);
    assert_eq!(lent[1].1.as_ref().map(|e| e.offset), Some(39));
}

/// Pieces of responses and commands, valid and broken, that move message
/// and literal boundaries: literal headers, quotes, escapes, brackets.
const PIECES: &[&str] = &[
    "* ",
    "a1 ",
    "+ ",
    "OK ",
    "BYE ",
    "1 FETCH (",
    "BODY[] ",
    "{3}\r\n",
    "{0}\r\n",
    "~{2}\r\n",
    "{2+}\r\n",
    "abc",
    "\"",
    "\\",
    "(",
    ")",
    " ",
    "\r\n",
    "LIST () \"/\" ",
    "SEARCH 1",
    "[COPYUID 1 2 3]",
    "[",
    "]",
    "UID 1",
    "NIL",
    "x",
    "-3 EXPUNGE",
    "LOGIN ",
    "APPEND INBOX ",
    "\n",
];

fn stream() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(proptest::sample::select(PIECES), 1..14).prop_map(|p| {
        let mut s = p.concat().into_bytes();
        s.extend_from_slice(b"\r\n");
        s
    })
}

/// The framer and the decoder agree on every frame: the decoder reads it
/// whole (never a shorter message: the framer never makes one message
/// where the decoder sees two, nor ends it before the decoder does) or
/// fails inside it; the frame's decoders (general, shared, lent) and the
/// decoder on the rest of the stream agree on the value or the error.
fn check_responses(stream: &[u8]) -> Result<(), TestCaseError> {
    let mut framer = Framer::new(FramerConfig::new(Direction::ServerToClient));
    framer.push(stream);
    while let Some(ev) = framer.poll_event() {
        let FrameEvent::Frame(f) = ev else { continue };
        let bytes = &f.bytes[..];
        let at = f.offset as usize;
        prop_assert_eq!(&stream[at..at + bytes.len()], bytes);
        let alone = response(bytes);
        let general = f.decode_response();
        let shared = f.decode_response_shared();
        match (&alone, &general) {
            (Ok(Decoded::Complete { message, consumed }), Ok(g)) => {
                prop_assert_eq!(*consumed, bytes.len());
                prop_assert_eq!(message, g);
                prop_assert_eq!(shared.as_ref().ok(), Some(g));
                let rest = response(&stream[at..]);
                prop_assert_eq!(
                    rest,
                    Ok(Decoded::Complete {
                        message: g.clone(),
                        consumed: bytes.len()
                    })
                );
            }
            (Err(a), Err(g)) => {
                prop_assert_eq!(a, g);
                prop_assert_eq!(shared.as_ref().err(), Some(g));
                prop_assert!(g.offset < bytes.len());
                prop_assert_eq!(response(&stream[at..]).err(), Some(g.clone()));
            }
            _ => prop_assert!(
                false,
                "frame {:?}: {:?} vs {:?}",
                bytes.escape_ascii().to_string(),
                alone,
                general
            ),
        }
    }
    Ok(())
}

fn check_commands(stream: &[u8]) -> Result<(), TestCaseError> {
    let mut framer = Framer::new(FramerConfig::new(Direction::ClientToServer));
    framer.push(stream);
    while let Some(ev) = framer.poll_event() {
        let FrameEvent::Frame(f) = ev else { continue };
        let bytes = &f.bytes[..];
        let at = f.offset as usize;
        let alone = command(bytes);
        let general = f.decode_command();
        match (&alone, &general) {
            (Ok(Decoded::Complete { message, consumed }), Ok(g)) => {
                prop_assert_eq!(*consumed, bytes.len());
                prop_assert_eq!(message, g);
                let shared = f.decode_command_shared();
                prop_assert_eq!(shared.as_ref().ok(), Some(g));
                let rest = command(&stream[at..]);
                prop_assert_eq!(
                    rest,
                    Ok(Decoded::Complete {
                        message: g.clone(),
                        consumed: bytes.len()
                    })
                );
            }
            (Err(a), Err(g)) => {
                prop_assert_eq!(a, g);
                prop_assert!(g.offset < bytes.len());
                prop_assert_eq!(command(&stream[at..]).err(), Some(g.clone()));
            }
            _ => prop_assert!(
                false,
                "frame {:?}: {:?} vs {:?}",
                bytes.escape_ascii().to_string(),
                alone,
                general
            ),
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn framer_and_response_decoder_agree(s in stream()) {
        check_responses(&s)?;
    }

    #[test]
    fn framer_and_command_decoder_agree(s in stream()) {
        let mut c = b"a0 ".to_vec();
        c.extend_from_slice(&s);
        check_commands(&c)?;
    }

    /// A broken message number never falls back to `Data::Other`: after
    /// `* `, digits then a known name with bytes that break it are an error.
    #[test]
    fn broken_message_data_is_never_other(
        n in proptest::sample::select(&["0", "1", "4294967296", "-1", "+1", "01"][..]),
        name in proptest::sample::select(&["EXISTS", "EXPUNGE", "RECENT", "FETCH", "exists", "Fetch"][..]),
        tail in proptest::sample::select(&[" x", " (UID 0)", " (UID 1", " ()", "(UID 1)", " (UID 1) x", " 5"][..]),
    ) {
        let line = crlf(&format!("* {n} {name}{tail}"));
        if let Ok((r, _)) = decode_response(&line) {
            prop_assert!(!matches!(r, Response::Data(Data::Other(_))), "{}", line.escape_ascii());
        }
    }
}
