//! Command-line plumbing of the `client` example: arguments, TLS settings,
//! credentials from the environment, and errors named by their cause.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use imapkit_proto::{FlagFetch, IntoStatic, ResponseCode, Secret, SequenceSet};
use imapkit_state::client::{CloseReason, CommandError};
use imapkit_state::mailbox::MailboxChange;
use imapkit_state::sasl::ClientMechanism;

/// How to secure the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `--tls`: TLS from the first byte (port 993). The default.
    Tls,
    /// `--starttls`: plain TCP upgraded with STARTTLS, required (port 143).
    StartTls,
    /// `--plain`: no TLS at all (loopback tests only).
    Plain,
}

/// `--auth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    /// The LOGIN command.
    Login,
    /// AUTHENTICATE PLAIN (RFC 4616).
    Plain,
    /// AUTHENTICATE SCRAM-SHA-256 (RFC 7677), `-PLUS` over TLS when offered.
    ScramSha256,
    /// AUTHENTICATE XOAUTH2 (Gmail, Outlook).
    XOAuth2,
    /// AUTHENTICATE OAUTHBEARER (RFC 7628).
    OAuthBearer,
}

/// What to do once logged in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `list`
    List,
    /// `sync MAILBOX`
    Sync {
        /// The mailbox.
        mailbox: String,
    },
    /// `fetch MAILBOX UID`
    Fetch {
        /// The mailbox.
        mailbox: String,
        /// The message's UID.
        uid: u32,
    },
    /// `append MAILBOX FILE`
    Append {
        /// The mailbox.
        mailbox: String,
        /// The message file.
        file: PathBuf,
    },
    /// `idle MAILBOX [--for SECONDS]`
    Idle {
        /// The mailbox.
        mailbox: String,
        /// How long; `None`: until interrupted.
        seconds: Option<u64>,
    },
}

/// The parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    /// Connection security.
    pub mode: Mode,
    /// Server host name (checked against the certificate).
    pub host: String,
    /// Server port.
    pub port: u16,
    /// A PEM file of CA certificates to trust instead of the public roots.
    pub ca: Option<PathBuf>,
    /// The user name.
    pub user: String,
    /// How to authenticate.
    pub auth: AuthKind,
    /// What to do.
    pub command: Command,
}

/// How to call the example.
pub const USAGE: &str =
    "usage: client [--tls | --starttls | --plain] --host H --port P [--ca FILE] --user U \
[--auth login|plain|scram-sha-256|xoauth2|oauthbearer] (list | sync MAILBOX | fetch MAILBOX UID | \
append MAILBOX FILE | idle MAILBOX [--for SECONDS])
password from IMAP_PASSWORD, OAuth 2.0 token from IMAP_OAUTH_TOKEN";

impl Args {
    /// Parses the arguments (without the program name).
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut mode = Mode::Tls;
        let (mut host, mut port, mut ca, mut user) = (None, None, None, None);
        let mut auth = AuthKind::Login;
        let mut seconds = None;
        let mut words = Vec::new();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
            match arg.as_str() {
                "--tls" => mode = Mode::Tls,
                "--starttls" => mode = Mode::StartTls,
                "--plain" => mode = Mode::Plain,
                "--host" => host = Some(value("--host")?),
                "--port" => {
                    port = Some(
                        value("--port")?
                            .parse::<u16>()
                            .map_err(|e| format!("--port: {e}"))?,
                    )
                }
                "--ca" => ca = Some(PathBuf::from(value("--ca")?)),
                "--user" => user = Some(value("--user")?),
                "--for" => {
                    seconds = Some(
                        value("--for")?
                            .parse::<u64>()
                            .map_err(|e| format!("--for: {e}"))?,
                    )
                }
                "--auth" => {
                    auth = match value("--auth")?.to_ascii_lowercase().as_str() {
                        "login" => AuthKind::Login,
                        "plain" => AuthKind::Plain,
                        "scram-sha-256" => AuthKind::ScramSha256,
                        "xoauth2" => AuthKind::XOAuth2,
                        "oauthbearer" => AuthKind::OAuthBearer,
                        other => return Err(format!("unknown --auth {other}")),
                    }
                }
                flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
                _ => words.push(arg),
            }
        }
        let host = host.ok_or("--host is required")?;
        let port = port.unwrap_or(if mode == Mode::Tls { 993 } else { 143 });
        let user = user.ok_or("--user is required")?;
        let word = |i: usize| {
            words
                .get(i)
                .cloned()
                .ok_or_else(|| format!("{} needs more arguments", words[0]))
        };
        let command = match words.first().map(String::as_str) {
            Some("list") => Command::List,
            Some("sync") => Command::Sync { mailbox: word(1)? },
            Some("fetch") => Command::Fetch {
                mailbox: word(1)?,
                uid: word(2)?.parse().map_err(|e| format!("UID: {e}"))?,
            },
            Some("append") => Command::Append {
                mailbox: word(1)?,
                file: PathBuf::from(word(2)?),
            },
            Some("idle") => Command::Idle {
                mailbox: word(1)?,
                seconds,
            },
            Some(other) => return Err(format!("unknown command {other}")),
            None => return Err("a command is required".into()),
        };
        Ok(Self {
            mode,
            host,
            port,
            ca,
            user,
            auth,
            command,
        })
    }
}

