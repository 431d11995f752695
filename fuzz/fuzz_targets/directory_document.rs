//! Arbitrary bytes as a `sigil apply` YAML directory document; a document that parses is also
//! applied to an empty directory and exported. Never panics.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    sigil_directory::fuzzing::parse_document(data);
});
