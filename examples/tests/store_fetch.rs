//! FETCH data from the store: sections byte-exact (RFC 9051 §6.4.5), BINARY
//! (RFC 3516), and ENVELOPE / BODYSTRUCTURE of real-world-shaped messages
//! that encode with imapkit-codec and decode back equal.

mod store_util;

use std::num::NonZeroU32;

use imap_examples::store::Selected;
use imapkit_codec::decode::decode_msg_att_list;
use imapkit_codec::Encode;
use imapkit_proto::{
    AString, BodyKind, BodyStructure, IntoStatic, MessageDataItem, Partial, Section, SectionText,
    SequenceSet, Vec1,
};
use store_util::{crlf, open, TempDir};

const REPORT: &str = "From: Alice <alice@example.org>
To: Bob <bob@example.org>
Subject: Report
Date: Mon, 7 Feb 1994 21:52:25 -0800
Message-ID: <1@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=\"outer\"

This is a multi-part message.
--outer
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Caf=C3=A9 report
--outer
Content-Type: application/pdf; name=\"r.pdf\"
Content-Disposition: attachment; filename=\"r.pdf\"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--outer
Content-Type: message/rfc822

From: Carol <carol@example.org>
Subject: Fwd inner
Content-Type: multipart/alternative; boundary=\"inner\"

--inner
Content-Type: text/plain

inner text
--inner
Content-Type: text/html

<p>inner</p>
--inner--

--outer--
";

fn part(p: &[u32]) -> Vec<NonZeroU32> {
    p.iter().map(|&n| NonZeroU32::new(n).unwrap()).collect()
}

