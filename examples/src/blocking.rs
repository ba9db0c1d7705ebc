//! A blocking driver for the [`Client`] over `std::net` and rustls: the
//! sans-IO loop written once, for the interop tests and small tools.
//!
//! It owns the socket and the clock: it writes what the client wants sent,
//! reads with a timeout that follows [`Client::poll_timeout`], runs the TLS
//! handshake when the client asks for it after STARTTLS, and hands the
//! client's events to the caller.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use imapkit_state::client::{Client, ClientConfig, Completion, Event};
use imapkit_state::{CommandHandle, ConnectionSecurity};
use rustls::pki_types::ServerName;
use rustls::{ClientConnection, StreamOwned};

/// How to secure the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (port 993).
    Tls,
    /// Plain TCP, upgraded with STARTTLS as the client's policy says (port 143).
    StartTls,
    /// Plain TCP only (tests, loopback).
    Plain,
}

/// A TCP stream, before or after TLS.
#[derive(Debug)]
pub enum Stream {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS over TCP.
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Stream {
    fn tcp(&self) -> &TcpStream {
        match self {
            Self::Plain(s) => s,
            Self::Tls(s) => &s.sock,
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Plain(s) => s.read(buf),
            Self::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::Plain(s) => s.write(buf),
            Self::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Plain(s) => s.flush(),
            Self::Tls(s) => s.flush(),
        }
    }
}

/// A [`Client`] driven over a blocking socket.
#[derive(Debug)]
pub struct Session {
    /// The state machine (read its state, enqueue commands).
    pub client: Client,
    stream: Option<Stream>,
    tls: Arc<rustls::ClientConfig>,
    server_name: ServerName<'static>,
    out: Vec<u8>,
    /// An event taken after a completion (see `next_event_inner`).
    ahead: Option<Event>,
    /// Completions another [`wait`](Session::wait) saw first (pipelined
    /// commands), for the wait for them.
    done: Vec<Completion>,
    closed: bool,
    /// Each [`wait`](Session::wait) must end within this (see
    /// [`set_answer_timeout`](Session::set_answer_timeout)).
    answer_timeout: Option<Duration>,
    /// When the current wait gives up.
    until: Option<Instant>,
    /// How long one write may make no progress (see
    /// [`set_write_timeout`](Session::set_write_timeout)).
    write_timeout: Option<Duration>,
}

/// How long a write may make no progress by default: the server stopped
/// reading.
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(60);

impl Session {
    /// Bounds each [`wait`](Self::wait) (the greeting, a command's whole
    /// answer, a STARTTLS handshake in it), and each
    /// [`next_event`](Self::next_event) outside one, by `timeout` in all,
    /// not per read: the client's own timers restart with every byte, so a server
    /// that sends one byte at a time would stretch them without end. The
    /// wait then fails with `ErrorKind::TimedOut`.
    pub fn set_answer_timeout(&mut self, timeout: Option<Duration>) {
        self.answer_timeout = timeout;
    }

    /// Bounds how long a write may make no progress: a server that stops
    /// reading (its receive window full) fails the write with
    /// `ErrorKind::TimedOut` and closes the session, instead of blocking
    /// it for ever. Per write, so a large APPEND to a slow but live server
    /// goes on; within a [`wait`](Self::wait) under an answer timeout, the
    /// nearer deadline applies. [`DEFAULT_WRITE_TIMEOUT`] by default;
    /// `None` waits for ever.
    pub fn set_write_timeout(&mut self, timeout: Option<Duration>) {
        self.write_timeout = timeout;
    }

