//! The route table: every path the identity provider answers, in one place.

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
        .with_state(idp)
}
