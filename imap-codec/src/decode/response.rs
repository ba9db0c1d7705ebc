//! Decoding greetings and responses (server to client, RFC 9051 §7 and §9).
//!
//! Every parser is streaming: at the end of the input it returns
//! `Incomplete`, so that every strict prefix of a valid response decodes as
//! [`Decoded::Incomplete`] (or [`Decoded::LiteralAnnounced`] inside a literal).
//!
//! Leniency (real servers): see [`ResponseDecoder`] for the list of
//! accepted deviations and [`Quirks`] for how a caller learns which ones a
//! response used. Besides those, a `[` that does not start a valid code is
//! read as text, known codes with malformed arguments are kept as
//! [`imapkit_proto::ResponseCode::Other`], unknown untagged responses as
//! [`imapkit_proto::Data::Other`].

mod code;
mod data;
pub(crate) mod lenient;
pub(crate) mod quirks;
mod short;

pub(crate) use self::data::generic;
pub use self::quirks::Quirks;

use imapkit_proto::{
    ContinueRequest, Greeting, GreetingKind, IntoStatic, RespText, Response, ResponseCode, Status,
    StatusKind, StatusResponse,
};

use imapkit_proto::lex::{Class, ResponseClassifier};
use nom::bytes::streaming::take_while1;

use super::core::{atom, byte, crlf, tag_, text};
use super::{fail, run, Decoded, IResult, Kind};
use crate::error::DecodeError;
use crate::lex::{walk, WalkEnd};

/// Decodes the server greeting (RFC 9051 §7.1, `greeting`) from the front of `input`.
///
/// ```
/// use imapkit_codec::decode::greeting;
/// let d = greeting(b"* OK IMAP4rev2 server ready\r\n").unwrap();
/// assert!(d.complete().is_some());
/// ```
pub fn greeting(input: &[u8]) -> Result<Decoded<'_, Greeting<'_>>, DecodeError> {
    run_server(input, greeting_p)
}

/// Decodes one server response, including its CRLF, from the front of `input`.
///
/// A response whose literal has not fully arrived yields
/// [`Decoded::LiteralAnnounced`] with `tag: None`.
///
/// ```
/// use imapkit_codec::decode::response;
/// use imapkit_proto::{Data, Response};
/// let (r, n) = response(b"* 23 EXISTS\r\n").unwrap().complete().unwrap();
/// assert_eq!(r, Response::Data(Data::Exists(23)));
/// assert_eq!(n, 13);
/// ```
pub fn response(input: &[u8]) -> Result<Decoded<'_, Response<'_>>, DecodeError> {
    run_server(input, response_p)
}

pub(crate) use self::short::Probe;

/// [`response`] for a frame that owns its bytes, first step: the value
/// will share `frame` (`input` lies inside it) instead of borrowing
/// `input`, equal to `response(input)` followed by
/// [`IntoStatic::into_shared`]. The shortest one-line responses (see
/// [`short`]) are built here; for a FETCH response in its usual form
/// [`fetch_owned`] builds it; anything else is [`Probe::General`], which
/// the caller decodes and converts.
#[inline]
pub(crate) fn response_shared(input: &[u8], frame: &bytes::Bytes) -> Probe<'static> {
    short::probe(input, frame)
}

/// The responses owned without a frame (see [`short::self_contained`]).
#[inline]
pub(crate) fn response_self_contained(input: &[u8], copy: bool) -> Option<Response<'static>> {
    short::self_contained(input, copy)
}

/// A whole message as a server response borrowed from `input`: equal to
/// [`response`] on it with every byte used, and faster for the shortest
/// responses and the usual FETCH response, which [`short::probe`] and
/// [`data::fetch_borrowed`] read without the general path's dispatch.
pub(crate) fn response_whole(input: &[u8]) -> Result<Response<'_>, DecodeError> {
    match short::probe(input, super::command::own::Borrowed) {
        Probe::Short(response) => return Ok(response),
        Probe::Fetch { seq, list } => {
            let outcome = run_whole_server(input, |i| data::fetch_borrowed(i, seq, list));
            if let Ok(response) = outcome {
                return Ok(response);
            }
        }
        Probe::General => {}
    }
    response_general_whole(input)
}

