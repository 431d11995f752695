//! Integration tests: the gateway served by sigil-http on loopback, in front of an echo backend.

// Helpers outside #[test] fns are test code too; a failed setup must abort loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod errors;
mod hygiene;
mod jwt;
mod key_refresh;
mod limits;
mod policies;
mod reload;
mod seed;
mod subscriptions;
mod support;
mod validation;
