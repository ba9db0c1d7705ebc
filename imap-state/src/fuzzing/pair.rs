//! The `pair` check: a [`Client`] and a [`Server`] connected in memory, the
//! bytes between them cut in arbitrary chunks, with clock advances, timer
//! firings, connection drops at any point (EOF on one side or both) and a
//! simulated TLS handshake. Each side is watched by its own checker
//! ([`ClientCheck`], [`ServerCheck`]), and the two must agree.
//!
//! # Invariants
//!
//! Those of `client_session` and `server_session` on each side, and:
//!
//! - Each command's outcome: when the client reports a tagged status for a
//!   tag (OK, NO, BAD), the server sent that status for that tag; when it
//!   reports a SASL failure, the server answered the tag; the server
//!   answers each tag at most once. When everything is delivered and
//!   nothing is in flight, every tag the server answered is completed
//!   with that status (IDLE excepted: the refresh timer replaces its tag).
//! - State: when everything is delivered, nothing is in flight on either
//!   side, no decision or TLS handshake is pending and neither side is
//!   closed, the client's session state is the server's, and they agree
//!   on TLS and COMPRESS.
//! - No event of either side, and neither side's `Debug`, shows the
//!   password or the bearer token.
//! - Neither side breaks the protocol as the other sees it: the server
//!   reports no violation of the client, and the client finds no response
//!   malformed, unknown, unexpected or after BYE.
//!
//! # Operations
//!
//! Three setup bytes: the client's (as in `client_session`, bit 0
//! ignored), the server's (as in `server_session`, bits 0 and 1 ignored),
//! and the pair's (bit 0: the connection starts with TLS; bit 1: the
//! server's application answers at once). Then operations by kind (modulo
//! 12):
//!
//! | kind | fields | operation |
//! |---|---|---|
//! | 0 | `which: u8, param: u8` | a client call: enqueue, login, authenticate, idle, idle_done, starttls, compress, logout, close, select_qresync (by `which % 10`) |
//! | 1 | `to_server: u8, to_client: u8` | deliver that many bytes each way (0: all; the server only while it wants to read) |
//! | 2 | `which: u8, status: u8, code: u8, n: u16` | the server's application responds |
//! | 3 | `which: u8, k: u8, a: u8, b: u16` | ... sends data for a command |
//! | 4 | `k: u8, a: u8, b: u16` | ... sends unsolicited data |
//! | 5 | `verdict: u8` | ... decides a login |
//! | 6 | `some: u8` | ... supplies SCRAM secrets |
//! | 7 | `secs: u16` | time passes on both sides |
//! | 8 | `which: u8` | the connection drops: the client sees EOF, the server does, or both |
//! | 9 | | deliver everything until both sides are quiet |
//! | 10 | | the server's application says BYE |
//! | 11 | | the clock jumps to the earliest timer of either side |

use std::collections::{HashMap, HashSet, VecDeque};
use std::num::{NonZeroU32, NonZeroU64};
use std::sync::Arc;
use std::time::{Duration, Instant};

use imapkit_proto::{CommandBody, Mailbox, Status};

use super::client::{
    both, client_config, shows_secret, twin_after, twin_config, Call, ClientCheck,
};
use super::server::{server_config, verdict, ServerCheck};
use super::{vocab, Reader};
use crate::client::{self, Client, Outcome};
use crate::mailbox::{MailboxSnapshot, SelectedMailbox};
use crate::server::{self, Server};
use crate::{CommandHandle, ConnectionSecurity};

/// Runs the operations `data` encodes against a Client and a Server whose
/// clocks start at `epoch`; panics when an invariant breaks.
pub fn pair(epoch: Instant, data: &[u8]) {
    let mut r = Reader::new(data);
    let (c_setup, s_setup, p_setup) = (r.u8(), r.u8(), r.u8());
    let security = if p_setup & 1 != 0 {
        ConnectionSecurity::Tls
    } else {
        ConnectionSecurity::Plaintext
    };
    let client_config = client_config(c_setup);
    let server_config = Arc::new(server_config(s_setup));
    let mut ccheck = ClientCheck::new(&client_config);
    ccheck.secrets = true;
    let mut scheck = ServerCheck::new(&server_config, false, false, p_setup & 2 != 0);
    scheck.secrets = true;
    let twin = Client::new(Arc::new(twin_config(&client_config)), epoch, security);
    let mut p = Pair {
        ccheck,
        client: Client::new(Arc::new(client_config), epoch, security),
        twin,
        scheck,
        server: Server::new(server_config, epoch, security),
        now: epoch,
        to_server: VecDeque::new(),
        to_client: VecDeque::new(),
        client_eof: false,
        server_eof: false,
        logouts: HashSet::new(),
    };
    p.settle(Call::Other);
    while let Some(kind) = r.next_op(12) {
        p.op(kind, &mut r);
        p.agree();
    }
    p.finish();
}

