//! [`SelectedMailbox`]: what the client knows of the mailbox it selected,
//! kept right by the responses the server sends.

use std::num::{NonZeroU32, NonZeroU64};
use std::ops::RangeInclusive;

use imapkit_proto::{
    Data, Flag, FlagFetch, FlagFetchList, FlagPerm, IntoStatic, Mailbox, MessageDataItem, ObjectId,
    ResponseCode, SeqOrUid, Sequence, SequenceSet,
};

use super::change::MailboxChange;
use super::qresync::{MailboxSnapshot, Resync};
use super::uid_map::{normalize, UidMap};
use crate::error::ViolationKind;

/// The selected mailbox, from `SELECT`/`EXAMINE` (RFC 9051 §6.3.2) until
/// another mailbox is selected or it is closed.
///
/// The client creates it when it sends SELECT or EXAMINE and feeds it, in
/// order, the responses that concern the mailbox:
///
/// 1. untagged data: [`handle_data`](Self::handle_data) (`EXISTS`,
///    `RECENT`, `EXPUNGE`, `FETCH`, `VANISHED`, `FLAGS`; other data is
///    ignored);
/// 2. response codes of untagged and tagged status responses:
///    [`handle_code`](Self::handle_code);
/// 3. the tagged OK of the SELECT: [`select_completed`](Self::select_completed);
///    the tagged response of any later command:
///    [`command_completed`](Self::command_completed) (after its code).
///
/// Each call returns what changed. A response that does not fit the model
/// (an EXPUNGE or FETCH beyond EXISTS, EXISTS shrinking, a UID against the
/// UID order, a second UIDVALIDITY) is refused with a [`ViolationKind`] and
/// leaves the model unchanged. When a response may come is the client's
/// business (RFC 9051 §7.5.1: no EXPUNGE while no command runs, nor during
/// FETCH, STORE or SEARCH), as is the `[CLOSED]` boundary (RFC 7162
/// §3.2.11) and dropping the model when the SELECT fails.
///
/// Memory: the model holds no per-message data but the [`UidMap`], which
/// grows with runs of consecutive UIDs; flags and mod-sequences of messages
/// are reported as changes for the application to keep.
#[derive(Debug, Clone)]
pub struct SelectedMailbox {
    name: Mailbox<'static>,
    read_only: bool,
    selecting: bool,
    uid_validity: Option<u32>,
    uid_next: Option<u32>,
    recent: Option<u32>,
    unseen: Option<u32>,
    flags: Vec<Flag<'static>>,
    permanent_flags: Option<Vec<FlagPerm<'static>>>,
    mod_seq: ModSeq,
    mailbox_id: Option<ObjectId<'static>>,
    uids: UidMap,
    /// The largest MODSEQ of FETCH responses since the last tagged response.
    modseq_seen: Option<u64>,
    /// Whether a HIGHESTMODSEQ code came since the last tagged response.
    highest_code_seen: bool,
    /// A QRESYNC SELECT in progress.
    resync: Option<Resync>,
}

/// What the model knows of the mailbox's mod-sequences (RFC 7162 §3.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModSeq {
    /// Neither HIGHESTMODSEQ nor NOMODSEQ came (no CONDSTORE enabling
    /// command, or a server without CONDSTORE).
    Unknown,
    /// The mailbox's highest mod-sequence, as a cache may record it.
    Highest(u64),
    /// `NOMODSEQ`: the mailbox does not keep mod-sequences.
    NoModSeq,
}

impl SelectedMailbox {
    /// The model of `name` while `SELECT` (or, with `read_only`, `EXAMINE`)
    /// runs. Until a `READ-ONLY` code says otherwise, a SELECTed mailbox is
    /// read-write.
    pub fn new(name: Mailbox<'static>, read_only: bool) -> Self {
        Self {
            name,
            read_only,
            selecting: true,
            uid_validity: None,
            uid_next: None,
            recent: None,
            unseen: None,
            flags: Vec::new(),
            permanent_flags: None,
            mod_seq: ModSeq::Unknown,
            mailbox_id: None,
            uids: UidMap::new(),
            modseq_seen: None,
            highest_code_seen: false,
            resync: None,
        }
    }

