//! The one integration-test binary for sigil-jose.

mod common;
mod props;
mod rules;
mod wycheproof;
