//! Encoding greetings and responses (canonical RFC 9051 syntax: uppercase
//! keywords, single spaces, CRLF at the end of each response).

use bytes::BufMut;

use crate::{
    AclEntry, Charset, ContinueRequest, Data, Delimiter, ESearch, ESearchPartialRange, Greeting,
    GreetingKind, ListExtendedItem, MailboxAttribute, MailboxList, MetadataCode, MetadataItems,
    NString8, NamespaceDescr, NamespaceExtension, QuotaResource, RespText, Response, ResponseCode,
    SearchReturnData, Status, StatusItem, StatusKind, StatusResponse, TaggedExtComp, TaggedExtVal,
    Thread,
};

use super::{paren, paren_pairs, Encode, Writer};

impl Encode for Greeting<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.put(match self.kind {
            GreetingKind::Ok => b"* OK ",
            GreetingKind::PreAuth => b"* PREAUTH ",
            GreetingKind::Bye => b"* BYE ",
        });
        self.text.encode(w);
        w.put(b"\r\n");
    }
}

impl Encode for Response<'_> {
    /// Literals are written synchronizing (RFC 7888 §3), whatever their mode.
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            Response::Status(s) => s.encode(w),
            Response::Data(d) => d.encode(w),
            Response::Continue(c) => c.encode(w),
        }
    }
}

impl Encode for Status {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.put(match self {
            Self::Ok => b"OK",
            Self::No => b"NO",
            Self::Bad => b"BAD",
        })
    }
}

impl Encode for StatusResponse<'_> {
    /// `tag OK text`, `* NO text`, `* BYE text`; the SP after the keyword is
    /// always written, also for an empty text.
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match &self.kind {
            StatusKind::Tagged { tag, status } => {
                tag.encode(w);
                w.put_u8(b' ');
                status.encode(w);
            }
            StatusKind::Untagged(status) => {
                w.put(b"* ");
                status.encode(w);
            }
            StatusKind::Bye => w.put(b"* BYE"),
            StatusKind::PreAuth => w.put(b"* PREAUTH"),
        }
        w.put_u8(b' ');
        self.text.encode(w);
        w.put(b"\r\n");
    }
}

impl Encode for ContinueRequest<'_> {
    /// `+ text` (`+ ` for an empty text).
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.put(b"+ ");
        self.text().encode(w);
        w.put(b"\r\n");
    }
}

impl Encode for RespText<'_> {
    /// `[CODE] text` or `text`, without CRLF.
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        if let Some(code) = self.code() {
            w.put_u8(b'[');
            code.encode(w);
            w.put(b"] ");
        }
        self.human().encode(w);
    }
}

