//! Arbitrary bytes as a compact JWS/JWT: never panics, never validates.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sigil_jose::fuzzing::jws_parse(data));
