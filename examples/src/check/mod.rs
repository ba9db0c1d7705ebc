//! `imap-check`, the troubleshooting tool, as a library: it connects to an
//! IMAP server the way a mail client would and reports, one [`Finding`]
//! per check, what works, what is weak and what is broken, with advice.
//!
//! ```text
//! run(options)
//!   name resolution
//!   per port (993 and 143, or the ports given):
//!     TCP connect ........................ refused / timed out / unreachable
//!     TLS handshake first ................ implicit TLS: version, cipher suite
//!       | the server greets in plaintext:   STARTTLS port
//!       |   greeting (PREAUTH in clear: downgrade), capabilities before TLS,
//!       |   LOGINDISABLED, STARTTLS, handshake
//!     certificate ........................ chain, name, expiry (notAfter, days left)
//!     greeting, capabilities over TLS
//!     with --user, once, over a verified TLS connection:
//!       LOGIN (RFC 5530 code on failure), capabilities after login,
//!       LIST (special-use), SELECT INBOX (message count)
//!   IMAP version, authentication mechanisms, extensions, client settings
//! ```
//!
//! A certificate that does not verify is reported, and the rest is checked
//! over a second connection that does not verify it, but no password is
//! ever sent over such a connection, nor before TLS.
//!
//! The session runs on [`imapkit_state::client::Client`] through the
//! blocking driver ([`crate::blocking::Session`]); the tool does the TCP
//! connect and the implicit-TLS handshake itself to see their failures.

pub mod capabilities;
pub mod certificate;
mod imap;
pub mod net;
mod report;
pub mod tls;

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use imapkit_proto::{Capability, Secret};
use rustls::pki_types::{CertificateDer, ServerName};

pub use self::report::{Finding, Report, Status};

use self::tls::{Probe, Trust};

/// What to check.
#[derive(Debug, Clone)]
pub struct Options {
    /// Host name or IP address of the server.
    pub host: String,
    /// The ports to check; empty for 993 (implicit TLS) and 143 (STARTTLS).
    /// Whether a port speaks implicit TLS or plaintext with STARTTLS is
    /// found out, trying TLS first.
    pub ports: Vec<u16>,
    /// PEM file of the certificate authority to trust instead of the
    /// public roots (a private CA).
    pub ca: Option<PathBuf>,
    /// Log in as this user (over verified TLS only).
    pub user: Option<String>,
    /// The password for [`user`](Self::user).
    pub password: Option<Secret<String>>,
    /// Limit for each connect, handshake, greeting and command.
    pub timeout: Duration,
}

impl Options {
    /// Checks `host` on the default ports, without login, with a 10 s timeout.
    pub fn new(host: impl Into<String>) -> Self {
        Self {
            host: host.into(),
            ports: Vec::new(),
            ca: None,
            user: None,
            password: None,
            timeout: Duration::from_secs(10),
        }
    }
}

/// The default ports: implicit TLS (RFC 8314) and plaintext with STARTTLS.
pub const DEFAULT_PORTS: [u16; 2] = [993, 143];

