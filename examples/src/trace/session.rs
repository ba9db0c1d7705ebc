//! The session-aware trace decoder (`imap-decode --session`): a recorded
//! session, both directions, replayed through the library's own state
//! machines, so that each message is decoded as what it is at its point in
//! the session.
//!
//! ```text
//!  commands  --> Framer --> decode (command / AUTHENTICATE line / DONE, as the Server expects)
//!                   |                                   |
//!                   +--> Server (answers: the recorded ones) --> refusals, violations
//!  responses --> Framer --> decode (greeting first, then responses)
//!                   |
//!                   +--> Client (commands: the recorded ones, tags mapped) --> violations
//! ```
//!
//! - **Client to server.** The client's bytes go, message by message, into
//!   a [`Server`] that greets as the recorded server did (`OK`, `PREAUTH`
//!   or `BYE`) and offers what it announced (its capabilities; a broad set
//!   if the recording holds none), the SASL mechanisms the client used and
//!   the commands the library does not know. The trace decoder plays the
//!   application and answers every command and login the way the recorded
//!   server did (its tagged responses, read from the other direction
//!   first). What the Server expects next decides how the next message is
//!   decoded: a command, an AUTHENTICATE line (only while an exchange is
//!   in progress: the trace decoder's own SASL mechanism asks for as many
//!   lines as the recorded server did, then ends as it did) or IDLE's
//!   `DONE` (only while idling). A line such as `NOOP\r\n` without a tag is then an
//!   error, not SASL data. Where the Server answers otherwise than the
//!   recorded server (it refuses a command in the wrong state or an
//!   extension that was not announced, ...) or reports a violation, that
//!   is a finding.
//! - **Server to client.** The recorded commands are enqueued into a
//!   [`Client`] (AUTHENTICATE with a mechanism that sends the recorded
//!   lines, literals as they were sent), which sends them as its rules
//!   allow; the server's bytes go in
//!   message by message, each tagged response's tag mapped to the Client's
//!   own. The first message must be a greeting (`* OK`, `* PREAUTH`,
//!   `* BYE`): a tagged response or `* NO` first is an error (and the
//!   Client closes: the rest is decoded without it). The Client's
//!   violations (a tag not in flight, a `+` nobody waits for, EXPUNGE
//!   beyond EXISTS, ...) and the commands it would not send are findings.
//!
//! Each line gives the stream offset of the message, in its direction.
//! Three kinds of report: `error:` (a message that does not frame or
//! decode where it stands, counted in [`Summary::errors`]), `session:` (a
//! finding, counted in [`Summary::violations`]) and `note:` (where a pass
//! stops, or a consequence of an error already counted). A state machine's
//! complaint about a message that did not decode is not counted again.
//!
//! Both passes stop at a STARTTLS or COMPRESS that succeeded: what follows
//! is encrypted or compressed. Output never holds credentials (decoded
//! values print with `Debug`, which redacts them; raw bytes print through
//! [`Redacted`], and a line that follows AUTHENTICATE is hidden even
//! outside the exchange).
//!

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};

use imapkit_codec::framer::{Direction, Frame, FrameEvent, Framer, FramerConfig};
use imapkit_codec::redact::Redacted;
use imapkit_codec::DecodeError;
use imapkit_proto::{
    Capability, Command, Data, GreetingKind, IntoStatic, Response, ResponseCode, Status, StatusKind,
};
#[cfg(doc)]
use imapkit_state::{client::Client, server::Server};

use super::sasl::{Plan, Recorded as SaslMessage};
use super::{Options, Summary};

mod client_pass;
mod server_pass;

/// Decodes a recorded session: `commands` (client to server) through a
/// Server, then `responses` (server to client) through a Client, writing
/// a line per message, error and session finding to `out`, and adds to
/// `summary` (findings count as [`Summary::violations`]).
pub fn decode_session(
    commands: &[u8],
    responses: &[u8],
    o: &Options,
    out: &mut dyn Write,
    summary: &mut Summary,
) -> io::Result<()> {
    let recorded = Recorded::scan(responses);
    writeln!(out, "client to server (through a Server):")?;
    let replay = server_pass::run(commands, &recorded, o, out, summary)?;
    writeln!(out, "server to client (through a Client):")?;
    client_pass::run(responses, &replay, o, out, summary)?;
    summary.bytes += (commands.len() + responses.len()) as u64;
    Ok(())
}

/// What the client pass replays: the commands the server pass decoded.
#[derive(Debug, Default)]
pub(crate) struct Replay {
    /// The decoded commands, in order.
    pub(crate) items: Vec<Item>,
    /// Tags of commands that did not decode (already reported): the
    /// recorded server's answers to them are not fed to the Client.
    pub(crate) undecoded_tags: HashSet<Vec<u8>>,
}

/// A command the recorded client sent, with the SASL messages that
/// followed it (for AUTHENTICATE).
#[derive(Debug)]
pub(crate) struct Item {
    pub(crate) command: Command<'static>,
    pub(crate) sasl: Vec<SaslMessage>,
    /// A line of its exchange did not decode (reported): the replayed
    /// client runs out of messages there.
    pub(crate) sasl_undecoded: bool,
}

