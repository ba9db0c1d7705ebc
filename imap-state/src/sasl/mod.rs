//! SASL mechanisms (RFC 4422) for `AUTHENTICATE` (RFC 9051 §6.2.2), both halves.
//!
//! A mechanism is a small state machine over the *decoded* SASL messages:
//! the session machines (`Client`,
//! `Server`) do the base64, the `+` lines, SASL-IR
//! (RFC 4959) and the `*` cancel; a mechanism only turns one message into
//! the next. Nothing here reads a clock, draws random numbers or does I/O:
//! nonces and salts come in from the caller, like time does.
//!
//! | mechanism | client | server | sends a reusable secret |
//! |---|---|---|---|
//! | `PLAIN` (RFC 4616) | [`plain::PlainClient`] | [`plain::PlainServer`] | yes, the password |
//! | `LOGIN` (draft-murchison-sasl-login) | [`login::LoginClient`] | [`login::LoginServer`] | yes, the password |
//! | `XOAUTH2` (Google, Microsoft) | [`xoauth2::XOAuth2Client`] | [`xoauth2::XOAuth2Server`] | yes, the bearer token |
//! | `OAUTHBEARER` (RFC 7628) | [`oauthbearer::OAuthBearerClient`] | [`oauthbearer::OAuthBearerServer`] | yes, the bearer token |
//! | `SCRAM-SHA-1`, `SCRAM-SHA-256` (RFC 5802, RFC 7677) | [`scram::ScramClient`] | [`scram::ScramServer`] | no |
//! | `SCRAM-SHA-1-PLUS`, `SCRAM-SHA-256-PLUS` with `tls-exporter` (RFC 9266) | [`scram::ScramClient`] | [`scram::ScramServer`] | no |
//!
//! Further mechanisms implement [`ClientMechanism`] or [`ServerMechanism`].
//!
//! Conventions all of them follow:
//! - A client-first mechanism whose [`ClientMechanism::respond`] is called
//!   before [`ClientMechanism::initial_response`] with an empty challenge
//!   (a server without SASL-IR asked with `+ `) answers with its first
//!   message; a server half started without an initial response asks with
//!   an empty challenge.
//! - An `Err` ends the exchange: the Client cancels it (`*`), the Server
//!   answers `BAD` or `NO`. A call out of order (a second `start`, a
//!   [`Supply`] nobody asked for) is [`SaslError::UnexpectedMessage`] and
//!   leaves the state as it was.
//! - Error values and `Debug` output name fields and reasons, never a
//!   password, token, key or proof.

use std::fmt;

use imapkit_proto::{AuthMechanism, Secret};

mod bearer;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod gs2;
pub mod login;
pub mod oauthbearer;
pub mod plain;
pub mod scram;
pub mod xoauth2;

/// Why a SASL exchange cannot go on.
///
/// Messages never contain a secret (no password, token, proof or key).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SaslError {
    /// The peer's message does not follow the mechanism's syntax.
    #[error("malformed {mechanism} message: {reason}")]
    Malformed {
        /// The mechanism's name.
        mechanism: &'static str,
        /// What is wrong, e.g. "missing nonce attribute".
        reason: &'static str,
    },
    /// A message arrived when the mechanism expected none (e.g. a challenge
    /// after the exchange is complete).
    #[error("{mechanism}: unexpected message in this step")]
    UnexpectedMessage {
        /// The mechanism's name.
        mechanism: &'static str,
    },
    /// The exchange ended (the server said OK) before the mechanism was done:
    /// for SCRAM, the server never proved that it knows the password.
    #[error("{mechanism}: exchange ended early")]
    Incomplete {
        /// The mechanism's name.
        mechanism: &'static str,
    },
    /// SCRAM client: the server's signature (`v=`) does not verify. The
    /// server does not know the password: treat it as an impostor.
    #[error("server signature does not verify")]
    ServerSignatureMismatch,
    /// SCRAM server: the client's proof does not verify (wrong password).
    #[error("client proof does not verify")]
    ProofMismatch,
    /// SCRAM: the channel binding data or flag does not match (a
    /// man-in-the-middle, or a downgrade from `-PLUS`).
    #[error("channel binding does not match")]
    ChannelBindingMismatch,
    /// SCRAM: the server's nonce does not start with the client's.
    #[error("server nonce does not extend the client nonce")]
    NonceMismatch,
    /// SCRAM: the server sent `e=` (RFC 5802 §7, `server-error-value`).
    #[error("server error: {0}")]
    ServerError(String),
    /// SCRAM: an iteration count below the mechanism's minimum (RFC 7677
    /// §4: 4096) or above the client's configured maximum.
    #[error("iteration count {0} refused")]
    IterationCount(u32),
    /// A user name or password cannot be prepared with SASLprep (RFC 4013),
    /// e.g. it holds a prohibited character.
    #[error("string refused by SASLprep")]
    SaslPrep,
    /// SCRAM: a nonce the caller supplied is unusable: shorter than
    /// [`scram::MIN_NONCE_LEN`] characters, or holding a character outside
    /// printable ASCII or a comma (RFC 5802 §7, `printable`).
    #[error("{0} nonce must be at least 18 printable ASCII characters without a comma")]
    InvalidNonce(&'static str),
    /// The user name contains a character the mechanism cannot carry (a NUL
    /// for PLAIN, `^A` for XOAUTH2 / OAUTHBEARER).
    #[error("{mechanism}: invalid character in {field}")]
    InvalidCharacter {
        /// The mechanism's name.
        mechanism: &'static str,
        /// Which field, e.g. "authcid".
        field: &'static str,
    },
}

