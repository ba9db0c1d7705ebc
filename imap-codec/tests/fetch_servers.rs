//! Realistic FETCH responses modelled on what Dovecot and Gmail send:
//! nested multiparts, RFC 2231 parameters, message/rfc822 attachments,
//! encoded-word and raw UTF-8 subjects, address groups, Gmail items, and
//! the quirks the decoder tolerates (re-encoded in canonical form).

#[path = "fetch_util/mod.rs"]
mod util;

use std::num::NonZeroU32;

use imapkit_proto::{
    AString, AddressKind, Atom, BodyExtension, BodyKind, BodyLanguage, Envelope, EnvelopeFields,
    Flag, FlagFetch, GmailLabel, IString, ItemValue, MessageDataItem as M, NString, Quoted,
    Section,
};
use util::*;

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).expect("non-zero")
}

const DOVECOT_MIXED: &[u8] = b"* 1 FETCH (UID 1021 FLAGS (\\Seen $Forwarded) RFC822.SIZE 195803 \
BODYSTRUCTURE (((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 1432 38 NIL NIL NIL NIL)\
(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 5120 102 NIL NIL NIL NIL) \
\"alternative\" (\"boundary\" \"b2_5f1c\") NIL NIL NIL)\
(\"application\" \"pdf\" (\"name\" \"=?UTF-8?B?5pel5pys6Kqe?=.pdf\") NIL NIL \"base64\" 184320 NIL \
(\"attachment\" (\"filename*\" \"utf-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.pdf\" \"size\" \"134567\")) NIL NIL) \
\"mixed\" (\"boundary\" \"b1_5f1c\") NIL NIL NIL))\r\n";

#[test]
fn dovecot_mixed_alternative_with_rfc2231_attachment() {
    let four_nils = || tail(None, no_lang(), Some((NIL, vec![])));
    let plain = with_ext(
        ltext(
            "plain",
            fields(
                &[("charset", "utf-8")],
                None,
                None,
                "quoted-printable",
                1432,
            ),
            38,
        ),
        NIL,
        four_nils(),
    );
    let html = with_ext(
        ltext(
            "html",
            fields(
                &[("charset", "utf-8")],
                None,
                None,
                "quoted-printable",
                5120,
            ),
            102,
        ),
        NIL,
        four_nils(),
    );
    let pdf = with_ext(
        basic(
            "application",
            "pdf",
            fields(
                &[("name", "=?UTF-8?B?5pel5pys6Kqe?=.pdf")],
                None,
                None,
                "base64",
                184320,
            ),
        ),
        NIL,
        tail(
            Some(dsp(
                "attachment",
                &[
                    ("filename*", "utf-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.pdf"),
                    ("size", "134567"),
                ],
            )),
            no_lang(),
            Some((NIL, vec![])),
        ),
    );
    let structure = multi(
        vec![
            multi(
                vec![one(plain), one(html)],
                "alternative",
                mext(&[("boundary", "b2_5f1c")], four_nils()),
            ),
            one(pdf),
        ],
        "mixed",
        mext(&[("boundary", "b1_5f1c")], four_nils()),
    );
    let expected = [
        M::Uid(nz(1021)),
        M::Flags(
            vec![
                FlagFetch::Flag(Flag::Seen),
                FlagFetch::Flag(Flag::keyword("$Forwarded").unwrap()),
            ]
            .into(),
        ),
        M::Rfc822Size(195803),
        M::BodyStructure(structure.clone().into()),
    ];
    let items = items_of(DOVECOT_MIXED);
    check(items, &expected, None);

    // The accessors find the attachment's RFC 2231 file name.
    let imapkit_proto::BodyStructure::Multipart(m) = &structure else {
        unreachable!()
    };
    let parts = m.parts.to_vec();
    let imapkit_proto::BodyStructure::Single(att) = &parts[1] else {
        unreachable!()
    };
    let ext = att.extension.as_ref().unwrap();
    let d = ext.disposition().unwrap();
    assert_eq!(d.kind.as_bytes(), b"attachment");
    assert_eq!(
        d.param("FILENAME*").as_deref(),
        Some(&b"utf-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.pdf"[..])
    );
    assert_eq!(ext.location(), None);
    assert!(ext.extensions().is_empty());
    assert_eq!(att.media_type(), b"application");
    assert_eq!(
        m.extension.as_ref().unwrap().param("Boundary").as_deref(),
        Some(&b"b1_5f1c"[..])
    );
    assert_eq!(structure.depth(), 3);
}

