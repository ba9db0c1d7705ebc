//! A raw IMAP session with the demo server over implicit TLS, for tests
//! that check the bytes a real client would see: commands go as written,
//! response lines come back with their literals.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use rustls::pki_types::ServerName;
use rustls::{ClientConnection, StreamOwned};

use super::DemoServer;

/// The password of a user of [`super::USERS`].
pub(crate) fn password(user: &str) -> &'static str {
    match user {
        "alice" => "wonderland",
        "bob" => "builder",
        other => panic!("no such test user: {other}"),
    }
}

/// One logged-in connection; tags are `t1`, `t2`, ...
pub(crate) struct Imap {
    stream: StreamOwned<ClientConnection, TcpStream>,
    buf: Vec<u8>,
    tag: u32,
}

impl Imap {
    /// Logged in as `user` (alice or bob) to `demo`.
    pub(crate) fn of(demo: &DemoServer, user: &str) -> Self {
        Self::login(demo.tls_port, &demo.cert, user)
    }

    /// Logged in as `user` to the demo server on `tls_port` whose
    /// certificate is `cert`.
    pub(crate) fn login(tls_port: u16, cert: &Path, user: &str) -> Self {
        let tcp = TcpStream::connect(("127.0.0.1", tls_port)).unwrap();
        tcp.set_nodelay(true).unwrap();
        let config = imap_examples::blocking::tls_config(Some(cert)).unwrap();
        let name = ServerName::try_from("localhost").unwrap();
        let conn = ClientConnection::new(config, name).unwrap();
        let mut c = Self {
            stream: StreamOwned::new(conn, tcp),
            buf: Vec::new(),
            tag: 0,
        };
        let greeting = c.line();
        assert!(greeting.starts_with("* OK"), "{greeting}");
        c.ok(format!("LOGIN {user} {}", password(user)));
        c
    }

    /// Writes `bytes` as they are.
    pub(crate) fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
        self.stream.flush().unwrap();
    }

    /// One response line with its literals, without the final CRLF (bytes
    /// that are not UTF-8 shown as U+FFFD).
    pub(crate) fn line(&mut self) -> String {
        self.try_line(Duration::from_secs(20))
            .expect("a response line within 20 s")
    }

    /// One response line, or `None` when nothing complete came within
    /// `wait`.
    pub(crate) fn try_line(&mut self, wait: Duration) -> Option<String> {
        self.stream.sock.set_read_timeout(Some(wait)).unwrap();
        let mut out = Vec::new();
        loop {
            let nl = loop {
                if let Some(p) = self.buf.windows(2).position(|w| w == b"\r\n") {
                    break p;
                }
                let mut chunk = [0u8; 16 * 1024];
                match self.stream.read(&mut chunk) {
                    Ok(0) => panic!("connection closed; so far: {}", show(&out)),
                    Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                        return None
                    }
                    Err(e) => panic!("read: {e}; so far: {}", show(&out)),
                    Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                }
            };
            let line: Vec<u8> = self.buf.drain(..nl + 2).take(nl).collect();
            out.extend_from_slice(&line);
            let literal = line
                .strip_suffix(b"}")
                .and_then(|l| l.iter().rposition(|&b| b == b'{').map(|i| &l[i + 1..]))
                .and_then(|n| std::str::from_utf8(n.strip_suffix(b"+").unwrap_or(n)).ok())
                .and_then(|n| n.parse::<usize>().ok());
            let Some(n) = literal else {
                return Some(show(&out));
            };
            out.extend_from_slice(b"\r\n");
            self.stream
                .sock
                .set_read_timeout(Some(Duration::from_secs(20)))
                .unwrap();
            while self.buf.len() < n {
                let mut chunk = [0u8; 64 * 1024];
                match self.stream.read(&mut chunk) {
                    Ok(0) | Err(_) => panic!("connection closed in a literal"),
                    Ok(k) => self.buf.extend_from_slice(&chunk[..k]),
                }
            }
            out.extend(self.buf.drain(..n));
        }
    }

    /// The tag of the last command sent.
    pub(crate) fn last_tag(&self) -> String {
        format!("t{}", self.tag)
    }

    /// The next tag.
    pub(crate) fn next_tag(&mut self) -> String {
        self.tag += 1;
        format!("t{}", self.tag)
    }

    /// The untagged lines up to the completion of `tag`, and the
    /// completion without its tag.
    pub(crate) fn wait(&mut self, tag: &str) -> (Vec<String>, String) {
        let mut untagged = Vec::new();
        loop {
            let l = self.line();
            if let Some(rest) = l.strip_prefix(tag).and_then(|r| r.strip_prefix(' ')) {
                return (untagged, rest.to_string());
            }
            untagged.push(l);
        }
    }

    /// `command` (text or raw bytes, CRLF added) under a new tag: the
    /// untagged lines and the completion without its tag.
    pub(crate) fn cmd(&mut self, command: impl AsRef<[u8]>) -> (Vec<String>, String) {
        let tag = self.next_tag();
        let mut bytes = format!("{tag} ").into_bytes();
        bytes.extend_from_slice(command.as_ref());
        bytes.extend_from_slice(b"\r\n");
        self.send(&bytes);
        self.wait(&tag)
    }

    /// A command that must succeed: its untagged lines.
    pub(crate) fn ok(&mut self, command: impl AsRef<[u8]>) -> Vec<String> {
        let command = command.as_ref();
        let (lines, done) = self.cmd(command);
        assert!(
            done.starts_with("OK"),
            "{}: {done} {lines:?}",
            show(command)
        );
        lines
    }

    /// `TAG head {n+}CRLF<data>CRLF` (a non-synchronizing literal), answered.
    pub(crate) fn cmd_literal(&mut self, head: &str, data: &[u8]) -> (Vec<String>, String) {
        let tag = self.next_tag();
        let mut bytes = format!("{tag} {head} {{{}+}}\r\n", data.len()).into_bytes();
        bytes.extend_from_slice(data);
        bytes.extend_from_slice(b"\r\n");
        self.send(&bytes);
        self.wait(&tag)
    }
}

