//! Eight bytes at a time in a `u64` (SWAR, safe code): the word tricks the
//! short scans of the hot paths share (a quoted string's end, text's end,
//! a STATUS attribute's end, a command's NUL or 8-bit byte, a line's
//! quotes). For the 5 to 100 bytes these scans read, they beat `memchr`,
//! whose set-up for each search dominates, and a byte-at-a-time loop.

/// 0x01 in every byte.
pub(crate) const LO: u64 = 0x0101_0101_0101_0101;
/// 0x80 in every byte.
pub(crate) const HI: u64 = 0x8080_8080_8080_8080;

/// The eight bytes of `chunk` (exactly eight) as a little-endian word:
/// byte `n` of the chunk is bits `8n..8n+8`.
#[inline(always)]
pub(crate) fn word(chunk: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(chunk);
    u64::from_le_bytes(w)
}

/// Flags (high bit) the bytes of `v` below `n` (`n` at most 0x80), by the
/// borrow trick: a byte above a flagged one may be flagged falsely, the
/// lowest flagged byte never is (borrows only propagate upwards). With
/// `n = 1`, the zero bytes.
#[inline(always)]
pub(crate) fn below(v: u64, n: u8) -> u64 {
    v.wrapping_sub(LO * u64::from(n)) & !v & HI
}

/// Flags the bytes of `w` equal to `b`, lowest flagged byte exact (as
/// [`below`]).
#[inline(always)]
pub(crate) fn eq_lowest(w: u64, b: u8) -> u64 {
    below(w ^ (LO * u64::from(b)), 1)
}

/// Flags exactly the bytes of `w` equal to `b` (no false flags: the sum
/// stays within each byte's low seven bits), for reading every match of a
/// word in turn.
#[inline(always)]
pub(crate) fn eq_exact(w: u64, b: u8) -> u64 {
    const LOW7: u64 = !HI;
    let v = w ^ (LO * u64::from(b));
    !(((v & LOW7) + LOW7) | v) & HI
}

/// The index in its word of the lowest flagged byte of a non-zero mask.
#[inline(always)]
pub(crate) fn lowest(mask: u64) -> usize {
    (mask.trailing_zeros() / 8) as usize
}