const GMAIL_ALTERNATIVE: &[u8] = b"* 5 FETCH (X-GM-THRID 1755345434337468521 X-GM-MSGID 1755345434337468521 \
X-GM-LABELS (\\Inbox \\Important \"Travel/2024\" Receipts \"&MMYwuTDI-\") UID 4811 MODSEQ (9187341) \
BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\") NIL NIL \"QUOTED-PRINTABLE\" 2201 45 NIL NIL NIL)\
(\"TEXT\" \"HTML\" (\"CHARSET\" \"UTF-8\") NIL NIL \"QUOTED-PRINTABLE\" 18790 373 NIL NIL NIL) \
\"ALTERNATIVE\" (\"BOUNDARY\" \"000000000000a1b2c3d4e5\") NIL NIL))\r\n";

#[test]
fn gmail_alternative_with_labels() {
    let three_nils = || tail(None, no_lang(), None);
    let part = |sub, size, lines| {
        one(with_ext(
            text(
                sub,
                fields(
                    &[("CHARSET", "UTF-8")],
                    None,
                    None,
                    "QUOTED-PRINTABLE",
                    size,
                ),
                lines,
            ),
            NIL,
            three_nils(),
        ))
    };
    let expected = [
        M::GmailThrId(1755345434337468521),
        M::GmailMsgId(1755345434337468521),
        M::GmailLabels(vec![
            GmailLabel::System(Atom::try_from("Inbox").unwrap()),
            GmailLabel::System(Atom::try_from("Important").unwrap()),
            GmailLabel::Label(AString::String(q("Travel/2024"))),
            GmailLabel::Label(AString::from("Receipts")),
            GmailLabel::Label(AString::String(q("&MMYwuTDI-"))),
        ]),
        M::Uid(nz(4811)),
        M::ModSeq(9187341),
        M::BodyStructure(
            multi(
                vec![part("PLAIN", 2201, 45), part("HTML", 18790, 373)],
                "ALTERNATIVE",
                mext(
                    &[("BOUNDARY", "000000000000a1b2c3d4e5")],
                    tail(None, no_lang(), None),
                ),
            )
            .into(),
        ),
    ];
    check(items_of(GMAIL_ALTERNATIVE), &expected, None);
}

const DOVECOT_FORWARD: &[u8] = b"* 9 FETCH (UID 310 BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 120 4 NIL NIL NIL NIL)\
(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 1843 \
(\"Mon, 3 Jun 2024 09:12:44 +0200\" \"Quarterly numbers\" \
((\"Alice Example\" NIL \"alice\" \"example.com\")) ((\"Alice Example\" NIL \"alice\" \"example.com\")) \
((\"Alice Example\" NIL \"alice\" \"example.com\")) ((\"Bob\" NIL \"bob\" \"example.org\")) NIL NIL NIL \
\"<20240603091244.A12@example.com>\") \
((\"text\" \"plain\" (\"charset\" \"utf-8\" \"format\" \"flowed\") NIL NIL \"8bit\" 912 21 NIL NIL NIL NIL)\
(\"image\" \"png\" (\"name\" \"chart.png\") \"<chart@example.com>\" NIL \"base64\" 40210 NIL (\"inline\" (\"filename\" \"chart.png\")) NIL NIL) \
\"related\" (\"boundary\" \"rel-1\") NIL NIL NIL) 38 NIL \
(\"attachment\" (\"filename\" \"Quarterly numbers.eml\")) NIL NIL) \
\"mixed\" (\"boundary\" \"=-XyZ\") NIL (\"en\" \"de\") \"http://example.com/m\" (\"x-ext\" (1 \"two\" NIL)) 7))\r\n";

