//! Encoding a message as fragments: the bytes to send at once, and the
//! literal data a client may only send after the server's `+`.

use std::iter::FusedIterator;
use std::ops::Range;

use bytes::BufMut;

use crate::LiteralMode;

use super::{Encode, EncodeOptions, LiteralMark, Writer};

/// A piece of an encoded message: a range of the buffer it was encoded into
/// (offsets from the start of that buffer, not of the message), and what
/// sending it requires.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Fragment {
    /// Protocol bytes, to send as they are. When a literal follows, the
    /// line ends with its header (`{5}\r\n`).
    Line(Range<usize>),
    /// A literal's data. With [`LiteralMode::Sync`] the client sends it only
    /// after the server's continuation request (`+`), and sends nothing more
    /// if the server answers with a tagged `NO` or `BAD` instead (RFC 9051
    /// §4.3, §7.6); with [`LiteralMode::NonSync`] at once (RFC 7888).
    Literal {
        /// The data.
        range: Range<usize>,
        /// Whether the sender waits for `+` first.
        mode: LiteralMode,
    },
}

impl Fragment {
    /// The bytes of this fragment in the buffer.
    pub fn range(&self) -> Range<usize> {
        match self {
            Self::Line(r) | Self::Literal { range: r, .. } => r.clone(),
        }
    }

    /// Whether the sender must wait for the server's `+` before sending
    /// this fragment (a synchronizing literal's data).
    pub fn waits_for_continuation(&self) -> bool {
        matches!(
            self,
            Self::Literal {
                mode: LiteralMode::Sync,
                ..
            }
        )
    }
}

/// The fragments of one encoded message, in order (see [`encode_fragments`]).
///
/// Lines and literals alternate; empty lines are left out. Concatenated,
/// the ranges cover exactly the bytes the message was encoded to.
#[derive(Debug, Clone)]
pub struct Fragments {
    /// Start of the next fragment.
    pos: usize,
    /// End of the message in the buffer.
    end: usize,
    /// The literals' data, with offsets into the buffer, in order.
    literals: std::vec::IntoIter<LiteralMark>,
    /// The literal whose header ends the line just yielded.
    pending: Option<LiteralMark>,
}

impl Fragments {
    /// Whether any literal of the message makes the sender wait for `+`.
    pub fn has_sync_literal(&self) -> bool {
        self.pending.is_some_and(|m| m.mode == LiteralMode::Sync)
            || self
                .literals
                .as_slice()
                .iter()
                .any(|m| m.mode == LiteralMode::Sync)
    }

    /// The range of the whole message in the buffer (what remains of it,
    /// once fragments were taken).
    pub fn remaining(&self) -> Range<usize> {
        self.pos..self.end
    }
}

impl Iterator for Fragments {
    type Item = Fragment;

