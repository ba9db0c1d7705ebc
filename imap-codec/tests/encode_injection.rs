//! Encoding safety review: every value the public API lets an application
//! build either encodes to bytes that the same library's framer hands out as
//! exactly ONE message and its decoder reads back as an equal value, or the
//! API refuses it.
//!
//! From an independent review (stop 29). Tests whose doc says "Was a bug"
//! failed before their fix; the others are properties that held.

use imapkit_codec::decode::{self, Decoded};
use imapkit_codec::framer::{Direction, FrameEvent, Framer, FramerConfig};
use imapkit_codec::{encode_with, Encode, EncodeOptions};
use imapkit_proto::{
    utf7, AString, AclEntry, AppendData, AppendMessage, Atom, AuthenticateData, Charset, CodeText,
    Command, CommandBody, ContinueRequest, Data, Delimiter, ESearch, Envelope, EnvelopeFields,
    FetchAttribute, FetchItems, Greeting, GreetingKind, IString, ListMailbox, ListPatterns,
    Literal, Mailbox, MailboxList, MessageDataItem, MetadataEntry, MetadataItems, MetadataValue,
    NString, NString8, NamespaceDescr, NamespaceExtension, Namespaces, OtherCode, OtherCommand,
    OtherData, Quoted, RespText, Response, ResponseCode, SearchKey, SearchReturnData, Secret,
    Section, SectionText, SequenceSet, Status, StatusItem, StatusKind, StatusResponse, Tag,
    TaggedExtVal, Text, Vec1,
};
use proptest::prelude::*;

// ---- harness ---------------------------------------------------------------

/// The frames (or framing errors) a peer's framer makes of `bytes`; bytes
/// left over at the end count as an error.
fn frames(direction: Direction, lenient_lf: bool, bytes: &[u8]) -> Vec<Result<Vec<u8>, String>> {
    let mut config = FramerConfig::new(direction);
    config.lenient_lf = lenient_lf;
    let mut f = Framer::new(config);
    f.push(bytes);
    let mut out = Vec::new();
    while let Some(e) = f.poll_event() {
        match e {
            FrameEvent::Frame(fr) => out.push(Ok(fr.bytes.to_vec())),
            FrameEvent::Error(e) => out.push(Err(e.to_string())),
            _ => {}
        }
    }
    if f.buffered() > 0 {
        out.push(Err(format!("{} bytes left in the framer", f.buffered())));
    }
    out
}

/// The three encodings an application or session uses: as held (`encode`,
/// must decode to an equal value), and for a peer without and with UTF-8
/// (`encode_with`: strings may change form, so only framing and decoding
/// are checked).
fn encodings<T: Encode>(msg: &T) -> Vec<(bool, Vec<u8>)> {
    let mut out = vec![(true, msg.to_vec())];
    for utf8 in [false, true] {
        let mut b = Vec::new();
        let options = EncodeOptions {
            utf8,
            ..Default::default()
        };
        encode_with(msg, &mut b, &options);
        out.push((false, b));
    }
    out
}

fn one_frame(direction: Direction, b: &[u8]) -> Result<(), String> {
    for lenient_lf in [false, true] {
        let fr = frames(direction, lenient_lf, b);
        if fr.len() != 1 || fr[0].as_deref() != Ok(b) {
            return Err(format!(
                "{:?} (lenient_lf {lenient_lf}) framed as {:?}",
                b.escape_ascii().to_string(),
                fr
            ));
        }
    }
    Ok(())
}

fn check_response(r: &Response<'_>) -> Result<(), String> {
    check(
        r,
        encodings(r),
        Direction::ServerToClient,
        |b| match decode::response(b) {
            Ok(Decoded::Complete { message, consumed }) if consumed == b.len() => Ok(&message == r),
            other => Err(format!("{other:?}")),
        },
    )
}

fn check_command(c: &Command<'_>) -> Result<(), String> {
    check(
        c,
        encodings(c),
        Direction::ClientToServer,
        |b| match decode::command(b) {
            Ok(Decoded::Complete { message, consumed }) if consumed == b.len() => Ok(&message == c),
            other => Err(format!("{other:?}")),
        },
    )
}

