//! Lenient response decoding: the deviations of real servers.
//!
//! One test per quirk, named after the quirk and the server it comes from,
//! with the evidence (an issue thread or the server's documentation) in a
//! comment. Each asserts the decoded value, the canonical re-encoding, that
//! the canonical form decodes to the same value, the quirk reported, and
//! that every strict prefix of the quirky line is `Incomplete`.
//!
//! `data/lenient/quirks.txt` holds more quirky lines (with their sources)
//! checked the same way, including the RFC example lines that only a lenient
//! decoder accepts.
//!
//! `imap-codec/QUIRKS.md` is the table of the public catalogues' quirks
//! (MailKit, ruby/net-imap, swift-nio-imap, Thunderbird,
//! modern-email/defects): each with its source, the test here that accepts
//! it, or the reason it is refused.

use std::num::NonZeroU32;

use imapkit_codec::decode::{response, Quirks, ResponseDecoder};
use imapkit_codec::{Decoded, Encode};
use imapkit_proto::strategies as st;
use imapkit_proto::*;
use proptest::prelude::*;

const QUIRKS: &str = include_str!("data/lenient/quirks.txt");

fn crlf(s: &[u8]) -> Vec<u8> {
    let mut b = s.to_vec();
    b.extend_from_slice(b"\r\n");
    b
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

/// Decodes a whole line with the default decoder; returns the value and quirks.
fn decode(b: &[u8]) -> (Response<'_>, Quirks) {
    match ResponseDecoder::default().decode_with_quirks(b) {
        (Ok(Decoded::Complete { message, consumed }), q) => {
            assert_eq!(consumed, b.len(), "{}", b.escape_ascii());
            (message, q)
        }
        (other, _) => panic!("{:?} for {}", other, b.escape_ascii()),
    }
}

/// Every strict prefix is Incomplete or LiteralAnnounced, never an error or complete.
fn assert_prefixes(d: &ResponseDecoder, b: &[u8]) {
    for k in 0..b.len() {
        match d.decode(&b[..k]) {
            Ok(Decoded::Incomplete) | Ok(Decoded::LiteralAnnounced { .. }) => {}
            other => panic!(
                "prefix {k} of {}: {:?}",
                b.escape_ascii(),
                other.map(|d| d.complete().map(|c| c.1))
            ),
        }
    }
}

/// The quirk check: `line` (without CRLF) decodes to a value that `check`
/// accepts, reporting `quirk`, re-encodes to `canonical`, which decodes
/// to the same value without quirks; prefixes are incomplete.
fn quirk(line: &[u8], quirk: Quirks, canonical: &[u8], check: impl FnOnce(&Response<'_>)) {
    let b = crlf(line);
    let (r, q) = decode(&b);
    assert!(
        q.contains(quirk) && (quirk != Quirks::NONE || q.is_empty()),
        "{q:?} lacks {quirk:?} for {}",
        b.escape_ascii()
    );
    check(&r);
    let canon = crlf(canonical);
    assert_eq!(
        r.to_vec().escape_ascii().to_string(),
        canon.escape_ascii().to_string()
    );
    let (again, q2) = decode(&canon);
    assert_eq!(again, r);
    assert!(KEPT.contains(q2), "canonical form has quirks {q2:?}");
    assert_prefixes(&ResponseDecoder::default(), &b);
}

/// The quirks whose value is kept as sent, so that the canonical form has
/// them too: a zero where `nz-number` belongs, a multipart without parts
/// (whose empty parameters are written `()`), a known code with malformed
/// arguments (kept as `Other`).
const KEPT: Quirks = Quirks::ZERO_NUMBER
    .union(Quirks::EMPTY_MULTIPART)
    .union(Quirks::EMPTY_LIST_FOR_NIL)
    .union(Quirks::CODE_ARGUMENTS);

fn fetch_items<'r, 'a>(r: &'r Response<'a>) -> &'r [MessageDataItem<'a>] {
    match r {
        Response::Data(Data::Fetch { items, .. }) => items.as_slice(),
        other => panic!("not FETCH: {other:?}"),
    }
}

fn single_body<'r>(r: &'r Response<'_>) -> Body<'r> {
    match fetch_items(r) {
        [MessageDataItem::Body(item) | MessageDataItem::BodyStructure(item)] => {
            match item.get().into_owned() {
                BodyStructure::Single(b) => b,
                other => panic!("not a single-part body: {other:?}"),
            }
        }
        other => panic!("not one single-part body: {other:?}"),
    }
}

fn status_text<'r, 'a>(r: &'r Response<'a>) -> &'r RespText<'a> {
    match r {
        Response::Status(s) => &s.text,
        other => panic!("not a status response: {other:?}"),
    }
}

// --- Extra and trailing spaces ------------------------------------------------

/// QQ Mail: a space before the closing parenthesis of a FETCH list.
/// Evidence: https://github.com/jakartaee/mail-api/issues/209 (`11487 FETCH (UID 19436 )`).
#[test]
fn extra_space_before_paren_qq_mail() {
    quirk(
        b"* 11487 FETCH (UID 19436 )",
        Quirks::EXTRA_SPACE,
        b"* 11487 FETCH (UID 19436)",
        |r| {
            assert_eq!(
                *r,
                Response::Data(Data::Fetch {
                    seq: nz(11487),
                    items: Vec1::new(MessageDataItem::Uid(nz(19436))),
                })
            )
        },
    );
}

/// DavMail: two spaces after `*` for mailboxes above 500 messages (a
/// keep-alive trick), and two spaces inside a FETCH list.
/// Evidence: https://github.com/mguessan/davmail/issues/122,
/// https://github.com/modern-email/defects/issues/45,
/// https://github.com/mguessan/davmail/issues/454.
#[test]
fn extra_space_after_star_davmail() {
    quirk(
        b"*  1688 EXISTS",
        Quirks::EXTRA_SPACE,
        b"* 1688 EXISTS",
        |r| assert_eq!(*r, Response::Data(Data::Exists(1688))),
    );
    quirk(b"* 3  EXISTS", Quirks::EXTRA_SPACE, b"* 3 EXISTS", |r| {
        assert_eq!(*r, Response::Data(Data::Exists(3)))
    });
    quirk(
        b"* 1 FETCH (UID 1989 FLAGS (\\Seen)  RFC822.SIZE 3797)",
        Quirks::EXTRA_SPACE,
        b"* 1 FETCH (UID 1989 FLAGS (\\Seen) RFC822.SIZE 3797)",
        |r| assert_eq!(fetch_items(r).len(), 3),
    );
}

/// Dovecot (and others): a trailing space after the last capability; a
/// SEARCH result with a trailing space (David.fx); STATUS with a trailing
/// space (Exchange behind a Dovecot proxy).
/// Evidence: https://github.com/chatmail/async-imap/issues/131,
/// https://github.com/jstedfast/MailKit/issues/422,
/// https://github.com/modern-email/defects/issues/9.
#[test]
fn trailing_space_dovecot_exchange() {
    quirk(
        b"* CAPABILITY IMAP4rev1 IDLE ",
        Quirks::EXTRA_SPACE,
        b"* CAPABILITY IMAP4rev1 IDLE",
        |r| assert!(matches!(r, Response::Data(Data::Capability(c)) if c.len() == 2)),
    );
    quirk(
        b"* SEARCH 1 2 ",
        Quirks::EXTRA_SPACE,
        b"* SEARCH 1 2",
        |r| {
            assert_eq!(
                *r,
                Response::Data(Data::Search {
                    ids: vec![nz(1), nz(2)],
                    mod_seq: None
                })
            )
        },
    );
    quirk(
        b"* SEARCH 1  2",
        Quirks::EXTRA_SPACE,
        b"* SEARCH 1 2",
        |_| {},
    );
    quirk(
        b"* STATUS INBOX (MESSAGES 2 )",
        Quirks::EXTRA_SPACE,
        b"* STATUS INBOX (MESSAGES 2)",
        |r| {
            assert_eq!(
                *r,
                Response::Data(Data::Status {
                    mailbox: Mailbox::Inbox,
                    items: vec![StatusItem::Messages(2)]
                })
            )
        },
    );
}

/// SurgeMail: a trailing space inside FLAGS and PERMANENTFLAGS lists (RFC
/// 9394's example has one too).
/// Evidence: https://github.com/chatmail/async-imap/issues/123.
#[test]
fn extra_space_in_flag_lists_surgemail() {
    quirk(
        b"* FLAGS (\\Answered \\Flagged \\Deleted \\Draft \\Seen $Forwarded )",
        Quirks::EXTRA_SPACE,
        b"* FLAGS (\\Answered \\Flagged \\Deleted \\Draft \\Seen $Forwarded)",
        |r| assert!(matches!(r, Response::Data(Data::Flags(f)) if f.len() == 6)),
    );
    quirk(
        b"* 12888 FETCH (FLAGS (\\Flagged \\Answered ) MODSEQ (98306) UID 25997)",
        Quirks::EXTRA_SPACE,
        b"* 12888 FETCH (FLAGS (\\Flagged \\Answered) MODSEQ (98306) UID 25997)",
        |r| {
            assert_eq!(
                fetch_items(r),
                [
                    MessageDataItem::Flags(
                        vec![
                            FlagFetch::Flag(Flag::Flagged),
                            FlagFetch::Flag(Flag::Answered)
                        ]
                        .into()
                    ),
                    MessageDataItem::ModSeq(98306),
                    MessageDataItem::Uid(nz(25997)),
                ]
            )
        },
    );
}

/// RFC 9051 §7.5.2 itself: `ENVELOPE ( "Wed, ...` with a space after the
/// opening parenthesis (the example line was in lenient_pending.txt).
#[test]
fn extra_space_after_paren_in_envelope_rfc9051() {
    let line = QUIRKS
        .lines()
        .find(|l| l.contains("line 6233"))
        .and_then(|l| l.split('\t').nth(2))
        .unwrap();
    let b = crlf(line.as_bytes());
    let (r, q) = decode(&b);
    assert!(q.contains(Quirks::EXTRA_SPACE));
    let env = fetch_items(&r)
        .iter()
        .find_map(|i| match i {
            MessageDataItem::Envelope(e) => Some(e),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        env.date().as_bytes(),
        Some(&b"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)"[..])
    );
    assert_eq!(env.cc().len(), 2);
}

/// Yahoo Japan: a space before the `)` that closes a multipart body
/// structure, after the disposition.
/// Evidence: https://github.com/emailjs/emailjs-imap-handler/pull/8.
#[test]
fn extra_space_in_bodystructure_yahoo_japan() {
    quirk(
        b"* 2 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 25 1 NIL NIL NIL NIL)(\"text\" \"html\" NIL NIL NIL \"7bit\" 77 2 NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"pzu8\") NIL ))",
        Quirks::EXTRA_SPACE,
        b"* 2 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 25 1 NIL NIL NIL NIL)(\"text\" \"html\" NIL NIL NIL \"7bit\" 77 2 NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"pzu8\") NIL))",
        |r| match fetch_items(r) {
            [MessageDataItem::BodyStructure(item)] => {
                let body = item.get();
                let BodyStructure::Multipart(m) = &*body else { panic!("{body:?}") };
                let ext = m.extension.as_ref().unwrap();
                assert_eq!(ext.param("boundary").as_deref(), Some(&b"pzu8"[..]));
                assert!(ext.tail.as_ref().unwrap().disposition.is_none());
            }
            other => panic!("{other:?}"),
        },
    );
}

// --- Missing text -------------------------------------------------------------

/// Gmail: `* OK [HIGHESTMODSEQ n]` without SP and text (RFC 7162's own
/// examples do this, see erratum 5055); iCloud and QQ Mail likewise.
/// Evidence: https://github.com/modern-email/defects/issues/28,
/// https://github.com/apple/swift-nio-imap/pull/435.
#[test]
fn missing_text_after_code_gmail() {
    quirk(
        b"* OK [HIGHESTMODSEQ 9]",
        Quirks::MISSING_TEXT,
        b"* OK [HIGHESTMODSEQ 9] ",
        |r| {
            let t = status_text(r);
            assert_eq!(t.code(), Some(&ResponseCode::HighestModSeq(9)));
            assert!(t.human().as_bytes().is_empty());
        },
    );
    // A bare COPYUID status line, untagged and tagged.
    quirk(
        b"* OK [COPYUID 1 1:3 4:6]",
        Quirks::MISSING_TEXT,
        b"* OK [COPYUID 1 1:3 4:6] ",
        |r| {
            assert!(matches!(
                status_text(r).code(),
                Some(ResponseCode::CopyUid { .. })
            ))
        },
    );
    quirk(
        b"A003 OK [COPYUID 38505 304,319:320 3956:3958]",
        Quirks::MISSING_TEXT,
        b"A003 OK [COPYUID 38505 304,319:320 3956:3958] ",
        |r| assert!(matches!(r, Response::Status(s) if s.tag().is_some())),
    );
}

/// QQ Mail sends a bare `+` to AUTHENTICATE; `* BYE` without text.
/// Evidence: https://github.com/jstedfast/MailKit/issues/1241 (log `S: +`).
#[test]
fn bare_continuation_and_bye_qq_mail() {
    quirk(b"+", Quirks::MISSING_TEXT, b"+ ", |r| {
        assert_eq!(*r, Response::Continue(ContinueRequest::bare()))
    });
    quirk(b"* BYE", Quirks::MISSING_TEXT, b"* BYE ", |r| {
        assert!(matches!(r, Response::Status(s) if s.kind == StatusKind::Bye))
    });
}

// --- NIL and () ---------------------------------------------------------------

/// Mail.ru (Dovecot): `()` for an empty envelope address list.
/// Evidence: https://github.com/apple/swift-nio-imap/issues/821.
#[test]
fn empty_address_list_mail_ru() {
    quirk(
        b"* 5 FETCH (ENVELOPE (\"Wed, 11 Oct 2023 02:11:04 +0000\" \"s\" ((\"Tn\" NIL \"info\" \"e.example\")) NIL NIL () NIL NIL \"<a@b>\" \"<c@d>\"))",
        Quirks::EMPTY_LIST_FOR_NIL,
        b"* 5 FETCH (ENVELOPE (\"Wed, 11 Oct 2023 02:11:04 +0000\" \"s\" ((\"Tn\" NIL \"info\" \"e.example\")) NIL NIL NIL NIL NIL \"<a@b>\" \"<c@d>\"))",
        |r| match fetch_items(r) {
            [MessageDataItem::Envelope(e)] => {
                assert!(e.to().is_empty());
                assert_eq!(e.from().len(), 1);
            }
            other => panic!("{other:?}"),
        },
    );
}

/// go-imap v1 based servers: `()` for empty body parameters.
/// Evidence: https://github.com/emersion/go-imap/issues/545,
/// https://github.com/y10k/rims/issues/15.
#[test]
fn empty_body_params_go_imap() {
    quirk(
        b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" () NIL NIL \"7bit\" 6002 79 NIL NIL NIL NIL))",
        Quirks::EMPTY_LIST_FOR_NIL,
        b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 6002 79 NIL NIL NIL NIL))",
        |r| assert!(single_body(r).fields.params.is_empty()),
    );
}

