//! Property tests: `decode(encode(items)) == items` for FETCH item lists,
//! and every strict prefix of an encoding is incomplete.

#[path = "fetch_util/mod.rs"]
mod util;

use imapkit_codec::decode::decode_msg_att_list;
use imapkit_codec::{Decoded, Encode};
use imapkit_proto::strategies as st;
use imapkit_proto::{IntoStatic, MessageDataItem};
use proptest::prelude::*;

fn roundtrip(items: &[MessageDataItem<'static>]) -> Result<(), TestCaseError> {
    let wire = util::encode_items(items);
    let decoded = decode_msg_att_list(&wire)
        .map_err(|e| TestCaseError::fail(format!("{e} in {:?}", String::from_utf8_lossy(&wire))))?;
    let Decoded::Complete { message, consumed } = decoded else {
        return Err(TestCaseError::fail(format!(
            "not complete: {:?}",
            String::from_utf8_lossy(&wire)
        )));
    };
    prop_assert_eq!(consumed, wire.len());
    let owned: Vec<MessageDataItem<'static>> = message
        .into_vec()
        .into_iter()
        .map(IntoStatic::into_static)
        .collect();
    prop_assert_eq!(owned.as_slice(), items);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn message_data_items_roundtrip(items in proptest::collection::vec(st::message_data_item(), 1..5)) {
        roundtrip(&items)?;
    }

    #[test]
    fn body_structures_roundtrip(b in st::body_structure(), plain in any::<bool>()) {
        let item = if plain { MessageDataItem::Body(b.into()) } else { MessageDataItem::BodyStructure(b.into()) };
        roundtrip(&[item])?;
    }

    #[test]
    fn envelopes_roundtrip(e in st::envelope()) {
        roundtrip(&[MessageDataItem::Envelope(e)])?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn prefixes_of_encodings_are_incomplete(items in proptest::collection::vec(st::message_data_item(), 1..3)) {
        let wire = util::encode_items(&items);
        prop_assume!(wire.len() < 4096);
        util::check_prefixes(&wire);
    }
}

#[test]
fn encoding_writes_into_the_callers_buffer() {
    let item = MessageDataItem::Rfc822Size(5);
    let mut buf = Vec::with_capacity(64);
    imapkit_codec::encode(&item, &mut buf);
    assert_eq!(buf, b"RFC822.SIZE 5");
    assert_eq!(item.to_vec(), buf);
}
