//! Reading the client's commands: the framer's events, validity by state,
//! literal admission, framing errors, and handing commands out.

use std::time::Instant;

use imapkit_codec::framer::{Frame, FrameError, FrameErrorKind, FrameEvent, Lent};
use imapkit_codec::{decode, DecodeError, LITERAL_MINUS_MAX};
use imapkit_proto::{
    Capability, Command, CommandBody, Data, FetchAttribute, FetchItems, FetchModifier, IntoStatic,
    LiteralMode, NameEncoding, ResponseCode, SearchKey, SelectParameter, Status, StatusAttribute,
    StoreModifier, Tag,
};

use super::audit::{AuditKind, AuthOutcome, LimitKind};
use super::decision::{coded_text, static_text, Request};
use super::event::{CloseReason, Event};
use super::literal;
use super::state::{self, Handler, Refusal, Route};
use super::version::SearchAnswer;
use super::{utf8_quoted, InFlight, Mode, Pending, Server, SessionState};
use crate::error::{PeerViolation, ViolationKind};
use crate::security::ConnectionSecurity;

/// What a literal's header says besides its length and mode.
#[derive(Debug, Clone, Copy)]
struct Literal {
    /// `~{n}`: a `literal8`.
    binary: bool,
    /// The command is APPEND.
    append: bool,
}

/// What [`Server::process`] took from the framer.
enum Polled {
    /// A command decoded where the framer lent it (then released).
    Command(Command<'static>),
    /// Any other event, a whole message taken out of the buffer included.
    Event(FrameEvent),
}

impl Server {
    /// Whether the session reads the next message from the framer now.
    pub(super) fn can_poll(&self) -> bool {
        match &self.mode {
            Mode::Normal => {
                self.pending.is_none()
                    && self.append_check.is_none()
                    && (self.in_flight.is_empty()
                        || (self.in_flight.len() < self.config.limits.max_in_flight
                            && !self.in_flight.iter().any(|r| r.exclusive)))
                    && !self.out.is_full()
            }
            Mode::Auth(ex) => ex.awaits_response() && !self.out.is_full(),
            Mode::Idle { .. } => true,
            Mode::AwaitingTls | Mode::Draining { .. } | Mode::Closed => false,
        }
    }

    /// Reads and handles messages while the session may.
    pub(super) fn process(&mut self, now: Instant) {
        while self.can_poll() {
            // The command size limit of the state the session is in, for
            // the commands that start from now on.
            let max = self.config.limits.max_message_in(self.state);
            if max != self.framer.max_message() {
                self.framer.set_max_message(max);
            }
            // The lent message is done with (released or taken out)
            // before the handlers below, which need the whole session.
            let polled = match self.framer.poll_lent() {
                None => None,
                Some(Lent::Frame(frame)) => {
                    // A command of one short line (most of what a client
                    // sends), decoded with copies of its strings where the
                    // framer lent it, whose bytes it keeps until the next
                    // read (`Framer::released`); any other message, and a
                    // line that does not decode, is taken out of the
                    // buffer and decoded as a frame.
                    let command = match self.mode {
                        Mode::Normal => frame.decode_command_without_frame(),
                        _ => None,
                    };
                    match command {
                        Some(command) => {
                            frame.release();
                            Some(Polled::Command(command))
                        }
                        None => Some(Polled::Event(FrameEvent::Frame(frame.into_frame()))),
                    }
                }
                Some(Lent::Event(event)) => Some(Polled::Event(event)),
            };
            let event = match polled {
                None => {
                    // Compressed input is inflated as the session reads it.
                    if self.inflate_next() {
                        continue;
                    }
                    break;
                }
                Some(Polled::Command(command)) => {
                    self.framer_clean = true;
                    self.literals_in_command = 0;
                    self.on_decoded_command(now, command, None);
                    continue;
                }
                Some(Polled::Event(event)) => event,
            };
            match event {
                FrameEvent::Frame(frame) => {
                    self.framer_clean = true;
                    self.literals_in_command = 0;
                    match self.mode {
                        Mode::Normal => self.on_command(now, frame),
                        Mode::Auth(_) => self.on_auth_line(now, frame),
                        Mode::Idle { .. } => self.on_idle_line(now, frame),
                        Mode::AwaitingTls | Mode::Draining { .. } | Mode::Closed => {}
                    }
                }
                FrameEvent::LiteralAnnounced {
                    len,
                    mode,
                    binary,
                    append,
                    ..
                } => {
                    self.framer_clean = false;
                    self.on_literal(now, len, mode, Literal { binary, append });
                }
                FrameEvent::Error(e) => {
                    self.framer_clean = false;
                    self.literals_in_command = 0;
                    self.on_frame_error(now, e);
                }
                // The server's framer streams no literals.
                FrameEvent::LiteralStart { .. }
                | FrameEvent::LiteralChunk(_)
                | FrameEvent::LiteralEnd => self.framer_clean = false,
            }
        }
        self.check_backlog();
    }

