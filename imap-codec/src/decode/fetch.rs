//! Decoding FETCH response data items (`msg-att`, RFC 9051 §7.5.2).
//!
//! Every item dispatches on its name (one scan of the name, then a
//! case-insensitive comparison with the few names that share its first
//! byte); strings and literals are borrowed from the input.

mod body;
mod envelope;

use bytes::Bytes;
use imapkit_proto::{
    chars, Atom, BinaryData, Buf, FlagFetch, FlagFetchList, GmailLabel, IString, IntoStatic,
    ItemValue, MessageDataItem, NString, ObjectId, Quoted, SnippetAlgorithm, SnippetName, Vec1,
};
use nom::bytes::streaming::take_while1;

pub(crate) use self::body::{body_item, nested_list};
pub(crate) use self::envelope::envelope;
use super::core::{
    astring, atom, byte, date_time, flag_fetch, literal_data, literal_header, nil, nstring, number,
    nz_number, plain_number, section, section_binary,
};
use super::response::lenient::{extra_sp, more, sps, ws_count, ws_list};
use super::response::quirks::{self, Quirks};
use super::{cut_fail, fail, Decoded, IResult};
use crate::error::DecodeError;

/// How deeply body structures (multipart and message/rfc822 levels) and
/// extension data lists may nest before the decoder gives up with an error.
pub const MAX_BODY_DEPTH: usize = 64;

/// `"(" [flag-fetch *(SP flag-fetch)] ")"`, kept in wire form (see
/// `imapkit_proto::FlagFetchList`). Lenient: extra spaces (then written back
/// in canonical form).
fn fetch_flags(i: &[u8]) -> IResult<'_, FlagFetchList<'_>> {
    if let Some((len, n)) = plain_flag_list(i) {
        let wire = Buf::borrowed(&i[..len]);
        return Ok((
            &i[len..],
            FlagFetchList::from_wire(wire, n, true, read_flag),
        ));
    }
    let (r, (wire, n, verbatim)) = checked_list(i, ws_count(flag_fetch))?;
    Ok((r, FlagFetchList::from_wire(wire, n, verbatim, read_flag)))
}

/// The length and the flag count of the flag list at the front of `i` in
/// its plainest form, the one servers send: `(`, flags that are an atom
/// or `\` and an atom, single spaces, `)`; a system flag (or `\Recent`)
/// only in its canonical spelling. What [`ws_count`] with [`flag_fetch`]
/// reads for it, without a parser per flag; `None` for anything else
/// (other spellings, quirks, errors, input that ends early), which they
/// read.
#[inline]
fn plain_flag_list(i: &[u8]) -> Option<(usize, u32)> {
    let body = i.strip_prefix(b"(")?;
    if body.first() == Some(&b')') {
        return Some((2, 0));
    }
    let mut k = 0;
    let mut n = 0u32;
    loop {
        let system = body.get(k) == Some(&b'\\');
        let start = k + usize::from(system);
        k = start;
        while body.get(k).is_some_and(|&b| chars::is_atom_char(b)) {
            k += 1;
        }
        if k == start || (system && !canonical_system_flag(&body[start..k])) {
            return None;
        }
        n += 1;
        match body.get(k)? {
            b' ' => k += 1,
            b')' => return Some((k + 2, n)),
            _ => return None,
        }
    }
}

/// Whether `name` (after `\`) is not a system flag in another spelling
/// than its canonical one (which the encoder writes instead, so the list
/// is not kept verbatim): the spellings for which `core::flag` and
/// `flag_fetch` note `not_canonical`, without building the flag (the
/// property test below holds the two readings together).
fn canonical_system_flag(name: &[u8]) -> bool {
    const SYSTEM: [&[u8]; 6] = [
        b"Seen",
        b"Answered",
        b"Flagged",
        b"Deleted",
        b"Draft",
        b"Recent",
    ];
    SYSTEM
        .iter()
        .all(|s| name.len() != s.len() || name == *s || !name.eq_ignore_ascii_case(s))
}

/// The step every list kept in wire form shares: `count` checks the list
/// at the start of `i` and says how many elements it holds; the result is
/// the bytes it used, that count, and whether the encoder may copy the
/// bytes (no lenient quirk and nothing it writes differently inside).
fn checked_list<'a>(
    i: &'a [u8],
    count: impl FnOnce(&'a [u8]) -> IResult<'a, u32>,
) -> IResult<'a, (Buf<'a>, u32, bool)> {
    let (res, quirky) = quirks::scoped(|| count(i));
    let (r, n) = res?;
    Ok((r, (Buf::borrowed(&i[..i.len() - r.len()]), n, !quirky)))
}

/// Reads the flag at the start of `i` (an element of a checked
/// [`FlagFetchList`]): the flag and the bytes it used.
fn read_flag(i: &[u8]) -> Option<(FlagFetch<'_>, usize)> {
    let (r, f) = flag_fetch(i).ok()?;
    Some((f, i.len() - r.len()))
}

