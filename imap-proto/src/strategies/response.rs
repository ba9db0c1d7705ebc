//! Strategies for responses: greeting, status responses, codes, data,
//! continuation requests. Every value they produce survives
//! `decode(encode(x)) == x`.

use std::num::NonZeroU32;

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

use super::fetch::object_id;

use super::{
    ascii_quoted, atom, capability, flag, flag_perm, nz_u32, response_set, sequence_set,
    server_astring, server_istring, server_literal, server_mailbox, server_nstring, tag, u32_full,
    u64_full, uid_set, vec1,
};
use crate::{
    AclEntry, Atom, Charset, CodeText, ContinueRequest, Data, Delimiter, ESearch,
    ESearchPartialRange, Greeting, GreetingKind, ListExtendedItem, MailboxAttribute, MailboxList,
    MetadataCode, MetadataItems, NString8, NamespaceDescr, NamespaceExtension, Namespaces,
    OtherCode, OtherData, QuotaResource, RespText, Response, ResponseCode, SearchReturnData,
    SequenceSet, Status, StatusAttribute, StatusItem, StatusKind, StatusResponse, TaggedExtComp,
    TaggedExtVal, Text, Thread,
};

/// Human-readable text, possibly empty, possibly non-ASCII.
fn human_text() -> impl Strategy<Value = Text<'static>> {
    prop_oneof![
        4 => "[ -~]{0,30}",
        1 => "[ -~é日本]{0,10}",
    ]
    .prop_map(|s| Text::try_from(s).expect("text chars"))
}

/// Raw code arguments.
fn code_text() -> impl Strategy<Value = CodeText<'static>> {
    "[!-\\\\^-~][ -\\\\^-~]{0,20}".prop_map(|s| CodeText::try_new(s).expect("code text"))
}

/// Any response code.
pub fn response_code() -> impl Strategy<Value = ResponseCode<'static>> {
    use ResponseCode as C;
    let unit = proptest::sample::select(vec![
        C::Alert,
        C::BadCharset(None),
        C::Parse,
        C::ReadOnly,
        C::ReadWrite,
        C::TryCreate,
        C::Closed,
        C::NoModSeq,
        C::UidNotSticky,
        C::Unavailable,
        C::AuthenticationFailed,
        C::AuthorizationFailed,
        C::Expired,
        C::PrivacyRequired,
        C::ContactAdmin,
        C::NoPerm,
        C::InUse,
        C::ExpungeIssued,
        C::Corruption,
        C::ServerBug,
        C::ClientBug,
        C::Cannot,
        C::Limit,
        C::OverQuota,
        C::AlreadyExists,
        C::NonExistent,
        C::NotSaved,
        C::HasChildren,
        C::UnknownCte,
        C::CompressionActive,
        C::NotificationOverflow,
        C::UseAttr,
        C::TooBig,
    ]);
    let charset = prop_oneof![
        atom().prop_map(Charset::Atom),
        ascii_quoted().prop_map(Charset::Quoted)
    ];
    let metadata = prop_oneof![
        u32_full().prop_map(MetadataCode::LongEntries),
        u32_full().prop_map(MetadataCode::MaxSize),
        Just(MetadataCode::TooMany),
        Just(MetadataCode::NoPrivate),
    ];
    let other = (
        atom().prop_filter("unknown code", |a| !crate::is_known_code(a.as_bytes())),
        option::of(code_text()),
    )
        .prop_map(|(n, a)| C::Other(Box::new(OtherCode::new(n, a).expect("unknown name"))));
    prop_oneof![
        8 => unit,
        1 => vec1(charset, 1..4).prop_map(|l| C::BadCharset(Some(l))),
        1 => vec1(capability(), 1..5).prop_map(C::Capability),
        1 => vec(flag_perm(), 0..5).prop_map(C::PermanentFlags),
        1 => u32_full().prop_map(C::UidNext),
        1 => u32_full().prop_map(C::UidValidity),
        1 => nz_u32().prop_map(C::Unseen),
        1 => u64_full().prop_map(C::HighestModSeq),
        1 => response_set().prop_map(C::Modified),
        1 => (nz_u32(), uid_set()).prop_map(|(uid_validity, uids)| C::AppendUid { uid_validity, uids }),
        1 => (nz_u32(), uid_set(), uid_set()).prop_map(|(uid_validity, source, destination)| C::CopyUid(Box::new(crate::CopyUidCode { uid_validity, source, destination }))),
        1 => code_text().prop_map(C::Referral),
        1 => code_text().prop_map(C::BadUrl),
        1 => metadata.prop_map(C::Metadata),
        1 => vec1(atom(), 1..4).prop_map(C::BadEvent),
        1 => object_id().prop_map(C::MailboxId),
        3 => other,
    ]
}

