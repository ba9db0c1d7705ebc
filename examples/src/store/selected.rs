//! A session's selected mailbox (RFC 9051 §6.3.2): its own message
//! sequence numbers, `\Recent` messages, and the changes of other sessions
//! it has not been told about yet.
//!
//! Sequence numbers belong to the session: a message expunged by another
//! session stays in this session's view (as a ghost whose data is gone)
//! until the server may send `EXPUNGE` (not during FETCH, STORE or SEARCH,
//! RFC 9051 §7.5.1), which [`Selected::poll_changes`] with
//! `expunge_allowed` does.
//!
//! A server that holds EXPUNGE responses back while a FETCH, STORE or
//! SEARCH by number is in flight (pipelined after the command that reports
//! them) uses [`Selected::poll_expunges`] instead: the message keeps its
//! number in the view until [`Selected::delivered`] says the client got
//! the EXPUNGE, so that the commands in between read and answer message
//! numbers as the client still has them (RFC 9051 §2.3.1.2).

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::sync::Arc;

use bytes::Bytes;
use imapkit_proto::{
    BodyStructure, DateTime, Envelope, Flag, FlagPerm, Partial, SearchKey, Section, SeqOrUid,
    Sequence, SequenceSet, StoreAction,
};
use tokio::sync::broadcast;

use crate::store::account::{may_change, Account, CopyUid};
use crate::store::acl::Rights;
use crate::store::error::{Result, StoreError};
use crate::store::flags::{system_flags, FlagSet};
use crate::store::mailbox::{Change, MailboxHandle, Msg, MsgCore};
use crate::store::message::MessageMeta;
use crate::store::search;
use crate::store::section::partial;
use crate::store::Store;

/// A selected mailbox, owned by one session.
#[derive(Debug)]
pub struct Selected {
    account: Account,
    handle: Arc<MailboxHandle>,
    name: String,
    read_only: bool,
    rights: Rights,
    /// UID and the mod-sequence last reported, by sequence number - 1.
    view: Vec<(u32, u64)>,
    /// The mailbox's HIGHESTMODSEQ when the view was last brought up to date.
    seen_modseq: u64,
    /// How many keywords the session was told about (FLAGS).
    keywords_known: usize,
    /// UIDs that are `\Recent` in this session, ascending.
    recent: Vec<u32>,
    /// Expunged by others, not yet reported.
    ghosts: bool,
    /// UIDs whose `EXPUNGE` [`Selected::poll_expunges`] handed out and the
    /// client may not have yet (the server holds it back), oldest first.
    /// They stay in `view`: until the client gets the `EXPUNGE` it numbers
    /// messages as if they were there.
    undelivered: VecDeque<u32>,
    /// How many UIDs of `undelivered` each response carries, oldest first:
    /// one per `EXPUNGE` ([`Selected::poll_expunges`]), all of them for a
    /// `VANISHED` ([`Selected::poll_vanished`]). The server counts held
    /// responses, not UIDs.
    undelivered_responses: VecDeque<usize>,
    /// Responses of `undelivered_responses` delivered since the selection.
    delivered_count: usize,
    /// The result of the last `SEARCH RETURN (SAVE)` (RFC 5182), as UIDs.
    saved: Option<Vec<u32>>,
    deleted_reported: bool,
}

/// What SELECT/EXAMINE report (RFC 9051 §6.3.2, RFC 7162 §3.1.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectInfo {
    /// `EXISTS`
    pub exists: u32,
    /// `RECENT` (IMAP4rev1)
    pub recent: u32,
    /// `UIDVALIDITY`
    pub uid_validity: u32,
    /// `UIDNEXT`
    pub uid_next: u32,
    /// `HIGHESTMODSEQ`
    pub highest_modseq: u64,
    /// `FLAGS`: system flags and the keywords in use.
    pub flags: Vec<Flag<'static>>,
    /// `PERMANENTFLAGS`: what this session may store, with `\*`; empty when
    /// read-only.
    pub permanent_flags: Vec<FlagPerm<'static>>,
    /// The sequence number of the first message without `\Seen`
    /// (`UNSEEN` response code, IMAP4rev1).
    pub first_unseen: Option<NonZeroU32>,
    /// `READ-ONLY` or `READ-WRITE`.
    pub read_only: bool,
    /// `MAILBOXID` (RFC 8474).
    pub mailbox_id: String,
}

