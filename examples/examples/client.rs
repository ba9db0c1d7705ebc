//! An IMAP client on tokio + rustls, built on the sans-IO `Client`.
//!
//! ```text
//! cargo run --release -p imap-examples --example client -- \
//!     [--tls | --starttls | --plain] --host H --port P [--ca FILE] --user U \
//!     [--auth login|plain|scram-sha-256|xoauth2|oauthbearer] COMMAND
//! ```
//!
//! The password comes from `IMAP_PASSWORD`, the OAuth 2.0 token (for
//! `xoauth2` and `oauthbearer`) from `IMAP_OAUTH_TOKEN`. Commands:
//!
//! - `list`: mailboxes with their special-use attributes;
//! - `sync MAILBOX`: UID, FLAGS, ENVELOPE, BODYSTRUCTURE of every message,
//!   then `mailbox: NAME, messages: N, bytes: B, seconds: S` (B: the sum of
//!   the messages' RFC822.SIZE);
//! - `fetch MAILBOX UID`: the message's bytes to stdout, exactly;
//! - `append MAILBOX FILE`: prints the APPENDUID when the server gives one;
//! - `idle MAILBOX [--for SECONDS]`: one line per change: `exists N`,
//!   `expunge UID`, `flags UID (FLAGS)`.
//!
//! Errors name their cause (connection, TLS certificate, authentication with
//! its RFC 5530 code, missing mailbox) and the exit status is non-zero. A
//! server that stops reading fails a write after 60 s without progress
//! (`IMAP_WRITE_TIMEOUT`, in seconds, sets another bound).

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use imap_examples::cli::{self, Args, AuthKind, Failure, Mode};
use imapkit_proto::{
    AppendData, AppendMessage, CommandBody, Data, FetchAttribute, FetchItems, Literal, Mailbox,
    MessageDataItem, ResponseCode, Section, SequenceSet, Vec1,
};
use imapkit_state::client::{
    Client, ClientConfig, CloseReason, CommandError, Completion, Event, Outcome, SessionState,
    StartTlsPolicy,
};
use imapkit_state::error::UsageError;
use imapkit_state::mailbox::MailboxChange;
use imapkit_state::{CommandHandle, ConnectionSecurity};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

/// The longest TLS handshake (a server that accepts the connection and
/// never answers the handshake must not hang the client).
const TLS_TIMEOUT: Duration = Duration::from_secs(15);

/// How long a write may make no progress by default (a server that stops
/// reading must not hang the client); `IMAP_WRITE_TIMEOUT` overrides it.
const WRITE_TIMEOUT: Duration = Duration::from_secs(60);

/// The write timeout: `IMAP_WRITE_TIMEOUT` seconds, or [`WRITE_TIMEOUT`].
fn write_timeout() -> Duration {
    std::env::var("IMAP_WRITE_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(WRITE_TIMEOUT, Duration::from_secs)
}

/// Writes all of `buf`, then flushes; each step must make progress within
/// `limit` (per write, so a large APPEND to a slow but live server goes on).
async fn write_all_within<W: AsyncWrite + Unpin>(
    w: &mut W,
    mut buf: &[u8],
    limit: Duration,
) -> std::io::Result<()> {
    let timed_out = || {
        std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!(
                "the server read nothing for {} s: write timed out",
                limit.as_secs()
            ),
        )
    };
    while !buf.is_empty() {
        let n = tokio::time::timeout(limit, w.write(buf))
            .await
            .map_err(|_| timed_out())??;
        if n == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        buf = &buf[n..];
    }
    tokio::time::timeout(limit, w.flush())
        .await
        .map_err(|_| timed_out())?
}

/// The socket, before or after TLS.
enum Io {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
    Gone,
}

/// The sans-IO client and its socket: the whole I/O loop of an application.
struct Conn {
    client: Client,
    io: Io,
    tls: TlsConnector,
    name: ServerName<'static>,
    out: Vec<u8>,
    closed: bool,
    /// The connection upgrades with STARTTLS.
    starttls: bool,
}

