//! Security and robustness review of the demo server (`examples/examples/server.rs`,
//! `examples/src/demo`, `examples/src/store`), driven like the other
//! `demo_*` tests: the `server` example as a program on loopback with a
//! fresh data directory, and a raw IMAP client over rustls that trusts the
//! server's self-signed certificate.
//!
//! The tests whose doc comments end "Was a bug" found a problem in the
//! review that the commit adding this file fixed; the others are
//! regression tests.

mod demo_util;

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use demo_util::USERS;
use imap_examples::blocking::tls_config;
use imap_examples::blocking::Stream;
use rustls::pki_types::ServerName;
use rustls::{ClientConnection, StreamOwned};

// ---------------------------------------------------------------------------
// The server as a program
// ---------------------------------------------------------------------------

/// A demo server started on ephemeral loopback ports (killed on drop).
struct Demo {
    dir: PathBuf,
    data: PathBuf,
    log: PathBuf,
    port: u16,
    tls_port: u16,
    child: Option<Child>,
}

impl Demo {
    fn start(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("imapkit-demo-sec-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("users"), USERS).unwrap();
        let mut demo = Self {
            data: dir.join("data"),
            log: dir.join("server.log"),
            dir,
            port: 0,
            tls_port: 0,
            child: None,
        };
        demo.launch();
        demo
    }

    /// Starts the server process on the data directory; waits until both
    /// listeners are up and learns their ports.
    fn launch(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let mut child = Command::new(demo_util::server_binary())
            .args(["--listen", "127.0.0.1:0", "--tls-listen", "127.0.0.1:0"])
            .arg("--users")
            .arg(self.dir.join("users"))
            .arg("--data")
            .arg(&self.data)
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start the demo server");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let (mut port, mut tls_port) = (0, 0);
        while port == 0 || tls_port == 0 {
            let line = rx
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| {
                    let _ = child.kill();
                    panic!("the demo server did not start: {}", self.log_text())
                });
            // "listening on 127.0.0.1:PORT (STARTTLS)" / "(implicit TLS)"
            if let Some(rest) = line.strip_prefix("listening on ") {
                let addr = rest.split(' ').next().unwrap();
                let p: u16 = addr.rsplit(':').next().unwrap().parse().unwrap();
                if rest.contains("implicit TLS") {
                    tls_port = p;
                } else {
                    port = p;
                }
            }
        }
        self.port = port;
        self.tls_port = tls_port;
        self.child = Some(child);
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Stops and starts the server on the same data directory.
    fn restart(&mut self) {
        self.stop();
        self.launch();
    }

    /// Whether the server process is still running.
    fn alive(&mut self) -> bool {
        match self.child.as_mut() {
            Some(c) => c.try_wait().unwrap().is_none(),
            None => false,
        }
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    /// Resident memory of the server process, in KiB.
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn cert(&self) -> PathBuf {
        self.data.join("tls/self-signed.pem")
    }

    /// A client over implicit TLS.
    fn tls(&self) -> Imap {
        Imap::tls(self.tls_port, &self.cert())
    }

    /// A client logged in as `user` over implicit TLS.
    fn login(&self, user: &str, password: &str) -> Imap {
        let mut c = self.tls();
        let (_, done) = c.cmd(&format!("LOGIN {user} {password}"));
        assert!(done.starts_with("OK"), "login {user}: {done}");
        c
    }

    /// Every path below the test directory (data directory, users file,
    /// log), relative to it.
    fn tree(&self) -> Vec<String> {
        let mut out = Vec::new();
        walk(&self.dir, &self.dir, &mut out);
        out.sort();
        out
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        self.stop();
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
        if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            walk(root, &p, out);
        }
    }
}

// ---------------------------------------------------------------------------
// A raw IMAP client
// ---------------------------------------------------------------------------

/// A line-oriented IMAP client: sends raw commands, collects responses
/// (a literal in a response is read into its line).
struct Imap {
    stream: Stream,
    buf: Vec<u8>,
    tag: u32,
    greeting: String,
}

fn tls_stream(tcp: TcpStream, ca: &Path) -> Stream {
    let config = tls_config(Some(ca)).unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let conn = ClientConnection::new(config, name).unwrap();
    Stream::Tls(Box::new(StreamOwned::new(conn, tcp)))
}

fn tcp(port: u16) -> TcpStream {
    let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    tcp.set_nodelay(true).unwrap();
    tcp
}

impl Imap {
    fn tls(port: u16, ca: &Path) -> Self {
        Self::with(tls_stream(tcp(port), ca))
    }

    fn plain(port: u16) -> Self {
        Self::with(Stream::Plain(tcp(port)))
    }

    fn with(stream: Stream) -> Self {
        let mut c = Self {
            stream,
            buf: Vec::new(),
            tag: 0,
            greeting: String::new(),
        };
        c.greeting = c.line().expect("greeting");
        c
    }

