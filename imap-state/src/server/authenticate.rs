//! LOGIN and AUTHENTICATE, server side (RFC 9051 §6.2.2, §6.2.3): the
//! session runs the exchange (base64, `+` challenges, SASL-IR, `*` to
//! cancel), the SASL mechanism ([`ServerMechanism`]) turns each message
//! into the next, and the application decides ([`LoginAttempt`],
//! [`ScramLookup`]).
//!
//! Credentials that could be replayed are refused before TLS (`NO
//! [PRIVACYREQUIRED]`) unless the configuration allows them. A failed
//! attempt is answered `NO [AUTHENTICATIONFAILED]` after the configured
//! delay (the session's timer; it reads no command meanwhile), and the
//! connection ends after the configured number of failures. Every attempt
//! is audited with its outcome, never with the secret.

use std::mem;
use std::time::{Duration, Instant};

use imapkit_codec::framer::Frame;
use imapkit_proto::{
    AuthMechanism, AuthenticateData, Command, CommandBody, ContinueRequest, RespText, ResponseCode,
    Secret, Status, StatusResponse, Tag,
};

use super::audit::{AuditKind, AuthOutcome, LimitKind};
use super::capability::{binding_usable, needs_channel_binding};
use super::config::MechanismRequest;
use super::decision::{
    coded_text, static_text, AuthVerdict, LoginAttempt, RequestId, ScramLookup, Unanswered,
};
use super::event::{CloseReason, Event};
use super::{Mode, Server, SessionState, Timer};
use crate::error::UsageError;
use crate::sasl::{
    CredentialSecret, Credentials, FailureReason, Identity, SaslError, ScramSecrets,
    ServerMechanism, ServerStep, Supply,
};
use crate::security::ConnectionSecurity;

/// A LOGIN or AUTHENTICATE exchange in progress. `Debug` shows the
/// mechanism's name, the user and the phase, never the mechanism's state.
pub(super) struct AuthExchange {
    request: RequestId,
    tag: Tag<'static>,
    kind: Kind,
    /// The user name, once known (for the audit log).
    user: Option<String>,
    /// The application's refusal, which names the NO's code.
    refusal: Option<AuthVerdict>,
    /// The refusal was counted and audited while the exchange goes on
    /// (the error challenge of XOAUTH2 and OAUTHBEARER, RFC 7628 §3.2.3):
    /// the delay and whether it was the last failure allowed, for the
    /// answer that ends the exchange, however the client ends it.
    recorded: Option<Recorded>,
    phase: Phase,
}

/// A failure counted and audited before its answer.
#[derive(Debug, Clone, Copy)]
struct Recorded {
    delay: Duration,
    last: bool,
}

enum Kind {
    /// The LOGIN command.
    Login,
    /// AUTHENTICATE with a SASL mechanism.
    Sasl {
        name: AuthMechanism<'static>,
        mechanism: Box<dyn ServerMechanism>,
    },
}

#[derive(Debug)]
enum Phase {
    /// A challenge was sent; the client's answer comes next (a line).
    AwaitingResponse,
    /// The application checks credentials ([`LoginAttempt`]).
    AwaitingVerdict,
    /// The application looks up SCRAM secrets ([`ScramLookup`]).
    AwaitingScram,
    /// Failed: the NO waits for the delay timer.
    Delayed {
        response: StatusResponse<'static>,
        last: bool,
    },
}

impl AuthExchange {
    fn new(request: RequestId, tag: Tag<'static>, kind: Kind) -> Self {
        Self {
            request,
            tag,
            kind,
            user: None,
            refusal: None,
            recorded: None,
            phase: Phase::AwaitingVerdict,
        }
    }

    /// Whether the attempt is in the audit log already (a failure waiting
    /// for its delay, or recorded during the error challenge).
    fn audited(&self) -> bool {
        self.recorded.is_some() || matches!(self.phase, Phase::Delayed { .. })
    }

