//! Where a `stream/*` side's reads come from: a byte slice in memory (the
//! criterion groups: the copy out of the slice stands for the socket's
//! read) or a file read piece by piece, as a socket is read
//! (`examples/stream_file.rs`, timed from outside: no side loads the
//! whole file first, so the comparison holds no cost a user does not pay).

use std::io::{ErrorKind, Read};

use bytes::BytesMut;

/// A buffer a read appends to: the other crates' `Vec<u8>`, or the room
/// our framer lends (`Framer::read_buf`).
pub trait Room: std::ops::DerefMut<Target = [u8]> {
    /// Appends `bytes` (a copy).
    fn append(&mut self, bytes: &[u8]);
    /// Sets the length, zeroing what it adds (the room a `Read` writes to).
    fn set_len_zeroed(&mut self, len: usize);
}

impl Room for Vec<u8> {
    fn append(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    fn set_len_zeroed(&mut self, len: usize) {
        self.resize(len, 0);
    }
}

impl Room for BytesMut {
    fn append(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    fn set_len_zeroed(&mut self, len: usize) {
        self.resize(len, 0);
    }
}

/// A stream's reads, in order (a side takes them as `&mut dyn Reads`:
/// one indirect call a read, of 4 KiB or more).
pub trait Reads {
    /// Whether the stream is known to have ended (a slice read to its end,
    /// a file whose last read returned nothing).
    fn at_end(&self) -> bool;

    /// Appends the next read, at most `max` bytes, to `buf`; how many
    /// bytes it appended (0 at the end of the stream).
    fn read_into(&mut self, buf: &mut dyn Room, max: usize) -> usize;

    /// The next read, at most `max` bytes, for an API that copies a slice
    /// in (imap-codec 2.0's `Fragmentizer::enqueue_bytes`): a slice of the
    /// input where it lies, or `scratch` read into (as imap-next reads the
    /// socket into its own buffer first). Empty at the end of the stream.
    fn piece<'a>(&'a mut self, scratch: &'a mut Vec<u8>, max: usize) -> &'a [u8];
}

/// Reads out of a byte slice.
#[derive(Debug)]
pub struct SliceReads<'a> {
    stream: &'a [u8],
    at: usize,
}

impl<'a> SliceReads<'a> {
    /// Reads of `stream` from its start.
    pub fn new(stream: &'a [u8]) -> Self {
        Self { stream, at: 0 }
    }
}

impl Reads for SliceReads<'_> {
    fn at_end(&self) -> bool {
        self.at == self.stream.len()
    }

    fn read_into(&mut self, buf: &mut dyn Room, max: usize) -> usize {
        let n = max.min(self.stream.len() - self.at);
        buf.append(&self.stream[self.at..self.at + n]);
        self.at += n;
        n
    }

    fn piece<'a>(&'a mut self, _scratch: &'a mut Vec<u8>, max: usize) -> &'a [u8] {
        let n = max.min(self.stream.len() - self.at);
        let piece = &self.stream[self.at..self.at + n];
        self.at += n;
        piece
    }
}

/// Reads of a `Read` (a file), each straight into the buffer it is for.
#[derive(Debug)]
pub struct ReaderReads<R> {
    reader: R,
    ended: bool,
    /// Bytes read so far.
    pub bytes: u64,
}

impl<R: Read> ReaderReads<R> {
    /// Reads of `reader` from where it is.
    pub fn new(reader: R) -> Self {
        Self {
            reader,
            ended: false,
            bytes: 0,
        }
    }

    /// One `read` into `room`, retried when interrupted.
    ///
    /// # Panics
    /// On any other error of the reader (a benchmark's input must read).
    fn read_once(&mut self, room: &mut [u8]) -> usize {
        loop {
            match self.reader.read(room) {
                Ok(n) => {
                    self.ended |= n == 0 && !room.is_empty();
                    self.bytes += n as u64;
                    return n;
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => panic!("reading the stream: {e}"),
            }
        }
    }
}

impl<R: Read> Reads for ReaderReads<R> {
    fn at_end(&self) -> bool {
        self.ended
    }

    fn read_into(&mut self, buf: &mut dyn Room, max: usize) -> usize {
        let len = buf.len();
        buf.set_len_zeroed(len + max);
        let n = self.read_once(&mut buf[len..]);
        buf.set_len_zeroed(len + n);
        n
    }

    fn piece<'a>(&'a mut self, scratch: &'a mut Vec<u8>, max: usize) -> &'a [u8] {
        scratch.clear();
        self.read_into(scratch, max);
        scratch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both kinds give the same bytes in the same reads, and say when the
    /// stream ended.
    #[test]
    fn slices_and_readers_read_alike() {
        let stream: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let mut a = SliceReads::new(&stream);
        let mut b = ReaderReads::new(&stream[..]);
        let (mut va, mut vb) = (Vec::new(), BytesMut::new());
        let mut scratch = Vec::new();
        for _ in 0..3 {
            assert_eq!(a.read_into(&mut va, 300), 300);
            assert_eq!(b.read_into(&mut vb, 300), 300);
            assert_eq!(a.piece(&mut Vec::new(), 7), b.piece(&mut scratch, 7));
        }
        assert_eq!(&va[..], &vb[..]);
        assert_eq!(&va[..300], &stream[..300]);
        assert_eq!(&va[300..600], &stream[307..607]);
        assert_eq!(a.read_into(&mut va, 300), 79);
        assert_eq!(b.read_into(&mut vb, 300), 79);
        assert!(a.at_end());
        // A reader knows its end when a read returns nothing.
        assert!(!b.at_end());
        assert_eq!(b.read_into(&mut vb, 300), 0);
        assert!(b.at_end());
        assert_eq!(b.bytes, 1000);
        assert_eq!(&va[..], &vb[..]);
    }
}