/// One `msg-att` item, pushed onto `out` (inlined into its one caller,
/// [`msg_att_list`]; pushing in each arm saves copying the item
/// out of a `Result` first).
#[inline(always)]
pub(crate) fn msg_att<'a>(i: &'a [u8], out: &mut impl ItemSink<'a>) -> IResult<'a, ()> {
    use MessageDataItem as M;

    let (r, name) = item_name(i)?;
    let is = |word: &str| same_name(name, word.as_bytes());
    match name[0].to_ascii_uppercase() {
        b'U' if is("UID") => {
            let (r, ()) = sps(r)?;
            nz_number(r).map(|(r, n)| {
                out.push(M::Uid(n));
                (r, ())
            })
        }
        b'F' if is("FLAGS") => {
            let (r, ()) = sps(r)?;
            fetch_flags(r).map(|(r, f)| {
                out.push(M::Flags(f));
                (r, ())
            })
        }
        b'E' if is("ENVELOPE") => {
            let (r, ()) = sps(r)?;
            envelope(r).map(|(r, e)| {
                out.push(M::Envelope(e));
                (r, ())
            })
        }
        b'E' if is("EMAILID") => {
            let (r, ()) = sps(r)?;
            paren_object_id(r).map(|(r, id)| {
                out.push(M::EmailId(id));
                (r, ())
            })
        }
        b'I' if is("INTERNALDATE") => {
            let (r, ()) = sps(r)?;
            match server_date_time(r) {
                Ok((r, d)) => {
                    out.push(M::InternalDate(d));
                    Ok((r, ()))
                }
                // Only a date that did not read can be the zero date: the
                // comparison stays off the path of every valid one.
                Err(nom::Err::Error(_) | nom::Err::Failure(_)) if r.starts_with(ZERO_DATE) => {
                    zero_date(r)
                }
                Err(e) => Err(e),
            }
        }
        b'R' if is("RFC822.SIZE") => {
            let (r, ()) = sps(r)?;
            number_u64(r).map(|(r, n)| {
                out.push(M::Rfc822Size(n));
                (r, ())
            })
        }
        b'R' if is("RFC822") => {
            let (r, ()) = rfc822_section(r)?;
            let (r, ()) = sps(r)?;
            nstring(r).map(|(r, s)| {
                out.push(M::Rfc822(s));
                (r, ())
            })
        }
        b'R' if is("RFC822.HEADER") => {
            let (r, ()) = rfc822_section(r)?;
            let (r, ()) = sps(r)?;
            nstring(r).map(|(r, s)| {
                out.push(M::Rfc822Header(s));
                (r, ())
            })
        }
        b'R' if is("RFC822.TEXT") => {
            let (r, ()) = rfc822_section(r)?;
            let (r, ()) = sps(r)?;
            nstring(r).map(|(r, s)| {
                out.push(M::Rfc822Text(s));
                (r, ())
            })
        }
        b'B' if is("BODY") => match r.first() {
            None => Err(nom::Err::Incomplete(nom::Needed::new(1))),
            Some(b'[') => {
                let (r, section) = section(r)?;
                let (r, origin) = origin(r)?;
                let r = if r.first() == Some(&b'{') {
                    // Lenient: no SP before the literal, `BODY[]<0>{1510}`
                    // (GreenMail 2.1: `BODY[HEADER]{36}` in 1.5.3, greenmail
                    // issue 187).
                    quirks::note(Quirks::MISSING_SPACE);
                    r
                } else {
                    sps(r)?.0
                };
                let (r, data) = match r.first() {
                    // Yandex: `BODY[2] )` for a part with empty content.
                    Some(b')') => {
                        quirks::note(Quirks::MISSING_SECTION_DATA);
                        let empty = IString::Quoted(Quoted::unvalidated(&b""[..]));
                        (r, NString(Some(empty)))
                    }
                    _ => nstring(r)?,
                };
                {
                    out.push(M::BodySection {
                        section,
                        origin,
                        data,
                    });
                    Ok((r, ()))
                }
            }
            Some(b' ') => {
                let (r, ()) = sps(r)?;
                body_item(r).map(|(r, b)| {
                    out.push(M::Body(b));
                    (r, ())
                })
            }
            Some(_) => fail(r, "expected [ or SP after BODY"),
        },
        b'B' if is("BODYSTRUCTURE") => {
            let (r, ()) = sps(r)?;
            body_item(r).map(|(r, b)| {
                out.push(M::BodyStructure(b));
                (r, ())
            })
        }
        b'B' if is("BINARY") => {
            let (r, section) = section_binary(r)?;
            let (r, origin) = origin(r)?;
            let (r, ()) = sps(r)?;
            let (r, data) = binary_data(r)?;
            {
                out.push(M::Binary {
                    section,
                    origin,
                    data,
                });
                Ok((r, ()))
            }
        }
        b'B' if is("BINARY.SIZE") => {
            let (r, section) = section_binary(r)?;
            let (r, ()) = sps(r)?;
            number_u64(r).map(|(r, size)| {
                out.push(M::BinarySize { section, size });
                (r, ())
            })
        }
        b'M' if is("MODSEQ") => {
            let (r, ()) = sps(r)?;
            let (r, ()) = byte(b'(')(r)?;
            let r = extra_sp(r);
            if r.first() == Some(&b'-') {
                return negative_modseq(r);
            }
            let (r, n) = number_u64(r)?;
            let (r, ()) = byte(b')')(extra_sp(r))?;
            // Lenient: 0 (RFC 7162's mod-sequence-value starts at 1).
            if n == 0 {
                quirks::note(Quirks::ZERO_NUMBER);
            }
            {
                out.push(M::ModSeq(n));
                Ok((r, ()))
            }
        }
        b'T' if is("THREADID") => {
            let (r, ()) = sps(r)?;
            match r.first() {
                Some(b'n' | b'N') => nil(r).map(|(r, ())| {
                    out.push(M::ThreadId(None));
                    (r, ())
                }),
                _ => paren_object_id(r).map(|(r, id)| {
                    out.push(M::ThreadId(Some(id)));
                    (r, ())
                }),
            }
        }
        b'S' if is("SAVEDATE") => {
            let (r, ()) = sps(r)?;
            match r.first() {
                Some(b'n' | b'N') => nil(r).map(|(r, ())| {
                    out.push(M::SaveDate(None));
                    (r, ())
                }),
                _ => server_date_time(r).map(|(r, d)| {
                    out.push(M::SaveDate(Some(d)));
                    (r, ())
                }),
            }
        }
        b'P' if is("PREVIEW") => {
            let (r, ()) = sps(r)?;
            if r.first() == Some(&b'(') {
                // The draft form (Dovecot 2.3): `PREVIEW (FUZZY "text")`.
                return snippet(r, SnippetName::Preview).map(|(r, item)| {
                    out.push(item);
                    (r, ())
                });
            }
            nstring(r).map(|(r, s)| {
                out.push(M::Preview(s));
                (r, ())
            })
        }
        b'S' if is("SNIPPET") => {
            let (r, ()) = sps(r)?;
            snippet(r, SnippetName::Snippet).map(|(r, item)| {
                out.push(item);
                (r, ())
            })
        }
        b'X' if is("X-GM-MSGID") => {
            let (r, ()) = sps(r)?;
            number_u64(r).map(|(r, n)| {
                out.push(M::GmailMsgId(n));
                (r, ())
            })
        }
        b'X' if is("X-GM-THRID") => {
            let (r, ()) = sps(r)?;
            number_u64(r).map(|(r, n)| {
                out.push(M::GmailThrId(n));
                (r, ())
            })
        }
        b'X' if is("X-GM-LABELS") => {
            let (r, ()) = sps(r)?;
            ws_list(gmail_label)(r).map(|(r, l)| {
                out.push(M::GmailLabels(l));
                (r, ())
            })
        }
        _ => {
            if r.first() == Some(&b'[') {
                return fail(r, "unknown FETCH data item with a section");
            }
            let (r, ()) = sps(r)?;
            let (r, value) = item_value(r, 0)?;
            {
                out.push(M::Other {
                    name: Atom::unvalidated(name),
                    value,
                });
                Ok((r, ()))
            }
        }
    }
}

