//! The authenticated-state commands (RFC 9051 §6.3): LIST (LIST-EXTENDED,
//! LIST-STATUS, SPECIAL-USE), LSUB, STATUS, CREATE, DELETE, RENAME,
//! APPEND, SELECT/EXAMINE, and the ACL commands (RFC 4314 §3).

use imapkit_proto::{
    AString, AclEntry, AclModMode, AclRights, AppendData, AppendMessage, Data, ListExtendedItem,
    ListMailbox, ListPatterns, ListReturnOption, ListRights, ListSelectOption, Mailbox,
    MailboxAttribute, MailboxList, MessageDataItem, ObjectId, ResponseCode, SelectParameter,
    SeqOrUid, Sequence, SequenceSet, StatusAttribute, StatusItem, Vec1,
};
use imapkit_state::server::Completion;

use super::session::{flag_list, nz, static_text, vanished_earlier, Cx, Session};
use crate::store::{
    name_from_wire, name_to_wire, pattern_from_wire, set_ranges, AclChange, ListQuery, Rights,
    Selected, SpecialUse, StoreError, DELIMITER, WIRE_DELIMITER,
};

impl Session {
    pub(super) fn list(
        &mut self,
        cx: &mut Cx<'_>,
        selection: Option<Vec<ListSelectOption<'static>>>,
        reference: Mailbox<'static>,
        patterns: ListPatterns<'static>,
        return_options: Option<Vec<ListReturnOption<'static>>>,
    ) -> Result<Completion, StoreError> {
        let utf8 = cx.utf8();
        let patterns: Vec<ListMailbox<'static>> = match patterns {
            ListPatterns::Single(p) => vec![p],
            ListPatterns::Multiple(ps) => ps.into_vec(),
        };
        // A pattern that is not valid in the session's convention (a
        // wildcard inside a modified UTF-7 run, `&ZeVn*`) matches no name:
        // LIST answers OK with what the others match, not NO.
        let patterns: Vec<String> = patterns
            .iter()
            .filter_map(|p| pattern_from_wire(p.as_bytes(), utf8).ok())
            .collect();
        let Ok(reference) = pattern_from_wire(reference.as_bytes(), utf8) else {
            return Ok(Completion::ok());
        };
        if patterns.is_empty() {
            return Ok(Completion::ok());
        }
        let query = ListQuery {
            reference,
            patterns,
            ..ListQuery::default()
        };
        let select = selection.unwrap_or_default();
        let ret = return_options.unwrap_or_default();
        let query = query.with_options(&select, &ret);
        let status = ret.iter().find_map(|o| match o {
            ListReturnOption::Status(attrs) => Some(attrs.clone()),
            _ => None,
        });
        let account = self.account()?.clone();
        for entry in account.list(&query)? {
            let extended = if entry.child_info_subscribed {
                vec![ListExtendedItem::ChildInfo(Vec1::new(AString::from(
                    "SUBSCRIBED",
                )))]
            } else {
                Vec::new()
            };
            let selectable = !entry.attributes.iter().any(|a| {
                matches!(
                    a,
                    MailboxAttribute::NoSelect | MailboxAttribute::NonExistent
                )
            });
            let wire = name_to_wire(&entry.name, utf8);
            cx.data(Data::List(MailboxList {
                attributes: entry.attributes,
                delimiter: Some(WIRE_DELIMITER),
                mailbox: wire.clone(),
                extended,
            }));
            // LIST-STATUS (RFC 5819): STATUS after each selectable name;
            // a mailbox STATUS cannot read is left out.
            if let (Some(attrs), true) = (&status, selectable) {
                if let Ok(items) = status_items(&account, &entry.name, attrs, self.append_limit()) {
                    cx.data(Data::Status {
                        mailbox: wire,
                        items,
                    });
                }
            }
        }
        Ok(Completion::ok())
    }

    pub(super) fn lsub(
        &mut self,
        cx: &mut Cx<'_>,
        reference: Mailbox<'static>,
        pattern: ListMailbox<'static>,
    ) -> Result<Completion, StoreError> {
        let utf8 = cx.utf8();
        let mut query = ListQuery::new(
            &pattern_from_wire(reference.as_bytes(), utf8)?,
            &pattern_from_wire(pattern.as_bytes(), utf8)?,
        );
        query.select_subscribed = true;
        for entry in self.account()?.list(&query)? {
            // LSUB (RFC 3501 §6.3.9) knows only \Noselect among these.
            let attributes = entry
                .attributes
                .into_iter()
                .filter(|a| matches!(a, MailboxAttribute::NoSelect))
                .collect();
            cx.data(Data::Lsub(MailboxList {
                attributes,
                delimiter: Some(WIRE_DELIMITER),
                mailbox: name_to_wire(&entry.name, utf8),
                extended: Vec::new(),
            }));
        }
        Ok(Completion::ok())
    }

    pub(super) fn status(
        &mut self,
        cx: &mut Cx<'_>,
        mailbox: Mailbox<'static>,
        attributes: Vec1<StatusAttribute>,
    ) -> Result<Completion, StoreError> {
        let name = name_from_wire(&mailbox, cx.utf8())?;
        let items = status_items(self.account()?, &name, &attributes, self.append_limit())?;
        cx.data(Data::Status {
            mailbox: name_to_wire(&name, cx.utf8()),
            items,
        });
        Ok(Completion::ok())
    }

    pub(super) fn create(
        &mut self,
        cx: &mut Cx<'_>,
        mailbox: Mailbox<'static>,
        parameters: Vec<imapkit_proto::CreateParameter<'static>>,
    ) -> Result<Completion, StoreError> {
        // A trailing delimiter declares that children will follow; a store
        // that needs no such declaration ignores it, and the name created
        // is without it (RFC 9051 §6.3.4).
        let name = match mailbox.as_bytes().strip_suffix(&[DELIMITER as u8]) {
            Some(parent) if !parent.is_empty() => {
                let mut parent =
                    Mailbox::from_wire(parent.to_vec()).map_err(|_| StoreError::InvalidName {
                        reason: "NUL in name",
                    })?;
                parent.set_encoding(mailbox.encoding());
                name_from_wire(&parent, cx.utf8())?
            }
            _ => name_from_wire(&mailbox, cx.utf8())?,
        };
        let mut special = None;
        for p in &parameters {
            if let imapkit_proto::CreateParameter::Use(uses) = p {
                for u in uses {
                    match SpecialUse::from_use_attribute(u) {
                        Some(s) => special = Some(s),
                        // RFC 6154 §3: an unknown use attribute.
                        None => {
                            return Ok(Completion::no(
                                imapkit_proto::RespText::with_code(
                                    ResponseCode::UseAttr,
                                    "unknown special-use attribute",
                                )
                                .unwrap_or_else(|_| static_text("unknown special-use attribute")),
                            ))
                        }
                    }
                }
            }
        }
        self.account()?.create(&name, special)?;
        Ok(Completion::ok())
    }

    pub(super) fn delete(
        &mut self,
        cx: &mut Cx<'_>,
        mailbox: Mailbox<'static>,
    ) -> Result<Completion, StoreError> {
        let name = name_from_wire(&mailbox, cx.utf8())?;
        self.account()?.delete(&name)?;
        Ok(Completion::ok())
    }

    pub(super) fn rename(
        &mut self,
        cx: &mut Cx<'_>,
        from: Mailbox<'static>,
        to: Mailbox<'static>,
    ) -> Result<Completion, StoreError> {
        let utf8 = cx.utf8();
        let (from, to) = (name_from_wire(&from, utf8)?, name_from_wire(&to, utf8)?);
        self.account()?.rename(&from, &to)?;
        Ok(Completion::ok())
    }

    /// APPEND (RFC 9051 §6.3.12) of one message, answered with APPENDUID
    /// (RFC 4315). The literal's bytes come shared from the received frame
    /// and go to the store without a copy.
    pub(super) fn append(
        &mut self,
        cx: &mut Cx<'_>,
        mailbox: Mailbox<'static>,
        messages: Vec1<AppendMessage<'static>>,
    ) -> Result<Completion, StoreError> {
        let name = name_from_wire(&mailbox, cx.utf8())?;
        let mut messages = messages.into_vec();
        if messages.len() != 1 {
            // MULTIAPPEND (RFC 3502) is all or nothing; the store appends
            // one message at a time, so the capability is not offered.
            return Ok(Completion::bad(static_text("MULTIAPPEND is not supported")));
        }
        let AppendMessage { flags, date, data } = messages.remove(0);
        let bytes = match data {
            AppendData::Literal(l) => l.into_inner().into_bytes(),
            AppendData::Literal8(l) | AppendData::Utf8(l) => l.into_inner().into_bytes(),
            AppendData::Catenate(_) => {
                return Ok(Completion::bad(static_text("CATENATE is not supported")))
            }
        };
        let flags = flags.unwrap_or_default();
        let appended = match self.account()?.append(&name, bytes, &flags, date) {
            Err(StoreError::NoSuchMailbox) => return Ok(try_create()),
            other => other?,
        };
        let code = ResponseCode::AppendUid {
            uid_validity: nz(appended.uid_validity),
            uids: SequenceSet::from(nz(appended.uid)),
        };
        Ok(Completion::ok_with_code(code))
    }

    /// An APPEND message announced before its data (`check_appends`):
    /// `None` to accept it, else the refusal APPEND would give after the
    /// data (`NO [TRYCREATE]`, `NO [TOOBIG]`, no right `i`), given before.
    pub fn check_append(
        &self,
        mailbox: &Mailbox<'static>,
        size: u64,
        utf8: bool,
    ) -> Option<Completion> {
        let result = name_from_wire(mailbox, utf8)
            .and_then(|name| self.account()?.check_append(&name, size));
        match result {
            Ok(()) => None,
            Err(StoreError::NoSuchMailbox) => Some(try_create()),
            Err(e) => Some(super::session::store_failure(&e)),
        }
    }

    pub(super) fn select(
        &mut self,
        cx: &mut Cx<'_>,
        mailbox: Mailbox<'static>,
        parameters: Vec<SelectParameter<'static>>,
        read_only: bool,
    ) -> Result<Completion, StoreError> {
        // A SELECT ends the previous selection without expunging (RFC 9051
        // §6.3.2), also when it fails.
        self.selected = None;
        // RFC 4466 §2.1: a parameter of no extension the server supports
        // is rejected with BAD (CONDSTORE and QRESYNC are the known ones).
        if parameters
            .iter()
            .any(|p| matches!(p, SelectParameter::Other(_)))
        {
            return Ok(Completion::bad(static_text("Unknown parameter")));
        }
        // The Server refused QRESYNC before ENABLE QRESYNC (RFC 7162
        // §3.2.5); the arguments are checked before the mailbox is opened.
        let qresync = match parameters.into_iter().find_map(Resync::from_parameter) {
            Some(Err(why)) => return Ok(Completion::bad(static_text(why))),
            Some(Ok(resync)) => Some(resync),
            None => None,
        };
        let name = name_from_wire(&mailbox, cx.utf8())?;
        let selected = self.account()?.select(&name, read_only)?;
        let info = selected.info();
        cx.data(Data::Flags(info.flags));
        cx.data(Data::Exists(info.exists));
        if cx.server.enabled().imap4rev2 {
            // RFC 9051 §6.3.2: a LIST of the mailbox, its attributes
            // accurate, the name as the client gave it.
            let query = ListQuery {
                reference: String::new(),
                patterns: vec![name.clone()],
                ..ListQuery::default()
            };
            let entry = self
                .account()?
                .list(&query)?
                .into_iter()
                .find(|e| e.name == name);
            if let Some(entry) = entry {
                cx.data(Data::List(MailboxList {
                    attributes: entry.attributes,
                    delimiter: Some(WIRE_DELIMITER),
                    mailbox: mailbox.clone(),
                    extended: Vec::new(),
                }));
            }
        }
        // Dropped by the session once IMAP4rev2 is enabled.
        cx.data(Data::Recent(info.recent));
        if let Some(unseen) = info.first_unseen {
            if !cx.server.enabled().imap4rev2 {
                cx.ok_code(ResponseCode::Unseen(unseen), "first unseen");
            }
        }
        cx.ok_code(
            ResponseCode::PermanentFlags(info.permanent_flags),
            "flags permitted",
        );
        cx.ok_code(ResponseCode::UidValidity(info.uid_validity), "UIDs valid");
        cx.ok_code(ResponseCode::UidNext(info.uid_next), "predicted next UID");
        cx.ok_code(
            ResponseCode::HighestModSeq(info.highest_modseq),
            "highest mod-sequence",
        );
        if let Ok(id) = ObjectId::try_new(info.mailbox_id.into_bytes()) {
            cx.ok_code(ResponseCode::MailboxId(id), "mailbox id");
        }
        // RFC 7162 §3.2.5: with another UIDVALIDITY the parameter is
        // ignored (the client sees the new one).
        if let Some(resync) = qresync.filter(|r| r.uid_validity == info.uid_validity) {
            resync.answer(cx, &selected);
        }
        self.selected = Some(selected);
        // The EXPUNGEs counted so far were the previous mailbox's.
        self.sent_base = self.expunges_sent;
        Ok(Completion::ok_with_code(if info.read_only {
            ResponseCode::ReadOnly
        } else {
            ResponseCode::ReadWrite
        }))
    }

    pub(super) fn get_acl(
        &mut self,
        cx: &mut Cx<'_>,
        mailbox: Mailbox<'static>,
    ) -> Result<Completion, StoreError> {
        let name = name_from_wire(&mailbox, cx.utf8())?;
        let entries = self
            .account()?
            .acl(&name)?
            .into_iter()
            .map(|(who, rights)| AclEntry {
                identifier: AString::from(who),
                rights: AString::from(rights.response_string()),
            })
            .collect();
        cx.data(Data::Acl {
            mailbox: name_to_wire(&name, cx.utf8()),
            entries,
        });
        Ok(Completion::ok())
    }

    pub(super) fn set_acl(
        &mut self,
        cx: &mut Cx<'_>,
        mailbox: Mailbox<'static>,
        identifier: AString<'static>,
        mode: AclModMode,
        rights: AclRights<'static>,
    ) -> Result<Completion, StoreError> {
        let name = name_from_wire(&mailbox, cx.utf8())?;
        let Some(who) = acl_identifier(&identifier) else {
            return Ok(empty_identifier());
        };
        // RFC 4314 §3.1: an unrecognized right MUST get BAD.
        let Ok(rights) = Rights::parse(&String::from_utf8_lossy(rights.as_bytes())) else {
            return Ok(Completion::bad(static_text("Unknown right in the rights")));
        };
        let change = match mode {
            AclModMode::Replace => AclChange::Replace,
            AclModMode::Add => AclChange::Add,
            AclModMode::Remove => AclChange::Remove,
        };
        self.account()?.set_acl(&name, &who, change, rights)?;
        Ok(Completion::ok())
    }

    pub(super) fn delete_acl(
        &mut self,
        cx: &mut Cx<'_>,
        mailbox: Mailbox<'static>,
        identifier: AString<'static>,
    ) -> Result<Completion, StoreError> {
        let name = name_from_wire(&mailbox, cx.utf8())?;
        let Some(who) = acl_identifier(&identifier) else {
            return Ok(empty_identifier());
        };
        self.account()?.delete_acl(&name, &who)?;
        Ok(Completion::ok())
    }

    pub(super) fn my_rights(
        &mut self,
        cx: &mut Cx<'_>,
        mailbox: Mailbox<'static>,
    ) -> Result<Completion, StoreError> {
        let name = name_from_wire(&mailbox, cx.utf8())?;
        let rights = self.account()?.my_rights(&name)?;
        cx.data(Data::MyRights {
            mailbox: name_to_wire(&name, cx.utf8()),
            rights: AString::from(rights.response_string()),
        });
        Ok(Completion::ok())
    }

    pub(super) fn list_rights(
        &mut self,
        cx: &mut Cx<'_>,
        mailbox: Mailbox<'static>,
        identifier: AString<'static>,
    ) -> Result<Completion, StoreError> {
        let name = name_from_wire(&mailbox, cx.utf8())?;
        let Some(who) = acl_identifier(&identifier) else {
            return Ok(empty_identifier());
        };
        let (required, optional) = self.account()?.list_rights(&name, &who)?;
        let grantable = optional.iter().fold(Rights::NONE, |all, r| all.union(*r));
        let mut optional: Vec<AString<'static>> = optional
            .into_iter()
            .map(|r| AString::from(r.to_string()))
            .collect();
        // RFC 4314 §2.1.1: the virtual `c` and `d`, each by itself (their
        // member rights are not tied to others here), when a member can
        // be granted.
        for (virtual_right, members) in [("c", "k"), ("d", "xte")] {
            if members.chars().any(|c| grantable.has(c)) {
                optional.push(AString::from(virtual_right));
            }
        }
        cx.data(Data::ListRights(Box::new(ListRights {
            mailbox: name_to_wire(&name, cx.utf8()),
            identifier,
            required: AString::from(required.response_string()),
            optional,
        })));
        Ok(Completion::ok())
    }

    /// APPENDLIMIT (RFC 7889), as the store enforces it.
    fn append_limit(&self) -> u64 {
        self.account
            .as_ref()
            .map_or(0, |a| a.store().config().max_message_size)
    }
}

