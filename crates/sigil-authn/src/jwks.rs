//! The JWKS cache shared by every request of one [`Authn`](crate::Authn).
//!
//! Readers get the current validator from a `watch` channel (a read lock and an `Arc`
//! clone per request). One `tokio::sync::Mutex` serialises every fetch, which gives:
//! - **single flight**: callers that miss on the same unknown `kid` queue on the mutex; the
//!   first fetches, the rest see the version moved and re-validate without fetching;
//! - **a refetch budget**: unknown-`kid` refetches happen at most once per
//!   `refetch_interval`, so a storm of forged `kid`s costs one JWKS request per interval;
//! - **stale keys over no keys**: a failed fetch never replaces the keys in use, so an IdP
//!   outage does not stop validation.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use sigil_core::UnixTime;
use sigil_jose::{JwkSet, KeySet, TokenKind, ValidationError, ValidationOptions, Validator};
use tokio::sync::{Mutex, watch};

use crate::options::{AuthnOptions, KeySource};

/// Why [`Authn`](crate::Authn) could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No audience configured.
    #[error("no audience configured")]
    NoAudience,
    /// A JWKS source needs explicit issuers.
    #[error("no issuer configured")]
    NoIssuer,
    /// The options were refused by the token validator.
    #[error(transparent)]
    Options(#[from] sigil_jose::JoseError),
}

/// Why discovery or a JWKS fetch failed (the keys in use are kept).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The HTTP request failed or answered an error status.
    #[error("fetching {url}: {source}")]
    Http {
        /// The URL.
        url: String,
        /// The error.
        source: reqwest::Error,
    },
    /// The discovery document is unusable.
    #[error("discovery document: {0}")]
    Discovery(String),
    /// The JWKS is unusable.
    #[error("JWKS: {0}")]
    Jwks(#[from] sigil_jose::JoseError),
    /// The JWKS holds no usable signature key.
    #[error("JWKS has no usable signing key")]
    NoKeys,
    /// This `Authn` was built from static keys and never fetches.
    #[error("static key set")]
    Static,
}

/// The keys and rules in force, with a version that moves on every successful fetch.
#[derive(Debug)]
pub struct KeySnapshot {
    pub(crate) validator: Validator,
    pub(crate) version: u64,
}

impl KeySnapshot {
    /// Moves by one on every successful fetch.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The validator (rules and trusted keys) in force.
    pub fn validator(&self) -> &Validator {
        &self.validator
    }
}

/// What the watch channel carries: `None` until the first successful load.
pub type Current = Option<Arc<KeySnapshot>>;

#[derive(Debug)]
struct Resolved {
    jwks_uri: String,
    base: ValidationOptions,
}

#[derive(Debug, Default)]
struct FetchState {
    resolved: Option<Resolved>,
    last_miss_fetch: Option<UnixTime>,
    version: u64,
}

#[derive(Debug)]
pub(crate) struct KeyCache {
    http: Option<reqwest::Client>,
    pub(crate) opts: AuthnOptions,
    tx: watch::Sender<Current>,
    state: Mutex<FetchState>,
    requests: AtomicU64,
}

impl KeyCache {
    /// A cache that fetches from the configured source (nothing is fetched until
    /// [`KeyCache::spawn_refresh`] or a miss).
    pub(crate) fn fetching(
        opts: AuthnOptions,
        http: reqwest::Client,
    ) -> Result<(Arc<Self>, watch::Receiver<Current>), ConfigError> {
        check(&opts)?;
        if matches!(opts.source, KeySource::Jwks(_)) && opts.issuers.is_empty() {
            return Err(ConfigError::NoIssuer);
        }
        // Fail on bad options now rather than at the first fetch.
        base_options(&opts, Some("https://placeholder/"))?;
        let (tx, rx) = watch::channel(None);
        let cache = Arc::new(Self {
            http: Some(http),
            opts,
            tx,
            state: Mutex::new(FetchState::default()),
            requests: AtomicU64::new(0),
        });
        Ok((cache, rx))
    }

