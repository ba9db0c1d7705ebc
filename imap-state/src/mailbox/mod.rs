//! The client's model of the selected mailbox (RFC 9051 §6.3.2, §7.3-§7.5;
//! RFC 7162 CONDSTORE/QRESYNC; RFC 8474 MAILBOXID).
//!
//! ```text
//!   untagged data, codes, tagged OK          MailboxChange (in order)
//!   ----------------------------> SelectedMailbox ------------------------>
//!                                   |  name, read-only, UIDVALIDITY,
//!                                   |  UIDNEXT, FLAGS, PERMANENTFLAGS,
//!                                   |  HIGHESTMODSEQ, MAILBOXID
//!                                   +- UidMap: seq <-> UID as runs
//! ```
//!
//! [`SelectedMailbox`] keeps what a mail client needs to stay right while
//! other devices change the mailbox: the sequence number of every message
//! and the UIDs it has learned ([`UidMap`], stored as runs of consecutive
//! UIDs), the mailbox's status, and its highest mod-sequence as a cache may
//! record it. [`MailboxSnapshot`] is what a cache keeps to select the
//! mailbox again with QRESYNC (RFC 7162 §3.2.5).
//!
//! ```
//! use imapkit_codec::decode::response;
//! use imapkit_proto::{Mailbox, Response};
//! use imapkit_state::mailbox::{MailboxChange, SelectedMailbox};
//!
//! let mut inbox = SelectedMailbox::new(Mailbox::Inbox, false);
//! for line in [&b"* 3 EXISTS\r\n"[..], b"* 2 FETCH (UID 7 FLAGS (\\Seen))\r\n"] {
//!     let (Response::Data(data), _) = response(line).unwrap().complete().unwrap() else {
//!         unreachable!()
//!     };
//!     inbox.handle_data(&data).unwrap();
//! }
//! inbox.select_completed();
//! assert_eq!(inbox.exists(), 3);
//! assert_eq!(inbox.uid(2), Some(7));
//! assert_eq!(inbox.uid(1), None); // not fetched yet
//!
//! let (Response::Data(data), _) = response(b"* 1 EXPUNGE\r\n").unwrap().complete().unwrap() else {
//!     unreachable!()
//! };
//! assert_eq!(
//!     inbox.handle_data(&data),
//!     Ok(Some(MailboxChange::Expunged { seq: 1, uid: None }))
//! );
//! assert_eq!(inbox.seq(7), Some(1));
//! ```

mod change;
mod qresync;
mod selected;
mod uid_map;

pub use change::MailboxChange;
pub use qresync::{MailboxSnapshot, QresyncOptions};
pub use selected::{ModSeq, SelectedMailbox};
pub use uid_map::{Segment, UidMap};
