//! The demo IMAP server: the sans-IO `Server` on tokio + rustls over a
//! Maildir store.
//!
//! ```text
//! cargo run --release -p imap-examples --example server -- \
//!     --listen 127.0.0.1:1143 [--tls-listen 127.0.0.1:1993] \
//!     [--cert FILE --key FILE] --users FILE --data DIR
//! ```
//!
//! `--users` holds `name:password` lines. Without `--cert`/`--key` a
//! self-signed certificate for `localhost` and `127.0.0.1` is made on the
//! first start and kept in `DIR/tls/self-signed.pem`; its path and SHA-256
//! fingerprint are printed. Each login attempt is logged on stderr.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use imap_examples::demo::Demo;
use imap_examples::store::Users;

const USAGE: &str = "usage: server --listen ADDR [--tls-listen ADDR] [--cert FILE --key FILE] \
                     --users FILE --data DIR";

/// The command line.
#[derive(Debug, Default)]
struct Args {
    listen: Option<SocketAddr>,
    tls_listen: Option<SocketAddr>,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
    users: Option<PathBuf>,
    data: Option<PathBuf>,
}

impl Args {
    fn parse(mut it: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut args = Self::default();
        while let Some(flag) = it.next() {
            let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
            let addr = |v: String| {
                v.parse::<SocketAddr>()
                    .map_err(|_| format!("{flag}: {v:?} is not an address like 127.0.0.1:1143"))
            };
            match flag.as_str() {
                "--listen" => args.listen = Some(addr(value()?)?),
                "--tls-listen" => args.tls_listen = Some(addr(value()?)?),
                "--cert" => args.cert = Some(value()?.into()),
                "--key" => args.key = Some(value()?.into()),
                "--users" => args.users = Some(value()?.into()),
                "--data" => args.data = Some(value()?.into()),
                "-h" | "--help" => return Err(String::new()),
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        if args.listen.is_none() && args.tls_listen.is_none() {
            return Err("--listen or --tls-listen is required".into());
        }
        if args.users.is_none() || args.data.is_none() {
            return Err("--users and --data are required".into());
        }
        if args.cert.is_some() != args.key.is_some() {
            return Err("--cert and --key go together".into());
        }
        Ok(args)
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("error: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    // Checked by Args::parse.
    let (users_file, data) = (
        args.users.unwrap_or_default(),
        args.data.unwrap_or_default(),
    );
    let users = Users::load(&users_file)?;
    let cert = args.cert.clone().zip(args.key.clone());
    // Deriving the SCRAM secrets and the first-start certificate block.
    let demo = tokio::task::spawn_blocking(move || {
        let cert = cert.as_ref().map(|(c, k)| (c.as_path(), k.as_path()));
        Demo::new(users, &data, cert)
    })
    .await??;
    let demo = Arc::new(demo);
    let cert = demo.certificate();
    println!(
        "certificate: {}{}",
        cert.pem_path.display(),
        if cert.self_signed {
            " (self-signed)"
        } else {
            ""
        }
    );
    println!("sha256 fingerprint: {}", cert.fingerprint());
    let mut tasks = Vec::new();
    for (addr, tls) in [(args.listen, false), (args.tls_listen, true)] {
        let Some(addr) = addr else { continue };
        let listener = tokio::net::TcpListener::bind(addr).await?;
        println!(
            "listening on {} ({})",
            listener.local_addr()?,
            if tls { "implicit TLS" } else { "STARTTLS" }
        );
        tasks.push(tokio::spawn(Arc::clone(&demo).serve(listener, tls)));
    }
    // Tests and scripts wait for these lines.
    use std::io::Write as _;
    std::io::stdout().flush()?;
    for task in tasks {
        task.await??;
    }
    Ok(())
}
