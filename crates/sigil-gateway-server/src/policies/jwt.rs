//! `validate-jwt` and `validate-azure-ad-token`.
//!
//! Order of checks, as Microsoft.IdentityModel (which APIM runs) does them: token present →
//! well-formed → signature (keys from `openid-config` and `issuer-signing-keys`, each key set
//! tried until one verifies) → lifetime (`exp` required unless `require-expiration-time` is
//! false, `nbf`, `clock-skew` default 0) → audience → issuer → (Entra: client application) →
//! required claims. Failures carry APIM's `LastError.Reason` and message texts
//! (`api-management-error-handling-policies.md`); the caller sees
//! `failed-validation-error-message` when set.

use std::borrow::Cow;
use std::sync::Arc;

use base64::Engine as _;
use serde_json::{Map, Value as J};
use sigil_expr::{Claims, Value};
use sigil_jose::{Algorithm, KeySet, Limits, ValidationError};
use sigil_policy::model::{JwtKey, RequiredClaim, TokenSource, ValidateAzureAdToken, ValidateJwt};
use sigil_policy::template::Template;

use crate::context::Exchange;
use crate::errors::Fault;
use crate::eval;
use crate::exec::Env;
use crate::keys::Material;
use crate::token_cache::{Checked, TokenCache};

/// Everything one validation needs, evaluated.
struct Rules<'p> {
    source: &'static str,
    code: u16,
    custom: Option<String>,
    require_exp: bool,
    require_signed: bool,
    skew: i64,
    // Attribute values: borrowed from the policy when they are literals (the usual case), so
    // a request allocates nothing for them.
    urls: Vec<Cow<'p, str>>,
    inline: Vec<KeySet>,
    inline_id: Vec<u8>,
    audiences: Vec<Cow<'p, str>>,
    issuers: Vec<Cow<'p, str>>,
    client_apps: Option<Vec<Cow<'p, str>>>,
    required: &'p [RequiredClaim],
}

