#![no_main]
//! Checks `imapkit_state::fuzzing::server_session` on arbitrary bytes: they decode
//! into a setup and a list of operations (see that function's module for
//! the format and the invariants it checks).

use std::time::Instant;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| imapkit_state::fuzzing::server_session(Instant::now(), data));
