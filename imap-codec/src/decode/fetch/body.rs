//! Decoding `body` (BODY and BODYSTRUCTURE, RFC 9051 §9) with bounded nesting.
//!
//! The kind of a single part is decided by its media type and, where the
//! grammar needs it, by the next byte: a `TEXT` part has a line count (a
//! digit) after its fields, a `MESSAGE/RFC822` or `MESSAGE/GLOBAL` part an
//! envelope (`(`). Parts that lack them (sent by some servers) are kept as
//! basic parts rather than rejected.

use imap_proto::{
    Body, BodyExtension, BodyFields, BodyKind, BodyLanguage, BodyParam, BodyStructure, Disposition,
    ExtensionTail, IString, LanguageTail, LocationTail, MessageSubtype, Multipart,
    MultipartExtension, SinglePartExtension, Vec1,
};

use super::super::core::{byte, nil, nstring, number, sp, string};
use super::super::{cut_fail, fail, IResult};
use super::{envelope, number_u64, MAX_BODY_DEPTH};

fn incomplete<'a, T>() -> IResult<'a, T> {
    Err(nom::Err::Incomplete(nom::Needed::new(1)))
}

/// `body`, at nesting level `depth` (0 for the outermost).
pub(crate) fn body(i: &[u8], depth: usize) -> IResult<'_, BodyStructure<'_>> {
    if depth >= MAX_BODY_DEPTH {
        return cut_fail(i, "body structure nested too deeply");
    }
    let (r, ()) = byte(b'(')(i)?;
    let (r, b) = match r.first() {
        None => return incomplete(),
        Some(b'(') => multipart(r, depth).map(|(r, m)| (r, BodyStructure::Multipart(m)))?,
        Some(_) => single(r, depth).map(|(r, b)| (r, BodyStructure::Single(b)))?,
    };
    let (r, ()) = byte(b')')(r)?;
    Ok((r, b))
}

/// `1*body SP media-subtype [SP body-ext-mpart]` (without the parentheses).
fn multipart(i: &[u8], depth: usize) -> IResult<'_, Multipart<'_>> {
    let mut parts = Vec::new();
    let mut r = i;
    loop {
        let (r2, part) = body(r, depth + 1)?;
        parts.push(part);
        match r2 {
            [b'(', ..] => r = r2,
            // Lenient: a space between parts.
            [b' ', b'(', ..] => r = &r2[1..],
            [b' ', _, ..] => {
                r = &r2[1..];
                break;
            }
            [] | [b' '] => return incomplete(),
            _ => return fail(r2, "expected a body part or SP"),
        }
    }
    let (r, subtype) = string(r)?;
    let (r, extension) = match r.first() {
        None => return incomplete(),
        Some(b' ') => {
            let (r, params) = body_fld_param(&r[1..])?;
            let (r, tail) = extension_tail(r, depth)?;
            (r, Some(MultipartExtension { params, tail }))
        }
        Some(_) => (r, None),
    };
    Ok((
        r,
        Multipart {
            parts: Vec1::unvalidated(parts),
            subtype,
            extension,
        },
    ))
}

/// `body-type-1part` (without the parentheses).
fn single(i: &[u8], depth: usize) -> IResult<'_, Body<'_>> {
    let (r, media_type) = string(i)?;
    let (r, ()) = sp(r)?;
    let (r, subtype) = string(r)?;
    let (r, ()) = sp(r)?;
    let (r, fields) = body_fields(r)?;
    let ty = media_type.as_bytes();
    let (r, kind) = if ty.eq_ignore_ascii_case(b"TEXT") {
        match r {
            [b' ', d, ..] if d.is_ascii_digit() => {
                let (r, lines) = number_u64(&r[1..])?;
                (r, BodyKind::Text { subtype, lines })
            }
            [] | [b' '] => return incomplete(),
            _ => (
                r,
                BodyKind::Basic {
                    media_type,
                    subtype,
                },
            ),
        }
    } else if let Some(msg) = message_subtype(ty, &subtype) {
        match r {
            [b' ', b'(', ..] => {
                let (r, env) = envelope(&r[1..])?;
                let (r, ()) = sp(r)?;
                let (r, inner) = body(r, depth + 1)?;
                let (r, ()) = sp(r)?;
                let (r, lines) = number_u64(r)?;
                (
                    r,
                    BodyKind::Message {
                        subtype: msg,
                        envelope: Box::new(env),
                        body: Box::new(inner),
                        lines,
                    },
                )
            }
            [] | [b' '] => return incomplete(),
            _ => (
                r,
                BodyKind::Basic {
                    media_type,
                    subtype,
                },
            ),
        }
    } else {
        (
            r,
            BodyKind::Basic {
                media_type,
                subtype,
            },
        )
    };
    let (r, extension) = match r.first() {
        None => return incomplete(),
        Some(b' ') => {
            let (r, md5) = nstring(&r[1..])?;
            let (r, tail) = extension_tail(r, depth)?;
            (r, Some(SinglePartExtension { md5, tail }))
        }
        Some(_) => (r, None),
    };
    Ok((
        r,
        Body {
            kind,
            fields,
            extension,
        },
    ))
}

fn message_subtype(ty: &[u8], subtype: &IString<'_>) -> Option<MessageSubtype> {
    if !ty.eq_ignore_ascii_case(b"MESSAGE") {
        return None;
    }
    let s = subtype.as_bytes();
    if s.eq_ignore_ascii_case(b"RFC822") {
        Some(MessageSubtype::Rfc822)
    } else if s.eq_ignore_ascii_case(b"GLOBAL") {
        Some(MessageSubtype::Global)
    } else {
        None
    }
}

