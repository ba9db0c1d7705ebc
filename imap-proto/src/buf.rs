//! Byte storage that is borrowed from the decoder's input, held inline when
//! short, or shared without copying.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use bytes::Bytes;

/// Bytes of a protocol value: a slice of the decoder's input, a short
/// value held inline, or a shared reference-counted buffer.
///
/// Decoding yields borrowed slices ([`Buf::borrowed`]);
/// [`IntoStatic::into_static`] copies such a slice once, and
/// [`IntoStatic::into_shared`] turns a slice that lies inside a received
/// frame into a [`Bytes::slice`] of that frame, without copying. A value of
/// at most [`Buf::INLINE_MAX`] bytes (a tag, a flag, a short mailbox name
/// or response text) is held inline instead, either way: copying 22 bytes
/// costs less than the two atomic operations of a shared slice, and a kept
/// short value does not hold on to the whole buffer it was read into.
/// Equality, ordering and hashing look at the bytes only.
///
/// 32 bytes, as a `Bytes` is: the inline form and the borrowed one share
/// the room a `Bytes` leaves around its last field (the layout rustc
/// chooses today; a test checks it, and another layout would only make
/// the values larger).
///
/// ```
/// use bytes::Bytes;
/// use imapkit_proto::{Buf, IntoStatic};
///
/// let frame = Bytes::from_static(b"a1 OK [READ-WRITE] SELECT completed, 42 messages\r\n");
/// let tag = Buf::borrowed(&frame[..2]).into_shared(&frame);
/// let text = Buf::borrowed(&frame[19..48]).into_shared(&frame);
/// assert_eq!(tag.as_bytes(), b"a1");
/// assert!(tag.as_shared().is_none()); // inline
/// assert_eq!(text.as_shared().unwrap().as_ptr(), frame[19..].as_ptr()); // a slice of the frame
/// ```
#[derive(Clone)]
pub struct Buf<'a>(Repr<'a>);

/// The forms of a [`Buf`]: a `Bytes`, or (in the room a `Bytes` leaves
/// around its last field, which has the niche that tells the two apart)
/// a borrowed slice or inline bytes.
#[derive(Clone)]
enum Repr<'a> {
    Shared(Bytes),
    Small(Small<'a>),
}

/// The forms of a [`Buf`] that fit in 24 bytes; the inline length's
/// niche tells them apart.
#[derive(Clone, Copy)]
enum Small<'a> {
    Borrowed(&'a [u8]),
    Inline(Inline),
}

/// At most [`Buf::INLINE_MAX`] bytes, held in place.
#[derive(Clone, Copy)]
struct Inline {
    bytes: [u8; Buf::INLINE_MAX],
    len: InlineLen,
}

/// The length of an [`Inline`]: an enum, so that the values above
/// [`Buf::INLINE_MAX`] are a niche (the room that tells [`Small`]'s forms
/// apart without a byte of its own).
#[derive(Clone, Copy)]
#[repr(u8)]
enum InlineLen {
    L0,
    L1,
    L2,
    L3,
    L4,
    L5,
    L6,
    L7,
    L8,
    L9,
    L10,
    L11,
    L12,
    L13,
    L14,
    L15,
    L16,
    L17,
    L18,
    L19,
    L20,
    L21,
    L22,
}

impl Inline {
    /// Every length, by its value.
    const LENS: [InlineLen; Buf::INLINE_MAX + 1] = {
        use InlineLen::*;
        [
            L0, L1, L2, L3, L4, L5, L6, L7, L8, L9, L10, L11, L12, L13, L14, L15, L16, L17, L18,
            L19, L20, L21, L22,
        ]
    };

    /// `b`, which is at most [`Buf::INLINE_MAX`] bytes.
    ///
    /// Read as words into registers and written whole, not copied by a
    /// call of `memcpy` of `b.len()` bytes after a zeroing: the value is
    /// moved on at once (into a command, a response, a list), and the wide
    /// reads of that move wait for narrow writes just made (the load
    /// cannot be forwarded from several smaller stores).
    #[inline]
    fn new(b: &[u8]) -> Self {
        let lo = u128::from(word_at(b, 0)) | u128::from(word_at(b, 8)) << 64;
        let hi = word_at(b, 16).to_le_bytes();
        let mut bytes = [0; Buf::INLINE_MAX];
        bytes[..16].copy_from_slice(&lo.to_le_bytes());
        bytes[16..].copy_from_slice(&hi[..Buf::INLINE_MAX - 16]);
        Self {
            bytes,
            len: Self::LENS[b.len()],
        }
    }