/// Where [`msg_att`] puts the items it decodes: a `Vec` of borrowed items
/// (the decoder's own output), or [`SharedItems`], which turns each item
/// into its owned form as it arrives.
pub(crate) trait ItemSink<'a> {
    /// Takes one decoded item.
    fn push(&mut self, item: MessageDataItem<'a>);
    /// Whether no item was taken.
    fn is_empty(&self) -> bool;
}

impl<'a> ItemSink<'a> for Vec<MessageDataItem<'a>> {
    #[inline(always)]
    fn push(&mut self, item: MessageDataItem<'a>) {
        Vec::push(self, item)
    }
    fn is_empty(&self) -> bool {
        <[_]>::is_empty(self)
    }
}

/// Items that own their data, built while the list is decoded: each item's
/// slices become slices of `frame` as it is pushed
/// ([`IntoStatic::into_shared`]), so the finished list needs no second pass
/// that moves every item again.
struct SharedItems<'f> {
    /// The frame the decoder's input lies in; `None`: the items own
    /// copies of their slices.
    frame: Option<&'f Bytes>,
    /// The items so far.
    items: Vec<MessageDataItem<'static>>,
}

impl<'a> ItemSink<'a> for SharedItems<'_> {
    #[inline(always)]
    fn push(&mut self, item: MessageDataItem<'a>) {
        self.items.push(item.into_static_in(self.frame))
    }
    fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// The date Lotus Domino sends as the INTERNALDATE of a message it has no
/// date for ([`Quirks::ZERO_DATE`]); not a date (day 0 of year 0).
const ZERO_DATE: &[u8] = b"\"00-Jan-0000 00:00:00 +0000\"";

/// The zero date at the front of `i` ([`ZERO_DATE`]): the server has no
/// date for the message, so the item is dropped.
#[cold]
fn zero_date(i: &[u8]) -> IResult<'_, ()> {
    quirks::note(Quirks::ZERO_DATE);
    Ok((&i[ZERO_DATE.len()..], ()))
}

