//! The GS2 header (RFC 5801 §4) that starts SCRAM (RFC 5802 §7) and
//! OAUTHBEARER (RFC 7628 §3.1) client-first messages, and the `saslname`
//! escaping of their user names (`,` as `=2C`, `=` as `=3D`).

use std::borrow::Cow;

use crate::sasl::SaslError;

/// The channel binding flag of a GS2 header (`gs2-cbind-flag`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CbindFlag<'a> {
    /// `n`: the client does not support channel binding.
    No,
    /// `y`: the client supports channel binding but thinks the server does not.
    Yes,
    /// `p=<cb-name>`: the client uses channel binding of this type.
    Required(&'a str),
}

/// A parsed GS2 header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header<'a> {
    /// The channel binding flag.
    pub(crate) flag: CbindFlag<'a>,
    /// The authorization identity (`a=`), unescaped.
    pub(crate) authzid: Option<String>,
    /// The header's length in bytes, both commas included: the header is
    /// `message[..len]`, the rest of the message follows.
    pub(crate) len: usize,
}

/// Parses the GS2 header at the start of `message` (RFC 5801 §4, without
/// the non-standard `F,` flag, which neither SCRAM nor OAUTHBEARER uses).
pub(crate) fn parse_header<'a>(
    message: &'a [u8],
    mechanism: &'static str,
) -> Result<Header<'a>, SaslError> {
    let bad = |reason| SaslError::Malformed { mechanism, reason };
    let first = message
        .iter()
        .position(|&b| b == b',')
        .ok_or(bad("missing gs2 header"))?;
    let flag = match &message[..first] {
        b"n" => CbindFlag::No,
        b"y" => CbindFlag::Yes,
        [b'p', b'=', name @ ..] if is_cb_name(name) => {
            // A cb-name is ASCII by construction (checked just above).
            CbindFlag::Required(
                std::str::from_utf8(name).map_err(|_| bad("bad channel binding name"))?,
            )
        }
        _ => return Err(bad("bad channel binding flag")),
    };
    let rest = &message[first + 1..];
    let second = rest
        .iter()
        .position(|&b| b == b',')
        .ok_or(bad("unterminated gs2 header"))?;
    let authzid = match &rest[..second] {
        [] => None,
        [b'a', b'=', name @ ..] => Some(unescape_saslname(name, mechanism)?),
        _ => return Err(bad("bad authorization identity")),
    };
    Ok(Header {
        flag,
        authzid,
        len: first + 1 + second + 1,
    })
}

/// Writes a GS2 header: the flag, then `a=` with the escaped authzid if any.
pub(crate) fn write_header(out: &mut Vec<u8>, flag: CbindFlag<'_>, authzid: Option<&str>) {
    match flag {
        CbindFlag::No => out.push(b'n'),
        CbindFlag::Yes => out.push(b'y'),
        CbindFlag::Required(name) => {
            out.extend_from_slice(b"p=");
            out.extend_from_slice(name.as_bytes());
        }
    }
    out.push(b',');
    if let Some(a) = authzid {
        out.extend_from_slice(b"a=");
        out.extend_from_slice(escape_saslname(a).as_bytes());
    }
    out.push(b',');
}