/// [`response_whole`] on the general path only (what it must equal).
pub(crate) fn response_general_whole(input: &[u8]) -> Result<Response<'_>, DecodeError> {
    run_whole_server(input, response_p)
}

/// The FETCH response of [`Probe::Fetch`] with owned items, `input` being
/// the whole frame (a response that does not decode here is decoded again
/// on the general path, which decides its error): the items' slices shared
/// from `frame` when it is given, copied when it is `None`.
#[inline]
pub(crate) fn fetch_owned(
    input: &[u8],
    seq: std::num::NonZeroU32,
    list: usize,
    frame: Option<&bytes::Bytes>,
) -> Result<Response<'static>, DecodeError> {
    run_whole_server(input, |i| data::fetch_shared(i, seq, list, frame))
}

/// [`run`] for what a server sends: a non-synchronizing literal (`{n+}`,
/// `~{n+}`) is an error at its header, because it "MUST NOT be sent from
/// server to client" (RFC 7888 §3) and no server is known to send one.
#[inline]
pub(crate) fn run_server<'a, T>(
    input: &'a [u8],
    parser: impl FnOnce(&'a [u8]) -> IResult<'a, T>,
) -> Result<Decoded<'a, T>, DecodeError> {
    let _ = quirks::take_non_sync();
    let outcome = run(input, None, parser);
    refuse_non_sync(input, outcome)
}

/// [`run_server`] on a whole message ([`super::run_whole`]: it must use
/// every byte).
#[inline]
fn run_whole_server<'a, T>(
    input: &'a [u8],
    parser: impl FnOnce(&'a [u8]) -> IResult<'a, T>,
) -> Result<T, DecodeError> {
    let _ = quirks::take_non_sync();
    let outcome = super::run_whole(input, parser);
    refuse_non_sync(input, outcome)
}

/// The outcome of a parser run on `input` since the last
/// [`quirks::take_non_sync`], or the error at the first non-synchronizing
/// literal header it read, if no error comes before it (see [`run_server`]).
#[inline]
fn refuse_non_sync<O>(input: &[u8], outcome: Result<O, DecodeError>) -> Result<O, DecodeError> {
    let at = quirks::take_non_sync();
    if at == 0 {
        return outcome;
    }
    let Some(offset) = at
        .checked_sub(input.as_ptr() as usize)
        .filter(|&o| o < input.len())
    else {
        return outcome;
    };
    match outcome {
        Err(e) if e.offset < offset => Err(e),
        _ => Err(DecodeError {
            offset,
            reason: NON_SYNC_IN_RESPONSE,
        }),
    }
}

/// Why a response with a non-synchronizing literal does not decode.
pub(crate) const NON_SYNC_IN_RESPONSE: &str = "non-synchronizing literal in a response";