/// The STATUS items asked for (RFC 9051 §6.3.11, RFC 7162, RFC 8438,
/// RFC 7889, RFC 8474).
fn status_items(
    account: &crate::store::Account,
    name: &str,
    attributes: &[StatusAttribute],
    append_limit: u64,
) -> Result<Vec<StatusItem<'static>>, StoreError> {
    let s = account.status(name)?;
    Ok(attributes
        .iter()
        .filter_map(|a| {
            Some(match a {
                StatusAttribute::Messages => StatusItem::Messages(s.messages),
                StatusAttribute::UidNext => StatusItem::UidNext(s.uid_next),
                StatusAttribute::UidValidity => StatusItem::UidValidity(s.uid_validity),
                StatusAttribute::Unseen => StatusItem::Unseen(s.unseen),
                StatusAttribute::Deleted => StatusItem::Deleted(s.deleted),
                StatusAttribute::Size => StatusItem::Size(s.size),
                StatusAttribute::Recent => StatusItem::Recent(s.recent),
                StatusAttribute::HighestModSeq => StatusItem::HighestModSeq(s.highest_modseq),
                StatusAttribute::AppendLimit => StatusItem::AppendLimit(Some(append_limit)),
                StatusAttribute::MailboxId => StatusItem::MailboxId(
                    ObjectId::try_new(s.mailbox_id.clone().into_bytes()).ok()?,
                ),
                _ => return None,
            })
        })
        .collect())
}

