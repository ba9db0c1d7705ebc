//! Decoding commands (client to server), RFC 9051 §6 and §9, RFC 3501 §6,
//! and the extension commands.
//!
//! Every parser is streaming: at the end of the input it returns
//! `Incomplete` (or the literal-announced failure), never an error, so
//! that every strict prefix of a valid command decodes as
//! [`Decoded::Incomplete`] or [`Decoded::LiteralAnnounced`]. Dispatch is on
//! the command name and keywords, without backtracking.

mod ext;
mod fetch;
pub(crate) mod own;
mod search;

use base64::Engine as _;
use imapkit_proto::lex::Class;
use imapkit_proto::{
    AString, AuthMechanism, AuthenticateData, Buf, Capability, Command, CommandBody,
    CreateParameter, ExtParam, Literal8, OtherCommand, Secret, SelectParameter, TaggedExtComp,
    TaggedExtVal, UseAttribute, Vec1,
};
use nom::bytes::streaming::take_while1;

use self::ext::*;
pub use self::ext::{append_head, AppendHead};
use self::fetch::{fetch_args, store_args};
use self::own::{Borrowed, Own, Shared};
use self::search::{search_args, sort_args, thread_args};
use super::core::{
    astring, atom, auth_mechanism, byte, capability, crlf, known_set, kw, literal_data,
    literal_header, mailbox, number64, nz_number, nz_number64, paren_list1, sequence_set, sp, tag_,
};
use super::response::generic;
use super::{cut_fail, fail, run, Decoded, IResult};
use crate::error::DecodeError;
use crate::lex::{walk, WalkEnd};

/// How deeply search keys and extension values may nest before the decoder
/// gives up (a bound on recursion, so hostile input cannot overflow the stack).
pub const MAX_NESTING: usize = 64;

/// Decodes one command including its CRLF.
///
/// When the input stops inside a literal, the result is
/// [`Decoded::LiteralAnnounced`] with the command's tag: a server answers a
/// synchronizing literal with a continuation request (`+`).
pub fn command(input: &[u8]) -> Result<Decoded<'_, Command<'_>>, DecodeError> {
    let tag = tag_(input).ok().map(|(_, t)| t);
    run(input, tag, |i| command_full(i, Borrowed))
}

/// [`command`] on a whole frame, with a value that owns its data: equal to
/// `command` followed by
/// [`IntoStatic::into_shared`](imapkit_proto::IntoStatic::into_shared)
/// with `frame`, which `input` lies in, but the commands a client sends
/// most are made owned as they are decoded (see [`own`]).
pub(crate) fn command_shared(
    input: &[u8],
    frame: &bytes::Bytes,
) -> Result<Command<'static>, DecodeError> {
    whole_with(input, Shared(Some(frame)))
}

/// [`command`] on a whole message, with a value that owns copies of its
/// strings: equal to `command` followed by
/// [`IntoStatic::into_static`](imapkit_proto::IntoStatic::into_static), made
/// owned as it is decoded (as [`command_shared`] does). For a short message
/// read where the framer lent it (`FrameRef::decode_command_without_frame`).
pub(crate) fn command_copied(input: &[u8]) -> Result<Command<'static>, DecodeError> {
    whole_with(input, Shared(None))
}

/// A whole message as a command borrowed from `input`: equal to
/// [`command`] on it with every byte used (an error where it ends early,
/// or where bytes follow it).
pub(crate) fn command_whole(input: &[u8]) -> Result<Command<'_>, DecodeError> {
    whole_with(input, Borrowed)
}

