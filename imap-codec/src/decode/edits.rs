//! Inputs for the differential tests of the decoder's fast paths: a valid
//! encoding, its prefixes and random edits of it, each run through a check
//! that compares a fast path with the general reading.

use proptest::prelude::*;

/// Up to three edits: where (an index, or `at_most` bytes from the start),
/// which byte of the noise, and how (replace, insert, remove).
pub(crate) type Edits = Vec<(prop::sample::Index, usize, u8)>;

/// A strategy for [`Edits`] over `noise`.
pub(crate) fn edits(noise: &'static [u8]) -> impl Strategy<Value = Edits> {
    prop::collection::vec((any::<prop::sample::Index>(), 0..noise.len(), 0..3u8), 0..4)
}

/// Runs `check` on `bytes`, on its prefix at `cut`, and after each of
/// `edits` (applied one after the other, at positions below `at_most`).
pub(crate) fn check_edited(
    mut bytes: Vec<u8>,
    cut: prop::sample::Index,
    edits: Edits,
    noise: &[u8],
    at_most: usize,
    check: impl Fn(&[u8]),
) {
    check(&bytes);
    check(&bytes[..cut.index(bytes.len() + 1)]);
    for (at, n, how) in edits {
        let at = at.index(bytes.len().min(at_most));
        match how {
            0 => bytes[at] = noise[n],
            1 => bytes.insert(at, noise[n]),
            _ => {
                bytes.remove(at);
            }
        }
        check(&bytes);
    }
}
