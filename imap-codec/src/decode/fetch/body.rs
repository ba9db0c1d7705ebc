//! Decoding `body` (BODY and BODYSTRUCTURE, RFC 9051 §9) with bounded nesting.
//!
//! The kind of a single part is decided by its media type and, where the
//! grammar needs it, by the next byte: a `TEXT` part has a line count (a
//! digit) after its fields, a `MESSAGE/RFC822` or `MESSAGE/GLOBAL` part an
//! envelope (`(`). Parts that lack them (sent by some servers) are kept as
//! basic parts rather than rejected.
//!
//! Lenient (see [`crate::decode::ResponseDecoder`]): extra spaces between
//! fields and before `)`, `NIL` for the media type, subtype, encoding and
//! parameter values (read as `""`), `()` for parameters, negative sizes and
//! line counts (read as 0), a disposition without parameters.

use imapkit_proto::{
    Body, BodyExtension, BodyFields, BodyKind, BodyLanguage, BodyParam, BodyStructure,
    BodyStructureItem, Buf, Disposition, Encapsulated, Envelope, ExtensionTail, IString,
    LanguageTail, LocationTail, MessageSubtype, Multipart, MultipartExtension, NString, ParamList,
    PartList, Quoted, SinglePartExtension, Vec1,
};

use super::super::core::{byte, digits_u64, nil, nstring, quoted_stop, string};
use super::super::response::lenient::{
    extra_sp, more, size_number, sps, string_nil_or_atom, string_or_nil, ws_count, ws_list,
};
use super::super::response::quirks::{self, Quirks};
use super::super::{cut_fail, fail, IResult};
use super::{checked_list, envelope, number_u64, MAX_BODY_DEPTH};

fn incomplete<'a, T>() -> IResult<'a, T> {
    Err(nom::Err::Incomplete(nom::Needed::new(1)))
}

/// `body`, at nesting level `depth` (0 for the outermost).
pub(crate) fn body(i: &[u8], depth: usize) -> IResult<'_, BodyStructure<'_>> {
    if depth >= MAX_BODY_DEPTH {
        return cut_fail(i, "body structure nested too deeply");
    }
    let (r, ()) = byte(b'(')(i)?;
    let r = extra_sp(r);
    let (r, b) = match r.first() {
        None => return incomplete(),
        Some(b'(') => multipart(r, depth).map(|(r, m)| (r, BodyStructure::Multipart(m)))?,
        Some(b')') => {
            // Lenient: `()` for the body of an encapsulated message (Domino).
            quirks::note(Quirks::EMPTY_BODY);
            let empty = Multipart {
                parts: no_parts(),
                subtype: IString::Quoted(Quoted::unvalidated(&b""[..])),
                extension: None,
            };
            (r, BodyStructure::Multipart(empty))
        }
        Some(_) => match quirks::attempt(|| single(r, depth)) {
            Ok((r, b)) => (r, BodyStructure::Single(b)),
            Err(nom::Err::Incomplete(n)) => return Err(nom::Err::Incomplete(n)),
            Err(e) => match empty_multipart(r, depth) {
                Ok((r, Some(m))) => (r, BodyStructure::Multipart(m)),
                Ok((_, None)) => return Err(e),
                Err(e2) => return Err(e2),
            },
        },
    };
    let r = extra_sp(r);
    let (r, ()) = byte(b')')(r)?;
    Ok((r, b))
}

/// `1*body SP media-subtype [SP body-ext-mpart]` (without the parentheses).
///
/// The parts keep their bytes and are read again by [`read_part`] when
/// iterated (see `imapkit_proto::PartList`).
fn multipart(i: &[u8], depth: usize) -> IResult<'_, Multipart<'_>> {
    let (res, quirky) = quirks::scoped(|| parts(i, depth));
    let (r, (n, end)) = res?;
    let parts = PartList::from_wire(Buf::borrowed(&i[..end]), n, !quirky, read_part);
    let (r, subtype) = string_nil_or_atom(r)?;
    let (r, m) = more(r)?;
    let (r, extension) = if m {
        let (r, params) = body_fld_param(r)?;
        let (r, tail) = extension_tail(r, depth)?;
        (r, Some(MultipartExtension { params, tail }))
    } else {
        (r, None)
    };
    Ok((
        r,
        Multipart {
            parts,
            subtype,
            extension,
        },
    ))
}