/// A refusal: APIM reason and message.
struct Refusal(&'static str, String);

impl Refusal {
    fn denied(reason: &'static str, what: &str) -> Self {
        Self(reason, format!("{what} Access denied."))
    }
}

const NOT_PRESENT: &str = "JWT not present.";

/// `validate-jwt`
pub(crate) async fn validate_jwt(
    ex: &mut Exchange<'_>,
    env: &Env<'_>,
    p: &ValidateJwt,
) -> Result<(), Fault> {
    let custom = custom_message(ex, p.failed_validation_error_message.as_ref())?;
    let token = token(ex, &p.token, p.require_scheme.as_deref())?;
    // Only inline keys without an id need the token's kid up front (a header decode per
    // request otherwise).
    let kid = if p.issuer_signing_keys.is_empty() {
        None
    } else {
        token.as_deref().and_then(header_kid)
    };
    let (inline, inline_id) = inline_keys(ex, &p.issuer_signing_keys, kid.as_deref())?;
    let rules = Rules {
        source: "validate-jwt",
        code: p.failed_validation_httpcode,
        custom,
        require_exp: p.require_expiration_time,
        require_signed: p.require_signed_tokens,
        skew: i64::from(p.clock_skew_secs),
        urls: texts(ex, &p.openid_configs)?,
        inline,
        inline_id,
        audiences: texts(ex, &p.audiences)?,
        issuers: texts(ex, &p.issuers)?,
        client_apps: None,
        required: &p.required_claims,
    };
    run(
        ex,
        env,
        &rules,
        token,
        p.output_token_variable_name.as_deref(),
    )
    .await
}

/// `validate-azure-ad-token`: issuer and keys from the tenant's v2.0 discovery document at
/// `GatewayOptions::entra_authority` (Entra, or Sigil's own IdP).
pub(crate) async fn validate_azure_ad_token(
    ex: &mut Exchange<'_>,
    env: &Env<'_>,
    p: &ValidateAzureAdToken,
) -> Result<(), Fault> {
    let custom = custom_message(ex, p.failed_validation_error_message.as_ref())?;
    let token = token(ex, &p.token, Some("Bearer"))?;
    let tenant = eval::text(ex, &p.tenant_id)?;
    let authority = env.shared.opts.entra_authority.trim_end_matches('/');
    let mut audiences = texts(ex, &p.audiences)?;
    for b in texts(ex, &p.backend_application_ids)? {
        audiences.push(format!("api://{b}").into());
        audiences.push(b);
    }
    let rules = Rules {
        source: "validate-azure-ad-token",
        code: p.failed_validation_httpcode,
        custom,
        require_exp: true,
        require_signed: true,
        skew: 0,
        urls: vec![
            format!(
                "{authority}/{}/v2.0/.well-known/openid-configuration",
                tenant.trim()
            )
            .into(),
        ],
        inline: Vec::new(),
        inline_id: Vec::new(),
        audiences,
        issuers: Vec::new(),
        client_apps: Some(texts(ex, &p.client_application_ids)?),
        required: &p.required_claims,
    };
    run(
        ex,
        env,
        &rules,
        token,
        p.output_token_variable_name.as_deref(),
    )
    .await
}

async fn run(
    ex: &mut Exchange<'_>,
    env: &Env<'_>,
    r: &Rules<'_>,
    token: Option<String>,
    output: Option<&str>,
) -> Result<(), Fault> {
    let fail = |f: Refusal| Fault::token(r.source, f.0, f.1, r.code, r.custom.clone());
    let Some(token) = token else {
        return Err(fail(Refusal("TokenNotPresent", NOT_PRESENT.into())));
    };
    let (checked, materials) = verify(env, r, &token).await.map_err(fail)?;
    let issuers: Vec<&str> = r
        .issuers
        .iter()
        .map(|i| &**i)
        .chain(materials.iter().filter_map(|(_, m)| m.issuer.as_deref()))
        .collect();
    let now = i64::try_from(ex.clock.now().as_secs()).unwrap_or(i64::MAX);
    check_claims(r, checked.claims(), &issuers, now).map_err(fail)?;
    if let Some(name) = output {
        ex.variables
            .insert(name.to_owned(), Value::Jwt(checked.jwt()));
    }
    Ok(())
}

/// Reads the token; `None` when absent or empty.
fn token(
    ex: &Exchange<'_>,
    src: &TokenSource,
    scheme: Option<&str>,
) -> Result<Option<String>, Fault> {
    let raw = match src {
        TokenSource::Header(h) => ex
            .req_headers
            .get(h.as_str())
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        TokenSource::Query(q) => ex
            .query
            .iter()
            .find(|(k, _)| k == q)
            .map(|(_, v)| v.clone()),
        TokenSource::Value(t) => eval::text_opt(ex, t)?,
    };
    let Some(raw) = raw else { return Ok(None) };
    let raw = raw.trim();
    let is_auth = matches!(src, TokenSource::Header(h) if h.eq_ignore_ascii_case("authorization"));
    let stripped = match raw.split_once(' ') {
        Some((s, rest)) if s.eq_ignore_ascii_case(scheme.unwrap_or("Bearer")) => Some(rest.trim()),
        _ => None,
    };
    let t = match (scheme, is_auth, stripped) {
        // require-scheme applies to the Authorization header only (APIM ignores it elsewhere).
        (Some(_), true, None) => return Ok(None),
        (_, _, Some(t)) => t,
        (_, _, None) => raw,
    };
    Ok((!t.is_empty()).then(|| t.to_owned()))
}

fn custom_message(ex: &Exchange<'_>, t: Option<&Template>) -> Result<Option<String>, Fault> {
    t.map(|t| eval::text(ex, t)).transpose()
}

fn texts<'p>(ex: &Exchange<'_>, list: &'p [Template]) -> Result<Vec<Cow<'p, str>>, Fault> {
    list.iter()
        .map(|t| {
            Ok(match eval::text_cow(ex, t)? {
                Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
                Cow::Owned(s) => Cow::Owned(s.trim().to_owned()),
            })
        })
        .collect()
}

/// `issuer-signing-keys`: keys with an `id` grouped by family (a key set never mixes symmetric
/// and asymmetric keys); a key without `id` gets a set of its own bound to the token's `kid`, so
/// it is tried whatever `kid` the token names ("each key is tried until one succeeds"). Returns
/// the sets and an identity of the material for the token cache.
fn inline_keys(
    ex: &Exchange<'_>,
    keys: &[JwtKey],
    token_kid: Option<&str>,
) -> Result<(Vec<KeySet>, Vec<u8>), Fault> {
    let mut sym = KeySet::new();
    let mut rsa = KeySet::new();
    let mut loose = Vec::new();
    let mut id = Vec::new();
    for k in keys {
        let jwk = if let Some(v) = &k.value {
            let b64 = eval::text(ex, v)?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|_| Fault::bad_value("An issuer signing key", "(not base64)"))?;
            id.extend_from_slice(&sigil_crypto::sha256(&bytes));
            serde_json::json!({"kty": "oct", "k": sigil_jose::base64url::encode(&bytes)})
        } else if let (Some(n), Some(e)) = (&k.n, &k.e) {
            id.extend_from_slice(n.as_bytes());
            id.extend_from_slice(e.as_bytes());
            serde_json::json!({"kty": "RSA", "n": n, "e": e})
        } else {
            continue;
        };
        let symmetric = jwk["kty"] == "oct";
        let mut jwk = jwk;
        let kid = k.id.as_deref().or(token_kid);
        if let Some(kid) = kid {
            jwk["kid"] = J::from(kid);
        }
        let target = match (&k.id, symmetric) {
            (None, _) => {
                loose.push(KeySet::new());
                loose.last_mut()
            }
            (Some(_), true) => Some(&mut sym),
            (Some(_), false) => Some(&mut rsa),
        };
        let Some(set) = target else { continue };
        let parsed = sigil_jose::Jwk::parse(jwk.to_string().as_bytes()).and_then(|j| {
            if symmetric {
                set.insert_symmetric_jwk(&j)
            } else {
                set.insert_jwk(&j)
            }
        });
        if let Err(e) = parsed {
            tracing::warn!(error = %e, "issuer signing key refused");
        }
    }
    let sets = [sym, rsa]
        .into_iter()
        .chain(loose)
        .filter(|s| !s.is_empty())
        .collect();
    Ok((sets, id))
}

