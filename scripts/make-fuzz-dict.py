#!/usr/bin/env python3
"""Writes fuzz/dict/imap.dict: the tokens of the IMAP grammar for libFuzzer's -dict."""
import os

WORDS = r"""
CAPABILITY NOOP LOGOUT STARTTLS AUTHENTICATE LOGIN ENABLE SELECT EXAMINE CREATE DELETE RENAME SUBSCRIBE UNSUBSCRIBE
LIST LSUB NAMESPACE STATUS APPEND IDLE DONE CHECK CLOSE UNSELECT EXPUNGE SEARCH FETCH STORE COPY MOVE UID SORT THREAD
ID GETQUOTA GETQUOTAROOT SETQUOTA SETACL DELETEACL GETACL LISTRIGHTS MYRIGHTS GETMETADATA SETMETADATA COMPRESS
UNAUTHENTICATE NOTIFY SET NONE ESEARCH ENABLED FLAGS EXISTS RECENT VANISHED EARLIER QUOTA QUOTAROOT ACL METADATA
OK NO BAD BYE PREAUTH NIL INBOX
ALERT BADCHARSET PARSE PERMANENTFLAGS READ-ONLY READ-WRITE TRYCREATE UIDNEXT UIDVALIDITY UNSEEN CLOSED HIGHESTMODSEQ
NOMODSEQ MODIFIED APPENDUID COPYUID UIDNOTSTICKY UNAVAILABLE AUTHENTICATIONFAILED AUTHORIZATIONFAILED EXPIRED
PRIVACYREQUIRED CONTACTADMIN NOPERM INUSE EXPUNGEISSUED CORRUPTION SERVERBUG CLIENTBUG CANNOT LIMIT OVERQUOTA
ALREADYEXISTS NONEXISTENT COMPRESSIONACTIVE REFERRAL LONGENTRIES MAXSIZE TOOMANY NOPRIVATE NOTIFICATIONOVERFLOW
BADEVENT HASCHILDREN USEATTR MAILBOXID UNKNOWN-CTE TOOBIG NOTSAVED BADURL
IMAP4rev1 IMAP4rev2 AUTH=PLAIN AUTH=XOAUTH2 AUTH=OAUTHBEARER LOGINDISABLED SASL-IR LITERAL+ LITERAL- UIDPLUS
CONDSTORE QRESYNC SEARCHRES ESORT WITHIN LIST-EXTENDED LIST-STATUS SPECIAL-USE CHILDREN BINARY MULTIAPPEND CATENATE
UTF8=ACCEPT COMPRESS=DEFLATE DEFLATE STATUS=SIZE SAVEDATE OBJECTID APPENDLIMIT PREVIEW X-GM-EXT-1 THREAD=REFERENCES
ENVELOPE INTERNALDATE RFC822 RFC822.SIZE RFC822.HEADER RFC822.TEXT BODY BODYSTRUCTURE BODY.PEEK BINARY.PEEK
BINARY.SIZE MODSEQ EMAILID THREADID X-GM-MSGID X-GM-THRID X-GM-LABELS X-GM-RAW HEADER HEADER.FIELDS
HEADER.FIELDS.NOT TEXT MIME ALL FAST FULL CHANGEDSINCE UNCHANGEDSINCE
ANSWERED BCC BEFORE CC DELETED DRAFT FLAGGED FROM KEYWORD LARGER NOT ON OR SEEN SENTBEFORE SENTON SENTSINCE SINCE
SMALLER SUBJECT TO UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNKEYWORD OLD NEW OLDER YOUNGER RETURN MIN MAX COUNT SAVE
PARTIAL CHARSET UTF-8 US-ASCII REVERSE ARRIVAL DATE DISPLAYFROM DISPLAYTO SIZE REFERENCES ORDEREDSUBJECT
MESSAGES DELETED-STORAGE SUBSCRIBED REMOTE RECURSIVEMATCH CHILDINFO OLDNAME STORAGE MESSAGE
\Seen \Answered \Flagged \Deleted \Draft \Recent \* \Noselect \NonExistent \HasChildren \HasNoChildren
\Marked \Unmarked \Noinferiors \Subscribed \Remote \All \Archive \Drafts \Junk \Sent \Trash \Important
$Forwarded $Junk $NotJunk
""".split()

