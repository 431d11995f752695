//! The identity provider over real HTTPS, through the test kit (the same code as `sigil up`).
//! Real Microsoft and OIDC clients are driven from `clients.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup fails loudly

mod admin;
mod assertion;
mod client_credentials;
mod clients;
mod discovery;
mod fixtures;
mod rotation;