    /// The time left before the current wait's deadline, or the error once
    /// it has passed.
    fn time_left(&self) -> io::Result<Option<Duration>> {
        let Some(until) = self.until else {
            return Ok(None);
        };
        match until.checked_duration_since(Instant::now()) {
            Some(left) if !left.is_zero() => Ok(Some(left)),
            _ if self.client.state() == imapkit_state::client::SessionState::Greeting => Err(
                io::Error::new(io::ErrorKind::TimedOut, "no greeting in time"),
            ),
            _ => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "no complete answer within {} s",
                    self.answer_timeout.unwrap_or_default().as_secs()
                ),
            )),
        }
    }

    /// Connects to `host:port` and starts the session (the greeting is
    /// read on the first wait).
    pub fn connect(
        host: &str,
        port: u16,
        security: Security,
        tls: Arc<rustls::ClientConfig>,
        config: ClientConfig,
    ) -> io::Result<Self> {
        let addr = (host, port)
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no address"))?;
        let tcp = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
        tcp.set_nodelay(true)?;
        let server_name = ServerName::try_from(host.to_owned())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let stream = match security {
            Security::Tls => tls_stream(&tls, &server_name, tcp)?,
            Security::StartTls | Security::Plain => Stream::Plain(tcp),
        };
        Ok(Self::with_stream(stream, server_name, tls, config))
    }

    /// Starts a session on a stream the caller connected (and, for
    /// [`Stream::Tls`], perhaps already ran the handshake on), for tools
    /// that need to see the TCP connect and the TLS handshake themselves.
    ///
    /// The client is told the connection is encrypted when `stream` is
    /// [`Stream::Tls`]. `tls` and `server_name` serve a later STARTTLS.
    pub fn with_stream(
        stream: Stream,
        server_name: ServerName<'static>,
        tls: Arc<rustls::ClientConfig>,
        config: ClientConfig,
    ) -> Self {
        let conn_security = match stream {
            Stream::Tls(_) => ConnectionSecurity::Tls,
            Stream::Plain(_) => ConnectionSecurity::Plaintext,
        };
        let client = Client::new(Arc::new(config), Instant::now(), conn_security);
        Self {
            client,
            stream: Some(stream),
            tls,
            server_name,
            out: Vec::new(),
            ahead: None,
            done: Vec::new(),
            closed: false,
            answer_timeout: None,
            until: None,
            write_timeout: Some(DEFAULT_WRITE_TIMEOUT),
        }
    }

    /// The rustls connection once TLS is up (implicit TLS, or after
    /// STARTTLS): its negotiated protocol version, cipher suite and the
    /// server's certificate chain.
    pub fn tls_connection(&self) -> Option<&ClientConnection> {
        match &self.stream {
            Some(Stream::Tls(s)) => Some(&s.conn),
            _ => None,
        }
    }

    /// The TLS exporter value for channel binding (RFC 9266,
    /// `EXPORTER-Channel-Binding`, 32 bytes), when TLS is up.
    pub fn tls_exporter(&self) -> Option<Vec<u8>> {
        let Some(Stream::Tls(s)) = &self.stream else {
            return None;
        };
        let mut out = vec![0u8; 32];
        s.conn
            .export_keying_material(&mut out, b"EXPORTER-Channel-Binding", None)
            .ok()?;
        Some(out)
    }

    /// Writes what the client wants to send.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.clear();
        if self
            .client
            .poll_transmit(Instant::now(), &mut self.out)
            .is_some()
        {
            let limit = self.write_limit()?;
            if let Some(stream) = self.stream.as_mut() {
                stream.tcp().set_write_timeout(limit)?;
                let written = stream.write_all(&self.out).and_then(|()| stream.flush());
                if let Err(e) = written {
                    return Err(self.write_failed(e, limit));
                }
            }
        }
        Ok(())
    }

    /// How long the next write may make no progress: the write timeout,
    /// or the current wait's time left if that is nearer.
    fn write_limit(&self) -> io::Result<Option<Duration>> {
        Ok(match (self.write_timeout, self.time_left()?) {
            (Some(w), Some(l)) => Some(w.min(l)),
            (w, l) => w.or(l),
        })
    }

    /// A write failed: the bytes on the wire end mid-command, so the
    /// session is over (the client closes, the socket is dropped). A write
    /// that made no progress in time is reported as `TimedOut`.
    fn write_failed(&mut self, e: io::Error, limit: Option<Duration>) -> io::Error {
        self.client.close();
        self.stream = None;
        match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "the server read nothing for {} s: write timed out",
                    limit.unwrap_or_default().as_secs_f32()
                ),
            ),
            _ => e,
        }
    }

    /// The next event, reading from the socket as needed; `None` once the
    /// session is closed and every event was taken.
    pub fn next_event(&mut self) -> io::Result<Option<Event>> {
        // Outside a `wait`, each event must come within the answer timeout.
        if self.until.is_some() {
            return self.next_event_inner();
        }
        self.until = self.answer_timeout.map(|t| Instant::now() + t);
        let result = self.next_event_inner();
        self.until = None;
        result
    }

    fn next_event_inner(&mut self) -> io::Result<Option<Event>> {
        loop {
            if let Some(event) = self.ahead.take() {
                return Ok(Some(event));
            }
            if let Some(event) = self.take_event()? {
                if let Event::Completed(_) = event {
                    // STARTTLS's completion comes before `StartTls`: take
                    // that too, so that TLS is up when the caller sees it.
                    self.ahead = self.take_event()?;
                }
                return Ok(Some(event));
            }
            self.flush()?;
            if self.closed {
                return Ok(None);
            }
            self.read_once()?;
        }
    }

    /// The client's next event, one at a time, so that its bound on the
    /// events of a read holds here too (it reads on in the input it holds
    /// as they are taken); runs the TLS handshake on `StartTls`. What
    /// taking it queued to send (a literal for a `+`, a command that
    /// waited) goes out before the next read, as the contract says.
    fn take_event(&mut self) -> io::Result<Option<Event>> {
        let Some(event) = self.client.poll_event() else {
            return Ok(None);
        };
        match &event {
            Event::StartTls { .. } => self.upgrade()?,
            Event::Closed { .. } => self.closed = true,
            _ => {}
        }
        Ok(Some(event))
    }

    /// Waits for `handle`'s completion; returns it and the events before it
    /// (other commands' data and completions included, in order). With
    /// commands pipelined, a completion an earlier wait returned among its
    /// events is returned again by the wait for it, at once, with no events.
    pub fn wait(&mut self, handle: CommandHandle) -> io::Result<(Vec<Event>, Completion)> {
        if let Some(at) = self.done.iter().position(|c| c.handle == handle) {
            return Ok((Vec::new(), self.done.remove(at)));
        }
        self.until = self.answer_timeout.map(|t| Instant::now() + t);
        let result = self.wait_inner(handle);
        self.until = None;
        result
    }

    fn wait_inner(&mut self, handle: CommandHandle) -> io::Result<(Vec<Event>, Completion)> {
        let mut seen = Vec::new();
        while let Some(event) = self.next_event()? {
            match event {
                Event::Completed(c) if c.handle == handle => return Ok((seen, *c)),
                Event::Completed(c) => {
                    self.done.push((*c).clone());
                    seen.push(Event::Completed(c));
                }
                other => seen.push(other),
            }
        }
        Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("session closed before the command completed: {seen:?}"),
        ))
    }

    /// Reads once (blocking until data, EOF or the client's next timer).
    fn read_once(&mut self) -> io::Result<()> {
        let left = self.time_left()?;
        let Some(stream) = self.stream.as_mut() else {
            self.client.handle_eof(Instant::now());
            return Ok(());
        };
        let now = Instant::now();
        let wait = self.client.poll_timeout().map(|at| {
            at.saturating_duration_since(now)
                .max(Duration::from_millis(1))
        });
        let wait = match (wait, left) {
            (Some(w), Some(l)) => Some(w.min(l)),
            (w, l) => w.or(l),
        };
        stream.tcp().set_read_timeout(wait)?;
        let mut buf = [0u8; 16 * 1024];
        let read = stream.read(&mut buf);
        self.on_read(read, &buf)
    }

    /// Hands one read's result to the client: data, EOF, or the client's
    /// timer for a read that timed out. A read interrupted by a signal
    /// (EINTR) hands nothing and is read again; other errors are returned.
    fn on_read(&mut self, read: io::Result<usize>, buf: &[u8]) -> io::Result<()> {
        match read {
            Ok(0) => self.client.handle_eof(Instant::now()),
            Ok(n) => self.client.handle_input(Instant::now(), &buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                self.client.handle_timeout(Instant::now())
            }
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                self.client.handle_eof(Instant::now())
            }
            // A signal arrived during the read (EINTR): read again.
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
        Ok(())
    }

    /// STARTTLS was answered OK: the TLS handshake, then tell the client.
    fn upgrade(&mut self) -> io::Result<()> {
        self.flush()?;
        let Some(Stream::Plain(tcp)) = self.stream.take() else {
            return Err(io::Error::other("STARTTLS on a TLS stream"));
        };
        let mut stream = tls_stream(&self.tls, &self.server_name, tcp)?;
        if let Stream::Tls(s) = &mut stream {
            while s.conn.is_handshaking() {
                if let Some(left) = self.time_left()? {
                    s.sock.set_read_timeout(Some(left))?;
                }
                s.sock.set_write_timeout(self.write_limit()?)?;
                s.conn.complete_io(&mut s.sock)?;
            }
        }
        self.stream = Some(stream);
        self.client
            .tls_established(Instant::now())
            .map_err(io::Error::other)
    }
}

