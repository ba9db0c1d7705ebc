//! imap-check against real servers: a well-configured Dovecot (LOGINDISABLED
//! before TLS, a valid certificate for `localhost` only), a badly configured
//! one (plaintext login allowed, an expired certificate), a closed port, a
//! wrong name, and scripted plaintext servers for what Dovecot will not do
//! (PREAUTH in clear, no STARTTLS).
//!
//! The checks run as a library call ([`imap_examples::check::run`]), which
//! is what the binary prints; one test runs the binary itself for its
//! output and exit status.
//!
//! The Dovecot tests are skipped with a printed reason when Dovecot is not
//! installed, unless `IMAP_REQUIRE_INTEROP` is set (CI).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use imap_examples::check::certificate::{format_utc, Leaf};
use imap_examples::check::{self, Finding, Options, Report, Status};
use imap_examples::dovecot::{self, Dovecot};
use imapkit_proto::Secret;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;

const DAY: i64 = 86_400;

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}

/// Writes a CA and a server certificate for `names`, valid from
/// `not_before` to `not_after` (Unix seconds), into `dir/tls/` — unless a
/// certificate is there already (the instance may be running with it).
fn write_pki(dir: &Path, names: &[&str], not_before: i64, not_after: i64) {
    let tls = dir.join("tls");
    if tls.join("server.pem").exists() {
        return;
    }
    std::fs::create_dir_all(&tls).unwrap();
    let mut ca = CertificateParams::default();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.distinguished_name
        .push(DnType::CommonName, "imap-check test CA");
    ca.not_before = rcgen::date_time_ymd(2000, 1, 1);
    ca.not_after = rcgen::date_time_ymd(2100, 1, 1);
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
    let epoch = rcgen::date_time_ymd(1970, 1, 1);
    let mut leaf =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    leaf.distinguished_name.push(DnType::CommonName, names[0]);
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.not_before = epoch + Duration::from_secs(not_before as u64);
    leaf.not_after = epoch + Duration::from_secs(not_after as u64);
    let key = KeyPair::generate().unwrap();
    let cert = leaf.signed_by(&key, &ca).unwrap();
    std::fs::write(tls.join("ca.pem"), ca.pem()).unwrap();
    std::fs::write(tls.join("server.key"), key.serialize_pem()).unwrap();
    // Last: its presence means the set is complete.
    std::fs::write(tls.join("server.pem"), cert.pem()).unwrap();
}

/// LOGINDISABLED before TLS; a certificate valid for a year, for
/// `localhost` and 127.0.0.2, not 127.0.0.1.
///
/// It listens on 127.0.0.2 (the address the checks use) and 127.0.0.1
/// (for the wrong name). Dovecot treats a client whose address equals its
/// own as secured and offers it plaintext login despite the settings; the
/// checks connect from 127.0.0.1 to 127.0.0.2, like a remote client.
fn good() -> Option<Dovecot> {
    dovecot::start_with(
        "check-good",
        11443,
        11493,
        &[
            ("DOVECOT_DISABLE_PLAINTEXT_AUTH", "yes"),
            ("IMAP_HOST", "127.0.0.2"),
            ("IMAP_LISTEN", "127.0.0.2 127.0.0.1"),
        ],
        |dir| {
            write_pki(
                dir,
                &["localhost", "127.0.0.2"],
                now() - DAY,
                now() + 365 * DAY,
            )
        },
    )
}

/// Plaintext login allowed (the script's default); a certificate that
/// expired 30 days before the instance was first started.
fn bad() -> Option<Dovecot> {
    dovecot::start_with("check-bad", 11543, 11593, &[], |dir| {
        write_pki(
            dir,
            &["localhost", "127.0.0.1"],
            now() - 400 * DAY,
            now() - 30 * DAY,
        )
    })
}

