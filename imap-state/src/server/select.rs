//! The answer to SELECT and EXAMINE in one call ([`Server::answer_select`]).
//!
//! RFC 9051 §6.3.2 asks for seven responses before the tagged OK, RFC 3501
//! §6.3.1 for a partly different set, RFC 7162 §3.1.2.1 for one more when
//! the mailbox keeps mod-sequences; which ones depend on the session
//! (IMAP4rev1 or IMAP4rev2, CONDSTORE announced). [`SelectAnswer`] holds
//! what the application knows about the mailbox, and the session writes
//! the responses the client is owed.

use std::num::NonZeroU32;
use std::time::Instant;

use imapkit_proto::{
    Data, Flag, FlagPerm, MailboxList, ObjectId, RespText, ResponseCode, Status, Text,
};

use super::decision::{Completion, Request, Unanswered};
use super::state::Features;
use super::{Effect, Server};
use crate::error::UsageError;

/// What a SELECT or EXAMINE reports about the mailbox it opens, for
/// [`Server::answer_select`].
///
/// The session sends, in this order (RFC 9051 §6.3.2, RFC 3501 §6.3.1):
/// `* FLAGS`, `* n EXISTS`, `* n RECENT` (IMAP4rev1 only), `* LIST` of the
/// mailbox (IMAP4rev2 only, where it is required), `* OK [UNSEEN n]`
/// (IMAP4rev1 only, when given), `* OK [PERMANENTFLAGS]`,
/// `* OK [UIDVALIDITY]`, `* OK [UIDNEXT]`, `* OK [HIGHESTMODSEQ n]` or, for a
/// mailbox without mod-sequences on a server that announces CONDSTORE,
/// `* OK [NOMODSEQ]` (RFC 7162 §3.1.2.1, §3.1.2.2), `* OK [MAILBOXID]`
/// (RFC 8474, when given), then `OK [READ-WRITE]` or `OK [READ-ONLY]`
/// (always `READ-ONLY` for EXAMINE).
///
/// ```
/// use std::num::NonZeroU32;
/// use imapkit_proto::{Delimiter, Flag, FlagPerm, Mailbox, MailboxList};
/// use imapkit_state::server::SelectAnswer;
///
/// let list = MailboxList {
///     attributes: vec![],
///     delimiter: Some(Delimiter::SLASH),
///     mailbox: Mailbox::Inbox,
///     extended: vec![],
/// };
/// let answer = SelectAnswer::new(list, NonZeroU32::new(1700).unwrap(), 44, 3)
///     .flags(vec![Flag::Seen, Flag::Deleted])
///     .permanent_flags(vec![FlagPerm::Flag(Flag::Seen), FlagPerm::Flag(Flag::Deleted)])
///     .highest_modseq(Some(90));
/// # let _ = answer;
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SelectAnswer {
    /// The mailbox's LIST response: its name as the client gave it, its
    /// hierarchy delimiter and accurate attributes (RFC 9051 §6.3.2: sent
    /// in an IMAP4rev2 session).
    pub list: MailboxList<'static>,
    /// `FLAGS`: the flags defined in the mailbox.
    pub flags: Vec<Flag<'static>>,
    /// `PERMANENTFLAGS`: the flags the client can change permanently
    /// (`\*` for new keywords). Empty for a read-only mailbox.
    pub permanent_flags: Vec<FlagPerm<'static>>,
    /// `EXISTS`: the number of messages.
    pub exists: u32,
    /// `RECENT` (IMAP4rev1 sessions only).
    pub recent: u32,
    /// `UIDVALIDITY`.
    pub uid_validity: NonZeroU32,
    /// `UIDNEXT`: the next UID the mailbox will give.
    pub uid_next: u32,
    /// `UNSEEN`: the number of the first message without `\Seen`
    /// (IMAP4rev1 sessions only).
    pub first_unseen: Option<NonZeroU32>,
    /// `HIGHESTMODSEQ`; `None` for a mailbox that keeps no mod-sequences
    /// (`NOMODSEQ` on a server that announces CONDSTORE, nothing on one
    /// that does not).
    pub highest_modseq: Option<u64>,
    /// `MAILBOXID` (RFC 8474 §4.1), if the server gives mailbox ids.
    pub mailbox_id: Option<ObjectId<'static>>,
    /// The client may read but not change the mailbox (`READ-ONLY`).
    pub read_only: bool,
}

