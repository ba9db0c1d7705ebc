//! Where a message and its literals end: the lexical rules shared by every
//! part of the workspace that needs them (RFC 9051 §4.3, §7).
//!
//! A message is a line, or a line ending in a literal header (`{n}`,
//! `{n+}`, `~{n}`, `~{n+}`) followed by `n` bytes of data and the rest of
//! the message. Whether a header at a line end is a literal depends on the
//! kind of message: in a status response, a tagged response or a
//! continuation request it is free text (`* OK some text {3}` ends at its
//! CRLF); in a command or an untagged data response it announces a literal.
//!
//! Two things decide that, and they are defined here once:
//!
//! - [`ResponseClassifier`]: the [`Class`] of a response, from the first
//!   bytes of its first line, fed in any chunks;
//! - [`HeaderTracker`] and [`literal_header`]: the literal header at the end
//!   of a line.
//!
//! `imapkit-codec`'s framer, its decoders and the validating constructors of
//! this crate (e.g. [`OtherData::try_new`](crate::OtherData::try_new)) all
//! call these functions, so a message cannot end in one place for the framer
//! and in another for the decoder (the response-injection class of bugs).
//!
//! ```
//! use imapkit_proto::lex::{classify_response, literal_header, Class};
//!
//! assert_eq!(classify_response(b"* OK [ALERT] text {3}"), Class::Text);
//! assert_eq!(classify_response(b"*  BYE {3}"), Class::Text);
//! assert_eq!(classify_response(b"* 3 FETCH (BODY[] {3}"), Class::Data);
//! let header = literal_header(b"* 3 FETCH (BODY[] ~{0012+}").unwrap();
//! assert_eq!((header.len, header.binary, header.digits), (12, true, 20..24));
//! assert_eq!(literal_header(b"* 3 FETCH (BODY[] {12} x"), None);
//! ```

#[doc(hidden)]
pub mod scan;

use std::ops::Range;

use crate::core::LiteralMode;

/// Whether literal syntax at the end of a line is a literal in a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// One line of free text: a status response (`* OK/NO/BAD/BYE/PREAUTH`,
    /// RFC 9051 §7.1), a tagged response (always a status response), a
    /// continuation request (`+`, §7.6), or a line of an AUTHENTICATE or
    /// IDLE exchange. No literals.
    Text,
    /// A command or an untagged data response: a line ending in a literal
    /// header continues after the literal's data.
    Data,
}

/// The status keywords of untagged status responses (RFC 9051 §7.1), at
/// most [`STATUS_MAX`] letters.
const STATUS: [&[u8]; 5] = [b"OK", b"NO", b"BAD", b"BYE", b"PREAUTH"];

/// Letters in the longest status keyword (`PREAUTH`).
const STATUS_MAX: usize = 7;

/// Classifies a response from the first bytes of its first line, fed in any
/// chunks (so that a framer can classify a line it cannot buffer whole).
///
/// The rule (a response that may carry literals is data; everything that
/// looks like a status response is text, so that its text never announces
/// a literal):
///
/// - `+` (continuation request), a tag (tagged response) or an empty line: [`Class::Text`];
/// - `*`, one or more spaces (RFC 9051 wants one; extra spaces are a known
///   server quirk the decoder accepts), then `OK`, `NO`, `BAD`, `BYE` or
///   `PREAUTH` in any case, ended by SP, `[`, CR, LF or the end of the line:
///   [`Class::Text`];
/// - any other line starting with `*`: [`Class::Data`].
///
/// ```
/// use imapkit_proto::lex::{Class, ResponseClassifier};
///
/// let mut c = ResponseClassifier::new();
/// assert_eq!(c.feed(b"*   "), None); // not known yet
/// assert_eq!(c.feed(b"pre"), None);
/// assert_eq!(c.feed(b"auth [CAPABILITY IMAP4rev2] hi"), Some(Class::Text));
/// let mut c = ResponseClassifier::new();
/// assert_eq!(c.feed(b"* OKAY"), None);
/// assert_eq!(c.feed(b" x"), Some(Class::Data));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct ResponseClassifier {
    state: ClassState,
    word: [u8; STATUS_MAX],
    len: u8,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum ClassState {
    /// Nothing seen.
    #[default]
    Start,
    /// `*`
    Star,
    /// `*` and at least one space.
    Spaces,
    /// `*`, spaces and `len` letters of a word.
    Word,
    /// Decided.
    Done(Class),
}