    /// STARTTLS on a plaintext connection.
    fn starttls(self, ca: &Path) -> Self {
        let mut c = self;
        let (_, done) = c.cmd("STARTTLS");
        assert!(done.starts_with("OK"), "{done}");
        let Stream::Plain(tcp) = c.stream else {
            panic!("already TLS")
        };
        Self {
            stream: tls_stream(tcp, ca),
            buf: Vec::new(),
            tag: c.tag,
            greeting: c.greeting,
        }
    }

    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)?;
        self.stream.flush()
    }

    /// One response line with its literals, without the final CRLF;
    /// `None` at the end of the stream.
    fn line(&mut self) -> Option<String> {
        let mut out = Vec::new();
        loop {
            let nl = loop {
                if let Some(p) = self.buf.windows(2).position(|w| w == b"\r\n") {
                    break p;
                }
                let mut chunk = [0u8; 16 * 1024];
                match self.stream.read(&mut chunk) {
                    Ok(0) | Err(_) => return None,
                    Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                }
            };
            let line: Vec<u8> = self.buf.drain(..nl + 2).take(nl).collect();
            out.extend_from_slice(&line);
            // A literal at the end of the line: `{n}`.
            let literal = line
                .strip_suffix(b"}")
                .and_then(|l| l.iter().rposition(|&b| b == b'{').map(|i| &l[i + 1..]))
                .and_then(|n| std::str::from_utf8(n).ok()?.parse::<usize>().ok());
            let Some(n) = literal else {
                return Some(String::from_utf8_lossy(&out).into_owned());
            };
            out.extend_from_slice(b"\r\n");
            while self.buf.len() < n {
                let mut chunk = [0u8; 64 * 1024];
                match self.stream.read(&mut chunk) {
                    Ok(0) | Err(_) => return None,
                    Ok(k) => self.buf.extend_from_slice(&chunk[..k]),
                }
            }
            out.extend(self.buf.drain(..n));
        }
    }

    fn next_tag(&mut self) -> String {
        self.tag += 1;
        format!("t{}", self.tag)
    }

    /// Reads until the completion of `tag`: the untagged lines and the
    /// completion without its tag (`"OK ..."`); `"EOF"` if the connection
    /// ended first.
    fn wait(&mut self, tag: &str) -> (Vec<String>, String) {
        let mut untagged = Vec::new();
        while let Some(l) = self.line() {
            if let Some(rest) = l.strip_prefix(tag).and_then(|r| r.strip_prefix(' ')) {
                return (untagged, rest.to_string());
            }
            untagged.push(l);
        }
        (untagged, "EOF".to_string())
    }

    /// Sends `TAG command` and waits for its completion.
    fn cmd(&mut self, command: &str) -> (Vec<String>, String) {
        let tag = self.next_tag();
        if self
            .send(format!("{tag} {command}\r\n").as_bytes())
            .is_err()
        {
            return (Vec::new(), "EOF".into());
        }
        self.wait(&tag)
    }

    /// Sends `TAG head {n+}CRLF<data> tail` (LITERAL+) and waits.
    fn cmd_literal(&mut self, head: &str, data: &[u8], tail: &str) -> (Vec<String>, String) {
        let tag = self.next_tag();
        let mut bytes = format!("{tag} {head} {{{}+}}\r\n", data.len()).into_bytes();
        bytes.extend_from_slice(data);
        bytes.extend_from_slice(tail.as_bytes());
        bytes.extend_from_slice(b"\r\n");
        if self.send(&bytes).is_err() {
            return (Vec::new(), "EOF".into());
        }
        self.wait(&tag)
    }

    /// APPEND of one message; the completion.
    fn append(&mut self, mailbox: &str, flags: &str, message: &[u8]) -> String {
        self.cmd_literal(&format!("APPEND {mailbox} ({flags})"), message, "")
            .1
    }
}

fn ok(r: &(Vec<String>, String)) -> bool {
    r.1.starts_with("OK")
}

fn msg(n: usize) -> Vec<u8> {
    demo_util::message(n)
}

/// The directory of `user`'s mailbox `name` (from the registry file).
fn mailbox_dir(demo: &Demo, user: &str, name: &str) -> PathBuf {
    let reg = std::fs::read_to_string(demo.data.join(user).join("mailboxes")).unwrap();
    for line in reg.lines() {
        let body = line.rsplit_once(" #").unwrap().0;
        let mut f = body.splitn(4, ' ');
        if let (Some("M"), Some(id), Some(_), Some(n)) = (f.next(), f.next(), f.next(), f.next()) {
            if n == name {
                return demo.data.join(user).join(id);
            }
        }
    }
    panic!("no mailbox {name} in {reg}")
}

/// The value of `KEY n` in the untagged lines (`MESSAGES 3`, `UIDVALIDITY 7`).
fn number(lines: &[String], key: &str) -> Option<u64> {
    lines.iter().find_map(|l| {
        let at = l.find(&format!("{key} "))? + key.len() + 1;
        let digits: String = l[at..].chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    })
}

/// The names of the `* LIST` lines.
fn listed(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| l.starts_with("* LIST "))
        .map(|l| {
            // `* LIST (attrs) "/" name`
            let after = &l[l.find(") \"/\" ").unwrap() + 6..];
            after.trim_matches('"').to_string()
        })
        .collect()
}

/// Asserts that every file-system entry added since `before` lies in a
/// mailbox directory of the data directory (`data/<user>/M<id>/...`) or is
/// the registry file: mailbox names never become paths.
fn assert_only_store_files(demo: &Demo, before: &[String]) {
    for p in demo.tree() {
        if before.contains(&p) || p == "server.log" {
            continue;
        }
        let parts: Vec<&str> = p.split('/').collect();
        let ok = parts.len() >= 3
            && parts[0] == "data"
            && ["alice", "bob", ".shared"].contains(&parts[1])
            && (parts[2] == "mailboxes" && parts.len() == 3
                || parts[2].starts_with('M')
                    && parts[2][1..]
                        .chars()
                        .all(|c| c.is_ascii_hexdigit() || c == 'x')
                    && (parts.len() == 3 || ["cur", "new", "tmp", "journal"].contains(&parts[3])));
        assert!(ok, "unexpected file-system entry {p:?}");
    }
}

// ---------------------------------------------------------------------------
// Mailbox names and the file system
// ---------------------------------------------------------------------------

