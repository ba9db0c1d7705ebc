//! A mail-sync tool's tasks, written from the README and the rustdoc only,
//! against a real Dovecot 2.3 on loopback (`scripts/dovecot.sh` through
//! `imap_examples::dovecot`), through `imapkit_state::client::Client` and a
//! blocking `std::net` + rustls socket loop as `examples/examples/blocking.rs`
//! shows it. Skipped with a printed reason when Dovecot is missing (unless
//! `IMAP_REQUIRE_INTEROP` is set).
//!
//! Every task works against Dovecot. Two real bugs found on the way were
//! `#[ignore = "BUG: ..."]` tests asserting the correct behaviour until
//! they were fixed in stop 33: `flag_change_elsewhere_during_fetch_is_reported`
//! and `fetch_answer_is_not_a_change_when_pipelined` (same root: whether a
//! FETCH response was "the FETCH's answer" was decided by routing alone,
//! not by the message being in the FETCH's set).
//!
//! The friction list below is the review as written (stop 33). Since
//! then: a FETCH response names (`Event::Data::handle`) the FETCH or STORE
//! whose set holds it, and `None` when none does (1, in part);
//! `Completion::copy_uid` holds a COPY's or MOVE's COPYUID wherever it
//! came (4); the
//! `Client::select` doc points to `SelectBuilder` (6); the README and
//! `blocking.rs` use `saturating_duration_since`.
//!
//! Friction, ranked by how much it annoys a sync-tool author:
//!
//! 1. Friction: no way to tell a command's answer from unsolicited data.
//!    `Event::Data { handle }` is `None` as soon as two commands with the
//!    same kind of answer are in flight (two pipelined UID FETCHes, or a
//!    STORE and a FETCH), and it is `Some(fetch)` for another device's flag
//!    change that arrives during `fetch` (documented: "None or the command
//!    it arrived during"). So `handle` settles nothing either way; a sync
//!    tool must check each FETCH response's seq/UID against the set it asked
//!    for (through `mailbox().uid(seq)`, as Dovecot sends unsolicited FETCH
//!    without UID). Simpler: `handle: None` only for data outside every
//!    in-flight command's set, or a `solicited: bool`.
//! 2. Friction: no "run this command, give me its answers" helper. Each user
//!    writes a wait loop and, to pipeline, an event backlog (`Imap::until` /
//!    `Imap::wait` here, ~45 lines). The obvious version, `run` in
//!    `examples/examples/blocking.rs`, returns at its completion and drops
//!    the other commands' events (their `Completed` included), and a version
//!    that drains `poll_event` into a Vec first (as the README loop does)
//!    hangs the second `wait` of two pipelined commands: this file's first
//!    version did exactly that. A documented dispatch-by-handle pattern, or a
//!    `Completion` carrying the `Data` routed to it, would remove both traps.
//! 3. Friction: FETCH items have no accessors. Reading UID, MODSEQ and
//!    whether a flag is set took three `items.iter().find_map(|i| match i {
//!    MessageDataItem::Uid(u) => Some(u.get()), _ => None })` helpers
//!    (`item_uid`, `item_modseq`, `item_has_flag`) plus `fetches()` to
//!    destructure `Event::Data { data: Data::Fetch { seq, items }, .. }`.
//!    `items.uid()`, `.flags()`, `.modseq()`, `.body_section(&Section)`
//!    on the FETCH data would each be one call. Same for STATUS: a 10-line
//!    `match StatusItem::...` into a tuple instead of `status.uid_next()`.
//! 4. Friction: COPYUID lives in two places. For UID MOVE, Dovecot sends it
//!    in an untagged `* OK [COPYUID ...]` (RFC 6851 §4.3), so it is an
//!    `Event::Status { status }`, read with `status.code()` and
//!    `ResponseCode::CopyUid(c) => (**c).clone()`; for UID COPY it is the
//!    tagged `Completion::code`. A `Completion` that kept the COPYUID /
//!    APPENDUID / MODIFIED of its command, wherever it came, would be one
//!    field.
//! 5. Friction: STARTTLS with `std::net` is not shown anywhere a user copies
//!    from (`examples/examples/blocking.rs` is implicit TLS only; the
//!    `Session` of `examples/src/blocking.rs` does it but the README does not
//!    point there). Here it is a three-state `Stream` enum with its own
//!    `Read`/`Write` impls and `Imap::upgrade` (handshake, then
//!    `tls_established`): about 60 lines, written from the
//!    `Event::StartTls` doc alone (which is clear).
//! 6. Friction: `SELECT (CONDSTORE)` through the client is not documented.
//!    `Client::select(now, Mailbox<'static>)` takes no parameters and its
//!    doc does not say that `client.enqueue(now,
//!    SelectBuilder::select(name).condstore())` builds the same model (it
//!    does: found by trying). `Client::select` also takes a
//!    `Mailbox<'static>` (`Mailbox::from_name("INBOX")`) where
//!    `CommandBody::select` takes `"INBOX"`; likewise `Client::enable`
//!    wants a `Vec1` where `CommandBody::enable` takes an array.
//! 7. Friction: mod-sequence types disagree. `SelectedMailbox::highest_modseq()`
//!    is `Option<u64>`, `StoreBuilder::unchanged_since` takes `u64`, but
//!    `FetchBuilder::changed_since` takes `NonZeroU64`:
//!    `.changed_since(NonZeroU64::new(b_highest).unwrap())`.
//! 8. Friction: keywords are spelled two ways. `Flag::keyword("$Important")`
//!    gives an `Option<Flag>`, but `SearchKey::Keyword` wants an `Atom`
//!    (`Atom::try_from("$Important").unwrap()`); the flag one just stored
//!    cannot be searched for as is (a `SearchKey::flag(&Flag)` would do).
//! 9. Friction: comparing a message's flags with what was appended needs a
//!    12-line `FlagFetch::Flag(f) => Some(f.to_string()), FlagFetch::Recent
//!    => None` collect-and-sort; `FlagFetchList::contains` answers one flag
//!    only. An iterator of `Flag`s without `\Recent` would do.
//! 10. Friction: envelope addresses have no `email()`:
//!     `a.mailbox.as_bytes() == Some(b"s1")` and `a.host.as_bytes() ==
//!     Some(b"example.org")` separately; and `env.from()` returns a `Cow`
//!     that must be bound before `.iter()` (`let from = env.from();`).
//! 11. Friction (small): `Data::Search { ids: Vec<NonZeroU32> }` needs
//!     `.map(|n| n.get())` for every comparison with a UID (`u32` in
//!     `SelectedMailbox`, `MailboxChange`, `SequenceSet::single`).
//! 12. Friction (small): the `read_buf` doc says "resize,
//!     std::io::Read::read, truncate" for blocking code without saying to
//!     what size; `room.resize(room.capacity(), 0)` works (capacity is the
//!     `reserve` asked, 64 KiB here), a three-line example would settle it.