/// `date-time` as servers send it: also a single-digit day without its
/// leading space ([`Quirks::UNPADDED_DAY`]): the fixed form with that
/// space put back, 27 bytes instead of 28. Anything else is `date_time`'s
/// value or error.
fn server_date_time(i: &[u8]) -> IResult<'_, imapkit_proto::DateTime> {
    match date_time(i) {
        Err(nom::Err::Error(e)) if matches!(i, [b'"', b'0'..=b'9', b'-', ..]) => {
            let Some((unpadded, r)) = i.split_first_chunk::<27>() else {
                return Err(nom::Err::Incomplete(nom::Needed::new(27 - i.len())));
            };
            let mut fixed = [b' '; 28];
            fixed[0] = b'"';
            fixed[2..].copy_from_slice(&unpadded[1..]);
            match date_time(&fixed) {
                Ok((_, d)) => {
                    quirks::note(Quirks::UNPADDED_DAY);
                    Ok((r, d))
                }
                Err(_) => Err(nom::Err::Error(e)),
            }
        }
        other => other,
    }
}

/// `"(" msg-att *(SP msg-att) ")"`
///
/// Lenient: spaces after `(`, before `)` (QQ Mail: `(UID 5 )`) and more
/// than one between items (DavMail).
pub(crate) fn msg_att_list(i: &[u8]) -> IResult<'_, Vec1<MessageDataItem<'_>>> {
    let mut out = Vec::with_capacity(items_capacity(i));
    let (r, ()) = msg_att_items(i, &mut out)?;
    Ok((r, Vec1::unvalidated(out)))
}

/// [`msg_att_list`] with items that own their data (see [`SharedItems`]):
/// slices of `frame`, which `i` must lie inside, or copies (`None`). Equal to `msg_att_list` followed by
/// `into_shared(frame)`, including the spare capacity the list keeps.
pub(crate) fn msg_att_list_shared<'a>(
    i: &'a [u8],
    frame: Option<&Bytes>,
) -> IResult<'a, Vec1<MessageDataItem<'static>>> {
    let mut out = SharedItems {
        frame,
        items: Vec::with_capacity(items_capacity(i)),
    };
    // The usual items first, without the item parser; the general loop
    // from the first item they do not read, or from the start.
    let r = match plain_items(i, &mut out) {
        Plain::End(r) => r,
        stop => items_after_plain(i, stop, &mut out)?.0,
    };
    let mut items = out.items;
    imapkit_proto::trim_spare_capacity(&mut items);
    Ok((r, Vec1::unvalidated(items)))
}

/// The items [`plain_items`] left, read by the general loop: from the
/// item where it stopped, or (after a quirk between items) from the start
/// again. Out of line, so that a list read whole does not pay for the
/// general loop's frame.
#[inline(never)]
fn items_after_plain<'a>(
    i: &'a [u8],
    stop: Plain<'a>,
    out: &mut SharedItems<'_>,
) -> IResult<'a, ()> {
    match stop {
        Plain::At(at) => msg_att_from(i, at, out),
        _ => {
            out.items.clear();
            msg_att_items(i, out)
        }
    }
}

/// Where [`plain_items`] stopped.
enum Plain<'a> {
    /// It read the whole list; what follows its `)`.
    End(&'a [u8]),
    /// At an item it does not read, where the general loop
    /// ([`msg_att_from`]) would be (after `(` or after one space).
    At(&'a [u8]),
    /// At anything else (a quirk between items, an end of input): the
    /// list is read again from its start by the general path.
    Other,
}

/// The items a flag update or a flag sync is made of, read without the
/// item parser while they come in their canonical form: `UID n`, `FLAGS
/// (...)` and `MODSEQ (n)`, in any order (upper-case names, one space
/// between items, numbers without a leading zero, a flag list that
/// [`plain_flag_list`] reads). Each is pushed onto `out` as the general
/// path pushes it (owned the same way). The general loop reads the rest
/// from the first other item ([`Plain::At`]: a metadata sync's
/// `INTERNALDATE`, `ENVELOPE`...), so the items and errors are the general
/// path's; the property test in `response/short.rs`, the fuzz target
/// `decode_response` and `plain_items_agree_with_the_general_path` below
/// hold the two readings together. Flag updates are a fifth of the
/// small-responses stream of the benchmarks: the item parser spent about
/// 840 instructions on `(UID 14365 FLAGS (\Seen $Junk))` (callgrind), this
/// reading about 470, the list's allocation included.
#[inline]
fn plain_items<'a>(i: &'a [u8], out: &mut SharedItems<'_>) -> Plain<'a> {
    use MessageDataItem as M;
    let mut r = match i {
        // Not a space or `)` after `(`: a quirk or an error, the general path's.
        [b'(', c, ..] if *c != b' ' && *c != b')' => &i[1..],
        _ => return Plain::Other,
    };
    loop {
        let Some((item, rest)) = plain_item(r, out.frame) else {
            return Plain::At(r);
        };
        out.items.push(item);
        match rest {
            [b')', end @ ..] => return Plain::End(end),
            // What `more` reads as one space before an item.
            [b' ', c, ..] if *c != b' ' && *c != b')' => r = &rest[1..],
            _ => return Plain::Other,
        }
    }

    /// One item of [`plain_items`] at the front of `r`, and what follows it.
    #[inline(always)]
    fn plain_item<'a>(r: &'a [u8], frame: Option<&Bytes>) -> Option<(M<'static>, &'a [u8])> {
        if let Some(x) = r.strip_prefix(b"UID ") {
            let (n, rest) = plain_number(x, 10)?;
            let n = std::num::NonZeroU32::new(u32::try_from(n).ok()?)?;
            Some((M::Uid(n), rest))
        } else if let Some(x) = r.strip_prefix(b"FLAGS ") {
            let (len, n) = plain_flag_list(x)?;
            let list = FlagFetchList::from_wire(Buf::borrowed(&x[..len]), n, true, read_flag);
            Some((M::Flags(list.into_static_in(frame)), &x[len..]))
        } else if let Some(x) = r.strip_prefix(b"MODSEQ (") {
            let (n, rest) = plain_number(x, 19)?;
            Some((M::ModSeq(n), rest.strip_prefix(b")")?))
        } else {
            None
        }
    }
}

