//! The demo server's mailbox synchronisation as multi-device
//! clients rely on it: UIDs and their persistence, notifications to other
//! sessions (NOOP, IDLE) and message numbering, CONDSTORE, SEARCH and
//! ESEARCH, shared mailboxes with ACLs, and mailbox names in Japanese for
//! IMAP4rev1 (modified UTF-7) and IMAP4rev2 (UTF-8) clients.
//!
//! Each test proves one property that holds. Those whose doc starts with
//! "Was a bug" found a defect (they were `#[ignore = "BUG: ..."]` until it
//! was fixed) and assert the behaviour the RFCs require.
//!
//! The servers listen on the loopback ports 12300-12339.

mod demo_util;

use demo_util::imap::{exists, expunge_seq, fetch_seq, listed, unquote, Imap};
use demo_util::{DemoServer, Restartable};

// ---------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------

/// A demo server on `port` (STARTTLS) and `port + 1` (implicit TLS).
fn start(name: &str, port: u16) -> DemoServer {
    demo_util::start(&format!("sync-review-{name}"), port)
}

// ---------------------------------------------------------------------------
// A raw IMAP client
// ---------------------------------------------------------------------------

/// What these tests add to the shared raw session.
trait Append {
    /// APPEND of one message: the `APPENDUID` validity and UID.
    fn append(&mut self, mailbox: &str, flags: &str, message: &[u8]) -> (u32, u32);
}

impl Append for Imap {
    fn append(&mut self, mailbox: &str, flags: &str, message: &[u8]) -> (u32, u32) {
        let (_, done) = self.cmd_literal(&format!("APPEND {mailbox} ({flags})"), message);
        appenduid(&done).unwrap_or_else(|| panic!("APPEND {mailbox}: {done}"))
    }
}

// ---------------------------------------------------------------------------
// Reading responses
// ---------------------------------------------------------------------------

fn msg(n: usize) -> Vec<u8> {
    demo_util::message(n)
}

/// A message with the given header fields and body (CRLF line ends).
fn mail(headers: &str, body: &str) -> Vec<u8> {
    format!("{headers}\n\n{body}\n")
        .replace('\n', "\r\n")
        .into_bytes()
}

/// The digits after `key ` (or `key (`) in `line`.
fn number_after(line: &str, key: &str) -> Option<u64> {
    let mut from = 0;
    while let Some(i) = line[from..].find(key) {
        let at = from + i;
        let before_ok = at == 0 || !line.as_bytes()[at - 1].is_ascii_alphanumeric();
        let rest = &line[at + key.len()..];
        let rest = rest
            .strip_prefix(" (")
            .or_else(|| rest.strip_prefix(' '))
            .unwrap_or("");
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if before_ok && !digits.is_empty() {
            return digits.parse().ok();
        }
        from = at + key.len();
    }
    None
}

fn number(lines: &[String], key: &str) -> Option<u64> {
    lines.iter().find_map(|l| number_after(l, key))
}

/// The FLAGS list of a FETCH line.
fn flags_of(line: &str) -> Option<String> {
    let at = line.find("FLAGS (")? + 7;
    let end = line[at..].find(')')?;
    Some(line[at..at + end].to_string())
}

/// `[APPENDUID v u]`
fn appenduid(done: &str) -> Option<(u32, u32)> {
    let at = done.find("[APPENDUID ")? + 11;
    let mut it = done[at..].split([' ', ']']);
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
}

/// `[COPYUID v src dst]`
fn copyuid(text: &str) -> Option<(u32, String, String)> {
    let at = text.find("[COPYUID ")? + 9;
    let mut it = text[at..].split([' ', ']']);
    Some((
        it.next()?.parse().ok()?,
        it.next()?.to_string(),
        it.next()?.to_string(),
    ))
}

/// The numbers of a `* SEARCH` line.
fn search_numbers(lines: &[String]) -> Vec<u32> {
    let line = lines
        .iter()
        .find(|l| l.starts_with("* SEARCH"))
        .unwrap_or_else(|| panic!("no SEARCH response: {lines:?}"));
    line["* SEARCH".len()..]
        .split(' ')
        .take_while(|w| !w.starts_with('('))
        .filter_map(|w| w.parse().ok())
        .collect()
}

/// What a client knows of the selected mailbox: the UID of each message
/// number (0 while unknown), kept up to date from the responses in the
/// order they come. Panics on a response that contradicts it.
#[derive(Debug)]
struct Model {
    uids: Vec<u32>,
}

impl Model {
    fn new(uids: &[u32]) -> Self {
        Self {
            uids: uids.to_vec(),
        }
    }

    fn apply(&mut self, line: &str, context: &[String]) {
        if let Some(n) = expunge_seq(line) {
            assert!(
                (1..=self.uids.len()).contains(&n),
                "EXPUNGE {n} beyond {} messages: {context:#?}",
                self.uids.len()
            );
            self.uids.remove(n - 1);
        } else if let Some(n) = exists(line) {
            assert!(
                n >= self.uids.len(),
                "EXISTS {n} below the {} messages the client has: {context:#?}",
                self.uids.len()
            );
            self.uids.resize(n, 0);
        } else if let Some(n) = fetch_seq(line) {
            assert!(
                (1..=self.uids.len()).contains(&n),
                "FETCH {n} beyond {} messages: {context:#?}",
                self.uids.len()
            );
            if let Some(uid) = number_after(line, "UID") {
                let known = &mut self.uids[n - 1];
                assert!(
                    *known == 0 || u64::from(*known) == uid,
                    "message {n} is UID {known} for the client, the server says UID {uid} \
                     in {line:?}: {context:#?}"
                );
                *known = uid as u32;
            }
        }
    }

