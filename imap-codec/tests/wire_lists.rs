//! Lists kept in wire form (`AddressList`, `ParamList`, `PartList`,
//! `Encapsulated`, `FlagFetchList`): decoded ones equal, hash and print like
//! built ones, survive `into_shared` without a copy, and re-encode as a copy
//! only when they were received in canonical syntax.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use bytes::Bytes;
use imapkit_codec::{decode, encode, Decoded};
use imapkit_proto::{
    Address, AddressList, Atom, BodyKind, BodyParam, BodyStructure, BodyStructureItem, Data,
    Envelope, Flag, FlagFetch, FlagFetchList, IntoStatic, MessageDataItem, NString, ParamList,
    Response,
};

fn items(input: &[u8]) -> Vec<MessageDataItem<'_>> {
    match decode::response(input) {
        Ok(Decoded::Complete {
            message: Response::Data(Data::Fetch { items, .. }),
            consumed,
        }) if consumed == input.len() => items.into_vec(),
        other => panic!("{other:?}"),
    }
}

fn reencode(input: &[u8]) -> Vec<u8> {
    let Ok(Decoded::Complete { message, .. }) = decode::response(input) else {
        panic!("decodes")
    };
    let mut out = Vec::new();
    encode(&message, &mut out);
    out
}

fn hash<T: Hash>(x: &T) -> u64 {
    let mut h = DefaultHasher::new();
    x.hash(&mut h);
    h.finish()
}

fn addr<'a>(name: Option<&'a str>, mailbox: &'a str, host: &'a str) -> Address<'a> {
    Address::new(
        name.map_or(NString::NIL, NString::from),
        NString::NIL,
        mailbox.into(),
        host.into(),
    )
}

const ENVELOPE: &[u8] = b"* 1 FETCH (ENVELOPE (NIL \"Hi\" ((\"Ann\" NIL \"ann\" \"example.org\")) NIL NIL ((NIL NIL \"bob\" \"example.org\")(NIL NIL \"eve\" \"example.org\")) NIL NIL NIL NIL))\r\n";

#[test]
fn decoded_lists_equal_hash_and_print_like_built_ones() {
    let items = items(ENVELOPE);
    let [MessageDataItem::Envelope(e)] = items.as_slice() else {
        panic!("{items:?}")
    };
    let e = e.fields();
    let built: AddressList<'_> = vec![
        addr(None, "bob", "example.org"),
        addr(None, "eve", "example.org"),
    ]
    .into();
    assert_eq!(e.to, built);
    assert_eq!(hash(&e.to), hash(&built));
    assert_eq!(format!("{:?}", e.to), format!("{built:?}"));
    assert_eq!(e.to.len(), 2);
    assert_eq!(e.to.iter().count(), 2);
    assert!(e.sender.is_empty());
    assert_eq!(e.sender, AddressList::default());
    // A list with other elements differs.
    let other: AddressList<'_> = vec![addr(None, "bob", "example.org")].into();
    assert_ne!(e.to, other);
    assert_eq!(e.from.to_vec(), [addr(Some("Ann"), "ann", "example.org")]);
}

