//! Message types of IMAP4rev2 (RFC 9051) and IMAP4rev1 (RFC 3501): commands,
//! responses and every data item, plus the extensions real servers speak.
//!
//! This crate only describes messages; it never reads or writes a socket.
//! `imapkit-codec` turns bytes into these types and back, `imapkit-state` runs
//! sessions on top of them.
//!
//! ```text
//!  bytes --imap-codec--> Command<'a> / Response<'a> (borrowing the bytes)
//!                             |
//!                             +-- into_static() / into_shared(frame) --> owned, no payload copy
//! ```
//!
//! Values borrow from the decoder's input ([`Buf::Borrowed`]); [`IntoStatic`]
//! turns them into owned values, sharing a received frame instead of copying
//! it. Constructors validate: an [`Atom`] cannot hold a space, a [`Quoted`]
//! cannot hold CR or LF, a [`Tag`] follows the grammar.
//!
//! The lists inside ENVELOPE and BODYSTRUCTURE and a FETCH's flag list
//! ([`AddressList`], [`ParamList`], [`PartList`], [`Encapsulated`],
//! [`FlagFetchList`]) keep a decoded list's bytes and read its elements on
//! iteration, so decoding a message's metadata needs no allocation per list;
//! lists you build hold a `Vec`.
//!
//! ```
//! use imapkit_proto::{AString, Atom, Mailbox, SequenceSet, Tag};
//!
//! let tag = Tag::try_from("A001").unwrap();
//! assert!(Tag::try_from("A 1").is_err());
//! assert!(Atom::try_from("two words").is_err());
//! let mailbox = Mailbox::from_name("日本語");
//! assert_eq!(mailbox.as_bytes(), b"&ZeVnLIqe-");
//! let set = SequenceSet::try_from("1,3:5,7:*").unwrap();
//! assert!(set.contains(4, 10));
//! # let _ = (tag, AString::from("x"));
//! ```

#![warn(missing_docs, missing_debug_implementations)]

#[cfg(feature = "arbitrary")]
pub mod arbitrary;
mod buf;
mod capability;
pub mod chars;
pub mod command;
mod core;
mod datetime;
mod error;
mod flag;
pub mod lex;
mod mailbox;
pub mod response;
mod secret;
mod section;
mod sequence;
mod status;
#[cfg(feature = "proptest")]
pub mod strategies;
pub mod utf7;

pub use crate::buf::{Buf, IntoStatic};
pub use crate::capability::{AuthMechanism, Capability};
pub use crate::core::{
    AString, Atom, AtomExt, IString, Literal, LiteralMode, NString, Quoted, Tag, TagGenerator,
    Text, Vec1,
};
pub use crate::datetime::{Date, DateTime, MONTHS};
pub use crate::error::ValidationError;
pub use crate::flag::{keywords, Flag, FlagExtension, FlagFetch, FlagPerm};
pub use crate::mailbox::{Mailbox, MailboxOther};
pub use crate::secret::Secret;
pub use crate::section::{Partial, Section, SectionText};
pub use crate::sequence::{SeqOrUid, Sequence, SequenceSet};
pub use crate::status::StatusAttribute;

pub use crate::command::*;
pub use crate::response::*;
