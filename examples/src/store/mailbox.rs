//! One mailbox: a Maildir (`tmp/`, `new/`, `cur/`) plus its journal, loaded
//! into memory, changed under a lock, and a broadcast channel that tells
//! every session of the mailbox what changed.
//!
//! Message files are written to `tmp/`, `fsync`ed, renamed into `cur/` and
//! the directory `fsync`ed before the journal line that gives them a UID is
//! written; only then is a change acknowledged. Files in `cur/` that the
//! journal does not name (an APPEND cut short by a crash, or an expunged
//! file whose removal was lost) are removed when the mailbox is loaded;
//! files in `new/` are deliveries by another program (an MDA following
//! Maildir rules) and are imported with fresh UIDs.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use bytes::Bytes;
use imapkit_proto::DateTime;
use tokio::sync::broadcast;

use crate::store::date::datetime_from_unix;
use crate::store::error::{Result, StoreError};
use crate::store::flags::{FlagKind, FlagSet};
use crate::store::fsutil;
use crate::store::journal::{Journal, MessageRecord, Record};
use crate::store::message::MessageMeta;

/// A change in a mailbox, as sessions and IDLE are told about it.
///
/// Sent on the channel of [`crate::store::Selected::subscribe`] after the
/// change is on disk. A receiver that lags behind (the channel holds
/// [`CHANNEL_CAPACITY`] changes) loses changes but not correctness:
/// [`crate::store::Selected::poll_changes`] compares the session's view
/// with the mailbox, so the channel is only a wake-up.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Change {
    /// A message arrived (APPEND, COPY, MOVE, delivery).
    Appended {
        /// Its UID.
        uid: u32,
        /// Its mod-sequence.
        modseq: u64,
    },
    /// A message was expunged.
    Expunged {
        /// Its UID.
        uid: u32,
        /// The mod-sequence of the expunge.
        modseq: u64,
    },
    /// A message's flags changed.
    FlagsChanged {
        /// Its UID.
        uid: u32,
        /// The new flags.
        flags: FlagSet,
        /// Its new mod-sequence.
        modseq: u64,
    },
    /// The mailbox was deleted.
    Deleted,
}

/// How many changes a slow receiver may fall behind before it lags.
pub const CHANNEL_CAPACITY: usize = 1024;

/// A loaded mailbox, shared by every session that uses it.
#[derive(Debug)]
pub(crate) struct MailboxHandle {
    pub(crate) dir: PathBuf,
    state: Mutex<MailboxState>,
    tx: broadcast::Sender<Change>,
}

/// The in-memory state of a mailbox.
#[derive(Debug)]
pub(crate) struct MailboxState {
    pub(crate) uid_validity: u32,
    pub(crate) mailbox_id: String,
    pub(crate) uid_next: u32,
    pub(crate) highest_modseq: u64,
    /// By ascending UID.
    pub(crate) messages: Vec<Msg>,
    /// Keywords used in this mailbox, in the order first seen.
    pub(crate) keywords: Vec<Box<str>>,
    /// UIDs from here on are `\Recent` for the next session that claims them.
    pub(crate) recent_from: u32,
    pub(crate) deleted: bool,
    /// The expunges the journal holds, `(uid, modseq)` in the order they
    /// happened: every expunge whose mod-sequence is above
    /// [`MailboxState::expunges_known_after`] (for QRESYNC's VANISHED
    /// (EARLIER), RFC 7162 §3.2.5.1, §3.2.6).
    pub(crate) expunged: Vec<(u32, u64)>,
    /// The HIGHESTMODSEQ at the journal's last snapshot (1 for a journal
    /// never compacted): the expunges before it were dropped by the
    /// snapshot, so [`MailboxState::expunged`] is complete only above it.
    pub(crate) expunges_known_after: u64,
    journal: Journal,
}

/// A message in a mailbox.
#[derive(Debug, Clone)]
pub(crate) struct Msg {
    pub(crate) uid: u32,
    pub(crate) modseq: u64,
    pub(crate) flags: FlagSet,
    pub(crate) core: Arc<MsgCore>,
}

