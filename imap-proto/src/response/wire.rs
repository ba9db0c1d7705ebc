//! Lists of ENVELOPE and BODYSTRUCTURE data kept in their received wire form.
//!
//! A FETCH response of an initial sync carries, per message, six address
//! lists, several parameter lists, multipart parts and encapsulated messages.
//! Decoding each into a `Vec` would cost about a dozen heap allocations per
//! message. Instead the decoder checks such a list against the grammar and
//! keeps its bytes (a slice of the input, or of a shared frame after
//! [`IntoStatic::into_shared`]); the elements are read again, without
//! allocating, when they are iterated. Lists built by a program hold their
//! elements in a `Vec`. Both forms compare, hash and print by their
//! elements, so a decoded list equals the list it was encoded from.
//!
//! Reading an element again costs what decoding it cost: code that visits
//! every element many times can keep [`AddressList::to_vec`] (or the
//! equivalent) instead.
//!
//! Only the decoder (`imapkit-codec`) creates the wire form, through the
//! doc-hidden `from_wire` constructors: it passes the function that reads
//! one element, so the grammar lives in one place.

use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};

use bytes::Bytes;

use crate::buf::{Buf, IntoStatic};
use crate::core::Vec1;
use crate::flag::{Flag, FlagFetch, FlagPerm};
use crate::response::body::{BodyParam, BodyStructure};
use crate::response::envelope::{Address, Envelope};

/// The item type a list's iterator yields: the element itself (`value`,
/// reborrowed from a built list's `Vec`) or a `Cow` (`cow`, for elements
/// that cannot be reborrowed without allocating).
macro_rules! yielded {
    (value, $item:ident, $r:lifetime) => { $item<$r> };
    (cow, $item:ident, $r:lifetime) => { Cow<$r, $item<$r>> };
}

/// Turns a yielded item into an element (for `to_vec`).
macro_rules! owned_item {
    (value, $x:expr) => {
        $x
    };
    (cow, $x:expr) => {
        Cow::into_owned($x)
    };
}

/// Turns an element read from the wire, and one of a built list, into a yielded item.
macro_rules! yield_read {
    (value, $x:expr) => {
        $x
    };
    (cow, $x:expr) => {
        Cow::Owned($x)
    };
}
macro_rules! yield_built {
    (value, $x:expr) => {
        $x.reborrow()
    };
    (cow, $x:expr) => {
        Cow::Borrowed($x)
    };
}

