//! Strategies for FETCH data items: envelopes, body structures of bounded
//! depth, and every [`MessageDataItem`] variant.
//!
//! The composite strategies are boxed: their value trees are large, and
//! unboxed they overflow a test thread's stack in debug builds.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

use super::{
    atom, atom_not_nil, date_time, flag_fetch, nz_u32, server_astring, server_istring,
    server_nstring, server_section, u32_full, u64_full, vec1,
};
use crate::{
    Address, BinaryData, Body, BodyExtension, BodyFields, BodyKind, BodyLanguage, BodyParam,
    BodyStructure, Buf, Disposition, Encapsulated, Envelope, EnvelopeFields, ExtensionTail,
    GmailLabel, IString, ItemValue, LanguageTail, LocationTail, MessageDataItem, Multipart,
    MultipartExtension, ObjectId, SinglePartExtension, SnippetAlgorithm, SnippetModifier,
    SnippetName, SnippetRequest,
};

/// Item names the decoder knows; `Other` never uses them.
const KNOWN_ITEMS: &[&str] = &[
    "UID",
    "FLAGS",
    "ENVELOPE",
    "INTERNALDATE",
    "RFC822",
    "RFC822.SIZE",
    "RFC822.HEADER",
    "RFC822.TEXT",
    "BODY",
    "BODYSTRUCTURE",
    "BINARY",
    "BINARY.SIZE",
    "MODSEQ",
    "EMAILID",
    "THREADID",
    "SAVEDATE",
    "PREVIEW",
    "SNIPPET",
    "X-GM-MSGID",
    "X-GM-THRID",
    "X-GM-LABELS",
];

/// A draft snippet algorithm: `FUZZY` or another atom (never one that
/// reads as `FUZZY` or `LAZY`).
pub fn snippet_algorithm() -> impl Strategy<Value = SnippetAlgorithm<'static>> {
    prop_oneof![
        3 => Just(SnippetAlgorithm::Fuzzy),
        1 => atom().prop_filter_map("not FUZZY or LAZY", |a| match SnippetAlgorithm::from_atom(a) {
            Ok(SnippetAlgorithm::Other(a)) => Some(SnippetAlgorithm::Other(a)),
            _ => None,
        }),
    ]
}

/// A modifier of a draft snippet item.
pub fn snippet_modifier() -> impl Strategy<Value = SnippetModifier<'static>> {
    prop_oneof![
        snippet_algorithm().prop_map(SnippetModifier::Algorithm),
        option::of(snippet_algorithm()).prop_map(SnippetModifier::Lazy),
    ]
}

/// A draft snippet FETCH item: `SNIPPET [(...)]` or `PREVIEW (...)` with
/// an algorithm.
pub fn snippet_request() -> impl Strategy<Value = SnippetRequest<'static>> {
    (any::<bool>(), vec(snippet_modifier(), 0..3)).prop_filter_map(
        "PREVIEW without an algorithm is RFC 8970's",
        |(preview, modifiers)| {
            if preview {
                SnippetRequest::preview(modifiers).ok()
            } else {
                SnippetRequest::snippet(modifiers).ok()
            }
        },
    )
}

/// An `address`, including group markers.
pub fn address() -> impl Strategy<Value = Address<'static>> {
    (
        server_nstring(),
        server_nstring(),
        server_nstring(),
        server_nstring(),
    )
        .prop_map(|(name, adl, mailbox, host)| Address::new(name, adl, mailbox, host))
}

fn address_list() -> impl Strategy<Value = Vec<Address<'static>>> {
    vec(address(), 0..3)
}

/// An `envelope`.
pub fn envelope() -> BoxedStrategy<Envelope<'static>> {
    (
        (server_nstring(), server_nstring()),
        (
            address_list(),
            address_list(),
            address_list(),
            address_list(),
            address_list(),
            address_list(),
        ),
        (server_nstring(), server_nstring()),
    )
        .prop_map(
            |(
                (date, subject),
                (from, sender, reply_to, to, cc, bcc),
                (in_reply_to, message_id),
            )| {
                Envelope::new(EnvelopeFields {
                    date,
                    subject,
                    from: from.into(),
                    sender: sender.into(),
                    reply_to: reply_to.into(),
                    to: to.into(),
                    cc: cc.into(),
                    bcc: bcc.into(),
                    in_reply_to,
                    message_id,
                })
            },
        )
        .boxed()
}

/// A `body-fld-param` list (empty for `NIL`).
pub fn body_params() -> impl Strategy<Value = Vec<BodyParam<'static>>> {
    vec(
        (server_istring(), server_istring()).prop_map(|(name, value)| BodyParam { name, value }),
        0..3,
    )
}

