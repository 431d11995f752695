//! axum integration: [`Principal`] as an extractor.

use axum::extract::FromRequestParts;
use http::request::Parts;

use crate::{AuthError, Principal};

/// Reads the principal the [`AuthnLayer`](crate::AuthnLayer) stored. Without the layer in
/// front of the route there is none, and the request is refused as unauthenticated.
impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AuthError> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or(AuthError::MissingToken)
    }
}
