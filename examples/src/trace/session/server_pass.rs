//! Client to server: the recorded commands through a [`Server`], answered
//! the way the recorded server answered them.
//!
//! The Server is configured from the recording: the capabilities the
//! recorded server announced (a broad set when it announced none), the
//! SASL mechanisms the recorded client used (each run by a
//! [`TranscriptServer`]), the commands the library does not know
//! registered as extension commands valid in every state, no failure
//! delays and no cut-offs (a replay reports, it does not defend).
//! Credentials are accepted in plaintext: the recording says whether
//! they were good.

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::Arc;
use std::time::Instant;

use imapkit_codec::framer::{Direction, Frame, FrameEvent, Framer, FramerConfig};
use imapkit_codec::redact::Redacted;
use imapkit_proto::{
    AuthMechanism, AuthenticateData, Capability, Command, CommandBody, GreetingKind, IntoStatic,
    LiteralMode, RespText, Response, Secret, Status, StatusKind, Tag,
};
use imapkit_state::sasl::Identity;
use imapkit_state::server::{
    AuthVerdict, CloseReason, Completion, Event, ExtensionCommand, LiteralSupport,
    MechanismFactory, Server, ServerConfig,
};
use imapkit_state::ConnectionSecurity;

use super::super::sasl::{NextPlan, Recorded as SaslMessage, TranscriptServer};
use super::super::{ends_inside_message, roundtrip_command, Options, Summary};
use super::{error_line, finding, status_name, stopped, undecoded, Item, Recorded, Replay};

/// Replays `commands` through a Server and returns what the client pass
/// replays.
pub(super) fn run(
    commands: &[u8],
    recorded: &Recorded,
    o: &Options,
    out: &mut dyn Write,
    s: &mut Summary,
) -> io::Result<Replay> {
    let now = Instant::now();
    let plan = NextPlan::default();
    let config = config(commands, recorded, plan.clone());
    let config = Arc::new(config);
    let plaintext = ConnectionSecurity::Plaintext;
    // The Server greets as the recorded server did.
    let server = match recorded.greeting() {
        Some(GreetingKind::PreAuth) => {
            let identity = Identity {
                authcid: "preauth".to_owned(),
                authzid: None,
            };
            Server::preauth(config, now, plaintext, identity)
        }
        Some(GreetingKind::Bye) => {
            // A constant text is valid.
            let text = RespText::text("refused as recorded").expect("a valid response text");
            Server::refuse(config, plaintext, text)
        }
        _ => Server::new(config, now, plaintext),
    };
    let mut pass = Pass {
        now,
        server,
        wire: Vec::new(),
        output: Framer::new(FramerConfig::new(Direction::ServerToClient)),
        recorded,
        plan,
        mode: Mode::Command,
        awaiting_challenge: None,
        names: HashMap::new(),
        current: None,
        replay: Replay::default(),
        frame_failed: false,
        frame_offset: 0,
        secret_follows: false,
        stop: None,
        continues: 0,
        closed: false,
        ended: None,
    };
    let mut after_end = false;
    // The greeting.
    pass.settle(out, s)?;

    let mut framer = Framer::new(FramerConfig::new(Direction::ClientToServer));
    let mut fed = 0usize;
    let chunk = o.chunk.unwrap_or(commands.len()).max(1);
    'input: for piece in commands.chunks(chunk) {
        framer.push(piece);
        while let Some(ev) = framer.poll_event() {
            pass.frame_failed = false;
            match ev {
                FrameEvent::Frame(frame) => {
                    pass.frame_offset = frame.offset;
                    pass.frame(&frame, o, out, s)?;
                    if let (Some(end), false) = (pass.ended, after_end) {
                        after_end = true;
                        finding(
                            out,
                            s,
                            frame.offset,
                            format_args!("the client sent more after {end} ended the session"),
                        )?;
                    }
                }
                FrameEvent::Error(e) => {
                    pass.frame_offset = e.offset;
                    pass.frame_failed = true;
                    let raw = pass.shown(&e.raw);
                    error_line(out, s, e.offset, format_args!("{e}"), raw)?;
                    pass.secret_follows |= raw.is_hidden();
                }
                FrameEvent::LiteralAnnounced {
                    mode: LiteralMode::Sync,
                    ..
                } if !pass.closed => {
                    // Whether the data comes is the Server's to say: `+`,
                    // or a refusal after which the client sends none and
                    // the next bytes are the next command (RFC 9051 §4.3).
                    let start = usize::try_from(framer.stats().consumed).unwrap_or(usize::MAX);
                    let head_end = start
                        .saturating_add(framer.current_message().len())
                        .min(commands.len());
                    if head_end > fed {
                        let mode = pass.mode.clone();
                        pass.frame_offset = start as u64;
                        pass.frame_failed = mode != Mode::Command;
                        let continues = pass.continues;
                        pass.server.handle_input(now, &commands[fed..head_end]);
                        pass.settle(out, s)?;
                        fed = head_end;
                        if pass.continues == continues {
                            let head = framer.current_message().to_vec();
                            framer.reject_literal();
                            pass.refused_literal(start as u64, &mode, &head, out, s)?;
                        }
                    }
                }
                _ => {}
            }
            // The Server reads the stream as it is, byte for byte, so its
            // offsets are the recording's.
            let consumed = usize::try_from(framer.stats().consumed).unwrap_or(commands.len());
            let consumed = consumed.min(commands.len());
            if !pass.closed && consumed > fed {
                pass.server.handle_input(now, &commands[fed..consumed]);
                pass.settle(out, s)?;
            }
            fed = fed.max(consumed);
            if let Some(what) = pass.stop {
                stopped(out, what, fed, commands.len())?;
                break 'input;
            }
        }
    }
    if pass.stop.is_none() {
        ends_inside_message(&framer, out, s)?;
    }
    s.literal_bytes += framer.stats().literal_bytes;
    Ok(pass.replay)
}

