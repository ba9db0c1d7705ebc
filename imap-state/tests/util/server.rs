//! Helpers for server session tests: a scripted client side with simulated
//! time, input in any chunking, an application policy that answers events,
//! and small SASL mechanisms to drive AUTHENTICATE with.
//!
//! Reusable by the pair harness: [`Harness`] owns one `Server`, a virtual
//! clock and an inbox of client bytes it feeds while the server wants to
//! read (as a socket would), in [`Split`] chunks.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use imapkit_state::proto::{Command, Data, IntoStatic, Status};
use imapkit_state::sasl::{
    CredentialSecret, Identity, SaslError, ScramSecrets, ServerMechanism, ServerStep, Supply,
};
use imapkit_state::server::{
    AppendCheck, AuthVerdict, Completion, Event, LoginAttempt, MechanismFactory, Request,
    ScramLookup, Server, ServerConfig,
};
use imapkit_state::ConnectionSecurity;

/// How client bytes are cut into `handle_input` calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// Everything available at once.
    Whole,
    /// One byte per call.
    Bytes,
    /// Seeded random chunks of 1 to 17 bytes.
    Random(u64),
}

impl Split {
    /// The chunkings every transcript is replayed with.
    pub const ALL: [Self; 4] = [
        Self::Whole,
        Self::Bytes,
        Self::Random(1),
        Self::Random(0x5eed),
    ];
}

/// What the application does with events.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Complete every command with `OK completed` at once (else keep it in
    /// [`Harness::requests`]).
    pub auto_respond: bool,
    /// Decide login attempts by this user/password table (else keep them in
    /// [`Harness::logins`]).
    pub passwords: Option<Vec<(String, String)>>,
    /// SCRAM secrets by user (else keep lookups in [`Harness::lookups`]).
    pub scram: Option<Vec<(String, ScramSecrets)>>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            auto_respond: true,
            passwords: Some(vec![("alice".to_owned(), "wonderland".to_owned())]),
            scram: Some(vec![("alice".to_owned(), scram_secrets())]),
        }
    }
}

/// One server session with a scripted client.
pub struct Harness {
    /// The session.
    pub server: Server,
    /// Virtual time zero.
    pub epoch: Instant,
    /// Virtual now.
    pub now: Instant,
    /// Everything the server sent.
    pub wire: Vec<u8>,
    /// Every event, described in one line, in order.
    pub log: Vec<String>,
    /// Commands kept for the test to answer.
    pub requests: VecDeque<(Request, Command<'static>)>,
    /// Login attempts kept for the test to answer.
    pub logins: VecDeque<LoginAttempt>,
    /// SCRAM lookups kept for the test to answer.
    pub lookups: VecDeque<ScramLookup>,
    /// APPEND checks kept for the test to answer.
    pub appends: VecDeque<AppendCheck>,
    /// The application's answers.
    pub policy: Policy,
    /// Chunking of client input.
    pub split: Split,
    /// Client bytes not yet taken by the server.
    pub inbox: VecDeque<u8>,
    rng: u64,
}

impl Harness {
    /// A plaintext session with `config`, greeting drained.
    pub fn new(config: ServerConfig, security: ConnectionSecurity, split: Split) -> Self {
        let epoch = Instant::now();
        let server = Server::new(Arc::new(config), epoch, security);
        let mut h = Self {
            server,
            epoch,
            now: epoch,
            wire: Vec::new(),
            log: Vec::new(),
            requests: VecDeque::new(),
            logins: VecDeque::new(),
            lookups: VecDeque::new(),
            appends: VecDeque::new(),
            policy: Policy::default(),
            split,
            inbox: VecDeque::new(),
            rng: match split {
                Split::Random(seed) => seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
                _ => 1,
            },
        };
        h.drive();
        h
    }

    /// A TLS session logged in as alice (LOGIN), output and log cleared.
    pub fn logged_in(config: ServerConfig, split: Split) -> Self {
        let mut h = Self::new(config, ConnectionSecurity::Tls, split);
        h.send(b"L1 LOGIN alice wonderland\r\n");
        assert_eq!(
            h.server.state(),
            imapkit_state::server::SessionState::Authenticated
        );
        h.wire.clear();
        h.log.clear();
        h
    }

    /// A TLS session with INBOX selected, output and log cleared.
    pub fn selected(config: ServerConfig, split: Split) -> Self {
        let mut h = Self::logged_in(config, split);
        h.send(b"S1 SELECT INBOX\r\n");
        assert_eq!(h.take_wire(), "S1 OK completed\r\n");
        h.log.clear();
        h
    }

