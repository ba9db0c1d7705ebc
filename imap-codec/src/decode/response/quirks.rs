//! The deviations from RFC 9051/3501 that the response decoder accepts, and
//! how a caller learns which of them a response used.
//!
//! The parsers note a quirk at the (rare) place where they accept it, in a
//! per-thread bit set that [`ResponseDecoder::decode_with_quirks`] clears
//! before and reads after decoding. Noting costs one thread-local OR and
//! happens only on the quirky path, never for conforming input.
//!
//! [`ResponseDecoder::decode_with_quirks`]: super::ResponseDecoder::decode_with_quirks

use std::cell::Cell;
use std::fmt;

/// A set of server quirks the decoder accepted in one response.
///
/// Each constant names one deviation, the servers it was seen from, and the
/// canonical form the value re-encodes to.
///
/// The set may over-report in one case: a quirk accepted inside a response
/// code that then turns out not to parse (the bracket is read as text).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Quirks(u64);

impl Quirks {
    /// No quirk: the response conformed to the grammar (as far as the decoder checks).
    pub const NONE: Self = Self(0);
    /// Spaces the grammar does not allow: after `* ` or a tag, between
    /// words, after `(`, before `)`, at the end of a line (QQ Mail, DavMail,
    /// SurgeMail, Yahoo Japan, Exchange, Dovecot proxies), between THREAD
    /// lists (go-imap v1 servers with go-imap-sortthread). The value
    /// re-encodes with single spaces (none between thread lists).
    pub const EXTRA_SPACE: Self = Self(1 << 0);
    /// A status response, response code or continuation request without the
    /// text the grammar requires (`* OK [HIGHESTMODSEQ 9]` from Gmail,
    /// `* OK [UNSEEN 1]` from QQ Mail, `* BYE`, bare `+`). Re-encodes with
    /// `SP` and an empty text.
    pub const MISSING_TEXT: Self = Self(1 << 1);
    /// `()` where the grammar wants `NIL` or a non-empty list: an empty
    /// envelope address list (Mail.ru), an empty body parameter list. Decodes
    /// as the empty value, which re-encodes as `NIL`.
    pub const EMPTY_LIST_FOR_NIL: Self = Self(1 << 2);
    /// `NIL` where a string belongs: a body parameter value (Mail.ru), the
    /// body encoding (maddy), media type or subtype. Decodes as the empty
    /// quoted string `""`, which is what it re-encodes as.
    pub const NIL_FOR_STRING: Self = Self(1 << 3);
    /// A negative number where the grammar has an unsigned one: body size
    /// or line count `-1` (Dovecot, Exchange) or `-2` (SmarterMail).
    /// Decodes as `0`, which is what it re-encodes as.
    pub const NEGATIVE_NUMBER: Self = Self(1 << 4);
    /// A body disposition without its parameter list, `("attachment")`, or
    /// as a bare string, `"inline"` (Exchange). Decodes with empty
    /// parameters; re-encodes as `("attachment" NIL)`.
    pub const DISPOSITION_WITHOUT_PARAMS: Self = Self(1 << 5);
    /// `\*` in an untagged `FLAGS` list, where only `PERMANENTFLAGS` may hold
    /// it (Zoho, GreenMail). It is dropped from [`imapkit_proto::Data::Flags`];
    /// the flag list re-encodes without it.
    pub const FLAGS_ASTERISK: Self = Self(1 << 6);
    /// Zero where the grammar wants `nz-number` or a mod-sequence (which
    /// RFC 7162 §7 starts at 1): `[UIDVALIDITY 0]`, `[UIDNEXT 0]`
    /// (SmarterMail, mail.xwtec.cn), `MODSEQ (0)` in FETCH (Gmail, MailKit
    /// issue 228), `[HIGHESTMODSEQ 0]` (Cyrus, cyrus-imapd issue 1029), and
    /// the same 0 as the mod-sequence of SEARCH, SORT or ESEARCH results,
    /// `* SEARCH 2 (MODSEQ 0)`, read as FETCH's is. Kept as `0` and
    /// re-encoded as `0`.
    pub const ZERO_NUMBER: Self = Self(1 << 7);
    /// A line ended by a lone LF instead of CRLF (only with
    /// [`ResponseDecoder::lone_lf`](super::ResponseDecoder::lone_lf)).
    /// Re-encodes with CRLF.
    pub const LONE_LF: Self = Self(1 << 8);
    /// An ENVELOPE without its last fields, `in-reply-to` and/or
    /// `message-id` (QQ Mail, which leaves out the field whose header the
    /// message lacks: MailKit issues 279, 669 and 932, mailcore2 issues
    /// 1025 and 1029). A missing field decodes as `NIL`, which it
    /// re-encodes as; with one of the two fields left, it is the
    /// `message-id` (in every log, the message's own id).
    pub const SHORT_ENVELOPE: Self = Self(1 << 9);
    /// A FETCH data item wrapped in an extra pair of parentheses, `(UID 5
    /// (ENVELOPE (...)))` (Lotus Domino, MailKit issue 943). Re-encodes
    /// without them.
    pub const WRAPPED_ITEM: Self = Self(1 << 10);
    /// A keyword in an untagged `FLAGS` list holding `]` (Gmail sends
    /// `OIB-Seen-[Google Mail]/Alle Nachrichten`, read by spaces; Google
    /// issue 315160951, ruby/net-imap issue 241). The tokens with `]`
    /// cannot be flags and are dropped; the others are kept.
    pub const INVALID_FLAG: Self = Self(1 << 11);
    /// `RFC822[]`, `RFC822.HEADER[]`, `RFC822.TEXT[]`: an empty section
    /// after an item that has none (Ruby bug 5620). Re-encodes without it.
    pub const RFC822_SECTION: Self = Self(1 << 12);
    /// A multipart without parts: `("MIXED")`, or the subtype followed by
    /// its extension data, `("ALTERNATIVE" ("BOUNDARY" "b") NIL NIL)` or
    /// `("RELATED" NIL ("ATTACHMENT" NIL) NIL)` (Gmail for nested
    /// multiparts sharing a boundary, MailKit issues 205 and 777; Ruby bug
    /// 7153), or `(NIL "alternative" ("boundary" "b") NIL NIL NIL)` with
    /// `NIL` for the parts (MailKit issue 1393). Kept as a multipart with
    /// no parts, which re-encodes in the first forms, without the `NIL`
    /// (parameters `NIL` as `()`).
    pub const EMPTY_MULTIPART: Self = Self(1 << 13);
    /// An empty body, `()`, where an encapsulated message's body belongs
    /// (Lotus Domino, MailKit issue 944). Decodes as a multipart without
    /// parts and with an empty subtype, which re-encodes as `("")`.
    pub const EMPTY_BODY: Self = Self(1 << 14);
    /// A disposition `(NIL NIL)` (Exchange, MailKit's parser): no
    /// disposition, re-encoded as `NIL`.
    pub const NIL_DISPOSITION: Self = Self(1 << 15);
    /// No space between two FETCH data items, `UID 12MODSEQ (5)` (Zimbra
    /// before 5.0.8, Thunderbird's parser), or between a body section and
    /// its literal, `BODY[]<0>{1510}` (GreenMail 2.1; `BODY[HEADER]{36}` in
    /// GreenMail 1.5.3, greenmail issue 187). Re-encodes with the space.
    pub const MISSING_SPACE: Self = Self(1 << 16);
    /// A stray `+` after an `ID` response's list, `* ID (...)+`
    /// (datamail.in, apple/swift-nio-imap pull request 740). Dropped.
    pub const STRAY_CHARACTER: Self = Self(1 << 17);
    /// A response code alone on a line, `[COPYUID 124 10 233]`, without
    /// `* OK` (Exchange 2013 after UID MOVE, ruby/net-imap issue 250), or
    /// after `* ` without `OK`, `* [COPYUID 1 5 17] Moved` (home.pl, Office
    /// 365: MailKit issue 115). Known codes only. Decodes as `* OK [code]
    /// text`, its canonical form.
    pub const BARE_RESPONSE_CODE: Self = Self(1 << 18);
    /// A known response code whose arguments do not follow its grammar,
    /// `[UNSEEN 0]`, `[PERMANENTFLAGS]` (ruby/net-imap's parser keeps such
    /// codes): the status response is kept, with the code as
    /// [`imapkit_proto::ResponseCode::Other`].
    pub const CODE_ARGUMENTS: Self = Self(1 << 19);
    /// `NIL` as an element of an ENVELOPE address list, `(NIL ("A" NIL
    /// "a" "b.c"))` (MailKit issue 991, a server's protocol log;
    /// mjs/imapclient's `test_ENVELOPE_with_empty_addresses`). The `NIL`
    /// stands for no address: it is skipped, and the list re-encodes
    /// without it.
    pub const NIL_IN_LIST: Self = Self(1 << 20);
    /// A flag sent as a quoted string in an untagged `FLAGS` list,
    /// `("\\Deleted" \Answered)` (InterMail vM.8.04, MailKit issue 771).
    /// Read as the flag the string holds; re-encodes as that flag.
    pub const QUOTED_FLAG: Self = Self(1 << 21);
    /// A mailbox name sent unquoted with TABs in it, the last field of a
    /// LIST or LSUB line: `* LIST (\HasNoChildren) "/" INBOX/Da\tOggetto`
    /// (Exchange, MailKit issue 945). The name runs to the end of the
    /// line, and re-encodes quoted.
    pub const TAB_IN_MAILBOX: Self = Self(1 << 22);
    /// A parameter list where a part's MD5 belongs, from a multipart sent
    /// as a basic part that repeats its parameters there:
    /// `("multipart" "related" ("boundary" "b1") NIL NIL "7BIT" 400
    /// ("boundary" "b1") NIL NIL NIL)` (gmx.net, MailKit issue 878). Read
    /// as no MD5 (the list repeats the part's parameters); re-encodes as
    /// `NIL`.
    pub const PARAMS_IN_MD5: Self = Self(1 << 23);
    /// A single-digit day in INTERNALDATE or SAVEDATE with neither its
    /// leading space nor a `0`: `INTERNALDATE "8-Mar-2023 12:16:47
    /// +0800"` (swift-nio-imap pull request 735; `date-day-fixed` is
    /// `(SP DIGIT) / 2DIGIT`, RFC 9051 §9). Read as that day; re-encodes
    /// with the space. (APPEND's date, which a server reads, stays strict.)
    pub const UNPADDED_DAY: Self = Self(1 << 24);
    /// An empty string as a hierarchy delimiter, `* LIST (\HasNoChildren)
    /// "" "Folder2"` (MailKit's test resource `list-nil-folder-delim`): read
    /// as no delimiter (a flat name), as `NIL` says; re-encodes as `NIL`.
    pub const EMPTY_DELIMITER: Self = Self(1 << 25);
    /// A body section without its data, `BODY[2] )` (Yandex, for a MIME
    /// part with empty content; MailKit issue 1708): read as the empty
    /// string; re-encodes as `BODY[2] ""`.
    pub const MISSING_SECTION_DATA: Self = Self(1 << 26);
    /// A lone `\` among a LIST or LSUB line's attributes, `* LIST
    /// (\HasNoChildren \) "." "Argos"` (home.pl, Mailspring issues 967
    /// and 1310): an attribute with no name, which means nothing. Dropped;
    /// the list re-encodes without it.
    pub const BARE_BACKSLASH: Self = Self(1 << 27);
    /// An atom where a string of an ID list or an ENVELOPE address belongs
    /// (a `string` or `nstring`), `* ID (name ProtonMail vendor "Proton
    /// Technologies AG")` and `((ProtonMail NIL support protonmail.ch))`
    /// (ProtonMail Bridge, 2017, Mailspring issue 429), a body part's
    /// encoding (Exchange 2010, as JavaMail and libetpan describe it), or a
    /// multipart's subtype, `(...)(...) ALTERNATIVE)` (HP TCP/IP Services
    /// for OpenVMS 5.3, a log on HPE's community forum). Read as the string
    /// of the same bytes; re-encodes quoted.
    pub const ATOM_FOR_STRING: Self = Self(1 << 28);
    /// A mailbox name with spaces sent unquoted in STATUS, `* STATUS
    /// Deleted Items (MESSAGES 0 UNSEEN 0)` (Gromox, grommunio/gromox
    /// issue 5; Roundcube's workaround for its bug 1487859). The name runs
    /// to the status list's `(`; re-encodes quoted.
    pub const SPACE_IN_MAILBOX: Self = Self(1 << 29);
    /// A comma after the strings of an ID list, `* ID ("name", "test",
    /// "version", "1.0")` (megamailservers.com, javaee/javamail issue 306;
    /// JavaMail's `ResponseTest.testBadStringList`). Skipped; re-encodes
    /// with spaces only.
    pub const COMMA_SEPARATOR: Self = Self(1 << 30);
    /// A negative mod-sequence in a FETCH response, `* 40 FETCH (MODSEQ
    /// (-1) FLAGS (\Seen) UID 336)` (Zoho Mail; MailKit issues 495 and
    /// 1686, its resource `zoho/fetch-negative-modseq-values`). The server
    /// has no mod-sequence for the message: the MODSEQ item is dropped (as
    /// MailKit treats it) and the other items are kept; the response
    /// re-encodes without it. A response whose only item it was is an
    /// error.
    pub const NEGATIVE_MODSEQ: Self = Self(1 << 31);
    /// `INTERNALDATE "00-Jan-0000 00:00:00 +0000"`, day 0 of year 0, for a
    /// message the server has no date for (Lotus Domino 10; MailKit issue
    /// 1236). Not a date: the INTERNALDATE item is dropped and the other
    /// items are kept; the response re-encodes without it. A response
    /// whose only item it was is an error.
    pub const ZERO_DATE: Self = Self(1 << 32);
    /// `BYE` with a tag, `a4 BYE IMAP4rev1 Server logging out` (wp.pl,
    /// answering LOGOUT: rust-imap issue 210, MailKit issue 1536). A BYE
    /// completes no command: read as the untagged BYE it means, the tag
    /// dropped; re-encodes as `* BYE ...`. (A `Client` that sent LOGOUT
    /// then ends the session as logged out when the connection closes;
    /// any other command ends with the connection.)
    pub const TAGGED_BYE: Self = Self(1 << 33);

