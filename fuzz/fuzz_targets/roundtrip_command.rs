#![no_main]
//! Structured input: an arbitrary `Command` (feature `arbitrary` of imap-proto)
//! encodes, decodes to the same value, and encodes canonically.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|value: imapkit_proto::Command<'static>| imapkit_codec::fuzzing::roundtrip_command(&value));
