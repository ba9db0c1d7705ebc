//! Session states (RFC 9051 §3) and the validity table: which commands a
//! client may send in which state (RFC 9051 §6), who handles them (the
//! session or the application), and which may run side by side (RFC 9051
//! §5.5).

use imapkit_proto::{
    Capability, CommandBody, FetchAttribute, FetchItems, SearchKey, SearchReturnOption,
    SelectParameter,
};

use super::config::{ExtensionCommand, ServerConfig};

/// The state of an IMAP session (RFC 9051 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SessionState {
    /// Before LOGIN or AUTHENTICATE (RFC 9051 §3.1).
    NotAuthenticated,
    /// Logged in, no mailbox selected (RFC 9051 §3.2).
    Authenticated,
    /// A mailbox is selected (RFC 9051 §3.3).
    Selected,
    /// The connection is ending or ended (RFC 9051 §3.4).
    Logout,
}

impl SessionState {
    /// The state's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::NotAuthenticated => "not authenticated",
            Self::Authenticated => "authenticated",
            Self::Selected => "selected",
            Self::Logout => "logout",
        }
    }

    fn bit(self) -> u8 {
        match self {
            Self::NotAuthenticated => N,
            Self::Authenticated => A,
            Self::Selected => S,
            Self::Logout => 0,
        }
    }
}

/// Who answers a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Handler {
    /// The session answers `* CAPABILITY` and OK.
    Capability,
    /// The session answers OK (NOOP before authentication: there is nothing
    /// to report).
    Noop,
    /// The session answers `* BYE` and OK and closes.
    Logout,
    /// The session answers OK and stops for the TLS handshake.
    StartTls,
    /// The session runs the exchange; the application decides.
    Login,
    /// The session runs the SASL exchange; the application decides.
    Authenticate,
    /// The session answers `* ENABLED` and OK.
    Enable,
    /// The session answers `+ idling` and waits for DONE.
    Idle,
    /// The session answers OK and compresses from then on (RFC 4978).
    Compress,
    /// The application answers; the completion has this effect on the state.
    App(Effect),
}

/// What a successful (or failed) application command does to the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    /// Nothing.
    None,
    /// SELECT or EXAMINE: OK selects; a failure leaves no mailbox selected
    /// (RFC 9051 §6.3.2).
    Select,
    /// CLOSE or UNSELECT: OK returns to the authenticated state.
    Deselect,
    /// UNAUTHENTICATE (RFC 8437): OK returns to not authenticated.
    Unauthenticate,
}

/// How a valid command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Route {
    pub(crate) handler: Handler,
    /// Runs alone: handed out only when nothing else is in flight, and
    /// nothing is handed out until it completes (it changes the state or
    /// data another command could read, RFC 9051 §5.5).
    pub(crate) exclusive: bool,
    /// FETCH, STORE, SEARCH (and SORT, THREAD, and a UID SEARCH with
    /// message numbers): no EXPUNGE may be sent while it is in progress
    /// (RFC 9051 §7.5.1, RFC 7162 §3.2.10).
    pub(crate) seq_sensitive: bool,
}

/// Why a command is refused with BAD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Not a command this server knows.
    Unknown,
    /// Not valid in the session's state.
    WrongState,
    /// An extension the server did not advertise.
    NotAdvertised,
    /// Valid name, invalid use (the reason goes into the BAD text).
    Invalid(&'static str),
}

impl Refusal {
    /// Counts towards the garbage limit before authentication.
    pub(crate) fn is_garbage(self) -> bool {
        matches!(self, Self::Unknown)
    }

    /// The BAD text.
    pub(crate) fn text(self) -> &'static str {
        match self {
            Self::Unknown => "Unknown command",
            Self::WrongState => "Command not valid in this state",
            Self::NotAdvertised => "Command not supported",
            Self::Invalid(why) => why,
        }
    }
}

/// The extensions a configuration advertises, as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Features(u32);