/// The client half of a mechanism.
///
/// The `Client` calls
/// [`initial_response`](Self::initial_response) once, then
/// [`respond`](Self::respond) for each challenge, then
/// [`complete`](Self::complete) when the server answers OK.
pub trait ClientMechanism: Send + fmt::Debug {
    /// The mechanism's name, as sent in `AUTHENTICATE`.
    fn name(&self) -> AuthMechanism<'static>;

    /// Whether the exchange carries a secret that an eavesdropper could
    /// reuse (a password or a bearer token): the client refuses to run such
    /// a mechanism on a connection not marked encrypted, unless its policy
    /// allows it. `false` for SCRAM, which never sends the password.
    fn sends_reusable_secret(&self) -> bool;

    /// The client-first message, if the mechanism starts (`Some`; an empty
    /// one is sent as `=` with SASL-IR), or `None` if the server speaks first
    /// (LOGIN). Called once, before any [`respond`](Self::respond).
    fn initial_response(&mut self) -> Result<Option<Secret<Vec<u8>>>, SaslError>;

    /// The answer to a server challenge (already base64-decoded).
    fn respond(&mut self, challenge: &[u8]) -> Result<Secret<Vec<u8>>, SaslError>;

    /// The server answered OK: checks that the exchange is complete from the
    /// client's side. SCRAM fails here unless it received and verified the
    /// server's signature (RFC 5802 §5, mutual authentication).
    fn complete(&mut self) -> Result<(), SaslError>;

    /// What the server said when it failed the exchange inside the mechanism,
    /// for error reports: the JSON of an XOAUTH2 / OAUTHBEARER error
    /// challenge, the `e=` of SCRAM. Never a secret.
    fn failure_detail(&self) -> Option<&str> {
        None
    }
}

/// The server half of a mechanism.
///
/// The `Server` calls [`start`](Self::start) with
/// the initial response (if any), [`step`](Self::step) with each later
/// client message, and [`supply`](Self::supply) with the application's answer
/// to a [`ServerStep::Verify`] or [`ServerStep::LookupScram`].
pub trait ServerMechanism: Send + fmt::Debug {
    /// The mechanism's name.
    fn name(&self) -> AuthMechanism<'static>;

    /// Whether the client sends a reusable secret (password or bearer token):
    /// a server refuses such a mechanism before TLS unless configured otherwise.
    fn receives_reusable_secret(&self) -> bool;

    /// Starts the exchange. `initial` is the SASL-IR initial response
    /// (decoded; `Some(&[])` for `=`), or `None` if the client sent none.
    fn start(&mut self, initial: Option<&[u8]>) -> Result<ServerStep, SaslError>;

    /// The client's answer to the last [`ServerStep::Challenge`].
    fn step(&mut self, response: &[u8]) -> Result<ServerStep, SaslError>;

    /// The application's answer to the last [`ServerStep::Verify`] or
    /// [`ServerStep::LookupScram`].
    fn supply(&mut self, supply: Supply) -> Result<ServerStep, SaslError>;

    /// The user name the client has given so far, if the mechanism knows
    /// one before it reports it in a [`ServerStep`] (the `LOGIN`
    /// mechanism's first answer): the audit record of an exchange that
    /// ends early names it. `None` by default.
    fn user(&self) -> Option<&str> {
        None
    }

    /// Whether the client has proved its credentials and the exchange
    /// waits only for the client to acknowledge the server's last message
    /// (SCRAM's empty answer to `server-final-message`, RFC 5802 §5): an
    /// exchange that ends there instead is audited as
    /// [`AuthOutcome::Abandoned`](crate::server::AuthOutcome::Abandoned),
    /// not as cancelled or malformed. `false` by default.
    fn proven(&self) -> bool {
        false
    }
}

