//! The client: acquire, cache and refresh client-credentials tokens.

use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;
use sigil_core::{Clock, Secret, SystemClock, UnixTime};

use crate::cache::{AccessToken, ClientSlots, Slot, TokenCache};
use crate::error::refused;
use crate::{ClientCredential, TokenError};

/// Retries on 429, 5xx and transport errors: exponential backoff from `base_delay`, or the
/// server's `Retry-After` when it sends one, capped at `max_delay`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total (1 = no retry).
    pub max_attempts: u32,
    /// First backoff; doubles per attempt.
    pub base_delay: Duration,
    /// Upper bound for any wait, including `Retry-After`.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32 << attempt.saturating_sub(1).min(16);
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// Acquires app-only tokens (`client_credentials`) for one client at one authority, against
/// Sigil or Entra ID. Cheap to clone; clones share the cache.
#[derive(Clone, Debug)]
pub struct TokenClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    authority: String,
    token_endpoint: String,
    client_id: String,
    credential: ClientCredential,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    refresh_ahead: Duration,
    retry: RetryPolicy,
    timeout: Duration,
    slots: Arc<ClientSlots>,
    cache: TokenCache,
}

/// Builds a [`TokenClient`].
#[derive(Debug)]
pub struct TokenClientBuilder {
    authority: String,
    client_id: String,
    credential: ClientCredential,
    http: Option<reqwest::Client>,
    clock: Arc<dyn Clock>,
    refresh_ahead: Duration,
    retry: RetryPolicy,
    timeout: Duration,
    cache: Option<TokenCache>,
}

impl TokenClient {
    /// How long before expiry a cached token is refreshed (as the seed's
    /// `TokenAcquisitionService` does). Tokens shorter than twice this refresh at half-life.
    pub const DEFAULT_REFRESH_AHEAD: Duration = Duration::from_secs(300);

    /// A client of `authority` — `https://login.microsoftonline.com/{tenant}` or
    /// `https://localhost:8443/{tenant}` (a trailing `/v2.0` is accepted) — identified by
    /// `client_id` and `credential`.
    pub fn builder(
        authority: impl Into<String>,
        client_id: impl Into<String>,
        credential: ClientCredential,
    ) -> TokenClientBuilder {
        TokenClientBuilder {
            authority: authority.into(),
            client_id: client_id.into(),
            credential,
            http: None,
            clock: Arc::new(SystemClock),
            refresh_ahead: Self::DEFAULT_REFRESH_AHEAD,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(30),
            cache: None,
        }
    }

    /// The token endpoint (`{authority}/oauth2/v2.0/token`).
    pub fn token_endpoint(&self) -> &str {
        &self.inner.token_endpoint
    }