/// Names that must be refused: dot levels (path traversal), empty levels
/// (absolute paths, `//`), wildcards, control characters and NUL (also as
/// modified UTF-7), modified UTF-7 that encodes `/` or `.` (not canonical),
/// and names over 512 bytes. Mailbox directories are named by id, so
/// even an accepted odd name (`..\x`, `~/x`) never becomes a path.
#[test]
fn mailbox_names_never_reach_the_file_system() {
    let demo = Demo::start("names");
    let mut c = demo.login("alice", "wonderland");
    let before = demo.tree();
    let abs = format!("/tmp/imapkit-sec-abs-{}", std::process::id());
    let refused = [
        "\"../x\"".to_string(),
        "\"..\"".into(),
        "\".\"".into(),
        "\"a/./b\"".into(),
        "\"INBOX/../../x\"".into(),
        "\"x/..\"".into(),
        format!("\"{abs}\""),
        "\"/\"".into(),
        "\"a//b\"".into(),
        "\"../*\"".into(),
        "\"%\"".into(),
        "\"&AAA-\"".into(),       // NUL
        "\"a&AAE-b\"".into(),     // U+0001
        "\"&AC8-etc\"".into(),    // "/" encoded: not canonical
        "\"&AC4ALg-/x\"".into(),  // ".." encoded
        "\"&AC4ALgAv-x\"".into(), // "../" encoded
        format!("\"{}\"", "a".repeat(513)),
    ];
    for name in &refused {
        let r = c.cmd(&format!("CREATE {name}"));
        assert!(!ok(&r), "CREATE {name}: {r:?}");
    }
    // Control characters and NUL in a literal.
    for raw in [&b"a\x01b"[..], b"a\x00b", b"a\r\nb", b"../\x7f"] {
        let r = c.cmd_literal("CREATE", raw, "");
        assert!(!ok(&r), "CREATE {raw:?}: {r:?}");
    }
    assert!(!Path::new(&abs).exists());
    // Odd but harmless names: kept in the registry only.
    let accepted = ["..\\x", "~/x", "a..b", ".hidden", "x/.y", "a:2,S"];
    for name in accepted {
        let quoted = name.replace('\\', "\\\\");
        let r = c.cmd(&format!("CREATE \"{quoted}\""));
        assert!(ok(&r), "CREATE {name}: {r:?}");
        let r = c.cmd(&format!("SELECT \"{quoted}\""));
        assert!(ok(&r), "SELECT {name}: {r:?}");
        assert_eq!(
            c.append(&format!("\"{quoted}\""), "", &msg(1)).get(..2),
            Some("OK")
        );
    }
    // The longest name (512 bytes) and a deep hierarchy are fine.
    let long = "a".repeat(512);
    assert!(ok(&c.cmd(&format!("CREATE {long}"))));
    let deep = vec!["d"; 100].join("/");
    assert!(ok(&c.cmd(&format!("CREATE \"{deep}\""))));
    let names = listed(&c.cmd("LIST \"\" *").0);
    for name in accepted {
        assert!(
            names.iter().any(|n| n.replace("\\\\", "\\") == name),
            "{name}: {names:?}"
        );
    }
    assert!(names
        .iter()
        .all(|n| !n.starts_with('/') && !n.split('/').any(|l| l == "..")));
    assert_only_store_files(&demo, &before);
}

/// RENAME, DELETE, SELECT, EXAMINE, STATUS, APPEND, COPY, MOVE,
/// SUBSCRIBE and the ACL commands with traversal names: refused, and
/// another user's mailboxes are out of reach.
#[test]
fn traversal_names_in_every_mailbox_command() {
    let demo = Demo::start("traversal");
    let mut bob = demo.login("bob", "builder");
    assert!(bob.append("INBOX", "", &msg(1)).starts_with("OK"));
    assert!(ok(&bob.cmd("CREATE BobSecret")));
    drop(bob);
    let mut c = demo.login("alice", "wonderland");
    assert!(c.append("INBOX", "", &msg(2)).starts_with("OK"));
    let before = demo.tree();
    let bob_inbox = mailbox_dir(&demo, "bob", "INBOX");
    let bob_id = bob_inbox
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let evil = [
        "\"../bob/INBOX\"".to_string(),
        "\"../../data/bob/INBOX\"".into(),
        "\"INBOX/../../bob\"".into(),
        format!("\"../bob/{bob_id}\""),
        format!("\"{}\"", bob_inbox.display()),
        "\"/etc/passwd\"".into(),
        "\"..\"".into(),
        "\".\"".into(),
        "\"../x\"".into(),
        "\"Shared/../bob/INBOX\"".into(),
    ];
    for name in &evil {
        for command in [
            format!("SELECT {name}"),
            format!("EXAMINE {name}"),
            format!("STATUS {name} (MESSAGES UIDNEXT)"),
            format!("DELETE {name}"),
            format!("RENAME {name} Stolen"),
            format!("RENAME Sent {name}"),
            format!("GETACL {name}"),
            format!("MYRIGHTS {name}"),
            format!("SETACL {name} bob lrswipkxtea"),
        ] {
            let r = c.cmd(&command);
            assert!(!ok(&r), "{command}: {r:?}");
        }
        let r = c.append(name, "", &msg(3));
        assert!(!r.starts_with("OK"), "APPEND {name}: {r}");
        assert!(ok(&c.cmd("SELECT INBOX")));
        for command in [format!("COPY 1 {name}"), format!("MOVE 1 {name}")] {
            let r = c.cmd(&command);
            assert!(!ok(&r), "{command}: {r:?}");
        }
        let r = c.cmd(&format!("SUBSCRIBE {name}"));
        if name.contains("..") || name == "\".\"" || name.starts_with("\"/") {
            assert!(!ok(&r), "SUBSCRIBE {name}: {r:?}");
        }
        assert!(ok(&c.cmd("UNSELECT")));
    }
    // Bob's mailbox names mean nothing in alice's namespace.
    assert!(!ok(&c.cmd("SELECT BobSecret")));
    // RENAME INBOX to a traversal name moves nothing.
    let r = c.cmd("RENAME INBOX \"../bob/INBOX\"");
    assert!(!ok(&r), "{r:?}");
    let r = c.cmd("STATUS INBOX (MESSAGES)");
    assert_eq!(number(&r.0, "MESSAGES"), Some(1), "{r:?}");
    assert_only_store_files(&demo, &before);
    // Bob's mailboxes are untouched.
    let mut bob = demo.login("bob", "builder");
    let r = bob.cmd("STATUS INBOX (MESSAGES)");
    assert_eq!(number(&r.0, "MESSAGES"), Some(1), "{r:?}");
    let names = listed(&bob.cmd("LIST \"\" *").0);
    assert!(names.contains(&"BobSecret".to_string()), "{names:?}");
    assert!(!names.iter().any(|n| n == "Stolen"), "{names:?}");
}