/// `resp-text`: an optional code and a text.
pub fn resp_text() -> impl Strategy<Value = RespText<'static>> {
    (option::weighted(0.5, response_code()), human_text())
        .prop_filter_map("text without code cannot start with [", |(c, t)| {
            RespText::new(c, t).ok()
        })
}

/// A greeting.
pub fn greeting() -> impl Strategy<Value = Greeting<'static>> {
    (
        proptest::sample::select(vec![
            GreetingKind::Ok,
            GreetingKind::PreAuth,
            GreetingKind::Bye,
        ]),
        resp_text(),
    )
        .prop_map(|(kind, text)| Greeting { kind, text })
}

/// A status response, tagged or not.
pub fn status_response() -> impl Strategy<Value = StatusResponse<'static>> {
    let status = proptest::sample::select(vec![Status::Ok, Status::No, Status::Bad]);
    let kind = prop_oneof![
        3 => (tag(), status.clone()).prop_map(|(tag, status)| StatusKind::Tagged { tag, status }),
        3 => status.prop_map(StatusKind::Untagged),
        1 => Just(StatusKind::Bye),
        1 => Just(StatusKind::PreAuth),
    ];
    (kind, resp_text()).prop_map(|(kind, text)| StatusResponse { kind, text })
}

/// A continuation request.
pub fn continue_request() -> impl Strategy<Value = ContinueRequest<'static>> {
    prop_oneof![
        3 => resp_text().prop_map(ContinueRequest::new),
        1 => vec(any::<u8>(), 0..40).prop_map(|d| ContinueRequest::base64(&d)),
        1 => Just(ContinueRequest::bare()),
    ]
}

/// A `tagged-ext-val`.
pub fn tagged_ext_val() -> impl Strategy<Value = TaggedExtVal<'static>> {
    let leaf = server_astring().prop_map(TaggedExtComp::AString);
    let comp = leaf.prop_recursive(3, 16, 4, |inner| {
        vec(inner, 0..4).prop_map(TaggedExtComp::List)
    });
    prop_oneof![
        u64_full().prop_map(TaggedExtVal::Number),
        sequence_set()
            .prop_filter("a single number decodes as Number", |s| !matches!(
                s,
                SequenceSet::Set(v) if v.len() == 1 && matches!(v[0], crate::Sequence::Single(crate::SeqOrUid::Value(_)))
            ))
            .prop_map(TaggedExtVal::SequenceSet),
        vec(comp, 0..4).prop_map(TaggedExtVal::Comp),
        server_istring().prop_map(TaggedExtVal::String),
    ]
}

fn delimiter() -> impl Strategy<Value = Option<Delimiter>> {
    let chars = vec!['/', '.', ':', '"', '\\', 'é', '日', '\t', '\x01', '\x7f'];
    option::weighted(
        0.8,
        proptest::sample::select(chars).prop_map(|c| Delimiter::new(c).expect("a valid delimiter")),
    )
}

/// A LIST/LSUB `mailbox-list`.
pub fn mailbox_list() -> impl Strategy<Value = MailboxList<'static>> {
    let attr = prop_oneof![
        atom().prop_map(MailboxAttribute::from_atom),
        proptest::sample::select(vec![
            "Noselect",
            "NonExistent",
            "HasChildren",
            "HasNoChildren",
            "Subscribed",
            "Remote",
            "Marked",
            "Unmarked",
            "Noinferiors",
            "All",
            "Archive",
            "Drafts",
            "Flagged",
            "Junk",
            "Sent",
            "Trash",
            "Important",
        ])
        .prop_map(|s| MailboxAttribute::from_atom(Atom::try_from(s).expect("atom"))),
    ];
    let item = prop_oneof![
        vec1(server_astring(), 1..3).prop_map(ListExtendedItem::ChildInfo),
        server_mailbox().prop_map(ListExtendedItem::OldName),
        (server_astring(), tagged_ext_val())
            .prop_filter("not a known item", |(t, _)| {
                let t = t.as_bytes();
                !t.eq_ignore_ascii_case(b"CHILDINFO") && !t.eq_ignore_ascii_case(b"OLDNAME")
            })
            .prop_map(|(tag, value)| ListExtendedItem::Other { tag, value }),
    ];
    (
        vec(attr, 0..4),
        delimiter(),
        server_mailbox(),
        vec(item, 0..3),
    )
        .prop_map(|(attributes, delimiter, mailbox, extended)| MailboxList {
            attributes,
            delimiter,
            mailbox,
            extended,
        })
}

