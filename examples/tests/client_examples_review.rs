//! A review of the client examples as a production mail client would
//! inherit them: the tokio + rustls `client`, the one-screen `blocking`
//! client and the `imap-check` troubleshooter, run as programs against the
//! demo server and against small fake servers written here (plaintext and
//! TLS, silent, dribbling, HTTP, garbage).
//!
//! Every test is a regression test. The ten that found a problem in the
//! review (fixed by the commit that adds this file) say what it was in a
//! `// Was a bug:` line.

mod demo_util;

use std::borrow::BorrowMut;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use demo_util::{example, DemoServer};
use imap_examples::check::{self, Options, Report, Status};
use imapkit_proto::Secret;
use rcgen::{CertificateParams, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

const PASSWORD: &str = "pw-Sekr1t-4711";
const TOKEN: &str = "ya29.tok-Sekr1t-0815";
/// What the fake TLS server offers.
const TLS_CAPS: &str =
    "IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=XOAUTH2 AUTH=OAUTHBEARER AUTH=SCRAM-SHA-256";

// ---------------------------------------------------------------------------
// Running the examples

/// What a program run did.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    elapsed: Duration,
    /// Still running at the limit: killed.
    hung: bool,
}

impl Run {
    fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// Neither the password nor the token in the output.
    fn assert_no_secrets(&self) {
        assert!(
            !self.all().contains(PASSWORD) && !self.all().contains(TOKEN),
            "{self:?}"
        );
    }

    /// Ended on its own, with a non-zero status and without a panic.
    fn assert_clean_failure(&self) {
        assert!(
            !self.hung,
            "still running after {:?}: {self:?}",
            self.elapsed
        );
        assert!(
            !self.stderr.contains("panicked"),
            "a panic, not an error message: {self:?}"
        );
        assert!(
            matches!(self.code, Some(c) if c != 0 && c != 101),
            "non-zero exit status expected: {self:?}"
        );
    }
}

/// Runs `cmd`, killing it (by its own handle) after `limit`.
fn run(mut cmd: impl BorrowMut<Command>, limit: Duration) -> Run {
    let cmd = cmd.borrow_mut();
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().expect("start the example");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out = thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err = thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let mut hung = false;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > limit {
            hung = true;
            let _ = child.kill();
            break child.wait().expect("wait");
        }
        thread::sleep(Duration::from_millis(50));
    };
    let elapsed = start.elapsed();
    Run {
        code: if hung { None } else { status.code() },
        stdout: String::from_utf8_lossy(&out.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err.join().unwrap()).into_owned(),
        elapsed,
        hung,
    }
}

/// The `client` example with the password (and OAuth token) in the
/// environment, as documented.
fn client(args: &[&str]) -> Command {
    let mut cmd = Command::new(example("client"));
    cmd.args(args)
        .env("IMAP_PASSWORD", PASSWORD)
        .env("IMAP_OAUTH_TOKEN", TOKEN);
    cmd
}

/// The `client` example listing alice's mailboxes on `host`:`port`, built
/// by [`list`]: `client [MODE] --host HOST --port PORT [--ca FILE] --user
/// alice [--auth MECHANISM] list`, the arguments in that order.
#[derive(Clone, Copy)]
struct List<'a> {
    mode: Option<&'a str>,
    host: &'a str,
    port: &'a str,
    ca: Option<&'a str>,
    auth: Option<&'a str>,
}

/// `client --host HOST --port PORT --user alice list`; the other options
/// are added by [`List`]'s methods.
fn list<'a>(host: &'a str, port: &'a str) -> List<'a> {
    List {
        mode: None,
        host,
        port,
        ca: None,
        auth: None,
    }
}

impl<'a> List<'a> {
    /// A first option such as `--tls` or `--starttls`.
    fn mode(self, mode: &'a str) -> Self {
        Self {
            mode: Some(mode),
            ..self
        }
    }

    /// `--ca FILE`.
    fn ca(self, ca: &'a str) -> Self {
        Self {
            ca: Some(ca),
            ..self
        }
    }

    /// `--auth MECHANISM`.
    fn auth(self, auth: &'a str) -> Self {
        Self {
            auth: Some(auth),
            ..self
        }
    }

    /// The command, with the secrets in the environment (see [`client`]).
    fn command(self) -> Command {
        let mut args: Vec<&str> = self.mode.into_iter().collect();
        args.extend(["--host", self.host, "--port", self.port]);
        if let Some(ca) = self.ca {
            args.extend(["--ca", ca]);
        }
        args.extend(["--user", "alice"]);
        if let Some(auth) = self.auth {
            args.extend(["--auth", auth]);
        }
        args.push("list");
        client(&args)
    }
}

fn blocking(args: &[&str]) -> Command {
    let mut cmd = Command::new(example("blocking"));
    cmd.args(args).env("IMAP_PASSWORD", PASSWORD);
    cmd
}

