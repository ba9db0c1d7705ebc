//! Who may log in, and how: the users file's passwords for LOGIN, PLAIN and
//! the SASL LOGIN mechanism, SCRAM-SHA-256 secrets derived from them at
//! start (RFC 5802 §3, RFC 7677), and the session configuration that
//! offers these mechanisms.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
    /// Failed logins across connections (the library's throttle counts
    /// one connection's).
    guard: Mutex<LoginGuard>,
}

/// Failed logins of the last [`LoginGuard::WINDOW`], by user and address
/// and by address alone: a client that opens a new connection for every
/// guess is refused (`NO [UNAVAILABLE]`, the password not even checked)
/// once it failed [`LoginGuard::PER_USER`] times for one user from one
/// address, or [`LoginGuard::PER_ADDRESS`] times from one address. Keyed
/// by the pair, so that guessing from one address does not lock the user
/// out from others. Kept in memory only; a demo policy.
#[derive(Debug, Default)]
pub(super) struct LoginGuard {
    by_user: HashMap<(Option<IpAddr>, String), (u32, Instant)>,
    by_address: HashMap<Option<IpAddr>, (u32, Instant)>,
}

impl LoginGuard {
    /// How long failures are remembered.
    pub(super) const WINDOW: Duration = Duration::from_secs(15 * 60);
    /// Failures for one user from one address before refusing.
    pub(super) const PER_USER: u32 = 10;
    /// Failures from one address, any user, before refusing.
    pub(super) const PER_ADDRESS: u32 = 50;
    /// Entries kept at most in each map: expired ones are dropped when it
    /// is full, and while it stays full of recent ones (a flood from many
    /// addresses) new failures are not counted, so memory stays bounded.
    const MAX_ENTRIES: usize = 100_000;
    /// The bytes of a user name the key keeps (names may be as long as a
    /// command line).
    const MAX_NAME: usize = 256;

    fn recent(entry: Option<&(u32, Instant)>, now: Instant) -> u32 {
        entry.map_or(0, |&(n, at)| if now - at < Self::WINDOW { n } else { 0 })
    }

    /// The key of `user` from `peer`: the name cut to [`Self::MAX_NAME`]
    /// bytes (at a character boundary).
    fn key(peer: Option<IpAddr>, user: &str) -> (Option<IpAddr>, String) {
        let mut end = user.len().min(Self::MAX_NAME);
        while !user.is_char_boundary(end) {
            end -= 1;
        }
        (peer, user[..end].to_owned())
    }

    fn locked(&self, peer: Option<IpAddr>, user: &str, now: Instant) -> bool {
        Self::recent(self.by_user.get(&Self::key(peer, user)), now) >= Self::PER_USER
            || Self::recent(self.by_address.get(&peer), now) >= Self::PER_ADDRESS
    }

    fn failed(&mut self, peer: Option<IpAddr>, user: &str, now: Instant) {
        let full = |g: &Self| {
            g.by_user.len() >= Self::MAX_ENTRIES || g.by_address.len() >= Self::MAX_ENTRIES
        };
        if full(self) {
            self.by_user.retain(|_, (_, at)| now - *at < Self::WINDOW);
            self.by_address
                .retain(|_, (_, at)| now - *at < Self::WINDOW);
            if full(self) {
                return;
            }
        }
        for entry in [
            self.by_user
                .entry(Self::key(peer, user))
                .or_insert((0, now)),
            self.by_address.entry(peer).or_insert((0, now)),
        ] {
            let n = Self::recent(Some(entry), now);
            *entry = (n + 1, now);
        }
    }

    fn succeeded(&mut self, peer: Option<IpAddr>, user: &str) {
        self.by_user.remove(&Self::key(peer, user));
    }
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
            guard: Mutex::new(LoginGuard::default()),
        })
    }

    /// The users.
    pub fn users(&self) -> &Users {
        &self.users
    }

    /// The verdict on credentials a client presented (LOGIN, PLAIN, SASL
    /// LOGIN). Only passwords are accepted; an authorization identity
    /// other than the user is refused (the demo has no admin users).
    ///
    /// A client that failed too often from `peer` (`LoginGuard`) is
    /// refused with `Unavailable` before its password is checked.
    pub fn verdict(&self, credentials: &Credentials, peer: Option<IpAddr>) -> AuthVerdict {
        let identity = &credentials.identity;
        if self.locked(peer, &identity.authcid) {
            return AuthVerdict::Unavailable;
        }
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

    /// A user's SCRAM-SHA-256 secrets (`None`: unknown user, or a client
    /// refused by the `LoginGuard`: the exchange then fails at the proof).
    pub fn scram(&self, user: &str, peer: Option<IpAddr>) -> Option<ScramSecrets> {
        if self.locked(peer, user) {
            return None;
        }
        self.scram.get(user).cloned()
    }

    fn locked(&self, peer: Option<IpAddr>, user: &str) -> bool {
        let guard = self.guard.lock().unwrap_or_else(|e| e.into_inner());
        guard.locked(peer, user, Instant::now())
    }

    /// Counts an authentication attempt's outcome from the session's audit
    /// record (every mechanism reports there): failures towards the
    /// `LoginGuard`, a success clears the user's count from `peer`.
    pub fn note_attempt(&self, peer: Option<IpAddr>, user: Option<&str>, failed: bool, ok: bool) {
        let Some(user) = user else {
            return;
        };
        let mut guard = self.guard.lock().unwrap_or_else(|e| e.into_inner());
        if failed {
            guard.failed(peer, user, Instant::now());
        } else if ok {
            guard.succeeded(peer, user);
        }
    }

    /// The session configuration of the demo server: its capabilities,
    /// LITERAL+, APPEND messages checked before their data, the SASL mechanisms PLAIN, LOGIN, SCRAM-SHA-256 and
    /// SCRAM-SHA-256-PLUS (offered once a channel-binding value is known),
    /// randomness from the TLS library, and limits that fit the store.
    pub fn server_config(self: &Arc<Self>, store: &StoreConfig) -> ServerConfig {
        let mut config = ServerConfig::default();
        config.greeting = "imapkit demo server ready".to_owned();
        config.capabilities = capabilities(store.max_message_size);
        config.literals = LiteralSupport::Plus;
        // A missing mailbox or a message above APPENDLIMIT is refused
        // before the client sends it (`Event::AppendCheck`).
        config.check_appends = true;
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
                ScramServer::new(ScramHash::Sha256, nonce, binding, req.plus_advertised)
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
        // RFC 7162 §3.2: VANISHED, SELECT (QRESYNC ...), UID FETCH VANISHED.
        Capability::QResync,
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

#[cfg(test)]
mod guard_tests {
    use super::*;

    #[test]
    fn a_flood_of_names_keeps_the_maps_bounded() {
        let mut g = LoginGuard::default();
        let now = Instant::now();
        for k in 0..(LoginGuard::MAX_ENTRIES + 10) {
            let peer = Some(IpAddr::from([10, (k >> 16) as u8, (k >> 8) as u8, k as u8]));
            g.failed(peer, &format!("user{k}"), now);
        }
        assert!(g.by_user.len() <= LoginGuard::MAX_ENTRIES);
        assert!(g.by_address.len() <= LoginGuard::MAX_ENTRIES);
        // A long name is kept as a prefix.
        let mut g = LoginGuard::default();
        let long = "é".repeat(1000);
        for _ in 0..LoginGuard::PER_USER {
            g.failed(None, &long, now);
        }
        assert!(g.locked(None, &long, now));
        assert!(g
            .by_user
            .keys()
            .all(|(_, u)| u.len() <= LoginGuard::MAX_NAME));
    }
}
