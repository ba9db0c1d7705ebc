//! Who may log in, and how: the users file's passwords for LOGIN, PLAIN and
//! the SASL LOGIN mechanism, SCRAM-SHA-256 secrets derived from them at
//! start (RFC 5802 §3, RFC 7677), and the session configuration that
//! offers these mechanisms.

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine as _;
use imapkit_proto::{Atom, AuthMechanism, Capability, Secret};
use imapkit_state::sasl::login::LoginServer;
use imapkit_state::sasl::plain::PlainServer;
use imapkit_state::sasl::scram::{ScramHash, ScramServer};
use imapkit_state::sasl::{
    ChannelBinding, CredentialSecret, Credentials, SaslError, ScramSecrets, ServerMechanism,
};
use imapkit_state::server::{
    AuthVerdict, LiteralSupport, MechanismFactory, MechanismRequest, RandomSource, ServerConfig,
};
use imapkit_state::ConnectionSecurity;

use crate::store::{StoreConfig, Users};

/// PBKDF2 iterations of the SCRAM secrets (RFC 7677 §4 asks for at least 4096).
pub const SCRAM_ITERATIONS: u32 = 4096;

/// The `-PLUS` variant's name (channel binding, RFC 5802 §6).
const SCRAM_SHA_256_PLUS: &str = "SCRAM-SHA-256-PLUS";

/// The accounts of the demo server, as authentication sees them.
///
/// `Debug` names the users only; neither passwords nor SCRAM keys appear.
pub struct Accounts {
    users: Users,
    scram: HashMap<String, ScramSecrets>,
    /// Server-wide secret from which unknown users' made-up salts come
    /// (so that SCRAM does not tell unknown users from wrong passwords).
    unknown_user_key: Secret<Vec<u8>>,
}

impl Accounts {
    /// Derives every user's SCRAM-SHA-256 secrets with a fresh random salt
    /// and [`SCRAM_ITERATIONS`]. Fails for a password SASLprep refuses.
    pub fn new(users: Users) -> Result<Self, (String, SaslError)> {
        let mut scram = HashMap::new();
        for name in users.names() {
            let Some(password) = users.password(name) else {
                continue;
            };
            let mut salt = [0u8; 16];
            secure_random(&mut salt);
            let secrets = ScramSecrets::derive(
                ScramHash::Sha256,
                password.declassify(),
                &salt,
                SCRAM_ITERATIONS,
            )
            .map_err(|e| (name.to_string(), e))?;
            scram.insert(name.to_string(), secrets);
        }
        let mut key = vec![0u8; 32];
        secure_random(&mut key);
        Ok(Self {
            users,
            scram,
            unknown_user_key: Secret::new(key),
        })
    }

    /// The users.
    pub fn users(&self) -> &Users {
        &self.users
    }

    /// The verdict on credentials a client presented (LOGIN, PLAIN, SASL
    /// LOGIN). Only passwords are accepted; an authorization identity
    /// other than the user is refused (the demo has no admin users).
    pub fn verdict(&self, credentials: &Credentials) -> AuthVerdict {
        let identity = &credentials.identity;
        if identity
            .authzid
            .as_ref()
            .is_some_and(|z| *z != identity.authcid)
        {
            return AuthVerdict::AuthorizationFailed;
        }
        match &credentials.secret {
            CredentialSecret::Password(p)
                if self.users.verify(&identity.authcid, p.declassify()) =>
            {
                AuthVerdict::Accept
            }
            _ => AuthVerdict::Reject,
        }
    }

    /// A user's SCRAM-SHA-256 secrets (`None`: unknown user).
    pub fn scram(&self, user: &str) -> Option<ScramSecrets> {
        self.scram.get(user).cloned()
    }

