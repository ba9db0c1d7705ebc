//! LIST (RFC 9051 §6.3.9) with the LIST-EXTENDED selection and return
//! options the demo server offers (RFC 5258 SUBSCRIBED, RECURSIVEMATCH,
//! CHILDREN; RFC 6154 SPECIAL-USE).

use std::collections::BTreeMap;

use imapkit_proto::{ListReturnOption, ListSelectOption, MailboxAttribute};

use crate::store::account::{shared_rights, Account};
use crate::store::error::Result;
use crate::store::name::{self, pattern_matches, SHARED_ROOT};
use crate::store::special_use::SpecialUse;

/// What a LIST asks for: a reference and patterns (UTF-8, see
/// [`crate::store::pattern_from_wire`]) and the options that change the
/// answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// The reference name (often `""`).
    pub reference: String,
    /// The mailbox patterns, `*` and `%` wildcards (RFC 9051 §6.3.9).
    pub patterns: Vec<String>,
    /// Selection option `SUBSCRIBED` (also what LSUB lists).
    pub select_subscribed: bool,
    /// Selection option `SPECIAL-USE` (RFC 6154 §5.2).
    pub select_special_use: bool,
    /// Selection option `RECURSIVEMATCH` (with `SUBSCRIBED`).
    pub recursive_match: bool,
    /// Return option `SUBSCRIBED`: mark subscribed names.
    pub return_subscribed: bool,
}

impl ListQuery {
    /// `LIST reference pattern` without options.
    pub fn new(reference: &str, pattern: &str) -> Self {
        Self {
            reference: reference.to_string(),
            patterns: vec![pattern.to_string()],
            ..Default::default()
        }
    }

    /// Sets the options a LIST-EXTENDED command carried. `\HasChildren` /
    /// `\HasNoChildren` and special-use attributes are always returned
    /// (RFC 9051 §7.3.1, RFC 6154 §2 allow this); STATUS is the server's
    /// to add (with [`Account::status`]).
    #[must_use]
    pub fn with_options(
        mut self,
        select: &[ListSelectOption<'_>],
        ret: &[ListReturnOption<'_>],
    ) -> Self {
        for o in select {
            match o {
                ListSelectOption::Subscribed => self.select_subscribed = true,
                ListSelectOption::SpecialUse => self.select_special_use = true,
                ListSelectOption::RecursiveMatch => self.recursive_match = true,
                _ => {}
            }
        }
        for o in ret {
            if let ListReturnOption::Subscribed = o {
                self.return_subscribed = true;
            }
        }
        self
    }
}

/// One LIST response: the UTF-8 name (see [`crate::store::name_to_wire`])
/// and its attributes; the delimiter is always [`crate::store::DELIMITER`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    /// The mailbox name; `""` for the answer to `LIST "" ""`.
    pub name: String,
    /// `\Noselect`, `\NonExistent`, `\HasChildren`, special use, `\Subscribed`, ...
    pub attributes: Vec<MailboxAttribute<'static>>,
    /// Send `CHILDINFO ("SUBSCRIBED")` (RFC 5258 §3.5): not itself
    /// selected, but a subscribed name below it is.
    pub child_info_subscribed: bool,
}

/// What LIST knows of a visible name.
#[derive(Debug, Clone, Copy)]
struct Info {
    selectable: bool,
    has_children: bool,
    special_use: Option<SpecialUse>,
}

impl Account {
    /// LIST: the mailboxes the user can see whose names match a pattern
    /// (INBOX first, then by name). `LIST "" ""` gives one entry with the
    /// empty name and `\Noselect` (the delimiter query).
    pub fn list(&self, q: &ListQuery) -> Result<Vec<ListEntry>> {
        if q.patterns.iter().all(String::is_empty) {
            return Ok(vec![ListEntry {
                name: String::new(),
                attributes: vec![MailboxAttribute::NoSelect],
                child_info_subscribed: false,
            }]);
        }
        let patterns: Vec<String> = q
            .patterns
            .iter()
            .map(|p| format!("{}{}", q.reference, p))
            .collect();
        let matches = |n: &str| patterns.iter().any(|p| pattern_matches(p, n));
        let visible = self.visible();
        let subscribed = self.subscriptions();
        let is_subscribed = |n: &str| subscribed.iter().any(|s| s == n);
        let mut out: Vec<ListEntry> = Vec::new();
        let attrs = |n: &str, info: Option<&Info>| {
            let mut a = Vec::new();
            match info {
                None => a.push(MailboxAttribute::NonExistent),
                Some(i) => {
                    if !i.selectable {
                        a.push(MailboxAttribute::NoSelect);
                    }
                    a.push(if i.has_children {
                        MailboxAttribute::HasChildren
                    } else {
                        MailboxAttribute::HasNoChildren
                    });
                    if let Some(u) = i.special_use {
                        a.push(u.attribute());
                    }
                }
            }
            if (q.return_subscribed || q.select_subscribed) && is_subscribed(n) {
                a.push(MailboxAttribute::Subscribed);
            }
            a
        };
        if q.select_subscribed {
            for s in &subscribed {
                if matches(s) {
                    out.push(ListEntry {
                        name: s.clone(),
                        attributes: attrs(s, visible.get(s)),
                        child_info_subscribed: false,
                    });
                }
            }
            if q.recursive_match {
                let mut parents: BTreeMap<String, ()> = BTreeMap::new();
                for s in &subscribed {
                    let mut p = name::parent(s);
                    while let Some(parent) = p {
                        parents.insert(parent.to_string(), ());
                        p = name::parent(parent);
                    }
                }
                for p in parents.keys() {
                    if matches(p) && !is_subscribed(p) {
                        out.push(ListEntry {
                            name: p.clone(),
                            attributes: attrs(p, visible.get(p)),
                            child_info_subscribed: true,
                        });
                    }
                }
            }
        } else {
            for (n, info) in &visible {
                if matches(n) {
                    out.push(ListEntry {
                        name: n.clone(),
                        attributes: attrs(n, Some(info)),
                        child_info_subscribed: false,
                    });
                }
            }
        }
        if q.select_special_use {
            out.retain(|e| {
                visible
                    .get(&e.name)
                    .is_some_and(|i| i.special_use.is_some())
            });
        }
        out.sort_by(|a, b| (a.name != "INBOX", &a.name).cmp(&(b.name != "INBOX", &b.name)));
        out.dedup_by(|a, b| a.name == b.name);
        Ok(out)
    }

