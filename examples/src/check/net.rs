//! The network under IMAP: the `HOST[:PORT]` argument, name resolution and
//! the TCP connect, with the cause of a failure in words.

use std::io;
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// Splits `HOST[:PORT]`: `imap.example.com`, `imap.example.com:993`,
/// `127.0.0.1:143`, `[::1]:993`, or a bare IPv6 literal `::1`.
pub fn parse_target(arg: &str) -> Result<(String, Option<u16>), String> {
    let (host, port) = if let Some(rest) = arg.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("missing ']' in {arg:?}"))?;
        match after {
            "" => (host, None),
            _ => match after.strip_prefix(':') {
                Some(port) => (host, Some(port)),
                None => return Err(format!("unexpected {after:?} after ']' in {arg:?}")),
            },
        }
    } else if arg.matches(':').count() > 1 {
        // An IPv6 literal without brackets cannot carry a port.
        (arg, None)
    } else {
        match arg.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (arg, None),
        }
    };
    if host.is_empty() {
        return Err(format!("no host in {arg:?}"));
    }
    let port = match port {
        None => None,
        Some(p) => Some(parse_port(p)?),
    };
    Ok((host.to_owned(), port))
}

/// A TCP port number, 1 to 65535.
pub fn parse_port(text: &str) -> Result<u16, String> {
    match text.parse::<u16>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(format!("{text:?} is not a port number (1-65535)")),
    }
}

/// The addresses `host` resolves to (itself if it is an IP literal), in
/// the resolver's order, without repeats.
pub fn resolve(host: &str) -> io::Result<Vec<IpAddr>> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![ip]);
    }
    let mut out: Vec<IpAddr> = Vec::new();
    for addr in (host, 0).to_socket_addrs()? {
        if !out.contains(&addr.ip()) {
            out.push(addr.ip());
        }
    }
    if out.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            "the name has no address",
        ));
    }
    Ok(out)
}

/// A TCP connection and how it was made.
#[derive(Debug)]
pub struct Connected {
    /// The stream (`TCP_NODELAY` set).
    pub stream: TcpStream,
    /// The address that answered.
    pub addr: SocketAddr,
    /// How long the connect took.
    pub elapsed: Duration,
}

/// Connects to `port` on each address in turn, each within `timeout`;
/// returns the first connection, or every address's error.
pub fn connect(
    addrs: &[IpAddr],
    port: u16,
    timeout: Duration,
) -> Result<Connected, Vec<(SocketAddr, io::Error)>> {
    let mut errors = Vec::new();
    for ip in addrs {
        let addr = SocketAddr::new(*ip, port);
        let start = Instant::now();
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(stream) => {
                // Only latency: a failure here changes no finding.
                let _ = stream.set_nodelay(true);
                return Ok(Connected {
                    stream,
                    addr,
                    elapsed: start.elapsed(),
                });
            }
            Err(e) => errors.push((addr, e)),
        }
    }
    Err(errors)
}

/// Why a connect failed, in words, and what to do about it.
pub fn describe_connect_error(e: &io::Error, timeout: Duration) -> (String, &'static str) {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => (
            "connection refused: nothing listens on this port".to_owned(),
            "check the port (993 for implicit TLS, 143 for STARTTLS) and that the server runs",
        ),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => (
            format!("timed out after {} s: no answer", timeout.as_secs()),
            "a firewall may drop the packets, or the host is down; some networks block ports 143 and 993",
        ),
        io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable => (
            format!("unreachable: {e}"),
            "check the network connection and the address",
        ),
        io::ErrorKind::PermissionDenied => (
            format!("not permitted: {e}"),
            "a local firewall or policy forbids the connection",
        ),
        _ => (e.to_string(), "check the host and port"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(
            parse_target("imap.example.com"),
            Ok(("imap.example.com".into(), None))
        );
        assert_eq!(
            parse_target("imap.example.com:993"),
            Ok(("imap.example.com".into(), Some(993)))
        );
        assert_eq!(parse_target("[::1]:143"), Ok(("::1".into(), Some(143))));
        assert_eq!(parse_target("[::1]"), Ok(("::1".into(), None)));
        assert_eq!(parse_target("fe80::1"), Ok(("fe80::1".into(), None)));
        assert!(parse_target("host:0").is_err());
        assert!(parse_target("host:99999").is_err());
        assert!(parse_target(":993").is_err());
        assert!(parse_target("[::1").is_err());
        assert!(parse_target("[::1]x").is_err());
    }

    #[test]
    fn ip_literals_resolve_to_themselves() {
        assert_eq!(
            resolve("127.0.0.1").unwrap(),
            vec!["127.0.0.1".parse::<IpAddr>().unwrap()]
        );
    }

    #[test]
    fn refused_is_named() {
        // A port that was just free: bound, then released.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let errors = connect(
            &["127.0.0.1".parse().unwrap()],
            port,
            Duration::from_secs(2),
        )
        .unwrap_err();
        assert_eq!(errors.len(), 1);
        let (text, _) = describe_connect_error(&errors[0].1, Duration::from_secs(2));
        assert!(text.starts_with("connection refused"), "{text}");
    }
}
