//! FETCH (RFC 9051 §6.4.5), answered in steps: the messages are resolved
//! once, then each step sends FETCH responses until the output holds
//! [`Session::OUTPUT_BUDGET`] bytes, and the connection writes them
//! before the next step reads more message files.
//!
//! Message bytes travel without copies: the store hands out `Bytes`
//! shared with its cache (sections are slices of the file), the response
//! holds them as shared literals, and the Server's vectored output hands
//! them to `write_vectored`.

use std::collections::VecDeque;
use std::time::Instant;

use bytes::Bytes;
use imapkit_proto::{
    BinaryData, Buf, Data, FetchAttribute, FetchItems, FetchModifier, IString, Literal,
    MessageDataItem, NString, Section, SectionText, SequenceSet, StoreAction, Vec1,
};
use imapkit_state::server::{Completion, Request, Server};

use super::messages::seen;
use super::session::{
    flag_list, nz, static_text, store_failure, vanished_earlier, Cx, Outcome, Session,
};
use crate::store::{set_ranges, MessageRef, StoreError};

/// A FETCH in progress.
#[derive(Debug)]
pub struct FetchJob {
    request: Option<Request>,
    uid: bool,
    attributes: Vec<FetchAttribute<'static>>,
    /// `(seq, uid)` still to answer.
    remaining: VecDeque<(u32, u32)>,
    changed_since: Option<u64>,
    /// A body section without PEEK: `\Seen` is set (RFC 9051 §6.4.5).
    sets_seen: bool,
}

impl FetchJob {
    /// The job of the command `request`.
    pub(super) fn with_request(mut self, request: Request) -> Self {
        self.request = Some(request);
        self
    }
}

impl Session {
    /// Starts a FETCH: checks the items and resolves the messages.
    pub(super) fn fetch(
        &mut self,
        cx: &mut Cx<'_>,
        uid: bool,
        set: SequenceSet,
        items: FetchItems<'static>,
        modifiers: Vec<FetchModifier<'static>>,
    ) -> Result<Outcome, StoreError> {
        let attributes = items.expand();
        if let Some(bad) = attributes.iter().find(|a| !supported(a)) {
            let _ = bad;
            return Ok(Completion::bad(static_text("unsupported FETCH item")).into());
        }
        let mut changed_since = None;
        let mut vanished = false;
        for m in &modifiers {
            match m {
                FetchModifier::ChangedSince(n) => changed_since = Some(*n),
                FetchModifier::Vanished => vanished = true,
                _ => return Ok(Completion::bad(static_text("unsupported FETCH modifier")).into()),
            }
        }
        // RFC 7162 §3.2.6: VANISHED only in a UID FETCH, after ENABLE
        // QRESYNC, and with CHANGEDSINCE.
        let vanished_since = match (vanished, changed_since) {
            (false, _) => None,
            (true, _) if !uid => {
                return Ok(Completion::bad(static_text("VANISHED needs UID FETCH")).into())
            }
            (true, _) if !cx.qresync() => {
                return Ok(Completion::bad(static_text("VANISHED needs ENABLE QRESYNC")).into())
            }
            (true, None) => {
                return Ok(Completion::bad(static_text("VANISHED needs CHANGEDSINCE")).into())
            }
            (true, Some(n)) => Some(n),
        };
        let selected = self.selected_mut()?;
        // Without right `s` the FETCH leaves \Seen as it is and succeeds
        // (RFC 4314 §4: FETCH MUST NOT set it; it does not fail).
        let sets_seen = !selected.is_read_only()
            && selected.rights().has('s')
            && attributes.iter().any(|a| {
                matches!(
                    a,
                    FetchAttribute::Rfc822
                        | FetchAttribute::Rfc822Text
                        | FetchAttribute::BodySection { peek: false, .. }
                        | FetchAttribute::Binary { peek: false, .. }
                )
            });
        let remaining = selected.resolve(&set, uid)?.into();
        if let Some(modseq) = vanished_since {
            // The expunged UIDs of the set, before any FETCH (§3.2.6); `*`
            // is the largest UID given, so that `n:*` covers an expunged
            // last message.
            let within = set_ranges(&set, selected.max_uid());
            let gone = selected.vanished_since(modseq, Some(&within), 0);
            if let Some(data) = vanished_earlier(&gone) {
                cx.data(data);
            }
        }
        Ok(Outcome::Fetch(FetchJob {
            request: None,
            uid,
            attributes,
            remaining,
            changed_since,
            sets_seen,
        }))
    }