impl ResponseClassifier {
    /// A classifier that has seen nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// The class, once the bytes fed so far decide it.
    pub fn class(&self) -> Option<Class> {
        match self.state {
            ClassState::Done(c) => Some(c),
            _ => None,
        }
    }

    /// Feeds bytes of the first line (its line end included or not); returns
    /// the class once known. Bytes after the deciding one are ignored, and
    /// the class is always known after a CR or LF.
    pub fn feed(&mut self, bytes: &[u8]) -> Option<Class> {
        if self.state == ClassState::Start {
            // The common starts at once, as the steps below decide them:
            // message data (`* 3 FETCH`, most of a mailbox sync), and a tag
            // or `+`.
            let class = match bytes {
                [b'*', b' ', d, ..] if d.is_ascii_digit() => Class::Data,
                [b, ..] if *b != b'*' => Class::Text,
                [b'*', b' ', rest @ ..] => match word_after_star(rest) {
                    Some(class) => class,
                    None => return self.feed_steps(bytes),
                },
                _ => return self.feed_steps(bytes),
            };
            self.state = ClassState::Done(class);
            return Some(class);
        }
        self.feed_steps(bytes)
    }

    /// [`feed`](Self::feed), one byte at a time.
    fn feed_steps(&mut self, bytes: &[u8]) -> Option<Class> {
        for &b in bytes {
            if let Some(c) = self.step(b) {
                return Some(c);
            }
        }
        self.class()
    }

    /// The first line ended (or the caller knows no more bytes of it
    /// matter): decides the class from what was fed.
    pub fn end_of_line(&mut self) -> Class {
        if let Some(c) = self.class() {
            return c;
        }
        let c = match self.state {
            ClassState::Start => Class::Text,
            ClassState::Word => self.word_class(),
            _ => Class::Data,
        };
        self.state = ClassState::Done(c);
        c
    }

    /// One byte; the class if it decides it.
    fn step(&mut self, b: u8) -> Option<Class> {
        let next = match (self.state, b) {
            (ClassState::Done(c), _) => return Some(c),
            (ClassState::Start, b'*') => ClassState::Star,
            (ClassState::Start, b'\r' | b'\n') => ClassState::Done(Class::Text),
            // `+` or a tag: a continuation request or a tagged response.
            (ClassState::Start, _) => ClassState::Done(Class::Text),
            (ClassState::Star | ClassState::Spaces, b' ') => ClassState::Spaces,
            (ClassState::Star, _) => ClassState::Done(Class::Data),
            (ClassState::Spaces | ClassState::Word, b) if b.is_ascii_alphabetic() => {
                if usize::from(self.len) == STATUS_MAX {
                    ClassState::Done(Class::Data)
                } else {
                    self.word[usize::from(self.len)] = b;
                    self.len += 1;
                    ClassState::Word
                }
            }
            (ClassState::Spaces, _) => ClassState::Done(Class::Data),
            (ClassState::Word, b' ' | b'[' | b'\r' | b'\n') => ClassState::Done(self.word_class()),
            (ClassState::Word, _) => ClassState::Done(Class::Data),
        };
        self.state = next;
        self.class()
    }

    /// The class of a line whose word after `*` ended where the grammar
    /// allows a status keyword to end.
    fn word_class(&self) -> Class {
        if is_status_keyword(&self.word[..usize::from(self.len)]) {
            Class::Text
        } else {
            Class::Data
        }
    }
}

/// The class of a line `* ` + `rest` where `rest` starts with a letter,
/// decided at once as [`ResponseClassifier::step`] decides it letter by
/// letter: a word of more than [`STATUS_MAX`] letters, or one ended by
/// a byte other than SP, `[`, CR or LF, is data; a word so ended is
/// text if it is a status keyword. `None` where `rest` does not start
/// with a letter or ends inside the word (the steps then read it).
#[inline]
fn word_after_star(rest: &[u8]) -> Option<Class> {
    let head = &rest[..rest.len().min(STATUS_MAX + 1)];
    let n = head.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if n == 0 {
        return None;
    }
    if n > STATUS_MAX {
        return Some(Class::Data);
    }
    Some(match rest.get(n)? {
        b' ' | b'[' | b'\r' | b'\n' if is_status_keyword(&rest[..n]) => Class::Text,
        _ => Class::Data,
    })
}

