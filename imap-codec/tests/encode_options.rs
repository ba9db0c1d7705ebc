//! Encoding for a peer and sending in fragments: with `EncodeOptions {
//! utf8: false }` every byte outside a literal is ASCII, literals follow the
//! policy, the output decodes and re-encodes to itself; fragments tile the
//! output and agree with `encode_marked`; `Display` is the wire form with
//! credentials redacted.

use imapkit_codec::decode::{command, response};
use imapkit_codec::{
    encode_fragments, encode_marked, encode_with, Decoded, Encode, EncodeOptions, Fragment,
    LiteralPolicy,
};
use imapkit_proto::strategies as st;
use imapkit_proto::{
    Command, CommandBody, Data, Delimiter, IntoStatic, ListMailbox, ListPatterns, LiteralMode,
    Mailbox, NameEncoding, Response, Tag,
};
use proptest::prelude::*;

/// The policies a client picks from a server's capabilities.
fn policy() -> impl Strategy<Value = LiteralPolicy> {
    prop_oneof![
        Just(LiteralPolicy::AsGiven),
        Just(LiteralPolicy::SyncOnly),
        Just(LiteralPolicy::NonSyncAll),
        (0u32..64).prop_map(LiteralPolicy::NonSyncUpTo),
    ]
}

/// Checks the fragments of `out[start..]`: they tile it, lines are ASCII
/// when `ascii`, and each literal has the mode the policy gives.
fn check_fragments(
    out: &[u8],
    start: usize,
    fragments: &[Fragment],
    options: &EncodeOptions,
    ascii: bool,
) -> Result<(), TestCaseError> {
    let mut at = start;
    for f in fragments {
        let r = f.range();
        prop_assert_eq!(r.start, at, "fragments tile the output");
        let empty_line = r.is_empty() && matches!(f, Fragment::Line(_));
        prop_assert!(!empty_line, "no empty line");
        at = r.end;
        match f {
            Fragment::Line(r) => {
                if ascii {
                    prop_assert!(
                        out[r.clone()].is_ascii(),
                        "{:?}",
                        out[r.clone()].escape_ascii().to_string()
                    );
                }
            }
            Fragment::Literal { range, mode } => {
                let policy = options.literals;
                let expected = match policy {
                    LiteralPolicy::SyncOnly => Some(LiteralMode::Sync),
                    LiteralPolicy::NonSyncAll => Some(LiteralMode::NonSync),
                    LiteralPolicy::NonSyncUpTo(max) => Some(if range.len() <= max as usize {
                        LiteralMode::NonSync
                    } else {
                        LiteralMode::Sync
                    }),
                    _ => None,
                };
                if let Some(expected) = expected {
                    prop_assert_eq!(*mode, expected);
                }
                // The header before the data says the same.
                let header = if *mode == LiteralMode::NonSync {
                    "+}\r\n"
                } else {
                    "}\r\n"
                };
                let header = format!("{{{}{header}", range.len());
                prop_assert!(out[..range.start].ends_with(header.as_bytes()));
            }
        }
    }
    prop_assert_eq!(at, out.len());
    Ok(())
}

/// Whether `r` holds non-ASCII where the grammar has no literal form, so
/// that only a UTF-8 session can carry it: human-readable text (`text`,
/// RFC 9051 §9), a hierarchy delimiter (a quoted character) or an unknown
/// response's raw line.
fn has_8bit_text(r: &Response<'_>) -> bool {
    let bad = |d: &Option<Delimiter>| d.is_some_and(|c| !c.as_char().is_ascii());
    match r {
        Response::Status(s) => !s.text.human().as_bytes().is_ascii(),
        Response::Continue(c) => !c.text().human().as_bytes().is_ascii(),
        Response::Data(Data::List(m) | Data::Lsub(m)) => bad(&m.delimiter),
        Response::Data(Data::Namespace(n)) => n
            .personal
            .iter()
            .chain(&n.other)
            .chain(&n.shared)
            .any(|d| bad(&d.delimiter)),
        Response::Data(Data::Other(o)) => !o.as_bytes().is_ascii(),
        _ => false,
    }
}

/// Whether encoding for a UTF-8 peer spells a name or a LIST pattern of
/// `c` otherwise than it is held (a modified UTF-7 name with a `&` run is
/// written decoded: `Mailbox::respelled`).
fn command_respelled(c: &Command<'_>) -> bool {
    let mut body = c.body.clone();
    let mut any = false;
    body.for_each_mailbox_mut(|m| any |= m.respelled(true).is_some());
    let patterns: Vec<&ListMailbox<'_>> = match &c.body {
        CommandBody::List { patterns, .. } => match patterns {
            ListPatterns::Single(p) => vec![p],
            ListPatterns::Multiple(v) => v.as_slice().iter().collect(),
        },
        CommandBody::Lsub { pattern, .. } => vec![pattern],
        _ => Vec::new(),
    };
    any || patterns.iter().any(|p| p.respelled(true).is_some())
}

