//! What the store knows about a message's content, from the `mail-parser`
//! crate: the MIME part tree with byte ranges (for `BODY[section]` and
//! `BINARY[section]`), ENVELOPE and BODYSTRUCTURE (RFC 9051 §7.5.2), and the
//! `Date:` field (SENTBEFORE and friends).
//!
//! Parsed once per message (at APPEND, or on first use after a restart) and
//! kept with the message.

use std::borrow::Cow;
use std::ops::Range;

use base64::Engine as _;
use bytes::Bytes;
use imapkit_codec::decode::MAX_BODY_DEPTH;
use imapkit_proto::{
    Address, AddressList, Body, BodyFields, BodyKind, BodyLanguage, BodyParam, BodyStructure, Date,
    Disposition, Encapsulated, Envelope, EnvelopeFields, ExtensionTail, IString, LanguageTail,
    LocationTail, MessageSubtype, Multipart, MultipartExtension, NString, PartList,
    SinglePartExtension, Vec1,
};
use mail_parser::{ContentType, Header, HeaderName, HeaderValue, MessageParser, PartType};

use crate::store::date;

/// The parsed metadata of one message.
#[derive(Debug)]
pub struct MessageMeta {
    /// `ENVELOPE`.
    pub(crate) envelope: Envelope<'static>,
    /// `BODYSTRUCTURE` (with extension data).
    pub(crate) body: BodyStructure<'static>,
    /// The part tree.
    pub(crate) root: Part,
    /// The `Date:` field: seconds since the epoch and the sender's date.
    pub(crate) sent: Option<(i64, Date)>,
}

/// One MIME entity: its header and body as byte ranges.
#[derive(Debug, Clone)]
pub(crate) struct Part {
    /// The buffer the ranges refer to: `None` for the message file, `Some`
    /// for the decoded content of an encoded message/rfc822 part.
    pub(crate) buf: Option<Bytes>,
    /// The header, with the blank line that ends it.
    pub(crate) header: Range<usize>,
    /// The body.
    pub(crate) body: Range<usize>,
    pub(crate) kind: PartKind,
    /// Content-Transfer-Encoding, lowercase (`7bit` when absent).
    pub(crate) encoding: String,
}

/// What a part holds.
#[derive(Debug, Clone)]
pub(crate) enum PartKind {
    /// `multipart/*`: the parts.
    Multipart(Vec<Part>),
    /// `message/rfc822` or `message/global`: the encapsulated message.
    Message(Box<Part>),
    /// Anything else.
    Leaf,
}

/// Nesting deeper than this is not followed (parts below become leaves):
/// the BODYSTRUCTURE stays within what decoders accept.
const MAX_DEPTH: usize = MAX_BODY_DEPTH / 2;

impl MessageMeta {
    /// Parses `raw`. Never fails: a message mail-parser cannot read at all
    /// becomes one `text/plain` part (RFC 9051 §7.5.2 asks for a structure
    /// even then).
    pub fn parse(raw: &[u8]) -> Self {
        let parser = MessageParser::default();
        match parser.parse(raw) {
            Some(msg) if !msg.parts.is_empty() => {
                let mut b = Builder { top: raw };
                let (root, body) = b.part(&msg, raw, None, 0, 0, false);
                let envelope = envelope(&msg.parts[0].headers, raw);
                let sent = msg.date().and_then(date::from_header);
                Self {
                    envelope,
                    body,
                    root,
                    sent,
                }
            }
            _ => Self::unparsed(raw),
        }
    }

    /// A message with no header that mail-parser recognises: all body.
    fn unparsed(raw: &[u8]) -> Self {
        let root = Part {
            buf: None,
            header: 0..0,
            body: 0..raw.len(),
            kind: PartKind::Leaf,
            encoding: "7bit".into(),
        };
        let body = BodyStructure::Single(Body {
            kind: BodyKind::text("PLAIN", count_lines(raw)),
            fields: BodyFields {
                params: vec![BodyParam::new(istr("CHARSET"), istr("US-ASCII"))].into(),
                id: NString::NIL,
                description: NString::NIL,
                encoding: istr("7BIT"),
                size: raw.len() as u32,
            },
            extension: Some(SinglePartExtension::default()),
        });
        Self {
            envelope: Envelope::default(),
            body,
            root,
            sent: None,
        }
    }

    /// `ENVELOPE`.
    pub fn envelope(&self) -> &Envelope<'static> {
        &self.envelope
    }

    /// `BODYSTRUCTURE` (extension data included).
    pub fn body_structure(&self) -> &BodyStructure<'static> {
        &self.body
    }
}

