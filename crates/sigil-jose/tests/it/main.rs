//! The one integration-test binary for sigil-jose.

// Helpers outside #[test] fns are test code too; a failed setup must abort loudly.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;
mod props;
mod rules;
mod wycheproof;
