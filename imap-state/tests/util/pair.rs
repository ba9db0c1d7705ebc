//! A Client and a Server connected in memory, with a simulated clock, a
//! simulated TLS handshake and a small application behind the server: each
//! side tests the other.
//!
//! `step()` moves the bytes each side wants to send to the other (whole, one
//! byte at a time, or in seeded random chunks; the server only reads while
//! it wants to), `drive()` steps until both sides are quiet, `advance()`
//! jumps the clock to the earliest timer of either side.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use imapkit_proto::{Atom, AuthMechanism, Command, CommandBody, Data, IntoStatic, ResponseCode};
use imapkit_state::client::{self, Client, ClientConfig};
use imapkit_state::sasl::plain::PlainServer;
use imapkit_state::sasl::scram::{ScramHash, ScramServer};
use imapkit_state::sasl::{ChannelBinding, CredentialSecret, ScramSecrets, ServerMechanism};
use imapkit_state::server::{self, AuthVerdict, Completion, Server, ServerConfig};
use imapkit_state::ConnectionSecurity;

pub use super::client::Split;

/// The password of every test user.
pub const PASSWORD: &str = "wonderland";

/// The TLS exporter value both sides see after the simulated handshake
/// (RFC 9266), unless a test makes them differ.
pub const EXPORTER: [u8; 32] = [7; 32];

