//! The FinTech demo end to end: an in-process Sigil (test kit), FraudDetector and
//! TransactionProcessor on 127.0.0.1:0, the demo directory plus a few hostile extras.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup fails loudly

mod env;
mod refusals;
mod rotation;
