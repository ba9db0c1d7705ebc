//! Property tests: `decode(encode(x)) == x` for every command the types can
//! hold, and for AUTHENTICATE lines; every strict prefix of an encoded
//! command is Incomplete or LiteralAnnounced.

use imapkit_codec::decode::{authenticate_data, command};
use imapkit_codec::{Decoded, Encode};
use imapkit_proto::strategies as st;
use imapkit_proto::IntoStatic;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn command_roundtrip(c in st::command()) {
        let bytes = c.to_vec();
        let (decoded, consumed) = match command(&bytes) {
            Ok(Decoded::Complete { message, consumed }) => (message.into_static(), consumed),
            other => panic!("{other:?} for {:?}", bytes.escape_ascii().to_string()),
        };
        prop_assert_eq!(consumed, bytes.len());
        prop_assert_eq!(decoded, c);
    }

    #[test]
    fn authenticate_data_roundtrip(d in st::authenticate_data()) {
        let bytes = d.to_vec();
        let (decoded, consumed) = authenticate_data(&bytes).unwrap().complete().unwrap();
        prop_assert_eq!(consumed, bytes.len());
        prop_assert_eq!(decoded.into_static(), d);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn command_prefixes_are_incomplete(c in st::command()) {
        let bytes = c.to_vec();
        for k in 0..bytes.len() {
            match command(&bytes[..k]) {
                Ok(Decoded::Incomplete) | Ok(Decoded::LiteralAnnounced { .. }) => {}
                other => panic!(
                    "prefix {k} of {:?} gave {other:?}",
                    bytes.escape_ascii().to_string()
                ),
            }
        }
    }
}