/// `NO [TRYCREATE]`: the target of APPEND, COPY or MOVE does not exist
/// (RFC 9051 §6.3.12).
pub(super) fn try_create() -> Completion {
    Completion::no(
        imapkit_proto::RespText::with_code(ResponseCode::TryCreate, "no such mailbox")
            .unwrap_or_else(|_| static_text("no such mailbox")),
    )
}

/// An ACL identifier as text; `None` for an empty one, which RFC 4314 §3
/// answers with BAD (it cannot pass SASLprep).
fn acl_identifier(identifier: &AString<'_>) -> Option<String> {
    let who = String::from_utf8_lossy(identifier.as_bytes()).into_owned();
    (!who.is_empty()).then_some(who)
}

/// The BAD for an empty ACL identifier (RFC 4314 §3).
fn empty_identifier() -> Completion {
    Completion::bad(static_text("Empty identifier"))
}

/// The `QRESYNC` parameter of SELECT or EXAMINE (RFC 7162 §3.2.5).
struct Resync {
    uid_validity: u32,
    modseq: u64,
    known_uids: Option<SequenceSet>,
    /// `(known-sequence-set known-uid-set)` (§3.2.5.2).
    seq_match: Option<(SequenceSet, SequenceSet)>,
}

/// The most sequence match pairs looked at (the sample only narrows the
/// VANISHED list sent when the journal lacks the expunges).
const MAX_SEQ_MATCH: usize = 10_000;

