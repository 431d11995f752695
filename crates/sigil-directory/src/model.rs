//! The directory as data: tenants, applications, service principals, consents, users.
//!
//! Field names follow Microsoft Graph (`application`, `servicePrincipal`, `appRoleAssignment`,
//! `oAuth2PermissionGrant`) in their serde form, so the JSON the storage layer keeps reads like
//! Graph. These types are the *stored* shape: they include secret hashes (base64) and DER
//! certificates. The `sigil export` YAML is written by [`crate::export`], which never prints
//! a hash.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// The whole directory. It is small (hundreds of applications at most), so servers hold it in
/// memory and rebuild a [`crate::DirectoryIndex`] whenever it changes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Directory {
    pub tenants: Vec<Tenant>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    /// The tenant id (`tid`).
    pub id: Uuid,
    /// Verified domain names; any of them can stand for the tenant in URLs (case-insensitive).
    pub domains: Vec<String>,
    pub display_name: String,
    pub applications: Vec<Application>,
    pub service_principals: Vec<ServicePrincipal>,
    pub app_role_assignments: Vec<AppRoleAssignment>,
    #[serde(rename = "oauth2PermissionGrants")]
    pub delegated_grants: Vec<OAuth2PermissionGrant>,
    #[serde(default)]
    pub users: Vec<User>,
}

/// An app registration (Graph `application`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// Object id.
    pub id: Uuid,
    /// Client id (`appId`, the `azp` / `aud` GUID).
    pub app_id: Uuid,
    pub display_name: String,
    /// Application ID URIs (`api://…`, `https://…`), unique within the tenant.
    pub identifier_uris: Vec<String>,
    pub sign_in_audience: SignInAudience,
    pub app_roles: Vec<AppRole>,
    pub api: ApiApplication,
    pub required_resource_access: Vec<RequiredResourceAccess>,
    pub password_credentials: Vec<PasswordCredential>,
    pub key_credentials: Vec<KeyCredential>,
    /// Access-token lifetime for tokens issued *for* this application as a resource; `None`
    /// means the server default. (Entra uses token-lifetime policies; this is the common case.)
    #[serde(rename = "accessTokenLifetimeSeconds")]
    pub access_token_lifetime_secs: Option<u32>,
    pub web: RedirectUris,
    pub spa: RedirectUris,
    pub public_client: RedirectUris,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SignInAudience {
    /// Single tenant: usable only in its home tenant.
    #[default]
    AzureADMyOrg,
    /// Multi-tenant: usable in any tenant that has a service principal for it.
    AzureADMultipleOrgs,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRole {
    pub id: Uuid,
    /// The string that appears in the `roles` claim.
    pub value: String,
    pub display_name: String,
    pub description: String,
    pub allowed_member_types: Vec<MemberType>,
    pub is_enabled: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MemberType {
    /// Application permission: assignable to service principals (client credentials `roles`).
    Application,
    /// Assignable to users and groups.
    User,
}

/// Graph `apiApplication`: what the application exposes as a resource.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiApplication {
    #[serde(rename = "oauth2PermissionScopes")]
    pub oauth2_permission_scopes: Vec<PermissionScope>,
    /// 1 or 2; `None` lets the server choose (Entra's `null`, which means v1 tokens).
    pub requested_access_token_version: Option<i32>,
}

/// A delegated permission (`scp` claim value).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionScope {
    pub id: Uuid,
    pub value: String,
    #[serde(rename = "type")]
    pub kind: ScopeType,
    pub admin_consent_display_name: String,
    pub admin_consent_description: String,
    pub user_consent_display_name: String,
    pub user_consent_description: String,
    pub is_enabled: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ScopeType {
    /// Users may consent for themselves.
    #[default]
    User,
    /// Only an administrator may consent.
    Admin,
}

/// Graph `requiredResourceAccess`, plus how it was written and whether admin consent was
/// requested (a Sigil addition: Entra records consent only as grants/assignments).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequiredResourceAccess {
    pub resource_app_id: Uuid,
    /// The resource as the document named it (identifier URI or appId), kept for export.
    pub resource: String,
    pub resource_access: Vec<ResourceAccess>,
    pub admin_consent: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ResourceAccess {
    /// The id of an app role (`Role`) or permission scope (`Scope`) of the resource.
    pub id: Uuid,
    #[serde(rename = "type")]
    pub kind: ResourceAccessType,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ResourceAccessType {
    Role,
    Scope,
}

/// A client secret. Only its keyed hash is stored; the secret itself is shown once.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordCredential {
    pub key_id: Uuid,
    pub display_name: String,
    /// The first three characters of the secret, as Entra shows them.
    pub hint: String,
    /// HMAC-SHA256 of the secret under the installation's secret-hash key.
    #[serde(with = "b64")]
    pub secret_hash: Vec<u8>,
    #[serde(with = "time::serde::rfc3339")]
    pub start_date_time: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub end_date_time: OffsetDateTime,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeyCredentialType {
    #[default]
    AsymmetricX509Cert,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KeyUsage {
    /// The certificate verifies client assertions.
    #[default]
    Verify,
}

/// A certificate credential: the public certificate, its thumbprints and validity.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyCredential {
    pub key_id: Uuid,
    pub display_name: String,
    #[serde(rename = "type")]
    pub kind: KeyCredentialType,
    pub usage: KeyUsage,
    /// The DER certificate.
    #[serde(with = "b64")]
    pub cert_der: Vec<u8>,
    /// The certificate's SubjectPublicKeyInfo (DER), ready for signature verification.
    #[serde(with = "b64")]
    pub spki_der: Vec<u8>,
    /// SHA-1 of the DER certificate (the JOSE `x5t` header of RS256 assertions).
    #[serde(with = "b64_array")]
    pub x5t_sha1: [u8; 20],
    /// SHA-256 of the DER certificate (`x5t#S256`, PS256 assertions from msal-node).
    #[serde(with = "b64_array")]
    pub x5t_sha256: [u8; 32],
    /// The certificate's notBefore.
    #[serde(with = "time::serde::rfc3339")]
    pub start_date_time: OffsetDateTime,
    /// The certificate's notAfter.
    #[serde(with = "time::serde::rfc3339")]
    pub end_date_time: OffsetDateTime,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RedirectUris {
    pub redirect_uris: Vec<String>,
}

/// A service principal: the instance of an application in one tenant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    /// Object id (the `oid` / `sub` of app-only tokens).
    pub id: Uuid,
    pub app_id: Uuid,
    pub display_name: String,
    /// When true, only principals with an app role assignment may get tokens for it.
    pub app_role_assignment_required: bool,
}

/// An application permission granted to a client service principal (admin consent).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRoleAssignment {
    pub id: Uuid,
    /// The client service principal (or, later, user) receiving the role.
    pub principal_id: Uuid,
    /// The resource service principal defining the role.
    pub resource_id: Uuid,
    pub app_role_id: Uuid,
}

/// Delegated permissions granted to a client on a resource (Graph `oAuth2PermissionGrant`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuth2PermissionGrant {
    pub id: Uuid,
    /// Client service principal object id.
    pub client_id: Uuid,
    /// Resource service principal object id.
    pub resource_id: Uuid,
    pub consent_type: ConsentType,
    /// The user for `Principal` grants; `None` for `AllPrincipals`.
    pub principal_id: Option<Uuid>,
    /// Space-separated scope values.
    pub scope: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConsentType {
    AllPrincipals,
    Principal,
}

/// A user, minimal for now (interactive flows arrive in a later wave).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: Uuid,
    pub user_principal_name: String,
    pub display_name: String,
}

