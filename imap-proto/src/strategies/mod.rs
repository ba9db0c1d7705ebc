//! Proptest strategies for every type (feature `proptest`).
//!
//! Strategies produce only values the grammar allows, so that
//! `decode(encode(x)) == x` can be checked for all of them.

mod command;
mod fetch;
mod response;

use std::num::NonZeroU32;

use proptest::collection::vec;
use proptest::prelude::*;

use crate::{
    AString, Atom, AtomExt, AuthMechanism, Capability, Date, DateTime, Flag, FlagExtension,
    FlagFetch, FlagPerm, IString, Literal, LiteralMode, Mailbox, NString, Partial, Quoted, Section,
    SectionText, SeqOrUid, Sequence, SequenceSet, StatusAttribute, Tag, Text, Vec1,
};

/// Bytes allowed in an atom.
pub fn atom_bytes() -> impl Strategy<Value = Vec<u8>> {
    vec(
        prop_oneof![
            8 => proptest::char::range('a', 'z').prop_map(|c| c as u8),
            2 => proptest::char::range('A', 'Z').prop_map(|c| c as u8),
            1 => proptest::sample::select(b"0123456789!#$&'+,-./:;<=>?@^_`|}~".to_vec()),
        ],
        1..12,
    )
}

/// An `atom`.
pub fn atom() -> impl Strategy<Value = Atom<'static>> {
    atom_bytes().prop_map(|b| Atom::try_from(b).expect("atom chars"))
}

/// An atom that is not `NIL` in any case (where `NIL` would be ambiguous).
pub fn atom_not_nil() -> impl Strategy<Value = Atom<'static>> {
    atom().prop_filter("not NIL", |a| !a.as_bytes().eq_ignore_ascii_case(b"NIL"))
}

/// A `tag`.
pub fn tag() -> impl Strategy<Value = Tag<'static>> {
    "[A-Za-z0-9.]{1,8}".prop_map(|s| Tag::try_from(s).expect("tag chars"))
}

/// Printable text without CR/LF, sometimes with non-ASCII characters.
pub fn text_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => "[ -~]{0,24}".prop_map(String::into_bytes),
        1 => "[ -~ぁ-んé日本語]{0,12}".prop_map(String::into_bytes),
    ]
}

/// A `quoted` string's content.
pub fn quoted() -> impl Strategy<Value = Quoted<'static>> {
    text_bytes().prop_map(|b| Quoted::try_from(b).expect("text chars"))
}

/// A quoted string with printable ASCII only: for the positions where the
/// grammar allows only a quoted string and real values are ASCII (a
/// CHARSET name, a MODSEQ entry name), which no encoder can turn into a
/// literal for a peer without UTF-8.
pub fn ascii_quoted() -> impl Strategy<Value = Quoted<'static>> {
    "[ -~]{0,24}".prop_map(|s| Quoted::try_from(s).expect("printable ASCII"))
}

/// Non-empty `text` (resp-text).
pub fn text() -> impl Strategy<Value = Text<'static>> {
    "[!-~][ -~]{0,30}".prop_map(|s| Text::try_from(s).expect("text chars"))
}

/// A literal with any bytes but NUL, synchronizing or not (a client's).
pub fn literal() -> impl Strategy<Value = Literal<'static>> {
    literal_by(Sender::Client)
}

/// A synchronizing literal with any bytes but NUL: what a server sends
/// (RFC 7888 §3 forbids non-synchronizing literals from server to client).
pub fn server_literal() -> impl Strategy<Value = Literal<'static>> {
    literal_by(Sender::Server)
}

/// Who sends a value: its literals may be non-synchronizing only from a
/// client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sender {
    Client,
    Server,
}

fn literal_by(sender: Sender) -> impl Strategy<Value = Literal<'static>> {
    (vec(1u8..=255, 0..40), any::<bool>()).prop_map(move |(b, sync)| {
        Literal::try_new(b)
            .expect("no NUL")
            .with_mode(if sync || sender == Sender::Server {
                LiteralMode::Sync
            } else {
                LiteralMode::NonSync
            })
    })
}

/// A `string` (a client's: its literals may be non-synchronizing).
pub fn istring() -> impl Strategy<Value = IString<'static>> {
    istring_by(Sender::Client)
}

/// A `string` a server sends.
pub fn server_istring() -> impl Strategy<Value = IString<'static>> {
    istring_by(Sender::Server)
}

fn istring_by(sender: Sender) -> impl Strategy<Value = IString<'static>> {
    prop_oneof![
        3 => quoted().prop_map(IString::Quoted),
        1 => literal_by(sender).prop_map(IString::Literal),
    ]
}

/// An `nstring` (a client's).
pub fn nstring() -> impl Strategy<Value = NString<'static>> {
    proptest::option::weighted(0.8, istring()).prop_map(NString)
}

/// An `nstring` a server sends.
pub fn server_nstring() -> impl Strategy<Value = NString<'static>> {
    proptest::option::weighted(0.8, server_istring()).prop_map(NString)
}

