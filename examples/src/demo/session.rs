//! The application half of one connection: the logged-in account, the
//! selected mailbox and the commands the [`Server`] hands out, answered
//! from the [`Store`] in the order they came.
//!
//! The session runs the commands one after another. A large FETCH is
//! answered in steps ([`Session::run`] returns when the output holds
//! [`Session::OUTPUT_BUDGET`] bytes), so that the connection writes what
//! is queued before more message bytes are read: a FETCH of a whole
//! mailbox never holds more than about one budget of output in memory.
//!
//! Mailbox changes made by other sessions are reported at the end of each
//! command in the selected state (EXPUNGE only where RFC 9051 §7.5.1
//! allows it: not during FETCH, STORE or SEARCH) and pushed during IDLE.
//! A client that enabled QRESYNC gets one `* VANISHED uid-set` where
//! others get an `* n EXPUNGE` per message (RFC 7162 §3.2.10).
//!
//! The [`Server`] holds an EXPUNGE back while a FETCH, STORE or SEARCH by
//! number is in flight or a command read waits to run (a client may
//! pipeline one after a NOOP). Until it goes out the client numbers
//! messages as before it, and so does the session: a command is read in
//! the numbering of the EXPUNGEs sent before the Server handed it out
//! (`Event::ExpungeSent`, counted in event order by
//! [`Session::expunge_sent`]), however late the session runs it; the
//! answers it writes are numbered after every EXPUNGE sent so far
//! ([`Server::held_expunges`]); the other changes wait for the next
//! command.

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::time::Instant;

use imapkit_proto::{
    Command, CommandBody, Data, FlagFetch, FlagFetchList, MessageDataItem, RespText, ResponseCode,
    SearchKey, SeqOrUid, Sequence, SequenceSet, Status, Text, Vec1,
};
use imapkit_state::server::{Completion, Request, Server};
use tokio::sync::broadcast;

use super::fetch::FetchJob;
use crate::store::{Account, Change, Selected, Store, StoreError, StoredFlags, Update};

/// One connection's application state.
#[derive(Debug)]
pub struct Session {
    store: Store,
    pub(super) account: Option<Account>,
    pub(super) selected: Option<Selected>,
    /// Commands to run, each with the number of EXPUNGE/VANISHED responses
    /// the Server had sent when it handed the command out
    /// ([`Session::expunge_sent`]): the numbering the client wrote it in.
    queue: VecDeque<(Request, Command<'static>, usize)>,
    /// `Event::ExpungeSent`s so far, and their number when the selected
    /// mailbox was selected.
    pub(super) expunges_sent: usize,
    pub(super) sent_base: usize,
    pub(super) fetch: Option<FetchJob>,
    /// The largest MODSEQ sent in FETCH data since the selection or the
    /// last `* OK [HIGHESTMODSEQ n]` lowered below a delayed expunge: what
    /// the client may take for its HIGHESTMODSEQ (RFC 7162 §6).
    pub(super) modseq_sent: u64,
    /// The command expunged messages after ENABLE QRESYNC: its tagged OK
    /// carries `[HIGHESTMODSEQ n]` (RFC 7162 §3.2.7, §3.2.9; RFC 6851
    /// §4.4).
    pub(super) highest_modseq_code: bool,
    /// A `* OK [HIGHESTMODSEQ n]` below a delayed expunge went out: the
    /// next command that may carry the delayed expunge raises it again in
    /// its tagged OK (as RFC 7162 §6's example does).
    lowered: bool,
}

/// What a command handler leaves to do.
pub(super) enum Outcome {
    /// Complete the command with this.
    Done(Completion),
    /// A FETCH goes on in steps.
    Fetch(FetchJob),
}

impl From<Completion> for Outcome {
    fn from(c: Completion) -> Self {
        Self::Done(c)
    }
}

/// The session and what a handler needs to answer one command.
pub(super) struct Cx<'a> {
    pub(super) server: &'a mut Server,
    pub(super) now: Instant,
    pub(super) request: &'a Request,
    /// The largest MODSEQ sent in FETCH data through [`Cx::data`].
    pub(super) modseq_sent: u64,
}

