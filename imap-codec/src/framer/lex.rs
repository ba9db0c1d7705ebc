//! Lexical helpers of the framer: the byte scan, literal headers at line
//! ends, and the classification of a message by its first line.

use std::ops::Range;

use bytes::Bytes;
use imapkit_proto::{chars, LiteralMode, Tag};

/// Whether literal syntax at a line end is a literal in this message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    /// One line of free text: a status response, a continuation request, or
    /// any line in line mode. No literals, parentheses are not counted.
    Text,
    /// A command or a data response: a line ending in a literal header
    /// continues after the literal's data.
    Data,
}

/// A literal header `{n}`, `{n+}`, `~{n}` or `~{n+}` ending a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Header {
    /// The length, saturated at `u64::MAX` when the digits overflow.
    pub(super) len: u64,
    pub(super) mode: LiteralMode,
    pub(super) binary: bool,
    /// Where the digits are, relative to the start of the line.
    pub(super) digits: Range<usize>,
}

/// Parses a literal header at the end of `line` (the line without CRLF).
pub(super) fn literal_header(line: &[u8]) -> Option<Header> {
    let mut end = line.len().checked_sub(1)?;
    if line[end] != b'}' {
        return None;
    }
    let mode = if end > 0 && line[end - 1] == b'+' {
        end -= 1;
        LiteralMode::NonSync
    } else {
        LiteralMode::Sync
    };
    let start = line[..end]
        .iter()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |p| p + 1);
    if start == end || start == 0 || line[start - 1] != b'{' {
        return None;
    }
    let len = line[start..end].iter().fold(0u64, |n, &d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    });
    Some(Header {
        len,
        mode,
        binary: start >= 2 && line[start - 2] == b'~',
        digits: start..end,
    })
}

/// The class of a response, from (a prefix of) its first line.
///
/// Status responses (`* OK/NO/BAD/BYE/PREAUTH`, RFC 9051 §7.1), tagged
/// responses (always status responses) and continuation requests (`+`,
/// §7.6) carry text, never literals. Untagged data responses may.
/// The keyword must be followed by SP, `[`, or the end of the line; the
/// prefix handed in always ends at a line end, or with a `(` or the first
/// byte of an item beyond the limit, so it classifies like the whole line.
pub(super) fn classify_response(line: &[u8]) -> Class {
    const STATUS: [&[u8]; 5] = [b"OK", b"NO", b"BAD", b"BYE", b"PREAUTH"];
    match line {
        [b'*', b' ', rest @ ..] => {
            let word = rest
                .iter()
                .take(8)
                .position(|b| !b.is_ascii_alphabetic())
                .unwrap_or(rest.len().min(8));
            let terminated = matches!(rest.get(word), None | Some(b' ' | b'['));
            if terminated && STATUS.iter().any(|k| rest[..word].eq_ignore_ascii_case(k)) {
                Class::Text
            } else {
                Class::Data
            }
        }
        [b'*', ..] => Class::Data,
        _ => Class::Text,
    }
}

/// The tag (the first token, if it is a valid tag) and whether the command
/// is APPEND, from the first line of a command.
pub(super) fn command_info(line: &[u8]) -> (Option<Tag<'static>>, bool) {
    let sp = memchr::memchr(b' ', line).unwrap_or(line.len());
    let token = &line[..sp];
    let tag = if !token.is_empty() && token.iter().all(|&b| chars::is_tag_char(b)) {
        Some(Tag::unvalidated(Bytes::copy_from_slice(token)))
    } else {
        None
    };
    let rest = line.get(sp + 1..).unwrap_or_default();
    let append = rest.len() >= 6
        && rest[..6].eq_ignore_ascii_case(b"APPEND")
        && matches!(rest.get(6), None | Some(b' '));
    (tag, append)
}

