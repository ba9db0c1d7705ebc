//! The selected-state commands other than FETCH (RFC 9051 §6.4): EXPUNGE
//! and UID EXPUNGE, STORE with CONDSTORE's UNCHANGEDSINCE (RFC 7162
//! §3.1.3), SEARCH with ESEARCH and SAVE (RFC 4731, RFC 5182), COPY and
//! MOVE with COPYUID (RFC 4315, RFC 6851).

use imapkit_proto::{
    Charset, CopyUidCode, Data, ESearch, Flag, MessageDataItem, ResponseCode, SearchKey,
    SearchReturnData, SearchReturnOption, SequenceSet, StoreAction, StoreModifier, StoreTarget,
    Tag, Vec1,
};
use imapkit_state::server::Completion;

use super::mailboxes::try_create;
use super::session::{
    flag_list, nz, ordered_set, sequence_set, static_text, updates_data, Cx, Session,
};
use crate::store::{name_from_wire, StoreError, StoredFlags};

impl Session {
    pub(super) fn expunge(
        &mut self,
        cx: &mut Cx<'_>,
        uids: Option<SequenceSet>,
    ) -> Result<Completion, StoreError> {
        let selected = self.selected_mut()?;
        let only: Option<Vec<u32>> = match &uids {
            Some(set) => Some(
                selected
                    .resolve(set, true)?
                    .into_iter()
                    .map(|w| w.1)
                    .collect(),
            ),
            None => None,
        };
        let (condstore, qresync) = (cx.condstore(), cx.qresync());
        let updates = selected.expunge(only.as_deref())?;
        // RFC 7162 §3.2.7, §3.2.9: once QRESYNC is on, the tagged OK of an
        // EXPUNGE that removed messages carries [HIGHESTMODSEQ n] (the
        // session adds it once the other changes are reported).
        self.highest_modseq_code = qresync && !updates.is_empty();
        for data in updates_data(updates, condstore, qresync) {
            cx.data(data);
        }
        Ok(Completion::ok())
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn store_flags(
        &mut self,
        cx: &mut Cx<'_>,
        uid: bool,
        set: SequenceSet,
        modifiers: Vec<StoreModifier<'static>>,
        action: StoreAction,
        silent: bool,
        target: StoreTarget<'static>,
    ) -> Result<Completion, StoreError> {
        let StoreTarget::Flags(flags) = target else {
            return Ok(Completion::bad(static_text("labels are not supported")));
        };
        let unchanged_since = modifiers.iter().find_map(|m| match m {
            StoreModifier::UnchangedSince(n) => Some(*n),
            _ => None,
        });
        let condstore = cx.condstore();
        let selected = self.selected_mut()?;
        let which = selected.resolve(&set, uid)?;
        let outcome = selected.store(&which, action, &flags, unchanged_since)?;
        for (seq, msg_uid, flags, modseq, changed) in &outcome.messages {
            // RFC 9051 §6.4.6: a flag change by another session is reported
            // with or without .SILENT (this STORE moved the view past it).
            let external = outcome.unreported.contains(msg_uid);
            // RFC 7162 §3.1.3: with UNCHANGEDSINCE, the new MODSEQ of every
            // changed message is sent even for .SILENT.
            let report = !silent || external || (unchanged_since.is_some() && *changed);
            if report {
                cx.data(flags_fetch(
                    *seq,
                    *msg_uid,
                    flags,
                    *modseq,
                    uid,
                    condstore,
                    !silent || external,
                ));
            }
        }
        if outcome.modified.is_empty() {
            return Ok(Completion::ok());
        }
        let numbers: Vec<u32> = if uid {
            outcome.modified.clone()
        } else {
            let selected = self.selected_mut()?;
            outcome
                .modified
                .iter()
                .filter_map(|u| selected.seq(*u))
                .collect()
        };
        Ok(match sequence_set(&numbers) {
            Some(set) => Completion::ok_with_code(ResponseCode::Modified(set)),
            None => Completion::ok(),
        })
    }

    pub(super) fn search(
        &mut self,
        cx: &mut Cx<'_>,
        tag: &Tag<'static>,
        uid: bool,
        return_options: Option<Vec<SearchReturnOption<'static>>>,
        charset: Option<Charset<'static>>,
        criteria: Vec1<SearchKey<'static>>,
    ) -> Result<Completion, StoreError> {
        if let Some(charset) = &charset {
            let name = match charset {
                Charset::Atom(a) => a.as_bytes(),
                Charset::Quoted(q) => q.as_bytes(),
            };
            if !name.eq_ignore_ascii_case(b"UTF-8") && !name.eq_ignore_ascii_case(b"US-ASCII") {
                return Ok(Completion::no(
                    imapkit_proto::RespText::with_code(
                        ResponseCode::BadCharset(None),
                        "only UTF-8 and US-ASCII",
                    )
                    .unwrap_or_else(|_| static_text("bad charset")),
                ));
            }
        }
        let has_modseq = criteria.iter().any(mentions_modseq);
        let key = if criteria.len() == 1 {
            criteria.first().clone()
        } else {
            SearchKey::And(criteria)
        };
        let selected = self.selected_mut()?;
        let result = selected.search(&key)?;
        let numbers: Vec<u32> = result
            .matches
            .iter()
            .map(|&(seq, u)| if uid { u } else { seq })
            .collect();
        let modseq = result.highest_modseq.filter(|_| has_modseq);
        // RFC 9051 §6.4.4: without RETURN, ALL is assumed, and an IMAP4rev2
        // client ignores SEARCH responses: it gets ESEARCH.
        let return_options =
            return_options.or_else(|| cx.server.enabled().imap4rev2.then(Vec::new));
        let Some(opts) = return_options else {
            cx.data(Data::Search {
                ids: numbers.iter().map(|&n| nz(n)).collect(),
                mod_seq: modseq,
            });
            return Ok(Completion::ok());
        };
        if opts.contains(&SearchReturnOption::Save) {
            let uids: Vec<u32> = result.matches.iter().map(|m| m.1).collect();
            selected.save_result(&uids);
        }
        // RFC 4731 §3.1: `RETURN ()` means `RETURN (ALL)`; SAVE alone
        // returns nothing.
        let wanted = |o: SearchReturnOption<'static>| {
            if opts.is_empty() {
                o == SearchReturnOption::All
            } else {
                opts.contains(&o)
            }
        };
        let only_save = opts.len() == 1 && opts[0] == SearchReturnOption::Save;
        if only_save {
            return Ok(Completion::ok());
        }
        let mut data = Vec::new();
        let (min, max) = (numbers.iter().min(), numbers.iter().max());
        if wanted(SearchReturnOption::Min) {
            if let Some(&n) = min {
                data.push(SearchReturnData::Min(nz(n)));
            }
        }
        if wanted(SearchReturnOption::Max) {
            if let Some(&n) = max {
                data.push(SearchReturnData::Max(nz(n)));
            }
        }
        if wanted(SearchReturnOption::All) {
            if let Some(set) = sequence_set(&numbers) {
                data.push(SearchReturnData::All(set));
            }
        }
        if wanted(SearchReturnOption::Count) {
            data.push(SearchReturnData::Count(numbers.len() as u32));
        }
        if let (Some(m), false) = (modseq, numbers.is_empty()) {
            data.push(SearchReturnData::ModSeq(m));
        }
        cx.data(Data::ESearch(ESearch {
            tag: Some(imapkit_proto::AString::from(
                String::from_utf8_lossy(tag.as_bytes()).into_owned(),
            )),
            uid,
            data,
        }));
        Ok(Completion::ok())
    }

