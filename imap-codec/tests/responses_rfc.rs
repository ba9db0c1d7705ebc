//! Server responses from the RFC examples: decode, value, re-encode, prefixes.
//!
//! Data files (imap-codec/tests/data/responses/):
//! - `rfc.txt`: lines that re-encode byte for byte;
//! - `canonical.txt`: lines that re-encode in the documented canonical form;
//! - `invalid.txt`: RFC lines that are not responses (elisions, prose, typos).
//!
//! RFC lines that only a lenient decoder accepts are in `tests/lenient.rs`.

use std::num::NonZeroU32;

use imapkit_codec::decode::{greeting, response};
use imapkit_codec::{Decoded, Encode};
use imapkit_proto::*;

const RFC: &str = include_str!("data/responses/rfc.txt");
const CANONICAL: &str = include_str!("data/responses/canonical.txt");
const INVALID: &str = include_str!("data/responses/invalid.txt");

fn rows(data: &str) -> impl Iterator<Item = Vec<&str>> {
    data.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split('\t').collect())
}

fn crlf(s: &str) -> Vec<u8> {
    let mut b = s.as_bytes().to_vec();
    b.extend_from_slice(b"\r\n");
    b
}

fn decode(b: &[u8]) -> Response<'_> {
    match response(b) {
        Ok(Decoded::Complete { message, consumed }) => {
            assert_eq!(consumed, b.len(), "{}", b.escape_ascii());
            message
        }
        other => panic!("{:?} for {}", other, b.escape_ascii()),
    }
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

/// Every strict prefix is Incomplete or LiteralAnnounced.
fn assert_prefixes(b: &[u8]) {
    for k in 0..b.len() {
        match response(&b[..k]) {
            Ok(Decoded::Incomplete) | Ok(Decoded::LiteralAnnounced { .. }) => {}
            other => panic!(
                "prefix {k} of {}: {:?}",
                b.escape_ascii(),
                other.map(|d| d.complete().map(|c| c.1))
            ),
        }
    }
}

#[test]
fn rfc_lines_roundtrip_exactly() {
    let mut n = 0;
    for row in rows(RFC) {
        let b = crlf(row[1]);
        let r = decode(&b);
        assert_eq!(r.to_vec(), b, "{} {}", row[0], row[1]);
        assert_prefixes(&b);
        n += 1;
    }
    assert!(n > 700, "{n}");
}

#[test]
fn rfc_lines_in_canonical_form() {
    let mut n = 0;
    for row in rows(CANONICAL) {
        let b = crlf(row[1]);
        let r = decode(&b);
        let canon = crlf(row[2]);
        assert_eq!(
            r.to_vec(),
            canon,
            "{} {:?}",
            row[0],
            String::from_utf8_lossy(&r.to_vec())
        );
        assert_eq!(decode(&canon), r, "{}", row[0]);
        assert_prefixes(&b);
        n += 1;
    }
    assert!(n > 50, "{n}");
}

#[test]
fn rfc_non_responses_are_errors() {
    for row in rows(INVALID) {
        let b = crlf(row[1]);
        assert!(response(&b).is_err(), "{} {}", row[0], row[1]);
    }
}

/// Decodes, checks the value, re-encodes to the same bytes, checks prefixes.
fn kat(line: &str, expected: Response<'_>) {
    let b = crlf(line);
    let r = decode(&b);
    assert_eq!(r, expected, "{line}");
    assert_eq!(
        String::from_utf8_lossy(&r.to_vec()),
        String::from_utf8_lossy(&b)
    );
    assert_prefixes(&b);
}

