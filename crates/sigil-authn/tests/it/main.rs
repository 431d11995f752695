//! sigil-authn against a local JWKS server on 127.0.0.1:0 and locally signed tokens.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup fails loudly

mod cache;
mod common;
mod layer;
mod rules;
