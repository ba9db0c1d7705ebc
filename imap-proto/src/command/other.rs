//! Unknown commands, kept raw so that a server can answer them with BAD.

use bytes::Bytes;

use crate::buf::{Buf, IntoStatic};
use crate::chars;
use crate::core::Atom;
use crate::error::ValidationError;
use crate::lex::{is_status_keyword, literal_header};

use super::KNOWN_COMMANDS;

/// A command the decoder does not know (RFC 9051 §6: a server answers BAD):
/// its name and the raw rest of the message.
///
/// Built values hold one line of text; a decoded value holds what the
/// client sent, literals included (their headers, CRLFs and data), read by
/// the framer's rules so that the framer and the decoder end the command at
/// the same byte.
///
/// ```
/// use imapkit_proto::{Atom, OtherCommand};
///
/// let x = OtherCommand::try_new(Atom::try_from("XFOO").unwrap(), Some("a \"b\"".into())).unwrap();
/// assert_eq!(x.arguments(), Some(&b"a \"b\""[..]));
/// // A known command name, or arguments ending in a literal header, are refused.
/// assert!(OtherCommand::try_new(Atom::try_from("noop").unwrap(), None).is_err());
/// assert!(OtherCommand::try_new(Atom::try_from("OK").unwrap(), Some("done".into())).is_err());
/// assert!(OtherCommand::try_new(Atom::try_from("XFOO").unwrap(), Some("x {5}".into())).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OtherCommand<'a> {
    name: Atom<'a>,
    arguments: Option<Buf<'a>>,
}

impl<'a> OtherCommand<'a> {
    /// An unknown command: `name` is not one of [`KNOWN_COMMANDS`] (in any
    /// case; those decode to their own variants) nor a status keyword
    /// (`OK`, `NO`, `BAD`, `BYE`, `PREAUTH`: a status response, which a
    /// client never sends), and `arguments`, what
    /// follows SP after the name without the CRLF, holds only `TEXT-CHAR`
    /// in valid UTF-8 (RFC 9051 §9 `text`) and does not end with a literal
    /// header (which would announce a literal: the framer would wait for
    /// its data).
    pub fn try_new(name: Atom<'a>, arguments: Option<Buf<'a>>) -> Result<Self, ValidationError> {
        let n = name.as_bytes();
        if KNOWN_COMMANDS
            .iter()
            .any(|k| k.as_bytes().eq_ignore_ascii_case(n))
        {
            return Err(ValidationError::Invalid {
                what: "unknown command",
                reason: "a known command name",
            });
        }
        if is_status_keyword(n) {
            return Err(ValidationError::Invalid {
                what: "unknown command",
                reason: "a status keyword",
            });
        }
        if let Some(a) = &arguments {
            let a = a.as_bytes();
            if let Some(at) = a.iter().position(|&b| !chars::is_text_char(b)) {
                return Err(ValidationError::InvalidByte {
                    what: "command arguments",
                    byte: a[at],
                    at,
                });
            }
            if let Err(e) = std::str::from_utf8(a) {
                let at = e.valid_up_to();
                return Err(ValidationError::InvalidByte {
                    what: "command arguments (UTF-8)",
                    byte: a[at],
                    at,
                });
            }
            if literal_header(a).is_some() {
                return Err(ValidationError::Invalid {
                    what: "command arguments",
                    reason: "ends with a literal header",
                });
            }
        }
        Ok(Self { name, arguments })
    }

    /// Wraps a command a decoder has read.
    #[doc(hidden)]
    pub fn unvalidated(name: Atom<'a>, arguments: Option<Buf<'a>>) -> Self {
        Self { name, arguments }
    }

    /// The command name.
    pub fn name(&self) -> &Atom<'a> {
        &self.name
    }

    /// What follows SP after the name, without the final CRLF (`None` when
    /// the CRLF follows the name). Of a decoded command: as received,
    /// literals included.
    pub fn arguments(&self) -> Option<&[u8]> {
        self.arguments.as_ref().map(Buf::as_bytes)
    }
}

impl IntoStatic for OtherCommand<'_> {
    type Static = OtherCommand<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> OtherCommand<'static> {
        OtherCommand {
            name: self.name.into_static_in(frame),
            arguments: self.arguments.into_static_in(frame),
        }
    }
}