    /// The user for the audit log: as the exchange learned it, or as far
    /// as the mechanism has read it.
    fn known_user(&self) -> Option<String> {
        match (&self.user, &self.kind) {
            (Some(user), _) => Some(user.clone()),
            (None, Kind::Sasl { mechanism, .. }) => mechanism.user().map(str::to_owned),
            (None, Kind::Login) => None,
        }
    }

    /// The audit outcome of an exchange that ends early with `outcome`
    /// (cancelled, malformed, interrupted): [`AuthOutcome::Abandoned`]
    /// once the client has proved its credentials.
    fn ended_early(&self, outcome: AuthOutcome) -> AuthOutcome {
        match &self.kind {
            Kind::Sasl { mechanism, .. } if mechanism.proven() => AuthOutcome::Abandoned,
            _ => outcome,
        }
    }

    /// Whether the client's next line is expected (the session reads input).
    pub(super) fn awaits_response(&self) -> bool {
        matches!(self.phase, Phase::AwaitingResponse)
    }

    /// The mechanism for events and audit (`None` for LOGIN).
    fn mechanism(&self) -> Option<AuthMechanism<'static>> {
        match &self.kind {
            Kind::Login => None,
            Kind::Sasl { name, .. } => Some(name.clone()),
        }
    }
}

