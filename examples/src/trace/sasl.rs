//! SASL mechanisms that replay a recorded AUTHENTICATE exchange, for the
//! session-aware trace decoder: the recording decides, not credentials.
//!
//! - [`TranscriptServer`] asks for as many client messages as the recorded
//!   server sent `+` challenges during the exchange, then succeeds or fails
//!   as the recorded server did. It never sees a secret it could check.
//! - [`ReplayClient`] answers each challenge with the next message the
//!   recorded client sent, and offers the recorded initial response
//!   (SASL-IR) only if the recorded client sent one.
//!
//! Both keep the recorded messages in [`Secret`]s: `Debug` never shows them.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use imapkit_proto::{AuthMechanism, Secret};
use imapkit_state::sasl::{
    ClientMechanism, Identity, SaslError, ServerMechanism, ServerStep, Supply,
};

/// How a recorded AUTHENTICATE went, as the server recorded it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Plan {
    /// `+` challenges the server sent before its tagged answer.
    pub(crate) challenges: usize,
    /// Whether the tagged answer was OK.
    pub(crate) ok: bool,
}

/// The plan for the next AUTHENTICATE the replayed server dispatches (the
/// trace decoder sets it just before feeding the command).
pub(crate) type NextPlan = Arc<Mutex<Option<Plan>>>;

/// The server half: challenges as recorded, then the recorded outcome.
#[derive(Debug)]
pub(crate) struct TranscriptServer {
    name: AuthMechanism<'static>,
    left: usize,
    ok: bool,
}

impl TranscriptServer {
    pub(crate) fn new(name: AuthMechanism<'static>, plan: Plan) -> Self {
        Self {
            name,
            left: plan.challenges,
            ok: plan.ok,
        }
    }

    /// A challenge while the recording has more, then the outcome: a
    /// rejection is reported the way a mechanism reports a wrong proof (the
    /// session answers `NO [AUTHENTICATIONFAILED]`).
    fn next(&mut self) -> Result<ServerStep, SaslError> {
        if self.left > 0 {
            self.left -= 1;
            return Ok(ServerStep::Challenge(Vec::new()));
        }
        if self.ok {
            Ok(ServerStep::Success(Identity {
                authcid: "replayed".to_owned(),
                authzid: None,
            }))
        } else {
            Err(SaslError::ServerError("refused as recorded".to_owned()))
        }
    }
}

impl ServerMechanism for TranscriptServer {
    fn name(&self) -> AuthMechanism<'static> {
        self.name.clone()
    }

    fn receives_reusable_secret(&self) -> bool {
        false
    }

    fn start(&mut self, _initial: Option<&[u8]>) -> Result<ServerStep, SaslError> {
        self.next()
    }

    fn step(&mut self, _response: &[u8]) -> Result<ServerStep, SaslError> {
        self.next()
    }

    fn supply(&mut self, _supply: Supply) -> Result<ServerStep, SaslError> {
        self.next()
    }
}

/// A message the recorded client sent during an AUTHENTICATE exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Recorded {
    /// A response (base64-decoded).
    Response(Secret<Vec<u8>>),
    /// `*`: the client cancelled.
    Cancel,
}

/// The client half: the recorded messages, in order.
#[derive(Debug)]
pub(crate) struct ReplayClient {
    name: AuthMechanism<'static>,
    initial: Option<Secret<Vec<u8>>>,
    responses: VecDeque<Recorded>,
}

impl ReplayClient {
    pub(crate) fn new(
        name: AuthMechanism<'static>,
        initial: Option<Secret<Vec<u8>>>,
        responses: impl IntoIterator<Item = Recorded>,
    ) -> Self {
        Self {
            name,
            initial,
            responses: responses.into_iter().collect(),
        }
    }
}

impl ClientMechanism for ReplayClient {
    fn name(&self) -> AuthMechanism<'static> {
        self.name.clone()
    }

    fn sends_reusable_secret(&self) -> bool {
        false
    }

    fn initial_response(&mut self) -> Result<Option<Secret<Vec<u8>>>, SaslError> {
        Ok(self.initial.take())
    }

    fn respond(&mut self, _challenge: &[u8]) -> Result<Secret<Vec<u8>>, SaslError> {
        match self.responses.pop_front() {
            Some(Recorded::Response(r)) => Ok(r),
            Some(Recorded::Cancel) | None => Err(SaslError::Incomplete {
                mechanism: "replayed",
            }),
        }
    }

    fn complete(&mut self) -> Result<(), SaslError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_transcript_asks_as_often_as_recorded_then_ends_as_recorded() {
        let plain = AuthMechanism::try_from("PLAIN").unwrap();
        let mut s = TranscriptServer::new(
            plain.clone(),
            Plan {
                challenges: 2,
                ok: false,
            },
        );
        assert_eq!(s.start(None), Ok(ServerStep::Challenge(Vec::new())));
        assert_eq!(s.step(b"x"), Ok(ServerStep::Challenge(Vec::new())));
        assert!(s.step(b"y").is_err());
        let mut c = ReplayClient::new(
            plain,
            Some(Secret::new(b"first-secret".to_vec())),
            [
                Recorded::Response(Secret::new(b"second-secret".to_vec())),
                Recorded::Cancel,
            ],
        );
        let shown = format!("{c:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert_eq!(
            c.initial_response().unwrap().unwrap().declassify(),
            &b"first-secret"[..]
        );
        assert_eq!(c.respond(b"").unwrap().declassify(), &b"second-secret"[..]);
        // The recorded `*`: the mechanism fails, so the Client cancels.
        assert!(c.respond(b"").is_err());
        // Nothing more was recorded.
        assert!(c.respond(b"").is_err());
    }
}
