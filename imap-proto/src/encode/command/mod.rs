//! Encoding commands (RFC 9051 §6 and the extension commands) in canonical
//! syntax: upper-case keywords, single spaces, flags always in a
//! parenthesised list, dates unquoted, strings in the form they hold.

mod search;

use base64::Engine as _;
use bytes::BufMut;

use crate::{
    AclModMode, AppendData, AppendMessage, AuthenticateData, CatenatePart, Command, CommandBody,
    CompressionAlgorithm, CreateParameter, ExtParam, FetchAttribute, FetchItems, FetchModifier,
    GetMetadataOption, IdleDone, ListMailbox, ListOptionExtension, ListPatterns, ListReturnOption,
    ListSelectOption, Literal8, MetadataDepth, MetadataEntry, MetadataValue, NotifyEvent,
    NotifyEventGroup, NotifyFilter, Partial, PartialRange, QuotaLimit, QuotaResourceName,
    SelectParameter, StoreAction, StoreModifier, StoreTarget, UseAttribute,
};

use super::core::put_part;
use super::{join, paren, paren_pairs, Encode, Writer};

impl Encode for Command<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        self.tag.encode(w);
        w.put_u8(b' ');
        self.body.encode(w);
        w.put(b"\r\n");
    }
}

impl Encode for IdleDone {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.put(b"DONE\r\n");
    }
}

impl Encode for AuthenticateData<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            Self::Continue(_) if w.redacts() => w.put(REDACTED),
            Self::Continue(d) => put_base64(w, d.declassify()),
            Self::Cancel => w.put_u8(b'*'),
        }
        w.put(b"\r\n");
    }
}

/// What a redacting writer ([`Writer::redacting`]) writes for a credential.
const REDACTED: &[u8] = b"<redacted>";

/// Writes base64 in chunks through a stack buffer (no allocation).
fn put_base64<B: BufMut>(w: &mut Writer<'_, B>, data: &[u8]) {
    let mut out = [0u8; 64];
    for chunk in data.chunks(48) {
        let n = base64::engine::general_purpose::STANDARD
            .encode_slice(chunk, &mut out)
            // 48 input bytes encode to exactly 64 output bytes.
            .unwrap_or(0);
        w.put(&out[..n]);
    }
}

fn uid_prefix<B: BufMut>(w: &mut Writer<'_, B>, uid: bool) {
    if uid {
        w.put(b"UID ");
    }
}

/// `SP "(" items ")"` if there are items.
fn opt_paren<B: BufMut, T: Encode>(w: &mut Writer<'_, B>, items: &[T]) {
    if !items.is_empty() {
        w.put_u8(b' ');
        paren(w, items);
    }
}