fn text(s: &str) -> Text<'_> {
    Text::try_from(s).unwrap()
}
fn rt<'a>(code: Option<ResponseCode<'a>>, s: &'a str) -> RespText<'a> {
    RespText::new(code, text(s)).unwrap()
}
fn tagged<'a>(
    tag: &'a str,
    status: Status,
    code: Option<ResponseCode<'a>>,
    s: &'a str,
) -> Response<'a> {
    Response::Status(StatusResponse::tagged(
        Tag::try_from(tag).unwrap(),
        status,
        rt(code, s),
    ))
}
fn untagged<'a>(status: Status, code: Option<ResponseCode<'a>>, s: &'a str) -> Response<'a> {
    Response::Status(StatusResponse::untagged(status, rt(code, s)))
}
fn data(d: Data<'_>) -> Response<'_> {
    Response::Data(d)
}
fn atom(s: &str) -> Atom<'_> {
    Atom::try_from(s).unwrap()
}
fn cap(s: &str) -> Capability<'_> {
    Capability::from_atom(atom(s))
}
fn q(s: &str) -> IString<'_> {
    IString::Quoted(Quoted::try_from(s).unwrap())
}
fn mbox(s: &str) -> Mailbox<'_> {
    Mailbox::from_wire(s).unwrap()
}
fn qmbox(s: &str) -> Mailbox<'_> {
    Mailbox::from_astring(AString::String(q(s)))
}
fn set(s: &str) -> SequenceSet {
    SequenceSet::try_from(s).unwrap()
}

#[test]
fn rfc9051_status_responses() {
    use ResponseCode as C;
    kat(
        "* OK [UIDVALIDITY 3857529045] UIDs valid",
        untagged(Status::Ok, Some(C::UidValidity(3857529045)), "UIDs valid"),
    );
    kat(
        "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited",
        untagged(
            Status::Ok,
            Some(C::PermanentFlags(vec![
                FlagPerm::Flag(Flag::Deleted),
                FlagPerm::Flag(Flag::Seen),
                FlagPerm::Asterisk,
            ])),
            "Limited",
        ),
    );
    kat(
        "A142 OK [READ-WRITE] SELECT completed",
        tagged("A142", Status::Ok, Some(C::ReadWrite), "SELECT completed"),
    );
    kat(
        "A003 OK [APPENDUID 38505 3955] APPEND completed",
        tagged(
            "A003",
            Status::Ok,
            Some(C::AppendUid {
                uid_validity: nz(38505),
                uids: set("3955"),
            }),
            "APPEND completed",
        ),
    );
    kat(
        "A004 OK [COPYUID 38505 304,319:320 3956:3958] Done",
        tagged(
            "A004",
            Status::Ok,
            Some(C::CopyUid(Box::new(CopyUidCode {
                uid_validity: nz(38505),
                source: set("304,319:320"),
                destination: set("3956:3958"),
            }))),
            "Done",
        ),
    );
    kat(
        "B283 NO [BADCHARSET UTF-8] KOI8-R is not supported",
        tagged(
            "B283",
            Status::No,
            Some(C::Other(Box::new(OtherCode::unvalidated(
                atom("BADCHARSET"),
                Some(CodeText::try_new("UTF-8").unwrap()),
            )))),
            "KOI8-R is not supported",
        ),
    );
    kat(
        "* NO [BADCHARSET (UTF-8 \"US-ASCII\")] no",
        untagged(
            Status::No,
            Some(C::BadCharset(Some(
                Vec1::try_from(vec![
                    Charset::Atom(atom("UTF-8")),
                    Charset::Quoted(Quoted::try_from("US-ASCII").unwrap()),
                ])
                .unwrap(),
            ))),
            "no",
        ),
    );
    kat(
        "* OK [CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI] ready",
        untagged(
            Status::Ok,
            Some(C::Capability(
                Vec1::try_from(vec![
                    Capability::Imap4Rev2,
                    Capability::StartTls,
                    cap("AUTH=GSSAPI"),
                ])
                .unwrap(),
            )),
            "ready",
        ),
    );
    kat(
        "* NO [UIDNOTSTICKY] Non-persistent UIDs",
        untagged(Status::No, Some(C::UidNotSticky), "Non-persistent UIDs"),
    );
    kat(
        "* BYE IMAP4rev2 Server logging out",
        Response::Status(StatusResponse {
            kind: StatusKind::Bye,
            text: rt(None, "IMAP4rev2 Server logging out"),
        }),
    );
    kat(
        "a047 OK NOOP completed",
        tagged("a047", Status::Ok, None, "NOOP completed"),
    );
    kat(
        "A684 NO Name \"foo\" has inferior hierarchical names",
        tagged(
            "A684",
            Status::No,
            None,
            "Name \"foo\" has inferior hierarchical names",
        ),
    );
    kat(
        "* OK [CLOSED] Previous mailbox is now closed",
        untagged(
            Status::Ok,
            Some(C::Closed),
            "Previous mailbox is now closed",
        ),
    );
    kat(
        "+ Ready for literal data",
        Response::Continue(ContinueRequest::new(rt(None, "Ready for literal data"))),
    );
}

