//! Test helpers: a scripted server in front of a [`Client`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use flate2::{Compress, Compression, FlushCompress};
use imapkit_codec::Decoded;
use imapkit_proto::{CommandBody, IntoStatic, Mailbox};
use imapkit_state::client::{Client, ClientConfig, CloseReason, Event, Outcome, SessionState};
use imapkit_state::{CommandHandle, ConnectionSecurity};

/// How the scripted server's bytes are cut before they reach the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// Each `server()` call is one read.
    Whole,
    /// One byte per read.
    Bytes,
    /// Reads of 1..=n bytes from a seeded generator.
    Random(u64),
}

/// A client and a hand-written server, with a simulated clock.
pub struct Script {
    pub client: Client,
    pub now: Instant,
    pub split: Split,
    rng: u64,
}

impl Script {
    /// A client over TLS (implicit TLS), with `config`.
    pub fn tls(config: ClientConfig) -> Self {
        Self::new(config, ConnectionSecurity::Tls, Split::Whole)
    }

    /// A client over plain TCP.
    pub fn plain(config: ClientConfig) -> Self {
        Self::new(config, ConnectionSecurity::Plaintext, Split::Whole)
    }

    pub fn new(config: ClientConfig, security: ConnectionSecurity, split: Split) -> Self {
        let now = Instant::now();
        let rng = match split {
            Split::Random(seed) => seed | 1,
            _ => 1,
        };
        Self {
            client: Client::new(Arc::new(config), now, security),
            now,
            split,
            rng,
        }
    }

    fn next_rand(&mut self) -> u64 {
        xorshift(&mut self.rng)
    }

    /// The server sends `bytes`.
    pub fn server(&mut self, bytes: &[u8]) {
        match self.split {
            Split::Whole => self.client.handle_input(self.now, bytes),
            Split::Bytes => {
                for b in bytes {
                    self.client.handle_input(self.now, std::slice::from_ref(b));
                }
            }
            Split::Random(_) => {
                let mut rest = bytes;
                while !rest.is_empty() {
                    let n = (self.next_rand() % 17 + 1) as usize;
                    let n = n.min(rest.len());
                    self.client.handle_input(self.now, &rest[..n]);
                    rest = &rest[n..];
                }
            }
        }
    }

    /// What the client wants to send now, as text.
    pub fn sent(&mut self) -> String {
        let mut buf = Vec::new();
        let _ = self.client.poll_transmit(self.now, &mut buf);
        String::from_utf8(buf).expect("the client sends text in these tests")
    }

    /// What the client wants to send now, as bytes.
    pub fn sent_bytes(&mut self) -> Vec<u8> {
        let mut buf = Vec::new();
        let _ = self.client.poll_transmit(self.now, &mut buf);
        buf
    }

    /// Every event so far.
    pub fn events(&mut self) -> Vec<Event> {
        std::iter::from_fn(|| self.client.poll_event()).collect()
    }

    /// Moves the clock forward and fires due timers.
    pub fn advance(&mut self, by: Duration) {
        self.now += by;
        self.client.handle_timeout(self.now);
    }

    /// Moves the clock to the next timer and fires it.
    pub fn advance_to_timer(&mut self) -> bool {
        match self.client.poll_timeout() {
            Some(at) => {
                self.now = self.now.max(at);
                self.client.handle_timeout(self.now);
                true
            }
            None => false,
        }
    }
}

/// A config for tests: plaintext credentials allowed, no STARTTLS (most
/// tests run "over TLS" anyway), no automatic CAPABILITY.
pub fn quiet_config() -> ClientConfig {
    let mut c = ClientConfig::default();
    c.auto_capability = false;
    c
}

/// The kinds of the violations among `events`, in order.
pub fn violations(events: &[Event]) -> Vec<imapkit_state::error::ViolationKind> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Violation(v) => Some(v.kind.clone()),
            _ => None,
        })
        .collect()
}

/// The events, with `CommandSent` left out (for shorter assertions).
pub fn without_sent(events: Vec<Event>) -> Vec<Event> {
    events
        .into_iter()
        .filter(|e| !matches!(e, Event::CommandSent { .. }))
        .collect()
}