/// What a server mechanism needs next.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerStep {
    /// Send this challenge (`+ base64`) and wait for the client's answer.
    Challenge(Vec<u8>),
    /// The client presented credentials that only the application can check
    /// (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER); answer with [`Supply::Verdict`].
    Verify(Credentials),
    /// SCRAM: the application supplies the stored secrets of `identity.authcid`
    /// with [`Supply::Scram`] (`None` for an unknown user: the exchange then
    /// goes on with made-up secrets and fails at the proof, so that a client
    /// cannot tell unknown users from wrong passwords, RFC 5802 §5.1).
    LookupScram(Identity),
    /// The client is authenticated as this identity.
    Success(Identity),
    /// The exchange failed; the server answers `NO`.
    Failure(Failure),
}

/// Why a server mechanism failed an exchange (the tagged NO's reason).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Failure {
    /// Who tried, when the mechanism got that far.
    pub identity: Option<Identity>,
    /// What failed.
    pub reason: FailureReason,
}

/// What made a server mechanism fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureReason {
    /// The application rejected the credentials ([`Supply::Verdict`] `false`).
    Rejected,
    /// SCRAM: the proof did not verify, or the user is unknown (the two are
    /// reported alike on the wire; [`Failure::identity`] tells the log).
    BadProof,
    /// SCRAM: channel binding mismatch or a `-PLUS` downgrade.
    ChannelBinding,
    /// The client asked to act as another user (an authorization identity
    /// different from the authentication identity) and the mechanism does
    /// not allow it.
    Authorization,
}

/// The application's answer to a [`ServerStep::Verify`] or
/// [`ServerStep::LookupScram`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Supply {
    /// The credentials are valid (`true`) or not.
    Verdict(bool),
    /// The stored SCRAM secrets of the user, or `None` if there is no such user.
    Scram(Option<ScramSecrets>),
}

/// Who authenticates, and as whom (RFC 4422 §2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identity {
    /// The authentication identity (the user whose credentials are checked).
    pub authcid: String,
    /// The authorization identity, if the client asked to act as another user.
    pub authzid: Option<String>,
}

/// Credentials a server mechanism received, for the application to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Who.
    pub identity: Identity,
    /// The secret presented.
    pub secret: CredentialSecret,
}

/// The secret part of [`Credentials`]. `Debug` prints `<redacted>`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialSecret {
    /// A password (PLAIN, LOGIN, and the LOGIN command).
    Password(Secret<String>),
    /// An OAuth 2.0 bearer token (XOAUTH2, OAUTHBEARER).
    BearerToken(Secret<String>),
}

/// What a SCRAM server stores for a user instead of the password (RFC 5802 §3).
#[derive(Clone, PartialEq, Eq)]
pub struct ScramSecrets {
    /// The salt.
    pub salt: Vec<u8>,
    /// The PBKDF2 iteration count.
    pub iterations: u32,
    /// `H(ClientKey)`.
    pub stored_key: Vec<u8>,
    /// `HMAC(SaltedPassword, "Server Key")`.
    pub server_key: Vec<u8>,
}

impl fmt::Debug for ScramSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScramSecrets")
            .field("salt_len", &self.salt.len())
            .field("iterations", &self.iterations)
            .finish_non_exhaustive()
    }
}

/// Channel binding of a SCRAM `-PLUS` mechanism (RFC 5929, RFC 9266).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChannelBinding {
    /// No channel binding: the client sends `n` (it does not support it) or,
    /// with [`ChannelBinding::SupportedNotAdvertised`], `y`.
    None,
    /// The client supports channel binding but the server did not advertise
    /// a `-PLUS` mechanism (`y` in the GS2 header, RFC 5802 §6): a server that
    /// does advertise one fails the exchange (downgrade protection).
    SupportedNotAdvertised,
    /// `tls-exporter` (RFC 9266): the 32-byte value of the TLS exporter with
    /// label `EXPORTER-Channel-Binding` and an empty context, as the TLS
    /// library gives it (rustls: `export_keying_material`).
    ///
    /// An empty value binds to nothing and is never used as a binding:
    /// [`ScramClient::new`](scram::ScramClient::new) and
    /// [`ScramServer::new`](scram::ScramServer::new) take it as
    /// [`ChannelBinding::None`].
    TlsExporter(Vec<u8>),
}

impl fmt::Debug for ChannelBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => f.write_str("None"),
            Self::SupportedNotAdvertised => f.write_str("SupportedNotAdvertised"),
            Self::TlsExporter(v) => write!(f, "TlsExporter(<{} bytes>)", v.len()),
        }
    }
}
