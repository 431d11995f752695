//! The one place token-endpoint and discovery errors become HTTP responses, in Entra's shape:
//! `{"error","error_description":"AADSTSnnnn: …\r\nTrace ID: …\r\nCorrelation ID: …\r\nTimestamp: …",
//!   "error_codes":[nnnn],"timestamp","trace_id","correlation_id","error_uri"}`.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sigil_core::UnixTime;
use sigil_idp::TokenError;

/// Render `err`; `correlation` is the client's `client-request-id` when it sent one.
pub(crate) fn token_error(
    err: &TokenError,
    base_url: &str,
    correlation: Option<&str>,
    now: UnixTime,
    basic_auth_used: bool,
) -> Response {
    let trace_id = uuid::Uuid::new_v4().to_string();
    let correlation_id = correlation
        .filter(|c| uuid::Uuid::parse_str(c).is_ok())
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let timestamp = format_timestamp(now);
    let description = format!(
        "AADSTS{}: {}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {timestamp}",
        err.aadsts, err.message
    );
    if err.status >= 500 {
        tracing::error!(aadsts = err.aadsts, "token endpoint failure");
    } else {
        tracing::info!(
            error = err.code.as_str(),
            aadsts = err.aadsts,
            "token request refused"
        );
    }
    let body = serde_json::json!({
        "error": err.code.as_str(),
        "error_description": description,
        "error_codes": [err.aadsts],
        "timestamp": timestamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
        "error_uri": format!("{base_url}/error?code={}", err.aadsts),
    });
    let status = StatusCode::from_u16(err.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    if basic_auth_used && status == StatusCode::UNAUTHORIZED {
        // RFC 6749 §5.2: a client that used HTTP Basic gets a challenge back.
        headers.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"sigil\""),
        );
    }
    (status, headers, axum::Json(body)).into_response()
}

/// `YYYY-MM-DD hh:mm:ssZ`, as Entra writes it.
fn format_timestamp(now: UnixTime) -> String {
    let secs = i64::try_from(now.as_secs()).unwrap_or(0);
    let t =
        time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_format() {
        assert_eq!(
            format_timestamp(UnixTime::from_secs(1_800_000_000)),
            "2027-01-15 08:00:00Z"
        );
    }
}