#[test]
fn extension_codes() {
    use ResponseCode as C;
    for (line, code) in [
        ("a NO [AUTHENTICATIONFAILED] x", C::AuthenticationFailed),
        ("a NO [OVERQUOTA] x", C::OverQuota),
        ("a NO [ALREADYEXISTS] x", C::AlreadyExists),
        (
            "a OK [HIGHESTMODSEQ 715194045007] x",
            C::HighestModSeq(715194045007),
        ),
        ("a OK [NOMODSEQ] x", C::NoModSeq),
        ("a OK [MODIFIED 7,9] x", C::Modified(set("7,9"))),
        ("a OK [COMPRESSIONACTIVE] x", C::CompressionActive),
        (
            "a NO [METADATA TOOMANY] x",
            C::Metadata(MetadataCode::TooMany),
        ),
        (
            "a OK [METADATA LONGENTRIES 2199] x",
            C::Metadata(MetadataCode::LongEntries(2199)),
        ),
        (
            "a NO [METADATA MAXSIZE 1024] x",
            C::Metadata(MetadataCode::MaxSize(1024)),
        ),
        ("a NO [USEATTR] x", C::UseAttr),
        (
            "a OK [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] x",
            C::MailboxId(ObjectId::try_new("F2212ea87-6097-4256-9d51-71338625").unwrap()),
        ),
        ("a NO [TOOBIG] x", C::TooBig),
        (
            "a NO [BADURL imap://a/b] x",
            C::BadUrl(CodeText::try_new("imap://a/b").unwrap()),
        ),
        (
            "a NO [REFERRAL IMAP://user;AUTH=*@SERVER2/] x",
            C::Referral(CodeText::try_new("IMAP://user;AUTH=*@SERVER2/").unwrap()),
        ),
        (
            "a NO [BADEVENT (MessageNew MessageExpunge)] x",
            C::BadEvent(Vec1::try_from(vec![atom("MessageNew"), atom("MessageExpunge")]).unwrap()),
        ),
        ("a OK [NOTIFICATIONOVERFLOW] x", C::NotificationOverflow),
        ("a NO [UNKNOWN-CTE] x", C::UnknownCte),
        ("a NO [NOTSAVED] x", C::NotSaved),
        ("a NO [HASCHILDREN] x", C::HasChildren),
    ] {
        let tag = line.split(' ').next().unwrap();
        let t = line.rsplit(' ').next().unwrap();
        let st = if line.contains(" NO ") {
            Status::No
        } else {
            Status::Ok
        };
        kat(line, tagged(tag, st, Some(code), t));
    }
}

