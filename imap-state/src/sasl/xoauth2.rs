//! `XOAUTH2` (Google, Microsoft): an OAuth 2.0 bearer token in one client
//! message, `user=U^Aauth=Bearer T^A^A` (`^A` is 0x01).
//!
//! On failure the server sends a challenge holding a JSON error, e.g.
//! `{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`;
//! the client answers with an empty response and the server says `NO`.
//! The token crosses the wire as it is: run XOAUTH2 over TLS only.
//!
//! ```
//! use imapkit_proto::Secret;
//! use imapkit_state::sasl::xoauth2::{XOAuth2Client, XOAuth2Server};
//! use imapkit_state::sasl::{ClientMechanism, ServerMechanism, ServerStep, Supply};
//!
//! let mut client = XOAuth2Client::new("someuser@example.com", Secret::new("ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg".into()));
//! let first = client.initial_response().unwrap().unwrap();
//! let mut server = XOAuth2Server::new();
//! assert!(matches!(server.start(Some(first.declassify())).unwrap(), ServerStep::Verify(_)));
//!
//! // The application rejects the token: the server explains in JSON.
//! let ServerStep::Challenge(json) = server.supply(Supply::Verdict(false)).unwrap() else { panic!() };
//! let answer = client.respond(&json).unwrap();
//! assert_eq!(answer.declassify(), b"");
//! assert!(matches!(server.step(answer.declassify()).unwrap(), ServerStep::Failure(_)));
//! assert_eq!(client.failure_detail(), Some(r#"{"status":"401","schemes":"bearer"}"#));
//! ```

use std::fmt;

use imapkit_proto::{AuthMechanism, Secret};

use crate::sasl::bearer::{self, ClientCore, Parsed, ServerCore, KVSEP};
use crate::sasl::{ClientMechanism, Identity, SaslError, ServerMechanism, ServerStep, Supply};

const NAME: &str = "XOAUTH2";

/// The JSON error a [`XOAuth2Server`] sends unless told otherwise.
pub const DEFAULT_ERROR: &str = r#"{"status":"401","schemes":"bearer"}"#;

/// The client half of `XOAUTH2`.
///
/// Client-first: the message goes out as the initial response, or as the
/// answer to the server's empty first challenge. A later challenge is the
/// server's JSON error: the client keeps it for
/// [`failure_detail`](ClientMechanism::failure_detail) and answers with an
/// empty response, after which the server fails the command. The user and
/// the token may hold neither NUL nor `^A`.
#[derive(Clone)]
pub struct XOAuth2Client {
    user: String,
    token: Secret<String>,
    core: ClientCore,
}

impl XOAuth2Client {
    /// A client that presents `token` for `user` (usually an e-mail address).
    pub fn new(user: impl Into<String>, token: Secret<String>) -> Self {
        Self {
            user: user.into(),
            token,
            core: ClientCore::default(),
        }
    }

    fn message(&self) -> Result<Secret<Vec<u8>>, SaslError> {
        let token = self.token.declassify();
        for (field, value) in [("user", &self.user), ("token", token)] {
            if value.bytes().any(|b| b == 0 || b == KVSEP) {
                return Err(SaslError::InvalidCharacter {
                    mechanism: NAME,
                    field,
                });
            }
        }
        let mut out = Vec::with_capacity(self.user.len() + token.len() + 21);
        out.extend_from_slice(b"user=");
        out.extend_from_slice(self.user.as_bytes());
        out.extend_from_slice(b"\x01auth=Bearer ");
        out.extend_from_slice(token.as_bytes());
        out.extend_from_slice(b"\x01\x01");
        Ok(Secret::new(out))
    }
}

impl ClientMechanism for XOAuth2Client {
    fn name(&self) -> AuthMechanism<'static> {
        AuthMechanism::XOAuth2
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
    /// answered with an empty response.
    fn respond(&mut self, challenge: &[u8]) -> Result<Secret<Vec<u8>>, SaslError> {
        if self.core.asks_for_message(challenge) {
            let message = self.message()?;
            self.core.may_send();
            return Ok(message);
        }
        self.core.error_challenge(challenge, b"", NAME)
    }

    fn complete(&mut self) -> Result<(), SaslError> {
        self.core.complete(NAME)
    }

    fn failure_detail(&self) -> Option<&str> {
        self.core.error()
    }
}

impl fmt::Debug for XOAuth2Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("XOAuth2Client")
            .field("user", &self.user)
            .field("token", &self.token)
            .field("state", &self.core)
            .finish()
    }
}

