//! SEARCH, SORT and THREAD arguments (RFC 9051 §6.4.4, RFC 5256, RFC 5267,
//! RFC 4731, RFC 9394 and the search-key extensions).

use std::num::NonZeroU32;

use imapkit_proto::{
    Charset, CommandBody, EntryTypeReq, GmailLabel, ObjectId, PartialRange, SearchKey,
    SearchModSeqEntry, SearchReturnOption, SortCriterion, SortKey, ThreadAlgorithm, Vec1,
};
use nom::bytes::streaming::take_while1;

use super::{ext_param, is, peek, word, MAX_NESTING};
use crate::decode::core::{
    astring, atom, byte, date, number64, nz_number, quoted, sequence_set, sp,
};
use crate::decode::{cut_fail, fail, IResult};

/// `[SP "RETURN" SP "(" ... ")"]` before the search program; the leading SP
/// has been consumed. Returns `None` if the next word is not `RETURN`.
fn opt_return(i: &[u8]) -> IResult<'_, Option<Vec<SearchReturnOption<'_>>>> {
    if !matches!(peek(i)?.1, b'r' | b'R') {
        return Ok((i, None));
    }
    let (r, w) = word(i)?;
    if !is(w, "RETURN") {
        return Ok((i, None));
    }
    let (r, ()) = sp(r)?;
    let (r, opts) = crate::decode::core::paren_list(search_return_opt)(r)?;
    let (r, ()) = sp(r)?;
    Ok((r, Some(opts)))
}

/// A `search-return-opt`.
pub(super) fn search_return_opt(i: &[u8]) -> IResult<'_, SearchReturnOption<'_>> {
    let (r, w) = word(i)?;
    let o = if is(w, "MIN") {
        SearchReturnOption::Min
    } else if is(w, "MAX") {
        SearchReturnOption::Max
    } else if is(w, "ALL") {
        SearchReturnOption::All
    } else if is(w, "COUNT") {
        SearchReturnOption::Count
    } else if is(w, "SAVE") {
        SearchReturnOption::Save
    } else if is(w, "CONTEXT") {
        SearchReturnOption::Context
    } else if is(w, "UPDATE") {
        SearchReturnOption::Update
    } else if is(w, "PARTIAL") {
        let (r, ()) = sp(r)?;
        let (r, p) = partial_range(r)?;
        return Ok((r, SearchReturnOption::Partial(p)));
    } else {
        return ext_param(i).map(|(r, p)| (r, SearchReturnOption::Other(p)));
    };
    Ok((r, o))
}

/// `partial-range` (RFC 9394): `a:b` or `-a:-b`.
pub(super) fn partial_range(i: &[u8]) -> IResult<'_, PartialRange> {
    if peek(i)?.1 == b'-' {
        let (r, a) = nz_number(&i[1..])?;
        let (r, ()) = byte(b':')(r)?;
        let (r, ()) = byte(b'-')(r)?;
        let (r, b) = nz_number(r)?;
        return Ok((r, PartialRange::Last(a, b)));
    }
    let (r, a) = nz_number(i)?;
    let (r, ()) = byte(b':')(r)?;
    let (r, b) = nz_number(r)?;
    Ok((r, PartialRange::First(a, b)))
}

/// `charset`: atom or quoted.
fn charset(i: &[u8]) -> IResult<'_, Charset<'_>> {
    if peek(i)?.1 == b'"' {
        return quoted(i).map(|(r, q)| (r, Charset::Quoted(q)));
    }
    atom(i).map(|(r, a)| (r, Charset::Atom(a)))
}

/// `search-key *(SP search-key)` up to (not including) CRLF.
fn search_keys(i: &[u8]) -> IResult<'_, Vec1<SearchKey<'_>>> {
    let (mut i, first) = search_key(i, 0)?;
    // Room for a few keys: `vec![first]` would grow (and move) at the second.
    let mut keys = Vec::with_capacity(4);
    keys.push(first);
    while peek(i)?.1 == b' ' {
        let (r, k) = search_key(&i[1..], 0)?;
        keys.push(k);
        i = r;
    }
    Ok((i, Vec1::unvalidated(keys)))
}

pub(super) fn search_args(i: &[u8], uid: bool) -> IResult<'_, CommandBody<'_>> {
    let (i, ()) = sp(i)?;
    let (i, return_options) = opt_return(i)?;
    let (i, charset) = if matches!(peek(i)?.1, b'c' | b'C') {
        let (r, w) = word(i)?;
        if is(w, "CHARSET") {
            let (r, ()) = sp(r)?;
            let (r, c) = charset(r)?;
            let (r, ()) = sp(r)?;
            (r, Some(c))
        } else {
            (i, None)
        }
    } else {
        (i, None)
    };
    let (i, criteria) = search_keys(i)?;
    Ok((
        i,
        CommandBody::Search {
            uid,
            return_options,
            charset,
            criteria,
        },
    ))
}

