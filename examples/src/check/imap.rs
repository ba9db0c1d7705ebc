//! The IMAP side of a check, on the client state machine: the greeting,
//! capability lists before and after TLS, STARTTLS, and with `--user` the
//! login, LIST and SELECT INBOX.

use std::io;
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use imapkit_proto::{
    Capability, CommandBody, Data, GreetingKind, ListMailbox, ListPatterns, ListReturnOption,
    Mailbox, MailboxAttribute, ResponseCode, Text,
};
use imapkit_state::client::{
    ClientConfig, CloseReason, Completion, Event, Outcome, SessionState, StartTlsPolicy,
};
use imapkit_state::CommandHandle;
use rustls::pki_types::ServerName;

use super::report::{Finding, Status};
use super::tls::{self};
use super::{Login, Mode, Runner};
use crate::blocking::{Session, Stream};

/// A session on `stream` that never sends STARTTLS by itself (the check
/// does, to look at the capabilities before), with `timeout` for the
/// greeting and each command.
pub(super) fn session(
    stream: Stream,
    name: ServerName<'static>,
    tls: Arc<rustls::ClientConfig>,
    timeout: Duration,
) -> Session {
    let mut config = ClientConfig::default();
    config.starttls = StartTlsPolicy::Never;
    config.greeting_timeout = timeout;
    config.command_timeout = Some(timeout);
    let mut session = Session::with_stream(stream, name, tls, config);
    // The client's timers restart with each byte: a server sending one
    // byte at a time must not stretch `--timeout`.
    session.set_answer_timeout(Some(timeout));
    session
}

/// Why a session stopped.
#[derive(Debug)]
pub(super) enum Stop {
    /// The client closed the session.
    Closed(CloseReason),
    /// The socket or TLS failed.
    Io(io::Error),
    /// A command was refused or could not be sent: why, in words.
    Refused(String),
}

impl Stop {
    fn describe(&self) -> String {
        match self {
            Self::Closed(CloseReason::GreetingTimeout) => "no greeting in time".to_owned(),
            Self::Closed(reason) => reason.to_string(),
            // The answer deadline (`Session::set_answer_timeout`).
            Self::Io(e) if e.kind() == io::ErrorKind::TimedOut => e.to_string(),
            Self::Io(e) => format!("connection failed: {e}"),
            Self::Refused(why) => why.clone(),
        }
    }
}

/// The code's name as on the wire (`AUTHENTICATIONFAILED`), without arguments.
fn code_name(code: &ResponseCode<'_>) -> String {
    let mut out = Vec::new();
    imapkit_codec::encode(code, &mut out);
    let end = out.iter().position(|&b| b == b' ').unwrap_or(out.len());
    String::from_utf8_lossy(&out[..end]).into_owned()
}

/// `[CODE] text`, shortened to 120 characters.
fn status_text(code: Option<&ResponseCode<'_>>, text: Option<&Text<'_>>) -> String {
    let mut out = String::new();
    if let Some(code) = code {
        out.push_str(&format!("[{}] ", code_name(code)));
    }
    if let Some(text) = text {
        let t = text.to_string_lossy();
        let mut t: String = t.chars().take(120).collect();
        if t.len() < text.to_string_lossy().len() {
            t.push_str("...");
        }
        out.push_str(&t);
    }
    out.trim_end().to_owned()
}

/// Advice for a failed login by its RFC 5530 code.
fn login_advice(code: Option<&ResponseCode<'_>>, provider: Option<&str>) -> String {
    let base = match code {
        Some(ResponseCode::AuthenticationFailed) | None => {
            "wrong user name or password; some servers want the whole address as user name"
        }
        Some(ResponseCode::AuthorizationFailed) => {
            "the credentials are right but they may not be used for this account"
        }
        Some(ResponseCode::Expired) => "the password or the account has expired: renew it",
        Some(ResponseCode::PrivacyRequired) => {
            "the server wants a stronger protection of the connection than it has"
        }
        Some(ResponseCode::Unavailable) => {
            "the server's authentication backend is down: try again later or tell its administrator"
        }
        Some(ResponseCode::ContactAdmin) => "the account needs its administrator's attention",
        Some(ResponseCode::Limit) => {
            "too many connections or attempts: close other clients, then retry"
        }
        Some(_) => "read the server's text and log",
    };
    match provider {
        Some(settings) => format!("{base}; {settings}"),
        None => base.to_owned(),
    }
}

