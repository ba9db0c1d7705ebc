//! FETCH and STORE arguments (RFC 9051 §6.4.5-6, RFC 4466, RFC 7162,
//! RFC 3516, RFC 8474, RFC 8514, RFC 8970, RFC 9394, Gmail).

use imapkit_proto::{
    Atom, CommandBody, FetchAttribute, FetchItems, FetchModifier, Partial, SnippetAlgorithm,
    SnippetModifier, SnippetRequest, StoreAction, StoreModifier, StoreTarget,
};

use super::own::Own;
use super::search::{gmail_label, partial_range};
use super::{at_sp_paren, ext_param, is, peek, word};
use crate::decode::core::{
    atom, byte, flag, flag_list_with, number64, nz_number64, paren_list, paren_list1,
    section_binary, section_with, sequence_set, sp, sp_list1,
};
use crate::decode::{cut_fail, fail, IResult, Kind, PError};

pub(super) fn fetch_args<'a, 'o>(
    i: &'a [u8],
    uid: bool,
    o: impl Own<'a, 'o>,
) -> IResult<'a, CommandBody<'o>> {
    let (i, ()) = sp(i)?;
    let (i, sequence_set) = sequence_set(i)?;
    let (i, ()) = sp(i)?;
    let (i, items) = if peek(i)?.1 == b'(' {
        let (r, l) = paren_list1(|i| fetch_att(i, o))(i)?;
        (r, FetchItems::List(l))
    } else {
        let (r, w) = word(i)?;
        if is(w, "ALL") {
            (r, FetchItems::All)
        } else if is(w, "FAST") {
            (r, FetchItems::Fast)
        } else if is(w, "FULL") {
            (r, FetchItems::Full)
        } else {
            let (r, a) = fetch_att(i, o)?;
            (r, FetchItems::Single(a))
        }
    };
    let (i, modifiers) = if at_sp_paren(i)?.1 {
        let (r, m) = paren_list1(|i| fetch_modifier(i, uid))(&i[1..])?;
        (r, o.fetch_modifiers(m.into_vec()))
    } else {
        (i, Vec::new())
    };
    Ok((
        i,
        CommandBody::Fetch {
            uid,
            sequence_set,
            items,
            modifiers,
        },
    ))
}

/// A `fetch-modifier` of a FETCH, or of a UID FETCH if `uid`.
fn fetch_modifier(i: &[u8], uid: bool) -> IResult<'_, FetchModifier<'_>> {
    let (r, w) = word(i)?;
    if is(w, "CHANGEDSINCE") {
        let (r, ()) = sp(r)?;
        // 0 too: clients send it (see `FetchModifier::ChangedSince`).
        let (r, n) = number64(r)?;
        return Ok((r, FetchModifier::ChangedSince(n)));
    }
    if is(w, "VANISHED") {
        // `rexpunges-fetch-mod`: "only allowed in the UID FETCH command"
        // (RFC 7162 §7).
        if !uid {
            return cut_fail(i, "VANISHED is allowed in UID FETCH only");
        }
        return Ok((r, FetchModifier::Vanished));
    }
    if is(w, "PARTIAL") {
        let (r, ()) = sp(r)?;
        let (r, p) = partial_range(r)?;
        return Ok((r, FetchModifier::Partial(p)));
    }
    ext_param(i).map(|(r, p)| (r, FetchModifier::Other(p)))
}

/// `"<" number64 "." nz-number64 ">"` if present (RFC 9051 §9 `partial`).
fn opt_partial(i: &[u8]) -> IResult<'_, Option<Partial>> {
    if peek(i)?.1 != b'<' {
        return Ok((i, None));
    }
    let (r, offset) = number64(&i[1..])?;
    let (r, ()) = byte(b'.')(r)?;
    let (r, count) = nz_number64(r)?;
    let (r, ()) = byte(b'>')(r)?;
    Ok((r, Some(Partial { offset, count })))
}

