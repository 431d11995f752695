//! Signing keys from `<openid-config url>`: the discovery document's `issuer` and the keys of
//! its `jwks_uri`, fetched with the gateway's outbound client (TLS always validated) and shared
//! by every policy and configuration generation that names the same URL.
//!
//! APIM's rules: keys are refreshed every hour; a token whose `kid` is unknown triggers a
//! refetch at most once per 5 minutes (single flight: concurrent misses wait for one fetch);
//! a failed fetch never drops the keys in use, so stale keys keep serving while the IdP is
//! down. Sigil's one deviation: while *no* keys were ever loaded (IdP not up yet when the
//! gateway started), a fetch is retried at most every 10 seconds instead of every 5 minutes,
//! so a start-up race does not refuse every token for 5 minutes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use axum::body::Body;
use http_body_util::{BodyExt, Limited};
use sigil_core::{Clock, UnixTime};
use sigil_jose::{JwkSet, KeySet};

use crate::proxy::HttpClient;

const REFRESH: Duration = Duration::from_secs(3_600);
const MISS_REFETCH: Duration = Duration::from_secs(300);
const COLD_RETRY: Duration = Duration::from_secs(10);
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_DOC: usize = 1024 * 1024;

/// What one openid-config URL yielded.
#[derive(Debug)]
pub(crate) struct Material {
    /// The discovery document's `issuer` (may hold `{tenantid}`).
    pub(crate) issuer: Option<String>,
    pub(crate) keys: KeySet,
    /// Moves on every successful fetch (part of the verified-token cache key).
    pub(crate) version: u64,
    fetched: UnixTime,
}

#[derive(Debug, Default)]
struct Attempts {
    last_attempt: Option<UnixTime>,
    last_miss: Option<UnixTime>,
}

#[derive(Debug, Default)]
struct Entry {
    current: RwLock<Option<Arc<Material>>>,
    fetch: tokio::sync::Mutex<Attempts>,
}

impl Entry {
    fn current(&self) -> Option<Arc<Material>> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// The per-URL cache, kept across reloads.
#[derive(Debug)]
pub(crate) struct KeyStore {
    client: HttpClient,
    clock: Arc<dyn Clock>,
    entries: Mutex<HashMap<String, Arc<Entry>>>,
    versions: AtomicU64,
    fetches: AtomicU64,
}

impl KeyStore {
    pub(crate) fn new(client: HttpClient, clock: Arc<dyn Clock>) -> Self {
        Self {
            client,
            clock,
            entries: Mutex::new(HashMap::new()),
            versions: AtomicU64::new(0),
            fetches: AtomicU64::new(0),
        }
    }

    /// Discovery + JWKS requests made so far.
    pub(crate) fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    fn entry(&self, url: &str) -> Arc<Entry> {
        let mut m = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        m.entry(url.to_owned()).or_default().clone()
    }

    /// The keys for `url`: cached, refreshed when older than an hour (stale keys are served if
    /// the refresh fails or another request is already refreshing), fetched on first use.
    pub(crate) async fn get(&self, url: &str) -> Result<Arc<Material>, String> {
        let e = self.entry(url);
        let now = self.clock.now();
        if let Some(m) = e.current() {
            if now.since(m.fetched) < REFRESH {
                return Ok(m);
            }
            if let Ok(mut a) = e.fetch.try_lock() {
                if a.last_attempt.is_none_or(|t| now.since(t) >= MISS_REFETCH) {
                    a.last_attempt = Some(now);
                    self.refresh(url, &e).await.ok();
                }
            }
            return Ok(e.current().unwrap_or(m));
        }
        let mut a = e.fetch.lock().await;
        if let Some(m) = e.current() {
            return Ok(m);
        }
        if a.last_attempt.is_some_and(|t| now.since(t) < COLD_RETRY) {
            return Err(format!("signing keys from {url} are not available yet"));
        }
        a.last_attempt = Some(now);
        self.refresh(url, &e).await
    }

    /// A token's `kid` was not among `seen`'s keys: newer keys, if another request already
    /// fetched them or the 5-minute budget allows a fetch now; else `None`.
    pub(crate) async fn refetch_on_miss(&self, url: &str, seen: u64) -> Option<Arc<Material>> {
        let e = self.entry(url);
        let mut a = e.fetch.lock().await;
        if let Some(m) = e.current() {
            if m.version != seen {
                return Some(m);
            }
        }
        let now = self.clock.now();
        if a.last_miss.is_some_and(|t| now.since(t) < MISS_REFETCH) {
            return None;
        }
        a.last_miss = Some(now);
        a.last_attempt = Some(now);
        self.refresh(url, &e).await.ok()
    }

    /// Fetches every URL once in the background (configuration load), best effort.
    pub(crate) fn warm(self: &Arc<Self>, urls: Vec<String>) {
        if urls.is_empty() {
            return;
        }
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let me = self.clone();
        rt.spawn(async move {
            for u in urls {
                if let Err(e) = me.get(&u).await {
                    tracing::warn!(url = %u, error = %e, "openid-config warm-up failed");
                }
            }
        });
    }

    async fn refresh(&self, url: &str, e: &Entry) -> Result<Arc<Material>, String> {
        match self.fetch(url).await {
            Ok((issuer, keys)) => {
                let m = Arc::new(Material {
                    issuer,
                    keys,
                    version: self.versions.fetch_add(1, Ordering::Relaxed) + 1,
                    fetched: self.clock.now(),
                });
                *e.current.write().unwrap_or_else(PoisonError::into_inner) = Some(m.clone());
                tracing::debug!(url, "openid-config keys loaded");
                Ok(m)
            }
            Err(err) => {
                tracing::warn!(url, error = %err, "openid-config fetch failed; keeping cached keys");
                Err(err)
            }
        }
    }

    async fn fetch(&self, url: &str) -> Result<(Option<String>, KeySet), String> {
        #[derive(serde::Deserialize)]
        struct Doc {
            issuer: Option<String>,
            jwks_uri: String,
        }
        let doc: Doc = serde_json::from_slice(&self.get_bytes(url).await?)
            .map_err(|e| format!("discovery document: {e}"))?;
        let jwks = JwkSet::parse(&self.get_bytes(&doc.jwks_uri).await?)
            .map_err(|e| format!("JWKS: {e}"))?;
        let keys = KeySet::from_jwks(&jwks).map_err(|e| format!("JWKS: {e}"))?;
        if keys.is_empty() {
            return Err("the JWKS holds no usable signing key".into());
        }
        Ok((doc.issuer, keys))
    }

    async fn get_bytes(&self, url: &str) -> Result<Vec<u8>, String> {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let req = http::Request::get(url)
            .header(http::header::ACCEPT, "application/json")
            .body(Body::empty())
            .map_err(|e| format!("{url}: {e}"))?;
        let resp = tokio::time::timeout(FETCH_TIMEOUT, self.client.request(req))
            .await
            .map_err(|_| format!("{url}: timed out"))?
            .map_err(|e| format!("{url}: {e}"))?;
        if !resp.status().is_success() {
            return Err(format!("{url}: status {}", resp.status()));
        }
        let body = tokio::time::timeout(
            FETCH_TIMEOUT,
            Limited::new(resp.into_body(), MAX_DOC).collect(),
        )
        .await
        .map_err(|_| format!("{url}: timed out"))?
        .map_err(|e| format!("{url}: {e}"))?;
        Ok(body.to_bytes().to_vec())
    }
}
