//! `OAUTHBEARER` (RFC 7628): an OAuth 2.0 bearer token after a GS2 header,
//! `n,a=user,^Ahost=H^Aport=P^Aauth=Bearer T^A^A` (`^A` is 0x01, §3.1).
//!
//! On failure the server sends a JSON error as a challenge (§3.2.2), the
//! client answers a single `^A` and the server says `NO` (§3.2.3). The
//! token crosses the wire as it is: RFC 7628 §3 requires TLS.
//!
//! ```
//! use imapkit_proto::Secret;
//! use imapkit_state::sasl::oauthbearer::OAuthBearerClient;
//! use imapkit_state::sasl::ClientMechanism;
//!
//! // RFC 7628 §4.1.
//! let mut client = OAuthBearerClient::new(
//!     "user@example.com",
//!     Secret::new("vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==".into()),
//! )
//! .with_host("server.example.com")
//! .with_port(143);
//! assert_eq!(
//!     client.initial_response().unwrap().unwrap().declassify(),
//!     b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01\
//!       auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01"
//! );
//! ```

use std::fmt;

use imapkit_proto::{AuthMechanism, Secret};

use crate::sasl::bearer::{self, ClientCore, Parsed, ServerCore, KVSEP};
use crate::sasl::gs2::{self, CbindFlag};
use crate::sasl::{ClientMechanism, Identity, SaslError, ServerMechanism, ServerStep, Supply};

const NAME: &str = "OAUTHBEARER";

/// The JSON error an [`OAuthBearerServer`] sends unless told otherwise
/// (RFC 7628 §3.2.2: `status` is required).
pub const DEFAULT_ERROR: &str = r#"{"status":"invalid_token"}"#;

/// The client half of `OAUTHBEARER`.
///
/// Client-first: the message goes out as the initial response, or as the
/// answer to the server's empty first challenge. A later challenge is the
/// server's JSON error: the client keeps it for
/// [`failure_detail`](ClientMechanism::failure_detail) and answers `^A`
/// (RFC 7628 §3.2.3). An empty token sends an empty `auth=`, which is how a
/// client asks the server which scope it needs (RFC 7628 §4.3); an empty
/// user leaves the `a=` out of the GS2 header.
///
/// The user may hold neither NUL nor `^A`; the host and the token only
/// visible ASCII, space, tab, CR and LF (RFC 7628 §3.1, `value`); anything
/// else is [`SaslError::InvalidCharacter`].
#[derive(Clone)]
pub struct OAuthBearerClient {
    user: String,
    token: Secret<String>,
    host: Option<String>,
    port: Option<u16>,
    core: ClientCore,
}

impl OAuthBearerClient {
    /// A client that presents `token` for `user`.
    pub fn new(user: impl Into<String>, token: Secret<String>) -> Self {
        Self {
            user: user.into(),
            token,
            host: None,
            port: None,
            core: ClientCore::default(),
        }
    }

    /// Sends `host=`: the name of the server the client connected to.
    #[must_use]
    pub fn with_host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// Sends `port=`: the port the client connected to.
    #[must_use]
    pub fn with_port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    fn message(&self) -> Result<Secret<Vec<u8>>, SaslError> {
        let invalid = |field| SaslError::InvalidCharacter {
            mechanism: NAME,
            field,
        };
        if self.user.bytes().any(|b| b == 0 || b == KVSEP) {
            return Err(invalid("user"));
        }
        if self
            .host
            .as_deref()
            .is_some_and(|h| !value_ok(h.as_bytes()))
        {
            return Err(invalid("host"));
        }
        let token = self.token.declassify();
        if !value_ok(token.as_bytes()) {
            return Err(invalid("token"));
        }
        let mut out = Vec::with_capacity(self.user.len() + token.len() + 64);
        let user = (!self.user.is_empty()).then_some(self.user.as_str());
        gs2::write_header(&mut out, CbindFlag::No, user);
        out.push(KVSEP);
        if let Some(host) = &self.host {
            out.extend_from_slice(b"host=");
            out.extend_from_slice(host.as_bytes());
            out.push(KVSEP);
        }
        if let Some(port) = self.port {
            out.extend_from_slice(format!("port={port}").as_bytes());
            out.push(KVSEP);
        }
        out.extend_from_slice(b"auth=");
        if !token.is_empty() {
            out.extend_from_slice(b"Bearer ");
            out.extend_from_slice(token.as_bytes());
        }
        out.push(KVSEP);
        out.push(KVSEP);
        Ok(Secret::new(out))
    }
}

