//! Strategies for commands: every [`CommandBody`] variant, with nested
//! search keys of bounded depth.
//!
//! Extension names (`Other` variants) are generated with an `X-` prefix so
//! that they never collide with the known names the decoder maps to their
//! own variants.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, Union};

use super::{
    ascii_quoted, astring, atom, auth_mechanism, capability, date, date_time, flag, istring,
    known_set, literal, mailbox, nstring, nz_u32, nz_u64_full, partial, section, sequence_set,
    status_attribute, tag, u32_full, u64_full, vec1,
};
use crate::{
    AclModMode, AclRights, AppendData, AppendMessage, Atom, AuthenticateData, Buf, CatenatePart,
    Charset, Command, CommandBody, CompressionAlgorithm, CreateParameter, EntryTypeReq, ExtParam,
    FetchAttribute, FetchItems, FetchModifier, GetMetadataOption, ListChars, ListMailbox,
    ListOptionExtension, ListPatterns, ListReturnOption, ListSelectOption, Literal8, LiteralMode,
    MetadataDepth, MetadataEntry, MetadataValue, NotifyEvent, NotifyEventGroup, NotifyFilter,
    ObjectId, OtherCommand, PartialRange, QuotaLimit, QuotaResourceName, SearchKey,
    SearchModSeqEntry, SearchReturnOption, Secret, SelectParameter, Sequence, SequenceSet,
    SortCriterion, SortKey, StoreAction, StoreModifier, StoreTarget, TaggedExtComp, TaggedExtVal,
    ThreadAlgorithm, UseAttribute, KNOWN_COMMANDS,
};

/// An extension name that is never a known keyword: `X-` and letters/digits.
pub fn ext_name() -> impl Strategy<Value = Atom<'static>> {
    "X-[A-Za-z0-9]{1,6}".prop_map(|s| Atom::try_from(s).expect("atom"))
}

/// A `tagged-ext-comp` item, nested at most `depth` levels.
pub fn tagged_ext_comp() -> impl Strategy<Value = TaggedExtComp<'static>> {
    astring()
        .prop_map(TaggedExtComp::AString)
        .prop_recursive(3, 12, 3, |inner| {
            vec1(inner, 1..4).prop_map(|v| TaggedExtComp::List(v.into_vec()))
        })
}

/// A `tagged-ext-val`.
pub fn command_tagged_ext_val() -> impl Strategy<Value = TaggedExtVal<'static>> {
    prop_oneof![
        u64_full().prop_map(TaggedExtVal::Number),
        sequence_set()
            .prop_filter("one number is a Number", |s| !matches!(
                s,
                SequenceSet::Set(v) if v.len() == 1 && matches!(v[0], Sequence::Single(crate::SeqOrUid::Value(_)))
            ))
            .prop_map(TaggedExtVal::SequenceSet),
        vec(tagged_ext_comp(), 0..4).prop_map(TaggedExtVal::Comp),
    ]
}

/// A generic extension parameter with an `X-` name.
pub fn ext_param() -> impl Strategy<Value = ExtParam<'static>> {
    (ext_name(), proptest::option::of(command_tagged_ext_val()))
        .prop_map(|(name, value)| ExtParam { name, value })
}

/// A `charset`.
pub fn charset() -> impl Strategy<Value = Charset<'static>> {
    prop_oneof![
        atom().prop_map(Charset::Atom),
        ascii_quoted().prop_map(Charset::Quoted),
    ]
}

/// A `literal8` with any bytes.
pub fn literal8() -> impl Strategy<Value = Literal8<'static>> {
    (vec(any::<u8>(), 0..40), any::<bool>()).prop_map(|(b, sync)| {
        Literal8::new(
            b,
            if sync {
                LiteralMode::Sync
            } else {
                LiteralMode::NonSync
            },
        )
    })
}

fn partial_range() -> impl Strategy<Value = PartialRange> {
    prop_oneof![
        (nz_u32(), nz_u32()).prop_map(|(a, b)| PartialRange::First(a, b)),
        (nz_u32(), nz_u32()).prop_map(|(a, b)| PartialRange::Last(a, b)),
    ]
}

fn object_id() -> impl Strategy<Value = ObjectId<'static>> {
    "[A-Za-z0-9_-]{1,24}".prop_map(|s| ObjectId::try_from(s).expect("objectid"))
}