    /// The client sends `bytes`: they go to the server while it wants to
    /// read, in the harness's chunking, with the application answering.
    pub fn send(&mut self, bytes: &[u8]) {
        self.inbox.extend(bytes);
        self.pump();
    }

    /// Feeds the inbox while the server wants to read.
    pub fn pump(&mut self) {
        loop {
            self.drive();
            if self.inbox.is_empty() || !self.server.wants_read() {
                return;
            }
            let n = match self.split {
                Split::Whole => self.inbox.len(),
                Split::Bytes => 1,
                Split::Random(_) => {
                    self.rng ^= self.rng << 13;
                    self.rng ^= self.rng >> 7;
                    self.rng ^= self.rng << 17;
                    1 + (self.rng % 17) as usize
                }
            }
            .min(self.inbox.len());
            let chunk: Vec<u8> = self.inbox.drain(..n).collect();
            self.server.handle_input(self.now, &chunk);
        }
    }

    /// Feeds everything in the inbox whether or not the server wants to
    /// read (an application that ignores `wants_read`).
    pub fn force_feed(&mut self, bytes: &[u8]) {
        self.server.handle_input(self.now, bytes);
        self.drive();
    }

    /// Drains output and events (answering them by the policy) until quiet.
    pub fn drive(&mut self) {
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
                self.log.push(describe(&event));
                self.on_event(event);
            }
            if !progress {
                return;
            }
        }
        panic!("the session does not settle");
    }

    fn on_event(&mut self, event: Event) {
        let now = self.now;
        match event {
            Event::CommandReceived { request, command } => {
                if self.policy.auto_respond {
                    self.server
                        .respond(now, request, Completion::ok())
                        .expect("in flight");
                } else {
                    self.requests.push_back((request, command));
                }
            }
            Event::LoginAttempt(attempt) => match &self.policy.passwords {
                Some(table) => {
                    let c = attempt.credentials();
                    let (CredentialSecret::Password(p) | CredentialSecret::BearerToken(p)) =
                        &c.secret
                    else {
                        unreachable!()
                    };
                    let ok = table
                        .iter()
                        .any(|(u, pw)| *u == c.identity.authcid && pw == p.declassify());
                    let verdict = if ok {
                        AuthVerdict::Accept
                    } else {
                        AuthVerdict::Reject
                    };
                    self.server
                        .decide_login(now, attempt, verdict)
                        .expect("pending");
                }
                None => self.logins.push_back(attempt),
            },
            Event::ScramLookup(lookup) => match &self.policy.scram {
                Some(table) => {
                    let secrets = table
                        .iter()
                        .find(|(u, _)| *u == lookup.identity().authcid)
                        .map(|(_, s)| s.clone());
                    self.server
                        .supply_scram(now, lookup, secrets)
                        .expect("pending");
                }
                None => self.lookups.push_back(lookup),
            },
            Event::AppendCheck(check) => self.appends.push_back(check),
            _ => {}
        }
    }

    /// Completes the oldest kept command, after sending `data`.
    pub fn answer(&mut self, data: Vec<Data<'static>>, completion: Completion) -> Command<'static> {
        let (request, command) = self.requests.pop_front().expect("a kept command");
        for d in data {
            self.server
                .send_data(self.now, &request, d)
                .expect("in flight");
        }
        self.server
            .respond(self.now, request, completion)
            .expect("in flight");
        self.pump();
        command
    }

    /// Jumps to the next timeout and handles it; returns how far time moved.
    pub fn advance(&mut self) -> Option<Duration> {
        let at = self.server.poll_timeout()?;
        let moved = at.saturating_duration_since(self.now);
        self.now = self.now.max(at);
        self.server.handle_timeout(self.now);
        self.pump();
        Some(moved)
    }

    /// Moves time by `d` and handles timeouts due.
    pub fn advance_by(&mut self, d: Duration) {
        self.now += d;
        self.server.handle_timeout(self.now);
        self.pump();
    }

    /// The output so far as text, cleared.
    pub fn take_wire(&mut self) -> String {
        String::from_utf8(std::mem::take(&mut self.wire)).expect("ASCII output")
    }

    /// The log so far, cleared.
    pub fn take_log(&mut self) -> Vec<String> {
        std::mem::take(&mut self.log)
    }

    /// Time since the start.
    pub fn elapsed(&self) -> Duration {
        self.now - self.epoch
    }
}