#[test]
fn canonical_lists_are_copied_as_received() {
    let items = items(ENVELOPE);
    let [MessageDataItem::Envelope(env)] = items.as_slice() else {
        panic!()
    };
    // The envelope itself is kept as received, from its "(" to its ")".
    let at = ENVELOPE.windows(5).position(|w| w == b"(NIL ").unwrap();
    assert_eq!(env.verbatim(), Some(&ENVELOPE[at..ENVELOPE.len() - 3]));
    let e = env.fields();
    assert_eq!(
        e.to.verbatim(),
        Some(&b"((NIL NIL \"bob\" \"example.org\")(NIL NIL \"eve\" \"example.org\"))"[..])
    );
    // NIL lists are built (empty), never verbatim.
    assert_eq!(e.cc.verbatim(), None);
    assert_eq!(reencode(ENVELOPE), ENVELOPE);
    // Dovecot writes media types in lower case; they are kept as sent.
    let dovecot = b"* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 5 1 NIL NIL NIL NIL)(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 300 (NIL \"x\" NIL NIL NIL NIL NIL NIL NIL NIL) (\"text\" \"plain\" NIL NIL NIL \"7bit\" 10 1) 12 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"b\") NIL NIL NIL))\r\n";
    let decoded = self::items(dovecot);
    let [MessageDataItem::BodyStructure(item)] = decoded.as_slice() else {
        panic!("{decoded:?}")
    };
    let body = item.get();
    let BodyStructure::Multipart(m) = &*body else {
        panic!("{body:?}")
    };
    assert!(m.parts.verbatim().is_some());
    assert_eq!(reencode(dovecot), dovecot);
}

#[test]
fn lists_in_other_forms_are_reencoded_canonically() {
    // Lowercase nil, a system flag in another case and a leading zero are
    // strict syntax the encoder writes differently; `()` for NIL and extra
    // spaces are lenient quirks.
    let cases: [(&[u8], &[u8]); 5] = [
        (
            b"* 1 FETCH (ENVELOPE (NIL NIL ((nil NIL \"a\" \"b\")) NIL NIL NIL NIL NIL NIL NIL))\r\n",
            b"* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL \"a\" \"b\")) NIL NIL NIL NIL NIL NIL NIL))\r\n",
        ),
        (
            b"* 1 FETCH (ENVELOPE (NIL NIL () NIL NIL NIL NIL NIL NIL NIL))\r\n",
            b"* 1 FETCH (ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL))\r\n",
        ),
        (
            b"* 1 FETCH (FLAGS (\\seen $Junk))\r\n",
            b"* 1 FETCH (FLAGS (\\Seen $Junk))\r\n",
        ),
        (
            b"* 1 FETCH (FLAGS ( \\Seen  $Junk ))\r\n",
            b"* 1 FETCH (FLAGS (\\Seen $Junk))\r\n",
        ),
        (
            b"* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"plain\" NIL NIL NIL \"7bit\" 05 1)(\"TEXT\" \"html\" NIL NIL NIL \"7bit\" 5 1) \"alternative\"))\r\n",
            b"* 1 FETCH (BODYSTRUCTURE ((\"TEXT\" \"plain\" NIL NIL NIL \"7bit\" 5 1)(\"TEXT\" \"html\" NIL NIL NIL \"7bit\" 5 1) \"alternative\"))\r\n",
        ),
    ];
    for (input, canonical) in cases {
        assert_eq!(
            String::from_utf8_lossy(&reencode(input)),
            String::from_utf8_lossy(canonical)
        );
        assert_eq!(items(input), items(canonical));
        assert_eq!(reencode(canonical), canonical);
    }
}

#[test]
fn flags_read_on_iteration() {
    let input = b"* 7 FETCH (UID 9 FLAGS (\\Seen \\Recent $Junk))\r\n";
    let items = items(input);
    let MessageDataItem::Flags(f) = &items[1] else {
        panic!("{items:?}")
    };
    assert_eq!(f.len(), 3);
    let flags: Vec<FlagFetch<'_>> = f.iter().collect();
    assert_eq!(
        flags,
        [
            FlagFetch::Flag(Flag::Seen),
            FlagFetch::Recent,
            FlagFetch::Flag(Flag::keyword("$Junk").unwrap()),
        ]
    );
    assert_eq!(f.verbatim(), Some(&b"(\\Seen \\Recent $Junk)"[..]));
}

