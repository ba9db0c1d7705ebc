//! Decoding `envelope` and `address` (RFC 9051 §9).

use imap_proto::{Address, Envelope, IString, NString, Quoted};

use super::super::core::{byte, nil, nstring, quoted_stop};
use super::super::response::lenient::{extra_sp, sps};
use super::super::response::quirks::{self, Quirks};
use super::super::{fail, IResult};

/// `envelope`
pub(crate) fn envelope(i: &[u8]) -> IResult<'_, Envelope<'_>> {
    let (r, ()) = byte(b'(')(i)?;
    // Lenient: a space after "(" (RFC 9051 §7.5.2 example).
    let r = extra_sp(r);
    let (r, date) = nstring(r)?;
    let (r, ()) = sps(r)?;
    let (r, subject) = nstring(r)?;
    let (r, ()) = sps(r)?;
    let (r, from) = address_list(r)?;
    let (r, ()) = sps(r)?;
    let (r, sender) = address_list(r)?;
    let (r, ()) = sps(r)?;
    let (r, reply_to) = address_list(r)?;
    let (r, ()) = sps(r)?;
    let (r, to) = address_list(r)?;
    let (r, ()) = sps(r)?;
    let (r, cc) = address_list(r)?;
    let (r, ()) = sps(r)?;
    let (r, bcc) = address_list(r)?;
    let (r, ()) = sps(r)?;
    let (r, in_reply_to) = nstring(r)?;
    let (r, ()) = sps(r)?;
    let (r, message_id) = nstring(r)?;
    let r = extra_sp(r);
    let (r, ()) = byte(b')')(r)?;
    Ok((
        r,
        Envelope {
            date,
            subject,
            from,
            sender,
            reply_to,
            to,
            cc,
            bcc,
            in_reply_to,
            message_id,
        },
    ))
}

/// `"(" 1*address ")" / nil`; `NIL` is an empty list.
///
/// Lenient: accepts `()` as `NIL` (Mail.ru) and spaces around and between
/// addresses.
fn address_list(i: &[u8]) -> IResult<'_, Vec<Address<'_>>> {
    match i.first() {
        None => Err(nom::Err::Incomplete(nom::Needed::new(1))),
        Some(b'n' | b'N') => nil(i).map(|(r, ())| (r, Vec::new())),
        Some(b'(') => {
            let mut r = extra_sp(&i[1..]);
            // What the first push would allocate, without the growth path
            // (`()`, read as NIL, then allocates for nothing: rare).
            let mut out = Vec::with_capacity(4);
            loop {
                match r {
                    [b'(', ..] => {
                        if out.len() == out.capacity() && !out.is_empty() {
                            // A long list (To, Cc): grow 4 -> 16 -> 64, not
                            // 4 -> 8 -> 16 (each step copies the addresses).
                            out.reserve(3 * out.len());
                        }
                        // The fast path's result goes straight into the list.
                        if let Some((r2, a)) = address_fast(r) {
                            out.push(a);
                            r = r2;
                            continue;
                        }
                        let (r2, a) = address_general(r)?;
                        out.push(a);
                        r = r2;
                    }
                    [b')', ..] => {
                        if out.is_empty() {
                            quirks::note(Quirks::EMPTY_LIST_FOR_NIL);
                        }
                        return Ok((&r[1..], out));
                    }
                    [b' ', ..] => {
                        let r2 = extra_sp(r);
                        if r2.is_empty() {
                            return Err(nom::Err::Incomplete(nom::Needed::new(1)));
                        }
                        r = r2;
                    }
                    [] => return Err(nom::Err::Incomplete(nom::Needed::new(1))),
                    _ => return fail(r, "expected an address or )"),
                }
            }
        }
        Some(_) => fail(i, "expected an address list or NIL"),
    }
}

/// The common form of an address, `(f SP f SP f SP f)` where every field is
/// a quoted string without escapes or `NIL`, decoded without the
/// combinators' bookkeeping. `None` for anything else (literals, escapes,
/// extra spaces, short input, errors), which [`address_general`] then
/// decodes from the start (`address` of RFC 9051 §9): it accepts everything this accepts, with the
/// same result.
#[inline(always)]
fn address_fast(i: &[u8]) -> Option<(&[u8], Address<'_>)> {
    let r = i.strip_prefix(b"(")?;
    let (name, r) = field_fast(r, b' ')?;
    let (adl, r) = field_fast(r, b' ')?;
    let (mailbox, r) = field_fast(r, b' ')?;
    let (host, r) = field_fast(r, b')')?;
    Some((
        r,
        Address {
            name,
            adl,
            mailbox,
            host,
        },
    ))
}

/// A quoted string without escapes or `NIL`, followed by `end` (consumed).
#[inline(always)]
fn field_fast(i: &[u8], end: u8) -> Option<(NString<'_>, &[u8])> {
    match i.first()? {
        b'"' => {
            let body = &i[1..];
            let at = quoted_stop(body);
            if body.get(at) != Some(&b'"') || body.get(at + 1) != Some(&end) {
                return None;
            }
            let s = IString::Quoted(Quoted::unvalidated(&body[..at]));
            Some((NString(Some(s)), &body[at + 2..]))
        }
        b'N' | b'n' => match i {
            [_, b'I' | b'i', b'L' | b'l', c, rest @ ..] if *c == end => Some((NString(None), rest)),
            _ => None,
        },
        _ => None,
    }
}

/// `address` (RFC 9051 §9), every form (see [`address_fast`]).
#[inline(never)]
fn address_general(i: &[u8]) -> IResult<'_, Address<'_>> {
    let (r, ()) = byte(b'(')(i)?;
    let r = extra_sp(r);
    let (r, name) = nstring(r)?;
    let (r, ()) = sps(r)?;
    let (r, adl) = nstring(r)?;
    let (r, ()) = sps(r)?;
    let (r, mailbox) = nstring(r)?;
    let (r, ()) = sps(r)?;
    let (r, host) = nstring(r)?;
    let r = extra_sp(r);
    let (r, ()) = byte(b')')(r)?;
    Ok((
        r,
        Address {
            name,
            adl,
            mailbox,
            host,
        },
    ))
}
