//! The draft forms of message previews that Dovecot 2.3 speaks: `SNIPPET`
//! (draft-ietf-extra-imap-fetch-snippet-00, capability `SNIPPET=FUZZY`) and
//! `PREVIEW` with an algorithm (the drafts of draft-ietf-extra-imap-fetch-preview
//! before RFC 8970, capability `PREVIEW=FUZZY`).
//!
//! The FETCH item names an algorithm and may ask for laziness, the response
//! names the algorithm that made the text:
//!
//! ```text
//! C: a4 FETCH 1:2 (SNIPPET (LAZY=FUZZY))
//! S: * 1 FETCH (SNIPPET (FUZZY "Hello world, this is a snippet test body."))
//! S: * 2 FETCH (SNIPPET (FUZZY NIL))
//! ```
//!
//! RFC 8970 dropped the algorithms: its `PREVIEW` and `PREVIEW (LAZY)` are
//! [`FetchAttribute::Preview`](crate::FetchAttribute::Preview) and its
//! response [`MessageDataItem::Preview`](crate::MessageDataItem::Preview).
//! The grammar here follows what Dovecot 2.3.19 accepts and sends (recorded
//! in `imap-codec/tests/data/dovecot/snippet.*`): a modifier is an
//! algorithm, `LAZY`, or `LAZY=` and an algorithm; the response is
//! `SNIPPET (algorithm nstring)` or `PREVIEW (algorithm nstring)`.

use std::fmt;

use bytes::Bytes;

use crate::buf::IntoStatic;
use crate::core::Atom;
use crate::error::ValidationError;

/// Which item name a draft preview uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SnippetName {
    /// `SNIPPET` (draft-ietf-extra-imap-fetch-snippet-00, `SNIPPET=FUZZY`).
    Snippet,
    /// `PREVIEW` with an algorithm (draft-ietf-extra-imap-fetch-preview
    /// before RFC 8970, `PREVIEW=FUZZY`).
    Preview,
}

impl SnippetName {
    /// The item name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Snippet => "SNIPPET",
            Self::Preview => "PREVIEW",
        }
    }
}

/// A snippet algorithm: `FUZZY` (the only one the drafts define) or another
/// atom.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SnippetAlgorithm<'a> {
    /// `FUZZY`: any text the server finds useful as a preview.
    Fuzzy,
    /// Another algorithm; never `FUZZY`, `LAZY` or `LAZY=...` (any case),
    /// which would read as something else.
    Other(Atom<'a>),
}

impl<'a> SnippetAlgorithm<'a> {
    /// The algorithm named `atom`: `FUZZY` in any case is
    /// [`SnippetAlgorithm::Fuzzy`]; `LAZY` and `LAZY=...` are refused (they
    /// are modifiers, not algorithms).
    pub fn from_atom(atom: Atom<'a>) -> Result<Self, ValidationError> {
        let b = atom.as_bytes();
        if b.eq_ignore_ascii_case(b"FUZZY") {
            return Ok(Self::Fuzzy);
        }
        if is_lazy(b) {
            return Err(ValidationError::Invalid {
                what: "snippet algorithm",
                reason: "LAZY is a modifier",
            });
        }
        Ok(Self::Other(atom))
    }

    /// The name as on the wire.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Fuzzy => b"FUZZY",
            Self::Other(a) => a.as_bytes(),
        }
    }
}

impl<'a> TryFrom<&'a str> for SnippetAlgorithm<'a> {
    type Error = ValidationError;
    fn try_from(s: &'a str) -> Result<Self, ValidationError> {
        Self::from_atom(Atom::try_from(s)?)
    }
}

impl fmt::Display for SnippetAlgorithm<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(self.as_bytes()))
    }
}

/// Whether an atom reads as the `LAZY` modifier: `LAZY` or `LAZY=...`.
fn is_lazy(b: &[u8]) -> bool {
    b.len() >= 4 && b[..4].eq_ignore_ascii_case(b"LAZY") && (b.len() == 4 || b[4] == b'=')
}

/// A modifier of a draft preview item.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SnippetModifier<'a> {
    /// An algorithm the server must use: `FUZZY`.
    Algorithm(SnippetAlgorithm<'a>),
    /// `LAZY` or `LAZY=algorithm`: only if the server has the text at hand
    /// (else it answers `NIL`).
    Lazy(Option<SnippetAlgorithm<'a>>),
}

/// A draft preview FETCH item: `SNIPPET`, `SNIPPET (LAZY=FUZZY)`, `PREVIEW
/// (FUZZY)`, ...
///
/// Built by [`SnippetRequest::snippet`] or [`SnippetRequest::preview`],
/// which refuse what would read as something else, so that every value
/// decodes back to itself:
///
/// - `PREVIEW` and `PREVIEW (LAZY)` are RFC 8970's own (use
///   [`FetchAttribute::Preview`](crate::FetchAttribute::Preview));
/// - a list that starts with an algorithm other than `FUZZY` reads, after
///   a single item (`FETCH 1 SNIPPET (X)`), as the command's FETCH
///   modifiers: the first modifier must be `FUZZY`, `LAZY` or `LAZY=...`
///   (Dovecot refuses other algorithms anyway).
///
/// ```
/// use imapkit_proto::{FetchAttribute, SnippetAlgorithm, SnippetModifier, SnippetRequest};
///
/// let item = FetchAttribute::Snippet(SnippetRequest::lazy_fuzzy());
/// assert_eq!(item.to_string(), "SNIPPET (LAZY=FUZZY)");
/// let lazy = [SnippetModifier::Lazy(None)];
/// assert!(SnippetRequest::preview(lazy.clone()).is_err()); // RFC 8970's PREVIEW (LAZY)
/// assert!(SnippetRequest::snippet(lazy).is_ok());
/// assert!(SnippetRequest::preview([SnippetModifier::Algorithm(SnippetAlgorithm::Fuzzy)]).is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SnippetRequest<'a> {
    name: SnippetName,
    modifiers: Vec<SnippetModifier<'a>>,
}

