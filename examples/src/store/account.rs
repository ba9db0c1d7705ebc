//! A logged-in user's view of the store: the mailbox operations of RFC 9051
//! §6.3 (CREATE, DELETE, RENAME, SUBSCRIBE, STATUS, APPEND, SELECT), the
//! NAMESPACE (RFC 2342) and the ACL commands (RFC 4314 §3).

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use imapkit_proto::{DateTime, Flag, IString, NamespaceDescr, Namespaces};

use crate::store::acl::{AclChange, Rights, ANYONE};
use crate::store::date::datetime_from_unix;
use crate::store::error::{Result, StoreError};
use crate::store::flags::{FlagKind, FlagSet};
use crate::store::fsutil;
use crate::store::mailbox::{MailboxHandle, Msg, NewMessage, Source};
use crate::store::message::MessageMeta;
use crate::store::name::{self, normalize_name, SHARED_ROOT};
use crate::store::registry::{Entry, RegistryState};
use crate::store::selected::Selected;
use crate::store::special_use::SpecialUse;
use crate::store::{Namespace, Store};

/// A user's handle on the store. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Account {
    store: Store,
    user: String,
    personal: Arc<Namespace>,
}

/// The answer to STATUS (RFC 9051 §6.3.11) with every item the store
/// knows; the server picks the ones asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxStatus {
    /// `MESSAGES`
    pub messages: u32,
    /// `UIDNEXT`
    pub uid_next: u32,
    /// `UIDVALIDITY`
    pub uid_validity: u32,
    /// `UNSEEN`: messages without `\Seen`.
    pub unseen: u32,
    /// `DELETED`: messages with `\Deleted`.
    pub deleted: u32,
    /// `SIZE`: total octets.
    pub size: u64,
    /// `HIGHESTMODSEQ`
    pub highest_modseq: u64,
    /// `RECENT`: messages no session has seen as recent yet.
    pub recent: u32,
    /// `MAILBOXID` (RFC 8474).
    pub mailbox_id: String,
}

/// The `APPENDUID` response code's data (RFC 4315 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendUid {
    /// The mailbox's UIDVALIDITY.
    pub uid_validity: u32,
    /// The new message's UID.
    pub uid: u32,
}

/// The `COPYUID` response code's data (RFC 4315 §3): source and
/// destination UIDs, in matching order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyUid {
    /// The destination's UIDVALIDITY.
    pub uid_validity: u32,
    /// UIDs in the source mailbox.
    pub source: Vec<u32>,
    /// UIDs in the destination.
    pub destination: Vec<u32>,
}

/// Where a name lives.
pub(crate) struct Loc {
    pub(crate) ns: Arc<Namespace>,
    /// The name within the namespace.
    pub(crate) key: String,
    pub(crate) shared: bool,
}

/// An opened mailbox with what the user may do in it.
pub(crate) struct Opened {
    pub(crate) handle: Arc<MailboxHandle>,
    pub(crate) rights: Rights,
    pub(crate) name: String,
}

impl Account {
    pub(crate) fn new(store: Store, user: String, personal: Arc<Namespace>) -> Self {
        Self {
            store,
            user,
            personal,
        }
    }

