//! Byte storage that is borrowed from the decoder's input or shared without copying.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use bytes::Bytes;

/// Bytes of a protocol value: a slice of the decoder's input, or a shared
/// reference-counted buffer.
///
/// Decoding yields `Buf::Borrowed`; [`IntoStatic::into_static`] copies such a
/// slice once into a [`Bytes`], and [`IntoStatic::into_shared`] turns a slice
/// that lies inside a received frame into a [`Bytes::slice_ref`] of that frame,
/// without copying. Equality, ordering and hashing look at the bytes only.
#[derive(Clone)]
pub enum Buf<'a> {
    /// A slice of some input that outlives the value.
    Borrowed(&'a [u8]),
    /// Shared, reference-counted storage.
    Shared(Bytes),
}

impl<'a> Buf<'a> {
    /// The bytes.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Buf::Borrowed(b) => b,
            Buf::Shared(b) => b,
        }
    }

    /// A buffer from a `'static` slice (no copy).
    pub const fn from_static(bytes: &'static [u8]) -> Buf<'static> {
        Buf::Borrowed(bytes)
    }

    /// The same bytes borrowed from `self`: no copy and no reference count,
    /// for a value that only lives while `self` does.
    #[inline]
    pub fn reborrow(&self) -> Buf<'_> {
        Buf::Borrowed(self.as_bytes())
    }

    /// The bytes as `Bytes`, copying only when they are borrowed.
    pub fn into_bytes(self) -> Bytes {
        match self {
            Buf::Borrowed(b) => Bytes::copy_from_slice(b),
            Buf::Shared(b) => b,
        }
    }

    /// Converts to owned storage, sharing `frame` when the borrowed slice lies inside it.
    ///
    /// `Bytes::slice` with the offset, not `Bytes::slice_ref`: the bounds
    /// are checked here already, and `slice` (generic) is inlined into
    /// the conversions of the types that hold a `Buf`, `slice_ref` is a call.
    #[inline]
    fn share_or_copy(self, frame: Option<&Bytes>) -> Buf<'static> {
        match self {
            Buf::Borrowed(b) => {
                if let Some(frame) = frame {
                    let at = (b.as_ptr() as usize).wrapping_sub(frame.as_ptr() as usize);
                    if at <= frame.len() && b.len() <= frame.len() - at {
                        return Buf::Shared(frame.slice(at..at + b.len()));
                    }
                }
                Buf::Shared(Bytes::copy_from_slice(b))
            }
            Buf::Shared(b) => Buf::Shared(b),
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
        Buf::Borrowed(b)
    }
}
impl<'a> From<&'a str> for Buf<'a> {
    fn from(s: &'a str) -> Self {
        Buf::Borrowed(s.as_bytes())
    }
}
impl<'a, const N: usize> From<&'a [u8; N]> for Buf<'a> {
    /// `Literal::try_new(b"hello")` works without `&b"hello"[..]`.
    fn from(b: &'a [u8; N]) -> Self {
        Buf::Borrowed(b)
    }
}
impl<'a> From<&'a Vec<u8>> for Buf<'a> {
    fn from(v: &'a Vec<u8>) -> Self {
        Buf::Borrowed(v)
    }
}
impl<'a> From<&'a String> for Buf<'a> {
    fn from(s: &'a String) -> Self {
        Buf::Borrowed(s.as_bytes())
    }
}
impl<'a> From<std::borrow::Cow<'a, [u8]>> for Buf<'a> {
    fn from(c: std::borrow::Cow<'a, [u8]>) -> Self {
        match c {
            std::borrow::Cow::Borrowed(b) => Buf::Borrowed(b),
            std::borrow::Cow::Owned(v) => Buf::from(v),
        }
    }
}
impl<'a> From<std::borrow::Cow<'a, str>> for Buf<'a> {
    fn from(c: std::borrow::Cow<'a, str>) -> Self {
        match c {
            std::borrow::Cow::Borrowed(s) => Buf::Borrowed(s.as_bytes()),
            std::borrow::Cow::Owned(s) => Buf::from(s),
        }
    }
}
impl From<Vec<u8>> for Buf<'static> {
    fn from(v: Vec<u8>) -> Self {
        Buf::Shared(Bytes::from(v))
    }
}
impl From<String> for Buf<'static> {
    fn from(s: String) -> Self {
        Buf::Shared(Bytes::from(s))
    }
}
impl From<Bytes> for Buf<'static> {
    fn from(b: Bytes) -> Self {
        Buf::Shared(b)
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
        let frame = Bytes::from_static(b"* 1 FETCH (BODY[] {5}\r\nhello)\r\n");
        let inner = &frame[23..28];
        let buf = Buf::Borrowed(inner).into_shared(&frame);
        match buf {
            Buf::Shared(b) => {
                assert_eq!(&b[..], b"hello");
                assert_eq!(b.as_ptr(), inner.as_ptr());
            }
            Buf::Borrowed(_) => panic!("expected shared"),
        }
    }

    #[test]
    fn into_shared_copies_foreign_slices() {
        let frame = Bytes::from_static(b"abc");
        let other = b"xyz".to_vec();
        let buf = Buf::Borrowed(&other).into_shared(&frame);
        assert_eq!(buf.as_bytes(), b"xyz");
        assert_ne!(buf.as_ptr(), other.as_ptr());
    }

    #[test]
    fn owned_lists_keep_little_spare_capacity() {
        let frame = Bytes::from_static(b"a b c d");
        let words = |n: usize, cap: usize| {
            let mut v = Vec::with_capacity(cap);
            v.extend((0..n).map(|k| Buf::Borrowed(&frame[2 * k..2 * k + 1])));
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
