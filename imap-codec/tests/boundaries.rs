//! Issue 14: the framer and the decoders agree on every byte. One
//! regression test per defect (A to H, named after it), and property tests
//! of the agreement (`imapkit_codec::fuzzing::framer_decoder_agree`).

use imapkit_codec::fuzzing::framer_decoder_agree;

/// Runs the agreement check on `stream` with the config byte `a` (bit 0:
/// commands, bit 1: lenient LF, bit 2: small limits from `b`, `c`, `d`,
/// bit 3: line mode or greeting).
fn agree(a: u8, b: u8, c: u8, d: u8, stream: &[u8]) {
    let mut data = vec![a, b, c, d];
    data.extend_from_slice(stream);
    framer_decoder_agree(&data);
}

#[test]
fn recorded_sessions_agree() {
    let responses = include_bytes!("data/dovecot/session.responses");
    let commands = include_bytes!("data/dovecot/session.commands");
    for d in [0, 7, 100] {
        agree(0, 0, 0, d, responses);
        agree(2, 0, 0, d, responses);
        agree(1, 0, 0, d, commands);
    }
}

use imapkit_codec::decode::{self, Decoded, ResponseDecoder};
use imapkit_codec::framer::{Direction, FrameErrorKind, FrameEvent, Framer, FramerConfig};
use imapkit_codec::Encode;
use imapkit_proto::{
    Atom, Command, CommandBody, Data, FetchModifier, Flag, FlagExtension, FlagFetch, FlagFetchList,
    OtherCommand, OtherData, Response, SearchKey, StatusKind, Tag,
};

fn frames_and_errors(config: FramerConfig, input: &[u8]) -> Vec<Result<Vec<u8>, FrameErrorKind>> {
    let mut f = Framer::new(config);
    f.push(input);
    std::iter::from_fn(|| f.poll_event())
        .filter_map(|e| match e {
            FrameEvent::Frame(fr) => Some(Ok(fr.bytes.to_vec())),
            FrameEvent::Error(e) => Some(Err(e.kind)),
            _ => None,
        })
        .collect()
}

