//! Nesting limits and zero-copy guarantees of the FETCH decoder.

use imapkit_codec::decode::{decode_msg_att_list, MAX_BODY_DEPTH};
use imapkit_codec::Decoded;
use imapkit_proto::{BinaryData, BodyStructure, IString, MessageDataItem, NString};

const LEAF: &str = "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)";

/// A multipart nested `depth` levels around one text part.
fn nested(depth: usize) -> Vec<u8> {
    let mut s = String::from("(BODYSTRUCTURE ");
    for _ in 0..depth {
        s.push('(');
    }
    s.push_str(LEAF);
    for _ in 0..depth {
        s.push_str(" \"MIXED\")");
    }
    s.push(')');
    s.into_bytes()
}

#[test]
fn deep_body_structure_is_an_error_not_a_crash() {
    let input = nested(10_000);
    let err = decode_msg_att_list(&input).expect_err("too deep");
    assert!(err.reason.contains("nested too deeply"), "{err}");
    // Only the opening parentheses: also an error, long before the end.
    let opening = [b"(BODYSTRUCTURE ".as_slice(), &[b'('; 10_000]].concat();
    assert!(decode_msg_att_list(&opening).is_err());
}

#[test]
fn nesting_up_to_the_limit_decodes() {
    // MAX_BODY_DEPTH levels in all: MAX_BODY_DEPTH - 1 multiparts around the leaf.
    let ok = nested(MAX_BODY_DEPTH - 1);
    let (items, _) = decode_msg_att_list(&ok).unwrap().complete().unwrap();
    match &items[0] {
        MessageDataItem::BodyStructure(b) => assert_eq!(b.get().depth(), MAX_BODY_DEPTH),
        other => panic!("{other:?}"),
    }
    assert!(decode_msg_att_list(&nested(MAX_BODY_DEPTH)).is_err());
}

#[test]
fn deep_message_rfc822_nesting_is_bounded() {
    let env = "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)";
    let mut s = String::new();
    for _ in 0..5_000 {
        s.push_str("(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 1 ");
        s.push_str(env);
        s.push(' ');
    }
    let input = format!("(BODY {s}");
    assert!(decode_msg_att_list(input.as_bytes()).is_err());
}

#[test]
fn deep_extension_data_is_bounded() {
    let open = "(".repeat(10_000);
    let close = ")".repeat(10_000);
    let input = format!("(X-UNKNOWN {open}1{close})");
    assert!(decode_msg_att_list(input.as_bytes()).is_err());
    let input = format!(
        "(BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL NIL NIL NIL {open}1{close}))"
    );
    assert!(decode_msg_att_list(input.as_bytes()).is_err());
}

fn inside(outer: &[u8], inner: &[u8]) -> bool {
    let (o, i) = (outer.as_ptr() as usize, inner.as_ptr() as usize);
    i >= o && i + inner.len() <= o + outer.len()
}

#[test]
fn body_section_payload_is_borrowed_from_the_input() {
    let payload = vec![b'x'; 100_000];
    let mut input = b"(UID 1 BODY[] {100000}\r\n".to_vec();
    input.extend_from_slice(&payload);
    input.push(b')');
    let (items, _) = decode_msg_att_list(&input).unwrap().complete().unwrap();
    let MessageDataItem::BodySection {
        data: NString(Some(IString::Literal(lit))),
        ..
    } = &items[1]
    else {
        panic!("{:?}", &items[1]);
    };
    assert_eq!(lit.data(), &payload[..]);
    assert!(inside(&input, lit.data()), "BODY[] payload was copied");
    assert_eq!(lit.data().as_ptr(), input[24..].as_ptr());
}

#[test]
fn binary_and_envelope_strings_are_borrowed() {
    let input = b"(BINARY[1] ~{3}\r\n\x00\x01\x02 ENVELOPE (\"date\" \"subject\" NIL NIL NIL NIL NIL NIL NIL NIL))";
    let (items, _) = decode_msg_att_list(input).unwrap().complete().unwrap();
    match &items[0] {
        MessageDataItem::Binary {
            data: BinaryData::Literal8(b),
            ..
        } => assert!(inside(input, b)),
        other => panic!("{other:?}"),
    }
    match &items[1] {
        MessageDataItem::Envelope(e) => {
            assert!(inside(input, e.subject().as_bytes().unwrap()));
            assert!(inside(input, e.date().as_bytes().unwrap()));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn literal_announced_inside_a_body_structure() {
    let input = b"(BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL {20}\r\nabc";
    match decode_msg_att_list(input) {
        Ok(Decoded::LiteralAnnounced { len: 20, .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn invalid_input_is_an_error() {
    for bad in [
        &b"(UID 0)"[..],
        b"(UID x)",
        b"()",
        b"(BODY[MIME] NIL)",
        b"(BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL NIL NIL NIL NIL x))",
        b"(ENVELOPE (NIL NIL (x) NIL NIL NIL NIL NIL NIL NIL))",
        b"(MODSEQ 5)",
        b"(EMAILID (a b))",
        b"(X-FOO[1] NIL)",
        // An unknown item's value is a string, number, atom or list
        // (`ItemValue`): not a flag, not `]`.
        b"(X-FOO \\bar)",
        b"(X-FOO ])",
        b"(X-FOO (a ]))",
    ] {
        assert!(
            decode_msg_att_list(bad).is_err(),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn body_structure_depth_helper() {
    let input = nested(3);
    let (items, _) = decode_msg_att_list(&input).unwrap().complete().unwrap();
    let MessageDataItem::BodyStructure(item) = &items[0] else {
        panic!()
    };
    let b = item.get();
    assert!(matches!(*b, BodyStructure::Multipart(_)));
    assert_eq!(b.depth(), 4);
}