/// What the recorded server answered to each tag and the capabilities it
/// announced, read from the responses before the replay.
#[derive(Debug, Default)]
pub(crate) struct Recorded {
    answers: HashMap<Vec<u8>, Answer>,
    /// Every capability announced (greeting, CAPABILITY data, codes), in
    /// order of first appearance.
    capabilities: Vec<Capability<'static>>,
    /// How the recorded server greeted, if its first message is a greeting.
    greeting: Option<GreetingKind>,
}

#[derive(Debug, Clone, Copy)]
struct Answer {
    status: Status,
    /// Continuation requests since the previous tagged response: for an
    /// AUTHENTICATE (which runs alone), its challenges.
    continuations: usize,
}

impl Recorded {
    /// The tagged responses of a response stream (messages that do not
    /// frame or decode are skipped: the client pass reports them).
    pub(crate) fn scan(responses: &[u8]) -> Self {
        let mut framer = Framer::new(FramerConfig::new(Direction::ServerToClient));
        framer.push(responses);
        let mut recorded = Self::default();
        let mut continuations = 0;
        while let Some(ev) = framer.poll_event() {
            let FrameEvent::Frame(frame) = ev else {
                continue;
            };
            if frame.offset == 0 {
                recorded.greeting = frame.decode_greeting().ok().map(|g| g.kind);
            }
            match frame.decode_response() {
                Ok(Response::Continue(_)) => continuations += 1,
                Ok(Response::Status(s)) => {
                    if let Some(ResponseCode::Capability(caps)) = s.text.code() {
                        recorded.announce(caps.as_slice());
                    }
                    if let StatusKind::Tagged { tag, status } = &s.kind {
                        let answer = Answer {
                            status: *status,
                            continuations,
                        };
                        recorded.answers.insert(tag.as_bytes().to_vec(), answer);
                        continuations = 0;
                    }
                }
                Ok(Response::Data(Data::Capability(caps))) => recorded.announce(caps.as_slice()),
                _ => {}
            }
        }
        recorded
    }

    fn announce(&mut self, caps: &[Capability<'_>]) {
        for c in caps {
            if !self.capabilities.contains(c) {
                self.capabilities.push(c.clone().into_static());
            }
        }
    }

    /// How the recorded server greeted (`None`: its first message is not a
    /// greeting).
    pub(crate) fn greeting(&self) -> Option<GreetingKind> {
        self.greeting
    }

    /// The capabilities the recorded server announced (empty if the
    /// recording holds none).
    pub(crate) fn capabilities(&self) -> &[Capability<'static>] {
        &self.capabilities
    }

    /// How the recorded server answered `tag`, if it did.
    pub(crate) fn status(&self, tag: &[u8]) -> Option<Status> {
        self.answers.get(tag).map(|a| a.status)
    }

    /// How the AUTHENTICATE tagged `tag` went: its challenges and outcome
    /// (no answer recorded: no challenge, success).
    pub(crate) fn plan(&self, tag: &[u8]) -> Plan {
        match self.answers.get(tag) {
            Some(a) => Plan {
                challenges: a.continuations,
                ok: a.status == Status::Ok,
            },
            None => Plan {
                challenges: 0,
                ok: true,
            },
        }
    }
}

/// `OK`, `NO` or `BAD`.
pub(crate) fn status_name(status: Status) -> &'static str {
    match status {
        Status::Ok => "OK",
        Status::No => "NO",
        Status::Bad => "BAD",
    }
}

/// Writes a finding of the replay at `offset` and counts it.
pub(crate) fn finding(
    out: &mut dyn Write,
    s: &mut Summary,
    offset: u64,
    what: std::fmt::Arguments<'_>,
) -> io::Result<()> {
    s.violations += 1;
    writeln!(out, "{offset:>8} session: {what}")
}

/// Writes a remark of the replay at `offset` that is neither an error nor
/// a finding (where a pass stops, a consequence of an error already
/// counted).
pub(crate) fn note(
    out: &mut dyn Write,
    offset: u64,
    what: std::fmt::Arguments<'_>,
) -> io::Result<()> {
    writeln!(out, "{offset:>8} note: {what}")
}

/// Notes where a pass stops (`what`: STARTTLS, COMPRESS), `fed` bytes into
/// an input of `len` bytes.
pub(crate) fn stopped(out: &mut dyn Write, what: &str, fed: usize, len: usize) -> io::Result<()> {
    let left = len - fed;
    note(
        out,
        fed as u64,
        format_args!("{what}: the remaining {left} bytes are not decoded"),
    )
}

/// Counts and reports a message that did not decode: `what` (where in
/// the session), the reason and its stream offset, and the message's bytes
/// (`raw`, redacted as the session's state says).
pub(crate) fn undecoded(
    out: &mut dyn Write,
    s: &mut Summary,
    frame: &Frame,
    what: &str,
    e: &DecodeError,
    raw: Redacted<'_>,
) -> io::Result<()> {
    let at = frame.offset + e.offset as u64;
    error_line(
        out,
        s,
        frame.offset,
        format_args!("{what}{} at stream offset {at}", e.reason),
        raw,
    )
}

/// Writes an error about raw bytes at `offset` (redacted as `shown` says).
pub(crate) fn error_line(
    out: &mut dyn Write,
    s: &mut Summary,
    offset: u64,
    reason: std::fmt::Arguments<'_>,
    raw: Redacted<'_>,
) -> io::Result<()> {
    s.errors += 1;
    writeln!(out, "{offset:>8} error: {reason}: {raw:?}")
}
