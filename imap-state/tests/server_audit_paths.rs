//! Every way a client can make (or abort) a login attempt, and what the
//! `Server` audits for it: exactly one `AuditKind::AuthAttempt` per attempt
//! with a truthful outcome, user, mechanism and failure count, the exact
//! tagged answer on the wire, and no password or token in any `Debug` or
//! `Display` output of the session, its events or the audit log.
//!
//! The SASL mechanisms are the crate's own server halves (PLAIN, LOGIN,
//! XOAUTH2, OAUTHBEARER, SCRAM-SHA-1, SCRAM-SHA-256, SCRAM-SHA-256-PLUS),
//! driven by the crate's own client halves.
//!
//! The tests whose doc comments end "Was a bug" found a path that was not
//! audited (or not counted) before the fix that made them pass.

use imapkit_state::server::Unanswered;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use imapkit_state::proto::{AuthMechanism, Capability, Command, RespText, Secret};
use imapkit_state::sasl::login::LoginClient;
use imapkit_state::sasl::oauthbearer::{OAuthBearerClient, OAuthBearerServer};
use imapkit_state::sasl::plain::{PlainClient, PlainServer};
use imapkit_state::sasl::scram::{ScramClient, ScramHash, ScramServer};
use imapkit_state::sasl::xoauth2::{XOAuth2Client, XOAuth2Server};
use imapkit_state::sasl::{
    ChannelBinding, ClientMechanism, CredentialSecret, ScramSecrets, ServerMechanism,
};
use imapkit_state::server::{
    AuditEvent, AuditKind, AuthOutcome, AuthVerdict, Completion, Event, LoginAttempt,
    MechanismRequest, Request, ScramLookup, Server, ServerConfig, SessionState,
};
use imapkit_state::ConnectionSecurity::{self, Plaintext, Tls};

// ---- the secrets ------------------------------------------------------------

/// Alice's password (LOGIN, PLAIN, LOGIN mechanism, SCRAM).
const PASSWORD: &str = "Pw-4lice-s3cret";
/// Alice's bearer token (XOAUTH2, OAUTHBEARER).
const TOKEN: &str = "Tok-4lice-b3arer";
/// A wrong password an attacker tries.
const WRONG: &str = "Gu3ss-wr0ng-pw";

/// The TLS exporter value of an implicit-TLS connection (RFC 9266).
const EXPORTER: [u8; 32] = [7; 32];

/// Every secret a test may send; none may show in any output but the wire
/// from the client.
fn secrets() -> Vec<String> {
    let mut all = vec![PASSWORD.to_owned(), TOKEN.to_owned(), WRONG.to_owned()];
    for s in [PASSWORD, TOKEN, WRONG] {
        all.push(b64(format!("\0alice\0{s}").as_bytes()));
        all.push(b64(s.as_bytes()));
    }
    all
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Alice's PLAIN credentials (no authorization identity, [`PASSWORD`]) in
/// base64, as an initial response.
fn alice_plain_ir() -> String {
    b64(format!("\0alice\0{PASSWORD}").as_bytes())
}

/// [`alice_plain_ir`] with its last character made `!`: not base64.
fn broken_plain_ir() -> String {
    let mut ir = alice_plain_ir();
    ir.replace_range(ir.len() - 1.., "!");
    ir
}

fn unb64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("base64 challenge")
}

// ---- the configuration ------------------------------------------------------

/// The mechanisms every test server offers, in this order.
fn mechanisms() -> Vec<AuthMechanism<'static>> {
    vec![
        AuthMechanism::ScramSha256,
        AuthMechanism::Other(imapkit_state::proto::Atom::try_from("SCRAM-SHA-256-PLUS").unwrap()),
        AuthMechanism::ScramSha1,
        AuthMechanism::Plain,
        AuthMechanism::Login,
        AuthMechanism::XOAuth2,
        AuthMechanism::OAuthBearer,
    ]
}

/// The server nonce of every SCRAM exchange (fixed: the wire is compared).
const SERVER_NONCE: &str = "server-nonce-0123456789";
/// The client nonce of every SCRAM exchange.
const CLIENT_NONCE: &str = "client-nonce-0123456789";

/// A configuration with the crate's real server mechanisms.
fn config() -> ServerConfig {
    let mut config = ServerConfig::default();
    config.sasl_mechanisms = mechanisms();
    config.sasl_factory = Some(Arc::new(|req: &MechanismRequest<'_>| {
        let name = String::from_utf8_lossy(req.mechanism.as_bytes()).to_ascii_uppercase();
        let binding = || match req.channel_binding {
            Some(v) => ChannelBinding::TlsExporter(v.to_vec()),
            None => ChannelBinding::None,
        };
        let plus = req.plus_advertised;
        let nonce = SERVER_NONCE.to_owned();
        let m: Box<dyn ServerMechanism> = match name.as_str() {
            "PLAIN" => Box::new(PlainServer::new()),
            "LOGIN" => Box::new(imapkit_state::sasl::login::LoginServer::new()),
            "XOAUTH2" => Box::new(XOAuth2Server::new()),
            "OAUTHBEARER" => Box::new(OAuthBearerServer::new()),
            "SCRAM-SHA-1" => Box::new(ScramServer::new(ScramHash::Sha1, nonce, binding(), plus)),
            "SCRAM-SHA-256" => {
                Box::new(ScramServer::new(ScramHash::Sha256, nonce, binding(), plus))
            }
            "SCRAM-SHA-256-PLUS" => Box::new(
                ScramServer::new(
                    ScramHash::Sha256,
                    nonce,
                    ChannelBinding::TlsExporter(req.channel_binding?.to_vec()),
                    true,
                )
                .with_plus_variant(),
            ),
            _ => return None,
        };
        Some(m)
    }));
    config
}

fn scram_secrets(hash: ScramHash) -> ScramSecrets {
    ScramSecrets::derive(hash, PASSWORD, b"salt-of-alice", 4096).unwrap()
}

// ---- the session under test -------------------------------------------------

/// How the application answers login attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decide {
    /// By alice's password and token.
    ByTable,
    /// Always with this verdict.
    Always(AuthVerdict),
    /// Keep the attempt (and SCRAM lookups) for the test.
    Hold,
}

/// One server session, a virtual clock, and a recorder of everything it
/// shows: the wire, one line per event, and the `Debug` of every event and
/// of the session after every step.
struct Session {
    server: Server,
    now: Instant,
    wire: Vec<u8>,
    log: Vec<String>,
    audits: Vec<AuditEvent>,
    /// `Debug` and `Display` of everything, for the secret checks.
    shown: String,
    decide: Decide,
    auto_respond: bool,
    logins: VecDeque<LoginAttempt>,
    lookups: VecDeque<ScramLookup>,
    requests: VecDeque<(Request, Command<'static>)>,
    /// Client bytes the server did not take yet (it stopped reading).
    inbox: VecDeque<u8>,
    /// Feed one byte per `handle_input`.
    bytewise: bool,
}

impl Session {
    fn with(config: ServerConfig, security: ConnectionSecurity) -> Self {
        let epoch = Instant::now();
        let server = Server::new(Arc::new(config), epoch, security);
        Self::around(server, epoch)
    }

    fn around(server: Server, epoch: Instant) -> Self {
        let mut s = Self {
            server,
            now: epoch,
            wire: Vec::new(),
            log: Vec::new(),
            audits: Vec::new(),
            shown: String::new(),
            decide: Decide::ByTable,
            auto_respond: true,
            logins: VecDeque::new(),
            lookups: VecDeque::new(),
            requests: VecDeque::new(),
            inbox: VecDeque::new(),
            bytewise: false,
        };
        s.drive();
        s.wire.clear();
        s
    }

    /// Implicit TLS with the test mechanisms.
    fn tls() -> Self {
        Self::with(config(), Tls)
    }

    /// Implicit TLS with a channel-binding value (the -PLUS mechanism).
    fn tls_bound() -> Self {
        let epoch = Instant::now();
        let server = Server::new_tls(Arc::new(config()), epoch, EXPORTER.to_vec());
        Self::around(server, epoch)
    }

    /// A plaintext connection (TLS required for credentials, the default).
    fn plaintext() -> Self {
        Self::with(config(), Plaintext)
    }

    /// The client sends `bytes`; the server takes them while it wants to read.
    fn send(&mut self, bytes: &[u8]) {
        self.inbox.extend(bytes);
        self.pump();
    }

    fn pump(&mut self) {
        loop {
            self.drive();
            if self.inbox.is_empty() || !self.server.wants_read() {
                return;
            }
            let n = if self.bytewise { 1 } else { self.inbox.len() };
            let chunk: Vec<u8> = self.inbox.drain(..n).collect();
            self.server.handle_input(self.now, &chunk);
        }
    }

    /// The client closes the connection.
    fn eof(&mut self) {
        self.server.handle_eof(self.now);
        self.drive();
    }

    /// Jumps to the next timer and handles it; returns how far time moved.
    fn advance(&mut self) -> Option<Duration> {
        let at = self.server.poll_timeout()?;
        let moved = at.saturating_duration_since(self.now);
        self.now = self.now.max(at);
        self.server.handle_timeout(self.now);
        self.pump();
        Some(moved)
    }

    /// Drains output and events, answering them, until quiet.
    fn drive(&mut self) {
        for _ in 0..10_000 {
            let mut progress = false;
            while self
                .server
                .poll_transmit(self.now, &mut self.wire)
                .is_some()
            {
                progress = true;
            }
            while let Some(event) = self.server.poll_event() {
                progress = true;
                self.record(&event);
                self.on_event(event);
            }
            let server = format!("{:?}\n", self.server);
            self.shown.push_str(&server);
            if !progress {
                return;
            }
        }
        panic!("the session does not settle");
    }

