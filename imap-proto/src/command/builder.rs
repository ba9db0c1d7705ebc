//! Builders for the commands whose options the short constructors leave
//! out (the examples are in the [`command`](super) module docs).

use std::num::{NonZeroU32, NonZeroU64};

use crate::core::Vec1;
use crate::flag::Flag;
use crate::mailbox::Mailbox;
use crate::response::GmailLabel;
use crate::sequence::SequenceSet;
use crate::status::StatusAttribute;

use super::{
    AppendMessage, Charset, CommandBody, FetchItems, FetchModifier, ListPatterns, ListReturnOption,
    ListSelectOption, PartialRange, SearchKey, SearchReturnOption, SelectParameter, StoreAction,
    StoreModifier, StoreTarget,
};

/// `SELECT` or `EXAMINE` with parameters (RFC 9051 §6.3.2, RFC 4466 §2.1,
/// CONDSTORE and QRESYNC of RFC 7162 §3.1.8, §3.2.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectBuilder<'a> {
    examine: bool,
    mailbox: Mailbox<'a>,
    parameters: Vec<SelectParameter<'a>>,
}

impl<'a> SelectBuilder<'a> {
    /// `SELECT mailbox`.
    pub fn select(mailbox: impl Into<Mailbox<'a>>) -> Self {
        Self {
            examine: false,
            mailbox: mailbox.into(),
            parameters: Vec::new(),
        }
    }

    /// `EXAMINE mailbox`: read-only.
    pub fn examine(mailbox: impl Into<Mailbox<'a>>) -> Self {
        Self {
            examine: true,
            ..Self::select(mailbox)
        }
    }

    /// `(CONDSTORE)`: turn on CONDSTORE (RFC 7162 §3.1.8).
    #[must_use]
    pub fn condstore(self) -> Self {
        self.parameter(SelectParameter::CondStore)
    }

    /// `(QRESYNC (uidvalidity modseq))`: resynchronise from the last known
    /// UIDVALIDITY and HIGHESTMODSEQ (RFC 7162 §3.2.5; QRESYNC must be
    /// enabled first).
    #[must_use]
    pub fn qresync(self, uid_validity: NonZeroU32, mod_seq: NonZeroU64) -> Self {
        self.qresync_known(uid_validity, mod_seq, None, None)
    }

    /// `QRESYNC` with the UIDs the client knows and, optionally, message
    /// numbers paired with their UIDs (`(seq-set uid-set)`, RFC 7162 §3.2.5).
    #[must_use]
    pub fn qresync_known(
        self,
        uid_validity: NonZeroU32,
        mod_seq: NonZeroU64,
        known_uids: Option<SequenceSet>,
        seq_match_data: Option<(SequenceSet, SequenceSet)>,
    ) -> Self {
        self.parameter(SelectParameter::QResync {
            uid_validity,
            mod_seq,
            known_uids,
            seq_match_data,
        })
    }

    /// Any other parameter.
    #[must_use]
    pub fn parameter(mut self, parameter: SelectParameter<'a>) -> Self {
        self.parameters.push(parameter);
        self
    }

    /// The command.
    pub fn build(self) -> CommandBody<'a> {
        let Self {
            examine,
            mailbox,
            parameters,
        } = self;
        if examine {
            CommandBody::Examine {
                mailbox,
                parameters,
            }
        } else {
            CommandBody::Select {
                mailbox,
                parameters,
            }
        }
    }
}

/// `LIST` with LIST-EXTENDED selection and return options (RFC 5258,
/// LIST-STATUS RFC 5819, SPECIAL-USE RFC 6154).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListBuilder<'a> {
    selection: Option<Vec<ListSelectOption<'a>>>,
    reference: Mailbox<'a>,
    patterns: ListPatterns<'a>,
    return_options: Option<Vec<ListReturnOption<'a>>>,
}

impl<'a> ListBuilder<'a> {
    /// `LIST reference pattern(s)`, as [`CommandBody::list`].
    pub fn new(reference: impl Into<Mailbox<'a>>, patterns: impl Into<ListPatterns<'a>>) -> Self {
        Self {
            selection: None,
            reference: reference.into(),
            patterns: patterns.into(),
            return_options: None,
        }
    }