/// LIST and LSUB match names in the user's registry only: references and
/// patterns with `..`, `/`, `~` or another user's name show nothing of
/// other users or of the disk.
#[test]
fn list_patterns_stay_inside_the_account() {
    let demo = Demo::start("list");
    let mut bob = demo.login("bob", "builder");
    assert!(ok(&bob.cmd("CREATE BobSecret/Plans")));
    drop(bob);
    let mut c = demo.login("alice", "wonderland");
    let own = listed(&c.cmd("LIST \"\" *").0);
    for (reference, pattern) in [
        ("\"\"", "*"),
        ("\"../\"", "*"),
        ("\"\"", "\"../*\""),
        ("\"\"", "\"../%\""),
        ("\"/\"", "*"),
        ("\"\"", "\"/*\""),
        ("\"\"", "\"%/../%\""),
        ("\"\"", "\"*/../*\""),
        ("\"../bob/\"", "%"),
        ("\"~bob/\"", "*"),
        ("\"bob/\"", "*"),
        ("\"..\"", "\"/*\""),
        ("\"Shared/\"", "*"),
        ("\"Shared/../\"", "*"),
    ] {
        let r = c.cmd(&format!("LIST {reference} {pattern}"));
        assert!(ok(&r), "LIST {reference} {pattern}: {r:?}");
        for name in listed(&r.0) {
            assert!(own.contains(&name), "LIST {reference} {pattern}: {name}");
        }
        assert!(!r.0.iter().any(|l| l.contains("BobSecret")), "{r:?}");
        let r = c.cmd(&format!("LSUB {reference} {pattern}"));
        assert!(!r.0.iter().any(|l| l.contains("BobSecret")), "{r:?}");
    }
    let r = c.cmd("LIST \"\" * RETURN (STATUS (MESSAGES))");
    assert!(!r.0.iter().any(|l| l.contains("BobSecret")), "{r:?}");
}

/// A LIST pattern of 40,000 `*` (well within the 64 KiB line limit) is
/// answered and the server keeps running. Was a bug: the wildcard matcher
/// (`store::name::glob`) recursed once per pattern character and
/// overflowed the tokio worker's stack, aborting the process.
#[test]
fn list_with_a_long_wildcard_pattern_does_not_crash_the_server() {
    let mut demo = Demo::start("list-stars");
    let mut other = demo.login("bob", "builder");
    let mut c = demo.login("alice", "wonderland");
    for pattern in ["*".repeat(40_000), "%".repeat(40_000), "a*".repeat(20_000)] {
        let r = c.cmd(&format!("LIST \"\" {pattern}"));
        assert_ne!(r.1, "EOF", "the connection ended: {}", demo.log_text());
        assert!(demo.alive(), "the server died: {}", demo.log_text());
    }
    assert!(ok(&other.cmd("NOOP")), "{}", demo.log_text());
}

/// `INBOX` in any case is the one INBOX (RFC 9051 §5.1): it cannot be
/// created twice, deleted, or shadowed by a name differing in case.
#[test]
fn inbox_in_any_case_is_one_mailbox() {
    let demo = Demo::start("inbox-case");
    let mut c = demo.login("alice", "wonderland");
    for name in ["inbox", "Inbox", "INBOX", "iNbOx"] {
        assert!(!ok(&c.cmd(&format!("CREATE {name}"))), "CREATE {name}");
        assert!(!ok(&c.cmd(&format!("DELETE {name}"))), "DELETE {name}");
        assert!(c.append(name, "", &msg(1)).starts_with("OK"));
    }
    let r = c.cmd("SELECT inbox");
    assert!(r.0.iter().any(|l| l == "* 4 EXISTS"), "{r:?}");
    assert!(ok(&c.cmd("CREATE Inbox/Sub")));
    let names = listed(&c.cmd("LIST \"\" *").0);
    assert_eq!(
        names
            .iter()
            .filter(|n| n.eq_ignore_ascii_case("inbox"))
            .count(),
        1,
        "{names:?}"
    );
    assert!(names.contains(&"INBOX/Sub".to_string()), "{names:?}");
    // "Shared" is the shared namespace's root: not a personal mailbox.
    assert!(!ok(&c.cmd("CREATE Shared")));
    assert!(!ok(&c.cmd("RENAME Sent Shared")));
    assert!(!ok(&c.cmd("RENAME Sent Shared/Sent")));
}

/// Shared mailboxes: without an ACL entry another user can neither see,
/// select, delete nor rename them; SETACL accepts only known users.
#[test]
fn shared_mailboxes_need_rights() {
    let demo = Demo::start("shared");
    let mut a = demo.login("alice", "wonderland");
    assert!(ok(&a.cmd("CREATE Shared/Team")));
    assert!(a.append("Shared/Team", "", &msg(1)).starts_with("OK"));
    let mut b = demo.login("bob", "builder");
    assert!(!listed(&b.cmd("LIST \"\" *").0)
        .iter()
        .any(|n| n.contains("Team")));
    for command in [
        "SELECT Shared/Team",
        "STATUS Shared/Team (MESSAGES)",
        "DELETE Shared/Team",
        "RENAME Shared/Team Shared/Mine",
        "CREATE Shared/Team/Sub",
        "GETACL Shared/Team",
        "SETACL Shared/Team bob lrswipkxtea",
    ] {
        let r = b.cmd(command);
        assert!(!ok(&r), "{command}: {r:?}");
    }
    assert!(!b.append("Shared/Team", "", &msg(2)).starts_with("OK"));
    // Identifiers that are not users are refused (they would be written
    // into the registry file).
    for who in ["\"bob x\"", "\"../bob\"", "\"\"", "mallory"] {
        let r = a.cmd(&format!("SETACL Shared/Team {who} lr"));
        assert!(!ok(&r), "SETACL {who}: {r:?}");
    }
    assert!(ok(&a.cmd("SETACL Shared/Team bob lr")));
    let r = b.cmd("SELECT Shared/Team");
    assert!(r.1.contains("READ-ONLY"), "{r:?}");
    assert!(!ok(&b.cmd("STORE 1 +FLAGS (\\Deleted)")));
    assert!(!ok(&b.cmd("DELETE Shared/Team")));
}