/// Bytes as text, U+FFFD for what is not UTF-8.
pub(crate) fn show(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A mailbox name as the server wrote it: an atom, a quoted string or a
/// literal.
pub(crate) fn unquote(s: &str) -> String {
    if let Some(q) = s.strip_prefix('"').and_then(|q| q.strip_suffix('"')) {
        return q.replace("\\\"", "\"").replace("\\\\", "\\");
    }
    if s.starts_with('{') {
        if let Some((_, rest)) = s.split_once("\r\n") {
            return rest.to_string();
        }
    }
    s.to_string()
}

/// The names of the `* LIST` lines.
pub(crate) fn listed(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| l.starts_with("* LIST "))
        .map(|l| unquote(&l[l.find(") \"/\" ").unwrap() + 6..]))
        .collect()
}

/// `* n FETCH (...)`: the message number.
pub(crate) fn fetch_seq(line: &str) -> Option<usize> {
    let rest = line.strip_prefix("* ")?;
    let (n, rest) = rest.split_once(' ')?;
    rest.starts_with("FETCH (")
        .then(|| n.parse().ok())
        .flatten()
}

/// `* n EXPUNGE`
pub(crate) fn expunge_seq(line: &str) -> Option<usize> {
    line.strip_prefix("* ")?
        .strip_suffix(" EXPUNGE")?
        .parse()
        .ok()
}

/// `* n EXISTS`
pub(crate) fn exists(line: &str) -> Option<usize> {
    line.strip_prefix("* ")?
        .strip_suffix(" EXISTS")?
        .parse()
        .ok()
}

/// The digits after `key ` (or `key (`) in the first line that has them.
pub(crate) fn number(lines: &[String], key: &str) -> Option<u64> {
    lines.iter().find_map(|l| {
        let at = l.find(key)? + key.len();
        let rest = l[at..].trim_start_matches([' ', '(']);
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    })
}

pub(crate) fn vanished(lines: &[String]) -> Vec<&String> {
    lines
        .iter()
        .filter(|l| l.starts_with("* VANISHED"))
        .collect()
}

pub(crate) fn fetches(lines: &[String]) -> Vec<&String> {
    lines.iter().filter(|l| l.contains(" FETCH (")).collect()
}