    /// Sends FETCH responses until the budget is reached or the job is
    /// done; then completes the command.
    pub(super) fn fetch_step(&mut self, server: &mut Server, now: Instant, mut job: FetchJob) {
        let Some(request) = job.request.take() else {
            return;
        };
        if let Some(selected) = self.selected.as_mut() {
            // EXPUNGEs the Server let go meanwhile (they renumber what a
            // UID FETCH answers).
            selected.delivered(server.held_expunges());
        }
        let mut cx = Cx {
            server,
            now,
            request: &request,
            modseq_sent: 0,
        };
        while cx.server.output_len() < Self::OUTPUT_BUDGET {
            let Some(next) = job.remaining.pop_front() else {
                break;
            };
            match self.fetch_one(&mut cx, &job, next) {
                Ok(Some(data)) => cx.data(data),
                // Expunged by another session meanwhile, or unchanged
                // since CHANGEDSINCE: nothing to send.
                Ok(None) | Err(StoreError::Expunged) => {}
                Err(e) => {
                    let _ = server.respond(now, request, store_failure(&e));
                    return;
                }
            }
        }
        if !job.remaining.is_empty() {
            self.modseq_sent = self.modseq_sent.max(cx.modseq_sent);
            job.request = Some(request);
            self.fetch = Some(job);
            return;
        }
        // UID FETCH may report expunges; FETCH may not (RFC 9051 §7.5.1).
        self.report_changes(&mut cx, !job.uid);
        let _ = server.respond(now, request, Completion::ok());
    }

    /// The FETCH response for one message.
    fn fetch_one(
        &mut self,
        cx: &mut Cx<'_>,
        job: &FetchJob,
        (seq, uid): (u32, u32),
    ) -> Result<Option<Data<'static>>, StoreError> {
        let condstore = cx.condstore();
        let selected = self.selected_mut()?;
        // A FETCH by number answers past the EXPUNGEs the Server holds, in
        // the numbers the client has; a UID FETCH's answers are queued
        // behind them, in the numbers after them.
        let seq = if job.uid {
            match selected.seq_after_expunges(uid) {
                Some(n) => n,
                None => return Ok(None),
            }
        } else {
            seq
        };
        let Some(msg) = selected.messages(&[(seq, uid)]).pop() else {
            return Ok(None);
        };
        if job.changed_since.is_some_and(|n| msg.modseq() <= n) {
            return Ok(None);
        }
        let mut flags = msg.flags().clone();
        let mut modseq = msg.modseq();
        let mut flags_changed = false;
        if job.sets_seen && !flags.flags.seen() {
            let outcome = selected.store(&[(seq, uid)], StoreAction::Add, &seen(), None)?;
            let external = outcome.unreported.contains(&uid);
            if let Some((_, _, f, m, changed)) = outcome.messages.into_iter().next() {
                if changed || external {
                    flags = f;
                    modseq = m;
                    flags_changed = true;
                }
            }
        }
        // Once CONDSTORE is on, a FETCH that set \Seen carries the UID and
        // the new MODSEQ (RFC 7162 §3.1, §3.2.4): the client keeps the
        // message's mod-sequence up to date.
        let flags_modseq = condstore && flags_changed;
        let mut items = Vec::with_capacity(job.attributes.len() + 3);
        if (job.uid || flags_modseq) && !job.attributes.contains(&FetchAttribute::Uid) {
            items.push(MessageDataItem::Uid(nz(uid)));
        }
        for attribute in &job.attributes {
            items.push(item(&msg, attribute, &flags, modseq)?);
        }
        if flags_changed && !job.attributes.contains(&FetchAttribute::Flags) {
            items.push(MessageDataItem::Flags(flag_list(&flags)));
        }
        let with_modseq = condstore && (job.changed_since.is_some() || flags_modseq);
        if with_modseq && !job.attributes.contains(&FetchAttribute::ModSeq) {
            items.push(MessageDataItem::ModSeq(modseq));
        }
        Ok(Vec1::try_from(items).ok().map(|items| Data::Fetch {
            seq: nz(seq),
            items,
        }))
    }
}