macro_rules! wire_list {
    (
        $(#[$doc:meta])*
        $name:ident, $iter:ident, $item:ident, enclosed: $enclosed:literal, yields: $y:ident, built: $built:path
    ) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name<'a>(ListRepr<'a, $item<'a>, for<'r> fn(&'r [u8]) -> Option<($item<'r>, usize)>>);

        impl<'a> $name<'a> {
            /// A list decoded from `bytes` (doc-hidden: for the decoder, which
            /// has checked that `bytes` hold `len` elements that `read` reads
            /// one after the other). `verbatim` says whether the bytes are in
            /// the syntax the encoder would write, so that it may copy them.
            #[doc(hidden)]
            pub fn from_wire(
                bytes: Buf<'a>,
                len: u32,
                verbatim: bool,
                read: for<'r> fn(&'r [u8]) -> Option<($item<'r>, usize)>,
            ) -> Self {
                $name(ListRepr::Wire { bytes, len, verbatim, read })
            }

            /// The number of elements.
            pub fn len(&self) -> usize {
                match &self.0 {
                    ListRepr::Wire { len, .. } => *len as usize,
                    ListRepr::Owned(v) => v.len(),
                }
            }

            /// Whether the list has no element (`NIL`).
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// The elements in order; those of a decoded list are read from its
            /// bytes as the iterator goes (no allocation).
            pub fn iter(&self) -> $iter<'_> {
                $iter(match &self.0 {
                    ListRepr::Wire { bytes, len, read, .. } => {
                        let b = bytes.as_bytes();
                        let rest = if $enclosed { b.get(1..).unwrap_or_default() } else { b };
                        IterRepr::Wire { rest, left: *len, read: *read }
                    }
                    ListRepr::Owned(v) => IterRepr::Owned(v.iter()),
                })
            }

            /// The elements, collected (borrowing from `self`).
            pub fn to_vec(&self) -> Vec<$item<'_>> {
                self.iter().map(|x| owned_item!($y, x)).collect()
            }

            /// The elements of a list built from values (`None` for a
            /// decoded one): the encoder reads them in place, without
            /// reborrowing each.
            pub(crate) fn built(&self) -> Option<&[$item<'a>]> {
                match &self.0 {
                    ListRepr::Owned(v) => Some(v),
                    ListRepr::Wire { .. } => None,
                }
            }

            /// The list's bytes as received, when the encoder may write them
            /// unchanged; `None` for lists built from values.
            pub fn verbatim(&self) -> Option<&[u8]> {
                match &self.0 {
                    ListRepr::Wire { bytes, verbatim: true, .. } => Some(bytes.as_bytes()),
                    _ => None,
                }
            }
        }

        impl<'a> From<Vec<$item<'a>>> for $name<'a> {
            fn from(v: Vec<$item<'a>>) -> Self {
                $name(ListRepr::Owned($built(v)))
            }
        }

        impl<'a> FromIterator<$item<'a>> for $name<'a> {
            fn from_iter<I: IntoIterator<Item = $item<'a>>>(iter: I) -> Self {
                $name(ListRepr::Owned($built(iter.into_iter().collect())))
            }
        }

        impl<'r> IntoIterator for &'r $name<'_> {
            type Item = yielded!($y, $item, 'r);
            type IntoIter = $iter<'r>;
            fn into_iter(self) -> $iter<'r> {
                self.iter()
            }
        }

        impl PartialEq for $name<'_> {
            fn eq(&self, other: &Self) -> bool {
                // The same bytes hold the same elements.
                if let (ListRepr::Wire { bytes: a, .. }, ListRepr::Wire { bytes: b, .. }) =
                    (&self.0, &other.0)
                {
                    if a.as_bytes() == b.as_bytes() {
                        return true;
                    }
                }
                self.len() == other.len() && self.iter().eq(other.iter())
            }
        }

        impl Eq for $name<'_> {}

        impl Hash for $name<'_> {
            fn hash<H: Hasher>(&self, state: &mut H) {
                self.len().hash(state);
                for x in self.iter() {
                    x.hash(state);
                }
            }
        }

        impl fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(self.iter()).finish()
            }
        }

        impl IntoStatic for $name<'_> {
            type Static = $name<'static>;
            #[inline]
            fn into_static_in(self, frame: Option<&Bytes>) -> $name<'static> {
                $name(match self.0 {
                    ListRepr::Wire { bytes, len, verbatim, read } => ListRepr::Wire {
                        bytes: bytes.into_static_in(frame),
                        len,
                        verbatim,
                        read,
                    },
                    ListRepr::Owned(v) => ListRepr::Owned(v.into_static_in(frame)),
                })
            }
        }

        #[doc = concat!("Iterator over the elements of a [`", stringify!($name), "`].")]
        #[derive(Clone)]
        pub struct $iter<'r>(IterRepr<'r, $item<'r>, for<'x> fn(&'x [u8]) -> Option<($item<'x>, usize)>>);

        impl<'r> Iterator for $iter<'r> {
            type Item = yielded!($y, $item, 'r);

            fn next(&mut self) -> Option<Self::Item> {
                match &mut self.0 {
                    IterRepr::Wire { rest, left, read } => {
                        if *left == 0 {
                            return None;
                        }
                        let r = skip_spaces(rest);
                        match read(r) {
                            Some((x, used)) => {
                                *rest = r.get(used..).unwrap_or_default();
                                *left -= 1;
                                Some(yield_read!($y, x))
                            }
                            // Cannot happen for bytes the decoder checked;
                            // end the list rather than panic.
                            None => {
                                *left = 0;
                                None
                            }
                        }
                    }
                    IterRepr::Owned(it) => it.next().map(|x| yield_built!($y, x)),
                }
            }

            fn size_hint(&self) -> (usize, Option<usize>) {
                match &self.0 {
                    IterRepr::Wire { left, .. } => (0, Some(*left as usize)),
                    IterRepr::Owned(it) => it.size_hint(),
                }
            }
        }

        impl fmt::Debug for $iter<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($iter)).finish_non_exhaustive()
            }
        }
    };
}