/// A server configuration with real SASL mechanisms (PLAIN, SCRAM-SHA-256,
/// SCRAM-SHA-256-PLUS, by `standard_mechanisms`) and a deterministic
/// random source.
pub fn server_config() -> ServerConfig {
    let mut config = ServerConfig::default();
    config.sasl_mechanisms = vec![
        AuthMechanism::ScramSha256,
        AuthMechanism::Other(Atom::try_from("SCRAM-SHA-256-PLUS").unwrap()),
        AuthMechanism::Plain,
    ];
    // The library's own server halves (since stop 33; this module built
    // the same three by hand before).
    config.sasl_factory = Some(server::standard_mechanisms());
    let counter = std::sync::atomic::AtomicU64::new(1);
    config.random = Some(Arc::new(move |buf: &mut [u8]| {
        let mut x = counter.fetch_add(0x9E37_79B9, std::sync::atomic::Ordering::Relaxed);
        for b in buf {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
    }));
    config.capabilities.push(imapkit_proto::Capability::Idle);
    config.capabilities.push(imapkit_proto::Capability::UidPlus);
    config
}

/// SCRAM-SHA-256 secrets of a test user.
pub fn scram_secrets() -> ScramSecrets {
    ScramSecrets::derive(ScramHash::Sha256, PASSWORD, b"salt-of-alice", 4096).unwrap()
}

/// A client configuration for the pair: no greeting/command timeouts that
/// would fire while a test advances time for the server's timers.
pub fn client_config() -> ClientConfig {
    ClientConfig::default()
}

/// The application behind the server: users, one mailbox of `exists`
/// messages with UIDs `1..=exists`, and the commands it saw.
#[derive(Debug, Default)]
pub struct App {
    /// Messages in INBOX.
    pub exists: u32,
    /// Every command the application received, by name.
    pub commands: Vec<String>,
    /// Every audit event, as logged.
    pub audit: Vec<String>,
    /// Whether to answer commands (else they stay in `pending`).
    pub hold: bool,
    /// Commands held for the test to answer.
    pub pending: VecDeque<(server::Request, Command<'static>)>,
}

/// Client, server, clock, and what crossed the wire.
pub struct Pair {
    pub client: Client,
    pub server: Server,
    pub epoch: Instant,
    pub now: Instant,
    pub split: Split,
    pub app: App,
    /// Client events, in order.
    pub client_events: Vec<client::Event>,
    /// Server events, described, in order.
    pub server_events: Vec<String>,
    /// Bytes on their way to the server (a socket's receive buffer).
    to_server: VecDeque<u8>,
    /// Bytes on their way to the client.
    to_client: VecDeque<u8>,
    /// Every byte the client sent and the server sent.
    pub c2s: Vec<u8>,
    pub s2c: Vec<u8>,
    /// The simulated TLS handshake: the client asked, the server is ready.
    client_wants_tls: bool,
    server_ready_for_tls: bool,
    /// The exporter value the server sees (tests of channel binding change it).
    pub server_exporter: [u8; 32],
    /// Whether the simulated TLS gives the client an exporter value.
    pub client_exporter: [u8; 32],
    /// Where TLS began in `c2s` and `s2c`: bytes before are plaintext.
    pub tls_at: Option<(usize, usize)>,
    /// Deliver reads with `read_buf` and `handle_read` (into each side's
    /// own input buffer) instead of `handle_input`.
    pub read_into: bool,
    rng: u64,
}

impl Pair {
    /// A pair on a connection of `security`.
    pub fn new(
        client: ClientConfig,
        server: ServerConfig,
        security: ConnectionSecurity,
        split: Split,
    ) -> Self {
        let epoch = Instant::now();
        Self {
            client: Client::new(Arc::new(client), epoch, security),
            server: Server::new(Arc::new(server), epoch, security),
            epoch,
            now: epoch,
            split,
            app: App {
                exists: 3,
                ..App::default()
            },
            client_events: Vec::new(),
            server_events: Vec::new(),
            to_server: VecDeque::new(),
            to_client: VecDeque::new(),
            c2s: Vec::new(),
            s2c: Vec::new(),
            client_wants_tls: false,
            server_ready_for_tls: false,
            server_exporter: EXPORTER,
            client_exporter: EXPORTER,
            tls_at: None,
            read_into: false,
            rng: match split {
                Split::Random(seed) => seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
                _ => 1,
            },
        }
    }

    /// Over implicit TLS, default configurations.
    pub fn tls(split: Split) -> Self {
        Self::new(
            client_config(),
            server_config(),
            ConnectionSecurity::Tls,
            split,
        )
    }

    fn chunk(&mut self, available: usize) -> usize {
        match self.split {
            Split::Whole => available,
            Split::Bytes => available.min(1),
            Split::Random(_) => {
                let mut x = self.rng;
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                self.rng = x;
                available.min((x % 23 + 1) as usize)
            }
        }
    }

    /// Moves what each side sends, delivers it, and answers events. Returns
    /// whether anything happened.
    pub fn step(&mut self) -> bool {
        let mut progress = false;
        // Client -> wire.
        let mut buf = Vec::new();
        if self.client.poll_transmit(self.now, &mut buf).is_some() {
            self.c2s.extend_from_slice(&buf);
            self.to_server.extend(buf);
            progress = true;
        }
        // Server -> wire.
        let mut buf = Vec::new();
        while self.server.poll_transmit(self.now, &mut buf).is_some() {}
        if !buf.is_empty() {
            self.s2c.extend_from_slice(&buf);
            self.to_client.extend(buf);
            progress = true;
        }
        // Wire -> server, while it wants to read.
        if !self.to_server.is_empty() && self.server.wants_read() && !self.server_ready_for_tls {
            let n = self.chunk(self.to_server.len());
            let bytes: Vec<u8> = self.to_server.drain(..n).collect();
            if self.read_into {
                let mut room = self.server.read_buf(n);
                room.extend_from_slice(&bytes);
                self.server.handle_read(self.now, room);
            } else {
                self.server.handle_input(self.now, &bytes);
            }
            progress = true;
        }
        // Wire -> client.
        if !self.to_client.is_empty() && !self.client_wants_tls {
            let n = self.chunk(self.to_client.len());
            let bytes: Vec<u8> = self.to_client.drain(..n).collect();
            if self.read_into {
                let mut room = self.client.read_buf(n);
                room.extend_from_slice(&bytes);
                self.client.handle_read(self.now, room);
            } else {
                self.client.handle_input(self.now, &bytes);
            }
            progress = true;
        }
        while let Some(event) = self.server.poll_event() {
            self.on_server_event(event);
            progress = true;
        }
        while let Some(event) = self.client.poll_event() {
            if let client::Event::StartTls { .. } = event {
                self.client_wants_tls = true;
            }
            self.client_events.push(event);
            progress = true;
        }
        // The TLS handshake, once both sides stopped and the OK crossed.
        if self.client_wants_tls && self.server_ready_for_tls && self.to_client.is_empty() {
            // Plaintext still in flight would be read as TLS by a real
            // handshake; here it is dropped, as TLS would reject it.
            self.to_server.clear();
            self.tls_at = Some((self.c2s.len(), self.s2c.len()));
            self.client_wants_tls = false;
            self.server_ready_for_tls = false;
            self.server
                .tls_established(self.now, Some(self.server_exporter.to_vec()))
                .expect("server expected TLS");
            self.client
                .tls_established(self.now)
                .expect("client expected TLS");
            progress = true;
        }
        progress
    }

    /// Steps until nothing happens (at most 100,000 steps).
    pub fn drive(&mut self) {
        for _ in 0..100_000 {
            if !self.step() {
                return;
            }
        }
        panic!("the pair did not settle");
    }

    /// Jumps to the earliest timer of either side, fires it and drives.
    pub fn advance(&mut self) -> bool {
        let next = match (self.client.poll_timeout(), self.server.poll_timeout()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let Some(at) = next else { return false };
        self.now = self.now.max(at);
        self.client.handle_timeout(self.now);
        self.server.handle_timeout(self.now);
        self.drive();
        true
    }

    /// Moves the clock by `by`, fires what is due on both sides and drives.
    pub fn advance_by(&mut self, by: Duration) {
        self.now += by;
        self.client.handle_timeout(self.now);
        self.server.handle_timeout(self.now);
        self.drive();
    }

    /// Drives until the client's command `handle` completes; returns it.
    pub fn complete(&mut self, handle: imapkit_state::CommandHandle) -> client::Completion {
        for _ in 0..1000 {
            self.drive();
            if let Some(c) = self.client_events.iter().find_map(|e| match e {
                client::Event::Completed(c) if c.handle == handle => Some(c.clone()),
                _ => None,
            }) {
                return *c;
            }
            if !self.advance() {
                break;
            }
        }
        panic!("{handle:?} did not complete: {:#?}", self.client_events);
    }

    /// Logs the client in with LOGIN as alice.
    pub fn login(&mut self) {
        let h = self
            .client
            .login(
                self.now,
                "alice",
                imapkit_proto::Secret::new(PASSWORD.into()),
            )
            .unwrap();
        assert!(self.complete(h).is_ok());
    }

    fn on_server_event(&mut self, event: server::Event) {
        use server::Event as E;
        match event {
            E::LoginAttempt(attempt) => {
                let ok = attempt.identity().authcid == "alice"
                    && matches!(&attempt.credentials().secret,
                        CredentialSecret::Password(p) if p.declassify() == PASSWORD);
                self.server_events.push(format!(
                    "login {}",
                    if ok { "accepted" } else { "rejected" }
                ));
                let verdict = if ok {
                    AuthVerdict::Accept
                } else {
                    AuthVerdict::Reject
                };
                self.server
                    .decide_login(self.now, attempt, verdict)
                    .unwrap();
            }
            E::ScramLookup(lookup) => {
                let secrets = (lookup.identity().authcid == "alice").then(scram_secrets);
                self.server_events.push("scram lookup".into());
                self.server.supply_scram(self.now, lookup, secrets).unwrap();
            }
            E::CommandReceived { request, command } => {
                self.app.commands.push(command.body.name().to_owned());
                if self.app.hold {
                    self.app.pending.push_back((request, command));
                } else {
                    self.answer(request, command);
                }
            }
            E::StartTlsReady => {
                self.server_ready_for_tls = true;
                self.server_events.push("starttls ready".into());
            }
            E::Audit(a) => self.app.audit.push(a.to_string()),
            E::Closed { reason } => self.server_events.push(format!("closed {reason:?}")),
            other => self.server_events.push(format!("{other:?}")),
        }
    }

    /// The application's answer to a command.
    pub fn answer(&mut self, request: server::Request, command: Command<'static>) {
        let now = self.now;
        let data = |line: &str| -> Data<'static> {
            let text = format!("{line}\r\n");
            match imapkit_codec::decode::response(text.as_bytes()) {
                Ok(imapkit_codec::Decoded::Complete {
                    message: imapkit_proto::Response::Data(d),
                    ..
                }) => d.into_static(),
                other => panic!("{line}: {other:?}"),
            }
        };
        let completion = match &command.body {
            CommandBody::Select { .. } | CommandBody::Examine { .. } => {
                let exists = self.app.exists;
                self.server
                    .send_data(now, &request, data(&format!("* {exists} EXISTS")))
                    .unwrap();
                self.server
                    .send_data(now, &request, data("* FLAGS (\\Seen \\Flagged \\Deleted)"))
                    .unwrap();
                Completion::ok_with_code(ResponseCode::UidValidity(42))
            }
            CommandBody::Fetch { .. } => {
                for seq in 1..=self.app.exists {
                    self.server
                        .send_data(
                            now,
                            &request,
                            data(&format!("* {seq} FETCH (UID {seq} FLAGS ())")),
                        )
                        .unwrap();
                }
                Completion::ok()
            }
            CommandBody::Append { .. } => {
                self.app.exists += 1;
                Completion::ok_with_code(ResponseCode::AppendUid {
                    uid_validity: std::num::NonZeroU32::new(42).unwrap(),
                    uids: imapkit_proto::SequenceSet::try_from(
                        self.app.exists.to_string().as_str(),
                    )
                    .unwrap(),
                })
            }
            _ => Completion::ok(),
        };
        self.server
            .respond(now, request, completion)
            .map_err(|u| u.error)
            .unwrap();
    }

    /// The client's completions, in order.
    pub fn completions(&self) -> Vec<client::Completion> {
        self.client_events
            .iter()
            .filter_map(|e| match e {
                client::Event::Completed(c) => Some((**c).clone()),
                _ => None,
            })
            .collect()
    }

    /// Whether a tagged status line with `status` for the client's command
    /// was seen on the wire.
    pub fn server_said(&self, text: &str) -> bool {
        String::from_utf8_lossy(&self.s2c).contains(text)
    }
}