/// A response decoder with options: the lenient decoding of [`response`]
/// plus the deviations that are ambiguous and therefore opt-in.
///
/// [`response`] and [`greeting`] (and `ResponseDecoder::default()`) accept
/// every known server deviation that cannot be mistaken for valid input,
/// and re-encode the value in canonical form:
///
/// | deviation | example (servers) | decoded as, canonical form |
/// |---|---|---|
/// | extra spaces | `*  3 EXISTS` (DavMail), `* 3  EXISTS`, `* SEARCH 1  2`, `(3 6 (4 23) (44 7 96))` between THREAD lists (go-imap v1 servers) | single spaces (none between thread lists) |
/// | trailing spaces | `* CAPABILITY IMAP4rev1 IDLE `, `* SEARCH 1 2 `, `* STATUS INBOX (MESSAGES 0) ` | no trailing space |
/// | space after `(` / before `)` | `(UID 5 )` (QQ Mail), `(\Flagged \Answered )` (SurgeMail), `ENVELOPE ( "date" ...` (RFC 9051 example), `... NIL )` in BODYSTRUCTURE (Yahoo Japan) | no such space |
/// | missing text | `* OK [HIGHESTMODSEQ 9]` (Gmail), `* OK [UNSEEN 1]` (QQ Mail), `* BYE`, bare `+` | `[CODE] ` / `* BYE ` / `+ ` with empty text |
/// | `()` for `NIL` | envelope address list `()` (Mail.ru), body parameters `()` | `NIL` |
/// | `NIL` for a string | body parameter value (Mail.ru), body encoding (maddy), media type/subtype | `""` |
/// | negative size | body size or lines `-1` (Dovecot/Exchange), `-2` (SmarterMail) | `0` |
/// | disposition without parameters | `("attachment")`, bare `"inline"` (Exchange) | `("attachment" NIL)` |
/// | `\*` in `FLAGS` | `* FLAGS (\Answered \*)` (Zoho, GreenMail) | dropped: `* FLAGS (\Answered)` |
/// | zero for `nz-number` | `[UIDVALIDITY 0]`, `[UIDNEXT 0]` (SmarterMail), `MODSEQ (0)` (Gmail; in SEARCH, SORT and ESEARCH results too) | kept: `0` |
/// | 8-bit bytes | Latin-1 or UTF-8 in quoted strings and text (Proton Bridge) | kept byte for byte |
/// | empty STATUS list | `* STATUS INBOX ()` (mail.163.com) | kept: `()` |
/// | unquoted `[`/`]` in mailbox names | `* LIST () "/" [Gmail]/Sent` (Dovecot) | valid `astring`, kept |
/// | progress lines | `* OK Searched 91% of the mailbox, ETA 0:01` (Dovecot) | valid, kept |
/// | short ENVELOPE | no `in-reply-to` / `message-id` (MailKit 669, 932) | `NIL` for them |
/// | wrapped item | `(UID 5 (ENVELOPE (...)))` (Lotus Domino) | without the extra parentheses |
/// | `]` in FLAGS keywords | `OIB-Seen-[Google Mail]/Alle` (Gmail) | the tokens with `]` dropped |
/// | `RFC822[]` | Ruby bug 5620 | `RFC822` |
/// | multipart without parts | `("MIXED")`, `("ALTERNATIVE" (params) NIL NIL)` (Gmail) | kept: same form |
/// | `()` as a body | an encapsulated message's body (Lotus Domino) | `("")`, a multipart without parts |
/// | `(NIL NIL)` disposition | Exchange | `NIL` |
/// | no space between items | `UID 12MODSEQ (5)` (Zimbra before 5.0.8), `BODY[]<0>{5}` (GreenMail) | with the space |
/// | stray `+` after ID | `* ID (...)+` (datamail.in) | dropped |
/// | code alone on a line | `[COPYUID 124 10 233]` (Exchange 2013), `* [COPYUID 1 5 17] Moved` (home.pl, Office 365) | `* OK [COPYUID 124 10 233] ` |
/// | known code, bad arguments | `[UNSEEN 0]`, `[PERMANENTFLAGS]` | kept as `ResponseCode::Other` |
/// | negative mod-sequence | `MODSEQ (-1)` in FETCH (Zoho) | the item dropped, the others kept |
/// | zero date | `INTERNALDATE "00-Jan-0000 00:00:00 +0000"` (Lotus Domino) | the item dropped, the others kept |
/// | tagged BYE | `a4 BYE IMAP4rev1 Server logging out` (wp.pl, answering LOGOUT) | `* BYE IMAP4rev1 Server logging out`, the tag dropped |
/// | atom for a string | ID values, ENVELOPE address fields (ProtonMail Bridge), a body encoding (Exchange 2010), a multipart subtype (OpenVMS) | the string of its bytes, quoted |
///
/// `imap-codec/QUIRKS.md` lists the public catalogues' quirks, the ones
/// accepted (with their tests) and the ones refused (with the reason).
///
/// Opt-in (off by default, because a lone LF could be the first half of a
/// CRLF split across reads, and because the strict CRLF check protects
/// against response injection through mangled line ends):
///
/// - [`lone_lf`](Self::lone_lf): a line ended by LF alone. The value
///   re-encodes with CRLF. Decoding such a line copies it once (the value is
///   owned); lines with CRLF are decoded as by [`response`], zero-copy.
///
/// [`ResponseDecoder::decode_with_quirks`] also reports which deviations a
/// response used ([`Quirks`]), at no cost for conforming input.
///
/// ```
/// use imapkit_codec::decode::{Quirks, ResponseDecoder};
/// use imapkit_proto::{Data, Response};
///
/// let lenient = ResponseDecoder { lone_lf: true };
/// let (d, quirks) = lenient.decode_with_quirks(b"*  3 EXISTS\n");
/// let (r, used) = d.unwrap().complete().unwrap();
/// assert_eq!((r, used), (Response::Data(Data::Exists(3)), 12));
/// assert!(quirks.contains(Quirks::EXTRA_SPACE | Quirks::LONE_LF));
/// assert!(ResponseDecoder::default().decode(b"* 3 EXISTS\n").is_err());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ResponseDecoder {
    /// Accept a lone LF as line end (default `false`): seen from servers
    /// behind line-mangling proxies and from test servers written in
    /// scripting languages.
    pub lone_lf: bool,
}