impl Cx<'_> {
    /// Untagged data for the command. An error means the command is no
    /// longer in flight (the connection closed): nothing to do.
    pub(super) fn data(&mut self, data: Data<'static>) {
        self.modseq_sent = self.modseq_sent.max(fetch_modseq(&data));
        let _ = self.server.send_data(self.now, self.request, data);
    }

    /// `* OK [code] text` for the command.
    pub(super) fn ok_code(&mut self, code: ResponseCode<'static>, text: &'static str) {
        if let Ok(text) = RespText::with_code(code, text) {
            let _ = self
                .server
                .send_status(self.now, self.request, Status::Ok, text);
        }
    }

    /// Whether mailbox names are UTF-8 on the wire (RFC 6855 `UTF8=ACCEPT`,
    /// or IMAP4rev2 enabled, RFC 9051 §5.1), not modified UTF-7.
    pub(super) fn utf8(&self) -> bool {
        utf8_names(self.server)
    }

    /// Whether CONDSTORE is on (RFC 7162 §3.1): MODSEQ in FETCH responses
    /// to STORE and in unsolicited flag changes.
    pub(super) fn condstore(&self) -> bool {
        self.server.enabled().condstore
    }

    /// Whether QRESYNC is on (RFC 7162 §3.2): VANISHED instead of EXPUNGE
    /// (§3.2.10), SELECT's QRESYNC parameter and UID FETCH's VANISHED
    /// modifier.
    pub(super) fn qresync(&self) -> bool {
        self.server.enabled().qresync
    }
}

impl Session {
    /// Output bytes at which [`Session::run`] stops to let the connection
    /// write (a FETCH goes on where it stopped).
    pub const OUTPUT_BUDGET: usize = 256 * 1024;

    /// A session of a new connection (nobody logged in).
    pub fn new(store: Store) -> Self {
        Self {
            store,
            account: None,
            selected: None,
            queue: VecDeque::new(),
            expunges_sent: 0,
            sent_base: 0,
            fetch: None,
            modseq_sent: 0,
            highest_modseq_code: false,
            lowered: false,
        }
    }

    /// The client authenticated as `user`: opens the account (creating
    /// INBOX and the special-use mailboxes on the first login).
    pub fn logged_in(&mut self, user: &str) -> Result<(), StoreError> {
        self.account = Some(self.store.account(user)?);
        Ok(())
    }

    /// A command to answer, after those before it. Call in the order of
    /// the Server's events, as [`expunge_sent`](Self::expunge_sent).
    pub fn push(&mut self, request: Request, command: Command<'static>) {
        self.queue.push_back((request, command, self.expunges_sent));
    }

    /// The Server sent an EXPUNGE or VANISHED (`Event::ExpungeSent`): the
    /// commands handed out after it are numbered without its messages,
    /// those before it with them (RFC 9051 §7.5.1), however late they run.
    pub fn expunge_sent(&mut self) {
        self.expunges_sent += 1;
    }

    /// Whether commands wait to be run (or a FETCH to go on).
    pub fn has_work(&self) -> bool {
        self.fetch.is_some() || !self.queue.is_empty()
    }

    /// The selected mailbox's change notifications, for IDLE.
    pub fn subscribe(&self) -> Option<broadcast::Receiver<Change>> {
        self.selected.as_ref().map(Selected::subscribe)
    }

    /// Runs queued commands until none is left or the output holds
    /// [`Session::OUTPUT_BUDGET`] bytes. Store calls are synchronous file
    /// operations: call this where blocking briefly is allowed.
    pub fn run(&mut self, server: &mut Server, now: Instant) {
        loop {
            if server.output_len() >= Self::OUTPUT_BUDGET || server.is_closed() {
                return;
            }
            if let Some(job) = self.fetch.take() {
                self.fetch_step(server, now, job);
                continue;
            }
            let Some((request, command, sent)) = self.queue.pop_front() else {
                return;
            };
            self.dispatch(server, now, request, command, sent);
        }
    }

