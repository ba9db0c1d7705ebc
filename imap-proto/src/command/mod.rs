//! Commands a client sends (RFC 9051 §6, RFC 3501 §6), with the extension commands.
//!
//! A [`Command`] is a tag and a [`CommandBody`]; the body has one variant per
//! command. `UID FETCH`, `UID STORE`, ... are the plain variants with
//! `uid: true`. Generic extension data of RFC 4466 (`tagged-ext-val`) is kept
//! in [`TaggedExtVal`], so unknown SELECT/CREATE/FETCH/STORE parameters are
//! never lost; an unknown command keeps its raw arguments in
//! [`CommandBody::Other`] so that a server can answer `BAD`.
//!
//! Builders cover what the short constructors of [`CommandBody`] leave out:
//! SELECT/EXAMINE parameters (CONDSTORE, QRESYNC), LIST-EXTENDED options,
//! SEARCH with RETURN and CHARSET, APPEND with flags, dates and several
//! messages, STORE with `.SILENT` and UNCHANGEDSINCE, FETCH with
//! CHANGEDSINCE and VANISHED. Each builder starts from the required
//! arguments, takes options by chained calls, and ends with `build()` (or converts with `.into()`
//! where a [`CommandBody`] is expected, e.g. [`Command::new`]).
//!
//! ```
//! use std::num::{NonZeroU32, NonZeroU64};
//!
//! use imapkit_proto::{
//!     AppendBuilder, AppendMessage, FetchAttribute, FetchBuilder, Flag, ListBuilder,
//!     SearchBuilder, SearchKey, SearchReturnOption, SelectBuilder, SequenceSet,
//!     StatusAttribute, StoreAction, StoreBuilder,
//! };
//!
//! let uidvalidity = NonZeroU32::new(3857529045).unwrap();
//! let modseq = NonZeroU64::new(20010715194032001).unwrap();
//! let uids = SequenceSet::try_from("300:500").unwrap();
//! let lines = [
//!     SelectBuilder::select("INBOX").qresync(uidvalidity, modseq).build().to_string(),
//!     ListBuilder::new("", "*").subscribed().return_children().return_status([StatusAttribute::Unseen]).build().to_string(),
//!     SearchBuilder::new(SearchKey::Unseen).uid().return_options([SearchReturnOption::Min, SearchReturnOption::Count]).build().to_string(),
//!     StoreBuilder::new(uids.clone(), StoreAction::Add, [Flag::Deleted]).uid().silent().unchanged_since(12345).build().to_string(),
//!     FetchBuilder::new(uids, [FetchAttribute::Flags]).uid().changed_since(modseq).vanished().build().to_string(),
//!     AppendBuilder::new("Drafts", AppendMessage::literal(b"x").unwrap().with_flags([Flag::Draft]))
//!         .message(AppendMessage::literal(b"y").unwrap())
//!         .build()
//!         .to_string(),
//! ];
//! assert_eq!(
//!     lines,
//!     [
//!         "SELECT INBOX (QRESYNC (3857529045 20010715194032001))",
//!         "LIST (SUBSCRIBED) \"\" * RETURN (CHILDREN STATUS (UNSEEN))",
//!         "UID SEARCH RETURN (MIN COUNT) UNSEEN",
//!         "UID STORE 300:500 (UNCHANGEDSINCE 12345) +FLAGS.SILENT (\\Deleted)",
//!         "UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 20010715194032001 VANISHED)",
//!         "APPEND Drafts (\\Draft) {1}\r\nx {1}\r\ny",
//!     ]
//! );
//! ```

mod append;
mod builder;
mod constructors;
mod ext;
mod fetch;
mod mailbox;
mod other;
mod search;
mod store;

use bytes::Bytes;

pub use self::append::*;
pub use self::builder::{
    AppendBuilder, FetchBuilder, ListBuilder, SearchBuilder, SelectBuilder, StoreBuilder,
};
pub use self::ext::*;
pub use self::fetch::*;
pub use self::mailbox::*;
pub use self::other::OtherCommand;
pub use self::search::*;
pub use self::store::*;

use crate::buf::{Buf, IntoStatic};
use crate::capability::{AuthMechanism, Capability};
use crate::core::{AString, Atom, IString, LiteralMode, NString, Quoted, Tag, Vec1};
use crate::error::ValidationError;
use crate::mailbox::Mailbox;
use crate::response::{GmailLabel, TaggedExtComp, TaggedExtVal};
use crate::secret::Secret;
use crate::sequence::SequenceSet;
use crate::status::StatusAttribute;

