//! Commands a client sends (RFC 9051 §6), with the extension commands.
