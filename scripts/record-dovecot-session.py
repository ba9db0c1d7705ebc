#!/usr/bin/env python3
"""Records a raw IMAP session with a real Dovecot, both directions, for trace tests.

Usage: scripts/record-dovecot-session.py HOST PORT OUTDIR

Writes OUTDIR/session.responses (server to client bytes, exactly as received) and
OUTDIR/session.commands (client to server bytes). The session logs in, fills a
mailbox with varied messages (multipart, attachments, Japanese subjects, many
recipients), then does what a syncing client does: LIST, STATUS, SELECT
(CONDSTORE), FETCH of metadata with ENVELOPE and BODYSTRUCTURE, BODY[] fetches,
SEARCH, STORE, COPY/MOVE, EXPUNGE, IDLE, and the extension commands Dovecot has.
The messages are generated from a fixed seed, so a re-recording differs only in
dates, UIDVALIDITY and the like.
"""
import random
import socket
import sys


class Session:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port))
        self.rx = bytearray()
        self.tx = bytearray()
        self.buf = b""
        self.n = 0

    def read_line(self):
        while b"\r\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("server closed the connection")
            self.rx += data
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line + b"\r\n"

    def read_exact(self, n):
        while len(self.buf) < n:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("server closed the connection")
            self.rx += data
            self.buf += data
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_response(self):
        """Reads one response, following literals."""
        line = self.read_line()
        out = line
        while line.endswith(b"}\r\n") and b"{" in line:
            n = int(line[line.rindex(b"{") + 1 : -3].rstrip(b"+"))
            out += self.read_exact(n)
            line = self.read_line()
            out += line
        return out

    def send(self, data):
        self.tx += data
        self.sock.sendall(data)

    def cmd(self, text, literals=()):
        """Sends a command; `text` holds `{}` where each synchronizing literal goes."""
        self.n += 1
        tag = b"a%d" % self.n
        parts = text.encode().split(b"{}")
        self.send(tag + b" " + parts[0])
        for lit, rest in zip(literals, parts[1:]):
            self.send(b"{%d}\r\n" % len(lit))
            while True:
                r = self.read_response()
                if r.startswith(b"+"):
                    break
                if r.startswith(tag + b" "):
                    raise RuntimeError(r)
            self.send(lit + rest)
        self.send(b"\r\n")
        while True:
            r = self.read_response()
            if r.startswith(tag + b" "):
                return r


NAMES = ["Alice Example", "Bob Builder", "山田 太郎", "Carol", "Dave O'Brien", "Émilie Dupont", "佐藤 花子"]
SUBJECTS = [
    "Quarterly report",
    "=?UTF-8?B?5Lya6K2w44Gu6K2w5LqL6Yyy?=",
    "=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=",
    "Re: lunch?",
    "Invoice #4711 (attached)",
    "=?UTF-8?Q?Caf=C3=A9_meeting?=",
]


def address(rng, i):
    name = rng.choice(NAMES)
    return f'"{name}" <user{i}@example.{rng.choice(["org", "com", "jp"])}>'