impl Encode for CommandBody<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        use CommandBody as C;
        match self {
            C::Capability
            | C::Noop
            | C::Logout
            | C::StartTls
            | C::Namespace
            | C::Idle
            | C::Check
            | C::Close
            | C::Unselect
            | C::Expunge
            | C::Unauthenticate => w.put(self.name().as_bytes()),
            C::Authenticate {
                mechanism,
                initial_response,
            } => {
                w.put(b"AUTHENTICATE ");
                mechanism.encode(w);
                if let Some(r) = initial_response {
                    w.put_u8(b' ');
                    if w.redacts() {
                        w.put(REDACTED);
                    } else if r.declassify().is_empty() {
                        w.put_u8(b'=');
                    } else {
                        put_base64(w, r.declassify());
                    }
                }
            }
            C::Login { username, password } => {
                w.put(b"LOGIN ");
                username.encode(w);
                w.put_u8(b' ');
                if w.redacts() {
                    w.put(REDACTED);
                } else {
                    password.declassify().encode(w);
                }
            }
            C::Enable { capabilities } => {
                w.put(b"ENABLE");
                for c in capabilities {
                    w.put_u8(b' ');
                    c.encode(w);
                }
            }
            C::Select {
                mailbox,
                parameters,
            }
            | C::Examine {
                mailbox,
                parameters,
            } => {
                w.put(self.name().as_bytes());
                w.put_u8(b' ');
                mailbox.encode(w);
                opt_paren(w, parameters);
            }
            C::Create {
                mailbox,
                parameters,
            } => {
                w.put(b"CREATE ");
                mailbox.encode(w);
                opt_paren(w, parameters);
            }
            C::Delete { mailbox }
            | C::Subscribe { mailbox }
            | C::Unsubscribe { mailbox }
            | C::GetQuotaRoot { mailbox }
            | C::GetAcl { mailbox }
            | C::MyRights { mailbox } => {
                w.put(self.name().as_bytes());
                w.put_u8(b' ');
                mailbox.encode(w);
            }
            C::Rename { from, to } => {
                w.put(b"RENAME ");
                from.encode(w);
                w.put_u8(b' ');
                to.encode(w);
            }
            C::List {
                selection,
                reference,
                patterns,
                return_options,
            } => {
                w.put(b"LIST ");
                if let Some(s) = selection {
                    paren(w, s);
                    w.put_u8(b' ');
                }
                reference.encode(w);
                w.put_u8(b' ');
                match patterns {
                    ListPatterns::Single(p) => p.encode(w),
                    ListPatterns::Multiple(l) => paren(w, l),
                }
                if let Some(r) = return_options {
                    w.put(b" RETURN ");
                    paren(w, r);
                }
            }
            C::Lsub { reference, pattern } => {
                w.put(b"LSUB ");
                reference.encode(w);
                w.put_u8(b' ');
                pattern.encode(w);
            }
            C::Status {
                mailbox,
                attributes,
            } => {
                w.put(b"STATUS ");
                mailbox.encode(w);
                w.put_u8(b' ');
                paren(w, attributes);
            }
            C::Append { mailbox, messages } => {
                w.put(b"APPEND ");
                mailbox.encode(w);
                for m in messages {
                    m.encode(w);
                }
            }
            C::UidExpunge { sequence_set } => {
                w.put(b"UID EXPUNGE ");
                sequence_set.encode(w);
            }
            C::Search {
                uid,
                return_options,
                charset,
                criteria,
            } => {
                uid_prefix(w, *uid);
                w.put(b"SEARCH");
                if let Some(r) = return_options {
                    w.put(b" RETURN ");
                    paren(w, r);
                }
                if let Some(c) = charset {
                    w.put(b" CHARSET ");
                    c.encode(w);
                }
                w.put_u8(b' ');
                join(w, criteria, b" ");
            }
            C::Fetch {
                uid,
                sequence_set,
                items,
                modifiers,
            } => {
                uid_prefix(w, *uid);
                w.put(b"FETCH ");
                sequence_set.encode(w);
                w.put_u8(b' ');
                items.encode(w);
                opt_paren(w, modifiers);
            }
            C::Store {
                uid,
                sequence_set,
                modifiers,
                action,
                silent,
                target,
            } => {
                uid_prefix(w, *uid);
                w.put(b"STORE ");
                sequence_set.encode(w);
                opt_paren(w, modifiers);
                w.put_u8(b' ');
                match action {
                    StoreAction::Replace => {}
                    StoreAction::Add => w.put_u8(b'+'),
                    StoreAction::Remove => w.put_u8(b'-'),
                }
                match target {
                    StoreTarget::Flags(_) => w.put(b"FLAGS"),
                    StoreTarget::GmailLabels(_) => w.put(b"X-GM-LABELS"),
                }
                if *silent {
                    w.put(b".SILENT");
                }
                w.put_u8(b' ');
                match target {
                    StoreTarget::Flags(f) => paren(w, f),
                    StoreTarget::GmailLabels(l) => paren(w, l),
                }
            }
            C::Copy {
                uid,
                sequence_set,
                mailbox,
            }
            | C::Move {
                uid,
                sequence_set,
                mailbox,
            } => {
                uid_prefix(w, *uid);
                w.put(if matches!(self, C::Copy { .. }) {
                    b"COPY "
                } else {
                    b"MOVE "
                });
                sequence_set.encode(w);
                w.put_u8(b' ');
                mailbox.encode(w);
            }
            C::Sort {
                uid,
                return_options,
                criteria,
                charset,
                search,
            } => {
                uid_prefix(w, *uid);
                w.put(b"SORT ");
                if let Some(r) = return_options {
                    w.put(b"RETURN ");
                    paren(w, r);
                    w.put_u8(b' ');
                }
                paren(w, criteria);
                w.put_u8(b' ');
                charset.encode(w);
                w.put_u8(b' ');
                join(w, search, b" ");
            }
            C::Thread {
                uid,
                algorithm,
                charset,
                search,
            } => {
                uid_prefix(w, *uid);
                w.put(b"THREAD ");
                algorithm.encode(w);
                w.put_u8(b' ');
                charset.encode(w);
                w.put_u8(b' ');
                join(w, search, b" ");
            }
            C::Id { parameters } => {
                w.put(b"ID ");
                crate::encode::core::id_params(w, parameters.as_deref());
            }
            C::GetQuota { root } => {
                w.put(b"GETQUOTA ");
                root.encode(w);
            }
            C::SetQuota { root, limits } => {
                w.put(b"SETQUOTA ");
                root.encode(w);
                w.put_u8(b' ');
                paren(w, limits);
            }
            C::SetAcl {
                mailbox,
                identifier,
                mode,
                rights,
            } => {
                w.put(b"SETACL ");
                mailbox.encode(w);
                w.put_u8(b' ');
                identifier.encode(w);
                w.put_u8(b' ');
                match mode {
                    AclModMode::Replace if rights.as_bytes().is_empty() => w.put(b"\"\""),
                    AclModMode::Replace => {}
                    AclModMode::Add => w.put_u8(b'+'),
                    AclModMode::Remove => w.put_u8(b'-'),
                }
                w.put(rights.as_bytes());
            }
            C::DeleteAcl {
                mailbox,
                identifier,
            }
            | C::ListRights {
                mailbox,
                identifier,
            } => {
                w.put(self.name().as_bytes());
                w.put_u8(b' ');
                mailbox.encode(w);
                w.put_u8(b' ');
                identifier.encode(w);
            }
            C::GetMetadata {
                options,
                mailbox,
                entries,
            } => {
                w.put(b"GETMETADATA");
                opt_paren(w, options);
                w.put_u8(b' ');
                mailbox.encode(w);
                w.put_u8(b' ');
                if entries.len() == 1 {
                    entries.first().encode(w);
                } else {
                    paren(w, entries);
                }
            }
            C::SetMetadata { mailbox, entries } => {
                w.put(b"SETMETADATA ");
                mailbox.encode(w);
                w.put_u8(b' ');
                paren_pairs(w, entries);
            }
            C::Compress { algorithm } => {
                w.put(b"COMPRESS ");
                match algorithm {
                    CompressionAlgorithm::Deflate => w.put(b"DEFLATE"),
                    CompressionAlgorithm::Other(a) => a.encode(w),
                }
            }
            C::NotifyNone => w.put(b"NOTIFY NONE"),
            C::NotifySet { status, groups } => {
                w.put(b"NOTIFY SET");
                if *status {
                    w.put(b" STATUS");
                }
                for g in groups {
                    w.put_u8(b' ');
                    g.encode(w);
                }
            }
            C::Other(o) => {
                o.name().encode(w);
                if let Some(a) = o.arguments() {
                    w.put_u8(b' ');
                    w.put_generic(a);
                }
            }
        }
    }
}