/// The `kid` of a compact token's header, if it has one (read before verification only to pick
/// keys; nothing else of the header is trusted yet).
fn header_kid(token: &str) -> Option<String> {
    let h = token.split('.').next()?;
    let bytes = sigil_jose::base64url::decode(h).ok()?;
    match serde_json::from_slice::<J>(&bytes).ok()? {
        J::Object(m) => m.get("kid").and_then(J::as_str).map(str::to_owned),
        _ => None,
    }
}

const ALGORITHMS: [Algorithm; 12] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
    Algorithm::HS256,
    Algorithm::HS384,
    Algorithm::HS512,
];

/// Signature check, through the verified-token cache.
/// The keys each `openid-config` URL gave (with the URL), as used for the check.
type Materials<'r> = Vec<(&'r str, Arc<Material>)>;

async fn verify<'r>(
    env: &Env<'_>,
    r: &'r Rules<'_>,
    token: &str,
) -> Result<(Arc<Checked>, Materials<'r>), Refusal> {
    let shared = env.shared;
    let mut materials: Materials<'r> = Vec::new();
    let mut unavailable = false;
    for u in &r.urls {
        match shared.keys.get(u).await {
            Ok(m) => materials.push((&**u, m)),
            Err(_) => unavailable = true,
        }
    }
    let now = shared.clock.now().as_secs();
    let mut key = TokenCache::key(&trust_id(r, &materials), token);
    if let Some(c) = shared.tokens.get(&key, now) {
        return Ok((c, materials));
    }
    let (header, payload_b64) = decode_header(token)?;
    let unsigned = header.get("alg").and_then(J::as_str) == Some("none");
    let payload = if unsigned {
        if r.require_signed {
            return Err(Refusal::denied(
                "TokenSignatureInvalid",
                "IDX10504: Unable to validate signature, token does not have a signature.",
            ));
        }
        sigil_jose::base64url::decode(payload_b64).map_err(|_| malformed())?
    } else {
        let mut out = try_sets(token, r, &materials);
        if matches!(out, Err(ValidationError::KeyNotFound)) {
            // Unknown kid: refetch (at most once per 5 minutes per URL) and try again.
            let mut again = Vec::new();
            for (u, m) in &materials {
                if let Some(n) = shared.keys.refetch_on_miss(u, m.version).await {
                    again.push((*u, n));
                }
            }
            if !again.is_empty() {
                materials = again;
                key = TokenCache::key(&trust_id(r, &materials), token);
                out = try_sets(token, r, &materials);
            }
        }
        match out {
            Ok(p) => p,
            Err(e) => return Err(signature_refusal(&e, unavailable)),
        }
    };
    let claims = String::from_utf8(payload)
        .ok()
        .and_then(Claims::parse)
        .ok_or_else(malformed)?;
    let checked = Arc::new(Checked::new(header, claims));
    if !unsigned {
        shared.tokens.put(key, checked.clone(), now);
    }
    Ok((checked, materials))
}

