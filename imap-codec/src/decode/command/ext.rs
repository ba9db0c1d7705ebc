//! LIST, APPEND, ID, QUOTA, ACL, METADATA, COMPRESS and NOTIFY arguments.

use imapkit_proto::chars;
use imapkit_proto::{
    AclModMode, AclRights, AppendData, AppendMessage, CatenatePart, CommandBody,
    CompressionAlgorithm, DateTime, Flag, GetMetadataOption, ListChars, ListMailbox,
    ListOptionExtension, ListPatterns, ListReturnOption, ListSelectOption, Mailbox, MetadataDepth,
    MetadataEntry, MetadataValue, NotifyEvent, NotifyEventGroup, NotifyFilter, QuotaLimit,
    QuotaResourceName, Vec1,
};
use nom::bytes::streaming::take_while1;

use super::fetch::fetch_att;
use super::own::{Borrowed, Own};
use super::{at_sp_paren, comp_list1, ext_param, is, literal8, peek, word};
use crate::decode::core::{
    astring, atom, byte, date_time, flag, flag_list_with, literal, mailbox, nstring, number,
    number64, paren_list, paren_list1, sp, status_att_list, string,
};
use crate::decode::{fail, IResult};

/// `list-mailbox`: `1*list-char / string`.
pub(super) fn list_mailbox(i: &[u8]) -> IResult<'_, ListMailbox<'_>> {
    match peek(i)?.1 {
        b'"' | b'{' => string(i).map(|(r, s)| (r, ListMailbox::String(s))),
        _ => {
            let (r, t) = take_while1(chars::is_list_char)(i)?;
            Ok((r, ListMailbox::Token(ListChars::unvalidated(t))))
        }
    }
}

pub(super) fn list_args<'a, 'o>(i: &'a [u8], o: impl Own<'a, 'o>) -> IResult<'a, CommandBody<'o>> {
    let (i, ()) = sp(i)?;
    let (i, selection) = if peek(i)?.1 == b'(' {
        let (r, s) = paren_list(list_select_opt)(i)?;
        let (r, ()) = sp(r)?;
        (r, Some(s))
    } else {
        (i, None)
    };
    let (i, reference) = mailbox(i)?;
    let (i, ()) = sp(i)?;
    let (i, patterns) = if peek(i)?.1 == b'(' {
        let (r, l) = paren_list1(|i| list_mailbox(i).map(|(r, m)| (r, o.list_mailbox(m))))(i)?;
        (r, ListPatterns::Multiple(l))
    } else {
        let (r, m) = list_mailbox(i)?;
        (r, ListPatterns::Single(o.list_mailbox(m)))
    };
    let (i, return_options) = if peek(i)?.1 == b' ' {
        let (r, w) = word(&i[1..])?;
        if !is(w, "RETURN") {
            return fail(&i[1..], "expected RETURN");
        }
        let (r, ()) = sp(r)?;
        let (r, o) = paren_list(list_return_opt)(r)?;
        (r, Some(o))
    } else {
        (i, None)
    };
    Ok((
        i,
        CommandBody::List {
            selection: o.list_selection(selection),
            reference: o.mailbox(reference),
            patterns,
            return_options: o.list_return(return_options),
        },
    ))
}

/// `option-extension`: `name [SP "(" option-val-comp ")"]`.
fn list_option_ext(i: &[u8]) -> IResult<'_, ListOptionExtension<'_>> {
    let (r, name) = atom(i)?;
    if at_sp_paren(r)?.1 {
        let (r, v) = comp_list1(&r[1..])?;
        return Ok((
            r,
            ListOptionExtension {
                name,
                value: Some(v),
            },
        ));
    }
    Ok((r, ListOptionExtension { name, value: None }))
}

fn list_select_opt(i: &[u8]) -> IResult<'_, ListSelectOption<'_>> {
    let (r, w) = word(i)?;
    let o = if is(w, "SUBSCRIBED") {
        ListSelectOption::Subscribed
    } else if is(w, "REMOTE") {
        ListSelectOption::Remote
    } else if is(w, "RECURSIVEMATCH") {
        ListSelectOption::RecursiveMatch
    } else if is(w, "SPECIAL-USE") {
        ListSelectOption::SpecialUse
    } else {
        return list_option_ext(i).map(|(r, o)| (r, ListSelectOption::Other(o)));
    };
    Ok((r, o))
}

