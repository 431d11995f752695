//! The verified-token cache: a token whose signature was checked once is not checked again.
//!
//! Keyed by SHA-256 of the trust anchors (openid-config URLs with the version of the keys they
//! served, inline keys) and the token, so a token verified under one policy's keys is never
//! taken as verified under another's, and a key refresh (rotation, revocation) starts over.
//! Only the signature result is cached: lifetime, audience, issuer and claim rules run on every
//! request (they are cheap and differ per policy). An entry lives until the token's `exp`, at
//! most an hour (the key refresh interval). Bounded: a full shard drops expired entries, else
//! the one expiring first among a small sample.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Map, Value as J};
use sigil_expr::Claims;

const SHARDS: usize = 8;
const SAMPLE: usize = 8;
const MAX_TTL_SECS: u64 = 3_600;

/// A token whose signature verified: its decoded header and claims, held as the policy
/// expression `Jwt` so `output-token-variable-name` shares it instead of copying the claims.
#[derive(Debug)]
pub(crate) struct Checked {
    jwt: Arc<sigil_expr::Jwt>,
}

impl Checked {
    pub(crate) fn new(header: Map<String, J>, claims: Claims) -> Self {
        Self {
            jwt: Arc::new(sigil_expr::Jwt::from_parts(header, claims)),
        }
    }

    /// The payload claims.
    pub(crate) fn claims(&self) -> &Claims {
        self.jwt.claims()
    }

    /// The token as a policy-expression `Jwt`.
    pub(crate) fn jwt(&self) -> Arc<sigil_expr::Jwt> {
        self.jwt.clone()
    }
}

#[derive(Debug)]
struct Slot {
    value: Arc<Checked>,
    expires: u64,
}

/// Bounded cache of signature-checked tokens.
#[derive(Debug)]
pub(crate) struct TokenCache {
    shards: Vec<Mutex<HashMap<[u8; 32], Slot>>>,
    per_shard: usize,
    hits: AtomicU64,
}

impl TokenCache {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            per_shard: (capacity / SHARDS).max(1),
            hits: AtomicU64::new(0),
        }
    }

    /// The cache key for `token` under the trust anchors `trust`.
    pub(crate) fn key(trust: &[u8], token: &str) -> [u8; 32] {
        let mut buf = Vec::with_capacity(trust.len() + token.len() + 1);
        buf.extend_from_slice(trust);
        buf.push(0);
        buf.extend_from_slice(token.as_bytes());
        sigil_crypto::sha256(&buf)
    }

    /// Lookups that found a live entry.
    pub(crate) fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    fn shard(&self, key: &[u8; 32]) -> &Mutex<HashMap<[u8; 32], Slot>> {
        &self.shards[usize::from(key[0]) % SHARDS]
    }

    pub(crate) fn get(&self, key: &[u8; 32], now_secs: u64) -> Option<Arc<Checked>> {
        let mut m = self
            .shard(key)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match m.get(key) {
            Some(s) if s.expires > now_secs => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                Some(s.value.clone())
            }
            Some(_) => {
                m.remove(key);
                None
            }
            None => None,
        }
    }

    /// Remembers a checked token until `exp` (capped at an hour from `now_secs`).
    pub(crate) fn put(&self, key: [u8; 32], value: Arc<Checked>, now_secs: u64) {
        let cap = now_secs.saturating_add(MAX_TTL_SECS);
        let expires = value
            .claims()
            .raw("exp")
            .and_then(|e| e.parse::<u64>().ok())
            .map_or(cap, |e| e.min(cap));
        if expires <= now_secs {
            return;
        }
        let mut m = self
            .shard(&key)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if !m.contains_key(&key) && m.len() >= self.per_shard {
            let expired: Vec<[u8; 32]> = m
                .iter()
                .take(SAMPLE * 4)
                .filter(|(_, s)| s.expires <= now_secs)
                .map(|(k, _)| *k)
                .collect();
            if expired.is_empty() {
                let victim = m
                    .iter()
                    .take(SAMPLE)
                    .min_by_key(|(_, s)| s.expires)
                    .map(|(k, _)| *k);
                if let Some(k) = victim {
                    m.remove(&k);
                }
            } else {
                for k in expired {
                    m.remove(&k);
                }
            }
        }
        m.insert(key, Slot { value, expires });
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(PoisonError::into_inner).len())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(exp: Option<u64>) -> Arc<Checked> {
        let mut claims = Map::new();
        if let Some(e) = exp {
            claims.insert("exp".into(), J::from(e));
        }
        let claims = Claims::parse(J::Object(claims).to_string()).unwrap();
        Arc::new(Checked::new(Map::new(), claims))
    }

    #[test]
    fn entries_expire_with_the_token_and_are_per_trust() {
        let c = TokenCache::new(100);
        let k = TokenCache::key(b"idp-a", "tok");
        c.put(k, checked(Some(1_100)), 1_000);
        assert!(c.get(&k, 1_050).is_some());
        assert!(c.get(&TokenCache::key(b"idp-b", "tok"), 1_050).is_none());
        assert!(c.get(&k, 1_100).is_none(), "gone at exp");
        // Without exp: an hour at most.
        let k2 = TokenCache::key(b"idp-a", "tok2");
        c.put(k2, checked(None), 1_000);
        assert!(c.get(&k2, 4_599).is_some());
        assert!(c.get(&k2, 4_600).is_none());
        assert_eq!(c.hits(), 2);
    }

    #[test]
    fn bounded() {
        let c = TokenCache::new(64);
        for i in 0..10_000 {
            c.put(
                TokenCache::key(b"t", &format!("tok-{i}")),
                checked(Some(9_999)),
                1,
            );
        }
        assert!(c.len() <= 64);
    }
}
