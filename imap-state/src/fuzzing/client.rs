//! The `client_session` check: a [`Client`] fed arbitrary server bytes in
//! arbitrary chunks, between arbitrary calls of its API, on a simulated
//! clock. [`ClientCheck`] watches every call's output and events; the
//! `pair` check uses it too.
//!
//! # Invariants
//!
//! - No panic, whatever the server sends or the application calls.
//! - Every command completes at most once; a command sent (`CommandSent`)
//!   is completed with its tag; one never sent completes as `NotSent` or
//!   closed; `Closed` comes once and last, and then every handle the API
//!   ever returned has completed, nothing is pending, no timer is armed.
//! - Nothing is transmitted after `Closed`, after `* BYE` (in the call
//!   that received it and later), or between the STARTTLS OK
//!   (`Event::StartTls`) and `tls_established` (in the call that received
//!   the OK, the output ends with the STARTTLS command it answers).
//! - Between the STARTTLS OK and `tls_established` nothing received is
//!   consumed: each input yields exactly one `InjectionDiscarded` with its
//!   length and nothing else; the only other events allowed are local
//!   completions (closed, timed out, not sent) and `Closed`. The
//!   capabilities learned in plaintext are forgotten. `tls_established`
//!   succeeds exactly inside that window.
//! - `[ALERT]` and `[REFERRAL]` are trusted exactly when TLS is up.
//! - A streamed literal's chunks add up to its announced length, each at
//!   most `stream_chunk` bytes.
//! - The mailbox model stays consistent: `exists() == uids().len()`,
//!   sequence numbers contiguous from 1, known UIDs strictly increasing
//!   with room for the unknown ones between them; `Selected` has a model.
//! - The input buffered stays within the framer's limits.
//! - `wants_read` is true once every event is taken (outside the STARTTLS
//!   window).
//! - A repeated `handle_timeout` at the same instant does nothing.
//!
//! # Operations
//!
//! A setup byte (bit 0: implicit TLS; bits 1-2: STARTTLS policy
//! Required, Opportunistic, Never, or Never with at most 2 events queued
//! before input is held (`max_queued_events`); bit 3: plaintext credentials allowed;
//! bit 4: no automatic CAPABILITY; bit 5: no command timeout; bit 6:
//! stream literals above 64 bytes in 32-byte chunks; bit 7: lenient LF),
//! then operations by kind (modulo 17). Tags are `a1`, `a2`, ... as in
//! the recorded Dovecot sessions.
//!
//! | kind | fields | operation |
//! |---|---|---|
//! | 0 | `cut: u8`, bytes | server bytes, in chunks of `cut & 0x7f` (0: whole); compressed once COMPRESS is active unless `cut & 0x80` |
//! | 1 | `which: u8, status: u8, code: u8, n: u16` | tagged answer (OK/NO/BAD, a response code) to the `which`-th command in flight |
//! | 2 | `which: u8, a: u8, b: u16` | a server response from the vocabulary |
//! | 3 | `which: u8` | `enqueue` a command from the vocabulary |
//! | 4 | `which: u8` | `login` |
//! | 5 | `which: u8` | `authenticate` with one of the library's mechanisms |
//! | 6 | | `idle` |
//! | 7 | | `idle_done` |
//! | 8 | | `starttls` |
//! | 9 | | `tls_established` |
//! | 10 | | `compress` |
//! | 11 | | `logout` |
//! | 12 | | `close` |
//! | 13 | | `handle_eof` |
//! | 14 | `secs: u16` | time passes (0: to the next timeout), `handle_timeout` twice |
//! | 15 | `read_only: u8` | `select_qresync` with the model's snapshot (or a made-up one) |
//! | 16 | bytes | `enqueue` the command these bytes are (without tag and CRLF), if the codec decodes it |

use std::collections::{HashMap, HashSet};
use std::num::{NonZeroU32, NonZeroU64};
use std::sync::Arc;
use std::time::Instant;

use flate2::{Compress, Compression, FlushCompress};
use imapkit_codec::framer::{Direction, FramerConfig};
use imapkit_codec::{decode, Decoded};
use imapkit_proto::{IntoStatic, Mailbox, Tag};

use super::{vocab, Reader};
use crate::client::{
    Client, ClientConfig, Completion, Event, Outcome, SessionState, StartTlsPolicy,
};
use crate::error::UsageError;
use crate::mailbox::{MailboxSnapshot, SelectedMailbox};
use crate::{CommandHandle, ConnectionSecurity};