    /// The authority (without `/v2.0`).
    pub fn authority(&self) -> &str {
        &self.inner.authority
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    /// The cache (shared with clones and with clients built on the same cache).
    pub fn cache(&self) -> &TokenCache {
        &self.inner.cache
    }

    /// A token for `scope` (`api://fraud-detector/.default` or `{appId}/.default`).
    ///
    /// Served from the cache while fresh; otherwise one caller fetches and concurrent callers
    /// wait for its result. If the refresh fails while the cached token has not expired, the
    /// cached token is served.
    pub async fn token(&self, scope: &str) -> Result<AccessToken, TokenError> {
        let slot = self.inner.slots.slot(scope);
        if let Some(t) = slot.fresh(self.inner.clock.now()) {
            return Ok(t);
        }
        self.refresh_slot(&slot, scope).await
    }

    /// Forget a cached token the resource refused (401), so the next call fetches.
    pub fn invalidate(&self, scope: &str, token: &AccessToken) {
        self.inner.slots.slot(scope).evict(token);
    }

    async fn refresh_slot(&self, slot: &Slot, scope: &str) -> Result<AccessToken, TokenError> {
        let seen = slot.generation();
        let _flight = slot.fetch.lock().await;
        let now = self.inner.clock.now();
        if let Some(t) = slot.fresh(now) {
            return Ok(t);
        }
        if slot.generation() != seen {
            // A fetch finished while we waited and did not produce a fresh token: share its
            // failure rather than repeating it.
            if let Some(e) = slot.last_error() {
                return stale_or(slot, now, e);
            }
        }
        let outcome = self.fetch(scope).await;
        slot.finish(&outcome);
        match outcome {
            Ok(t) => Ok(t),
            Err(e) => stale_or(slot, self.inner.clock.now(), e),
        }
    }

    async fn fetch(&self, scope: &str) -> Result<AccessToken, TokenError> {
        let i = &self.inner;
        let retry = i.retry;
        let mut last = String::new();
        let mut last_status = None;
        for attempt in 1..=retry.max_attempts.max(1) {
            let now = i.clock.now();
            let creds = i
                .credential
                .form_params(&i.client_id, &i.token_endpoint, now)?;
            let mut form: Vec<(&str, &str)> = vec![
                ("grant_type", "client_credentials"),
                ("client_id", &i.client_id),
                ("scope", scope),
            ];
            form.extend(creds.iter().map(|(k, v)| (*k, v.expose().as_str())));
            let sent = i
                .http
                .post(&i.token_endpoint)
                .form(&form)
                .timeout(i.timeout)
                .send()
                .await;
            let mut wait = retry.backoff(attempt);
            match sent {
                Err(e) => last = e.to_string(),
                Ok(r) => {
                    let status = r.status();
                    last_status = Some(status.as_u16());
                    let retry_after = retry_after(&r, i.clock.now());
                    let body = r.bytes().await.unwrap_or_default();
                    if status.is_success() {
                        return parse_token(&body, now, i.refresh_ahead);
                    }
                    if status != StatusCode::TOO_MANY_REQUESTS && !status.is_server_error() {
                        return Err(refused(status.as_u16(), &body));
                    }
                    last = format!("HTTP {status}");
                    if let Some(ra) = retry_after {
                        wait = ra.min(retry.max_delay);
                    }
                }
            }
            if attempt < retry.max_attempts {
                tracing::debug!(attempt, ?wait, %last, "token request failed; retrying");
                tokio::time::sleep(wait).await;
            }
        }
        Err(TokenError::Unavailable {
            attempts: retry.max_attempts.max(1),
            status: last_status,
            last,
        })
    }
}

fn stale_or(slot: &Slot, now: UnixTime, e: TokenError) -> Result<AccessToken, TokenError> {
    match slot.current() {
        Some(t) if t.is_unexpired(now) => {
            tracing::warn!(error = %e, "token refresh failed; serving the cached token until it expires");
            Ok(t)
        }
        _ => Err(e),
    }
}

/// `Retry-After`: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
fn retry_after(r: &reqwest::Response, now: UnixTime) -> Option<Duration> {
    let v = r.headers().get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(v).ok()?;
    let at = at.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(at.saturating_sub(now.as_duration()))
}

fn parse_token(body: &[u8], now: UnixTime, ahead: Duration) -> Result<AccessToken, TokenError> {
    #[derive(serde::Deserialize)]
    struct Resp {
        access_token: String,
        #[serde(default)]
        token_type: Option<String>,
        expires_in: serde_json::Value,
    }
    let r: Resp =
        serde_json::from_slice(body).map_err(|e| TokenError::InvalidResponse(e.to_string()))?;
    if r.token_type
        .as_deref()
        .is_some_and(|t| !t.eq_ignore_ascii_case("bearer"))
    {
        return Err(TokenError::InvalidResponse(
            "token_type is not Bearer".into(),
        ));
    }
    // Entra sends an integer; ADFS and older endpoints send a string.
    let secs = match &r.expires_in {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    }
    .ok_or_else(|| TokenError::InvalidResponse("expires_in is not a number".into()))?;
    let lifetime = Duration::from_secs(secs);
    let expires_at = now.saturating_add(lifetime);
    let refresh_at = expires_at.saturating_sub(ahead.min(lifetime / 2));
    Ok(AccessToken::new(r.access_token, expires_at, refresh_at))
}

impl TokenClientBuilder {
    /// The HTTP client (give it the CA to trust for a local Sigil).
    pub fn http(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// The clock for expiry decisions.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Refresh this long before expiry (default 5 minutes).
    pub fn refresh_ahead(mut self, d: Duration) -> Self {
        self.refresh_ahead = d;
        self
    }

    /// Retry policy for 429/5xx/transport failures.
    pub fn retry(mut self, r: RetryPolicy) -> Self {
        self.retry = r;
        self
    }

    /// Timeout of one token request.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }

    /// Share a cache with other clients.
    pub fn cache(mut self, cache: TokenCache) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Build the client.
    pub fn build(self) -> TokenClient {
        let mut authority = self.authority.trim_end_matches('/').to_owned();
        if let Some(a) = authority.strip_suffix("/v2.0") {
            authority = a.to_owned();
        }
        let token_endpoint = format!("{authority}/oauth2/v2.0/token");
        let cache = self.cache.unwrap_or_default();
        let slots = cache.client(&authority, &self.client_id);
        TokenClient {
            inner: Arc::new(Inner {
                authority,
                token_endpoint,
                client_id: self.client_id,
                credential: self.credential,
                http: self.http.unwrap_or_default(),
                clock: self.clock,
                refresh_ahead: self.refresh_ahead,
                retry: self.retry,
                timeout: self.timeout,
                slots,
                cache,
            }),
        }
    }
}

/// Convenience: a secret credential from a plain string.
pub fn secret(s: impl Into<String>) -> ClientCredential {
    ClientCredential::secret(Secret::new(s.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_point_is_five_minutes_or_half_life() {
        let now = UnixTime::from_secs(1000);
        let t = parse_token(
            br#"{"access_token":"a","token_type":"Bearer","expires_in":3600}"#,
            now,
            Duration::from_secs(300),
        )
        .unwrap();
        assert_eq!(t.expires_at().as_secs(), 4600);
        assert_eq!(t.refresh_at().as_secs(), 4300);
        let t = parse_token(
            br#"{"access_token":"a","expires_in":"120"}"#,
            now,
            Duration::from_secs(300),
        )
        .unwrap();
        assert_eq!(t.refresh_at().as_secs(), 1060);
        assert!(
            parse_token(
                br#"{"access_token":"a","expires_in":"x"}"#,
                now,
                Duration::ZERO
            )
            .is_err()
        );
        assert!(
            parse_token(
                br#"{"access_token":"a","token_type":"pop","expires_in":1}"#,
                now,
                Duration::ZERO
            )
            .is_err()
        );
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let r = RetryPolicy::default();
        assert_eq!(r.backoff(1), Duration::from_millis(200));
        assert_eq!(r.backoff(3), Duration::from_millis(800));
        assert_eq!(r.backoff(30), Duration::from_secs(30));
    }
}