    /// Pushes the selected mailbox's changes during IDLE (or between
    /// commands): EXPUNGE, EXISTS, FLAGS, flag changes. A deleted mailbox
    /// ends the connection with `* BYE`.
    pub fn push_changes(&mut self, server: &mut Server, now: Instant) {
        let Some(selected) = self.selected.as_mut() else {
            return;
        };
        // Refused only when the client stopped reading: the connection's
        // write timeout ends it.
        let mut sent = 0;
        let send = |server: &mut Server, data: Data<'static>| {
            sent = sent.max(fetch_modseq(&data));
            let _ = server.send_unsolicited(now, data);
        };
        let deleted = report(selected, server, false, send);
        self.modseq_sent = self.modseq_sent.max(sent);
        if deleted {
            let _ = server.bye(now, static_text("the selected mailbox was deleted"));
        }
    }

    fn dispatch(
        &mut self,
        server: &mut Server,
        now: Instant,
        request: Request,
        command: Command<'static>,
        sent: usize,
    ) {
        let Command { tag, body } = command;
        if let Some(selected) = self.selected.as_mut() {
            // The EXPUNGEs the client had when it wrote the command: those
            // the Server sent before handing it out, not those it let go
            // since (a COPY that released a held EXPUNGE still counts its
            // message: the client wrote it before it saw the EXPUNGE).
            selected.delivered_upto(sent.saturating_sub(self.sent_base));
        }
        let seq_command = uses_message_numbers(&body);
        let reports_changes = !matches!(
            body,
            CommandBody::Select { .. }
                | CommandBody::Examine { .. }
                | CommandBody::Close
                | CommandBody::Unselect
                | CommandBody::Logout
        );
        let mut cx = Cx {
            server,
            now,
            request: &request,
            modseq_sent: 0,
        };
        self.highest_modseq_code = false;
        let outcome = match self.handle(&mut cx, tag, body) {
            Ok(o) => o,
            Err(e) => Outcome::Done(store_failure(&e)),
        };
        if reports_changes {
            self.modseq_sent = self.modseq_sent.max(cx.modseq_sent);
        } else {
            // Another selection (or none): the client's HIGHESTMODSEQ is
            // the one SELECT gave.
            self.modseq_sent = 0;
            self.lowered = false;
        }
        match outcome {
            Outcome::Done(mut completion) => {
                if reports_changes && completion.status() != Status::Bad {
                    self.report_changes(&mut cx, seq_command);
                }
                let raise = self.lowered && reports_changes && !seq_command;
                if std::mem::take(&mut self.highest_modseq_code) || raise {
                    completion = self.with_highest_modseq(completion);
                }
                // Fails only when the connection closed meanwhile.
                let _ = server.respond(now, request, completion);
            }
            Outcome::Fetch(job) => self.fetch = Some(job.with_request(request)),
        }
    }

    /// Sends the selected mailbox's changes as data of the command;
    /// `seq_command`: a FETCH, STORE or SEARCH by message number, during
    /// which no EXPUNGE is sent (RFC 9051 §7.5.1).
    ///
    /// RFC 7162 §3.2, §6: when a FETCH, STORE or SEARCH by number leaves
    /// an expunge undelivered and the client has had MODSEQ data above its
    /// mod-sequence, `* OK [HIGHESTMODSEQ n]` with `n` below it goes out
    /// before the tagged response: a client that loses the connection then
    /// resynchronizes from before the expunge.
    pub(super) fn report_changes(&mut self, cx: &mut Cx<'_>, seq_command: bool) {
        self.modseq_sent = self.modseq_sent.max(cx.modseq_sent);
        let Some(selected) = self.selected.as_mut() else {
            return;
        };
        let (now, request) = (cx.now, cx.request);
        let mut sent = 0;
        let send = |server: &mut Server, data: Data<'static>| {
            sent = sent.max(fetch_modseq(&data));
            // Fails only when the connection closed meanwhile.
            let _ = server.send_data(now, request, data);
        };
        if report(selected, cx.server, seq_command, send) {
            let _ = cx
                .server
                .bye(cx.now, static_text("the selected mailbox was deleted"));
            return;
        }
        self.modseq_sent = self.modseq_sent.max(sent);
        if seq_command && cx.condstore() && self.modseq_sent > 0 {
            let safe = selected.reported_modseq();
            if self.modseq_sent > safe {
                cx.ok_code(ResponseCode::HighestModSeq(safe), "an expunge is delayed");
                self.modseq_sent = 0;
                self.lowered = true;
            }
        }
    }

    /// `completion`, an OK without a code, with `[HIGHESTMODSEQ n]` (RFC
    /// 7162 §3.2.7, §3.2.9; RFC 6851 §4.4): the mod-sequence up to which
    /// the client has every change.
    fn with_highest_modseq(&mut self, completion: Completion) -> Completion {
        match &self.selected {
            Some(selected)
                if completion.status() == Status::Ok && completion.text().code().is_none() =>
            {
                self.lowered = false;
                Completion::ok_with_code(ResponseCode::HighestModSeq(selected.reported_modseq()))
            }
            _ => completion,
        }
    }

    fn handle(
        &mut self,
        cx: &mut Cx<'_>,
        tag: imapkit_proto::Tag<'static>,
        body: CommandBody<'static>,
    ) -> Result<Outcome, StoreError> {
        use CommandBody as C;
        Ok(match body {
            C::Noop | C::Check => Completion::ok().into(),
            C::Id { .. } => {
                cx.data(Data::Id(Some(vec![
                    ("name".into(), "imapkit-demo".into()),
                    ("version".into(), env!("CARGO_PKG_VERSION").into()),
                ])));
                Completion::ok().into()
            }
            C::Namespace => {
                let ns = self.account()?.namespaces();
                cx.data(Data::Namespace(ns));
                Completion::ok().into()
            }
            C::List {
                selection,
                reference,
                patterns,
                return_options,
            } => self
                .list(cx, selection, reference, patterns, return_options)?
                .into(),
            C::Lsub { reference, pattern } => self.lsub(cx, reference, pattern)?.into(),
            C::Status {
                mailbox,
                attributes,
            } => self.status(cx, mailbox, attributes)?.into(),
            C::Create {
                mailbox,
                parameters,
            } => self.create(cx, mailbox, parameters)?.into(),
            C::Delete { mailbox } => self.delete(cx, mailbox)?.into(),
            C::Rename { from, to } => self.rename(cx, from, to)?.into(),
            C::Subscribe { mailbox } => {
                let name = crate::store::name_from_wire(&mailbox, cx.utf8())?;
                self.account()?.subscribe(&name)?;
                Completion::ok().into()
            }
            C::Unsubscribe { mailbox } => {
                let name = crate::store::name_from_wire(&mailbox, cx.utf8())?;
                self.account()?.unsubscribe(&name)?;
                Completion::ok().into()
            }
            C::Append { mailbox, messages } => self.append(cx, mailbox, messages)?.into(),
            C::GetAcl { mailbox } => self.get_acl(cx, mailbox)?.into(),
            C::SetAcl {
                mailbox,
                identifier,
                mode,
                rights,
            } => self.set_acl(cx, mailbox, identifier, mode, rights)?.into(),
            C::DeleteAcl {
                mailbox,
                identifier,
            } => self.delete_acl(cx, mailbox, identifier)?.into(),
            C::MyRights { mailbox } => self.my_rights(cx, mailbox)?.into(),
            C::ListRights {
                mailbox,
                identifier,
            } => self.list_rights(cx, mailbox, identifier)?.into(),
            C::Select {
                mailbox,
                parameters,
            } => self.select(cx, mailbox, parameters, false)?.into(),
            C::Examine {
                mailbox,
                parameters,
            } => self.select(cx, mailbox, parameters, true)?.into(),
            C::Close => {
                if let Some(selected) = self.selected.take() {
                    selected.close()?;
                }
                Completion::ok().into()
            }
            C::Unselect => {
                self.selected = None;
                Completion::ok().into()
            }
            C::Expunge => self.expunge(cx, None)?.into(),
            C::UidExpunge { sequence_set } => self.expunge(cx, Some(sequence_set))?.into(),
            C::Store {
                uid,
                sequence_set,
                modifiers,
                action,
                silent,
                target,
            } => self
                .store_flags(cx, uid, sequence_set, modifiers, action, silent, target)?
                .into(),
            C::Search {
                uid,
                return_options,
                charset,
                criteria,
            } => self
                .search(cx, &tag, uid, return_options, charset, criteria)?
                .into(),
            C::Copy {
                uid,
                sequence_set,
                mailbox,
            } => self.copy(cx, uid, sequence_set, mailbox, false)?.into(),
            C::Move {
                uid,
                sequence_set,
                mailbox,
            } => self.copy(cx, uid, sequence_set, mailbox, true)?.into(),
            C::Fetch {
                uid,
                sequence_set,
                items,
                modifiers,
            } => self.fetch(cx, uid, sequence_set, items, modifiers)?,
            other => Completion::bad(RespText::unvalidated(
                None,
                Text::try_from(format!("{} is not supported", other.name()))
                    .unwrap_or_else(|_| Text::unvalidated(&b"not supported"[..])),
            ))
            .into(),
        })
    }

    /// The logged-in account (the Server hands out mailbox commands only
    /// after authentication, so this fails only if opening it failed).
    pub(super) fn account(&self) -> Result<&Account, StoreError> {
        self.account.as_ref().ok_or(StoreError::UnknownUser)
    }

    /// The selected mailbox (the Server hands out selected-state commands
    /// only while one is selected).
    pub(super) fn selected_mut(&mut self) -> Result<&mut Selected, StoreError> {
        self.selected.as_mut().ok_or(StoreError::NoSelect)
    }
}