/// The room an item list starts with. An item and its separator take at
/// least 6 bytes (`UID 1 `), most far more: a short response (`(UID 5
/// FLAGS (\Seen))`) gets room for what it likely holds, not a metadata
/// sync's 8. Never less than 2: the usual short list is UID and FLAGS
/// (room for one cost a grow and a shrink, two `realloc`s, at the second
/// item), and a list of one item keeps its one spare place
/// ([`imapkit_proto::trim_spare_capacity`] gives back only more).
fn items_capacity(i: &[u8]) -> usize {
    (i.len() / 12).clamp(2, ITEMS_CAPACITY)
}

/// The grammar of [`msg_att_list`], each item pushed onto `out`.
#[inline(always)]
fn msg_att_items<'a>(i: &'a [u8], out: &mut impl ItemSink<'a>) -> IResult<'a, ()> {
    let (r, ()) = byte(b'(')(i)?;
    let r = extra_sp(r);
    if let Some(b')') = r.first() {
        return fail(i, "expected a non-empty list");
    }
    msg_att_from(i, r, out)
}

/// [`msg_att_items`] from the item at `r` on (`i` is the whole list),
/// each item pushed onto `out`.
#[inline(always)]
fn msg_att_from<'a>(i: &'a [u8], mut r: &'a [u8], out: &mut impl ItemSink<'a>) -> IResult<'a, ()> {
    loop {
        let (r2, ()) = match r.first() {
            Some(b'(') => wrapped_items(r, out)?,
            _ => msg_att(r, out)?,
        };
        let (r2, m) = more(r2)?;
        if m {
            r = r2;
            continue;
        }
        return match r2.first() {
            // Only a dropped item (a negative MODSEQ) leaves no item.
            Some(b')') if out.is_empty() => fail(i, "no FETCH item left"),
            Some(b')') => Ok((&r2[1..], ())),
            // Lenient: `UID 12MODSEQ (5)`, no space before the next item
            // (Zimbra before 5.0.8).
            Some(c) if c.is_ascii_alphabetic() => {
                quirks::note(Quirks::MISSING_SPACE);
                r = r2;
                continue;
            }
            _ => fail(r2, "expected SP or )"),
        };
    }
}

/// Items in an extra pair of parentheses inside a FETCH list, `(ENVELOPE
/// (...))` (Lotus Domino): read as if the parentheses were not there.
#[cold]
fn wrapped_items<'a>(i: &'a [u8], out: &mut impl ItemSink<'a>) -> IResult<'a, ()> {
    let mut r = extra_sp(&i[1..]);
    loop {
        let (r2, ()) = msg_att(r, out)?;
        let (r2, m) = more(r2)?;
        if m {
            r = r2;
            continue;
        }
        return match r2.first() {
            Some(b')') => {
                quirks::note(Quirks::WRAPPED_ITEM);
                Ok((&r2[1..], ()))
            }
            _ => fail(r2, "expected SP or )"),
        };
    }
}

/// `[]` after `RFC822`, `RFC822.HEADER` or `RFC822.TEXT` (an empty
/// section, Ruby bug 5620): skipped.
#[inline]
fn rfc822_section(i: &[u8]) -> IResult<'_, ()> {
    match i {
        [b'[', b']', rest @ ..] => {
            quirks::note(Quirks::RFC822_SECTION);
            Ok((rest, ()))
        }
        [b'['] => Err(nom::Err::Incomplete(nom::Needed::new(1))),
        _ => Ok((i, ())),
    }
}

/// The capacity a FETCH item list starts with: a metadata sync asks for 6
/// to 8 items (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE
/// MODSEQ), and one allocation of 8 costs less than growing from 4.
const ITEMS_CAPACITY: usize = 8;