impl Features {
    pub(crate) const REV2: u32 = 1 << 0;
    pub(crate) const IDLE: u32 = 1 << 1;
    pub(crate) const MOVE: u32 = 1 << 2;
    pub(crate) const UNSELECT: u32 = 1 << 3;
    pub(crate) const NAMESPACE: u32 = 1 << 4;
    pub(crate) const UIDPLUS: u32 = 1 << 5;
    pub(crate) const ENABLE: u32 = 1 << 6;
    pub(crate) const ID: u32 = 1 << 7;
    pub(crate) const SORT: u32 = 1 << 8;
    pub(crate) const THREAD: u32 = 1 << 9;
    pub(crate) const QUOTA: u32 = 1 << 10;
    pub(crate) const ACL: u32 = 1 << 11;
    pub(crate) const METADATA: u32 = 1 << 12;
    pub(crate) const NOTIFY: u32 = 1 << 13;
    pub(crate) const UNAUTHENTICATE: u32 = 1 << 14;
    pub(crate) const CONDSTORE: u32 = 1 << 15;
    pub(crate) const QRESYNC: u32 = 1 << 16;
    pub(crate) const UTF8: u32 = 1 << 17;
    pub(crate) const REV1: u32 = 1 << 18;
    pub(crate) const COMPRESS: u32 = 1 << 19;

    /// The features of `config.capabilities`.
    pub(crate) fn of(config: &ServerConfig) -> Self {
        let mut bits = 0;
        for cap in &config.capabilities {
            bits |= match cap {
                Capability::Imap4Rev2 => {
                    Self::REV2
                        | Self::IDLE
                        | Self::MOVE
                        | Self::UNSELECT
                        | Self::NAMESPACE
                        | Self::UIDPLUS
                        | Self::ENABLE
                }
                Capability::Imap4Rev1 => Self::REV1,
                Capability::Idle => Self::IDLE,
                Capability::Move => Self::MOVE,
                Capability::Unselect => Self::UNSELECT,
                Capability::Namespace => Self::NAMESPACE,
                Capability::UidPlus => Self::UIDPLUS,
                Capability::Enable => Self::ENABLE,
                Capability::Id => Self::ID,
                Capability::Sort | Capability::SortParam(_) => Self::SORT,
                Capability::Thread(_) => Self::THREAD,
                Capability::Quota | Capability::QuotaSet | Capability::QuotaParam(_) => Self::QUOTA,
                Capability::Acl | Capability::Rights(_) => Self::ACL,
                Capability::Metadata | Capability::MetadataServer => Self::METADATA,
                Capability::Notify => Self::NOTIFY,
                Capability::Unauthenticate => Self::UNAUTHENTICATE,
                Capability::CondStore => Self::CONDSTORE,
                Capability::QResync => Self::QRESYNC | Self::CONDSTORE,
                Capability::Utf8(_) => Self::UTF8,
                _ => 0,
            };
        }
        if config.compress {
            bits |= Self::COMPRESS;
        }
        Self(bits)
    }

    /// Whether every bit of `bits` is set.
    pub(crate) fn has(self, bits: u32) -> bool {
        self.0 & bits == bits
    }
}

const N: u8 = 1;
const A: u8 = 2;
const S: u8 = 4;
const ANY: u8 = N | A | S;
const AUTH: u8 = A | S;

/// One row of the validity table.
struct Row {
    states: u8,
    handler: Handler,
    exclusive: bool,
    seq: bool,
    /// The feature bits the command needs (0: base protocol).
    needs: u32,
}

const fn row(states: u8, handler: Handler, exclusive: bool, needs: u32) -> Row {
    Row {
        states,
        handler,
        exclusive,
        seq: false,
        needs,
    }
}

const fn seq(row: Row) -> Row {
    Row { seq: true, ..row }
}

const APP: Handler = Handler::App(Effect::None);

