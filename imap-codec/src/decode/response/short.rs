//! The shortest responses of a session, read where they lie in a frame.
//!
//! Most messages a synchronised client receives are one short line:
//! `* 23 EXISTS`, `* 5 EXPUNGE`, `* 0 RECENT`, `* SEARCH 4 9`, status
//! responses (`* OK [HIGHESTMODSEQ 9] x`) and the tagged completion of a
//! command (`a4 OK Fetch completed.`). The general decoder reads them
//! through the same layers as any response (the classifier, the dispatch
//! on the keyword, `Result`s of parsers), and [`IntoStatic::into_shared`]
//! then walks the value again; for a line of 15 bytes that fixed cost is
//! most of the time. [`probe`] recognises these forms with a few
//! comparisons and builds the owned value directly.
//!
//! It accepts a subset of what the general decoder accepts and builds the
//! value the general path would (`response(line)` then
//! `into_shared(frame)`): the line must be the whole input and end with
//! CRLF, a name or status keyword must be followed by one SP (or, for
//! SEARCH, the line end);
//! response codes and SEARCH's numbers are read by the general path's own
//! parsers, without the dispatch that leads there. Anything else,
//! including every error, is [`Probe::General`], and the caller decodes
//! the line on the general path, which decides the value or the error
//! with its offset.
//!
//! [`IntoStatic::into_shared`]: imapkit_proto::IntoStatic::into_shared

use std::num::NonZeroU32;

use bytes::Bytes;
use imapkit_proto::{
    chars, Buf, Data, IntoStatic, RespText, Response, ResponseCode, Status, StatusKind,
    StatusResponse, Tag, Text,
};

use crate::decode::command::own::Borrowed;
use crate::decode::core::{digits_u64, text_stop};
use crate::decode::COPY_AT_MOST;