/// Runs the operations `data` encodes against a [`Client`] whose clock
/// starts at `epoch`; panics when an invariant breaks.
pub fn client_session(epoch: Instant, data: &[u8]) {
    let mut r = Reader::new(data);
    let setup = r.u8();
    let config = client_config(setup);
    let security = if setup & 1 != 0 {
        ConnectionSecurity::Tls
    } else {
        ConnectionSecurity::Plaintext
    };
    let twin_config = twin_config(&config);
    let mut s = Session {
        check: ClientCheck::new(&config),
        client: Client::new(Arc::new(config), epoch, security),
        twin: Client::new(Arc::new(twin_config), epoch, security),
        now: epoch,
        deflate: None,
    };
    s.after(Call::Other);
    while let Some(kind) = r.next_op(17) {
        s.op(kind, &mut r);
    }
    s.finish();
}

/// The client's configuration from the setup byte, with small limits.
pub(super) fn client_config(setup: u8) -> ClientConfig {
    let mut config = ClientConfig::default();
    "a".clone_into(&mut config.tag_prefix);
    config.starttls = match (setup >> 1) & 3 {
        0 => StartTlsPolicy::Required,
        1 => StartTlsPolicy::Opportunistic,
        _ => StartTlsPolicy::Never,
    };
    if (setup >> 1) & 3 == 3 {
        // Input held for a full event queue, read as the events are taken.
        config.max_queued_events = 2;
    }
    config.allow_plaintext_credentials = setup & 8 != 0;
    config.auto_capability = setup & 16 == 0;
    if setup & 32 != 0 {
        config.command_timeout = None;
    }
    let mut framer = FramerConfig::new(Direction::ServerToClient);
    framer.max_line = 2048;
    framer.max_literal = 4096;
    framer.max_message = 8192;
    framer.max_depth = 16;
    framer.max_list_items = 256;
    if setup & 64 != 0 {
        framer.stream_literals_above = Some(64);
        framer.stream_chunk = 32;
    }
    framer.lenient_lf = setup & 128 != 0;
    config.framer = framer;
    config
}

/// The twin's configuration: the same but for the event limit (1, or the
/// default when the setup chose 2). A twin is fed the same calls as the
/// client under test; what the application sees must not depend on the
/// limit.
pub(super) fn twin_config(config: &ClientConfig) -> ClientConfig {
    let mut twin = config.clone();
    twin.max_queued_events = if config.max_queued_events == 2 {
        ClientConfig::default().max_queued_events
    } else {
        1
    };
    twin
}

/// What a twin client gives after a call, as the contract says to take
/// it (the events, then the bytes), to compare with the [`Quiet`] of the
/// client under test.
pub(super) fn twin_after(twin: &mut Client, now: Instant) -> Quiet {
    let mut quiet = Quiet::default();
    while let Some(e) = twin.poll_event() {
        assert!(quiet.events.len() < 1_000_000, "events without end");
        quiet.events.push(format!("{e:?}"));
    }
    let _ = twin.poll_transmit(now, &mut quiet.bytes);
    quiet
}

/// Makes the call `f` on `client` and on its twin; the client's result
/// (the twin's must look the same).
pub(super) fn both<T: std::fmt::Debug>(
    client: &mut Client,
    twin: &mut Client,
    f: impl Fn(&mut Client) -> T,
) -> T {
    let out = f(client);
    let other = f(twin);
    assert_eq!(
        format!("{out:?}"),
        format!("{other:?}"),
        "the event limit changed a call's result"
    );
    out
}

/// The client under test, its twin, its clock and its checker.
struct Session {
    client: Client,
    /// The same client under another `max_queued_events`: every call is
    /// made on both, and they must produce the same events and bytes.
    twin: Client,
    now: Instant,
    check: ClientCheck,
    /// The server's DEFLATE stream once COMPRESS is active.
    deflate: Option<Compress>,
}