/// Storage of a list: its checked wire bytes, or values.
#[derive(Clone)]
enum ListRepr<'a, T, F> {
    Wire {
        bytes: Buf<'a>,
        len: u32,
        verbatim: bool,
        read: F,
    },
    Owned(Vec<T>),
}

#[derive(Clone)]
enum IterRepr<'r, T, F> {
    Wire { rest: &'r [u8], left: u32, read: F },
    Owned(std::slice::Iter<'r, T>),
}

/// Lenient input may hold extra spaces between elements; the element
/// readers start at an element.
fn skip_spaces(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|&&c| c == b' ').count();
    &b[n..]
}

/// The elements of a list built from values, unchanged.
fn as_built<T>(v: Vec<T>) -> Vec<T> {
    v
}

/// The flags of a FLAGS list built from values, in the form the decoder
/// reads them: an extension flag named `Recent` (any case) is `\Recent`.
fn canonical_flags(mut v: Vec<FlagFetch<'_>>) -> Vec<FlagFetch<'_>> {
    for f in &mut v {
        if let FlagFetch::Flag(Flag::Extension(e)) = f {
            if e.as_bytes().eq_ignore_ascii_case(b"Recent") {
                *f = FlagFetch::Recent;
            }
        }
    }
    v
}

wire_list! {
    /// An address list of an [`Envelope`]: `"(" 1*address ")" / nil` (RFC 9051 §9);
    /// `NIL` is the empty list.
    ///
    /// A decoded list keeps its bytes (checked against the grammar when it
    /// was decoded: a slice of the input, or of a shared frame after
    /// `into_shared`) and reads its addresses again, without allocating, as
    /// you iterate; a list built from values holds a `Vec`. Both forms
    /// compare, hash and print by their elements. Iterating yields
    /// [`Address`] values borrowing from the list: read from the bytes for
    /// a decoded list, reborrowed (no copy) for a built one. Reading costs
    /// what decoding cost: [`to_vec`](Self::to_vec) once if you visit the
    /// addresses many times. The encoder copies a decoded list's bytes when
    /// they were received in canonical syntax.
    ///
    /// ```
    /// use imapkit_proto::{Address, AddressList, NString};
    ///
    /// let to: AddressList = vec![Address::new(
    ///     NString::NIL,
    ///     NString::NIL,
    ///     "alice".into(),
    ///     "example.org".into(),
    /// )]
    /// .into();
    /// assert_eq!(to.len(), 1);
    /// assert_eq!(to.iter().next().unwrap().host.as_bytes(), Some(&b"example.org"[..]));
    /// ```
    AddressList, AddressIter, Address, enclosed: true, yields: value, built: as_built
}

wire_list! {
    /// A `body-fld-param` list (RFC 9051 §9): `Content-Type` or
    /// `Content-Disposition` parameters; `NIL` is the empty list.
    ///
    /// Iterating yields [`BodyParam`] values (see [`AddressList`]).
    ParamList, ParamIter, BodyParam, enclosed: true, yields: value, built: as_built
}

wire_list! {
    /// The parts of a multipart body (`1*body` in `body-type-mpart`, RFC 9051
    /// §9): never empty.
    ///
    /// Iterating yields `Cow<BodyStructure>` (see [`AddressList`]): a part
    /// of a built list holds `Vec`s that could not be reborrowed without
    /// allocating, so it is lent as it is. A decoded part's own lists are
    /// read lazily too.
    PartList, PartIter, BodyStructure, enclosed: false, yields: cow, built: as_built
}

wire_list! {
    /// The flags of a message in a FETCH response (`FLAGS (...)`,
    /// `flag-fetch` of RFC 9051 §9), `\Recent` included.
    ///
    /// Iterating yields [`FlagFetch`] values (see [`AddressList`]), which
    /// can be matched directly:
    ///
    /// ```
    /// use imapkit_proto::{Flag, FlagFetch, FlagFetchList};
    ///
    /// let flags: FlagFetchList = vec![FlagFetch::Recent, FlagFetch::Flag(Flag::Seen)].into();
    /// let seen = flags.iter().any(|f| matches!(f, FlagFetch::Flag(Flag::Seen)));
    /// assert!(seen);
    /// for f in &flags {
    ///     match f {
    ///         FlagFetch::Flag(Flag::Seen) => println!("read"),
    ///         FlagFetch::Flag(other) => println!("{other}"),
    ///         FlagFetch::Recent => {}
    ///     }
    /// }
    /// assert!(flags.contains(&Flag::Seen));
    /// ```
    FlagFetchList, FlagFetchIter, FlagFetch, enclosed: true, yields: value, built: canonical_flags
}

impl FlagFetchList<'_> {
    /// Whether the message has `flag` (system flags compare by variant,
    /// keywords by name, ASCII case-insensitively: RFC 9051 §9, note 1).
    pub fn contains(&self, flag: &Flag<'_>) -> bool {
        self.iter().any(|f| match (&f, flag) {
            (FlagFetch::Flag(Flag::Keyword(a)), Flag::Keyword(b)) => {
                a.as_bytes().eq_ignore_ascii_case(b.as_bytes())
            }
            (FlagFetch::Flag(Flag::Extension(a)), Flag::Extension(b)) => {
                a.as_bytes().eq_ignore_ascii_case(b.as_bytes())
            }
            (FlagFetch::Flag(f), flag) => f == flag,
            (FlagFetch::Recent, _) => false,
        })
    }

    /// Whether `\Recent` is set (IMAP4rev1).
    pub fn is_recent(&self) -> bool {
        self.iter().any(|f| f == FlagFetch::Recent)
    }

    /// The flags without `\Recent` (RFC 9051 §9 `flag-fetch = flag /
    /// obsolete-flag-recent`): the `flag`s, which can be stored, searched
    /// for ([`SearchKey::flag`](crate::SearchKey::flag)) and compared
    /// with the flags of IMAP4rev2, where `\Recent` no longer exists.
    /// Reads the list as [`iter`](Self::iter) does (no allocation).
    ///
    /// ```
    /// use imapkit_proto::{Flag, FlagFetch, FlagFetchList};
    ///
    /// let fetched: FlagFetchList<'_> = vec![
    ///     FlagFetch::Recent,
    ///     FlagFetch::Flag(Flag::Seen),
    ///     FlagFetch::Flag(Flag::keyword("$Junk").unwrap()),
    /// ]
    /// .into();
    /// let flags: Vec<Flag<'_>> = fetched.flags().collect();
    /// assert_eq!(flags, [Flag::Seen, Flag::keyword("$Junk").unwrap()]);
    /// ```
    pub fn flags(&self) -> impl Iterator<Item = Flag<'_>> + Clone + '_ {
        self.iter().filter_map(|f| match f {
            FlagFetch::Flag(f) => Some(f),
            FlagFetch::Recent => None,
        })
    }
}

