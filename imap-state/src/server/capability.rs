//! The capabilities a session advertises, by state and connection
//! security (RFC 9051 §6.1.1, §6.2.3, §7.2.2).
//!
//! Before authentication only what a client needs to log in is listed: the
//! protocol revisions, `ID`, literal support, `SASL-IR`, `STARTTLS`, and
//! `AUTH=` for the mechanisms usable on this connection. While TLS is
//! required for credentials and the connection is plaintext, the
//! mechanisms that send a reusable secret are left out and `LOGINDISABLED`
//! is listed (RFC 9051 §6.2.3). After authentication, the application's
//! list is advertised in full.

use imapkit_proto::{AuthMechanism, Capability, Vec1};

use super::config::{LiteralSupport, ServerConfig};
use crate::security::ConnectionSecurity;

/// What decides the list.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context {
    pub(crate) authenticated: bool,
    pub(crate) security: ConnectionSecurity,
    /// A channel-binding value is known (for the `-PLUS` mechanisms).
    pub(crate) channel_binding: bool,
    /// Offer COMPRESS=DEFLATE (configured, not active yet).
    pub(crate) compress: bool,
}

/// The capability list for `ctx`.
pub(crate) fn list(config: &ServerConfig, ctx: Context) -> Vec1<Capability<'static>> {
    let revisions = config
        .capabilities
        .iter()
        .filter(|c| matches!(c, Capability::Imap4Rev2 | Capability::Imap4Rev1));
    let mut caps: Vec<Capability<'static>> = revisions.cloned().collect();
    if caps.is_empty() {
        caps.push(Capability::Imap4Rev1);
    }
    if ctx.authenticated {
        caps.extend(
            config
                .capabilities
                .iter()
                .filter(|c| is_application(c))
                .cloned(),
        );
    } else if config.capabilities.contains(&Capability::Id) {
        caps.push(Capability::Id);
    }
    if ctx.authenticated && ctx.compress && config.compress {
        // A constant atom.
        let deflate = imapkit_proto::Atom::try_from("DEFLATE").expect("an atom");
        caps.push(Capability::Compress(deflate));
    }
    match config.literals {
        LiteralSupport::Minus => caps.push(Capability::LiteralMinus),
        LiteralSupport::Plus => caps.push(Capability::LiteralPlus),
        LiteralSupport::None => {}
    }
    if !ctx.authenticated {
        let plaintext = ctx.security == ConnectionSecurity::Plaintext;
        let no_secrets = plaintext && config.tls_required_for_credentials;
        if plaintext && config.starttls {
            caps.push(Capability::StartTls);
        }
        if no_secrets || !config.login {
            caps.push(Capability::LoginDisabled);
        }
        let usable = config.sasl_mechanisms.iter().filter(|m| {
            !(no_secrets && sends_reusable_secret(m))
                && (!needs_channel_binding(m) || binding_usable(ctx.security, ctx.channel_binding))
        });
        let mut any = false;
        for m in usable {
            caps.push(Capability::Auth(m.clone()));
            any = true;
        }
        if any {
            caps.push(Capability::SaslIr);
        }
    }
    let mut caps = caps.into_iter();
    // The list starts with at least one revision.
    let mut out = Vec1::new(caps.next().unwrap_or(Capability::Imap4Rev1));
    for c in caps {
        out.push(c);
    }
    out
}

/// Capabilities of the application's list the session advertises as given
/// (the others describe the connection, which the session decides).
fn is_application(c: &Capability<'_>) -> bool {
    !matches!(
        c,
        Capability::Imap4Rev2
            | Capability::Imap4Rev1
            | Capability::StartTls
            | Capability::LoginDisabled
            | Capability::Auth(_)
            | Capability::SaslIr
            | Capability::LiteralPlus
            | Capability::LiteralMinus
            | Capability::Compress(_)
    )
}

/// Whether a mechanism, by its name, makes the client send a password or
/// bearer token (anything but SCRAM and EXTERNAL is assumed to). The
/// mechanism's own answer decides at AUTHENTICATE; this only shapes the
/// advertised list.
pub(crate) fn sends_reusable_secret(m: &AuthMechanism<'_>) -> bool {
    !matches!(
        m,
        AuthMechanism::ScramSha1 | AuthMechanism::ScramSha256 | AuthMechanism::External
    ) && !m.as_bytes().to_ascii_uppercase().starts_with(b"SCRAM-")
}