/// Whether `word` is the keyword of an untagged status response: `OK`,
/// `NO`, `BAD`, `BYE` or `PREAUTH`, in any case (RFC 9051 §7.1).
pub fn is_status_keyword(word: &[u8]) -> bool {
    STATUS.iter().any(|k| word.eq_ignore_ascii_case(k))
}

/// The class of a response whose first line is, or starts with, `line`
/// (without its line end; a prefix too short to decide is classified as if
/// the line ended there).
pub fn classify_response(line: &[u8]) -> Class {
    let mut c = ResponseClassifier::new();
    match c.feed(line) {
        Some(class) => class,
        None => c.end_of_line(),
    }
}

/// A literal header `{n}`, `{n+}`, `~{n}` or `~{n+}` at the end of a line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LiteralHeader {
    /// The announced length, saturated at `u64::MAX` when the digits
    /// overflow (leading zeros are allowed and mean nothing).
    pub len: u64,
    /// `{n}` or `{n+}`.
    pub mode: LiteralMode,
    /// `~{n}`: a `literal8` (RFC 3516, RFC 9051 §9).
    pub binary: bool,
    /// Where the digits are, relative to the start of the bytes handed to
    /// [`literal_header`].
    pub digits: Range<usize>,
}

/// Recognises a literal header at the end of a line, fed in any chunks
/// without keeping the line: after any number of bytes it knows whether
/// they end in `{digits}`, `{digits+}`, `~{digits}` or `~{digits+}`, however
/// many digits (leading zeros included) there were.
///
/// ```
/// use imapkit_proto::lex::HeaderTracker;
///
/// let mut t = HeaderTracker::new();
/// t.push_slice(b"a1 APPEND INBOX {");
/// for _ in 0..1000 {
///     t.push_slice(b"0");
/// }
/// t.push_slice(b"13+}\r");
/// let h = t.header_at_line_end().unwrap();
/// assert_eq!(h.len, 13);
/// ```
#[derive(Debug, Clone, Default)]
pub struct HeaderTracker {
    state: HeaderState,
    /// The state before the last byte (a line's CR is not part of its content).
    before: HeaderState,
    /// The last byte fed was a CR.
    cr: bool,
    len: u64,
    digits: u64,
    binary: bool,
}

/// How far the bytes fed so far are into a header.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum HeaderState {
    /// Not in a header.
    #[default]
    None,
    /// After `~`.
    Tilde,
    /// After `{`.
    Open,
    /// After `{` and at least one digit.
    Digits,
    /// After `{`, digits and `+`.
    Plus,
    /// A complete header: `}` was the last byte.
    Closed(LiteralMode),
}

impl HeaderTracker {
    /// A tracker at the start of a line.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a new line.
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// Feeds one byte.
    #[inline]
    pub fn push(&mut self, b: u8) {
        self.before = self.state;
        self.cr = b == b'\r';
        self.state = match (self.state, b) {
            (_, b'~') => HeaderState::Tilde,
            (s, b'{') => {
                self.binary = s == HeaderState::Tilde;
                self.len = 0;
                self.digits = 0;
                HeaderState::Open
            }
            (HeaderState::Open | HeaderState::Digits, b'0'..=b'9') => {
                self.len = self
                    .len
                    .saturating_mul(10)
                    .saturating_add(u64::from(b - b'0'));
                self.digits += 1;
                HeaderState::Digits
            }
            (HeaderState::Digits, b'+') => HeaderState::Plus,
            (HeaderState::Digits, b'}') => HeaderState::Closed(LiteralMode::Sync),
            (HeaderState::Plus, b'}') => HeaderState::Closed(LiteralMode::NonSync),
            _ => HeaderState::None,
        };
    }

