//! Integration tests of sigil-directory: the product example, idempotency, prune, error
//! fixtures with golden output, export round trips, index lookups, and property tests.

mod apply;
mod errors;
mod export;
mod index;
mod props;
mod support;