/// `body-fields`
pub fn body_fields() -> BoxedStrategy<BodyFields<'static>> {
    (
        body_params(),
        server_nstring(),
        server_nstring(),
        server_istring(),
        u32_full(),
    )
        .prop_map(|(params, id, description, encoding, size)| BodyFields {
            params: params.into(),
            id,
            description,
            encoding,
            size,
        })
        .boxed()
}

/// A `body-extension` value, nested at most 3 deep.
pub fn body_extension() -> impl Strategy<Value = BodyExtension<'static>> {
    prop_oneof![
        server_nstring().prop_map(BodyExtension::NString),
        u64_full().prop_map(BodyExtension::Number),
    ]
    .prop_recursive(3, 12, 4, |inner| {
        vec(inner, 0..4).prop_map(BodyExtension::List)
    })
}

/// The value of an unknown FETCH item, nested at most 3 deep; its atoms
/// are neither `NIL` nor digits (those decode as `NIL` and numbers).
pub fn item_value() -> impl Strategy<Value = ItemValue<'static>> {
    prop_oneof![
        server_nstring().prop_map(ItemValue::NString),
        u64_full().prop_map(ItemValue::Number),
        atom_not_nil()
            .prop_filter("not a number", |a| !a
                .as_bytes()
                .iter()
                .all(u8::is_ascii_digit))
            .prop_map(ItemValue::Atom),
    ]
    .prop_recursive(3, 12, 4, |inner| vec(inner, 0..4).prop_map(ItemValue::List))
}

/// `body-fld-dsp`
pub fn disposition() -> impl Strategy<Value = Disposition<'static>> {
    (server_istring(), body_params()).prop_map(|(kind, params)| Disposition {
        kind,
        params: params.into(),
    })
}

/// `body-fld-lang`
pub fn body_language() -> impl Strategy<Value = BodyLanguage<'static>> {
    prop_oneof![
        server_nstring().prop_map(BodyLanguage::Single),
        vec1(server_istring(), 1..3).prop_map(BodyLanguage::List),
    ]
}

/// The optional end of extension data: disposition, language, location, more.
pub fn extension_tail() -> BoxedStrategy<Option<ExtensionTail<'static>>> {
    option::of(
        (
            option::of(disposition()),
            option::of((
                body_language(),
                option::of((server_nstring(), vec(body_extension(), 0..3))),
            )),
        )
            .prop_map(|(disposition, language)| ExtensionTail {
                disposition,
                language: language.map(|(language, location)| LanguageTail {
                    language,
                    location: location.map(|(location, extensions)| LocationTail {
                        location,
                        extensions,
                    }),
                }),
            }),
    )
    .boxed()
}

fn single_extension() -> BoxedStrategy<Option<SinglePartExtension<'static>>> {
    option::of(
        (server_nstring(), extension_tail())
            .prop_map(|(md5, tail)| SinglePartExtension { md5, tail }),
    )
    .boxed()
}

fn multipart_extension() -> BoxedStrategy<Option<MultipartExtension<'static>>> {
    option::of(
        (body_params(), extension_tail()).prop_map(|(params, tail)| MultipartExtension {
            params: params.into(),
            tail,
        }),
    )
    .boxed()
}

fn leaf_kind() -> impl Strategy<Value = BodyKind<'static>> {
    prop_oneof![
        (server_istring(), server_istring()).prop_map(|(media_type, subtype)| BodyKind::Basic {
            media_type,
            subtype
        }),
        (word_case("TEXT"), server_istring(), u64_full()).prop_map(
            |(media_type, subtype, lines)| {
                BodyKind::Text {
                    media_type,
                    subtype,
                    lines,
                }
            }
        ),
    ]
}

/// A `body` (BODYSTRUCTURE form, with or without extension data), at most 4 levels deep.
pub fn body_structure() -> BoxedStrategy<BodyStructure<'static>> {
    (leaf_kind().boxed(), body_fields(), single_extension())
        .prop_map(|(kind, fields, extension)| {
            BodyStructure::Single(Body {
                kind,
                fields,
                extension,
            })
        })
        .prop_recursive(3, 16, 3, |inner| {
            prop_oneof![
                (
                    vec1(inner.clone(), 1..4),
                    server_istring(),
                    multipart_extension()
                )
                    .prop_map(|(parts, subtype, extension)| {
                        BodyStructure::Multipart(Multipart {
                            parts: parts.into(),
                            subtype,
                            extension,
                        })
                    }),
                (
                    (
                        word_case("MESSAGE"),
                        prop_oneof![word_case("RFC822"), word_case("GLOBAL")]
                    ),
                    envelope(),
                    inner,
                    u64_full(),
                    body_fields(),
                    single_extension(),
                )
                    .prop_map(
                        |((media_type, subtype), envelope, body, lines, fields, extension)| {
                            BodyStructure::Single(Body {
                                kind: BodyKind::Message {
                                    media_type,
                                    subtype,
                                    message: Encapsulated::new(envelope, body),
                                    lines,
                                },
                                fields,
                                extension,
                            })
                        }
                    ),
            ]
        })
        .boxed()
}