/// Something the session must tell its client (untagged responses), in
/// the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Update {
    /// `* n EXPUNGE`: `seq` as numbered when this response is sent (each
    /// earlier `Expunge` already applied).
    Expunge {
        /// The sequence number to send.
        seq: u32,
        /// The message's UID (for `VANISHED`, RFC 7162).
        uid: u32,
    },
    /// `* n EXISTS`
    Exists(u32),
    /// `* n RECENT` (IMAP4rev1)
    Recent(u32),
    /// `* FLAGS (...)`: the keyword list grew.
    FlagsDefined(Vec<Flag<'static>>),
    /// `* n FETCH (UID u FLAGS (...) MODSEQ (m))`
    Flags {
        /// Sequence number.
        seq: u32,
        /// UID.
        uid: u32,
        /// The flags (with `\Recent` where it applies).
        flags: StoredFlags,
        /// The mod-sequence.
        modseq: u64,
    },
    /// The mailbox was deleted by someone else: the server ends the
    /// session (`* BYE`) or deselects.
    MailboxDeleted,
}

/// Flags of a message as a session sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFlags {
    /// The stored flags.
    pub flags: FlagSet,
    /// `\Recent` in this session.
    pub recent: bool,
}

/// The result of STORE.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoreOutcome {
    /// Every addressed message that still exists, with its flags now:
    /// `(seq, uid, flags, modseq, changed)`. The server sends a FETCH for
    /// each (unless `.SILENT`; RFC 7162 §3.1.3 for CONDSTORE).
    pub messages: Vec<(u32, u32, StoredFlags, u64, bool)>,
    /// UIDs that failed `UNCHANGEDSINCE` (the `MODIFIED` response code).
    pub modified: Vec<u32>,
    /// UIDs among `messages` whose flags another session had changed since
    /// this session last reported them. The server sends a FETCH with
    /// their flags even for `.SILENT` (RFC 9051 §6.4.6): this STORE moved
    /// the session's view of them past that change, so no later poll
    /// reports it.
    pub unreported: Vec<u32>,
}

/// The result of SEARCH.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchResult {
    /// Matching messages as `(seq, uid)`, ascending.
    pub matches: Vec<(u32, u32)>,
    /// The highest mod-sequence among them, for `(MODSEQ n)` (RFC 7162
    /// §3.1.5); `None` when nothing matched.
    pub highest_modseq: Option<u64>,
}

/// A message of the selected mailbox, for FETCH.
#[derive(Debug, Clone)]
pub struct MessageRef {
    store: Store,
    seq: u32,
    uid: u32,
    modseq: u64,
    flags: StoredFlags,
    core: Arc<MsgCore>,
}

impl Selected {
    pub(crate) fn open(
        account: Account,
        handle: Arc<MailboxHandle>,
        name: String,
        read_only: bool,
        rights: Rights,
    ) -> Self {
        let mut st = handle.lock();
        let from = st.claim_recent();
        let view: Vec<(u32, u64)> = st.messages.iter().map(|m| (m.uid, m.modseq)).collect();
        let recent = view.iter().map(|v| v.0).filter(|&u| u >= from).collect();
        let seen_modseq = st.highest_modseq;
        let keywords_known = st.keywords.len();
        drop(st);
        Self {
            account,
            handle,
            name,
            read_only,
            rights,
            view,
            seen_modseq,
            keywords_known,
            recent,
            ghosts: false,
            undelivered: VecDeque::new(),
            undelivered_responses: VecDeque::new(),
            delivered_count: 0,
            saved: None,
            deleted_reported: false,
        }
    }

    /// What SELECT or EXAMINE report.
    pub fn info(&self) -> SelectInfo {
        let st = self.handle.lock();
        let mut flags = system_flags();
        for k in &st.keywords {
            if let Some(f) = Flag::keyword(k).map(imapkit_proto::IntoStatic::into_static) {
                flags.push(f);
            }
        }
        let permanent_flags = if self.read_only {
            Vec::new()
        } else {
            let may = may_change(self.rights);
            let mut p: Vec<FlagPerm<'static>> = flags
                .iter()
                .filter(|f| match f {
                    Flag::Seen => may(crate::store::flags::FlagKind::Seen),
                    Flag::Deleted => may(crate::store::flags::FlagKind::Deleted),
                    _ => may(crate::store::flags::FlagKind::Other),
                })
                .cloned()
                .map(FlagPerm::Flag)
                .collect();
            // New keywords only while the mailbox has room for them.
            if self.rights.has('w') && st.keywords.len() < crate::store::mailbox::MAX_KEYWORDS {
                p.push(FlagPerm::Asterisk);
            }
            p
        };
        let first_unseen = self.view.iter().enumerate().find_map(|(i, (uid, _))| {
            let m = st.find(*uid).map(|j| &st.messages[j])?;
            (!m.flags.seen())
                .then(|| NonZeroU32::new(i as u32 + 1))
                .flatten()
        });
        SelectInfo {
            exists: self.view.len() as u32,
            recent: self.recent.len() as u32,
            uid_validity: st.uid_validity,
            uid_next: st.uid_next,
            highest_modseq: st.highest_modseq,
            flags,
            permanent_flags,
            first_unseen,
            read_only: self.read_only,
            mailbox_id: st.mailbox_id.clone(),
        }
    }

