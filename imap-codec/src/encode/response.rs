//! Encoding greetings and responses.
