//! The token cache: one slot per (authority, client, resource), shared by every caller.
//!
//! The hot path (a fresh token is cached) takes two read locks and clones an `Arc`: no
//! allocation, no await. A slot's `fetch` mutex makes refreshes single-flight, and its
//! `generation` lets callers that waited on a failed fetch report that failure instead of
//! each hammering the endpoint in turn.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use sigil_core::{Secret, UnixTime};

use crate::TokenError;

/// An access token and when it expires. Cheap to clone; `Debug` never shows the token.
#[derive(Clone)]
pub struct AccessToken(Arc<TokenInner>);

struct TokenInner {
    secret: Secret<String>,
    expires_at: UnixTime,
    refresh_at: UnixTime,
}

impl AccessToken {
    pub(crate) fn new(secret: String, expires_at: UnixTime, refresh_at: UnixTime) -> Self {
        Self(Arc::new(TokenInner {
            secret: Secret::new(secret),
            expires_at,
            refresh_at,
        }))
    }

    /// The bearer token.
    pub fn secret(&self) -> &Secret<String> {
        &self.0.secret
    }

    /// When the IdP says it expires.
    pub fn expires_at(&self) -> UnixTime {
        self.0.expires_at
    }

    /// When the cache starts refreshing it.
    pub fn refresh_at(&self) -> UnixTime {
        self.0.refresh_at
    }

    /// Fresh: before its refresh point.
    pub(crate) fn is_fresh(&self, now: UnixTime) -> bool {
        now < self.0.refresh_at
    }

    /// Still usable (not expired): served when a refresh fails.
    pub(crate) fn is_unexpired(&self, now: UnixTime) -> bool {
        now < self.0.expires_at
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("expires_at", &self.0.expires_at.as_secs())
            .finish_non_exhaustive()
    }
}

/// Tokens of every client sharing this cache, keyed by (authority, client, resource).
/// Clone it into several [`TokenClient`](crate::TokenClient)s to share.
#[derive(Clone, Default)]
pub struct TokenCache {
    clients: Arc<RwLock<HashMap<ClientKey, Arc<ClientSlots>>>>,
}

/// (authority, client id).
type ClientKey = (String, String);

impl TokenCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    pub(crate) fn client(&self, authority: &str, client_id: &str) -> Arc<ClientSlots> {
        let key = (authority.to_owned(), client_id.to_owned());
        if let Some(c) = read(&self.clients).get(&key) {
            return c.clone();
        }
        write(&self.clients).entry(key).or_default().clone()
    }

    /// Number of cached (authority, client, resource) slots.
    pub fn len(&self) -> usize {
        read(&self.clients)
            .values()
            .map(|c| read(&c.slots).len())
            .sum()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("slots", &self.len())
            .finish()
    }
}

/// The slots of one (authority, client), keyed by resource scope.
#[derive(Default, Debug)]
pub(crate) struct ClientSlots {
    slots: RwLock<HashMap<String, Arc<Slot>>>,
}

impl ClientSlots {
    pub(crate) fn slot(&self, scope: &str) -> Arc<Slot> {
        if let Some(s) = read(&self.slots).get(scope) {
            return s.clone();
        }
        write(&self.slots)
            .entry(scope.to_owned())
            .or_default()
            .clone()
    }
}

#[derive(Default)]
pub(crate) struct Slot {
    token: RwLock<Option<AccessToken>>,
    pub(crate) fetch: tokio::sync::Mutex<()>,
    generation: AtomicU64,
    last_error: Mutex<Option<TokenError>>,
}

impl fmt::Debug for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Slot")
            .field("generation", &self.generation())
            .finish_non_exhaustive()
    }
}

impl Slot {
    pub(crate) fn current(&self) -> Option<AccessToken> {
        read(&self.token).clone()
    }

    pub(crate) fn fresh(&self, now: UnixTime) -> Option<AccessToken> {
        read(&self.token)
            .as_ref()
            .filter(|t| t.is_fresh(now))
            .cloned()
    }

    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Record a fetch outcome (call with `fetch` held).
    pub(crate) fn finish(&self, outcome: &Result<AccessToken, TokenError>) {
        match outcome {
            Ok(t) => {
                *write(&self.token) = Some(t.clone());
                *self
                    .last_error
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = None;
            }
            Err(e) => {
                *self
                    .last_error
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = Some(e.clone());
            }
        }
        self.generation.fetch_add(1, Ordering::Release);
    }

    pub(crate) fn last_error(&self) -> Option<TokenError> {
        self.last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Forget the token (the resource said it is invalid).
    pub(crate) fn evict(&self, token: &AccessToken) {
        let mut t = write(&self.token);
        if t.as_ref().is_some_and(|c| Arc::ptr_eq(&c.0, &token.0)) {
            *t = None;
        }
    }
}

// A panic while holding these locks cannot leave the maps half-updated (every write is one
// insert or assignment), so a poisoned lock is still safe to use.
fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(PoisonError::into_inner)
}