/// A validated byte-string newtype (private helper of this module tree).
macro_rules! validated_buf {
    ($(#[$m:meta])* $name:ident, $check:expr) => {
        $(#[$m])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name<'a>(crate::buf::Buf<'a>);

        impl<'a> $name<'a> {
            /// Validates and wraps the bytes.
            pub fn try_new(
                bytes: impl Into<crate::buf::Buf<'a>>,
            ) -> Result<Self, crate::error::ValidationError> {
                let buf = bytes.into();
                let check: fn(&[u8]) -> Result<(), crate::error::ValidationError> = $check;
                check(buf.as_bytes())?;
                Ok(Self(buf))
            }

            /// Wraps bytes a decoder has already validated.
            #[doc(hidden)]
            pub fn unvalidated(bytes: impl Into<crate::buf::Buf<'a>>) -> Self {
                Self(bytes.into())
            }

            /// The bytes.
            pub fn as_bytes(&self) -> &[u8] {
                self.0.as_bytes()
            }

            /// The same value borrowing from `self` (no copy, no reference count).
            pub fn reborrow(&self) -> $name<'_> {
                $name(self.0.reborrow())
            }
        }

        impl<'a> TryFrom<&'a str> for $name<'a> {
            type Error = crate::error::ValidationError;
            fn try_from(s: &'a str) -> Result<Self, Self::Error> {
                Self::try_new(s)
            }
        }

        impl TryFrom<String> for $name<'static> {
            type Error = crate::error::ValidationError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::try_new(s)
            }
        }

        impl std::fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl crate::buf::IntoStatic for $name<'_> {
            type Static = $name<'static>;
            fn into_static_in(self, frame: Option<&bytes::Bytes>) -> $name<'static> {
                $name(self.0.into_static_in(frame))
            }
        }
    };
}
pub(crate) use validated_buf;

/// A `command` (RFC 9051 §6): `tag SP command-body CRLF`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command<'a> {
    /// The tag that the server's completion response repeats.
    pub tag: Tag<'a>,
    /// What the command does.
    pub body: CommandBody<'a>,
}

impl<'a> Command<'a> {
    /// A command from its tag (e.g. from a [`TagGenerator`](crate::TagGenerator))
    /// and its body: a [`CommandBody`] (see its constructors) or a builder.
    ///
    /// ```
    /// use imapkit_proto::{Command, CommandBody, TagGenerator};
    ///
    /// let mut tags = TagGenerator::default();
    /// let select = Command::new(tags.next_tag(), CommandBody::select("INBOX"));
    /// assert_eq!(select.to_string(), "A1 SELECT INBOX");
    /// ```
    pub fn new(tag: Tag<'a>, body: impl Into<CommandBody<'a>>) -> Self {
        Self {
            tag,
            body: body.into(),
        }
    }
}