impl SelectAnswer {
    /// The answer for a mailbox with `exists` messages: no flags, no
    /// recent message, read-write, without mod-sequences, UNSEEN or
    /// MAILBOXID (see the builder methods).
    pub fn new(
        list: MailboxList<'static>,
        uid_validity: NonZeroU32,
        uid_next: u32,
        exists: u32,
    ) -> Self {
        Self {
            list,
            flags: Vec::new(),
            permanent_flags: Vec::new(),
            exists,
            recent: 0,
            uid_validity,
            uid_next,
            first_unseen: None,
            highest_modseq: None,
            mailbox_id: None,
            read_only: false,
        }
    }

    /// With `FLAGS`.
    #[must_use]
    pub fn flags(mut self, flags: Vec<Flag<'static>>) -> Self {
        self.flags = flags;
        self
    }

    /// With `PERMANENTFLAGS`.
    #[must_use]
    pub fn permanent_flags(mut self, flags: Vec<FlagPerm<'static>>) -> Self {
        self.permanent_flags = flags;
        self
    }

    /// With `RECENT`.
    #[must_use]
    pub fn recent(mut self, recent: u32) -> Self {
        self.recent = recent;
        self
    }

    /// With `UNSEEN`.
    #[must_use]
    pub fn first_unseen(mut self, seq: Option<NonZeroU32>) -> Self {
        self.first_unseen = seq;
        self
    }

    /// With `HIGHESTMODSEQ` (or `NOMODSEQ` for `None`).
    #[must_use]
    pub fn highest_modseq(mut self, modseq: Option<u64>) -> Self {
        self.highest_modseq = modseq;
        self
    }

    /// With `MAILBOXID`.
    #[must_use]
    pub fn mailbox_id(mut self, id: ObjectId<'static>) -> Self {
        self.mailbox_id = Some(id);
        self
    }

    /// Read-only.
    #[must_use]
    pub fn read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }
}

impl Server {
    /// Answers a SELECT or EXAMINE with everything the client is owed
    /// ([`SelectAnswer`] lists the responses) and completes it with OK:
    /// the mailbox is selected. A failure is answered with
    /// [`respond`](Self::respond) (`NO`), as for any command.
    ///
    /// Errors, with the request given back: the session is closed, the
    /// request is not in flight, or it is not a SELECT or EXAMINE
    /// ([`UsageError::Unexpected`]).
    pub fn answer_select(
        &mut self,
        now: Instant,
        request: Request,
        answer: SelectAnswer,
    ) -> Result<(), Unanswered<Request>> {
        if self.is_closed() {
            return Err(Unanswered::new(UsageError::Closed, request));
        }
        let Some(entry) = self.in_flight.iter().find(|r| r.id == request.id) else {
            return Err(Unanswered::new(UsageError::UnknownCommand, request));
        };
        if entry.effect != Effect::Select {
            return Err(Unanswered::new(
                UsageError::Unexpected("answer_select answers SELECT and EXAMINE only"),
                request,
            ));
        }
        let examine = entry.examine;
        let rev2 = super::imap4rev2_session(self.features, self.enabled);
        let mut data = vec![Data::Flags(answer.flags), Data::Exists(answer.exists)];
        if rev2 {
            data.push(Data::List(answer.list));
        } else {
            data.push(Data::Recent(answer.recent));
        }
        for d in data {
            if let Err(e) = self.send_data(now, &request, d) {
                return Err(Unanswered::new(e, request));
            }
        }
        let mut codes = Vec::new();
        if let (Some(seq), false) = (answer.first_unseen, rev2) {
            codes.push((ResponseCode::Unseen(seq), "first unseen"));
        }
        codes.push((
            ResponseCode::PermanentFlags(answer.permanent_flags),
            "flags permitted",
        ));
        codes.push((
            ResponseCode::UidValidity(answer.uid_validity.get()),
            "UIDs valid",
        ));
        codes.push((ResponseCode::UidNext(answer.uid_next), "predicted next UID"));
        match answer.highest_modseq {
            Some(modseq) => codes.push((ResponseCode::HighestModSeq(modseq), "highest")),
            None if self.features.has(Features::CONDSTORE) => {
                codes.push((ResponseCode::NoModSeq, "no mod-sequences"))
            }
            None => {}
        }
        if let Some(id) = answer.mailbox_id {
            codes.push((ResponseCode::MailboxId(id), "mailbox id"));
        }
        for (code, text) in codes {
            let text = RespText::unvalidated(Some(code), Text::unvalidated(text.as_bytes()));
            if let Err(e) = self.send_status(now, &request, Status::Ok, text) {
                return Err(Unanswered::new(e, request));
            }
        }
        let done = if answer.read_only || examine {
            Completion::ok_with_code(ResponseCode::ReadOnly)
        } else {
            Completion::ok_with_code(ResponseCode::ReadWrite)
        };
        self.respond(now, request, done)
    }
}