/// Mail.ru: `NIL` as a body parameter value, `("boundary" NIL)`.
/// Evidence: https://github.com/modern-email/defects/issues/50,
/// https://github.com/pimalaya/himalaya/issues/649.
#[test]
fn nil_param_value_mail_ru() {
    quirk(
        b"* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"8bit\" 17 0 NIL NIL NIL NIL) \"alternative\" (\"boundary\" NIL)))",
        Quirks::NIL_FOR_STRING,
        b"* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"8bit\" 17 0 NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"\")))",
        |r| match fetch_items(r) {
            [MessageDataItem::BodyStructure(item)] => {
                let body = item.get();
                let BodyStructure::Multipart(m) = &*body else { panic!("{body:?}") };
                assert_eq!(
                    m.extension.as_ref().unwrap().param("boundary").as_deref(),
                    Some(&b""[..])
                );
            }
            other => panic!("{other:?}"),
        },
    );
}

/// maddy: `NIL` as the body encoding; `NIL` subtype seen in the wild too.
/// Evidence: https://github.com/foxcpp/maddy/issues/756,
/// https://github.com/modern-email/defects/issues/41.
#[test]
fn nil_encoding_and_subtype_maddy() {
    quirk(
        b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL NIL 6002 79 NIL NIL NIL NIL))",
        Quirks::NIL_FOR_STRING,
        b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"\" 6002 79 NIL NIL NIL NIL))",
        |r| {
            let b = single_body(r);
            assert_eq!(b.fields.encoding.as_bytes(), b"");
            assert!(matches!(b.kind, BodyKind::Text { lines: 79, .. }));
        },
    );
    quirk(
        b"* 1 FETCH (BODY (\"APPLICATION\" NIL NIL NIL NIL \"BASE64\" 10))",
        Quirks::NIL_FOR_STRING,
        b"* 1 FETCH (BODY (\"APPLICATION\" \"\" NIL NIL NIL \"BASE64\" 10))",
        |r| assert_eq!(single_body(r).subtype(), b""),
    );
}

// --- Negative numbers ---------------------------------------------------------

/// Dovecot/Exchange: body size `-1`; SmarterMail: `-2`; Dovecot: lines `-1`.
/// Evidence: https://github.com/emersion/go-imap/issues/534,
/// https://github.com/jstedfast/MailKit/issues/385,
/// https://github.com/modern-email/defects/issues/27.
#[test]
fn negative_body_size_dovecot_smartermail() {
    quirk(
        b"* 1 FETCH (BODY (\"multipart\" \"parallel\" (\"boundary\" \"_90b3_\") NIL NIL \"7BIT\" -1))",
        Quirks::NEGATIVE_NUMBER,
        b"* 1 FETCH (BODY (\"multipart\" \"parallel\" (\"boundary\" \"_90b3_\") NIL NIL \"7BIT\" 0))",
        |r| assert_eq!(single_body(r).fields.size, 0),
    );
    quirk(
        b"* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" -2 -1))",
        Quirks::NEGATIVE_NUMBER,
        b"* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 0 0))",
        |r| {
            let b = single_body(r);
            assert_eq!(b.fields.size, 0);
            assert!(matches!(b.kind, BodyKind::Text { lines: 0, .. }));
        },
    );
}

// --- Dispositions -------------------------------------------------------------

/// Exchange: the disposition as a bare string, `"inline"`, instead of
/// `("inline" NIL)`; others omit the parameter list, `("attachment")`.
/// Evidence: https://github.com/jstedfast/MailKit/issues/919.
#[test]
fn disposition_without_params_exchange() {
    quirk(
        b"* 37 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"QUOTED-PRINTABLE\" 850 31 NIL \"inline\" NIL NIL))",
        Quirks::DISPOSITION_WITHOUT_PARAMS,
        b"* 37 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"QUOTED-PRINTABLE\" 850 31 NIL (\"inline\" NIL) NIL NIL))",
        |r| {
            let body = single_body(r);
            let d = body.extension.as_ref().unwrap().disposition().unwrap();
            assert_eq!(d.kind.as_bytes(), b"inline");
            assert!(d.params.is_empty());
        },
    );
    quirk(
        b"* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10 1 NIL (\"attachment\") NIL NIL))",
        Quirks::DISPOSITION_WITHOUT_PARAMS,
        b"* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10 1 NIL (\"attachment\" NIL) NIL NIL))",
        |r| {
            let body = single_body(r);
            let d = body.extension.as_ref().unwrap().disposition().unwrap();
            assert_eq!(d.kind.as_bytes(), b"attachment");
        },
    );
}

// --- Flags, numbers -----------------------------------------------------------

/// Zoho (and GreenMail before 2.0.1): `\*` in the untagged FLAGS list,
/// where only PERMANENTFLAGS may hold it. Dropped.
/// Evidence: https://github.com/modern-email/defects/issues/44,
/// https://github.com/greenmail-mail-test/greenmail/issues/633.
#[test]
fn asterisk_in_flags_zoho() {
    quirk(
        b"* FLAGS (\\Answered \\*)",
        Quirks::FLAGS_ASTERISK,
        b"* FLAGS (\\Answered)",
        |r| assert_eq!(*r, Response::Data(Data::Flags(vec![Flag::Answered]))),
    );
    // In PERMANENTFLAGS it is valid and kept.
    quirk(
        b"* OK [PERMANENTFLAGS (\\* \\Seen)] ok",
        Quirks::NONE,
        b"* OK [PERMANENTFLAGS (\\* \\Seen)] ok",
        |r| {
            assert_eq!(
                status_text(r).code(),
                Some(&ResponseCode::PermanentFlags(vec![
                    FlagPerm::Asterisk,
                    FlagPerm::Flag(Flag::Seen)
                ]))
            )
        },
    );
}

/// SmarterMail: `UIDVALIDITY 0` and `UIDNEXT 0` (also mail.xwtec.cn).
/// Evidence: https://github.com/jstedfast/MailKit/issues/150,
/// https://github.com/jstedfast/MailKit/issues/1010,
/// https://github.com/modern-email/defects/issues/52.
#[test]
fn zero_uidvalidity_smartermail() {
    quirk(
        b"* OK [UIDVALIDITY 0] UIDs valid",
        Quirks::ZERO_NUMBER,
        b"* OK [UIDVALIDITY 0] UIDs valid",
        |r| assert_eq!(status_text(r).code(), Some(&ResponseCode::UidValidity(0))),
    );
    quirk(
        b"* OK [UIDNEXT 0] Predicted next UID",
        Quirks::ZERO_NUMBER,
        b"* OK [UIDNEXT 0] Predicted next UID",
        |r| assert_eq!(status_text(r).code(), Some(&ResponseCode::UidNext(0))),
    );
}

/// Numbers above 2^32: 63-bit mod-sequences (RFC 7162), 64-bit sizes.
#[test]
fn large_numbers_condstore() {
    let max = i64::MAX as u64;
    quirk(
        b"* OK [HIGHESTMODSEQ 9223372036854775807] x",
        Quirks::NONE,
        b"* OK [HIGHESTMODSEQ 9223372036854775807] x",
        |r| {
            assert_eq!(
                status_text(r).code(),
                Some(&ResponseCode::HighestModSeq(max))
            )
        },
    );
    quirk(
        b"* 1 FETCH (MODSEQ (9223372036854775807) RFC822.SIZE 44294967296)",
        Quirks::NONE,
        b"* 1 FETCH (MODSEQ (9223372036854775807) RFC822.SIZE 44294967296)",
        |r| {
            assert_eq!(
                fetch_items(r),
                [
                    MessageDataItem::ModSeq(max),
                    MessageDataItem::Rfc822Size(44_294_967_296)
                ]
            )
        },
    );
    quirk(
        b"* SEARCH 2 5 (MODSEQ 9223372036854775807)",
        Quirks::NONE,
        b"* SEARCH 2 5 (MODSEQ 9223372036854775807)",
        |r| {
            assert!(matches!(r, Response::Data(Data::Search { mod_seq: Some(m), .. }) if *m == max))
        },
    );
    // Beyond 63 bits: the field is a u64, and what it holds decodes (issue
    // 14, defect D); beyond 64 bits it is kept as an unknown code.
    let (r, _) = decode(b"* OK [HIGHESTMODSEQ 9223372036854775808] x\r\n");
    assert_eq!(
        status_text(&r).code(),
        Some(&ResponseCode::HighestModSeq(1 << 63))
    );
    let (r, _) = decode(b"* OK [HIGHESTMODSEQ 18446744073709551616] x\r\n");
    assert!(matches!(
        status_text(&r).code(),
        Some(ResponseCode::Other(_))
    ));
}

// --- Bytes and names that are valid but trip up strict parsers ----------------

