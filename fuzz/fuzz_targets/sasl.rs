#![no_main]
//! Checks `imapkit_state::sasl::fuzzing::sasl` on arbitrary bytes: the first
//! byte picks a SASL parser (a server half on client messages, a client half
//! on challenges, SCRAM attributes, GS2 headers), the rest is its input.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| imapkit_state::sasl::fuzzing::sasl(data));