#[test]
fn dovecot_message_rfc822_attachment() {
    let four_nils = || tail(None, no_lang(), Some((NIL, vec![])));
    let alice = || {
        vec![addr(
            Some("Alice Example"),
            None,
            Some("alice"),
            Some("example.com"),
        )]
    };
    let inner_env = Envelope::new(EnvelopeFields {
        date: ns("Mon, 3 Jun 2024 09:12:44 +0200"),
        subject: ns("Quarterly numbers"),
        from: alice().into(),
        sender: alice().into(),
        reply_to: alice().into(),
        to: vec![addr(Some("Bob"), None, Some("bob"), Some("example.org"))].into(),
        cc: vec![].into(),
        bcc: vec![].into(),
        in_reply_to: NIL,
        message_id: ns("<20240603091244.A12@example.com>"),
    });
    let inner_body = multi(
        vec![
            one(with_ext(
                ltext(
                    "plain",
                    fields(
                        &[("charset", "utf-8"), ("format", "flowed")],
                        None,
                        None,
                        "8bit",
                        912,
                    ),
                    21,
                ),
                NIL,
                four_nils(),
            )),
            one(with_ext(
                basic(
                    "image",
                    "png",
                    fields(
                        &[("name", "chart.png")],
                        Some("<chart@example.com>"),
                        None,
                        "base64",
                        40210,
                    ),
                ),
                NIL,
                tail(
                    Some(dsp("inline", &[("filename", "chart.png")])),
                    no_lang(),
                    Some((NIL, vec![])),
                ),
            )),
        ],
        "related",
        mext(&[("boundary", "rel-1")], four_nils()),
    );
    let forwarded = with_ext(
        imapkit_proto::Body {
            kind: BodyKind::Message {
                media_type: q("message"),
                subtype: q("rfc822"),
                message: imapkit_proto::Encapsulated::new(inner_env, inner_body),
                lines: 38,
            },
            fields: fields(&[], None, None, "7bit", 1843),
            extension: None,
        },
        NIL,
        tail(
            Some(dsp("attachment", &[("filename", "Quarterly numbers.eml")])),
            no_lang(),
            Some((NIL, vec![])),
        ),
    );
    let cover = with_ext(
        ltext(
            "plain",
            fields(&[("charset", "us-ascii")], None, None, "7bit", 120),
            4,
        ),
        NIL,
        four_nils(),
    );
    let structure = multi(
        vec![one(cover), one(forwarded)],
        "mixed",
        mext(
            &[("boundary", "=-XyZ")],
            tail(
                None,
                Some(BodyLanguage::List(
                    imapkit_proto::Vec1::try_from(vec![q("en"), q("de")]).unwrap(),
                )),
                Some((
                    ns("http://example.com/m"),
                    vec![
                        BodyExtension::List(vec![
                            BodyExtension::NString(ns("x-ext")),
                            BodyExtension::List(vec![
                                BodyExtension::Number(1),
                                BodyExtension::NString(ns("two")),
                                BodyExtension::NString(NIL),
                            ]),
                        ]),
                        BodyExtension::Number(7),
                    ],
                )),
            ),
        ),
    );
    assert_eq!(structure.depth(), 4);
    let items = items_of(DOVECOT_FORWARD);
    check(
        items,
        &[M::Uid(nz(310)), M::BodyStructure(structure.into())],
        None,
    );
}

const JAPANESE_GROUPS: &[u8] = b"* 7 FETCH (UID 88 ENVELOPE (\"Tue, 14 May 2024 10:01:02 +0900\" \
\"=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?= =?UTF-8?B?5Lya6K2w44Gu6K2w5LqL6Yyy?=\" \
((\"=?UTF-8?B?5bGx55Sw5aSq6YOO?=\" NIL \"yamada\" \"example.jp\")) \
((\"=?UTF-8?B?5bGx55Sw5aSq6YOO?=\" NIL \"yamada\" \"example.jp\")) \
((\"=?UTF-8?B?5bGx55Sw5aSq6YOO?=\" NIL \"yamada\" \"example.jp\")) \
((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) \
((NIL NIL \"team\" NIL)(\"Hanako Sato\" NIL \"hanako\" \"example.jp\")(\"Jiro\" NIL \"jiro\" \"example.jp\")(NIL NIL NIL NIL)) \
NIL \"<20240514.abc@example.jp>\" \"<20240514.def@example.jp>\"))\r\n";