use std::error::Error;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::num::NonZeroU64;
use std::sync::Arc;
use std::time::{Duration, Instant};

use imap_examples::dovecot::{self, Dovecot};
use imapkit_proto::{
    AString, AppendBuilder, AppendMessage, Atom, Capability, CommandBody, Data, Date, DateTime,
    FetchAttribute, FetchBuilder, Flag, ListBuilder, MailboxAttribute, MessageDataItem,
    ResponseCode, SearchKey, Section, SelectBuilder, SequenceSet, StatusAttribute, StatusItem,
    StoreAction, StoreBuilder,
};
use imapkit_state::client::{
    Client, ClientConfig, CloseReason, CommandError, Completion, Event, Outcome, SessionState,
};
use imapkit_state::mailbox::MailboxChange;
use imapkit_state::{CommandHandle, ConnectionSecurity};
use rustls::pki_types::ServerName;

type Res<T> = Result<T, Box<dyn Error>>;

/// How long any single wait may take before the test calls it a hang.
const HANG: Duration = Duration::from_secs(30);

fn dovecot() -> Option<Dovecot> {
    dovecot::start("user-tasks-review", 12543, 12593)
}

/// A name no other test (or earlier run) uses.
fn unique(what: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{what}-{}-{}-{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

// ---------------------------------------------------------------------------
// The socket loop, as a user writes it from the README.
// ---------------------------------------------------------------------------

enum Stream {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
    Upgrading,
}

impl Stream {
    fn tcp(&self) -> &TcpStream {
        match self {
            Self::Plain(s) => s,
            Self::Tls(s) => &s.sock,
            Self::Upgrading => unreachable!("no stream during the handshake"),
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Self::Plain(s) => s.read(buf),
            Self::Tls(s) => s.read(buf),
            Self::Upgrading => unreachable!(),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Self::Plain(s) => s.write(buf),
            Self::Tls(s) => s.write(buf),
            Self::Upgrading => unreachable!(),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Self::Plain(s) => s.flush(),
            Self::Tls(s) => s.flush(),
            Self::Upgrading => unreachable!(),
        }
    }
}

struct Imap {
    client: Client,
    stream: Stream,
    tls: Arc<rustls::ClientConfig>,
    /// Read into the client's own buffer (`read_buf` / `handle_read`).
    zero_copy: bool,
    closed: Option<CloseReason>,
    /// Events taken from the client and not looked at yet.
    backlog: std::collections::VecDeque<Event>,
    /// Every `Event::Violation`: a real server should cause none.
    violations: Vec<String>,
}

impl Imap {
    /// Implicit TLS (port 993 style).
    fn tls(dc: &Dovecot, config: ClientConfig) -> Res<Self> {
        let tls = imap_examples::blocking::tls_config(Some(&dc.ca_cert))?;
        let tcp = TcpStream::connect((dc.host.as_str(), dc.tls_port))?;
        let conn = rustls::ClientConnection::new(tls.clone(), ServerName::try_from("localhost")?)?;
        Ok(Self {
            client: Client::new(Arc::new(config), Instant::now(), ConnectionSecurity::Tls),
            stream: Stream::Tls(Box::new(rustls::StreamOwned::new(conn, tcp))),
            tls,
            zero_copy: false,
            closed: None,
            backlog: Default::default(),
            violations: Vec::new(),
        })
    }

    /// Plain TCP (port 143 style): the client's STARTTLS policy applies.
    fn plain(dc: &Dovecot, config: ClientConfig) -> Res<Self> {
        let tls = imap_examples::blocking::tls_config(Some(&dc.ca_cert))?;
        let tcp = TcpStream::connect((dc.host.as_str(), dc.port))?;
        Ok(Self {
            client: Client::new(
                Arc::new(config),
                Instant::now(),
                ConnectionSecurity::Plaintext,
            ),
            stream: Stream::Plain(tcp),
            tls,
            zero_copy: false,
            closed: None,
            backlog: Default::default(),
            violations: Vec::new(),
        })
    }

    /// `Event::StartTls`: handshake on the same socket, then tell the client.
    fn upgrade(&mut self) -> Res<()> {
        let Stream::Plain(tcp) = std::mem::replace(&mut self.stream, Stream::Upgrading) else {
            return Err("StartTls on a stream that is not plain".into());
        };
        tcp.set_read_timeout(Some(HANG))?;
        let conn =
            rustls::ClientConnection::new(self.tls.clone(), ServerName::try_from("localhost")?)?;
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        while tls.conn.is_handshaking() {
            tls.conn.complete_io(&mut tls.sock)?;
        }
        self.stream = Stream::Tls(Box::new(tls));
        self.client.tls_established(Instant::now())?;
        Ok(())
    }

    /// One turn of the README's loop: take the events, send, read once
    /// (at most until the client's timer or `limit`).
    fn turn(&mut self, limit: Duration) -> Res<Vec<Event>> {
        let mut events = Vec::new();
        while let Some(event) = self.client.poll_event() {
            match &event {
                Event::StartTls { .. } => self.upgrade()?,
                Event::Closed { reason } => self.closed = Some(reason.clone()),
                Event::Violation(v) => self.violations.push(format!("{v:?}")),
                _ => {}
            }
            events.push(event);
        }
        let mut out = Vec::new();
        if self
            .client
            .poll_transmit(Instant::now(), &mut out)
            .is_some()
        {
            self.stream.write_all(&out)?;
            self.stream.flush()?;
        }
        if self.closed.is_some() || !self.client.wants_read() {
            return Ok(events);
        }
        let now = Instant::now();
        let wait = self
            .client
            .poll_timeout()
            .map_or(limit, |t| t.saturating_duration_since(now).min(limit));
        self.stream
            .tcp()
            .set_read_timeout(Some(wait.max(Duration::from_millis(1))))?;
        if self.zero_copy {
            let mut room = self.client.read_buf(64 * 1024);
            room.resize(room.capacity(), 0);
            match self.stream.read(&mut room) {
                Ok(0) => self.client.handle_eof(Instant::now()),
                Ok(n) => {
                    room.truncate(n);
                    self.client.handle_read(Instant::now(), room);
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    self.client.handle_timeout(Instant::now())
                }
                Err(e) => return Err(e.into()),
            }
        } else {
            let mut buf = [0u8; 16 * 1024];
            match self.stream.read(&mut buf) {
                Ok(0) => self.client.handle_eof(Instant::now()),
                Ok(n) => self.client.handle_input(Instant::now(), &buf[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    self.client.handle_timeout(Instant::now())
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(events)
    }

    /// Runs the loop until `stop` says so: the events up to and with the
    /// one that stopped it. Events of the same read after it stay in
    /// `backlog` for the next call (another pipelined command's).
    fn until(&mut self, mut stop: impl FnMut(&Event) -> bool) -> Res<Vec<Event>> {
        let deadline = Instant::now() + HANG;
        let mut seen = Vec::new();
        loop {
            while let Some(event) = self.backlog.pop_front() {
                let hit = stop(&event);
                seen.push(event);
                if hit {
                    return Ok(seen);
                }
            }
            if self.closed.is_some() {
                return Err(format!("closed: {:?} after {seen:#?}", self.closed).into());
            }
            if Instant::now() > deadline {
                return Err(format!("hang: nothing stopped the loop; events {seen:#?}").into());
            }
            let events = self.turn(Duration::from_millis(200))?;
            self.backlog.extend(events);
        }
    }

    /// Waits for `handle`'s completion: the events before it, and it.
    fn wait(&mut self, handle: CommandHandle) -> Res<(Vec<Event>, Completion)> {
        let mut events =
            self.until(|e| matches!(e, Event::Completed(done) if done.handle == handle))?;
        let Some(Event::Completed(done)) = events.pop() else {
            unreachable!()
        };
        Ok((events, *done))
    }

    /// Enqueues `body` and waits for an OK.
    fn ok(&mut self, body: impl Into<CommandBody<'static>>) -> Res<Vec<Event>> {
        let body = body.into();
        let shown = body.to_string();
        let h = self.client.enqueue(Instant::now(), body)?;
        let (events, done) = self.wait(h)?;
        done.result()
            .map_err(|e| format!("{shown}: {e} after {events:#?}"))?;
        Ok(events)
    }

    fn login(&mut self, user: &str) -> Res<()> {
        let h = self
            .client
            .login(Instant::now(), user, "secret".to_owned().into())?;
        let (_, done) = self.wait(h)?;
        done.result()?;
        Ok(())
    }

    fn logout(&mut self) -> Res<Vec<Event>> {
        let h = self.client.logout(Instant::now())?;
        let (mut events, done) = self.wait(h)?;
        done.result()?;
        // Closed comes after the completion.
        let deadline = Instant::now() + HANG;
        while self.closed.is_none() && Instant::now() < deadline {
            let more = self.turn(Duration::from_millis(200))?;
            self.backlog.extend(more);
        }
        events.extend(self.backlog.drain(..));
        assert_eq!(self.violations, Vec::<String>::new(), "violations");
        Ok(events)
    }
}

/// Connected over implicit TLS and logged in as `user`.
fn session(dc: &Dovecot, user: &str) -> Imap {
    let mut s = Imap::tls(dc, ClientConfig::default()).expect("connect");
    s.login(user).expect("login");
    s
}

// ---------------------------------------------------------------------------
// What a user writes to read the events.
// ---------------------------------------------------------------------------

/// The FETCH responses among `events`: (seq, items).
fn fetches(events: &[Event]) -> Vec<(u32, Vec<MessageDataItem<'static>>)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Data {
                data: Data::Fetch { seq, items },
                ..
            } => Some((seq.get(), items.as_slice().to_vec())),
            _ => None,
        })
        .collect()
}

fn item_uid(items: &[MessageDataItem<'_>]) -> Option<u32> {
    items.iter().find_map(|i| match i {
        MessageDataItem::Uid(u) => Some(u.get()),
        _ => None,
    })
}

fn item_modseq(items: &[MessageDataItem<'_>]) -> Option<u64> {
    items.iter().find_map(|i| match i {
        MessageDataItem::ModSeq(m) => Some(*m),
        _ => None,
    })
}

fn item_has_flag(items: &[MessageDataItem<'_>], flag: &Flag<'_>) -> Option<bool> {
    items.iter().find_map(|i| match i {
        MessageDataItem::Flags(f) => Some(f.contains(flag)),
        _ => None,
    })
}

/// The ids of the (one) SEARCH response among `events`.
fn search_ids(events: &[Event]) -> Vec<u32> {
    events
        .iter()
        .find_map(|e| match e {
            Event::Data {
                data: Data::Search { ids, .. },
                ..
            } => Some(ids.iter().map(|n| n.get()).collect()),
            _ => None,
        })
        .unwrap_or_default()
}

fn mailbox_changes(events: &[Event]) -> Vec<MailboxChange> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Mailbox(c) => Some(c.clone()),
            _ => None,
        })
        .collect()
}

/// Creates `name` and appends `messages` (flags, raw bytes); their UIDs
/// from APPENDUID.
fn fill(s: &mut Imap, name: &str, messages: &[(Vec<Flag<'static>>, String)]) -> Vec<u32> {
    s.ok(CommandBody::create(name.to_owned())).expect("CREATE");
    let mut uids = Vec::new();
    for (flags, text) in messages {
        let m = AppendMessage::literal(text.clone().into_bytes())
            .unwrap()
            .with_flags(flags.clone());
        let h = s
            .client
            .enqueue(Instant::now(), AppendBuilder::new(name.to_owned(), m))
            .unwrap();
        let (_, done) = s.wait(h).unwrap();
        done.result().unwrap();
        let Some(ResponseCode::AppendUid { uids: set, .. }) = done.code else {
            panic!("no APPENDUID: {done:?}")
        };
        uids.push(set.as_single().unwrap().get());
    }
    uids
}

fn message(i: usize, subject: &str) -> String {
    format!(
        "From: Sender {i} <s{i}@example.org>\r\nTo: Bob <bob@example.org>\r\n\
         Subject: {subject}\r\nMessage-ID: <{i}.{subject}@example.org>\r\n\
         Date: Mon, 7 Dec 2026 10:00:0{i} +0000\r\n\r\nbody {i}\r\n"
    )
}

// ---------------------------------------------------------------------------
// 1. connect, STARTTLS, login, capabilities
// ---------------------------------------------------------------------------

#[test]
fn t1_connect_starttls_login_capabilities() {
    let Some(dc) = dovecot() else { return };
    // Default policy: STARTTLS Required.
    let mut s = Imap::plain(&dc, ClientConfig::default()).unwrap();
    // LOGIN may be asked for at once: it waits for TLS.
    let login = s
        .client
        .login(Instant::now(), "alice", "secret".to_owned().into())
        .unwrap();
    let (events, done) = s.wait(login).unwrap();
    assert!(done.is_ok(), "{done:?}");
    assert!(
        matches!(events.first(), Some(Event::Greeting(_))),
        "{events:#?}"
    );
    assert!(
        events.iter().any(|e| matches!(e, Event::StartTls { .. })),
        "{events:#?}"
    );
    assert_eq!(s.client.security(), ConnectionSecurity::Tls);
    assert_eq!(s.client.state(), SessionState::Authenticated);
    // The capabilities after login (Dovecot sends them in the LOGIN OK).
    let caps = s.client.capabilities();
    assert!(caps.known());
    for cap in [
        Capability::Idle,
        Capability::Move,
        Capability::CondStore,
        Capability::QResync,
        Capability::UidPlus,
        Capability::SpecialUse,
        Capability::Enable,
    ] {
        assert!(caps.has(&cap), "{cap:?} missing in {:?}", caps.list());
    }
    // STARTTLS is no longer announced after TLS, and no LOGINDISABLED.
    assert!(!caps.has(&Capability::StartTls));
    s.logout().unwrap();
}

// ---------------------------------------------------------------------------
// 2. LIST with special-use attributes
// ---------------------------------------------------------------------------

#[test]
fn t2_list_special_use() {
    let Some(dc) = dovecot() else { return };
    let mut s = session(&dc, "alice");
    let events = s
        .ok(ListBuilder::new("", "*").return_special_use())
        .unwrap();
    let mut sent = None;
    let mut trash = None;
    let mut names = Vec::new();
    for e in &events {
        if let Event::Data {
            data: Data::List(l),
            ..
        } = e
        {
            let name = l.mailbox.name_lossy();
            if l.attributes.contains(&MailboxAttribute::Sent) {
                sent = Some(name.clone());
            }
            if l.attributes.contains(&MailboxAttribute::Trash) {
                trash = Some(name.clone());
            }
            names.push(name);
        }
    }
    assert_eq!(sent.as_deref(), Some("Sent"), "{names:?}");
    assert_eq!(trash.as_deref(), Some("Trash"), "{names:?}");
    assert!(names.iter().any(|n| n == "INBOX"), "{names:?}");
    // The handle of each LIST response names the LIST command.
    assert!(events.iter().all(|e| match e {
        Event::Data {
            handle,
            data: Data::List(_),
        } => handle.is_some(),
        _ => true,
    }));
    s.logout().unwrap();
}

// ---------------------------------------------------------------------------
// 3. SELECT INBOX (CONDSTORE)
// ---------------------------------------------------------------------------

#[test]
fn t3_select_condstore_status() {
    let Some(dc) = dovecot() else { return };
    let mut s = session(&dc, "bob");
    // What STATUS says first, to compare with the model.
    let events = s
        .ok(CommandBody::status(
            "INBOX",
            [
                StatusAttribute::Messages,
                StatusAttribute::UidNext,
                StatusAttribute::UidValidity,
                StatusAttribute::HighestModSeq,
            ],
        ))
        .unwrap();
    let items = events
        .iter()
        .find_map(|e| match e {
            Event::Data {
                data: Data::Status { items, .. },
                ..
            } => Some(items.clone()),
            _ => None,
        })
        .expect("STATUS data");
    let mut status = (0, 0, 0, 0);
    for i in &items {
        match i {
            StatusItem::Messages(n) => status.0 = *n,
            StatusItem::UidNext(n) => status.1 = *n,
            StatusItem::UidValidity(n) => status.2 = *n,
            StatusItem::HighestModSeq(n) => status.3 = *n,
            _ => {}
        }
    }

    let events = s.ok(SelectBuilder::select("INBOX").condstore()).unwrap();
    assert_eq!(s.client.state(), SessionState::Selected);
    let mb = s.client.mailbox().expect("selected");
    assert_eq!(mb.name().name_lossy(), "INBOX");
    assert!(!mb.is_read_only());
    assert_eq!(mb.exists(), status.0);
    assert_eq!(mb.uid_next(), Some(status.1));
    assert_eq!(mb.uid_validity(), Some(status.2));
    assert_eq!(mb.highest_modseq(), Some(status.3));
    // The same values came as events.
    let changes = mailbox_changes(&events);
    assert!(
        changes.contains(&MailboxChange::UidValidity(status.2)),
        "{changes:?}"
    );
    assert!(
        changes.contains(&MailboxChange::UidNext(status.1)),
        "{changes:?}"
    );
    assert!(
        changes.contains(&MailboxChange::HighestModSeq(status.3)),
        "{changes:?}"
    );
    s.logout().unwrap();
}

// ---------------------------------------------------------------------------
// 4. APPEND with flags and date, FETCH ENVELOPE FLAGS RFC822.SIZE BODYSTRUCTURE
// ---------------------------------------------------------------------------

#[test]
fn t4_append_then_fetch_metadata() {
    let Some(dc) = dovecot() else { return };
    let mut s = session(&dc, "alice");
    let name = unique("t4");
    s.ok(CommandBody::create(name.clone())).unwrap();
    let date = DateTime::new(Date::new(2024, 2, 29).unwrap(), 13, 14, 15, 120).unwrap();
    let kw = Flag::keyword("$Label1").unwrap();
    let texts: Vec<String> = (1..=3)
        .map(|i| message(i, &format!("Grüße =?UTF-8?B?5pel5pys6Kqe?= {i}")))
        .collect();
    // Non-ASCII bytes in the header: fine in a literal.
    let mut appended = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let flags = if i == 1 {
            vec![Flag::Seen, Flag::Flagged, kw.clone()]
        } else {
            vec![Flag::Seen]
        };
        let m = AppendMessage::literal(text.clone().into_bytes())
            .unwrap()
            .with_flags(flags.clone())
            .with_date(date);
        let h = s
            .client
            .enqueue(Instant::now(), AppendBuilder::new(name.clone(), m))
            .unwrap();
        let (_, done) = s.wait(h).unwrap();
        done.result().unwrap();
        let Some(ResponseCode::AppendUid { uids, .. }) = &done.code else {
            panic!("APPENDUID expected: {done:?}")
        };
        appended.push((uids.as_single().unwrap().get(), flags, text));
    }
    s.ok(CommandBody::select(name.clone())).unwrap();
    let first = appended[0].0;
    let last = appended[2].0;
    let range = SequenceSet::try_from(first..=last).unwrap();
    let events = s
        .ok(CommandBody::uid_fetch(
            range,
            [
                FetchAttribute::Uid,
                FetchAttribute::Envelope,
                FetchAttribute::Flags,
                FetchAttribute::Rfc822Size,
                FetchAttribute::BodyStructure,
                FetchAttribute::InternalDate,
            ],
        ))
        .unwrap();
    let got = fetches(&events);
    assert_eq!(got.len(), 3, "{events:#?}");
    for (i, (uid, flags, text)) in appended.iter().enumerate() {
        let (_, items) = got
            .iter()
            .find(|(_, items)| item_uid(items) == Some(*uid))
            .unwrap_or_else(|| panic!("no FETCH for UID {uid}"));
        let n = i + 1;
        for item in items {
            match item {
                MessageDataItem::Envelope(env) => {
                    let subject = env.subject_text().unwrap();
                    assert_eq!(subject.as_str(), format!("Grüße 日本語 {n}"));
                    let from = env.from();
                    let a = from.iter().next().unwrap();
                    assert_eq!(a.display_name().unwrap().as_str(), format!("Sender {n}"));
                    assert_eq!(a.mailbox.as_bytes(), Some(format!("s{n}").as_bytes()));
                    assert_eq!(a.host.as_bytes(), Some(&b"example.org"[..]));
                    assert_eq!(
                        env.message_id().as_bytes(),
                        Some(
                            format!("<{n}.Grüße =?UTF-8?B?5pel5pys6Kqe?= {n}@example.org>")
                                .as_bytes()
                        )
                    );
                    assert_eq!(env.to().len(), 1);
                }
                MessageDataItem::Flags(f) => {
                    let got: Vec<String> = f
                        .iter()
                        .filter_map(|f| match f {
                            imapkit_proto::FlagFetch::Flag(f) => Some(f.to_string()),
                            imapkit_proto::FlagFetch::Recent => None,
                        })
                        .collect();
                    let mut want: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
                    let mut got = got;
                    got.sort();
                    want.sort();
                    assert_eq!(got, want);
                }
                MessageDataItem::Rfc822Size(size) => assert_eq!(*size, text.len() as u64),
                MessageDataItem::BodyStructure(bs) => {
                    let bs = bs.get();
                    let imapkit_proto::BodyStructure::Single(body) = &*bs else {
                        panic!("single part expected: {bs:?}")
                    };
                    assert!(body.media_type().eq_ignore_ascii_case(b"text"));
                    assert!(body.subtype().eq_ignore_ascii_case(b"plain"));
                    let body_len = text.len() - text.find("\r\n\r\n").unwrap() - 4;
                    assert_eq!(body.fields.size as usize, body_len);
                    let imapkit_proto::BodyKind::Text { lines, .. } = body.kind else {
                        panic!("text kind: {body:?}")
                    };
                    assert_eq!(lines, 1);
                }
                MessageDataItem::InternalDate(d) => {
                    assert_eq!(d.unix_timestamp(), date.unix_timestamp(), "{d:?}")
                }
                MessageDataItem::Uid(_) => {}
                other => panic!("unexpected item {other:?}"),
            }
        }
    }
    s.ok(CommandBody::close()).unwrap();
    assert_eq!(s.client.state(), SessionState::Authenticated);
    assert!(s.client.mailbox().is_none());
    s.ok(CommandBody::delete(name)).unwrap();
    s.logout().unwrap();
}

// ---------------------------------------------------------------------------
// 5. STORE UNCHANGEDSINCE; a second session sees it (IDLE, CHANGEDSINCE)
// ---------------------------------------------------------------------------

#[test]
fn t5_store_unchangedsince_and_second_session() {
    let Some(dc) = dovecot() else { return };
    let mut a = session(&dc, "bob");
    let name = unique("t5");
    let uids = fill(
        &mut a,
        &name,
        &[(vec![], message(1, "one")), (vec![], message(2, "two"))],
    );
    let uid = uids[1];
    let uid_set = SequenceSet::single(uid).unwrap();
    a.ok(SelectBuilder::select(name.clone()).condstore())
        .unwrap();
    let events = a
        .ok(CommandBody::uid_fetch(
            uid_set.clone(),
            [FetchAttribute::Uid, FetchAttribute::ModSeq],
        ))
        .unwrap();
    let before = item_modseq(&fetches(&events)[0].1).expect("MODSEQ");

    // The second session selects and idles.
    let mut b = session(&dc, "bob");
    b.ok(SelectBuilder::select(name.clone()).condstore())
        .unwrap();
    let b_highest = b.client.mailbox().unwrap().highest_modseq().unwrap();
    let idle = b.client.idle(Instant::now()).unwrap();
    b.until(|e| matches!(e, Event::IdleStarted { handle } if *handle == idle))
        .unwrap();

    // STORE ... (UNCHANGEDSINCE before) +FLAGS (\Flagged)
    let h = a
        .client
        .enqueue(
            Instant::now(),
            StoreBuilder::new(uid_set.clone(), StoreAction::Add, [Flag::Flagged])
                .uid()
                .unchanged_since(before),
        )
        .unwrap();
    let (events, done) = a.wait(h).unwrap();
    assert!(done.is_ok(), "{done:?}");
    assert_eq!(done.code, None, "nothing refused: {done:?}");
    let after = fetches(&events)
        .iter()
        .find_map(|(_, items)| item_modseq(items))
        .expect("FETCH with MODSEQ after the STORE");
    assert!(after > before, "{after} > {before}");
    let changes = mailbox_changes(&events);
    assert!(
        changes.iter().any(|c| matches!(c,
            MailboxChange::FlagsChanged { uid: Some(u), flags, modseq: Some(m), .. }
                if *u == uid && flags.contains(&Flag::Flagged) && *m == after)),
        "{changes:?}"
    );
    assert_eq!(a.client.mailbox().unwrap().highest_modseq(), Some(after));

    // A stale UNCHANGEDSINCE: refused for that message, MODIFIED says which.
    let h = a
        .client
        .enqueue(
            Instant::now(),
            StoreBuilder::new(uid_set.clone(), StoreAction::Remove, [Flag::Flagged])
                .uid()
                .unchanged_since(before),
        )
        .unwrap();
    let (_, done) = a.wait(h).unwrap();
    assert!(done.is_ok(), "{done:?}");
    let Some(ResponseCode::Modified(set)) = &done.code else {
        panic!("MODIFIED expected: {done:?}")
    };
    assert_eq!(set.as_single().map(|n| n.get()), Some(uid));

    // Session B, idling, sees the flag change.
    let events = b
        .until(|e| matches!(e, Event::Mailbox(MailboxChange::FlagsChanged { .. })))
        .unwrap();
    let changes = mailbox_changes(&events);
    let seq = b.client.mailbox().unwrap().exists();
    assert!(
        changes.iter().any(|c| matches!(c,
            MailboxChange::FlagsChanged { seq: s, flags, modseq: Some(m), .. }
                if *s == seq && flags.contains(&Flag::Flagged) && *m == after)),
        "{changes:?}"
    );
    b.client.idle_done(Instant::now()).unwrap();
    let (_, done) = b.wait(idle).unwrap();
    assert!(done.is_ok());
    // At the tagged response the model takes the MODSEQ seen as its highest.
    assert_eq!(b.client.mailbox().unwrap().highest_modseq(), Some(after));

    // And by CHANGEDSINCE from what it had at SELECT.
    let events = b
        .ok(FetchBuilder::new(
            SequenceSet::all(),
            [FetchAttribute::Uid, FetchAttribute::Flags],
        )
        .uid()
        .changed_since(NonZeroU64::new(b_highest).unwrap()))
        .unwrap();
    let got = fetches(&events);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(item_uid(&got[0].1), Some(uid));
    assert_eq!(item_has_flag(&got[0].1, &Flag::Flagged), Some(true));
    assert_eq!(
        item_modseq(&got[0].1),
        Some(after),
        "MODSEQ comes with CHANGEDSINCE"
    );

    b.logout().unwrap();
    a.ok(CommandBody::close()).unwrap();
    a.ok(CommandBody::delete(name)).unwrap();
    a.logout().unwrap();
}

// ---------------------------------------------------------------------------
// 6. UID SEARCH; UID MOVE with COPYUID and EXPUNGE / VANISHED
// ---------------------------------------------------------------------------

#[test]
fn t6_search_and_move() {
    let Some(dc) = dovecot() else { return };
    let mut s = session(&dc, "alice");
    let src = unique("t6-src");
    let dst = unique("t6-dst");
    let kw = Flag::keyword("$Important").unwrap();
    let uids = fill(
        &mut s,
        &src,
        &[
            (vec![], message(1, "alpha")),
            (vec![Flag::Flagged], message(2, "beta")),
            (vec![kw.clone()], message(3, "gamma")),
            (vec![], message(4, "delta")),
            (vec![], message(5, "Grüße aus Köln")),
        ],
    );
    s.ok(CommandBody::create(dst.clone())).unwrap();
    s.ok(CommandBody::select(src.clone())).unwrap();

    let events = s
        .ok(CommandBody::uid_search(SearchKey::Header(
            AString::from("Subject"),
            AString::from("beta"),
        )))
        .unwrap();
    assert_eq!(search_ids(&events), [uids[1]]);
    let events = s.ok(CommandBody::uid_search(SearchKey::Flagged)).unwrap();
    assert_eq!(search_ids(&events), [uids[1]]);
    let events = s
        .ok(CommandBody::uid_search(SearchKey::Keyword(
            Atom::try_from("$Important").unwrap(),
        )))
        .unwrap();
    assert_eq!(search_ids(&events), [uids[2]]);
    let events = s
        .ok(CommandBody::uid_search([
            SearchKey::Unflagged,
            SearchKey::Subject(AString::from("delta")),
        ]))
        .unwrap();
    assert_eq!(search_ids(&events), [uids[3]]);
    // Non-ASCII text: the client adds CHARSET UTF-8 by itself.
    let events = s
        .ok(CommandBody::uid_search(SearchKey::Subject(AString::from(
            "köln",
        ))))
        .unwrap();
    assert_eq!(search_ids(&events), [uids[4]]);

    // The model learns the UIDs from a FETCH.
    s.ok(CommandBody::fetch(
        SequenceSet::all(),
        [FetchAttribute::Uid],
    ))
    .unwrap();
    assert!(s.client.capabilities().has(&Capability::Move));
    let before = s.client.mailbox().unwrap().exists();
    let h = s
        .client
        .enqueue(
            Instant::now(),
            CommandBody::uid_move(SequenceSet::single(uids[0]).unwrap(), dst.clone()),
        )
        .unwrap();
    let (events, done) = s.wait(h).unwrap();
    assert!(done.is_ok(), "{done:?}");
    // COPYUID comes in an untagged OK before the EXPUNGE (RFC 6851 §4.3).
    let copyuid = events
        .iter()
        .find_map(|e| match e {
            Event::Status { status, .. } => match status.code() {
                Some(ResponseCode::CopyUid(c)) => Some((**c).clone()),
                _ => None,
            },
            _ => None,
        })
        .expect("COPYUID");
    assert_eq!(copyuid.source.as_single().unwrap().get(), uids[0]);
    let changes = mailbox_changes(&events);
    assert!(
        changes.contains(&MailboxChange::Expunged {
            seq: 1,
            uid: Some(uids[0])
        }),
        "{changes:?}"
    );
    assert_eq!(s.client.mailbox().unwrap().exists(), before - 1);
    assert_eq!(s.client.mailbox().unwrap().seq(uids[1]), Some(1));

    // With QRESYNC enabled, the server says VANISHED instead.
    let mut q = session(&dc, "alice");
    q.ok(CommandBody::enable([Capability::QResync])).unwrap();
    assert!(q.client.capabilities().is_enabled(&Capability::QResync));
    q.ok(CommandBody::select(src.clone())).unwrap();
    let h = q
        .client
        .enqueue(
            Instant::now(),
            CommandBody::uid_move(SequenceSet::single(uids[1]).unwrap(), dst.clone()),
        )
        .unwrap();
    let (events, done) = q.wait(h).unwrap();
    assert!(done.is_ok(), "{done:?}");
    let changes = mailbox_changes(&events);
    assert!(
        changes.contains(&MailboxChange::Vanished {
            uids: vec![uids[1]..=uids[1]],
            earlier: false
        }),
        "{changes:?}"
    );
    assert_eq!(q.client.mailbox().unwrap().exists(), before - 2);
    q.logout().unwrap();

    // The first session hears of the second's move at its next command.
    let events = s.ok(CommandBody::noop()).unwrap();
    let changes = mailbox_changes(&events);
    assert!(
        changes.contains(&MailboxChange::Expunged {
            seq: 1,
            uid: Some(uids[1])
        }),
        "{changes:?}"
    );
    s.ok(CommandBody::select(dst.clone())).unwrap();
    assert_eq!(s.client.mailbox().unwrap().exists(), 2);
    s.ok(CommandBody::unselect()).unwrap();
    s.ok(CommandBody::delete(src)).unwrap();
    s.ok(CommandBody::delete(dst)).unwrap();
    s.logout().unwrap();
}

// ---------------------------------------------------------------------------
// 7. a 1 MB BODY.PEEK[] byte for byte
// ---------------------------------------------------------------------------

fn big_message() -> Vec<u8> {
    let mut m =
        b"From: big@example.org\r\nSubject: big\r\nContent-Type: application/octet-stream\r\n\r\n"
            .to_vec();
    let mut i = 0u32;
    while m.len() < 1024 * 1024 {
        // Every byte value but NUL, CR, LF; lines of 76.
        let line: Vec<u8> = (0..76)
            .map(|j| {
                let b = ((i * 76 + j) % 253) as u8 + 1;
                if b == b'\r' || b == b'\n' {
                    b'x'
                } else {
                    b
                }
            })
            .collect();
        m.extend_from_slice(&line);
        m.extend_from_slice(b"\r\n");
        i += 1;
    }
    m
}

fn download_big(zero_copy: bool) {
    let Some(dc) = dovecot() else { return };
    let mut s = session(&dc, "bob");
    s.zero_copy = zero_copy;
    let name = unique("t7");
    let big = big_message();
    s.ok(CommandBody::create(name.clone())).unwrap();
    let h = s
        .client
        .enqueue(
            Instant::now(),
            CommandBody::append(name.clone(), big.clone()).unwrap(),
        )
        .unwrap();
    let (_, done) = s.wait(h).unwrap();
    done.result().unwrap();
    let Some(ResponseCode::AppendUid { uids, .. }) = done.code else {
        panic!("{done:?}")
    };
    s.ok(CommandBody::examine(name.clone())).unwrap();
    let events = s
        .ok(CommandBody::uid_fetch(
            uids,
            [FetchAttribute::body_peek(Section::whole())],
        ))
        .unwrap();
    let got = fetches(&events);
    assert_eq!(got.len(), 1);
    let body = got[0]
        .1
        .iter()
        .find_map(|i| match i {
            MessageDataItem::BodySection { data, .. } => data.as_bytes().map(<[u8]>::to_vec),
            _ => None,
        })
        .expect("BODY[]");
    assert_eq!(body.len(), big.len());
    assert!(body == big, "bytes differ");
    s.ok(CommandBody::close()).unwrap();
    s.ok(CommandBody::delete(name)).unwrap();
    s.logout().unwrap();
}

#[test]
fn t7_download_1mb_body_peek() {
    download_big(false);
}

#[test]
fn t7_download_1mb_body_peek_zero_copy_read() {
    download_big(true);
}

// ---------------------------------------------------------------------------
// 8. LOGOUT; a wrong password
// ---------------------------------------------------------------------------

#[test]
fn t8_logout_cleanly() {
    let Some(dc) = dovecot() else { return };
    let mut s = session(&dc, "alice");
    let events = s.logout().unwrap();
    assert_eq!(s.closed, Some(CloseReason::Logout), "{events:#?}");
    assert!(matches!(
        events.last(),
        Some(Event::Closed {
            reason: CloseReason::Logout
        })
    ));
    // The server's BYE is reported before (not as a close reason).
    assert!(
        events.iter().any(|e| matches!(e, Event::Bye { .. })),
        "{events:#?}"
    );
    assert_eq!(s.client.state(), SessionState::Closed);
    assert!(s
        .client
        .enqueue(Instant::now(), CommandBody::noop())
        .is_err());
}

#[test]
fn t8_wrong_password_is_authenticationfailed() {
    let Some(dc) = dovecot() else { return };
    let mut s = Imap::tls(&dc, ClientConfig::default()).unwrap();
    let h = s
        .client
        .login(Instant::now(), "alice", "wrong".to_owned().into())
        .unwrap();
    let (_, done) = s.wait(h).unwrap();
    assert_eq!(done.outcome, Outcome::No);
    assert_eq!(done.code, Some(ResponseCode::AuthenticationFailed));
    // What `?` gives the application.
    match done.result() {
        Err(CommandError::No {
            code: Some(ResponseCode::AuthenticationFailed),
            text,
        }) => assert!(text.is_some()),
        other => panic!("{other:?}"),
    }
    let shown = done.result().unwrap_err().to_string();
    assert!(shown.contains("AUTHENTICATIONFAILED"), "{shown}");
    // The session stays usable: a second try with the right password.
    assert_eq!(s.client.state(), SessionState::NotAuthenticated);
    s.login("alice").unwrap();
    s.logout().unwrap();
}

// ---------------------------------------------------------------------------
// Found on the way
// ---------------------------------------------------------------------------

/// A FETCH's own FLAGS answer is not a change (`SelectedMailbox::handle_answer`:
/// "the flags and mod-sequences of its FETCH responses are the command's
/// answer, not changes, and make none"), and alone it makes none. With a
/// second command in flight (another FETCH, a STORE) the same answer comes
/// as `MailboxChange::FlagsChanged`, so an application that keeps "changed
/// elsewhere" from these events sees its own reads as changes only when it
/// pipelines.
/// Was a bug (fixed in stop 33).
#[test]
fn fetch_answer_is_not_a_change_when_pipelined() {
    let Some(dc) = dovecot() else { return };
    let mut s = session(&dc, "alice");
    let name = unique("pipelined");
    let uids = fill(
        &mut s,
        &name,
        &[
            (vec![Flag::Seen], message(1, "a")),
            (vec![], message(2, "b")),
        ],
    );
    s.ok(CommandBody::select(name.clone())).unwrap();
    let fetch_one = |uid: u32| {
        CommandBody::uid_fetch(
            SequenceSet::single(uid).unwrap(),
            [FetchAttribute::Uid, FetchAttribute::Flags],
        )
    };
    // Alone: the answer, no change.
    let events = s.ok(fetch_one(uids[0])).unwrap();
    assert_eq!(fetches(&events).len(), 1);
    assert_eq!(mailbox_changes(&events), []);
    // Two FETCHes pipelined: the same answers, still no change.
    let now = Instant::now();
    let a = s.client.enqueue(now, fetch_one(uids[0])).unwrap();
    let b = s.client.enqueue(now, fetch_one(uids[1])).unwrap();
    let (mut events, _) = s.wait(a).unwrap();
    events.extend(s.wait(b).unwrap().0);
    assert_eq!(fetches(&events).len(), 2);
    assert_eq!(mailbox_changes(&events), [], "{events:#?}");
    s.ok(CommandBody::close()).unwrap();
    s.ok(CommandBody::delete(name)).unwrap();
    s.logout().unwrap();
}

/// Another session's flag change that arrives during our FETCH of another
/// message is a change: the model must report it. Dovecot sends
/// `* 2 FETCH (FLAGS (\Flagged \Recent))` (no UID) in the middle of our
/// `UID FETCH 1 (UID FLAGS)`; the client routes it to our FETCH's handle
/// and, taking it for the FETCH's answer, makes no `FlagsChanged`: a sync
/// tool that keeps flags from the model's events never learns of it (and
/// the `Data` event names our FETCH, so it cannot tell either).
/// Was a bug (fixed in stop 33).
#[test]
fn flag_change_elsewhere_during_fetch_is_reported() {
    let Some(dc) = dovecot() else { return };
    let mut s = session(&dc, "bob");
    let name = unique("during-fetch");
    let uids = fill(
        &mut s,
        &name,
        &[(vec![], message(1, "a")), (vec![], message(2, "b"))],
    );
    s.ok(CommandBody::select(name.clone())).unwrap();
    s.ok(CommandBody::fetch(
        SequenceSet::all(),
        [FetchAttribute::Uid],
    ))
    .unwrap();
    let mut other = session(&dc, "bob");
    other.ok(CommandBody::select(name.clone())).unwrap();
    other
        .ok(CommandBody::uid_store(
            SequenceSet::single(uids[1]).unwrap(),
            StoreAction::Add,
            [Flag::Flagged],
        ))
        .unwrap();
    other.logout().unwrap();
    // Our FETCH asks for message 1 only.
    let events = s
        .ok(CommandBody::uid_fetch(
            SequenceSet::single(uids[0]).unwrap(),
            [FetchAttribute::Uid, FetchAttribute::Flags],
        ))
        .unwrap();
    let unsolicited = fetches(&events).into_iter().any(|(seq, _)| seq == 2);
    assert!(unsolicited, "Dovecot sent the change during the FETCH");
    let changes = mailbox_changes(&events);
    assert!(
        changes.iter().any(|c| matches!(c,
            MailboxChange::FlagsChanged { uid: Some(u), flags, .. }
                if *u == uids[1] && flags.contains(&Flag::Flagged))),
        "{changes:?}"
    );
    s.ok(CommandBody::close()).unwrap();
    s.ok(CommandBody::delete(name)).unwrap();
    s.logout().unwrap();
}