    /// The user name.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The NAMESPACE response (RFC 2342): personal `""` and shared
    /// `"Shared/"`, both with delimiter `/`; no other users' namespace.
    pub fn namespaces(&self) -> Namespaces<'static> {
        let descr = |prefix: &str| NamespaceDescr {
            prefix: IString::from(prefix).into_static_owned(),
            delimiter: Some(name::WIRE_DELIMITER),
            extensions: Vec::new(),
        };
        Namespaces {
            personal: vec![descr("")],
            other: Vec::new(),
            shared: vec![descr(&format!("{SHARED_ROOT}/"))],
        }
    }

    /// CREATE (RFC 9051 §6.3.3), with an optional special use (RFC 6154
    /// CREATE-SPECIAL-USE). Missing superior names are created too; a
    /// trailing delimiter is dropped. In the shared namespace a top-level
    /// mailbox can be created by anyone (who gets all rights on it), a
    /// child needs right `k` on its parent. A shared mailbox the user has
    /// no `l` on is answered as a missing one as far as that can be
    /// (RFC 4314 §6): the `k` check comes first, and only where the user
    /// may create does the name show as taken.
    pub fn create(&self, name: &str, special_use: Option<SpecialUse>) -> Result<()> {
        let name = normalize_name(name.strip_suffix(name::DELIMITER).unwrap_or(name))?;
        if name == SHARED_ROOT {
            return Err(StoreError::AlreadyExists);
        }
        let loc = self.locate(&name)?;
        self.update(&loc.ns, |st| {
            let exists = st.mailboxes.get(&loc.key).is_some_and(|e| e.id.is_some());
            if loc.shared {
                if exists && self.rights_in(&loc, st, &loc.key).has('l') {
                    return Err(StoreError::AlreadyExists);
                }
                self.require_create_below(st, &loc.key)?;
            }
            if exists {
                return Err(StoreError::AlreadyExists);
            }
            self.create_with_parents(&loc.ns, st, &loc.key, special_use)
        })
    }

    /// DELETE (RFC 9051 §6.3.4): INBOX cannot be deleted; a mailbox with
    /// children loses its messages and becomes `\Noselect`; deleting a
    /// `\Noselect` name that has children fails ([`StoreError::HasChildren`]).
    /// Subscriptions are kept (RFC 9051 §6.3.7).
    pub fn delete(&self, name: &str) -> Result<()> {
        let name = normalize_name(name)?;
        if name == "INBOX" {
            return Err(StoreError::Cannot {
                what: "delete INBOX",
            });
        }
        let loc = self.locate(&name)?;
        let mut dirs = Vec::new();
        self.update(&loc.ns, |st| {
            let rights = self.rights_in(&loc, st, &loc.key);
            let entry_id = match st.mailboxes.get(&loc.key) {
                None => return Err(StoreError::NoSuchMailbox),
                Some(e) => e.id.clone(),
            };
            if loc.shared && !rights.has('l') {
                return Err(StoreError::NoSuchMailbox);
            }
            rights.require('x')?;
            let has_children = st.has_children(&loc.key);
            if has_children && entry_id.is_none() {
                return Err(StoreError::HasChildren);
            }
            if let Some(id) = &entry_id {
                dirs.push(loc.ns.reg.mailbox_dir(id));
            }
            if has_children {
                if let Some(e) = st.mailboxes.get_mut(&loc.key) {
                    e.id = None;
                    e.special_use = None;
                }
            } else {
                st.mailboxes.remove(&loc.key);
                prune_placeholders(st, &loc.key);
            }
            Ok(())
        })?;
        for d in dirs {
            self.store.drop_mailbox(&d);
        }
        Ok(())
    }

    /// RENAME (RFC 9051 §6.3.6): the mailbox and all names below it get the
    /// new name, keeping UIDVALIDITY and messages; missing superior names
    /// of the new name are created. Renaming INBOX moves its messages to a
    /// new mailbox and leaves INBOX empty (its children are not renamed).
    /// Subscriptions follow the renamed names. Renaming between the
    /// personal and the shared namespace is refused. In the shared
    /// namespace the user needs `x` on the mailbox and on every inferior
    /// mailbox (each old name is deleted, RFC 4314 §4), else nothing
    /// moves, and `k` on the new parent.
    pub fn rename(&self, from: &str, to: &str) -> Result<()> {
        let from = normalize_name(from)?;
        let to = normalize_name(to.strip_suffix(name::DELIMITER).unwrap_or(to))?;
        if from == "INBOX" {
            return self.rename_inbox(&to);
        }
        if to == "INBOX" || to == SHARED_ROOT || from == to {
            return Err(StoreError::AlreadyExists);
        }
        let floc = self.locate(&from)?;
        let tloc = self.locate(&to)?;
        if floc.shared != tloc.shared {
            return Err(StoreError::Cannot {
                what: "rename between namespaces",
            });
        }
        if name::is_below(&tloc.key, &floc.key) {
            return Err(StoreError::Cannot {
                what: "rename a mailbox below itself",
            });
        }
        let mut moved_names = Vec::new();
        self.update(&floc.ns, |st| {
            let rights = self.rights_in(&floc, st, &floc.key);
            if !st.mailboxes.contains_key(&floc.key) || (floc.shared && !rights.has('l')) {
                return Err(StoreError::NoSuchMailbox);
            }
            rights.require('x')?;
            // The inferiors go too (RFC 9051 §6.3.6): `x` on each, visible
            // or not; the answer is the one for the mailbox itself, naming
            // none. (`\Noselect` names are no mailboxes: skipped.)
            for child in st.children(&floc.key) {
                if st.mailboxes.get(child).is_some_and(|e| e.id.is_some()) {
                    self.rights_in(&floc, st, child).require('x')?;
                }
            }
            if floc.shared {
                self.require_create_below(st, &tloc.key)?;
            }
            let mut moved = vec![floc.key.clone()];
            moved.extend(st.children(&floc.key).cloned());
            let renamed: Vec<(String, String)> = moved
                .into_iter()
                .map(|old| {
                    let new = format!("{}{}", tloc.key, &old[floc.key.len()..]);
                    (old, new)
                })
                .collect();
            for (_, new) in &renamed {
                if st.mailboxes.contains_key(new) {
                    return Err(StoreError::AlreadyExists);
                }
            }
            for (old, new) in &renamed {
                // Present: collected from the map above.
                if let Some(e) = st.mailboxes.remove(old) {
                    st.mailboxes.insert(new.clone(), e);
                }
            }
            prune_placeholders(st, &floc.key);
            if let Some(parent) = name::parent(&tloc.key) {
                let parent = parent.to_string();
                if !st.mailboxes.contains_key(&parent) {
                    self.create_with_parents(&floc.ns, st, &parent, None)?;
                }
            }
            let prefix = if floc.shared {
                format!("{SHARED_ROOT}/")
            } else {
                String::new()
            };
            moved_names = renamed
                .into_iter()
                .map(|(o, n)| (format!("{prefix}{o}"), format!("{prefix}{n}")))
                .collect();
            if !floc.shared {
                move_subscriptions(st, &moved_names);
            }
            Ok(())
        })?;
        if floc.shared {
            self.update(&self.personal, |st| {
                move_subscriptions(st, &moved_names);
                Ok(())
            })?;
        }
        Ok(())
    }

    fn rename_inbox(&self, to: &str) -> Result<()> {
        self.create(to, None)?;
        let inbox = self.open("INBOX")?;
        let dest = self.open(to)?;
        let msgs: Vec<Msg> = inbox.handle.lock().messages.clone();
        let uids: Vec<u32> = msgs.iter().map(|m| m.uid).collect();
        dest.handle
            .append(msgs.into_iter().map(copy_of).collect())?;
        let gone = inbox.handle.expunge(|m| uids.contains(&m.uid))?;
        let _ = gone;
        Ok(())
    }

    /// SUBSCRIBE (RFC 9051 §6.3.7); the name need not exist.
    pub fn subscribe(&self, name: &str) -> Result<()> {
        let name = normalize_name(name)?;
        self.update(&self.personal, |st| {
            st.subscriptions.insert(name.clone());
            Ok(())
        })
    }

    /// UNSUBSCRIBE (RFC 9051 §6.3.8); unsubscribing a name that is not
    /// subscribed is not an error.
    pub fn unsubscribe(&self, name: &str) -> Result<()> {
        let name = normalize_name(name)?;
        self.update(&self.personal, |st| {
            st.subscriptions.remove(&name);
            Ok(())
        })
    }

    /// The subscribed names.
    pub fn subscriptions(&self) -> Vec<String> {
        self.personal.lock().subscriptions.iter().cloned().collect()
    }

    /// STATUS (RFC 9051 §6.3.11); needs right `r`.
    pub fn status(&self, name: &str) -> Result<MailboxStatus> {
        let opened = self.open(name)?;
        opened.rights.require('r')?;
        let st = opened.handle.lock();
        let mut s = MailboxStatus {
            messages: st.messages.len() as u32,
            uid_next: st.uid_next,
            uid_validity: st.uid_validity,
            unseen: 0,
            deleted: 0,
            size: 0,
            highest_modseq: st.highest_modseq,
            recent: st
                .messages
                .iter()
                .filter(|m| m.uid >= st.recent_from)
                .count() as u32,
            mailbox_id: st.mailbox_id.clone(),
        };
        for m in &st.messages {
            s.unseen += u32::from(!m.flags.seen());
            s.deleted += u32::from(m.flags.deleted());
            s.size += m.core.size;
        }
        Ok(s)
    }

    /// Whether a message of `size` bytes may be appended to `name`, before
    /// it is sent: what [`append`](Self::append) would refuse for the
    /// mailbox and the size (a missing or hidden mailbox, no right `i`, a
    /// message above the size limit).
    pub fn check_append(&self, name: &str, size: u64) -> Result<()> {
        let limit = self.store.config().max_message_size;
        if size > limit {
            return Err(StoreError::TooBig { size, limit });
        }
        self.open_for_insert(name)?.rights.require('i')
    }

    /// APPEND (RFC 9051 §6.3.12): needs right `i`; flags the user may not
    /// set (rights `s`, `t`, `w`) are dropped; INTERNALDATE defaults to now
    /// (UTC). The message is parsed once here and the result kept.
    pub fn append(
        &self,
        name: &str,
        message: Bytes,
        flags: &[Flag<'_>],
        date: Option<DateTime>,
    ) -> Result<AppendUid> {
        let limit = self.store.config().max_message_size;
        if message.len() as u64 > limit {
            return Err(StoreError::TooBig {
                size: message.len() as u64,
                limit,
            });
        }
        let flags = FlagSet::from_flags(flags)?;
        let opened = self.open_for_insert(name)?;
        opened.rights.require('i')?;
        let flags = flags.restrict(&FlagSet::new(), may_change(opened.rights));
        let meta = Arc::new(MessageMeta::parse(&message));
        let date = date.unwrap_or_else(|| datetime_from_unix(fsutil::now_secs(), 0));
        let uids = opened.handle.append(vec![NewMessage {
            source: Source::Bytes(message),
            flags,
            internal_date: date,
            email_id: None,
            meta: Some(meta),
        }])?;
        let uid_validity = opened.handle.lock().uid_validity;
        Ok(AppendUid {
            uid_validity,
            // One message in, one UID out.
            uid: uids.first().copied().unwrap_or(0),
        })
    }

    /// SELECT (`read_only` false) or EXAMINE (true), RFC 9051 §6.3.2: needs
    /// right `r`; without any of `s`, `w`, `t`, `e`, `i` the mailbox is
    /// read-only anyway (RFC 4314 §5.2: READ-WRITE when any is held).
    pub fn select(&self, name: &str, read_only: bool) -> Result<Selected> {
        let opened = self.open(name)?;
        opened.rights.require('r')?;
        let writable = ['s', 'w', 't', 'e', 'i']
            .iter()
            .any(|&c| opened.rights.has(c));
        Ok(Selected::open(
            self.clone(),
            opened.handle,
            opened.name,
            read_only || !writable,
            opened.rights,
        ))
    }

    /// MYRIGHTS (RFC 4314 §3.5): all rights on personal mailboxes.
    pub fn my_rights(&self, name: &str) -> Result<Rights> {
        let name = normalize_name(name)?;
        let loc = self.locate(&name)?;
        let st = loc.ns.lock();
        if !st.mailboxes.contains_key(&loc.key) {
            return Err(StoreError::NoSuchMailbox);
        }
        let r = self.rights_in(&loc, &st, &loc.key);
        if !r.reveal_mailbox() {
            return Err(StoreError::NoSuchMailbox);
        }
        Ok(r)
    }

    /// GETACL (RFC 4314 §3.3): needs right `a`. A personal mailbox's ACL is
    /// its owner with all rights.
    pub fn acl(&self, name: &str) -> Result<Vec<(String, Rights)>> {
        let name = normalize_name(name)?;
        let loc = self.locate(&name)?;
        let st = loc.ns.lock();
        let entry = st
            .mailboxes
            .get(&loc.key)
            .ok_or(StoreError::NoSuchMailbox)?;
        let rights = self.rights_in(&loc, &st, &loc.key);
        if !rights.has('l') {
            return Err(StoreError::NoSuchMailbox);
        }
        rights.require('a')?;
        Ok(if loc.shared {
            entry.acl.clone()
        } else {
            vec![(self.user.clone(), Rights::ALL)]
        })
    }

    /// SETACL (RFC 4314 §3.1) on a shared mailbox: needs right `a`; the
    /// identifier is a user or `anyone`. Personal mailboxes' ACLs are fixed.
    pub fn set_acl(
        &self,
        name: &str,
        identifier: &str,
        change: AclChange,
        rights: Rights,
    ) -> Result<()> {
        let name = normalize_name(name)?;
        let loc = self.locate(&name)?;
        if !loc.shared {
            // A missing mailbox is said to be missing (RFC 5530
            // NONEXISTENT), an existing one's ACL is fixed.
            if !loc.ns.lock().mailboxes.contains_key(&loc.key) {
                return Err(StoreError::NoSuchMailbox);
            }
            return Err(StoreError::Cannot {
                what: "change the acl of a personal mailbox",
            });
        }
        if identifier != ANYONE && !self.store.users().contains(identifier) {
            return Err(StoreError::InvalidAcl {
                reason: "unknown identifier",
            });
        }
        self.update(&loc.ns, |st| {
            let mine = self.rights_in(&loc, st, &loc.key);
            let entry = st
                .mailboxes
                .get_mut(&loc.key)
                .ok_or(StoreError::NoSuchMailbox)?;
            if !mine.has('l') {
                return Err(StoreError::NoSuchMailbox);
            }
            mine.require('a')?;
            let pos = entry.acl.iter().position(|(who, _)| who == identifier);
            let old = pos.map_or(Rights::NONE, |i| entry.acl[i].1);
            let new = match change {
                AclChange::Replace => rights,
                AclChange::Add => old.union(rights),
                AclChange::Remove => old.minus(rights),
            };
            match (pos, new.is_empty()) {
                (Some(i), true) => {
                    entry.acl.remove(i);
                }
                (Some(i), false) => entry.acl[i].1 = new,
                (None, false) => entry.acl.push((identifier.to_string(), new)),
                (None, true) => {}
            }
            Ok(())
        })
    }

    /// DELETEACL (RFC 4314 §3.2).
    pub fn delete_acl(&self, name: &str, identifier: &str) -> Result<()> {
        self.set_acl(name, identifier, AclChange::Replace, Rights::NONE)
    }

    /// LISTRIGHTS (RFC 4314 §3.4): the rights always granted to
    /// `identifier` and those that can be granted, each on its own, as
    /// [`Account::set_acl`] sees them: a personal mailbox's ACL is fixed
    /// (its owner holds every right, nothing can be granted to anyone
    /// else); on a shared mailbox each right can be granted to a user or
    /// `anyone`, and an identifier SETACL refuses is refused here too.
    pub fn list_rights(&self, name: &str, identifier: &str) -> Result<(Rights, Vec<Rights>)> {
        let name = normalize_name(name)?;
        let loc = self.locate(&name)?;
        let st = loc.ns.lock();
        if !st.mailboxes.contains_key(&loc.key) {
            return Err(StoreError::NoSuchMailbox);
        }
        let mine = self.rights_in(&loc, &st, &loc.key);
        if !mine.has('l') {
            return Err(StoreError::NoSuchMailbox);
        }
        mine.require('a')?;
        if !loc.shared {
            let fixed = if identifier == self.user {
                Rights::ALL
            } else {
                Rights::NONE
            };
            return Ok((fixed, Vec::new()));
        }
        if identifier != ANYONE && !self.store.users().contains(identifier) {
            return Err(StoreError::InvalidAcl {
                reason: "unknown identifier",
            });
        }
        let optional = crate::store::acl::ALL_RIGHTS
            .chars()
            .filter_map(|c| Rights::parse(&c.to_string()).ok())
            .collect();
        Ok((Rights::NONE, optional))
    }

    /// Copies messages into `dest` (COPY, MOVE): needs right `i` there;
    /// flags the user may not set there are dropped.
    pub(crate) fn copy_into(&self, dest: &str, msgs: Vec<Msg>) -> Result<(u32, Vec<u32>)> {
        let opened = self.open_for_insert(dest)?;
        opened.rights.require('i')?;
        let may = may_change(opened.rights);
        let items = msgs
            .into_iter()
            .map(|m| {
                let mut n = copy_of(m);
                n.flags = n.flags.restrict(&FlagSet::new(), &may);
                n
            })
            .collect();
        let uids = opened.handle.append(items)?;
        let v = opened.handle.lock().uid_validity;
        Ok((v, uids))
    }

    /// The visible, selectable mailbox `name`.
    pub(crate) fn open(&self, name: &str) -> Result<Opened> {
        self.open_if(name, |r| r.has('l') || r.has('r'))
    }

    /// The selectable mailbox `name` to add messages to (APPEND, COPY,
    /// MOVE): right `i` is enough to reach it (RFC 4314 §4; a drop box
    /// the user cannot list or read).
    fn open_for_insert(&self, name: &str) -> Result<Opened> {
        self.open_if(name, |r| r.has('l') || r.has('r') || r.has('i'))
    }

    /// The selectable mailbox `name`, if the user's rights on it pass
    /// `visible` (else it is as missing, RFC 4314 §6).
    fn open_if(&self, name: &str, visible: impl Fn(Rights) -> bool) -> Result<Opened> {
        let name = normalize_name(name)?;
        let loc = self.locate(&name)?;
        let dir: PathBuf;
        let rights;
        {
            let st = loc.ns.lock();
            let entry = st
                .mailboxes
                .get(&loc.key)
                .ok_or(StoreError::NoSuchMailbox)?;
            rights = self.rights_in(&loc, &st, &loc.key);
            if !visible(rights) {
                return Err(StoreError::NoSuchMailbox);
            }
            let id = entry.id.as_ref().ok_or(StoreError::NoSelect)?;
            dir = loc.ns.reg.mailbox_dir(id);
        }
        Ok(Opened {
            handle: self.store.mailbox(&dir)?,
            rights,
            name,
        })
    }

    /// Where a (normalized) name lives.
    pub(crate) fn locate(&self, name: &str) -> Result<Loc> {
        if name == SHARED_ROOT {
            return Err(StoreError::NoSelect);
        }
        Ok(
            match name
                .strip_prefix(SHARED_ROOT)
                .and_then(|r| r.strip_prefix('/'))
            {
                Some(rest) => Loc {
                    ns: self.store.shared().clone(),
                    key: rest.to_string(),
                    shared: true,
                },
                None => Loc {
                    ns: self.personal.clone(),
                    key: name.to_string(),
                    shared: false,
                },
            },
        )
    }

    /// The user's rights on `key` in `loc`'s namespace.
    pub(crate) fn rights_in(&self, loc: &Loc, st: &RegistryState, key: &str) -> Rights {
        if !loc.shared {
            return if st.mailboxes.contains_key(key) {
                Rights::ALL
            } else {
                Rights::NONE
            };
        }
        shared_rights(st, key, &self.user)
    }

    /// Right `k` on the nearest existing superior of `key` (shared namespace;
    /// a top-level name may be created by anyone).
    fn require_create_below(&self, st: &RegistryState, key: &str) -> Result<()> {
        let mut p = name::parent(key);
        while let Some(parent) = p {
            if st.mailboxes.contains_key(parent) {
                return shared_rights(st, parent, &self.user).require('k');
            }
            p = name::parent(parent);
        }
        Ok(())
    }

    /// Creates `key` and any missing superior names as mailboxes.
    fn create_with_parents(
        &self,
        ns: &Namespace,
        st: &mut RegistryState,
        key: &str,
        special_use: Option<SpecialUse>,
    ) -> Result<()> {
        let mut at = 0;
        loop {
            let end = key[at..]
                .find(name::DELIMITER)
                .map_or(key.len(), |i| at + i);
            let level = &key[..end];
            let is_target = end == key.len();
            if st.mailboxes.get(level).is_none_or(|e| e.id.is_none()) {
                let creator = ns.owner.is_none().then_some(self.user.as_str());
                new_mailbox(
                    ns,
                    st,
                    level,
                    if is_target { special_use } else { None },
                    creator,
                )?;
            }
            if is_target {
                return Ok(());
            }
            at = end + 1;
        }
    }

    /// Applies `f` to a copy of the namespace's state, saves it, and only
    /// then makes it the state in memory.
    fn update<T>(
        &self,
        ns: &Namespace,
        f: impl FnOnce(&mut RegistryState) -> Result<T>,
    ) -> Result<T> {
        let mut st = ns.lock();
        let mut new = st.clone();
        let out = f(&mut new)?;
        if new != *st {
            ns.reg.save(&new)?;
            *st = new;
        }
        Ok(out)
    }

    /// The personal namespace (for LIST).
    pub(crate) fn personal(&self) -> &Arc<Namespace> {
        &self.personal
    }
}