impl ClientMechanism for OAuthBearerClient {
    fn name(&self) -> AuthMechanism<'static> {
        AuthMechanism::OAuthBearer
    }

    fn sends_reusable_secret(&self) -> bool {
        true
    }

    fn initial_response(&mut self) -> Result<Option<Secret<Vec<u8>>>, SaslError> {
        let message = self.message()?;
        self.core.first_message(message, NAME)
    }

    /// Before the message went out, an empty challenge asks for it (a
    /// server without SASL-IR); after, a challenge is the JSON error,
    /// answered with `^A`.
    fn respond(&mut self, challenge: &[u8]) -> Result<Secret<Vec<u8>>, SaslError> {
        if self.core.asks_for_message(challenge) {
            let message = self.message()?;
            self.core.may_send();
            return Ok(message);
        }
        self.core.error_challenge(challenge, &[KVSEP], NAME)
    }

    fn complete(&mut self) -> Result<(), SaslError> {
        self.core.complete(NAME)
    }

    fn failure_detail(&self) -> Option<&str> {
        self.core.error()
    }
}

impl fmt::Debug for OAuthBearerClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthBearerClient")
            .field("user", &self.user)
            .field("token", &self.token)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("state", &self.core)
            .finish()
    }
}

/// The server half of `OAUTHBEARER`.
///
/// Parses the client's message into [`ServerStep::Verify`] with a
/// [`CredentialSecret::BearerToken`](crate::sasl::CredentialSecret::BearerToken)
/// for the user of the GS2 header's `a=` (required here: without it the
/// server would have to take the user from the token, which this layer
/// cannot read). On [`Supply::Verdict`] `false` it sends the JSON error as a
/// challenge (by default [`DEFAULT_ERROR`]; see [`with_error`](Self::with_error)),
/// then fails with [`FailureReason::Rejected`](crate::sasl::FailureReason::Rejected)
/// after the client's `^A`. A message without a usable token — an empty
/// `auth=` (a client asking for the scope, RFC 7628 §4.3), another scheme,
/// or a `host=` other than the one set with [`with_host`](Self::with_host)
/// (§3.2) — gets the JSON error at once. Unknown keys are ignored (§3.1); a
/// `p=` channel binding flag is refused (OAUTHBEARER has none).
#[derive(Debug, Clone)]
pub struct OAuthBearerServer {
    host: Option<String>,
    core: ServerCore,
}

impl OAuthBearerServer {
    /// A server half that answers failures with [`DEFAULT_ERROR`] and
    /// accepts any `host=`.
    pub fn new() -> Self {
        Self {
            host: None,
            core: ServerCore::new(NAME, DEFAULT_ERROR.to_owned()),
        }
    }

    /// The JSON error to send when the token is refused, as it goes on the
    /// wire, e.g. `{"status":"invalid_token","scope":"mail"}` (RFC 7628
    /// §3.2.2).
    #[must_use]
    pub fn with_error(mut self, json: impl Into<String>) -> Self {
        self.core.set_error(json.into());
        self
    }

    /// This server's name: a client's `host=`, when sent, must match it
    /// (ASCII case-insensitive), RFC 7628 §3.2.
    #[must_use]
    pub fn with_host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }
}

impl Default for OAuthBearerServer {
    fn default() -> Self {
        Self::new()
    }
}

impl ServerMechanism for OAuthBearerServer {
    fn name(&self) -> AuthMechanism<'static> {
        AuthMechanism::OAuthBearer
    }

    fn receives_reusable_secret(&self) -> bool {
        true
    }

    fn start(&mut self, initial: Option<&[u8]>) -> Result<ServerStep, SaslError> {
        let host = self.host.as_deref();
        self.core.start(initial, |m| parse(m, host))
    }

    fn step(&mut self, response: &[u8]) -> Result<ServerStep, SaslError> {
        let host = self.host.as_deref();
        self.core.step(response, |m| parse(m, host))
    }

    fn supply(&mut self, supply: Supply) -> Result<ServerStep, SaslError> {
        self.core.supply(supply)
    }
}