impl Encode for ExtParam<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        self.name.encode(w);
        if let Some(v) = &self.value {
            w.put_u8(b' ');
            v.encode(w);
        }
    }
}

impl Encode for SelectParameter<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            Self::CondStore => w.put(b"CONDSTORE"),
            Self::QResync {
                uid_validity,
                mod_seq,
                known_uids,
                seq_match_data,
            } => {
                w.put(b"QRESYNC (");
                w.put_num(uid_validity.get() as u64);
                w.put_u8(b' ');
                w.put_num(mod_seq.get());
                if let Some(k) = known_uids {
                    w.put_u8(b' ');
                    k.encode(w);
                }
                if let Some((a, b)) = seq_match_data {
                    w.put(b" (");
                    a.encode(w);
                    w.put_u8(b' ');
                    b.encode(w);
                    w.put_u8(b')');
                }
                w.put_u8(b')');
            }
            Self::Other(p) => p.encode(w),
        }
    }
}

impl Encode for CreateParameter<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            Self::Use(u) => {
                w.put(b"USE ");
                paren(w, u);
            }
            Self::Other(p) => p.encode(w),
        }
    }
}

impl Encode for UseAttribute<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.put_u8(b'\\');
        w.put(self.name());
    }
}

impl Encode for ListMailbox<'_> {
    /// In the session's convention for names, as [`Mailbox`](crate::Mailbox)'s
    /// encoder does (see [`ListMailbox::respelled`]).
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        if let Some(p) = w.utf8_session().and_then(|utf8| self.respelled(utf8)) {
            return p.encode(w);
        }
        match self {
            Self::Token(t) => w.put(t.as_bytes()),
            Self::String(s) => s.encode(w),
        }
    }
}

impl Encode for ListOptionExtension<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        self.name.encode(w);
        if let Some(v) = &self.value {
            w.put_u8(b' ');
            paren(w, v);
        }
    }
}

impl Encode for ListSelectOption<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            Self::Subscribed => w.put(b"SUBSCRIBED"),
            Self::Remote => w.put(b"REMOTE"),
            Self::RecursiveMatch => w.put(b"RECURSIVEMATCH"),
            Self::SpecialUse => w.put(b"SPECIAL-USE"),
            Self::Other(o) => o.encode(w),
        }
    }
}

