//! Mailbox names: validation, the INBOX rule, conversion between the
//! store's UTF-8 names and the wire form (modified UTF-7, or UTF-8 after
//! `ENABLE UTF8=ACCEPT`), and LIST pattern matching (RFC 9051 §5.1, §6.3.9).

use imapkit_proto::{utf7, IntoStatic, Mailbox};
use unicode_normalization::{is_nfc, UnicodeNormalization};

use crate::store::error::{Result, StoreError};

/// The hierarchy delimiter of every namespace.
pub const DELIMITER: char = '/';

/// [`DELIMITER`] as LIST, LSUB and NAMESPACE responses hold it.
pub const WIRE_DELIMITER: imapkit_proto::Delimiter = match imapkit_proto::Delimiter::new(DELIMITER)
{
    Ok(d) => d,
    Err(_) => panic!("the delimiter is no NUL, CR or LF"),
};

/// The first component of shared mailbox names (the shared namespace is
/// `"Shared/"`, RFC 2342).
pub const SHARED_ROOT: &str = "Shared";

/// The longest name the store accepts, in bytes of UTF-8.
pub const MAX_NAME_LEN: usize = 512;

/// Checks a UTF-8 mailbox name and returns its canonical form: in Unicode
/// normalization form C (Net-Unicode, RFC 9051 §5.1: a server may take a
/// decomposed name and convert it, and then must in every command, which
/// this function's place on the way of every name from the wire does), and
/// `INBOX` in any case (as the whole name or as its first component)
/// written `INBOX`. Control characters and U+2028, U+2029 (line and
/// paragraph separators, RFC 6855 §3) are refused.
///
/// ```
/// use imap_examples::store::normalize_name;
/// assert_eq!(normalize_name("inbox").unwrap(), "INBOX");
/// assert_eq!(normalize_name("Inbox/Lists").unwrap(), "INBOX/Lists");
/// assert_eq!(normalize_name("日本語/メモ").unwrap(), "日本語/メモ");
/// assert!(normalize_name("a//b").is_err());
/// assert!(normalize_name("a/*").is_err());
/// assert_eq!(normalize_name("U\u{308}ber").unwrap(), "\u{dc}ber");
/// assert!(normalize_name("a\u{2028}b").is_err());
/// ```
pub fn normalize_name(name: &str) -> Result<String> {
    let bad = |reason| Err(StoreError::InvalidName { reason });
    let nfc: String;
    let name = if is_nfc(name) {
        name
    } else {
        nfc = name.nfc().collect();
        &nfc
    };
    if name.is_empty() {
        return bad("empty name");
    }
    if name.len() > MAX_NAME_LEN {
        return bad("name too long");
    }
    if name.chars().any(|c| c.is_control()) {
        return bad("control character in name");
    }
    if name.contains(['\u{2028}', '\u{2029}']) {
        return bad("line or paragraph separator in name");
    }
    if name.contains(['*', '%']) {
        return bad("wildcard in name");
    }
    let mut out = String::with_capacity(name.len());
    for (i, part) in name.split(DELIMITER).enumerate() {
        if part.is_empty() {
            return bad("empty hierarchy level");
        }
        if part == "." || part == ".." {
            return bad("dot level");
        }
        if i > 0 {
            out.push(DELIMITER);
        }
        if i == 0 && part.eq_ignore_ascii_case("INBOX") {
            out.push_str("INBOX");
        } else {
            out.push_str(part);
        }
    }
    Ok(out)
}

/// The UTF-8 name of a mailbox as a client sent it: modified UTF-7 decoded,
/// or the bytes as UTF-8 when `utf8` (the session enabled `UTF8=ACCEPT`,
/// RFC 6855 §3). The result is normalized ([`normalize_name`]).
///
/// ```
/// use imap_examples::store::{name_from_wire, name_to_wire};
/// use imapkit_proto::Mailbox;
/// let m = Mailbox::from_wire("&ZeVnLIqe-/x").unwrap();
/// assert_eq!(name_from_wire(&m, false).unwrap(), "日本語/x");
/// assert_eq!(name_to_wire("日本語/x", false), m);
/// assert_eq!(name_from_wire(&Mailbox::Inbox, false).unwrap(), "INBOX");
/// ```
pub fn name_from_wire(mailbox: &Mailbox<'_>, utf8: bool) -> Result<String> {
    normalize_name(&text_from_wire(mailbox.as_bytes(), utf8)?)
}

/// A LIST pattern (reference or mailbox argument) as UTF-8, decoded like
/// [`name_from_wire`] but not normalized (wildcards stay).
pub fn pattern_from_wire(bytes: &[u8], utf8: bool) -> Result<String> {
    text_from_wire(bytes, utf8)
}

fn text_from_wire(bytes: &[u8], utf8: bool) -> Result<String> {
    if utf8 {
        String::from_utf8(bytes.to_vec()).map_err(|_| StoreError::InvalidName {
            reason: "name is not UTF-8",
        })
    } else {
        utf7::decode(bytes).map_err(|_| StoreError::InvalidName {
            reason: "name is not modified UTF-7",
        })
    }
}

/// The wire form of a UTF-8 name: modified UTF-7, or UTF-8 when `utf8`.
pub fn name_to_wire(name: &str, utf8: bool) -> Mailbox<'static> {
    if name == "INBOX" {
        return Mailbox::Inbox;
    }
    if utf8 {
        // Held as UTF-8 (`&` is an ordinary character there): the Server's
        // encoder would respell a modified UTF-7 value for this client.
        Mailbox::from_utf8_name(name).into_static()
    } else {
        Mailbox::from_name(name)
    }
}