    fn apply_all(&mut self, lines: &[String]) {
        for l in lines {
            self.apply(l, lines);
        }
    }
}

// ---------------------------------------------------------------------------
// UIDs
// ---------------------------------------------------------------------------

/// APPENDUID, COPYUID and MOVE's COPYUID (RFC 4315 §3, RFC 6851 §4.3) name
/// the UIDs a later UID FETCH shows, in matching order; UIDs ascend and are
/// never reused, also after the highest one was expunged and the server
/// restarted; UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ survive the restart.
#[test]
fn uids_copyuid_move_and_restart_agree() {
    let mut demo = Restartable::new("sync-review-uids");
    demo.launch(12330);
    let mut a = demo.login("alice");
    a.ok("CREATE Dest");
    let mut appended = Vec::new();
    for n in 1..=3 {
        appended.push(a.append("INBOX", "", &msg(n)));
    }
    let validity = appended[0].0;
    assert_eq!(
        appended,
        vec![(validity, 1), (validity, 2), (validity, 3)],
        "APPENDUID"
    );
    a.ok("SELECT INBOX");
    // Another session of the same user watches INBOX.
    let mut w = demo.login("alice");
    w.ok("SELECT INBOX");
    let mut watch = Model::new(&[1, 2, 3]);

    // COPY 3,1 keeps the order of the source set in COPYUID.
    let (_, done) = a.cmd("UID COPY 3,1 Dest");
    let (dv, src, dst) = copyuid(&done).unwrap_or_else(|| panic!("{done}"));
    let pairs: Vec<(String, String)> = src
        .split(',')
        .map(str::to_string)
        .zip(dst.split(',').map(str::to_string))
        .collect();
    assert_eq!(pairs.len(), 2, "{done}");
    // MOVE 2: the COPYUID in an untagged OK before the EXPUNGE.
    let (lines, done) = a.cmd("MOVE 2 Dest");
    assert!(done.starts_with("OK"), "{done}");
    let ok_at = lines
        .iter()
        .position(|l| l.starts_with("* OK [COPYUID "))
        .unwrap_or_else(|| panic!("{lines:?}"));
    let exp_at = lines.iter().position(|l| l == "* 2 EXPUNGE").unwrap();
    assert!(ok_at < exp_at, "{lines:?}");
    let (mv, msrc, mdst) = copyuid(&lines[ok_at]).unwrap();
    assert_eq!((mv, msrc.as_str()), (dv, "2"));

    // The watcher hears of the move exactly once.
    let lines = w.ok("NOOP");
    watch.apply_all(&lines);
    assert_eq!(watch.uids, vec![1, 3], "{lines:?}");
    assert!(w.ok("NOOP").is_empty());

    // Each destination UID holds the message its source UID named.
    let mut expected: Vec<(u32, u32)> = pairs
        .iter()
        .map(|(s, d)| (s.parse().unwrap(), d.parse().unwrap()))
        .collect();
    expected.push((2, mdst.parse().unwrap()));
    a.ok("SELECT Dest");
    for (src_uid, dst_uid) in &expected {
        let lines = a.ok(format!(
            "UID FETCH {dst_uid} (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"
        ));
        assert!(
            lines
                .iter()
                .any(|l| l.contains(&format!("<{src_uid}@example.org>"))
                    && number_after(l, "UID") == Some(u64::from(*dst_uid))),
            "UID {dst_uid} should be the copy of {src_uid}: {lines:?}"
        );
    }
    let mut dst_uids: Vec<u32> = expected.iter().map(|e| e.1).collect();
    dst_uids.sort_unstable();
    assert_eq!(dst_uids, vec![1, 2, 3]);

    // Expunge the highest UID, then restart.
    a.ok("UID STORE 3 +FLAGS.SILENT (\\Deleted)");
    a.ok("EXPUNGE");
    a.ok("UNSELECT");
    let before = a.ok("STATUS Dest (UIDVALIDITY UIDNEXT MESSAGES HIGHESTMODSEQ)");
    assert_eq!(number(&before, "UIDNEXT"), Some(4), "{before:?}");
    drop((a, w));
    demo.launch(12332);
    let mut a = demo.login("alice");
    let after = a.ok("STATUS Dest (UIDVALIDITY UIDNEXT MESSAGES HIGHESTMODSEQ)");
    assert_eq!(before, after, "STATUS across a restart");
    let (v, uid) = a.append("Dest", "", &msg(9));
    assert_eq!((v, uid), (dv, 4), "UID 3 is not reused");
    let lines = a.ok("SELECT Dest");
    assert_eq!(number(&lines, "UIDVALIDITY"), Some(u64::from(dv)));
    let lines = a.ok("FETCH 1:* (UID)");
    let uids: Vec<u64> = lines
        .iter()
        .filter_map(|l| number_after(l, "UID"))
        .collect();
    assert_eq!(uids, vec![1, 2, 4], "{lines:?}");
    let hms = number(&after, "HIGHESTMODSEQ").unwrap();
    let lines = a.ok("FETCH 3 (MODSEQ)");
    assert!(
        number(&lines, "MODSEQ").unwrap() > hms,
        "the append after the restart has a higher MODSEQ: {lines:?}"
    );
}

// ---------------------------------------------------------------------------
// Notifications and message numbers
// ---------------------------------------------------------------------------