/// The validity table (RFC 9051 §6 and the extension RFCs): `name` is the
/// upper-case name as [`CommandBody::name`] gives it (`UID FETCH`, ...).
fn table(name: &str) -> Option<Row> {
    use Features as F;
    let r = match name {
        // RFC 9051 §6.1: any state.
        "CAPABILITY" => row(ANY, Handler::Capability, false, 0),
        "NOOP" => row(ANY, APP, false, 0),
        "LOGOUT" => row(ANY, Handler::Logout, true, 0),
        "ID" => row(ANY, APP, false, F::ID),
        // RFC 9051 §6.2: not authenticated.
        "STARTTLS" => row(N, Handler::StartTls, true, 0),
        "AUTHENTICATE" => row(N, Handler::Authenticate, true, 0),
        "LOGIN" => row(N, Handler::Login, true, 0),
        // RFC 9051 §6.3: authenticated (and selected).
        "ENABLE" => row(A, Handler::Enable, true, F::ENABLE),
        "SELECT" | "EXAMINE" => row(AUTH, Handler::App(Effect::Select), true, 0),
        "CREATE" | "DELETE" | "RENAME" | "SUBSCRIBE" | "UNSUBSCRIBE" | "APPEND" => {
            row(AUTH, APP, true, 0)
        }
        "LIST" | "STATUS" => row(AUTH, APP, false, 0),
        // IMAP4rev1 only: RFC 9051 removed LSUB (Appendix E item 19).
        "LSUB" => row(AUTH, APP, false, F::REV1),
        "NAMESPACE" => row(AUTH, APP, false, F::NAMESPACE),
        "IDLE" => row(AUTH, Handler::Idle, true, F::IDLE),
        "GETQUOTA" | "GETQUOTAROOT" => row(AUTH, APP, false, F::QUOTA),
        "SETQUOTA" => row(AUTH, APP, true, F::QUOTA),
        "GETACL" | "LISTRIGHTS" | "MYRIGHTS" => row(AUTH, APP, false, F::ACL),
        "SETACL" | "DELETEACL" => row(AUTH, APP, true, F::ACL),
        "GETMETADATA" => row(AUTH, APP, false, F::METADATA),
        "SETMETADATA" => row(AUTH, APP, true, F::METADATA),
        "NOTIFY" => row(AUTH, APP, true, F::NOTIFY),
        "COMPRESS" => row(AUTH, Handler::Compress, true, F::COMPRESS),
        "UNAUTHENTICATE" => row(
            AUTH,
            Handler::App(Effect::Unauthenticate),
            true,
            F::UNAUTHENTICATE,
        ),
        // RFC 9051 §6.4: selected.
        // IMAP4rev1 only: RFC 9051 removed CHECK (Appendix E item 17).
        "CHECK" => row(S, APP, false, F::REV1),
        "CLOSE" => row(S, Handler::App(Effect::Deselect), true, 0),
        "UNSELECT" => row(S, Handler::App(Effect::Deselect), true, F::UNSELECT),
        "EXPUNGE" => row(S, APP, true, 0),
        "UID EXPUNGE" => row(S, APP, true, F::UIDPLUS),
        "SEARCH" => seq(row(S, APP, false, 0)),
        "UID SEARCH" | "UID FETCH" => row(S, APP, false, 0),
        "FETCH" => seq(row(S, APP, false, 0)),
        "STORE" => seq(row(S, APP, true, 0)),
        "UID STORE" | "COPY" | "UID COPY" => row(S, APP, true, 0),
        "MOVE" | "UID MOVE" => row(S, APP, true, F::MOVE),
        "SORT" => seq(row(S, APP, false, F::SORT)),
        "UID SORT" => row(S, APP, false, F::SORT),
        "THREAD" => seq(row(S, APP, false, F::THREAD)),
        "UID THREAD" => row(S, APP, false, F::THREAD),
        _ => return None,
    };
    Some(r)
}