fn options(host: &str, ports: &[u16], ca: Option<&Path>, login: Option<(&str, &str)>) -> Options {
    let mut o = Options::new(host);
    o.ports = ports.to_vec();
    o.ca = ca.map(Path::to_path_buf);
    if let Some((user, password)) = login {
        o.user = Some(user.to_owned());
        o.password = Some(Secret::new(password.to_owned()));
    }
    o
}

fn run(options: &Options) -> Report {
    let report = check::run(options);
    // Shown with --nocapture, and in the failure output.
    println!("{report}");
    report
}

/// The one finding with this topic and status (panics otherwise).
fn one<'r>(report: &'r Report, topic: &str, status: Status) -> &'r Finding {
    let found: Vec<&Finding> = report
        .findings()
        .iter()
        .filter(|f| f.topic == topic && f.status == status)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one {status:?} finding about {topic:?} expected in\n{report}"
    );
    found[0]
}

fn lines(report: &Report) -> Vec<String> {
    report.findings().iter().map(ToString::to_string).collect()
}

fn logins_in_log(dc: &Dovecot, user: &str) -> usize {
    let log = std::fs::read_to_string(dc.dir.join("log/dovecot.log")).unwrap_or_default();
    log.matches(&format!("user=<{user}>")).count()
}

#[test]
fn a_well_configured_dovecot_passes() {
    let Some(dc) = good() else { return };
    let r = run(&options(
        &dc.host,
        &[dc.tls_port, dc.port],
        Some(&dc.ca_cert),
        Some(("alice", "secret")),
    ));
    assert!(!r.failed(), "{r}");
    let (tls, plain) = (dc.tls_port, dc.port);
    // Roles found by trying TLS first.
    assert!(
        one(&r, &format!("{tls} tls"), Status::Ok)
            .message
            .starts_with("implicit TLS: TLS 1.3, TLS13_"),
        "{r}"
    );
    assert!(one(&r, &format!("{plain} tls"), Status::Ok)
        .message
        .starts_with("plaintext port (the server greets with \"* OK"));
    assert!(one(&r, &format!("{plain} starttls"), Status::Ok)
        .message
        .starts_with("STARTTLS: TLS 1.3, TLS13_"));
    // LOGINDISABLED before TLS, and no plaintext-login warning.
    assert!(lines(&r).contains(&format!(
        "OK    {plain} login before TLS: LOGINDISABLED before TLS: the server refuses LOGIN in clear"
    )));
    assert!(
        one(&r, &format!("{plain} capabilities before TLS"), Status::Ok)
            .message
            .contains("LOGINDISABLED")
    );
    // The certificate.
    assert!(one(&r, &format!("{tls} certificate chain"), Status::Ok)
        .message
        .starts_with("CN=localhost issued by CN=imap-check test CA (1 certificate sent), verified against --ca "));
    assert_eq!(
        one(&r, &format!("{tls} certificate name"), Status::Ok).message,
        "valid for 127.0.0.2 (names: localhost, 127.0.0.2)"
    );
    assert!(one(&r, &format!("{tls} certificate expiry"), Status::Ok)
        .message
        .ends_with("days left"));
    assert_eq!(
        one(&r, &format!("{plain} certificate"), Status::Ok).message,
        format!("the same certificate as on port {tls} (see above)")
    );
    // The login, on the first verified TLS port, and what came after it.
    assert_eq!(
        one(&r, "login", Status::Ok).message,
        format!("logged in as alice with AUTHENTICATE PLAIN over TLS on port {tls}")
    );
    assert!(one(&r, "capabilities after login", Status::Ok)
        .message
        .contains("CONDSTORE"));
    assert!(one(&r, "mailboxes", Status::Ok)
        .message
        .contains("special use: \\Drafts Drafts, \\Sent Sent, \\Trash Trash, \\Junk Junk"));
    let inbox = &one(&r, "inbox", Status::Ok).message;
    let rest = inbox.strip_prefix("INBOX: ").expect(inbox);
    let (count, rest) = rest.split_once(" messages, UIDVALIDITY ").expect(inbox);
    count.parse::<u32>().expect(inbox);
    rest.parse::<u32>().expect(inbox);
    assert_eq!(
        one(&r, "extensions", Status::Ok).message,
        "offered: IDLE, CONDSTORE, QRESYNC, COMPRESS=DEFLATE, SPECIAL-USE"
    );
    assert!(one(&r, "client settings", Status::Ok)
        .message
        .starts_with(&format!(
            "incoming server 127.0.0.2, port {tls}, connection security SSL/TLS"
        )));
}

