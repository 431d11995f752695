//! The identity provider's protocol logic, free of I/O.
//!
//! Input: a parsed token request, a read-only view of the directory ([`DirectoryView`]), the
//! active signer, the time and a random source. Output: a token response or a [`TokenError`]
//! that carries the OAuth error code, the AADSTS number and the HTTP status Entra would use.
//! The HTTP server (`sigil-idp-server`) only decodes requests and renders these values.
//!
//! Implemented grants: `client_credentials` (secret in the body or HTTP Basic, or a
//! `private_key_jwt` client assertion signed RS256/PS256 with a registered certificate).
//! Other grants answer `unsupported_grant_type` (AADSTS70003) until they are built.

mod assertion;
mod error;
mod issue;
mod request;
mod view;

pub use error::{ErrorCode, TokenError};
pub use issue::{AccessTokenClaims, IssueContext, TokenResponse, client_credentials};
pub use request::{ClientAuth, Grant, TokenRequest};
pub use view::{CertCredential, ClientInfo, DirectoryView, ResourceInfo, SecretCheck, Thumbprint};