impl std::fmt::Debug for AuthExchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthExchange")
            .field("request", &self.request)
            .field("mechanism", &self.mechanism())
            .field("user", &self.user)
            .field("phase", &self.phase)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Answers a [`LoginAttempt`]: the session completes the LOGIN, or
    /// passes the verdict to the SASL mechanism, which may go on with the
    /// exchange. A rejection is answered NO after the failure delay.
    ///
    /// Errors: the session is closed, or the attempt is not the one pending
    /// (another session's, say); the attempt comes back with the error, as
    /// a request does from [`respond`](Self::respond), so that it can still
    /// go to its own session.
    // Once per login attempt: the token comes back as it is, unboxed.
    #[allow(clippy::result_large_err)]
    pub fn decide_login(
        &mut self,
        now: Instant,
        attempt: LoginAttempt,
        verdict: AuthVerdict,
    ) -> Result<(), Unanswered<LoginAttempt>> {
        let mut ex =
            match self.take_exchange(attempt.request, |p| matches!(p, Phase::AwaitingVerdict)) {
                Ok(ex) => ex,
                Err(e) => return Err(Unanswered::new(e, attempt)),
            };
        let LoginAttempt { credentials, .. } = attempt;
        ex.user = Some(credentials.identity.authcid.clone());
        match &mut ex.kind {
            Kind::Login => match verdict {
                AuthVerdict::Accept => self.auth_succeeded(now, ex, credentials.identity),
                refused => self.auth_failed(now, ex, refused.code(), outcome_of(refused)),
            },
            Kind::Sasl { mechanism, .. } => {
                let accept = verdict == AuthVerdict::Accept;
                if !accept {
                    ex.refusal = Some(verdict);
                }
                let step = mechanism.supply(Supply::Verdict(accept));
                if !accept && matches!(step, Ok(ServerStep::Challenge(_))) {
                    // The error challenge of RFC 7628 §3.2.3: the exchange
                    // fails after the client's next line. The refusal is
                    // a failed attempt now, whatever that line is (the
                    // dummy answer, `*`, bad base64) or if none comes, so
                    // that no answer escapes the throttle or the log.
                    let (delay, last) = self.record_failure(&ex, outcome_of(verdict));
                    if last {
                        // No more attempts: the NO and BYE without the dance.
                        let response = failure_response(&ex, verdict.code());
                        self.answer_after(now, ex, response, delay, last);
                        self.process(now);
                        return Ok(());
                    }
                    ex.recorded = Some(Recorded { delay, last });
                }
                self.on_sasl_step(now, ex, step);
            }
        }
        self.process(now);
        Ok(())
    }

    /// Answers a [`ScramLookup`] with the user's stored secrets, or `None`
    /// for an unknown user (the exchange then fails at the proof, like a
    /// wrong password, RFC 5802 §5.1).
    ///
    /// Errors: the session is closed, or the lookup is not the one pending
    /// (another session's, say); the lookup comes back with the error.
    // Once per login attempt: the token comes back as it is, unboxed.
    #[allow(clippy::result_large_err)]
    pub fn supply_scram(
        &mut self,
        now: Instant,
        lookup: ScramLookup,
        secrets: Option<ScramSecrets>,
    ) -> Result<(), Unanswered<ScramLookup>> {
        let mut ex = match self.take_exchange(lookup.request, |p| matches!(p, Phase::AwaitingScram))
        {
            Ok(ex) => ex,
            Err(e) => return Err(Unanswered::new(e, lookup)),
        };
        let step = match &mut ex.kind {
            Kind::Sasl { mechanism, .. } => mechanism.supply(Supply::Scram(secrets)),
            Kind::Login => Err(SaslError::UnexpectedMessage { mechanism: "LOGIN" }),
        };
        self.on_sasl_step(now, ex, step);
        self.process(now);
        Ok(())
    }

    /// Takes the exchange out of the mode if it is `request`'s and in a
    /// phase `expected` accepts.
    fn take_exchange(
        &mut self,
        request: RequestId,
        expected: impl Fn(&Phase) -> bool,
    ) -> Result<Box<AuthExchange>, UsageError> {
        match &self.mode {
            Mode::Closed => return Err(UsageError::Closed),
            Mode::Auth(ex) if ex.request == request && expected(&ex.phase) => {}
            _ => return Err(UsageError::UnknownCommand),
        }
        match mem::replace(&mut self.mode, Mode::Normal) {
            Mode::Auth(ex) => Ok(ex),
            // Checked just above.
            _ => unreachable!("the mode is an exchange"),
        }
    }

    /// LOGIN (RFC 9051 §6.2.3).
    pub(super) fn login(&mut self, now: Instant, command: Command<'static>) {
        let Command { tag, body } = command;
        let CommandBody::Login { username, password } = body else {
            return self.tagged(tag, Status::Bad, static_text("Syntax error"));
        };
        let user = String::from_utf8_lossy(username.as_bytes()).into_owned();
        if !self.config.login {
            self.audit_auth(None, Some(user), AuthOutcome::Refused);
            let text = coded_text(ResponseCode::Cannot, "LOGIN is disabled");
            return self.tagged(tag, Status::No, text);
        }
        if self.plaintext_refused() {
            self.audit_auth(None, Some(user), AuthOutcome::PrivacyRequired);
            let text = coded_text(ResponseCode::PrivacyRequired, "TLS is required to log in");
            return self.tagged(tag, Status::No, text);
        }
        let id = self.next_request_id();
        let mut ex = AuthExchange::new(id, tag, Kind::Login);
        ex.user = Some(user);
        let password = password.into_declassified();
        let (Ok(authcid), Ok(password)) = (
            String::from_utf8(username.as_bytes().to_vec()),
            String::from_utf8(password.as_bytes().to_vec()),
        ) else {
            // Not UTF-8 (RFC 9051 §6.2.3 strings are UTF-8): a failed attempt.
            let code = ResponseCode::AuthenticationFailed;
            return self.auth_failed(now, Box::new(ex), code, AuthOutcome::Failed);
        };
        let credentials = Credentials {
            identity: Identity {
                authcid,
                authzid: None,
            },
            secret: CredentialSecret::Password(Secret::new(password)),
        };
        self.mode = Mode::Auth(Box::new(ex));
        self.events.push_back(Event::LoginAttempt(LoginAttempt {
            request: id,
            mechanism: None,
            credentials,
        }));
    }

    /// AUTHENTICATE (RFC 9051 §6.2.2, SASL-IR RFC 4959).
    pub(super) fn authenticate(&mut self, now: Instant, command: Command<'static>) {
        let Command { tag, body } = command;
        let CommandBody::Authenticate {
            mechanism,
            initial_response,
        } = body
        else {
            return self.tagged(tag, Status::Bad, static_text("Syntax error"));
        };
        let configured = self
            .config
            .sasl_mechanisms
            .iter()
            .find(|m| m.as_bytes().eq_ignore_ascii_case(mechanism.as_bytes()))
            .cloned();
        let created = configured.and_then(|name| {
            let factory = self.config.sasl_factory.as_ref()?;
            // The capability list's rule for `-PLUS` (capability.rs).
            let plus_advertised = binding_usable(self.security, self.channel_binding.is_some())
                && self
                    .config
                    .sasl_mechanisms
                    .iter()
                    .any(needs_channel_binding);
            let request = MechanismRequest::new(
                &name,
                self.security,
                self.channel_binding.as_deref(),
                plus_advertised,
                self.config.random.as_ref(),
            );
            let mechanism = factory(&request)?;
            Some((name, mechanism))
        });
        let Some((name, mut mech)) = created else {
            self.audit_auth(Some(mechanism), None, AuthOutcome::UnsupportedMechanism);
            let text = static_text("Unsupported authentication mechanism");
            return self.tagged(tag, Status::No, text);
        };
        if mech.receives_reusable_secret() && self.plaintext_refused() {
            self.audit_auth(Some(name), None, AuthOutcome::PrivacyRequired);
            let text = coded_text(ResponseCode::PrivacyRequired, "TLS is required to log in");
            return self.tagged(tag, Status::No, text);
        }
        let initial = initial_response.as_ref().map(|r| r.declassify().as_bytes());
        let step = mech.start(initial);
        let id = self.next_request_id();
        let ex = AuthExchange::new(
            id,
            tag,
            Kind::Sasl {
                name,
                mechanism: mech,
            },
        );
        self.on_sasl_step(now, Box::new(ex), step);
    }

    /// A line of the client during an AUTHENTICATE exchange.
    pub(super) fn on_auth_line(&mut self, now: Instant, frame: Frame) {
        self.rearm_autologout(now);
        let Mode::Auth(mut ex) = mem::replace(&mut self.mode, Mode::Normal) else {
            return;
        };
        match frame.decode_authenticate_data() {
            Ok(AuthenticateData::Cancel) => {
                // RFC 9051 §6.2.2: `*` cancels, answered with BAD.
                let outcome = AuthOutcome::Cancelled;
                self.auth_bad(now, ex, "Authentication cancelled", outcome);
            }
            Ok(AuthenticateData::Continue(response)) => {
                let response = response.declassify().as_bytes();
                let step = match &mut ex.kind {
                    Kind::Sasl { mechanism, .. } => mechanism.step(response),
                    Kind::Login => Err(SaslError::UnexpectedMessage { mechanism: "LOGIN" }),
                };
                self.on_sasl_step(now, ex, step);
            }
            Err(_) => self.auth_bad(now, ex, "Invalid base64", AuthOutcome::Malformed),
        }
    }

    /// A line of an exchange could not be framed (too long, bare LF).
    pub(super) fn auth_line_refused(&mut self, now: Instant, text: &'static str) {
        if let Mode::Auth(ex) = mem::replace(&mut self.mode, Mode::Normal) {
            self.auth_bad(now, ex, text, AuthOutcome::Malformed);
        }
    }

    /// The connection ends: an attempt not in the audit log yet is
    /// recorded as interrupted (the client left mid-exchange, or the
    /// application was still deciding).
    pub(super) fn audit_interrupted_attempt(&mut self) {
        let Mode::Auth(ex) = &self.mode else {
            return;
        };
        if ex.audited() {
            return;
        }
        let (mechanism, user) = (ex.mechanism(), ex.known_user());
        let outcome = ex.ended_early(AuthOutcome::Interrupted);
        self.audit_auth(mechanism, user, outcome);
    }

    /// Acts on what the mechanism needs next.
    fn on_sasl_step(
        &mut self,
        now: Instant,
        mut ex: Box<AuthExchange>,
        step: Result<ServerStep, SaslError>,
    ) {
        match step {
            Ok(ServerStep::Challenge(challenge)) => {
                self.out.push(&ContinueRequest::base64(&challenge));
                ex.phase = Phase::AwaitingResponse;
                self.mode = Mode::Auth(ex);
            }
            Ok(ServerStep::Verify(credentials)) => {
                ex.user = Some(credentials.identity.authcid.clone());
                ex.phase = Phase::AwaitingVerdict;
                let attempt = LoginAttempt {
                    request: ex.request,
                    mechanism: ex.mechanism(),
                    credentials,
                };
                self.mode = Mode::Auth(ex);
                self.events.push_back(Event::LoginAttempt(attempt));
            }
            Ok(ServerStep::LookupScram(identity)) => {
                ex.user = Some(identity.authcid.clone());
                ex.phase = Phase::AwaitingScram;
                let lookup = ScramLookup {
                    request: ex.request,
                    mechanism: ex.mechanism().unwrap_or(AuthMechanism::ScramSha256),
                    identity,
                };
                self.mode = Mode::Auth(ex);
                self.events.push_back(Event::ScramLookup(lookup));
            }
            Ok(ServerStep::Success(identity)) => self.auth_succeeded(now, ex, identity),
            Ok(ServerStep::Failure(failure)) => {
                if let Some(identity) = &failure.identity {
                    ex.user = Some(identity.authcid.clone());
                }
                let (code, outcome) = match (failure.reason, ex.refusal) {
                    (FailureReason::Authorization, _) => {
                        (ResponseCode::AuthorizationFailed, AuthOutcome::Refused)
                    }
                    (_, Some(refusal)) => (refusal.code(), outcome_of(refusal)),
                    (_, None) => (ResponseCode::AuthenticationFailed, AuthOutcome::Failed),
                };
                self.auth_failed(now, ex, code, outcome);
            }
            Err(
                SaslError::Malformed { .. }
                | SaslError::UnexpectedMessage { .. }
                | SaslError::InvalidCharacter { .. }
                | SaslError::SaslPrep,
            ) => self.auth_bad(
                now,
                ex,
                "Malformed authentication message",
                AuthOutcome::Malformed,
            ),
            // A proof, binding or nonce that does not verify, or the
            // mechanism's way of reporting a rejection.
            Err(_) => {
                let (code, outcome) = match ex.refusal {
                    Some(refusal) => (refusal.code(), outcome_of(refusal)),
                    None => (ResponseCode::AuthenticationFailed, AuthOutcome::Failed),
                };
                self.auth_failed(now, ex, code, outcome);
            }
        }
    }

    /// The client is authenticated: `OK [CAPABILITY ...]`, the full set.
    fn auth_succeeded(&mut self, now: Instant, ex: Box<AuthExchange>, identity: Identity) {
        self.mode = Mode::Normal;
        self.state = SessionState::Authenticated;
        self.identity = Some(identity.clone());
        let mechanism = ex.mechanism();
        let caps = ResponseCode::Capability(self.capability_list());
        // A text with a code is always valid.
        let text = RespText::with_code(caps, "Logged in").expect("constant text");
        self.tagged(ex.tag, Status::Ok, text);
        self.audit_auth(
            mechanism.clone(),
            Some(identity.authcid.clone()),
            AuthOutcome::Success,
        );
        self.events.push_back(Event::Authenticated {
            identity,
            mechanism,
        });
        self.rearm_autologout(now);
    }

    /// A failed attempt: counted, audited (unless it was already, see
    /// [`AuthExchange::recorded`]), the NO delayed.
    fn auth_failed(
        &mut self,
        now: Instant,
        mut ex: Box<AuthExchange>,
        code: ResponseCode<'static>,
        outcome: AuthOutcome,
    ) {
        let (delay, last) = match ex.recorded.take() {
            Some(Recorded { delay, last }) => (delay, last),
            None => self.record_failure(&ex, outcome),
        };
        let response = failure_response(&ex, code);
        self.answer_after(now, ex, response, delay, last);
    }

    /// Counts and audits a failed attempt; its answer's delay and whether
    /// it was the last failure allowed.
    fn record_failure(&mut self, ex: &AuthExchange, outcome: AuthOutcome) -> (Duration, bool) {
        let throttle = &self.config.throttle;
        let (failures, last) = self.counters.auth_failed(throttle.max_auth_failures);
        let delay = throttle.delay(failures);
        self.audit_auth(ex.mechanism(), ex.known_user(), outcome);
        (delay, last)
    }

    /// Ends the exchange of a failed attempt with `response` after `delay`
    /// (the session reads nothing meanwhile), then BYE if it was the last
    /// failure allowed.
    fn answer_after(
        &mut self,
        now: Instant,
        mut ex: Box<AuthExchange>,
        response: StatusResponse<'static>,
        delay: Duration,
        last: bool,
    ) {
        if delay.is_zero() {
            self.mode = Mode::Normal;
            self.finish_failure(response, last);
        } else {
            self.timers.set(Timer::AuthDelay, now + delay);
            ex.phase = Phase::Delayed { response, last };
            self.mode = Mode::Auth(ex);
        }
    }

    /// The failure delay is over: the NO goes out (and BYE after the last).
    pub(super) fn auth_delay_over(&mut self, now: Instant) {
        let _ = now;
        if !matches!(&self.mode, Mode::Auth(ex) if matches!(ex.phase, Phase::Delayed { .. })) {
            return;
        }
        if let Mode::Auth(ex) = mem::replace(&mut self.mode, Mode::Normal) {
            if let Phase::Delayed { response, last } = ex.phase {
                self.finish_failure(response, last);
            }
        }
    }

    fn finish_failure(&mut self, response: StatusResponse<'static>, last: bool) {
        self.out.push(&response);
        if last {
            self.audit(AuditKind::LimitHit {
                limit: LimitKind::AuthFailures,
            });
            self.bye_now(
                None,
                "Too many authentication failures",
                CloseReason::AuthFailures,
            );
        }
    }

    /// The exchange ends with BAD (cancelled, malformed): not counted as a
    /// failed attempt, audited. After a refusal already recorded (the
    /// error challenge), the BAD is that failure's answer: delayed as its
    /// NO would have been, and the last one allowed ends the connection.
    fn auth_bad(
        &mut self,
        now: Instant,
        mut ex: Box<AuthExchange>,
        text: &'static str,
        outcome: AuthOutcome,
    ) {
        if let Some(Recorded { delay, last }) = ex.recorded.take() {
            let response = StatusResponse::tagged(ex.tag.clone(), Status::Bad, static_text(text));
            return self.answer_after(now, ex, response, delay, last);
        }
        self.mode = Mode::Normal;
        let outcome = ex.ended_early(outcome);
        self.audit_auth(ex.mechanism(), ex.known_user(), outcome);
        self.tagged(ex.tag, Status::Bad, static_text(text));
    }

    /// Whether credentials that could be replayed are refused now.
    fn plaintext_refused(&self) -> bool {
        self.security == ConnectionSecurity::Plaintext && self.config.tls_required_for_credentials
    }

    /// Audits an authentication attempt.
    pub(super) fn audit_auth(
        &mut self,
        mechanism: Option<AuthMechanism<'static>>,
        user: Option<String>,
        outcome: AuthOutcome,
    ) {
        let failures = self.counters.auth_failures;
        self.audit(AuditKind::AuthAttempt {
            mechanism,
            user,
            outcome,
            failures,
        });
    }
}

/// The tagged `NO [code] Authentication failed` of a failed attempt.
fn failure_response(ex: &AuthExchange, code: ResponseCode<'static>) -> StatusResponse<'static> {
    let text = coded_text(code, "Authentication failed");
    StatusResponse::tagged(ex.tag.clone(), Status::No, text)
}

/// The audit outcome of a refusing verdict.
fn outcome_of(verdict: AuthVerdict) -> AuthOutcome {
    match verdict {
        AuthVerdict::Reject | AuthVerdict::Accept => AuthOutcome::Failed,
        AuthVerdict::Unavailable | AuthVerdict::AuthorizationFailed | AuthVerdict::Expired => {
            AuthOutcome::Refused
        }
    }
}
