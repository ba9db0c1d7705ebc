//! IDLE (RFC 2177, RFC 9051 §6.3.13): `+ idling`, updates pushed by the
//! application go out as they come, `DONE` ends it with OK; any other line
//! ends it with BAD. The IDLE maximum timer ends a too long IDLE with BYE.

use std::time::Instant;

use imapkit_codec::framer::Frame;
use imapkit_proto::{ContinueRequest, RespText, Status, Tag};

use super::decision::static_text;
use super::event::Event;
use super::{Mode, Server, Timer};
use crate::error::ViolationKind;

impl Server {
    /// Starts IDLE for the command `tag`.
    pub(super) fn idle(&mut self, now: Instant, tag: Tag<'static>) {
        let request = self.next_request_id();
        self.out.push(&ContinueRequest::new(static_text("idling")));
        self.timers.stop(Timer::AutoLogout);
        self.timers
            .set(Timer::IdleMax, now + self.config.timeouts.idle_max);
        self.mode = Mode::Idle { request, tag };
        self.events.push_back(Event::IdleStarted { request });
        // IDLE is a command in progress: held EXPUNGEs may go out.
        self.flush_held();
    }

    /// A line from the client during IDLE.
    pub(super) fn on_idle_line(&mut self, now: Instant, frame: Frame) {
        if frame.decode_idle_done().is_ok() {
            self.end_idle(now, Status::Ok, static_text("IDLE terminated"));
        } else {
            self.violation(
                ViolationKind::OutOfState("a command during IDLE (expected DONE)"),
                frame.offset,
                &frame.bytes,
            );
            self.idle_interrupted(now, static_text("Expected DONE"));
        }
    }

    /// Something other than DONE: IDLE ends with BAD.
    pub(super) fn idle_interrupted(&mut self, now: Instant, text: RespText<'static>) {
        self.end_idle(now, Status::Bad, text);
    }

    fn end_idle(&mut self, now: Instant, status: Status, text: RespText<'static>) {
        let Mode::Idle { request, tag } = std::mem::replace(&mut self.mode, Mode::Normal) else {
            return;
        };
        self.timers.stop(Timer::IdleMax);
        self.rearm_autologout(now);
        self.tagged(tag, status, text);
        self.events.push_back(Event::IdleEnded {
            request,
            done: status == Status::Ok,
        });
    }
}
