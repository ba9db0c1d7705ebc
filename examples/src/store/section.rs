//! `BODY[section]<partial>` and `BINARY[section]` (RFC 9051 §6.4.5,
//! RFC 3516): the exact bytes of a section, as slices of the message file
//! (no copy) except where a header subset or a decoding must build new
//! bytes.

use std::num::NonZeroU32;
use std::ops::Range;

use bytes::{BufMut, Bytes, BytesMut};
use imapkit_proto::{AString, Partial, Section, SectionText};

use crate::store::error::{Result, StoreError};
use crate::store::message::{MessageMeta, Part, PartKind};

impl MessageMeta {
    /// The bytes of `section` of the message `raw`; `None` when the part
    /// path names no part, or a text specifier is used on a part that is
    /// not a message (the server answers NIL).
    ///
    /// Part numbers follow RFC 9051 §6.4.5: part 1 of a non-multipart
    /// message is its body; the parts of an encapsulated message/rfc822 are
    /// numbered below its part number; `HEADER`, `TEXT` and
    /// `HEADER.FIELDS` after a part number apply to a message/rfc822 part's
    /// encapsulated message; `MIME` is a part's own MIME header.
    pub fn section(&self, raw: &Bytes, section: &Section<'_>) -> Option<Bytes> {
        let path = section.part();
        let part = resolve(&self.root, path)?;
        let Some(text) = section.text_spec() else {
            return Some(if path.is_empty() {
                raw.clone()
            } else {
                slice(part, raw, part.body.clone())
            });
        };
        if let SectionText::Mime = text {
            return Some(slice(part, raw, part.header.clone()));
        }
        // HEADER, HEADER.FIELDS[.NOT], TEXT: of the top message, or of the
        // message encapsulated in a message/rfc822 part.
        let msg = if path.is_empty() {
            part
        } else {
            match &part.kind {
                PartKind::Message(inner) => inner,
                _ => return None,
            }
        };
        Some(match text {
            SectionText::Header => slice(msg, raw, msg.header.clone()),
            SectionText::Text => slice(msg, raw, msg.body.clone()),
            SectionText::HeaderFields(names) => {
                header_fields(&slice(msg, raw, msg.header.clone()), names, true)
            }
            SectionText::HeaderFieldsNot(names) => {
                header_fields(&slice(msg, raw, msg.header.clone()), names, false)
            }
            SectionText::Mime => return None,
        })
    }

    /// `BINARY[part]`: the part's body with its Content-Transfer-Encoding
    /// removed (RFC 3516 §4.2). An empty path is the whole message;
    /// multipart and message parts are returned as they are. `Ok(None)`
    /// when the path names no part; [`StoreError::UnknownCte`] for an
    /// encoding other than 7bit, 8bit, binary, base64 and quoted-printable.
    pub fn binary(&self, raw: &Bytes, path: &[NonZeroU32]) -> Result<Option<Bytes>> {
        if path.is_empty() {
            return Ok(Some(raw.clone()));
        }
        let Some(part) = resolve(&self.root, path) else {
            return Ok(None);
        };
        let body = slice(part, raw, part.body.clone());
        if !matches!(part.kind, PartKind::Leaf) {
            return Ok(Some(body));
        }
        Ok(Some(match part.encoding.as_str() {
            "7bit" | "8bit" | "binary" => body,
            "base64" => Bytes::from(decode_base64(&body)),
            "quoted-printable" => Bytes::from(decode_qp(&body)),
            _ => return Err(StoreError::UnknownCte),
        }))
    }
}

/// The part a non-empty path names; the root for an empty path.
fn resolve<'p>(root: &'p Part, path: &[NonZeroU32]) -> Option<&'p Part> {
    let mut cur = root;
    for (i, n) in path.iter().enumerate() {
        // Below the first level, only a multipart or an encapsulated
        // message has parts.
        let container = if i == 0 {
            cur
        } else {
            match &cur.kind {
                PartKind::Message(inner) => inner,
                PartKind::Multipart(_) => cur,
                PartKind::Leaf => return None,
            }
        };
        cur = match &container.kind {
            PartKind::Multipart(parts) => parts.get(n.get() as usize - 1)?,
            // Part 1 of a message that is not multipart is its body.
            _ if n.get() == 1 => container,
            _ => return None,
        };
    }
    Some(cur)
}

fn slice(part: &Part, raw: &Bytes, r: Range<usize>) -> Bytes {
    let buf = part.buf.as_ref().unwrap_or(raw);
    let end = r.end.min(buf.len());
    buf.slice(r.start.min(end)..end)
}