/// The scan state of one message: quoting, parenthesis depth and items.
#[derive(Debug, Clone, Default)]
pub(super) struct ScanState {
    pub(super) in_quote: bool,
    pub(super) escape: bool,
    pub(super) depth: u32,
    /// Outside quotes: the last byte belonged to an item, so the next one
    /// does not start a new item (only kept while limits apply).
    pub(super) in_item: bool,
    /// Items so far in the innermost open list, or at the top level of the
    /// message at depth 0 (only kept while limits apply).
    pub(super) items: u32,
}

/// The limits a scan enforces outside free text.
#[derive(Debug)]
pub(super) struct Limits<'s> {
    pub(super) max_depth: u32,
    pub(super) max_items: u32,
    /// Item counts of the lists enclosing the innermost one, outermost
    /// first; its length is the depth. The framer keeps it between messages
    /// (cleared) to reuse the allocation; it never holds more than
    /// `max_depth` counts.
    pub(super) outer: &'s mut Vec<u32>,
}

/// Where a scan stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stop {
    /// At a LF (not consumed), index relative to the scanned slice.
    Lf(usize),
    /// At a `(` (consumed) that made the depth exceed the limit.
    Deep(usize),
    /// At the first byte (consumed) of an item beyond the limit of its list.
    Items(usize),
    /// The slice is exhausted.
    End,
}

const PLAIN: u8 = 0;
const LF: u8 = 1;
const QUOTE: u8 = 2;
const BACKSLASH: u8 = 3;
const OPEN: u8 = 4;
const CLOSE: u8 = 5;
const SP: u8 = 6;
const CR: u8 = 7;

static SPECIAL: [u8; 256] = {
    let mut t = [PLAIN; 256];
    t[b'\n' as usize] = LF;
    t[b'"' as usize] = QUOTE;
    t[b'\\' as usize] = BACKSLASH;
    t[b'(' as usize] = OPEN;
    t[b')' as usize] = CLOSE;
    t[b' ' as usize] = SP;
    t[b'\r' as usize] = CR;
    t
};

/// Scans `bytes` for the line end, tracking quoted strings (a `\` escapes
/// the next byte inside quotes) and the depth of parentheses outside them.
/// With `limits`, also counts items and stops at the `(` that exceeds the
/// depth limit or at the first byte of an item beyond the item limit.
/// Returns where it stopped and how many bytes it examined.
///
/// Items are counted per list: the top level of the message (depth 0) and
/// each parenthesised list. An item starts at a byte outside quotes that
/// is not SP, CR or `)`, at the start of the message or after a SP or the
/// `(` opening its list. So a quoted string, a nested list and a literal
/// (its header `{n}`; its data is never scanned) are one item each, and
/// extra spaces count nothing. At depth 0 the limit is at least 2, so that
/// a tag and a command name (or `*` and a response name) always pass.
pub(super) fn scan(bytes: &[u8], st: &mut ScanState, limits: Option<Limits<'_>>) -> (Stop, usize) {
    match limits {
        None => scan_free(bytes, st),
        Some(limits) => scan_limited(bytes, st, limits),
    }
}

/// [`scan`] without limits (free text, skipped lines): no item counts.
fn scan_free(bytes: &[u8], st: &mut ScanState) -> (Stop, usize) {
    for (k, &b) in bytes.iter().enumerate() {
        if st.escape {
            st.escape = false;
            if b != b'\n' {
                continue;
            }
        }
        match SPECIAL[b as usize] {
            LF => return (Stop::Lf(k), k + 1),
            QUOTE => st.in_quote = !st.in_quote,
            BACKSLASH => st.escape = st.in_quote,
            OPEN if !st.in_quote => st.depth = st.depth.saturating_add(1),
            CLOSE if !st.in_quote => st.depth = st.depth.saturating_sub(1),
            _ => {}
        }
    }
    (Stop::End, bytes.len())
}

