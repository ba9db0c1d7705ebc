//! Message flags as the store keeps them: the five system flags as bits and
//! keywords by name (RFC 9051 §2.3.2).

use imapkit_proto::{Atom, Flag};

use crate::store::error::{Result, StoreError};

/// The flags of one message: system flags and keywords.
///
/// Keywords compare without regard to ASCII case (as Dovecot and Cyrus do);
/// the spelling first used in a mailbox is kept. `\Recent` is not a stored
/// flag (it belongs to a session, see [`crate::store::Selected`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FlagSet {
    bits: u8,
    keywords: Vec<Box<str>>,
}

/// `\Answered`
const ANSWERED: u8 = 1;
/// `\Flagged`
const FLAGGED: u8 = 2;
/// `\Deleted`
const DELETED: u8 = 4;
/// `\Seen`
const SEEN: u8 = 8;
/// `\Draft`
const DRAFT: u8 = 16;
/// All system flag bits.
const ALL_BITS: u8 = 31;

impl FlagSet {
    /// No flag.
    pub fn new() -> Self {
        Self::default()
    }

    /// The set holding `flags`; fails on a `\`-flag other than the five
    /// system flags (a client cannot create those, RFC 9051 §2.3.2).
    pub fn from_flags(flags: &[Flag<'_>]) -> Result<Self> {
        let mut set = Self::new();
        for f in flags {
            set.insert(f)?;
        }
        Ok(set)
    }

    /// Adds one flag.
    pub fn insert(&mut self, flag: &Flag<'_>) -> Result<()> {
        match flag {
            Flag::Keyword(k) => {
                let k = k.as_str();
                if !self.has_keyword(k) {
                    self.keywords.push(k.into());
                }
            }
            Flag::Extension(_) => return Err(StoreError::InvalidFlag),
            system => self.bits |= bit(system),
        }
        Ok(())
    }

    /// Whether the set holds `flag`.
    pub fn contains(&self, flag: &Flag<'_>) -> bool {
        match flag {
            Flag::Keyword(k) => self.has_keyword(k.as_str()),
            Flag::Extension(_) => false,
            system => self.bits & bit(system) != 0,
        }
    }

    /// `\Seen`
    pub fn seen(&self) -> bool {
        self.bits & SEEN != 0
    }

    /// `\Deleted`
    pub fn deleted(&self) -> bool {
        self.bits & DELETED != 0
    }

    /// Whether the keyword is set (ASCII case-insensitive).
    pub fn has_keyword(&self, name: &str) -> bool {
        self.keywords.iter().any(|k| k.eq_ignore_ascii_case(name))
    }

    /// The keywords.
    pub fn keywords(&self) -> impl Iterator<Item = &str> {
        self.keywords.iter().map(|k| &**k)
    }

    /// The flags as protocol values: system flags first, in the order
    /// `\Answered \Flagged \Deleted \Seen \Draft`, then keywords.
    pub fn to_flags(&self) -> Vec<Flag<'static>> {
        let mut out = Vec::with_capacity(5 + self.keywords.len());
        for (b, f) in SYSTEM {
            if self.bits & b != 0 {
                out.push(f);
            }
        }
        for k in &self.keywords {
            // Keywords entered through `Flag::Keyword(Atom)` or a state file
            // line checked by `parse_keyword`, so they are atoms.
            if let Ok(a) = Atom::try_from(k.to_string()) {
                out.push(Flag::Keyword(a));
            }
        }
        out
    }

    /// Adds every flag of `other`.
    pub(crate) fn union(&mut self, other: &Self) {
        self.bits |= other.bits;
        for k in &other.keywords {
            if !self.has_keyword(k) {
                self.keywords.push(k.clone());
            }
        }
    }

    /// Removes every flag of `other`.
    pub(crate) fn remove_all(&mut self, other: &Self) {
        self.bits &= !other.bits;
        self.keywords.retain(|k| !other.has_keyword(k));
    }

