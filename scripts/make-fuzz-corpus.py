#!/usr/bin/env python3
"""Builds the fuzz seed corpora (fuzz/corpus/<target>/) from RFC examples and recorded sessions.

Usage: scripts/make-fuzz-corpus.py   (from the workspace root; rewrites the seed files it owns)

Seeds are named by the SHA-1 of their content, so re-running adds nothing twice.
"""
import base64
import glob
import hashlib
import os
import re
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def split_messages(data):
    """Splits a byte stream into messages: lines, following {n} / {n+} / ~{n} literals."""
    out, pos = [], 0
    while pos < len(data):
        start = pos
        while True:
            end = data.find(b"\r\n", pos)
            if end < 0:
                return out
            line = data[pos:end]
            pos = end + 2
            m = re.search(rb"~?\{(\d+)\+?\}$", line)
            if m and not re.match(rb"^(\* (OK|NO|BAD|BYE|PREAUTH)|\+|[^ ]+ (OK|NO|BAD))", data[start:end]):
                pos += int(m.group(1))
                continue
            break
        out.append(data[start:pos])
    return out


def rows(path):
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line and not line.startswith("#"):
            yield line.split("\t")


def write(target, seeds):
    d = os.path.join(ROOT, "fuzz", "corpus", target)
    os.makedirs(d, exist_ok=True)
    n = 0
    for s in seeds:
        if not s:
            continue
        name = hashlib.sha1(s).hexdigest()
        with open(os.path.join(d, name), "wb") as f:
            f.write(s)
        n += 1
    print(f"{target}: {n} seeds")


