//! The demo IMAP server: the sans-IO [`Server`](imapkit_state::server::Server)
//! on tokio and tokio-rustls, over the Maildir [`store`](crate::store).
//!
//! ```text
//!  TcpListener ──accept──> one task per connection (conn)
//!                            │ read ──> Server::handle_input
//!                            │ Server events ──> Session (commands ──> Store)
//!                            │                  Accounts (LOGIN, PLAIN, SCRAM)
//!                            │ Server::poll_transmit_vectored ──> write_vectored
//!                            │ STARTTLS / implicit TLS: tokio-rustls, tls-exporter
//!                            └ IDLE: the store's change channel ──> send_unsolicited
//! ```
//!
//! [`Demo`] holds what every connection shares: the store, the accounts
//! (passwords and SCRAM-SHA-256 secrets derived at start), the session
//! configuration and the TLS acceptor. [`Demo::serve`] accepts on a
//! listener, plain (STARTTLS offered) or implicit TLS. Authentication
//! attempts are logged as one line each on stderr (user, mechanism,
//! outcome, TLS; never a secret).

mod auth;
mod conn;
mod fetch;
mod mailboxes;
mod messages;
mod session;
mod tls;

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use imapkit_state::server::ServerConfig;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

pub use self::auth::{secure_random, Accounts, SCRAM_ITERATIONS};
pub use self::fetch::FetchJob;
pub use self::session::Session;
pub use self::tls::{load_or_generate, ServerCertificate, TlsSetupError};
use crate::store::{Store, StoreConfig, StoreError, Users, UsersError};

/// Why the demo server cannot start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DemoError {
    /// The users file.
    #[error(transparent)]
    Users(#[from] UsersError),
    /// A password SCRAM cannot use (SASLprep refuses it).
    #[error("user {0}: password unusable for SCRAM: {1}")]
    Scram(String, imapkit_state::sasl::SaslError),
    /// The data directory.
    #[error("data directory: {0}")]
    Store(#[from] StoreError),
    /// The certificate.
    #[error(transparent)]
    Tls(#[from] TlsSetupError),
    /// The session configuration.
    #[error("server configuration: {0}")]
    Config(#[from] imapkit_state::error::ConfigError),
}

/// What all connections of the demo server share.
pub struct Demo {
    store: Store,
    accounts: Arc<Accounts>,
    config: Arc<ServerConfig>,
    tls: TlsAcceptor,
    certificate: ServerCertificate,
}

impl Demo {
    /// Opens the store in `data` for `users`, derives the SCRAM secrets,
    /// and loads the certificate (`cert` and `key` PEM files) or makes a
    /// self-signed one in `data/tls/`.
    pub fn new(users: Users, data: &Path, cert: Option<(&Path, &Path)>) -> Result<Self, DemoError> {
        let store_config = StoreConfig::default();
        let store = Store::with_config(data, users.clone(), store_config.clone())?;
        let accounts = Arc::new(Accounts::new(users).map_err(|(u, e)| DemoError::Scram(u, e))?);
        let config = accounts.server_config(&store_config);
        config.validate()?;
        let (certificate, tls) = load_or_generate(cert, data)?;
        Ok(Self {
            store,
            accounts,
            config: Arc::new(config),
            tls: TlsAcceptor::from(tls),
            certificate,
        })
    }

    /// The certificate the server presents.
    pub fn certificate(&self) -> &ServerCertificate {
        &self.certificate
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Accepts connections on `listener` until it fails, one task each;
    /// `implicit_tls`: TLS from the first byte (port 993), else plaintext
    /// with STARTTLS. Needs the multi-thread tokio runtime (store calls run
    /// in `block_in_place`).
    pub async fn serve(
        self: Arc<Self>,
        listener: TcpListener,
        implicit_tls: bool,
    ) -> io::Result<()> {
        loop {
            let (tcp, peer) = match listener.accept().await {
                Ok(accepted) => accepted,
                // Out of descriptors and the like: the listener itself is fine.
                Err(e) if is_transient(&e) => {
                    eprintln!("imap-demo: accept: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
                Err(e) => return Err(e),
            };
            let demo = Arc::clone(&self);
            tokio::spawn(async move {
                if let Err(e) = conn::run(demo, tcp, peer, implicit_tls).await {
                    eprintln!("imap-demo: peer={peer} connection error: {e}");
                }
            });
        }
    }

    /// Binds `addr` and serves it (see [`Demo::serve`]).
    pub async fn listen(self: Arc<Self>, addr: SocketAddr, implicit_tls: bool) -> io::Result<()> {
        let listener = TcpListener::bind(addr).await?;
        self.serve(listener, implicit_tls).await
    }
}

impl std::fmt::Debug for Demo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Demo")
            .field("store", &self.store)
            .field("accounts", &self.accounts)
            .field("certificate", &self.certificate.pem_path)
            .finish_non_exhaustive()
    }
}

fn is_transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
    ) || e.raw_os_error().is_some_and(|n| n == 23 || n == 24)
}
