//! `resp-text-code` (RFC 9051 §9) and the codes of extensions.

use imapkit_proto::{
    is_code_text_char, Charset, CodeText, MetadataCode, ObjectId, OtherCode, ResponseCode,
};
use nom::bytes::streaming::{take_while, take_while1};

use crate::decode::core::{
    atom, byte, capability, flag_perm, number, number64, nz_number, paren_list1, quoted,
    response_set, sp, sp_list1, uid_set,
};
use crate::decode::{fail, IResult};

use super::lenient::ws_list;
use super::quirks::{self, Quirks};

/// `"[" resp-text-code "]"`. Known codes with arguments that do not parse
/// are kept as [`ResponseCode::Other`] with their raw arguments.
pub(crate) fn bracketed(i: &[u8]) -> IResult<'_, ResponseCode<'_>> {
    let (i, ()) = byte(b'[')(i)?;
    let (args, name) = atom(i)?;
    match quirks::attempt(|| known(args, name.as_bytes())) {
        Ok((r, Some(code))) => match byte(b']')(r) {
            Ok((r, ())) => return Ok((r, code)),
            Err(nom::Err::Incomplete(n)) => return Err(nom::Err::Incomplete(n)),
            Err(_) => quirks::note(Quirks::CODE_ARGUMENTS),
        },
        Ok((_, None)) => {}
        Err(nom::Err::Incomplete(n)) => return Err(nom::Err::Incomplete(n)),
        Err(_) => quirks::note(Quirks::CODE_ARGUMENTS),
    }
    // Generic form: atom [SP 1*<any TEXT-CHAR except "]">].
    let (r, text) = match args.first() {
        None => return Err(nom::Err::Incomplete(nom::Needed::new(1))),
        Some(b' ') => {
            let (r, t) = take_while(is_code_text_char)(&args[1..])?;
            (r, Some(CodeText::unvalidated(t)))
        }
        Some(_) => (args, None),
    };
    let (r, ()) = byte(b']')(r)?;
    Ok((
        r,
        ResponseCode::Other(Box::new(OtherCode::unvalidated(name, text))),
    ))
}

