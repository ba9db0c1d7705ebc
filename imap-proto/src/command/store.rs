//! STORE arguments (RFC 9051 §6.4.6, RFC 7162 `UNCHANGEDSINCE`, Gmail labels).

use bytes::Bytes;

use crate::response::GmailLabel;

use super::ExtParam;
use crate::buf::IntoStatic;
use crate::flag::Flag;

/// How STORE changes the flags: `FLAGS`, `+FLAGS` or `-FLAGS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoreAction {
    /// `FLAGS`: replace.
    Replace,
    /// `+FLAGS`: add.
    Add,
    /// `-FLAGS`: remove.
    Remove,
}

/// What STORE changes.
///
/// Flags are always encoded as a parenthesised `flag-list`; the decoder
/// also accepts the unparenthesised `flag *(SP flag)` form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StoreTarget<'a> {
    /// `FLAGS (...)`
    Flags(Vec<Flag<'a>>),
    /// `X-GM-LABELS (...)` (Gmail)
    GmailLabels(Vec<GmailLabel<'a>>),
}

/// A `store-modifier` (RFC 4466 §2.5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StoreModifier<'a> {
    /// `UNCHANGEDSINCE modseq` (RFC 7162 §3.1.3; `0` allowed)
    UnchangedSince(u64),
    /// Any other modifier; never `UNCHANGEDSINCE`.
    Other(ExtParam<'a>),
}

impl IntoStatic for StoreTarget<'_> {
    type Static = StoreTarget<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> StoreTarget<'static> {
        match self {
            Self::Flags(l) => StoreTarget::Flags(l.into_static_in(f)),
            Self::GmailLabels(l) => StoreTarget::GmailLabels(l.into_static_in(f)),
        }
    }
}

impl IntoStatic for StoreModifier<'_> {
    type Static = StoreModifier<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> StoreModifier<'static> {
        match self {
            Self::UnchangedSince(n) => StoreModifier::UnchangedSince(n),
            Self::Other(p) => StoreModifier::Other(p.into_static_in(f)),
        }
    }
}

crate::impl_into_static_copy!(StoreAction);