impl Session {
    fn op(&mut self, kind: u8, r: &mut Reader<'_>) {
        let now = self.now;
        match kind {
            0 => {
                let cut = r.u8();
                let bytes = r.bytes();
                self.server(bytes, cut);
            }
            1 => {
                let (which, status, code, n) = (r.u8(), r.u8(), r.u8(), r.u16());
                let tag = match self.check.open.as_slice() {
                    [] => "A1".to_owned(),
                    open => open[usize::from(which) % open.len()].1.as_str().to_owned(),
                };
                let status = ["OK", "NO", "BAD"][usize::from(status % 3)];
                let code = vocab::code(usize::from(code), n);
                let line = format!("{tag} {status} {code}done\r\n");
                self.server(line.as_bytes(), 0);
            }
            2 => {
                let (which, a, b) = (r.u8(), r.u8(), r.u16());
                let line = vocab::server_response(usize::from(which), a, b);
                self.server(&line, 0);
            }
            3 => {
                let body = vocab::command(r.pick(vocab::command_count()));
                let h = self.both(|c| c.enqueue(now, body.clone()));
                self.returned(h);
            }
            4 => {
                let k = usize::from(r.u8());
                let h = self.both(|c| {
                    let (user, password) = vocab::login(k);
                    c.login(now, user, password)
                });
                self.returned(h);
            }
            5 => {
                let k = usize::from(r.u8());
                let h = self.both(|c| c.authenticate(now, vocab::client_mechanism(k)));
                self.returned(h);
            }
            6 => {
                let h = self.both(|c| c.idle(now));
                self.returned(h);
            }
            7 => {
                let _ = self.both(|c| c.idle_done(now));
                self.after(Call::Other);
            }
            8 => {
                let h = self.both(|c| c.starttls(now));
                self.returned(h);
            }
            9 => {
                let ok = self.both(|c| c.tls_established(now)).is_ok();
                self.after(Call::TlsEstablished(ok));
            }
            10 => {
                let h = self.both(|c| c.compress(now));
                self.returned(h);
            }
            11 => {
                let h = self.both(|c| c.logout(now));
                self.returned(h);
            }
            12 => {
                self.both(Client::close);
                self.after(Call::Other);
            }
            13 => {
                self.both(|c| c.handle_eof(now));
                self.after(Call::Other);
            }
            14 => {
                self.now = r.later(self.now, self.client.poll_timeout());
                let later = self.now;
                self.both(|c| c.handle_timeout(later));
                self.after(Call::Other);
                // An early or repeated call does nothing.
                self.both(|c| c.handle_timeout(later));
                let again = self.after(Call::Other);
                assert_eq!(again, Quiet::default(), "a repeated handle_timeout acted");
            }
            15 => {
                let read_only = r.u8() & 1 != 0;
                let snapshot = self
                    .client
                    .mailbox()
                    .and_then(SelectedMailbox::snapshot)
                    .unwrap_or_else(|| {
                        MailboxSnapshot::new(NonZeroU32::MIN, NonZeroU64::MIN, [1..=3, 7..=9])
                    });
                let h = self
                    .both(|c| c.select_qresync(now, Mailbox::Inbox, snapshot.clone(), read_only));
                self.returned(h);
            }
            _ => {
                let line = [b"x ", r.bytes(), b"\r\n"].concat();
                if let Ok(Decoded::Complete { message, .. }) = decode::command(&line) {
                    let body = message.body.into_static();
                    let h = self.both(|c| c.enqueue(now, body.clone()));
                    self.returned(h);
                }
            }
        }
    }

    /// The server sends `bytes`, cut in chunks of `cut & 0x7f` bytes.
    fn server(&mut self, bytes: &[u8], cut: u8) {
        let wire = match &mut self.deflate {
            Some(d) if cut & 0x80 == 0 => deflate(d, bytes),
            _ => bytes.to_vec(),
        };
        let size = match usize::from(cut & 0x7f) {
            0 => wire.len().max(1),
            n => n,
        };
        for (k, chunk) in wire.chunks(size).enumerate() {
            // Every other read is made into the client's own buffer.
            super::client_read(&mut self.client, self.now, chunk, k % 2 == 1);
            super::client_read(&mut self.twin, self.now, chunk, k % 2 == 1);
            self.after(Call::Input(chunk.len()));
        }
    }

    fn returned(&mut self, result: Result<CommandHandle, UsageError>) {
        if let Ok(h) = result {
            assert!(self.check.returned.insert(h), "handle {h:?} returned twice");
            assert!(
                !self.check.completed.contains_key(&h),
                "a new handle {h:?} was completed before it was returned"
            );
        }
        self.after(Call::Other);
    }