fn list_return_opt(i: &[u8]) -> IResult<'_, ListReturnOption<'_>> {
    let (r, w) = word(i)?;
    let o = if is(w, "SUBSCRIBED") {
        ListReturnOption::Subscribed
    } else if is(w, "CHILDREN") {
        ListReturnOption::Children
    } else if is(w, "SPECIAL-USE") {
        ListReturnOption::SpecialUse
    } else if is(w, "MYRIGHTS") {
        ListReturnOption::MyRights
    } else if is(w, "STATUS") {
        let (r, ()) = sp(r)?;
        let (r, a) = status_att_list(r)?;
        return Ok((r, ListReturnOption::Status(a)));
    } else {
        return list_option_ext(i).map(|(r, o)| (r, ListReturnOption::Other(o)));
    };
    Ok((r, o))
}

pub(super) fn append_args<'a, 'o>(
    i: &'a [u8],
    o: impl Own<'a, 'o>,
) -> IResult<'a, CommandBody<'o>> {
    let (i, ()) = sp(i)?;
    let (mut i, mailbox) = mailbox(i)?;
    // One message but with MULTIAPPEND (RFC 3502): room for exactly that.
    let mut messages = Vec::with_capacity(1);
    loop {
        let (r, ()) = sp(i)?;
        let (r, flags) = if peek(r)?.1 == b'(' {
            let (r, f) = flag_list_with(|i| flag(i).map(|(r, f)| (r, o.flag(f))))(r)?;
            let (r, ()) = sp(r)?;
            (r, Some(f))
        } else {
            (r, None)
        };
        let (r, date) = if peek(r)?.1 == b'"' {
            let (r, d) = date_time(r)?;
            let (r, ()) = sp(r)?;
            (r, Some(d))
        } else {
            (r, None)
        };
        let (r, data) = append_data(r)?;
        let data = o.append_data(data);
        messages.push(AppendMessage { flags, date, data });
        i = r;
        if peek(i)?.1 != b' ' {
            break;
        }
    }
    Ok((
        i,
        CommandBody::Append {
            mailbox: o.mailbox(mailbox),
            messages: Vec1::unvalidated(messages),
        },
    ))
}

/// Where a literal announced at the end of an APPEND's first lines
/// stands: the message whose data it is (RFC 9051 §6.3.12; RFC 3502 for
/// more than one message), read by [`append_head`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AppendHead<'a> {
    /// The destination mailbox.
    pub mailbox: Mailbox<'a>,
    /// Which message of the command the literal holds: 0 for the first (a
    /// MULTIAPPEND names more than one, RFC 3502).
    pub message: usize,
    /// That message's flags: `None` when absent, `Some(vec![])` for `()`
    /// (as [`AppendMessage::flags`](imapkit_proto::AppendMessage::flags)).
    pub flags: Option<Vec<Flag<'a>>>,
    /// That message's internal date, if given.
    pub date: Option<DateTime>,
}