#[test]
fn rfc9051_data() {
    kat(
        "* CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI LOGINDISABLED",
        data(Data::Capability(
            Vec1::try_from(vec![
                Capability::Imap4Rev2,
                Capability::StartTls,
                Capability::Auth(AuthMechanism::Other(atom("GSSAPI"))),
                Capability::LoginDisabled,
            ])
            .unwrap(),
        )),
    );
    kat(
        "* ENABLED CONDSTORE",
        data(Data::Enabled(vec![Capability::CondStore])),
    );
    kat(
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
        data(Data::Flags(vec![
            Flag::Answered,
            Flag::Flagged,
            Flag::Deleted,
            Flag::Seen,
            Flag::Draft,
        ])),
    );
    kat(
        "* LIST (\\Noselect) \"/\" ~/Mail/foo",
        data(Data::List(MailboxList {
            attributes: vec![MailboxAttribute::NoSelect],
            delimiter: Some(Delimiter::SLASH),
            mailbox: mbox("~/Mail/foo"),
            extended: vec![],
        })),
    );
    kat(
        "* LIST (\\NonExistent \\Sent) \"/\" \"#mh/Sent Mail\"",
        data(Data::List(MailboxList {
            attributes: vec![MailboxAttribute::NonExistent, MailboxAttribute::Sent],
            delimiter: Some(Delimiter::SLASH),
            mailbox: qmbox("#mh/Sent Mail"),
            extended: vec![],
        })),
    );
    kat(
        "* LIST (\\Subscribed) \"/\" \"Foo\" (CHILDINFO (\"SUBSCRIBED\"))",
        data(Data::List(MailboxList {
            attributes: vec![MailboxAttribute::Subscribed],
            delimiter: Some(Delimiter::SLASH),
            mailbox: qmbox("Foo"),
            extended: vec![ListExtendedItem::ChildInfo(Vec1::new(AString::String(q(
                "SUBSCRIBED",
            ))))],
        })),
    );
    kat(
        "* LIST () \"/\" \"NewMailbox\" (OLDNAME (\"OldMailbox\"))",
        data(Data::List(MailboxList {
            attributes: vec![],
            delimiter: Some(Delimiter::SLASH),
            mailbox: qmbox("NewMailbox"),
            extended: vec![ListExtendedItem::OldName(qmbox("OldMailbox"))],
        })),
    );
    kat(
        "* LIST () NIL flat",
        data(Data::List(MailboxList {
            attributes: vec![],
            delimiter: None,
            mailbox: mbox("flat"),
            extended: vec![],
        })),
    );
    kat(
        "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)",
        data(Data::Status {
            mailbox: mbox("blurdybloop"),
            items: vec![StatusItem::Messages(231), StatusItem::UidNext(44292)],
        }),
    );
    kat(
        "* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800",
        data(Data::ESearch(ESearch {
            tag: Some(AString::String(q("A285"))),
            uid: true,
            data: vec![
                SearchReturnData::Min(nz(7)),
                SearchReturnData::Max(nz(3800)),
            ],
        })),
    );
    kat(
        "* ESEARCH (TAG \"A283\") ALL 2,10:11",
        data(Data::ESearch(ESearch {
            tag: Some(AString::String(q("A283"))),
            uid: false,
            data: vec![SearchReturnData::All(set("2,10:11"))],
        })),
    );
    kat(
        "* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) NIL",
        data(Data::Namespace(Namespaces {
            personal: vec![NamespaceDescr {
                prefix: q(""),
                delimiter: Some(Delimiter::SLASH),
                extensions: vec![],
            }],
            other: vec![NamespaceDescr {
                prefix: q("~"),
                delimiter: Some(Delimiter::SLASH),
                extensions: vec![],
            }],
            shared: vec![],
        })),
    );
    kat("* 172 EXISTS", data(Data::Exists(172)));
    kat("* 0 EXISTS", data(Data::Exists(0)));
    kat("* 3 EXPUNGE", data(Data::Expunge(nz(3))));
    kat(
        "* 14 FETCH (UID 1305 FLAGS (\\Seen \\Deleted))",
        data(Data::Fetch {
            seq: nz(14),
            items: Vec1::try_from(vec![
                MessageDataItem::Uid(nz(1305)),
                MessageDataItem::Flags(
                    vec![FlagFetch::Flag(Flag::Seen), FlagFetch::Flag(Flag::Deleted)].into(),
                ),
            ])
            .unwrap(),
        }),
    );
}

