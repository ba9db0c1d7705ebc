//! Literal admission: what the session reads of a command before it
//! answers a synchronizing literal with `+` (RFC 9051 §4.3, §7.6) or
//! refuses it (the client then does not send the data), and before it
//! accepts the data of a non-synchronizing one (RFC 7888).

/// The longest command name read here (`UID` and a command, upper case).
const MAX_NAME: usize = 32;

/// The upper-case name of the command whose first line starts `head` (the
/// message up to a literal header), as [`CommandBody::name`] spells it:
/// `LOGIN`, `UID FETCH`. `None` if there is no tag and name to read.
///
/// [`CommandBody::name`]: imapkit_proto::CommandBody::name
pub(crate) fn command_name<'b>(head: &[u8], buf: &'b mut [u8; MAX_NAME]) -> Option<&'b str> {
    let mut words = head
        .split(|&b| b == b' ' || b == b'\r' || b == b'\n')
        .skip(1) // the tag
        .map(|w| {
            let end = w.iter().position(|&b| !is_name_char(b)).unwrap_or(w.len());
            &w[..end]
        });
    let first = words.next().filter(|w| !w.is_empty())?;
    let mut len = 0;
    let mut put = |w: &[u8], buf: &mut [u8; MAX_NAME]| -> Option<()> {
        let end = len + w.len();
        buf.get_mut(len..end)?.copy_from_slice(w);
        buf[len..end].make_ascii_uppercase();
        len = end;
        Some(())
    };
    put(first, buf)?;
    if first.eq_ignore_ascii_case(b"UID") {
        let second = words.next().filter(|w| !w.is_empty())?;
        put(b" ", buf)?;
        put(second, buf)?;
    }
    std::str::from_utf8(&buf[..len]).ok()
}

/// The most of a user name the audit record of a refused LOGIN keeps.
const MAX_USER: usize = 256;

/// The user name of a LOGIN in `raw` (the command as far as it was read:
/// a line ending in the literal header of the password, a line that does
/// not parse, or the part of one a limit cut), for the audit record of a
/// LOGIN refused before it ran. Read leniently: an atom, a quoted string
/// (even one the cut left open) or a literal whose data is in `raw`, at
/// most [`MAX_USER`] bytes of it. `None` when `raw` is no LOGIN or holds
/// no user name yet (`a LOGIN {5}` before the data).
pub(crate) fn login_user(raw: &[u8]) -> Option<String> {
    let mut buf = [0; MAX_NAME];
    if command_name(raw, &mut buf)? != "LOGIN" {
        return None;
    }
    // After the tag and the name (`command_name` found both).
    let mut rest = raw;
    for _ in 0..2 {
        let space = rest.iter().position(|&b| b == b' ')?;
        rest = &rest[space + 1..];
    }
    let user: Vec<u8> = match rest.first()? {
        b'"' => {
            let mut user = Vec::new();
            let mut escaped = false;
            for &b in &rest[1..] {
                match b {
                    _ if escaped => {
                        user.push(b);
                        escaped = false;
                    }
                    b'\\' => escaped = true,
                    b'"' | b'\r' | b'\n' => break,
                    _ => user.push(b),
                }
            }
            user
        }
        b'{' | b'~' => {
            let open = rest.iter().position(|&b| b == b'{')?;
            let close = rest.iter().position(|&b| b == b'}')?;
            let digits = rest.get(open + 1..close)?;
            let digits = digits.strip_suffix(b"+").unwrap_or(digits);
            let digits = digits.strip_suffix(b"-").unwrap_or(digits);
            let len: usize = std::str::from_utf8(digits).ok()?.parse().ok()?;
            let data = rest.get(close + 1..)?.strip_prefix(b"\r\n")?;
            data.get(..len)?.to_vec()
        }
        _ => rest
            .iter()
            .take_while(|&&b| !matches!(b, b' ' | b'\r' | b'\n'))
            .copied()
            .collect(),
    };
    if user.is_empty() {
        return None;
    }
    let kept = &user[..user.len().min(MAX_USER)];
    Some(String::from_utf8_lossy(kept).into_owned())
}

/// A login attempt as its audit record names it: `(mechanism, user)`, the
/// mechanism `None` for LOGIN.
pub(crate) type Attempt = (
    Option<imapkit_proto::AuthMechanism<'static>>,
    Option<String>,
);

/// The login attempt a command refused before it ran stands for: LOGIN
/// or AUTHENTICATE, as far as `raw` names them.
pub(crate) fn refused_attempt(raw: &[u8]) -> Option<Attempt> {
    let mut buf = [0; MAX_NAME];
    match command_name(raw, &mut buf)? {
        "LOGIN" => Some((None, login_user(raw))),
        "AUTHENTICATE" => Some((authenticate_mechanism(raw), None)),
        _ => None,
    }
}

/// The SASL mechanism named by an AUTHENTICATE command in `raw` (its
/// third token), for the audit record of one that does not parse (an
/// initial response that is not base64).
pub(crate) fn authenticate_mechanism(raw: &[u8]) -> Option<imapkit_proto::AuthMechanism<'static>> {
    let mut buf = [0; MAX_NAME];
    if command_name(raw, &mut buf)? != "AUTHENTICATE" {
        return None;
    }
    let token = raw
        .split(|&b| b == b' ' || b == b'\r' || b == b'\n')
        .nth(2)?;
    let name = std::str::from_utf8(token).ok()?;
    let mechanism = imapkit_proto::AuthMechanism::try_from(name).ok()?;
    Some(imapkit_proto::IntoStatic::into_static(mechanism))
}