/// Routes a command by its name alone (before its arguments have arrived:
/// a literal announced in its first line).
pub(crate) fn route_name(
    name: &str,
    state: SessionState,
    features: Features,
    extensions: &[ExtensionCommand],
) -> Result<Route, Refusal> {
    let Some(row) = table(name) else {
        return route_extension(name, state, extensions);
    };
    if !features.has(row.needs) {
        return Err(Refusal::NotAdvertised);
    }
    if row.states & state.bit() == 0 {
        return Err(Refusal::WrongState);
    }
    let handler = match (row.handler, state) {
        // Before authentication there is no mailbox to report on.
        (Handler::App(Effect::None), SessionState::NotAuthenticated) if name == "NOOP" => {
            Handler::Noop
        }
        (h, _) => h,
    };
    Ok(Route {
        handler,
        exclusive: row.exclusive,
        seq_sensitive: row.seq,
    })
}

fn route_extension(
    name: &str,
    state: SessionState,
    extensions: &[ExtensionCommand],
) -> Result<Route, Refusal> {
    let ext = extensions
        .iter()
        .find(|e| e.name.eq_ignore_ascii_case(name))
        .ok_or(Refusal::Unknown)?;
    let states = (if ext.not_authenticated { N } else { 0 })
        | (if ext.authenticated { A } else { 0 })
        | (if ext.selected { S } else { 0 });
    if states & state.bit() == 0 {
        return Err(Refusal::WrongState);
    }
    Ok(Route {
        handler: APP,
        exclusive: ext.exclusive,
        seq_sensitive: ext.message_numbers,
    })
}

/// Routes a decoded command: [`route_name`], refined by its arguments.
///
/// `enabled`: what the client has enabled (a SELECT with the QRESYNC
/// parameter needs QRESYNC, RFC 7162 §3.2.5; a SEARCH after UTF8=ACCEPT
/// carries no CHARSET, RFC 6855 §3).
pub(crate) fn route(
    body: &CommandBody<'_>,
    state: SessionState,
    features: Features,
    extensions: &[ExtensionCommand],
    enabled: super::Enabled,
) -> Result<Route, Refusal> {
    let mut route = route_name(body.name(), state, features, extensions)?;
    match body {
        CommandBody::Search {
            charset: Some(_), ..
        } if enabled.utf8_accept => {
            return Err(Refusal::Invalid("CHARSET after ENABLE UTF8=ACCEPT"));
        }
        CommandBody::Select { parameters, .. } | CommandBody::Examine { parameters, .. }
            if !enabled.qresync
                && parameters
                    .iter()
                    .any(|p| matches!(p, SelectParameter::QResync { .. })) =>
        {
            return Err(Refusal::Invalid("QRESYNC is not enabled"));
        }
        // A FETCH that sets \Seen changes what another command reads.
        CommandBody::Fetch { items, .. } if sets_seen(items) => route.exclusive = true,
        // SAVE stores a result the next commands read (RFC 5182).
        CommandBody::Search {
            return_options: Some(opts),
            ..
        }
        | CommandBody::Sort {
            return_options: Some(opts),
            ..
        } if opts.contains(&SearchReturnOption::Save) => route.exclusive = true,
        _ => {}
    }
    if let CommandBody::Search {
        uid: true,
        criteria,
        ..
    } = body
    {
        // RFC 7162 §3.2.10: no VANISHED during a UID SEARCH with message numbers.
        if criteria
            .as_slice()
            .iter()
            .any(SearchKey::uses_message_numbers)
        {
            route.seq_sensitive = true;
        }
    }
    Ok(route)
}

/// Whether a FETCH sets `\Seen` (a body section without `.PEEK`, RFC822,
/// RFC822.TEXT; RFC 9051 §6.4.5).
fn sets_seen(items: &FetchItems<'_>) -> bool {
    let one = |a: &FetchAttribute<'_>| {
        matches!(
            a,
            FetchAttribute::Rfc822
                | FetchAttribute::Rfc822Text
                | FetchAttribute::BodySection { peek: false, .. }
                | FetchAttribute::Binary { peek: false, .. }
        )
    };
    items.any(one)
}

