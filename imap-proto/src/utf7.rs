//! Modified UTF-7 for mailbox names (RFC 3501 §5.1.3).
//!
//! Printable US-ASCII except `&` stands for itself, `&` is written `&-`, and
//! everything else is UTF-16 in a base64 variant (`,` instead of `/`, no
//! padding) between `&` and `-`. RFC 9051 keeps this encoding for clients
//! and servers that have not enabled UTF-8 (RFC 9051 §5.1, RFC 6855).

use std::fmt;

/// Why a byte string is not canonical modified UTF-7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Utf7Error {
    /// A byte outside printable US-ASCII.
    #[error("byte 0x{byte:02x} at {at} is not printable ASCII")]
    NonAscii {
        /// The byte.
        byte: u8,
        /// Its offset.
        at: usize,
    },
    /// A `&` shift without its closing `-`.
    #[error("unterminated base64 run starting at {at}")]
    Unterminated {
        /// Offset of the `&`.
        at: usize,
    },
    /// Bad base64, bad UTF-16, non-zero padding bits, or a needlessly encoded
    /// character (the encoding must be canonical).
    #[error("invalid base64 run starting at {at}")]
    InvalidRun {
        /// Offset of the `&`.
        at: usize,
    },
    /// A name in UTF-8 form ([`NameEncoding::Utf8`](crate::NameEncoding::Utf8))
    /// whose bytes are not UTF-8.
    #[error("invalid UTF-8 at {at}")]
    InvalidUtf8 {
        /// Offset of the first byte that is not UTF-8.
        at: usize,
    },
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

fn sextet(b: u8) -> Option<u32> {
    Some(match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'+' => 62,
        b',' => 63,
        _ => return None,
    } as u32)
}

/// Encodes a mailbox name to modified UTF-7.
///
/// ```
/// assert_eq!(imapkit_proto::utf7::encode("日本語"), "&ZeVnLIqe-");
/// assert_eq!(imapkit_proto::utf7::encode("Tom & Jerry"), "Tom &- Jerry");
/// ```
pub fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending: Vec<u16> = Vec::new();
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut out, &mut pending);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut units = [0u16; 2];
            pending.extend_from_slice(c.encode_utf16(&mut units));
        }
    }
    flush(&mut out, &mut pending);
    out
}

fn flush(out: &mut String, units: &mut Vec<u16>) {
    if units.is_empty() {
        return;
    }
    out.push('&');
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &u in units.iter() {
        acc = (acc << 16) | u as u32;
        bits += 16;
        while bits >= 6 {
            bits -= 6;
            out.push(ALPHABET[((acc >> bits) & 0x3f) as usize] as char);
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(ALPHABET[((acc << (6 - bits)) & 0x3f) as usize] as char);
    }
    out.push('-');
    units.clear();
}

/// Decodes canonical modified UTF-7 to a string.
///
/// ```
/// assert_eq!(imapkit_proto::utf7::decode(b"&ZeVnLIqe-").unwrap(), "日本語");
/// assert_eq!(imapkit_proto::utf7::decode(b"&-").unwrap(), "&");
/// assert!(imapkit_proto::utf7::decode(b"&ZeVnLIqe").is_err());
/// ```
pub fn decode(input: &[u8]) -> Result<String, Utf7Error> {
    let mut out = String::with_capacity(input.len());
    let mut i = 0;
    let mut prev_run_end = None;
    while i < input.len() {
        let b = input[i];
        if !(0x20..=0x7e).contains(&b) {
            return Err(Utf7Error::NonAscii { byte: b, at: i });
        }
        if b != b'&' {
            out.push(b as char);
            i += 1;
            continue;
        }
        let start = i;
        let end = input[i + 1..]
            .iter()
            .position(|&c| c == b'-')
            .map(|p| i + 1 + p)
            .ok_or(Utf7Error::Unterminated { at: start })?;
        let run = &input[i + 1..end];
        i = end + 1;
        if run.is_empty() {
            out.push('&');
            continue;
        }
        // Two adjacent runs must have been one: not canonical.
        if prev_run_end == Some(start) {
            return Err(Utf7Error::InvalidRun { at: start });
        }
        decode_run(run, &mut out).ok_or(Utf7Error::InvalidRun { at: start })?;
        prev_run_end = Some(i);
    }
    Ok(out)
}

fn decode_run(run: &[u8], out: &mut String) -> Option<()> {
    let mut acc: u32 = 0;
    let mut bits = 0;
    let mut units = Vec::with_capacity(run.len() * 6 / 16);
    for &c in run {
        acc = (acc << 6) | sextet(c)?;
        bits += 6;
        if bits >= 16 {
            bits -= 16;
            units.push((acc >> bits) as u16);
            acc &= (1 << bits) - 1;
        }
    }
    // Leftover bits must be padding: fewer than 6 and all zero.
    if bits >= 6 || acc != 0 || units.is_empty() {
        return None;
    }
    let start = out.len();
    for c in char::decode_utf16(units.iter().copied()) {
        let c = c.ok()?;
        // Printable ASCII must not be encoded.
        if (' '..='~').contains(&c) {
            return None;
        }
        out.push(c);
    }
    (out.len() > start).then_some(())
}

/// A mailbox name shown as its decoded form where possible.
#[derive(Clone, Copy)]
pub struct Display<'b>(pub &'b [u8]);

impl fmt::Display for Display<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match decode(self.0) {
            Ok(s) => f.write_str(&s),
            Err(_) => f.write_str(&String::from_utf8_lossy(self.0)),
        }
    }
}

impl fmt::Debug for Display<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_vectors() {
        assert_eq!(encode("日本語"), "&ZeVnLIqe-");
        assert_eq!(decode(b"&ZeVnLIqe-").unwrap(), "日本語");
        assert_eq!(encode("&"), "&-");
        assert_eq!(decode(b"&-").unwrap(), "&");
        assert_eq!(encode("送信済み"), "&kAFP4W4IMH8-");
        assert_eq!(decode(b"&kAFP4W4IMH8-").unwrap(), "送信済み");
        // RFC 3501 §5.1.3 example.
        assert_eq!(
            decode(b"~peter/mail/&U,BTFw-/&ZeVnLIqe-").unwrap(),
            "~peter/mail/台北/日本語"
        );
        assert_eq!(
            encode("~peter/mail/台北/日本語"),
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
        );
        // Astral plane: a surrogate pair.
        assert_eq!(decode(encode("📧 mail").as_bytes()).unwrap(), "📧 mail");
    }

    #[test]
    fn rejects_non_canonical() {
        assert_eq!(decode(b"&ZeVnLIqe"), Err(Utf7Error::Unterminated { at: 0 }));
        // "A" encoded.
        assert!(decode(b"&AEE-").is_err());
        // Two adjacent runs.
        assert!(decode(b"&ZeVnLA-&iqe-").is_err());
        // Non-zero padding bits.
        assert!(decode(b"&kAFP4W4IMH9-").is_err());
        assert!(decode("日本".as_bytes()).is_err());
        // A lone surrogate.
        assert!(decode(b"&2D0-").is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn round_trip(s in any::<String>()) {
            let e = encode(&s);
            prop_assert!(e.bytes().all(|b| (0x20..=0x7e).contains(&b)));
            prop_assert_eq!(decode(e.as_bytes()).unwrap(), s);
        }

        #[test]
        fn decode_never_panics_and_is_canonical(b in proptest::collection::vec(any::<u8>(), 0..40)) {
            if let Ok(s) = decode(&b) {
                let e = encode(&s);
                prop_assert_eq!(e.as_bytes(), &b[..]);
            }
        }
    }
}
