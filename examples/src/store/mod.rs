//! The mail store of the demo server: Maildir on disk, crash-safe, shared
//! by every session of the server process.
//!
//! Everything the server needs that is not protocol: users, mailboxes and
//! their hierarchy, messages with UIDs, flags and mod-sequences, FETCH data
//! (ENVELOPE, BODYSTRUCTURE, sections, BINARY), SEARCH, ACLs of a shared
//! namespace, and change notifications for IDLE and other sessions. The API
//! is synchronous and thread-safe; a tokio server calls it from its tasks
//! (each call is short: a few file operations at most).
//!
//! ```text
//! Store ──account(user)──> Account ──select(name)──> Selected (one per session)
//!   │                        │ list/create/delete/rename/status/append/acl
//!   │                        │                         │ fetch/store/search/expunge/copy/move
//!   └─ users, open mailboxes, byte cache               └─ poll_changes / subscribe (IDLE)
//! ```
//!
//! # On disk
//!
//! ```text
//! DATA_DIR/<user>/mailboxes          the user's mailbox list, subscriptions (registry)
//! DATA_DIR/<user>/<id>/{tmp,new,cur} one Maildir per mailbox, named by its MAILBOXID
//! DATA_DIR/<user>/<id>/journal       UIDVALIDITY, UIDs, flags, INTERNALDATE, MODSEQ
//! DATA_DIR/.shared/...               the same for the shared namespace, with ACLs
//! ```
//!
//! One directory per mailbox, named by a stable id rather than by the
//! mailbox name: names in any script are kept as UTF-8 in the registry
//! file, never squeezed into file names, and RENAME of a whole hierarchy is
//! one atomic write of that file. Messages are ordinary Maildir files
//! (written to `tmp/`, renamed to `cur/`); flags live in the journal, not in
//! the file names (`:2,` is left empty), because keywords and
//! mod-sequences do not fit there. A program that delivers into `new/`
//! following Maildir rules is picked up the next time the mailbox is
//! loaded.
//!
//! # Crash safety
//!
//! Every acknowledged change is on disk before the call returns: message
//! files are `fsync`ed and renamed into place and the directory `fsync`ed;
//! journal lines are `fdatasync`ed; the registry is replaced by write,
//! `fsync`, `rename`, `fsync` of the directory. State that a crash left
//! half-done (an unacknowledged APPEND's file, a deleted mailbox's
//! directory) is removed when it is next loaded.
//!
//! # Names and namespaces (RFC 2342, RFC 9051 §5.1)
//!
//! The hierarchy delimiter is `/`. The personal namespace is `""`;
//! `Shared/` holds the shared mailboxes, which every user can create at the
//! top level (the creator gets all rights) and which the ACL (RFC 4314)
//! shows to others. Flags in a shared mailbox are shared by all its users,
//! `\Seen` included: a flag one user sets, the other sees (and is told
//! about, in IDLE). Personal mailboxes belong to their user alone; their
//! ACL cannot be changed. The store speaks UTF-8 names; [`name_from_wire`]
//! and [`name_to_wire`] convert at the protocol edge.

mod account;
mod acl;
mod cache;
mod date;
mod error;
mod flags;
mod fsutil;
mod journal;
mod list;
mod mailbox;
mod message;
mod name;
mod registry;
mod search;
mod section;
mod selected;
mod special_use;
mod users;

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;

pub use crate::store::account::{Account, AppendUid, CopyUid, MailboxStatus};
pub use crate::store::acl::{AclChange, Rights, ALL_RIGHTS, ANYONE};
pub use crate::store::date::datetime_from_unix;
pub use crate::store::error::{Result, StoreError};
pub use crate::store::flags::{system_flags, FlagSet};
pub use crate::store::list::{ListEntry, ListQuery};
pub use crate::store::mailbox::{Change, CHANNEL_CAPACITY, MAX_KEYWORDS};
pub use crate::store::message::MessageMeta;
pub use crate::store::name::{
    name_from_wire, name_to_wire, normalize_name, pattern_from_wire, pattern_matches, DELIMITER,
    MAX_NAME_LEN, SHARED_ROOT, WIRE_DELIMITER,
};
pub use crate::store::section::partial;
pub use crate::store::selected::{
    set_ranges, MessageRef, SearchResult, SelectInfo, Selected, StoreOutcome, StoredFlags, Update,
};
pub use crate::store::special_use::SpecialUse;
pub use crate::store::users::{Users, UsersError};

use crate::store::mailbox::MailboxHandle;
use crate::store::registry::{Registry, RegistryState};

/// Limits of the store.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StoreConfig {
    /// Bytes of message files kept in memory (default 64 MiB).
    pub cache_bytes: usize,
    /// The largest message APPEND accepts (default 64 MiB); the server
    /// announces it as APPENDLIMIT (RFC 7889).
    pub max_message_size: u64,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            cache_bytes: 64 << 20,
            max_message_size: 64 << 20,
        }
    }
}

/// The store: cheap to clone, shared by all sessions.
#[derive(Debug, Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    root: PathBuf,
    users: Users,
    config: StoreConfig,
    personal: Mutex<HashMap<String, Arc<Namespace>>>,
    shared: Arc<Namespace>,
    open: Mutex<HashMap<PathBuf, Arc<MailboxHandle>>>,
    cache: Mutex<cache::ByteCache>,
}