impl Conn {
    async fn connect(args: &Args) -> Result<Self, Failure> {
        let tls = TlsConnector::from(cli::tls_config(args.ca.as_deref())?);
        let name = ServerName::try_from(args.host.clone())
            .map_err(|_| Failure::Usage("invalid host name".into()))?;
        let addr = (args.host.as_str(), args.port);
        let tcp = tokio::time::timeout(Duration::from_secs(15), TcpStream::connect(addr))
            .await
            .map_err(|_| Failure::ConnectTimeout)?
            .map_err(Failure::Connect)?;
        tcp.set_nodelay(true).ok();
        let mut config = ClientConfig::default();
        config.starttls = match args.mode {
            Mode::StartTls => StartTlsPolicy::Required,
            Mode::Tls | Mode::Plain => StartTlsPolicy::Never,
        };
        config.allow_plaintext_credentials = args.mode == Mode::Plain;
        let (io, security) = match args.mode {
            Mode::Tls => {
                let stream = tokio::time::timeout(TLS_TIMEOUT, tls.connect(name.clone(), tcp))
                    .await
                    .map_err(|_| Failure::TlsTimeout)?
                    .map_err(Failure::tls)?;
                (Io::Tls(Box::new(stream)), ConnectionSecurity::Tls)
            }
            Mode::StartTls | Mode::Plain => (Io::Plain(tcp), ConnectionSecurity::Plaintext),
        };
        Ok(Self {
            client: Client::new(Arc::new(config), Instant::now(), security),
            io,
            tls,
            name,
            out: Vec::new(),
            closed: false,
            starttls: args.mode == Mode::StartTls,
        })
    }

    /// Writes what the client wants sent.
    async fn flush(&mut self) -> Result<(), Failure> {
        self.out.clear();
        if self
            .client
            .poll_transmit(Instant::now(), &mut self.out)
            .is_none()
        {
            return Ok(());
        }
        let limit = write_timeout();
        let result = match &mut self.io {
            Io::Plain(s) => write_all_within(s, &self.out, limit).await,
            Io::Tls(s) => write_all_within(s, &self.out, limit).await,
            Io::Gone => Ok(()),
        };
        result.map_err(Failure::Io)
    }

    /// The next event, reading as needed; `None` after the session closed.
    async fn next_event(&mut self) -> Result<Option<Event>, Failure> {
        loop {
            // One event at a time: the client reads on in the input it
            // holds as its events are taken (its bound on the events of a
            // read holds here too). What taking one queued to send goes
            // out before the next read (`upgrade` sends first, too).
            if let Some(event) = self.client.poll_event() {
                match &event {
                    Event::StartTls { .. } => self.upgrade().await?,
                    Event::Closed { .. } => self.closed = true,
                    _ => {}
                }
                return Ok(Some(event));
            }
            self.flush().await?;
            if self.closed {
                return Ok(None);
            }
            self.read_once().await?;
        }
    }

    /// One read from the socket, or the client's next timer, whichever comes first.
    async fn read_once(&mut self) -> Result<(), Failure> {
        // Read straight into the client's input buffer: a `BODY[]` is
        // copied once, from TLS into the frame its value shares.
        let mut room = self.client.read_buf(64 * 1024);
        let deadline = self.client.poll_timeout();
        let read = async {
            match &mut self.io {
                Io::Plain(s) => s.read_buf(&mut room).await,
                Io::Tls(s) => s.read_buf(&mut room).await,
                Io::Gone => Ok(0),
            }
        };
        let result = match deadline {
            Some(at) => tokio::time::timeout_at(at.into(), read).await.ok(),
            None => Some(read.await),
        };
        let now = Instant::now();
        match result {
            None => self.client.handle_timeout(now),
            Some(Ok(0)) => self.client.handle_eof(now),
            Some(Ok(_)) => self.client.handle_read(now, room),
            Some(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                self.client.handle_eof(now)
            }
            Some(Err(e)) => return Err(Failure::Io(e)),
        }
        Ok(())
    }

    /// After STARTTLS's OK: the TLS handshake, then the client goes on.
    async fn upgrade(&mut self) -> Result<(), Failure> {
        self.flush().await?;
        let Io::Plain(tcp) = std::mem::replace(&mut self.io, Io::Gone) else {
            return Err(Failure::Usage("STARTTLS on a TLS connection".into()));
        };
        let stream = tokio::time::timeout(TLS_TIMEOUT, self.tls.connect(self.name.clone(), tcp))
            .await
            .map_err(|_| Failure::TlsTimeout)?
            .map_err(Failure::tls)?;
        self.io = Io::Tls(Box::new(stream));
        self.client
            .tls_established(Instant::now())
            .map_err(|e| Failure::Usage(e.to_string()))
    }