    /// The model of `name` while `SELECT name (QRESYNC (...))` runs, sent
    /// with [`snapshot.select_parameter()`](MailboxSnapshot::select_parameter)
    /// (RFC 7162 §3.2.5). At [`select_completed`](Self::select_completed)
    /// the snapshot is applied if the server's answer agrees with it.
    pub fn resync(name: Mailbox<'static>, read_only: bool, snapshot: &MailboxSnapshot) -> Self {
        let mut mailbox = Self::new(name, read_only);
        mailbox.resync = Some(Resync::new(snapshot));
        mailbox
    }

    /// Applies untagged data. Data that is not about the selected mailbox
    /// (CAPABILITY, LIST, STATUS, SEARCH, ...) is ignored (`Ok(None)`), as
    /// are FETCH items other than UID, FLAGS and MODSEQ.
    pub fn handle_data(&mut self, data: &Data<'_>) -> Result<Option<MailboxChange>, ViolationKind> {
        let applied = self.apply(data, true);
        self.refused_during_resync(&applied);
        applied
    }

    /// Responses about this mailbox went elsewhere (a SELECT answered
    /// without `[CLOSED]`, RFC 7162 §3.2.11): a QRESYNC snapshot is not
    /// applied at the end.
    pub(crate) fn missed_responses(&mut self) {
        if let Some(r) = &mut self.resync {
            r.lost_track();
        }
    }

    /// A response the model refused while a QRESYNC SELECT runs: the
    /// cache missed something, so the snapshot is not applied at the end
    /// (`ResyncNeeded`, never `Resynced`).
    fn refused_during_resync<T>(&mut self, result: &Result<T, ViolationKind>) {
        if result.is_err() {
            if let Some(r) = &mut self.resync {
                r.lost_track();
            }
        }
    }

    /// Applies untagged data a FETCH command asked for: like
    /// [`handle_data`](Self::handle_data), but the flags and mod-sequences
    /// of its FETCH responses are the command's answer, not changes, and
    /// make none (nor the allocation of one).
    pub fn handle_answer(
        &mut self,
        data: &Data<'_>,
    ) -> Result<Option<MailboxChange>, ViolationKind> {
        let applied = self.apply(data, false);
        self.refused_during_resync(&applied);
        applied
    }

    fn apply(
        &mut self,
        data: &Data<'_>,
        report_fetch: bool,
    ) -> Result<Option<MailboxChange>, ViolationKind> {
        Ok(match data {
            Data::Exists(n) => {
                let new = self.uids.grow_to(*n)?;
                (new > 0 || self.selecting).then_some(MailboxChange::Exists { exists: *n, new })
            }
            Data::Recent(n) => {
                self.recent = Some(*n);
                Some(MailboxChange::Recent(*n))
            }
            Data::Expunge(seq) => {
                let uid = self.uids.expunge(seq.get())?;
                if let Some(r) = &mut self.resync {
                    match uid {
                        Some(u) => r.vanished(&[u..=u]),
                        None => r.lost_track(),
                    }
                }
                Some(MailboxChange::Expunged {
                    seq: seq.get(),
                    uid,
                })
            }
            Data::Vanished { earlier, uids } => {
                // `*` is the UID of the last message (RFC 9051 §9
                // `seq-number`); with that UID unknown, any UID above the
                // known ones.
                let star = if *earlier {
                    u32::MAX
                } else {
                    self.uids.uid(self.uids.len()).unwrap_or(u32::MAX)
                };
                let ranges = uid_ranges(uids, star);
                if !earlier {
                    self.uids.remove_uids(&ranges)?;
                }
                if let Some(r) = &mut self.resync {
                    r.vanished(&ranges);
                }
                Some(MailboxChange::Vanished {
                    uids: ranges,
                    earlier: *earlier,
                })
            }
            Data::Fetch { seq, items } => self.handle_fetch(seq.get(), items, report_fetch)?,
            Data::Flags(flags) => {
                self.flags = flags.clone().into_static();
                Some(MailboxChange::Flags(self.flags.clone()))
            }
            _ => None,
        })
    }

