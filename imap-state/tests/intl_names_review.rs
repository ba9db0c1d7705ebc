//! Review: mailbox names in Japanese and other non-ASCII scripts, end to
//! end at the library level: modified UTF-7 (RFC 3501 §5.1.3, RFC 9051
//! Appendix A.1), names built from Rust text, what the Client puts on the
//! wire with and without UTF-8 enabled (RFC 6855 §3, RFC 9051 §5.1), and
//! what the application reads back from LIST, LSUB, STATUS and OLDNAME.
//!
//! An independent review (stop 32). Tests whose doc says "Was a bug"
//! failed before the fixes committed with this file.

mod util;

use imapkit_proto::{
    utf7, Capability, CommandBody, Data, ListExtendedItem, ListMailbox, Mailbox, StatusAttribute,
};
use imapkit_state::client::{Event, Outcome, SessionState};
use util::client::{closed, completed, preauth, violations};

/// The untagged data among `events`, in order.
fn data(events: &[Event]) -> Vec<Data<'static>> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Data { data, .. } => Some(data.clone()),
            _ => None,
        })
        .collect()
}

/// The mailbox of every LIST/LSUB/STATUS line among `events`.
fn names(events: &[Event]) -> Vec<Mailbox<'static>> {
    data(events)
        .into_iter()
        .filter_map(|d| match d {
            Data::List(l) | Data::Lsub(l) => Some(l.mailbox),
            Data::Status { mailbox, .. } => Some(mailbox),
            _ => None,
        })
        .collect()
}

/// Authenticated (PREAUTH) with `caps`, and `ENABLE enable` answered
/// `* ENABLED enable` (tag A1).
fn enabled(caps: &str, enable: &'static str) -> util::client::Script {
    let mut s = preauth(caps);
    let cap = Capability::try_from(enable).unwrap();
    s.client
        .enable(s.now, vec![cap].try_into().unwrap())
        .unwrap();
    assert_eq!(s.sent(), format!("A1 ENABLE {enable}\r\n"));
    s.server(format!("* ENABLED {enable}\r\nA1 OK enabled\r\n").as_bytes());
    s.events();
    s
}

// ---------------------------------------------------------------------------
// Modified UTF-7 (imap-proto/src/utf7.rs)
// ---------------------------------------------------------------------------

/// Astral-plane characters go as one surrogate pair in one run: U+1F600
/// (emoji) and U+20000, U+2A6D6 (CJK Extension B), next to BMP text.
#[test]
fn astral_plane_vectors() {
    for (text, wire) in [
        ("😀", "&2D3eAA-"),
        ("emoji 😀", "emoji &2D3eAA-"),
        ("\u{20000}", "&2EDcAA-"),
        ("𠀋日本", "&2EDcC2XlZyw-"),
        ("\u{2A6D6}/x", "&2Gne1g-/x"),
    ] {
        assert_eq!(utf7::encode(text), wire, "{text}");
        assert_eq!(utf7::decode(wire.as_bytes()).as_deref(), Ok(text), "{wire}");
    }
}

/// Every non-canonical or broken form is refused: encoded printable ASCII
/// (`a`, `&`, `-`), a superfluous shift (RFC 3501 §5.1.3's own example),
/// a run not closed before `!`, a surrogate pair split over two runs, a
/// lone low surrogate, a run too short for one UTF-16 unit, leftover
/// non-zero bits, 8-bit bytes, and `/` from standard base64.
#[test]
fn non_canonical_forms_are_refused() {
    for bad in [
        &b"&AGE-"[..],
        b"&ACY-",
        b"&AC0-",
        b"&U,BTFw-&ZeVnLIqe-",
        b"&Jjo!",
        b"&2D0-&3gA-",
        b"&2D0-x&3gA-",
        b"&3gA-",
        b"&AA-",
        b"&ZeV-",
        b"&ZeVnLIqe",
        b"&U/BTFw-",
        "日本語".as_bytes(),
    ] {
        assert!(
            utf7::decode(bad).is_err(),
            "{} decoded to {:?}",
            String::from_utf8_lossy(bad),
            utf7::decode(bad)
        );
    }
    // The canonical forms of the same texts.
    assert_eq!(utf7::decode(b"&U,BTF2XlZyyKng-").unwrap(), "台北日本語");
    assert_eq!(utf7::decode(b"&Jjo-!").unwrap(), "☺!");
    assert_eq!(utf7::decode(b"&--").unwrap(), "&-");
    assert_eq!(utf7::decode(b"&ZeU-&-&Zyw-").unwrap(), "日&本");
}

