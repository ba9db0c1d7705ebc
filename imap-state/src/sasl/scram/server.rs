//! The server half of SCRAM (RFC 5802 §5, RFC 7677, RFC 9266).

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::OnceLock;

use imapkit_proto::{AuthMechanism, Secret};

use super::attributes::{ClientFinal, ClientFirstBare, NAME};
use super::{
    b64, ct_eq, nonce_ok, saslprep_query, usable_binding, ScramHash, MIN_ITERATIONS, TLS_EXPORTER,
};
use crate::sasl::gs2::{self, CbindFlag};
use crate::sasl::{
    ChannelBinding, Failure, FailureReason, Identity, SaslError, ScramSecrets, ServerMechanism,
    ServerStep, Supply,
};

/// The server half of `SCRAM-SHA-1`, `SCRAM-SHA-256` and their `-PLUS`
/// variants.
///
/// The exchange:
/// 1. [`start`](ServerMechanism::start) with client-first (or `None`, then
///    an empty challenge asks for it) gives [`ServerStep::LookupScram`] with
///    the user name after SASLprep as a query string (RFC 5802 §5.1: code
///    points unassigned in Unicode 3.2 allowed);
/// 2. [`supply`](ServerMechanism::supply) with [`Supply::Scram`] gives the
///    server-first challenge. For an unknown user (`None`) the exchange goes
///    on with a made-up salt and keys, so that it looks the same as for a
///    wrong password, and fails at the proof
///    ([`FailureReason::BadProof`]). The made-up salt is an HMAC of the
///    user name under a secret key: the one given to
///    [`with_unknown_user_key`](Self::with_unknown_user_key), else a key
///    drawn at random once per process. Either way a client cannot compute
///    it from what it sees, and it stays the same from one exchange to the
///    next, like a real user's; without a configured key it changes when
///    the process restarts, which a patient client could notice;
/// 3. [`step`](ServerMechanism::step) with client-final checks the channel
///    binding, the nonce and the proof (compared in constant time) and gives
///    the server-final challenge (`v=`);
/// 4. `step` with the client's empty answer gives [`ServerStep::Success`].
///
/// Channel binding (RFC 5802 §6, RFC 9266): on the `-PLUS` mechanism
/// ([`with_plus_variant`](Self::with_plus_variant)) the client must send
/// `p=tls-exporter` and `c=` must hold this connection's exporter value.
/// On the plain mechanism, `y` (the client could bind but saw no `-PLUS`)
/// while `plus_advertised` is a downgrade attack and fails, and so does `p`.
/// Those failures are [`FailureReason::ChannelBinding`].
///
/// An authorization identity (`a=`) other than the user fails with
/// [`FailureReason::Authorization`] unless
/// [`allow_authzid`](Self::allow_authzid) was called; then
/// [`ServerStep::Success`] carries it and the application decides.
#[derive(Clone)]
pub struct ScramServer {
    hash: ScramHash,
    nonce: String,
    channel_binding: ChannelBinding,
    plus_advertised: bool,
    plus_variant: bool,
    allow_authzid: bool,
    unknown_user_key: Option<Secret<Vec<u8>>>,
    unknown_user_iterations: u32,
    state: State,
    /// The client's proof verified (server-final was sent), whatever the
    /// client answers it with.
    proven: bool,
}

#[derive(Clone)]
enum State {
    Start,
    AwaitClientFirst,
    AwaitSecrets(Exchange),
    AwaitClientFinal {
        exchange: Exchange,
        secrets: ScramSecrets,
        /// The user is unknown: the secrets are made up.
        unknown: bool,
        server_first: Vec<u8>,
    },
    AwaitAck(Identity),
    Done,
}

/// What the server keeps from client-first.
#[derive(Clone)]
struct Exchange {
    identity: Identity,
    /// The GS2 header as received.
    gs2_header: Vec<u8>,
    /// `client-first-message-bare` as received.
    bare: Vec<u8>,
    /// The client's nonce followed by ours.
    nonce: String,
    /// The client sent `p=tls-exporter`.
    bound: bool,
}