/// As [`command_respelled`], for a response's names.
fn response_respelled(r: &Response<'_>) -> bool {
    let Response::Data(d) = r else {
        return false;
    };
    let mut d = d.clone();
    let mut any = false;
    d.for_each_mailbox_mut(|m| any |= m.respelled(true).is_some());
    any
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// A name goes in the session's convention and names the same mailbox:
    /// modified UTF-7 (ASCII) to a peer without UTF-8, UTF-8 to one with
    /// it, which the peer marks as such (`NameEncoding::Utf8`); either way
    /// the decoded name equals the one sent, and so does its text where it
    /// has one.
    #[test]
    fn names_go_in_the_sessions_convention(m in st::mailbox(), text in "[a-z&日本語😀 ]{1,8}") {
        for m in [m, Mailbox::from(text.as_str()).into_static(), Mailbox::from_utf8_name(&text).into_static()] {
            for utf8 in [false, true] {
                let c = Command { tag: Tag::try_from("a").unwrap(), body: CommandBody::select(m.clone()) };
                let options = EncodeOptions { literals: LiteralPolicy::NonSyncAll, utf8, utf8_text: false };
                let mut out = Vec::new();
                encode_with(&c, &mut out, &options);
                let mut decoded = match command(&out) {
                    Ok(Decoded::Complete { message, .. }) => message.into_static(),
                    other => return Err(TestCaseError::fail(format!("{other:?}"))),
                };
                if utf8 {
                    decoded.body.for_each_mailbox_mut(|m| m.set_encoding(NameEncoding::Utf8));
                } else {
                    prop_assert!(!m.name().is_ok_and(|t| !t.is_ascii()) || out.is_ascii(), "{:?}", out.escape_ascii().to_string());
                }
                let CommandBody::Select { mailbox, .. } = &decoded.body else { unreachable!() };
                prop_assert_eq!(mailbox, &m);
                // (A name that is not valid in its own convention, such as
                // `&` held as modified UTF-7, has no text to compare.)
                if m.name().is_ok() {
                    prop_assert_eq!(mailbox.name(), m.name());
                }
            }
        }
    }

    #[test]
    fn commands_for_a_server_without_utf8(c in st::command(), literals in policy()) {
        let options = EncodeOptions { literals, ..EncodeOptions::default() };
        let mut out = b"A0 NOOP\r\n".to_vec();
        let fragments: Vec<Fragment> = encode_fragments(&c, &mut out, &options).collect();
        check_fragments(&out, 9, &fragments, &options, true)?;
        let bytes = &out[9..];
        let decoded = match command(bytes) {
            Ok(Decoded::Complete { message, consumed }) if consumed == bytes.len() => message.into_static(),
            other => return Err(TestCaseError::fail(format!("{other:?} for {:?}", bytes.escape_ascii().to_string()))),
        };
        // What was received encodes to the same bytes for the same server.
        let mut again = Vec::new();
        encode_with(&decoded, &mut again, &options);
        prop_assert_eq!(again, bytes);
    }

    #[test]
    fn responses_for_a_client_without_utf8(r in st::response()) {
        prop_assume!(!has_8bit_text(&r));
        let options = EncodeOptions::default();
        let mut out = Vec::new();
        let fragments: Vec<Fragment> = encode_fragments(&r, &mut out, &options).collect();
        check_fragments(&out, 0, &fragments, &options, true)?;
        let decoded = match response(&out) {
            Ok(Decoded::Complete { message, consumed }) if consumed == out.len() => message.into_static(),
            other => return Err(TestCaseError::fail(format!("{other:?} for {:?}", out.escape_ascii().to_string()))),
        };
        let mut again = Vec::new();
        encode_with(&decoded, &mut again, &options);
        prop_assert_eq!(again, out);
    }

    /// The strategies' quoted strings and texts are UTF-8: for a peer
    /// that takes UTF-8 in both (an IMAP4rev2 session) nothing changes form.
    #[test]
    fn utf8_peers_get_the_values_as_they_are(c in st::command(), r in st::response()) {
        prop_assume!(!command_respelled(&c) && !response_respelled(&r));
        let options = EncodeOptions { utf8: true, utf8_text: true, ..EncodeOptions::default() };
        let mut out = Vec::new();
        encode_with(&c, &mut out, &options);
        prop_assert_eq!(&out, &c.to_vec());
        out.clear();
        encode_with(&r, &mut out, &options);
        prop_assert_eq!(out, r.to_vec());
    }

    #[test]
    fn fragments_agree_with_encode_marked(c in st::command(), prefix in proptest::collection::vec(any::<u8>(), 0..16)) {
        prop_assume!(!command_respelled(&c));
        let mut out = prefix.clone();
        // With UTF-8 (the strategies' strings are UTF-8) and literals as
        // given, the output is the plain encoding.
        let options = EncodeOptions { utf8: true, ..EncodeOptions::default() };
        let fragments: Vec<Fragment> = encode_fragments(&c, &mut out, &options).collect();
        let (mut plain, mut marks) = (Vec::new(), Vec::new());
        encode_marked(&c, &mut plain, &mut marks);
        prop_assert_eq!(&out[prefix.len()..], &plain[..]);
        let literals: Vec<(usize, usize, LiteralMode)> = fragments
            .iter()
            .filter_map(|f| match f {
                Fragment::Literal { range, mode } => Some((range.start, range.len(), *mode)),
                Fragment::Line(_) => None,
            })
            .collect();
        let from_marks: Vec<(usize, usize, LiteralMode)> = marks
            .iter()
            .map(|m| (m.offset + prefix.len(), m.len as usize, m.mode))
            .collect();
        prop_assert_eq!(literals, from_marks);
    }

    #[test]
    fn display_is_the_wire_form_with_credentials_redacted(c in st::command(), r in st::response()) {
        let shown = c.to_string();
        let wire = c.to_vec();
        match &c.body {
            CommandBody::Login { .. } => {
                prop_assert!(shown.ends_with(" <redacted>"), "{}", shown);
            }
            CommandBody::Authenticate { initial_response: Some(_), .. } => {
                prop_assert!(shown.ends_with(" <redacted>"), "{}", shown);
            }
            _ => {
                let line = String::from_utf8_lossy(&wire[..wire.len() - 2]);
                prop_assert_eq!(shown, line);
            }
        }
        let wire = r.to_vec();
        prop_assert_eq!(r.to_string(), String::from_utf8_lossy(&wire[..wire.len() - 2]));
    }
}