fn tls_stream(
    tls: &Arc<rustls::ClientConfig>,
    name: &ServerName<'static>,
    tcp: TcpStream,
) -> io::Result<Stream> {
    let conn = ClientConnection::new(tls.clone(), name.clone()).map_err(io::Error::other)?;
    Ok(Stream::Tls(Box::new(StreamOwned::new(conn, tcp))))
}

/// A rustls client configuration trusting the PEM certificates in
/// `ca_file`, or the Mozilla roots (webpki-roots) when `None`.
pub fn tls_config(ca_file: Option<&std::path::Path>) -> io::Result<Arc<rustls::ClientConfig>> {
    let roots = root_store(ca_file)?;
    let config = rustls::ClientConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The trust anchors [`tls_config`] uses: the PEM certificates in
/// `ca_file`, or the Mozilla roots (webpki-roots) when `None`. A file
/// without a certificate is an error (`InvalidData`): it would trust nothing.
pub fn root_store(ca_file: Option<&std::path::Path>) -> io::Result<rustls::RootCertStore> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    let mut roots = rustls::RootCertStore::empty();
    match ca_file {
        Some(path) => {
            for cert in CertificateDer::pem_file_iter(path).map_err(io::Error::other)? {
                roots
                    .add(cert.map_err(io::Error::other)?)
                    .map_err(io::Error::other)?;
            }
            if roots.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("no certificate in {}", path.display()),
                ));
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    Ok(roots)
}