/// Reports the changes of `selected` through `send`: EXPUNGEs first
/// (unless `seq_command`, RFC 9051 §7.5.1), then, once the client has
/// every EXPUNGE, new messages, keywords and flag changes. While the
/// Server holds an EXPUNGE back the client numbers messages as before it;
/// so does the view (only the data of a FETCH, STORE or SEARCH by number
/// goes past a held EXPUNGE, RFC 9051 §2.3.1.2), and the other changes,
/// which would be queued behind the EXPUNGE, wait for a later command.
/// True when the mailbox was deleted (the caller says BYE).
fn report(
    selected: &mut Selected,
    server: &mut Server,
    seq_command: bool,
    mut send: impl FnMut(&mut Server, Data<'static>),
) -> bool {
    let condstore = server.enabled().condstore;
    selected.delivered(server.held_expunges());
    if !seq_command {
        if server.enabled().qresync {
            // One VANISHED for all (RFC 7162 §3.2.10); the view counts it
            // as one response while the Server holds it.
            if let Some(data) = vanished(&selected.poll_vanished(), false) {
                send(server, data);
            }
        } else {
            for update in selected.poll_expunges() {
                if let Some(data) = update_data(update, condstore) {
                    send(server, data);
                }
            }
        }
        // Those the Server sent at once are the client's now.
        selected.delivered(server.held_expunges());
        if selected.undelivered() > 0 {
            return false;
        }
    }
    for update in selected.poll_changes(false) {
        if update == Update::MailboxDeleted {
            return true;
        }
        if let Some(data) = update_data(update, condstore) {
            send(server, data);
        }
    }
    false
}

/// The largest MODSEQ in `data` if it is a FETCH response; 0 otherwise.
fn fetch_modseq(data: &Data<'_>) -> u64 {
    match data {
        Data::Fetch { items, .. } => items
            .iter()
            .filter_map(|i| match i {
                MessageDataItem::ModSeq(m) => Some(*m),
                _ => None,
            })
            .max()
            .unwrap_or(0),
        _ => 0,
    }
}

/// Whether the Server treats `body` as a command that uses message
/// numbers (FETCH, STORE, SEARCH; a UID SEARCH with message numbers, RFC
/// 7162 §3.2.10): no EXPUNGE goes out while it is in flight.
fn uses_message_numbers(body: &CommandBody<'_>) -> bool {
    match body {
        CommandBody::Fetch { uid, .. } | CommandBody::Store { uid, .. } => !uid,
        CommandBody::Search { uid: false, .. } => true,
        CommandBody::Search { criteria, .. } => {
            criteria.iter().any(SearchKey::uses_message_numbers)
        }
        _ => false,
    }
}

/// A response text from a constant.
pub(super) fn static_text(s: &'static str) -> RespText<'static> {
    RespText::unvalidated(None, Text::unvalidated(s.as_bytes()))
}

/// The tagged answer to a failed store call: NO with the RFC 5530 code the
/// store gives (BAD for a message number past the end, RFC 9051 §6.4.8).
/// I/O details stay in the server's log, not on the wire.
pub(super) fn store_failure(e: &StoreError) -> Completion {
    match e {
        StoreError::InvalidSequence => {
            Completion::bad(static_text("Invalid message sequence number"))
        }
        StoreError::Io { .. } | StoreError::Corrupt { .. } => {
            eprintln!("imap-demo: store error: {e}");
            Completion::with_text(Status::No, e.code(), "internal server error")
        }
        other => Completion::with_text(Status::No, e.code(), &other.to_string()),
    }
}

/// `* n EXPUNGE`, `* n EXISTS`, `* FLAGS`, `* n FETCH (UID FLAGS [MODSEQ])`
/// for a store update; `None` for [`Update::MailboxDeleted`].
pub(super) fn update_data(update: Update, condstore: bool) -> Option<Data<'static>> {
    Some(match update {
        Update::Expunge { seq, .. } => Data::Expunge(nz(seq)),
        Update::Exists(n) => Data::Exists(n),
        Update::Recent(n) => Data::Recent(n),
        Update::FlagsDefined(flags) => Data::Flags(flags),
        Update::Flags {
            seq,
            uid,
            flags,
            modseq,
        } => {
            let mut items = Vec1::new(MessageDataItem::Uid(nz(uid)));
            items.push(MessageDataItem::Flags(flag_list(&flags)));
            if condstore {
                items.push(MessageDataItem::ModSeq(modseq));
            }
            Data::Fetch {
                seq: nz(seq),
                items,
            }
        }
        _ => return None,
    })
}

/// The untagged data for `updates` in order: as [`update_data`], except
/// that after `ENABLE QRESYNC` (`qresync`) the EXPUNGEs go as one
/// `* VANISHED uid-set` (RFC 7162 §3.2.10) where the first of them was.
pub(super) fn updates_data(
    updates: Vec<Update>,
    condstore: bool,
    qresync: bool,
) -> Vec<Data<'static>> {
    let mut out = Vec::new();
    let mut gone = Vec::new();
    let mut at = None;
    for update in updates {
        match update {
            Update::Expunge { uid, .. } if qresync => {
                at.get_or_insert(out.len());
                gone.push(uid);
            }
            other => out.extend(update_data(other, condstore)),
        }
    }
    if let (Some(at), Some(data)) = (at, vanished(&gone, false)) {
        out.insert(at, data);
    }
    out
}

