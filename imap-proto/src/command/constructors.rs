//! Short constructors of [`CommandBody`], one per command (the
//! examples are on [`CommandBody`]).

use crate::buf::Buf;
use crate::capability::{AuthMechanism, Capability};
use crate::core::{AString, IString, NString, Vec1};
use crate::error::ValidationError;
use crate::flag::Flag;
use crate::mailbox::Mailbox;
use crate::secret::Secret;
use crate::sequence::SequenceSet;
use crate::status::StatusAttribute;

use super::{
    AclModMode, AclRights, AppendMessage, Charset, CommandBody, CompressionAlgorithm, FetchItems,
    ListMailbox, ListPatterns, MetadataEntry, MetadataValue, NotifyEventGroup, QuotaLimit,
    SearchKey, SortCriterion, StoreAction, StoreTarget, ThreadAlgorithm,
};

/// Constructors, in the order of RFC 9051 §6, then the extensions.
impl<'a> CommandBody<'a> {
    /// `CAPABILITY` (RFC 9051 §6.1.1).
    pub fn capability() -> Self {
        Self::Capability
    }

    /// `NOOP` (RFC 9051 §6.1.2).
    pub fn noop() -> Self {
        Self::Noop
    }

    /// `LOGOUT` (RFC 9051 §6.1.3).
    pub fn logout() -> Self {
        Self::Logout
    }

    /// `STARTTLS` (RFC 9051 §6.2.1).
    pub fn starttls() -> Self {
        Self::StartTls
    }

    /// `AUTHENTICATE mechanism` (RFC 9051 §6.2.2); the exchange follows as
    /// [`AuthenticateData`](super::AuthenticateData) lines.
    pub fn authenticate(mechanism: AuthMechanism<'a>) -> Self {
        Self::Authenticate {
            mechanism,
            initial_response: None,
        }
    }

    /// `AUTHENTICATE mechanism initial-response` (SASL-IR, RFC 4959): the
    /// first response (not yet base64-encoded; empty is sent as `=`) goes
    /// with the command.
    ///
    /// ```
    /// use imapkit_proto::{AuthMechanism, CommandBody};
    ///
    /// let auth = CommandBody::authenticate_with(AuthMechanism::Plain, &b"\0alice\0hunter2"[..]);
    /// assert_eq!(auth.to_string(), "AUTHENTICATE PLAIN <redacted>");
    /// ```
    pub fn authenticate_with(
        mechanism: AuthMechanism<'a>,
        initial_response: impl Into<Buf<'a>>,
    ) -> Self {
        Self::Authenticate {
            mechanism,
            initial_response: Some(Secret::new(initial_response.into())),
        }
    }

    /// `LOGIN user password` (RFC 9051 §6.2.3). Names and passwords that
    /// are not ASCII should use AUTHENTICATE instead (RFC 6855 §5).
    ///
    /// # Panics
    ///
    /// If `username` or `password` is text holding a NUL byte, which no
    /// IMAP string can (build them with [`AString::try_new`] to get an
    /// error instead).
    #[track_caller]
    pub fn login(
        username: impl Into<AString<'a>>,
        password: impl Into<Secret<AString<'a>>>,
    ) -> Self {
        Self::Login {
            username: username.into(),
            password: password.into(),
        }
    }

    /// `ENABLE capability...` (RFC 5161, RFC 9051 §6.3.1), e.g.
    /// `CommandBody::enable([Capability::CondStore, Capability::utf8_accept()])`.
    pub fn enable(capabilities: impl Into<Vec1<Capability<'a>>>) -> Self {
        Self::Enable {
            capabilities: capabilities.into(),
        }
    }

    /// `SELECT mailbox` (RFC 9051 §6.3.2); with CONDSTORE or QRESYNC
    /// parameters, see [`SelectBuilder`](super::SelectBuilder).
    pub fn select(mailbox: impl Into<Mailbox<'a>>) -> Self {
        Self::Select {
            mailbox: mailbox.into(),
            parameters: Vec::new(),
        }
    }