#[cfg(test)]
mod tests {
    use super::*;
    use SessionState::*;

    fn features() -> Features {
        Features::of(&ServerConfig::default())
    }

    fn name(n: &str, state: SessionState) -> Result<Route, Refusal> {
        route_name(n, state, features(), &[])
    }

    #[test]
    fn rfc9051_section6_states() {
        for n in ["CAPABILITY", "NOOP", "LOGOUT"] {
            for s in [NotAuthenticated, Authenticated, Selected] {
                assert!(name(n, s).is_ok(), "{n} in {s:?}");
            }
        }
        for n in ["STARTTLS", "AUTHENTICATE", "LOGIN"] {
            assert!(name(n, NotAuthenticated).is_ok());
            assert_eq!(name(n, Authenticated), Err(Refusal::WrongState));
            assert_eq!(name(n, Selected), Err(Refusal::WrongState));
        }
        for n in ["SELECT", "LIST", "APPEND", "IDLE", "STATUS", "NAMESPACE"] {
            assert_eq!(name(n, NotAuthenticated), Err(Refusal::WrongState), "{n}");
            assert!(name(n, Authenticated).is_ok());
            assert!(name(n, Selected).is_ok());
        }
        assert!(name("ENABLE", Authenticated).is_ok());
        assert_eq!(name("ENABLE", Selected), Err(Refusal::WrongState));
        for n in [
            "FETCH",
            "UID FETCH",
            "STORE",
            "CLOSE",
            "EXPUNGE",
            "MOVE",
            "UNSELECT",
        ] {
            assert_eq!(name(n, Authenticated), Err(Refusal::WrongState), "{n}");
            assert!(name(n, Selected).is_ok(), "{n}");
        }
        assert_eq!(name("XYZZY", Selected), Err(Refusal::Unknown));
        assert_eq!(name("SORT", Selected), Err(Refusal::NotAdvertised));
        assert_eq!(name("FETCH", Logout), Err(Refusal::WrongState));
    }

    #[test]
    fn noop_before_login_is_answered_by_the_session() {
        assert_eq!(
            name("NOOP", NotAuthenticated).unwrap().handler,
            Handler::Noop
        );
        assert_eq!(
            name("NOOP", Authenticated).unwrap().handler,
            Handler::App(Effect::None)
        );
    }

    #[test]
    fn sequence_number_commands() {
        assert!(name("FETCH", Selected).unwrap().seq_sensitive);
        assert!(name("STORE", Selected).unwrap().seq_sensitive);
        assert!(name("SEARCH", Selected).unwrap().seq_sensitive);
        assert!(!name("UID FETCH", Selected).unwrap().seq_sensitive);
        assert!(!name("UID STORE", Selected).unwrap().seq_sensitive);
        assert!(!name("COPY", Selected).unwrap().seq_sensitive);
    }

    #[test]
    fn rev1_only_servers_gate_the_rev2_commands() {
        let config = ServerConfig {
            capabilities: vec![Capability::Imap4Rev1],
            ..ServerConfig::default()
        };
        let f = Features::of(&config);
        for n in ["IDLE", "MOVE", "UNSELECT", "NAMESPACE", "UID EXPUNGE"] {
            let state = if n == "IDLE" || n == "NAMESPACE" {
                Authenticated
            } else {
                Selected
            };
            assert_eq!(
                route_name(n, state, f, &[]),
                Err(Refusal::NotAdvertised),
                "{n}"
            );
        }
    }

    #[test]
    fn extension_commands_follow_their_registration() {
        let mut x = ExtensionCommand::new("XFOO");
        x.exclusive = false;
        let ext = [x];
        let r = route_name("xfoo", Selected, features(), &ext).unwrap();
        assert_eq!(r.handler, Handler::App(Effect::None));
        assert!(!r.exclusive);
        assert_eq!(
            route_name("XFOO", NotAuthenticated, features(), &ext),
            Err(Refusal::WrongState)
        );
    }
}