PUNCT = ["\r\n", " ", "(", ")", "[", "]", "<", ">", "{", "}", "{0}\r\n", "{5}\r\n", "{5+}\r\n", "~{3}\r\n",
         '"', "* ", "+ ", "A1 ", "1:*", "$", "\\", "+FLAGS", "-FLAGS", "FLAGS.SILENT",
         '"17-Jul-1996 02:44:25 -0700"', "1-Feb-1994", "&ZeVnLIqe-", "&-", "BODY[]", "BODY[1.2.MIME]",
         "<0.100>", "UID FETCH", "UID SEARCH", "* 1 FETCH (", '""', "NIL NIL", '(("a" NIL "b" "c"))']


def escape(token):
    out = []
    for b in token.encode():
        if b in (0x5C, 0x22):
            out.append("\\" + chr(b))
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        else:
            out.append(f"\\x{b:02X}")
    return "".join(out)


# client_session: what a server says to a client (tags as the client numbers
# them, whole responses the session acts on) besides the grammar's tokens.
CLIENT_SESSION = ["a1 OK ", "a2 OK ", "a3 OK ", "a4 NO ", "a5 BAD ", "a6 OK ", "* OK ", "* NO ", "* BAD ",
                  "* BYE ", "* PREAUTH ", "+ \r\n", "+ idling\r\n", "* OK [CAPABILITY IMAP4rev1 STARTTLS] ",
                  "[CAPABILITY IMAP4rev2 IDLE COMPRESS=DEFLATE AUTH=PLAIN SASL-IR] ", "* 3 EXISTS\r\n",
                  "* 1 EXPUNGE\r\n", "* 2 FETCH (UID 7 FLAGS (\\Seen))\r\n", "* VANISHED (EARLIER) 1:3\r\n",
                  "* ENABLED QRESYNC\r\n", "[UIDVALIDITY 42] ", "[HIGHESTMODSEQ 9] ", "[CLOSED] ",
                  "[REFERRAL imap://x/] ", "[ALERT] ", "{100}\r\n", "BODY[] {70}\r\n"]

# server_session: what a client says to a server, and the planted literal's marker.
SERVER_SESSION = ["a1 ", "a2 ", "DONE\r\n", "*\r\n", "STARTTLS\r\n", "LOGIN alice wonderland-Zq8\r\n",
                  "AUTHENTICATE PLAIN ", "AGFsaWNlAHdvbmRlcmxhbmQtWnE4", "AUTHENTICATE SCRAM-SHA-256 ",
                  "SELECT INBOX\r\n", "IDLE\r\n", "COMPRESS DEFLATE\r\n", "UNAUTHENTICATE\r\n",
                  "ENABLE QRESYNC\r\n", "APPEND INBOX {5+}\r\nhello\r\n", "{4097+}\r\n", "{1025}\r\n",
                  "GET / HTTP/1.1\r\n", "XFOO\r\n"]

# pair: operations whole (kind and fields, imap-state/src/fuzzing/pair.rs) as
# they come in sessions: a client call, delivery, the application's answers.
PAIR = ["\x09", "\x00\x01\x00", "\x00\x00\x02", "\x00\x00\x05", "\x00\x00\x10", "\x00\x03\x00",
        "\x00\x04\x00", "\x00\x05\x00", "\x00\x06\x00", "\x00\x07\x00", "\x00\x02\x05", "\x00\x02\x06",
        "\x01\x03\x05", "\x01\x00\x01", "\x02\x00\x00\x06\x2a\x00", "\x05\x00", "\x06\x01",
        "\x07\x08\x07", "\x08\x02", "\x0b"]


def write(root, name, header, tokens):
    lines = [f"# {h}" for h in header] + ["# Written by scripts/make-fuzz-dict.py."]
    seen = []
    for t in tokens:
        if t not in seen:
            seen.append(t)
            lines.append(f'"{escape(t)}"')
    with open(os.path.join(root, "fuzz", "dict", name), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{name}: {len(seen)} tokens")


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    write(root, "imap.dict", ["IMAP tokens for libFuzzer (-dict=fuzz/dict/imap.dict): keywords, response codes,",
                              "capabilities, data items, search keys, flags and punctuation of the grammar."],
          WORDS + PUNCT)
    write(root, "client_session.dict", ["Tokens for the client_session target: the IMAP grammar and what a",
                                        "server says (tags a1, a2, ... as the fuzzed client numbers them)."],
          CLIENT_SESSION + WORDS + PUNCT)
    write(root, "server_session.dict", ["Tokens for the server_session target: the IMAP grammar and what a",
                                        "client says, including its AUTHENTICATE lines and literals."],
          SERVER_SESSION + WORDS + PUNCT)
    write(root, "pair.dict", ["Tokens for the pair target: whole operations (a client call, a delivery,",
                              "an answer of the server's application), see imap-state/src/fuzzing/pair.rs."],
          PAIR)


if __name__ == "__main__":
    main()