/// The part of a command after the tag (RFC 9051 §6, RFC 3501 §6 and the
/// extension RFCs named on each variant).
///
/// `uid: true` on FETCH, STORE, COPY, MOVE, SEARCH, SORT and THREAD selects
/// the `UID` form (RFC 9051 §6.4.9).
///
/// # Building
///
/// One constructor per command covers the common case; builders
/// ([`SelectBuilder`], [`ListBuilder`], [`SearchBuilder`], [`AppendBuilder`],
/// [`StoreBuilder`], [`FetchBuilder`]) the options.
///
/// Arguments take what a program holds: `&str` or `String` for names and
/// strings, a [`SequenceSet`] (or a `NonZeroU32`) for messages, arrays for
/// non-empty lists. A mailbox name given as text is the name a user sees,
/// encoded as modified UTF-7 ([`Mailbox`]'s `From<&str>`); a `Mailbox` value
/// from a LIST response goes back as it came.
///
/// ```
/// use imapkit_proto::{
///     CommandBody, FetchAttribute, Flag, SearchKey, SequenceSet, StatusAttribute, StoreAction,
/// };
///
/// let set = SequenceSet::try_from("1:4").unwrap();
/// let bodies = [
///     CommandBody::login("alice", "hunter2"),
///     CommandBody::list("", "*"),
///     CommandBody::select("INBOX"),
///     CommandBody::status("Archive", [StatusAttribute::Messages, StatusAttribute::Unseen]),
///     CommandBody::uid_fetch(set.clone(), [FetchAttribute::Uid, FetchAttribute::Flags, FetchAttribute::Envelope]),
///     CommandBody::uid_store(set.clone(), StoreAction::Add, [Flag::Seen]),
///     CommandBody::search(SearchKey::Unseen),
///     CommandBody::create("日本語"),
///     CommandBody::uid_move(set, "Archive"),
///     CommandBody::logout(),
/// ];
/// let lines: Vec<String> = bodies.iter().map(ToString::to_string).collect();
/// assert_eq!(
///     lines,
///     [
///         "LOGIN alice <redacted>",
///         "LIST \"\" *",
///         "SELECT INBOX",
///         "STATUS Archive (MESSAGES UNSEEN)",
///         "UID FETCH 1:4 (UID FLAGS ENVELOPE)",
///         "UID STORE 1:4 +FLAGS (\\Seen)",
///         "SEARCH UNSEEN",
///         "CREATE &ZeVnLIqe-",
///         "UID MOVE 1:4 Archive",
///         "LOGOUT",
///     ]
/// );
/// ```
///
/// The variants can be written out too; their fields convert from what a
/// program holds:
///
/// ```
/// use imapkit_proto::{CommandBody, ListPatterns, Literal};
///
/// let login = CommandBody::Login { username: "alice".into(), password: "secret".into() };
/// let list = CommandBody::List {
///     selection: None,
///     reference: "".into(),
///     patterns: ListPatterns::from("*"),
///     return_options: None,
/// };
/// assert_eq!(login, CommandBody::login("alice", "secret"));
/// assert_eq!(list, CommandBody::list("", "*"));
/// let _ = Literal::try_new(b"no slice needed").unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandBody<'a> {
    /// `CAPABILITY` (RFC 9051 §6.1.1)
    Capability,
    /// `NOOP` (RFC 9051 §6.1.2)
    Noop,
    /// `LOGOUT` (RFC 9051 §6.1.3)
    Logout,
    /// `STARTTLS` (RFC 9051 §6.2.1)
    StartTls,
    /// `AUTHENTICATE mechanism [initial-response]` (RFC 9051 §6.2.2, SASL-IR RFC 4959).
    Authenticate {
        /// The SASL mechanism.
        mechanism: AuthMechanism<'a>,
        /// The decoded initial response; `Some` of an empty buffer is sent as `=`.
        initial_response: Option<Secret<Buf<'a>>>,
    },
    /// `LOGIN userid password` (RFC 9051 §6.2.3)
    Login {
        /// The user name.
        username: AString<'a>,
        /// The password (redacted in `Debug`).
        password: Secret<AString<'a>>,
    },
    /// `ENABLE capability...` (RFC 5161, RFC 9051 §6.3.1)
    Enable {
        /// The capabilities to enable.
        capabilities: Vec1<Capability<'a>>,
    },
    /// `SELECT mailbox [(params)]` (RFC 9051 §6.3.2, RFC 4466, RFC 7162)
    Select {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Select parameters; empty for none.
        parameters: Vec<SelectParameter<'a>>,
    },
    /// `EXAMINE mailbox [(params)]` (RFC 9051 §6.3.3)
    Examine {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Select parameters; empty for none.
        parameters: Vec<SelectParameter<'a>>,
    },
    /// `CREATE mailbox [(params)]` (RFC 9051 §6.3.4, RFC 4466, RFC 6154)
    Create {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// Create parameters; empty for none.
        parameters: Vec<CreateParameter<'a>>,
    },
    /// `DELETE mailbox` (RFC 9051 §6.3.5)
    Delete {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `RENAME from to` (RFC 9051 §6.3.6)
    Rename {
        /// Existing name.
        from: Mailbox<'a>,
        /// New name.
        to: Mailbox<'a>,
    },
    /// `SUBSCRIBE mailbox` (RFC 9051 §6.3.7)
    Subscribe {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `UNSUBSCRIBE mailbox` (RFC 9051 §6.3.8)
    Unsubscribe {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `LIST [(selection)] reference pattern(s) [RETURN (options)]`
    /// (RFC 9051 §6.3.9, LIST-EXTENDED RFC 5258, RFC 5819, RFC 6154).
    List {
        /// Selection options `(SUBSCRIBED ...)`; `None` when absent, `Some(vec![])` for `()`.
        selection: Option<Vec<ListSelectOption<'a>>>,
        /// The reference name.
        reference: Mailbox<'a>,
        /// One pattern, or a parenthesised list of patterns.
        patterns: ListPatterns<'a>,
        /// Return options; `None` when absent, `Some(vec![])` for `RETURN ()`.
        return_options: Option<Vec<ListReturnOption<'a>>>,
    },
    /// `LSUB reference pattern` (RFC 3501 §6.3.9, IMAP4rev1 only)
    Lsub {
        /// The reference name.
        reference: Mailbox<'a>,
        /// The pattern.
        pattern: ListMailbox<'a>,
    },
    /// `NAMESPACE` (RFC 2342, RFC 9051 §6.3.10)
    Namespace,
    /// `STATUS mailbox (attributes)` (RFC 9051 §6.3.11)
    Status {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// The requested items.
        attributes: Vec1<StatusAttribute>,
    },
    /// `APPEND mailbox message...` (RFC 9051 §6.3.12, MULTIAPPEND RFC 3502,
    /// CATENATE RFC 4469, BINARY RFC 3516, UTF8 RFC 6855)
    Append {
        /// The target mailbox.
        mailbox: Mailbox<'a>,
        /// One message, or several with MULTIAPPEND.
        messages: Vec1<AppendMessage<'a>>,
    },
    /// `IDLE` (RFC 2177, RFC 9051 §6.3.13); the client ends it with `DONE`.
    Idle,
    /// `CHECK` (RFC 3501 §6.4.1, IMAP4rev1 only)
    Check,
    /// `CLOSE` (RFC 9051 §6.4.1)
    Close,
    /// `UNSELECT` (RFC 3691, RFC 9051 §6.4.2)
    Unselect,
    /// `EXPUNGE` (RFC 9051 §6.4.3)
    Expunge,
    /// `UID EXPUNGE uid-set` (RFC 4315, RFC 9051 §6.4.9)
    UidExpunge {
        /// The UIDs.
        sequence_set: SequenceSet,
    },
    /// `[UID] SEARCH [RETURN (...)] [CHARSET x] keys` (RFC 9051 §6.4.4, ESEARCH RFC 4731)
    Search {
        /// `UID SEARCH`.
        uid: bool,
        /// `RETURN (...)`; `None` when absent, `Some(vec![])` for `RETURN ()`.
        return_options: Option<Vec<SearchReturnOption<'a>>>,
        /// `CHARSET x`.
        charset: Option<Charset<'a>>,
        /// The search keys (all must match).
        criteria: Vec1<SearchKey<'a>>,
    },
    /// `[UID] FETCH set items [(modifiers)]` (RFC 9051 §6.4.5, RFC 4466, RFC 7162)
    Fetch {
        /// `UID FETCH`.
        uid: bool,
        /// The messages.
        sequence_set: SequenceSet,
        /// What to fetch.
        items: FetchItems<'a>,
        /// FETCH modifiers such as `CHANGEDSINCE`; empty for none.
        modifiers: Vec<FetchModifier<'a>>,
    },
    /// `[UID] STORE set [(modifiers)] [+-]FLAGS[.SILENT] (flags)` (RFC 9051 §6.4.6, RFC 7162)
    Store {
        /// `UID STORE`.
        uid: bool,
        /// The messages.
        sequence_set: SequenceSet,
        /// STORE modifiers such as `UNCHANGEDSINCE`; empty for none.
        modifiers: Vec<StoreModifier<'a>>,
        /// Replace, add or remove.
        action: StoreAction,
        /// `.SILENT`: no untagged FETCH responses.
        silent: bool,
        /// Flags, or Gmail labels.
        target: StoreTarget<'a>,
    },
    /// `[UID] COPY set mailbox` (RFC 9051 §6.4.7)
    Copy {
        /// `UID COPY`.
        uid: bool,
        /// The messages.
        sequence_set: SequenceSet,
        /// The target.
        mailbox: Mailbox<'a>,
    },
    /// `[UID] MOVE set mailbox` (RFC 6851, RFC 9051 §6.4.8)
    Move {
        /// `UID MOVE`.
        uid: bool,
        /// The messages.
        sequence_set: SequenceSet,
        /// The target.
        mailbox: Mailbox<'a>,
    },
    /// `[UID] SORT [RETURN (...)] (criteria) charset keys` (RFC 5256, ESORT RFC 5267)
    Sort {
        /// `UID SORT`.
        uid: bool,
        /// `RETURN (...)` of ESORT; `None` when absent.
        return_options: Option<Vec<SearchReturnOption<'a>>>,
        /// Sort criteria.
        criteria: Vec1<SortCriterion<'a>>,
        /// The charset (mandatory in SORT).
        charset: Charset<'a>,
        /// Search keys.
        search: Vec1<SearchKey<'a>>,
    },
    /// `[UID] THREAD algorithm charset keys` (RFC 5256)
    Thread {
        /// `UID THREAD`.
        uid: bool,
        /// The threading algorithm.
        algorithm: ThreadAlgorithm<'a>,
        /// The charset (mandatory in THREAD).
        charset: Charset<'a>,
        /// Search keys.
        search: Vec1<SearchKey<'a>>,
    },
    /// `ID (field value ...)` or `ID NIL` (RFC 2971)
    Id {
        /// Field/value pairs; `None` for `NIL`.
        parameters: Option<Vec<(IString<'a>, NString<'a>)>>,
    },
    /// `GETQUOTA root` (RFC 9208 §4.2)
    GetQuota {
        /// The quota root.
        root: AString<'a>,
    },
    /// `GETQUOTAROOT mailbox` (RFC 9208 §4.3)
    GetQuotaRoot {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `SETQUOTA root (resource limit ...)` (RFC 9208 §4.4)
    SetQuota {
        /// The quota root.
        root: AString<'a>,
        /// New limits; empty removes all limits.
        limits: Vec<QuotaLimit<'a>>,
    },
    /// `SETACL mailbox identifier [+-]rights` (RFC 4314 §3.1)
    SetAcl {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// The user or group.
        identifier: AString<'a>,
        /// Replace, add or remove.
        mode: AclModMode,
        /// The rights.
        rights: AclRights<'a>,
    },
    /// `DELETEACL mailbox identifier` (RFC 4314 §3.2)
    DeleteAcl {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// The user or group.
        identifier: AString<'a>,
    },
    /// `GETACL mailbox` (RFC 4314 §3.3)
    GetAcl {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `LISTRIGHTS mailbox identifier` (RFC 4314 §3.4)
    ListRights {
        /// The mailbox.
        mailbox: Mailbox<'a>,
        /// The user or group.
        identifier: AString<'a>,
    },
    /// `MYRIGHTS mailbox` (RFC 4314 §3.5)
    MyRights {
        /// The mailbox.
        mailbox: Mailbox<'a>,
    },
    /// `GETMETADATA [(options)] mailbox entries` (RFC 5464 §4.2)
    ///
    /// The decoder also accepts the options after the mailbox (as in the
    /// RFC's examples) and several unparenthesised entries; the encoder writes
    /// the ABNF form: options first, one entry bare, several in parentheses.
    GetMetadata {
        /// `MAXSIZE`, `DEPTH`; empty for none.
        options: Vec<GetMetadataOption<'a>>,
        /// The mailbox; empty for server annotations.
        mailbox: Mailbox<'a>,
        /// The entries.
        entries: Vec1<MetadataEntry<'a>>,
    },
    /// `SETMETADATA mailbox (entry value ...)` (RFC 5464 §4.3)
    SetMetadata {
        /// The mailbox; empty for server annotations.
        mailbox: Mailbox<'a>,
        /// Entries and their new values (`NIL` removes).
        entries: Vec1<(MetadataEntry<'a>, MetadataValue<'a>)>,
    },
    /// `COMPRESS algorithm` (RFC 4978)
    Compress {
        /// The algorithm, usually `DEFLATE`.
        algorithm: CompressionAlgorithm<'a>,
    },
    /// `UNAUTHENTICATE` (RFC 8437)
    Unauthenticate,
    /// `NOTIFY NONE` (RFC 5465 §3)
    NotifyNone,
    /// `NOTIFY SET [STATUS] (filter events)...` (RFC 5465 §3)
    NotifySet {
        /// `STATUS`: send STATUS responses for the mailboxes first.
        status: bool,
        /// Event groups.
        groups: Vec1<NotifyEventGroup<'a>>,
    },
    /// A command this library does not know, with its raw arguments
    /// (literals included, read as the framer frames them), so that a
    /// server can answer `BAD`. Its name is never a known command name
    /// (those decode to their variant): see [`OtherCommand::try_new`].
    Other(OtherCommand<'a>),
}

impl<'a> CommandBody<'a> {
    /// Calls `f` on every mailbox name the command holds (not LIST's
    /// patterns, which are [`ListMailbox`] values): e.g. for a server to
    /// mark them [`NameEncoding::Utf8`](crate::NameEncoding::Utf8) when the
    /// client enabled UTF-8, which the decoder does not know.
    pub fn for_each_mailbox_mut(&mut self, mut f: impl FnMut(&mut Mailbox<'a>)) {
        match self {
            Self::Select { mailbox, .. }
            | Self::Examine { mailbox, .. }
            | Self::Create { mailbox, .. }
            | Self::Delete { mailbox }
            | Self::Subscribe { mailbox }
            | Self::Unsubscribe { mailbox }
            | Self::Status { mailbox, .. }
            | Self::Append { mailbox, .. }
            | Self::Copy { mailbox, .. }
            | Self::Move { mailbox, .. }
            | Self::GetQuotaRoot { mailbox }
            | Self::SetAcl { mailbox, .. }
            | Self::DeleteAcl { mailbox, .. }
            | Self::GetAcl { mailbox }
            | Self::ListRights { mailbox, .. }
            | Self::MyRights { mailbox }
            | Self::GetMetadata { mailbox, .. }
            | Self::SetMetadata { mailbox, .. } => f(mailbox),
            Self::Rename { from, to } => {
                f(from);
                f(to);
            }
            Self::List { reference, .. } | Self::Lsub { reference, .. } => f(reference),
            Self::NotifySet { groups, .. } => {
                for group in groups.as_mut_slice() {
                    if let NotifyFilter::Subtree(m) | NotifyFilter::Mailboxes(m) = &mut group.filter
                    {
                        m.as_mut_slice().iter_mut().for_each(&mut f);
                    }
                }
            }
            _ => {}
        }
    }
}

impl CommandBody<'_> {
    /// The command name as sent (`UID FETCH`, `FETCH`, ...).
    pub fn name(&self) -> &str {
        match self {
            Self::Capability => "CAPABILITY",
            Self::Noop => "NOOP",
            Self::Logout => "LOGOUT",
            Self::StartTls => "STARTTLS",
            Self::Authenticate { .. } => "AUTHENTICATE",
            Self::Login { .. } => "LOGIN",
            Self::Enable { .. } => "ENABLE",
            Self::Select { .. } => "SELECT",
            Self::Examine { .. } => "EXAMINE",
            Self::Create { .. } => "CREATE",
            Self::Delete { .. } => "DELETE",
            Self::Rename { .. } => "RENAME",
            Self::Subscribe { .. } => "SUBSCRIBE",
            Self::Unsubscribe { .. } => "UNSUBSCRIBE",
            Self::List { .. } => "LIST",
            Self::Lsub { .. } => "LSUB",
            Self::Namespace => "NAMESPACE",
            Self::Status { .. } => "STATUS",
            Self::Append { .. } => "APPEND",
            Self::Idle => "IDLE",
            Self::Check => "CHECK",
            Self::Close => "CLOSE",
            Self::Unselect => "UNSELECT",
            Self::Expunge => "EXPUNGE",
            Self::UidExpunge { .. } => "UID EXPUNGE",
            Self::Search { uid: false, .. } => "SEARCH",
            Self::Search { uid: true, .. } => "UID SEARCH",
            Self::Fetch { uid: false, .. } => "FETCH",
            Self::Fetch { uid: true, .. } => "UID FETCH",
            Self::Store { uid: false, .. } => "STORE",
            Self::Store { uid: true, .. } => "UID STORE",
            Self::Copy { uid: false, .. } => "COPY",
            Self::Copy { uid: true, .. } => "UID COPY",
            Self::Move { uid: false, .. } => "MOVE",
            Self::Move { uid: true, .. } => "UID MOVE",
            Self::Sort { uid: false, .. } => "SORT",
            Self::Sort { uid: true, .. } => "UID SORT",
            Self::Thread { uid: false, .. } => "THREAD",
            Self::Thread { uid: true, .. } => "UID THREAD",
            Self::Id { .. } => "ID",
            Self::GetQuota { .. } => "GETQUOTA",
            Self::GetQuotaRoot { .. } => "GETQUOTAROOT",
            Self::SetQuota { .. } => "SETQUOTA",
            Self::SetAcl { .. } => "SETACL",
            Self::DeleteAcl { .. } => "DELETEACL",
            Self::GetAcl { .. } => "GETACL",
            Self::ListRights { .. } => "LISTRIGHTS",
            Self::MyRights { .. } => "MYRIGHTS",
            Self::GetMetadata { .. } => "GETMETADATA",
            Self::SetMetadata { .. } => "SETMETADATA",
            Self::Compress { .. } => "COMPRESS",
            Self::Unauthenticate => "UNAUTHENTICATE",
            Self::NotifyNone | Self::NotifySet { .. } => "NOTIFY",
            Self::Other(o) => o.name().as_str(),
        }
    }
}

/// Command names the decoder maps to a [`CommandBody`] variant (not to
/// [`CommandBody::Other`]), upper case.
pub const KNOWN_COMMANDS: &[&str] = &[
    "CAPABILITY",
    "NOOP",
    "LOGOUT",
    "STARTTLS",
    "AUTHENTICATE",
    "LOGIN",
    "ENABLE",
    "SELECT",
    "EXAMINE",
    "CREATE",
    "DELETE",
    "RENAME",
    "SUBSCRIBE",
    "UNSUBSCRIBE",
    "LIST",
    "LSUB",
    "NAMESPACE",
    "STATUS",
    "APPEND",
    "IDLE",
    "CHECK",
    "CLOSE",
    "UNSELECT",
    "EXPUNGE",
    "UID",
    "SEARCH",
    "FETCH",
    "STORE",
    "COPY",
    "MOVE",
    "SORT",
    "THREAD",
    "ID",
    "GETQUOTA",
    "GETQUOTAROOT",
    "SETQUOTA",
    "SETACL",
    "DELETEACL",
    "GETACL",
    "LISTRIGHTS",
    "MYRIGHTS",
    "GETMETADATA",
    "SETMETADATA",
    "COMPRESS",
    "UNAUTHENTICATE",
    "NOTIFY",
];

/// A line the client sends during an `AUTHENTICATE` exchange (RFC 9051 §6.2.2):
/// base64 data (held decoded) or `*` to cancel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthenticateData<'a> {
    /// A SASL response, decoded from base64 (an empty line is an empty response).
    Continue(Secret<Buf<'a>>),
    /// `*`: the client cancels the exchange.
    Cancel,
}

/// The `DONE` line that ends IDLE (RFC 9051 §6.3.13); encodes as `DONE` CRLF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct IdleDone;

/// A `charset` (RFC 9051 §9): `atom / quoted`; the form is kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Charset<'a> {
    /// `UTF-8`
    Atom(Atom<'a>),
    /// `"UTF-8"`
    Quoted(Quoted<'a>),
}

impl Charset<'_> {
    /// The charset name.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Atom(a) => a.as_bytes(),
            Self::Quoted(q) => q.as_bytes(),
        }
    }

    /// `UTF-8`.
    pub fn utf8() -> Charset<'static> {
        Charset::Atom(Atom::unvalidated("UTF-8"))
    }
}

impl<'a> TryFrom<&'a str> for Charset<'a> {
    type Error = ValidationError;
    /// An atom where possible, else a quoted string.
    fn try_from(s: &'a str) -> Result<Self, ValidationError> {
        match Atom::try_from(s) {
            Ok(a) => Ok(Self::Atom(a)),
            Err(_) => Quoted::try_from(s).map(Self::Quoted),
        }
    }
}

/// A `literal8` (RFC 3516 §4.3): `~{n}` followed by `n` bytes, any of which may be NUL.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Literal8<'a> {
    data: Buf<'a>,
    mode: LiteralMode,
}