/// Changes by another session reach a session exactly once, in an order
/// that keeps message numbers consistent: at NOOP, and pushed during IDLE.
/// A FETCH, STORE or SEARCH by message number carries no EXPUNGE (RFC 9051
/// §7.5.1); the expunged message stays numbered until a NOOP reports it.
#[test]
fn other_sessions_changes_arrive_once_and_numbers_stay_consistent() {
    let demo = start("notify", 12300);
    let mut a = Imap::of(&demo, "alice");
    for n in 1..=3 {
        a.append("INBOX", "", &msg(n));
    }
    a.ok("SELECT INBOX");
    let mut b = Imap::of(&demo, "alice");
    b.ok("SELECT INBOX");
    let mut model = Model::new(&[1, 2, 3]);

    b.ok("STORE 1 +FLAGS (\\Flagged)");
    b.append("INBOX", "", &msg(4));
    b.ok("STORE 2 +FLAGS.SILENT (\\Deleted)");
    b.ok("EXPUNGE");

    for command in ["FETCH 1:* (UID)", "STORE 3 +FLAGS (\\Seen)", "SEARCH ALL"] {
        let lines = a.ok(command);
        assert!(
            !lines.iter().any(|l| l.ends_with(" EXPUNGE")),
            "{command}: {lines:?}"
        );
        model.apply_all(&lines);
    }
    // The FETCH ran before the EXISTS told of UID 4.
    assert_eq!(
        model.uids,
        vec![1, 2, 3, 0],
        "the EXISTS came, not the EXPUNGE"
    );
    let lines = a.ok("NOOP");
    model.apply_all(&lines);
    assert_eq!(lines, vec!["* 2 EXPUNGE".to_string()]);
    assert_eq!(model.uids, vec![1, 3, 0]);
    let lines = a.ok("FETCH 3 (UID)");
    model.apply_all(&lines);
    assert_eq!(model.uids, vec![1, 3, 4]);
    assert!(a.ok("NOOP").is_empty(), "each change once");

    // IDLE: changes are pushed as they happen.
    let tag = a.next_tag();
    a.send(format!("{tag} IDLE\r\n").as_bytes());
    assert!(a.line().starts_with("+ "));
    b.ok("UID STORE 4 +FLAGS (\\Answered)");
    let l = a.line();
    model.apply(&l, std::slice::from_ref(&l));
    assert_eq!(fetch_seq(&l), Some(3), "{l}");
    assert!(flags_of(&l).unwrap().contains("\\Answered"), "{l}");
    b.ok("UID STORE 1 +FLAGS.SILENT (\\Deleted)");
    b.ok("EXPUNGE");
    let mut pushed = Vec::new();
    while !pushed.iter().any(|l: &String| l.ends_with("EXPUNGE")) {
        pushed.push(a.line());
    }
    b.append("INBOX", "", &msg(5));
    while !pushed.iter().any(|l: &String| l.ends_with("EXISTS")) {
        pushed.push(a.line());
    }
    a.send(b"DONE\r\n");
    let (rest, done) = a.wait(&tag);
    assert!(done.starts_with("OK"), "{done}");
    pushed.extend(rest);
    model.apply_all(&pushed);
    assert_eq!(model.uids, vec![3, 4, 0], "{pushed:?}");
    assert_eq!(
        pushed.iter().filter(|l| l.ends_with(" EXPUNGE")).count(),
        1,
        "{pushed:?}"
    );
    assert!(a.ok("NOOP").is_empty(), "nothing reported twice");
    let lines = a.ok("FETCH 1:* (UID)");
    model.apply_all(&lines);
    assert_eq!(model.uids, vec![3, 4, 5]);
}

/// Was a bug: a client may pipeline NOOP and a FETCH by message number
/// (RFC 9051 §5.5). The session holds back the EXPUNGE that the NOOP
/// reports while the FETCH is in flight (RFC 9051 §7.5.1), but the demo had
/// already renumbered its view: the FETCH was answered with the numbers
/// after the expunge, before the client had been told of it, so message 3
/// came back with the UID of message 4 (RFC 9051 §7.5.1, §2.3.1.2: message
/// numbers change only with an EXPUNGE the client has received). The view
/// now keeps the message's number until the held EXPUNGE goes out.
#[test]
fn pipelined_noop_and_fetch_keep_the_clients_numbering() {
    let demo = start("pipeline", 12302);
    let mut a = Imap::of(&demo, "alice");
    for n in 1..=4 {
        a.append("INBOX", "", &msg(n));
    }
    a.ok("SELECT INBOX");
    let mut b = Imap::of(&demo, "alice");
    b.ok("SELECT INBOX");
    b.ok("STORE 2 +FLAGS.SILENT (\\Deleted)");
    b.ok("EXPUNGE");

    a.send(b"p1 NOOP\r\np2 FETCH 3 (UID)\r\n");
    let mut lines = Vec::new();
    let mut done = 0;
    while done < 2 {
        let l = a.line();
        done += usize::from(l.starts_with("p1 ") || l.starts_with("p2 "));
        lines.push(l);
    }
    let mut model = Model::new(&[1, 2, 3, 4]);
    model.apply_all(&lines);
    assert_eq!(model.uids, vec![1, 3, 4], "{lines:?}");
    // The EXPUNGE came once, and the numbers after it hold.
    assert!(a.ok("NOOP").is_empty());
    let lines = a.ok("FETCH 2 (UID)");
    model.apply_all(&lines);
    assert_eq!(lines.len(), 1, "{lines:?}");

    // A UID FETCH between them: its answer is queued behind the held
    // EXPUNGE, so it numbers the message as the client will after it.
    b.ok("UID STORE 3 +FLAGS.SILENT (\\Deleted)");
    b.ok("EXPUNGE");
    a.send(b"q1 NOOP\r\nq2 UID FETCH 4 (UID)\r\nq3 FETCH 3 (UID)\r\n");
    let mut lines = Vec::new();
    let mut done = 0;
    while done < 3 {
        let l = a.line();
        done += usize::from(["q1 ", "q2 ", "q3 "].iter().any(|t| l.starts_with(t)));
        lines.push(l);
    }
    model.apply_all(&lines);
    assert_eq!(model.uids, vec![1, 4], "{lines:?}");
    let fetched: Vec<&String> = lines.iter().filter(|l| fetch_seq(l).is_some()).collect();
    assert_eq!(fetched.len(), 2, "{lines:?}");
    assert!(a.ok("NOOP").is_empty());
}