/// Builds the part tree and BODYSTRUCTURE together.
struct Builder<'r> {
    /// The message file's bytes.
    top: &'r [u8],
}

impl Builder<'_> {
    /// Part `id` of `msg`, whose offsets refer to `raw` (`buf` says which
    /// buffer that is for the tree).
    fn part(
        &mut self,
        msg: &mail_parser::Message<'_>,
        raw: &[u8],
        buf: Option<&Bytes>,
        id: usize,
        depth: usize,
        in_digest: bool,
    ) -> (Part, BodyStructure<'static>) {
        let p = &msg.parts[id];
        let header = clamp(p.offset_header as usize..p.offset_body as usize, raw.len());
        let body = clamp(p.offset_body as usize..p.offset_end as usize, raw.len());
        let ct = content_type(&p.headers);
        let encoding = text_value(&p.headers, &HeaderName::ContentTransferEncoding, raw)
            .map(|e| e.trim().to_ascii_lowercase())
            .filter(|e| !e.is_empty())
            .unwrap_or_else(|| "7bit".into());
        let (ctype, subtype) = match ct {
            Some(ct) => (
                ct.ctype().to_ascii_lowercase(),
                ct.subtype().unwrap_or("").to_ascii_lowercase(),
            ),
            None if in_digest => ("message".into(), "rfc822".into()),
            None => ("text".into(), "plain".into()),
        };
        let mut part = Part {
            buf: buf.cloned(),
            header,
            body: body.clone(),
            kind: PartKind::Leaf,
            encoding: encoding.clone(),
        };
        match &p.body {
            PartType::Multipart(children) if depth < MAX_DEPTH && !children.is_empty() => {
                let digest = subtype == "digest";
                let mut parts = Vec::with_capacity(children.len());
                let mut structures = Vec::with_capacity(children.len());
                for &c in children {
                    let (cp, cs) = self.part(msg, raw, buf, c as usize, depth + 1, digest);
                    parts.push(cp);
                    structures.push(cs);
                }
                part.kind = PartKind::Multipart(parts);
                let extension = MultipartExtension {
                    params: params(ct),
                    tail: Some(tail(&p.headers, raw)),
                };
                let structure = BodyStructure::Multipart(Multipart {
                    // Non-empty: `children` is not empty.
                    parts: PartList::from(Vec1::unvalidated(structures)),
                    subtype: istr(&subtype.to_ascii_uppercase()),
                    extension: Some(extension),
                });
                (part, structure)
            }
            PartType::Message(inner) if depth < MAX_DEPTH && !inner.parts.is_empty() => {
                // An unencoded message/rfc822 part is parsed in place: its
                // offsets refer to the same buffer. An encoded one was
                // decoded into a buffer of its own.
                let inner_raw: &[u8] = &inner.raw_message;
                let same = inner_raw.as_ptr() == raw.as_ptr() || inner_raw == raw;
                let own;
                let (inner_buf, inner_bytes): (Option<&Bytes>, &[u8]) = if same {
                    (buf, raw)
                } else {
                    own = Bytes::copy_from_slice(inner_raw);
                    (Some(&own), inner_raw)
                };
                let inner_buf = inner_buf.cloned();
                let (root, inner_structure) =
                    self.part(inner, inner_bytes, inner_buf.as_ref(), 0, depth + 1, false);
                let inner_envelope = envelope(&inner.parts[0].headers, inner_bytes);
                part.kind = PartKind::Message(Box::new(root));
                let lines = count_lines(&raw[body.clone()]);
                let subtype = if subtype == "global" {
                    MessageSubtype::Global
                } else {
                    MessageSubtype::Rfc822
                };
                let kind = BodyKind::message(
                    subtype,
                    Encapsulated::new(inner_envelope, inner_structure),
                    lines,
                );
                let structure = single(kind, ct, &p.headers, raw, &encoding, body.len());
                (part, structure)
            }
            _ => {
                let kind = if ctype == "text" {
                    BodyKind::text(
                        istr(&subtype.to_ascii_uppercase()),
                        count_lines(&raw[body.clone()]),
                    )
                } else {
                    BodyKind::Basic {
                        media_type: istr(&ctype.to_ascii_uppercase()),
                        subtype: istr(&if subtype.is_empty() {
                            "OCTET-STREAM".to_string()
                        } else {
                            subtype.to_ascii_uppercase()
                        }),
                    }
                };
                let mut structure = single(kind, ct, &p.headers, raw, &encoding, body.len());
                if ct.is_none() && ctype == "text" {
                    // RFC 2045 §5.2: no Content-Type means US-ASCII text/plain.
                    if let BodyStructure::Single(b) = &mut structure {
                        b.fields.params =
                            vec![BodyParam::new(istr("CHARSET"), istr("US-ASCII"))].into();
                    }
                }
                let _ = self.top;
                (part, structure)
            }
        }
    }
}