/// One line for an event (what the tests compare).
pub fn describe(event: &Event) -> String {
    match event {
        Event::CommandReceived { command, .. } => {
            format!("command {} {}", command.tag.as_str(), command.body.name())
        }
        Event::LoginAttempt(a) => format!("login-attempt {}", a.identity().authcid),
        Event::ScramLookup(l) => format!("scram-lookup {}", l.identity().authcid),
        Event::AppendCheck(c) => format!(
            "append-check {} message={} size={} binary={}",
            c.mailbox(),
            c.message(),
            c.size(),
            c.binary()
        ),
        Event::Authenticated { identity, .. } => format!("authenticated {}", identity.authcid),
        Event::StartTlsReady => "starttls-ready".to_owned(),
        Event::IdleStarted { .. } => "idle-started".to_owned(),
        Event::IdleEnded { done, .. } => format!("idle-ended done={done}"),
        Event::Enabled(caps) => format!("enabled {caps:?}"),
        Event::ExpungeSent { data } => format!("expunge-sent {data:?}"),
        Event::Audit(a) => format!("audit {a}"),
        Event::Violation(v) => format!("violation {v}"),
        Event::Closed { reason } => format!("closed {reason:?}"),
        other => format!("{other:?}"),
    }
}

/// Runs `script` under every [`Split`] and checks that the wire and the
/// event log are the same; returns them.
pub fn same_under_every_split(
    make: impl Fn(Split) -> Harness,
    script: impl Fn(&mut Harness),
) -> (String, Vec<String>) {
    let mut first: Option<(String, Vec<String>)> = None;
    for split in Split::ALL {
        let mut h = make(split);
        script(&mut h);
        let got = (h.take_wire(), h.take_log());
        match &first {
            None => first = Some(got),
            Some(expected) => assert_eq!(&got, expected, "under {split:?}"),
        }
    }
    first.expect("at least one split")
}

// ---- SASL mechanisms for tests ------------------------------------------

/// PLAIN (RFC 4616), enough for tests: `authzid NUL authcid NUL password`.
#[derive(Debug, Default)]
pub struct TestPlain {
    identity: Option<Identity>,
}

impl TestPlain {
    fn parse(&mut self, msg: &[u8]) -> Result<ServerStep, SaslError> {
        let parts: Vec<&[u8]> = msg.split(|&b| b == 0).collect();
        let [authzid, authcid, password] = parts[..] else {
            return Err(SaslError::Malformed {
                mechanism: "PLAIN",
                reason: "expected three fields",
            });
        };
        let s = |b: &[u8]| String::from_utf8(b.to_vec()).map_err(|_| SaslError::SaslPrep);
        let identity = Identity {
            authcid: s(authcid)?,
            authzid: (!authzid.is_empty()).then(|| s(authzid)).transpose()?,
        };
        self.identity = Some(identity.clone());
        Ok(ServerStep::Verify(imapkit_state::sasl::Credentials {
            identity,
            secret: CredentialSecret::Password(imapkit_state::proto::Secret::new(s(password)?)),
        }))
    }
}

impl ServerMechanism for TestPlain {
    fn name(&self) -> imapkit_state::proto::AuthMechanism<'static> {
        imapkit_state::proto::AuthMechanism::Plain
    }
    fn receives_reusable_secret(&self) -> bool {
        true
    }
    fn start(&mut self, initial: Option<&[u8]>) -> Result<ServerStep, SaslError> {
        match initial {
            Some(msg) => self.parse(msg),
            None => Ok(ServerStep::Challenge(Vec::new())),
        }
    }
    fn step(&mut self, response: &[u8]) -> Result<ServerStep, SaslError> {
        self.parse(response)
    }
    fn supply(&mut self, supply: Supply) -> Result<ServerStep, SaslError> {
        let identity = self
            .identity
            .clone()
            .ok_or(SaslError::UnexpectedMessage { mechanism: "PLAIN" })?;
        match supply {
            Supply::Verdict(true) => Ok(ServerStep::Success(identity)),
            // `sasl::Failure` cannot be built outside the crate: an error
            // stands for the rejection.
            _ => Err(SaslError::ProofMismatch),
        }
    }
}

/// A SCRAM-shaped mechanism for tests (not SCRAM): the client names the
/// user, the server looks up the secrets and challenges with the salt, the
/// client proves with the stored key, the server answers `v=ok`, the client
/// acknowledges with an empty message.
#[derive(Debug, Default)]
pub struct TestScram {
    identity: Option<Identity>,
    secrets: Option<Option<ScramSecrets>>,
    proved: bool,
    /// The channel binding the server expects (`-PLUS`).
    pub binding: Option<Vec<u8>>,
}

