//! The accessors that read decoded values without matching: FETCH items
//! ([`MessageDataItems`]), STATUS items ([`StatusItems`]), flags
//! ([`FlagFetchList::flags`], [`SearchKey::flag`]) and addresses
//! ([`Address::email`]).

use std::num::NonZeroU32;

use imapkit_proto::{
    AString, Address, BinaryData, Body, BodyFields, BodyKind, BodyStructure, BodyStructureItem,
    Command, CommandBody, Data, Date, DateTime, Envelope, EnvelopeFields, Flag, FlagFetch,
    FlagFetchList, IString, Mailbox, MessageDataItem, MessageDataItems, NString, ObjectId,
    SearchKey, Section, SectionText, StatusItem, StatusItems, Tag, Vec1,
};

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

fn text_part(lines: u64) -> BodyStructure<'static> {
    BodyStructure::Single(Body {
        kind: BodyKind::Text {
            media_type: IString::from("TEXT"),
            subtype: IString::from("PLAIN"),
            lines,
        },
        fields: BodyFields {
            params: Default::default(),
            id: NString::NIL,
            description: NString::NIL,
            encoding: IString::from("7BIT"),
            size: 5,
        },
        extension: None,
    })
}

fn section(part: &[u32], text: Option<SectionText<'static>>) -> Section<'static> {
    Section::new(part.iter().map(|&n| nz(n)).collect(), text).unwrap()
}

fn body_item(
    s: Section<'static>,
    origin: Option<u32>,
    data: &'static str,
) -> MessageDataItem<'static> {
    MessageDataItem::BodySection {
        section: s,
        origin,
        data: NString::from(data),
    }
}

// ---------------------------------------------------------------------------
// FETCH
// ---------------------------------------------------------------------------

#[test]
fn fetch_items_each_accessor() {
    let date = DateTime::new(Date::new(1996, 7, 17).unwrap(), 2, 44, 25, -420).unwrap();
    let envelope = Envelope::new(EnvelopeFields {
        subject: NString::from("IMAP4rev2 WG mtg summary and minutes"),
        ..EnvelopeFields::default()
    });
    let flags: FlagFetchList<'_> = vec![FlagFetch::Recent, FlagFetch::Flag(Flag::Seen)].into();
    let items = [
        MessageDataItem::Flags(flags.clone()),
        MessageDataItem::InternalDate(date),
        MessageDataItem::Rfc822Size(44827),
        MessageDataItem::Envelope(envelope.clone()),
        MessageDataItem::BodyStructure(BodyStructureItem::new(text_part(3))),
        MessageDataItem::ModSeq(12121231000),
        MessageDataItem::Uid(nz(4827313)),
    ];
    assert_eq!(items.uid(), Some(nz(4827313)));
    assert_eq!(items.flags(), Some(&flags));
    assert_eq!(items.modseq(), Some(12121231000));
    assert_eq!(items.rfc822_size(), Some(44827));
    assert_eq!(items.internal_date(), Some(date));
    assert_eq!(items.envelope(), Some(&envelope));
    assert_eq!(*items.body_structure().unwrap().get(), text_part(3));

    // None of them in a response without the items.
    let only_uid = [MessageDataItem::Uid(nz(1))];
    assert_eq!(only_uid.flags(), None);
    assert_eq!(only_uid.modseq(), None);
    assert_eq!(only_uid.rfc822_size(), None);
    assert_eq!(only_uid.internal_date(), None);
    assert_eq!(only_uid.envelope(), None);
    assert_eq!(only_uid.body_structure(), None);
    assert_eq!(only_uid.body_section(&Section::whole()), None);
    assert_eq!([MessageDataItem::ModSeq(3)].uid(), None);
}

#[test]
fn fetch_items_on_data_vec1_vec_and_slice() {
    let data = Data::Fetch {
        seq: nz(12),
        items: Vec1::from([MessageDataItem::ModSeq(7), MessageDataItem::Uid(nz(99))]),
    };
    let Data::Fetch { items, .. } = &data else {
        unreachable!()
    };
    // Vec1 (through Deref), Vec and slice.
    assert_eq!(items.uid(), Some(nz(99)));
    let v: Vec<MessageDataItem<'_>> = items.as_slice().to_vec();
    assert_eq!(v.uid(), Some(nz(99)));
    assert_eq!(v[..1].uid(), None);
    assert_eq!(v[..1].modseq(), Some(7));
}

