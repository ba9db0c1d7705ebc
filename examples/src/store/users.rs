//! The users file of the demo server: `name:password` lines.
//!
//! Passwords are kept in [`Secret`]s, only so that the server can check a
//! LOGIN/PLAIN password or derive SCRAM secrets at start; they never appear
//! in `Debug` output or in errors.

use std::collections::BTreeMap;
use std::path::Path;

use imapkit_proto::Secret;

/// Why the users file cannot be used. Never holds a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsersError {
    /// The file cannot be read.
    #[error("cannot read users file: {message}")]
    Read {
        /// The system's message.
        message: String,
    },
    /// A line is not `name:password`.
    #[error("users file line {line}: {reason}")]
    Line {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
}

/// The accounts of the demo server.
///
/// ```
/// use imap_examples::store::Users;
/// let users = Users::parse("# demo\nalice:wonderland\nbob:builder\n").unwrap();
/// assert!(users.verify("alice", "wonderland"));
/// assert!(!users.verify("alice", "x"));
/// assert_eq!(format!("{users:?}"), r#"Users { names: ["alice", "bob"] }"#);
/// assert!(Users::parse("x").is_err());
/// ```
#[derive(Clone, Default)]
pub struct Users {
    by_name: BTreeMap<String, Secret<String>>,
}

impl Users {
    /// Reads a users file.
    pub fn load(path: &Path) -> Result<Self, UsersError> {
        let text = std::fs::read_to_string(path).map_err(|e| UsersError::Read {
            message: e.to_string(),
        })?;
        Self::parse(&text)
    }

    /// Parses `name:password` lines; blank lines and lines starting with
    /// `#` are skipped. A name is 1 to 64 of `A-Z a-z 0-9 . _ - @ +`, not
    /// starting with `.`; `anyone` is reserved (RFC 4314).
    pub fn parse(text: &str) -> Result<Self, UsersError> {
        let mut by_name = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |reason| UsersError::Line {
                line: i + 1,
                reason,
            };
            let (name, password) = line.split_once(':').ok_or(err("expected name:password"))?;
            if !valid_user_name(name) {
                return Err(err("invalid user name"));
            }
            if password.is_empty() {
                return Err(err("empty password"));
            }
            if by_name
                .insert(name.to_string(), Secret::new(password.to_string()))
                .is_some()
            {
                return Err(err("user listed twice"));
            }
        }
        Ok(Self { by_name })
    }

    /// Whether `name` is a user.
    pub fn contains(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    /// The user names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().map(String::as_str)
    }

    /// The password of `name`, to derive SCRAM secrets from.
    pub fn password(&self, name: &str) -> Option<&Secret<String>> {
        self.by_name.get(name)
    }

    /// Whether `password` is `name`'s password; the comparison takes the
    /// same time wherever the first difference is.
    pub fn verify(&self, name: &str, password: &str) -> bool {
        let Some(secret) = self.by_name.get(name) else {
            return false;
        };
        let a = secret.declassify().as_bytes();
        let b = password.as_bytes();
        let mut diff = a.len() ^ b.len();
        for i in 0..a.len().max(b.len()) {
            let x = a.get(i).copied().unwrap_or(0);
            let y = b.get(i).copied().unwrap_or(0xff);
            diff |= usize::from(x ^ y);
        }
        diff == 0
    }
}

impl std::fmt::Debug for Users {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Users")
            .field("names", &self.by_name.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Whether `name` can be a user name (and a directory name).
pub(crate) fn valid_user_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && !name.starts_with('.')
        && name != crate::store::acl::ANYONE
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-@+".contains(&b))
}
