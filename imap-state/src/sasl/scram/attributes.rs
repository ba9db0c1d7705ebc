//! The four SCRAM messages as attribute lists (RFC 5802 §7): parsing, with
//! the checks that need no keys.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::sasl::gs2;
use crate::sasl::SaslError;

pub(crate) const NAME: &str = "SCRAM";

fn bad(reason: &'static str) -> SaslError {
    SaslError::Malformed {
        mechanism: NAME,
        reason,
    }
}

/// One `attr-val`: a letter and its (non-empty) value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Attr<'a> {
    pub(crate) name: u8,
    pub(crate) value: &'a str,
}

/// Splits `attr-val *("," attr-val)`. Each attribute is an ASCII letter,
/// `=` and a non-empty UTF-8 value without NUL or `,`. An `m` anywhere is a
/// mandatory extension this implementation does not know: the exchange
/// fails (RFC 5802 §5.1).
pub(crate) fn split(message: &[u8]) -> Result<Vec<Attr<'_>>, SaslError> {
    let text = std::str::from_utf8(message).map_err(|_| bad("not utf-8"))?;
    if text.contains('\0') {
        return Err(bad("nul in message"));
    }
    text.split(',')
        .map(|item| match item.as_bytes() {
            [b'm', b'=', ..] => Err(bad("unsupported mandatory extension")),
            [name, b'=', _, ..] if name.is_ascii_alphabetic() => Ok(Attr {
                name: *name,
                value: &item[2..],
            }),
            _ => Err(bad("bad attribute")),
        })
        .collect()
}

/// Writes attributes back: `a=v,b=w`.
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn join(attrs: &[Attr<'_>]) -> String {
    let mut out = String::new();
    for (i, a) in attrs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push(char::from(a.name));
        out.push('=');
        out.push_str(a.value);
    }
    out
}

/// Takes the next attribute, which must be `name`.
fn expect<'a>(
    attrs: &mut std::slice::Iter<'_, Attr<'a>>,
    name: u8,
    missing: &'static str,
) -> Result<&'a str, SaslError> {
    match attrs.next() {
        Some(a) if a.name == name => Ok(a.value),
        _ => Err(bad(missing)),
    }
}

/// `printable = %x21-2B / %x2D-7E` (RFC 5802 §7), one or more.
pub(crate) fn is_printable(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| matches!(b, 0x21..=0x2b | 0x2d..=0x7e))
}

fn nonce(value: &str) -> Result<&str, SaslError> {
    if is_printable(value.as_bytes()) {
        Ok(value)
    } else {
        Err(bad("bad nonce"))
    }
}

/// Strict base64 (RFC 5802 §7 `base64`: the standard alphabet, padded).
pub(crate) fn base64(value: &str, reason: &'static str) -> Result<Vec<u8>, SaslError> {
    STANDARD.decode(value).map_err(|_| bad(reason))
}

/// `client-first-message-bare` (RFC 5802 §7), the part after the GS2 header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientFirstBare<'a> {
    /// The user name, unescaped (not yet SASLprep'ed).
    pub(crate) username: String,
    pub(crate) nonce: &'a str,
}

impl<'a> ClientFirstBare<'a> {
    pub(crate) fn parse(bare: &'a [u8]) -> Result<Self, SaslError> {
        let attrs = split(bare)?;
        let mut it = attrs.iter();
        let username = expect(&mut it, b'n', "missing username")?;
        let username = gs2::unescape_saslname(username.as_bytes(), NAME)?;
        let nonce = nonce(expect(&mut it, b'r', "missing nonce")?)?;
        // Further attributes are extensions, ignored (RFC 5802 §7).
        Ok(Self { username, nonce })
    }
}

/// `server-first-message` (RFC 5802 §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServerFirst<'a> {
    pub(crate) nonce: &'a str,
    pub(crate) salt: Vec<u8>,
    pub(crate) iterations: u32,
}