/// The arguments of a known code; `None` for unknown names.
fn known<'a>(i: &'a [u8], name: &[u8]) -> IResult<'a, Option<ResponseCode<'a>>> {
    use ResponseCode as C;
    let upper: [u8; 24];
    let n = if name.len() <= 24 {
        let mut u = [0u8; 24];
        u[..name.len()].copy_from_slice(name);
        u.make_ascii_uppercase();
        upper = u;
        &upper[..name.len()]
    } else {
        return Ok((i, None));
    };
    let unit = |c: ResponseCode<'a>| Ok((i, Some(c)));
    match n {
        b"ALERT" => unit(C::Alert),
        b"PARSE" => unit(C::Parse),
        b"READ-ONLY" => unit(C::ReadOnly),
        b"READ-WRITE" => unit(C::ReadWrite),
        b"TRYCREATE" => unit(C::TryCreate),
        b"CLOSED" => unit(C::Closed),
        b"NOMODSEQ" => unit(C::NoModSeq),
        b"UIDNOTSTICKY" => unit(C::UidNotSticky),
        b"UNAVAILABLE" => unit(C::Unavailable),
        b"AUTHENTICATIONFAILED" => unit(C::AuthenticationFailed),
        b"AUTHORIZATIONFAILED" => unit(C::AuthorizationFailed),
        b"EXPIRED" => unit(C::Expired),
        b"PRIVACYREQUIRED" => unit(C::PrivacyRequired),
        b"CONTACTADMIN" => unit(C::ContactAdmin),
        b"NOPERM" => unit(C::NoPerm),
        b"INUSE" => unit(C::InUse),
        b"EXPUNGEISSUED" => unit(C::ExpungeIssued),
        b"CORRUPTION" => unit(C::Corruption),
        b"SERVERBUG" => unit(C::ServerBug),
        b"CLIENTBUG" => unit(C::ClientBug),
        b"CANNOT" => unit(C::Cannot),
        b"LIMIT" => unit(C::Limit),
        b"OVERQUOTA" => unit(C::OverQuota),
        b"ALREADYEXISTS" => unit(C::AlreadyExists),
        b"NONEXISTENT" => unit(C::NonExistent),
        b"NOTSAVED" => unit(C::NotSaved),
        b"HASCHILDREN" => unit(C::HasChildren),
        b"UNKNOWN-CTE" => unit(C::UnknownCte),
        b"COMPRESSIONACTIVE" => unit(C::CompressionActive),
        b"NOTIFICATIONOVERFLOW" => unit(C::NotificationOverflow),
        b"USEATTR" => unit(C::UseAttr),
        b"TOOBIG" => unit(C::TooBig),
        b"BADCHARSET" => match i.first() {
            Some(b' ') => {
                let (r, l) = paren_list1(charset)(&i[1..])?;
                Ok((r, Some(C::BadCharset(Some(l)))))
            }
            _ => unit(C::BadCharset(None)),
        },
        b"CAPABILITY" => {
            let (r, ()) = sp(i)?;
            let (r, caps) = sp_list1(capability)(r)?;
            // Lenient: a space before the bracket.
            let r = match r {
                [b' ', b']', ..] => &r[1..],
                _ => r,
            };
            Ok((r, Some(C::Capability(caps))))
        }
        b"PERMANENTFLAGS" => {
            let (r, ()) = sp(i)?;
            let (r, f) = ws_list(flag_perm)(r)?;
            Ok((r, Some(C::PermanentFlags(f))))
        }
        b"UIDNEXT" | b"UIDVALIDITY" => {
            let (r, ()) = sp(i)?;
            // Lenient: 0 (the grammar says nz-number).
            let (r, v) = number(r)?;
            if v == 0 {
                quirks::note(Quirks::ZERO_NUMBER);
            }
            Ok((
                r,
                Some(if n == b"UIDNEXT" {
                    C::UidNext(v)
                } else {
                    C::UidValidity(v)
                }),
            ))
        }
        b"UNSEEN" => {
            let (r, ()) = sp(i)?;
            let (r, v) = nz_number(r)?;
            Ok((r, Some(C::Unseen(v))))
        }
        b"HIGHESTMODSEQ" => {
            let (r, ()) = sp(i)?;
            let (r, v) = number64(r)?;
            // Lenient: 0 (a mod-sequence-value starts at 1, RFC 7162 §7).
            if v == 0 {
                quirks::note(Quirks::ZERO_NUMBER);
            }
            Ok((r, Some(C::HighestModSeq(v))))
        }
        b"MODIFIED" => {
            let (r, ()) = sp(i)?;
            let (r, s) = response_set(r)?;
            Ok((r, Some(C::Modified(s))))
        }
        b"APPENDUID" => {
            let (r, ()) = sp(i)?;
            let (r, uid_validity) = nz_number(r)?;
            let (r, ()) = sp(r)?;
            // `append-uid`: `uniqueid`, or a `uid-set` (RFC 4315, MULTIAPPEND).
            let (r, uids) = uid_set(r)?;
            Ok((r, Some(C::AppendUid { uid_validity, uids })))
        }
        b"COPYUID" => {
            let (r, ()) = sp(i)?;
            let (r, uid_validity) = nz_number(r)?;
            let (r, ()) = sp(r)?;
            let (r, source) = uid_set(r)?;
            let (r, ()) = sp(r)?;
            let (r, destination) = uid_set(r)?;
            Ok((
                r,
                Some(C::CopyUid(Box::new(imapkit_proto::CopyUidCode {
                    uid_validity,
                    source,
                    destination,
                }))),
            ))
        }
        b"REFERRAL" | b"BADURL" => {
            let (r, ()) = sp(i)?;
            let (r, t) = take_while1(is_code_text_char)(r)?;
            let t = CodeText::unvalidated(t);
            Ok((
                r,
                Some(if n == b"REFERRAL" {
                    C::Referral(t)
                } else {
                    C::BadUrl(t)
                }),
            ))
        }
        b"METADATA" => {
            let (r, ()) = sp(i)?;
            let (r2, word) = atom(r)?;
            let w = word.as_bytes();
            let m = if w.eq_ignore_ascii_case(b"LONGENTRIES") || w.eq_ignore_ascii_case(b"MAXSIZE")
            {
                let (r3, ()) = sp(r2)?;
                let (r3, v) = number(r3)?;
                let m = if w.eq_ignore_ascii_case(b"MAXSIZE") {
                    MetadataCode::MaxSize(v)
                } else {
                    MetadataCode::LongEntries(v)
                };
                return Ok((r3, Some(C::Metadata(m))));
            } else if w.eq_ignore_ascii_case(b"TOOMANY") {
                MetadataCode::TooMany
            } else if w.eq_ignore_ascii_case(b"NOPRIVATE") {
                MetadataCode::NoPrivate
            } else {
                return fail(r, "unknown METADATA code");
            };
            Ok((r2, Some(C::Metadata(m))))
        }
        b"BADEVENT" => {
            let (r, ()) = sp(i)?;
            let (r, l) = paren_list1(atom)(r)?;
            Ok((r, Some(C::BadEvent(l))))
        }
        b"MAILBOXID" => {
            let (r, ()) = sp(i)?;
            let (r, id) = objectid_paren(r)?;
            Ok((r, Some(C::MailboxId(id))))
        }
        _ => Ok((i, None)),
    }
}

/// `charset`: atom or quoted.
fn charset(i: &[u8]) -> IResult<'_, Charset<'_>> {
    match i.first() {
        Some(b'"') => quoted(i).map(|(r, q)| (r, Charset::Quoted(q))),
        _ => atom(i).map(|(r, a)| (r, Charset::Atom(a))),
    }
}

/// `objectid` (RFC 8474): 1*255 of ALPHA / DIGIT / "_" / "-".
pub(crate) fn objectid(i: &[u8]) -> IResult<'_, ObjectId<'_>> {
    let (r, id) = take_while1(ObjectId::is_id_char)(i)?;
    if id.len() > 255 {
        return fail(i, "objectid longer than 255");
    }
    Ok((r, ObjectId::unvalidated(id)))
}

/// `"(" objectid ")"`
pub(crate) fn objectid_paren(i: &[u8]) -> IResult<'_, ObjectId<'_>> {
    let (r, ()) = byte(b'(')(i)?;
    let (r, id) = objectid(r)?;
    let (r, ()) = byte(b')')(r)?;
    Ok((r, id))
}
