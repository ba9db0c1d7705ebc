//! Property tests: `decode(encode(x)) == x` for every command the types can
//! hold, and for AUTHENTICATE lines; every strict prefix of an encoded
//! command is Incomplete or LiteralAnnounced.

use imapkit_codec::decode::{authenticate_data, command};
use imapkit_codec::{DecodeError, Decoded, Encode};
use imapkit_proto::strategies as st;
use imapkit_proto::IntoStatic;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn command_roundtrip(c in st::command()) {
        let bytes = c.to_vec();
        let (decoded, consumed) = match command(&bytes) {
            Ok(Decoded::Complete { message, consumed }) => (message.into_static(), consumed),
            other => panic!("{other:?} for {:?}", bytes.escape_ascii().to_string()),
        };
        prop_assert_eq!(consumed, bytes.len());
        prop_assert_eq!(decoded, c);
    }

    #[test]
    fn authenticate_data_roundtrip(d in st::authenticate_data()) {
        let bytes = d.to_vec();
        let (decoded, consumed) = authenticate_data(&bytes).unwrap().complete().unwrap();
        prop_assert_eq!(consumed, bytes.len());
        prop_assert_eq!(decoded.into_static(), d);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn command_prefixes_are_incomplete(c in st::command()) {
        let bytes = c.to_vec();
        for k in 0..bytes.len() {
            match command(&bytes[..k]) {
                Ok(Decoded::Incomplete) | Ok(Decoded::LiteralAnnounced { .. }) => {}
                other => panic!(
                    "prefix {k} of {:?} gave {other:?}",
                    bytes.escape_ascii().to_string()
                ),
            }
        }
    }
}

/// What the streaming decoder (`decode::command`) makes of a whole
/// message, as a frame's decoding reports it: the command if it uses
/// every byte, else an error where it ends early or where bytes follow it.
fn streamed_whole(bytes: &[u8]) -> Result<imapkit_proto::Command<'_>, DecodeError> {
    match command(bytes)? {
        Decoded::Complete { message, consumed } if consumed == bytes.len() => Ok(message),
        Decoded::Complete { consumed, .. } => Err(DecodeError {
            offset: consumed,
            reason: "bytes after the end of the message",
        }),
        Decoded::Incomplete | Decoded::LiteralAnnounced { .. } => Err(DecodeError {
            offset: bytes.len(),
            reason: "message ends early",
        }),
    }
}

