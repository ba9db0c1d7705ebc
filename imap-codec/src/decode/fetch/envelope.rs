//! Decoding `envelope` and `address` (RFC 9051 §9).

use imapkit_proto::{
    Address, AddressList, Buf, Envelope, EnvelopeFields, IString, NString, Quoted,
};

use super::super::core::{byte, nil, nstring, quoted_stop};
use super::super::response::lenient::{extra_sp, nstring_or_atom, sps};
use super::super::response::quirks::{self, Quirks};
use super::super::{cut_fail, fail, IResult};
use super::checked_list;

/// `envelope`, kept in wire form: checked here, its fields read again by
/// [`read_envelope`] on access (see `imapkit_proto::Envelope`).
pub(crate) fn envelope(i: &[u8]) -> IResult<'_, Envelope<'_>> {
    let (res, quirky) = quirks::scoped(|| envelope_fields(i));
    let (r, _) = res?;
    let wire = Buf::borrowed(&i[..i.len() - r.len()]);
    Ok((r, Envelope::from_wire(wire, !quirky, read_envelope)))
}

/// Reads the fields of an envelope [`envelope`] has checked. (That cannot
/// fail; an envelope of `NIL`s rather than a panic if it ever did.)
fn read_envelope(i: &[u8]) -> EnvelopeFields<'_> {
    envelope_fields(i).map(|(_, f)| f).unwrap_or_default()
}

