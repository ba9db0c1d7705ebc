//! `encode` never writes what `decode` refuses (issue 14, defect D and
//! requirement 3), over every type's full value range.
//!
//! The proptest strategies of `imapkit_proto::strategies` generate every
//! numeric field over its whole range (the maximum and the 63-bit boundary
//! included, `u64_full`, `nz_u32`, ...), extension flags, unknown commands
//! and responses through their validating constructors (which refuse what
//! would not round-trip); `commands_roundtrip.rs` and
//! `responses_roundtrip.rs` check `decode(encode(x)) == x` on them. This
//! file adds the maximum of every numeric field, known-answer style: each
//! message below decodes, re-encodes to bytes that hold the maxima, and
//! decodes back to an equal value.

use imapkit_codec::decode::{command, response};
use imapkit_codec::fuzzing;
use imapkit_codec::{Decoded, Encode};
use imapkit_proto::{Command, CommandBody, FetchModifier, IntoStatic, SearchKey, Tag, Vec1};

const U32: &str = "4294967295";
const U64: &str = "18446744073709551615";

fn expand(template: &str) -> Vec<u8> {
    let mut s = template.replace("U32", U32).replace("U64", U64);
    s.push_str("\r\n");
    s.into_bytes()
}

/// Every numeric field of every command, at its maximum.
const COMMANDS: &[&str] = &[
    "A1 SEARCH LARGER U64 SMALLER U64 OLDER U32 YOUNGER U32 X-GM-MSGID U64 X-GM-THRID U64 MODSEQ U64 U32:U32 UID U32,1:U32",
    "A1 SEARCH MODSEQ \"/flags/\\\\draft\" all U64",
    "A1 SEARCH RETURN (PARTIAL U32:U32) ALL",
    "A1 SEARCH RETURN (PARTIAL -1:-U32) ALL",
    "A1 UID FETCH U32:* (BODY[U32.U32]<U32.U32> BINARY[U32]<U32.U32> BINARY.SIZE[U32]) (CHANGEDSINCE U64)",
    "A1 STORE U32 (UNCHANGEDSINCE U64) +FLAGS (\\Seen)",
    "A1 SELECT INBOX (QRESYNC (U32 U64 1:U32 (U32 U32)))",
    "A1 SELECT INBOX (X-EXT U64)",
    "A1 SETQUOTA \"\" (STORAGE U64 MESSAGE U64)",
    "A1 GETMETADATA (MAXSIZE U32) INBOX /shared/comment",
    "A1 UID EXPUNGE U32",
    "A1 COPY U32 INBOX",
];

/// Every numeric field of every response, at its maximum.
const RESPONSES: &[&str] = &[
    "* U32 EXISTS",
    "* U32 RECENT",
    "* U32 EXPUNGE",
    "* U32 FETCH (UID U32 RFC822.SIZE U64 MODSEQ (U64) X-GM-MSGID U64 X-GM-THRID U64 BINARY.SIZE[U32] U64 BODY[U32]<U32> NIL BINARY[U32]<U32> NIL)",
    "* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" U32 U64 NIL NIL NIL NIL U64))",
    "* 1 FETCH (BODYSTRUCTURE (\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" U32 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 0 0) U64))",
    "* OK [UIDNEXT U32] x",
    "* OK [UIDVALIDITY U32] x",
    "* OK [UNSEEN U32] x",
    "* OK [HIGHESTMODSEQ U64] x",
    "A1 OK [APPENDUID U32 U32] x",
    "A1 OK [COPYUID U32 U32 U32:U32] x",
    "A1 OK [METADATA LONGENTRIES U32] x",
    "A1 NO [METADATA MAXSIZE U32] x",
    "* STATUS INBOX (MESSAGES U32 UIDNEXT U32 UIDVALIDITY U32 UNSEEN U32 DELETED U32 SIZE U64 RECENT U32 HIGHESTMODSEQ U64 APPENDLIMIT U64 DELETED-STORAGE U64 X-FOO U64)",
    "* ESEARCH (TAG \"a\") UID MIN U32 MAX U32 COUNT U32 MODSEQ U64 ALL U32:U32",
    "* ESEARCH PARTIAL (-1:-U32 U32)",
    "* SEARCH U32 (MODSEQ U64)",
    "* SORT U32 (MODSEQ U64)",
    "* QUOTA \"\" (STORAGE U64 U64)",
    "* THREAD (U32 (U32))",
    "* VANISHED (EARLIER) U32:U32",
];

#[test]
fn commands_at_their_maxima() {
    for template in COMMANDS {
        let bytes = expand(template);
        let shown = bytes.escape_ascii().to_string();
        let (c, used) = match command(&bytes) {
            Ok(Decoded::Complete { message, consumed }) => (message, consumed),
            other => panic!("{other:?}: {shown}"),
        };
        assert_eq!(used, bytes.len(), "{shown}");
        let again = c.to_vec();
        let text = String::from_utf8_lossy(&again);
        assert!(text.contains(U32) || text.contains(U64), "{text}");
        fuzzing::roundtrip_command(&c);
    }
}

#[test]
fn responses_at_their_maxima() {
    for template in RESPONSES {
        let bytes = expand(template);
        let shown = bytes.escape_ascii().to_string();
        let (r, used) = match response(&bytes) {
            Ok(Decoded::Complete { message, consumed }) => (message, consumed),
            other => panic!("{other:?}: {shown}"),
        };
        assert_eq!(used, bytes.len(), "{shown}");
        let again = r.to_vec();
        let text = String::from_utf8_lossy(&again);
        assert!(text.contains(U32) || text.contains(U64), "{text}");
        fuzzing::roundtrip_response(&r);
    }
}

/// The two values of the report, built (not decoded).
#[test]
fn built_values_at_the_maximum() {
    let search = Command {
        tag: Tag::try_from("A1").unwrap(),
        body: CommandBody::Search {
            uid: false,
            charset: None,
            criteria: Vec1::new(SearchKey::Larger(u64::MAX)),
            return_options: None,
        },
    };
    let bytes = search.to_vec();
    assert_eq!(bytes, format!("A1 SEARCH LARGER {U64}\r\n").into_bytes());
    let (back, _) = command(&bytes).unwrap().complete().unwrap();
    assert_eq!(back.into_static(), search);

    let bytes = expand("A1 FETCH 1 (UID) (CHANGEDSINCE U64)");
    let (c, _) = command(&bytes).unwrap().complete().unwrap();
    let CommandBody::Fetch { modifiers, .. } = &c.body else {
        panic!("{c:?}")
    };
    assert_eq!(modifiers[..], [FetchModifier::ChangedSince(u64::MAX)]);
}
