//! Encoding commands.
