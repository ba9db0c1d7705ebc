//! The server certificate: its chain, its names and its dates, each a
//! finding of its own, so that an expired certificate with a wrong name
//! shows both problems.
//!
//! The chain and the name are judged by the same webpki verifier as the
//! handshake. webpki checks the dates first and stops there, so for an
//! expired certificate the rest is checked again at a moment inside the
//! leaf's validity. The dates and names printed come from the leaf itself
//! (x509-parser): rustls only says "expired" or "not valid for name".

use std::net::IpAddr;

use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, Error as TlsError};
use x509_parser::extensions::GeneralName;

use super::report::{Finding, Status};
use super::tls::Trust;

/// Days before notAfter from which the expiry is a warning.
pub const WARN_DAYS: i64 = 14;

/// What the report shows of the leaf certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leaf {
    /// The subject, as `CN=...` (the whole name when it has no CN).
    pub subject: String,
    /// The issuer's name.
    pub issuer: String,
    /// The subject alternative names: DNS names and IP addresses.
    pub names: Vec<String>,
    /// notBefore, seconds since the Unix epoch.
    pub not_before: i64,
    /// notAfter, seconds since the Unix epoch.
    pub not_after: i64,
}

impl Leaf {
    /// Reads a DER certificate.
    pub fn parse(der: &[u8]) -> Result<Self, String> {
        let (_, cert) = x509_parser::parse_x509_certificate(der).map_err(|e| e.to_string())?;
        let cn = |name: &x509_parser::x509::X509Name<'_>| {
            name.iter_common_name()
                .next()
                .and_then(|cn| cn.as_str().ok())
                .map_or_else(|| name.to_string(), |cn| format!("CN={cn}"))
        };
        let mut names = Vec::new();
        if let Ok(Some(san)) = cert.subject_alternative_name() {
            for name in &san.value.general_names {
                match name {
                    GeneralName::DNSName(dns) => names.push((*dns).to_owned()),
                    GeneralName::IPAddress(bytes) => {
                        if let Some(ip) = ip_from_bytes(bytes) {
                            names.push(ip.to_string());
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(Self {
            subject: cn(cert.subject()),
            issuer: cn(cert.issuer()),
            names,
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
        })
    }

    /// Whether a subject alternative name matches `host` (DNS names case
    /// insensitively, `*.` for exactly one leftmost label; IP literals by
    /// value). The common name is not consulted, as browsers and webpki
    /// no longer do.
    pub fn matches(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.');
        if let Ok(ip) = host.parse::<IpAddr>() {
            return self
                .names
                .iter()
                .any(|n| n.parse::<IpAddr>().is_ok_and(|n| n == ip));
        }
        self.names.iter().any(|n| {
            let n = n.trim_end_matches('.');
            match n.strip_prefix("*.") {
                Some(suffix) => host.split_once('.').is_some_and(|(label, rest)| {
                    !label.is_empty() && rest.eq_ignore_ascii_case(suffix)
                }),
                None => n.eq_ignore_ascii_case(host),
            }
        })
    }
}

/// The findings about `chain` (leaf first) as shown for `host`, at `now`
/// (seconds since the Unix epoch). `topic` is the port, e.g. `"993"`.
pub fn diagnose(
    topic: &str,
    chain: &[CertificateDer<'static>],
    host: &str,
    trust: &Trust,
    now: i64,
) -> Vec<Finding> {
    let chain_topic = format!("{topic} certificate chain");
    let Some((leaf_der, intermediates)) = chain.split_first() else {
        return vec![
            Finding::new(Status::Fail, chain_topic, "the server sent no certificate")
                .advice("configure a certificate and key on the server"),
        ];
    };
    let leaf = match Leaf::parse(leaf_der) {
        Ok(leaf) => leaf,
        Err(e) => {
            return vec![Finding::new(
                Status::Fail,
                chain_topic,
                format!("the certificate cannot be read: {e}"),
            )
            .advice("replace it with a well-formed X.509 certificate")];
        }
    };
    let name = match ServerName::try_from(host.to_owned()) {
        Ok(n) => n,
        Err(e) => {
            return vec![Finding::new(
                Status::Fail,
                format!("{topic} certificate name"),
                format!("{host:?} is not a valid server name: {e}"),
            )];
        }
    };
    let verify = |at: i64| {
        let at = UnixTime::since_unix_epoch(std::time::Duration::from_secs(at.max(0) as u64));
        trust
            .verifier()
            .verify_server_cert(leaf_der, intermediates, &name, &[], at)
            .map(|_| ())
    };
    let now_verdict = verify(now);
    // webpki stops at the dates: judge the rest inside the leaf's validity.
    let verdict = match &now_verdict {
        Err(e) if is_time_error(e) && leaf.not_before < leaf.not_after => {
            verify(leaf.not_before + (leaf.not_after - leaf.not_before) / 2)
        }
        _ => now_verdict.clone(),
    };
    vec![
        chain_finding(&chain_topic, &leaf, chain.len(), &verdict, trust),
        name_finding(topic, &leaf, host, &verdict),
        expiry_finding(topic, &leaf, now),
    ]
}

fn chain_finding(
    topic: &str,
    leaf: &Leaf,
    len: usize,
    verdict: &Result<(), TlsError>,
    trust: &Trust,
) -> Finding {
    let who = format!(
        "{} issued by {} ({len} certificate{} sent)",
        leaf.subject,
        leaf.issuer,
        if len == 1 { "" } else { "s" }
    );
    let cert_error = match verdict {
        Ok(()) => None,
        Err(TlsError::InvalidCertificate(e)) => Some(e),
        Err(other) => {
            return Finding::new(Status::Fail, topic, format!("{who}: {other}"));
        }
    };
    match cert_error {
        None
        | Some(CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }) => {
            Finding::new(
                Status::Ok,
                topic,
                format!("{who}, verified against {}", trust.label()),
            )
        }
        Some(CertificateError::UnknownIssuer) => Finding::new(
            Status::Fail,
            topic,
            format!("{who}: not issued by an authority {} trusts", trust.label()),
        )
        .advice(
            "a self-signed or private-CA certificate, or the server does not send its intermediate \
             certificates: serve the full chain (e.g. fullchain.pem), or pass --ca FILE for a private CA",
        ),
        Some(e) if is_time_cert_error(e) => Finding::new(
            Status::Fail,
            topic,
            format!("{who}: a certificate in the chain is outside its validity period ({e:?})"),
        )
        .advice("renew the intermediate or CA certificate the server sends"),
        Some(CertificateError::BadSignature) => Finding::new(
            Status::Fail,
            topic,
            format!("{who}: a signature in the chain does not verify"),
        )
        .advice("the chain is mixed up: serve the leaf with the intermediates that issued it"),
        Some(CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. }) => {
            Finding::new(
                Status::Fail,
                topic,
                format!("{who}: not made for TLS servers (extended key usage)"),
            )
            .advice("get a certificate with the serverAuth extended key usage")
        }
        Some(other) => Finding::new(
            Status::Fail,
            topic,
            format!("{who}: {}", TlsError::InvalidCertificate(other.clone())),
        ),
    }
}

fn name_finding(topic: &str, leaf: &Leaf, host: &str, verdict: &Result<(), TlsError>) -> Finding {
    let topic = format!("{topic} certificate name");
    let rejected = matches!(
        verdict,
        Err(TlsError::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
        ))
    );
    // Where webpki gave no verdict on the name (it stopped at the chain),
    // the names are compared here.
    let ok = match verdict {
        Ok(()) => true,
        _ if rejected => false,
        _ => leaf.matches(host),
    };
    let held = if leaf.names.is_empty() {
        "no subject alternative name".to_owned()
    } else {
        leaf.names.join(", ")
    };
    if ok {
        Finding::new(
            Status::Ok,
            topic,
            format!("valid for {host} (names: {held})"),
        )
    } else {
        Finding::new(
            Status::Fail,
            topic,
            format!("not valid for {host}: the certificate names {held}"),
        )
        .advice(format!(
            "connect by a name the certificate holds, or get one that includes {host}"
        ))
    }
}

/// The leaf's own dates. An expired intermediate or CA is the chain
/// finding's business.
fn expiry_finding(topic: &str, leaf: &Leaf, now: i64) -> Finding {
    let topic = format!("{topic} certificate expiry");
    let not_after = format_utc(leaf.not_after);
    if now > leaf.not_after {
        let ago = (now - leaf.not_after) / 86_400;
        return Finding::new(
            Status::Fail,
            topic,
            format!("expired: notAfter {not_after}, {ago} days ago"),
        )
        .advice(
            "renew the certificate (e.g. certbot renew) and reload the server; clients refuse it",
        );
    }
    if now < leaf.not_before {
        return Finding::new(
            Status::Fail,
            topic,
            format!("not valid yet: notBefore {}", format_utc(leaf.not_before)),
        )
        .advice("check the clocks of this machine and of the machine that issued the certificate");
    }
    let left = (leaf.not_after - now) / 86_400;
    let text = format!("notAfter {not_after}, {left} days left");
    if left < WARN_DAYS {
        return Finding::new(Status::Warn, topic, text)
            .advice("renew the certificate now: clients refuse it once it expires");
    }
    Finding::new(Status::Ok, topic, text)
}

fn is_time_error(e: &TlsError) -> bool {
    matches!(e, TlsError::InvalidCertificate(c) if is_time_cert_error(c))
}

fn is_time_cert_error(e: &CertificateError) -> bool {
    matches!(
        e,
        CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. }
    )
}

fn ip_from_bytes(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from),
        _ => None,
    }
}

