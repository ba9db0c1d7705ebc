//! What the server sends: framing (and inflating) the input, the greeting,
//! tagged completions, untagged data routed to its command and to the
//! mailbox model, continuation requests, BYE and the end of the session.

use std::time::Instant;

use bytes::Bytes;
use imapkit_codec::framer::{Frame, FrameEvent, Framer, Lent};
use imapkit_proto::{
    Capability, Command, CommandBody, ContinueRequest, Data, ESearch, Greeting, GreetingKind,
    IntoStatic, NameEncoding, RespText, Response, ResponseCode, StatusKind, StatusResponse, Tag,
};

use super::compress::Deflate;
use super::order::{Answers, Kind, Traits};
use super::outgoing::{Outgoing, Progress};
use crate::error::{PeerViolation, UsageError, ViolationKind};
use crate::handle::CommandHandle;
use crate::mailbox::{MailboxChange, ModSeq, SelectedMailbox};
use crate::ConnectionSecurity;

use super::{
    Client, CloseReason, Completion, Detail, Event, Gate, IdlePhase, InFlight, Outcome,
    SessionState, StartTlsPolicy, Then, Timer, TlsPolicyError,
};

/// What the old mailbox heard while a SELECT waits for `[CLOSED]`: kept
/// so that, should the server complete the SELECT without `[CLOSED]`
/// (which it must send, RFC 7162 §3.2.11), the responses are replayed
/// into the new mailbox's model, whose they then were. The last
/// [`Closing::MAX_HELD`]: the new mailbox's own (EXISTS, UIDVALIDITY)
/// come last, after whatever the old one still had to report.
#[derive(Debug, Default)]
pub(super) struct Closing {
    held: std::collections::VecDeque<Held>,
}

