//! Arguments of the QUOTA (RFC 9208), ACL (RFC 4314), METADATA (RFC 5464),
//! COMPRESS (RFC 4978) and NOTIFY (RFC 5465) commands.

use bytes::Bytes;

use super::{validated_buf, FetchAttribute, Literal8};
use crate::buf::IntoStatic;
use crate::core::{AString, Atom, NString, Vec1};
use crate::error::ValidationError;
use crate::mailbox::Mailbox;

/// A quota `resource-name` (RFC 9208 §5.1); shared with the QUOTA response.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum QuotaResourceName<'a> {
    /// `STORAGE` (in units of 1024 octets)
    Storage,
    /// `MESSAGE`
    Message,
    /// `MAILBOX`
    Mailbox,
    /// `ANNOTATION-STORAGE`
    AnnotationStorage,
    /// Another resource (an atom); never one of the above.
    Other(Atom<'a>),
}

impl<'a> QuotaResourceName<'a> {
    /// The known resources with their names.
    pub const KNOWN: [(&'static str, QuotaResourceName<'static>); 4] = [
        ("STORAGE", QuotaResourceName::Storage),
        ("MESSAGE", QuotaResourceName::Message),
        ("MAILBOX", QuotaResourceName::Mailbox),
        ("ANNOTATION-STORAGE", QuotaResourceName::AnnotationStorage),
    ];

    /// The resource for an atom (any case).
    pub fn from_atom(a: Atom<'a>) -> Self {
        Self::KNOWN
            .iter()
            .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(a.as_bytes()))
            .map(|(_, r)| r.clone())
            .unwrap_or(Self::Other(a))
    }

    /// The name on the wire.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Other(a) => a.as_bytes(),
            known => Self::KNOWN
                .iter()
                .find(|(_, r)| r == known)
                .map(|(n, _)| n.as_bytes())
                .unwrap_or_default(),
        }
    }
}

/// `setquota-resource` (RFC 9208 §4.4): a resource and its new limit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QuotaLimit<'a> {
    /// The resource.
    pub resource: QuotaResourceName<'a>,
    /// The limit (`number64`).
    pub limit: u64,
}

validated_buf!(
    /// ACL `rights` (RFC 4314 §2) in SETACL: lowercase letters and
    /// digits, possibly empty. (The ACL, LISTRIGHTS and MYRIGHTS responses
    /// carry their rights as the `astring`s the grammar gives them:
    /// [`AclEntry`](crate::AclEntry), [`ListRights`](crate::ListRights).)
    AclRights,
    |b| match b
        .iter()
        .position(|&c| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
    {
        Some(at) => Err(ValidationError::InvalidByte {
            what: "ACL rights",
            byte: b[at],
            at,
        }),
        None => Ok(()),
    }
);

/// How SETACL changes the rights (`mod-rights`, RFC 4314 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AclModMode {
    /// `rights`: replace.
    Replace,
    /// `+rights`: add.
    Add,
    /// `-rights`: remove.
    Remove,
}

/// A METADATA `entry` name such as `/private/comment` (RFC 5464 §4); shared
/// with the METADATA response.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MetadataEntry<'a>(AString<'a>);

impl<'a> MetadataEntry<'a> {
    /// An entry name.
    pub fn new(name: AString<'a>) -> Self {
        Self(name)
    }

    /// The name as an `astring`.
    pub fn as_astring(&self) -> &AString<'a> {
        &self.0
    }

    /// The name bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl<'a> From<&'a str> for MetadataEntry<'a> {
    fn from(s: &'a str) -> Self {
        Self(AString::from(s))
    }
}

/// A METADATA `value` (RFC 5464 §4): `nstring / literal8`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MetadataValue<'a> {
    /// A string or `NIL` (removes the entry).
    NString(NString<'a>),
    /// `~{n}` binary value.
    Literal8(Literal8<'a>),
}

/// A `getmetadata-option` (RFC 5464 §4.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GetMetadataOption<'a> {
    /// `MAXSIZE n`
    MaxSize(u32),
    /// `DEPTH 0 / 1 / infinity`
    Depth(MetadataDepth),
    /// Any other option; never one of the names above.
    Other(super::ExtParam<'a>),
}

/// The `DEPTH` of GETMETADATA (RFC 5464 §4.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetadataDepth {
    /// `0`: the entry only.
    Zero,
    /// `1`: the entry and its children.
    One,
    /// `infinity`: all descendants.
    Infinity,
}

/// The algorithm of `COMPRESS` (RFC 4978).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CompressionAlgorithm<'a> {
    /// `DEFLATE`
    Deflate,
    /// Another algorithm; never `DEFLATE`.
    Other(Atom<'a>),
}

/// An `event-group` of NOTIFY SET (RFC 5465 §8): `(filter events)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NotifyEventGroup<'a> {
    /// Which mailboxes.
    pub filter: NotifyFilter<'a>,
    /// The events; `None` for `NONE`.
    pub events: Option<Vec1<NotifyEvent<'a>>>,
}