impl ScramServer {
    /// A server half for the plain (not `-PLUS`) mechanism with `hash`.
    ///
    /// `server_nonce` must be fresh for every exchange and unpredictable:
    /// at least 18 printable ASCII characters other than `,` from a
    /// cryptographically secure random generator (else
    /// [`SaslError::InvalidNonce`] from `start`). `channel_binding` is this
    /// connection's [`ChannelBinding::TlsExporter`] value when the server
    /// can bind (TLS is up), else [`ChannelBinding::None`];
    /// `plus_advertised` says whether the server offered the `-PLUS`
    /// variant on this connection (downgrade detection).
    ///
    /// An empty [`ChannelBinding::TlsExporter`] value cannot bind (RFC 9266:
    /// the value is 32 bytes of exported keying material) and counts as
    /// [`ChannelBinding::None`]: a client's `p=tls-exporter` then fails with
    /// [`FailureReason::ChannelBinding`].
    pub fn new(
        hash: ScramHash,
        server_nonce: String,
        channel_binding: ChannelBinding,
        plus_advertised: bool,
    ) -> Self {
        Self {
            hash,
            nonce: server_nonce,
            channel_binding: usable_binding(channel_binding),
            plus_advertised,
            plus_variant: false,
            allow_authzid: false,
            unknown_user_key: None,
            unknown_user_iterations: MIN_ITERATIONS,
            state: State::Start,
            proven: false,
        }
    }

    /// The client chose the `-PLUS` variant: it must bind to the channel
    /// with `tls-exporter`, and the name is `SCRAM-...-PLUS`.
    #[must_use]
    pub fn with_plus_variant(mut self) -> Self {
        self.plus_variant = true;
        self
    }

    /// Lets clients ask to act as another user (`a=`); the
    /// [`ServerStep::Success`] identity then carries it for the application
    /// to authorize.
    #[must_use]
    pub fn allow_authzid(mut self) -> Self {
        self.allow_authzid = true;
        self
    }

    /// A server-wide secret from which the made-up salt of an unknown user
    /// is derived (HMAC of the user name), so that it stays the same from
    /// one exchange to the next, like a real user's, across restarts and
    /// across the servers of a cluster too (without it, a key drawn once
    /// per process is used). Keep it secret and stable.
    #[must_use]
    pub fn with_unknown_user_key(mut self, key: Secret<Vec<u8>>) -> Self {
        self.unknown_user_key = Some(key);
        self
    }

    /// The iteration count announced for unknown users: use the one real
    /// users have (default [`MIN_ITERATIONS`]).
    #[must_use]
    pub fn with_unknown_user_iterations(mut self, iterations: u32) -> Self {
        self.unknown_user_iterations = iterations.max(1);
        self
    }

    fn failure(&mut self, identity: Option<Identity>, reason: FailureReason) -> ServerStep {
        self.state = State::Done;
        ServerStep::Failure(Failure { identity, reason })
    }

    fn client_first(&mut self, message: &[u8]) -> Result<ServerStep, SaslError> {
        self.state = State::Done;
        let header = gs2::parse_header(message, NAME)?;
        let bare = &message[header.len..];
        let parsed = ClientFirstBare::parse(bare)?;
        // RFC 5802 §5.1: the user name is a query string.
        let authcid = saslprep_query(&parsed.username)?;
        let identity = Identity {
            authcid,
            authzid: header.authzid,
        };
        let bound = match header.flag {
            CbindFlag::Required(TLS_EXPORTER)
                if self.plus_variant
                    && matches!(self.channel_binding, ChannelBinding::TlsExporter(_)) =>
            {
                true
            }
            CbindFlag::No if !self.plus_variant => false,
            CbindFlag::Yes if !self.plus_variant && !self.plus_advertised => false,
            _ => return Ok(self.failure(Some(identity), FailureReason::ChannelBinding)),
        };
        if !self.allow_authzid
            && identity
                .authzid
                .as_ref()
                .is_some_and(|a| *a != identity.authcid)
        {
            return Ok(self.failure(Some(identity), FailureReason::Authorization));
        }
        let nonce = format!("{}{}", parsed.nonce, self.nonce);
        self.state = State::AwaitSecrets(Exchange {
            identity: identity.clone(),
            gs2_header: message[..header.len].to_vec(),
            bare: bare.to_vec(),
            nonce,
            bound,
        });
        Ok(ServerStep::LookupScram(identity))
    }