    /// The session configuration of the demo server: its capabilities,
    /// LITERAL+, the SASL mechanisms PLAIN, LOGIN, SCRAM-SHA-256 and
    /// SCRAM-SHA-256-PLUS (offered once a channel-binding value is known),
    /// randomness from the TLS library, and limits that fit the store.
    pub fn server_config(self: &Arc<Self>, store: &StoreConfig) -> ServerConfig {
        let mut config = ServerConfig::default();
        config.greeting = "imapkit demo server ready".to_owned();
        config.capabilities = capabilities(store.max_message_size);
        config.literals = LiteralSupport::Plus;
        config.sasl_mechanisms = vec![
            AuthMechanism::ScramSha256,
            plus_mechanism(),
            AuthMechanism::Plain,
            AuthMechanism::Login,
        ];
        config.sasl_factory = Some(self.factory());
        let random: RandomSource = Arc::new(secure_random);
        config.random = Some(random);
        let limit = store.max_message_size;
        config.limits.max_append_literal = limit;
        config.limits.max_message = config.limits.max_message.max(
            usize::try_from(limit)
                .unwrap_or(usize::MAX)
                .saturating_add(64 * 1024),
        );
        config
    }

    /// Creates the server half of a mechanism for one AUTHENTICATE.
    fn factory(self: &Arc<Self>) -> MechanismFactory {
        let accounts = Arc::clone(self);
        Arc::new(move |req: &MechanismRequest<'_>| accounts.mechanism(req))
    }

    fn mechanism(&self, req: &MechanismRequest<'_>) -> Option<Box<dyn ServerMechanism>> {
        let name = String::from_utf8_lossy(req.mechanism.as_bytes()).to_ascii_uppercase();
        let bound = match (req.security, req.channel_binding) {
            (ConnectionSecurity::Tls, Some(value)) => Some(value.to_vec()),
            _ => None,
        };
        let scram = |binding: ChannelBinding| -> Option<ScramServer> {
            let mut raw = [0u8; 18];
            if !req.fill_random(&mut raw) {
                return None;
            }
            // 24 base64 characters: printable, no ',' (RFC 5802 §7).
            let nonce = base64::engine::general_purpose::STANDARD.encode(raw);
            Some(
                ScramServer::new(ScramHash::Sha256, nonce, binding, bound.is_some())
                    .with_unknown_user_key(self.unknown_user_key.clone())
                    .with_unknown_user_iterations(SCRAM_ITERATIONS),
            )
        };
        Some(match name.as_str() {
            "PLAIN" => Box::new(PlainServer::new()),
            "LOGIN" => Box::new(LoginServer::new()),
            "SCRAM-SHA-256" => {
                let binding = bound
                    .clone()
                    .map_or(ChannelBinding::None, ChannelBinding::TlsExporter);
                Box::new(scram(binding)?)
            }
            SCRAM_SHA_256_PLUS => {
                let value = bound.clone()?;
                Box::new(scram(ChannelBinding::TlsExporter(value))?.with_plus_variant())
            }
            _ => return None,
        })
    }
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounts")
            .field("users", &self.users)
            .finish_non_exhaustive()
    }
}

/// What the demo server advertises after login (RFC 9051 §7.2.2); the
/// session adds the login-time ones (STARTTLS, AUTH=, LITERAL+).
fn capabilities(append_limit: u64) -> Vec<Capability<'static>> {
    let atom = |s: &str| Atom::try_from(s.to_string()).expect("a constant atom");
    vec![
        Capability::Imap4Rev2,
        Capability::Imap4Rev1,
        Capability::Idle,
        Capability::Namespace,
        Capability::UidPlus,
        Capability::Move,
        Capability::Unselect,
        Capability::Enable,
        Capability::Id,
        Capability::CondStore,
        Capability::Acl,
        Capability::Rights(atom("texk")),
        Capability::SpecialUse,
        Capability::CreateSpecialUse,
        Capability::ListExtended,
        Capability::ListStatus,
        Capability::Children,
        Capability::Binary,
        Capability::ESearch,
        Capability::SearchRes,
        Capability::StatusSize,
        Capability::AppendLimit(atom(&append_limit.to_string())),
    ]
}

fn plus_mechanism() -> AuthMechanism<'static> {
    AuthMechanism::Other(Atom::try_from(SCRAM_SHA_256_PLUS).expect("a constant atom"))
}

/// Fills `buf` from the TLS library's secure random generator (ring's
/// system generator behind rustls' provider API).
pub fn secure_random(buf: &mut [u8]) {
    #[allow(deprecated)] // see blocking::crypto_provider on the ring provider
    let provider = rustls::crypto::ring::default_provider();
    // The system generator fails only when the OS has no random source, and
    // a server without one must not run: no nonce or salt could be trusted.
    provider
        .secure_random
        .fill(buf)
        .expect("the operating system's random generator works");
}