/// Proton Bridge: raw 8-bit (UTF-8 and Latin-1) bytes in quoted strings;
/// 8-bit text in status lines. Kept byte for byte.
/// Evidence: https://github.com/modern-email/defects/issues/38.
#[test]
fn eight_bit_bytes_proton_bridge() {
    let line = b"* 2 FETCH (ENVELOPE (NIL \"caf\xe9\" ((\"Cl\xc3\xa9ment\" NIL \"c\" \"localhost\")) NIL NIL NIL NIL NIL NIL NIL))";
    quirk(line, Quirks::NONE, line, |r| match fetch_items(r) {
        [MessageDataItem::Envelope(e)] => {
            assert_eq!(e.subject().as_bytes(), Some(&b"caf\xe9"[..]));
            assert_eq!(
                e.from().to_vec()[0].name.as_bytes(),
                Some(&b"Cl\xc3\xa9ment"[..])
            );
        }
        other => panic!("{other:?}"),
    });
    let line = b"* OK [ALERT] \xc3\x9cberf\xfcllt";
    quirk(line, Quirks::NONE, line, |r| {
        assert_eq!(status_text(r).human().as_bytes(), b"\xc3\x9cberf\xfcllt")
    });
}

/// Dovecot: unquoted mailbox names with `[` and `]` are valid astrings
/// (`]` is an ASTRING-CHAR, `[` an ATOM-CHAR) and decode as such.
/// Evidence: https://github.com/mxk/go-imap/pull/1.
#[test]
fn unquoted_brackets_in_mailbox_dovecot() {
    quirk(
        b"* LIST (\\HasNoChildren) \"/\" [Gmail]/Sent",
        Quirks::NONE,
        b"* LIST (\\HasNoChildren) \"/\" [Gmail]/Sent",
        |r| match r {
            Response::Data(Data::List(l)) => assert_eq!(l.mailbox.as_bytes(), b"[Gmail]/Sent"),
            other => panic!("{other:?}"),
        },
    );
    quirk(
        b"* STATUS [Gmail]/All (MESSAGES 5)",
        Quirks::NONE,
        b"* STATUS [Gmail]/All (MESSAGES 5)",
        |_| {},
    );
    // Unquoted names with spaces in STATUS: `SPACE_IN_MAILBOX` (Gromox, see
    // `space_in_status_mailbox_gromox`); in LIST they stay an error.
    let (_, q) = decode(b"* STATUS [Gmail]/All Mail (MESSAGES 5)\r\n");
    assert_eq!(q, Quirks::SPACE_IN_MAILBOX);
    assert!(response(b"* LIST () \"/\" [Gmail]/All Mail\r\n").is_err());
}

/// mail.163.com: an empty STATUS list.
/// Evidence: https://github.com/modern-email/defects/issues/15.
#[test]
fn empty_status_list_163() {
    quirk(
        b"* STATUS INBOX ()",
        Quirks::NONE,
        b"* STATUS INBOX ()",
        |r| {
            assert_eq!(
                *r,
                Response::Data(Data::Status {
                    mailbox: Mailbox::Inbox,
                    items: vec![]
                })
            )
        },
    );
}

/// Dovecot: untagged progress lines during long SEARCHes.
/// Evidence: https://github.com/jonhoo/rust-imap/pull/179,
/// https://github.com/roundcube/roundcubemail/issues/5126.
#[test]
fn progress_line_dovecot() {
    quirk(
        b"* OK Searched 91% of the mailbox, ETA 0:01",
        Quirks::NONE,
        b"* OK Searched 91% of the mailbox, ETA 0:01",
        |r| {
            let t = status_text(r);
            assert!(t.code().is_none());
            assert_eq!(
                t.human().as_bytes(),
                b"Searched 91% of the mailbox, ETA 0:01"
            );
        },
    );
}

// --- Quirks from the public catalogues (issue 13, item 4) -----------------------

/// MailKit (issues 669 and 932): an ENVELOPE without `in-reply-to` and
/// `message-id`, or without `message-id` only. They decode as NIL.
#[test]
fn short_envelope_mailkit() {
    quirk(
        b"* 1 FETCH (ENVELOPE (\"Mon, 7 Feb 1994 21:52:25 -0800\" \"hi\" NIL NIL NIL NIL NIL NIL))",
        Quirks::SHORT_ENVELOPE,
        b"* 1 FETCH (ENVELOPE (\"Mon, 7 Feb 1994 21:52:25 -0800\" \"hi\" NIL NIL NIL NIL NIL NIL NIL NIL))",
        |r| match fetch_items(r) {
            [MessageDataItem::Envelope(e)] => {
                assert_eq!(e.subject().as_bytes(), Some(&b"hi"[..]));
                assert!(e.in_reply_to().0.is_none() && e.message_id().0.is_none());
            }
            other => panic!("{other:?}"),
        },
    );
    // One field left: QQ Mail's message-id, `in-reply-to` missing (the
    // shape of MailKit issue 279's log and mailcore2 issues 1025 and
    // 1029's: the string is the message's own id).
    quirk(
        b"* 2 FETCH (ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL \"<a@qq.com>\") UID 4)",
        Quirks::SHORT_ENVELOPE,
        b"* 2 FETCH (ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL \"<a@qq.com>\") UID 4)",
        |r| match fetch_items(r) {
            [MessageDataItem::Envelope(e), MessageDataItem::Uid(_)] => {
                assert_eq!(e.message_id().as_bytes(), Some(&b"<a@qq.com>"[..]));
                assert!(e.in_reply_to().0.is_none());
            }
            other => panic!("{other:?}"),
        },
    );
    // Fewer fields than that is not a quirk anyone reported: an error.
    assert!(response(b"* 1 FETCH (ENVELOPE (NIL NIL NIL NIL NIL NIL NIL))\r\n").is_err());
}

/// Lotus Domino: an item wrapped in an extra pair of parentheses.
/// Evidence: https://github.com/jstedfast/MailKit/issues/943.
#[test]
fn wrapped_item_domino() {
    quirk(
        b"* 2 FETCH (UID 14935 (ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)) RFC822.SIZE 0)",
        Quirks::WRAPPED_ITEM,
        b"* 2 FETCH (UID 14935 ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) RFC822.SIZE 0)",
        |r| {
            assert!(matches!(
                fetch_items(r),
                [
                    MessageDataItem::Uid(_),
                    MessageDataItem::Envelope(_),
                    MessageDataItem::Rfc822Size(0)
                ]
            ))
        },
    );
}

/// Gmail: keywords holding `]` and spaces in the untagged FLAGS list
/// (`OIB-Seen-[Google Mail]/Alle Nachrichten`). Read by spaces, the token
/// with `]` cannot be a flag and is dropped.
/// Evidence: https://github.com/ruby/net-imap/issues/241,
/// https://issuetracker.google.com/issues/315160951.
#[test]
fn invalid_flag_gmail() {
    quirk(
        b"* FLAGS (\\Answered $Junk OIB-Seen-INBOX OIB-Seen-[Google Mail]/Alle Nachrichten)",
        Quirks::INVALID_FLAG,
        b"* FLAGS (\\Answered $Junk OIB-Seen-INBOX OIB-Seen-[Google Nachrichten)",
        |r| match r {
            Response::Data(Data::Flags(f)) => {
                assert_eq!(f.len(), 5);
                assert_eq!(
                    f[3],
                    Flag::Keyword(Atom::try_from("OIB-Seen-[Google").unwrap())
                );
            }
            other => panic!("{other:?}"),
        },
    );
}

/// `RFC822[]`: an empty section after RFC822 (read by Ruby's net-imap
/// since bug 5620). Evidence: https://bugs.ruby-lang.org/issues/5620.
#[test]
fn rfc822_with_section_ruby_5620() {
    quirk(
        b"* 123 FETCH (RFC822[] {5}\r\nfoo\r\n)",
        Quirks::RFC822_SECTION,
        b"* 123 FETCH (RFC822 {5}\r\nfoo\r\n)",
        |r| match fetch_items(r) {
            [MessageDataItem::Rfc822(s)] => assert_eq!(s.as_bytes(), Some(&b"foo\r\n"[..])),
            other => panic!("{other:?}"),
        },
    );
}