/// Parses `gs2-header ^A *kvpair ^A` (RFC 7628 §3.1). `host` is the
/// server's own name, if it checks the client's.
fn parse(message: &[u8], host: Option<&str>) -> Result<Parsed, SaslError> {
    let bad = |reason| SaslError::Malformed {
        mechanism: NAME,
        reason,
    };
    let header = gs2::parse_header(message, NAME)?;
    if let CbindFlag::Required(_) = header.flag {
        return Err(bad("channel binding is not supported"));
    }
    let authcid = header.authzid.ok_or(bad("missing authzid (user name)"))?;
    let region = message[header.len..]
        .strip_prefix(&[KVSEP])
        .and_then(|r| r.strip_suffix(&[KVSEP]))
        .ok_or(bad("key-value pairs not framed by ^A"))?;
    let (mut auth, mut sent_host, mut port) = (None, None, None);
    bearer::pairs(region, NAME, value_ok, |key, value| {
        match key {
            b"auth" => auth = Some(value),
            b"host" => sent_host = Some(value),
            b"port" => port = Some(value),
            _ => {}
        }
        Ok(())
    })?;
    if port.is_some_and(|p| !is_port(p)) {
        return Err(bad("bad port"));
    }
    let auth = auth.ok_or(bad("missing auth"))?;
    let identity = Identity {
        authcid,
        authzid: None,
    };
    let host_ok = match (host, sent_host) {
        (Some(ours), Some(theirs)) => ours.as_bytes().eq_ignore_ascii_case(theirs),
        _ => true,
    };
    match bearer::bearer_token(auth) {
        Some(token) if host_ok => bearer::token_credentials(identity, token)
            .map(Parsed::Token)
            .ok_or(bad("token is not utf-8")),
        _ => Ok(Parsed::NoToken(identity)),
    }
}

/// `value = *(VCHAR / SP / HTAB / CR / LF)` (RFC 7628 §3.1).
fn value_ok(value: &[u8]) -> bool {
    value
        .iter()
        .all(|&b| matches!(b, 0x21..=0x7e | b' ' | b'\t' | b'\r' | b'\n'))
}