/// A search key without sub-keys.
pub fn search_key_leaf() -> BoxedStrategy<SearchKey<'static>> {
    use SearchKey as K;
    let simple = proptest::sample::select(vec![
        K::All,
        K::Answered,
        K::Deleted,
        K::Draft,
        K::Flagged,
        K::New,
        K::Old,
        K::Recent,
        K::Seen,
        K::Unanswered,
        K::Undeleted,
        K::Undraft,
        K::Unflagged,
        K::Unseen,
        K::SaveDateSupported,
    ]);
    let s = || astring();
    Union::new(vec![
        simple.boxed(),
        s().prop_map(K::Bcc).boxed(),
        s().prop_map(K::Body).boxed(),
        s().prop_map(K::Cc).boxed(),
        s().prop_map(K::From).boxed(),
        s().prop_map(K::Subject).boxed(),
        s().prop_map(K::Text).boxed(),
        s().prop_map(K::To).boxed(),
        s().prop_map(K::GmailRaw).boxed(),
        (s(), s()).prop_map(|(a, b)| K::Header(a, b)).boxed(),
        date().prop_map(K::Before).boxed(),
        date().prop_map(K::On).boxed(),
        date().prop_map(K::Since).boxed(),
        date().prop_map(K::SentBefore).boxed(),
        date().prop_map(K::SentOn).boxed(),
        date().prop_map(K::SentSince).boxed(),
        date().prop_map(K::SavedBefore).boxed(),
        date().prop_map(K::SavedOn).boxed(),
        date().prop_map(K::SavedSince).boxed(),
        atom().prop_map(K::Keyword).boxed(),
        atom().prop_map(K::Unkeyword).boxed(),
        u64_full().prop_map(K::Larger).boxed(),
        u64_full().prop_map(K::Smaller).boxed(),
        u64_full().prop_map(K::GmailMsgId).boxed(),
        u64_full().prop_map(K::GmailThrId).boxed(),
        sequence_set().prop_map(K::Uid).boxed(),
        sequence_set().prop_map(K::SequenceSet).boxed(),
        nz_u32().prop_map(K::Older).boxed(),
        nz_u32().prop_map(K::Younger).boxed(),
        object_id().prop_map(K::EmailId).boxed(),
        object_id().prop_map(K::ThreadId).boxed(),
        super::fetch::gmail_label().prop_map(K::GmailLabels).boxed(),
        (
            proptest::option::of((
                ascii_quoted(),
                proptest::sample::select(vec![
                    EntryTypeReq::Private,
                    EntryTypeReq::Shared,
                    EntryTypeReq::All,
                ]),
            )),
            u64_full(),
        )
            .prop_map(|(e, modseq)| K::ModSeq {
                entry: e.map(|(name, kind)| SearchModSeqEntry { name, kind }),
                modseq,
            })
            .boxed(),
    ])
    .boxed()
}

/// A search key, nested up to 4 levels (NOT, OR, parenthesised lists).
pub fn search_key() -> impl Strategy<Value = SearchKey<'static>> {
    search_key_leaf().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(SearchKey::negated),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| SearchKey::or(a, b)),
            vec1(inner, 1..4).prop_map(SearchKey::And),
        ]
    })
}

/// A `search-return-opt`.
pub fn search_return_option() -> impl Strategy<Value = SearchReturnOption<'static>> {
    use SearchReturnOption as O;
    prop_oneof![
        proptest::sample::select(vec![
            O::Min,
            O::Max,
            O::All,
            O::Count,
            O::Save,
            O::Context,
            O::Update
        ]),
        partial_range().prop_map(O::Partial),
        ext_param().prop_map(O::Other),
    ]
}

/// A `fetch-att`.
pub fn fetch_attribute() -> impl Strategy<Value = FetchAttribute<'static>> {
    use FetchAttribute as A;
    let part = || vec(nz_u32(), 0..4);
    prop_oneof![
        proptest::sample::select(vec![
            A::Envelope,
            A::Flags,
            A::InternalDate,
            A::Rfc822Size,
            A::Rfc822,
            A::Rfc822Header,
            A::Rfc822Text,
            A::Body,
            A::BodyStructure,
            A::Uid,
            A::ModSeq,
            A::EmailId,
            A::ThreadId,
            A::SaveDate,
            A::Preview { lazy: false },
            A::Preview { lazy: true },
            A::GmailMsgId,
            A::GmailThrId,
            A::GmailLabels,
        ]),
        (any::<bool>(), section(), proptest::option::of(partial())).prop_map(
            |(peek, section, partial)| A::BodySection {
                peek,
                section,
                partial
            }
        ),
        (any::<bool>(), part(), proptest::option::of(partial())).prop_map(
            |(peek, part, partial)| A::Binary {
                peek,
                part,
                partial
            }
        ),
        part().prop_map(|part| A::BinarySize { part }),
        super::snippet_request().prop_map(A::Snippet),
        ext_name().prop_map(A::Other),
    ]
}