impl<'a> ServerFirst<'a> {
    pub(crate) fn parse(message: &'a [u8]) -> Result<Self, SaslError> {
        let attrs = split(message)?;
        let mut it = attrs.iter();
        let nonce = nonce(expect(&mut it, b'r', "missing nonce")?)?;
        let salt = base64(expect(&mut it, b's', "missing salt")?, "bad salt")?;
        if salt.is_empty() {
            return Err(bad("empty salt"));
        }
        let i = expect(&mut it, b'i', "missing iteration count")?;
        // posit-number = %x31-39 *DIGIT
        if !i.starts_with(|c: char| matches!(c, '1'..='9'))
            || !i.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad("bad iteration count"));
        }
        let iterations = i.parse().map_err(|_| bad("iteration count too large"))?;
        Ok(Self {
            nonce,
            salt,
            iterations,
        })
    }
}

/// `client-final-message` (RFC 5802 §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClientFinal<'a> {
    /// The decoded `c=`: the GS2 header and the channel binding data.
    pub(crate) channel_binding: Vec<u8>,
    pub(crate) nonce: &'a str,
    pub(crate) proof: Vec<u8>,
    /// `client-final-message-without-proof`, as received.
    pub(crate) without_proof: &'a [u8],
}

impl<'a> ClientFinal<'a> {
    pub(crate) fn parse(message: &'a [u8]) -> Result<Self, SaslError> {
        let attrs = split(message)?;
        let mut it = attrs.iter();
        let channel_binding = base64(
            expect(&mut it, b'c', "missing channel binding")?,
            "bad channel binding",
        )?;
        let nonce = nonce(expect(&mut it, b'r', "missing nonce")?)?;
        let proof = match attrs.last() {
            Some(Attr { name: b'p', value }) if attrs.len() > 2 => base64(value, "bad proof")?,
            _ => return Err(bad("missing proof")),
        };
        if attrs[2..attrs.len() - 1].iter().any(|a| a.name == b'p') {
            return Err(bad("proof before an extension"));
        }
        // `,p=` starts the last attribute: found since the proof was.
        let cut = message
            .windows(3)
            .rposition(|w| w == b",p=")
            .ok_or(bad("missing proof"))?;
        Ok(Self {
            channel_binding,
            nonce,
            proof,
            without_proof: &message[..cut],
        })
    }
}

/// `server-final-message` (RFC 5802 §7): the verifier or an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ServerFinal<'a> {
    Verifier(Vec<u8>),
    Error(&'a str),
}