/// A user's rights in the shared namespace: their entries and `anyone`'s.
pub(crate) fn shared_rights(st: &RegistryState, key: &str, user: &str) -> Rights {
    st.mailboxes.get(key).map_or(Rights::NONE, |e| {
        e.acl
            .iter()
            .filter(|(who, _)| who == user || who == ANYONE)
            .fold(Rights::NONE, |acc, (_, r)| acc.union(*r))
    })
}

/// Which flags a user with `rights` may change (RFC 4314 §4).
pub(crate) fn may_change(rights: Rights) -> impl Fn(FlagKind) -> bool {
    move |k| match k {
        FlagKind::Seen => rights.has('s'),
        FlagKind::Deleted => rights.has('t'),
        FlagKind::Other => rights.has('w'),
    }
}

fn copy_of(m: Msg) -> NewMessage {
    NewMessage {
        source: Source::File(m.core.path.clone()),
        flags: m.flags,
        internal_date: m.core.internal_date,
        email_id: Some(m.core.email_id.clone()),
        meta: m.core.meta.get().cloned(),
    }
}

fn new_mailbox(
    ns: &Namespace,
    st: &mut RegistryState,
    key: &str,
    special_use: Option<SpecialUse>,
    creator: Option<&str>,
) -> Result<()> {
    let id = st.take_id();
    let uid_validity = st.take_uid_validity();
    MailboxHandle::create(&ns.reg.mailbox_dir(&id), uid_validity, &id)?;
    // A shared mailbox starts with its nearest superior's ACL (RFC 4314
    // §4: SHOULD inherit), and its creator holds every right. A name that
    // was a `\Noselect` placeholder (a deleted mailbox with children) is a
    // new mailbox: the deleted one's ACL went with it (§4: DELETE MUST
    // delete the ACL).
    let acl = match creator {
        Some(user) => {
            let mut acl = superior_acl(st, key);
            match acl.iter_mut().find(|(w, _)| w == user) {
                Some((_, r)) => *r = Rights::ALL,
                None => acl.push((user.to_string(), Rights::ALL)),
            }
            acl
        }
        None => Vec::new(),
    };
    let entry = st.mailboxes.entry(key.to_string()).or_insert(Entry {
        id: None,
        special_use: None,
        acl: Vec::new(),
    });
    entry.id = Some(id);
    entry.acl = acl;
    if special_use.is_some() {
        entry.special_use = special_use;
    }
    Ok(())
}

