//! `Display` for the message types: their wire form (without the final
//! CRLF), credentials written as `<redacted>`.
//!
//! Flags, sequence sets, capabilities and the like print as they are sent
//! (`\Seen`, `1:4,7:*`, `AUTH=PLAIN`); a [`Mailbox`] prints the name a user
//! would see (modified UTF-7 decoded); a command or response prints its
//! line(s) as encoded, with the password of LOGIN, the initial response of
//! AUTHENTICATE and the lines of an AUTHENTICATE exchange replaced by
//! `<redacted>` (their `Debug` hides them too, through [`Secret`](crate::Secret)).
//! Bytes that are not UTF-8 (in literals) print as U+FFFD.

use std::fmt;

use crate::encode::{Encode, Writer};
use crate::{
    AuthMechanism, AuthenticateData, Capability, Command, CommandBody, ContinueRequest, Data,
    FetchAttribute, FetchItems, Flag, FlagFetch, FlagPerm, Greeting, IdleDone, Mailbox,
    MessageDataItem, RespText, Response, ResponseCode, SearchKey, SeqOrUid, Sequence, SequenceSet,
    Status, StatusAttribute, StatusResponse,
};

/// Writes the wire form of `msg`, credentials redacted, without the CRLF
/// that ends a message (`line`: the encoding ends with one).
fn write_wire<T: Encode + ?Sized>(msg: &T, line: bool, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut buf = Vec::new();
    msg.encode(&mut Writer::new(&mut buf).redacting());
    let bytes = match buf.strip_suffix(b"\r\n") {
        Some(b) if line => b,
        _ => &buf,
    };
    f.write_str(&String::from_utf8_lossy(bytes))
}

macro_rules! display_as_wire {
    ($line:literal: $($t:ty),* $(,)?) => {$(
        impl fmt::Display for $t {
            /// The wire form, credentials as `<redacted>`, without the final CRLF.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write_wire(self, $line, f)
            }
        }
    )*};
}

// Messages: their encoding ends with CRLF.
display_as_wire!(
    true: Command<'_>,
    AuthenticateData<'_>,
    IdleDone,
    Response<'_>,
    Greeting<'_>,
    StatusResponse<'_>,
    Data<'_>,
    ContinueRequest<'_>,
);

// Parts of messages.
display_as_wire!(
    false: CommandBody<'_>,
    RespText<'_>,
    ResponseCode<'_>,
    MessageDataItem<'_>,
    FetchAttribute<'_>,
    FetchItems<'_>,
    SearchKey<'_>,
);

// No `Display` for the string types (`AString`, `IString`, `NString`):
// whether it would print the content or the quoted wire form is not
// obvious; `as_bytes()` gives the content.

impl fmt::Display for Flag<'_> {
    /// `\Seen`, `\Answered`, ..., an extension flag with its backslash, a
    /// keyword as it is.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Flag::Answered => f.pad("\\Answered"),
            Flag::Flagged => f.pad("\\Flagged"),
            Flag::Deleted => f.pad("\\Deleted"),
            Flag::Seen => f.pad("\\Seen"),
            Flag::Draft => f.pad("\\Draft"),
            Flag::Extension(a) => write!(f, "\\{a}"),
            Flag::Keyword(a) => f.pad(a.as_str()),
        }
    }
}

impl fmt::Display for FlagFetch<'_> {
    /// A flag, or `\Recent`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FlagFetch::Flag(flag) => flag.fmt(f),
            FlagFetch::Recent => f.pad("\\Recent"),
        }
    }
}

impl fmt::Display for FlagPerm<'_> {
    /// A flag, or `\*`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FlagPerm::Flag(flag) => flag.fmt(f),
            FlagPerm::Asterisk => f.pad("\\*"),
        }
    }
}

impl fmt::Display for SeqOrUid {
    /// The number, or `*`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Value(n) => n.fmt(f),
            Self::Asterisk => f.pad("*"),
        }
    }
}