/// Decodes a parenthesised FETCH item list, `"(" msg-att *(SP msg-att) ")"`
/// (the part after `* n FETCH `), from the front of `input`.
///
/// Short input is [`Decoded::Incomplete`] or [`Decoded::LiteralAnnounced`].
///
/// ```
/// use imapkit_codec::decode::decode_msg_att_list;
/// use imapkit_proto::MessageDataItem;
///
/// let input = b"(UID 447 RFC822.SIZE 44827)";
/// let (items, used) = decode_msg_att_list(input).unwrap().complete().unwrap();
/// assert_eq!(used, input.len());
/// assert_eq!(items[1], MessageDataItem::Rfc822Size(44827));
/// ```
pub fn decode_msg_att_list(
    input: &[u8],
) -> Result<Decoded<'_, Vec1<MessageDataItem<'_>>>, DecodeError> {
    super::response::run_server(input, msg_att_list)
}

/// The name of an item: atom characters up to `[` (where a section starts).
#[inline(always)]
fn item_name(i: &[u8]) -> IResult<'_, &[u8]> {
    match i.iter().position(|&b| !chars::is_atom_char(b) || b == b'[') {
        Some(0) => fail(i, "expected a FETCH item name"),
        Some(n) => Ok((&i[n..], &i[..n])),
        None => Err(nom::Err::Incomplete(nom::Needed::new(1))),
    }
}

/// Whether item name `name` (atom characters) is `word` (upper-case
/// letters, digits, `.` and `-`), ignoring ASCII case; eight bytes at a time.
///
/// `x | 0x20` folds letters to lower case; for a digit, `.` or `-` in `word`
/// the only other byte that folds to the same value is a control character,
/// which is not an atom character, so no other name compares equal.
#[inline(always)]
fn same_name(name: &[u8], word: &[u8]) -> bool {
    const FOLD: u64 = 0x2020_2020_2020_2020;
    #[inline(always)]
    fn load(b: &[u8], at: usize) -> u64 {
        let mut a = [0u8; 8];
        let n = (b.len() - at).min(8);
        a[..n].copy_from_slice(&b[at..at + n]);
        u64::from_le_bytes(a)
    }
    if name.len() != word.len() {
        return false;
    }
    let mut at = 0;
    while at < name.len() {
        if load(name, at) | FOLD != load(word, at) | FOLD {
            return false;
        }
        at += 8;
    }
    true
}

/// `1*DIGIT` as a `u64`: [`number64`](super::core::number64), which
/// accepts every `u64` (see there why).
#[inline]
pub(crate) fn number_u64(i: &[u8]) -> IResult<'_, u64> {
    super::core::number64(i)
}

/// `-` 1*DIGIT `)` where a MODSEQ item's mod-sequence belongs, `MODSEQ
/// (-1)` (Zoho Mail; MailKit issues 495 and 1686): the server has no
/// mod-sequence for the message, so the item is dropped
/// ([`Quirks::NEGATIVE_MODSEQ`]); the response's other items are kept.
#[cold]
fn negative_modseq(i: &[u8]) -> IResult<'_, ()> {
    let (r, _) = number_u64(&i[1..])?;
    let (r, ()) = byte(b')')(extra_sp(r))?;
    quirks::note(Quirks::NEGATIVE_MODSEQ);
    Ok((r, ()))
}

/// The value of an unknown item ([`ItemValue`]): a list, a string, or a
/// token of atom characters, read as a number when it is all digits, as
/// `NIL`, or as an atom.
fn item_value(i: &[u8], depth: usize) -> IResult<'_, ItemValue<'_>> {
    match i.first() {
        None => Err(nom::Err::Incomplete(nom::Needed::new(1))),
        Some(b'(') => nested_list(i, depth, "item value nested too deeply", item_value)
            .map(|(r, l)| (r, ItemValue::List(l))),
        Some(b'"' | b'{') => nstring(i).map(|(r, s)| (r, ItemValue::NString(s))),
        Some(&b) if chars::is_atom_char(b) => {
            let (r, token) = take_while1(chars::is_atom_char)(i)?;
            if token.iter().all(u8::is_ascii_digit) {
                number_u64(i).map(|(r, n)| (r, ItemValue::Number(n)))
            } else if token.eq_ignore_ascii_case(b"NIL") {
                nil(i).map(|(r, ())| (r, ItemValue::NString(NString(None))))
            } else {
                Ok((r, ItemValue::Atom(Atom::unvalidated(token))))
            }
        }
        Some(_) => fail(i, "expected a value"),
    }
}

/// `["<" number ">"]` after a section.
fn origin(i: &[u8]) -> IResult<'_, Option<u32>> {
    match i.first() {
        None => Err(nom::Err::Incomplete(nom::Needed::new(1))),
        Some(b'<') => {
            let (r, n) = number(&i[1..])?;
            let (r, ()) = byte(b'>')(r)?;
            Ok((r, Some(n)))
        }
        Some(_) => Ok((i, None)),
    }
}

