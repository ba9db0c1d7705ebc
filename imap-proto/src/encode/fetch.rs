//! Encoding FETCH response data items (RFC 9051 §7.5.2), canonical syntax:
//! uppercase item names, single spaces, strings in the form they hold.

mod body;
mod envelope;

use bytes::BufMut;

use crate::{
    BinaryData, GmailLabel, ItemValue, LiteralMode, MessageDataItem, ObjectId, SnippetAlgorithm,
    SnippetModifier, SnippetRequest,
};

use super::core::put_part;
use super::{paren, Encode, Writer};

impl Encode for MessageDataItem<'_> {
    /// Literals synchronizing (RFC 7888 §3), whatever their mode.
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.server_literals(|w| encode_item(self, w));
    }
}

fn encode_item<B: BufMut>(item: &MessageDataItem<'_>, w: &mut Writer<'_, B>) {
    use MessageDataItem as M;
    match item {
        M::Uid(u) => {
            w.put(b"UID ");
            w.put_num(u64::from(u.get()));
        }
        M::Flags(f) => {
            w.put(b"FLAGS ");
            match f.verbatim() {
                Some(bytes) => w.put(bytes),
                None => match f.built() {
                    Some(built) => paren(w, built),
                    None => paren(w, f),
                },
            }
        }
        M::Envelope(e) => {
            w.put(b"ENVELOPE ");
            e.encode(w);
        }
        M::InternalDate(d) => {
            w.put(b"INTERNALDATE ");
            d.encode(w);
        }
        M::Rfc822Size(n) => {
            w.put(b"RFC822.SIZE ");
            w.put_num(*n);
        }
        M::Rfc822(s) => {
            w.put(b"RFC822 ");
            s.encode(w);
        }
        M::Rfc822Header(s) => {
            w.put(b"RFC822.HEADER ");
            s.encode(w);
        }
        M::Rfc822Text(s) => {
            w.put(b"RFC822.TEXT ");
            s.encode(w);
        }
        M::Body(b) => {
            w.put(b"BODY ");
            b.encode(w);
        }
        M::BodyStructure(b) => {
            w.put(b"BODYSTRUCTURE ");
            b.encode(w);
        }
        M::BodySection {
            section,
            origin,
            data,
        } => {
            w.put(b"BODY");
            section.encode(w);
            put_origin(w, *origin);
            w.put_u8(b' ');
            data.encode(w);
        }
        M::Binary {
            section,
            origin,
            data,
        } => {
            w.put(b"BINARY[");
            put_part(w, section);
            w.put_u8(b']');
            put_origin(w, *origin);
            w.put_u8(b' ');
            data.encode(w);
        }
        M::BinarySize { section, size } => {
            w.put(b"BINARY.SIZE[");
            put_part(w, section);
            w.put(b"] ");
            w.put_num(*size);
        }
        M::ModSeq(n) => {
            w.put(b"MODSEQ (");
            w.put_num(*n);
            w.put_u8(b')');
        }
        M::EmailId(id) => {
            w.put(b"EMAILID (");
            id.encode(w);
            w.put_u8(b')');
        }
        M::ThreadId(id) => {
            w.put(b"THREADID ");
            match id {
                Some(id) => {
                    w.put_u8(b'(');
                    id.encode(w);
                    w.put_u8(b')');
                }
                None => w.put(b"NIL"),
            }
        }
        M::SaveDate(d) => {
            w.put(b"SAVEDATE ");
            match d {
                Some(d) => d.encode(w),
                None => w.put(b"NIL"),
            }
        }
        M::Preview(s) => {
            w.put(b"PREVIEW ");
            s.encode(w);
        }
        M::Snippet {
            name,
            algorithm,
            text,
        } => {
            w.put(name.as_str().as_bytes());
            w.put(b" (");
            algorithm.encode(w);
            w.put_u8(b' ');
            text.encode(w);
            w.put_u8(b')');
        }
        M::GmailMsgId(n) => {
            w.put(b"X-GM-MSGID ");
            w.put_num(*n);
        }
        M::GmailThrId(n) => {
            w.put(b"X-GM-THRID ");
            w.put_num(*n);
        }
        M::GmailLabels(l) => {
            w.put(b"X-GM-LABELS ");
            paren(w, l);
        }
        M::Other { name, value } => {
            name.encode(w);
            w.put_u8(b' ');
            value.encode(w);
        }
    }
}

impl Encode for ItemValue<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            ItemValue::NString(s) => s.encode(w),
            ItemValue::Number(n) => w.put_num(*n),
            ItemValue::Atom(a) => a.encode(w),
            ItemValue::List(l) => paren(w, l),
        }
    }
}

fn put_origin<B: BufMut>(w: &mut Writer<'_, B>, origin: Option<u32>) {
    if let Some(o) = origin {
        w.put_u8(b'<');
        w.put_num(u64::from(o));
        w.put_u8(b'>');
    }
}

impl Encode for BinaryData<'_> {
    /// An nstring as held, or `~{n}\r\n` and the octets.
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            BinaryData::NString(s) => s.encode(w),
            BinaryData::Literal8(b) => w.put_literal(b, LiteralMode::Sync, true),
        }
    }
}

impl Encode for SnippetAlgorithm<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.put(self.as_bytes())
    }
}

impl Encode for SnippetModifier<'_> {
    /// `FUZZY`, `LAZY` or `LAZY=FUZZY`.
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            Self::Algorithm(a) => a.encode(w),
            Self::Lazy(None) => w.put(b"LAZY"),
            Self::Lazy(Some(a)) => {
                w.put(b"LAZY=");
                a.encode(w);
            }
        }
    }
}

impl Encode for SnippetRequest<'_> {
    /// `SNIPPET`, or the name and `(modifier ...)`.
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.put(self.name().as_str().as_bytes());
        if !self.modifiers().is_empty() {
            w.put_u8(b' ');
            paren(w, self.modifiers());
        }
    }
}

impl Encode for ObjectId<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        w.put(self.as_str().as_bytes())
    }
}

impl Encode for GmailLabel<'_> {
    fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
        match self {
            GmailLabel::System(a) => {
                w.put_u8(b'\\');
                a.encode(w);
            }
            GmailLabel::Label(a) => a.encode(w),
        }
    }
}