    /// Applies a response code, from an untagged status response or a
    /// tagged one. Codes that are not about the selected mailbox are ignored
    /// (`Ok(None)`), `UNSEEN` is kept without a change, and `CLOSED` is the
    /// client's business.
    pub fn handle_code(
        &mut self,
        code: &ResponseCode<'_>,
    ) -> Result<Option<MailboxChange>, ViolationKind> {
        let applied = self.apply_code(code);
        self.refused_during_resync(&applied);
        applied
    }

    fn apply_code(
        &mut self,
        code: &ResponseCode<'_>,
    ) -> Result<Option<MailboxChange>, ViolationKind> {
        Ok(match code {
            ResponseCode::UidValidity(v) => self.set_uid_validity(*v)?,
            ResponseCode::UidNext(n) => {
                (self.uid_next.replace(*n) != Some(*n)).then_some(MailboxChange::UidNext(*n))
            }
            ResponseCode::PermanentFlags(flags) => {
                let flags = flags.clone().into_static();
                self.permanent_flags = Some(flags.clone());
                Some(MailboxChange::PermanentFlags(flags))
            }
            ResponseCode::HighestModSeq(h) => {
                self.highest_code_seen = true;
                self.set_mod_seq(ModSeq::Highest(*h))
            }
            ResponseCode::NoModSeq => self.set_mod_seq(ModSeq::NoModSeq),
            ResponseCode::ReadOnly => self.set_read_only(true),
            ResponseCode::ReadWrite => self.set_read_only(false),
            ResponseCode::MailboxId(id) => {
                let id = id.clone().into_static();
                (self.mailbox_id.as_ref() != Some(&id)).then(|| {
                    self.mailbox_id = Some(id.clone());
                    MailboxChange::MailboxId(id)
                })
            }
            ResponseCode::Unseen(n) => {
                self.unseen = Some(n.get());
                None
            }
            _ => None,
        })
    }

    /// The tagged OK of the SELECT/EXAMINE arrived (its code already given
    /// to [`handle_code`](Self::handle_code)): the mailbox is selected. With
    /// a QRESYNC snapshot, reconciles it with the server's answer
    /// ([`MailboxChange::Resynced`], [`MailboxChange::ResyncNeeded`] or
    /// [`MailboxChange::UidValidityChanged`]). Then as
    /// [`command_completed`](Self::command_completed).
    pub fn select_completed(&mut self) -> Vec<MailboxChange> {
        let mut changes = Vec::new();
        self.selecting = false;
        if let Some(resync) = self.resync.take() {
            changes.push(resync.finish(&mut self.uids, self.mod_seq, self.uid_validity));
        }
        changes.extend(self.command_completed());
        changes
    }

    /// A tagged response arrived (its code already given to
    /// [`handle_code`](Self::handle_code)). Unless a HIGHESTMODSEQ code came
    /// since the previous tagged response, the highest MODSEQ of the FETCH
    /// responses since then becomes the highest mod-sequence if it is
    /// higher (RFC 7162 §6: updating it earlier could skip a delayed
    /// VANISHED).
    pub fn command_completed(&mut self) -> Option<MailboxChange> {
        let seen = self.modseq_seen.take();
        if std::mem::take(&mut self.highest_code_seen) {
            return None;
        }
        match (self.mod_seq, seen) {
            (ModSeq::Highest(h), Some(m)) if m > h => {
                self.mod_seq = ModSeq::Highest(m);
                Some(MailboxChange::HighestModSeq(m))
            }
            _ => None,
        }
    }

