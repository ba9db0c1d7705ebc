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