    /// A cache over a fixed key set; never fetches.
    pub(crate) fn fixed(
        opts: AuthnOptions,
        keys: KeySet,
    ) -> Result<(Arc<Self>, watch::Receiver<Current>), ConfigError> {
        check(&opts)?;
        let validator = Validator::new(base_options(&opts, None)?, keys)?;
        let snap = Arc::new(KeySnapshot {
            validator,
            version: 1,
        });
        let (tx, rx) = watch::channel(Some(snap));
        let cache = Arc::new(Self {
            http: None,
            opts,
            tx,
            state: Mutex::new(FetchState {
                version: 1,
                ..FetchState::default()
            }),
            requests: AtomicU64::new(0),
        });
        Ok((cache, rx))
    }

    /// Discovery and JWKS requests made so far.
    pub(crate) fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<Current> {
        self.tx.subscribe()
    }

    /// Fetch now (used by the background loop and [`Authn::refresh`](crate::Authn::refresh)).
    pub(crate) async fn refresh(&self) -> Result<(), FetchError> {
        let mut st = self.state.lock().await;
        self.refresh_locked(&mut st).await
    }

    /// A token's `kid` was unknown to snapshot `seen`. Returns newer keys to retry with, or
    /// `None` when there is nothing newer and the refetch budget is spent (or the fetch failed).
    pub(crate) async fn refetch_on_miss(&self, seen: u64) -> Current {
        // A fixed key set never fetches.
        self.http.as_ref()?;
        let mut st = self.state.lock().await;
        if st.version != seen {
            // Someone fetched while we waited: retry with their keys, do not fetch again.
            return self.tx.borrow().clone();
        }
        let now = self.opts.clock.now();
        if let Some(last) = st.last_miss_fetch {
            if now < last.saturating_add(self.opts.refetch_interval) {
                return None;
            }
        }
        st.last_miss_fetch = Some(now);
        match self.refresh_locked(&mut st).await {
            Ok(()) => self.tx.borrow().clone(),
            Err(e) => {
                tracing::warn!(error = %e, "JWKS refetch for an unknown kid failed; keeping current keys");
                None
            }
        }
    }

    async fn refresh_locked(&self, st: &mut FetchState) -> Result<(), FetchError> {
        if st.resolved.is_none() {
            st.resolved = Some(self.resolve().await?);
        }
        let Some(r) = st.resolved.as_ref() else {
            return Err(FetchError::Static);
        };
        let body = self.get(&r.jwks_uri).await?;
        let keys = KeySet::from_jwks(&JwkSet::parse(&body)?)?;
        if keys.is_empty() {
            return Err(FetchError::NoKeys);
        }
        let validator = Validator::new(r.base.clone(), keys)?;
        st.version += 1;
        let version = st.version;
        tracing::debug!(version, "JWKS loaded");
        self.tx
            .send_replace(Some(Arc::new(KeySnapshot { validator, version })));
        Ok(())
    }

    async fn resolve(&self) -> Result<Resolved, FetchError> {
        match &self.opts.source {
            KeySource::Jwks(url) => Ok(Resolved {
                jwks_uri: url.clone(),
                base: base_options(&self.opts, None)
                    .map_err(|e| FetchError::Discovery(e.to_string()))?,
            }),
            KeySource::Authority(authority) => {
                let url = format!("{authority}/.well-known/openid-configuration");
                let body = self.get(&url).await?;
                #[derive(serde::Deserialize)]
                struct Doc {
                    issuer: String,
                    jwks_uri: String,
                }
                let doc: Doc = serde_json::from_slice(&body)
                    .map_err(|e| FetchError::Discovery(e.to_string()))?;
                let discovered = if self.opts.issuers.is_empty()
                    && self.opts.issuer_templates.is_empty()
                {
                    if !same_origin(authority, &doc.issuer) {
                        return Err(FetchError::Discovery(
                            "the issuer is not on the authority's origin; configure issuers explicitly".into(),
                        ));
                    }
                    Some(doc.issuer.as_str())
                } else {
                    None
                };
                let base = base_options(&self.opts, discovered)
                    .map_err(|e| FetchError::Discovery(e.to_string()))?;
                Ok(Resolved {
                    jwks_uri: doc.jwks_uri,
                    base,
                })
            }
        }
    }