/// `filter-mailboxes` (RFC 5465 §6).
///
/// A list of one mailbox is encoded without parentheses.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NotifyFilter<'a> {
    /// `selected`
    Selected,
    /// `selected-delayed`
    SelectedDelayed,
    /// `inboxes`
    Inboxes,
    /// `personal`
    Personal,
    /// `subscribed`
    Subscribed,
    /// `subtree mailbox(es)`
    Subtree(Vec1<Mailbox<'a>>),
    /// `mailboxes mailbox(es)`
    Mailboxes(Vec1<Mailbox<'a>>),
}

/// An `event` of NOTIFY (RFC 5465 §5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NotifyEvent<'a> {
    /// `MessageNew [(fetch-att ...)]`
    MessageNew(Option<Vec1<FetchAttribute<'a>>>),
    /// `MessageExpunge`
    MessageExpunge,
    /// `FlagChange`
    FlagChange,
    /// `AnnotationChange`
    AnnotationChange,
    /// `MailboxName`
    MailboxName,
    /// `SubscriptionChange`
    SubscriptionChange,
    /// `MailboxMetadataChange`
    MailboxMetadataChange,
    /// `ServerMetadataChange`
    ServerMetadataChange,
    /// `event-ext`: another event (an atom); never one of the above.
    Other(Atom<'a>),
}

impl IntoStatic for QuotaResourceName<'_> {
    type Static = QuotaResourceName<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> QuotaResourceName<'static> {
        match self {
            Self::Storage => QuotaResourceName::Storage,
            Self::Message => QuotaResourceName::Message,
            Self::Mailbox => QuotaResourceName::Mailbox,
            Self::AnnotationStorage => QuotaResourceName::AnnotationStorage,
            Self::Other(a) => QuotaResourceName::Other(a.into_static_in(f)),
        }
    }
}

impl IntoStatic for QuotaLimit<'_> {
    type Static = QuotaLimit<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> QuotaLimit<'static> {
        QuotaLimit {
            resource: self.resource.into_static_in(f),
            limit: self.limit,
        }
    }
}

impl IntoStatic for MetadataEntry<'_> {
    type Static = MetadataEntry<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> MetadataEntry<'static> {
        MetadataEntry(self.0.into_static_in(f))
    }
}

impl IntoStatic for MetadataValue<'_> {
    type Static = MetadataValue<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> MetadataValue<'static> {
        match self {
            Self::NString(s) => MetadataValue::NString(s.into_static_in(f)),
            Self::Literal8(l) => MetadataValue::Literal8(l.into_static_in(f)),
        }
    }
}

impl IntoStatic for GetMetadataOption<'_> {
    type Static = GetMetadataOption<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> GetMetadataOption<'static> {
        match self {
            Self::MaxSize(n) => GetMetadataOption::MaxSize(n),
            Self::Depth(d) => GetMetadataOption::Depth(d),
            Self::Other(p) => GetMetadataOption::Other(p.into_static_in(f)),
        }
    }
}

impl IntoStatic for CompressionAlgorithm<'_> {
    type Static = CompressionAlgorithm<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> CompressionAlgorithm<'static> {
        match self {
            Self::Deflate => CompressionAlgorithm::Deflate,
            Self::Other(a) => CompressionAlgorithm::Other(a.into_static_in(f)),
        }
    }
}

impl IntoStatic for NotifyEventGroup<'_> {
    type Static = NotifyEventGroup<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> NotifyEventGroup<'static> {
        NotifyEventGroup {
            filter: self.filter.into_static_in(f),
            events: self.events.into_static_in(f),
        }
    }
}

impl IntoStatic for NotifyFilter<'_> {
    type Static = NotifyFilter<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> NotifyFilter<'static> {
        match self {
            Self::Selected => NotifyFilter::Selected,
            Self::SelectedDelayed => NotifyFilter::SelectedDelayed,
            Self::Inboxes => NotifyFilter::Inboxes,
            Self::Personal => NotifyFilter::Personal,
            Self::Subscribed => NotifyFilter::Subscribed,
            Self::Subtree(m) => NotifyFilter::Subtree(m.into_static_in(f)),
            Self::Mailboxes(m) => NotifyFilter::Mailboxes(m.into_static_in(f)),
        }
    }
}

impl IntoStatic for NotifyEvent<'_> {
    type Static = NotifyEvent<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> NotifyEvent<'static> {
        match self {
            Self::MessageNew(a) => NotifyEvent::MessageNew(a.into_static_in(f)),
            Self::MessageExpunge => NotifyEvent::MessageExpunge,
            Self::FlagChange => NotifyEvent::FlagChange,
            Self::AnnotationChange => NotifyEvent::AnnotationChange,
            Self::MailboxName => NotifyEvent::MailboxName,
            Self::SubscriptionChange => NotifyEvent::SubscriptionChange,
            Self::MailboxMetadataChange => NotifyEvent::MailboxMetadataChange,
            Self::ServerMetadataChange => NotifyEvent::ServerMetadataChange,
            Self::Other(a) => NotifyEvent::Other(a.into_static_in(f)),
        }
    }
}

crate::impl_into_static_copy!(AclModMode, MetadataDepth);
