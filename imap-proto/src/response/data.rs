//! Untagged data responses (RFC 9051 §7.2-§7.5 and extensions).

use std::num::NonZeroU32;

use bytes::Bytes;

use crate::buf::{Buf, IntoStatic};
use crate::capability::Capability;
use crate::chars;
use crate::core::{AString, Atom, IString, Literal, NString, Vec1};
use crate::error::ValidationError;
use crate::flag::Flag;
use crate::mailbox::Mailbox;
use crate::sequence::SequenceSet;

use super::fetch::MessageDataItem;
use super::list::{MailboxList, Namespaces};
use super::status::{ESearch, StatusItem};

/// Untagged server data (`* ...`): `mailbox-data`, `message-data`,
/// `capability-data`, `enable-data` and the data of extensions.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Data<'a> {
    /// `CAPABILITY caps` (RFC 9051 §7.2.2)
    Capability(Vec1<Capability<'a>>),
    /// `ENABLED caps` (RFC 5161 §3.2)
    Enabled(Vec<Capability<'a>>),
    /// `FLAGS (flags)` (RFC 9051 §7.3.5)
    Flags(Vec<Flag<'a>>),
    /// `LIST ...` (RFC 9051 §7.3.1)
    List(MailboxList<'a>),
    /// `LSUB ...` (RFC 3501 §7.2.3)
    Lsub(MailboxList<'a>),
    /// `NAMESPACE ...` (RFC 2342 §5, RFC 9051 §7.3.2)
    Namespace(Namespaces<'a>),
    /// `STATUS mailbox (items)` (RFC 9051 §7.3.3)
    Status {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// The requested items.
        items: Vec<StatusItem<'a>>,
    },
    /// `ESEARCH ...` (RFC 4731, RFC 9051 §7.3.4)
    ESearch(ESearch<'a>),
    /// `SEARCH n...` (RFC 3501 §7.2.5), with `(MODSEQ n)` (RFC 7162 §3.1.5).
    Search {
        /// Matching numbers.
        ids: Vec<NonZeroU32>,
        /// The highest mod-sequence of the matches.
        mod_seq: Option<u64>,
    },
    /// `SORT n...` (RFC 5256 §4), with `(MODSEQ n)` (RFC 7162 §3.1.5).
    Sort {
        /// Numbers in sort order.
        ids: Vec<NonZeroU32>,
        /// The highest mod-sequence of the matches.
        mod_seq: Option<u64>,
    },
    /// `THREAD (..)(..)` (RFC 5256 §4)
    Thread(Vec<Thread>),
    /// `n EXISTS` (RFC 9051 §7.4.1)
    Exists(u32),
    /// `n RECENT` (RFC 3501 §7.3.2)
    Recent(u32),
    /// `n EXPUNGE` (RFC 9051 §7.5.1)
    Expunge(NonZeroU32),
    /// `n FETCH (items)` (RFC 9051 §7.5.2)
    Fetch {
        /// Message sequence number.
        seq: NonZeroU32,
        /// The data items.
        items: Vec1<MessageDataItem<'a>>,
    },
    /// `VANISHED [(EARLIER)] uids` (RFC 7162 §3.2.10)
    Vanished {
        /// `(EARLIER)`: an answer to a UID FETCH VANISHED or SELECT QRESYNC.
        earlier: bool,
        /// The expunged UIDs.
        uids: SequenceSet,
    },
    /// `ID (field value ...)` or `ID NIL` (RFC 2971 §3.2); `None` for `NIL`.
    Id(Option<Vec<(IString<'a>, NString<'a>)>>),
    /// `QUOTA root (resources)` (RFC 9208 §5.1)
    Quota {
        /// The quota root.
        root: AString<'a>,
        /// Usage and limit per resource.
        resources: Vec<QuotaResource<'a>>,
    },
    /// `QUOTAROOT mailbox roots...` (RFC 9208 §5.2)
    QuotaRoot {
        /// The mailbox asked about.
        mailbox: Mailbox<'a>,
        /// Its quota roots.
        roots: Vec<AString<'a>>,
    },
    /// `ACL mailbox (identifier rights)...` (RFC 4314 §3.6)
    Acl {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Identifier and rights pairs.
        entries: Vec<AclEntry<'a>>,
    },
    /// `LISTRIGHTS mailbox identifier required optional...` (RFC 4314
    /// §3.7). Boxed: the largest of the data, it would make every response
    /// 40 bytes larger to move.
    ListRights(Box<ListRights<'a>>),
    /// `MYRIGHTS mailbox rights` (RFC 4314 §3.8)
    MyRights {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// The user's rights.
        rights: AString<'a>,
    },
    /// `METADATA mailbox ...` (RFC 5464 §4.4)
    Metadata {
        /// The mailbox (`""` for server annotations).
        mailbox: Mailbox<'a>,
        /// Entries with values, or names of changed entries.
        items: MetadataItems<'a>,
    },
    /// An untagged response this library does not know, kept as sent.
    Other(OtherData<'a>),
}

/// A `thread-list` (RFC 5256 §4): message numbers that follow one another,
/// then the branches below the last of them.
///
/// `(3 6 (4 23)(44 7 96))` is `ids: [3, 6]` with two children. The decoder
/// also accepts a single child, which the grammar does not produce; it
/// re-encodes as it came. A thread with neither ids nor children has no
/// wire form: it encodes as `()`, which the decoder refuses.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Thread {
    /// The chain of messages at this level.
    pub ids: Vec<NonZeroU32>,
    /// The branches below the last message.
    pub children: Vec<Self>,
}

/// A `quota-resource` (RFC 9208 §5.1): name, usage and limit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QuotaResource<'a> {
    /// `STORAGE`, `MESSAGE`, `MAILBOX`, `ANNOTATION-STORAGE` or another name.
    pub name: Atom<'a>,
    /// Current usage (`STORAGE` in units of 1024 octets).
    pub usage: u64,
    /// The limit.
    pub limit: u64,
}

/// An identifier and its rights in an ACL response (RFC 4314 §3.6).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AclEntry<'a> {
    /// The identifier (user or group).
    pub identifier: AString<'a>,
    /// Its rights.
    pub rights: AString<'a>,
}

/// A LISTRIGHTS response (RFC 4314 §3.7): [`Data::ListRights`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListRights<'a> {
    /// The mailbox.
    pub mailbox: Mailbox<'a>,
    /// The identifier asked about.
    pub identifier: AString<'a>,
    /// Rights always granted.
    pub required: AString<'a>,
    /// Rights that can be granted, in groups.
    pub optional: Vec<AString<'a>>,
}

impl IntoStatic for ListRights<'_> {
    type Static = ListRights<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> ListRights<'static> {
        ListRights {
            mailbox: self.mailbox.into_static_in(f),
            identifier: self.identifier.into_static_in(f),
            required: self.required.into_static_in(f),
            optional: self.optional.into_static_in(f),
        }
    }
}

/// The payload of a METADATA response (RFC 5464 §4.4).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MetadataItems<'a> {
    /// `(entry value ...)`: an answer to GETMETADATA.
    Values(Vec1<(AString<'a>, NString8<'a>)>),
    /// `entry ...`: unsolicited, entries that changed.
    Entries(Vec1<AString<'a>>),
}

/// A metadata `value` (RFC 5464 §5): `nstring` or `literal8`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NString8<'a> {
    /// A string or `NIL`.
    NString(NString<'a>),
    /// `~{n}` binary data (RFC 3516 `literal8`).
    Literal8(Literal<'a>),
}

/// An unknown untagged response (`* XYZ ...`): its bytes after `* `,
/// without the final CRLF.
///
/// A built value is one line of text; a decoded one holds what the server
/// sent, literals included (their headers, CRLFs and data), read by the
/// framer's rules (see [`crate::lex`]) so that the framer and the decoder
/// end the response at the same byte.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OtherData<'a>(Buf<'a>);

/// Untagged response names the decoder knows (after `* ` or `* n `).
pub const KNOWN_DATA: &[&str] = &[
    "OK",
    "NO",
    "BAD",
    "BYE",
    "PREAUTH",
    "CAPABILITY",
    "ENABLED",
    "FLAGS",
    "LIST",
    "LSUB",
    "NAMESPACE",
    "STATUS",
    "ESEARCH",
    "SEARCH",
    "SORT",
    "THREAD",
    "VANISHED",
    "ID",
    "QUOTA",
    "QUOTAROOT",
    "ACL",
    "LISTRIGHTS",
    "MYRIGHTS",
    "METADATA",
];

/// Names after a number (`* n NAME`) the decoder knows.
pub const KNOWN_MESSAGE_DATA: &[&str] = &["EXISTS", "RECENT", "EXPUNGE", "FETCH"];

impl<'a> OtherData<'a> {
    /// An unknown response line (without `* ` and CRLF). It must hold only
    /// `TEXT-CHAR`, start with an atom that is not a known response name
    /// ([`KNOWN_DATA`]), or with a number (at most `u32::MAX`) followed by
    /// SP and an atom that is not a known message data name
    /// ([`KNOWN_MESSAGE_DATA`]); it must not look like a status response
    /// to [`crate::lex::classify_response`] (`OK[...`) or start with `[`
    /// (a bare response code, read as `* OK [...]`), must not start
    /// with a signed number (`-3 EXPUNGE` is broken message data, which
    /// the decoder refuses), and must not end with a literal header (which
    /// would announce a literal).
    pub fn try_new(line: impl Into<Buf<'a>>) -> Result<Self, ValidationError> {
        let b = line.into();
        if let Some(at) = b.iter().position(|&c| !chars::is_text_char(c)) {
            return Err(ValidationError::InvalidByte {
                what: "untagged response",
                byte: b[at],
                at,
            });
        }
        let bad = |reason| {
            Err(ValidationError::Invalid {
                what: "untagged response",
                reason,
            })
        };
        let mut words = b.split(|&c| c == b' ');
        let first = words.next().unwrap_or_default();
        if first.is_empty() || !first.iter().all(|&c| chars::is_atom_char(c)) {
            return bad("must start with an atom");
        }
        if matches!(first, [b'-' | b'+', d, ..] if d.is_ascii_digit()) {
            return bad("must not start with a signed number");
        }
        if first[0] == b'[' {
            // `* [CODE ...] text` is read as `* OK [CODE ...] text` (the
            // bare response code of Office 365 and home.pl).
            return bad("must not start with a response code");
        }
        let known =
            |w: &[u8], list: &[&str]| list.iter().any(|k| k.as_bytes().eq_ignore_ascii_case(w));
        if first[0].is_ascii_digit() {
            // The decoder reads `number SP atom` after a digit.
            let fits = first.iter().all(u8::is_ascii_digit)
                && std::str::from_utf8(first).is_ok_and(|n| n.parse::<u32>().is_ok());
            if !fits {
                return bad("a number must be at most 4294967295");
            }
            match words.next() {
                Some(w) if !w.is_empty() && w.iter().all(|&c| chars::is_atom_char(c)) => {
                    if known(w, KNOWN_MESSAGE_DATA) {
                        return bad("a known response");
                    }
                }
                _ => return bad("a number must be followed by an atom"),
            }
        } else if known(first, KNOWN_DATA) {
            return bad("a known response");
        }
        let mut c = crate::lex::ResponseClassifier::new();
        c.feed(b"* ");
        if c.feed(&b) == Some(crate::lex::Class::Text) {
            return bad("looks like a status response");
        }
        if crate::lex::literal_header(&b).is_some() {
            return bad("ends with a literal header");
        }
        Ok(OtherData(b))
    }

    /// Wraps a line a decoder has checked.
    #[doc(hidden)]
    pub fn unvalidated(line: impl Into<Buf<'a>>) -> Self {
        OtherData(line.into())
    }

    /// The line after `* `, without CRLF.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The first word (the response name, or a number for `* n NAME`).
    pub fn name(&self) -> &[u8] {
        self.0.split(|&c| c == b' ').next().unwrap_or_default()
    }
}

impl<'a> Data<'a> {
    /// Calls `f` on every mailbox name the data holds (LIST and LSUB with
    /// their `OLDNAME`, STATUS, QUOTAROOT, ACL, LISTRIGHTS, MYRIGHTS,
    /// METADATA): e.g. to mark them [`NameEncoding::Utf8`](crate::NameEncoding::Utf8)
    /// in a session where UTF-8 is enabled, which the decoder does not
    /// know.
    pub fn for_each_mailbox_mut(&mut self, mut f: impl FnMut(&mut Mailbox<'a>)) {
        match self {
            Data::List(l) | Data::Lsub(l) => {
                f(&mut l.mailbox);
                for item in &mut l.extended {
                    if let super::list::ListExtendedItem::OldName(m) = item {
                        f(m);
                    }
                }
            }
            Data::Status { mailbox, .. }
            | Data::QuotaRoot { mailbox, .. }
            | Data::Acl { mailbox, .. }
            | Data::MyRights { mailbox, .. }
            | Data::Metadata { mailbox, .. } => f(mailbox),
            Data::ListRights(r) => f(&mut r.mailbox),
            _ => {}
        }
    }
}

impl IntoStatic for Data<'_> {
    type Static = Data<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> Data<'static> {
        let f = frame;
        match self {
            Data::Capability(c) => Data::Capability(c.into_static_in(f)),
            Data::Enabled(c) => Data::Enabled(c.into_static_in(f)),
            Data::Flags(x) => Data::Flags(x.into_static_in(f)),
            Data::List(l) => Data::List(l.into_static_in(f)),
            Data::Lsub(l) => Data::Lsub(l.into_static_in(f)),
            Data::Namespace(n) => Data::Namespace(n.into_static_in(f)),
            Data::Status { mailbox, items } => Data::Status {
                mailbox: mailbox.into_static_in(f),
                items: items.into_static_in(f),
            },
            Data::ESearch(e) => Data::ESearch(e.into_static_in(f)),
            Data::Search { ids, mod_seq } => Data::Search { ids, mod_seq },
            Data::Sort { ids, mod_seq } => Data::Sort { ids, mod_seq },
            Data::Thread(t) => Data::Thread(t),
            Data::Exists(n) => Data::Exists(n),
            Data::Recent(n) => Data::Recent(n),
            Data::Expunge(n) => Data::Expunge(n),
            Data::Fetch { seq, items } => {
                // A client keeps FETCH responses: no spare room at all.
                let mut items = items.into_static_in(f).into_vec();
                crate::buf::trim_spare_capacity(&mut items);
                Data::Fetch {
                    seq,
                    items: Vec1::unvalidated(items),
                }
            }
            Data::Vanished { earlier, uids } => Data::Vanished { earlier, uids },
            Data::Id(p) => Data::Id(p.into_static_in(f)),
            Data::Quota { root, resources } => Data::Quota {
                root: root.into_static_in(f),
                resources: resources.into_static_in(f),
            },
            Data::QuotaRoot { mailbox, roots } => Data::QuotaRoot {
                mailbox: mailbox.into_static_in(f),
                roots: roots.into_static_in(f),
            },
            Data::Acl { mailbox, entries } => Data::Acl {
                mailbox: mailbox.into_static_in(f),
                entries: entries.into_static_in(f),
            },
            Data::ListRights(l) => Data::ListRights(l.into_static_in(f)),
            Data::MyRights { mailbox, rights } => Data::MyRights {
                mailbox: mailbox.into_static_in(f),
                rights: rights.into_static_in(f),
            },
            Data::Metadata { mailbox, items } => Data::Metadata {
                mailbox: mailbox.into_static_in(f),
                items: items.into_static_in(f),
            },
            Data::Other(o) => Data::Other(o.into_static_in(f)),
        }
    }
}

impl IntoStatic for MetadataItems<'_> {
    type Static = MetadataItems<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> MetadataItems<'static> {
        match self {
            MetadataItems::Values(v) => MetadataItems::Values(v.into_static_in(frame)),
            MetadataItems::Entries(e) => MetadataItems::Entries(e.into_static_in(frame)),
        }
    }
}

impl IntoStatic for NString8<'_> {
    type Static = NString8<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> NString8<'static> {
        match self {
            NString8::NString(s) => NString8::NString(s.into_static_in(frame)),
            NString8::Literal8(l) => NString8::Literal8(l.into_static_in(frame)),
        }
    }
}

impl IntoStatic for OtherData<'_> {
    type Static = OtherData<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> OtherData<'static> {
        OtherData(self.0.into_static_in(frame))
    }
}

crate::impl_into_static_copy!(Thread);
super::into_static_struct!(QuotaResource { name, usage, limit });
super::into_static_struct!(AclEntry { identifier, rights });