/// Whether `name` matches a LIST pattern: `*` matches any characters, `%`
/// any characters but the delimiter (RFC 9051 §6.3.9). A pattern whose first
/// level is `INBOX` in any case matches `INBOX`.
///
/// ```
/// use imap_examples::store::pattern_matches;
/// assert!(pattern_matches("*", "a/b/c"));
/// assert!(pattern_matches("a/%", "a/b"));
/// assert!(!pattern_matches("a/%", "a/b/c"));
/// assert!(pattern_matches("inbox", "INBOX"));
/// assert!(pattern_matches("%/%", "日本語/メモ"));
/// ```
pub fn pattern_matches(pattern: &str, name: &str) -> bool {
    let pattern = inbox_first(pattern);
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    glob(&p, &n)
}

/// The pattern with a leading `inbox` level (any case) spelled `INBOX`.
fn inbox_first(pattern: &str) -> String {
    let (first, rest) = match pattern.find(DELIMITER) {
        Some(i) => pattern.split_at(i),
        None => (pattern, ""),
    };
    if first.eq_ignore_ascii_case("INBOX") {
        format!("INBOX{rest}")
    } else {
        pattern.to_string()
    }
}

/// Wildcard matching in O(|p|·|n|) with the usual star-backtracking.
fn glob(p: &[char], n: &[char]) -> bool {
    // A run of wildcards is one: `*` if it holds a `*`, else `%`. A
    // pattern with more other characters than the name cannot match it.
    let mut q: Vec<char> = Vec::with_capacity(p.len().min(2 * n.len() + 1));
    let mut literals = 0;
    for &c in p {
        match (q.last_mut(), c) {
            (Some(last @ ('*' | '%')), '*' | '%') => {
                if c == '*' {
                    *last = '*';
                }
            }
            _ => {
                if c != '*' && c != '%' {
                    literals += 1;
                    if literals > n.len() {
                        return false;
                    }
                }
                q.push(c);
            }
        }
    }
    // No recursion (a long pattern must not exhaust the stack) and linear
    // memory: `at[j]`, whether the pattern read so far matches `n[..j]`.
    let mut at = vec![false; n.len() + 1];
    let mut next = vec![false; n.len() + 1];
    at[0] = true;
    for &c in &q {
        match c {
            '*' => {
                let mut any = false;
                for j in 0..=n.len() {
                    any |= at[j];
                    next[j] = any;
                }
            }
            '%' => {
                next[0] = at[0];
                for j in 1..=n.len() {
                    next[j] = at[j] || (next[j - 1] && n[j - 1] != DELIMITER);
                }
            }
            c => {
                next[0] = false;
                for j in 1..=n.len() {
                    next[j] = at[j - 1] && n[j - 1] == c;
                }
            }
        }
        std::mem::swap(&mut at, &mut next);
    }
    at[n.len()]
}

/// The parent of a name (`a/b` → `a`), `None` at the top.
pub(crate) fn parent(name: &str) -> Option<&str> {
    name.rfind(DELIMITER).map(|i| &name[..i])
}

/// Whether `name` lies below `ancestor`.
pub(crate) fn is_below(name: &str, ancestor: &str) -> bool {
    name.len() > ancestor.len()
        && name.starts_with(ancestor)
        && name[ancestor.len()..].starts_with(DELIMITER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_cases() {
        assert!(pattern_matches("%", "INBOX"));
        assert!(!pattern_matches("%", "a/b"));
        assert!(pattern_matches("a*", "a/b"));
        assert!(pattern_matches("*b", "a/b"));
        assert!(pattern_matches("a%b", "axxb"));
        assert!(!pattern_matches("a%b", "a/b"));
        assert!(pattern_matches("", ""));
        assert!(!pattern_matches("", "a"));
        assert!(pattern_matches("INBOX/%", "INBOX/x"));
        assert!(pattern_matches("Inbox/*", "INBOX/x/y"));
        assert!(pattern_matches("**%%*", "a/b"));
        assert!(pattern_matches("%%", "a"));
        assert!(!pattern_matches("%%", "a/b"));
        assert!(pattern_matches("a%*", "a/b/c"));
        assert!(pattern_matches("a%/c", "ab/c"));
        assert!(!pattern_matches("a%/c", "a/b/c"));
        assert!(pattern_matches("a*/c", "a/b/c"));
        assert!(!pattern_matches("abc", "ab"));
    }

    /// A pattern of the longest line's size (the demo once recursed once
    /// per character and overflowed the stack).
    #[test]
    fn long_patterns_neither_recurse_nor_take_long() {
        let stars = "*".repeat(60_000);
        assert!(pattern_matches(&stars, "INBOX/x"));
        let mixed = "a%".repeat(30_000);
        assert!(!pattern_matches(&mixed, "aaaa"));
        assert!(pattern_matches(&format!("{}b", "%".repeat(40_000)), "ab"));
    }

    #[test]
    fn below_and_parent() {
        assert!(is_below("a/b", "a"));
        assert!(!is_below("ab", "a"));
        assert!(!is_below("a", "a"));
        assert_eq!(parent("a/b/c"), Some("a/b"));
        assert_eq!(parent("a"), None);
    }
}