/// Was a bug: STORE .SILENT by one session right after another session
/// changed the same message's flags: the change from the other session was
/// never reported. The STORE raised the session's view of the message to
/// its new mod-sequence, which hid the earlier external change from the
/// later NOOP; the STORE now reports it. RFC 9051 §6.4.6: "Regardless of whether or not the .SILENT suffix
/// was used, the server SHOULD send an untagged FETCH response if a change
/// to a message's flags from an external source is observed."
#[test]
fn silent_store_does_not_swallow_another_sessions_flag_change() {
    let demo = start("silent", 12304);
    let mut a = Imap::of(&demo, "alice");
    a.append("INBOX", "", &msg(1));
    a.ok("SELECT INBOX");
    let mut b = Imap::of(&demo, "alice");
    b.ok("SELECT INBOX");
    b.ok("STORE 1 +FLAGS (\\Flagged)");
    let mut seen = a.ok("STORE 1 +FLAGS.SILENT (\\Seen)");
    seen.extend(a.ok("NOOP"));
    // What the client now believes the flags of message 1 are.
    let last = seen
        .iter()
        .filter(|l| fetch_seq(l) == Some(1))
        .filter_map(|l| flags_of(l))
        .next_back();
    let server = a.ok("FETCH 1 (FLAGS)");
    assert!(
        last.as_deref().is_some_and(|f| f.contains("\\Flagged")),
        "A was never told of B's \\Flagged (A's responses: {seen:?}; flags now: {server:?})"
    );
}

// ---------------------------------------------------------------------------
// CONDSTORE (RFC 7162) and QRESYNC
// ---------------------------------------------------------------------------

/// MODSEQ grows with each change and not for a no-op STORE; HIGHESTMODSEQ
/// in SELECT and STATUS is the largest MODSEQ; FETCH CHANGEDSINCE returns
/// exactly the changed messages; STORE UNCHANGEDSINCE answers [MODIFIED]
/// with the messages changed since and changes the others; SEARCH MODSEQ.
#[test]
fn condstore_modseqs_changedsince_and_unchangedsince() {
    let demo = start("condstore", 12306);
    let mut a = Imap::of(&demo, "alice");
    for n in 1..=3 {
        a.append("INBOX", "", &msg(n));
    }
    let lines = a.ok("SELECT INBOX (CONDSTORE)");
    let h0 = number(&lines, "HIGHESTMODSEQ").unwrap();
    let mut b = Imap::of(&demo, "alice");
    let status = b.ok("STATUS INBOX (HIGHESTMODSEQ)");
    assert_eq!(number(&status, "HIGHESTMODSEQ"), Some(h0));
    let modseqs = |c: &mut Imap| -> Vec<u64> {
        c.ok("FETCH 1:* (MODSEQ)")
            .iter()
            .filter(|l| fetch_seq(l).is_some())
            .map(|l| number_after(l, "MODSEQ").unwrap())
            .collect()
    };
    let m0 = modseqs(&mut a);
    assert_eq!(m0.iter().max(), Some(&h0), "{m0:?}");

    b.ok("SELECT INBOX");
    b.ok("STORE 2 +FLAGS (\\Flagged)");
    // Setting a flag that is set changes nothing (RFC 7162 §3.1).
    b.ok("STORE 2 +FLAGS (\\Flagged)");
    let lines = a.ok(format!("FETCH 1:* (FLAGS) (CHANGEDSINCE {h0})"));
    let changed: Vec<usize> = lines.iter().filter_map(|l| fetch_seq(l)).collect();
    assert!(
        !changed.is_empty() && changed.iter().all(|&n| n == 2),
        "only message 2 changed: {lines:?}"
    );
    let m1 = modseqs(&mut a);
    assert_eq!(m1[0], m0[0]);
    assert_eq!(m1[2], m0[2]);
    assert!(m1[1] > h0, "{m1:?}");
    let h1 = m1[1];

    // UNCHANGEDSINCE h0: message 2 changed since, 1 and 3 did not.
    let (lines, done) = a.cmd(format!("STORE 1:3 (UNCHANGEDSINCE {h0}) +FLAGS (\\Seen)"));
    assert!(done.starts_with("OK [MODIFIED 2]"), "{done} {lines:?}");
    let stored: Vec<(usize, u64)> = lines
        .iter()
        .filter_map(|l| Some((fetch_seq(l)?, number_after(l, "MODSEQ")?)))
        .collect();
    assert_eq!(stored.iter().map(|s| s.0).collect::<Vec<_>>(), vec![1, 3]);
    assert!(stored.iter().all(|s| s.1 > h1), "{stored:?}");
    let m2 = modseqs(&mut a);
    assert_eq!(m2[1], h1, "message 2 untouched");
    let h2 = *m2.iter().max().unwrap();
    let status = b.ok("STATUS Sent (HIGHESTMODSEQ)");
    assert!(number(&status, "HIGHESTMODSEQ").is_some());
    b.ok("UNSELECT");
    let status = b.ok("STATUS INBOX (HIGHESTMODSEQ)");
    assert_eq!(number(&status, "HIGHESTMODSEQ"), Some(h2));
    // SEARCH MODSEQ: the messages changed since h1, with the highest.
    let lines = a.ok(format!("SEARCH MODSEQ {}", h1 + 1));
    assert_eq!(search_numbers(&lines), vec![1, 3], "{lines:?}");
    assert!(lines[0].ends_with(&format!("(MODSEQ {h2})")), "{lines:?}");
    // The same in a later session (a reconnecting client).
    let mut c = Imap::of(&demo, "alice");
    let lines = c.ok("SELECT INBOX (CONDSTORE)");
    assert_eq!(number(&lines, "HIGHESTMODSEQ"), Some(h2));
    let lines = c.ok(format!("UID FETCH 1:* (FLAGS) (CHANGEDSINCE {h1})"));
    let uids: Vec<u64> = lines
        .iter()
        .filter_map(|l| number_after(l, "UID"))
        .collect();
    assert_eq!(uids, vec![1, 3], "{lines:?}");
    assert!(lines.iter().all(|l| number_after(l, "MODSEQ").is_some()));
}