    /// Selection option `SUBSCRIBED`: subscribed mailboxes only.
    #[must_use]
    pub fn subscribed(self) -> Self {
        self.select(ListSelectOption::Subscribed)
    }

    /// Selection option `SPECIAL-USE`: mailboxes with a special use only
    /// (RFC 6154).
    #[must_use]
    pub fn special_use(self) -> Self {
        self.select(ListSelectOption::SpecialUse)
    }

    /// A selection option.
    #[must_use]
    pub fn select(mut self, option: ListSelectOption<'a>) -> Self {
        self.selection.get_or_insert_with(Vec::new).push(option);
        self
    }

    /// `RETURN (CHILDREN)`: say whether mailboxes have children.
    #[must_use]
    pub fn return_children(self) -> Self {
        self.return_option(ListReturnOption::Children)
    }

    /// `RETURN (SUBSCRIBED)`: mark subscribed mailboxes.
    #[must_use]
    pub fn return_subscribed(self) -> Self {
        self.return_option(ListReturnOption::Subscribed)
    }

    /// `RETURN (SPECIAL-USE)`: the special-use attributes (RFC 6154).
    #[must_use]
    pub fn return_special_use(self) -> Self {
        self.return_option(ListReturnOption::SpecialUse)
    }

    /// `RETURN (STATUS (attributes))`: a STATUS response per mailbox (RFC 5819).
    #[must_use]
    pub fn return_status(self, attributes: impl Into<Vec1<StatusAttribute>>) -> Self {
        self.return_option(ListReturnOption::Status(attributes.into()))
    }

    /// A return option.
    #[must_use]
    pub fn return_option(mut self, option: ListReturnOption<'a>) -> Self {
        self.return_options
            .get_or_insert_with(Vec::new)
            .push(option);
        self
    }

    /// The command.
    pub fn build(self) -> CommandBody<'a> {
        CommandBody::List {
            selection: self.selection,
            reference: self.reference,
            patterns: self.patterns,
            return_options: self.return_options,
        }
    }
}

/// `[UID] SEARCH [RETURN (...)] [CHARSET x] keys` (RFC 9051 §6.4.4, ESEARCH
/// RFC 4731, SEARCHRES RFC 5182).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchBuilder<'a> {
    uid: bool,
    return_options: Option<Vec<SearchReturnOption<'a>>>,
    charset: Option<Charset<'a>>,
    criteria: Vec1<SearchKey<'a>>,
}

impl<'a> SearchBuilder<'a> {
    /// `SEARCH keys`: one key or an array of keys that must all match.
    pub fn new(criteria: impl Into<Vec1<SearchKey<'a>>>) -> Self {
        Self {
            uid: false,
            return_options: None,
            charset: None,
            criteria: criteria.into(),
        }
    }

    /// `UID SEARCH`: answer with UIDs.
    #[must_use]
    pub fn uid(mut self) -> Self {
        self.uid = true;
        self
    }

    /// `CHARSET x`: the charset of the strings in the keys. Not after
    /// `ENABLE UTF8=ACCEPT` (RFC 6855 §3).
    #[must_use]
    pub fn charset(mut self, charset: Charset<'a>) -> Self {
        self.charset = Some(charset);
        self
    }

    /// `RETURN (options)`: an ESEARCH answer (RFC 4731); no option gives
    /// `RETURN ()`, which means `RETURN (ALL)`.
    #[must_use]
    pub fn return_options(
        mut self,
        options: impl IntoIterator<Item = SearchReturnOption<'a>>,
    ) -> Self {
        self.return_options
            .get_or_insert_with(Vec::new)
            .extend(options);
        self
    }

    /// The command.
    pub fn build(self) -> CommandBody<'a> {
        CommandBody::Search {
            uid: self.uid,
            return_options: self.return_options,
            charset: self.charset,
            criteria: self.criteria,
        }
    }
}

