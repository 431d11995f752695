//! HTTP plumbing shared by Sigil's servers.
//!
//! - [`tls`]: a rustls server configuration from PEM (TLS 1.2+, HTTP/2 and HTTP/1.1 by ALPN).
//! - [`serve`]: an accept loop over hyper-util that serves an axum `Router` over TLS or plain
//!   TCP and, on shutdown, stops accepting, lets in-flight requests finish, and gives up after a
//!   grace period; [`serve_with`] does the same for any hyper service made per connection.
//! - [`health`]: `/healthz` (the process is alive) and `/readyz` (its dependencies answer).
//!
//! It is not a framework: routes and their error mapping belong to each server crate.

pub mod health;
pub mod serve;
pub mod tls;

pub use serve::{PeerAddr, ServeError, Shutdown, serve, serve_with};
