//! TEMPORARY stand-in for the selected-mailbox model (being written on the
//! `mailbox` branch); replaced at merge.

use imapkit_proto::Mailbox;

/// A change of the selected mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MailboxChange {
    /// New messages.
    Exists {
        /// EXISTS.
        exists: u32,
        /// How many are new.
        new: u32,
    },
}

/// The selected mailbox.
#[derive(Debug, Clone)]
pub struct SelectedMailbox {
    name: Mailbox<'static>,
    read_only: bool,
    exists: u32,
}

impl SelectedMailbox {
    /// A mailbox being selected.
    pub fn new(name: Mailbox<'static>, read_only: bool) -> Self {
        Self {
            name,
            read_only,
            exists: 0,
        }
    }
    /// Its name.
    pub fn name(&self) -> &Mailbox<'static> {
        &self.name
    }
    /// Read-only.
    pub fn read_only(&self) -> bool {
        self.read_only
    }
    /// EXISTS.
    pub fn exists(&self) -> u32 {
        self.exists
    }
}