/// Escapes a user name for a `saslname` (RFC 5802 §5.1, RFC 5801 §4):
/// `,` becomes `=2C` and `=` becomes `=3D`.
pub(crate) fn escape_saslname(name: &str) -> Cow<'_, str> {
    if !name.contains([',', '=']) {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() + 8);
    for c in name.chars() {
        match c {
            ',' => out.push_str("=2C"),
            '=' => out.push_str("=3D"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Reads a `saslname`: UTF-8 without NUL or `,`, where `=` starts `=2C` or
/// `=3D` only (anything else fails the exchange, RFC 5802 §5.1), and not
/// empty.
pub(crate) fn unescape_saslname(raw: &[u8], mechanism: &'static str) -> Result<String, SaslError> {
    let bad = |reason| SaslError::Malformed { mechanism, reason };
    if raw.is_empty() {
        return Err(bad("empty user name"));
    }
    let text = std::str::from_utf8(raw).map_err(|_| bad("user name is not utf-8"))?;
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(['=', ',', '\0']) {
        out.push_str(&rest[..at]);
        let escape = rest.as_bytes().get(at..at + 3);
        match escape {
            Some(b"=2C") => out.push(','),
            Some(b"=3D") => out.push('='),
            _ => return Err(bad("invalid user name encoding")),
        }
        rest = &rest[at + 3..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `cb-name = 1*(ALPHA / DIGIT / "." / "-")` (RFC 5802 §7).
fn is_cb_name(name: &[u8]) -> bool {
    !name.is_empty()
        && name
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn headers() {
        let h = parse_header(b"n,,n=user,r=abc", "T").unwrap();
        assert_eq!((h.flag, h.authzid, h.len), (CbindFlag::No, None, 3));
        let h = parse_header(b"y,a=ad=2Cmin=3D,rest", "T").unwrap();
        assert_eq!(h.flag, CbindFlag::Yes);
        assert_eq!(h.authzid.as_deref(), Some("ad,min="));
        assert_eq!(h.len, 16);
        let h = parse_header(b"p=tls-exporter,,", "T").unwrap();
        assert_eq!((h.flag, h.len), (CbindFlag::Required("tls-exporter"), 16));
        for bad in [
            &b""[..],
            b"n",
            b"n,",
            b"x,,",
            b"F,n,,",
            b"p=,,",
            b"p=tls unique,,",
            b"n,b=x,",
            b"n,a=,",
            b"n,a=x=2,",
            b"n,a=x=2c,",
        ] {
            assert!(
                matches!(
                    parse_header(bad, "T"),
                    Err(SaslError::Malformed { mechanism: "T", .. })
                ),
                "{:?}",
                bad.escape_ascii().to_string()
            );
        }
    }

    #[test]
    fn header_writes_what_it_reads() {
        let mut out = Vec::new();
        write_header(&mut out, CbindFlag::Required("tls-exporter"), Some("a,b=c"));
        assert_eq!(out, b"p=tls-exporter,a=a=2Cb=3Dc,");
        let h = parse_header(&out, "T").unwrap();
        assert_eq!(h.flag, CbindFlag::Required("tls-exporter"));
        assert_eq!(h.authzid.as_deref(), Some("a,b=c"));
        assert_eq!(h.len, out.len());
    }

    #[test]
    fn saslname_escaping() {
        assert_eq!(escape_saslname("user"), "user");
        assert!(matches!(escape_saslname("user"), Cow::Borrowed(_)));
        assert_eq!(escape_saslname("a,b=c,"), "a=2Cb=3Dc=2C");
        assert_eq!(unescape_saslname(b"a=2Cb=3Dc=2C", "T").unwrap(), "a,b=c,");
        assert_eq!(
            unescape_saslname("j\u{f6}rg".as_bytes(), "T").unwrap(),
            "j\u{f6}rg"
        );
        for bad in [
            &b""[..],
            b"a,b",
            b"a=",
            b"a=2",
            b"a=2c",
            b"a=3d",
            b"a=41",
            b"a\0b",
            b"\xff",
        ] {
            assert!(unescape_saslname(bad, "T").is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn saslname_round_trips(name in "\\PC{1,40}") {
            prop_assume!(!name.contains('\0'));
            let escaped = escape_saslname(&name);
            prop_assert!(!escaped.contains(','));
            prop_assert_eq!(unescape_saslname(escaped.as_bytes(), "T").unwrap(), name);
        }

        #[test]
        fn saslname_reads_only_canonical_escapes(raw in proptest::collection::vec(any::<u8>(), 0..40)) {
            if let Ok(name) = unescape_saslname(&raw, "T") {
                let again = escape_saslname(&name);
                prop_assert_eq!(again.as_bytes(), &raw[..]);
            }
        }

        #[test]
        fn header_parser_never_panics(raw in proptest::collection::vec(any::<u8>(), 0..40)) {
            if let Ok(h) = parse_header(&raw, "T") {
                prop_assert!(h.len <= raw.len());
                let mut again = Vec::new();
                write_header(&mut again, h.flag, h.authzid.as_deref());
                prop_assert_eq!(&again[..], &raw[..h.len]);
            }
        }
    }
}
