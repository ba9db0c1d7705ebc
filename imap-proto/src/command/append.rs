//! APPEND messages (RFC 9051 §6.3.12, MULTIAPPEND RFC 3502, CATENATE
//! RFC 4469, BINARY RFC 3516, UTF8 RFC 6855).

use bytes::Bytes;

use super::Literal8;
use crate::buf::{Buf, IntoStatic};
use crate::core::{AString, Literal, LiteralMode, Vec1};
use crate::datetime::DateTime;
use crate::error::ValidationError;
use crate::flag::Flag;

/// One message of an APPEND command: `[SP flag-list] [SP date-time] SP append-data`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AppendMessage<'a> {
    /// Flags to set; `None` when absent, `Some(vec![])` for `()`.
    pub flags: Option<Vec<Flag<'a>>>,
    /// The internal date to set.
    pub date: Option<DateTime>,
    /// The message.
    pub data: AppendData<'a>,
}

impl<'a> AppendMessage<'a> {
    /// A message from its data, without flags or date.
    pub fn new(data: AppendData<'a>) -> Self {
        Self {
            flags: None,
            date: None,
            data,
        }
    }

    /// A message sent as a synchronizing literal `{n}` (the encoder's
    /// [`LiteralPolicy`](crate::encode::LiteralPolicy) may make it `{n+}`);
    /// fails if it holds a NUL byte, which only [`AppendMessage::binary`]
    /// can carry.
    ///
    /// ```
    /// use imapkit_proto::{AppendMessage, Flag};
    ///
    /// let m = AppendMessage::literal(b"Subject: hi\r\n\r\nhello\r\n").unwrap().with_flags([Flag::Seen]);
    /// assert_eq!(m.flags, Some(vec![Flag::Seen]));
    /// assert!(AppendMessage::literal(b"a\0b").is_err());
    /// ```
    pub fn literal(message: impl Into<Buf<'a>>) -> Result<Self, ValidationError> {
        Literal::try_new(message).map(|l| Self::new(AppendData::Literal(l)))
    }

    /// A message sent as a `literal8` `~{n}`, which may hold any byte
    /// (BINARY, RFC 3516 §4.3; the server must announce BINARY).
    pub fn binary(message: impl Into<Buf<'a>>) -> Self {
        Self::new(AppendData::Literal8(Literal8::new(
            message,
            LiteralMode::Sync,
        )))
    }

    /// A message with UTF-8 header fields, `UTF8 (~{n})` (RFC 6855 §4; after
    /// `ENABLE UTF8=ACCEPT`).
    pub fn utf8(message: impl Into<Buf<'a>>) -> Self {
        Self::new(AppendData::Utf8(Literal8::new(message, LiteralMode::Sync)))
    }

    /// The same message with these flags set on arrival.
    #[must_use]
    pub fn with_flags(mut self, flags: impl Into<Vec<Flag<'a>>>) -> Self {
        self.flags = Some(flags.into());
        self
    }

    /// The same message with this internal date.
    #[must_use]
    pub fn with_date(mut self, date: DateTime) -> Self {
        self.date = Some(date);
        self
    }
}

/// `append-data` (RFC 4466 §2.3 and the extensions).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AppendData<'a> {
    /// `{n}` literal.
    Literal(Literal<'a>),
    /// `~{n}` literal8 (RFC 3516 BINARY).
    Literal8(Literal8<'a>),
    /// `CATENATE (part ...)` (RFC 4469)
    Catenate(Vec1<CatenatePart<'a>>),
    /// `UTF8 (~{n}...)` (RFC 6855 §4)
    Utf8(Literal8<'a>),
}

/// A `cat-part` of CATENATE (RFC 4469 §5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CatenatePart<'a> {
    /// `URL astring`: an IMAP URL of a message or part.
    Url(AString<'a>),
    /// `TEXT literal`
    Text(Literal<'a>),
    /// `TEXT literal8` (with BINARY, RFC 4469 §5 / RFC 3516)
    Text8(Literal8<'a>),
}

impl IntoStatic for AppendMessage<'_> {
    type Static = AppendMessage<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> AppendMessage<'static> {
        AppendMessage {
            flags: self.flags.into_static_in(f),
            date: self.date,
            data: self.data.into_static_in(f),
        }
    }
}

impl IntoStatic for AppendData<'_> {
    type Static = AppendData<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> AppendData<'static> {
        match self {
            Self::Literal(l) => AppendData::Literal(l.into_static_in(f)),
            Self::Literal8(l) => AppendData::Literal8(l.into_static_in(f)),
            Self::Catenate(p) => AppendData::Catenate(p.into_static_in(f)),
            Self::Utf8(l) => AppendData::Utf8(l.into_static_in(f)),
        }
    }
}

impl IntoStatic for CatenatePart<'_> {
    type Static = CatenatePart<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> CatenatePart<'static> {
        match self {
            Self::Url(u) => CatenatePart::Url(u.into_static_in(f)),
            Self::Text(l) => CatenatePart::Text(l.into_static_in(f)),
            Self::Text8(l) => CatenatePart::Text8(l.into_static_in(f)),
        }
    }
}
