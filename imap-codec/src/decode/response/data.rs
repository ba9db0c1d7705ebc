//! Untagged responses: `* ` followed by status, data or message data.

use bytes::Bytes;
use imapkit_proto::lex::{is_status_keyword, Class};
use imapkit_proto::{
    chars, AString, AclEntry, Data, Delimiter, ESearch, ESearchPartialRange, FlagPerm,
    ListExtendedItem, LiteralMode, Mailbox, MailboxAttribute, MailboxList, MetadataItems, NString8,
    NamespaceDescr, NamespaceExtension, Namespaces, OtherData, QuotaResource, Response,
    SearchReturnData, StatusItem, TaggedExtComp, TaggedExtVal, Thread, Vec1,
};
use nom::bytes::streaming::take_while;

use super::code::objectid_paren;
use super::lenient::{atom_for_string, nstring_or_atom, sps, ws_list, ws_list_opt};
use super::line_end;
use super::quirks::{self, Quirks};
use crate::decode::core::{
    astring, atom, byte, capability, flag, flag_perm, kw, literal_data, literal_header, mailbox,
    nil, nstring, number, number64, nz_number, paren_list, paren_list1, plain_number, quoted,
    response_set, sequence_set, sp, string, uid_set,
};
use crate::decode::fetch::{msg_att_list, msg_att_list_shared};
use crate::decode::{cut_fail, fail, IResult};
use crate::lex::WalkEnd;

/// Deepest nesting of THREAD lists and extension values accepted.
const MAX_DEPTH: usize = 64;

/// Everything after `* ` of an untagged data response (the classifier said
/// it is not a status response), including CRLF.
pub(crate) fn untagged(i: &[u8]) -> IResult<'_, Response<'_>> {
    fn d<'a>(res: IResult<'a, Data<'a>>) -> IResult<'a, Response<'a>> {
        let (r, d) = res?;
        let (r, ()) = line_end(r)?;
        Ok((r, Response::Data(d)))
    }
    let line = i;
    match i.first() {
        None => Err(nom::Err::Incomplete(nom::Needed::new(1))),
        Some(b'0'..=b'9') => message_data(i),
        // `* -3 EXPUNGE`: message data with a signed number, not the name
        // of an unknown response.
        Some(b'-' | b'+') if i.get(1).is_some_and(u8::is_ascii_digit) => {
            fail(i, "expected an unsigned number")
        }
        // Lenient: a known response code after `* ` without `OK`, `* [COPYUID
        // 1 2 3]` (home.pl, Office 365: MailKit issue 115), read as `* OK`
        // with it; anything else stays an unknown response.
        Some(b'[') => match super::untagged_bare_code(i) {
            Some(res) => res,
            None => other(line),
        },
        Some(_) => {
            let (r, name) = atom(i)?;
            let w = name.as_bytes();
            if is_status_keyword(w) {
                // `* OK(`, `* NO{3}`: neither a status response nor data.
                return fail(r, "expected SP after the status keyword");
            }
            let mut upper = [0u8; 12];
            if w.len() > upper.len() {
                return other(line);
            }
            upper[..w.len()].copy_from_slice(w);
            upper.make_ascii_uppercase();
            match &upper[..w.len()] {
                b"CAPABILITY" => d(capability_data(r)),
                b"ENABLED" => d(enabled(r)),
                b"FLAGS" => d(flags(r)),
                b"LIST" => d(mailbox_list(r).map(|(r, l)| (r, Data::List(l)))),
                b"LSUB" => d(mailbox_list(r).map(|(r, l)| (r, Data::Lsub(l)))),
                b"NAMESPACE" => d(namespace(r)),
                b"STATUS" => d(status(r)),
                b"ESEARCH" => d(esearch(r)),
                b"SEARCH" => d(search(r, false)),
                b"SORT" => d(search(r, true)),
                b"THREAD" => d(thread(r)),
                b"VANISHED" => d(vanished(r)),
                b"ID" => d(id(r)),
                b"QUOTA" => d(quota(r)),
                b"QUOTAROOT" => d(quota_root(r)),
                b"ACL" => d(acl(r)),
                b"LISTRIGHTS" => d(list_rights(r)),
                b"MYRIGHTS" => d(my_rights(r)),
                b"METADATA" => d(metadata(r)),
                _ => other(line),
            }
        }
    }
}

/// An unknown untagged response: its raw bytes after `* `, read whole the
/// way the framer frames a data response (a line ending in a literal header
/// goes on after the literal's data), so that the decoder and the framer
/// end it at the same byte.
fn other(line: &[u8]) -> IResult<'_, Response<'_>> {
    generic(line, true)
        .map(|(r, raw)| (r, Response::Data(Data::Other(OtherData::unvalidated(raw)))))
}

/// The raw bytes of a message read by [`walk`](crate::lex::walk) from
/// `input` (inside its first line) to its end, and the input after its
/// final CRLF: the raw bytes leave out that CRLF. Its lines must hold
/// `TEXT-CHAR` and end with CRLF; its literals' data is not looked at.
/// From a `server`, a non-synchronizing literal is an error (RFC 7888 §3).
pub(crate) fn generic(input: &[u8], server: bool) -> IResult<'_, &[u8]> {
    let walked = crate::lex::walk(input, Class::Data, |l| {
        let content = &input[l.start..l.end];
        if let Some(at) = content.iter().position(|&b| !chars::is_text_char(b)) {
            return Err((l.start + at, "invalid character in text"));
        }
        if !l.crlf() {
            return Err((l.lf, "expected CRLF"));
        }
        match &l.header {
            Some(h) if server && h.mode == LiteralMode::NonSync => {
                // The header's "{" is just before its digits.
                Err((l.start + h.digits.start - 1, super::NON_SYNC_IN_RESPONSE))
            }
            _ => Ok(()),
        }
    });
    match walked {
        Err((at, reason)) => fail(&input[at..], reason),
        Ok(WalkEnd::Complete(end)) => Ok((&input[end..], &input[..end - 2])),
        Ok(WalkEnd::Incomplete) => Err(nom::Err::Incomplete(nom::Needed::new(1))),
        Ok(WalkEnd::InLiteral { len, mode }) => match u32::try_from(len) {
            Ok(len) => Err(nom::Err::Failure(crate::decode::PError {
                input: &input[input.len()..],
                kind: crate::decode::Kind::Literal { len, mode },
            })),
            Err(_) => cut_fail(input, "number out of range"),
        },
    }
}

