#!/usr/bin/env python3
"""Builds the fuzz seed corpora (fuzz/corpus/<target>/) from RFC examples and recorded sessions.

Usage: scripts/make-fuzz-corpus.py   (from the workspace root; rewrites the seed files it owns)

Seeds are named by the SHA-1 of their content, so re-running adds nothing twice.
"""
import glob
import hashlib
import os
import re

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


if __name__ == "__main__":
    main()
