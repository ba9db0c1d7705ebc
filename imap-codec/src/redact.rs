//! Raw message bytes for logs and error output, with credentials hidden.
//!
//! `Debug` of decoded values already hides credentials ([`Secret`]); raw
//! bytes are another matter: a frame that does not decode, or
//! [`FrameError::raw`], holds a password as sent. [`Redacted`] shows raw
//! bytes escaped, except where they may hold credentials: then it shows
//! `<redacted>` and their length, as `Debug` of a [`Secret`] does.
//!
//! [`Secret`]: imapkit_proto::Secret
//! [`FrameError::raw`]: crate::framer::FrameError::raw

use std::fmt;

use crate::framer::Direction;
use crate::lex;

/// Raw message bytes as `Display` and `Debug` show them: escaped ASCII, or
/// `<redacted> (N bytes)` when they may hold credentials.
///
/// They may when they are a command (or part of one) whose name is LOGIN
/// or AUTHENTICATE (RFC 9051 §6.2.2, §6.2.3), in any case, or when the
/// caller says so with [`Redacted::secret`]: a line of an AUTHENTICATE
/// exchange, or bytes that follow a credential command the framer could
/// not frame (the data of its refused literal).
///
/// ```
/// use imapkit_codec::framer::Direction;
/// use imapkit_codec::redact::Redacted;
///
/// let login = b"a1 LOGIN alice hunter2 extra\r\n";
/// assert_eq!(Redacted::message(Direction::ClientToServer, login).to_string(), "<redacted> (30 bytes)");
/// let noop = b"a2 NOOP\r\n";
/// assert_eq!(Redacted::message(Direction::ClientToServer, noop).to_string(), "a2 NOOP\\r\\n");
/// assert_eq!(format!("{:?}", Redacted::secret(b"AGFsaWNl")), "<redacted> (8 bytes)");
/// ```
#[derive(Clone, Copy)]
pub struct Redacted<'a> {
    bytes: &'a [u8],
    hidden: bool,
}

impl<'a> Redacted<'a> {
    /// A message (a frame, [`FrameError::raw`](crate::framer::FrameError::raw))
    /// of `direction`: hidden if it is a command that may hold credentials.
    /// Responses are shown: servers do not send the client's credentials.
    pub fn message(direction: Direction, bytes: &'a [u8]) -> Self {
        let hidden = direction == Direction::ClientToServer && lex::may_hold_credentials(bytes);
        Self { bytes, hidden }
    }

    /// Bytes that may hold a secret, whatever they look like: always hidden.
    pub fn secret(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            hidden: true,
        }
    }

    /// Whether the bytes are hidden.
    pub fn is_hidden(&self) -> bool {
        self.hidden
    }

    /// How many bytes there are.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

impl fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.hidden {
            write!(f, "<redacted> ({} bytes)", self.bytes.len())
        } else {
            write!(f, "{}", self.bytes.escape_ascii())
        }
    }
}

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.hidden {
            fmt::Display::fmt(self, f)
        } else {
            write!(f, "\"{}\"", self.bytes.escape_ascii())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_commands_are_hidden() {
        let c = Direction::ClientToServer;
        for hidden in [
            &b"a1 LOGIN alice hunter2\r\n"[..],
            b"a1 login {5}\r\nalice {7}\r\nhunter2\r\n",
            b"a1   Authenticate PLAIN AGFsaWNlAGh1bnRlcjI=\r\n",
            b"LOGIN alice hunter2\r\n",
            b"a1 LOGIN alice hunter2",
        ] {
            let r = Redacted::message(c, hidden);
            assert!(r.is_hidden(), "{:?}", hidden.escape_ascii().to_string());
            let shown = format!("{r} {r:?}");
            assert!(
                !shown.contains("hunter2") && !shown.contains("AGFs"),
                "{shown}"
            );
        }
        for shown in [
            &b"a1 NOOP\r\n"[..],
            b"a1 SELECT LOGIN\r\n",
            b"a1 XLOGIN x\r\n",
        ] {
            assert!(!Redacted::message(c, shown).is_hidden());
        }
        // Responses are shown, even when they mention LOGIN.
        let r = Redacted::message(Direction::ServerToClient, b"a1 LOGIN ok\r\n");
        assert_eq!(format!("{r:?}"), "\"a1 LOGIN ok\\r\\n\"");
    }
}