#[test]
fn a_wrong_password_reports_the_rfc_5530_code() {
    let Some(dc) = good() else { return };
    let o = options(
        &dc.host,
        &[dc.tls_port],
        Some(&dc.ca_cert),
        Some(("alice", "not-the-password")),
    );
    assert!(!format!("{o:?}").contains("not-the-password"));
    let r = run(&o);
    assert!(r.failed());
    let login = one(&r, "login", Status::Fail);
    assert_eq!(
        login.message,
        "AUTHENTICATE PLAIN as alice refused: NO [AUTHENTICATIONFAILED] Authentication failed."
    );
    assert!(login
        .advice
        .as_deref()
        .unwrap()
        .starts_with("wrong user name or password"));
    // The password appears nowhere in the report.
    assert!(!r.to_string().contains("not-the-password"));
    // Without the capabilities after login the extensions say why.
    assert!(r
        .about("extensions")
        .filter(|f| f.status == Status::Warn)
        .all(|f| f
            .message
            .ends_with("(in the list before login; no login succeeded)")));
}

#[test]
fn a_badly_configured_dovecot_fails() {
    let Some(dc) = bad() else { return };
    let leaf_pem = std::fs::read(dc.dir.join("tls/server.pem")).unwrap();
    let leaf_der = CertificateDer::from_pem_slice(&leaf_pem).unwrap();
    let leaf = Leaf::parse(&leaf_der).unwrap();
    let logins = logins_in_log(&dc, "alice");
    let r = run(&options(
        "localhost",
        &[dc.tls_port, dc.port],
        Some(&dc.ca_cert),
        Some(("alice", "secret")),
    ));
    assert!(r.failed());
    let (tls, plain) = (dc.tls_port, dc.port);
    // The expired certificate, with its date, on both ports.
    let expiry = one(&r, &format!("{tls} certificate expiry"), Status::Fail);
    assert_eq!(
        expiry.message,
        format!(
            "expired: notAfter {}, {} days ago",
            format_utc(leaf.not_after),
            (now() - leaf.not_after) / DAY
        )
    );
    // Chain and name are fine apart from the dates.
    one(&r, &format!("{tls} certificate chain"), Status::Ok);
    one(&r, &format!("{tls} certificate name"), Status::Ok);
    one(&r, &format!("{plain} certificate"), Status::Fail);
    // The plaintext login.
    let warning = one(&r, &format!("{plain} login before TLS"), Status::Warn);
    assert_eq!(
        warning.message,
        "LOGIN is offered without TLS (and AUTH=PLAIN, AUTH=LOGIN): passwords would cross the network in clear"
    );
    // The rest was checked without verification, and no password was sent.
    assert!(one(&r, &format!("{tls} tls"), Status::Ok)
        .message
        .ends_with(
            "(certificate not verified from here on: checking the rest, sending no password)"
        ));
    one(&r, &format!("{tls} capabilities"), Status::Ok);
    one(
        &r,
        &format!("{plain} capabilities after STARTTLS"),
        Status::Ok,
    );
    assert_eq!(
        one(&r, "login", Status::Fail).message,
        "not attempted: no TLS connection with a verified certificate"
    );
    assert_eq!(
        logins_in_log(&dc, "alice"),
        logins,
        "a login reached Dovecot"
    );
    assert!(r.about("client settings").next().is_none());
}