def main():
    data = os.path.join(ROOT, "imap-codec", "tests", "data")
    responses = []
    for p in glob.glob(os.path.join(data, "responses", "*.txt")):
        responses += [r[1].encode() + b"\r\n" for r in rows(p) if len(r) > 1]
    for p in glob.glob(os.path.join(data, "dovecot", "*.responses")):
        responses += split_messages(open(p, "rb").read())
    # Keep the corpus small: the largest messages add little coverage.
    responses = sorted(r for r in set(responses) if len(r) <= 4096)[:600]
    write("decode_response", responses)
    greetings = [r for r in responses if re.match(rb"^\* (OK|PREAUTH|BYE)", r)][:100]
    write("decode_greeting", greetings)

    commands = []
    for p in glob.glob(os.path.join(data, "commands", "*.txt")):
        for line in open(p, encoding="utf-8"):
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                line = line[3:] if line.startswith("=> ") else line
                commands.append(line.replace("<CRLF>", "\r\n").replace("<NUL>", "\0").encode() + b"\r\n")
    for p in glob.glob(os.path.join(data, "dovecot", "*.commands")):
        commands += split_messages(open(p, "rb").read())
    commands = sorted(c for c in set(commands) if len(c) <= 4096)[:600]
    if commands:
        write("decode_command", commands)

    names = ["INBOX", "&ZeVnLIqe-", "&kAFP4W4IMH8-", "&-", "Tom &- Jerry", "~peter/mail/&U,BTFw-/&ZeVnLIqe-",
             "Sent Items", "[Gmail]/All Mail", "&2D3cAQ-", "Archive/2026", "&AMk-milie"]
    write("utf7_mailbox", [n.encode() for n in names] + ["送信済み".encode(), "日本語/メール".encode()])

    # framer_chunks: whole sessions cut into pieces of a few messages.
    streams = []
    for p in glob.glob(os.path.join(data, "dovecot", "*.responses")):
        msgs = split_messages(open(p, "rb").read())
        for k in range(0, len(msgs), 6):
            stream = b"".join(msgs[k:k + 6])
            if len(stream) <= 16384:
                streams.append(stream)
    write("framer_chunks", streams[:200])

    # framer_decoder_agree: 4 config bytes (direction, lenient LF, small
    # limits, line mode or greeting, chunking) and a stream: session pieces
    # in both directions, and the reproducers of issue 14.
    commands = []
    for p in glob.glob(os.path.join(data, "dovecot", "*.commands")):
        msgs = split_messages(open(p, "rb").read())
        for k in range(0, len(msgs), 6):
            stream = b"".join(msgs[k:k + 6])
            if len(stream) <= 4096:
                commands.append(stream)
    small = [s for s in streams if len(s) <= 4096]
    agree = []
    for k, s in enumerate(small[:40]):
        agree.append(bytes([0, 0, 0, k % 251]) + s)
        agree.append(bytes([2, 0, 0, k % 251]) + s.replace(b"\r\n", b"\n"))
        agree.append(bytes([4, 24, 64, 4 | (8 << 3)]) + s)
    for k, s in enumerate(commands[:40]):
        agree.append(bytes([1, 0, 0, k % 251]) + s)
        agree.append(bytes([5, 24, 64, 4 | (8 << 3)]) + s)
    z = lambda n: b"0" * n
    agree += [
        bytes([0, 0, 0, 0]) + b"* 1 FETCH (BODY[] {" + z(61) + b"12}\n* 9 EXISTS\r\n)\r\n* 2 EXISTS\r\n",
        bytes([1, 0, 0, 0]) + b"a1 APPEND INBOX {" + z(60) + b"13+}\na9 DELETE x\r\n\r\na2 NOOP\r\n",
        bytes([4, 12, 255, 7 | (31 << 3)]) + b"* 1 FETCH (BODY[] {" + z(100) + b"12}\r\n* 9 EXISTS\r\n)\r\n* 2 EXISTS\r\n",
        bytes([4, 255, 255, 4 | (31 << 3)]) + b"* 1 FETCH (X ((((((((((\"a\" {" + z(100) + b"12}\r\n* 9 EXISTS\r\n)))))))))))\r\n* 2 EXISTS\r\n",
        bytes([0, 0, 0, 0]) + b"*  OK [ALERT] x {29}\r\n* 1 FETCH (BODY[] {41}\r\nhello\r\nA1 OK LOGIN completed (injected)\r\n)\r\nA1 OK done\r\n",
        bytes([0, 0, 0, 3]) + b"*   BYE x {12}\r\nA1 OK fake\r\n* OK[ALERT] x {5}\r\nA1 OK\r\n",
        bytes([0, 0, 0, 0]) + b"* XANNOTATION \"INBOX\" (\"value\" {18}\r\nA1 OK LOGIN done\r\n)\r\n",
        bytes([1, 0, 0, 0]) + b"a XFOO {13+}\r\nb DELETE x\r\n!\r\n",
        bytes([2, 0, 0, 0]) + b"* 1 FETCH (UID 1" + b"".join(b" BODY[%d] {0}\n" % k for k in range(1, 40)) + b")\n",
        bytes([9, 0, 0, 0]) + b"AGFsaWNlAGh1bnRlcjI=\r\n*\r\nDONE\r\nx {5}\r\n",
        bytes([8, 0, 0, 0]) + b"* OK [CAPABILITY IMAP4rev2] ready\r\n* 3 EXISTS\r\n",
    ]
    write("framer_decoder_agree", agree)

    write("sasl", sasl_seeds())

    dovecot = os.path.join(data, "dovecot")
    commands = split_messages(open(os.path.join(dovecot, "session.commands"), "rb").read())
    responses = split_messages(open(os.path.join(dovecot, "session.responses"), "rb").read())
    write("client_session", client_session_seeds(commands, responses))
    write("server_session", server_session_seeds(commands))
    write("pair", pair_seeds())


# The `sasl` target's checks, in the order of CHECKS in
# imap-state/src/sasl/fuzzing.rs: a seed is the check's index, then its input.
SASL_CHECKS = [
    "plain_server", "plain_round_trip", "login_server", "xoauth2_server", "xoauth2_round_trip",
    "oauthbearer_server", "oauthbearer_round_trip", "bearer_clients_take_any_error", "scram_attributes",
    "gs2_header", "scram_server_client_first", "scram_server_client_final", "scram_client_server_first",
    "scram_client_server_final",
]