/// The Server's configuration for replaying `commands`.
fn config(commands: &[u8], recorded: &Recorded, plan: NextPlan) -> ServerConfig {
    let mut config = ServerConfig::default();
    let announced = recorded.capabilities();
    let has = |c: &Capability<'_>| announced.contains(c);
    let compress = |c: &Capability<'_>| matches!(c, Capability::Compress(a) if a.as_bytes().eq_ignore_ascii_case(b"DEFLATE"));
    if announced.is_empty() {
        config.capabilities = broad_capabilities();
        config.literals = LiteralSupport::Plus;
        config.compress = true;
    } else {
        // The connection's capabilities among them (STARTTLS, AUTH=,
        // LITERAL+, COMPRESS=, ...) are left out by the Server, which
        // decides those itself (see `ServerConfig::capabilities`).
        config.capabilities = announced.to_vec();
        config.literals = if has(&Capability::LiteralPlus) {
            LiteralSupport::Plus
        } else if has(&Capability::LiteralMinus) {
            LiteralSupport::Minus
        } else {
            LiteralSupport::None
        };
        config.compress = announced.iter().any(compress);
    }
    config.tls_required_for_credentials = false;
    let scan = prescan(commands);
    // STARTTLS and COMPRESS are the Server's own to answer: offered only
    // if the recorded server accepted them, so that a refused one does not
    // end the replay (the pass stops at one that succeeded).
    let accepted = |tags: &[Vec<u8>]| tags.iter().any(|t| recorded.status(t) == Some(Status::Ok));
    config.starttls = accepted(&scan.starttls);
    config.compress &= scan.compress.is_empty() || accepted(&scan.compress);
    config.sasl_mechanisms = scan.mechanisms;
    config.extension_commands = scan.extensions;
    let factory: MechanismFactory = Arc::new(move |request| {
        let next = plan.lock().ok()?.take()?;
        Some(Box::new(TranscriptServer::new(request.mechanism.clone(), next)) as _)
    });
    config.sasl_factory = Some(factory);
    config.throttle.failure_delays = Vec::new();
    config.throttle.max_auth_failures = u32::MAX;
    config.throttle.max_garbage = u32::MAX;
    config.limits.max_in_flight = usize::MAX;
    config.limits.max_output = usize::MAX / 2;
    config
}

