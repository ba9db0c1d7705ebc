//! COMPRESS=DEFLATE (RFC 4978): raw DEFLATE (RFC 1951, no zlib header) in
//! both directions, flushed at the end of each batch of output so the server
//! can read every command at once.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

/// The two DEFLATE streams of a compressed connection.
#[derive(Debug)]
pub(crate) struct Deflate {
    out: Compress,
    inp: Decompress,
}

/// The compressed stream from the peer is corrupt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CorruptStream;

/// How much inflated data one step produces at most: input is inflated and
/// framed in pieces of this size, so a small compressed input that inflates
/// to a huge one never sits in memory whole.
pub(crate) const INFLATE_PIECE: usize = 64 * 1024;

impl Deflate {
    pub(crate) fn new() -> Self {
        Self {
            out: Compress::new(Compression::default(), false),
            inp: Decompress::new(false),
        }
    }

    /// Deflates `data` into `buf` and ends with a sync flush, so the peer
    /// can inflate everything written so far.
    pub(crate) fn deflate(&mut self, data: &[u8], buf: &mut Vec<u8>) {
        let mut input = data;
        loop {
            if buf.capacity() - buf.len() < 64 {
                buf.reserve((input.len() / 2).max(1024));
            }
            let before = self.out.total_in();
            // Writes into the spare capacity only; with room to write,
            // compressing into memory does not fail.
            let _ = self.out.compress_vec(input, buf, FlushCompress::Sync);
            input = &input[(self.out.total_in() - before) as usize..];
            // The sync flush is complete once all input is in and the
            // output did not fill the room it had.
            if input.is_empty() && buf.len() < buf.capacity() {
                break;
            }
        }
    }

    /// Inflates as much of `input` as gives at most [`INFLATE_PIECE`] bytes
    /// into `out` (cleared first); returns how many input bytes were used.
    ///
    /// Bytes after the end of the peer's stream (a final DEFLATE block) are
    /// an error too: the inflater would never use them, and a caller that
    /// keeps unused input for the next call would keep them all (RFC 4978
    /// compresses everything after COMPRESS for the rest of the
    /// connection; a stream that ends has nothing that may follow it).
    pub(crate) fn inflate(
        &mut self,
        input: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<usize, CorruptStream> {
        out.clear();
        out.reserve(INFLATE_PIECE);
        let before = self.inp.total_in();
        let status = self
            .inp
            .decompress_vec(input, out, FlushDecompress::Sync)
            .map_err(|_| CorruptStream)?;
        let used = (self.inp.total_in() - before) as usize;
        if status == Status::StreamEnd && used < input.len() {
            return Err(CorruptStream);
        }
        Ok(used)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_in_pieces() {
        let mut a = Deflate::new();
        let mut b = Deflate::new();
        let text: Vec<u8> = (0..200_000u32)
            .flat_map(|i| format!("* {i} EXISTS\r\n").into_bytes())
            .collect();
        let mut wire = Vec::new();
        a.deflate(&text[..1000], &mut wire);
        a.deflate(&text[1000..], &mut wire);
        assert!(wire.len() < text.len() / 5);
        let mut got = Vec::new();
        let mut piece = Vec::new();
        let mut input = &wire[..];
        // Feed 7 bytes at a time, as a socket might.
        let mut pending = Vec::new();
        while !input.is_empty() || !pending.is_empty() {
            let take = input.len().min(7);
            pending.extend_from_slice(&input[..take]);
            input = &input[take..];
            loop {
                let used = b.inflate(&pending, &mut piece).unwrap();
                pending.drain(..used);
                got.extend_from_slice(&piece);
                assert!(piece.len() <= INFLATE_PIECE);
                if piece.is_empty() {
                    break;
                }
            }
            if input.is_empty() && !pending.is_empty() {
                let used = b.inflate(&pending, &mut piece).unwrap();
                pending.drain(..used);
                got.extend_from_slice(&piece);
                if used == 0 && piece.is_empty() {
                    break;
                }
            }
        }
        assert_eq!(got, text);
    }

    #[test]
    fn corrupt_input_is_an_error() {
        let mut b = Deflate::new();
        let mut out = Vec::new();
        assert_eq!(b.inflate(&[0xff; 16], &mut out), Err(CorruptStream));
    }

    /// A stream that ended (a final block) takes no more input: what
    /// follows it is an error, in the same read or a later one, instead of
    /// input the caller would keep waiting for the inflater to use.
    #[test]
    fn bytes_after_the_end_of_the_stream_are_an_error() {
        let mut finished = Compress::new(Compression::default(), false);
        let mut wire = Vec::with_capacity(256);
        let _ = finished.compress_vec(b"* 1 EXISTS\r\n", &mut wire, FlushCompress::Finish);
        let end = wire.len();
        let mut out = Vec::new();
        // The end alone is fine, and so is an empty read after it.
        let mut b = Deflate::new();
        assert_eq!(b.inflate(&wire, &mut out), Ok(end));
        assert_eq!(out, b"* 1 EXISTS\r\n");
        assert_eq!(b.inflate(&[], &mut out), Ok(0));
        // Anything after it is not.
        assert_eq!(b.inflate(b"* 2 EXISTS\r\n", &mut out), Err(CorruptStream));
        wire.extend_from_slice(b"more");
        let mut b = Deflate::new();
        assert_eq!(b.inflate(&wire, &mut out), Err(CorruptStream));
    }
}
