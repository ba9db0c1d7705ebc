//! APPEND messages checked before their data (RFC 9051 §6.3.12, §7.6):
//! with [`ServerConfig::check_appends`](super::ServerConfig::check_appends),
//! a synchronizing literal that holds a message waits for the
//! application's [`AppendCheck`] answer instead of the session's `+`.

use std::time::Instant;

use imapkit_codec::decode;
use imapkit_proto::{ContinueRequest, IntoStatic, NameEncoding, Status};

use super::decision::{static_text, AppendCheck, Completion, RequestId, Unanswered};
use super::event::Event;
use super::{utf8_quoted, Mode, Server};
use crate::error::UsageError;

impl Server {
    /// Answers an [`AppendCheck`] with `+`: the client sends the message,
    /// and the session reads on (the APPEND comes as a
    /// [`CommandReceived`](Event::CommandReceived) once whole).
    ///
    /// Errors: the session is closed or closing (the data will not be
    /// read), or the check is not the one pending (another session's, say);
    /// the check comes back with the error.
    #[allow(clippy::result_large_err)]
    pub fn accept_append(
        &mut self,
        now: Instant,
        check: AppendCheck,
    ) -> Result<(), Unanswered<AppendCheck>> {
        if let Err(e) = self.pending_append_check(check.id) {
            return Err(Unanswered::new(e, check));
        }
        self.append_check = None;
        self.continue_literal();
        self.process(now);
        Ok(())
    }

    /// Refuses an APPEND before its message's data: the session answers
    /// the command with `completion` (NO or BAD, e.g. `NO [TRYCREATE]` for
    /// a missing mailbox, `NO [OVERQUOTA]`, `NO [TOOBIG]`), the client
    /// does not send the data (RFC 9051 §7.6), and the session reads on.
    /// Refusing any message of a MULTIAPPEND refuses the whole command
    /// (RFC 3502 §6.3.11): no message of it is to be stored.
    ///
    /// Errors: as [`accept_append`](Self::accept_append), then
    /// [`UsageError::Unexpected`] for an OK completion (the check comes
    /// back, still pending).
    #[allow(clippy::result_large_err)]
    pub fn refuse_append(
        &mut self,
        now: Instant,
        check: AppendCheck,
        completion: Completion,
    ) -> Result<(), Unanswered<AppendCheck>> {
        if let Err(e) = self.pending_append_check(check.id) {
            return Err(Unanswered::new(e, check));
        }
        if completion.status == Status::Ok {
            let e = UsageError::Unexpected("an APPEND is refused with NO or BAD, not OK");
            return Err(Unanswered::new(e, check));
        }
        self.append_check = None;
        // The tag is copied only here: the framer lends it until the
        // literal is rejected.
        let tag = self.framer.current_tag().map(IntoStatic::into_static);
        self.reject_literal();
        self.framer_clean = true;
        self.reply(tag, completion.status, completion.text);
        self.process(now);
        Ok(())
    }

    /// Whether `id` is the check pending and the session still reads.
    fn pending_append_check(&self, id: RequestId) -> Result<(), UsageError> {
        if self.is_closed() || !matches!(self.mode, Mode::Normal) {
            return Err(UsageError::Closed);
        }
        if self.append_check != Some(id) {
            return Err(UsageError::UnknownCommand);
        }
        Ok(())
    }

    /// Asks the application about the synchronizing literal of `size`
    /// bytes the framer announced, if the configuration says so and it
    /// holds an APPEND message; `true` if asked (no `+` now).
    pub(super) fn check_append(&mut self, size: u64, binary: bool) -> bool {
        if !self.config.check_appends {
            return false;
        }
        let Some(head) = decode::append_head(self.framer.current_message()) else {
            return false;
        };
        let mut mailbox = head.mailbox.into_static();
        if utf8_quoted(self.features, self.enabled) {
            // As `dispatch` marks the names of the command itself.
            mailbox.set_encoding(NameEncoding::Utf8);
        }
        self.next_check += 1;
        let id = RequestId {
            session: self.session,
            n: self.next_check,
        };
        self.append_check = Some(id);
        self.events.push_back(Event::AppendCheck(AppendCheck {
            id,
            mailbox,
            message: head.message,
            size,
            binary,
            flags: head.flags.map(IntoStatic::into_static),
            date: head.date,
        }));
        true
    }

    /// `+` to the literal the framer announced last.
    pub(super) fn continue_literal(&mut self) {
        self.out
            .push(&ContinueRequest::new(static_text("Ready for literal data")));
    }
}
