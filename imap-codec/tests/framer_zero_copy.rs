//! A `BODY[]` literal is copied once, from the read into the frame (issue
//! 13): the message does not move while its data arrives, and the decoded
//! body is a slice of the frame, not a copy.

use imapkit_codec::framer::{Direction, FrameEvent, Framer, FramerConfig};
use imapkit_proto::{Data, MessageDataItem, Response};

const HEAD: &[u8] = b"* 1 FETCH (UID 7 BODY[] {2097152}\r\n";
const BODY_LEN: usize = 2 * 1024 * 1024;
const TAIL: &[u8] = b")\r\n* 2 EXISTS\r\nA1 OK done\r\n";

fn stream() -> Vec<u8> {
    let mut s = HEAD.to_vec();
    s.extend((0..BODY_LEN).map(|k| b'a' + (k % 23) as u8));
    s.extend_from_slice(TAIL);
    s
}

/// Feeds `stream` in reads of `read` bytes; returns the frames and where the
/// framer's buffer held the message when its literal data began.
fn run(read: usize) -> (Vec<imapkit_codec::framer::Frame>, Option<usize>) {
    let input = stream();
    let mut framer = Framer::new(FramerConfig::new(Direction::ServerToClient));
    let mut frames = Vec::new();
    let mut start = None;
    for piece in input.chunks(read) {
        framer.push(piece);
        while let Some(event) = framer.poll_event() {
            match event {
                FrameEvent::Frame(frame) => frames.push(frame),
                other => panic!("unexpected {other:?}"),
            }
        }
        // While the literal's data arrives, the message is at the front of
        // the framer's buffer.
        let current = framer.current_message();
        if start.is_none() && current.len() > HEAD.len() {
            start = Some(current.as_ptr() as usize);
        }
    }
    (frames, start)
}

#[test]
fn body_is_copied_once_into_its_frame() {
    for read in [4096, 16 * 1024, 64 * 1024, 1000] {
        let (frames, start) = run(read);
        assert_eq!(frames.len(), 3, "reads of {read}");
        let frame = &frames[0];
        assert_eq!(frame.bytes.len(), HEAD.len() + BODY_LEN + 3);
        // The message never moved after its data began to arrive: every
        // byte of the body was written once, by `push`, where the frame
        // holds it.
        let start = start.expect("the literal took more than one read");
        assert_eq!(frame.bytes.as_ptr() as usize, start, "reads of {read}");

        // Owned, the body is the frame's memory (no second copy).
        let response = frame.clone().into_response().unwrap();
        let Response::Data(Data::Fetch { items, .. }) = &response else {
            panic!("a FETCH")
        };
        let Some(MessageDataItem::BodySection { data, .. }) = items.as_slice().get(1) else {
            panic!("a body section")
        };
        let body = data.as_bytes().unwrap();
        assert_eq!(body.len(), BODY_LEN);
        assert_eq!(body.as_ptr() as usize, start + HEAD.len());
    }
}

#[test]
fn whole_input_is_framed_in_place() {
    let input = stream();
    let mut framer = Framer::new(FramerConfig::new(Direction::ServerToClient));
    framer.push(&input);
    let Some(FrameEvent::Frame(frame)) = framer.poll_event() else {
        panic!("a frame")
    };
    let Response::Data(Data::Fetch { items, .. }) = frame.clone().into_response().unwrap() else {
        panic!("a FETCH")
    };
    let Some(MessageDataItem::BodySection { data, .. }) = items.as_slice().get(1) else {
        panic!("a body section")
    };
    let at = frame.bytes.as_ptr() as usize + HEAD.len();
    assert_eq!(data.as_bytes().map(|b| b.as_ptr() as usize), Some(at));
}

/// Reads straight into the framer's buffer ([`Framer::read_buf`], then
/// [`Framer::push_buf`]): the socket's read is the only copy. Every read
/// that lands inside the body after its literal's room was reserved is
/// where the frame holds those bytes.
#[test]
fn reads_into_the_framer_are_not_copied_again() {
    let input = stream();
    for read in [4096, 16 * 1024, 64 * 1024] {
        let mut framer = Framer::new(FramerConfig::new(Direction::ServerToClient));
        let mut frames = Vec::new();
        // (stream offset, address) of each read.
        let mut reads = Vec::new();
        for (k, piece) in input.chunks(read).enumerate() {
            let mut room = framer.read_buf(read);
            assert!(room.capacity() >= read);
            reads.push((k * read, room.as_ptr() as usize));
            room.extend_from_slice(piece); // the socket's read
            framer.push_buf(room);
            while let Some(event) = framer.poll_event() {
                match event {
                    FrameEvent::Frame(frame) => frames.push(frame),
                    other => panic!("unexpected {other:?}"),
                }
            }
        }
        assert_eq!(frames.len(), 3, "reads of {read}");
        let body = &frames[0];
        assert_eq!(body.bytes.len(), HEAD.len() + BODY_LEN + 3);
        let frame_at = body.bytes.as_ptr() as usize;
        // The first read holds the literal header, which reserves room for
        // the literal (moving what was read so far once); from the second
        // read on, every read inside the frame was made in place.
        let inside: Vec<_> = reads
            .iter()
            .skip(1)
            .filter(|(offset, _)| offset + read <= body.bytes.len())
            .collect();
        assert!(inside.len() >= 2, "reads of {read}");
        for &&(offset, addr) in &inside {
            assert_eq!(addr, frame_at + offset, "read at {offset}, reads of {read}");
        }
    }
}

/// Frames from `read_buf`/`push_buf` are those from `push`, including
/// when the room handed out is smaller than the read (the read then grows
/// it, and `push_buf` copies).
#[test]
fn read_buf_frames_equal_push_frames() {
    let input = stream();
    let frames = |use_room: bool, reserve: usize| {
        let mut framer = Framer::new(FramerConfig::new(Direction::ServerToClient));
        let mut out = Vec::new();
        for piece in input.chunks(5000) {
            if use_room {
                let mut room = framer.read_buf(reserve);
                room.extend_from_slice(piece);
                framer.push_buf(room);
            } else {
                framer.push(piece);
            }
            while let Some(FrameEvent::Frame(frame)) = framer.poll_event() {
                out.push((frame.offset, frame.bytes));
            }
        }
        (out, framer.stats())
    };
    let pushed = frames(false, 0);
    assert_eq!(frames(true, 5000), pushed);
    assert_eq!(frames(true, 10), pushed);
}