impl Encode for ListReturnOption<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            Self::Subscribed => w.put(b"SUBSCRIBED"),
            Self::Children => w.put(b"CHILDREN"),
            Self::Status(s) => {
                w.put(b"STATUS ");
                paren(w, s);
            }
            Self::SpecialUse => w.put(b"SPECIAL-USE"),
            Self::MyRights => w.put(b"MYRIGHTS"),
            Self::Other(o) => o.encode(w),
        }
    }
}

impl Encode for Literal8<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.put_literal(self.buf(), self.mode(), true)
    }
}

impl Encode for AppendMessage<'_> {
    /// `[SP flag-list] [SP date-time] SP append-data`, with the leading SP.
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        if let Some(f) = &self.flags {
            w.put_u8(b' ');
            paren(w, f);
        }
        if let Some(d) = &self.date {
            w.put_u8(b' ');
            d.encode(w);
        }
        w.put_u8(b' ');
        self.data.encode(w);
    }
}

impl Encode for AppendData<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            Self::Literal(l) => l.encode(w),
            Self::Literal8(l) => l.encode(w),
            Self::Catenate(parts) => {
                w.put(b"CATENATE ");
                paren(w, parts);
            }
            Self::Utf8(l) => {
                w.put(b"UTF8 (");
                l.encode(w);
                w.put_u8(b')');
            }
        }
    }
}

impl Encode for CatenatePart<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            Self::Url(u) => {
                w.put(b"URL ");
                u.encode(w);
            }
            Self::Text(l) => {
                w.put(b"TEXT ");
                l.encode(w);
            }
            Self::Text8(l) => {
                w.put(b"TEXT ");
                l.encode(w);
            }
        }
    }
}

impl Encode for PartialRange {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            Self::First(a, b) => {
                w.put_num(a.get() as u64);
                w.put_u8(b':');
                w.put_num(b.get() as u64);
            }
            Self::Last(a, b) => {
                w.put_u8(b'-');
                w.put_num(a.get() as u64);
                w.put(b":-");
                w.put_num(b.get() as u64);
            }
        }
    }
}

impl Encode for FetchItems<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            Self::All => w.put(b"ALL"),
            Self::Fast => w.put(b"FAST"),
            Self::Full => w.put(b"FULL"),
            Self::Single(a) => a.encode(w),
            Self::List(l) => paren(w, l),
        }
    }
}

fn put_partial<B: BufMut>(w: &mut Writer<'_, B>, p: &Option<Partial>) {
    if let Some(p) = p {
        w.put_u8(b'<');
        w.put_num(p.offset);
        w.put_u8(b'.');
        w.put_num(p.count.get());
        w.put_u8(b'>');
    }
}

impl Encode for FetchAttribute<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            Self::Envelope => w.put(b"ENVELOPE"),
            Self::Flags => w.put(b"FLAGS"),
            Self::InternalDate => w.put(b"INTERNALDATE"),
            Self::Rfc822Size => w.put(b"RFC822.SIZE"),
            Self::Rfc822 => w.put(b"RFC822"),
            Self::Rfc822Header => w.put(b"RFC822.HEADER"),
            Self::Rfc822Text => w.put(b"RFC822.TEXT"),
            Self::Body => w.put(b"BODY"),
            Self::BodyStructure => w.put(b"BODYSTRUCTURE"),
            Self::Uid => w.put(b"UID"),
            Self::BodySection {
                peek,
                section,
                partial,
            } => {
                w.put(if *peek {
                    b"BODY.PEEK"
                } else {
                    b"BODY" as &[u8]
                });
                section.encode(w);
                put_partial(w, partial);
            }
            Self::Binary {
                peek,
                part,
                partial,
            } => {
                w.put(if *peek {
                    b"BINARY.PEEK["
                } else {
                    b"BINARY[" as &[u8]
                });
                put_part(w, part);
                w.put_u8(b']');
                put_partial(w, partial);
            }
            Self::BinarySize { part } => {
                w.put(b"BINARY.SIZE[");
                put_part(w, part);
                w.put_u8(b']');
            }
            Self::ModSeq => w.put(b"MODSEQ"),
            Self::EmailId => w.put(b"EMAILID"),
            Self::ThreadId => w.put(b"THREADID"),
            Self::SaveDate => w.put(b"SAVEDATE"),
            Self::Preview { lazy } => w.put(if *lazy {
                b"PREVIEW (LAZY)"
            } else {
                b"PREVIEW" as &[u8]
            }),
            Self::Snippet(s) => s.encode(w),
            Self::GmailMsgId => w.put(b"X-GM-MSGID"),
            Self::GmailThrId => w.put(b"X-GM-THRID"),
            Self::GmailLabels => w.put(b"X-GM-LABELS"),
            Self::Other(a) => a.encode(w),
        }
    }
}