/// What a server supports when the recording does not say (most of what
/// the library's Server knows).
fn broad_capabilities() -> Vec<Capability<'static>> {
    let thread =
        |name: &'static str| Capability::Thread(imapkit_proto::Atom::unvalidated(name.as_bytes()));
    vec![
        Capability::Imap4Rev1,
        Capability::Imap4Rev2,
        Capability::Id,
        Capability::CondStore,
        Capability::QResync,
        Capability::Sort,
        thread("REFERENCES"),
        thread("ORDEREDSUBJECT"),
        Capability::Quota,
        Capability::Acl,
        Capability::Metadata,
        Capability::Notify,
        Capability::Unauthenticate,
    ]
}

/// What a first look at the recorded commands says.
#[derive(Default)]
struct Prescan {
    /// The SASL mechanisms the recorded client asked for.
    mechanisms: Vec<AuthMechanism<'static>>,
    /// The commands it sent that the library does not know (registered as
    /// extension commands valid in every state, so that the recorded
    /// answer decides).
    extensions: Vec<ExtensionCommand>,
    /// The tags of its STARTTLS commands.
    starttls: Vec<Vec<u8>>,
    /// The tags of its COMPRESS commands.
    compress: Vec<Vec<u8>>,
}

/// Reads the recorded commands once, ahead of the replay.
fn prescan(commands: &[u8]) -> Prescan {
    let mut framer = Framer::new(FramerConfig::new(Direction::ClientToServer));
    framer.push(commands);
    let mut scan = Prescan::default();
    while let Some(ev) = framer.poll_event() {
        let FrameEvent::Frame(frame) = ev else {
            continue;
        };
        let Ok(Command { tag, body }) = frame.decode_command() else {
            continue;
        };
        match body {
            CommandBody::Authenticate { mechanism, .. }
                if !scan.mechanisms.contains(&mechanism) =>
            {
                scan.mechanisms.push(mechanism.into_static());
            }
            CommandBody::StartTls => scan.starttls.push(tag.as_bytes().to_vec()),
            CommandBody::Compress { .. } => scan.compress.push(tag.as_bytes().to_vec()),
            body @ CommandBody::Other(_)
                if !scan
                    .extensions
                    .iter()
                    .any(|e| e.name.eq_ignore_ascii_case(body.name())) =>
            {
                let mut e = ExtensionCommand::new(body.name());
                e.not_authenticated = true;
                scan.extensions.push(e);
            }
            _ => {}
        }
    }
    scan
}

/// How the next client message is read, as the Server's answers so far say.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Mode {
    /// A command.
    Command,
    /// A line of the AUTHENTICATE exchange with this tag (after a `+`).
    Sasl(Vec<u8>),
    /// `DONE`: the IDLE with this tag is running.
    Idle(Vec<u8>),
}

struct Pass<'r> {
    now: Instant,
    server: Server,
    /// The Server's output not yet framed.
    wire: Vec<u8>,
    output: Framer,
    recorded: &'r Recorded,
    plan: NextPlan,
    mode: Mode,
    /// An AUTHENTICATE was fed and not answered: a `+` starts its exchange.
    awaiting_challenge: Option<Vec<u8>>,
    /// Command name by tag, for the Server's answers.
    names: HashMap<Vec<u8>, String>,
    /// The tag of the last command fed (LOGIN runs alone: a login
    /// decision is about it).
    current: Option<Vec<u8>>,
    replay: Replay,
    /// The current message did not decode (already counted): the Server's
    /// syntax and framing complaints about it are not counted again.
    frame_failed: bool,
    frame_offset: u64,
    /// A credential command did not decode: what follows until a message
    /// decodes may be its data.
    secret_follows: bool,
    /// Why the pass stops (STARTTLS, COMPRESS).
    stop: Option<&'static str>,
    /// Continuation requests the Server sent (a synchronizing literal it
    /// accepted gets one).
    continues: u64,
    /// The Server closed the session.
    closed: bool,
    /// It closed the way sessions end (LOGOUT, a BYE greeting).
    ended: Option<&'static str>,
}