impl fmt::Display for Sequence {
    /// `n` or `a:b`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Single(s) => s.fmt(f),
            Self::Range(a, b) => write!(f, "{a}:{b}"),
        }
    }
}

impl fmt::Display for SequenceSet {
    /// `1,3:5,7:*`, or `$`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Set(items) => {
                for (k, s) in items.iter().enumerate() {
                    if k > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{s}")?;
                }
                Ok(())
            }
            Self::LastResult => f.pad("$"),
        }
    }
}

impl fmt::Display for Mailbox<'_> {
    /// The name a user would see ([`Mailbox::name_lossy`]): modified UTF-7
    /// decoded where it is valid, else (and for a name in UTF-8 form) the
    /// bytes as UTF-8 (U+FFFD for invalid bytes); the inbox as `INBOX`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.encoding() {
            crate::NameEncoding::ModifiedUtf7 => {
                fmt::Display::fmt(&crate::utf7::Display(self.as_bytes()), f)
            }
            crate::NameEncoding::Utf8 => {
                fmt::Display::fmt(&String::from_utf8_lossy(self.as_bytes()), f)
            }
        }
    }
}

impl fmt::Display for Status {
    /// `OK`, `NO` or `BAD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Self::Ok => "OK",
            Self::No => "NO",
            Self::Bad => "BAD",
        })
    }
}

impl fmt::Display for StatusAttribute {
    /// The name on the wire, e.g. `UIDNEXT`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Display for AuthMechanism<'_> {
    /// The name on the wire, e.g. `PLAIN`, `SCRAM-SHA-256`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Mechanism names are atoms: ASCII.
        f.pad(&String::from_utf8_lossy(self.as_bytes()))
    }
}