/// `nstring / literal8`
fn binary_data(i: &[u8]) -> IResult<'_, BinaryData<'_>> {
    match i.first() {
        Some(b'~') => {
            // literal8 = "~{" number64 "}" CRLF *OCTET; a stray "+" is tolerated.
            let (r, (len, mode)) = literal_header(&i[1..])?;
            let (r, data) = literal_data(r, len, mode)?;
            Ok((r, BinaryData::Literal8(Buf::borrowed(data))))
        }
        _ => nstring(i).map(|(r, s)| (r, BinaryData::NString(s))),
    }
}

/// `"(" snippet-algorithm SP nstring ")"` after `SNIPPET` or a draft
/// `PREVIEW` (Dovecot 2.3: `SNIPPET (FUZZY "text")`, `SNIPPET (FUZZY NIL)`).
fn snippet(i: &[u8], name: SnippetName) -> IResult<'_, MessageDataItem<'_>> {
    let (r, ()) = byte(b'(')(i)?;
    let r = extra_sp(r);
    let (r, algorithm) = atom(r)?;
    let Ok(algorithm) = SnippetAlgorithm::from_atom(algorithm) else {
        return fail(i, "expected a snippet algorithm");
    };
    let (r, ()) = sps(r)?;
    let (r, text) = nstring(r)?;
    let (r, ()) = byte(b')')(extra_sp(r))?;
    Ok((
        r,
        MessageDataItem::Snippet {
            name,
            algorithm,
            text,
        },
    ))
}

/// `"(" objectid ")"` (RFC 8474).
fn paren_object_id(i: &[u8]) -> IResult<'_, ObjectId<'_>> {
    let (r, ()) = byte(b'(')(i)?;
    let (r, id) = take_while1(ObjectId::is_id_char)(extra_sp(r))?;
    if id.len() > 255 {
        return cut_fail(r, "objectid longer than 255 characters");
    }
    let (r, ()) = byte(b')')(extra_sp(r))?;
    Ok((r, ObjectId::unvalidated(id)))
}

