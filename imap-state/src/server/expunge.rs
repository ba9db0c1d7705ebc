//! The EXPUNGE rules (RFC 9051 §7.5.1, RFC 7162 §3.2.10): an EXPUNGE (or
//! VANISHED without EARLIER) is never sent when no command is in progress,
//! nor while a FETCH, STORE or SEARCH (or SORT, THREAD, or a UID SEARCH
//! with message numbers) is in progress. The session holds such responses
//! here, with everything queued behind them, until they may go out.
//!
//! Order is kept: data pushed behind a held EXPUNGE waits behind it (an
//! EXISTS computed after the expunge must not reach the client before it),
//! and a command whose data is held has its completion held too, so that a
//! tagged completion always follows its untagged data. Only the data of the
//! sequence-number commands in progress goes past the queue: it describes
//! the mailbox as the client still sees it.

use std::collections::VecDeque;

use imapkit_proto::{Data, StatusResponse};

use super::decision::RequestId;

/// A response waiting for the EXPUNGE rules.
#[derive(Debug)]
pub(crate) enum Held {
    /// Untagged data of a command (`Some`) or unsolicited (`None`).
    Data {
        owner: Option<RequestId>,
        data: Data<'static>,
    },
    /// An untagged status response of a command (`* OK [UIDNEXT 4]`),
    /// behind held data.
    Status {
        owner: RequestId,
        response: StatusResponse<'static>,
    },
    /// The completion of a command whose data is held.
    Done {
        owner: RequestId,
        response: StatusResponse<'static>,
    },
}

impl Held {
    /// Whether this is an EXPUNGE-like response (the one the rules are about).
    pub(crate) fn is_expunge(&self) -> bool {
        matches!(self, Self::Data { data, .. } if is_expunge(data))
    }
}

/// Responses held back, in output order.
#[derive(Debug, Default)]
pub(crate) struct HeldQueue {
    items: VecDeque<Held>,
}

impl HeldQueue {
    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// How many responses are held.
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    pub(crate) fn push(&mut self, held: Held) {
        self.items.push_back(held);
    }

    /// Whether any held response belongs to `id`.
    pub(crate) fn owns(&self, id: RequestId) -> bool {
        self.items.iter().any(|h| match h {
            Held::Data { owner, .. } => *owner == Some(id),
            Held::Status { owner, .. } | Held::Done { owner, .. } => *owner == id,
        })
    }

    /// Whether a command's completion is held (the command is in progress).
    pub(crate) fn holds_completion(&self) -> bool {
        self.items.iter().any(|h| matches!(h, Held::Done { .. }))
    }

    /// The next response that may go out: the front one, unless it is an
    /// EXPUNGE and `expunge_allowed` is false.
    pub(crate) fn pop_ready(&mut self, expunge_allowed: bool) -> Option<Held> {
        match self.items.front() {
            Some(h) if h.is_expunge() && !expunge_allowed => None,
            Some(_) => self.items.pop_front(),
            None => None,
        }
    }

    /// How many EXPUNGE-like responses are held.
    pub(crate) fn expunges(&self) -> usize {
        self.items.iter().filter(|h| h.is_expunge()).count()
    }

    pub(crate) fn clear(&mut self) {
        self.items = VecDeque::new();
    }

    /// Frees the queue's memory if it is empty.
    pub(crate) fn shrink(&mut self) {
        if self.items.is_empty() && self.items.capacity() > 0 {
            self.items = VecDeque::new();
        }
    }
}

/// `EXPUNGE`, and `VANISHED` without `(EARLIER)`: they renumber messages.
pub(crate) fn is_expunge(data: &Data<'_>) -> bool {
    matches!(
        data,
        Data::Expunge(_) | Data::Vanished { earlier: false, .. }
    )
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU32;

    use super::*;

    fn expunge(n: u32) -> Data<'static> {
        Data::Expunge(NonZeroU32::new(n).unwrap())
    }

    #[test]
    fn an_expunge_blocks_what_is_behind_it() {
        let mut q = HeldQueue::default();
        q.push(Held::Data {
            owner: None,
            data: expunge(3),
        });
        q.push(Held::Data {
            owner: Some(RequestId { session: 0, n: 7 }),
            data: Data::Exists(9),
        });
        assert!(q.owns(RequestId { session: 0, n: 7 }));
        assert!(!q.owns(RequestId { session: 0, n: 8 }));
        assert_eq!(q.expunges(), 1);
        assert!(q.pop_ready(false).is_none());
        assert!(q.pop_ready(true).unwrap().is_expunge());
        // An EXISTS is not held back by the rule itself.
        assert!(!q.pop_ready(false).unwrap().is_expunge());
        assert!(q.is_empty());
    }
}