/// `nz-number SP ("EXPUNGE" / "FETCH" ...)`, `number SP ("EXISTS" / "RECENT")`.
fn message_data(i: &[u8]) -> IResult<'_, Response<'_>> {
    let line = i;
    let (r, n) = number(i)?;
    let (r, ()) = sps(r)?;
    let (r2, name) = atom(r)?;
    let w = name.as_bytes();
    let nz = || match std::num::NonZeroU32::new(n) {
        Some(v) => Ok(v),
        None => Err(nom::Err::Failure(crate::decode::PError {
            input: line,
            kind: crate::decode::Kind::Expected("expected a non-zero number"),
        })),
    };
    let (r, data) = if w.eq_ignore_ascii_case(b"EXISTS") {
        (r2, Data::Exists(n))
    } else if w.eq_ignore_ascii_case(b"RECENT") {
        (r2, Data::Recent(n))
    } else if w.eq_ignore_ascii_case(b"EXPUNGE") {
        (r2, Data::Expunge(nz()?))
    } else if w.eq_ignore_ascii_case(b"FETCH") {
        let seq = nz()?;
        let (r, ()) = sps(r2)?;
        let (r, items) = msg_att_list(r)?;
        (r, Data::Fetch { seq, items })
    } else {
        return other(line);
    };
    let (r, ()) = line_end(r)?;
    Ok((r, Response::Data(data)))
}

/// `"*" SP nz-number SP "FETCH" SP msg-att-list CRLF`, the number `seq`
/// and the list at `list` read by `short::probe`, with items that own
/// their data, slices of `frame` or copies when it is `None` (see
/// `fetch::SharedItems`): the response a sync receives most, without the
/// pass that `into_shared` makes over a decoded one. Quirks it
/// noted are forgotten when it fails, because the caller then decodes the
/// response on the general path, which decides what the error is.
pub(crate) fn fetch_shared<'a>(
    i: &'a [u8],
    seq: std::num::NonZeroU32,
    list: usize,
    frame: Option<&Bytes>,
) -> IResult<'a, Response<'static>> {
    quirks::attempt(|| {
        let (r, items) = msg_att_list_shared(&i[list..], frame)?;
        let (r, ()) = line_end(r)?;
        Ok((r, Response::Data(Data::Fetch { seq, items })))
    })
}

/// [`fetch_shared`] with items borrowed from `i` (for a lent frame): the
/// same grammar as the general path's FETCH after the head `short::probe`
/// read, without the dispatch that leads there.
pub(crate) fn fetch_borrowed(
    i: &[u8],
    seq: std::num::NonZeroU32,
    list: usize,
) -> IResult<'_, Response<'_>> {
    quirks::attempt(|| {
        let (r, items) = msg_att_list(&i[list..])?;
        let (r, ()) = line_end(r)?;
        Ok((r, Response::Data(Data::Fetch { seq, items })))
    })
}

/// Items `SP x` repeated while the next byte after a space is accepted by
/// `starts`. Lenient: more than one space before an item.
fn sp_items<'a, T>(
    mut i: &'a [u8],
    starts: impl Fn(u8) -> bool,
    item: impl Fn(&'a [u8]) -> IResult<'a, T>,
) -> IResult<'a, Vec<T>> {
    // Room for four items at once when there is one (what the first push
    // would reserve), without `push`'s growth path.
    let mut out = match i {
        [b' ', c, ..] if starts(*c) => Vec::with_capacity(4),
        _ => Vec::new(),
    };
    loop {
        match i {
            [b' ', c, ..] if starts(*c) => {
                let (r, x) = item(&i[1..])?;
                out.push(x);
                i = r;
            }
            [b' ', b' ', ..] => {
                let n = i.iter().take_while(|&&b| b == b' ').count();
                match i.get(n) {
                    None => return Err(nom::Err::Incomplete(nom::Needed::new(1))),
                    Some(&c) if starts(c) => {
                        quirks::note(Quirks::EXTRA_SPACE);
                        let (r, x) = item(&i[n..])?;
                        out.push(x);
                        i = r;
                    }
                    // Trailing spaces: left for `line_end`.
                    Some(_) => return Ok((i, out)),
                }
            }
            [] | [b' '] => return Err(nom::Err::Incomplete(nom::Needed::new(1))),
            _ => return Ok((i, out)),
        }
    }
}

fn is_atom_start(c: u8) -> bool {
    chars::is_atom_char(c)
}

fn is_astring_start(c: u8) -> bool {
    chars::is_astring_char(c) || c == b'"' || c == b'{'
}

fn capability_data(i: &[u8]) -> IResult<'_, Data<'_>> {
    let (r, caps) = sp_items(i, is_atom_start, capability)?;
    match Vec1::try_from(caps) {
        Ok(c) => Ok((r, Data::Capability(c))),
        Err(_) => fail(i, "expected a capability"),
    }
}

fn enabled(i: &[u8]) -> IResult<'_, Data<'_>> {
    sp_items(i, is_atom_start, capability).map(|(r, c)| (r, Data::Enabled(c)))
}

