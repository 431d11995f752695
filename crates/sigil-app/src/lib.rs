//! The composition root: turns configuration into running components.
//!
//! [`config`] owns both shapes of configuration (the TOML file shape, strict about unknown keys,
//! and the validated runtime shape); [`start`] opens the store, prepares TLS and binds every
//! listener, and returns a [`Running`] handle that drains gracefully on [`Running::shutdown`].
//! The `sigil` binary and the test kit both start Sigil through here, so tests run the same code
//! paths as users.

pub mod admin;
pub mod config;
pub mod gateway;
pub(crate) mod home;
mod run;

pub use config::{AdminTokenSource, AppConfig, ConfigError, RootKeySource, Sources};
pub use run::{Running, StartError, start};