/// `body-fields`
fn body_fields(i: &[u8]) -> IResult<'_, BodyFields<'_>> {
    let (r, params) = body_fld_param(i)?;
    let (r, ()) = sp(r)?;
    let (r, id) = nstring(r)?;
    let (r, ()) = sp(r)?;
    let (r, description) = nstring(r)?;
    let (r, ()) = sp(r)?;
    let (r, encoding) = string(r)?;
    let (r, ()) = sp(r)?;
    let (r, size) = number(r)?;
    Ok((
        r,
        BodyFields {
            params,
            id,
            description,
            encoding,
            size,
        },
    ))
}

/// `body-fld-param`: `"(" string SP string *(SP string SP string) ")" / nil`.
///
/// Lenient: `()` decodes as `NIL`.
fn body_fld_param(i: &[u8]) -> IResult<'_, Vec<BodyParam<'_>>> {
    match i.first() {
        None => incomplete(),
        Some(b'n' | b'N') => nil(i).map(|(r, ())| (r, Vec::new())),
        Some(b'(') => {
            let mut r = &i[1..];
            let mut out = Vec::new();
            if let Some(b')') = r.first() {
                return Ok((&r[1..], out));
            }
            loop {
                let (r2, name) = string(r)?;
                let (r2, ()) = sp(r2)?;
                let (r2, value) = string(r2)?;
                out.push(BodyParam { name, value });
                match r2.first() {
                    None => return incomplete(),
                    Some(b' ') => r = &r2[1..],
                    Some(b')') => return Ok((&r2[1..], out)),
                    Some(_) => return fail(r2, "expected SP or )"),
                }
            }
        }
        Some(_) => fail(i, "expected a parameter list or NIL"),
    }
}

/// `[SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]`
fn extension_tail(i: &[u8], depth: usize) -> IResult<'_, Option<ExtensionTail<'_>>> {
    let r = match i.first() {
        None => return incomplete(),
        Some(b' ') => &i[1..],
        Some(_) => return Ok((i, None)),
    };
    let (r, disposition) = body_fld_dsp(r)?;
    let (r, language) = match r.first() {
        None => return incomplete(),
        Some(b' ') => {
            let (r, language) = body_fld_lang(&r[1..])?;
            let (r, location) = match r.first() {
                None => return incomplete(),
                Some(b' ') => {
                    let (mut r, location) = nstring(&r[1..])?;
                    let mut extensions = Vec::new();
                    loop {
                        match r.first() {
                            None => return incomplete(),
                            Some(b' ') => {
                                let (r2, e) = body_extension(&r[1..], depth + 1)?;
                                extensions.push(e);
                                r = r2;
                            }
                            Some(_) => break,
                        }
                    }
                    (
                        r,
                        Some(LocationTail {
                            location,
                            extensions,
                        }),
                    )
                }
                Some(_) => (r, None),
            };
            (r, Some(LanguageTail { language, location }))
        }
        Some(_) => (r, None),
    };
    Ok((
        r,
        Some(ExtensionTail {
            disposition,
            language,
        }),
    ))
}

/// `body-fld-dsp`: `"(" string SP body-fld-param ")" / nil`.
fn body_fld_dsp(i: &[u8]) -> IResult<'_, Option<Disposition<'_>>> {
    match i.first() {
        None => incomplete(),
        Some(b'n' | b'N') => nil(i).map(|(r, ())| (r, None)),
        Some(b'(') => {
            let (r, kind) = string(&i[1..])?;
            let (r, ()) = sp(r)?;
            let (r, params) = body_fld_param(r)?;
            let (r, ()) = byte(b')')(r)?;
            Ok((r, Some(Disposition { kind, params })))
        }
        Some(_) => fail(i, "expected a disposition or NIL"),
    }
}

/// `body-fld-lang`: `nstring / "(" string *(SP string) ")"`.
fn body_fld_lang(i: &[u8]) -> IResult<'_, BodyLanguage<'_>> {
    match i.first() {
        Some(b'(') => {
            let mut r = &i[1..];
            let mut out = Vec::new();
            loop {
                let (r2, s) = string(r)?;
                out.push(s);
                match r2.first() {
                    None => return incomplete(),
                    Some(b' ') => r = &r2[1..],
                    Some(b')') => {
                        return Ok((&r2[1..], BodyLanguage::List(Vec1::unvalidated(out))))
                    }
                    Some(_) => return fail(r2, "expected SP or )"),
                }
            }
        }
        _ => nstring(i).map(|(r, s)| (r, BodyLanguage::Single(s))),
    }
}

/// `body-extension`: `nstring / number / number64 / "(" body-extension *(SP body-extension) ")"`.
///
/// Lenient: accepts `()`. Lists nest at most [`MAX_BODY_DEPTH`] deep.
pub(crate) fn body_extension(i: &[u8], depth: usize) -> IResult<'_, BodyExtension<'_>> {
    match i.first() {
        None => incomplete(),
        Some(b'(') => {
            if depth >= MAX_BODY_DEPTH {
                return cut_fail(i, "extension data nested too deeply");
            }
            let mut r = &i[1..];
            let mut out = Vec::new();
            if let Some(b')') = r.first() {
                return Ok((&r[1..], BodyExtension::List(out)));
            }
            loop {
                let (r2, e) = body_extension(r, depth + 1)?;
                out.push(e);
                match r2.first() {
                    None => return incomplete(),
                    Some(b' ') => r = &r2[1..],
                    Some(b')') => return Ok((&r2[1..], BodyExtension::List(out))),
                    Some(_) => return fail(r2, "expected SP or )"),
                }
            }
        }
        Some(b) if b.is_ascii_digit() => number_u64(i).map(|(r, n)| (r, BodyExtension::Number(n))),
        Some(_) => nstring(i).map(|(r, s)| (r, BodyExtension::NString(s))),
    }
}