/// `SP flag-list`. Lenient: `\*` (only valid in PERMANENTFLAGS) is dropped.
fn flags(i: &[u8]) -> IResult<'_, Data<'_>> {
    let (r, ()) = sps(i)?;
    let (r, f) = ws_list_opt(|i| {
        if i.first() == Some(&b'"') {
            return quoted_flag(i).map(|(r, f)| (r, Some(f)));
        }
        let f = match flag_perm(i) {
            // Lenient: `Mail]/Alle` (Gmail), a token with `]`: dropped.
            Ok((r, _)) if r.first() == Some(&b']') => return invalid_flag(i),
            Err(nom::Err::Error(_)) if i.first() == Some(&b']') => return invalid_flag(i),
            res => res?,
        };
        let (r, f) = f;
        Ok((
            r,
            match f {
                FlagPerm::Flag(f) => Some(f),
                FlagPerm::Asterisk => {
                    quirks::note(Quirks::FLAGS_ASTERISK);
                    None
                }
            },
        ))
    })(r)?;
    Ok((r, Data::Flags(f)))
}

/// A token of `ASTRING-CHAR`s (after an optional `\`) that holds `]` and
/// so cannot be a flag: skipped ([`Quirks::INVALID_FLAG`]).
#[cold]
/// A flag sent as a quoted string, `"\\Deleted"` (InterMail, MailKit
/// issue 771): the flag the string holds, [`Quirks::QUOTED_FLAG`]; an error
/// if the string holds anything else.
fn quoted_flag(i: &[u8]) -> IResult<'_, imapkit_proto::Flag<'_>> {
    use imapkit_proto::IntoStatic;
    let (r, q) = quoted(i)?;
    // The flag grammar reads up to a delimiter (a streaming parser takes
    // the end of its input for "more to come"): the content, then `)`.
    let mut content = Vec::with_capacity(q.as_bytes().len() + 1);
    content.extend_from_slice(q.as_bytes());
    content.push(b')');
    match flag(&content) {
        Ok((b")", f)) => {
            quirks::note(Quirks::QUOTED_FLAG);
            Ok((r, f.into_static()))
        }
        _ => fail(i, "expected a flag"),
    }
}

fn invalid_flag(i: &[u8]) -> IResult<'_, Option<imapkit_proto::Flag<'_>>> {
    let start = usize::from(i.first() == Some(&b'\\'));
    let n = i[start..]
        .iter()
        .take_while(|&&b| chars::is_astring_char(b))
        .count();
    let r = &i[start + n..];
    if r.is_empty() {
        return Err(nom::Err::Incomplete(nom::Needed::new(1)));
    }
    quirks::note(Quirks::INVALID_FLAG);
    Ok((r, None))
}

/// A hierarchy delimiter: `DQUOTE QUOTED-CHAR DQUOTE` or `NIL`; also
/// `""`, read as `NIL` ([`Quirks::EMPTY_DELIMITER`]).
fn delimiter(i: &[u8]) -> IResult<'_, Option<Delimiter>> {
    match i.first() {
        Some(b'"') => {
            let (r, q) = quoted(i)?;
            if q.as_bytes().is_empty() {
                quirks::note(Quirks::EMPTY_DELIMITER);
                return Ok((r, None));
            }
            let s = std::str::from_utf8(q.as_bytes()).ok();
            let mut chars = s.map(str::chars).into_iter().flatten();
            match (chars.next(), chars.next()) {
                // A quoted string holds no NUL, CR or LF: always valid.
                (Some(c), None) => match Delimiter::new(c) {
                    Ok(d) => Ok((r, Some(d))),
                    Err(_) => fail(i, "expected a delimiter character"),
                },
                _ => fail(i, "expected a single delimiter character"),
            }
        }
        _ => nil(i).map(|(r, ())| (r, None)),
    }
}

fn mbx_attribute(i: &[u8]) -> IResult<'_, Option<MailboxAttribute<'_>>> {
    let (r, ()) = byte(b'\\')(i)?;
    match r.first() {
        // Lenient: a lone `\` (home.pl), an attribute with no name: dropped.
        Some(b' ' | b')') => {
            quirks::note(Quirks::BARE_BACKSLASH);
            Ok((r, None))
        }
        _ => atom(r).map(|(r, a)| (r, Some(MailboxAttribute::from_atom(a)))),
    }
}

/// `(` mbx-list-flags `)`: the attributes of a LIST or LSUB line, with
/// those [`mbx_attribute`] drops left out.
fn mbx_attributes(i: &[u8]) -> IResult<'_, Vec<MailboxAttribute<'_>>> {
    let (r, attributes) = paren_list(mbx_attribute)(i)?;
    // `filter_map` collects in place (`flatten` would allocate a second
    // list for every LIST line).
    #[allow(clippy::filter_map_identity)]
    let attributes = attributes.into_iter().filter_map(|a| a).collect();
    Ok((r, attributes))
}

/// `SP mailbox-list` (the leading SP included).
fn mailbox_list(i: &[u8]) -> IResult<'_, MailboxList<'_>> {
    let (r, ()) = sp(i)?;
    let (r, attributes) = mbx_attributes(r)?;
    let (r, ()) = sp(r)?;
    let (r, delimiter) = delimiter(r)?;
    let (r, ()) = sps(r)?;
    let (r, mailbox) = match r.first() {
        Some(&b) if chars::is_astring_char(b) => mailbox_with_tabs(r)?,
        _ => mailbox(r)?,
    };
    let (r, extended) = match r {
        [b' ', b'(', ..] => paren_list(list_extended_item)(&r[1..])?,
        [] | [b' '] => return Err(nom::Err::Incomplete(nom::Needed::new(1))),
        _ => (r, Vec::new()),
    };
    Ok((
        r,
        MailboxList {
            attributes,
            delimiter,
            mailbox,
            extended,
        },
    ))
}