/// One `fetch-att`, in `o`'s form: a section's header field names are made
/// so as they are read, the other attributes that hold data whole.
pub(crate) fn fetch_att<'a, 'o>(
    i: &'a [u8],
    o: impl Own<'a, 'o>,
) -> IResult<'a, FetchAttribute<'o>> {
    use FetchAttribute as A;
    let (r, w) = word(i)?;
    let u = |k: &str| is(w, k);
    let a = if u("ENVELOPE") {
        A::Envelope
    } else if u("FLAGS") {
        A::Flags
    } else if u("INTERNALDATE") {
        A::InternalDate
    } else if u("RFC822.SIZE") {
        A::Rfc822Size
    } else if u("RFC822") {
        A::Rfc822
    } else if u("RFC822.HEADER") {
        A::Rfc822Header
    } else if u("RFC822.TEXT") {
        A::Rfc822Text
    } else if u("BODYSTRUCTURE") {
        A::BodyStructure
    } else if u("UID") {
        A::Uid
    } else if u("BODY") || u("BODY.PEEK") {
        let peek_ = u("BODY.PEEK");
        if !peek_ && peek(r)?.1 != b'[' {
            return Ok((r, A::Body));
        }
        let (r, section) = section_with(r, |name| o.astring(name))?;
        let (r, partial) = opt_partial(r)?;
        return Ok((
            r,
            A::BodySection {
                peek: peek_,
                section,
                partial,
            },
        ));
    } else if u("BINARY") || u("BINARY.PEEK") {
        let (r, part) = section_binary(r)?;
        let (r, partial) = opt_partial(r)?;
        return Ok((
            r,
            A::Binary {
                peek: u("BINARY.PEEK"),
                part,
                partial,
            },
        ));
    } else if u("BINARY.SIZE") {
        let (r, part) = section_binary(r)?;
        return Ok((r, A::BinarySize { part }));
    } else if u("MODSEQ") {
        A::ModSeq
    } else if u("EMAILID") {
        A::EmailId
    } else if u("THREADID") {
        A::ThreadId
    } else if u("SAVEDATE") {
        A::SaveDate
    } else if u("PREVIEW") {
        // `PREVIEW (LAZY)` (RFC 8970) or the draft `PREVIEW (LAZY=FUZZY)`;
        // a list that does not start with a snippet modifier belongs to
        // what follows (FETCH modifiers).
        let Some((r, modifiers)) = snippet_modifiers(r)? else {
            return Ok((r, A::Preview { lazy: false }));
        };
        if let [SnippetModifier::Lazy(None)] = modifiers.as_slice() {
            return Ok((r, A::Preview { lazy: true }));
        }
        return match SnippetRequest::preview(modifiers) {
            Ok(s) => Ok((r, o.fetch_att(A::Snippet(s)))),
            Err(_) => fail(i, "invalid PREVIEW modifiers"),
        };
    } else if u("SNIPPET") {
        // Dovecot 2.3's draft: `SNIPPET`, `SNIPPET (LAZY=FUZZY)`.
        let (r, modifiers) = snippet_modifiers(r)?.unwrap_or((r, Vec::new()));
        return match SnippetRequest::snippet(modifiers) {
            Ok(s) => Ok((r, o.fetch_att(A::Snippet(s)))),
            Err(_) => fail(i, "invalid SNIPPET modifiers"),
        };
    } else if u("X-GM-MSGID") {
        A::GmailMsgId
    } else if u("X-GM-THRID") {
        A::GmailThrId
    } else if u("X-GM-LABELS") {
        A::GmailLabels
    } else if u("ALL") || u("FAST") || u("FULL") {
        return fail(i, "FETCH macro inside a list");
    } else {
        return Ok((r, o.fetch_att(A::Other(Atom::unvalidated(w)))));
    };
    Ok((r, a))
}