    #[inline]
    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }
}

/// The bytes of `b` from `at` on, at most eight, as a little-endian word
/// (zero above them), read with at most two loads and no loop.
#[inline(always)]
fn word_at(b: &[u8], at: usize) -> u64 {
    let n = b.len();
    if let Some(w) = b.get(at..at + 8) {
        return u64::from_le_bytes(w.try_into().unwrap_or([0; 8]));
    }
    if at >= n {
        return 0;
    }
    // 1 to 7 bytes left.
    let k = n - at;
    if n >= 8 {
        // The last eight bytes, shifted down to start at `at`.
        let w = u64::from_le_bytes(b[n - 8..].try_into().unwrap_or([0; 8]));
        return w >> (8 * (8 - k));
    }
    // `at` is 0 and `b` is shorter than a word: two reads that overlap
    // (equal bytes where they do, so OR puts each in its place once).
    if k >= 4 {
        let a = u32::from_le_bytes(b[..4].try_into().unwrap_or([0; 4]));
        let z = u32::from_le_bytes(b[k - 4..k].try_into().unwrap_or([0; 4]));
        return u64::from(a) | u64::from(z) << (8 * (k - 4));
    }
    u64::from(b[0]) | u64::from(b[k / 2]) << (8 * (k / 2)) | u64::from(b[k - 1]) << (8 * (k - 1))
}

impl<'a> Buf<'a> {
    /// The longest value held inline (see [`Buf`]).
    pub const INLINE_MAX: usize = 22;

    /// A slice of some input that outlives the value (no copy).
    #[inline]
    pub const fn borrowed(bytes: &'a [u8]) -> Self {
        Buf(Repr::Small(Small::Borrowed(bytes)))
    }

    /// Shared, reference-counted storage (no copy).
    #[inline]
    pub const fn shared(bytes: Bytes) -> Self {
        Buf(Repr::Shared(bytes))
    }

    /// A copy of `bytes` that owns its data: inline if it is at most
    /// [`Buf::INLINE_MAX`] bytes, else in a new `Bytes`.
    #[inline]
    pub fn copied(bytes: &[u8]) -> Buf<'static> {
        if bytes.len() <= Self::INLINE_MAX {
            Buf(Repr::Small(Small::Inline(Inline::new(bytes))))
        } else {
            Buf(Repr::Shared(Bytes::copy_from_slice(bytes)))
        }
    }

    /// The bytes.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Shared(b) => b,
            Repr::Small(Small::Borrowed(b)) => b,
            Repr::Small(Small::Inline(i)) => i.as_bytes(),
        }
    }

    /// The shared storage, if the value is held in a `Bytes` (for an
    /// encoder that references large payloads instead of copying them).
    #[inline]
    pub fn as_shared(&self) -> Option<&Bytes> {
        match &self.0 {
            Repr::Shared(b) => Some(b),
            Repr::Small(_) => None,
        }
    }

    /// The borrowed slice, if the value is one (it then outlives `self`).
    #[inline]
    pub fn as_borrowed(&self) -> Option<&'a [u8]> {
        match self.0 {
            Repr::Small(Small::Borrowed(b)) => Some(b),
            _ => None,
        }
    }

    /// The bytes in `range`, held as these are (a sub-slice, a slice of
    /// the same `Bytes`, or inline).
    ///
    /// Panics if `range` is out of bounds.
    pub fn slice(&self, range: std::ops::Range<usize>) -> Self {
        match &self.0 {
            Repr::Shared(b) => Buf::shared(b.slice(range)),
            Repr::Small(Small::Borrowed(b)) => Buf::borrowed(&b[range]),
            Repr::Small(Small::Inline(i)) => Buf::copied(&i.as_bytes()[range]),
        }
    }

    /// A buffer from a `'static` slice (no copy).
    pub const fn from_static(bytes: &'static [u8]) -> Buf<'static> {
        Buf::borrowed(bytes)
    }

    /// The same bytes borrowed from `self`: no copy and no reference count,
    /// for a value that only lives while `self` does.
    #[inline]
    pub fn reborrow(&self) -> Buf<'_> {
        Buf::borrowed(self.as_bytes())
    }

    /// The bytes as `Bytes`, copying unless they are held in one.
    pub fn into_bytes(self) -> Bytes {
        match self.0 {
            Repr::Shared(b) => b,
            Repr::Small(s) => Bytes::copy_from_slice(match &s {
                Small::Borrowed(b) => b,
                Small::Inline(i) => i.as_bytes(),
            }),
        }
    }

    /// Converts to owned storage: inline if short, else sharing `frame`
    /// when the borrowed slice lies inside it, else a copy.
    ///
    /// `Bytes::slice` with the offset, not `Bytes::slice_ref`: the bounds
    /// are checked here already, and `slice` (generic) is inlined into
    /// the conversions of the types that hold a `Buf`, `slice_ref` is a call.
    #[inline]
    fn share_or_copy(self, frame: Option<&Bytes>) -> Buf<'static> {
        match self.0 {
            Repr::Small(Small::Borrowed(b)) => {
                if b.len() <= Self::INLINE_MAX {
                    return Buf(Repr::Small(Small::Inline(Inline::new(b))));
                }
                if let Some(frame) = frame {
                    let at = (b.as_ptr() as usize).wrapping_sub(frame.as_ptr() as usize);
                    if at <= frame.len() && b.len() <= frame.len() - at {
                        return Buf::shared(frame.slice(at..at + b.len()));
                    }
                }
                Buf::shared(Bytes::copy_from_slice(b))
            }
            Repr::Small(Small::Inline(i)) => Buf(Repr::Small(Small::Inline(i))),
            Repr::Shared(b) => Buf::shared(b),
        }
    }
}

