//! Server to client: the recorded responses through a [`Client`] that
//! sends the recorded commands.
//!
//! The Client is configured to send what the recording sent: no STARTTLS
//! of its own, credentials in plaintext allowed, no CAPABILITY of its own,
//! no command timeout, literals as given (a recorded synchronizing literal
//! waits for the recorded `+`). Its tags are its own (`r1`, `r2`, ...):
//! each recorded tagged response is fed with the tag the Client gave the
//! same command.

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::sync::Arc;
use std::time::Instant;

use imapkit_codec::framer::{Direction, Frame, FrameEvent, Framer, FramerConfig};
use imapkit_codec::redact::Redacted;
use imapkit_codec::{decode, Decoded, Encode, LiteralPolicy};
use imapkit_proto::{CommandBody, Response, Secret, StatusKind, Tag};
use imapkit_state::client::{Client, ClientConfig, CloseReason, Event, Outcome, StartTlsPolicy};
use imapkit_state::error::UsageError;
use imapkit_state::{CommandHandle, ConnectionSecurity};

use super::super::sasl::{Recorded as SaslMessage, ReplayClient};
use super::super::{ends_inside_message, mismatch, roundtrip_response, Options, Summary};
use super::server_pass::leading_tag;
use super::{error_line, finding, note, stopped, undecoded, Replay};

/// The Client's tag prefix.
const TAG_PREFIX: &str = "r";

/// Replays `responses` through a Client that sends the commands of `replay`.
pub(super) fn run(
    responses: &[u8],
    replay: &Replay,
    o: &Options,
    out: &mut dyn Write,
    s: &mut Summary,
) -> io::Result<()> {
    let now = Instant::now();
    let mut config = ClientConfig::default();
    config.starttls = StartTlsPolicy::Never;
    config.allow_plaintext_credentials = true;
    config.auto_capability = false;
    config.command_timeout = None;
    config.tag_prefix = TAG_PREFIX.to_owned();
    config.literal_policy = Some(LiteralPolicy::AsGiven);
    let mut pass = Pass {
        now,
        client: Client::new(Arc::new(config), now, ConnectionSecurity::Plaintext),
        handles: HashMap::new(),
        idle: Vec::new(),
        sent: HashMap::new(),
        not_sent: HashSet::new(),
        cancelled: HashSet::new(),
        replay,
        frame_failed: false,
        offset: 0,
        stop: None,
        closed: false,
    };
    pass.enqueue(out, s)?;

    let mut framer = Framer::new(FramerConfig::new(Direction::ServerToClient));
    let mut greeted = false;
    let mut fed = 0usize;
    let chunk = o.chunk.unwrap_or(responses.len()).max(1);
    'input: for piece in responses.chunks(chunk) {
        framer.push(piece);
        while let Some(ev) = framer.poll_event() {
            pass.frame_failed = false;
            let consumed = usize::try_from(framer.stats().consumed).unwrap_or(responses.len());
            let consumed = consumed.min(responses.len());
            match ev {
                FrameEvent::Frame(frame) => {
                    pass.offset = frame.offset;
                    let greeted_before = greeted;
                    let tag = if greeted {
                        response_line(&frame, o, out, s)?
                    } else {
                        greeted = true;
                        greeting_line(&frame, o, out, s)?
                    };
                    pass.frame_failed = tag.is_none();
                    let tag = match tag {
                        // Whatever the first message is, the Client judges it as is.
                        _ if !greeted_before => None,
                        Some(tag) => tag,
                        // A tagged response that did not decode still
                        // completes its command.
                        None => leading_tag(&frame.bytes).filter(|t| pass.handles.contains_key(t)),
                    };
                    pass.feed(&responses[fed..consumed], tag, out, s)?;
                }
                FrameEvent::Error(e) => {
                    pass.offset = e.offset;
                    pass.frame_failed = true;
                    let raw = Redacted::message(Direction::ServerToClient, &e.raw);
                    error_line(out, s, e.offset, format_args!("{e}"), raw)?;
                    pass.feed(&responses[fed..consumed], None, out, s)?;
                }
                _ => pass.feed(&responses[fed..consumed], None, out, s)?,
            }
            fed = fed.max(consumed);
            if let Some(what) = pass.stop {
                stopped(out, what, fed, responses.len())?;
                break 'input;
            }
        }
    }
    if pass.stop.is_none() {
        ends_inside_message(&framer, out, s)?;
    }
    s.literal_bytes += framer.stats().literal_bytes;
    Ok(())
}

