//! Discovery, JWKS and instance discovery.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use sigil_idp::DirectoryView;

use crate::Idp;

/// Entra's aliases that name no single tenant; their documents use the `{tenantid}` issuer.
const MULTI_TENANT: [&str; 2] = ["common", "organizations"];

pub(crate) async fn openid_configuration(
    State(idp): State<Arc<Idp>>,
    Path(tenant): Path<String>,
) -> Response {
    let base = &idp.base_url;
    let (segment, issuer) = if MULTI_TENANT.iter().any(|m| m.eq_ignore_ascii_case(&tenant)) {
        (
            tenant.to_ascii_lowercase(),
            format!("{base}/{{tenantid}}/v2.0"),
        )
    } else {
        let index = idp.directory();
        let Some(tid) = index.tenant_id(&tenant) else {
            return tenant_not_found(&tenant);
        };
        // Endpoints carry the tenant GUID: MSAL Python derives its cache realm from it.
        (tid.to_owned(), format!("{base}/{tid}/v2.0"))
    };
    let t = &segment;
    let doc = json!({
        "token_endpoint": format!("{base}/{t}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/{t}/discovery/v2.0/keys"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer,
        "request_uri_parameter_supported": false,
        "authorization_endpoint": format!("{base}/{t}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/{t}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{t}/oauth2/v2.0/logout"),
        "grant_types_supported": ["client_credentials"],
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "nbf", "tid", "oid", "azp", "azpacr", "idtyp",
            "roles", "scp", "ver", "uti"
        ],
        "tenant_region_scope": null,
        "cloud_instance_name": "sigil.local",
        "cloud_graph_host_name": "graph.sigil.local",
        "msgraph_host": "graph.sigil.local",
    });
    json_response(StatusCode::OK, &doc, "max-age=86400, private")
}

pub(crate) async fn jwks(State(idp): State<Arc<Idp>>, Path(_tenant): Path<String>) -> Response {
    // One key set serves every tenant, as in Entra; the JWKS was serialised once per change.
    let snap = idp.keys.snapshot();
    let mut resp = (StatusCode::OK, snap.jwks_json.clone()).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=86400, private"),
    );
    resp
}

#[derive(Deserialize)]
pub(crate) struct InstanceQuery {
    authorization_endpoint: Option<String>,
}

/// Entra instance discovery: the one "cloud" is this server.
pub(crate) async fn instance(
    State(idp): State<Arc<Idp>>,
    Query(q): Query<InstanceQuery>,
) -> Response {
    let base = &idp.base_url;
    let host = base.trim_start_matches("https://");
    if let Some(ep) = &q.authorization_endpoint {
        if !ep.starts_with(base.as_str()) {
            let body = json!({
                "error": "invalid_instance",
                "error_description": "AADSTS50049: Unknown or invalid instance.",
                "error_codes": [50049],
            });
            return json_response(StatusCode::BAD_REQUEST, &body, "no-store");
        }
    }
    let body = json!({
        "tenant_discovery_endpoint": format!("{base}/common/v2.0/.well-known/openid-configuration"),
        "api-version": "1.1",
        "metadata": [{ "preferred_network": host, "preferred_cache": host, "aliases": [host] }],
    });
    json_response(StatusCode::OK, &body, "max-age=86400, private")
}

fn tenant_not_found(tenant: &str) -> Response {
    let body = json!({
        "error": "invalid_tenant",
        "error_description": format!(
            "AADSTS90002: Tenant '{tenant}' not found. Check to make sure you have the correct \
             tenant ID and are signing into the correct cloud."
        ),
        "error_codes": [90002],
    });
    json_response(StatusCode::BAD_REQUEST, &body, "no-store")
}

fn json_response(status: StatusCode, body: &serde_json::Value, cache: &'static str) -> Response {
    let mut resp = (status, axum::Json(body)).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    resp
}
