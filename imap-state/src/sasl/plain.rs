//! `PLAIN` (RFC 4616): one client message, `[authzid] NUL authcid NUL passwd`.
//!
//! The password crosses the wire as it is: run PLAIN over TLS only (the
//! session machines refuse it on a plaintext connection by default, see
//! [`ClientMechanism::sends_reusable_secret`]).
//!
//! ```
//! use imapkit_proto::Secret;
//! use imapkit_state::sasl::plain::{PlainClient, PlainServer};
//! use imapkit_state::sasl::{ClientMechanism, CredentialSecret, ServerMechanism, ServerStep, Supply};
//!
//! let mut client = PlainClient::new("tim", Secret::new("tanstaaftanstaaf".to_owned()));
//! let message = client.initial_response().unwrap().unwrap();
//! assert_eq!(message.declassify(), b"\0tim\0tanstaaftanstaaf");
//!
//! let mut server = PlainServer::new();
//! let ServerStep::Verify(credentials) = server.start(Some(message.declassify())).unwrap() else {
//!     panic!("credentials to check")
//! };
//! assert_eq!(credentials.identity.authcid, "tim");
//! let CredentialSecret::Password(password) = &credentials.secret else { panic!("a password") };
//! let verdict = password.declassify() == "tanstaaftanstaaf"; // the application's check
//! assert!(matches!(server.supply(Supply::Verdict(verdict)).unwrap(), ServerStep::Success(_)));
//! client.complete().unwrap();
//! ```

use std::fmt;

use imapkit_proto::{AuthMechanism, Secret};

use crate::sasl::{
    ClientMechanism, CredentialSecret, Credentials, Failure, FailureReason, Identity, SaslError,
    ServerMechanism, ServerStep, Supply,
};

const NAME: &str = "PLAIN";

/// The client half of `PLAIN`.
///
/// PLAIN is client-first: the message goes out as the initial response
/// (SASL-IR, RFC 4959) or, when the server does not take one, as the answer
/// to the server's first (empty) challenge. No field may hold a NUL
/// ([`SaslError::InvalidCharacter`] from
/// [`initial_response`](ClientMechanism::initial_response)).
#[derive(Clone)]
pub struct PlainClient {
    authzid: Option<String>,
    authcid: String,
    password: Secret<String>,
    sent: bool,
}

impl PlainClient {
    /// A client that authenticates as `authcid` with `password`.
    pub fn new(authcid: impl Into<String>, password: Secret<String>) -> Self {
        Self {
            authzid: None,
            authcid: authcid.into(),
            password,
            sent: false,
        }
    }

    /// Asks to act as `authzid` (another user) once authenticated; the server
    /// decides whether `authcid` may.
    #[must_use]
    pub fn with_authzid(mut self, authzid: impl Into<String>) -> Self {
        self.authzid = Some(authzid.into());
        self
    }

    fn message(&mut self) -> Result<Secret<Vec<u8>>, SaslError> {
        let authzid = self.authzid.as_deref().unwrap_or("");
        let password = self.password.declassify();
        for (field, value) in [
            ("authzid", authzid),
            ("authcid", self.authcid.as_str()),
            ("password", password.as_str()),
        ] {
            if value.contains('\0') {
                return Err(SaslError::InvalidCharacter {
                    mechanism: NAME,
                    field,
                });
            }
        }
        let mut out = Vec::with_capacity(authzid.len() + self.authcid.len() + password.len() + 2);
        out.extend_from_slice(authzid.as_bytes());
        out.push(0);
        out.extend_from_slice(self.authcid.as_bytes());
        out.push(0);
        out.extend_from_slice(password.as_bytes());
        self.sent = true;
        Ok(Secret::new(out))
    }
}

