//! A wrapper that keeps credentials out of `Debug` output and logs.

use std::fmt;

use bytes::Bytes;

use crate::buf::IntoStatic;

/// A credential (password, token, SASL response). `Debug` prints `<redacted>`;
/// there is no `Display`. Use [`Secret::declassify`] to reach the value.
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
}
