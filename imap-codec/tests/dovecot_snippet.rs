//! Dovecot 2.3's draft previews, `SNIPPET (LAZY=FUZZY)` and `PREVIEW
//! (FUZZY)`, both directions, from a capture: `tests/data/dovecot/snippet.*`
//! (recorded from Dovecot 2.3.19.1 with `scripts/record-dovecot-snippet.py`).
//!
//! Every message of the capture frames and decodes in any chunking and
//! re-encodes byte for byte; the values are the ones Dovecot meant; strict
//! prefixes are incomplete; malformed forms fail with their offsets; and
//! `decode(encode(x)) == x` for every snippet item the strategies make.

use imapkit_codec::decode::{command, response};
use imapkit_codec::framer::{Direction, FrameEvent, Framer, FramerConfig};
use imapkit_codec::{Decoded, Encode};
use imapkit_proto::strategies as st;
use imapkit_proto::*;
use proptest::prelude::*;

const RESPONSES: &[u8] = include_bytes!("data/dovecot/snippet.responses");
const COMMANDS: &[u8] = include_bytes!("data/dovecot/snippet.commands");

/// The frames of a stream fed in `chunk`-byte pieces, with their offsets.
fn frames(direction: Direction, input: &[u8], chunk: usize) -> Vec<(u64, Vec<u8>)> {
    let mut framer = Framer::new(FramerConfig::new(direction));
    let mut out = Vec::new();
    for piece in input.chunks(chunk) {
        framer.push(piece);
        while let Some(ev) = framer.poll_event() {
            match ev {
                FrameEvent::Frame(f) => out.push((f.offset, f.bytes.to_vec())),
                FrameEvent::Error(e) => panic!("framing error {e}"),
                _ => {}
            }
        }
    }
    assert!(framer.at_boundary());
    out
}

fn whole_response(b: &[u8]) -> Response<'_> {
    match response(b) {
        Ok(Decoded::Complete { message, consumed }) if consumed == b.len() => message,
        other => panic!("{other:?} for {}", b.escape_ascii()),
    }
}

fn whole_command(b: &[u8]) -> Command<'_> {
    match command(b) {
        Ok(Decoded::Complete { message, consumed }) if consumed == b.len() => message,
        other => panic!("{other:?} for {}", b.escape_ascii()),
    }
}

fn fetch(r: &Response<'_>) -> (u32, Vec<MessageDataItem<'static>>) {
    match r {
        Response::Data(Data::Fetch { seq, items }) => (
            seq.get(),
            items.iter().cloned().map(IntoStatic::into_static).collect(),
        ),
        other => panic!("not a FETCH: {other:?}"),
    }
}

fn snippet(name: SnippetName, text: Option<&[u8]>) -> MessageDataItem<'static> {
    let text = match text {
        None => NString(None),
        Some(t) if t.is_ascii() => {
            NString(Some(IString::Quoted(Quoted::try_from(t.to_vec()).unwrap())))
        }
        Some(t) => NString(Some(IString::Literal(
            Literal::try_new(t.to_vec()).unwrap(),
        ))),
    };
    MessageDataItem::Snippet {
        name,
        algorithm: SnippetAlgorithm::Fuzzy,
        text,
    }
}

const TEXTS: [&[u8]; 4] = [
    b"Hello world, this is a snippet test body.",
    b"He said \"quoted\" and a back\\slash here.",
    "Café 日本語 text.".as_bytes(),
    b"Only HTML here & there.",
];