/// How [`probe`] hands out the slices of the input it puts in a value:
/// borrowed ([`Borrowed`], for a frame lent by the framer) or as slices of
/// the frame's `Bytes` (`&Bytes`, for a value that owns its data).
pub(crate) trait Source<'a, 'o>: Copy {
    /// `part`, a slice of the input.
    fn buf(self, part: &'a [u8]) -> Buf<'o>;
    /// A response code read from the input.
    fn code(self, code: ResponseCode<'a>) -> ResponseCode<'o>;
}

impl<'a> Source<'a, 'a> for Borrowed {
    #[inline(always)]
    fn buf(self, part: &'a [u8]) -> Buf<'a> {
        Buf::borrowed(part)
    }

    #[inline(always)]
    fn code(self, code: ResponseCode<'a>) -> ResponseCode<'a> {
        code
    }
}

impl<'a> Source<'a, 'static> for &Bytes {
    #[inline(always)]
    fn buf(self, part: &'a [u8]) -> Buf<'static> {
        share(self, part)
    }

    #[inline]
    fn code(self, code: ResponseCode<'a>) -> ResponseCode<'static> {
        code.into_shared(self)
    }
}

/// Values that own copies of the slices: for a message read where the
/// framer lent it ([`self_contained`]), short enough that copying its few
/// strings costs less than taking it out of the buffer and sharing it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Copied;

impl<'a> Source<'a, 'static> for Copied {
    #[inline(always)]
    fn buf(self, part: &'a [u8]) -> Buf<'static> {
        Buf::copied(part)
    }

    #[inline]
    fn code(self, code: ResponseCode<'a>) -> ResponseCode<'static> {
        code.into_static()
    }
}

/// What [`probe`] found at the front of a frame.
pub(crate) enum Probe<'o> {
    /// One of the short forms, the whole input: the value.
    Short(Response<'o>),
    /// `* nz-number FETCH ` (any case): the number, and the offset of the
    /// item list, which `data::fetch_shared` reads.
    Fetch {
        /// The message sequence number.
        seq: NonZeroU32,
        /// Where the item list starts.
        list: usize,
    },
    /// Anything else: the general path decides.
    General,
}

/// Reads the front of `input` (a frame) once: one of the short forms, the
/// head of a FETCH response, or neither. `src` makes the value's slices
/// (borrowed, or slices of the `Bytes` that holds `input`).
#[inline(always)]
pub(crate) fn probe<'a, 'o>(input: &'a [u8], src: impl Source<'a, 'o>) -> Probe<'o> {
    match input {
        [b'*', b' ', b'0'..=b'9', ..] => message_data(input),
        [b'*', b' ', b'S' | b's', ..] => search(input),
        [b'*', b' ', ..] => short(untagged_status(&input[2..], src)),
        // `+` is a continuation request, `[` may be a bare response code.
        [b'+' | b'[', ..] => Probe::General,
        _ => short(tagged(input, src)),
    }
}

/// The value of a message that needs no frame to own its data: the short
/// forms that hold no slice of `input` (`* 3 EXISTS`, `* 5 EXPUNGE`, `* 0
/// RECENT`, `* SEARCH 2 7`), and, if `copy` is set and `input` is at most
/// [`COPY_AT_MOST`] bytes, the other short forms (status responses) and a
/// FETCH response in its usual form (`* 4 FETCH (UID 9 FLAGS (\Seen
/// $Junk))`), with copies of their strings. `None` for anything else,
/// errors included (the caller decodes it on the frame's path, which
/// decides the value or the error): the value, when there is one, is the
/// general path's.
#[inline]
pub(crate) fn self_contained(input: &[u8], copy: bool) -> Option<Response<'static>> {
    let copy = copy && input.len() <= COPY_AT_MOST;
    let probe = match input {
        [b'*', b' ', b'0'..=b'9', ..] => message_data(input),
        [b'*', b' ', b'S' | b's', ..] => search(input),
        // `+` is a continuation request, `[` may be a bare response code.
        [b'+' | b'[', ..] => return None,
        _ if copy => return status_copied(input),
        _ => return None,
    };
    match probe {
        Probe::Short(response) => Some(response),
        Probe::Fetch { seq, list } if copy => fetch_copied(input, seq, list),
        _ => None,
    }
}

/// A status response (tagged, or untagged after `* `) with copies of its
/// strings, for [`self_contained`].
#[inline(never)]
fn status_copied(input: &[u8]) -> Option<Response<'static>> {
    match input {
        [b'*', b' ', ..] => untagged_status(&input[2..], Copied),
        _ => tagged(input, Copied),
    }
}

/// A FETCH response in its usual form with copies of its strings, for
/// [`self_contained`].
#[inline(never)]
fn fetch_copied(input: &[u8], seq: NonZeroU32, list: usize) -> Option<Response<'static>> {
    super::fetch_owned(input, seq, list, None).ok()
}

#[inline(always)]
fn short(response: Option<Response<'_>>) -> Probe<'_> {
    response.map_or(Probe::General, Probe::Short)
}

/// `* number SP` and then `"EXISTS" / "RECENT"`, or `"EXPUNGE"` for an
/// `nz-number` (RFC 9051 §7.4.1, §7.3.1; RECENT from RFC 3501 §7.3.2), up
/// to the end of `input`; or `"FETCH" SP` and more.
#[inline]
fn message_data(input: &[u8]) -> Probe<'static> {
    // The digits as `core::number` reads them, without its `IResult`s and
    // its note of leading zeros (a call of it costs EXISTS an eighth of
    // its time); a number it would refuse goes to the general path.
    let mut n: u64 = 0;
    let mut k = 2;
    while let Some(&d) = input.get(k) {
        if !d.is_ascii_digit() {
            break;
        }
        // Eleven digits never fit a `u32`.
        if k == 12 {
            return Probe::General;
        }
        n = n * 10 + u64::from(d - b'0');
        k += 1;
    }
    let Ok(n) = u32::try_from(n) else {
        return Probe::General;
    };
    let Some(name) = input[k..].strip_prefix(b" ") else {
        return Probe::General;
    };
    if let [b'F' | b'f', _, _, _, _, b' ', _, ..] = name {
        return match (is_keyword(&name[..5], b"fetch"), NonZeroU32::new(n)) {
            (true, Some(seq)) => Probe::Fetch { seq, list: k + 7 },
            _ => Probe::General,
        };
    }
    let Some(name) = name.strip_suffix(b"\r\n") else {
        return Probe::General;
    };
    let data = if is_keyword(name, b"exists") {
        Data::Exists(n)
    } else if is_keyword(name, b"expunge") {
        match NonZeroU32::new(n) {
            Some(n) => Data::Expunge(n),
            None => return Probe::General,
        }
    } else if is_keyword(name, b"recent") {
        Data::Recent(n)
    } else {
        return Probe::General;
    };
    Probe::Short(Response::Data(data))
}

/// `* SEARCH` (RFC 3501 §7.2.5), read by the general path's parser for
/// what follows the name, without the dispatch that leads there.
fn search(input: &[u8]) -> Probe<'static> {
    let plain = input.get(2..8).is_some_and(|w| is_keyword(w, b"search"))
        && matches!(input.get(8), Some(b' ' | b'\r'));
    match plain {
        true => short(super::data::search_line(&input[8..])),
        false => Probe::General,
    }
}

/// Whether `bytes` is `word` (lower-case letters, at most 8) in any case:
/// one comparison of two words, where a letter's byte with bit 5 set is
/// the lower-case letter only for that letter in either case.
#[inline]
fn is_keyword(bytes: &[u8], word: &[u8]) -> bool {
    debug_assert!(word.len() <= 8 && word.iter().all(u8::is_ascii_lowercase));
    if bytes.len() != word.len() {
        return false;
    }
    let load = |b: &[u8]| {
        let mut w = [0u8; 8];
        w[..b.len()].copy_from_slice(b);
        u64::from_le_bytes(w)
    };
    let case = u64::from_le_bytes([0x20; 8]) >> (8 * (8 - word.len()));
    load(bytes) | case == load(word)
}

/// `tag SP ("OK" / "NO" / "BAD") SP resp-text` (RFC 9051 §7.1,
/// `response-tagged`).
#[inline(always)]
fn tagged<'a, 'o>(input: &'a [u8], src: impl Source<'a, 'o>) -> Option<Response<'o>> {
    let line = input.strip_suffix(b"\r\n")?;
    let tag_len = line.iter().take_while(|&&b| chars::is_tag_char(b)).count();
    let rest = line[tag_len..].strip_prefix(b" ")?;
    if tag_len == 0 {
        return None;
    }
    let (Word::Status(status), text) = word(rest)? else {
        return None;
    };
    let tag = Tag::unvalidated(src.buf(&line[..tag_len]));
    let text = resp_text(text, src)?;
    let kind = StatusKind::Tagged { tag, status };
    Some(Response::Status(StatusResponse { kind, text }))
}

/// `("OK" / "NO" / "BAD" / "BYE") SP resp-text` after `* ` (RFC 9051
/// §7.1).
#[inline(always)]
fn untagged_status<'a, 'o>(rest: &'a [u8], src: impl Source<'a, 'o>) -> Option<Response<'o>> {
    let rest = rest.strip_suffix(b"\r\n")?;
    let (word, text) = word(rest)?;
    let kind = match word {
        Word::Status(status) => StatusKind::Untagged(status),
        Word::Bye => StatusKind::Bye,
    };
    let text = resp_text(text, src)?;
    Some(Response::Status(StatusResponse { kind, text }))
}

/// The keyword of a status response.
enum Word {
    Status(Status),
    Bye,
}

/// The keyword at the front of `rest` (any case), and what follows it and
/// its SP.
#[inline]
fn word(rest: &[u8]) -> Option<(Word, &[u8])> {
    let [a, b, c, ..] = *rest else {
        return None;
    };
    let sp = |at: usize| (rest.get(at) == Some(&b' ')).then(|| &rest[at + 1..]);
    match [a, b, c].map(|x| x.to_ascii_uppercase()) {
        [b'O', b'K', b' '] => Some((Word::Status(Status::Ok), &rest[3..])),
        [b'N', b'O', b' '] => Some((Word::Status(Status::No), &rest[3..])),
        [b'B', b'A', b'D'] => Some((Word::Status(Status::Bad), sp(3)?)),
        [b'B', b'Y', b'E'] => Some((Word::Bye, sp(3)?)),
        _ => None,
    }
}

/// `resp-text` (RFC 9051 §9) that is all of `text`: a response code and
/// SP (read by the general path's parser), then bytes that are all
/// `TEXT-CHAR`. `None` for the lenient forms (a code without SP, a `[`
/// that starts no code) and for errors.
///
/// Each branch builds the value where it is returned. A `(code, text)`
/// pair built first and then moved into the value cost a store-forwarding
/// stall: the 72-byte code, written a word at a time, was read back in
/// 16-byte moves. Building in place took about a tenth off the
/// whole-process time of a million `* OK [HIGHESTMODSEQ n] Highest` lines
/// (`perf stat -r 10`, `stream_file ours`: 178-187 ms to 164 ms); lines
/// without a code did not change beyond the noise.
fn resp_text<'a, 'o>(text: &'a [u8], src: impl Source<'a, 'o>) -> Option<RespText<'o>> {
    if text.first() == Some(&b'[') {
        let (rest, code) = match common_code(text) {
            Some((rest, code)) => (rest, code),
            None => {
                let (rest, code) = super::code::bracketed(text).ok()?;
                (rest, src.code(code))
            }
        };
        let text = rest.strip_prefix(b" ")?;
        if text_stop(text) != text.len() {
            return None;
        }
        return Some(RespText::unvalidated(
            Some(code),
            Text::unvalidated(src.buf(text)),
        ));
    }
    if text_stop(text) != text.len() {
        return None;
    }
    Some(RespText::unvalidated(
        None,
        Text::unvalidated(src.buf(text)),
    ))
}

/// The response codes servers send most, in their usual form (upper
/// case; a number without a leading zero, not 0, in its range), read
/// without the general parser ([`super::code::bracketed`], which reads
/// any code in any case and notes the quirks it accepts): `[READ-WRITE]`,
/// `[READ-ONLY]`, `[HIGHESTMODSEQ n]`, `[UIDNEXT n]`, `[UIDVALIDITY n]`
/// and `[UNSEEN n]` (RFC 9051 §7.1, RFC 7162 §3.1.2.1); the rest of
/// `text` after the `]`, and the code. `None` for any other form, which
/// the general parser reads (the fuzz targets check that both give the
/// same value). The general parser took a third of a `* OK
/// [HIGHESTMODSEQ 90001] Highest` line's instructions.
#[inline]
fn common_code(text: &[u8]) -> Option<(&[u8], ResponseCode<'static>)> {
    let rest = text.get(1..)?;
    match rest.first()? {
        b'R' => {
            if let Some(r) = rest.strip_prefix(b"READ-WRITE]") {
                return Some((r, ResponseCode::ReadWrite));
            }
            let r = rest.strip_prefix(b"READ-ONLY]")?;
            Some((r, ResponseCode::ReadOnly))
        }
        b'H' => {
            let (n, r) = code_number(rest.strip_prefix(b"HIGHESTMODSEQ ")?)?;
            Some((r, ResponseCode::HighestModSeq(n)))
        }
        b'U' => {
            if let Some(r) = rest.strip_prefix(b"UIDNEXT ") {
                let (n, r) = code_number(r)?;
                return Some((r, ResponseCode::UidNext(u32::try_from(n).ok()?)));
            }
            if let Some(r) = rest.strip_prefix(b"UIDVALIDITY ") {
                let (n, r) = code_number(r)?;
                return Some((r, ResponseCode::UidValidity(u32::try_from(n).ok()?)));
            }
            let (n, r) = code_number(rest.strip_prefix(b"UNSEEN ")?)?;
            let n = NonZeroU32::new(u32::try_from(n).ok()?)?;
            Some((r, ResponseCode::Unseen(n)))
        }
        _ => None,
    }
}

/// `n]` at the front of `i`, for [`common_code`]: 1 to 19 digits (any
/// such number fits a `u64`), read by [`digits_u64`], without a leading
/// zero, so never 0; the number and what follows the `]`.
#[inline]
fn code_number(i: &[u8]) -> Option<(u64, &[u8])> {
    let (r, n) = digits_u64(i).ok()?;
    if i[0] == b'0' || i.len() - r.len() > 19 {
        return None;
    }
    Some((n, r.strip_prefix(b"]")?))
}

/// `part`, which lies inside `frame`, owned as [`IntoStatic::into_shared`]
/// makes it: inline if short, else a slice of `frame`.
#[inline]
fn share(frame: &Bytes, part: &[u8]) -> Buf<'static> {
    Buf::borrowed(part).into_shared(frame)
}

#[cfg(test)]
mod tests {
    use imapkit_proto::IntoStatic;

    use super::*;
    use crate::decode::{edits, response, Decoded};

    /// The probe's value, if it read a short form.
    fn shared(input: &[u8], frame: &Bytes) -> Option<Response<'static>> {
        match probe(input, frame) {
            Probe::Short(response) => Some(response),
            _ => None,
        }
    }

    /// The general path's value for `input`, owned as `shared` owns it.
    fn general(frame: &Bytes) -> Option<Response<'static>> {
        match response(frame) {
            Ok(Decoded::Complete { message, consumed }) if consumed == frame.len() => {
                Some(message.into_shared(frame))
            }
            _ => None,
        }
    }

    #[test]
    fn short_forms_equal_the_general_path() {
        let lines: &[&[u8]] = &[
            b"* 23 EXISTS\r\n",
            b"* 0 exists\r\n",
            b"* 4294967295 EXISTS\r\n",
            b"* 007 RECENT\r\n",
            b"* 5 Expunge\r\n",
            b"a4 OK Fetch completed (0.001 + 0.000 secs).\r\n",
            b"A001 no \r\n",
            b"x] BAD ok\r\n",
            b"* OK still here\r\n",
            b"* BYE Logging out\r\n",
            b"* bad \xe6\x97\xa5\xe6\x9c\xac\r\n",
            b"* OK [UNSEEN 3] x\r\n",
            b"* OK [HIGHESTMODSEQ 90001] Highest\r\n",
            b"a1 OK [READ-WRITE] done\r\n",
            b"a1 NO [ALERT] \r\n",
            b"* BAD [BADCHARSET (UTF-8 \"x y\")] no\r\n",
            b"* OK [UNSEEN 0] kept as another code\r\n",
            b"* SEARCH 5143 5146 5160\r\n",
            b"* search\r\n",
            b"* SEARCH 2 (MODSEQ 917162500)\r\n",
            b"* SEARCH  1 2 \r\n",
        ];
        for line in lines {
            let frame = Bytes::copy_from_slice(line);
            let fast = shared(&frame, &frame);
            assert!(fast.is_some(), "{}", line.escape_ascii());
            assert_eq!(fast, general(&frame), "{}", line.escape_ascii());
            // Borrowed, as a lent frame is read: the same probe's value.
            let Probe::Short(lent) = probe(line, Borrowed) else {
                panic!("{}", line.escape_ascii())
            };
            assert_eq!(Some(lent), general(&frame), "{}", line.escape_ascii());
            // Without a frame (a lent message, strings copied): the same.
            assert_eq!(
                self_contained(line, true),
                general(&frame),
                "{}",
                line.escape_ascii()
            );
        }
    }

    /// Whether any string of `response` lies inside `input` (it would
    /// then not be a copy).
    fn shares_bytes_of(response: &Response<'_>, input: &[u8]) -> bool {
        let inside = |b: &[u8]| input.as_ptr_range().contains(&b.as_ptr()) && !b.is_empty();
        match response {
            Response::Status(s) => {
                let tag = match &s.kind {
                    StatusKind::Tagged { tag, .. } => inside(tag.as_bytes()),
                    _ => false,
                };
                tag || inside(s.text.human().as_bytes())
            }
            Response::Data(Data::Fetch { items, .. }) => {
                use imapkit_proto::{Flag, FlagFetch, MessageDataItem};
                items.iter().any(|item| match item {
                    MessageDataItem::Flags(flags) => flags.iter().any(|f| match f {
                        FlagFetch::Flag(Flag::Keyword(k)) => inside(k.as_bytes()),
                        _ => false,
                    }),
                    _ => false,
                })
            }
            _ => false,
        }
    }

    #[test]
    fn lent_messages_built_with_copies_of_their_strings() {
        let lines: &[&[u8]] = &[
            b"* 10365 FETCH (UID 14365 FLAGS (\\Seen $Junk))\r\n",
            b"* 5086 FETCH (UID 9086 FLAGS ())\r\n",
            // Lotus Domino's extra parentheses (a quirk the FETCH path reads).
            b"* 3 FETCH ((UID 4))\r\n",
            b"* 3 fetch (flags (\\Answered NonJunk) uid 4 modseq (12))\r\n",
            b"* 1 FETCH (BODY[] {5}\r\nhello)\r\n",
            b"* 1 FETCH (ENVELOPE (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL))\r\n",
            b"a4 OK Fetch completed (0.001 + 0.000 secs).\r\n",
            b"a10 OK [READ-WRITE] Select completed (0.002 + 0.000 + 0.001 secs).\r\n",
            b"* OK [HIGHESTMODSEQ 90001] Highest\r\n",
            b"* OK [PERMANENTFLAGS (\\Seen $Junk \\*)] Limited\r\n",
            b"* BYE [ALERT] going down\r\n",
        ];
        for line in lines {
            let frame = Bytes::copy_from_slice(line);
            let owned = self_contained(line, true);
            assert!(owned.is_some(), "{}", line.escape_ascii());
            assert_eq!(owned, general(&frame), "{}", line.escape_ascii());
            assert!(!shares_bytes_of(owned.as_ref().unwrap(), line));
            // A message already split off shares its frame instead.
            assert_eq!(self_contained(line, false), None, "{}", line.escape_ascii());
        }
        assert!(self_contained(b"* 3 EXISTS\r\n", false).is_some());
        // Up to 256 bytes; a longer message is left to the frame's path
        // (sharing the frame), except the forms that hold no bytes of it.
        for (len, some) in [(256, true), (257, false)] {
            let mut line = b"a1 OK ".to_vec();
            line.resize(len - 2, b'x');
            line.extend_from_slice(b"\r\n");
            assert_eq!(self_contained(&line, true).is_some(), some, "{len}");
        }
        let mut search = b"* SEARCH".to_vec();
        (1..90).for_each(|n| search.extend_from_slice(format!(" {n}").as_bytes()));
        search.extend_from_slice(b"\r\n");
        assert!(search.len() > COPY_AT_MOST);
        assert_eq!(
            self_contained(&search, true),
            general(&Bytes::from(search.clone()))
        );
        // Errors, quirks and other responses: the frame's path decides.
        for line in [
            &b"* 0 FETCH (UID 4)\r\n"[..],
            b"* 3 FETCH (UID 4\r\n",
            b"* OK [UNSEEN 3]\r\n",
            b"+ go on\r\n",
            b"* CAPABILITY IMAP4rev1\r\n",
            b"* LIST () \"/\" INBOX\r\n",
        ] {
            assert_eq!(self_contained(line, true), None, "{}", line.escape_ascii());
        }
    }

    #[test]
    fn common_codes_are_read_without_the_general_parser() {
        // The usual forms: read here, equal to what the general parser reads.
        for (code, rest) in [
            (&b"[READ-WRITE] x"[..], &b" x"[..]),
            (b"[READ-ONLY]", b""),
            (b"[HIGHESTMODSEQ 9999999999999999999] y", b" y"),
            (b"[UIDNEXT 4294967295] z", b" z"),
            (b"[UIDVALIDITY 1] z", b" z"),
            (b"[UNSEEN 12]", b""),
        ] {
            let fast = common_code(code);
            assert_eq!(
                fast.as_ref().map(|(r, c)| (*r, c.clone())),
                super::super::code::bracketed(code).ok(),
                "{}",
                code.escape_ascii()
            );
            assert_eq!(fast.map(|(r, _)| r), Some(rest));
        }
        // Any other form goes to the general parser, which notes its
        // quirks (a leading zero, 0, a lower-case name) or keeps a number
        // out of range as an unknown code's text.
        for code in [
            &b"[read-write] x"[..],
            b"[READ-WRITE x",
            b"[HIGHESTMODSEQ 0] x",
            b"[HIGHESTMODSEQ 007] x",
            // 20 digits, in range or not: the general parser's checks.
            b"[HIGHESTMODSEQ 18446744073709551615] x",
            b"[HIGHESTMODSEQ 18446744073709551616] x",
            b"[HIGHESTMODSEQ ] x",
            b"[HIGHESTMODSEQ 5",
            b"[UIDNEXT 4294967296] x",
            b"[UIDVALIDITY 0] x",
            b"[UNSEEN 0] x",
            b"[UNSEENX 3] x",
            b"[ALERT] x",
        ] {
            assert_eq!(common_code(code), None, "{}", code.escape_ascii());
        }
        for line in [
            &b"* OK [HIGHESTMODSEQ 007] x\r\n"[..],
            b"* OK [UIDNEXT 4294967296] x\r\n",
            b"* OK [read-only] x\r\n",
            b"a1 OK [UIDVALIDITY 0] x\r\n",
        ] {
            assert_agree(line);
        }
    }

    #[test]
    fn everything_else_is_left_to_the_general_path() {
        let lines: &[&[u8]] = &[
            // Errors: the general path gives them with their offsets.
            b"* 0 EXPUNGE\r\n",
            b"* 4294967296 EXISTS\r\n",
            b"* 99999999999 EXISTS\r\n",
            b"* 3 EXISTS\n",
            b"* 3 EXISTS \r\n",
            b"a1 OK x\0y\r\n",
            b"a1 OK x\ry\r\n",
            b"a1 MAYBE x\r\n",
            b" OK x\r\n",
            // Valid, and read by the general path: quirks, others.
            b"* OK [UNSEEN 3]\r\n",
            b"* OK [Gmail]/Sent\r\n",
            b"* OK [UNSEEN 3]x\r\n",
            b"*  3 EXISTS\r\n",
            b"* 3  EXISTS\r\n",
            b"a1  OK x\r\n",
            b"a1 OK\r\n",
            b"* PREAUTH hi\r\n",
            b"* 3 FETCH (UID 4)\r\n",
            b"* 3 fetch (UID 4)\r\n",
            b"+ go on\r\n",
            b"[COPYUID 1 2 3]\r\n",
            b"* SEARCH 0\r\n",
            b"* SEARCH 1 x\r\n",
            b"* SEARCHES 1\r\n",
            b"* SEARCH 1\r\n* SEARCH 2\r\n",
            b"* SORT 1 2\r\n",
        ];
        for line in lines {
            let frame = Bytes::copy_from_slice(line);
            assert_eq!(shared(&frame, &frame), None, "{}", line.escape_ascii());
        }
    }

    /// SEARCH numbers as written, whichever reading takes each (the usual
    /// form is read without the general parser, which reads what is left:
    /// both share `search_parts`, so the values are checked here).
    #[test]
    fn search_numbers_read_as_written() {
        let ids = |line: &[u8]| match response(line) {
            Ok(Decoded::Complete {
                message: Response::Data(Data::Search { ids, mod_seq }),
                consumed,
            }) if consumed == line.len() => {
                Some((ids.iter().map(|n| n.get()).collect::<Vec<_>>(), mod_seq))
            }
            _ => None,
        };
        for (line, want, modseq) in [
            (
                &b"* SEARCH 5143 5146 5160\r\n"[..],
                &[5143, 5146, 5160][..],
                None,
            ),
            (b"* SEARCH\r\n", &[], None),
            (b"* SEARCH 4294967295 1\r\n", &[u32::MAX, 1], None),
            // The general parser from the second space on (a quirk), and
            // from a leading zero on.
            (b"* SEARCH 1  2 3\r\n", &[1, 2, 3], None),
            (b"* SEARCH 9 007 8\r\n", &[9, 7, 8], None),
            (
                b"* SEARCH 2 7 (MODSEQ 917162500)\r\n",
                &[2, 7],
                Some(917_162_500),
            ),
        ] {
            assert_eq!(
                ids(line),
                Some((want.to_vec(), modseq)),
                "{}",
                line.escape_ascii()
            );
        }
        // Refused, as the general parser refuses them.
        for line in [
            &b"* SEARCH 4294967296\r\n"[..],
            b"* SEARCH 1 0\r\n",
            b"* SEARCH 12x\r\n",
        ] {
            assert!(response(line).is_err(), "{}", line.escape_ascii());
        }
        assert_eq!(response(b"* SEARCH 12"), Ok(Decoded::Incomplete));
    }

    #[test]
    fn keywords_in_any_case_and_nothing_else() {
        assert!(is_keyword(b"EXISTS", b"exists"));
        assert!(is_keyword(b"eXiStS", b"exists"));
        assert!(is_keyword(b"FETCH", b"fetch"));
        assert!(!is_keyword(b"EXIST", b"exists"));
        assert!(!is_keyword(b"EXISTSS", b"exists"));
        // Bytes that differ from a letter in bit 5 only, and others.
        for c in 0..=255u8 {
            let bytes = [b'e', b'x', b'i', c, b't', b's'];
            assert_eq!(
                is_keyword(&bytes, b"exists"),
                c.eq_ignore_ascii_case(&b's'),
                "{c}"
            );
        }
    }

    #[test]
    fn fetch_heads() {
        let probe = |line: &[u8]| match probe(line, &Bytes::copy_from_slice(line)) {
            Probe::Fetch { list, .. } => Some(list),
            _ => None,
        };
        assert_eq!(probe(b"* 12 FETCH (UID 4)\r\n"), Some(11));
        assert_eq!(probe(b"* 4294967295 fetch (UID 4)\r\n"), Some(19));
        // The general path gives the errors, and reads the other forms.
        assert_eq!(probe(b"* 0 FETCH (UID 4)\r\n"), None);
        assert_eq!(probe(b"* 4294967296 FETCH (UID 4)\r\n"), None);
        assert_eq!(probe(b"* 12  FETCH (UID 4)\r\n"), None);
        assert_eq!(probe(b"* 12 FETCH\r\n"), None);
    }

    /// The short forms, with varied numbers, tags, words and texts.
    fn short_form() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        let number = prop_oneof![0u64..20, 0u64..=u64::from(u32::MAX) + 9];
        let keyword = proptest::sample::select(&["EXISTS", "Exists", "EXPUNGE", "recent"][..]);
        let status = proptest::sample::select(&["OK", "no", "BAD", "BYE", "PREAUTH"][..]);
        let code = proptest::sample::select(
            &[
                "",
                "[UNSEEN 3] ",
                "[UNSEEN 0] ",
                "[READ-WRITE] ",
                "[HIGHESTMODSEQ 90001] ",
                "[HIGHESTMODSEQ 18446744073709551615] ",
                "[HIGHESTMODSEQ 9999999999999999999] ",
                "[HIGHESTMODSEQ 0] ",
                "[READ-ONLY] ",
                "[read-write] ",
                "[UIDNEXT 4294967295] ",
                "[UIDNEXT 4294967296] ",
                "[UIDVALIDITY 07] ",
                "[UNSEEN 4294967296] ",
                "[PERMANENTFLAGS (\\Seen \\*)] ",
                "[COPYUID 9 1:3 7:9] ",
                "[x",
                "[ALERT]",
            ][..],
        );
        let text = (code, "[ -~\u{e9}\u{65e5}]{0,12}").prop_map(|(c, t)| c.to_string() + &t);
        prop_oneof![
            (number, keyword).prop_map(|(n, k)| format!("* {n} {k}")),
            ("[a-z0-9.\\]+-]{1,5}", status.clone(), text.clone())
                .prop_map(|(tag, s, t)| format!("{tag} {s} {t}")),
            (status, text).prop_map(|(s, t)| format!("* {s} {t}")),
            (
                proptest::collection::vec(0u32..9, 0..4),
                proptest::option::of(0u64..u64::MAX),
            )
                .prop_map(|(ids, modseq)| {
                    let ids: String = ids.iter().map(|n| format!(" {n}")).collect();
                    let modseq = modseq.map_or(String::new(), |m| format!(" (MODSEQ {m})"));
                    format!("* SEARCH{ids}{modseq}")
                }),
            (
                1u32..20,
                proptest::collection::vec(fetch_item(), 1..4),
                sep()
            )
                .prop_map(|(seq, items, sep)| format!("* {seq} FETCH ({})", items.join(sep))),
        ]
        .prop_map(|line| (line + "\r\n").into_bytes())
    }

    /// A FETCH item of a flag update or sync, in its canonical form or a
    /// near miss (another spelling, a number out of range or with a leading
    /// zero, a quirk), or another item.
    fn fetch_item() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let number = prop_oneof![0u64..20, 0u64..=u64::from(u32::MAX) + 9, any::<u64>()];
        let flags = proptest::sample::select(
            &[
                "()",
                "(\\Seen)",
                "(\\Seen $Junk)",
                "($Forwarded \\Answered \\Seen)",
                "(\\SEEN)",
                "( \\Seen)",
                "(\\Recent NonJunk)",
            ][..],
        );
        let name = proptest::sample::select(&["UID", "uid", "MODSEQ", "FLAGS"][..]);
        prop_oneof![
            number.clone().prop_map(|n| format!("UID {n}")),
            number.clone().prop_map(|n| format!("MODSEQ ({n})")),
            flags.prop_map(|f| format!("FLAGS {f}")),
            (name, number).prop_map(|(w, n)| format!("{w} 0{n}")),
            Just("RFC822.SIZE 44".to_string()),
        ]
    }