/// A TCP port as a decimal positive integer without leading zeros
/// (RFC 7628 §3.1, `port`).
fn is_port(value: &[u8]) -> bool {
    value.first().is_some_and(|&b| b != b'0')
        && value.iter().all(u8::is_ascii_digit)
        && std::str::from_utf8(value).is_ok_and(|v| v.parse::<u16>().is_ok())
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;

    use super::*;
    use crate::sasl::{CredentialSecret, Failure, FailureReason};

    const RFC_TOKEN: &str = "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==";
    const RFC_4_3_ERROR: &str = r#"{"status":"invalid_token","scope":"example_scope","openid-configuration":"https://example.com/.well-known/openid-configuration"}"#;

    fn client(token: &str) -> OAuthBearerClient {
        OAuthBearerClient::new("user@example.com", Secret::new(token.to_owned()))
            .with_host("server.example.com")
            .with_port(143)
    }

    #[test]
    fn rfc_7628_4_1_successful_exchange() {
        // The IMAP example's initial response, as base64 on the wire.
        let wire = "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB";
        let mut c = client(RFC_TOKEN);
        let first = c.initial_response().unwrap().unwrap();
        assert_eq!(STANDARD.encode(first.declassify()), wire);

        let mut s = OAuthBearerServer::new().with_host("SERVER.example.com");
        let ServerStep::Verify(creds) = s.start(Some(first.declassify())).unwrap() else {
            panic!("verify")
        };
        assert_eq!(creds.identity.authcid, "user@example.com");
        assert_eq!(creds.identity.authzid, None);
        assert_eq!(
            creds.secret,
            CredentialSecret::BearerToken(Secret::new(RFC_TOKEN.to_owned()))
        );
        assert_eq!(
            s.supply(Supply::Verdict(true)).unwrap(),
            ServerStep::Success(creds.identity)
        );
        c.complete().unwrap();
        assert_eq!(c.failure_detail(), None);
    }

    #[test]
    fn rfc_7628_4_3_failed_exchange() {
        let wire_first =
            "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9AQE=";
        let wire_error = "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0=";
        // An empty token asks for the scope: `auth=` stays empty.
        let mut c = client("");
        let first = c.initial_response().unwrap().unwrap();
        assert_eq!(STANDARD.encode(first.declassify()), wire_first);

        let mut s = OAuthBearerServer::new().with_error(RFC_4_3_ERROR);
        let ServerStep::Challenge(error) = s.start(Some(first.declassify())).unwrap() else {
            panic!("error challenge")
        };
        assert_eq!(STANDARD.encode(&error), wire_error);
        let ack = c.respond(&error).unwrap();
        assert_eq!(STANDARD.encode(ack.declassify()), "AQ==");
        assert_eq!(c.failure_detail(), Some(RFC_4_3_ERROR));
        assert_eq!(
            s.step(ack.declassify()).unwrap(),
            ServerStep::Failure(Failure {
                identity: Some(Identity {
                    authcid: "user@example.com".into(),
                    authzid: None
                }),
                reason: FailureReason::Rejected
            })
        );
    }

    #[test]
    fn rejected_token_gets_the_error_then_fails() {
        let mut c = client("tok");
        let mut s = OAuthBearerServer::new();
        let first = c.initial_response().unwrap().unwrap();
        assert!(matches!(
            s.start(Some(first.declassify())).unwrap(),
            ServerStep::Verify(_)
        ));
        let ServerStep::Challenge(json) = s.supply(Supply::Verdict(false)).unwrap() else {
            panic!("challenge")
        };
        assert_eq!(json, DEFAULT_ERROR.as_bytes());
        let ack = c.respond(&json).unwrap();
        assert!(matches!(
            s.step(ack.declassify()).unwrap(),
            ServerStep::Failure(Failure {
                reason: FailureReason::Rejected,
                ..
            })
        ));
        assert!(c.respond(&json).is_err());
    }

    #[test]
    fn a_foreign_host_gets_no_verify() {
        let mut s = OAuthBearerServer::new().with_host("imap.example.net");
        let first = client("tok").initial_response().unwrap().unwrap();
        assert_eq!(
            s.start(Some(first.declassify())).unwrap(),
            ServerStep::Challenge(DEFAULT_ERROR.as_bytes().to_vec())
        );
        // Without host=, nothing to compare.
        let mut s = OAuthBearerServer::new().with_host("imap.example.net");
        assert!(matches!(
            s.start(Some(b"n,a=u,\x01auth=Bearer t\x01\x01")).unwrap(),
            ServerStep::Verify(_)
        ));
    }

    #[test]
    fn client_escapes_the_user_and_checks_characters() {
        let mut c = OAuthBearerClient::new("a,b=c", Secret::new("t".into()));
        assert_eq!(
            c.initial_response().unwrap().unwrap().declassify(),
            b"n,a=a=2Cb=3Dc,\x01auth=Bearer t\x01\x01"
        );
        let mut s = OAuthBearerServer::new();
        let ServerStep::Verify(creds) = s
            .start(Some(b"y,a=a=2Cb=3Dc,\x01auth=Bearer t\x01\x01"))
            .unwrap()
        else {
            panic!("verify")
        };
        assert_eq!(creds.identity.authcid, "a,b=c");

        let mut c = OAuthBearerClient::new("", Secret::new("t".into()));
        assert_eq!(
            c.initial_response().unwrap().unwrap().declassify(),
            b"n,,\x01auth=Bearer t\x01\x01"
        );

        for (c, field) in [
            (
                OAuthBearerClient::new("u\x01", Secret::new("t".into())),
                "user",
            ),
            (
                OAuthBearerClient::new("u\0", Secret::new("t".into())),
                "user",
            ),
            (
                OAuthBearerClient::new("u", Secret::new("t\x01".into())),
                "token",
            ),
            (
                OAuthBearerClient::new("u", Secret::new("t\u{e9}".into())),
                "token",
            ),
            (
                OAuthBearerClient::new("u", Secret::new("t".into())).with_host("h\x7f"),
                "host",
            ),
        ] {
            let mut c = c;
            assert_eq!(
                c.initial_response().unwrap_err(),
                SaslError::InvalidCharacter {
                    mechanism: "OAUTHBEARER",
                    field
                }
            );
        }
    }

    #[test]
    fn client_without_sasl_ir() {
        let mut c = OAuthBearerClient::new("u", Secret::new("t".into()));
        assert_eq!(
            c.complete(),
            Err(SaslError::Incomplete {
                mechanism: "OAUTHBEARER"
            })
        );
        assert_eq!(
            c.respond(b"").unwrap().declassify(),
            b"n,a=u,\x01auth=Bearer t\x01\x01"
        );
        assert!(c.initial_response().is_err());
        c.complete().unwrap();
    }

    #[test]
    fn server_refuses_malformed_messages() {
        for (input, reason) in [
            (&b""[..], "missing gs2 header"),
            (
                b"n,,\x01auth=Bearer t\x01\x01",
                "missing authzid (user name)",
            ),
            (
                b"p=tls-exporter,a=u,\x01auth=Bearer t\x01\x01",
                "channel binding is not supported",
            ),
            (
                b"n,a=u,auth=Bearer t\x01\x01",
                "key-value pairs not framed by ^A",
            ),
            (b"n,a=u,\x01", "key-value pairs not framed by ^A"),
            (b"n,a=u,\x01\x01", "missing auth"),
            (
                b"n,a=u,\x01auth=Bearer t\x01",
                "unterminated key-value pair",
            ),
            (b"n,a=u,\x01port=0143\x01auth=Bearer t\x01\x01", "bad port"),
            (
                b"n,a=u,\x01port=123456\x01auth=Bearer t\x01\x01",
                "bad port",
            ),
            (b"n,a=u,\x01port=65536\x01auth=Bearer t\x01\x01", "bad port"),
            (b"n,a=u,\x01port=+1\x01auth=Bearer t\x01\x01", "bad port"),
            (b"n,a=u,\x01auth=Bearer t\x00\x01\x01", "bad value"),
            (b"n,a=u,\x01auth=Bearer t\xc3\xa9\x01\x01", "bad value"),
            (b"n,a=u,\x01au-th=x\x01auth=Bearer t\x01\x01", "bad key"),
            (
                b"n,a=u,\x01auth=Bearer t\x01auth=Bearer t\x01\x01",
                "duplicate key",
            ),
            (
                b"n,user=u,\x01auth=Bearer t\x01\x01",
                "bad authorization identity",
            ),
        ] {
            let mut s = OAuthBearerServer::new();
            assert_eq!(
                s.start(Some(input)).unwrap_err(),
                SaslError::Malformed {
                    mechanism: "OAUTHBEARER",
                    reason
                },
                "{:?}",
                input.escape_ascii().to_string()
            );
        }
        // Unknown keys are ignored, a good port is fine.
        let mut s = OAuthBearerServer::new();
        assert!(matches!(
            s.start(Some(
                b"n,a=u,\x01qs=\x01port=65535\x01auth=Bearer t\x01\x01"
            ))
            .unwrap(),
            ServerStep::Verify(_)
        ));
    }

    #[test]
    fn server_asks_without_initial_response() {
        let mut s = OAuthBearerServer::new();
        assert_eq!(s.start(None).unwrap(), ServerStep::Challenge(Vec::new()));
        assert!(matches!(
            s.step(b"n,a=u,\x01auth=Bearer t\x01\x01").unwrap(),
            ServerStep::Verify(_)
        ));
        assert!(s.step(b"\x01").is_err());
    }

    #[test]
    fn debug_redacts_the_token() {
        let c = client("sekrit-token");
        let mut s = OAuthBearerServer::new();
        let step = s
            .start(Some(b"n,a=u,\x01auth=Bearer sekrit-token\x01\x01"))
            .unwrap();
        let shown = format!("{c:?} {s:?} {step:?}");
        assert!(shown.contains("user@example.com"), "{shown}");
        assert!(!shown.contains("sekrit"), "{shown}");
    }
}
