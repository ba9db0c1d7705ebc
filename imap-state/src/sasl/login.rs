//! `LOGIN` (draft-murchison-sasl-login-00): the server asks for the user name,
//! then for the password; the client answers each in turn.
//!
//! Obsolete but widely deployed (Outlook, older Exchange, many appliances).
//! The password crosses the wire as it is: run LOGIN over TLS only.
//!
//! ```text
//! S: + VXNlcm5hbWU6          ("Username:")
//! C: dGlt                    ("tim")
//! S: + UGFzc3dvcmQ6          ("Password:")
//! C: dGFuc3RhYWZ0YW5zdGFhZg==
//! S: A1 OK
//! ```

use std::fmt;

use imapkit_proto::{AuthMechanism, Secret};

use crate::sasl::plain::verdict;
use crate::sasl::{
    ClientMechanism, CredentialSecret, Credentials, Identity, SaslError, ServerMechanism,
    ServerStep, Supply,
};

const NAME: &str = "LOGIN";

/// The server's first challenge (draft-murchison-sasl-login-00 §2).
pub const USERNAME_CHALLENGE: &[u8] = b"Username:";
/// The server's second challenge.
pub const PASSWORD_CHALLENGE: &[u8] = b"Password:";

/// The client half of `LOGIN`.
///
/// LOGIN is server-first: [`initial_response`](ClientMechanism::initial_response)
/// is `None`. The client answers the first challenge with the user name and
/// the second with the password, **whatever the challenges say**: the draft
/// names `Username:` and `Password:`, but servers send `User Name`,
/// `Username:` with a NUL, localized prompts or nothing at all, and clients
/// that read the prompt break on them. A third challenge is
/// [`SaslError::UnexpectedMessage`].
#[derive(Clone)]
pub struct LoginClient {
    username: String,
    password: Secret<String>,
    answered: u8,
}

impl LoginClient {
    /// A client that logs in as `username` with `password`.
    pub fn new(username: impl Into<String>, password: Secret<String>) -> Self {
        Self {
            username: username.into(),
            password,
            answered: 0,
        }
    }
}

impl ClientMechanism for LoginClient {
    fn name(&self) -> AuthMechanism<'static> {
        AuthMechanism::Login
    }

    fn sends_reusable_secret(&self) -> bool {
        true
    }

    fn initial_response(&mut self) -> Result<Option<Secret<Vec<u8>>>, SaslError> {
        Ok(None)
    }

    fn respond(&mut self, _challenge: &[u8]) -> Result<Secret<Vec<u8>>, SaslError> {
        let answer = match self.answered {
            0 => self.username.as_bytes().to_vec(),
            1 => self.password.declassify().as_bytes().to_vec(),
            _ => return Err(SaslError::UnexpectedMessage { mechanism: NAME }),
        };
        self.answered += 1;
        Ok(Secret::new(answer))
    }

    fn complete(&mut self) -> Result<(), SaslError> {
        if self.answered == 2 {
            Ok(())
        } else {
            Err(SaslError::Incomplete { mechanism: NAME })
        }
    }
}

impl fmt::Debug for LoginClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginClient")
            .field("username", &self.username)
            .field("password", &self.password)
            .field("answered", &self.answered)
            .finish()
    }
}

/// The server half of `LOGIN`.
///
/// Sends [`USERNAME_CHALLENGE`], then [`PASSWORD_CHALLENGE`], then asks the
/// application to [`Verify`](ServerStep::Verify) the
/// [`CredentialSecret::Password`]. The draft has no initial response, but
/// some clients send the user name as one: a non-empty initial response is
/// taken as the user name and the server asks for the password at once (an
/// empty one, `=`, is ignored). Both answers must be non-empty UTF-8.
#[derive(Debug, Clone, Default)]
pub struct LoginServer {
    state: ServerState,
}

#[derive(Debug, Clone, Default)]
enum ServerState {
    #[default]
    Start,
    AwaitUsername,
    AwaitPassword(String),
    AwaitVerdict(Identity),
    Done,
}

impl LoginServer {
    /// A server half.
    pub fn new() -> Self {
        Self::default()
    }

    fn username(&mut self, response: &[u8]) -> Result<ServerStep, SaslError> {
        let username = text(
            response,
            [
                "empty user name",
                "user name is not utf-8",
                "NUL in the user name",
            ],
        )?;
        self.state = ServerState::AwaitPassword(username);
        Ok(ServerStep::Challenge(PASSWORD_CHALLENGE.to_vec()))
    }
}