    /// Feeds bytes, as [`push`](Self::push) for each would: only the bytes
    /// from the last `{` on (or those continuing a header begun in an
    /// earlier chunk) are examined one by one.
    pub fn push_slice(&mut self, bytes: &[u8]) {
        let mut k = match bytes.iter().rposition(|&b| b == b'{') {
            Some(brace) => {
                if brace > 0 {
                    // Only the byte before `{` matters (`~`), not what came earlier.
                    self.state = HeaderState::None;
                    self.push(bytes[brace - 1]);
                }
                brace
            }
            None => 0,
        };
        while k < bytes.len() {
            if matches!(self.state, HeaderState::None | HeaderState::Tilde) && bytes[k] != b'{' {
                // No `{` follows: no header can end here, and only the last
                // two bytes decide the state (a `~`, a CR).
                let rest = &bytes[k..];
                if let [.., before, _] = rest {
                    self.state = if *before == b'~' {
                        HeaderState::Tilde
                    } else {
                        HeaderState::None
                    };
                }
                self.push(rest[rest.len() - 1]);
                return;
            }
            self.push(bytes[k]);
            k += 1;
        }
    }

    /// Whether the bytes fed so far end inside a header that more bytes
    /// could complete (after `{`, its digits or `+`).
    pub fn in_header(&self) -> bool {
        matches!(
            self.state,
            HeaderState::Open | HeaderState::Digits | HeaderState::Plus
        )
    }

    /// The header the bytes fed so far end with, if any.
    pub fn header(&self) -> Option<LiteralHeader> {
        self.header_in(self.state)
    }

    /// The header the line fed so far ends with, its CR (if it was the last
    /// byte fed) not counted: call it at the line's LF.
    pub fn header_at_line_end(&self) -> Option<LiteralHeader> {
        self.header_in(if self.cr { self.before } else { self.state })
    }

    fn header_in(&self, state: HeaderState) -> Option<LiteralHeader> {
        let HeaderState::Closed(mode) = state else {
            return None;
        };
        Some(LiteralHeader {
            len: self.len,
            mode,
            binary: self.binary,
            digits: 0..0,
        })
    }
}