/// The rustls crypto provider of the examples (ring).
pub fn crypto_provider() -> Arc<rustls::crypto::CryptoProvider> {
    // The ring provider keeps the build free of cmake and aws-lc; rustls
    // 0.23.48 deprecates it for lacking post-quantum key exchange. A client
    // that wants that turns on rustls' `aws_lc_rs` feature and uses
    // `rustls::crypto::aws_lc_rs::default_provider()` here instead.
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    Arc::new(provider)
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use imapkit_state::client::{SessionState, StartTlsPolicy};

    use super::*;

    /// A session on a loopback connection nobody writes to: the reads are
    /// handed to `on_read` by the test.
    fn session() -> (Session, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let tcp = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (peer, _) = listener.accept().unwrap();
        let mut config = ClientConfig::default();
        config.starttls = StartTlsPolicy::Never;
        let name = ServerName::try_from("localhost").unwrap();
        let tls = tls_config(None).unwrap();
        (
            Session::with_stream(Stream::Plain(tcp), name, tls, config),
            peer,
        )
    }

    #[test]
    fn a_read_interrupted_by_a_signal_is_read_again() {
        let (mut s, _peer) = session();
        let eintr = io::Error::from(io::ErrorKind::Interrupted);
        s.on_read(Err(eintr), &[]).unwrap();
        // Nothing was handed to the client: no EOF, no data.
        assert_eq!(s.client.state(), SessionState::Greeting);
        // The next read goes on where the interrupted one would have.
        let greeting = b"* PREAUTH ready\r\n";
        s.on_read(Ok(greeting.len()), greeting).unwrap();
        assert_eq!(s.client.state(), SessionState::Authenticated);
    }

    #[test]
    fn other_read_errors_end_the_wait() {
        let (mut s, _peer) = session();
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        let err = s.on_read(Err(reset), &[]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset);
        // EOF closes the client.
        s.on_read(Ok(0), &[]).unwrap();
        assert_eq!(s.client.state(), SessionState::Closed);
    }
}
