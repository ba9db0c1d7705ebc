//! Message numbers of commands that wait to be sent, kept meaning the
//! messages the application named when an EXPUNGE (or VANISHED) arrives
//! before they go out (RFC 9051 §2.3.1.2: the numbers after an expunged
//! message move down by one; §7.5.1).
//!
//! The application computed a waiting command's numbers from the mailbox
//! as it was; sent unchanged they would name other messages (a `STORE 3
//! +FLAGS (\Deleted)` would delete the neighbour). Each number is moved
//! as the server's numbering moved; a message that is gone is dropped
//! from a set that names others, and a command left naming nothing of
//! what it named is not sent ([`UsageError::Expunged`]).
//!
//! [`UsageError::Expunged`]: crate::error::UsageError::Expunged

use imapkit_proto::{CommandBody, SearchKey, SeqOrUid, Sequence, SequenceSet, Vec1};

/// Moves the message numbers of `body` (a command not sent yet) as the
/// expunge of message `gone` moves the mailbox's; `false` when a set of
/// them named only `gone` (the command can no longer mean what it did).
pub(super) fn after_expunge(body: &mut CommandBody<'_>, gone: u32) -> bool {
    match body {
        CommandBody::Fetch {
            uid: false,
            sequence_set,
            ..
        }
        | CommandBody::Store {
            uid: false,
            sequence_set,
            ..
        }
        | CommandBody::Copy {
            uid: false,
            sequence_set,
            ..
        }
        | CommandBody::Move {
            uid: false,
            sequence_set,
            ..
        } => set_after_expunge(sequence_set, gone),
        CommandBody::Search { criteria, .. } => keys_after_expunge(criteria, gone),
        CommandBody::Sort { search, .. } | CommandBody::Thread { search, .. } => {
            keys_after_expunge(search, gone)
        }
        _ => true,
    }
}

fn keys_after_expunge(keys: &mut Vec1<SearchKey<'_>>, gone: u32) -> bool {
    keys.as_mut_slice()
        .iter_mut()
        .all(|k| key_after_expunge(k, gone))
}

fn key_after_expunge(key: &mut SearchKey<'_>, gone: u32) -> bool {
    match key {
        SearchKey::SequenceSet(set) => set_after_expunge(set, gone),
        SearchKey::Not(k) => key_after_expunge(k, gone),
        SearchKey::Or(a, b) => key_after_expunge(a, gone) && key_after_expunge(b, gone),
        SearchKey::And(keys) => keys_after_expunge(keys, gone),
        _ => true,
    }
}

/// Moves the numbers of `set` past the expunge of message `gone`;
/// `false` when the set named `gone` alone. `*` stays `*` (the last
/// message when the server runs the command); `$` stays.
pub(super) fn set_after_expunge(set: &mut SequenceSet, gone: u32) -> bool {
    let SequenceSet::Set(items) = set else {
        return true;
    };
    let moved = |n: u32| if n > gone { n - 1 } else { n };
    let value = |n: u32| SeqOrUid::new(n);
    let mut out: Vec<Sequence> = Vec::with_capacity(items.len());
    for item in items.as_slice() {
        let next = match *item {
            Sequence::Single(SeqOrUid::Value(n)) if n.get() == gone => None,
            Sequence::Single(SeqOrUid::Value(n)) => value(moved(n.get())).map(Sequence::Single),
            Sequence::Single(SeqOrUid::Asterisk) => Some(*item),
            Sequence::Range(a, b) => match (a, b) {
                (SeqOrUid::Value(a), SeqOrUid::Value(b)) => {
                    let (lo, hi) = (a.get().min(b.get()), a.get().max(b.get()));
                    if lo == gone && hi == gone {
                        None
                    } else if (lo..=hi).contains(&gone) {
                        // The range loses `gone`; the rest move into it.
                        range(lo, hi - 1)
                    } else {
                        range(moved(lo), moved(hi))
                    }
                }
                // `n:*`: the messages from n on, the last when sent; an
                // `n` above `gone` moves down with its message.
                (SeqOrUid::Value(n), SeqOrUid::Asterisk)
                | (SeqOrUid::Asterisk, SeqOrUid::Value(n)) => {
                    value(moved(n.get())).map(|v| Sequence::Range(v, SeqOrUid::Asterisk))
                }
                (SeqOrUid::Asterisk, SeqOrUid::Asterisk) => Some(*item),
            },
        };
        out.extend(next);
    }
    match Vec1::try_from(out) {
        Ok(items) => {
            *set = SequenceSet::Set(items);
            true
        }
        Err(_) => false,
    }
}

/// `lo:hi` (`lo` alone when they meet).
fn range(lo: u32, hi: u32) -> Option<Sequence> {
    let (a, b) = (SeqOrUid::new(lo)?, SeqOrUid::new(hi)?);
    Some(if lo == hi {
        Sequence::Single(a)
    } else {
        Sequence::Range(a, b)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(set: &str, gone: u32) -> Option<String> {
        let mut s = SequenceSet::try_from(set).unwrap();
        set_after_expunge(&mut s, gone).then(|| s.to_string())
    }

    #[test]
    fn numbers_move_as_the_mailbox_does() {
        assert_eq!(after("3", 2).as_deref(), Some("2"));
        assert_eq!(after("1", 2).as_deref(), Some("1"));
        assert_eq!(after("2", 2), None);
        assert_eq!(after("2:4", 3).as_deref(), Some("2:3"));
        assert_eq!(after("2:4", 1).as_deref(), Some("1:3"));
        assert_eq!(after("3:3", 3), None);
        assert_eq!(after("3:4", 3).as_deref(), Some("3"));
        assert_eq!(after("4,2", 2).as_deref(), Some("3"));
        assert_eq!(after("3:*", 2).as_deref(), Some("2:*"));
        assert_eq!(after("3:*", 3).as_deref(), Some("3:*"));
        assert_eq!(after("3:*", 5).as_deref(), Some("3:*"));
        assert_eq!(after("*", 5).as_deref(), Some("*"));
        assert_eq!(after("$", 1).as_deref(), Some("$"));
    }

    /// Against the definition: the messages a set names before the
    /// expunge, less `gone`, are those the moved set names after it.
    #[test]
    fn the_moved_set_names_the_same_messages() {
        for set in [
            "1", "2:5", "5:2", "1,3,5", "2:3,5:6", "4:*", "1:*", "*", "6:4,1",
        ] {
            for gone in 1..=6u32 {
                let count = 6;
                let s = SequenceSet::try_from(set).unwrap();
                // Messages by identity: before, message k is "k".
                let before: Vec<u32> = (1..=count).filter(|&k| s.contains(k, count)).collect();
                let meant: Vec<u32> = before.into_iter().filter(|&k| k != gone).collect();
                let mut moved = s.clone();
                if !set_after_expunge(&mut moved, gone) {
                    assert!(meant.is_empty(), "{set} - {gone}");
                    continue;
                }
                // After: message k (k > gone) is number k - 1.
                let after: Vec<u32> = (1..count)
                    .filter(|&k| moved.contains(k, count - 1))
                    .map(|k| if k >= gone { k + 1 } else { k })
                    .collect();
                // `*` is the last message when the command runs: a set
                // that named the last one names the new last one.
                let star_moved = set.contains('*') && gone == count;
                if !star_moved {
                    assert_eq!(after, meant, "{set} - {gone} -> {moved}");
                }
            }
        }
    }
}