fn imap_check(args: &[&str]) -> Command {
    let mut cmd = Command::new(example("imap-check"));
    cmd.args(args).env("IMAP_PASSWORD", PASSWORD);
    cmd
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

// ---------------------------------------------------------------------------
// Fake servers

/// A fake server on 127.0.0.1: every connection runs `handler` in a
/// thread; what clients sent is collected in `seen`.
struct Fake {
    port: u16,
    seen: Arc<Mutex<Vec<u8>>>,
}

type Seen = Arc<Mutex<Vec<u8>>>;

impl Fake {
    fn start(handler: impl Fn(TcpStream, Seen) + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen: Seen = Arc::default();
        let handler = Arc::new(handler);
        let all = seen.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (handler, seen) = (handler.clone(), all.clone());
                thread::spawn(move || handler(stream, seen));
            }
        });
        Self { port, seen }
    }

    fn seen(&self) -> String {
        String::from_utf8_lossy(&self.seen.lock().unwrap()).into_owned()
    }

    fn port(&self) -> String {
        self.port.to_string()
    }
}

/// Reads what arrives for up to `wait` into `seen`.
fn drain(stream: &mut TcpStream, seen: &Seen, wait: Duration) {
    let _ = stream.set_read_timeout(Some(wait));
    let mut buf = [0u8; 4096];
    while let Ok(n @ 1..) = stream.read(&mut buf) {
        seen.lock().unwrap().extend_from_slice(&buf[..n]);
    }
}

/// Accepts, then never says anything.
fn silent() -> Fake {
    Fake::start(|mut s, seen| drain(&mut s, &seen, secs(300)))
}

/// Sends `bytes` one per second (after reading `first` bytes of the
/// client's first message if `first > 0`).
fn dribbler(first: usize, bytes: &'static [u8]) -> Fake {
    Fake::start(move |mut s, seen| {
        if first > 0 {
            let mut buf = vec![0u8; first];
            let _ = s.set_read_timeout(Some(secs(10)));
            let _ = s.read(&mut buf);
            seen.lock().unwrap().extend_from_slice(&buf);
        }
        dribble(&mut s, bytes.iter().cycle());
    })
}

/// Writes the first 600 of `bytes`, one per second, until the client
/// closes.
fn dribble<'a>(s: &mut TcpStream, bytes: impl Iterator<Item = &'a u8>) {
    for b in bytes.take(600) {
        if s.write_all(&[*b]).is_err() {
            return;
        }
        thread::sleep(secs(1));
    }
}

/// Sends `bytes`, then reads what arrives for `wait` and answers nothing.
fn says(bytes: &'static [u8], wait: Duration) -> Fake {
    Fake::start(move |mut s, seen| {
        let _ = s.write_all(bytes);
        drain(&mut s, &seen, wait);
    })
}

/// A line-based plaintext IMAP server: `greeting`, then each command line
/// answered by `reply(tag, command)`; an empty answer closes the connection.
fn scripted(greeting: &'static str, reply: fn(&str, &str) -> String) -> Fake {
    Fake::start(move |mut s, seen| {
        let _ = s.set_read_timeout(Some(secs(20)));
        if s.write_all(greeting.as_bytes()).is_err() {
            return;
        }
        serve_lines(&mut s, &seen, reply);
    })
}

/// Reads command lines from `stream` (recording every byte in `seen`) and
/// writes `reply(tag, command)` for each; an empty answer, the end of the
/// input or an error ends it.
fn serve_lines(stream: &mut impl ReadWrite, seen: &Seen, reply: impl Fn(&str, &str) -> String) {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while let Ok(1) = stream.read(&mut byte) {
        seen.lock().unwrap().push(byte[0]);
        line.push(byte[0]);
        if byte[0] != b'\n' {
            continue;
        }
        let text = String::from_utf8_lossy(&line).trim_end().to_owned();
        line.clear();
        let (tag, command) = text.split_once(' ').unwrap_or((&text, ""));
        let answer = reply(tag, command);
        if answer.is_empty() || stream.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

/// A byte stream both ways: a TCP or TLS connection.
trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

/// Offers AUTH=PLAIN in plaintext but not STARTTLS.
fn no_starttls_offered() -> Fake {
    scripted("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n", |t, c| {
        basic(t, c, "IMAP4rev1 AUTH=PLAIN")
    })
}

/// Offers STARTTLS and answers it NO.
fn starttls_refused() -> Fake {
    scripted(
        "* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] hi\r\n",
        |t, c| {
            if c.eq_ignore_ascii_case("STARTTLS") {
                format!("{t} NO not today\r\n")
            } else {
                basic(t, c, "IMAP4rev1 STARTTLS AUTH=PLAIN")
            }
        },
    )
}

/// Offers STARTTLS, answers it OK, and on the client's ClientHello goes
/// on in plaintext, as an attacker stripping TLS would.
fn stripping() -> Fake {
    Fake::start(|mut s, seen| {
        let _ = s.set_read_timeout(Some(secs(20)));
        let _ = s.write_all(b"* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] hi\r\n");
        let mut buf = [0u8; 2048];
        loop {
            let n = match s.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            seen.lock().unwrap().extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&buf[..n]).into_owned();
            let (tag, command) = text.trim_end().split_once(' ').unwrap_or(("*", ""));
            let answer = if command.eq_ignore_ascii_case("STARTTLS") {
                format!("{tag} OK begin TLS now\r\n")
            } else if buf[0] == 0x16 {
                "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] still in clear\r\n".to_owned()
            } else {
                basic(tag, command, "IMAP4rev1 STARTTLS AUTH=PLAIN")
            };
            if s.write_all(answer.as_bytes()).is_err() {
                return;
            }
        }
    })
}

/// The usual answers: CAPABILITY with `caps`, LOGOUT, NOOP; NO to logins.
fn basic(tag: &str, command: &str, caps: &str) -> String {
    let verb = command.split(' ').next().unwrap_or("").to_ascii_uppercase();
    match verb.as_str() {
        "CAPABILITY" => format!("* CAPABILITY {caps}\r\n{tag} OK done\r\n"),
        "LOGOUT" => format!("* BYE bye\r\n{tag} OK done\r\n"),
        "NOOP" => format!("{tag} OK done\r\n"),
        "LOGIN" | "AUTHENTICATE" => {
            format!("{tag} NO [AUTHENTICATIONFAILED] Authentication failed\r\n")
        }
        _ => format!("{tag} BAD what\r\n"),
    }
}

/// Whether a client sent credentials: a LOGIN or AUTHENTICATE command, or
/// the secrets themselves (also base64 inside SASL PLAIN).
fn sent_credentials(seen: &str) -> bool {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let plain = b64.encode(format!("\0alice\0{PASSWORD}"));
    let upper = seen.to_ascii_uppercase();
    upper.contains(" LOGIN ")
        || upper.contains(" AUTHENTICATE ")
        || seen.contains(PASSWORD)
        || seen.contains(TOKEN)
        || seen.contains(&plain)
}

/// A self-signed certificate (and its key) for `names`, valid between
/// the two dates (year, month, day).
fn certificate(
    names: &[&str],
    from: (i32, u8, u8),
    to: (i32, u8, u8),
) -> (String, CertificateDer<'static>, PrivateKeyDer<'static>) {
    let key = KeyPair::generate().unwrap();
    let mut params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    params.not_before = rcgen::date_time_ymd(from.0, from.1, from.2);
    params.not_after = rcgen::date_time_ymd(to.0, to.1, to.2);
    let cert = params.self_signed(&key).unwrap();
    let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    (cert.pem(), cert.der().clone(), der)
}

/// Writes `pem` to a file of its own.
fn pem_file(name: &str, pem: &str) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("imapkit-review-{}-{name}.pem", std::process::id()));
    std::fs::write(&path, pem).unwrap();
    path
}