fn namespace_descr() -> impl Strategy<Value = NamespaceDescr<'static>> {
    let ext = (server_istring(), vec1(server_istring(), 1..3))
        .prop_map(|(name, values)| NamespaceExtension { name, values });
    (server_istring(), delimiter(), vec(ext, 0..2)).prop_map(|(prefix, delimiter, extensions)| {
        NamespaceDescr {
            prefix,
            delimiter,
            extensions,
        }
    })
}

fn namespaces() -> impl Strategy<Value = Namespaces<'static>> {
    let list = || vec(namespace_descr(), 0..3);
    (list(), list(), list()).prop_map(|(personal, other, shared)| Namespaces {
        personal,
        other,
        shared,
    })
}

/// A STATUS response item.
pub fn status_item() -> impl Strategy<Value = StatusItem<'static>> {
    prop_oneof![
        u32_full().prop_map(StatusItem::Messages),
        u32_full().prop_map(StatusItem::UidNext),
        u32_full().prop_map(StatusItem::UidValidity),
        u32_full().prop_map(StatusItem::Unseen),
        u32_full().prop_map(StatusItem::Deleted),
        u64_full().prop_map(StatusItem::Size),
        u32_full().prop_map(StatusItem::Recent),
        u64_full().prop_map(StatusItem::HighestModSeq),
        u64_full().prop_map(StatusItem::DeletedStorage),
        option::of(u64_full()).prop_map(StatusItem::AppendLimit),
        object_id().prop_map(StatusItem::MailboxId),
        (
            atom().prop_filter("unknown", |a| StatusAttribute::from_name(a.as_bytes())
                .is_none()),
            tagged_ext_val()
        )
            .prop_map(|(name, value)| StatusItem::Other { name, value }),
    ]
}

/// An ESEARCH response.
pub fn esearch() -> impl Strategy<Value = ESearch<'static>> {
    let range = prop_oneof![
        (nz_u32(), nz_u32()).prop_map(|(a, b)| ESearchPartialRange::First(a, b)),
        (nz_u32(), nz_u32()).prop_map(|(a, b)| ESearchPartialRange::Last(a, b)),
    ];
    let known = ["MIN", "MAX", "ALL", "COUNT", "MODSEQ", "PARTIAL", "UID"];
    let item = prop_oneof![
        nz_u32().prop_map(SearchReturnData::Min),
        nz_u32().prop_map(SearchReturnData::Max),
        response_set().prop_map(SearchReturnData::All),
        u32_full().prop_map(SearchReturnData::Count),
        u64_full().prop_map(SearchReturnData::ModSeq),
        (range, option::of(response_set()))
            .prop_map(|(range, results)| SearchReturnData::Partial { range, results }),
        (
            atom().prop_filter("unknown", move |a| !known
                .iter()
                .any(|k| k.as_bytes().eq_ignore_ascii_case(a.as_bytes()))),
            tagged_ext_val()
        )
            .prop_map(|(name, value)| SearchReturnData::Other { name, value }),
    ];
    (option::of(server_astring()), any::<bool>(), vec(item, 0..4))
        .prop_map(|(tag, uid, data)| ESearch { tag, uid, data })
}

/// A `thread-list`: never empty (RFC 5256 §5).
pub fn thread() -> impl Strategy<Value = Thread> {
    let leaf = vec(nz_u32(), 1..4).prop_map(|ids| Thread {
        ids,
        children: vec![],
    });
    leaf.prop_recursive(4, 32, 3, |inner| {
        (vec(nz_u32(), 0..3), vec(inner, 0..3))
            .prop_filter("a thread list is never empty", |(ids, children)| {
                !(ids.is_empty() && children.is_empty())
            })
            .prop_map(|(ids, children)| Thread { ids, children })
    })
}

fn nz_ids() -> impl Strategy<Value = Vec<NonZeroU32>> {
    vec(nz_u32(), 0..6)
}

/// The numbers of SEARCH or SORT and their `(MODSEQ n)`, which comes only
/// after at least one number (RFC 7162 §7).
fn search_parts() -> impl Strategy<Value = (Vec<NonZeroU32>, Option<u64>)> {
    (nz_ids(), option::of(u64_full())).prop_map(|(ids, mod_seq)| {
        let mod_seq = if ids.is_empty() { None } else { mod_seq };
        (ids, mod_seq)
    })
}