/// The ACL of the nearest existing superior of `key` (empty for a
/// top-level name).
fn superior_acl(st: &RegistryState, key: &str) -> Vec<(String, Rights)> {
    let mut p = name::parent(key);
    while let Some(parent) = p {
        if let Some(e) = st.mailboxes.get(parent) {
            return e.acl.clone();
        }
        p = name::parent(parent);
    }
    Vec::new()
}

/// Removes `\Noselect` superiors of `key` that no longer have children.
fn prune_placeholders(st: &mut RegistryState, key: &str) {
    let mut p = name::parent(key).map(str::to_string);
    while let Some(parent) = p {
        let placeholder = st.mailboxes.get(&parent).is_some_and(|e| e.id.is_none());
        if !placeholder || st.has_children(&parent) {
            return;
        }
        st.mailboxes.remove(&parent);
        p = name::parent(&parent).map(str::to_string);
    }
}

fn move_subscriptions(st: &mut RegistryState, renamed: &[(String, String)]) {
    for (old, new) in renamed {
        if st.subscriptions.remove(old) {
            st.subscriptions.insert(new.clone());
        }
    }
}

/// Creates INBOX and the special-use mailboxes of a new account.
pub(crate) fn provision(ns: &Namespace) -> Result<()> {
    let mut st = ns.lock();
    let mut new = st.clone();
    new_mailbox(ns, &mut new, "INBOX", None, None)?;
    new.subscriptions.insert("INBOX".into());
    for (name, special) in SpecialUse::DEFAULTS {
        new_mailbox(ns, &mut new, name, Some(special), None)?;
        new.subscriptions.insert(name.into());
    }
    ns.reg.save(&new)?;
    *st = new;
    Ok(())
}

trait IntoStaticOwned {
    fn into_static_owned(self) -> IString<'static>;
}

impl IntoStaticOwned for IString<'_> {
    fn into_static_owned(self) -> IString<'static> {
        imapkit_proto::IntoStatic::into_static(self)
    }
}