    /// `EXAMINE mailbox` (RFC 9051 §6.3.3): SELECT, read-only.
    pub fn examine(mailbox: impl Into<Mailbox<'a>>) -> Self {
        Self::Examine {
            mailbox: mailbox.into(),
            parameters: Vec::new(),
        }
    }

    /// `CREATE mailbox` (RFC 9051 §6.3.4).
    pub fn create(mailbox: impl Into<Mailbox<'a>>) -> Self {
        Self::Create {
            mailbox: mailbox.into(),
            parameters: Vec::new(),
        }
    }

    /// `DELETE mailbox` (RFC 9051 §6.3.5).
    pub fn delete(mailbox: impl Into<Mailbox<'a>>) -> Self {
        Self::Delete {
            mailbox: mailbox.into(),
        }
    }

    /// `RENAME from to` (RFC 9051 §6.3.6).
    pub fn rename(from: impl Into<Mailbox<'a>>, to: impl Into<Mailbox<'a>>) -> Self {
        Self::Rename {
            from: from.into(),
            to: to.into(),
        }
    }

    /// `SUBSCRIBE mailbox` (RFC 9051 §6.3.7).
    pub fn subscribe(mailbox: impl Into<Mailbox<'a>>) -> Self {
        Self::Subscribe {
            mailbox: mailbox.into(),
        }
    }

    /// `UNSUBSCRIBE mailbox` (RFC 9051 §6.3.8).
    pub fn unsubscribe(mailbox: impl Into<Mailbox<'a>>) -> Self {
        Self::Unsubscribe {
            mailbox: mailbox.into(),
        }
    }

    /// `LIST reference pattern` (RFC 9051 §6.3.9): `CommandBody::list("", "*")`
    /// lists every mailbox; an array of patterns sends them in parentheses
    /// (LIST-EXTENDED, RFC 5258). Selection and return options: see
    /// [`ListBuilder`](super::ListBuilder).
    pub fn list(reference: impl Into<Mailbox<'a>>, patterns: impl Into<ListPatterns<'a>>) -> Self {
        Self::List {
            selection: None,
            reference: reference.into(),
            patterns: patterns.into(),
            return_options: None,
        }
    }

    /// `LSUB reference pattern` (RFC 3501 §6.3.9, IMAP4rev1 only).
    pub fn lsub(reference: impl Into<Mailbox<'a>>, pattern: impl Into<ListMailbox<'a>>) -> Self {
        Self::Lsub {
            reference: reference.into(),
            pattern: pattern.into(),
        }
    }

    /// `NAMESPACE` (RFC 2342, RFC 9051 §6.3.10).
    pub fn namespace() -> Self {
        Self::Namespace
    }

    /// `STATUS mailbox (attributes)` (RFC 9051 §6.3.11).
    pub fn status(
        mailbox: impl Into<Mailbox<'a>>,
        attributes: impl Into<Vec1<StatusAttribute>>,
    ) -> Self {
        Self::Status {
            mailbox: mailbox.into(),
            attributes: attributes.into(),
        }
    }

    /// `APPEND mailbox {n}` with one message (RFC 9051 §6.3.12); fails if
    /// the message holds a NUL byte, which only a BINARY literal can carry
    /// ([`AppendMessage::binary`]). Flags, date and several messages: see
    /// [`AppendBuilder`](super::AppendBuilder).
    ///
    /// ```
    /// use imapkit_proto::CommandBody;
    ///
    /// let append = CommandBody::append("Sent", b"Subject: hi\r\n\r\nhello\r\n").unwrap();
    /// assert_eq!(append.to_string(), "APPEND Sent {22}\r\nSubject: hi\r\n\r\nhello\r\n");
    /// assert!(CommandBody::append("Sent", b"\0").is_err());
    /// ```
    pub fn append(
        mailbox: impl Into<Mailbox<'a>>,
        message: impl Into<Buf<'a>>,
    ) -> Result<Self, ValidationError> {
        Ok(Self::Append {
            mailbox: mailbox.into(),
            messages: Vec1::new(AppendMessage::literal(message)?),
        })
    }

