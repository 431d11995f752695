//! Sigil's directory: tenants, app registrations, service principals, consents and users, as
//! Microsoft Entra ID models them (Graph property names).
//!
//! What it provides:
//! - the model ([`Directory`] and its parts), serde-ready for storage;
//! - the `sigil apply` document ([`Document::parse`]) and [`apply`], which merges a document
//!   into a directory idempotently, with stable ids, a change summary, secrets generated once,
//!   and every error located as `file:line:col: field: message`;
//! - [`export`], the inverse: the directory as a document (never a secret);
//! - [`DirectoryIndex`], the hash-map lookups the token endpoint needs (tenant by id or
//!   domain, client and resource by appId or identifier URI, granted roles and scopes);
//! - [`verify_client_secret`]: constant-time keyed-hash check of a client secret.
//!
//! What it is not: storage (the caller keeps the [`Directory`], e.g. as rows or JSON, and
//! writes an [`ApplyOutcome`] in one transaction), a server, or a CLI. It does no I/O: the
//! environment, files, randomness, the hash key and the time are passed in. The format is
//! documented in `docs/directory.md`.

mod apply;
mod cert;
mod diff;
mod document;
mod error;
mod export;
pub mod fuzzing;
mod index;
mod model;
mod secret;
mod yaml;

pub use apply::{
    ApplyInputs, ApplyOptions, ApplyOutcome, Environment, FileSource, GeneratedSecret, apply,
};
pub use diff::{Change, ChangeOp, EntityKind};
pub use document::Document;
pub use error::{ApplyError, ApplyWarning, SecretError};
pub use export::{ExportError, TenantFilter, export};
pub use index::{ClientRef, DirectoryIndex, ResourceRef, split_scope};
pub use model::{
    ApiApplication, AppRole, AppRoleAssignment, Application, ConsentType, Directory, KeyCredential,
    KeyCredentialType, KeyUsage, MemberType, OAuth2PermissionGrant, PasswordCredential,
    PermissionScope, RedirectUris, RequiredResourceAccess, ResourceAccess, ResourceAccessType,
    ScopeType, ServicePrincipal, SignInAudience, Tenant, User,
};
pub use secret::{
    GENERATED_SECRET_LEN, MIN_SECRET_LEN, generate_secret, hash_secret, secret_hint,
    verify_client_secret,
};

#[cfg(test)]
pub(crate) mod tests_support {
    /// The example of product.md, "Directory format (sigil apply)", verbatim.
    pub(crate) const PRODUCT_EXAMPLE: &str =
        include_str!("../tests/it/fixtures/product-example.yaml");
}