/// Reads `head`, an APPEND command from its first byte through the line
/// end of a literal's header (what a server's framer holds when it
/// announces the literal, `Framer::current_message`), and tells whether
/// that literal is a message's data and which: `{n}` or `~{n}` after the
/// mailbox and the optional flag list and date-time, or the `~{n}` of
/// `UTF8 (~{n}` (RFC 6855 §4). `None` for any other literal of the
/// command (a mailbox name sent as a literal, a CATENATE part, RFC 4469;
/// a message after a CATENATE message is read), for a head that is no
/// APPEND, and for one that does not parse so far (or holds invalid UTF-8
/// outside literals).
///
/// A server calls it to decide on a message before its data comes: a
/// missing mailbox (`NO [TRYCREATE]`), a quota or an APPENDLIMIT
/// (`NO [TOOBIG]`, RFC 7889) answered before the client sends megabytes.
///
/// ```
/// use imapkit_codec::decode::append_head;
///
/// let head = b"a1 APPEND Drafts (\\Draft) {310}\r\n";
/// let at = append_head(head).unwrap();
/// assert_eq!(at.mailbox.to_string(), "Drafts");
/// assert_eq!(at.message, 0);
/// assert_eq!(at.flags, Some(vec![imapkit_proto::Flag::Draft]));
/// assert_eq!(at.date, None);
/// // The second message of a MULTIAPPEND, once the first one's data came.
/// let head = b"a2 APPEND INBOX {3}\r\nabc (\\Seen) {5}\r\n";
/// assert_eq!(append_head(head).unwrap().message, 1);
/// // A mailbox name sent as a literal is no message.
/// assert_eq!(append_head(b"a3 APPEND {5}\r\n"), None);
/// ```
pub fn append_head(head: &[u8]) -> Option<AppendHead<'_>> {
    // The announced literal's header is on the last line of `head`.
    let last_line = |r: &[u8]| {
        r.len()
            .checked_sub(1)
            .is_some_and(|end| memchr::memchr(b'\n', r) == Some(end))
    };
    let (i, _) = super::super::core::tag_(head).ok()?;
    let (i, ()) = sp(i).ok()?;
    let (i, name) = word(i).ok()?;
    if !is(name, "APPEND") {
        return None;
    }
    let (i, ()) = sp(i).ok()?;
    let (mut i, mailbox) = mailbox(i).ok()?;
    // Outside literals a command is UTF-8 (RFC 9051 §9); the decoder
    // refuses the whole command otherwise, so no check is due.
    std::str::from_utf8(&head[..head.len() - i.len()]).ok()?;
    for message in 0.. {
        let (r, ()) = sp(i).ok()?;
        let (r, flags) = if peek(r).ok()?.1 == b'(' {
            let (r, flags) = flag_list_with(flag)(r).ok()?;
            (sp(r).ok()?.0, Some(flags))
        } else {
            (r, None)
        };
        let (r, date) = if peek(r).ok()?.1 == b'"' {
            let (r, date) = date_time(r).ok()?;
            (sp(r).ok()?.0, Some(date))
        } else {
            (r, None)
        };
        let at_literal = match peek(r).ok()?.1 {
            b'{' | b'~' => Some(r),
            _ => {
                // `UTF8 (~{n}`; CATENATE's parts are no message's data.
                let (u, w) = word(r).ok()?;
                if is(w, "UTF8") {
                    let (u, ()) = sp(u).ok()?;
                    Some(byte(b'(')(u).ok()?.0)
                } else {
                    None
                }
            }
        };
        if at_literal.is_some_and(last_line) {
            return Some(AppendHead {
                mailbox,
                message,
                flags,
                date,
            });
        }
        // A message whose data is in `head` (a CATENATE whose last part is
        // the announced literal does not parse: none), on to the next.
        i = append_data(r).ok()?.0;
        if peek(i).ok()?.1 != b' ' {
            return None;
        }
    }
    None
}

fn append_data(i: &[u8]) -> IResult<'_, AppendData<'_>> {
    match peek(i)?.1 {
        b'{' => literal(i).map(|(r, l)| (r, AppendData::Literal(l))),
        b'~' => literal8(i).map(|(r, l)| (r, AppendData::Literal8(l))),
        _ => {
            let (r, w) = word(i)?;
            if is(w, "CATENATE") {
                let (r, ()) = sp(r)?;
                let (r, parts) = paren_list1(cat_part)(r)?;
                Ok((r, AppendData::Catenate(parts)))
            } else if is(w, "UTF8") {
                let (r, ()) = sp(r)?;
                let (r, ()) = byte(b'(')(r)?;
                let (r, l) = literal8(r)?;
                let (r, ()) = byte(b')')(r)?;
                Ok((r, AppendData::Utf8(l)))
            } else {
                fail(i, "expected a literal, CATENATE or UTF8")
            }
        }
    }
}

fn cat_part(i: &[u8]) -> IResult<'_, CatenatePart<'_>> {
    let (r, w) = word(i)?;
    if is(w, "URL") {
        let (r, ()) = sp(r)?;
        return astring(r).map(|(r, u)| (r, CatenatePart::Url(u)));
    }
    if is(w, "TEXT") {
        let (r, ()) = sp(r)?;
        return if peek(r)?.1 == b'~' {
            literal8(r).map(|(r, l)| (r, CatenatePart::Text8(l)))
        } else {
            literal(r).map(|(r, l)| (r, CatenatePart::Text(l)))
        };
    }
    fail(i, "expected URL or TEXT")
}