#[test]
fn envelope_with_encoded_words_and_groups() {
    let yamada = || {
        vec![addr(
            Some("=?UTF-8?B?5bGx55Sw5aSq6YOO?="),
            None,
            Some("yamada"),
            Some("example.jp"),
        )]
    };
    let env = Envelope::new(EnvelopeFields {
        date: ns("Tue, 14 May 2024 10:01:02 +0900"),
        subject: ns("=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?= =?UTF-8?B?5Lya6K2w44Gu6K2w5LqL6Yyy?="),
        from: yamada().into(),
        sender: yamada().into(),
        reply_to: yamada().into(),
        to: vec![
            addr(None, None, Some("undisclosed-recipients"), None),
            addr(None, None, None, None),
        ]
        .into(),
        cc: vec![
            addr(None, None, Some("team"), None),
            addr(
                Some("Hanako Sato"),
                None,
                Some("hanako"),
                Some("example.jp"),
            ),
            addr(Some("Jiro"), None, Some("jiro"), Some("example.jp")),
            addr(None, None, None, None),
        ]
        .into(),
        bcc: vec![].into(),
        in_reply_to: ns("<20240514.abc@example.jp>"),
        message_id: ns("<20240514.def@example.jp>"),
    });
    let kinds: Vec<AddressKind> = env.cc().iter().map(|a| a.kind()).collect();
    assert_eq!(
        kinds,
        [
            AddressKind::GroupStart,
            AddressKind::Mailbox,
            AddressKind::Mailbox,
            AddressKind::GroupEnd
        ]
    );
    check(
        items_of(JAPANESE_GROUPS),
        &[M::Uid(nz(88)), M::Envelope(env)],
        None,
    );
}

#[test]
fn envelope_with_raw_utf8_literal_subject() {
    // 8-bit header text comes as a literal (Dovecot), or quoted with UTF8=ACCEPT.
    let subject = "日本語の件名です";
    let wire = format!(
        "(UID 89 ENVELOPE (\"Wed, 15 May 2024 08:00:00 +0900\" {{{}}}\r\n{} \
((\"山田 太郎\" NIL \"yamada\" \"example.jp\")) NIL NIL NIL NIL NIL NIL NIL))",
        subject.len(),
        subject
    );
    let env = Envelope::new(EnvelopeFields {
        date: ns("Wed, 15 May 2024 08:00:00 +0900"),
        subject: NString(Some(lit(subject.as_bytes()))),
        from: vec![addr(
            Some("山田 太郎"),
            None,
            Some("yamada"),
            Some("example.jp"),
        )]
        .into(),
        ..EnvelopeFields::default()
    });
    check(wire.as_bytes(), &[M::Uid(nz(89)), M::Envelope(env)], None);
}

#[test]
fn gmail_body_literal_and_quoted_system_labels() {
    let msg = b"From: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n";
    let mut wire = b"(X-GM-LABELS (\"\\\\Important\" \"\\\\Sent\" Work) UID 12 BODY[] {".to_vec();
    wire.extend_from_slice(msg.len().to_string().as_bytes());
    wire.extend_from_slice(b"}\r\n");
    wire.extend_from_slice(msg);
    wire.extend_from_slice(b" FLAGS ())");
    check(
        &wire,
        &[
            M::GmailLabels(vec![
                GmailLabel::Label(AString::String(IString::Quoted(
                    Quoted::try_from("\\Important").unwrap(),
                ))),
                GmailLabel::Label(AString::String(IString::Quoted(
                    Quoted::try_from("\\Sent").unwrap(),
                ))),
                GmailLabel::Label(AString::from("Work")),
            ]),
            M::Uid(nz(12)),
            M::BodySection {
                section: Section::whole(),
                origin: None,
                data: NString(Some(lit(msg))),
            },
            M::Flags(vec![].into()),
        ],
        None,
    );
}

#[test]
fn tolerated_quirks_reencode_canonically() {
    // `()` for NIL parameters and address lists, a space between parts,
    // lowercase keywords and `{n}` literals for the media type.
    let wire = b"(bodystructure ((\"TEXT\" \"PLAIN\" () NIL NIL \"7BIT\" 10 1) ({4}\r\ntext \"HTML\" NIL NIL NIL \"7BIT\" 20 2) \"ALTERNATIVE\") \
envelope (NIL NIL () NIL NIL ((NIL NIL \"a\" \"b\") (NIL NIL \"c\" \"d\")) NIL NIL NIL NIL))";
    let canonical = b"(BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10 1)({4}\r\ntext \"HTML\" NIL NIL NIL \"7BIT\" 20 2) \"ALTERNATIVE\") \
ENVELOPE (NIL NIL NIL NIL NIL ((NIL NIL \"a\" \"b\")(NIL NIL \"c\" \"d\")) NIL NIL NIL NIL))";
    let structure = multi(
        vec![
            one(text("PLAIN", fields(&[], None, None, "7BIT", 10), 1)),
            one(text_as(
                lit(b"text"),
                "HTML",
                fields(&[], None, None, "7BIT", 20),
                2,
            )),
        ],
        "ALTERNATIVE",
        None,
    );
    let env = Envelope::new(EnvelopeFields {
        to: vec![
            addr(None, None, Some("a"), Some("b")),
            addr(None, None, Some("c"), Some("d")),
        ]
        .into(),
        ..EnvelopeFields::default()
    });
    check(
        wire,
        &[M::BodyStructure(structure.into()), M::Envelope(env)],
        Some(canonical),
    );
}