/// What does not change about a message while it is in a mailbox.
#[derive(Debug)]
pub(crate) struct MsgCore {
    /// The file.
    pub(crate) path: PathBuf,
    pub(crate) size: u64,
    pub(crate) internal_date: DateTime,
    pub(crate) email_id: String,
    /// Parsed on first use (or at APPEND), then kept.
    pub(crate) meta: OnceLock<Arc<MessageMeta>>,
}

/// A message to add.
#[derive(Debug)]
pub(crate) struct NewMessage {
    pub(crate) source: Source,
    pub(crate) flags: FlagSet,
    pub(crate) internal_date: DateTime,
    /// Kept by COPY and MOVE (RFC 8474 §5.1); a new one otherwise.
    pub(crate) email_id: Option<String>,
    pub(crate) meta: Option<Arc<MessageMeta>>,
}

/// Where the bytes of a new message come from.
#[derive(Debug)]
pub(crate) enum Source {
    /// Written to a new file.
    Bytes(Bytes),
    /// Hard-linked (or copied) from another mailbox's file.
    File(PathBuf),
}

/// The outcome of a STORE.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct StoreResult {
    /// Every addressed message that exists: UID, flags, mod-sequence,
    /// whether this STORE changed it, and its mod-sequence before this
    /// STORE (a session compares it with what it last reported).
    pub(crate) messages: Vec<(u32, FlagSet, u64, bool, u64)>,
    /// UIDs not changed because of UNCHANGEDSINCE (RFC 7162 §3.1.3).
    pub(crate) modified: Vec<u32>,
}

/// Rewrite the journal when it holds this many more records than messages.
const COMPACT_SLACK: usize = 1000;

impl MailboxHandle {
    /// Creates an empty mailbox in `dir`.
    pub(crate) fn create(dir: &Path, uid_validity: u32, mailbox_id: &str) -> Result<()> {
        for sub in ["tmp", "new", "cur"] {
            fsutil::create_dir_durable(&dir.join(sub))?;
        }
        Journal::create(
            &dir.join("journal"),
            &[
                Record::Header {
                    uid_validity,
                    mailbox_id: mailbox_id.to_string(),
                },
                Record::State {
                    uid_next: 1,
                    highest_modseq: 1,
                },
            ],
        )?;
        Ok(())
    }

    /// Loads the mailbox in `dir`: replays the journal, cleans `tmp/` and
    /// `cur/`, imports `new/`.
    pub(crate) fn load(dir: &Path) -> Result<Self> {
        let (journal, records) = Journal::open(&dir.join("journal"))?;
        let mut uid_validity = 0;
        let mut mailbox_id = String::new();
        let mut uid_next = 1;
        let mut highest_modseq = 1;
        let mut msgs: BTreeMap<u32, Msg> = BTreeMap::new();
        let mut expunged = Vec::new();
        // The first State record is the snapshot the journal starts from.
        let mut expunges_known_after = None;
        let cur = dir.join("cur");
        for r in records {
            match r {
                Record::Header {
                    uid_validity: v,
                    mailbox_id: id,
                } => {
                    uid_validity = v;
                    mailbox_id = id;
                }
                Record::State {
                    uid_next: n,
                    highest_modseq: m,
                } => {
                    uid_next = uid_next.max(n);
                    highest_modseq = highest_modseq.max(m);
                    expunges_known_after.get_or_insert(m);
                }
                Record::Append(m) => {
                    uid_next = uid_next.max(m.uid.saturating_add(1));
                    highest_modseq = highest_modseq.max(m.modseq);
                    let core = MsgCore {
                        path: cur.join(&m.file),
                        size: m.size,
                        internal_date: datetime_from_unix(m.internal_secs, m.zone),
                        email_id: m.email_id,
                        meta: OnceLock::new(),
                    };
                    msgs.insert(
                        m.uid,
                        Msg {
                            uid: m.uid,
                            modseq: m.modseq,
                            flags: m.flags,
                            core: Arc::new(core),
                        },
                    );
                }
                Record::Flags { uid, modseq, flags } => {
                    highest_modseq = highest_modseq.max(modseq);
                    if let Some(m) = msgs.get_mut(&uid) {
                        m.modseq = modseq;
                        m.flags = flags;
                    }
                }
                Record::Expunge { uid, modseq } => {
                    highest_modseq = highest_modseq.max(modseq);
                    msgs.remove(&uid);
                    expunged.push((uid, modseq));
                }
            }
        }
        let mut keywords: Vec<Box<str>> = Vec::new();
        for m in msgs.values() {
            for k in m.flags.keywords() {
                if !keywords.iter().any(|x| x.eq_ignore_ascii_case(k)) {
                    keywords.push(k.into());
                }
            }
        }
        let state = MailboxState {
            uid_validity,
            mailbox_id,
            uid_next,
            highest_modseq,
            messages: msgs.into_values().collect(),
            keywords,
            recent_from: uid_next,
            deleted: false,
            expunged,
            // A journal without a State record (never written so): only
            // what it holds is known.
            expunges_known_after: expunges_known_after.unwrap_or(highest_modseq),
            journal,
        };
        let (tx, _) = broadcast::channel(CHANNEL_CAPACITY);
        let handle = Self {
            dir: dir.to_path_buf(),
            state: Mutex::new(state),
            tx,
        };
        handle.recover()?;
        Ok(handle)
    }

