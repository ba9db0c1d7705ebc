//! Shared by the demo server's interop tests: the `server` example started
//! as a program on loopback ports with a fresh data directory, and the
//! check that a real client program is installed.

#![allow(dead_code)] // each test binary uses a part

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use imap_examples::dovecot::REQUIRE_ENV;

pub(crate) mod imap;

/// The users of every demo server the tests start.
pub(crate) const USERS: &str = "alice:wonderland\nbob:builder\n";

/// A running demo server (killed on drop).
pub(crate) struct DemoServer {
    /// STARTTLS port.
    pub(crate) port: u16,
    /// Implicit TLS port.
    pub(crate) tls_port: u16,
    /// The self-signed certificate's PEM file.
    pub(crate) cert: PathBuf,
    /// The data directory.
    pub(crate) data: PathBuf,
    /// Where the server's stderr (the audit log) goes.
    pub(crate) log: PathBuf,
    child: Child,
}

impl DemoServer {
    /// Starts the server example on `127.0.0.1:port` (STARTTLS) and
    /// `127.0.0.1:tls_port` (implicit TLS) with a fresh data directory
    /// named after `name`.
    pub(crate) fn start(name: &str, port: u16, tls_port: u16) -> Self {
        let dir = std::env::temp_dir().join(format!("imapkit-demo-{name}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the test directory");
        let users = dir.join("users");
        std::fs::write(&users, USERS).unwrap();
        let data = dir.join("data");
        let log = dir.join("server.log");
        let mut child = Command::new(example("server"))
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--tls-listen")
            .arg(format!("127.0.0.1:{tls_port}"))
            .arg("--users")
            .arg(&users)
            .arg("--data")
            .arg(&data)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start the demo server");
        // Wait for both "listening on" lines (the SCRAM secrets and the
        // certificate come first).
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut listening = 0;
        let mut seen = Vec::new();
        while listening < 2 {
            match rx.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => {
                    listening += usize::from(line.starts_with("listening on "));
                    seen.push(line);
                }
                Err(_) => {
                    let _ = child.kill();
                    panic!(
                        "the demo server did not start: {seen:?}\n{}",
                        std::fs::read_to_string(&log).unwrap_or_default()
                    );
                }
            }
        }
        assert!(
            seen.iter().any(|l| l.starts_with("sha256 fingerprint: ")),
            "{seen:?}"
        );
        Self {
            port,
            tls_port,
            cert: data.join("tls/self-signed.pem"),
            data,
            log,
            child,
        }
    }

    /// What the server logged on stderr so far.
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `server` example, built once per test binary so that it is never
/// older than the sources.
pub(crate) fn server_binary() -> PathBuf {
    static BUILD: std::sync::Once = std::sync::Once::new();
    BUILD.call_once(|| {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-q", "-p", "imap-examples", "--example", "server"])
            .status()
            .expect("cargo build");
        assert!(status.success(), "building the server example failed");
    });
    example("server")
}

/// A demo server built from the current sources, on `port` (STARTTLS) and
/// `port + 1` (implicit TLS), its directory named after `name`.
pub(crate) fn start(name: &str, port: u16) -> DemoServer {
    server_binary();
    DemoServer::start(name, port, port + 1)
}

/// An example binary, built by `cargo test` next to the test binaries
/// (built here if missing).
pub(crate) fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let path = dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if !path.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-p", "imap-examples", "--example", name])
            .status()
            .expect("cargo build");
        assert!(status.success());
    }
    path
}

/// Whether `tool` can be run (`tool --version` works). When it cannot:
/// panics if the interop tests are required (CI), else prints why the
/// test is skipped and returns false.
pub(crate) fn have(tool: &str, install: &str) -> bool {
    let ok = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        let why = format!("{tool} is not installed ({install})");
        if std::env::var_os(REQUIRE_ENV).is_some() {
            panic!("{REQUIRE_ENV} is set but {why}");
        }
        eprintln!("skipping interop test: {why}");
    }
    ok
}

/// The directory of the test fixtures (`examples/tests`).
pub(crate) fn tests_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests"))
}

/// A test message with CRLF line ends and 8-bit bytes.
pub(crate) fn message(n: usize) -> Vec<u8> {
    format!(
        "From: Sender <sender@example.org>\r\nTo: alice@example.org\r\n\
         Subject: =?UTF-8?B?5pel5pys6Kqe?= {n}\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\n\
         Message-ID: <{n}@example.org>\r\n\r\nbody {n} \u{65e5}\r\nsecond line\r\n"
    )
    .into_bytes()
}

/// A demo server that can be stopped and started again on its data
/// directory (the store across restarts), each start on the ports given.
pub(crate) struct Restartable {
    /// The data directory's parent (users file, log, `data/`).
    pub(crate) dir: PathBuf,
    child: Option<Child>,
    /// The implicit TLS port of the running server.
    pub(crate) tls_port: u16,
}

impl Restartable {
    /// A fresh directory named after `name`; nothing started yet.
    pub(crate) fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("imapkit-demo-{name}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("users"), USERS).unwrap();
        Self {
            dir,
            child: None,
            tls_port: 0,
        }
    }

    /// The self-signed certificate's PEM file (made at the first start).
    pub(crate) fn cert(&self) -> PathBuf {
        self.dir.join("data/tls/self-signed.pem")
    }

    /// (Re)starts on `port` (STARTTLS) and `port + 1` (implicit TLS).
    pub(crate) fn launch(&mut self, port: u16) {
        self.stop();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("server.log"))
            .unwrap();
        let mut child = Command::new(server_binary())
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--tls-listen")
            .arg(format!("127.0.0.1:{}", port + 1))
            .arg("--users")
            .arg(self.dir.join("users"))
            .arg("--data")
            .arg(self.dir.join("data"))
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
        let mut listening = 0;
        while listening < 2 {
            let line = rx
                .recv_timeout(Duration::from_secs(60))
                .expect("the demo server did not start");
            listening += usize::from(line.starts_with("listening on "));
        }
        self.child = Some(child);
        self.tls_port = port + 1;
    }

    /// Stops the server (the data stays).
    pub(crate) fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// `user` logged in over implicit TLS.
    pub(crate) fn login(&self, user: &str) -> imap::Imap {
        imap::Imap::login(self.tls_port, &self.cert(), user)
    }
}

impl Drop for Restartable {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Runs `line` through the blocking session's Client and asserts OK;
/// returns the events before the completion.
pub(crate) fn run(
    s: &mut imap_examples::blocking::Session,
    line: &str,
) -> Vec<imapkit_state::client::Event> {
    let h = s
        .client
        .enqueue(std::time::Instant::now(), imap_examples::cli::command(line))
        .unwrap();
    let (events, done) = s.wait(h).unwrap();
    done.result().unwrap_or_else(|e| panic!("{line}: {e}"));
    events
}
