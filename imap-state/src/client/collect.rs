//! Gathering a command's answer from the event stream: its data and its
//! completion, for an application that runs several commands at once and
//! wants each one's results in one piece.

use std::collections::HashMap;

use imapkit_proto::Data;

use super::event::{Completion, Event};
use crate::handle::CommandHandle;

/// The answers of the commands an application waits for: each watched
/// command's untagged data (the [`Event::Data`] that name it) and its
/// [`Completion`], kept apart from the rest of the event stream.
///
/// Offer every event the [`Client`](super::Client) gives to
/// [`offer`](Self::offer): the ones about a watched command are kept, every
/// other comes back to be handled as usual (mailbox changes, unsolicited
/// data, other commands). Once a watched command completed,
/// [`take`](Self::take) hands out its completion and data. Data reaches a
/// command only where the Client could tell it is its answer
/// ([`Event::Data`]'s `handle`: a FETCH by its sequence set, an ESEARCH by
/// its tag, one command of a kind in flight); the rest is not lost, it
/// comes back from `offer` with `handle: None`.
///
/// ```
/// # use std::{sync::Arc, time::Instant};
/// use imapkit_state::client::{Client, ClientConfig, Collector};
/// use imapkit_state::proto::{CommandBody, Data, StatusAttribute, Vec1};
/// # use imapkit_state::ConnectionSecurity;
///
/// # let now = Instant::now();
/// # let mut client = Client::new(Arc::new(ClientConfig::default()), now, ConnectionSecurity::Tls);
/// # client.handle_input(now, b"* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n");
/// let mut answers = Collector::new();
/// let list = client.enqueue(now, CommandBody::list("", "*"))?;
/// let status = client.enqueue(now, CommandBody::status("INBOX", Vec1::new(StatusAttribute::Messages)))?;
/// answers.watch(list);
/// answers.watch(status);
/// # let mut out = Vec::new();
/// # while client.poll_transmit(now, &mut out).is_some() {}
/// # client.handle_input(now, b"* LIST () \"/\" INBOX\r\nA1 OK done\r\n");
/// // ... the socket loop: read, then offer each event.
/// while let Some(event) = client.poll_event() {
///     if let Some(other) = answers.offer(event) {
///         // Greeting, mailbox changes, unsolicited data: as usual.
///         let _ = other;
///     }
/// }
/// if let Some((done, data)) = answers.take(list) {
///     assert!(done.is_ok());
///     assert!(matches!(data[..], [Data::List(_)]));
/// }
/// assert!(answers.take(status).is_none()); // not complete yet
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// What a watched command's data holds until it is taken is the
/// application's: take each watched command once it completed (or
/// [`forget`](Self::forget) it).
#[derive(Debug, Default)]
pub struct Collector {
    watched: HashMap<CommandHandle, Gathered>,
}

/// What a watched command has received so far.
#[derive(Debug, Default)]
struct Gathered {
    data: Vec<Data<'static>>,
    done: Option<Box<Completion>>,
}

impl Collector {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps `handle`'s answers from now on (data that came before is not
    /// gathered: watch a command when it is enqueued).
    pub fn watch(&mut self, handle: CommandHandle) {
        self.watched.entry(handle).or_default();
    }

    /// Stops watching `handle`, dropping what was gathered.
    pub fn forget(&mut self, handle: CommandHandle) {
        self.watched.remove(&handle);
    }

    /// Takes `event` if it is about a watched command (its data, its
    /// completion); gives it back otherwise.
    pub fn offer(&mut self, event: Event) -> Option<Event> {
        match event {
            Event::Data {
                handle: Some(h),
                data,
            } => match self.watched.get_mut(&h) {
                Some(g) if g.done.is_none() => {
                    g.data.push(data);
                    None
                }
                _ => Some(Event::Data {
                    handle: Some(h),
                    data,
                }),
            },
            Event::Completed(done) => match self.watched.get_mut(&done.handle) {
                Some(g) if g.done.is_none() => {
                    g.done = Some(done);
                    None
                }
                _ => Some(Event::Completed(done)),
            },
            other => Some(other),
        }
    }

    /// Whether `handle` is watched and has completed.
    pub fn is_done(&self, handle: CommandHandle) -> bool {
        self.watched.get(&handle).is_some_and(|g| g.done.is_some())
    }

    /// A watched command's completion and data, in the order they came,
    /// once it has completed (then it is no longer watched); `None` before.
    pub fn take(&mut self, handle: CommandHandle) -> Option<(Completion, Vec<Data<'static>>)> {
        if !self.is_done(handle) {
            return None;
        }
        let g = self.watched.remove(&handle)?;
        Some((*g.done?, g.data))
    }

    /// How many commands are watched (completed and not taken, or not
    /// completed yet).
    pub fn len(&self) -> usize {
        self.watched.len()
    }

    /// Whether no command is watched.
    pub fn is_empty(&self) -> bool {
        self.watched.is_empty()
    }
}
