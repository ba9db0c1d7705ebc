//! Parsers for the building blocks of the grammar (RFC 9051 §9): numbers,
//! atoms, strings, sequence sets, flags, mailboxes, dates.

use std::num::{NonZeroU32, NonZeroU64};

use imapkit_proto::lex::HeaderTracker;
use imapkit_proto::{
    chars, AString, Atom, AtomExt, AuthMechanism, Buf, Capability, Date, DateTime, Flag, FlagFetch,
    FlagPerm, IString, Literal, LiteralMode, Mailbox, NString, Quoted, Section, SectionText,
    SeqOrUid, Sequence, SequenceSet, StatusAttribute, Tag, Text, Vec1,
};
use nom::bytes::streaming::take_while1;

use super::response::quirks;
use super::{cut_fail, fail, IResult, Kind, PError};
use crate::swar;

/// `SP`
#[inline]
pub(crate) fn sp(i: &[u8]) -> IResult<'_, ()> {
    match i.first() {
        None => Err(nom::Err::Incomplete(nom::Needed::new(1))),
        Some(b' ') => Ok((&i[1..], ())),
        Some(_) => fail(i, "expected SP"),
    }
}

/// `CRLF`
#[inline]
pub(crate) fn crlf(i: &[u8]) -> IResult<'_, ()> {
    match i {
        [b'\r', b'\n', rest @ ..] => Ok((rest, ())),
        [] | [b'\r'] => Err(nom::Err::Incomplete(nom::Needed::new(2 - i.len()))),
        _ => fail(i, "expected CRLF"),
    }
}

/// A byte, case-sensitively.
#[inline]
pub(crate) fn byte(c: u8) -> impl Fn(&[u8]) -> IResult<'_, ()> {
    move |i: &[u8]| match i.first() {
        None => Err(nom::Err::Incomplete(nom::Needed::new(1))),
        Some(&b) if b == c => Ok((&i[1..], ())),
        Some(_) => fail(i, "unexpected character"),
    }
}

/// A keyword, ASCII case-insensitively (RFC 9051 §9: the grammar is case-insensitive).
///
/// Compares in place (no per-byte iterator adaptors): a mismatch is a
/// recoverable `Tag` error, a matching but short input is `Incomplete`.
#[inline]
pub(crate) fn kw<'a>(word: &'static str) -> impl Fn(&'a [u8]) -> IResult<'a, ()> {
    move |i: &'a [u8]| {
        let w = word.as_bytes();
        let n = w.len().min(i.len());
        if !i[..n].eq_ignore_ascii_case(&w[..n]) {
            return Err(nom::Err::Error(PError {
                input: i,
                kind: Kind::Nom(nom::error::ErrorKind::Tag),
            }));
        }
        if n < w.len() {
            return Err(nom::Err::Incomplete(nom::Needed::new(w.len() - n)));
        }
        Ok((&i[n..], ()))
    }
}

/// `1*DIGIT` as `u64`, rejecting overflow.
///
/// One pass, no intermediate slice: the digits are accumulated as they are
/// scanned. Input that ends in digits is `Incomplete` (more digits may
/// follow), even if the number already overflowed, as with a scan first.
#[inline]
pub(crate) fn digits_u64(i: &[u8]) -> IResult<'_, u64> {
    let (n, k) = leading_digits(i, 19);
    if k == 19 {
        return digits_u64_long(i);
    }
    digits_end(i, k, n)
}

/// The digits at the front of `i`, at most `at_most` of them (at most 19:
/// no overflow, so no checks), as a number; and how many were read.
#[inline(always)]
fn leading_digits(i: &[u8], at_most: usize) -> (u64, usize) {
    let mut n: u64 = 0;
    let mut k = 0;
    while let Some(&b) = i.get(k) {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        n = n * 10 + u64::from(d);
        k += 1;
        if k == at_most {
            break;
        }
    }
    (n, k)
}

/// The end of [`digits_u64`] and [`digits_u64_long`], after `k` digits of
/// `i` read as `n`: incomplete if the input ends in digits, an error
/// without digits, and a note when the number has leading zeros (the
/// encoder writes it without them).
#[inline(always)]
fn digits_end(i: &[u8], k: usize, n: u64) -> IResult<'_, u64> {
    if k == i.len() {
        return Err(nom::Err::Incomplete(nom::Needed::new(1)));
    }
    if k == 0 {
        // "expected a number" (not nom's "expected at least one character").
        return Err(nom::Err::Error(PError {
            input: i,
            kind: Kind::Nom(nom::error::ErrorKind::Digit),
        }));
    }
    if k > 1 && i[0] == b'0' {
        quirks::note_not_canonical();
    }
    Ok((&i[k..], n))
}

/// [`digits_u64`] for numbers of 19 digits or more, with overflow checks.
#[cold]
#[inline(never)]
fn digits_u64_long(i: &[u8]) -> IResult<'_, u64> {
    let mut n: u64 = 0;
    let mut overflow = false;
    let mut k = 0;
    while let Some(&b) = i.get(k) {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        match n.checked_mul(10).and_then(|n| n.checked_add(u64::from(d))) {
            Some(v) => n = v,
            None => overflow = true,
        }
        k += 1;
    }
    let (rest, n) = digits_end(i, k, n)?;
    if overflow {
        return cut_fail(i, "number out of range");
    }
    Ok((rest, n))
}

/// `number`: an unsigned 32-bit integer.
#[inline]
pub(crate) fn number(i: &[u8]) -> IResult<'_, u32> {
    let (rest, n) = digits_u64(i)?;
    match u32::try_from(n) {
        Ok(n) => Ok((rest, n)),
        Err(_) => cut_fail(i, "number out of range"),
    }
}

/// `nz-number`
pub(crate) fn nz_number(i: &[u8]) -> IResult<'_, NonZeroU32> {
    let (rest, n) = number(i)?;
    match NonZeroU32::new(n) {
        Some(n) => Ok((rest, n)),
        None => cut_fail(i, "expected a non-zero number"),
    }
}

/// A number at the front of `i` in its canonical form, for the readings
/// of the usual responses that skip the general parsers (FETCH items,
/// SEARCH): 1 to `max` digits (`max` at most 19: no overflow), the first
/// not 0 (so never 0); the number and what follows it. `None` for any
/// other form, which the general parsers read (and note as a quirk, or
/// refuse).
#[inline]
pub(crate) fn plain_number(i: &[u8], max: usize) -> Option<(u64, &[u8])> {
    if i.first() == Some(&b'0') {
        return None;
    }
    let (n, k) = leading_digits(i, max);
    if k == 0 || i.get(k).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some((n, &i[k..]))
}

