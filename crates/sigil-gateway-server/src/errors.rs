//! Every response the gateway produces on its own, in APIM's shapes, in one place.
//!
//! APIM answers its own errors with `{ "statusCode": N, "message": "..." }` (spaces as APIM
//! prints them). The texts below are the ones APIM returns: 401 for a missing or invalid
//! subscription key, 404 `Resource not found` when no API or operation matches, 403 `Forbidden`
//! from `ip-filter`, 500 `Internal server error` (with the request id as `activityId`) for any
//! other unhandled failure. Where APIM documents only the status (limit-concurrency 429, backend
//! timeout 504, body limits) the message is the HTTP reason phrase. Internal detail (backend
//! host names, connection errors) goes to the log, never to the client.

use http::StatusCode;
use sigil_policy::model::{Meta, Scope, Section};

/// `context.LastError`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct LastError {
    pub(crate) source: String,
    pub(crate) reason: String,
    pub(crate) message: String,
    pub(crate) scope: String,
    pub(crate) section: String,
    pub(crate) path: String,
    pub(crate) policy_id: String,
}

/// What the caller gets when no `on-error` policy changes the response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum DefaultResponse {
    /// `{ "statusCode": N, "message": M }` with status N.
    Apim(u16, String),
    /// 500 with `activityId`.
    InternalError,
    /// Keep the response already in the context (e.g. the backend's, with
    /// `fail-on-error-status-code`).
    Keep,
}

/// An error raised while handling a request: becomes `context.LastError` and jumps to `on-error`.
/// Boxed so the `Result`s of every policy stay small on the happy path.
#[derive(Clone, Debug)]
pub(crate) struct Fault(Box<FaultData>);

/// The content of a [`Fault`].
#[derive(Clone, Debug)]
pub(crate) struct FaultData {
    pub(crate) error: LastError,
    pub(crate) response: DefaultResponse,
    /// Set once the policy that raised it has recorded where it happened.
    pub(crate) located: bool,
}

impl std::ops::Deref for Fault {
    type Target = FaultData;
    fn deref(&self) -> &FaultData {
        &self.0
    }
}

impl std::ops::DerefMut for Fault {
    fn deref_mut(&mut self) -> &mut FaultData {
        &mut self.0
    }
}

impl Fault {
    fn new(source: &str, reason: &str, message: impl Into<String>, r: DefaultResponse) -> Self {
        Self(Box::new(FaultData {
            error: LastError {
                source: source.into(),
                reason: reason.into(),
                message: message.into(),
                ..LastError::default()
            },
            response: r,
            located: false,
        }))
    }

    /// `SubscriptionKeyNotFound`.
    pub(crate) fn key_missing() -> Self {
        let mut f = Self::new(
            "authorization",
            "SubscriptionKeyNotFound",
            MSG_KEY_MISSING,
            DefaultResponse::Apim(401, MSG_KEY_MISSING.into()),
        );
        f.error.section = "inbound".into();
        f.located = true;
        f
    }

    /// `SubscriptionKeyInvalid`.
    pub(crate) fn key_invalid() -> Self {
        let mut f = Self::new(
            "authorization",
            "SubscriptionKeyInvalid",
            MSG_KEY_INVALID,
            DefaultResponse::Apim(401, MSG_KEY_INVALID.into()),
        );
        f.error.section = "inbound".into();
        f.located = true;
        f
    }

    /// `OperationNotFound` (source `configuration`).
    pub(crate) fn operation_not_found() -> Self {
        let mut f = Self::new(
            "configuration",
            "OperationNotFound",
            "Unable to match incoming request to an operation.",
            DefaultResponse::Apim(404, MSG_NOT_FOUND.into()),
        );
        f.error.section = "inbound".into();
        f.located = true;
        f
    }

    /// A policy expression threw (`ExpressionValueEvaluationFailure`).
    pub(crate) fn expression(err: &sigil_expr::EvalError) -> Self {
        Self::new(
            "",
            "ExpressionValueEvaluationFailure",
            format!("Expression evaluation failed. {}", err.message),
            DefaultResponse::InternalError,
        )
    }

    /// An expression produced a value the attribute cannot use.
    pub(crate) fn bad_value(what: &str, got: &str) -> Self {
        Self::new(
            "",
            "ExpressionValueEvaluationFailure",
            format!("Expression evaluation failed. {what} cannot be '{got}'."),
            DefaultResponse::InternalError,
        )
    }

