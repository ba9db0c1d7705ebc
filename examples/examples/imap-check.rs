//! imap-check: tells why a mail client cannot connect to an IMAP server.
//!
//! ```text
//! cargo run --release -p imap-examples --example imap-check -- \
//!     HOST[:PORT] [--port PORT]... [--ca FILE] [--user USER] [--timeout SECONDS]
//! ```
//!
//! Without a port it checks 993 (implicit TLS) and 143 (STARTTLS); with
//! `HOST:PORT` and `--port` it checks those, finding out for each whether it
//! speaks implicit TLS or plaintext with STARTTLS. It checks the TCP
//! connect, the TLS handshake (version, cipher suite), the certificate
//! (chain against the public roots or `--ca FILE`, name, expiry), the
//! greeting, the capabilities before and after TLS (LOGINDISABLED,
//! IMAP4rev2, IDLE, CONDSTORE, QRESYNC, COMPRESS, SPECIAL-USE, AUTH=), and
//! with `--user` a login over verified TLS (password from `IMAP_PASSWORD`),
//! LIST and SELECT INBOX.
//!
//! Each finding is one line, `OK`, `WARN` or `FAIL`, with advice after
//! `->`; the last line counts them. The exit status is 1 when a check
//! failed, 2 for a usage error, else 0.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use imap_examples::check::{self, net, Options};
use imapkit_proto::Secret;

const USAGE: &str = "usage: imap-check HOST[:PORT] [--port PORT]... [--ca FILE] [--user USER] [--timeout SECONDS]\n\
                     (the password comes from IMAP_PASSWORD when --user is given)";

fn parse(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut target = None;
    let mut options = Options::new(String::new());
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--ca" => options.ca = Some(PathBuf::from(value("--ca")?)),
            "--user" => options.user = Some(value("--user")?),
            "--port" => options.ports.push(net::parse_port(&value("--port")?)?),
            "--timeout" => {
                let text = value("--timeout")?;
                let secs: u64 = text
                    .parse()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| format!("--timeout {text:?} is not a number of seconds"))?;
                options.timeout = Duration::from_secs(secs);
            }
            "-h" | "--help" => return Err(String::new()),
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            _ if target.is_some() => return Err(format!("unexpected argument {arg:?}")),
            _ => target = Some(arg),
        }
    }
    let target = target.ok_or("no HOST given")?;
    let (host, port) = net::parse_target(&target)?;
    options.host = host;
    if let Some(port) = port {
        options.ports.insert(0, port);
    }
    let mut seen = Vec::new();
    options.ports.retain(|p| {
        let first = !seen.contains(p);
        seen.push(*p);
        first
    });
    if options.user.is_some() {
        let password = std::env::var("IMAP_PASSWORD")
            .map_err(|_| "--user needs the password in the environment variable IMAP_PASSWORD")?;
        options.password = Some(Secret::new(password));
    }
    Ok(options)
}

fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("imap-check: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let report = check::run(&options);
    println!("{report}");
    if report.failed() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
