//! Arbitrary bytes as a JWK / JWKS: never panics; parsed keys round-trip.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sigil_jose::fuzzing::jwk_parse(data));