    /// The state, locked. A poisoned lock is taken over: every change is
    /// written to the journal before memory is updated, so the memory state
    /// is at worst behind the journal by the change that panicked.
    pub(crate) fn lock(&self) -> MutexGuard<'_, MailboxState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A receiver of this mailbox's changes.
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.tx.subscribe()
    }

    /// Cleans up after a crash and imports deliveries; see the module docs.
    fn recover(&self) -> Result<()> {
        let tmp = self.dir.join("tmp");
        for f in list_dir(&tmp)? {
            let _ = fs::remove_file(tmp.join(f));
        }
        let cur = self.dir.join("cur");
        let st = self.lock();
        let known: std::collections::HashSet<PathBuf> =
            st.messages.iter().map(|m| m.core.path.clone()).collect();
        let mut removed = false;
        for f in list_dir(&cur)? {
            let p = cur.join(&f);
            if !known.contains(&p) {
                fs::remove_file(&p).map_err(|e| StoreError::io(&p, e))?;
                removed = true;
            }
        }
        if removed {
            fsutil::sync_dir(&cur)?;
        }
        // Messages whose file vanished (removed by hand) are expunged.
        let missing: Vec<u32> = st
            .messages
            .iter()
            .filter(|m| !m.core.path.exists())
            .map(|m| m.uid)
            .collect();
        drop(st);
        if !missing.is_empty() {
            self.expunge(|m| missing.contains(&m.uid))?;
        }
        // Deliveries into new/.
        let new = self.dir.join("new");
        let mut items = Vec::new();
        for f in list_dir(&new)? {
            let from = new.join(&f);
            let to = cur.join(cur_name(&f, |name| cur.join(name).exists()));
            fs::rename(&from, &to).map_err(|e| StoreError::io(&from, e))?;
            let size = fs::metadata(&to).map_err(|e| StoreError::io(&to, e))?.len();
            let mtime = fs::metadata(&to)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or_else(fsutil::now_secs, |d| d.as_secs() as i64);
            let flags = f
                .split_once(":2,")
                .map(|(_, info)| FlagSet::from_maildir_info(info))
                .unwrap_or_default();
            items.push((to, size, datetime_from_unix(mtime, 0), flags));
        }
        if !items.is_empty() {
            fsutil::sync_dir(&new)?;
            fsutil::sync_dir(&cur)?;
            let mut st = self.lock();
            st.recent_from = st.uid_next;
            let st = &mut *st;
            let placed = items
                .into_iter()
                .map(|(path, size, date, flags)| (path, size, date, flags, None, None))
                .collect();
            self.commit_appends(st, placed)?;
        }
        Ok(())
    }

    /// Adds messages; returns their UIDs in order. The files are placed in
    /// `cur/` and synced first, then the journal records them.
    pub(crate) fn append(&self, items: Vec<NewMessage>) -> Result<Vec<u32>> {
        let cur = self.dir.join("cur");
        let mut placed = Vec::with_capacity(items.len());
        let cleanup = |placed: &[PlacedFile]| {
            for p in placed {
                let _ = fs::remove_file(&p.0);
            }
        };
        for item in items {
            let name = format!("{}:2,", fsutil::unique());
            let to = cur.join(&name);
            let size = match &item.source {
                Source::Bytes(b) => {
                    let tmp = self.dir.join("tmp").join(&name);
                    if let Err(e) = write_synced(&tmp, b) {
                        cleanup(&placed);
                        return Err(e);
                    }
                    fs::rename(&tmp, &to).map_err(|e| StoreError::io(&to, e))?;
                    b.len() as u64
                }
                Source::File(from) => {
                    if let Err(e) = link_or_copy(from, &to, &self.dir.join("tmp").join(&name)) {
                        cleanup(&placed);
                        return Err(e);
                    }
                    fs::metadata(&to).map_err(|e| StoreError::io(&to, e))?.len()
                }
            };
            placed.push((
                to,
                size,
                item.internal_date,
                item.flags,
                item.email_id,
                item.meta,
            ));
        }
        if let Err(e) = fsutil::sync_dir(&cur) {
            cleanup(&placed);
            return Err(e);
        }
        let mut st = self.lock();
        if st.deleted {
            cleanup(&placed);
            return Err(StoreError::MailboxDeleted);
        }
        if let Err(e) = check_keywords(&st.keywords, placed.iter().map(|p| &p.3)) {
            cleanup(&placed);
            return Err(e);
        }
        self.commit_appends(&mut st, placed)
    }

    fn commit_appends(&self, st: &mut MailboxState, placed: Vec<PlacedFile>) -> Result<Vec<u32>> {
        let modseq = st.highest_modseq + 1;
        let mut records = Vec::with_capacity(placed.len());
        let mut msgs = Vec::with_capacity(placed.len());
        for (i, (path, size, date, mut flags, email_id, meta)) in placed.into_iter().enumerate() {
            let uid = st.uid_next + i as u32;
            add_keywords(&mut st.keywords, &flags);
            flags.canonicalize(&st.keywords);
            let email_id = email_id.unwrap_or_else(|| format!("E{}", fsutil::unique_id()));
            let file = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            records.push(Record::Append(MessageRecord {
                uid,
                modseq,
                internal_secs: date.unix_timestamp(),
                zone: date.zone_minutes(),
                size,
                email_id: email_id.clone(),
                file,
                flags: flags.clone(),
            }));
            let core = MsgCore {
                path,
                size,
                internal_date: date,
                email_id,
                meta: OnceLock::new(),
            };
            if let Some(meta) = meta {
                let _ = core.meta.set(meta);
            }
            msgs.push(Msg {
                uid,
                modseq,
                flags,
                core: Arc::new(core),
            });
        }
        if let Err(e) = st.journal.append(&records) {
            for m in &msgs {
                let _ = fs::remove_file(&m.core.path);
            }
            return Err(e);
        }
        let uids: Vec<u32> = msgs.iter().map(|m| m.uid).collect();
        st.uid_next += msgs.len() as u32;
        st.highest_modseq = modseq;
        st.messages.extend(msgs);
        for &uid in &uids {
            let _ = self.tx.send(Change::Appended { uid, modseq });
        }
        self.maybe_compact(st)?;
        Ok(uids)
    }

    /// Changes flags of the messages `uids` (those that exist).
    ///
    /// `may` says which kinds of flag the user may change (ACL rights
    /// `s`, `t`, `w`); the others keep their value.
    pub(crate) fn store(
        &self,
        uids: &[u32],
        action: imapkit_proto::StoreAction,
        flags: &FlagSet,
        unchanged_since: Option<u64>,
        may: impl Fn(FlagKind) -> bool,
    ) -> Result<StoreResult> {
        use imapkit_proto::StoreAction;
        let mut st = self.lock();
        if st.deleted {
            return Err(StoreError::MailboxDeleted);
        }
        // Keywords are registered only when they may land on a message:
        // not for -FLAGS, not without the right to set them, not when no
        // UID matches (else anyone could fill the mailbox's limit).
        let adds_keywords = action != StoreAction::Remove
            && may(FlagKind::Other)
            && uids
                .iter()
                .any(|u| st.messages.binary_search_by_key(u, |m| m.uid).is_ok());
        if adds_keywords {
            check_keywords(&st.keywords, [flags])?;
            add_keywords(&mut st.keywords, flags);
        }
        let modseq = st.highest_modseq + 1;
        let mut out = StoreResult::default();
        let mut records = Vec::new();
        let mut updates = Vec::new();
        for &uid in uids {
            let Ok(i) = st.messages.binary_search_by_key(&uid, |m| m.uid) else {
                continue;
            };
            let m = &st.messages[i];
            if unchanged_since.is_some_and(|u| m.modseq > u) {
                out.modified.push(uid);
                continue;
            }
            let mut new = m.flags.clone();
            match action {
                StoreAction::Replace => new = flags.clone(),
                StoreAction::Add => new.union(flags),
                StoreAction::Remove => new.remove_all(flags),
            }
            let mut new = new.restrict(&m.flags, &may);
            new.canonicalize(&st.keywords);
            if new == m.flags {
                out.messages.push((uid, new, m.modseq, false, m.modseq));
            } else {
                records.push(Record::Flags {
                    uid,
                    modseq,
                    flags: new.clone(),
                });
                updates.push((i, new.clone()));
                out.messages.push((uid, new, modseq, true, m.modseq));
            }
        }
        if records.is_empty() {
            return Ok(out);
        }
        st.journal.append(&records)?;
        st.highest_modseq = modseq;
        for (i, flags) in updates {
            let m = &mut st.messages[i];
            m.flags = flags.clone();
            m.modseq = modseq;
            let _ = self.tx.send(Change::FlagsChanged {
                uid: m.uid,
                flags,
                modseq,
            });
        }
        self.maybe_compact(&mut st)?;
        Ok(out)
    }

    /// Expunges the messages `pick` selects; returns their UIDs.
    pub(crate) fn expunge(&self, pick: impl Fn(&Msg) -> bool) -> Result<Vec<u32>> {
        let mut st = self.lock();
        if st.deleted {
            return Err(StoreError::MailboxDeleted);
        }
        let modseq = st.highest_modseq + 1;
        let gone: Vec<Msg> = st.messages.iter().filter(|m| pick(m)).cloned().collect();
        if gone.is_empty() {
            return Ok(Vec::new());
        }
        let records: Vec<Record> = gone
            .iter()
            .map(|m| Record::Expunge { uid: m.uid, modseq })
            .collect();
        st.journal.append(&records)?;
        st.highest_modseq = modseq;
        st.messages.retain(|m| !pick(m));
        st.expunged.extend(gone.iter().map(|m| (m.uid, modseq)));
        for m in &gone {
            // The journal no longer names the file; a removal lost in a
            // crash is redone when the mailbox is loaded.
            let _ = fs::remove_file(&m.core.path);
            let _ = self.tx.send(Change::Expunged { uid: m.uid, modseq });
        }
        self.maybe_compact(&mut st)?;
        Ok(gone.iter().map(|m| m.uid).collect())
    }

    /// Marks the mailbox deleted and tells its sessions; the caller removes
    /// the directory once the registry no longer names it.
    pub(crate) fn mark_deleted(&self) {
        let mut st = self.lock();
        st.deleted = true;
        let _ = self.tx.send(Change::Deleted);
    }

    fn maybe_compact(&self, st: &mut MailboxState) -> Result<()> {
        if st.journal.len() <= st.messages.len() * 2 + COMPACT_SLACK {
            return Ok(());
        }
        let mut records = vec![
            Record::Header {
                uid_validity: st.uid_validity,
                mailbox_id: st.mailbox_id.clone(),
            },
            Record::State {
                uid_next: st.uid_next,
                highest_modseq: st.highest_modseq,
            },
        ];
        for m in &st.messages {
            records.push(Record::Append(MessageRecord {
                uid: m.uid,
                modseq: m.modseq,
                internal_secs: m.core.internal_date.unix_timestamp(),
                zone: m.core.internal_date.zone_minutes(),
                size: m.core.size,
                email_id: m.core.email_id.clone(),
                file: m
                    .core
                    .path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
                    .to_string(),
                flags: m.flags.clone(),
            }));
        }
        st.journal.rewrite(&records)?;
        // The snapshot keeps no expunge: as after a restart, the history
        // starts here.
        st.expunged = Vec::new();
        st.expunges_known_after = st.highest_modseq;
        Ok(())
    }
}