impl Encode for ResponseCode<'_> {
    /// The code without brackets.
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        use ResponseCode as C;
        let word: &[u8] = match self {
            C::Alert => b"ALERT",
            C::BadCharset(None) => b"BADCHARSET",
            C::BadCharset(Some(l)) => {
                w.put(b"BADCHARSET ");
                paren(w, l);
                return;
            }
            C::Capability(caps) => {
                w.put(b"CAPABILITY ");
                caps.encode(w);
                return;
            }
            C::Parse => b"PARSE",
            C::PermanentFlags(f) => {
                w.put(b"PERMANENTFLAGS ");
                paren(w, f);
                return;
            }
            C::ReadOnly => b"READ-ONLY",
            C::ReadWrite => b"READ-WRITE",
            C::TryCreate => b"TRYCREATE",
            C::UidNext(n) => return num(w, b"UIDNEXT ", u64::from(*n)),
            C::UidValidity(n) => return num(w, b"UIDVALIDITY ", u64::from(*n)),
            C::Unseen(n) => return num(w, b"UNSEEN ", n.get() as u64),
            C::Closed => b"CLOSED",
            C::HighestModSeq(n) => return num(w, b"HIGHESTMODSEQ ", *n),
            C::NoModSeq => b"NOMODSEQ",
            C::Modified(s) => {
                w.put(b"MODIFIED ");
                s.encode(w);
                return;
            }
            C::AppendUid { uid_validity, uids } => {
                num(w, b"APPENDUID ", uid_validity.get() as u64);
                w.put_u8(b' ');
                uids.encode(w);
                return;
            }
            C::CopyUid(c) => {
                num(w, b"COPYUID ", c.uid_validity.get() as u64);
                w.put_u8(b' ');
                c.source.encode(w);
                w.put_u8(b' ');
                c.destination.encode(w);
                return;
            }
            C::UidNotSticky => b"UIDNOTSTICKY",
            C::Unavailable => b"UNAVAILABLE",
            C::AuthenticationFailed => b"AUTHENTICATIONFAILED",
            C::AuthorizationFailed => b"AUTHORIZATIONFAILED",
            C::Expired => b"EXPIRED",
            C::PrivacyRequired => b"PRIVACYREQUIRED",
            C::ContactAdmin => b"CONTACTADMIN",
            C::NoPerm => b"NOPERM",
            C::InUse => b"INUSE",
            C::ExpungeIssued => b"EXPUNGEISSUED",
            C::Corruption => b"CORRUPTION",
            C::ServerBug => b"SERVERBUG",
            C::ClientBug => b"CLIENTBUG",
            C::Cannot => b"CANNOT",
            C::Limit => b"LIMIT",
            C::OverQuota => b"OVERQUOTA",
            C::AlreadyExists => b"ALREADYEXISTS",
            C::NonExistent => b"NONEXISTENT",
            C::NotSaved => b"NOTSAVED",
            C::HasChildren => b"HASCHILDREN",
            C::UnknownCte => b"UNKNOWN-CTE",
            C::CompressionActive => b"COMPRESSIONACTIVE",
            // A code's arguments are 7-bit `TEXT-CHAR`s (RFC 3501 §9, RFC
            // 9051 §9) whatever the peer enabled.
            C::Referral(t) => {
                w.put(b"REFERRAL ");
                w.put_text(t.as_bytes(), true);
                return;
            }
            C::Metadata(m) => {
                match m {
                    MetadataCode::LongEntries(n) => num(w, b"METADATA LONGENTRIES ", *n as u64),
                    MetadataCode::MaxSize(n) => num(w, b"METADATA MAXSIZE ", *n as u64),
                    MetadataCode::TooMany => w.put(b"METADATA TOOMANY"),
                    MetadataCode::NoPrivate => w.put(b"METADATA NOPRIVATE"),
                }
                return;
            }
            C::NotificationOverflow => b"NOTIFICATIONOVERFLOW",
            C::BadEvent(e) => {
                w.put(b"BADEVENT ");
                paren(w, e);
                return;
            }
            C::UseAttr => b"USEATTR",
            C::MailboxId(id) => {
                w.put(b"MAILBOXID (");
                w.put(id.as_bytes());
                w.put_u8(b')');
                return;
            }
            C::TooBig => b"TOOBIG",
            C::BadUrl(t) => {
                w.put(b"BADURL ");
                w.put_text(t.as_bytes(), true);
                return;
            }
            C::Other(o) => {
                o.name().encode(w);
                if let Some(a) = o.args() {
                    w.put_u8(b' ');
                    w.put_text(a.as_bytes(), true);
                }
                return;
            }
        };
        w.put(word);
    }
}

fn num<B: BufMut>(w: &mut Writer<'_, B>, prefix: &[u8], n: u64) {
    w.put(prefix);
    w.put_num(n);
}

impl Encode for Charset<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            Charset::Atom(a) => a.encode(w),
            Charset::Quoted(q) => q.encode(w),
        }
    }
}

impl Encode for Data<'_> {
    /// `* ...\r\n`, literals synchronizing (RFC 7888 §3) whatever their mode.
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.server_literals(|w| encode_data(self, w));
    }
}