/// Each of `value`'s encodings is one frame in `direction` and decodes
/// whole (`decode`: to a value equal to `value` or not, or the failure);
/// an exact encoding decodes to `value` itself.
fn check(
    value: &dyn std::fmt::Debug,
    encodings: Vec<(bool, Vec<u8>)>,
    direction: Direction,
    decode: impl Fn(&[u8]) -> Result<bool, String>,
) -> Result<(), String> {
    for (exact, b) in encodings {
        one_frame(direction, &b)?;
        let shown = b.escape_ascii().to_string();
        match decode(&b) {
            Ok(equal) if exact && !equal => {
                return Err(format!("{shown:?} does not decode as {value:?}"))
            }
            Ok(_) => {}
            Err(other) => return Err(format!("{shown:?} decodes as {other}")),
        }
    }
    Ok(())
}

fn tag() -> Tag<'static> {
    Tag::try_from("A1").unwrap()
}

fn list_response(delimiter: char) -> Response<'static> {
    Response::Data(Data::List(MailboxList {
        attributes: vec![],
        delimiter: Some(Delimiter::new(delimiter).unwrap()),
        mailbox: Mailbox::from("Archive"),
        extended: vec![],
    }))
}

fn namespace_response(delimiter: char) -> Response<'static> {
    Response::Data(Data::Namespace(Namespaces {
        personal: vec![NamespaceDescr {
            prefix: IString::from(""),
            delimiter: Some(Delimiter::new(delimiter).unwrap()),
            extensions: vec![],
        }],
        ..Default::default()
    }))
}

/// Bytes biased towards the ones that break framing and quoting.
fn nasty_bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            4 => proptest::sample::select(
                b"\r\n\0 \"\\[](){}*%+-~&/.:;\t\x01\x7f\xff\xc3\xa9aZ09".to_vec()
            ),
            2 => any::<u8>(),
            2 => b'a'..=b'z',
        ],
        0..24,
    )
}

// ---- were bugs ---------------------------------------------------------------

/// Was a bug: `MailboxList::delimiter` and `NamespaceDescr::delimiter` were
/// a public `Option<char>` that nothing checked, and the encoder wrote any
/// char between quotes. A delimiter LF made `* LIST () "<LF>" Archive<CRLF>`
/// two messages for the client's framer (a bare-LF error and a frame
/// `" Archive<CRLF>`); CR and NUL gave a response no decoder reads; both
/// were reachable through `Server::send_data(Data::List(..))`. Now the
/// fields are `Option<Delimiter>`, which refuses NUL, CR and LF (RFC 9051
/// §9: `QUOTED-CHAR` is a `TEXT-CHAR`, no CR or LF; no string holds NUL).
#[test]
fn delimiters_refuse_line_breaks_and_nul() {
    for d in ['\n', '\r', '\0'] {
        assert!(Delimiter::new(d).is_err(), "{d:?}");
        assert!(Delimiter::try_from(d).is_err(), "{d:?}");
    }
    // The bytes a LF delimiter made, refused by the decoder as they were
    // refused by the framer.
    let fr = frames(
        Direction::ServerToClient,
        true,
        b"* LIST () \"\n\" Archive\r\n",
    );
    assert_eq!(fr.len(), 2, "{fr:?}");
}

// ---- properties that hold --------------------------------------------------

#[test]
fn printable_and_utf8_delimiters_round_trip() {
    for d in ['/', '.', '"', '\\', '\u{1}', '\t', '\u{7f}', 'é', '日'] {
        assert_eq!(check_response(&list_response(d)), Ok(()), "{d:?}");
        assert_eq!(check_response(&namespace_response(d)), Ok(()), "{d:?}");
    }
}