/// Whether the `-PLUS` mechanisms can run: TLS is up and its
/// channel-binding value is known.
pub(crate) fn binding_usable(security: ConnectionSecurity, known: bool) -> bool {
    security == ConnectionSecurity::Tls && known
}

/// Whether a mechanism needs channel binding (`-PLUS`, RFC 5802 §6).
pub(crate) fn needs_channel_binding(m: &AuthMechanism<'_>) -> bool {
    let b = m.as_bytes();
    b.len() > 5 && b[b.len() - 5..].eq_ignore_ascii_case(b"-PLUS")
}

#[cfg(test)]
mod tests {
    use imapkit_proto::Atom;

    use super::*;

    fn names(config: &ServerConfig, ctx: Context) -> String {
        list(config, ctx)
            .as_slice()
            .iter()
            .map(|c| {
                let (n, p) = c.parts();
                match p {
                    Some(p) => format!(
                        "{}={}",
                        String::from_utf8_lossy(n),
                        String::from_utf8_lossy(p)
                    ),
                    None => String::from_utf8_lossy(n).into_owned(),
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn config() -> ServerConfig {
        let mut c = ServerConfig::default();
        c.capabilities.push(Capability::Idle);
        c.capabilities.push(Capability::StartTls); // dropped: the session decides
        c.sasl_mechanisms = vec![
            AuthMechanism::ScramSha256,
            AuthMechanism::Other(Atom::try_from("SCRAM-SHA-256-PLUS").unwrap()),
            AuthMechanism::Plain,
        ];
        c
    }

    #[test]
    fn before_tls_no_reusable_secrets() {
        let ctx = Context {
            authenticated: false,
            security: ConnectionSecurity::Plaintext,
            channel_binding: false,
            compress: true,
        };
        assert_eq!(
            names(&config(), ctx),
            "IMAP4rev2 IMAP4rev1 LITERAL- STARTTLS LOGINDISABLED AUTH=SCRAM-SHA-256 SASL-IR"
        );
    }

    #[test]
    fn after_tls_every_mechanism_and_plus_with_binding() {
        let mut ctx = Context {
            authenticated: false,
            security: ConnectionSecurity::Tls,
            channel_binding: false,
            compress: true,
        };
        assert_eq!(
            names(&config(), ctx),
            "IMAP4rev2 IMAP4rev1 LITERAL- AUTH=SCRAM-SHA-256 AUTH=PLAIN SASL-IR"
        );
        ctx.channel_binding = true;
        assert_eq!(
            names(&config(), ctx),
            "IMAP4rev2 IMAP4rev1 LITERAL- AUTH=SCRAM-SHA-256 AUTH=SCRAM-SHA-256-PLUS AUTH=PLAIN SASL-IR"
        );
    }

    #[test]
    fn after_login_the_full_set() {
        let mut ctx = Context {
            authenticated: true,
            security: ConnectionSecurity::Tls,
            channel_binding: false,
            compress: true,
        };
        assert_eq!(names(&config(), ctx), "IMAP4rev2 IMAP4rev1 IDLE LITERAL-");
        let mut c = config();
        c.compress = true;
        assert_eq!(
            names(&c, ctx),
            "IMAP4rev2 IMAP4rev1 IDLE COMPRESS=DEFLATE LITERAL-"
        );
        ctx.compress = false;
        assert_eq!(names(&c, ctx), "IMAP4rev2 IMAP4rev1 IDLE LITERAL-");
    }

    #[test]
    fn mechanism_classes() {
        assert!(sends_reusable_secret(&AuthMechanism::Plain));
        assert!(sends_reusable_secret(&AuthMechanism::XOAuth2));
        assert!(!sends_reusable_secret(&AuthMechanism::ScramSha256));
        let plus = AuthMechanism::Other(Atom::try_from("scram-sha-256-plus").unwrap());
        assert!(!sends_reusable_secret(&plus));
        assert!(needs_channel_binding(&plus));
        assert!(!needs_channel_binding(&AuthMechanism::ScramSha256));
    }
}
