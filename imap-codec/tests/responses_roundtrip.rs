//! `decode(encode(x)) == x` for every response and greeting the types can hold.

use imapkit_codec::decode::{greeting, response};
use imapkit_codec::{Decoded, Encode};
use imapkit_proto::strategies as st;
use imapkit_proto::IntoStatic;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn response_roundtrip(r in st::response()) {
        let b = r.to_vec();
        match response(&b) {
            Ok(Decoded::Complete { message, consumed }) => {
                prop_assert_eq!(consumed, b.len());
                prop_assert_eq!(message.into_static(), r);
            }
            other => prop_assert!(false, "{:?} for {:?}", other, b.escape_ascii().to_string()),
        }
    }

    #[test]
    fn greeting_roundtrip(g in st::greeting()) {
        let b = g.to_vec();
        match greeting(&b) {
            Ok(Decoded::Complete { message, consumed }) => {
                prop_assert_eq!(consumed, b.len());
                prop_assert_eq!(message.into_static(), g);
            }
            other => prop_assert!(false, "{:?} for {:?}", other, b.escape_ascii().to_string()),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Strict prefixes of encoded responses never decode as an error.
    #[test]
    fn response_prefixes(r in st::response()) {
        let b = r.to_vec();
        for k in 0..b.len() {
            match response(&b[..k]) {
                Ok(Decoded::Incomplete) | Ok(Decoded::LiteralAnnounced { .. }) => {}
                other => prop_assert!(false, "prefix {} of {:?}: {:?}", k, b.escape_ascii().to_string(), other.map(|d| d.complete().map(|c| c.1))),
            }
        }
    }
}