#[test]
fn the_binary_prints_the_report_and_exits_non_zero() {
    let Some(dc) = bad() else { return };
    let exe = build_binary();
    let out = Command::new(&exe)
        .arg(format!("localhost:{}", dc.tls_port))
        .arg("--ca")
        .arg(&dc.ca_cert)
        .output()
        .expect("run imap-check");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "\nFAIL  {} certificate expiry: expired: notAfter ",
            dc.tls_port
        )),
        "{stdout}"
    );
    let last = stdout.trim_end().lines().last().unwrap();
    assert!(
        last.starts_with("ok: ") && last.ends_with("fail: 1"),
        "{last}"
    );
    // A usage error is status 2.
    let out = Command::new(&exe).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage: imap-check HOST[:PORT]"));
}

#[test]
fn a_wrong_name_fails_and_sends_no_password() {
    let Some(dc) = good() else { return };
    // bob: the other tests of this instance log in as alice meanwhile.
    let logins = logins_in_log(&dc, "bob");
    // The certificate names localhost and 127.0.0.2; Dovecot also listens
    // on 127.0.0.1.
    let r = run(&options(
        "127.0.0.1",
        &[dc.tls_port],
        Some(&dc.ca_cert),
        Some(("bob", "secret")),
    ));
    assert!(r.failed());
    let tls = dc.tls_port;
    let name = one(&r, &format!("{tls} certificate name"), Status::Fail);
    assert_eq!(
        name.message,
        "not valid for 127.0.0.1: the certificate names localhost, 127.0.0.2"
    );
    one(&r, &format!("{tls} certificate chain"), Status::Ok);
    one(&r, &format!("{tls} certificate expiry"), Status::Ok);
    one(&r, "login", Status::Fail);
    assert_eq!(logins_in_log(&dc, "bob"), logins, "a login reached Dovecot");
}

#[test]
fn a_closed_port_is_refused() {
    // A port that was free a moment ago. Tests running at the same time
    // start servers on ports the kernel picks, and one may get this port
    // before the check connects (seen once in CI): then try another.
    for attempt in 1..=5 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let r = run(&options("127.0.0.1", &[port], None, None));
        assert!(r.failed());
        let found = lines(&r);
        if attempt < 5 && found[0].starts_with(&format!("OK    {port} tcp: connected")) {
            continue;
        }
        assert_eq!(
            found,
            [format!(
                "FAIL  {port} tcp: 127.0.0.1:{port}: connection refused: nothing listens on this port \
                 -> check the port (993 for implicit TLS, 143 for STARTTLS) and that the server runs"
            )]
        );
        return;
    }
}

#[test]
fn an_unknown_name_is_a_dns_failure() {
    // RFC 6761 §6.4: names under .invalid never resolve.
    let r = run(&options("imap.nonexistent.invalid", &[993], None, None));
    assert!(r.failed());
    let f = one(&r, "dns", Status::Fail);
    assert!(
        f.message
            .starts_with("cannot resolve imap.nonexistent.invalid: "),
        "{}",
        f.message
    );
    assert_eq!(r.findings().len(), 1, "{r}");
}

/// A plaintext IMAP server answering `connections` connections with
/// `greeting`, CAPABILITY with `caps` and LOGOUT; anything else gets BAD.
fn scripted_server(greeting: &'static str, caps: &'static str, connections: usize) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for _ in 0..connections {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            serve(stream, greeting, caps);
        }
    });
    port
}

fn serve(mut stream: TcpStream, greeting: &str, caps: &str) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    if stream.write_all(greeting.as_bytes()).is_err() {
        return;
    }
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = Vec::new();
    // A TLS ClientHello is not a line: it is answered with BAD, or the
    // client hangs up.
    while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
        let text = String::from_utf8_lossy(&line).trim_end().to_owned();
        line.clear();
        let (tag, command) = text.split_once(' ').unwrap_or((&text, ""));
        let reply = match command.to_ascii_uppercase().as_str() {
            "CAPABILITY" => format!("* CAPABILITY {caps}\r\n{tag} OK done\r\n"),
            "LOGOUT" => format!("* BYE bye\r\n{tag} OK done\r\n"),
            _ => format!("{tag} BAD what\r\n"),
        };
        if stream.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