impl<'a> SnippetRequest<'a> {
    /// `SNIPPET` with these modifiers (`SNIPPET` alone when there are none).
    /// Refused when the first is an algorithm other than `FUZZY`.
    pub fn snippet(
        modifiers: impl Into<Vec<SnippetModifier<'a>>>,
    ) -> Result<Self, ValidationError> {
        Self::checked(SnippetName::Snippet, modifiers.into())
    }

    /// `SNIPPET (LAZY=FUZZY)`: what Dovecot's own clients ask for.
    pub fn lazy_fuzzy() -> Self {
        Self {
            name: SnippetName::Snippet,
            modifiers: vec![SnippetModifier::Lazy(Some(SnippetAlgorithm::Fuzzy))],
        }
    }

    /// `PREVIEW (modifiers)` in its draft form. Refused without modifiers
    /// or with `LAZY` alone (RFC 8970's `PREVIEW` and `PREVIEW (LAZY)`), and
    /// when the first is an algorithm other than `FUZZY`.
    pub fn preview(
        modifiers: impl Into<Vec<SnippetModifier<'a>>>,
    ) -> Result<Self, ValidationError> {
        let modifiers = modifiers.into();
        if let [] | [SnippetModifier::Lazy(None)] = modifiers.as_slice() {
            return Err(ValidationError::Invalid {
                what: "PREVIEW item",
                reason: "without an algorithm it is RFC 8970's PREVIEW",
            });
        }
        Self::checked(SnippetName::Preview, modifiers)
    }

    fn checked(
        name: SnippetName,
        modifiers: Vec<SnippetModifier<'a>>,
    ) -> Result<Self, ValidationError> {
        if let Some(SnippetModifier::Algorithm(SnippetAlgorithm::Other(_))) = modifiers.first() {
            return Err(ValidationError::Invalid {
                what: "snippet modifiers",
                reason: "the first must be FUZZY, LAZY or LAZY=...",
            });
        }
        Ok(Self { name, modifiers })
    }

    /// The item name.
    pub fn name(&self) -> SnippetName {
        self.name
    }

    /// The modifiers, in order (empty for a bare `SNIPPET`).
    pub fn modifiers(&self) -> &[SnippetModifier<'a>] {
        &self.modifiers
    }

    /// Whether the client asked for laziness (`LAZY` or `LAZY=...`).
    pub fn is_lazy(&self) -> bool {
        self.modifiers
            .iter()
            .any(|m| matches!(m, SnippetModifier::Lazy(_)))
    }
}

impl IntoStatic for SnippetAlgorithm<'_> {
    type Static = SnippetAlgorithm<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> SnippetAlgorithm<'static> {
        match self {
            Self::Fuzzy => SnippetAlgorithm::Fuzzy,
            Self::Other(a) => SnippetAlgorithm::Other(a.into_static_in(f)),
        }
    }
}

impl IntoStatic for SnippetModifier<'_> {
    type Static = SnippetModifier<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> SnippetModifier<'static> {
        match self {
            Self::Algorithm(a) => SnippetModifier::Algorithm(a.into_static_in(f)),
            Self::Lazy(a) => SnippetModifier::Lazy(a.map(|a| a.into_static_in(f))),
        }
    }
}

impl IntoStatic for SnippetRequest<'_> {
    type Static = SnippetRequest<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> SnippetRequest<'static> {
        SnippetRequest {
            name: self.name,
            modifiers: self
                .modifiers
                .into_iter()
                .map(|m| m.into_static_in(f))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithms_that_read_as_something_else_are_refused_or_normalised() {
        assert_eq!(
            SnippetAlgorithm::try_from("fuzzy"),
            Ok(SnippetAlgorithm::Fuzzy)
        );
        assert!(SnippetAlgorithm::try_from("LAZY").is_err());
        assert!(SnippetAlgorithm::try_from("lazy=FUZZY").is_err());
        assert!(matches!(
            SnippetAlgorithm::try_from("LAZYBONES"),
            Ok(SnippetAlgorithm::Other(_))
        ));
        assert!(SnippetAlgorithm::try_from("A B").is_err());
    }

    #[test]
    fn preview_without_an_algorithm_is_rfc_8970s() {
        assert!(SnippetRequest::preview(Vec::new()).is_err());
        assert!(SnippetRequest::preview([SnippetModifier::Lazy(None)]).is_err());
        let r = SnippetRequest::preview([
            SnippetModifier::Lazy(None),
            SnippetModifier::Algorithm(SnippetAlgorithm::Fuzzy),
        ])
        .unwrap();
        assert!(r.is_lazy());
        assert_eq!(r.name(), SnippetName::Preview);
        assert!(SnippetRequest::snippet(Vec::new())
            .unwrap()
            .modifiers()
            .is_empty());
        let x = SnippetAlgorithm::try_from("X").unwrap();
        assert!(SnippetRequest::snippet([SnippetModifier::Algorithm(x.clone())]).is_err());
        assert!(SnippetRequest::snippet([
            SnippetModifier::Lazy(None),
            SnippetModifier::Algorithm(x)
        ])
        .is_ok());
    }
}
