//! Helpers shared by the FETCH tests: value builders and the known-answer check.
#![allow(dead_code)]

use imapkit_codec::decode::decode_msg_att_list;
use imapkit_codec::{Decoded, Encode};
use imapkit_proto::{
    Address, Body, BodyFields, BodyKind, BodyParam, IString, IntoStatic, Literal, MessageDataItem,
    NString, Quoted,
};

/// A quoted string.
pub(crate) fn q(s: &str) -> IString<'_> {
    IString::Quoted(Quoted::try_from(s).expect("quotable"))
}

/// A synchronizing literal.
pub(crate) fn lit(s: &[u8]) -> IString<'_> {
    IString::Literal(Literal::try_new(s).expect("no NUL"))
}

/// A quoted nstring.
pub(crate) fn ns(s: &str) -> NString<'_> {
    NString(Some(q(s)))
}

/// `NIL`
pub(crate) const NIL: NString<'static> = NString(None);

/// An nstring, quoted or NIL.
pub(crate) fn on(s: Option<&str>) -> NString<'_> {
    s.map_or(NIL, ns)
}

/// An address from optional quoted fields.
pub(crate) fn addr<'a>(
    name: Option<&'a str>,
    adl: Option<&'a str>,
    mailbox: Option<&'a str>,
    host: Option<&'a str>,
) -> Address<'a> {
    Address::new(on(name), on(adl), on(mailbox), on(host))
}

/// Quoted parameter pairs.
pub(crate) fn params<'a>(pairs: &[(&'a str, &'a str)]) -> Vec<BodyParam<'a>> {
    pairs
        .iter()
        .map(|(n, v)| BodyParam::new(q(n), q(v)))
        .collect()
}

/// Body fields with quoted strings.
pub(crate) fn fields<'a>(
    p: &[(&'a str, &'a str)],
    id: Option<&'a str>,
    desc: Option<&'a str>,
    enc: &'a str,
    size: u32,
) -> BodyFields<'a> {
    BodyFields {
        params: params(p).into(),
        id: on(id),
        description: on(desc),
        encoding: q(enc),
        size,
    }
}

/// A text part (`"TEXT"`) without extension data.
pub(crate) fn text<'a>(subtype: &'a str, fields: BodyFields<'a>, lines: u64) -> Body<'a> {
    text_as(q("TEXT"), subtype, fields, lines)
}

/// A text part written `"text"` (as Dovecot sends it) without extension data.
pub(crate) fn ltext<'a>(subtype: &'a str, fields: BodyFields<'a>, lines: u64) -> Body<'a> {
    text_as(q("text"), subtype, fields, lines)
}

/// A text part with its media type written as `media_type`.
pub(crate) fn text_as<'a>(
    media_type: IString<'a>,
    subtype: &'a str,
    fields: BodyFields<'a>,
    lines: u64,
) -> Body<'a> {
    Body {
        kind: BodyKind::Text {
            media_type,
            subtype: q(subtype),
            lines,
        },
        fields,
        extension: None,
    }
}

/// A basic part without extension data.
pub(crate) fn basic<'a>(ty: &'a str, subtype: &'a str, fields: BodyFields<'a>) -> Body<'a> {
    Body {
        kind: BodyKind::Basic {
            media_type: q(ty),
            subtype: q(subtype),
        },
        fields,
        extension: None,
    }
}

/// The item list of an untagged FETCH response line: strips `* n FETCH ` and CRLF.
pub(crate) fn items_of(line: &[u8]) -> &[u8] {
    assert!(line.starts_with(b"* "), "not an untagged response");
    let at = line
        .windows(7)
        .position(|w| w == b" FETCH ")
        .expect("a FETCH response");
    let rest = &line[at + 7..];
    rest.strip_suffix(b"\r\n").expect("ends with CRLF")
}