/// Was a bug: a FETCH of a body (without PEEK) sets `\Seen`, a metadata
/// change with a new mod-sequence. Once CONDSTORE is enabled the FETCH
/// response that reports the new FLAGS must carry the new MODSEQ (RFC 7162
/// §3.1: "The
/// server MUST then include mod-sequence data in all subsequent untagged
/// FETCH responses"; §3.2.4, which §3.1.4.2 asks CONDSTORE servers to
/// follow, names "a FETCH/UID FETCH that implicitly set the \Seen flag").
/// Without it the client's cached mod-sequence of the message stayed
/// behind.
#[test]
fn condstore_fetch_that_sets_seen_reports_the_new_modseq() {
    let demo = start("seen-modseq", 12308);
    let mut a = Imap::of(&demo, "alice");
    a.append("INBOX", "", &msg(1));
    a.ok("ENABLE CONDSTORE");
    let lines = a.ok("SELECT INBOX");
    let h0 = number(&lines, "HIGHESTMODSEQ").unwrap();
    let lines = a.ok("FETCH 1 (BODY[TEXT])");
    let fetch = lines
        .iter()
        .find(|l| fetch_seq(l) == Some(1))
        .unwrap_or_else(|| panic!("{lines:?}"));
    assert!(flags_of(fetch).unwrap().contains("\\Seen"), "{fetch}");
    let now = a.ok("FETCH 1 (MODSEQ)");
    let modseq = number(&now, "MODSEQ").unwrap();
    assert!(modseq > h0);
    assert_eq!(
        number_after(fetch, "MODSEQ"),
        Some(modseq),
        "the FETCH that set \\Seen: {fetch}"
    );
}

/// QRESYNC is advertised and enabled (since stop 33; before, the demo
/// offered CONDSTORE only and this test pinned the fallback), and
/// expunges then come as VANISHED (RFC 7162 §3.2.10; the QRESYNC details
/// are in `demo_qresync.rs`). Re-selecting closes the previous mailbox
/// with `[CLOSED]` (RFC 9051 §7.1) before the new mailbox's data.
#[test]
fn qresync_and_closed_on_reselect() {
    let demo = start("qresync", 12310);
    let mut a = Imap::of(&demo, "alice");
    let caps = a.ok("CAPABILITY");
    assert!(caps[0].contains("CONDSTORE"), "{caps:?}");
    assert!(caps[0].contains("QRESYNC"), "{caps:?}");
    let lines = a.ok("ENABLE QRESYNC CONDSTORE");
    assert!(
        lines.len() == 1 && lines[0].starts_with("* ENABLED") && lines[0].contains("QRESYNC"),
        "{lines:?}"
    );
    a.append("INBOX", "\\Deleted", &msg(1));
    a.append("INBOX", "", &msg(2));
    a.ok("SELECT INBOX");
    let lines = a.ok("SELECT Sent");
    let closed = lines
        .iter()
        .position(|l| l.starts_with("* OK [CLOSED]"))
        .unwrap_or_else(|| panic!("{lines:?}"));
    let exists = lines.iter().position(|l| l.ends_with(" EXISTS")).unwrap();
    assert!(closed < exists, "{lines:?}");
    assert_eq!(lines[exists], "* 0 EXISTS");
    // No implicit expunge by SELECT (RFC 9051 §6.3.2).
    let status = a.ok("STATUS INBOX (MESSAGES)");
    assert_eq!(number(&status, "MESSAGES"), Some(2));
    a.ok("SELECT INBOX");
    let lines = a.ok("EXPUNGE");
    assert_eq!(lines, vec!["* VANISHED 1".to_string()]);
}

// ---------------------------------------------------------------------------
// SEARCH
// ---------------------------------------------------------------------------