fn trust_id(r: &Rules<'_>, materials: &[(&str, Arc<Material>)]) -> Vec<u8> {
    let mut t = r.inline_id.clone();
    for (u, m) in materials {
        t.extend_from_slice(u.as_bytes());
        t.extend_from_slice(&m.version.to_be_bytes());
    }
    t
}

/// Tries every key set; the first that verifies wins. A wrong signature beats "no such key".
fn try_sets(
    token: &str,
    r: &Rules<'_>,
    materials: &[(&str, Arc<Material>)],
) -> Result<Vec<u8>, ValidationError> {
    let limits = Limits::default();
    let mut err = ValidationError::KeyNotFound;
    let sets = r
        .inline
        .iter()
        .chain(materials.iter().map(|(_, m)| &m.keys));
    for ks in sets {
        match sigil_jose::verify_compact(token, ks, &ALGORITHMS, &limits) {
            Ok(v) => return Ok(v.into_payload()),
            Err(ValidationError::KeyNotFound) => {}
            Err(e @ ValidationError::Malformed(_)) => return Err(e),
            Err(e) => err = e,
        }
    }
    Err(err)
}

fn signature_refusal(e: &ValidationError, unavailable: bool) -> Refusal {
    match e {
        ValidationError::KeyNotFound => Refusal::denied(
            "TokenSignatureKeyNotFound",
            if unavailable {
                "IDX10501: Signature validation failed. Unable to match key: the signing keys could not be retrieved."
            } else {
                "IDX10501: Signature validation failed. Unable to match key."
            },
        ),
        ValidationError::Malformed(_) | ValidationError::UnsupportedCritical => malformed(),
        _ => Refusal::denied(
            "TokenSignatureInvalid",
            "IDX10503: Signature validation failed.",
        ),
    }
}

fn malformed() -> Refusal {
    Refusal("JwtInvalid", "IDX14100: JWT is not well formed.".into())
}

/// Decodes the header (for `alg: none` and the output variable) and returns the still-encoded
/// payload: a signed token's payload is decoded once, by the signature check.
fn decode_header(token: &str) -> Result<(Map<String, J>, &str), Refusal> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed());
    };
    let header = sigil_jose::base64url::decode(h)
        .ok()
        .and_then(|b| serde_json::from_slice::<J>(&b).ok());
    let Some(J::Object(header)) = header else {
        return Err(malformed());
    };
    Ok((header, p))
}

/// Lifetime, audience, issuer, client application and required claims.
fn check_claims(r: &Rules<'_>, c: &Claims, issuers: &[&str], now: i64) -> Result<(), Refusal> {
    let time = |n: &str| c.number(n).map(|f| f as i64);
    match time("exp") {
        Some(exp) if now >= exp.saturating_add(r.skew) => {
            return Err(Refusal::denied(
                "TokenExpired",
                "IDX10223: Lifetime validation failed. The token is expired.",
            ));
        }
        None if r.require_exp => {
            return Err(Refusal(
                "JwtInvalid",
                "IDX10225: Lifetime validation failed. The token is missing an Expiration Time."
                    .into(),
            ));
        }
        _ => {}
    }
    if time("nbf").is_some_and(|nbf| nbf > now.saturating_add(r.skew)) {
        return Err(Refusal(
            "JwtInvalid",
            "IDX10222: Lifetime validation failed. The token is not yet valid.".into(),
        ));
    }
    if !r.audiences.is_empty() {
        let ok = any_value(c, "aud", None, |x| r.audiences.iter().any(|a| a == x));
        if !ok {
            return Err(Refusal::denied(
                "TokenAudienceNotAllowed",
                "IDX10214: Audience validation failed.",
            ));
        }
    }
    if !issuers.is_empty() {
        let iss = c.str("iss").unwrap_or_default();
        let tid = c.str("tid").unwrap_or_default();
        let ok = issuers.iter().any(|i| {
            *i == iss
                || (!tid.is_empty()
                    && i.contains("{tenantid}")
                    && i.replace("{tenantid}", &tid) == iss)
        });
        if !ok {
            return Err(Refusal::denied(
                "TokenIssuerNotAllowed",
                "IDX10205: Issuer validation failed.",
            ));
        }
    }
    if let Some(apps) = &r.client_apps {
        let app = c
            .str(if c.contains("azp") { "azp" } else { "appid" })
            .unwrap_or_default();
        if !apps.iter().any(|a| a.eq_ignore_ascii_case(&app)) {
            return Err(Refusal::denied(
                "TokenClaimValueNotAllowed",
                &format!("Claim azp value of {app} is not allowed."),
            ));
        }
    }
    required_claims(r.required, c)
}