/// The mailbox of a LIST line sent as an atom: `mailbox`, or, lenient, an
/// atom with TABs in it that runs to the end of the line (Exchange,
/// MailKit issue 945), [`Quirks::TAB_IN_MAILBOX`]. Only atom characters
/// and TABs may follow up to the CR: anything else (a space before
/// extended data, a `{`) leaves the TAB an error, as the grammar has it.
fn mailbox_with_tabs(i: &[u8]) -> IResult<'_, Mailbox<'_>> {
    let (r, m) = mailbox(i)?;
    if r.first() != Some(&b'\t') {
        return Ok((r, m));
    }
    let n = r
        .iter()
        .take_while(|&&b| b == b'\t' || chars::is_astring_char(b))
        .count();
    match r.get(n) {
        None => Err(nom::Err::Incomplete(nom::Needed::new(1))),
        Some(b'\r') => {
            let name = &i[..i.len() - r.len() + n];
            match Mailbox::from_wire(name) {
                Ok(m) => {
                    quirks::note(Quirks::TAB_IN_MAILBOX);
                    Ok((&r[n..], m))
                }
                Err(_) => Ok((r, m)),
            }
        }
        Some(_) => Ok((r, m)),
    }
}

/// `mbox-list-extended-item`: read generically, then CHILDINFO and OLDNAME.
fn list_extended_item(i: &[u8]) -> IResult<'_, ListExtendedItem<'_>> {
    let (r, tag) = astring(i)?;
    let (r, ()) = sp(r)?;
    let (r, value) = tagged_ext_val(r)?;
    let t = tag.as_bytes();
    let item = match value {
        TaggedExtVal::Comp(items)
            if t.eq_ignore_ascii_case(b"CHILDINFO") && all_astrings(&items) =>
        {
            let v: Vec<AString<'_>> = items
                .into_iter()
                .filter_map(|c| match c {
                    TaggedExtComp::AString(a) => Some(a),
                    TaggedExtComp::List(_) => None,
                })
                .collect();
            ListExtendedItem::ChildInfo(Vec1::unvalidated(v))
        }
        TaggedExtVal::Comp(mut items)
            if t.eq_ignore_ascii_case(b"OLDNAME")
                && items.len() == 1
                && matches!(items[0], TaggedExtComp::AString(_)) =>
        {
            match items.pop() {
                Some(TaggedExtComp::AString(a)) => {
                    ListExtendedItem::OldName(Mailbox::from_astring(a))
                }
                // Checked just above.
                _ => return fail(i, "expected OLDNAME (mailbox)"),
            }
        }
        value => ListExtendedItem::Other { tag, value },
    };
    Ok((r, item))
}