    /// Every name the user can see, with what LIST says about it.
    fn visible(&self) -> BTreeMap<String, Info> {
        let mut out = BTreeMap::new();
        {
            let st = self.personal().lock();
            for (n, e) in &st.mailboxes {
                out.insert(
                    n.clone(),
                    Info {
                        selectable: e.id.is_some(),
                        has_children: st.has_children(n),
                        special_use: e.special_use,
                    },
                );
            }
        }
        let shared = self.store().shared().clone();
        let st = shared.lock();
        let seen: Vec<&String> = st
            .mailboxes
            .keys()
            .filter(|k| shared_rights(&st, k, self.user()).has('l'))
            .collect();
        // Visible: names with right l, and superiors of those (as \Noselect
        // if the user may not see them).
        let mut names: BTreeMap<String, bool> = BTreeMap::new();
        for k in &seen {
            names.insert((*k).clone(), true);
            let mut p = name::parent(k);
            while let Some(parent) = p {
                names.entry(parent.to_string()).or_insert(false);
                p = name::parent(parent);
            }
        }
        if !names.is_empty() {
            out.insert(
                SHARED_ROOT.to_string(),
                Info {
                    selectable: false,
                    has_children: true,
                    special_use: None,
                },
            );
        }
        for (k, allowed) in &names {
            let e = st.mailboxes.get(k);
            let prefix = format!("{k}/");
            let has_children = names
                .range(prefix.clone()..)
                .next()
                .is_some_and(|(c, _)| c.starts_with(&prefix));
            out.insert(
                format!("{SHARED_ROOT}/{k}"),
                Info {
                    selectable: *allowed && e.is_some_and(|e| e.id.is_some()),
                    has_children,
                    special_use: e.and_then(|e| e.special_use),
                },
            );
        }
        out
    }
}