/// An implicit-TLS server with `cert`: records the SNI each client sent
/// (`None` for none), greets, and answers like [`basic`].
fn tls_server(cert: CertificateDer<'static>, key: PrivateKeyDer<'static>) -> (Fake, Snis) {
    let config =
        rustls::ServerConfig::builder_with_provider(imap_examples::blocking::crypto_provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .unwrap();
    let config = Arc::new(config);
    let snis: Snis = Arc::default();
    let record = snis.clone();
    let fake = Fake::start(move |mut tcp, seen| {
        let _ = tcp.set_read_timeout(Some(secs(20)));
        let mut conn = rustls::ServerConnection::new(config.clone()).unwrap();
        let mut recorded = false;
        while conn.is_handshaking() {
            let result = conn.complete_io(&mut tcp);
            if !recorded
                && (conn.server_name().is_some() || !conn.is_handshaking() || result.is_err())
            {
                record
                    .lock()
                    .unwrap()
                    .push(conn.server_name().map(str::to_owned));
                recorded = true;
            }
            if result.is_err() {
                return;
            }
        }
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        if tls
            .write_all(format!("* OK [CAPABILITY {TLS_CAPS}] fake TLS server\r\n").as_bytes())
            .is_err()
        {
            return;
        }
        serve_lines(&mut tls, &seen, |tag, command| {
            basic(tag, command, TLS_CAPS)
        });
    });
    (fake, snis)
}

/// The SNI each client sent to a [`tls_server`] (`None` for none).
type Snis = Arc<Mutex<Vec<Option<String>>>>;

/// A [`tls_server`] with a self-signed certificate for `names`, valid
/// between the two dates (see [`certificate`]), and a file with that
/// certificate (named after `name`) to trust as CA.
fn tls_server_for(
    name: &str,
    names: &[&str],
    from: (i32, u8, u8),
    to: (i32, u8, u8),
) -> (Fake, Snis, PathBuf) {
    let (pem, cert, key) = certificate(names, from, to);
    let ca = pem_file(name, &pem);
    let (server, snis) = tls_server(cert, key);
    (server, snis, ca)
}

/// A port nothing listens on (was free a moment ago).
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn free_ports() -> (u16, u16) {
    let a = TcpListener::bind("127.0.0.1:0").unwrap();
    let b = TcpListener::bind("127.0.0.1:0").unwrap();
    (
        a.local_addr().unwrap().port(),
        b.local_addr().unwrap().port(),
    )
}

fn demo(name: &str) -> DemoServer {
    let (port, tls_port) = free_ports();
    DemoServer::start(
        &format!("review-{name}-{}", std::process::id()),
        port,
        tls_port,
    )
}

/// The demo server's audit lines about authentication.
fn auth_lines(demo: &DemoServer) -> Vec<String> {
    demo.log()
        .lines()
        .filter(|l| l.contains(" auth ") || l.contains(" login "))
        .map(str::to_owned)
        .collect()
}

// ---------------------------------------------------------------------------
// client: TLS

#[test]
fn client_verifies_certificates_by_default_and_ca_keeps_checks() {
    let demo = demo("client-tls");
    let tls = demo.tls_port.to_string();
    // No --ca: the self-signed certificate is not trusted, with the reason.
    let r = run(list("localhost", &tls).command(), secs(20));
    r.assert_clean_failure();
    assert_eq!(r.code, Some(4), "{r:?}");
    assert!(r.stderr.contains("unknown CA"), "{r:?}");
    assert!(!r.all().contains(PASSWORD));
    // No option turns verification off.
    for flag in ["--insecure", "--no-verify", "--danger-accept-invalid-certs"] {
        let r = run(list("localhost", &tls).mode(flag).command(), secs(20));
        assert_eq!(r.code, Some(2), "{flag} must be unknown: {r:?}");
    }
    assert!(auth_lines(&demo).is_empty(), "{}", demo.log());
    // With --ca: host name and IP address (the certificate has both).
    let cert = demo.cert.to_str().unwrap();
    for host in ["localhost", "127.0.0.1"] {
        let r = run(
            list(host, &tls)
                .ca(cert)
                .command()
                .env("IMAP_PASSWORD", "wonderland"),
            secs(30),
        );
        assert_eq!(r.code, Some(0), "{host}: {r:?}");
        assert!(r.stdout.contains("INBOX"), "{r:?}");
    }
}

#[test]
fn client_ca_file_still_checks_the_host_name_and_expiry() {
    for (file, name, until, problem) in [
        // --ca trusts this certificate, but it is for another name.
        (
            "other-name",
            "imap.example.org",
            (2090, 1, 1),
            "another host name",
        ),
        // Trusted and for the right name, but expired.
        ("expired", "localhost", (2021, 1, 1), "certificate expired"),
    ] {
        let (server, _, ca) = tls_server_for(file, &[name], (2020, 1, 1), until);
        let r = run(
            list("localhost", &server.port())
                .ca(ca.to_str().unwrap())
                .command(),
            secs(20),
        );
        r.assert_clean_failure();
        assert_eq!(r.code, Some(4), "{r:?}");
        assert!(r.stderr.contains(problem), "{r:?}");
        assert!(!sent_credentials(&server.seen()));
    }
}

#[test]
fn client_and_blocking_send_sni_for_a_host_name_only() {
    let (server, snis, ca) = tls_server_for(
        "sni",
        &["localhost", "127.0.0.1"],
        (2020, 1, 1),
        (2090, 1, 1),
    );
    let ca = ca.to_str().unwrap();
    let port = server.port();
    // The server refuses the login: exit 5, and the password is not printed.
    let r = run(list("localhost", &port).ca(ca).command(), secs(20));
    assert_eq!(r.code, Some(5), "{r:?}");
    assert!(r.stderr.contains("AUTHENTICATIONFAILED"), "{r:?}");
    assert!(!r.all().contains(PASSWORD), "{r:?}");
    let r = run(list("127.0.0.1", &port).ca(ca).command(), secs(20));
    assert_eq!(r.code, Some(5), "{r:?}");
    let r = run(blocking(&["localhost", &port, "alice", ca]), secs(20));
    r.assert_clean_failure();
    assert!(!r.all().contains(PASSWORD), "{r:?}");
    // RFC 6066 §3: SNI carries host names, never IP addresses.
    assert_eq!(
        *snis.lock().unwrap(),
        [
            Some("localhost".to_owned()),
            None,
            Some("localhost".to_owned())
        ]
    );
}

#[test]
fn client_starttls_fails_closed() {
    // No STARTTLS offered: the client must give up before any login.
    let server = no_starttls_offered();
    // STARTTLS offered but refused.
    let refused = starttls_refused();
    // STARTTLS answered OK, then no TLS: a stripping attacker.
    let stripped = stripping();
    for (i, server) in [&server, &refused, &stripped].into_iter().enumerate() {
        for auth in ["login", "plain", "xoauth2", "oauthbearer"] {
            eprintln!("server {i}, --auth {auth}");
            let r = run(
                list("localhost", &server.port())
                    .mode("--starttls")
                    .auth(auth)
                    .command(),
                secs(20),
            );
            r.assert_clean_failure();
            r.assert_no_secrets();
        }
        assert!(
            !sent_credentials(&server.seen()),
            "credentials sent in clear: {:?}",
            server.seen()
        );
    }
}

#[test]
fn client_tokens_and_passwords_stay_out_of_argv_output_and_debug() {
    // No option takes a secret on the command line (visible in `ps`).
    for flag in ["--password", "--pass", "--token"] {
        let r = run(
            client(&[
                "--host",
                "localhost",
                "--user",
                "alice",
                flag,
                PASSWORD,
                "list",
            ]),
            secs(10),
        );
        assert_eq!(r.code, Some(2), "{flag}: {r:?}");
        assert!(r.stderr.contains("unknown option"), "{r:?}");
    }
    // Over TLS the token is sent, refused, and not printed.
    let (server, _, ca) = tls_server_for("oauth", &["localhost"], (2020, 1, 1), (2090, 1, 1));
    for auth in ["xoauth2", "oauthbearer", "plain", "scram-sha-256"] {
        let r = run(
            list("localhost", &server.port())
                .ca(ca.to_str().unwrap())
                .auth(auth)
                .command(),
            secs(20),
        );
        r.assert_clean_failure();
        r.assert_no_secrets();
    }
    // A missing secret is a usage error naming the variable.
    let r = run(
        client(&[
            "--host",
            "localhost",
            "--port",
            &server.port(),
            "--ca",
            ca.to_str().unwrap(),
            "--user",
            "a",
            "list",
        ])
        .env_remove("IMAP_PASSWORD"),
        secs(10),
    );
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("IMAP_PASSWORD"), "{r:?}");
    // Debug of the secret types.
    assert_eq!(
        format!("{:?}", Secret::new(PASSWORD.to_owned())),
        "<redacted>"
    );
    let mut o = Options::new("localhost");
    o.user = Some("alice".into());
    o.password = Some(Secret::new(PASSWORD.to_owned()));
    assert!(!format!("{o:?}").contains(PASSWORD));
}

