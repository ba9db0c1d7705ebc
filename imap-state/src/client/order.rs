//! What each command means for the session: in which states it is valid,
//! how it may be pipelined (RFC 9051 §5.5), and what state it leads to.

use imapkit_proto::{CommandBody, Data, SearchKey, SequenceSet};

/// The session state (RFC 9051 §3), as the client sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SessionState {
    /// Waiting for the server's greeting.
    Greeting,
    /// Not authenticated (RFC 9051 §3.1).
    NotAuthenticated,
    /// Authenticated, no mailbox selected (§3.2).
    Authenticated,
    /// A mailbox is selected (§3.3).
    Selected,
    /// LOGOUT sent or BYE received: no more commands (§3.4).
    Logout,
    /// The connection is closed.
    Closed,
}

impl SessionState {
    /// The state's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Greeting => "greeting",
            Self::NotAuthenticated => "not authenticated",
            Self::Authenticated => "authenticated",
            Self::Selected => "selected",
            Self::Logout => "logout",
            Self::Closed => "closed",
        }
    }
}

/// Which kind of command, where the client must act on its outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Capability,
    StartTls,
    Authenticate,
    Login,
    Select,
    Close,
    Logout,
    Idle,
    Compress,
    Enable,
    Unauthenticate,
    /// Any other command: its outcome changes nothing in the session.
    Plain,
}

/// States in which a command may be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Validity {
    /// Any state (CAPABILITY, NOOP, LOGOUT, ID, unknown commands).
    Any,
    /// Not authenticated only (STARTTLS, AUTHENTICATE, LOGIN).
    NotAuthenticated,
    /// Authenticated or selected.
    Authenticated,
    /// Authenticated only (ENABLE, RFC 5161 §3.1).
    AuthenticatedOnly,
    /// Selected only.
    Selected,
}

impl Validity {
    pub(crate) fn admits(self, state: SessionState) -> bool {
        use SessionState as S;
        match self {
            Self::Any => matches!(state, S::NotAuthenticated | S::Authenticated | S::Selected),
            Self::NotAuthenticated => state == S::NotAuthenticated,
            Self::Authenticated => matches!(state, S::Authenticated | S::Selected),
            Self::AuthenticatedOnly => state == S::Authenticated,
            Self::Selected => state == S::Selected,
        }
    }
}

/// How a command is ordered against the others (RFC 9051 §5.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Traits {
    pub(crate) kind: Kind,
    pub(crate) validity: Validity,
    /// Sent only when no other command is in flight.
    pub(crate) alone: bool,
    /// No later command is sent before this one completes.
    pub(crate) hold_after: bool,
    /// Uses message sequence numbers (in its arguments or its results):
    /// not sent while a command that may cause EXPUNGE is in flight.
    pub(crate) uses_seq: bool,
    /// The server may send EXPUNGE while it runs: every command except
    /// FETCH, STORE and SEARCH (§5.5, §7.5.1).
    pub(crate) may_expunge: bool,
}

impl Traits {
    pub(crate) fn of(body: &CommandBody<'_>) -> Self {
        use CommandBody as C;
        let (kind, validity) = match body {
            C::Capability => (Kind::Capability, Validity::Any),
            C::Noop | C::Id { .. } => (Kind::Plain, Validity::Any),
            C::Logout => (Kind::Logout, Validity::Any),
            C::StartTls => (Kind::StartTls, Validity::NotAuthenticated),
            C::Authenticate { .. } => (Kind::Authenticate, Validity::NotAuthenticated),
            C::Login { .. } => (Kind::Login, Validity::NotAuthenticated),
            C::Enable { .. } => (Kind::Enable, Validity::AuthenticatedOnly),
            C::Select { .. } | C::Examine { .. } => (Kind::Select, Validity::Authenticated),
            C::Close | C::Unselect => (Kind::Close, Validity::Selected),
            C::Idle => (Kind::Idle, Validity::Authenticated),
            C::Compress { .. } => (Kind::Compress, Validity::Any),
            C::Unauthenticate => (Kind::Unauthenticate, Validity::Authenticated),
            C::Check
            | C::Expunge
            | C::UidExpunge { .. }
            | C::Search { .. }
            | C::Fetch { .. }
            | C::Store { .. }
            | C::Copy { .. }
            | C::Move { .. }
            | C::Sort { .. }
            | C::Thread { .. } => (Kind::Plain, Validity::Selected),
            C::Other { .. } => (Kind::Plain, Validity::Any),
            _ => (Kind::Plain, Validity::Authenticated),
        };
        let barrier = !matches!(kind, Kind::Plain | Kind::Capability);
        let (uses_seq, uses_saved) = sequence_use(body);
        let may_expunge = !matches!(
            body,
            C::Fetch { uid: false, .. }
                | C::Store { uid: false, .. }
                | C::Search { uid: false, .. }
        );
        Self {
            kind,
            validity,
            // A command using `$` depends on the SEARCH that saved it
            // (RFC 5182 §2.1): it waits for everything before it.
            alone: barrier || uses_saved,
            hold_after: barrier,
            uses_seq,
            may_expunge,
        }
    }
}