/// The literal header at the end of `line` (the line without its line
/// end), if any. [`LiteralHeader::digits`] is relative to `line`.
///
/// Read from the end: `}`, an optional `+`, the digits, `{` and an optional
/// `~` before it, which is what [`HeaderTracker`] finds feeding the line
/// from its start (a test compares the two on every short line).
#[inline]
pub fn literal_header(line: &[u8]) -> Option<LiteralHeader> {
    let body = line.strip_suffix(b"}")?;
    let (body, mode) = match body.strip_suffix(b"+") {
        Some(body) => (body, LiteralMode::NonSync),
        None => (body, LiteralMode::Sync),
    };
    let open = body.iter().rposition(|b| !b.is_ascii_digit())?;
    if body[open] != b'{' || open + 1 == body.len() {
        return None;
    }
    let digits = open + 1..body.len();
    let len = body[digits.clone()].iter().fold(0u64, |n, &d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    });
    Some(LiteralHeader {
        len,
        mode,
        binary: open > 0 && body[open - 1] == b'~',
        digits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        let h = literal_header(b"A1 LOGIN {5}").unwrap();
        assert_eq!(
            (h.len, h.mode, h.binary, h.digits),
            (5, LiteralMode::Sync, false, 10..11)
        );
        let h = literal_header(b"x ~{12+}").unwrap();
        assert_eq!((h.len, h.mode, h.binary), (12, LiteralMode::NonSync, true));
        assert_eq!(h.digits, 4..6);
        let h = literal_header(b"{99999999999999999999999}").unwrap();
        assert_eq!(h.len, u64::MAX);
        let mut zeros = b"a {".to_vec();
        zeros.extend(std::iter::repeat(b'0').take(100_000));
        zeros.extend_from_slice(b"7}");
        let h = literal_header(&zeros).unwrap();
        assert_eq!((h.len, h.digits), (7, 3..100_004));
        for no in [
            &b""[..],
            b"}",
            b"{}",
            b"{+}",
            b"5}",
            b"{5",
            b"{5}x",
            b"{5+",
            b"{ 5}",
            b"{5++}",
            b"{-5}",
            b"{5}}",
            b"{{5}x",
        ] {
            assert_eq!(
                literal_header(no),
                None,
                "{:?}",
                String::from_utf8_lossy(no)
            );
        }
        assert!(literal_header(b"{{5}").is_some());
        assert!(!literal_header(b"~ {5}").unwrap().binary);
    }

    /// `literal_header` (read from the end) finds what the tracker finds
    /// feeding the line from its start, on every line of up to 6 bytes
    /// over the bytes that matter.
    #[test]
    fn headers_read_from_the_end_agree_with_the_tracker() {
        let alphabet = *b"{}~+05 x";
        let mut line = Vec::new();
        for len in 0..=6u32 {
            for mut code in 0..alphabet.len().pow(len) {
                line.clear();
                for _ in 0..len {
                    line.push(alphabet[code % alphabet.len()]);
                    code /= alphabet.len();
                }
                let mut t = HeaderTracker::new();
                t.push_slice(&line);
                let want = t.header().map(|h| {
                    let end = line.len() - 1 - usize::from(h.mode == LiteralMode::NonSync);
                    (h.len, h.mode, h.binary, end - t.digits as usize..end)
                });
                let got = literal_header(&line).map(|h| (h.len, h.mode, h.binary, h.digits));
                assert_eq!(got, want, "{:?}", line.escape_ascii().to_string());
            }
        }
    }

    /// Fed in any chunking, the tracker finds the header the whole line ends with.
    #[test]
    fn tracker_in_chunks() {
        let lines: [&[u8]; 8] = [
            b"* 1 FETCH (BODY[] {0000000012}\r",
            b"A1 APPEND x ~{5+}",
            b"x ~{5+}\r",
            b"{5}\r",
            b"{5} \r",
            b"a {5\r}",
            b"~{~{3}",
            b"{1}{2}{3",
        ];
        for line in lines {
            let content = line.strip_suffix(b"\r").unwrap_or(line);
            let want = literal_header(content).map(|h| (h.len, h.mode, h.binary));
            for chunk in 1..=line.len() {
                let mut t = HeaderTracker::new();
                for piece in line.chunks(chunk) {
                    t.push_slice(piece);
                }
                let got = t.header_at_line_end().map(|h| (h.len, h.mode, h.binary));
                assert_eq!(got, want, "{:?} in chunks of {chunk}", line.escape_ascii());
            }
        }
    }

    #[test]
    fn classes() {
        for text in [
            &b"* OK done {3}"[..],
            b"* ok [ALERT] x",
            b"* NO",
            b"* BAD x",
            b"* BYE {1}",
            b"* PREAUTH x",
            b"*  OK [ALERT] x {29}",
            b"*    bye",
            b"* OK[ALERT] x {3}",
            b"* OK\r",
            b"+ {3}",
            b"+",
            b"A1 OK {4}",
            b"",
        ] {
            assert_eq!(
                classify_response(text),
                Class::Text,
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
        for data in [
            &b"* 3 FETCH (BODY[] {3}"[..],
            b"* LIST () \"/\" {3}",
            b"* OKAY",
            b"* PREAUTHX",
            b"*",
            b"*  ",
            b"*OK",
            b"* OK(",
            b"* OK{3}",
            b"* OK\tx",
            b"* X-OK",
        ] {
            assert_eq!(
                classify_response(data),
                Class::Data,
                "{:?}",
                String::from_utf8_lossy(data)
            );
        }
    }

    #[test]
    fn classifier_in_chunks() {
        let line = b"*      Preauth [CAPABILITY IMAP4rev2] ready";
        for chunk in 1..line.len() {
            let mut c = ResponseClassifier::new();
            let mut got = None;
            for piece in line.chunks(chunk) {
                got = got.or(c.feed(piece));
            }
            assert_eq!(got, Some(Class::Text), "chunks of {chunk}");
        }
        let mut c = ResponseClassifier::new();
        assert_eq!(c.feed(b"*  BYE"), None);
        assert_eq!(c.end_of_line(), Class::Text);
        assert_eq!(c.feed(b"anything"), Some(Class::Text));
    }
}
