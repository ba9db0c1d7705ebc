//! Client and server IMAP session state machines (sans-IO).
//!
//! A [`client::Client`] or [`server::Server`] is one IMAP connection as a
//! pure state machine: it never opens a socket, reads a clock, spawns a
//! thread or draws a random number. The application moves bytes and time in
//! and out, and acts on events:
//!
//! ```text
//!  socket/TLS --> handle_input(now, bytes)          poll_transmit(now, &mut buf) --> socket/TLS
//!  clock -------> handle_timeout(now)               poll_timeout() --> when to call handle_timeout
//!  application -> enqueue / login / idle (client)   poll_event() --> events, in order
//!                 respond / decide_login (server)
//! ```
//!
//! Besides the two sessions: the selected-mailbox model ([`mailbox`]), the
//! SASL mechanisms, both halves ([`sasl`]), and errors grouped by who is at
//! fault ([`error`]). The codec and the types are re-exported ([`codec`],
//! [`proto`]) so that downstream code can depend on this crate alone.
//!
//! A client and a server talking in memory (no sockets, no TLS: the
//! connection is declared encrypted on both ends):
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Instant;
//!
//! use imapkit_state::client::{Client, ClientConfig, Event as ClientEvent};
//! use imapkit_state::server::{AuthVerdict, Completion, Event as ServerEvent, Server, ServerConfig};
//! use imapkit_state::ConnectionSecurity::Tls;
//!
//! let now = Instant::now();
//! let mut client = Client::new(Arc::new(ClientConfig::default()), now, Tls);
//! let mut server = Server::new(Arc::new(ServerConfig::default()), now, Tls);
//! let login = client.login(now, "alice", "secret".to_owned().into()).unwrap();
//! let noop = client.enqueue(now, imapkit_state::proto::CommandBody::noop()).unwrap();
//! let mut done = Vec::new();
//! for _ in 0..10 {
//!     let mut wire = Vec::new();
//!     while server.poll_transmit(now, &mut wire).is_some() {}
//!     client.handle_input(now, &wire);
//!     wire.clear();
//!     while client.poll_transmit(now, &mut wire).is_some() {}
//!     server.handle_input(now, &wire);
//!     while let Some(event) = server.poll_event() {
//!         match event {
//!             ServerEvent::LoginAttempt(attempt) => {
//!                 server.decide_login(now, attempt, AuthVerdict::Accept).unwrap();
//!             }
//!             ServerEvent::CommandReceived { request, .. } => {
//!                 server.respond(now, request, Completion::ok()).unwrap();
//!             }
//!             _ => {}
//!         }
//!     }
//!     while let Some(event) = client.poll_event() {
//!         if let ClientEvent::Completed(c) = event {
//!             done.push((c.handle, c.is_ok()));
//!         }
//!     }
//! }
//! assert_eq!(done, [(login, true), (noop, true)]);
//! ```
#![warn(missing_docs, missing_debug_implementations)]

pub mod client;
pub mod error;
#[cfg(feature = "fuzzing")]
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

/// The README's examples, compiled (and run, unless marked `no_run`) as
/// doctests of the crate that sees all three.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
