//! Responses a server sends (RFC 9051 §7): greeting, status responses, data, continuation requests.

mod body;
mod code;
mod data;
mod envelope;
mod ext;
mod fetch;
mod list;
mod status;
mod wire;

pub use body::*;
pub use code::*;
pub use data::*;
pub use envelope::*;
pub use ext::*;
pub use fetch::*;
pub use list::*;
pub use status::*;
pub use wire::{AddressIter, BodyStructureItem, FlagFetchIter, FlagFetchList, ParamIter, PartIter};

use bytes::Bytes;

use crate::buf::{Buf, IntoStatic};
use crate::chars;
use crate::core::{Tag, Text};
use crate::error::ValidationError;

/// The server greeting (RFC 9051 §7.1, `greeting`): `* OK`, `* PREAUTH` or `* BYE`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Greeting<'a> {
    /// Which greeting.
    pub kind: GreetingKind,
    /// The optional response code and the human-readable text.
    pub text: RespText<'a>,
}

/// The kind of a [`Greeting`] (`resp-cond-auth` / `resp-cond-bye`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GreetingKind {
    /// `OK`: the client must authenticate.
    Ok,
    /// `PREAUTH`: the connection is already authenticated (RFC 9051 §7.1.4).
    PreAuth,
    /// `BYE`: the server refuses the connection (RFC 9051 §7.1.5).
    Bye,
}

/// One server response (RFC 9051 §7, `response-data`, `response-tagged`,
/// `continue-req`), including its CRLF.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Response<'a> {
    /// A status response: tagged or untagged `OK`/`NO`/`BAD`, untagged `BYE`/`PREAUTH`.
    Status(StatusResponse<'a>),
    /// Untagged data (`* ...`).
    Data(Data<'a>),
    /// A continuation request (`+ ...`).
    Continue(ContinueRequest<'a>),
}

/// A status response (RFC 9051 §7.1): `kind` says whether it is tagged and
/// which condition it reports.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatusResponse<'a> {
    /// Tagged `OK`/`NO`/`BAD`, untagged `OK`/`NO`/`BAD`, `BYE` or `PREAUTH`.
    pub kind: StatusKind<'a>,
    /// The optional response code and the human-readable text.
    pub text: RespText<'a>,
}

impl<'a> StatusResponse<'a> {
    /// A tagged completion result (`response-tagged`).
    pub fn tagged(tag: Tag<'a>, status: Status, text: RespText<'a>) -> Self {
        StatusResponse {
            kind: StatusKind::Tagged { tag, status },
            text,
        }
    }

    /// An untagged `OK`/`NO`/`BAD` (`resp-cond-state`).
    pub fn untagged(status: Status, text: RespText<'a>) -> Self {
        StatusResponse {
            kind: StatusKind::Untagged(status),
            text,
        }
    }

    /// The tag of a tagged response.
    pub fn tag(&self) -> Option<&Tag<'a>> {
        match &self.kind {
            StatusKind::Tagged { tag, .. } => Some(tag),
            _ => None,
        }
    }

    /// `OK`, `NO` or `BAD`; `None` for `BYE` and `PREAUTH`.
    pub fn status(&self) -> Option<Status> {
        match self.kind {
            StatusKind::Tagged { status, .. } | StatusKind::Untagged(status) => Some(status),
            StatusKind::Bye | StatusKind::PreAuth => None,
        }
    }

    /// The response code, if any.
    pub fn code(&self) -> Option<&ResponseCode<'a>> {
        self.text.code()
    }

    /// Whether this is an `OK`, tagged or not (not `NO`, `BAD`, `BYE` or
    /// `PREAUTH`).
    pub fn is_ok(&self) -> bool {
        self.status() == Some(Status::Ok)
    }

    /// The response if it is an `OK`, else a [`StatusError`] holding it:
    /// `response.into_result()?` in code that stops at a failed command.
    ///
    /// ```
    /// use imapkit_proto::{RespText, ResponseCode, Status, StatusResponse, Tag};
    ///
    /// let tag = Tag::try_from("A3").unwrap();
    /// let ok = StatusResponse::tagged(tag.clone(), Status::Ok, RespText::text("done").unwrap());
    /// assert!(ok.is_ok());
    /// assert!(ok.into_result().is_ok());
    ///
    /// let text = RespText::with_code(ResponseCode::TryCreate, "no such mailbox").unwrap();
    /// let no = StatusResponse::tagged(tag, Status::No, text);
    /// let err = no.into_result().unwrap_err();
    /// assert_eq!(err.status(), Some(Status::No));
    /// assert_eq!(err.code(), Some(&ResponseCode::TryCreate));
    /// assert_eq!(err.to_string(), "server answered A3 NO [TRYCREATE] no such mailbox");
    /// ```
    pub fn into_result(self) -> Result<Self, StatusError<'a>> {
        if self.is_ok() {
            Ok(self)
        } else {
            Err(StatusError(Box::new(self)))
        }
    }
}

