//! Typed token acquisition errors, carrying Entra's AADSTS code when the IdP refused.

/// Why no token could be acquired. `Clone` so one failed fetch can be reported to every
/// caller that waited on it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The token endpoint refused the request (4xx other than 429). Not retried.
    #[error("token request refused: HTTP {status} {error}{}", aadsts.map(|c| format!(" (AADSTS{c})")).unwrap_or_default())]
    Refused {
        /// HTTP status.
        status: u16,
        /// OAuth `error` (`invalid_client`, `invalid_scope`, ...).
        error: String,
        /// The AADSTS code (`7000215` for a wrong secret, ...), from `error_codes` or the
        /// description's `AADSTSnnnn:` prefix.
        aadsts: Option<u32>,
        /// `error_description` as sent by the IdP.
        description: String,
        /// `correlation_id`, for support requests.
        correlation_id: Option<String>,
    },
    /// The endpoint kept failing (429, 5xx or transport errors) through every retry.
    #[error("token endpoint unavailable after {attempts} attempt(s): {last}")]
    Unavailable {
        /// Attempts made.
        attempts: u32,
        /// The last HTTP status, if any answer came back.
        status: Option<u16>,
        /// The last failure.
        last: String,
    },
    /// The endpoint answered 2xx with something that is not a token response.
    #[error("invalid token response: {0}")]
    InvalidResponse(String),
    /// The client assertion could not be signed.
    #[error("client assertion: {0}")]
    Assertion(String),
}

impl TokenError {
    /// The AADSTS code, if the IdP refused with one.
    pub fn aadsts(&self) -> Option<u32> {
        match self {
            Self::Refused { aadsts, .. } => *aadsts,
            _ => None,
        }
    }
}

/// Parse an Entra error body (`error`, `error_description`, `error_codes`, `correlation_id`).
pub(crate) fn refused(status: u16, body: &[u8]) -> TokenError {
    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct Body {
        error: String,
        error_description: String,
        error_codes: Vec<u32>,
        correlation_id: Option<String>,
    }
    let b: Body = serde_json::from_slice(body).unwrap_or_default();
    let aadsts = b
        .error_codes
        .first()
        .copied()
        .or_else(|| code_in_description(&b.error_description));
    TokenError::Refused {
        status,
        error: if b.error.is_empty() {
            "unknown_error".into()
        } else {
            b.error
        },
        aadsts,
        description: b.error_description,
        correlation_id: b.correlation_id,
    }
}

fn code_in_description(d: &str) -> Option<u32> {
    let rest = d.strip_prefix("AADSTS")?;
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entra_errors() {
        let e = refused(
            401,
            br#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215],"correlation_id":"c1"}"#,
        );
        assert_eq!(e.aadsts(), Some(7000215));
        assert!(e.to_string().contains("AADSTS7000215"), "{e}");
        let e = refused(
            400,
            br#"{"error":"invalid_scope","error_description":"AADSTS1002012: bad"}"#,
        );
        assert_eq!(e.aadsts(), Some(1002012));
        let e = refused(400, b"not json");
        assert_eq!(e.aadsts(), None);
    }
}