/// An `astring` (a client's).
pub fn astring() -> impl Strategy<Value = AString<'static>> {
    astring_by(Sender::Client)
}

/// An `astring` a server sends.
pub fn server_astring() -> impl Strategy<Value = AString<'static>> {
    astring_by(Sender::Server)
}

fn astring_by(sender: Sender) -> impl Strategy<Value = AString<'static>> {
    prop_oneof![
        2 => "[A-Za-z0-9\\]._-]{1,10}".prop_map(|s| AString::Atom(AtomExt::try_from(s).expect("astring chars"))),
        1 => istring_by(sender).prop_map(AString::String),
    ]
}

/// A `mailbox`, including `INBOX`, modified UTF-7 names and hierarchy (a
/// client's).
pub fn mailbox() -> impl Strategy<Value = Mailbox<'static>> {
    mailbox_by(Sender::Client)
}

/// A `mailbox` a server sends.
pub fn server_mailbox() -> impl Strategy<Value = Mailbox<'static>> {
    mailbox_by(Sender::Server)
}

fn mailbox_by(sender: Sender) -> impl Strategy<Value = Mailbox<'static>> {
    prop_oneof![
        1 => Just(Mailbox::Inbox),
        2 => "[A-Za-z][A-Za-z0-9 ./]{0,12}".prop_map(|s| Mailbox::from_name(&s)),
        1 => "[送信済みゴミ箱日本語a-z/]{1,6}".prop_map(|s| Mailbox::from_name(&s)),
        1 => astring_by(sender).prop_map(Mailbox::from_astring),
    ]
}

/// A non-zero `u32`, the maximum included.
pub fn nz_u32() -> impl Strategy<Value = NonZeroU32> {
    prop_oneof![4 => 1u32..100, 2 => 1u32..=u32::MAX, 1 => Just(u32::MAX)]
        .prop_map(|n| NonZeroU32::new(n).expect("non-zero"))
}

/// Any `u32`, biased to small numbers and the ends of the range.
pub fn u32_full() -> impl Strategy<Value = u32> {
    prop_oneof![4 => 0u32..100, 2 => any::<u32>(), 1 => Just(0), 1 => Just(u32::MAX)]
}

/// Any `u64`, the whole range the `u64` fields hold (not only the 63 bits
/// of `number64`): small numbers, the ends of the range and the 63-bit
/// boundary.
pub fn u64_full() -> impl Strategy<Value = u64> {
    prop_oneof![
        4 => 0u64..1000,
        2 => any::<u64>(),
        1 => Just(u64::MAX),
        1 => Just(i64::MAX as u64),
        1 => Just(i64::MAX as u64 + 1),
    ]
}

/// Any non-zero `u64` (see [`u64_full`]).
pub fn nz_u64_full() -> impl Strategy<Value = std::num::NonZeroU64> {
    u64_full().prop_map(|n| std::num::NonZeroU64::new(n.max(1)).expect("non-zero"))
}

/// A `seq-number`.
pub fn seq_or_uid() -> impl Strategy<Value = SeqOrUid> {
    prop_oneof![4 => nz_u32().prop_map(SeqOrUid::Value), 1 => Just(SeqOrUid::Asterisk)]
}

/// A `sequence-set`, or `$`.
pub fn sequence_set() -> impl Strategy<Value = SequenceSet> {
    prop_oneof![
        8 => response_set(),
        1 => Just(SequenceSet::LastResult),
    ]
}

/// A `sequence-set` as a server sends one (`[MODIFIED]`, ESEARCH's `ALL`
/// and `PARTIAL`): `*` may appear, `$` (RFC 5182, commands only) not.
pub fn response_set() -> impl Strategy<Value = SequenceSet> {
    let seq = prop_oneof![
        seq_or_uid().prop_map(Sequence::Single),
        (seq_or_uid(), seq_or_uid()).prop_map(|(a, b)| Sequence::Range(a, b)),
    ];
    vec1(seq, 1..5).prop_map(SequenceSet::Set)
}

/// A `sequence-set` of numbers and ranges only, neither `*` nor `$`:
/// RFC 9051's `uid-set` (APPENDUID, COPYUID) and a server's VANISHED
/// `known-uids` (RFC 7162 §7).
pub fn uid_set() -> impl Strategy<Value = SequenceSet> {
    let value = || nz_u32().prop_map(SeqOrUid::Value);
    let seq = prop_oneof![
        value().prop_map(Sequence::Single),
        (value(), value()).prop_map(|(a, b)| Sequence::Range(a, b)),
    ];
    vec1(seq, 1..5).prop_map(SequenceSet::Set)
}

/// A `sequence-set` without `*`, or `$`: QRESYNC's `known-uids`,
/// `known-sequence-set` and `known-uid-set` (RFC 7162 §7).
pub fn known_set() -> impl Strategy<Value = SequenceSet> {
    prop_oneof![8 => uid_set(), 1 => Just(SequenceSet::LastResult)]
}