/// Gmail (nested multiparts sharing a boundary) and others: a multipart
/// sent without parts, alone or with its extension data. Kept as a
/// multipart with no parts.
/// Evidence: https://github.com/jstedfast/MailKit/issues/205,
/// https://github.com/jstedfast/MailKit/issues/777,
/// https://bugs.ruby-lang.org/issues/7153.
#[test]
fn empty_multipart_gmail() {
    quirk(
        b"* 1038 FETCH (BODY (\"MIXED\"))",
        Quirks::EMPTY_MULTIPART,
        b"* 1038 FETCH (BODY (\"MIXED\"))",
        |r| match fetch_items(r) {
            [MessageDataItem::Body(item)] => {
                let body = item.get();
                let BodyStructure::Multipart(m) = &*body else {
                    panic!("{body:?}")
                };
                assert!(m.parts.is_empty());
                assert_eq!(m.subtype.as_bytes(), b"MIXED");
            }
            other => panic!("{other:?}"),
        },
    );
    quirk(
        b"* 4 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 2 1 NIL NIL NIL NIL)(\"ALTERNATIVE\" (\"BOUNDARY\" \"b1\") NIL NIL) \"MIXED\" (\"BOUNDARY\" \"b1\") NIL NIL))",
        Quirks::EMPTY_MULTIPART,
        b"* 4 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 2 1 NIL NIL NIL NIL)(\"ALTERNATIVE\" (\"BOUNDARY\" \"b1\") NIL NIL) \"MIXED\" (\"BOUNDARY\" \"b1\") NIL NIL))",
        |r| match fetch_items(r) {
            [MessageDataItem::BodyStructure(item)] => {
                let body = item.get();
                let BodyStructure::Multipart(m) = &*body else { panic!("{body:?}") };
                let parts = m.parts.to_vec();
                let BodyStructure::Multipart(inner) = &parts[1] else { panic!() };
                assert!(inner.parts.is_empty());
                let ext = inner.extension.as_ref().unwrap();
                assert_eq!(ext.param("BOUNDARY").as_deref(), Some(&b"b1"[..]));
            }
            other => panic!("{other:?}"),
        },
    );
    // Without parts and with empty parameters, the canonical form writes
    // `()`: `NIL` would read as a single part's NIL subtype.
    let m = Multipart {
        parts: PartList::from(Vec::<BodyStructure<'static>>::new()),
        subtype: IString::from("MIXED"),
        extension: Some(MultipartExtension::default()),
    };
    let r = Response::Data(Data::Fetch {
        seq: nz(1),
        items: Vec1::new(MessageDataItem::BodyStructure(
            BodyStructure::Multipart(m).into(),
        )),
    });
    let b = r.to_vec();
    assert_eq!(b, b"* 1 FETCH (BODYSTRUCTURE (\"MIXED\" ()))\r\n");
    assert_eq!(decode(&b).0, r);
}

/// A server in MailKit issue 1393 (not named): `NIL` where a multipart's
/// parts belong, `(NIL "alternative" ("boundary" "...") NIL NIL NIL)`, as
/// the body of an encapsulated message (a bounce's returned headers). Read
/// as the multipart without parts of Gmail's form (row 30), which it
/// re-encodes as.
/// Evidence: https://github.com/jstedfast/MailKit/issues/1393 (the
/// maintainer's reading of the log; the line below keeps its shape).
#[test]
fn nil_parts_multipart_mailkit_1393() {
    quirk(
        b"* 6285 FETCH (UID 11889 BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 727 16 NIL NIL NIL NIL)(\"message\" \"rfc822\" (\"name\" \"Message headers\") NIL NIL \"7bit\" 903 (\"Mon, 17 Nov 2014 13:29:21 +0100\" \"Re: Adresy\" ((\"u\" NIL \"e.u\" \"example.com\")) NIL NIL NIL NIL NIL \"<a@b>\" \"<c@d>\") (NIL \"alternative\" (\"boundary\" \"Apple-Mail=_352F\") NIL NIL NIL) 17 NIL NIL NIL NIL) \"report\" (\"report-type\" \"delivery-status\") NIL NIL NIL))",
        Quirks::EMPTY_MULTIPART,
        b"* 6285 FETCH (UID 11889 BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 727 16 NIL NIL NIL NIL)(\"message\" \"rfc822\" (\"name\" \"Message headers\") NIL NIL \"7bit\" 903 (\"Mon, 17 Nov 2014 13:29:21 +0100\" \"Re: Adresy\" ((\"u\" NIL \"e.u\" \"example.com\")) NIL NIL NIL NIL NIL \"<a@b>\" \"<c@d>\") (\"alternative\" (\"boundary\" \"Apple-Mail=_352F\") NIL NIL NIL) 17 NIL NIL NIL NIL) \"report\" (\"report-type\" \"delivery-status\") NIL NIL NIL))",
        |r| match fetch_items(r) {
            [MessageDataItem::Uid(_), MessageDataItem::BodyStructure(item)] => {
                let body = item.get();
                let BodyStructure::Multipart(m) = &*body else {
                    panic!("{body:?}")
                };
                let parts = m.parts.to_vec();
                let BodyStructure::Single(Body {
                    kind: BodyKind::Message { message, .. },
                    ..
                }) = &parts[1]
                else {
                    panic!("{:?}", parts[1])
                };
                let inner = message.body();
                let BodyStructure::Multipart(inner) = &*inner else {
                    panic!("{inner:?}")
                };
                assert!(inner.parts.is_empty());
                assert_eq!(inner.subtype.as_bytes(), b"alternative");
                let ext = inner.extension.as_ref().unwrap();
                assert_eq!(
                    ext.param("boundary").as_deref(),
                    Some(&b"Apple-Mail=_352F"[..])
                );
            }
            other => panic!("{other:?}"),
        },
    );
    // A single part whose media type is `NIL` is still read as one.
    let (r, q) = decode(b"* 1 FETCH (BODY (NIL \"alternative\" NIL NIL NIL \"7BIT\" 10))\r\n");
    assert!(q.contains(Quirks::NIL_FOR_STRING) && !q.contains(Quirks::EMPTY_MULTIPART));
    assert!(matches!(single_body(&r).kind, BodyKind::Basic { .. }));
}

/// Lotus Domino: `()` for the body of an encapsulated message. Read as a
/// multipart without parts and with an empty subtype.
/// Evidence: https://github.com/jstedfast/MailKit/issues/944.
#[test]
fn empty_body_domino() {
    quirk(
        b"* 9 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7BIT\" 23 4 NIL NIL NIL)(\"message\" \"rfc822\" NIL NIL NIL \"7BIT\" 787 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) () 0 NIL NIL NIL) \"report\" NIL NIL NIL))",
        Quirks::EMPTY_BODY,
        b"* 9 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7BIT\" 23 4 NIL NIL NIL)(\"message\" \"rfc822\" NIL NIL NIL \"7BIT\" 787 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) (\"\") 0 NIL NIL NIL) \"report\" NIL NIL NIL))",
        |r| match fetch_items(r) {
            [MessageDataItem::BodyStructure(item)] => {
                let body = item.get();
                let BodyStructure::Multipart(m) = &*body else { panic!("{body:?}") };
                let parts = m.parts.to_vec();
                let BodyStructure::Single(Body { kind: BodyKind::Message { message, .. }, .. }) = &parts[1] else {
                    panic!("{parts:?}")
                };
                let (_, body) = message.get();
                assert!(matches!(&*body, BodyStructure::Multipart(m) if m.parts.is_empty()));
            }
            other => panic!("{other:?}"),
        },
    );
}

/// Exchange: `(NIL NIL)` as the disposition (MailKit's parser: "Exchange
/// bug"). No disposition.
/// Evidence: MailKit's ImapUtils.ParseContentDispositionAsync,
/// https://github.com/jstedfast/MailKit/issues/486.
#[test]
fn nil_disposition_exchange() {
    quirk(
        b"* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10 1 NIL (NIL NIL) NIL NIL))",
        Quirks::NIL_DISPOSITION,
        b"* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10 1 NIL NIL NIL NIL))",
        |r| assert!(single_body(r).extension.as_ref().unwrap().disposition().is_none()),
    );
}

/// Zimbra before 5.0.8: no space between the UID and the next item.
/// Evidence: Thunderbird's nsImapServerResponseParser::msg_fetch ("pre
/// 5.08 Zimbra omitting a space between the UID and MODSEQ").
#[test]
fn missing_space_zimbra() {
    quirk(
        b"* 1 FETCH (UID 123MODSEQ (456) FLAGS (\\Seen))",
        Quirks::MISSING_SPACE,
        b"* 1 FETCH (UID 123 MODSEQ (456) FLAGS (\\Seen))",
        |r| {
            assert!(
                matches!(fetch_items(r), [MessageDataItem::Uid(u), MessageDataItem::ModSeq(456), MessageDataItem::Flags(_)] if u.get() == 123)
            )
        },
    );
}

/// Office 365: no space between a body literal and the next item.
/// Evidence: https://github.com/qnikst/HaskellNet/issues/15.
#[test]
fn missing_space_after_literal_office365() {
    quirk(
        b"* 12 FETCH (BODY[] {12}\r\nSubject: x\r\nUID 12 FLAGS (\\Seen))",
        Quirks::MISSING_SPACE,
        b"* 12 FETCH (BODY[] {12}\r\nSubject: x\r\n UID 12 FLAGS (\\Seen))",
        |r| assert_eq!(fetch_items(r).len(), 3),
    );
}

/// datamail.in: a stray `+` after the ID list.
/// Evidence: https://github.com/apple/swift-nio-imap/pull/740.
#[test]
fn stray_plus_after_id_datamail() {
    quirk(
        b"* ID (\"name\" \"Imap\" \"version\" \"1.5\")+",
        Quirks::STRAY_CHARACTER,
        b"* ID (\"name\" \"Imap\" \"version\" \"1.5\")",
        |r| assert!(matches!(r, Response::Data(Data::Id(Some(p))) if p.len() == 2)),
    );
}

/// Exchange 2013: a response code alone on a line after UID MOVE.
/// Evidence: https://github.com/ruby/net-imap/issues/250.
#[test]
fn bare_response_code_exchange_2013() {
    quirk(
        b"[COPYUID 124 10 233]",
        Quirks::BARE_RESPONSE_CODE,
        b"* OK [COPYUID 124 10 233] ",
        |r| match r {
            Response::Status(s) => {
                assert_eq!(s.kind, StatusKind::Untagged(Status::Ok));
                assert!(matches!(s.code(), Some(ResponseCode::CopyUid { .. })));
            }
            other => panic!("{other:?}"),
        },
    );
    // A tag may hold brackets: a tagged response is still one.
    let (r, q) = decode(b"[a] OK [READ-WRITE] done\r\n");
    assert!(q.is_empty());
    assert_eq!(r.to_vec(), b"[a] OK [READ-WRITE] done\r\n");
}

/// home.pl and Office 365: a response code after `* ` without `OK`,
/// `* [COPYUID ...]`, answering MOVE or COPY. Read as `* OK` with the code,
/// as the code alone on a line is (Exchange 2013). The logs are
/// screenshots: the lines are built from MailKit's description (its release
/// notes for 1.0.1 and 1.18.0) and its error (`Unexpected token: [atom:
/// COPYUID]` after `*`).
/// Evidence: https://github.com/jstedfast/MailKit/issues/115.
#[test]
fn untagged_bare_code_home_pl() {
    quirk(
        b"* [COPYUID 1499334372 5 17] Moved",
        Quirks::BARE_RESPONSE_CODE,
        b"* OK [COPYUID 1499334372 5 17] Moved",
        |r| match r {
            Response::Status(s) => {
                assert_eq!(s.kind, StatusKind::Untagged(Status::Ok));
                assert!(matches!(s.code(), Some(ResponseCode::CopyUid { .. })));
                assert_eq!(s.text.human().as_bytes(), b"Moved");
            }
            other => panic!("{other:?}"),
        },
    );
    quirk(
        b"* [COPYUID 38505 304,319:320 3956:3958]",
        Quirks::BARE_RESPONSE_CODE.union(Quirks::MISSING_TEXT),
        b"* OK [COPYUID 38505 304,319:320 3956:3958] ",
        |r| assert!(matches!(r, Response::Status(s) if s.code().is_some())),
    );
    // An unknown code stays an unknown response, kept byte for byte.
    let (r, q) = decode(b"* [XFOO 1] x\r\n");
    assert!(q.is_empty(), "{q:?}");
    assert_eq!(
        r,
        Response::Data(Data::Other(OtherData::unvalidated(&b"[XFOO 1] x"[..])))
    );
    // A line that ends in a literal header stays an unknown response, read
    // as the framer frames it: the literal is part of it.
    let b = b"* [ALERT] hi {5}\r\nhello\r\n";
    let (r, q) = decode(b);
    assert!(q.is_empty(), "{q:?}");
    assert!(matches!(r, Response::Data(Data::Other(_))), "{r:?}");
    assert_prefixes(&ResponseDecoder::default(), b);
}

/// Known codes whose arguments break their grammar keep their status
/// response (the code as `Other`): `[UNSEEN 0]`, `[PERMANENTFLAGS]`.
/// Evidence: ruby/net-imap's ResponseParser#resp_text_code (keeps
/// `PERMANENTFLAGS` without a list, and any code it cannot parse).
#[test]
fn malformed_code_arguments_net_imap() {
    quirk(
        b"* OK [UNSEEN 0] first unseen",
        Quirks::CODE_ARGUMENTS,
        b"* OK [UNSEEN 0] first unseen",
        |r| {
            assert!(matches!(
                status_text(r).code(),
                Some(ResponseCode::Other(_))
            ))
        },
    );
    // UIDVALIDITY beyond 32 bits (GreenMail 1.5.7, MailKit issue 723;
    // dynadot.com, go-imap issue 612): the code is kept, unknown (QUIRKS.md
    // row 71; in STATUS it is an error, see strict.rs).
    quirk(
        b"* OK [UIDVALIDITY 1528896777421] UIDs valid",
        Quirks::CODE_ARGUMENTS,
        b"* OK [UIDVALIDITY 1528896777421] UIDs valid",
        |r| {
            assert!(matches!(
                status_text(r).code(),
                Some(ResponseCode::Other(_))
            ))
        },
    );
    quirk(
        b"A1 OK [PERMANENTFLAGS] done",
        Quirks::CODE_ARGUMENTS,
        b"A1 OK [PERMANENTFLAGS] done",
        |r| {
            assert!(matches!(
                status_text(r).code(),
                Some(ResponseCode::Other(_))
            ))
        },
    );
}

/// A zero UIDNEXT or UIDVALIDITY in STATUS, as in the codes (SmarterMail).
/// Evidence: https://github.com/jstedfast/MailKit/issues/1010.
#[test]
fn zero_number_in_status_smartermail() {
    quirk(
        b"* STATUS INBOX (MESSAGES 0 UIDNEXT 0 UIDVALIDITY 0)",
        Quirks::ZERO_NUMBER,
        b"* STATUS INBOX (MESSAGES 0 UIDNEXT 0 UIDVALIDITY 0)",
        |_| {},
    );
}

/// GreenMail writes no space between a body section (with its origin or
/// not) and the section's literal: `BODY[]<0>{1510}` (2.1.x, a captured
/// log; its `FetchCommand`), `BODY[HEADER]{4169}` (1.5.3, greenmail issue
/// 187). The `{n}` still ends the line, so the framer and the decoder agree
/// on the literal. A quoted string glued on is still an error.
#[test]
fn missing_space_before_a_section_literal_greenmail() {
    quirk(
        b"* 18 FETCH (UID 26 BODY[]<0>{5}\r\nhello)",
        Quirks::MISSING_SPACE,
        b"* 18 FETCH (UID 26 BODY[]<0> {5}\r\nhello)",
        |r| assert_eq!(fetch_items(r).len(), 2),
    );
    quirk(
        b"* 1 FETCH (FLAGS (\\Recent \\Seen) BODY[HEADER]{9}\r\nSubject:\n)",
        Quirks::MISSING_SPACE,
        b"* 1 FETCH (FLAGS (\\Recent \\Seen) BODY[HEADER] {9}\r\nSubject:\n)",
        |r| assert_eq!(fetch_items(r).len(), 2),
    );
    let e = response(b"* 1 FETCH (BODY[]\"x\")\r\n").unwrap_err();
    assert_eq!(e.offset, 17);
}

/// HP TCP/IP Services for OpenVMS 5.3's IMAP server sends a multipart's
/// subtype as an atom (a log on HPE's community forum, thread "TCPIP IMAP
/// Server", where PMDF's server quotes the same message's subtypes); read
/// as the string, re-encoded quoted, nested and at the top.
#[test]
fn atom_subtype_openvms() {
    quirk(
        b"* 1 FETCH (BODYSTRUCTURE (((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"ISO-8859-2\") NIL NIL \"7BIT\" 90 3)(\"TEXT\" \"HTML\" (\"CHARSET\" \"ISO-8859-2\") NIL NIL \"BASE64\" 618 11) ALTERNATIVE)(\"APPLICATION\" \"MSWORD\" (\"NAME\" \"x.doc\") NIL NIL \"BASE64\" 36) MIXED) FLAGS (\\Seen))",
        Quirks::ATOM_FOR_STRING,
        b"* 1 FETCH (BODYSTRUCTURE (((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"ISO-8859-2\") NIL NIL \"7BIT\" 90 3)(\"TEXT\" \"HTML\" (\"CHARSET\" \"ISO-8859-2\") NIL NIL \"BASE64\" 618 11) \"ALTERNATIVE\")(\"APPLICATION\" \"MSWORD\" (\"NAME\" \"x.doc\") NIL NIL \"BASE64\" 36) \"MIXED\") FLAGS (\\Seen))",
        |r| match fetch_items(r) {
            [MessageDataItem::BodyStructure(item), MessageDataItem::Flags(_)] => {
                match item.get().into_owned() {
                    BodyStructure::Multipart(m) => {
                        assert_eq!(m.subtype.as_bytes(), b"MIXED");
                        match m.parts.first().map(|p| p.into_owned()) {
                            Some(BodyStructure::Multipart(inner)) => {
                                assert_eq!(inner.subtype.as_bytes(), b"ALTERNATIVE")
                            }
                            other => panic!("{other:?}"),
                        }
                    }
                    other => panic!("{other:?}"),
                }
            }
            other => panic!("{other:?}"),
        },
    );
}

/// wp.pl answers LOGOUT with a tagged BYE (rust-imap issue 210, MailKit
/// issue 1536's log): read as the untagged BYE, the tag dropped. Other
/// words after a tag stay errors.
#[test]
fn tagged_bye_wp_pl() {
    quirk(
        b"A00000006 BYE IMAP4rev1 Server logging out",
        Quirks::TAGGED_BYE,
        b"* BYE IMAP4rev1 Server logging out",
        |r| match r {
            Response::Status(s) => {
                assert_eq!(s.kind, StatusKind::Bye);
                assert_eq!(s.text.human().as_bytes(), b"IMAP4rev1 Server logging out");
            }
            other => panic!("{other:?}"),
        },
    );
    let e = response(b"a4 PREAUTH hi\r\n").unwrap_err();
    assert_eq!((e.offset, e.reason), (3, "expected OK, NO or BAD"));
}

/// Lotus Domino 10 sends `INTERNALDATE "00-Jan-0000 00:00:00 +0000"` for
/// some messages (MailKit issue 1236). Day 0 of year 0 is no date: the
/// item is dropped and the others kept. Any other impossible date is
/// still an error.
#[test]
fn zero_internaldate_domino() {
    quirk(
        b"* 7 FETCH (UID 1342 INTERNALDATE \"00-Jan-0000 00:00:00 +0000\" RFC822.SIZE 2093 FLAGS (\\Seen))",
        Quirks::ZERO_DATE,
        b"* 7 FETCH (UID 1342 RFC822.SIZE 2093 FLAGS (\\Seen))",
        |r| assert_eq!(fetch_items(r).len(), 3),
    );
    let e = response(b"* 7 FETCH (INTERNALDATE \"00-Jan-0000 00:00:00 +0000\")\r\n").unwrap_err();
    assert_eq!((e.offset, e.reason), (10, "no FETCH item left"));
    for bad in [
        &b"* 7 FETCH (UID 1 INTERNALDATE \"00-Feb-2020 00:00:00 +0000\")\r\n"[..],
        b"* 7 FETCH (UID 1 INTERNALDATE \"01-Jan-0000 00:00:00 +0000\")\r\n",
        b"* 7 FETCH (UID 1 INTERNALDATE \"00-Jan-0000 00:00:00 +0100\")\r\n",
    ] {
        let e = response(bad).unwrap_err();
        assert_eq!(e.offset, 30, "{}", bad.escape_ascii());
    }
}

/// Zoho Mail sends `MODSEQ (-1)` for messages it has no mod-sequence for
/// (MailKit issues 495 and 1686; 30 of the 45 responses of MailKit's
/// resource `zoho/fetch-negative-modseq-values`). The item is dropped, the
/// flags and UID kept; a FETCH whose only item it was has nothing left.
#[test]
fn negative_modseq_zoho() {
    quirk(
        b"* 40 FETCH (MODSEQ (-1) FLAGS (\\Recent \\Seen) UID 336)",
        Quirks::NEGATIVE_MODSEQ,
        b"* 40 FETCH (FLAGS (\\Recent \\Seen) UID 336)",
        |r| {
            assert_eq!(fetch_items(r).len(), 2);
            assert!(matches!(fetch_items(r)[1], MessageDataItem::Uid(u) if u.get() == 336));
        },
    );
    quirk(
        b"* 41 FETCH (UID 350 MODSEQ ( -12 ))",
        Quirks::NEGATIVE_MODSEQ,
        b"* 41 FETCH (UID 350)",
        |r| assert_eq!(fetch_items(r).len(), 1),
    );
    let e = response(b"* 42 FETCH (MODSEQ (-1))\r\n").unwrap_err();
    assert_eq!((e.offset, e.reason), (11, "no FETCH item left"));
    // A sign alone, or a sign before anything but digits, is still an error.
    let e = response(b"* 42 FETCH (UID 1 MODSEQ (-))\r\n").unwrap_err();
    assert_eq!(e.offset, 27);
}

/// home.pl (IdeaImapServer): a lone `\` among a LIST line's attributes.
/// Evidence: Mailspring issues 967, 1310, 1795 and 2274 (home.pl's
/// accounts); Evolution's LIST parser reads it as a token.
#[test]
fn bare_backslash_attribute_home_pl() {
    fn list(r: &Response<'_>) -> Vec<MailboxAttribute<'static>> {
        match r {
            Response::Data(Data::List(l)) => l.attributes.clone().into_static(),
            other => panic!("{other:?}"),
        }
    }
    quirk(
        b"* LIST (\\HasNoChildren \\) \".\" \"Argos\"",
        Quirks::BARE_BACKSLASH,
        b"* LIST (\\HasNoChildren) \".\" \"Argos\"",
        |r| assert_eq!(list(r), [MailboxAttribute::HasNoChildren]),
    );
    quirk(
        b"* LIST (\\ \\Noselect) \"/\" x",
        Quirks::BARE_BACKSLASH,
        b"* LIST (\\Noselect) \"/\" x",
        |r| assert_eq!(list(r), [MailboxAttribute::NoSelect]),
    );
    quirk(
        b"* LIST (\\) \"/\" x",
        Quirks::BARE_BACKSLASH,
        b"* LIST () \"/\" x",
        |r| assert!(list(r).is_empty()),
    );
    // A `\` before anything but SP or `)` is still an error, where the
    // attribute's atom should start.
    let e = response(b"* LIST (\\( x) \"/\" x\r\n").unwrap_err();
    assert_eq!(e.offset, 9);
}

/// ProtonMail Bridge (2017): ID field names and values as atoms.
/// Evidence: Mailspring issue 429 (the Bridge's ID response).
#[test]
fn atoms_in_id_protonmail_bridge() {
    quirk(
        b"* ID (support-url https://protonmail.com/support name ProtonMail vendor \"Proton Technologies AG\")",
        Quirks::ATOM_FOR_STRING,
        b"* ID (\"support-url\" \"https://protonmail.com/support\" \"name\" \"ProtonMail\" \"vendor\" \"Proton Technologies AG\")",
        |r| match r {
            Response::Data(Data::Id(Some(p))) => {
                assert_eq!(p.len(), 3);
                assert_eq!(p[1].0.as_bytes(), b"name");
                assert_eq!(p[1].1 .0.as_ref().map(IString::as_bytes), Some(&b"ProtonMail"[..]));
            }
            other => panic!("{other:?}"),
        },
    );
    // The same Bridge's ENVELOPE addresses (Mailspring issue 429).
    quirk(
        b"* 1 FETCH (UID 1 ENVELOPE (\"Thu, 14 Dec 2017 11:50:32 -0800\" \"How to get help\" ((ProtonMail NIL support protonmail.ch)) NIL NIL ((NIL NIL bengotow protonmail.com)) NIL NIL \"\" \"\"))",
        Quirks::ATOM_FOR_STRING,
        b"* 1 FETCH (UID 1 ENVELOPE (\"Thu, 14 Dec 2017 11:50:32 -0800\" \"How to get help\" ((\"ProtonMail\" NIL \"support\" \"protonmail.ch\")) NIL NIL ((NIL NIL \"bengotow\" \"protonmail.com\")) NIL NIL \"\" \"\"))",
        |r| match fetch_items(r) {
            [MessageDataItem::Uid(_), MessageDataItem::Envelope(e)] => {
                let list = e.from();
                let from: Vec<_> = list.iter().collect();
                assert_eq!(from.len(), 1);
                assert_eq!(from[0].mailbox.0.as_ref().map(IString::as_bytes), Some(&b"support"[..]));
                assert_eq!(from[0].host.0.as_ref().map(IString::as_bytes), Some(&b"protonmail.ch"[..]));
            }
            other => panic!("{other:?}"),
        },
    );
    // Exchange 2010: a body encoding as an atom. Evidence: JavaMail's
    // `BODYSTRUCTURE` parser and its Exchange notes (a workaround since
    // JavaMail 1.4.4), and libetpan's `mailimap_body_fld_enc_parse`, whose
    // comment names Exchange; neither quotes the bytes, so the line is
    // built from what they describe.
    quirk(
        b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL 7bit 21 1 NIL NIL NIL))",
        Quirks::ATOM_FOR_STRING,
        b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 21 1 NIL NIL NIL))",
        |r| match fetch_items(r) {
            [MessageDataItem::BodyStructure(b)] => match b.clone().into_inner() {
                BodyStructure::Single(s) => assert_eq!(s.fields.encoding.as_bytes(), b"7bit"),
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        },
    );
    // `NIL` stays no value, in any case; it is no field name.
    let (r, q) = decode(b"* ID (\"a\" nil b NIL)\r\n");
    assert!(q.contains(Quirks::ATOM_FOR_STRING));
    assert_eq!(r.to_vec(), b"* ID (\"a\" NIL \"b\" NIL)\r\n");
    assert_eq!(response(b"* ID (NIL \"a\")\r\n").unwrap_err().offset, 6);
}