// ---------------------------------------------------------------------------
// client: errors

#[test]
fn client_errors_are_named_with_exit_codes_and_no_panic() {
    // Connection refused.
    let port = closed_port().to_string();
    let r = run(list("127.0.0.1", &port).command(), secs(20));
    r.assert_clean_failure();
    assert_eq!(r.code, Some(3), "{r:?}");
    assert!(r.stderr.contains("connection refused"), "{r:?}");
    // DNS failure (RFC 6761: .invalid never resolves).
    let r = run(
        client(&[
            "--host",
            "imap.nonexistent.invalid",
            "--user",
            "alice",
            "list",
        ]),
        secs(30),
    );
    r.assert_clean_failure();
    assert_eq!(r.code, Some(3), "{r:?}");
    assert!(r.stderr.contains("lookup"), "{r:?}");
    // Garbage instead of a greeting, plaintext and TLS.
    let garbage = says(
        b"\x00\xff\xfeSSH-2.0-OpenSSH_9.6 \x01\x02garbage\r\n\r\n",
        secs(5),
    );
    for mode in ["--starttls", "--tls"] {
        let r = run(
            list("127.0.0.1", &garbage.port()).mode(mode).command(),
            secs(20),
        );
        r.assert_clean_failure();
    }
    assert!(!sent_credentials(&garbage.seen()));
}

