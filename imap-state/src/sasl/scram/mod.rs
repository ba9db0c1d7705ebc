//! `SCRAM-SHA-1` (RFC 5802), `SCRAM-SHA-256` (RFC 7677) and their `-PLUS`
//! variants with `tls-exporter` channel binding (RFC 9266).
//!
//! SCRAM never sends the password: the client proves it knows it, and the
//! server proves it knows the user's stored keys (mutual authentication).
//! The `-PLUS` variants also bind the exchange to the TLS connection, so a
//! man in the middle who terminates TLS cannot relay it.
//!
//! ```text
//! C: n,,n=user,r=<client nonce>                          client-first
//! S: r=<client nonce><server nonce>,s=<salt>,i=4096      server-first
//! C: c=biws,r=<both nonces>,p=<proof>                    client-final
//! S: v=<server signature>                                server-final
//! C: (empty)
//! S: A1 OK
//! ```
//!
//! Nonces come from the caller (this crate draws no random numbers): at
//! least [`MIN_NONCE_LEN`] printable ASCII characters other than `,`, from
//! a cryptographically secure generator, fresh for every exchange — e.g.
//! 18 random bytes in base64 (24 characters).
//!
//! A server that holds passwords derives the stored secrets with
//! [`ScramSecrets::derive`]; one that stores only the secrets (the usual
//! case) supplies them as they are.
//!
//! ```
//! use imapkit_proto::Secret;
//! use imapkit_state::sasl::scram::{ScramClient, ScramHash, ScramServer};
//! use imapkit_state::sasl::{ChannelBinding, ClientMechanism, ScramSecrets, ServerMechanism, ServerStep, Supply};
//!
//! let mut client = ScramClient::new(
//!     ScramHash::Sha256,
//!     "user",
//!     Secret::new("pencil".to_owned()),
//!     "rOprNGfwEbeRWgbNEkqO".to_owned(), // from a CSPRNG in real use
//!     ChannelBinding::None,
//! );
//! let mut server = ScramServer::new(
//!     ScramHash::Sha256,
//!     "3rfcNHYJY1ZVvWVs7j".to_owned(), // likewise
//!     ChannelBinding::None,
//!     false,
//! );
//! let first = client.initial_response().unwrap().unwrap();
//! let ServerStep::LookupScram(identity) = server.start(Some(first.declassify())).unwrap() else { panic!() };
//! assert_eq!(identity.authcid, "user");
//! let secrets = ScramSecrets::derive(ScramHash::Sha256, "pencil", b"NaCl-from-the-user-db", 4096).unwrap();
//! let ServerStep::Challenge(server_first) = server.supply(Supply::Scram(Some(secrets))).unwrap() else { panic!() };
//! let client_final = client.respond(&server_first).unwrap();
//! let ServerStep::Challenge(server_final) = server.step(client_final.declassify()).unwrap() else { panic!() };
//! let empty = client.respond(&server_final).unwrap(); // checks the server's signature
//! assert!(matches!(server.step(empty.declassify()).unwrap(), ServerStep::Success(_)));
//! client.complete().unwrap();
//! ```

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use imapkit_proto::{Atom, AuthMechanism};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::sasl::{ChannelBinding, SaslError, ScramSecrets};

pub(crate) mod attributes;
mod client;
mod server;

pub use self::client::ScramClient;
pub use self::server::ScramServer;

/// The shortest nonce accepted from the caller, in characters.
pub const MIN_NONCE_LEN: usize = 18;

/// The smallest iteration count a client accepts (RFC 5802 §5.1 and RFC
/// 7677 §3: servers SHOULD announce at least 4096).
pub const MIN_ITERATIONS: u32 = 4096;

/// The largest iteration count a client accepts unless told otherwise
/// ([`ScramClient::with_max_iterations`]): PBKDF2 runs once per iteration,
/// so a hostile server could otherwise make the client spin for minutes.
pub const DEFAULT_MAX_ITERATIONS: u32 = 1_000_000;

/// The channel binding type of the `-PLUS` variants (RFC 9266).
pub const TLS_EXPORTER: &str = "tls-exporter";

/// The hash function of a SCRAM mechanism.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ScramHash {
    /// SHA-1: `SCRAM-SHA-1`, `SCRAM-SHA-1-PLUS` (RFC 5802).
    Sha1,
    /// SHA-256: `SCRAM-SHA-256`, `SCRAM-SHA-256-PLUS` (RFC 7677).
    Sha256,
}

