//! A [`MechanismFactory`] of the library's own server halves
//! ([`standard_mechanisms`]).

use std::sync::Arc;

use base64::Engine as _;
use imapkit_proto::AuthMechanism;

use super::config::{MechanismFactory, MechanismRequest};
use crate::sasl::login::LoginServer;
use crate::sasl::oauthbearer::OAuthBearerServer;
use crate::sasl::plain::PlainServer;
use crate::sasl::scram::{ScramHash, ScramServer};
use crate::sasl::xoauth2::XOAuth2Server;
use crate::sasl::{ChannelBinding, ServerMechanism};
use crate::security::ConnectionSecurity;

/// Creates the library's server half of each mechanism it implements, for
/// [`ServerConfig::sasl_factory`](super::ServerConfig::sasl_factory): list
/// the ones to offer in [`ServerConfig::sasl_mechanisms`](super::ServerConfig::sasl_mechanisms) and the session
/// runs them, asking the application only for the verdict
/// ([`Event::LoginAttempt`](super::Event::LoginAttempt)) and, for SCRAM,
/// the user's secrets ([`Event::ScramLookup`](super::Event::ScramLookup)).
///
/// - `PLAIN` (RFC 4616), `LOGIN`, `XOAUTH2` and `OAUTHBEARER` (RFC 7628):
///   the credentials or token come in the login attempt.
/// - `SCRAM-SHA-1` and `SCRAM-SHA-256` (RFC 5802, RFC 7677), and their
///   `-PLUS` variants (an `AuthMechanism::Other` named
///   `SCRAM-SHA-256-PLUS` or `SCRAM-SHA-1-PLUS`, offered only once the
///   connection has a `tls-exporter` value, RFC 9266). The server nonce
///   comes from [`ServerConfig::random`](super::ServerConfig::random):
///   without a random source SCRAM is not available (AUTHENTICATE answers
///   NO), since a predictable nonce would let a recorded exchange be
///   replayed. Unknown users get a made-up salt keyed per process (see
///   [`ScramServer::with_unknown_user_key`] for one stable across
///   restarts: write your own factory then).
/// - Any other name: `None` (AUTHENTICATE answers NO).
///
/// ```
/// use imapkit_proto::AuthMechanism;
/// use imapkit_state::server::{standard_mechanisms, ServerConfig};
///
/// let mut config = ServerConfig::default();
/// config.sasl_mechanisms = vec![AuthMechanism::ScramSha256, AuthMechanism::Plain];
/// config.sasl_factory = Some(standard_mechanisms());
/// config.random = Some(std::sync::Arc::new(|buf: &mut [u8]| {
///     // The application's CSPRNG (e.g. rustls's or getrandom's).
///     # buf.fill(7);
/// }));
/// ```
pub fn standard_mechanisms() -> MechanismFactory {
    Arc::new(standard_mechanism)
}

fn standard_mechanism(req: &MechanismRequest<'_>) -> Option<Box<dyn ServerMechanism>> {
    let (hash, plus) = match req.mechanism {
        AuthMechanism::Plain => return Some(Box::new(PlainServer::new())),
        AuthMechanism::Login => return Some(Box::new(LoginServer::new())),
        AuthMechanism::XOAuth2 => return Some(Box::new(XOAuth2Server::new())),
        AuthMechanism::OAuthBearer => return Some(Box::new(OAuthBearerServer::new())),
        AuthMechanism::ScramSha1 => (ScramHash::Sha1, false),
        AuthMechanism::ScramSha256 => (ScramHash::Sha256, false),
        AuthMechanism::Other(name) => {
            let name = name.as_bytes();
            if name.eq_ignore_ascii_case(b"SCRAM-SHA-256-PLUS") {
                (ScramHash::Sha256, true)
            } else if name.eq_ignore_ascii_case(b"SCRAM-SHA-1-PLUS") {
                (ScramHash::Sha1, true)
            } else {
                return None;
            }
        }
        _ => return None,
    };
    let binding = match (req.security, req.channel_binding) {
        (ConnectionSecurity::Tls, Some(value)) => ChannelBinding::TlsExporter(value.to_vec()),
        _ if plus => return None,
        _ => ChannelBinding::None,
    };
    let mut raw = [0u8; 18];
    if !req.fill_random(&mut raw) {
        return None;
    }
    // 24 base64 characters: printable, no ',' (RFC 5802 §7).
    let nonce = base64::engine::general_purpose::STANDARD.encode(raw);
    let server = ScramServer::new(hash, nonce, binding, req.plus_advertised);
    Some(Box::new(if plus {
        server.with_plus_variant()
    } else {
        server
    }))
}
