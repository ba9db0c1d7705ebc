#![no_main]
//! Checks `imap_codec::fuzzing::decode_command` on arbitrary bytes.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| imap_codec::fuzzing::decode_command(data));