/// [`command_full`] on a whole message, as [`run_whole`](super::run_whole)
/// runs it, in one function: the body is moved once, from
/// [`command_body`]'s result into the command returned, where
/// `run_whole` moves the whole command three more times (into
/// `command_full`'s tuple, out of it, into the `Result`), each a call of
/// `memcpy` whose reads wait for the writes just made.
#[inline(always)]
fn whole_with<'a, 'o>(input: &'a [u8], o: impl Own<'a, 'o>) -> Result<Command<'o>, DecodeError> {
    let err = |e| super::whole_error(input, e);
    let (i, tag) = tag_(input).map_err(err)?;
    // Made owned now, not where the command is built: by then the writes
    // that build it have long reached the cache, and the tag's move into
    // the command does not wait for them.
    let tag = o.tag(tag);
    let (i, ()) = sp(i).map_err(err)?;
    let (i, body) = command_body(i, o).map_err(err)?;
    let (i, ()) = crlf(i).map_err(err)?;
    let end = input.len() - i.len();
    check_bytes(&input[..end])?;
    if !i.is_empty() {
        return Err(DecodeError {
            offset: end,
            reason: super::BYTES_AFTER,
        });
    }
    Ok(Command { tag, body })
}

/// What the parsers of a whole command do not check byte by byte: outside
/// literals a command is UTF-8 (RFC 9051 §9: atoms are ASCII, quoted
/// strings and text UTF-8), and the data of a `{n}` literal holds no NUL
/// (§4.3: `CHAR8`; binary data goes in a `literal8`, `~{n}`). The
/// response decoder is lenient on both (servers send Latin-1 and pass NUL
/// bytes of stored messages through).
///
/// The literals are found by [`walk`], the framer's rules, which find the
/// literals the parsers read (the property tests check this).
fn check_bytes(message: &[u8]) -> Result<(), DecodeError> {
    let utf8 = |at: usize, bytes: &[u8]| match std::str::from_utf8(bytes) {
        Ok(_) => Ok(()),
        Err(e) => Err(DecodeError {
            offset: at + e.valid_up_to(),
            reason: "invalid UTF-8",
        }),
    };
    if !has_nul_or_8bit(message) {
        // Nothing to check: the common case.
        return Ok(());
    }
    if memchr::memchr(b'\n', message) == Some(message.len() - 1) {
        // One line: no literal.
        return utf8(0, message);
    }
    let walked = walk(message, Class::Data, |l| {
        utf8(l.start, &message[l.start..l.end])?;
        if let Some(h) = l.header.as_ref().filter(|h| !h.binary) {
            let data = &message[l.lf + 1..];
            let data = &data[..usize::try_from(h.len).map_or(data.len(), |n| n.min(data.len()))];
            if let Some(at) = memchr::memchr(0, data) {
                return Err(DecodeError {
                    offset: l.lf + 1 + at,
                    reason: "NUL in a literal (binary data needs literal8)",
                });
            }
        }
        Ok(())
    })?;
    debug_assert_eq!(
        walked,
        WalkEnd::Complete(message.len()),
        "walk and parse disagree"
    );
    Ok(())
}

/// Decodes one line of an AUTHENTICATE exchange (RFC 9051 §6.2.2): base64
/// data (decoded) or `*` (cancel), with its CRLF.
pub fn authenticate_data(input: &[u8]) -> Result<Decoded<'_, AuthenticateData<'_>>, DecodeError> {
    run(input, None, |i| {
        if let Some(b'*') = i.first() {
            let (r, ()) = crlf(&i[1..])?;
            return Ok((r, AuthenticateData::Cancel));
        }
        let (r, b64) = nom::bytes::streaming::take_while(is_base64_char)(i)?;
        let (r, ()) = crlf(r)?;
        let data = decode_base64(i, b64)?;
        Ok((r, AuthenticateData::Continue(Secret::new(data))))
    })
}

/// Decodes `DONE` CRLF, which ends IDLE (RFC 9051 §6.3.13); case-insensitive.
pub fn idle_done(input: &[u8]) -> Result<Decoded<'_, ()>, DecodeError> {
    run(input, None, |i| {
        let (r, ()) = kw("DONE")(i)?;
        crlf(r)
    })
}

fn command_full<'a, 'o>(i: &'a [u8], o: impl Own<'a, 'o>) -> IResult<'a, Command<'o>> {
    let start = i;
    let (i, tag) = tag_(i)?;
    let (i, ()) = sp(i)?;
    let (i, body) = command_body(i, o)?;
    let (i, ()) = crlf(i)?;
    if let Err(e) = check_bytes(&start[..start.len() - i.len()]) {
        return cut_fail(&start[e.offset..], e.reason);
    }
    let tag = o.tag(tag);
    Ok((i, Command { tag, body }))
}