/// What FETCH asks for.
pub fn fetch_items() -> impl Strategy<Value = FetchItems<'static>> {
    prop_oneof![
        Just(FetchItems::All),
        Just(FetchItems::Fast),
        Just(FetchItems::Full),
        fetch_attribute().prop_map(FetchItems::Single),
        vec1(fetch_attribute(), 1..5).prop_map(FetchItems::List),
    ]
}

/// A `fetch-modifier` of a FETCH: any but `VANISHED`, which "is only
/// allowed in the UID FETCH command" (RFC 7162 §7; see
/// [`uid_fetch_modifier`]).
pub fn fetch_modifier() -> impl Strategy<Value = FetchModifier<'static>> {
    prop_oneof![
        u64_full().prop_map(FetchModifier::ChangedSince),
        partial_range().prop_map(FetchModifier::Partial),
        ext_param().prop_map(FetchModifier::Other),
    ]
}

/// A `fetch-modifier` of a UID FETCH: any, `VANISHED` too.
pub fn uid_fetch_modifier() -> impl Strategy<Value = FetchModifier<'static>> {
    prop_oneof![
        3 => fetch_modifier(),
        1 => Just(FetchModifier::Vanished),
    ]
}

fn select_parameter() -> impl Strategy<Value = SelectParameter<'static>> {
    prop_oneof![
        Just(SelectParameter::CondStore),
        (
            nz_u32(),
            nz_u64_full(),
            proptest::option::of(known_set()),
            proptest::option::of((known_set(), known_set())),
        )
            .prop_map(|(uid_validity, mod_seq, known_uids, seq_match_data)| {
                SelectParameter::QResync {
                    uid_validity,
                    mod_seq,
                    known_uids,
                    seq_match_data,
                }
            }),
        ext_param().prop_map(SelectParameter::Other),
    ]
}

fn use_attribute() -> impl Strategy<Value = UseAttribute<'static>> {
    prop_oneof![
        proptest::sample::select(
            UseAttribute::KNOWN
                .iter()
                .map(|(_, u)| u.clone())
                .collect::<Vec<_>>()
        ),
        ext_name().prop_map(UseAttribute::Other),
    ]
}

fn create_parameter() -> impl Strategy<Value = CreateParameter<'static>> {
    prop_oneof![
        vec(use_attribute(), 0..4).prop_map(CreateParameter::Use),
        ext_param().prop_map(CreateParameter::Other),
    ]
}

fn list_mailbox() -> impl Strategy<Value = ListMailbox<'static>> {
    prop_oneof![
        "[A-Za-z0-9%*/.~#\\]]{1,10}"
            .prop_map(|s| ListMailbox::Token(ListChars::try_from(s).expect("list chars"))),
        istring().prop_map(ListMailbox::String),
    ]
}

fn list_option_ext() -> impl Strategy<Value = ListOptionExtension<'static>> {
    (
        ext_name(),
        proptest::option::of(vec1(tagged_ext_comp(), 1..3)),
    )
        .prop_map(|(name, value)| ListOptionExtension { name, value })
}

fn list_select_option() -> impl Strategy<Value = ListSelectOption<'static>> {
    prop_oneof![
        Just(ListSelectOption::Subscribed),
        Just(ListSelectOption::Remote),
        Just(ListSelectOption::RecursiveMatch),
        Just(ListSelectOption::SpecialUse),
        list_option_ext().prop_map(ListSelectOption::Other),
    ]
}

fn list_return_option() -> impl Strategy<Value = ListReturnOption<'static>> {
    prop_oneof![
        Just(ListReturnOption::Subscribed),
        Just(ListReturnOption::Children),
        Just(ListReturnOption::SpecialUse),
        Just(ListReturnOption::MyRights),
        vec1(status_attribute(), 1..4).prop_map(ListReturnOption::Status),
        list_option_ext().prop_map(ListReturnOption::Other),
    ]
}