impl ResponseDecoder {
    /// The default decoder: lenient, but strict on line ends.
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes one response from the front of `input`, like [`response`].
    pub fn decode<'a>(&self, input: &'a [u8]) -> Result<Decoded<'a, Response<'a>>, DecodeError> {
        if !self.lone_lf {
            return response(input);
        }
        match response(input) {
            Err(e) if is_lone_lf(input, e.offset) => decode_lone_lf(input, e),
            other => other,
        }
    }

    /// Decodes the greeting from the front of `input`, like [`greeting`].
    pub fn decode_greeting<'a>(
        &self,
        input: &'a [u8],
    ) -> Result<Decoded<'a, Greeting<'a>>, DecodeError> {
        match greeting(input) {
            Err(e) if self.lone_lf && is_lone_lf(input, e.offset) => {
                let patched = patch_lone_lfs(input, e, |b| run_server(b, greeting_p).map(owned))?;
                Ok(patched.into_decoded())
            }
            other => other,
        }
    }

    /// [`ResponseDecoder::decode`], and the quirks the response used.
    pub fn decode_with_quirks<'a>(
        &self,
        input: &'a [u8],
    ) -> (Result<Decoded<'a, Response<'a>>, DecodeError>, Quirks) {
        let _ = quirks::take();
        let r = self.decode(input);
        (r, quirks::take())
    }
}

/// Whether `input[at]` is an LF not preceded by CR.
fn is_lone_lf(input: &[u8], at: usize) -> bool {
    input.get(at) == Some(&b'\n') && (at == 0 || input[at - 1] != b'\r')
}

fn decode_lone_lf(input: &[u8], e: DecodeError) -> Result<Decoded<'_, Response<'_>>, DecodeError> {
    let patched = patch_lone_lfs(input, e, |b| run_server(b, response_p).map(owned))?;
    Ok(patched.into_decoded())
}

/// The outcome of decoding a copy of the input in which CRs were inserted
/// before lone LFs, owned and with offsets of the original input.
struct Patched<T> {
    outcome: Decoded<'static, T>,
    /// How many CRs were inserted before the end of the message.
    inserted: usize,
}

impl<T> Patched<T> {
    fn into_decoded<'a>(self) -> Decoded<'a, T> {
        match self.outcome {
            Decoded::Complete { message, consumed } => Decoded::Complete {
                message,
                consumed: consumed - self.inserted,
            },
            Decoded::Incomplete => Decoded::Incomplete,
            Decoded::LiteralAnnounced { tag, len, mode } => {
                Decoded::LiteralAnnounced { tag, len, mode }
            }
        }
    }
}

