//! `POST /{tenant}/oauth2/v2.0/token`: decode, delegate to `sigil-idp`, render.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sigil_idp::{IssueContext, TokenError, TokenRequest};

use crate::{Idp, rescue};

pub(crate) async fn token(
    State(idp): State<Arc<Idp>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = idp.clock.now();
    let correlation = headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok());
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let basic = authorization.is_some_and(|a| a.len() > 6 && a[..6].eq_ignore_ascii_case("basic "));
    match handle(&idp, &tenant, &headers, &body, authorization, now) {
        Ok(resp) => {
            let mut r = (StatusCode::OK, axum::Json(resp)).into_response();
            let h = r.headers_mut();
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-store, no-cache"),
            );
            h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            r
        }
        Err(e) => rescue::token_error(&e, &idp.base_url, correlation, now, basic),
    }
}

fn handle(
    idp: &Idp,
    tenant: &str,
    headers: &HeaderMap,
    body: &[u8],
    authorization: Option<&str>,
    now: sigil_core::UnixTime,
) -> Result<sigil_idp::TokenResponse, TokenError> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    if !is_form {
        return Err(TokenError::not_form());
    }
    let form: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|_| TokenError::not_form())?;
    let request = TokenRequest::decode(&form, authorization)?;
    let keys = idp.keys.snapshot();
    let signer = keys
        .ring
        .active_signer()
        .ok_or_else(TokenError::server_error)?;
    let index = idp.directory();
    let ctx = IssueContext {
        base_url: &idp.base_url,
        tenant_segment: tenant,
        now,
        signer,
        rng: idp.rng.as_ref(),
    };
    sigil_idp::client_credentials(index.as_ref(), &ctx, &request)
}