impl ScramHash {
    /// The mechanism's name, with channel binding (`-PLUS`) or without.
    pub fn mechanism(self, plus: bool) -> AuthMechanism<'static> {
        match (self, plus) {
            (Self::Sha1, false) => AuthMechanism::ScramSha1,
            (Self::Sha256, false) => AuthMechanism::ScramSha256,
            (Self::Sha1, true) => plus_name("SCRAM-SHA-1-PLUS"),
            (Self::Sha256, true) => plus_name("SCRAM-SHA-256-PLUS"),
        }
    }

    /// The hash and the `-PLUS` flag of a SCRAM mechanism name (any case),
    /// or `None` for another mechanism.
    pub fn from_mechanism(mechanism: &AuthMechanism<'_>) -> Option<(Self, bool)> {
        match mechanism {
            AuthMechanism::ScramSha1 => Some((Self::Sha1, false)),
            AuthMechanism::ScramSha256 => Some((Self::Sha256, false)),
            AuthMechanism::Other(name) => {
                let name = name.as_bytes();
                if name.eq_ignore_ascii_case(b"SCRAM-SHA-1-PLUS") {
                    Some((Self::Sha1, true))
                } else if name.eq_ignore_ascii_case(b"SCRAM-SHA-256-PLUS") {
                    Some((Self::Sha256, true))
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// The length of the hash's output in bytes (of keys, proofs and
    /// signatures).
    pub fn output_len(self) -> usize {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
        }
    }

    /// `HMAC(key, parts...)`.
    pub(crate) fn hmac(self, key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
        match self {
            Self::Sha1 => hmac_with::<Hmac<Sha1>>(key, parts),
            Self::Sha256 => hmac_with::<Hmac<Sha256>>(key, parts),
        }
    }

    /// Whether `HMAC(key, parts...)` equals `expected`, in constant time
    /// (`Mac::verify_slice`).
    pub(crate) fn hmac_verify(self, key: &[u8], parts: &[&[u8]], expected: &[u8]) -> bool {
        match self {
            Self::Sha1 => hmac_verify_with::<Hmac<Sha1>>(key, parts, expected),
            Self::Sha256 => hmac_verify_with::<Hmac<Sha256>>(key, parts, expected),
        }
    }

    /// `H(data)`.
    pub(crate) fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => Sha1::digest(data).to_vec(),
            Self::Sha256 => Sha256::digest(data).to_vec(),
        }
    }

    /// `SaltedPassword := Hi(Normalize(password), salt, i)` (RFC 5802 §3):
    /// PBKDF2 with HMAC of this hash.
    pub(crate) fn salted_password(self, password: &[u8], salt: &[u8], iterations: u32) -> Vec<u8> {
        let mut out = vec![0; self.output_len()];
        match self {
            Self::Sha1 => pbkdf2::pbkdf2_hmac::<Sha1>(password, salt, iterations, &mut out),
            Self::Sha256 => pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, iterations, &mut out),
        }
        out
    }
}

impl ScramSecrets {
    /// The secrets a server stores for a password (RFC 5802 §3):
    /// `SaltedPassword := Hi(SASLprep(password), salt, iterations)`,
    /// `StoredKey := H(HMAC(SaltedPassword, "Client Key"))`,
    /// `ServerKey := HMAC(SaltedPassword, "Server Key")`.
    ///
    /// Costs `iterations` PBKDF2 rounds: derive once, when the password is
    /// set, and store the result. Fails with [`SaslError::SaslPrep`] for a
    /// password SASLprep refuses, and with [`SaslError::IterationCount`] for
    /// zero iterations.
    pub fn derive(
        hash: ScramHash,
        password: &str,
        salt: &[u8],
        iterations: u32,
    ) -> Result<Self, SaslError> {
        if iterations == 0 {
            return Err(SaslError::IterationCount(0));
        }
        let password = saslprep(password)?;
        let salted = hash.salted_password(password.as_bytes(), salt, iterations);
        let keys = Keys::new(hash, &salted);
        Ok(Self {
            salt: salt.to_vec(),
            iterations,
            stored_key: keys.stored_key,
            server_key: keys.server_key,
        })
    }
}

/// The keys derived from a salted password.
pub(crate) struct Keys {
    pub(crate) client_key: Vec<u8>,
    pub(crate) stored_key: Vec<u8>,
    pub(crate) server_key: Vec<u8>,
}