    fn next(&mut self) -> Option<Fragment> {
        if let Some(m) = self.pending.take() {
            let range = m.offset..m.offset + m.len as usize;
            self.pos = range.end;
            return Some(Fragment::Literal {
                range,
                mode: m.mode,
            });
        }
        match self.literals.next() {
            Some(m) => {
                // Never empty: the literal's header precedes its data.
                let line = self.pos..m.offset;
                self.pos = m.offset;
                self.pending = Some(m);
                Some(Fragment::Line(line))
            }
            None if self.pos < self.end => {
                let line = self.pos..self.end;
                self.pos = self.end;
                Some(Fragment::Line(line))
            }
            None => None,
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let literals = self.literals.len() + usize::from(self.pending.is_some());
        (literals, Some(2 * literals + 1))
    }
}

impl FusedIterator for Fragments {}

/// Appends `msg` to `buf`, written for a peer as `options` say, and returns
/// its [`Fragment`]s with offsets into `buf`: the one way to send a command
/// that may hold literals.
///
/// Send each fragment's bytes in order; before a fragment for which
/// [`Fragment::waits_for_continuation`] holds, wait for the server's `+`
/// (a synchronizing literal, RFC 9051 §4.3). A command without literals is
/// one [`Fragment::Line`].
///
/// ```
/// use imapkit_proto::encode::{encode_fragments, EncodeOptions, Fragment, LiteralPolicy};
/// use imapkit_proto::{Charset, Command, CommandBody, LiteralMode, SearchBuilder, SearchKey, TagGenerator};
///
/// let mut tags = TagGenerator::default();
/// let mut out = b"A0 NOOP\r\n".to_vec(); // bytes not sent yet
/// let message = b"Subject: hi\r\n\r\nhi\r\n";
/// let append = Command::new(tags.next_tag(), CommandBody::append("Drafts", message).unwrap());
///
/// let fragments: Vec<Fragment> =
///     encode_fragments(&append, &mut out, &EncodeOptions::default()).collect();
/// assert_eq!(out, b"A0 NOOP\r\nA1 APPEND Drafts {19}\r\nSubject: hi\r\n\r\nhi\r\n\r\n");
/// assert_eq!(
///     fragments,
///     [
///         Fragment::Line(9..32), // "A1 APPEND Drafts {19}\r\n"
///         Fragment::Literal { range: 32..51, mode: LiteralMode::Sync },
///         Fragment::Line(51..53), // "\r\n"
///     ]
/// );
/// # let mut sent = b"A0 NOOP\r\n".to_vec();
/// for f in &fragments {
///     if f.waits_for_continuation() {
///         // Read responses until "+ ..." (or a tagged NO/BAD: then stop).
///     }
///     # sent.extend_from_slice(&out[f.range()]);
///     // socket.write_all(&out[f.range()])?;
/// }
/// # assert_eq!(sent, out);
///
/// // With LITERAL+, nothing waits: the literal is `{19+}`.
/// let literal_plus = EncodeOptions { literals: LiteralPolicy::NonSyncAll, ..EncodeOptions::default() };
/// out.clear();
/// assert!(encode_fragments(&append, &mut out, &literal_plus).all(|f| !f.waits_for_continuation()));
/// assert!(out.starts_with(b"A1 APPEND Drafts {19+}\r\n"));
///
/// // UTF-8 text goes as a literal to a server without UTF-8 support...
/// let subject = SearchKey::Subject("Grüße".into());
/// let search = SearchBuilder::new(subject.clone()).charset(Charset::utf8());
/// let search = Command::new(tags.next_tag(), search);
/// out.clear();
/// assert_eq!(encode_fragments(&search, &mut out, &EncodeOptions::default()).count(), 3);
/// assert_eq!(out, "A2 SEARCH CHARSET UTF-8 SUBJECT {7}\r\nGrüße\r\n".as_bytes());
///
/// // ... and as a quoted string after ENABLE UTF8=ACCEPT (RFC 6855 §3).
/// let utf8 = EncodeOptions { utf8: true, ..EncodeOptions::default() };
/// let search = Command::new(tags.next_tag(), CommandBody::search(subject));
/// out.clear();
/// let fragments: Vec<Fragment> = encode_fragments(&search, &mut out, &utf8).collect();
/// assert_eq!(out, "A3 SEARCH SUBJECT \"Grüße\"\r\n".as_bytes());
/// assert_eq!(fragments, [Fragment::Line(0..out.len())]);
/// ```
pub fn encode_fragments<B, T>(msg: &T, buf: &mut B, options: &EncodeOptions) -> Fragments
where
    B: BufMut + AsRef<[u8]>,
    T: Encode + ?Sized,
{
    let start = buf.as_ref().len();
    let mut marks = Vec::new();
    let mut w = Writer::with_marks(buf, &mut marks).with_options(options);
    msg.encode(&mut w);
    let written = w.written();
    for m in &mut marks {
        m.offset += start;
    }
    Fragments {
        pos: start,
        end: start + written,
        literals: marks.into_iter(),
        pending: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A message of two literals with text around them.
    struct Two;

    impl Encode for Two {
        fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
            w.put(b"A ");
            w.put_literal(b"abc", LiteralMode::Sync, false);
            w.put(b" ");
            w.put_literal(b"de", LiteralMode::NonSync, true);
            w.put(b"\r\n");
        }
    }

    #[test]
    fn offsets_count_from_the_start_of_the_buffer() {
        let mut out = b"xyz".to_vec();
        let f = encode_fragments(&Two, &mut out, &EncodeOptions::default());
        assert!(f.has_sync_literal());
        assert_eq!(f.remaining(), 3..out.len());
        let f: Vec<Fragment> = f.collect();
        assert_eq!(&out[3..], b"A {3}\r\nabc ~{2+}\r\nde\r\n");
        assert_eq!(
            f,
            [
                Fragment::Line(3..10),
                Fragment::Literal {
                    range: 10..13,
                    mode: LiteralMode::Sync
                },
                Fragment::Line(13..21),
                Fragment::Literal {
                    range: 21..23,
                    mode: LiteralMode::NonSync
                },
                Fragment::Line(23..25),
            ]
        );
        // The ranges tile the message.
        let joined: Vec<u8> = f.iter().flat_map(|x| out[x.range()].to_vec()).collect();
        assert_eq!(joined, &out[3..]);
    }

    #[test]
    fn a_literal_at_the_end_leaves_no_empty_line() {
        struct End;
        impl Encode for End {
            fn encode<B: BufMut>(&self, w: &mut Writer<'_, B>) {
                w.put_literal(b"abc", LiteralMode::Sync, false);
            }
        }
        let mut out = Vec::new();
        let f: Vec<Fragment> =
            encode_fragments(&End, &mut out, &EncodeOptions::default()).collect();
        assert_eq!(
            f,
            [
                Fragment::Line(0..5),
                Fragment::Literal {
                    range: 5..8,
                    mode: LiteralMode::Sync
                }
            ]
        );
        let mut out = Vec::new();
        let f = encode_fragments(&crate::IdleDone, &mut out, &EncodeOptions::default());
        assert!(!f.has_sync_literal());
        assert_eq!(f.collect::<Vec<_>>(), [Fragment::Line(0..6)]);
    }
}
