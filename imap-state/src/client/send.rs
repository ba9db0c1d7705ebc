//! The client's side of the wire: queueing commands, checking them
//! against the session's state and the server's capabilities, sending them
//! in the order RFC 9051 §5.5 allows, and the timers that go with them.

use std::time::Instant;

use bytes::Bytes;
use imapkit_proto::encode::Encode;
use imapkit_proto::{
    AppendData, Buf, Capability, Charset, Command, CommandBody, FetchAttribute, Secret,
    SelectParameter,
};

use super::authenticate::Exchange;
use super::order::{Answers, Kind, Traits};
use super::outgoing::{Outgoing, Progress};
use crate::error::UsageError;
use crate::handle::CommandHandle;
use crate::mailbox::{MailboxSnapshot, SelectedMailbox};
use crate::sasl::ClientMechanism;
use crate::ConnectionSecurity;

use super::input::{command_name, Closing};
use super::{
    Client, Detail, Event, Gate, IdlePhase, InFlight, MessageScope, Outcome, Queued, SessionState,
    StartTlsPolicy, Timer,
};

impl Client {
    pub(super) fn enqueue_inner(
        &mut self,
        now: Instant,
        body: CommandBody<'static>,
        mechanism: Option<Box<dyn ClientMechanism>>,
        snapshot: Option<MailboxSnapshot>,
    ) -> Result<CommandHandle, UsageError> {
        if matches!(self.state, SessionState::Closed | SessionState::Logout) || self.bye.is_some() {
            return Err(UsageError::Closed);
        }
        if let CommandBody::Fetch {
            uid: false,
            modifiers,
            ..
        } = &body
        {
            // RFC 7162 §7: only in the UID FETCH command.
            if modifiers.contains(&imapkit_proto::FetchModifier::Vanished) {
                return Err(UsageError::InvalidCommand("VANISHED needs UID FETCH"));
            }
        }
        let traits = Traits::of(&body);
        if self.state != SessionState::Greeting {
            let projected = self.projected_state();
            if !traits.validity.admits(projected) {
                return Err(UsageError::WrongState {
                    command: command_name(&body),
                    state: projected.name(),
                });
            }
        }
        if let Some(e) = self.capability_refusal(&body, mechanism.as_deref()) {
            return Err(e);
        }
        let handle = self.new_handle();
        self.queue.push_back(Queued {
            handle,
            body,
            traits,
            internal: false,
            mechanism,
            snapshot,
        });
        // A command behind an IDLE ends it (RFC 2177 §3: the client must
        // send DONE before any other command): at once if it is active,
        // at its `+` if the server has not accepted it yet.
        if self.idle_in_flight() {
            let _ = self.idle_done(now);
        }
        self.pump(now);
        Ok(handle)
    }

    pub(super) fn new_handle(&mut self) -> CommandHandle {
        self.next_handle += 1;
        CommandHandle(self.next_handle)
    }

    /// The state the session will be in when the queue has run, if every
    /// command in flight and queued succeeds.
    pub(super) fn projected_state(&self) -> SessionState {
        let kinds = self
            .in_flight
            .iter()
            .map(|f| f.traits.kind)
            .chain(self.queue.iter().map(|q| q.traits.kind));
        kinds.fold(self.state, |state, kind| match kind {
            Kind::Login | Kind::Authenticate => SessionState::Authenticated,
            Kind::Select => SessionState::Selected,
            Kind::Close => SessionState::Authenticated,
            Kind::Unauthenticate => SessionState::NotAuthenticated,
            Kind::Logout => SessionState::Logout,
            _ => state,
        })
    }