/// Whether a command uses message sequence numbers, and whether it uses the
/// saved search result `$`.
fn sequence_use(body: &CommandBody<'_>) -> (bool, bool) {
    use CommandBody as C;
    let saved = |set: &SequenceSet| matches!(set, SequenceSet::LastResult);
    match body {
        C::Fetch {
            uid, sequence_set, ..
        }
        | C::Store {
            uid, sequence_set, ..
        }
        | C::Copy {
            uid, sequence_set, ..
        }
        | C::Move {
            uid, sequence_set, ..
        } => (!uid, saved(sequence_set)),
        C::UidExpunge { sequence_set } => (false, saved(sequence_set)),
        // A command this library does not know may name messages by
        // number (an extension's `XFOO 1:5`): it waits, as FETCH does,
        // for every command in flight that lets the server expunge.
        C::Other(_) => (true, false),
        // A SEARCH without UID answers with sequence numbers.
        C::Search { uid, criteria, .. } => {
            let (seq, sav) = keys_use(criteria.as_slice());
            (!uid || seq, sav)
        }
        C::Sort { uid, search, .. } | C::Thread { uid, search, .. } => {
            let (seq, sav) = keys_use(search.as_slice());
            (!uid || seq, sav)
        }
        _ => (false, false),
    }
}