    /// The mailbox name (UTF-8).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the session may not change anything.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The user's rights on the mailbox.
    pub fn rights(&self) -> Rights {
        self.rights
    }

    /// The number of messages in this session's view (`EXISTS`).
    pub fn exists(&self) -> u32 {
        self.view.len() as u32
    }

    /// The UID of message `seq`.
    pub fn uid(&self, seq: u32) -> Option<u32> {
        self.view.get((seq as usize).checked_sub(1)?).map(|v| v.0)
    }

    /// The sequence number of `uid`.
    pub fn seq(&self, uid: u32) -> Option<u32> {
        self.view
            .binary_search_by_key(&uid, |v| v.0)
            .ok()
            .map(|i| i as u32 + 1)
    }

    /// The messages a sequence set names, as `(seq, uid)` ascending: message
    /// numbers, or UIDs when `uid` (the UID commands). `*` is the last
    /// message; a UID range `n:*` always includes the last message
    /// (RFC 9051 §6.4.8). A message number past the end is
    /// [`StoreError::InvalidSequence`] (the server answers BAD).
    pub fn resolve(&self, set: &SequenceSet, uid: bool) -> Result<Vec<(u32, u32)>> {
        let largest = if uid {
            self.view.last().map_or(0, |v| v.0)
        } else {
            self.view.len() as u32
        };
        if let SequenceSet::LastResult = set {
            let saved = self.saved.as_deref().unwrap_or_default();
            return Ok(self
                .view
                .iter()
                .enumerate()
                .filter(|(_, v)| saved.binary_search(&v.0).is_ok())
                .map(|(i, v)| (i as u32 + 1, v.0))
                .collect());
        }
        if !uid {
            if let SequenceSet::Set(items) = set {
                let over = |s: SeqOrUid| matches!(s, SeqOrUid::Value(v) if v.get() > largest);
                let bad = items.iter().any(|x| match *x {
                    Sequence::Single(s) => over(s),
                    Sequence::Range(a, b) => over(a) && over(b),
                });
                if bad {
                    return Err(StoreError::InvalidSequence);
                }
            }
        }
        if largest == 0 {
            return Ok(Vec::new());
        }
        Ok(self
            .view
            .iter()
            .enumerate()
            .filter(|(i, v)| {
                let n = if uid { v.0 } else { *i as u32 + 1 };
                set.contains(n, largest)
            })
            .map(|(i, v)| (i as u32 + 1, v.0))
            .collect())
    }

    /// The messages `(seq, uid)` for FETCH; messages expunged by another
    /// session (not yet reported) are left out.
    pub fn messages(&self, which: &[(u32, u32)]) -> Vec<MessageRef> {
        let st = self.handle.lock();
        which
            .iter()
            .filter_map(|&(seq, uid)| {
                let m = &st.messages[st.find(uid)?];
                Some(self.message_ref(seq, m))
            })
            .collect()
    }

    fn message_ref(&self, seq: u32, m: &Msg) -> MessageRef {
        MessageRef {
            store: self.account.store().clone(),
            seq,
            uid: m.uid,
            modseq: m.modseq,
            flags: StoredFlags {
                flags: m.flags.clone(),
                recent: self.is_recent(m.uid),
            },
            core: m.core.clone(),
        }
    }

    fn is_recent(&self, uid: u32) -> bool {
        self.recent.binary_search(&uid).is_ok()
    }