/// SEARCH by flags, keywords, UID ranges, internal and sent dates, header
/// fields and Japanese text (CHARSET UTF-8, a literal), and ESEARCH with
/// explicit return options.
#[test]
fn search_criteria_give_the_right_messages() {
    let demo = start("search", 12312);
    let mut a = Imap::of(&demo, "alice");
    let m1 = mail(
        "From: Taro <taro@example.jp>\nSubject: =?UTF-8?B?5Lya6K2w44Gu5LqI5a6a?=\n\
         Date: Mon, 7 Feb 1994 21:52:25 -0800\nX-Project: apollo\nContent-Type: text/plain; charset=utf-8",
        "明日の会議は十時からです。",
    );
    let m2 = mail(
        "From: Bob <bob@example.org>\nSubject: lunch\nDate: Tue, 1 Mar 2022 10:00:00 +0000",
        "pizza?",
    );
    let m3 = mail(
        "From: Carol <carol@example.org>\nSubject: report\nDate: Wed, 2 Mar 2022 10:00:00 +0000\n\
         X-Project: gemini",
        "numbers",
    );
    a.cmd_literal(
        "APPEND INBOX (\\Seen $Work) \"07-Feb-1994 21:52:25 -0800\"",
        &m1,
    );
    a.cmd_literal(
        "APPEND INBOX (\\Flagged) \"01-Mar-2022 10:00:00 +0000\"",
        &m2,
    );
    a.cmd_literal("APPEND INBOX () \"02-Mar-2022 10:00:00 +0000\"", &m3);
    a.ok("SELECT INBOX");
    let s = |a: &mut Imap, q: &str| search_numbers(&a.ok(q));
    assert_eq!(s(&mut a, "SEARCH SEEN"), vec![1]);
    assert_eq!(s(&mut a, "SEARCH UNSEEN"), vec![2, 3]);
    assert_eq!(s(&mut a, "SEARCH FLAGGED"), vec![2]);
    assert_eq!(s(&mut a, "SEARCH KEYWORD $Work"), vec![1]);
    assert_eq!(s(&mut a, "SEARCH UNKEYWORD $work"), vec![2, 3]);
    assert_eq!(s(&mut a, "UID SEARCH UID 2:*"), vec![2, 3]);
    assert_eq!(
        s(&mut a, "UID SEARCH UID 9:*"),
        vec![3],
        "n:* holds the last"
    );
    assert_eq!(s(&mut a, "SEARCH 2:* NOT UID 3"), vec![2]);
    assert_eq!(s(&mut a, "SEARCH SINCE 1-Mar-2022"), vec![2, 3]);
    assert_eq!(s(&mut a, "SEARCH BEFORE 2-Mar-2022"), vec![1, 2]);
    assert_eq!(s(&mut a, "SEARCH ON 2-Mar-2022"), vec![3]);
    assert_eq!(s(&mut a, "SEARCH SENTBEFORE 1-Jan-2000"), vec![1]);
    assert_eq!(s(&mut a, "SEARCH SENTON 1-Mar-2022"), vec![2]);
    assert_eq!(s(&mut a, "SEARCH HEADER X-Project gemini"), vec![3]);
    assert_eq!(s(&mut a, "SEARCH HEADER X-Project \"\""), vec![1, 3]);
    assert_eq!(s(&mut a, "SEARCH FROM carol"), vec![3]);
    assert_eq!(s(&mut a, "SEARCH OR FROM bob SUBJECT report"), vec![2, 3]);
    let tag = a.next_tag();
    let subject = "会議".as_bytes();
    let mut bytes = format!(
        "{tag} SEARCH CHARSET UTF-8 SUBJECT {{{}}}\r\n",
        subject.len()
    )
    .into_bytes();
    a.send(&bytes);
    assert!(a.line().starts_with("+ "));
    bytes = subject.to_vec();
    bytes.extend_from_slice(b"\r\n");
    a.send(&bytes);
    let (lines, done) = a.wait(&tag);
    assert!(done.starts_with("OK"), "{done}");
    assert_eq!(search_numbers(&lines), vec![1]);
    let body = "十時".as_bytes();
    let (lines, _) = a.cmd_literal("SEARCH CHARSET UTF-8 BODY", body);
    assert_eq!(search_numbers(&lines), vec![1]);
    let (lines, done) = a.cmd("SEARCH CHARSET ISO-2022-JP ALL");
    assert!(done.starts_with("NO [BADCHARSET"), "{done} {lines:?}");
    let lines = a.ok("SEARCH RETURN (MIN MAX COUNT) UNSEEN");
    assert_eq!(lines.len(), 1, "{lines:?}");
    let l = &lines[0];
    // The tag as an atom: see the report (RFC 4466 says string).
    assert!(l.starts_with("* ESEARCH (TAG "), "{l}");
    for part in ["MIN 2", "MAX 3", "COUNT 2"] {
        assert!(l.contains(part), "{l}");
    }
    assert!(!l.contains(" ALL "), "{l}");
    let lines = a.ok("UID SEARCH RETURN (ALL) SINCE 1-Mar-2022");
    assert!(lines[0].ends_with(" UID ALL 2:3"), "{lines:?}");
    let lines = a.ok("SEARCH RETURN (COUNT) DELETED");
    assert!(lines[0].ends_with(" COUNT 0"), "{lines:?}");
}