#[test]
fn fetch_items_first_wins() {
    let items = [MessageDataItem::Uid(nz(5)), MessageDataItem::Uid(nz(6))];
    assert_eq!(items.uid(), Some(nz(5)));
}

#[test]
fn body_structure_prefers_bodystructure_over_body() {
    let body = MessageDataItem::Body(BodyStructureItem::new(text_part(1)));
    let structure = MessageDataItem::BodyStructure(BodyStructureItem::new(text_part(2)));
    // BODY first, BODYSTRUCTURE later: BODYSTRUCTURE.
    let items = [body.clone(), structure];
    assert_eq!(*items.body_structure().unwrap().get(), text_part(2));
    // Only BODY: BODY.
    assert_eq!(*[body].body_structure().unwrap().get(), text_part(1));
}

#[test]
fn body_section_matches_section_exactly() {
    let items = [
        body_item(section(&[1], None), None, "part one"),
        body_item(section(&[1, 2], Some(SectionText::Mime)), None, "mime"),
        body_item(section(&[], Some(SectionText::Text)), None, "text"),
    ];
    assert_eq!(
        items.body_section(&section(&[1], None)),
        Some(&b"part one"[..])
    );
    assert_eq!(
        items.body_section(&section(&[1, 2], Some(SectionText::Mime))),
        Some(&b"mime"[..])
    );
    assert_eq!(
        items.body_section(&Section::text(SectionText::Text).unwrap()),
        Some(&b"text"[..])
    );
    // Another part path or specifier: nothing.
    assert_eq!(items.body_section(&section(&[2], None)), None);
    assert_eq!(items.body_section(&section(&[1, 2], None)), None);
    assert_eq!(
        items.body_section(&section(&[1], Some(SectionText::Text))),
        None
    );
    assert_eq!(items.body_section(&Section::whole()), None);
}

#[test]
fn body_section_header_fields_compare_case_insensitively() {
    let fields = |names: &[&'static str]| {
        Vec1::try_from(names.iter().map(|&n| AString::from(n)).collect::<Vec<_>>()).unwrap()
    };
    // The server echoes the names upper-cased and quoted.
    let echoed = Vec1::try_from(vec![
        AString::String(IString::try_new("SUBJECT").unwrap()),
        AString::from("FROM"),
    ])
    .unwrap();
    let items = [body_item(
        Section::text(SectionText::HeaderFields(echoed)).unwrap(),
        None,
        "Subject: x\r\n\r\n",
    )];
    let asked = Section::text(SectionText::HeaderFields(fields(&["Subject", "From"]))).unwrap();
    assert_eq!(items.body_section(&asked), Some(&b"Subject: x\r\n\r\n"[..]));
    // Other names, fewer names, or .NOT: another section.
    let other = Section::text(SectionText::HeaderFields(fields(&["Subject", "To"]))).unwrap();
    assert_eq!(items.body_section(&other), None);
    let fewer = Section::text(SectionText::HeaderFields(fields(&["Subject"]))).unwrap();
    assert_eq!(items.body_section(&fewer), None);
    let not = Section::text(SectionText::HeaderFieldsNot(fields(&["Subject", "From"]))).unwrap();
    assert_eq!(items.body_section(&not), None);
}

#[test]
fn body_section_partial_and_nil() {
    let items = [body_item(Section::whole(), Some(1024), "from 1024 on")];
    assert_eq!(
        items.body_section(&Section::whole()),
        Some(&b"from 1024 on"[..])
    );
    let nil = [MessageDataItem::BodySection {
        section: section(&[3], None),
        origin: None,
        data: NString::NIL,
    }];
    assert_eq!(nil.body_section(&section(&[3], None)), None);
}