/// `number64` and `mod-sequence-value` (RFC 9051 §9, RFC 7162 §7), read
/// as any `u64`.
///
/// The grammar says 63 bits (0 to 2^63-1), so that languages without
/// unsigned integers can hold every value. The fields that hold these
/// numbers are `u64` (`SearchKey::Larger`, `FetchModifier::ChangedSince`,
/// `StatusItem::HighestModSeq`, ...), like those of the FETCH items that
/// real servers send above 2^63-1 (Gmail's 64-bit `X-GM-MSGID`), and the
/// encoder writes every `u64` in decimal. So that `decode(encode(x)) == x`
/// holds for every value those fields can hold, the decoder accepts the
/// whole `u64` range instead of refusing what the encoder writes; values
/// above 2^63-1 only appear if a program puts them there, and accepting
/// them harms no one (numbers above `u64::MAX` are still refused).
pub(crate) fn number64(i: &[u8]) -> IResult<'_, u64> {
    digits_u64(i)
}

/// `nz-number64` (non-zero [`number64`], any `u64`).
pub(crate) fn nz_number64(i: &[u8]) -> IResult<'_, NonZeroU64> {
    let (rest, n) = number64(i)?;
    match NonZeroU64::new(n) {
        Some(n) => Ok((rest, n)),
        None => cut_fail(i, "expected a non-zero number"),
    }
}

/// `atom`
#[inline]
pub(crate) fn atom(i: &[u8]) -> IResult<'_, Atom<'_>> {
    let (rest, a) = take_while1(chars::is_atom_char)(i)?;
    Ok((rest, Atom::unvalidated(a)))
}

/// `1*ASTRING-CHAR`
fn astring_atom(i: &[u8]) -> IResult<'_, AtomExt<'_>> {
    let (rest, a) = take_while1(chars::is_astring_char)(i)?;
    Ok((rest, AtomExt::unvalidated(a)))
}

/// `tag`
pub(crate) fn tag_(i: &[u8]) -> IResult<'_, Tag<'_>> {
    let (rest, a) = take_while1(chars::is_tag_char)(i)?;
    Ok((rest, Tag::unvalidated(a)))
}

/// `quoted`: `"` *QUOTED-CHAR `"`, unescaping `\"` and `\\`.
///
/// Accepts 8-bit bytes (UTF-8 in IMAP4rev2, and real servers' Latin-1).
#[inline(always)]
pub(crate) fn quoted(i: &[u8]) -> IResult<'_, Quoted<'_>> {
    let (body, ()) = byte(b'"')(i)?;
    // Fast path: one scan to the first byte that ends or complicates the
    // string; without escapes the content is borrowed.
    let at = quoted_stop(body);
    match body.get(at) {
        Some(b'"') => Ok((&body[at + 1..], Quoted::unvalidated(&body[..at]))),
        _ => quoted_slow(body, at),
    }
}

/// What [`quoted`] does when the scan stopped elsewhere than at the closing
/// `"`: short input, an escape or an invalid byte (out of line, so that the
/// fast path inlined into [`nstring`] and friends stays small).
#[cold]
#[inline(never)]
fn quoted_slow(body: &[u8], at: usize) -> IResult<'_, Quoted<'_>> {
    match body.get(at) {
        None => Err(nom::Err::Incomplete(nom::Needed::Unknown)),
        Some(b'\\') => quoted_escaped(body, at),
        Some(b'\r') => cut_fail(&body[at..], "CR in quoted string"),
        Some(_) => cut_fail(&body[at..], "invalid character in quoted string"),
    }
}

/// The bytes that stop the fast path of [`quoted`]: `"`, `\`, CR, LF, NUL.
static QUOTED_STOP: [bool; 256] = {
    let mut t = [false; 256];
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t[b'\r' as usize] = true;
    t[b'\n' as usize] = true;
    t[0] = true;
    t
};

/// The index of the first [`QUOTED_STOP`] byte of `b`, or `b.len()`.
///
/// Eight bytes at a time (SWAR, safe code): a word is flagged if a byte is
/// `"`, `\` or below 0x0E (which covers NUL, LF and CR). The lowest flagged
/// byte is always a real match of one of the three tests (borrows only
/// propagate upwards), and the table decides whether it stops the string
/// (a TAB, say, does not). Quoted strings in FETCH data are mostly 5 to 60
/// bytes long, where this beats `memchr` (whose set-up dominates) and a
/// byte-at-a-time loop.
#[inline(always)]
pub(crate) fn quoted_stop(b: &[u8]) -> usize {
    let mut k = 0;
    while let Some(chunk) = b.get(k..k + 8) {
        let x = swar::word(chunk);
        let m = swar::below(x, 0x0E) | swar::eq_lowest(x, b'"') | swar::eq_lowest(x, b'\\');
        if m == 0 {
            k += 8;
            continue;
        }
        let at = k + swar::lowest(m);
        if QUOTED_STOP[b[at] as usize] {
            return at;
        }
        k = at + 1;
    }
    while k < b.len() && !QUOTED_STOP[b[k] as usize] {
        k += 1;
    }
    k
}

/// The index of the first `x` or `y` in `b`, eight bytes at a time (as
/// [`quoted_stop`]): for short searches on the hot paths (a STATUS
/// attribute's end), where `memchr2`'s set-up costs more than the search.
#[inline]
pub(crate) fn find_either(b: &[u8], x: u8, y: u8) -> Option<usize> {
    let mut k = 0;
    while let Some(chunk) = b.get(k..k + 8) {
        let w = swar::word(chunk);
        let m = swar::eq_lowest(w, x) | swar::eq_lowest(w, y);
        if m != 0 {
            return Some(k + swar::lowest(m));
        }
        k += 8;
    }
    b[k..].iter().position(|&c| c == x || c == y).map(|n| k + n)
}

/// The slow path of [`quoted`]: the content has escapes; it is copied once.
fn quoted_escaped(body: &[u8], first_escape: usize) -> IResult<'_, Quoted<'_>> {
    let head = &body[..first_escape];
    if let Some(bad) = head.iter().position(|&b| b == b'\n' || b == 0) {
        return cut_fail(&body[bad..], "invalid character in quoted string");
    }
    let mut out = Vec::with_capacity(body.len().min(256));
    out.extend_from_slice(head);
    let mut k = first_escape;
    loop {
        match body.get(k) {
            None => return Err(nom::Err::Incomplete(nom::Needed::Unknown)),
            Some(b'"') => return Ok((&body[k + 1..], Quoted::unvalidated(Buf::from(out)))),
            Some(b'\\') => match body.get(k + 1) {
                None => return Err(nom::Err::Incomplete(nom::Needed::Unknown)),
                Some(&c @ (b'"' | b'\\')) => {
                    out.push(c);
                    k += 2;
                }
                Some(_) => return cut_fail(&body[k..], "invalid escape in quoted string"),
            },
            Some(&c) if chars::is_text_char(c) => {
                out.push(c);
                k += 1;
            }
            Some(_) => return cut_fail(&body[k..], "invalid character in quoted string"),
        }
    }
}