/// The frames the framer makes of `bytes` (one command, or garbage).
fn frames(bytes: &[u8]) -> Vec<imapkit_codec::framer::Frame> {
    use imapkit_codec::framer::{Direction, FrameEvent, Framer, FramerConfig};
    let mut framer = Framer::new(FramerConfig::new(Direction::ClientToServer));
    framer.push(bytes);
    let mut out = Vec::new();
    while let Some(event) = framer.poll_event() {
        if let FrameEvent::Frame(frame) = event {
            out.push(frame);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// The owned decoding the `Server` uses (`decode_command_shared`, which
    /// builds the usual commands owned as it reads them) equals decoding
    /// borrowed and then `into_shared`, and the frame's borrowed decoding
    /// (`decode_command`, which reads a whole message in one step) equals
    /// the streaming decoder's (`decode::command`) on the same bytes: for
    /// every command, and for the same command with one byte changed
    /// (errors and their offsets too).
    #[test]
    fn owned_decoding_equals_borrowed_then_shared(
        c in st::command(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let inputs = encoded_and_changed(&c, at, byte);
        for input in &inputs {
            for frame in frames(input) {
                let streamed = streamed_whole(&frame.bytes);
                prop_assert_eq!(&frame.decode_command(), &streamed);
                let borrowed = streamed.map(|c| c.into_shared(&frame.bytes));
                prop_assert_eq!(frame.decode_command_shared(), borrowed);
            }
        }
        let [frame] = &frames(&inputs[0])[..] else { panic!("one frame") };
        prop_assert_eq!(frame.decode_command_shared().unwrap(), c);
    }

    /// A command the framer lends as one line of at most 256 bytes,
    /// decoded with copies of its strings where it lies
    /// (`FrameRef::decode_command_without_frame`, what the `Server` does),
    /// equals the owned decoding of the same message split off
    /// (`decode_command_shared`); a message with a literal, a longer one
    /// and one that does not decode give `None` (the general path then
    /// decides), and a one-line message that decodes gives a command. For
    /// every command, and with one byte changed.
    #[test]
    fn lent_one_line_commands_decode_with_copies_as_frames_do(
        c in st::command(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        use imapkit_codec::framer::{Direction, Framer, FramerConfig, Lent};
        for input in &encoded_and_changed(&c, at, byte) {
            let split = frames(input);
            let mut framer = Framer::new(FramerConfig::new(Direction::ClientToServer));
            framer.push(input);
            let mut k = 0;
            while let Some(lent) = framer.poll_lent() {
                let Lent::Frame(frame) = lent else { continue };
                let shared = split[k].decode_command_shared();
                k += 1;
                let b = frame.bytes();
                prop_assert_eq!(b, &split[k - 1].bytes[..]);
                let one_line = b.len() <= 256
                    && b.iter().filter(|&&x| x == b'\n').count() == 1
                    && b.ends_with(b"\r\n")
                    && !b[..b.len() - 2].ends_with(b"}");
                match frame.decode_command_without_frame() {
                    Some(command) => {
                        prop_assert!(one_line, "{:?}", b.escape_ascii().to_string());
                        prop_assert_eq!(Ok(command), shared);
                    }
                    None => prop_assert!(!one_line || shared.is_err()),
                }
            }
            prop_assert_eq!(k, split.len());
        }
    }
}

/// A command's bytes, and the same with the byte at `at` set to `byte`.
fn encoded_and_changed(
    c: &imapkit_proto::Command<'static>,
    at: prop::sample::Index,
    byte: u8,
) -> [Vec<u8>; 2] {
    let bytes = c.to_vec();
    let mut changed = bytes.clone();
    changed[at.index(bytes.len())] = byte;
    [bytes, changed]
}

/// The owned commands share the frame: strings, flags and literals of the
/// commands built owned as they are decoded are slices of the frame, but
/// those of at most `Buf::INLINE_MAX` (22) bytes, which are held inline.
#[test]
fn owned_commands_point_into_the_frame() {
    use imapkit_proto::{
        AppendData, CommandBody, FetchAttribute, FetchItems, Flag, ListPatterns, SectionText,
    };
    let input: &[u8] = b"a1 LIST \"\" \"Projects/2026/Quarterly reports\"\r\n\
        a2 UID FETCH 1:* (BODY.PEEK[HEADER.FIELDS (From X-Mailing-List-Subscription-Id)])\r\n\
        a3 APPEND \"Drafts/Unfinished messages\" (\\Seen $ForwardedToTheWholeTeam) {26+}\r\nabcdefghijklmnopqrstuvwxyz\r\n\
        a4 STATUS Archive (MESSAGES)\r\n";
    let frames = frames(input);
    assert_eq!(frames.len(), 4);
    let inside = |frame: &imapkit_codec::framer::Frame, b: &[u8]| {
        let f = frame.bytes.as_ptr() as usize..frame.bytes.as_ptr() as usize + frame.bytes.len();
        f.contains(&(b.as_ptr() as usize))
    };
    let bodies: Vec<_> = frames
        .iter()
        .map(|f| f.decode_command_shared().unwrap())
        .collect();
    let CommandBody::List {
        patterns: ListPatterns::Single(pattern),
        ..
    } = &bodies[0].body
    else {
        panic!()
    };
    assert!(inside(&frames[0], pattern.as_bytes()));
    assert!(!inside(&frames[0], bodies[0].tag.as_bytes()));
    let CommandBody::Fetch {
        items: FetchItems::List(items),
        ..
    } = &bodies[1].body
    else {
        panic!()
    };
    let FetchAttribute::BodySection { section, .. } = items.first() else {
        panic!()
    };
    let Some(SectionText::HeaderFields(fields)) = section.text_spec() else {
        panic!()
    };
    let [from, list_id] = fields.as_slice() else {
        panic!()
    };
    assert!(!inside(&frames[1], from.as_bytes()));
    assert!(inside(&frames[1], list_id.as_bytes()));
    let CommandBody::Append { mailbox, messages } = &bodies[2].body else {
        panic!()
    };
    assert!(inside(&frames[2], mailbox.as_bytes()));
    let AppendData::Literal(data) = &messages.first().data else {
        panic!()
    };
    assert!(inside(&frames[2], data.data()));
    let Some([Flag::Seen, Flag::Keyword(label)]) = messages.first().flags.as_deref() else {
        panic!()
    };
    assert!(inside(&frames[2], label.as_bytes()));
    let CommandBody::Status { mailbox, .. } = &bodies[3].body else {
        panic!()
    };
    assert_eq!(mailbox.to_string(), "Archive");
    assert!(!inside(&frames[3], mailbox.as_bytes()));
}