impl ServerMechanism for TestScram {
    fn name(&self) -> imapkit_state::proto::AuthMechanism<'static> {
        imapkit_state::proto::AuthMechanism::ScramSha256
    }
    fn receives_reusable_secret(&self) -> bool {
        false
    }
    fn start(&mut self, initial: Option<&[u8]>) -> Result<ServerStep, SaslError> {
        match initial {
            None | Some(b"") => Ok(ServerStep::Challenge(Vec::new())),
            Some(user) => self.step(user),
        }
    }
    fn step(&mut self, response: &[u8]) -> Result<ServerStep, SaslError> {
        match (&self.identity, &self.secrets, self.proved) {
            (None, _, _) => {
                let user = String::from_utf8(response.to_vec()).map_err(|_| SaslError::SaslPrep)?;
                let identity = Identity {
                    authcid: user,
                    authzid: None,
                };
                self.identity = Some(identity.clone());
                Ok(ServerStep::LookupScram(identity))
            }
            (Some(_), Some(secrets), false) => {
                let mut proof = response.to_vec();
                if let Some(b) = &self.binding {
                    match proof.strip_suffix(b.as_slice()) {
                        Some(p) => proof = p.to_vec(),
                        None => return Err(SaslError::ChannelBindingMismatch),
                    }
                }
                match secrets {
                    Some(s) if s.stored_key == proof => {
                        self.proved = true;
                        Ok(ServerStep::Challenge(b"v=ok".to_vec()))
                    }
                    _ => Err(SaslError::ProofMismatch),
                }
            }
            (Some(identity), Some(_), true) if response.is_empty() => {
                Ok(ServerStep::Success(identity.clone()))
            }
            _ => Err(SaslError::UnexpectedMessage {
                mechanism: "TEST-SCRAM",
            }),
        }
    }
    fn supply(&mut self, supply: Supply) -> Result<ServerStep, SaslError> {
        let Supply::Scram(secrets) = supply else {
            return Err(SaslError::UnexpectedMessage {
                mechanism: "TEST-SCRAM",
            });
        };
        let salt = secrets
            .as_ref()
            .map_or_else(|| b"fake".to_vec(), |s| s.salt.clone());
        self.secrets = Some(secrets);
        Ok(ServerStep::Challenge([b"s=".as_slice(), &salt].concat()))
    }
}

/// The secrets [`TestScram`] checks: the proof is the stored key.
pub fn scram_secrets() -> ScramSecrets {
    ScramSecrets {
        salt: b"NaCl".to_vec(),
        iterations: 4096,
        stored_key: b"proof-of-alice".to_vec(),
        server_key: b"server-key".to_vec(),
    }
}

/// A factory for PLAIN, SCRAM-SHA-256 and SCRAM-SHA-256-PLUS (with a
/// channel-binding value only) of the test mechanisms.
pub fn test_factory() -> MechanismFactory {
    Arc::new(|req| {
        let name = String::from_utf8_lossy(req.mechanism.as_bytes()).to_ascii_uppercase();
        match name.as_str() {
            "PLAIN" => Some(Box::new(TestPlain::default()) as Box<dyn ServerMechanism>),
            "SCRAM-SHA-256" => Some(Box::new(TestScram::default())),
            "SCRAM-SHA-256-PLUS" => Some(Box::new(TestScram {
                binding: Some(req.channel_binding?.to_vec()),
                ..TestScram::default()
            })),
            _ => None,
        }
    })
}

/// A configuration with the test mechanisms.
pub fn sasl_config() -> ServerConfig {
    let mut config = ServerConfig::default();
    config.sasl_mechanisms = vec![
        imapkit_state::proto::AuthMechanism::ScramSha256,
        imapkit_state::proto::AuthMechanism::Other(
            imapkit_state::proto::Atom::try_from("SCRAM-SHA-256-PLUS").unwrap(),
        ),
        imapkit_state::proto::AuthMechanism::Plain,
    ];
    config.sasl_factory = Some(test_factory());
    config
}

/// base64 of `bytes`.
pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Whether `status` is OK.
pub fn is_ok(status: Status) -> bool {
    status == Status::Ok
}

/// Turns a borrowed value into an owned one (for building data in tests).
pub fn owned<T: IntoStatic>(v: T) -> T::Static {
    v.into_static()
}