/// A literal header `{n}` or `{n+}` followed by CRLF; returns the length and mode.
///
/// The header is read by [`HeaderTracker`], the framer's own definition of
/// a literal header, so both agree on every header (leading zeros of any
/// number, `+`). Lengths above `u32::MAX` are refused (the framer's limits
/// refuse them earlier).
pub(crate) fn literal_header(i: &[u8]) -> IResult<'_, (u32, LiteralMode)> {
    let (_, ()) = byte(b'{')(i)?;
    let mut t = HeaderTracker::new();
    t.push(b'{');
    let mut k = 1;
    let header = loop {
        let Some(&b) = i.get(k) else {
            return Err(nom::Err::Incomplete(nom::Needed::new(1)));
        };
        t.push(b);
        k += 1;
        if let Some(h) = t.header() {
            break h;
        }
        if b == b'{' || !t.in_header() {
            return match k {
                2 => Err(nom::Err::Error(PError {
                    input: &i[1..],
                    kind: Kind::Nom(nom::error::ErrorKind::TakeWhile1),
                })),
                _ => fail(&i[k - 1..], "unexpected character"),
            };
        }
    };
    let digits = &i[1..k - 1 - usize::from(header.mode == LiteralMode::NonSync)];
    let Ok(len) = u32::try_from(header.len) else {
        return cut_fail(&i[1..], "number out of range");
    };
    if digits.len() > 1 && digits[0] == b'0' {
        quirks::note_not_canonical();
    }
    if header.mode == LiteralMode::NonSync {
        // Valid in commands only: the response decoders refuse it.
        quirks::note_non_sync(i);
    }
    let (i, ()) = crlf(&i[k..])?;
    Ok((i, (len, header.mode)))
}

/// Takes `len` bytes of literal data, or reports the literal as announced.
pub(crate) fn literal_data(i: &[u8], len: u32, mode: LiteralMode) -> IResult<'_, &[u8]> {
    let n = len as usize;
    if i.len() < n {
        return Err(nom::Err::Failure(PError {
            input: i,
            kind: Kind::Literal { len, mode },
        }));
    }
    Ok((&i[n..], &i[..n]))
}

/// `literal`
pub(crate) fn literal(i: &[u8]) -> IResult<'_, Literal<'_>> {
    let (i, (len, mode)) = literal_header(i)?;
    let (i, data) = literal_data(i, len, mode)?;
    Ok((i, Literal::unvalidated(data, mode)))
}

/// `string`: quoted or literal.
#[inline]
pub(crate) fn string(i: &[u8]) -> IResult<'_, IString<'_>> {
    match i.first() {
        None => Err(nom::Err::Incomplete(nom::Needed::new(1))),
        Some(b'"') => quoted(i).map(|(r, q)| (r, IString::Quoted(q))),
        Some(b'{') => literal(i).map(|(r, l)| (r, IString::Literal(l))),
        Some(_) => fail(i, "expected a string"),
    }
}

/// `nil`
#[inline]
pub(crate) fn nil(i: &[u8]) -> IResult<'_, ()> {
    match i {
        [b'N', b'I', b'L', rest @ ..] => Ok((rest, ())),
        [a, b, c, rest @ ..] if (a | 0x20) == b'n' && (b | 0x20) == b'i' && (c | 0x20) == b'l' => {
            quirks::note_not_canonical();
            Ok((rest, ()))
        }
        _ => kw("NIL")(i),
    }
}

/// `nstring`: a string or `NIL`.
#[inline(always)]
pub(crate) fn nstring(i: &[u8]) -> IResult<'_, NString<'_>> {
    // Dispatch on the first byte; the quoted fast path is inlined here (the
    // common case in envelopes and body structures), literals are not.
    match i.first() {
        Some(b'"') => quoted(i).map(|(r, q)| (r, NString(Some(IString::Quoted(q))))),
        Some(b'n' | b'N') => nil(i).map(|(r, ())| (r, NString(None))),
        _ => nstring_other(i),
    }
}

/// [`nstring`] for anything but a quoted string or `NIL`: a literal, short
/// input or an error.
#[inline(never)]
fn nstring_other(i: &[u8]) -> IResult<'_, NString<'_>> {
    string(i).map(|(r, s)| (r, NString(Some(s))))
}

/// `astring`
#[inline]
pub(crate) fn astring(i: &[u8]) -> IResult<'_, AString<'_>> {
    match i.first() {
        None => Err(nom::Err::Incomplete(nom::Needed::new(1))),
        Some(b'"' | b'{') => string(i).map(|(r, s)| (r, AString::String(s))),
        Some(_) => astring_atom(i).map(|(r, a)| (r, AString::Atom(a))),
    }
}

/// `text`: the rest of the line up to CRLF (possibly empty).
pub(crate) fn text(i: &[u8]) -> IResult<'_, Text<'_>> {
    // As `take_while(is_text_char)`: incomplete while no byte ends it.
    let n = text_stop(i);
    if n == i.len() {
        return Err(nom::Err::Incomplete(nom::Needed::new(1)));
    }
    Ok((&i[n..], Text::unvalidated(&i[..n])))
}

/// The index of the first byte of `b` that is not a `TEXT-CHAR` (NUL, CR
/// or LF), or `b.len()`; eight bytes at a time, as [`quoted_stop`] (all
/// three are below 0x0E).
#[inline]
pub(crate) fn text_stop(b: &[u8]) -> usize {
    let mut k = 0;
    while let Some(chunk) = b.get(k..k + 8) {
        let m = swar::below(swar::word(chunk), 0x0E);
        if m == 0 {
            k += 8;
            continue;
        }
        let at = k + swar::lowest(m);
        if !chars::is_text_char(b[at]) {
            return at;
        }
        k = at + 1;
    }
    while k < b.len() && chars::is_text_char(b[k]) {
        k += 1;
    }
    k
}

/// `mailbox`
pub(crate) fn mailbox(i: &[u8]) -> IResult<'_, Mailbox<'_>> {
    let (rest, a) = astring(i)?;
    Ok((rest, Mailbox::from_astring(a)))
}