// ---------------------------------------------------------------------------
// Message files
// ---------------------------------------------------------------------------

/// APPENDLIMIT is announced and enforced: a larger synchronizing literal
/// is refused before its bytes are sent, and nothing is left on disk.
#[test]
fn append_over_the_limit_is_refused_before_the_data() {
    let demo = Demo::start("append-limit");
    let mut c = demo.login("alice", "wonderland");
    let (caps, _) = c.cmd("CAPABILITY");
    let limit = number(&caps, "APPENDLIMIT=").or_else(|| {
        let l = caps.iter().find(|l| l.contains("APPENDLIMIT="))?;
        let at = l.find("APPENDLIMIT=")? + 12;
        l[at..].split(' ').next()?.parse().ok()
    });
    let limit = limit.expect("APPENDLIMIT announced");
    assert_eq!(limit, 64 << 20);
    let before = demo.tree();
    let tag = c.next_tag();
    c.send(format!("{tag} APPEND INBOX {{{}}}\r\n", limit + 1).as_bytes())
        .unwrap();
    let (_, done) = c.wait(&tag);
    assert!(done.starts_with("NO [TOOBIG]"), "{done}");
    // A non-synchronizing one the server cannot refuse in time ends the
    // connection (it does not read 64 MiB into memory).
    let tag = c.next_tag();
    c.send(format!("{tag} APPEND INBOX {{{}+}}\r\n", limit + 1).as_bytes())
        .unwrap();
    let _ = c.send(&vec![b'x'; 2 << 20]);
    let (lines, done) = c.wait(&tag);
    assert!(
        done.starts_with("NO [TOOBIG]") || done == "EOF",
        "{lines:?} {done}"
    );
    assert_eq!(demo.tree(), before);
}

/// Flags live in the journal, not in Maildir file names: keywords with
/// `:`, `,`, `/`, `#` or a Maildir info look-alike neither change a file
/// name nor damage the journal, and survive a restart.
#[test]
fn keywords_with_maildir_separators_survive_a_restart() {
    let mut demo = Demo::start("keywords");
    let mut c = demo.login("alice", "wonderland");
    let keywords = "a:b a,b a/b a#b x:2,S $Label \\Flagged";
    assert!(c.append("INBOX", keywords, &msg(1)).starts_with("OK"));
    assert!(c.append("INBOX", "", &msg(2)).starts_with("OK"));
    assert!(ok(&c.cmd("SELECT INBOX")));
    assert!(ok(&c.cmd("STORE 2 +FLAGS (:2,T #00000000 z/../..)")));
    // \Recent belongs to the session that saw the message first.
    let flags = |c: &mut Imap| -> Vec<String> {
        let r = c.cmd("FETCH 1:2 (FLAGS)").0;
        r.iter().map(|l| l.replace(" \\Recent", "")).collect()
    };
    let before = flags(&mut c);
    drop(c);
    let inbox = mailbox_dir(&demo, "alice", "INBOX");
    for f in std::fs::read_dir(inbox.join("cur")).unwrap().flatten() {
        let name = f.file_name().to_string_lossy().into_owned();
        assert!(name.ends_with(":2,") && !name.contains('/'), "{name}");
        assert_eq!(name.matches(':').count(), 1, "{name}");
    }
    demo.restart();
    let mut c = demo.login("alice", "wonderland");
    let r = c.cmd("SELECT INBOX");
    assert!(ok(&r), "{r:?} {}", demo.log_text());
    let after = flags(&mut c);
    assert_eq!(before, after);
    assert!(
        after[0].contains("a:b") && after[0].contains("x:2,S"),
        "{after:?}"
    );
    assert!(after[1].contains("z/../.."), "{after:?}");
}

/// UIDs are never reused and UIDVALIDITY stays across restarts (also
/// after the highest UID is expunged); a mailbox deleted and created again
/// gets a new UIDVALIDITY; RENAME keeps it.
#[test]
fn uids_and_uidvalidity_persist_across_restarts() {
    let mut demo = Demo::start("uids");
    let mut c = demo.login("alice", "wonderland");
    assert!(ok(&c.cmd("CREATE Box")));
    for n in 0..3 {
        let done = c.append("Box", "", &msg(n));
        assert!(done.contains(&format!(" {}]", n + 1)), "{done}");
    }
    let r = c.cmd("SELECT Box");
    let validity = number(&r.0, "UIDVALIDITY").unwrap();
    assert!(ok(&c.cmd("STORE 3 +FLAGS (\\Deleted)")));
    assert!(ok(&c.cmd("EXPUNGE")));
    drop(c);
    demo.restart();
    let mut c = demo.login("alice", "wonderland");
    let r = c.cmd("SELECT Box");
    assert_eq!(number(&r.0, "UIDVALIDITY"), Some(validity));
    assert_eq!(number(&r.0, "UIDNEXT"), Some(4), "{r:?}");
    let done = c.append("Box", "", &msg(9));
    assert!(done.contains(&format!("APPENDUID {validity} 4]")), "{done}");
    assert!(ok(&c.cmd("UNSELECT")));
    // RENAME keeps UIDVALIDITY and UIDs.
    assert!(ok(&c.cmd("RENAME Box Box2")));
    let r = c.cmd("STATUS Box2 (UIDVALIDITY UIDNEXT MESSAGES)");
    assert_eq!(number(&r.0, "UIDVALIDITY"), Some(validity), "{r:?}");
    assert_eq!(number(&r.0, "UIDNEXT"), Some(5), "{r:?}");
    // DELETE and CREATE again (within the same second): a new UIDVALIDITY.
    assert!(ok(&c.cmd("DELETE Box2")));
    assert!(ok(&c.cmd("CREATE Box2")));
    let r = c.cmd("STATUS Box2 (UIDVALIDITY UIDNEXT)");
    let fresh = number(&r.0, "UIDVALIDITY").unwrap();
    assert!(fresh > validity, "{fresh} after {validity}");
    assert_eq!(number(&r.0, "UIDNEXT"), Some(1));
    drop(c);
    demo.restart();
    let mut c = demo.login("alice", "wonderland");
    let r = c.cmd("STATUS Box2 (UIDVALIDITY)");
    assert_eq!(number(&r.0, "UIDVALIDITY"), Some(fresh));
}

