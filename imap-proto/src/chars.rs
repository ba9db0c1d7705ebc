//! Character classes of the IMAP grammar (RFC 9051 §9), as 256-entry lookup tables.

const fn is_ctl(b: u8) -> bool {
    b < 0x20 || b == 0x7f
}

macro_rules! table {
    ($f:ident) => {{
        let mut t = [false; 256];
        let mut i = 0;
        while i < 256 {
            t[i] = $f(i as u8);
            i += 1;
        }
        t
    }};
}

const fn atom_char(b: u8) -> bool {
    // ATOM-CHAR = <any CHAR except atom-specials>
    // atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials
    b >= 0x01
        && b <= 0x7f
        && !is_ctl(b)
        && !matches!(
            b,
            b'(' | b')' | b'{' | b' ' | b'%' | b'*' | b'"' | b'\\' | b']'
        )
}

const fn astring_char(b: u8) -> bool {
    atom_char(b) || b == b']'
}

const fn tag_char(b: u8) -> bool {
    astring_char(b) && b != b'+'
}

const fn list_char(b: u8) -> bool {
    atom_char(b) || matches!(b, b'%' | b'*' | b']')
}

const fn text_char(b: u8) -> bool {
    // TEXT-CHAR = <any CHAR except CR and LF>; RFC 9051 also allows UTF-8 in text.
    b != 0 && b != b'\r' && b != b'\n'
}

const fn quoted_plain(b: u8) -> bool {
    text_char(b) && b != b'"' && b != b'\\'
}

static ATOM: [bool; 256] = table!(atom_char);
static ASTRING: [bool; 256] = table!(astring_char);
static TAG: [bool; 256] = table!(tag_char);
static LIST: [bool; 256] = table!(list_char);
static TEXT: [bool; 256] = table!(text_char);
static QUOTED_PLAIN: [bool; 256] = table!(quoted_plain);

/// `ATOM-CHAR`: any CHAR except atom-specials.
#[inline]
pub fn is_atom_char(b: u8) -> bool {
    ATOM[b as usize]
}

/// `ASTRING-CHAR`: `ATOM-CHAR` or `]`.
#[inline]
pub fn is_astring_char(b: u8) -> bool {
    ASTRING[b as usize]
}

/// A character of a `tag`: any `ASTRING-CHAR` except `+`.
#[inline]
pub fn is_tag_char(b: u8) -> bool {
    TAG[b as usize]
}

/// `list-char`: `ATOM-CHAR`, list-wildcards (`%`, `*`) or `]`.
#[inline]
pub fn is_list_char(b: u8) -> bool {
    LIST[b as usize]
}

/// `TEXT-CHAR` (extended to 8-bit): any byte but NUL, CR and LF.
#[inline]
pub fn is_text_char(b: u8) -> bool {
    TEXT[b as usize]
}

/// A byte that appears in a quoted string without a backslash escape.
#[inline]
pub fn is_quoted_plain(b: u8) -> bool {
    QUOTED_PLAIN[b as usize]
}

/// Whether `word` is the keyword `upper` in any case (RFC 9051 §9: the
/// grammar's keywords are case-insensitive): `word.eq_ignore_ascii_case(upper)`
/// for a keyword written in upper case, compared 8 bytes at a time.
///
/// `upper` must hold no ASCII lower-case letter (keywords are written
/// `FLAGS.SILENT`, `UIDVALIDITY`, `HEADER.FIELDS`); `word` may be anything.
/// On the decoders' hot paths, where most words are a few to 16 bytes:
/// [`u8::eq_ignore_ascii_case`] folds and compares one byte at a time.
#[inline(always)]
pub fn eq_keyword(word: &[u8], upper: &[u8]) -> bool {
    // Most words a decoder tries differ in length: that test is inlined
    // where the keywords are tried one after another.
    word.len() == upper.len() && eq_keyword_same_len(word, upper)
}