pub(super) fn id_args(i: &[u8]) -> IResult<'_, CommandBody<'_>> {
    let (i, ()) = sp(i)?;
    if peek(i)?.1 != b'(' {
        let (r, ()) = crate::decode::core::nil(i)?;
        return Ok((r, CommandBody::Id { parameters: None }));
    }
    let mut params = Vec::new();
    let mut r = &i[1..];
    if peek(r)?.1 == b')' {
        return Ok((
            &r[1..],
            CommandBody::Id {
                parameters: Some(params),
            },
        ));
    }
    loop {
        let (r2, k) = string(r)?;
        let (r2, ()) = sp(r2)?;
        let (r2, v) = nstring(r2)?;
        params.push((k, v));
        match peek(r2)?.1 {
            b' ' => r = &r2[1..],
            b')' => {
                return Ok((
                    &r2[1..],
                    CommandBody::Id {
                        parameters: Some(params),
                    },
                ))
            }
            _ => return fail(r2, "expected SP or )"),
        }
    }
}

pub(super) fn setquota_args(i: &[u8]) -> IResult<'_, CommandBody<'_>> {
    let (i, ()) = sp(i)?;
    let (i, root) = astring(i)?;
    let (i, ()) = sp(i)?;
    let (i, limits) = paren_list(|i| {
        let (r, a) = atom(i)?;
        let (r, ()) = sp(r)?;
        let (r, limit) = number64(r)?;
        Ok((
            r,
            QuotaLimit {
                resource: QuotaResourceName::from_atom(a),
                limit,
            },
        ))
    })(i)?;
    Ok((i, CommandBody::SetQuota { root, limits }))
}

pub(super) fn setacl_args(i: &[u8]) -> IResult<'_, CommandBody<'_>> {
    let (i, ()) = sp(i)?;
    let (i, mailbox) = mailbox(i)?;
    let (i, ()) = sp(i)?;
    let (i, identifier) = astring(i)?;
    let (i, ()) = sp(i)?;
    let at = i;
    let (i, mod_rights) = astring(i)?;
    let b = mod_rights.as_bytes();
    let (mode, skip) = match b.first() {
        Some(b'+') => (AclModMode::Add, 1),
        Some(b'-') => (AclModMode::Remove, 1),
        _ => (AclModMode::Replace, 0),
    };
    let len = b.len();
    let rights = AclRights::try_new(mod_rights.into_inner().slice(skip..len));
    match rights {
        Ok(rights) => Ok((
            i,
            CommandBody::SetAcl {
                mailbox,
                identifier,
                mode,
                rights,
            },
        )),
        Err(_) => fail(at, "ACL rights must be lowercase letters and digits"),
    }
}

fn getmetadata_option(i: &[u8]) -> IResult<'_, GetMetadataOption<'_>> {
    let (r, w) = word(i)?;
    if is(w, "MAXSIZE") {
        let (r, ()) = sp(r)?;
        let (r, n) = number(r)?;
        return Ok((r, GetMetadataOption::MaxSize(n)));
    }
    if is(w, "DEPTH") {
        let (r, ()) = sp(r)?;
        let at = r;
        let (r, d) = word(r)?;
        let d = if d == b"0" {
            MetadataDepth::Zero
        } else if d == b"1" {
            MetadataDepth::One
        } else if is(d, "INFINITY") {
            MetadataDepth::Infinity
        } else {
            return fail(at, "expected 0, 1 or infinity");
        };
        return Ok((r, GetMetadataOption::Depth(d)));
    }
    ext_param(i).map(|(r, p)| (r, GetMetadataOption::Other(p)))
}

fn metadata_entry(i: &[u8]) -> IResult<'_, MetadataEntry<'_>> {
    astring(i).map(|(r, a)| (r, MetadataEntry::new(a)))
}