fn encode_data<B: BufMut>(data: &Data<'_>, w: &mut Writer<'_, B>) {
    w.put(b"* ");
    match data {
        Data::Capability(c) => {
            w.put(b"CAPABILITY ");
            c.encode(w);
        }
        Data::Enabled(c) => {
            w.put(b"ENABLED");
            for x in c {
                w.put_u8(b' ');
                x.encode(w);
            }
        }
        Data::Flags(f) => {
            w.put(b"FLAGS ");
            paren(w, f);
        }
        Data::List(l) => {
            w.put(b"LIST ");
            l.encode(w);
        }
        Data::Lsub(l) => {
            w.put(b"LSUB ");
            l.encode(w);
        }
        Data::Namespace(n) => {
            w.put(b"NAMESPACE ");
            namespace_list(w, &n.personal);
            w.put_u8(b' ');
            namespace_list(w, &n.other);
            w.put_u8(b' ');
            namespace_list(w, &n.shared);
        }
        Data::Status { mailbox, items } => {
            w.put(b"STATUS ");
            mailbox.encode(w);
            w.put_u8(b' ');
            paren(w, items);
        }
        Data::ESearch(e) => e.encode(w),
        Data::Search { ids, mod_seq } => search(w, b"SEARCH", ids, *mod_seq),
        Data::Sort { ids, mod_seq } => search(w, b"SORT", ids, *mod_seq),
        Data::Thread(t) => {
            w.put(b"THREAD");
            if !t.is_empty() {
                w.put_u8(b' ');
                for x in t {
                    x.encode(w);
                }
            }
        }
        Data::Exists(n) => {
            w.put_num(*n as u64);
            w.put(b" EXISTS");
        }
        Data::Recent(n) => {
            w.put_num(*n as u64);
            w.put(b" RECENT");
        }
        Data::Expunge(n) => {
            w.put_num(n.get() as u64);
            w.put(b" EXPUNGE");
        }
        Data::Fetch { seq, items } => {
            w.put_num(seq.get() as u64);
            w.put(b" FETCH ");
            paren(w, items);
        }
        Data::Vanished { earlier, uids } => {
            w.put(if *earlier {
                &b"VANISHED (EARLIER) "[..]
            } else {
                &b"VANISHED "[..]
            });
            uids.encode(w);
        }
        Data::Id(params) => {
            w.put(b"ID ");
            crate::encode::core::id_params(w, params.as_deref());
        }
        Data::Quota { root, resources } => {
            w.put(b"QUOTA ");
            root.encode(w);
            w.put_u8(b' ');
            paren(w, resources);
        }
        Data::QuotaRoot { mailbox, roots } => {
            w.put(b"QUOTAROOT ");
            mailbox.encode(w);
            for r in roots {
                w.put_u8(b' ');
                r.encode(w);
            }
        }
        Data::Acl { mailbox, entries } => {
            w.put(b"ACL ");
            mailbox.encode(w);
            for e in entries {
                w.put_u8(b' ');
                e.encode(w);
            }
        }
        Data::ListRights(l) => {
            let crate::ListRights {
                mailbox,
                identifier,
                required,
                optional,
            } = &**l;
            w.put(b"LISTRIGHTS ");
            mailbox.encode(w);
            w.put_u8(b' ');
            identifier.encode(w);
            w.put_u8(b' ');
            required.encode(w);
            for o in optional {
                w.put_u8(b' ');
                o.encode(w);
            }
        }
        Data::MyRights { mailbox, rights } => {
            w.put(b"MYRIGHTS ");
            mailbox.encode(w);
            w.put_u8(b' ');
            rights.encode(w);
        }
        Data::Metadata { mailbox, items } => {
            w.put(b"METADATA ");
            mailbox.encode(w);
            w.put_u8(b' ');
            match items {
                MetadataItems::Values(v) => paren_pairs(w, v),
                MetadataItems::Entries(e) => e.encode(w),
            }
        }
        Data::Other(o) => w.put_generic(o.as_bytes()),
    }
    w.put(b"\r\n");
}