impl<'a> Literal8<'a> {
    /// A literal8 with any bytes.
    pub fn new(data: impl Into<Buf<'a>>, mode: LiteralMode) -> Self {
        Self {
            data: data.into(),
            mode,
        }
    }

    /// The payload.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The payload buffer, borrowed or shared: an encoder can reference a
    /// shared payload ([`Buf::shared`]) instead of copying it (vectored encoding).
    pub fn buf(&self) -> &Buf<'a> {
        &self.data
    }

    /// Synchronizing or not.
    pub fn mode(&self) -> LiteralMode {
        self.mode
    }

    /// The payload buffer.
    pub fn into_inner(self) -> Buf<'a> {
        self.data
    }
}

impl std::fmt::Debug for Literal8<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Literal8")
            .field("mode", &self.mode)
            .field("data", &self.data)
            .finish()
    }
}

/// A generic extension parameter `label [SP tagged-ext-val]` (RFC 4466):
/// `select-param`, `create-param`, `fetch-modifier`, `store-modifier`,
/// `search-ret-opt-ext` all have this form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExtParam<'a> {
    /// The parameter name (`tagged-ext-label`, decoded leniently as an atom).
    pub name: Atom<'a>,
    /// The value, if any.
    pub value: Option<TaggedExtVal<'a>>,
}