#[test]
fn captured_responses_decode_to_what_dovecot_meant_and_reencode_byte_for_byte() {
    let whole = frames(Direction::ServerToClient, RESPONSES, RESPONSES.len());
    for chunk in [1, 7, 64] {
        assert_eq!(
            frames(Direction::ServerToClient, RESPONSES, chunk),
            whole,
            "chunk {chunk}"
        );
    }
    let mut snippets = Vec::new();
    for (k, (offset, bytes)) in whole.iter().enumerate() {
        if k == 0 {
            continue; // the greeting
        }
        let r = whole_response(bytes);
        assert_eq!(
            r.to_vec().escape_ascii().to_string(),
            bytes.escape_ascii().to_string(),
            "message at {offset}"
        );
        if let Response::Data(Data::Fetch { .. }) = r {
            snippets.push(fetch(&r));
        }
    }
    let (s, p) = (SnippetName::Snippet, SnippetName::Preview);
    let uid = |n| MessageDataItem::Uid(std::num::NonZeroU32::new(n).unwrap());
    let mut want = Vec::new();
    // SNIPPET (LAZY=FUZZY) before anything is cached: NIL.
    for n in 1..=4 {
        want.push((n, vec![uid(n), snippet(s, None)]));
    }
    // SNIPPET (FUZZY), then SNIPPET (LAZY=FUZZY) again: the texts, the third
    // as a literal (UTF-8), the second as a quoted string with escapes.
    for n in 1..=4 {
        want.push((n, vec![uid(n), snippet(s, Some(TEXTS[n as usize - 1]))]));
    }
    for n in 1..=4 {
        want.push((n, vec![snippet(s, Some(TEXTS[n as usize - 1]))]));
    }
    want.push((1, vec![snippet(s, Some(TEXTS[0]))])); // bare SNIPPET
    want.push((
        2,
        vec![
            snippet(s, Some(TEXTS[1])),
            MessageDataItem::Flags(vec![FlagFetch::Recent].into()),
        ],
    ));
    // PREVIEW (LAZY=FUZZY): the draft form of PREVIEW.
    for n in 1..=4 {
        want.push((n, vec![snippet(p, Some(TEXTS[n as usize - 1]))]));
    }
    // RFC 8970's PREVIEW and PREVIEW (LAZY): no algorithm.
    let Some(MessageDataItem::Snippet { text, .. }) = want[10].1.first().cloned() else {
        unreachable!()
    };
    want.push((3, vec![MessageDataItem::Preview(text)]));
    want.push((
        4,
        vec![MessageDataItem::Preview(NString(Some(IString::Quoted(
            Quoted::try_from(TEXTS[3]).unwrap(),
        ))))],
    ));
    assert_eq!(snippets, want);
}

#[test]
fn captured_commands_decode_and_reencode_byte_for_byte() {
    let whole = frames(Direction::ClientToServer, COMMANDS, COMMANDS.len());
    assert_eq!(frames(Direction::ClientToServer, COMMANDS, 1), whole);
    let mut items = Vec::new();
    for (k, (offset, bytes)) in whole.iter().enumerate() {
        if k == 1 {
            // The AUTHENTICATE PLAIN response line.
            assert!(matches!(
                imapkit_codec::decode::authenticate_data(bytes),
                Ok(Decoded::Complete { .. })
            ));
            continue;
        }
        let c = whole_command(bytes);
        assert_eq!(
            c.to_vec().escape_ascii().to_string(),
            bytes.escape_ascii().to_string(),
            "command at {offset}"
        );
        if let CommandBody::Fetch { items: i, .. } = c.body {
            items.push(i.into_static());
        }
    }
    let fuzzy = || SnippetModifier::Algorithm(SnippetAlgorithm::Fuzzy);
    let lazy_fuzzy = SnippetRequest::lazy_fuzzy();
    let draft_preview =
        SnippetRequest::preview([SnippetModifier::Lazy(Some(SnippetAlgorithm::Fuzzy))]).unwrap();
    use FetchAttribute as A;
    assert_eq!(
        items,
        [
            FetchItems::from([A::Uid, A::Snippet(lazy_fuzzy.clone())]),
            FetchItems::from([A::Snippet(SnippetRequest::snippet([fuzzy()]).unwrap())]),
            FetchItems::from([A::Snippet(lazy_fuzzy)]),
            FetchItems::Single(A::Snippet(SnippetRequest::snippet([]).unwrap())),
            FetchItems::from([
                A::Snippet(SnippetRequest::snippet([SnippetModifier::Lazy(None)]).unwrap()),
                A::Flags
            ]),
            FetchItems::from([A::Snippet(draft_preview)]),
            FetchItems::from([A::Preview { lazy: false }]),
            FetchItems::from([A::Preview { lazy: true }]),
        ]
    );
}