struct Pair {
    client: Client,
    /// The same client under another `max_queued_events`, fed the same
    /// calls and the same bytes: it must produce the same events and bytes.
    twin: Client,
    server: Server,
    ccheck: ClientCheck,
    scheck: ServerCheck,
    now: Instant,
    /// Bytes on their way to the server and to the client.
    to_server: VecDeque<u8>,
    to_client: VecDeque<u8>,
    /// The client saw EOF (nothing more reaches it), and the server.
    client_eof: bool,
    server_eof: bool,
    /// LOGOUT commands: they end OK when the connection ends.
    logouts: HashSet<CommandHandle>,
}

impl Pair {
    fn op(&mut self, kind: u8, r: &mut Reader<'_>) {
        let now = self.now;
        match kind {
            0 => {
                let (which, param) = (r.u8(), r.u8());
                self.client_call(which, param);
            }
            1 => {
                let (a, b) = (r.u8(), r.u8());
                self.deliver(usize::from(a), usize::from(b));
            }
            2 => {
                let (which, status, code, n) = (r.u8(), r.u8(), r.u8(), r.u16());
                let completion = vocab::completion(status, code, n);
                self.scheck
                    .respond(&mut self.server, now, usize::from(which), completion);
                self.settle(Call::Other);
            }
            3 => {
                let (which, k, a, b) = (r.u8(), r.u8(), r.u8(), r.u16());
                let data = vocab::data(usize::from(k), a, b);
                self.scheck
                    .send_data(&mut self.server, now, usize::from(which), data);
                self.settle(Call::Other);
            }
            4 => {
                let (k, a, b) = (r.u8(), r.u8(), r.u16());
                let data = vocab::data(usize::from(k), a, b);
                self.scheck.unsolicited(&mut self.server, now, data);
                self.settle(Call::Other);
            }
            5 => {
                let verdict = verdict(r.u8());
                self.scheck.decide(&mut self.server, now, Some(verdict));
                self.settle(Call::Other);
            }
            6 => {
                let some = r.u8() & 1 != 0;
                self.scheck.supply(&mut self.server, now, some);
                self.settle(Call::Other);
            }
            7 => {
                let secs = r.u16();
                self.now += Duration::from_secs(u64::from(secs));
                self.timers();
            }
            8 => match r.u8() % 3 {
                0 => self.client_sees_eof(),
                1 => self.server_sees_eof(),
                _ => {
                    self.client_sees_eof();
                    self.server_sees_eof();
                }
            },
            9 => self.drive(),
            10 => {
                self.scheck.bye(&mut self.server, now);
                self.settle(Call::Other);
            }
            _ => {
                let next = match (self.client.poll_timeout(), self.server.poll_timeout()) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                if let Some(at) = next {
                    self.now = self.now.max(at);
                }
                self.timers();
            }
        }
    }

    fn client_call(&mut self, which: u8, param: u8) {
        let now = self.now;
        let result =
            match which % 10 {
                0 => {
                    let body = vocab::command(usize::from(param));
                    let logout = matches!(body, CommandBody::Logout);
                    let h = self.both(|c| c.enqueue(now, body.clone()));
                    if let (true, Ok(h)) = (logout, &h) {
                        self.logouts.insert(*h);
                    }
                    Some(h)
                }
                1 => Some(self.both(|c| {
                    let (user, password) = vocab::login(usize::from(param));
                    c.login(now, user, password)
                })),
                2 => Some(
                    self.both(|c| c.authenticate(now, vocab::client_mechanism(usize::from(param)))),
                ),
                3 => Some(self.both(|c| c.idle(now))),
                4 => {
                    let _ = self.both(|c| c.idle_done(now));
                    None
                }
                5 => Some(self.both(|c| c.starttls(now))),
                6 => Some(self.both(|c| c.compress(now))),
                7 => {
                    let h = self.both(|c| c.logout(now));
                    if let Ok(h) = &h {
                        self.logouts.insert(*h);
                    }
                    Some(h)
                }
                8 => {
                    self.both(Client::close);
                    None
                }
                _ => {
                    let snapshot = self
                        .client
                        .mailbox()
                        .and_then(SelectedMailbox::snapshot)
                        .unwrap_or_else(|| {
                            MailboxSnapshot::new(NonZeroU32::MIN, NonZeroU64::MIN, [1..=3])
                        });
                    let read_only = param & 1 != 0;
                    Some(self.both(|c| {
                        c.select_qresync(now, Mailbox::Inbox, snapshot.clone(), read_only)
                    }))
                }
            };
        if let Some(Ok(h)) = result {
            assert!(self.ccheck.returned.insert(h), "{h:?} returned twice");
        }
        self.settle(Call::Other);
    }

