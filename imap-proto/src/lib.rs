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
//! Commands are built with short constructors ([`CommandBody::select`],
//! [`CommandBody::uid_fetch`], ...; builders such as [`SearchBuilder`] for
//! the options) that take `&str`, arrays and numbers, and print as their
//! wire form with credentials redacted. The [`encode`] module writes
//! messages: [`encode::encode_fragments`] for a client that must wait for
//! `+` before a synchronizing literal.
//!
//! ```
//! use imapkit_proto::{Command, CommandBody, FetchAttribute, SequenceSet, TagGenerator};
//!
//! let mut tags = TagGenerator::default();
//! let fetch = CommandBody::uid_fetch(SequenceSet::all(), [FetchAttribute::Uid, FetchAttribute::Flags]);
//! assert_eq!(Command::new(tags.next_tag(), fetch).to_string(), "A1 UID FETCH 1:* (UID FLAGS)");
//! ```
//!
//! `Display` prints what goes on the wire, except credentials: flags,
//! sequence sets, capabilities, response codes, commands and responses;
//! a [`Mailbox`] prints the name a user sees.
//!
//! ```
//! use imapkit_proto::{Command, CommandBody, Flag, Mailbox, ResponseCode, SequenceSet, Tag};
//!
//! assert_eq!(Flag::Seen.to_string(), "\\Seen");
//! assert_eq!(SequenceSet::try_from("1:4,7:*").unwrap().to_string(), "1:4,7:*");
//! assert_eq!(Mailbox::from_wire("&ZeVnLIqe-").unwrap().to_string(), "日本語");
//! assert_eq!(ResponseCode::UidNext(4392).to_string(), "UIDNEXT 4392");
//! let login = Command::new(Tag::try_from("A1").unwrap(), CommandBody::login("alice", "hunter2"));
//! assert_eq!(login.to_string(), "A1 LOGIN alice <redacted>");
//! assert_eq!(format!("{login:?}").contains("hunter2"), false);
//! ```
//!
//! Values borrow from the decoder's input ([`Buf::borrowed`]); [`IntoStatic`]
//! turns them into owned values, sharing a received frame instead of copying
//! it. Constructors validate: an [`Atom`] cannot hold a space, a [`Quoted`]
//! cannot hold CR or LF, a [`Tag`] follows the grammar.
//!
//! An [`Envelope`], a FETCH item's body structure ([`BodyStructureItem`]),
//! the lists inside them and a FETCH's flag list ([`AddressList`],
//! [`ParamList`], [`PartList`], [`Encapsulated`], [`FlagFetchList`]) keep a
//! decoded value's bytes and read its elements on access, so decoding a
//! message's metadata needs no allocation per list and making it owned costs
//! one reference count per envelope and per body structure; lists you build
//! hold a `Vec`, envelopes an [`EnvelopeFields`], items a [`BodyStructure`].
//!
//! ```
//! use imapkit_proto::{AString, Atom, Mailbox, SequenceSet, Tag};
//!
//! let tag = Tag::try_from("A001").unwrap();
//! assert!(Tag::try_from("A 1").is_err());
//! assert!(Atom::try_from("two words").is_err());
//! let mailbox = Mailbox::from("日本語");
//! assert_eq!(mailbox.as_bytes(), b"&ZeVnLIqe-");
//! assert_eq!(mailbox.to_string(), "日本語");
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
mod display;
pub mod encode;
pub mod encoded_word;
mod error;
mod flag;
pub mod lex;
mod mailbox;
pub mod response;
mod secret;
mod section;
mod sequence;
mod snippet;
mod status;
#[cfg(feature = "proptest")]
pub mod strategies;
pub mod utf7;

pub use crate::buf::{trim_spare_capacity, Buf, IntoStatic};
pub use crate::capability::{AuthMechanism, Capability};
pub use crate::core::{
    AString, Atom, AtomExt, IString, Literal, LiteralMode, NString, Quoted, Tag, TagGenerator,
    Text, Vec1,
};
pub use crate::datetime::{Date, DateTime, MONTHS};
pub use crate::error::ValidationError;
pub use crate::flag::{keywords, Flag, FlagExtension, FlagFetch, FlagPerm};
pub use crate::mailbox::{Mailbox, MailboxOther, NameEncoding};
pub use crate::secret::Secret;
pub use crate::section::{Partial, Section, SectionText};
pub use crate::sequence::{Positions, SeqOrUid, Sequence, SequenceIter, SequenceSet};
pub use crate::snippet::{SnippetAlgorithm, SnippetModifier, SnippetName, SnippetRequest};
pub use crate::status::StatusAttribute;

pub use crate::command::*;
pub use crate::response::*;