def sasl_seeds():
    """Messages from RFC 4616, 5802, 7628 and 7677 (and Google's XOAUTH2 format), each under its check."""
    rfc7628_error = (b'{"status":"invalid_token","scope":"example_scope",'
                     b'"openid-configuration":"https://example.com/.well-known/openid-configuration"}')
    client_first = [b"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL", b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
                    b"p=tls-exporter,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
                    b"y,a=admin=2Cops,n=us=3Der,r=fyko+d2lbbFgONRv9qkxdawL"]
    server_first = [b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
                    b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
                    b"e=unknown-user"]
    client_final = [b"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
                    b"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,x=ext,"
                    b"p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="]
    server_final = [b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
                    b"e=invalid-proof", b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=,x=ext"]
    inputs = {
        "plain_server": [b"\0tim\0tanstaaftanstaaf", b"Ursel\0Kurt\0xipj3plmq", b"Kurt\0Kurt\0xipj3plmq"],
        "plain_round_trip": [b"Ursel\xffKurt\xffxipj3plmq", b"\xfftim\xfftanstaaftanstaaf"],
        "login_server": [b"tim", b"tanstaaftanstaaf"],
        "xoauth2_server": [b"user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01",
                           b"user=u\x01auth=\x01\x01"],
        "xoauth2_round_trip": [b"someuser@example.com\xffya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"],
        "oauthbearer_server": [
            b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01"
            b"auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01",
            b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=\x01\x01",
            b"y,a=u,\x01host=imap.example.com\x01auth=Bearer t\x01\x01"],
        "oauthbearer_round_trip": [b"user@example.com\xffvF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\xffserver.example.com"],
        "bearer_clients_take_any_error": [rfc7628_error, b'{"status":"401","schemes":"bearer"}'],
        "scram_attributes": client_first + server_first + client_final + server_final,
        "gs2_header": [b"n,,", b"y,,", b"p=tls-exporter,a=admin=2Cops,", b"n,a=user@example.com,"],
        "scram_server_client_first": client_first,
        "scram_server_client_final": client_final,
        "scram_client_server_first": server_first,
        "scram_client_server_final": server_final,
    }
    assert list(inputs) == SASL_CHECKS
    return [bytes([i]) + m for i, name in enumerate(SASL_CHECKS) for m in inputs[name]]


# ---- The session targets (imap-state/src/fuzzing/): a setup, then operations. ----
# Field encodings as the Rust side reads them with arbitrary::Unstructured:
# u8 one byte, u16 two bytes little-endian, a byte string a u16 length
# (at most 4096) and its bytes.


def u8(x):
    return bytes([x & 0xFF])


def u16(x):
    return struct.pack("<H", x & 0xFFFF)


def blob(b):
    assert len(b) <= 4096
    return u16(len(b)) + b


def b64(b):
    return base64.b64encode(b).decode()


class C:
    """client_session operation kinds (imap-state/src/fuzzing/client.rs)."""
    SERVER, REPLY, RESPONSE, ENQUEUE, LOGIN, AUTH, IDLE, DONE, STARTTLS, TLS, COMPRESS, LOGOUT, CLOSE, EOF, \
        TIME, QRESYNC, LINE = range(17)
    # Setup bits.
    TLS_ON, OPPORTUNISTIC, NEVER, PLAIN_CREDS, NO_AUTO_CAP, NO_CMD_TIMEOUT, STREAM, LENIENT_LF = \
        1, 2, 4, 8, 16, 32, 64, 128


def c_server(data, cut=0):
    """Server bytes, in ops of at most 4096 bytes."""
    return b"".join(u8(C.SERVER) + u8(cut) + blob(data[k:k + 4096]) for k in range(0, max(len(data), 1), 4096))


def c_line(command):
    """Enqueue a command given as its text without tag and CRLF."""
    return u8(C.LINE) + blob(command)


def c_op(kind, *fields):
    return u8(kind) + b"".join(fields)


def c_reply(which=0, status=0, code=0, n=0):
    return c_op(C.REPLY, u8(which), u8(status), u8(code), u16(n))


def c_resp(which, a=1, b=1):
    return c_op(C.RESPONSE, u8(which), u8(a), u16(b))


def client_session_seeds(commands, responses):
    """Dovecot's recorded session in windows (commands enqueued, responses fed
    with the tags renumbered as the client numbers them), and sessions written
    after RFC 9051 §8, RFC 2177, RFC 4978, RFC 5802 and "NO STARTTLS" (EAST)."""
    seeds = []
    tag = re.compile(rb"^(a\d+) ")
    # Responses grouped by the command they answer; the greeting first.
    greeting, rest = responses[0], responses[1:]
    groups, group = {}, []
    for r in rest:
        group.append(r)
        m = tag.match(r)
        if m:
            groups[m.group(1)] = group
            group = []

    def window(indices, cut=0, setup=C.TLS_ON | C.NEVER | C.NO_AUTO_CAP | C.PLAIN_CREDS):
        out = u8(setup) + c_server(greeting, cut)
        n = 0
        for k in indices:
            cmd = commands[k]
            m = tag.match(cmd)
            if not m:
                continue  # DONE: sent with the IDLE before it
            body = cmd[m.end():]
            if body.startswith(b"IDLE"):
                out += c_line(b"IDLE")
                answer = groups[m.group(1)]
                out += c_server(answer[0], cut) + c_op(C.DONE)
                answer = answer[1:]
            else:
                if len(body) > 4000:
                    continue
                out += c_line(body[:-2])
                answer = groups.get(m.group(1), [])
            n += 1
            new = b"a%d " % n
            fed = b"".join(new + r[m.end():] if tag.match(r) else r for r in answer)
            out += c_server(fed, cut)
        return out

    login, select = [1, 2], [1, 2, 51]
    for k, indices in enumerate([list(range(0, 10)), login + list(range(10, 16)), login + list(range(46, 51)),
                                 select + list(range(52, 60)), select + list(range(60, 70)),
                                 select + list(range(70, 78)), select + list(range(77, 84))]):
        seeds.append(window(indices, cut=[0, 7, 0, 13, 0, 3, 0][k]))
    seeds.append(window(select + [52, 63, 65, 66, 67], cut=1))

    caps = b"* OK [CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS AUTH=PLAIN AUTH=SCRAM-SHA-256 SASL-IR LITERAL+ " \
           b"IDLE ENABLE QRESYNC CONDSTORE UIDPLUS MOVE UNSELECT COMPRESS=DEFLATE] ready\r\n"
    post_tls = b"* CAPABILITY IMAP4rev2 IMAP4rev1 AUTH=PLAIN AUTH=SCRAM-SHA-256 SASL-IR LITERAL+ IDLE " \
               b"ENABLE QRESYNC CONDSTORE UIDPLUS MOVE UNSELECT COMPRESS=DEFLATE\r\n"
    # STARTTLS (Required), then login, select, fetch, logout: RFC 9051 §8 over TLS.
    seeds.append(u8(0) + c_server(caps) + c_server(b"a1 OK Begin TLS negotiation now\r\n") + c_op(C.TLS)
                 + c_server(post_tls + b"a2 OK done\r\n") + c_op(C.LOGIN, u8(0))
                 + c_server(b"a3 OK [CAPABILITY IMAP4rev2 IDLE ENABLE QRESYNC UIDPLUS] Logged in\r\n")
                 + c_line(b"SELECT INBOX")
                 + c_server(b"* 172 EXISTS\r\n* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"
                            b"* OK [UIDNEXT 4392] Predicted next UID\r\n"
                            b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
                            b"* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n"
                            b"* LIST () \"/\" INBOX\r\na4 OK [READ-WRITE] SELECT completed\r\n")
                 + c_line(b"FETCH 12 FULL")
                 + c_server(b"* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" "
                            b"RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" "
                            b"\"IMAP4rev2 WG mtg summary and minutes\" ((\"Terry Gray\" NIL \"gray\" "
                            b"\"cac.washington.edu\")) NIL NIL NIL NIL NIL NIL \"<B27397-0100000@cac.washington.edu>\") "
                            b"BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92))\r\n"
                            b"a5 OK FETCH completed\r\n")
                 + c_line(b"STORE 12 +FLAGS (\\Deleted)")
                 + c_server(b"* 12 FETCH (FLAGS (\\Seen \\Deleted))\r\na6 OK +FLAGS completed\r\n")
                 + c_op(C.LOGOUT) + c_server(b"* BYE IMAP4rev2 Server logging out\r\na7 OK LOGOUT completed\r\n")
                 + c_op(C.EOF))
    # Response injection: plaintext after the STARTTLS OK in the same read and later.
    seeds.append(u8(0) + c_server(caps) + c_server(b"a1 OK go\r\n* 54321 EXISTS\r\n* OK [ALERT] evil\r\n")
                 + c_server(b"a2 OK [CAPABILITY IMAP4rev2 AUTH=PLAIN] injected\r\n", 5) + c_op(C.LOGIN, u8(0))
                 + c_op(C.TLS) + c_server(post_tls + b"a2 OK done\r\n"))
    # STARTTLS stripping: not offered, refused, PREAUTH on plaintext; BYE as the answer.
    seeds.append(u8(0) + c_server(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n") + c_op(C.LOGIN, u8(0)))
    seeds.append(u8(C.OPPORTUNISTIC) + c_server(caps) + c_server(b"a1 BAD no TLS today\r\n") + c_op(C.LOGIN, u8(0))
                 + c_reply(0, 0))
    seeds.append(u8(0) + c_server(b"* PREAUTH [CAPABILITY IMAP4rev2] welcome\r\n"))
    seeds.append(u8(0) + c_server(caps) + c_server(b"* BYE [UNAVAILABLE] go away\r\n"))
    # Untagged data before STARTTLS, [REFERRAL], cross-protocol garbage.
    seeds.append(u8(C.OPPORTUNISTIC) + c_server(b"* OK ready\r\n* 3 EXISTS\r\n* CAPABILITY IMAP4rev1 STARTTLS\r\n")
                 + c_server(b"* NO [REFERRAL imap://evil.example.com/] moved\r\na1 OK done\r\n"))
    seeds.append(u8(0) + c_server(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"))
    # COMPRESS (RFC 4978) after login; then compressed responses; then IDLE with a refresh (RFC 2177).
    tls = C.TLS_ON | C.NO_AUTO_CAP
    seeds.append(u8(tls) + c_server(caps.replace(b"STARTTLS ", b"")) + c_op(C.LOGIN, u8(0)) + c_reply(0, 0, 3)
                 + c_op(C.COMPRESS) + c_reply(0, 0) + c_line(b"SELECT INBOX")
                 + c_server(b"* 3 EXISTS\r\n* OK [UIDVALIDITY 42] ok\r\na3 OK [READ-WRITE] done\r\n")
                 + c_op(C.IDLE) + c_server(b"+ idling\r\n* 4 EXISTS\r\n* 1 EXPUNGE\r\n")
                 + c_op(C.TIME, u16(0)) + c_server(b"a4 OK done\r\n+ idling\r\n") + c_op(C.DONE)
                 + c_reply(0, 0) + c_op(C.LOGOUT) + c_server(b"* BYE bye\r\na6 OK bye\r\n") + c_op(C.EOF))
    # AUTHENTICATE: SCRAM-SHA-256 with a forged server signature (RFC 7677), PLAIN
    # with SASL-IR, XOAUTH2's error challenge, LOGIN (no SASL-IR).
    seeds.append(u8(tls) + c_server(caps) + c_op(C.AUTH, u8(5)) + c_resp(30) + c_resp(31) + c_reply(0, 0))
    seeds.append(u8(tls) + c_server(caps) + c_op(C.AUTH, u8(0)) + c_reply(0, 0, 3) + c_op(C.ENQUEUE, u8(2)))
    seeds.append(u8(tls) + c_server(b"* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2 AUTH=LOGIN] hi\r\n")
                 + c_op(C.AUTH, u8(3)) + c_resp(29) + c_resp(32) + c_reply(0, 1) + c_op(C.AUTH, u8(2))
                 + c_server(b"+ VXNlcm5hbWU6\r\n+ UGFzc3dvcmQ6\r\n") + c_reply(0, 0))
    # The mailbox model: QRESYNC select, VANISHED, EXPUNGE, FETCH UIDs, streamed literals.
    seeds.append(u8(tls | C.STREAM) + c_server(caps) + c_op(C.LOGIN, u8(0)) + c_reply(0, 0)
                 + c_line(b"ENABLE QRESYNC") + c_server(b"* ENABLED QRESYNC\r\na2 OK done\r\n")
                 + c_op(C.QRESYNC, u8(0))
                 + c_server(b"* OK [CLOSED] x\r\n* 10 EXISTS\r\n* OK [UIDVALIDITY 1] x\r\n* OK [HIGHESTMODSEQ 90] x\r\n"
                            b"* VANISHED (EARLIER) 2\r\n* 1 FETCH (UID 1 MODSEQ (80) FLAGS ())\r\na3 OK [READ-WRITE] x\r\n")
                 + c_line(b"UID FETCH 1:* (UID BODY.PEEK[])")
                 + c_server(b"* 2 FETCH (UID 3 BODY[] {100}\r\n" + b"x" * 100 + b")\r\n* 3 EXPUNGE\r\n"
                            b"* VANISHED 5:6\r\n* 8 EXISTS\r\na4 OK done\r\n", 9))
    # Responses that make the client send, with a BYE in the same read.
    seeds.append(u8(tls) + c_server(b"* OK [CAPABILITY IMAP4rev2 IDLE] hi\r\n") + c_op(C.LOGIN, u8(0))
                 + c_reply(0, 0) + c_op(C.IDLE) + c_op(C.DONE) + c_server(b"+ idling\r\n* BYE bye\r\n"))
    seeds.append(u8(tls) + c_server(b"* OK [CAPABILITY IMAP4rev1] hi\r\n") + c_op(C.LOGIN, u8(0))
                 + c_reply(0, 0) + c_op(C.ENQUEUE, u8(22)) + c_server(b"+ go\r\n* 4 EXISTS\r\n* BYE bye\r\n"))
    # Timeouts: no greeting; a server that stops answering.
    seeds.append(u8(tls) + c_op(C.TIME, u16(31)))
    seeds.append(u8(tls) + c_server(caps) + c_op(C.ENQUEUE, u8(0)) + c_op(C.TIME, u16(0)))
    return seeds


class S:
    """server_session operation kinds (imap-state/src/fuzzing/server.rs)."""
    SEND, PLANT, RESPOND, DATA, UNSOLICITED, DECIDE, SUPPLY, TLS, BYE, TRANSMIT, TIME, EOF, PUMP, LINE, INJECT = \
        range(15)
    # First setup byte.
    TLS_ON, PREAUTH, PLAIN_CREDS, NO_STARTTLS, NO_LOGIN, LITERAL_PLUS, LITERAL_NONE, COMPRESS = \
        1, 2, 4, 8, 16, 32, 64, 128
    # Second setup byte.
    SLOW, AUTO = 1, 2


def s_send(data, cut=0):
    return b"".join(u8(S.SEND) + u8(cut) + blob(data[k:k + 4096]) for k in range(0, max(len(data), 1), 4096))


def server_session_seeds(commands):
    """The client side of Dovecot's recorded session (with the password the
    application knows), and the attack classes of "NO STARTTLS" (EAST) and
    RFC 7888 against the server."""
    seeds = []
    session = b"".join(commands).replace(b"LOGIN alice secret", b"LOGIN alice wonderland-Zq8")
    for k, cut in zip(range(0, len(session), 12000), [0, 17, 0, 5, 0, 100, 0]):
        part = session[k:k + 12000]
        if k:
            part = b"x1 LOGIN alice wonderland-Zq8\r\nx2 SELECT INBOX\r\n" + part
        seeds.append(u8(S.TLS_ON) + u8(S.AUTO) + s_send(part, cut) + u8(S.TRANSMIT))
    seeds.append(u8(S.TLS_ON | S.LITERAL_PLUS) + u8(S.AUTO) + s_send(session[:8000], 1))
    # STARTTLS with planted commands in the same write, read whole and in pieces;
    # and refused (STARTTLS not offered), where the commands do run.
    for setup, cut in [(0, 0), (0, 9), (0, 17), (S.NO_STARTTLS, 0)]:
        seeds.append(u8(setup) + u8(S.AUTO) + u8(S.INJECT) + u8(cut) + u8(S.TRANSMIT) + u8(S.TLS) + u8(1)
                     + u8(S.LINE) + u8(0) + u8(S.LINE) + u8(3))
    # STARTTLS with commands injected in the same read (the server must drop them).
    seeds.append(u8(0) + u8(S.AUTO) + s_send(b"a STARTTLS\r\nb LOGIN alice wonderland-Zq8\r\nc SELECT INBOX\r\n")
                 + u8(S.TRANSMIT) + u8(S.TLS) + u8(1) + s_send(b"d CAPABILITY\r\ne LOGIN alice wonderland-Zq8\r\n"))
    seeds.append(u8(0) + u8(0) + s_send(b"a CAPABILITY\r\nb LOGIN alice wonderland-Zq8\r\nc STARTTLS\r\n")
                 + u8(S.TLS) + u8(0) + u8(S.TRANSMIT) + u8(S.TLS) + u8(0))
    # Plaintext LOGIN refused before the password (sync literal), AUTHENTICATE PLAIN.
    seeds.append(u8(0) + u8(S.AUTO) + s_send(b"a LOGIN {5}\r\nalice {14}\r\nwonderland-Zq8\r\nb AUTHENTICATE PLAIN\r\n"))
    seeds.append(u8(S.TLS_ON) + u8(0) + u8(S.LINE) + u8(6) + u8(S.DECIDE) + u8(0) + u8(S.LINE) + u8(12)
                 + u8(S.RESPOND) + u8(0) + u8(0) + u8(6) + u16(42) + u8(S.LINE) + u8(21) + u8(S.UNSOLICITED)
                 + u8(0) + u8(5) + u16(0) + u8(S.LINE) + u8(22) + u8(S.LINE) + u8(27))
    seeds.append(u8(S.TLS_ON) + u8(S.AUTO) + u8(S.LINE) + u8(8) + u8(S.SUPPLY) + u8(1)
                 + s_send(b"Yz1iaXdzLHI9Znlrbytk\r\n"))
    # Failed logins: delays by the timer, then the cut-off.
    seeds.append(u8(S.TLS_ON) + u8(S.AUTO) + (u8(S.LINE) + u8(4) + u8(S.TIME) + u16(0)) * 5)
    # Cross-protocol: an HTTP request to the IMAP port.
    seeds.append(u8(0) + u8(0) + s_send(b"GET / HTTP/1.1\r\nHost: imap.example.com\r\nAccept: */*\r\n\r\n"))
    # Refused literals (RFC 7888 §4, §5): every planted kind, in and out of the limits.
    for k, n in enumerate([10, 1500, 4200, 6500, 900, 30, 2000, 5000, 100]):
        for setup in (S.TLS_ON | S.PREAUTH, S.TLS_ON | S.LITERAL_PLUS, S.LITERAL_NONE):
            seeds.append(u8(setup) + u8(S.AUTO) + u8(S.PLANT) + u8(k) + u16(n) + u8(S.LINE) + u8(1))
    # COMPRESS after login, then compressed commands; IDLE with updates and DONE.
    seeds.append(u8(S.TLS_ON | S.COMPRESS) + u8(S.AUTO) + u8(S.LINE) + u8(3) + u8(S.LINE) + u8(24)
                 + u8(S.LINE) + u8(12) + u8(S.LINE) + u8(21) + u8(S.UNSOLICITED) + u8(2) + u8(1) + u16(0)
                 + u8(S.LINE) + u8(22) + u8(S.LINE) + u8(26))
    # Autologout, IDLE maximum, BYE by the application.
    seeds.append(u8(S.TLS_ON) + u8(S.AUTO) + u8(S.TIME) + u16(61))
    seeds.append(u8(S.TLS_ON | S.PREAUTH) + u8(S.AUTO) + u8(S.LINE) + u8(21) + u8(S.TIME) + u16(0) + u8(S.BYE))
    # A slow reader: output piles up to max_output, then the server stops reading.
    seeds.append(u8(S.TLS_ON | S.PREAUTH) + u8(S.SLOW | S.AUTO) + s_send(b"a LIST \"\" *\r\n" * 200)
                 + u8(S.TRANSMIT) + u8(S.PUMP) + u8(0))
    return seeds


class P:
    """pair operation kinds (imap-state/src/fuzzing/pair.rs)."""
    CLIENT, DELIVER, RESPOND, DATA, UNSOLICITED, DECIDE, SUPPLY, TIME, DROP, DRIVE, BYE, NEXT_TIMER = range(12)
    # Client calls (CLIENT's first field).
    ENQUEUE, LOGIN, AUTH, IDLE, DONE, STARTTLS, COMPRESS, LOGOUT, CLOSE, QRESYNC = range(10)
    # Pair setup bits.
    TLS_ON, AUTO = 1, 2


def p_call(which, param=0):
    return u8(P.CLIENT) + u8(which) + u8(param)


def pair_seeds():
    """Whole sessions between the Client and the Server: STARTTLS, every
    SASL mechanism, SELECT/FETCH/STORE/EXPUNGE, IDLE with refresh, COMPRESS,
    LOGOUT; in whole and cut deliveries, with drops and timers."""
    drive = u8(P.DRIVE)
    select, fetch, store, expunge = p_call(P.ENQUEUE, 2), p_call(P.ENQUEUE, 5), p_call(P.ENQUEUE, 10), \
        p_call(P.ENQUEUE, 16)
    seeds = []
    # Client setup: bit 3 plaintext credentials; server setup: COMPRESS offered.
    for auth in [p_call(P.LOGIN, 0)] + [p_call(P.AUTH, k) for k in range(9)]:
        seeds.append(u8(0) + u8(S.COMPRESS) + u8(P.AUTO) + drive + auth + drive + select + drive + fetch
                     + drive + p_call(P.LOGOUT) + drive)
    seeds.append(u8(C.TLS_ON) + u8(S.COMPRESS) + u8(P.TLS_ON | P.AUTO) + drive + p_call(P.LOGIN) + drive
                 + p_call(P.COMPRESS) + drive + select + drive + store + fetch + expunge + drive
                 + p_call(P.IDLE) + drive + u8(P.UNSOLICITED) + u8(0) + u8(9) + u16(0) + drive
                 + u8(P.NEXT_TIMER) + drive + p_call(P.DONE) + drive + p_call(P.ENQUEUE, 33) + drive)
    # Deliveries a few bytes at a time, the application answering by hand.
    seeds.append(u8(C.TLS_ON) + u8(0) + u8(P.TLS_ON) + p_call(P.LOGIN) + (u8(P.DELIVER) + u8(3) + u8(5)) * 12
                 + u8(P.DECIDE) + u8(0) + drive + select + drive + u8(P.DATA) + u8(0) + u8(0) + u8(4) + u16(0)
                 + u8(P.RESPOND) + u8(0) + u8(0) + u8(6) + u16(7) + drive + p_call(P.QRESYNC) + drive)
    # Drops: in the middle of a login, after LOGOUT was sent, during IDLE.
    seeds.append(u8(0) + u8(0) + u8(P.AUTO) + drive + p_call(P.LOGIN) + u8(P.DELIVER) + u8(4) + u8(0)
                 + u8(P.DROP) + u8(0))
    seeds.append(u8(C.TLS_ON) + u8(0) + u8(P.TLS_ON | P.AUTO) + drive + p_call(P.LOGIN) + drive
                 + p_call(P.LOGOUT) + u8(P.DELIVER) + u8(0) + u8(0) + u8(P.DROP) + u8(2))
    seeds.append(u8(C.TLS_ON) + u8(0) + u8(P.TLS_ON | P.AUTO) + drive + p_call(P.LOGIN) + drive + select + drive
                 + p_call(P.IDLE) + drive + u8(P.TIME) + u16(1800) + drive + u8(P.DROP) + u8(1))
    # Timers: autologout of an idle unauthenticated connection; failed logins.
    seeds.append(u8(0) + u8(0) + u8(P.AUTO) + drive + u8(P.NEXT_TIMER) + drive + u8(P.NEXT_TIMER))
    seeds.append(u8(C.TLS_ON) + u8(0) + u8(P.TLS_ON | P.AUTO) + drive
                 + (p_call(P.LOGIN, 1) + drive + u8(P.NEXT_TIMER) + drive) * 5)
    # STARTTLS by hand (policy Never), UNAUTHENTICATE, ENABLE, BYE by the server.
    seeds.append(u8(C.NEVER) + u8(0) + u8(P.AUTO) + drive + p_call(P.STARTTLS) + drive + p_call(P.LOGIN) + drive
                 + p_call(P.ENQUEUE, 27) + drive + p_call(P.ENQUEUE, 32) + drive + u8(P.BYE) + drive)
    return seeds


if __name__ == "__main__":
    main()