impl Encode for FetchModifier<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            Self::ChangedSince(n) => {
                w.put(b"CHANGEDSINCE ");
                w.put_num(*n);
            }
            Self::Vanished => w.put(b"VANISHED"),
            Self::Partial(p) => {
                w.put(b"PARTIAL ");
                p.encode(w);
            }
            Self::Other(p) => p.encode(w),
        }
    }
}

impl Encode for StoreModifier<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            Self::UnchangedSince(n) => {
                w.put(b"UNCHANGEDSINCE ");
                w.put_num(*n);
            }
            Self::Other(p) => p.encode(w),
        }
    }
}

impl Encode for QuotaResourceName<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.put(self.as_bytes())
    }
}

impl Encode for QuotaLimit<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        self.resource.encode(w);
        w.put_u8(b' ');
        w.put_num(self.limit);
    }
}

impl Encode for MetadataEntry<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        self.as_astring().encode(w)
    }
}

impl Encode for MetadataValue<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            Self::NString(s) => s.encode(w),
            Self::Literal8(l) => l.encode(w),
        }
    }
}

impl Encode for GetMetadataOption<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            Self::MaxSize(n) => {
                w.put(b"MAXSIZE ");
                w.put_num(*n as u64);
            }
            Self::Depth(d) => w.put(match d {
                MetadataDepth::Zero => b"DEPTH 0",
                MetadataDepth::One => b"DEPTH 1",
                MetadataDepth::Infinity => b"DEPTH infinity" as &[u8],
            }),
            Self::Other(p) => p.encode(w),
        }
    }
}

impl Encode for NotifyEventGroup<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.put_u8(b'(');
        self.filter.encode(w);
        w.put_u8(b' ');
        match &self.events {
            None => w.put(b"NONE"),
            Some(e) => paren(w, e),
        }
        w.put_u8(b')');
    }
}

impl Encode for NotifyFilter<'_> {
    /// Filter names in upper case; a single mailbox without parentheses.
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        let mailboxes = |w: &mut Writer<'_, B>, m: &crate::Vec1<crate::Mailbox<'_>>| {
            if m.len() == 1 {
                m.first().encode(w);
            } else {
                paren(w, m);
            }
        };
        match self {
            Self::Selected => w.put(b"SELECTED"),
            Self::SelectedDelayed => w.put(b"SELECTED-DELAYED"),
            Self::Inboxes => w.put(b"INBOXES"),
            Self::Personal => w.put(b"PERSONAL"),
            Self::Subscribed => w.put(b"SUBSCRIBED"),
            Self::Subtree(m) => {
                w.put(b"SUBTREE ");
                mailboxes(w, m);
            }
            Self::Mailboxes(m) => {
                w.put(b"MAILBOXES ");
                mailboxes(w, m);
            }
        }
    }
}

impl Encode for NotifyEvent<'_> {
    /// Event names as RFC 5465 spells them (`MessageNew`).
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            Self::MessageNew(atts) => {
                w.put(b"MessageNew");
                if let Some(a) = atts {
                    w.put_u8(b' ');
                    paren(w, a);
                }
            }
            Self::MessageExpunge => w.put(b"MessageExpunge"),
            Self::FlagChange => w.put(b"FlagChange"),
            Self::AnnotationChange => w.put(b"AnnotationChange"),
            Self::MailboxName => w.put(b"MailboxName"),
            Self::SubscriptionChange => w.put(b"SubscriptionChange"),
            Self::MailboxMetadataChange => w.put(b"MailboxMetadataChange"),
            Self::ServerMetadataChange => w.put(b"ServerMetadataChange"),
            Self::Other(a) => a.encode(w),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Buf, Secret, Tag};

    use super::*;

    #[test]
    fn base64_chunks() {
        let data: Vec<u8> = (0..=255u8).collect();
        let d = AuthenticateData::Continue(Secret::new(Buf::from(data.clone())));
        let mut expect = base64::engine::general_purpose::STANDARD
            .encode(&data)
            .into_bytes();
        expect.extend_from_slice(b"\r\n");
        assert_eq!(d.to_vec(), expect);
    }

    #[test]
    fn noop() {
        let c = Command::new(Tag::try_from("a1").unwrap(), CommandBody::Noop);
        assert_eq!(c.to_vec(), b"a1 NOOP\r\n");
    }
}