/// Several sessions appending to one mailbox at once get distinct UIDs,
/// and a session that has it selected sees every message.
#[test]
fn concurrent_sessions_on_one_mailbox() {
    let demo = Demo::start("concurrent");
    let mut watcher = demo.login("alice", "wonderland");
    assert!(ok(&watcher.cmd("SELECT INBOX")));
    let (port, cert) = (demo.tls_port, demo.cert());
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let cert = cert.clone();
            std::thread::spawn(move || {
                let mut c = Imap::tls(port, &cert);
                assert!(ok(&c.cmd("LOGIN alice wonderland")));
                let mut uids = Vec::new();
                for n in 0..10 {
                    let done = c.append("INBOX", "\\Seen", &msg(t * 100 + n));
                    let uid: u32 = done
                        .split(' ')
                        .nth(3)
                        .and_then(|u| u.trim_end_matches(']').parse().ok())
                        .unwrap_or_else(|| panic!("{done}"));
                    uids.push(uid);
                }
                uids
            })
        })
        .collect();
    let mut uids: Vec<u32> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    uids.sort_unstable();
    assert_eq!(uids, (1..=40).collect::<Vec<_>>());
    let r = watcher.cmd("NOOP");
    assert!(r.0.iter().any(|l| l == "* 40 EXISTS"), "{r:?}");
    let r = watcher.cmd("UID SEARCH ALL");
    assert_eq!(r.0.last().unwrap().split(' ').count(), 2 + 40, "{r:?}");
}

