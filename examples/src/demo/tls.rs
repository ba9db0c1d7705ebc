//! The server's certificate: a PEM chain and key given by the operator
//! (`--cert`/`--key`, e.g. from a public CA), or a self-signed certificate
//! for `localhost` and `127.0.0.1` made with `rcgen` on first start and
//! kept in the data directory, so that clients can pin it across restarts.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};

use crate::blocking::crypto_provider;

/// Why the TLS setup failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsSetupError {
    /// A PEM file cannot be read or holds nothing usable.
    #[error("{path}: {reason}")]
    Pem {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The certificate could not be generated or written.
    #[error("self-signed certificate: {0}")]
    Generate(String),
    /// rustls refused the chain and key (e.g. the key does not match).
    #[error("certificate and key: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The certificate the server presents.
#[derive(Debug, Clone)]
pub struct ServerCertificate {
    /// The chain, leaf first.
    pub chain: Vec<CertificateDer<'static>>,
    /// Where the leaf certificate's PEM lies (for clients to trust it).
    pub pem_path: PathBuf,
    /// Whether it was made by this server (self-signed).
    pub self_signed: bool,
}

impl ServerCertificate {
    /// The SHA-256 fingerprint of the leaf, as `AB:CD:...` (what
    /// `openssl x509 -fingerprint -sha256` prints).
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.chain.first().map_or(&[][..], |c| c.as_ref()));
        let mut out = String::with_capacity(95);
        for (i, b) in digest.iter().enumerate() {
            if i > 0 {
                out.push(':');
            }
            let _ = write!(out, "{b:02X}");
        }
        out
    }
}

/// Loads `--cert`/`--key`, or the self-signed certificate in
/// `data/tls/` (made on first use); returns the certificate and the
/// rustls configuration serving it.
pub fn load_or_generate(
    given: Option<(&Path, &Path)>,
    data: &Path,
) -> Result<(ServerCertificate, Arc<rustls::ServerConfig>), TlsSetupError> {
    let (cert_path, key_path, self_signed) = match given {
        Some((c, k)) => (c.to_path_buf(), k.to_path_buf(), false),
        None => {
            let dir = data.join("tls");
            let (c, k) = (dir.join("self-signed.pem"), dir.join("self-signed.key"));
            if !c.exists() || !k.exists() {
                generate(&dir, &c, &k)?;
            }
            (c, k, true)
        }
    };
    let pem_err = |path: &Path, reason: String| TlsSetupError::Pem {
        path: path.to_path_buf(),
        reason,
    };
    let chain = CertificateDer::pem_file_iter(&cert_path)
        .map_err(|e| pem_err(&cert_path, e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_err(&cert_path, e.to_string()))?;
    if chain.is_empty() {
        return Err(pem_err(&cert_path, "no certificate".into()));
    }
    let key = PrivateKeyDer::from_pem_file(&key_path)
        .map_err(|e| pem_err(&key_path, format!("no private key ({e})")))?;
    let config = rustls::ServerConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain.clone(), key)?;
    Ok((
        ServerCertificate {
            chain,
            pem_path: cert_path,
            self_signed,
        },
        Arc::new(config),
    ))
}

/// Makes a self-signed certificate for `localhost` and `127.0.0.1` (no CA
/// flag: rustls/webpki trust such a leaf when it is the trust anchor) and
/// writes it; the key file is readable by its owner only.
fn generate(dir: &Path, cert: &Path, key: &Path) -> Result<(), TlsSetupError> {
    let err = |e: &dyn std::fmt::Display| TlsSetupError::Generate(e.to_string());
    std::fs::create_dir_all(dir).map_err(|e| err(&e))?;
    let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    let made = rcgen::generate_simple_self_signed(names).map_err(|e| err(&e))?;
    write_private(key, made.signing_key.serialize_pem().as_bytes()).map_err(|e| err(&e))?;
    std::fs::write(cert, made.cert.pem()).map_err(|e| err(&e))?;
    Ok(())
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}