#[test]
fn rfc3501_data() {
    kat("* 18 RECENT", data(Data::Recent(18)));
    kat(
        "* SEARCH 2 84 882",
        data(Data::Search {
            ids: vec![nz(2), nz(84), nz(882)],
            mod_seq: None,
        }),
    );
    kat(
        "* SEARCH",
        data(Data::Search {
            ids: vec![],
            mod_seq: None,
        }),
    );
    kat(
        "* LSUB () \".\" #news.comp.mail.misc",
        data(Data::Lsub(MailboxList {
            attributes: vec![],
            delimiter: Some(Delimiter::DOT),
            mailbox: mbox("#news.comp.mail.misc"),
            extended: vec![],
        })),
    );
    kat(
        "* OK [UNSEEN 12] Message 12 is first unseen",
        untagged(
            Status::Ok,
            Some(ResponseCode::Unseen(nz(12))),
            "Message 12 is first unseen",
        ),
    );
    kat(
        "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292 RECENT 3)",
        data(Data::Status {
            mailbox: mbox("blurdybloop"),
            items: vec![
                StatusItem::Messages(231),
                StatusItem::UidNext(44292),
                StatusItem::Recent(3),
            ],
        }),
    );
}

#[test]
fn extension_data() {
    kat(
        "* SORT 2 3 6",
        data(Data::Sort {
            ids: vec![nz(2), nz(3), nz(6)],
            mod_seq: None,
        }),
    );
    kat(
        "* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)",
        data(Data::Search {
            ids: [2, 5, 6, 7, 11, 12, 18, 19, 20, 23]
                .into_iter()
                .map(nz)
                .collect(),
            mod_seq: Some(917162500),
        }),
    );
    let leaf = |n: u32| Thread {
        ids: vec![nz(n)],
        children: vec![],
    };
    kat(
        "* THREAD (2)(3 6 (4 23)(44 7 96))",
        data(Data::Thread(vec![
            leaf(2),
            Thread {
                ids: vec![nz(3), nz(6)],
                children: vec![
                    Thread {
                        ids: vec![nz(4), nz(23)],
                        children: vec![],
                    },
                    Thread {
                        ids: vec![nz(44), nz(7), nz(96)],
                        children: vec![],
                    },
                ],
            },
        ])),
    );
    kat(
        "* THREAD ((3)(5))",
        data(Data::Thread(vec![Thread {
            ids: vec![],
            children: vec![leaf(3), leaf(5)],
        }])),
    );
    kat("* THREAD", data(Data::Thread(vec![])));
    kat(
        "* VANISHED (EARLIER) 41,43:116,118,120:211,214:540",
        data(Data::Vanished {
            earlier: true,
            uids: set("41,43:116,118,120:211,214:540"),
        }),
    );
    kat(
        "* VANISHED 405,407,410,425",
        data(Data::Vanished {
            earlier: false,
            uids: set("405,407,410,425"),
        }),
    );
    kat(
        "* ID (\"name\" \"Cyrus\" \"version\" \"1.5\" \"os\" NIL)",
        data(Data::Id(Some(vec![
            (q("name"), NString::from("Cyrus")),
            (q("version"), NString::from("1.5")),
            (q("os"), NString::NIL),
        ]))),
    );
    kat("* ID NIL", data(Data::Id(None)));
    kat(
        "* QUOTA \"\" (STORAGE 10 512)",
        data(Data::Quota {
            root: AString::String(q("")),
            resources: vec![QuotaResource {
                name: atom("STORAGE"),
                usage: 10,
                limit: 512,
            }],
        }),
    );
    kat(
        "* QUOTAROOT INBOX \"\"",
        data(Data::QuotaRoot {
            mailbox: Mailbox::Inbox,
            roots: vec![AString::String(q(""))],
        }),
    );
    kat(
        "* ACL INBOX Fred rwipsldexta",
        data(Data::Acl {
            mailbox: Mailbox::Inbox,
            entries: vec![AclEntry {
                identifier: AString::from("Fred"),
                rights: AString::from("rwipsldexta"),
            }],
        }),
    );
    kat(
        "* LISTRIGHTS ~/Mail/saved smith la r swicdkxte",
        data(Data::ListRights(Box::new(ListRights {
            mailbox: mbox("~/Mail/saved"),
            identifier: AString::from("smith"),
            required: AString::from("la"),
            optional: vec![AString::from("r"), AString::from("swicdkxte")],
        }))),
    );
    kat(
        "* MYRIGHTS INBOX rwiptsldaex",
        data(Data::MyRights {
            mailbox: Mailbox::Inbox,
            rights: AString::from("rwiptsldaex"),
        }),
    );
    kat(
        "* METADATA INBOX (/private/comment \"My own comment\")",
        data(Data::Metadata {
            mailbox: Mailbox::Inbox,
            items: MetadataItems::Values(Vec1::new((
                AString::from("/private/comment"),
                NString8::NString(NString::from("My own comment")),
            ))),
        }),
    );
    kat(
        "* METADATA \"\" /shared/comment",
        data(Data::Metadata {
            mailbox: qmbox(""),
            items: MetadataItems::Entries(Vec1::new(AString::from("/shared/comment"))),
        }),
    );
    kat(
        "* STATUS INBOX (MESSAGES 17 SIZE 16234 HIGHESTMODSEQ 7011231777 APPENDLIMIT NIL MAILBOXID (F2212ea87))",
        data(Data::Status {
            mailbox: Mailbox::Inbox,
            items: vec![
                StatusItem::Messages(17),
                StatusItem::Size(16234),
                StatusItem::HighestModSeq(7011231777),
                StatusItem::AppendLimit(None),
                StatusItem::MailboxId(ObjectId::try_new("F2212ea87").unwrap()),
            ],
        }),
    );
    kat(
        "* ESEARCH (TAG \"A01\") UID PARTIAL (-1:-100 200:250,252:300) MODSEQ 9 X-NEW (a (b 3))",
        data(Data::ESearch(ESearch {
            tag: Some(AString::String(q("A01"))),
            uid: true,
            data: vec![
                SearchReturnData::Partial {
                    range: ESearchPartialRange::Last(nz(1), nz(100)),
                    results: Some(set("200:250,252:300")),
                },
                SearchReturnData::ModSeq(9),
                SearchReturnData::Other {
                    name: atom("X-NEW"),
                    value: TaggedExtVal::Comp(vec![
                        TaggedExtComp::AString(AString::from("a")),
                        TaggedExtComp::List(vec![
                            TaggedExtComp::AString(AString::from("b")),
                            TaggedExtComp::AString(AString::from("3")),
                        ]),
                    ]),
                },
            ],
        })),
    );
    kat(
        "* NAMESPACE ((\"\" \"/\")(\"#mh/\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\"))) NIL NIL",
        data(Data::Namespace(Namespaces {
            personal: vec![
                NamespaceDescr {
                    prefix: q(""),
                    delimiter: Some(Delimiter::SLASH),
                    extensions: vec![],
                },
                NamespaceDescr {
                    prefix: q("#mh/"),
                    delimiter: Some(Delimiter::SLASH),
                    extensions: vec![NamespaceExtension {
                        name: q("X-PARAM"),
                        values: Vec1::try_from(vec![q("FLAG1"), q("FLAG2")]).unwrap(),
                    }],
                },
            ],
            other: vec![],
            shared: vec![],
        })),
    );
    // RFC 5465 §8 lines wrapped so that the extractor could not join them.
    kat(
        "* STATUS Lists/Lemonade (UIDVALIDITY 4 UIDNEXT 10000 MESSAGES 501)",
        data(Data::Status {
            mailbox: mbox("Lists/Lemonade"),
            items: vec![
                StatusItem::UidValidity(4),
                StatusItem::UidNext(10000),
                StatusItem::Messages(501),
            ],
        }),
    );
    kat(
        "* STATUS Lists/Lemonade (HIGHESTMODSEQ 65666665 UIDVALIDITY 101)",
        data(Data::Status {
            mailbox: mbox("Lists/Lemonade"),
            items: vec![
                StatusItem::HighestModSeq(65666665),
                StatusItem::UidValidity(101),
            ],
        }),
    );
}

