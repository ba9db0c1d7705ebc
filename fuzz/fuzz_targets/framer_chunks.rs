#![no_main]
//! Checks `imapkit_codec::fuzzing::framer_chunks` on arbitrary bytes.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| imapkit_codec::fuzzing::framer_chunks(data));
