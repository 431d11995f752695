//! Token acquisition for services calling APIs protected by Sigil or Microsoft Entra ID: the
//! Rust counterpart of MSAL's `AcquireTokenForClient` plus Microsoft.Identity.Web's token
//! cache, for the client-credentials grant.
//!
//! - [`ClientCredential`]: a secret, or a certificate whose key signs a client assertion.
//! - [`TokenClient::token`]: a cache keyed by (authority, client, resource) that refreshes
//!   5 minutes before expiry, is single-flight (1,000 concurrent callers make one request),
//!   serves a still-valid token if a refresh fails, retries 429/5xx with backoff honouring
//!   `Retry-After`, and reports refusals as [`TokenError::Refused`] with the AADSTS code.
//! - [`BearerClient`]: a `reqwest` client that attaches the token.
//!
//! # What it is not
//! Not a user sign-in library (no authorization code, device code or on-behalf-of flows yet).
//!
//! ```no_run
//! # async fn demo() -> Result<(), sigil_token_client::TokenError> {
//! use sigil_token_client::{TokenClient, secret};
//! let tokens = TokenClient::builder(
//!     "https://localhost:8443/11111111-1111-1111-1111-111111111111",
//!     "22222222-0000-4000-8000-000000000001",
//!     secret("the TransactionProcessor secret"),
//! )
//! .build();
//! let t = tokens.token("api://fraud-detector/.default").await?;
//! # let _ = t; Ok(()) }
//! ```

mod bearer;
mod cache;
mod client;
mod credential;
mod error;

pub use bearer::{BearerClient, SendError};
pub use cache::{AccessToken, TokenCache};
pub use client::{RetryPolicy, TokenClient, TokenClientBuilder, secret};
pub use credential::ClientCredential;
pub use error::TokenError;