/// `seq-number`: `nz-number`, or `*` where `star` allows it.
#[inline(always)]
fn seq_number(i: &[u8], star: bool) -> IResult<'_, SeqOrUid> {
    match i.first() {
        Some(b'*') if star => Ok((&i[1..], SeqOrUid::Asterisk)),
        Some(b'*') => cut_fail(i, "\"*\" is not allowed in this set"),
        _ => nz_number(i).map(|(r, n)| (r, SeqOrUid::Value(n))),
    }
}

/// `sequence-set`, including `$` (RFC 5182).
pub(crate) fn sequence_set(i: &[u8]) -> IResult<'_, SequenceSet> {
    set(i, true, true)
}

/// RFC 7162's `known-uids`, `known-sequence-set` and `known-uid-set` in
/// QRESYNC's `select-param`: a `sequence-set` in which "`*` is not
/// allowed" (RFC 7162 §7). `$` stays: RFC 5182 adds it to `sequence-set`
/// in every command.
pub(crate) fn known_set(i: &[u8]) -> IResult<'_, SequenceSet> {
    set(i, false, true)
}

/// A `sequence-set` a server sends (`[MODIFIED]`, RFC 7162 §7; ESEARCH's
/// `ALL` and `PARTIAL` results, RFC 4731 §3, RFC 9394 §4): `*` is in the
/// grammar, `$` is not: RFC 5182 adds `seq-last-command` to the sets of
/// commands, where it names a result the client saved.
pub(crate) fn response_set(i: &[u8]) -> IResult<'_, SequenceSet> {
    set(i, true, false)
}

/// `uid-set` (RFC 9051 §9, RFC 4315 §4: `APPENDUID`, `COPYUID`) and the
/// `known-uids` of a server's `VANISHED` (RFC 7162 §7): numbers and ranges
/// of `nz-number`s, neither `*` nor `$` (RFC 5182's `$` names a result
/// the client saved; a server never sends it).
pub(crate) fn uid_set(i: &[u8]) -> IResult<'_, SequenceSet> {
    set(i, false, false)
}

/// A `sequence-set`, with `*` and `$` where `star` and `dollar` allow them.
#[inline(always)]
fn set(i: &[u8], star: bool, dollar: bool) -> IResult<'_, SequenceSet> {
    if let Some(b'$') = i.first() {
        if dollar {
            return Ok((&i[1..], SequenceSet::LastResult));
        }
        return cut_fail(i, "\"$\" is not allowed in this set");
    }
    // The room the first push would allocate, without the growth path
    // (a call more per set: most sets are one number or range).
    let mut items = Vec::with_capacity(4);
    let mut i = i;
    loop {
        let (r, a) = seq_number(i, star)?;
        let (r, item) = match r.first() {
            None => return Err(nom::Err::Incomplete(nom::Needed::new(1))),
            Some(b':') => {
                let (r, b) = seq_number(&r[1..], star)?;
                (r, Sequence::Range(a, b))
            }
            Some(_) => (r, Sequence::Single(a)),
        };
        items.push(item);
        match r.first() {
            None => return Err(nom::Err::Incomplete(nom::Needed::new(1))),
            Some(b',') => i = &r[1..],
            Some(_) => return Ok((r, SequenceSet::Set(Vec1::unvalidated(items)))),
        }
    }
}

/// `flag`: a system flag, `\`-extension, or keyword.
pub(crate) fn flag(i: &[u8]) -> IResult<'_, Flag<'_>> {
    match i.first() {
        Some(b'\\') => {
            let (r, a) = atom(&i[1..])?;
            let f = Flag::system(a);
            let canonical: &[u8] = match &f {
                Flag::Seen => b"Seen",
                Flag::Answered => b"Answered",
                Flag::Flagged => b"Flagged",
                Flag::Deleted => b"Deleted",
                Flag::Draft => b"Draft",
                _ => &[],
            };
            if !canonical.is_empty() && &i[1..i.len() - r.len()] != canonical {
                quirks::note_not_canonical();
            }
            Ok((r, f))
        }
        _ => atom(i).map(|(r, a)| (r, Flag::Keyword(a))),
    }
}

/// `flag-fetch`: a flag or `\Recent`.
pub(crate) fn flag_fetch(i: &[u8]) -> IResult<'_, FlagFetch<'_>> {
    let (r, f) = flag(i)?;
    Ok((
        r,
        match f {
            Flag::Extension(a) if a.as_bytes().eq_ignore_ascii_case(b"Recent") => {
                if a.as_bytes() != b"Recent" {
                    quirks::note_not_canonical();
                }
                FlagFetch::Recent
            }
            f => FlagFetch::Flag(f),
        },
    ))
}

/// `flag-perm`: a flag or `\*`.
pub(crate) fn flag_perm(i: &[u8]) -> IResult<'_, FlagPerm<'_>> {
    if i.starts_with(b"\\*") {
        return Ok((&i[2..], FlagPerm::Asterisk));
    }
    if i == b"\\" {
        return Err(nom::Err::Incomplete(nom::Needed::new(1)));
    }
    flag(i).map(|(r, f)| (r, FlagPerm::Flag(f)))
}