fn append_message() -> impl Strategy<Value = AppendMessage<'static>> {
    let data = prop_oneof![
        4 => literal().prop_map(AppendData::Literal),
        1 => literal8().prop_map(AppendData::Literal8),
        1 => literal8().prop_map(AppendData::Utf8),
        1 => vec1(
            prop_oneof![
                astring().prop_map(CatenatePart::Url),
                literal().prop_map(CatenatePart::Text),
                literal8().prop_map(CatenatePart::Text8),
            ],
            1..4
        )
        .prop_map(AppendData::Catenate),
    ];
    (
        proptest::option::of(vec(flag(), 0..4)),
        proptest::option::of(date_time()),
        data,
    )
        .prop_map(|(flags, date, data)| AppendMessage { flags, date, data })
}

fn sort_criterion() -> impl Strategy<Value = SortCriterion<'static>> {
    let key = prop_oneof![
        proptest::sample::select(
            SortKey::KNOWN
                .iter()
                .map(|(_, k)| k.clone())
                .collect::<Vec<_>>()
        ),
        ext_name().prop_map(SortKey::Other),
    ];
    (any::<bool>(), key).prop_map(|(reverse, key)| SortCriterion { reverse, key })
}

fn metadata_entry() -> impl Strategy<Value = MetadataEntry<'static>> {
    astring()
        .prop_filter("not an option name", |a| {
            let b = a.as_bytes();
            !b.eq_ignore_ascii_case(b"MAXSIZE") && !b.eq_ignore_ascii_case(b"DEPTH")
        })
        .prop_map(MetadataEntry::new)
}

fn notify_event() -> impl Strategy<Value = NotifyEvent<'static>> {
    use NotifyEvent as E;
    prop_oneof![
        proptest::sample::select(vec![
            E::MessageNew(None),
            E::MessageExpunge,
            E::FlagChange,
            E::AnnotationChange,
            E::MailboxName,
            E::SubscriptionChange,
            E::MailboxMetadataChange,
            E::ServerMetadataChange,
        ]),
        vec1(fetch_attribute(), 1..3).prop_map(|a| E::MessageNew(Some(a))),
        ext_name().prop_map(E::Other),
    ]
}

fn notify_group() -> impl Strategy<Value = NotifyEventGroup<'static>> {
    let filter = prop_oneof![
        proptest::sample::select(vec![
            NotifyFilter::Selected,
            NotifyFilter::SelectedDelayed,
            NotifyFilter::Inboxes,
            NotifyFilter::Personal,
            NotifyFilter::Subscribed,
        ]),
        vec1(mailbox(), 1..3).prop_map(NotifyFilter::Subtree),
        vec1(mailbox(), 1..3).prop_map(NotifyFilter::Mailboxes),
    ];
    (filter, proptest::option::of(vec1(notify_event(), 1..4)))
        .prop_map(|(filter, events)| NotifyEventGroup { filter, events })
}

fn store_target() -> impl Strategy<Value = StoreTarget<'static>> {
    prop_oneof![
        3 => vec(flag(), 0..4).prop_map(StoreTarget::Flags),
        1 => vec(super::fetch::gmail_label(), 0..4).prop_map(StoreTarget::GmailLabels),
    ]
}