#[test]
fn constructors_refuse_line_breaks_and_specials() {
    for bad in ["a\r\nb", "a\rb", "a\nb", "a\0b"] {
        assert!(Text::try_from(bad).is_err(), "{bad:?}");
        assert!(Quoted::try_from(bad).is_err(), "{bad:?}");
        assert!(CodeText::try_new(bad).is_err(), "{bad:?}");
        assert!(RespText::text(bad).is_err(), "{bad:?}");
        assert!(
            OtherData::try_new(format!("XFOO {bad}")).is_err(),
            "{bad:?}"
        );
        let args = Some(bad.as_bytes().into());
        assert!(OtherCommand::try_new(Atom::try_from("XFOO").unwrap(), args).is_err());
    }
    for bad in ["a b", "a]", "a{", "a\"", "a\\", "a(", "a%", "a*", "é"] {
        assert!(Atom::try_from(bad).is_err(), "{bad:?}");
    }
    for bad in ["A+1", "*", "+", "A B", "A{1}"] {
        assert!(Tag::try_from(bad).is_err(), "{bad:?}");
    }
    // A text without a code cannot start with `[` (it would read as a code).
    assert!(RespText::text("[ALERT] fake").is_err());
    assert!(CodeText::try_new("x] injected").is_err());
    // Raw lines that would announce a literal or read as a status response.
    assert!(OtherData::try_new("XFOO {5}").is_err());
    assert!(OtherData::try_new("OK [ALERT] x").is_err());
    assert!(OtherData::try_new("3 EXISTS").is_err());
    let args = Some("x {5}".as_bytes().into());
    assert!(OtherCommand::try_new(Atom::try_from("XFOO").unwrap(), args).is_err());
    let args = Some("x ~{5+}".as_bytes().into());
    assert!(OtherCommand::try_new(Atom::try_from("XFOO").unwrap(), args).is_err());
}

#[test]
fn text_after_a_code_may_hold_brackets_and_literal_syntax() {
    for t in [
        "]", "[ALERT]", "] x", "{5}", "x {5}", "~{5+}", "", " ", "\t\u{7f}",
    ] {
        let text = RespText::with_code(ResponseCode::Alert, t).unwrap();
        let r = Response::Status(StatusResponse::tagged(tag(), Status::No, text));
        assert_eq!(check_response(&r), Ok(()), "{t:?}");
    }
    // BADCHARSET's quoted charset may hold `]` and 8-bit bytes.
    for cs in ["a]b", "é ü", "\"\\"] {
        let cs = Charset::Quoted(Quoted::try_from(cs).unwrap());
        let code = ResponseCode::BadCharset(Some(Vec1::new(cs)));
        let r = Response::Status(StatusResponse::untagged(
            Status::No,
            RespText::with_code(code, "x").unwrap(),
        ));
        assert_eq!(check_response(&r), Ok(()));
    }
}

#[test]
fn hostile_strings_in_commands_stay_one_command() {
    let hostile = [
        "x\r\nA2 DELETE INBOX",
        "x\"\r\nA2 LOGOUT\r\n\"",
        "{5}",
        "x {5}",
        "\\\"",
        "]",
        "",
        "日本語",
        "a\u{7f}\u{1}\t",
    ];
    for s in hostile {
        let cmds = [
            CommandBody::login(s, s),
            CommandBody::select(Mailbox::from(s)),
            CommandBody::select(Mailbox::from_utf8_name(s)),
            CommandBody::id([(s, Some(s))]),
            CommandBody::search([
                SearchKey::Subject(AString::from(s)),
                SearchKey::Header(AString::from(s), AString::from(s)),
            ]),
            CommandBody::append(Mailbox::from(s), s).unwrap(),
        ];
        for body in cmds {
            let c = Command::new(tag(), body);
            assert_eq!(check_command(&c), Ok(()), "{s:?}");
        }
    }
}

#[test]
fn authenticate_data_and_greetings_round_trip() {
    for data in [&b""[..], b"\0user\0pass", b"\r\n", b"*"] {
        let d = AuthenticateData::Continue(Secret::new(data.to_vec().into()));
        let b = d.to_vec();
        one_frame(Direction::ClientToServer, &b).unwrap();
        let (back, n) = decode::authenticate_data(&b).unwrap().complete().unwrap();
        assert_eq!((back, n), (d, b.len()));
    }
    for kind in [GreetingKind::Ok, GreetingKind::PreAuth, GreetingKind::Bye] {
        for t in ["", " x", "x {5}"] {
            let g = Greeting {
                kind,
                text: RespText::text(t).unwrap(),
            };
            let b = g.to_vec();
            one_frame(Direction::ServerToClient, &b).unwrap();
            let (back, n) = decode::greeting(&b).unwrap().complete().unwrap();
            assert_eq!((back, n), (g, b.len()));
        }
    }
}

