//! The admin API: Graph-like resources under `/admin/v1.0`, authenticated by the installation's
//! admin credential (`Authorization: Bearer <token>`). Without a configured credential every
//! admin route answers 401: nothing is open by default.
//!
//! - `GET  /admin/v1.0/tenants`, `/tenants/{t}/applications`, `/tenants/{t}/servicePrincipals`
//! - `GET  /admin/v1.0/directory[?tenant=T]`: YAML, as `sigil export`
//! - `POST /admin/v1.0/directory[?prune=true]`: apply a YAML document, as `sigil apply`
//!   (`file:` references are refused here: the server's files are not the caller's)
//! - `GET  /admin/v1.0/keys`, `POST /admin/v1.0/keys/rotate[?force=true]`

use std::sync::Arc;

use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::Idp;
use crate::admin::{self, ApplyEnv, ApplyFailure};

/// Checks the bearer token against the admin credential's keyed hash, in constant time.
pub(crate) async fn require_admin(
    State(idp): State<Arc<Idp>>,
    req: Request,
    next: Next,
) -> Response {
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        });
    let ok = match (&idp.admin, presented) {
        (Some(cred), Some(token)) => cred.matches(token.trim()),
        _ => false,
    };
    if !ok {
        let mut r = graph_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Access token is missing or invalid.",
        );
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"sigil-admin\""),
        );
        return r;
    }
    next.run(req).await
}

pub(crate) async fn tenants(State(idp): State<Arc<Idp>>) -> Response {
    let index = idp.directory();
    let value: Vec<Value> = index
        .directory()
        .tenants
        .iter()
        .map(|t| json!({ "id": t.id, "displayName": t.display_name, "domains": t.domains }))
        .collect();
    axum::Json(json!({ "value": value })).into_response()
}

pub(crate) async fn applications(
    State(idp): State<Arc<Idp>>,
    Path(tenant): Path<String>,
) -> Response {
    let index = idp.directory();
    let Some(t) = find_tenant(&index, &tenant) else {
        return tenant_not_found(&tenant);
    };
    let value: Vec<Value> = t.applications.iter().map(redacted).collect();
    axum::Json(json!({ "value": value })).into_response()
}

pub(crate) async fn service_principals(
    State(idp): State<Arc<Idp>>,
    Path(tenant): Path<String>,
) -> Response {
    let index = idp.directory();
    let Some(t) = find_tenant(&index, &tenant) else {
        return tenant_not_found(&tenant);
    };
    axum::Json(json!({ "value": t.service_principals })).into_response()
}

#[derive(Deserialize)]
pub(crate) struct ExportQuery {
    tenant: Option<String>,
}

pub(crate) async fn export(State(idp): State<Arc<Idp>>, Query(q): Query<ExportQuery>) -> Response {
    match admin::export_yaml(&idp.store, q.tenant.as_deref()).await {
        Ok(yaml) => (
            [(header::CONTENT_TYPE, "application/yaml; charset=utf-8")],
            yaml,
        )
            .into_response(),
        Err(e) => graph_error(StatusCode::BAD_REQUEST, "BadRequest", &e),
    }
}

#[derive(Deserialize)]
pub(crate) struct ApplyQuery {
    #[serde(default)]
    prune: bool,
}

pub(crate) async fn apply(
    State(idp): State<Arc<Idp>>,
    Query(q): Query<ApplyQuery>,
    body: String,
) -> Response {
    let hash_key = crate::secret_hash_key(&idp.root_key);
    let no_env = |_: &str| None;
    let no_files = |p: &std::path::Path| -> Result<Vec<u8>, String> {
        Err(format!(
            "{}: file references are not allowed over the admin API; inline the PEM",
            p.display()
        ))
    };
    let env = ApplyEnv {
        env: &no_env,
        files: &no_files,
        rng: idp.rng.as_ref(),
        hash_key: &hash_key,
        now: idp.clock.now(),
    };
    match admin::apply_yaml(&idp.store, "request", &body, q.prune, &env).await {
        Ok(report) => {
            // Reload now so the caller's next token request sees the change.
            if let Err(e) = idp.directory.sync().await {
                tracing::warn!(error = %e, "directory reload after apply failed");
            }
            let secrets: Vec<Value> = report
                .generated_secrets
                .iter()
                .map(|s| {
                    json!({
                        "tenantId": s.tenant, "appId": s.app_id, "displayName": s.app_display_name,
                        "keyId": s.key_id, "credential": s.credential_display_name,
                        "secretText": s.secret.expose(),
                    })
                })
                .collect();
            let mut r = axum::Json(json!({
                "changes": report.changes, "generatedSecrets": secrets, "warnings": report.warnings,
            }))
            .into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(ApplyFailure::Invalid(lines)) => {
            let body = json!({ "error": {
                "code": "BadRequest",
                "message": "The document is invalid; nothing was applied.",
                "details": lines.iter().map(|l| json!({ "code": "InvalidValue", "message": l })).collect::<Vec<_>>(),
            }});
            (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
        }
        Err(ApplyFailure::Store(e)) => {
            tracing::error!(error = %e, "admin apply failed");
            graph_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "The store is unavailable; nothing was applied.",
            )
        }
    }
}

pub(crate) async fn keys(State(idp): State<Arc<Idp>>) -> Response {
    let snap = idp.keys.snapshot();
    let value: Vec<Value> = snap
        .ring
        .entries()
        .iter()
        .map(|e| json!({ "kid": e.kid(), "alg": format!("{:?}", e.alg()), "state": format!("{:?}", e.state()) }))
        .collect();
    axum::Json(json!({ "value": value })).into_response()
}

#[derive(Deserialize)]
pub(crate) struct RotateQuery {
    #[serde(default)]
    force: bool,
}

pub(crate) async fn rotate(State(idp): State<Arc<Idp>>, Query(q): Query<RotateQuery>) -> Response {
    let result = crate::rotate_now(
        &idp.store,
        &idp.root_key,
        idp.keys.policy(),
        idp.clock.as_ref(),
        q.force,
    )
    .await;
    match result {
        Ok((kid, signs_from)) => {
            if let Err(e) = idp.keys.sync().await {
                tracing::warn!(error = %e, "key reload after rotation failed");
            }
            axum::Json(json!({ "kid": kid, "signsFrom": signs_from })).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "key rotation failed");
            graph_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "Key rotation failed; try again.",
            )
        }
    }
}

fn find_tenant<'a>(
    index: &'a crate::DirectoryIndex,
    t: &str,
) -> Option<&'a sigil_directory::Tenant> {
    use sigil_idp::DirectoryView;
    let tid = index.tenant_id(t)?;
    index
        .directory()
        .tenants
        .iter()
        .find(|x| x.id.hyphenated().to_string() == tid)
}

/// An application as JSON with credential secrets removed (hashes never leave the server).
fn redacted(app: &sigil_directory::Application) -> Value {
    let mut v = serde_json::to_value(app).unwrap_or(Value::Null);
    if let Some(creds) = v
        .get_mut("passwordCredentials")
        .and_then(Value::as_array_mut)
    {
        for c in creds {
            if let Some(o) = c.as_object_mut() {
                o.remove("secretHash");
            }
        }
    }
    v
}

fn tenant_not_found(t: &str) -> Response {
    graph_error(
        StatusCode::NOT_FOUND,
        "Request_ResourceNotFound",
        &format!("Tenant '{t}' does not exist."),
    )
}

fn graph_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({ "error": { "code": code, "message": message } })),
    )
        .into_response()
}