/// The server half of `XOAUTH2`.
///
/// Parses the client's message into [`ServerStep::Verify`] with a
/// [`CredentialSecret::BearerToken`](crate::sasl::CredentialSecret::BearerToken).
/// On [`Supply::Verdict`] `false` it sends the JSON error as a challenge
/// (by default [`DEFAULT_ERROR`]; see [`with_error`](Self::with_error)),
/// then fails with [`FailureReason::Rejected`](crate::sasl::FailureReason::Rejected)
/// after the client's (empty) answer. A message whose `auth` is not a
/// `Bearer` token gets the JSON error at once.
#[derive(Debug, Clone)]
pub struct XOAuth2Server {
    core: ServerCore,
}

impl XOAuth2Server {
    /// A server half that answers failures with [`DEFAULT_ERROR`].
    pub fn new() -> Self {
        Self {
            core: ServerCore::new(NAME, DEFAULT_ERROR.to_owned()),
        }
    }

    /// The JSON error to send when the token is refused, as it goes on the
    /// wire (e.g. with the `scope` the client must ask for).
    #[must_use]
    pub fn with_error(mut self, json: impl Into<String>) -> Self {
        self.core.set_error(json.into());
        self
    }
}

impl Default for XOAuth2Server {
    fn default() -> Self {
        Self::new()
    }
}

impl ServerMechanism for XOAuth2Server {
    fn name(&self) -> AuthMechanism<'static> {
        AuthMechanism::XOAuth2
    }

    fn receives_reusable_secret(&self) -> bool {
        true
    }

    fn start(&mut self, initial: Option<&[u8]>) -> Result<ServerStep, SaslError> {
        self.core.start(initial, parse)
    }

    fn step(&mut self, response: &[u8]) -> Result<ServerStep, SaslError> {
        self.core.step(response, parse)
    }

    fn supply(&mut self, supply: Supply) -> Result<ServerStep, SaslError> {
        self.core.supply(supply)
    }
}

/// Parses `user=U^Aauth=Bearer T^A^A`. Other keys are ignored; `user` and
/// `auth` are required, the user is non-empty UTF-8.
fn parse(message: &[u8]) -> Result<Parsed, SaslError> {
    let bad = |reason| SaslError::Malformed {
        mechanism: NAME,
        reason,
    };
    let region = message
        .strip_suffix(&[KVSEP])
        .ok_or(bad("missing final ^A"))?;
    let (mut user, mut auth) = (None, None);
    bearer::pairs(region, NAME, value_ok, |key, value| {
        match key {
            b"user" => user = Some(value),
            b"auth" => auth = Some(value),
            _ => {}
        }
        Ok(())
    })?;
    let user = user.ok_or(bad("missing user"))?;
    let auth = auth.ok_or(bad("missing auth"))?;
    if user.is_empty() {
        return Err(bad("empty user"));
    }
    let identity = Identity {
        authcid: std::str::from_utf8(user)
            .map_err(|_| bad("user is not utf-8"))?
            .to_owned(),
        authzid: None,
    };
    match bearer::bearer_token(auth) {
        Some(token) => bearer::token_credentials(identity, token)
            .map(Parsed::Token)
            .ok_or(bad("token is not utf-8")),
        None => Ok(Parsed::NoToken(identity)),
    }
}

