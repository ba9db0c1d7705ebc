//! The client command examples of RFC 9051 §6, RFC 3501 §6/§8 and the
//! extension RFCs (tests/data/commands/rfc_examples.txt): each decodes,
//! re-encodes byte-exact (or to the documented canonical form), and every
//! strict prefix decodes as Incomplete or LiteralAnnounced.

use std::num::{NonZeroU32, NonZeroU64};

use imapkit_codec::decode::{authenticate_data, command, idle_done};
use imapkit_codec::{Decoded, Encode};
use imapkit_proto::*;

/// (line number, wire bytes, canonical encoding)
fn examples() -> Vec<(usize, Vec<u8>, Vec<u8>)> {
    let text = include_str!("data/commands/rfc_examples.txt");
    let unescape = |s: &str| -> Vec<u8> {
        let mut v = s
            .replace("<CRLF>", "\r\n")
            .replace("<NUL>", "\0")
            .into_bytes();
        v.extend_from_slice(b"\r\n");
        v
    };
    let mut out: Vec<(usize, Vec<u8>, Vec<u8>)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(canon) = line.strip_prefix("=> ") {
            out.last_mut().expect("=> after an example").2 = unescape(canon);
            continue;
        }
        let wire = unescape(line);
        out.push((n + 1, wire.clone(), wire));
    }
    out
}

fn show(b: &[u8]) -> String {
    b.escape_ascii().to_string()
}

fn decode_all(input: &[u8]) -> Command<'_> {
    match command(input) {
        Ok(Decoded::Complete { message, consumed }) => {
            assert_eq!(consumed, input.len(), "{}", show(input));
            message
        }
        other => panic!("{other:?} for {}", show(input)),
    }
}

#[test]
fn examples_decode_and_reencode() {
    let ex = examples();
    assert!(ex.len() > 200, "{}", ex.len());
    for (line, wire, canon) in &ex {
        let c = decode_all(wire);
        let enc = c.to_vec();
        assert_eq!(
            show(&enc),
            show(canon),
            "line {line}: re-encoding of {}",
            show(wire)
        );
        // The canonical form decodes to the same value.
        let c2 = decode_all(&enc);
        assert_eq!(c2, c, "line {line}");
        // Owned values compare equal too.
        assert_eq!(c.clone().into_static(), c, "line {line}");
    }
}

#[test]
fn every_strict_prefix_is_incomplete_or_literal() {
    for (line, wire, _) in examples() {
        for k in 0..wire.len() {
            match command(&wire[..k]) {
                Ok(Decoded::Incomplete) => {}
                Ok(Decoded::LiteralAnnounced { tag, .. }) => {
                    assert!(tag.is_some(), "line {line}: no tag at prefix {k}")
                }
                other => panic!(
                    "line {line}: prefix {k} {:?} gave {other:?}",
                    show(&wire[..k])
                ),
            }
        }
    }
}

fn body(input: &[u8]) -> CommandBody<'static> {
    let mut v = input.to_vec();
    v.extend_from_slice(b"\r\n");
    decode_all(&v).body.into_static()
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

fn set(s: &str) -> SequenceSet {
    SequenceSet::try_from(s).unwrap()
}