/// Runs every check and returns the findings.
pub fn run(options: &Options) -> Report {
    let mut report = Report::default();
    if let Some((name, settings)) = capabilities::provider(&options.host) {
        report.push(Finding::new(
            Status::Ok,
            "provider",
            format!("{name}: {settings}"),
        ));
    }
    let trust = match Trust::new(options.ca.as_deref()) {
        Ok(t) => t,
        Err(e) => {
            report.push(
                Finding::new(Status::Fail, "trust", format!("cannot use --ca: {e}"))
                    .advice("pass a PEM file holding the CA certificate"),
            );
            return report;
        }
    };
    let server_name = match ServerName::try_from(options.host.clone()) {
        Ok(n) => n,
        Err(e) => {
            report.push(Finding::new(
                Status::Fail,
                "host",
                format!("{:?} is not a host name or IP address: {e}", options.host),
            ));
            return report;
        }
    };
    let addrs = match net::resolve(&options.host) {
        Ok(a) => a,
        Err(e) => {
            report.push(
                Finding::new(
                    Status::Fail,
                    "dns",
                    format!("cannot resolve {}: {e}", options.host),
                )
                .advice("check the spelling of the server name and the network's DNS"),
            );
            return report;
        }
    };
    if options.host.parse::<IpAddr>().is_err() {
        let list: Vec<String> = addrs.iter().map(ToString::to_string).collect();
        report.push(Finding::new(
            Status::Ok,
            "dns",
            format!("{} resolves to {}", options.host, list.join(", ")),
        ));
    }
    let mut runner = Runner {
        options,
        trust,
        server_name,
        addrs,
        report,
        tls_caps: None,
        plain_caps: None,
        login_caps: None,
        login: Login::NotAsked,
        leaves: Vec::new(),
        working: Vec::new(),
        reachable: 0,
        quiet: false,
    };
    if options.user.is_some() {
        runner.login = Login::Pending;
    }
    let explicit = !options.ports.is_empty();
    let ports = if explicit {
        options.ports.clone()
    } else {
        DEFAULT_PORTS.to_vec()
    };
    for &port in &ports {
        runner.check_port(port, explicit);
    }
    runner.finish(explicit);
    runner.report
}

/// How a port was reached securely, for the client-settings line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    ImplicitTls,
    StartTls,
}

/// Where the login stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Login {
    /// No `--user`.
    NotAsked,
    /// To do, on the first verified TLS connection.
    Pending,
    /// Done (whatever came of it).
    Done,
}

/// The state of one run.
struct Runner<'a> {
    options: &'a Options,
    trust: Trust,
    server_name: ServerName<'static>,
    addrs: Vec<IpAddr>,
    report: Report,
    /// The first capability list seen over TLS before login.
    tls_caps: Option<Vec<Capability<'static>>>,
    /// The first capability list seen before TLS.
    plain_caps: Option<Vec<Capability<'static>>>,
    /// The capability list after login.
    login_caps: Option<Vec<Capability<'static>>>,
    login: Login,
    /// Certificates already reported: the leaf, the port, the worst status.
    leaves: Vec<(CertificateDer<'static>, u16, Status)>,
    /// Ports where a verified TLS session worked, and how.
    working: Vec<(u16, Mode)>,
    /// Ports that accepted a TCP connection.
    reachable: usize,
    /// Repeating checks on a second connection: report problems only.
    quiet: bool,
}