impl ClientMechanism for PlainClient {
    fn name(&self) -> AuthMechanism<'static> {
        AuthMechanism::Plain
    }

    fn sends_reusable_secret(&self) -> bool {
        true
    }

    fn initial_response(&mut self) -> Result<Option<Secret<Vec<u8>>>, SaslError> {
        if self.sent {
            return Err(SaslError::UnexpectedMessage { mechanism: NAME });
        }
        self.message().map(Some)
    }

    /// Answers the server's empty first challenge (a server without SASL-IR)
    /// with the message; any other challenge is unexpected.
    fn respond(&mut self, challenge: &[u8]) -> Result<Secret<Vec<u8>>, SaslError> {
        if self.sent || !challenge.is_empty() {
            return Err(SaslError::UnexpectedMessage { mechanism: NAME });
        }
        self.message()
    }

    fn complete(&mut self) -> Result<(), SaslError> {
        if self.sent {
            Ok(())
        } else {
            Err(SaslError::Incomplete { mechanism: NAME })
        }
    }
}

impl fmt::Debug for PlainClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlainClient")
            .field("authzid", &self.authzid)
            .field("authcid", &self.authcid)
            .field("password", &self.password)
            .field("sent", &self.sent)
            .finish()
    }
}

/// The server half of `PLAIN`.
///
/// Parses the client's message into [`ServerStep::Verify`] with a
/// [`CredentialSecret::Password`], then ends by the application's
/// [`Supply::Verdict`]. The strings are handed over as received: RFC 4616
/// recommends (not requires) that the application prepare them with SASLprep
/// before comparing (`stringprep::saslprep`).
///
/// An authorization identity (`authzid`) other than the authentication
/// identity fails the exchange with [`FailureReason::Authorization`], unless
/// [`allow_authzid`](Self::allow_authzid) was called: then the application's
/// verdict covers it (may `authcid` act as `authzid`?).
#[derive(Debug, Clone, Default)]
pub struct PlainServer {
    allow_authzid: bool,
    state: ServerState,
}

#[derive(Debug, Clone, Default)]
enum ServerState {
    #[default]
    Start,
    AwaitResponse,
    AwaitVerdict(Identity),
    Done,
}

impl PlainServer {
    /// A server half that refuses authorization identities other than the
    /// authentication identity.
    pub fn new() -> Self {
        Self::default()
    }

    /// Lets clients ask to act as another user: the
    /// [`Credentials::identity`] then carries the `authzid`, and the
    /// application's verdict must say whether `authcid` may act as it.
    #[must_use]
    pub fn allow_authzid(mut self) -> Self {
        self.allow_authzid = true;
        self
    }

    fn credentials(&mut self, message: &[u8]) -> Result<ServerStep, SaslError> {
        let Credentials { identity, secret } = parse(message)?;
        if !self.allow_authzid
            && identity
                .authzid
                .as_ref()
                .is_some_and(|a| *a != identity.authcid)
        {
            self.state = ServerState::Done;
            return Ok(ServerStep::Failure(Failure {
                identity: Some(identity),
                reason: FailureReason::Authorization,
            }));
        }
        self.state = ServerState::AwaitVerdict(identity.clone());
        Ok(ServerStep::Verify(Credentials { identity, secret }))
    }
}

impl ServerMechanism for PlainServer {
    fn name(&self) -> AuthMechanism<'static> {
        AuthMechanism::Plain
    }

    fn receives_reusable_secret(&self) -> bool {
        true
    }

    fn start(&mut self, initial: Option<&[u8]>) -> Result<ServerStep, SaslError> {
        if !matches!(self.state, ServerState::Start) {
            return Err(SaslError::UnexpectedMessage { mechanism: NAME });
        }
        match initial {
            Some(message) => self.credentials(message),
            None => {
                self.state = ServerState::AwaitResponse;
                Ok(ServerStep::Challenge(Vec::new()))
            }
        }
    }

    fn step(&mut self, response: &[u8]) -> Result<ServerStep, SaslError> {
        if !matches!(self.state, ServerState::AwaitResponse) {
            return Err(SaslError::UnexpectedMessage { mechanism: NAME });
        }
        self.credentials(response)
    }

    fn supply(&mut self, supply: Supply) -> Result<ServerStep, SaslError> {
        let Supply::Verdict(valid) = supply else {
            return Err(SaslError::UnexpectedMessage { mechanism: NAME });
        };
        match std::mem::replace(&mut self.state, ServerState::Done) {
            ServerState::AwaitVerdict(identity) => Ok(verdict(identity, valid)),
            other => {
                self.state = other;
                Err(SaslError::UnexpectedMessage { mechanism: NAME })
            }
        }
    }
}

