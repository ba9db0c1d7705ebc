//! The mailbox list of one namespace (a user's personal mailboxes, or the
//! shared ones): names, the directory id behind each, special use, ACLs,
//! subscriptions and the UIDVALIDITY counter, in one small state file
//! replaced atomically on every change.
//!
//! Renaming a whole hierarchy is one atomic write of this file (directories
//! are named by id, not by name), so a crash never leaves half a RENAME.
//!
//! ```text
//! N <next-uidvalidity> <next-id>
//! M <id or -> <special-use or -> <name>      "-" id: a \Noselect name kept for its children
//! A <identifier> <rights>                   an ACL entry of the M line above
//! U <name>                                  a subscription
//! ```
//!
//! Every line ends with a checksum as in the journal.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use crate::store::acl::Rights;
use crate::store::error::{Result, StoreError};
use crate::store::fsutil;
use crate::store::journal::{check_line, push_line};
use crate::store::special_use::SpecialUse;

/// A mailbox in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// The directory id; `None` for a `\Noselect` name.
    pub(crate) id: Option<String>,
    /// RFC 6154 use.
    pub(crate) special_use: Option<SpecialUse>,
    /// ACL entries (shared namespace).
    pub(crate) acl: Vec<(String, Rights)>,
}

/// The contents of the state file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RegistryState {
    /// The next UIDVALIDITY to hand out.
    pub(crate) next_uid_validity: u32,
    /// The next directory number.
    pub(crate) next_id: u64,
    /// Mailboxes by name (relative to the namespace).
    pub(crate) mailboxes: BTreeMap<String, Entry>,
    /// Subscribed names (full names, any namespace).
    pub(crate) subscriptions: BTreeSet<String>,
}

impl RegistryState {
    /// A fresh UIDVALIDITY: never handed out before in this namespace, and
    /// at least the current time in seconds (so that losing the file does
    /// not repeat old values).
    pub(crate) fn take_uid_validity(&mut self) -> u32 {
        let now = u32::try_from(fsutil::now_secs()).unwrap_or(u32::MAX - 1);
        let v = self.next_uid_validity.max(now).max(1);
        self.next_uid_validity = v.wrapping_add(1).max(1);
        v
    }

    /// A fresh directory id, which also serves as MAILBOXID (RFC 8474:
    /// letters and digits).
    pub(crate) fn take_id(&mut self) -> String {
        self.next_id += 1;
        format!("M{:x}x{}", fsutil::now_secs(), self.next_id)
    }

    /// Whether `name` has children.
    pub(crate) fn has_children(&self, name: &str) -> bool {
        self.children(name).next().is_some()
    }

    /// The names below `name`, in order.
    pub(crate) fn children<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s String> + 's {
        let prefix = format!("{name}/");
        self.mailboxes
            .range(prefix.clone()..)
            .take_while(move |(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k)
    }
}

/// A namespace's state file and its directory.
#[derive(Debug)]
pub(crate) struct Registry {
    /// The directory holding the state file and the mailbox directories.
    pub(crate) dir: PathBuf,
    path: PathBuf,
}

impl Registry {
    /// The registry in `dir` and its state; a missing file is an empty state
    /// and `created` is true.
    pub(crate) fn open(dir: &Path) -> Result<(Self, RegistryState, bool)> {
        let path = dir.join("mailboxes");
        let reg = Self {
            dir: dir.to_path_buf(),
            path: path.clone(),
        };
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                fsutil::create_dir_durable(dir)?;
                return Ok((reg, RegistryState::default(), true));
            }
            Err(e) => return Err(StoreError::io(&path, e)),
        };
        let state = parse(&path, &bytes)?;
        Ok((reg, state, false))
    }

    /// Writes `state` atomically.
    pub(crate) fn save(&self, state: &RegistryState) -> Result<()> {
        fsutil::write_atomic(&self.path, encode(state).as_bytes())
    }

    /// The directory of mailbox `id`.
    pub(crate) fn mailbox_dir(&self, id: &str) -> PathBuf {
        self.dir.join(id)
    }
}

fn encode(s: &RegistryState) -> String {
    let mut out = String::new();
    push_line(
        &mut out,
        &format!("N {} {}", s.next_uid_validity, s.next_id),
    );
    for (name, e) in &s.mailboxes {
        push_line(
            &mut out,
            &format!(
                "M {} {} {}",
                e.id.as_deref().unwrap_or("-"),
                e.special_use.map_or("-", SpecialUse::as_str),
                name
            ),
        );
        for (who, rights) in &e.acl {
            push_line(&mut out, &format!("A {who} {rights}"));
        }
    }
    for name in &s.subscriptions {
        push_line(&mut out, &format!("U {name}"));
    }
    out
}

fn parse(path: &Path, bytes: &[u8]) -> Result<RegistryState> {
    let mut s = RegistryState::default();
    let mut last: Option<String> = None;
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let bad = || StoreError::Corrupt {
            path: path.to_path_buf(),
            line: i + 1,
        };
        let body = check_line(line).ok_or_else(bad)?;
        let (kind, rest) = body.split_once(' ').ok_or_else(bad)?;
        match kind {
            "N" => {
                let (a, b) = rest.split_once(' ').ok_or_else(bad)?;
                s.next_uid_validity = a.parse().map_err(|_| bad())?;
                s.next_id = b.parse().map_err(|_| bad())?;
            }
            "M" => {
                let mut f = rest.splitn(3, ' ');
                let (Some(id), Some(special), Some(name)) = (f.next(), f.next(), f.next()) else {
                    return Err(bad());
                };
                let special_use = match special {
                    "-" => None,
                    s => Some(SpecialUse::from_str(s).ok_or_else(bad)?),
                };
                s.mailboxes.insert(
                    name.to_string(),
                    Entry {
                        id: (id != "-").then(|| id.to_string()),
                        special_use,
                        acl: Vec::new(),
                    },
                );
                last = Some(name.to_string());
            }
            "A" => {
                let (who, rights) = rest.split_once(' ').unwrap_or((rest, ""));
                let rights = Rights::parse(rights).map_err(|_| bad())?;
                let entry = last
                    .as_ref()
                    .and_then(|n| s.mailboxes.get_mut(n))
                    .ok_or_else(bad)?;
                entry.acl.push((who.to_string(), rights));
            }
            "U" => {
                s.subscriptions.insert(rest.to_string());
            }
            _ => return Err(bad()),
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trip() {
        let mut s = RegistryState {
            next_uid_validity: 1_700_000_000,
            next_id: 3,
            ..Default::default()
        };
        s.mailboxes.insert(
            "日本語 メモ".into(),
            Entry {
                id: Some("M1x1".into()),
                special_use: Some(SpecialUse::Archive),
                acl: vec![("bob".into(), Rights::parse("lrs").unwrap())],
            },
        );
        s.mailboxes.insert(
            "a".into(),
            Entry {
                id: None,
                special_use: None,
                acl: vec![],
            },
        );
        s.subscriptions.insert("Shared/Team Room".into());
        let text = encode(&s);
        assert_eq!(parse(Path::new("x"), text.as_bytes()).unwrap(), s);
        let mut bad = text.into_bytes();
        bad[3] = b'9';
        assert!(matches!(
            parse(Path::new("x"), &bad),
            Err(StoreError::Corrupt { line: 1, .. })
        ));
    }

    #[test]
    fn uid_validity_is_fresh_and_increasing() {
        let mut s = RegistryState::default();
        let a = s.take_uid_validity();
        let b = s.take_uid_validity();
        assert!(b > a && a > 1_600_000_000);
    }
}
