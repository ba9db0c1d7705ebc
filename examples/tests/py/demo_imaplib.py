"""Python's imaplib against the demo server (run by demo_imaplib.rs).

Usage: demo_imaplib.py HOST TLS_PORT STARTTLS_PORT CA_FILE
Exits non-zero (with the failed check on stderr) when the server does not
behave: login, list, select, fetch, store, search, append, and IDLE seeing
another session's change. imaplib in Python 3.11 has no idle(): the IDLE
command is sent on the socket and the responses read until EXISTS.
"""
import imaplib
import ssl
import sys

host, tls_port, starttls_port, ca = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)


def check(cond, what):
    if not cond:
        sys.stderr.write("FAILED: %s\n" % what)
        sys.exit(1)


def ok(result, what):
    typ, data = result
    check(typ == "OK", "%s: %s %r" % (what, typ, data))
    return data


MSG = b"From: Py <py@example.org>\r\nSubject: imaplib test\r\n\r\nline one\r\nline two\r\n"

# Implicit TLS, LOGIN.
a = imaplib.IMAP4_SSL(host, tls_port, ssl_context=ctx)
ok(a.login("alice", "wonderland"), "login")
boxes = ok(a.list(), "list")
check(any(b'\\Sent' in l and l.endswith(b' Sent') for l in boxes), "list shows Sent: %r" % boxes)
data = ok(a.append("INBOX", "(\\Draft)", None, MSG), "append")
check(data[0].startswith(b"[APPENDUID ") and data[0].split(b"]")[0].endswith(b" 1"), "appenduid: %r" % data)
ok(a.append("INBOX", None, None, b"Subject: second\r\n\r\nother\r\n"), "append 2")
n = ok(a.select("INBOX"), "select")
check(n == [b"2"], "select counts 2: %r" % n)
data = ok(a.fetch("1", "(FLAGS RFC822.SIZE BODY.PEEK[])"), "fetch")
check(data[0][1] == MSG, "fetch byte-exact: %r" % (data,))
check(b"RFC822.SIZE %d" % len(MSG) in data[0][0], "size: %r" % data[0][0])
check(b"\\Draft" in data[0][0] and b"\\Seen" not in data[0][0], "peek leaves \\Seen: %r" % data[0][0])
data = ok(a.fetch("1", "(BODY[HEADER.FIELDS (SUBJECT)])"), "fetch header")
check(data[0][1] == b"Subject: imaplib test\r\n\r\n", "header fields: %r" % (data,))
data = ok(a.fetch("1", "(FLAGS)"), "flags after non-peek fetch")
check(b"\\Seen" in data[0], "non-peek fetch sets \\Seen: %r" % data)
data = ok(a.store("2", "+FLAGS", "(\\Flagged $Important)"), "store")
check(b"\\Flagged" in data[0] and b"$Important" in data[0], "store answer: %r" % data)
check(ok(a.search(None, "FLAGGED"), "search flagged") == [b"2"], "search flagged")
check(ok(a.search(None, "UNSEEN"), "search unseen") == [b"2"], "search unseen")
check(ok(a.search("UTF-8", "BODY", "\"line two\""), "search body") == [b"1"], "search body")
check(ok(a.uid("SEARCH", None, "SUBJECT", "second"), "uid search") == [b"2"], "uid search")
check(ok(a.search(None, "KEYWORD", "$Important"), "keyword") == [b"2"], "keyword")

# STARTTLS, a second session: IDLE sees alice's append and flag change.
b = imaplib.IMAP4(host, starttls_port)
ok(b.starttls(ssl_context=ctx), "starttls")
ok(b.login("alice", "wonderland"), "login 2")
ok(b.select("INBOX"), "select 2")
tag = b._new_tag().decode()
b.send(("%s IDLE\r\n" % tag).encode())
line = b.readline()
check(line.startswith(b"+"), "idle continuation: %r" % line)
ok(a.append("INBOX", None, None, b"Subject: third\r\n\r\nwake up\r\n"), "append 3")
ok(a.store("1", "+FLAGS", "(\\Answered)"), "store during idle")
seen = []
while not (any(b"EXISTS" in l for l in seen) and any(b"\\Answered" in l for l in seen)):
    line = b.readline()
    check(line, "connection open during IDLE: %r" % seen)
    seen.append(line)
check(b"* 3 EXISTS\r\n" in seen, "exists in idle: %r" % seen)
check(any(l.startswith(b"* 1 FETCH") and b"\\Answered" in l for l in seen), "flags in idle: %r" % seen)
b.send(b"DONE\r\n")
line = b.readline()
check(line.startswith(tag.encode() + b" OK"), "idle done: %r" % line)

# Expunge: the other session learns of it.
ok(a.store("3", "+FLAGS", "(\\Deleted)"), "delete")
ok(a.expunge(), "expunge")
typ, data = b.noop()
check(typ == "OK", "noop")
check(b.response("EXPUNGE")[1] == [b"3"], "expunge reported: %r" % (b.untagged_responses,))
check(a.logout()[0] == "BYE", "logout")
b.logout()
print("imaplib: all checks passed")