    /// `check-header` failure with the policy's status and message.
    pub(crate) fn check_header(reason: &str, code: u16, message: String) -> Self {
        Self::new(
            "check-header",
            reason,
            message.clone(),
            DefaultResponse::Apim(code, message),
        )
    }

    /// `ip-filter` refusal.
    pub(crate) fn ip_filter(reason: &str, message: String) -> Self {
        Self::new(
            "ip-filter",
            reason,
            message,
            DefaultResponse::Apim(403, "Forbidden".into()),
        )
    }

    /// `limit-concurrency` full.
    pub(crate) fn concurrency() -> Self {
        Self::new(
            "limit-concurrency",
            "ConcurrencyLimitExceeded",
            "Too many concurrent requests.",
            DefaultResponse::Apim(429, "Too Many Requests".into()),
        )
    }

    /// The backend could not be reached or answered garbage. The detail is logged by the caller.
    pub(crate) fn backend_connection(message: &str) -> Self {
        Self::new(
            "forward-request",
            "BackendConnectionFailure",
            message,
            DefaultResponse::InternalError,
        )
    }

    /// The backend did not answer within the timeout.
    pub(crate) fn backend_timeout() -> Self {
        Self::new(
            "forward-request",
            "Timeout",
            "Request to the backend service timed out.",
            DefaultResponse::Apim(504, "Gateway Timeout".into()),
        )
    }

    /// `fail-on-error-status-code="true"` and the backend answered 400–599.
    pub(crate) fn backend_status(code: u16) -> Self {
        Self::new(
            "forward-request",
            "BackendError",
            format!("Backend returned status code {code}."),
            DefaultResponse::Keep,
        )
    }

    /// The caller's request body is larger than allowed.
    pub(crate) fn body_too_large() -> Self {
        Self::new(
            "request",
            "RequestEntityTooLarge",
            "The request body is too large.",
            DefaultResponse::Apim(413, "Request Entity Too Large".into()),
        )
    }

    /// The caller went away or sent a broken body.
    pub(crate) fn client_connection(message: &str) -> Self {
        Self::new(
            "request",
            "ClientConnectionFailure",
            message,
            DefaultResponse::Apim(400, "Bad Request".into()),
        )
    }

    /// `validate-jwt` / `validate-azure-ad-token` refused the token. `message` is APIM's
    /// `LastError.Message` for the reason; the caller sees `custom` (the policy's
    /// `failed-validation-error-message`) when set, else the same text.
    pub(crate) fn token(
        source: &str,
        reason: &str,
        message: String,
        code: u16,
        custom: Option<String>,
    ) -> Self {
        let shown = custom.unwrap_or_else(|| message.clone());
        Self::new(source, reason, message, DefaultResponse::Apim(code, shown))
    }

    /// `rate-limit` / `rate-limit-by-key` over the limit (429; the caller adds `Retry-After`).
    pub(crate) fn rate_limited(source: &str, retry_after_secs: u64) -> Self {
        Self::new(
            source,
            "RateLimitExceeded",
            "Rate limit is exceeded",
            DefaultResponse::Apim(
                429,
                format!("Rate limit is exceeded. Try again in {retry_after_secs} seconds."),
            ),
        )
    }

    /// `quota` / `quota-by-key` used up (403; the caller adds `Retry-After`). `renews_in` is
    /// `None` for a quota that never renews.
    pub(crate) fn quota_exceeded(
        source: &str,
        bandwidth: bool,
        renews_in: Option<std::time::Duration>,
    ) -> Self {
        let what = if bandwidth {
            "Out of bandwidth quota."
        } else {
            "Out of call volume quota."
        };
        let message = match renews_in {
            Some(d) => format!("{what} Quota will be replenished in {}.", timespan(d)),
            None => what.to_owned(),
        };
        Self::new(
            source,
            "QuotaExceeded",
            message.clone(),
            DefaultResponse::Apim(403, message),
        )
    }

    /// A validation policy with `prevent` found a problem. In a request (inbound) the caller
    /// gets 400 with the public text; in a response, 502 with APIM's masked text, so nothing
    /// about the backend leaks. `LastError.Message` holds the details either way.
    pub(crate) fn validation(
        source: &str,
        response: bool,
        details: String,
        public: String,
    ) -> Self {
        if response {
            Self::new(
                source,
                "Response not allowed",
                details,
                DefaultResponse::Apim(502, MSG_VALIDATION_MASKED.into()),
            )
        } else {
            Self::new(
                source,
                "Bad request",
                details,
                DefaultResponse::Apim(400, public),
            )
        }
    }