impl fmt::Display for Capability<'_> {
    /// The name on the wire, e.g. `IMAP4rev2`, `AUTH=PLAIN`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (name, param) = self.parts();
        // Capability names and parameters are atoms: ASCII.
        f.write_str(&String::from_utf8_lossy(name))?;
        if let Some(p) = param {
            write!(f, "={}", String::from_utf8_lossy(p))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU32;

    use super::*;
    use crate::{
        AString, Atom, Buf, IString, Literal, MessageDataItem, Secret, StatusKind, Tag, Text, Vec1,
    };

    fn atom(s: &str) -> Atom<'_> {
        Atom::try_from(s).unwrap()
    }

    #[test]
    fn flags() {
        assert_eq!(Flag::Seen.to_string(), "\\Seen");
        assert_eq!(Flag::system(atom("Phishy")).to_string(), "\\Phishy");
        assert_eq!(Flag::Keyword(atom("$Forwarded")).to_string(), "$Forwarded");
        assert_eq!(FlagFetch::Recent.to_string(), "\\Recent");
        assert_eq!(FlagFetch::Flag(Flag::Draft).to_string(), "\\Draft");
        assert_eq!(FlagPerm::Asterisk.to_string(), "\\*");
        assert_eq!(format!("{:>8}|", Flag::Seen), "   \\Seen|");
    }

    #[test]
    fn small_items() {
        assert_eq!(Status::Bad.to_string(), "BAD");
        assert_eq!(StatusAttribute::HighestModSeq.to_string(), "HIGHESTMODSEQ");
        assert_eq!(AuthMechanism::ScramSha256.to_string(), "SCRAM-SHA-256");
        assert_eq!(
            Capability::Auth(AuthMechanism::Plain).to_string(),
            "AUTH=PLAIN"
        );
        assert_eq!(Capability::Imap4Rev2.to_string(), "IMAP4rev2");
        assert_eq!(Capability::Utf8(atom("ACCEPT")).to_string(), "UTF8=ACCEPT");
        assert_eq!(
            SequenceSet::try_from("1,3:5,7:*").unwrap().to_string(),
            "1,3:5,7:*"
        );
        assert_eq!(SequenceSet::LastResult.to_string(), "$");
        assert_eq!(Tag::try_from("A7").unwrap().to_string(), "A7");
    }

    #[test]
    fn mailboxes_show_their_names() {
        assert_eq!(Mailbox::from("日本語").to_string(), "日本語");
        assert_eq!(Mailbox::Inbox.to_string(), "INBOX");
        assert_eq!(Mailbox::from("a & b").to_string(), "a & b");
        assert_eq!(Mailbox::from_utf8_name("Entwürfe").to_string(), "Entwürfe");
    }

    #[test]
    fn response_codes_and_responses_are_wire_forms() {
        let uid = NonZeroU32::new(4392).unwrap();
        assert_eq!(ResponseCode::UidNext(uid.get()).to_string(), "UIDNEXT 4392");
        let flags =
            ResponseCode::PermanentFlags(vec![FlagPerm::Flag(Flag::Seen), FlagPerm::Asterisk]);
        assert_eq!(flags.to_string(), "PERMANENTFLAGS (\\Seen \\*)");
        let done = StatusResponse {
            kind: StatusKind::Tagged {
                tag: Tag::try_from("A1").unwrap(),
                status: Status::No,
            },
            text: RespText::with_code(ResponseCode::TryCreate, "no such mailbox").unwrap(),
        };
        assert_eq!(done.to_string(), "A1 NO [TRYCREATE] no such mailbox");
        let fetch = Response::Data(Data::Fetch {
            seq: NonZeroU32::MIN,
            items: Vec1::from([
                MessageDataItem::Uid(uid),
                MessageDataItem::Flags(vec![FlagFetch::Flag(Flag::Seen)].into()),
            ]),
        });
        assert_eq!(fetch.to_string(), "* 1 FETCH (UID 4392 FLAGS (\\Seen))");
        let text = RespText::new(None, Text::try_from("ready").unwrap()).unwrap();
        assert_eq!(text.to_string(), "ready");
    }

    #[test]
    fn credentials_are_redacted() {
        let tag = Tag::try_from("A1").unwrap();
        let login = Command::new(tag.clone(), CommandBody::login("alice", "hunter2"));
        assert_eq!(login.to_string(), "A1 LOGIN alice <redacted>");
        let as_literal = CommandBody::Login {
            username: "alice".into(),
            password: Secret::new(AString::String(IString::Literal(
                Literal::try_new(b"hunter2\r\n").unwrap(),
            ))),
        };
        assert_eq!(as_literal.to_string(), "LOGIN alice <redacted>");
        let auth = CommandBody::Authenticate {
            mechanism: AuthMechanism::Plain,
            initial_response: Some(Secret::new(Buf::from(&b"\0alice\0hunter2"[..]))),
        };
        assert_eq!(auth.to_string(), "AUTHENTICATE PLAIN <redacted>");
        let line = AuthenticateData::Continue(Secret::new(Buf::from(&b"hunter2"[..])));
        assert_eq!(line.to_string(), "<redacted>");
        assert_eq!(AuthenticateData::Cancel.to_string(), "*");
        for shown in [login.to_string(), auth.to_string(), line.to_string()] {
            assert!(
                !shown.contains("hunter2") && !shown.contains("aHVudGVy"),
                "{shown}"
            );
        }
    }

    #[test]
    fn literals_show_their_bytes() {
        let append = CommandBody::Append {
            mailbox: Mailbox::Inbox,
            messages: Vec1::new(crate::AppendMessage::literal(b"hi\xff").unwrap()),
        };
        assert_eq!(append.to_string(), "APPEND INBOX {3}\r\nhi\u{fffd}");
        // A literal's own CRLF stays.
        let append = CommandBody::append("a", b"x\r\n").unwrap();
        assert_eq!(append.to_string(), "APPEND a {3}\r\nx\r\n");
        let command = Command::new(Tag::try_from("A1").unwrap(), append);
        assert_eq!(command.to_string(), "A1 APPEND a {3}\r\nx\r\n");
    }
}