impl Runner<'_> {
    /// The next event; alerts become findings on the way.
    fn event(&mut self, port: u16, s: &mut Session) -> Result<Event, Stop> {
        loop {
            match s.next_event() {
                Ok(Some(Event::Closed { reason })) => return Err(Stop::Closed(reason)),
                Ok(Some(Event::Alert { text, trusted })) => {
                    let mut message = text.to_string_lossy().into_owned();
                    if !trusted {
                        message.push_str(
                            " (arrived before TLS: anyone on the path could have written it)",
                        );
                    }
                    self.push(Finding::new(Status::Warn, format!("{port} alert"), message));
                }
                Ok(Some(e)) => return Ok(e),
                Ok(None) => return Err(Stop::Closed(CloseReason::Eof)),
                Err(e) => return Err(Stop::Io(e)),
            }
        }
    }

    /// Waits for the greeting and reports it; `false` when the session
    /// cannot go on.
    fn greeting(&mut self, port: u16, s: &mut Session, plaintext: bool) -> bool {
        let topic = format!("{port} greeting");
        loop {
            match self.event(port, s) {
                Ok(Event::Greeting(g)) => {
                    // The capabilities in the greeting are reported on their own line.
                    let code = g
                        .text
                        .code()
                        .filter(|c| !matches!(c, ResponseCode::Capability(_)));
                    let text = status_text(code, Some(g.text.human()));
                    return match g.kind {
                        GreetingKind::Ok => {
                            self.push(Finding::new(Status::Ok, topic, format!("OK {text}")));
                            true
                        }
                        GreetingKind::PreAuth if plaintext => {
                            self.push(
                                Finding::new(
                                    Status::Fail,
                                    topic,
                                    format!("PREAUTH on a plaintext connection: {text}"),
                                )
                                .advice(
                                    "a session authenticated before TLS cannot use STARTTLS (RFC 9051 §6.2.1), \
                                     and an attacker can send PREAUTH to keep the client from encrypting: \
                                     greet with OK until TLS is up",
                                ),
                            );
                            false
                        }
                        GreetingKind::PreAuth => {
                            self.push(Finding::new(
                                Status::Ok,
                                topic,
                                format!("PREAUTH (already authenticated, e.g. by a client certificate): {text}"),
                            ));
                            true
                        }
                        GreetingKind::Bye => {
                            self.push(
                                Finding::new(Status::Fail, topic, format!("BYE: {text}"))
                                    .advice("the server refuses connections: overloaded, this address blocked, or maintenance"),
                            );
                            false
                        }
                    };
                }
                Ok(_) => {}
                Err(stop) => {
                    self.push(
                        Finding::new(Status::Fail, topic, stop.describe())
                            .advice("the server accepted the connection but did not greet: overloaded, or not an IMAP server"),
                    );
                    return false;
                }
            }
        }
    }

    /// Waits until the capabilities are known (the client asks for them).
    fn capabilities(
        &mut self,
        port: u16,
        s: &mut Session,
        topic: &str,
    ) -> Option<Vec<Capability<'static>>> {
        loop {
            if s.client.capabilities().known() {
                let caps = s.client.capabilities().list().to_vec();
                self.push(Finding::new(
                    Status::Ok,
                    topic,
                    super::capabilities::render(&caps),
                ));
                return Some(caps);
            }
            if let Err(stop) = self.event(port, s) {
                self.push(Finding::new(
                    Status::Fail,
                    topic,
                    format!("no capability list: {}", stop.describe()),
                ));
                return None;
            }
        }
    }

    /// Waits for `handle`'s completion; the events before it are returned.
    fn complete(
        &mut self,
        port: u16,
        s: &mut Session,
        handle: CommandHandle,
    ) -> Result<(Vec<Event>, Completion), Stop> {
        let mut seen = Vec::new();
        loop {
            match self.event(port, s)? {
                Event::Completed(c) if c.handle == handle => return Ok((seen, *c)),
                other => seen.push(other),
            }
        }
    }

    /// Logs out, not caring how (the checks are done).
    fn logout(&mut self, port: u16, mut s: Session) {
        if let Ok(h) = s.client.logout(Instant::now()) {
            let _ = self.complete(port, &mut s, h);
        }
    }

    /// A plaintext port: greeting, capabilities before TLS, STARTTLS.
    pub(super) fn starttls_port(&mut self, port: u16, tcp: TcpStream) {
        let Ok((config, recorder)) = self.trust.client_config(true) else {
            return;
        };
        let mut s = session(
            Stream::Plain(tcp),
            self.server_name.clone(),
            config,
            self.timeout(),
        );
        if !self.greeting(port, &mut s, true) {
            return;
        }
        let Some(caps) =
            self.capabilities(port, &mut s, &format!("{port} capabilities before TLS"))
        else {
            return;
        };
        for f in super::capabilities::before_tls(&port.to_string(), &caps) {
            self.push(f);
        }
        self.plain_caps.get_or_insert_with(|| caps.clone());
        if !caps.contains(&Capability::StartTls) {
            self.logout(port, s);
            return;
        }
        match self.starttls(port, &mut s) {
            Ok(()) => {
                self.report_starttls(port, &s, true);
                if let Some(chain) = recorder.chain() {
                    self.certificate(port, &chain);
                }
                self.over_tls(port, s, true, Mode::StartTls);
            }
            Err(Stop::Io(e)) => {
                if self.handshake_failed(port, "starttls", &e, recorder.chain()) {
                    self.starttls_unverified(port);
                }
            }
            Err(stop) => {
                self.push(Finding::new(
                    Status::Fail,
                    format!("{port} starttls"),
                    stop.describe(),
                ));
            }
        }
    }

    /// STARTTLS once more, not verifying the certificate, to see the
    /// capabilities over TLS. Only failures of the repeated steps are reported.
    fn starttls_unverified(&mut self, port: u16) {
        let Some(tcp) = self.connect(port, true, false) else {
            return;
        };
        let Ok((config, _)) = self.trust.client_config(false) else {
            return;
        };
        let mut s = session(
            Stream::Plain(tcp),
            self.server_name.clone(),
            config,
            self.timeout(),
        );
        // The first connection reported these already: only problems now.
        self.quiet = true;
        let known = self.greeting(port, &mut s, true)
            && self
                .capabilities(port, &mut s, &format!("{port} capabilities before TLS"))
                .is_some();
        self.quiet = false;
        if !known {
            return;
        }
        match self.starttls(port, &mut s) {
            Ok(()) => {
                self.report_starttls(port, &s, false);
                self.over_tls(port, s, false, Mode::StartTls);
            }
            Err(Stop::Io(e)) => {
                let (message, advice) = tls::describe_failure(&e, self.timeout());
                self.push(
                    Finding::new(Status::Fail, format!("{port} starttls"), message).advice(advice),
                );
            }
            Err(stop) => {
                self.push(Finding::new(
                    Status::Fail,
                    format!("{port} starttls"),
                    stop.describe(),
                ));
            }
        }
    }

    fn report_starttls(&mut self, port: u16, s: &Session, verified: bool) {
        let negotiated = s
            .tls_connection()
            .map_or_else(|| "TLS".to_owned(), tls::negotiated);
        let mut message = format!("STARTTLS: {negotiated}");
        if !verified {
            message.push_str(
                " (certificate not verified from here on: checking the rest, sending no password)",
            );
        }
        self.push(Finding::new(
            Status::Ok,
            format!("{port} starttls"),
            message,
        ));
    }

    /// Sends STARTTLS and waits until TLS is up (the driver runs the
    /// handshake when the client asks for it).
    fn starttls(&mut self, port: u16, s: &mut Session) -> Result<(), Stop> {
        let handle = s
            .client
            .starttls(Instant::now())
            .map_err(|e| Stop::Refused(format!("STARTTLS not sent: {e}")))?;
        let (_, done) = self.complete(port, s, handle)?;
        if !done.is_ok() {
            let text = status_text(done.code.as_ref(), done.text.as_ref());
            return Err(Stop::Refused(format!(
                "the server refused STARTTLS: {text}"
            )));
        }
        // The handshake ran while the completion was read.
        if s.tls_connection().is_none() {
            return Err(Stop::Refused("TLS did not start after STARTTLS".to_owned()));
        }
        Ok(())
    }

    /// Over TLS: the greeting (implicit TLS), the capabilities, and the
    /// login if it is due and the certificate verified.
    pub(super) fn over_tls(&mut self, port: u16, mut s: Session, verified: bool, mode: Mode) {
        if mode == Mode::ImplicitTls && !self.greeting(port, &mut s, false) {
            return;
        }
        let topic = match mode {
            Mode::ImplicitTls => format!("{port} capabilities"),
            Mode::StartTls => format!("{port} capabilities after STARTTLS"),
        };
        let Some(caps) = self.capabilities(port, &mut s, &topic) else {
            return;
        };
        self.tls_caps.get_or_insert_with(|| caps.clone());
        if verified {
            self.working.push((port, mode));
        }
        if verified && self.login == Login::Pending {
            self.login = Login::Done;
            self.login_and_look(port, &mut s, &caps);
        }
        self.logout(port, s);
    }

    /// LOGIN, then the capabilities after it, LIST and SELECT INBOX.
    fn login_and_look(&mut self, port: u16, s: &mut Session, caps: &[Capability<'static>]) {
        let (Some(user), Some(password)) = (&self.options.user, &self.options.password) else {
            return;
        };
        let user = user.clone();
        if s.client.state() != SessionState::NotAuthenticated {
            self.push(Finding::new(
                Status::Ok,
                "login",
                format!("not needed on port {port}: the server greeted with PREAUTH"),
            ));
            self.look(port, s);
            return;
        }
        let provider = super::capabilities::provider(&self.options.host).map(|(_, s)| s);
        // AUTHENTICATE PLAIN (RFC 4616) where the server offers it, else
        // the LOGIN command; both only ever over verified TLS.
        let plain = caps.contains(&Capability::Auth(imapkit_proto::AuthMechanism::Plain));
        let method = if plain { "AUTHENTICATE PLAIN" } else { "LOGIN" };
        if !plain && caps.contains(&Capability::LoginDisabled) {
            self.push(
                Finding::new(
                    Status::Warn,
                    "login",
                    format!("not attempted on port {port}: the server refuses LOGIN even over TLS (LOGINDISABLED) and offers no AUTH=PLAIN"),
                )
                .advice("check the login with a mail client that speaks the server's mechanisms"),
            );
            return;
        }
        let sent = if plain {
            let mechanism =
                imapkit_state::sasl::plain::PlainClient::new(user.clone(), password.clone());
            s.client.authenticate(Instant::now(), Box::new(mechanism))
        } else {
            s.client.login(Instant::now(), &user, password.clone())
        };
        let handle = match sent {
            Ok(h) => h,
            Err(e) => {
                self.push(Finding::new(
                    Status::Fail,
                    "login",
                    format!("{method} not sent: {e}"),
                ));
                return;
            }
        };
        let done = match self.complete(port, s, handle) {
            Ok((_, done)) => done,
            Err(stop) => {
                self.push(Finding::new(
                    Status::Fail,
                    "login",
                    format!("{method} got no answer: {}", stop.describe()),
                ));
                return;
            }
        };
        match &done.outcome {
            Outcome::Ok => {
                self.push(Finding::new(
                    Status::Ok,
                    "login",
                    format!("logged in as {user} with {method} over TLS on port {port}"),
                ));
            }
            Outcome::No | Outcome::Bad => {
                let word = if done.outcome == Outcome::No {
                    "NO"
                } else {
                    "BAD"
                };
                let text = status_text(done.code.as_ref(), done.text.as_ref());
                self.push(
                    Finding::new(
                        Status::Fail,
                        "login",
                        format!("{method} as {user} refused: {word} {text}"),
                    )
                    .advice(login_advice(done.code.as_ref(), provider)),
                );
                return;
            }
            other => {
                self.push(Finding::new(
                    Status::Fail,
                    "login",
                    format!("{method} as {user} failed: {other:?}"),
                ));
                return;
            }
        }
        self.look(port, s);
    }

    /// Once authenticated: the capabilities after login, LIST, SELECT INBOX.
    fn look(&mut self, port: u16, s: &mut Session) {
        let Some(after) = self.capabilities(port, s, "capabilities after login") else {
            return;
        };
        self.login_caps = Some(after.clone());
        self.list(port, s, &after);
        self.select_inbox(port, s);
    }

    /// LIST "" "*" (with RETURN (SPECIAL-USE) where LIST-EXTENDED allows):
    /// how many mailboxes, and which hold the special uses.
    fn list(&mut self, port: u16, s: &mut Session, caps: &[Capability<'static>]) {
        let extended =
            caps.contains(&Capability::ListExtended) && caps.contains(&Capability::SpecialUse);
        let body = CommandBody::List {
            selection: None,
            reference: Mailbox::from_name(""),
            patterns: ListPatterns::Single(ListMailbox::from("*")),
            return_options: extended.then(|| vec![ListReturnOption::SpecialUse]),
        };
        let result = s
            .client
            .enqueue(Instant::now(), body)
            .map_err(|e| Stop::Refused(format!("not sent: {e}")))
            .and_then(|h| self.complete(port, s, h));
        let (events, done) = match result {
            Ok(r) => r,
            Err(stop) => {
                self.push(Finding::new(
                    Status::Fail,
                    "mailboxes",
                    format!("LIST failed: {}", stop.describe()),
                ));
                return;
            }
        };
        if !done.is_ok() {
            let text = status_text(done.code.as_ref(), done.text.as_ref());
            self.push(
                Finding::new(Status::Fail, "mailboxes", format!("LIST refused: {text}"))
                    .advice("the account's mail store may be broken; read the server's log"),
            );
            return;
        }
        let mut count = 0;
        let mut special: Vec<(String, String)> = Vec::new();
        for event in events {
            let Event::Data {
                data: Data::List(entry),
                ..
            } = event
            else {
                continue;
            };
            count += 1;
            for attr in &entry.attributes {
                if matches!(
                    attr,
                    MailboxAttribute::All
                        | MailboxAttribute::Archive
                        | MailboxAttribute::Drafts
                        | MailboxAttribute::Flagged
                        | MailboxAttribute::Junk
                        | MailboxAttribute::Sent
                        | MailboxAttribute::Trash
                ) {
                    special.push((
                        format!("\\{}", String::from_utf8_lossy(attr.name())),
                        entry.mailbox.name_lossy(),
                    ));
                }
            }
        }
        let uses: Vec<String> = special.iter().map(|(a, n)| format!("{a} {n}")).collect();
        let text = if uses.is_empty() {
            format!("{count} mailboxes; none marked for a special use")
        } else {
            format!("{count} mailboxes; special use: {}", uses.join(", "))
        };
        let missing: Vec<&str> = ["\\Sent", "\\Drafts", "\\Trash"]
            .into_iter()
            .filter(|want| !special.iter().any(|(a, _)| a == want))
            .collect();
        if missing.is_empty() {
            self.push(Finding::new(Status::Ok, "mailboxes", text));
        } else {
            self.push(
                Finding::new(
                    Status::Warn,
                    "mailboxes",
                    format!("{text}; no mailbox marked {}", missing.join(", ")),
                )
                .advice("clients guess those folders by name and may create their own (RFC 6154: mark them)"),
            );
        }
    }

    /// SELECT INBOX: the message count and UIDVALIDITY.
    fn select_inbox(&mut self, port: u16, s: &mut Session) {
        let result = s
            .client
            .select(Instant::now(), Mailbox::from_name("INBOX"))
            .map_err(|e| Stop::Refused(format!("not sent: {e}")))
            .and_then(|h| self.complete(port, s, h));
        let (events, done) = match result {
            Ok(r) => r,
            Err(stop) => {
                self.push(Finding::new(
                    Status::Fail,
                    "inbox",
                    format!("SELECT INBOX failed: {}", stop.describe()),
                ));
                return;
            }
        };
        if !done.is_ok() {
            let text = status_text(done.code.as_ref(), done.text.as_ref());
            self.push(
                Finding::new(
                    Status::Fail,
                    "inbox",
                    format!("SELECT INBOX refused: {text}"),
                )
                .advice("the account's mail store may be missing or broken; read the server's log"),
            );
            return;
        }
        let mut exists = None;
        let mut uid_validity = None;
        for event in &events {
            match event {
                Event::Data {
                    data: Data::Exists(n),
                    ..
                } => exists = Some(*n),
                Event::Status { status, .. } => {
                    if let Some(ResponseCode::UidValidity(v)) = status.text.code() {
                        uid_validity = Some(*v);
                    }
                }
                _ => {}
            }
        }
        let read_only = matches!(done.code, Some(ResponseCode::ReadOnly));
        let Some(exists) = exists else {
            self.push(Finding::new(
                Status::Fail,
                "inbox",
                "SELECT INBOX answered without EXISTS (RFC 9051 §6.3.2 requires it)",
            ));
            return;
        };
        let mut text = format!("INBOX: {exists} messages");
        match uid_validity {
            Some(v) => text.push_str(&format!(", UIDVALIDITY {v}")),
            None => {
                self.push(
                    Finding::new(Status::Warn, "inbox", format!("{text}; no UIDVALIDITY")).advice(
                        "without UIDVALIDITY clients cannot keep a cache (RFC 9051 §2.3.1.1)",
                    ),
                );
                return;
            }
        }
        if read_only {
            text.push_str(", read-only");
        }
        self.push(Finding::new(Status::Ok, "inbox", text));
    }
}