/// A decoded value that owns its data (literal announcements lose their tag).
fn owned<T: IntoStatic>(d: Decoded<'_, T>) -> Decoded<'static, T::Static> {
    match d {
        Decoded::Complete { message, consumed } => Decoded::Complete {
            message: message.into_static(),
            consumed,
        },
        Decoded::Incomplete => Decoded::Incomplete,
        Decoded::LiteralAnnounced { len, mode, .. } => Decoded::LiteralAnnounced {
            tag: None,
            len,
            mode,
        },
    }
}

/// Decodes a copy of the message at the front of `input` in which a CR is
/// inserted before every lone LF that ends one of its lines, after the
/// strict decoder failed with `strict` at a lone LF.
///
/// The lines are found in one pass by the framer's rules ([`walk`] with
/// the message's class), so LFs inside literal data are never touched and
/// the decoder reads the lines the framer framed; then the copy is parsed
/// once. Linear in the message, however many lone LFs it has (the opt-in
/// lone-LF mode copies the message once).
fn patch_lone_lfs<S>(
    input: &[u8],
    strict: DecodeError,
    parse: impl Fn(&[u8]) -> Result<Decoded<'static, S>, DecodeError>,
) -> Result<Patched<S>, DecodeError> {
    let mut classifier = ResponseClassifier::new();
    let class = classifier
        .feed(input)
        .unwrap_or_else(|| classifier.end_of_line());
    let mut lone = Vec::new();
    let walked = walk(input, class, |l| -> Result<(), ()> {
        if !l.crlf() {
            lone.push(l.lf);
        }
        Ok(())
    });
    let end = match walked {
        Ok(WalkEnd::Complete(end)) => end,
        _ => input.len(),
    };
    if lone.is_empty() {
        return Err(strict);
    }
    quirks::note(Quirks::LONE_LF);
    let mut buf = Vec::with_capacity(end + lone.len());
    let mut from = 0;
    for &lf in &lone {
        buf.extend_from_slice(&input[from..lf]);
        buf.push(b'\r');
        from = lf;
    }
    buf.extend_from_slice(&input[from..end]);
    // The k-th inserted CR is at `lone[k] + k` in the copy.
    let before = |at: usize| {
        lone.iter()
            .enumerate()
            .take_while(|&(k, &lf)| lf + k < at)
            .count()
    };
    match parse(&buf) {
        Ok(outcome) => {
            let inserted = match &outcome {
                Decoded::Complete { consumed, .. } => before(*consumed),
                _ => lone.len(),
            };
            Ok(Patched { outcome, inserted })
        }
        Err(e) => Err(DecodeError {
            offset: e.offset - before(e.offset),
            reason: e.reason,
        }),
    }
}

fn greeting_p(i: &[u8]) -> IResult<'_, Greeting<'_>> {
    let (i, ()) = byte(b'*')(i)?;
    let (i, ()) = lenient::sps(i)?;
    let start = i;
    let (i, w) = status_keyword(i)?;
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

#[inline]
fn response_p(i: &[u8]) -> IResult<'_, Response<'_>> {
    match i.first() {
        None => Err(nom::Err::Incomplete(nom::Needed::new(1))),
        Some(b'+') => continue_req(&i[1..]),
        Some(b'*') => {
            // The framer's classification decides between a status response
            // (one line of text) and data (which may carry literals).
            let class = ResponseClassifier::new().feed(i);
            let (r, ()) = lenient::sps(&i[1..])?;
            match class {
                None => Err(nom::Err::Incomplete(nom::Needed::new(1))),
                Some(Class::Text) => {
                    let (r, word) = status_keyword(r)?;
                    match untagged_status(r, word) {
                        Some(res) => res,
                        // The classifier accepts exactly the status keywords.
                        None => fail(r, "expected a status keyword"),
                    }
                }
                Some(Class::Data) => data::untagged(r),
            }
        }
        // Lenient: `[COPYUID 124 10 233]` alone on a line (Exchange 2013);
        // after `* ` see [`untagged_bare_code`].
        // (A tag may hold `[` and `]`: a tagged response wins.)
        Some(b'[') => match quirks::attempt(|| tagged(i)) {
            Err(e @ (nom::Err::Error(_) | nom::Err::Failure(_))) => {
                match quirks::attempt(|| bare_code(i)) {
                    Ok(res) => Ok(res),
                    Err(nom::Err::Incomplete(n)) => Err(nom::Err::Incomplete(n)),
                    // The error that got further (a lone LF ends a bare code).
                    Err(nom::Err::Error(e2) | nom::Err::Failure(e2)) => Err(match e {
                        nom::Err::Error(e1) | nom::Err::Failure(e1)
                            if e1.input.len() <= e2.input.len() =>
                        {
                            nom::Err::Error(e1)
                        }
                        _ => nom::Err::Error(e2),
                    }),
                }
            }
            other => other,
        },
        Some(_) => tagged(i),
    }
}

/// A line that is only `resp-text` starting with a known response code,
/// read as `* OK` with it ([`Quirks::BARE_RESPONSE_CODE`]).
#[cold]
fn bare_code(i: &[u8]) -> IResult<'_, Response<'_>> {
    let (r, text) = resp_text(i)?;
    let (r, ()) = crlf(r)?;
    if matches!(text.code(), None | Some(ResponseCode::Other(_))) {
        return fail(i, "expected a known response code");
    }
    quirks::note(Quirks::BARE_RESPONSE_CODE);
    let status = StatusResponse {
        kind: StatusKind::Untagged(Status::Ok),
        text,
    };
    Ok((r, Response::Status(status)))
}

/// After `* `, a line that is only `resp-text` starting with a known
/// response code, without the status keyword (`* [COPYUID 1 2 3]`: home.pl,
/// Office 365, MailKit issue 115): read as `* OK` with it
/// ([`Quirks::BARE_RESPONSE_CODE`]). `None` for any other line, which
/// stays an unknown response; so does a line not yet ended, and a line
/// whose last byte before its CRLF is `}`, which the framer may read as a
/// literal header: the decoder then reads it as the framer frames it.
#[cold]
pub(crate) fn untagged_bare_code(i: &[u8]) -> Option<IResult<'_, Response<'_>>> {
    let lf = i.iter().position(|&b| b == b'\n')?;
    let content = i[..lf].strip_suffix(b"\r").unwrap_or(&i[..lf]);
    if content.last() == Some(&b'}') {
        return None;
    }
    quirks::attempt(|| bare_code(i)).ok().map(Ok)
}

/// The keyword of a status response, as the classifier reads it: letters.
fn status_keyword(i: &[u8]) -> IResult<'_, &[u8]> {
    take_while1(|b: u8| b.is_ascii_alphabetic())(i)
}

/// `continue-req` after the `+`: `SP resp-text CRLF`, or a bare `+ CRLF`.
fn continue_req(i: &[u8]) -> IResult<'_, Response<'_>> {
    let (i, text) = match i.first() {
        None => return Err(nom::Err::Incomplete(nom::Needed::new(1))),
        Some(b'\r') => {
            quirks::note(Quirks::MISSING_TEXT);
            (i, empty_text())
        }
        Some(b' ') => resp_text(&i[1..])?,
        Some(_) => return fail(i, "expected SP after +"),
    };
    let (i, ()) = crlf(i)?;
    Ok((i, Response::Continue(ContinueRequest::new(text))))
}

/// `response-tagged`: `tag SP resp-cond-state CRLF`.
fn tagged(i: &[u8]) -> IResult<'_, Response<'_>> {
    let (i, tag) = tag_(i)?;
    let (i, ()) = lenient::sps(i)?;
    let start = i;
    let (i, word) = atom(i)?;
    let Some(status) = status_word(word.as_bytes()) else {
        if word.as_bytes().eq_ignore_ascii_case(b"BYE") {
            // Lenient: a tagged BYE (wp.pl, answering LOGOUT), read as the
            // untagged BYE it means ([`Quirks::TAGGED_BYE`]).
            quirks::note(Quirks::TAGGED_BYE);
            let (i, text) = status_tail(i)?;
            let kind = StatusKind::Bye;
            return Ok((i, Response::Status(StatusResponse { kind, text })));
        }
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
        Some(b'\r') => {
            quirks::note(Quirks::MISSING_TEXT);
            (i, empty_text())
        }
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
    RespText::unvalidated(None, imapkit_proto::Text::unvalidated(&b""[..]))
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
                    quirks::note(Quirks::MISSING_TEXT);
                    return Ok((
                        r,
                        RespText::unvalidated(Some(c), imapkit_proto::Text::unvalidated(&b""[..])),
                    ));
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
    crlf(lenient::extra_sp(i))
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
