//! Client and server IMAP session state machines (sans-IO).
//!
//! Not built yet: this crate reserves the place in the workspace for the
//! session state machines described in the workspace's design notes
//! (`handle_input` / `poll_transmit` / `poll_event`, tags, IDLE, STARTTLS,
//! AUTHENTICATE). Today it re-exports the codec and the types so that
//! downstream code can already depend on one crate.
//!
//! ```
//! use imapkit_state::proto::Tag;
//! assert!(Tag::try_from("A001").is_ok());
//! ```
#![warn(missing_docs, missing_debug_implementations)]

pub use imapkit_codec as codec;
pub use imapkit_proto as proto;
