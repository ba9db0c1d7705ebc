//! What the capability lists say (RFC 9051 §7.2.2): the IMAP version, the
//! extensions clients rely on, the authentication mechanisms, and whether
//! passwords may be sent before TLS. Pure functions from a list to
//! findings.

use imapkit_proto::{AuthMechanism, Capability};

use super::report::{Finding, Status};

/// The list as on the wire: `IMAP4rev1 IDLE AUTH=PLAIN`.
pub fn render(caps: &[Capability<'_>]) -> String {
    let words: Vec<String> = caps
        .iter()
        .map(|c| match c.parts() {
            (name, None) => String::from_utf8_lossy(name).into_owned(),
            (name, Some(param)) => format!(
                "{}={}",
                String::from_utf8_lossy(name),
                String::from_utf8_lossy(param)
            ),
        })
        .collect();
    if words.is_empty() {
        "(none)".to_owned()
    } else {
        words.join(" ")
    }
}

fn has(caps: &[Capability<'_>], cap: &Capability<'_>) -> bool {
    caps.iter().any(|c| c.parts() == cap.parts())
}

fn mechanisms<'c>(caps: &'c [Capability<'_>]) -> Vec<&'c AuthMechanism<'c>> {
    caps.iter()
        .filter_map(|c| match c {
            Capability::Auth(m) => Some(m),
            _ => None,
        })
        .collect()
}

fn mechanism_name(m: &AuthMechanism<'_>) -> String {
    String::from_utf8_lossy(m.as_bytes()).to_ascii_uppercase()
}

/// The plaintext phase of a STARTTLS port (RFC 9051 §6.2.1, §6.2.3,
/// RFC 8314): STARTTLS must be offered, and LOGIN refused until it ran.
pub fn before_tls(port: &str, caps: &[Capability<'_>]) -> Vec<Finding> {
    let mut out = Vec::new();
    if !has(caps, &Capability::StartTls) {
        out.push(
            Finding::new(
                Status::Fail,
                format!("{port} starttls"),
                "STARTTLS is not offered: everything on this port, passwords included, crosses the network in clear",
            )
            .advice("enable TLS on the server, or use its implicit-TLS port (993)"),
        );
    }
    let clear_mechs: Vec<String> = mechanisms(caps)
        .into_iter()
        .filter(|m| matches!(m, AuthMechanism::Plain | AuthMechanism::Login))
        .map(|m| format!("AUTH={}", mechanism_name(m)))
        .collect();
    let topic = format!("{port} login before TLS");
    let advice =
        "refuse LOGIN and AUTHENTICATE PLAIN/LOGIN until STARTTLS and announce LOGINDISABLED \
                  (RFC 9051 §6.2.3, RFC 8314; Dovecot: disable_plaintext_auth = yes)";
    if has(caps, &Capability::LoginDisabled) {
        out.push(Finding::new(
            Status::Ok,
            topic.clone(),
            "LOGINDISABLED before TLS: the server refuses LOGIN in clear",
        ));
        if !clear_mechs.is_empty() {
            out.push(
                Finding::new(
                    Status::Warn,
                    topic,
                    format!(
                        "{} offered without TLS: passwords would cross the network in clear",
                        clear_mechs.join(", ")
                    ),
                )
                .advice(advice),
            );
        }
    } else {
        let also = if clear_mechs.is_empty() {
            String::new()
        } else {
            format!(" (and {})", clear_mechs.join(", "))
        };
        out.push(
            Finding::new(
                Status::Warn,
                topic,
                format!(
                    "LOGIN is offered without TLS{also}: passwords would cross the network in clear"
                ),
            )
            .advice(advice),
        );
    }
    out
}

/// The ways to log in over TLS, before login.
pub fn authentication(caps: &[Capability<'_>]) -> Vec<Finding> {
    let topic = "authentication";
    let mechs = mechanisms(caps);
    let names: Vec<String> = mechs.iter().map(|m| mechanism_name(m)).collect();
    let login_disabled = has(caps, &Capability::LoginDisabled);
    let mut out = Vec::new();
    if mechs.is_empty() {
        if login_disabled {
            out.push(
                Finding::new(
                    Status::Fail,
                    topic,
                    "no way to log in: LOGINDISABLED over TLS and no AUTH= mechanism",
                )
                .advice("enable at least AUTH=PLAIN over TLS"),
            );
        } else {
            out.push(Finding::new(
                Status::Ok,
                topic,
                "no AUTH= mechanism announced: LOGIN only",
            ));
        }
        return out;
    }
    let mechanisms = format!("AUTH={}", names.join(" AUTH="));
    let scram = names.iter().any(|n| n.starts_with("SCRAM-SHA-256"));
    let password = mechs
        .iter()
        .any(|m| matches!(m, AuthMechanism::Plain | AuthMechanism::Login))
        || !login_disabled;
    if scram {
        out.push(Finding::new(
            Status::Ok,
            topic,
            format!("{mechanisms}: SCRAM-SHA-256 keeps the password itself off the wire, even inside TLS"),
        ));
    } else if password {
        out.push(
            Finding::new(
                Status::Ok,
                topic,
                format!("{mechanisms}: the password is sent (inside TLS) at every login"),
            )
            .advice(
                "fine over TLS; offering SCRAM-SHA-256 would keep the password from the server's \
                 process and from anyone who breaks into the TLS session",
            ),
        );
    } else {
        out.push(Finding::new(Status::Ok, topic, mechanisms));
    }
    let oauth: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| *n == "XOAUTH2" || *n == "OAUTHBEARER")
        .collect();
    if !oauth.is_empty() {
        out.push(
            Finding::new(
                Status::Ok,
                topic,
                format!(
                    "OAuth offered ({}): log in with a token instead of a password",
                    oauth.join(", ")
                ),
            )
            .advice(
                "Gmail and Outlook/Microsoft 365 accounts need OAuth (or, for Gmail, an app \
                 password); a plain password is refused",
            ),
        );
    }
    out
}

/// The IMAP version and the extensions clients rely on, from the most
/// complete list seen. `before_login` is `None` for the list a logged-in
/// session got, else a note on why only the list before login was seen
/// (servers often announce extensions only after login), added to what is
/// missing.
pub fn extensions(caps: &[Capability<'_>], before_login: Option<&str>) -> Vec<Finding> {
    let mut out = Vec::new();
    let version = if has(caps, &Capability::Imap4Rev2) {
        Finding::new(
            Status::Ok,
            "imap version",
            if has(caps, &Capability::Imap4Rev1) {
                "IMAP4rev2 (RFC 9051) and IMAP4rev1"
            } else {
                "IMAP4rev2 (RFC 9051)"
            },
        )
    } else if has(caps, &Capability::Imap4Rev1) {
        Finding::new(
            Status::Ok,
            "imap version",
            "IMAP4rev1 (RFC 3501); IMAP4rev2 (RFC 9051) is not offered, which all clients cope with",
        )
    } else {
        Finding::new(
            Status::Fail,
            "imap version",
            "neither IMAP4rev1 nor IMAP4rev2 is announced",
        )
        .advice("a server must announce its IMAP version in CAPABILITY (RFC 9051 §7.2.2)")
    };
    out.push(version);
    let deflate = caps.iter().any(
        |c| matches!(c, Capability::Compress(a) if a.as_bytes().eq_ignore_ascii_case(b"DEFLATE")),
    );
    let checks: [(&str, bool, &str, &str); 5] = [
        (
            "IDLE",
            has(caps, &Capability::Idle),
            "no IDLE: clients must poll",
            "new mail shows up only at the next poll and every poll costs the server a command; enable IDLE (RFC 2177)",
        ),
        (
            "CONDSTORE",
            has(caps, &Capability::CondStore),
            "no CONDSTORE: clients re-read the flags of every message to sync",
            "enable CONDSTORE (RFC 7162): clients then fetch only what changed",
        ),
        (
            "QRESYNC",
            has(caps, &Capability::QResync),
            "no QRESYNC: clients must list every UID to learn what was expunged",
            "enable QRESYNC (RFC 7162): reconnecting clients resync in one round trip",
        ),
        (
            "COMPRESS=DEFLATE",
            deflate,
            "no COMPRESS=DEFLATE: large syncs over slow links take longer",
            "enable COMPRESS=DEFLATE (RFC 4978; Dovecot: imap_zlib)",
        ),
        (
            "SPECIAL-USE",
            has(caps, &Capability::SpecialUse),
            "no SPECIAL-USE: clients guess by name which folders hold Sent, Drafts, Trash and Junk",
            "mark the special folders (RFC 6154); otherwise Apple Mail, Outlook and Thunderbird may each create their own",
        ),
    ];
    let present: Vec<&str> = checks.iter().filter(|c| c.1).map(|c| c.0).collect();
    if !present.is_empty() {
        out.push(Finding::new(
            Status::Ok,
            "extensions",
            format!("offered: {}", present.join(", ")),
        ));
    }
    if let Some(note) = before_login {
        // Many servers list their extensions only after login: what the
        // list before login lacks is not known to be missing.
        let unseen: Vec<&str> = checks.iter().filter(|c| !c.1).map(|c| c.0).collect();
        if !unseen.is_empty() {
            let message = format!(
                "not in the list before login, so not checked: {}; {note}",
                unseen.join(", ")
            );
            out.push(Finding::new(Status::Note, "extensions", message));
        }
        return out;
    }
    for (_, ok, missing, advice) in checks {
        if !ok {
            out.push(Finding::new(Status::Warn, "extensions", missing).advice(advice));
        }
    }
    out
}

/// Advice for well-known providers, matched by the host name.
pub fn provider(host: &str) -> Option<(&'static str, &'static str)> {
    const PROVIDERS: &[(&[&str], &str, &str)] = &[
        (
            &["gmail.com", "googlemail.com", "google.com"],
            "Gmail",
            "imap.gmail.com, port 993, SSL/TLS; sign in with OAuth (XOAUTH2/OAUTHBEARER) or an app password \
             (needs 2-step verification): the account password is refused",
        ),
        (
            &["outlook.office365.com", "office365.com", "outlook.com", "hotmail.com", "live.com"],
            "Outlook / Microsoft 365",
            "outlook.office365.com, port 993, SSL/TLS; password (basic) authentication is retired: sign in with OAuth (XOAUTH2)",
        ),
        (
            &["mail.me.com", "icloud.com", "me.com", "mac.com"],
            "iCloud Mail",
            "imap.mail.me.com, port 993, SSL/TLS; user name is the iCloud address, the password an app-specific password",
        ),
    ];
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    PROVIDERS.iter().find_map(|(domains, name, advice)| {
        domains
            .iter()
            .any(|d| host == *d || host.ends_with(&format!(".{d}")))
            .then_some((*name, *advice))
    })
}

#[cfg(test)]
mod tests {
    use imapkit_proto::Atom;

    use super::*;

    fn caps(text: &str) -> Vec<Capability<'static>> {
        text.split(' ')
            .map(|w| Capability::from_atom(Atom::try_from(w.to_owned()).unwrap()))
            .collect()
    }

    fn lines(findings: &[Finding]) -> Vec<String> {
        findings.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn renders_as_on_the_wire() {
        assert_eq!(
            render(&caps("IMAP4rev1 IDLE AUTH=PLAIN COMPRESS=DEFLATE")),
            "IMAP4rev1 IDLE AUTH=PLAIN COMPRESS=DEFLATE"
        );
        assert_eq!(render(&[]), "(none)");
    }

    #[test]
    fn plaintext_login_is_a_warning() {
        let f = before_tls("143", &caps("IMAP4rev1 STARTTLS AUTH=PLAIN AUTH=LOGIN"));
        assert_eq!(
            lines(&f),
            ["WARN  143 login before TLS: LOGIN is offered without TLS (and AUTH=PLAIN, AUTH=LOGIN): \
              passwords would cross the network in clear -> refuse LOGIN and AUTHENTICATE PLAIN/LOGIN \
              until STARTTLS and announce LOGINDISABLED (RFC 9051 §6.2.3, RFC 8314; Dovecot: \
              disable_plaintext_auth = yes)"]
        );
    }

    #[test]
    fn logindisabled_is_right() {
        let f = before_tls(
            "143",
            &caps("IMAP4rev1 STARTTLS LOGINDISABLED AUTH=SCRAM-SHA-256"),
        );
        assert_eq!(
            lines(&f),
            ["OK    143 login before TLS: LOGINDISABLED before TLS: the server refuses LOGIN in clear"]
        );
        // LOGINDISABLED covers LOGIN only: AUTH=PLAIN in clear still leaks.
        let f = before_tls("143", &caps("IMAP4rev1 STARTTLS LOGINDISABLED AUTH=PLAIN"));
        assert_eq!(f.len(), 2);
        assert_eq!(f[1].status, Status::Warn);
        assert!(f[1].message.starts_with("AUTH=PLAIN offered without TLS"));
    }

    #[test]
    fn no_starttls_fails() {
        let f = before_tls("143", &caps("IMAP4rev1 LOGINDISABLED"));
        assert_eq!(f[0].status, Status::Fail);
        assert_eq!(f[0].topic, "143 starttls");
    }

    #[test]
    fn mechanisms() {
        let f = authentication(&caps("IMAP4rev1 AUTH=PLAIN AUTH=SCRAM-SHA-256"));
        assert_eq!(
            lines(&f),
            ["OK    authentication: AUTH=PLAIN AUTH=SCRAM-SHA-256: SCRAM-SHA-256 keeps the password \
              itself off the wire, even inside TLS"]
        );
        let f = authentication(&caps("IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 AUTH=OAUTHBEARER"));
        assert_eq!(f.len(), 2);
        assert!(f[0].advice.as_deref().unwrap().contains("SCRAM-SHA-256"));
        assert_eq!(
            f[1].message,
            "OAuth offered (XOAUTH2, OAUTHBEARER): log in with a token instead of a password"
        );
        let f = authentication(&caps("IMAP4rev1 LOGINDISABLED"));
        assert_eq!(f[0].status, Status::Fail);
    }

    #[test]
    fn missing_extensions_are_warnings() {
        let f = extensions(&caps("IMAP4rev1 CONDSTORE"), None);
        let l = lines(&f);
        assert_eq!(l[0], "OK    imap version: IMAP4rev1 (RFC 3501); IMAP4rev2 (RFC 9051) is not offered, which all clients cope with");
        assert_eq!(l[1], "OK    extensions: offered: CONDSTORE");
        assert!(
            l[2].starts_with("WARN  extensions: no IDLE: clients must poll -> "),
            "{}",
            l[2]
        );
        assert_eq!(f.len(), 6);
        let f = extensions(
            &caps("IMAP4rev2 IDLE CONDSTORE QRESYNC COMPRESS=DEFLATE SPECIAL-USE"),
            None,
        );
        assert_eq!(
            lines(&f),
            [
                "OK    imap version: IMAP4rev2 (RFC 9051)",
                "OK    extensions: offered: IDLE, CONDSTORE, QRESYNC, COMPRESS=DEFLATE, SPECIAL-USE"
            ]
        );
        let f = extensions(&caps("IMAP4rev1 IDLE"), None);
        assert_eq!(
            f[2].message,
            "no CONDSTORE: clients re-read the flags of every message to sync"
        );
        let f = extensions(&caps("IMAP4rev1 IDLE"), Some("run with --user"));
        assert_eq!(f[2].status, Status::Note);
        assert_eq!(
            f[2].message,
            "not in the list before login, so not checked: CONDSTORE, QRESYNC, \
             COMPRESS=DEFLATE, SPECIAL-USE; run with --user"
        );
        assert_eq!(f.len(), 3);
        assert_eq!(extensions(&caps("IDLE"), None)[0].status, Status::Fail);
    }

    #[test]
    fn providers() {
        assert_eq!(provider("imap.gmail.com").unwrap().0, "Gmail");
        assert_eq!(
            provider("OUTLOOK.office365.com.").unwrap().0,
            "Outlook / Microsoft 365"
        );
        assert_eq!(provider("imap.mail.me.com").unwrap().0, "iCloud Mail");
        assert!(provider("notgmail.com").is_none());
        assert!(provider("localhost").is_none());
    }
}