    /// Why `body` cannot be sent given what is known of the server and the
    /// connection, if it cannot.
    pub(super) fn capability_refusal(
        &self,
        body: &CommandBody<'_>,
        mechanism: Option<&dyn ClientMechanism>,
    ) -> Option<UsageError> {
        // While STARTTLS may still come, the check waits for the send.
        let plaintext = self.security == ConnectionSecurity::Plaintext
            && !self.config.allow_plaintext_credentials
            && !self.tls_pending();
        match body {
            CommandBody::Login { .. } => {
                // LOGINDISABLED before TLS says nothing about after.
                if self.caps.has(&Capability::LoginDisabled) && !self.tls_pending() {
                    return Some(UsageError::LoginDisabled);
                }
                if plaintext {
                    return Some(UsageError::PlaintextCredentials);
                }
            }
            CommandBody::Authenticate {
                mechanism: name, ..
            } if plaintext
                && match mechanism {
                    Some(m) => m.sends_reusable_secret(),
                    // Enqueued as a raw command: judged by its name.
                    None => sends_reusable_secret(name),
                } =>
            {
                return Some(UsageError::PlaintextCredentials);
            }
            CommandBody::Idle if self.caps.known() && !self.caps.idle() => {
                return Some(UsageError::MissingCapability("IDLE"));
            }
            // A second COMPRESS would restart both DEFLATE streams in the
            // middle of the connection (RFC 4978 §3: COMPRESSIONACTIVE).
            CommandBody::Compress { .. } if self.deflate.is_some() => {
                return Some(UsageError::Unexpected("COMPRESS is already active"));
            }
            CommandBody::Compress { .. }
                if self.caps.known()
                    && !self
                        .caps
                        .list()
                        .iter()
                        .any(|c| matches!(c, Capability::Compress(a) if a.as_bytes().eq_ignore_ascii_case(b"DEFLATE"))) =>
            {
                return Some(UsageError::MissingCapability("COMPRESS=DEFLATE"));
            }
            CommandBody::Append { messages, .. } if self.caps.known() => {
                // RFC 3516: literal8 (`~{n}`) only to a server with BINARY;
                // RFC 6855: `UTF8 (...)` only after ENABLE UTF8=ACCEPT;
                // RFC 4469: CATENATE only when announced.
                for m in messages.as_slice() {
                    let missing = match &m.data {
                        AppendData::Literal8(_) if !self.caps.has(&Capability::Binary) => Some("BINARY"),
                        AppendData::Utf8(_) if !self.caps.utf8_accepted() => Some("UTF8=ACCEPT"),
                        AppendData::Catenate(_) if !self.caps.has(&Capability::Catenate) => Some("CATENATE"),
                        _ => None,
                    };
                    if let Some(cap) = missing {
                        return Some(UsageError::MissingCapability(cap));
                    }
                }
                if messages.as_slice().len() > 1 && !self.caps.has(&Capability::MultiAppend) {
                    return Some(UsageError::MissingCapability("MULTIAPPEND"));
                }
            }
            // RFC 9051 Appendix E items 17 and 19: no CHECK and no LSUB in
            // IMAP4rev2; a server without IMAP4rev1 answers them BAD.
            CommandBody::Lsub { .. } | CommandBody::Check if self.caps.imap4rev2_only() => {
                return Some(UsageError::ProtocolVersion(
                    "LSUB and CHECK are not in IMAP4rev2 (use LIST (SUBSCRIBED) and NOOP)",
                ));
            }
            // RFC 9051 §6.3.1: "Clients MUST NOT issue ENABLE once they
            // SELECT/EXAMINE a mailbox" (also after CLOSE or UNSELECT).
            CommandBody::Enable { .. } if self.selected_once => {
                return Some(UsageError::WrongState {
                    command: "ENABLE",
                    state: "authenticated, after a SELECT or EXAMINE",
                });
            }
            // Checked again at the send: UNAUTHENTICATE forgets what was enabled.
            CommandBody::Select { parameters, .. } | CommandBody::Examine { parameters, .. }
                if !self.caps.is_enabled(&Capability::QResync)
                    && parameters
                        .iter()
                        .any(|p| matches!(p, SelectParameter::QResync { .. })) =>
            {
                return Some(UsageError::Unexpected(
                    "SELECT (QRESYNC) before ENABLE QRESYNC",
                ));
            }
            // RFC 6855 §3: no CHARSET once UTF8=ACCEPT is enabled. UTF-8 and
            // US-ASCII are dropped at the send (the strings are UTF-8 anyway,
            // `search_charset`); another charset's strings would be misread.
            CommandBody::Search {
                charset: Some(c), ..
            } if self.caps.utf8_accept_enabled() && !is_utf8_or_ascii(c) => {
                return Some(UsageError::Unexpected(
                    "SEARCH CHARSET other than UTF-8 after ENABLE UTF8=ACCEPT",
                ));
            }
            CommandBody::StartTls if self.security == ConnectionSecurity::Tls => {
                return Some(UsageError::Unexpected("STARTTLS on an encrypted connection"));
            }
            // TLS under a DEFLATE stream begun in plaintext: refused, so
            // that no compressed plaintext after the OK can be taken for
            // the protected stream (and compressing before encrypting
            // is what TLS is for: RFC 4978 §4 sends COMPRESS after it).
            CommandBody::StartTls if self.deflate.is_some() => {
                return Some(UsageError::Unexpected("STARTTLS after COMPRESS"));
            }
            _ => {}
        }
        None
    }