    /// Runs `handle` to its completion; the events before it go to `on_event`.
    async fn wait(
        &mut self,
        handle: CommandHandle,
        mut on_event: impl FnMut(&Client, Event),
    ) -> Result<Completion, Failure> {
        while let Some(event) = self.next_event().await? {
            match event {
                // Never sent, or cut off, because the session ended: the
                // reason is the failure (no greeting, STARTTLS refused, ...).
                Event::Completed(c)
                    if c.handle == handle
                        && matches!(
                            c.result(),
                            Err(CommandError::NotSent(UsageError::Closed)
                                | CommandError::ConnectionClosed)
                        ) => {}
                Event::Completed(c) if c.handle == handle => return Ok(*c),
                Event::Closed { reason } => return Err(Failure::Closed(reason)),
                other => on_event(&self.client, other),
            }
        }
        Err(Failure::Closed(CloseReason::Eof))
    }

    /// Why the session ended, once it has: its `Closed` event.
    async fn closed(&mut self) -> Failure {
        loop {
            match self.next_event().await {
                Ok(Some(Event::Closed { reason })) => return Failure::Closed(reason),
                Ok(Some(_)) => {}
                Ok(None) => return Failure::Closed(CloseReason::Eof),
                Err(e) => return e,
            }
        }
    }

