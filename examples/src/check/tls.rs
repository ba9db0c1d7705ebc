//! The TLS side of a check: a certificate verifier that records the chain
//! the server showed (even when it rejects it), the handshake with the
//! cause of a failure in words, and what the handshake negotiated.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{Resumption, WebPkiServerVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    AlertDescription, ClientConnection, DigitallySignedStruct, Error as TlsError, ProtocolVersion,
    SignatureScheme, StreamOwned,
};

use crate::blocking::{crypto_provider, root_store};

/// What certificates are trusted, and how to say so in a report.
#[derive(Debug, Clone)]
pub struct Trust {
    verifier: Arc<WebPkiServerVerifier>,
    label: String,
}

impl Trust {
    /// The PEM certificates in `ca_file`, or the Mozilla roots (webpki-roots).
    pub fn new(ca_file: Option<&Path>) -> io::Result<Self> {
        let label = match ca_file {
            Some(path) => format!("--ca {}", path.display()),
            None => "the public roots (webpki-roots)".to_owned(),
        };
        Self::from_roots(root_store(ca_file)?, label)
    }

    /// Trusts `roots`; `label` says which they are in the report.
    pub fn from_roots(roots: rustls::RootCertStore, label: impl Into<String>) -> io::Result<Self> {
        let verifier =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), crypto_provider())
                .build()
                .map_err(io::Error::other)?;
        Ok(Self {
            verifier,
            label: label.into(),
        })
    }

    /// The verifier, for checks of a chain outside a handshake.
    pub fn verifier(&self) -> &WebPkiServerVerifier {
        &self.verifier
    }

    /// What is trusted, in words: `the public roots (webpki-roots)`, `--ca FILE`.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// A client configuration whose verifier records the server's chain;
    /// with `verify` false it accepts any certificate (the handshake
    /// signature is still checked against it). Session resumption is off:
    /// a resumed session would show no certificate.
    pub fn client_config(
        &self,
        verify: bool,
    ) -> io::Result<(Arc<rustls::ClientConfig>, Arc<Recorder>)> {
        let recorder = Arc::new(Recorder {
            inner: self.verifier.clone(),
            verify,
            chain: Mutex::new(None),
        });
        let mut config = rustls::ClientConfig::builder_with_provider(crypto_provider())
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            .dangerous()
            .with_custom_certificate_verifier(recorder.clone())
            .with_no_client_auth();
        config.resumption = Resumption::disabled();
        Ok((Arc::new(config), recorder))
    }
}

/// A [`ServerCertVerifier`] that keeps the last chain it was shown, then
/// verifies it with webpki (or, when built not to verify, accepts it).
pub struct Recorder {
    inner: Arc<WebPkiServerVerifier>,
    verify: bool,
    chain: Mutex<Option<Vec<CertificateDer<'static>>>>,
}

