//! What the server announced: capabilities (RFC 9051 §7.2.2) and ENABLEd
//! extensions (RFC 5161), and the encoder settings that follow from them.

use imapkit_codec::encode::EncodeOptions;
use imapkit_codec::{LiteralPolicy, LITERAL_MINUS_MAX};
use imapkit_proto::{AuthMechanism, Capability};

/// The server's capabilities as last announced, and the extensions enabled.
///
/// Forgotten after STARTTLS and after authentication (RFC 9051 §6.2.1,
/// §6.2.2: they may change), then learned again from the server's next
/// announcement; [`known`](Self::known) says whether there is one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    list: Vec<Capability<'static>>,
    known: bool,
    enabled: Vec<Capability<'static>>,
    /// Counts announcements, so the client can tell whether one arrived
    /// while a command was in flight.
    generation: u64,
    /// The last announcement named IMAP4rev2 and not IMAP4rev1: the
    /// session's protocol version, kept while the list is forgotten (a
    /// login changes the extensions, not the version the connection
    /// speaks), so that commands pipelined behind LOGIN are written for it.
    rev2_only: bool,
}

impl Capabilities {
    /// Whether the server announced its capabilities since they were last forgotten.
    pub fn known(&self) -> bool {
        self.known
    }

    /// The capabilities as announced (empty while not [`known`](Self::known)).
    pub fn list(&self) -> &[Capability<'static>] {
        &self.list
    }

    /// Whether the server announced `cap`.
    pub fn has(&self, cap: &Capability<'_>) -> bool {
        self.list.iter().any(|c| c.parts() == cap.parts())
    }

    /// Whether the server announced `AUTH=mechanism`.
    pub fn has_auth(&self, mechanism: &AuthMechanism<'_>) -> bool {
        self.list
            .iter()
            .any(|c| matches!(c, Capability::Auth(m) if m.as_bytes().eq_ignore_ascii_case(mechanism.as_bytes())))
    }

