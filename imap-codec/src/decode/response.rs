//! Decoding greetings and responses (server to client, RFC 9051 §7 and §9).
//!
//! Every parser is streaming: at the end of the input it returns
//! `Incomplete`, so that every strict prefix of a valid response decodes as
//! [`Decoded::Incomplete`] (or [`Decoded::LiteralAnnounced`] inside a literal).
//!
//! Leniency (real servers): a response code without the space and text after
//! it (`* OK [HIGHESTMODSEQ 9]`), `* BYE`/tagged status without text, a bare
//! `+`, trailing spaces at the end of data lines, a `[` that does not start a
//! valid code (read as text), known codes with malformed arguments (kept as
//! [`ResponseCode::Other`]), unknown untagged responses (kept as
//! [`Data::Other`]).

mod code;
mod data;

use imap_proto::{
    ContinueRequest, Greeting, GreetingKind, RespText, Response, Status, StatusKind, StatusResponse,
};

use super::core::{atom, byte, crlf, sp, tag_, text};
use super::{fail, run, Decoded, IResult, Kind};
use crate::error::DecodeError;

/// Decodes the server greeting (RFC 9051 §7.1, `greeting`) from the front of `input`.
///
/// ```
/// use imap_codec::decode::greeting;
/// let d = greeting(b"* OK IMAP4rev2 server ready\r\n").unwrap();
/// assert!(d.complete().is_some());
/// ```
pub fn greeting(input: &[u8]) -> Result<Decoded<'_, Greeting<'_>>, DecodeError> {
    run(input, None, greeting_p)
}

/// Decodes one server response, including its CRLF, from the front of `input`.
///
/// A response whose literal has not fully arrived yields
/// [`Decoded::LiteralAnnounced`] with `tag: None`.
///
/// ```
/// use imap_codec::decode::response;
/// use imap_proto::{Data, Response};
/// let (r, n) = response(b"* 23 EXISTS\r\n").unwrap().complete().unwrap();
/// assert_eq!(r, Response::Data(Data::Exists(23)));
/// assert_eq!(n, 13);
/// ```
pub fn response(input: &[u8]) -> Result<Decoded<'_, Response<'_>>, DecodeError> {
    run(input, None, response_p)
}

fn greeting_p(i: &[u8]) -> IResult<'_, Greeting<'_>> {
    let (i, ()) = byte(b'*')(i)?;
    let (i, ()) = sp(i)?;
    let start = i;
    let (i, word) = atom(i)?;
    let w = word.as_bytes();
    let kind = if w.eq_ignore_ascii_case(b"OK") {
        GreetingKind::Ok
    } else if w.eq_ignore_ascii_case(b"PREAUTH") {
        GreetingKind::PreAuth
    } else if w.eq_ignore_ascii_case(b"BYE") {
        GreetingKind::Bye
    } else {
        return fail(start, "expected OK, PREAUTH or BYE");
    };
    let (i, text) = status_tail(i)?;
    Ok((i, Greeting { kind, text }))
}

fn response_p(i: &[u8]) -> IResult<'_, Response<'_>> {
    match i.first() {
        None => Err(nom::Err::Incomplete(nom::Needed::new(1))),
        Some(b'+') => continue_req(&i[1..]),
        Some(b'*') => {
            let (i, ()) = sp(&i[1..])?;
            data::untagged(i)
        }
        Some(_) => tagged(i),
    }
}

/// `continue-req` after the `+`: `SP resp-text CRLF`, or a bare `+ CRLF`.
fn continue_req(i: &[u8]) -> IResult<'_, Response<'_>> {
    let (i, text) = match i.first() {
        None => return Err(nom::Err::Incomplete(nom::Needed::new(1))),
        Some(b'\r') => (i, empty_text()),
        Some(b' ') => resp_text(&i[1..])?,
        Some(_) => return fail(i, "expected SP after +"),
    };
    let (i, ()) = crlf(i)?;
    Ok((i, Response::Continue(ContinueRequest::new(text))))
}

/// `response-tagged`: `tag SP resp-cond-state CRLF`.
fn tagged(i: &[u8]) -> IResult<'_, Response<'_>> {
    let (i, tag) = tag_(i)?;
    let (i, ()) = sp(i)?;
    let start = i;
    let (i, word) = atom(i)?;
    let Some(status) = status_word(word.as_bytes()) else {
        return fail(start, "expected OK, NO or BAD");
    };
    let (i, text) = status_tail(i)?;
    Ok((
        i,
        Response::Status(StatusResponse {
            kind: StatusKind::Tagged { tag, status },
            text,
        }),
    ))
}

