//! Sigil's identity provider as a library: the Entra v2-compatible HTTP surface.
//!
//! Routes (all under the public base URL, HTTPS):
//! - `GET /{tenant}/v2.0/.well-known/openid-configuration`: discovery. `{tenant}` is a tenant
//!   GUID or one of its domains; `common` and `organizations` answer Entra's multi-tenant
//!   document whose `issuer` contains the literal `{tenantid}` (what MSAL and
//!   Microsoft.Identity.Web expect; standard OIDC relying parties must use a tenant-specific URL).
//! - `GET /{tenant}/discovery/v2.0/keys` (and `/discovery/keys`): the JWKS (next, active and
//!   retired keys).
//! - `GET /common/discovery/instance`: Entra instance discovery, for clients pointed at Sigil
//!   as their instance-discovery host.
//! - `POST /{tenant}/oauth2/v2.0/token`: the token endpoint (see `sigil-idp`).
//!
//! State (keys, directory) lives in immutable snapshots swapped atomically; a background task
//! polls the store so changes made by `sigil apply`, `sigil keys rotate` or other replicas are
//! picked up without a restart.

pub mod admin;
pub mod directory;
pub mod keys;
mod rescue;
mod routes;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use sigil_core::Clock;
use sigil_crypto::{HmacKey, RandomSource, RootKey};
use sigil_jose::keyring::RotationPolicy;
use sigil_storage::Store;

pub use directory::{DirectoryCache, DirectoryIndex};
pub use keys::{KeyService, KeySnapshot, rotate_now};

/// How often replicas poll the store for directory and key changes.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_millis(500);

/// Why the identity provider could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdpError {
    /// Signing keys could not be loaded.
    #[error(transparent)]
    Keys(#[from] keys::KeyError),
    /// The directory could not be loaded.
    #[error(transparent)]
    Directory(#[from] directory::DirectoryError),
}

/// What the identity provider needs to start.
#[derive(Debug)]
pub struct IdpOptions {
    /// Public base URL, e.g. `https://localhost:8443` (issuers are built from it).
    pub base_url: String,
    /// The store.
    pub store: Store,
    /// Seals signing keys; keys client-secret hashes.
    pub root_key: RootKey,
    /// Signing-key rotation timings.
    pub policy: RotationPolicy,
    /// The admin API credential; `None` disables the admin API.
    pub admin: Option<AdminCredential>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// Randomness.
    pub rng: Arc<dyn RandomSource>,
}

/// The running identity provider's shared state.
#[derive(Debug)]
pub struct Idp {
    pub(crate) base_url: String,
    pub(crate) store: Store,
    pub(crate) root_key: RootKey,
    pub(crate) admin: Option<AdminCredential>,
    pub(crate) keys: Arc<KeyService>,
    pub(crate) directory: Arc<DirectoryCache>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) rng: Arc<dyn RandomSource>,
}

/// The admin API's credential, held as a keyed hash so the token itself is not kept in memory.
#[derive(Debug)]
pub struct AdminCredential {
    key: [u8; 32],
    hash: [u8; 32],
}

impl AdminCredential {
    /// Hold `token` (compared in constant time by [`AdminCredential::matches`]).
    pub fn new(
        token: &sigil_core::Secret<String>,
        rng: &dyn RandomSource,
    ) -> Result<Self, sigil_crypto::Error> {
        let mut key = [0u8; 32];
        rng.fill(&mut key)?;
        let hash = sigil_crypto::keyed_hash(&key, token.expose().as_bytes());
        Ok(Self { key, hash })
    }

    /// Does `presented` equal the token?
    pub fn matches(&self, presented: &str) -> bool {
        sigil_crypto::keyed_hash_verify(&self.key, presented.as_bytes(), &self.hash)
    }
}

/// Derive the client-secret hashing key from the root key: one root secret to manage, and a
/// database leak alone does not allow offline guessing of secrets.
pub fn secret_hash_key(root: &RootKey) -> HmacKey {
    let derived = sigil_crypto::keyed_hash(root.expose(), b"sigil/client-secret-hash/v1");
    // A 32-byte key is always a valid HMAC key.
    HmacKey::new(derived.to_vec()).unwrap_or_else(|_| unreachable_hmac())
}

#[cold]
fn unreachable_hmac() -> HmacKey {
    // HmacKey::new only refuses empty keys; 32 bytes are never empty. Keep the function total.
    HmacKey::new(vec![0u8; 32]).unwrap_or_else(|_| std::process::abort())
}

impl Idp {
    /// Load keys and directory from the store.
    pub async fn start(opts: IdpOptions) -> Result<Arc<Self>, IdpError> {
        let IdpOptions {
            base_url,
            store,
            root_key,
            policy,
            admin,
            clock,
            rng,
        } = opts;
        let hash_key = secret_hash_key(&root_key);
        let keys =
            KeyService::start(store.clone(), root_key.clone(), policy, clock.clone()).await?;
        let directory = DirectoryCache::start(store.clone(), hash_key).await?;
        Ok(Arc::new(Self {
            base_url,
            store,
            root_key,
            admin,
            keys,
            directory,
            clock,
            rng,
        }))
    }

    /// The HTTP routes.
    pub fn router(self: &Arc<Self>) -> Router {
        routes::router(self.clone())
    }

    /// Is the provider able to issue tokens (an active signing key is loaded)?
    pub fn ready(&self) -> Result<(), String> {
        match self.keys.snapshot().ring.active_signer() {
            Some(_) => Ok(()),
            None => Err("no active signing key".into()),
        }
    }

    /// Poll the store for changes every `interval` until the returned task is aborted.
    pub fn spawn_sync(self: &Arc<Self>, interval: Duration) -> tokio::task::JoinHandle<()> {
        let idp = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = idp.directory.sync().await {
                    tracing::warn!(error = %e, "directory reload failed; serving the previous one");
                }
                if let Err(e) = idp.keys.sync().await {
                    tracing::warn!(error = %e, "signing key sync failed; serving the previous keys");
                }
            }
        })
    }

    /// The current directory index.
    pub fn directory(&self) -> Arc<DirectoryIndex> {
        self.directory.index()
    }

    /// Force an immediate reload from the store (tests, admin API).
    pub async fn sync_now(&self) -> Result<(), IdpError> {
        self.directory.sync().await?;
        self.keys.sync().await?;
        Ok(())
    }
}
