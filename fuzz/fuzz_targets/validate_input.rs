//! Arbitrary bytes as what the validation policies read from a caller: a JSON body checked
//! against a schema, parameter text read as every type, a Content-Type. Never panics; what is
//! accepted has the type it claims.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sigil_policy::fuzzing::validate_input(data));