/// `"(" [x *(SP x)] ")"`
pub(crate) fn paren_list<'a, T>(
    item: impl Fn(&'a [u8]) -> IResult<'a, T>,
) -> impl Fn(&'a [u8]) -> IResult<'a, Vec<T>> {
    // FETCH attribute and header-field lists often hold 5 to 8 items: one
    // allocation instead of growing from 4.
    paren_list_sized(item, |_| 8)
}

/// [`paren_list`] whose allocation has room for `capacity(list)` items,
/// `list` being the input after the `(`.
#[inline]
fn paren_list_sized<'a, T>(
    item: impl Fn(&'a [u8]) -> IResult<'a, T>,
    capacity: impl Fn(&[u8]) -> usize,
) -> impl Fn(&'a [u8]) -> IResult<'a, Vec<T>> {
    paren_list_map(item, |x| x, capacity)
}

/// [`paren_list_sized`] with each item given to `map` on its way into the
/// list: after it has left the item parser's `Result`, not inside it (a
/// value made in the parser's tuple and copied out of it at once waits
/// for the writes that made it; `header_list`'s owned names did).
#[inline]
fn paren_list_map<'a, T, U>(
    item: impl Fn(&'a [u8]) -> IResult<'a, T>,
    map: impl Fn(T) -> U,
    capacity: impl Fn(&[u8]) -> usize,
) -> impl Fn(&'a [u8]) -> IResult<'a, Vec<U>> {
    move |i: &'a [u8]| {
        let (mut i, ()) = byte(b'(')(i)?;
        if let Some(b')') = i.first() {
            return Ok((&i[1..], Vec::new()));
        }
        let mut out = Vec::with_capacity(capacity(i));
        loop {
            let (r, x) = item(i)?;
            out.push(map(x));
            match r.first() {
                None => return Err(nom::Err::Incomplete(nom::Needed::new(1))),
                Some(b' ') => i = &r[1..],
                Some(b')') => return Ok((&r[1..], out)),
                Some(_) => return fail(r, "expected SP or )"),
            }
        }
    }
}

/// `"(" x *(SP x) ")"`: a non-empty list.
pub(crate) fn paren_list1<'a, T>(
    item: impl Fn(&'a [u8]) -> IResult<'a, T>,
) -> impl Fn(&'a [u8]) -> IResult<'a, Vec1<T>> {
    let list = paren_list(item);
    move |i: &'a [u8]| {
        let (r, v) = list(i)?;
        match Vec1::try_from(v) {
            Ok(v) => Ok((r, v)),
            Err(_) => fail(i, "expected a non-empty list"),
        }
    }
}

/// `x *(SP x)`: items separated by single spaces (no parentheses).
pub(crate) fn sp_list1<'a, T>(
    item: impl Fn(&'a [u8]) -> IResult<'a, T>,
) -> impl Fn(&'a [u8]) -> IResult<'a, Vec1<T>> {
    move |i: &'a [u8]| {
        let (mut i, first) = item(i)?;
        // Room for a few items: `vec![first]` would grow at the second.
        let mut out = Vec::with_capacity(4);
        out.push(first);
        while let Some(b' ') = i.first() {
            match item(&i[1..]) {
                Ok((r, x)) => {
                    out.push(x);
                    i = r;
                }
                Err(nom::Err::Error(_)) => break,
                Err(e) => return Err(e),
            }
        }
        Ok((i, Vec1::unvalidated(out)))
    }
}

/// `flag-list`: `"(" [flag *(SP flag)] ")"`, with `flag` reading each flag
/// ([`flag`], and making it owned for the command decoder's owned output).
#[inline]
pub(crate) fn flag_list_with<'a, T>(
    flag: impl Fn(&'a [u8]) -> IResult<'a, T>,
) -> impl Fn(&'a [u8]) -> IResult<'a, Vec<T>> {
    paren_list_sized(flag, flag_count)
}

/// The number of flags in a flag list (after its `(`), when its `)` is in
/// sight: a flag holds neither SP nor `)`, so they are one more than the
/// SPs before the `)`. A list of 2 flags then takes room for 2, not 8
/// that an owned copy would give back by moving it (see
/// `imapkit_proto::trim_spare_capacity`).
fn flag_count(list: &[u8]) -> usize {
    let window = &list[..list.len().min(256)];
    match memchr::memchr(b')', window) {
        Some(end) => window[..end].iter().filter(|&&b| b == b' ').count() + 1,
        None => 8,
    }
}

fn month(i: &[u8]) -> IResult<'_, u8> {
    if i.len() < 3 {
        // Keep prefixes incomplete only if they could still be a month.
        let ok = imapkit_proto::MONTHS
            .iter()
            .any(|m| m.as_bytes()[..i.len()].eq_ignore_ascii_case(i));
        return if ok {
            Err(nom::Err::Incomplete(nom::Needed::new(3 - i.len())))
        } else {
            fail(i, "expected a month name")
        };
    }
    match month_number([i[0], i[1], i[2]]) {
        Some(p) => Ok((&i[3..], p)),
        None => fail(i, "expected a month name"),
    }
}

/// The number (1 to 12) of a month's three-letter name, in any case.
#[inline]
fn month_number(name: [u8; 3]) -> Option<u8> {
    // Lower case for letters; other bytes stay unequal to every name.
    let [a, b, c] = name.map(|x| if x.is_ascii_alphabetic() { x | 0x20 } else { x });
    Some(match &[a, b, c] {
        b"jan" => 1,
        b"feb" => 2,
        b"mar" => 3,
        b"apr" => 4,
        b"may" => 5,
        b"jun" => 6,
        b"jul" => 7,
        b"aug" => 8,
        b"sep" => 9,
        b"oct" => 10,
        b"nov" => 11,
        b"dec" => 12,
        _ => return None,
    })
}

fn fixed_digits(i: &[u8], n: usize) -> IResult<'_, u32> {
    let avail = i.len().min(n);
    if let Some(p) = i[..avail].iter().position(|b| !b.is_ascii_digit()) {
        return fail(&i[p..], "expected a digit");
    }
    if i.len() < n {
        return Err(nom::Err::Incomplete(nom::Needed::new(n - i.len())));
    }
    let v = i[..n].iter().fold(0u32, |a, &b| a * 10 + (b - b'0') as u32);
    Ok((&i[n..], v))
}

/// `date-text`: `date-day "-" date-month "-" date-year`.
fn date_text(i: &[u8]) -> IResult<'_, Date> {
    let start = i;
    let (i, d) = take_while1(|b: u8| b.is_ascii_digit())(i)?;
    if d.len() > 2 {
        return fail(start, "expected a day of 1 or 2 digits");
    }
    let day = d.iter().fold(0u8, |a, &b| a * 10 + (b - b'0'));
    let (i, ()) = byte(b'-')(i)?;
    let (i, month) = month(i)?;
    let (i, ()) = byte(b'-')(i)?;
    let (i, year) = fixed_digits(i, 4)?;
    match Date::new(year as u16, month, day) {
        Ok(date) => Ok((i, date)),
        Err(_) => cut_fail(start, "invalid date"),
    }
}

/// `date`: `date-text` or `DQUOTE date-text DQUOTE`.
pub(crate) fn date(i: &[u8]) -> IResult<'_, Date> {
    match i.first() {
        Some(b'"') => {
            let (r, d) = date_text(&i[1..])?;
            let (r, ()) = byte(b'"')(r)?;
            Ok((r, d))
        }
        _ => date_text(i),
    }
}

/// `date-time`: `DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE`.
pub(crate) fn date_time(i: &[u8]) -> IResult<'_, DateTime> {
    match date_time_fields(i) {
        Some((r, f)) => date_time_checked(i, r, f),
        None => date_time_general(i),
    }
}