    const NAMES: [(Self, &'static str); 34] = [
        (Self::EXTRA_SPACE, "EXTRA_SPACE"),
        (Self::MISSING_TEXT, "MISSING_TEXT"),
        (Self::EMPTY_LIST_FOR_NIL, "EMPTY_LIST_FOR_NIL"),
        (Self::NIL_FOR_STRING, "NIL_FOR_STRING"),
        (Self::NEGATIVE_NUMBER, "NEGATIVE_NUMBER"),
        (
            Self::DISPOSITION_WITHOUT_PARAMS,
            "DISPOSITION_WITHOUT_PARAMS",
        ),
        (Self::FLAGS_ASTERISK, "FLAGS_ASTERISK"),
        (Self::ZERO_NUMBER, "ZERO_NUMBER"),
        (Self::LONE_LF, "LONE_LF"),
        (Self::SHORT_ENVELOPE, "SHORT_ENVELOPE"),
        (Self::WRAPPED_ITEM, "WRAPPED_ITEM"),
        (Self::INVALID_FLAG, "INVALID_FLAG"),
        (Self::RFC822_SECTION, "RFC822_SECTION"),
        (Self::EMPTY_MULTIPART, "EMPTY_MULTIPART"),
        (Self::EMPTY_BODY, "EMPTY_BODY"),
        (Self::NIL_DISPOSITION, "NIL_DISPOSITION"),
        (Self::MISSING_SPACE, "MISSING_SPACE"),
        (Self::STRAY_CHARACTER, "STRAY_CHARACTER"),
        (Self::BARE_RESPONSE_CODE, "BARE_RESPONSE_CODE"),
        (Self::CODE_ARGUMENTS, "CODE_ARGUMENTS"),
        (Self::NIL_IN_LIST, "NIL_IN_LIST"),
        (Self::QUOTED_FLAG, "QUOTED_FLAG"),
        (Self::TAB_IN_MAILBOX, "TAB_IN_MAILBOX"),
        (Self::PARAMS_IN_MD5, "PARAMS_IN_MD5"),
        (Self::UNPADDED_DAY, "UNPADDED_DAY"),
        (Self::EMPTY_DELIMITER, "EMPTY_DELIMITER"),
        (Self::MISSING_SECTION_DATA, "MISSING_SECTION_DATA"),
        (Self::BARE_BACKSLASH, "BARE_BACKSLASH"),
        (Self::ATOM_FOR_STRING, "ATOM_FOR_STRING"),
        (Self::SPACE_IN_MAILBOX, "SPACE_IN_MAILBOX"),
        (Self::COMMA_SEPARATOR, "COMMA_SEPARATOR"),
        (Self::NEGATIVE_MODSEQ, "NEGATIVE_MODSEQ"),
        (Self::ZERO_DATE, "ZERO_DATE"),
        (Self::TAGGED_BYE, "TAGGED_BYE"),
    ];

    /// Whether every quirk in `other` is in `self`.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether no quirk was seen.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Both sets.
    #[must_use]
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// The raw bits (stable within a major version).
    pub fn bits(self) -> u64 {
        self.0
    }
}

impl fmt::Debug for Quirks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut l = f.debug_set();
        for (q, name) in Self::NAMES {
            if self.contains(q) {
                l.entry(&format_args!("{name}"));
            }
        }
        l.finish()
    }
}

