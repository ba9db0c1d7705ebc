//! Strategies for responses.