    /// A SEARCH's `CHARSET` as the session needs it: dropped once
    /// UTF8=ACCEPT is enabled (RFC 6855 §3: the client MUST NOT send one;
    /// another charset was refused at the enqueue); `UTF-8` added when an
    /// IMAP4rev1 session's search strings hold non-ASCII text and none was
    /// given (RFC 3501 §6.4.4: without CHARSET the server reads them as
    /// US-ASCII; an IMAP4rev2 server assumes UTF-8, RFC 9051 §6.4.4).
    fn search_charset(&self, body: &mut CommandBody<'static>) {
        let CommandBody::Search {
            charset, criteria, ..
        } = body
        else {
            return;
        };
        if self.caps.utf8_accept_enabled() {
            *charset = None;
        } else if charset.is_none()
            && !self.caps.utf8_accepted()
            && criteria.as_slice().iter().any(|k| !k.to_vec().is_ascii())
        {
            *charset = Some(Charset::utf8());
        }
    }

    /// Whether the STARTTLS policy has yet to be applied on this plaintext
    /// connection (a command enqueued now is sent after it).
    pub(super) fn tls_pending(&self) -> bool {
        self.security == ConnectionSecurity::Plaintext
            && self.config.starttls != StartTlsPolicy::Never
            && (self.state == SessionState::Greeting || self.gate != Gate::Open)
    }

    /// Starts queued commands as far as the gate and RFC 9051 §5.5 allow,
    /// and never while input already received is held unread: what it
    /// holds came before any command started now, and must be read as such
    /// (a tagged answer in it is not the new command's, nor is its data).
    pub(super) fn pump(&mut self, now: Instant) {
        loop {
            if matches!(self.state, SessionState::Closed | SessionState::Greeting)
                || self.gate == Gate::Upgrading
                || self.sending.is_some()
                || self.bye.is_some()
                || self.input_held()
            {
                return;
            }
            let Some(next) = self.queue.front() else {
                return;
            };
            if self.gate == Gate::Tls && !next.internal {
                return;
            }
            let blocked = self.in_flight.iter().any(|f| f.traits.hold_after)
                || (next.traits.alone && !self.in_flight.is_empty())
                || (next.traits.uses_seq && self.in_flight.iter().any(|f| f.traits.may_expunge));
            if blocked {
                return;
            }
            let Some(next) = self.queue.pop_front() else {
                return;
            };
            // Checked again now: the state and capabilities may have changed
            // since it was enqueued (a LOGIN failed, CAPABILITY arrived).
            let refusal = if next.traits.validity.admits(self.state) {
                self.capability_refusal(&next.body, next.mechanism.as_deref())
            } else {
                Some(UsageError::WrongState {
                    command: command_name(&next.body),
                    state: self.state.name(),
                })
            };
            if let Some(e) = refusal {
                self.complete_local(next.handle, None, Outcome::NotSent(e));
                continue;
            }
            self.start(now, next);
        }
    }