#[test]
fn strict_prefixes_of_snippet_lines_are_incomplete() {
    let lines: [&[u8]; 3] = [
        b"* 3 FETCH (UID 3 SNIPPET (FUZZY {21}\r\nCaf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e text.))\r\n",
        b"* 1 FETCH (PREVIEW (FUZZY NIL) UID 1)\r\n",
        b"* 2 FETCH (SNIPPET (FUZZY \"x\\\"y\"))\r\n",
    ];
    for line in lines {
        whole_response(line);
        for k in 0..line.len() {
            assert!(
                matches!(
                    response(&line[..k]),
                    Ok(Decoded::Incomplete | Decoded::LiteralAnnounced { .. })
                ),
                "prefix {k} of {}",
                line.escape_ascii()
            );
        }
    }
    let commands: [&[u8]; 3] = [
        b"a1 FETCH 1:* (UID SNIPPET (LAZY=FUZZY))\r\n",
        b"a2 FETCH 1 PREVIEW (LAZY FUZZY) (CHANGEDSINCE 5)\r\n",
        b"a3 FETCH 1 SNIPPET\r\n",
    ];
    for line in commands {
        whole_command(line);
        for k in 0..line.len() {
            assert!(
                matches!(command(&line[..k]), Ok(Decoded::Incomplete)),
                "prefix {k} of {}",
                line.escape_ascii()
            );
        }
    }
}

#[test]
fn a_list_after_a_single_item_is_the_fetch_modifiers_unless_it_starts_like_snippet_modifiers() {
    let c = whole_command(b"a FETCH 1 SNIPPET (CHANGEDSINCE 5)\r\n");
    let CommandBody::Fetch {
        items, modifiers, ..
    } = c.body
    else {
        panic!()
    };
    assert_eq!(
        items,
        FetchItems::Single(FetchAttribute::Snippet(
            SnippetRequest::snippet([]).unwrap()
        ))
    );
    assert_eq!(modifiers, [FetchModifier::ChangedSince(5)]);
    let c = whole_command(b"a FETCH 1 preview (lazy=fuzzy) (X-FOO)\r\n");
    let CommandBody::Fetch {
        items, modifiers, ..
    } = c.body
    else {
        panic!()
    };
    assert!(matches!(
        items,
        FetchItems::Single(FetchAttribute::Snippet(s)) if s.name() == SnippetName::Preview && s.is_lazy()
    ));
    assert_eq!(modifiers.len(), 1);
}

#[test]
fn malformed_snippets_fail_at_their_offset() {
    for (input, offset) in [
        // LAZY is a modifier, not an algorithm.
        (&b"* 1 FETCH (SNIPPET (LAZY \"x\"))\r\n"[..], 19),
        // The algorithm list is required in a response.
        (b"* 1 FETCH (SNIPPET \"x\")\r\n", 19),
        (b"* 1 FETCH (SNIPPET (FUZZY \"x\" \"y\"))\r\n", 30),
        (b"* 1 FETCH (PREVIEW (FUZZY))\r\n", 25),
    ] {
        let e = response(input).unwrap_err();
        assert_eq!(e.offset, offset, "{} {e}", input.escape_ascii());
    }
    for (input, offset) in [
        (&b"a FETCH 1 (SNIPPET (LAZY=LAZY))\r\n"[..], 20),
        (b"a FETCH 1 (SNIPPET (LAZY=))\r\n", 20),
        // An unknown algorithm first reads as a list that is not snippet
        // modifiers: inside an item list that is an error.
        (b"a FETCH 1 (SNIPPET (X-ALG))\r\n", 19),
        (b"a FETCH 1 (SNIPPET ())\r\n", 20),
    ] {
        let e = command(input).unwrap_err();
        assert_eq!(e.offset, offset, "{} {e}", input.escape_ascii());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// `decode(encode(x)) == x` for snippet requests in both FETCH forms
    /// and for snippet items in a FETCH response.
    #[test]
    fn snippet_items_roundtrip(
        request in st::snippet_request(),
        single: bool,
        modifiers in proptest::collection::vec(st::fetch_modifier(), 0..2),
        item in st::message_data_item().prop_filter("snippets", |i| matches!(i, MessageDataItem::Snippet { .. })),
        uid in 1u32..1000,
    ) {
        let items = if single {
            FetchItems::Single(FetchAttribute::Snippet(request))
        } else {
            FetchItems::from([FetchAttribute::Uid, FetchAttribute::Snippet(request)])
        };
        let c = Command::new(
            Tag::try_from("a1").unwrap(),
            CommandBody::Fetch { uid: false, sequence_set: SequenceSet::all(), items, modifiers },
        );
        let b = c.to_vec();
        prop_assert_eq!(whole_command(&b).into_static(), c);

        let r = Response::Data(Data::Fetch {
            seq: std::num::NonZeroU32::new(uid).unwrap(),
            items: Vec1::try_from(vec![item, MessageDataItem::Uid(std::num::NonZeroU32::new(uid).unwrap())]).unwrap(),
        });
        let b = r.to_vec();
        prop_assert_eq!(whole_response(&b).into_static(), r);
    }
}