/// The end of an exchange whose credentials the application checked.
pub(crate) fn verdict(identity: Identity, valid: bool) -> ServerStep {
    if valid {
        ServerStep::Success(identity)
    } else {
        ServerStep::Failure(Failure {
            identity: Some(identity),
            reason: FailureReason::Rejected,
        })
    }
}

/// Parses `[authzid] NUL authcid NUL passwd` (RFC 4616 §2): exactly three
/// fields, UTF-8, with a non-empty authcid and password.
fn parse(message: &[u8]) -> Result<Credentials, SaslError> {
    let bad = |reason| SaslError::Malformed {
        mechanism: NAME,
        reason,
    };
    let mut fields = message.split(|&b| b == 0);
    let (Some(authzid), Some(authcid), Some(password), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(bad("expected three NUL-separated fields"));
    };
    let text = |field: &[u8], reason| {
        std::str::from_utf8(field)
            .map(str::to_owned)
            .map_err(|_| bad(reason))
    };
    let authzid = text(authzid, "authzid is not utf-8")?;
    let authcid = text(authcid, "authcid is not utf-8")?;
    let password = text(password, "password is not utf-8")?;
    if authcid.is_empty() {
        return Err(bad("empty authcid"));
    }
    if password.is_empty() {
        return Err(bad("empty password"));
    }
    Ok(Credentials {
        identity: Identity {
            authcid,
            authzid: (!authzid.is_empty()).then_some(authzid),
        },
        secret: CredentialSecret::Password(Secret::new(password)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server_reply(server: &mut PlainServer, message: &[u8]) -> ServerStep {
        server.start(Some(message)).unwrap()
    }

    #[test]
    fn rfc_4616_examples() {
        // RFC 4616 §4: "Kurt" acting as "Ursel", and "tim" without authzid.
        let mut c =
            PlainClient::new("Kurt", Secret::new("xipj3plmq".to_owned())).with_authzid("Ursel");
        let m = c.initial_response().unwrap().unwrap();
        assert_eq!(m.declassify(), b"Ursel\0Kurt\0xipj3plmq");
        let creds = parse(m.declassify()).unwrap();
        assert_eq!(creds.identity.authcid, "Kurt");
        assert_eq!(creds.identity.authzid.as_deref(), Some("Ursel"));
        assert_eq!(
            creds.secret,
            CredentialSecret::Password(Secret::new("xipj3plmq".to_owned()))
        );

        let creds = parse(b"\0tim\0tanstaaftanstaaf").unwrap();
        assert_eq!(creds.identity.authzid, None);
    }

    #[test]
    fn malformed_messages() {
        for (input, reason) in [
            (&b""[..], "expected three NUL-separated fields"),
            (b"tim\0pw", "expected three NUL-separated fields"),
            (b"\0tim\0pw\0", "expected three NUL-separated fields"),
            (b"\0tim\0p\0w", "expected three NUL-separated fields"),
            (b"\0\0pw", "empty authcid"),
            (b"\0tim\0", "empty password"),
            (b"\xff\0tim\0pw", "authzid is not utf-8"),
            (b"\0t\xc3\0pw", "authcid is not utf-8"),
            (b"\0tim\0\xed\xa0\x80", "password is not utf-8"),
        ] {
            assert_eq!(
                parse(input).unwrap_err(),
                SaslError::Malformed {
                    mechanism: "PLAIN",
                    reason
                },
                "{input:?}"
            );
        }
    }

    #[test]
    fn client_refuses_nul() {
        let mut c = PlainClient::new("t\0m", Secret::new("pw".to_owned()));
        assert_eq!(
            c.initial_response().unwrap_err(),
            SaslError::InvalidCharacter {
                mechanism: "PLAIN",
                field: "authcid"
            }
        );
        let mut c = PlainClient::new("tim", Secret::new("p\0w".to_owned()));
        assert!(matches!(
            c.initial_response(),
            Err(SaslError::InvalidCharacter {
                field: "password",
                ..
            })
        ));
        let mut c = PlainClient::new("tim", Secret::new("pw".to_owned())).with_authzid("\0");
        assert!(matches!(
            c.initial_response(),
            Err(SaslError::InvalidCharacter {
                field: "authzid",
                ..
            })
        ));
        assert_eq!(
            c.complete(),
            Err(SaslError::Incomplete { mechanism: "PLAIN" })
        );
    }

    #[test]
    fn client_without_sasl_ir_answers_the_empty_challenge() {
        let mut c = PlainClient::new("tim", Secret::new("pw".to_owned()));
        assert_eq!(c.respond(b"").unwrap().declassify(), b"\0tim\0pw");
        assert_eq!(
            c.respond(b"").unwrap_err(),
            SaslError::UnexpectedMessage { mechanism: "PLAIN" }
        );
        assert!(c.initial_response().is_err());
        c.complete().unwrap();

        let mut c = PlainClient::new("tim", Secret::new("pw".to_owned()));
        assert!(c.respond(b"hello").is_err());
    }

    #[test]
    fn server_without_initial_response_asks_with_an_empty_challenge() {
        let mut s = PlainServer::new();
        assert_eq!(s.start(None).unwrap(), ServerStep::Challenge(Vec::new()));
        let ServerStep::Verify(creds) = s.step(b"\0tim\0pw").unwrap() else {
            panic!("verify")
        };
        assert_eq!(creds.identity.authcid, "tim");
        assert!(s.step(b"\0tim\0pw").is_err());
        assert_eq!(
            s.supply(Supply::Verdict(false)).unwrap(),
            ServerStep::Failure(Failure {
                identity: Some(creds.identity),
                reason: FailureReason::Rejected
            })
        );
        assert!(s.supply(Supply::Verdict(true)).is_err());
    }

    #[test]
    fn server_refuses_another_authzid_unless_allowed() {
        let mut s = PlainServer::new();
        let step = server_reply(&mut s, b"Ursel\0Kurt\0xipj3plmq");
        assert!(matches!(
            step,
            ServerStep::Failure(Failure {
                reason: FailureReason::Authorization,
                identity: Some(Identity { ref authcid, authzid: Some(ref z) }),
            }) if authcid == "Kurt" && z == "Ursel"
        ));
        assert!(s.supply(Supply::Verdict(true)).is_err());

        // The same user as authzid is no request to act as another.
        let mut s = PlainServer::new();
        assert!(matches!(
            server_reply(&mut s, b"Kurt\0Kurt\0xipj3plmq"),
            ServerStep::Verify(_)
        ));

        let mut s = PlainServer::new().allow_authzid();
        assert!(matches!(
            server_reply(&mut s, b"Ursel\0Kurt\0xipj3plmq"),
            ServerStep::Verify(_)
        ));
        let ServerStep::Success(id) = s.supply(Supply::Verdict(true)).unwrap() else {
            panic!("success")
        };
        assert_eq!(id.authzid.as_deref(), Some("Ursel"));
    }

    #[test]
    fn wrong_supply_and_order() {
        let mut s = PlainServer::new();
        assert!(s.supply(Supply::Verdict(true)).is_err());
        assert!(s.step(b"\0a\0b").is_err());
        server_reply(&mut s, b"\0a\0b");
        assert!(s.start(Some(b"\0a\0b")).is_err());
        assert!(s.supply(Supply::Scram(None)).is_err());
        // A wrong answer leaves the exchange waiting for the right one.
        assert!(matches!(
            s.supply(Supply::Verdict(true)).unwrap(),
            ServerStep::Success(_)
        ));
    }

    #[test]
    fn debug_redacts_the_password() {
        let c = PlainClient::new("tim", Secret::new("tanstaaftanstaaf".to_owned()));
        let shown = format!("{c:?}");
        assert!(
            shown.contains("tim") && shown.contains("<redacted>"),
            "{shown}"
        );
        assert!(!shown.contains("tanstaaf"), "{shown}");
        let mut s = PlainServer::new();
        let step = server_reply(&mut s, b"\0tim\0tanstaaftanstaaf");
        let shown = format!("{step:?} {s:?}");
        assert!(!shown.contains("tanstaaf"), "{shown}");
    }
}
