//! The FitBuzz demo end to end: an in-process Sigil IdP with the demo directory, the Workouts
//! service, and the gateway running the shipped `gateway/` folder, on 127.0.0.1:0.
//! One rule of the gateway policy per test module.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test setup fails loudly

mod env;
mod limits;
mod masking;
mod refusals;
mod tiers;