/// [`scan`] with limits.
fn scan_limited(bytes: &[u8], st: &mut ScanState, limits: Limits<'_>) -> (Stop, usize) {
    let Limits {
        max_depth,
        max_items,
        outer,
    } = limits;
    let mut k = 0;
    while k < bytes.len() {
        if st.in_item || st.in_quote {
            // Bytes inside an item or a quoted string change nothing: skip
            // them in a tight loop.
            while k < bytes.len() && !st.escape && SPECIAL[bytes[k] as usize] == PLAIN {
                k += 1;
            }
            if k == bytes.len() {
                break;
            }
        }
        let b = bytes[k];
        k += 1;
        if st.escape {
            st.escape = false;
            if b != b'\n' {
                continue;
            }
        }
        let class = SPECIAL[b as usize];
        if st.in_quote {
            match class {
                LF => return (Stop::Lf(k - 1), k),
                QUOTE => st.in_quote = false,
                BACKSLASH => st.escape = true,
                _ => {}
            }
            continue;
        }
        match class {
            LF => return (Stop::Lf(k - 1), k),
            SP => {
                st.in_item = false;
                continue;
            }
            CR => continue,
            CLOSE => {
                if let Some(items) = outer.pop() {
                    st.depth -= 1;
                    st.items = items;
                }
                // The list was an item of the enclosing one.
                st.in_item = true;
                continue;
            }
            _ => {}
        }
        // PLAIN, BACKSLASH (a flag), QUOTE or OPEN: part of an item.
        let over = !st.in_item && {
            st.in_item = true;
            st.items = st.items.saturating_add(1);
            let limit = if st.depth == 0 {
                max_items.max(2)
            } else {
                max_items
            };
            st.items > limit
        };
        match class {
            QUOTE => st.in_quote = true,
            OPEN => {
                st.depth = st.depth.saturating_add(1);
                if !over && st.depth > max_depth {
                    return (Stop::Deep(k - 1), k);
                }
                if !over {
                    outer.push(st.items);
                    st.items = 0;
                    st.in_item = false;
                }
            }
            _ => {}
        }
        if over {
            return (Stop::Items(k - 1), k);
        }
    }
    (Stop::End, bytes.len())
}

/// The last bytes of a line being discarded, enough to find a literal
/// header at its end.
#[derive(Debug, Clone)]
pub(super) struct Tail {
    bytes: [u8; Self::CAP],
    len: usize,
}

impl Tail {
    const CAP: usize = 64;

    pub(super) fn new() -> Self {
        Self {
            bytes: [0; Self::CAP],
            len: 0,
        }
    }

    pub(super) fn clear(&mut self) {
        self.len = 0;
    }

    /// Appends, keeping only the last `CAP` bytes.
    pub(super) fn extend(&mut self, s: &[u8]) {
        if s.len() >= Self::CAP {
            self.bytes.copy_from_slice(&s[s.len() - Self::CAP..]);
            self.len = Self::CAP;
            return;
        }
        let keep = self.len.min(Self::CAP - s.len());
        self.bytes.copy_within(self.len - keep..self.len, 0);
        self.bytes[keep..keep + s.len()].copy_from_slice(s);
        self.len = keep + s.len();
    }