fn all_astrings(items: &[TaggedExtComp<'_>]) -> bool {
    !items.is_empty() && items.iter().all(|c| matches!(c, TaggedExtComp::AString(_)))
}

/// `tagged-ext-val`: a number, a sequence set or a parenthesized list.
pub(crate) fn tagged_ext_val(i: &[u8]) -> IResult<'_, TaggedExtVal<'_>> {
    match i.first() {
        None => Err(nom::Err::Incomplete(nom::Needed::new(1))),
        Some(b'(') => comp_list(i, 0).map(|(r, l)| (r, TaggedExtVal::Comp(l))),
        Some(b'0'..=b'9') => {
            let (r, _) = take_while(|b: u8| b.is_ascii_digit())(i)?;
            match r.first() {
                None => Err(nom::Err::Incomplete(nom::Needed::new(1))),
                Some(b',' | b':') => {
                    sequence_set(i).map(|(r, s)| (r, TaggedExtVal::SequenceSet(s)))
                }
                Some(_) => number64(i).map(|(r, n)| (r, TaggedExtVal::Number(n))),
            }
        }
        Some(b'*' | b'$') => sequence_set(i).map(|(r, s)| (r, TaggedExtVal::SequenceSet(s))),
        // Lenient: a string (RFC 9051 §7.3.1 shows `Sample "text"`).
        Some(b'"' | b'{') => string(i).map(|(r, s)| (r, TaggedExtVal::String(s))),
        Some(_) => fail(i, "expected a number, sequence set or list"),
    }
}

fn comp_list(i: &[u8], depth: usize) -> IResult<'_, Vec<TaggedExtComp<'_>>> {
    if depth > MAX_DEPTH {
        return cut_fail(i, "nesting too deep");
    }
    ws_list(move |i| match i.first() {
        Some(b'(') => comp_list(i, depth + 1).map(|(r, l)| (r, TaggedExtComp::List(l))),
        _ => astring(i).map(|(r, a)| (r, TaggedExtComp::AString(a))),
    })(i)
}

/// `SP namespace SP namespace SP namespace`.
fn namespace(i: &[u8]) -> IResult<'_, Data<'_>> {
    let (r, ()) = sps(i)?;
    let (r, personal) = namespace_list(r)?;
    let (r, ()) = sps(r)?;
    let (r, other) = namespace_list(r)?;
    let (r, ()) = sps(r)?;
    let (r, shared) = namespace_list(r)?;
    Ok((
        r,
        Data::Namespace(Namespaces {
            personal,
            other,
            shared,
        }),
    ))
}

/// `nil / "(" 1*namespace-descr ")"`
fn namespace_list(i: &[u8]) -> IResult<'_, Vec<NamespaceDescr<'_>>> {
    if let Some(b'N' | b'n') = i.first() {
        return nil(i).map(|(r, ())| (r, Vec::new()));
    }
    let (mut r, ()) = byte(b'(')(i)?;
    let mut out = Vec::new();
    loop {
        match r.first() {
            None => return Err(nom::Err::Incomplete(nom::Needed::new(1))),
            Some(b')') if !out.is_empty() => return Ok((&r[1..], out)),
            // Lenient: a space between descriptions.
            Some(b' ') if !out.is_empty() => r = &r[1..],
            Some(_) => {
                let (r2, d) = namespace_descr(r)?;
                out.push(d);
                r = r2;
            }
        }
    }
}

fn namespace_descr(i: &[u8]) -> IResult<'_, NamespaceDescr<'_>> {
    let (r, ()) = byte(b'(')(i)?;
    let (r, prefix) = string(r)?;
    let (r, ()) = sp(r)?;
    let (mut r, delimiter) = delimiter(r)?;
    let mut extensions = Vec::new();
    loop {
        match r.first() {
            None => return Err(nom::Err::Incomplete(nom::Needed::new(1))),
            Some(b')') => {
                return Ok((
                    &r[1..],
                    NamespaceDescr {
                        prefix,
                        delimiter,
                        extensions,
                    },
                ))
            }
            Some(b' ') => {
                let (r2, name) = string(&r[1..])?;
                let (r2, ()) = sp(r2)?;
                let (r2, values) = paren_list1(string)(r2)?;
                extensions.push(NamespaceExtension { name, values });
                r = r2;
            }
            Some(_) => return fail(r, "expected SP or )"),
        }
    }
}

/// `SP mailbox SP "(" [status-att-val *(SP status-att-val)] ")"`
///
/// Lenient: extra spaces anywhere between the parts.
fn status(i: &[u8]) -> IResult<'_, Data<'_>> {
    let (r, ()) = sps(i)?;
    let (r, mailbox) = match r.first() {
        Some(&b) if chars::is_astring_char(b) => mailbox_with_spaces(r)?,
        _ => mailbox(r)?,
    };
    let (r, ()) = sps(r)?;
    let (r, items) = ws_list(status_item)(r)?;
    Ok((r, Data::Status { mailbox, items }))
}

/// The mailbox of a STATUS line sent as an atom: `mailbox`, or, lenient,
/// an unquoted name with spaces (Gromox; Roundcube's workaround for its
/// bug 1487859), [`Quirks::SPACE_IN_MAILBOX`]: the name runs to the SP
/// before the line's first `(`, which opens the status list (an unquoted
/// name holds no `(`), and holds only `ASTRING-CHAR`s and spaces. Anything
/// else leaves the first word the mailbox, and the grammar's error.
fn mailbox_with_spaces(i: &[u8]) -> IResult<'_, Mailbox<'_>> {
    let (r, m) = mailbox(i)?;
    // Only a SP followed by more than the status list's `(` may continue it.
    let [b' ', next, ..] = r else {
        return Ok((r, m));
    };
    if *next == b'(' {
        return Ok((r, m));
    }
    let Some(cr) = memchr::memchr2(b'\r', b'\n', r) else {
        return Err(nom::Err::Incomplete(nom::Needed::new(1)));
    };
    let Some(open) = memchr::memchr(b'(', &r[..cr]) else {
        return Ok((r, m));
    };
    let end = i.len() - r.len() + open - 1;
    let name = &i[..end];
    let plain = |b: &u8| *b == b' ' || chars::is_astring_char(*b);
    if open < 2 || i[end] != b' ' || name.ends_with(b" ") || !name.iter().all(plain) {
        return Ok((r, m));
    }
    match Mailbox::from_wire(name) {
        Ok(m) => {
            quirks::note(Quirks::SPACE_IN_MAILBOX);
            Ok((&i[end..], m))
        }
        Err(_) => Ok((r, m)),
    }
}

fn status_item(i: &[u8]) -> IResult<'_, StatusItem<'_>> {
    let (r, name) = atom(i)?;
    let (r, ()) = sps(r)?;
    let w = name.as_bytes();
    let is = |s: &str| chars::eq_keyword(w, s.as_bytes());
    let num = |f: fn(u32) -> StatusItem<'static>| number(r).map(|(r, n)| (r, f(n)));
    // `nz-number`; lenient: 0 (as in the UIDNEXT and UIDVALIDITY codes).
    let nz = |f: fn(u32) -> StatusItem<'static>| {
        let (r, n) = number(r)?;
        if n == 0 {
            quirks::note(Quirks::ZERO_NUMBER);
        }
        Ok((r, f(n)))
    };
    if is("MESSAGES") {
        num(StatusItem::Messages)
    } else if is("UIDNEXT") {
        nz(StatusItem::UidNext)
    } else if is("UIDVALIDITY") {
        nz(StatusItem::UidValidity)
    } else if is("UNSEEN") {
        num(StatusItem::Unseen)
    } else if is("DELETED") {
        num(StatusItem::Deleted)
    } else if is("RECENT") {
        num(StatusItem::Recent)
    } else if is("SIZE") {
        number64(r).map(|(r, n)| (r, StatusItem::Size(n)))
    } else if is("HIGHESTMODSEQ") {
        number64(r).map(|(r, n)| (r, StatusItem::HighestModSeq(n)))
    } else if is("APPENDLIMIT") {
        match r.first() {
            Some(b'N' | b'n') => nil(r).map(|(r, ())| (r, StatusItem::AppendLimit(None))),
            _ => number64(r).map(|(r, n)| (r, StatusItem::AppendLimit(Some(n)))),
        }
    } else if is("MAILBOXID") {
        objectid_paren(r).map(|(r, id)| (r, StatusItem::MailboxId(id)))
    } else if is("DELETED-STORAGE") {
        number64(r).map(|(r, n)| (r, StatusItem::DeletedStorage(n)))
    } else {
        tagged_ext_val(r).map(|(r, value)| (r, StatusItem::Other { name, value }))
    }
}