/// An HTTP server: answers the first bytes it gets with 400 and closes.
fn http_server() -> Fake {
    Fake::start(|mut s, seen| {
        let mut buf = [0u8; 1024];
        let _ = s.set_read_timeout(Some(secs(20)));
        if let Ok(n) = s.read(&mut buf) {
            seen.lock().unwrap().extend_from_slice(&buf[..n]);
        }
        let _ = s.write_all(
            b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: 11\r\n\
              Connection: close\r\n\r\nBad Request",
        );
    })
}

#[test]
// Was a bug: client --tls on a non-TLS port (plaintext IMAP, HTTP) says 'received corrupt message' with a certificate hint and exit 4
fn client_tls_on_a_non_tls_port_names_the_cause() {
    let plain = scripted("* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n", |t, c| {
        basic(t, c, "IMAP4rev1 STARTTLS")
    });
    let http = http_server();
    for server in [&plain, &http] {
        let r = run(
            list("127.0.0.1", &server.port()).mode("--tls").command(),
            secs(20),
        );
        r.assert_clean_failure();
        let err = r.stderr.to_ascii_lowercase();
        // Not a certificate problem: exit 4 and the --ca hint mislead.
        assert!(!err.contains("certificate"), "{r:?}");
        assert_ne!(r.code, Some(4), "{r:?}");
        assert!(
            err.contains("not speak tls") || err.contains("not tls") || err.contains("plaintext"),
            "{r:?}"
        );
    }
}

#[test]
// Was a bug: client --tls waits forever in the TLS handshake when the server accepts and says nothing
fn client_tls_handshake_times_out() {
    let server = silent();
    let r = run(
        list("127.0.0.1", &server.port()).mode("--tls").command(),
        secs(60),
    );
    r.assert_clean_failure();
    assert!(r.stderr.contains("timed out"), "{r:?}");
}

#[test]
// Was a bug: client --starttls: no greeting in 30 s is reported as 'authentication failed: not sent: connection is closed', exit 5, password hint
fn client_greeting_timeout_is_not_an_authentication_failure() {
    let server = silent();
    let r = run(
        list("127.0.0.1", &server.port())
            .mode("--starttls")
            .command(),
        secs(60),
    );
    r.assert_clean_failure();
    assert_ne!(r.code, Some(5), "{r:?}");
    assert!(!r.stderr.contains("authentication failed"), "{r:?}");
    assert!(r.stderr.contains("greeting"), "{r:?}");
}

#[test]
// Was a bug: client --starttls against a server without (or refusing) STARTTLS: 'authentication failed: not sent: connection is closed' (exit 5), or 'connection is closed' (exit 2)
fn client_starttls_failure_is_named() {
    let no_offer = no_starttls_offered();
    let refused = starttls_refused();
    for server in [&no_offer, &refused] {
        for auth in ["login", "plain"] {
            let r = run(
                list("127.0.0.1", &server.port())
                    .mode("--starttls")
                    .auth(auth)
                    .command(),
                secs(20),
            );
            r.assert_clean_failure();
            assert!(r.stderr.contains("STARTTLS"), "--auth {auth}: {r:?}");
            assert!(!r.stderr.contains("authentication failed"), "{r:?}");
            assert!(!matches!(r.code, Some(2 | 5)), "{r:?}");
        }
    }
}