    /// The SASL mechanisms announced with `AUTH=`.
    pub fn auth_mechanisms(&self) -> impl Iterator<Item = &AuthMechanism<'static>> {
        self.list.iter().filter_map(|c| match c {
            Capability::Auth(m) => Some(m),
            _ => None,
        })
    }

    /// `IMAP4rev2` (RFC 9051).
    pub fn imap4rev2(&self) -> bool {
        self.has(&Capability::Imap4Rev2)
    }

    /// The extensions the server said are enabled (`* ENABLED`, RFC 5161).
    pub fn enabled(&self) -> &[Capability<'static>] {
        &self.enabled
    }

    /// Whether `cap` was enabled.
    pub fn is_enabled(&self, cap: &Capability<'_>) -> bool {
        self.enabled.iter().any(|c| c.parts() == cap.parts())
    }

    /// How literals are written to this server (RFC 7888): all
    /// non-synchronizing with LITERAL+, non-synchronizing up to 4096 bytes
    /// with LITERAL- (IMAP4rev2 implies LITERAL-, RFC 9051 §4.3), else all
    /// synchronizing.
    pub fn literal_policy(&self) -> LiteralPolicy {
        if self.has(&Capability::LiteralPlus) {
            LiteralPolicy::NonSyncAll
        } else if self.has(&Capability::LiteralMinus) || self.imap4rev2() {
            LiteralPolicy::NonSyncUpTo(LITERAL_MINUS_MAX)
        } else {
            LiteralPolicy::SyncOnly
        }
    }

    /// Whether the session is a UTF-8 one, where quoted strings may carry
    /// UTF-8 and mailbox names are UTF-8 (`&` an ordinary character): after
    /// `ENABLE UTF8=ACCEPT` (RFC 6855 §3) or `ENABLE IMAP4rev2` (RFC 9051
    /// §6.3.1), or with a server that announces IMAP4rev2 and not
    /// IMAP4rev1, whose sessions are IMAP4rev2 from the start (RFC 9051
    /// §5.1; it need not know modified UTF-7, Appendix A.1).
    pub fn utf8_accepted(&self) -> bool {
        self.utf8_accept_enabled() || self.imap4rev2_in_use()
    }

    /// Whether the server takes IDLE: it announces `IDLE` (RFC 2177) or
    /// `IMAP4rev2`, of which IDLE is part (RFC 9051 §6.3.13).
    pub fn idle(&self) -> bool {
        self.has(&Capability::Idle) || self.imap4rev2()
    }

    /// Whether the session is an IMAP4rev2 one: after `ENABLE IMAP4rev2`
    /// (RFC 9051 §6.3.1), or with a server that announces IMAP4rev2 and not
    /// IMAP4rev1 (also between a login, which forgets the announced list,
    /// and the next announcement).
    pub fn imap4rev2_in_use(&self) -> bool {
        // Forgotten at login and not announced again yet: the version the
        // connection spoke before (`imap4rev2_only`).
        self.is_enabled(&Capability::Imap4Rev2) || self.imap4rev2_only()
    }

    /// Whether the server speaks IMAP4rev2 and not IMAP4rev1 (as last
    /// announced; kept while the list is forgotten at login): LSUB and
    /// CHECK, which RFC 9051 removed, are refused to it.
    pub(crate) fn imap4rev2_only(&self) -> bool {
        if self.known {
            self.imap4rev2() && !self.has(&Capability::Imap4Rev1)
        } else {
            self.rev2_only
        }
    }

    /// Whether the server marks with `[CLOSED]` the moment a SELECT or
    /// EXAMINE closes the mailbox selected before: a server that announces
    /// CONDSTORE or QRESYNC must, enabled or not (RFC 7162 §3.2.11), and so
    /// must an IMAP4rev2 one (RFC 9051 §6.3.2, §7.1).
    pub fn closed_expected(&self) -> bool {
        self.has(&Capability::CondStore)
            || self.has(&Capability::QResync)
            || self.is_enabled(&Capability::QResync)
            || self.imap4rev2_in_use()
    }

    /// Whether `ENABLE UTF8=ACCEPT` succeeded (RFC 6855): then a SEARCH
    /// carries no CHARSET (§3).
    pub fn utf8_accept_enabled(&self) -> bool {
        self.enabled.iter().any(
            |c| matches!(c, Capability::Utf8(a) if a.as_bytes().eq_ignore_ascii_case(b"ACCEPT")),
        )
    }

    /// How commands are encoded for this server: [`literal_policy`](Self::literal_policy)
    /// and UTF-8 in quoted strings when [`utf8_accepted`](Self::utf8_accepted)
    /// (commands hold no response text: `utf8_text` follows the version).
    pub fn encode_options(&self) -> EncodeOptions {
        EncodeOptions {
            literals: self.literal_policy(),
            utf8: self.utf8_accepted(),
            utf8_text: self.imap4rev2_in_use(),
        }
    }

    /// Replaces the announced list.
    pub(crate) fn learn(&mut self, caps: impl IntoIterator<Item = Capability<'static>>) {
        self.list.clear();
        self.list.extend(caps);
        self.known = true;
        self.generation += 1;
        self.rev2_only = self.imap4rev2() && !self.has(&Capability::Imap4Rev1);
    }

    /// How many announcements were learned so far.
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// Forgets the announced list (enabled extensions stay: they belong to the
    /// authenticated session, which ENABLE needs first).
    pub(crate) fn forget(&mut self) {
        self.list.clear();
        self.known = false;
    }

    /// Forgets everything, enabled extensions too (after STARTTLS and
    /// UNAUTHENTICATE). The protocol version of the last announcement
    /// stays until the next one, as over a login.
    pub(crate) fn reset(&mut self) {
        self.forget();
        self.enabled.clear();
    }

    /// Records `* ENABLED` data.
    pub(crate) fn enable(&mut self, caps: impl IntoIterator<Item = Capability<'static>>) {
        for cap in caps {
            if !self.is_enabled(&cap) {
                self.enabled.push(cap);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use imapkit_proto::Atom;

    use super::*;

    fn caps(names: &[&'static str]) -> Capabilities {
        let mut c = Capabilities::default();
        c.learn(
            names
                .iter()
                .map(|n| Capability::from_atom(Atom::try_from(*n).unwrap())),
        );
        c
    }

    #[test]
    fn literal_policy_follows_the_announcement() {
        assert_eq!(
            caps(&["IMAP4rev1"]).literal_policy(),
            LiteralPolicy::SyncOnly
        );
        assert_eq!(
            caps(&["IMAP4rev1", "LITERAL-"]).literal_policy(),
            LiteralPolicy::NonSyncUpTo(4096)
        );
        assert_eq!(
            caps(&["IMAP4rev2"]).literal_policy(),
            LiteralPolicy::NonSyncUpTo(4096)
        );
        assert_eq!(
            caps(&["IMAP4rev1", "LITERAL+", "LITERAL-"]).literal_policy(),
            LiteralPolicy::NonSyncAll
        );
    }

    #[test]
    fn auth_mechanisms_any_case() {
        let c = caps(&["IMAP4rev1", "AUTH=PLAIN", "auth=scram-sha-256"]);
        assert!(c.has_auth(&AuthMechanism::Plain));
        assert!(c.has_auth(&AuthMechanism::ScramSha256));
        assert!(!c.has_auth(&AuthMechanism::XOAuth2));
        assert_eq!(c.auth_mechanisms().count(), 2);
    }

    #[test]
    fn forget_keeps_enabled_reset_drops_it() {
        let mut c = caps(&["IMAP4rev1", "ENABLE"]);
        c.enable([Capability::Utf8(Atom::try_from("ACCEPT").unwrap())]);
        assert!(c.utf8_accepted());
        c.forget();
        assert!(!c.known());
        assert!(c.utf8_accepted());
        c.reset();
        assert!(!c.utf8_accepted());
    }
}