#[test]
fn rfc9051_appendix_session() {
    // RFC 9051 §8 sample session (server lines, FETCH lines are in fetch_pending.txt).
    for line in [
        "* OK [CAPABILITY STARTTLS AUTH=SCRAM-SHA-256 LOGINDISABLED IMAP4rev2] IMAP4rev2 Service Ready",
        "a000 OK Proceed with TLS negotiation",
        "+ cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE5sRiRrMCxzPVcyMlphSjBTTlk3c29Fc1VFamI2Z1E9PSxpPTQwOTY=",
        "+ dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0PQ==",
        "A001 OK SCRAM-SHA-256 authentication successful",
        "* ENABLED IMAP4rev2",
        "babc OK Some capabilities enabled",
        "* 18 EXISTS",
        "* LIST () \"/\" INBOX (\"OLDNAME\" (\"inbox\"))",
        "a002 OK [READ-WRITE] SELECT completed",
        "a005 OK +FLAGS completed",
        "* BYE IMAP4rev2 server terminating connection",
    ] {
        let b = crlf(line);
        let _ = decode(&b);
        assert_prefixes(&b);
    }
    let g = crlf(
        "* OK [CAPABILITY STARTTLS AUTH=SCRAM-SHA-256 LOGINDISABLED IMAP4rev2] IMAP4rev2 Service Ready",
    );
    let (g, _) = greeting(&g).unwrap().complete().unwrap();
    assert_eq!(g.kind, GreetingKind::Ok);
    let b = crlf("+ dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0PQ==");
    match decode(&b) {
        Response::Continue(c) => assert_eq!(
            c.decode_base64().unwrap(),
            b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
        ),
        r => panic!("{r:?}"),
    }
}