impl Keys {
    pub(crate) fn new(hash: ScramHash, salted_password: &[u8]) -> Self {
        let client_key = hash.hmac(salted_password, &[b"Client Key"]);
        Self {
            stored_key: hash.digest(&client_key),
            server_key: hash.hmac(salted_password, &[b"Server Key"]),
            client_key,
        }
    }
}

/// SASLprep (RFC 4013) of a password, as a *stored* string (RFC 5802 §2.2,
/// `Normalize`; RFC 3454 §7): unassigned code points are refused, and so
/// is an empty result (RFC 5802 §5.1). This is the `stringprep` crate's
/// `saslprep`. User names use [`saslprep_query`] instead.
pub(crate) fn saslprep(s: &str) -> Result<String, SaslError> {
    match stringprep::saslprep(s) {
        Ok(p) if !p.is_empty() => Ok(p.into_owned()),
        _ => Err(SaslError::SaslPrep),
    }
}

/// SASLprep (RFC 4013) of a SCRAM user name, as a *query* string: RFC 5802
/// §5.1 (`n`) has both the client and the server prepare the name
/// "treating it as a query string (i.e., unassigned Unicode code points
/// are allowed)". An empty result is refused (RFC 5802 §5.1).
///
/// The query profile is the stored profile without the last step, the
/// refusal of the code points of RFC 3454 table A.1 (unassigned in Unicode
/// 3.2; RFC 3454 §7, RFC 4013 §2.5). The `stringprep` crate only offers the
/// stored profile and keeps NFKC to itself, so this runs it on the pieces
/// between unassigned code points and keeps those code points as they are:
///
/// - Mapping (RFC 4013 §2.1, tables B.1 and C.1.2) is per code point and
///   leaves unassigned ones alone, so mapping the pieces maps the whole.
/// - Normalization (NFKC, RFC 4013 §2.2) is that of Unicode 3.2 (RFC 3454
///   §4), in which an unassigned code point has no decomposition,
///   combining class 0 and takes part in no composition: nothing reorders
///   or composes across it, and NFKC of the whole is NFKC of the pieces
///   with the unassigned code points between them. (Normalizing the whole
///   with the crate's newer Unicode would instead apply mappings that Unicode
///   3.2 does not have: U+1F101, unassigned in 3.2, would become "0,".)
/// - Prohibition (RFC 4013 §2.3) is per code point: the crate checks the
///   pieces, [`prohibited_output`] the kept code points (table A.1 holds
///   none of the prohibited ones; checked all the same).
/// - The bidi rule (RFC 4013 §2.4, RFC 3454 §6) is about the whole string
///   (a string with RandALCat must begin and end with one), so
///   [`bidi_refused`] checks the joined result. The crate also checks it on
///   each piece, which would refuse a piece such as "\u{5D0}1" that is
///   only the beginning of a valid name; [`prepare_piece`] undoes that.
///   Unassigned code points are in neither table D.1 nor D.2 (those list
///   Unicode 3.2 characters), so they count as neither RandALCat nor LCat.
pub(crate) fn saslprep_query(s: &str) -> Result<String, SaslError> {
    use stringprep::tables::unassigned_code_point;
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some((at, c)) = rest.char_indices().find(|&(_, c)| unassigned_code_point(c)) {
        out.push_str(&prepare_piece(&rest[..at])?);
        if prohibited_output(c) {
            return Err(SaslError::SaslPrep);
        }
        out.push(c);
        rest = &rest[at + c.len_utf8()..];
    }
    out.push_str(&prepare_piece(rest)?);
    if out.is_empty() || bidi_refused(&out) {
        return Err(SaslError::SaslPrep);
    }
    Ok(out)
}

/// A Unicode 3.2 RandALCat character that is a starter (combining class 0),
/// has no decomposition and takes part in no composition (its composites
/// U+FB2E..U+FB30 are composition exclusions), so NFKC leaves it in place
/// and does not change its neighbours.
const FENCE: char = '\u{5D0}'; // HEBREW LETTER ALEF