/// XOAUTH2 has no grammar of its own: any value without NUL (and `^A`,
/// which ends it).
fn value_ok(value: &[u8]) -> bool {
    !value.contains(&0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sasl::{CredentialSecret, Failure, FailureReason};

    fn token(t: &str) -> Secret<String> {
        Secret::new(t.to_owned())
    }

    #[test]
    fn client_message_is_byte_exact() {
        // The format Google documents for IMAP and SMTP.
        let mut c = XOAuth2Client::new(
            "someuser@example.com",
            token("ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"),
        );
        assert_eq!(
            c.initial_response().unwrap().unwrap().declassify(),
            b"user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01"
        );
        assert!(c.initial_response().is_err());
        c.complete().unwrap();
        assert_eq!(c.failure_detail(), None);
    }

    #[test]
    fn client_refuses_separators() {
        for (user, tok, field) in [
            ("a\x01b", "t", "user"),
            ("a\0b", "t", "user"),
            ("ab", "t\x01", "token"),
            ("ab", "\0", "token"),
        ] {
            let mut c = XOAuth2Client::new(user, token(tok));
            assert_eq!(
                c.initial_response().unwrap_err(),
                SaslError::InvalidCharacter {
                    mechanism: "XOAUTH2",
                    field
                }
            );
            assert!(c.complete().is_err());
        }
    }

    #[test]
    fn client_keeps_the_error_and_answers_empty() {
        let json = br#"{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}"#;
        let mut c = XOAuth2Client::new("u@example.com", token("t"));
        c.initial_response().unwrap();
        assert_eq!(c.respond(json).unwrap().declassify(), b"");
        assert_eq!(c.failure_detail(), Some(std::str::from_utf8(json).unwrap()));
        assert_eq!(
            c.respond(json).unwrap_err(),
            SaslError::UnexpectedMessage {
                mechanism: "XOAUTH2"
            }
        );
    }

    #[test]
    fn client_without_sasl_ir() {
        let mut c = XOAuth2Client::new("u", token("t"));
        assert_eq!(
            c.respond(b"").unwrap().declassify(),
            b"user=u\x01auth=Bearer t\x01\x01"
        );
        assert!(c.initial_response().is_err());
        // An error challenge before the message went out is unexpected.
        let mut c = XOAuth2Client::new("u", token("t"));
        assert!(c.respond(b"{}").is_err());
    }

    #[test]
    fn server_parses_and_verifies() {
        let mut s = XOAuth2Server::new();
        let ServerStep::Verify(creds) = s
            .start(Some(b"user=u@x\x01auth=Bearer tok\x01\x01"))
            .unwrap()
        else {
            panic!("verify")
        };
        assert_eq!(creds.identity.authcid, "u@x");
        assert_eq!(creds.secret, CredentialSecret::BearerToken(token("tok")));
        assert_eq!(
            s.supply(Supply::Verdict(true)).unwrap(),
            ServerStep::Success(creds.identity)
        );
        assert!(s.step(b"").is_err());
    }

    #[test]
    fn server_error_dance() {
        let mut s = XOAuth2Server::new().with_error(r#"{"status":"400"}"#);
        assert_eq!(s.start(None).unwrap(), ServerStep::Challenge(Vec::new()));
        assert!(s.supply(Supply::Verdict(false)).is_err());
        assert!(matches!(
            s.step(b"user=u\x01auth=Bearer t\x01\x01").unwrap(),
            ServerStep::Verify(_)
        ));
        assert_eq!(
            s.supply(Supply::Verdict(false)).unwrap(),
            ServerStep::Challenge(br#"{"status":"400"}"#.to_vec())
        );
        assert!(s.supply(Supply::Verdict(true)).is_err());
        assert_eq!(
            s.step(b"").unwrap(),
            ServerStep::Failure(Failure {
                identity: Some(Identity {
                    authcid: "u".into(),
                    authzid: None
                }),
                reason: FailureReason::Rejected
            })
        );
        assert!(s.step(b"").is_err());
    }

    #[test]
    fn server_answers_a_non_bearer_auth_with_the_error() {
        let mut s = XOAuth2Server::new();
        assert_eq!(
            s.start(Some(b"user=u\x01auth=\x01\x01")).unwrap(),
            ServerStep::Challenge(DEFAULT_ERROR.as_bytes().to_vec())
        );
        assert!(matches!(s.step(b"").unwrap(), ServerStep::Failure(_)));
    }

    #[test]
    fn server_refuses_malformed_messages() {
        for (input, reason) in [
            (&b""[..], "missing final ^A"),
            (
                b"user=u\x01auth=Bearer t\x01",
                "unterminated key-value pair",
            ),
            (b"user=u\x01\x01", "missing auth"),
            (b"user=u\x01auth=Bearer t", "missing final ^A"),
            (b"auth=Bearer t\x01\x01", "missing user"),
            (b"user=\x01auth=Bearer t\x01\x01", "empty user"),
            (b"user=\xff\x01auth=Bearer t\x01\x01", "user is not utf-8"),
            (b"user=u\x01auth=Bearer \xff\x01\x01", "token is not utf-8"),
            (
                b"user=u\x01user=v\x01auth=Bearer t\x01\x01",
                "duplicate key",
            ),
            (
                b"user=u\x01auth=Bearer t\x01x\x01\x01",
                "key-value pair without =",
            ),
        ] {
            let mut s = XOAuth2Server::new();
            assert_eq!(
                s.start(Some(input)).unwrap_err(),
                SaslError::Malformed {
                    mechanism: "XOAUTH2",
                    reason
                },
                "{input:?}"
            );
            assert!(s.step(input).is_err());
        }
    }

    #[test]
    fn debug_redacts_the_token() {
        let c = XOAuth2Client::new("u@example.com", token("sekrit-token"));
        let mut s = XOAuth2Server::new();
        let step = s
            .start(Some(b"user=u\x01auth=Bearer sekrit-token\x01\x01"))
            .unwrap();
        let shown = format!("{c:?} {s:?} {step:?}");
        assert!(shown.contains("u@example.com"), "{shown}");
        assert!(!shown.contains("sekrit"), "{shown}");
    }
}