#[test]
fn unknown_items_are_kept() {
    check(
        b"(X-GUID \"a3f1c2\" UID 5 X-MAILBOX-INFO (12 \"INBOX\" (NIL ())) X-SIZE 0)",
        &[
            M::Other {
                name: Atom::try_from("X-GUID").unwrap(),
                value: ItemValue::NString(ns("a3f1c2")),
            },
            M::Uid(nz(5)),
            M::Other {
                name: Atom::try_from("X-MAILBOX-INFO").unwrap(),
                value: ItemValue::List(vec![
                    ItemValue::Number(12),
                    ItemValue::NString(ns("INBOX")),
                    ItemValue::List(vec![ItemValue::NString(NIL), ItemValue::List(vec![])]),
                ]),
            },
            M::Other {
                name: Atom::try_from("X-SIZE").unwrap(),
                value: ItemValue::Number(0),
            },
        ],
        None,
    );
}

fn atom_value(a: &str) -> ItemValue<'_> {
    ItemValue::Atom(Atom::try_from(a).unwrap())
}

/// RFC 5257 §4.4's ANNOTATION item (an extension this crate reads only
/// generically): entry names and attribute names are atoms.
#[test]
fn annotation_items_are_kept_generically() {
    check(
        b"(UID 1 ANNOTATION (/comment (value.priv \"My comment\" value.shared NIL) /altsubject (size.priv \"10\" size.shared \"0\")))",
        &[
            M::Uid(nz(1)),
            M::Other {
                name: Atom::try_from("ANNOTATION").unwrap(),
                value: ItemValue::List(vec![
                    atom_value("/comment"),
                    ItemValue::List(vec![
                        atom_value("value.priv"),
                        ItemValue::NString(ns("My comment")),
                        atom_value("value.shared"),
                        ItemValue::NString(NIL),
                    ]),
                    atom_value("/altsubject"),
                    ItemValue::List(vec![
                        atom_value("size.priv"),
                        ItemValue::NString(ns("10")),
                        atom_value("size.shared"),
                        ItemValue::NString(ns("0")),
                    ]),
                ]),
            },
        ],
        None,
    );
}

/// AOL's extension items (the shape of MailKit's `dovecot/fetch1.txt`
/// resource, QUIRKS.md row 68): a number and a list of atoms; a token
/// that starts with digits but holds letters is an atom, `nil` in any case
/// is `NIL`.
#[test]
fn aol_items_with_atoms_are_kept() {
    check(
        b"(MODSEQ (4) XAOL.SPAM.REASON 0 XAOL-MSGID 1 XAOL-PAREN-LIST (XAOL-TOKEN-PARAM XAOL-TOKEN-VALUE) X-A (1x NIL))",
        &[
            M::ModSeq(4),
            M::Other {
                name: Atom::try_from("XAOL.SPAM.REASON").unwrap(),
                value: ItemValue::Number(0),
            },
            M::Other {
                name: Atom::try_from("XAOL-MSGID").unwrap(),
                value: ItemValue::Number(1),
            },
            M::Other {
                name: Atom::try_from("XAOL-PAREN-LIST").unwrap(),
                value: ItemValue::List(vec![
                    atom_value("XAOL-TOKEN-PARAM"),
                    atom_value("XAOL-TOKEN-VALUE"),
                ]),
            },
            M::Other {
                name: Atom::try_from("X-A").unwrap(),
                value: ItemValue::List(vec![atom_value("1x"), ItemValue::NString(NIL)]),
            },
        ],
        None,
    );
}