/// The stored profile of SASLprep on a piece holding no unassigned code
/// point, except for the piece's own bidi check (RFC 3454 §6, left to
/// [`bidi_refused`] on the whole string).
///
/// The crate refuses a piece for a prohibited character (then the whole
/// is refused too), for RandALCat and LCat together (likewise), or for
/// RandALCat without one at both ends. Only the last can be wrong for a
/// piece of a longer string; fencing the piece with [`FENCE`] on both
/// sides satisfies it without changing the rest, so a piece refused alone
/// but accepted fenced was refused for that reason only.
fn prepare_piece(piece: &str) -> Result<std::borrow::Cow<'_, str>, SaslError> {
    if let Ok(prepared) = stringprep::saslprep(piece) {
        return Ok(prepared);
    }
    let fenced = format!("{FENCE}{piece}{FENCE}");
    let prepared = stringprep::saslprep(&fenced).map_err(|_| SaslError::SaslPrep)?;
    prepared
        .strip_prefix(FENCE)
        .and_then(|p| p.strip_suffix(FENCE))
        .map(|p| std::borrow::Cow::Owned(p.to_owned()))
        .ok_or(SaslError::SaslPrep)
}

/// Whether SASLprep prohibits `c` in its output (RFC 4013 §2.3: tables
/// C.1.2, C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8, C.9).
fn prohibited_output(c: char) -> bool {
    use stringprep::tables as t;
    t::non_ascii_space_character(c)
        || t::ascii_control_character(c)
        || t::non_ascii_control_character(c)
        || t::private_use(c)
        || t::non_character_code_point(c)
        || t::surrogate_code(c)
        || t::inappropriate_for_plain_text(c)
        || t::inappropriate_for_canonical_representation(c)
        || t::change_display_properties_or_deprecated(c)
        || t::tagging_character(c)
}

/// Whether a prepared string breaks the bidi rule of RFC 3454 §6 (RFC 4013
/// §2.4): with any RandALCat character (table D.1) it must hold no LCat
/// character (table D.2) and begin and end with a RandALCat character.
/// Code points unassigned in Unicode 3.2 are in neither table.
fn bidi_refused(s: &str) -> bool {
    use stringprep::tables::{bidi_l, bidi_r_or_al, unassigned_code_point};
    let rand_al = |c: char| !unassigned_code_point(c) && bidi_r_or_al(c);
    let l = |c: char| !unassigned_code_point(c) && bidi_l(c);
    if !s.chars().any(rand_al) {
        return false;
    }
    s.chars().any(l)
        || !s.chars().next().is_some_and(rand_al)
        || !s.chars().next_back().is_some_and(rand_al)
}

/// The channel binding a SCRAM half runs with: an empty
/// [`ChannelBinding::TlsExporter`] value is [`ChannelBinding::None`].
///
/// RFC 9266 §2: `tls-exporter` is 32 bytes of keying material exported
/// from the TLS connection. An empty value (a TLS library that gave
/// nothing) would make `c=` hold only the GS2 header, the same for every
/// connection: a binding to nothing, which a man in the middle passes.
/// So it counts as no binding at all: the client sends `n` and names the
/// plain mechanism, the server refuses `p=` (RFC 5802 §6).
pub(crate) fn usable_binding(channel_binding: ChannelBinding) -> ChannelBinding {
    match channel_binding {
        ChannelBinding::TlsExporter(data) if data.is_empty() => ChannelBinding::None,
        other => other,
    }
}

/// Whether a nonce is usable: at least [`MIN_NONCE_LEN`] characters, each
/// `printable` (RFC 5802 §7: `%x21-2B / %x2D-7E`).
pub(crate) fn nonce_ok(nonce: &str) -> bool {
    nonce.len() >= MIN_NONCE_LEN && attributes::is_printable(nonce.as_bytes())
}

/// Compares two byte strings in time that depends only on their lengths.
///
/// Used where neither side is an HMAC output that `Mac::verify_slice` could
/// check (the StoredKey against `H(ClientKey)`, the channel binding data).
/// A fold of XORs over every byte with no early exit, passed through
/// `black_box` so the optimizer cannot turn it into an early-exit compare.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

pub(crate) fn b64(data: &[u8]) -> String {
    STANDARD.encode(data)
}

fn hmac_with<M: Mac + hmac::digest::KeyInit>(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = keyed::<M>(key);
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().to_vec()
}

fn hmac_verify_with<M: Mac + hmac::digest::KeyInit>(
    key: &[u8],
    parts: &[&[u8]],
    expected: &[u8],
) -> bool {
    let mut mac = keyed::<M>(key);
    for p in parts {
        mac.update(p);
    }
    mac.verify_slice(expected).is_ok()
}