fn single(
    kind: BodyKind<'static>,
    ct: Option<&ContentType<'_>>,
    headers: &[Header<'_>],
    raw: &[u8],
    encoding: &str,
    size: usize,
) -> BodyStructure<'static> {
    let extension = SinglePartExtension {
        md5: nstr(text_value(headers, &HeaderName::ContentMd5, raw).as_deref()),
        tail: Some(tail(headers, raw)),
    };
    BodyStructure::Single(Body {
        kind,
        fields: BodyFields {
            params: params(ct),
            id: nstr(text_value(headers, &HeaderName::ContentId, raw).as_deref()),
            description: nstr(text_value(headers, &HeaderName::ContentDescription, raw).as_deref()),
            encoding: istr(&encoding.to_ascii_uppercase()),
            size: u32::try_from(size).unwrap_or(u32::MAX),
        },
        extension: Some(extension),
    })
}

/// Disposition, language and location (`body-ext-1part` / `body-ext-mpart` tail).
fn tail(headers: &[Header<'_>], raw: &[u8]) -> ExtensionTail<'static> {
    let disposition = headers
        .iter()
        .find(|h| h.name == HeaderName::ContentDisposition)
        .and_then(|h| h.value.as_content_type())
        .map(|d| Disposition {
            kind: istr(&d.ctype().to_ascii_uppercase()),
            params: params(Some(d)),
        });
    let language = match text_value(headers, &HeaderName::ContentLanguage, raw) {
        None => BodyLanguage::Single(NString::NIL),
        Some(v) => {
            let tags: Vec<IString<'static>> = v
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(istr)
                .collect();
            match tags.len() {
                0 => BodyLanguage::Single(NString::NIL),
                1 => BodyLanguage::Single(NString(tags.into_iter().next())),
                // Non-empty: at least two tags.
                _ => BodyLanguage::List(Vec1::unvalidated(tags)),
            }
        }
    };
    let location = nstr(text_value(headers, &HeaderName::ContentLocation, raw).as_deref());
    ExtensionTail {
        disposition,
        language: Some(LanguageTail {
            language,
            location: Some(LocationTail {
                location,
                extensions: Vec::new(),
            }),
        }),
    }
}

/// Content-Type or Content-Disposition parameters as `body-fld-param`.
///
/// mail-parser has joined RFC 2231 continuations and decoded their charset;
/// a value that is not ASCII is sent RFC 2231-encoded again
/// (`name*` = `utf-8''%E6%97%A5...`), so the list stays 7-bit for clients
/// without UTF-8 support.
fn params(ct: Option<&ContentType<'_>>) -> imapkit_proto::ParamList<'static> {
    let Some(attrs) = ct.and_then(|c| c.attributes()) else {
        return Vec::new().into();
    };
    attrs
        .iter()
        .map(|a| {
            let name = a.name.to_ascii_uppercase();
            if a.value.is_ascii() {
                BodyParam::new(istr(&name), istr(&a.value))
            } else {
                let mut v = String::from("utf-8''");
                for b in a.value.bytes() {
                    if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                        v.push(b as char);
                    } else {
                        v.push_str(&format!("%{b:02X}"));
                    }
                }
                BodyParam::new(istr(&format!("{name}*")), istr(&v))
            }
        })
        .collect()
}

fn content_type<'h>(headers: &'h [Header<'_>]) -> Option<&'h ContentType<'h>> {
    headers
        .iter()
        .find(|h| h.name == HeaderName::ContentType)
        .and_then(|h| h.value.as_content_type())
}

/// The raw value of the first field `name`: unfolded, trimmed.
fn text_value(headers: &[Header<'_>], name: &HeaderName<'_>, raw: &[u8]) -> Option<String> {
    let h = headers.iter().find(|h| &h.name == name)?;
    Some(raw_value(h, raw))
}

fn raw_value(h: &Header<'_>, raw: &[u8]) -> String {
    let r = clamp(h.offset_start as usize..h.offset_end as usize, raw.len());
    let v: Vec<u8> = raw[r]
        .iter()
        .copied()
        .filter(|&b| b != b'\r' && b != b'\n' && b != 0)
        .collect();
    String::from_utf8_lossy(&v).trim().to_string()
}

/// The ENVELOPE of a message whose header fields are `headers` (RFC 9051 §7.5.2).
fn envelope(headers: &[Header<'_>], raw: &[u8]) -> Envelope<'static> {
    let raw_of = |n: HeaderName<'static>| text_value(headers, &n, raw);
    let addrs = |n: HeaderName<'static>| -> AddressList<'static> {
        headers
            .iter()
            .find(|h| h.name == n)
            .map(|h| address_list(&h.value))
            .unwrap_or_else(|| Vec::new().into())
    };
    let from = addrs(HeaderName::From);
    let mut sender = addrs(HeaderName::Sender);
    if sender.is_empty() {
        sender = from.clone();
    }
    let mut reply_to = addrs(HeaderName::ReplyTo);
    if reply_to.is_empty() {
        reply_to = from.clone();
    }
    Envelope::new(EnvelopeFields {
        date: nstr(raw_of(HeaderName::Date).as_deref()),
        subject: nstr(raw_of(HeaderName::Subject).as_deref()),
        from,
        sender,
        reply_to,
        to: addrs(HeaderName::To),
        cc: addrs(HeaderName::Cc),
        bcc: addrs(HeaderName::Bcc),
        in_reply_to: nstr(raw_of(HeaderName::InReplyTo).as_deref()),
        message_id: nstr(raw_of(HeaderName::MessageId).as_deref()),
    })
}

/// An address list from mail-parser's parsed address field; groups become
/// the start/end markers of RFC 9051 §7.5.2.
fn address_list(v: &HeaderValue<'_>) -> AddressList<'static> {
    let mut out = Vec::new();
    match v {
        HeaderValue::Address(mail_parser::Address::List(list)) => {
            out.extend(list.iter().filter_map(address));
        }
        HeaderValue::Address(mail_parser::Address::Group(groups)) => {
            for g in groups {
                match &g.name {
                    Some(name) => {
                        out.push(Address::new(
                            NString::NIL,
                            NString::NIL,
                            NString(Some(istr(&phrase(name)))),
                            NString::NIL,
                        ));
                        out.extend(g.addresses.iter().filter_map(address));
                        out.push(Address::default());
                    }
                    None => out.extend(g.addresses.iter().filter_map(address)),
                }
            }
        }
        _ => {}
    }
    out.into()
}

fn address(a: &mail_parser::Addr<'_>) -> Option<Address<'static>> {
    let addr = a.address.as_deref().unwrap_or("");
    let name = a.name.as_deref().filter(|n| !n.is_empty());
    if addr.is_empty() && name.is_none() {
        return None;
    }
    let (mailbox, host) = match addr.rfind('@') {
        Some(i) => (&addr[..i], &addr[i + 1..]),
        None => (addr, ""),
    };
    Some(Address::new(
        nstr(name.map(phrase).as_deref()),
        NString::NIL,
        NString(Some(istr(mailbox))),
        NString(Some(istr(host))),
    ))
}

/// A display name as ENVELOPE carries it: ASCII as is, anything else as an
/// RFC 2047 encoded word (mail-parser has decoded the original), so that the
/// ENVELOPE stays 7-bit.
fn phrase(name: &str) -> String {
    if name.is_ascii() {
        return name.to_string();
    }
    let mut out = String::new();
    // Encoded words are at most 75 characters (RFC 2047 §2): 45 bytes of
    // UTF-8 make 60 of base64, split at character boundaries.
    let mut chunk = String::new();
    let flush = |chunk: &mut String, out: &mut String| {
        if chunk.is_empty() {
            return;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str("=?UTF-8?B?");
        out.push_str(&base64::engine::general_purpose::STANDARD.encode(chunk.as_bytes()));
        out.push_str("?=");
        chunk.clear();
    };
    for c in name.chars() {
        if chunk.len() + c.len_utf8() > 45 {
            flush(&mut chunk, &mut out);
        }
        chunk.push(c);
    }
    flush(&mut chunk, &mut out);
    out
}

/// An `IString` for text from a message (NUL, which no string may hold,
/// becomes a space).
fn istr(s: &str) -> IString<'static> {
    let s: Cow<'_, str> = if s.contains('\0') {
        Cow::Owned(s.replace('\0', " "))
    } else {
        Cow::Borrowed(s)
    };
    // NUL-free, so a quoted string or literal can hold it.
    IString::try_new(s.into_owned()).unwrap_or_else(|_| IString::from(""))
}

fn nstr(s: Option<&str>) -> NString<'static> {
    NString(s.map(istr))
}

fn clamp(r: Range<usize>, len: usize) -> Range<usize> {
    let end = r.end.min(len);
    r.start.min(end)..end
}

/// Lines of a body: line ends, plus a last line without one.
pub(crate) fn count_lines(body: &[u8]) -> u64 {
    let n = body.iter().filter(|&&b| b == b'\n').count() as u64;
    n + u64::from(body.last().is_some_and(|&b| b != b'\n'))
}