fn zeros(n: usize) -> Vec<u8> {
    vec![b'0'; n]
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// Defect A: after an error the framer skips the rest of the message; a
/// literal header with many leading zeros at the end of a skipped line
/// (accepted on the normal path) is still found, so the literal's data is
/// skipped, not framed as messages. Before, only the last 64 bytes of the
/// line were kept.
#[test]
fn defect_a_resync_keeps_long_literal_headers() {
    // A bare LF after the header: the message is skipped, its literal too.
    let responses = cat(&[
        b"* 1 FETCH (BODY[] {",
        &zeros(61),
        b"12}\n* 9 EXISTS\r\n)\r\n* 2 EXISTS\r\n",
    ]);
    let got = frames_and_errors(FramerConfig::new(Direction::ServerToClient), &responses);
    assert_eq!(
        got,
        [Err(FrameErrorKind::BareLf), Ok(b"* 2 EXISTS\r\n".to_vec())]
    );
    agree(0, 0, 0, 0, &responses);

    let commands = cat(&[
        b"a1 APPEND INBOX {",
        &zeros(60),
        b"13+}\na9 DELETE x\r\n\r\na2 NOOP\r\n",
    ]);
    let got = frames_and_errors(FramerConfig::new(Direction::ClientToServer), &commands);
    assert_eq!(
        got,
        [Err(FrameErrorKind::BareLf), Ok(b"a2 NOOP\r\n".to_vec())]
    );
    agree(1, 0, 0, 0, &commands);

    // After TooDeep: the decoder reads the same message whole, and the
    // framer resumes where it ends.
    let deep = cat(&[
        b"* 1 FETCH (X ((((((((((\"a\" {",
        &zeros(100),
        b"12}\r\n* 9 EXISTS\r\n)))))))))))\r\n* 2 EXISTS\r\n",
    ]);
    let mut config = FramerConfig::new(Direction::ServerToClient);
    config.max_depth = 4;
    let got = frames_and_errors(config, &deep);
    assert_eq!(
        got,
        [
            Err(FrameErrorKind::TooDeep { limit: 4 }),
            Ok(b"* 2 EXISTS\r\n".to_vec())
        ]
    );
    let (_, used) = decode::response(&deep).unwrap().complete().unwrap();
    assert_eq!(&deep[used..], b"* 2 EXISTS\r\n");
    // Small limits: depth `d & 7` = 4, 31 items.
    agree(4, 255, 255, 4 | (31 << 3), &deep);

    // After LineTooLong: the header ends a line longer than the limit.
    let long = cat(&[
        b"* 1 FETCH (BODY[] {",
        &zeros(100),
        b"12}\r\n* 9 EXISTS\r\n)\r\n* 2 EXISTS\r\n",
    ]);
    let mut config = FramerConfig::new(Direction::ServerToClient);
    config.max_line = 40;
    let got = frames_and_errors(config, &long);
    assert_eq!(
        got,
        [
            Err(FrameErrorKind::LineTooLong { limit: 40 }),
            Ok(b"* 2 EXISTS\r\n".to_vec())
        ]
    );
    // Small limits: max_line = 16 + 2 * 12 = 40.
    agree(4, 12, 255, 7 | (31 << 3), &long);
    // The decoder, without limits, ends that message where the framer resumes.
    let (_, used) = decode::response(&long).unwrap().complete().unwrap();
    assert_eq!(&long[used..], b"* 2 EXISTS\r\n");
}

/// Defect B: `*  OK` (two spaces) is a status response to the framer as to
/// the decoder, so a `{29}` at the end of its text is text, not a literal
/// swallowing the next response.
#[test]
fn defect_b_status_with_extra_spaces_is_text() {
    let input = b"*  OK [ALERT] x {29}\r\n* 1 FETCH (BODY[] {41}\r\nhello\r\nA1 OK LOGIN completed (injected)\r\n)\r\nA1 OK done\r\n";
    agree(0, 0, 0, 0, input);
    let got = frames_and_errors(FramerConfig::new(Direction::ServerToClient), input);
    assert_eq!(
        got,
        [
            Ok(b"*  OK [ALERT] x {29}\r\n".to_vec()),
            Ok(
                b"* 1 FETCH (BODY[] {41}\r\nhello\r\nA1 OK LOGIN completed (injected)\r\n)\r\n"
                    .to_vec()
            ),
            Ok(b"A1 OK done\r\n".to_vec()),
        ]
    );
    // The decoder reads the same three messages; the only tagged one is the last.
    let mut at = 0;
    let mut tagged = Vec::new();
    while at < input.len() {
        let (r, used) = decode::response(&input[at..]).unwrap().complete().unwrap();
        if let Response::Status(s) = &r {
            if let StatusKind::Tagged { tag, .. } = &s.kind {
                tagged.push((tag.as_str().to_owned(), s.text.human().as_bytes().to_vec()));
            }
        }
        at += used;
    }
    assert_eq!(tagged, [("A1".to_owned(), b"done".to_vec())]);

    let bye = b"*   BYE x {12}\r\nA1 OK fake\r\n";
    let got = frames_and_errors(FramerConfig::new(Direction::ServerToClient), bye);
    assert_eq!(
        got,
        [
            Ok(b"*   BYE x {12}\r\n".to_vec()),
            Ok(b"A1 OK fake\r\n".to_vec())
        ]
    );
    agree(0, 0, 0, 0, bye);
    // `* OK[` is a status response to both (and the decoder refuses it).
    let glued = b"* OK[ALERT] x {5}\r\nA1 OK\r\n";
    let got = frames_and_errors(FramerConfig::new(Direction::ServerToClient), glued);
    assert_eq!(got.len(), 2);
    assert!(decode::response(glued).is_err());
    agree(0, 0, 0, 0, glued);
}

/// Defect C: an unknown response or command ending in a literal header is
/// read whole, literal included, by the decoders as by the framer; the
/// constructors refuse built values that would announce a literal.
#[test]
fn defect_c_unknown_messages_with_literals() {
    let input = b"* XANNOTATION \"INBOX\" (\"value\" {18}\r\nA1 OK LOGIN done\r\n)\r\n";
    let (r, used) = decode::response(input).unwrap().complete().unwrap();
    assert_eq!(used, input.len(), "the literal is part of the response");
    let Response::Data(Data::Other(o)) = &r else {
        panic!("{r:?}")
    };
    assert_eq!(o.as_bytes(), &input[2..input.len() - 2]);
    assert_eq!(r.to_vec(), input);
    // A prefix ending in the literal's data announces it.
    assert!(matches!(
        decode::response(&input[..40]),
        Ok(Decoded::LiteralAnnounced { len: 18, .. })
    ));
    agree(0, 0, 0, 0, input);

    let cmd = b"a XFOO {13+}\r\nb DELETE x\r\n!\r\n";
    assert!(matches!(
        decode::command(&cmd[..26]),
        Ok(Decoded::LiteralAnnounced { len: 13, .. })
    ));
    let (c, used) = decode::command(cmd).unwrap().complete().unwrap();
    assert_eq!(used, cmd.len());
    let CommandBody::Other(o) = &c.body else {
        panic!("{c:?}")
    };
    assert_eq!(o.arguments(), Some(&b"{13+}\r\nb DELETE x\r\n!"[..]));
    assert_eq!(c.to_vec(), cmd);
    agree(1, 0, 0, 0, cmd);

    // Built values that would frame differently are refused.
    let name = || Atom::try_from("XFOO").unwrap();
    assert!(OtherCommand::try_new(name(), Some("x {5}".into())).is_err());
    assert!(OtherCommand::try_new(name(), Some("x ~{5+}".into())).is_err());
    assert!(OtherCommand::try_new(name(), Some("x {5} y".into())).is_ok());
    assert!(OtherData::try_new("XFOO x {5}").is_err());
    assert!(OtherData::try_new("OK[ALERT] x").is_err());
    assert!(OtherData::try_new("4294967296 XFOO").is_err());
    assert!(OtherData::try_new("4294967295 XFOO").is_ok());
}

/// Defect D: the numbers of the report, at their maximum (every numeric
/// field at its maximum: `tests/full_range.rs`).
#[test]
fn defect_d_numbers_at_their_maximum() {
    let c = Command {
        tag: Tag::try_from("A1").unwrap(),
        body: CommandBody::Search {
            uid: false,
            charset: None,
            criteria: imapkit_proto::Vec1::new(SearchKey::Larger(u64::MAX)),
            return_options: None,
        },
    };
    let bytes = c.to_vec();
    let (back, used) = decode::command(&bytes).unwrap().complete().unwrap();
    assert_eq!((back, used), (c.clone(), bytes.len()));
    let fetch = b"A1 FETCH 1 FLAGS (CHANGEDSINCE 18446744073709551615)\r\n";
    let (back, _) = decode::command(fetch).unwrap().complete().unwrap();
    assert_eq!(back.to_vec(), fetch);
    let CommandBody::Fetch { modifiers, .. } = back.body else {
        panic!()
    };
    assert_eq!(modifiers, [FetchModifier::ChangedSince(u64::MAX)]);
}

/// Defect E: an extension flag cannot be built with a system flag's name
/// (it would encode as the system flag and decode as something else);
/// `Flag::system` normalises, and a FLAGS list built from values holds
/// `\Recent` as the decoder reads it.
#[test]
fn defect_e_flags_are_canonical() {
    assert!(FlagExtension::try_from("Seen").is_err());
    assert!(FlagExtension::try_from("dRaFt").is_err());
    assert_eq!(Flag::system(Atom::try_from("SEEN").unwrap()), Flag::Seen);
    let recent = Flag::system(Atom::try_from("recent").unwrap());
    let list: FlagFetchList<'_> = vec![FlagFetch::Flag(recent)].into();
    assert_eq!(list.to_vec(), [FlagFetch::Recent]);
}

/// Defect F: the lone-LF decoder is linear: one copy and one parse per
/// message, however many lone LFs it has (it took 17 s before).
#[test]
fn defect_f_lone_lf_is_linear() {
    let mut input = b"* 1 FETCH (UID 1".to_vec();
    for k in 1..=16_000 {
        input.extend_from_slice(format!(" BODY[{k}] {{0}}\n").as_bytes());
    }
    input.extend_from_slice(b")\n");
    let started = std::time::Instant::now();
    let d = ResponseDecoder { lone_lf: true };
    let (r, used) = d.decode(&input).unwrap().complete().unwrap();
    let took = started.elapsed();
    assert_eq!(used, input.len());
    let Response::Data(Data::Fetch { items, .. }) = r else {
        panic!()
    };
    assert_eq!(items.len(), 16_001);
    assert!(took.as_secs() < 5, "{took:?}");
}

/// Defect H: outside literals a command is UTF-8 (quoted strings
/// included), and a `{n}` literal holds no NUL (RFC 9051 §4.3, `CHAR8`),
/// as the constructors require.
#[test]
fn defect_h_commands_are_utf8_and_literals_have_no_nul() {
    let e = decode::command(b"A1 LOGIN \"caf\xe9\" x\r\n").unwrap_err();
    assert_eq!((e.offset, e.reason), (13, "invalid UTF-8"));
    assert!(decode::command("A1 LOGIN \"café\" x\r\n".as_bytes()).is_ok());
    assert!(imapkit_proto::Quoted::try_from(&b"caf\xe9"[..]).is_err());

    let e = decode::command(b"A1 LOGIN {3}\r\na\0b secret\r\n").unwrap_err();
    assert_eq!(e.offset, 15);
    // A literal8 may hold NUL.
    assert!(decode::command(b"A1 APPEND INBOX ~{3}\r\na\0b\r\n").is_ok());
    // Responses stay lenient on both.
    assert!(decode::response(b"* 1 FETCH (BODY[] {3}\r\na\0b)\r\n").is_ok());
    assert!(decode::response(b"* LIST () \"/\" \"caf\xe9\"\r\n").is_ok());
}

mod prop {
    use imapkit_codec::Encode;
    use imapkit_proto::strategies as st;
    use proptest::collection::vec;
    use proptest::prelude::*;

    /// Bytes that make boundaries hard: headers, quotes, parentheses, line ends.
    fn noise() -> impl Strategy<Value = Vec<u8>> {
        vec(
            proptest::sample::select(b"{}~+0123456789 *\"\\()[]\r\n\r\nOKNOBYEXa".to_vec()),
            0..40,
        )
    }

    /// A literal header with leading zeros, a mode and maybe `~`.
    fn header(len: usize) -> impl Strategy<Value = Vec<u8>> {
        (0usize..80, any::<bool>(), any::<bool>()).prop_map(move |(z, plus, tilde)| {
            let mut h = Vec::new();
            if tilde {
                h.push(b'~');
            }
            h.push(b'{');
            h.extend(std::iter::repeat(b'0').take(z));
            h.extend_from_slice(len.to_string().as_bytes());
            if plus {
                h.push(b'+');
            }
            h.extend_from_slice(b"}");
            h
        })
    }

    /// A line ending in a literal header, its data (which may look like
    /// messages), and the rest of the message.
    fn with_literal(start: &'static [&'static [u8]]) -> impl Strategy<Value = Vec<u8>> {
        (
            proptest::sample::select(start.to_vec()),
            vec(any::<u8>(), 0..30),
            prop_oneof![
                2 => Just(Vec::new()),
                1 => Just(b" UID 5".to_vec()),
                1 => noise(),
            ],
            proptest::bool::weighted(0.2),
        )
            .prop_flat_map(|(first, data, tail, lf_only)| {
                header(data.len()).prop_map(move |h| {
                    let mut m = first.to_vec();
                    m.extend_from_slice(&h);
                    m.extend_from_slice(if lf_only { b"\n" } else { b"\r\n" });
                    m.extend_from_slice(&data);
                    m.extend_from_slice(&tail);
                    m.extend_from_slice(b")\r\n");
                    m
                })
            })
    }

    fn response_piece() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            3 => st::response().prop_map(|r| r.to_vec()),
            2 => with_literal(&[
                b"* 1 FETCH (BODY[] ",
                b"*  OK [ALERT] x ",
                b"*   bye ",
                b"* OK[ALERT] ",
                b"* XANNOTATION \"INBOX\" (\"v\" ",
                b"* 3 XFOO ",
                b"A1 OK done ",
                b"+ ",
                b"* 1 FETCH (X ((((((",
                b"* LIST () \"/\" ",
                b"*  3 FETCH (BODY[1] ",
                b"* 1 FETCH (BODY[] \"a",
            ]),
            1 => noise(),
        ]
    }

    fn command_piece() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            3 => st::command().prop_map(|c| c.to_vec()),
            2 => with_literal(&[
                b"a1 APPEND INBOX ",
                b"a XFOO ",
                b"a LOGIN ",
                b"a LOGIN \"x",
                b"a SEARCH (((((( ",
                b"a1 APPEND INBOX (\\Seen) ",
            ]),
            1 => noise(),
        ]
    }

    fn config() -> impl Strategy<Value = [u8; 4]> {
        any::<[u8; 4]>()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Responses: the framer and the decoder agree on every boundary
        /// and literal, under any chunking, with and without small limits.
        #[test]
        fn responses_agree(cfg in config(), pieces in vec(response_piece(), 1..8)) {
            let mut data = cfg.to_vec();
            data[0] &= !1;
            data.extend(pieces.concat());
            imapkit_codec::fuzzing::framer_decoder_agree(&data);
        }

        /// Commands (and AUTHENTICATE lines in line mode), likewise.
        #[test]
        fn commands_agree(cfg in config(), pieces in vec(command_piece(), 1..8)) {
            let mut data = cfg.to_vec();
            data[0] |= 1;
            data.extend(pieces.concat());
            imapkit_codec::fuzzing::framer_decoder_agree(&data);
        }
    }
}