/// The fields of a `date-time` in its fixed 28-byte form
/// (`"dd-Mon-yyyy hh:mm:ss +zzzz"`, the day's first digit possibly a
/// space), read at once: day, month, year, hour, minute, second, zone
/// sign and zone digits. `None` for anything else (short input too),
/// which [`date_time_general`] reads byte by byte with the same result.
#[inline]
fn date_time_fields(i: &[u8]) -> Option<(&[u8], [u32; 8])> {
    let (b, r) = i.split_first_chunk::<28>()?;
    let digits = |from: usize, n: usize| -> Option<u32> {
        b[from..from + n].iter().try_fold(0u32, |a, &c| {
            c.is_ascii_digit().then(|| a * 10 + u32::from(c - b'0'))
        })
    };
    if b[0] != b'"' || b[3] != b'-' || b[7] != b'-' || b[12] != b' ' || b[15] != b':' {
        return None;
    }
    if b[18] != b':' || b[21] != b' ' || b[27] != b'"' {
        return None;
    }
    let day = match b[1] {
        b' ' => digits(2, 1)?,
        _ => digits(1, 2)?,
    };
    let month = u32::from(month_number([b[4], b[5], b[6]])?);
    let sign = match b[22] {
        b'+' => 1,
        b'-' => 0,
        _ => return None,
    };
    let fields = [
        day,
        month,
        digits(8, 4)?,
        digits(13, 2)?,
        digits(16, 2)?,
        digits(19, 2)?,
        sign,
        digits(23, 4)?,
    ];
    Some((r, fields))
}

/// Checks and builds a `date-time` from its fields (see
/// [`date_time_fields`]); `start` is where it began, `r` what follows it.
fn date_time_checked<'a>(start: &'a [u8], r: &'a [u8], f: [u32; 8]) -> IResult<'a, DateTime> {
    let [day, month, year, hour, minute, second, plus, zone] = f;
    let sign = if plus == 1 { 1i16 } else { -1i16 };
    let zone_minutes = sign * ((zone / 100) as i16 * 60 + (zone % 100) as i16);
    if zone % 100 >= 60 {
        return cut_fail(start, "invalid zone");
    }
    let Ok(date) = Date::new(year as u16, month as u8, day as u8) else {
        return cut_fail(start, "invalid date");
    };
    match DateTime::new(date, hour as u8, minute as u8, second as u8, zone_minutes) {
        Ok(dt) => Ok((r, dt)),
        Err(_) => cut_fail(start, "invalid time"),
    }
}

/// `date-time` byte by byte, every form and every error (see [`date_time`]).
#[inline(never)]
fn date_time_general(i: &[u8]) -> IResult<'_, DateTime> {
    let start = i;
    let (i, ()) = byte(b'"')(i)?;
    // date-day-fixed = (SP DIGIT) / 2DIGIT
    let (i, day) = match i.first() {
        None => return Err(nom::Err::Incomplete(nom::Needed::new(2))),
        Some(b' ') => fixed_digits(&i[1..], 1)?,
        Some(_) => fixed_digits(i, 2)?,
    };
    let (i, ()) = byte(b'-')(i)?;
    let (i, month) = month(i)?;
    let (i, ()) = byte(b'-')(i)?;
    let (i, year) = fixed_digits(i, 4)?;
    let (i, ()) = sp(i)?;
    let (i, hour) = fixed_digits(i, 2)?;
    let (i, ()) = byte(b':')(i)?;
    let (i, minute) = fixed_digits(i, 2)?;
    let (i, ()) = byte(b':')(i)?;
    let (i, second) = fixed_digits(i, 2)?;
    let (i, ()) = sp(i)?;
    let (i, sign) = match i.first() {
        None => return Err(nom::Err::Incomplete(nom::Needed::new(5))),
        Some(b'+') => (&i[1..], 1i16),
        Some(b'-') => (&i[1..], -1i16),
        Some(_) => return fail(i, "expected + or - of a zone"),
    };
    let (i, zone) = fixed_digits(i, 4)?;
    let (i, ()) = byte(b'"')(i)?;
    let plus = u32::from(sign == 1);
    let fields = [
        day,
        u32::from(month),
        year,
        hour,
        minute,
        second,
        plus,
        zone,
    ];
    date_time_checked(start, i, fields)
}

/// `capability`: an atom mapped onto [`Capability`].
pub(crate) fn capability(i: &[u8]) -> IResult<'_, Capability<'_>> {
    atom(i).map(|(r, a)| (r, Capability::from_atom(a)))
}

/// `auth-type`: an atom mapped onto [`AuthMechanism`].
pub(crate) fn auth_mechanism(i: &[u8]) -> IResult<'_, AuthMechanism<'_>> {
    atom(i).map(|(r, a)| (r, AuthMechanism::from_atom(a)))
}

/// `status-att`
/// `"(" status-att *(SP status-att) ")"` (RFC 9051 §6.3.11): the usual
/// list (names separated by single spaces) read in one loop, any other
/// input by `paren_list1(status_attribute)` from the `(`, with its errors.
/// (A client asks STATUS of every mailbox it shows: on the command
/// decoder's hot path.)
pub(crate) fn status_att_list(i: &[u8]) -> IResult<'_, Vec1<StatusAttribute>> {
    let generic = |i| paren_list1(status_attribute)(i);
    let Some(mut r) = i.strip_prefix(b"(") else {
        return generic(i);
    };
    let mut out = Vec::with_capacity(8);
    loop {
        // Every name is an atom: a slice that runs past the list's end (or
        // holds any byte a name does not) matches none.
        let n = find_either(r, b' ', b')');
        let (Some(n), Some(a)) = (n, n.and_then(|n| StatusAttribute::from_name(&r[..n]))) else {
            return generic(i);
        };
        out.push(a);
        match r[n] {
            b' ' => r = &r[n + 1..],
            b')' => return Ok((&r[n + 1..], Vec1::unvalidated(out))),
            _ => return generic(i),
        }
    }
}

pub(crate) fn status_attribute(i: &[u8]) -> IResult<'_, StatusAttribute> {
    let (r, a) = atom(i)?;
    match StatusAttribute::from_name(a.as_bytes()) {
        Some(s) => Ok((r, s)),
        None => fail(i, "unknown STATUS attribute"),
    }
}