/// `* VANISHED [(EARLIER)] uid-set` (RFC 7162 §3.2.10) of `uids` (any
/// order); `None` when there is none.
pub(super) fn vanished(uids: &[u32], earlier: bool) -> Option<Data<'static>> {
    sequence_set(uids).map(|uids| Data::Vanished { earlier, uids })
}

/// `* VANISHED (EARLIER) uid-set` of ascending inclusive UID ranges
/// (RFC 7162 §3.2.10.1); `None` when there is none.
pub(super) fn vanished_earlier(ranges: &[(u32, u32)]) -> Option<Data<'static>> {
    let items: Vec<Sequence> = ranges
        .iter()
        .filter(|r| r.0 > 0 && r.0 <= r.1)
        .map(|&(lo, hi)| {
            let v = |n| SeqOrUid::Value(nz(n));
            if lo == hi {
                Sequence::Single(v(lo))
            } else {
                Sequence::Range(v(lo), v(hi))
            }
        })
        .collect();
    Vec1::try_from(items).ok().map(|items| Data::Vanished {
        earlier: true,
        uids: SequenceSet::Set(items),
    })
}

/// A FETCH `FLAGS` list: the stored flags and `\Recent`.
pub(super) fn flag_list(flags: &StoredFlags) -> FlagFetchList<'static> {
    let mut list: Vec<FlagFetch<'static>> = flags
        .flags
        .to_flags()
        .into_iter()
        .map(FlagFetch::Flag)
        .collect();
    if flags.recent {
        list.push(FlagFetch::Recent);
    }
    FlagFetchList::from(list)
}