    /// Makes the call `f` on the client and on its twin (see [`both`]).
    fn both<T: std::fmt::Debug>(&mut self, f: impl Fn(&mut Client) -> T) -> T {
        both(&mut self.client, &mut self.twin, f)
    }

    fn after(&mut self, call: Call) -> Quiet {
        let twin = twin_after(&mut self.twin, self.now);
        let quiet = self.check.after(&mut self.client, self.now, call);
        assert_eq!(
            quiet, twin,
            "the event limit changed what the application saw"
        );
        assert_eq!(self.client.state(), self.twin.state());
        if self.check.compressed && self.deflate.is_none() {
            self.deflate = Some(Compress::new(Compression::fast(), false));
        }
        quiet
    }

    /// Ends the session: afterwards every handle has completed.
    fn finish(&mut self) {
        self.both(Client::close);
        self.after(Call::Other);
        assert!(self.check.closed, "close() did not end with Closed");
    }
}

/// Compresses `plain` onto the server's DEFLATE stream (sync flush).
pub(super) fn deflate(d: &mut Compress, plain: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(plain.len() + 64);
    let start = d.total_in();
    loop {
        let used = (d.total_in() - start) as usize;
        out.reserve(plain.len() - used + 64);
        // Compressing into spare capacity with a valid flush cannot fail.
        let _ = d.compress_vec(&plain[used..], &mut out, FlushCompress::Sync);
        if (d.total_in() - start) as usize == plain.len() && out.len() < out.capacity() {
            return out;
        }
    }
}

/// What the call just made was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Call {
    /// `handle_input` with this many bytes.
    Input(usize),
    /// `tls_established`, and whether it succeeded.
    TlsEstablished(bool),
    /// Any other call.
    Other,
}

/// What one call produced.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Quiet {
    /// Bytes transmitted.
    pub(super) bytes: Vec<u8>,
    /// The events, as `Debug` shows them.
    pub(super) events: Vec<String>,
}

/// Watches a [`Client`] from outside: its output and events after each call.
pub(super) struct ClientCheck {
    stream_chunk: usize,
    max_buffered: usize,
    /// Handles the API returned.
    pub(super) returned: HashSet<CommandHandle>,
    /// Commands sent, with their tags.
    pub(super) sent: HashMap<CommandHandle, Tag<'static>>,
    /// Completions by handle.
    pub(super) completed: HashMap<CommandHandle, Completion>,
    /// Commands sent and not completed, in order.
    pub(super) open: Vec<(CommandHandle, Tag<'static>)>,
    /// IDLE commands the server accepted: the refresh timer may replace
    /// their tag (the handle stays).
    pub(super) idles: HashSet<CommandHandle>,
    greeted: bool,
    pub(super) closed: bool,
    pub(super) bye: bool,
    /// Between `Event::StartTls` and `tls_established`.
    pub(super) window: bool,
    /// The tag of the STARTTLS that opened the window.
    starttls: Option<Tag<'static>>,
    pub(super) compressed: bool,
    /// Check that no event shows the password or the token (when the
    /// server is one that never echoes them).
    pub(super) secrets: bool,
    /// The violations the client reported.
    pub(super) violations: Vec<crate::error::PeerViolation>,
    /// A streamed literal: its length and the bytes seen.
    literal: Option<(u64, u64)>,
}

impl ClientCheck {
    pub(super) fn new(config: &ClientConfig) -> Self {
        let f = &config.framer;
        let streaming = f.stream_literals_above.map_or(0, |_| f.stream_chunk.max(1));
        Self {
            stream_chunk: f.stream_chunk.max(1),
            max_buffered: f.max_message + f.max_line + 2 + streaming,
            returned: HashSet::new(),
            sent: HashMap::new(),
            completed: HashMap::new(),
            open: Vec::new(),
            idles: HashSet::new(),
            greeted: false,
            closed: false,
            bye: false,
            window: false,
            starttls: None,
            compressed: false,
            secrets: false,
            violations: Vec::new(),
            literal: None,
        }
    }