/// megamailservers.com: commas between the strings of an ID list.
/// Evidence: https://github.com/javaee/javamail/issues/306 (and JavaMail's
/// `ResponseTest.testBadStringList`, which has the same line).
#[test]
fn commas_in_id_megamailservers() {
    quirk(
        b"* ID (\"name\", \"test\", \"version\", \"1.0\")",
        Quirks::COMMA_SEPARATOR,
        b"* ID (\"name\" \"test\" \"version\" \"1.0\")",
        |r| assert!(matches!(r, Response::Data(Data::Id(Some(p))) if p.len() == 2)),
    );
    // A comma must be followed by a space or the list's end.
    assert_eq!(
        response(b"* ID (\"name\" ,\"x\")\r\n").unwrap_err().offset,
        14
    );
}

/// Gromox: a mailbox name with spaces sent unquoted in STATUS.
/// Evidence: https://github.com/grommunio/gromox/issues/5; Roundcube's
/// `rcube_imap_generic::status` ("some buggy server returns not quoted
/// folder name with spaces", its bug 1487859); libetpan reads Gmail's
/// STATUS names so too (`mailimap_mailbox_gmail_parse`).
#[test]
fn space_in_status_mailbox_gromox() {
    let name = |r: &Response<'_>| match r {
        Response::Data(Data::Status { mailbox, .. }) => mailbox.as_bytes().to_vec(),
        other => panic!("{other:?}"),
    };
    quirk(
        b"* STATUS Deleted Items (MESSAGES 0 UNSEEN 0 RECENT 0)",
        Quirks::SPACE_IN_MAILBOX,
        b"* STATUS \"Deleted Items\" (MESSAGES 0 UNSEEN 0 RECENT 0)",
        |r| assert_eq!(name(r), b"Deleted Items"),
    );
    // JavaMail's `StratoImapBugfixTest` (Strato).
    quirk(
        b"* STATUS Sent Items (UIDNEXT 1)",
        Quirks::SPACE_IN_MAILBOX,
        b"* STATUS \"Sent Items\" (UIDNEXT 1)",
        |r| assert_eq!(name(r), b"Sent Items"),
    );
    quirk(
        b"* STATUS [Gmail]/All Mail (MESSAGES 5 MAILBOXID (F2212ea87))",
        Quirks::SPACE_IN_MAILBOX,
        b"* STATUS \"[Gmail]/All Mail\" (MESSAGES 5 MAILBOXID (F2212ea87))",
        |r| assert_eq!(name(r), b"[Gmail]/All Mail"),
    );
    // A quoted string or a literal after the first word is no such name:
    // the grammar's error at the second word.
    let e = response(b"* STATUS A \"B\" (MESSAGES 1)\r\n").unwrap_err();
    assert_eq!(e.offset, 11);
    let e = response(b"* STATUS A B\r\n").unwrap_err();
    assert_eq!(e.offset, 11);
}