#[test]
fn decoded_and_built_lists_yield_values_to_match_on() {
    let items = items(b"* 7 FETCH (FLAGS (\\Seen $Junk \\Recent))\r\n");
    let MessageDataItem::Flags(decoded) = &items[0] else {
        panic!("{items:?}")
    };
    let built: FlagFetchList<'_> = vec![
        FlagFetch::Flag(Flag::Seen),
        FlagFetch::Flag(Flag::keyword("$Junk").unwrap()),
        FlagFetch::Recent,
    ]
    .into();
    for list in [decoded, &built] {
        let (mut seen, mut keywords) = (false, Vec::new());
        for f in list {
            match f {
                FlagFetch::Flag(Flag::Seen) => seen = true,
                FlagFetch::Flag(Flag::Keyword(k)) => keywords.push(k.as_str().to_owned()),
                _ => {}
            }
        }
        assert!(seen);
        assert_eq!(keywords, ["$Junk"]);
        // Keywords compare without case (RFC 9051 §9, note 1).
        assert!(list.contains(&Flag::keyword("$junk").unwrap()));
        assert!(list.contains(&Flag::Seen) && !list.contains(&Flag::Deleted));
        assert!(list.is_recent());
    }

    // A built list lends its elements: the keyword's bytes are not copied
    // (a keyword longer than `Buf::INLINE_MAX`: a shorter one moves with
    // its value).
    let label = Atom::try_from(String::from("$LabelOfAVeryLongKeywordName")).unwrap();
    let at = label.as_bytes().as_ptr();
    let built: FlagFetchList<'static> = vec![FlagFetch::Flag(Flag::Keyword(label))].into();
    let Some(FlagFetch::Flag(Flag::Keyword(k))) = built.iter().next() else {
        panic!("a keyword")
    };
    assert_eq!(k.as_bytes().as_ptr(), at);

    // Addresses are yielded as values too.
    let to: AddressList<'_> = vec![Address::new(
        "Ann".into(),
        NString::NIL,
        "ann".into(),
        "example.org".into(),
    )]
    .into();
    let names: Vec<Vec<u8>> = to
        .iter()
        .filter_map(|a| a.name.as_bytes().map(<[u8]>::to_vec))
        .collect();
    assert_eq!(names, [b"Ann".to_vec()]);
}

const FORWARDED: &[u8] = b"* 3 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\" \"FORMAT\" \"flowed\") NIL NIL \"7BIT\" 20 1)(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 300 (NIL \"Inner\" ((NIL NIL \"c\" \"d\")) NIL NIL NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10 1) 12) \"MIXED\" (\"BOUNDARY\" \"xyz\")))\r\n";

#[test]
fn parts_params_and_encapsulated_messages() {
    let items = items(FORWARDED);
    let [MessageDataItem::BodyStructure(item)] = items.as_slice() else {
        panic!("{items:?}")
    };
    let body = item.get();
    let BodyStructure::Multipart(m) = &*body else {
        panic!("{body:?}")
    };
    assert_eq!(m.parts.len(), 2);
    assert_eq!(
        m.extension.as_ref().unwrap().param("boundary").as_deref(),
        Some(&b"xyz"[..])
    );
    let parts = m.parts.to_vec();
    let BodyStructure::Single(text) = &parts[0] else {
        panic!()
    };
    let expected: ParamList<'_> = vec![
        BodyParam::new("CHARSET", "utf-8"),
        BodyParam::new("FORMAT", "flowed"),
    ]
    .into();
    assert_eq!(text.fields.params, expected);
    assert_eq!(text.fields.param("format").as_deref(), Some(&b"flowed"[..]));
    assert_eq!(text.fields.param("name"), None);
    let BodyStructure::Single(fwd) = &parts[1] else {
        panic!()
    };
    let BodyKind::Message { message, lines, .. } = &fwd.kind else {
        panic!("{fwd:?}")
    };
    assert_eq!(*lines, 12);
    let (envelope, body) = message.get();
    assert_eq!(envelope.subject().as_bytes(), Some(&b"Inner"[..]));
    assert_eq!(envelope.from().to_vec(), [addr(None, "c", "d")]);
    assert!(matches!(&*body, BodyStructure::Single(b) if b.fields.size == 10));
    assert_eq!(m.parts.first().unwrap().into_owned(), parts[0]);
    let top = BodyStructure::Multipart(m.clone());
    assert_eq!(top.depth(), 3);
    assert_eq!(reencode(FORWARDED), FORWARDED);
}