fn sec(p: &[u32], text: Option<SectionText<'static>>) -> Section<'static> {
    Section::new(part(p), text).unwrap()
}

fn fields(names: &[&'static str]) -> Vec1<AString<'static>> {
    Vec1::try_from(names.iter().map(|n| AString::from(*n)).collect::<Vec<_>>()).unwrap()
}

/// A store with `raw` appended to alice's INBOX, selected.
fn with_message(dir: &TempDir, raw: bytes::Bytes) -> Selected {
    let store = open(dir);
    let alice = store.account("alice").unwrap();
    alice.append("INBOX", raw, &[], None).unwrap();
    alice.select("INBOX", false).unwrap()
}

#[test]
fn sections_of_a_multipart_with_attachment_and_forwarded_message() {
    let dir = TempDir::new("sections");
    let raw = crlf(REPORT);
    let sel = with_message(&dir, raw.clone());
    let msgs = sel.messages(&sel.resolve(&SequenceSet::all(), false).unwrap());
    let m = &msgs[0];
    let get = |s: Section<'static>| {
        m.section(&s, None)
            .unwrap()
            .map(|b| String::from_utf8(b.to_vec()).unwrap())
    };
    let text = |s: &str| Some(s.replace('\n', "\r\n"));
    let raw_s = String::from_utf8(raw.to_vec()).unwrap();
    let header_end = raw_s.find("\r\n\r\n").unwrap() + 4;

    assert_eq!(m.size(), raw.len() as u64);
    assert_eq!(get(Section::whole()), Some(raw_s.clone()));
    assert_eq!(
        get(Section::text(SectionText::Header).unwrap()),
        Some(raw_s[..header_end].to_string())
    );
    assert_eq!(
        get(Section::text(SectionText::Text).unwrap()),
        Some(raw_s[header_end..].to_string())
    );
    assert_eq!(
        get(Section::text(SectionText::HeaderFields(fields(&["to", "FROM"]))).unwrap()),
        text("From: Alice <alice@example.org>\nTo: Bob <bob@example.org>\n\n")
    );
    assert_eq!(
        get(Section::text(SectionText::HeaderFieldsNot(fields(&[
            "From",
            "To",
            "Date",
            "Message-ID",
            "MIME-Version"
        ])))
        .unwrap()),
        text("Subject: Report\nContent-Type: multipart/mixed; boundary=\"outer\"\n\n")
    );
    // Parts: the CRLF before a boundary belongs to the boundary.
    assert_eq!(get(sec(&[1], None)), Some("Caf=C3=A9 report".into()));
    assert_eq!(
        get(sec(&[1], Some(SectionText::Mime))),
        text("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n")
    );
    assert_eq!(get(sec(&[2], None)), Some("JVBERi0xLjQK".into()));
    // The message/rfc822 part: its body is the whole encapsulated message.
    let inner_start = raw_s.find("From: Carol").unwrap();
    let inner_end = raw_s.find("--inner--\r\n").unwrap() + "--inner--\r\n".len();
    assert_eq!(
        get(sec(&[3], None)),
        Some(raw_s[inner_start..inner_end].to_string())
    );
    assert_eq!(
        get(sec(&[3], Some(SectionText::Header))),
        text("From: Carol <carol@example.org>\nSubject: Fwd inner\nContent-Type: multipart/alternative; boundary=\"inner\"\n\n")
    );
    assert_eq!(
        get(sec(
            &[3],
            Some(SectionText::HeaderFields(fields(&["subject"])))
        )),
        text("Subject: Fwd inner\n\n")
    );
    assert_eq!(
        get(sec(&[3], Some(SectionText::Text))),
        text("--inner\nContent-Type: text/plain\n\ninner text\n--inner\nContent-Type: text/html\n\n<p>inner</p>\n--inner--\n")
    );
    assert_eq!(
        get(sec(&[3], Some(SectionText::Mime))),
        text("Content-Type: message/rfc822\n\n")
    );
    assert_eq!(get(sec(&[3, 1], None)), Some("inner text".into()));
    assert_eq!(get(sec(&[3, 2], None)), Some("<p>inner</p>".into()));
    assert_eq!(
        get(sec(&[3, 2], Some(SectionText::Mime))),
        text("Content-Type: text/html\n\n")
    );
    // No such parts; TEXT of a part that is not a message.
    assert_eq!(get(sec(&[4], None)), None);
    assert_eq!(get(sec(&[1, 1], None)), None);
    assert_eq!(get(sec(&[3, 3], None)), None);
    assert_eq!(get(sec(&[1], Some(SectionText::Text))), None);

    // Partial fetches are slices; past the end they are empty.
    let p = |offset, count| {
        Some(Partial {
            offset,
            count: NonZeroU32::new(count).unwrap().into(),
        })
    };
    assert_eq!(
        &m.section(&Section::whole(), p(0, 4)).unwrap().unwrap()[..],
        b"From"
    );
    assert_eq!(
        &m.section(&sec(&[1], None), p(4, 5)).unwrap().unwrap()[..],
        b"C3=A9"
    );
    assert_eq!(
        &m.section(&sec(&[1], None), p(100, 5)).unwrap().unwrap()[..],
        b""
    );

    // BINARY: transfer encoding removed; BINARY.SIZE its length.
    assert_eq!(
        &m.binary(&part(&[1]), None).unwrap().unwrap()[..],
        "Café report".as_bytes()
    );
    assert_eq!(
        &m.binary(&part(&[2]), None).unwrap().unwrap()[..],
        b"%PDF-1.4\n"
    );
    assert_eq!(m.binary_size(&part(&[2])).unwrap(), Some(9));
    assert_eq!(
        m.binary(&part(&[3, 1]), None).unwrap().unwrap(),
        "inner text"
    );
    assert_eq!(m.binary(&part(&[]), None).unwrap().unwrap(), raw);
    assert_eq!(m.binary(&part(&[7]), None).unwrap(), None);
}

#[test]
fn sections_share_the_file_bytes() {
    let dir = TempDir::new("share");
    let sel = with_message(&dir, crlf(REPORT));
    let m = &sel.messages(&[(1, 1)])[0];
    let whole = m.bytes().unwrap();
    let part1 = m.section(&sec(&[1], None), None).unwrap().unwrap();
    // A slice of the cached file bytes, not a copy.
    let start = whole.as_ptr() as usize;
    let p = part1.as_ptr() as usize;
    assert!(p >= start && p + part1.len() <= start + whole.len());
    assert_eq!(m.bytes().unwrap().as_ptr(), whole.as_ptr());
}

/// Encodes ENVELOPE and BODYSTRUCTURE as a FETCH item list and decodes it.
fn round_trip(m: &imap_examples::store::MessageRef) -> (Vec<u8>, Vec<u8>) {
    let env = m.envelope().unwrap();
    let body = m.body_structure(true).unwrap();
    let basic = m.body_structure(false).unwrap();
    let (e, b, bb) = (env.to_vec(), body.to_vec(), basic.to_vec());
    let mut wire = b"(ENVELOPE ".to_vec();
    wire.extend_from_slice(&e);
    wire.extend_from_slice(b" BODYSTRUCTURE ");
    wire.extend_from_slice(&b);
    wire.extend_from_slice(b" BODY ");
    wire.extend_from_slice(&bb);
    wire.push(b')');
    let (items, used) = decode_msg_att_list(&wire).unwrap().complete().unwrap();
    assert_eq!(used, wire.len());
    let items: Vec<MessageDataItem<'static>> = items
        .into_vec()
        .into_iter()
        .map(IntoStatic::into_static)
        .collect();
    assert_eq!(items[0], MessageDataItem::Envelope(env));
    assert_eq!(items[1], MessageDataItem::BodyStructure(body.into()));
    assert_eq!(items[2], MessageDataItem::Body(basic.into()));
    (e, b)
}

#[test]
fn envelope_and_bodystructure_encode_exactly_and_decode_back() {
    let dir = TempDir::new("structure");
    let store = open(&dir);
    let alice = store.account("alice").unwrap();
    alice
        .append(
            "INBOX",
            crlf("From: a@example.org\nSubject: hi\n\nhello\n"),
            &[],
            None,
        )
        .unwrap();
    alice.append("INBOX", crlf(REPORT), &[], None).unwrap();
    let sel = alice.select("INBOX", true).unwrap();
    let msgs = sel.messages(&sel.resolve(&SequenceSet::all(), false).unwrap());

    let (e, b) = round_trip(&msgs[0]);
    assert_eq!(
        String::from_utf8(e).unwrap(),
        "(NIL \"hi\" ((NIL NIL \"a\" \"example.org\")) ((NIL NIL \"a\" \"example.org\")) \
         ((NIL NIL \"a\" \"example.org\")) NIL NIL NIL NIL NIL)"
    );
    assert_eq!(
        String::from_utf8(b).unwrap(),
        "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 7 1 NIL NIL NIL NIL)"
    );

    let (e, b) = round_trip(&msgs[1]);
    assert_eq!(
        String::from_utf8(e).unwrap(),
        "(\"Mon, 7 Feb 1994 21:52:25 -0800\" \"Report\" ((\"Alice\" NIL \"alice\" \"example.org\")) \
         ((\"Alice\" NIL \"alice\" \"example.org\")) ((\"Alice\" NIL \"alice\" \"example.org\")) \
         ((\"Bob\" NIL \"bob\" \"example.org\")) NIL NIL NIL \"<1@example.org>\")"
    );
    let b = String::from_utf8(b).unwrap();
    assert!(b.starts_with(
        "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" 16 1 NIL NIL NIL NIL)\
         (\"APPLICATION\" \"PDF\" (\"NAME\" \"r.pdf\") NIL NIL \"BASE64\" 12 NIL \
         (\"ATTACHMENT\" (\"FILENAME\" \"r.pdf\")) NIL NIL)\
         (\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" "
    ), "{b}");
    assert!(
        b.ends_with(" \"MIXED\" (\"BOUNDARY\" \"outer\") NIL NIL NIL)"),
        "{b}"
    );
    let BodyStructure::Multipart(mp) = msgs[1].body_structure(true).unwrap() else {
        panic!("multipart")
    };
    let third = mp.parts.iter().nth(2).unwrap().into_owned();
    let BodyStructure::Single(third) = third else {
        panic!("single")
    };
    let BodyKind::Message { message, lines, .. } = &third.kind else {
        panic!("message/rfc822")
    };
    assert_eq!(*lines, 13);
    assert_eq!(
        message.envelope().subject().as_bytes(),
        Some(&b"Fwd inner"[..])
    );
    assert!(matches!(&*message.body(), BodyStructure::Multipart(m) if m.parts.len() == 2));
}

#[test]
fn japanese_and_rfc2231_messages() {
    let dir = TempDir::new("intl");
    let store = open(&dir);
    let alice = store.account("alice").unwrap();
    let raw = crlf(
        "From: =?ISO-2022-JP?B?GyRCOzNFREJATzobKEI=?= <taro@example.jp>
To: undisclosed-recipients:;
Subject: =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=
Date: Tue, 1 Apr 2025 09:00:00 +0900
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: text/plain; charset=ISO-2022-JP
Content-Transfer-Encoding: 7bit

\x1b$BF|K\\8l\x1b(B
--b
Content-Type: application/pdf
Content-Disposition: attachment;
 filename*0*=utf-8''%E5%A0%B1%E5%91%8A;
 filename*1*=%E6%9B%B8.pdf
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--b--
",
    );
    alice.append("INBOX", raw, &[], None).unwrap();
    let sel = alice.select("INBOX", false).unwrap();
    let m = &sel.messages(&[(1, 1)])[0];
    let (e, b) = round_trip(m);
    let e = String::from_utf8(e).unwrap();
    // The subject stays as sent; the name, decoded by mail-parser from
    // ISO-2022-JP, is sent again as a UTF-8 encoded word (7-bit ENVELOPE).
    assert!(e.contains("\"=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=\""), "{e}");
    assert!(
        e.contains("((\"=?UTF-8?B?5bGx55Sw5aSq6YOO?=\" NIL \"taro\" \"example.jp\"))"),
        "{e}"
    );
    // A group: start marker (NIL NIL name NIL) and end marker.
    assert!(
        e.contains("((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL))"),
        "{e}"
    );
    let b = String::from_utf8(b).unwrap();
    assert!(
        b.contains("(\"ATTACHMENT\" (\"FILENAME*\" \"utf-8''%E5%A0%B1%E5%91%8A%E6%9B%B8.pdf\"))"),
        "{b}"
    );
    // SUBJECT searches the decoded text.
    let key = imapkit_proto::SearchKey::Subject(AString::from("日本語"));
    assert_eq!(sel.search(&key).unwrap().matches, vec![(1, 1)]);
    let key = imapkit_proto::SearchKey::From(AString::from("山田"));
    assert_eq!(sel.search(&key).unwrap().matches, vec![(1, 1)]);
    let key = imapkit_proto::SearchKey::Body(AString::from("日本語"));
    assert_eq!(sel.search(&key).unwrap().matches, vec![(1, 1)]);
}
