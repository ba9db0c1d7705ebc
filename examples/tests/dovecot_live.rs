//! Interop with a real Dovecot 2.3 on loopback: commands built as typed
//! values and encoded by this library, responses framed and decoded by it.
//!
//! Dovecot is started by `scripts/dovecot.sh` (through
//! `imap_examples::dovecot::start`); without Dovecot installed the test is
//! skipped with a printed reason, unless `IMAP_REQUIRE_INTEROP` is set (CI).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use bytes::Bytes;
use imapkit_codec::framer::{Direction, FrameEvent, Framer, FramerConfig};
use imapkit_codec::{decode, encode_marked, Decoded, LiteralMark};
use imapkit_proto::{
    AString, AppendData, AppendMessage, Command, CommandBody, Data, FetchAttribute, FetchItems,
    Flag, ListMailbox, ListPatterns, Literal, LiteralMode, Mailbox, MessageDataItem, Response,
    Secret, Section, SequenceSet, Status, Tag, Vec1,
};

struct Conn {
    stream: TcpStream,
    framer: Framer,
    next_tag: u32,
}

impl Conn {
    fn connect(port: u16) -> Self {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to Dovecot");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("set timeout");
        Self {
            stream,
            framer: Framer::new(FramerConfig::new(Direction::ServerToClient)),
            next_tag: 1,
        }
    }

    /// The next response, as one frame.
    fn next_frame(&mut self) -> Bytes {
        loop {
            while let Some(ev) = self.framer.poll_event() {
                match ev {
                    FrameEvent::Frame(f) => return f.bytes,
                    FrameEvent::Error(e) => panic!("framing error from Dovecot: {e}"),
                    _ => {}
                }
            }
            let mut buf = [0u8; 16384];
            let n = self.stream.read(&mut buf).expect("read from Dovecot");
            assert!(n > 0, "Dovecot closed the connection");
            self.framer.push(&buf[..n]);
        }
    }

    /// Sends `body` with a fresh tag, waiting for `+` after each synchronizing
    /// literal, and collects the untagged responses up to the tagged one.
    fn run(&mut self, body: CommandBody<'_>) -> (Status, Vec<Bytes>) {
        let tag_text = format!("t{}", self.next_tag);
        self.next_tag += 1;
        let command = Command {
            tag: Tag::try_from(tag_text.as_str()).expect("valid tag"),
            body,
        };
        let mut out = Vec::new();
        let mut marks: Vec<LiteralMark> = Vec::new();
        encode_marked(&command, &mut out, &mut marks);
        let mut sent = 0;
        for mark in &marks {
            self.stream
                .write_all(&out[sent..mark.offset])
                .expect("write");
            sent = mark.offset;
            if mark.mode == LiteralMode::Sync {
                let frame = self.next_frame();
                assert!(
                    matches!(decode_one(&frame), Response::Continue(_)),
                    "expected a continuation request, got {frame:?}"
                );
            }
        }
        self.stream.write_all(&out[sent..]).expect("write");
        let mut untagged = Vec::new();
        loop {
            let frame = self.next_frame();
            if let Response::Status(s) = decode_one(&frame) {
                if s.tag().map(|t| t.as_str()) == Some(tag_text.as_str()) {
                    return (s.status().expect("tagged status"), untagged);
                }
            }
            untagged.push(frame);
        }
    }
}

/// Decodes a whole frame.
fn decode_one(frame: &[u8]) -> Response<'_> {
    match decode::response(frame) {
        Ok(Decoded::Complete { message, consumed }) if consumed == frame.len() => message,
        other => panic!(
            "cannot decode {:?}: {other:?}",
            frame.escape_ascii().to_string()
        ),
    }
}

#[test]
fn session_against_dovecot() {
    let Some(dc) = imap_examples::dovecot::start("live", 11243, 11293) else {
        return;
    };
    let mut c = Conn::connect(dc.port);
    let greeting = c.next_frame();
    match decode::greeting(&greeting) {
        Ok(Decoded::Complete { .. }) => {}
        other => panic!("greeting {greeting:?}: {other:?}"),
    }

    let (st, _) = c.run(CommandBody::Login {
        username: AString::from("alice"),
        password: Secret::new(AString::from("secret")),
    });
    assert_eq!(st, Status::Ok);

    // A mailbox with a Japanese name, encoded as modified UTF-7.
    let name = format!("テスト {}", std::process::id());
    let mailbox = Mailbox::from_name(&name);
    let (st, _) = c.run(CommandBody::Create {
        mailbox: mailbox.clone(),
        parameters: vec![],
    });
    assert_eq!(st, Status::Ok);

    // APPEND with a synchronizing literal: the client waits for `+`.
    let message = b"From: bob@example.org\r\nSubject: interop\r\n\r\nHello from the encoder.\r\n";
    let (st, _) = c.run(CommandBody::Append {
        mailbox: mailbox.clone(),
        messages: Vec1::new(AppendMessage {
            flags: Some(vec![Flag::Seen]),
            date: None,
            data: AppendData::Literal(Literal::try_new(&message[..]).expect("no NUL")),
        }),
    });
    assert_eq!(st, Status::Ok);

    let (st, _) = c.run(CommandBody::Select {
        mailbox: mailbox.clone(),
        parameters: vec![],
    });
    assert_eq!(st, Status::Ok);

    let (st, untagged) = c.run(CommandBody::Fetch {
        uid: true,
        sequence_set: SequenceSet::all(),
        items: FetchItems::List(
            Vec1::try_from(vec![
                FetchAttribute::Flags,
                FetchAttribute::Envelope,
                FetchAttribute::BodyStructure,
                FetchAttribute::BodySection {
                    peek: true,
                    section: Section::whole(),
                    partial: None,
                },
            ])
            .expect("non-empty"),
        ),
        modifiers: vec![],
    });
    assert_eq!(st, Status::Ok);
    let fetches: Vec<Vec<MessageDataItem<'_>>> = untagged
        .iter()
        .filter_map(|f| match decode_one(f) {
            Response::Data(Data::Fetch { items, .. }) => Some(items.into_vec()),
            _ => None,
        })
        .collect();
    assert_eq!(fetches.len(), 1);
    let items = &fetches[0];
    assert!(items.iter().any(|i| matches!(i,
        MessageDataItem::BodySection { data, .. } if data.as_bytes() == Some(&message[..]))));
    assert!(items.iter().any(|i| matches!(i,
        MessageDataItem::Envelope(e) if e.subject.as_bytes() == Some(&b"interop"[..]))));

    // LIST shows the mailbox, decodable back to its Unicode name.
    let (st, untagged) = c.run(CommandBody::List {
        selection: None,
        reference: Mailbox::try_from("").expect("empty reference"),
        patterns: ListPatterns::Single(ListMailbox::from("*")),
        return_options: None,
    });
    assert_eq!(st, Status::Ok);
    let names: Vec<String> = untagged
        .iter()
        .filter_map(|f| match decode_one(f) {
            Response::Data(Data::List(l)) => Some(l.mailbox.name_lossy()),
            _ => None,
        })
        .collect();
    assert!(names.contains(&name), "{names:?}");

    for body in [
        CommandBody::Close,
        CommandBody::Delete { mailbox },
        CommandBody::Logout,
    ] {
        let (st, _) = c.run(body);
        assert_eq!(st, Status::Ok);
    }
}