    /// Makes the call `f` on the client and on its twin (see [`both`]).
    fn both<T: std::fmt::Debug>(&mut self, f: impl Fn(&mut Client) -> T) -> T {
        both(&mut self.client, &mut self.twin, f)
    }

    /// Delivers up to `to_server` and `to_client` bytes (0: all).
    fn deliver(&mut self, to_server: usize, to_client: usize) -> bool {
        let mut moved = false;
        let n = if to_server == 0 {
            usize::MAX
        } else {
            to_server
        };
        let n = n.min(self.to_server.len());
        if n > 0 && self.server.wants_read() && !self.server_eof {
            let chunk: Vec<u8> = self.to_server.drain(..n).collect();
            // Odd-sized reads are made into the session's own buffer.
            super::server_read(&mut self.server, self.now, &chunk, n % 2 == 1);
            self.settle_server();
            moved = true;
        }
        let n = if to_client == 0 {
            usize::MAX
        } else {
            to_client
        };
        let n = n.min(self.to_client.len());
        if n > 0 && !self.client_eof {
            let chunk: Vec<u8> = self.to_client.drain(..n).collect();
            super::client_read(&mut self.client, self.now, &chunk, n % 2 == 1);
            super::client_read(&mut self.twin, self.now, &chunk, n % 2 == 1);
            self.settle(Call::Input(chunk.len()));
            moved = true;
        }
        self.settle(Call::Other);
        moved
    }

    /// Delivers everything until both sides are quiet.
    fn drive(&mut self) {
        // Bounded: a session that keeps talking is left to later operations.
        for _ in 0..256 {
            if !self.deliver(0, 0) {
                return;
            }
        }
    }

    fn timers(&mut self) {
        let now = self.now;
        self.both(|c| c.handle_timeout(now));
        self.settle(Call::Other);
        self.server.handle_timeout(self.now);
        self.settle_server();
        self.settle(Call::Other);
    }

    fn client_sees_eof(&mut self) {
        self.client_eof = true;
        self.to_client.clear();
        let now = self.now;
        self.both(|c| c.handle_eof(now));
        self.settle(Call::Other);
    }

    fn server_sees_eof(&mut self) {
        self.server_eof = true;
        self.to_server.clear();
        self.server.handle_eof(self.now);
        self.settle_server();
        self.settle(Call::Other);
    }

    /// Checks the server after a call and moves its output to the wire.
    fn settle_server(&mut self) {
        self.scheck.after(&mut self.server, self.now);
        if self.scheck.auto {
            self.scheck.answer_all(&mut self.server, self.now);
        }
        let bytes = std::mem::take(&mut self.scheck.outbox);
        if !self.client_eof {
            self.to_client.extend(bytes);
        }
    }

    /// Checks the client after `call` (and the server), moves both outputs
    /// to the wire, runs the TLS handshake when both sides wait for it.
    fn settle(&mut self, call: Call) {
        let twin = twin_after(&mut self.twin, self.now);
        let out = self.ccheck.after(&mut self.client, self.now, call);
        assert_eq!(
            out, twin,
            "the event limit changed what the application saw"
        );
        assert_eq!(self.client.state(), self.twin.state());
        if !self.server_eof {
            self.to_server.extend(out.bytes);
        }
        self.settle_server();
        self.check_outcomes();
        let handshake = self.ccheck.window
            && !self.ccheck.closed
            && self.scheck.window.is_some()
            && !self.scheck.closed
            && self.to_client.is_empty()
            && self.server.output_len() == 0;
        if handshake {
            // Plaintext still on its way would fail the TLS handshake.
            self.to_server.clear();
            let upgraded = self
                .scheck
                .tls_established(&mut self.server, self.now, true);
            assert!(upgraded, "the server refused TLS in its window");
            let now = self.now;
            let ok = self.both(|c| c.tls_established(now)).is_ok();
            assert!(ok, "the client refused TLS in its window");
            let twin = twin_after(&mut self.twin, self.now);
            let out = self
                .ccheck
                .after(&mut self.client, self.now, Call::TlsEstablished(ok));
            assert_eq!(
                out, twin,
                "the event limit changed what the application saw"
            );
            self.to_server.extend(out.bytes);
            self.settle_server();
        }
        self.no_secrets();
        self.no_violations();
    }