    pub(super) fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
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
        let h = literal_header(b"{99999999999999999999999}").unwrap();
        assert_eq!(h.len, u64::MAX);
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
        ] {
            assert_eq!(
                literal_header(no),
                None,
                "{:?}",
                String::from_utf8_lossy(no)
            );
        }
    }

    #[test]
    fn response_classes() {
        for text in [
            &b"* OK done {3}"[..],
            b"* ok [ALERT] x",
            b"* NO",
            b"* BAD x",
            b"* BYE {1}",
            b"* PREAUTH x",
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
            b"*",
            b"* OK(",
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
    fn commands() {
        let (tag, append) = command_info(b"A1 append INBOX {5}");
        assert_eq!(tag.unwrap().as_bytes(), b"A1");
        assert!(append);
        assert!(!command_info(b"A1 APPENDX {5}").1);
        assert!(command_info(b"A1 APPEND").1);
        assert_eq!(command_info(b"A+1 NOOP").0, None);
        assert_eq!(command_info(b"").0, None);
    }

    fn limits(outer: &mut Vec<u32>, max_depth: u32, max_items: u32) -> Option<Limits<'_>> {
        Some(Limits {
            max_depth,
            max_items,
            outer,
        })
    }

    #[test]
    fn scanning() {
        let mut outer = Vec::new();
        let mut st = ScanState::default();
        assert_eq!(
            scan(b"a \"(\\\"(\" ((", &mut st, limits(&mut outer, 1, 9)),
            (Stop::Deep(10), 11)
        );
        let mut st = ScanState::default();
        outer.clear();
        assert_eq!(
            scan(b"(\")\" x\r\n", &mut st, limits(&mut outer, 1, 9)),
            (Stop::Lf(7), 8)
        );
        assert_eq!((st.depth, st.items, &outer[..]), (1, 2, &[1][..]));
        let mut st = ScanState::default();
        assert_eq!(scan(b"abc", &mut st, None), (Stop::End, 3));
    }

    #[test]
    fn counting_items() {
        // (input, limit, where the scan stops)
        let cases: &[(&[u8], u32, Stop)] = &[
            // Top level: at least 2 items pass.
            (b"A1 NOOP\r\n", 0, Stop::Lf(8)),
            (b"A1 NOOP x", 2, Stop::Items(8)),
            (b"  A1   NOOP  \r\n", 2, Stop::Lf(14)),
            (b"* SEARCH 1 2 3\r\n", 5, Stop::Lf(15)),
            (b"* SEARCH 1 2 3 4", 5, Stop::Items(15)),
            // A quoted string is one item, whatever it holds.
            (b"a (\"x y\\\" (z\" b)", 2, Stop::End),
            (b"a (\"x y\" b c)", 2, Stop::Items(11)),
            // A nested list is one item of its list, and starts its own.
            (b"a ((1 2) (3 4))", 2, Stop::End),
            (b"a ((1 2) (3 4) x)", 2, Stop::Items(15)),
            (b"a ((1 2 3))", 2, Stop::Items(8)),
            // Bytes after `)` or glued to a token start nothing.
            (b"a (x(y)z\\w)", 1, Stop::End),
            (b"a b c ()", 3, Stop::Items(6)),
            // An empty list has no items; a limit of 0 applies inside lists.
            (b"() (x", 0, Stop::Items(4)),
            // The literal's header is its item.
            (b"a (x {3}\r\n", 1, Stop::Items(5)),
        ];
        for (input, limit, stop) in cases {
            let mut outer = Vec::new();
            let mut st = ScanState::default();
            let got = scan(input, &mut st, limits(&mut outer, 9, *limit)).0;
            assert_eq!(got, *stop, "{:?}", input.escape_ascii().to_string());
        }
    }

    #[test]
    fn counting_goes_on_across_calls() {
        let input = b"* 1 FETCH (FLAGS (a b c) X {2}\r\n";
        let mut outer = Vec::new();
        let mut whole = ScanState::default();
        let end = scan(input, &mut whole, limits(&mut outer, 9, 4));
        assert_eq!(end, (Stop::Lf(31), 32));
        outer.clear();
        let mut st = ScanState::default();
        for (k, b) in input.iter().enumerate() {
            let got = scan(std::slice::from_ref(b), &mut st, limits(&mut outer, 9, 4));
            let want = if k == 31 { Stop::Lf(0) } else { Stop::End };
            assert_eq!(got.0, want);
        }
        assert_eq!((st.items, st.depth, &outer[..]), (4, 1, &[4][..]));
        // After the literal's data, the list goes on.
        let more = scan(b" Y Z)\r\n", &mut st, limits(&mut outer, 9, 4));
        assert_eq!(more, (Stop::Items(1), 2));
    }

    #[test]
    fn tail_keeps_the_end() {
        let mut t = Tail::new();
        t.extend(b"abc");
        t.extend(b"def");
        assert_eq!(t.as_slice(), b"abcdef");
        t.extend(&[b'x'; 70]);
        t.extend(b"{5}");
        assert_eq!(t.as_slice().len(), 64);
        assert!(t.as_slice().ends_with(b"xx{5}"));
    }
}
