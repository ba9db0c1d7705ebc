//! Client and server IMAP session state machines (sans-IO).
//!
//! Under construction: the client ([`client`]), the SASL mechanisms
//! ([`sasl`]), the error taxonomy ([`error`]); the server follows. The codec
//! and the types are re-exported so that downstream code can depend on one
//! crate.
//!
//! ```
//! use imapkit_state::proto::Tag;
//! assert!(Tag::try_from("A001").is_ok());
//! ```
#![warn(missing_docs, missing_debug_implementations)]

pub mod client;
pub mod error;
mod handle;
pub mod mailbox;
pub mod sasl;
mod security;
mod timer;

pub use crate::handle::CommandHandle;
pub use crate::security::ConnectionSecurity;
pub use imapkit_codec as codec;
pub use imapkit_proto as proto;