    fn record(&mut self, event: &Event) {
        let line = match event {
            Event::LoginAttempt(a) => format!(
                "login-attempt {} {}",
                a.mechanism().map_or("LOGIN-COMMAND".to_owned(), |m| {
                    String::from_utf8_lossy(m.as_bytes()).into_owned()
                }),
                a.identity().authcid
            ),
            Event::ScramLookup(l) => format!("scram-lookup {}", l.identity().authcid),
            Event::Authenticated { identity, .. } => format!("authenticated {}", identity.authcid),
            Event::CommandReceived { command, .. } => {
                format!("command {} {}", command.tag.as_str(), command.body.name())
            }
            Event::Audit(a) => {
                self.audits.push(a.clone());
                format!("audit {a}")
            }
            Event::Violation(v) => format!("violation {v}"),
            Event::Closed { reason } => format!("closed {reason:?}"),
            other => format!("{other:?}"),
        };
        self.shown.push_str(&format!("{event:?}\n{line}\n"));
        if let Event::CommandReceived { command, .. } = event {
            self.shown.push_str(&format!("{command}\n"));
        }
        if let Event::LoginAttempt(a) = event {
            self.shown.push_str(&format!("{:?}\n", a.credentials()));
        }
        self.log.push(line);
    }

    fn on_event(&mut self, event: Event) {
        let now = self.now;
        match event {
            Event::CommandReceived { request, command } => {
                if self.auto_respond {
                    self.server
                        .respond(now, request, Completion::ok())
                        .expect("in flight");
                } else {
                    self.requests.push_back((request, command));
                }
            }
            Event::LoginAttempt(attempt) => {
                let verdict = match self.decide {
                    Decide::Hold => return self.logins.push_back(attempt),
                    Decide::Always(v) => v,
                    Decide::ByTable => {
                        let c = attempt.credentials();
                        let ok = c.identity.authcid == "alice"
                            && match &c.secret {
                                CredentialSecret::Password(p) => p.declassify() == PASSWORD,
                                CredentialSecret::BearerToken(t) => t.declassify() == TOKEN,
                                _ => false,
                            };
                        if ok {
                            AuthVerdict::Accept
                        } else {
                            AuthVerdict::Reject
                        }
                    }
                };
                self.server
                    .decide_login(now, attempt, verdict)
                    .expect("pending");
            }
            Event::ScramLookup(lookup) => {
                if self.decide == Decide::Hold {
                    return self.lookups.push_back(lookup);
                }
                let hash = match lookup.mechanism() {
                    AuthMechanism::ScramSha1 => ScramHash::Sha1,
                    _ => ScramHash::Sha256,
                };
                let secrets = (lookup.identity().authcid == "alice").then(|| scram_secrets(hash));
                self.server
                    .supply_scram(now, lookup, secrets)
                    .expect("pending");
            }
            _ => {}
        }
    }

    fn take_wire(&mut self) -> String {
        String::from_utf8(std::mem::take(&mut self.wire)).expect("ASCII output")
    }

    fn take_log(&mut self) -> Vec<String> {
        std::mem::take(&mut self.log)
    }

    /// The authentication attempts audited so far.
    fn attempts(&self) -> Vec<&AuditEvent> {
        self.audits
            .iter()
            .filter(|a| matches!(a.kind, AuditKind::AuthAttempt { .. }))
            .collect()
    }

    /// No secret in anything the session showed (events' `Debug`, audit
    /// `Display`, the session's `Debug`), nor in the audit events' `Debug`.
    fn assert_no_secret(&mut self) {
        self.drive();
        let mut all = std::mem::take(&mut self.shown);
        all.push_str(&format!("{:?}", self.server));
        for a in &self.audits {
            all.push_str(&format!("{a:?}\n{a}\n"));
        }
        for l in &self.logins {
            all.push_str(&format!("{l:?}\n"));
        }
        for secret in secrets() {
            assert!(!all.contains(&secret), "{secret:?} shown in:\n{all}");
        }
    }
}

/// The log of alice's successful LOGIN over TLS followed by `b NOOP`.
fn logged_in_then_noop() -> Vec<String> {
    vec![
        "login-attempt LOGIN-COMMAND alice".to_owned(),
        audit_line(true, None, Some("alice"), "Success", 0),
        "authenticated alice".to_owned(),
        "command b NOOP".to_owned(),
    ]
}

/// A plaintext session, fed one byte at a time if `bytewise`, that the
/// client sent `input`; asserts that the server answered `wire`.
fn plaintext_answered(bytewise: bool, input: &str, wire: &str) -> Session {
    let mut s = Session::plaintext();
    s.bytewise = bytewise;
    s.send(input.as_bytes());
    assert_eq!(s.take_wire(), wire);
    s
}

/// The line the audit log shows for an attempt over TLS (`tls=yes`) or not.
fn audit_line(
    tls: bool,
    mechanism: Option<&str>,
    user: Option<&str>,
    outcome: &str,
    failures: u32,
) -> String {
    format!(
        "audit peer=- tls={} {} user={} outcome={outcome} failures={failures}",
        if tls { "yes" } else { "no" },
        match mechanism {
            Some(m) => format!("auth mechanism={m}"),
            None => "login".to_owned(),
        },
        match user {
            Some(u) => format!("{u:?}"),
            None => "-".to_owned(),
        }
    )
}

const LOGGED_IN: &str = "OK [CAPABILITY IMAP4rev2 IMAP4rev1 LITERAL-] Logged in\r\n";
const AUTH_FAILED: &str = "NO [AUTHENTICATIONFAILED] Authentication failed\r\n";
const PRIVACY: &str = "NO [PRIVACYREQUIRED] TLS is required to log in\r\n";

const CANCELLED: &str = "BAD Authentication cancelled\r\n";
const BAD_BASE64: &str = "BAD Invalid base64\r\n";

/// The wire made readable: a base64 challenge is shown decoded (`+
/// <Username:>`), SCRAM's server-first and server-final by their first
/// attribute (`+ <r=...>`, `+ <v=...>`), everything else as sent.
fn readable(wire: &str) -> String {
    let mut out = String::new();
    for line in wire.split_inclusive("\r\n") {
        let decoded = line
            .strip_prefix("+ ")
            .and_then(|c| c.strip_suffix("\r\n"))
            .filter(|c| !c.is_empty())
            .and_then(|c| base64::engine::general_purpose::STANDARD.decode(c).ok())
            .and_then(|c| String::from_utf8(c).ok());
        match decoded {
            Some(c) if c.starts_with("r=") => out.push_str("+ <r=...>\r\n"),
            Some(c) if c.starts_with("v=") => out.push_str("+ <v=...>\r\n"),
            Some(c) => out.push_str(&format!("+ <{c}>\r\n")),
            None => out.push_str(line),
        }
    }
    out
}

// ---- SASL clients -----------------------------------------------------------

/// The crate's client half of `mechanism`, for `user` with `secret`.
fn client(mechanism: &str, user: &str, secret: &str) -> Box<dyn ClientMechanism> {
    let secret = Secret::new(secret.to_owned());
    let scram = |hash, binding| -> Box<dyn ClientMechanism> {
        Box::new(ScramClient::new(
            hash,
            user,
            secret.clone(),
            CLIENT_NONCE.to_owned(),
            binding,
        ))
    };
    match mechanism {
        "PLAIN" => Box::new(PlainClient::new(user, secret.clone())),
        "LOGIN" => Box::new(LoginClient::new(user, secret.clone())),
        "XOAUTH2" => Box::new(XOAuth2Client::new(user, secret.clone())),
        "OAUTHBEARER" => Box::new(OAuthBearerClient::new(user, secret.clone())),
        "SCRAM-SHA-1" => scram(ScramHash::Sha1, ChannelBinding::None),
        "SCRAM-SHA-256" => scram(ScramHash::Sha256, ChannelBinding::None),
        "SCRAM-SHA-256-PLUS" => scram(
            ScramHash::Sha256,
            ChannelBinding::TlsExporter(EXPORTER.to_vec()),
        ),
        other => panic!("no client for {other}"),
    }
}

/// The client side of an AUTHENTICATE exchange.
struct Sasl {
    mech: Box<dyn ClientMechanism>,
    /// The last challenge the server sent, not answered yet.
    challenge: Option<Vec<u8>>,
}

impl Sasl {
    fn new(mechanism: &str, user: &str, secret: &str) -> Self {
        Self {
            mech: client(mechanism, user, secret),
            challenge: None,
        }
    }

    /// Alice with her right secret for `mechanism`.
    fn alice(mechanism: &str) -> Self {
        Self::new(mechanism, "alice", right(mechanism))
    }

    /// Sends `tag AUTHENTICATE name [initial response]`; returns the wire.
    fn start(&mut self, s: &mut Session, tag: &str, ir: bool) -> String {
        let name = String::from_utf8_lossy(self.mech.name().as_bytes()).into_owned();
        let mut line = format!("{tag} AUTHENTICATE {name}");
        if ir {
            match self.mech.initial_response().expect("initial response") {
                Some(r) if r.declassify().is_empty() => line.push_str(" ="),
                Some(r) => {
                    line.push(' ');
                    line.push_str(&b64(r.declassify()));
                }
                None => {}
            }
        }
        line.push_str("\r\n");
        s.send(line.as_bytes());
        self.read(s)
    }