/// Was a bug: `SEARCH RETURN ()` means `RETURN (ALL)` (RFC 4731 §3.1: "If
/// the list of result options is empty, that requests the server to return
/// an ESEARCH response instead of the SEARCH response. This is equivalent
/// to "(ALL)"."; RFC 9051 §6.4.4 the same). The demo answered MIN, MAX and
/// COUNT as well (messages.rs: `wanted` was true for every option when the
/// list was empty, although its comment said ALL).
#[test]
fn search_return_empty_list_means_all() {
    let demo = start("esearch-empty", 12314);
    let mut a = Imap::of(&demo, "alice");
    for n in 1..=3 {
        a.append("INBOX", "", &msg(n));
    }
    a.ok("SELECT INBOX");
    let lines = a.ok("SEARCH RETURN () ALL");
    assert_eq!(lines.len(), 1, "{lines:?}");
    // The correlator (quoted or not), then the result items.
    let items = lines[0].split_once(") ").map(|x| x.1);
    assert_eq!(items, Some("ALL 1:3"), "{lines:?}");
}

/// Was a bug: after ENABLE IMAP4rev2 a SEARCH without RETURN answers with
/// ESEARCH (RFC 9051 §6.4.4: "If no result option is specified ..., ALL is
/// assumed", and "Clients that support only IMAP4rev2 MUST ignore SEARCH
/// responses"). The demo sent `* SEARCH`, which such a client ignores: it
/// saw no result at all.
#[test]
fn imap4rev2_search_answers_with_esearch() {
    let demo = start("rev2-search", 12316);
    let mut a = Imap::of(&demo, "alice");
    for n in 1..=2 {
        a.append("INBOX", "", &msg(n));
    }
    let lines = a.ok("ENABLE IMAP4rev2");
    assert_eq!(lines, vec!["* ENABLED IMAP4rev2".to_string()]);
    // RFC 9051 §6.3.2: SELECT answers with a LIST of the mailbox, and no
    // RECENT. Was a bug (fixed in stop 33): no LIST.
    let lines = a.ok("SELECT INBOX");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("* LIST (") && l.ends_with(") \"/\" INBOX")),
        "{lines:?}"
    );
    assert!(!lines.iter().any(|l| l.ends_with(" RECENT")), "{lines:?}");
    let lines = a.ok("UID SEARCH ALL");
    assert!(
        lines.len() == 1
            && lines[0].starts_with("* ESEARCH (TAG ")
            && lines[0].ends_with(" UID ALL 1:2"),
        "{lines:?}"
    );
}

// ---------------------------------------------------------------------------
// Shared mailboxes and ACLs
// ---------------------------------------------------------------------------

/// In `Shared/`, rights are enforced per command: bob with `lrs` may set
/// `\Seen` (and alice's IDLE hears of it) but neither keywords, `\Flagged`
/// nor `\Deleted` (ignored, RFC 4314 §4), may not EXPUNGE or MOVE out
/// (`e`, `t`), and PERMANENTFLAGS says so; MYRIGHTS and GETACL agree with
/// SETACL; without `l`/`r` the mailbox does not exist for him.
#[test]
fn shared_mailbox_rights_are_enforced_per_command() {
    let demo = start("acl", 12318);
    let mut a = Imap::of(&demo, "alice");
    let ns = a.ok("NAMESPACE");
    assert_eq!(
        ns,
        vec!["* NAMESPACE ((\"\" \"/\")) NIL ((\"Shared/\" \"/\"))"]
    );
    a.ok("CREATE Shared/Team");
    a.append("Shared/Team", "", &msg(1));
    a.append("Shared/Team", "\\Deleted", &msg(2));
    let mut b = Imap::of(&demo, "bob");
    let (_, done) = b.cmd("SELECT Shared/Team");
    assert!(done.starts_with("NO"), "no rights yet: {done}");
    a.ok("SETACL Shared/Team bob lrs");
    let acl = a.ok("GETACL Shared/Team");
    assert_eq!(
        acl,
        vec!["* ACL Shared/Team alice lrswipkxteacd bob lrs".to_string()]
    );
    assert_eq!(
        b.ok("MYRIGHTS Shared/Team"),
        vec!["* MYRIGHTS Shared/Team lrs".to_string()]
    );
    let (_, done) = b.cmd("GETACL Shared/Team");
    assert!(done.starts_with("NO"), "GETACL needs a: {done}");
    let (_, done) = b.cmd("SETACL Shared/Team bob lrswite");
    assert!(done.starts_with("NO"), "SETACL needs a: {done}");

    a.ok("SELECT Shared/Team");
    let lines = b.ok("SELECT Shared/Team");
    let perm = lines
        .iter()
        .find(|l| l.contains("[PERMANENTFLAGS"))
        .unwrap();
    assert!(perm.contains("[PERMANENTFLAGS (\\Seen)]"), "{perm}");
    let tag = a.next_tag();
    a.send(format!("{tag} IDLE\r\n").as_bytes());
    assert!(a.line().starts_with("+ "));
    let lines = b.ok("STORE 1 +FLAGS (\\Seen \\Flagged $Work)");
    assert_eq!(lines, vec!["* 1 FETCH (FLAGS (\\Seen))".to_string()]);
    let pushed = a.line();
    assert_eq!(pushed, "* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent))");
    a.send(b"DONE\r\n");
    let (rest, done) = a.wait(&tag);
    assert!(done.starts_with("OK") && rest.is_empty(), "{done} {rest:?}");
    b.ok("STORE 1 +FLAGS (\\Deleted)");
    let lines = b.ok("FETCH 1 (FLAGS)");
    assert_eq!(lines, vec!["* 1 FETCH (FLAGS (\\Seen))".to_string()]);
    for command in ["EXPUNGE", "UID EXPUNGE 2", "MOVE 2 INBOX"] {
        let (_, done) = b.cmd(command);
        assert!(done.starts_with("NO"), "{command}: {done}");
    }
    assert!(b.ok("NOOP").is_empty());
    let st = a.ok("STATUS Shared/Team (MESSAGES)");
    assert_eq!(number(&st, "MESSAGES"), Some(2));
    // COPY out only needs r here and i in the destination.
    let (_, done) = b.cmd("COPY 1 INBOX");
    assert!(done.contains("[COPYUID "), "{done}");
    // Rights granted later take effect at the next SELECT.
    a.ok("SETACL Shared/Team bob +te");
    b.ok("SELECT Shared/Team");
    let lines = b.ok("EXPUNGE");
    assert_eq!(lines, vec!["* 2 EXPUNGE".to_string()]);
    // Without rights the mailbox is not there for bob.
    a.ok("DELETEACL Shared/Team bob");
    let (_, done) = b.cmd("STATUS Shared/Team (MESSAGES)");
    assert!(done.starts_with("NO [NONEXISTENT]"), "{done}");
    let lines = b.ok("LIST \"\" \"Shared/*\"");
    assert!(lines.is_empty(), "{lines:?}");
}

