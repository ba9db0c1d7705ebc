//! Encoding SEARCH keys, return options and SORT/THREAD criteria.

use bytes::BufMut;

use crate::{EntryTypeReq, SearchKey, SearchReturnOption, SortCriterion, SortKey, ThreadAlgorithm};

use crate::encode::{join, Encode, Writer};

impl Encode for SearchKey<'_> {
    /// Keywords in upper case, dates unquoted (`1-Feb-1994`).
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        use SearchKey as K;
        macro_rules! arg {
            ($k:literal, $v:expr) => {{
                w.put($k);
                w.put_u8(b' ');
                $v.encode(w);
            }};
        }
        macro_rules! num {
            ($k:literal, $v:expr) => {{
                w.put($k);
                w.put_u8(b' ');
                w.put_num($v);
            }};
        }
        match self {
            K::All => w.put(b"ALL"),
            K::Answered => w.put(b"ANSWERED"),
            K::Bcc(s) => arg!(b"BCC", s),
            K::Before(d) => arg!(b"BEFORE", d),
            K::Body(s) => arg!(b"BODY", s),
            K::Cc(s) => arg!(b"CC", s),
            K::Deleted => w.put(b"DELETED"),
            K::Draft => w.put(b"DRAFT"),
            K::Flagged => w.put(b"FLAGGED"),
            K::From(s) => arg!(b"FROM", s),
            K::Header(a, b) => {
                arg!(b"HEADER", a);
                w.put_u8(b' ');
                b.encode(w);
            }
            K::Keyword(a) => arg!(b"KEYWORD", a),
            K::Larger(n) => num!(b"LARGER", *n),
            K::New => w.put(b"NEW"),
            K::Not(k) => arg!(b"NOT", k),
            K::Old => w.put(b"OLD"),
            K::On(d) => arg!(b"ON", d),
            K::Or(a, b) => {
                arg!(b"OR", a);
                w.put_u8(b' ');
                b.encode(w);
            }
            K::Recent => w.put(b"RECENT"),
            K::Seen => w.put(b"SEEN"),
            K::SentBefore(d) => arg!(b"SENTBEFORE", d),
            K::SentOn(d) => arg!(b"SENTON", d),
            K::SentSince(d) => arg!(b"SENTSINCE", d),
            K::Since(d) => arg!(b"SINCE", d),
            K::Smaller(n) => num!(b"SMALLER", *n),
            K::Subject(s) => arg!(b"SUBJECT", s),
            K::Text(s) => arg!(b"TEXT", s),
            K::To(s) => arg!(b"TO", s),
            K::Uid(s) => arg!(b"UID", s),
            K::Unanswered => w.put(b"UNANSWERED"),
            K::Undeleted => w.put(b"UNDELETED"),
            K::Undraft => w.put(b"UNDRAFT"),
            K::Unflagged => w.put(b"UNFLAGGED"),
            K::Unkeyword(a) => arg!(b"UNKEYWORD", a),
            K::Unseen => w.put(b"UNSEEN"),
            K::SequenceSet(s) => s.encode(w),
            K::And(l) => {
                w.put_u8(b'(');
                join(w, l, b" ");
                w.put_u8(b')');
            }
            K::ModSeq { entry, modseq } => {
                w.put(b"MODSEQ ");
                if let Some(e) = entry {
                    e.name.encode(w);
                    w.put(match e.kind {
                        EntryTypeReq::Private => b" priv ",
                        EntryTypeReq::Shared => b" shared ",
                        EntryTypeReq::All => b" all " as &[u8],
                    });
                }
                w.put_num(*modseq);
            }
            K::Older(n) => num!(b"OLDER", n.get() as u64),
            K::Younger(n) => num!(b"YOUNGER", n.get() as u64),
            K::SavedBefore(d) => arg!(b"SAVEDBEFORE", d),
            K::SavedOn(d) => arg!(b"SAVEDON", d),
            K::SavedSince(d) => arg!(b"SAVEDSINCE", d),
            K::SaveDateSupported => w.put(b"SAVEDATESUPPORTED"),
            K::EmailId(o) => {
                w.put(b"EMAILID ");
                w.put(o.as_bytes());
            }
            K::ThreadId(o) => {
                w.put(b"THREADID ");
                w.put(o.as_bytes());
            }
            K::GmailRaw(s) => arg!(b"X-GM-RAW", s),
            K::GmailMsgId(n) => num!(b"X-GM-MSGID", *n),
            K::GmailThrId(n) => num!(b"X-GM-THRID", *n),
            K::GmailLabels(l) => arg!(b"X-GM-LABELS", l),
        }
    }
}

impl Encode for SearchReturnOption<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            Self::Min => w.put(b"MIN"),
            Self::Max => w.put(b"MAX"),
            Self::All => w.put(b"ALL"),
            Self::Count => w.put(b"COUNT"),
            Self::Save => w.put(b"SAVE"),
            Self::Context => w.put(b"CONTEXT"),
            Self::Update => w.put(b"UPDATE"),
            Self::Partial(p) => {
                w.put(b"PARTIAL ");
                p.encode(w);
            }
            Self::Other(p) => p.encode(w),
        }
    }
}

impl Encode for SortCriterion<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        if self.reverse {
            w.put(b"REVERSE ");
        }
        match &self.key {
            SortKey::Other(a) => a.encode(w),
            known => w.put(
                SortKey::KNOWN
                    .iter()
                    .find(|(_, k)| k == known)
                    .map(|(n, _)| n.as_bytes())
                    .unwrap_or_default(),
            ),
        }
    }
}

impl Encode for ThreadAlgorithm<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            Self::OrderedSubject => w.put(b"ORDEREDSUBJECT"),
            Self::References => w.put(b"REFERENCES"),
            Self::Other(a) => a.encode(w),
        }
    }
}
