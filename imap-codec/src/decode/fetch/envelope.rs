//! Decoding `envelope` and `address` (RFC 9051 §9).

use imap_proto::{Address, Envelope};

use super::super::core::{byte, nil, nstring, sp};
use super::super::{fail, IResult};

/// `envelope`
pub(crate) fn envelope(i: &[u8]) -> IResult<'_, Envelope<'_>> {
    let (r, ()) = byte(b'(')(i)?;
    let (r, date) = nstring(r)?;
    let (r, ()) = sp(r)?;
    let (r, subject) = nstring(r)?;
    let (r, ()) = sp(r)?;
    let (r, from) = address_list(r)?;
    let (r, ()) = sp(r)?;
    let (r, sender) = address_list(r)?;
    let (r, ()) = sp(r)?;
    let (r, reply_to) = address_list(r)?;
    let (r, ()) = sp(r)?;
    let (r, to) = address_list(r)?;
    let (r, ()) = sp(r)?;
    let (r, cc) = address_list(r)?;
    let (r, ()) = sp(r)?;
    let (r, bcc) = address_list(r)?;
    let (r, ()) = sp(r)?;
    let (r, in_reply_to) = nstring(r)?;
    let (r, ()) = sp(r)?;
    let (r, message_id) = nstring(r)?;
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
/// Lenient: accepts `()` as `NIL` and a space between addresses.
fn address_list(i: &[u8]) -> IResult<'_, Vec<Address<'_>>> {
    match i.first() {
        None => Err(nom::Err::Incomplete(nom::Needed::new(1))),
        Some(b'n' | b'N') => nil(i).map(|(r, ())| (r, Vec::new())),
        Some(b'(') => {
            let mut r = &i[1..];
            let mut out = Vec::new();
            loop {
                match r {
                    [b'(', ..] => {
                        let (r2, a) = address(r)?;
                        out.push(a);
                        r = r2;
                    }
                    [b')', ..] => return Ok((&r[1..], out)),
                    [b' ', b'(', ..] if !out.is_empty() => r = &r[1..],
                    [] | [b' '] => return Err(nom::Err::Incomplete(nom::Needed::new(1))),
                    _ => return fail(r, "expected an address or )"),
                }
            }
        }
        Some(_) => fail(i, "expected an address list or NIL"),
    }
}

/// `address`
fn address(i: &[u8]) -> IResult<'_, Address<'_>> {
    let (r, ()) = byte(b'(')(i)?;
    let (r, name) = nstring(r)?;
    let (r, ()) = sp(r)?;
    let (r, adl) = nstring(r)?;
    let (r, ()) = sp(r)?;
    let (r, mailbox) = nstring(r)?;
    let (r, ()) = sp(r)?;
    let (r, host) = nstring(r)?;
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