#[test]
fn body_section_rfc822_equivalents() {
    let items = [
        MessageDataItem::Rfc822(NString::from("whole")),
        MessageDataItem::Rfc822Header(NString::from("header")),
        MessageDataItem::Rfc822Text(NString::from("text")),
    ];
    assert_eq!(items.body_section(&Section::whole()), Some(&b"whole"[..]));
    assert_eq!(
        items.body_section(&Section::text(SectionText::Header).unwrap()),
        Some(&b"header"[..])
    );
    assert_eq!(
        items.body_section(&Section::text(SectionText::Text).unwrap()),
        Some(&b"text"[..])
    );
    // Only for the top-level message.
    assert_eq!(
        items.body_section(&section(&[1], Some(SectionText::Header))),
        None
    );
    assert_eq!(items.body_section(&section(&[1], None)), None);
    // A BODY[] item comes first, wherever it is.
    let both = [
        MessageDataItem::Rfc822(NString::from("rfc822")),
        body_item(Section::whole(), None, "body[]"),
    ];
    assert_eq!(both.body_section(&Section::whole()), Some(&b"body[]"[..]));
}

/// `BINARY[part]` holds the part decoded (RFC 3516 §4.3), not the section
/// as stored: `body_section` does not return it.
#[test]
fn body_section_is_not_binary() {
    let binary = MessageDataItem::Binary {
        section: vec![nz(2)],
        origin: None,
        data: BinaryData::Literal8(b"\x00decoded"[..].into()),
    };
    assert_eq!([binary.clone()].body_section(&section(&[2], None)), None);
    let both = [binary, body_item(section(&[2], None), None, "encoded")];
    assert_eq!(
        both.body_section(&section(&[2], None)),
        Some(&b"encoded"[..])
    );
}

// ---------------------------------------------------------------------------
// STATUS
// ---------------------------------------------------------------------------

#[test]
fn status_items_each_accessor() {
    let id = ObjectId::try_from("F2212ea87-6097-4256-9d51-71338625").unwrap();
    let items = vec![
        StatusItem::Messages(231),
        StatusItem::UidNext(44292),
        StatusItem::UidValidity(3857529045),
        StatusItem::Unseen(3),
        StatusItem::Deleted(4),
        StatusItem::Size(123456789012),
        StatusItem::Recent(1),
        StatusItem::HighestModSeq(7011231777),
        StatusItem::AppendLimit(Some(257890)),
        StatusItem::MailboxId(id.clone()),
        StatusItem::DeletedStorage(8),
    ];
    let data = Data::Status {
        mailbox: Mailbox::from("blurdybloop"),
        items,
    };
    let Data::Status { items, .. } = &data else {
        unreachable!()
    };
    assert_eq!(items.messages(), Some(231));
    assert_eq!(items.uid_next(), Some(44292));
    assert_eq!(items.uid_validity(), Some(3857529045));
    assert_eq!(items.unseen(), Some(3));
    assert_eq!(items.deleted(), Some(4));
    assert_eq!(items.size(), Some(123456789012));
    assert_eq!(items.recent(), Some(1));
    assert_eq!(items.highest_modseq(), Some(7011231777));
    assert_eq!(items.append_limit(), Some(Some(257890)));
    assert_eq!(items.mailbox_id(), Some(&id));
    assert_eq!(items.deleted_storage(), Some(8));
}

#[test]
fn status_items_absent_and_nil() {
    let items = [StatusItem::UidNext(0), StatusItem::AppendLimit(None)];
    // `UIDNEXT 0` (empty mailboxes on some servers) is read as sent.
    assert_eq!(items.uid_next(), Some(0));
    // `APPENDLIMIT NIL`: the item is there, without a limit.
    assert_eq!(items.append_limit(), Some(None));
    assert_eq!(items.messages(), None);
    assert_eq!(items.uid_validity(), None);
    assert_eq!(items.unseen(), None);
    assert_eq!(items.deleted(), None);
    assert_eq!(items.size(), None);
    assert_eq!(items.recent(), None);
    assert_eq!(items.highest_modseq(), None);
    assert_eq!(items.mailbox_id(), None);
    assert_eq!(items.deleted_storage(), None);
    assert_eq!(items[..1].append_limit(), None);
}

// ---------------------------------------------------------------------------
// Flags
// ---------------------------------------------------------------------------