/// The first byte of `i`, or `Incomplete`.
#[inline]
pub(super) fn peek(i: &[u8]) -> IResult<'_, u8> {
    match i.first() {
        Some(&b) => Ok((i, b)),
        None => Err(nom::Err::Incomplete(nom::Needed::new(1))),
    }
}

/// A keyword-like word: letters, digits, `.`, `-`, `_` (stops before `[`, `(`, SP, ...).
#[inline]
pub(super) fn word(i: &[u8]) -> IResult<'_, &[u8]> {
    take_while1(|b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))(i)
}

/// Whether `i` starts with `" ("` (reports `Incomplete` if it cannot tell yet).
pub(super) fn at_sp_paren(i: &[u8]) -> IResult<'_, bool> {
    match i {
        [] | [b' '] => Err(nom::Err::Incomplete(nom::Needed::new(2 - i.len()))),
        [b' ', b'(', ..] => Ok((i, true)),
        _ => Ok((i, false)),
    }
}

/// Case-insensitive comparison with an upper-case keyword.
#[inline]
pub(super) fn is(w: &[u8], k: &str) -> bool {
    imapkit_proto::chars::eq_keyword(w, k.as_bytes())
}

/// The command's name and arguments: the commands a client sends most
/// are decoded into `o`'s form as they are read (see [`own`]), every other
/// one borrowed and then made `o`'s form whole.
fn command_body<'a, 'o>(i: &'a [u8], o: impl Own<'a, 'o>) -> IResult<'a, CommandBody<'o>> {
    let start = i;
    let (i, name) = atom(i)?;
    let n = name.as_bytes();
    let upper: [u8; 16] = {
        let mut u = [0u8; 16];
        if n.len() <= 16 {
            for (k, b) in n.iter().enumerate() {
                u[k] = b.to_ascii_uppercase();
            }
        }
        u
    };
    let key: &[u8] = if n.len() <= 16 {
        &upper[..n.len()]
    } else {
        b""
    };
    match key {
        b"FETCH" => fetch_args(i, false, o),
        b"STORE" => store_args(i, false, o),
        b"STATUS" => {
            let (i, ()) = sp(i)?;
            let (i, mailbox) = mailbox(i)?;
            let (i, ()) = sp(i)?;
            let (i, attributes) = super::core::status_att_list(i)?;
            let mailbox = o.mailbox(mailbox);
            Ok((
                i,
                CommandBody::Status {
                    mailbox,
                    attributes,
                },
            ))
        }
        b"LIST" => list_args(i, o),
        b"APPEND" => append_args(i, o),
        b"SELECT" | b"EXAMINE" => {
            let (i, ()) = sp(i)?;
            let (i, mailbox) = mailbox(i)?;
            let (i, parameters) = opt_params(i, select_param)?;
            let (mailbox, parameters) = (o.mailbox(mailbox), o.select_parameters(parameters));
            let body = if key == b"SELECT" {
                CommandBody::Select {
                    mailbox,
                    parameters,
                }
            } else {
                CommandBody::Examine {
                    mailbox,
                    parameters,
                }
            };
            Ok((i, body))
        }
        b"UID" => {
            let (i, ()) = sp(i)?;
            let sub = i;
            let (i, w) = atom(i)?;
            let w = w.as_bytes();
            if is(w, "FETCH") {
                fetch_args(i, true, o)
            } else if is(w, "STORE") {
                store_args(i, true, o)
            } else {
                uid_body(i, sub, w).map(|(r, b)| (r, o.body(b)))
            }
        }
        _ => body_rest(i, start, name, key).map(|(r, b)| (r, o.body(b))),
    }
}

/// The arguments of a `UID` command other than FETCH and STORE, whose
/// name `w` starts at `sub`.
fn uid_body<'a>(i: &'a [u8], sub: &'a [u8], w: &[u8]) -> IResult<'a, CommandBody<'a>> {
    if is(w, "SEARCH") {
        search_args(i, true)
    } else if is(w, "COPY") {
        copy_move(i, false, true)
    } else if is(w, "MOVE") {
        copy_move(i, true, true)
    } else if is(w, "SORT") {
        sort_args(i, true)
    } else if is(w, "THREAD") {
        thread_args(i, true)
    } else if is(w, "EXPUNGE") {
        let (i, ()) = sp(i)?;
        let (i, sequence_set) = sequence_set(i)?;
        Ok((i, CommandBody::UidExpunge { sequence_set }))
    } else {
        fail(sub, "unknown UID command")
    }
}

