//! Service-side authentication for APIs protected by Sigil or Microsoft Entra ID: the Rust
//! counterpart of Microsoft.Identity.Web's `AddMicrosoftIdentityWebApi`, `[RequiredScope]` and
//! `[Authorize(Roles = ...)]`.
//!
//! - [`Authn`] validates bearer tokens with `sigil-jose`'s strict rules, **access tokens only**
//!   (an ID token is refused), against configured audiences, issuers and optionally tenants.
//! - Keys come from discovery or a JWKS URL, are cached and shared by every request, refresh
//!   in the background, refetch once per interval on an unknown `kid` (single flight), and
//!   survive an IdP outage. The service is ready ([`Authn::is_ready`]) once keys are loaded.
//! - [`AuthnLayer`] (tower) authenticates and enforces a [`Requirement`]; refusals are RFC 6750
//!   `WWW-Authenticate` answers that never echo token contents.
//! - [`Principal`] exposes object id, tenant, client app, scopes, roles and the raw token.
//!
//! # What it is not
//! Not a token issuer or client (see `sigil-token-client`), and independent of Sigil's IdP: it
//! talks to any OpenID Connect authority over HTTPS.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use sigil_authn::{Authn, AuthnLayer, AuthnOptions, Principal, Requirement};
//! let authn = Authn::new(
//!     AuthnOptions::authority("https://localhost:8443/11111111-1111-1111-1111-111111111111")
//!         .audience("api://fraud-detector"),
//!     reqwest::Client::new(),
//! )?;
//! let app: axum::Router = axum::Router::new()
//!     .route("/fraud/analyze", axum::routing::post(|p: Principal| async move {
//!         format!("hello {:?}", p.client_app_id())
//!     }))
//!     .layer(AuthnLayer::new(authn).require(Requirement::app_roles(["Fraud.Scan"])));
//! # Ok(()) }
//! ```

mod authn;
mod error;
#[cfg(feature = "axum")]
mod extract;
mod guard;
mod jwks;
mod layer;
mod options;
mod principal;

pub use authn::{Authn, bearer};
pub use error::AuthError;
pub use guard::Requirement;
pub use jwks::{ConfigError, Current, FetchError, KeySnapshot};
pub use layer::{AuthnLayer, AuthnService};
pub use options::AuthnOptions;
pub use principal::Principal;
