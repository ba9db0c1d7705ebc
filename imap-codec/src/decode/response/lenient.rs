//! Building blocks that accept the deviations of real servers (extra spaces,
//! `NIL` for strings, negative sizes) in response data. Commands do not use
//! them: the command decoder stays strict.
//!
//! Each helper is as fast as its strict counterpart on conforming input and
//! notes the quirk ([`quirks::note`]) only when it accepts one. Every helper
//! returns `Incomplete` at the end of the input, never an error.

use imapkit_proto::{chars, IString, NString, Quoted};

use super::quirks::{self, Quirks};
use crate::decode::core::{atom, byte, nil, nstring, quoted, sp, string};
use crate::decode::fetch::number_u64;
use crate::decode::{fail, IResult};

fn incomplete<'a, T>() -> IResult<'a, T> {
    Err(nom::Err::Incomplete(nom::Needed::new(1)))
}

/// The input after any spaces, and whether there were any.
#[inline]
fn skip_sp(i: &[u8]) -> (&[u8], usize) {
    let n = i.iter().take_while(|&&b| b == b' ').count();
    (&i[n..], n)
}

/// `SP`, tolerating more than one space (noted as [`Quirks::EXTRA_SPACE`]).
/// At the end of the input (after the spaces) it is `Incomplete`, because
/// more spaces may follow.
#[inline]
pub(crate) fn sps(i: &[u8]) -> IResult<'_, ()> {
    let (r, ()) = sp(i)?;
    match r.first() {
        Some(b' ') => {
            quirks::note(Quirks::EXTRA_SPACE);
            let (r, _) = skip_sp(r);
            if r.is_empty() {
                return incomplete();
            }
            Ok((r, ()))
        }
        None => incomplete(),
        Some(_) => Ok((r, ())),
    }
}

/// Spaces that the grammar does not allow here (after `(`, before `)`):
/// skips them and notes the quirk.
#[inline]
pub(crate) fn extra_sp(i: &[u8]) -> &[u8] {
    match i.first() {
        Some(b' ') => {
            quirks::note(Quirks::EXTRA_SPACE);
            skip_sp(i).0
        }
        _ => i,
    }
}

/// Whether another element follows in a list whose elements are separated
/// by `SP`: `true` with the input at that element (after one or more
/// spaces), `false` with the input at the terminator (after spaces that
/// precede a `)`, which are noted as a quirk).
#[inline]
pub(crate) fn more(i: &[u8]) -> IResult<'_, bool> {
    match i {
        [] => incomplete(),
        [b' ', c, ..] if *c != b' ' && *c != b')' => Ok((&i[1..], true)),
        [b' ', ..] => {
            let (r, n) = skip_sp(i);
            match r.first() {
                None => incomplete(),
                Some(b')') => {
                    quirks::note(Quirks::EXTRA_SPACE);
                    Ok((r, false))
                }
                Some(_) => {
                    if n > 1 {
                        quirks::note(Quirks::EXTRA_SPACE);
                    }
                    Ok((r, true))
                }
            }
        }
        _ => Ok((i, false)),
    }
}

/// `"(" [x *(SP x)] ")"` that also accepts spaces after `(`, before `)` and
/// more than one between items; `item` may drop an element by returning
/// `None`. One `Vec` per list.
pub(crate) fn ws_list_opt<'a, T>(
    item: impl Fn(&'a [u8]) -> IResult<'a, Option<T>>,
) -> impl Fn(&'a [u8]) -> IResult<'a, Vec<T>> {
    move |i: &'a [u8]| {
        let (r, ()) = byte(b'(')(i)?;
        let mut r = extra_sp(r);
        if let Some(b')') = r.first() {
            return Ok((&r[1..], Vec::new()));
        }
        // What the first push would allocate, without the growth path (an
        // item may be dropped, leaving the list empty: rare).
        let mut out = Vec::with_capacity(4);
        loop {
            let (r2, x) = item(r)?;
            out.extend(x);
            let (r2, m) = more(r2)?;
            if m {
                r = r2;
                continue;
            }
            return match r2.first() {
                Some(b')') => Ok((&r2[1..], out)),
                _ => fail(r2, "expected SP or )"),
            };
        }
    }
}

