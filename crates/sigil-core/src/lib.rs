//! Shared vocabulary for every Sigil crate.
//!
//! This crate is layer 0: it has no I/O, no async runtime and no crypto backend. It holds the
//! things every other crate must agree on: how time is read ([`Clock`]) and how secrets are
//! carried ([`Secret`]).
//!
//! It is *not* a grab-bag: a type belongs here only if two unrelated crates need it.

mod clock;
mod secret;

pub use clock::{Clock, FixedClock, SystemClock, UnixTime};
pub use secret::{Secret, constant_time_eq};
