//! What the peer supports, as the encoder needs it: literal syntax
//! (RFC 7888) and UTF-8 in quoted strings (RFC 6855, RFC 9051).

use crate::{Capability, LiteralMode};

/// Which literal syntax to write, given what the peer supports (RFC 7888).
///
/// A value keeps the mode it was built or decoded with; a client encodes for
/// the server it talks to with one of these (see
/// [`LiteralPolicy::for_capabilities`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LiteralPolicy {
    /// Write each literal with its own mode (the default).
    #[default]
    AsGiven,
    /// The peer has neither LITERAL+ nor LITERAL-: every literal is
    /// synchronizing (`{n}`).
    SyncOnly,
    /// LITERAL- (RFC 7888 §5): literals of up to this many bytes
    /// ([`LITERAL_MINUS_MAX`]) are non-synchronizing (`{n+}`), longer ones
    /// synchronizing (`{n}`).
    NonSyncUpTo(u32),
    /// LITERAL+: every literal is non-synchronizing (`{n+}`), so the client
    /// never waits for a continuation request.
    NonSyncAll,
}

/// The largest non-synchronizing literal a LITERAL- server accepts (RFC 7888 §5).
pub const LITERAL_MINUS_MAX: u32 = 4096;

impl LiteralPolicy {
    /// The mode to write for a literal of `len` bytes built with `mode`.
    pub fn mode_for(self, mode: LiteralMode, len: usize) -> LiteralMode {
        match self {
            Self::AsGiven => mode,
            Self::SyncOnly => LiteralMode::Sync,
            Self::NonSyncUpTo(max) if len <= max as usize => LiteralMode::NonSync,
            Self::NonSyncUpTo(_) => LiteralMode::Sync,
            Self::NonSyncAll => LiteralMode::NonSync,
        }
    }

    /// The policy for a server with these capabilities: `LITERAL+` gives
    /// [`NonSyncAll`](Self::NonSyncAll), `LITERAL-` or `IMAP4rev2` (which
    /// includes LITERAL-, RFC 9051 §4.3) gives
    /// [`NonSyncUpTo`](Self::NonSyncUpTo)`(`[`LITERAL_MINUS_MAX`]`)`, anything
    /// else [`SyncOnly`](Self::SyncOnly).
    ///
    /// ```
    /// use imapkit_proto::encode::{LiteralPolicy, LITERAL_MINUS_MAX};
    /// use imapkit_proto::Capability;
    ///
    /// let caps = [Capability::Imap4Rev1, Capability::LiteralPlus, Capability::Idle];
    /// assert_eq!(LiteralPolicy::for_capabilities(&caps), LiteralPolicy::NonSyncAll);
    /// let caps = [Capability::Imap4Rev2];
    /// assert_eq!(LiteralPolicy::for_capabilities(&caps), LiteralPolicy::NonSyncUpTo(LITERAL_MINUS_MAX));
    /// assert_eq!(LiteralPolicy::for_capabilities(&[]), LiteralPolicy::SyncOnly);
    /// ```
    pub fn for_capabilities<'c, 'x: 'c>(
        capabilities: impl IntoIterator<Item = &'c Capability<'x>>,
    ) -> Self {
        let mut policy = Self::SyncOnly;
        for c in capabilities {
            match c {
                Capability::LiteralPlus => return Self::NonSyncAll,
                Capability::LiteralMinus | Capability::Imap4Rev2 => {
                    policy = Self::NonSyncUpTo(LITERAL_MINUS_MAX)
                }
                _ => {}
            }
        }
        policy
    }
}

/// How to write a message for one peer: the literal syntax it takes and
/// whether it takes UTF-8 in quoted strings.
///
/// `EncodeOptions::default()` writes literals in their own mode and no
/// 8-bit quoted strings: safe for any IMAP4rev1 peer that has announced
/// nothing, as long as the values' literals are synchronizing (the default
/// for built literals).
///
/// ```
/// use imapkit_proto::encode::{EncodeOptions, LiteralPolicy};
///
/// // A server that announced LITERAL+, after `ENABLE UTF8=ACCEPT`:
/// let options = EncodeOptions {
///     literals: LiteralPolicy::NonSyncAll,
///     utf8: true,
///     ..EncodeOptions::default()
/// };
/// # let _ = options;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EncodeOptions {
    /// Which literal syntax to write (RFC 7888): from the peer's LITERAL+ /
    /// LITERAL- capability ([`LiteralPolicy::for_capabilities`]).
    pub literals: LiteralPolicy,
    /// The peer takes UTF-8 in quoted strings: IMAP4rev2 is in use, or
    /// `ENABLE UTF8=ACCEPT` succeeded (RFC 6855 §3, RFC 9051 §4.3). When
    /// false, a quoted string holding non-ASCII bytes is written as a
    /// literal; when true, only one holding invalid UTF-8 is.
    pub utf8: bool,
    /// The peer takes UTF-8 in human-readable `text` (response text): an
    /// IMAP4rev2 session (RFC 9051 §9: "Non-ASCII text can only be
    /// returned after ENABLE IMAP4rev2"; RFC 6855's UTF8=ACCEPT extends
    /// quoted strings only). When false, each non-ASCII character of a
    /// text is written as `?`; when true, only invalid UTF-8 is. The
    /// arguments of response codes are 7-bit for every peer (`TEXT-CHAR`
    /// in both RFCs).
    pub utf8_text: bool,
}

/// How the encoder writes a quoted string (private: set through
/// [`EncodeOptions`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strings {
    /// As the value holds it (plain `encode`): quoted stays quoted.
    AsGiven,
    /// Non-ASCII content goes as a literal.
    Ascii,
    /// Valid UTF-8 stays quoted; other 8-bit content goes as a literal.
    Utf8,
}