/// `INBOX` is only the inbox in ASCII: a fullwidth or dotted-I spelling,
/// or `INBOX` spelled in base64, is another name, shown as typed.
#[test]
fn inbox_only_in_ascii() {
    assert_eq!(Mailbox::from("iNbOx"), Mailbox::Inbox);
    for look_alike in ["ＩＮＢＯＸ", "İNBOX", "ınbox"] {
        let m = Mailbox::from(look_alike);
        assert_ne!(m, Mailbox::Inbox, "{look_alike}");
        assert_eq!(m.name().unwrap(), look_alike);
    }
    let m = Mailbox::from_wire("&AEkATgBCAE8AWA-").unwrap();
    assert_ne!(m, Mailbox::Inbox);
    assert!(m.name().is_err(), "encoded ASCII is not canonical");
    // A child of INBOX keeps its first level as given.
    assert_eq!(
        Mailbox::from("inbox/日本語").as_bytes(),
        b"inbox/&ZeVnLIqe-"
    );
}

// ---------------------------------------------------------------------------
// The Client: names on the wire
// ---------------------------------------------------------------------------

/// Without UTF-8 enabled, names typed as text go as modified UTF-7, in
/// every command that takes a mailbox; a name with a space or a wildcard
/// is quoted, others are atoms.
#[test]
fn client_sends_modified_utf7_without_utf8() {
    let mut s = preauth("UTF8=ACCEPT ENABLE MOVE UIDPLUS");
    let commands = [
        (
            CommandBody::create("日本語/受信箱"),
            "CREATE &ZeVnLIqe-/&U9dP4Xux-",
        ),
        (
            CommandBody::rename("Ünïcödé", "emoji 😀"),
            "RENAME &ANw-n&AO8-c&APY-d&AOk- \"emoji &2D3eAA-\"",
        ),
        (CommandBody::create("a&b"), "CREATE a&-b"),
        (
            CommandBody::status("日本語", StatusAttribute::Messages),
            "STATUS &ZeVnLIqe- (MESSAGES)",
        ),
        (CommandBody::delete("受信箱*"), "DELETE \"&U9dP4Xux-*\""),
        (CommandBody::list("", "日本語/%"), "LIST \"\" &ZeVnLIqe-/%"),
        (CommandBody::subscribe("日本語"), "SUBSCRIBE &ZeVnLIqe-"),
    ];
    for (i, (body, wire)) in commands.into_iter().enumerate() {
        s.client.enqueue(s.now, body).unwrap();
        assert_eq!(s.sent(), format!("A{} {wire}\r\n", i + 1));
        s.server(format!("A{} OK done\r\n", i + 1).as_bytes());
    }
}

/// After `ENABLE UTF8=ACCEPT`, a name built for UTF-8
/// ([`Mailbox::from_utf8_name`]) goes as a UTF-8 quoted string; before,
/// the same name goes in modified UTF-7 (RFC 6855 §3: no 8-bit quoted
/// string to a server that did not see the ENABLE; RFC 9051 Appendix A.1:
/// an IMAP4rev1 session's names are modified UTF-7).
#[test]
fn utf8_names_are_quoted_only_after_enable() {
    let mut s = enabled("ENABLE UTF8=ACCEPT", "UTF8=ACCEPT");
    s.client
        .select(s.now, Mailbox::from_utf8_name("日本語/受信箱"))
        .unwrap();
    assert_eq!(s.sent(), "A2 SELECT \"日本語/受信箱\"\r\n");
    s.server(b"* 0 EXISTS\r\nA2 OK [READ-WRITE] done\r\n");
    assert_eq!(s.client.state(), SessionState::Selected);
    s.client
        .enqueue(
            s.now,
            CommandBody::list("", ListMailbox::from_utf8_pattern("日本語/*")),
        )
        .unwrap();
    assert_eq!(s.sent(), "A3 LIST \"\" \"日本語/*\"\r\n");

    // Before ENABLE the session's names are modified UTF-7, and the same
    // value goes in that spelling (before stop 32: a UTF-8 literal, which
    // an IMAP4rev1 server does not read as this name).
    let mut s = preauth("ENABLE UTF8=ACCEPT");
    s.client
        .select(s.now, Mailbox::from_utf8_name("日本語"))
        .unwrap();
    assert_eq!(s.sent(), "A1 SELECT &ZeVnLIqe-\r\n");
}