    /// Neither side breaks the protocol as the other sees it: the server
    /// never reports our client (whose bytes are never cut mid-command:
    /// drops cut whole reads), and the client never finds our server's
    /// responses malformed or out of order (what the application sends,
    /// such as data for no selected mailbox, is the application's).
    fn no_violations(&self) {
        assert!(
            self.scheck.violations.is_empty(),
            "the server found the client at fault: {:?}",
            self.scheck.violations
        );
        use crate::error::ViolationKind as V;
        let server_faults: Vec<_> = self
            .ccheck
            .violations
            .iter()
            .filter(|v| {
                matches!(
                    v.kind,
                    V::Framing(_)
                        | V::Syntax { .. }
                        | V::NotAGreeting
                        | V::UnknownTag
                        | V::UnexpectedContinuation
                        | V::BadChallenge
                        | V::AfterBye
                )
            })
            .collect();
        assert!(
            server_faults.is_empty(),
            "the client found the server at fault: {server_faults:?}"
        );
    }

    /// The statuses the client reports are those the server sent.
    fn check_outcomes(&self) {
        let mut answered: HashMap<&[u8], Status> = HashMap::new();
        for (tag, status) in self.scheck.wire.tagged() {
            let again = answered.insert(tag, status);
            assert!(
                again.is_none(),
                "the server answered {:?} twice",
                String::from_utf8_lossy(tag)
            );
        }
        for c in self.ccheck.completed.values() {
            let Some(tag) = &c.tag else { continue };
            let sent = answered.get(tag.as_bytes()).copied();
            let expected = match c.outcome {
                Outcome::Ok if self.logouts.contains(&c.handle) => continue,
                Outcome::Ok => Status::Ok,
                Outcome::No => Status::No,
                Outcome::Bad => Status::Bad,
                Outcome::Sasl(_) => {
                    assert!(sent.is_some(), "{tag:?} failed in SASL, never answered");
                    continue;
                }
                _ => continue,
            };
            assert_eq!(
                sent,
                Some(expected),
                "the client completed {tag:?} as {:?}",
                c.outcome
            );
        }
    }

    /// When everything is delivered and nothing is pending, both sides
    /// agree on the state and on every answered tag.
    fn agree(&mut self) {
        let quiet = !self.ccheck.closed
            && !self.scheck.closed
            && !self.client_eof
            && !self.server_eof
            && self.to_server.is_empty()
            && self.to_client.is_empty()
            && self.client.pending() == 0
            && self.server.in_flight() == 0
            && self.scheck.app.is_empty()
            && !self.ccheck.window
            && self.scheck.window.is_none()
            && self.server.output_len() == 0;
        if !quiet {
            return;
        }
        use client::SessionState as C;
        use server::SessionState as S;
        let client = self.client.state();
        let server = self.server.state();
        let same = matches!(
            (client, server),
            (C::NotAuthenticated, S::NotAuthenticated)
                | (C::Authenticated, S::Authenticated)
                | (C::Selected, S::Selected)
        );
        assert!(same, "the client is {client:?}, the server {server:?}");
        assert_eq!(
            self.client.security(),
            self.server.security(),
            "TLS differs"
        );
        assert_eq!(
            self.client.is_compressed(),
            self.server.compression_active(),
            "COMPRESS differs"
        );
        let tags: HashMap<&[u8], CommandHandle> = self
            .ccheck
            .sent
            .iter()
            .map(|(h, t)| (t.as_bytes(), *h))
            .collect();
        for (tag, status) in self.scheck.wire.tagged() {
            let Some(h) = tags.get(tag) else { continue };
            if self.ccheck.idles.contains(h) {
                continue;
            }
            let c = self.ccheck.completed.get(h);
            let agrees = match c.map(|c| &c.outcome) {
                Some(Outcome::Ok) => status == Status::Ok,
                Some(Outcome::No) => status == Status::No,
                Some(Outcome::Bad) => status == Status::Bad,
                Some(Outcome::Sasl(_)) => true,
                _ => false,
            };
            assert!(
                agrees,
                "the server answered {:?} {status:?}, the client has {c:?}",
                String::from_utf8_lossy(tag)
            );
        }
    }

    /// Neither side's `Debug` shows a credential.
    fn no_secrets(&self) {
        for shown in [format!("{:?}", self.client), format!("{:?}", self.server)] {
            assert!(!shows_secret(&shown), "a credential in Debug output");
        }
    }

    /// Closes both ends; every command has completed.
    fn finish(&mut self) {
        self.client_sees_eof();
        self.server_sees_eof();
        assert!(
            self.ccheck.closed && self.scheck.closed,
            "EOF did not close both sides"
        );
    }
}