/// A multipart without parts, tried where a single part did not parse:
/// `"MIXED"` alone, or followed by `SP` and its extension data starting
/// with a parameter list or `NIL`, `"ALTERNATIVE" ("BOUNDARY" "b") NIL NIL`
/// (Gmail, Ruby bug 7153), `"RELATED" NIL ("ATTACHMENT" NIL) NIL` (Gmail,
/// MailKit issue 777); [`Quirks::EMPTY_MULTIPART`]. `None` if the
/// input has another shape (the single part's error stands).
///
/// `NIL` where the parts belong, before the subtype, `(NIL "alternative"
/// ("boundary" "b") NIL NIL NIL)` (a server in MailKit issue 1393, as an
/// encapsulated message's body), is the same multipart without parts.
#[cold]
fn empty_multipart(i: &[u8], depth: usize) -> IResult<'_, Option<Multipart<'_>>> {
    let i = match i {
        [b'N' | b'n', b'I' | b'i', b'L' | b'l', b' ', rest @ ..]
            if matches!(rest.first(), Some(b'"' | b'{')) =>
        {
            rest
        }
        _ => i,
    };
    let Ok((r, subtype)) = string(i) else {
        return Ok((i, None));
    };
    let r = extra_sp_before_paren(r);
    let (r, extension) = match r {
        [b')', ..] => (r, None),
        [b' ', b'(' | b'N' | b'n', ..] => {
            let (r, params) = body_fld_param(&r[1..])?;
            let (r, tail) = extension_tail(r, depth)?;
            (r, Some(MultipartExtension { params, tail }))
        }
        [] | [b' '] => return incomplete(),
        _ => return Ok((i, None)),
    };
    quirks::note(Quirks::EMPTY_MULTIPART);
    let m = Multipart {
        parts: no_parts(),
        subtype,
        extension,
    };
    Ok((r, Some(m)))
}

/// The parts of a multipart sent without any (a quirk).
fn no_parts<'a>() -> PartList<'a> {
    PartList::from_wire(Buf::borrowed(&[]), 0, true, read_part)
}

/// Spaces followed by `)`: skipped (a quirk); anything else unchanged.
fn extra_sp_before_paren(i: &[u8]) -> &[u8] {
    let n = i.iter().take_while(|&&b| b == b' ').count();
    match i.get(n) {
        Some(b')') if n > 0 => {
            quirks::note(Quirks::EXTRA_SPACE);
            &i[n..]
        }
        _ => i,
    }
}

/// The parts of a multipart: how many, and where the last one ends; the
/// rest starts at the subtype.
fn parts(i: &[u8], depth: usize) -> IResult<'_, (u32, usize)> {
    let mut n: u32 = 0;
    let mut r = i;
    loop {
        let (r2, ()) = check_body(r, depth + 1)?;
        n = match n.checked_add(1) {
            Some(n) => n,
            None => return cut_fail(r2, "too many body parts"),
        };
        let end = i.len() - r2.len();
        match r2 {
            [b'(', ..] => r = r2,
            // Lenient: spaces between parts (maddy).
            [b' ', ..] => {
                let k = r2.iter().take_while(|&&b| b == b' ').count();
                let r3 = &r2[k..];
                match r3.first() {
                    None => return incomplete(),
                    Some(b'(') => {
                        quirks::note(Quirks::EXTRA_SPACE);
                        r = r3;
                    }
                    Some(_) => {
                        if k > 1 {
                            quirks::note(Quirks::EXTRA_SPACE);
                        }
                        return Ok((r3, (n, end)));
                    }
                }
            }
            [] => return incomplete(),
            _ => return fail(r2, "expected a body part or SP"),
        }
    }
}

/// Checks `body` as [`body`] does (the same grammar, errors, quirks and
/// end) without building it. The parts of a multipart and the body of an
/// encapsulated message are only checked while decoding (they are kept as
/// bytes and read again on iteration), so building and dropping each one
/// would be wasted work.
fn check_body(i: &[u8], depth: usize) -> IResult<'_, ()> {
    if depth >= MAX_BODY_DEPTH {
        return cut_fail(i, "body structure nested too deeply");
    }
    let (r, ()) = byte(b'(')(i)?;
    let r = extra_sp(r);
    let (r, ()) = match r.first() {
        None => return incomplete(),
        Some(b'(') => check_multipart(r, depth)?,
        // An attempt: when it gives up, the notes it took (the leading
        // zeros of a size, before it sees a message/rfc822 part) are
        // forgotten, so that `body` starts from the same record as when
        // it is called on its own (found by `check_body_agrees_with_body`:
        // a part that then failed had the quirk noted on one path only).
        Some(_) => match quirks::attempt(|| check_single_fast(r, depth).ok_or(())) {
            Ok(r) => (r, ()),
            // Everything else (a part that needs the general reading, `()`
            // for an empty body, a multipart without parts) as `body` reads
            // it: one grammar, one set of quirks.
            Err(()) => return body(i, depth).map(|(r, _)| (r, ())),
        },
    };
    let r = extra_sp(r);
    byte(b')')(r)
}

