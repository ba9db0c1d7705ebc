//! The client side of AUTHENTICATE (RFC 9051 §6.2.2, SASL-IR RFC 4959):
//! base64 and `+` lines around a [`ClientMechanism`].

use base64::Engine as _;
use imapkit_proto::Secret;

use crate::sasl::{ClientMechanism, SaslError};

/// The initial response to send on the AUTHENTICATE line (SASL-IR), if any.
pub(crate) type InitialResponse = Option<Secret<Vec<u8>>>;

/// An AUTHENTICATE exchange in progress.
#[derive(Debug)]
pub(crate) struct Exchange {
    pub(crate) mechanism: Box<dyn ClientMechanism>,
    /// The initial response when it was not sent with the command (no
    /// SASL-IR): it answers the server's first, empty challenge.
    pending_initial: Option<Secret<Vec<u8>>>,
    /// The mechanism failed and the client sent `*`: the server answers BAD.
    pub(crate) failed: Option<SaslError>,
    /// The application asked to cancel: the next challenge is answered `*`.
    pub(crate) cancel: bool,
}

impl Exchange {
    /// Starts an exchange: returns it and the initial response to put on
    /// the AUTHENTICATE line (with SASL-IR), if any.
    pub(crate) fn start(
        mut mechanism: Box<dyn ClientMechanism>,
        sasl_ir: bool,
    ) -> Result<(Self, InitialResponse), SaslError> {
        let initial = mechanism.initial_response()?;
        let (inline, pending_initial) = match initial {
            Some(ir) if sasl_ir => (Some(ir), None),
            other => (None, other),
        };
        Ok((
            Self {
                mechanism,
                pending_initial,
                failed: None,
                cancel: false,
            },
            inline,
        ))
    }

    /// The line answering a `+` challenge (its text, base64): the response
    /// in base64, or `*` when the mechanism fails (the failure is kept and
    /// reported at completion), each with CRLF.
    pub(crate) fn answer(&mut self, challenge: Option<Vec<u8>>) -> Vec<u8> {
        if self.failed.is_some() || self.cancel {
            return b"*\r\n".to_vec();
        }
        let response = match (self.pending_initial.take(), challenge) {
            // No SASL-IR: the server's first challenge is empty (RFC 4959
            // §3 shows it as `+ `), and the client-first message answers it
            // (also after `+ Ready` and other text that is not base64, which
            // servers send in its place).
            (Some(initial), None) => Ok(initial),
            (Some(initial), Some(challenge)) if challenge.is_empty() => Ok(initial),
            // A challenge with data (`+ VXNlcm5hbWU6`, "Username:") asks
            // for something else than this client-first mechanism's message
            // (RFC 4422 §5): it is not sent (PLAIN's holds the password).
            (Some(_), Some(_)) => Err(SaslError::Malformed {
                mechanism: "AUTHENTICATE",
                reason: "a first challenge with data for a client-first mechanism",
            }),
            (None, Some(challenge)) => self.mechanism.respond(&challenge),
            (None, None) => Err(SaslError::Malformed {
                mechanism: "AUTHENTICATE",
                reason: "challenge is not base64",
            }),
        };
        match response {
            Ok(r) => {
                let mut line = base64::engine::general_purpose::STANDARD
                    .encode(r.declassify())
                    .into_bytes();
                line.extend_from_slice(b"\r\n");
                line
            }
            Err(e) => {
                self.failed = Some(e);
                b"*\r\n".to_vec()
            }
        }
    }
}