#[test]
// Was a bug: client --starttls --auth scram-sha-256 picks the mechanism before STARTTLS: SCRAM without channel binding, never -PLUS
fn client_scram_after_starttls_uses_channel_binding() {
    let demo = demo("client-scram");
    let r = run(
        list("localhost", &demo.port.to_string())
            .mode("--starttls")
            .ca(demo.cert.to_str().unwrap())
            .auth("scram-sha-256")
            .command()
            .env("IMAP_PASSWORD", "wonderland"),
        secs(30),
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    let auth = auth_lines(&demo);
    assert!(
        auth.iter()
            .any(|l| l.contains("mechanism=SCRAM-SHA-256-PLUS") && l.contains("outcome=Success")),
        "{auth:?}"
    );
}

// ---------------------------------------------------------------------------
// Slow servers: greeting timeouts (about 30 s, run together)

#[test]
fn silent_and_dribbling_greetings_are_given_up_on() {
    let silent = silent();
    // A greeting that never ends, one byte per second.
    let dribble = dribbler(0, b"* OK still greeting ");
    let runs: Vec<_> = [
        list("127.0.0.1", &silent.port())
            .mode("--starttls")
            .command(),
        list("127.0.0.1", &dribble.port())
            .mode("--starttls")
            .command(),
        // The blocking example's TLS handshake runs under the greeting timeout.
        blocking(&["127.0.0.1", &silent.port(), "alice"]),
    ]
    .into_iter()
    .map(|cmd| thread::spawn(move || run(cmd, secs(50))))
    .collect();
    for r in runs {
        let r = r.join().unwrap();
        r.assert_clean_failure();
        assert!(!r.all().contains(PASSWORD), "{r:?}");
    }
    assert!(!sent_credentials(&silent.seen()));
    assert!(!sent_credentials(&dribble.seen()));
}

// ---------------------------------------------------------------------------
// blocking

#[test]
fn blocking_verifies_the_certificate() {
    let demo = demo("blocking");
    let tls = demo.tls_port.to_string();
    // The public roots do not know the demo's certificate.
    let r = run(blocking(&["localhost", &tls, "alice"]), secs(20));
    r.assert_clean_failure();
    assert!(r.stderr.contains("UnknownIssuer"), "{r:?}");
    // A certificate for another name, trusted as CA.
    let (server, _, ca) = tls_server_for(
        "blocking-other-name",
        &["imap.example.org"],
        (2020, 1, 1),
        (2090, 1, 1),
    );
    let r = run(
        blocking(&["localhost", &server.port(), "alice", ca.to_str().unwrap()]),
        secs(20),
    );
    r.assert_clean_failure();
    assert!(r.stderr.contains("NotValidForName"), "{r:?}");
    assert!(!sent_credentials(&server.seen()));
    assert!(auth_lines(&demo).is_empty(), "{}", demo.log());
    // Refused connection: an error, not a panic.
    let port = closed_port().to_string();
    let r = run(blocking(&["127.0.0.1", &port, "alice"]), secs(20));
    r.assert_clean_failure();
    assert!(r.stderr.contains("ConnectionRefused"), "{r:?}");
}

#[test]
// Was a bug: blocking example panics (index out of bounds, exit 101) when HOST PORT USER are missing
fn blocking_usage_errors_are_messages_not_panics() {
    for args in [&[][..], &["localhost"][..], &["localhost", "993"][..]] {
        let r = run(blocking(args), secs(10));
        r.assert_clean_failure();
        assert!(r.stderr.contains("usage"), "{args:?}: {r:?}");
    }
}

/// The same for the tokio `client` example: a server that stops reading
/// fails its APPEND after the write timeout (`IMAP_WRITE_TIMEOUT`, 60 s
/// by default) with a clear error, instead of hanging.
#[test]
fn client_write_times_out_when_the_server_stops_reading() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let server = thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        sock.write_all(b"* PREAUTH [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n")
            .unwrap();
        // Never reads; holds the connection until the test is done.
        let _ = done_rx.recv_timeout(secs(60));
    });
    let file = std::env::temp_dir().join(format!("imapkit-big-{}.eml", std::process::id()));
    std::fs::write(&file, vec![b'x'; 64 << 20]).unwrap();
    let mut cmd = client(&["--plain", "--host", "127.0.0.1", "--port", &port]);
    cmd.args(["--user", "alice", "append", "INBOX"])
        .arg(&file)
        .env("IMAP_WRITE_TIMEOUT", "1");
    let r = run(cmd, secs(30));
    let _ = std::fs::remove_file(&file);
    r.assert_clean_failure();
    assert!(r.stderr.contains("write timed out"), "{r:?}");
    done_tx.send(()).unwrap();
    server.join().unwrap();
}

/// A server that stops reading (its receive window full) fails the
/// blocking `Session`'s write with `TimedOut` after the write timeout, and
/// the session is closed, instead of blocking for ever. Was a doubt of
/// stop 28: the blocking `Session` had no write timeout.
#[test]
fn blocking_session_write_times_out_when_the_server_stops_reading() {
    use imap_examples::blocking::{Session, Stream};
    use imapkit_proto::CommandBody;
    use imapkit_state::client::{ClientConfig, SessionState, StartTlsPolicy};

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let server = thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        sock.write_all(b"* PREAUTH [CAPABILITY IMAP4rev1 LITERAL+] ready\r\n")
            .unwrap();
        // Never reads; holds the connection until the test is done.
        let _ = done_rx.recv_timeout(secs(60));
    });
    let tcp = TcpStream::connect(addr).unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let tls = imap_examples::blocking::tls_config(None).unwrap();
    // A plaintext PREAUTH is a downgrade under the default policy.
    let mut config = ClientConfig::default();
    config.starttls = StartTlsPolicy::Never;
    let mut s = Session::with_stream(Stream::Plain(tcp), name, tls, config);
    s.set_write_timeout(Some(secs(1)));
    s.next_event().unwrap();
    assert_eq!(s.client.state(), SessionState::Authenticated);
    // 64 MiB as a non-synchronizing literal: far more than the socket
    // buffers on both ends hold.
    let message = vec![b'x'; 64 << 20];
    let append = CommandBody::append("INBOX", message).unwrap();
    let h = s.client.enqueue(Instant::now(), append).unwrap();
    let started = Instant::now();
    let err = s.wait(h).unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.kind(), std::io::ErrorKind::TimedOut, "{err}");
    assert!(err.to_string().contains("write timed out"), "{err}");
    assert!(took < secs(30), "gave up after {took:?}");
    assert_eq!(s.client.state(), SessionState::Closed);
    done_tx.send(()).unwrap();
    server.join().unwrap();
}