/// Runs `f` once per way of splitting the server's bytes, and checks that
/// the events and the bytes sent are the same every time.
pub fn under_any_split(f: impl Fn(Split) -> (Vec<Event>, String)) {
    let whole = f(Split::Whole);
    for split in [Split::Bytes, Split::Random(7), Split::Random(12345)] {
        assert_eq!(f(split), whole, "{split:?} differs from Whole");
    }
}

/// A command body from its wire form (literal data inline).
pub fn cmd(line: &[u8]) -> CommandBody<'static> {
    let mut text = b"x ".to_vec();
    text.extend_from_slice(line);
    text.extend_from_slice(b"\r\n");
    let Ok(Decoded::Complete { message, .. }) = imapkit_codec::decode::command(&text) else {
        panic!("{}", String::from_utf8_lossy(line))
    };
    message.body.into_static()
}

/// The next number of a xorshift64 generator whose state is `x` (the
/// seeded random splits of the test drivers).
pub fn xorshift(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

/// A client idling over TLS (PREAUTH, IDLE announced) with a 60 s refresh
/// timer that has just fired: `A1 IDLE` answered with `+` (its events
/// taken) and the refresh's `DONE` sent. The IDLE's handle.
pub fn idle_refresh_fired() -> (Script, CommandHandle) {
    let mut config = quiet_config();
    config.idle_refresh = Duration::from_secs(60);
    let mut s = Script::tls(config);
    s.server(b"* PREAUTH [CAPABILITY IMAP4rev1 IDLE] hi\r\n");
    let idle = s.client.idle(s.now).unwrap();
    assert_eq!(s.sent(), "A1 IDLE\r\n");
    s.server(b"+ idling\r\n");
    s.events();
    s.advance(Duration::from_secs(60));
    assert_eq!(s.sent(), "DONE\r\n");
    (s, idle)
}

/// The completions among `events`, in order.
pub fn completed(events: &[Event]) -> Vec<(CommandHandle, Outcome)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Completed(c) => Some((c.handle, c.outcome.clone())),
            _ => None,
        })
        .collect()
}

/// Why the session closed, if it did among `events`.
pub fn closed(events: &[Event]) -> Option<CloseReason> {
    events.iter().find_map(|e| match e {
        Event::Closed { reason } => Some(reason.clone()),
        _ => None,
    })
}

/// Greeted over TLS with these capabilities (and no automatic CAPABILITY).
pub fn greeted(caps: &str) -> Script {
    let mut s = Script::tls(quiet_config());
    s.server(format!("* OK [CAPABILITY IMAP4rev1 {caps}] ready\r\n").as_bytes());
    s.events();
    s
}

/// Authenticated by PREAUTH, with these capabilities.
pub fn preauth(caps: &str) -> Script {
    let mut s = Script::tls(quiet_config());
    s.server(format!("* PREAUTH [CAPABILITY IMAP4rev1 {caps}] hi\r\n").as_bytes());
    s.events();
    s
}

/// INBOX selected (tag A1 used), with these capabilities.
pub fn selected(caps: &str) -> Script {
    let mut s = preauth(caps);
    s.client.select(s.now, Mailbox::from_name("INBOX")).unwrap();
    assert_eq!(s.sent(), "A1 SELECT INBOX\r\n");
    s.server(b"* 5 EXISTS\r\nA1 OK [READ-WRITE] in\r\n");
    s.events();
    assert_eq!(s.client.state(), SessionState::Selected);
    s
}

/// A server's DEFLATE stream (RFC 4978): compresses with a sync flush, as
/// a server does at the end of each write.
pub struct Deflater(Compress);

impl Deflater {
    /// A new stream (raw DEFLATE, no zlib header).
    pub fn new() -> Self {
        Self(Compress::new(Compression::fast(), false))
    }

    /// `plain`, compressed and flushed.
    pub fn deflate(&mut self, plain: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(plain.len() + 64);
        let start = self.0.total_in();
        loop {
            let used = (self.0.total_in() - start) as usize;
            out.reserve(plain.len() - used + 64);
            self.0
                .compress_vec(&plain[used..], &mut out, FlushCompress::Sync)
                .unwrap();
            if (self.0.total_in() - start) as usize == plain.len() && out.len() < out.capacity() {
                return out;
            }
        }
    }
}
