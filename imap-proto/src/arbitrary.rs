//! `arbitrary::Arbitrary` for the message types (feature `arbitrary`).
//!
//! Every value is built by the validated generators of [`crate::strategies`],
//! with the fuzzer's bytes as the seed of their randomness: every value the
//! grammar cannot express is excluded by construction. A fuzzer can thus check
//! `decode(encode(x)) == x` without false alarms.
//!
//! ```
//! use arbitrary::{Arbitrary, Unstructured};
//! use imapkit_proto::Command;
//!
//! let bytes = [7u8; 64];
//! let command = Command::arbitrary(&mut Unstructured::new(&bytes)).unwrap();
//! # let _ = command;
//! ```

use arbitrary::{Arbitrary, Result, Unstructured};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use crate::{
    AuthenticateData, BodyStructure, Command, Envelope, Greeting, Mailbox, MessageDataItem,
    Response, SearchKey, SequenceSet,
};

/// Draws a value of `strategy`, with all of `u`'s remaining bytes as the
/// seed of its random source.
///
/// The bytes are hashed into a ChaCha seed rather than read directly
/// (proptest's pass-through source reads zeros once the bytes run out, and its
/// rejection sampling then never ends): a changed byte gives another value,
/// and libFuzzer's coverage feedback keeps the inputs whose values reach new
/// code.
pub fn from_unstructured<S: Strategy>(u: &mut Unstructured<'_>, strategy: S) -> Result<S::Value> {
    let len = u.len();
    let input = u.bytes(len)?;
    let mut seed = [0u8; 32];
    for (k, lane) in seed.chunks_mut(8).enumerate() {
        // FNV-1a over the input, once per lane with a different basis.
        let h = input.iter().fold(
            0xcbf2_9ce4_8422_2325u64 ^ (k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            |h, &b| (h ^ b as u64).wrapping_mul(0x100_0000_01B3),
        );
        lane.copy_from_slice(&h.to_le_bytes());
    }
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed);
    let config = Config {
        max_local_rejects: 1024,
        max_global_rejects: 1024,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(config, rng);
    strategy
        .new_tree(&mut runner)
        .map(|tree| tree.current())
        .map_err(|_| arbitrary::Error::IncorrectFormat)
}

macro_rules! arbitrary_via {
    ($($t:ty => $s:expr),* $(,)?) => {$(
        impl<'u> Arbitrary<'u> for $t {
            fn arbitrary(u: &mut Unstructured<'u>) -> Result<Self> {
                from_unstructured(u, $s)
            }

            fn arbitrary_take_rest(mut u: Unstructured<'u>) -> Result<Self> {
                from_unstructured(&mut u, $s)
            }
        }
    )*};
}

arbitrary_via! {
    Command<'static> => crate::strategies::command(),
    AuthenticateData<'static> => crate::strategies::authenticate_data(),
    Response<'static> => crate::strategies::response(),
    Greeting<'static> => crate::strategies::greeting(),
    MessageDataItem<'static> => crate::strategies::message_data_item(),
    BodyStructure<'static> => crate::strategies::body_structure(),
    Envelope<'static> => crate::strategies::envelope(),
    SearchKey<'static> => crate::strategies::search_key(),
    Mailbox<'static> => crate::strategies::mailbox(),
    SequenceSet => crate::strategies::sequence_set(),
}