/// `APPEND mailbox message...` with flags, dates and several messages
/// (RFC 9051 §6.3.12, MULTIAPPEND RFC 3502); see [`AppendMessage`] for one
/// message's options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendBuilder<'a> {
    mailbox: Mailbox<'a>,
    messages: Vec1<AppendMessage<'a>>,
}

impl<'a> AppendBuilder<'a> {
    /// `APPEND mailbox message`.
    pub fn new(mailbox: impl Into<Mailbox<'a>>, message: AppendMessage<'a>) -> Self {
        Self {
            mailbox: mailbox.into(),
            messages: Vec1::new(message),
        }
    }

    /// One more message (MULTIAPPEND, RFC 3502).
    #[must_use]
    pub fn message(mut self, message: AppendMessage<'a>) -> Self {
        self.messages.push(message);
        self
    }

    /// The command.
    pub fn build(self) -> CommandBody<'a> {
        CommandBody::Append {
            mailbox: self.mailbox,
            messages: self.messages,
        }
    }
}

/// `[UID] STORE set [(modifiers)] [+-]FLAGS[.SILENT] (...)` (RFC 9051
/// §6.4.6, UNCHANGEDSINCE of RFC 7162 §3.1.3, Gmail labels).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreBuilder<'a> {
    uid: bool,
    sequence_set: SequenceSet,
    modifiers: Vec<StoreModifier<'a>>,
    action: StoreAction,
    silent: bool,
    target: StoreTarget<'a>,
}

impl<'a> StoreBuilder<'a> {
    /// `STORE set [+-]FLAGS (flags)`.
    pub fn new(
        set: impl Into<SequenceSet>,
        action: StoreAction,
        flags: impl Into<Vec<Flag<'a>>>,
    ) -> Self {
        Self {
            uid: false,
            sequence_set: set.into(),
            modifiers: Vec::new(),
            action,
            silent: false,
            target: StoreTarget::Flags(flags.into()),
        }
    }

    /// `STORE set [+-]X-GM-LABELS (labels)` (Gmail).
    pub fn gmail_labels(
        set: impl Into<SequenceSet>,
        action: StoreAction,
        labels: impl Into<Vec<GmailLabel<'a>>>,
    ) -> Self {
        Self {
            target: StoreTarget::GmailLabels(labels.into()),
            ..Self::new(set, action, [])
        }
    }

    /// `UID STORE`: the set holds UIDs.
    #[must_use]
    pub fn uid(mut self) -> Self {
        self.uid = true;
        self
    }

    /// `.SILENT`: no untagged FETCH responses with the new flags.
    #[must_use]
    pub fn silent(mut self) -> Self {
        self.silent = true;
        self
    }

    /// `(UNCHANGEDSINCE modseq)`: only messages not changed since (RFC 7162
    /// §3.1.3; the others come back in a `MODIFIED` response code).
    #[must_use]
    pub fn unchanged_since(self, mod_seq: u64) -> Self {
        self.modifier(StoreModifier::UnchangedSince(mod_seq))
    }

    /// Any other modifier.
    #[must_use]
    pub fn modifier(mut self, modifier: StoreModifier<'a>) -> Self {
        self.modifiers.push(modifier);
        self
    }

    /// The command.
    pub fn build(self) -> CommandBody<'a> {
        CommandBody::Store {
            uid: self.uid,
            sequence_set: self.sequence_set,
            modifiers: self.modifiers,
            action: self.action,
            silent: self.silent,
            target: self.target,
        }
    }
}

/// `[UID] FETCH set items [(modifiers)]` (RFC 9051 §6.4.5, RFC 4466 §2.4,
/// CHANGEDSINCE and VANISHED of RFC 7162, PARTIAL of RFC 9394).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchBuilder<'a> {
    uid: bool,
    sequence_set: SequenceSet,
    items: FetchItems<'a>,
    modifiers: Vec<FetchModifier<'a>>,
}