/// A claim's values as strings (arrays flattened, `separator` splitting strings).
fn values(c: &Claims, name: &str, sep: Option<&str>) -> Option<Vec<String>> {
    if !c.contains(name) {
        return None;
    }
    let mut out = Vec::new();
    any_value(c, name, sep, |v| {
        out.push(v.to_owned());
        false
    });
    Some(out)
}

/// True when `pred` holds for one of the claim's values, visited as [`values`] lists them
/// (arrays flattened, `separator` splitting strings) without allocating for string values.
fn any_value(
    c: &Claims,
    name: &str,
    sep: Option<&str>,
    mut pred: impl FnMut(&str) -> bool,
) -> bool {
    match sep.filter(|s| !s.is_empty()) {
        Some(s) => c.any_text(name, |text| {
            text.split(s).filter(|p| !p.is_empty()).any(&mut pred)
        }),
        None => c.any_text(name, pred),
    }
}

fn required_claims(req: &[RequiredClaim], c: &Claims) -> Result<(), Refusal> {
    let missing: Vec<&str> = req
        .iter()
        .filter(|r| !c.contains(&r.name))
        .map(|r| r.name.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(Refusal::denied(
            "TokenClaimNotFound",
            &format!(
                "JWT is missing the following claims: {}.",
                missing.join(", ")
            ),
        ));
    }
    for r in req.iter().filter(|r| !r.values.is_empty()) {
        let sep = r.separator.as_deref();
        let has = |want: &String| any_value(c, &r.name, sep, |v| v == want);
        let ok = if r.match_all {
            r.values.iter().all(has)
        } else {
            r.values.iter().any(has)
        };
        if !ok {
            let have = values(c, &r.name, sep).unwrap_or_default();
            return Err(Refusal::denied(
                "TokenClaimValueNotAllowed",
                &format!(
                    "Claim {} value of {} is not allowed.",
                    r.name,
                    have.join(",")
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(v: J) -> Claims {
        Claims::parse(v.to_string()).unwrap()
    }

    fn claim(name: &str, all: bool, sep: Option<&str>, vals: &[&str]) -> RequiredClaim {
        RequiredClaim {
            name: name.into(),
            match_all: all,
            separator: sep.map(str::to_owned),
            values: vals.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn required_claims_all_any_and_separator() {
        let c = claims(serde_json::json!({"scp": "a b", "roles": ["x", "y"]}));
        assert!(required_claims(&[claim("scp", true, Some(" "), &["a", "b"])], &c).is_ok());
        assert!(required_claims(&[claim("scp", true, None, &["a"])], &c).is_err());
        assert!(required_claims(&[claim("roles", false, None, &["z", "y"])], &c).is_ok());
        let e = required_claims(&[claim("roles", true, None, &["z", "y"])], &c).unwrap_err();
        assert_eq!(e.0, "TokenClaimValueNotAllowed");
        let e = required_claims(
            &[claim("tid", true, None, &[]), claim("oid", true, None, &[])],
            &c,
        )
        .unwrap_err();
        assert_eq!(e.0, "TokenClaimNotFound");
        assert_eq!(
            e.1,
            "JWT is missing the following claims: tid, oid. Access denied."
        );
    }
}