/// `[SP "(" "TAG" SP tag-string ")"] [SP "UID"] *(SP search-return-data)`
/// (RFC 9051 §9, RFC 4731 §3.1), in this order: a correlator after `UID`
/// or the results, or a second `UID`, is an error at its first byte.
fn esearch(i: &[u8]) -> IResult<'_, Data<'_>> {
    let mut e = ESearch {
        tag: None,
        uid: false,
        data: Vec::new(),
    };
    let mut r = i;
    if let [b' ', b'(', ..] = r {
        let (r2, ()) = byte(b'(')(&r[1..])?;
        let (r2, ()) = kw("TAG")(r2)?;
        let (r2, ()) = sp(r2)?;
        let (r2, t) = astring(r2)?;
        let (r2, ()) = byte(b')')(r2)?;
        e.tag = Some(t);
        r = r2;
    }
    loop {
        match r {
            [] | [b' '] => return Err(nom::Err::Incomplete(nom::Needed::new(1))),
            [b' ', b'(', ..] => return cut_fail(&r[1..], "the search correlator must come first"),
            [b' ', c, ..] if is_atom_start(*c) => {
                let (r2, name) = atom(&r[1..])?;
                if name.as_bytes().eq_ignore_ascii_case(b"UID") {
                    if e.uid || !e.data.is_empty() {
                        return cut_fail(&r[1..], "UID must come once, before the results");
                    }
                    e.uid = true;
                    r = r2;
                    continue;
                }
                let (r2, ()) = sp(r2)?;
                let (r2, item) = search_return_data(r2, name)?;
                e.data.push(item);
                r = r2;
            }
            _ => return Ok((r, Data::ESearch(e))),
        }
    }
}

fn search_return_data<'a>(
    i: &'a [u8],
    name: imapkit_proto::Atom<'a>,
) -> IResult<'a, SearchReturnData<'a>> {
    let w = name.as_bytes();
    let is = |s: &str| chars::eq_keyword(w, s.as_bytes());
    if is("MIN") {
        nz_number(i).map(|(r, n)| (r, SearchReturnData::Min(n)))
    } else if is("MAX") {
        nz_number(i).map(|(r, n)| (r, SearchReturnData::Max(n)))
    } else if is("ALL") {
        response_set(i).map(|(r, s)| (r, SearchReturnData::All(s)))
    } else if is("COUNT") {
        number(i).map(|(r, n)| (r, SearchReturnData::Count(n)))
    } else if is("MODSEQ") {
        mod_sequence_value(i).map(|(r, n)| (r, SearchReturnData::ModSeq(n)))
    } else if is("PARTIAL") {
        let (r, ()) = byte(b'(')(i)?;
        let (r, range) = partial_range(r)?;
        let (r, ()) = sp(r)?;
        let (r, results) = match r.first() {
            Some(b'N' | b'n') => nil(r).map(|(r, ())| (r, None))?,
            _ => response_set(r).map(|(r, s)| (r, Some(s)))?,
        };
        let (r, ()) = byte(b')')(r)?;
        Ok((r, SearchReturnData::Partial { range, results }))
    } else {
        tagged_ext_val(i).map(|(r, value)| (r, SearchReturnData::Other { name, value }))
    }
}

/// `partial-range` (RFC 9394): `a:b` or `-a:-b`.
fn partial_range(i: &[u8]) -> IResult<'_, ESearchPartialRange> {
    let last = i.first() == Some(&b'-');
    let r = if last { &i[1..] } else { i };
    let (r, a) = nz_number(r)?;
    let (r, ()) = byte(b':')(r)?;
    let r = if last { byte(b'-')(r)?.0 } else { r };
    let (r, b) = nz_number(r)?;
    Ok((
        r,
        if last {
            ESearchPartialRange::Last(a, b)
        } else {
            ESearchPartialRange::First(a, b)
        },
    ))
}

/// SEARCH or SORT data (see [`search_parts`]).
fn search(i: &[u8], sort: bool) -> IResult<'_, Data<'_>> {
    let (r, (ids, mod_seq)) = search_parts(i)?;
    Ok((
        r,
        if sort {
            Data::Sort { ids, mod_seq }
        } else {
            Data::Search { ids, mod_seq }
        },
    ))
}

/// `* SEARCH` and the rest of `i` (what follows `SEARCH`), as the general
/// path reads it, up to the end of the line; `i` must end there.
pub(crate) fn search_line(i: &[u8]) -> Option<Response<'static>> {
    let (r, (ids, mod_seq)) = search_parts(i).ok()?;
    let (r, ()) = line_end(r).ok()?;
    r.is_empty()
        .then_some(Response::Data(Data::Search { ids, mod_seq }))
}

/// The numbers of SEARCH or SORT and their `(MODSEQ n)`.
type SearchParts = (Vec<std::num::NonZeroU32>, Option<u64>);

/// `*(SP nz-number) [SP "(" "MODSEQ" SP mod-sequence-value ")"]`, for
/// SEARCH and SORT; the `(MODSEQ n)` only after at least one number
/// (RFC 7162 §7: `[1*(SP nz-number) SP search-sort-mod-seq]`).
fn search_parts(i: &[u8]) -> IResult<'_, SearchParts> {
    // The usual numbers (one space before each, canonical, in range, not
    // the last bytes of the input) read without the general parser, which
    // reads whatever is left: each item is read on its own, so the two
    // readings give the same list.
    let mut ids = match i {
        [b' ', b'1'..=b'9', ..] => Vec::with_capacity(4),
        _ => Vec::new(),
    };
    let mut r = i;
    while let [b' ', b'1'..=b'9', ..] = r {
        let Some((n, rest)) = plain_number(&r[1..], 10) else {
            break;
        };
        let Some(n) = u32::try_from(n).ok().and_then(std::num::NonZeroU32::new) else {
            break;
        };
        if rest.is_empty() {
            break;
        }
        ids.push(n);
        r = rest;
    }
    let (mut r, more) = sp_items(r, |c| c.is_ascii_digit(), nz_number)?;
    if ids.is_empty() {
        ids = more;
    } else {
        ids.extend(more);
    }
    let mut mod_seq = None;
    if let [b' ', b'(', ..] = r {
        if ids.is_empty() {
            return cut_fail(&r[1..], "expected a number before (MODSEQ n)");
        }
        let (r2, ()) = byte(b'(')(&r[1..])?;
        let (r2, ()) = kw("MODSEQ")(r2)?;
        let (r2, ()) = sp(r2)?;
        let (r2, n) = mod_sequence_value(r2)?;
        let (r2, ()) = byte(b')')(r2)?;
        mod_seq = Some(n);
        r = r2;
    }
    Ok((r, (ids, mod_seq)))
}