/// [`ws_list_opt`] for items that are never dropped.
pub(crate) fn ws_list<'a, T>(
    item: impl Fn(&'a [u8]) -> IResult<'a, T>,
) -> impl Fn(&'a [u8]) -> IResult<'a, Vec<T>> {
    ws_list_opt(move |i| item(i).map(|(r, x)| (r, Some(x))))
}

/// [`ws_list`] that keeps nothing: how many items the list holds (for the
/// lists kept in wire form, e.g. `imapkit_proto::FlagFetchList`).
pub(crate) fn ws_count<'a, T>(
    item: impl Fn(&'a [u8]) -> IResult<'a, T>,
) -> impl Fn(&'a [u8]) -> IResult<'a, u32> {
    move |i: &'a [u8]| {
        let (r, ()) = byte(b'(')(i)?;
        let mut r = extra_sp(r);
        if let Some(b')') = r.first() {
            return Ok((&r[1..], 0));
        }
        let mut n: u32 = 0;
        loop {
            let (r2, _) = item(r)?;
            n = match n.checked_add(1) {
                Some(n) => n,
                None => return crate::decode::cut_fail(r2, "too many list items"),
            };
            let (r2, m) = more(r2)?;
            if m {
                r = r2;
                continue;
            }
            return match r2.first() {
                Some(b')') => Ok((&r2[1..], n)),
                _ => fail(r2, "expected SP or )"),
            };
        }
    }
}

/// `string`, or `NIL` read as the empty quoted string (noted as
/// [`Quirks::NIL_FOR_STRING`]); it re-encodes as `""`.
#[inline(always)]
pub(crate) fn string_or_nil(i: &[u8]) -> IResult<'_, IString<'_>> {
    match i.first() {
        Some(b'"') => quoted(i).map(|(r, q)| (r, IString::Quoted(q))),
        Some(b'n' | b'N') => {
            let (r, ()) = nil(i)?;
            quirks::note(Quirks::NIL_FOR_STRING);
            Ok((r, IString::Quoted(Quoted::unvalidated(&b""[..]))))
        }
        _ => string(i),
    }
}

/// A string, `NIL` ([`string_or_nil`]), or, lenient, an atom read as the
/// string of its bytes ([`atom_for_string`]): a body part's encoding
/// (Exchange 2010), a multipart's subtype, `...) ALTERNATIVE)` (the IMAP
/// server of HP TCP/IP Services for OpenVMS 5.3).
pub(crate) fn string_nil_or_atom(i: &[u8]) -> IResult<'_, IString<'_>> {
    match atom_for_string(i)? {
        (r, Some(s)) => Ok((r, s)),
        (_, None) => string_or_nil(i),
    }
}

/// An unsigned number of at most `max`, or a negative number read as `0`
/// (noted as [`Quirks::NEGATIVE_NUMBER`]; it re-encodes as `0`).
pub(crate) fn size_number(i: &[u8], max: u64) -> IResult<'_, u64> {
    if let Some(b'-') = i.first() {
        let (r, _) = number_u64(&i[1..])?;
        quirks::note(Quirks::NEGATIVE_NUMBER);
        return Ok((r, 0));
    }
    let (r, n) = number_u64(i)?;
    if n > max {
        return crate::decode::cut_fail(i, "number out of range");
    }
    Ok((r, n))
}

/// Lenient: an atom where a string of an ID list or an ENVELOPE address
/// belongs (ProtonMail Bridge, 2017), [`Quirks::ATOM_FOR_STRING`]: the
/// quoted string of its bytes. `None` (nothing read) where the input does
/// not start with an atom other than `NIL`: the caller reads a string there.
pub(crate) fn atom_for_string(i: &[u8]) -> IResult<'_, Option<IString<'_>>> {
    match i.first() {
        Some(&b) if chars::is_atom_char(b) => {
            let (r, a) = atom(i)?;
            if a.as_bytes().eq_ignore_ascii_case(b"NIL") {
                return Ok((i, None));
            }
            quirks::note(Quirks::ATOM_FOR_STRING);
            Ok((
                r,
                Some(IString::Quoted(Quoted::unvalidated(a.into_inner()))),
            ))
        }
        _ => Ok((i, None)),
    }
}

/// `nstring`, or, lenient, an atom read as the string of its bytes
/// ([`atom_for_string`]): an ID value, an ENVELOPE address field
/// (ProtonMail Bridge, 2017: `((ProtonMail NIL support protonmail.ch))`).
pub(crate) fn nstring_or_atom(i: &[u8]) -> IResult<'_, NString<'_>> {
    match atom_for_string(i)? {
        (r, Some(s)) => Ok((r, NString(Some(s)))),
        (_, None) => nstring(i),
    }
}