/// Lines that decode as they are: quirks of real servers the grammar (or
/// the generic fallback) already covers, each from a catalogue.
#[test]
fn catalogue_lines_that_need_no_quirk() {
    for (line, source) in [
        (&b"* NOOP froopy snood"[..], "ruby/net-imap quirky_behaviors.yml (untagged NOOP)"),
        (b"* 99 NOOP", "ruby/net-imap quirky_behaviors.yml"),
        (
            b"RUBY0001 OK [Error=\"Microsoft.Exchange.Data.Storage.WrongServerException: Cross Server access\" Service=Imap4] AUTHENTICATE completed.",
            "ruby/net-imap issue 597 (Exchange: a bracket that is no code, read as text)",
        ),
        (b"* 1 FETCH (X-GM-LABELS (NIL \"\\\\Inbox\" foo))", "MailKit issue 244 (Gmail label NIL)"),
        (b"* QUOTA \"\" ()", "ruby/net-imap quota_response (no resources left)"),
        (b"* XSERVERINFO MANAGEACCOUNTURL x", "Thunderbird (Netscape extensions, read generically)"),
        (b"* OK [MYRIGHTS \"acdilrsw\"] ACL", "mailcore2 issue 1322 (an unknown code with a quoted argument)"),
        (b"* 1 FETCH (BODY[HEADER.FIELDS (\"SUBJECT\" \"FROM\")] {2}\r\nx\n)", "mobizt/ESP-Mail-Client issue 10 (quoted header names)"),
        (b"* 4902 FETCH (BODY ((\"MESSAGE\" \"DELIVERY-STATUS\" NIL NIL NIL \"7BIT\" 324) \"REPORT\"))", "Ruby bug 7146"),
        (b"* 1 FETCH (UID 7 BODY[HEADER.FIELDS (SUBJECT)] {15}\r\nSubject: hi\r\n\r\n FLAGS (\\Seen))", "neomutt imap/message.c (Domino sends FLAGS after the body)"),
        (b"* LIST (\\HasNoChildren) \"/\" {4}\r\nTest", "neomutt imap/command.c (Lotus Notes sends the LIST name as a literal)"),
        (b"* LIST (\\NoInferiors) NIL INBOX", "thunderbird-android issue 1936 (UW-IMAP: no delimiter, an atom name)"),
        (b"* 1 FETCH (UID 5 BODYSTRUCTURE (\"message\" \"global\" (\"name\" \"a.dat\") NIL NIL \"7bit\" 6726 NIL (\"attachment\" (\"filename\" \"a.dat\")) NIL NIL))", "go-imap imapclient/parse_test.go (Dovecot: message/global without envelope, body and lines)"),
        (b"* 2934 FETCH (FLAGS (\\Answered \\Seen $Quuxo::Spam::Trained) UID 3041)", "Geary's tests (Cyrus: a keyword with colons)"),
        (b"A00000002 OK Success [THROTTLED]", "Gmail (Dovecot's imapc_connection_throttle; MailKit issue 1396: a bracket after the text, read as text)"),
        (b"3 NO [LIMIT] CAPABILITY Rate limit hit.", "Yahoo (Dovecot's imapc-mail-fetch.c; imapflow issue 75)"),
        (b"* XGWCONF GroupWise POA Version 6.5.0", "GroupWise's IMAP SDK manual (an unknown response, read generically)"),
        (b"* Goodbye : idle timeout expired", "imap.mailo.com (chatmail/core issue 5271; read generically)"),
        (b"* 980 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 2 1 NIL NIL NIL)(\"MESSAGE\" \"RFC822\" (\"NAME\" \"Fw.eml\") NIL NIL \"7BIT\" 1980088 NIL (\"ATTACHMENT\" (\"FILENAME\" \"Fw.eml\")) NIL) \"MIXED\" NIL NIL NIL))", "Ruby bug 6397, MailKit issues 32 and 59 (message/rfc822 sent as a basic part)"),
        (b"* SEARCH 2 3 7", "MailKit's release notes 1.0.13 (Cyrus 2.4.16 answers a SEARCH with RETURN options by SEARCH, not ESEARCH)"),
        (b"* ESEARCH (TAG \"A5\") ALL 1:3,5", "MailKit issue 191 (AOL: ESEARCH without UID answering UID SEARCH)"),
        (b"* OK [COPYUID 1304109194 59667 4484] Completed", "cyrus-imapd issue 2114, roundcube issue 5982 (Cyrus 3.0: COPYUID untagged, before the EXPUNGEs of a MOVE)"),
        (b"* LIST (\\HasNoChildren) \"/\" NIL", "MailKit issue 482 (a mailbox named NIL, sent as an atom)"),
        (b"* LIST (\\HasNoChildren) \"/\" +SaneLater", "MailKit issue 1914, s1t5/mail-archiver issue 160 (SaneBox's folders: an atom starting with +)"),
        (b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft +)", "MailKit issue 1956 (Dovecot: a keyword +)"),
        (b"* 4876 FETCH (UID 5156 BODYSTRUCTURE (((\"text\" \"plain\" (\"charset\" \"UTF-8\") NIL NIL \"8bit\" 314 8 NIL NIL NIL NIL)(\"text\" \"html\" (\"charset\" \"UTF-8\") NIL NIL \"8bit\" 763 18 NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"b3_f0dc\") NIL NIL NIL NIL)(\"image\" \"jpeg\" (\"name\" \"18e5\") \"<18e5>\" NIL \"base64\" 334384 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"b1\") NIL NIL NIL))", "MailKit issue 953 (IceWarp: a body-extension after a multipart's location)"),
        (b"* LIST (\\UnMarked) \".\" INBOX.[Airmail].Snooze", "postalsys/imapflow issue 204 (Airmail's folders: brackets in an atom name)"),
    ] {
        let b = crlf(line);
        let (r, _) = decode(&b);
        let canon = r.to_vec();
        let (again, _) = decode(&canon);
        assert_eq!(again, r, "{source}");
        assert_prefixes(&ResponseDecoder::default(), &b);
    }
}

// --- Lone LF (opt-in) ---------------------------------------------------------

/// A lone LF as line end: rejected by default, accepted by
/// `ResponseDecoder { lone_lf: true }`. LFs inside literals are data.
/// Evidence: https://github.com/apple/swift-nio-imap/pull/234 (swift-nio-imap
/// accepts LF for "real-world clients/servers that might only use '\n'").
#[test]
fn lone_lf_opt_in() {
    let lf = ResponseDecoder { lone_lf: true };
    assert!(response(b"* 3 EXISTS\n").is_err());
    assert!(ResponseDecoder::new().decode(b"* 3 EXISTS\n").is_err());

    let (d, q) = lf.decode_with_quirks(b"* 3 EXISTS\n* 4 EXISTS\r\n");
    assert_eq!(
        d.unwrap(),
        Decoded::Complete {
            message: Response::Data(Data::Exists(3)),
            consumed: 11
        }
    );
    assert_eq!(q, Quirks::LONE_LF);

    // A literal header ended by LF; the LFs in the literal's data are kept.
    let input = b"* 1 FETCH (BODY[] {5}\na\nb\nc UID 7)\n";
    let (r, used) = lf.decode(input).unwrap().complete().unwrap();
    assert_eq!(used, input.len());
    assert_eq!(
        fetch_items(&r)[0],
        MessageDataItem::BodySection {
            section: Section::whole(),
            origin: None,
            data: NString(Some(IString::Literal(
                Literal::try_new(&b"a\nb\nc"[..]).unwrap()
            )))
        }
    );
    assert_eq!(
        r.to_vec(),
        b"* 1 FETCH (BODY[] {5}\r\na\nb\nc UID 7)\r\n".to_vec()
    );
    assert_prefixes(&lf, input);

    // Conforming input is decoded zero-copy, as by `response`.
    let (r, _) = lf
        .decode(b"* OK [ALERT] x\r\n")
        .unwrap()
        .complete()
        .unwrap();
    assert_eq!(status_text(&r).code(), Some(&ResponseCode::Alert));
    // Errors keep offsets in the original input.
    let e = lf.decode(b"* 3 EXISTS\n* x").unwrap();
    assert!(matches!(e, Decoded::Complete { consumed: 11, .. }));
    let e = lf.decode(b"* OK\n(").map(|_| ());
    assert!(e.is_ok());
    let e = lf.decode(b"A1 XYZ\n").unwrap_err();
    assert_eq!(e.offset, 3);
}

/// Conforming input reports no quirks.
#[test]
fn no_quirks_for_conforming_input() {
    for line in [
        &b"* 1 FETCH (UID 5 FLAGS (\\Seen))\r\n"[..],
        b"* OK [UIDVALIDITY 3] x\r\n",
        b"A1 OK done\r\n",
        b"+ idling\r\n",
        b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"PLAIN\" (\"CHARSET\" \"UTF-8\") NIL NIL \"7BIT\" 10 1 NIL (\"inline\" NIL) NIL NIL))\r\n",
    ] {
        let (r, q) = decode(line);
        assert!(q.is_empty(), "{q:?} for {r:?}");
    }
}

// --- The data file and properties ---------------------------------------------

fn quirk_rows() -> Vec<(Quirks, String, Vec<u8>, Vec<u8>)> {
    QUIRKS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 4, "{l}");
            let q = match f[0] {
                "EXTRA_SPACE" => Quirks::EXTRA_SPACE,
                "MISSING_TEXT" => Quirks::MISSING_TEXT,
                "EMPTY_LIST_FOR_NIL" => Quirks::EMPTY_LIST_FOR_NIL,
                "NIL_FOR_STRING" => Quirks::NIL_FOR_STRING,
                "NEGATIVE_NUMBER" => Quirks::NEGATIVE_NUMBER,
                "DISPOSITION_WITHOUT_PARAMS" => Quirks::DISPOSITION_WITHOUT_PARAMS,
                "FLAGS_ASTERISK" => Quirks::FLAGS_ASTERISK,
                "ZERO_NUMBER" => Quirks::ZERO_NUMBER,
                "SHORT_ENVELOPE" => Quirks::SHORT_ENVELOPE,
                "WRAPPED_ITEM" => Quirks::WRAPPED_ITEM,
                "INVALID_FLAG" => Quirks::INVALID_FLAG,
                "RFC822_SECTION" => Quirks::RFC822_SECTION,
                "EMPTY_MULTIPART" => Quirks::EMPTY_MULTIPART,
                "EMPTY_BODY" => Quirks::EMPTY_BODY,
                "NIL_DISPOSITION" => Quirks::NIL_DISPOSITION,
                "MISSING_SPACE" => Quirks::MISSING_SPACE,
                "STRAY_CHARACTER" => Quirks::STRAY_CHARACTER,
                "BARE_RESPONSE_CODE" => Quirks::BARE_RESPONSE_CODE,
                "CODE_ARGUMENTS" => Quirks::CODE_ARGUMENTS,
                "NIL_IN_LIST" => Quirks::NIL_IN_LIST,
                "QUOTED_FLAG" => Quirks::QUOTED_FLAG,
                "TAB_IN_MAILBOX" => Quirks::TAB_IN_MAILBOX,
                "PARAMS_IN_MD5" => Quirks::PARAMS_IN_MD5,
                "UNPADDED_DAY" => Quirks::UNPADDED_DAY,
                "EMPTY_DELIMITER" => Quirks::EMPTY_DELIMITER,
                "MISSING_SECTION_DATA" => Quirks::MISSING_SECTION_DATA,
                "BARE_BACKSLASH" => Quirks::BARE_BACKSLASH,
                "ATOM_FOR_STRING" => Quirks::ATOM_FOR_STRING,
                "SPACE_IN_MAILBOX" => Quirks::SPACE_IN_MAILBOX,
                "COMMA_SEPARATOR" => Quirks::COMMA_SEPARATOR,
                "NEGATIVE_MODSEQ" => Quirks::NEGATIVE_MODSEQ,
                "ZERO_DATE" => Quirks::ZERO_DATE,
                "TAGGED_BYE" => Quirks::TAGGED_BYE,
                "NONE" => Quirks::NONE,
                other => panic!("unknown quirk {other}"),
            };
            (
                q,
                f[1].to_string(),
                crlf(f[2].as_bytes()),
                crlf(f[3].as_bytes()),
            )
        })
        .collect()
}

