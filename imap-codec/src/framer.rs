//! Framing: splits a byte stream into whole messages (CRLF and literals), in any chunking.