/// Why the example failed, in the categories a user can act on.
#[derive(Debug)]
pub enum Failure {
    /// The TCP connection failed (refused, unreachable).
    Connect(std::io::Error),
    /// The TCP connection timed out.
    ConnectTimeout,
    /// The TLS handshake failed: certificate invalid, wrong name, expired.
    Tls(String),
    /// The server answered the TLS handshake in plaintext (a STARTTLS or
    /// non-IMAP port).
    NotTls,
    /// The server accepted the connection but did not finish the TLS
    /// handshake in time.
    TlsTimeout,
    /// The server refused the credentials.
    Auth(Box<CommandError>),
    /// The mailbox is missing or cannot be opened.
    Mailbox(String, Box<CommandError>),
    /// A command failed.
    Command(Box<CommandError>),
    /// The session ended.
    Closed(CloseReason),
    /// A read or write failed.
    Io(std::io::Error),
    /// Wrong use of the example.
    Usage(String),
}

impl Failure {
    /// A TLS handshake error, described by its cause.
    pub fn tls(e: std::io::Error) -> Self {
        let rustls = e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>());
        // A record that is no TLS record: plaintext (an IMAP greeting, an
        // HTTP answer), not a certificate problem.
        if let Some(rustls::Error::InvalidMessage(
            rustls::InvalidMessage::InvalidContentType
            | rustls::InvalidMessage::UnknownProtocolVersion,
        )) = rustls
        {
            return Self::NotTls;
        }
        Self::Tls(rustls.map(describe_tls).unwrap_or_else(|| e.to_string()))
    }

    /// The process exit status.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) => 2,
            Self::Connect(_) | Self::ConnectTimeout | Self::NotTls | Self::TlsTimeout => 3,
            Self::Tls(_) => 4,
            Self::Auth(_) => 5,
            Self::Mailbox(..) => 6,
            _ => 1,
        }
    }

    /// Advice for the user, where there is some.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Self::Connect(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                Some("nothing listens on that port: check the host and port (993 for TLS, 143 for STARTTLS)")
            }
            Self::ConnectTimeout => Some("a firewall may drop the connection, or the host is down"),
            Self::NotTls => Some("use --starttls on port 143, or the implicit TLS port 993 with --tls"),
            Self::TlsTimeout => Some("the port may not be a TLS port: try --starttls on port 143"),
            Self::Tls(_) => Some("check the host name against the certificate, or pass --ca for a private CA"),
            Self::Auth(e) if matches!(**e, CommandError::No { code: Some(ResponseCode::PrivacyRequired), .. }) => {
                Some("the server wants TLS before a password: use --tls or --starttls")
            }
            Self::Auth(_) => Some("check the user name and IMAP_PASSWORD; Gmail and Outlook need an app password or OAuth 2.0"),
            Self::Mailbox(..) => Some("list the mailboxes with the `list` command"),
            _ => None,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Connect(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                write!(f, "connection refused")
            }
            Self::Connect(e) => write!(f, "connection failed: {e}"),
            Self::ConnectTimeout => write!(f, "connection timed out"),
            Self::NotTls => write!(
                f,
                "the server does not speak TLS on this port (it answered in plaintext)"
            ),
            Self::TlsTimeout => write!(f, "TLS handshake timed out"),
            Self::Tls(why) => write!(f, "TLS: {why}"),
            Self::Auth(e) => write!(f, "authentication failed: {e}"),
            Self::Mailbox(name, e) => match &**e {
                CommandError::No {
                    code: Some(ResponseCode::NonExistent | ResponseCode::TryCreate),
                    ..
                } => {
                    write!(f, "mailbox {name} does not exist: {e}")
                }
                _ => write!(f, "mailbox {name}: {e}"),
            },
            Self::Command(e) => write!(f, "command failed: {e}"),
            Self::Closed(reason) => write!(f, "connection closed: {reason}"),
            Self::Io(e) => write!(f, "{e}"),
            Self::Usage(s) => f.write_str(s),
        }
    }
}

fn describe_tls(e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(
            C::NotValidForName | C::NotValidForNameContext { .. },
        ) => "certificate is for another host name".into(),
        rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => {
            "certificate expired".into()
        }
        rustls::Error::InvalidCertificate(C::UnknownIssuer) => {
            "certificate invalid: signed by an unknown CA (self-signed or private CA?)".into()
        }
        rustls::Error::InvalidCertificate(other) => format!("certificate invalid: {other:?}"),
        other => other.to_string(),
    }
}

impl Failure {
    /// A failed command.
    pub fn command(e: CommandError) -> Self {
        Self::Command(Box::new(e))
    }

    /// Failed authentication.
    pub fn auth(e: CommandError) -> Self {
        Self::Auth(Box::new(e))
    }

    /// A mailbox that cannot be used.
    pub fn mailbox(name: &str, e: CommandError) -> Self {
        Self::Mailbox(name.to_owned(), Box::new(e))
    }
}

