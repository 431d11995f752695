//! The handle services hold: validate a request's bearer token against the cached keys.

use std::sync::Arc;

use http::HeaderMap;
use http::header::AUTHORIZATION;
use sigil_jose::{KeySet, ValidationError};
use tokio::sync::watch;

use crate::jwks::{ConfigError, Current, FetchError, KeyCache};
use crate::{AuthError, AuthnOptions, Principal};

/// Token validation for one API: cheap to clone, shared by all requests.
#[derive(Clone, Debug)]
pub struct Authn {
    cache: Arc<KeyCache>,
    rx: watch::Receiver<Current>,
}

impl Authn {
    /// Validate against keys fetched from the configured authority or JWKS URL with `http`
    /// (give it the CA to trust). Returns at once; the keys load in the background (see
    /// [`Authn::ready`]) and refresh every `refresh_interval`. Must be called inside a
    /// Tokio runtime.
    pub fn new(opts: AuthnOptions, http: reqwest::Client) -> Result<Self, ConfigError> {
        let (cache, rx) = KeyCache::fetching(opts, http)?;
        cache.spawn_refresh();
        Ok(Self { cache, rx })
    }

    /// Validate against a fixed key set (tests, air-gapped services). Issuers must be
    /// configured explicitly; nothing is ever fetched.
    pub fn with_keys(opts: AuthnOptions, keys: KeySet) -> Result<Self, ConfigError> {
        let (cache, rx) = KeyCache::fixed(opts, keys)?;
        Ok(Self { cache, rx })
    }

    /// Whether keys are loaded (wire this to the service's readiness probe).
    pub fn is_ready(&self) -> bool {
        self.rx.borrow().is_some()
    }

    /// Wait until keys are loaded.
    pub async fn ready(&self) {
        let mut rx = self.rx.clone();
        // Err only if the cache was dropped, which cannot happen while `self` holds it.
        let _ = rx.wait_for(Option::is_some).await;
    }

    /// Notified on every key change (the version moves on each successful fetch).
    pub fn key_updates(&self) -> watch::Receiver<Current> {
        self.cache.subscribe()
    }

    /// Fetch the keys now.
    pub async fn refresh(&self) -> Result<(), FetchError> {
        self.cache.refresh().await
    }

    /// Discovery and JWKS requests made so far (for metrics and tests).
    pub fn fetch_count(&self) -> u64 {
        self.cache.requests()
    }

    /// Authenticate a request from its headers.
    pub async fn authenticate(&self, headers: &HeaderMap) -> Result<Principal, AuthError> {
        let token = bearer(headers)?;
        self.validate(token).await
    }

    /// Validate a bearer token. An unknown `kid` triggers at most one refetch per
    /// `refetch_interval`, shared by concurrent callers.
    pub async fn validate(&self, token: &str) -> Result<Principal, AuthError> {
        let snap = self.rx.borrow().clone().ok_or(AuthError::KeysUnavailable)?;
        let clock = &self.cache.opts.clock;
        match snap.validator.validate(token, clock.now()) {
            Ok(v) => Ok(Principal::new(v, token)),
            Err(ValidationError::KeyNotFound) => {
                let newer = self
                    .cache
                    .refetch_on_miss(snap.version)
                    .await
                    .ok_or(ValidationError::KeyNotFound)?;
                let v = newer.validator.validate(token, clock.now())?;
                Ok(Principal::new(v, token))
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// The bearer token of a request (RFC 6750 §2.1). No `Authorization` header, or another
/// scheme, is "no credentials"; two headers or a malformed value is a bad request.
pub fn bearer(headers: &HeaderMap) -> Result<&str, AuthError> {
    let mut all = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = all.next() else {
        return Err(AuthError::MissingToken);
    };
    if all.next().is_some() {
        return Err(AuthError::InvalidRequest);
    }
    let value = value.to_str().map_err(|_| AuthError::InvalidRequest)?;
    let Some((scheme, rest)) = value.split_once(' ') else {
        return Err(if value.eq_ignore_ascii_case("bearer") {
            AuthError::InvalidRequest
        } else {
            AuthError::MissingToken
        });
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::MissingToken);
    }
    let token = rest.trim_matches(' ');
    if token.is_empty() || token.contains(' ') {
        return Err(AuthError::InvalidRequest);
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn h(values: &[&str]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for v in values {
            m.append(AUTHORIZATION, HeaderValue::from_str(v).unwrap());
        }
        m
    }

    #[test]
    fn bearer_extraction() {
        assert_eq!(bearer(&h(&["Bearer abc"])), Ok("abc"));
        assert_eq!(bearer(&h(&["bearer  abc "])), Ok("abc"));
        assert_eq!(bearer(&h(&[])), Err(AuthError::MissingToken));
        assert_eq!(
            bearer(&h(&["Basic dXNlcg=="])),
            Err(AuthError::MissingToken)
        );
        assert_eq!(bearer(&h(&["Bearer"])), Err(AuthError::InvalidRequest));
        assert_eq!(bearer(&h(&["Bearer a b"])), Err(AuthError::InvalidRequest));
        assert_eq!(
            bearer(&h(&["Bearer a", "Bearer b"])),
            Err(AuthError::InvalidRequest)
        );
    }
}
