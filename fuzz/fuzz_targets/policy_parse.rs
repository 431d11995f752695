//! Arbitrary bytes as an APIM policy document (rawxml pre-pass, XML, model): never panics.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sigil_policy::fuzzing::parse_policy(data));
