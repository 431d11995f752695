//! What the token endpoint needs to know about the directory, as a read-only trait.
//!
//! The server implements it over its in-memory directory index; tests implement it over a few
//! literals. Keeping the protocol logic behind this seam means it never touches storage.

use sigil_core::UnixTime;

/// A registered client application, as seen from one tenant.
#[derive(Clone, Copy, Debug)]
pub struct ClientInfo<'a> {
    /// The application (client) id.
    pub app_id: &'a str,
    /// Object id of the client's service principal in the tenant (`oid`/`sub` of app tokens).
    pub sp_object_id: &'a str,
    /// Display name (appears in error messages, as in Entra's).
    pub display_name: &'a str,
}

/// A resource (API) application, as seen from one tenant.
#[derive(Clone, Copy, Debug)]
pub struct ResourceInfo<'a> {
    /// The resource's application id: the `aud` of v2 access tokens.
    pub app_id: &'a str,
    /// Object id of the resource's service principal in the tenant.
    pub sp_object_id: &'a str,
    /// Clients without an app role assignment are refused (Sigil's default: true).
    pub assignment_required: bool,
    /// Access-token lifetime override, seconds.
    pub access_token_lifetime_secs: Option<u32>,
}

/// The outcome of checking a presented client secret against an application's credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretCheck {
    /// Matches a current credential.
    Valid,
    /// Matches only credentials whose end date has passed.
    Expired,
    /// Matches nothing.
    Invalid,
}

/// How a client assertion names its certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Thumbprint<'a> {
    /// `x5t`: SHA-1 of the DER certificate.
    Sha1(&'a [u8; 20]),
    /// `x5t#S256`: SHA-256 of the DER certificate.
    Sha256(&'a [u8; 32]),
}

/// A registered certificate credential.
#[derive(Clone, Copy, Debug)]
pub struct CertCredential<'a> {
    /// The DER certificate.
    pub der: &'a [u8],
    /// Start of validity (Unix seconds).
    pub not_before: u64,
    /// End of validity (Unix seconds).
    pub not_after: u64,
}

/// Read-only directory lookups for one request.
pub trait DirectoryView {
    /// The tenant GUID (lowercase) for a GUID or a verified domain in the URL.
    fn tenant_id(&self, id_or_domain: &str) -> Option<&str>;
    /// The client application `app_id` as seen from `tenant`.
    fn client(&self, tenant: &str, app_id: &str) -> Option<ClientInfo<'_>>;
    /// Check a presented secret against the client's password credentials, in constant time.
    fn check_secret(
        &self,
        tenant: &str,
        app_id: &str,
        presented: &str,
        now: UnixTime,
    ) -> SecretCheck;
    /// The client's certificate credential with this thumbprint.
    fn certificate(
        &self,
        tenant: &str,
        app_id: &str,
        thumb: Thumbprint<'_>,
    ) -> Option<CertCredential<'_>>;
    /// The resource named by an identifier URI or app id, as seen from `tenant`.
    fn resource(&self, tenant: &str, identifier: &str) -> Option<ResourceInfo<'_>>;
    /// Values of the app roles (application permissions) granted to the client's service
    /// principal on the resource's service principal.
    fn granted_roles(&self, tenant: &str, client_sp: &str, resource_sp: &str) -> Vec<&str>;
}
