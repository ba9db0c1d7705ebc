//! Decoding greetings and responses (server to client).