// ---------------------------------------------------------------------------
// imap-check

fn options(port: u16, user: bool) -> Options {
    let mut o = Options::new("127.0.0.1");
    o.ports = vec![port];
    o.timeout = secs(3);
    if user {
        o.user = Some("alice".into());
        o.password = Some(Secret::new(PASSWORD.to_owned()));
    }
    o
}

fn statuses(r: &Report, status: Status) -> Vec<String> {
    r.findings()
        .iter()
        .filter(|f| f.status == status)
        .map(ToString::to_string)
        .collect()
}

#[test]
fn imap_check_against_the_demo_server_reports_only_true_problems() {
    let demo = demo("check");
    let cert = demo.cert.to_str().unwrap();
    let target = format!("localhost:{}", demo.tls_port);
    let plain = demo.port.to_string();
    let r = run(
        imap_check(&[&target, "--port", &plain, "--ca", cert, "--user", "alice"])
            .env("IMAP_PASSWORD", "wonderland"),
        secs(30),
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    let warns: Vec<&str> = r.stdout.lines().filter(|l| l.starts_with("WARN")).collect();
    // The README: the demo server has no COMPRESS (QRESYNC since stop 33).
    assert_eq!(warns.len(), 1, "{}", r.stdout);
    assert!(
        warns[0].starts_with("WARN  extensions: no COMPRESS=DEFLATE"),
        "{warns:?}"
    );
    assert!(!r.stdout.contains("FAIL"), "{}", r.stdout);
    assert!(!r.all().contains("wonderland"));
    // One login, over TLS.
    let auth = auth_lines(&demo);
    assert_eq!(auth.len(), 1, "{auth:?}");
    assert!(auth[0].contains("tls=yes") && auth[0].contains("outcome=Success"));

    // A wrong password: FAIL with the code, the password not printed.
    let r = run(
        imap_check(&[&target, "--ca", cert, "--user", "bob"]).env("IMAP_PASSWORD", PASSWORD),
        secs(30),
    );
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stdout
            .contains("FAIL  login: AUTHENTICATE PLAIN as bob refused: NO [AUTHENTICATIONFAILED]"),
        "{}",
        r.stdout
    );
    assert!(!r.all().contains(PASSWORD));

    // Without --ca the certificate does not verify: FAILs that say so, the
    // rest checked, and no password sent on either port.
    let before = auth_lines(&demo).len();
    let r = run(
        imap_check(&[&target, "--port", &plain, "--user", "alice"])
            .env("IMAP_PASSWORD", "wonderland"),
        secs(30),
    );
    assert_eq!(r.code, Some(1), "{r:?}");
    let fails: Vec<&str> = r.stdout.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert_eq!(fails.len(), 3, "{}", r.stdout);
    assert!(
        fails[0].contains("certificate chain") && fails[0].contains("not issued by an authority")
    );
    assert!(fails[1].contains(&format!("{plain} certificate: the same certificate")));
    assert!(fails[2].starts_with("FAIL  login: not attempted"));
    assert_eq!(auth_lines(&demo).len(), before, "{}", demo.log());
}

#[test]
// Was a bug: imap-check without --user WARNs 'no IDLE', 'no CONDSTORE', 'no SPECIAL-USE' for extensions the demo server offers after login
fn imap_check_does_not_warn_about_extensions_it_could_not_see() {
    let demo = demo("check-nologin");
    let r = run(
        imap_check(&[
            &format!("localhost:{}", demo.tls_port),
            "--ca",
            demo.cert.to_str().unwrap(),
        ]),
        secs(30),
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    // The demo server announces these after login (see the test above).
    for offered in ["no IDLE", "no CONDSTORE", "no SPECIAL-USE"] {
        assert!(
            !r.stdout
                .lines()
                .any(|l| l.starts_with("WARN") && l.contains(offered)),
            "{offered}: {}",
            r.stdout
        );
    }
}

#[test]
fn imap_check_never_sends_credentials_in_clear() {
    // No STARTTLS, LOGIN and AUTH=PLAIN offered in clear.
    let no_tls = no_starttls_offered();
    let refused = starttls_refused();
    let stripped = stripping();
    // PREAUTH in clear.
    let preauth = scripted("* PREAUTH welcome\r\n", |t, c| basic(t, c, "IMAP4rev1"));
    for (server, problem) in [
        (&no_tls, "STARTTLS is not offered"),
        (&refused, "the server refused STARTTLS"),
        (&stripped, "TLS"),
        (&preauth, "PREAUTH on a plaintext connection"),
    ] {
        let r = check::run(&options(server.port, true));
        let fails = statuses(&r, Status::Fail);
        assert!(fails.iter().any(|f| f.contains(problem)), "{problem}: {r}");
        assert!(
            fails
                .iter()
                .any(|f| f.starts_with("FAIL  login: not attempted")),
            "{r}"
        );
        assert!(!sent_credentials(&server.seen()), "{:?}", server.seen());
        assert!(!r.to_string().contains(PASSWORD));
    }
    // The binary takes the password from the environment only.
    let r = run(imap_check(&["127.0.0.1", "--password", PASSWORD]), secs(10));
    assert_eq!(r.code, Some(2), "{r:?}");
    let r = run(
        imap_check(&["127.0.0.1", "--user", "alice"]).env_remove("IMAP_PASSWORD"),
        secs(10),
    );
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("IMAP_PASSWORD"), "{r:?}");
}