impl Default for FlagFetchList<'_> {
    fn default() -> Self {
        FlagFetchList(ListRepr::Owned(Vec::new()))
    }
}

impl Default for AddressList<'_> {
    fn default() -> Self {
        AddressList(ListRepr::Owned(Vec::new()))
    }
}

impl Default for ParamList<'_> {
    fn default() -> Self {
        ParamList(ListRepr::Owned(Vec::new()))
    }
}

impl<'a> ParamList<'a> {
    /// The value of parameter `name` (ASCII case-insensitive), e.g. `CHARSET`.
    pub fn get(&self, name: &str) -> Option<Cow<'_, [u8]>> {
        self.iter()
            .find(|p| p.name.as_bytes().eq_ignore_ascii_case(name.as_bytes()))
            .map(|p| {
                let value = p.value.into_inner();
                // Elements borrow from the list (read or reborrowed).
                match value.as_borrowed() {
                    Some(b) => Cow::Borrowed(b),
                    None => Cow::Owned(value.as_bytes().to_vec()),
                }
            })
    }
}

impl<'a> PartList<'a> {
    /// The first part (a multipart has at least one, except one kept from
    /// a server that sent none, see `imapkit_codec::decode::Quirks`).
    pub fn first(&self) -> Option<Cow<'_, BodyStructure<'_>>> {
        self.iter().next()
    }
}