/// The commands [`command_body`] does not decode generically, borrowed:
/// `key` is the upper-case name, `start` where it starts.
fn body_rest<'a>(
    i: &'a [u8],
    start: &'a [u8],
    name: imapkit_proto::Atom<'a>,
    key: &[u8],
) -> IResult<'a, CommandBody<'a>> {
    let n = name.as_bytes();
    macro_rules! bare {
        ($v:expr) => {
            Ok((i, $v))
        };
    }
    match key {
        b"CAPABILITY" => bare!(CommandBody::Capability),
        b"NOOP" => bare!(CommandBody::Noop),
        b"LOGOUT" => bare!(CommandBody::Logout),
        b"STARTTLS" => bare!(CommandBody::StartTls),
        b"NAMESPACE" => bare!(CommandBody::Namespace),
        b"IDLE" => bare!(CommandBody::Idle),
        b"CHECK" => bare!(CommandBody::Check),
        b"CLOSE" => bare!(CommandBody::Close),
        b"UNSELECT" => bare!(CommandBody::Unselect),
        b"EXPUNGE" => bare!(CommandBody::Expunge),
        b"UNAUTHENTICATE" => bare!(CommandBody::Unauthenticate),
        b"AUTHENTICATE" => authenticate_args(i),
        b"LOGIN" => {
            let (i, ()) = sp(i)?;
            let (i, username) = astring(i)?;
            let (i, ()) = sp(i)?;
            let (i, password) = astring(i)?;
            Ok((
                i,
                CommandBody::Login {
                    username,
                    password: Secret::new(password),
                },
            ))
        }
        b"ENABLE" => {
            let mut caps: Vec<Capability<'_>> = Vec::new();
            let mut i = i;
            loop {
                let (r, ()) = sp(i)?;
                let (r, c) = capability(r)?;
                caps.push(c);
                i = r;
                if peek(i)?.1 != b' ' {
                    break;
                }
            }
            Ok((
                i,
                CommandBody::Enable {
                    capabilities: Vec1::unvalidated(caps),
                },
            ))
        }
        b"CREATE" => {
            let (i, ()) = sp(i)?;
            let (i, mailbox) = mailbox(i)?;
            let (i, parameters) = opt_params(i, create_param)?;
            Ok((
                i,
                CommandBody::Create {
                    mailbox,
                    parameters,
                },
            ))
        }
        b"DELETE" | b"SUBSCRIBE" | b"UNSUBSCRIBE" | b"GETQUOTAROOT" | b"GETACL" | b"MYRIGHTS" => {
            let (i, ()) = sp(i)?;
            let (i, mailbox) = mailbox(i)?;
            Ok((
                i,
                match key {
                    b"DELETE" => CommandBody::Delete { mailbox },
                    b"SUBSCRIBE" => CommandBody::Subscribe { mailbox },
                    b"UNSUBSCRIBE" => CommandBody::Unsubscribe { mailbox },
                    b"GETQUOTAROOT" => CommandBody::GetQuotaRoot { mailbox },
                    b"GETACL" => CommandBody::GetAcl { mailbox },
                    _ => CommandBody::MyRights { mailbox },
                },
            ))
        }
        b"RENAME" => {
            let (i, ()) = sp(i)?;
            let (i, from) = mailbox(i)?;
            let (i, ()) = sp(i)?;
            let (i, to) = mailbox(i)?;
            Ok((i, CommandBody::Rename { from, to }))
        }
        b"LSUB" => {
            let (i, ()) = sp(i)?;
            let (i, reference) = mailbox(i)?;
            let (i, ()) = sp(i)?;
            let (i, pattern) = list_mailbox(i)?;
            Ok((i, CommandBody::Lsub { reference, pattern }))
        }
        b"SEARCH" => search_args(i, false),
        b"COPY" | b"MOVE" => copy_move(i, key == b"MOVE", false),
        b"SORT" => sort_args(i, false),
        b"THREAD" => thread_args(i, false),
        b"ID" => id_args(i),
        b"GETQUOTA" => {
            let (i, ()) = sp(i)?;
            let (i, root) = astring(i)?;
            Ok((i, CommandBody::GetQuota { root }))
        }
        b"SETQUOTA" => setquota_args(i),
        b"SETACL" => setacl_args(i),
        b"DELETEACL" | b"LISTRIGHTS" => {
            let (i, ()) = sp(i)?;
            let (i, mailbox) = mailbox(i)?;
            let (i, ()) = sp(i)?;
            let (i, identifier) = astring(i)?;
            Ok((
                i,
                if key == b"DELETEACL" {
                    CommandBody::DeleteAcl {
                        mailbox,
                        identifier,
                    }
                } else {
                    CommandBody::ListRights {
                        mailbox,
                        identifier,
                    }
                },
            ))
        }
        b"GETMETADATA" => getmetadata_args(i),
        b"SETMETADATA" => setmetadata_args(i),
        b"COMPRESS" => compress_args(i),
        b"NOTIFY" => notify_args(i),
        // `a1 OK done`: a status response, which only a server sends.
        _ if imapkit_proto::lex::is_status_keyword(n) => {
            fail(start, "a status response is not a command")
        }
        _ => other_command(start, name),
    }
}