impl<'a> FetchBuilder<'a> {
    /// `FETCH set items`, as [`CommandBody::fetch`].
    pub fn new(set: impl Into<SequenceSet>, items: impl Into<FetchItems<'a>>) -> Self {
        Self {
            uid: false,
            sequence_set: set.into(),
            items: items.into(),
            modifiers: Vec::new(),
        }
    }

    /// `UID FETCH`: the set holds UIDs.
    #[must_use]
    pub fn uid(mut self) -> Self {
        self.uid = true;
        self
    }

    /// `(CHANGEDSINCE modseq)`: only messages changed since (RFC 7162 §3.1.4).
    #[must_use]
    pub fn changed_since(self, mod_seq: NonZeroU64) -> Self {
        self.modifier(FetchModifier::ChangedSince(mod_seq.get()))
    }

    /// `VANISHED`: also report expunged UIDs (RFC 7162 §3.2.6; UID FETCH
    /// with CHANGEDSINCE, QRESYNC enabled). Only in a UID FETCH (call
    /// [`uid`](Self::uid) too): a server refuses it in a FETCH by message
    /// number (RFC 7162 §7), and so does the `Client`.
    #[must_use]
    pub fn vanished(self) -> Self {
        self.modifier(FetchModifier::Vanished)
    }

    /// `(PARTIAL range)`: a page of the results (RFC 9394).
    #[must_use]
    pub fn partial(self, range: PartialRange) -> Self {
        self.modifier(FetchModifier::Partial(range))
    }

    /// Any other modifier.
    #[must_use]
    pub fn modifier(mut self, modifier: FetchModifier<'a>) -> Self {
        self.modifiers.push(modifier);
        self
    }

    /// The command.
    pub fn build(self) -> CommandBody<'a> {
        CommandBody::Fetch {
            uid: self.uid,
            sequence_set: self.sequence_set,
            items: self.items,
            modifiers: self.modifiers,
        }
    }
}

macro_rules! into_body {
    ($($b:ident),*) => {$(
        impl<'a> From<$b<'a>> for CommandBody<'a> {
            fn from(b: $b<'a>) -> Self {
                b.build()
            }
        }
    )*};
}
into_body!(
    SelectBuilder,
    ListBuilder,
    SearchBuilder,
    AppendBuilder,
    StoreBuilder,
    FetchBuilder
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Command, Tag};

    #[test]
    fn examine_and_condstore() {
        let b = SelectBuilder::examine("INBOX").condstore().build();
        assert_eq!(b.to_string(), "EXAMINE INBOX (CONDSTORE)");
        let c = Command::new(Tag::try_from("A1").unwrap(), SelectBuilder::select("a"));
        assert_eq!(c.to_string(), "A1 SELECT a");
    }

    #[test]
    fn search_with_charset_and_empty_return() {
        let b = SearchBuilder::new([SearchKey::Subject("ü".into()), SearchKey::Seen])
            .charset(Charset::utf8())
            .return_options([])
            .build();
        assert_eq!(
            b.to_string(),
            "SEARCH RETURN () CHARSET UTF-8 SUBJECT \"ü\" SEEN"
        );
    }

    #[test]
    fn list_special_use_and_several_patterns() {
        let b = ListBuilder::new("", ["INBOX", "Archive/%"])
            .special_use()
            .return_special_use()
            .build();
        assert_eq!(
            b.to_string(),
            "LIST (SPECIAL-USE) \"\" (INBOX Archive/%) RETURN (SPECIAL-USE)"
        );
    }

    #[test]
    fn store_labels_and_fetch_partial() {
        let set = SequenceSet::all();
        let label = GmailLabel::System(crate::Atom::try_from("Important").unwrap());
        let b = StoreBuilder::gmail_labels(set.clone(), StoreAction::Remove, vec![label]).build();
        assert_eq!(b.to_string(), "STORE 1:* -X-GM-LABELS (\\Important)");
        let one = NonZeroU32::MIN;
        let b = FetchBuilder::new(set, FetchItems::Fast)
            .partial(PartialRange::Last(one, NonZeroU32::new(10).unwrap()))
            .build();
        assert_eq!(b.to_string(), "FETCH 1:* FAST (PARTIAL -1:-10)");
    }
}
