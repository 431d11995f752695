//! Parse + type-check arbitrary policy expression text: must never panic or overflow the stack.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    sigil_expr::fuzzing::parse_and_compile(data);
});