/// Whether `b` holds a NUL or a byte above 0x7F: eight bytes at a time (a
/// word has one if a byte has its top bit set, or if subtracting 1 from
/// each byte borrows out of a zero byte).
fn has_nul_or_8bit(b: &[u8]) -> bool {
    let mut words = b.chunks_exact(8);
    let mut any = 0u64;
    for w in &mut words {
        let x = crate::swar::word(w);
        any |= (x & crate::swar::HI) | crate::swar::below(x, 1);
    }
    any != 0 || words.remainder().iter().any(|&c| c == 0 || c > 0x7f)
}

/// An unknown command: the name and the raw rest of the message, read as
/// the framer frames it (literals included), up to its final CRLF.
fn other_command<'a>(
    start: &'a [u8],
    name: imapkit_proto::Atom<'a>,
) -> IResult<'a, CommandBody<'a>> {
    let i = &start[name.as_bytes().len()..];
    match peek(i)?.1 {
        b' ' => {
            let (_, raw) = generic(&i[1..], false)?;
            // Leave the final CRLF to `command_full`.
            let rest = &i[1 + raw.len()..];
            let other = OtherCommand::unvalidated(name, Some(Buf::borrowed(raw)));
            Ok((rest, CommandBody::Other(other)))
        }
        b'\r' => Ok((i, CommandBody::Other(OtherCommand::unvalidated(name, None)))),
        _ => fail(i, "expected SP or CRLF after the command name"),
    }
}

fn authenticate_args(i: &[u8]) -> IResult<'_, CommandBody<'_>> {
    let (i, ()) = sp(i)?;
    let (i, mechanism): (_, AuthMechanism<'_>) = auth_mechanism(i)?;
    if peek(i)?.1 != b' ' {
        return Ok((
            i,
            CommandBody::Authenticate {
                mechanism,
                initial_response: None,
            },
        ));
    }
    let at = &i[1..];
    let (i, b64) = take_while1(is_base64_char)(at)?;
    let data = if b64 == b"=" {
        Buf::borrowed(&b64[..0])
    } else {
        decode_base64(at, b64)?
    };
    Ok((
        i,
        CommandBody::Authenticate {
            mechanism,
            initial_response: Some(Secret::new(data)),
        },
    ))
}

fn is_base64_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

fn decode_base64<'a>(at: &'a [u8], b64: &[u8]) -> Result<Buf<'a>, nom::Err<super::PError<'a>>> {
    match base64::engine::general_purpose::STANDARD.decode(b64) {
        Ok(v) => Ok(Buf::from(v)),
        Err(_) => cut_fail::<()>(at, "invalid base64").map(|_| Buf::borrowed(&[])),
    }
}

fn copy_move(i: &[u8], is_move: bool, uid: bool) -> IResult<'_, CommandBody<'_>> {
    let (i, ()) = sp(i)?;
    let (i, sequence_set) = sequence_set(i)?;
    let (i, ()) = sp(i)?;
    let (i, mailbox) = mailbox(i)?;
    Ok((
        i,
        if is_move {
            CommandBody::Move {
                uid,
                sequence_set,
                mailbox,
            }
        } else {
            CommandBody::Copy {
                uid,
                sequence_set,
                mailbox,
            }
        },
    ))
}

