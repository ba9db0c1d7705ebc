#![no_main]
//! Checks `imapkit_codec::fuzzing::framer_decoder_agree` on arbitrary bytes:
//! the framer and the whole-buffer decoders agree on every message boundary
//! and literal, under any chunking (issue 14).

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| imapkit_codec::fuzzing::framer_decoder_agree(data));
