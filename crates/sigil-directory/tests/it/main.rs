//! Integration tests of sigil-directory: the product example, idempotency, prune, error
//! fixtures with golden output, export round trips, index lookups, and property tests.

// Helpers outside #[test] fns are test code too; a panic there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod apply;
mod errors;
mod export;
mod index;
mod props;
mod support;