    /// STORE (RFC 9051 §6.4.6, RFC 7162 `UNCHANGEDSINCE`) on `(seq, uid)`
    /// pairs from [`Selected::resolve`]. Needs a writable session and one of
    /// the rights `s`, `t`, `w`; flags whose right is missing keep their
    /// value (RFC 4314 §4).
    pub fn store(
        &mut self,
        which: &[(u32, u32)],
        action: StoreAction,
        flags: &[Flag<'_>],
        unchanged_since: Option<u64>,
    ) -> Result<StoreOutcome> {
        if self.read_only {
            return Err(StoreError::ReadOnly);
        }
        if !['s', 't', 'w'].iter().any(|&c| self.rights.has(c)) {
            return Err(StoreError::NoPermission { right: 'w' });
        }
        let set = FlagSet::from_flags(flags)?;
        let uids: Vec<u32> = which.iter().map(|w| w.1).collect();
        let r = self.handle.store(
            &uids,
            action,
            &set,
            unchanged_since,
            may_change(self.rights),
        )?;
        let mut out = StoreOutcome {
            modified: r.modified,
            ..Default::default()
        };
        for (uid, flags, modseq, changed, before) in r.messages {
            if let Ok(i) = self.view.binary_search_by_key(&uid, |v| v.0) {
                // A change by someone else that was not reported yet: the
                // FETCH the server sends now reports it with this one.
                let external = before > self.view[i].1;
                if changed || external {
                    self.view[i].1 = modseq;
                }
                if external {
                    out.unreported.push(uid);
                }
                out.messages.push((
                    i as u32 + 1,
                    uid,
                    StoredFlags {
                        recent: self.is_recent(uid),
                        flags,
                    },
                    modseq,
                    changed,
                ));
            }
        }
        Ok(out)
    }

    /// EXPUNGE (RFC 9051 §6.4.3), or UID EXPUNGE (RFC 4315 §2.1) when
    /// `only` is given: removes the messages with `\Deleted`. Needs right
    /// `e`. Returns the `EXPUNGE` responses to send, in order.
    pub fn expunge(&mut self, only: Option<&[u32]>) -> Result<Vec<Update>> {
        if self.read_only {
            return Err(StoreError::ReadOnly);
        }
        self.rights.require('e')?;
        let gone = self.handle.expunge(|m| {
            m.flags.deleted() && only.is_none_or(|u| u.binary_search(&m.uid).is_ok())
        })?;
        Ok(self.drop_from_view(&gone))
    }

    /// COPY (RFC 9051 §6.4.7) of `(seq, uid)` pairs into `dest`; the
    /// `COPYUID` data (RFC 4315).
    pub fn copy(&self, which: &[(u32, u32)], dest: &str) -> Result<CopyUid> {
        self.rights.require('r')?;
        let msgs = self.current(which);
        let source: Vec<u32> = msgs.iter().map(|m| m.uid).collect();
        let (uid_validity, destination) = self.account.copy_into(dest, msgs)?;
        Ok(CopyUid {
            uid_validity,
            source,
            destination,
        })
    }

    /// MOVE (RFC 6851): copy, then expunge the originals. Needs rights `t`
    /// and `e` here. Returns the `COPYUID` data and the `EXPUNGE` responses.
    pub fn move_to(&mut self, which: &[(u32, u32)], dest: &str) -> Result<(CopyUid, Vec<Update>)> {
        if self.read_only {
            return Err(StoreError::ReadOnly);
        }
        self.rights.require('t')?;
        self.rights.require('e')?;
        let copied = self.copy(which, dest)?;
        let gone = self
            .handle
            .expunge(|m| copied.source.binary_search(&m.uid).is_ok())?;
        Ok((copied, self.drop_from_view(&gone)))
    }

    /// CLOSE (RFC 9051 §6.4.1): expunges `\Deleted` messages silently
    /// unless read-only (or the user lacks right `e`).
    pub fn close(mut self) -> Result<()> {
        if !self.read_only && self.rights.has('e') {
            self.expunge(None)?;
        }
        Ok(())
    }

    /// SEARCH (RFC 9051 §6.4.4) over this session's messages.
    pub fn search(&self, key: &SearchKey<'_>) -> Result<SearchResult> {
        let st = self.handle.lock();
        let largest_uid = self.view.last().map_or(0, |v| v.0);
        let msgs: Vec<(u32, Msg)> = self
            .view
            .iter()
            .enumerate()
            .filter_map(|(i, (uid, _))| {
                st.find(*uid)
                    .map(|j| (i as u32 + 1, st.messages[j].clone()))
            })
            .collect();
        drop(st);
        let mut out = SearchResult::default();
        let ctx = search::Scope {
            store: self.account.store(),
            largest_seq: self.view.len() as u32,
            largest_uid,
            saved: self.saved.as_deref(),
            recent: &self.recent,
        };
        for (seq, m) in &msgs {
            if search::matches(&ctx, key, *seq, m)? {
                out.matches.push((*seq, m.uid));
                out.highest_modseq = Some(out.highest_modseq.unwrap_or(0).max(m.modseq));
            }
        }
        Ok(out)
    }

    /// The largest UID the mailbox has given (UIDNEXT - 1): what `*`
    /// stands for in the UID sets of QRESYNC (RFC 7162 §3.2.5.1).
    pub fn max_uid(&self) -> u32 {
        self.handle.lock().uid_next.saturating_sub(1)
    }

    /// The UIDs to report as `VANISHED (EARLIER)` (RFC 7162 §3.2.5.1,
    /// §3.2.6), as ascending inclusive ranges: the messages among `within`
    /// (UID ranges; `None`: `1:<UIDNEXT-1>`) expunged since `modseq`,
    /// except those still in this session's view (their `VANISHED` comes
    /// with the session's other updates).
    ///
    /// When the journal no longer knows the expunges since `modseq` (it
    /// was compacted after them) every UID of `within` above `min_uid`
    /// that is not in the mailbox is reported: more than the client knew
    /// is allowed (§3.2.5.2), fewer never; `min_uid` is where the
    /// client's sequence match data (§3.2.5.2) shows it has every expunge
    /// up to.
    pub fn vanished_since(
        &self,
        modseq: u64,
        within: Option<&[(u32, u32)]>,
        min_uid: u32,
    ) -> Vec<(u32, u32)> {
        let st = self.handle.lock();
        let top = st.uid_next.saturating_sub(1);
        let all = [(1, top)];
        let within: Vec<(u32, u32)> = within
            .unwrap_or(&all)
            .iter()
            .filter_map(|&(lo, hi)| (lo <= hi.min(top)).then_some((lo.max(1), hi.min(top))))
            .collect();
        let in_view = |uid: u32| self.view.binary_search_by_key(&uid, |v| v.0).is_ok();
        if modseq >= st.expunges_known_after {
            let uids: Vec<u32> = st
                .expunged
                .iter()
                .filter(|&&(uid, m)| m > modseq && !in_view(uid) && in_ranges(&within, uid))
                .map(|&(uid, _)| uid)
                .collect();
            return runs(uids);
        }
        // Every UID of `within` that neither the mailbox nor the view has.
        let mut present: Vec<u32> = st.messages.iter().map(|m| m.uid).collect();
        drop(st);
        present.extend(self.view.iter().map(|v| v.0));
        present.sort_unstable();
        present.dedup();
        let mut out = Vec::new();
        for (lo, hi) in within {
            let mut next = lo.max(min_uid.saturating_add(1));
            let start = present.partition_point(|&u| u < next);
            for &uid in &present[start..] {
                if uid > hi {
                    break;
                }
                if uid > next {
                    out.push((next, uid - 1));
                }
                next = uid.saturating_add(1);
            }
            if next <= hi {
                out.push((next, hi));
            }
        }
        merge(out)
    }

    /// The messages of this session's view among `within` (UID ranges;
    /// `None`: all) whose mod-sequence is above `modseq`, ascending: the
    /// `FETCH (UID FLAGS MODSEQ)` of a QRESYNC SELECT (RFC 7162 §3.2.5.1).
    pub fn changed_since(&self, modseq: u64, within: Option<&[(u32, u32)]>) -> Vec<MessageRef> {
        let st = self.handle.lock();
        self.view
            .iter()
            .enumerate()
            .filter(|(_, v)| within.is_none_or(|w| in_ranges(w, v.0)))
            .filter_map(|(i, v)| {
                let m = &st.messages[st.find(v.0)?];
                (m.modseq > modseq).then(|| self.message_ref(i as u32 + 1, m))
            })
            .collect()
    }

    /// Keeps a search result for `$` (RFC 5182 `SEARCH RETURN (SAVE)`).
    pub fn save_result(&mut self, uids: &[u32]) {
        let mut v = uids.to_vec();
        v.sort_unstable();
        self.saved = Some(v);
    }

    /// Brings the view up to date with the mailbox and says what to tell
    /// the client: expunges (only when `expunge_allowed`), then new
    /// messages (`EXISTS`, `RECENT`), new keywords (`FLAGS`) and flag
    /// changes by others. Cheap when nothing changed. Messages whose
    /// `EXPUNGE` [`Selected::poll_expunges`] handed out are not reported
    /// again, and keep their numbers until [`Selected::delivered`].
    pub fn poll_changes(&mut self, expunge_allowed: bool) -> Vec<Update> {
        let mut out = Vec::new();
        let mut st = self.handle.lock();
        if st.deleted {
            if !self.deleted_reported {
                self.deleted_reported = true;
                out.push(Update::MailboxDeleted);
            }
            return out;
        }
        if st.highest_modseq == self.seen_modseq && !(self.ghosts && expunge_allowed) {
            return out;
        }
        if st.keywords.len() != self.keywords_known {
            self.keywords_known = st.keywords.len();
            let mut flags = system_flags();
            flags.extend(
                st.keywords
                    .iter()
                    .filter_map(|k| Flag::keyword(k).map(imapkit_proto::IntoStatic::into_static)),
            );
            out.push(Update::FlagsDefined(flags));
        }
        // Walk the view and the mailbox, both by ascending UID.
        let mut gone = Vec::new();
        let mut changed = Vec::new();
        self.ghosts = false;
        for (uid, modseq) in &mut self.view {
            match st.find(*uid) {
                Some(j) => {
                    let m = &st.messages[j];
                    if m.modseq > *modseq {
                        *modseq = m.modseq;
                        changed.push((m.uid, m.flags.clone(), m.modseq));
                    }
                }
                // Its EXPUNGE is on its way to the client.
                None if self.undelivered.contains(uid) => {}
                None if expunge_allowed => gone.push(*uid),
                None => self.ghosts = true,
            }
        }
        let last = self.view.last().map_or(0, |v| v.0);
        let new: Vec<(u32, u64)> = st
            .messages
            .iter()
            .filter(|m| m.uid > last)
            .map(|m| (m.uid, m.modseq))
            .collect();
        let recent_from = st.recent_from;
        if !new.is_empty() {
            st.recent_from = st.uid_next;
        }
        self.seen_modseq = st.highest_modseq;
        drop(st);
        out.extend(self.drop_from_view(&gone));
        if !new.is_empty() {
            let claimed: Vec<u32> = new
                .iter()
                .map(|n| n.0)
                .filter(|&u| u >= recent_from)
                .collect();
            self.view.extend(new);
            out.push(Update::Exists(self.view.len() as u32));
            if !claimed.is_empty() {
                self.recent.extend(claimed);
                out.push(Update::Recent(self.recent.len() as u32));
            }
        }
        for (uid, flags, modseq) in changed {
            if let Some(seq) = self.seq(uid) {
                out.push(Update::Flags {
                    seq,
                    uid,
                    flags: StoredFlags {
                        recent: self.is_recent(uid),
                        flags,
                    },
                    modseq,
                });
            }
        }
        out
    }

    /// Reports the messages other sessions expunged, for a server that may
    /// hold `EXPUNGE` responses back (RFC 9051 §7.5.1: not while a FETCH,
    /// STORE or SEARCH by number is in flight). Each `Update::Expunge`
    /// numbers its message as the client will once the earlier `EXPUNGE`s
    /// (also those still undelivered) have reached it; the message keeps
    /// its number in this view until [`Selected::delivered`] says the
    /// client has the response. Other changes are left to
    /// [`Selected::poll_changes`].
    pub fn poll_expunges(&mut self) -> Vec<Update> {
        let out = self.take_expunged();
        self.undelivered_responses
            .extend(std::iter::repeat_n(1, out.len()));
        out
    }

    /// Like [`Selected::poll_expunges`], for a client that gets one
    /// `VANISHED` response instead of an `EXPUNGE` per message (RFC 7162
    /// §3.2.10, after `ENABLE QRESYNC`): the UIDs, ascending, that the
    /// server sends as one response (nothing when empty). Until
    /// [`Selected::delivered`] says it reached the client, the messages
    /// keep their numbers in this view.
    pub fn poll_vanished(&mut self) -> Vec<u32> {
        let uids: Vec<u32> = self
            .take_expunged()
            .into_iter()
            .filter_map(|u| match u {
                Update::Expunge { uid, .. } => Some(uid),
                _ => None,
            })
            .collect();
        if !uids.is_empty() {
            self.undelivered_responses.push_back(uids.len());
        }
        uids
    }

    /// The expunges of others not handed out yet, numbered as the client
    /// will have them; their UIDs join `undelivered`.
    fn take_expunged(&mut self) -> Vec<Update> {
        let st = self.handle.lock();
        if st.deleted || (st.highest_modseq == self.seen_modseq && !self.ghosts) {
            return Vec::new();
        }
        let mut out = Vec::new();
        // The messages before the current one that the client keeps.
        let mut kept = 0;
        for &(uid, _) in &self.view {
            if self.undelivered.contains(&uid) {
                continue;
            }
            if st.find(uid).is_some() {
                kept += 1;
            } else {
                out.push(Update::Expunge { seq: kept + 1, uid });
            }
        }
        drop(st);
        for update in &out {
            if let Update::Expunge { uid, .. } = update {
                self.undelivered.push_back(*uid);
            }
        }
        self.ghosts = false;
        out
    }

    /// The server holds `held` `EXPUNGE` responses back (`held_expunges`
    /// of the session): those [`Selected::poll_expunges`] handed out before
    /// them have reached the client (the server sends them in order), so
    /// their messages leave the view and the numbers after them move down.
    pub fn delivered(&mut self, held: usize) {
        let n = self.undelivered_responses.len().saturating_sub(held);
        self.deliver(n);
    }

    /// The client has had `total` of the `EXPUNGE` (or `VANISHED`)
    /// responses [`Selected::poll_expunges`] handed out since the
    /// selection, in order: the first of them not counted yet leave the
    /// view (a command is read in the numbering of the responses sent
    /// before it, RFC 9051 §7.5.1).
    pub fn delivered_upto(&mut self, total: usize) {
        let n = total.saturating_sub(self.delivered_count);
        self.deliver(n.min(self.undelivered_responses.len()));
    }

    /// The oldest `n` undelivered responses reached the client.
    fn deliver(&mut self, n: usize) {
        if n == 0 {
            return;
        }
        self.delivered_count += n;
        let uids: usize = self.undelivered_responses.drain(..n).sum();
        let uids = uids.min(self.undelivered.len());
        let mut gone: Vec<u32> = self.undelivered.drain(..uids).collect();
        gone.sort_unstable();
        self.drop_from_view(&gone);
    }

    /// The HIGHESTMODSEQ the client may be told (RFC 7162 §3.2, §6): it
    /// has every change up to it. The view was brought up to date at the
    /// mailbox's HIGHESTMODSEQ then; an expunge the client has not had yet
    /// (another session's, not reported, or handed out and held back by
    /// the server) keeps it below that expunge's mod-sequence, which the
    /// journal gives (or, after a compaction, which is above the message's
    /// last reported mod-sequence).
    pub fn reported_modseq(&self) -> u64 {
        let st = self.handle.lock();
        // The view's messages no longer in the mailbox, by ascending UID.
        let pending: Vec<(u32, u64)> = self
            .view
            .iter()
            .filter(|v| st.find(v.0).is_none())
            .copied()
            .collect();
        let mut highest = self.seen_modseq;
        if pending.is_empty() {
            return highest;
        }
        let mut found = vec![None; pending.len()];
        for &(uid, modseq) in &st.expunged {
            if let Ok(i) = pending.binary_search_by_key(&uid, |p| p.0) {
                found[i] = Some(modseq);
            }
        }
        for (&(_, last), expunged) in pending.iter().zip(found) {
            let below = expunged.map_or(last, |m| m.saturating_sub(1));
            highest = highest.min(below);
        }
        highest
    }

    /// How many `EXPUNGE` responses handed out by
    /// [`Selected::poll_expunges`] may not have reached the client yet.
    pub fn undelivered(&self) -> usize {
        self.undelivered.len()
    }

    /// The number `uid` has once the undelivered `EXPUNGE` responses have
    /// reached the client: the number for a response the server queues
    /// behind them (all but the data of a FETCH, STORE or SEARCH by
    /// number). `None` when its own `EXPUNGE` is undelivered or it is not
    /// in the view.
    pub fn seq_after_expunges(&self, uid: u32) -> Option<u32> {
        let seq = self.seq(uid)?;
        if self.undelivered.contains(&uid) {
            return None;
        }
        let before = self.undelivered.iter().filter(|&&u| u < uid).count() as u32;
        Some(seq - before)
    }

    /// A receiver of this mailbox's changes: await it in IDLE, then call
    /// [`Selected::poll_changes`]. Changes made by this session are sent
    /// too (the view already holds them; `poll_changes` skips them).
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.handle.subscribe()
    }