/// Was a bug: LISTRIGHTS must say which rights "can be granted to the
/// identifier in the ACL for the mailbox" (RFC 4314 §3.4). For a personal
/// mailbox and another user the demo listed every right as grantable, yet
/// its SETACL refuses any change to a personal mailbox's ACL: a client's
/// sharing dialog offered rights that can never be set.
#[test]
fn listrights_agrees_with_setacl_on_personal_mailboxes() {
    let demo = start("listrights", 12320);
    let mut a = Imap::of(&demo, "alice");
    let lines = a.ok("LISTRIGHTS INBOX bob");
    let (_, done) = a.cmd("SETACL INBOX bob lr");
    assert!(done.starts_with("NO"), "{done}");
    assert_eq!(
        lines,
        vec!["* LISTRIGHTS INBOX bob \"\"".to_string()],
        "nothing can be granted to bob on alice's INBOX"
    );
}

// ---------------------------------------------------------------------------
// Japanese mailbox names
// ---------------------------------------------------------------------------

/// One mailbox seen by two clients: an IMAP4rev1 client names it in
/// modified UTF-7 (RFC 3501 §5.1.3), an IMAP4rev2 client in UTF-8 (RFC
/// 9051 §5.1) after ENABLE IMAP4rev2. CREATE, LIST, SELECT, APPEND, STATUS
/// and RENAME work with either form and both see the same mailbox.
/// (UTF8=ACCEPT is not offered, as the README says: ENABLE enables nothing.)
#[test]
fn japanese_mailbox_names_for_rev1_and_rev2_clients() {
    let demo = start("japanese", 12322);
    let memo = imapkit_proto::utf7::encode("日本語/メモ");
    let note = imapkit_proto::utf7::encode("日本語/ノート");
    assert_eq!(memo, "&ZeVnLIqe-/&MOEw4g-");
    let mut r1 = Imap::of(&demo, "alice");
    r1.ok(format!("CREATE \"{memo}\""));
    let lines = r1.ok("LIST \"\" \"*\"");
    let names = listed(&lines);
    assert!(names.contains(&memo), "{lines:?}");
    assert!(names.contains(&"&ZeVnLIqe-".to_string()), "{lines:?}");
    r1.append(&format!("\"{memo}\""), "", &msg(1));

    let mut r2 = Imap::of(&demo, "alice");
    let lines = r2.ok("ENABLE UTF8=ACCEPT");
    assert_eq!(lines, vec!["* ENABLED".to_string()], "not offered");
    r2.ok("ENABLE IMAP4rev2");
    let lines = r2.ok("LIST \"\" \"日本語/*\"");
    assert_eq!(listed(&lines), vec!["日本語/メモ".to_string()], "{lines:?}");
    let lines = r2.ok("SELECT \"日本語/メモ\"");
    assert!(lines.contains(&"* 1 EXISTS".to_string()), "{lines:?}");
    r2.append("\"日本語/メモ\"", "", &msg(2));
    r2.ok("UNSELECT");
    r2.ok("RENAME \"日本語/メモ\" \"日本語/ノート\"");
    let lines = r2.ok("STATUS \"日本語/ノート\" (MESSAGES)");
    assert_eq!(status_of(&lines), Some(("日本語/ノート".to_string(), 2)));

    let lines = r1.ok("LIST \"\" \"&ZeVnLIqe-/*\"");
    assert_eq!(listed(&lines), vec![note.clone()], "{lines:?}");
    let lines = r1.ok(format!("STATUS \"{note}\" (MESSAGES)"));
    assert_eq!(status_of(&lines), Some((note.clone(), 2)));
    let (_, done) = r1.cmd(format!("SELECT \"{memo}\""));
    assert!(done.starts_with("NO"), "the old name is gone: {done}");
    r1.ok(format!("SELECT \"{note}\""));
    let lines = r1.ok("FETCH 1:* (UID)");
    assert_eq!(lines.len(), 2, "{lines:?}");
    // A rev1 client may not send raw UTF-8 as a mailbox name.
    let (_, done) = r1.cmd("CREATE \"日本語/生\"");
    assert!(!done.starts_with("OK"), "{done}");
}

/// `* STATUS name (MESSAGES n)`: the name and n.
fn status_of(lines: &[String]) -> Option<(String, u64)> {
    let l = lines.iter().find(|l| l.starts_with("* STATUS "))?;
    let (name, items) = l["* STATUS ".len()..].rsplit_once(" (")?;
    Some((unquote(name), number_after(items, "MESSAGES")?))
}