    /// What a cache keeps to resynchronize this mailbox later with QRESYNC:
    /// UIDVALIDITY, the highest mod-sequence, and the known UIDs up to the
    /// first message whose UID is unknown. `None` while the SELECT runs,
    /// without a non-zero UIDVALIDITY, or without a non-zero HIGHESTMODSEQ.
    /// Take it between commands, where the highest mod-sequence is safe
    /// (see [`command_completed`](Self::command_completed)).
    pub fn snapshot(&self) -> Option<MailboxSnapshot> {
        if self.selecting {
            return None;
        }
        let uid_validity = NonZeroU32::new(self.uid_validity?)?;
        let ModSeq::Highest(h) = self.mod_seq else {
            return None;
        };
        let highest_modseq = NonZeroU64::new(h)?;
        let uids = self.uids.segments().map_while(|s| s.uids());
        Some(MailboxSnapshot::new(uid_validity, highest_modseq, uids))
    }

    /// The mailbox's name.
    pub fn name(&self) -> &Mailbox<'static> {
        &self.name
    }

    /// Whether the mailbox is read-only (EXAMINE, or a `READ-ONLY` code).
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Whether the SELECT/EXAMINE is still running.
    pub fn is_selecting(&self) -> bool {
        self.selecting
    }

    /// `UIDVALIDITY` (RFC 9051 §2.3.1.1), once received.
    pub fn uid_validity(&self) -> Option<u32> {
        self.uid_validity
    }

    /// `UIDNEXT`, the latest received (RFC 9051 §2.3.1.1: a prediction).
    pub fn uid_next(&self) -> Option<u32> {
        self.uid_next
    }

    /// The number of messages (EXISTS, kept through EXPUNGE and VANISHED).
    pub fn exists(&self) -> u32 {
        self.uids.len()
    }

    /// `RECENT`, the latest received (IMAP4rev1).
    pub fn recent(&self) -> Option<u32> {
        self.recent
    }

    /// `UNSEEN` as received at selection (IMAP4rev1; not kept up to date).
    pub fn unseen(&self) -> Option<u32> {
        self.unseen
    }

    /// The flags defined in the mailbox (`* FLAGS`).
    pub fn flags(&self) -> &[Flag<'static>] {
        &self.flags
    }

    /// `PERMANENTFLAGS`; `None` if the server sent none (then all flags can
    /// be changed permanently, RFC 9051 §7.1).
    pub fn permanent_flags(&self) -> Option<&[FlagPerm<'static>]> {
        self.permanent_flags.as_deref()
    }

    /// What is known of mod-sequences (RFC 7162).
    pub fn mod_seq(&self) -> ModSeq {
        self.mod_seq
    }

    /// The highest mod-sequence, when the mailbox has one.
    pub fn highest_modseq(&self) -> Option<u64> {
        match self.mod_seq {
            ModSeq::Highest(h) => Some(h),
            ModSeq::Unknown | ModSeq::NoModSeq => None,
        }
    }

    /// `MAILBOXID` (RFC 8474).
    pub fn mailbox_id(&self) -> Option<&ObjectId<'static>> {
        self.mailbox_id.as_ref()
    }

    /// The heap memory the model holds, by capacity: the UID map and the
    /// flag lists (not the bytes of keyword names, which are short).
    pub fn heap_bytes(&self) -> usize {
        self.uids.heap_bytes()
            + self.flags.capacity() * size_of::<Flag<'static>>()
            + self
                .permanent_flags
                .as_ref()
                .map_or(0, |f| f.capacity() * size_of::<FlagPerm<'static>>())
    }

    /// The sequence number <-> UID map.
    pub fn uids(&self) -> &UidMap {
        &self.uids
    }

    /// The UID of message `seq`, if known.
    pub fn uid(&self, seq: u32) -> Option<u32> {
        self.uids.uid(seq)
    }

    /// The sequence number of the message with UID `uid`, if known.
    pub fn seq(&self, uid: u32) -> Option<u32> {
        self.uids.seq(uid)
    }

    /// Applies a FETCH response's UID, FLAGS and MODSEQ items.
    fn handle_fetch(
        &mut self,
        seq: u32,
        items: &[MessageDataItem<'_>],
        report: bool,
    ) -> Result<Option<MailboxChange>, ViolationKind> {
        if seq > self.uids.len() {
            return Err(ViolationKind::BeyondExists {
                seq,
                exists: self.uids.len(),
            });
        }
        let (mut uid, mut flags, mut modseq) = (None, None, None);
        for item in items {
            match item {
                MessageDataItem::Uid(u) => uid = Some(*u),
                MessageDataItem::Flags(f) => flags = Some(f),
                MessageDataItem::ModSeq(m) => modseq = Some(*m),
                _ => {}
            }
        }
        let uid = match uid {
            Some(u) => {
                self.uids.set_uid(seq, u)?;
                Some(u.get())
            }
            None => self.uids.uid(seq),
        };
        if let Some(m) = modseq {
            self.modseq_seen = Some(self.modseq_seen.map_or(m, |s| s.max(m)));
        }
        if !report {
            return Ok(None);
        }
        Ok(match (flags, modseq) {
            (Some(list), _) => {
                let (flags, recent) = owned_flags(list);
                Some(MailboxChange::FlagsChanged {
                    seq,
                    uid,
                    flags,
                    recent,
                    modseq,
                })
            }
            (None, Some(modseq)) => Some(MailboxChange::ModSeqChanged { seq, uid, modseq }),
            (None, None) => None,
        })
    }

    fn set_uid_validity(&mut self, v: u32) -> Result<Option<MailboxChange>, ViolationKind> {
        match self.uid_validity {
            Some(known) if known == v => Ok(None),
            Some(known) => Err(ViolationKind::UidValidityChanged { known, got: v }),
            None => {
                self.uid_validity = Some(v);
                match self.resync.take() {
                    Some(r) if r.uid_validity() != v => {
                        Ok(Some(MailboxChange::UidValidityChanged {
                            old: r.uid_validity(),
                            new: v,
                        }))
                    }
                    same => {
                        self.resync = same;
                        Ok(Some(MailboxChange::UidValidity(v)))
                    }
                }
            }
        }
    }

    fn set_mod_seq(&mut self, m: ModSeq) -> Option<MailboxChange> {
        if self.mod_seq == m {
            return None;
        }
        self.mod_seq = m;
        Some(match m {
            ModSeq::Highest(h) => MailboxChange::HighestModSeq(h),
            // `Unknown` is never set; NOMODSEQ is the other case.
            ModSeq::NoModSeq | ModSeq::Unknown => MailboxChange::NoModSeq,
        })
    }

    fn set_read_only(&mut self, read_only: bool) -> Option<MailboxChange> {
        (self.read_only != read_only).then(|| {
            self.read_only = read_only;
            MailboxChange::ReadOnly(read_only)
        })
    }
}

/// A FETCH response's flags as owned values, and whether `\Recent` was
/// among them.
fn owned_flags(list: &FlagFetchList<'_>) -> (Vec<Flag<'static>>, bool) {
    let mut recent = false;
    let mut flags = Vec::with_capacity(list.len());
    for f in list.iter() {
        match f {
            FlagFetch::Flag(f) => flags.push(f.into_static()),
            FlagFetch::Recent => recent = true,
        }
    }
    (flags, recent)
}

/// The UIDs of a VANISHED set as sorted, merged ranges, `*` standing for
/// `star`. `$` (not valid in a response) names no UID.
fn uid_ranges(set: &SequenceSet, star: u32) -> Vec<RangeInclusive<u32>> {
    let SequenceSet::Set(items) = set else {
        return Vec::new();
    };
    let value = |s: SeqOrUid| match s {
        SeqOrUid::Value(v) => v.get(),
        SeqOrUid::Asterisk => star,
    };
    let pairs = items.iter().map(|s| match *s {
        Sequence::Single(a) => (value(a), value(a)),
        Sequence::Range(a, b) => (value(a), value(b)),
    });
    normalize(pairs).into_iter().map(|(a, b)| a..=b).collect()
}
