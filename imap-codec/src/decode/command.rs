//! Decoding commands (client to server).