    /// The space between FETCH items: mostly one.
    fn sep() -> impl proptest::strategy::Strategy<Value = &'static str> {
        proptest::sample::select(&[" ", " ", " ", "  "][..])
    }

    /// Bytes that move a line between the short forms, their near misses
    /// and errors.
    const NOISE: &[u8] = b" \r\n\0[+*09a\xff";

    /// Whatever the probe reads of `line`, the general path reads equally.
    fn assert_agree(line: &[u8]) {
        let frame = Bytes::copy_from_slice(line);
        if let Some(fast) = shared(&frame, &frame) {
            assert_eq!(Some(fast), general(&frame), "{}", line.escape_ascii());
        }
        for copy in [true, false] {
            if let Some(owned) = self_contained(line, copy) {
                assert_eq!(Some(owned), general(&frame), "{}", line.escape_ascii());
            }
        }
        // A FETCH response sharing its frame (the frame's path).
        if let Probe::Fetch { seq, list } = probe(&frame, &frame) {
            if let Ok(owned) = super::super::fetch_owned(&frame, seq, list, Some(&frame)) {
                assert_eq!(Some(owned), general(&frame), "{}", line.escape_ascii());
            }
        }
        // Borrowed (a lent frame), errors and their offsets too.
        let general = super::super::response_general_whole(line);
        assert_eq!(
            super::super::response_whole(line),
            general,
            "{}",
            line.escape_ascii()
        );
    }

    proptest::proptest! {
        /// The short forms, a prefix of each, and edits of them (bytes
        /// replaced, inserted or removed anywhere).
        #[test]
        fn agrees_with_the_general_path(
            line in short_form(),
            cut in proptest::prelude::any::<proptest::sample::Index>(),
            edits in edits::edits(NOISE),
        ) {
            edits::check_edited(line, cut, edits, NOISE, usize::MAX, assert_agree);
        }
    }
}