    /// Salt and keys for a user that does not exist: HMACs of the user name
    /// under the configured key, or under [`process_key`]. (Not under the
    /// server nonce, which the client sees: the salt would tell it that the
    /// user does not exist.)
    fn made_up(&self, user: &str) -> ScramSecrets {
        let key = match &self.unknown_user_key {
            Some(k) => k.declassify().as_slice(),
            None => process_key(),
        };
        let derive = |label: &[u8]| self.hash.hmac(key, &[label, user.as_bytes()]);
        let mut salt = derive(b"salt\0");
        salt.truncate(16);
        ScramSecrets {
            salt,
            iterations: self.unknown_user_iterations,
            stored_key: derive(b"stored-key\0"),
            server_key: derive(b"server-key\0"),
        }
    }

    fn client_final(
        &mut self,
        message: &[u8],
        exchange: Exchange,
        secrets: &ScramSecrets,
        unknown: bool,
        server_first: &[u8],
    ) -> Result<ServerStep, SaslError> {
        let cf = ClientFinal::parse(message)?;
        let mut expected = exchange.gs2_header.clone();
        if let (true, ChannelBinding::TlsExporter(data)) = (exchange.bound, &self.channel_binding) {
            expected.extend_from_slice(data);
        }
        if !ct_eq(&cf.channel_binding, &expected) {
            return Ok(self.failure(Some(exchange.identity), FailureReason::ChannelBinding));
        }
        if cf.nonce != exchange.nonce {
            return Err(SaslError::Malformed {
                mechanism: NAME,
                reason: "nonce differs from server-first",
            });
        }
        let mut auth_message = exchange.bare.clone();
        auth_message.push(b',');
        auth_message.extend_from_slice(server_first);
        auth_message.push(b',');
        auth_message.extend_from_slice(cf.without_proof);

        // ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage); the proof
        // holds iff H(ClientKey) = StoredKey.
        let signature = self.hash.hmac(&secrets.stored_key, &[&auth_message]);
        let proven = cf.proof.len() == signature.len() && {
            let client_key: Vec<u8> = cf
                .proof
                .iter()
                .zip(&signature)
                .map(|(p, s)| p ^ s)
                .collect();
            ct_eq(&self.hash.digest(&client_key), &secrets.stored_key)
        };
        if !proven || unknown {
            return Ok(self.failure(Some(exchange.identity), FailureReason::BadProof));
        }
        let server_signature = self.hash.hmac(&secrets.server_key, &[&auth_message]);
        self.state = State::AwaitAck(exchange.identity);
        self.proven = true;
        Ok(ServerStep::Challenge(
            format!("v={}", b64(&server_signature)).into_bytes(),
        ))
    }
}

