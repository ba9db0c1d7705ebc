//! FETCH response examples of RFC 9051, RFC 3501 and the extension RFCs:
//! each decodes to the expected value, re-encodes byte-exact, and every
//! strict prefix is incomplete.
//!
//! Examples that the RFCs wrap over several lines are joined with single
//! spaces (the wrapping is typographic).

#[path = "fetch_util/mod.rs"]
mod util;

use std::num::NonZeroU32;

use imapkit_proto::{
    BinaryData, Body, BodyKind, BodyStructure, Buf, Date, DateTime, Envelope, EnvelopeFields, Flag,
    FlagFetch, MessageDataItem as M, Multipart, ObjectId, Section, SectionText, Vec1,
};
use util::*;

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).expect("non-zero")
}

fn flags(f: &[Flag<'static>]) -> M<'static> {
    M::Flags(f.iter().cloned().map(FlagFetch::Flag).collect())
}

fn kw(k: &'static str) -> Flag<'static> {
    Flag::keyword(k).expect("keyword")
}

fn line(l: &[u8], expected: &[M<'_>]) {
    check(items_of(l), expected, None);
}

#[test]
fn rfc9051_flags_and_uid() {
    // §6.3.? (UID), §6.4.6 STORE, §6.4.9 UID, §7.5.2
    line(
        b"* 14 FETCH (UID 1305 FLAGS (\\Seen \\Deleted))\r\n",
        &[M::Uid(nz(1305)), flags(&[Flag::Seen, Flag::Deleted])],
    );
    line(
        b"* 2 FETCH (FLAGS (\\Deleted \\Seen))\r\n",
        &[flags(&[Flag::Deleted, Flag::Seen])],
    );
    line(
        b"* 3 FETCH (FLAGS (\\Deleted))\r\n",
        &[flags(&[Flag::Deleted])],
    );
    line(
        b"* 4 FETCH (FLAGS (\\Deleted \\Flagged \\Seen))\r\n",
        &[flags(&[Flag::Deleted, Flag::Flagged, Flag::Seen])],
    );
    for (n, uid) in [(23, 4827313), (24, 4827943), (25, 4828442)] {
        let l = format!("* {n} FETCH (FLAGS (\\Seen) UID {uid})\r\n");
        line(l.as_bytes(), &[flags(&[Flag::Seen]), M::Uid(nz(uid))]);
    }
    line(
        b"* 23 FETCH (FLAGS (\\Seen) RFC822.SIZE 44827 UID 447)\r\n",
        &[flags(&[Flag::Seen]), M::Rfc822Size(44827), M::Uid(nz(447))],
    );
}

#[test]
fn rfc3501_flags() {
    line(
        b"* 14 FETCH (FLAGS (\\Seen \\Deleted))\r\n",
        &[flags(&[Flag::Seen, Flag::Deleted])],
    );
    line(
        b"* 23 FETCH (FLAGS (\\Seen) RFC822.SIZE 44827)\r\n",
        &[flags(&[Flag::Seen]), M::Rfc822Size(44827)],
    );
}

fn terry_envelope(subject: &'static str, message_id: &'static str) -> Envelope<'static> {
    let terry = || {
        vec![addr(
            Some("Terry Gray"),
            None,
            Some("gray"),
            Some("cac.washington.edu"),
        )]
    };
    Envelope::new(EnvelopeFields {
        date: ns("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)"),
        subject: ns(subject),
        from: terry().into(),
        sender: terry().into(),
        reply_to: terry().into(),
        to: vec![addr(None, None, Some("imap"), Some("cac.washington.edu"))].into(),
        cc: vec![
            addr(None, None, Some("minutes"), Some("CNRI.Reston.VA.US")),
            addr(Some("John Klensin"), None, Some("KLENSIN"), Some("MIT.EDU")),
        ]
        .into(),
        bcc: vec![].into(),
        in_reply_to: NIL,
        message_id: ns(message_id),
    })
}

fn sample_full(subject: &'static str, message_id: &'static str) -> Vec<M<'static>> {
    let date = DateTime::new(Date::new(1996, 7, 17).unwrap(), 2, 44, 25, -7 * 60).unwrap();
    vec![
        flags(&[Flag::Seen]),
        M::InternalDate(date),
        M::Rfc822Size(4286),
        M::Envelope(terry_envelope(subject, message_id)),
        M::Body(
            BodyStructure::Single(text(
                "PLAIN",
                fields(&[("CHARSET", "US-ASCII")], None, None, "7BIT", 3028),
                92,
            ))
            .into(),
        ),
    ]
}

const HEADER_342: &[u8] = b"Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n\
From: Terry Gray <gray@cac.washington.edu>\r\n\
Subject: IMAP4rev1 WG mtg summary and minutes\r\n\
To: imap@cac.washington.edu\r\n\
cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n\
Message-Id: <B27397-0100000@cac.washington.edu>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n";

#[test]
fn rfc9051_sample_session() {
    // RFC 9051 §8 (the line break after `ENVELOPE (` is typographic).
    line(
        b"* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" \
RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \
\"IMAP4rev2 WG mtg summary and minutes\" \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((NIL NIL \"imap\" \"cac.washington.edu\")) \
((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")\
(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \
\"<B27397-0100000@cac.washington.ed>\") \
BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n",
        &sample_full(
            "IMAP4rev2 WG mtg summary and minutes",
            "<B27397-0100000@cac.washington.ed>",
        ),
    );
    let header = String::from_utf8_lossy(HEADER_342)
        .replace("IMAP4rev1", "IMAP4rev2")
        .into_bytes();
    let mut wire = b"* 12 FETCH (BODY[HEADER] {342}\r\n".to_vec();
    wire.extend_from_slice(&header);
    wire.extend_from_slice(b")\r\n");
    line(
        &wire,
        &[M::BodySection {
            section: Section::text(SectionText::Header).unwrap(),
            origin: None,
            data: imapkit_proto::NString(Some(lit(&header))),
        }],
    );
    line(
        b"* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\n",
        &[flags(&[Flag::Seen, Flag::Deleted])],
    );
}

#[test]
fn rfc3501_sample_session() {
    // RFC 3501 §8.
    line(
        b"* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" \
RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \
\"IMAP4rev1 WG mtg summary and minutes\" \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) \
((NIL NIL \"imap\" \"cac.washington.edu\")) \
((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")\
(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \
\"<B27397-0100000@cac.washington.edu>\") \
BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n",
        &sample_full(
            "IMAP4rev1 WG mtg summary and minutes",
            "<B27397-0100000@cac.washington.edu>",
        ),
    );
    let mut wire = b"* 12 FETCH (BODY[HEADER] {342}\r\n".to_vec();
    wire.extend_from_slice(HEADER_342);
    wire.extend_from_slice(b")\r\n");
    line(
        &wire,
        &[M::BodySection {
            section: Section::text(SectionText::Header).unwrap(),
            origin: None,
            data: imapkit_proto::NString(Some(lit(HEADER_342))),
        }],
    );
}

#[test]
fn rfc9051_bodystructure_examples() {
    // RFC 9051 §7.5.2 BODYSTRUCTURE: a simple text message ...
    check(
        b"(BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 2279 48))",
        &[M::BodyStructure(
            BodyStructure::Single(text(
                "PLAIN",
                fields(&[("CHARSET", "US-ASCII")], None, None, "7BIT", 2279),
                48,
            ))
            .into(),
        )],
        None,
    );
    // ... and a two-part message with a base64-encoded text attachment.
    let two_parts = BodyStructure::Multipart(Multipart {
        parts: Vec1::try_from(vec![
            BodyStructure::Single(text(
                "PLAIN",
                fields(&[("CHARSET", "US-ASCII")], None, None, "7BIT", 1152),
                23,
            )),
            BodyStructure::Single(text(
                "PLAIN",
                fields(
                    &[("CHARSET", "US-ASCII"), ("NAME", "cc.diff")],
                    Some("<960723163407.20117h@cac.washington.edu>"),
                    Some("Compiler diff"),
                    "BASE64",
                    4554,
                ),
                73,
            )),
        ])
        .unwrap()
        .into(),
        subtype: q("MIXED"),
        extension: None,
    });
    check(
        b"(BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23)\
(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") \
\"<960723163407.20117h@cac.washington.edu>\" \"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\"))",
        &[M::BodyStructure(two_parts.clone().into())],
        None,
    );
    // The same as BODY, the non-extensible form.
    check(
        b"(BODY ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23)\
(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") \
\"<960723163407.20117h@cac.washington.edu>\" \"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\"))",
        &[M::Body(two_parts.into())],
        None,
    );
}