#[test]
fn flag_fetch_list_flags_drop_recent() {
    let junk = Flag::keyword("$Junk").unwrap();
    let list: FlagFetchList<'_> = vec![
        FlagFetch::Flag(Flag::Answered),
        FlagFetch::Recent,
        FlagFetch::Flag(junk.clone()),
    ]
    .into();
    let flags: Vec<Flag<'_>> = list.flags().collect();
    assert_eq!(flags, [Flag::Answered, junk]);
    assert_eq!(list.flags().count(), 2);
    let only_recent: FlagFetchList<'_> = vec![FlagFetch::Recent].into();
    assert_eq!(only_recent.flags().next(), None);
}

#[test]
fn search_key_for_each_flag() {
    let cases = [
        (Flag::Answered, SearchKey::Answered, SearchKey::Unanswered),
        (Flag::Flagged, SearchKey::Flagged, SearchKey::Unflagged),
        (Flag::Deleted, SearchKey::Deleted, SearchKey::Undeleted),
        (Flag::Seen, SearchKey::Seen, SearchKey::Unseen),
        (Flag::Draft, SearchKey::Draft, SearchKey::Undraft),
    ];
    for (flag, set, unset) in cases {
        assert_eq!(SearchKey::flag(flag.clone()), Some(set));
        assert_eq!(SearchKey::not_flag(flag), Some(unset));
    }
    let kw = Flag::keyword("$Forwarded").unwrap();
    let atom = match &kw {
        Flag::Keyword(a) => a.clone(),
        _ => unreachable!(),
    };
    assert_eq!(
        SearchKey::flag(kw.reborrow()),
        Some(SearchKey::Keyword(atom.clone()))
    );
    assert_eq!(SearchKey::not_flag(kw), Some(SearchKey::Unkeyword(atom)));
    let ext = Flag::system("Important".try_into().unwrap());
    assert!(matches!(ext, Flag::Extension(_)));
    assert_eq!(SearchKey::flag(ext.clone()), None);
    assert_eq!(SearchKey::not_flag(ext), None);
}

#[test]
fn search_for_flags_read_from_a_fetch() {
    // A flag just read from a FETCH, searched for as it is.
    let list: FlagFetchList<'_> = vec![
        FlagFetch::Recent,
        FlagFetch::Flag(Flag::keyword("$Junk").unwrap()),
        FlagFetch::Flag(Flag::Seen),
    ]
    .into();
    let keys: Vec<SearchKey<'_>> = list.flags().filter_map(SearchKey::flag).collect();
    let cmd = Command::new(
        Tag::try_from("A1").unwrap(),
        CommandBody::search(Vec1::try_from(keys).unwrap()),
    );
    assert_eq!(cmd.to_string(), "A1 SEARCH KEYWORD $Junk SEEN");
    let unseen = Command::new(
        Tag::try_from("A2").unwrap(),
        CommandBody::search(SearchKey::not_flag(Flag::keyword("$Junk").unwrap()).unwrap()),
    );
    assert_eq!(unseen.to_string(), "A2 SEARCH UNKEYWORD $Junk");
}

// ---------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------

#[test]
fn address_email() {
    let addr = |mailbox: NString<'static>, host: NString<'static>| {
        Address::new("Terry Gray".into(), NString::NIL, mailbox, host)
    };
    assert_eq!(
        addr("gray".into(), "cac.washington.edu".into())
            .email()
            .as_deref(),
        Some("gray@cac.washington.edu")
    );
    // Group start and end.
    assert_eq!(addr("friends".into(), NString::NIL).email(), None);
    assert_eq!(Address::default().email(), None);
    // A NIL or empty part.
    assert_eq!(addr(NString::NIL, "example.org".into()).email(), None);
    assert_eq!(addr("".into(), "example.org".into()).email(), None);
    assert_eq!(addr("a".into(), "".into()).email(), None);
    // UTF-8 (RFC 6532) as it is; other bytes as U+FFFD.
    assert_eq!(
        addr("jörg".into(), "bücher.example".into())
            .email()
            .as_deref(),
        Some("jörg@bücher.example")
    );
    let latin1 = NString::try_new(&b"j\xf6rg"[..]).unwrap();
    assert_eq!(
        addr(latin1, "example.org".into()).email().as_deref(),
        Some("j\u{fffd}rg@example.org")
    );
}