impl ServerMechanism for LoginServer {
    fn name(&self) -> AuthMechanism<'static> {
        AuthMechanism::Login
    }

    fn receives_reusable_secret(&self) -> bool {
        true
    }

    fn start(&mut self, initial: Option<&[u8]>) -> Result<ServerStep, SaslError> {
        if !matches!(self.state, ServerState::Start) {
            return Err(SaslError::UnexpectedMessage { mechanism: NAME });
        }
        match initial {
            Some(username) if !username.is_empty() => self.username(username),
            _ => {
                self.state = ServerState::AwaitUsername;
                Ok(ServerStep::Challenge(USERNAME_CHALLENGE.to_vec()))
            }
        }
    }

    fn step(&mut self, response: &[u8]) -> Result<ServerStep, SaslError> {
        match std::mem::replace(&mut self.state, ServerState::Done) {
            ServerState::AwaitUsername => self.username(response),
            ServerState::AwaitPassword(authcid) => {
                let password = text(
                    response,
                    [
                        "empty password",
                        "password is not utf-8",
                        "NUL in the password",
                    ],
                )?;
                let identity = Identity {
                    authcid,
                    authzid: None,
                };
                self.state = ServerState::AwaitVerdict(identity.clone());
                Ok(ServerStep::Verify(Credentials {
                    identity,
                    secret: CredentialSecret::Password(Secret::new(password)),
                }))
            }
            other => {
                self.state = other;
                Err(SaslError::UnexpectedMessage { mechanism: NAME })
            }
        }
    }

    fn user(&self) -> Option<&str> {
        match &self.state {
            ServerState::AwaitPassword(user) => Some(user),
            ServerState::AwaitVerdict(identity) => Some(&identity.authcid),
            _ => None,
        }
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

/// A non-empty UTF-8 answer without NUL (RFC 4422 §3.4.1: NUL is no part
/// of an identity or password; a back end in C would read `ali\0ce` as
/// `ali`, so the attempt would be logged for one user and checked for
/// another). The errors, `[empty, not_utf8, nul]`, name the field, never
/// its value.
fn text(response: &[u8], [empty, not_utf8, nul]: [&'static str; 3]) -> Result<String, SaslError> {
    let bad = |reason| SaslError::Malformed {
        mechanism: NAME,
        reason,
    };
    if response.is_empty() {
        return Err(bad(empty));
    }
    if response.contains(&0) {
        return Err(bad(nul));
    }
    std::str::from_utf8(response)
        .map(str::to_owned)
        .map_err(|_| bad(not_utf8))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sasl::{Failure, FailureReason};

    fn password(p: &str) -> Secret<String> {
        Secret::new(p.to_owned())
    }

    #[test]
    fn client_answers_in_order_whatever_the_prompts() {
        let mut c = LoginClient::new("tim", password("tanstaaf"));
        assert!(c.initial_response().unwrap().is_none());
        assert_eq!(
            c.complete(),
            Err(SaslError::Incomplete { mechanism: "LOGIN" })
        );
        assert_eq!(c.respond(b"User Name\0").unwrap().declassify(), b"tim");
        assert_eq!(
            c.complete(),
            Err(SaslError::Incomplete { mechanism: "LOGIN" })
        );
        assert_eq!(c.respond(b"").unwrap().declassify(), b"tanstaaf");
        assert_eq!(
            c.respond(b"Password:").unwrap_err(),
            SaslError::UnexpectedMessage { mechanism: "LOGIN" }
        );
        c.complete().unwrap();
    }

    #[test]
    fn server_asks_twice_then_verifies() {
        let mut s = LoginServer::new();
        assert_eq!(
            s.start(None).unwrap(),
            ServerStep::Challenge(b"Username:".to_vec())
        );
        assert_eq!(
            s.step(b"tim").unwrap(),
            ServerStep::Challenge(b"Password:".to_vec())
        );
        let ServerStep::Verify(creds) = s.step(b"tanstaaf").unwrap() else {
            panic!("verify")
        };
        assert_eq!(creds.identity.authcid, "tim");
        assert_eq!(
            creds.secret,
            CredentialSecret::Password(password("tanstaaf"))
        );
        assert!(s.step(b"more").is_err());
        assert_eq!(
            s.supply(Supply::Verdict(true)).unwrap(),
            ServerStep::Success(creds.identity)
        );
        assert!(s.supply(Supply::Verdict(true)).is_err());
    }

    #[test]
    fn server_takes_an_initial_user_name() {
        let mut s = LoginServer::new();
        assert_eq!(
            s.start(Some(b"tim")).unwrap(),
            ServerStep::Challenge(b"Password:".to_vec())
        );
        assert!(matches!(s.step(b"pw").unwrap(), ServerStep::Verify(_)));
        assert_eq!(
            s.supply(Supply::Verdict(false)).unwrap(),
            ServerStep::Failure(Failure {
                identity: Some(Identity {
                    authcid: "tim".into(),
                    authzid: None
                }),
                reason: FailureReason::Rejected
            })
        );

        let mut s = LoginServer::new();
        assert_eq!(
            s.start(Some(b"")).unwrap(),
            ServerStep::Challenge(b"Username:".to_vec())
        );
    }

    #[test]
    fn server_refuses_empty_and_non_utf8_answers() {
        for (answers, reason) in [
            (&[&b""[..]][..], "empty user name"),
            (&[b"\xff"], "user name is not utf-8"),
            (&[b"tim", b""], "empty password"),
            (&[b"tim", b"\xc3("], "password is not utf-8"),
        ] {
            let mut s = LoginServer::new();
            s.start(None).unwrap();
            let mut last = Ok(ServerStep::Challenge(Vec::new()));
            for a in answers {
                last = s.step(a);
            }
            assert_eq!(
                last,
                Err(SaslError::Malformed {
                    mechanism: "LOGIN",
                    reason
                })
            );
        }
    }

    #[test]
    fn debug_redacts_the_password() {
        let c = LoginClient::new("tim", password("tanstaaf"));
        let mut s = LoginServer::new();
        s.start(Some(b"tim")).unwrap();
        let step = s.step(b"tanstaaf").unwrap();
        let shown = format!("{c:?} {s:?} {step:?}");
        assert!(shown.contains("tim"), "{shown}");
        assert!(!shown.contains("tanstaaf"), "{shown}");
    }
}
