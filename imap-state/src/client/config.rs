//! Client configuration: TLS policy, timers, limits.

use std::time::Duration;

use imapkit_codec::framer::{Direction, FramerConfig};
use imapkit_codec::LiteralPolicy;

/// What the client does about STARTTLS on a plaintext connection (RFC 9051
/// §6.2.1, RFC 8314). It does not apply to a connection that starts with TLS
/// ([`ConnectionSecurity::Tls`](crate::ConnectionSecurity::Tls), port 993),
/// which is the better choice wherever the server offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum StartTlsPolicy {
    /// Upgrade with STARTTLS before anything else, or fail with a
    /// [`TlsPolicyError`](crate::client::TlsPolicyError): when the server does
    /// not offer it, answers NO/BAD, or greets with PREAUTH on a plaintext
    /// connection (a downgrade: "NO STARTTLS", STARTTLS stripping). The default.
    #[default]
    Required,
    /// Upgrade with STARTTLS when the server offers it; go on in plaintext
    /// when it does not. An attacker on the path can strip the offer, so
    /// this protects only against passive eavesdroppers.
    Opportunistic,
    /// Never send STARTTLS (the application may still enqueue it by hand).
    Never,
}

/// How a [`Client`](crate::client::Client) behaves. Shared by connections via `Arc`.
///
/// ```
/// use std::time::Duration;
/// use imapkit_state::client::{ClientConfig, StartTlsPolicy};
///
/// let mut config = ClientConfig::default();
/// config.starttls = StartTlsPolicy::Required;
/// config.idle_refresh = Duration::from_secs(9 * 60); // a server that drops idle connections after 10 minutes
/// config.command_timeout = Some(Duration::from_secs(60));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientConfig {
    /// STARTTLS on a plaintext connection. Default [`StartTlsPolicy::Required`].
    pub starttls: StartTlsPolicy,
    /// Send passwords and bearer tokens (LOGIN, AUTHENTICATE PLAIN, LOGIN,
    /// XOAUTH2, OAUTHBEARER) on a connection that is not encrypted. Default
    /// `false`: such requests fail with
    /// [`UsageError::PlaintextCredentials`](crate::error::UsageError::PlaintextCredentials).
    pub allow_plaintext_credentials: bool,
    /// How long to wait for the server's greeting. Default 30 s.
    pub greeting_timeout: Duration,
    /// How long the server may stay silent while a command is in progress
    /// (IDLE excepted) before the connection is given up as dead; every
    /// received byte restarts it. `None` waits forever. Default 120 s.
    pub command_timeout: Option<Duration>,
    /// How long to stay in one IDLE before ending it with DONE and starting
    /// a new one (RFC 2177 §3: at most 29 minutes, because servers log
    /// out inactive clients after 30; some do after 10). Default 29 min.
    pub idle_refresh: Duration,
    /// Tags are this prefix and a counter. Default `"A"`.
    pub tag_prefix: String,
    /// Ask for CAPABILITY by itself when the server did not send them (after
    /// the greeting, STARTTLS and authentication). Default `true`.
    pub auto_capability: bool,
    /// Limits on what the server may send, enforced before buffering
    /// ([`FramerConfig`]; its `direction` is set by the client).
    pub framer: FramerConfig,
    /// Literal syntax for commands, instead of the one the server's
    /// capabilities call for ([`Capabilities::literal_policy`]). Default
    /// `None`. For replaying recorded commands as they were sent
    /// ([`LiteralPolicy::AsGiven`]: a recorded synchronizing literal waits
    /// for the recorded `+` even when the server announced `LITERAL+`), and
    /// for tests.
    ///
    /// [`Capabilities::literal_policy`]: super::Capabilities::literal_policy
    pub literal_policy: Option<LiteralPolicy>,
    /// How many events the client queues before it stops reading the input
    /// it holds: what arrived beyond them stays in its input buffer, read
    /// as [`Client::poll_event`](super::Client::poll_event) takes the
    /// queued ones, and [`Client::wants_read`](super::Client::wants_read)
    /// is `false` meanwhile. A response may queue a few events at once, so
    /// the queue can pass this by a few. Default 1024 (a 16 KiB read of `* 1
    /// EXISTS` lines makes 1365).
    pub max_queued_events: usize,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            starttls: StartTlsPolicy::Required,
            allow_plaintext_credentials: false,
            greeting_timeout: Duration::from_secs(30),
            command_timeout: Some(Duration::from_secs(120)),
            idle_refresh: Duration::from_secs(29 * 60),
            tag_prefix: "A".to_owned(),
            auto_capability: true,
            framer: FramerConfig::new(Direction::ServerToClient),
            literal_policy: None,
            max_queued_events: 1024,
        }
    }
}
