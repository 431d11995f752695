//! Arbitrary bytes as a JWT payload (sigil_expr::Claims): never panics, members read back.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sigil_expr::fuzzing::claims_parse(data));