    /// Reads until the session is ready for credentials: greeted, and with
    /// STARTTLS, past the handshake with the capabilities asked again over
    /// TLS (the mechanism depends on both: SCRAM-...-PLUS binds to the TLS
    /// channel).
    async fn await_ready(&mut self) -> Result<(), Failure> {
        self.await_greeting().await?;
        let wants_tls = self.client.security() == ConnectionSecurity::Plaintext && self.starttls;
        while wants_tls && !(matches!(self.io, Io::Tls(_)) && self.client.capabilities().known()) {
            match self.next_event().await? {
                Some(Event::Closed { reason }) => return Err(Failure::Closed(reason)),
                None => return Err(Failure::Closed(CloseReason::Eof)),
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// Enqueues `body` and waits for an OK.
    async fn run(
        &mut self,
        body: CommandBody<'static>,
        on_event: impl FnMut(&Client, Event),
    ) -> Result<Completion, Failure> {
        let handle = self
            .client
            .enqueue(Instant::now(), body)
            .map_err(|e| Failure::Usage(e.to_string()))?;
        let done = self.wait(handle, on_event).await?;
        done.result().map_err(Failure::command)?;
        Ok(done)
    }

    async fn login(&mut self, args: &Args) -> Result<(), Failure> {
        let now = Instant::now();
        let handle = match args.auth {
            AuthKind::Login => match self.client.login(now, &args.user, cli::password()?) {
                Ok(handle) => handle,
                Err(UsageError::Closed) => return Err(self.closed().await),
                Err(e) => return Err(Failure::Usage(e.to_string())),
            },
            other => {
                // The mechanism depends on the capabilities (SCRAM-...-PLUS
                // offered or not, RFC 5802 §6 downgrade protection) and on
                // the TLS channel: read the greeting that lists them, and
                // with STARTTLS wait for TLS, first.
                self.await_ready().await?;
                if self.preauthenticated() {
                    return Ok(());
                }
                let plus =
                    self.client
                        .capabilities()
                        .has_auth(&imapkit_proto::AuthMechanism::Other(
                            imapkit_proto::Atom::try_from("SCRAM-SHA-256-PLUS").expect("an atom"),
                        ));
                let mechanism = cli::mechanism(other, args, self.tls_exporter(), plus)?;
                match self.client.authenticate(now, mechanism) {
                    Ok(handle) => handle,
                    Err(UsageError::Closed) => return Err(self.closed().await),
                    Err(e) => return Err(Failure::Usage(e.to_string())),
                }
            }
        };
        let done = self.wait(handle, |_, _| {}).await?;
        // The LOGIN was queued before the greeting, which said PREAUTH: it
        // was not sent, and none is needed.
        if let Outcome::NotSent(UsageError::WrongState { .. }) = done.outcome {
            if self.preauthenticated() {
                return Ok(());
            }
        }
        done.result().map_err(Failure::auth)
    }

    /// Whether the server greeted with PREAUTH (RFC 9051 §7.1.4): the
    /// session is authenticated without a login.
    fn preauthenticated(&self) -> bool {
        self.client.state() == SessionState::Authenticated
    }

    /// Reads until the server's greeting has arrived.
    async fn await_greeting(&mut self) -> Result<(), Failure> {
        while self.client.state() == SessionState::Greeting {
            match self.next_event().await? {
                Some(Event::Closed { reason }) => return Err(Failure::Closed(reason)),
                None => return Err(Failure::Closed(CloseReason::Eof)),
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// The TLS exporter value (RFC 9266) for SCRAM-PLUS channel binding.
    fn tls_exporter(&self) -> Option<Vec<u8>> {
        let Io::Tls(s) = &self.io else { return None };
        let mut out = vec![0u8; 32];
        s.get_ref()
            .1
            .export_keying_material(&mut out, b"EXPORTER-Channel-Binding", None)
            .ok()?;
        Some(out)
    }

    async fn logout(&mut self) -> Result<(), Failure> {
        if let Ok(handle) = self.client.logout(Instant::now()) {
            let _ = self.wait(handle, |_, _| {}).await;
        }
        Ok(())
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}\n\n{}", cli::USAGE);
            return ExitCode::from(2);
        }
    };
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            if let Some(hint) = e.hint() {
                eprintln!("hint: {hint}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}

async fn run(args: &Args) -> Result<(), Failure> {
    let mut conn = Conn::connect(args).await?;
    conn.login(args).await?;
    match &args.command {
        cli::Command::List => list(&mut conn).await?,
        cli::Command::Sync { mailbox } => sync(&mut conn, mailbox).await?,
        cli::Command::Fetch { mailbox, uid } => fetch(&mut conn, mailbox, *uid).await?,
        cli::Command::Append { mailbox, file } => append(&mut conn, mailbox, file).await?,
        cli::Command::Idle { mailbox, seconds } => idle(&mut conn, mailbox, *seconds).await?,
    }
    conn.logout().await
}

async fn list(conn: &mut Conn) -> Result<(), Failure> {
    let body = cli::command("LIST \"\" * RETURN (SPECIAL-USE)");
    let mut lines = Vec::new();
    conn.run(body, |_, event| {
        if let Event::Data {
            data: Data::List(l),
            ..
        } = event
        {
            let attrs: Vec<String> = l.attributes.iter().map(|a| cli::attribute(a)).collect();
            lines.push(format!("{}\t({})", l.mailbox.name_lossy(), attrs.join(" ")));
        }
    })
    .await?;
    for line in lines {
        println!("{line}");
    }
    Ok(())
}

async fn select(conn: &mut Conn, mailbox: &str, read_only: bool) -> Result<(), Failure> {
    let name = Mailbox::from_name(mailbox);
    let now = Instant::now();
    let handle = if read_only {
        conn.client.examine(now, name)
    } else {
        conn.client.select(now, name)
    }
    .map_err(|e| Failure::Usage(e.to_string()))?;
    let done = conn.wait(handle, |_, _| {}).await?;
    done.result().map_err(|e| Failure::mailbox(mailbox, e))
}

async fn sync(conn: &mut Conn, mailbox: &str) -> Result<(), Failure> {
    let started = Instant::now();
    select(conn, mailbox, true).await?;
    let total = conn.client.mailbox().map_or(0, |m| m.exists());
    let bar = indicatif::ProgressBar::new(u64::from(total));
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} messages {per_sec}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let (mut messages, mut bytes) = (0u64, 0u64);
    if total > 0 {
        let body = cli::command("UID FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE BODYSTRUCTURE)");
        conn.run(body, |_, event| {
            if let Event::Data {
                data: Data::Fetch { items, .. },
                ..
            } = event
            {
                messages += 1;
                bar.inc(1);
                for item in items.iter() {
                    if let MessageDataItem::Rfc822Size(n) = item {
                        bytes += *n;
                    }
                }
            }
        })
        .await?;
    }
    bar.finish_and_clear();
    println!(
        "mailbox: {mailbox}, messages: {messages}, bytes: {bytes}, seconds: {:.3}",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn fetch(conn: &mut Conn, mailbox: &str, uid: u32) -> Result<(), Failure> {
    select(conn, mailbox, true).await?;
    let set = SequenceSet::try_from(uid.to_string().as_str())
        .map_err(|_| Failure::Usage("UID must be at least 1".into()))?;
    let items = FetchItems::List(Vec1::new(FetchAttribute::BodySection {
        section: Section::default(),
        partial: None,
        peek: true,
    }));
    let body = CommandBody::Fetch {
        uid: true,
        sequence_set: set,
        items,
        modifiers: Vec::new(),
    };
    let mut message = None;
    conn.run(body, |_, event| {
        if let Event::Data {
            data: Data::Fetch { items, .. },
            ..
        } = event
        {
            for item in items.iter() {
                if let MessageDataItem::BodySection { data, .. } = item {
                    message = data.as_bytes().map(<[u8]>::to_vec);
                }
            }
        }
    })
    .await?;
    let message =
        message.ok_or_else(|| Failure::Usage(format!("no message with UID {uid} in {mailbox}")))?;
    std::io::stdout().write_all(&message).map_err(Failure::Io)?;
    Ok(())
}

async fn append(conn: &mut Conn, mailbox: &str, file: &std::path::Path) -> Result<(), Failure> {
    let bytes = std::fs::read(file).map_err(Failure::Io)?;
    let literal =
        Literal::try_new(bytes).map_err(|e| Failure::Usage(format!("{}: {e}", file.display())))?;
    let message = AppendMessage::new(AppendData::Literal(literal));
    let body = CommandBody::Append {
        mailbox: Mailbox::from_name(mailbox),
        messages: Vec1::new(message),
    };
    let handle = conn
        .client
        .enqueue(Instant::now(), body)
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let done = conn.wait(handle, |_, _| {}).await?;
    done.result().map_err(|e| Failure::mailbox(mailbox, e))?;
    match done.code {
        Some(ResponseCode::AppendUid { uid_validity, uids }) => {
            println!("APPENDUID {uid_validity} {}", cli::sequence_set(&uids))
        }
        _ => println!("appended (the server sent no APPENDUID)"),
    }
    Ok(())
}

async fn idle(conn: &mut Conn, mailbox: &str, seconds: Option<u64>) -> Result<(), Failure> {
    select(conn, mailbox, true).await?;
    // Learn every UID so that expunges can be reported by UID.
    conn.run(cli::command("UID FETCH 1:* (UID)"), |_, _| {})
        .await?;
    let handle = conn.client.idle(Instant::now()).map_err(|e| match e {
        UsageError::MissingCapability(_) => {
            Failure::Usage("the server has no IDLE: poll with NOOP instead".into())
        }
        other => Failure::Usage(other.to_string()),
    })?;
    let until = seconds.map(|s| Instant::now() + Duration::from_secs(s));
    let mut stdout = std::io::stdout();
    loop {
        let next = match until {
            Some(at) => match tokio::time::timeout_at(at.into(), conn.next_event()).await {
                Ok(e) => e?,
                Err(_) => break,
            },
            None => conn.next_event().await?,
        };
        let Some(event) = next else {
            return Err(Failure::Closed(CloseReason::Eof));
        };
        match event {
            Event::Mailbox(change) => {
                if let Some(line) = cli::change_line(&change) {
                    writeln!(stdout, "{line}").map_err(Failure::Io)?;
                    stdout.flush().map_err(Failure::Io)?;
                }
                let _: &MailboxChange = &change;
            }
            Event::Closed { reason } => return Err(Failure::Closed(reason)),
            Event::Completed(c) if c.handle == handle => {
                return c.result().map_err(Failure::command)
            }
            _ => {}
        }
    }
    conn.client
        .idle_done(Instant::now())
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let done = conn.wait(handle, |_, _| {}).await?;
    done.result().map_err(Failure::command)
}