impl<'a> ServerFinal<'a> {
    pub(crate) fn parse(message: &'a [u8]) -> Result<Self, SaslError> {
        let attrs = split(message)?;
        match attrs.first() {
            Some(Attr { name: b'v', value }) => {
                Ok(Self::Verifier(base64(value, "bad server signature")?))
            }
            Some(Attr { name: b'e', value }) => Ok(Self::Error(value)),
            _ => Err(bad("missing server signature")),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn rfc_5802_messages() {
        let bare = ClientFirstBare::parse(b"n=user,r=fyko+d2lbbFgONRv9qkxdawL").unwrap();
        assert_eq!(bare.username, "user");
        assert_eq!(bare.nonce, "fyko+d2lbbFgONRv9qkxdawL");

        let sf = ServerFirst::parse(
            b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
        )
        .unwrap();
        assert_eq!(sf.nonce, "fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j");
        assert_eq!(sf.salt, STANDARD.decode("QSXCR+Q6sek8bf92").unwrap());
        assert_eq!(sf.iterations, 4096);

        let m =
            b"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=";
        let cf = ClientFinal::parse(m).unwrap();
        assert_eq!(cf.channel_binding, b"n,,");
        assert_eq!(cf.nonce, "fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j");
        assert_eq!(cf.proof.len(), 20);
        assert_eq!(
            cf.without_proof,
            b"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j"
        );

        assert_eq!(
            ServerFinal::parse(b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=").unwrap(),
            ServerFinal::Verifier(STANDARD.decode("rmF9pqV8S7suAoZWja4dJRkFsKQ=").unwrap())
        );
        assert_eq!(
            ServerFinal::parse(b"e=invalid-proof,x=ext").unwrap(),
            ServerFinal::Error("invalid-proof")
        );
    }

    #[test]
    fn extensions_are_ignored_where_the_grammar_puts_them() {
        let bare = ClientFirstBare::parse(b"n=u=2Cv,r=abc,x=1,y=2").unwrap();
        assert_eq!((bare.username.as_str(), bare.nonce), ("u,v", "abc"));
        let sf = ServerFirst::parse(b"r=abc,s=QQ==,i=1,z=ext").unwrap();
        assert_eq!(sf.iterations, 1);
        let cf = ClientFinal::parse(b"c=biws,r=abc,x=ext,p=AAAA").unwrap();
        assert_eq!(cf.without_proof, b"c=biws,r=abc,x=ext");
        assert_eq!(cf.proof, [0, 0, 0]);
    }

    #[test]
    fn malformed_messages() {
        type Parse = fn(&[u8]) -> Result<(), SaslError>;
        let cases: &[(&[u8], Parse, &str)] = &[
            (
                b"",
                |m| ClientFirstBare::parse(m).map(drop),
                "bad attribute",
            ),
            (
                b"r=abc",
                |m| ClientFirstBare::parse(m).map(drop),
                "missing username",
            ),
            (
                b"n=u",
                |m| ClientFirstBare::parse(m).map(drop),
                "missing nonce",
            ),
            (
                b"n=u,r=a,b",
                |m| ClientFirstBare::parse(m).map(drop),
                "bad attribute",
            ),
            (
                b"n=u,r=a b",
                |m| ClientFirstBare::parse(m).map(drop),
                "bad nonce",
            ),
            (
                b"m=x,n=u,r=a",
                |m| ClientFirstBare::parse(m).map(drop),
                "unsupported mandatory extension",
            ),
            (
                b"n=u,r=a,m=x",
                |m| ClientFirstBare::parse(m).map(drop),
                "unsupported mandatory extension",
            ),
            (
                b"n=u=,r=a",
                |m| ClientFirstBare::parse(m).map(drop),
                "invalid user name encoding",
            ),
            (
                b"n=,r=a",
                |m| ClientFirstBare::parse(m).map(drop),
                "bad attribute",
            ),
            (
                b"n=u,r=a,",
                |m| ClientFirstBare::parse(m).map(drop),
                "bad attribute",
            ),
            (
                b"n=u\0,r=a",
                |m| ClientFirstBare::parse(m).map(drop),
                "nul in message",
            ),
            (
                b"n=\xff,r=a",
                |m| ClientFirstBare::parse(m).map(drop),
                "not utf-8",
            ),
            (
                b"1=u,r=a",
                |m| ClientFirstBare::parse(m).map(drop),
                "bad attribute",
            ),
            (
                b"r=a,s=QQ==",
                |m| ServerFirst::parse(m).map(drop),
                "missing iteration count",
            ),
            (
                b"r=a,i=1",
                |m| ServerFirst::parse(m).map(drop),
                "missing salt",
            ),
            (
                b"r=a,s=QQ,i=1",
                |m| ServerFirst::parse(m).map(drop),
                "bad salt",
            ),
            (
                b"r=a,s=Q===,i=1",
                |m| ServerFirst::parse(m).map(drop),
                "bad salt",
            ),
            (
                b"r=a,s=QQ==,i=0",
                |m| ServerFirst::parse(m).map(drop),
                "bad iteration count",
            ),
            (
                b"r=a,s=QQ==,i=01",
                |m| ServerFirst::parse(m).map(drop),
                "bad iteration count",
            ),
            (
                b"r=a,s=QQ==,i=-1",
                |m| ServerFirst::parse(m).map(drop),
                "bad iteration count",
            ),
            (
                b"r=a,s=QQ==,i=4294967296",
                |m| ServerFirst::parse(m).map(drop),
                "iteration count too large",
            ),
            (
                b"r=a,s=QQ==,i=1 ",
                |m| ServerFirst::parse(m).map(drop),
                "bad iteration count",
            ),
            (
                b"s=QQ==,r=a,i=1",
                |m| ServerFirst::parse(m).map(drop),
                "missing nonce",
            ),
            (
                b"r=a,s==,i=1",
                |m| ServerFirst::parse(m).map(drop),
                "bad salt",
            ),
            (
                b"c=biws,r=a",
                |m| ClientFinal::parse(m).map(drop),
                "missing proof",
            ),
            (
                b"c=biws,r=a,p=AAAA,x=1",
                |m| ClientFinal::parse(m).map(drop),
                "missing proof",
            ),
            (
                b"c=biws,r=a,p=AAAA,p=AAAA",
                |m| ClientFinal::parse(m).map(drop),
                "proof before an extension",
            ),
            (
                b"c=bi,r=a,p=AAAA",
                |m| ClientFinal::parse(m).map(drop),
                "bad channel binding",
            ),
            (
                b"c=biws,r=a,p=AA",
                |m| ClientFinal::parse(m).map(drop),
                "bad proof",
            ),
            (
                b"r=a,c=biws,p=AAAA",
                |m| ClientFinal::parse(m).map(drop),
                "missing channel binding",
            ),
            (
                b"x=1",
                |m| ServerFinal::parse(m).map(drop),
                "missing server signature",
            ),
            (
                b"v=#",
                |m| ServerFinal::parse(m).map(drop),
                "bad server signature",
            ),
        ];
        for (input, parse, reason) in cases {
            assert_eq!(
                parse(input),
                Err(SaslError::Malformed {
                    mechanism: "SCRAM",
                    reason
                }),
                "{:?}",
                input.escape_ascii().to_string()
            );
        }
    }

    /// Bytes that SCRAM messages are made of, and some that they are not.
    fn scram_byte() -> impl Strategy<Value = u8> {
        prop_oneof![
            3 => proptest::sample::select(b"nrscipvema=,,,=2C3DQQAA+/09".to_vec()),
            1 => any::<u8>(),
        ]
    }

    proptest! {
        #[test]
        fn split_join_round_trips(raw in "([a-z]=[^,\\x00]{1,6},){0,5}[a-z]=[^,\\x00]{1,6}") {
            prop_assume!(!raw.contains("m="));
            let attrs = split(raw.as_bytes()).unwrap();
            prop_assert_eq!(join(&attrs), raw);
        }

        #[test]
        fn parsers_never_panic(raw in proptest::collection::vec(scram_byte(), 0..64)) {
            if let Ok(attrs) = split(&raw) {
                let again = join(&attrs);
                prop_assert_eq!(again.as_bytes(), &raw[..]);
            }
            let _ = ClientFirstBare::parse(&raw);
            let _ = ServerFirst::parse(&raw);
            if let Ok(cf) = ClientFinal::parse(&raw) {
                prop_assert!(cf.without_proof.len() < raw.len());
            }
            let _ = ServerFinal::parse(&raw);
        }

        #[test]
        fn structured_messages_parse_back(
            user in "\\PC{1,12}",
            nonce in "[!-+\\--~]{1,30}",
            salt in proptest::collection::vec(any::<u8>(), 1..20),
            iterations in 1u32..,
            proof in proptest::collection::vec(any::<u8>(), 0..40),
        ) {
            prop_assume!(!user.contains('\0'));
            let bare = format!("n={},r={nonce}", gs2::escape_saslname(&user));
            let parsed = ClientFirstBare::parse(bare.as_bytes()).unwrap();
            prop_assert_eq!(parsed.username, user);
            prop_assert_eq!(parsed.nonce, nonce.as_str());

            let sf = format!("r={nonce},s={},i={iterations}", STANDARD.encode(&salt));
            let parsed = ServerFirst::parse(sf.as_bytes()).unwrap();
            prop_assert_eq!((parsed.nonce, parsed.salt, parsed.iterations), (nonce.as_str(), salt, iterations));

            let without = format!("c=biws,r={nonce}");
            let cf = format!("{without},p={}", STANDARD.encode(&proof));
            // An empty proof encodes to an empty value, which no attribute may have.
            if let Ok(parsed) = ClientFinal::parse(cf.as_bytes()) {
                prop_assert_eq!(parsed.proof, proof);
                prop_assert_eq!(parsed.without_proof, without.as_bytes());
            } else {
                prop_assert!(proof.is_empty());
            }
        }
    }
}