#[test]
fn shared_lists_keep_pointing_into_the_frame() {
    let frame = Bytes::from_static(FORWARDED);
    let items: Vec<MessageDataItem<'static>> = items(&frame)
        .into_iter()
        .map(|i| i.into_shared(&frame))
        .collect();
    let [MessageDataItem::BodyStructure(item)] = items.as_slice() else {
        panic!()
    };
    let body = item.get();
    let BodyStructure::Multipart(m) = &*body else {
        panic!("{body:?}")
    };
    let wire = m.parts.verbatim().expect("canonical");
    let inside = frame.as_ptr() as usize..frame.as_ptr() as usize + frame.len();
    assert!(inside.contains(&(wire.as_ptr() as usize)), "no copy");
    assert_eq!(m.parts.len(), 2);
    assert_eq!(m.parts.iter().count(), 2);
    // into_static copies, and the copy reads the same.
    let owned = items[0].clone().into_static();
    assert_eq!(owned, items[0]);
}

#[test]
fn owned_fetch_items_give_back_spare_capacity() {
    let input = b"* 7 FETCH (UID 9 FLAGS (\\Seen))\r\n";
    let Ok(Decoded::Complete { message, .. }) = decode::response(input) else {
        panic!()
    };
    let Response::Data(Data::Fetch { items, .. }) = message.into_static() else {
        panic!()
    };
    let items = items.into_vec();
    assert_eq!(items.len(), 2);
    assert_eq!(items.capacity(), 2);
}

/// Envelopes are kept in wire form too: every accessor reads what
/// `fields()` reads, a decoded envelope equals, hashes and prints like the
/// built one with the same fields, `into_shared` keeps pointing into the
/// frame, and only a canonical envelope is copied when re-encoded.
#[test]
fn envelopes_read_their_fields_on_access() {
    let escaped: &[u8] = b"* 1 FETCH (ENVELOPE (\"Mon, 1 Jan 2024 00:00:00 +0000\" \"say \\\"hi\\\"\" ((\"Ann\" NIL \"ann\" \"example.org\")) ((\"Ann\" NIL \"ann\" \"example.org\")) NIL NIL NIL NIL \"<a@b>\" \"<c@d>\"))\r\n";
    let literal: &[u8] = b"* 1 FETCH (ENVELOPE (NIL {3}\r\nabc NIL NIL NIL ((NIL NIL \"x\" \"y\")) NIL NIL NIL NIL))\r\n";
    let short: &[u8] = b"* 1 FETCH (ENVELOPE (NIL \"hi\" NIL NIL NIL NIL NIL NIL))\r\n";
    for (input, copied) in [
        (ENVELOPE, true),
        (escaped, true),
        (literal, true),
        (short, false),
    ] {
        let frame = Bytes::copy_from_slice(input);
        let items: Vec<MessageDataItem<'static>> = items(&frame)
            .into_iter()
            .map(|i| i.into_shared(&frame))
            .collect();
        let [MessageDataItem::Envelope(e)] = items.as_slice() else {
            panic!("{items:?}")
        };
        let f = e.fields().into_owned();
        assert_eq!(e.date(), f.date);
        assert_eq!(e.subject(), f.subject);
        assert_eq!(e.in_reply_to(), f.in_reply_to);
        assert_eq!(e.message_id(), f.message_id);
        assert_eq!(*e.from(), f.from);
        assert_eq!(*e.sender(), f.sender);
        assert_eq!(*e.reply_to(), f.reply_to);
        assert_eq!(*e.to(), f.to);
        assert_eq!(*e.cc(), f.cc);
        assert_eq!(*e.bcc(), f.bcc);
        let built = Envelope::new(f.clone().into_static());
        assert_eq!(*e, built);
        assert_eq!(hash(e), hash(&built));
        assert_eq!(format!("{e:?}"), format!("{built:?}"));
        assert_eq!(e.clone().into_fields(), f);
        assert_eq!(e.verbatim().is_some(), copied, "{}", input.escape_ascii());
        if let Some(wire) = e.verbatim() {
            let inside = frame.as_ptr() as usize..frame.as_ptr() as usize + frame.len();
            assert!(inside.contains(&(wire.as_ptr() as usize)), "no copy");
            assert_eq!(reencode(input), input);
        }
    }
    let decoded = items(escaped);
    let [MessageDataItem::Envelope(e)] = decoded.as_slice() else {
        panic!("{decoded:?}")
    };
    assert_eq!(e.subject().as_bytes(), Some(&b"say \"hi\""[..]));
    assert_eq!(e.subject_text().unwrap().as_str(), "say \"hi\"");
    assert_eq!(e.message_id().as_bytes(), Some(&b"<c@d>"[..]));
    assert_eq!(
        e.sender().to_vec(),
        [addr(Some("Ann"), "ann", "example.org")]
    );
    // A short envelope (MailKit issues 669 and 932) is written in full.
    assert_eq!(
        String::from_utf8_lossy(&reencode(short)),
        "* 1 FETCH (ENVELOPE (NIL \"hi\" NIL NIL NIL NIL NIL NIL NIL NIL))\r\n"
    );
}