#[test]
fn utf7_boundary_code_points_round_trip() {
    let names = [
        "\u{D7FF}",
        "\u{E000}",
        "\u{FFFD}",
        "\u{FFFF}",
        "\u{10000}",
        "\u{10FFFF}",
        "a&b/&-",
        "&",
        "&&",
        "\u{7f}",
        "\0",
        "~peter/mail/台北/日本語",
        "送信済み&送信済み",
    ];
    for n in names {
        let m = Mailbox::from(n);
        assert!(
            m.as_bytes().iter().all(|b| (0x20..=0x7e).contains(b)),
            "{n:?}"
        );
        assert_eq!(m.name().unwrap(), n);
        let c = Command::new(tag(), CommandBody::select(m));
        assert_eq!(check_command(&c), Ok(()), "{n:?}");
    }
    let long = "日本語/".repeat(400);
    let m = Mailbox::from(long.as_str());
    assert_eq!(m.name().unwrap(), long);
    assert_eq!(
        check_command(&Command::new(tag(), CommandBody::select(m))),
        Ok(())
    );
    // Invalid or non-canonical runs are errors, not panics.
    for bad in [
        &b"&"[..],
        b"&2D0-",
        b"&2D3YPQ-",
        b"&3ADYPQ-",
        b"&2D0A6Q-",
        b"&AGE-",
        b"&ZeVnLA-&iqe-",
        b"&kAFP4W4IMH9-",
        b"&,,,,,,,,,-",
        b"&A-",
        b"\xff&-",
    ] {
        assert!(
            utf7::decode(bad).is_err(),
            "{:?}",
            bad.escape_ascii().to_string()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Any text the constructors accept stays inside its status response,
    /// continuation request or greeting.
    #[test]
    fn resp_text_never_escapes(b in nasty_bytes(), kind in 0u8..5, code in any::<bool>()) {
        let Ok(t) = Text::try_new(b) else { return Ok(()) };
        let Ok(text) = RespText::new(code.then_some(ResponseCode::Alert), t) else { return Ok(()) };
        let r = match kind {
            0 => Response::Status(StatusResponse::untagged(Status::Ok, text)),
            1 => Response::Status(StatusResponse::tagged(tag(), Status::No, text)),
            2 => Response::Status(StatusResponse { kind: StatusKind::Bye, text }),
            3 => Response::Status(StatusResponse { kind: StatusKind::PreAuth, text }),
            _ => Response::Continue(ContinueRequest::new(text)),
        };
        let checked = check_response(&r);
        prop_assert!(checked.is_ok(), "{:?}", checked);
    }

    /// Response-code arguments (unknown codes, REFERRAL, BADURL).
    #[test]
    fn code_text_never_escapes(b in nasty_bytes(), name in "X[A-Z]{0,5}") {
        let Ok(ct) = CodeText::try_new(b) else { return Ok(()) };
        let other = OtherCode::new(Atom::try_from(name.as_str()).unwrap(), Some(ct.clone())).unwrap();
        for code in [
            ResponseCode::Other(Box::new(other)),
            ResponseCode::Referral(ct.clone()),
            ResponseCode::BadUrl(ct),
        ] {
            let text = RespText::with_code(code, "x").unwrap();
            let r = Response::Status(StatusResponse::untagged(Status::Ok, text));
            let checked = check_response(&r);
            prop_assert!(checked.is_ok(), "{:?}", checked);
        }
    }

    /// Raw untagged data and raw unknown commands that the constructors
    /// accept are one message, read back as built.
    #[test]
    fn raw_lines_never_escape(b in nasty_bytes(), name in "X[A-Z]{0,5}", t in nasty_bytes()) {
        let mut line = name.clone().into_bytes();
        line.push(b' ');
        line.extend_from_slice(&b);
        for l in [line, b.clone()] {
            if let Ok(o) = OtherData::try_new(l) {
                let checked = check_response(&Response::Data(Data::Other(o)));
                prop_assert!(checked.is_ok(), "{:?}", checked);
            }
        }
        let (Ok(t), Ok(o)) = (
            Tag::try_new(t),
            OtherCommand::try_new(Atom::try_from(name.as_str()).unwrap(), Some(b.into())),
        ) else {
            return Ok(());
        };
        let checked = check_command(&Command::new(t, CommandBody::Other(o)));
        prop_assert!(checked.is_ok(), "{:?}", checked);
    }

    /// Strings (quoted, literal, atom forms) in the positions of many
    /// responses: ID, LIST, STATUS, MYRIGHTS, ACL, METADATA, ESEARCH,
    /// NAMESPACE, FETCH (BODY[HEADER.FIELDS], ENVELOPE, PREVIEW).
    #[test]
    fn strings_in_responses(a in nasty_bytes(), b in nasty_bytes(), c in nasty_bytes()) {
        let (Ok(is), Ok(ns), Ok(x), Ok(y)) = (
            IString::try_new(a.clone()),
            NString::try_new(c.clone()),
            AString::try_new(a.clone()),
            AString::try_new(b.clone()),
        ) else {
            return Ok(());
        };
        let m = Mailbox::from_wire(b.clone()).unwrap();
        let sec = Section::new(vec![], Some(SectionText::HeaderFields(Vec1::from([x.clone(), y.clone()])))).unwrap();
        let env = Envelope::new(EnvelopeFields {
            subject: ns.clone(),
            message_id: ns.clone(),
            ..Default::default()
        });
        let responses = [
            Data::Id(Some(vec![(is.clone(), ns.clone())])),
            Data::List(MailboxList { attributes: vec![], delimiter: Some(Delimiter::SLASH), mailbox: m.clone(), extended: vec![] }),
            Data::Status {
                mailbox: m.clone(),
                items: vec![StatusItem::Other { name: Atom::try_from("XX").unwrap(), value: TaggedExtVal::String(is.clone()) }],
            },
            Data::MyRights { mailbox: m.clone(), rights: x.clone() },
            Data::Acl { mailbox: m.clone(), entries: vec![AclEntry { identifier: x.clone(), rights: y.clone() }] },
            Data::Metadata { mailbox: m.clone(), items: MetadataItems::Values(Vec1::from([(y.clone(), NString8::NString(ns.clone()))])) },
            Data::ESearch(ESearch { tag: Some(x.clone()), uid: true, data: vec![SearchReturnData::Count(3)] }),
            Data::Namespace(Namespaces {
                personal: vec![NamespaceDescr {
                    prefix: is.clone(),
                    delimiter: Some(Delimiter::SLASH),
                    extensions: vec![NamespaceExtension { name: is.clone(), values: Vec1::from([is.clone()]) }],
                }],
                ..Default::default()
            }),
            Data::Fetch {
                seq: 1.try_into().unwrap(),
                items: Vec1::from([
                    MessageDataItem::BodySection { section: sec, origin: None, data: ns.clone() },
                    MessageDataItem::Envelope(env),
                    MessageDataItem::Preview(ns.clone()),
                ]),
            },
        ];
        for d in responses {
            let checked = check_response(&Response::Data(d));
            prop_assert!(checked.is_ok(), "{:?}", checked);
        }
    }

    /// Strings in commands: LOGIN, ID, SEARCH, RENAME, LIST, FETCH
    /// BODY[HEADER.FIELDS], APPEND, SETMETADATA.
    #[test]
    fn strings_in_commands(a in nasty_bytes(), b in nasty_bytes()) {
        let (Ok(is), Ok(ns), Ok(x), Ok(y), Ok(lit)) = (
            IString::try_new(a.clone()),
            NString::try_new(b.clone()),
            AString::try_new(a.clone()),
            AString::try_new(b.clone()),
            Literal::try_new(b.clone()),
        ) else {
            return Ok(());
        };
        let (ma, mb) = (Mailbox::from_wire(a.clone()).unwrap(), Mailbox::from_wire(b.clone()).unwrap());
        let sec = Section::new(vec![], Some(SectionText::HeaderFields(Vec1::from([x.clone(), y.clone()])))).unwrap();
        let bodies = [
            CommandBody::Login { username: x.clone(), password: Secret::new(y.clone()) },
            CommandBody::Id { parameters: Some(vec![(is.clone(), ns.clone())]) },
            CommandBody::search([SearchKey::Header(x.clone(), y.clone()), SearchKey::Subject(y.clone())]),
            CommandBody::Rename { from: ma.clone(), to: mb.clone() },
            CommandBody::List {
                selection: None,
                reference: ma.clone(),
                patterns: ListPatterns::Single(ListMailbox::from_wire(b.clone()).unwrap()),
                return_options: None,
            },
            CommandBody::fetch(SequenceSet::single(1).unwrap(), FetchItems::Single(FetchAttribute::body_peek(sec))),
            CommandBody::Append { mailbox: mb.clone(), messages: Vec1::from([AppendMessage::new(AppendData::Literal(lit))]) },
            CommandBody::SetMetadata { mailbox: ma, entries: Vec1::from([(MetadataEntry::new(x.clone()), MetadataValue::NString(ns.clone()))]) },
        ];
        for body in bodies {
            let checked = check_command(&Command::new(tag(), body));
            prop_assert!(checked.is_ok(), "{:?}", checked);
        }
    }

    /// Any Unicode name survives modified UTF-7 and one SELECT / LIST.
    #[test]
    fn unicode_mailbox_names(s in any::<String>()) {
        let m = Mailbox::from(s.as_str());
        if !s.eq_ignore_ascii_case("INBOX") {
            prop_assert_eq!(m.name().unwrap(), s.clone());
        }
        let checked = check_command(&Command::new(tag(), CommandBody::select(m)));
        prop_assert!(checked.is_ok(), "{:?}", checked);
        let list = CommandBody::List {
            selection: None,
            reference: Mailbox::from(""),
            patterns: ListPatterns::Single(ListMailbox::from(s.as_str())),
            return_options: None,
        };
        let checked = check_command(&Command::new(tag(), list));
        prop_assert!(checked.is_ok(), "{:?}", checked);
    }

    /// Decoding arbitrary bytes as modified UTF-7 (and showing them) never
    /// panics; whatever decodes re-encodes to the same bytes.
    #[test]
    fn utf7_decode_never_panics(b in proptest::collection::vec(
        prop_oneof![3 => proptest::sample::select(b"&-+,AZaz09/ \x7f\xff".to_vec()), 1 => any::<u8>()],
        0..48,
    )) {
        if let Ok(s) = utf7::decode(&b) {
            let again = utf7::encode(&s);
            prop_assert_eq!(again.as_bytes(), &b[..]);
        }
        if let Ok(m) = Mailbox::from_wire(b.clone()) {
            let _ = (m.name_lossy(), m.to_string());
        }
    }

    /// RFC 2047 header decoding (ENVELOPE subjects, display names) of
    /// arbitrary bytes never panics.
    #[test]
    fn encoded_word_decode_never_panics(b in proptest::collection::vec(
        prop_oneof![3 => proptest::sample::select(b"=?_QqBbutf-8iso-8859-1 \xff\xc3".to_vec()), 1 => any::<u8>()],
        0..48,
    )) {
        let text = imapkit_proto::encoded_word::decode_header(&b);
        let _ = (text.as_str().len(), text.is_complete());
    }
}

/// An unknown response may not start with `[`: since QUIRKS.md row 92 the
/// decoder reads `* [UIDNEXT 5] hi` as `* OK [UIDNEXT 5] hi` (the bare
/// response code of Office 365 and home.pl), so such an `OtherData` would
/// not decode back to itself.
#[test]
fn unknown_responses_do_not_start_with_a_response_code() {
    assert!(OtherData::try_new("[UIDNEXT 5] hi").is_err());
    assert!(OtherData::try_new("[X").is_err());
    let bare = b"* [UIDNEXT 5] hi\r\n";
    let Ok(Decoded::Complete { message, .. }) = decode::response(bare) else {
        panic!("a bare code decodes");
    };
    assert!(matches!(message, Response::Status(_)), "{message:?}");
}