#[test]
fn preauth_in_plaintext_is_a_failure() {
    // Two connections: the TLS attempt, then the plaintext session.
    let port = scripted_server("* PREAUTH logged in already\r\n", "IMAP4rev1 IDLE", 2);
    let r = run(&options("127.0.0.1", &[port], None, None));
    assert!(r.failed());
    let f = one(&r, &format!("{port} greeting"), Status::Fail);
    assert_eq!(
        f.message,
        "PREAUTH on a plaintext connection: logged in already"
    );
    assert!(f.advice.as_deref().unwrap().contains("RFC 9051 §6.2.1"));
}

#[test]
fn no_starttls_is_a_failure_and_no_idle_a_note() {
    let port = scripted_server(
        "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hello\r\n",
        "IMAP4rev1 AUTH=PLAIN",
        2,
    );
    let r = run(&options("127.0.0.1", &[port], None, None));
    assert!(r.failed());
    assert_eq!(
        one(&r, &format!("{port} capabilities before TLS"), Status::Ok).message,
        "IMAP4rev1 AUTH=PLAIN"
    );
    assert!(one(&r, &format!("{port} starttls"), Status::Fail)
        .message
        .starts_with("STARTTLS is not offered"));
    one(&r, &format!("{port} login before TLS"), Status::Warn);
    // Only the list before login was seen (no STARTTLS, so no login):
    // what it lacks is noted, not warned about (servers often list their
    // extensions only after login).
    let idle = r
        .about("extensions")
        .find(|f| f.message.contains("IDLE"))
        .expect("an IDLE finding");
    assert_eq!(idle.status, Status::Note);
    assert!(
        idle.message
            .starts_with("not in the list before login, so not checked: IDLE,"),
        "{}",
        idle.message
    );
}

/// The example's binary, built with the profile of this test binary
/// unless it is newer than every source it is made of.
///
/// `cargo test` builds the examples along with the tests, so usually it is
/// there and fresh; after `cargo test --test imap_check` alone it may be
/// missing or stale. A nested `cargo build -p imap-examples` resolves
/// features for this package only and could rebuild the library crates
/// that a `cargo test --workspace` compiled with other features, hence the
/// freshness check first.
fn build_binary() -> PathBuf {
    // target/<profile>/deps/imap_check-<hash>
    let me = std::env::current_exe().unwrap();
    let profile_dir = me.parent().and_then(Path::parent).unwrap().to_path_buf();
    let target_dir = profile_dir.parent().unwrap();
    let exe = profile_dir
        .join("examples")
        .join(format!("imap-check{}", std::env::consts::EXE_SUFFIX));
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let newest_source = [
        "Cargo.lock",
        "imap-proto/src",
        "imap-codec/src",
        "imap-state/src",
        "examples/src",
        "examples/examples/imap-check.rs",
        "examples/Cargo.toml",
    ]
    .iter()
    .filter_map(|p| newest(&workspace.join(p)))
    .max();
    let built = std::fs::metadata(&exe).and_then(|m| m.modified()).ok();
    if built.is_some() && built >= newest_source {
        return exe;
    }
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args([
        "build",
        "--quiet",
        "-p",
        "imap-examples",
        "--example",
        "imap-check",
    ])
    .arg("--target-dir")
    .arg(target_dir)
    .current_dir(workspace);
    if profile_dir.file_name().is_some_and(|n| n == "release") {
        cmd.arg("--release");
    }
    let status = cmd.status().expect("run cargo build");
    assert!(status.success(), "cargo build --example imap-check failed");
    exe
}

/// The latest modification time of a file, or of the files under a directory.
fn newest(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_dir() {
        return meta.modified().ok();
    }
    std::fs::read_dir(path)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| newest(&e.path()))
        .max()
}
