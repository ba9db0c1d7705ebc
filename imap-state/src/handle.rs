//! Command handles: how the application names a command it enqueued.

use std::fmt;

/// Names one command of a [`Client`](crate::client::Client) session, from
/// enqueueing to its one [`Completed`](crate::client::Event::Completed)
/// event. Opaque, `Copy`, cheap to compare and hash.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommandHandle(pub(crate) u64);

impl fmt::Debug for CommandHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CommandHandle({})", self.0)
    }
}

impl fmt::Display for CommandHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}
