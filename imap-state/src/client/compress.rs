//! COMPRESS=DEFLATE (RFC 4978): raw DEFLATE (RFC 1951, no zlib header) in
//! both directions, flushed at the end of each batch of output so the server
//! can read every command at once.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress};

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
    pub(crate) fn inflate(
        &mut self,
        input: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<usize, CorruptStream> {
        out.clear();
        out.reserve(INFLATE_PIECE);
        let before = self.inp.total_in();
        self.inp
            .decompress_vec(input, out, FlushDecompress::Sync)
            .map_err(|_| CorruptStream)?;
        Ok((self.inp.total_in() - before) as usize)
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
}