    async fn get(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        let Some(http) = &self.http else {
            return Err(FetchError::Static);
        };
        self.requests.fetch_add(1, Ordering::Relaxed);
        let err = |source| FetchError::Http {
            url: url.to_owned(),
            source,
        };
        let r = http
            .get(url)
            .timeout(self.opts.fetch_timeout)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(err)?;
        Ok(r.bytes().await.map_err(err)?.to_vec())
    }

    /// Load now and then every `refresh_interval`; before the first success, retry with
    /// backoff. Stops when the last [`Authn`](crate::Authn) is dropped.
    pub(crate) fn spawn_refresh(self: &Arc<Self>) {
        let weak: Weak<Self> = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut failures = 0u32;
            loop {
                let Some(cache) = weak.upgrade() else { return };
                let delay = match cache.refresh().await {
                    Ok(()) => {
                        failures = 0;
                        cache.opts.refresh_interval
                    }
                    Err(e) => {
                        failures = failures.saturating_add(1);
                        let loaded = cache.tx.borrow().is_some();
                        tracing::warn!(error = %e, loaded, "JWKS refresh failed; keeping current keys");
                        retry_delay(failures).min(cache.opts.refresh_interval)
                    }
                };
                drop(cache);
                tokio::time::sleep(delay).await;
            }
        });
    }
}

/// 250 ms doubling to 30 s.
fn retry_delay(failures: u32) -> Duration {
    let ms = 250u64.saturating_mul(1u64 << failures.min(8).saturating_sub(1));
    Duration::from_millis(ms).min(Duration::from_secs(30))
}

fn check(opts: &AuthnOptions) -> Result<(), ConfigError> {
    if opts.audiences.is_empty() {
        return Err(ConfigError::NoAudience);
    }
    Ok(())
}

/// The validation rules: access tokens only, configured audiences, configured (or
/// discovered) issuers, optional tenant allow-list.
fn base_options(
    opts: &AuthnOptions,
    discovered_issuer: Option<&str>,
) -> Result<ValidationOptions, ConfigError> {
    let mut v = ValidationOptions::new()
        .token_kind(TokenKind::AccessToken)
        .skew(opts.skew);
    for a in &opts.audiences {
        v = v.audience(a.clone());
    }
    for i in &opts.issuers {
        v = v.issuer(i.clone());
    }
    for t in &opts.issuer_templates {
        v = v.issuer_template(t)?;
    }
    if let Some(iss) = discovered_issuer {
        v = if iss.contains("{tenantid}") {
            v.issuer_template(iss)?
        } else {
            v.issuer(iss)
        };
    }
    if opts.issuers.is_empty() && opts.issuer_templates.is_empty() && discovered_issuer.is_none() {
        return Err(ConfigError::NoIssuer);
    }
    if let Some(tenants) = &opts.tenants {
        let tenants: Vec<String> = tenants.iter().map(|t| t.to_ascii_lowercase()).collect();
        v = v.check(move |c| match c.tid.as_deref() {
            Some(t) if tenants.iter().any(|x| x.eq_ignore_ascii_case(t)) => Ok(()),
            Some(_) => Err(ValidationError::ClaimValueNotAllowed("tid".into())),
            None => Err(ValidationError::RequiredClaimMissing("tid".into())),
        });
    }
    Ok(v)
}

fn same_origin(a: &str, b: &str) -> bool {
    match (
        reqwest::Url::parse(a),
        reqwest::Url::parse(b.replace("{tenantid}", "t").as_str()),
    ) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delay_grows_and_caps() {
        assert_eq!(retry_delay(1), Duration::from_millis(250));
        assert_eq!(retry_delay(2), Duration::from_millis(500));
        assert_eq!(retry_delay(40), Duration::from_secs(30));
    }

    #[test]
    fn origin_rule() {
        assert!(same_origin(
            "https://h:1/t/v2.0",
            "https://h:1/{tenantid}/v2.0"
        ));
        assert!(!same_origin("https://h:1/t/v2.0", "https://evil/t/v2.0"));
        assert!(!same_origin("https://h:1/t/v2.0", "http://h:1/t/v2.0"));
    }
}