    /// Keeps only the flags `allowed` says may change, taking the others
    /// from `old`: the result of a STORE by a user with partial rights.
    pub(crate) fn restrict(&self, old: &Self, may: impl Fn(FlagKind) -> bool) -> Self {
        let mut bits = 0;
        for (b, _) in SYSTEM {
            let kind = match b {
                SEEN => FlagKind::Seen,
                DELETED => FlagKind::Deleted,
                _ => FlagKind::Other,
            };
            let src = if may(kind) { self.bits } else { old.bits };
            bits |= src & b;
        }
        let keywords = if may(FlagKind::Other) {
            self.keywords.clone()
        } else {
            old.keywords.clone()
        };
        Self { bits, keywords }
    }

    /// Uses the mailbox's spelling for known keywords.
    pub(crate) fn canonicalize(&mut self, known: &[Box<str>]) {
        for k in &mut self.keywords {
            if let Some(c) = known.iter().find(|c| c.eq_ignore_ascii_case(k)) {
                k.clone_from(c);
            }
        }
        self.keywords.sort_by_key(|k| k.to_ascii_lowercase());
    }

    /// The state file form: the bits in decimal, then the keywords.
    pub(crate) fn encode(&self, out: &mut String) {
        out.push_str(&self.bits.to_string());
        for k in &self.keywords {
            out.push(' ');
            out.push_str(k);
        }
    }

    /// Reads [`FlagSet::encode`]'s output.
    pub(crate) fn decode<'a>(bits: &str, keywords: impl Iterator<Item = &'a str>) -> Option<Self> {
        let bits: u8 = bits.parse().ok()?;
        if bits & !ALL_BITS != 0 {
            return None;
        }
        let mut set = Self {
            bits,
            keywords: Vec::new(),
        };
        for k in keywords {
            Atom::try_from(k).ok()?;
            set.keywords.push(k.into());
        }
        Some(set)
    }

    /// Flags from a Maildir file name's info part (`:2,FRS`).
    pub(crate) fn from_maildir_info(info: &str) -> Self {
        let mut bits = 0;
        for c in info.chars() {
            bits |= match c {
                'D' => DRAFT,
                'F' => FLAGGED,
                'R' => ANSWERED,
                'S' => SEEN,
                'T' => DELETED,
                _ => 0,
            };
        }
        Self {
            bits,
            keywords: Vec::new(),
        }
    }
}

/// Which right (RFC 4314 §4) changing a flag needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlagKind {
    /// `\Seen`: right `s`.
    Seen,
    /// `\Deleted`: right `t`.
    Deleted,
    /// Any other flag: right `w`.
    Other,
}

const SYSTEM: [(u8, Flag<'static>); 5] = [
    (ANSWERED, Flag::Answered),
    (FLAGGED, Flag::Flagged),
    (DELETED, Flag::Deleted),
    (SEEN, Flag::Seen),
    (DRAFT, Flag::Draft),
];

fn bit(f: &Flag<'_>) -> u8 {
    match f {
        Flag::Answered => ANSWERED,
        Flag::Flagged => FLAGGED,
        Flag::Deleted => DELETED,
        Flag::Seen => SEEN,
        Flag::Draft => DRAFT,
        Flag::Extension(_) | Flag::Keyword(_) => 0,
    }
}

/// The system flags, for FLAGS and PERMANENTFLAGS responses.
pub fn system_flags() -> Vec<Flag<'static>> {
    SYSTEM.iter().map(|(_, f)| f.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_ignore_case_and_keep_first_spelling() {
        let mut s = FlagSet::new();
        s.insert(&Flag::keyword("$Junk").unwrap()).unwrap();
        s.insert(&Flag::keyword("$junk").unwrap()).unwrap();
        s.insert(&Flag::Seen).unwrap();
        assert_eq!(
            s.to_flags(),
            vec![Flag::Seen, Flag::keyword("$Junk").unwrap()]
        );
        assert!(s.contains(&Flag::keyword("$JUNK").unwrap()));
        assert!(FlagSet::from_flags(&[Flag::system(Atom::try_from("X").unwrap())]).is_err());
    }

    #[test]
    fn encode_decode() {
        let s = FlagSet::from_flags(&[Flag::Draft, Flag::keyword("a#b").unwrap()]).unwrap();
        let mut line = String::new();
        s.encode(&mut line);
        assert_eq!(line, "16 a#b");
        let mut it = line.split(' ');
        let bits = it.next().unwrap();
        assert_eq!(FlagSet::decode(bits, it), Some(s));
        assert_eq!(FlagSet::decode("32", std::iter::empty()), None);
    }
}