    /// The messages `which` that still exist.
    fn current(&self, which: &[(u32, u32)]) -> Vec<Msg> {
        let st = self.handle.lock();
        which
            .iter()
            .filter_map(|&(_, uid)| st.find(uid).map(|j| st.messages[j].clone()))
            .collect()
    }

    /// Removes expunged UIDs from the view; the `EXPUNGE` responses.
    fn drop_from_view(&mut self, gone: &[u32]) -> Vec<Update> {
        let mut out = Vec::new();
        for &uid in gone {
            if let Some(seq) = self.seq(uid) {
                self.view.remove(seq as usize - 1);
                out.push(Update::Expunge { seq, uid });
            }
            if let Ok(i) = self.recent.binary_search(&uid) {
                self.recent.remove(i);
            }
        }
        if let Some(saved) = &mut self.saved {
            saved.retain(|u| gone.binary_search(u).is_err());
        }
        out
    }
}

/// A set of message numbers or UIDs as ascending, merged inclusive
/// ranges, `*` standing for `largest`; `$` (RFC 5182) for everything up to
/// `largest`.
pub fn set_ranges(set: &SequenceSet, largest: u32) -> Vec<(u32, u32)> {
    let SequenceSet::Set(items) = set else {
        return if largest > 0 {
            vec![(1, largest)]
        } else {
            Vec::new()
        };
    };
    let v = |s: SeqOrUid| match s {
        SeqOrUid::Value(n) => n.get(),
        SeqOrUid::Asterisk => largest,
    };
    let ranges = items
        .iter()
        .map(|item| match *item {
            Sequence::Single(a) => (v(a), v(a)),
            Sequence::Range(a, b) => (v(a).min(v(b)), v(a).max(v(b))),
        })
        .filter(|&(lo, _)| lo > 0)
        .collect();
    merge(ranges)
}