impl Deref for Buf<'_> {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsRef<[u8]> for Buf<'_> {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialEq for Buf<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}
impl Eq for Buf<'_> {}

impl PartialOrd for Buf<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Buf<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl Hash for Buf<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state)
    }
}

impl fmt::Debug for Buf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b\"{}\"", self.as_bytes().escape_ascii())
    }
}

impl<'a> From<&'a [u8]> for Buf<'a> {
    fn from(b: &'a [u8]) -> Self {
        Buf::borrowed(b)
    }
}
impl<'a> From<&'a str> for Buf<'a> {
    fn from(s: &'a str) -> Self {
        Buf::borrowed(s.as_bytes())
    }
}
impl<'a, const N: usize> From<&'a [u8; N]> for Buf<'a> {
    /// `Literal::try_new(b"hello")` works without `&b"hello"[..]`.
    fn from(b: &'a [u8; N]) -> Self {
        Buf::borrowed(b)
    }
}
impl<'a> From<&'a Vec<u8>> for Buf<'a> {
    fn from(v: &'a Vec<u8>) -> Self {
        Buf::borrowed(v)
    }
}
impl<'a> From<&'a String> for Buf<'a> {
    fn from(s: &'a String) -> Self {
        Buf::borrowed(s.as_bytes())
    }
}
impl<'a> From<std::borrow::Cow<'a, [u8]>> for Buf<'a> {
    fn from(c: std::borrow::Cow<'a, [u8]>) -> Self {
        match c {
            std::borrow::Cow::Borrowed(b) => Buf::borrowed(b),
            std::borrow::Cow::Owned(v) => Buf::from(v),
        }
    }
}
impl<'a> From<std::borrow::Cow<'a, str>> for Buf<'a> {
    fn from(c: std::borrow::Cow<'a, str>) -> Self {
        match c {
            std::borrow::Cow::Borrowed(s) => Buf::borrowed(s.as_bytes()),
            std::borrow::Cow::Owned(s) => Buf::from(s),
        }
    }
}
impl From<Vec<u8>> for Buf<'static> {
    fn from(v: Vec<u8>) -> Self {
        if v.len() <= Buf::INLINE_MAX {
            Buf::copied(&v)
        } else {
            Buf::shared(Bytes::from(v))
        }
    }
}
impl From<String> for Buf<'static> {
    fn from(s: String) -> Self {
        Buf::from(s.into_bytes())
    }
}
impl From<Bytes> for Buf<'static> {
    fn from(b: Bytes) -> Self {
        Buf::shared(b)
    }
}

/// Conversion of a borrowed value into one that owns (or shares) its data.
///
/// Implemented by every type in this crate that has a lifetime. Implementors
/// write [`IntoStatic::into_static_in`]; callers use [`IntoStatic::into_static`]
/// (copies borrowed bytes once) or [`IntoStatic::into_shared`] (no copy for bytes
/// that lie inside `frame`, e.g. the frame buffer a decoder read from).
pub trait IntoStatic: Sized {
    /// The owned form, usually `Self` with `'static`.
    type Static: 'static;