/// A file an MDA delivered into `new/` whose name holds a space survives
/// a restart with its UID: it gets a name of its own in `cur/`. Was a
/// bug: its journal line (fields split at spaces) could not be read back,
/// and the message was deleted as unknown after a restart (or the whole
/// mailbox answered `NO [CORRUPTION]`).
#[test]
fn delivered_file_with_a_space_in_its_name_survives_a_restart() {
    let mut demo = Demo::start("deliver-space");
    let mut c = demo.login("alice", "wonderland");
    let inbox = mailbox_dir(&demo, "alice", "INBOX");
    std::fs::write(inbox.join("new/1700000000.M1P1 mda.host"), msg(1)).unwrap();
    let r = c.cmd("SELECT INBOX");
    assert!(r.0.iter().any(|l| l == "* 1 EXISTS"), "{r:?}");
    drop(c);
    demo.restart();
    let mut c = demo.login("alice", "wonderland");
    let r = c.cmd("SELECT INBOX");
    let cur: Vec<String> = std::fs::read_dir(inbox.join("cur"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    eprintln!("after the restart: {r:?}, cur/: {cur:?}");
    assert!(ok(&r), "{r:?}");
    // UID 1 was handed out: it must not be handed out again.
    assert_eq!(number(&r.0, "UIDNEXT"), Some(2), "{r:?}");
    assert!(r.0.iter().any(|l| l == "* 1 EXISTS"), "{r:?}");
    let r = c.cmd("FETCH 1 BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]");
    assert!(r.0[0].contains("<1@example.org>"), "{r:?}");
}

/// Two files in `new/` whose names differ only in the Maildir info part
/// (`base:2,S`, `base:2,F`) are both kept. Was a bug: both were renamed
/// to `cur/base:2,`, the second replacing the first.
#[test]
fn deliveries_differing_only_in_the_info_part_are_both_kept() {
    let demo = Demo::start("deliver-info");
    let mut c = demo.login("alice", "wonderland");
    let inbox = mailbox_dir(&demo, "alice", "INBOX");
    std::fs::write(inbox.join("new/1700000001.M1P1.host:2,S"), msg(1)).unwrap();
    std::fs::write(inbox.join("new/1700000001.M1P1.host:2,F"), msg(2)).unwrap();
    assert!(ok(&c.cmd("SELECT INBOX")));
    let r = c.cmd("FETCH 1:* BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]");
    let ids: Vec<bool> = ["<1@example.org>", "<2@example.org>"]
        .iter()
        .map(|id| r.0.iter().any(|l| l.contains(id)))
        .collect();
    assert_eq!(ids, [true, true], "{r:?}");
}

// ---------------------------------------------------------------------------
// Authentication and TLS
// ---------------------------------------------------------------------------

/// On the plaintext port the server announces STARTTLS and LOGINDISABLED
/// and refuses LOGIN and AUTHENTICATE PLAIN with `NO [PRIVACYREQUIRED]`;
/// after STARTTLS the same credentials work.
#[test]
fn plaintext_login_is_refused_before_starttls() {
    let demo = Demo::start("plaintext");
    let mut c = Imap::plain(demo.port);
    let (caps, _) = c.cmd("CAPABILITY");
    let caps = caps.join(" ");
    assert!(
        caps.contains("STARTTLS") && caps.contains("LOGINDISABLED"),
        "{caps}"
    );
    let r = c.cmd("LOGIN alice wonderland");
    assert!(r.1.starts_with("NO [PRIVACYREQUIRED]"), "{r:?}");
    // AUTHENTICATE PLAIN "\0alice\0wonderland" as an initial response.
    let r = c.cmd("AUTHENTICATE PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=");
    assert!(r.1.starts_with("NO"), "{r:?}");
    let r = c.cmd("AUTHENTICATE LOGIN");
    assert!(r.1.starts_with("NO"), "{r:?}");
    let mut c = c.starttls(&demo.cert());
    let (caps, _) = c.cmd("CAPABILITY");
    assert!(!caps.join(" ").contains("LOGINDISABLED"), "{caps:?}");
    assert!(ok(&c.cmd("LOGIN alice wonderland")));
}

/// Neither a password that was accepted, nor one that was refused, nor
/// one sent before TLS, nor a SASL response appears in the server's log.
#[test]
fn passwords_never_reach_the_log() {
    let demo = Demo::start("log");
    let mut c = demo.login("alice", "wonderland");
    assert!(ok(&c.cmd("LOGOUT")));
    let mut c = demo.tls();
    assert!(c.cmd("LOGIN alice S3cr3t-guess").1.starts_with("NO"));
    let mut c2 = demo.tls();
    // "\0bob\0Hunter2-plain"
    assert!(c2
        .cmd("AUTHENTICATE PLAIN AGJvYgBIdW50ZXIyLXBsYWlu")
        .1
        .starts_with("NO"));
    let mut c3 = Imap::plain(demo.port);
    assert!(c3.cmd("LOGIN bob plaintext-pw").1.starts_with("NO"));
    drop((c, c2, c3));
    std::thread::sleep(Duration::from_millis(300));
    let log = demo.log_text();
    assert!(log.contains("outcome="), "{log}");
    for secret in [
        "wonderland",
        "S3cr3t-guess",
        "Hunter2-plain",
        "AGJvYgBIdW50ZXIyLXBsYWlu",
        "plaintext-pw",
        "builder",
    ] {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
}

/// No default account: the server does not start without a users file or
/// with an empty password, user names are matched exactly, and the usual
/// default credentials are refused. Unknown users and wrong passwords get
/// the same answer.
#[test]
fn no_default_credentials() {
    let out = Command::new(demo_util::server_binary())
        .args(["--tls-listen", "127.0.0.1:0", "--data", "/nonexistent"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let demo = Demo::start("defaults");
    let empty = demo.dir.join("empty-password");
    std::fs::write(&empty, "carol:\n").unwrap();
    let out = Command::new(demo_util::server_binary())
        .args(["--tls-listen", "127.0.0.1:0", "--users"])
        .arg(&empty)
        .arg("--data")
        .arg(demo.dir.join("data2"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let mut answers = Vec::new();
    for (user, password) in [
        ("admin", "admin"),
        ("root", "root"),
        ("anyone", "anyone"),
        ("alice", "\"\""),
        ("alice", "\"wonderland \""),
        ("Alice", "wonderland"),
        ("alice", "Wonderland"),
        ("\"alice \"", "wonderland"),
        ("alice", "wonderlan"),
        ("alice", "wonderlandx"),
    ] {
        // One attempt per connection: the first failure is not delayed.
        let mut c = demo.tls();
        let r = c.cmd(&format!("LOGIN {user} {password}"));
        assert!(r.1.starts_with("NO"), "{user} {password}: {r:?}");
        answers.push(r.1);
    }
    answers.dedup();
    assert_eq!(answers.len(), 1, "{answers:?}");
}

/// Failed logins on one connection are answered later and later, and the
/// connection ends after five.
#[test]
fn failed_logins_on_one_connection_are_throttled() {
    let demo = Demo::start("throttle");
    let mut c = demo.tls();
    let start = std::time::Instant::now();
    let mut answers = Vec::new();
    for _ in 0..6 {
        answers.push(c.cmd("LOGIN alice guess").1);
    }
    assert!(
        start.elapsed() >= Duration::from_secs(7),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(answers[5], "EOF", "{answers:?}");
    assert!(demo.log_text().contains("failures=5"));
}

/// Guessing over many connections: the library's throttle counts one
/// connection's failures, so the demo keeps its own count across them
/// (`LoginGuard`: 10 failures for one user from one address in 15 minutes).
/// After that the user is refused from that address with `NO
/// [UNAVAILABLE]` without the password being checked, the right password
/// included, while other users (and the user from elsewhere) are not.
/// Was a bug: one guess per new connection was never slowed down.
#[test]
fn password_guessing_over_many_connections_is_throttled() {
    let demo = Demo::start("guessing");
    for n in 0..30 {
        let mut c = demo.tls();
        let r = c.cmd(&format!("LOGIN alice guess{n}"));
        if n < 10 {
            assert!(r.1.starts_with("NO [AUTHENTICATIONFAILED]"), "{n}: {r:?}");
        } else {
            assert!(r.1.starts_with("NO [UNAVAILABLE]"), "{n}: {r:?}");
        }
    }
    let r = demo.tls().cmd("LOGIN alice wonderland");
    assert!(r.1.starts_with("NO [UNAVAILABLE]"), "{r:?}");
    assert!(demo.log_text().contains("outcome=Refused"));
    // Another user from the same address is not refused.
    assert!(ok(&demo.login("bob", "builder").cmd("NOOP")));
}

/// The self-signed certificate is made once and kept (clients pin it),
/// its key is readable by the owner only, and it is valid for localhost
/// (the client above verifies it against the PEM file).
#[test]
fn self_signed_certificate_is_kept_and_its_key_private() {
    let mut demo = Demo::start("cert");
    let pem = std::fs::read(demo.cert()).unwrap();
    let key = demo.data.join("tls/self-signed.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "key mode {mode:o}");
    }
    demo.restart();
    assert_eq!(std::fs::read(demo.cert()).unwrap(), pem);
    assert!(ok(&demo.login("alice", "wonderland").cmd("NOOP")));
}

// ---------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------

/// A client that asks for a lot and never reads stalls only itself: the
/// server stops reading its commands when its output is full (memory
/// stays bounded) and other clients are served meanwhile.
#[test]
fn a_client_that_never_reads_does_not_hurt_others() {
    let demo = Demo::start("no-read");
    let mut c = demo.login("alice", "wonderland");
    let big: Vec<u8> = (0..4 << 20).map(|i| b'a' + (i % 26) as u8).collect();
    let mut message = b"Subject: big\r\n\r\n".to_vec();
    message.extend_from_slice(&big);
    assert!(c.append("INBOX", "", &message).starts_with("OK"));
    assert!(ok(&c.cmd("SELECT INBOX")));
    let before = demo.rss_kib();
    // 100 FETCHes of 4 MiB each, never read.
    let mut pipeline = Vec::new();
    for n in 0..100 {
        pipeline.extend_from_slice(format!("f{n} FETCH 1 BODY.PEEK[]\r\n").as_bytes());
    }
    c.send(&pipeline).unwrap();
    std::thread::sleep(Duration::from_secs(2));
    let start = std::time::Instant::now();
    let mut other = demo.login("bob", "builder");
    assert!(ok(&other.cmd("SELECT INBOX")));
    assert!(ok(&other.cmd("NOOP")));
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    let grown = demo.rss_kib().saturating_sub(before);
    assert!(grown < 64 * 1024, "the server grew by {grown} KiB");
}

/// Hundreds of idle connections (plaintext and TLS ports) do not stop
/// the server from serving a new client. There is no connection limit:
/// see `unauthenticated_connections_cannot_hold_much_memory`.
#[test]
fn many_idle_connections() {
    let demo = Demo::start("many");
    let mut idle = Vec::new();
    for n in 0..300 {
        let port = if n % 2 == 0 { demo.port } else { demo.tls_port };
        idle.push(TcpStream::connect(("127.0.0.1", port)).unwrap());
    }
    std::thread::sleep(Duration::from_millis(500));
    let start = std::time::Instant::now();
    let mut c = demo.login("alice", "wonderland");
    assert!(ok(&c.cmd("LIST \"\" *")));
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

/// Before login a client may stay 60 seconds without a command; then the
/// connection ends.
#[test]
fn an_idle_unauthenticated_connection_is_closed() {
    let demo = Demo::start("autologout");
    let mut c = Imap::plain(demo.port);
    if let Stream::Plain(s) = &c.stream {
        s.set_read_timeout(Some(Duration::from_secs(90))).unwrap();
    }
    let start = std::time::Instant::now();
    let mut last = String::new();
    while let Some(l) = c.line() {
        last = l;
    }
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(55) && waited < Duration::from_secs(85),
        "{waited:?}"
    );
    assert!(last.starts_with("* BYE"), "{last}");
}

/// An unauthenticated client that sends an `ID` command made of many
/// LITERAL+ literals (each within the 64 KiB literal limit) and never ends
/// it is refused once the command passes the library's limit before
/// authentication (`Limits::max_message_unauthenticated`, 128 KiB): four
/// connections sending 30 MB each cost the server a few MiB. Was a bug:
/// before login a command could be as large as `max_message`, which the
/// demo raises to 64 MiB + 64 KiB for APPEND.
#[test]
fn unauthenticated_connections_cannot_hold_much_memory() {
    let demo = Demo::start("preauth-memory");
    let before = demo.rss_kib();
    let mut conns = Vec::new();
    let chunk = vec![b'x'; 60_000];
    for _ in 0..4 {
        let mut c = Imap::plain(demo.port);
        let mut bytes = b"a ID (".to_vec();
        for i in 0..500 {
            if i > 0 {
                bytes.push(b' ');
            }
            bytes.extend_from_slice(b"{60000+}\r\n");
            bytes.extend_from_slice(&chunk);
        }
        // Never completed; sending may stop when the server stops reading.
        let _ = c.send(&bytes);
        conns.push(c);
    }
    std::thread::sleep(Duration::from_secs(2));
    let grown = demo.rss_kib().saturating_sub(before);
    assert!(grown < 32 * 1024, "the server grew by {grown} KiB");
}

/// A mailbox keeps at most 256 keywords: one STORE of 4,000 new keywords
/// on 20 messages is refused (`NO [LIMIT]`, RFC 5530) before the
/// quadratic work, and another session of the mailbox is not kept waiting.
/// Was a bug: keywords were unlimited and compared pairwise under the
/// mailbox's lock for many seconds.
#[test]
fn many_keywords_do_not_block_the_mailbox() {
    let demo = Demo::start("keywords-cost");
    let mut c = demo.login("alice", "wonderland");
    if let Stream::Tls(s) = &c.stream {
        s.sock
            .set_read_timeout(Some(Duration::from_secs(600)))
            .unwrap();
    }
    for n in 0..20 {
        assert!(c.append("INBOX", "", &msg(n)).starts_with("OK"));
    }
    assert!(ok(&c.cmd("SELECT INBOX")));
    let mut other = demo.login("alice", "wonderland");
    assert!(ok(&other.cmd("SELECT INBOX")));
    let keywords: Vec<String> = (0..4000).map(|i| format!("k{i}")).collect();
    let tag = c.next_tag();
    let start = std::time::Instant::now();
    c.send(
        format!(
            "{tag} STORE 1:20 +FLAGS.SILENT ({})\r\n",
            keywords.join(" ")
        )
        .as_bytes(),
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(1000));
    let noop = std::time::Instant::now();
    let r = other.cmd("NOOP");
    let waited = noop.elapsed();
    let (_, done) = c.wait(&tag);
    let took = start.elapsed();
    eprintln!(
        "STORE: {done} in {took:?}; the other session's NOOP waited {waited:?} ({})",
        r.1
    );
    assert!(done.starts_with("NO [LIMIT]"), "{done} after {took:?}");
    assert!(r.1.starts_with("OK"), "{r:?}");
    // The refusal left the mailbox as it was: no keyword was added.
    let (untagged, done) = c.cmd("FETCH 1 FLAGS");
    assert!(done.starts_with("OK"), "{done}");
    assert!(!untagged.iter().any(|l| l.contains("k0")), "{untagged:?}");
}
