//! Framer configuration: direction and limits.

/// Which peer's messages a [`Framer`](super::Framer) splits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Responses (a client reads them): `+` continuation requests, untagged
    /// `*` responses and tagged status responses (RFC 9051 §7).
    ServerToClient,
    /// Commands (a server reads them), RFC 9051 §6.
    ClientToServer,
}

/// Limits and options of a [`Framer`](super::Framer).
///
/// Build one with [`FramerConfig::new`] and change the public fields:
///
/// ```
/// use imapkit_codec::framer::{Direction, FramerConfig};
///
/// let mut config = FramerConfig::new(Direction::ClientToServer);
/// config.max_literal = 64 * 1024; // small literals except in APPEND
/// config.stream_literals_above = Some(1024 * 1024);
/// ```
///
/// Every limit is checked before the framer buffers the bytes it protects:
/// a message never makes the framer hold more than `max_message` bytes
/// (streamed literal data excluded), and a line is rejected once
/// `max_line + 2` bytes of it have arrived without a line end.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct FramerConfig {
    /// Whose messages are framed: decides where literal syntax is a literal
    /// and whether a synchronizing literal's data follows at once.
    pub direction: Direction,
    /// Most bytes in one line, not counting its CRLF. A line is the text
    /// between the start of a message or the end of a literal's data and the
    /// next line end. Default [`FramerConfig::DEFAULT_MAX_LINE`] (64 KiB).
    pub max_line: usize,
    /// Largest literal accepted, except in APPEND commands.
    /// Default [`FramerConfig::DEFAULT_MAX_LITERAL`] (64 MiB).
    pub max_literal: u64,
    /// Largest literal accepted in a command whose name (after the tag) is
    /// `APPEND`, matched case-insensitively; applies to all of its literals.
    /// Only used for [`Direction::ClientToServer`].
    /// Default [`FramerConfig::DEFAULT_MAX_APPEND_LITERAL`] (64 MiB).
    pub max_append_literal: u64,
    /// Most bytes the framer buffers for one message: all its lines, line
    /// ends and literal data, except the data of streamed literals.
    /// Default [`FramerConfig::DEFAULT_MAX_MESSAGE`] (96 MiB).
    pub max_message: usize,
    /// Deepest nesting of parentheses (outside quoted strings and literals).
    /// Not checked in status responses, continuation requests and line mode,
    /// where parentheses are free text. Default [`FramerConfig::DEFAULT_MAX_DEPTH`] (64).
    pub max_depth: u32,
    /// Most items in one list: in each parenthesised list, and at the top
    /// level of a message (its SP-separated tokens, the tag or `*` and the
    /// name included: `* SEARCH 2 3 5` has 5; at least 2 always pass).
    /// A quoted string, a literal and a nested list are one item each; extra
    /// spaces count nothing. Not checked where [`max_depth`](Self::max_depth)
    /// is not. Bounds what a decoder allocates for one list, which
    /// `max_message` alone does not: a list of empty literals (`{0}` and a
    /// line end, 5 bytes each) could otherwise hold millions of items.
    /// Default [`FramerConfig::DEFAULT_MAX_LIST_ITEMS`] (32,768).
    pub max_list_items: u32,
    /// Literals longer than this many bytes are not buffered: their data is
    /// handed out as [`FrameEvent::LiteralChunk`](super::FrameEvent::LiteralChunk)s.
    /// Default `None` (every literal is buffered inside its frame).
    pub stream_literals_above: Option<u64>,
    /// Size of each [`FrameEvent::LiteralChunk`](super::FrameEvent::LiteralChunk)
    /// but the last of a streamed literal (0 counts as 1).
    /// Default [`FramerConfig::DEFAULT_STREAM_CHUNK`] (64 KiB).
    pub stream_chunk: usize,
    /// Report every literal with
    /// [`FrameEvent::LiteralAnnounced`](super::FrameEvent::LiteralAnnounced)
    /// before its data. Default `true` for commands (a server must answer a
    /// synchronizing literal), `false` for responses.
    pub announce_literals: bool,
    /// Accept a lone LF as a line end, as some servers send. Default `false`:
    /// a lone LF is a [`FrameErrorKind::BareLf`](super::FrameErrorKind::BareLf).
    pub lenient_lf: bool,
}

impl FramerConfig {
    /// Default [`max_line`](Self::max_line): 64 KiB.
    pub const DEFAULT_MAX_LINE: usize = 64 * 1024;
    /// Default [`max_literal`](Self::max_literal): 64 MiB.
    pub const DEFAULT_MAX_LITERAL: u64 = 64 * 1024 * 1024;
    /// Default [`max_append_literal`](Self::max_append_literal): 64 MiB.
    pub const DEFAULT_MAX_APPEND_LITERAL: u64 = 64 * 1024 * 1024;
    /// Default [`max_message`](Self::max_message): 96 MiB.
    pub const DEFAULT_MAX_MESSAGE: usize = 96 * 1024 * 1024;
    /// Default [`max_depth`](Self::max_depth): 64.
    pub const DEFAULT_MAX_DEPTH: u32 = 64;
    /// Default [`max_list_items`](Self::max_list_items): 32,768, the most
    /// items a line of [`DEFAULT_MAX_LINE`](Self::DEFAULT_MAX_LINE) bytes can
    /// hold in one list (an item takes a byte and its separator). So with
    /// the default line limit the item limit never rejects a one-line
    /// message, such as a `* SEARCH`, `* SORT` or `* ESEARCH` answer of a
    /// large mailbox, that the line limit accepts; it only bounds lists that
    /// span lines through literals. If you raise `max_line` to accept longer
    /// answers, raise this to `max_line / 2` as well.
    pub const DEFAULT_MAX_LIST_ITEMS: u32 = 32 * 1024;
    /// Default [`stream_chunk`](Self::stream_chunk): 64 KiB.
    pub const DEFAULT_STREAM_CHUNK: usize = 64 * 1024;

    /// The defaults for one direction.
    pub fn new(direction: Direction) -> Self {
        Self {
            direction,
            max_line: Self::DEFAULT_MAX_LINE,
            max_literal: Self::DEFAULT_MAX_LITERAL,
            max_append_literal: Self::DEFAULT_MAX_APPEND_LITERAL,
            max_message: Self::DEFAULT_MAX_MESSAGE,
            max_depth: Self::DEFAULT_MAX_DEPTH,
            max_list_items: Self::DEFAULT_MAX_LIST_ITEMS,
            stream_literals_above: None,
            stream_chunk: Self::DEFAULT_STREAM_CHUNK,
            announce_literals: direction == Direction::ClientToServer,
            lenient_lf: false,
        }
    }
}