/// `SP "(" snippet-modifier *(SP snippet-modifier) ")"` after `SNIPPET` or
/// `PREVIEW`, if the list starts with one (`FUZZY`, `LAZY`, `LAZY=alg`);
/// `None` (nothing consumed) otherwise: after a single FETCH item the list
/// may be the command's FETCH modifiers.
#[allow(clippy::type_complexity)]
fn snippet_modifiers(
    i: &[u8],
) -> Result<Option<(&[u8], Vec<SnippetModifier<'_>>)>, nom::Err<PError<'_>>> {
    if !at_sp_paren(i)?.1 {
        return Ok(None);
    }
    let (_, first) = atom(&i[2..])?;
    let f = first.as_bytes();
    let lazy =
        f.len() >= 4 && f[..4].eq_ignore_ascii_case(b"LAZY") && (f.len() == 4 || f[4] == b'=');
    if !lazy && !f.eq_ignore_ascii_case(b"FUZZY") {
        return Ok(None);
    }
    let (r, modifiers) = paren_list1(snippet_modifier)(&i[1..])?;
    Ok(Some((r, modifiers.into_vec())))
}

/// `FUZZY` (or another algorithm), `LAZY` or `LAZY=algorithm`.
fn snippet_modifier(i: &[u8]) -> IResult<'_, SnippetModifier<'_>> {
    let (r, _) = atom(i)?;
    let w = &i[..i.len() - r.len()];
    let algorithm = |b| match Atom::try_new(b).map(SnippetAlgorithm::from_atom) {
        Ok(Ok(alg)) => Ok(alg),
        _ => Err(nom::Err::Error(PError {
            input: i,
            kind: Kind::Expected("expected a snippet algorithm"),
        })),
    };
    if w.len() >= 4 && w[..4].eq_ignore_ascii_case(b"LAZY") {
        match w.get(4) {
            None => return Ok((r, SnippetModifier::Lazy(None))),
            Some(b'=') => {
                let alg = algorithm(&w[5..])?;
                return Ok((r, SnippetModifier::Lazy(Some(alg))));
            }
            Some(_) => {}
        }
    }
    let alg = algorithm(w)?;
    Ok((r, SnippetModifier::Algorithm(alg)))
}

pub(super) fn store_args<'a, 'o>(
    i: &'a [u8],
    uid: bool,
    o: impl Own<'a, 'o>,
) -> IResult<'a, CommandBody<'o>> {
    let (i, ()) = sp(i)?;
    let (i, sequence_set) = sequence_set(i)?;
    let (i, ()) = sp(i)?;
    let (i, modifiers) = if peek(i)?.1 == b'(' {
        let (r, m) = paren_list1(store_modifier)(i)?;
        let (r, ()) = sp(r)?;
        (r, o.store_modifiers(m.into_vec()))
    } else {
        (i, Vec::new())
    };
    let (i, action) = match peek(i)?.1 {
        b'+' => (&i[1..], StoreAction::Add),
        b'-' => (&i[1..], StoreAction::Remove),
        _ => (i, StoreAction::Replace),
    };
    let at = i;
    let (i, w) = word(i)?;
    let (labels, silent) = if is(w, "FLAGS") {
        (false, false)
    } else if is(w, "FLAGS.SILENT") {
        (false, true)
    } else if is(w, "X-GM-LABELS") {
        (true, false)
    } else if is(w, "X-GM-LABELS.SILENT") {
        (true, true)
    } else {
        return fail(at, "expected FLAGS or FLAGS.SILENT");
    };
    let (i, ()) = sp(i)?;
    let paren = peek(i)?.1 == b'(';
    let owned_flag = |i| flag(i).map(|(r, f)| (r, o.flag(f)));
    let (i, target) = match (labels, paren) {
        (false, true) => {
            let (r, f) = flag_list_with(owned_flag)(i)?;
            (r, StoreTarget::Flags(f))
        }
        (false, false) => {
            let (r, f) = sp_list1(owned_flag)(i)?;
            (r, StoreTarget::Flags(f.into_vec()))
        }
        (true, true) => {
            let (r, f) = paren_list(gmail_label)(i)?;
            (r, o.store_target(StoreTarget::GmailLabels(f)))
        }
        (true, false) => {
            let (r, f) = sp_list1(gmail_label)(i)?;
            (r, o.store_target(StoreTarget::GmailLabels(f.into_vec())))
        }
    };
    Ok((
        i,
        CommandBody::Store {
            uid,
            sequence_set,
            modifiers,
            action,
            silent,
            target,
        },
    ))
}

fn store_modifier(i: &[u8]) -> IResult<'_, StoreModifier<'_>> {
    let (r, w) = word(i)?;
    if is(w, "UNCHANGEDSINCE") {
        let (r, ()) = sp(r)?;
        let (r, n) = number64(r)?;
        return Ok((r, StoreModifier::UnchangedSince(n)));
    }
    ext_param(i).map(|(r, p)| (r, StoreModifier::Other(p)))
}
