//! Verifying a `private_key_jwt` client assertion (RFC 7523) the way Entra does.
//!
//! The certificate is chosen by the assertion's `x5t` (SHA-1) or `x5t#S256` thumbprint, padded
//! or not, among the application's registered key credentials only; an embedded `x5c` is never
//! trusted. RS256 and PS256 are accepted. `iss` and `sub` must be the client id; `aud` the token
//! endpoint (or, as Entra tolerates, the issuer or the tenant-less endpoint). `exp` is required
//! and may be a float; a reused `jti` within the assertion's lifetime is tolerated (MSAL Python
//! reuses assertions for minutes), and an expired assertion is refused, so replay is bounded by
//! `exp`, which may not be more than [`MAX_ASSERTION_LIFETIME`] ahead.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sigil_core::UnixTime;
use sigil_jose::{
    Algorithm, KeySet, Limits, ValidationError, ValidationOptions, Validator, VerifyingKey,
};

use crate::{DirectoryView, Thumbprint, TokenError};

/// Assertions whose `exp` is further ahead than this are refused (bounded replay window).
pub(crate) const MAX_ASSERTION_LIFETIME: Duration = Duration::from_secs(3600);
const SKEW: Duration = Duration::from_secs(300);
/// MSAL Python and msal-node put the certificate (`x5c`) in the assertion header: about 1.5 KB
/// for RSA-2048, more for a chain. The default 1 KiB header limit is for access tokens.
const ASSERTION_LIMITS: Limits = Limits {
    max_token_len: 32 * 1024,
    max_header_len: 16 * 1024,
    max_payload_len: 8 * 1024,
};

#[derive(serde::Deserialize)]
struct PeekHeader {
    kid: Option<String>,
    x5t: Option<String>,
    #[serde(rename = "x5t#S256")]
    x5t_s256: Option<String>,
}

fn decode_thumb(s: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).ok()
}

/// Verify `assertion` for `client_id`; `audiences` are the accepted `aud` values.
pub(crate) fn verify(
    dir: &dyn DirectoryView,
    tenant: &str,
    client_id: &str,
    assertion: &str,
    audiences: &[String],
    now: UnixTime,
) -> Result<(), TokenError> {
    let bad = |code: u32, msg: &str| TokenError::bad_assertion(code, msg.to_owned());
    let header_b64 = assertion.split('.').next().unwrap_or_default();
    let header: PeekHeader = URL_SAFE_NO_PAD
        .decode(header_b64)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| {
            bad(
                50027,
                "Invalid JWT token. The client assertion is not a well-formed JWT.",
            )
        })?;

    let sha256 = header
        .x5t_s256
        .as_deref()
        .and_then(decode_thumb)
        .and_then(|v| <[u8; 32]>::try_from(v).ok());
    let sha1 = header
        .x5t
        .as_deref()
        .and_then(decode_thumb)
        .and_then(|v| <[u8; 20]>::try_from(v).ok());
    let cert = match (&sha256, &sha1) {
        (Some(t), _) => dir.certificate(tenant, client_id, Thumbprint::Sha256(t)),
        (None, Some(t)) => dir.certificate(tenant, client_id, Thumbprint::Sha1(t)),
        (None, None) => {
            return Err(bad(
                700027,
                "The client assertion header must carry the certificate thumbprint in 'x5t' or 'x5t#S256'.",
            ));
        }
    }
    .ok_or_else(|| {
        bad(700027, "The certificate with identifier used to sign the client assertion is not registered on application.")
    })?;
    let now_s = now.as_secs();
    if now_s < cert.not_before || now_s > cert.not_after {
        return Err(bad(
            700027,
            "The certificate used to sign the client assertion is expired or not yet valid on application.",
        ));
    }

    let key = VerifyingKey::from_certificate_der(cert.der).map_err(|_| {
        bad(
            700027,
            "The registered certificate's public key cannot verify RS256 or PS256 signatures.",
        )
    })?;
    let mut keys = KeySet::new();
    keys.insert(header.kid, None, key)
        .map_err(|_| TokenError::server_error())?;
    let mut opts = ValidationOptions::new()
        .issuer(client_id)
        .algorithms(&[Algorithm::RS256, Algorithm::PS256])
        .skew(SKEW)
        .limits(ASSERTION_LIMITS);
    for a in audiences {
        opts = opts.audience(a.clone());
    }
    let validator = Validator::new(opts, keys).map_err(|_| TokenError::server_error())?;
    let verified = validator.validate(assertion, now).map_err(|e| match e {
        ValidationError::Expired
        | ValidationError::NotYetValid
        | ValidationError::IssuedInFuture => bad(
            700024,
            "Client assertion is not within its valid time range.",
        ),
        ValidationError::AudienceNotAllowed => bad(
            700025,
            "The audience of the client assertion must be the token endpoint of this tenant.",
        ),
        ValidationError::IssuerNotAllowed => bad(
            700021,
            "Client assertion application identifier doesn't match 'client_id' parameter.",
        ),
        _ => bad(700027, "Client assertion failed signature validation."),
    })?;
    let claims = verified.claims();
    if claims.sub.as_deref() != Some(client_id) {
        return Err(bad(
            700021,
            "Client assertion subject doesn't match 'client_id' parameter.",
        ));
    }
    let exp = claims.exp.map(|e| e.0).unwrap_or_default();
    let max = now
        .saturating_add(MAX_ASSERTION_LIFETIME)
        .saturating_add(SKEW)
        .as_secs();
    if u64::try_from(exp).unwrap_or(u64::MAX) > max {
        return Err(bad(
            700024,
            "Client assertion contains an exp too far in the future (at most 1 hour).",
        ));
    }
    Ok(())
}