#[test]
fn greetings() {
    for (line, kind) in [
        ("* OK IMAP4rev2 server ready", GreetingKind::Ok),
        (
            "* PREAUTH IMAP4rev2 server logged in as Smith",
            GreetingKind::PreAuth,
        ),
        ("* BYE Autologout; idle for too long", GreetingKind::Bye),
    ] {
        let b = crlf(line);
        let (g, n) = greeting(&b).unwrap().complete().unwrap();
        assert_eq!((g.kind, n), (kind, b.len()));
        assert_eq!(g.to_vec(), b);
        for k in 0..b.len() {
            assert_eq!(greeting(&b[..k]).unwrap(), Decoded::Incomplete);
        }
    }
}

#[test]
fn lenient_inputs_and_canonical_output() {
    for (input, canonical) in [
        ("* OK [HIGHESTMODSEQ 9]", "* OK [HIGHESTMODSEQ 9] "),
        ("+", "+ "),
        ("* BYE", "* BYE "),
        ("A1 OK", "A1 OK "),
        (
            "* CAPABILITY IMAP4rev2 IDLE ",
            "* CAPABILITY IMAP4rev2 IDLE",
        ),
        ("* SEARCH 1 2 ", "* SEARCH 1 2"),
        ("* FLAGS (\\Seen) ", "* FLAGS (\\Seen)"),
        (
            "* OK [CAPABILITY IMAP4rev1 ] x",
            "* OK [CAPABILITY IMAP4rev1] x",
        ),
        ("* ok [alert] hi", "* OK [ALERT] hi"),
        ("* 1 exists", "* 1 EXISTS"),
        ("* THREAD (1) (2)", "* THREAD (1)(2)"),
        (
            "* OK [UIDNEXT 0] bad number kept",
            "* OK [UIDNEXT 0] bad number kept",
        ),
        ("* OK [ALERT]x", "* OK [ALERT]x"),
    ] {
        let b = crlf(input);
        let r = decode(&b);
        assert_eq!(
            String::from_utf8_lossy(&r.to_vec()),
            String::from_utf8_lossy(&crlf(canonical))
        );
        assert_eq!(decode(&crlf(canonical)), r);
        assert_prefixes(&b);
    }
}