/// `[SP "(" param *(SP param) ")"]`
fn opt_params<'a, T>(i: &'a [u8], param: fn(&'a [u8]) -> IResult<'a, T>) -> IResult<'a, Vec<T>> {
    if peek(i)?.1 != b' ' {
        return Ok((i, Vec::new()));
    }
    let (i, ()) = sp(i)?;
    let (i, v) = paren_list1(param)(i)?;
    Ok((i, v.into_vec()))
}

fn select_param(i: &[u8]) -> IResult<'_, SelectParameter<'_>> {
    let (r, w) = word(i)?;
    if is(w, "CONDSTORE") {
        return Ok((r, SelectParameter::CondStore));
    }
    if is(w, "QRESYNC") {
        let (r, ()) = sp(r)?;
        let (r, ()) = byte(b'(')(r)?;
        let (r, uid_validity) = nz_number(r)?;
        let (r, ()) = sp(r)?;
        let (mut r, mod_seq) = nz_number64(r)?;
        let mut known_uids = None;
        let mut seq_match_data = None;
        if peek(r)?.1 == b' ' && peek(&r[1..])?.1 != b'(' {
            let (r2, s) = known_set(&r[1..])?;
            known_uids = Some(s);
            r = r2;
        }
        if peek(r)?.1 == b' ' {
            let (r2, ()) = byte(b'(')(&r[1..])?;
            let (r2, a) = known_set(r2)?;
            let (r2, ()) = sp(r2)?;
            let (r2, b) = known_set(r2)?;
            let (r2, ()) = byte(b')')(r2)?;
            seq_match_data = Some((a, b));
            r = r2;
        }
        let (r, ()) = byte(b')')(r)?;
        return Ok((
            r,
            SelectParameter::QResync {
                uid_validity,
                mod_seq,
                known_uids,
                seq_match_data,
            },
        ));
    }
    ext_param(i).map(|(r, p)| (r, SelectParameter::Other(p)))
}

fn create_param(i: &[u8]) -> IResult<'_, CreateParameter<'_>> {
    let (r, w) = word(i)?;
    if is(w, "USE") {
        let (r, ()) = sp(r)?;
        let (r, v) = super::core::paren_list(use_attr)(r)?;
        return Ok((r, CreateParameter::Use(v)));
    }
    ext_param(i).map(|(r, p)| (r, CreateParameter::Other(p)))
}

/// `use-attr`: `"\" atom` (RFC 6154).
pub(super) fn use_attr(i: &[u8]) -> IResult<'_, UseAttribute<'_>> {
    let (r, ()) = byte(b'\\')(i)?;
    let (r, a) = atom(r)?;
    Ok((r, UseAttribute::from_atom(a)))
}

/// `label [SP tagged-ext-val]` (RFC 4466); a value follows only if it starts
/// like one (digit, `*`, `$` or `(`), since a value-less parameter may be
/// followed by the next parameter.
pub(super) fn ext_param(i: &[u8]) -> IResult<'_, ExtParam<'_>> {
    let (r, name) = atom(i)?;
    match r {
        [] | [b' '] => Err(nom::Err::Incomplete(nom::Needed::new(2 - r.len()))),
        [b' ', c, ..] if c.is_ascii_digit() || matches!(c, b'*' | b'$' | b'(') => {
            let (r, v) = tagged_ext_val(&r[1..])?;
            Ok((
                r,
                ExtParam {
                    name,
                    value: Some(v),
                },
            ))
        }
        _ => Ok((r, ExtParam { name, value: None })),
    }
}

/// `tagged-ext-val` (RFC 4466 §2.1).
pub(super) fn tagged_ext_val(i: &[u8]) -> IResult<'_, TaggedExtVal<'_>> {
    if peek(i)?.1 == b'(' {
        let (r, v) = comp_list(&i[1..], 0)?;
        return Ok((r, TaggedExtVal::Comp(v)));
    }
    let (_, tok) =
        take_while1(|b: u8| b.is_ascii_digit() || matches!(b, b':' | b',' | b'*' | b'$'))(i)?;
    if tok.iter().all(u8::is_ascii_digit) {
        let (r, n) = number64(i)?;
        return Ok((r, TaggedExtVal::Number(n)));
    }
    let (r, s) = sequence_set(i)?;
    if r.len() != i.len() - tok.len() {
        return fail(r, "invalid sequence set");
    }
    Ok((r, TaggedExtVal::SequenceSet(s)))
}