/// A rustls client configuration trusting `ca_file`, or the public roots.
pub fn tls_config(ca_file: Option<&Path>) -> Result<Arc<rustls::ClientConfig>, Failure> {
    crate::blocking::tls_config(ca_file).map_err(|e| Failure::Usage(format!("--ca: {e}")))
}

/// The password from `IMAP_PASSWORD`.
pub fn password() -> Result<Secret<String>, Failure> {
    std::env::var("IMAP_PASSWORD")
        .map(Secret::new)
        .map_err(|_| Failure::Usage("set IMAP_PASSWORD".into()))
}

fn token() -> Result<Secret<String>, Failure> {
    std::env::var("IMAP_OAUTH_TOKEN")
        .map(Secret::new)
        .map_err(|_| Failure::Usage("set IMAP_OAUTH_TOKEN".into()))
}

/// The SASL mechanism for `--auth`. `exporter` is the TLS exporter value
/// (channel binding for SCRAM-SHA-256-PLUS), when TLS is up; `plus` says
/// whether the server offers SCRAM-SHA-256-PLUS.
pub fn mechanism(
    kind: AuthKind,
    args: &Args,
    exporter: Option<Vec<u8>>,
    plus: bool,
) -> Result<Box<dyn ClientMechanism>, Failure> {
    use imapkit_state::sasl::oauthbearer::OAuthBearerClient;
    use imapkit_state::sasl::plain::PlainClient;
    use imapkit_state::sasl::scram::{ScramClient, ScramHash};
    use imapkit_state::sasl::xoauth2::XOAuth2Client;
    use imapkit_state::sasl::ChannelBinding;
    Ok(match kind {
        AuthKind::Login | AuthKind::Plain => Box::new(PlainClient::new(&args.user, password()?)),
        AuthKind::ScramSha256 => {
            let binding = match exporter {
                Some(value) if plus => ChannelBinding::TlsExporter(value),
                Some(_) => ChannelBinding::SupportedNotAdvertised,
                None => ChannelBinding::None,
            };
            Box::new(ScramClient::new(
                ScramHash::Sha256,
                &args.user,
                password()?,
                nonce()?,
                binding,
            ))
        }
        AuthKind::XOAuth2 => Box::new(XOAuth2Client::new(&args.user, token()?)),
        AuthKind::OAuthBearer => Box::new(
            OAuthBearerClient::new(&args.user, token()?)
                .with_host(&args.host)
                .with_port(args.port),
        ),
    })
}

/// 18 random bytes in base64 for the SCRAM client nonce (RFC 5802 §5.1),
/// from the TLS library's secure random generator.
fn nonce() -> Result<String, Failure> {
    use base64::Engine as _;
    #[allow(deprecated)] // see blocking::tls_config on the ring provider
    let provider = rustls::crypto::ring::default_provider();
    let mut bytes = [0u8; 18];
    provider
        .secure_random
        .fill(&mut bytes)
        .map_err(|_| Failure::Usage("no secure random numbers".into()))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// A command from its text (after the tag), for fixed commands of the example.
pub fn command(line: &str) -> imapkit_proto::CommandBody<'static> {
    let text = format!("x {line}\r\n");
    match imapkit_codec::decode::command(text.as_bytes()) {
        Ok(imapkit_codec::Decoded::Complete { message, .. }) => message.body.into_static(),
        other => unreachable!("fixed command {line:?} decodes: {other:?}"),
    }
}

/// A mailbox attribute as text (`\Sent`).
pub fn attribute(a: &imapkit_proto::MailboxAttribute<'_>) -> String {
    let mut out = Vec::new();
    imapkit_codec::encode(a, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// A sequence set as text.
pub fn sequence_set(set: &SequenceSet) -> String {
    let mut out = Vec::new();
    imapkit_codec::encode(set, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// The `idle` command's line for a change of the mailbox, if it prints one:
/// `exists N`, `expunge UID` (or `expunge seq N` when the UID is not
/// known), `flags UID (FLAGS)`.
pub fn change_line(change: &MailboxChange) -> Option<String> {
    match change {
        MailboxChange::Exists { exists, new } if *new > 0 => Some(format!("exists {exists}")),
        MailboxChange::Expunged { uid: Some(uid), .. } => Some(format!("expunge {uid}")),
        MailboxChange::Expunged { seq, uid: None } => Some(format!("expunge seq {seq}")),
        MailboxChange::Vanished {
            uids,
            earlier: false,
        } => Some(
            uids.iter()
                .flat_map(|r| r.clone())
                .map(|uid| format!("expunge {uid}"))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        MailboxChange::FlagsChanged {
            seq, uid, flags, ..
        } => {
            let flags: Vec<String> = flags
                .iter()
                .map(|f| {
                    let mut out = Vec::new();
                    imapkit_codec::encode(&FlagFetch::Flag(f.clone()), &mut out);
                    String::from_utf8_lossy(&out).into_owned()
                })
                .collect();
            Some(match uid {
                Some(uid) => format!("flags {uid} ({})", flags.join(" ")),
                None => format!("flags seq {seq} ({})", flags.join(" ")),
            })
        }
        _ => None,
    }
}