impl std::ops::BitOr for Quirks {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        self.union(rhs)
    }
}

thread_local! {
    static SEEN: Cell<u64> = const { Cell::new(0) };
    /// The address of the first non-synchronizing literal header (`{n+}`)
    /// read since the last [`take_non_sync`]; 0 for none.
    static NON_SYNC: Cell<usize> = const { Cell::new(0) };
}

/// Not a quirk, never reported: strict syntax that the encoder writes
/// differently (`nil`, `"text"`, a number with leading zeros). A list
/// received with it is written back in canonical form, not copied.
const NOT_CANONICAL: u64 = 1 << 63;

/// Records that the input used a form the encoder writes differently.
#[cold]
pub(crate) fn note_not_canonical() {
    SEEN.with(|s| s.set(s.get() | NOT_CANONICAL));
}

/// Records that the decoder accepted quirk `q`.
#[cold]
pub(crate) fn note(q: Quirks) {
    SEEN.with(|s| s.set(s.get() | q.0));
}

/// Records that a non-synchronizing literal header starts at `header`
/// (the first one since [`take_non_sync`] is kept): the command decoder
/// accepts it, the response decoders refuse it (RFC 7888 §3).
#[cold]
pub(crate) fn note_non_sync(header: &[u8]) {
    NON_SYNC.with(|c| {
        if c.get() == 0 {
            c.set(header.as_ptr() as usize);
        }
    });
}

/// Clears the non-synchronizing literal record; returns the address it
/// held (0 for none).
#[inline]
pub(crate) fn take_non_sync() -> usize {
    NON_SYNC.with(|c| c.replace(0))
}

/// Runs `f`; returns its result and whether it accepted a quirk. The record
/// keeps the quirks accepted before and inside `f`.
#[inline]
pub(crate) fn scoped<T>(f: impl FnOnce() -> T) -> (T, bool) {
    let outer = SEEN.with(|s| s.replace(0));
    let t = f();
    let inner = SEEN.with(|s| s.replace(outer));
    if inner != 0 {
        SEEN.with(|s| s.set(outer | inner));
    }
    (t, inner != 0)
}

/// Runs `f`, an attempt the caller may abandon: when it fails, the
/// quirks it noted are forgotten (the record is as before).
#[inline]
pub(crate) fn attempt<T, E>(f: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
    let before = SEEN.with(Cell::get);
    let r = f();
    if r.is_err() {
        SEEN.with(|s| s.set(before));
    }
    r
}

/// Clears the record; returns what it held.
pub(crate) fn take() -> Quirks {
    Quirks(SEEN.with(|s| s.replace(0)) & !NOT_CANONICAL)
}