impl<'a> From<Vec1<BodyStructure<'a>>> for PartList<'a> {
    fn from(v: Vec1<BodyStructure<'a>>) -> Self {
        PartList(ListRepr::Owned(v.into_vec()))
    }
}

// Reborrowing the elements of built lists: the same values borrowing from
// the list (no copy, no reference count), so that both forms yield values.

impl Flag<'_> {
    /// The same flag borrowing from `self` (no copy, no reference count).
    pub fn reborrow(&self) -> Flag<'_> {
        match self {
            Flag::Answered => Flag::Answered,
            Flag::Flagged => Flag::Flagged,
            Flag::Deleted => Flag::Deleted,
            Flag::Seen => Flag::Seen,
            Flag::Draft => Flag::Draft,
            Flag::Extension(a) => Flag::Extension(a.reborrow()),
            Flag::Keyword(a) => Flag::Keyword(a.reborrow()),
        }
    }
}

impl FlagFetch<'_> {
    /// The same flag borrowing from `self` (no copy, no reference count).
    pub fn reborrow(&self) -> FlagFetch<'_> {
        match self {
            FlagFetch::Flag(f) => FlagFetch::Flag(f.reborrow()),
            FlagFetch::Recent => FlagFetch::Recent,
        }
    }
}

impl FlagPerm<'_> {
    /// The same flag borrowing from `self` (no copy, no reference count).
    pub fn reborrow(&self) -> FlagPerm<'_> {
        match self {
            FlagPerm::Flag(f) => FlagPerm::Flag(f.reborrow()),
            FlagPerm::Asterisk => FlagPerm::Asterisk,
        }
    }
}

impl Address<'_> {
    /// The same address borrowing from `self` (no copy, no reference count).
    pub fn reborrow(&self) -> Address<'_> {
        Address {
            name: self.name.reborrow(),
            adl: self.adl.reborrow(),
            mailbox: self.mailbox.reborrow(),
            host: self.host.reborrow(),
        }
    }
}

impl BodyParam<'_> {
    /// The same parameter borrowing from `self` (no copy, no reference count).
    pub fn reborrow(&self) -> BodyParam<'_> {
        BodyParam {
            name: self.name.reborrow(),
            value: self.value.reborrow(),
        }
    }
}

/// The storage of a single value kept in wire form ([`Encapsulated`],
/// [`Envelope`], [`BodyStructureItem`]): the checked bytes it was decoded
/// from with the function that reads it again, or the value a program
/// built. Each owner reads the value its own way (`read`'s type names its
/// lifetimes); what does not depend on the value is here.
#[derive(Clone)]
pub(crate) enum Kept<'a, T, F> {
    Wire {
        bytes: Buf<'a>,
        verbatim: bool,
        read: F,
    },
    Owned(Box<T>),
}

impl<'a, T, F> Kept<'a, T, F> {
    pub(crate) fn wire(bytes: Buf<'a>, verbatim: bool, read: F) -> Self {
        Kept::Wire {
            bytes,
            verbatim,
            read,
        }
    }

    /// The bytes as received, when the encoder may write them unchanged.
    pub(crate) fn verbatim(&self) -> Option<&[u8]> {
        match self {
            Kept::Wire {
                bytes,
                verbatim: true,
                ..
            } => Some(bytes.as_bytes()),
            _ => None,
        }
    }

    /// The value a program built (`None` for a decoded one).
    pub(crate) fn built(&self) -> Option<&T> {
        match self {
            Kept::Owned(x) => Some(x),
            Kept::Wire { .. } => None,
        }
    }