#[test]
fn quirk_table() {
    let rows = quirk_rows();
    assert!(rows.len() >= 40, "{}", rows.len());
    for (q, source, line, canon) in rows {
        let (r, seen) = decode(&line);
        assert!(
            seen.contains(q) && (q != Quirks::NONE || seen.is_empty()),
            "{source}: {seen:?}"
        );
        assert_eq!(
            r.to_vec().escape_ascii().to_string(),
            canon.escape_ascii().to_string(),
            "{source}"
        );
        let (again, seen) = decode(&canon);
        assert_eq!(again, r, "{source}");
        assert!(KEPT.contains(seen), "{source}: canonical form has {seen:?}");
        assert_prefixes(&ResponseDecoder::default(), &line);
    }
}

/// The end of the literal whose header starts at `b[k] == b'{'`.
fn literal_end(b: &[u8], k: usize) -> usize {
    let close = k + b[k..].iter().position(|&x| x == b'}').unwrap();
    let digits: String = b[k + 1..close]
        .iter()
        .filter(|x| x.is_ascii_digit())
        .map(|&x| x as char)
        .collect();
    close + 3 + digits.parse::<usize>().unwrap()
}

/// Inserts spaces into an encoded response where servers put extra ones:
/// after `(`, before `)` and next to an existing space, but never inside
/// quoted strings, literals or `[...]` sections. `choose` decides per spot.
fn add_spaces(b: &[u8], choose: &[bool]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len() + 16);
    let mut k = 0;
    let mut spot = 0;
    let mut pick = || {
        spot += 1;
        choose
            .get(spot % choose.len().max(1))
            .copied()
            .unwrap_or(false)
    };
    while k < b.len() {
        let c = b[k];
        match c {
            b'"' => {
                let start = k;
                k += 1;
                while b[k] != b'"' {
                    k += if b[k] == b'\\' { 2 } else { 1 };
                }
                out.extend_from_slice(&b[start..=k]);
                k += 1;
                continue;
            }
            b'{' => {
                let end = literal_end(b, k);
                out.extend_from_slice(&b[k..end]);
                k = end;
                continue;
            }
            b'[' => {
                // The matching "]" at parenthesis depth 0 (a header list may hold "]").
                let mut depth = 0;
                let mut close = k + 1;
                loop {
                    match b[close] {
                        b'(' => depth += 1,
                        b')' => depth -= 1,
                        b'"' => {
                            close += 1;
                            while b[close] != b'"' {
                                close += if b[close] == b'\\' { 2 } else { 1 };
                            }
                        }
                        b'{' => close = literal_end(b, close) - 1,
                        b']' if depth == 0 => break,
                        _ => {}
                    }
                    close += 1;
                }
                out.extend_from_slice(&b[k..=close]);
                k = close + 1;
                continue;
            }
            b')' if pick() => out.extend_from_slice(b" )"),
            b'(' if pick() => out.extend_from_slice(b"( "),
            b' ' if pick() => out.extend_from_slice(b"  "),
            b'\r' => {
                // A trailing space before CRLF.
                if pick() && k + 2 == b.len() {
                    out.push(b' ');
                }
                out.push(c);
            }
            _ => out.push(c),
        }
        k += 1;
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Extra spaces in a FETCH response never change the value, are reported,
    /// and a strict prefix of the spaced line is still incomplete.
    #[test]
    fn extra_spaces_keep_the_value(
        items in proptest::collection::vec(st::message_data_item(), 1..4),
        seq in 1u32..1000,
        choose in proptest::collection::vec(any::<bool>(), 1..32),
        cut in any::<proptest::sample::Index>(),
    ) {
        let r = Response::Data(Data::Fetch {
            seq: nz(seq),
            items: Vec1::try_from(items).unwrap(),
        });
        let b = r.to_vec();
        let spaced = add_spaces(&b, &choose);
        let d = ResponseDecoder::default();
        match d.decode_with_quirks(&spaced) {
            (Ok(Decoded::Complete { message, consumed }), q) => {
                prop_assert_eq!(consumed, spaced.len());
                prop_assert_eq!(message.into_static(), r);
                prop_assert_eq!(q.contains(Quirks::EXTRA_SPACE), spaced != b);
            }
            (other, _) => prop_assert!(false, "{:?} for {:?}", other, spaced.escape_ascii().to_string()),
        }
        let k = cut.index(spaced.len());
        prop_assert!(
            matches!(d.decode(&spaced[..k]), Ok(Decoded::Incomplete | Decoded::LiteralAnnounced { .. })),
            "prefix {} of {:?}", k, spaced.escape_ascii().to_string()
        );
    }

    /// The strict prefix property on the quirky lines of the data file, also
    /// with lone LFs (for the opt-in decoder).
    #[test]
    fn quirky_prefixes_are_incomplete(row in any::<proptest::sample::Index>(), cut in any::<proptest::sample::Index>(), lone_lf: bool) {
        let rows = quirk_rows();
        let (_, source, line, _) = &rows[row.index(rows.len())];
        let mut line = line.clone();
        if lone_lf {
            line.remove(line.len() - 2);
        }
        let d = ResponseDecoder { lone_lf };
        let k = cut.index(line.len());
        prop_assert!(
            matches!(d.decode(&line[..k]), Ok(Decoded::Incomplete | Decoded::LiteralAnnounced { .. })),
            "{}: prefix {}", source, k
        );
        prop_assert!(matches!(d.decode(&line), Ok(Decoded::Complete { consumed, .. }) if consumed == line.len()), "{}", source);
    }
}

/// Gmail: a nested multipart without parts whose parameters are `NIL`,
/// `("RELATED" NIL ("ATTACHMENT" NIL) NIL)`, the exact response of
/// https://github.com/jstedfast/MailKit/issues/777 (the `(` form of the
/// same quirk is in `empty_multipart_gmail`).
#[test]
fn empty_multipart_with_nil_params_gmail() {
    quirk(
        b"* 56697 FETCH (UID 227195 BODYSTRUCTURE (((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\" \"DELSP\" \"yes\" \"FORMAT\" \"flowed\") NIL NIL \"BASE64\" 10418 133 NIL NIL NIL)(\"TEXT\" \"HTML\" (\"CHARSET\" \"UTF-8\") NIL NIL \"BASE64\" 34544 442 NIL NIL NIL) \"ALTERNATIVE\" (\"BOUNDARY\" \"94eb2c1cd0507723d5054c1ce6cb\") NIL NIL)(\"RELATED\" NIL (\"ATTACHMENT\" NIL) NIL)(\"RELATED\" NIL (\"ATTACHMENT\" NIL) NIL) \"MIXED\" (\"BOUNDARY\" \"94eb2c1cd0507723e6054c1ce6cd\") NIL NIL))",
        Quirks::EMPTY_MULTIPART,
        // The empty multipart's empty parameters are written `()` (see
        // `Quirks::EMPTY_MULTIPART`).
        b"* 56697 FETCH (UID 227195 BODYSTRUCTURE (((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\" \"DELSP\" \"yes\" \"FORMAT\" \"flowed\") NIL NIL \"BASE64\" 10418 133 NIL NIL NIL)(\"TEXT\" \"HTML\" (\"CHARSET\" \"UTF-8\") NIL NIL \"BASE64\" 34544 442 NIL NIL NIL) \"ALTERNATIVE\" (\"BOUNDARY\" \"94eb2c1cd0507723d5054c1ce6cb\") NIL NIL)(\"RELATED\" () (\"ATTACHMENT\" NIL) NIL)(\"RELATED\" () (\"ATTACHMENT\" NIL) NIL) \"MIXED\" (\"BOUNDARY\" \"94eb2c1cd0507723e6054c1ce6cd\") NIL NIL))",
        |r| match fetch_items(r) {
            [MessageDataItem::Uid(_), MessageDataItem::BodyStructure(item)] => {
                let body = item.get();
                let BodyStructure::Multipart(m) = &*body else {
                    panic!("{body:?}")
                };
                let parts = m.parts.to_vec();
                assert_eq!(parts.len(), 3);
                let BodyStructure::Multipart(related) = &parts[1] else {
                    panic!("{parts:?}")
                };
                assert!(related.parts.is_empty());
                assert_eq!(related.subtype.as_bytes(), b"RELATED");
                let ext = related.extension.as_ref().unwrap();
                assert!(ext.params.is_empty());
                let d = ext.tail.as_ref().unwrap().disposition.as_ref().unwrap();
                assert_eq!(d.kind.as_bytes(), b"ATTACHMENT");
            }
            other => panic!("{other:?}"),
        },
    );
}

/// `NIL` as an element of an address list, skipped. Evidence: MailKit
/// issue 991 (a server's protocol log, and MailKit's test
/// `TestParseEnvelopeWithNilAddress`), mjs/imapclient's
/// `test_ENVELOPE_with_empty_addresses`, mscdex/node-imap#565.
#[test]
fn nil_in_address_list_mailkit_991() {
    quirk(
        b"* 1 FETCH (ENVELOPE (\"Thu, 18 Jul 2019 01:29:32 -0300\" \"s\" (NIL (\"A\" NIL \"a\" \"b.c\")) NIL NIL NIL NIL NIL NIL \"<x@y>\"))",
        Quirks::NIL_IN_LIST,
        b"* 1 FETCH (ENVELOPE (\"Thu, 18 Jul 2019 01:29:32 -0300\" \"s\" ((\"A\" NIL \"a\" \"b.c\")) NIL NIL NIL NIL NIL NIL \"<x@y>\"))",
        |r| match fetch_items(r) {
            [MessageDataItem::Envelope(e)] => {
                let from = e.from();
                let from = from.to_vec();
                assert_eq!(from.len(), 1);
                assert_eq!(from[0].mailbox.as_bytes(), Some(&b"a"[..]));
                assert!(e.sender().is_empty());
            }
            other => panic!("{other:?}"),
        },
    );
    // imapclient's forms: NIL after the address, and between two.
    quirk(
        b"* 2 FETCH (ENVELOPE (NIL NIL ((\"A\" NIL \"a\" \"b.c\") NIL) NIL NIL (NIL (NIL NIL \"x\" \"y.z\") nil (NIL NIL \"u\" \"v.w\")) NIL NIL NIL NIL))",
        Quirks::NIL_IN_LIST,
        b"* 2 FETCH (ENVELOPE (NIL NIL ((\"A\" NIL \"a\" \"b.c\")) NIL NIL ((NIL NIL \"x\" \"y.z\")(NIL NIL \"u\" \"v.w\")) NIL NIL NIL NIL))",
        |r| match fetch_items(r) {
            [MessageDataItem::Envelope(e)] => {
                assert_eq!(e.from().len(), 1);
                let to = e.to();
                let to = to.to_vec();
                assert_eq!(to.len(), 2);
                assert_eq!(to[1].mailbox.as_bytes(), Some(&b"u"[..]));
            }
            other => panic!("{other:?}"),
        },
    );
    // A list of NILs only is still the list of no address.
    quirk(
        b"* 3 FETCH (ENVELOPE (NIL NIL (NIL) NIL NIL NIL NIL NIL NIL NIL))",
        Quirks::NIL_IN_LIST,
        b"* 3 FETCH (ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL))",
        |r| match fetch_items(r) {
            [MessageDataItem::Envelope(e)] => assert!(e.from().is_empty()),
            other => panic!("{other:?}"),
        },
    );
}

