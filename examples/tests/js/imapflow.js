// imapflow against the demo server (run by demo_imapflow.rs):
//   node imapflow.js PORT CA_FILE
// Connects over implicit TLS trusting the demo's certificate, lists the
// mailboxes, appends and fetches (byte-exact), then IDLEs until another
// connection's APPEND arrives as EXISTS; with QRESYNC enabled, another
// connection's expunge arrives as VANISHED. Exits non-zero on any failure.
'use strict';
const fs = require('fs');
const { ImapFlow } = require('imapflow');

const [port, caFile] = process.argv.slice(2);
const options = (user, pass) => ({
  host: 'localhost',
  port: Number(port),
  secure: true,
  tls: { ca: [fs.readFileSync(caFile)] },
  auth: { user, pass },
  logger: false,
});

function check(cond, what) {
  if (!cond) throw new Error('check failed: ' + what);
}

const MESSAGE = Buffer.from(
  'From: Node <node@example.org>\r\nSubject: imapflow \u65e5\u672c\r\n\r\nhello from node\r\n',
  'utf8'
);

(async () => {
  const client = new ImapFlow(options('alice', 'wonderland'));
  await client.connect();
  const list = await client.list();
  const paths = list.map((m) => m.path);
  check(paths.includes('INBOX') && paths.includes('Sent'), 'list: ' + paths);
  check(list.find((m) => m.path === 'Sent').specialUse === '\\Sent', 'special use of Sent');

  const appended = await client.append('INBOX', MESSAGE, ['\\Seen']);
  check(appended.uid === 1, 'APPENDUID: ' + require('util').inspect(appended));

  let lock = await client.getMailboxLock('INBOX');
  let seen = 0;
  for await (const msg of client.fetch('1:*', { uid: true, flags: true, envelope: true, source: true, bodyStructure: true })) {
    seen++;
    check(msg.source.equals(MESSAGE), 'source byte-exact');
    check(msg.flags.has('\\Seen'), 'flags: ' + [...msg.flags]);
    check(msg.envelope.subject === 'imapflow \u65e5\u672c', 'envelope subject: ' + msg.envelope.subject);
    check(msg.bodyStructure.type === 'text/plain', 'body structure: ' + require('util').inspect(msg.bodyStructure));
  }
  check(seen === 1, 'fetched ' + seen);

  // IDLE (imapflow idles by itself once nothing else runs); another
  // connection appends, the EXISTS arrives as an 'exists' event.
  const exists = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no EXISTS during IDLE')), 20000);
    client.on('exists', (data) => {
      clearTimeout(timer);
      resolve(data);
    });
  });
  // idle() resolves when IDLE ends: start it, give it a moment to reach
  // the server.
  client.idle().catch(() => {});
  await new Promise((r) => setTimeout(r, 1000));
  const other = new ImapFlow(options('alice', 'wonderland'));
  await other.connect();
  await other.append('INBOX', Buffer.from('Subject: wake\r\n\r\nup\r\n'));
  await other.logout();
  const data = await exists;
  check(data.count === 2, 'exists count: ' + require('util').inspect(data));
  lock.release();
  await client.logout();

  // QRESYNC (RFC 7162): a client that enables it hears of another
  // connection's expunge as VANISHED, with the UID (imapflow's 'expunge'
  // event with vanished: true).
  const q = new ImapFlow({ ...options('alice', 'wonderland'), qresync: true });
  await q.connect();
  check(q.enabled.has('QRESYNC'), 'QRESYNC enabled: ' + [...q.enabled]);
  const qlock = await q.getMailboxLock('INBOX');
  const vanished = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no VANISHED during IDLE')), 20000);
    q.on('expunge', (gone) => {
      clearTimeout(timer);
      resolve(gone);
    });
  });
  q.idle().catch(() => {});
  await new Promise((r) => setTimeout(r, 1000));
  const deleter = new ImapFlow(options('alice', 'wonderland'));
  await deleter.connect();
  const dlock = await deleter.getMailboxLock('INBOX');
  await deleter.messageDelete('2', { uid: true });
  dlock.release();
  await deleter.logout();
  const gone = await vanished;
  check(gone.vanished === true && gone.uid === 2, 'expunge: ' + require('util').inspect(gone));
  qlock.release();
  await q.logout();
  console.log('imapflow: all checks passed');
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
