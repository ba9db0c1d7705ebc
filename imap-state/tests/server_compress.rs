//! COMPRESS=DEFLATE (RFC 4978) on the server: the OK goes out plain, then
//! both directions are raw DEFLATE; a corrupt stream ends the connection;
//! a small input that inflates to a huge one stays within the limits.

mod util;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress};
use imapkit_state::server::ServerConfig;
use util::{Harness, Split};

/// The client's half: compresses commands, inflates responses.
struct Peer {
    tx: Compress,
    rx: Decompress,
}

impl Peer {
    fn new() -> Self {
        Self {
            tx: Compress::new(Compression::default(), false),
            rx: Decompress::new(false),
        }
    }

    fn deflate(&mut self, plain: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(plain.len() + 1024);
        let start = self.tx.total_in();
        loop {
            let used = (self.tx.total_in() - start) as usize;
            out.reserve(plain.len() - used + 64);
            self.tx
                .compress_vec(&plain[used..], &mut out, FlushCompress::Sync)
                .unwrap();
            let used = (self.tx.total_in() - start) as usize;
            if used == plain.len() && out.len() < out.capacity() {
                return out;
            }
        }
    }

    fn inflate(&mut self, wire: &[u8]) -> String {
        let mut out = Vec::with_capacity(wire.len() * 20 + 1024);
        let start = self.rx.total_in();
        loop {
            let used = (self.rx.total_in() - start) as usize;
            out.reserve(4096);
            self.rx
                .decompress_vec(&wire[used..], &mut out, FlushDecompress::None)
                .unwrap();
            let used = (self.rx.total_in() - start) as usize;
            if used == wire.len() && out.len() < out.capacity() {
                return String::from_utf8(out).unwrap();
            }
        }
    }
}

fn compressing(split: Split) -> Harness {
    let mut config = ServerConfig::default();
    config.compress = true;
    let mut h = Harness::logged_in(config, split);
    h.send(b"c CAPABILITY\r\nz COMPRESS DEFLATE\r\n");
    assert_eq!(
        h.take_wire(),
        "* CAPABILITY IMAP4rev2 IMAP4rev1 COMPRESS=DEFLATE LITERAL-\r\n\
         c OK CAPABILITY completed\r\nz OK DEFLATE active\r\n"
    );
    assert!(h.server.compression_active());
    h
}

#[test]
fn both_directions_are_compressed_after_the_ok() {
    for split in Split::ALL {
        let mut h = compressing(split);
        let mut peer = Peer::new();
        let wire = peer.deflate(b"a CAPABILITY\r\nb NOOP\r\n");
        h.send(&wire);
        let out = std::mem::take(&mut h.wire);
        assert_eq!(
            peer.inflate(&out),
            "* CAPABILITY IMAP4rev2 IMAP4rev1 LITERAL-\r\na OK CAPABILITY completed\r\nb OK completed\r\n",
            "{split:?}"
        );
        let wire = peer.deflate(b"d COMPRESS DEFLATE\r\ne LOGOUT\r\n");
        h.send(&wire);
        let out = std::mem::take(&mut h.wire);
        assert_eq!(
            peer.inflate(&out),
            "d BAD [COMPRESSIONACTIVE] DEFLATE is active\r\n* BYE Logging out\r\ne OK LOGOUT completed\r\n"
        );
    }
}

#[test]
fn a_corrupt_stream_ends_the_connection() {
    let mut h = compressing(Split::Whole);
    let mut peer = Peer::new();
    h.send(b"\xff\xfe\xfd\xfc garbage");
    let out = std::mem::take(&mut h.wire);
    assert_eq!(peer.inflate(&out), "* BYE Corrupt compressed stream\r\n");
    assert!(h.server.is_closed());
    assert_eq!(h.take_log().last().unwrap(), "closed Limit");
}

/// A client whose DEFLATE stream ends (a final block) and then sends
/// more: the command before the end reaches the application, then the
/// bytes after it end the connection like a corrupt stream, instead of
/// being dropped without a word.
#[test]
fn bytes_after_the_end_of_the_clients_stream_end_the_connection() {
    let mut h = compressing(Split::Whole);
    h.policy.auto_respond = false;
    let mut peer = Peer::new();
    let mut client = Compress::new(Compression::default(), false);
    let mut wire = Vec::with_capacity(256);
    client
        .compress_vec(b"a NOOP\r\n", &mut wire, FlushCompress::Finish)
        .unwrap();
    wire.extend_from_slice(b"b NOOP\r\n");
    h.send(&wire);
    let received: Vec<String> = h.requests.iter().map(|(_, c)| c.tag.to_string()).collect();
    assert_eq!(received, ["a"]);
    let out = std::mem::take(&mut h.wire);
    assert_eq!(peer.inflate(&out), "* BYE Corrupt compressed stream\r\n");
    assert!(h.server.is_closed());
    assert_eq!(h.take_log().last().unwrap(), "closed Limit");
}

#[test]
fn a_deflate_bomb_meets_the_limits() {
    let mut config = ServerConfig::default();
    config.compress = true;
    config.limits.max_line = 4096;
    let mut h = Harness::logged_in(config, Split::Whole);
    h.send(b"z COMPRESS DEFLATE\r\n");
    h.take_wire();
    let mut peer = Peer::new();
    // 64 MiB of one line, a few tens of KiB compressed.
    let mut bomb = vec![b'x'; 64 << 20];
    bomb.extend_from_slice(b"\r\na NOOP\r\n");
    let wire = peer.deflate(&bomb);
    assert!(wire.len() < 1 << 20);
    for chunk in wire.chunks(4096) {
        h.send(chunk);
    }
    let out = std::mem::take(&mut h.wire);
    assert_eq!(
        peer.inflate(&out),
        "* BAD Line too long\r\na OK completed\r\n"
    );
}

#[test]
fn pipelined_bytes_after_compress_are_dropped() {
    let mut config = ServerConfig::default();
    config.compress = true;
    let mut h = Harness::logged_in(config, Split::Whole);
    h.send(b"z COMPRESS DEFLATE\r\nx DELETE INBOX\r\n");
    assert_eq!(h.take_wire(), "z OK DEFLATE active\r\n");
    assert_eq!(
        h.take_log(),
        ["violation data after COMPRESS before its result (message at byte 47)"]
    );
}
