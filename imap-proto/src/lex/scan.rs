//! Lexical scanning of messages, shared by the framer and the decoders:
//! the byte scan (quoted strings, parentheses, item counts), a command's
//! first words, and [`walk`], which reads one message whole the way the
//! framer frames it.
//!
//! The rules of where a message and its literals end (the class of a
//! response, the literal header at a line end) are defined once, in
//! [`crate::lex`]; the framer, the decoders, the encoder and the validating
//! constructors of `imapkit-proto` all call them.

use bytes::Bytes;

use super::{literal_header, Class, LiteralHeader};
use crate::{chars, LiteralMode, Tag};

/// The tag (the first token, if it is a valid tag) and whether the command
/// is APPEND, from the first line of a command.
pub fn command_info(line: &[u8]) -> (Option<Tag<'static>>, bool) {
    let (tag_len, append) = command_head(line);
    let tag = tag_len.map(|n| Tag::unvalidated(Bytes::copy_from_slice(&line[..n])));
    (tag, append)
}

/// [`command_info`] without copying the tag: its length (the tag is
/// `line[..n]`), and whether the command is APPEND. The framer keeps only
/// this between the literals of a command, and copies the tag for each
/// literal it announces.
pub fn command_head(line: &[u8]) -> (Option<usize>, bool) {
    // A tag is a few bytes: a plain loop, not `memchr` and its set-up.
    let sp = line.iter().position(|&b| b == b' ').unwrap_or(line.len());
    let token = &line[..sp];
    let tag_len = (!token.is_empty() && token.iter().all(|&b| chars::is_tag_char(b))).then_some(sp);
    let rest = line.get(sp + 1..).unwrap_or_default();
    let append = rest.len() >= 6
        && rest[..6].eq_ignore_ascii_case(b"APPEND")
        && matches!(rest.get(6), None | Some(b' '));
    (tag_len, append)
}

/// Whether a command (its first bytes suffice) may hold credentials:
/// LOGIN or AUTHENTICATE (RFC 9051 §6.2.2, §6.2.3), whatever the case.
///
/// Deliberately loose, so that redaction errs on the safe side: either of
/// the first two words counts (a line without a tag still hides its
/// password), and any run of bytes no tag holds separates words (a TAB,
/// a quote: `a1 LOGIN\talice pw` and `a1 LOGIN"alice" "pw"` do not parse,
/// and are shown as they are unless redacted).
pub fn may_hold_credentials(message: &[u8]) -> bool {
    let line = match memchr::memchr(b'\n', message) {
        Some(lf) => &message[..lf],
        None => message,
    };
    line.split(|&b| !chars::is_tag_char(b))
        .filter(|w| !w.is_empty())
        .take(2)
        .any(|w| w.eq_ignore_ascii_case(b"LOGIN") || w.eq_ignore_ascii_case(b"AUTHENTICATE"))
}

/// The scan state of one message: quoting, parenthesis depth and items.
#[derive(Debug, Clone, Default)]
pub struct ScanState {
    pub in_quote: bool,
    pub escape: bool,
    pub depth: u32,
    /// Outside quotes: the last byte belonged to an item, so the next one
    /// does not start a new item (only kept while limits apply).
    pub in_item: bool,
    /// Items so far in the innermost open list, or at the top level of the
    /// message at depth 0 (only kept while limits apply).
    pub items: u32,
}

/// The limits a scan enforces outside free text.
#[derive(Debug)]
pub struct Limits<'s> {
    pub max_depth: u32,
    pub max_items: u32,
    /// Item counts of the lists enclosing the innermost one, outermost
    /// first; its length is the depth. The framer keeps it between messages
    /// (cleared) to reuse the allocation; it never holds more than
    /// `max_depth` counts.
    pub outer: &'s mut Vec<u32>,
}

/// Where a scan stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
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
pub fn scan(bytes: &[u8], st: &mut ScanState, limits: Option<Limits<'_>>) -> (Stop, usize) {
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

/// A line of a message read by [`walk`], positions relative to its input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// First byte of the line.
    pub start: usize,
    /// End of its content: its CR, or its LF when there is no CR.
    pub end: usize,
    /// Its LF.
    pub lf: usize,
    /// The literal header the line ends with, if the message's class makes
    /// it one (it is not inside a quoted string, and the message is data).
    /// Its data follows the LF.
    pub header: Option<LiteralHeader>,
}

impl Line {
    /// Whether the line ends with CRLF (not a lone LF).
    pub fn crlf(&self) -> bool {
        self.end < self.lf
    }
}

/// How [`walk`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalkEnd {
    /// The message ends before this offset (just after its last LF).
    Complete(usize),
    /// The input ends inside a line.
    Incomplete,
    /// The input ends inside the data of a literal of `len` bytes.
    InLiteral {
        /// The literal's length.
        len: u64,
        /// Its mode.
        mode: LiteralMode,
    },
}

/// Reads the message at the front of `input` the way the framer frames it,
/// without its limits: line by line (a line ends at its LF), each line that
/// ends in a literal header (outside a quoted string, in a message of class
/// [`Class::Data`]) followed by the literal's data and another line. Calls
/// `line` for every line in order; stops early, with `Err`, when `line`
/// does.
///
/// `input` may start inside the first line (after `* `, after a tag) where
/// no quoted string is open: the lines found are the same.
///
/// This is how the decoders read what they do not parse item by item
/// (unknown responses and commands), and how the lone-LF decoder finds the
/// line ends of a message (never inside literal data).
pub fn walk<E>(
    input: &[u8],
    class: Class,
    mut line: impl FnMut(&Line) -> Result<(), E>,
) -> Result<WalkEnd, E> {
    let mut st = ScanState::default();
    let mut pos = 0;
    loop {
        let (Stop::Lf(k), _) = scan(&input[pos..], &mut st, None) else {
            return Ok(WalkEnd::Incomplete);
        };
        let lf = pos + k;
        let end = if lf > pos && input[lf - 1] == b'\r' {
            lf - 1
        } else {
            lf
        };
        let header = match class {
            Class::Data if !st.in_quote => literal_header(&input[pos..end]),
            _ => None,
        };
        let this = Line {
            start: pos,
            end,
            lf,
            header,
        };
        line(&this)?;
        let Some(header) = this.header else {
            return Ok(WalkEnd::Complete(lf + 1));
        };
        // As in the framer: the literal is one item, its data is not scanned.
        st.in_quote = false;
        st.escape = false;
        let data = lf + 1;
        let available = (input.len() - data) as u64;
        if header.len > available {
            return Ok(WalkEnd::InLiteral {
                len: header.len,
                mode: header.mode,
            });
        }
        // `header.len <= available`, a usize.
        pos = data + header.len as usize;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