    /// A complete command (not in an exchange).
    fn on_command(&mut self, now: Instant, frame: Frame) {
        let command = match frame.decode_command_shared() {
            Ok(command) => command,
            Err(e) => {
                self.rearm_autologout(now);
                return self.on_syntax_error(now, &frame, e);
            }
        };
        self.on_decoded_command(now, command, Some(&frame.bytes));
    }

    /// A command decoded from `raw`, or, without `raw`, from the message
    /// the framer lent and released (`Framer::released`).
    fn on_decoded_command(&mut self, now: Instant, command: Command<'static>, raw: Option<&[u8]>) {
        self.rearm_autologout(now);
        if command.tag.as_bytes().len() > self.config.limits.max_tag {
            self.audit(AuditKind::LimitHit {
                limit: LimitKind::TagTooLong,
            });
            return self.refuse_command(None, Status::Bad, static_text("Tag too long"), true);
        }
        let route = state::route(
            &command.body,
            self.state,
            self.features,
            &self.config.extension_commands,
            self.enabled,
        );
        match route {
            Err(refusal) => {
                if refusal == Refusal::WrongState {
                    let raw = raw.unwrap_or_else(|| self.framer.released());
                    self.audit_out_of_state(literal::refused_attempt(raw));
                }
                let text = static_text(refusal.text());
                self.refuse_command(Some(command.tag), Status::Bad, text, refusal.is_garbage());
            }
            Ok(route) if route.exclusive && !self.in_flight.is_empty() => {
                self.pending = Some(Box::new(Pending { route, command }));
            }
            Ok(route) => self.dispatch(now, route, command),
        }
    }

    /// A command that does not parse: BAD (with its tag if it has one).
    fn on_syntax_error(&mut self, now: Instant, frame: &Frame, e: DecodeError) {
        let _ = now;
        self.violation(
            ViolationKind::Syntax {
                reason: e.reason,
                at: e.offset,
            },
            frame.offset,
            &frame.bytes,
        );
        // An AUTHENTICATE whose initial response is not base64 (RFC 9051
        // §6.2.2) is a malformed attempt, as the same bytes on a
        // continuation line are; so is a LOGIN that does not parse.
        self.audit_refused_attempt(&frame.bytes);
        let tag = self.tag_of(&frame.bytes);
        self.refuse_command(tag, Status::Bad, static_text("Syntax error"), true);
    }

    /// A LOGIN or AUTHENTICATE refused before it ran (it does not parse, or
    /// it broke a limit) is a malformed login attempt in the audit log,
    /// with the user or mechanism as far as `raw` names them: every
    /// attempt is recorded, whatever stops it.
    fn audit_refused_attempt(&mut self, raw: &[u8]) {
        let attempt = self.refused_attempt(raw);
        self.audit_malformed(attempt);
    }

    /// The login attempt `raw` stands for, if it is one (before login).
    fn refused_attempt(&self, raw: &[u8]) -> Option<literal::Attempt> {
        (self.state == SessionState::NotAuthenticated)
            .then(|| literal::refused_attempt(raw))
            .flatten()
    }

