//! STARTTLS (RFC 9051 §6.2.1): OK, then stop. Everything received after
//! the command line and before the TLS handshake is dropped unread and
//! reported (the command-injection class of attacks: `a STARTTLS\r\nb
//! LOGIN ...\r\n` in one read must never run `b`), nothing is sent in
//! plaintext after the OK, and the capabilities learned before TLS are
//! recomputed after it.

use std::time::Instant;

use imapkit_proto::{Status, Tag};

use super::audit::AuditKind;
use super::decision::static_text;
use super::event::Event;
use super::{Mode, Server};
use crate::error::{PeerViolation, UsageError, ViolationKind};
use crate::security::ConnectionSecurity;

impl Server {
    /// The TLS handshake after STARTTLS is complete; the session reads
    /// input again (decrypted bytes only from now on).
    ///
    /// `channel_binding` is the `tls-exporter` value (RFC 9266: the TLS
    /// exporter with label `EXPORTER-Channel-Binding` and an empty context,
    /// 32 bytes) for the `-PLUS` SCRAM mechanisms, if the TLS library gives
    /// one; `None` if it does not (then no `-PLUS` mechanism is offered).
    /// An empty value counts as `None`, as in [`Server::new_tls`]: it would
    /// bind every exchange to nothing.
    ///
    /// Call it after the OK to STARTTLS was taken with
    /// [`poll_transmit`](Self::poll_transmit): errors if no STARTTLS is in
    /// progress or the OK has not been transmitted yet (it must not go out
    /// encrypted).
    pub fn tls_established(
        &mut self,
        now: Instant,
        channel_binding: Option<Vec<u8>>,
    ) -> Result<(), UsageError> {
        match self.mode {
            Mode::AwaitingTls => {}
            Mode::Closed => return Err(UsageError::Closed),
            _ => return Err(UsageError::Unexpected("no STARTTLS in progress")),
        }
        if self.has_output() {
            return Err(UsageError::Unexpected(
                "the STARTTLS response has not been transmitted",
            ));
        }
        self.report_injection();
        self.security = ConnectionSecurity::Tls;
        // An empty value would bind every exchange to nothing.
        self.channel_binding = channel_binding.filter(|b| !b.is_empty());
        self.mode = Mode::Normal;
        // A fresh framer: nothing from before the handshake survives.
        self.renew_framer();
        self.rearm_autologout(now);
        self.process(now);
        Ok(())
    }

    /// STARTTLS from the client (valid in the not-authenticated state).
    pub(super) fn start_tls(&mut self, tag: Tag<'static>) {
        if self.security == ConnectionSecurity::Tls {
            return self.tagged(tag, Status::Bad, static_text("TLS is already active"));
        }
        if !self.config.starttls {
            return self.tagged(tag, Status::Bad, static_text("STARTTLS is not available"));
        }
        if self.compressing {
            // Only after UNAUTHENTICATE in plaintext: TLS under a DEFLATE
            // stream begun in plaintext would leave compressed plaintext
            // to be read after the handshake (RFC 4978 §4: COMPRESS after TLS).
            let text = static_text("STARTTLS is not available after COMPRESS");
            return self.tagged(tag, Status::Bad, text);
        }
        self.tagged(tag, Status::Ok, static_text("Begin TLS negotiation now"));
        let at = self.framer_base + self.framer.stats().consumed;
        let dropped = self.framer.discard_buffered();
        self.framer_clean = true;
        self.mode = Mode::AwaitingTls;
        self.injected = Some((at, 0));
        self.injection_discarded(dropped);
        self.events.push_back(Event::StartTlsReady);
    }

    /// Plaintext that arrived after the STARTTLS command: dropped unread,
    /// counted, and reported once the handshake is over (or the connection
    /// closed), as one audit event whatever the chunking.
    pub(super) fn injection_discarded(&mut self, bytes: usize) {
        if let Some((_, n)) = &mut self.injected {
            *n = n.saturating_add(bytes);
        }
    }

    /// Reports the plaintext dropped since the OK to STARTTLS, if any.
    pub(super) fn report_injection(&mut self) {
        let Some((offset, bytes)) = self.injected.take() else {
            return;
        };
        if bytes == 0 {
            return;
        }
        self.audit(AuditKind::InjectionDiscarded { bytes });
        self.events
            .push_back(Event::Violation(PeerViolation::without_raw(
                ViolationKind::OutOfState("data after STARTTLS before the TLS handshake"),
                offset,
            )));
    }
}