/// A response applied to the old model while closing.
#[derive(Debug)]
enum Held {
    Data(Data<'static>),
    Code(ResponseCode<'static>),
}

impl Closing {
    /// A SELECT's own responses are a dozen; a QRESYNC SELECT adds a FETCH
    /// per changed message (the model then reports that it missed some:
    /// the snapshot is not applied).
    const MAX_HELD: usize = 256;

    fn hold(&mut self, held: impl FnOnce() -> Held) {
        if self.held.len() == Self::MAX_HELD {
            self.held.pop_front();
        }
        self.held.push_back(held());
    }
}

impl Client {
    /// Takes compressed input: kept compressed, and inflated and framed in
    /// pieces as the application takes the events ([`Self::inflate_more`]),
    /// so that a few KiB that inflate to GiBs (a DEFLATE bomb) never make
    /// more than one piece's events at a time.
    pub(super) fn inflate_input(&mut self, now: Instant, bytes: &[u8]) {
        let Some((_, pending)) = self.deflate.as_mut() else {
            return;
        };
        pending.extend_from_slice(bytes);
        self.input_at = now;
        self.inflate_stalled = false;
        self.inflate_more(now, None);
    }

    /// Inflates and frames pieces of the compressed input held until an
    /// event is queued or none is left; at the end of the input after
    /// EOF, closes the session as [`handle_eof`](Self::handle_eof) would
    /// have. A corrupt stream closes it once what came before the corrupt
    /// part is framed (nothing already received is lost).
    ///
    /// With `close_limit` (from [`close`](Self::close)), it goes on past
    /// queued events until that many are queued: the session is about to
    /// close, and what was received should complete its commands, within
    /// a bound (the input may be a DEFLATE bomb).
    pub(super) fn inflate_more(&mut self, now: Instant, close_limit: Option<usize>) {
        let limit = close_limit.unwrap_or_else(|| self.event_limit());
        let mut piece = Vec::new();
        loop {
            if self.state == SessionState::Closed
                || self.gate == Gate::Upgrading
                || self.frames_held
            {
                return;
            }
            if self.inflate_corrupt {
                // What came before the corrupt part is read: now close.
                self.close_with(CloseReason::Compression);
                return;
            }
            let Some((deflate, pending)) = self.deflate.as_mut() else {
                return;
            };
            if pending.is_empty() {
                break;
            }
            let result = deflate.inflate(pending, &mut piece);
            if let Ok(used) = result {
                pending.drain(..used);
            }
            let inflated = !piece.is_empty();
            if inflated {
                self.framer.push(&piece);
                self.process_frames(now, limit);
            }
            if result.is_err() {
                if self.frames_held {
                    // Closed once what the piece held is read.
                    self.inflate_corrupt = true;
                } else if self.state != SessionState::Closed {
                    self.close_with(CloseReason::Compression);
                }
                return;
            }
            if !inflated {
                // The rest is an incomplete block: more input will tell
                // (until then it is not held: the session waits for input).
                self.inflate_stalled = true;
                break;
            }
            if close_limit.is_none() && !self.events.is_empty() {
                return;
            }
        }
        if self.eof_pending {
            self.eof_pending = false;
            self.close_at_eof();
        }
    }

    /// Reads the messages the framer holds, until it needs more input, the
    /// session closes or waits for the TLS handshake, or `limit` events
    /// are queued (the rest is then held, see `Client::wants_read`).
    pub(super) fn process_frames(&mut self, now: Instant, limit: usize) {
        loop {
            if self.events.len() >= limit {
                // The rest waits in the framer until the events are taken
                // (`poll_event`, `resume_input`).
                self.frames_held = self.state != SessionState::Closed && self.framer.buffered() > 0;
                return;
            }
            // The lent message is done with (dropped or taken out) before
            // the handlers below, which need the whole client.
            let event = match self.framer.poll_lent() {
                None => return,
                Some(Lent::Frame(frame)) => {
                    // `* 3 EXISTS` and the like, which hold no bytes of
                    // the message, and short status and FETCH responses,
                    // with copies of their strings: decoded where the
                    // framer lent them, whose bytes it keeps until the
                    // next read (`Framer::released`, for a violation's
                    // `raw`). Any other message is taken out of the
                    // buffer and its value shares it.
                    let greeting = self.state == SessionState::Greeting;
                    match frame.decode_response_without_frame() {
                        Some(response) if !greeting => {
                            let offset = frame.offset();
                            frame.release();
                            Input::Lent(response, offset)
                        }
                        _ => Input::Event(FrameEvent::Frame(frame.into_frame())),
                    }
                }
                Some(Lent::Event(event)) => Input::Event(event),
            };
            let event = match event {
                Input::Lent(response, offset) => {
                    self.on_response(now, response, Raw::Released(offset));
                    if self.state == SessionState::Closed || self.gate == Gate::Upgrading {
                        return;
                    }
                    continue;
                }
                Input::Event(event) => event,
            };
            match event {
                FrameEvent::Frame(frame) => self.on_frame(now, frame),
                // A streamed literal before TLS is untagged data, which is
                // never delivered there; its message is a violation when
                // whole (`on_data`).
                FrameEvent::LiteralStart { .. }
                | FrameEvent::LiteralChunk(_)
                | FrameEvent::LiteralEnd
                    if self.tls_pending() => {}
                FrameEvent::LiteralStart { len, offset, .. } => {
                    self.events.push_back(Event::LiteralStart { len, offset })
                }
                FrameEvent::LiteralChunk(chunk) => {
                    self.events.push_back(Event::LiteralChunk(chunk))
                }
                FrameEvent::LiteralEnd => self.events.push_back(Event::LiteralEnd),
                FrameEvent::LiteralAnnounced { .. } => {}
                FrameEvent::Error(e) => {
                    let v = PeerViolation::new(
                        ViolationKind::Framing(e.kind.clone()),
                        e.offset,
                        &e.raw,
                    );
                    if self.state == SessionState::Greeting {
                        self.close_with(CloseReason::Violation(v));
                    } else {
                        self.events.push_back(Event::Violation(v));
                    }
                }
            }
            if self.state == SessionState::Closed || self.gate == Gate::Upgrading {
                return;
            }
        }
    }

    pub(super) fn on_frame(&mut self, now: Instant, frame: Frame) {
        if self.state == SessionState::Greeting {
            match frame.decode_greeting() {
                Ok(g) => self.on_greeting(now, g.into_shared(&frame.bytes)),
                Err(_) => {
                    let v =
                        PeerViolation::new(ViolationKind::NotAGreeting, frame.offset, &frame.bytes);
                    self.close_with(CloseReason::Violation(v));
                }
            }
            return;
        }
        let response = match frame.decode_response_shared() {
            Ok(r) => r,
            Err(e) => {
                let kind = ViolationKind::Syntax {
                    reason: e.reason,
                    at: e.offset,
                };
                let v = PeerViolation::new(kind, frame.offset, &frame.bytes);
                self.events.push_back(Event::Violation(v));
                return;
            }
        };
        self.on_response(now, response, Raw::Frame(&frame));
    }

    /// A response after the greeting; `raw` holds its bytes.
    fn on_response(&mut self, now: Instant, response: Response<'static>, raw: Raw<'_>) {
        match response {
            Response::Status(status) => match status.kind {
                StatusKind::Tagged { .. } => self.on_tagged(now, status, raw),
                StatusKind::Bye => self.on_bye(status),
                StatusKind::Untagged(_) => self.on_untagged_status(status, raw),
                StatusKind::PreAuth => {
                    self.violation(ViolationKind::OutOfState("PREAUTH after the greeting"), raw)
                }
            },
            Response::Data(data) => self.on_data(data, raw),
            Response::Continue(cont) => self.on_continue(now, cont, raw),
        }
    }

    pub(super) fn on_greeting(&mut self, now: Instant, greeting: Greeting<'static>) {
        self.timers.stop(Timer::Greeting);
        let kind = greeting.kind;
        self.events.push_back(Event::Greeting(greeting.clone()));
        self.on_resp_text(&greeting.text);
        match kind {
            GreetingKind::Bye => {
                let (code, text) = greeting.text.into_parts();
                self.events.push_back(Event::Bye {
                    code: code.clone(),
                    text: text.clone(),
                });
                self.close_with(CloseReason::Bye { code, text });
                return;
            }
            GreetingKind::PreAuth => {
                self.state = SessionState::Authenticated;
                if self.security == ConnectionSecurity::Plaintext
                    && self.config.starttls == StartTlsPolicy::Required
                {
                    self.close_with(CloseReason::TlsPolicy(TlsPolicyError::PreAuthOnPlaintext));
                    return;
                }
            }
            GreetingKind::Ok => self.state = SessionState::NotAuthenticated,
        }
        self.after_greeting_or_tls();
        self.pump(now);
    }

    /// Applies the STARTTLS policy, or asks for the capabilities.
    pub(super) fn after_greeting_or_tls(&mut self) {
        let needs_tls = self.security == ConnectionSecurity::Plaintext
            && self.state == SessionState::NotAuthenticated
            && self.config.starttls != StartTlsPolicy::Never;
        if needs_tls {
            self.gate = Gate::Tls;
            if self.caps.known() {
                self.decide_starttls();
            } else {
                self.ask_capabilities(true);
            }
        } else {
            self.ask_capabilities(false);
        }
    }

    /// With the capabilities known and the TLS gate closed: STARTTLS if
    /// offered; otherwise fail (Required) or go on in plaintext.
    pub(super) fn decide_starttls(&mut self) {
        if self.caps.has(&Capability::StartTls) {
            self.push_internal(CommandBody::StartTls);
        } else if self.config.starttls == StartTlsPolicy::Required {
            self.close_with(CloseReason::TlsPolicy(TlsPolicyError::NotOffered));
        } else {
            self.gate = Gate::Open;
        }
    }

    pub(super) fn on_tagged(
        &mut self,
        now: Instant,
        status: StatusResponse<'static>,
        frame: Raw<'_>,
    ) {
        let StatusKind::Tagged {
            tag,
            status: result,
        } = &status.kind
        else {
            return;
        };
        // A command whose first bytes the application has not taken yet
        // cannot have been answered: the tag was guessed (tags are
        // predictable), and the command stays in flight.
        let Some(index) = self
            .in_flight
            .iter()
            .position(|f| &f.tag == tag && f.first_part < self.parts_handed)
        else {
            self.violation(ViolationKind::UnknownTag, frame);
            return;
        };
        let result = *result;
        // `index` was found by `position` above: always there.
        let Some(entry) = self.in_flight.remove(index) else {
            return;
        };
        self.fetches_in_flight -= usize::from(entry.fetch);
        let mut unsent = false;
        if self
            .sending
            .as_ref()
            .is_some_and(|(h, _)| *h == entry.handle)
        {
            // Answered before its literals were all sent (a NO or BAD instead
            // of `+`): the rest is never sent (RFC 9051 §7.1.2, §7.1.3).
            self.sending = None;
            unsent = true;
        }
        if let Some(parts) = &entry.after_continue {
            if parts.end > self.parts_handed {
                // `+` and the answer in one read: what the `+` asked for is
                // still here (`out` holds only parts not handed out), and
                // the server, done with the command, would read it as
                // commands (a literal's data, an AUTHENTICATE response, the
                // password in it, or IDLE's DONE). It is never sent. A
                // command whose literal never went did not run whole.
                self.out.retain(|(n, _)| !parts.contains(n));
                if !matches!(entry.detail, Detail::Authenticate(_) | Detail::Idle(_)) {
                    unsent = true;
                }
            }
        }
        self.on_resp_text(&status.text);
        let (code, text) = status.text.into_parts();
        let mut outcome = match result {
            // An OK for a command the server never received whole (RFC 9051
            // §7.5: the data goes only after `+`) reports nothing that
            // happened: the server is at fault, the command did not run.
            imapkit_proto::Status::Ok if unsent => {
                let kind = ViolationKind::OutOfState("OK before the command's literal was sent");
                self.violation(kind, frame);
                Outcome::Bad
            }
            imapkit_proto::Status::Ok => Outcome::Ok,
            imapkit_proto::Status::No => Outcome::No,
            imapkit_proto::Status::Bad => Outcome::Bad,
        };
        let ok = outcome == Outcome::Ok;
        let mut close = None;
        let mut then = Then::Nothing;
        let mut sasl_detail = None;
        if entry.traits.kind != Kind::Select {
            if let Some(code) = &code {
                self.model_code(code, frame);
            }
            if let Some(change) = self
                .mailbox
                .as_mut()
                .and_then(SelectedMailbox::command_completed)
            {
                self.events.push_back(Event::Mailbox(change));
            }
        }
        match (entry.traits.kind, entry.detail) {
            // The refresh: a new IDLE, same handle (unless commands wait).
            (Kind::Idle, Detail::Idle(IdlePhase::Done { refresh: true }))
                if ok && self.queue.is_empty() =>
            {
                self.restart_idle(now, entry.handle, entry.traits, entry.answers);
                self.arm_command_timer(now);
                return;
            }
            (Kind::Login, _) if ok => self.authenticated(entry.caps_generation),
            (Kind::Authenticate, Detail::Authenticate(mut exchange)) => {
                if !ok {
                    sasl_detail = exchange.mechanism.failure_detail().map(str::to_owned);
                }
                if let Some(e) = exchange.failed.take() {
                    // The client refused the exchange (`*`, e.g. a forged
                    // SCRAM signature); a server that answers it with OK
                    // takes the session as authenticated when the client
                    // could not authenticate it (RFC 5802 §5: mutual
                    // authentication; RFC 9051 §6.2.2: `*` gets BAD). Not
                    // to be talked to further.
                    if ok {
                        close = Some(CloseReason::Sasl(e.clone()));
                    }
                    outcome = Outcome::Sasl(e);
                } else if ok {
                    match exchange.mechanism.complete() {
                        Ok(()) => self.authenticated(entry.caps_generation),
                        Err(e) => {
                            outcome = Outcome::Sasl(e.clone());
                            close = Some(CloseReason::Sasl(e));
                        }
                    }
                }
            }
            (Kind::StartTls, _) => {
                if ok {
                    // Nothing after the OK line is read in plaintext ("NO
                    // STARTTLS" §4.1, response injection).
                    let dropped = self.framer.discard_buffered();
                    if dropped > 0 {
                        self.events
                            .push_back(Event::InjectionDiscarded { bytes: dropped });
                    }
                    self.gate = Gate::Upgrading;
                    self.timers.stop(Timer::Command);
                    // What was learned in plaintext is not trusted over TLS.
                    self.caps.reset();
                    self.events.push_back(Event::CapabilitiesChanged);
                    then = Then::StartTls;
                } else if self.config.starttls == StartTlsPolicy::Required && entry.internal {
                    close = Some(CloseReason::TlsPolicy(TlsPolicyError::Refused));
                } else if self.gate == Gate::Tls {
                    self.gate = Gate::Open;
                }
            }
            (Kind::Compress, _) if ok => {
                // The server compresses from the byte after this OK's CRLF
                // (RFC 4978 §3): what the framer holds beyond it is DEFLATE
                // data, inflated before it is framed.
                let rest = self.framer.take_buffered();
                self.deflate = Some((Deflate::new(), rest.to_vec()));
                self.events.push_back(Event::CompressionActive {
                    handle: entry.handle,
                });
            }
            (Kind::Select, Detail::Select(mut model)) => {
                if let Some(closing) = self.closing.take().filter(|_| ok) {
                    // RFC 7162 §3.2.11: the server sends `[CLOSED]` before
                    // anything about the new mailbox. What came before this
                    // OK went to the old model: it was the new mailbox's,
                    // and is applied to it now (a snapshot is not applied).
                    self.violation(
                        ViolationKind::OutOfState("SELECT completed without [CLOSED]"),
                        frame,
                    );
                    model.missed_responses();
                    for held in closing.held {
                        let applied = match &held {
                            Held::Data(data) => model.handle_data(data),
                            Held::Code(code) => model.handle_code(code),
                        };
                        match applied {
                            Ok(Some(change)) => self.events.push_back(Event::Mailbox(change)),
                            Ok(None) => {}
                            Err(kind) => self.violation(kind, frame),
                        }
                    }
                }
                if ok {
                    if let Some(code) = &code {
                        match model.handle_code(code) {
                            Ok(Some(change)) => self.events.push_back(Event::Mailbox(change)),
                            Ok(None) => {}
                            Err(kind) => self.violation(kind, frame),
                        }
                    }
                    for change in model.select_completed() {
                        self.events.push_back(Event::Mailbox(change));
                    }
                    self.mailbox = Some(*model);
                    self.state = SessionState::Selected;
                } else {
                    self.mailbox = None;
                    self.state = SessionState::Authenticated;
                }
            }
            (Kind::Close, _) if ok => {
                self.mailbox = None;
                self.state = SessionState::Authenticated;
            }
            (Kind::Unauthenticate, _) if ok => {
                self.mailbox = None;
                self.state = SessionState::NotAuthenticated;
                self.selected_once = false;
                self.caps.reset();
                self.events.push_back(Event::CapabilitiesChanged);
                self.ask_capabilities(false);
            }
            (Kind::Logout, _) => close = Some(CloseReason::Logout),
            (Kind::Capability, _) if self.gate == Gate::Tls => {
                if self.caps.known() {
                    then = Then::DecideStartTls;
                } else if self.config.starttls == StartTlsPolicy::Required {
                    close = Some(CloseReason::TlsPolicy(TlsPolicyError::NotOffered));
                } else {
                    self.gate = Gate::Open;
                }
            }
            _ => {}
        }
        if entry.traits.kind == Kind::Idle {
            self.timers.stop(Timer::IdleRefresh);
        }
        let handle = entry.handle;
        let copy_uid = match &code {
            _ if !ok || !entry.copies => None,
            Some(ResponseCode::CopyUid(c)) => Some(c.clone()),
            _ => entry.copy_uid,
        };
        self.events.push_back(Event::Completed(Box::new(Completion {
            handle,
            tag: Some(entry.tag),
            outcome,
            code,
            text: Some(text),
            sasl_detail,
            copy_uid,
        })));
        if let Some(reason) = close {
            self.close_with(reason);
            return;
        }
        match then {
            Then::Nothing => {}
            Then::StartTls => self.events.push_back(Event::StartTls { handle }),
            Then::DecideStartTls => self.decide_starttls(),
        }
        self.arm_command_timer(now);
    }

    /// LOGIN or AUTHENTICATE succeeded (RFC 9051 §6.2.2: capabilities may
    /// change). Those announced while it ran (untagged, as Dovecot does, or
    /// in the OK's code, applied already) are the new ones; otherwise they
    /// are forgotten and asked for again.
    pub(super) fn authenticated(&mut self, caps_generation: u64) {
        self.state = SessionState::Authenticated;
        if self.caps.generation() == caps_generation {
            self.caps.forget();
            self.events.push_back(Event::CapabilitiesChanged);
            self.ask_capabilities(false);
        }
    }

    pub(super) fn restart_idle(
        &mut self,
        now: Instant,
        handle: CommandHandle,
        traits: Traits,
        answers: Answers,
    ) {
        let tag = self.tags.next_tag();
        let command = Command::new(tag.clone(), CommandBody::Idle);
        let mut outgoing = Outgoing::encode(&command, &self.encode_options());
        // The same handle under a new tag: said as for any command sent.
        self.events.push_back(Event::CommandSent {
            handle,
            tag: tag.clone(),
        });
        self.in_flight.push_back(InFlight {
            handle,
            tag,
            traits,
            answers,
            internal: false,
            detail: Detail::Idle(IdlePhase::Requested {
                done: false,
                refresh: true,
            }),
            caps_generation: self.caps.generation(),
            fetch: false,
            scope: None,
            copies: false,
            copy_uid: None,
            first_part: self.parts_pushed,
            after_continue: None,
        });
        let (part, _) = outgoing.next_part();
        self.push_out(part);
        self.arm_command_timer(now);
    }

    pub(super) fn on_bye(&mut self, status: StatusResponse<'static>) {
        self.on_resp_text(&status.text);
        let (code, text) = status.text.into_parts();
        self.events.push_back(Event::Bye {
            code: code.clone(),
            text: text.clone(),
        });
        // Nothing more is sent after BYE (RFC 9051 §7.1.5).
        self.out.clear();
        self.sending = None;
        if self.logout_sent() {
            // The tagged OK of LOGOUT follows.
            self.bye = Some((code, text));
            self.state = SessionState::Logout;
        } else {
            self.close_with(CloseReason::Bye { code, text });
        }
    }

    pub(super) fn on_untagged_status(&mut self, status: StatusResponse<'static>, frame: Raw<'_>) {
        self.on_resp_text(&status.text);
        if let Some(code) = status.code() {
            if matches!(code, ResponseCode::Closed) && self.closing.is_some() {
                // The old mailbox is closed here; what follows is the new one's.
                self.closing = None;
                self.mailbox = None;
            } else {
                self.model_code(code, frame);
            }
            if let (
                ResponseCode::CopyUid(copy_uid),
                StatusKind::Untagged(imapkit_proto::Status::Ok),
            ) = (code, &status.kind)
            {
                // RFC 6851 §4.3: MOVE reports COPYUID in an untagged OK
                // before its tagged response; kept for its completion.
                let mut copying = self.in_flight.iter_mut().filter(|f| f.copies);
                if let (Some(f), None) = (copying.next(), copying.next()) {
                    f.copy_uid = Some(copy_uid.clone());
                }
            }
        }
        let handle = self.sole_in_flight();
        self.events.push_back(Event::Status { handle, status });
    }

    /// The code and text of any status response: capabilities, alerts, referrals.
    pub(super) fn on_resp_text(&mut self, resp: &RespText<'static>) {
        let Some(code) = resp.code() else {
            return;
        };
        let trusted = self.security == ConnectionSecurity::Tls;
        match code {
            ResponseCode::Alert => self.events.push_back(Event::Alert {
                text: resp.human().clone(),
                trusted,
            }),
            ResponseCode::Capability(caps) => {
                self.caps.learn(caps.as_slice().iter().cloned());
                self.events.push_back(Event::CapabilitiesChanged);
            }
            ResponseCode::Referral(url) => self.events.push_back(Event::Referral {
                url: String::from_utf8_lossy(url.as_bytes()).into_owned(),
                trusted,
            }),
            _ => {}
        }
    }

    pub(super) fn on_data(&mut self, mut data: Data<'static>, frame: Raw<'_>) {
        if self.tls_pending() && !matches!(data, Data::Capability(_)) {
            // Before STARTTLS only the capabilities mean anything; anything
            // else could be an attacker's and must not be trusted after TLS
            // ("NO STARTTLS", tampering with untagged responses).
            self.violation(
                ViolationKind::OutOfState("untagged data before STARTTLS"),
                frame,
            );
            return;
        }
        match &data {
            Data::Capability(caps) => {
                self.caps.learn(caps.as_slice().iter().cloned());
                self.events.push_back(Event::CapabilitiesChanged);
            }
            Data::Enabled(caps) => self.caps.enable(caps.iter().cloned()),
            _ => {}
        }
        // Names in a UTF-8 session are UTF-8, `&` included (RFC 9051 §5.1,
        // RFC 6855 §3): said on the values, so that they read and compare
        // as such, and go back as they came. (The session is asked only
        // for data that holds a name: not on the path of FETCH and EXISTS.)
        let caps = &self.caps;
        data.for_each_mailbox_mut(|m| {
            if caps.utf8_accepted() {
                m.set_encoding(NameEncoding::Utf8);
            }
        });
        let (handle, asked) = self.route(&data);
        if let Data::Fetch { seq, items } = &data {
            if self.unsolicited_without_uid(seq.get(), items.as_slice()) {
                // RFC 9051 §7.5.2: an IMAP4rev2 server's unsolicited FETCH
                // names the message by UID (its number alone may already
                // mean another message to the client). Applied all the same.
                let kind = ViolationKind::OutOfState("unsolicited FETCH without UID in IMAP4rev2");
                self.violation(kind, frame);
            }
        }
        // Commands waiting to be sent that name messages by number: the
        // numbers an EXPUNGE or VANISHED removes, in the numbering before.
        let gone = self.queued_numbering_changes(&data);
        let change = self.model_data(&data, asked, frame);
        if let Some(gone) = gone {
            self.renumber_queued(&gone);
        }
        self.events.push_back(Event::Data { handle, data });
        if let Some(change) = change {
            self.events.push_back(Event::Mailbox(change));
        }
    }

    /// The message numbers `data` (an EXPUNGE, a VANISHED without
    /// EARLIER) removes, highest first, when a command waiting to be sent
    /// names messages by number (else `None`, the common case: nothing
    /// looked up).
    fn queued_numbering_changes(&self, data: &Data<'_>) -> Option<Vec<u32>> {
        if !matches!(
            data,
            Data::Expunge(_) | Data::Vanished { earlier: false, .. }
        ) || !self.queue.iter().any(|q| q.traits.uses_seq)
        {
            return None;
        }
        let model = self.model()?;
        Some(match data {
            Data::Expunge(n) => vec![n.get()],
            Data::Vanished { uids, .. } => {
                let largest = model.uid_next().map_or(u32::MAX, |n| n.saturating_sub(1));
                (1..=model.exists())
                    .rev()
                    .filter(|&seq| model.uid(seq).is_some_and(|u| uids.contains(u, largest)))
                    .collect()
            }
            _ => return None,
        })
    }

    /// Moves the message numbers of the commands waiting to be sent past
    /// the expunge of the messages `gone` (highest first); one left naming
    /// nothing it named is completed unsent ([`UsageError::Expunged`]).
    fn renumber_queued(&mut self, gone: &[u32]) {
        let mut refused = Vec::new();
        for q in self.queue.iter_mut().filter(|q| q.traits.uses_seq) {
            if !gone
                .iter()
                .all(|&g| super::renumber::after_expunge(&mut q.body, g))
            {
                refused.push(q.handle);
            }
        }
        for handle in refused {
            self.queue.retain(|q| q.handle != handle);
            self.complete_local(handle, None, Outcome::NotSent(UsageError::Expunged));
        }
    }

    /// Where the SELECT whose model responses are about now is in flight:
    /// none until the old mailbox's `[CLOSED]` (see [`Self::model_mut`]).
    fn selecting(&self) -> Option<usize> {
        if self.closing.is_some() {
            return None;
        }
        self.in_flight
            .iter()
            .position(|f| matches!(f.detail, Detail::Select(_)))
    }

    /// The model that responses are about now (see [`Self::model_mut`]).
    fn model(&self) -> Option<&SelectedMailbox> {
        match self.selecting().map(|at| &self.in_flight[at].detail) {
            Some(Detail::Select(model)) => Some(model),
            _ => self.mailbox.as_ref(),
        }
    }

    /// The model that responses are about now: the one being selected, the
    /// old one until `[CLOSED]`, or the selected one.
    pub(super) fn model_mut(&mut self) -> Option<&mut SelectedMailbox> {
        match self.selecting() {
            Some(at) => match &mut self.in_flight[at].detail {
                Detail::Select(model) => Some(model),
                _ => unreachable!("found by `selecting`"),
            },
            None => self.mailbox.as_mut(),
        }
    }

    /// Applies untagged data to the mailbox model; a response that does not
    /// fit is reported and leaves the model unchanged.
    pub(super) fn model_data(
        &mut self,
        data: &Data<'_>,
        asked: bool,
        frame: Raw<'_>,
    ) -> Option<MailboxChange> {
        let about_messages = matches!(
            data,
            Data::Expunge(_) | Data::Fetch { .. } | Data::Vanished { .. }
        );
        let removes = match data {
            Data::Expunge(_) => Some("EXPUNGE"),
            Data::Vanished { earlier: false, .. } => Some("VANISHED"),
            _ => None,
        };
        if let Some(name) = removes {
            // RFC 9051 §5.5, §7.5.1 (RFC 7162 §3.2.10 for VANISHED): never
            // while no command is in progress, nor while a FETCH, STORE or
            // SEARCH by sequence number is. One is certainly in progress
            // when it was sent before every other command in flight (the
            // server read it first); one sent behind a NOOP may not have
            // been read yet. The server did expunge, so the model follows;
            // the fault is reported.
            let fault = if self.in_flight.is_empty() {
                Some((
                    "EXPUNGE while no command is in progress",
                    "VANISHED while no command is in progress",
                ))
            } else if self
                .in_flight
                .front()
                .is_some_and(|f| !f.traits.may_expunge)
            {
                Some((
                    "EXPUNGE while responding to FETCH, STORE or SEARCH",
                    "VANISHED while responding to FETCH, STORE or SEARCH",
                ))
            } else {
                None
            };
            if let Some((expunge, vanished)) = fault {
                let fault = if name == "EXPUNGE" { expunge } else { vanished };
                self.violation(ViolationKind::OutOfState(fault), frame);
            }
        }
        // RFC 7162 §3.2.10: once QRESYNC is enabled the server sends
        // VANISHED instead of EXPUNGE (in a mailbox that keeps
        // mod-sequences), and never VANISHED before. Either way the server
        // did remove the messages, so the model follows; the fault is
        // reported.
        let fault = match data {
            Data::Expunge(_)
                if self.caps.is_enabled(&Capability::QResync)
                    && matches!(self.model().map(|m| m.mod_seq()), Some(ModSeq::Highest(_))) =>
            {
                Some("EXPUNGE after ENABLE QRESYNC (VANISHED is due)")
            }
            Data::Vanished { .. } if !self.caps.is_enabled(&Capability::QResync) => {
                Some("VANISHED without ENABLE QRESYNC")
            }
            _ => None,
        };
        if let Some(fault) = fault {
            self.violation(ViolationKind::OutOfState(fault), frame);
        }
        if let Some(closing) = &mut self.closing {
            closing.hold(|| Held::Data(data.clone().into_static()));
        }
        let Some(model) = self.model_mut() else {
            if about_messages {
                self.violation(
                    ViolationKind::OutOfState("message data while no mailbox is selected"),
                    frame,
                );
            }
            return None;
        };
        let applied = if asked {
            model.handle_answer(data)
        } else {
            model.handle_data(data)
        };
        match applied {
            Ok(change) => change,
            Err(kind) => {
                self.violation(kind, frame);
                None
            }
        }
    }

    /// Applies a response code to the mailbox model.
    pub(super) fn model_code(&mut self, code: &ResponseCode<'_>, frame: Raw<'_>) {
        if let Some(closing) = &mut self.closing {
            closing.hold(|| Held::Code(code.clone().into_static()));
        }
        let Some(model) = self.model_mut() else {
            return;
        };
        match model.handle_code(code) {
            Ok(Some(change)) => self.events.push_back(Event::Mailbox(change)),
            Ok(None) => {}
            Err(kind) => self.violation(kind, frame),
        }
    }

    pub(super) fn violation<'f>(&mut self, kind: ViolationKind, frame: impl Into<Raw<'f>>) {
        let (offset, bytes) = frame.into().parts(&self.framer);
        let v = PeerViolation::new(kind, offset, &bytes);
        self.events.push_back(Event::Violation(v));
    }

    /// The command in flight that asked for `data`, if exactly one did,
    /// and whether a FETCH asked for it (its flags are then that FETCH's
    /// answer, not a change). One pass over the commands in flight:
    ///
    /// - of those whose kind of answer `data` is, a FETCH response goes to
    ///   the FETCH or STORE whose messages (sequence set) hold it
    ///   ([`MessageScope::covers`](super::MessageScope)); one whose
    ///   messages do not is no candidate, one that cannot tell (`$`) stays
    ///   one;
    /// - a FETCH of FLAGS asked for it when its messages hold it, so that
    ///   another session's flag change arriving during a FETCH of other
    ///   messages (or of no flags) is still a change, and a FETCH's own
    ///   answer is none while other commands are in flight; where that
    ///   cannot be told, the FETCH it was routed to asked; a STORE whose
    ///   messages hold it makes it a change all the same (RFC 9051
    ///   §6.4.6: its new flags).
    pub(super) fn route(&self, data: &Data<'_>) -> (Option<CommandHandle>, bool) {
        if let Data::ESearch(ESearch { tag: Some(tag), .. }) = data {
            // RFC 9051 §7.3.4: the correlator names the command; one no
            // longer (or never) in flight is none of ours.
            let named = self
                .in_flight
                .iter()
                .find(|f| f.tag.as_bytes() == tag.as_bytes());
            return (named.map(|f| f.handle), false);
        }
        let message = match data {
            Data::Fetch { seq, items } => Some((seq.get(), items.as_slice())),
            _ => None,
        };
        // Looked up at the first FETCH or STORE in flight (a scan of its own).
        let mut model = None;
        let (mut routed, mut candidates) = (None, 0);
        let (mut asked, mut unsure_fetch, mut storing) = (false, None, false);
        let kind = Answers::kind_of(data);
        debug_assert_eq!(
            self.fetches_in_flight,
            self.in_flight.iter().filter(|f| f.fetch).count()
        );
        let fetching = message.is_some() && self.fetches_in_flight > 0;
        for f in &self.in_flight {
            // Two candidates: no handle; the rest matters only for `asked`
            // (a thousand NOOPs pipelined need not all be read).
            if candidates >= 2 && !fetching {
                break;
            }
            if !f.answers.expects_kind(kind) {
                continue;
            }
            let covers = match (&message, &f.scope) {
                (Some((seq, items)), Some(scope)) => {
                    scope.covers(*seq, items, *model.get_or_insert_with(|| self.model()))
                }
                _ => None,
            };
            if covers == Some(false) {
                continue;
            }
            candidates += 1;
            routed = Some(f.handle);
            if f.fetch {
                asked |= covers == Some(true);
                if covers.is_none() {
                    unsure_fetch = Some(f.handle);
                }
            } else if f.scope.as_ref().is_some_and(|s| s.store) {
                // A STORE about the message: its new flags are a change,
                // whatever FETCH is also in flight (RFC 9051 §6.4.6).
                storing = true;
            }
        }
        let handle = (candidates == 1).then_some(routed).flatten();
        let asked = !storing && (asked || (unsure_fetch.is_some() && unsure_fetch == handle));
        (handle, asked)
    }

    /// Whether a FETCH response about message `seq` is unsolicited and
    /// without the UID an IMAP4rev2 server must send in one (RFC 9051
    /// §7.5.2): IMAP4rev2 is in use, the items hold no UID, and no FETCH
    /// or STORE in flight is about the message (a `UID` one's answers
    /// carry the UID; `$` may be about any).
    fn unsolicited_without_uid(
        &self,
        seq: u32,
        items: &[imapkit_proto::MessageDataItem<'_>],
    ) -> bool {
        if imapkit_proto::MessageDataItems::uid(items).is_some() || !self.caps.imap4rev2_in_use() {
            return false;
        }
        let model = self.model();
        !self
            .in_flight
            .iter()
            .filter_map(|f| f.scope.as_ref())
            .any(|scope| scope.covers(seq, items, model) != Some(false))
    }

    pub(super) fn sole_in_flight(&self) -> Option<CommandHandle> {
        match (self.in_flight.len(), self.in_flight.front()) {
            (1, Some(f)) => Some(f.handle),
            _ => None,
        }
    }

    /// Pushes `part`, sent because the server's `+` asked for it, and
    /// records it with its command (see `InFlight::after_continue`).
    pub(super) fn push_after_continue(&mut self, handle: CommandHandle, part: Bytes) {
        let first = self.parts_pushed;
        self.push_out(part);
        let pushed = self.parts_pushed;
        if let Some(entry) = self.in_flight.iter_mut().find(|f| f.handle == handle) {
            let start = entry.after_continue.as_ref().map_or(first, |r| r.start);
            entry.after_continue = Some(start..pushed);
        }
    }

    pub(super) fn on_continue(
        &mut self,
        now: Instant,
        cont: ContinueRequest<'static>,
        frame: Raw<'_>,
    ) {
        // A literal waiting for `+` comes first: nothing else can be in
        // progress on the wire meanwhile.
        if let Some((handle, mut outgoing)) = self.sending.take() {
            let (part, progress) = outgoing.next_part();
            self.push_after_continue(handle, part);
            if progress == Progress::AwaitContinuation {
                self.sending = Some((handle, outgoing));
            }
            let _ = now;
            return;
        }
        let framer = &self.framer;
        let violation = |kind| {
            let (offset, bytes) = frame.parts(framer);
            PeerViolation::new(kind, offset, &bytes)
        };
        let Some(entry) = self
            .in_flight
            .iter_mut()
            .find(|f| matches!(f.detail, Detail::Authenticate(_) | Detail::Idle(_)))
        else {
            self.events.push_back(Event::Violation(violation(
                ViolationKind::UnexpectedContinuation,
            )));
            return;
        };
        match &mut entry.detail {
            Detail::Authenticate(exchange) => {
                let challenge = cont.decode_base64();
                if challenge.is_none() {
                    self.events
                        .push_back(Event::Violation(violation(ViolationKind::BadChallenge)));
                }
                let line = exchange.answer(challenge);
                let handle = entry.handle;
                self.push_after_continue(handle, Bytes::from(line));
            }
            Detail::Idle(phase) => match *phase {
                IdlePhase::Requested { done, refresh } => {
                    let handle = entry.handle;
                    // A command queued behind the IDLE (enqueued before its
                    // `+`, or queued with it) needs the DONE first.
                    if done || !self.queue.is_empty() {
                        *phase = IdlePhase::Done { refresh: false };
                        self.push_after_continue(handle, Bytes::from_static(b"DONE\r\n"));
                    } else {
                        *phase = IdlePhase::Idling;
                        self.timers
                            .set(Timer::IdleRefresh, now + self.config.idle_refresh);
                        self.events.push_back(if refresh {
                            Event::IdleRefreshed { handle }
                        } else {
                            Event::IdleStarted { handle }
                        });
                    }
                    self.arm_command_timer(now);
                }
                _ => self.events.push_back(Event::Violation(violation(
                    ViolationKind::UnexpectedContinuation,
                ))),
            },
            _ => {}
        }
    }

    // ---- private: endings ----

    pub(super) fn complete_local(
        &mut self,
        handle: CommandHandle,
        tag: Option<Tag<'static>>,
        outcome: Outcome,
    ) {
        self.events.push_back(Event::Completed(Box::new(Completion {
            handle,
            tag,
            outcome,
            code: None,
            text: None,
            sasl_detail: None,
            copy_uid: None,
        })));
    }

    /// Ends the session: every command completes, then [`Event::Closed`].
    pub(super) fn close_with(&mut self, reason: CloseReason) {
        if self.state == SessionState::Closed {
            return;
        }
        let outcome = match reason {
            CloseReason::CommandTimeout => Outcome::TimedOut,
            _ => Outcome::ConnectionClosed,
        };
        self.fetches_in_flight = 0;
        for f in std::mem::take(&mut self.in_flight) {
            let outcome = match (&reason, f.traits.kind) {
                // BYE then EOF during LOGOUT is how LOGOUT ends (RFC 9051 §6.1.3).
                (CloseReason::Logout, Kind::Logout) => Outcome::Ok,
                _ => outcome.clone(),
            };
            self.complete_local(f.handle, Some(f.tag), outcome);
        }
        for q in std::mem::take(&mut self.queue) {
            self.complete_local(q.handle, None, Outcome::NotSent(UsageError::Closed));
        }
        self.sending = None;
        self.out.clear();
        self.timers.clear();
        self.mailbox = None;
        // Input held unread is never read now.
        self.frames_held = false;
        self.eof_pending = false;
        self.inflate_corrupt = false;
        self.state = SessionState::Closed;
        self.events.push_back(Event::Closed { reason });
    }
}

/// A command's name for messages.
pub(super) fn command_name(body: &CommandBody<'_>) -> &'static str {
    // `name()` borrows from the body only for unknown commands.
    match body {
        CommandBody::Other { .. } => "command",
        known => imapkit_proto::KNOWN_COMMANDS
            .iter()
            .find(|n| **n == known.name())
            .copied()
            .unwrap_or("command"),
    }
}

/// The bytes of the message being handled, for a violation's `raw`.
#[derive(Debug, Clone, Copy)]
pub(super) enum Raw<'a> {
    /// The message's frame.
    Frame(&'a Frame),
    /// A message the framer lent, decoded without a frame, whose loan was
    /// released: its bytes are the framer's
    /// [`released`](imapkit_codec::framer::Framer::released) until the
    /// client reads on; it starts at this stream offset.
    Released(u64),
}

impl Raw<'_> {
    /// The message's stream offset and bytes (`framer`: the client's).
    fn parts(self, framer: &Framer) -> (u64, Bytes) {
        match self {
            Raw::Frame(frame) => (frame.offset, frame.bytes.clone()),
            Raw::Released(offset) => {
                let bytes = framer.released();
                debug_assert!(
                    !bytes.is_empty(),
                    "a released message is kept until the next read"
                );
                (offset, Bytes::copy_from_slice(bytes))
            }
        }
    }
}

impl<'a> From<&'a Frame> for Raw<'a> {
    fn from(frame: &'a Frame) -> Self {
        Raw::Frame(frame)
    }
}

/// What the framer handed [`Client::process_frames`], once the lent
/// message is done with.
enum Input {
    /// A response decoded where the framer lent it (bytes in
    /// `Framer::released`), at this stream offset.
    Lent(Response<'static>, u64),
    /// Any event, frames taken out of the buffer.
    Event(FrameEvent),
}
