#![no_main]
//! Structured input: an arbitrary `Response` (feature `arbitrary` of imap-proto)
//! encodes, decodes to the same value, and encodes canonically.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|value: imapkit_proto::Response<'static>| imapkit_codec::fuzzing::roundtrip_response(&value));
