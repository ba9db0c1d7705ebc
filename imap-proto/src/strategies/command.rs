//! Strategies for commands.