/// `mod-sequence-value` in SEARCH, SORT and ESEARCH results (RFC 7162 §7,
/// which starts it at 1). Lenient: 0, as in FETCH's `MODSEQ (0)` (Gmail)
/// and `[HIGHESTMODSEQ 0]` (Cyrus), noted as [`Quirks::ZERO_NUMBER`].
fn mod_sequence_value(i: &[u8]) -> IResult<'_, u64> {
    let (r, n) = number64(i)?;
    if n == 0 {
        quirks::note(Quirks::ZERO_NUMBER);
    }
    Ok((r, n))
}

/// `[SP 1*thread-list]`
fn thread(i: &[u8]) -> IResult<'_, Data<'_>> {
    let mut out = Vec::new();
    let mut r = match i {
        [b' ', b'(', ..] => &i[1..],
        [] | [b' '] => return Err(nom::Err::Incomplete(nom::Needed::new(1))),
        _ => return Ok((i, Data::Thread(out))),
    };
    loop {
        match r.first() {
            None => return Err(nom::Err::Incomplete(nom::Needed::new(1))),
            Some(b'(') => {
                let (r2, t) = thread_list(r, 0)?;
                out.push(t);
                r = r2;
            }
            // Lenient: a SP between thread lists (RFC 5256's own examples,
            // wrapped; go-imap v1 servers, see `thread_list`).
            Some(b' ') if r.get(1) == Some(&b'(') => {
                quirks::note(Quirks::EXTRA_SPACE);
                r = &r[1..];
            }
            Some(b' ') if r.len() == 1 => return Err(nom::Err::Incomplete(nom::Needed::new(1))),
            _ => return Ok((r, Data::Thread(out))),
        }
    }
}

/// `thread-list = "(" (thread-members / thread-nested) ")"`,
/// `thread-members = nz-number *(SP nz-number) [SP thread-nested]`,
/// `thread-nested = 2*thread-list` (RFC 5256 §5): never empty, and a SP
/// between the numbers and the nested lists. (A single nested list, which
/// `2*thread-list` leaves out, is read: it has one meaning, the same as
/// its members following the numbers.) Lenient: a SP between nested lists,
/// noted as [`Quirks::EXTRA_SPACE`].
fn thread_list(i: &[u8], depth: usize) -> IResult<'_, Thread> {
    if depth > MAX_DEPTH {
        return cut_fail(i, "thread nesting too deep");
    }
    let (mut r, ()) = byte(b'(')(i)?;
    let mut t = Thread::default();
    // `thread-members`: numbers, each after a SP but the first, and a SP
    // before the nested lists that may follow them.
    if r.first().is_some_and(u8::is_ascii_digit) {
        loop {
            let (r2, n) = nz_number(r)?;
            t.ids.push(n);
            r = r2;
            match r {
                [] | [b' '] => return Err(nom::Err::Incomplete(nom::Needed::new(1))),
                [b' ', b'0'..=b'9', ..] => r = &r[1..],
                [b' ', b'(', ..] => {
                    r = &r[1..];
                    break;
                }
                [b'(', ..] => return fail(r, "expected SP before the nested thread lists"),
                _ => break,
            }
        }
    }
    // `thread-nested`, without separators.
    loop {
        match r {
            [b'(', ..] => {
                let (r2, c) = thread_list(r, depth + 1)?;
                t.children.push(c);
                r = r2;
            }
            // Lenient: a SP between nested lists, `(3 6 (4 23) (44 7 96))`,
            // from go-imap v1 servers with go-imap-sortthread (its
            // `formatThreadResp` writes go-imap's lists, a SP between any
            // two elements).
            [b' ', b'(', ..] if !t.children.is_empty() => {
                quirks::note(Quirks::EXTRA_SPACE);
                r = &r[1..];
            }
            [b' '] if !t.children.is_empty() => {
                return Err(nom::Err::Incomplete(nom::Needed::new(1)))
            }
            _ => break,
        }
    }
    match r.first() {
        None => Err(nom::Err::Incomplete(nom::Needed::new(1))),
        Some(b')') if !(t.ids.is_empty() && t.children.is_empty()) => Ok((&r[1..], t)),
        Some(_) => fail(r, "expected a number or thread list"),
    }
}

/// `SP ["(EARLIER)" SP] known-uids`
fn vanished(i: &[u8]) -> IResult<'_, Data<'_>> {
    let (r, ()) = sp(i)?;
    let (r, earlier) = match r.first() {
        Some(b'(') => {
            let (r, ()) = kw("(EARLIER)")(r)?;
            let (r, ()) = sp(r)?;
            (r, true)
        }
        _ => (r, false),
    };
    // `known-uids`: "`*` is not allowed" (RFC 7162 §7), nor `$`.
    let (r, uids) = uid_set(r)?;
    Ok((r, Data::Vanished { earlier, uids }))
}