impl IntoStatic for Command<'_> {
    type Static = Command<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> Command<'static> {
        Command {
            tag: self.tag.into_static_in(frame),
            body: self.body.into_static_in(frame),
        }
    }
}

impl IntoStatic for CommandBody<'_> {
    type Static = CommandBody<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> CommandBody<'static> {
        use CommandBody as C;
        match self {
            C::Capability => C::Capability,
            C::Noop => C::Noop,
            C::Logout => C::Logout,
            C::StartTls => C::StartTls,
            C::Authenticate {
                mechanism,
                initial_response,
            } => C::Authenticate {
                mechanism: mechanism.into_static_in(f),
                initial_response: initial_response.into_static_in(f),
            },
            C::Login { username, password } => C::Login {
                username: username.into_static_in(f),
                password: password.into_static_in(f),
            },
            C::Enable { capabilities } => C::Enable {
                capabilities: capabilities.into_static_in(f),
            },
            C::Select {
                mailbox,
                parameters,
            } => C::Select {
                mailbox: mailbox.into_static_in(f),
                parameters: parameters.into_static_in(f),
            },
            C::Examine {
                mailbox,
                parameters,
            } => C::Examine {
                mailbox: mailbox.into_static_in(f),
                parameters: parameters.into_static_in(f),
            },
            C::Create {
                mailbox,
                parameters,
            } => C::Create {
                mailbox: mailbox.into_static_in(f),
                parameters: parameters.into_static_in(f),
            },
            C::Delete { mailbox } => C::Delete {
                mailbox: mailbox.into_static_in(f),
            },
            C::Rename { from, to } => C::Rename {
                from: from.into_static_in(f),
                to: to.into_static_in(f),
            },
            C::Subscribe { mailbox } => C::Subscribe {
                mailbox: mailbox.into_static_in(f),
            },
            C::Unsubscribe { mailbox } => C::Unsubscribe {
                mailbox: mailbox.into_static_in(f),
            },
            C::List {
                selection,
                reference,
                patterns,
                return_options,
            } => C::List {
                selection: selection.into_static_in(f),
                reference: reference.into_static_in(f),
                patterns: patterns.into_static_in(f),
                return_options: return_options.into_static_in(f),
            },
            C::Lsub { reference, pattern } => C::Lsub {
                reference: reference.into_static_in(f),
                pattern: pattern.into_static_in(f),
            },
            C::Namespace => C::Namespace,
            C::Status {
                mailbox,
                attributes,
            } => C::Status {
                mailbox: mailbox.into_static_in(f),
                attributes,
            },
            C::Append { mailbox, messages } => C::Append {
                mailbox: mailbox.into_static_in(f),
                messages: messages.into_static_in(f),
            },
            C::Idle => C::Idle,
            C::Check => C::Check,
            C::Close => C::Close,
            C::Unselect => C::Unselect,
            C::Expunge => C::Expunge,
            C::UidExpunge { sequence_set } => C::UidExpunge { sequence_set },
            C::Search {
                uid,
                return_options,
                charset,
                criteria,
            } => C::Search {
                uid,
                return_options: return_options.into_static_in(f),
                charset: charset.into_static_in(f),
                criteria: criteria.into_static_in(f),
            },
            C::Fetch {
                uid,
                sequence_set,
                items,
                modifiers,
            } => C::Fetch {
                uid,
                sequence_set,
                items: items.into_static_in(f),
                modifiers: modifiers.into_static_in(f),
            },
            C::Store {
                uid,
                sequence_set,
                modifiers,
                action,
                silent,
                target,
            } => C::Store {
                uid,
                sequence_set,
                modifiers: modifiers.into_static_in(f),
                action,
                silent,
                target: target.into_static_in(f),
            },
            C::Copy {
                uid,
                sequence_set,
                mailbox,
            } => C::Copy {
                uid,
                sequence_set,
                mailbox: mailbox.into_static_in(f),
            },
            C::Move {
                uid,
                sequence_set,
                mailbox,
            } => C::Move {
                uid,
                sequence_set,
                mailbox: mailbox.into_static_in(f),
            },
            C::Sort {
                uid,
                return_options,
                criteria,
                charset,
                search,
            } => C::Sort {
                uid,
                return_options: return_options.into_static_in(f),
                criteria: criteria.into_static_in(f),
                charset: charset.into_static_in(f),
                search: search.into_static_in(f),
            },
            C::Thread {
                uid,
                algorithm,
                charset,
                search,
            } => C::Thread {
                uid,
                algorithm: algorithm.into_static_in(f),
                charset: charset.into_static_in(f),
                search: search.into_static_in(f),
            },
            C::Id { parameters } => C::Id {
                parameters: parameters.into_static_in(f),
            },
            C::GetQuota { root } => C::GetQuota {
                root: root.into_static_in(f),
            },
            C::GetQuotaRoot { mailbox } => C::GetQuotaRoot {
                mailbox: mailbox.into_static_in(f),
            },
            C::SetQuota { root, limits } => C::SetQuota {
                root: root.into_static_in(f),
                limits: limits.into_static_in(f),
            },
            C::SetAcl {
                mailbox,
                identifier,
                mode,
                rights,
            } => C::SetAcl {
                mailbox: mailbox.into_static_in(f),
                identifier: identifier.into_static_in(f),
                mode,
                rights: rights.into_static_in(f),
            },
            C::DeleteAcl {
                mailbox,
                identifier,
            } => C::DeleteAcl {
                mailbox: mailbox.into_static_in(f),
                identifier: identifier.into_static_in(f),
            },
            C::GetAcl { mailbox } => C::GetAcl {
                mailbox: mailbox.into_static_in(f),
            },
            C::ListRights {
                mailbox,
                identifier,
            } => C::ListRights {
                mailbox: mailbox.into_static_in(f),
                identifier: identifier.into_static_in(f),
            },
            C::MyRights { mailbox } => C::MyRights {
                mailbox: mailbox.into_static_in(f),
            },
            C::GetMetadata {
                options,
                mailbox,
                entries,
            } => C::GetMetadata {
                options: options.into_static_in(f),
                mailbox: mailbox.into_static_in(f),
                entries: entries.into_static_in(f),
            },
            C::SetMetadata { mailbox, entries } => C::SetMetadata {
                mailbox: mailbox.into_static_in(f),
                entries: entries.into_static_in(f),
            },
            C::Compress { algorithm } => C::Compress {
                algorithm: algorithm.into_static_in(f),
            },
            C::Unauthenticate => C::Unauthenticate,
            C::NotifyNone => C::NotifyNone,
            C::NotifySet { status, groups } => C::NotifySet {
                status,
                groups: groups.into_static_in(f),
            },
            C::Other(o) => C::Other(o.into_static_in(f)),
        }
    }
}