/// A Gmail label: `\` atom (system label) or astring.
fn gmail_label(i: &[u8]) -> IResult<'_, GmailLabel<'_>> {
    match i.first() {
        Some(b'\\') => atom(&i[1..]).map(|(r, a)| (r, GmailLabel::System(a))),
        _ => astring(i).map(|(r, a)| (r, GmailLabel::Label(a))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the general path reads: length, count, verbatim.
    fn general(i: &[u8]) -> Option<(usize, u32, bool)> {
        let (r, (_, n, verbatim)) = checked_list(i, ws_count(flag_fetch)).ok()?;
        Some((i.len() - r.len(), n, verbatim))
    }

    #[test]
    fn plain_flag_lists() {
        for (list, n) in [
            (&b"()"[..], 0),
            (b"(\\Seen)", 1),
            (
                b"(\\Seen $Junk NonJunk \\Recent \\Answered \\Flagged \\Deleted \\Draft)",
                8,
            ),
            (b"(\\X-Ext [Gmail-foo)", 2),
        ] {
            let after = [list, b" UID 4)"].concat();
            assert_eq!(plain_flag_list(&after), Some((list.len(), n)));
            assert_eq!(general(&after), Some((list.len(), n, true)));
        }
        // Left to the general path: other spellings, quirks, errors, more to come.
        for list in [
            &b"(\\SEEN)"[..],
            b"(\\recent)",
            b"( \\Seen)",
            b"(\\Seen )",
            b"(\\Seen  $Junk)",
            b"(OIB-Seen-[Google Mail]/Alle)",
            b"(\\*)",
            b"(\\)",
            b"(\\Seen",
            b"(\\Seen $J",
            b"(",
            b"\\Seen",
        ] {
            assert_eq!(plain_flag_list(list), None, "{}", list.escape_ascii());
        }
    }

    /// The general path's value of `line` (a whole response), owned as the
    /// frame's path owns it (sharing `frame`, or copies).
    fn general_owned(
        line: &[u8],
        frame: Option<&Bytes>,
    ) -> Option<imapkit_proto::Response<'static>> {
        let r = crate::decode::response_general_whole(line).ok()?;
        Some(r.into_static_in(frame))
    }

    /// Where [`plain_items`] stops on the list of `line`, and how many
    /// items it read.
    fn plain_stop(line: &[u8]) -> (&'static str, usize) {
        let list = line.iter().position(|&b| b == b'(').unwrap();
        let mut out = SharedItems {
            frame: None,
            items: Vec::new(),
        };
        let stop = match plain_items(&line[list..], &mut out) {
            Plain::End(_) => "end",
            Plain::At(_) => "at",
            Plain::Other => "other",
        };
        (stop, out.items.len())
    }

    #[test]
    fn plain_items_agree_with_the_general_path() {
        for (line, stop, read) in [
            // The canonical forms of a flag update and a flag sync: read whole.
            (&b"* 10365 FETCH (UID 14365 FLAGS (\\Seen $Junk))\r\n"[..], "end", 2),
            (b"* 5086 FETCH (UID 9086 FLAGS ())\r\n", "end", 2),
            (b"* 3 FETCH (FLAGS (\\Answered \\Seen))\r\n", "end", 1),
            (b"* 3 FETCH (FLAGS (\\Seen) UID 4)\r\n", "end", 2),
            (
                b"* 3 FETCH (UID 4294967295 MODSEQ (9223372036854775807) FLAGS (\\Deleted))\r\n",
                "end",
                3,
            ),
            (b"* 3 FETCH (MODSEQ (1))\r\n", "end", 1),
            (b"* 3 FETCH (UID 1 UID 2)\r\n", "end", 2),
            (
                b"* 3 FETCH (FLAGS ($Label1 $Label2 $Label3 $Label4 \\Seen [Gmail-x))\r\n",
                "end",
                1,
            ),
            // After the list, the line's end is the general path's.
            (b"* 3 FETCH (UID 4)\n", "end", 1),
            (b"* 3 FETCH (UID 4) \r\n", "end", 1),
            // A metadata sync: the usual items, then the general loop.
            (
                b"* 1 FETCH (UID 1003 FLAGS (\\Draft) INTERNALDATE \"13-May-2026 12:25:11 +0000\" RFC822.SIZE 372003)\r\n",
                "at",
                2,
            ),
            (b"* 3 FETCH (UID 4 BODY[] {3}\r\nabc)\r\n", "at", 1),
            (b"* 3 FETCH (UID 4 (FLAGS ()))\r\n", "at", 1),
            // An item in another form: the general loop from that item.
            (b"* 3 FETCH (uid 4)\r\n", "at", 0),
            (b"* 3 FETCH (UID 7 UID 0)\r\n", "at", 1),
            (b"* 3 FETCH (UID 04)\r\n", "at", 0),
            (b"* 3 FETCH (UID  4)\r\n", "at", 0),
            (b"* 3 FETCH (UID 4FLAGS ())\r\n", "other", 1),
            (b"* 3 FETCH (FLAGS (\\SEEN) UID 4)\r\n", "at", 0),
            (b"* 3 FETCH (FLAGS ( \\Seen))\r\n", "at", 0),
            (b"* 3 FETCH (MODSEQ (0))\r\n", "at", 0),
            (b"* 3 FETCH (UID 4 MODSEQ (-1))\r\n", "at", 1),
            (b"* 3 FETCH (MODSEQ ( 5))\r\n", "at", 0),
            (b"* 3 FETCH (MODSEQ (18446744073709551615))\r\n", "at", 0),
            (b"* 3 FETCH (RFC822.SIZE 44 UID 4)\r\n", "at", 0),
            (b"* 3 FETCH (UID 4294967296)\r\n", "at", 0),
            (b"* 3 FETCH ((UID 4))\r\n", "at", 0),
            // Quirks between items and errors: the general path from the start.
            (b"* 3 FETCH (UID 4  FLAGS ())\r\n", "other", 1),
            (b"* 3 FETCH (UID 4 )\r\n", "other", 1),
            (b"* 3 FETCH ( UID 4)\r\n", "other", 0),
            (b"* 3 FETCH ()\r\n", "other", 0),
            (b"* 3 FETCH (UID 4", "other", 1),
        ] {
            let text = line.escape_ascii().to_string();
            assert_eq!(plain_stop(line), (stop, read), "{text}");
            let frame = Bytes::copy_from_slice(line);
            let crate::decode::Probe::Fetch { seq, list } = crate::decode::response_shared(line, &frame)
            else {
                panic!("{text}: not a FETCH head")
            };
            for f in [None, Some(&frame)] {
                // The frame's path decodes what the general path decodes,
                // to an equal value.
                let owned = crate::decode::fetch_owned(line, seq, list, f).ok();
                assert_eq!(owned, general_owned(line, f), "{text}");
            }
        }
    }

    /// Bytes that move a flag list between its plain form, its quirks and
    /// its errors.
    const NOISE: &[u8] = b" ()\\*]\r\x80";

    /// Whatever the plain reading reads of `list`, the general path reads
    /// to the same length and count, verbatim.
    fn assert_agree(list: &[u8]) {
        if let Some((len, n)) = plain_flag_list(list) {
            assert_eq!(
                general(list),
                Some((len, n, true)),
                "{}",
                list.escape_ascii()
            );
        }
    }

    proptest::proptest! {
        /// Flag lists built from flags, some valid, a prefix of each, and
        /// edits of them (bytes replaced, inserted or removed).
        #[test]
        fn plain_flag_lists_agree_with_the_general_path(
            flags in proptest::collection::vec(proptest::sample::select(&[
                "\\Seen", "\\SEEN", "\\Recent", "\\recent", "\\Draft", "$Junk", "\\X", "\\",
                "\\*", "a]b", "[x]", "\"q\"", "{3}", "NIL", "",
            ][..]), 0..5),
            sep in proptest::sample::select(&[" ", " ", " ", "  "][..]),
            cut in proptest::prelude::any::<proptest::sample::Index>(),
            edits in crate::decode::edits::edits(NOISE),
        ) {
            let list = ["(", &flags.join(sep), ") UID 1)"].concat().into_bytes();
            crate::decode::edits::check_edited(list, cut, edits, NOISE, usize::MAX, assert_agree);
        }
    }
}