/// A non-empty list of `len` items.
pub fn vec1<T: std::fmt::Debug>(
    item: impl Strategy<Value = T>,
    len: std::ops::Range<usize>,
) -> impl Strategy<Value = Vec1<T>> {
    let len = len.start.max(1)..len.end.max(2);
    vec(item, len).prop_map(|v| Vec1::try_from(v).expect("non-empty"))
}

/// A `flag`.
pub fn flag() -> impl Strategy<Value = Flag<'static>> {
    prop_oneof![
        Just(Flag::Seen),
        Just(Flag::Answered),
        Just(Flag::Flagged),
        Just(Flag::Deleted),
        Just(Flag::Draft),
        atom().prop_filter_map("an extension flag", |a| FlagExtension::try_new(a)
            .ok()
            .map(Flag::Extension)),
        // System names in any case, and `Recent`, through the normalising constructor.
        proptest::sample::select(vec![
            "seen", "SEEN", "Answered", "fLaGgEd", "deleted", "DRAFT", "Recent", "recent"
        ])
        .prop_map(|n| Flag::system(Atom::try_from(n).expect("atom"))),
        atom().prop_map(Flag::Keyword),
    ]
}

/// A `flag-fetch`.
pub fn flag_fetch() -> impl Strategy<Value = FlagFetch<'static>> {
    prop_oneof![5 => flag().prop_map(FlagFetch::Flag), 1 => Just(FlagFetch::Recent)]
}

/// A `flag-perm`.
pub fn flag_perm() -> impl Strategy<Value = FlagPerm<'static>> {
    prop_oneof![5 => flag().prop_map(FlagPerm::Flag), 1 => Just(FlagPerm::Asterisk)]
}

/// A `date`.
pub fn date() -> impl Strategy<Value = Date> {
    (1u16..=9999, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| Date::new(y, m, d).expect("valid date"))
}

/// A `date-time`.
pub fn date_time() -> impl Strategy<Value = DateTime> {
    (
        date(),
        0u8..24,
        0u8..60,
        0u8..61,
        -(99i16 * 60 + 59)..=(99 * 60 + 59),
    )
        .prop_map(|(d, h, m, s, z)| DateTime::new(d, h, m, s, z).expect("valid date-time"))
}

/// A `section` (a client's).
pub fn section() -> impl Strategy<Value = Section<'static>> {
    section_by(Sender::Client)
}

/// A `section` a server sends.
pub fn server_section() -> impl Strategy<Value = Section<'static>> {
    section_by(Sender::Server)
}

fn section_by(sender: Sender) -> impl Strategy<Value = Section<'static>> {
    let fields = move || vec1(astring_by(sender), 1..4);
    (
        vec(nz_u32(), 0..4),
        proptest::option::of(prop_oneof![
            Just(SectionText::Header),
            Just(SectionText::Text),
            Just(SectionText::Mime),
            fields().prop_map(SectionText::HeaderFields),
            fields().prop_map(SectionText::HeaderFieldsNot),
        ]),
    )
        .prop_filter_map("MIME needs a part", |(p, t)| Section::new(p, t).ok())
}

/// A `<offset.count>` partial.
pub fn partial() -> impl Strategy<Value = Partial> {
    (u64_full(), nz_u64_full()).prop_map(|(offset, count)| Partial { offset, count })
}

/// A `STATUS` attribute.
pub fn status_attribute() -> impl Strategy<Value = StatusAttribute> {
    proptest::sample::select(StatusAttribute::ALL.to_vec())
}

/// A SASL mechanism name.
pub fn auth_mechanism() -> impl Strategy<Value = AuthMechanism<'static>> {
    prop_oneof![
        Just(AuthMechanism::Plain),
        Just(AuthMechanism::XOAuth2),
        Just(AuthMechanism::OAuthBearer),
        Just(AuthMechanism::ScramSha256),
        "X-[A-Z0-9-]{1,8}".prop_map(|s| AuthMechanism::from_atom(Atom::try_from(s).expect("atom"))),
    ]
}

/// A capability, known or not.
pub fn capability() -> impl Strategy<Value = Capability<'static>> {
    prop_oneof![
        atom().prop_map(Capability::from_atom),
        proptest::sample::select(vec![
            "IMAP4rev1",
            "IMAP4rev2",
            "IDLE",
            "STARTTLS",
            "LITERAL+",
            "AUTH=PLAIN",
            "AUTH=XOAUTH2",
            "THREAD=REFERENCES",
            "COMPRESS=DEFLATE",
            "STATUS=SIZE",
            "APPENDLIMIT=35651584",
            "QUOTA=RES-STORAGE",
            "SORT=DISPLAY",
            "X-GM-EXT-1",
            "UTF8=ACCEPT",
        ])
        .prop_map(|s| Capability::from_atom(Atom::try_from(s).expect("atom"))),
    ]
}

pub use command::*;
pub use fetch::*;
pub use response::*;