/// Decodes and prints the first server message as a greeting. `None`: it
/// did not decode (reported); `Some(None)`: it did (greetings have no tag).
fn greeting_line(
    frame: &Frame,
    o: &Options,
    out: &mut dyn Write,
    s: &mut Summary,
) -> io::Result<Option<Option<Vec<u8>>>> {
    match frame.decode_greeting() {
        Ok(g) => {
            s.messages += 1;
            if !o.quiet {
                writeln!(out, "{:>8} S: {g:?}", frame.offset)?;
            }
            if o.roundtrip {
                let bytes = g.to_vec();
                let same = matches!(decode::greeting(&bytes), Ok(Decoded::Complete { message, consumed })
                    if consumed == bytes.len() && message == g);
                mismatch(
                    !same,
                    frame.offset,
                    Direction::ServerToClient,
                    &bytes,
                    out,
                    s,
                )?;
            }
            Ok(Some(None))
        }
        Err(e) => {
            let raw = Redacted::message(Direction::ServerToClient, &frame.bytes);
            undecoded(out, s, frame, "not a greeting: ", &e, raw)?;
            Ok(None)
        }
    }
}

/// Decodes and prints a server message. `None`: it did not decode
/// (reported); `Some(tag)`: it did, with its tag if it is tagged.
fn response_line(
    frame: &Frame,
    o: &Options,
    out: &mut dyn Write,
    s: &mut Summary,
) -> io::Result<Option<Option<Vec<u8>>>> {
    match frame.decode_response() {
        Ok(r) => {
            s.messages += 1;
            if !o.quiet {
                writeln!(out, "{:>8} S: {r:?}", frame.offset)?;
            }
            if o.roundtrip {
                roundtrip_response(&r, frame.offset, out, s)?;
            }
            let tag = match &r {
                Response::Status(st) => match &st.kind {
                    StatusKind::Tagged { tag, .. } => Some(tag.as_bytes().to_vec()),
                    _ => None,
                },
                _ => None,
            };
            Ok(Some(tag))
        }
        Err(e) => {
            let raw = Redacted::message(Direction::ServerToClient, &frame.bytes);
            undecoded(out, s, frame, "", &e, raw)?;
            Ok(None)
        }
    }
}

struct Pass<'r> {
    now: Instant,
    client: Client,
    /// The Client's handle of each recorded tag.
    handles: HashMap<Vec<u8>, CommandHandle>,
    /// Handles of the IDLE commands.
    idle: Vec<CommandHandle>,
    /// The tag the Client sent each command with.
    sent: HashMap<CommandHandle, Tag<'static>>,
    /// Commands the Client ended without sending them (reported).
    not_sent: HashSet<CommandHandle>,
    /// AUTHENTICATE commands the recorded client cancelled (`*`), or whose
    /// exchange has a line that did not decode (reported): the replayed
    /// mechanism fails there on purpose.
    cancelled: HashSet<CommandHandle>,
    replay: &'r Replay,
    /// The current message did not decode (already counted).
    frame_failed: bool,
    /// Stream offset of the current message.
    offset: u64,
    /// Why the pass stops (STARTTLS, COMPRESS).
    stop: Option<&'static str>,
    /// The Client closed the session.
    closed: bool,
}