    /// Something the configuration should have made impossible.
    pub(crate) fn internal(source: &str, message: impl Into<String>) -> Self {
        Self::new(
            source,
            "InternalError",
            message,
            DefaultResponse::InternalError,
        )
    }

    /// Records where the error happened, once (the innermost policy wins).
    pub(crate) fn locate(
        mut self,
        meta: &Meta,
        scope: Scope,
        name: &str,
        section: Section,
        path: &str,
    ) -> Self {
        if self.located {
            return self;
        }
        self.located = true;
        if self.error.source.is_empty() {
            self.error.source = name.into();
        }
        self.error.scope = scope.as_str().into();
        self.error.section = section.as_str().into();
        self.error.path = path.into();
        self.error.policy_id = meta.id.clone().unwrap_or_default();
        self
    }
}

/// A duration as .NET prints a `TimeSpan`: `hh:mm:ss`, with `d.` in front past a day.
pub(crate) fn timespan(d: std::time::Duration) -> String {
    let s = d.as_secs();
    let (days, h, m, sec) = (s / 86_400, s / 3_600 % 24, s / 60 % 60, s % 60);
    if days > 0 {
        format!("{days}.{h:02}:{m:02}:{sec:02}")
    } else {
        format!("{h:02}:{m:02}:{sec:02}")
    }
}

/// APIM's text for a request without a subscription key.
pub(crate) const MSG_KEY_MISSING: &str = "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.";
/// APIM's text for a wrong, inactive or out-of-scope key.
pub(crate) const MSG_KEY_INVALID: &str = "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.";
/// APIM's public text for a validation error it does not explain to the caller (every
/// response-side error, and request-side schema problems).
pub(crate) const MSG_VALIDATION_MASKED: &str =
    "The request could not be processed due to an internal error. Contact the API owner.";
/// APIM's 404 text.
pub(crate) const MSG_NOT_FOUND: &str = "Resource not found";

/// The JSON body `{ "statusCode": N, "message": "..." }`, spaced as APIM prints it.
pub(crate) fn apim_body(code: u16, message: &str) -> String {
    format!(
        "{{ \"statusCode\": {code}, \"message\": {} }}",
        serde_json::Value::String(message.to_owned())
    )
}

/// The 500 body with the request id, as APIM returns for unhandled errors.
pub(crate) fn internal_error_body(request_id: &uuid::Uuid) -> String {
    format!(
        "{{ \"statusCode\": 500, \"message\": \"Internal server error\", \"activityId\": \"{}\" }}",
        request_id.hyphenated()
    )
}

/// Status and body for a default response (`Keep` is the caller's business).
pub(crate) fn render(r: &DefaultResponse, request_id: &uuid::Uuid) -> Option<(StatusCode, String)> {
    match r {
        DefaultResponse::Apim(code, msg) => Some((
            StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            apim_body(*code, msg),
        )),
        DefaultResponse::InternalError => Some((
            StatusCode::INTERNAL_SERVER_ERROR,
            internal_error_body(request_id),
        )),
        DefaultResponse::Keep => None,
    }
}

/// Responses produced before any policy can run (no route, refused path, bad framing).
pub(crate) fn early(code: u16, message: &str) -> http::Response<axum::body::Body> {
    let mut resp = http::Response::new(axum::body::Body::from(apim_body(code, message)));
    *resp.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_apim_shaped() {
        assert_eq!(
            apim_body(404, MSG_NOT_FOUND),
            r#"{ "statusCode": 404, "message": "Resource not found" }"#
        );
        let v: serde_json::Value = serde_json::from_str(&apim_body(401, "a \"q\"")).unwrap();
        assert_eq!(v["message"], "a \"q\"");
        let id = uuid::Uuid::nil();
        assert!(internal_error_body(&id).contains("00000000-0000-0000-0000-000000000000"));
    }

    #[test]
    fn limit_messages_are_apims() {
        use std::time::Duration;
        assert_eq!(timespan(Duration::from_secs(52)), "00:00:52");
        assert_eq!(timespan(Duration::from_secs(90_061)), "1.01:01:01");
        let f = Fault::quota_exceeded("quota", false, Some(Duration::from_secs(3_600)));
        assert_eq!(
            f.response,
            DefaultResponse::Apim(
                403,
                "Out of call volume quota. Quota will be replenished in 01:00:00.".into()
            )
        );
        let f = Fault::rate_limited("rate-limit", 7);
        assert_eq!(
            f.response,
            DefaultResponse::Apim(
                429,
                "Rate limit is exceeded. Try again in 7 seconds.".into()
            )
        );
        assert_eq!(f.error.reason, "RateLimitExceeded");
    }
}