/// Bytes of a command name (an `atom` without the characters a literal
/// header or list uses).
fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'=')
}

/// Whether a literal header at the end of `line` (up to and including its
/// CRLF) is non-synchronizing (`{n+}`).
pub(crate) fn is_non_sync_header(line: &[u8]) -> bool {
    let line = line
        .strip_suffix(b"\r\n")
        .or_else(|| line.strip_suffix(b"\n"))
        .unwrap_or(line);
    line.ends_with(b"+}")
}

/// Whether the command in `raw` (its first line) is APPEND.
pub(crate) fn is_append(raw: &[u8]) -> bool {
    let mut buf = [0; MAX_NAME];
    command_name(raw, &mut buf) == Some("APPEND")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(head: &[u8]) -> Option<String> {
        let mut buf = [0; MAX_NAME];
        command_name(head, &mut buf).map(str::to_owned)
    }

    #[test]
    fn login_user_before_a_password_literal() {
        assert_eq!(
            login_user(b"a LOGIN alice {15}\r\n").as_deref(),
            Some("alice")
        );
        assert_eq!(
            login_user(b"a login \"al ice\" {15+}\r\n").as_deref(),
            Some("al ice")
        );
        assert_eq!(
            login_user(b"a LOGIN alice ~{15}\r\n").as_deref(),
            Some("alice")
        );
        // The user name is the literal: not known yet, then read.
        assert_eq!(login_user(b"a LOGIN {5}\r\n"), None);
        assert_eq!(
            login_user(b"a LOGIN {5}\r\nalice {15}\r\n").as_deref(),
            Some("alice")
        );
        assert_eq!(login_user(b"a LOGIN {5}\r\nali"), None);
        assert_eq!(login_user(b"a SELECT {5}\r\n"), None);
    }

    #[test]
    fn login_user_of_a_refused_line() {
        // No password (does not parse).
        assert_eq!(login_user(b"a LOGIN bob\r\n").as_deref(), Some("bob"));
        // Cut by the line limit, inside the password or the user name.
        assert_eq!(login_user(b"a LOGIN bob xxxxxx").as_deref(), Some("bob"));
        assert_eq!(
            login_user(b"a LOGIN \"b\\\"ob xxxxxx").as_deref(),
            Some("b\"ob xxxxxx")
        );
        let long = [b"a LOGIN ".as_slice(), &[b'u'; 1000]].concat();
        assert_eq!(login_user(&long).map(|u| u.len()), Some(MAX_USER));
        assert_eq!(login_user(b"a LOGIN \r\n"), None);
        assert_eq!(login_user(b"a LOGIN"), None);
    }

    #[test]
    fn refused_attempts_name_their_command() {
        assert_eq!(
            refused_attempt(b"a login bob\r\n"),
            Some((None, Some("bob".to_owned())))
        );
        assert_eq!(
            refused_attempt(b"a AUTHENTICATE PLAIN !!\r\n"),
            Some((Some(imapkit_proto::AuthMechanism::Plain), None))
        );
        assert_eq!(refused_attempt(b"a SELECT bob\r\n"), None);
        assert_eq!(refused_attempt(b"a UID LOGIN bob\r\n"), None);
    }

    #[test]
    fn the_mechanism_of_an_authenticate_line() {
        let m = authenticate_mechanism(b"a AUTHENTICATE plain AGFs!\r\n");
        assert_eq!(m, Some(imapkit_proto::AuthMechanism::Plain));
        assert_eq!(authenticate_mechanism(b"a LOGIN plain x\r\n"), None);
        assert_eq!(authenticate_mechanism(b"a AUTHENTICATE\r\n"), None);
    }

    #[test]
    fn names_as_the_decoder_spells_them() {
        assert_eq!(name(b"a1 login {5}\r\n").as_deref(), Some("LOGIN"));
        assert_eq!(name(b"a1 LOGIN alice {5}\r\n").as_deref(), Some("LOGIN"));
        assert_eq!(name(b"x uid Search {3}\r\n").as_deref(), Some("UID SEARCH"));
        assert_eq!(
            name(b"A APPEND INBOX {310+}\r\n").as_deref(),
            Some("APPEND")
        );
        assert_eq!(name(b"A XCUSTOM{3}\r\n").as_deref(), Some("XCUSTOM"));
        assert_eq!(name(b"{5}\r\n"), None);
        assert_eq!(name(b"A {5}\r\n"), None);
        assert_eq!(name(b"A UID {5}\r\n"), None);
        let long = [b"A ".as_slice(), &[b'X'; 40], b" {1}\r\n"].concat();
        assert_eq!(name(&long), None);
    }

    #[test]
    fn literal_headers_and_append() {
        assert!(is_non_sync_header(b"A APPEND x {5+}\r\n"));
        assert!(!is_non_sync_header(b"A APPEND x {5}\r\n"));
        assert!(is_append(b"A append x {5}\r\n"));
        assert!(!is_append(b"A APPENDX x {5}\r\n"));
    }
}
