//! Whether the connection under the session is encrypted.

/// What protects the bytes the application passes in and out.
///
/// The session machines never see TLS; the application tells them whether
/// the transport is encrypted, at the start ([`Tls`](Self::Tls) for
/// implicit TLS, port 993) or later (after STARTTLS). Credentials are only
/// sent (client) or accepted (server) on an encrypted connection unless the
/// configuration says otherwise (RFC 9051 §11.1, RFC 8314).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionSecurity {
    /// TLS is up (implicit TLS, or after STARTTLS).
    Tls,
    /// Plain TCP: STARTTLS may follow.
    Plaintext,
}
