//! How the command parsers hand out what they decode: borrowed from the
//! input ([`Borrowed`], what [`command`](super::command) returns) or owned
//! as it is decoded ([`Shared`], what the `Server` keeps: slices of the
//! frame, or copies for a short message the framer lent).
//!
//! The parsers of the commands a client sends most (FETCH, STORE, STATUS,
//! LIST, APPEND, SELECT, EXAMINE and their `UID` forms) are generic over
//! [`Own`]: with [`Shared`], each value is made owned where it is decoded
//! (its slices become slices of the frame, as
//! [`IntoStatic::into_shared`] makes them), so the finished command needs
//! no second pass that takes it apart and moves every part again. Every
//! other command is decoded borrowed and then made owned whole
//! ([`Own::body`]). One grammar either way: the same parsers run, only
//! where the owned form is made differs, and the result is equal to
//! decoding borrowed and then calling `into_shared` (a property test
//! checks it).

use bytes::Bytes;
use imapkit_proto::{
    AString, AppendData, CommandBody, FetchAttribute, FetchModifier, Flag, IntoStatic, ListMailbox,
    ListReturnOption, ListSelectOption, Mailbox, SelectParameter, StoreModifier, StoreTarget, Tag,
};

/// `LIST`'s selection options, as [`CommandBody::List`] holds them.
pub(crate) type ListSelection<'a> = Option<Vec<ListSelectOption<'a>>>;
/// `LIST`'s return options, as [`CommandBody::List`] holds them.
pub(crate) type ListReturn<'a> = Option<Vec<ListReturnOption<'a>>>;
/// FETCH modifiers, as [`CommandBody::Fetch`] holds them.
pub(crate) type FetchModifiers<'a> = Vec<FetchModifier<'a>>;
/// STORE modifiers, as [`CommandBody::Store`] holds them.
pub(crate) type StoreModifiers<'a> = Vec<StoreModifier<'a>>;
/// SELECT and EXAMINE parameters, as [`CommandBody::Select`] holds them.
pub(crate) type SelectParameters<'a> = Vec<SelectParameter<'a>>;

/// Declares [`Own`] with one method per type (a type with one lifetime
/// parameter) that turns a borrowed value into the output's form, and
/// its two implementations.
macro_rules! own {
    ($($(#[$doc:meta])* $method:ident: $ty:ident;)*) => {
        /// Turns values borrowed from the input (`'a`) into the output's
        /// form (`'o`): the same values for [`Borrowed`], owned ones for
        /// [`Shared`].
        pub(crate) trait Own<'a, 'o>: Copy {
            $($(#[$doc])* fn $method(self, value: $ty<'a>) -> $ty<'o>;)*
        }

        impl<'a> Own<'a, 'a> for Borrowed {
            $(
                #[inline(always)]
                fn $method(self, value: $ty<'a>) -> $ty<'a> {
                    value
                }
            )*
        }

        impl<'a> Own<'a, 'static> for Shared<'_> {
            $(
                #[inline]
                fn $method(self, value: $ty<'a>) -> $ty<'static> {
                    value.into_static_in(self.0)
                }
            )*
        }
    };
}

own! {
    /// The command's tag.
    tag: Tag;
    /// A whole command body: every command not decoded generically.
    body: CommandBody;
    /// A mailbox name.
    mailbox: Mailbox;
    /// A flag of STORE or APPEND.
    flag: Flag;
    /// A header field name of a FETCH section.
    astring: AString;
    /// STORE's Gmail labels (its flags are made owned one by one).
    store_target: StoreTarget;
    /// A FETCH attribute other than a body section (whose header field
    /// names are made owned one by one).
    fetch_att: FetchAttribute;
    /// FETCH modifiers.
    fetch_modifiers: FetchModifiers;
    /// STORE modifiers.
    store_modifiers: StoreModifiers;
    /// A LIST reference's pattern.
    list_mailbox: ListMailbox;
    /// LIST's selection options.
    list_selection: ListSelection;
    /// LIST's return options.
    list_return: ListReturn;
    /// SELECT and EXAMINE parameters.
    select_parameters: SelectParameters;
    /// The data of an APPEND message.
    append_data: AppendData;
}

/// Values borrowed from the input, as decoded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Borrowed;

/// Owned values: with a frame, slices of the input made slices of the
/// frame it lies in (copied if not inside it, as
/// [`IntoStatic::into_shared`] does); without one (`None`, a message the
/// framer lent), copies, as [`IntoStatic::into_static`] makes them
/// (inline up to `Buf::INLINE_MAX` bytes).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shared<'f>(pub(crate) Option<&'f Bytes>);
