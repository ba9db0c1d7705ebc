//! Client and server IMAP session state machines (sans-IO).
//!
//! The [`client`] and [`server`] sessions, the SASL mechanisms ([`sasl`]),
//! the selected-mailbox model ([`mailbox`]) and the error taxonomy
//! ([`error`]). The codec and the types are re-exported so that downstream
//! code can depend on one crate.
//!
//! ```
//! use imapkit_state::proto::Tag;
//! assert!(Tag::try_from("A001").is_ok());
//! ```
#![warn(missing_docs, missing_debug_implementations)]

pub mod client;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
mod handle;
pub mod mailbox;
mod outbuf;
pub mod sasl;
mod security;
pub mod server;
mod timer;

pub use crate::handle::CommandHandle;
pub use crate::security::ConnectionSecurity;
pub use imapkit_codec as codec;
pub use imapkit_proto as proto;