    /// Converts, sharing `frame` for borrowed slices inside it when given.
    fn into_static_in(self, frame: Option<&Bytes>) -> Self::Static;

    /// Converts, copying borrowed bytes.
    fn into_static(self) -> Self::Static {
        self.into_static_in(None)
    }

    /// Converts, sharing `frame` for borrowed bytes inside it (no payload copy).
    fn into_shared(self, frame: &Bytes) -> Self::Static {
        self.into_static_in(Some(frame))
    }
}

impl IntoStatic for Buf<'_> {
    type Static = Buf<'static>;
    #[inline]
    fn into_static_in(self, frame: Option<&Bytes>) -> Buf<'static> {
        self.share_or_copy(frame)
    }
}

impl<T: IntoStatic> IntoStatic for Vec<T> {
    type Static = Vec<T::Static>;
    /// Also gives back spare capacity of 1 KiB or more (see
    /// `trim_spare_capacity`).
    #[inline]
    fn into_static_in(self, frame: Option<&Bytes>) -> Self::Static {
        if self.is_empty() {
            // `NIL` lists (ENVELOPE's empty address lists, no extensions):
            // nothing to convert and no allocation to keep.
            return Vec::new();
        }
        let mut v: Vec<T::Static> = self.into_iter().map(|x| x.into_static_in(frame)).collect();
        trim_large_spare_capacity(&mut v);
        v
    }
}

/// Gives back spare capacity beyond a quarter of the length (and one
/// element): decoders reserve room for typical lists (a FETCH response's
/// item list starts with 8), which a value kept for long should not carry,
/// but moving a list of 6 or 7 items into a smaller allocation would copy
/// them to save one. For the lists a client keeps: the decoder's owned
/// FETCH items and the conversion of a decoded FETCH response.
/// (Doc-hidden: for the decoder, which builds some owned lists directly.)
#[doc(hidden)]
#[inline]
pub fn trim_spare_capacity<T>(v: &mut Vec<T>) {
    if v.capacity() - v.len() > v.len() / 4 + 1 {
        v.shrink_to_fit();
    }
}

/// [`trim_spare_capacity`] when the room given back is at least
/// [`TRIM_MIN_BYTES`]: what any list made owned does. Giving back a few
/// hundred bytes (two FETCH attributes of a command in room for eight)
/// costs a `realloc` of about 700 instructions, more than a short command
/// takes to decode, for a value that usually lives as long as its command.
#[inline]
fn trim_large_spare_capacity<T>(v: &mut Vec<T>) {
    let spare = v.capacity() - v.len();
    if spare.saturating_mul(size_of::<T>()) >= TRIM_MIN_BYTES {
        trim_spare_capacity(v);
    }
}

/// The least spare room, in bytes, that a list made owned gives back.
const TRIM_MIN_BYTES: usize = 1024;

impl<T: IntoStatic> IntoStatic for Option<T> {
    type Static = Option<T::Static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> Self::Static {
        self.map(|x| x.into_static_in(frame))
    }
}

impl<T: IntoStatic> IntoStatic for Box<T> {
    type Static = Box<T::Static>;
    fn into_static_in(self, frame: Option<&Bytes>) -> Self::Static {
        Box::new((*self).into_static_in(frame))
    }
}

impl<A: IntoStatic, B: IntoStatic> IntoStatic for (A, B) {
    type Static = (A::Static, B::Static);
    fn into_static_in(self, frame: Option<&Bytes>) -> Self::Static {
        (self.0.into_static_in(frame), self.1.into_static_in(frame))
    }
}

/// Implements [`IntoStatic`] as the identity for types without borrowed data.
#[macro_export]
#[doc(hidden)]
macro_rules! impl_into_static_copy {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::IntoStatic for $t {
            type Static = $t;
            fn into_static_in(self, _: Option<&::bytes::Bytes>) -> $t { self }
        }
    )*};
}

