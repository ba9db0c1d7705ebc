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

/// The user name of a LOGIN whose first line `head` ends in the literal
/// header of its password (`a LOGIN alice {15}`), for the audit record
/// of a LOGIN refused at that literal: the line read by the command
/// decoder with an empty password in the literal's place. `None` when the
/// user name is the literal itself, or the line is not such a LOGIN.
pub(crate) fn login_user(head: &[u8]) -> Option<String> {
    let brace = head.iter().rposition(|&b| b == b'{')?;
    let start = if brace > 0 && head[brace - 1] == b'~' {
        brace - 1
    } else {
        brace
    };
    let line = [&head[..start], &b"\"\"\r\n"[..]].concat();
    let (command, _) = imapkit_codec::decode::command(&line).ok()?.complete()?;
    match command.body {
        imapkit_proto::CommandBody::Login { username, .. } => {
            Some(String::from_utf8_lossy(username.as_bytes()).into_owned())
        }
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
        // The user name is the literal: not known yet.
        assert_eq!(login_user(b"a LOGIN {5}\r\n"), None);
        assert_eq!(login_user(b"a SELECT {5}\r\n"), None);
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
