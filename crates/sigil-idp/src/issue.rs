//! Issuing Entra v2 access tokens.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use sigil_core::UnixTime;
use sigil_crypto::RandomSource;
use sigil_jose::Signer;

use crate::request::{ClientAuth, Grant, TokenRequest};
use crate::{DirectoryView, SecretCheck, TokenError, assertion};

/// Entra's default access-token lifetime is random in this range (75 minutes on average), so
/// that a fleet of clients does not refresh in lockstep.
const DEFAULT_LIFETIME: (u64, u64) = (3600, 5400);
/// Bounds on a configured lifetime (Entra's token-lifetime policy bounds).
const LIFETIME_BOUNDS: (u64, u64) = (600, 86_400);

/// Everything about the current request that is not in the directory.
#[derive(Debug)]
pub struct IssueContext<'a> {
    /// Public base URL of the identity provider, e.g. `https://localhost:8443`.
    pub base_url: &'a str,
    /// The tenant path segment as the client sent it (GUID, domain, or `common`).
    pub tenant_segment: &'a str,
    /// The current time.
    pub now: UnixTime,
    /// The active signing key.
    pub signer: &'a Signer,
    /// Randomness for `uti` and lifetimes.
    pub rng: &'a dyn RandomSource,
}

/// A successful token response (RFC 6749 §5.1 with Entra's fields).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct TokenResponse {
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until expiry (integer, always present: msal-node treats absence as 0).
    pub expires_in: u64,
    /// Entra's extended lifetime for outage resilience; equal to `expires_in` here.
    pub ext_expires_in: u64,
    /// The signed JWT.
    pub access_token: String,
    /// The requested scope echoed (never null: MSAL Python crashes on null).
    pub scope: String,
}

/// The claims of an app-only Entra v2 access token.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct AccessTokenClaims<'a> {
    /// The resource's app id.
    pub aud: &'a str,
    /// `{base}/{tid}/v2.0`.
    pub iss: String,
    /// Issued at.
    pub iat: u64,
    /// Not before.
    pub nbf: u64,
    /// Expiry.
    pub exp: u64,
    /// The client's app id.
    pub azp: &'a str,
    /// `1` secret, `2` certificate.
    pub azpacr: &'static str,
    /// `app` for app-only tokens.
    pub idtyp: &'static str,
    /// The client's service principal object id.
    pub oid: &'a str,
    /// Granted app roles.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<&'a str>,
    /// Same as `oid` for app-only tokens.
    pub sub: &'a str,
    /// Tenant id.
    pub tid: &'a str,
    /// Unique token id.
    pub uti: String,
    /// `2.0`.
    pub ver: &'static str,
}

/// The aliases that name no single tenant. The client-credentials flow needs a real tenant.
const MULTI_TENANT_ALIASES: [&str; 3] = ["common", "organizations", "consumers"];

/// Run the `client_credentials` grant.
pub fn client_credentials(
    dir: &dyn DirectoryView,
    ctx: &IssueContext<'_>,
    req: &TokenRequest,
) -> Result<TokenResponse, TokenError> {
    let Grant::ClientCredentials { scope } = &req.grant;
    let segment = ctx.tenant_segment;
    if MULTI_TENANT_ALIASES
        .iter()
        .any(|a| a.eq_ignore_ascii_case(segment))
    {
        return Err(TokenError::tenant_required(segment));
    }
    let tid = dir
        .tenant_id(segment)
        .ok_or_else(|| TokenError::tenant_not_found(segment))?;
    let client_id = req.client.client_id();
    let client = dir
        .client(tid, client_id)
        .ok_or_else(|| TokenError::unknown_client(client_id, tid))?;

    let azpacr = match &req.client {
        ClientAuth::Secret { secret, .. } => {
            match dir.check_secret(tid, client.app_id, secret, ctx.now) {
                SecretCheck::Valid => "1",
                SecretCheck::Expired => return Err(TokenError::expired_secret(client.app_id)),
                SecretCheck::Invalid => return Err(TokenError::invalid_secret(client.app_id)),
            }
        }
        ClientAuth::Assertion { assertion, .. } => {
            let audiences = [
                format!("{}/{}/oauth2/v2.0/token", ctx.base_url, segment),
                format!("{}/{}/oauth2/v2.0/token", ctx.base_url, tid),
                format!("{}/{}/v2.0", ctx.base_url, tid),
                format!("{}/oauth2/v2.0/token", ctx.base_url),
            ];
            assertion::verify(dir, tid, client.app_id, assertion, &audiences, ctx.now)?;
            "2"
        }
    };

    let resource_id = single_default_scope(scope)?;
    let resource = dir
        .resource(tid, resource_id)
        .ok_or_else(|| TokenError::unknown_resource(resource_id, tid))?;
    let roles = dir.granted_roles(tid, client.sp_object_id, resource.sp_object_id);
    if roles.is_empty() && resource.assignment_required {
        return Err(TokenError::not_assigned(
            client.app_id,
            client.display_name,
            resource_id,
        ));
    }

    let lifetime = lifetime(resource.access_token_lifetime_secs, ctx.rng)?;
    let now = ctx.now.as_secs();
    let claims = AccessTokenClaims {
        aud: resource.app_id,
        iss: format!("{}/{}/v2.0", ctx.base_url, tid),
        iat: now,
        nbf: now,
        exp: now + lifetime.as_secs(),
        azp: client.app_id,
        azpacr,
        idtyp: "app",
        oid: client.sp_object_id,
        roles,
        sub: client.sp_object_id,
        tid,
        uti: unique_token_id(ctx.rng)?,
        ver: "2.0",
    };
    let access_token = ctx
        .signer
        .sign_claims(&claims)
        .map_err(|_| TokenError::server_error())?;
    Ok(TokenResponse {
        token_type: "Bearer",
        expires_in: lifetime.as_secs(),
        ext_expires_in: lifetime.as_secs(),
        access_token,
        scope: scope.clone(),
    })
}

/// The client-credentials flow takes exactly one `{resource}/.default` scope.
fn single_default_scope(scope: &str) -> Result<&str, TokenError> {
    let mut items = scope.split(' ').filter(|s| !s.is_empty());
    let (Some(only), None) = (items.next(), items.next()) else {
        return Err(TokenError::bad_scope(scope));
    };
    match only.strip_suffix("/.default") {
        Some(resource) if !resource.is_empty() => Ok(resource),
        _ => Err(TokenError::bad_scope(scope)),
    }
}

fn lifetime(configured: Option<u32>, rng: &dyn RandomSource) -> Result<Duration, TokenError> {
    if let Some(secs) = configured {
        return Ok(Duration::from_secs(
            u64::from(secs).clamp(LIFETIME_BOUNDS.0, LIFETIME_BOUNDS.1),
        ));
    }
    let mut b = [0u8; 8];
    rng.fill(&mut b).map_err(|_| TokenError::server_error())?;
    let span = DEFAULT_LIFETIME.1 - DEFAULT_LIFETIME.0 + 1;
    Ok(Duration::from_secs(
        DEFAULT_LIFETIME.0 + u64::from_le_bytes(b) % span,
    ))
}

/// 16 random bytes, base64url: Entra's `uti` has the same shape (22 characters).
fn unique_token_id(rng: &dyn RandomSource) -> Result<String, TokenError> {
    let mut b = [0u8; 16];
    rng.fill(&mut b).map_err(|_| TokenError::server_error())?;
    Ok(URL_SAFE_NO_PAD.encode(b))
}

#[cfg(test)]
mod tests;
