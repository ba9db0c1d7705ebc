//! Review: the ACL (RFC 4314) and NAMESPACE (RFC 2342, RFC 9051 §7.3.2)
//! responses as the Client hands them to the application, and the ACL
//! command constructors on the wire, with Japanese mailbox names and
//! identifiers, before and after UTF-8 is enabled.
//!
//! An independent review (stop 32); it found no fault here, and these
//! tests pin what no other test checks.

mod util;

use imapkit_proto::{AclModMode, AclRights, Capability, CommandBody, Data, Mailbox, NameEncoding};
use imapkit_state::client::{Event, Outcome};
use util::client::{completed, preauth, violations};

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

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Authenticated with ACL and NAMESPACE (and `extra`); when `enable` is
/// given, `ENABLE enable` answered `* ENABLED enable` (tag A1).
fn session(extra: &str, enable: Option<&'static str>) -> util::client::Script {
    let mut s = preauth(&format!("ACL RIGHTS=texk NAMESPACE {extra}"));
    if let Some(enable) = enable {
        let cap = Capability::try_from(enable).unwrap();
        s.client
            .enable(s.now, vec![cap].try_into().unwrap())
            .unwrap();
        assert_eq!(s.sent(), format!("A1 ENABLE {enable}\r\n"));
        s.server(format!("* ENABLED {enable}\r\nA1 OK enabled\r\n").as_bytes());
        s.events();
    }
    s
}

/// The bytes the client sends for `body`.
fn wire(s: &mut util::client::Script, body: CommandBody<'static>) -> Vec<u8> {
    s.client.enqueue(s.now, body).unwrap();
    s.sent_bytes()
}

