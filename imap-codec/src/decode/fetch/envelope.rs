//! Decoding `envelope` and `address` (RFC 9051 §9).

use imap_proto::{Address, Envelope};

use super::super::core::{byte, nil, nstring};
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
            let mut out = Vec::new();
            loop {
                match r {
                    [b'(', ..] => {
                        let (r2, a) = address(r)?;
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

/// `address`
fn address(i: &[u8]) -> IResult<'_, Address<'_>> {
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