impl Runner<'_> {
    fn push(&mut self, finding: Finding) {
        if !(self.quiet && finding.status == Status::Ok) {
            self.report.push(finding);
        }
    }

    fn timeout(&self) -> Duration {
        self.options.timeout
    }

    /// One port: TCP, then TLS first; a plaintext greeting makes it a
    /// STARTTLS port.
    fn check_port(&mut self, port: u16, explicit: bool) {
        let Some(tcp) = self.connect(port, explicit, true) else {
            return;
        };
        self.reachable += 1;
        let p = port.to_string();
        let (config, recorder) = match self.trust.client_config(true) {
            Ok(c) => c,
            Err(e) => {
                self.push(Finding::new(
                    Status::Fail,
                    format!("{p} tls"),
                    format!("TLS setup failed: {e}"),
                ));
                return;
            }
        };
        match tls::handshake(
            tcp,
            config.clone(),
            self.server_name.clone(),
            self.timeout(),
        ) {
            Probe::Tls(stream) => {
                let negotiated = tls::negotiated(&stream.conn);
                self.push(Finding::new(
                    Status::Ok,
                    format!("{p} tls"),
                    format!("implicit TLS: {negotiated}"),
                ));
                if let Some(chain) = recorder.chain() {
                    self.certificate(port, &chain);
                }
                let session = imap::session(
                    crate::blocking::Stream::Tls(stream),
                    self.server_name.clone(),
                    config,
                    self.timeout(),
                );
                self.over_tls(port, session, true, Mode::ImplicitTls);
            }
            Probe::Plaintext(first) => {
                let shown = tls::printable_start(&first);
                let finding = if port == 993 {
                    Finding::new(
                        Status::Warn,
                        format!("{p} tls"),
                        format!("no implicit TLS on port 993: the server greets in plaintext (\"{shown}\")"),
                    )
                    .advice("port 993 is for implicit TLS (RFC 8314); clients set to SSL/TLS on 993 fail here")
                } else {
                    Finding::new(
                        Status::Ok,
                        format!("{p} tls"),
                        format!(
                            "plaintext port (the server greets with \"{shown}\"): checking STARTTLS"
                        ),
                    )
                };
                self.push(finding);
                if let Some(tcp) = self.connect(port, explicit, false) {
                    self.starttls_port(port, tcp);
                }
            }
            Probe::Failed(e) => {
                if self.handshake_failed(port, "tls", &e, recorder.chain()) {
                    self.implicit_unverified(port, explicit);
                }
            }
        }
    }

    /// Reports a failed handshake: the certificate's findings when the
    /// verifier rejected the chain it recorded (returns `true`: the rest
    /// can be checked without verification), else the cause in words.
    fn handshake_failed(
        &mut self,
        port: u16,
        step: &str,
        e: &std::io::Error,
        chain: Option<Vec<CertificateDer<'static>>>,
    ) -> bool {
        let topic = format!("{port} {step}");
        let cert_rejected = matches!(
            tls::tls_error(e),
            Some(rustls::Error::InvalidCertificate(_))
        );
        match chain {
            Some(chain) if cert_rejected => {
                if self.certificate(port, &chain) != Status::Fail {
                    // The findings missed what rustls saw: say it as it is.
                    self.push(Finding::new(
                        Status::Fail,
                        topic,
                        format!("the certificate was rejected: {e}"),
                    ));
                }
                true
            }
            _ => {
                let (message, advice) = tls::describe_failure(e, self.timeout());
                self.push(Finding::new(Status::Fail, topic, message).advice(advice));
                false
            }
        }
    }

    /// Implicit TLS once more, not verifying the certificate, to check the rest.
    fn implicit_unverified(&mut self, port: u16, explicit: bool) {
        let p = port.to_string();
        let Some(tcp) = self.connect(port, explicit, false) else {
            return;
        };
        let Ok((config, _)) = self.trust.client_config(false) else {
            return;
        };
        match tls::handshake(
            tcp,
            config.clone(),
            self.server_name.clone(),
            self.timeout(),
        ) {
            Probe::Tls(stream) => {
                let negotiated = tls::negotiated(&stream.conn);
                self.push(Finding::new(
                    Status::Ok,
                    format!("{p} tls"),
                    format!(
                        "implicit TLS: {negotiated} (certificate not verified from here on: \
                         checking the rest, sending no password)"
                    ),
                ));
                let session = imap::session(
                    crate::blocking::Stream::Tls(stream),
                    self.server_name.clone(),
                    config,
                    self.timeout(),
                );
                self.over_tls(port, session, false, Mode::ImplicitTls);
            }
            // It spoke TLS a moment ago; a change of mind is not worth a finding.
            Probe::Plaintext(_) => {}
            Probe::Failed(e) => {
                let (message, advice) = tls::describe_failure(&e, self.timeout());
                self.push(Finding::new(Status::Fail, format!("{p} tls"), message).advice(advice));
            }
        }
    }

    /// TCP connect to `port`; `report` false for a reconnect (only a
    /// failure is reported then).
    fn connect(&mut self, port: u16, explicit: bool, report: bool) -> Option<std::net::TcpStream> {
        let topic = format!("{port} tcp");
        match net::connect(&self.addrs, port, self.timeout()) {
            Ok(c) => {
                if report {
                    self.push(Finding::new(
                        Status::Ok,
                        topic,
                        format!("connected to {} in {} ms", c.addr, c.elapsed.as_millis()),
                    ));
                }
                Some(c.stream)
            }
            Err(errors) => {
                // Of the two default ports, one may be closed on purpose.
                let status = if explicit || !report {
                    Status::Fail
                } else {
                    Status::Warn
                };
                for (addr, e) in errors {
                    let (message, advice) = net::describe_connect_error(&e, self.timeout());
                    self.push(
                        Finding::new(status, topic.clone(), format!("{addr}: {message}"))
                            .advice(advice),
                    );
                }
                None
            }
        }
    }

    /// Reports the certificate of `port`; returns the worst status.
    fn certificate(&mut self, port: u16, chain: &[CertificateDer<'static>]) -> Status {
        if let Some((_, first, worst)) = chain
            .first()
            .and_then(|leaf| self.leaves.iter().find(|(l, _, _)| l == leaf))
        {
            let (first, worst) = (*first, *worst);
            self.push(Finding::new(
                worst,
                format!("{port} certificate"),
                format!("the same certificate as on port {first} (see above)"),
            ));
            return worst;
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let findings = certificate::diagnose(
            &port.to_string(),
            chain,
            &self.options.host,
            &self.trust,
            now,
        );
        let worst = findings
            .iter()
            .map(|f| f.status)
            .max()
            .unwrap_or(Status::Ok);
        for f in findings {
            self.push(f);
        }
        if let Some(leaf) = chain.first() {
            self.leaves.push((leaf.clone(), port, worst));
        }
        worst
    }

    /// The checks after all ports: version, mechanisms, extensions, settings.
    fn finish(&mut self, explicit: bool) {
        if !explicit && self.reachable == 0 {
            self.push(
                Finding::new(
                    Status::Fail,
                    "ports",
                    "neither port 993 nor port 143 accepts connections",
                )
                .advice(
                    "check the host name and the server's ports; try HOST:PORT for another port",
                ),
            );
        }
        if let Some(caps) = self.tls_caps.clone() {
            for f in capabilities::authentication(&caps) {
                self.push(f);
            }
        }
        let best = match (&self.login_caps, &self.tls_caps, &self.plain_caps) {
            (Some(c), _, _) => Some(c.clone()),
            (None, Some(c), _) | (None, None, Some(c)) => Some(c.clone()),
            _ => None,
        };
        if let Some(caps) = best {
            let note = match (&self.login_caps, &self.options.user) {
                (Some(_), _) => None,
                (None, None) => Some("run with --user to see the list after login"),
                (None, Some(_)) => Some("no login succeeded"),
            };
            for f in capabilities::extensions(&caps, note) {
                self.push(f);
            }
        }
        if self.login == Login::Pending {
            self.push(
                Finding::new(
                    Status::Fail,
                    "login",
                    "not attempted: no TLS connection with a verified certificate",
                )
                .advice("a password is never sent before TLS or to a server whose certificate does not verify; fix the findings above"),
            );
        }
        if let Some(&(port, mode)) = self.working.first() {
            let security = match mode {
                Mode::ImplicitTls => "SSL/TLS",
                Mode::StartTls => "STARTTLS",
            };
            // Gmail and Microsoft refuse account passwords over IMAP.
            let auth = match capabilities::provider(&self.options.host) {
                Some(("Gmail" | "Outlook / Microsoft 365", _)) => "OAuth2",
                _ => "password",
            };
            let mut text = format!(
                "incoming server {}, port {port}, connection security {security}, authentication: {auth}",
                self.options.host
            );
            if let (Some(user), Some(_)) = (&self.options.user, &self.login_caps) {
                text.push_str(&format!(", user name {user}"));
            }
            self.push(Finding::new(
                Status::Ok,
                "client settings",
                text,
            ).advice("the same in Apple Mail, Outlook and Thunderbird: choose the connection security by name, never \"none\""));
        }
    }
}