    /// Whether both were decoded from the same bytes (and so hold the same
    /// value; other pairs compare by value).
    pub(crate) fn same_bytes(&self, other: &Self) -> bool {
        matches!(
            (self, other),
            (Kept::Wire { bytes: a, .. }, Kept::Wire { bytes: b, .. })
                if a.as_bytes() == b.as_bytes()
        )
    }
}

impl<T: IntoStatic, F: 'static> IntoStatic for Kept<'_, T, F> {
    type Static = Kept<'static, T::Static, F>;
    #[inline]
    fn into_static_in(self, frame: Option<&Bytes>) -> Self::Static {
        match self {
            Kept::Wire {
                bytes,
                verbatim,
                read,
            } => Kept::Wire {
                bytes: bytes.into_static_in(frame),
                verbatim,
                read,
            },
            Kept::Owned(x) => Kept::Owned(Box::new((*x).into_static_in(frame))),
        }
    }
}

/// The envelope and body structure of an encapsulated message (a
/// `MESSAGE/RFC822` or `MESSAGE/GLOBAL` part, RFC 9051 §7.5.2).
///
/// Decoded parts keep the bytes `envelope SP body` and read them on access
/// (see [`AddressList`]).
#[derive(Clone)]
pub struct Encapsulated<'a>(Kept<'a, (Envelope<'a>, BodyStructure<'a>), ReadEncapsulated>);

type ReadEncapsulated = for<'r> fn(&'r [u8]) -> (Envelope<'r>, BodyStructure<'r>);

impl<'a> Encapsulated<'a> {
    /// An encapsulated message from its envelope and body structure.
    pub fn new(envelope: Envelope<'a>, body: BodyStructure<'a>) -> Self {
        Encapsulated(Kept::Owned(Box::new((envelope, body))))
    }

    /// Decoded from `envelope SP body` bytes (doc-hidden: for the decoder,
    /// which has checked them; see `AddressList::from_wire`).
    #[doc(hidden)]
    pub fn from_wire(bytes: Buf<'a>, verbatim: bool, read: ReadEncapsulated) -> Self {
        Encapsulated(Kept::wire(bytes, verbatim, read))
    }

    /// The envelope and the body structure.
    pub fn get(&self) -> (Cow<'_, Envelope<'_>>, Cow<'_, BodyStructure<'_>>) {
        match &self.0 {
            Kept::Wire { bytes, read, .. } => {
                let (e, b) = read(bytes.as_bytes());
                (Cow::Owned(e), Cow::Owned(b))
            }
            Kept::Owned(x) => (Cow::Borrowed(&x.0), Cow::Borrowed(&x.1)),
        }
    }

    /// The encapsulated message's envelope.
    pub fn envelope(&self) -> Cow<'_, Envelope<'_>> {
        self.get().0
    }

    /// The encapsulated message's body structure.
    pub fn body(&self) -> Cow<'_, BodyStructure<'_>> {
        self.get().1
    }

    /// The bytes `envelope SP body` as received, when the encoder may write
    /// them unchanged; `None` for values built by a program.
    pub fn verbatim(&self) -> Option<&[u8]> {
        self.0.verbatim()
    }
}

impl PartialEq for Encapsulated<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.same_bytes(&other.0) || self.get() == other.get()
    }
}

impl Eq for Encapsulated<'_> {}

impl Hash for Encapsulated<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.get().hash(state);
    }
}

impl fmt::Debug for Encapsulated<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (e, b) = self.get();
        f.debug_struct("Encapsulated")
            .field("envelope", &e)
            .field("body", &b)
            .finish()
    }
}

impl IntoStatic for Encapsulated<'_> {
    type Static = Encapsulated<'static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> Encapsulated<'static> {
        Encapsulated(self.0.into_static_in(frame))
    }
}