pub(super) fn sort_args(i: &[u8], uid: bool) -> IResult<'_, CommandBody<'_>> {
    let (i, ()) = sp(i)?;
    let (i, return_options) = opt_return(i)?;
    let (i, criteria) = crate::decode::core::paren_list1(sort_criterion)(i)?;
    let (i, ()) = sp(i)?;
    let (i, charset) = charset(i)?;
    let (i, ()) = sp(i)?;
    let (i, search) = search_keys(i)?;
    Ok((
        i,
        CommandBody::Sort {
            uid,
            return_options,
            criteria,
            charset,
            search,
        },
    ))
}

fn sort_criterion(i: &[u8]) -> IResult<'_, SortCriterion<'_>> {
    let (r, w) = word(i)?;
    let (i, reverse) = if is(w, "REVERSE") {
        let (r, ()) = sp(r)?;
        (r, true)
    } else {
        (i, false)
    };
    let (r, a) = atom(i)?;
    let key = SortKey::KNOWN
        .iter()
        .find(|(n, _)| is(a.as_bytes(), n))
        .map(|(_, k)| k.clone());
    let key = match key {
        Some(k) => k,
        None if is(a.as_bytes(), "REVERSE") => return fail(i, "expected a sort key"),
        None => SortKey::Other(a),
    };
    Ok((r, SortCriterion { reverse, key }))
}

pub(super) fn thread_args(i: &[u8], uid: bool) -> IResult<'_, CommandBody<'_>> {
    let (i, ()) = sp(i)?;
    let (i, a) = atom(i)?;
    let algorithm = if is(a.as_bytes(), "ORDEREDSUBJECT") {
        ThreadAlgorithm::OrderedSubject
    } else if is(a.as_bytes(), "REFERENCES") {
        ThreadAlgorithm::References
    } else {
        ThreadAlgorithm::Other(a)
    };
    let (i, ()) = sp(i)?;
    let (i, charset) = charset(i)?;
    let (i, ()) = sp(i)?;
    let (i, search) = search_keys(i)?;
    Ok((
        i,
        CommandBody::Thread {
            uid,
            algorithm,
            charset,
            search,
        },
    ))
}