    /// `IDLE` (RFC 2177, RFC 9051 §6.3.13); ended by [`IdleDone`](super::IdleDone).
    pub fn idle() -> Self {
        Self::Idle
    }

    /// `CHECK` (RFC 3501 §6.4.1, IMAP4rev1 only).
    pub fn check() -> Self {
        Self::Check
    }

    /// `CLOSE` (RFC 9051 §6.4.1).
    pub fn close() -> Self {
        Self::Close
    }

    /// `UNSELECT` (RFC 3691, RFC 9051 §6.4.2).
    pub fn unselect() -> Self {
        Self::Unselect
    }

    /// `EXPUNGE` (RFC 9051 §6.4.3).
    pub fn expunge() -> Self {
        Self::Expunge
    }

    /// `UID EXPUNGE uids` (RFC 4315, RFC 9051 §6.4.9).
    pub fn uid_expunge(uids: impl Into<SequenceSet>) -> Self {
        Self::UidExpunge {
            sequence_set: uids.into(),
        }
    }

    /// `SEARCH keys` (RFC 9051 §6.4.4): one key, or an array of keys that
    /// must all match. RETURN options and CHARSET: see
    /// [`SearchBuilder`](super::SearchBuilder).
    pub fn search(criteria: impl Into<Vec1<SearchKey<'a>>>) -> Self {
        Self::Search {
            uid: false,
            return_options: None,
            charset: None,
            criteria: criteria.into(),
        }
    }

    /// `UID SEARCH keys` (RFC 9051 §6.4.9).
    pub fn uid_search(criteria: impl Into<Vec1<SearchKey<'a>>>) -> Self {
        Self::Search {
            uid: true,
            return_options: None,
            charset: None,
            criteria: criteria.into(),
        }
    }

    /// `FETCH set items` (RFC 9051 §6.4.5): one item, an array of items, or
    /// a macro ([`FetchItems::Fast`], ...). Modifiers (CHANGEDSINCE,
    /// VANISHED): see [`FetchBuilder`](super::FetchBuilder).
    pub fn fetch(set: impl Into<SequenceSet>, items: impl Into<FetchItems<'a>>) -> Self {
        Self::Fetch {
            uid: false,
            sequence_set: set.into(),
            items: items.into(),
            modifiers: Vec::new(),
        }
    }

    /// `UID FETCH uids items` (RFC 9051 §6.4.9).
    pub fn uid_fetch(uids: impl Into<SequenceSet>, items: impl Into<FetchItems<'a>>) -> Self {
        Self::Fetch {
            uid: true,
            sequence_set: uids.into(),
            items: items.into(),
            modifiers: Vec::new(),
        }
    }

    /// `STORE set [+-]FLAGS (flags)` (RFC 9051 §6.4.6). `.SILENT` and
    /// UNCHANGEDSINCE: see [`StoreBuilder`](super::StoreBuilder).
    pub fn store(
        set: impl Into<SequenceSet>,
        action: StoreAction,
        flags: impl Into<Vec<Flag<'a>>>,
    ) -> Self {
        Self::Store {
            uid: false,
            sequence_set: set.into(),
            modifiers: Vec::new(),
            action,
            silent: false,
            target: StoreTarget::Flags(flags.into()),
        }
    }

    /// `UID STORE uids [+-]FLAGS (flags)` (RFC 9051 §6.4.9).
    pub fn uid_store(
        uids: impl Into<SequenceSet>,
        action: StoreAction,
        flags: impl Into<Vec<Flag<'a>>>,
    ) -> Self {
        Self::Store {
            uid: true,
            sequence_set: uids.into(),
            modifiers: Vec::new(),
            action,
            silent: false,
            target: StoreTarget::Flags(flags.into()),
        }
    }

    /// `COPY set mailbox` (RFC 9051 §6.4.7).
    pub fn copy(set: impl Into<SequenceSet>, mailbox: impl Into<Mailbox<'a>>) -> Self {
        Self::Copy {
            uid: false,
            sequence_set: set.into(),
            mailbox: mailbox.into(),
        }
    }