impl Resync {
    /// The QRESYNC parameter, checked (`Err`: the BAD text); `None` for
    /// another parameter.
    fn from_parameter(p: SelectParameter<'static>) -> Option<Result<Self, &'static str>> {
        let SelectParameter::QResync {
            uid_validity,
            mod_seq,
            known_uids,
            seq_match_data,
        } = p
        else {
            return None;
        };
        // §3.2.5.2: a UID for each message number (sets with `*` or `$`,
        // which have no meaning there, are ignored).
        let count = |set: &SequenceSet| -> Option<u64> {
            let SequenceSet::Set(items) = set else {
                return None;
            };
            let mut n = 0u64;
            for item in items.iter() {
                n += match *item {
                    Sequence::Single(SeqOrUid::Value(_)) => 1,
                    Sequence::Range(SeqOrUid::Value(a), SeqOrUid::Value(b)) => {
                        u64::from(a.get().abs_diff(b.get())) + 1
                    }
                    _ => return None,
                };
            }
            Some(n)
        };
        let seq_match = match &seq_match_data {
            Some((seqs, uids)) => match (count(seqs), count(uids)) {
                (Some(a), Some(b)) if a != b => {
                    return Some(Err(
                        "QRESYNC: the sequence match data pairs a UID with each message number",
                    ))
                }
                (Some(_), Some(_)) => seq_match_data,
                _ => None,
            },
            None => None,
        };
        Some(Ok(Self {
            uid_validity: uid_validity.get(),
            modseq: mod_seq.get(),
            known_uids,
            seq_match,
        }))
    }

    /// The UID up to which the client provably knows every expunge: the
    /// last of the leading sequence match pairs that agree with the
    /// mailbox (RFC 7162 §3.2.5.2); 0 when none does.
    fn matched_uid(&self, selected: &Selected) -> u32 {
        let Some((seqs, uids)) = &self.seq_match else {
            return 0;
        };
        let (exists, max_uid) = (selected.exists(), selected.max_uid());
        let mut matched = 0;
        let pairs = seqs.iter(exists).zip(uids.iter(max_uid));
        for (seq, uid) in pairs.take(MAX_SEQ_MATCH) {
            if selected.uid(seq.get()) != Some(uid.get()) || uid.get() < matched {
                break;
            }
            matched = uid.get();
        }
        matched
    }

    /// After the usual answer to SELECT: `* VANISHED (EARLIER)` of the
    /// known UIDs expunged since the client's mod-sequence, then
    /// `* n FETCH (UID FLAGS MODSEQ)` of the messages changed since then
    /// (RFC 7162 §3.2.5.1; the VANISHED first, §3.2.6).
    fn answer(&self, cx: &mut Cx<'_>, selected: &Selected) {
        // Without known UIDs: `1:<UIDNEXT-1>` (§3.2.5.1).
        let within = self
            .known_uids
            .as_ref()
            .map(|set| set_ranges(set, selected.max_uid()));
        let gone =
            selected.vanished_since(self.modseq, within.as_deref(), self.matched_uid(selected));
        if let Some(data) = vanished_earlier(&gone) {
            cx.data(data);
        }
        for msg in selected.changed_since(self.modseq, within.as_deref()) {
            let mut items = Vec1::new(MessageDataItem::Uid(nz(msg.uid())));
            items.push(MessageDataItem::Flags(flag_list(msg.flags())));
            items.push(MessageDataItem::ModSeq(msg.modseq()));
            cx.data(Data::Fetch {
                seq: nz(msg.seq()),
                items,
            });
        }
    }
}