    /// Answers the last challenge; returns the wire.
    fn reply(&mut self, s: &mut Session) -> String {
        let challenge = self.challenge.take().expect("a challenge to answer");
        let answer = self.mech.respond(&challenge).expect("an answer");
        s.send(format!("{}\r\n", b64(answer.declassify())).as_bytes());
        self.read(s)
    }

    /// The whole exchange; returns the wire.
    fn run(&mut self, s: &mut Session, tag: &str, ir: bool) -> String {
        let mut wire = self.start(s, tag, ir);
        while self.challenge.is_some() {
            wire.push_str(&self.reply(s));
        }
        wire
    }

    fn read(&mut self, s: &mut Session) -> String {
        let wire = s.take_wire();
        self.challenge = wire
            .strip_prefix("+ ")
            .and_then(|c| c.strip_suffix("\r\n"))
            .filter(|c| !c.contains('\n'))
            .map(unb64);
        wire
    }
}

/// Every mechanism the test server offers (on implicit TLS with a
/// channel-binding value, for the -PLUS one).
const ALL: [&str; 7] = [
    "PLAIN",
    "LOGIN",
    "XOAUTH2",
    "OAUTHBEARER",
    "SCRAM-SHA-1",
    "SCRAM-SHA-256",
    "SCRAM-SHA-256-PLUS",
];

/// The mechanisms that send a reusable secret (refused before TLS).
const REUSABLE: [&str; 4] = ["PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER"];

/// The right secret of alice for `mechanism`.
fn right(mechanism: &str) -> &'static str {
    if mechanism.contains("OAUTH") {
        TOKEN
    } else {
        PASSWORD
    }
}

fn is_scram(mechanism: &str) -> bool {
    mechanism.starts_with("SCRAM")
}

/// What the application is asked for: a login attempt, or SCRAM secrets.
fn asked(mechanism: &str, user: &str) -> String {
    if is_scram(mechanism) {
        format!("scram-lookup {user}")
    } else {
        format!("login-attempt {mechanism} {user}")
    }
}

/// The challenges of a successful exchange, readable (see [`readable`]).
fn success_challenges(mechanism: &str, ir: bool) -> &'static str {
    match (mechanism, ir) {
        ("LOGIN", _) => "+ <Username:>\r\n+ <Password:>\r\n",
        (m, false) if is_scram(m) => "+ \r\n+ <r=...>\r\n+ <v=...>\r\n",
        (m, true) if is_scram(m) => "+ <r=...>\r\n+ <v=...>\r\n",
        (_, false) => "+ \r\n",
        (_, true) => "",
    }
}

/// The challenges of an exchange whose credentials are refused.
fn failure_challenges(mechanism: &str, ir: bool) -> &'static str {
    match (mechanism, ir) {
        ("LOGIN", _) => "+ <Username:>\r\n+ <Password:>\r\n",
        ("XOAUTH2", false) => "+ \r\n+ <{\"status\":\"401\",\"schemes\":\"bearer\"}>\r\n",
        ("XOAUTH2", true) => "+ <{\"status\":\"401\",\"schemes\":\"bearer\"}>\r\n",
        ("OAUTHBEARER", false) => "+ \r\n+ <{\"status\":\"invalid_token\"}>\r\n",
        ("OAUTHBEARER", true) => "+ <{\"status\":\"invalid_token\"}>\r\n",
        (m, false) if is_scram(m) => "+ \r\n+ <r=...>\r\n",
        (m, true) if is_scram(m) => "+ <r=...>\r\n",
        (_, false) => "+ \r\n",
        (_, true) => "",
    }
}

/// The first challenge of an exchange started without an initial response.
fn first_challenge(mechanism: &str) -> &'static str {
    if mechanism == "LOGIN" {
        "+ <Username:>\r\n"
    } else {
        "+ \r\n"
    }
}

/// Starts alice's AUTHENTICATE with `mechanism` (no initial response) on
/// implicit TLS with a channel-binding value and answers the first
/// challenge with `line`. Checks the wire (that challenge, then `a
/// {answer}`), the one audit line (no user, `outcome`, not counted) and
/// that no secret is shown.
fn assert_first_challenge_answered(mechanism: &str, line: &[u8], answer: &str, outcome: &str) {
    let m = mechanism;
    let mut s = Session::tls_bound();
    let wire = Sasl::alice(m).start(&mut s, "a", false);
    s.send(line);
    let wire = wire + &s.take_wire();
    assert_eq!(
        readable(&wire),
        format!("{}a {answer}", first_challenge(m)),
        "{m}"
    );
    assert_eq!(
        s.take_log(),
        [audit_line(true, Some(m), None, outcome, 0)],
        "{m}"
    );
    s.assert_no_secret();
}

/// Checks what the correct behaviour of an attempt that the connection's
/// end interrupted is: exactly one `AuthAttempt` for it (the mechanism and
/// the user as far as known, the failure count unchanged, never `Success`:
/// the crate has no outcome named for an interrupted attempt, `Cancelled`
/// is the nearest), audited before the `Closed` record.
fn assert_one_interrupted_attempt(
    s: &Session,
    mechanism: Option<&str>,
    user: Option<&str>,
    failures: u32,
) {
    let attempts = s.attempts();
    assert_eq!(attempts.len(), 1, "one AuthAttempt expected: {:#?}", s.log);
    let AuditKind::AuthAttempt {
        mechanism: m,
        user: u,
        outcome,
        failures: f,
    } = &attempts[0].kind
    else {
        unreachable!()
    };
    assert_eq!(
        m.as_ref()
            .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
            .as_deref(),
        mechanism
    );
    assert_eq!(u.as_deref(), user);
    assert_ne!(*outcome, AuthOutcome::Success);
    assert_eq!(*f, failures);
    let at = |needle: &str| s.log.iter().position(|l| l.contains(needle));
    assert!(
        at(" user=") < at("closed reason="),
        "audited before the close: {:#?}",
        s.log
    );
}

// ---- LOGIN ------------------------------------------------------------------

#[test]
fn login_success_is_audited_once() {
    for bytewise in [false, true] {
        let mut s = Session::tls();
        s.bytewise = bytewise;
        s.send(format!("a LOGIN alice {PASSWORD}\r\nb NOOP\r\n").as_bytes());
        assert_eq!(s.take_wire(), format!("a {LOGGED_IN}b OK completed\r\n"));
        assert_eq!(s.take_log(), logged_in_then_noop());
        assert_eq!(s.server.state(), SessionState::Authenticated);
        s.assert_no_secret();
    }
}

#[test]
fn login_wrong_password_and_unknown_user_are_failed_attempts() {
    let mut s = Session::tls();
    s.send(format!("a LOGIN alice {WRONG}\r\n").as_bytes());
    assert_eq!(s.take_wire(), format!("a {AUTH_FAILED}"));
    // The second failure's NO waits 1 s (Throttle::default).
    s.send(format!("b LOGIN \"mallory\" \"{PASSWORD}\"\r\n").as_bytes());
    assert_eq!(s.take_wire(), "");
    assert_eq!(s.advance(), Some(Duration::from_secs(1)));
    assert_eq!(s.take_wire(), format!("b {AUTH_FAILED}"));
    assert_eq!(
        s.take_log(),
        [
            "login-attempt LOGIN-COMMAND alice".to_owned(),
            audit_line(true, None, Some("alice"), "Failed", 1),
            "login-attempt LOGIN-COMMAND mallory".to_owned(),
            audit_line(true, None, Some("mallory"), "Failed", 2),
        ]
    );
    // A right password afterwards: the failures so far are reported.
    s.send(format!("c LOGIN alice {PASSWORD}\r\n").as_bytes());
    assert_eq!(s.take_wire(), format!("c {LOGGED_IN}"));
    assert_eq!(
        s.take_log()[1],
        audit_line(true, None, Some("alice"), "Success", 2)
    );
    s.assert_no_secret();
}

/// RFC 9051 §6.2.3 strings are UTF-8: a password that is not is a failed
/// attempt (the application is not asked), counted and audited once.
#[test]
fn login_with_a_non_utf8_password_is_a_failed_attempt() {
    let mut s = Session::tls();
    s.send(b"a LOGIN alice {2}\r\n\xff\xfe\r\n");
    assert_eq!(
        s.take_wire(),
        format!("+ Ready for literal data\r\na {AUTH_FAILED}")
    );
    assert_eq!(
        s.take_log(),
        [audit_line(true, None, Some("alice"), "Failed", 1)]
    );
}

#[test]
fn login_before_tls_is_privacy_required() {
    let mut s = Session::plaintext();
    s.send(format!("a LOGIN alice {PASSWORD}\r\nb LOGIN \"alice\" \"{PASSWORD}\"\r\n").as_bytes());
    assert_eq!(s.take_wire(), format!("a {PRIVACY}b {PRIVACY}"));
    assert_eq!(
        s.take_log(),
        [
            audit_line(false, None, Some("alice"), "PrivacyRequired", 0),
            audit_line(false, None, Some("alice"), "PrivacyRequired", 0),
        ]
    );
    assert_eq!(s.server.state(), SessionState::NotAuthenticated);
    s.assert_no_secret();
}