    /// Drains what `client` has after `call` and checks it.
    pub(super) fn after(&mut self, client: &mut Client, now: Instant, call: Call) -> Quiet {
        let (was_closed, was_bye, was_window) = (self.closed, self.bye, self.window);
        if let Call::TlsEstablished(ok) = call {
            assert_eq!(
                ok,
                was_window && !was_closed,
                "tls_established succeeded outside the STARTTLS window, or failed inside it"
            );
            if ok {
                self.window = false;
            }
        }
        // The calling contract's order: the events (taking them may read
        // input held and queue bytes), then the bytes to send.
        let mut events = Vec::new();
        while let Some(e) = client.poll_event() {
            assert!(events.len() < 1_000_000, "events without end");
            events.push(e);
        }
        let mut bytes = Vec::new();
        let _ = client.poll_transmit(now, &mut bytes);
        if let (Call::Input(n), true, false) = (call, was_window, was_closed) {
            assert!(
                matches!(events.as_slice(), [Event::InjectionDiscarded { bytes }] if *bytes == n),
                "input between the STARTTLS OK and TLS was consumed: {events:?}"
            );
        }
        let security = client.security();
        for e in &events {
            self.event(e, security);
        }
        let stopped = was_closed || was_bye || self.closed || self.bye;
        let shown = || bytes.escape_ascii().to_string();
        assert!(
            bytes.is_empty() || !stopped,
            "transmitted {:?} after Closed or BYE",
            shown()
        );
        if self.window && call != Call::TlsEstablished(true) && !bytes.is_empty() {
            // The OK arrived in this call: what went out was queued before
            // it, and ends with the STARTTLS command it answered.
            let starttls = self
                .starttls
                .as_ref()
                .map(|t| format!("{} STARTTLS\r\n", t.as_str()));
            assert!(
                !was_window && starttls.is_some_and(|s| bytes.ends_with(s.as_bytes())),
                "transmitted {:?} after the STARTTLS OK",
                shown()
            );
        }
        self.state(client);
        Quiet {
            bytes,
            events: events.iter().map(|e| format!("{e:?}")).collect(),
        }
    }

    /// Checks one event in order.
    fn event(&mut self, e: &Event, security: ConnectionSecurity) {
        assert!(!self.closed, "an event after Closed: {e:?}");
        if self.secrets {
            assert!(!shows_secret(&format!("{e:?}")), "a credential in an event");
        }
        if self.window {
            let local = match e {
                Event::InjectionDiscarded { .. } | Event::Closed { .. } => true,
                Event::Completed(c) => matches!(
                    c.outcome,
                    Outcome::ConnectionClosed | Outcome::TimedOut | Outcome::NotSent(_)
                ),
                _ => false,
            };
            assert!(local, "{e:?} between the STARTTLS OK and TLS");
        }
        let tls = security == ConnectionSecurity::Tls;
        match e {
            Event::Greeting(_) => {
                assert!(!self.greeted, "a second greeting");
                self.greeted = true;
            }
            Event::CommandSent { handle, tag } => {
                assert!(
                    !self.completed.contains_key(handle),
                    "{handle:?} sent after it completed"
                );
                if let Some(old) = self.sent.insert(*handle, tag.clone()) {
                    // The refresh timer's new IDLE: the same handle under
                    // a new tag, said again.
                    assert!(self.idles.contains(handle), "{handle:?} sent twice");
                    assert_ne!(old, *tag, "{handle:?} restarted under its old tag");
                    self.open.retain(|(o, _)| o != handle);
                }
                self.open.push((*handle, tag.clone()));
            }
            Event::Completed(c) => self.completion(c),
            Event::IdleStarted { handle } | Event::IdleRefreshed { handle } => {
                assert!(
                    self.sent.contains_key(handle) && !self.completed.contains_key(handle),
                    "IDLE event of {handle:?}, not in flight"
                );
                self.idles.insert(*handle);
            }
            Event::StartTls { handle } => {
                assert!(
                    self.completed.get(handle).is_some_and(Completion::is_ok),
                    "StartTls without the STARTTLS OK"
                );
                self.window = true;
                self.starttls = self.sent.get(handle).cloned();
            }
            Event::CompressionActive { handle } => {
                assert!(!self.compressed, "COMPRESS became active twice");
                assert!(self.sent.contains_key(handle), "COMPRESS never sent");
                self.compressed = true;
            }
            Event::Alert { trusted, .. } | Event::Referral { trusted, .. } => {
                assert_eq!(*trusted, tls, "{e:?} trusted on the wrong connection");
            }
            Event::LiteralStart { len, .. } => {
                assert!(self.literal.is_none(), "a literal inside a literal");
                self.literal = Some((*len, 0));
            }
            Event::LiteralChunk(chunk) => {
                let Some((len, got)) = &mut self.literal else {
                    panic!("a literal chunk outside a literal");
                };
                assert!(
                    !chunk.is_empty() && chunk.len() <= self.stream_chunk,
                    "a literal chunk of {} bytes",
                    chunk.len()
                );
                *got += chunk.len() as u64;
                assert!(*got <= *len, "more literal data than announced");
            }
            Event::LiteralEnd => {
                let literal = self.literal.take();
                assert!(
                    matches!(literal, Some((len, got)) if len == got),
                    "a literal ended at {literal:?}"
                );
            }
            Event::Violation(v) => self.violations.push(v.clone()),
            Event::Bye { .. } => self.bye = true,
            Event::Closed { .. } => self.closed = true,
            _ => {}
        }
    }