/// GETACL, MYRIGHTS and LISTRIGHTS answers for `Shared/経理` in modified
/// UTF-7 reach the application as typed data: the mailbox decodes to the
/// Japanese name, identifiers and rights are kept as sent (`c`/`d`
/// included, digits too), LISTRIGHTS keeps the empty required set and
/// each optional group; an ACL response with no pair is accepted (RFC
/// 4314 §3.6: "zero or more").
#[test]
fn acl_responses_decode_into_typed_data() {
    let mut s = session("", None);
    let h = wire(&mut s, CommandBody::get_acl("Shared/経理"));
    assert_eq!(text(&h), "A1 GETACL Shared/&fUx0Bg-\r\n");
    s.server(
        b"* ACL Shared/&fUx0Bg- alice lrswipkxteacd bob lrs \"-carol\" w\r\n\
          * ACL Shared/&fUx0Bg-\r\n\
          * MYRIGHTS Shared/&fUx0Bg- lrs\r\n\
          * LISTRIGHTS Shared/&fUx0Bg- bob \"\" l r s w i p k c x te d a 0\r\n\
          * LISTRIGHTS ~/Mail/saved smith la r swicdkxte\r\n\
          A1 OK done\r\n",
    );
    let events = s.events();
    assert!(violations(&events).is_empty(), "{events:?}");
    assert!(matches!(completed(&events)[..], [(_, Outcome::Ok)]));
    let d = data(&events);
    assert_eq!(d.len(), 5, "{d:?}");
    let Data::Acl { mailbox, entries } = &d[0] else {
        panic!("{:?}", d[0])
    };
    assert_eq!(mailbox.name().unwrap(), "Shared/経理");
    let pairs: Vec<(String, String)> = entries
        .iter()
        .map(|e| (text(e.identifier.as_bytes()), text(e.rights.as_bytes())))
        .collect();
    assert_eq!(
        pairs,
        [("alice", "lrswipkxteacd"), ("bob", "lrs"), ("-carol", "w")]
            .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert!(matches!(&d[1], Data::Acl { entries, .. } if entries.is_empty()));
    let Data::MyRights { mailbox, rights } = &d[2] else {
        panic!("{:?}", d[2])
    };
    assert_eq!(mailbox.name().unwrap(), "Shared/経理");
    assert_eq!(rights.as_bytes(), b"lrs");
    let Data::ListRights(l) = &d[3] else {
        panic!("{:?}", d[3])
    };
    assert_eq!(l.mailbox.name().unwrap(), "Shared/経理");
    assert_eq!(l.identifier.as_bytes(), b"bob");
    assert_eq!(l.required.as_bytes(), b"");
    let groups: Vec<String> = l.optional.iter().map(|g| text(g.as_bytes())).collect();
    assert_eq!(
        groups,
        ["l", "r", "s", "w", "i", "p", "k", "c", "x", "te", "d", "a", "0"]
    );
    let Data::ListRights(l) = &d[4] else {
        panic!("{:?}", d[4])
    };
    assert_eq!(l.required.as_bytes(), b"la");
    assert_eq!(l.optional.len(), 2);
}

/// After ENABLE IMAP4rev2 the server names `Shared/経理` in UTF-8: the
/// Client marks the names of ACL, MYRIGHTS and LISTRIGHTS as UTF-8, so
/// that `name()` gives the Japanese text, not a modified UTF-7 error.
#[test]
fn acl_responses_in_a_utf8_session() {
    let mut s = session("IMAP4rev2", Some("IMAP4rev2"));
    let h = wire(
        &mut s,
        CommandBody::my_rights(Mailbox::from_utf8_name("Shared/経理")),
    );
    assert_eq!(text(&h), "A2 MYRIGHTS \"Shared/経理\"\r\n");
    s.server(
        "* MYRIGHTS \"Shared/経理\" lr\r\n\
         * ACL \"Shared/経理\" alice lrswipkxtea\r\n\
         * LISTRIGHTS \"Shared/経理\" \"経理担当\" \"\" l r\r\n\
         A2 OK done\r\n"
            .as_bytes(),
    );
    let events = s.events();
    assert!(violations(&events).is_empty(), "{events:?}");
    let d = data(&events);
    let names: Vec<(String, NameEncoding)> = d
        .iter()
        .map(|x| match x {
            Data::MyRights { mailbox, .. } | Data::Acl { mailbox, .. } => {
                (mailbox.name().unwrap(), mailbox.encoding())
            }
            Data::ListRights(l) => (l.mailbox.name().unwrap(), l.mailbox.encoding()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        names,
        vec![("Shared/経理".to_string(), NameEncoding::Utf8); 3],
        "{d:?}"
    );
    let Data::ListRights(l) = &d[2] else { panic!() };
    assert_eq!(text(l.identifier.as_bytes()), "経理担当");
}

/// NAMESPACE decodes into the three lists (RFC 2342 §5): personal `""`,
/// other users' `NIL` as empty, shared `Shared/`; and the RFC 2342 example
/// with several namespaces and a response extension.
#[test]
fn namespace_decodes_into_three_lists() {
    let mut s = session("", None);
    let h = wire(&mut s, CommandBody::Namespace);
    assert_eq!(text(&h), "A1 NAMESPACE\r\n");
    s.server(
        b"* NAMESPACE ((\"\" \"/\")) NIL ((\"Shared/\" \"/\"))\r\n\
          * NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\")(\"#public/\" \"/\" \"X-PARAM\" (\"FLAG1\" \"FLAG2\")))\r\n\
          A1 OK done\r\n",
    );
    let events = s.events();
    assert!(violations(&events).is_empty(), "{events:?}");
    let d = data(&events);
    let Data::Namespace(n) = &d[0] else {
        panic!("{d:?}")
    };
    assert_eq!(n.personal.len(), 1);
    assert_eq!(n.personal[0].prefix.as_bytes(), b"");
    assert_eq!(n.personal[0].delimiter.map(|d| d.as_char()), Some('/'));
    assert!(n.other.is_empty());
    assert_eq!(n.shared[0].prefix.as_bytes(), b"Shared/");
    let Data::Namespace(n) = &d[1] else {
        panic!("{d:?}")
    };
    assert_eq!(n.other[0].prefix.as_bytes(), b"~");
    assert_eq!(n.shared.len(), 2);
    assert_eq!(n.shared[1].extensions.len(), 1);
}

/// The constructors on the wire: `+`/`-` modifiers, `anyone`, an empty
/// replace (`""`, which removes the entry), digits; a Japanese mailbox in
/// modified UTF-7 (IMAP4rev1) and UTF-8 (IMAP4rev2); a non-ASCII
/// identifier as a literal in an IMAP4rev1 session (8-bit text may not be
/// quoted there, RFC 3501 §4.3) and quoted after IMAP4rev2.
#[test]
fn acl_constructors_on_the_wire() {
    let r = |s: &'static str| AclRights::try_from(s).unwrap();
    let mut s = session("LITERAL+", None);
    let cases: Vec<(CommandBody<'static>, &str)> = vec![
        (
            CommandBody::set_acl("Shared/経理", "anyone", AclModMode::Add, r("lr")),
            "A1 SETACL Shared/&fUx0Bg- anyone +lr\r\n",
        ),
        (
            CommandBody::set_acl("Shared/経理", "bob", AclModMode::Remove, r("te")),
            "A2 SETACL Shared/&fUx0Bg- bob -te\r\n",
        ),
        (
            CommandBody::set_acl("Shared/経理", "bob", AclModMode::Replace, r("")),
            "A3 SETACL Shared/&fUx0Bg- bob \"\"\r\n",
        ),
        (
            CommandBody::set_acl("Shared/経理", "bob", AclModMode::Replace, r("lrs0")),
            "A4 SETACL Shared/&fUx0Bg- bob lrs0\r\n",
        ),
        (
            CommandBody::delete_acl("Shared/経理", "anyone"),
            "A5 DELETEACL Shared/&fUx0Bg- anyone\r\n",
        ),
        (
            CommandBody::list_rights("Shared/経理", "経理担当"),
            "A6 LISTRIGHTS Shared/&fUx0Bg- {12+}\r\n経理担当\r\n",
        ),
        (CommandBody::get_acl("INBOX"), "A7 GETACL INBOX\r\n"),
    ];
    for (body, expected) in cases {
        assert_eq!(text(&wire(&mut s, body)), expected);
    }
    assert!(AclRights::try_from("lrQ").is_err());
    assert!(AclRights::try_from("+lr").is_err());

    let mut s = session("IMAP4rev2", Some("IMAP4rev2"));
    let body = CommandBody::set_acl(
        Mailbox::from_utf8_name("Shared/経理"),
        "経理担当",
        AclModMode::Add,
        r("lrs"),
    );
    assert_eq!(
        text(&wire(&mut s, body)),
        "A2 SETACL \"Shared/経理\" \"経理担当\" +lrs\r\n"
    );
}
