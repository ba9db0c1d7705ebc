//! What the application's data becomes in the session's protocol version
//! (RFC 9051 Appendix E, RFC 3501): the session adapts what it can adapt
//! without loss and refuses what can never be right to send.

use imapkit_proto::{
    AString, CommandBody, Data, ESearch, IString, IntoStatic, MessageDataItem, Quoted,
    SearchReturnData, SearchReturnOption, SequenceSet,
};

use super::{imap4rev2_session, RequestId, Server};
use crate::error::UsageError;

/// A SEARCH or UID SEARCH in flight, as far as its answer is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct SearchAnswer {
    /// `UID SEARCH`: the ESEARCH carries `UID` (RFC 9051 §6.4.8).
    uid: bool,
    /// No RETURN options but ALL (or none, or `RETURN ()`, RFC 4731 §3.1):
    /// the answer is the matching numbers, which `* SEARCH` holds too.
    all: bool,
    /// RETURN was given: the answer is an ESEARCH in any version (RFC 4731
    /// §3.1).
    returns: bool,
}

impl SearchAnswer {
    /// The answer `body` expects, if it is a search.
    pub(super) fn of(body: &CommandBody<'_>) -> Option<Self> {
        let CommandBody::Search {
            uid,
            return_options,
            ..
        } = body
        else {
            return None;
        };
        let all = (return_options.iter().flatten()).all(|o| *o == SearchReturnOption::All);
        let returns = return_options.is_some();
        Some(Self {
            uid: *uid,
            all,
            returns,
        })
    }
}

/// What becomes of data the application gives ([`Server::admit_data`]).
#[derive(Debug)]
pub(super) enum Admit {
    /// Send it as it is (the common case: nothing moved or copied).
    Keep,
    /// Drop it (RECENT in IMAP4rev2).
    Drop,
    /// Send this instead (a SEARCH answer as ESEARCH, an ESEARCH tagged).
    Replace(Data<'static>),
}

impl Server {
    /// Checks `data` against what the client enabled and the session's
    /// protocol version, and says what goes out. `owner` is the command it
    /// answers (`None` for unsolicited data).
    pub(super) fn admit_data(
        &self,
        data: &Data<'_>,
        owner: Option<RequestId>,
    ) -> Result<Admit, UsageError> {
        let rev2 = imap4rev2_session(self.features, self.enabled);
        let search = || {
            let entry = self.in_flight.iter().find(|r| Some(r.id) == owner)?;
            Some((entry.search?, &entry.tag))
        };
        match data {
            // RFC 7162 §3.2.10: VANISHED (EARLIER too, §3.2.10.1) only to a
            // client that enabled QRESYNC, and then in place of EXPUNGE, but
            // in a mailbox without mod-sequences.
            Data::Vanished { .. } if !self.enabled.qresync => {
                Err(UsageError::NotEnabled("QRESYNC"))
            }
            Data::Expunge(_) if self.enabled.qresync && !self.nomodseq => {
                Err(UsageError::VanishedRequired)
            }
            // RFC 9051 has no RECENT response (Appendix E item 12).
            Data::Recent(_) if rev2 => Ok(Admit::Drop),
            // RFC 9051 §6.4.4: a client that speaks IMAP4rev2 ignores
            // `* SEARCH`, and RFC 4731 §3.1 answers a SEARCH with RETURN by
            // ESEARCH in any version; the answer to a SEARCH without other
            // return options than ALL is an ESEARCH with the command's tag
            // and ALL (none when nothing matched).
            Data::Search { ids, mod_seq } => match search() {
                Some((answer, tag)) if rev2 || answer.returns => {
                    if !answer.all {
                        return Err(UsageError::ProtocolVersion(
                            "a SEARCH with RETURN options gets ESEARCH (RFC 4731 §3.1)",
                        ));
                    }
                    Ok(Admit::Replace(Data::ESearch(ESearch {
                        tag: Some(correlator(tag.as_str())),
                        uid: answer.uid,
                        data: all_of(ids, *mod_seq),
                    })))
                }
                None if rev2 => Err(UsageError::ProtocolVersion(
                    "an IMAP4rev2 client gets ESEARCH, not SEARCH (RFC 9051 §6.4.4)",
                )),
                _ => Ok(Admit::Keep),
            },
            // RFC 9051 §7.3.4: an ESEARCH that answers a command carries
            // its tag; the session knows it.
            Data::ESearch(e) if e.tag.is_none() => match search() {
                Some((_, tag)) => {
                    let mut e = e.clone().into_static();
                    e.tag = Some(correlator(tag.as_str()));
                    Ok(Admit::Replace(Data::ESearch(e)))
                }
                None => Ok(Admit::Keep),
            },
            Data::Fetch { items, .. } => {
                if rev2
                    && owner.is_none()
                    && !items.iter().any(|i| matches!(i, MessageDataItem::Uid(_)))
                {
                    // RFC 9051 §7.5.2: "they MUST include UID FETCH item".
                    return Err(UsageError::ProtocolVersion(
                        "an unsolicited FETCH needs UID in IMAP4rev2 (RFC 9051 §7.5.2)",
                    ));
                }
                let too_large = |i: &MessageDataItem<'_>| matches!(i, MessageDataItem::Rfc822Size(n) if *n > u64::from(u32::MAX));
                if !rev2 && items.iter().any(too_large) {
                    // RFC 3501 §9: `number` is 32-bit; RFC 9051 Appendix D.
                    return Err(UsageError::ProtocolVersion(
                        "a size above 4 GiB needs IMAP4rev2 (RFC 9051 Appendix D)",
                    ));
                }
                Ok(Admit::Keep)
            }
            _ => Ok(Admit::Keep),
        }
    }
}

/// `(TAG "t")`'s string: quoted, as RFC 4466's `tag-string` wants it (RFC
/// 9051 allows an astring; a quoted one suits both).
fn correlator(tag: &str) -> AString<'static> {
    match Quoted::try_from(tag) {
        Ok(q) => AString::String(IString::Quoted(q.into_static())),
        // A tag holds no CR, LF or NUL: never taken.
        Err(_) => AString::from(tag.to_owned()),
    }
}

/// ESEARCH's return data for the numbers of a `* SEARCH`: ALL (left out
/// when nothing matched, RFC 9051 §6.4.4) and the MODSEQ of RFC 7162
/// §3.1.5.
fn all_of(ids: &[std::num::NonZeroU32], mod_seq: Option<u64>) -> Vec<SearchReturnData<'static>> {
    let mut data = Vec::with_capacity(2);
    if let Ok(set) = SequenceSet::from_numbers(ids.iter().map(|n| n.get())) {
        data.push(SearchReturnData::All(set));
    }
    if let Some(m) = mod_seq {
        data.push(SearchReturnData::ModSeq(m));
    }
    data
}