def message(rng, k):
    to = ", ".join(address(rng, i) for i in range(rng.randint(1, 8)))
    headers = (
        f"Date: Mon, {1 + k % 28} Nov 2026 10:{k % 60:02d}:00 +0900\r\n"
        f"From: {address(rng, 99)}\r\nTo: {to}\r\n"
        f"Cc: {address(rng, 100)}\r\n"
        f"Subject: {rng.choice(SUBJECTS)}\r\n"
        f"Message-ID: <msg{k}@example.org>\r\nMIME-Version: 1.0\r\n"
    )
    body = "Lorem ipsum dolor sit amet. " * rng.randint(1, 40)
    kind = k % 4
    if kind == 0:
        return (headers + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n").encode()
    if kind == 1:
        return (
            headers + 'Content-Type: multipart/alternative; boundary="alt"\r\n\r\n'
            "--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"
            "--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>" + body + "</p>\r\n--alt--\r\n"
        ).encode()
    if kind == 2:
        blob = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123456789+/") for _ in range(76))
        att = "\r\n".join(blob for _ in range(rng.randint(5, 60)))
        return (
            headers + 'Content-Type: multipart/mixed; boundary="mix"\r\n\r\n'
            '--mix\r\nContent-Type: multipart/alternative; boundary="alt"\r\n\r\n'
            "--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"
            "--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>x</p>\r\n--alt--\r\n"
            "--mix\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\n"
            "Content-Disposition: attachment; filename*=UTF-8''%E5%A0%B1%E5%91%8A.pdf\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n" + att + "\r\n--mix--\r\n"
        ).encode()
    inner = "From: a@example.org\r\nSubject: forwarded\r\nContent-Type: text/plain\r\n\r\ninner body\r\n"
    return (
        headers + 'Content-Type: multipart/mixed; boundary="fwd"\r\n\r\n'
        "--fwd\r\nContent-Type: text/plain\r\n\r\nsee below\r\n"
        "--fwd\r\nContent-Type: message/rfc822\r\n\r\n" + inner + "--fwd--\r\n"
    ).encode()


def main():
    host, port, outdir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    rng = random.Random(20261129)
    s = Session(host, port)
    s.read_line()
    s.cmd("CAPABILITY")
    s.cmd('LOGIN alice secret')
    s.cmd("ENABLE CONDSTORE QRESYNC")
    s.cmd("ID (\"name\" \"recorder\" \"version\" \"1\")")
    s.cmd("NAMESPACE")
    s.cmd('CREATE "Work"')
    s.cmd('CREATE "&kAFP4W4IMH8-/Archive"')
    for k in range(40):
        flags = rng.choice(["", "(\\Seen)", "(\\Seen \\Flagged)", "($Forwarded)", "(\\Answered \\Seen)"])
        s.cmd(f'APPEND INBOX {flags} "{1 + k % 28:2d}-Nov-2026 10:00:00 +0900" {{}}'.replace("  ", " "),
              [message(rng, k)])
    s.cmd('LIST "" "*"')
    s.cmd('LIST (SPECIAL-USE) "" "*" RETURN (CHILDREN STATUS (MESSAGES UNSEEN))')
    s.cmd('LSUB "" "*"')
    s.cmd("STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ)")
    s.cmd("SELECT INBOX (CONDSTORE)")
    s.cmd("UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE MODSEQ)")
    s.cmd("FETCH 1:10 (BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE)])")
    s.cmd("UID FETCH 1:12 (BODY.PEEK[])")
    s.cmd("FETCH 3 (BODY[1] BODY[2.MIME] BINARY.PEEK[1] BINARY.SIZE[1] BODY[TEXT]<0.100>)")
    s.cmd("UID SEARCH UNSEEN")
    s.cmd('SEARCH OR FROM "bob" (SUBJECT "report" SINCE 1-Nov-2026) NOT DELETED')
    s.cmd("UID SEARCH RETURN (MIN MAX COUNT ALL) FLAGGED")
    s.cmd('UID SORT (REVERSE DATE) UTF-8 ALL')
    s.cmd('UID THREAD REFERENCES UTF-8 ALL')
    s.cmd("UID STORE 1:5 +FLAGS (\\Seen $Important)")
    s.cmd("STORE 6 (UNCHANGEDSINCE 1) -FLAGS.SILENT (\\Seen)")
    s.cmd("UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1)")
    s.cmd('UID COPY 1:3 "Work"')
    s.cmd('UID MOVE 4 "Work"')
    s.cmd("STORE 1 +FLAGS (\\Deleted)")
    s.cmd("EXPUNGE")
    s.cmd("GETQUOTAROOT INBOX")
    s.cmd("MYRIGHTS INBOX")
    s.cmd("GETACL INBOX")
    s.cmd('GETMETADATA "" /private/comment')
    s.cmd('SETMETADATA INBOX (/private/comment "sync test")')
    s.cmd('GETMETADATA INBOX /private/comment')
    s.cmd("NOOP")
    # IDLE: the server answers with a continuation request; DONE ends it.
    s.n += 1
    tag = b"a%d" % s.n
    s.send(tag + b" IDLE\r\n")
    s.read_response()
    s.send(b"DONE\r\n")
    while not s.read_response().startswith(tag + b" "):
        pass
    s.cmd("UNSELECT")
    s.cmd('EXAMINE "Work"')
    s.cmd("FETCH 1:* (FLAGS UID)")
    s.cmd("CLOSE")
    s.cmd('DELETE "Work"')
    s.cmd('DELETE "&kAFP4W4IMH8-/Archive"')
    s.cmd("LOGOUT")
    open(f"{outdir}/session.responses", "wb").write(bytes(s.rx))
    open(f"{outdir}/session.commands", "wb").write(bytes(s.tx))
    print(f"responses: {len(s.rx)} bytes, commands: {len(s.tx)} bytes")


if __name__ == "__main__":
    main()