    /// COPY, or MOVE when `remove` (RFC 6851 §3.3: COPYUID in an untagged
    /// OK before the EXPUNGEs).
    pub(super) fn copy(
        &mut self,
        cx: &mut Cx<'_>,
        uid: bool,
        set: SequenceSet,
        mailbox: imapkit_proto::Mailbox<'static>,
        remove: bool,
    ) -> Result<Completion, StoreError> {
        let dest = name_from_wire(&mailbox, cx.utf8())?;
        let (condstore, qresync) = (cx.condstore(), cx.qresync());
        let selected = self.selected_mut()?;
        let which = selected.resolve(&set, uid)?;
        let result = if remove {
            selected.move_to(&which, &dest)
        } else {
            selected.copy(&which, &dest).map(|c| (c, Vec::new()))
        };
        let (copied, expunged) = match result {
            Err(StoreError::NoSuchMailbox) => return Ok(try_create()),
            other => other?,
        };
        let code = match (
            ordered_set(&copied.source),
            ordered_set(&copied.destination),
        ) {
            (Some(source), Some(destination)) => {
                Some(ResponseCode::CopyUid(Box::new(CopyUidCode {
                    uid_validity: nz(copied.uid_validity),
                    source,
                    destination,
                })))
            }
            _ => None,
        };
        if !remove {
            return Ok(code.map_or_else(Completion::ok, Completion::ok_with_code));
        }
        if let Some(code) = code {
            cx.ok_code(code, "moved");
        }
        // RFC 6851 §4.4: [HIGHESTMODSEQ n] in the tagged OK, as for EXPUNGE.
        self.highest_modseq_code = qresync && !expunged.is_empty();
        // RFC 7162 §3.2.10 (RFC 6851 §4.3): VANISHED after ENABLE QRESYNC.
        for data in updates_data(expunged, condstore, qresync) {
            cx.data(data);
        }
        Ok(Completion::ok())
    }
}

/// `* n FETCH ([UID u] [FLAGS (...)] [MODSEQ (m)])` after a STORE: UID for
/// a UID STORE or once CONDSTORE is on.
fn flags_fetch(
    seq: u32,
    uid: u32,
    flags: &StoredFlags,
    modseq: u64,
    uid_command: bool,
    condstore: bool,
    with_flags: bool,
) -> Data<'static> {
    let mut items = Vec::new();
    // RFC 7162 §3.2.4: once CONDSTORE is enabled (ENABLE QRESYNC enables
    // it, §3.2.3) a QRESYNC server includes UID in every FETCH a STORE
    // causes, by number too, with UNCHANGEDSINCE and .SILENT alike.
    if uid_command || condstore {
        items.push(MessageDataItem::Uid(nz(uid)));
    }
    if with_flags {
        items.push(MessageDataItem::Flags(flag_list(flags)));
    }
    if condstore || !with_flags {
        items.push(MessageDataItem::ModSeq(modseq));
    }
    Data::Fetch {
        seq: nz(seq),
        // At least one item: FLAGS, or MODSEQ when FLAGS is left out.
        items: Vec1::try_from(items).unwrap_or_else(|_| Vec1::new(MessageDataItem::ModSeq(modseq))),
    }
}

/// Whether a search key uses MODSEQ (the SEARCH answer then carries the
/// highest mod-sequence, RFC 7162 §3.1.5).
fn mentions_modseq(key: &SearchKey<'_>) -> bool {
    match key {
        SearchKey::ModSeq { .. } => true,
        SearchKey::Not(k) => mentions_modseq(k),
        SearchKey::Or(a, b) => mentions_modseq(a) || mentions_modseq(b),
        SearchKey::And(keys) => keys.iter().any(mentions_modseq),
        _ => false,
    }
}

/// `\Seen`, for FETCH of a body without PEEK.
pub(super) fn seen() -> [Flag<'static>; 1] {
    [Flag::Seen]
}