fn search<B: BufMut>(
    w: &mut Writer<'_, B>,
    name: &[u8],
    ids: &[std::num::NonZeroU32],
    mod_seq: Option<u64>,
) {
    w.put(name);
    for n in ids {
        w.put_u8(b' ');
        w.put_num(n.get() as u64);
    }
    if let Some(m) = mod_seq {
        w.put(b" (MODSEQ ");
        w.put_num(m);
        w.put_u8(b')');
    }
}

impl Encode for MailboxAttribute<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.put_u8(b'\\');
        w.put(self.name());
    }
}

/// A hierarchy delimiter: a quoted character or `NIL`.
fn delimiter<B: BufMut>(w: &mut Writer<'_, B>, d: Option<Delimiter>) {
    match d.map(Delimiter::as_char) {
        None => w.put(b"NIL"),
        Some(c) => {
            w.put_u8(b'"');
            if c == '"' || c == '\\' {
                w.put_u8(b'\\');
            }
            let mut tmp = [0u8; 4];
            w.put(c.encode_utf8(&mut tmp).as_bytes());
            w.put_u8(b'"');
        }
    }
}

impl Encode for MailboxList<'_> {
    /// `(attributes) delimiter mailbox [(extended)]`; an empty extended list is omitted.
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        paren(w, &self.attributes);
        w.put_u8(b' ');
        delimiter(w, self.delimiter);
        w.put_u8(b' ');
        self.mailbox.encode(w);
        if !self.extended.is_empty() {
            w.put_u8(b' ');
            paren(w, &self.extended);
        }
    }
}

impl Encode for ListExtendedItem<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            ListExtendedItem::ChildInfo(c) => {
                w.put(b"CHILDINFO ");
                paren(w, c);
            }
            ListExtendedItem::OldName(m) => {
                w.put(b"OLDNAME (");
                m.encode(w);
                w.put_u8(b')');
            }
            ListExtendedItem::Other { tag, value } => {
                tag.encode(w);
                w.put_u8(b' ');
                value.encode(w);
            }
        }
    }
}

impl Encode for TaggedExtVal<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            TaggedExtVal::Number(n) => w.put_num(*n),
            TaggedExtVal::SequenceSet(s) => s.encode(w),
            TaggedExtVal::Comp(c) => paren(w, c),
            TaggedExtVal::String(s) => s.encode(w),
        }
    }
}

impl Encode for TaggedExtComp<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            TaggedExtComp::AString(a) => a.encode(w),
            TaggedExtComp::List(l) => paren(w, l),
        }
    }
}

fn namespace_list<B: BufMut>(w: &mut Writer<'_, B>, l: &[NamespaceDescr<'_>]) {
    if l.is_empty() {
        w.put(b"NIL");
    } else {
        w.put_u8(b'(');
        for d in l {
            d.encode(w);
        }
        w.put_u8(b')');
    }
}

impl Encode for NamespaceDescr<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.put_u8(b'(');
        self.prefix.encode(w);
        w.put_u8(b' ');
        delimiter(w, self.delimiter);
        for e in &self.extensions {
            w.put_u8(b' ');
            e.encode(w);
        }
        w.put_u8(b')');
    }
}

impl Encode for NamespaceExtension<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        self.name.encode(w);
        w.put_u8(b' ');
        paren(w, &self.values);
    }
}