/// `word` as a quoted string in upper, lower or capitalised case (servers
/// differ: Dovecot sends `"text"`, others `"TEXT"`).
fn word_case(word: &'static str) -> BoxedStrategy<IString<'static>> {
    let lower = word.to_ascii_lowercase();
    let capitalised = format!("{}{}", &word[..1], &lower[1..]);
    let quoted = |w: String| {
        IString::Quoted(crate::Quoted::try_new(Buf::shared(w.into_bytes().into())).expect("a word"))
    };
    prop_oneof![
        Just(IString::from(word)),
        Just(quoted(lower)),
        Just(quoted(capitalised)),
    ]
    .boxed()
}

/// An `objectid` (RFC 8474).
pub fn object_id() -> impl Strategy<Value = ObjectId<'static>> {
    "[A-Za-z0-9_-]{1,24}".prop_map(|s| ObjectId::try_from(s).expect("objectid chars"))
}

/// A Gmail label.
pub fn gmail_label() -> impl Strategy<Value = GmailLabel<'static>> {
    prop_oneof![
        atom().prop_map(GmailLabel::System),
        server_astring().prop_map(GmailLabel::Label),
    ]
}

/// `BINARY[...]` content.
pub fn binary_data() -> impl Strategy<Value = BinaryData<'static>> {
    prop_oneof![
        server_nstring().prop_map(BinaryData::NString),
        vec(any::<u8>(), 0..40).prop_map(|b| BinaryData::Literal8(Buf::from(b))),
    ]
}

/// Any FETCH data item, `Other` with a name the decoder does not know.
pub fn message_data_item() -> BoxedStrategy<MessageDataItem<'static>> {
    use MessageDataItem as M;
    let part = || vec(nz_u32(), 0..4);
    prop_oneof![
        nz_u32().prop_map(M::Uid),
        vec(flag_fetch(), 0..4).prop_map(|f| M::Flags(f.into())),
        envelope().prop_map(M::Envelope),
        date_time().prop_map(M::InternalDate),
        u64_full().prop_map(M::Rfc822Size),
        server_nstring().prop_map(M::Rfc822),
        server_nstring().prop_map(M::Rfc822Header),
        server_nstring().prop_map(M::Rfc822Text),
        body_structure().prop_map(|b| M::Body(b.into())),
        body_structure().prop_map(|b| M::BodyStructure(b.into())),
        (server_section(), option::of(u32_full()), server_nstring()).prop_map(
            |(section, origin, data)| {
                M::BodySection {
                    section,
                    origin,
                    data,
                }
            }
        ),
        (part(), option::of(u32_full()), binary_data()).prop_map(|(section, origin, data)| {
            M::Binary {
                section,
                origin,
                data,
            }
        }),
        (part(), u64_full()).prop_map(|(section, size)| M::BinarySize { section, size }),
        u64_full().prop_map(M::ModSeq),
        object_id().prop_map(M::EmailId),
        option::of(object_id()).prop_map(M::ThreadId),
        option::of(date_time()).prop_map(M::SaveDate),
        server_nstring().prop_map(M::Preview),
        (any::<bool>(), snippet_algorithm(), server_nstring()).prop_map(
            |(preview, algorithm, text)| {
                M::Snippet {
                    name: if preview {
                        SnippetName::Preview
                    } else {
                        SnippetName::Snippet
                    },
                    algorithm,
                    text,
                }
            }
        ),
        u64_full().prop_map(M::GmailMsgId),
        u64_full().prop_map(M::GmailThrId),
        vec(gmail_label(), 0..4).prop_map(M::GmailLabels),
        (
            atom().prop_filter("unknown item name", |a| {
                !KNOWN_ITEMS
                    .iter()
                    .any(|k| k.as_bytes().eq_ignore_ascii_case(a.as_bytes()))
            }),
            item_value(),
        )
            .prop_map(|(name, value)| M::Other { name, value }),
    ]
    .boxed()
}