/// Whether `i` is `(MAXSIZE` or `(DEPTH` (options after the mailbox, as in
/// the examples of RFC 5464).
fn at_metadata_options(i: &[u8]) -> IResult<'_, bool> {
    if peek(i)?.1 != b'(' {
        return Ok((i, false));
    }
    let (_, w) = word(&i[1..]).or_else(|e| match e {
        nom::Err::Error(_) => Ok((i, &i[..0])),
        e => Err(e),
    })?;
    if !(is(w, "MAXSIZE") || is(w, "DEPTH")) {
        return Ok((i, false));
    }
    // Only the whole token: `(MAXSIZE/x ...)` is a list of entries.
    match i.get(1 + w.len()) {
        None => Err(nom::Err::Incomplete(nom::Needed::new(1))),
        Some(&b) => Ok((i, b == b' ')),
    }
}

pub(super) fn getmetadata_args(i: &[u8]) -> IResult<'_, CommandBody<'_>> {
    let (i, ()) = sp(i)?;
    let (i, options) = if peek(i)?.1 == b'(' {
        let (r, o) = paren_list1(getmetadata_option)(i)?;
        let (r, ()) = sp(r)?;
        (r, o.into_vec())
    } else {
        (i, Vec::new())
    };
    let (i, mailbox): (_, Mailbox<'_>) = mailbox(i)?;
    let (i, ()) = sp(i)?;
    // Options after the mailbox (RFC 5464's examples) are followed by the
    // entries, which end the command; a list that is not followed by more
    // is the entries themselves (`(MAXSIZE 1mment)` is two entries, the
    // form the encoder writes for them).
    let late = |i| -> IResult<'_, _> {
        let (r, o) = paren_list1(getmetadata_option)(i)?;
        let (r, ()) = sp(r)?;
        let (r, entries) = metadata_entries(r)?;
        Ok((r, (o.into_vec(), entries)))
    };
    let late = match options.is_empty() && at_metadata_options(i)?.1 {
        true => match late(i) {
            Err(nom::Err::Incomplete(n)) => return Err(nom::Err::Incomplete(n)),
            result => result.ok(),
        },
        false => None,
    };
    let (i, (options, entries)) = match late {
        Some(found) => found,
        None => metadata_entries(i).map(|(r, entries)| (r, (options, entries)))?,
    };
    Ok((
        i,
        CommandBody::GetMetadata {
            options,
            mailbox,
            entries,
        },
    ))
}

/// `entries` (RFC 5464 §4.2.2): one entry, or a parenthesised list.
/// Lenient: several entries separated by spaces without parentheses.
fn metadata_entries(i: &[u8]) -> IResult<'_, Vec1<MetadataEntry<'_>>> {
    if peek(i)?.1 == b'(' {
        paren_list1(metadata_entry)(i)
    } else {
        crate::decode::core::sp_list1(metadata_entry)(i)
    }
}

pub(super) fn setmetadata_args(i: &[u8]) -> IResult<'_, CommandBody<'_>> {
    let (i, ()) = sp(i)?;
    let (i, mailbox) = mailbox(i)?;
    let (i, ()) = sp(i)?;
    let (i, entries) = paren_list1(|i| {
        let (r, e) = metadata_entry(i)?;
        let (r, ()) = sp(r)?;
        let (r, v) = if peek(r)?.1 == b'~' {
            let (r, l) = literal8(r)?;
            (r, MetadataValue::Literal8(l))
        } else {
            let (r, s) = nstring(r)?;
            (r, MetadataValue::NString(s))
        };
        Ok((r, (e, v)))
    })(i)?;
    Ok((i, CommandBody::SetMetadata { mailbox, entries }))
}

pub(super) fn compress_args(i: &[u8]) -> IResult<'_, CommandBody<'_>> {
    let (i, ()) = sp(i)?;
    let (i, a) = atom(i)?;
    let algorithm = if is(a.as_bytes(), "DEFLATE") {
        CompressionAlgorithm::Deflate
    } else {
        CompressionAlgorithm::Other(a)
    };
    Ok((i, CommandBody::Compress { algorithm }))
}