/// `objectid` (RFC 8474): 1..255 of letters, digits, `_`, `-`.
fn objectid(i: &[u8]) -> IResult<'_, ObjectId<'_>> {
    let (r, id) = take_while1(|b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')(i)?;
    if id.len() > 255 {
        return cut_fail(i, "objectid longer than 255");
    }
    Ok((r, ObjectId::unvalidated(id)))
}

/// A Gmail label: `\atom` or an astring.
pub(super) fn gmail_label(i: &[u8]) -> IResult<'_, GmailLabel<'_>> {
    if peek(i)?.1 == b'\\' {
        let (r, a) = atom(&i[1..])?;
        return Ok((r, GmailLabel::System(a)));
    }
    astring(i).map(|(r, a)| (r, GmailLabel::Label(a)))
}

fn nz(n: NonZeroU32) -> NonZeroU32 {
    n
}

/// One `search-key`.
pub(super) fn search_key(i: &[u8], depth: usize) -> IResult<'_, SearchKey<'_>> {
    if depth > MAX_NESTING {
        return cut_fail(i, "search keys nested too deeply");
    }
    let (_, c) = peek(i)?;
    if c == b'(' {
        let (mut r, first) = search_key(&i[1..], depth + 1)?;
        let mut keys = Vec::with_capacity(4);
        keys.push(first);
        loop {
            match peek(r)?.1 {
                b' ' => {
                    let (r2, k) = search_key(&r[1..], depth + 1)?;
                    keys.push(k);
                    r = r2;
                }
                b')' => return Ok((&r[1..], SearchKey::And(Vec1::unvalidated(keys)))),
                _ => return fail(r, "expected SP or )"),
            }
        }
    }
    if c.is_ascii_digit() || c == b'*' || c == b'$' {
        return sequence_set(i).map(|(r, s)| (r, SearchKey::SequenceSet(s)));
    }
    let (r, w) = word(i)?;
    macro_rules! arg {
        ($p:expr, $v:expr) => {{
            let (r, ()) = sp(r)?;
            let (r, x) = $p(r)?;
            Ok((r, $v(x)))
        }};
    }
    let u = |k: &str| is(w, k);
    let key = match w.first().map(u8::to_ascii_uppercase) {
        Some(b'A') if u("ALL") => SearchKey::All,
        Some(b'A') if u("ANSWERED") => SearchKey::Answered,
        Some(b'B') if u("BCC") => return arg!(astring, SearchKey::Bcc),
        Some(b'B') if u("BEFORE") => return arg!(date, SearchKey::Before),
        Some(b'B') if u("BODY") => return arg!(astring, SearchKey::Body),
        Some(b'C') if u("CC") => return arg!(astring, SearchKey::Cc),
        Some(b'D') if u("DELETED") => SearchKey::Deleted,
        Some(b'D') if u("DRAFT") => SearchKey::Draft,
        Some(b'E') if u("EMAILID") => return arg!(objectid, SearchKey::EmailId),
        Some(b'F') if u("FLAGGED") => SearchKey::Flagged,
        Some(b'F') if u("FROM") => return arg!(astring, SearchKey::From),
        Some(b'H') if u("HEADER") => {
            let (r, ()) = sp(r)?;
            let (r, a) = astring(r)?;
            let (r, ()) = sp(r)?;
            let (r, b) = astring(r)?;
            return Ok((r, SearchKey::Header(a, b)));
        }
        Some(b'K') if u("KEYWORD") => return arg!(atom, SearchKey::Keyword),
        Some(b'L') if u("LARGER") => return arg!(number64, SearchKey::Larger),
        Some(b'M') if u("MODSEQ") => {
            let (r, ()) = sp(r)?;
            let (r, entry) = if peek(r)?.1 == b'"' {
                let (r, name) = quoted(r)?;
                let (r, ()) = sp(r)?;
                let at = r;
                let (r, t) = word(r)?;
                let kind = if is(t, "PRIV") {
                    EntryTypeReq::Private
                } else if is(t, "SHARED") {
                    EntryTypeReq::Shared
                } else if is(t, "ALL") {
                    EntryTypeReq::All
                } else {
                    return fail(at, "expected priv, shared or all");
                };
                let (r, ()) = sp(r)?;
                (r, Some(SearchModSeqEntry { name, kind }))
            } else {
                (r, None)
            };
            let (r, modseq) = number64(r)?;
            return Ok((r, SearchKey::ModSeq { entry, modseq }));
        }
        Some(b'N') if u("NEW") => SearchKey::New,
        Some(b'N') if u("NOT") => {
            let (r, ()) = sp(r)?;
            let (r, k) = search_key(r, depth + 1)?;
            return Ok((r, SearchKey::Not(Box::new(k))));
        }
        Some(b'O') if u("OLD") => SearchKey::Old,
        Some(b'O') if u("ON") => return arg!(date, SearchKey::On),
        Some(b'O') if u("OR") => {
            let (r, ()) = sp(r)?;
            let (r, a) = search_key(r, depth + 1)?;
            let (r, ()) = sp(r)?;
            let (r, b) = search_key(r, depth + 1)?;
            return Ok((r, SearchKey::Or(Box::new(a), Box::new(b))));
        }
        Some(b'O') if u("OLDER") => return arg!(nz_number, |n| SearchKey::Older(nz(n))),
        Some(b'R') if u("RECENT") => SearchKey::Recent,
        Some(b'S') if u("SEEN") => SearchKey::Seen,
        Some(b'S') if u("SENTBEFORE") => return arg!(date, SearchKey::SentBefore),
        Some(b'S') if u("SENTON") => return arg!(date, SearchKey::SentOn),
        Some(b'S') if u("SENTSINCE") => return arg!(date, SearchKey::SentSince),
        Some(b'S') if u("SINCE") => return arg!(date, SearchKey::Since),
        Some(b'S') if u("SMALLER") => return arg!(number64, SearchKey::Smaller),
        Some(b'S') if u("SUBJECT") => return arg!(astring, SearchKey::Subject),
        Some(b'S') if u("SAVEDBEFORE") => return arg!(date, SearchKey::SavedBefore),
        Some(b'S') if u("SAVEDON") => return arg!(date, SearchKey::SavedOn),
        Some(b'S') if u("SAVEDSINCE") => return arg!(date, SearchKey::SavedSince),
        Some(b'S') if u("SAVEDATESUPPORTED") => SearchKey::SaveDateSupported,
        Some(b'T') if u("TEXT") => return arg!(astring, SearchKey::Text),
        Some(b'T') if u("TO") => return arg!(astring, SearchKey::To),
        Some(b'T') if u("THREADID") => return arg!(objectid, SearchKey::ThreadId),
        Some(b'U') if u("UID") => return arg!(sequence_set, SearchKey::Uid),
        Some(b'U') if u("UNANSWERED") => SearchKey::Unanswered,
        Some(b'U') if u("UNDELETED") => SearchKey::Undeleted,
        Some(b'U') if u("UNDRAFT") => SearchKey::Undraft,
        Some(b'U') if u("UNFLAGGED") => SearchKey::Unflagged,
        Some(b'U') if u("UNKEYWORD") => return arg!(atom, SearchKey::Unkeyword),
        Some(b'U') if u("UNSEEN") => SearchKey::Unseen,
        Some(b'Y') if u("YOUNGER") => return arg!(nz_number, |n| SearchKey::Younger(nz(n))),
        Some(b'X') if u("X-GM-RAW") => return arg!(astring, SearchKey::GmailRaw),
        Some(b'X') if u("X-GM-MSGID") => return arg!(number64, SearchKey::GmailMsgId),
        Some(b'X') if u("X-GM-THRID") => return arg!(number64, SearchKey::GmailThrId),
        Some(b'X') if u("X-GM-LABELS") => return arg!(gmail_label, SearchKey::GmailLabels),
        _ => return fail(i, "unknown search key"),
    };
    Ok((r, key))
}
