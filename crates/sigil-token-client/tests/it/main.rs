//! sigil-token-client against a scripted token endpoint on 127.0.0.1:0.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup fails loudly

mod acquire;
mod fake;
