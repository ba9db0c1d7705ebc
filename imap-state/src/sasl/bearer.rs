//! What `XOAUTH2` and `OAUTHBEARER` (RFC 7628) share: `key=value^A` pairs,
//! the `Bearer` scheme (RFC 6750 §2.1), and the failure dance of RFC 7628
//! §3.2.3 — the server sends its JSON error as a challenge, the client
//! answers a dummy response, the server fails the exchange.

use imapkit_proto::Secret;

use crate::sasl::{
    CredentialSecret, Credentials, Failure, FailureReason, Identity, SaslError, ServerStep, Supply,
};

/// The key-value separator, `^A`.
pub(crate) const KVSEP: u8 = 0x01;

/// What a server mechanism read from a client's message.
pub(crate) enum Parsed {
    /// A bearer token for the application to check.
    Token(Credentials),
    /// A message without a usable token (an empty `auth=`, another scheme,
    /// a host that is not ours): the server answers with its error.
    NoToken(Identity),
}

/// Reads `*(key "=" value ^A)` (RFC 7628 §3.1): keys are `1*ALPHA`, values
/// pass `value_ok`, and no key appears twice. Calls `each` with every pair.
pub(crate) fn pairs<'a>(
    mut region: &'a [u8],
    mechanism: &'static str,
    value_ok: fn(&[u8]) -> bool,
    mut each: impl FnMut(&'a [u8], &'a [u8]) -> Result<(), SaslError>,
) -> Result<(), SaslError> {
    let bad = |reason| SaslError::Malformed { mechanism, reason };
    let mut seen: Vec<&[u8]> = Vec::new();
    while !region.is_empty() {
        let end = region
            .iter()
            .position(|&b| b == KVSEP)
            .ok_or(bad("unterminated key-value pair"))?;
        let pair = &region[..end];
        let eq = pair
            .iter()
            .position(|&b| b == b'=')
            .ok_or(bad("key-value pair without ="))?;
        let (key, value) = (&pair[..eq], &pair[eq + 1..]);
        if key.is_empty() || !key.iter().all(u8::is_ascii_alphabetic) {
            return Err(bad("bad key"));
        }
        if !value_ok(value) {
            return Err(bad("bad value"));
        }
        if seen.contains(&key) {
            return Err(bad("duplicate key"));
        }
        seen.push(key);
        each(key, value)?;
        region = &region[end + 1..];
    }
    Ok(())
}

/// The token of an `auth` value `Bearer <token>` (scheme in any case,
/// RFC 6750 §2.1), or `None` for an empty value or another scheme.
pub(crate) fn bearer_token(auth: &[u8]) -> Option<&[u8]> {
    let (scheme, rest) = auth.split_at(auth.iter().position(|&b| b == b' ')?);
    if !scheme.eq_ignore_ascii_case(b"Bearer") {
        return None;
    }
    let token = rest.trim_ascii();
    (!token.is_empty()).then_some(token)
}

/// The server half's state machine, shared by XOAUTH2 and OAUTHBEARER.
#[derive(Debug, Clone)]
pub(crate) struct ServerCore {
    mechanism: &'static str,
    error: String,
    state: ServerState,
}

#[derive(Debug, Clone)]
enum ServerState {
    Start,
    AwaitResponse,
    AwaitVerdict(Identity),
    AwaitErrorAck(Identity),
    Done,
}

impl ServerCore {
    pub(crate) fn new(mechanism: &'static str, error: String) -> Self {
        Self {
            mechanism,
            error,
            state: ServerState::Start,
        }
    }

    pub(crate) fn set_error(&mut self, error: String) {
        self.error = error;
    }

    fn unexpected(&self) -> SaslError {
        SaslError::UnexpectedMessage {
            mechanism: self.mechanism,
        }
    }

    pub(crate) fn start(
        &mut self,
        initial: Option<&[u8]>,
        parse: impl FnOnce(&[u8]) -> Result<Parsed, SaslError>,
    ) -> Result<ServerStep, SaslError> {
        if !matches!(self.state, ServerState::Start) {
            return Err(self.unexpected());
        }
        match initial {
            Some(message) => self.read(message, parse),
            None => {
                self.state = ServerState::AwaitResponse;
                Ok(ServerStep::Challenge(Vec::new()))
            }
        }
    }

    pub(crate) fn step(
        &mut self,
        response: &[u8],
        parse: impl FnOnce(&[u8]) -> Result<Parsed, SaslError>,
    ) -> Result<ServerStep, SaslError> {
        match std::mem::replace(&mut self.state, ServerState::Done) {
            ServerState::AwaitResponse => self.read(response, parse),
            // RFC 7628 §3.2.3: whatever the client answers to the error
            // (^A, or empty for XOAUTH2), the exchange fails.
            ServerState::AwaitErrorAck(identity) => Ok(ServerStep::Failure(Failure {
                identity: Some(identity),
                reason: FailureReason::Rejected,
            })),
            other => {
                self.state = other;
                Err(self.unexpected())
            }
        }
    }