fn mbx(s: &'static str) -> Mailbox<'static> {
    Mailbox::from_wire(s).unwrap()
}

fn astr(s: &'static str) -> AString<'static> {
    AString::from(s)
}

fn date(y: u16, m: u8, d: u8) -> Date {
    Date::new(y, m, d).unwrap()
}

#[test]
fn values_of_base_commands() {
    assert_eq!(body(b"abcd CAPABILITY"), CommandBody::Capability);
    assert_eq!(body(b"a1 noop"), CommandBody::Noop);
    assert_eq!(
        body(b"a004 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q="),
        CommandBody::Authenticate {
            mechanism: AuthMechanism::Plain,
            initial_response: Some(Secret::new(Buf::from(b"test\0test\0test".to_vec()))),
        }
    );
    assert_eq!(
        body(b"A01 AUTHENTICATE EXTERNAL ="),
        CommandBody::Authenticate {
            mechanism: AuthMechanism::External,
            initial_response: Some(Secret::new(Buf::from(Vec::new()))),
        }
    );
    assert_eq!(
        body(b"a001 LOGIN SMITH SESAME"),
        CommandBody::Login {
            username: astr("SMITH"),
            password: Secret::new(astr("SESAME")),
        }
    );
    assert_eq!(
        body(b"t2 ENABLE CONDSTORE X-GOOD-IDEA"),
        CommandBody::Enable {
            capabilities: Vec1::try_from(vec![
                Capability::CondStore,
                Capability::Other(Atom::try_from("X-GOOD-IDEA").unwrap()),
            ])
            .unwrap(),
        }
    );
    assert_eq!(
        body(b"a002 select inbox"),
        CommandBody::Select {
            mailbox: Mailbox::Inbox,
            parameters: vec![],
        }
    );
    assert_eq!(
        body(b"A683 RENAME blurdybloop sarasoop"),
        CommandBody::Rename {
            from: mbx("blurdybloop"),
            to: mbx("sarasoop"),
        }
    );
    assert_eq!(
        body(b"A682 LIST \"\" *"),
        CommandBody::List {
            selection: None,
            reference: mbx(""),
            patterns: ListPatterns::Single(ListMailbox::from("*")),
            return_options: None,
        }
    );
    assert_eq!(
        body(b"A003 LSUB \"#news.\" \"comp.%\""),
        CommandBody::Lsub {
            reference: Mailbox::from_astring(AString::String(IString::Quoted(
                Quoted::try_from("#news.").unwrap()
            ))),
            pattern: ListMailbox::String(IString::Quoted(Quoted::try_from("comp.%").unwrap())),
        }
    );
    assert_eq!(
        body(b"A042 STATUS blurdybloop (UIDNEXT MESSAGES)"),
        CommandBody::Status {
            mailbox: mbx("blurdybloop"),
            attributes: Vec1::try_from(vec![StatusAttribute::UidNext, StatusAttribute::Messages])
                .unwrap(),
        }
    );
    assert_eq!(
        body(b"A005 UID COPY 305:310 meeting"),
        CommandBody::Copy {
            uid: true,
            sequence_set: set("305:310"),
            mailbox: mbx("meeting"),
        }
    );
    assert_eq!(
        body(b"a UID MOVE 42:69 foo"),
        CommandBody::Move {
            uid: true,
            sequence_set: set("42:69"),
            mailbox: mbx("foo"),
        }
    );
    assert_eq!(
        body(b"A003 UID EXPUNGE 3000:3002"),
        CommandBody::UidExpunge {
            sequence_set: set("3000:3002")
        }
    );
    assert_eq!(
        body(b"A442 XPIG-LATIN"),
        CommandBody::Other(
            OtherCommand::try_new(Atom::try_from("XPIG-LATIN").unwrap(), None).unwrap()
        )
    );
    assert_eq!(
        body(b"B04 CANCELUPDATE \"B01\""),
        CommandBody::Other(
            OtherCommand::try_new(
                Atom::try_from("CANCELUPDATE").unwrap(),
                Some("\"B01\"".into())
            )
            .unwrap()
        )
    );
}

#[test]
fn values_of_append() {
    let input = b"A003 APPEND saved-messages (\\Seen) {5}\r\nhello\r\n";
    let c = decode_all(input);
    let CommandBody::Append { mailbox, messages } = &c.body else {
        panic!("{c:?}")
    };
    assert_eq!(mailbox, &mbx("saved-messages"));
    assert_eq!(messages.len(), 1);
    let m = messages.first();
    assert_eq!(m.flags, Some(vec![Flag::Seen]));
    assert_eq!(m.date, None);
    let AppendData::Literal(l) = &m.data else {
        panic!()
    };
    assert_eq!(l.data(), b"hello");
    // Zero-copy: the literal points into the input.
    assert_eq!(l.data().as_ptr(), input[40..].as_ptr());

    let b = body(b"A004 APPEND Sent UTF8 (~{3+}\r\nabc)");
    let CommandBody::Append { messages, .. } = b else {
        panic!()
    };
    assert_eq!(
        messages.first().data,
        AppendData::Utf8(Literal8::new(&b"abc"[..], LiteralMode::NonSync).into_static())
    );
}

#[test]
fn values_of_search() {
    assert_eq!(
        body(b"A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\""),
        CommandBody::Search {
            uid: false,
            return_options: None,
            charset: None,
            criteria: Vec1::try_from(vec![
                SearchKey::Flagged,
                SearchKey::Since(date(1994, 2, 1)),
                SearchKey::negated(SearchKey::From(AString::String(IString::Quoted(
                    Quoted::try_from("Smith").unwrap()
                )))),
            ])
            .unwrap(),
        }
    );
    assert_eq!(
        body(b"A285 UID SEARCH RETURN (MIN MAX) 1:5000"),
        CommandBody::Search {
            uid: true,
            return_options: Some(vec![SearchReturnOption::Min, SearchReturnOption::Max]),
            charset: None,
            criteria: Vec1::new(SearchKey::SequenceSet(set("1:5000"))),
        }
    );
    let b = body(b"P283 SEARCH CHARSET UTF-8 (OR $ 1,3000:3021) TEXT {8+}\r\n\xd0\xbc\xd0\xb0\xd1\x82\xd1\x8c");
    let CommandBody::Search {
        charset, criteria, ..
    } = b
    else {
        panic!()
    };
    assert_eq!(charset.unwrap().as_bytes(), b"UTF-8");
    assert_eq!(
        criteria.first(),
        &SearchKey::And(Vec1::new(SearchKey::or(
            SearchKey::SequenceSet(SequenceSet::LastResult),
            SearchKey::SequenceSet(set("1,3000:3021"))
        )))
    );
    assert_eq!(criteria[1].clone().into_static(), {
        let SearchKey::Text(AString::String(IString::Literal(l))) = &criteria[1] else {
            panic!()
        };
        assert_eq!(l.data(), "мать".as_bytes());
        assert_eq!(l.mode(), LiteralMode::NonSync);
        criteria[1].clone()
    });
    assert_eq!(
        body(b"a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338"),
        CommandBody::Search {
            uid: false,
            return_options: None,
            charset: None,
            criteria: Vec1::new(SearchKey::ModSeq {
                entry: Some(SearchModSeqEntry {
                    name: Quoted::try_from("/flags/\\draft").unwrap(),
                    kind: EntryTypeReq::All,
                }),
                modseq: 620162338,
            }),
        }
    );
    assert_eq!(
        body(b"A01 UID SEARCH RETURN (PARTIAL -1:-100) UNDELETED"),
        CommandBody::Search {
            uid: true,
            return_options: Some(vec![SearchReturnOption::Partial(PartialRange::Last(
                nz(1),
                nz(100)
            ))]),
            charset: None,
            criteria: Vec1::new(SearchKey::Undeleted),
        }
    );
    assert_eq!(
        body(b"a1 SEARCH UNSEEN YOUNGER 259200"),
        CommandBody::Search {
            uid: false,
            return_options: None,
            charset: None,
            criteria: Vec1::try_from(vec![SearchKey::Unseen, SearchKey::Younger(nz(259200))])
                .unwrap(),
        }
    );
    assert_eq!(
        body(b"27 search emailid M6d99ac3275bb4e"),
        CommandBody::Search {
            uid: false,
            return_options: None,
            charset: None,
            criteria: Vec1::new(SearchKey::EmailId(
                ObjectId::try_from("M6d99ac3275bb4e").unwrap()
            )),
        }
    );
    assert_eq!(
        body(b"A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL"),
        CommandBody::Sort {
            uid: false,
            return_options: None,
            criteria: Vec1::try_from(vec![
                SortCriterion {
                    reverse: false,
                    key: SortKey::Subject
                },
                SortCriterion {
                    reverse: true,
                    key: SortKey::Date
                },
            ])
            .unwrap(),
            charset: Charset::utf8(),
            search: Vec1::new(SearchKey::All),
        }
    );
    assert_eq!(
        body(b"A285 THREAD REFERENCES UTF-8 SINCE 5-MAR-2000"),
        CommandBody::Thread {
            uid: false,
            algorithm: ThreadAlgorithm::References,
            charset: Charset::utf8(),
            search: Vec1::new(SearchKey::Since(date(2000, 3, 5))),
        }
    );
}

#[test]
fn values_of_fetch_and_store() {
    assert_eq!(
        body(b"A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])"),
        CommandBody::Fetch {
            uid: false,
            sequence_set: set("2:4"),
            items: FetchItems::List(
                Vec1::try_from(vec![
                    FetchAttribute::Flags,
                    FetchAttribute::BodySection {
                        peek: false,
                        section: Section::text(SectionText::HeaderFields(
                            Vec1::try_from(vec![astr("DATE"), astr("FROM")]).unwrap()
                        ))
                        .unwrap(),
                        partial: None,
                    }
                ])
                .unwrap()
            ),
            modifiers: vec![],
        }
    );
    assert_eq!(
        body(b"a003 fetch 12 full"),
        CommandBody::Fetch {
            uid: false,
            sequence_set: set("12"),
            items: FetchItems::Full,
            modifiers: vec![],
        }
    );
    assert_eq!(
        body(b"s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)"),
        CommandBody::Fetch {
            uid: true,
            sequence_set: set("300:500"),
            items: FetchItems::List(Vec1::new(FetchAttribute::Flags)),
            modifiers: vec![FetchModifier::ChangedSince(12345), FetchModifier::Vanished],
        }
    );
    assert_eq!(
        body(b"A005 FETCH 1 (BINARY[1.2]<0.100> BINARY.SIZE[3])"),
        CommandBody::Fetch {
            uid: false,
            sequence_set: set("1"),
            items: FetchItems::List(
                Vec1::try_from(vec![
                    FetchAttribute::Binary {
                        peek: false,
                        part: vec![nz(1), nz(2)],
                        partial: Some(Partial {
                            offset: 0,
                            count: nz(100).into()
                        }),
                    },
                    FetchAttribute::BinarySize { part: vec![nz(3)] },
                ])
                .unwrap()
            ),
            modifiers: vec![],
        }
    );
    assert_eq!(
        body(b"a FETCH 1 (UID PREVIEW (LAZY))"),
        CommandBody::Fetch {
            uid: false,
            sequence_set: set("1"),
            items: FetchItems::List(
                Vec1::try_from(vec![
                    FetchAttribute::Uid,
                    FetchAttribute::Preview { lazy: true }
                ])
                .unwrap()
            ),
            modifiers: vec![],
        }
    );
    assert_eq!(
        body(b"A150 STORE 1:2 (UNCHANGEDSINCE 96) +FLAGS.SILENT \\Seen"),
        CommandBody::Store {
            uid: false,
            sequence_set: set("1:2"),
            modifiers: vec![StoreModifier::UnchangedSince(96)],
            action: StoreAction::Add,
            silent: true,
            target: StoreTarget::Flags(vec![Flag::Seen]),
        }
    );
    assert_eq!(
        body(b"a STORE 1 +X-GM-LABELS (\\Inbox foo)"),
        CommandBody::Store {
            uid: false,
            sequence_set: set("1"),
            modifiers: vec![],
            action: StoreAction::Add,
            silent: false,
            target: StoreTarget::GmailLabels(vec![
                GmailLabel::System(Atom::try_from("Inbox").unwrap()),
                GmailLabel::Label(astr("foo")),
            ]),
        }
    );
}

#[test]
fn values_of_mailbox_extensions() {
    assert_eq!(
        body(b"B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500 15000,22500)))"),
        CommandBody::Select {
            mailbox: Mailbox::Inbox,
            parameters: vec![SelectParameter::QResync {
                uid_validity: nz(67890007),
                mod_seq: NonZeroU64::new(90060115194045000).unwrap(),
                known_uids: Some(set("1:29997")),
                seq_match_data: Some((set("5000,7500"), set("15000,22500"))),
            }],
        }
    );
    assert_eq!(
        body(b"A142 SELECT INBOX (CONDSTORE X-FOO 12 X-BAR (a (b c)))"),
        CommandBody::Select {
            mailbox: Mailbox::Inbox,
            parameters: vec![
                SelectParameter::CondStore,
                SelectParameter::Other(ExtParam {
                    name: Atom::try_from("X-FOO").unwrap(),
                    value: Some(TaggedExtVal::Number(12)),
                }),
                SelectParameter::Other(ExtParam {
                    name: Atom::try_from("X-BAR").unwrap(),
                    value: Some(TaggedExtVal::Comp(vec![
                        TaggedExtComp::AString(astr("a")),
                        TaggedExtComp::List(vec![
                            TaggedExtComp::AString(astr("b")),
                            TaggedExtComp::AString(astr("c")),
                        ]),
                    ])),
                }),
            ],
        }
    );
    assert_eq!(
        body(b"t2 CREATE MySpecial (USE (\\Drafts \\Sent))"),
        CommandBody::Create {
            mailbox: mbx("MySpecial"),
            parameters: vec![CreateParameter::Use(vec![
                UseAttribute::Drafts,
                UseAttribute::Sent
            ])],
        }
    );
    assert_eq!(
        body(b"A02 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" % RETURN (STATUS (MESSAGES) SPECIAL-USE)"),
        CommandBody::List {
            selection: Some(vec![
                ListSelectOption::Subscribed,
                ListSelectOption::RecursiveMatch
            ]),
            reference: mbx(""),
            patterns: ListPatterns::Single(ListMailbox::from("%")),
            return_options: Some(vec![
                ListReturnOption::Status(Vec1::new(StatusAttribute::Messages)),
                ListReturnOption::SpecialUse,
            ]),
        }
    );
    assert_eq!(
        body(b"a3.1 LIST \"\" (% music/rock)"),
        CommandBody::List {
            selection: None,
            reference: mbx(""),
            patterns: ListPatterns::Multiple(
                Vec1::try_from(vec![
                    ListMailbox::from("%"),
                    ListMailbox::from("music/rock")
                ])
                .unwrap()
            ),
            return_options: None,
        }
    );
}

#[test]
fn values_of_other_extensions() {
    assert_eq!(
        body(b"a023 ID (\"name\" \"sodr\" \"version\" NIL)"),
        CommandBody::Id {
            parameters: Some(vec![
                (IString::from("name"), NString::from("sodr")),
                (IString::from("version"), NString::NIL),
            ]),
        }
    );
    assert_eq!(
        body(b"S0001 SETQUOTA \"#user/alice\" (STORAGE 510 X-THINGS 3)"),
        CommandBody::SetQuota {
            root: AString::String(IString::from("#user/alice")),
            limits: vec![
                QuotaLimit {
                    resource: QuotaResourceName::Storage,
                    limit: 510
                },
                QuotaLimit {
                    resource: QuotaResourceName::Other(Atom::try_from("X-THINGS").unwrap()),
                    limit: 3
                },
            ],
        }
    );
    assert_eq!(
        body(b"A002 SETACL INBOX/Drafts Chris +cda"),
        CommandBody::SetAcl {
            mailbox: mbx("INBOX/Drafts"),
            identifier: astr("Chris"),
            mode: AclModMode::Add,
            rights: AclRights::try_from("cda").unwrap(),
        }
    );
    assert_eq!(
        body(b"a GETMETADATA \"INBOX\" (MAXSIZE 1024) (/shared/comment /private/comment)"),
        CommandBody::GetMetadata {
            options: vec![GetMetadataOption::MaxSize(1024)],
            mailbox: Mailbox::Inbox,
            entries: Vec1::try_from(vec![
                MetadataEntry::from("/shared/comment"),
                MetadataEntry::from("/private/comment")
            ])
            .unwrap(),
        }
    );
    // A list of entries after the mailbox that starts like options (the
    // form the encoder writes for entries named MAXSIZE or DEPTH) is the
    // entries when nothing follows it: fuzz input crash-7ff6b257 (decode_command).
    fn entries(names: &[&'static str]) -> Vec1<MetadataEntry<'static>> {
        Vec1::try_from(
            names
                .iter()
                .map(|n| MetadataEntry::from(*n))
                .collect::<Vec<_>>(),
        )
        .unwrap()
    }
    assert_eq!(
        body(b"a GETMETADATA INBOX (MAXSIZE 1mment /private)"),
        CommandBody::GetMetadata {
            options: vec![],
            mailbox: Mailbox::Inbox,
            entries: entries(&["MAXSIZE", "1mment", "/private"]),
        }
    );
    assert_eq!(
        body(b"a GETMETADATA INBOX (DEPTH 1)"),
        CommandBody::GetMetadata {
            options: vec![],
            mailbox: Mailbox::Inbox,
            entries: entries(&["DEPTH", "1"]),
        }
    );
    assert_eq!(
        body(b"a GETMETADATA INBOX (MAXSIZE 1024) /shared/comment"),
        CommandBody::GetMetadata {
            options: vec![GetMetadataOption::MaxSize(1024)],
            mailbox: Mailbox::Inbox,
            entries: entries(&["/shared/comment"]),
        }
    );
    assert_eq!(
        body(b"a SETMETADATA INBOX (/private/comment NIL /shared/x ~{2}\r\n\0\x01)"),
        CommandBody::SetMetadata {
            mailbox: Mailbox::Inbox,
            entries: Vec1::try_from(vec![
                (
                    MetadataEntry::from("/private/comment"),
                    MetadataValue::NString(NString::NIL)
                ),
                (
                    MetadataEntry::from("/shared/x"),
                    MetadataValue::Literal8(Literal8::new(b"\0\x01".to_vec(), LiteralMode::Sync))
                ),
            ])
            .unwrap(),
        }
    );
    assert_eq!(
        body(b"c compress deflate"),
        CommandBody::Compress {
            algorithm: CompressionAlgorithm::Deflate
        }
    );
    assert_eq!(
        body(
            b"a notify set (selected (Messagenew (uid flags) messageExpunge)) (subtree (a b) NONE)"
        ),
        CommandBody::NotifySet {
            status: false,
            groups: Vec1::try_from(vec![
                NotifyEventGroup {
                    filter: NotifyFilter::Selected,
                    events: Some(
                        Vec1::try_from(vec![
                            NotifyEvent::MessageNew(Some(
                                Vec1::try_from(vec![FetchAttribute::Uid, FetchAttribute::Flags])
                                    .unwrap()
                            )),
                            NotifyEvent::MessageExpunge,
                        ])
                        .unwrap()
                    ),
                },
                NotifyEventGroup {
                    filter: NotifyFilter::Subtree(
                        Vec1::try_from(vec![mbx("a"), mbx("b")]).unwrap()
                    ),
                    events: None,
                },
            ])
            .unwrap(),
        }
    );
}

#[test]
fn literal_announced_carries_the_tag() {
    let r = command(b"A003 APPEND saved-messages (\\Seen) {326}\r\nDate: Mon").unwrap();
    assert_eq!(
        r,
        Decoded::LiteralAnnounced {
            tag: Some(Tag::try_from("A003").unwrap()),
            len: 326,
            mode: LiteralMode::Sync
        }
    );
    let r = command(b"A001 LOGIN {11+}\r\nFRED").unwrap();
    assert!(matches!(
        r,
        Decoded::LiteralAnnounced {
            len: 11,
            mode: LiteralMode::NonSync,
            ..
        }
    ));
}

/// (input, offset of the error)
const ERRORS: &[(&[u8], usize)] = &[
    (b"A1 FETCH 0 FLAGS\r\n", 9),
    (b"A1 FETCH 1 FLAGZ[\r\n", 16),
    (b"A1 SEARCH FLAGGED BOGUS\r\n", 18),
    (b"A1 SEARCH SINCE 1-Foo-2000\r\n", 18),
    (b"A1 UID FROB 1\r\n", 7),
    (b"A1 SELECT\r\n", 9),
    (b"A1 STORE 1 FLAGS.LOUD (\\Seen)\r\n", 11),
    (b"A035 SETACL INBOX/Drafts John lrQswicda\r\n", 30),
    (b"A1 AUTHENTICATE PLAIN dGVzd\r\n", 22),
    (b"A1 NOOP extra\r\n", 7),
    (b" NOOP\r\n", 0),
    (b"A1 STATUS INBOX ()\r\n", 16),
    (b"A1 LIST \"\" % RETURNS ()\r\n", 13),
    (
        b"B02 UID SORT RETURN (UPDATE COUNT) UTF-8 KEYWORD $Junk\r\n",
        35,
    ),
];

#[test]
fn errors_have_the_right_offset() {
    for (input, offset) in ERRORS {
        match command(input) {
            Err(e) => assert_eq!(e.offset, *offset, "{} -> {e}", show(input)),
            other => panic!("{} gave {other:?}", show(input)),
        }
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let mut v = b"A1 SEARCH ".to_vec();
    v.extend(std::iter::repeat(b'(').take(10_000));
    v.extend_from_slice(b"ALL");
    v.extend(std::iter::repeat(b')').take(10_000));
    v.extend_from_slice(b"\r\n");
    assert!(command(&v).is_err());
    let mut v = b"A1 SEARCH ".to_vec();
    v.extend(std::iter::repeat(b"NOT ").take(10_000).flatten());
    v.extend_from_slice(b"ALL\r\n");
    assert!(command(&v).is_err());
}

#[test]
fn secrets_stay_out_of_debug() {
    let c = decode_all(b"a001 LOGIN smith hunter2secret\r\n");
    let s = format!("{c:?}");
    assert!(!s.contains("hunter2secret"), "{s}");
    let c = decode_all(b"a004 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n");
    let s = format!("{c:?}");
    assert!(!s.contains("test\\0test") && !s.contains("dGVzd"), "{s}");
    let d = authenticate_data(b"aHVudGVyMg==\r\n").unwrap();
    assert!(!format!("{d:?}").contains("hunter2"));
}

#[test]
fn authenticate_data_and_done() {
    for (input, expect) in [
        (
            &b"dGVzdAB0ZXN0AHRlc3Q=\r\n"[..],
            Some(&b"test\0test\0test"[..]),
        ),
        (b"\r\n", Some(b"")),
        (b"*\r\n", None),
    ] {
        let (d, n) = authenticate_data(input).unwrap().complete().unwrap();
        assert_eq!(n, input.len());
        match (&d, expect) {
            (AuthenticateData::Continue(s), Some(e)) => assert_eq!(s.declassify().as_bytes(), e),
            (AuthenticateData::Cancel, None) => {}
            _ => panic!("{d:?}"),
        }
        assert_eq!(d.to_vec(), input);
        for k in 0..input.len() {
            assert_eq!(authenticate_data(&input[..k]).unwrap(), Decoded::Incomplete);
        }
    }
    assert!(authenticate_data(b"d$\r\n").is_err());
    assert!(authenticate_data(b"abc\r\n").is_err(), "bad padding");
    assert_eq!(idle_done(b"DONE\r\n").unwrap().complete(), Some(((), 6)));
    assert_eq!(idle_done(b"done\r\n").unwrap().complete(), Some(((), 6)));
    assert_eq!(idle_done(b"DON").unwrap(), Decoded::Incomplete);
    assert!(idle_done(b"DONX\r\n").is_err());
    assert_eq!(IdleDone.to_vec(), b"DONE\r\n");
}