/// `header-list`: `"(" header-fld-name *(SP header-fld-name) ")"`, each
/// name given to `own` (see [`section_with`]) once [`astring`] has
/// returned it ([`paren_list_map`]). Header field lists often hold 5 to 8
/// names (as [`paren_list`]).
fn header_list<'a, 'o>(
    i: &'a [u8],
    own: impl Fn(AString<'a>) -> AString<'o>,
) -> IResult<'a, Vec1<AString<'o>>> {
    let (r, names) = paren_list_map(astring, own, |_| 8)(i)?;
    match Vec1::try_from(names) {
        Ok(names) => Ok((r, names)),
        Err(_) => fail(i, "expected a non-empty list"),
    }
}

/// `section-msgtext` or `MIME`.
fn section_text<'a, 'o>(
    i: &'a [u8],
    with_part: bool,
    own: impl Fn(AString<'a>) -> AString<'o>,
) -> IResult<'a, SectionText<'o>> {
    let (r, word) = take_while1(|b: u8| b.is_ascii_alphabetic() || b == b'.')(i)?;
    let w = |s: &str| chars::eq_keyword(word, s.as_bytes());
    if w("HEADER") {
        Ok((r, SectionText::Header))
    } else if w("TEXT") {
        Ok((r, SectionText::Text))
    } else if w("MIME") && with_part {
        Ok((r, SectionText::Mime))
    } else if w("HEADER.FIELDS") {
        let (r, ()) = sp(r)?;
        header_list(r, own).map(|(r, l)| (r, SectionText::HeaderFields(l)))
    } else if w("HEADER.FIELDS.NOT") {
        let (r, ()) = sp(r)?;
        header_list(r, own).map(|(r, l)| (r, SectionText::HeaderFieldsNot(l)))
    } else {
        fail(i, "expected HEADER, HEADER.FIELDS, TEXT or MIME")
    }
}

/// `section`: `"[" [section-spec] "]"`.
pub(crate) fn section(i: &[u8]) -> IResult<'_, Section<'_>> {
    section_with(i, |name| name)
}

/// [`section`], each header field name given to `own` as it is read (the
/// command decoder's owned output makes it a slice of the frame there).
pub(crate) fn section_with<'a, 'o>(
    i: &'a [u8],
    own: impl Fn(AString<'a>) -> AString<'o>,
) -> IResult<'a, Section<'o>> {
    let (mut r, ()) = byte(b'[')(i)?;
    // The part path: its first numbers on the stack (most paths have one
    // or two, which `Section::with_part` holds without an allocation),
    // any more in `long`.
    let mut short = [NonZeroU32::MIN; 4];
    let mut len = 0;
    let mut long = Vec::new();
    let mut text = None;
    if r.first().is_some_and(|b| b.is_ascii_digit()) {
        loop {
            let (r2, n) = nz_number(r)?;
            if len < short.len() {
                short[len] = n;
                len += 1;
            } else {
                if long.is_empty() {
                    long.extend_from_slice(&short);
                }
                long.push(n);
            }
            match r2 {
                [b'.', d, ..] if d.is_ascii_digit() => r = &r2[1..],
                [b'.', ..] => {
                    let (r3, t) = section_text(&r2[1..], true, own)?;
                    text = Some(t);
                    r = r3;
                    break;
                }
                [] => return Err(nom::Err::Incomplete(nom::Needed::new(1))),
                _ => {
                    r = r2;
                    break;
                }
            }
        }
    } else if r.first().is_some_and(|b| b.is_ascii_alphabetic()) {
        let (r2, t) = section_text(r, false, own)?;
        text = Some(t);
        r = r2;
    }
    let (r, ()) = byte(b']')(r)?;
    let part = if long.is_empty() {
        &short[..len]
    } else {
        &long[..]
    };
    match Section::with_part(part, text) {
        Ok(s) => Ok((r, s)),
        Err(_) => fail(i, "invalid section"),
    }
}

/// `section-binary`: `"[" [section-part] "]"`.
pub(crate) fn section_binary(i: &[u8]) -> IResult<'_, Vec<NonZeroU32>> {
    let (mut r, ()) = byte(b'[')(i)?;
    let mut part = Vec::new();
    if r.first() != Some(&b']') {
        loop {
            let (r2, n) = nz_number(r)?;
            part.push(n);
            match r2.first() {
                Some(b'.') => r = &r2[1..],
                _ => {
                    r = r2;
                    break;
                }
            }
        }
    }
    let (r, ()) = byte(b']')(r)?;
    Ok((r, part))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_u64_at_the_overflow_boundary() {
        for n in [
            0,
            9,
            10,
            999_999_999_999_999_999,
            1_000_000_000_000_000_000,
            u64::MAX - 1,
            u64::MAX,
        ] {
            let s = format!("{n} ");
            assert_eq!(digits_u64(s.as_bytes()), Ok((&b" "[..], n)), "{n}");
            assert!(matches!(
                digits_u64(&s.as_bytes()[..s.len() - 1]),
                Err(nom::Err::Incomplete(_))
            ));
        }
        assert!(matches!(
            digits_u64(b"18446744073709551616 "),
            Err(nom::Err::Failure(_))
        ));
        assert!(matches!(
            digits_u64(b"99999999999999999999999 "),
            Err(nom::Err::Failure(_))
        ));
        assert_eq!(
            digits_u64(b"0000000000000000000000042)"),
            Ok((&b")"[..], 42))
        );
        assert!(matches!(digits_u64(b"x"), Err(nom::Err::Error(_))));
    }

    fn complete<'a, T: std::fmt::Debug>(
        p: impl Fn(&'a [u8]) -> IResult<'a, T>,
        i: &'a [u8],
    ) -> (T, &'a [u8]) {
        let (r, v) =
            p(i).unwrap_or_else(|e| panic!("{:?} on {:?}", e, i.escape_ascii().to_string()));
        (v, r)
    }

    #[test]
    fn quoted_unescapes() {
        let (q, r) = complete(quoted, b"\"a\\\"b\\\\c\" x");
        assert_eq!(q.as_bytes(), b"a\"b\\c");
        assert_eq!(r, b" x");
        assert!(matches!(quoted(b"\"abc"), Err(nom::Err::Incomplete(_))));
        assert!(matches!(quoted(b"\"a\rb\""), Err(nom::Err::Failure(_))));
        assert!(matches!(quoted(b"\"a\\x\""), Err(nom::Err::Failure(_))));
    }

    #[test]
    fn literal_announced() {
        let e = literal(b"{5}\r\nab").unwrap_err();
        assert!(matches!(
            e,
            nom::Err::Failure(PError {
                kind: Kind::Literal {
                    len: 5,
                    mode: LiteralMode::Sync
                },
                ..
            })
        ));
        let (l, r) = complete(literal, b"{5+}\r\nhello)");
        assert_eq!(l.data(), b"hello");
        assert_eq!(l.mode(), LiteralMode::NonSync);
        assert_eq!(r, b")");
    }

    #[test]
    fn sequence_sets() {
        let (s, r) = complete(sequence_set, b"1,3:5,7:* ");
        assert_eq!(s, SequenceSet::try_from("1,3:5,7:*").unwrap());
        assert_eq!(r, b" ");
        assert!(matches!(
            sequence_set(b"1,3:5"),
            Err(nom::Err::Incomplete(_))
        ));
        assert!(sequence_set(b"0 ").is_err());
    }

    #[test]
    fn date_times() {
        let (d, _) = complete(date_time, b"\"17-Jul-1996 02:44:25 -0700\"");
        assert_eq!(d.unix_timestamp(), 837_596_665);
        let (d, _) = complete(date_time, b"\" 1-Feb-2000 00:00:00 +0000\"");
        assert_eq!(d.date().day(), 1);
        assert!(date_time(b"\"17-Jux-1996 02:44:25 -0700\"").is_err());
        assert!(matches!(
            date_time(b"\"17-Ju"),
            Err(nom::Err::Incomplete(_))
        ));
        let (d, _) = complete(date, b"1-Feb-1994 ");
        assert_eq!((d.year(), d.month(), d.day()), (1994, 2, 1));
    }

    #[test]
    fn sections() {
        let (s, _) = complete(section, b"[1.2.HEADER.FIELDS (From To)] ");
        assert_eq!(s.part().len(), 2);
        assert!(matches!(s.text_spec(), Some(SectionText::HeaderFields(l)) if l.len() == 2));
        let (s, _) = complete(section, b"[] ");
        assert_eq!(s, Section::whole());
        let (s, _) = complete(section, b"[4.1.MIME] ");
        assert_eq!(s.text_spec(), Some(&SectionText::Mime));
        assert!(section(b"[MIME] ").is_err());
        assert!(matches!(section(b"[1."), Err(nom::Err::Incomplete(_))));
    }

    #[test]
    fn numbers() {
        assert_eq!(complete(number, b"4294967295 ").0, u32::MAX);
        assert!(matches!(number(b"4294967296 "), Err(nom::Err::Failure(_))));
        assert_eq!(
            complete(number64, b"9223372036854775807 ").0,
            i64::MAX as u64
        );
        // Defect D (issue 14): the whole u64 range, as the fields hold.
        assert_eq!(complete(number64, b"18446744073709551615 ").0, u64::MAX);
        assert!(matches!(
            number64(b"18446744073709551616 "),
            Err(nom::Err::Failure(_))
        ));
        assert!(matches!(number(b"12"), Err(nom::Err::Incomplete(_))));
    }

    /// `date_time` reads the fixed 28-byte form at once and everything
    /// else byte by byte: it must give what the byte-by-byte reading gives
    /// (value and end, or the failure's kind and offset), for valid dates,
    /// their prefixes and random edits of them.
    mod date_time_fast_path {
        use super::super::*;
        use crate::decode::edits;
        use crate::Encode;
        use imapkit_proto::strategies as st;
        use proptest::prelude::*;

        fn outcome(r: IResult<'_, DateTime>, input: &[u8]) -> Result<(usize, DateTime), String> {
            match r {
                Ok((rest, d)) => Ok((rest.len(), d)),
                Err(nom::Err::Incomplete(_)) => Err("incomplete".into()),
                Err(nom::Err::Error(e)) => Err(format!("error at {}", input.len() - e.input.len())),
                Err(nom::Err::Failure(e)) => {
                    Err(format!("failure at {}", input.len() - e.input.len()))
                }
            }
        }

        fn assert_agree(input: &[u8]) {
            assert_eq!(
                outcome(date_time(input), input),
                outcome(date_time_general(input), input),
                "on {}",
                input.escape_ascii()
            );
        }

        const NOISE: &[u8] = b" -+:\"09aAJjnN\x00";

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]
            #[test]
            fn fast_date_time_agrees(
                d in st::date_time(),
                cut in any::<prop::sample::Index>(),
                edits in edits::edits(NOISE),
            ) {
                let mut bytes = d.to_vec();
                bytes.extend_from_slice(b" NIL)");
                edits::check_edited(bytes, cut, edits, NOISE, 28, assert_agree);
            }
        }
    }

    mod swar {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]
            /// [`find_either`] finds what a byte-by-byte search finds.
            #[test]
            fn find_either_agrees(
                b in prop::collection::vec(prop::sample::select(b" )(\"\\a\x00\xff\x20\x29".to_vec()), 0..40),
                x in prop::sample::select(b" )\"\\".to_vec()),
                y in prop::sample::select(b" )\"\\".to_vec()),
            ) {
                prop_assert_eq!(find_either(&b, x, y), b.iter().position(|&c| c == x || c == y));
            }
        }
    }

    mod roundtrip {
        use super::super::*;
        use crate::Encode;
        use imapkit_proto::strategies as st;
        use imapkit_proto::IntoStatic;
        use proptest::prelude::*;

        /// Encodes, appends a terminator the parser must stop at, decodes.
        fn rt<T, F>(v: &T, p: F) -> T
        where
            T: Encode + std::fmt::Debug,
            F: for<'a> Fn(&'a [u8]) -> IResult<'a, T>,
        {
            let mut b = v.to_vec();
            b.extend_from_slice(b")\r\n");
            let (rest, out) = p(&b)
                .unwrap_or_else(|e| panic!("{e:?} decoding {:?}", b.escape_ascii().to_string()));
            assert_eq!(rest, b")\r\n", "{:?}", b.escape_ascii().to_string());
            out
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(500))]
            #[test]
            fn astring_rt(v in st::astring()) { prop_assert_eq!(rt(&v, |i| astring(i).map(|(r, x)| (r, x.into_static()))), v); }
            #[test]
            fn nstring_rt(v in st::nstring()) { prop_assert_eq!(rt(&v, |i| nstring(i).map(|(r, x)| (r, x.into_static()))), v); }
            #[test]
            fn mailbox_rt(v in st::mailbox()) { prop_assert_eq!(rt(&v, |i| mailbox(i).map(|(r, x)| (r, x.into_static()))), v); }
            #[test]
            fn seqset_rt(v in st::sequence_set()) { prop_assert_eq!(rt(&v, sequence_set), v); }
            #[test]
            fn date_time_rt(v in st::date_time()) { prop_assert_eq!(rt(&v, date_time), v); }
            #[test]
            fn date_rt(v in st::date()) { prop_assert_eq!(rt(&v, date), v); }
            #[test]
            fn section_rt(v in st::section()) { prop_assert_eq!(rt(&v, |i| section(i).map(|(r, x)| (r, x.into_static()))), v); }
            #[test]
            fn capability_rt(v in st::capability()) { prop_assert_eq!(rt(&v, |i| capability(i).map(|(r, x)| (r, x.into_static()))), v); }
            #[test]
            fn flag_rt(v in st::flag_perm()) { prop_assert_eq!(rt(&v, |i| flag_perm(i).map(|(r, x)| (r, x.into_static()))), v); }
        }
    }
}