/// A status response that is not `OK` (`NO`, `BAD`, `BYE`, `PREAUTH`),
/// from [`StatusResponse::into_result`]. Its `Display` is the server's
/// line; `into_static()` makes it `'static` for `Box<dyn Error>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StatusError<'a>(Box<StatusResponse<'a>>);

impl<'a> StatusError<'a> {
    /// The response.
    pub fn response(&self) -> &StatusResponse<'a> {
        &self.0
    }

    /// The response, by value.
    pub fn into_response(self) -> StatusResponse<'a> {
        *self.0
    }

    /// `NO` or `BAD`; `None` for `BYE` and `PREAUTH`.
    pub fn status(&self) -> Option<Status> {
        self.0.status()
    }

    /// The response code, e.g. `[TRYCREATE]`, `[AUTHENTICATIONFAILED]`.
    pub fn code(&self) -> Option<&ResponseCode<'a>> {
        self.0.code()
    }

    /// The tag, for a tagged response.
    pub fn tag(&self) -> Option<&Tag<'a>> {
        self.0.tag()
    }
}

impl std::fmt::Display for StatusError<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "server answered {}", self.0)
    }
}

impl std::error::Error for StatusError<'_> {}

impl IntoStatic for StatusError<'_> {
    type Static = StatusError<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> StatusError<'static> {
        StatusError(self.0.into_static_in(frame))
    }
}

impl Status {
    /// Whether this is `OK`.
    pub fn is_ok(self) -> bool {
        self == Self::Ok
    }
}

/// Which status response (RFC 9051 §7.1). Only `OK`, `NO` and `BAD` can be tagged.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StatusKind<'a> {
    /// `tag OK|NO|BAD`: the completion result of a command.
    Tagged {
        /// The command's tag.
        tag: Tag<'a>,
        /// The condition.
        status: Status,
    },
    /// `* OK|NO|BAD`
    Untagged(Status),
    /// `* BYE` (RFC 9051 §7.1.5)
    Bye,
    /// `* PREAUTH` (RFC 9051 §7.1.4; only valid as a greeting, accepted anywhere)
    PreAuth,
}

/// `OK`, `NO` or `BAD` (`resp-cond-state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// `OK`: success (RFC 9051 §7.1.1).
    Ok,
    /// `NO`: operational failure (RFC 9051 §7.1.2).
    No,
    /// `BAD`: protocol-level error (RFC 9051 §7.1.3).
    Bad,
}

/// `resp-text` (RFC 9051 §9): an optional `[code]` and human-readable text.
///
/// The canonical encoding is `[CODE] text` (the space is written even when
/// the text is empty, as RFC 9051 requires). The decoder also accepts a code
/// without the space or text (`* OK [HIGHESTMODSEQ 9]`), which re-encodes
/// with the space.
///
/// Without a code, text starting with `[` would read as a code on the wire;
/// [`RespText::new`] refuses it (the decoder produces such a value only when
/// the bracket does not start a valid code, and then it re-encodes exactly).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RespText<'a> {
    code: Option<ResponseCode<'a>>,
    text: Text<'a>,
}

impl<'a> RespText<'a> {
    /// A response text; fails when there is no code and `text` starts with `[`.
    pub fn new(code: Option<ResponseCode<'a>>, text: Text<'a>) -> Result<Self, ValidationError> {
        if code.is_none() && text.as_bytes().first() == Some(&b'[') {
            return Err(ValidationError::Invalid {
                what: "resp-text",
                reason: "text without a code cannot start with [",
            });
        }
        Ok(RespText { code, text })
    }

    /// A text without a code; fails on CR, LF, NUL or a leading `[`.
    pub fn text(text: impl Into<Buf<'a>>) -> Result<Self, ValidationError> {
        RespText::new(None, Text::try_new(text)?)
    }

    /// A code with a text (fails on CR, LF or NUL in the text).
    pub fn with_code(
        code: ResponseCode<'a>,
        text: impl Into<Buf<'a>>,
    ) -> Result<Self, ValidationError> {
        RespText::new(Some(code), Text::try_new(text)?)
    }

    /// A code (if any) and a text of the application's own, made valid
    /// instead of refused: NUL, CR and LF become spaces, and a text that
    /// would read as a code (no code, a leading `[`) gets a space before
    /// it. For texts that come from elsewhere (a store's error message, a
    /// path) where a failure would only be passed on; a constant is better
    /// written with [`RespText::text`] or [`RespText::with_code`], which
    /// refuse instead of changing it.
    ///
    /// ```
    /// use imapkit_proto::{RespText, ResponseCode};
    ///
    /// let t = RespText::lossy(Some(ResponseCode::ServerBug), "disk error:\r\nEIO");
    /// assert_eq!(t.human().as_bytes(), b"disk error:  EIO");
    /// assert_eq!(RespText::lossy(None, "[x] failed").human().as_bytes(), b" [x] failed");
    /// ```
    pub fn lossy(code: Option<ResponseCode<'a>>, text: &str) -> Self {
        let mut bytes = Vec::with_capacity(text.len() + 1);
        if code.is_none() && text.starts_with('[') {
            bytes.push(b' ');
        }
        bytes.extend(
            text.bytes()
                .map(|b| if chars::is_text_char(b) { b } else { b' ' }),
        );
        Self {
            code,
            text: Text::unvalidated(bytes),
        }
    }