// === impl Tenant ===

impl Tenant {
    /// An empty tenant.
    pub fn new(id: Uuid, domains: Vec<String>, display_name: String) -> Self {
        Self {
            id,
            domains,
            display_name,
            applications: Vec::new(),
            service_principals: Vec::new(),
            app_role_assignments: Vec::new(),
            delegated_grants: Vec::new(),
            users: Vec::new(),
        }
    }

    pub fn application_by_app_id(&self, app_id: Uuid) -> Option<&Application> {
        self.applications.iter().find(|a| a.app_id == app_id)
    }

    pub fn service_principal_by_app_id(&self, app_id: Uuid) -> Option<&ServicePrincipal> {
        self.service_principals.iter().find(|s| s.app_id == app_id)
    }
}

// === impl Application ===

impl Application {
    pub fn is_multi_tenant(&self) -> bool {
        self.sign_in_audience == SignInAudience::AzureADMultipleOrgs
    }

    /// The certificate credential whose SHA-1 (`x5t`) or SHA-256 (`x5t#S256`) thumbprint is
    /// `thumbprint` (raw digest bytes, not base64). Validity is the caller's to check with
    /// [`KeyCredential::is_valid_at`].
    pub fn key_credential_by_thumbprint(&self, thumbprint: &[u8]) -> Option<&KeyCredential> {
        self.key_credentials
            .iter()
            .find(|k| match thumbprint.len() {
                20 => k.x5t_sha1 == thumbprint,
                32 => k.x5t_sha256 == thumbprint,
                _ => false,
            })
    }
}

// === impl KeyCredential ===

impl KeyCredential {
    pub fn is_valid_at(&self, now: OffsetDateTime) -> bool {
        self.start_date_time <= now && now < self.end_date_time
    }
}

impl std::fmt::Debug for KeyCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyCredential")
            .field("key_id", &self.key_id)
            .field("display_name", &self.display_name)
            .field("x5t_sha1", &hex(&self.x5t_sha1))
            .field("start_date_time", &self.start_date_time)
            .field("end_date_time", &self.end_date_time)
            .finish_non_exhaustive()
    }
}

// === impl PasswordCredential ===

/// `Debug` leaves the hash out: it is not the secret, but it is what an attacker would grind.
impl std::fmt::Debug for PasswordCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordCredential")
            .field("key_id", &self.key_id)
            .field("display_name", &self.display_name)
            .field("hint", &self.hint)
            .field("start_date_time", &self.start_date_time)
            .field("end_date_time", &self.end_date_time)
            .finish_non_exhaustive()
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

mod b64 {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(v))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        STANDARD.decode(s).map_err(serde::de::Error::custom)
    }
}

mod b64_array {
    use serde::{Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer, const N: usize>(
        v: &[u8; N],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        super::b64::serialize(v, s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
        d: D,
    ) -> Result<[u8; N], D::Error> {
        let v = super::b64::deserialize(d)?;
        <[u8; N]>::try_from(v.as_slice())
            .map_err(|_| serde::de::Error::custom(format!("expected {N} bytes")))
    }
}
