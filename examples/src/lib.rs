//! Support code shared by the examples and the interop tests.
//!
//! The examples themselves live in `examples/examples/`; this library holds
//! what several of them need, such as starting a throw-away Dovecot on
//! loopback for interop tests, and the trace decoder of `imap-decode`.

#![warn(missing_docs, missing_debug_implementations)]

pub mod dovecot;
pub mod trace;