    /// Encodes and starts sending one command.
    pub(super) fn start(&mut self, now: Instant, q: Queued) {
        let Queued {
            handle,
            mut body,
            traits,
            internal,
            mechanism,
            mut snapshot,
        } = q;
        let mut detail = Detail::None;
        if matches!(
            body,
            CommandBody::Select { .. } | CommandBody::Examine { .. }
        ) {
            self.selected_once = true;
        }
        if let Some(mechanism) = mechanism {
            let sasl_ir = self.caps.has(&Capability::SaslIr);
            match Exchange::start(mechanism, sasl_ir) {
                Ok((exchange, inline)) => {
                    if let CommandBody::Authenticate {
                        initial_response, ..
                    } = &mut body
                    {
                        *initial_response =
                            inline.map(|s| Secret::new(Buf::from(s.into_declassified())));
                    }
                    detail = Detail::Authenticate(exchange);
                }
                Err(e) => {
                    self.complete_local(handle, None, Outcome::NotSent(UsageError::Sasl(e)));
                    return;
                }
            }
        }
        match &body {
            CommandBody::Idle => {
                detail = Detail::Idle(IdlePhase::Requested {
                    done: false,
                    refresh: false,
                })
            }
            CommandBody::Select { mailbox, .. } | CommandBody::Examine { mailbox, .. } => {
                let read_only = matches!(body, CommandBody::Examine { .. });
                let model = match snapshot.take() {
                    Some(snapshot) => {
                        SelectedMailbox::resync(mailbox.clone(), read_only, &snapshot)
                    }
                    None => SelectedMailbox::new(mailbox.clone(), read_only),
                };
                detail = Detail::Select(Box::new(model));
            }
            _ => {}
        }
        if traits.kind == Kind::Select {
            // RFC 9051 §6.3.2: a SELECT closes the mailbox selected before,
            // whatever its outcome. A CONDSTORE, QRESYNC or IMAP4rev2 server
            // marks the moment with `[CLOSED]` (RFC 7162 §3.2.11); until then
            // its responses are about the old mailbox.
            self.closing =
                (self.mailbox.is_some() && self.caps.closed_expected()).then(Closing::default);
            if self.closing.is_none() {
                self.mailbox = None;
            }
            if self.state == SessionState::Selected {
                self.state = SessionState::Authenticated;
            }
        }
        self.search_charset(&mut body);
        // A FETCH whose items hold FLAGS (ALL, FAST and FULL do): its
        // answer's flags are no change. Flags a FETCH did not ask for (the
        // \Seen a BODY[] sets, another session's change) are one.
        let fetch = match &body {
            CommandBody::Fetch { items, .. } => items.any(|a| *a == FetchAttribute::Flags),
            _ => false,
        };
        let scope = match &body {
            CommandBody::Fetch {
                uid, sequence_set, ..
            } => Some(MessageScope {
                uid: *uid,
                set: sequence_set.clone(),
                store: false,
            }),
            CommandBody::Store {
                uid, sequence_set, ..
            } => Some(MessageScope {
                uid: *uid,
                set: sequence_set.clone(),
                store: true,
            }),
            _ => None,
        };
        let copies = matches!(body, CommandBody::Copy { .. } | CommandBody::Move { .. });
        let tag = self.tags.next_tag();
        let command = Command::new(tag.clone(), body);
        let mut outgoing = Outgoing::encode(&command, &self.encode_options());
        let answers = Answers::of(&command.body);
        self.fetches_in_flight += usize::from(fetch);
        self.in_flight.push_back(InFlight {
            handle,
            tag: tag.clone(),
            traits,
            answers,
            internal,
            detail,
            caps_generation: self.caps.generation(),
            fetch,
            scope,
            copies,
            copy_uid: None,
            first_part: self.parts_pushed,
            after_continue: None,
        });
        self.events.push_back(Event::CommandSent { handle, tag });
        let (part, progress) = outgoing.next_part();
        self.push_out(part);
        if progress == Progress::AwaitContinuation {
            self.sending = Some((handle, outgoing));
        }
        self.arm_command_timer(now);
    }

    /// How commands are encoded: as the capabilities say, with the
    /// configured literal policy if there is one.
    pub(super) fn encode_options(&self) -> imapkit_codec::EncodeOptions {
        let mut options = self.caps.encode_options();
        if let Some(policy) = self.config.literal_policy {
            options.literals = policy;
        }
        options
    }