/// `envelope`, field by field.
fn envelope_fields(i: &[u8]) -> IResult<'_, EnvelopeFields<'_>> {
    let (r, ()) = byte(b'(')(i)?;
    // Lenient: a space after "(" (RFC 9051 §7.5.2 example).
    let r = extra_sp(r);
    let (r, date) = nstring(r)?;
    let (r, ()) = sps(r)?;
    let (r, subject) = nstring(r)?;
    let (r, ()) = sps(r)?;
    let (r2, from) = address_list(r)?;
    // Servers fill `sender` and `reply-to` from `from` when the header
    // fields are absent (RFC 9051 §7.5.2): the same bytes decode to the
    // same list (a list's reading depends on its bytes alone), so a copy
    // of `from` is taken without reading them again.
    let from_wire = &r[..r.len() - r2.len()];
    let (r, ()) = sps(r2)?;
    let (r, sender) = same_list(r, from_wire, &from)?;
    let (r, ()) = sps(r)?;
    let (r, reply_to) = same_list(r, from_wire, &from)?;
    let (r, ()) = sps(r)?;
    let (r, to) = address_list(r)?;
    let (r, ()) = sps(r)?;
    let (r, cc) = address_list(r)?;
    let (r, ()) = sps(r)?;
    let (r, bcc) = address_list(r)?;
    let (r, (in_reply_to, message_id)) = envelope_tail(r)?;
    let r = extra_sp(r);
    let (r, ()) = byte(b')')(r)?;
    Ok((
        r,
        EnvelopeFields {
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

/// `SP env-in-reply-to SP env-message-id` after `env-bcc`.
///
/// Lenient: one or both may be missing before the `)`
/// ([`Quirks::SHORT_ENVELOPE`]): QQ Mail leaves out the field whose header
/// the message lacks (MailKit issues 279, 669 and 932; mailcore2 issues
/// 1025 and 1029). With one field left, it is the `message-id`: in every
/// log of it the string is the message's own id (a message without
/// `In-Reply-To` is the common case), and `in-reply-to` is `NIL`.
fn envelope_tail(i: &[u8]) -> IResult<'_, (NString<'_>, NString<'_>)> {
    let short = |r| {
        quirks::note(Quirks::SHORT_ENVELOPE);
        Ok((r, (NString(None), NString(None))))
    };
    if let [b')', ..] = i {
        return short(i);
    }
    let (r, ()) = sps(i)?;
    if let [b')', ..] = r {
        // `bcc )`: a space, then the end.
        quirks::note(Quirks::EXTRA_SPACE);
        return short(r);
    }
    let (r, in_reply_to) = nstring(r)?;
    if let [b')', ..] = r {
        quirks::note(Quirks::SHORT_ENVELOPE);
        return Ok((r, (NString(None), in_reply_to)));
    }
    let (r, ()) = sps(r)?;
    if let [b')', ..] = r {
        quirks::note(Quirks::EXTRA_SPACE);
        quirks::note(Quirks::SHORT_ENVELOPE);
        return Ok((r, (NString(None), in_reply_to)));
    }
    let (r, message_id) = nstring(r)?;
    Ok((r, (in_reply_to, message_id)))
}

/// `"(" 1*address ")" / nil`; `NIL` is an empty list.
///
/// The list keeps its bytes; its addresses are read again by
/// [`read_address`] when iterated (see `imapkit_proto::AddressList`).
/// Lenient: accepts `()` as `NIL` (Mail.ru) and spaces around and between
/// addresses; such a list is written back in canonical form.
fn address_list(i: &[u8]) -> IResult<'_, AddressList<'_>> {
    match i.first() {
        None => Err(nom::Err::Incomplete(nom::Needed::new(1))),
        Some(b'n' | b'N') => nil(i).map(|(r, ())| (r, AddressList::default())),
        Some(b'(') => {
            let (r, (wire, n, verbatim)) = checked_list(i, addresses)?;
            Ok((r, AddressList::from_wire(wire, n, verbatim, read_address)))
        }
        Some(_) => fail(i, "expected an address list or NIL"),
    }
}

/// [`address_list`], or a copy of `known` when `i` starts with the bytes
/// `known_wire` it was decoded from.
#[inline]
fn same_list<'a>(
    i: &'a [u8],
    known_wire: &[u8],
    known: &AddressList<'a>,
) -> IResult<'a, AddressList<'a>> {
    match i.strip_prefix(known_wire) {
        Some(r) => Ok((r, known.clone())),
        None => address_list(i),
    }
}

/// The addresses of a list starting with `(`: how many there are.
fn addresses(i: &[u8]) -> IResult<'_, u32> {
    let mut r = extra_sp(&i[1..]);
    let mut n: u32 = 0;
    loop {
        match r {
            [b'(', ..] => {
                r = match address_skip_fast(r) {
                    Some(r2) => r2,
                    None => address_general(r)?.0,
                };
                n = match n.checked_add(1) {
                    Some(n) => n,
                    None => return cut_fail(r, "too many addresses"),
                };
            }
            [b')', ..] => {
                if n == 0 {
                    quirks::note(Quirks::EMPTY_LIST_FOR_NIL);
                }
                return Ok((&r[1..], n));
            }
            // Lenient: `NIL` for an address that is not there (MailKit
            // issue 991); skipped, here and by `read_address`.
            [b'N' | b'n', ..] => {
                r = nil(r)?.0;
                quirks::note(Quirks::NIL_IN_LIST);
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

/// Reads the address at the start of `i` (an element of a checked
/// [`AddressList`]): the address and the bytes it used.
fn read_address(i: &[u8]) -> Option<(Address<'_>, usize)> {
    // `NIL` elements ([`Quirks::NIL_IN_LIST`]) before the address are
    // skipped; `addresses` has not counted them.
    let mut at = i;
    while let [b'N' | b'n', ..] = at {
        at = nil(at).ok()?.0;
        at = &at[at.iter().take_while(|&&b| b == b' ').count()..];
    }
    let (r, a) = match address_fast(at) {
        Some(x) => x,
        None => address_general(at).ok()?,
    };
    Some((a, i.len() - r.len()))
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

/// Checks an address in the form [`address_fast`] reads, without building
/// it (a checked list's addresses are read again on iteration): where it
/// ends, or `None` where [`address_general`] must decode it.
#[inline(always)]
fn address_skip_fast(i: &[u8]) -> Option<&[u8]> {
    let r = i.strip_prefix(b"(")?;
    let r = field_skip_fast(r, b' ')?;
    let r = field_skip_fast(r, b' ')?;
    let r = field_skip_fast(r, b' ')?;
    field_skip_fast(r, b')')
}

/// [`field_fast`] without the value: the rest after `end`.
#[inline(always)]
fn field_skip_fast(i: &[u8], end: u8) -> Option<&[u8]> {
    match i.first()? {
        b'"' => {
            let body = &i[1..];
            let at = quoted_stop(body);
            match body.get(at..at + 2) {
                Some([b'"', e]) if *e == end => Some(&body[at + 2..]),
                _ => None,
            }
        }
        b'N' => match i {
            [_, b'I', b'L', c, rest @ ..] if *c == end => Some(rest),
            _ => None,
        },
        _ => None,
    }
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
        b'N' => match i {
            [_, b'I', b'L', c, rest @ ..] if *c == end => Some((NString(None), rest)),
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
    let (r, name) = nstring_or_atom(r)?;
    let (r, ()) = sps(r)?;
    let (r, adl) = nstring_or_atom(r)?;
    let (r, ()) = sps(r)?;
    let (r, mailbox) = nstring_or_atom(r)?;
    let (r, ()) = sps(r)?;
    let (r, host) = nstring_or_atom(r)?;
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

#[cfg(test)]
mod tests {
    //! The fast paths promise what the general reading does: where
    //! `address_fast` and `address_skip_fast` answer, `address_general`
    //! gives the same address and end; `address_skip_fast` answers exactly
    //! where `address_fast` does (a checked list is read again with the
    //! latter, so a difference would show as an address that was checked
    //! but reads otherwise).

    use imapkit_proto::encode::Encode;
    use imapkit_proto::strategies as st;
    use proptest::prelude::*;

    use super::super::super::edits;
    use super::{address_fast, address_general, address_skip_fast};

    fn assert_agree(input: &[u8]) {
        let fast = address_fast(input);
        let skip = address_skip_fast(input);
        assert_eq!(
            fast.as_ref().map(|(r, _)| r.len()),
            skip.map(<[u8]>::len),
            "address_fast vs address_skip_fast on {}",
            input.escape_ascii()
        );
        if let Some((rest, a)) = fast {
            let (rest2, b) = address_general(input).expect("the general reading accepts it");
            assert_eq!(
                (rest.len(), a),
                (rest2.len(), b),
                "on {}",
                input.escape_ascii()
            );
        }
    }

    const NOISE: &[u8] = b" ()\"NILnil\\{}0\r\n\x00\xe3";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn fast_address_paths_agree(
            a in st::address(),
            cut in any::<prop::sample::Index>(),
            edits in edits::edits(NOISE),
        ) {
            let mut bytes = a.to_vec();
            bytes.extend_from_slice(b" NIL)");
            edits::check_edited(bytes, cut, edits, NOISE, usize::MAX, assert_agree);
        }
    }
}
