//! Responses a server sends (RFC 9051 §7): greeting, status responses, data, continuation requests.

mod body;
mod envelope;
mod fetch;

pub use body::*;
pub use envelope::*;
pub use fetch::*;