/// [`multipart`], checked and not built (see [`check_body`]).
fn check_multipart(i: &[u8], depth: usize) -> IResult<'_, ()> {
    let (r, _) = parts(i, depth)?;
    let (r, _) = string_nil_or_atom(r)?;
    let (r, m) = more(r)?;
    if !m {
        return Ok((r, ()));
    }
    let (r, _) = body_fld_param(r)?;
    let (r, _) = extension_tail(r, depth)?;
    Ok((r, ()))
}

/// [`single_fast`], checked and not built: where the part's fields end, or
/// `None` where [`single_general`] must read them (see [`check_body`]).
///
/// Not inlined, like [`single_fast`].
#[inline(never)]
fn check_single_fast(i: &[u8], depth: usize) -> Option<&[u8]> {
    let (media_type, r) = quoted_fast(i)?;
    let (_, r) = quoted_fast(sp_fast(r)?)?;
    let (_, r) = params_fast(sp_fast(r)?)?;
    let (_, r) = nstring_fast(sp_fast(r)?)?;
    let (_, r) = nstring_fast(sp_fast(r)?)?;
    let (_, r) = quoted_fast(sp_fast(r)?)?;
    let (r, size) = digits_u64(sp_fast(r)?).ok()?;
    u32::try_from(size).ok()?;
    let ty = media_type.as_bytes();
    let r = if ty.eq_ignore_ascii_case(b"TEXT") {
        digits_u64(sp_fast(r)?).ok()?.0
    } else if ty.eq_ignore_ascii_case(b"MESSAGE") {
        return None;
    } else {
        r
    };
    match r {
        [b')', ..] => Some(r),
        _ => {
            let (_, r) = nstring_fast(sp_fast(r)?)?;
            match check_tail_fast(r) {
                Some(r) => Some(r),
                // An attempt: when it fails, `body` reads the part from
                // the start, so the quirks it noted must not stay noted.
                None => Some(quirks::attempt(|| extension_tail(r, depth)).ok()?.0),
            }
        }
    }
}

/// [`extension_tail`] in its common forms, checked and not built: up to
/// a disposition (`NIL` or a quoted kind with quoted parameters), a
/// language and a location (`NIL` or quoted strings without escapes),
/// each after a single space, then `)` (not consumed). `None` for
/// anything else, which [`extension_tail`] then reads: it accepts all
/// this accepts, with the same end.
#[inline(always)]
fn check_tail_fast(i: &[u8]) -> Option<&[u8]> {
    if let [b')', ..] = i {
        return Some(i);
    }
    let r = sp_fast(i)?;
    let r = match r.first()? {
        b'(' => {
            let (_, r) = quoted_fast(&r[1..])?;
            let (_, r) = params_fast(sp_fast(r)?)?;
            r.strip_prefix(b")")?
        }
        _ => nil_fast(r)?,
    };
    let mut r = r;
    // The language, then the location; body extensions after them are
    // left to the general reading.
    for _ in 0..2 {
        if let [b')', ..] = r {
            return Some(r);
        }
        r = nstring_fast(sp_fast(r)?)?.1;
    }
    match r {
        [b')', ..] => Some(r),
        _ => None,
    }
}

/// `NIL` (upper case: the general reading notes other spellings).
#[inline(always)]
fn nil_fast(i: &[u8]) -> Option<&[u8]> {
    match i {
        [b'N', b'I', b'L', rest @ ..] => Some(rest),
        _ => None,
    }
}