impl IntoStatic for AuthenticateData<'_> {
    type Static = AuthenticateData<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> AuthenticateData<'static> {
        match self {
            Self::Continue(d) => AuthenticateData::Continue(d.into_static_in(f)),
            Self::Cancel => AuthenticateData::Cancel,
        }
    }
}

impl IntoStatic for Charset<'_> {
    type Static = Charset<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> Charset<'static> {
        match self {
            Self::Atom(a) => Charset::Atom(a.into_static_in(f)),
            Self::Quoted(q) => Charset::Quoted(q.into_static_in(f)),
        }
    }
}

impl IntoStatic for Literal8<'_> {
    type Static = Literal8<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> Literal8<'static> {
        Literal8 {
            data: self.data.into_static_in(f),
            mode: self.mode,
        }
    }
}

impl IntoStatic for ExtParam<'_> {
    type Static = ExtParam<'static>;
    fn into_static_in(self, f: Option<&Bytes>) -> ExtParam<'static> {
        ExtParam {
            name: self.name.into_static_in(f),
            value: self.value.into_static_in(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_debug_hides_password() {
        let c = Command::new(
            Tag::try_from("A1").unwrap(),
            CommandBody::Login {
                username: AString::from("alice"),
                password: Secret::new(AString::from("hunter2")),
            },
        );
        let s = format!("{c:?}");
        assert!(!s.contains("hunter2"), "{s}");
        assert!(s.contains("alice"));
    }

    #[test]
    fn names() {
        let b = CommandBody::UidExpunge {
            sequence_set: SequenceSet::all(),
        };
        assert_eq!(b.name(), "UID EXPUNGE");
    }
}