/// A LOGIN whose user name comes as a literal, before TLS: refused at the
/// literal's announcement (no `+`: the client sends neither the name nor
/// the password; RFC 9051 §6.2.3, README "a synchronizing LOGIN literal is
/// refused before the client sends the password"); a non-synchronizing
/// one's data (RFC 7888) is read and dropped, never run. One audit each:
/// the user was not read, so `user=-` is truthful.
#[test]
fn login_before_tls_with_a_literal_user_is_refused_before_the_data() {
    for bytewise in [false, true] {
        let input = format!(
            "a LOGIN {{5}}\r\n\
             b LOGIN {{5+}}\r\nalice {{15+}}\r\n{PASSWORD}\r\n\
             c LOGIN {{5+}}\r\nalice \"{PASSWORD}\"\r\n\
             d NOOP\r\n"
        );
        let mut s = plaintext_answered(
            bytewise,
            &input,
            &format!("a {PRIVACY}b {PRIVACY}c {PRIVACY}d OK NOOP completed\r\n"),
        );
        let once = audit_line(false, None, None, "PrivacyRequired", 0);
        assert_eq!(s.take_log(), [once.clone(), once.clone(), once]);
        s.assert_no_secret();
    }
}

/// A LOGIN with its user name on the line and the password as a literal,
/// before TLS: refused before the password's data (synchronizing: no `+`)
/// or with it dropped unread (`{n+}`), audited once as PrivacyRequired.
/// The user name recorded is checked by the ignored test below.
#[test]
fn login_before_tls_with_a_literal_password_is_refused_once() {
    for bytewise in [false, true] {
        let input = format!(
            "a LOGIN alice {{15}}\r\n\
             b LOGIN alice {{15+}}\r\n{PASSWORD}\r\n\
             c NOOP\r\n"
        );
        let mut s = plaintext_answered(
            bytewise,
            &input,
            &format!("a {PRIVACY}b {PRIVACY}c OK NOOP completed\r\n"),
        );
        assert_eq!(s.attempts().len(), 2);
        for a in s.attempts() {
            assert!(matches!(
                &a.kind,
                AuditKind::AuthAttempt {
                    mechanism: None,
                    outcome: AuthOutcome::PrivacyRequired,
                    failures: 0,
                    ..
                }
            ));
        }
        assert_eq!(s.log.len(), 2, "{:#?}", s.log);
        s.assert_no_secret();
    }
}

/// The user name the client sent on the LOGIN line before a password
/// literal is recorded, as with a quoted password
/// (`AuditKind::AuthAttempt::user`: "the user name, when the client got
/// as far as sending one"). Was a bug: `user=-`.
#[test]
fn login_before_tls_with_a_literal_password_records_the_user() {
    let mut s = Session::plaintext();
    s.send(format!("a LOGIN alice {{15}}\r\nb LOGIN alice {{15+}}\r\n{PASSWORD}\r\n").as_bytes());
    assert_eq!(s.take_wire(), format!("a {PRIVACY}b {PRIVACY}"));
    let line = audit_line(false, None, Some("alice"), "PrivacyRequired", 0);
    assert_eq!(s.take_log(), [line.clone(), line]);
}

/// `ServerConfig::login = false`: LOGINDISABLED is advertised even over
/// TLS, and LOGIN is answered `NO [CANNOT]` and audited as Refused, not
/// counted as a failure (no credential was checked).
#[test]
fn login_disabled_is_refused_and_audited() {
    let mut config = config();
    config.login = false;
    let mut s = Session::with(config, Tls);
    s.send(b"c CAPABILITY\r\n");
    assert!(s.take_wire().contains(" LOGINDISABLED "));
    s.send(
        format!("a LOGIN alice {PASSWORD}\r\nb LOGIN alice {{15}}\r\n{PASSWORD}\r\n").as_bytes(),
    );
    assert_eq!(
        s.take_wire(),
        "a NO [CANNOT] LOGIN is disabled\r\n\
         + Ready for literal data\r\n\
         b NO [CANNOT] LOGIN is disabled\r\n"
    );
    let line = audit_line(true, None, Some("alice"), "Refused", 0);
    assert_eq!(s.take_log(), [line.clone(), line]);
    s.assert_no_secret();
}

/// RFC 9051 §6.2.3: LOGIN is valid only in the not-authenticated state.
/// In another state it is answered BAD like any command in the wrong
/// state, and no credential is checked; but it is still a login attempt on
/// record (`WrongState`, not counted as a failure), as is one whose
/// literal the session refuses before the data. (Until stop 34 these were
/// not audited at all: the server-author review's twelfth friction.)
#[test]
fn login_or_authenticate_when_authenticated_is_bad_and_audited() {
    let mut s = Session::tls();
    s.send(format!("a LOGIN alice {PASSWORD}\r\n").as_bytes());
    s.take_wire();
    s.take_log();
    s.audits.clear();
    let ir = alice_plain_ir();
    s.send(format!("b LOGIN mallory {PASSWORD}\r\nc AUTHENTICATE PLAIN {ir}\r\n").as_bytes());
    s.send(b"d LOGIN {5}\r\n");
    s.send(format!("e LOGIN eve {{{}+}}\r\n{PASSWORD}\r\n", PASSWORD.len()).as_bytes());
    assert_eq!(
        s.take_wire(),
        "b BAD Command not valid in this state\r\nc BAD Command not valid in this state\r\n\
         d BAD Command not valid in this state\r\ne BAD Command not valid in this state\r\n"
    );
    assert_eq!(
        s.take_log(),
        [
            audit_line(true, None, Some("mallory"), "WrongState", 0),
            audit_line(true, Some("PLAIN"), None, "WrongState", 0),
            audit_line(true, None, None, "WrongState", 0),
            audit_line(true, None, Some("eve"), "WrongState", 0),
        ]
    );
    assert_eq!(s.server.state(), SessionState::Authenticated);
    s.assert_no_secret();
}

/// LOGIN pipelined behind a command the application answers: it runs
/// alone (RFC 9051 §5.5) once that command is complete, and is audited
/// then; the command pipelined after it runs in the authenticated state.
#[test]
fn login_pipelined_behind_a_command_is_audited_when_it_runs() {
    let mut config = config();
    config.capabilities.push(Capability::Id);
    for bytewise in [false, true] {
        let mut s = Session::with(config.clone(), Tls);
        s.bytewise = bytewise;
        s.auto_respond = false;
        s.send(format!("i ID NIL\r\na LOGIN alice {PASSWORD}\r\nb NOOP\r\n").as_bytes());
        assert_eq!(s.take_log(), ["command i ID"]);
        let (request, _) = s.requests.pop_front().unwrap();
        s.server.respond(s.now, request, Completion::ok()).unwrap();
        s.pump();
        assert_eq!(
            s.take_wire(),
            "i OK completed\r\na OK [CAPABILITY IMAP4rev2 IMAP4rev1 ID LITERAL-] Logged in\r\n"
        );
        assert_eq!(s.take_log(), logged_in_then_noop());
        s.assert_no_secret();
    }
}

/// A LOGIN still waiting behind a command in flight when the client
/// leaves never ran: no credential was looked at, nothing was answered,
/// so there is no attempt to audit (only the close).
#[test]
fn login_waiting_behind_a_command_when_the_client_leaves_never_ran() {
    let mut config = config();
    config.capabilities.push(Capability::Id);
    let mut s = Session::with(config, Tls);
    s.auto_respond = false;
    s.send(format!("i ID NIL\r\na LOGIN alice {PASSWORD}\r\n").as_bytes());
    s.eof();
    assert_eq!(s.take_wire(), "");
    assert_eq!(
        s.take_log(),
        [
            "command i ID",
            "audit peer=- tls=yes closed reason=PeerClosed",
            "closed PeerClosed"
        ]
    );
    s.assert_no_secret();
}

/// A LOGIN line that does not parse is answered BAD (RFC 9051 §6.2.3:
/// "BAD - command unknown or arguments invalid") and reported as a
/// violation, whose `Display`/`Debug` never show the line; no credential
/// is checked, and the attempt is audited Malformed with its user, not
/// counted as a failure; it counts as garbage before login. (Until stop
/// 29 no attempt was audited: a guesser's malformed lines left no trace
/// among the attempts.)
#[test]
fn login_lines_that_do_not_parse_are_bad_and_malformed_attempts() {
    let mut s = Session::tls();
    s.send(
        format!(
            "a LOGIN alice\r\n\
             b LOGIN alice {PASSWORD} extra\r\n\
             c NOOP\r\n"
        )
        .as_bytes(),
    );
    assert_eq!(
        s.take_wire(),
        "a BAD Syntax error\r\nb BAD Syntax error\r\nc OK NOOP completed\r\n"
    );
    let log = s.take_log();
    let malformed = audit_line(true, None, Some("alice"), "Malformed", 0);
    assert_eq!(log.len(), 4, "{log:#?}");
    for pair in log.chunks(2) {
        assert!(pair[0].starts_with("violation syntax error"), "{log:#?}");
        assert_eq!(pair[1], malformed);
    }
    // A LOGIN line ended by a bare LF: a framing error, the third garbage
    // before login (Throttle::max_garbage 3): BYE, after its attempt.
    s.send(format!("d LOGIN alice {PASSWORD}\n").as_bytes());
    assert_eq!(s.take_wire(), "* BYE Too many invalid commands\r\n");
    let log = s.take_log();
    assert_eq!(
        audits(&log)[..2],
        [
            malformed.as_str(),
            "audit peer=- tls=yes limit \"too many invalid commands before login\""
        ]
    );
    s.assert_no_secret();
}