/// The `body` of a FETCH `BODY` or `BODYSTRUCTURE` item, kept in wire
/// form: checked by [`check_body`] (the grammar, errors, quirks and end of
/// [`body`], without building the value), read again by [`read_body`] on
/// access (see `imapkit_proto::BodyStructureItem`).
pub(crate) fn body_item(i: &[u8]) -> IResult<'_, BodyStructureItem<'_>> {
    let (res, quirky) = quirks::scoped(|| check_body(i, 0));
    let (r, ()) = res?;
    let wire = Buf::borrowed(&i[..i.len() - r.len()]);
    Ok((r, BodyStructureItem::from_wire(wire, !quirky, read_body)))
}

/// Reads a body structure [`body_item`] has checked. (That cannot fail;
/// an empty part rather than a panic if it ever did, as in
/// [`read_encapsulated`].)
fn read_body(i: &[u8]) -> BodyStructure<'_> {
    body(i, 0).map_or_else(|_| unreadable_part(), |(_, b)| b)
}

/// Reads the part at the start of `i` (an element of a checked
/// [`PartList`]): the part and the bytes it used.
fn read_part(i: &[u8]) -> Option<(BodyStructure<'_>, usize)> {
    let (r, b) = body(i, 0).ok()?;
    Some((b, i.len() - r.len()))
}

/// Reads `envelope SP body` of a checked encapsulated message.
fn read_encapsulated(i: &[u8]) -> (Envelope<'_>, BodyStructure<'_>) {
    let read = |i| -> IResult<'_, _> {
        let (r, env) = envelope(i)?;
        let (r, ()) = sps(r)?;
        let (r, inner) = body(r, 0)?;
        Ok((r, (env, inner)))
    };
    match read(i) {
        Ok((_, x)) => x,
        // Cannot happen for bytes the decoder checked; an empty part rather
        // than a panic.
        Err(_) => (Envelope::default(), unreadable_part()),
    }
}

fn unreadable_part() -> BodyStructure<'static> {
    BodyStructure::Single(Body {
        kind: basic(IString::from("APPLICATION"), IString::from("OCTET-STREAM")),
        fields: BodyFields {
            params: ParamList::default(),
            id: NString::NIL,
            description: NString::NIL,
            encoding: IString::from("7BIT"),
            size: 0,
        },
        extension: None,
    })
}

/// `body-type-1part` (without the parentheses).
fn single(i: &[u8], depth: usize) -> IResult<'_, Body<'_>> {
    if let Some((r, b)) = single_fast(i, depth) {
        return Ok((r, b));
    }
    single_general(i, depth)
}

/// The common form of a basic or text part: quoted strings without
/// escapes, `NIL`, single spaces, parameters as quoted pairs; no
/// message/rfc822 part. `None` for anything else (and for short input or
/// errors), which [`single_general`] then decodes from the part's start: it
/// accepts everything this accepts, with the same result.
///
/// Not inlined: its locals would otherwise sit in the frames of the
/// recursion through message/rfc822 parts (deep nesting must not overflow
/// the stack, in debug builds too).
#[inline(never)]
fn single_fast(i: &[u8], depth: usize) -> Option<(&[u8], Body<'_>)> {
    let (media_type, r) = quoted_fast(i)?;
    let (subtype, r) = quoted_fast(sp_fast(r)?)?;
    let (params, r) = params_fast(sp_fast(r)?)?;
    let (id, r) = nstring_fast(sp_fast(r)?)?;
    let (description, r) = nstring_fast(sp_fast(r)?)?;
    let (encoding, r) = quoted_fast(sp_fast(r)?)?;
    let (r, size) = digits_u64(sp_fast(r)?).ok()?;
    let size = u32::try_from(size).ok()?;
    let ty = media_type.as_bytes();
    let (r, kind) = if ty.eq_ignore_ascii_case(b"TEXT") {
        let (r, lines) = digits_u64(sp_fast(r)?).ok()?;
        let kind = BodyKind::Text {
            media_type,
            subtype,
            lines,
        };
        (r, kind)
    } else if ty.eq_ignore_ascii_case(b"MESSAGE") {
        return None;
    } else {
        (r, basic(media_type, subtype))
    };
    let (r, extension) = match r {
        [b')', ..] => (r, None),
        _ => {
            let (md5, r) = nstring_fast(sp_fast(r)?)?;
            // An attempt, as in `check_single_fast`.
            let (r, tail) = quirks::attempt(|| extension_tail(r, depth)).ok()?;
            (r, Some(SinglePartExtension { md5, tail }))
        }
    };
    let fields = BodyFields {
        params,
        id,
        description,
        encoding,
        size,
    };
    Some((
        r,
        Body {
            kind,
            fields,
            extension,
        },
    ))
}