impl MailboxState {
    /// The index of the message with `uid`.
    pub(crate) fn find(&self, uid: u32) -> Option<usize> {
        self.messages.binary_search_by_key(&uid, |m| m.uid).ok()
    }

    /// Hands the `\Recent` messages to the calling session: returns the first
    /// recent UID; later sessions do not see them as recent (RFC 3501 §2.3.2).
    pub(crate) fn claim_recent(&mut self) -> u32 {
        let from = self.recent_from;
        self.recent_from = self.uid_next;
        from
    }
}

type PlacedFile = (
    PathBuf,
    u64,
    DateTime,
    FlagSet,
    Option<String>,
    Option<Arc<MessageMeta>>,
);

/// The name in `cur/` of a file delivered into `new/` as `delivered`: its
/// unique part (before the Maildir info `:2,...`) with an empty info, as
/// long as that part is printable ASCII without spaces (the journal
/// separates fields by spaces) and no file has it (`taken`): two
/// deliveries that differ only in their info would otherwise overwrite
/// each other. Else a fresh unique name.
fn cur_name(delivered: &str, taken: impl Fn(&str) -> bool) -> String {
    let base = delivered.split(':').next().unwrap_or(delivered);
    let usable = !base.is_empty() && base.bytes().all(|b| b.is_ascii_graphic() && b != b'/');
    let name = format!("{base}:2,");
    if usable && !taken(&name) {
        return name;
    }
    loop {
        let name = format!("{}.delivered:2,", fsutil::unique_id());
        if !taken(&name) {
            return name;
        }
    }
}