/// After `ENABLE IMAP4rev2` mailbox names are Net-Unicode and `&` is an
/// ordinary character (RFC 9051 §5.1; modified UTF-7 is only for IMAP4rev1
/// compatibility, Appendix A.1): a name the application gives as text
/// must go as UTF-8, not as modified UTF-7, which the server reads as the
/// name `&ZeVnLIqe-` (the demo server does, see
/// examples/tests/intl_names_review.rs). The Client encodes by the
/// session, not by what the application was told to build.
///
/// Was a bug (fixed in stop 32).
#[test]
fn text_names_go_as_utf8_after_enable_imap4rev2() {
    let mut s = enabled("IMAP4rev2 ENABLE", "IMAP4rev2");
    s.client
        .enqueue(s.now, CommandBody::create("日本語/受信箱"))
        .unwrap();
    assert_eq!(s.sent(), "A2 CREATE \"日本語/受信箱\"\r\n");
}

/// What the application sees of names once the session is UTF-8 (RFC 9051
/// §5.1, ENABLE IMAP4rev2): the server's `* LIST () "/" "&ZeVnLIqe-"`
/// names a mailbox whose name is those ten characters, and `R&-D` is four
/// characters, but the only text accessors of [`Mailbox`]
/// (`name()`, `name_lossy()`, `Display`) decode them as modified UTF-7.
///
/// Was a bug (fixed in stop 32).
#[test]
fn utf8_session_names_are_not_decoded_as_modified_utf7() {
    let mut s = enabled("IMAP4rev2 ENABLE", "IMAP4rev2");
    s.client.enqueue(s.now, CommandBody::list("", "*")).unwrap();
    assert_eq!(s.sent(), "A2 LIST \"\" *\r\n");
    s.server(b"* LIST () \"/\" \"&ZeVnLIqe-\"\r\n* LIST () \"/\" \"R&-D\"\r\nA2 OK done\r\n");
    let shown: Vec<String> = names(&s.events()).iter().map(|m| m.to_string()).collect();
    assert_eq!(shown, ["&ZeVnLIqe-", "R&-D"]);
}

// ---------------------------------------------------------------------------
// The Client: names read back
// ---------------------------------------------------------------------------

/// LIST, LSUB, STATUS (LIST-STATUS, RFC 5819) and OLDNAME (RFC 5258 §6,
/// RFC 9051 §6.3.9.7) in modified UTF-7 come to the application as the
/// names a user typed, as atoms, quoted strings and literals; the values
/// compare equal to the names built from text, so they can be sent back.
#[test]
fn encoded_names_read_back_as_text() {
    let mut s = preauth("LIST-EXTENDED LIST-STATUS");
    s.client.enqueue(s.now, CommandBody::list("", "*")).unwrap();
    assert_eq!(s.sent(), "A1 LIST \"\" *\r\n");
    s.server(
        b"* LIST () \"/\" &ZeVnLIqe-/&U9dP4Xux-\r\n\
          * STATUS &ZeVnLIqe-/&U9dP4Xux- (MESSAGES 3)\r\n\
          * LIST () \"/\" \"emoji &2D3eAA-\"\r\n\
          * LIST () \"/\" {13}\r\na&-b/&2EDcAA-\r\n\
          * LIST () \"/\" &ANw-n&AO8-c&APY-d&AOk- (\"OLDNAME\" (\"&ZeVnLIqe-\"))\r\n\
          * LSUB () \"/\" &ZeVnLIqe-\r\n\
          A1 OK done\r\n",
    );
    let events = s.events();
    assert!(violations(&events).is_empty(), "{events:?}");
    let got = names(&events);
    let text: Vec<String> = got.iter().map(|m| m.name().unwrap()).collect();
    assert_eq!(
        text,
        [
            "日本語/受信箱",
            "日本語/受信箱",
            "emoji 😀",
            "a&b/\u{20000}",
            "Ünïcödé",
            "日本語"
        ]
    );
    for (m, typed) in got
        .iter()
        .zip(["日本語/受信箱", "", "emoji 😀", "a&b/\u{20000}"])
    {
        if !typed.is_empty() {
            assert_eq!(m.as_bytes(), Mailbox::from(typed).as_bytes());
        }
    }
    let old = data(&events).into_iter().find_map(|d| match d {
        Data::List(l) => l.extended.into_iter().find_map(|x| match x {
            ListExtendedItem::OldName(m) => Some(m),
            _ => None,
        }),
        _ => None,
    });
    assert_eq!(old.unwrap().name().unwrap(), "日本語");
}