impl Pass<'_> {
    /// Raw bytes as they may be shown now.
    fn shown<'a>(&self, bytes: &'a [u8]) -> Redacted<'a> {
        if matches!(self.mode, Mode::Sasl(_)) || self.secret_follows {
            Redacted::secret(bytes)
        } else {
            Redacted::message(Direction::ClientToServer, bytes)
        }
    }

    /// Decodes and prints a client message as the Server expects it.
    fn frame(
        &mut self,
        frame: &Frame,
        o: &Options,
        out: &mut dyn Write,
        s: &mut Summary,
    ) -> io::Result<()> {
        // Ok(whether what follows may be SASL data), or the decode error.
        let decoded = match self.mode.clone() {
            Mode::Command => match frame.decode_command() {
                Ok(c) => {
                    if !o.quiet {
                        writeln!(out, "{:>8} C: {c:?}", frame.offset)?;
                    }
                    if o.roundtrip {
                        roundtrip_command(&c, frame.offset, out, s)?;
                    }
                    // A line after AUTHENTICATE outside its exchange may
                    // still be SASL data.
                    let secret = matches!(c.body, CommandBody::Authenticate { .. });
                    self.command(c.into_static());
                    Ok(secret)
                }
                Err(e) => {
                    if let Some(tag) = leading_tag(&frame.bytes) {
                        self.replay.undecoded_tags.insert(tag);
                    }
                    Err(e)
                }
            },
            Mode::Sasl(tag) => match frame.decode_authenticate_data() {
                Ok(d) => {
                    if !o.quiet {
                        // `Debug` redacts the SASL data.
                        writeln!(out, "{:>8} C: {d:?}", frame.offset)?;
                    }
                    let message = match d {
                        AuthenticateData::Continue(r) => {
                            SaslMessage::Response(Secret::new(r.declassify().as_bytes().to_vec()))
                        }
                        AuthenticateData::Cancel => SaslMessage::Cancel,
                    };
                    if let Some(item) = self.exchange_item(&tag) {
                        item.sasl.push(message);
                    }
                    Ok(true)
                }
                Err(e) => {
                    if let Some(item) = self.exchange_item(&tag) {
                        item.sasl_undecoded = true;
                    }
                    Err(e)
                }
            },
            Mode::Idle(_) => match frame.decode_idle_done() {
                Ok(()) => {
                    if !o.quiet {
                        writeln!(out, "{:>8} C: DONE", frame.offset)?;
                    }
                    Ok(false)
                }
                Err(e) => Err(e),
            },
        };
        match decoded {
            Ok(secret) => {
                s.messages += 1;
                self.secret_follows = secret;
            }
            Err(e) => {
                self.frame_failed = true;
                let raw = self.shown(&frame.bytes);
                let during = match self.mode {
                    Mode::Command => "",
                    Mode::Sasl(_) => "in an AUTHENTICATE exchange: ",
                    Mode::Idle(_) => "during IDLE, expected DONE: ",
                };
                undecoded(out, s, frame, during, &e, raw)?;
                self.secret_follows |= raw.is_hidden();
            }
        }
        Ok(())
    }

    /// A command the Server refused at its synchronizing literal (`head`:
    /// the message up to the literal's header, at `offset`; `mode`: how
    /// it was to be read): the client sends no data, the Server reads on
    /// with the next command, and so does the trace. In place of an
    /// AUTHENTICATE response or IDLE's DONE it is an error; else a
    /// message, whose answer the Server compared with the recording.
    fn refused_literal(
        &mut self,
        offset: u64,
        mode: &Mode,
        head: &[u8],
        out: &mut dyn Write,
        s: &mut Summary,
    ) -> io::Result<()> {
        let raw = match mode {
            Mode::Sasl(_) => Redacted::secret(head),
            _ => Redacted::message(Direction::ClientToServer, head),
        };
        let during = match mode {
            Mode::Command => None,
            Mode::Sasl(_) => Some("in an AUTHENTICATE exchange"),
            Mode::Idle(_) => Some("during IDLE, expected DONE"),
        };
        match during {
            Some(during) => {
                let reason =
                    format_args!("{during}: a command with a literal, refused before its data");
                error_line(out, s, offset, reason, raw)?;
            }
            None => {
                s.messages += 1;
                writeln!(
                    out,
                    "{offset:>8} C: refused before its literal's data: {raw:?}"
                )?;
            }
        }
        self.secret_follows |= raw.is_hidden();
        Ok(())
    }

    /// The AUTHENTICATE command tagged `tag`.
    fn exchange_item(&mut self, tag: &[u8]) -> Option<&mut Item> {
        let mut items = self.replay.items.iter_mut().rev();
        items.find(|i| i.command.tag.as_bytes() == tag)
    }

    /// A decoded command, before the Server reads it.
    fn command(&mut self, command: Command<'static>) {
        let tag = command.tag.as_bytes().to_vec();
        if let CommandBody::Authenticate { .. } = &command.body {
            let next = self.recorded.plan(&tag);
            if let Ok(mut slot) = self.plan.lock() {
                *slot = Some(next);
            }
            self.awaiting_challenge = Some(tag.clone());
        }
        self.names
            .insert(tag.clone(), command.body.name().to_owned());
        self.current = Some(tag);
        self.replay.items.push(Item {
            command,
            sasl: Vec::new(),
            sasl_undecoded: false,
        });
    }

    /// Runs the Server until it has nothing more to say: answers its
    /// requests as recorded and reads its output.
    fn settle(&mut self, out: &mut dyn Write, s: &mut Summary) -> io::Result<()> {
        loop {
            let mut progress = false;
            while self
                .server
                .poll_transmit(self.now, &mut self.wire)
                .is_some()
            {
                progress = true;
            }
            self.read_output(out, s)?;
            if self.server.poll_timeout().is_some_and(|t| t <= self.now) {
                self.server.handle_timeout(self.now);
                progress = true;
            }
            while let Some(event) = self.server.poll_event() {
                progress = true;
                self.event(event, out, s)?;
            }
            if !progress {
                return Ok(());
            }
        }
    }

    fn event(&mut self, event: Event, out: &mut dyn Write, s: &mut Summary) -> io::Result<()> {
        let now = self.now;
        match event {
            Event::CommandReceived { request, command } => {
                // A command the recording never answered is completed OK
                // (the finding is reported with the Server's answer).
                let status = self
                    .recorded
                    .status(command.tag.as_bytes())
                    .unwrap_or(Status::Ok);
                // A constant text is valid.
                let text = RespText::text("replayed").expect("a valid response text");
                let _ = self
                    .server
                    .respond(now, request, Completion::new(status, text));
            }
            Event::LoginAttempt(attempt) => {
                let ok = self
                    .current
                    .as_deref()
                    .and_then(|t| self.recorded.status(t))
                    .is_none_or(Status::is_ok);
                let verdict = if ok {
                    AuthVerdict::Accept
                } else {
                    AuthVerdict::Reject
                };
                let _ = self.server.decide_login(now, attempt, verdict);
            }
            Event::ScramLookup(lookup) => {
                // The transcript mechanism never asks; answered for completeness.
                let _ = self.server.supply_scram(now, lookup, None);
            }
            Event::IdleStarted { .. } => {
                if let Some(tag) = self.current.clone() {
                    self.mode = Mode::Idle(tag);
                }
            }
            Event::IdleEnded { .. } => self.mode = Mode::Command,
            Event::StartTlsReady => self.stop = Some("STARTTLS succeeded"),
            Event::Violation(v) => {
                // About a message that did not decode (counted as an error).
                let dup = self.frame_failed && v.offset == self.frame_offset;
                if !dup {
                    finding(out, s, v.offset, format_args!("the Server: {}", v.kind))?;
                }
            }
            Event::Closed { reason } => {
                self.closed = true;
                self.ended = match reason {
                    CloseReason::Logout => Some("LOGOUT"),
                    CloseReason::Refused => Some("the BYE greeting"),
                    _ => None,
                };
                if self.ended.is_none() {
                    finding(
                        out,
                        s,
                        self.frame_offset,
                        format_args!(
                            "the Server closed the session ({reason:?}); what follows is not replayed"
                        ),
                    )?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Reads the Server's answers: tagged ones are compared with the
    /// recorded ones; a `+` after AUTHENTICATE starts the exchange.
    fn read_output(&mut self, out: &mut dyn Write, s: &mut Summary) -> io::Result<()> {
        if self.wire.is_empty() {
            return Ok(());
        }
        self.output.push(&self.wire);
        self.wire.clear();
        while let Some(ev) = self.output.poll_event() {
            let FrameEvent::Frame(frame) = ev else {
                continue;
            };
            let Ok(response) = frame.decode_response() else {
                continue;
            };
            match response {
                Response::Continue(_) => {
                    self.continues += 1;
                    if let Some(tag) = self.awaiting_challenge.take() {
                        self.mode = Mode::Sasl(tag);
                    }
                }
                Response::Status(r) => {
                    if let StatusKind::Tagged { tag, status } = &r.kind {
                        self.answered(tag, *status, &r.text, out, s)?;
                    }
                }
                Response::Data(_) => {}
            }
        }
        Ok(())
    }

    /// The Server answered `tag` with `status`.
    fn answered(
        &mut self,
        tag: &Tag<'_>,
        status: Status,
        text: &RespText<'_>,
        out: &mut dyn Write,
        s: &mut Summary,
    ) -> io::Result<()> {
        let tag = tag.as_bytes();
        let Some(name) = self.names.get(tag).map(String::as_str) else {
            // Not a command the trace decoder framed: the Server read the
            // bytes otherwise (after refusing a synchronizing literal the
            // recorded server accepted, reported), or answered a message
            // that did not decode (counted as an error).
            return Ok(());
        };
        match self.recorded.status(tag) {
            // The answer to a message that did not decode (counted as an
            // error): a consequence, not a finding.
            _ if self.frame_failed => {}
            Some(r) if r != status => finding(
                out,
                s,
                self.frame_offset,
                format_args!(
                    "the Server answered {} {name} with {} ({}) where the recorded server answered {}",
                    String::from_utf8_lossy(tag),
                    status_name(status),
                    text.human().to_string_lossy(),
                    status_name(r)
                ),
            )?,
            Some(_) => {}
            None => finding(
                out,
                s,
                self.frame_offset,
                format_args!(
                    "the recorded server never answered {} {name}",
                    String::from_utf8_lossy(tag)
                ),
            )?,
        }
        if name == "COMPRESS" && status == Status::Ok {
            // From here on both directions are compressed.
            self.stop = Some("COMPRESS succeeded");
        }
        if self.awaiting_challenge.as_deref() == Some(tag) {
            self.awaiting_challenge = None;
        }
        if matches!(&self.mode, Mode::Sasl(t) | Mode::Idle(t) if t.as_slice() == tag) {
            self.mode = Mode::Command;
        }
        Ok(())
    }
}

/// The tag of a command line that did not decode, if it starts with one.
pub(super) fn leading_tag(bytes: &[u8]) -> Option<Vec<u8>> {
    let end = bytes.iter().position(|&b| b == b' ')?;
    let tag = &bytes[..end];
    let s = std::str::from_utf8(tag).ok()?;
    Tag::try_from(s).ok().map(|_| tag.to_vec())
}