/// BODY and BODYSTRUCTURE items are kept in wire form: `get` reads the
/// structure, which equals, hashes and prints like the built one; the
/// bytes stay inside the frame after `into_shared`; canonical input is
/// copied when re-encoded, a quirk is written canonically.
#[test]
fn body_structure_items_read_on_access() {
    let single: &[u8] = b"* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 5 1))\r\n";
    // An extra space before `)` (Yahoo Japan): a lenient quirk.
    let quirky: &[u8] = b"* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 5 1 NIL NIL NIL NIL ))\r\n";
    for (input, copied) in [(FORWARDED, true), (single, true), (quirky, false)] {
        let frame = Bytes::copy_from_slice(input);
        let items: Vec<MessageDataItem<'static>> = items(&frame)
            .into_iter()
            .map(|i| i.into_shared(&frame))
            .collect();
        let [MessageDataItem::Body(item) | MessageDataItem::BodyStructure(item)] = items.as_slice()
        else {
            panic!("{items:?}")
        };
        let body = item.get().into_owned();
        let built = BodyStructureItem::from(body.clone().into_static());
        assert_eq!(*item, built);
        assert_eq!(hash(item), hash(&built));
        assert_eq!(format!("{item:?}"), format!("{body:?}"));
        assert_eq!(item.clone().into_inner(), body);
        assert_eq!(
            item.verbatim().is_some(),
            copied,
            "{}",
            input.escape_ascii()
        );
        if let Some(wire) = item.verbatim() {
            let inside = frame.as_ptr() as usize..frame.as_ptr() as usize + frame.len();
            assert!(inside.contains(&(wire.as_ptr() as usize)), "no copy");
            assert_eq!(reencode(input), input);
        }
    }
    let decoded = items(single);
    let [MessageDataItem::Body(item)] = decoded.as_slice() else {
        panic!("{decoded:?}")
    };
    let BodyStructure::Single(b) = &*item.get() else {
        panic!()
    };
    assert_eq!(b.fields.size, 5);
    assert_eq!(b.fields.param("charset").as_deref(), Some(&b"us-ascii"[..]));
    assert_eq!(
        String::from_utf8_lossy(&reencode(quirky)),
        "* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 5 1 NIL NIL NIL NIL))\r\n"
    );
}
