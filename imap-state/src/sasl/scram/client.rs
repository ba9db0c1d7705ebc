//! The client half of SCRAM (RFC 5802 §5, RFC 7677, RFC 9266).

use std::fmt;

use imapkit_proto::{AuthMechanism, Secret};

use super::attributes::{ServerFinal, ServerFirst, NAME};
use super::{
    b64, nonce_ok, saslprep, saslprep_query, usable_binding, Keys, ScramHash,
    DEFAULT_MAX_ITERATIONS, MIN_ITERATIONS, TLS_EXPORTER,
};
use crate::sasl::gs2::{self, CbindFlag};
use crate::sasl::{ChannelBinding, ClientMechanism, SaslError};

/// The client half of `SCRAM-SHA-1`, `SCRAM-SHA-256` and their `-PLUS`
/// variants.
///
/// The mechanism is `-PLUS` when the channel binding is
/// [`ChannelBinding::TlsExporter`] (the GS2 flag is then
/// `p=tls-exporter`); with [`ChannelBinding::SupportedNotAdvertised`] the
/// flag is `y` (the client could bind but the server offered no `-PLUS`),
/// with [`ChannelBinding::None`] it is `n`.
///
/// Checks, in order of the exchange:
/// - before sending: the nonce (at least [`MIN_NONCE_LEN`](super::MIN_NONCE_LEN)
///   printable characters, else [`SaslError::InvalidNonce`]); user name and
///   password through SASLprep (RFC 4013; [`SaslError::SaslPrep`]), the
///   user name as a query string (code points unassigned in Unicode 3.2
///   allowed, RFC 5802 §5.1), the password as a stored string;
/// - server-first: its nonce starts with ours and adds to it
///   ([`SaslError::NonceMismatch`]), the salt is base64, the iteration count
///   is between [`MIN_ITERATIONS`] and the maximum
///   ([`DEFAULT_MAX_ITERATIONS`] unless [`with_max_iterations`](Self::with_max_iterations);
///   [`SaslError::IterationCount`]);
/// - server-final: `v=` must be the server's signature
///   ([`SaslError::ServerSignatureMismatch`]: the server does not know the
///   password), `e=` is [`SaslError::ServerError`] (and
///   [`failure_detail`](ClientMechanism::failure_detail));
/// - [`complete`](ClientMechanism::complete) fails unless `v=` verified: a
///   server that says OK without proving itself is not trusted.
#[derive(Clone)]
pub struct ScramClient {
    hash: ScramHash,
    authcid: String,
    authzid: Option<String>,
    password: Secret<String>,
    nonce: String,
    channel_binding: ChannelBinding,
    max_iterations: u32,
    state: State,
    error: Option<String>,
}

#[derive(Clone)]
enum State {
    Start,
    /// client-first sent.
    First {
        gs2_header: Vec<u8>,
        bare: String,
    },
    /// client-final sent; the server's signature is `HMAC(server_key, auth_message)`.
    Final {
        server_key: Secret<Vec<u8>>,
        auth_message: Vec<u8>,
    },
    Verified,
    Failed,
}

impl ScramClient {
    /// A client that authenticates as `authcid` with `password`.
    ///
    /// `client_nonce` must be fresh for every exchange and unpredictable: at
    /// least 18 printable ASCII characters other than `,`, from a
    /// cryptographically secure random generator (e.g. 18 random bytes in
    /// base64). `channel_binding` selects the variant (see the type's docs).
    ///
    /// An empty [`ChannelBinding::TlsExporter`] value cannot bind (RFC 9266:
    /// the value is 32 bytes of exported keying material) and counts as
    /// [`ChannelBinding::None`]: the client names the plain mechanism
    /// (`SCRAM-SHA-256`, not `-PLUS`) and sends the GS2 flag `n`.
    pub fn new(
        hash: ScramHash,
        authcid: impl Into<String>,
        password: Secret<String>,
        client_nonce: String,
        channel_binding: ChannelBinding,
    ) -> Self {
        Self {
            hash,
            authcid: authcid.into(),
            authzid: None,
            password,
            nonce: client_nonce,
            channel_binding: usable_binding(channel_binding),
            max_iterations: DEFAULT_MAX_ITERATIONS,
            state: State::Start,
            error: None,
        }
    }

    /// Asks to act as `authzid` (another user) once authenticated.
    #[must_use]
    pub fn with_authzid(mut self, authzid: impl Into<String>) -> Self {
        self.authzid = Some(authzid.into());
        self
    }

    /// The largest iteration count accepted from the server (each costs two
    /// HMACs here). Values below [`MIN_ITERATIONS`] act as [`MIN_ITERATIONS`].
    #[must_use]
    pub fn with_max_iterations(mut self, max: u32) -> Self {
        self.max_iterations = max.max(MIN_ITERATIONS);
        self
    }