/// Any [`CommandBody`].
pub fn command_body() -> BoxedStrategy<CommandBody<'static>> {
    use CommandBody as C;
    let uid = || any::<bool>();
    let simple = proptest::sample::select(vec![
        C::Capability,
        C::Noop,
        C::Logout,
        C::StartTls,
        C::Namespace,
        C::Idle,
        C::Check,
        C::Close,
        C::Unselect,
        C::Expunge,
        C::Unauthenticate,
        C::NotifyNone,
    ]);
    let opt_ret = || proptest::option::of(vec(search_return_option(), 0..4));
    Union::new(vec![
        simple.boxed(),
        (
            auth_mechanism(),
            proptest::option::of(vec(any::<u8>(), 0..40)),
        )
            .prop_map(|(mechanism, r)| C::Authenticate {
                mechanism,
                initial_response: r.map(|r| Secret::new(Buf::from(r))),
            })
            .boxed(),
        (astring(), astring())
            .prop_map(|(username, p)| C::Login {
                username,
                password: Secret::new(p),
            })
            .boxed(),
        vec1(capability(), 1..4)
            .prop_map(|capabilities| C::Enable { capabilities })
            .boxed(),
        (mailbox(), vec(select_parameter(), 0..3), any::<bool>())
            .prop_map(|(mailbox, parameters, examine)| {
                if examine {
                    C::Examine {
                        mailbox,
                        parameters,
                    }
                } else {
                    C::Select {
                        mailbox,
                        parameters,
                    }
                }
            })
            .boxed(),
        (mailbox(), vec(create_parameter(), 0..3))
            .prop_map(|(mailbox, parameters)| C::Create {
                mailbox,
                parameters,
            })
            .boxed(),
        (mailbox(), 0..6u8)
            .prop_map(|(mailbox, k)| match k {
                0 => C::Delete { mailbox },
                1 => C::Subscribe { mailbox },
                2 => C::Unsubscribe { mailbox },
                3 => C::GetQuotaRoot { mailbox },
                4 => C::GetAcl { mailbox },
                _ => C::MyRights { mailbox },
            })
            .boxed(),
        (mailbox(), mailbox())
            .prop_map(|(from, to)| C::Rename { from, to })
            .boxed(),
        (
            proptest::option::of(vec(list_select_option(), 0..3)),
            mailbox(),
            prop_oneof![
                list_mailbox().prop_map(ListPatterns::Single),
                vec1(list_mailbox(), 1..3).prop_map(ListPatterns::Multiple),
            ],
            proptest::option::of(vec(list_return_option(), 0..3)),
        )
            .prop_map(|(selection, reference, patterns, return_options)| C::List {
                selection,
                reference,
                patterns,
                return_options,
            })
            .boxed(),
        (mailbox(), list_mailbox())
            .prop_map(|(reference, pattern)| C::Lsub { reference, pattern })
            .boxed(),
        (mailbox(), vec1(status_attribute(), 1..5))
            .prop_map(|(mailbox, attributes)| C::Status {
                mailbox,
                attributes,
            })
            .boxed(),
        (mailbox(), vec1(append_message(), 1..3))
            .prop_map(|(mailbox, messages)| C::Append { mailbox, messages })
            .boxed(),
        sequence_set()
            .prop_map(|sequence_set| C::UidExpunge { sequence_set })
            .boxed(),
        (
            uid(),
            opt_ret(),
            proptest::option::of(charset()),
            vec1(search_key(), 1..4),
        )
            .prop_map(|(uid, return_options, charset, criteria)| C::Search {
                uid,
                return_options,
                charset,
                criteria,
            })
            .boxed(),
        (
            uid(),
            sequence_set(),
            fetch_items(),
            vec(uid_fetch_modifier(), 0..3),
        )
            .prop_map(|(uid, sequence_set, items, mut modifiers)| {
                // `VANISHED`: "only allowed in the UID FETCH command".
                if !uid {
                    modifiers.retain(|m| !matches!(m, FetchModifier::Vanished));
                }
                C::Fetch {
                    uid,
                    sequence_set,
                    items,
                    modifiers,
                }
            })
            .boxed(),
        (
            uid(),
            sequence_set(),
            vec(
                prop_oneof![
                    u64_full().prop_map(StoreModifier::UnchangedSince),
                    ext_param().prop_map(StoreModifier::Other),
                ],
                0..3,
            ),
            proptest::sample::select(vec![
                StoreAction::Replace,
                StoreAction::Add,
                StoreAction::Remove,
            ]),
            any::<bool>(),
            store_target(),
        )
            .prop_map(
                |(uid, sequence_set, modifiers, action, silent, target)| C::Store {
                    uid,
                    sequence_set,
                    modifiers,
                    action,
                    silent,
                    target,
                },
            )
            .boxed(),
        (uid(), sequence_set(), mailbox(), any::<bool>())
            .prop_map(|(uid, sequence_set, mailbox, mv)| {
                if mv {
                    C::Move {
                        uid,
                        sequence_set,
                        mailbox,
                    }
                } else {
                    C::Copy {
                        uid,
                        sequence_set,
                        mailbox,
                    }
                }
            })
            .boxed(),
        (
            uid(),
            opt_ret(),
            vec1(sort_criterion(), 1..4),
            charset(),
            vec1(search_key(), 1..3),
        )
            .prop_map(|(uid, return_options, criteria, charset, search)| C::Sort {
                uid,
                return_options,
                criteria,
                charset,
                search,
            })
            .boxed(),
        (
            uid(),
            prop_oneof![
                Just(ThreadAlgorithm::OrderedSubject),
                Just(ThreadAlgorithm::References),
                ext_name().prop_map(ThreadAlgorithm::Other),
            ],
            charset(),
            vec1(search_key(), 1..3),
        )
            .prop_map(|(uid, algorithm, charset, search)| C::Thread {
                uid,
                algorithm,
                charset,
                search,
            })
            .boxed(),
        proptest::option::of(vec((istring(), nstring()), 0..4))
            .prop_map(|parameters| C::Id { parameters })
            .boxed(),
        astring().prop_map(|root| C::GetQuota { root }).boxed(),
        (
            astring(),
            vec(
                (
                    prop_oneof![
                        proptest::sample::select(
                            QuotaResourceName::KNOWN
                                .iter()
                                .map(|(_, r)| r.clone())
                                .collect::<Vec<_>>()
                        ),
                        ext_name().prop_map(QuotaResourceName::Other),
                    ],
                    u64_full(),
                )
                    .prop_map(|(resource, limit)| QuotaLimit { resource, limit }),
                0..3,
            ),
        )
            .prop_map(|(root, limits)| C::SetQuota { root, limits })
            .boxed(),
        (
            mailbox(),
            astring(),
            proptest::sample::select(vec![
                AclModMode::Replace,
                AclModMode::Add,
                AclModMode::Remove,
            ]),
            "[a-z0-9]{0,8}",
        )
            .prop_map(|(mailbox, identifier, mode, r)| C::SetAcl {
                mailbox,
                identifier,
                mode,
                rights: AclRights::try_from(r).expect("rights"),
            })
            .boxed(),
        (mailbox(), astring(), any::<bool>())
            .prop_map(|(mailbox, identifier, del)| {
                if del {
                    C::DeleteAcl {
                        mailbox,
                        identifier,
                    }
                } else {
                    C::ListRights {
                        mailbox,
                        identifier,
                    }
                }
            })
            .boxed(),
        (
            vec(
                prop_oneof![
                    u32_full().prop_map(GetMetadataOption::MaxSize),
                    proptest::sample::select(vec![
                        MetadataDepth::Zero,
                        MetadataDepth::One,
                        MetadataDepth::Infinity
                    ])
                    .prop_map(GetMetadataOption::Depth),
                    ext_param().prop_map(GetMetadataOption::Other),
                ],
                0..3,
            ),
            mailbox(),
            vec1(metadata_entry(), 1..4),
        )
            .prop_map(|(options, mailbox, entries)| C::GetMetadata {
                options,
                mailbox,
                entries,
            })
            .boxed(),
        (
            mailbox(),
            vec1(
                (
                    metadata_entry(),
                    prop_oneof![
                        3 => nstring().prop_map(MetadataValue::NString),
                        1 => literal8().prop_map(MetadataValue::Literal8),
                    ],
                ),
                1..3,
            ),
        )
            .prop_map(|(mailbox, entries)| C::SetMetadata { mailbox, entries })
            .boxed(),
        prop_oneof![
            Just(CompressionAlgorithm::Deflate),
            ext_name().prop_map(CompressionAlgorithm::Other),
        ]
        .prop_map(|algorithm| C::Compress { algorithm })
        .boxed(),
        (any::<bool>(), vec1(notify_group(), 1..3))
            .prop_map(|(status, groups)| C::NotifySet { status, groups })
            .boxed(),
        other_command().prop_map(C::Other).boxed(),
    ])
    .boxed()
}