impl Pass<'_> {
    /// Enqueues every recorded command; the Client sends them as its rules
    /// and the responses allow.
    fn enqueue(&mut self, out: &mut dyn Write, s: &mut Summary) -> io::Result<()> {
        for item in &self.replay.items {
            let body = item.command.body.clone();
            let result = match body {
                CommandBody::Authenticate {
                    mechanism,
                    initial_response,
                } => {
                    let initial =
                        initial_response.map(|r| Secret::new(r.declassify().as_bytes().to_vec()));
                    let client = ReplayClient::new(mechanism, initial, item.sasl.iter().cloned());
                    let h = self.client.authenticate(self.now, Box::new(client));
                    if let Ok(h) = h {
                        if item.sasl_undecoded || item.sasl.contains(&SaslMessage::Cancel) {
                            self.cancelled.insert(h);
                        }
                    }
                    h
                }
                CommandBody::Idle => {
                    let h = self.client.enqueue(self.now, CommandBody::Idle);
                    if let Ok(h) = h {
                        self.idle.push(h);
                    }
                    h
                }
                body => self.client.enqueue(self.now, body),
            };
            let tag = item.command.tag.as_bytes().to_vec();
            match result {
                Ok(h) => {
                    self.handles.insert(tag, h);
                }
                Err(e) => finding(
                    out,
                    s,
                    0,
                    format_args!(
                        "the Client refuses {} {}: {e}",
                        item.command.tag.as_str(),
                        item.command.body.name()
                    ),
                )?,
            }
        }
        self.drain(out, s)
    }

    /// Feeds a message's bytes to the Client, with the recorded `tag`
    /// mapped to the Client's.
    fn feed(
        &mut self,
        bytes: &[u8],
        tag: Option<Vec<u8>>,
        out: &mut dyn Write,
        s: &mut Summary,
    ) -> io::Result<()> {
        if self.closed || bytes.is_empty() {
            return Ok(());
        }
        let Some(tag) = tag else {
            self.client.handle_input(self.now, bytes);
            return self.drain(out, s);
        };
        if self.replay.undecoded_tags.contains(&tag) {
            // Its command did not decode (reported in the other
            // direction): the Client never sent it.
            return Ok(());
        }
        let Some(&handle) = self.handles.get(&tag) else {
            // Not a recorded command's tag: the Client says what it is.
            self.client.handle_input(self.now, bytes);
            return self.drain(out, s);
        };
        let Some(sent) = self.sent.get(&handle).cloned() else {
            if self.not_sent.contains(&handle) {
                // The Client refused to send it (reported): the recorded
                // answer has no command to complete.
                return Ok(());
            }
            return finding(
                out,
                s,
                self.offset,
                format_args!(
                    "the recorded server answered {} before the Client sent it (the Client keeps it queued: {} pending)",
                    String::from_utf8_lossy(&tag),
                    self.client.pending()
                ),
            );
        };
        if self.idle.contains(&handle) && self.client.is_idle() {
            // The recorded client sent DONE before this answer.
            let _ = self.client.idle_done(self.now);
        }
        let mut mapped = Vec::with_capacity(bytes.len() + sent.as_bytes().len());
        mapped.extend_from_slice(sent.as_bytes());
        mapped.extend_from_slice(&bytes[tag.len()..]);
        self.client.handle_input(self.now, &mapped);
        self.drain(out, s)
    }

    /// Reports the Client's events, then takes what it sends (discarded:
    /// the recording has it), in the calling contract's order.
    fn drain(&mut self, out: &mut dyn Write, s: &mut Summary) -> io::Result<()> {
        while let Some(event) = self.client.poll_event() {
            match event {
                Event::CommandSent { handle, tag } => {
                    self.sent.insert(handle, tag);
                }
                // A violation about a message that did not decode is
                // counted as an error already (the Client's offsets are of
                // the stream with its own tags: the flag tells).
                Event::Violation(v) if !self.frame_failed => {
                    finding(out, s, self.offset, format_args!("the Client: {}", v.kind))?;
                }
                Event::Completed(c) => {
                    let why = match &c.outcome {
                        // The session closed (reported with its reason).
                        Outcome::NotSent(UsageError::Closed) => None,
                        Outcome::NotSent(e) => {
                            self.not_sent.insert(c.handle);
                            Some(format!("not sent: {e}"))
                        }
                        // The replayed mechanism fails where the recorded
                        // client sent `*` or a line that did not decode.
                        Outcome::Sasl(_) if self.cancelled.contains(&c.handle) => None,
                        Outcome::Sasl(e) => Some(format!("SASL: {e}")),
                        Outcome::TimedOut => Some("timed out".to_owned()),
                        _ => None,
                    };
                    if let Some(why) = why {
                        let tag = self.recorded_tag(c.handle);
                        finding(
                            out,
                            s,
                            self.offset,
                            format_args!("the Client ended {tag}: {why}"),
                        )?;
                    }
                }
                Event::StartTls { .. } => self.stop = Some("STARTTLS succeeded"),
                Event::CompressionActive { .. } => self.stop = Some("COMPRESS succeeded"),
                Event::Closed { reason } => {
                    self.closed = true;
                    self.closed_with(reason, out, s)?;
                }
                _ => {}
            }
        }
        let mut sink = Vec::new();
        while self.client.poll_transmit(self.now, &mut sink).is_some() {
            sink.clear();
        }
        Ok(())
    }

    /// The session ended: fine after LOGOUT (or a BYE), a finding
    /// otherwise, unless a message that did not decode (already counted)
    /// made the Client close.
    fn closed_with(
        &mut self,
        reason: CloseReason,
        out: &mut dyn Write,
        s: &mut Summary,
    ) -> io::Result<()> {
        match reason {
            CloseReason::Logout | CloseReason::Bye { .. } | CloseReason::Eof => Ok(()),
            CloseReason::Violation(v) if self.frame_failed => note(
                out,
                self.offset,
                format_args!(
                    "the Client closed the session ({}); what follows is decoded without it",
                    v.kind
                ),
            ),
            other => finding(
                out,
                s,
                self.offset,
                format_args!(
                    "the Client closed the session ({other}); what follows is decoded without it"
                ),
            ),
        }
    }

    /// The recorded tag of a Client handle, for messages.
    fn recorded_tag(&self, handle: CommandHandle) -> String {
        self.handles
            .iter()
            .find(|(_, &h)| h == handle)
            .map(|(t, _)| String::from_utf8_lossy(t).into_owned())
            .unwrap_or_else(|| format!("{handle}"))
    }
}