#[test]
fn rfc7162_modseq() {
    let cases: &[(&[u8], &[M<'static>])] = &[
        (
            b"* 1 FETCH (UID 4 MODSEQ (12121231000))\r\n",
            &[M::Uid(nz(4)), M::ModSeq(12121231000)],
        ),
        (
            b"* 50 FETCH (MODSEQ (12111230047))\r\n",
            &[M::ModSeq(12111230047)],
        ),
        (
            b"* 5 FETCH (MODSEQ (320162350))\r\n",
            &[M::ModSeq(320162350)],
        ),
        (
            b"* 101 FETCH (MODSEQ (303011130956) FLAGS ($Processed))\r\n",
            &[],
        ),
        (
            b"* 7 FETCH (FLAGS (\\Deleted \\Answered) MODSEQ (12121231000))\r\n",
            &[],
        ),
        (b"* 1 FETCH (MODSEQ (320172342) FLAGS (\\SEEN))\r\n", &[]),
        (
            b"* 49 FETCH (UID 117 FLAGS (\\Seen \\Answered) MODSEQ (90060115194045001))\r\n",
            &[],
        ),
        (
            b"* 50 FETCH (UID 119 FLAGS (\\Draft $MDNSent) MODSEQ (90060115194045308))\r\n",
            &[],
        ),
        (
            b"* 5 FETCH (UID 9 MODSEQ (20010715195517000) FLAGS ($NoJunk $AutoJunk $MDNSent))\r\n",
            &[],
        ),
        (
            b"* 4 FETCH (UID 8 MODSEQ (29738) FLAGS ($NoJunk $AutoJunk $MDNSent))\r\n",
            &[],
        ),
    ];
    let expected: Vec<Vec<M<'static>>> = vec![
        cases[0].1.to_vec(),
        cases[1].1.to_vec(),
        cases[2].1.to_vec(),
        vec![M::ModSeq(303011130956), flags(&[kw("$Processed")])],
        vec![
            flags(&[Flag::Deleted, Flag::Answered]),
            M::ModSeq(12121231000),
        ],
        vec![M::ModSeq(320172342), flags(&[Flag::Seen])],
        vec![
            M::Uid(nz(117)),
            flags(&[Flag::Seen, Flag::Answered]),
            M::ModSeq(90060115194045001),
        ],
        vec![
            M::Uid(nz(119)),
            flags(&[Flag::Draft, kw("$MDNSent")]),
            M::ModSeq(90060115194045308),
        ],
        vec![
            M::Uid(nz(9)),
            M::ModSeq(20010715195517000),
            flags(&[kw("$NoJunk"), kw("$AutoJunk"), kw("$MDNSent")]),
        ],
        vec![
            M::Uid(nz(8)),
            M::ModSeq(29738),
            flags(&[kw("$NoJunk"), kw("$AutoJunk"), kw("$MDNSent")]),
        ],
    ];
    for ((wire, _), exp) in cases.iter().zip(&expected) {
        let items = items_of(wire);
        // `\SEEN` re-encodes in its canonical spelling `\Seen`.
        let canonical = String::from_utf8_lossy(items).replace("\\SEEN", "\\Seen");
        check(items, exp, Some(canonical.as_bytes()));
    }
}

#[test]
fn rfc8474_object_ids() {
    let id = |s: &'static str| ObjectId::try_from(s).unwrap();
    line(
        b"* 1 FETCH (EMAILID (M6d99ac3275bb4e) THREADID (T64b478a75b7ea9))\r\n",
        &[
            M::EmailId(id("M6d99ac3275bb4e")),
            M::ThreadId(Some(id("T64b478a75b7ea9"))),
        ],
    );
    line(
        b"* 3 FETCH (EMAILID (M5fdc09b49ea703) THREADID (T11863d02dd95b5))\r\n",
        &[
            M::EmailId(id("M5fdc09b49ea703")),
            M::ThreadId(Some(id("T11863d02dd95b5"))),
        ],
    );
    line(
        b"* 1 FETCH (EMAILID (M00000001) THREADID NIL)\r\n",
        &[M::EmailId(id("M00000001")), M::ThreadId(None)],
    );
}

#[test]
fn rfc8514_savedate() {
    let d = DateTime::new(Date::new(2015, 1, 1).unwrap(), 18, 50, 53, 60).unwrap();
    // The day `01` re-encodes in the canonical `date-day-fixed` form ` 1`.
    check(
        items_of(b"* 998 FETCH (SAVEDATE \"01-Jan-2015 18:50:53 +0100\")\r\n"),
        &[M::SaveDate(Some(d))],
        Some(b"(SAVEDATE \" 1-Jan-2015 18:50:53 +0100\")"),
    );
    check(b"(SAVEDATE NIL)", &[M::SaveDate(None)], None);
}

#[test]
fn rfc8970_preview() {
    // Modelled on RFC 8970 §4 (the RFC text is not in the shared folder):
    // PREVIEW is an nstring, NIL when no preview can be generated.
    check(
        b"(UID 1 PREVIEW \"Lorem ipsum dolor sit amet, consectetur adipiscing elit.\")",
        &[
            M::Uid(nz(1)),
            M::Preview(ns(
                "Lorem ipsum dolor sit amet, consectetur adipiscing elit.",
            )),
        ],
        None,
    );
    check(b"(PREVIEW NIL)", &[M::Preview(NIL)], None);
    check(
        b"(PREVIEW {12}\r\n\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e...)",
        &[M::Preview(imapkit_proto::NString(Some(lit(
            "日本語...".as_bytes()
        ))))],
        None,
    );
}

#[test]
fn rfc3516_binary() {
    // RFC 3516 §4.3: BINARY[part]<origin> as string, literal8 (NUL allowed) or NIL, and BINARY.SIZE.
    check(
        b"(BINARY[1] ~{5}\r\n\x00\x01\x02\xff\n BINARY.SIZE[1] 5)",
        &[
            M::Binary {
                section: vec![nz(1)],
                origin: None,
                data: BinaryData::Literal8(Buf::borrowed(b"\x00\x01\x02\xff\n")),
            },
            M::BinarySize {
                section: vec![nz(1)],
                size: 5,
            },
        ],
        None,
    );
    check(
        b"(BINARY[1.2]<100> \"hello\" BINARY[] NIL BINARY.SIZE[] 4286)",
        &[
            M::Binary {
                section: vec![nz(1), nz(2)],
                origin: Some(100),
                data: BinaryData::NString(ns("hello")),
            },
            M::Binary {
                section: vec![],
                origin: None,
                data: BinaryData::NString(NIL),
            },
            M::BinarySize {
                section: vec![],
                size: 4286,
            },
        ],
        None,
    );
}

#[test]
fn rfc3501_rfc822_items() {
    check(
        b"(RFC822 {7}\r\nA: b\r\n\r RFC822.HEADER \"A: b\" RFC822.TEXT NIL)",
        &[
            M::Rfc822(imapkit_proto::NString(Some(lit(b"A: b\r\n\r")))),
            M::Rfc822Header(ns("A: b")),
            M::Rfc822Text(NIL),
        ],
        None,
    );
}

#[test]
fn body_sections_and_partial() {
    let fields_sec = Section::text(SectionText::HeaderFields(
        Vec1::try_from(vec![
            imapkit_proto::AString::from("FROM"),
            imapkit_proto::AString::from("SUBJECT"),
        ])
        .unwrap(),
    ))
    .unwrap();
    check(
        b"(BODY[HEADER.FIELDS (FROM SUBJECT)] {8}\r\nFrom: a\n BODY[1.2.MIME] \"x\" BODY[]<0> {3}\r\nabc BODY[2] NIL)",
        &[
            M::BodySection {
                section: fields_sec,
                origin: None,
                data: imapkit_proto::NString(Some(lit(b"From: a\n"))),
            },
            M::BodySection {
                section: Section::new(vec![nz(1), nz(2)], Some(SectionText::Mime)).unwrap(),
                origin: None,
                data: ns("x"),
            },
            M::BodySection {
                section: Section::whole(),
                origin: Some(0),
                data: imapkit_proto::NString(Some(lit(b"abc"))),
            },
            M::BodySection {
                section: Section::new(vec![nz(2)], None).unwrap(),
                origin: None,
                data: NIL,
            },
        ],
        None,
    );
}

#[test]
fn keywords_are_case_insensitive_and_reencode_uppercase() {
    check(
        b"(uid 7 Rfc822.Size 10 body[text] NIL)",
        &[
            M::Uid(nz(7)),
            M::Rfc822Size(10),
            M::BodySection {
                section: Section::text(SectionText::Text).unwrap(),
                origin: None,
                data: NIL,
            },
        ],
        Some(b"(UID 7 RFC822.SIZE 10 BODY[TEXT] NIL)"),
    );
}

#[test]
fn message_rfc822_kind_is_structural() {
    // A MESSAGE/RFC822 part without envelope (seen from broken servers) stays basic.
    let b = Body {
        kind: BodyKind::Basic {
            media_type: q("MESSAGE"),
            subtype: q("RFC822"),
        },
        fields: fields(&[], None, None, "7BIT", 10),
        extension: None,
    };
    check(
        b"(BODY (\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 10))",
        &[M::Body(BodyStructure::Single(b).into())],
        None,
    );
}

#[test]
fn text_without_lines_and_message_global() {
    // A TEXT part without a line count (broken servers) stays basic, with its extension data.
    let b = Body {
        kind: BodyKind::Basic {
            media_type: q("text"),
            subtype: q("plain"),
        },
        fields: fields(&[], None, None, "7bit", 3),
        extension: Some(imapkit_proto::SinglePartExtension {
            md5: ns("abc"),
            tail: None,
        }),
    };
    check(
        b"(BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 3 \"abc\"))",
        &[M::BodyStructure(BodyStructure::Single(b).into())],
        None,
    );
    // MESSAGE/GLOBAL (RFC 6532) with an envelope is an encapsulated message.
    let inner = BodyStructure::Single(text("PLAIN", fields(&[], None, None, "8BIT", 5), 1));
    let msg = Body {
        kind: BodyKind::Message {
            media_type: q("message"),
            subtype: q("global"),
            message: imapkit_proto::Encapsulated::new(Default::default(), inner),
            lines: 4,
        },
        fields: fields(&[], None, None, "8BIT", 100),
        extension: None,
    };
    check(
        b"(BODY (\"message\" \"global\" NIL NIL NIL \"8BIT\" 100 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\" NIL NIL NIL \"8BIT\" 5 1) 4))",
        &[M::Body(BodyStructure::Single(msg).into())],
        None,
    );
}