/// An unknown command: any name and arguments its constructor accepts
/// (known names and arguments ending in a literal header are refused).
pub fn other_command() -> impl Strategy<Value = OtherCommand<'static>> {
    let name = prop_oneof![
        3 => atom(),
        1 => proptest::sample::select(KNOWN_COMMANDS.to_vec())
            .prop_map(|k| Atom::try_from(k.to_ascii_lowercase()).expect("atom")),
    ];
    let arguments = prop_oneof![
        3 => "[ -~]{0,20}",
        1 => "[ -~é日]{0,8}\\{[0-9]{1,3}\\+?\\}",
        1 => "\"[ -~]{0,8}",
    ];
    (name, proptest::option::of(arguments)).prop_filter_map("an unknown command", |(name, a)| {
        OtherCommand::try_new(name, a.map(Buf::from)).ok()
    })
}

/// Any [`Command`].
pub fn command() -> impl Strategy<Value = Command<'static>> {
    (tag(), command_body()).prop_map(|(tag, body)| Command { tag, body })
}

/// An [`AuthenticateData`] line.
pub fn authenticate_data() -> impl Strategy<Value = AuthenticateData<'static>> {
    prop_oneof![
        4 => vec(any::<u8>(), 0..100)
            .prop_map(|d| AuthenticateData::Continue(Secret::new(Buf::from(d)))),
        1 => Just(AuthenticateData::Cancel),
    ]
}
