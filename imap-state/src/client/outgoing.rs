//! One encoded command on its way out: it stops after each synchronizing
//! literal's header until the server's `+` (RFC 9051 §4.3, §7.6).

use bytes::{Bytes, BytesMut};
use imapkit_codec::encode::{encode_fragments, EncodeOptions};
use imapkit_proto::Command;

/// An encoded command and how far it was sent.
#[derive(Debug)]
pub(crate) struct Outgoing {
    bytes: Bytes,
    /// Offsets where a synchronizing literal's data starts: the client
    /// stops there until `+`.
    stops: Vec<usize>,
    /// Bytes handed out so far.
    sent: usize,
}

/// What [`Outgoing::next_part`] handed out.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Progress {
    /// The whole command is out.
    Done,
    /// A synchronizing literal's header is out; wait for `+`.
    AwaitContinuation,
}

impl Outgoing {
    /// Encodes `command` for the server: literal syntax and UTF-8 in quoted
    /// strings as `options` say (from its capabilities and ENABLEd
    /// extensions).
    pub(crate) fn encode(command: &Command<'_>, options: &EncodeOptions) -> Self {
        let mut buf = BytesMut::new();
        let stops = encode_fragments(command, &mut buf, options)
            .filter(|f| f.waits_for_continuation())
            .map(|f| f.range().start)
            .collect();
        Self {
            bytes: buf.freeze(),
            stops,
            sent: 0,
        }
    }

    /// The next part to send, up to the next stop or the end; shares the
    /// encoded bytes.
    pub(crate) fn next_part(&mut self) -> (Bytes, Progress) {
        let end = self
            .stops
            .iter()
            .copied()
            .find(|&s| s > self.sent)
            .unwrap_or(self.bytes.len());
        let part = self.bytes.slice(self.sent..end);
        self.sent = end;
        let progress = if end == self.bytes.len() {
            Progress::Done
        } else {
            Progress::AwaitContinuation
        };
        (part, progress)
    }

    /// Whether every byte was handed out.
    #[cfg(test)]
    pub(crate) fn done(&self) -> bool {
        self.sent == self.bytes.len()
    }
}

#[cfg(test)]
mod tests {
    use imapkit_codec::{decode, Decoded, LiteralPolicy};

    use super::*;

    fn options(literals: LiteralPolicy) -> EncodeOptions {
        EncodeOptions {
            literals,
            ..EncodeOptions::default()
        }
    }

    fn command(line: &[u8]) -> Command<'_> {
        let Ok(Decoded::Complete { message, .. }) = decode::command(line) else {
            panic!()
        };
        message
    }

    #[test]
    fn stops_after_each_synchronizing_literal_header() {
        let cmd = command(b"A1 LOGIN {3}\r\nabc {4}\r\nwxyz\r\n");
        let mut out = Outgoing::encode(&cmd, &options(LiteralPolicy::SyncOnly));
        assert_eq!(
            out.next_part(),
            (
                Bytes::from_static(b"A1 LOGIN {3}\r\n"),
                Progress::AwaitContinuation
            )
        );
        assert_eq!(
            out.next_part(),
            (
                Bytes::from_static(b"abc {4}\r\n"),
                Progress::AwaitContinuation
            )
        );
        assert!(!out.done());
        assert_eq!(
            out.next_part(),
            (Bytes::from_static(b"wxyz\r\n"), Progress::Done)
        );
        assert!(out.done());
    }

    #[test]
    fn literal_plus_never_waits() {
        let cmd = command(b"A1 LOGIN {3}\r\nabc {4}\r\nwxyz\r\n");
        let mut out = Outgoing::encode(&cmd, &options(LiteralPolicy::NonSyncAll));
        assert_eq!(
            out.next_part(),
            (
                Bytes::from_static(b"A1 LOGIN {3+}\r\nabc {4+}\r\nwxyz\r\n"),
                Progress::Done
            )
        );
    }
}