pub(super) fn notify_args(i: &[u8]) -> IResult<'_, CommandBody<'_>> {
    let (i, ()) = sp(i)?;
    let at = i;
    let (i, w) = word(i)?;
    if is(w, "NONE") {
        return Ok((i, CommandBody::NotifyNone));
    }
    if !is(w, "SET") {
        return fail(at, "expected SET or NONE");
    }
    let (i, ()) = sp(i)?;
    let (i, status) = if peek(i)?.1 != b'(' {
        let at = i;
        let (r, w) = word(i)?;
        if !is(w, "STATUS") {
            return fail(at, "expected STATUS or (");
        }
        let (r, ()) = sp(r)?;
        (r, true)
    } else {
        (i, false)
    };
    let (i, groups) = crate::decode::core::sp_list1(event_group)(i)?;
    Ok((i, CommandBody::NotifySet { status, groups }))
}

fn one_or_more_mailbox(i: &[u8]) -> IResult<'_, Vec1<Mailbox<'_>>> {
    if peek(i)?.1 == b'(' {
        return paren_list1(mailbox)(i);
    }
    mailbox(i).map(|(r, m)| (r, Vec1::new(m)))
}

fn event_group(i: &[u8]) -> IResult<'_, NotifyEventGroup<'_>> {
    let (i, ()) = byte(b'(')(i)?;
    let at = i;
    let (i, w) = word(i)?;
    let (i, filter) = if is(w, "SELECTED") {
        (i, NotifyFilter::Selected)
    } else if is(w, "SELECTED-DELAYED") {
        (i, NotifyFilter::SelectedDelayed)
    } else if is(w, "INBOXES") {
        (i, NotifyFilter::Inboxes)
    } else if is(w, "PERSONAL") {
        (i, NotifyFilter::Personal)
    } else if is(w, "SUBSCRIBED") {
        (i, NotifyFilter::Subscribed)
    } else if is(w, "SUBTREE") || is(w, "MAILBOXES") {
        let (r, ()) = sp(i)?;
        let (r, m) = one_or_more_mailbox(r)?;
        (
            r,
            if is(w, "SUBTREE") {
                NotifyFilter::Subtree(m)
            } else {
                NotifyFilter::Mailboxes(m)
            },
        )
    } else {
        return fail(at, "unknown NOTIFY mailbox filter");
    };
    let (i, ()) = sp(i)?;
    let (i, events) = if peek(i)?.1 == b'(' {
        let (r, e) = paren_list1(notify_event)(i)?;
        (r, Some(e))
    } else {
        let (r, w) = word(i)?;
        if is(w, "NONE") {
            (r, None)
        } else {
            // Lenient: events without parentheses, as in RFC 5465's examples.
            let (mut r, e) = notify_event(i)?;
            let mut events = vec![e];
            while peek(r)?.1 == b' ' {
                let (r2, e) = notify_event(&r[1..])?;
                events.push(e);
                r = r2;
            }
            (r, Some(Vec1::unvalidated(events)))
        }
    };
    let (i, ()) = byte(b')')(i)?;
    Ok((i, NotifyEventGroup { filter, events }))
}

fn notify_event(i: &[u8]) -> IResult<'_, NotifyEvent<'_>> {
    let (r, a) = atom(i)?;
    let w = a.as_bytes();
    let e = if is(w, "MESSAGENEW") {
        if at_sp_paren(r)?.1 {
            let (r, atts) = paren_list1(|i| fetch_att(i, Borrowed))(&r[1..])?;
            return Ok((r, NotifyEvent::MessageNew(Some(atts))));
        }
        NotifyEvent::MessageNew(None)
    } else if is(w, "MESSAGEEXPUNGE") {
        NotifyEvent::MessageExpunge
    } else if is(w, "FLAGCHANGE") {
        NotifyEvent::FlagChange
    } else if is(w, "ANNOTATIONCHANGE") {
        NotifyEvent::AnnotationChange
    } else if is(w, "MAILBOXNAME") {
        NotifyEvent::MailboxName
    } else if is(w, "SUBSCRIPTIONCHANGE") {
        NotifyEvent::SubscriptionChange
    } else if is(w, "MAILBOXMETADATACHANGE") {
        NotifyEvent::MailboxMetadataChange
    } else if is(w, "SERVERMETADATACHANGE") {
        NotifyEvent::ServerMetadataChange
    } else {
        NotifyEvent::Other(a)
    };
    Ok((r, e))
}
