//! One connection: the socket loop around the sans-IO
//! [`Server`](imapkit_state::server::Server).
//!
//! Each turn: act on the session's events (commands go to the
//! [`Session`], logins to the [`Accounts`](super::Accounts)), run the
//! queued commands (their store calls in `block_in_place`), write what
//! the session queued (`poll_transmit_vectored`, shared message bytes
//! straight to `write_vectored`), run the TLS handshake after STARTTLS,
//! then wait for input (only while `wants_read`), for the session's next
//! timer, or, during IDLE, for a change in the selected mailbox.

use std::io::{self, IoSlice};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use imapkit_state::codec::Vectored;
use imapkit_state::server::{AuditKind, AuthOutcome, Event, Server};
use imapkit_state::ConnectionSecurity;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::broadcast;
use tokio_rustls::server::TlsStream;

use super::session::Session;
use super::Demo;
use crate::store::Change;

/// The longest a TLS handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest a write may wait for a client that does not read.
const WRITE_TIMEOUT: Duration = Duration::from_secs(120);

/// The socket, before or after TLS.
enum Io {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
    /// During the STARTTLS handshake.
    Gone,
}

impl Io {
    /// The `tls-exporter` channel-binding value (RFC 9266).
    fn tls_exporter(&self) -> Option<Vec<u8>> {
        let Self::Tls(s) = self else { return None };
        let mut out = vec![0u8; 32];
        s.get_ref()
            .1
            .export_keying_material(&mut out, b"EXPORTER-Channel-Binding", None)
            .ok()?;
        Some(out)
    }
}

impl AsyncRead for Io {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            Self::Gone => Poll::Ready(Ok(())),
        }
    }
}

impl AsyncWrite for Io {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            Self::Gone => Poll::Ready(Err(io::ErrorKind::NotConnected.into())),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
            Self::Gone => Poll::Ready(Err(io::ErrorKind::NotConnected.into())),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Self::Plain(s) => s.is_write_vectored(),
            Self::Tls(s) => s.is_write_vectored(),
            Self::Gone => false,
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_flush(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
            Self::Gone => Poll::Ready(Ok(())),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            Self::Gone => Poll::Ready(Ok(())),
        }
    }
}

/// Serves one connection to its end.
pub(super) async fn run(
    demo: Arc<Demo>,
    tcp: TcpStream,
    peer: SocketAddr,
    implicit_tls: bool,
) -> io::Result<()> {
    tcp.set_nodelay(true).ok();
    let (io, mut server) = if implicit_tls {
        let tls = tokio::time::timeout(HANDSHAKE_TIMEOUT, demo.tls.accept(tcp))
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "TLS handshake timed out"))??;
        let io = Io::Tls(Box::new(tls));
        let now = Instant::now();
        let server = match io.tls_exporter() {
            Some(cb) => Server::new_tls(Arc::clone(&demo.config), now, cb),
            None => Server::new(Arc::clone(&demo.config), now, ConnectionSecurity::Tls),
        };
        (io, server)
    } else {
        let now = Instant::now();
        let server = Server::new(Arc::clone(&demo.config), now, ConnectionSecurity::Plaintext);
        (Io::Plain(tcp), server)
    };
    server.set_peer_address(peer);
    let mut conn = Conn {
        demo,
        peer,
        io,
        server,
        session: None,
        out: Vectored::new(),
        idle: None,
        closed: false,
        start_tls: false,
    };
    let result = conn.serve().await;
    let _ = conn.io.shutdown().await;
    result
}

/// The state of one connection's loop.
struct Conn {
    demo: Arc<Demo>,
    /// The client's address (the login guard's key).
    peer: SocketAddr,
    io: Io,
    server: Server,
    session: Option<Session>,
    out: Vectored,
    /// The selected mailbox's change channel while IDLE.
    idle: Option<broadcast::Receiver<Change>>,
    closed: bool,
    start_tls: bool,
}