    /// `UID COPY uids mailbox` (RFC 9051 §6.4.9).
    pub fn uid_copy(uids: impl Into<SequenceSet>, mailbox: impl Into<Mailbox<'a>>) -> Self {
        Self::Copy {
            uid: true,
            sequence_set: uids.into(),
            mailbox: mailbox.into(),
        }
    }

    /// `MOVE set mailbox` (RFC 6851, RFC 9051 §6.4.8).
    pub fn r#move(set: impl Into<SequenceSet>, mailbox: impl Into<Mailbox<'a>>) -> Self {
        Self::Move {
            uid: false,
            sequence_set: set.into(),
            mailbox: mailbox.into(),
        }
    }

    /// `UID MOVE uids mailbox` (RFC 6851, RFC 9051 §6.4.9).
    pub fn uid_move(uids: impl Into<SequenceSet>, mailbox: impl Into<Mailbox<'a>>) -> Self {
        Self::Move {
            uid: true,
            sequence_set: uids.into(),
            mailbox: mailbox.into(),
        }
    }

    /// `[UID] SORT (criteria) UTF-8 keys` (RFC 5256).
    pub fn sort(
        uid: bool,
        criteria: impl Into<Vec1<SortCriterion<'a>>>,
        search: impl Into<Vec1<SearchKey<'a>>>,
    ) -> Self {
        Self::Sort {
            uid,
            return_options: None,
            criteria: criteria.into(),
            charset: Charset::utf8(),
            search: search.into(),
        }
    }

    /// `[UID] THREAD algorithm UTF-8 keys` (RFC 5256).
    pub fn thread(
        uid: bool,
        algorithm: ThreadAlgorithm<'a>,
        search: impl Into<Vec1<SearchKey<'a>>>,
    ) -> Self {
        Self::Thread {
            uid,
            algorithm,
            charset: Charset::utf8(),
            search: search.into(),
        }
    }

    /// `ID (field value ...)` (RFC 2971); no pair gives `ID NIL`.
    ///
    /// ```
    /// use imapkit_proto::CommandBody;
    ///
    /// let id = CommandBody::id([("name", "imapkit"), ("version", "0.1")]);
    /// assert_eq!(id.to_string(), "ID (\"name\" \"imapkit\" \"version\" \"0.1\")");
    /// assert_eq!(CommandBody::id::<&str, &str>([]).to_string(), "ID NIL");
    /// ```
    ///
    /// # Panics
    ///
    /// If a field or value is text holding a NUL byte.
    #[track_caller]
    pub fn id<K, V>(parameters: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<IString<'a>>,
        V: Into<NString<'a>>,
    {
        let p: Vec<_> = parameters
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Self::Id {
            parameters: (!p.is_empty()).then_some(p),
        }
    }

    /// `GETQUOTA root` (RFC 9208 §4.2).
    pub fn get_quota(root: impl Into<AString<'a>>) -> Self {
        Self::GetQuota { root: root.into() }
    }

    /// `GETQUOTAROOT mailbox` (RFC 9208 §4.3).
    pub fn get_quota_root(mailbox: impl Into<Mailbox<'a>>) -> Self {
        Self::GetQuotaRoot {
            mailbox: mailbox.into(),
        }
    }

    /// `SETQUOTA root (resource limit ...)` (RFC 9208 §4.4); no limit
    /// removes them all.
    pub fn set_quota(
        root: impl Into<AString<'a>>,
        limits: impl IntoIterator<Item = QuotaLimit<'a>>,
    ) -> Self {
        Self::SetQuota {
            root: root.into(),
            limits: limits.into_iter().collect(),
        }
    }

    /// `SETACL mailbox identifier [+-]rights` (RFC 4314 §3.1).
    pub fn set_acl(
        mailbox: impl Into<Mailbox<'a>>,
        identifier: impl Into<AString<'a>>,
        mode: AclModMode,
        rights: AclRights<'a>,
    ) -> Self {
        Self::SetAcl {
            mailbox: mailbox.into(),
            identifier: identifier.into(),
            mode,
            rights,
        }
    }

    /// `DELETEACL mailbox identifier` (RFC 4314 §3.2).
    pub fn delete_acl(mailbox: impl Into<Mailbox<'a>>, identifier: impl Into<AString<'a>>) -> Self {
        Self::DeleteAcl {
            mailbox: mailbox.into(),
            identifier: identifier.into(),
        }
    }

    /// `GETACL mailbox` (RFC 4314 §3.3).
    pub fn get_acl(mailbox: impl Into<Mailbox<'a>>) -> Self {
        Self::GetAcl {
            mailbox: mailbox.into(),
        }
    }

    /// `LISTRIGHTS mailbox identifier` (RFC 4314 §3.4).
    pub fn list_rights(
        mailbox: impl Into<Mailbox<'a>>,
        identifier: impl Into<AString<'a>>,
    ) -> Self {
        Self::ListRights {
            mailbox: mailbox.into(),
            identifier: identifier.into(),
        }
    }

    /// `MYRIGHTS mailbox` (RFC 4314 §3.5).
    pub fn my_rights(mailbox: impl Into<Mailbox<'a>>) -> Self {
        Self::MyRights {
            mailbox: mailbox.into(),
        }
    }

    /// `GETMETADATA mailbox entries` (RFC 5464 §4.2); `""` for server
    /// annotations.
    pub fn get_metadata(
        mailbox: impl Into<Mailbox<'a>>,
        entries: impl Into<Vec1<MetadataEntry<'a>>>,
    ) -> Self {
        Self::GetMetadata {
            options: Vec::new(),
            mailbox: mailbox.into(),
            entries: entries.into(),
        }
    }

    /// `SETMETADATA mailbox (entry value ...)` (RFC 5464 §4.3).
    pub fn set_metadata(
        mailbox: impl Into<Mailbox<'a>>,
        entries: impl Into<Vec1<(MetadataEntry<'a>, MetadataValue<'a>)>>,
    ) -> Self {
        Self::SetMetadata {
            mailbox: mailbox.into(),
            entries: entries.into(),
        }
    }

    /// `COMPRESS DEFLATE` (RFC 4978).
    pub fn compress() -> Self {
        Self::Compress {
            algorithm: CompressionAlgorithm::Deflate,
        }
    }

    /// `UNAUTHENTICATE` (RFC 8437).
    pub fn unauthenticate() -> Self {
        Self::Unauthenticate
    }

    /// `NOTIFY NONE` (RFC 5465 §3).
    pub fn notify_none() -> Self {
        Self::NotifyNone
    }

    /// `NOTIFY SET (filter events)...` (RFC 5465 §3).
    pub fn notify_set(groups: impl Into<Vec1<NotifyEventGroup<'a>>>) -> Self {
        Self::NotifySet {
            status: false,
            groups: groups.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU32;

    use super::*;
    use crate::{FetchAttribute, ListSelectOption};

    #[test]
    fn every_short_form_is_its_struct() {
        let set = SequenceSet::try_from("2:3").unwrap();
        assert_eq!(
            CommandBody::uid_store(set.clone(), StoreAction::Add, [Flag::Seen]),
            CommandBody::Store {
                uid: true,
                sequence_set: set.clone(),
                modifiers: vec![],
                action: StoreAction::Add,
                silent: false,
                target: StoreTarget::Flags(vec![Flag::Seen]),
            }
        );
        assert_eq!(
            CommandBody::list("", "*"),
            CommandBody::List {
                selection: None,
                reference: Mailbox::from_wire("").unwrap(),
                patterns: ListPatterns::Single(ListMailbox::from_wire("*").unwrap()),
                return_options: None,
            }
        );
        assert!(matches!(
            CommandBody::list("", ["INBOX", "Sent*"]),
            CommandBody::List { patterns: ListPatterns::Multiple(p), .. } if p.len() == 2
        ));
        assert_eq!(
            CommandBody::fetch(NonZeroU32::MIN, FetchAttribute::Flags),
            CommandBody::Fetch {
                uid: false,
                sequence_set: SequenceSet::single(1).unwrap(),
                items: FetchItems::Single(FetchAttribute::Flags),
                modifiers: vec![],
            }
        );
        assert_eq!(
            CommandBody::search([SearchKey::Unseen, SearchKey::Flagged]),
            CommandBody::Search {
                uid: false,
                return_options: None,
                charset: None,
                criteria: Vec1::from([SearchKey::Unseen, SearchKey::Flagged]),
            }
        );
        assert!(matches!(
            CommandBody::select("inbox"),
            CommandBody::Select { mailbox: Mailbox::Inbox, parameters } if parameters.is_empty()
        ));
        let _ = ListSelectOption::Subscribed;
    }

    #[test]
    fn names_of_the_short_forms() {
        let set = SequenceSet::all();
        let names: Vec<String> = [
            CommandBody::capability(),
            CommandBody::noop(),
            CommandBody::starttls(),
            CommandBody::authenticate(AuthMechanism::External),
            CommandBody::enable([Capability::utf8_accept()]),
            CommandBody::examine("a"),
            CommandBody::delete("a"),
            CommandBody::rename("a", "b"),
            CommandBody::subscribe("a"),
            CommandBody::unsubscribe("a"),
            CommandBody::lsub("", "%"),
            CommandBody::namespace(),
            CommandBody::idle(),
            CommandBody::check(),
            CommandBody::close(),
            CommandBody::unselect(),
            CommandBody::expunge(),
            CommandBody::uid_expunge(set.clone()),
            CommandBody::uid_search(SearchKey::All),
            CommandBody::store(set.clone(), StoreAction::Replace, []),
            CommandBody::copy(set.clone(), "a"),
            CommandBody::uid_copy(set.clone(), "a"),
            CommandBody::r#move(set.clone(), "a"),
            CommandBody::get_quota(""),
            CommandBody::get_quota_root("INBOX"),
            CommandBody::set_quota("", []),
            CommandBody::set_acl(
                "a",
                "bob",
                AclModMode::Add,
                AclRights::try_from("lr").unwrap(),
            ),
            CommandBody::delete_acl("a", "bob"),
            CommandBody::get_acl("a"),
            CommandBody::list_rights("a", "bob"),
            CommandBody::my_rights("a"),
            CommandBody::get_metadata("", MetadataEntry::from("/shared/comment")),
            CommandBody::compress(),
            CommandBody::unauthenticate(),
            CommandBody::notify_none(),
            CommandBody::sort(
                true,
                [SortCriterion {
                    reverse: true,
                    key: super::super::SortKey::Date,
                }],
                SearchKey::All,
            ),
            CommandBody::thread(false, ThreadAlgorithm::References, SearchKey::All),
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        assert_eq!(
            names,
            [
                "CAPABILITY",
                "NOOP",
                "STARTTLS",
                "AUTHENTICATE EXTERNAL",
                "ENABLE UTF8=ACCEPT",
                "EXAMINE a",
                "DELETE a",
                "RENAME a b",
                "SUBSCRIBE a",
                "UNSUBSCRIBE a",
                "LSUB \"\" %",
                "NAMESPACE",
                "IDLE",
                "CHECK",
                "CLOSE",
                "UNSELECT",
                "EXPUNGE",
                "UID EXPUNGE 1:*",
                "UID SEARCH ALL",
                "STORE 1:* FLAGS ()",
                "COPY 1:* a",
                "UID COPY 1:* a",
                "MOVE 1:* a",
                "GETQUOTA \"\"",
                "GETQUOTAROOT INBOX",
                "SETQUOTA \"\" ()",
                "SETACL a bob +lr",
                "DELETEACL a bob",
                "GETACL a",
                "LISTRIGHTS a bob",
                "MYRIGHTS a",
                "GETMETADATA \"\" /shared/comment",
                "COMPRESS DEFLATE",
                "UNAUTHENTICATE",
                "NOTIFY NONE",
                "UID SORT (REVERSE DATE) UTF-8 ALL",
                "THREAD REFERENCES UTF-8 ALL",
            ]
        );
    }
}