/// Any unknown response its constructor accepts (known names, numbers
/// out of range, status-like lines and lines ending in a literal header
/// are generated too, and refused).
fn other_data() -> impl Strategy<Value = OtherData<'static>> {
    prop_oneof![
        3 => "X[A-Z0-9-]{0,8}( [ -~]{0,20})?",
        2 => (u32_full(), "X[A-Z]{0,8}( [ -~]{0,10})?").prop_map(|(n, s)| format!("{n} {s}")),
        1 => "[0-9]{9,11} [A-Z]{1,5}",
        1 => "[!-~]{1,10}( [ -~é]{0,10})?",
        1 => "(OK|Ok|BYE|FLAGS|XFOO)[\\[( ][ -~]{0,8}",
        1 => "X[A-Z]{0,4} [ -~]{0,8}\\{[0-9]{1,2}\\+?\\}",
    ]
    .prop_filter_map("an unknown response", |s| OtherData::try_new(s).ok())
}

/// Untagged data of every kind.
pub fn data() -> impl Strategy<Value = Data<'static>> {
    let nstring8 = prop_oneof![
        3 => server_nstring().prop_map(NString8::NString),
        1 => server_literal().prop_map(NString8::Literal8),
    ];
    prop_oneof![
        vec1(capability(), 1..6).prop_map(Data::Capability),
        vec(capability(), 0..4).prop_map(Data::Enabled),
        vec(flag(), 0..6).prop_map(Data::Flags),
        mailbox_list().prop_map(Data::List),
        mailbox_list().prop_map(Data::Lsub),
        namespaces().prop_map(Data::Namespace),
        (server_mailbox(), vec(status_item(), 0..5))
            .prop_map(|(mailbox, items)| Data::Status { mailbox, items }),
        esearch().prop_map(Data::ESearch),
        search_parts().prop_map(|(ids, mod_seq)| Data::Search { ids, mod_seq }),
        search_parts().prop_map(|(ids, mod_seq)| Data::Sort { ids, mod_seq }),
        vec(thread(), 0..4).prop_map(Data::Thread),
        u32_full().prop_map(Data::Exists),
        u32_full().prop_map(Data::Recent),
        nz_u32().prop_map(Data::Expunge),
        (nz_u32(), vec1(super::fetch::message_data_item(), 1..4))
            .prop_map(|(seq, items)| Data::Fetch { seq, items }),
        (any::<bool>(), uid_set()).prop_map(|(earlier, uids)| Data::Vanished { earlier, uids }),
        option::of(vec((server_istring(), server_nstring()), 0..4)).prop_map(Data::Id),
        (
            server_astring(),
            vec(
                (atom(), u64_full(), u64_full()).prop_map(|(name, usage, limit)| QuotaResource {
                    name,
                    usage,
                    limit
                }),
                0..3
            )
        )
            .prop_map(|(root, resources)| Data::Quota { root, resources }),
        (server_mailbox(), vec(server_astring(), 0..3))
            .prop_map(|(mailbox, roots)| Data::QuotaRoot { mailbox, roots }),
        (
            server_mailbox(),
            vec(
                (server_astring(), server_astring())
                    .prop_map(|(identifier, rights)| AclEntry { identifier, rights }),
                0..3
            )
        )
            .prop_map(|(mailbox, entries)| Data::Acl { mailbox, entries }),
        (
            server_mailbox(),
            server_astring(),
            server_astring(),
            vec(server_astring(), 0..3)
        )
            .prop_map(
                |(mailbox, identifier, required, optional)| Data::ListRights(Box::new(
                    crate::ListRights {
                        mailbox,
                        identifier,
                        required,
                        optional
                    }
                ))
            ),
        (server_mailbox(), server_astring())
            .prop_map(|(mailbox, rights)| Data::MyRights { mailbox, rights }),
        (
            server_mailbox(),
            prop_oneof![
                vec1((server_astring(), nstring8), 1..3).prop_map(MetadataItems::Values),
                vec1(server_astring(), 1..3).prop_map(MetadataItems::Entries),
            ]
        )
            .prop_map(|(mailbox, items)| Data::Metadata { mailbox, items }),
        other_data().prop_map(Data::Other),
    ]
}

/// Any response.
pub fn response() -> impl Strategy<Value = Response<'static>> {
    prop_oneof![
        2 => status_response().prop_map(Response::Status),
        4 => data().prop_map(Response::Data),
        1 => continue_request().prop_map(Response::Continue),
    ]
}