    /// A LOGIN or AUTHENTICATE (`attempt`, as [`literal::refused_attempt`]
    /// reads it) refused because the session is past authentication is
    /// audited as such ([`AuthOutcome::WrongState`]): every login attempt
    /// is on record, whatever state it came in.
    fn audit_out_of_state(&mut self, attempt: Option<literal::Attempt>) {
        if self.state == SessionState::NotAuthenticated {
            return;
        }
        if let Some((mechanism, user)) = attempt {
            self.audit_auth(mechanism, user, AuthOutcome::WrongState);
        }
    }

    /// Audits `attempt` as malformed.
    fn audit_malformed(&mut self, attempt: Option<literal::Attempt>) {
        if let Some((mechanism, user)) = attempt {
            self.audit_auth(mechanism, user, AuthOutcome::Malformed);
        }
    }

    /// The first token of a message if it is a valid tag of acceptable length.
    fn tag_of(&self, raw: &bytes::Bytes) -> Option<Tag<'static>> {
        let end = raw.iter().position(|&b| b == b' ').unwrap_or(raw.len());
        let token = &raw[..end];
        if token.len() > self.config.limits.max_tag {
            return None;
        }
        Tag::try_from(raw.slice(..end)).ok()
    }

    /// Answers a refused command; garbage before authentication counts
    /// towards the limit, whose last one ends the connection instead.
    pub(super) fn refuse_command(
        &mut self,
        tag: Option<Tag<'static>>,
        status: Status,
        text: imapkit_proto::RespText<'static>,
        garbage: bool,
    ) {
        if garbage
            && self.state == SessionState::NotAuthenticated
            && self.counters.garbage(self.config.throttle.max_garbage)
        {
            self.audit(AuditKind::LimitHit {
                limit: LimitKind::Garbage,
            });
            return self.end_after_in_flight(
                false,
                "Too many invalid commands",
                CloseReason::Garbage,
            );
        }
        self.reply(tag, status, text);
    }

    /// Runs a valid command: the session's own, or the application's.
    pub(super) fn dispatch(&mut self, now: Instant, route: Route, mut command: Command<'static>) {
        if utf8_quoted(self.features, self.enabled) {
            // The client's names are UTF-8, `&` an ordinary character (RFC
            // 9051 §5.1, RFC 6855 §3): said on the values, so that the
            // application reads them as such and a name sent back goes as
            // it came.
            command
                .body
                .for_each_mailbox_mut(|m| m.set_encoding(NameEncoding::Utf8));
        }
        match route.handler {
            Handler::Capability => {
                let caps = self.capability_list();
                self.out
                    .push(&imapkit_proto::Response::Data(Data::Capability(caps)));
                self.tagged(command.tag, Status::Ok, static_text("CAPABILITY completed"));
            }
            Handler::Noop => self.tagged(command.tag, Status::Ok, static_text("NOOP completed")),
            Handler::Logout => {
                self.out.push(&imapkit_proto::StatusResponse {
                    kind: imapkit_proto::StatusKind::Bye,
                    text: static_text("Logging out"),
                });
                self.tagged(command.tag, Status::Ok, static_text("LOGOUT completed"));
                self.close(CloseReason::Logout);
            }
            Handler::StartTls => self.start_tls(command.tag),
            Handler::Login => self.login(now, command),
            Handler::Authenticate => self.authenticate(now, command),
            Handler::Enable => self.enable(command),
            Handler::Idle => self.idle(now, command.tag),
            Handler::Compress => self.start_compress(command),
            Handler::App(effect) => {
                if self.features.has(state::Features::CONDSTORE)
                    && !self.enabled.condstore
                    && enables_condstore(&command.body)
                {
                    // RFC 7162 §3.1: a CONDSTORE-enabling command enables it
                    // as ENABLE would; the application hears of it the same
                    // way, before the command (its answers carry MODSEQ).
                    self.enabled.condstore = true;
                    self.events
                        .push_back(Event::Enabled(vec![Capability::CondStore]));
                }
                let id = self.next_request_id();
                self.in_flight.push(InFlight {
                    id,
                    tag: command.tag.clone(),
                    exclusive: route.exclusive,
                    seq_sensitive: route.seq_sensitive,
                    effect,
                    examine: matches!(command.body, CommandBody::Examine { .. }),
                    nomodseq: false,
                    search: SearchAnswer::of(&command.body),
                });
                // The `ExpungeSent` of held EXPUNGEs this command lets out
                // come after its `CommandReceived`: the client wrote the
                // command before it saw them (its numbers are the old ones).
                let mark = self.events.len();
                if !route.seq_sensitive {
                    // A command is in progress: held EXPUNGEs may go out.
                    self.flush_held();
                }
                // Most commands let none out: no moves then.
                let released: Vec<Event> = if self.events.len() > mark {
                    self.events.drain(mark..).collect()
                } else {
                    Vec::new()
                };
                if effect == state::Effect::Select && self.state == SessionState::Selected {
                    // RFC 9051 §6.3.2: the selected mailbox is closed first
                    // (its EXPUNGEs went out just above).
                    self.out.push(&imapkit_proto::StatusResponse::untagged(
                        Status::Ok,
                        coded_text(ResponseCode::Closed, "Previous mailbox closed"),
                    ));
                    self.state = SessionState::Authenticated;
                }
                let request = Request { id };
                self.events
                    .push_back(Event::CommandReceived { request, command });
                if !released.is_empty() {
                    self.events.extend(released);
                }
            }
        }
    }