    pub(super) fn push_out(&mut self, bytes: Bytes) {
        if !bytes.is_empty() {
            self.out.push_back((self.parts_pushed, bytes));
            self.parts_pushed += 1;
        }
    }

    /// Queues a command of the client's own at the front of the queue.
    pub(super) fn push_internal(&mut self, body: CommandBody<'static>) {
        let handle = self.new_handle();
        let traits = Traits::of(&body);
        self.queue.push_front(Queued {
            handle,
            body,
            traits,
            internal: true,
            mechanism: None,
            snapshot: None,
        });
    }

    /// Asks for CAPABILITY unless it is known or being asked for.
    pub(super) fn ask_capabilities(&mut self, force: bool) {
        if self.caps.known() || !(force || self.config.auto_capability) {
            return;
        }
        // The application's own CAPABILITY waits behind a closed TLS gate:
        // it does not answer the client's question meanwhile.
        let gated = self.gate == Gate::Tls;
        let asking = self
            .in_flight
            .iter()
            .map(|f| f.traits.kind)
            .chain(
                (self.queue.iter())
                    .filter(|q| q.internal || !gated)
                    .map(|q| q.traits.kind),
            )
            .any(|k| k == Kind::Capability);
        if !asking {
            self.push_internal(CommandBody::Capability);
        }
    }

    // ---- private: timers ----

    pub(super) fn touch(&mut self, now: Instant) {
        if self.timers.get(Timer::Command).is_some() {
            self.arm_command_timer(now);
        }
    }

    /// Arms the inactivity timer while a command waits for the server, stops it otherwise.
    pub(super) fn arm_command_timer(&mut self, now: Instant) {
        let waiting = self
            .in_flight
            .iter()
            .any(|f| !matches!(f.detail, Detail::Idle(IdlePhase::Idling)));
        match self.config.command_timeout {
            Some(timeout) if waiting => self.timers.set(Timer::Command, now + timeout),
            _ => self.timers.stop(Timer::Command),
        }
    }

    pub(super) fn refresh_idle(&mut self, now: Instant) {
        let Some(f) = self
            .in_flight
            .iter_mut()
            .find(|f| matches!(f.detail, Detail::Idle(IdlePhase::Idling)))
        else {
            return;
        };
        f.detail = Detail::Idle(IdlePhase::Done { refresh: true });
        let handle = f.handle;
        // Withdrawn if the server ends the IDLE before the DONE is taken.
        self.push_after_continue(handle, Bytes::from_static(b"DONE\r\n"));
        self.arm_command_timer(now);
    }
}

/// Whether the SASL mechanism `name` sends a secret that could be replayed
/// (a password or a bearer token), for an AUTHENTICATE enqueued without a
/// [`ClientMechanism`]: PLAIN, LOGIN, XOAUTH2 and OAUTHBEARER do, and so
/// may any mechanism this crate does not know (the caller's own exchange
/// may carry anything: refused in clear unless the configuration allows
/// it). SCRAM and CRAM-MD5 prove the password without sending it;
/// EXTERNAL and ANONYMOUS send none.
fn sends_reusable_secret(name: &imapkit_proto::AuthMechanism<'_>) -> bool {
    use imapkit_proto::AuthMechanism as M;
    match name {
        M::Plain | M::Login | M::XOAuth2 | M::OAuthBearer => true,
        M::ScramSha1 | M::ScramSha256 | M::External | M::Anonymous | M::CramMd5 => false,
        M::Other(other) => {
            let n = other.as_bytes();
            !(n.len() > 6 && n[..6].eq_ignore_ascii_case(b"SCRAM-"))
        }
    }
}

/// Whether a SEARCH charset is UTF-8 or US-ASCII (any case), which a
/// UTF8=ACCEPT session's strings are.
fn is_utf8_or_ascii(c: &Charset<'_>) -> bool {
    let name = c.as_bytes();
    name.eq_ignore_ascii_case(b"UTF-8") || name.eq_ignore_ascii_case(b"US-ASCII")
}