#[test]
fn imap_check_failures_have_their_cause() {
    // Silent: no TLS answer within the timeout.
    let s = silent();
    let r = check::run(&options(s.port, false));
    assert_eq!(
        statuses(&r, Status::Fail),
        [format!(
            "FAIL  {} tls: no TLS answer within 3 s -> check the port: 993 is implicit TLS, 143 plaintext with STARTTLS",
            s.port
        )]
    );
    // An HTTP server.
    let http = http_server();
    let r = check::run(&options(http.port, true));
    let fails = statuses(&r, Status::Fail);
    assert!(
        fails[0].starts_with(&format!(
            "FAIL  {} tls: the server does not speak TLS here",
            http.port
        )),
        "{r}"
    );
    // Garbage.
    let garbage = says(b"\x00\xff\xfe garbage\r\n\r\n", secs(5));
    let r = check::run(&options(garbage.port, true));
    assert!(r.failed(), "{r}");
    assert!(!sent_credentials(&garbage.seen()));
    // Greets, then never answers: the CAPABILITY command times out.
    let mute = says(b"* OK hi\r\n", secs(60));
    let started = Instant::now();
    let r = check::run(&options(mute.port, false));
    assert!(started.elapsed() < secs(15), "{:?}", started.elapsed());
    assert!(
        statuses(&r, Status::Fail)
            .iter()
            .any(|f| f.contains("capabilities before TLS: no capability list")),
        "{r}"
    );
    // A closed port, and an expired certificate named as such.
    let port = closed_port();
    let r = check::run(&options(port, false));
    assert!(
        statuses(&r, Status::Fail)[0].contains("connection refused"),
        "{r}"
    );
    let (server, _, ca) =
        tls_server_for("check-expired", &["127.0.0.1"], (2020, 1, 1), (2021, 1, 1));
    let mut o = options(server.port, true);
    o.ca = Some(ca);
    let r = check::run(&o);
    let fails = statuses(&r, Status::Fail);
    assert!(
        fails
            .iter()
            .any(|f| f.contains("certificate expiry: expired: notAfter 2021-01-01")),
        "{r}"
    );
    assert!(!sent_credentials(&server.seen()), "{}", server.seen());
}

#[test]
// Was a bug: imap-check takes a plaintext greeting arriving in pieces for a broken TLS server: FAIL 'does not speak TLS here', STARTTLS unchecked
fn imap_check_recognises_a_slow_plaintext_greeting() {
    // A dribbled greeting is cut at the timeout (probe, then the greeting).
    let dribble = dribbler(0, b"* OK dribbling greeting ");
    let started = Instant::now();
    let r = check::run(&options(dribble.port, false));
    assert!(started.elapsed() < secs(20), "{:?}", started.elapsed());
    assert!(
        statuses(&r, Status::Fail)
            .iter()
            .any(|f| f.contains("greeting: no greeting in time")),
        "{r}"
    );
}

#[test]
// Was a bug: imap-check --timeout is per read: a TLS handshake dribbled one byte per second keeps it waiting for hours
fn imap_check_timeout_bounds_a_dribbled_handshake() {
    // A TLS record header announcing 16 KiB, then one byte per second.
    let server = dribbler(5, b"\x16\x03\x03\x40\x00\x02\x00\x00\x46\x03\x03");
    let target = format!("127.0.0.1:{}", server.port);
    let r = run(imap_check(&[&target, "--timeout", "2"]), secs(30));
    r.assert_clean_failure();
    assert!(r.stdout.contains("FAIL"), "{r:?}");
}

#[test]
// Was a bug: imap-check --timeout restarts with every byte: a CAPABILITY answer dribbled one byte per second never times out
fn imap_check_timeout_bounds_a_dribbled_response() {
    let server = Fake::start(|mut s, seen| {
        let _ = s.write_all(b"* OK hi\r\n");
        let _ = s.set_read_timeout(Some(secs(3)));
        let mut buf = [0u8; 1024];
        if let Ok(n) = s.read(&mut buf) {
            seen.lock().unwrap().extend_from_slice(&buf[..n]);
        }
        dribble(
            &mut s,
            b"* CAPABILITY IMAP4rev1".iter().chain(b" X".iter().cycle()),
        );
    });
    let target = format!("127.0.0.1:{}", server.port);
    let r = run(imap_check(&[&target, "--timeout", "2"]), secs(40));
    r.assert_clean_failure();
    assert!(r.stdout.contains("no capability list"), "{r:?}");
}