    fn completion(&mut self, c: &Completion) {
        let h = c.handle;
        assert!(
            self.completed.insert(h, c.clone()).is_none(),
            "{h:?} completed twice"
        );
        self.open.retain(|(o, _)| *o != h);
        match (self.sent.get(&h), &c.tag) {
            (Some(sent), Some(tag)) => {
                assert!(sent == tag, "{h:?} sent as {sent:?} completed as {tag:?}")
            }
            (None, None) => assert!(
                matches!(c.outcome, Outcome::NotSent(_)),
                "{h:?} never sent completed as {:?}",
                c.outcome
            ),
            (sent, tag) => panic!("{h:?} sent as {sent:?} completed with tag {tag:?}"),
        }
    }

    /// Checks the client's state after a call.
    fn state(&mut self, client: &Client) {
        if self.closed {
            assert_eq!(client.state(), SessionState::Closed);
            assert_eq!(client.pending(), 0, "commands pending after Closed");
            assert_eq!(client.poll_timeout(), None, "a timer armed after Closed");
            let missing: Vec<_> = self
                .returned
                .iter()
                .filter(|h| !self.completed.contains_key(h))
                .collect();
            assert!(missing.is_empty(), "never completed: {missing:?}");
            return;
        }
        assert_ne!(
            client.state(),
            SessionState::Closed,
            "closed without Closed"
        );
        if self.window {
            assert!(
                !client.capabilities().known(),
                "capabilities learned in plaintext survive STARTTLS"
            );
        }
        assert!(
            client.wants_read() || self.window,
            "wants_read false with every event taken"
        );
        if client.state() == SessionState::Selected {
            assert!(client.mailbox().is_some(), "selected without a model");
        }
        if let Some(m) = client.mailbox() {
            check_mailbox(m);
        }
        let buffered = client.input_buffered();
        assert!(
            buffered <= self.max_buffered,
            "{buffered} bytes of input buffered, limit {}",
            self.max_buffered
        );
    }
}

/// The model's invariants: EXISTS counts the map, sequence numbers are
/// contiguous, known UIDs strictly increase with room for the unknown ones.
pub(super) fn check_mailbox(m: &SelectedMailbox) {
    let map = m.uids();
    assert_eq!(m.exists(), map.len(), "EXISTS differs from the UID map");
    let mut next = 1u64;
    let mut last_uid: Option<u64> = None;
    let mut unknown = 0u64;
    for (k, seg) in map.segments().enumerate() {
        assert_eq!(u64::from(seg.seq), next, "sequence numbers not contiguous");
        assert!(seg.len > 0, "an empty run");
        next += u64::from(seg.len);
        match seg.uid {
            Some(uid) => {
                let uid = u64::from(uid.get());
                if let Some(last) = last_uid {
                    assert!(
                        uid > last + unknown,
                        "UIDs do not increase: {last} then {unknown} unknown then {uid}"
                    );
                }
                let end = uid + u64::from(seg.len) - 1;
                assert!(end <= u64::from(u32::MAX), "a UID beyond 2^32-1");
                last_uid = Some(end);
                unknown = 0;
            }
            None => unknown += u64::from(seg.len),
        }
        if k < 64 {
            assert_eq!(
                m.uid(seg.seq),
                seg.uid.map(NonZeroU32::get),
                "uid() disagrees with the runs"
            );
        }
    }
    assert_eq!(
        next - 1,
        u64::from(map.len()),
        "runs do not add up to EXISTS"
    );
}

/// Whether `shown` holds the password or the bearer token.
pub(super) fn shows_secret(shown: &str) -> bool {
    shown.contains(vocab::PASSWORD) || shown.contains(vocab::TOKEN)
}