/// A name is the same name whether the server sends it as an atom, a
/// quoted string or a literal (RFC 9051 §4.3: the forms differ only in
/// syntax). Dovecot quotes every LIST name (`* LIST () "/" "&ZeVnLIqe-"`),
/// so an application that looks for the mailbox it typed (`Mailbox::from`,
/// an atom) among the LIST results, or keys a map by `Mailbox`, misses it:
/// `Mailbox` derives `PartialEq`/`Hash` from `AString`, which compares the
/// syntax form too.
///
/// Was a bug (fixed in stop 32).
#[test]
fn a_listed_name_equals_the_typed_name_in_any_string_form() {
    let mut s = preauth("");
    s.client.enqueue(s.now, CommandBody::list("", "*")).unwrap();
    assert_eq!(s.sent(), "A1 LIST \"\" *\r\n");
    s.server(
        b"* LIST () \"/\" &ZeVnLIqe-\r\n* LIST () \"/\" \"&ZeVnLIqe-\"\r\n\
          * LIST () \"/\" {10}\r\n&ZeVnLIqe-\r\nA1 OK done\r\n",
    );
    let got = names(&s.events());
    assert_eq!(got.len(), 3);
    let typed = Mailbox::from("日本語");
    for m in &got {
        assert_eq!(m.as_bytes(), typed.as_bytes());
    }
    let set: std::collections::HashSet<_> = got.into_iter().collect();
    assert_eq!(set.len(), 1, "{set:?}");
    assert!(set.contains(&typed));
}

/// A server that sends invalid modified UTF-7 (non-canonical, unterminated,
/// 8-bit Latin-1) in LIST does not end the session or raise a violation:
/// the application gets the bytes, `name()` says why they are not modified
/// UTF-7, `name_lossy()` shows them as they came, and the name can be sent
/// back byte for byte.
#[test]
fn invalid_modified_utf7_in_list_is_passed_on() {
    let mut s = preauth("");
    s.client.enqueue(s.now, CommandBody::list("", "*")).unwrap();
    assert_eq!(s.sent(), "A1 LIST \"\" *\r\n");
    let mut wire = b"* LIST () \"/\" &AGE-\r\n* LIST () \"/\" \"&Jjo!\"\r\n".to_vec();
    wire.extend_from_slice(b"* LIST () \"/\" {3}\r\nca\xf1\r\n");
    wire.extend_from_slice(b"* LIST () \"/\" \"&ZeVnLIqe\"\r\nA1 OK done\r\n");
    s.server(&wire);
    let events = s.events();
    assert_eq!(closed(&events), None, "{events:?}");
    assert_eq!(
        completed(&events)
            .into_iter()
            .map(|c| c.1)
            .collect::<Vec<_>>(),
        [Outcome::Ok]
    );
    let got = names(&events);
    let bytes: Vec<&[u8]> = got.iter().map(|m| m.as_bytes()).collect();
    assert_eq!(bytes, [&b"&AGE-"[..], b"&Jjo!", b"ca\xf1", b"&ZeVnLIqe"]);
    assert!(got.iter().all(|m| m.name().is_err()));
    let lossy: Vec<String> = got.iter().map(Mailbox::name_lossy).collect();
    assert_eq!(lossy, ["&AGE-", "&Jjo!", "ca\u{fffd}", "&ZeVnLIqe"]);
    // Sent back as received.
    s.client.select(s.now, got[1].clone()).unwrap();
    assert_eq!(s.sent(), "A2 SELECT \"&Jjo!\"\r\n");
    s.server(b"A2 NO no such mailbox\r\n");
    s.client.select(s.now, got[2].clone()).unwrap();
    assert_eq!(s.sent_bytes(), b"A3 SELECT {3}\r\n");
    s.server(b"+ go\r\n");
    assert_eq!(s.sent_bytes(), b"ca\xf1\r\n");
}

