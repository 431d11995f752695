//! The route table: every path the identity provider answers, in one place.

mod admin;
mod discovery;
mod token;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::Idp;

/// Token requests are small forms; a client assertion with an `x5c` chain is the largest.
const MAX_TOKEN_REQUEST_BYTES: usize = 64 * 1024;

pub(crate) fn router(idp: Arc<Idp>) -> Router {
    Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(discovery::openid_configuration),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(discovery::jwks))
        .route("/{tenant}/discovery/keys", get(discovery::jwks))
        .route("/common/discovery/instance", get(discovery::instance))
        .route(
            "/{tenant}/oauth2/v2.0/token",
            post(token::token).layer(DefaultBodyLimit::max(MAX_TOKEN_REQUEST_BYTES)),
        )
        .merge(admin_routes(idp.clone()))
        .with_state(idp)
}

/// Documents applied over the admin API are YAML; 4 MiB is far above any real directory.
const MAX_ADMIN_BODY_BYTES: usize = 4 * 1024 * 1024;

fn admin_routes(idp: Arc<Idp>) -> Router<Arc<Idp>> {
    Router::new()
        .route("/admin/v1.0/tenants", get(admin::tenants))
        .route(
            "/admin/v1.0/tenants/{tenant}/applications",
            get(admin::applications),
        )
        .route(
            "/admin/v1.0/tenants/{tenant}/servicePrincipals",
            get(admin::service_principals),
        )
        .route(
            "/admin/v1.0/directory",
            get(admin::export).post(admin::apply),
        )
        .route("/admin/v1.0/keys", get(admin::keys))
        .route("/admin/v1.0/keys/rotate", post(admin::rotate))
        .layer(DefaultBodyLimit::max(MAX_ADMIN_BODY_BYTES))
        .route_layer(axum::middleware::from_fn_with_state(
            idp,
            admin::require_admin,
        ))
}
