//! End-to-end tests of the `sigil` binary as a user runs it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup fails loudly

mod ca;
mod config_errors;
mod gateway;
mod proc;
mod up;
