#![no_main]
//! Checks `imapkit_codec::fuzzing::utf7_mailbox` on arbitrary bytes.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| imapkit_codec::fuzzing::utf7_mailbox(data));
