//! Client and server IMAP session state machines (sans-IO).
//!
//! Under construction: the SASL mechanisms ([`sasl`]), the error taxonomy
//! ([`error`]), the timer table and the [`server`] session are here; the
//! `Client` machine follows. The codec and the types are re-exported so that
//! downstream code can depend on one crate.
//!
//! ```
//! use imapkit_state::proto::Tag;
//! assert!(Tag::try_from("A001").is_ok());
//! ```
#![warn(missing_docs, missing_debug_implementations)]

pub mod error;
mod outbuf;
pub mod sasl;
mod security;
pub mod server;
#[allow(dead_code)] // used by the Client and Server, which follow
mod timer;

pub use security::ConnectionSecurity;

pub use imapkit_codec as codec;
pub use imapkit_proto as proto;
