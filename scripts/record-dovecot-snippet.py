#!/usr/bin/env python3
"""Records Dovecot 2.3's draft previews (SNIPPET, PREVIEW with an algorithm), both directions.

Usage: scripts/record-dovecot-snippet.py HOST PORT OUTDIR

Writes OUTDIR/snippet.responses and OUTDIR/snippet.commands (the bytes exactly as
sent and received). The session authenticates with AUTHENTICATE PLAIN without
SASL-IR (a "+" challenge and one response line), fills a fresh mailbox with four
messages whose snippets go on the wire as a plain quoted string, a quoted string
with escapes, a literal (UTF-8) and text taken from HTML, then asks for them in
every form Dovecot 2.3.19 accepts: SNIPPET (LAZY=FUZZY) before and after the
snippets are cached (NIL, then the text), SNIPPET (FUZZY), a bare SNIPPET,
SNIPPET (LAZY), PREVIEW (LAZY=FUZZY) and RFC 8970's PREVIEW and PREVIEW (LAZY).
Uses the Session class of record-dovecot-session.py (user alice/secret of
scripts/dovecot.sh). Record against a fresh instance (a new DIR for dovecot.sh):
the first SNIPPET (LAZY=FUZZY) answers NIL only while the user has no snippet
cached yet. The committed capture was made with

    IMAP_PORT=11243 scripts/dovecot.sh start /tmp/fresh
    scripts/record-dovecot-snippet.py 127.0.0.1 11243 imap-codec/tests/data/dovecot
"""
import base64
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("recorder", os.path.join(HERE, "record-dovecot-session.py"))
recorder = importlib.util.module_from_spec(spec)
spec.loader.exec_module(recorder)

MESSAGES = [
    b"Subject: plain\r\n\r\nHello world, this is a snippet test body.\r\n",
    b"Subject: escapes\r\n\r\nHe said \"quoted\" and a back\\slash here.\r\n",
    "Subject: utf-8\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    "Caf\u00e9 \u65e5\u672c\u8a9e text.\r\n".encode(),
    b"Subject: html\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n"
    b"<html><body><p>Only <b>HTML</b> here &amp; there.</p></body></html>\r\n",
]


def main():
    host, port, outdir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    s = recorder.Session(host, port)
    s.read_line()
    # AUTHENTICATE PLAIN without SASL-IR: "+ " and one line of base64.
    s.n += 1
    tag = b"a%d" % s.n
    s.send(tag + b" AUTHENTICATE PLAIN\r\n")
    if not s.read_response().startswith(b"+"):
        raise RuntimeError("no continuation request")
    s.send(base64.b64encode(b"\0alice\0secret") + b"\r\n")
    while not s.read_response().startswith(tag + b" "):
        pass
    s.cmd('CREATE "Snippets"')
    for m in MESSAGES:
        s.cmd('APPEND "Snippets" {}', [m])
    s.cmd('SELECT "Snippets"')
    s.cmd("FETCH 1:* (UID SNIPPET (LAZY=FUZZY))")
    s.cmd("UID FETCH 1:* (SNIPPET (FUZZY))")
    s.cmd("FETCH 1:* (SNIPPET (LAZY=FUZZY))")
    s.cmd("FETCH 1 SNIPPET")
    s.cmd("FETCH 2 (SNIPPET (LAZY) FLAGS)")
    s.cmd("FETCH 1:* (PREVIEW (LAZY=FUZZY))")
    s.cmd("FETCH 3 (PREVIEW)")
    s.cmd("FETCH 4 (PREVIEW (LAZY))")
    s.cmd("CLOSE")
    s.cmd('DELETE "Snippets"')
    s.cmd("LOGOUT")
    open(f"{outdir}/snippet.responses", "wb").write(bytes(s.rx))
    open(f"{outdir}/snippet.commands", "wb").write(bytes(s.tx))
    print(f"responses: {len(s.rx)} bytes, commands: {len(s.tx)} bytes")


if __name__ == "__main__":
    main()
