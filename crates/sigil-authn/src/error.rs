//! Why a request was refused, and how that is said on the wire (RFC 6750 §3).
//!
//! Responses never carry token contents: the description is one of a fixed set of
//! sentences naming the class of failure, never a claim value, key id or expected value.

use http::header::{HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use http::{Response, StatusCode};
use sigil_jose::ValidationError;

/// A refusal. Map it to a response with [`AuthError::to_response`] (or axum's
/// `IntoResponse` with the `axum` feature).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// No `Authorization: Bearer` credentials (RFC 6750 §3.1: answer without an error code).
    #[error("no bearer token")]
    MissingToken,
    /// The request is malformed: several `Authorization` headers, or a bearer token that is
    /// not a single token68 value.
    #[error("malformed authorization header")]
    InvalidRequest,
    /// The token failed validation.
    #[error("invalid token: {0}")]
    InvalidToken(#[from] ValidationError),
    /// The token is valid but lacks every scope or role the route accepts.
    #[error("insufficient scope")]
    InsufficientScope,
    /// The signing keys have not been loaded yet (the service is not ready).
    #[error("signing keys not loaded yet")]
    KeysUnavailable,
}

impl AuthError {
    /// The HTTP status: 401, 400, 403 or 503.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::MissingToken | Self::InvalidToken(_) => StatusCode::UNAUTHORIZED,
            Self::InvalidRequest => StatusCode::BAD_REQUEST,
            Self::InsufficientScope => StatusCode::FORBIDDEN,
            Self::KeysUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The RFC 6750 `error` code, if any.
    pub fn rfc6750_error(&self) -> Option<&'static str> {
        match self {
            Self::MissingToken | Self::KeysUnavailable => None,
            Self::InvalidRequest => Some("invalid_request"),
            Self::InvalidToken(e) => Some(e.rfc6750_error()),
            Self::InsufficientScope => Some("insufficient_scope"),
        }
    }

    /// The `WWW-Authenticate` value (fixed strings only; safe to send).
    pub fn www_authenticate(&self) -> HeaderValue {
        let desc = match self {
            Self::MissingToken | Self::KeysUnavailable => None,
            Self::InvalidRequest => Some("The authorization header is malformed"),
            Self::InvalidToken(e) => Some(e.rfc6750_description()),
            Self::InsufficientScope => {
                Some("The token does not grant a scope or role this resource requires")
            }
        };
        let value = match (self.rfc6750_error(), desc) {
            (Some(code), Some(desc)) => {
                format!("Bearer error=\"{code}\", error_description=\"{desc}\"")
            }
            _ => "Bearer".to_owned(),
        };
        // Built from static ASCII sentences without quotes or control characters.
        HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("Bearer"))
    }

    /// An empty-bodied response with the status and `WWW-Authenticate` (plus `Retry-After`
    /// when the keys are not loaded yet).
    pub fn to_response<B: Default>(&self) -> Response<B> {
        let mut r = Response::new(B::default());
        *r.status_mut() = self.status();
        if matches!(self, Self::KeysUnavailable) {
            r.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("1"));
        } else {
            r.headers_mut()
                .insert(WWW_AUTHENTICATE, self.www_authenticate());
        }
        r
    }
}

#[cfg(feature = "axum")]
impl axum::response::IntoResponse for AuthError {
    fn into_response(self) -> axum::response::Response {
        self.to_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_follow_rfc6750() {
        assert_eq!(AuthError::MissingToken.www_authenticate(), "Bearer");
        assert_eq!(
            AuthError::InvalidToken(ValidationError::Expired).www_authenticate(),
            "Bearer error=\"invalid_token\", error_description=\"The token expired\""
        );
        let r: Response<()> = AuthError::InsufficientScope.to_response();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(
            r.headers()[WWW_AUTHENTICATE]
                .to_str()
                .unwrap()
                .starts_with("Bearer error=\"insufficient_scope\"")
        );
        let r: Response<()> = AuthError::KeysUnavailable.to_response();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.headers()[RETRY_AFTER], "1");
    }
}