#[test]
fn unknown_things_are_kept_byte_exact() {
    for line in [
        "* OK [X-UNKNOWN-CODE some args (1 2)] text",
        "* NO [XYZ] text",
        "a NO [NOUPDATE \"B02\"] no",
        "* CAPABILITY IMAP4rev2 X-FANCY-THING AUTH=X-MECH XYZ=ABC",
        "* XYZ whatever (it is) \"here\"",
        "* 5 ARRIVED now",
        "* X-GM-LABELS",
    ] {
        let b = crlf(line);
        let r = decode(&b);
        assert_eq!(
            String::from_utf8_lossy(&r.to_vec()),
            line.to_owned() + "\r\n"
        );
        assert_prefixes(&b);
    }
    match decode(b"* XYZ 1 2\r\n") {
        Response::Data(Data::Other(o)) => {
            assert_eq!(o.name(), b"XYZ");
            assert_eq!(o.as_bytes(), b"XYZ 1 2");
        }
        r => panic!("{r:?}"),
    }
    match decode(b"* OK [UIDNEXT abc] x\r\n") {
        Response::Status(s) => match s.code() {
            Some(ResponseCode::Other(o)) => {
                assert_eq!(o.name().as_bytes(), b"UIDNEXT");
                assert_eq!(o.args().unwrap().as_bytes(), b"abc");
            }
            c => panic!("{c:?}"),
        },
        r => panic!("{r:?}"),
    }
}

#[test]
fn error_offsets() {
    for (input, offset, reason) in [
        (&b"* 0 EXPUNGE\r\n"[..], 2, "expected a non-zero number"),
        (b"* 0 FETCH (UID 1)\r\n", 2, "expected a non-zero number"),
        (b"A1 FOO bar\r\n", 3, "expected OK, NO or BAD"),
        (b"* 1 EXISTS x\r\n", 11, "expected CRLF"),
        (
            b"* LIST () \"ab\" foo\r\n",
            10,
            "expected a single delimiter character",
        ),
        (b"* FLAGS (\\Seen\r\n", 14, "expected SP or )"),
        (b"* STATUS INBOX (MESSAGES x)\r\n", 25, "expected a number"),
        (b"* SEARCH 1 0\r\n", 11, "expected a non-zero number"),
        (b"+x\r\n", 1, "expected SP after +"),
        (b"* 4294967296 EXISTS\r\n", 2, "number out of range"),
    ] {
        let e = response(input).unwrap_err();
        assert_eq!(
            (e.offset, e.reason),
            (offset, reason),
            "{}",
            input.escape_ascii()
        );
    }
    let e = greeting(b"* NO go away\r\n").unwrap_err();
    assert_eq!(e.offset, 2);
}

#[test]
fn literals_in_responses() {
    let b = b"* LIST () \"/\" {3}\r\na b\r\n";
    match response(&b[..20]).unwrap() {
        Decoded::LiteralAnnounced { tag, len, mode } => {
            assert_eq!((tag, len, mode), (None, 3, LiteralMode::Sync));
        }
        d => panic!("{d:?}"),
    }
    let r = decode(b);
    assert_eq!(r.to_vec(), b);
    assert_prefixes(b);
    let b = b"* METADATA INBOX (/shared/x ~{4}\r\n\x01\x02\r\n /private/y {1}\r\nz)\r\n";
    let r = decode(b);
    assert_eq!(r.to_vec(), &b[..]);
    assert_prefixes(b);
    // A non-synchronizing literal never comes from a server (RFC 7888 §3).
    let b = b"* METADATA INBOX (/shared/x ~{4}\r\n\x01\x02\r\n /private/y {1+}\r\nz)\r\n";
    let e = response(b).unwrap_err();
    assert_eq!(
        (e.offset, e.reason),
        (50, "non-synchronizing literal in a response")
    );
    let b = b"* ID (\"name\" {5}\r\nCyrus)\r\n";
    assert_eq!(decode(b).to_vec(), b);
    assert_prefixes(b);
}