/// `SP` followed by something other than a space or `)` (what [`more`]
/// reads as "another element follows" without noting a quirk).
#[inline(always)]
fn sp_fast(i: &[u8]) -> Option<&[u8]> {
    match i {
        [b' ', c, ..] if *c != b' ' && *c != b')' => Some(&i[1..]),
        _ => None,
    }
}

/// A quoted string without escapes.
#[inline(always)]
fn quoted_fast(i: &[u8]) -> Option<(IString<'_>, &[u8])> {
    let body = i.strip_prefix(b"\"")?;
    let at = quoted_stop(body);
    if body.get(at) != Some(&b'"') {
        return None;
    }
    let s = IString::Quoted(Quoted::unvalidated(&body[..at]));
    Some((s, &body[at + 1..]))
}

/// A quoted string without escapes, or `NIL`.
#[inline(always)]
fn nstring_fast(i: &[u8]) -> Option<(NString<'_>, &[u8])> {
    match i.first()? {
        b'"' => quoted_fast(i).map(|(s, r)| (NString(Some(s)), r)),
        b'N' => match i {
            [_, b'I', b'L', rest @ ..] => Some((NString(None), rest)),
            _ => None,
        },
        _ => None,
    }
}

/// `NIL` or `("name" "value" ...)` with quoted strings without escapes.
#[inline(always)]
fn params_fast(i: &[u8]) -> Option<(ParamList<'_>, &[u8])> {
    match i.first()? {
        b'N' => match i {
            [_, b'I', b'L', rest @ ..] => Some((ParamList::default(), rest)),
            _ => None,
        },
        b'(' => {
            let mut r = &i[1..];
            let mut n: u32 = 0;
            loop {
                let (_, r2) = quoted_fast(r)?;
                let (_, r2) = quoted_fast(sp_fast(r2)?)?;
                n = n.checked_add(1)?;
                match r2 {
                    [b')', rest @ ..] => {
                        let wire = Buf::borrowed(&i[..i.len() - rest.len()]);
                        return Some((ParamList::from_wire(wire, n, true, read_param), rest));
                    }
                    _ => r = sp_fast(r2)?,
                }
            }
        }
        _ => None,
    }
}