    /// A literal announced at the end of a command line: `+` for a
    /// synchronizing literal the session accepts, or a refusal (the client
    /// then does not send the data; the data of a non-synchronizing one is
    /// read and dropped, never parsed as commands).
    fn on_literal(&mut self, now: Instant, len: u64, mode: LiteralMode, literal: Literal) {
        let Literal { binary, append } = literal;
        if matches!(self.mode, Mode::Auth(_) | Mode::Idle { .. }) {
            return self.literal_in_exchange(now, len, mode);
        }
        self.literals_in_command = self.literals_in_command.saturating_add(1);
        let plaintext = self.security == ConnectionSecurity::Plaintext;
        let limited = mode == LiteralMode::NonSync
            && len > u64::from(LITERAL_MINUS_MAX)
            && self.config.literals != super::LiteralSupport::Plus;
        // What the command line says so far: its name, and (before a
        // synchronizing literal only) whether it parses. The data of a
        // non-synchronizing literal comes anyway: a command that does not
        // parse is answered when it is whole, as any other (BAD, with its
        // violation), without decoding its first line twice.
        let (routed, parses) = {
            let head = self.framer.current_message();
            let mut buf = [0; 32];
            let routed = match literal::command_name(head, &mut buf) {
                Some(name) => state::route_name(
                    name,
                    self.state,
                    self.features,
                    &self.config.extension_commands,
                ),
                None => Err(Refusal::Unknown),
            };
            let parses = mode == LiteralMode::NonSync
                || (decode::command(head).is_ok() && one_line_is_utf8(head));
            (routed, parses)
        };
        // Whether the refusal is a LOGIN's before TLS (audited as such).
        let mut privacy = false;
        let refusal: Option<(Status, imapkit_proto::RespText<'static>, bool)> =
            if self.literals_in_command > self.config.limits.max_literals {
                // Each synchronizing literal has the command's lines read
                // again (below): their number is bounded.
                self.audit(AuditKind::LimitHit {
                    limit: LimitKind::TooManyLiterals,
                });
                Some((Status::Bad, static_text("Too many literals"), false))
            } else if limited {
                // RFC 7888 §5: BAD, with TOOBIG for APPEND.
                self.audit(AuditKind::LimitHit {
                    limit: LimitKind::LiteralMinus,
                });
                let text = if append {
                    coded_text(ResponseCode::TooBig, "Non-synchronizing literal too large")
                } else {
                    static_text("Non-synchronizing literal too large")
                };
                Some((Status::Bad, text, false))
            } else if self
                .framer
                .current_tag()
                .is_some_and(|t| t.as_bytes().len() > self.config.limits.max_tag)
            {
                // Refused whole when it comes (`on_command`): refused before
                // its data instead (RFC 9051 §7.6).
                self.audit(AuditKind::LimitHit {
                    limit: LimitKind::TagTooLong,
                });
                Some((Status::Bad, static_text("Tag too long"), true))
            } else {
                match routed {
                    Err(refusal) => Some((
                        Status::Bad,
                        static_text(refusal.text()),
                        refusal.is_garbage(),
                    )),
                    Ok(route)
                        if route.handler == Handler::Login
                            && plaintext
                            && self.config.tls_required_for_credentials =>
                    {
                        // Refused before the client sends the password.
                        let user = literal::login_user(self.framer.current_message());
                        self.audit_auth(None, user, AuthOutcome::PrivacyRequired);
                        privacy = true;
                        Some((
                            Status::No,
                            coded_text(ResponseCode::PrivacyRequired, "TLS is required to log in"),
                            false,
                        ))
                    }
                    Ok(_) if !parses => Some((Status::Bad, static_text("Syntax error"), true)),
                    Ok(_) => None,
                }
            };
        match refusal {
            None => {
                if mode == LiteralMode::Sync && !(append && self.check_append(len, binary)) {
                    self.continue_literal();
                }
            }
            Some((status, text, garbage)) => {
                if routed == Err(Refusal::WrongState) {
                    let attempt = literal::refused_attempt(self.framer.current_message());
                    self.audit_out_of_state(attempt);
                } else if !privacy {
                    // Lent by the framer until the literal is rejected.
                    let attempt = self.refused_attempt(self.framer.current_message());
                    self.audit_malformed(attempt);
                }
                // The tag is copied only here, to answer with: the framer
                // lends it until the literal is rejected.
                let tag = (self.framer.current_tag())
                    .filter(|t| t.as_bytes().len() <= self.config.limits.max_tag)
                    .map(IntoStatic::into_static);
                self.reject_literal();
                self.framer_clean = mode == LiteralMode::Sync;
                if mode == LiteralMode::NonSync && len > self.config.limits.max_discard {
                    // RFC 7888 §4, choice 2: too much to read and drop.
                    self.audit(AuditKind::LimitHit {
                        limit: LimitKind::DiscardCap,
                    });
                    return self.end_after_in_flight(true, "Literal too large", CloseReason::Limit);
                }
                self.refuse_command(tag, status, text, garbage);
            }
        }
    }

    /// Refuses the literal the framer announced last: the rest of its
    /// message is skipped, so the next literal is another command's (the
    /// count of [`Limits::max_literals`](super::Limits::max_literals)
    /// starts again).
    pub(super) fn reject_literal(&mut self) {
        self.framer.reject_literal();
        self.literals_in_command = 0;
    }

    /// A literal announced in a line of an exchange (an AUTHENTICATE
    /// response, IDLE's DONE): a command line sent where none belongs. The
    /// line is refused as the exchange's wrong line is, and the literal's
    /// data (which a `{n+}` one sends anyway) is read and dropped, never
    /// read as commands.
    fn literal_in_exchange(&mut self, now: Instant, len: u64, mode: LiteralMode) {
        let raw = bytes::Bytes::copy_from_slice(self.framer.current_message());
        let offset = self.framer.stats().consumed;
        self.reject_literal();
        self.framer_clean = mode == LiteralMode::Sync;
        let text = "Expected an authentication response";
        if let Mode::Idle { .. } = self.mode {
            let kind = ViolationKind::OutOfState("a command during IDLE (expected DONE)");
            self.violation(kind, offset, &raw);
        }
        match self.mode {
            Mode::Auth(_) => self.auth_line_refused(now, text),
            _ => self.idle_interrupted(now, static_text("Expected DONE")),
        }
        if mode == LiteralMode::NonSync && len > self.config.limits.max_discard {
            // RFC 7888 §4, choice 2: too much to read and drop.
            self.audit(AuditKind::LimitHit {
                limit: LimitKind::DiscardCap,
            });
            self.end_after_in_flight(true, "Literal too large", CloseReason::Limit);
        }
    }

    /// The framer could not frame a message (a limit, a bare LF).
    fn on_frame_error(&mut self, now: Instant, e: FrameError) {
        let _ = now;
        self.violation(ViolationKind::Framing(e.kind.clone()), e.offset, &e.raw);
        let limit = match e.kind {
            FrameErrorKind::LineTooLong { .. } => Some(LimitKind::LineTooLong),
            FrameErrorKind::LiteralTooLarge { .. } => Some(LimitKind::LiteralTooLarge),
            FrameErrorKind::MessageTooLong { .. } => Some(LimitKind::MessageTooLong),
            FrameErrorKind::TooDeep { .. } => Some(LimitKind::TooDeep),
            FrameErrorKind::TooManyItems { .. } => Some(LimitKind::TooManyItems),
            _ => None,
        };
        if let Some(limit) = limit {
            self.audit(AuditKind::LimitHit { limit });
        }
        let text = match e.kind {
            FrameErrorKind::LineTooLong { .. } => "Line too long",
            FrameErrorKind::LiteralTooLarge { .. } => "Literal too large",
            FrameErrorKind::MessageTooLong { .. } => "Command too long",
            FrameErrorKind::TooDeep { .. } => "Parentheses nested too deep",
            FrameErrorKind::TooManyItems { .. } => "Too many items in a list",
            FrameErrorKind::BareLf => "Line ends with a bare LF",
            _ => "Invalid command",
        };
        match &self.mode {
            Mode::Auth(_) => return self.auth_line_refused(now, text),
            Mode::Idle { .. } => return self.idle_interrupted(now, static_text(text)),
            _ => {}
        }
        self.audit_refused_attempt(&e.raw);
        let tag = self.tag_of(&e.raw);
        match e.kind {
            FrameErrorKind::LiteralTooLarge { len, append, .. } => {
                let non_sync = literal::is_non_sync_header(&e.raw);
                if non_sync && len > self.config.limits.max_discard {
                    self.audit(AuditKind::LimitHit {
                        limit: LimitKind::DiscardCap,
                    });
                    return self.end_after_in_flight(true, "Literal too large", CloseReason::Limit);
                }
                // A synchronizing one: the client waits for a `+` that does
                // not come and sends the next command.
                self.framer_clean = !non_sync;
                let (status, text) = if append {
                    (
                        Status::No,
                        coded_text(ResponseCode::TooBig, "Message too large"),
                    )
                } else {
                    (Status::Bad, coded_text(ResponseCode::TooBig, text))
                };
                self.refuse_command(tag, status, text, true);
            }
            FrameErrorKind::MessageTooLong { .. } if literal::is_append(&e.raw) => {
                self.refuse_command(
                    tag,
                    Status::No,
                    coded_text(ResponseCode::TooBig, "Message too large"),
                    true,
                );
            }
            _ => self.refuse_command(tag, Status::Bad, static_text(text), true),
        }
    }

    /// Reports a peer violation at `offset` of the current framer.
    pub(super) fn violation(&mut self, kind: ViolationKind, offset: u64, raw: &bytes::Bytes) {
        let v = PeerViolation::new(kind, self.framer_base + offset, raw);
        self.events.push_back(Event::Violation(v));
    }

    /// Input piling up while the session does not read (the application
    /// ignored `wants_read`): bounded by `max_message + max_line` beyond
    /// the last read the session asked for (compressed input counted as
    /// received), then the connection ends once the commands in flight
    /// are answered.
    fn check_backlog(&mut self) {
        let limits = &self.config.limits;
        let cap = (limits.max_message_in(self.state))
            .saturating_add(limits.max_line)
            .saturating_add(self.read_allowance);
        let held = self.framer.buffered() + self.compressed_pending();
        // Already ending (this limit or another): nothing more to decide.
        let draining = matches!(self.mode, Mode::Draining { .. });
        if held > cap && !self.can_poll() && !self.is_closed() && !draining {
            self.audit(AuditKind::LimitHit {
                limit: LimitKind::InputBacklog,
            });
            self.end_after_in_flight(false, "Too much input", CloseReason::Limit);
        }
    }

    /// ENABLE (RFC 5161): the session enables what the application
    /// advertised and reports it with `* ENABLED`.
    fn enable(&mut self, command: Command<'static>) {
        use super::state::Features as F;
        let CommandBody::Enable { capabilities } = command.body else {
            return self.tagged(command.tag, Status::Bad, static_text("Syntax error"));
        };
        let mut newly = Vec::new();
        let mut enabled = self.enabled;
        for cap in capabilities.as_slice() {
            let slot = match cap {
                Capability::CondStore if self.features.has(F::CONDSTORE) => &mut enabled.condstore,
                Capability::QResync if self.features.has(F::QRESYNC) => {
                    enabled.condstore = true;
                    &mut enabled.qresync
                }
                Capability::Imap4Rev2 if self.features.has(F::REV2) => &mut enabled.imap4rev2,
                Capability::Utf8(v)
                    if self.features.has(F::UTF8)
                        && v.as_bytes().eq_ignore_ascii_case(b"ACCEPT") =>
                {
                    &mut enabled.utf8_accept
                }
                _ => continue,
            };
            if !*slot {
                *slot = true;
                newly.push(cap.clone());
            }
        }
        self.out
            .push(&imapkit_proto::Response::Data(Data::Enabled(newly.clone())));
        self.tagged(command.tag, Status::Ok, static_text("ENABLE completed"));
        // From the next response on.
        self.set_enabled(enabled);
        if !newly.is_empty() {
            self.events.push_back(Event::Enabled(newly));
        }
    }
}

/// Whether a command enables CONDSTORE implicitly (RFC 7162 §3.1).
fn enables_condstore(body: &CommandBody<'_>) -> bool {
    match body {
        CommandBody::Select { parameters, .. } | CommandBody::Examine { parameters, .. } => {
            parameters
                .iter()
                .any(|p| matches!(p, SelectParameter::CondStore))
        }
        CommandBody::Fetch {
            items, modifiers, ..
        } => {
            modifiers
                .iter()
                .any(|m| matches!(m, FetchModifier::ChangedSince(_)))
                || match items {
                    FetchItems::Single(a) => *a == FetchAttribute::ModSeq,
                    FetchItems::List(l) => l.as_slice().contains(&FetchAttribute::ModSeq),
                    _ => false,
                }
        }
        CommandBody::Store { modifiers, .. } => modifiers
            .iter()
            .any(|m| matches!(m, StoreModifier::UnchangedSince(_))),
        CommandBody::Status { attributes, .. } => attributes
            .as_slice()
            .contains(&StatusAttribute::HighestModSeq),
        CommandBody::Search { criteria, .. } => criteria
            .as_slice()
            .iter()
            .any(|k| matches!(k, SearchKey::ModSeq { .. })),
        _ => false,
    }
}

/// Whether `head`, when it is one line (a command up to its first
/// literal's header), is UTF-8, as RFC 9051 §9 has commands outside
/// literals (the decoder checks it on the whole command; checked here too
/// so that such a command is refused before its literal's data, not
/// after). A head with literal data in it is not looked at.
fn one_line_is_utf8(head: &[u8]) -> bool {
    head.iter()
        .position(|&b| b == b'\n')
        .is_some_and(|lf| lf + 1 < head.len())
        || std::str::from_utf8(head).is_ok()
}
