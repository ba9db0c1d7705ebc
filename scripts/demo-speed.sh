#!/usr/bin/env bash
# Speed of fetching a mailbox's metadata (issue 11 "Speed"): our client's
# `sync` against mbsync and imapflow, all reading the same seeded Dovecot
# INBOX over implicit TLS on loopback, one run each, on this machine.
#
#   scripts/demo-speed.sh [MESSAGES]     (default 3000)
#
# Prints a table: tool, what it fetches, messages, seconds, messages/s.
#  - client: `cargo run --release --example client -- sync INBOX`
#    (UID FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE BODYSTRUCTURE));
#  - imapflow: fetch('1:*', {uid, flags, size, envelope, bodyStructure});
#  - mbsync: a full mirror into a local Maildir (bodies included: mbsync
#    has no metadata-only mode; its first step lists UID, FLAGS, SIZE).
# Needs dovecot-imapd, isync, node + npm (examples/tests/js), python3.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-3000}
PORT=12300 TLS_PORT=12301
D=/tmp/imap-interop-demo-speed
W=$(mktemp -d /tmp/demo-speed.XXXXXX)
trap 'rm -rf "$W"' EXIT

IMAP_PORT=$PORT IMAPS_PORT=$TLS_PORT bash scripts/dovecot.sh start "$D" >/dev/null
CA=$D/tls/ca.pem

# Seed INBOX with N messages (once: a reused instance keeps them).
python3 - "$CA" "$TLS_PORT" "$N" <<'PY'
import imaplib, ssl, sys
ca, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
m = imaplib.IMAP4_SSL("localhost", port, ssl_context=ssl.create_default_context(cafile=ca))
m.login("alice", "secret")
have = int(m.select("INBOX")[1][0])
for i in range(have, n):
    body = ("From: Sender %d <s%d@example.org>\r\nTo: alice@example.org\r\n"
            "Subject: message %d of the speed test\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\n"
            "Message-ID: <speed-%d@example.org>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/alternative; boundary=b\r\n\r\n"
            "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello %d\r\n"
            "--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>hello %d</p>\r\n--b--\r\n"
            % (i, i, i, i, i, i)) + "x" * (i % 2000) + "\r\n"
    m.append("INBOX", "(\\Seen)" if i % 3 else None, None, body.encode())
print("seeded: %d messages" % int(m.select("INBOX")[1][0]), file=sys.stderr)
m.logout()
PY

row() { printf '%-10s %-52s %8s %9s %10s\n' "$@"; }
row tool fetches messages seconds "msgs/s"

# Our client (release build).
cargo build --release -q -p imap-examples --example client
out=$(IMAP_PASSWORD=secret ./target/release/examples/client --tls --host localhost \
    --port $TLS_PORT --ca "$CA" --user alice sync INBOX | tail -1)
msgs=$(sed -E 's/.*messages: ([0-9]+).*/\1/' <<<"$out")
secs=$(sed -E 's/.*seconds: ([0-9.]+).*/\1/' <<<"$out")
row client "UID FLAGS RFC822.SIZE ENVELOPE BODYSTRUCTURE" "$msgs" "$secs" \
    "$(python3 -c "print(round($msgs / $secs))")"

# imapflow (npm ci from the committed lock file if needed).
[ -d examples/tests/js/node_modules/imapflow ] ||
    (cd examples/tests/js && npm ci --no-audit --no-fund --silent)
out=$(cd examples/tests/js && node - "$TLS_PORT" "$CA" <<'JS'
const fs = require('fs');
const { ImapFlow } = require('imapflow');
const [port, ca] = process.argv.slice(2);
(async () => {
  const c = new ImapFlow({ host: 'localhost', port: Number(port), secure: true,
    tls: { ca: [fs.readFileSync(ca)] }, auth: { user: 'alice', pass: 'secret' }, logger: false });
  const start = process.hrtime.bigint();
  await c.connect();
  const lock = await c.getMailboxLock('INBOX', { readOnly: true });
  let n = 0;
  for await (const m of c.fetch('1:*', { uid: true, flags: true, size: true, envelope: true, bodyStructure: true })) n++;
  lock.release();
  await c.logout();
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(n + ' ' + secs.toFixed(3));
})().catch((e) => { console.error(e); process.exit(1); });
JS
)
read -r msgs secs <<<"$out"
row imapflow "uid flags size envelope bodyStructure" "$msgs" "$secs" \
    "$(python3 -c "print(round($msgs / $secs))")"

# mbsync: mirror into a fresh local Maildir.
mkdir -p "$W/maildir" "$W/state"
cat >"$W/mbsyncrc" <<RC
IMAPAccount dovecot
Host localhost
Port $TLS_PORT
User alice
Pass secret
SSLType IMAPS
CertificateFile $CA
AuthMechs PLAIN

IMAPStore far
Account dovecot

MaildirStore near
Path $W/maildir/
Inbox $W/maildir/INBOX

Channel mirror
Far :far:
Near :near:
Patterns INBOX
Create Near
Sync Pull
SyncState $W/state/
RC
start=$(date +%s.%N)
mbsync -q -c "$W/mbsyncrc" mirror
end=$(date +%s.%N)
msgs=$(find "$W/maildir/INBOX" -type f -path '*/cur/*' -o -type f -path '*/new/*' | wc -l)
secs=$(python3 -c "print(round($end - $start, 3))")
row mbsync "whole messages (mirror to a local Maildir)" "$msgs" "$secs" \
    "$(python3 -c "print(round($msgs / $secs))")"