/// The fields of `header` whose names are (`keep`) or are not (`!keep`) in
/// `names`, each with its continuation lines and line end, in their order,
/// then the blank line (RFC 9051 §6.4.5).
fn header_fields(header: &[u8], names: &[AString<'_>], keep: bool) -> Bytes {
    let mut out = BytesMut::with_capacity(header.len().min(4096));
    let mut rest = header;
    let mut keeping = false;
    while !rest.is_empty() {
        let end = rest
            .iter()
            .position(|&b| b == b'\n')
            .map_or(rest.len(), |i| i + 1);
        let line = &rest[..end];
        rest = &rest[end..];
        if line == b"\r\n" || line == b"\n" {
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            if keeping {
                out.put_slice(line);
            }
            continue;
        }
        let name = line
            .iter()
            .position(|&b| b == b':')
            .map(|i| trim_end(&line[..i]));
        keeping = match name {
            Some(name) => {
                names
                    .iter()
                    .any(|n| n.as_bytes().eq_ignore_ascii_case(name))
                    == keep
            }
            // Not a field: never part of a subset.
            None => false,
        };
        if keeping {
            out.put_slice(line);
            if !line.ends_with(b"\n") {
                out.put_slice(b"\r\n");
            }
        }
    }
    out.put_slice(b"\r\n");
    out.freeze()
}

fn trim_end(b: &[u8]) -> &[u8] {
    let n = b
        .iter()
        .rposition(|&c| c != b' ' && c != b'\t')
        .map_or(0, |i| i + 1);
    &b[..n]
}

/// Base64 with line breaks and other non-alphabet bytes skipped (RFC 2045
/// §6.8: decoders ignore characters outside the alphabet).
fn decode_base64(body: &[u8]) -> Vec<u8> {
    let clean: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        .collect();
    mail_parser::decoders::base64::base64_decode(&clean).unwrap_or(clean)
}

/// Quoted-printable (RFC 2045 §6.7), keeping CRLF line ends: decoded line
/// by line so that hard line breaks stay as they were.
fn decode_qp(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'=' => {
                let rest = &body[i + 1..];
                if rest.starts_with(b"\r\n") {
                    i += 3;
                } else if rest.starts_with(b"\n") {
                    i += 2;
                } else if rest.len() >= 2
                    && rest[0].is_ascii_hexdigit()
                    && rest[1].is_ascii_hexdigit()
                {
                    let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
                    out.push(hex(rest[0]) << 4 | hex(rest[1]));
                    i += 3;
                } else {
                    // A bare "=": kept, as RFC 2045 §6.7 suggests.
                    out.push(b'=');
                    i += 1;
                }
            }
            b' ' | b'\t' => {
                // Trailing white space before a line end is padding.
                let ws_end = body[i..]
                    .iter()
                    .position(|&c| c != b' ' && c != b'\t')
                    .map_or(body.len(), |p| i + p);
                let at_eol = ws_end == body.len()
                    || body[ws_end..].starts_with(b"\r\n")
                    || body[ws_end] == b'\n';
                if !at_eol {
                    out.extend_from_slice(&body[i..ws_end]);
                }
                i = ws_end;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// `<offset.count>` of a fetched section (RFC 9051 §6.4.5): at most `count`
/// bytes from `offset`; empty past the end. A slice, not a copy.
pub fn partial(data: &Bytes, partial: Option<Partial>) -> Bytes {
    match partial {
        None => data.clone(),
        Some(p) => {
            let start = usize::try_from(p.offset).map_or(data.len(), |o| o.min(data.len()));
            let count = usize::try_from(p.count.get()).unwrap_or(usize::MAX);
            let end = start.saturating_add(count).min(data.len());
            data.slice(start..end)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_printable() {
        assert_eq!(
            decode_qp(b"a=3Db  \r\nc=\r\nd=C3=A9\r\n"),
            b"a=b\r\ncd\xc3\xa9\r\n"
        );
        assert_eq!(decode_qp(b"x = y"), b"x = y");
    }

    #[test]
    fn base64_with_line_breaks() {
        assert_eq!(decode_base64(b"aGVs\r\nbG8=\r\n"), b"hello");
    }

    #[test]
    fn fields_keep_continuations_and_blank_line() {
        let h = b"From: a\r\nSubject: x\r\n y\r\nTo: b\r\n\r\n";
        let names = [AString::from("subject"), AString::from("FROM")];
        assert_eq!(
            &header_fields(h, &names, true)[..],
            b"From: a\r\nSubject: x\r\n y\r\n\r\n"
        );
        assert_eq!(&header_fields(h, &names, false)[..], b"To: b\r\n\r\n");
        assert_eq!(&header_fields(h, &[AString::from("cc")], true)[..], b"\r\n");
    }
}