impl ServerMechanism for ScramServer {
    fn name(&self) -> AuthMechanism<'static> {
        self.hash.mechanism(self.plus_variant)
    }

    fn receives_reusable_secret(&self) -> bool {
        false
    }

    fn start(&mut self, initial: Option<&[u8]>) -> Result<ServerStep, SaslError> {
        if !matches!(self.state, State::Start) {
            return Err(SaslError::UnexpectedMessage { mechanism: NAME });
        }
        if !nonce_ok(&self.nonce) {
            self.state = State::Done;
            return Err(SaslError::InvalidNonce("server"));
        }
        match initial {
            Some(message) => self.client_first(message),
            None => {
                self.state = State::AwaitClientFirst;
                Ok(ServerStep::Challenge(Vec::new()))
            }
        }
    }

    fn step(&mut self, response: &[u8]) -> Result<ServerStep, SaslError> {
        match std::mem::replace(&mut self.state, State::Done) {
            State::AwaitClientFirst => self.client_first(response),
            State::AwaitClientFinal {
                exchange,
                secrets,
                unknown,
                server_first,
            } => self.client_final(response, exchange, &secrets, unknown, &server_first),
            State::AwaitAck(identity) if response.is_empty() => Ok(ServerStep::Success(identity)),
            State::AwaitAck(_) => Err(SaslError::Malformed {
                mechanism: NAME,
                reason: "expected an empty response to server-final",
            }),
            other => {
                self.state = other;
                Err(SaslError::UnexpectedMessage { mechanism: NAME })
            }
        }
    }

    fn proven(&self) -> bool {
        self.proven
    }

    fn supply(&mut self, supply: Supply) -> Result<ServerStep, SaslError> {
        let Supply::Scram(secrets) = supply else {
            return Err(SaslError::UnexpectedMessage { mechanism: NAME });
        };
        let exchange = match std::mem::replace(&mut self.state, State::Done) {
            State::AwaitSecrets(exchange) => exchange,
            other => {
                self.state = other;
                return Err(SaslError::UnexpectedMessage { mechanism: NAME });
            }
        };
        let (secrets, unknown) = match secrets {
            Some(s) => (s, false),
            None => (self.made_up(&exchange.identity.authcid), true),
        };
        // A record that cannot make a valid server-first (RFC 5802 §7:
        // `posit-number`, a non-empty base64 value) is the application's
        // error; the exchange ends.
        if secrets.iterations == 0 {
            return Err(SaslError::IterationCount(0));
        }
        if secrets.salt.is_empty() {
            return Err(SaslError::Malformed {
                mechanism: NAME,
                reason: "stored secrets have an empty salt",
            });
        }
        let server_first = format!(
            "r={},s={},i={}",
            exchange.nonce,
            b64(&secrets.salt),
            secrets.iterations
        )
        .into_bytes();
        self.state = State::AwaitClientFinal {
            exchange,
            secrets,
            unknown,
            server_first: server_first.clone(),
        };
        Ok(ServerStep::Challenge(server_first))
    }
}

impl fmt::Debug for ScramServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScramServer")
            .field("mechanism", &self.name())
            .field("channel_binding", &self.channel_binding)
            .field("plus_advertised", &self.plus_advertised)
            .field("allow_authzid", &self.allow_authzid)
            .field("unknown_user_key", &self.unknown_user_key)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Start => f.write_str("Start"),
            Self::AwaitClientFirst => f.write_str("AwaitClientFirst"),
            Self::AwaitSecrets(e) => f.debug_tuple("AwaitSecrets").field(&e.identity).finish(),
            Self::AwaitClientFinal { exchange, .. } => f
                .debug_tuple("AwaitClientFinal")
                .field(&exchange.identity)
                .finish(),
            Self::AwaitAck(identity) => f.debug_tuple("AwaitAck").field(identity).finish(),
            Self::Done => f.write_str("Done"),
        }
    }
}

/// A secret key drawn once per process, for the made-up salts of unknown
/// users when no key is configured: the output of std's `RandomState`
/// hasher, whose SipHash keys std seeds from the operating system's random
/// source (its HashDoS defence). The library adds no dependency and does
/// no I/O of its own for it.
fn process_key() -> &'static [u8] {
    static KEY: OnceLock<[u8; 32]> = OnceLock::new();
    KEY.get_or_init(|| {
        let state = RandomState::new();
        let mut key = [0u8; 32];
        for (i, chunk) in key.chunks_exact_mut(8).enumerate() {
            chunk.copy_from_slice(&state.hash_one(i).to_le_bytes());
        }
        key
    })
}