impl Recorder {
    /// The chain the server sent, leaf first, if it sent one.
    pub fn chain(&self) -> Option<Vec<CertificateDer<'static>>> {
        self.chain.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl fmt::Debug for Recorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recorder")
            .field("verify", &self.verify)
            .finish_non_exhaustive()
    }
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, TlsError> {
        let chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|c| c.clone().into_owned())
            .collect();
        *self.chain.lock().unwrap_or_else(|e| e.into_inner()) = Some(chain);
        if self.verify {
            self.inner.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            )
        } else {
            Ok(ServerCertVerified::assertion())
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// How a TLS attempt on a fresh connection ended.
#[derive(Debug)]
pub enum Probe {
    /// TLS is up.
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
    /// The server spoke first, in plaintext: an IMAP greeting (a port for
    /// STARTTLS, not implicit TLS). Holds the first bytes it sent.
    Plaintext(Vec<u8>),
    /// The handshake failed.
    Failed(io::Error),
}

/// Runs a TLS handshake on `tcp` (implicit TLS), within `timeout` in all
/// (a server that sends a byte at a time does not stretch it).
pub fn handshake(
    mut tcp: TcpStream,
    config: Arc<rustls::ClientConfig>,
    name: ServerName<'static>,
    timeout: Duration,
) -> Probe {
    let mut conn = match ClientConnection::new(config, name) {
        Ok(c) => c,
        Err(e) => return Probe::Failed(io::Error::other(e)),
    };
    if let Err(e) = tcp
        .set_read_timeout(Some(timeout))
        .and_then(|()| tcp.set_write_timeout(Some(timeout)))
    {
        return Probe::Failed(e);
    }
    let mut tap = Tap {
        tcp: &mut tcp,
        first: Vec::new(),
        deadline: Instant::now() + timeout,
    };
    while conn.is_handshaking() {
        if let Err(e) = conn.complete_io(&mut tap) {
            // rustls gives up at the first byte that is no TLS record; a
            // slow server may have sent only the start of a greeting.
            tap.read_greeting();
            if looks_like_imap(&tap.first) {
                return Probe::Plaintext(tap.first);
            }
            return Probe::Failed(e);
        }
    }
    if let Err(e) = tcp
        .set_read_timeout(Some(timeout))
        .and_then(|()| tcp.set_write_timeout(Some(timeout)))
    {
        return Probe::Failed(e);
    }
    Probe::Tls(Box::new(StreamOwned::new(conn, tcp)))
}

/// Whether the server's first bytes are an IMAP greeting.
pub fn looks_like_imap(first: &[u8]) -> bool {
    let upper = first.to_ascii_uppercase();
    [&b"* OK"[..], b"* PREAUTH", b"* BYE"]
        .iter()
        .any(|g| upper.starts_with(g))
}

/// The rustls error inside an I/O error from a handshake, if there is one.
pub fn tls_error(e: &io::Error) -> Option<&TlsError> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<TlsError>())
}

/// Why a handshake failed (other than the certificate), in words, and advice.
pub fn describe_failure(e: &io::Error, timeout: Duration) -> (String, &'static str) {
    if let Some(tls) = tls_error(e) {
        return match tls {
            TlsError::AlertReceived(
                AlertDescription::HandshakeFailure
                | AlertDescription::ProtocolVersion
                | AlertDescription::InsufficientSecurity,
            )
            | TlsError::PeerIncompatible(_) => (
                format!("no common TLS version or cipher suite ({tls})"),
                "the server seems to offer only TLS 1.0/1.1 or weak ciphers: enable TLS 1.2 and 1.3 with ECDHE and AES-GCM or ChaCha20",
            ),
            TlsError::AlertReceived(alert) => (
                format!("the server aborted the handshake with the alert {alert:?}"),
                "read the server's log for the TLS error",
            ),
            TlsError::InvalidMessage(_) | TlsError::InappropriateMessage { .. } => (
                format!("the server does not speak TLS here ({tls})"),
                "check the port: 993 is implicit TLS, 143 plaintext with STARTTLS",
            ),
            TlsError::NoCertificatesPresented => (
                "the server sent no certificate".to_owned(),
                "configure a certificate and key on the server",
            ),
            other => (
                format!("TLS handshake failed: {other}"),
                "read the server's log for the TLS error",
            ),
        };
    }
    match e.kind() {
        io::ErrorKind::UnexpectedEof => (
            "the server closed the connection during the TLS handshake".to_owned(),
            "a TLS port whose server has no usable certificate, or not a TLS port; read the server's log",
        ),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => (
            format!("no TLS answer within {} s", timeout.as_secs()),
            "check the port: 993 is implicit TLS, 143 plaintext with STARTTLS",
        ),
        io::ErrorKind::ConnectionReset => (
            "the connection was reset during the TLS handshake".to_owned(),
            "a firewall or proxy may interfere, or the server rejects this client's TLS settings",
        ),
        _ => (
            format!("TLS handshake failed: {e}"),
            "read the server's log for the TLS error",
        ),
    }
}

/// What a handshake negotiated: `TLS 1.3, TLS13_AES_256_GCM_SHA384, key exchange X25519`.
pub fn negotiated(conn: &ClientConnection) -> String {
    let mut text = match conn.protocol_version() {
        Some(ProtocolVersion::TLSv1_3) => "TLS 1.3".to_owned(),
        Some(ProtocolVersion::TLSv1_2) => "TLS 1.2".to_owned(),
        Some(other) => format!("{other:?}"),
        None => "unknown version".to_owned(),
    };
    if let Some(suite) = conn.negotiated_cipher_suite() {
        text.push_str(&format!(", {:?}", suite.suite()));
    }
    if let Some(group) = conn.negotiated_key_exchange_group() {
        text.push_str(&format!(", key exchange {:?}", group.name()));
    }
    text
}