/// A message number or UID as the protocol's non-zero type (the store
/// numbers from 1).
pub(super) fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

/// A sequence set of `numbers` (any order), as ranges: `1:3,7`.
pub(super) fn sequence_set(numbers: &[u32]) -> Option<SequenceSet> {
    let mut sorted: Vec<u32> = numbers.iter().copied().filter(|&n| n > 0).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut runs: Vec<Sequence> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        let v = |n| SeqOrUid::Value(nz(n));
        runs.push(if start == end {
            Sequence::Single(v(start))
        } else {
            Sequence::Range(v(start), v(end))
        });
        i += 1;
    }
    Vec1::try_from(runs).ok().map(SequenceSet::Set)
}

/// A sequence set in source order (COPYUID pairs source and destination
/// UIDs by position, RFC 4315 §3): one item per number.
pub(super) fn ordered_set(numbers: &[u32]) -> Option<SequenceSet> {
    let items: Vec<Sequence> = numbers
        .iter()
        .filter_map(|&n| SeqOrUid::new(n).map(Sequence::Single))
        .collect();
    Vec1::try_from(items).ok().map(SequenceSet::Set)
}

/// Whether mailbox names are UTF-8 on the wire in `server`'s session:
/// `UTF8=ACCEPT` enabled (RFC 6855) or IMAP4rev2 spoken (RFC 9051 §5.1).
pub(super) fn utf8_names(server: &Server) -> bool {
    server.enabled().utf8_accept || server.imap4rev2()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(set: &SequenceSet) -> String {
        let mut out = Vec::new();
        imapkit_codec::encode(set, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn sequence_sets_compress_runs() {
        assert_eq!(
            text(&sequence_set(&[7, 1, 2, 3, 9, 8, 12]).unwrap()),
            "1:3,7:9,12"
        );
        assert_eq!(text(&sequence_set(&[5]).unwrap()), "5");
        assert!(sequence_set(&[]).is_none());
        assert_eq!(text(&ordered_set(&[4, 2, 3]).unwrap()), "4,2,3");
    }

    #[test]
    fn store_errors_carry_their_codes() {
        let c = store_failure(&StoreError::NoSuchMailbox);
        assert_eq!(c.status(), Status::No);
        assert_eq!(c.text().code(), Some(&ResponseCode::NonExistent));
        assert_eq!(
            store_failure(&StoreError::InvalidSequence).status(),
            Status::Bad
        );
        let io = StoreError::Io {
            path: "/secret/path".into(),
            kind: std::io::ErrorKind::Other,
            message: "disk on fire".into(),
        };
        let c = store_failure(&io);
        assert_eq!(c.text().human().to_string(), "internal server error");
        assert_eq!(c.text().code(), Some(&ResponseCode::ServerBug));
    }
}