impl Conn {
    async fn serve(&mut self) -> io::Result<()> {
        loop {
            self.work();
            self.write_out().await?;
            if self.start_tls {
                self.start_tls = false;
                self.upgrade().await?;
                continue;
            }
            if self.closed && !self.server_has_output() {
                return Ok(());
            }
            if self.has_work() {
                // A FETCH waits for its output to be written: go on.
                continue;
            }
            let read = self.server.wants_read();
            let deadline = self.server.poll_timeout();
            let idle = self.idle.is_some();
            // Read straight into the session's input buffer: an APPEND's
            // message is copied once, from TLS into its frame.
            let mut room = if read {
                self.server.read_buf(64 * 1024)
            } else {
                bytes::BytesMut::new()
            };
            tokio::select! {
                r = self.io.read_buf(&mut room), if read => {
                    let now = Instant::now();
                    match r {
                        Ok(0) => self.server.handle_eof(now),
                        Ok(_) => self.server.handle_read(now, room),
                        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                            self.server.handle_eof(now)
                        }
                        Err(e) => return Err(e),
                    }
                }
                change = recv(&mut self.idle), if idle => {
                    if change.is_none() {
                        // The mailbox is gone: report it once, then stop listening.
                        self.idle = None;
                    }
                    self.push_changes();
                }
                () = sleep_until(deadline), if deadline.is_some() => {
                    self.server.handle_timeout(Instant::now());
                }
                else => return Ok(()),
            }
        }
    }

    /// Acts on the session's events and runs the commands they bring,
    /// until neither has anything left for now.
    fn work(&mut self) {
        loop {
            let mut progress = false;
            while let Some(event) = self.server.poll_event() {
                progress = true;
                self.on_event(event);
            }
            if let Some(session) = self.session.as_mut() {
                if session.has_work() && self.server.output_len() < Session::OUTPUT_BUDGET {
                    let server = &mut self.server;
                    tokio::task::block_in_place(|| session.run(server, Instant::now()));
                    progress = true;
                }
            }
            if !progress || self.server.output_len() >= Session::OUTPUT_BUDGET {
                return;
            }
        }
    }

    fn on_event(&mut self, event: Event) {
        let now = Instant::now();
        match event {
            Event::CommandReceived { request, command } => match self.session.as_mut() {
                Some(session) => session.push(request, command),
                // The Server hands out application commands only after
                // authentication, when the session exists.
                None => {
                    let text = super::session::static_text("not logged in");
                    let _ = self.server.respond(
                        now,
                        request,
                        imapkit_state::server::Completion::no(text),
                    );
                }
            },
            Event::LoginAttempt(attempt) => {
                let peer = Some(self.peer.ip());
                let verdict = self.demo.accounts.verdict(attempt.credentials(), peer);
                // Fails only if the session closed meanwhile.
                let _ = self.server.decide_login(now, attempt, verdict);
            }
            Event::AppendCheck(check) => {
                // A missing mailbox or a message too large is refused
                // before the client sends it (RFC 9051 §7.6).
                let utf8 = super::session::utf8_names(&self.server);
                let refusal = match self.session.as_ref() {
                    Some(session) => tokio::task::block_in_place(|| {
                        session.check_append(check.mailbox(), check.size(), utf8)
                    }),
                    None => Some(imapkit_state::server::Completion::no(
                        super::session::static_text("not logged in"),
                    )),
                };
                // Fails only if the session closed meanwhile.
                let _ = match refusal {
                    None => self.server.accept_append(now, check),
                    Some(completion) => self.server.refuse_append(now, check, completion),
                };
            }
            Event::ScramLookup(lookup) => {
                let peer = Some(self.peer.ip());
                let secrets = (self.demo.accounts).scram(&lookup.identity().authcid, peer);
                let _ = self.server.supply_scram(now, lookup, secrets);
            }
            Event::Authenticated { identity, .. } => {
                let mut session = Session::new(self.demo.store.clone());
                let opened = tokio::task::block_in_place(|| session.logged_in(&identity.authcid));
                if let Err(e) = opened {
                    eprintln!("imap-demo: account {:?}: {e}", identity.authcid);
                    let text = super::session::static_text("account unavailable");
                    let _ = self.server.bye(now, text);
                }
                self.session = Some(session);
            }
            Event::StartTlsReady => self.start_tls = true,
            Event::IdleStarted { .. } => {
                self.idle = self.session.as_ref().and_then(Session::subscribe);
                // Changes between the last command and IDLE.
                self.push_changes();
            }
            Event::IdleEnded { .. } => self.idle = None,
            // Where the client's numbering changes, in order with the
            // commands (see `Session::expunge_sent`).
            Event::ExpungeSent { .. } => {
                if let Some(session) = self.session.as_mut() {
                    session.expunge_sent();
                }
            }
            Event::Audit(audit) => {
                if let AuditKind::AuthAttempt { user, outcome, .. } = &audit.kind {
                    let failed = *outcome == AuthOutcome::Failed;
                    let ok = *outcome == AuthOutcome::Success;
                    let peer = Some(self.peer.ip());
                    (self.demo.accounts).note_attempt(peer, user.as_deref(), failed, ok);
                }
                eprintln!("imap-demo: {audit}");
            }
            Event::Closed { .. } => self.closed = true,
            // ENABLE: the session reads `Server::enabled` when it answers;
            // violations were answered by the Server and are in the audit
            // log when they matter.
            _ => {}
        }
    }

    fn push_changes(&mut self) {
        if let Some(session) = self.session.as_mut() {
            let server = &mut self.server;
            tokio::task::block_in_place(|| session.push_changes(server, Instant::now()));
        }
    }

    fn has_work(&self) -> bool {
        self.session.as_ref().is_some_and(Session::has_work) && !self.server.is_closed()
    }

    fn server_has_output(&self) -> bool {
        self.server.output_len() > 0
    }

    /// Writes everything the session queued.
    async fn write_out(&mut self) -> io::Result<()> {
        let mut wrote = false;
        while self
            .server
            .poll_transmit_vectored(Instant::now(), &mut self.out)
            .is_some()
        {
            wrote = true;
            let chunks: Vec<&[u8]> = self.out.chunks().collect();
            let write = write_all_vectored(&mut self.io, &chunks);
            tokio::time::timeout(WRITE_TIMEOUT, write)
                .await
                .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "client does not read"))??;
        }
        self.out.clear();
        if wrote {
            self.io.flush().await?;
        }
        Ok(())
    }

    /// After the OK to STARTTLS went out: the handshake, then the session
    /// goes on encrypted.
    async fn upgrade(&mut self) -> io::Result<()> {
        let Io::Plain(tcp) = std::mem::replace(&mut self.io, Io::Gone) else {
            return Err(io::Error::other("STARTTLS on a TLS connection"));
        };
        let tls = tokio::time::timeout(HANDSHAKE_TIMEOUT, self.demo.tls.accept(tcp))
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "TLS handshake timed out"))??;
        self.io = Io::Tls(Box::new(tls));
        let binding = self.io.tls_exporter();
        self.server
            .tls_established(Instant::now(), binding)
            .map_err(io::Error::other)
    }
}

/// Writes all of `chunks` with vectored writes.
async fn write_all_vectored(io: &mut Io, chunks: &[&[u8]]) -> io::Result<()> {
    let (mut index, mut offset) = (0, 0);
    while index < chunks.len() {
        let mut slices = Vec::with_capacity(chunks.len() - index);
        slices.push(IoSlice::new(&chunks[index][offset..]));
        slices.extend(chunks[index + 1..].iter().map(|c| IoSlice::new(c)));
        let mut n = io.write_vectored(&slices).await?;
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        while index < chunks.len() && n >= chunks[index].len() - offset {
            n -= chunks[index].len() - offset;
            index += 1;
            offset = 0;
        }
        offset += n;
    }
    Ok(())
}

/// The next change (or lag) of the IDLE channel; `None` once it closed.
async fn recv(rx: &mut Option<broadcast::Receiver<Change>>) -> Option<()> {
    let rx = rx.as_mut()?;
    match rx.recv().await {
        Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => Some(()),
        Err(broadcast::error::RecvError::Closed) => None,
    }
}

async fn sleep_until(at: Option<Instant>) {
    if let Some(at) = at {
        tokio::time::sleep_until(at.into()).await;
    }
}