/// Every failed LOGIN is audited with its running count, the NO is
/// delayed by the configured steps (0, 1, 2, 4 s), and the 5th failure
/// ends the connection: the attempts pipelined behind it are never read,
/// so never audited (Throttle::default, README "brute force").
#[test]
fn login_brute_force_is_audited_delayed_and_cut_off() {
    let mut s = Session::tls();
    let mut input = String::new();
    for k in 1..=7 {
        input.push_str(&format!("a{k} LOGIN alice {WRONG}-{k}\r\n"));
    }
    s.send(input.as_bytes());
    assert_eq!(s.take_wire(), format!("a1 {AUTH_FAILED}"));
    for (k, delay) in [(2, 1), (3, 2), (4, 4), (5, 4)] {
        assert!(!s.server.wants_read());
        assert_eq!(s.advance(), Some(Duration::from_secs(delay)));
        let mut expected = format!("a{k} {AUTH_FAILED}");
        if k == 5 {
            expected.push_str("* BYE Too many authentication failures\r\n");
        }
        assert_eq!(s.take_wire(), expected);
    }
    let mut expected = Vec::new();
    for k in 1..=5 {
        expected.push("login-attempt LOGIN-COMMAND alice".to_owned());
        expected.push(audit_line(true, None, Some("alice"), "Failed", k));
    }
    expected.push("audit peer=- tls=yes limit \"too many failed authentications\"".to_owned());
    expected.push("audit peer=- tls=yes closed reason=AuthFailures".to_owned());
    expected.push("closed AuthFailures".to_owned());
    assert_eq!(s.take_log(), expected);
    assert!(s.server.is_closed());
    assert_eq!(s.advance(), None);
    s.assert_no_secret();
}

/// The connection ends during a failure's delay: the attempt was audited
/// when it failed, once; the NO is never sent.
#[test]
fn the_end_during_a_failure_delay_keeps_the_one_audit() {
    // EOF during the 1 s delay of a second failure.
    let mut s = Session::tls();
    s.send(format!("a LOGIN alice {WRONG}\r\nb LOGIN alice {WRONG}\r\n").as_bytes());
    assert_eq!(s.take_wire(), format!("a {AUTH_FAILED}"));
    s.eof();
    assert_eq!(s.take_wire(), "");
    assert_eq!(
        s.take_log()[2..],
        [
            "login-attempt LOGIN-COMMAND alice".to_owned(),
            audit_line(true, None, Some("alice"), "Failed", 2),
            "audit peer=- tls=yes closed reason=PeerClosed".to_owned(),
            "closed PeerClosed".to_owned(),
        ]
    );
    // A delay longer than the autologout: the autologout ends it.
    let mut config = config();
    config.throttle.failure_delays = vec![Duration::from_secs(120)];
    let mut s = Session::with(config, Tls);
    s.send(format!("a LOGIN alice {WRONG}\r\n").as_bytes());
    assert_eq!(s.advance(), Some(Duration::from_secs(60)));
    assert_eq!(s.take_wire(), "* BYE Autologout; idle for too long\r\n");
    assert_eq!(
        s.take_log(),
        [
            "login-attempt LOGIN-COMMAND alice".to_owned(),
            audit_line(true, None, Some("alice"), "Failed", 1),
            "audit peer=- tls=yes closed reason=AutoLogout".to_owned(),
            "closed AutoLogout".to_owned(),
        ]
    );
    s.assert_no_secret();
}

// ---- AUTHENTICATE -----------------------------------------------------------

#[test]
fn authenticate_success_with_every_mechanism() {
    for m in ALL {
        for ir in [false, true] {
            for bytewise in [false, true] {
                let mut s = Session::tls_bound();
                s.bytewise = bytewise;
                let wire = Sasl::alice(m).run(&mut s, "a", ir);
                assert_eq!(
                    readable(&wire),
                    format!("{}a {LOGGED_IN}", success_challenges(m, ir)),
                    "{m} ir={ir}"
                );
                assert_eq!(
                    s.take_log(),
                    [
                        asked(m, "alice"),
                        audit_line(true, Some(m), Some("alice"), "Success", 0),
                        "authenticated alice".to_owned(),
                    ],
                    "{m} ir={ir}"
                );
                s.assert_no_secret();
            }
        }
    }
}

/// A wrong password or token, or an unknown user: NO
/// [AUTHENTICATIONFAILED], audited once as Failed and counted. (SCRAM
/// goes on with made-up secrets for an unknown user, RFC 5802 §5.1; the
/// bearer mechanisms send their JSON error first, RFC 7628 §3.2.3.)
#[test]
fn authenticate_failure_with_every_mechanism() {
    for m in ALL {
        for ir in [false, true] {
            for (user, secret) in [("alice", WRONG), ("mallory", right(m))] {
                let mut s = Session::tls_bound();
                let wire = Sasl::new(m, user, secret).run(&mut s, "a", ir);
                assert_eq!(
                    readable(&wire),
                    format!("{}a {AUTH_FAILED}", failure_challenges(m, ir)),
                    "{m} ir={ir} {user}"
                );
                assert_eq!(
                    s.take_log(),
                    [
                        asked(m, user),
                        audit_line(true, Some(m), Some(user), "Failed", 1),
                    ],
                    "{m} ir={ir} {user}"
                );
                s.assert_no_secret();
            }
        }
    }
}

/// The application refuses for its own limits (`AuthVerdict::Unavailable`):
/// `NO [UNAVAILABLE]`, audited once as Refused and counted.
#[test]
fn authenticate_refused_by_the_application() {
    for m in REUSABLE {
        let mut s = Session::tls();
        s.decide = Decide::Always(AuthVerdict::Unavailable);
        let wire = Sasl::alice(m).run(&mut s, "a", true);
        let challenges = failure_challenges(m, true);
        assert_eq!(
            readable(&wire),
            format!("{challenges}a NO [UNAVAILABLE] Authentication failed\r\n"),
            "{m}"
        );
        assert_eq!(
            s.take_log(),
            [
                asked(m, "alice"),
                audit_line(true, Some(m), Some("alice"), "Refused", 1),
            ]
        );
        s.assert_no_secret();
    }
}