/// The value of a FETCH `BODY` or `BODYSTRUCTURE` item (`body` of RFC 9051
/// §9): a [`BodyStructure`], kept in wire form when decoded.
///
/// A decoded item keeps its bytes (checked against the grammar: a slice of
/// the input, or of the shared frame after `into_shared`) and reads the
/// structure from them on [`get`](Self::get), as [`Encapsulated`] does: a
/// FETCH of an initial sync is then made owned with one reference count
/// for its body structure instead of one per string in it, and the item
/// stays small. A structure built by a program is held as it is. Both
/// forms compare, hash and print by the structure.
///
/// ```
/// use imapkit_proto::{Body, BodyFields, BodyKind, BodyStructure, BodyStructureItem, IString, NString};
///
/// let part = BodyStructure::Single(Body {
///     kind: BodyKind::Text { media_type: IString::from("TEXT"), subtype: IString::from("PLAIN"), lines: 1 },
///     fields: BodyFields {
///         params: Default::default(),
///         id: NString::NIL,
///         description: NString::NIL,
///         encoding: IString::from("7BIT"),
///         size: 5,
///     },
///     extension: None,
/// });
/// let item = BodyStructureItem::from(part.clone());
/// assert_eq!(*item.get(), part);
/// ```
#[derive(Clone)]
pub struct BodyStructureItem<'a>(Kept<'a, BodyStructure<'a>, ReadBody>);

/// Reads a body structure the decoder has checked.
type ReadBody = for<'r> fn(&'r [u8]) -> BodyStructure<'r>;

impl<'a> BodyStructureItem<'a> {
    /// An item holding `body`.
    pub fn new(body: BodyStructure<'a>) -> Self {
        BodyStructureItem(Kept::Owned(Box::new(body)))
    }

    /// Decoded from its bytes (doc-hidden: for the decoder, which has
    /// checked them; see `AddressList::from_wire`).
    #[doc(hidden)]
    pub fn from_wire(bytes: Buf<'a>, verbatim: bool, read: ReadBody) -> Self {
        BodyStructureItem(Kept::wire(bytes, verbatim, read))
    }

    /// The body structure (read from the bytes of a decoded item; its
    /// part and parameter lists are read lazily in turn).
    pub fn get(&self) -> Cow<'_, BodyStructure<'_>> {
        match &self.0 {
            Kept::Wire { bytes, read, .. } => Cow::Owned(read(bytes)),
            Kept::Owned(b) => Cow::Borrowed(b),
        }
    }

    /// The body structure, owned (read from the bytes of a decoded item).
    pub fn into_inner(self) -> BodyStructure<'a> {
        match self.0 {
            Kept::Wire { bytes, read, .. } => match (bytes.as_borrowed(), bytes.as_shared()) {
                (Some(b), _) => read(b),
                (None, Some(b)) => read(b).into_static_in(Some(b)),
                (None, None) => read(bytes.as_bytes()).into_static(),
            },
            Kept::Owned(b) => *b,
        }
    }

    /// The bytes as received, when the encoder may write them unchanged;
    /// `None` for structures built by a program.
    pub fn verbatim(&self) -> Option<&[u8]> {
        self.0.verbatim()
    }

    /// The structure of an item built by a program (`None` for a decoded
    /// one): the encoder reads it in place.
    pub(crate) fn built(&self) -> Option<&BodyStructure<'a>> {
        self.0.built()
    }
}

impl<'a> From<BodyStructure<'a>> for BodyStructureItem<'a> {
    fn from(body: BodyStructure<'a>) -> Self {
        BodyStructureItem::new(body)
    }
}

impl PartialEq for BodyStructureItem<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.same_bytes(&other.0) || self.get() == other.get()
    }
}

impl Eq for BodyStructureItem<'_> {}

impl Hash for BodyStructureItem<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.get().hash(state);
    }
}

impl fmt::Debug for BodyStructureItem<'_> {
    /// As the structure itself.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.get(), f)
    }
}

impl IntoStatic for BodyStructureItem<'_> {
    type Static = BodyStructureItem<'static>;
    #[inline]
    fn into_static_in(self, frame: Option<&Bytes>) -> BodyStructureItem<'static> {
        BodyStructureItem(self.0.into_static_in(frame))
    }
}