/// Whether `n` lies in the ascending, merged `ranges`.
fn in_ranges(ranges: &[(u32, u32)], n: u32) -> bool {
    let i = ranges.partition_point(|r| r.1 < n);
    ranges.get(i).is_some_and(|r| r.0 <= n)
}

/// Ranges sorted and merged (overlapping or adjacent ones joined).
fn merge(mut ranges: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    ranges.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
    for (lo, hi) in ranges {
        match out.last_mut() {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

/// Numbers as ascending ranges of consecutive ones.
fn runs(mut numbers: Vec<u32>) -> Vec<(u32, u32)> {
    numbers.sort_unstable();
    numbers.dedup();
    merge(numbers.into_iter().map(|n| (n, n)).collect())
}

impl MessageRef {
    /// The sequence number in the session.
    pub fn seq(&self) -> u32 {
        self.seq
    }

    /// The UID.
    pub fn uid(&self) -> u32 {
        self.uid
    }

    /// `MODSEQ` (RFC 7162).
    pub fn modseq(&self) -> u64 {
        self.modseq
    }

    /// `FLAGS`.
    pub fn flags(&self) -> &StoredFlags {
        &self.flags
    }

    /// `INTERNALDATE`.
    pub fn internal_date(&self) -> DateTime {
        self.core.internal_date
    }

    /// `RFC822.SIZE`.
    pub fn size(&self) -> u64 {
        self.core.size
    }

    /// `EMAILID` (RFC 8474).
    pub fn email_id(&self) -> &str {
        &self.core.email_id
    }

    /// The whole message (`BODY[]`), shared with the store's cache.
    pub fn bytes(&self) -> Result<Bytes> {
        self.store.read(&self.core.path)
    }

    /// The parsed metadata (parsed on first use, then kept).
    pub fn meta(&self) -> Result<Arc<MessageMeta>> {
        if let Some(m) = self.core.meta.get() {
            return Ok(m.clone());
        }
        let raw = self.bytes()?;
        let meta = Arc::new(MessageMeta::parse(&raw));
        Ok(self.core.meta.get_or_init(|| meta).clone())
    }

    /// `ENVELOPE`.
    pub fn envelope(&self) -> Result<Envelope<'static>> {
        Ok(self.meta()?.envelope().clone())
    }

    /// `BODYSTRUCTURE` (with extension data), or `BODY` (without) when
    /// `extensions` is false.
    pub fn body_structure(&self, extensions: bool) -> Result<BodyStructure<'static>> {
        let b = self.meta()?.body_structure().clone();
        Ok(if extensions { b } else { strip_extensions(b) })
    }

    /// `BODY[section]<partial>`: `None` for a section that does not exist
    /// (the server sends NIL).
    pub fn section(&self, section: &Section<'_>, part: Option<Partial>) -> Result<Option<Bytes>> {
        let raw = self.bytes()?;
        Ok(self
            .meta()?
            .section(&raw, section)
            .map(|b| partial(&b, part)))
    }

    /// `BINARY[part]<partial>` (RFC 3516).
    pub fn binary(&self, path: &[NonZeroU32], part: Option<Partial>) -> Result<Option<Bytes>> {
        let raw = self.bytes()?;
        Ok(self.meta()?.binary(&raw, path)?.map(|b| partial(&b, part)))
    }

    /// `BINARY.SIZE[part]` (RFC 3516).
    pub fn binary_size(&self, path: &[NonZeroU32]) -> Result<Option<u64>> {
        Ok(self.binary(path, None)?.map(|b| b.len() as u64))
    }
}

/// `BODY`: a BODYSTRUCTURE without extension data, at every level.
fn strip_extensions(b: BodyStructure<'static>) -> BodyStructure<'static> {
    use imapkit_proto::{BodyKind, Encapsulated, PartList};
    match b {
        BodyStructure::Single(mut s) => {
            s.extension = None;
            if let BodyKind::Message {
                media_type,
                subtype,
                message,
                lines,
            } = s.kind
            {
                let (env, body) = message.get();
                let inner =
                    strip_extensions(imapkit_proto::IntoStatic::into_static(body.into_owned()));
                s.kind = BodyKind::Message {
                    media_type,
                    subtype,
                    message: Encapsulated::new(
                        imapkit_proto::IntoStatic::into_static(env.into_owned()),
                        inner,
                    ),
                    lines,
                };
            }
            BodyStructure::Single(s)
        }
        BodyStructure::Multipart(mut m) => {
            let parts: Vec<BodyStructure<'static>> = m
                .parts
                .iter()
                .map(|p| strip_extensions(imapkit_proto::IntoStatic::into_static(p.into_owned())))
                .collect();
            // A multipart has at least one part, so the list is non-empty.
            m.parts = PartList::from(imapkit_proto::Vec1::unvalidated(parts));
            m.extension = None;
            BodyStructure::Multipart(m)
        }
    }
}