/// Encodes an item list with its parentheses.
pub(crate) fn encode_items(items: &[MessageDataItem<'_>]) -> Vec<u8> {
    let mut out = vec![b'('];
    for (k, item) in items.iter().enumerate() {
        if k > 0 {
            out.push(b' ');
        }
        out.extend_from_slice(&item.to_vec());
    }
    out.push(b')');
    out
}

/// Every strict prefix decodes as Incomplete or LiteralAnnounced.
pub(crate) fn check_prefixes(wire: &[u8]) {
    for n in 0..wire.len() {
        match decode_msg_att_list(&wire[..n]) {
            Ok(Decoded::Incomplete) | Ok(Decoded::LiteralAnnounced { .. }) => {}
            other => panic!(
                "prefix of {n} bytes {:?} gave {other:?}",
                String::from_utf8_lossy(&wire[..n])
            ),
        }
    }
}

/// Decodes `wire` (an item list), compares with `expected`, re-encodes to
/// `canonical` (or `wire` itself), decodes that again and checks every prefix.
pub(crate) fn check(wire: &[u8], expected: &[MessageDataItem<'_>], canonical: Option<&[u8]>) {
    let decoded = decode_msg_att_list(wire)
        .unwrap_or_else(|e| panic!("{e} in {:?}", String::from_utf8_lossy(wire)));
    let (items, used) = decoded.complete().expect("complete");
    assert_eq!(used, wire.len());
    assert_eq!(items.as_slice(), expected);
    let encoded = encode_items(&items);
    let canonical = canonical.unwrap_or(wire);
    assert_eq!(
        String::from_utf8_lossy(&encoded),
        String::from_utf8_lossy(canonical)
    );
    let (again, _) = decode_msg_att_list(&encoded)
        .expect("canonical decodes")
        .complete()
        .expect("complete");
    assert_eq!(again.as_slice(), expected);
    let owned: Vec<MessageDataItem<'static>> = items
        .into_vec()
        .into_iter()
        .map(IntoStatic::into_static)
        .collect();
    assert_eq!(owned.as_slice(), expected);
    check_prefixes(wire);
}

/// An extension tail: disposition, then language and location if given.
pub(crate) fn tail<'a>(
    dsp: Option<imapkit_proto::Disposition<'a>>,
    lang: Option<imapkit_proto::BodyLanguage<'a>>,
    loc: Option<(NString<'a>, Vec<imapkit_proto::BodyExtension<'a>>)>,
) -> Option<imapkit_proto::ExtensionTail<'a>> {
    Some(imapkit_proto::ExtensionTail {
        disposition: dsp,
        language: lang.map(|language| imapkit_proto::LanguageTail {
            language,
            location: loc.map(|(location, extensions)| imapkit_proto::LocationTail {
                location,
                extensions,
            }),
        }),
    })
}

/// `NIL` as a language.
pub(crate) fn no_lang<'a>() -> Option<imapkit_proto::BodyLanguage<'a>> {
    Some(imapkit_proto::BodyLanguage::Single(NIL))
}

/// A disposition with quoted parameters.
pub(crate) fn dsp<'a>(kind: &'a str, p: &[(&'a str, &'a str)]) -> imapkit_proto::Disposition<'a> {
    imapkit_proto::Disposition {
        kind: q(kind),
        params: params(p).into(),
    }
}

/// Adds single-part extension data.
pub(crate) fn with_ext<'a>(
    mut b: Body<'a>,
    md5: NString<'a>,
    tail: Option<imapkit_proto::ExtensionTail<'a>>,
) -> Body<'a> {
    b.extension = Some(imapkit_proto::SinglePartExtension { md5, tail });
    b
}

/// A multipart.
pub(crate) fn multi<'a>(
    parts: Vec<imapkit_proto::BodyStructure<'a>>,
    subtype: &'a str,
    extension: Option<imapkit_proto::MultipartExtension<'a>>,
) -> imapkit_proto::BodyStructure<'a> {
    imapkit_proto::BodyStructure::Multipart(imapkit_proto::Multipart {
        parts: imapkit_proto::Vec1::try_from(parts).expect("parts").into(),
        subtype: q(subtype),
        extension,
    })
}

/// Multipart extension data.
pub(crate) fn mext<'a>(
    p: &[(&'a str, &'a str)],
    tail: Option<imapkit_proto::ExtensionTail<'a>>,
) -> Option<imapkit_proto::MultipartExtension<'a>> {
    Some(imapkit_proto::MultipartExtension {
        params: params(p).into(),
        tail,
    })
}

/// A single part as a body structure.
pub(crate) fn one(b: Body<'_>) -> imapkit_proto::BodyStructure<'_> {
    imapkit_proto::BodyStructure::Single(b)
}