/// A namespace's registry and its state.
#[derive(Debug)]
pub(crate) struct Namespace {
    pub(crate) reg: Registry,
    state: Mutex<RegistryState>,
    /// `None` for the shared namespace.
    pub(crate) owner: Option<String>,
}

impl Namespace {
    fn open(dir: &Path, owner: Option<String>) -> Result<(Self, bool)> {
        let (reg, state, created) = Registry::open(dir)?;
        let ns = Self {
            reg,
            state: Mutex::new(state),
            owner,
        };
        ns.remove_orphans()?;
        Ok((ns, created))
    }

    /// The registry state, locked (a poisoned lock is taken over: the file
    /// is written before memory changes).
    pub(crate) fn lock(&self) -> MutexGuard<'_, RegistryState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Removes mailbox directories the registry does not name: left by a
    /// crash during CREATE (before the registry named them) or DELETE
    /// (after it stopped naming them).
    fn remove_orphans(&self) -> Result<()> {
        let st = self.lock();
        let known: std::collections::HashSet<&str> = st
            .mailboxes
            .values()
            .filter_map(|e| e.id.as_deref())
            .collect();
        let rd = fs::read_dir(&self.reg.dir).map_err(|e| StoreError::io(&self.reg.dir, e))?;
        for e in rd.flatten() {
            let name = e.file_name();
            let Some(name) = name.to_str() else { continue };
            let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false);
            if is_dir && name.starts_with('M') && !known.contains(name) {
                fs::remove_dir_all(e.path()).map_err(|err| StoreError::io(&e.path(), err))?;
            }
        }
        Ok(())
    }
}

impl Store {
    /// Opens (or starts) the store in `root` for `users`.
    pub fn open(root: impl AsRef<Path>, users: Users) -> Result<Self> {
        Self::with_config(root, users, StoreConfig::default())
    }

    /// Like [`Store::open`], with limits.
    pub fn with_config(root: impl AsRef<Path>, users: Users, config: StoreConfig) -> Result<Self> {
        let root = root.as_ref().to_path_buf();
        fsutil::create_dir_durable(&root)?;
        let (shared, _) = Namespace::open(&root.join(".shared"), None)?;
        Ok(Self {
            inner: Arc::new(Inner {
                cache: Mutex::new(cache::ByteCache::new(config.cache_bytes)),
                root,
                users,
                config,
                personal: Mutex::new(HashMap::new()),
                shared: Arc::new(shared),
                open: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The users.
    pub fn users(&self) -> &Users {
        &self.inner.users
    }

    /// The limits.
    pub fn config(&self) -> &StoreConfig {
        &self.inner.config
    }

    /// The account of `user`, after authentication. On a user's first
    /// login this creates INBOX and the special-use mailboxes Sent, Drafts,
    /// Trash, Junk and Archive (RFC 6154), all subscribed.
    pub fn account(&self, user: &str) -> Result<Account> {
        if !self.inner.users.contains(user) {
            return Err(StoreError::UnknownUser);
        }
        let ns = {
            let mut personal = self
                .inner
                .personal
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            match personal.get(user) {
                Some(ns) => ns.clone(),
                None => {
                    let (ns, created) =
                        Namespace::open(&self.inner.root.join(user), Some(user.to_string()))?;
                    let ns = Arc::new(ns);
                    if created {
                        account::provision(&ns)?;
                    }
                    personal.insert(user.to_string(), ns.clone());
                    ns
                }
            }
        };
        Ok(Account::new(self.clone(), user.to_string(), ns))
    }

    pub(crate) fn shared(&self) -> &Arc<Namespace> {
        &self.inner.shared
    }

    /// The loaded mailbox in `dir` (loaded on first use).
    pub(crate) fn mailbox(&self, dir: &Path) -> Result<Arc<MailboxHandle>> {
        let mut open = self.inner.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(h) = open.get(dir) {
            return Ok(h.clone());
        }
        let h = Arc::new(MailboxHandle::load(dir)?);
        open.insert(dir.to_path_buf(), h.clone());
        Ok(h)
    }

    /// Forgets a deleted mailbox: tells its sessions, drops it from memory
    /// and removes its directory.
    pub(crate) fn drop_mailbox(&self, dir: &Path) {
        let h = self
            .inner
            .open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(dir);
        if let Some(h) = h {
            h.mark_deleted();
            let mut cache = self.inner.cache.lock().unwrap_or_else(|e| e.into_inner());
            for m in &h.lock().messages {
                cache.remove(&m.core.path);
            }
        }
        // The registry no longer names it: a failure here leaves an orphan
        // that the next start removes.
        let _ = fs::remove_dir_all(dir);
    }

    /// A message file's bytes, from the cache or read (and cached).
    pub(crate) fn read(&self, path: &Path) -> Result<Bytes> {
        if let Some(b) = self
            .inner
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(path)
        {
            return Ok(b);
        }
        let bytes = Bytes::from(fs::read(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => StoreError::Expunged,
            _ => StoreError::io(path, e),
        })?);
        self.inner
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path, bytes.clone());
        Ok(bytes)
    }
}