// ---------------------------------------------------------------------------
// The Server
// ---------------------------------------------------------------------------

/// A LIST answer names a mailbox in the client's convention, whichever
/// the application built the value in: modified UTF-7 to a client that
/// enabled nothing (RFC 9051 Appendix A.1: a server whose store is not in
/// modified UTF-7 MUST convert), a UTF-8 quoted string after `ENABLE
/// UTF8=ACCEPT` (RFC 6855 §3). (Before stop 32 a UTF-8 name went as a
/// UTF-8 literal to the first, and a modified UTF-7 one as is to the
/// second.)
#[test]
fn server_writes_list_names_for_the_session() {
    use imapkit_proto::MailboxList;
    use imapkit_state::server::ServerConfig;
    use util::{Harness, Split};
    let list = |name: Mailbox<'static>| {
        Data::List(MailboxList {
            attributes: Vec::new(),
            delimiter: Some(imapkit_proto::Delimiter::new('/').unwrap()),
            mailbox: name,
            extended: Vec::new(),
        })
    };
    let mut config = ServerConfig::default();
    config
        .capabilities
        .push(Capability::try_from("UTF8=ACCEPT").unwrap());
    for (enable, utf8, mutf7) in [
        (
            false,
            "* LIST () \"/\" &ZeVnLIqe-/&U9dP4Xux-\r\n",
            "* LIST () \"/\" &ZeVnLIqe-/&U9dP4Xux-\r\n",
        ),
        (
            true,
            "* LIST () \"/\" \"日本語/受信箱\"\r\n",
            "* LIST () \"/\" \"日本語/受信箱\"\r\n",
        ),
    ] {
        let mut h = Harness::logged_in(config.clone(), Split::Whole);
        if enable {
            h.send(b"e ENABLE UTF8=ACCEPT\r\n");
            h.take_wire();
        }
        h.server
            .send_unsolicited(h.now, list(Mailbox::from_utf8_name("日本語/受信箱")))
            .unwrap();
        h.server
            .send_unsolicited(h.now, list(Mailbox::from("日本語/受信箱")))
            .unwrap();
        h.drive();
        assert_eq!(h.take_wire(), format!("{utf8}{mutf7}"), "enabled: {enable}");
    }
}

/// RFC 6855 §3: bytes with the high bit set that are not UTF-8, in a
/// quoted mailbox name, are answered `BAD`; the same name that is UTF-8
/// reaches the application as its bytes (refusing it, for a client that
/// did not enable UTF-8, is the application's part: the demo answers NO
/// [CANNOT]).
#[test]
fn server_rejects_non_utf8_quoted_names_with_bad() {
    use imapkit_state::server::ServerConfig;
    use util::{Harness, Split};
    let mut h = Harness::logged_in(ServerConfig::default(), Split::Whole);
    h.send(b"c1 CREATE \"caf\xe9\"\r\n");
    let wire = h.take_wire();
    assert!(wire.starts_with("c1 BAD "), "{wire}");
    h.policy.auto_respond = false;
    h.send("c2 CREATE \"日本語\"\r\n".as_bytes());
    let (_, command) = h.requests.pop_front().expect("delivered");
    let CommandBody::Create { mailbox, .. } = command.body else {
        panic!("{command:?}")
    };
    assert_eq!(mailbox.as_bytes(), "日本語".as_bytes());
}