    /// Built by a decoder that checked the parts.
    #[doc(hidden)]
    pub fn unvalidated(code: Option<ResponseCode<'a>>, text: Text<'a>) -> Self {
        RespText { code, text }
    }

    /// The response code.
    pub fn code(&self) -> Option<&ResponseCode<'a>> {
        self.code.as_ref()
    }

    /// The human-readable text (possibly empty).
    pub fn human(&self) -> &Text<'a> {
        &self.text
    }

    /// The parts.
    pub fn into_parts(self) -> (Option<ResponseCode<'a>>, Text<'a>) {
        (self.code, self.text)
    }
}

/// A continuation request (RFC 9051 §7.6, `continue-req`): `+ text`,
/// `+ base64` (an AUTHENTICATE challenge) or a bare `+`.
///
/// The wire does not say whether the line is text or base64 (`+ abcd` is
/// both), so the value holds the line as [`RespText`]; the client knows from
/// context (an AUTHENTICATE exchange) and calls
/// [`ContinueRequest::decode_base64`]. An empty text encodes as `+ ` (the
/// decoder also accepts a bare `+`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContinueRequest<'a> {
    text: RespText<'a>,
}

impl<'a> ContinueRequest<'a> {
    /// A continuation request with a text (and optional code).
    pub fn new(text: RespText<'a>) -> Self {
        ContinueRequest { text }
    }

    /// A bare continuation request (`+ `, empty text).
    pub fn bare() -> ContinueRequest<'static> {
        ContinueRequest {
            text: RespText::unvalidated(None, Text::unvalidated(&b""[..])),
        }
    }

    /// A SASL challenge: `data` in base64 (RFC 9051 §6.2.2).
    pub fn base64(data: &[u8]) -> ContinueRequest<'static> {
        use base64::Engine as _;
        let s = base64::engine::general_purpose::STANDARD.encode(data);
        ContinueRequest {
            text: RespText::unvalidated(None, Text::unvalidated(Buf::from(s))),
        }
    }

    /// The text (and code).
    pub fn text(&self) -> &RespText<'a> {
        &self.text
    }

    /// The text as a base64 SASL challenge; `None` if it has a code or is not
    /// valid base64. An empty line is an empty challenge.
    pub fn decode_base64(&self) -> Option<Vec<u8>> {
        use base64::Engine as _;
        if self.text.code.is_some() {
            return None;
        }
        base64::engine::general_purpose::STANDARD
            .decode(self.text.text.as_bytes())
            .ok()
    }
}

impl IntoStatic for Greeting<'_> {
    type Static = Greeting<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> Greeting<'static> {
        Greeting {
            kind: self.kind,
            text: self.text.into_static_in(frame),
        }
    }
}

impl IntoStatic for Response<'_> {
    type Static = Response<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> Response<'static> {
        match self {
            Response::Status(s) => Response::Status(s.into_static_in(frame)),
            Response::Data(d) => Response::Data(d.into_static_in(frame)),
            Response::Continue(c) => Response::Continue(c.into_static_in(frame)),
        }
    }
}

impl IntoStatic for StatusResponse<'_> {
    type Static = StatusResponse<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> StatusResponse<'static> {
        StatusResponse {
            kind: match self.kind {
                StatusKind::Tagged { tag, status } => StatusKind::Tagged {
                    tag: tag.into_static_in(frame),
                    status,
                },
                StatusKind::Untagged(s) => StatusKind::Untagged(s),
                StatusKind::Bye => StatusKind::Bye,
                StatusKind::PreAuth => StatusKind::PreAuth,
            },
            text: self.text.into_static_in(frame),
        }
    }
}

impl IntoStatic for RespText<'_> {
    type Static = RespText<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> RespText<'static> {
        RespText {
            code: self.code.into_static_in(frame),
            text: self.text.into_static_in(frame),
        }
    }
}

impl IntoStatic for ContinueRequest<'_> {
    type Static = ContinueRequest<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> ContinueRequest<'static> {
        ContinueRequest {
            text: self.text.into_static_in(frame),
        }
    }
}

crate::impl_into_static_copy!(GreetingKind, Status);

/// Implements `IntoStatic` for a struct with a lifetime field by field.
macro_rules! into_static_struct {
    ($name:ident { $($f:ident),* $(,)? }) => {
        impl $crate::IntoStatic for $name<'_> {
            type Static = $name<'static>;
            fn into_static_in(self, frame: Option<&::bytes::Bytes>) -> $name<'static> {
                let _ = frame;
                $name { $($f: $crate::IntoStatic::into_static_in(self.$f, frame)),* }
            }
        }
    };
}
pub(crate) use into_static_struct;
