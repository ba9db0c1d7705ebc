//! Responses a server sends (RFC 9051 §7): greeting, status responses, data, continuation requests.

mod fetch;

pub use fetch::*;
