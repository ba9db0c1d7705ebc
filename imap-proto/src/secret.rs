//! A wrapper that keeps credentials out of `Debug` output and logs.

use std::fmt;

use bytes::Bytes;

use crate::buf::{Buf, IntoStatic};
use crate::core::AString;

/// A credential (password, token, SASL response). `Debug` prints `<redacted>`;
/// there is no `Display`. Use [`Secret::declassify`] to reach the value.
///
/// ```
/// use imapkit_proto::{AString, Secret};
///
/// let password: Secret<AString<'_>> = "hunter2".into();
/// assert_eq!(format!("{password:?}"), "<redacted>");
/// assert_eq!(password.declassify().as_bytes(), b"hunter2");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a secret value.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret value. Named so that every use is visible in review.
    pub fn declassify(&self) -> &T {
        &self.0
    }

    /// Unwraps the secret value.
    pub fn into_declassified(self) -> T {
        self.0
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<'a> From<&'a str> for Secret<AString<'a>> {
    /// A password: `password: "secret".into()`.
    ///
    /// # Panics
    ///
    /// If `s` holds a NUL byte (no IMAP string can, RFC 9051 §4.3; the
    /// message does not show the text). Use [`AString::try_new`] and
    /// [`Secret::new`] for text from outside the program.
    #[track_caller]
    fn from(s: &'a str) -> Self {
        Secret(AString::from(s))
    }
}

impl From<String> for Secret<AString<'static>> {
    /// A password held as a `String`.
    ///
    /// # Panics
    ///
    /// If `s` holds a NUL byte (see `From<&str>`).
    #[track_caller]
    fn from(s: String) -> Self {
        Secret(AString::from(s))
    }
}

impl<'a> From<&'a [u8]> for Secret<Buf<'a>> {
    /// A SASL response.
    fn from(b: &'a [u8]) -> Self {
        Secret(Buf::borrowed(b))
    }
}

impl From<Vec<u8>> for Secret<Buf<'static>> {
    /// A SASL response.
    fn from(b: Vec<u8>) -> Self {
        Secret(Buf::from(b))
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T: IntoStatic> IntoStatic for Secret<T> {
    type Static = Secret<T::Static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> Self::Static {
        Secret(self.0.into_static_in(frame))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(s)), "Some(<redacted>)");
    }

    #[test]
    fn passwords_from_text() {
        let p: Secret<AString<'_>> = "hunter2".into();
        assert_eq!(p.declassify().as_bytes(), b"hunter2");
        let p: Secret<AString<'static>> = String::from("two words").into();
        assert_eq!(format!("{p:?}"), "<redacted>");
    }
}