/// The items this server answers.
fn supported(a: &FetchAttribute<'_>) -> bool {
    use FetchAttribute as A;
    matches!(
        a,
        A::Envelope
            | A::Flags
            | A::InternalDate
            | A::Rfc822Size
            | A::Rfc822
            | A::Rfc822Header
            | A::Rfc822Text
            | A::Body
            | A::BodyStructure
            | A::Uid
            | A::BodySection { .. }
            | A::Binary { .. }
            | A::BinarySize { .. }
            | A::ModSeq
    )
}

/// One FETCH data item of `msg`.
fn item(
    msg: &MessageRef,
    attribute: &FetchAttribute<'static>,
    flags: &crate::store::StoredFlags,
    modseq: u64,
) -> Result<MessageDataItem<'static>, StoreError> {
    use FetchAttribute as A;
    use MessageDataItem as M;
    Ok(match attribute {
        A::Uid => M::Uid(nz(msg.uid())),
        A::Flags => M::Flags(flag_list(flags)),
        A::InternalDate => M::InternalDate(msg.internal_date()),
        A::Rfc822Size => M::Rfc822Size(msg.size()),
        A::Envelope => M::Envelope(msg.envelope()?),
        A::BodyStructure => M::BodyStructure(msg.body_structure(true)?.into()),
        A::Body => M::Body(msg.body_structure(false)?.into()),
        A::ModSeq => M::ModSeq(modseq),
        A::Rfc822 => M::Rfc822(nstring(Some(msg.bytes()?))),
        A::Rfc822Header => M::Rfc822Header(nstring(
            msg.section(&text_section(SectionText::Header), None)?,
        )),
        A::Rfc822Text => M::Rfc822Text(nstring(
            msg.section(&text_section(SectionText::Text), None)?,
        )),
        A::BodySection {
            section, partial, ..
        } => M::BodySection {
            section: section.clone(),
            origin: partial.map(|p| origin(p.offset)),
            data: nstring(msg.section(section, *partial)?),
        },
        A::Binary { part, partial, .. } => M::Binary {
            section: part.clone(),
            origin: partial.map(|p| origin(p.offset)),
            data: match msg.binary(part, *partial)? {
                None => BinaryData::NString(NString::NIL),
                // Without NUL a plain literal will do; with NUL only a
                // literal8 can carry the bytes (RFC 3516 §4.2).
                Some(b) if !b.contains(&0) => BinaryData::NString(nstring(Some(b))),
                Some(b) => BinaryData::Literal8(Buf::shared(b)),
            },
        },
        A::BinarySize { part } => M::BinarySize {
            section: part.clone(),
            size: msg.binary_size(part)?.unwrap_or(0),
        },
        // Refused by `supported` before the job started.
        _ => {
            return Err(StoreError::Cannot {
                what: "fetch this item",
            })
        }
    })
}

fn text_section(text: SectionText<'static>) -> Section<'static> {
    // HEADER and TEXT need no part number, so the section is valid.
    Section::text(text).unwrap_or_default()
}

/// Bytes as an nstring, shared (not copied) when sent as a literal. NUL,
/// which no IMAP string may hold, is sent as 0x80 (as Dovecot does).
fn nstring(bytes: Option<Bytes>) -> NString<'static> {
    let Some(bytes) = bytes else {
        return NString::NIL;
    };
    let string = match IString::try_new(Buf::shared(bytes.clone())) {
        Ok(s) => s,
        Err(_) => {
            let cleaned: Vec<u8> = bytes
                .iter()
                .map(|&b| if b == 0 { 0x80 } else { b })
                .collect();
            // NUL-free now.
            IString::Literal(Literal::try_new(cleaned).unwrap_or_else(|_| {
                Literal::try_new(Vec::new()).expect("an empty literal is valid")
            }))
        }
    };
    NString(Some(string))
}

/// A partial FETCH's `<origin>` in the answer: a 32-bit `number` (RFC 9051
/// §9 `msg-att-static`) though the request's offset is 63-bit; an offset
/// past 4 GiB is past the end of every message the store keeps (its
/// limit is far below), whose data is then empty.
fn origin(offset: u64) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}