/// `2024-01-31 23:59:59 UTC` for seconds since the Unix epoch.
pub fn format_utc(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The proleptic Gregorian date of a day count from 1970-01-01, by eras
/// of 400 years (146,097 days), each starting on a March 1st so that the
/// leap day comes last.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468; // days from 0000-03-01
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of era, 0..=146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of the March-based year
    let mp = (5 * doy + 2) / 153; // month from March, 0..=11
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose,
        IsCa, KeyPair, KeyUsagePurpose,
    };
    use rustls::RootCertStore;

    use super::*;

    const DAY: i64 = 86_400;

    fn now() -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_secs() as i64
    }

    fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
        let mut params = CertificateParams::default();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.distinguished_name.push(DnType::CommonName, name);
        params.not_before = rcgen::date_time_ymd(2000, 1, 1);
        params.not_after = rcgen::date_time_ymd(2100, 1, 1);
        CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
    }

    fn leaf(
        ca: &CertifiedIssuer<'static, KeyPair>,
        names: &[&str],
        not_before: i64,
        not_after: i64,
    ) -> CertificateDer<'static> {
        let epoch = rcgen::date_time_ymd(1970, 1, 1);
        let mut params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .unwrap();
        params.distinguished_name.push(DnType::CommonName, names[0]);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.not_before = epoch + Duration::from_secs(not_before as u64);
        params.not_after = epoch + Duration::from_secs(not_after as u64);
        let key = KeyPair::generate().unwrap();
        params.signed_by(&key, ca).unwrap().der().clone()
    }

    fn trust(ca: &CertifiedIssuer<'static, KeyPair>) -> Trust {
        let mut roots = RootCertStore::empty();
        roots.add(ca.der().clone()).unwrap();
        Trust::from_roots(roots, "--ca test.pem").unwrap()
    }

    fn statuses(findings: &[Finding]) -> Vec<Status> {
        findings.iter().map(|f| f.status).collect()
    }

    #[test]
    fn a_good_certificate() {
        let ca = ca("test CA");
        let now = now();
        let cert = leaf(
            &ca,
            &["localhost", "127.0.0.1"],
            now - DAY,
            now + 90 * DAY + 60,
        );
        let f = diagnose("993", &[cert], "localhost", &trust(&ca), now);
        assert_eq!(statuses(&f), [Status::Ok; 3], "{f:#?}");
        assert_eq!(f[0].topic, "993 certificate chain");
        assert_eq!(
            f[0].message,
            "CN=localhost issued by CN=test CA (1 certificate sent), verified against --ca test.pem"
        );
        assert_eq!(
            f[1].message,
            "valid for localhost (names: localhost, 127.0.0.1)"
        );
        assert_eq!(
            f[2].message,
            format!("notAfter {}, 90 days left", format_utc(now + 90 * DAY + 60))
        );
    }

    #[test]
    fn expired_is_a_failure_with_the_date() {
        let ca = ca("test CA");
        let now = now();
        let cert = leaf(&ca, &["localhost"], now - 100 * DAY, now - 10 * DAY - 60);
        // rustls itself calls it expired.
        let e = trust(&ca)
            .verifier()
            .verify_server_cert(
                &cert,
                &[],
                &ServerName::try_from("localhost").unwrap(),
                &[],
                UnixTime::now(),
            )
            .unwrap_err();
        assert!(is_time_error(&e), "{e:?}");
        let f = diagnose("993", &[cert], "localhost", &trust(&ca), now);
        assert_eq!(
            statuses(&f),
            [Status::Ok, Status::Ok, Status::Fail],
            "{f:#?}"
        );
        assert_eq!(
            f[2].message,
            format!(
                "expired: notAfter {}, 10 days ago",
                format_utc(now - 10 * DAY - 60)
            )
        );
    }

    #[test]
    fn close_to_expiry_is_a_warning() {
        let ca = ca("test CA");
        let now = now();
        let cert = leaf(&ca, &["localhost"], now - DAY, now + 7 * DAY + 60);
        let f = diagnose("143", &[cert], "localhost", &trust(&ca), now);
        assert_eq!(
            statuses(&f),
            [Status::Ok, Status::Ok, Status::Warn],
            "{f:#?}"
        );
        assert!(f[2].message.ends_with("7 days left"), "{}", f[2].message);
    }

    #[test]
    fn wrong_name_lists_the_names_held() {
        let ca = ca("test CA");
        let now = now();
        let cert = leaf(&ca, &["localhost"], now - DAY, now + 90 * DAY);
        let f = diagnose("993", &[cert], "127.0.0.1", &trust(&ca), now);
        assert_eq!(
            statuses(&f),
            [Status::Ok, Status::Fail, Status::Ok],
            "{f:#?}"
        );
        assert_eq!(
            f[1].message,
            "not valid for 127.0.0.1: the certificate names localhost"
        );
    }

    #[test]
    fn expired_and_wrong_name_shows_both() {
        let ca = ca("test CA");
        let now = now();
        let cert = leaf(&ca, &["mail.example.org"], now - 100 * DAY, now - DAY);
        let f = diagnose("993", &[cert], "localhost", &trust(&ca), now);
        assert_eq!(
            statuses(&f),
            [Status::Ok, Status::Fail, Status::Fail],
            "{f:#?}"
        );
    }

    #[test]
    fn unknown_issuer_fails_the_chain_and_still_judges_the_name() {
        let ca1 = ca("test CA");
        let other = ca("other CA");
        let now = now();
        let cert = leaf(&ca1, &["localhost"], now - DAY, now + 90 * DAY);
        let f = diagnose("993", &[cert], "localhost", &trust(&other), now);
        assert_eq!(
            statuses(&f),
            [Status::Fail, Status::Ok, Status::Ok],
            "{f:#?}"
        );
        assert!(
            f[0].message
                .ends_with("not issued by an authority --ca test.pem trusts"),
            "{}",
            f[0].message
        );
        assert!(f[0].advice.as_deref().unwrap().contains("--ca FILE"));
    }

    #[test]
    fn no_certificate() {
        let ca = ca("test CA");
        let f = diagnose("993", &[], "localhost", &trust(&ca), now());
        assert_eq!(statuses(&f), [Status::Fail]);
    }

    #[test]
    fn name_matching() {
        let leaf = Leaf {
            subject: String::new(),
            issuer: String::new(),
            names: vec![
                "*.example.org".into(),
                "Mail.Example.COM".into(),
                "::1".into(),
            ],
            not_before: 0,
            not_after: 0,
        };
        assert!(leaf.matches("imap.example.org"));
        assert!(!leaf.matches("example.org"));
        assert!(!leaf.matches("a.b.example.org"));
        assert!(leaf.matches("mail.example.com"));
        assert!(leaf.matches("mail.example.com."));
        assert!(leaf.matches("::1"));
        assert!(!leaf.matches("127.0.0.1"));
    }

    #[test]
    fn dates() {
        assert_eq!(format_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(format_utc(1_709_251_199), "2024-02-29 23:59:59 UTC");
        assert_eq!(format_utc(4_102_444_800), "2100-01-01 00:00:00 UTC");
        assert_eq!(format_utc(-1), "1969-12-31 23:59:59 UTC");
    }
}