    pub(crate) fn supply(&mut self, supply: Supply) -> Result<ServerStep, SaslError> {
        let Supply::Verdict(valid) = supply else {
            return Err(self.unexpected());
        };
        match std::mem::replace(&mut self.state, ServerState::Done) {
            ServerState::AwaitVerdict(identity) if valid => Ok(ServerStep::Success(identity)),
            ServerState::AwaitVerdict(identity) => Ok(self.error_challenge(identity)),
            other => {
                self.state = other;
                Err(self.unexpected())
            }
        }
    }

    fn read(
        &mut self,
        message: &[u8],
        parse: impl FnOnce(&[u8]) -> Result<Parsed, SaslError>,
    ) -> Result<ServerStep, SaslError> {
        self.state = ServerState::Done;
        match parse(message)? {
            Parsed::Token(credentials) => {
                self.state = ServerState::AwaitVerdict(credentials.identity.clone());
                Ok(ServerStep::Verify(credentials))
            }
            Parsed::NoToken(identity) => Ok(self.error_challenge(identity)),
        }
    }

    fn error_challenge(&mut self, identity: Identity) -> ServerStep {
        self.state = ServerState::AwaitErrorAck(identity);
        ServerStep::Challenge(self.error.as_bytes().to_vec())
    }
}

/// The client half's state, shared by XOAUTH2 and OAUTHBEARER.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClientCore {
    sent: bool,
    acked: bool,
    error: Option<String>,
}

impl ClientCore {
    /// Whether the message may go out now (it has not yet).
    pub(crate) fn may_send(&mut self) -> bool {
        !std::mem::replace(&mut self.sent, true)
    }

    /// The server's error challenge: keeps the JSON for `failure_detail`
    /// and gives the dummy answer (RFC 7628 §3.2.3).
    pub(crate) fn error_challenge(
        &mut self,
        challenge: &[u8],
        ack: &[u8],
        mechanism: &'static str,
    ) -> Result<Secret<Vec<u8>>, SaslError> {
        if !self.sent || self.acked {
            return Err(SaslError::UnexpectedMessage { mechanism });
        }
        self.acked = true;
        self.error = Some(String::from_utf8_lossy(challenge).into_owned());
        Ok(Secret::new(ack.to_vec()))
    }

    /// The message as the first response: once, and only once.
    pub(crate) fn first_message(
        &mut self,
        message: Secret<Vec<u8>>,
        mechanism: &'static str,
    ) -> Result<Option<Secret<Vec<u8>>>, SaslError> {
        if !self.may_send() {
            return Err(SaslError::UnexpectedMessage { mechanism });
        }
        Ok(Some(message))
    }

    /// Whether `challenge` asks for the message: an empty challenge before
    /// it went out (a server without SASL-IR).
    pub(crate) fn asks_for_message(&self, challenge: &[u8]) -> bool {
        !self.sent && challenge.is_empty()
    }

    /// The exchange may end once the message went out.
    pub(crate) fn complete(&self, mechanism: &'static str) -> Result<(), SaslError> {
        if self.sent {
            Ok(())
        } else {
            Err(SaslError::Incomplete { mechanism })
        }
    }

    pub(crate) fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
}

/// Credentials carrying a bearer token.
pub(crate) fn token_credentials(identity: Identity, token: &[u8]) -> Option<Credentials> {
    let token = std::str::from_utf8(token).ok()?;
    Some(Credentials {
        identity,
        secret: CredentialSecret::BearerToken(Secret::new(token.to_owned())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

    fn collect(region: &[u8]) -> Result<Pairs, SaslError> {
        let mut out = Vec::new();
        pairs(
            region,
            "T",
            |v| !v.contains(&0),
            |k, v| {
                out.push((k.to_vec(), v.to_vec()));
                Ok(())
            },
        )?;
        Ok(out)
    }

    #[test]
    fn key_value_pairs() {
        assert_eq!(collect(b"").unwrap(), vec![]);
        assert_eq!(
            collect(b"host=a\x01auth=\x01").unwrap(),
            vec![
                (b"host".to_vec(), b"a".to_vec()),
                (b"auth".to_vec(), b"".to_vec())
            ]
        );
        for (bad, reason) in [
            (&b"host=a"[..], "unterminated key-value pair"),
            (b"host\x01", "key-value pair without ="),
            (b"=a\x01", "bad key"),
            (b"h0st=a\x01", "bad key"),
            (b"host=a\0\x01", "bad value"),
            (b"a=1\x01a=2\x01", "duplicate key"),
        ] {
            assert_eq!(
                collect(bad).unwrap_err(),
                SaslError::Malformed {
                    mechanism: "T",
                    reason
                },
                "{bad:?}"
            );
        }
    }

    #[test]
    fn bearer_scheme() {
        assert_eq!(bearer_token(b"Bearer abc"), Some(&b"abc"[..]));
        assert_eq!(bearer_token(b"bEaReR  abc "), Some(&b"abc"[..]));
        assert_eq!(bearer_token(b"Bearer "), None);
        assert_eq!(bearer_token(b"Bearer"), None);
        assert_eq!(bearer_token(b""), None);
        assert_eq!(bearer_token(b"OAuth realm=x"), None);
    }
}