/// The first bytes a server sent, printable: up to the first line end, at
/// most 80 characters, control bytes escaped.
pub fn printable_start(bytes: &[u8]) -> String {
    let line = bytes
        .split(|&b| b == b'\r' || b == b'\n')
        .next()
        .unwrap_or(&[]);
    let mut out: String = line.iter().take(80).map(|&b| b as char).collect();
    out = out.escape_debug().to_string();
    if line.len() > 80 {
        out.push_str("...");
    }
    out
}

/// How many of the server's first bytes [`Tap`] keeps.
const FIRST_BYTES: usize = 256;

/// Records the first bytes read through it, for telling a plaintext
/// server from a broken TLS one, and reads nothing after `deadline`.
struct Tap<'a> {
    tcp: &'a mut TcpStream,
    first: Vec<u8>,
    deadline: Instant,
}

impl Tap<'_> {
    /// Waits (until the deadline) for the rest of what began like an IMAP
    /// greeting (`*`, `* O`, ...), so that [`looks_like_imap`] can tell.
    fn read_greeting(&mut self) {
        let mut buf = [0u8; 64];
        while could_be_imap(&self.first) && !looks_like_imap(&self.first) {
            match self.read(&mut buf) {
                Ok(n) if n > 0 => {}
                _ => return,
            }
        }
    }
}

impl Read for Tap<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "handshake deadline",
            ));
        }
        self.tcp.set_read_timeout(Some(left))?;
        let n = self.tcp.read(buf)?;
        let room = FIRST_BYTES.saturating_sub(self.first.len());
        self.first.extend_from_slice(&buf[..n.min(room)]);
        Ok(n)
    }
}

/// Whether `first` is the start of an IMAP greeting so far.
fn could_be_imap(first: &[u8]) -> bool {
    let upper = first.to_ascii_uppercase();
    !upper.is_empty()
        && [&b"* OK"[..], b"* PREAUTH", b"* BYE"]
            .iter()
            .any(|g| g.starts_with(&upper[..upper.len().min(g.len())]))
}

impl Write for Tap<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tcp.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greetings_are_recognised() {
        assert!(looks_like_imap(b"* OK [CAPABILITY IMAP4rev1] ready\r\n"));
        assert!(looks_like_imap(b"* ok hi"));
        assert!(looks_like_imap(b"* PREAUTH hi"));
        assert!(looks_like_imap(b"* BYE busy"));
        assert!(!looks_like_imap(b"\x16\x03\x03"));
        assert!(!looks_like_imap(b"+OK POP3"));
        assert!(!looks_like_imap(b""));
    }

    #[test]
    fn printable_start_stops_at_the_line_end() {
        assert_eq!(printable_start(b"* OK hi\r\nmore"), "* OK hi");
        assert_eq!(
            printable_start(b"\x15\x03\x03\x00\x02"),
            "\\u{15}\\u{3}\\u{3}\\0\\u{2}"
        );
        assert!(printable_start(&[b'a'; 100]).ends_with("..."));
    }

    #[test]
    fn a_plaintext_server_is_told_from_a_tls_one() {
        // A server that greets in plaintext, like port 143.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            s.write_all(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n")
                .unwrap();
            let mut buf = [0u8; 512];
            // Reads the ClientHello; the client gives up on it.
            let _ = s.read(&mut buf);
        });
        let trust = Trust::new(None).unwrap();
        let (config, recorder) = trust.client_config(true).unwrap();
        let tcp = TcpStream::connect(addr).unwrap();
        let probe = handshake(
            tcp,
            config,
            ServerName::try_from("localhost").unwrap(),
            Duration::from_secs(5),
        );
        let Probe::Plaintext(first) = probe else {
            panic!("{probe:?}")
        };
        assert!(first.starts_with(b"* OK [CAPABILITY"), "{first:?}");
        assert!(recorder.chain().is_none());
        server.join().unwrap();
    }
}