/// The most keywords a mailbox keeps (RFC 9051 §2.3.2 lets a server
/// refuse new ones: `NO [LIMIT]`, RFC 5530). Keywords are compared
/// pairwise under the mailbox's lock; the bound keeps that cheap.
pub const MAX_KEYWORDS: usize = 256;

/// Whether the keywords of `flags` fit beside `known`: at most
/// [`MAX_KEYWORDS`] in all. Checked before anything changes.
fn check_keywords<'a>(
    known: &[Box<str>],
    flags: impl IntoIterator<Item = &'a FlagSet>,
) -> Result<()> {
    let mut new: Vec<&str> = Vec::new();
    for k in flags.into_iter().flat_map(FlagSet::keywords) {
        let seen = |x: &str| x.eq_ignore_ascii_case(k);
        if !known.iter().any(|x| seen(x)) && !new.iter().any(|x| seen(x)) {
            new.push(k);
            if known.len() + new.len() > MAX_KEYWORDS {
                return Err(StoreError::TooManyKeywords {
                    limit: MAX_KEYWORDS,
                });
            }
        }
    }
    Ok(())
}

/// Adds the keywords of `flags` that `known` lacks (after [`check_keywords`]).
fn add_keywords(known: &mut Vec<Box<str>>, flags: &FlagSet) {
    for k in flags.keywords() {
        if !known.iter().any(|x| x.eq_ignore_ascii_case(k)) {
            known.push(k.into());
        }
    }
}

fn write_synced(path: &Path, data: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| StoreError::io(path, e))?;
    f.write_all(data)
        .and_then(|()| f.sync_all())
        .map_err(|e| StoreError::io(path, e))
}

/// Hard-links `from` to `to`; across file systems, copies through `tmp`.
fn link_or_copy(from: &Path, to: &Path, tmp: &Path) -> Result<()> {
    if fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    let data = fs::read(from).map_err(|e| StoreError::io(from, e))?;
    write_synced(tmp, &data)?;
    fs::rename(tmp, to).map_err(|e| StoreError::io(to, e))
}

fn list_dir(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(StoreError::io(dir, e)),
    };
    for e in rd {
        let e = e.map_err(|e| StoreError::io(dir, e))?;
        if e.file_type().map(|t| t.is_file()).unwrap_or(false) {
            if let Some(n) = e.file_name().to_str() {
                if !n.starts_with('.') {
                    out.push(n.to_string());
                }
            }
        }
    }
    out.sort();
    Ok(out)
}
