//! Interop with a real Dovecot 2.3 on loopback: commands built with the
//! short constructors and sent in fragments (waiting for `+` before each
//! synchronizing literal), responses framed and decoded into owned values.
//!
//! Dovecot is started by `scripts/dovecot.sh` (through
//! `imap_examples::dovecot::start`); without Dovecot installed the test is
//! skipped with a printed reason, unless `IMAP_REQUIRE_INTEROP` is set (CI).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use imapkit_codec::framer::{Direction, FrameEvent, Framer, FramerConfig};
use imapkit_codec::{encode_fragments, EncodeOptions, LiteralPolicy};
use imapkit_proto::{
    AppendBuilder, AppendMessage, Capability, Command, CommandBody, Data, FetchAttribute, Flag,
    FlagFetch, MessageDataItem, Response, ResponseCode, SearchKey, Section, SequenceSet,
    StatusResponse, StoreAction, TagGenerator,
};

struct Conn {
    stream: TcpStream,
    framer: Framer,
    tags: TagGenerator,
    options: EncodeOptions,
    /// How many times the client waited for a continuation request.
    waits: usize,
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
            tags: TagGenerator::new("t").expect("a valid prefix"),
            options: EncodeOptions {
                literals: LiteralPolicy::SyncOnly,
                ..EncodeOptions::default()
            },
            waits: 0,
        }
    }

    /// The next response, owned (sharing its frame's bytes).
    fn next_response(&mut self) -> Response<'static> {
        loop {
            while let Some(ev) = self.framer.poll_event() {
                match ev {
                    FrameEvent::Frame(f) => return f.into_response().expect("a valid response"),
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

    /// Sends `body` with the next tag, in fragments, and collects the
    /// untagged responses up to its completion.
    fn run<'b>(
        &mut self,
        body: impl Into<CommandBody<'b>>,
    ) -> (StatusResponse<'static>, Vec<Response<'static>>) {
        let command = Command::new(self.tags.next_tag(), body);
        let mut out = Vec::new();
        for fragment in encode_fragments(&command, &mut out, &self.options) {
            if fragment.waits_for_continuation() {
                self.waits += 1;
                let r = self.next_response();
                assert!(
                    matches!(r, Response::Continue(_)),
                    "expected a continuation request, got {r}"
                );
            }
            self.stream
                .write_all(&out[fragment.range()])
                .expect("write");
        }
        let mut untagged = Vec::new();
        loop {
            match self.next_response() {
                Response::Status(s) if s.tag() == Some(&command.tag) => return (s, untagged),
                other => untagged.push(other),
            }
        }
    }
}

#[test]
fn session_against_dovecot() {
    let Some(dc) = imap_examples::dovecot::start("live", 11243, 11293) else {
        return;
    };
    let mut c = Conn::connect(dc.port);
    let Response::Status(greeting) = c.next_response() else {
        panic!("a greeting")
    };
    assert!(greeting.is_ok(), "{greeting}");

    let (done, _) = c.run(CommandBody::login("alice", "secret"));
    let done = done.into_result().expect("logged in");
    // Dovecot announces its capabilities after login: LITERAL+ among them.
    let Some(ResponseCode::Capability(caps)) = done.code() else {
        panic!("capabilities after login: {done}")
    };
    let literals = LiteralPolicy::for_capabilities(caps.iter());
    assert_eq!(literals, LiteralPolicy::NonSyncAll);
    assert!(caps.contains(&Capability::Move), "{done}");

    // A mailbox with a Japanese name: given as text, sent as modified UTF-7.
    let name = format!("テスト {}", std::process::id());
    let (done, _) = c.run(CommandBody::create(name.as_str()));
    assert!(done.is_ok(), "{done}");

    // APPEND with a synchronizing literal: the client waits for `+`.
    let message = b"From: bob@example.org\r\nSubject: =?UTF-8?B?5pel5pys6Kqe?=\r\n\r\nHello from the encoder.\r\n";
    let append = AppendBuilder::new(
        name.as_str(),
        AppendMessage::literal(message)
            .expect("no NUL")
            .with_flags([Flag::Seen]),
    );
    let (done, _) = c.run(append);
    assert!(done.is_ok(), "{done}");
    assert_eq!(c.waits, 1);

    // With LITERAL+ nothing waits.
    c.options.literals = literals;
    let (done, _) = c.run(
        CommandBody::append(name.as_str(), &b"Subject: two\r\n\r\n2\r\n"[..]).expect("no NUL"),
    );
    assert!(done.is_ok(), "{done}");
    assert_eq!(c.waits, 1);

    let (done, _) = c.run(CommandBody::select(name.as_str()));
    assert!(done.is_ok(), "{done}");

    let (done, untagged) = c.run(CommandBody::uid_search(SearchKey::Seen));
    assert!(done.is_ok(), "{done}");
    let Some(Response::Data(Data::Search { ids, .. })) = untagged.first() else {
        panic!("a SEARCH response: {untagged:?}")
    };
    let [uid] = ids.as_slice() else {
        panic!("one seen message: {ids:?}")
    };
    let uid = *uid;

    let items = [
        FetchAttribute::Flags,
        FetchAttribute::Envelope,
        FetchAttribute::BodyStructure,
        FetchAttribute::body_peek(Section::whole()),
    ];
    let (done, untagged) = c.run(CommandBody::uid_fetch(uid, items));
    assert!(done.is_ok(), "{done}");
    let [Response::Data(Data::Fetch { items, .. })] = untagged.as_slice() else {
        panic!("one FETCH: {untagged:?}")
    };
    let mut checked = 0;
    for item in items.iter() {
        match item {
            MessageDataItem::Flags(flags) => {
                assert!(flags
                    .iter()
                    .any(|f| matches!(f, FlagFetch::Flag(Flag::Seen))));
                checked += 1;
            }
            MessageDataItem::Envelope(e) => {
                assert_eq!(e.subject_text().expect("a subject").as_str(), "日本語");
                checked += 1;
            }
            MessageDataItem::BodySection { data, .. } => {
                assert_eq!(data.as_bytes(), Some(&message[..]));
                checked += 1;
            }
            _ => {}
        }
    }
    assert_eq!(checked, 3);

    let (done, _) = c.run(CommandBody::uid_store(
        uid,
        StoreAction::Add,
        [Flag::Flagged],
    ));
    assert!(done.is_ok(), "{done}");
    let all = SequenceSet::all();
    let (done, untagged) = c.run(CommandBody::fetch(all, FetchAttribute::Flags));
    assert!(done.is_ok(), "{done}");
    assert_eq!(untagged.len(), 2);

    // LIST shows the mailbox under its Unicode name.
    let (done, untagged) = c.run(CommandBody::list("", "*"));
    assert!(done.is_ok(), "{done}");
    let names: Vec<String> = untagged
        .iter()
        .filter_map(|r| match r {
            Response::Data(Data::List(l)) => Some(l.mailbox.to_string()),
            _ => None,
        })
        .collect();
    assert!(names.contains(&name), "{names:?}");

    let (done, _) = c.run(CommandBody::close());
    assert!(done.is_ok(), "{done}");

    // A failed command is an error value that prints the server's answer.
    let (done, _) = c.run(CommandBody::select("no such mailbox"));
    let err = done.into_result().expect_err("no such mailbox");
    assert!(err.to_string().starts_with("server answered t"), "{err}");

    for body in [CommandBody::delete(name.as_str()), CommandBody::logout()] {
        let (done, _) = c.run(body);
        assert!(done.is_ok(), "{done}");
    }
}