/// `SP id-params-list`
fn id(i: &[u8]) -> IResult<'_, Data<'_>> {
    let (r, ()) = sp(i)?;
    if let Some(b'N' | b'n') = r.first() {
        return nil(r).map(|(r, ())| (r, Data::Id(None)));
    }
    let (r, params) = ws_list(|i| {
        let (r, k) = match atom_for_string(i)? {
            (r, Some(atom)) => (r, atom),
            _ => string(i)?,
        };
        let (r, ()) = id_comma(r)?;
        let (r, ()) = sps(r)?;
        let (r, v) = nstring_or_atom(r)?;
        let (r, ()) = id_comma(r)?;
        Ok((r, (k, v)))
    })(r)?;
    // Lenient: `* ID (...)+` (datamail.in): the `+` is dropped.
    let r = match r {
        [b'+', b'\r' | b'\n' | b' ', ..] => {
            quirks::note(Quirks::STRAY_CHARACTER);
            &r[1..]
        }
        [b'+'] => return Err(nom::Err::Incomplete(nom::Needed::new(1))),
        _ => r,
    };
    Ok((r, Data::Id(Some(params))))
}

/// Lenient: a comma after a string of an ID list (megamailservers.com),
/// [`Quirks::COMMA_SEPARATOR`]: skipped, when a space or the list's `)`
/// follows it.
fn id_comma(i: &[u8]) -> IResult<'_, ()> {
    match i {
        [b',', b' ' | b')', ..] => {
            quirks::note(Quirks::COMMA_SEPARATOR);
            Ok((&i[1..], ()))
        }
        [b','] => Err(nom::Err::Incomplete(nom::Needed::new(1))),
        _ => Ok((i, ())),
    }
}

/// `SP quota-root-name SP quota-list`
fn quota(i: &[u8]) -> IResult<'_, Data<'_>> {
    let (r, ()) = sp(i)?;
    let (r, root) = astring(r)?;
    let (r, ()) = sp(r)?;
    let (r, resources) = ws_list(|i| {
        let (r, name) = atom(i)?;
        let (r, ()) = sps(r)?;
        let (r, usage) = number64(r)?;
        let (r, ()) = sps(r)?;
        let (r, limit) = number64(r)?;
        Ok((r, QuotaResource { name, usage, limit }))
    })(r)?;
    Ok((r, Data::Quota { root, resources }))
}

/// `SP mailbox *(SP quota-root-name)`
fn quota_root(i: &[u8]) -> IResult<'_, Data<'_>> {
    let (r, ()) = sp(i)?;
    let (r, mailbox) = mailbox(r)?;
    let (r, roots) = sp_items(r, is_astring_start, astring)?;
    Ok((r, Data::QuotaRoot { mailbox, roots }))
}

/// `SP mailbox *(SP identifier SP rights)`
fn acl(i: &[u8]) -> IResult<'_, Data<'_>> {
    let (r, ()) = sp(i)?;
    let (r, mailbox) = mailbox(r)?;
    let (r, entries) = sp_items(r, is_astring_start, |i| {
        let (r, identifier) = astring(i)?;
        let (r, ()) = sp(r)?;
        let (r, rights) = astring(r)?;
        Ok((r, AclEntry { identifier, rights }))
    })?;
    Ok((r, Data::Acl { mailbox, entries }))
}

/// `SP mailbox SP identifier SP rights *(SP rights)`
fn list_rights(i: &[u8]) -> IResult<'_, Data<'_>> {
    let (r, ()) = sp(i)?;
    let (r, mailbox) = mailbox(r)?;
    let (r, ()) = sp(r)?;
    let (r, identifier) = astring(r)?;
    let (r, ()) = sp(r)?;
    let (r, required) = astring(r)?;
    let (r, optional) = sp_items(r, is_astring_start, astring)?;
    Ok((
        r,
        Data::ListRights(Box::new(imapkit_proto::ListRights {
            mailbox,
            identifier,
            required,
            optional,
        })),
    ))
}

/// `SP mailbox SP rights`
fn my_rights(i: &[u8]) -> IResult<'_, Data<'_>> {
    let (r, ()) = sp(i)?;
    let (r, mailbox) = mailbox(r)?;
    let (r, ()) = sp(r)?;
    let (r, rights) = astring(r)?;
    Ok((r, Data::MyRights { mailbox, rights }))
}

/// `SP mailbox SP (entry-values / entry-list)`
fn metadata(i: &[u8]) -> IResult<'_, Data<'_>> {
    let (r, ()) = sp(i)?;
    let (r, mailbox) = mailbox(r)?;
    let (r, ()) = sp(r)?;
    let (r, items) = match r.first() {
        Some(b'(') => {
            let (r, v) = paren_list1(|i| {
                let (r, entry) = astring(i)?;
                let (r, ()) = sp(r)?;
                let (r, value) = nstring8(r)?;
                Ok((r, (entry, value)))
            })(r)?;
            (r, MetadataItems::Values(v))
        }
        _ => {
            let (r, first) = astring(r)?;
            let (r, rest) = sp_items(r, is_astring_start, astring)?;
            let mut v = Vec1::new(first);
            for x in rest {
                v.push(x);
            }
            (r, MetadataItems::Entries(v))
        }
    };
    Ok((r, Data::Metadata { mailbox, items }))
}

/// `nstring / literal8`
fn nstring8(i: &[u8]) -> IResult<'_, NString8<'_>> {
    match i.first() {
        Some(b'~') => {
            let (r, (len, mode)) = literal_header(&i[1..])?;
            let (r, data) = literal_data(r, len, mode)?;
            Ok((
                r,
                NString8::Literal8(imapkit_proto::Literal::unvalidated(data, mode)),
            ))
        }
        _ => nstring(i).map(|(r, s)| (r, NString8::NString(s))),
    }
}