fn status_word(w: &[u8]) -> Option<Status> {
    if w.eq_ignore_ascii_case(b"OK") {
        Some(Status::Ok)
    } else if w.eq_ignore_ascii_case(b"NO") {
        Some(Status::No)
    } else if w.eq_ignore_ascii_case(b"BAD") {
        Some(Status::Bad)
    } else {
        None
    }
}

/// After a status keyword: `SP resp-text CRLF`, or CRLF alone (lenient).
pub(crate) fn status_tail(i: &[u8]) -> IResult<'_, RespText<'_>> {
    let (i, text) = match i.first() {
        None => return Err(nom::Err::Incomplete(nom::Needed::new(1))),
        Some(b'\r') => (i, empty_text()),
        Some(b' ') => resp_text(&i[1..])?,
        Some(_) => return fail(i, "expected SP"),
    };
    let (i, ()) = crlf(i)?;
    Ok((i, text))
}

/// An untagged status response after `* ` and the keyword.
pub(crate) fn untagged_status<'a>(i: &'a [u8], word: &[u8]) -> Option<IResult<'a, Response<'a>>> {
    let kind = match status_word(word) {
        Some(s) => StatusKind::Untagged(s),
        None if word.eq_ignore_ascii_case(b"BYE") => StatusKind::Bye,
        None if word.eq_ignore_ascii_case(b"PREAUTH") => StatusKind::PreAuth,
        None => return None,
    };
    Some(status_tail(i).map(|(r, text)| (r, Response::Status(StatusResponse { kind, text }))))
}

fn empty_text<'a>() -> RespText<'a> {
    RespText::unvalidated(None, imap_proto::Text::unvalidated(&b""[..]))
}

/// `resp-text`: `["[" resp-text-code "]" SP] [text]`, up to (not including) CRLF.
///
/// A `[` that does not start a valid code, or a code followed by something
/// other than SP or CRLF, is read as plain text.
pub(crate) fn resp_text(i: &[u8]) -> IResult<'_, RespText<'_>> {
    if i.first() == Some(&b'[') {
        match code::bracketed(i) {
            Ok((r, c)) => match r.first() {
                None => return Err(nom::Err::Incomplete(nom::Needed::new(1))),
                Some(b' ') => {
                    let (r, t) = text(&r[1..])?;
                    return Ok((r, RespText::unvalidated(Some(c), t)));
                }
                Some(b'\r') => {
                    return Ok((
                        r,
                        RespText::unvalidated(Some(c), imap_proto::Text::unvalidated(&b""[..])),
                    ))
                }
                Some(_) => {}
            },
            Err(nom::Err::Incomplete(n)) => return Err(nom::Err::Incomplete(n)),
            Err(nom::Err::Error(e) | nom::Err::Failure(e))
                if matches!(e.kind, Kind::Literal { .. }) =>
            {
                return Err(nom::Err::Failure(e))
            }
            Err(_) => {}
        }
    }
    let (r, t) = text(i)?;
    Ok((r, RespText::unvalidated(None, t)))
}

/// Spaces (lenient) then CRLF: the end of a data line.
pub(crate) fn line_end(i: &[u8]) -> IResult<'_, ()> {
    let mut i = i;
    while let Some(b' ') = i.first() {
        i = &i[1..];
    }
    crlf(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greeting_kinds() {
        let (g, n) = greeting(b"* PREAUTH [CAPABILITY IMAP4rev2] hi\r\nx")
            .unwrap()
            .complete()
            .unwrap();
        assert_eq!(n, 37);
        assert_eq!(g.kind, GreetingKind::PreAuth);
        assert!(greeting(b"* NO x\r\n").is_err());
        assert_eq!(greeting(b"* OK").unwrap(), Decoded::Incomplete);
    }

    #[test]
    fn bracket_without_code_is_text() {
        let (r, _) = response(b"* OK [Gmail]/Sent ok\r\n")
            .unwrap()
            .complete()
            .unwrap();
        match r {
            Response::Status(s) => {
                assert!(s.code().is_none());
                assert_eq!(s.text.human().as_bytes(), b"[Gmail]/Sent ok");
            }
            _ => panic!(),
        }
        let (r, _) = response(b"* NO [unterminated\r\n")
            .unwrap()
            .complete()
            .unwrap();
        assert!(matches!(r, Response::Status(s) if s.code().is_none()));
    }
}
