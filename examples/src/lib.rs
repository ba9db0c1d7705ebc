//! Support code shared by the examples and the interop tests.
//!
//! The examples themselves live in `examples/examples/`; this library holds
//! what several of them need, such as starting a throw-away Dovecot on
//! loopback for interop tests, the mail store of the demo server
//! ([`store`]) and its session loop ([`demo`]), the checks of the `imap-check`
//! troubleshooter ([`check`]), and the trace decoder of `imap-decode` ([`trace`]).

#![warn(missing_docs, missing_debug_implementations)]

pub mod blocking;
pub mod check;
pub mod cli;
pub mod demo;
pub mod dovecot;
pub mod store;
pub mod trace;