/// `body-type-1part`, every form (see [`single_fast`]).
#[inline(never)]
fn single_general(i: &[u8], depth: usize) -> IResult<'_, Body<'_>> {
    let (r, media_type) = string_or_nil(i)?;
    let (r, ()) = sps(r)?;
    let (r, subtype) = string_or_nil(r)?;
    let (r, ()) = sps(r)?;
    let (r, fields) = body_fields(r)?;
    let ty = media_type.as_bytes();
    let (r, m) = more(r)?;
    let (r, m, kind) = match r.first() {
        Some(&c) if m && ty.eq_ignore_ascii_case(b"TEXT") && (c.is_ascii_digit() || c == b'-') => {
            let (r, lines) = size_number(r, u64::MAX)?;
            let (r, m) = more(r)?;
            let kind = BodyKind::Text {
                media_type,
                subtype,
                lines,
            };
            (r, m, kind)
        }
        Some(b'(') if m => match message_subtype(ty, &subtype) {
            Some(_) => {
                let start = r;
                let (res, quirky) = quirks::scoped(|| -> IResult<'_, ()> {
                    let (r, _) = envelope(r)?;
                    let (r, ()) = sps(r)?;
                    check_body(r, depth + 1)
                });
                let (r, ()) = res?;
                let wire = Buf::borrowed(&start[..start.len() - r.len()]);
                let message = Encapsulated::from_wire(wire, !quirky, read_encapsulated);
                let (r, ()) = sps(r)?;
                let (r, lines) = size_number(r, u64::MAX)?;
                let (r, m) = more(r)?;
                let kind = BodyKind::Message {
                    media_type,
                    subtype,
                    message,
                    lines,
                };
                (r, m, kind)
            }
            None => (r, m, basic(media_type, subtype)),
        },
        _ => (r, m, basic(media_type, subtype)),
    };
    let (r, extension) = if m {
        let (r, md5) = body_fld_md5(r)?;
        let (r, tail) = extension_tail(r, depth)?;
        (r, Some(SinglePartExtension { md5, tail }))
    } else {
        (r, None)
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

fn basic<'a>(media_type: IString<'a>, subtype: IString<'a>) -> BodyKind<'a> {
    BodyKind::Basic {
        media_type,
        subtype,
    }
}

fn message_subtype(ty: &[u8], subtype: &IString<'_>) -> Option<MessageSubtype> {
    if !ty.eq_ignore_ascii_case(b"MESSAGE") {
        return None;
    }
    MessageSubtype::from_name(subtype.as_bytes())
}

/// `body-fields`
fn body_fields(i: &[u8]) -> IResult<'_, BodyFields<'_>> {
    let (r, params) = body_fld_param(i)?;
    let (r, ()) = sps(r)?;
    let (r, id) = nstring(r)?;
    let (r, ()) = sps(r)?;
    let (r, description) = nstring(r)?;
    let (r, ()) = sps(r)?;
    // Lenient: an atom (Exchange 2010), [`Quirks::ATOM_FOR_STRING`].
    let (r, encoding) = string_nil_or_atom(r)?;
    let (r, ()) = sps(r)?;
    let (r, size) = size_number(r, u64::from(u32::MAX))?;
    // In range: checked by `size_number`.
    let size = size as u32;
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
/// Lenient: `()` decodes as `NIL`, a `NIL` name or value as `""` (Mail.ru
/// sends `("boundary" NIL)`), extra spaces.
fn body_fld_param(i: &[u8]) -> IResult<'_, ParamList<'_>> {
    match i.first() {
        None => incomplete(),
        Some(b'n' | b'N') => nil(i).map(|(r, ())| (r, ParamList::default())),
        Some(b'(') => {
            let (r, (wire, n, verbatim)) = checked_list(i, params)?;
            Ok((r, ParamList::from_wire(wire, n, verbatim, read_param)))
        }
        Some(_) => fail(i, "expected a parameter list or NIL"),
    }
}

/// The parameters of a list starting with `(`: how many there are
/// (`()` is read as `NIL`, a quirk).
fn params(i: &[u8]) -> IResult<'_, u32> {
    let (r, n) = ws_count(param)(i)?;
    if n == 0 {
        quirks::note(Quirks::EMPTY_LIST_FOR_NIL);
    }
    Ok((r, n))
}

/// One attribute/value pair: `string SP string`.
fn param(i: &[u8]) -> IResult<'_, BodyParam<'_>> {
    let (r, name) = string_or_nil(i)?;
    let (r, ()) = sps(r)?;
    let (r, value) = string_or_nil(r)?;
    Ok((r, BodyParam { name, value }))
}

/// Reads the parameter at the start of `i` (an element of a checked
/// [`ParamList`]): the parameter and the bytes it used.
fn read_param(i: &[u8]) -> Option<(BodyParam<'_>, usize)> {
    let (r, p) = param(i).ok()?;
    Some((p, i.len() - r.len()))
}

/// `[SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]`
fn extension_tail(i: &[u8], depth: usize) -> IResult<'_, Option<ExtensionTail<'_>>> {
    let (r, m) = more(i)?;
    if !m {
        return Ok((r, None));
    }
    let (r, disposition) = body_fld_dsp(r)?;
    let (r, m) = more(r)?;
    if !m {
        let tail = ExtensionTail {
            disposition,
            language: None,
        };
        return Ok((r, Some(tail)));
    }
    let (r, language) = body_fld_lang(r)?;
    let (r, m) = more(r)?;
    if !m {
        let tail = ExtensionTail {
            disposition,
            language: Some(LanguageTail {
                language,
                location: None,
            }),
        };
        return Ok((r, Some(tail)));
    }
    let (mut r, location) = body_fld_loc(r)?;
    let mut extensions = Vec::new();
    loop {
        let (r2, m) = more(r)?;
        r = r2;
        if !m {
            break;
        }
        let (r2, e) = body_extension(r, depth + 1)?;
        extensions.push(e);
        r = r2;
    }
    let tail = ExtensionTail {
        disposition,
        language: Some(LanguageTail {
            language,
            location: Some(LocationTail {
                location,
                extensions,
            }),
        }),
    };
    Ok((r, Some(tail)))
}

/// `body-fld-md5`: `nstring`.
///
/// Lenient: a parameter list, read as `NIL` (gmx.net, MailKit issue 878),
/// [`Quirks::PARAMS_IN_MD5`].
fn body_fld_md5(i: &[u8]) -> IResult<'_, NString<'_>> {
    match i.first() {
        Some(b'(') => {
            let (r, _) = body_fld_param(i)?;
            quirks::note(Quirks::PARAMS_IN_MD5);
            Ok((r, NString(None)))
        }
        _ => nstring(i),
    }
}

/// `body-fld-loc`: `nstring`.
///
/// Lenient: `()` for `NIL` (Exchange Online; MailKit's test
/// `TestParseBadlyFormedBodyStructureWithEmptyParensInsteadOfContentLocation`),
/// [`Quirks::EMPTY_LIST_FOR_NIL`].
fn body_fld_loc(i: &[u8]) -> IResult<'_, NString<'_>> {
    match i {
        [b'('] => incomplete(),
        [b'(', b')', rest @ ..] => {
            quirks::note(Quirks::EMPTY_LIST_FOR_NIL);
            Ok((rest, NString(None)))
        }
        _ => nstring(i),
    }
}

/// `body-fld-dsp`: `"(" string SP body-fld-param ")" / nil`.
///
/// Lenient: `("attachment")` without parameters, and a bare string
/// `"inline"` (Exchange), both with empty parameters.
fn body_fld_dsp(i: &[u8]) -> IResult<'_, Option<Disposition<'_>>> {
    match i.first() {
        None => incomplete(),
        Some(b'n' | b'N') => nil(i).map(|(r, ())| (r, None)),
        Some(b'(') if matches!(i[1..].first(), Some(b'n' | b'N')) => {
            // Lenient: `(NIL NIL)` is no disposition (Exchange).
            match nil_disposition(&i[1..]) {
                NilDisposition::Yes(r) => {
                    quirks::note(Quirks::NIL_DISPOSITION);
                    Ok((r, None))
                }
                NilDisposition::Short => incomplete(),
                NilDisposition::No => fail(&i[1..], "expected a string"),
            }
        }
        Some(b'(') => {
            let (r, kind) = string(extra_sp(&i[1..]))?;
            let (r, m) = more(r)?;
            let (r, params) = if m {
                body_fld_param(r)?
            } else {
                quirks::note(Quirks::DISPOSITION_WITHOUT_PARAMS);
                (r, ParamList::default())
            };
            let r = extra_sp(r);
            let (r, ()) = byte(b')')(r)?;
            Ok((r, Some(Disposition { kind, params })))
        }
        Some(b'"' | b'{') => {
            let (r, kind) = string(i)?;
            quirks::note(Quirks::DISPOSITION_WITHOUT_PARAMS);
            let params = ParamList::default();
            Ok((r, Some(Disposition { kind, params })))
        }
        Some(_) => fail(i, "expected a disposition or NIL"),
    }
}

/// Whether the input after a disposition's `(` is `NIL NIL)` or `NIL ())`.
enum NilDisposition<'a> {
    /// It is; the input after the `)`.
    Yes(&'a [u8]),
    /// Not yet known: the input is a prefix of one of them.
    Short,
    /// It is not.
    No,
}

fn nil_disposition(i: &[u8]) -> NilDisposition<'_> {
    let mut short = false;
    for pattern in [&b"NIL NIL)"[..], b"NIL ())"] {
        let n = i.len().min(pattern.len());
        if i[..n].eq_ignore_ascii_case(&pattern[..n]) {
            if n == pattern.len() {
                return NilDisposition::Yes(&i[n..]);
            }
            short = true;
        }
    }
    if short {
        NilDisposition::Short
    } else {
        NilDisposition::No
    }
}

