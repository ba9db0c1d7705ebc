//! ACL rights (RFC 4314 §2.1): which of `lrswipkxtea` a user holds on a
//! mailbox, and what each operation needs (RFC 4314 §4).

use std::fmt;

use crate::store::error::{Result, StoreError};

/// A set of RFC 4314 rights.
///
/// ```
/// use imap_examples::store::Rights;
/// let r = Rights::parse("rl").unwrap();
/// assert_eq!(r.to_string(), "lr");
/// assert!(r.has('r') && !r.has('w'));
/// // Obsolete "c" and "d" (RFC 2086) map to their RFC 4314 rights.
/// assert_eq!(Rights::parse("cd").unwrap().to_string(), "kxte");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Rights(u16);

/// The rights in their canonical order (RFC 4314 §2.1).
pub const ALL_RIGHTS: &str = "lrswipkxtea";

impl Rights {
    /// No right.
    pub const NONE: Self = Self(0);
    /// Every right: what an owner has on a personal mailbox.
    pub const ALL: Self = Self((1 << 11) - 1);

    /// Parses a rights string; `c` stands for `k`, `d` for `xte` (RFC 4314
    /// §2.1.1). Fails on any other letter.
    pub fn parse(s: &str) -> Result<Self> {
        let mut bits = 0u16;
        for c in s.chars() {
            match c {
                'c' => bits |= bit('k'),
                'd' => bits |= bit('x') | bit('t') | bit('e'),
                c if ALL_RIGHTS.contains(c) => bits |= bit(c),
                _ => {
                    return Err(StoreError::InvalidAcl {
                        reason: "unknown right",
                    })
                }
            }
        }
        Ok(Self(bits))
    }

    /// Whether the right `c` (one of `lrswipkxtea`) is held.
    pub fn has(self, c: char) -> bool {
        ALL_RIGHTS.contains(c) && self.0 & bit(c) != 0
    }

    /// Fails with [`StoreError::NoPermission`] when `c` is missing.
    pub fn require(self, c: char) -> Result<()> {
        if self.has(c) {
            Ok(())
        } else {
            Err(StoreError::NoPermission { right: c })
        }
    }

    /// Both sets.
    #[must_use]
    pub fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// `self` without `other`.
    #[must_use]
    pub fn minus(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }

    /// Whether no right is held.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The rights as ACL and MYRIGHTS responses write them: canonical order,
    /// then the virtual `c` when `k` is held and `d` when any of `x`, `t`,
    /// `e` is (RFC 4314 §2.1.1: MUST, for RFC 2086 clients).
    ///
    /// ```
    /// use imap_examples::store::Rights;
    /// assert_eq!(Rights::parse("lrte").unwrap().response_string(), "lrted");
    /// assert_eq!(Rights::parse("lrk").unwrap().response_string(), "lrkc");
    /// assert_eq!(Rights::parse("lr").unwrap().response_string(), "lr");
    /// ```
    pub fn response_string(self) -> String {
        let mut s = self.to_string();
        if self.has('k') {
            s.push('c');
        }
        if ['x', 't', 'e'].into_iter().any(|c| self.has(c)) {
            s.push('d');
        }
        s
    }

    /// Whether the rights show that the mailbox exists (RFC 4314 §4,
    /// MYRIGHTS: any of `l`, `r`, `i`, `k`, `x`, `a`); without them it
    /// is answered as a missing mailbox (§6).
    pub fn reveal_mailbox(self) -> bool {
        "lrikxa".chars().any(|c| self.has(c))
    }
}

impl fmt::Display for Rights {
    /// The rights in canonical order, e.g. `lrs`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in ALL_RIGHTS.chars() {
            if self.has(c) {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

fn bit(c: char) -> u16 {
    ALL_RIGHTS.find(c).map_or(0, |i| 1 << i)
}

/// How SETACL changes rights (RFC 4314 §3.1 `mod-rights`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AclChange {
    /// Replace the identifier's rights.
    Replace,
    /// Add rights (`+`).
    Add,
    /// Remove rights (`-`).
    Remove,
}

/// The identifier that stands for every user (RFC 4314 §2).
pub const ANYONE: &str = "anyone";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print() {
        assert_eq!(Rights::ALL.to_string(), ALL_RIGHTS);
        assert_eq!(Rights::parse("").unwrap(), Rights::NONE);
        assert!(Rights::parse("lrq").is_err());
        let r = Rights::parse("aeltx").unwrap();
        assert_eq!(r.to_string(), "lxtea");
        assert_eq!(r.require('w'), Err(StoreError::NoPermission { right: 'w' }));
        assert_eq!(r.minus(Rights::parse("xa").unwrap()).to_string(), "lte");
    }
}