impl_into_static_copy!(
    u8,
    u16,
    u32,
    u64,
    i64,
    bool,
    std::num::NonZeroU32,
    std::num::NonZeroU64,
    char
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn into_shared_does_not_copy_slices_of_the_frame() {
        let frame = Bytes::from_static(b"* 1 FETCH (BODY[] {23}\r\nhello, this is the body)\r\n");
        let inner = &frame[24..47];
        let buf = Buf::borrowed(inner).into_shared(&frame);
        let b = buf.as_shared().expect("shared");
        assert_eq!(&b[..], b"hello, this is the body");
        assert_eq!(b.as_ptr(), inner.as_ptr());
    }

    #[test]
    fn into_shared_copies_foreign_slices() {
        let frame = Bytes::from_static(b"abc");
        let other = b"xyz, a slice of something else".to_vec();
        let buf = Buf::borrowed(&other).into_shared(&frame);
        assert_eq!(buf.as_bytes(), &other[..]);
        assert_ne!(buf.as_ptr(), other.as_ptr());
    }

    /// Inline values are read in words (`word_at`): every length up to
    /// the limit, from every place in a longer buffer, keeps exactly its
    /// bytes (each byte distinct, so a byte read into the wrong place or
    /// twice would show).
    #[test]
    fn inline_values_keep_every_byte_at_every_length() {
        let source: Vec<u8> = (1..=64).collect();
        for n in 0..=Buf::INLINE_MAX {
            for at in 0..source.len() - n {
                let b = &source[at..at + n];
                assert_eq!(Buf::copied(b).as_bytes(), b, "{n} bytes at {at}");
                assert_eq!(Buf::borrowed(b).into_static().as_bytes(), b);
            }
            // The whole input, with nothing around it to read.
            let alone = source[..n].to_vec();
            assert_eq!(Buf::copied(&alone).as_bytes(), &alone[..]);
        }
    }

    #[test]
    fn short_values_are_held_inline() {
        assert_eq!(size_of::<Buf<'_>>(), size_of::<Bytes>());
        let frame = Bytes::from_static(b"0123456789012345678901234567890");
        for n in [0, 1, 21, 22, 23, 31] {
            let owned = Buf::borrowed(&frame[..n]).into_shared(&frame);
            assert_eq!(owned.as_bytes(), &frame[..n]);
            // Up to 22 bytes inline (no frame held), longer ones a slice.
            assert_eq!(owned.as_shared().is_some(), n > Buf::INLINE_MAX, "{n}");
            let copied = Buf::borrowed(&frame[..n]).into_static();
            assert_eq!(copied, owned);
            assert_eq!(Buf::copied(&frame[..n]), owned);
            assert_eq!(Buf::from(frame[..n].to_vec()), owned);
            assert!(owned.as_borrowed().is_none());
            // Cloned, sliced, compared and hashed by their bytes.
            assert_eq!(owned.clone().as_bytes(), &frame[..n]);
            if n > 0 {
                assert_eq!(owned.slice(1..n).as_bytes(), &frame[1..n]);
            }
            assert_eq!(owned.into_bytes(), frame.slice(..n));
        }
        let borrowed = Buf::borrowed(&frame[..3]);
        assert_eq!(borrowed.as_borrowed(), Some(&frame[..3]));
        assert_eq!(borrowed.slice(1..2).as_borrowed(), Some(&frame[1..2]));
    }

    #[test]
    fn owned_lists_keep_little_spare_capacity() {
        let frame = Bytes::from_static(b"a b c d");
        let words = |n: usize, cap: usize| {
            let mut v = Vec::with_capacity(cap);
            v.extend((0..n).map(|k| Buf::borrowed(&frame[2 * k..2 * k + 1])));
            v
        };
        // An empty list (a NIL address list) keeps no allocation at all.
        let empty = words(0, 8).into_shared(&frame);
        assert_eq!((empty.len(), empty.capacity()), (0, 0));
        // A list with much spare room is trimmed; one with a little keeps it,
        // and so does one whose spare room is fewer than `TRIM_MIN_BYTES`.
        let size = size_of::<Buf<'_>>();
        let cap = 2 + TRIM_MIN_BYTES.div_ceil(size);
        let trimmed = words(2, cap).into_shared(&frame);
        assert_eq!((trimmed.len(), trimmed.capacity()), (2, 2));
        let kept = words(4, 6).into_shared(&frame);
        assert_eq!((kept.len(), kept.capacity()), (4, 6));
        assert_eq!(kept[3].as_bytes(), b"d");
        let small = words(2, cap - 1).into_shared(&frame);
        assert_eq!((small.len(), small.capacity()), (2, cap - 1));
    }
}