/// `body-fld-lang`: `nstring / "(" string *(SP string) ")"`.
fn body_fld_lang(i: &[u8]) -> IResult<'_, BodyLanguage<'_>> {
    match i.first() {
        Some(b'(') => {
            let mut r = extra_sp(&i[1..]);
            let mut out = Vec::new();
            loop {
                let (r2, s) = string(r)?;
                out.push(s);
                let (r2, m) = more(r2)?;
                if m {
                    r = r2;
                    continue;
                }
                return match r2.first() {
                    Some(b')') => Ok((&r2[1..], BodyLanguage::List(Vec1::unvalidated(out)))),
                    _ => fail(r2, "expected SP or )"),
                };
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
        Some(b'(') => nested_list(i, depth, "extension data nested too deeply", body_extension)
            .map(|(r, l)| (r, BodyExtension::List(l))),
        Some(b) if b.is_ascii_digit() => number_u64(i).map(|(r, n)| (r, BodyExtension::Number(n))),
        Some(_) => nstring(i).map(|(r, s)| (r, BodyExtension::NString(s))),
    }
}

/// `"(" [value *(SP value)] ")"` at `i` ([`ws_list`]), each value read by
/// `value` one level deeper: the lists of a body extension and of an
/// unknown FETCH item's value. A list at `depth` [`MAX_BODY_DEPTH`] is an
/// error with `too_deep` as its reason.
pub(crate) fn nested_list<'a, T>(
    i: &'a [u8],
    depth: usize,
    too_deep: &'static str,
    value: fn(&'a [u8], usize) -> IResult<'a, T>,
) -> IResult<'a, Vec<T>> {
    if depth >= MAX_BODY_DEPTH {
        return cut_fail(i, too_deep);
    }
    ws_list(|r| value(r, depth + 1))(i)
}

#[cfg(test)]
mod tests {
    //! `check_body` promises what `body` does (the same grammar, errors,
    //! quirks and end) without building the value: the parts of every
    //! multipart are only checked while decoding, and read again by `body`
    //! when iterated, so any difference would show as a part that decoded
    //! but cannot be read, or as a response split at a different byte.

    use imapkit_proto::encode::Encode;
    use imapkit_proto::strategies as st;
    use proptest::prelude::*;

    use super::super::super::edits;
    use super::{body, check_body, quirks};

    /// What a parse came to: the bytes left, or the kind of failure; and
    /// whether it accepted a quirk.
    fn outcome<T>(r: super::IResult<'_, T>) -> Result<usize, &'static str> {
        match r {
            Ok((rest, _)) => Ok(rest.len()),
            Err(nom::Err::Incomplete(_)) => Err("incomplete"),
            Err(nom::Err::Error(_)) => Err("error"),
            Err(nom::Err::Failure(_)) => Err("failure"),
        }
    }

    fn assert_agree(input: &[u8]) {
        let built = quirks::scoped(|| outcome(body(input, 0)));
        let checked = quirks::scoped(|| outcome(check_body(input, 0)));
        assert_eq!(
            built,
            checked,
            "body vs check_body on {}",
            input.escape_ascii()
        );
    }

    /// Bytes that move a body between its shapes, its quirks and its errors.
    const NOISE: &[u8] = b" ()\"NIL0123{}\\\r\n\x00aZ";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn check_body_agrees_with_body(
            b in st::body_structure(),
            cut in any::<prop::sample::Index>(),
            edits in edits::edits(NOISE),
        ) {
            let mut bytes = b.to_vec();
            bytes.extend_from_slice(b" UID 1)\r\n");
            edits::check_edited(bytes, cut, edits, NOISE, usize::MAX, assert_agree);
        }
    }

    /// The quirks `body` takes where a single part fails or is empty, and
    /// the shapes around them, inside a multipart (where `check_body`
    /// reads the parts).
    #[test]
    fn quirky_parts_agree() {
        for part in [
            &b"()"[..],
            b"( )",
            b"(\"ALTERNATIVE\" (\"BOUNDARY\" \"b1\") NIL NIL)",
            b"(\"MIXED\")",
            b"(\"MIXED\" )",
            b"(\"TEXT\" \"PLAIN\" () NIL NIL \"7BIT\" 2 1)",
            b"(\"TEXT\" \"PLAIN\" NIL NIL NIL NIL -1 -1)",
            b"(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 2 1 NIL (\"INLINE\") NIL NIL)",
            b"(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 10 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 2 1) 1)",
            b"(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 10)",
            b"(\"IMAGE\" \"PNG\" NIL NIL NIL \"BASE64\" 10  )",
            b"(\"IMAGE\" \"PNG\" NIL NIL NIL \"BASE64\" 4294967296)",
            b"(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 2 1 NIL (NIL NIL) NIL NIL)",
            b"(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 2 1 NIL (\"ATTACHMENT\") NIL NIL)",
            b"(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 2 99999999999999999999)",
        ] {
            assert_agree(part);
            let mut multi = part.to_vec();
            multi.extend_from_slice(b")");
            let mut m = b"(".to_vec();
            m.extend_from_slice(part);
            m.extend_from_slice(part);
            m.extend_from_slice(b" \"MIXED\")");
            assert_agree(&m);
            assert_agree(&multi);
        }
    }
}