/// [`eq_keyword`] for two slices of the same length.
#[inline]
fn eq_keyword_same_len(word: &[u8], upper: &[u8]) -> bool {
    debug_assert!(
        !upper.iter().any(u8::is_ascii_lowercase),
        "keyword not in upper case"
    );
    let n = word.len();
    if n >= 8 {
        // Whole words, the last one overlapping the one before.
        let mut k = 0;
        while k + 8 < n {
            if upper_word(load8(&word[k..])) != load8(&upper[k..]) {
                return false;
            }
            k += 8;
        }
        return upper_word(load8(&word[n - 8..])) == load8(&upper[n - 8..]);
    }
    // Short words: two overlapping 4-byte loads, or bytes.
    if n >= 4 {
        let (w, u) = (load4_pair(word), load4_pair(upper));
        return upper_word(w) == u;
    }
    word.iter()
        .zip(upper)
        .all(|(w, u)| w.to_ascii_uppercase() == *u)
}

/// The first 8 bytes of `b` (at least 8), little-endian.
#[inline(always)]
fn load8(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_le_bytes(a)
}

/// The first and last 4 bytes of `b` (4 to 8 bytes) in one `u64`.
#[inline(always)]
fn load4_pair(b: &[u8]) -> u64 {
    let mut first = [0u8; 4];
    let mut last = [0u8; 4];
    first.copy_from_slice(&b[..4]);
    last.copy_from_slice(&b[b.len() - 4..]);
    u64::from(u32::from_le_bytes(first)) | (u64::from(u32::from_le_bytes(last)) << 32)
}

/// `x` with each ASCII lower-case letter byte made upper case, all other
/// bytes (8-bit ones included) unchanged.
#[inline(always)]
fn upper_word(x: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Per byte, without carries between bytes (each sum stays below 0x100):
    // the high bit of `ge_a` is set where the low 7 bits are >= b'a', of
    // `gt_z` where they are > b'z'.
    let low = x & LOW7;
    let ge_a = low + 0x1f1f_1f1f_1f1f_1f1f;
    let gt_z = low + 0x0505_0505_0505_0505;
    let lower = ge_a & !gt_z & !x & HIGH;
    x ^ (lower >> 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_compare_as_eq_ignore_ascii_case() {
        let keywords = [
            "",
            "A",
            "UID",
            "SIZE",
            "FLAGS",
            "UNSEEN",
            "UIDNEXT",
            "MESSAGES",
            "MAILBOXID",
            "UIDVALIDITY",
            "FLAGS.SILENT",
            "HIGHESTMODSEQ",
            "HEADER.FIELDS.NOT",
            "DELETED-STORAGE",
            "X-GM-LABELS",
            "BODY.PEEK",
            "0123456789ABCDEFGHIJ",
        ];
        let mut words: Vec<Vec<u8>> = Vec::new();
        for k in keywords {
            let k = k.as_bytes();
            words.push(k.to_vec());
            words.push(k.to_ascii_lowercase());
            for i in 0..k.len() {
                // One byte changed in every way that matters: the other
                // case, 8-bit, `@` and `[` around the letters, `` ` `` and `{`.
                for b in [k[i] ^ 0x20, k[i] | 0x80, b'@', b'[', b'`', b'{', 0, 0xff] {
                    let mut w = k.to_vec();
                    w[i] = b;
                    words.push(w);
                }
            }
            words.push([k, b"X"].concat());
            if !k.is_empty() {
                words.push(k[1..].to_vec());
            }
        }
        for k in keywords {
            for w in &words {
                assert_eq!(
                    eq_keyword(w, k.as_bytes()),
                    w.eq_ignore_ascii_case(k.as_bytes()),
                    "{:?} {k}",
                    w.escape_ascii().to_string()
                );
            }
        }
    }

    #[test]
    fn upper_word_changes_only_lower_case_letters() {
        for b in 0..=255u8 {
            let x = u64::from_le_bytes([b, b'a', b'z', b'{', b'`', 0xe1, b, 0x7a]);
            let want = x.to_le_bytes().map(|c| c.to_ascii_uppercase());
            assert_eq!(upper_word(x).to_le_bytes(), want, "{b:#x}");
        }
    }
}