    /// The GS2 flag this client sends.
    fn flag(&self) -> CbindFlag<'static> {
        match self.channel_binding {
            ChannelBinding::TlsExporter(_) => CbindFlag::Required(TLS_EXPORTER),
            ChannelBinding::SupportedNotAdvertised => CbindFlag::Yes,
            _ => CbindFlag::No,
        }
    }

    fn client_first(&mut self) -> Result<Secret<Vec<u8>>, SaslError> {
        if !nonce_ok(&self.nonce) {
            return Err(SaslError::InvalidNonce("client"));
        }
        // RFC 5802 §5.1: the user name is a query string.
        let username = saslprep_query(&self.authcid)?;
        // Checked now so that a bad password fails before anything is sent.
        saslprep(self.password.declassify())?;
        let mut gs2_header = Vec::new();
        gs2::write_header(&mut gs2_header, self.flag(), self.authzid.as_deref());
        let bare = format!("n={},r={}", gs2::escape_saslname(&username), self.nonce);
        let mut message = gs2_header.clone();
        message.extend_from_slice(bare.as_bytes());
        self.state = State::First { gs2_header, bare };
        Ok(Secret::new(message))
    }

    fn client_final(
        &mut self,
        server_first: &[u8],
        gs2_header: &[u8],
        bare: &str,
    ) -> Result<(Secret<Vec<u8>>, State), SaslError> {
        if let Some(error) = server_error(server_first) {
            self.error = Some(error.clone());
            return Err(SaslError::ServerError(error));
        }
        let sf = ServerFirst::parse(server_first)?;
        if sf.nonce.len() <= self.nonce.len() || !sf.nonce.starts_with(&self.nonce) {
            return Err(SaslError::NonceMismatch);
        }
        if !(MIN_ITERATIONS..=self.max_iterations).contains(&sf.iterations) {
            return Err(SaslError::IterationCount(sf.iterations));
        }
        let password = saslprep(self.password.declassify())?;
        let salted = self
            .hash
            .salted_password(password.as_bytes(), &sf.salt, sf.iterations);
        let keys = Keys::new(self.hash, &salted);

        let mut cbind_input = gs2_header.to_vec();
        if let ChannelBinding::TlsExporter(data) = &self.channel_binding {
            cbind_input.extend_from_slice(data);
        }
        let without_proof = format!("c={},r={}", b64(&cbind_input), sf.nonce);
        let mut auth_message =
            Vec::with_capacity(bare.len() + server_first.len() + without_proof.len() + 2);
        auth_message.extend_from_slice(bare.as_bytes());
        auth_message.push(b',');
        auth_message.extend_from_slice(server_first);
        auth_message.push(b',');
        auth_message.extend_from_slice(without_proof.as_bytes());

        let signature = self.hash.hmac(&keys.stored_key, &[&auth_message]);
        let proof: Vec<u8> = keys
            .client_key
            .iter()
            .zip(&signature)
            .map(|(k, s)| k ^ s)
            .collect();
        let message = format!("{without_proof},p={}", b64(&proof));
        Ok((
            Secret::new(message.into_bytes()),
            State::Final {
                server_key: Secret::new(keys.server_key),
                auth_message,
            },
        ))
    }

    fn server_final(
        &mut self,
        message: &[u8],
        server_key: &[u8],
        auth_message: &[u8],
    ) -> Result<(), SaslError> {
        match ServerFinal::parse(message)? {
            ServerFinal::Verifier(v) => {
                if self.hash.hmac_verify(server_key, &[auth_message], &v) {
                    Ok(())
                } else {
                    Err(SaslError::ServerSignatureMismatch)
                }
            }
            ServerFinal::Error(e) => {
                self.error = Some(e.to_owned());
                Err(SaslError::ServerError(e.to_owned()))
            }
        }
    }
}

impl ClientMechanism for ScramClient {
    fn name(&self) -> AuthMechanism<'static> {
        self.hash.mechanism(matches!(
            self.channel_binding,
            ChannelBinding::TlsExporter(_)
        ))
    }

    fn sends_reusable_secret(&self) -> bool {
        false
    }

    fn initial_response(&mut self) -> Result<Option<Secret<Vec<u8>>>, SaslError> {
        match self.state {
            State::Start => self.client_first().map(Some),
            _ => Err(SaslError::UnexpectedMessage { mechanism: NAME }),
        }
    }

    /// Before client-first went out, an empty challenge asks for it (a
    /// server without SASL-IR). Then the server-first message gets the
    /// client-final one, and the server-final message an empty response
    /// once its signature verifies.
    fn respond(&mut self, challenge: &[u8]) -> Result<Secret<Vec<u8>>, SaslError> {
        let state = std::mem::replace(&mut self.state, State::Failed);
        let result = match &state {
            State::Start if challenge.is_empty() => {
                self.state = State::Start;
                return self.client_first();
            }
            State::First { gs2_header, bare } => self
                .client_final(challenge, gs2_header, bare)
                .map(|(message, next)| {
                    self.state = next;
                    message
                }),
            State::Final {
                server_key,
                auth_message,
            } => self
                .server_final(challenge, server_key.declassify(), auth_message)
                .map(|()| {
                    self.state = State::Verified;
                    Secret::new(Vec::new())
                }),
            _ => Err(SaslError::UnexpectedMessage { mechanism: NAME }),
        };
        result
    }

    fn complete(&mut self) -> Result<(), SaslError> {
        match self.state {
            State::Verified => Ok(()),
            _ => Err(SaslError::Incomplete { mechanism: NAME }),
        }
    }

    fn failure_detail(&self) -> Option<&str> {
        self.error.as_deref()
    }
}

impl fmt::Debug for ScramClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScramClient")
            .field("mechanism", &self.name())
            .field("authcid", &self.authcid)
            .field("authzid", &self.authzid)
            .field("password", &self.password)
            .field("channel_binding", &self.channel_binding)
            .field("max_iterations", &self.max_iterations)
            .field("state", &self.state)
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Start => "Start",
            Self::First { .. } => "ClientFirstSent",
            Self::Final { .. } => "ClientFinalSent",
            Self::Verified => "Verified",
            Self::Failed => "Failed",
        })
    }
}

/// The value of an `e=` sent in place of server-first. RFC 5802 §7 has no
/// such message, but a server that fails at the first step has no other
/// way to say why; reading it gives the reason to
/// [`failure_detail`](ClientMechanism::failure_detail).
fn server_error(message: &[u8]) -> Option<String> {
    let value = message.strip_prefix(b"e=")?;
    let value = value.split(|&b| b == b',').next().unwrap_or_default();
    Some(String::from_utf8_lossy(value).into_owned())
}
