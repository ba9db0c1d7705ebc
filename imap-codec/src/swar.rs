//! Eight bytes at a time in a `u64` (SWAR, safe code): the word tricks the
//! short scans of the hot paths share (a quoted string's end, text's end,
//! a STATUS attribute's end, a command's NUL or 8-bit byte, a line's
//! quotes, a server's line end). For the 5 to 100 bytes these scans read, they beat `memchr`,
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

/// How many bytes [`find_byte`] reads a word at a time before it hands
/// the rest of its haystack to `memchr`.
const SHORT_SEARCH: usize = 64;

/// The index of the first `x` in `b`, or `None`: the first
/// [`SHORT_SEARCH`] bytes eight at a time, the rest by `memchr`. Most of
/// a server's lines (a small response) end within them, where `memchr`'s
/// dispatch (an indirect call) and set-up cost more than the search.
/// Out of line, as measured (inlined into the framer's poll it made that
/// function larger, and the command path slower when it used it).
#[inline(never)]
pub(crate) fn find_byte(b: &[u8], x: u8) -> Option<usize> {
    let head = b.len().min(SHORT_SEARCH);
    let mut k = 0;
    while k + 8 <= head {
        let m = eq_lowest(word(&b[k..k + 8]), x);
        if m != 0 {
            return Some(k + lowest(m));
        }
        k += 8;
    }
    if b.len() <= SHORT_SEARCH {
        b[k..].iter().position(|&c| c == x).map(|n| k + n)
    } else {
        memchr::memchr(x, &b[k..]).map(|n| k + n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `find_byte` finds what `memchr` finds: the byte at every place of
    /// haystacks of every length around the word and the hand-over
    /// boundaries, with bytes that differ from it by one bit or by a
    /// borrow (`x - 1`, `x + 1`, `x ^ 0x80`) everywhere before it, and
    /// none at all.
    #[test]
    fn find_byte_agrees_with_memchr() {
        for x in [b'\n', 0, 0x7f, 0x80, 0xff] {
            let decoys = [x.wrapping_sub(1), x.wrapping_add(1), x ^ 0x80, x ^ 1];
            for len in 0..(SHORT_SEARCH + 20) {
                let mut hay: Vec<u8> = (0..len).map(|k| decoys[k % decoys.len()]).collect();
                assert_eq!(
                    find_byte(&hay, x),
                    memchr::memchr(x, &hay),
                    "{x} none {len}"
                );
                for at in 0..len {
                    let old = hay[at];
                    hay[at] = x;
                    assert_eq!(find_byte(&hay, x), Some(at), "{x} at {at} of {len}");
                    hay[at] = old;
                }
            }
        }
    }
}