fn keyed<M: Mac + hmac::digest::KeyInit>(key: &[u8]) -> M {
    // HMAC takes keys of any length (RFC 2104 §2: longer keys are hashed,
    // shorter ones padded); `new_from_slice` never fails for `Hmac<_>`.
    <M as hmac::digest::KeyInit>::new_from_slice(key).expect("hmac accepts any key length")
}

fn plus_name(name: &'static str) -> AuthMechanism<'static> {
    // A constant of atom characters only (letters, digits, '-').
    AuthMechanism::Other(Atom::try_from(name).expect("mechanism names are atoms"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mechanism_names() {
        for hash in [ScramHash::Sha1, ScramHash::Sha256] {
            for plus in [false, true] {
                let m = hash.mechanism(plus);
                assert_eq!(ScramHash::from_mechanism(&m), Some((hash, plus)));
            }
        }
        assert_eq!(
            ScramHash::Sha256.mechanism(true).as_bytes(),
            b"SCRAM-SHA-256-PLUS"
        );
        let lower = AuthMechanism::from_atom(Atom::try_from("scram-sha-1-plus").unwrap());
        assert_eq!(
            ScramHash::from_mechanism(&lower),
            Some((ScramHash::Sha1, true))
        );
        assert_eq!(ScramHash::from_mechanism(&AuthMechanism::Plain), None);
    }

    #[test]
    fn constant_time_compare() {
        assert!(ct_eq(b"", b""));
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }

    #[test]
    fn rfc_5802_keys() {
        // RFC 5802 §5: the salt of the example, 4096 iterations of
        // "pencil"; the StoredKey and ServerKey follow from the RFC's
        // ClientProof and ServerSignature (checked end to end in
        // tests/sasl_scram.rs), here the derivation agrees with itself.
        let salt = STANDARD.decode("QSXCR+Q6sek8bf92").unwrap();
        let s = ScramSecrets::derive(ScramHash::Sha1, "pencil", &salt, 4096).unwrap();
        let salted = ScramHash::Sha1.salted_password(b"pencil", &salt, 4096);
        let keys = Keys::new(ScramHash::Sha1, &salted);
        assert_eq!(s.stored_key, ScramHash::Sha1.digest(&keys.client_key));
        assert_eq!(s.server_key, keys.server_key);
        assert_eq!(s.stored_key.len(), 20);
        assert_eq!(
            ScramSecrets::derive(ScramHash::Sha1, "pencil", &salt, 0),
            Err(SaslError::IterationCount(0))
        );
        assert_eq!(
            ScramSecrets::derive(ScramHash::Sha1, "\u{7}", &salt, 1),
            Err(SaslError::SaslPrep)
        );
    }

    #[test]
    fn saslprep_maps_and_refuses() {
        // RFC 4013 §3 examples.
        assert_eq!(saslprep("I\u{ad}X").unwrap(), "IX");
        assert_eq!(saslprep("user").unwrap(), "user");
        assert_eq!(saslprep("\u{aa}").unwrap(), "a");
        assert_eq!(saslprep("\u{2168}").unwrap(), "IX");
        assert_eq!(saslprep("\u{7}"), Err(SaslError::SaslPrep));
        assert_eq!(saslprep("\u{627}1"), Err(SaslError::SaslPrep));
        assert_eq!(saslprep("\u{ad}"), Err(SaslError::SaslPrep));
        assert_eq!(saslprep(""), Err(SaslError::SaslPrep));
        // Passwords stay stored strings: unassigned code points refused.
        assert_eq!(saslprep("pass\u{1F600}"), Err(SaslError::SaslPrep));
    }

    #[test]
    fn saslprep_query_allows_unassigned_code_points() {
        // U+1F600 is unassigned in Unicode 3.2 (table A.1).
        assert!(stringprep::tables::unassigned_code_point('\u{1F600}'));
        assert_eq!(saslprep_query("user\u{1F600}").unwrap(), "user\u{1F600}");
        assert_eq!(saslprep_query("\u{1F600}").unwrap(), "\u{1F600}");
        assert_eq!(
            saslprep_query("\u{1F600}\u{1F600}x\u{1F600}").unwrap(),
            "\u{1F600}\u{1F600}x\u{1F600}"
        );
        // Kept as it is, not normalized with a later Unicode's NFKC (U+1F101
        // DIGIT ZERO COMMA, unassigned in 3.2, is "0," in Unicode 5.2+), and
        // nothing composes with it or across it.
        assert_eq!(saslprep_query("\u{1F101}").unwrap(), "\u{1F101}");
        assert_eq!(
            saslprep_query("\u{1F600}\u{301}").unwrap(),
            "\u{1F600}\u{301}"
        );
        // Without unassigned code points: the same as the stored profile.
        for s in [
            "user",
            "I\u{ad}X",
            "\u{aa}",
            "\u{2168}",
            "a\u{a0}b",
            "\u{5d0}1\u{5d0}",
        ] {
            assert_eq!(saslprep_query(s), saslprep(s), "{s:?}");
        }
    }

    #[test]
    fn saslprep_query_still_maps_and_normalizes() {
        // RFC 4013 §3 examples.
        assert_eq!(saslprep_query("I\u{ad}X").unwrap(), "IX");
        assert_eq!(saslprep_query("user").unwrap(), "user");
        assert_eq!(saslprep_query("\u{aa}").unwrap(), "a");
        assert_eq!(saslprep_query("\u{2168}").unwrap(), "IX");
        // Soft hyphen to nothing (B.1), no-break space to space (C.1.2),
        // NFKC ("ⅸ" is "ix", "e" + U+0301 composes), next to and between
        // unassigned code points.
        assert_eq!(
            saslprep_query("I\u{ad}X\u{1F600}a\u{a0}b\u{1F600}\u{2178}").unwrap(),
            "IX\u{1F600}a b\u{1F600}ix"
        );
        assert_eq!(
            saslprep_query("e\u{301}\u{1F600}\u{ad}").unwrap(),
            "\u{e9}\u{1F600}"
        );
    }

    #[test]
    fn saslprep_query_still_refuses_prohibited_characters() {
        assert_eq!(saslprep_query("\u{7}"), Err(SaslError::SaslPrep));
        assert_eq!(saslprep_query("a\u{1F600}\u{7}"), Err(SaslError::SaslPrep));
        assert_eq!(saslprep_query("\u{7}\u{1F600}a"), Err(SaslError::SaslPrep));
        // Private use (C.3), a non-character (C.4), a tagging character
        // (C.9), U+200E (C.8).
        for c in ['\u{E000}', '\u{FFFF}', '\u{E0041}', '\u{200E}'] {
            assert_eq!(
                saslprep_query(&format!("a\u{1F600}{c}")),
                Err(SaslError::SaslPrep),
                "{c:?}"
            );
        }
    }

    #[test]
    fn saslprep_query_checks_the_bidi_rule_on_the_whole_string() {
        // RandALCat first but not last.
        assert_eq!(saslprep_query("\u{627}1"), Err(SaslError::SaslPrep));
        // The same split by an unassigned code point: each piece alone
        // ("\u{627}", "1") is fine, the whole is not.
        assert_eq!(
            saslprep_query("\u{627}\u{1F600}1"),
            Err(SaslError::SaslPrep)
        );
        assert_eq!(
            saslprep_query("1\u{1F600}\u{627}"),
            Err(SaslError::SaslPrep)
        );
        // RandALCat and LCat in different pieces.
        assert_eq!(
            saslprep_query("\u{5d0}\u{1F600}a\u{1F600}\u{5d0}"),
            Err(SaslError::SaslPrep)
        );
        // Valid as a whole though its first piece ("\u{5d0}1") is not: the
        // unassigned code point is neither RandALCat nor LCat.
        assert_eq!(
            saslprep_query("\u{5d0}1\u{1F600}\u{5d0}").unwrap(),
            "\u{5d0}1\u{1F600}\u{5d0}"
        );
        assert_eq!(
            saslprep_query("\u{5d0}\u{1F600}2\u{5d0}").unwrap(),
            "\u{5d0}\u{1F600}2\u{5d0}"
        );
        // Ending with an unassigned code point after RandALCat.
        assert_eq!(saslprep_query("\u{5d0}\u{1F600}"), Err(SaslError::SaslPrep));
    }

    #[test]
    fn saslprep_query_refuses_an_empty_result() {
        assert_eq!(saslprep_query(""), Err(SaslError::SaslPrep));
        assert_eq!(saslprep_query("\u{ad}"), Err(SaslError::SaslPrep));
        assert_eq!(saslprep_query("\u{ad}\u{feff}"), Err(SaslError::SaslPrep));
        // Mapped to nothing around an unassigned code point: not empty.
        assert_eq!(
            saslprep_query("\u{ad}\u{1F600}\u{ad}").unwrap(),
            "\u{1F600}"
        );
    }
}