impl Encode for StatusItem<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            StatusItem::Messages(n) => num(w, b"MESSAGES ", *n as u64),
            StatusItem::UidNext(n) => num(w, b"UIDNEXT ", *n as u64),
            StatusItem::UidValidity(n) => num(w, b"UIDVALIDITY ", *n as u64),
            StatusItem::Unseen(n) => num(w, b"UNSEEN ", *n as u64),
            StatusItem::Deleted(n) => num(w, b"DELETED ", *n as u64),
            StatusItem::Size(n) => num(w, b"SIZE ", *n),
            StatusItem::Recent(n) => num(w, b"RECENT ", *n as u64),
            StatusItem::HighestModSeq(n) => num(w, b"HIGHESTMODSEQ ", *n),
            StatusItem::DeletedStorage(n) => num(w, b"DELETED-STORAGE ", *n),
            StatusItem::AppendLimit(Some(n)) => num(w, b"APPENDLIMIT ", *n),
            StatusItem::AppendLimit(None) => w.put(b"APPENDLIMIT NIL"),
            StatusItem::MailboxId(id) => {
                w.put(b"MAILBOXID (");
                w.put(id.as_bytes());
                w.put_u8(b')');
            }
            StatusItem::Other { name, value } => {
                name.encode(w);
                w.put_u8(b' ');
                value.encode(w);
            }
        }
    }
}

impl Encode for ESearch<'_> {
    /// `ESEARCH [(TAG "t")] [UID] items` (without `* ` and CRLF).
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.put(b"ESEARCH");
        if let Some(t) = &self.tag {
            w.put(b" (TAG ");
            t.encode(w);
            w.put_u8(b')');
        }
        if self.uid {
            w.put(b" UID");
        }
        for d in &self.data {
            w.put_u8(b' ');
            d.encode(w);
        }
    }
}

impl Encode for SearchReturnData<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            SearchReturnData::Min(n) => num(w, b"MIN ", n.get() as u64),
            SearchReturnData::Max(n) => num(w, b"MAX ", n.get() as u64),
            SearchReturnData::All(s) => {
                w.put(b"ALL ");
                s.encode(w);
            }
            SearchReturnData::Count(n) => num(w, b"COUNT ", *n as u64),
            SearchReturnData::ModSeq(n) => num(w, b"MODSEQ ", *n),
            SearchReturnData::Partial { range, results } => {
                w.put(b"PARTIAL (");
                let (neg, a, b) = match range {
                    ESearchPartialRange::First(a, b) => (false, a, b),
                    ESearchPartialRange::Last(a, b) => (true, a, b),
                };
                if neg {
                    w.put_u8(b'-');
                }
                w.put_num(a.get() as u64);
                w.put_u8(b':');
                if neg {
                    w.put_u8(b'-');
                }
                w.put_num(b.get() as u64);
                w.put_u8(b' ');
                match results {
                    Some(s) => s.encode(w),
                    None => w.put(b"NIL"),
                }
                w.put_u8(b')');
            }
            SearchReturnData::Other { name, value } => {
                name.encode(w);
                w.put_u8(b' ');
                value.encode(w);
            }
        }
    }
}

impl Encode for Thread {
    /// `(1 2 (3)(4 5))`: numbers separated by SP, nested lists without separators.
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.put_u8(b'(');
        for (k, n) in self.ids.iter().enumerate() {
            if k > 0 {
                w.put_u8(b' ');
            }
            w.put_num(n.get() as u64);
        }
        if !self.ids.is_empty() && !self.children.is_empty() {
            w.put_u8(b' ');
        }
        for c in &self.children {
            c.encode(w);
        }
        w.put_u8(b')');
    }
}

impl Encode for QuotaResource<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        self.name.encode(w);
        w.put_u8(b' ');
        w.put_num(self.usage);
        w.put_u8(b' ');
        w.put_num(self.limit);
    }
}

impl Encode for AclEntry<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        self.identifier.encode(w);
        w.put_u8(b' ');
        self.rights.encode(w);
    }
}

impl Encode for NString8<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            NString8::NString(s) => s.encode(w),
            NString8::Literal8(l) => w.put_literal(l.buf(), l.mode(), true),
        }
    }
}