/// Defect G (library side): a framing error of a LOGIN command never shows
/// its bytes in `Display` or `Debug`; `Redacted` shows them as
/// `<redacted>` and their length, like `Debug` of a `Secret`.
#[test]
fn defect_g_frame_errors_never_show_bytes() {
    use imapkit_codec::redact::Redacted;
    let mut input = b"a1 LOGIN alice hunter2secret".to_vec();
    input.extend(std::iter::repeat(b'x').take(100));
    input.extend_from_slice(b"\r\n");
    let mut config = FramerConfig::new(Direction::ClientToServer);
    config.max_line = 64;
    let mut f = Framer::new(config);
    f.push(&input);
    let Some(FrameEvent::Error(e)) = f.poll_event() else {
        panic!()
    };
    assert!(e.raw.starts_with(b"a1 LOGIN alice hunter2secret"));
    let shown = format!(
        "{e} {e:?} {:?} {}",
        FrameEvent::Error(e.clone()),
        Redacted::message(Direction::ClientToServer, &e.raw)
    );
    assert!(
        !shown.contains("hunter2") && !shown.contains("alice"),
        "{shown}"
    );
    assert!(shown.contains("<redacted> (66 bytes)"), "{shown}");
    assert!(f.poll_event().is_none());
    assert!(f.at_boundary());
}