/// The inside of `"(" [tagged-ext-comp] ")"` after the `(`, through the `)`.
fn comp_list(i: &[u8], depth: usize) -> IResult<'_, Vec<TaggedExtComp<'_>>> {
    if depth > MAX_NESTING {
        return cut_fail(i, "extension value nested too deeply");
    }
    let mut out = Vec::new();
    if peek(i)?.1 == b')' {
        return Ok((&i[1..], out));
    }
    let mut i = i;
    loop {
        let (r, item) = if peek(i)?.1 == b'(' {
            let (r, v) = comp_list(&i[1..], depth + 1)?;
            match Vec1::try_from(v) {
                Ok(v) => (r, TaggedExtComp::List(v.into_vec())),
                Err(_) => return fail(i, "expected a non-empty list"),
            }
        } else {
            let (r, a): (_, AString<'_>) = astring(i)?;
            (r, TaggedExtComp::AString(a))
        };
        out.push(item);
        match peek(r)?.1 {
            b' ' => i = &r[1..],
            b')' => return Ok((&r[1..], out)),
            _ => return fail(r, "expected SP or )"),
        }
    }
}

/// A non-empty `"(" option-val-comp ")"` (RFC 5258 `option-value`).
pub(super) fn comp_list1(i: &[u8]) -> IResult<'_, Vec1<TaggedExtComp<'_>>> {
    let (r, ()) = byte(b'(')(i)?;
    let (r, v) = comp_list(r, 0)?;
    match Vec1::try_from(v) {
        Ok(v) => Ok((r, v)),
        Err(_) => fail(i, "expected a non-empty list"),
    }
}

/// `literal8` (RFC 3516): `~{n}` CRLF data.
pub(super) fn literal8(i: &[u8]) -> IResult<'_, Literal8<'_>> {
    let (i, ()) = byte(b'~')(i)?;
    let (i, (len, mode)) = literal_header(i)?;
    let (i, data) = literal_data(i, len, mode)?;
    Ok((i, Literal8::new(data, mode)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &[u8]) -> Command<'_> {
        match command(input) {
            Ok(Decoded::Complete { message, consumed }) => {
                assert_eq!(consumed, input.len());
                message
            }
            other => panic!("{other:?} for {:?}", input.escape_ascii().to_string()),
        }
    }

    #[test]
    fn simple() {
        assert_eq!(ok(b"a1 noop\r\n").body, CommandBody::Noop);
        assert_eq!(
            command(b"A1 FETCH 0 FLAGS\r\n").unwrap_err().offset,
            9,
            "fails at the 0"
        );
        assert_eq!(command(b"A1 NOO").unwrap(), Decoded::Incomplete);
    }

    #[test]
    fn nul_or_8bit_bytes() {
        let base = b"A1 LOGIN alice \"secret words\" x\r\n".to_vec();
        assert!(!has_nul_or_8bit(&base));
        for at in 0..base.len() {
            for odd in [0u8, 0x80, 0xc3, 0xff] {
                let mut b = base.clone();
                b[at] = odd;
                assert!(has_nul_or_8bit(&b), "{odd:#x} at {at}");
            }
        }
        assert!(!has_nul_or_8bit(&[0x7f, 1, 0x41]));
    }

    #[test]
    fn authenticate_lines() {
        let d = authenticate_data(b"AGZvbwBiYXI=\r\n").unwrap();
        let Decoded::Complete { message, .. } = d else {
            panic!()
        };
        let AuthenticateData::Continue(s) = message else {
            panic!()
        };
        assert_eq!(s.declassify().as_bytes(), b"\0foo\0bar");
        assert_eq!(
            authenticate_data(b"*\r\n").unwrap().complete().unwrap().0,
            AuthenticateData::Cancel
        );
        assert!(idle_done(b"done\r\n").unwrap().complete().is_some());
    }
}