/// `MODSEQ (0)` (Gmail, https://github.com/jstedfast/MailKit/issues/228)
/// and `[HIGHESTMODSEQ 0]` (old Cyrus, cyrus-imapd issue 1029): RFC 7162
/// §7 starts mod-sequences at 1; STATUS `HIGHESTMODSEQ 0` is valid.
#[test]
fn zero_modseq_gmail_cyrus() {
    quirk(
        b"* 1 FETCH (FLAGS (\\Deleted) MODSEQ (0))",
        Quirks::ZERO_NUMBER,
        b"* 1 FETCH (FLAGS (\\Deleted) MODSEQ (0))",
        |r| assert_eq!(fetch_items(r)[1], MessageDataItem::ModSeq(0)),
    );
    quirk(
        b"* OK [HIGHESTMODSEQ 0] x",
        Quirks::ZERO_NUMBER,
        b"* OK [HIGHESTMODSEQ 0] x",
        |r| assert_eq!(status_text(r).code(), Some(&ResponseCode::HighestModSeq(0))),
    );
    let (_, q) = decode(b"* STATUS INBOX (HIGHESTMODSEQ 0)\r\n");
    assert!(q.is_empty(), "{q:?}");
}

/// `()` for a part's location (Exchange Online; MailKit's test
/// `TestParseBadlyFormedBodyStructureWithEmptyParensInsteadOfContentLocation`).
#[test]
fn empty_list_for_location_exchange() {
    quirk(
        b"* 1 FETCH (BODYSTRUCTURE ((\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"base64\" 38706 497 NIL NIL NIL ())(\"image\" \"jpeg\" (\"name\" \"i.jpg\") \"<i@x>\" \"i.jpg\" \"base64\" 3446 NIL (\"inline\" (\"filename\" \"i.jpg\")) NIL ()) \"related\" (\"boundary\" \"b\" \"type\" \"text/html\") NIL (\"de-DE\") NIL))",
        Quirks::EMPTY_LIST_FOR_NIL,
        b"* 1 FETCH (BODYSTRUCTURE ((\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"base64\" 38706 497 NIL NIL NIL NIL)(\"image\" \"jpeg\" (\"name\" \"i.jpg\") \"<i@x>\" \"i.jpg\" \"base64\" 3446 NIL (\"inline\" (\"filename\" \"i.jpg\")) NIL NIL) \"related\" (\"boundary\" \"b\" \"type\" \"text/html\") NIL (\"de-DE\") NIL))",
        |r| match fetch_items(r) {
            [MessageDataItem::BodyStructure(item)] => {
                let body = item.get();
                let BodyStructure::Multipart(m) = &*body else {
                    panic!("{body:?}")
                };
                let parts = m.parts.to_vec();
                let BodyStructure::Single(html) = &parts[0] else {
                    panic!("{parts:?}")
                };
                let lang = html.extension.as_ref().unwrap().tail.as_ref().unwrap();
                let loc = lang.language.as_ref().unwrap().location.as_ref().unwrap();
                assert!(loc.location.0.is_none());
            }
            other => panic!("{other:?}"),
        },
    );
}

/// A flag sent as a quoted string in FLAGS (InterMail vM.8.04,
/// https://github.com/jstedfast/MailKit/issues/771).
#[test]
fn quoted_flag_intermail() {
    quirk(
        b"* FLAGS (\"\\\\Deleted\" \\Answered \\Flagged \\Deleted \\Draft \\Seen)",
        Quirks::QUOTED_FLAG,
        b"* FLAGS (\\Deleted \\Answered \\Flagged \\Deleted \\Draft \\Seen)",
        |r| match r {
            Response::Data(Data::Flags(f)) => {
                assert_eq!(f[0], Flag::Deleted);
                assert_eq!(f.len(), 6);
            }
            other => panic!("{other:?}"),
        },
    );
    quirk(
        b"* FLAGS (\"$Junk\" \\Seen)",
        Quirks::QUOTED_FLAG,
        b"* FLAGS ($Junk \\Seen)",
        |r| match r {
            Response::Data(Data::Flags(f)) => assert_eq!(f[0].to_string(), "$Junk"),
            other => panic!("{other:?}"),
        },
    );
    // A string that holds no flag stays an error.
    assert!(response(b"* FLAGS (\"a b\" \\Seen)\r\n").is_err());
    // Commands stay strict: a quoted flag in STORE is an error there.
    assert!(imapkit_codec::decode::command(b"a1 STORE 1 +FLAGS (\"\\\\Seen\")\r\n").is_err());
}

/// Exchange: a mailbox name with TABs, unquoted, at the end of a LIST line
/// (https://github.com/jstedfast/MailKit/issues/945; MailKit reads the
/// rest of the line as the name).
#[test]
fn tab_in_mailbox_exchange() {
    quirk(
        b"* LIST (\\HasNoChildren) \"/\" INBOX/Da\tOggetto\tRicevuto\tDimensione\tCategorie\t",
        Quirks::TAB_IN_MAILBOX,
        b"* LIST (\\HasNoChildren) \"/\" \"INBOX/Da\tOggetto\tRicevuto\tDimensione\tCategorie\t\"",
        |r| match r {
            Response::Data(Data::List(l)) => {
                assert_eq!(
                    l.mailbox.as_bytes(),
                    b"INBOX/Da\tOggetto\tRicevuto\tDimensione\tCategorie\t"
                );
            }
            other => panic!("{other:?}"),
        },
    );
    // Anything but atom characters and TABs after the TAB (a space, a
    // literal's `{`) leaves it an error, as the grammar has it.
    assert!(response(b"* LIST () \"/\" a\tb c\r\n").is_err());
    assert!(response(b"* LIST () \"/\" a\tb{3}\r\n").is_err());
    // A quoted name holds TABs anyway.
    let (_, q) = decode(b"* LIST () \"/\" \"a\tb\"\r\n");
    assert!(q.is_empty(), "{q:?}");
}

/// A single-digit day without its leading space in INTERNALDATE
/// (https://github.com/apple/swift-nio-imap/pull/735: `8-Mar-2023
/// 12:16:47 +0800`, "some servers don't send one"). Read as that day,
/// re-encoded with the space; SAVEDATE (RFC 8514) reads the same way.
/// APPEND's date in a command stays strict.
#[test]
fn unpadded_day_in_internaldate() {
    quirk(
        b"* 5 FETCH (INTERNALDATE \"8-Mar-2023 12:16:47 +0800\" UID 9)",
        Quirks::UNPADDED_DAY,
        b"* 5 FETCH (INTERNALDATE \" 8-Mar-2023 12:16:47 +0800\" UID 9)",
        |r| match fetch_items(r) {
            [MessageDataItem::InternalDate(d), MessageDataItem::Uid(_)] => {
                let date = d.date();
                assert_eq!((date.day(), date.month(), date.year()), (8, 3, 2023));
                let time = (d.hour(), d.minute(), d.second(), d.zone_minutes());
                assert_eq!(time, (12, 16, 47, 480));
            }
            other => panic!("{other:?}"),
        },
    );
    quirk(
        b"* 5 FETCH (SAVEDATE \"1-Jan-2024 00:00:00 -0130\")",
        Quirks::UNPADDED_DAY,
        b"* 5 FETCH (SAVEDATE \" 1-Jan-2024 00:00:00 -0130\")",
        |r| match fetch_items(r) {
            [MessageDataItem::SaveDate(Some(d))] => assert_eq!(d.date().day(), 1),
            other => panic!("{other:?}"),
        },
    );
    // Day 0 is no day, padded or not; nor is a day without its month.
    assert!(response(b"* 5 FETCH (INTERNALDATE \"0-Mar-2023 12:16:47 +0800\")\r\n").is_err());
    assert!(response(b"* 5 FETCH (INTERNALDATE \"8-Max-2023 12:16:47 +0800\")\r\n").is_err());
    // A client's APPEND date stays as the grammar has it.
    let append = b"A1 APPEND INBOX \"8-Mar-2023 12:16:47 +0800\" {1}\r\nx\r\n";
    assert!(imapkit_codec::decode::command(append).is_err());
}

/// An empty string as LIST's hierarchy delimiter (MailKit's test resource
/// `UnitTests/Net/Imap/Resources/common/list-nil-folder-delim.txt`): no
/// delimiter, as `NIL`.
#[test]
fn empty_delimiter_mailkit() {
    quirk(
        b"* LIST (\\HasNoChildren) \"\" \"Folder2\"",
        Quirks::EMPTY_DELIMITER,
        b"* LIST (\\HasNoChildren) NIL \"Folder2\"",
        |r| match r {
            Response::Data(Data::List(l)) => {
                assert_eq!(l.delimiter, None);
                assert_eq!(l.mailbox.as_bytes(), b"Folder2");
            }
            other => panic!("{other:?}"),
        },
    );
    // Two characters are still no delimiter.
    assert!(response(b"* LIST () \"//\" x\r\n").is_err());
}

/// Yandex answers a FETCH of a MIME part with empty content with the
/// section and no data (https://github.com/jstedfast/MailKit/issues/1708;
/// MailKit's resource `yandex/getbodypart-missing-content.txt`): read as
/// the empty string.
#[test]
fn missing_section_data_yandex() {
    quirk(
        b"* 1 FETCH (UID 3016 BODY[2.MIME] {12}\r\nA: b\r\nC: d\r\n BODY[2] )",
        Quirks::MISSING_SECTION_DATA,
        b"* 1 FETCH (UID 3016 BODY[2.MIME] {12}\r\nA: b\r\nC: d\r\n BODY[2] \"\")",
        |r| match fetch_items(r) {
            [MessageDataItem::Uid(_), MessageDataItem::BodySection { .. }, MessageDataItem::BodySection { data, .. }] =>
            {
                assert_eq!(data.as_bytes(), Some(&b""[..]));
            }
            other => panic!("{other:?}"),
        },
    );
    // Only a `)` stands for the data: anything else still has to be an nstring.
    assert!(response(b"* 1 FETCH (BODY[2] x)\r\n").is_err());
}

/// gmx.net: a multipart sent as a basic part, its parameters repeated
/// where the MD5 belongs (https://github.com/jstedfast/MailKit/issues/878,
/// MailKit's test `TestParseBodyStructureWithBrokenMultipartRelated`).
#[test]
fn params_in_md5_gmx() {
    quirk(
        b"* 1 FETCH (BODYSTRUCTURE ((\"multipart\" \"related\" (\"boundary\" \"b1\") NIL NIL \"7BIT\" 400 (\"boundary\" \"b1\") NIL NIL NIL)(\"TEXT\" \"html\" (\"charset\" \"UTF8\") NIL NIL \"7BIT\" 1115 70 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"b2\") NIL NIL NIL))",
        Quirks::PARAMS_IN_MD5,
        b"* 1 FETCH (BODYSTRUCTURE ((\"multipart\" \"related\" (\"boundary\" \"b1\") NIL NIL \"7BIT\" 400 NIL NIL NIL NIL)(\"TEXT\" \"html\" (\"charset\" \"UTF8\") NIL NIL \"7BIT\" 1115 70 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"b2\") NIL NIL NIL))",
        |r| match fetch_items(r) {
            [MessageDataItem::BodyStructure(item)] => {
                let body = item.get();
                let BodyStructure::Multipart(m) = &*body else {
                    panic!("{body:?}")
                };
                let parts = m.parts.to_vec();
                let BodyStructure::Single(first) = &parts[0] else {
                    panic!("{parts:?}")
                };
                assert_eq!(first.fields.param("boundary").as_deref(), Some(&b"b1"[..]));
                let ext = first.extension.as_ref().unwrap();
                assert!(ext.md5.0.is_none());
            }
            other => panic!("{other:?}"),
        },
    );
}