/// The application's refusing verdicts on LOGIN: each has its RFC 5530
/// code, is audited once as Refused (Reject: Failed) and counted.
#[test]
fn login_verdicts_have_their_codes_and_outcomes() {
    let mut config = config();
    config.throttle.failure_delays = vec![Duration::ZERO];
    let mut s = Session::with(config, Tls);
    for (k, (verdict, code, outcome)) in [
        (AuthVerdict::Reject, "AUTHENTICATIONFAILED", "Failed"),
        (AuthVerdict::Unavailable, "UNAVAILABLE", "Refused"),
        (AuthVerdict::Expired, "EXPIRED", "Refused"),
        (
            AuthVerdict::AuthorizationFailed,
            "AUTHORIZATIONFAILED",
            "Refused",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        s.decide = Decide::Always(verdict);
        s.send(format!("a{k} LOGIN alice {PASSWORD}\r\n").as_bytes());
        assert_eq!(
            s.take_wire(),
            format!("a{k} NO [{code}] Authentication failed\r\n")
        );
        let failures = u32::try_from(k).unwrap() + 1;
        assert_eq!(
            s.take_log(),
            [
                "login-attempt LOGIN-COMMAND alice".to_owned(),
                audit_line(true, None, Some("alice"), outcome, failures),
            ]
        );
    }
    s.assert_no_secret();
}

/// PLAIN with an authorization identity other than the user (not allowed
/// by `PlainServer::new`): `NO [AUTHORIZATIONFAILED]`, audited as Refused
/// and counted; the application is not asked.
#[test]
fn authenticate_plain_as_another_user_is_refused() {
    let mut s = Session::tls();
    let ir = b64(format!("bob\0alice\0{PASSWORD}").as_bytes());
    s.send(format!("a AUTHENTICATE PLAIN {ir}\r\n").as_bytes());
    assert_eq!(
        s.take_wire(),
        "a NO [AUTHORIZATIONFAILED] Authentication failed\r\n"
    );
    assert_eq!(
        s.take_log(),
        [audit_line(true, Some("PLAIN"), Some("alice"), "Refused", 1)]
    );
    s.assert_no_secret();
}

/// RFC 9051 §6.2.2: `*` cancels, answered with BAD; audited as Cancelled,
/// not counted as a failure (`auth_bad`: "not counted as a failed
/// attempt"): no credential was checked.
#[test]
fn authenticate_cancelled_at_the_first_challenge() {
    for m in ALL {
        assert_first_challenge_answered(m, b"*\r\n", CANCELLED, "Cancelled");
    }
}

/// Cancelled once the user is known: SCRAM after server-first (audited
/// Cancelled, with the user), and after server-final: the proof verified,
/// but the client did not finish, so it is not authenticated, and the
/// record says the credentials were right (`Abandoned`). Was a doubt: the
/// second was audited Cancelled, like a guess never checked.
#[test]
fn authenticate_scram_cancelled_with_the_user_known() {
    for m in ["SCRAM-SHA-1", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"] {
        for replies in [0, 1] {
            let mut s = Session::tls_bound();
            let mut c = Sasl::alice(m);
            let mut wire = c.start(&mut s, "a", true);
            for _ in 0..replies {
                wire.push_str(&c.reply(&mut s));
            }
            s.send(b"*\r\n");
            wire.push_str(&s.take_wire());
            let expected = ["+ <r=...>\r\n", "+ <v=...>\r\n"][..=replies].concat();
            assert_eq!(readable(&wire), format!("{expected}a {CANCELLED}"));
            let outcome = ["Cancelled", "Abandoned"][replies];
            assert_eq!(
                s.take_log(),
                [
                    "scram-lookup alice".to_owned(),
                    audit_line(true, Some(m), Some("alice"), outcome, 0),
                ]
            );
            assert_eq!(s.server.state(), SessionState::NotAuthenticated);
            s.assert_no_secret();
        }
    }
}

/// The LOGIN mechanism cancelled at the password prompt is audited with
/// the user name the client sent at the first prompt
/// (`ServerMechanism::user`). Was a bug: `user=-`.
#[test]
fn authenticate_login_cancelled_after_the_user_name_records_it() {
    let mut s = Session::tls();
    s.send(b"a AUTHENTICATE LOGIN\r\n");
    s.send(format!("{}\r\n*\r\n", b64(b"alice")).as_bytes());
    assert_eq!(
        readable(&s.take_wire()),
        format!("+ <Username:>\r\n+ <Password:>\r\na {CANCELLED}")
    );
    assert_eq!(
        s.take_log(),
        [audit_line(
            true,
            Some("LOGIN"),
            Some("alice"),
            "Cancelled",
            0
        )]
    );
}

/// RFC 9051 §6.2.2: an invalid base64 response is answered BAD; audited
/// as Malformed, not counted.
#[test]
fn authenticate_bad_base64_at_the_first_challenge() {
    for m in ALL {
        assert_first_challenge_answered(m, b"not base64!\r\n", BAD_BASE64, "Malformed");
    }
}

/// A continuation line over the line limit or ended by a bare LF: BAD,
/// audited as Malformed with the limit; the line (here a password) is in
/// no output.
#[test]
fn authenticate_unframeable_lines_are_malformed_attempts() {
    let mut config = config();
    config.limits.max_line = 64;
    let mut s = Session::with(config, Tls);
    s.send(b"a AUTHENTICATE PLAIN\r\n");
    let long = b64(format!("\0alice\0{PASSWORD}{}", "x".repeat(60)).as_bytes());
    s.send(format!("{long}\r\n").as_bytes());
    s.send(b"b AUTHENTICATE PLAIN\r\n");
    s.send(format!("{}\n", alice_plain_ir()).as_bytes());
    assert_eq!(
        s.take_wire(),
        "+ \r\na BAD Line too long\r\n+ \r\nb BAD Line ends with a bare LF\r\n"
    );
    let log = s.take_log();
    let audits: Vec<&String> = log.iter().filter(|l| l.starts_with("audit")).collect();
    assert_eq!(
        audits,
        [
            "audit peer=- tls=yes limit \"line too long\"",
            &audit_line(true, Some("PLAIN"), None, "Malformed", 0),
            &audit_line(true, Some("PLAIN"), None, "Malformed", 0),
        ]
    );
    s.assert_no_secret();
}

/// SASL-IR (RFC 4959): the LOGIN mechanism takes a user name as initial
/// response and asks for the password at once; an empty initial response
/// (`=`) to PLAIN is a malformed PLAIN message (RFC 4616 needs three
/// fields): BAD, audited as Malformed.
#[test]
fn authenticate_initial_responses() {
    let mut s = Session::tls();
    s.send(format!("a AUTHENTICATE LOGIN {}\r\n", b64(b"alice")).as_bytes());
    s.send(format!("{}\r\n", b64(PASSWORD.as_bytes())).as_bytes());
    assert_eq!(
        readable(&s.take_wire()),
        format!("+ <Password:>\r\na {LOGGED_IN}")
    );
    assert_eq!(
        s.take_log(),
        [
            "login-attempt LOGIN alice".to_owned(),
            audit_line(true, Some("LOGIN"), Some("alice"), "Success", 0),
            "authenticated alice".to_owned(),
        ]
    );
    let mut s = Session::tls();
    s.send(b"a AUTHENTICATE PLAIN =\r\n");
    assert_eq!(s.take_wire(), "a BAD Malformed authentication message\r\n");
    assert_eq!(
        s.take_log(),
        [audit_line(true, Some("PLAIN"), None, "Malformed", 0)]
    );
}

/// An initial response that is not base64 (RFC 9051 §6.2.2, RFC 4959 §3:
/// the initial response is base64 like any client response) is answered
/// BAD as a syntax error of the command, and audited as a Malformed
/// attempt, as the same bytes on a continuation line are
/// (`authenticate_bad_base64_at_the_first_challenge`). Was a bug: no
/// attempt audited.
#[test]
fn authenticate_bad_base64_initial_response_is_a_malformed_attempt() {
    let mut s = Session::tls();
    let ir = broken_plain_ir();
    s.send(format!("a AUTHENTICATE PLAIN {ir}\r\n").as_bytes());
    let wire = s.take_wire();
    assert!(wire.starts_with("a BAD "), "{wire}");
    assert_eq!(
        s.attempts()
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>(),
        ["peer=- tls=yes auth mechanism=PLAIN user=- outcome=Malformed failures=0"]
    );
    s.assert_no_secret();
}

/// The wire and the whole log of a non-base64 SASL-IR: the command does
/// not parse (`BAD Syntax error`, a syntax violation), and the attempt is
/// audited as Malformed after the violation. Once authenticated, the same
/// line is a command in the wrong state: no attempt.
#[test]
fn authenticate_bad_base64_initial_response_wire() {
    let mut s = Session::tls();
    let ir = broken_plain_ir();
    s.send(format!("a AUTHENTICATE PLAIN {ir}\r\n").as_bytes());
    assert_eq!(s.take_wire(), "a BAD Syntax error\r\n");
    let log = s.take_log();
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(log[0].starts_with("violation syntax error"), "{log:?}");
    assert_eq!(
        log[1],
        audit_line(true, Some("PLAIN"), None, "Malformed", 0)
    );
    s.assert_no_secret();
    s.send(format!("b LOGIN alice {PASSWORD}\r\n").as_bytes());
    s.take_wire();
    s.take_log();
    s.send(format!("c AUTHENTICATE PLAIN {ir}\r\n").as_bytes());
    assert_eq!(s.take_wire(), "c BAD Syntax error\r\n");
    let log = s.take_log();
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(log[0].starts_with("violation syntax error"), "{log:?}");
}

/// A mechanism the server does not offer, or cannot run on this
/// connection (-PLUS without a channel-binding value): NO, audited as
/// UnsupportedMechanism with the name the client gave, never with its
/// initial response.
#[test]
fn authenticate_with_an_unsupported_mechanism() {
    let mut s = Session::tls();
    let ir = alice_plain_ir();
    s.send(
        format!(
            "a AUTHENTICATE CRAM-MD5 {ir}\r\n\
             b AUTHENTICATE X-SECRET-MECH\r\n\
             c AUTHENTICATE SCRAM-SHA-256-PLUS\r\n"
        )
        .as_bytes(),
    );
    assert_eq!(
        s.take_wire(),
        "a NO Unsupported authentication mechanism\r\n\
         b NO Unsupported authentication mechanism\r\n\
         c NO Unsupported authentication mechanism\r\n"
    );
    assert_eq!(
        s.take_log(),
        [
            audit_line(true, Some("CRAM-MD5"), None, "UnsupportedMechanism", 0),
            audit_line(true, Some("X-SECRET-MECH"), None, "UnsupportedMechanism", 0),
            audit_line(
                true,
                Some("SCRAM-SHA-256-PLUS"),
                None,
                "UnsupportedMechanism",
                0
            ),
        ]
    );
    s.assert_no_secret();
}

/// Before TLS the mechanisms that carry a reusable secret are refused
/// (`NO [PRIVACYREQUIRED]`, with or without an initial response), audited
/// once as PrivacyRequired; SCRAM, which never sends the password, runs.
#[test]
fn authenticate_before_tls() {
    for m in REUSABLE {
        for ir in [false, true] {
            let mut s = Session::plaintext();
            let wire = Sasl::alice(m).start(&mut s, "a", ir);
            assert_eq!(wire, format!("a {PRIVACY}"), "{m} ir={ir}");
            assert_eq!(
                s.take_log(),
                [audit_line(false, Some(m), None, "PrivacyRequired", 0)]
            );
            s.assert_no_secret();
        }
    }
    for m in ["SCRAM-SHA-1", "SCRAM-SHA-256"] {
        let mut s = Session::plaintext();
        let wire = Sasl::alice(m).run(&mut s, "a", true);
        assert_eq!(
            readable(&wire),
            format!("+ <r=...>\r\n+ <v=...>\r\na {LOGGED_IN}")
        );
        assert_eq!(
            s.take_log()[1],
            audit_line(false, Some(m), Some("alice"), "Success", 0)
        );
    }
    let mut s = Session::plaintext();
    s.send(b"a AUTHENTICATE SCRAM-SHA-256-PLUS\r\n");
    assert_eq!(
        s.take_wire(),
        "a NO Unsupported authentication mechanism\r\n"
    );
    assert_eq!(
        s.take_log(),
        [audit_line(
            false,
            Some("SCRAM-SHA-256-PLUS"),
            None,
            "UnsupportedMechanism",
            0
        )]
    );
}

// ---- the bearer mechanisms' error dance (RFC 7628 §3.2.3) --------------------

/// XOAUTH2 and OAUTHBEARER answer a refused token with a JSON error
/// challenge and fail only after the client's dummy response (RFC 7628
/// §3.2.3). The refusal is audited as Failed and counted at the
/// application's verdict, so a client that answers the error with `*`
/// (`BAD Authentication cancelled`, RFC 9051 §6.2.2) still has a failed
/// attempt. Was a bug: audited as Cancelled with failures=0, not counted
/// by the brute-force throttle.
#[test]
fn bearer_token_rejected_then_cancelled_is_a_failed_attempt() {
    for m in ["XOAUTH2", "OAUTHBEARER"] {
        let mut s = Session::tls();
        let wire = Sasl::new(m, "alice", WRONG).start(&mut s, "a", true);
        s.send(b"*\r\n");
        let wire = wire + &s.take_wire();
        assert_eq!(
            readable(&wire),
            format!("{}a {CANCELLED}", failure_challenges(m, true))
        );
        assert_eq!(
            s.take_log(),
            [
                asked(m, "alice"),
                audit_line(true, Some(m), Some("alice"), "Failed", 1),
            ],
            "{m}"
        );
    }
}

/// The same through the throttle: with the default limit of 5 failures,
/// 5 rejected tokens end the connection however the client answers each
/// error challenge (`*`, bad base64), with the failure delays between.
/// Was a bug: a client could try tokens without end on one connection.
#[test]
fn bearer_token_guessing_cannot_bypass_the_failure_limit() {
    for (m, answer) in [("XOAUTH2", "*"), ("OAUTHBEARER", "!!")] {
        let mut s = Session::tls();
        for k in 1..=6 {
            if s.server.is_closed() {
                break;
            }
            let tag = format!("x{k}");
            Sasl::new(m, "alice", &format!("{WRONG}-{k}")).start(&mut s, &tag, true);
            s.send(format!("{answer}\r\n").as_bytes());
            if s.wire.is_empty() {
                // A delayed answer (the failure delay).
                s.advance();
            }
            s.take_wire();
        }
        let log = s.take_log();
        let attempts: Vec<&String> = log.iter().filter(|l| l.contains(" user=")).collect();
        assert_eq!(attempts.len(), 5, "{m}: {log:#?}");
        assert!(
            log.ends_with(&[
                "audit peer=- tls=yes limit \"too many failed authentications\"".to_owned(),
                "audit peer=- tls=yes closed reason=AuthFailures".to_owned(),
                "closed AuthFailures".to_owned(),
            ]),
            "{m}: {log:#?}"
        );
    }
}

/// A client that disconnects at the error challenge after the
/// application rejected its bearer token leaves one Failed attempt (the
/// failure is recorded at the verdict, not at the client's dummy answer).
/// Was a bug: no attempt audited.
#[test]
fn bearer_token_rejected_then_eof_is_a_failed_attempt() {
    for m in ["XOAUTH2", "OAUTHBEARER"] {
        let mut s = Session::tls();
        let wire = Sasl::new(m, "alice", WRONG).start(&mut s, "a", true);
        assert_eq!(readable(&wire), failure_challenges(m, true));
        s.eof();
        assert_eq!(
            s.take_log(),
            [
                asked(m, "alice"),
                audit_line(true, Some(m), Some("alice"), "Failed", 1),
                "audit peer=- tls=yes closed reason=PeerClosed".to_owned(),
                "closed PeerClosed".to_owned(),
            ],
            "{m}"
        );
    }
}

/// A rejected bearer token whose error challenge the client answers with
/// `*` or bad base64: the BAD (RFC 9051 §6.2.2) is that failure's answer,
/// audited once as Failed at the application's verdict, and delayed as
/// the failure's NO would be (the default delays: none after the first
/// failure, 1 s after the second), the session reading nothing meanwhile.
#[test]
fn bearer_token_rejected_then_aborted_is_failed_and_delayed() {
    for (m, answer, tail) in [
        ("XOAUTH2", "*", CANCELLED),
        ("OAUTHBEARER", "*", CANCELLED),
        ("XOAUTH2", "!!", BAD_BASE64),
        ("OAUTHBEARER", "!!", BAD_BASE64),
    ] {
        let mut s = Session::tls();
        for k in 1..=2u32 {
            let tag = format!("x{k}");
            let wire = Sasl::new(m, "alice", WRONG).start(&mut s, &tag, true);
            assert_eq!(readable(&wire), failure_challenges(m, true), "{m}");
            assert_eq!(
                s.take_log(),
                [
                    asked(m, "alice"),
                    audit_line(true, Some(m), Some("alice"), "Failed", k),
                ],
                "{m} {k}"
            );
            s.send(format!("{answer}\r\nz NOOP\r\n").as_bytes());
            if k == 2 {
                assert_eq!(s.take_wire(), "", "{m}: the answer waits for the delay");
                assert_eq!(s.advance(), Some(Duration::from_secs(1)));
            }
            assert_eq!(
                s.take_wire(),
                format!("{tag} {tail}z OK NOOP completed\r\n"),
                "{m} {k}"
            );
            assert!(s.take_log().is_empty(), "{m} {k}");
        }
        assert!(!s.server.is_closed());
        s.assert_no_secret();
    }
}

// ---- the connection ends in the middle of an attempt -------------------------

/// The client disconnects (`handle_eof`) in the middle of an
/// AUTHENTICATE exchange: the attempt is audited (Interrupted) before the
/// close, whatever was sent (README: "audit events for every login
/// attempt"; `*` at the same point is a Cancelled attempt). Was a bug:
/// only `Closed` was audited.
#[test]
fn eof_in_the_middle_of_an_exchange_is_audited() {
    for m in ALL {
        let mut s = Session::tls_bound();
        let wire = Sasl::alice(m).start(&mut s, "a", false);
        assert_eq!(readable(&wire), first_challenge(m));
        s.eof();
        assert_eq!(s.take_wire(), "");
        assert_one_interrupted_attempt(&s, Some(m), None, 0);
    }
    // Once the user is known: SCRAM after server-first.
    let mut s = Session::tls();
    Sasl::alice("SCRAM-SHA-256").start(&mut s, "a", true);
    s.eof();
    assert_one_interrupted_attempt(&s, Some("SCRAM-SHA-256"), Some("alice"), 0);
}

/// The autologout timer (configured here to 10 s) ends the connection
/// while the server waits for the client's next SASL line: `* BYE`, the
/// attempt audited as Interrupted, then the close. Was a bug: the
/// attempt was not audited.
#[test]
fn timeout_in_the_middle_of_an_exchange_is_audited() {
    let mut config = config();
    config.timeouts.autologout_unauthenticated = Duration::from_secs(10);
    for m in ALL {
        let epoch = Instant::now();
        let server = Server::new_tls(Arc::new(config.clone()), epoch, EXPORTER.to_vec());
        let mut s = Session::around(server, epoch);
        Sasl::alice(m).start(&mut s, "a", false);
        assert_eq!(s.advance(), Some(Duration::from_secs(10)));
        assert_eq!(s.take_wire(), "* BYE Autologout; idle for too long\r\n");
        assert_one_interrupted_attempt(&s, Some(m), None, 0);
    }
}

/// The connection ends while the application holds the `LoginAttempt`
/// (or `ScramLookup`): the client's EOF, the application's own `bye`, the
/// autologout, and the input-backlog limit (input forced in while the
/// session does not read). The credentials were handed to the
/// application, so the attempt is audited (Interrupted) before the
/// close, and the application's late answer is refused
/// (`UsageError::Closed`). Was a bug: no attempt audited.
#[test]
fn the_end_while_the_verdict_is_pending_is_audited() {
    type End = fn(&mut Session);
    let ends: [(&str, End, &str); 4] = [
        ("eof", |s| s.eof(), ""),
        (
            "bye",
            |s| {
                let text = RespText::text("Shutting down").unwrap();
                s.server.bye(s.now, text).unwrap();
                s.drive();
            },
            "* BYE Shutting down\r\n",
        ),
        (
            "autologout",
            |s| {
                s.advance();
            },
            "* BYE Autologout; idle for too long\r\n",
        ),
        (
            "backlog",
            |s| {
                let junk = b"b NOOP\r\n".repeat(200);
                s.server.handle_input(s.now, &junk);
                s.drive();
            },
            "* BYE Too much input\r\n",
        ),
    ];
    let mut config = config();
    config.limits.max_line = 256;
    config.limits.max_message = 512;
    for (what, end, bye) in ends {
        for m in [None, Some("PLAIN"), Some("SCRAM-SHA-256")] {
            let mut s = Session::with(config.clone(), Tls);
            s.decide = Decide::Hold;
            match m {
                None => s.send(format!("a LOGIN alice {PASSWORD}\r\n").as_bytes()),
                Some(m) => {
                    Sasl::alice(m).start(&mut s, "a", true);
                }
            }
            assert_eq!(s.logins.len() + s.lookups.len(), 1);
            end(&mut s);
            assert_eq!(s.take_wire(), bye, "{what} {m:?}");
            assert_one_interrupted_attempt(&s, m, Some("alice"), 0);
            if let Some(attempt) = s.logins.pop_front() {
                let late = s.server.decide_login(s.now, attempt, AuthVerdict::Accept);
                assert!(late.is_err());
            }
        }
    }
}

/// The whole log of an attempt the connection's end interrupted: the
/// attempt is audited as Interrupted before the close, and the
/// application's late answer is refused.
#[test]
fn the_end_in_the_middle_of_an_attempt_log() {
    // EOF at the first challenge.
    let mut s = Session::tls();
    Sasl::alice("PLAIN").start(&mut s, "a", false);
    s.eof();
    assert_eq!(
        s.take_log(),
        [
            audit_line(true, Some("PLAIN"), None, "Interrupted", 0),
            "audit peer=- tls=yes closed reason=PeerClosed".to_owned(),
            "closed PeerClosed".to_owned(),
        ]
    );
    // LOGIN held by the application, then EOF: the late answer is refused.
    let mut s = Session::tls();
    s.decide = Decide::Hold;
    s.send(format!("a LOGIN alice {PASSWORD}\r\n").as_bytes());
    s.eof();
    assert_eq!(
        s.take_log(),
        [
            "login-attempt LOGIN-COMMAND alice".to_owned(),
            audit_line(true, None, Some("alice"), "Interrupted", 0),
            "audit peer=- tls=yes closed reason=PeerClosed".to_owned(),
            "closed PeerClosed".to_owned(),
        ]
    );
    let attempt = s.logins.pop_front().unwrap();
    assert!(matches!(
        s.server.decide_login(s.now, attempt, AuthVerdict::Accept),
        Err(Unanswered {
            error: imapkit_state::error::UsageError::Closed,
            ..
        })
    ));
    assert_eq!(s.attempts().len(), 1);
    s.assert_no_secret();
}

// ---- the failure limit across mechanisms --------------------------------------

/// The failure count is one per connection, whatever the mechanism:
/// LOGIN, PLAIN and SCRAM failures add up, cancelled and malformed
/// exchanges in between do not count (no credential was checked), and the
/// 3rd failure (configured) ends the connection after its NO. What the
/// client pipelined after it is never read.
#[test]
fn the_failure_limit_counts_every_mechanism() {
    let mut config = config();
    config.throttle.max_auth_failures = 3;
    config.throttle.failure_delays = vec![Duration::ZERO];
    let mut s = Session::with(config, Tls);
    s.send(format!("a LOGIN alice {WRONG}\r\n").as_bytes());
    s.send(b"b AUTHENTICATE PLAIN\r\n*\r\n");
    assert_eq!(s.take_wire(), format!("a {AUTH_FAILED}+ \r\nb {CANCELLED}"));
    let wire = Sasl::new("PLAIN", "alice", WRONG).run(&mut s, "c", true);
    assert_eq!(wire, format!("c {AUTH_FAILED}"));
    s.send(b"d AUTHENTICATE SCRAM-SHA-256\r\n!!\r\n");
    assert_eq!(s.take_wire(), format!("+ \r\nd {BAD_BASE64}"));
    let wire = Sasl::new("SCRAM-SHA-256", "alice", WRONG).run(&mut s, "e", true);
    assert_eq!(
        readable(&wire),
        format!("+ <r=...>\r\ne {AUTH_FAILED}* BYE Too many authentication failures\r\n")
    );
    s.send(format!("f LOGIN alice {PASSWORD}\r\n").as_bytes());
    assert_eq!(s.take_wire(), "");
    assert_eq!(
        s.take_log(),
        [
            "login-attempt LOGIN-COMMAND alice".to_owned(),
            audit_line(true, None, Some("alice"), "Failed", 1),
            audit_line(true, Some("PLAIN"), None, "Cancelled", 1),
            "login-attempt PLAIN alice".to_owned(),
            audit_line(true, Some("PLAIN"), Some("alice"), "Failed", 2),
            audit_line(true, Some("SCRAM-SHA-256"), None, "Malformed", 2),
            "scram-lookup alice".to_owned(),
            audit_line(true, Some("SCRAM-SHA-256"), Some("alice"), "Failed", 3),
            "audit peer=- tls=yes limit \"too many failed authentications\"".to_owned(),
            "audit peer=- tls=yes closed reason=AuthFailures".to_owned(),
            "closed AuthFailures".to_owned(),
        ]
    );
    s.assert_no_secret();
}

/// The peer address set by the application is in every attempt's record.
#[test]
fn attempts_carry_the_peer_address() {
    let mut s = Session::tls();
    s.server
        .set_peer_address("192.0.2.7:50123".parse().unwrap());
    s.send(format!("a LOGIN alice {WRONG}\r\n").as_bytes());
    assert_eq!(
        s.attempts()[0].to_string(),
        "peer=192.0.2.7:50123 tls=yes login user=\"alice\" outcome=Failed failures=1"
    );
}

// ---- refused before it ran ----------------------------------------------------

/// The audit lines of a log (limits, attempts, closes), without the
/// session's other records.
fn audits(log: &[String]) -> Vec<&str> {
    log.iter()
        .filter(|l| l.starts_with("audit"))
        .map(String::as_str)
        .collect()
}

/// A LOGIN or AUTHENTICATE refused at framing (a line too long, a literal
/// too large) is a login attempt too: audited Malformed after the limit,
/// with the user as far as the line names it, never with the password.
/// Was a doubt: only the limit was audited, so a password guesser whose
/// lines broke a limit left no attempt in the log.
#[test]
fn login_refused_at_framing_is_a_malformed_attempt() {
    let mut config = config();
    config.limits.max_line = 64;
    config.limits.max_literal = 100;
    config.throttle.max_garbage = 10;
    let mut s = Session::with(config, Tls);
    let long = "x".repeat(80);
    s.send(format!("a LOGIN alice {long}\r\n").as_bytes());
    s.send(b"b LOGIN \"bob\" {500}\r\n");
    s.send(format!("c AUTHENTICATE PLAIN {long}\r\n").as_bytes());
    assert_eq!(
        s.take_wire(),
        "a BAD Line too long\r\nb BAD [TOOBIG] Literal too large\r\nc BAD Line too long\r\n"
    );
    let log = s.take_log();
    assert_eq!(
        audits(&log),
        [
            "audit peer=- tls=yes limit \"line too long\"",
            &audit_line(true, None, Some("alice"), "Malformed", 0),
            "audit peer=- tls=yes limit \"literal too large\"",
            &audit_line(true, None, Some("bob"), "Malformed", 0),
            "audit peer=- tls=yes limit \"line too long\"",
            &audit_line(true, Some("PLAIN"), None, "Malformed", 0),
        ]
    );
    assert!(!s.shown.contains(&long), "the cut password was shown");
}

/// A LOGIN that does not parse (no password, or a password literal whose
/// header does not parse) and one whose non-synchronizing literal is
/// beyond what LITERAL- allows (RFC 7888 §5) are Malformed attempts with
/// their user. Not counted as failures (they are BADs, counted as
/// garbage). Was a doubt: no attempt was audited.
#[test]
fn login_that_does_not_parse_is_a_malformed_attempt() {
    let mut s = Session::tls();
    s.send(b"a LOGIN bob\r\n");
    s.send(b"b LOGIN carol {5000+}\r\n");
    s.send(&[b'p'; 5000]);
    s.send(b"\r\n");
    s.send(b"c login {4}\r\ndave (x) {3}\r\n");
    assert_eq!(
        s.take_wire(),
        "a BAD Syntax error\r\nb BAD Non-synchronizing literal too large\r\n\
         + Ready for literal data\r\nc BAD Syntax error\r\n"
    );
    let log = s.take_log();
    assert_eq!(
        audits(&log),
        [
            audit_line(true, None, Some("bob"), "Malformed", 0).as_str(),
            "audit peer=- tls=yes limit \"non-synchronizing literal over 4096 bytes\"",
            &audit_line(true, None, Some("carol"), "Malformed", 0),
            &audit_line(true, None, Some("dave"), "Malformed", 0),
        ]
    );
}

/// Commands other than LOGIN and AUTHENTICATE refused the same ways, and
/// a LOGIN refused once authenticated (not an attempt: the session is
/// logged in already), leave no attempt.
#[test]
fn other_refused_commands_are_no_attempts() {
    let mut config = config();
    config.limits.max_line = 64;
    let mut s = Session::with(config, Tls);
    s.send(format!("a SELECT {}\r\nb SELECT\r\n", "x".repeat(80)).as_bytes());
    s.send(format!("c LOGIN alice {PASSWORD}\r\n").as_bytes());
    s.send(format!("d LOGIN alice {}\r\ne LOGIN bob\r\n", "x".repeat(80)).as_bytes());
    let log = s.take_log();
    assert_eq!(
        audits(&log),
        [
            "audit peer=- tls=yes limit \"line too long\"",
            &audit_line(true, None, Some("alice"), "Success", 0),
            "audit peer=- tls=yes limit \"line too long\"",
        ]
    );
}

/// SCRAM after a verified proof: answering server-final with anything but
/// the empty acknowledgment, or leaving, is audited `Abandoned` (the
/// credentials were right, no session was established), not Malformed or
/// Interrupted, and is not counted as a failure.
#[test]
fn scram_abandoned_after_the_proof_verified() {
    for ending in ["garbage", "eof"] {
        let mut s = Session::tls_bound();
        let mut c = Sasl::alice("SCRAM-SHA-256");
        let mut wire = c.start(&mut s, "a", true);
        wire.push_str(&c.reply(&mut s));
        match ending {
            "garbage" => s.send(format!("{}\r\n", b64(b"nonsense")).as_bytes()),
            _ => s.eof(),
        }
        wire.push_str(&s.take_wire());
        let end = match ending {
            "garbage" => "a BAD Malformed authentication message\r\n",
            _ => "",
        };
        assert_eq!(readable(&wire), format!("+ <r=...>\r\n+ <v=...>\r\n{end}"));
        let log = s.take_log();
        assert_eq!(
            audits(&log)[0],
            audit_line(true, Some("SCRAM-SHA-256"), Some("alice"), "Abandoned", 0),
            "{ending}"
        );
        if ending == "garbage" {
            assert_eq!(s.server.state(), SessionState::NotAuthenticated);
        }
    }
}