fn keys_use(keys: &[SearchKey<'_>]) -> (bool, bool) {
    keys.iter().fold((false, false), |(seq, saved), key| {
        let (s, v) = key_use(key);
        (seq || s, saved || v)
    })
}

fn key_use(key: &SearchKey<'_>) -> (bool, bool) {
    match key {
        SearchKey::SequenceSet(set) => (true, matches!(set, SequenceSet::LastResult)),
        SearchKey::Uid(set) => (false, matches!(set, SequenceSet::LastResult)),
        SearchKey::Not(k) => key_use(k),
        SearchKey::Or(a, b) => {
            let (a, b) = (key_use(a), key_use(b));
            (a.0 || b.0, a.1 || b.1)
        }
        SearchKey::And(keys) => keys_use(keys.as_slice()),
        _ => (false, false),
    }
}

/// The kinds of untagged data a command asks for, so that data can be
/// attributed to the one command in flight that asked for its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Answers(u32);

impl Answers {
    const CAPABILITY: u32 = 1;
    const ENABLED: u32 = 1 << 1;
    const LIST: u32 = 1 << 2;
    const LSUB: u32 = 1 << 3;
    const NAMESPACE: u32 = 1 << 4;
    const STATUS: u32 = 1 << 5;
    const SEARCH: u32 = 1 << 6;
    const SORT: u32 = 1 << 7;
    const THREAD: u32 = 1 << 8;
    const FETCH: u32 = 1 << 9;
    const MAILBOX: u32 = 1 << 10;
    const VANISHED: u32 = 1 << 11;
    const EXPUNGE: u32 = 1 << 12;
    const ID: u32 = 1 << 13;
    const QUOTA: u32 = 1 << 14;
    const ACL: u32 = 1 << 15;
    const LISTRIGHTS: u32 = 1 << 16;
    const MYRIGHTS: u32 = 1 << 17;
    const METADATA: u32 = 1 << 18;

    /// What `body` asks for.
    pub(crate) fn of(body: &CommandBody<'_>) -> Self {
        use CommandBody as C;
        Self(match body {
            C::Capability => Self::CAPABILITY,
            C::Enable { .. } => Self::ENABLED,
            C::List { .. } => Self::LIST | Self::STATUS,
            C::Lsub { .. } => Self::LSUB,
            C::Namespace => Self::NAMESPACE,
            C::Status { .. } | C::NotifySet { .. } => Self::STATUS,
            C::Search { .. } => Self::SEARCH,
            C::Sort { .. } => Self::SORT | Self::SEARCH,
            C::Thread { .. } => Self::THREAD,
            C::Fetch { uid: true, .. } => Self::FETCH | Self::VANISHED,
            C::Fetch { .. } | C::Store { .. } => Self::FETCH,
            // RFC 9051 §6.3.2: an IMAP4rev2 server sends the mailbox's LIST.
            C::Select { .. } | C::Examine { .. } => {
                Self::MAILBOX | Self::VANISHED | Self::FETCH | Self::LIST
            }
            C::Expunge | C::UidExpunge { .. } | C::Move { .. } | C::Close => {
                Self::EXPUNGE | Self::VANISHED
            }
            C::Id { .. } => Self::ID,
            C::GetQuota { .. } | C::GetQuotaRoot { .. } | C::SetQuota { .. } => Self::QUOTA,
            C::GetAcl { .. } => Self::ACL,
            C::ListRights { .. } => Self::LISTRIGHTS,
            C::MyRights { .. } => Self::MYRIGHTS,
            C::GetMetadata { .. } => Self::METADATA,
            _ => 0,
        })
    }

    /// Whether answers of `kind` ([`Answers::kind_of`]) are among these:
    /// for a loop over the commands in flight, the kind found once.
    pub(crate) fn expects_kind(self, kind: u32) -> bool {
        self.0 & kind != 0
    }

    /// The kind of answer `data` is (0: no command's).
    pub(crate) fn kind_of(data: &Data<'_>) -> u32 {
        use Data as D;
        match data {
            D::Capability(_) => Self::CAPABILITY,
            D::Enabled(_) => Self::ENABLED,
            D::List(_) => Self::LIST,
            D::Lsub(_) => Self::LSUB,
            D::Namespace(_) => Self::NAMESPACE,
            D::Status { .. } => Self::STATUS,
            D::ESearch(_) | D::Search { .. } => Self::SEARCH,
            D::Sort { .. } => Self::SORT,
            D::Thread(_) => Self::THREAD,
            D::Fetch { .. } => Self::FETCH,
            D::Flags(_) | D::Exists(_) | D::Recent(_) => Self::MAILBOX,
            D::Vanished { .. } => Self::VANISHED,
            D::Expunge(_) => Self::EXPUNGE,
            D::Id(_) => Self::ID,
            D::Quota { .. } | D::QuotaRoot { .. } => Self::QUOTA,
            D::Acl { .. } => Self::ACL,
            D::ListRights { .. } => Self::LISTRIGHTS,
            D::MyRights { .. } => Self::MYRIGHTS,
            D::Metadata { .. } => Self::METADATA,
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use imapkit_codec::{decode, Decoded};
    use imapkit_proto::Command;

    use super::*;

    fn traits(line: &str) -> Traits {
        let Ok(Decoded::Complete { message, .. }) = decode::command(line.as_bytes()) else {
            panic!("{line}")
        };
        let Command { body, .. } = message;
        Traits::of(&body)
    }

    #[test]
    fn rfc9051_5_5_sequence_and_expunge() {
        // FETCH, STORE and SEARCH do not let the server send EXPUNGE ...
        for line in [
            "a FETCH 1 FLAGS\r\n",
            "a STORE 1 +FLAGS (\\Seen)\r\n",
            "a SEARCH UNSEEN\r\n",
        ] {
            let t = traits(line);
            assert!(!t.may_expunge, "{line}");
            assert!(t.uses_seq, "{line}");
        }
        // ... their UID forms and every other command do.
        for line in [
            "a UID FETCH 1 FLAGS\r\n",
            "a UID STORE 1 +FLAGS (\\Seen)\r\n",
            "a NOOP\r\n",
            "a COPY 1 x\r\n",
        ] {
            assert!(traits(line).may_expunge, "{line}");
        }
        assert!(!traits("a UID FETCH 1:* FLAGS\r\n").uses_seq);
        // UID SEARCH with a sequence-set key uses sequence numbers.
        assert!(traits("a UID SEARCH 1:5 UNSEEN\r\n").uses_seq);
        assert!(traits("a UID SEARCH NOT OR 1 UNSEEN SEEN\r\n").uses_seq);
        assert!(!traits("a UID SEARCH UID 1:5\r\n").uses_seq);
        // A command this library does not know is taken to use them.
        let t = traits("a XFROB 1:5 (X)\r\n");
        assert!(t.uses_seq && t.may_expunge);
    }

    #[test]
    fn barriers_and_saved_results() {
        for line in [
            "a STARTTLS\r\n",
            "a AUTHENTICATE PLAIN\r\n",
            "a LOGIN u p\r\n",
            "a IDLE\r\n",
            "a COMPRESS DEFLATE\r\n",
            "a LOGOUT\r\n",
            "a SELECT INBOX\r\n",
        ] {
            let t = traits(line);
            assert!(t.alone && t.hold_after, "{line}");
        }
        let t = traits("a UID FETCH $ FLAGS\r\n");
        assert!(t.alone && !t.hold_after);
        assert!(!traits("a NOOP\r\n").alone);
    }

    #[test]
    fn validity() {
        use SessionState as S;
        assert!(traits("a LOGIN u p\r\n")
            .validity
            .admits(S::NotAuthenticated));
        assert!(!traits("a LOGIN u p\r\n").validity.admits(S::Authenticated));
        assert!(!traits("a FETCH 1 FLAGS\r\n")
            .validity
            .admits(S::Authenticated));
        assert!(traits("a LIST \"\" *\r\n").validity.admits(S::Selected));
        assert!(!traits("a ENABLE CONDSTORE\r\n")
            .validity
            .admits(S::Selected));
        assert!(!traits("a NOOP\r\n").validity.admits(S::Logout));
    }
}
